"""Build a realistic corpus of N published stories from the seed: `python bench/make_corpus.py N [--seed S]`.

The database is the one settings choose (``DATABASE_URL``; SQLite by default). The seed edition is
imported first (``load_demo``), then N stories are written with bulk inserts (PostgreSQL: COPY;
SQLite: executemany), deterministic for a given --seed:

- text: paragraphs drawn from the seed. A paragraph carrying quotes, mentions or public notes is
  kept verbatim with them (anchors stay exact); the others are recombined from the seed's sentences;
- shape at the seed's density: 2-5 numbered sections, 12-40 paragraphs, a figure in one story of
  three, ~2.3 confirmed mentions and ~0.2 quotes per paragraph as the seed has, its public notes;
- entities shared across stories with a long tail: the seed's three most-mentioned entities keep
  their mentions (阿里巴巴 opens nine stories in ten), the others are mapped, per story, to N/5
  synthetic entities drawn with Zipf weights (a few in many stories, most in one or two);
- each story is a working copy (the article row: what the admin lists) and its live edition with
  all its rows; one story in ten has a revision row.

Ids are assigned here (one round trip per table and batch), so sequences are reset at the end.
"""

import argparse
import bisect
import json
import os
import random
import re
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

BATCH = 5000
SENTENCE_RE = re.compile(r"[^。！？]+[。！？]?")
KEEP_ENTITIES = 3        # the seed's most-mentioned entities keep their mentions in every story
BASE_TIME = datetime(2025, 11, 1, tzinfo=timezone.utc)


def setup():
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from articles.models import Article

    if not Article.objects.public().exists():
        call_command("load_demo", "--no-users", "--no-raw", verbosity=0)


class Writer:
    """Bulk rows per model with ids assigned here; COPY on PostgreSQL, executemany elsewhere."""

    def __init__(self, connection):
        self.connection = connection
        self.pending = {}
        self.next_ids = {}
        self.counts = {}

    def next_id(self, model):
        if model not in self.next_ids:
            from django.db.models import Max

            self.next_ids[model] = (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        value = self.next_ids[model]
        self.next_ids[model] += 1
        return value

    def add(self, model, **values):
        values.setdefault("id", self.next_id(model))
        self.pending.setdefault(model, []).append(values)
        if len(self.pending[model]) >= BATCH:
            self.flush(model)
        return values["id"]

    def columns(self, model):
        return [f for f in model._meta.concrete_fields]

    def flush(self, model=None):
        models = [model] if model else list(self.pending)
        for m in models:
            rows = self.pending.pop(m, [])
            if rows:
                self._write(m, rows)
                self.counts[m.__name__] = self.counts.get(m.__name__, 0) + len(rows)

    def _write(self, model, rows):
        fields = self.columns(model)
        table = self.connection.ops.quote_name(model._meta.db_table)
        names = ", ".join(self.connection.ops.quote_name(f.column) for f in fields)

        def value(field, row):
            if field.attname in row:
                return row[field.attname]
            return field.get_default()

        with self.connection.cursor() as cursor:
            if self.connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row([json.dumps(v, ensure_ascii=False) if f.get_internal_type() == "JSONField"
                                        and v is not None else v for f in fields for v in [value(f, row)]])
            else:
                marks = ", ".join(["%s"] * len(fields))
                cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", [
                    [f.get_db_prep_save(value(f, row), self.connection) for f in fields] for row in rows])

    def reset_sequences(self, models):
        from django.core.management.color import no_style

        with self.connection.cursor() as cursor:
            for sql in self.connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(sql)


def load_seed():
    """The seed's live edition as plain data: paragraphs with their anchored items, sentences, headings."""
    from articles.models import Article

    live = Article.objects.public().for_story_page().order_by("id").first()
    blocks = [b for b in live.blocks.all() if b.kind == "paragraph" and b.text]
    by_block = {b.pk: {"text": b.text, "quotes": [], "mentions": [], "notes": []} for b in blocks}
    for q in live.quotes.all():
        if q.block_id in by_block:
            by_block[q.block_id]["quotes"].append(q)
    for m in live.mentions.all():
        if m.block_id in by_block:
            by_block[m.block_id]["mentions"].append(m)
    for n in live.public_annotations:
        if n.block_id in by_block:
            by_block[n.block_id]["notes"].append(n)
    paragraphs = [by_block[b.pk] for b in blocks]
    counts = {}
    for m in live.mentions.all():
        counts[m.entity_id] = counts.get(m.entity_id, 0) + 1
    kept = {e for e, _ in sorted(counts.items(), key=lambda kv: -kv[1])[:KEEP_ENTITIES]}
    top = max(counts, key=counts.get)
    sentences = [s for p in paragraphs for s in SENTENCE_RE.findall(p["text"]) if len(s) > 4]
    headings = [s.heading for s in live.sections.all()]
    return live, paragraphs, sentences, headings, kept, top


