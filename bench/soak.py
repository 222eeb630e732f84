"""`make soak`: the site under load and faults, on real servers. Under 5 minutes; prints a table.

    python bench/soak.py            # the full run (make soak)
    python bench/soak.py --smoke    # a short run for CI: checks errors and torn pages, times nothing

Scenarios (each in its own process with its own environment; one module each in bench/soak_scenarios/,
what they share in soak_scenarios/common.py; this file is the driver):

  pg           two gunicorns (2 workers each) on one PostgreSQL database, per-process caches. Readers
               hammer both while stories are published (v1, v2, ...), an entity is edited, and an
               editor saves a role through the admin of the first server (its form posted as a
               browser would); each write must show on both servers within a second.
  pg+redis     the same with the shared Redis cache (REDIS_URL).
  pg-faults    pg_terminate_backend of every app connection between requests (the next request must
               succeed), and of a save in flight (nothing half-saved; the next save succeeds).
  pg-restart   PostgreSQL itself restarted (pg_ctl restart -m fast) while both gunicorns are read and a
               save is in flight: answers are 503 "try again" meanwhile, never 500; the save leaves
               nothing; both servers answer again (the recovery time); the next save succeeds. It runs
               on a throwaway cluster of its own (initdb on a free port), never the shared server;
               skipped when initdb is not installed.
  sqlite       one gunicorn on SQLite: logins (each one writes) while a 2 MB story is imported; a busy
               database may answer 503 "try again" but never 500.

Figures per scenario: requests, errors (5xx other than 503, and failed connections), busy answers
(503), torn pages (a story page mixing two versions), stale reads (a read started more than a second
after a write committed that still shows the old version), the slowest time for a write to show, and
the recovery time after a fault. Exit status 1 when there are errors or torn pages (or, outside
--smoke, stale reads).

Environment: SOAK_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/newsroom_soak; the database
is dropped and made anew), SOAK_REDIS_URL (default redis://127.0.0.1:6379/15; flushed; the Redis
scenario is skipped when it does not answer).
"""

import glob
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

from soak_scenarios import SCENARIOS
from soak_scenarios.common import PYTHON, ROOT, free_port


def recreate_pg(url, template=None):
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        source = f' TEMPLATE "{urllib.parse.urlsplit(template).path.lstrip("/")}"' if template else ""
        conn.execute(f'CREATE DATABASE "{name}"{source}')


