"""What the soak's scenarios share: servers, the tally, readers, waiting for a write to show, and the admin."""

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
STORY = "soak-story"
MARKER = re.compile(r"〔v(\d+)〕")
VISIBLE_WITHIN = 1.0  # seconds: a read later than this after a write must show it
PASSWORD = "soak-password-1"


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



def wait_answering(urls, since, limit):
    """Wait until every server answers the story page again (or ``limit`` seconds after ``since``); the seconds
    from ``since`` (a fault's recovery time)."""
    for base in urls:
        while fetch(base + f"/stories/{STORY}/")[0] != 200 and time.monotonic() - since < limit:
            time.sleep(0.05)
    return time.monotonic() - since

# --- in a scenario's process (DATABASE_URL etc. set) ---------------------------------------------

def setup_django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    import django

    django.setup()


def publish(version, n=3):
    from articles.services import story_import
    from tests.factories import story_doc

    return story_import(doc=story_doc(n, slug=STORY, marker=f"〔v{version}〕"))


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


def story_text():
    """The soak story's working copy in the story format: what a half-done save would have changed."""
    from articles.importing.story import dumps
    from articles.models import Article
    from articles.services import export_story

    return dumps(export_story(Article.objects.working().get(slug=STORY)))


def check_after_fault(tally, before, *, changed, failed):
    """After a save was cut off: the story is still ``before`` (else a torn write, noted as ``changed``) and the
    next save succeeds (else an error, noted as ``failed``)."""
    if story_text() != before:
        tally.torn += 1
        tally.notes.append(changed)
    publish(100)
    if "〔v100〕" not in story_text():
        tally.errors += 1
        tally.notes.append(failed)
