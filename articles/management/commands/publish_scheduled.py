"""Stamp scheduled stories whose time has come as published, and log each in the story's history.

Readers see a scheduled story from its publish_at on whether this runs or not (every public query
checks publish_at); this command records the fact: status, published_at, a Transition and a
revision. Run it from cron as often as you like; it is idempotent. The publish gate applies: a
story with blocking issues nobody overrode is held (back to draft) and reported.
"""

from django.core.management.base import BaseCommand

from articles.services import articles_publish_due


class Command(BaseCommand):
    help = "Mark scheduled stories past their publish_at as published (and log the transition)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List the stories; change nothing.")

    def handle(self, *args, dry_run=False, verbosity=1, **options):
        done = articles_publish_due(dry_run=dry_run)
        for article in done:
            if verbosity >= 1:
                verb = "would publish" if dry_run else "published"
                self.stdout.write(f"{verb} {article.slug} (publish_at {article.publish_at:%Y-%m-%d %H:%M %Z})")
        for article in done.held:
            verb = "would hold" if dry_run else "held"
            self.stderr.write(self.style.WARNING(
                f"{verb} {article.slug}: blocking issues and no editor's override (the publish gate); "
                f"{'it would go' if dry_run else 'it is back'} to draft."))
        if verbosity >= 1:
            self.stdout.write(self.style.SUCCESS(f"{len(done)} scheduled stor{'y' if len(done) == 1 else 'ies'} "
                                                 f"{'due' if dry_run else 'stamped'}."))