def throwaway_cluster():
    """Start a PostgreSQL cluster of our own on a free port: (url, restart command, stop command), or None
    when initdb is not installed. The restart scenario restarts this one, never the shared server."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        return None
    bindir = Path(found[-1]).parent
    tmp = Path(tempfile.mkdtemp(prefix="newsroom-soak-pg-"))
    port = free_port()
    as_root = os.getuid() == 0  # PostgreSQL refuses to run as root: as the postgres user then

    def as_pg(cmd):
        return ["su", "postgres", "-c", shlex.join(str(c) for c in cmd)] if as_root else [str(c) for c in cmd]

    if as_root:
        shutil.chown(tmp, "postgres")
    subprocess.run(as_pg([bindir / "initdb", "-D", tmp / "data", "-U", "postgres", "--auth=trust", "-E", "UTF8",
                          "--locale=C.UTF-8"]), check=True, stdout=subprocess.DEVNULL)
    ctl = [bindir / "pg_ctl", "-D", tmp / "data", "-l", tmp / "log", "-w",
           "-o", f"-p {port} -c listen_addresses=127.0.0.1 -k {tmp}"]
    subprocess.run(as_pg(ctl + ["start"]), check=True, stdout=subprocess.DEVNULL)
    url = f"postgres://postgres@127.0.0.1:{port}/newsroom_soak_restart"
    return url, as_pg(ctl + ["restart", "-m", "fast"]), as_pg(ctl[:3] + ["-m", "immediate", "stop"]), tmp


def redis_answers(url):
    try:
        import redis

        client = redis.Redis.from_url(url, socket_timeout=2)
        client.flushdb()
        return True
    except Exception:
        return False


def run_scenario(name, env, smoke):
    started = time.monotonic()
    result = subprocess.run([PYTHON, __file__, "--scenario", name] + (["--smoke"] if smoke else []), cwd=ROOT,
                            env=env, capture_output=True, text=True)
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if result.returncode != 0 or not lines:
        return {"requests": 0, "errors": 1, "busy": 0, "torn": 0, "stale": 0, "slowest_visible": 0, "recovery": 0,
                "notes": [f"scenario crashed: {result.stderr.strip()[-800:]}"], "seconds": time.monotonic() - started}
    figures = json.loads(lines[-1])
    figures["seconds"] = time.monotonic() - started
    return figures


def main(argv):
    smoke = "--smoke" in argv
    if "--scenario" in argv:
        name = argv[argv.index("--scenario") + 1]
        print(json.dumps(SCENARIOS[name](smoke).as_dict(), ensure_ascii=False))
        return 0
    pg_url = os.environ.get("SOAK_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/newsroom_soak")
    redis_url = os.environ.get("SOAK_REDIS_URL", "redis://127.0.0.1:6379/15")
    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_ENV")}
    base.update(DEBUG="false", DJANGO_SETTINGS_MODULE="newsroom.settings", PYTHONPATH=str(ROOT))
    plan = [("pg", {"DATABASE_URL": pg_url}), ("pg-faults", {"DATABASE_URL": pg_url})]
    if redis_answers(redis_url):
        plan.insert(1, ("pg+redis", {"DATABASE_URL": pg_url, "REDIS_URL": redis_url}))
    else:
        print(f"(no Redis at {redis_url}: the pg+redis scenario is skipped)")
    sqlite_dir = Path(tempfile.mkdtemp(prefix="newsroom-soak-"))
    plan.append(("sqlite", {"DATABASE_URL": f"sqlite:///{sqlite_dir / 'soak.sqlite3'}"}))
    results, failed = {}, False
    # Migrate once into templates; each scenario starts from a fresh copy.
    template_url = pg_url.rsplit("/", 1)[0] + "/" + pg_url.rsplit("/", 1)[1] + "_template"
    recreate_pg(template_url)
    sqlite_template = sqlite_dir / "template.sqlite3"
    for url in (template_url, f"sqlite:///{sqlite_template}"):
        subprocess.run([PYTHON, "manage.py", "migrate", "--verbosity", "0"], cwd=ROOT, env={**base, "DATABASE_URL": url},
                       check=True)
    shutil.copy(sqlite_template, sqlite_dir / "soak.sqlite3")
    cluster = throwaway_cluster()
    if cluster is None:
        print("(no initdb: the pg-restart scenario is skipped)")
    else:
        plan.insert(-1, ("pg-restart", {"DATABASE_URL": cluster[0], "SOAK_PG_RESTART": json.dumps(cluster[1])}))
    try:
        for name, extra in plan:
            if name == "pg-restart":
                recreate_pg(extra["DATABASE_URL"])
                subprocess.run([PYTHON, "manage.py", "migrate", "--verbosity", "0"], cwd=ROOT,
                               env={**base, **extra}, check=True)
            elif extra["DATABASE_URL"].startswith("postgres"):
                recreate_pg(pg_url, template=template_url)
            if "REDIS_URL" in extra:
                redis_answers(redis_url)
            results[name] = run_scenario(name, {**base, **extra}, smoke)
    finally:
        if cluster is not None:
            subprocess.run(cluster[2], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            shutil.rmtree(cluster[3], ignore_errors=True)
    header = f"{'scenario':<10} {'requests':>8} {'errors':>6} {'503s':>5} {'torn':>5} {'stale':>5} " \
             f"{'slowest write shown (s)':>24} {'recovery (s)':>12} {'took (s)':>8}"
    print(header)
    for name, r in results.items():
        print(f"{name:<10} {r['requests']:>8} {r['errors']:>6} {r['busy']:>5} {r['torn']:>5} {r['stale']:>5} "
              f"{r['slowest_visible']:>24.2f} {r['recovery']:>12.2f} {r['seconds']:>8.1f}")
        for note in r["notes"]:
            print(f"  {name}: {note}")
        failed |= bool(r["errors"] or r["torn"] or (r["stale"] and not smoke))
    print(json.dumps({"results": results}, ensure_ascii=False))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
