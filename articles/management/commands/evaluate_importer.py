"""Measure the raw importer on a development set of real text (tests/data/realworld by default).

Each ``NN-name.txt`` is imported raw in a throwaway transaction (rolled back: nothing is kept),
exported back to a story document and scored against ``NN-name.json`` (see
``articles.importing.evaluation``). Prints the table of figures and the misses, one per line, and
writes the figures to ``bench/importer.json`` (``--write``), or fails when a figure fell below the
recorded one (``--check``: the ratchet CI runs).
"""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

DEFAULT_DIR = Path(settings.BASE_DIR) / "tests" / "data" / "realworld"
BENCH = Path(settings.BASE_DIR) / "bench" / "importer.json"


def evaluate(directory, *, kb="empty"):
    """Import and score every excerpt in ``directory``; returns (figures, misses)."""
    from articles.importing.evaluation import score_story, summarize
    from articles.importing.raw import RawOptions, raw_to_doc
    from articles.services import export_story
    from articles.services import story_import

    known = {} if kb == "empty" else _knowledge_base()
    scores = []
    for path in sorted(Path(directory).glob("*.txt")):
        gold_path = path.with_suffix(".json")
        if not gold_path.exists():
            raise CommandError(f"{path.name}: no {gold_path.name} beside it")
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        text = path.read_text(encoding="utf-8")
        options = RawOptions(slug=f"eval-{path.stem}"[:100], source_url=gold.get("source"))
        with transaction.atomic():
            doc = raw_to_doc(text, options=options, known_entities=known)
            result = story_import(doc=doc, sync_live=False)
            stored = export_story(result.article)  # what was really written, read back
            transaction.set_rollback(True)
        scores.append(score_story(path.stem, stored, gold))
    if not scores:
        raise CommandError(f"no .txt excerpts in {directory}")
    return summarize(scores), [m for s in scores for m in s.misses]


def _knowledge_base():
    from articles.importing.story import canonical, entity_to_doc
    from entities.models import Entity

    kb = list(Entity.objects.prefetch_related("aliases", "roles__organization", "relations_out__object"))
    slugs = {e.slug for e in kb}
    return {e.slug: canonical(entity_to_doc(e, slugs)) for e in kb}


class Command(BaseCommand):
    help = "Import each excerpt of a development set raw (rolled back) and score it against its gold reading."

    def add_arguments(self, parser):
        parser.add_argument("directory", nargs="?", default=str(DEFAULT_DIR))
        parser.add_argument("--kb", choices=["empty", "db"], default="empty",
                            help="knowledge base: none (default, reproducible) or this database's entities")
        parser.add_argument("--write", action="store_true", help=f"record the figures in {BENCH.relative_to(settings.BASE_DIR)}")
        parser.add_argument("--check", action="store_true", help="fail when a figure is worse than the recorded one")

    def handle(self, *args, directory, kb, write, check, **options):
        from articles.importing.evaluation import regressions, table

        figures, misses = evaluate(directory, kb=kb)
        for line in table(figures):
            self.stdout.write(line)
        if misses:
            self.stdout.write("")
            self.stdout.write(f"Misses ({len(misses)}):")
            for line in misses:
                self.stdout.write(f"  {line}")
        if check:
            recorded = json.loads(BENCH.read_text(encoding="utf-8"))["figures"] if BENCH.exists() else {}
            worse = regressions(figures, recorded)
            if worse:
                raise CommandError("figures fell below the recorded ones: " + "; ".join(worse))
        if write:
            BENCH.parent.mkdir(exist_ok=True)
            BENCH.write_text(json.dumps({"set": "tests/data/realworld", "kb": kb, "figures": figures},
                                        ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
            self.stdout.write(f"wrote {BENCH}")
