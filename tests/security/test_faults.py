"""Faults on PostgreSQL (issue 10 suites): the app's connection killed (pg_terminate_backend, as a
restart or an administrator does) between requests and in the middle of a save. A clean answer (503
"try again", never a bare 500), nothing half-saved, and the next request succeeds.

The test client leaves Django's request-boundary connection check out (it keeps the test's
connection), so ``wsgi_boundary`` does what the WSGI handler does at every request start. Restarting
the server itself is in ``make soak`` (bench/soak.py, on its own throwaway cluster): the shared
server is never restarted by a test.
"""

import threading
import time

import psycopg
import pytest
from django.db import close_old_connections, connection
from django.test import Client, TransactionTestCase
from django.urls import reverse

from articles.importing.story import dumps
from articles.models import Article, Revision
from articles.services import article_publish, export_story
from tests.articles.base import change_form_data
from tests.factories import make_story, make_user

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_terminate_backend is PostgreSQL's")


def other_connection():
    """A connection of its own to the test database (to hold locks and kill backends from)."""
    s = connection.settings_dict
    return psycopg.connect(dbname=s["NAME"], user=s["USER"], host=s["HOST"] or None, port=s["PORT"] or None,
                           password=s["PASSWORD"] or None, autocommit=True)


def app_backend_pid():
    connection.ensure_connection()
    return connection.connection.info.backend_pid


def terminate(pid):
    with other_connection() as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
        for _ in range(100):  # terminate only signals: wait until the backend is gone
            if not other.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone():
                return
            time.sleep(0.02)


def wsgi_boundary():
    """What Django's WSGI handler does when a request starts: drop a connection found broken."""
    close_old_connections()


class KilledConnectionTests(TransactionTestCase):
    def setUp(self):
        self.story = make_story(1, slug="fault-story", status="published")
        self.editor = make_user("editor")
        self.client = Client(raise_request_exception=False)

    def test_killed_between_requests_the_next_request_succeeds(self):
        assert self.client.get("/stories/fault-story/").status_code == 200
        terminate(app_backend_pid())
        wsgi_boundary()
        response = self.client.get("/stories/fault-story/?after=kill")
        assert response.status_code == 200
        self.client.force_login(self.editor)
        terminate(app_backend_pid())
        wsgi_boundary()
        assert self.client.get(reverse("admin:articles_article_changelist")).status_code == 200

    def test_killed_during_a_save_nothing_is_half_saved_and_the_next_save_succeeds(self):
        working = Article.objects.working().get(slug="fault-story")
        before, revisions = dumps(export_story(working)), Revision.objects.count()
        self.client.force_login(self.editor)
        url = reverse("admin:articles_article_change", args=[working.pk])
        form = change_form_data(working, title="改過的標題", dek="改過的導言")
        pid = app_backend_pid()
        holder = other_connection()
        # The save updates the story, then waits to write its revision: killed there, half-way.
        holder.execute("BEGIN")
        holder.execute("LOCK TABLE articles_revision IN EXCLUSIVE MODE")

        def kill_when_waiting():
            with other_connection() as watcher:
                for _ in range(500):
                    row = watcher.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s",
                                          [pid]).fetchone()
                    if row and row[0] == "Lock":
                        break
                    time.sleep(0.01)
            terminate(pid)

        killer = threading.Thread(target=kill_when_waiting)
        killer.start()
        try:
            response = self.client.post(url, form)
        finally:
            killer.join()
            holder.execute("ROLLBACK")
            holder.close()
        assert response.status_code == 503, response.status_code
        assert response["Retry-After"]
        wsgi_boundary()
        working.refresh_from_db()
        assert dumps(export_story(working)) == before and Revision.objects.count() == revisions  # nothing half-saved
        assert working.title != "改過的標題"
        response = self.client.post(url, form)  # the same form again: its version is still the current one
        assert response.status_code == 302, response.status_code
        working.refresh_from_db()
        assert working.title == "改過的標題" and Revision.objects.count() == revisions + 1

    def test_a_publish_killed_half_way_leaves_the_live_story_as_it_was(self):
        live_before = dumps(export_story(Article.objects.live().get(slug="fault-story")))
        pid = app_backend_pid()
        holder = other_connection()
        holder.execute("BEGIN")
        holder.execute("LOCK TABLE articles_revision IN EXCLUSIVE MODE")
        Article.objects.working().filter(slug="fault-story").update(title="新版本的標題")
        killer = threading.Thread(target=lambda: (time.sleep(0.5), terminate(pid)))
        killer.start()
        try:
            with pytest.raises(Exception):
                article_publish(article=Article.objects.working().get(slug="fault-story"))
        finally:
            killer.join()
            holder.execute("ROLLBACK")
            holder.close()
        wsgi_boundary()
        connection.close()
        assert dumps(export_story(Article.objects.live().get(slug="fault-story"))) == live_before
        assert self.client.get("/stories/fault-story/").status_code == 200
        article_publish(article=Article.objects.working().get(slug="fault-story"))
        assert "新版本的標題" in self.client.get("/stories/fault-story/").content.decode()
