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

from .. import permissions
from ..importing.story import canonical
from ..models import Status
from .documents import entity_to_doc, export_story
from .errors import require
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
    # The actions first, then the one revision's data: each holds a whole story (~190 KiB of JSON),
    # and a story published many times has many.
    for pk, action in article.revisions.order_by("-number").values_list("pk", "action"):
        if action in APPLIED:
            return []
        if action == "import":
            doc = article.revisions.get(pk=pk).data
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
    """An editor accepts what a draft's import says about known entities, before publishing it.

    ``user`` None is a script; a person must be allowed to (``permissions.can_accept_knowledge``)."""
    if user is not None:
        require(permissions.can_accept_knowledge(user, article),
                "Only an editor who may publish and change entities accepts a draft's knowledge.")
    count = knowledge_apply(article)
    if count:
        revision_create(article=article, user=user, action="accept_knowledge", data=export_story(article))
    return count
