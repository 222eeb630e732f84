"""`make soak`: the site under load and faults, on real servers. Under 5 minutes; prints a table.

    python bench/soak.py            # the full run (make soak)
    python bench/soak.py --smoke    # a short run for CI: checks errors and torn pages, times nothing

Scenarios (each in its own process with its own environment):

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
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
STORY = "soak-story"
MARKER = re.compile(r"〔v(\d+)〕")
VISIBLE_WITHIN = 1.0  # seconds: a read later than this after a write must show it
PASSWORD = "soak-password-1"


# --- helpers shared by the scenarios ---------------------------------------------------------

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url, opener=None, data=None, timeout=30):
    """(status, body text); status 0 when the server could not be reached."""
    try:
        request = urllib.request.Request(url, data=data)
        with (opener or urllib.request.build_opener()).open(request, timeout=timeout) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return 0, ""


class Servers:
    """Gunicorn processes on free ports, all with this process's environment."""

    def __init__(self, count, workers=2):
        self.procs, self.urls = [], []
        for _ in range(count):
            port = free_port()
            self.procs.append(subprocess.Popen(
                [PYTHON, "-m", "gunicorn", "newsroom.wsgi", "-b", f"127.0.0.1:{port}", "-w", str(workers),
                 "--log-level", "warning", "--graceful-timeout", "2"],
                cwd=ROOT, env=os.environ.copy(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            self.urls.append(f"http://127.0.0.1:{port}")
        deadline = time.monotonic() + 60
        for url in self.urls:
            while fetch(url + "/")[0] != 200:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"gunicorn at {url} did not start")
                time.sleep(0.2)

    def stop(self):
        for proc in self.procs:  # only the servers this script started, by their pid
            proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.requests = self.errors = self.busy = self.torn = self.stale = 0
        self.slowest_visible = 0.0
        self.recovery = 0.0
        self.notes = []

    def count(self, status, body="", story=False):
        with self.lock:
            self.requests += 1
            if status == 503:
                self.busy += 1
            elif status == 0 or status >= 500:
                self.errors += 1
            if story and status == 200 and len(set(MARKER.findall(body))) > 1:
                self.torn += 1

    def as_dict(self):
        return {k: getattr(self, k) for k in ("requests", "errors", "busy", "torn", "stale", "slowest_visible",
                                               "recovery", "notes")}


def readers(tally, urls, stop, threads=4):
    """Threads reading the story page, the entity page and the home page from every server."""
    paths = [f"/stories/{STORY}/", "/entities/alibaba/", "/"]

    def run(n):
        i = n
        while not stop.is_set():
            base, path = urls[i % len(urls)], paths[i % len(paths)]
            status, body = fetch(base + path)
            tally.count(status, body, story=path.startswith("/stories/"))
            i += 1

    pool = [threading.Thread(target=run, args=(n,), daemon=True) for n in range(threads)]
    for thread in pool:
        thread.start()
    return pool


def wait_visible(tally, urls, path, needle, committed):
    """Poll every server until ``needle`` shows; count stale reads; return the slowest delay."""
    slowest = 0.0
    for base in urls:
        while True:
            started = time.monotonic()
            status, body = fetch(base + path)
            tally.count(status, body, story=path.startswith("/stories/"))
            if status == 200 and needle in body:
                slowest = max(slowest, started - committed)
                break
            if started - committed > VISIBLE_WITHIN:
                tally.stale += 1
            if started - committed > 10:
                tally.notes.append(f"{needle} never showed on {base}{path}")
                break
            time.sleep(0.05)
    tally.slowest_visible = max(tally.slowest_visible, slowest)
    return slowest


# --- scenarios (run in a child process with DATABASE_URL etc. set) ------------------------------

def setup_django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    import django

    django.setup()


def publish(version, n=3):
    from articles.services import story_import
    from tests.factories import story_doc

    return story_import(doc=story_doc(n, slug=STORY, marker=f"〔v{version}〕"))


def scenario_two_servers(smoke):
    setup_django()
    from django.contrib.auth import get_user_model

    from entities.models import Alias, Entity, Role

    publish(0)
    get_user_model().objects.create_superuser("soak-admin", password=PASSWORD)
    tally, stop = Tally(), threading.Event()
    servers = Servers(2)
    try:
        editor = login(servers.urls[0], tally, "soak-admin")
        pool = readers(tally, servers.urls, stop)
        for i in range(1, 3 if smoke else 5):
            publish(i)
            wait_visible(tally, servers.urls, f"/stories/{STORY}/", f"〔v{i}〕", time.monotonic())
            entity = Entity.objects.get(slug="alibaba")
            entity.description = f"中國的科技公司〔e{i}〕。"
            entity.save()
            wait_visible(tally, servers.urls, "/entities/alibaba/", f"〔e{i}〕", time.monotonic())
            Alias.objects.create(entity=entity, text=f"阿里別名{i}號", lang="zh-Hant")
            wait_visible(tally, servers.urls, "/entities/alibaba/", f"阿里別名{i}號", time.monotonic())
            # An editor's save through the admin of one server is seen on the other (a role's title shows on
            # its person's page).
            role = Role.objects.filter(person__slug="person-1").order_by("pk").first()
            if role is not None and admin_edit(editor, servers.urls[0], f"/admin/entities/role/{role.pk}/change/",
                                               {"title": f"職稱{i}號"}, tally):
                wait_visible(tally, servers.urls[1:] + servers.urls[:1], "/entities/person-1/", f"職稱{i}號",
                             time.monotonic())
            time.sleep(0.2 if smoke else 0.5)
        stop.set()
        for thread in pool:
            thread.join()
    finally:
        servers.stop()
    return tally


def terminate_backends():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database()"
                       " AND pid <> pg_backend_pid()")


def scenario_faults(smoke):
    setup_django()
    from django.db import DatabaseError, connection, connections, transaction

    from articles.importing.story import dumps
    from articles.services import export_story
    from articles.models import Article

    publish(0)
    tally, stop = Tally(), threading.Event()
    servers = Servers(2)
    try:
        pool = readers(tally, servers.urls, stop, threads=2)
        for _ in range(1 if smoke else 3):
            time.sleep(0.5)
            terminate_backends()
            killed = time.monotonic()
            for base in servers.urls:
                while fetch(base + f"/stories/{STORY}/")[0] != 200 and time.monotonic() - killed < 30:
                    time.sleep(0.05)
            tally.recovery = max(tally.recovery, time.monotonic() - killed)
        stop.set()
        for thread in pool:
            thread.join()
    finally:
        servers.stop()
    # A save in flight loses its connection: nothing half-saved, and the next save succeeds.
    before = dumps(export_story(Article.objects.working().get(slug=STORY)))
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid

    def kill():  # from another thread, so on its own connection
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        connections["default"].close()

    timer = threading.Timer(0.3, kill)
    timer.start()
    try:
        with transaction.atomic():
            publish(99, n=9)
            connection.cursor().execute("SELECT pg_sleep(3)")  # the save is still open when it is killed
        tally.notes.append("the killed save was not killed")
    except DatabaseError:
        pass
    timer.join()
    connection.close()
    after = dumps(export_story(Article.objects.working().get(slug=STORY)))
    if after != before:
        tally.torn += 1
        tally.notes.append("a killed save left the story changed")
    publish(100)
    if "〔v100〕" not in dumps(export_story(Article.objects.working().get(slug=STORY))):
        tally.errors += 1
        tally.notes.append("the save after the kill failed")
    return tally


def scenario_restart(smoke):
    setup_django()
    from django.db import DatabaseError, close_old_connections, connection, transaction

    from articles.importing.story import dumps
    from articles.models import Article
    from articles.services import export_story

    publish(0)
    before = dumps(export_story(Article.objects.working().get(slug=STORY)))
    restart = json.loads(os.environ["SOAK_PG_RESTART"])
    tally, stop = Tally(), threading.Event()
    servers = Servers(2)
    in_flight, outcome = threading.Event(), {}

    def save():  # a save that is still open when the server goes down
        try:
            with transaction.atomic():
                publish(99, n=9)
                in_flight.set()
                connection.cursor().execute("SELECT pg_sleep(10)")
            outcome["saved"] = True
        except DatabaseError as error:
            outcome["error"] = str(error)[:200]
        finally:
            in_flight.set()
            connection.close()

    try:
        pool = readers(tally, servers.urls, stop, threads=2)
        time.sleep(0.5)
        saver = threading.Thread(target=save)
        saver.start()
        in_flight.wait(30)
        restarted = time.monotonic()
        subprocess.run(restart, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        saver.join()
        for base in servers.urls:
            while fetch(base + f"/stories/{STORY}/")[0] != 200 and time.monotonic() - restarted < 60:
                time.sleep(0.05)
        tally.recovery = time.monotonic() - restarted
        time.sleep(0.5)  # readers go on after the recovery: every answer must be 200 again
        stop.set()
        for thread in pool:
            thread.join()
    finally:
        servers.stop()
    if outcome.get("saved"):
        tally.notes.append("the save in flight was not interrupted by the restart")
    close_old_connections()
    connection.close()
    if dumps(export_story(Article.objects.working().get(slug=STORY))) != before:
        tally.torn += 1
        tally.notes.append("the save interrupted by the restart left the story changed")
    publish(100)
    if "〔v100〕" not in dumps(export_story(Article.objects.working().get(slug=STORY))):
        tally.errors += 1
        tally.notes.append("the save after the restart failed")
    return tally


def login(base, tally, username="soak-editor"):
    """Log in to the admin on ``base`` as a browser would; return the opener holding the session."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    status, body = fetch(base + "/admin/login/", opener)
    tally.count(status)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if not token:
        return opener
    data = urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1), "username": username,
                                   "password": PASSWORD, "next": "/admin/"}).encode()
    status, _ = fetch(base + "/admin/login/", opener, data=data)
    tally.count(status)
    return opener


def admin_edit(opener, base, path, changes, tally):
    """Load the admin change form ``path`` on server ``base``, change fields, post it back as a browser
    would (its version and CSRF token included). True when it saved."""
    from tests.security.test_concurrency import form_data

    status, body = fetch(base + path, opener)
    tally.count(status)
    if status != 200 or "loaded_version" not in body:
        tally.notes.append(f"the admin form {path} did not load on {base} ({status})")
        return False
    data = form_data(body)
    data.update({key: [value] for key, value in changes.items()})
    status, body = fetch(base + path, opener, data=urllib.parse.urlencode(data, doseq=True).encode())
    tally.count(status)
    if status != 200 or "errornote" in body:
        tally.notes.append(f"the admin form {path} did not save on {base} ({status})")
        return False
    return True


def scenario_sqlite(smoke):
    setup_django()
    from django.contrib.auth import get_user_model

    from tests.factories import story_doc

    publish(0)
    get_user_model().objects.create_user("soak-editor", password=PASSWORD, is_staff=True)
    doc = story_doc(9, slug="big-story")
    for i, section in enumerate(doc["article"]["sections"]):
        section["blocks"] += [{"id": f"x{i}-{j}", "type": "paragraph", "text": "長段落文字" * 80}
                              for j in range(10 if smoke else 170)]
    big = Path(tempfile.mkdtemp()) / "big.story.json"
    big.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    tally, stop = Tally(), threading.Event()
    servers = Servers(1)
    try:
        pool = readers(tally, servers.urls, stop, threads=2)

        def logins():
            while not stop.is_set():
                login(servers.urls[0], tally)

        writers = [threading.Thread(target=logins, daemon=True) for _ in range(2)]
        for thread in writers:
            thread.start()
        result = subprocess.run([PYTHON, "manage.py", "import_story", str(big)], cwd=ROOT, env=os.environ.copy(),
                                capture_output=True, text=True)
        if result.returncode != 0:
            tally.errors += 1
            tally.notes.append(f"import failed: {result.stderr.strip()[-300:]}")
        stop.set()
        for thread in pool + writers:
            thread.join()
    finally:
        servers.stop()
    return tally


SCENARIOS = {"pg": scenario_two_servers, "pg+redis": scenario_two_servers, "pg-faults": scenario_faults,
             "pg-restart": scenario_restart, "sqlite": scenario_sqlite}


# --- the driver ------------------------------------------------------------------------------

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
