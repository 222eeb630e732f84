"""`make backup` / `make restore` (bench/backup.py) on the database the suite runs on, SQLite or
PostgreSQL: after a restore every story exports identically and every reader page is the same."""

import sqlite3
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.test import TransactionTestCase

from articles.models import Article
from bench.backup import ROOT, BackupError, backup, copy_sqlite, restore
from entities.models import Entity
from tests.factories import make_story


def exports():
    """export_story of every story: the working copy and, where there is one, the live edition."""
    out = {}
    for slug in Article.objects.working().values_list("slug", flat=True):
        for live in (False, True):
            buffer = StringIO()
            try:
                call_command("export_story", slug, *(["--live"] if live else []), stdout=buffer, stderr=StringIO())
            except Exception as error:  # no live edition: part of the state too
                buffer.write(f"<{type(error).__name__}: {error}>")
            out[(slug, live)] = buffer.getvalue()
    return out


class BackupRestoreTests(TransactionTestCase):
    def reader_pages(self):
        for cache in caches.all():
            cache.clear()
        urls = ["/", "/entities/", "/quotes/", "/search/?q=阿里", "/feeds/stories.rss", "/sitemap.xml"]
        urls += [a.get_absolute_url() for a in Article.objects.public()]
        urls += [e.get_absolute_url() for e in Entity.objects.all()]
        pages = {}
        for url in urls:
            response = self.client.get(url)
            pages[url] = (response.status_code, response.content)
        return pages

    def test_round_trip_gives_identical_exports_and_pages(self):
        tmp = Path(self.tmpdir())
        make_story(3, slug="first-story")
        make_story(1, slug="second-story", status="draft", marker="草稿")
        before_exports, before_pages = exports(), self.reader_pages()
        assert any(status == 200 and b"first-story" in body for status, body in before_pages.values())
        path = backup(tmp / "nightly.bak")
        # The database moves on after the backup...
        Article.objects.filter(slug="second-story").delete()
        Entity.objects.filter(slug="alibaba").update(name="改過的名字")
        make_story(2, slug="third-story", title="後來的故事")
        assert exports() != before_exports and self.reader_pages() != before_pages
        # ...and comes back exactly.
        safety = restore(path, safety_dir=tmp)  # never into the project's backups/
        assert exports() == before_exports
        assert self.reader_pages() == before_pages
        # The state just before the restore was kept.
        assert safety.exists() and safety.stat().st_size > 0

    def test_a_file_that_is_not_a_backup_is_refused_and_nothing_changes(self):
        tmp = Path(self.tmpdir())
        make_story(1, slug="kept-story")
        before = exports()
        bad = tmp / "bad.bak"
        bad.write_bytes(b"not a database at all" * 100)
        with pytest.raises(BackupError):
            restore(bad, keep_current=False)
        with pytest.raises(BackupError, match="No backup file"):
            restore(tmp / "missing.bak", keep_current=False)
        assert exports() == before

    def tmpdir(self):
        import tempfile

        directory = tempfile.mkdtemp(prefix="newsroom-backup-")
        self.addCleanup(lambda: subprocess.run(["rm", "-rf", directory]))
        return directory


def test_sqlite_backup_taken_during_a_write_is_consistent(tmp_path):
    """The online backup API copies a file another connection is writing: the copy passes the integrity check."""
    live = tmp_path / "live.sqlite3"
    db = sqlite3.connect(live)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE django_migrations (id integer primary key, name text)")
    db.execute("CREATE TABLE t (x text)")
    db.commit()
    db.execute("BEGIN")
    db.executemany("INSERT INTO t VALUES (?)", [("行" * 50,)] * 5000)  # uncommitted while the copy runs
    reader = sqlite3.connect(live)
    copy = copy_sqlite(reader, tmp_path / "copy.sqlite3")
    db.commit()
    reader.close()
    check = sqlite3.connect(copy)
    assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert check.execute("SELECT count(*) FROM t").fetchone()[0] == 0  # the committed state, not a torn one


def test_the_command_line_explains_itself():
    result = subprocess.run([sys.executable, "bench/backup.py"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "bench/backup.py restore FILE" in result.stderr
