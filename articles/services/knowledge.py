"""What a story's import says about entities that already exist, held until readers may see it.

The knowledge base is shared and public: a draft whose file gives alibaba a new description, alias
or role must not change alibaba's public page. So an import that is not published creates the
entities it introduces (they have no public page until a live story confirms them) and leaves the
known ones alone; its own revision keeps what it said. Publishing the story (now or when its
schedule falls due) or an editor's ``story_knowledge_accept`` applies it.
"""

from django.db import transaction

from entities.models import Entity
from entities.services import entities_upsert

from ..importing.story import canonical
from ..models import Status
from .documents import entity_to_doc, export_story
from .revisions import revision_create

# Revisions after which an import's knowledge is in the knowledge base.
APPLIED = ("publish", "publish_scheduled", "accept_knowledge")


def knowledge_withheld(doc):
    """True when importing ``doc`` must not change the entities that exist already."""
    return doc["article"]["status"] != Status.PUBLISHED


def as_stored(doc):
    """``doc`` as the working copy will export it when its knowledge is withheld: known entities as
    the knowledge base has them (so importing the same draft twice changes nothing)."""
    ids = [e["id"] for e in doc["entities"]]
    known = {e.slug: e for e in Entity.objects.filter(slug__in=ids).prefetch_related(
        "aliases", "roles__organization", "relations_out__object")}
    if not known:
        return doc
    included = set(ids)
    entities = [entity_to_doc(known[e["id"]], included) if e["id"] in known else e for e in doc["entities"]]
    return canonical({**doc, "entities": entities})


def pending_knowledge(article):
    """The entity items of the last unpublished import of ``article`` not yet applied, or []."""
    revisions = article.revisions.order_by("-number").only("action", "snapshot", "base", "delta")
    for revision in revisions:
        if revision.action in APPLIED:
            return []
        if revision.action == "import":
            doc = revision.data
            return doc.get("entities", []) if knowledge_withheld(doc) else []
    return []


def knowledge_apply(article):
    """Apply ``article``'s pending knowledge to the knowledge base; return how many items it had."""
    docs = pending_knowledge(article)
    if docs:
        entities_upsert(docs=docs)
    return len(docs)


@transaction.atomic
def story_knowledge_accept(*, article, user=None):
    """An editor accepts what a draft's import says about known entities, before publishing it."""
    count = knowledge_apply(article)
    if count:
        revision_create(article=article, user=user, action="accept_knowledge", data=export_story(article))
    return count
