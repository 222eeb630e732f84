"""Import stories: newsroom.story/1 JSON files, and raw scraped text (cleaned, with suggestions).

Each file is atomic: a file that fails writes nothing and the others go on; the exit status is
non-zero when any failed. Importing the same file again changes nothing; a newer version of a
story updates it in place. A story file never silently replaces a story editors changed since its
last import: that file fails with a message naming the story, and ``--replace`` overrides on
purpose (the story's revisions keep the editors' version). Raw re-imports merge the editors' work.
"""

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, transaction

from articles.importing.story import StoryFormatError, decode_utf8, parse_story
from articles.services import PublishBlocked, article_publish, gate_check, raw_import, story_import
from articles.services.importing import KnowledgeBase


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


def detect_format(text):
    """'story' for JSON (an object), 'raw' for anything else."""
    return "story" if text.lstrip("\ufeff \t\r\n").startswith("{") else "raw"


class Command(BaseCommand):
    help = "Import story files (newsroom.story/1 JSON or raw scraped text), or directories of them."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="FILE_OR_DIR")
        parser.add_argument("--format", choices=["raw", "story"], help="Default: detected from each file's content.")
        parser.add_argument("--dry-run", action="store_true", help="Report what would change; write nothing.")
        parser.add_argument("--publish", action="store_true", help="Publish raw imports (they are drafts otherwise).")
        parser.add_argument("--replace", action="store_true",
                            help="Replace a story editors changed since its last import, or (raw text with "
                                 "--slug) rewrite a published story's working copy; its revisions keep their "
                                 "version.")
        raw = parser.add_argument_group("raw text")
        raw.add_argument("--title", help="Headline (default: the file's title line, if it has one).")
        raw.add_argument("--slug", help="URL slug (default: pinyin of the title, or the source name).")
        raw.add_argument("--source-name", help="The outlet that first ran it, e.g. 鋅產業.")
        raw.add_argument("--source-url")
        raw.add_argument("--published-on", metavar="YYYY-MM-DD",
                         help="The source's date; resolves relative dates such as 今年4月 and 上周.")
        raw.add_argument("--keep-punctuation", action="store_true",
                         help="Do not turn ASCII punctuation between Chinese characters into full width.")

    knowledge = None

    def handle(self, *args, paths, **options):
        files = collect_files(paths)
        if len(files) > 1 and (options["title"] or options["slug"]):
            raise CommandError("--title and --slug name one story; give one file with them.")
        verbosity = options["verbosity"]
        counts = {"created": 0, "updated": 0, "unchanged": 0, "failed": 0}
        flags = 0
        for path in self.progress(files, verbosity):
            try:
                result = self.import_file(path, options)
            except (StoryFormatError, ValidationError, DatabaseError, PublishBlocked) as exc:
                # One bad file never stops a directory import: name the fault, go on with the next.
                counts["failed"] += 1
                if isinstance(exc, ValidationError):
                    message = "; ".join(exc.messages)
                elif isinstance(exc, PublishBlocked):
                    issues = exc.gate.blocking
                    message = (f"{exc.message} " + "; ".join(i.message for i in issues[:5])
                               + (f"; … {len(issues) - 5} more" if len(issues) > 5 else "")
                               + ". Import it without --publish and clear them in the desk.")
                else:
                    message = str(exc)
                self.stderr.write(self.style.ERROR(f"{path}: {message}"))
                continue
            counts[result.action] += 1
            flags += result.flags
            if verbosity >= 1:
                verb = {"created": "would create", "updated": "would update"}.get(result.action, result.action) \
                    if options["dry_run"] else result.action
                self.stdout.write(f"{path}: {verb} {result.slug}" + (f" ({result.flags} flags)" if result.flags else ""))
                for line in result.changes:
                    self.stdout.write(f"  {line}")
        summary = ", ".join(f"{n} {k}" for k, n in counts.items()) + f", {flags} flags raised"
        if options["dry_run"]:
            summary += " (dry run: nothing written)"
        if counts["failed"]:
            raise CommandError(f"{summary}. {counts['failed']} file(s) failed; nothing of them was written.")
        if verbosity >= 1:
            self.stdout.write(self.style.SUCCESS(summary))

    def import_file(self, path, options):
        size, limit = path.stat().st_size, settings.IMPORT_MAX_BYTES
        if size > limit:  # refused before reading: a huge file must not cost minutes and gigabytes
            raise StoryFormatError(f"{size:,} bytes; the most an import takes is {limit:,} (IMPORT_MAX_MB)")
        raw = path.read_bytes()
        text = decode_utf8(raw)
        # A .json file is a story file: "[1, 2, 3]" must fail as one, not become a raw draft.
        fmt = options["format"] or ("story" if path.suffix.lower() == ".json" else detect_format(text))
        if fmt == "story":
            doc = parse_story(text)  # parsed outside the transaction: no write lock held meanwhile
            with transaction.atomic():
                result = story_import(doc=doc, dry_run=options["dry_run"], replace=options["replace"])
                if options["publish"] and not options["dry_run"]:
                    gate_check(article=result.article, confirm=True)  # the publish gate: a command never overrides
                    article_publish(article=result.article)
                    result.changes.append("published")
            return result
        from articles.importing.raw import RawOptions  # loads the cleaner (pypinyin, OpenCC) only when needed

        raw_options = RawOptions(
            title=options["title"], slug=options["slug"], source_name=options["source_name"],
            source_url=options["source_url"], published_on=options["published_on"],
            restore_punctuation=not options["keep_punctuation"],
        )
        if self.knowledge is None:  # read once per run: every raw file is matched against all of it
            self.knowledge = KnowledgeBase()
        return raw_import(text=text, options=raw_options, dry_run=options["dry_run"], publish=options["publish"],
                          replace=options["replace"], knowledge=self.knowledge)

    def progress(self, files, verbosity):
        if len(files) > 1 and verbosity >= 1:
            from tqdm import tqdm

            return tqdm(files, desc="Importing", unit="file", file=self.stderr._out)
        return files
