"""Benchmarks: `make bench`. Not tests; figures are medians and ratios, so they travel between machines.

1. In process (Django test client, SQLite): the story and entity pages, story import/export,
   the raw importer on the seed, the text cleaner's throughput.
2. Under load (when Debian's `wrk` is installed): gunicorn serving the story page, as a ratio of
   the same server serving a static file.
"""

import os
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
WORK = Path(tempfile.mkdtemp(prefix="newsroom-bench-"))
os.environ["DATABASE_URL"] = f"sqlite:///{WORK / 'bench.sqlite3'}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
os.environ["DEBUG"] = "false"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

SEED = ROOT / "articles" / "data" / "alibaba-ai-2023.zh-Hant.txt"
EDITION = ROOT / "articles" / "data" / "alibaba-ai-2023.story.json"


def median_ms(fn, n):
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def report(label, value, unit):
    print(f"{label:<58} {value:>10.2f} {unit}")


def in_process():
    from articles.importing.story import parse_story
    from articles.services import export_story
    from articles.models import Article
    from articles.services import story_import

    call_command("migrate", verbosity=0)
    call_command("load_demo", "--no-users", verbosity=0)
    slug = Article.objects.live().get().slug
    client = Client()
    assert client.get(f"/stories/{slug}/").status_code == 200
    report("story page, median of 30 (ms)", median_ms(lambda: client.get(f"/stories/{slug}/"), 30), "ms")
    report("entity page /entities/alibaba/, median of 30 (ms)",
           median_ms(lambda: client.get("/entities/alibaba/"), 30), "ms")
    doc = parse_story(EDITION.read_bytes())
    article = Article.objects.working().get(slug=slug)
    report("export_story of the edition, median of 10 (ms)", median_ms(lambda: export_story(article), 10), "ms")
    report("re-import of the unchanged edition, median of 5 (ms)", median_ms(lambda: story_import(doc=doc), 5), "ms")
    try:
        from articles.importing import cleaning
    except ImportError:
        return
    text = SEED.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.strip()]
    ms = median_ms(lambda: [cleaning.clean_text(line) for line in lines], 5)
    report("text cleaner on the seed (k chars/s)", len(text) / ms, "k/s")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wrk(url, seconds=5, connections=8):
    out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", url],
                         capture_output=True, text=True, timeout=seconds + 30).stdout
    rps = next(float(line.split()[1]) for line in out.splitlines() if line.startswith("Requests/sec"))
    p50 = next(line.split()[1] for line in out.splitlines() if line.strip().startswith("50%"))
    errors = [line.strip() for line in out.splitlines() if "Non-2xx" in line or "Socket errors" in line]
    return rps, p50, errors


def under_load():
    if not shutil.which("wrk"):
        print("wrk not installed (apt-get install wrk): load figures skipped")
        return
    from articles.models import Article

    slug = Article.objects.live().get().slug
    env = {**os.environ, "DEBUG": "false", "ALLOWED_HOSTS": "127.0.0.1"}
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    port = free_port()
    server = subprocess.Popen([str(Path(sys.executable).with_name("gunicorn")), "newsroom.wsgi", "-w", "2",
                               "-b", f"127.0.0.1:{port}", "--log-level", "warning"], cwd=ROOT, env=env)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.2)
        wrk(f"{base}/stories/{slug}/", seconds=2)  # warm up
        story, story_p50, story_err = wrk(f"{base}/stories/{slug}/")
        static, static_p50, _ = wrk(f"{base}/static/css/site.css")
        report("gunicorn 2 workers, story page (req/s)", story, "req/s")
        report("gunicorn 2 workers, static file (req/s)", static, "req/s")
        report("story page / static file throughput (ratio)", story / static, "x")
        print(f"{'median latency: story / static':<58} {story_p50:>10} / {static_p50}")
        if story_err:
            print("errors:", "; ".join(story_err))
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    try:
        in_process()
        under_load()
    finally:
        shutil.rmtree(WORK, ignore_errors=True)
