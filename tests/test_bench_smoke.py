"""The benchmark suite runs (on a tiny corpus, in a temporary SQLite file): it cannot rot. Nothing is timed."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_bench_smoke_builds_a_corpus_and_runs_every_step(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "BENCH_DATABASE_URL", "DJANGO_ENV")}
    result = subprocess.run(
        [sys.executable, "bench/run.py", "--smoke", "--stories", "5",
         "--database-url", f"sqlite:///{tmp_path / 'bench.sqlite3'}"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    for key in ("corpus_stories", "story_page_queries", "search_p95_ms", "publish_ms", "desk_page_ms"):
        assert f"| {key}" in result.stdout, key
    assert "|            5 |" in result.stdout  # five corpus stories
