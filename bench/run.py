"""The benchmark suite (`make bench`): one table, and bench/results.json. Not tests; figures only.

    python bench/run.py [--stories N] [--database-url URL] [--seconds S] [--smoke]

The database is ``--database-url`` (default: a fresh SQLite file in a temporary folder). It is
filled to N stories with ``bench/make_corpus.py`` when it holds fewer (build a large PostgreSQL
corpus once, ahead of time: it is kept). Then:

1. in process (Django test client): queries and render time of the seed story page with the page
   cache empty, the hottest entity page and search (p95), imports, publish, admin and desk pages,
   revision size;
2. under load, when Debian's ``wrk`` is installed: gunicorn (2 sync workers) serving the seed
   story from the page cache, stories not yet cached, and a static file of the same size through
   whitenoise in the same server, taken in the same run, so the ratio travels between machines;
   the first request after a publish is timed against the same server.

``--smoke`` (CI): a tiny corpus, every step run once, nothing timed or compared.
"""

import argparse
import gc
import json
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SEED_RAW = ROOT / "articles" / "data" / "alibaba-ai-2023.zh-Hant.txt"
SEED_STORY = ROOT / "articles" / "data" / "alibaba-ai-2023.story.json"
RESULTS = ROOT / "bench" / "results.json"
WRK_REPORT = """done = function(summary, latency, requests)
  io.write(string.format('WRKJSON {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"errors":%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout))
end
"""
# Targets of issue 12 (this 2-core machine): (key, comparison, value).
TARGETS = {
    "story_page_queries": ("<=", 4), "story_page_render_ms_median": ("<", 15), "story_cached_vs_static": (">=", 0.8),
    "after_publish_first_byte_ms": ("<", 50), "entity_page_hot_p95_ms": ("<", 50), "search_p95_ms": ("<", 100),
    "import_raw_per_s": (">=", 20), "import_story_per_s": (">=", 100), "import_rss_growth_mb": ("<", 1),
    "publish_ms": ("<", 500),
    "admin_changelist_ms": ("<", 200), "admin_change_form_ms": ("<", 500), "desk_page_ms": ("<", 500),
}


def timed(fn, n):
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return times


def median(times):
    return statistics.median(times)


def p95(times):
    return sorted(times)[max(0, round(0.95 * len(times)) - 1)]