def make_entities(writer, rng, count, sentences, now):
    """``count`` synthetic entities (names from seed characters) and their Zipf cumulative weights."""
    from entities.models import Alias, Entity
    from newsroom.text import search_tokens

    han = [c for s in sentences for c in s if "\u4e00" <= c <= "\u9fff"]
    kinds = ["person"] * 5 + ["organization"] * 3 + ["product"] * 2 + ["event", "place", "concept"]
    entities = []
    for i in range(count):
        name = "".join(rng.choice(han) for _ in range(rng.randint(2, 4))) + f"{i}"
        kind = rng.choice(kinds)
        description = rng.choice(sentences) if rng.random() < 0.5 else ""
        pk = writer.add(Entity, kind=kind, name=name, slug=f"corpus-{i}", description=description,
                        wikidata="", url="", search_tokens=search_tokens(name, description),
                        created_at=now, modified_at=now)
        if rng.random() < 0.2:
            writer.add(Alias, entity_id=pk, text=f"{name}別名", lang="zh-Hant", slug=f"corpus-{i}-alias",
                       modified_at=now)
        entities.append((pk, kind, name))
    weights, total = [], 0.0
    for rank in range(1, count + 1):
        total += 1.0 / rank
        weights.append(total)
    return entities, weights


def build(n, seed):
    from django.db import connection, transaction

    from articles.models import Annotation, Article, Block, Mention, Quote, Revision, Section, StoryEntity
    from entities.models import Alias, Entity
    from newsroom.text import search_tokens

    rng = random.Random(seed)
    live_seed, paragraphs, sentences, headings, kept, top = load_seed()
    anchored = [p for p in paragraphs if p["quotes"] or p["mentions"] or p["notes"]]
    openers = [p for p in paragraphs if any(m.entity_id == top for m in p["mentions"])]
    seed_entities = {e.pk: e for e in Entity.objects.all()}
    writer = Writer(connection)
    now = datetime.now(timezone.utc)
    started = time.perf_counter()
    with transaction.atomic():
        synthetic, weights = make_entities(writer, rng, max(200, n // 5), sentences, now)
        people = [e for e in synthetic if e[1] == "person"]

        def zipf(pool, cumulative):
            return pool[min(bisect.bisect(cumulative, rng.random() * cumulative[-1]), len(pool) - 1)]

        person_weights, total = [], 0.0
        for rank in range(1, len(people) + 1):
            total += 1.0 / rank
            person_weights.append(total)
        names = {pk: name for pk, _, name in synthetic}
        names.update((pk, e.name) for pk, e in seed_entities.items())
        for i in range(n):
            slug = f"corpus-{i:06d}"
            title = rng.choice(headings) + "：" + rng.choice(sentences)[:24].rstrip("，。、")
            dek = rng.choice(sentences)
            published = BASE_TIME - timedelta(minutes=7 * i + rng.randint(0, 6))
            # Ids first: the article rows are written once their search tokens are known.
            working, live = writer.next_id(Article), writer.next_id(Article)
            mapping = {}

            def entity_for(seed_id, people_only=False):
                if seed_id in kept and not people_only:
                    return seed_id
                if seed_id not in mapping:
                    if rng.random() < 0.3:
                        mapping[seed_id] = seed_id
                    else:
                        pool, cum = (people, person_weights) if people_only else (synthetic, weights)
                        mapping[seed_id] = zipf(pool, cum)[0]
                return mapping[seed_id]

            count = rng.randint(12, 40)
            chosen = [rng.choice(openers)] if rng.random() < 0.9 else []
            while len(chosen) < count:
                if rng.random() < 0.55:
                    chosen.append(rng.choice(anchored))
                else:
                    chosen.append({"text": "".join(rng.choice(sentences) for _ in range(rng.randint(1, 4))),
                                   "quotes": [], "mentions": [], "notes": []})
            n_sections = rng.randint(2, 5)
            section_ids = [writer.add(Section, article_id=live, number=f"{s + 1:02d}", heading=rng.choice(headings),
                                      position=s + 1) for s in range(n_sections)]
            lede = rng.randint(1, 2)
            per_section = max(1, (count - lede) // n_sections)
            texts, listed = [title, dek], []
            position, key = 0, {"q": 0, "m": 0}
            for index, para in enumerate(chosen):
                section = None if index < lede else section_ids[min((index - lede) // per_section, n_sections - 1)]
                position += 1
                block = writer.add(Block, article_id=live, section_id=section, position=position, key=f"p{position}",
                                   kind="paragraph", text=para["text"])
                texts.append(para["text"])
                for m in para["mentions"]:
                    entity = entity_for(m.entity_id)
                    key["m"] += 1
                    writer.add(Mention, article_id=live, block_id=block, start=m.start, end=m.end, exact=m.exact,
                               modified_at=published, key=f"m{key['m']}", entity_id=entity, status="confirmed")
                    listed.append(entity)
                for q in para["quotes"]:
                    speaker = entity_for(q.speaker_id, people_only=True) if q.speaker_id else None
                    key["q"] += 1
                    same = q.attribution_block_id == q.block_id
                    speaker_name = names.get(speaker, "")
                    writer.add(Quote, article_id=live, block_id=block, start=q.start, end=q.end, exact=q.exact,
                               modified_at=published, key=f"q{key['q']}", kind=q.kind, speaker_id=speaker,
                               role=q.role, said_on=q.said_on, event_id=None,
                               attribution_block_id=block if same else None,
                               attribution_start=q.attribution_start if same else None,
                               attribution_end=q.attribution_end if same else None,
                               attribution_exact=q.attribution_exact if same else "",
                               status=q.status, note="", search_tokens=search_tokens(q.exact, speaker_name, q.role))
                    if speaker:
                        listed.append(speaker)
                for note in para["notes"]:
                    writer.add(Annotation, article_id=live, block_id=block, start=note.start, end=note.end,
                               exact=note.exact, modified_at=published, key=f"{note.key}-{position}",
                               kind=note.kind, body=note.body, public=True, status=note.status,
                               created_at=published)
                if index == lede and rng.random() < 0.33:
                    position += 1
                    writer.add(Block, article_id=live, section_id=section, position=position, key=f"f{position}",
                               kind="figure", image=f"/media/corpus/{i % 500}.jpg", alt="示意圖", caption=dek[:40],
                               credit="攝影：Newsroom")
            for entity in dict.fromkeys(listed):
                writer.add(StoryEntity, article_id=live, entity_id=entity)
            common = dict(slug=slug, title=title, dek=dek, language="zh-Hant", bylines=["Newsroom 記者"],
                          status="published", publish_at=published, published_at=published, created_at=published,
                          modified_at=published, search_tokens=search_tokens(*texts))
            writer.add(Article, id=working, edition="working", **common)
            writer.add(Article, id=live, edition="live", working_copy_id=working, **common)
            if i % 10 == 0:
                writer.add(Revision, article_id=working, number=1, created_at=published, action="import",
                           snapshot={"article": {"slug": slug, "title": title, "dek": dek},
                                 "paragraphs": texts[2:]})
            if (i + 1) % 10000 == 0:
                print(f"  {i + 1} stories, {time.perf_counter() - started:.0f} s", flush=True)
        writer.flush()
        writer.reset_sequences([Article, Section, Block, Quote, Mention, Annotation, StoryEntity, Revision,
                                Entity, Alias])
    return writer.counts, time.perf_counter() - started


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="number of stories to add")
    parser.add_argument("--seed", type=int, default=1, help="random seed (same seed, same corpus)")
    args = parser.parse_args(argv)
    setup()
    counts, seconds = build(args.n, args.seed)
    print(json.dumps({"stories": args.n, "seconds": round(seconds, 1), "rows": counts}, ensure_ascii=False))


if __name__ == "__main__":
    main()
