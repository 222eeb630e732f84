"""Test data: story-format documents and the rows they import into."""

import copy

from django.contrib.auth import get_user_model
from django.core.management import call_command

from articles.models import Article
from articles.services import story_import
from entities.models import Entity

ROLES = ("reporter", "editor", "fact-checker")


def make_entity(**kwargs):
    kwargs.setdefault("kind", "person")
    kwargs.setdefault("name", "周靖人")
    kwargs.setdefault("slug", "zhou-jingren")
    return Entity.objects.create(**kwargs)


def story_doc(n=1, *, slug="test-story", status="published", title="阿里的大模型之年", marker=""):
    """A valid newsroom.story/1 document with ``n`` sections, quotes, mentions and annotations."""
    entities = [
        {"id": "alibaba", "kind": "organization", "name": "阿里巴巴",
         "aliases": [{"text": "阿里", "lang": "zh-Hant"}, {"text": "Alibaba", "lang": "en"}],
         "description": "中國的科技公司。"},
    ]
    sections, quotes, mentions, annotations = [], [], [], []
    for i in range(1, n + 1):
        person = f"person-{i}"
        entities.append({"id": person, "kind": "person", "name": f"講者{i}號",
                         "roles": [{"title": f"阿里CTO{i}", "organization": "alibaba", "start": "2023"}]})
        text = f"講者{i}號說，“阿里是唯一一家主動宣布大模型開源的大公司{marker}。”"
        sections.append({"number": f"{i:02d}", "heading": f"第{i}節{marker}",
                         "blocks": [{"id": f"p{i}", "type": "paragraph", "text": text},
                                    {"id": f"f{i}", "type": "figure", "alt": "一張圖", "caption": "圖說"}]})
        exact = text[text.index("“") + 1:text.index("”")]
        start = text.index(exact)
        quotes.append({"id": f"q{i}", "anchor": {"block": f"p{i}", "start": start, "end": start + len(exact),
                                                 "exact": exact},
                       "kind": "direct", "speaker": person, "role": f"阿里CTO{i}", "said_on": "2023-10",
                       "attribution": {"block": f"p{i}", "start": 0, "end": 4, "exact": f"講者{i}號"},
                       "status": "verified"})
        mentions.append({"entity": "alibaba", "anchor": {"block": f"p{i}", "start": start, "end": start + 2,
                                                         "exact": "阿里"}, "status": "confirmed"})
        annotations.append({"id": f"a{i}", "anchor": {"block": f"p{i}", "start": start, "end": start + 2,
                                                      "exact": "阿里"},
                            "kind": "context", "body": f"即阿里巴巴集團{marker}", "public": True,
                            "status": "open"})
    return {
        "format": "newsroom.story/1",
        "article": {
            "slug": slug, "title": title + marker, "dek": f"一年回顧{marker}", "language": "zh-Hant",
            "status": status, "publish_at": "2023-11-08T09:00:00+08:00",
            "published_at": "2023-11-08T09:00:00+08:00", "bylines": ["鋅產業"],
            "source": {"name": "鋅產業", "published_on": "2023-11-08"},
            "lede": [{"id": "p0", "type": "paragraph", "text": f"2023年的大模型之戰{marker}。"}],
            "sections": sections,
        },
        "entities": entities, "quotes": quotes, "mentions": mentions, "annotations": annotations,
    }


def make_story(n=1, **kwargs):
    """Import ``story_doc(n, **kwargs)`` and return the working Article."""
    return story_import(doc=story_doc(n, **kwargs)).article


def make_user(role=None, username=None, **kwargs):
    """A staff user in the ``role`` group (the groups come from ``setup_roles``); role None: no group."""
    from django.contrib.auth.models import Group

    if not Group.objects.filter(name="editor").exists():
        call_command("setup_roles", verbosity=0)
    username = username or (role or "nobody").replace("-", "")
    kwargs.setdefault("is_staff", True)
    user = get_user_model().objects.create_user(username=username, password="pw-desk-123", **kwargs)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def story_with_work(slug="test-story", status="draft", owner=None, n=3, **kwargs):
    """A working copy with a suggested quote, a suggested mention and an open flag, plus a revision."""
    doc = story_doc(n, slug=slug, status=status, **kwargs)
    doc["quotes"].append({
        "id": "q99", "anchor": {"block": "p0", "start": 5, "end": 8, "exact": doc["article"]["lede"][0]["text"][5:8]},
        "kind": "fragment", "speaker": "person-1", "status": "suggested"})
    p1 = doc["article"]["sections"][0]["blocks"][0]["text"]
    doc["mentions"].append({"entity": "person-1", "anchor": {"block": "p1", "start": 0, "end": 4, "exact": p1[:4]},
                            "status": "suggested"})
    doc["annotations"].append({"id": "flag-1", "anchor": {"block": "p0", "start": 0, "end": 4,
                                                          "exact": doc["article"]["lede"][0]["text"][:4]},
                               "kind": "flag", "body": "Mojibake here could not be repaired.", "public": False,
                               "status": "open"})
    article = story_import(doc=doc).article
    if owner is not None:
        Article.objects.filter(pk=article.pk).update(owner=owner)
        article.refresh_from_db()
    return article


def deep(doc):
    return copy.deepcopy(doc)


class Buffer:
    """A stdout/stderr stand-in for call_command that keeps what was written."""

    def __init__(self):
        self.text = ""

    def write(self, s):
        self.text += s

    def flush(self):
        pass