def setup(args, work):
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{work / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from articles.models import Article

    have = Article.objects.live().filter(slug__startswith="corpus-").count()
    if have < args.stories:
        if have:
            sys.exit(f"The database holds {have} corpus stories, fewer than {args.stories}: use an empty one.")
        subprocess.run([sys.executable, str(ROOT / "bench" / "make_corpus.py"), str(args.stories)], check=True,
                       env=os.environ.copy())
    from django.db import connection

    if connection.vendor == "postgresql":
        # Planner statistics after the bulk load (the server may run without autovacuum): without them
        # PostgreSQL plans the publish's deletes and the pages' joins on guesses. VACUUM too, for the
        # visibility map: without it an index-only scan reads the table, and the planner prefers a
        # bitmap scan that reads all of a hot entity's index entries (the entity page's story count).
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
    return Article.objects.live().filter(slug__startswith="corpus-").count()


PARTS = ("story", "entity", "search", "import", "publish", "revision", "admin", "load")


def in_process(results, n, want=lambda part: True):
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from articles.importing.raw import RawOptions
    from articles.importing.story import parse_story
    from articles.models import Article, Revision
    from articles.services import article_publish, raw_import, story_import
    from articles.services.importing import KnowledgeBase
    from entities.models import Entity

    client = Client()
    seed = Article.objects.public().exclude(slug__startswith="corpus-").order_by("id").first()
    story_url = seed.get_absolute_url()

    def uncached(url):
        cache.clear()
        assert client.get(url).status_code == 200, url

    if want("story"):
        from articles.models import StoryRender

        # The corpus (and the seed) were written before any render was stored: the first request renders
        # the page and stores it, as it would for an edition published before renders were stored.
        def unstored(url):
            StoryRender.objects.filter(article=seed).delete()
            uncached(url)

        results["story_page_unstored_render_ms_median"] = median(timed(lambda: unstored(story_url), n(10)))
        cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(story_url).status_code == 200
        results["story_page_queries"] = len(ctx.captured_queries)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(story_url).status_code == 200  # from the page cache: the page state read
        results["story_page_cached_first_queries"] = len(ctx.captured_queries)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(story_url).status_code == 200  # the state remembered: no query
        results["story_page_cached_queries"] = len(ctx.captured_queries)
        results["story_page_render_ms_median"] = median(timed(lambda: uncached(story_url), n(30)))
        client.get(story_url)
        results["story_page_cached_ms_median"] = median(timed(lambda: client.get(story_url), n(100)))

    if want("entity"):
        hot = Entity.objects.get(slug="alibaba")
        url = hot.get_absolute_url()
        cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        results["entity_page_queries"] = len(ctx.captured_queries)
        results["entity_page_hot_p95_ms"] = p95(timed(lambda: uncached(url), n(20)))
        results["entity_page_hot_page_50_p95_ms"] = p95(timed(lambda: uncached(url + "?page=50"), n(10)))
    if want("search"):
        rare = Entity.objects.filter(slug__startswith="corpus-").order_by("-id").values_list("name", flat=True).first()
        terms = {"rare": rare or "周靖人", "common": "阿里", "two_characters": "模型"}
        cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/search/?q=阿里").status_code == 200
        results["search_page_queries"] = len(ctx.captured_queries)
        for label, term in terms.items():
            results[f"search_{label}_p95_ms"] = p95(timed(lambda: uncached(f"/search/?q={term}"), n(10)))
        results["search_p95_ms"] = max(results[f"search_{label}_p95_ms"] for label in terms)
    if want("import"):
        import_part(results, n)

    working = seed.working_copy
    if want("publish"):
        flip = [0]

        def publish():
            working.refresh_from_db()
            flip[0] += 1
            working.dek = working.dek.rstrip("。") + ("。" if flip[0] % 2 else "")  # a real change to publish
            working.save()
            article_publish(article=working)

        results["publish_ms"] = median(timed(publish, n(5)))
    if want("revision"):
        # An editor's saves, each changing one paragraph: the bytes each revision row stores (a
        # keyframe's whole story, or a delta from it), averaged.
        from articles.models import Block
        from articles.services import revision_create

        revision_create(article=working, action="save")
        block = Block.objects.filter(article=working, kind="paragraph").order_by("position").first()
        stored = []
        for i in range(10):
            block.text = block.text.rstrip("。") + ("。" if i % 2 else "")
            block.save()
            revision = revision_create(article=working, action="save")
            row = Revision.objects.filter(pk=revision.pk).values("snapshot", "delta").get()
            stored.append(len(json.dumps(row["snapshot"] or row["delta"], ensure_ascii=False).encode()))
        results["revision_bytes_per_save"] = round(statistics.mean(stored))
        results["revision_story_bytes"] = len(json.dumps(revision.data, ensure_ascii=False).encode())

    if want("admin"):
        user = get_user_model().objects.filter(username="bench").first() or get_user_model().objects.create_superuser(
            "bench", "bench@example.org", "bench-not-a-secret")
        client.force_login(user)
        for key, url in (("admin_changelist_ms", reverse("admin:articles_article_changelist")),
                         ("admin_changelist_search_ms", reverse("admin:articles_article_changelist") + "?q=阿里"),
                         ("admin_change_form_ms", reverse("admin:articles_article_change", args=[working.pk])),
                         ("desk_page_ms", reverse("admin:articles_article_desk", args=[working.pk]))):
            results[key] = median(timed(lambda: client.get(url), n(5)))
        client.logout()
    return story_url


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wrk(url, seconds, script, connections=8):
    out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(script),
                          url], capture_output=True, text=True, timeout=seconds + 60).stdout
    line = next(line for line in out.splitlines() if line.startswith("WRKJSON "))
    data = json.loads(line[len("WRKJSON "):])
    data["rps"] = data["requests"] / (data["duration_us"] / 1e6)
    return data


