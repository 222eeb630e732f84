"""Import stories: newsroom.story/1 JSON files (and raw scraped text, see importing/raw.py).

Each file is atomic: a file that fails writes nothing and the others go on. Importing the same
file again changes nothing; a newer version of a story updates it in place.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from articles.importing.story import StoryFormatError, parse_story
from articles.services import story_import


def collect_files(paths):
    """Expand directories into the files they hold (sorted); keep files as given."""
    files = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            files += sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
        elif path.exists():
            files.append(path)
        else:
            raise CommandError(f"{name}: no such file or directory")
    return files


class Command(BaseCommand):
    help = "Import story files (newsroom.story/1 JSON) or directories of them."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="FILE_OR_DIR")
        parser.add_argument("--dry-run", action="store_true", help="Report what would change; write nothing.")

    def handle(self, *args, paths, dry_run=False, **options):
        files = collect_files(paths)
        verbosity = options["verbosity"]
        counts = {"created": 0, "updated": 0, "unchanged": 0, "failed": 0}
        for path in self.progress(files, verbosity):
            try:
                result = story_import(doc=parse_story(path.read_bytes()), dry_run=dry_run)
            except StoryFormatError as exc:
                counts["failed"] += 1
                self.stderr.write(self.style.ERROR(f"{path}: {exc}"))
                continue
            counts[result.action] += 1
            if verbosity >= 1:
                verb = {"created": "would create", "updated": "would update", "unchanged": "unchanged"}[
                    result.action] if dry_run else result.action
                self.stdout.write(f"{path}: {verb} {result.slug}")
                for line in result.changes:
                    self.stdout.write(f"  {line}")
        summary = ", ".join(f"{n} {k}" for k, n in counts.items())
        if dry_run:
            summary += " (dry run: nothing written)"
        if counts["failed"]:
            raise CommandError(f"{summary}. {counts['failed']} file(s) failed; nothing of them was written.")
        if verbosity >= 1:
            self.stdout.write(self.style.SUCCESS(summary))

    def progress(self, files, verbosity):
        if len(files) > 1 and verbosity >= 1:
            from tqdm import tqdm

            return tqdm(files, desc="Importing", unit="file", file=self.stderr._out)
        return files
