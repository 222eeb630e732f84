"""Write a story in the newsroom.story/1 format: to back it up, move it, or check a round trip."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from articles.importing.story import dumps
from articles.services import export_story
from articles.models import Article


class Command(BaseCommand):
    help = "Export a story (its working copy, or --live edition) as newsroom.story/1 JSON."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("-o", "--output", help="File to write (default: standard output).")
        parser.add_argument("--live", action="store_true", help="Export the live edition readers see.")

    def handle(self, *args, slug, output=None, live=False, **options):
        editions = Article.objects.live() if live else Article.objects.working()
        article = editions.filter(slug=slug).first()
        if article is None:
            raise CommandError(f"No {'live edition' if live else 'story'} with the slug {slug!r}.")
        text = dumps(export_story(article))
        if output:
            Path(output).write_text(text, encoding="utf-8")
            if options["verbosity"] >= 1:
                self.stderr.write(self.style.SUCCESS(f"Wrote {slug} to {output}"))
        else:
            self.stdout.write(text, ending="")
