"""Readers never see unpublished content, on any surface (reliability note, DL1–DL11).

Canary text is planted in every field of every kind of unpublished content: a draft, a story in
review, a story scheduled for later, an archived story, a story published then withdrawn, and the
unpublished edits of a published story; plus an entity and a speaker named only in a draft. Every
public URL is then fetched (traditional and simplified editions, feeds, sitemap, search for each
canary) and searched for every canary, in the body and the headers.
"""

from datetime import timedelta

from django.test import TestCase
from django.utils import timezone

from articles.models import Annotation, Article, Block, Quote, Section
from articles.services import article_publish, article_unpublish, block_save, story_import
from tests.factories import story_doc

# Searched for by their prefix (a Latin word matches as a prefix), so that the search page's echo
# of the query is not mistaken for a leak.
CANARIES = {
    "draft": "DRAFTCANARY1",
    "in_review": "REVIEWCANARY2",
    "future": "FUTURECANARY3",
    "archived": "ARCHIVEDCANARY4",
    "withdrawn": "WITHDRAWNCANARY5",
    "pending": "PENDINGCANARY6",
    "secret_entity": "ENTITYCANARY7",
}


def canary_doc(marker, *, slug, status="published"):
    """A story with ``marker`` in every field readers could see, and an entity and speaker of its own."""
    doc = story_doc(2, slug=slug, status=status, marker=marker)
    low = marker.lower()
    doc["article"]["bylines"] = [f"記者{marker}"]
    doc["article"]["source"] = {"name": f"來源{marker}", "url": f"https://example.org/{low}",
                                "published_on": "2023-11-08"}
    own = f"{low}-speaker"
    doc["entities"].append({"id": own, "kind": "person", "name": f"講者{marker}",
                            "aliases": [{"text": f"別名{marker}", "lang": "zh-Hant"}],
                            "description": f"描述{marker}"})
    doc["article"]["sections"][0]["blocks"].append(
        {"id": "pc", "type": "paragraph", "text": f"講者{marker}說，“秘密{marker}。”"})
    text = f"講者{marker}說，“秘密{marker}。”"
    exact = f"秘密{marker}。"
    start = text.index(exact)
    doc["quotes"].append({"id": "qc", "anchor": {"block": "pc", "start": start, "end": start + len(exact),
                                                 "exact": exact},
                          "kind": "direct", "speaker": own, "role": f"職稱{marker}", "status": "verified",
                          "note": f"備註{marker}"})
    doc["mentions"].append({"entity": own, "anchor": {"block": "pc", "start": 0, "end": 2 + len(marker),
                                                      "exact": f"講者{marker}"}, "status": "confirmed"})
    doc["annotations"].append({"id": "cc", "anchor": {"block": "pc", "start": 0, "end": 2, "exact": "講者"},
                               "kind": "correction", "body": f"更正{marker}", "public": True,
                               "status": "resolved"})
    doc["article"]["sections"][1]["blocks"][1].update(image=f"/media/{low}.jpg", alt=f"圖{marker}",
                                                     caption=f"圖說{marker}", credit=f"攝影{marker}")
    return doc


class LeakTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        now = timezone.now()
        # What readers may see: one published story sharing entities with every unpublished one.
        story_import(doc=story_doc(2, slug="public-story", title="公開的報導"))

        story_import(doc=canary_doc(CANARIES["draft"], slug="draft-story", status="draft"))
        story_import(doc=canary_doc(CANARIES["in_review"], slug="review-story", status="in_review"))
        archived = canary_doc(CANARIES["archived"], slug="archived-story", status="archived")
        story_import(doc=archived)

        future = story_import(doc=canary_doc(CANARIES["future"], slug="future-story", status="draft")).article
        future.publish_at = now + timedelta(days=2)
        future.save()
        article_publish(article=future)

        withdrawn = story_import(doc=canary_doc(CANARIES["withdrawn"], slug="withdrawn-story")).article
        article_unpublish(article=withdrawn)

        # A published story whose working copy then gets edits nobody published.
        pending = story_import(doc=story_doc(2, slug="pending-story", title="已發布的報導")).article
        marker = CANARIES["pending"]
        pending.title = f"改過的標題{marker}"
        pending.dek = f"改過的導言{marker}"
        pending.save()
        block = Block.objects.get(article=pending, key="p1")
        block.text = block.text.replace("阿里", f"某{marker}", 1)
        block_save(block=block)
        Section.objects.filter(article=pending).update(heading=f"新小標{marker}")
        Quote.objects.filter(article=pending).update(role=f"新職稱{marker}")
        Annotation.objects.filter(article=pending).update(body=f"新註{marker}")

        # An entity named only in a draft, with every field carrying a canary.
        secret = story_doc(1, slug="secret-entity-story", status="draft")
        marker = CANARIES["secret_entity"]
        secret["entities"].append({"id": "secret-co", "kind": "organization", "name": f"秘密公司{marker}",
                                   "aliases": [{"text": f"秘{marker}", "lang": "zh-Hant"}],
                                   "description": f"描述{marker}", "wikidata": "Q999999999",
                                   "relations": [{"predicate": "acquired", "object": "alibaba"}]})
        secret["article"]["lede"][0]["text"] = f"秘密公司{marker}收購了阿里。"
        secret["mentions"].append({"entity": "secret-co", "anchor": {"block": "p0", "start": 0,
                                                                       "end": 4 + len(marker),
                                                                       "exact": f"秘密公司{marker}"},
                                   "status": "confirmed"})
        story_import(doc=secret)

    def public_urls(self):
        urls = ["/", "/?page=2", "/entities/", "/quotes/", "/feeds/stories.rss", "/feeds/stories.atom",
                "/sitemap.xml", "/robots.txt", "/stories/public-story/", "/stories/pending-story/",
                "/entities/alibaba/", "/entities/person-1/", "/entities/person-2/", "/entities/alibaba/feed.rss",
                "/entities/person-1/feed.rss", "/quotes/?speaker=person-1", "/quotes/?year=2023",
                "/entities/?kind=person", "/entities/?kind=organization", "/entities/?initial=J",
                "/entities/?initial=M", "/entities/?text=秘密"]
        for marker in CANARIES.values():
            prefix = marker[:-1]
            urls += [f"/search/?q={prefix}", f"/search/?q={prefix.lower()}", f"/entities/?text={prefix}"]
        urls += ["/search/?q=秘密", "/search/?q=講者", "/search/?q=改過的標題", "/search/?q=新小標",
                 "/search/?q=某"]
        return urls + ["/zh-hans" + u for u in urls if not u.startswith(("/sitemap", "/robots"))]

    def assert_no_canary(self, response, url):
        text = response.content.decode() + repr(sorted(response.headers.items()))
        for marker in CANARIES.values():
            assert marker not in text and marker.lower() not in text, f"{marker} leaked on {url}"

    def test_no_canary_on_any_public_surface(self):
        for url in self.public_urls():
            response = self.client.get(url)
            assert response.status_code == 200, url
            self.assert_no_canary(response, url)

    def test_unpublished_stories_answer_404_like_a_missing_page(self):
        missing = self.client.get("/stories/never-existed/")
        for slug in ("draft-story", "review-story", "archived-story", "future-story", "withdrawn-story",
                     "secret-entity-story"):
            for prefix in ("", "/zh-hans"):
                response = self.client.get(f"{prefix}/stories/{slug}/")
                assert response.status_code == 404, slug
                self.assert_no_canary(response, slug)
            assert self.client.get(f"/stories/{slug}/").content == missing.content

    def test_entities_named_only_in_unpublished_stories_have_no_page_or_feed(self):
        for slug in ("secret-co", "draftcanary1-speaker", "futurecanary3-speaker", "withdrawncanary5-speaker",
                     "archivedcanary4-speaker", "reviewcanary2-speaker"):
            assert self.client.get(f"/entities/{slug}/").status_code == 404, slug
            assert self.client.get(f"/entities/{slug}/feed.rss").status_code == 404, slug

    def test_logged_in_staff_see_the_same_public_pages(self):
        from django.contrib.auth import get_user_model

        editor = get_user_model().objects.create_superuser("editor", "e@example.org", "pw")
        self.client.force_login(editor)
        assert self.client.get("/stories/draft-story/").status_code == 404
        for url in ("/", "/search/?q=DRAFTCANARY", "/entities/alibaba/"):
            self.assert_no_canary(self.client.get(url), url)

    def test_counts_only_count_what_is_published(self):
        home = self.client.get("/").content.decode()
        assert home.count('class="story-card"') == 2  # public-story, pending-story
        assert "共 4 則" in self.client.get("/quotes/").content.decode()
        entities = self.client.get("/entities/").content.decode()
        assert "共 3 項" in entities  # alibaba, person-1, person-2
        alibaba = self.client.get("/entities/alibaba/").content.decode()
        assert alibaba.count('class="mentioning-story"') == 2

    def test_pending_edits_show_the_published_version(self):
        html = self.client.get("/stories/pending-story/").content.decode()
        assert "已發布的報導" in html and "第1節" in html and "阿里CTO1" in html

    def test_scheduled_story_appears_when_due_and_withdrawal_is_immediate(self):
        later = timezone.now() + timedelta(days=3)
        assert Article.objects.public(now=later).filter(slug="future-story").exists()
        public = Article.objects.working().get(slug="public-story")
        assert self.client.get("/stories/public-story/").status_code == 200
        assert "公開的報導" in self.client.get("/feeds/stories.rss").content.decode()
        article_unpublish(article=public)
        assert self.client.get("/stories/public-story/").status_code == 404
        for url in ("/", "/feeds/stories.rss", "/sitemap.xml"):
            assert "公開的報導" not in self.client.get(url).content.decode(), url
        assert "/stories/public-story/" not in self.client.get("/search/?q=公開的報導").content.decode()

    def test_the_canary_check_would_catch_a_leak(self):
        """Control: the same content, published, shows on the surfaces checked above."""
        story_import(doc=canary_doc("LIVECANARY9", slug="live-canary-story"))
        for url in ("/", "/stories/live-canary-story/", "/search/?q=LIVECANARY", "/entities/livecanary9-speaker/",
                    "/feeds/stories.rss", "/sitemap.xml", "/zh-hans/search/?q=livecanary"):
            text = self.client.get(url).content.decode()
            assert "LIVECANARY9" in text or "livecanary9" in text, url
