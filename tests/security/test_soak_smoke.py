"""The smoke version of `make soak` (bench/soak.py --smoke): real gunicorns on PostgreSQL, with and
without Redis, killed connections, SQLite logins during an import. It asserts no error and no torn
page; PostgreSQL restarted under a save (on a cluster of the soak's own); it times nothing (how fast a write shows is for `make soak` to print, not for a test to judge)."""

import glob
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql",
                                reason="the soak needs PostgreSQL (it runs in the PostgreSQL pass of CI)")


def test_soak_smoke_has_no_error_and_no_torn_page():
    url = os.environ["DATABASE_URL"].rsplit("/", 1)
    env = {**os.environ, "SOAK_DATABASE_URL": f"{url[0]}/{url[1]}_soak"}
    result = subprocess.run([sys.executable, "bench/soak.py", "--smoke"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    results = json.loads(result.stdout.strip().splitlines()[-1])["results"]
    assert {"pg", "pg-faults", "sqlite"} <= set(results)
    if glob.glob("/usr/lib/postgresql/*/bin/initdb"):  # the restart runs on a throwaway cluster of its own
        assert "pg-restart" in set(results)
        assert results["pg-restart"]["recovery"] > 0  # it went down and came back
    for name, figures in results.items():
        assert figures["requests"] > 0, name
        assert figures["errors"] == 0 and figures["torn"] == 0, (name, figures)
        assert figures["notes"] == [], (name, figures["notes"])
