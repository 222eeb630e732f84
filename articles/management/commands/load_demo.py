"""Load the bundled edition of the story and demo accounts, so `make run` shows a working newsroom.

Idempotent: running it twice changes nothing (the story import is idempotent, accounts are kept).
"""

from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from articles.importing.story import StoryFormatError, parse_story
from articles.services import story_import

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
DEMO_PASSWORD = "newsroom-demo"


class Command(BaseCommand):
    help = "Import the bundled story edition(s) from articles/data/ and create demo accounts."

    def add_arguments(self, parser):
        parser.add_argument("--no-users", action="store_true", help="Do not create demo accounts.")

    def handle(self, *args, no_users=False, **options):
        files = sorted(DATA_DIR.glob("*.story.json"))
        if not files:
            raise CommandError(f"No *.story.json file in {DATA_DIR}.")
        for path in files:
            try:
                result = story_import(doc=parse_story(path.read_bytes()))
            except StoryFormatError as exc:
                raise CommandError(f"{path.name}: {exc}") from None
            self.stdout.write(f"{path.name}: {result.action} /stories/{result.slug}/")
        if no_users:
            return
        if not settings.DEBUG:
            self.stdout.write("Not creating demo accounts: DEBUG is off (production).")
            return
        user, created = get_user_model().objects.get_or_create(
            username="editor", defaults={"is_staff": True, "is_superuser": True, "email": "editor@example.org"})
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        self.stdout.write(self.style.SUCCESS(
            f"Admin: http://127.0.0.1:8000/admin/  login: editor / {DEMO_PASSWORD}"))
