"""Load the bundled edition of the story, the raw scraped text as a draft to annotate, the desk roles
and a demo account per role, so `make run` shows a working newsroom.

Creates the demo stories only when they are missing: a story that exists is left as it is (editors
may have annotated and published it; `make run` runs this at every start), and it says so.
``--reset`` replaces them with the bundled versions on purpose: the edition keeps its revisions
(the editors' version stays in its history), the raw draft is deleted and imported afresh.
Accounts are kept.
"""

from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from articles.importing.story import StoryFormatError, decode_utf8, parse_story
from articles.management.commands.setup_roles import setup_roles
from articles.models import Article
from articles.services import raw_import, story_import

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
DEMO_PASSWORD = "newsroom-demo"
RAW_FILE, RAW_SLUG, RAW_TITLE = "alibaba-ai-2023.zh-Hant.txt", "alibaba-ai-2023-raw", "原稿：阿里的大模型之年"
# One login per desk role; `editor` is also a superuser (it was the only demo login before the roles).
DEMO_USERS = (("editor", "editor", True), ("reporter", "reporter", False), ("factchecker", "fact-checker", False))


class Command(BaseCommand):
    help = "Import the bundled story edition(s) from articles/data/, set up the roles and create demo accounts."

    def add_arguments(self, parser):
        parser.add_argument("--no-users", action="store_true", help="Do not create demo accounts.")
        parser.add_argument("--no-raw", action="store_true",
                            help="Do not import the raw scraped text as a draft to annotate.")
        parser.add_argument("--reset", action="store_true",
                            help="Replace the demo stories that exist with the bundled versions: the edition "
                                 "keeps its revisions, the raw draft is deleted and imported afresh.")
        parser.add_argument("--url", default="http://127.0.0.1:8000",
                            help="Where the server runs, for the admin address printed at the end "
                                 "(`make demo` passes http://$(HOST):$(PORT)).")

    def kept(self, name, slug):
        article = Article.objects.working().filter(slug=slug).first()
        if article is not None:
            self.stdout.write(f"{name}: kept {slug} as it is (it exists; --reset replaces it)")
        return article

    def import_raw_draft(self, reset=False):
        """The seed's raw text, imported as a draft full of suggestions and flags for the desk."""
        from articles.importing.raw import RawOptions

        path = DATA_DIR / RAW_FILE
        if not path.exists():
            return None
        if not reset and (existing := self.kept(path.name, RAW_SLUG)) is not None:
            return existing
        if reset:
            Article.objects.working().filter(slug=RAW_SLUG).delete()  # a fresh draft, not a merge
        options = RawOptions(title=RAW_TITLE, slug=RAW_SLUG, source_name="鋅產業", published_on="2023-11-08")
        result = raw_import(text=decode_utf8(path.read_bytes()), options=options)
        self.stdout.write(f"{path.name}: {result.action} draft {result.slug} (annotate it in the desk)")
        return result.article

    def handle(self, *args, no_users=False, no_raw=False, reset=False, url="http://127.0.0.1:8000", **options):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise CommandError(_("--url %(url)r: give the server's address as http://HOST:PORT.") % {"url": url})
        files = sorted(DATA_DIR.glob("*.story.json"))
        if not files:
            raise CommandError(f"No *.story.json file in {DATA_DIR}.")
        for path in files:
            try:
                doc = parse_story(path.read_bytes())
                slug = doc.get("article", {}).get("slug") if isinstance(doc, dict) else None
                if not reset and slug and self.kept(path.name, slug) is not None:
                    continue
                result = story_import(doc=doc, replace=reset)
            except StoryFormatError as exc:
                raise CommandError(f"{path.name}: {exc}") from None
            self.stdout.write(f"{path.name}: {result.action} /stories/{result.slug}/")
        setup_roles()
        raw = self.import_raw_draft(reset) if not no_raw else None
        if no_users:
            return
        if not settings.DEBUG:
            self.stdout.write("Not creating demo accounts: DEBUG is off (production).")
            return
        User = get_user_model()
        lines = []
        for username, group, superuser in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={"is_staff": True, "is_superuser": superuser, "email": f"{username}@example.org"})
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            user.groups.add(Group.objects.get(name=group))
            if group == "reporter" and raw is not None and raw.owner_id is None:
                Article.objects.filter(pk=raw.pk).update(owner=user)  # the reporter's own draft
            lines.append(f"  {group:<13} {username} / {DEMO_PASSWORD}" + (" (superuser)" if superuser else ""))
        admin = url.rstrip("/") + "/admin/"
        self.stdout.write(self.style.SUCCESS(
            _("Admin: %(admin)s  logins (user / password):") % {"admin": admin} + "\n" + "\n".join(lines)))