def under_load(results, story_url, args, work):
    import http.client

    from articles.models import Article
    from articles.services import article_publish

    if not shutil.which("wrk"):
        print("wrk is not installed (Debian: apt-get install wrk): the load figures are skipped")
        return
    env = {**os.environ, "DEBUG": "false"}
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    port = free_port()
    # A static file of the same size as the story page (rendered for this host), served by
    # whitenoise in the same server (written before it starts: whitenoise indexes files at start).
    from django.test import Client

    body = Client(HTTP_HOST=f"127.0.0.1:{port}").get(story_url).content
    static_dir = ROOT / "staticfiles" / "bench"
    static_dir.mkdir(parents=True, exist_ok=True)
    (static_dir / "story.html").write_bytes(body)
    server = subprocess.Popen([str(Path(sys.executable).with_name("gunicorn")), "newsroom.wsgi", "-w", "2",
                               "-b", f"127.0.0.1:{port}", "--log-level", "warning"], cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.2)

        def get(path):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            start = time.perf_counter()
            conn.request("GET", path)
            response = conn.getresponse()
            first_byte = (time.perf_counter() - start) * 1000
            body = response.read()
            conn.close()
            return response.status, body, first_byte

        status, served, _ = get(story_url)
        assert status == 200 and len(served) == len(body), (status, len(served), len(body))
        assert get("/static/bench/story.html")[0] == 200
        report = work / "report.lua"
        report.write_text(WRK_REPORT)
        slugs = list(Article.objects.public().filter(slug__startswith="corpus-").order_by("?")
                     .values_list("slug", flat=True)[:20000])
        cycle = work / "uncached.lua"
        cycle.write_text("local slugs = {" + ",".join(f'"{s}"' for s in slugs) + "}\nlocal i = 0\n"
                         "request = function()\n  i = i + 1\n"
                         "  return wrk.format(nil, '/stories/' .. slugs[(i % #slugs) + 1] .. '/')\nend\n"
                         + WRK_REPORT)
        seconds = args.seconds
        wrk(base + story_url, 2, report)  # warm-up: every worker caches the page
        wrk(base + "/static/bench/story.html", 2, report)
        cached = wrk(base + story_url, seconds, report)
        static = wrk(base + "/static/bench/story.html", seconds, report)
        uncached = wrk(base + "/", seconds, cycle)
        results.update({
            "story_page_cached_rps": cached["rps"], "static_file_rps": static["rps"],
            "story_cached_vs_static": cached["rps"] / static["rps"], "story_page_uncached_rps": uncached["rps"],
            "story_page_cached_p99_ms": cached["p99_us"] / 1000, "static_file_p99_ms": static["p99_us"] / 1000,
            "story_page_uncached_p99_ms": uncached["p99_us"] / 1000,
            "load_errors": cached["errors"] + static["errors"] + uncached["errors"],
            "story_page_bytes": len(body),
        })
        # The story served above (its live edition is a new row at each publish: found by its URL's slug).
        seed = Article.objects.public().get(slug=story_url.rstrip("/").rsplit("/", 1)[-1])
        firsts = []
        for i in range(5):
            get(story_url)
            working = seed.working_copy
            working.refresh_from_db()
            working.dek = working.dek.rstrip("。") + ("。" if i % 2 else "")  # a real change to publish
            working.save()
            article_publish(article=working)
            status, _, first_byte = get(story_url)
            firsts.append(first_byte)
        results["after_publish_first_byte_ms"] = median(firsts)
    finally:
        server.terminate()
        server.wait(timeout=20)


def rss_mb():
    """The process's resident memory now (Linux), in MB: unlike ru_maxrss it can go down."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def raw_text_of(doc):
    """A story document written out as a scraper's raw text, the seed's shape: the headline, the lede's
    paragraphs, then per section its two-digit number and heading on lines of their own and one
    paragraph per line ("圖片" for a figure)."""
    article = doc["article"]

    def lines(blocks):
        return [b["text"] if b["type"] == "paragraph" else "圖片" for b in blocks]

    out = [article["title"], *lines(article["lede"])]
    for section in article["sections"]:
        out += [section["number"], section["heading"], *lines(section["blocks"])]
    return "\n".join(out) + "\n"


def typical_batch(count):
    """``count`` typical stories: corpus live editions (12-40 paragraphs, the seed's density of
    mentions and quotes), exported in the story format, spread over the corpus."""
    from articles.models import Article
    from articles.services import export_story

    from articles.importing.story import StoryFormatError, validate_story

    ids = list(Article.objects.public().filter(slug__startswith="corpus-").order_by("id").values_list("id", flat=True))
    step = max(1, len(ids) // max(1, 2 * count))
    batch = []
    for article in Article.objects.filter(id__in=ids[::step]).order_by("id"):
        doc = export_story(article)
        try:
            validate_story(doc)
        except StoryFormatError:
            # make_corpus.py may give a quote a speaker the format refuses (a product: its Zipf draw
            # maps an entity once per story, for a mention or a quote alike); a file would be refused.
            continue
        batch.append(doc)
        if len(batch) == count:
            break
    return batch


def import_part(results, n):
    """Imports: the seed (the worst case: a 12.9 KB raw text that needs 565 repairs, the 209 KB story
    file it gives) and a batch of typical stories (the rates issue 12's targets are judged on), both as
    story-format files and as raw text, and whether memory grows with the number of files."""
    from articles.importing.raw import RawOptions
    from articles.importing.story import parse_story
    from articles.services import raw_import, story_import
    from articles.services.importing import KnowledgeBase

    run = time.time_ns()
    text = SEED_RAW.read_text(encoding="utf-8")
    runs = n(10)
    start = time.perf_counter()
    knowledge = KnowledgeBase()  # as `import_story` does: read once per run, in the timing
    for i in range(runs):
        raw_import(text=text, options=RawOptions(title=f"壓測原稿{i}", slug=f"bench-raw-{run}-{i}",
                                                 published_on="2023-11-08"), knowledge=knowledge)
    results["import_raw_seed_per_s"] = runs / (time.perf_counter() - start)
    doc = parse_story(SEED_STORY.read_bytes())
    runs = n(10)
    start = time.perf_counter()
    for i in range(runs):
        doc["article"]["slug"] = f"bench-story-{run}-{i}"
        story_import(doc=doc)
    results["import_story_seed_per_s"] = runs / (time.perf_counter() - start)

    # Twice the batch: the first half is timed (the rates, documents parsed beforehand as before)
    # and warms the importer's bounded caches; memory growth is measured over the second half, after
    # that warm-up, with the files as they come to an import: bytes, parsed (or decoded) file by
    # file, so the batch held here does not grow as files are imported (a parsed document kept for
    # the whole batch gains the UTF-8 copies of its strings the database driver makes: ~6 KB a file
    # on SQLite, the batch's memory and not the import's).
    docs = typical_batch(2 * n(200))
    files = [json.dumps(doc, ensure_ascii=False).encode() for doc in docs]
    texts = [raw_text_of(doc).encode() for doc in docs]
    timed = max(1, len(files) // 2)
    raw_texts = [raw_text_of(doc) for doc in docs[:timed]]
    del docs[timed:]
    results["import_batch_stories"] = timed
    growth = []
    for kind in ("story", "raw"):
        knowledge = KnowledgeBase() if kind == "raw" else None  # as `import_story` does, one a run
        start = time.perf_counter()
        for i, data in enumerate(files if kind == "story" else texts):
            if i == timed:
                results[f"import_{kind}_per_s"] = timed / (time.perf_counter() - start)
                if kind == "story":
                    del docs[:]
                gc.collect()
                rss_warm = rss_mb()
            if kind == "story":
                doc = docs[i] if i < timed else parse_story(data)
                doc["article"]["slug"] = f"bench-file-{run}-{i}"
                story_import(doc=doc)
            else:
                raw_import(text=raw_texts[i] if i < timed else data.decode(),
                           options=RawOptions(slug=f"bench-text-{run}-{i}", published_on="2025-11-01"),
                           knowledge=knowledge)
        if len(files) <= timed:
            results[f"import_{kind}_per_s"] = timed / (time.perf_counter() - start)
            rss_warm = rss_mb()
        gc.collect()
        growth.append((rss_mb() - rss_warm) / max(1, len(files) - timed) * 100)
    # RSS growth per 100 files over the files after the warm-up batch (the worse of the two kinds).
    results["import_story_rss_growth_mb"], results["import_raw_rss_growth_mb"] = growth
    results["import_rss_growth_mb"] = max(growth)
    results["import_peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def verdict(key, value):
    if key not in TARGETS:
        return ""
    op, target = TARGETS[key]
    ok = {"<": value < target, "<=": value <= target, ">=": value >= target}[op]
    if ok:
        return f"ok ({op} {target})"
    miss = value / target if op in ("<", "<=") else target / value if value else float("inf")
    return f"MISSED ({op} {target}: {miss:.1f}x off)"


def table(results):
    lines = [f"| {'figure':<34} | {'value':>12} | target |", f"|{'-' * 36}|{'-' * 14}|--------|"]
    for key, value in results.items():
        shown = f"{value:.2f}" if isinstance(value, float) else str(value)
        lines.append(f"| {key:<34} | {shown:>12} | {verdict(key, value) if isinstance(value, (int, float)) else ''} |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Newsroom benchmarks: prints a table, writes bench/results.json.")
    parser.add_argument("--stories", type=int, default=None, help="corpus size (default 10000; 20 with --smoke)")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--seconds", type=int, default=20, help="seconds per load case (at most 60)")
    parser.add_argument("--smoke", action="store_true", help="tiny corpus, each step once, no load, no results file")
    parser.add_argument("--quick", action="store_true",
                        help="a tenth of the in-process repetitions (at least one): for slow cases at 100,000 stories")
    parser.add_argument("--only", type=lambda v: v.split(","), default=None,
                        help="comma-separated parts to run: " + ",".join(PARTS) + " (results.json is not written)")
    args = parser.parse_args(argv)
    args.stories = args.stories if args.stories is not None else (20 if args.smoke else 10000)
    args.seconds = min(args.seconds, 60)
    work = Path(tempfile.mkdtemp(prefix="newsroom-bench-"))
    try:
        results = {"corpus_stories": setup(args, work)}
        from django.db import connection

        results["database"] = connection.vendor
        n = (lambda k: 1) if args.smoke else (lambda k: max(1, k // 10)) if args.quick else (lambda k: k)
        results["repetitions"] = "smoke" if args.smoke else "quick (a tenth)" if args.quick else "full"
        want = (lambda part: part in args.only) if args.only else (lambda part: True)
        story_url = in_process(results, n, want)
        if not args.smoke and want("load"):
            under_load(results, story_url, args, work)
        print(table(results))
        if not args.smoke and not args.only:
            RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
            print(f"written: {RESULTS.relative_to(ROOT)}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
