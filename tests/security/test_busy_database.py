"""A busy database answers 503 "try again" (issue 10 item 7), never a 500, and nothing is half-written."""

import json
import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import OperationalError, connection, connections
from django.test import Client, RequestFactory, TransactionTestCase
from django.urls import reverse
from django.utils import translation

from newsroom.errors import is_busy, server_error


def answer_to(error, **headers):
    request = RequestFactory().post("/admin/articles/article/1/desk/annotations/", **headers)
    try:
        raise error
    except Exception:
        return server_error(request)


def test_busy_errors_answer_503_with_retry_after():
    with translation.override("zh-hant"):  # the default language (tests otherwise run in English)
        response = answer_to(OperationalError("database is locked"))
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert "請稍後再試" in response.content.decode()
    with translation.override("zh-hant"):
        response = answer_to(OperationalError("canceling statement due to lock timeout"), HTTP_ACCEPT="application/json")
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["ok"] is False and body["retry"] is True and "請稍後再試" in body["error"]


def test_other_errors_stay_500():
    assert answer_to(OperationalError("no such table: articles_article")).status_code == 500
    assert answer_to(ValueError("database is locked")).status_code == 500
    assert not is_busy(None)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's single writer lock")
class LockedSQLiteTests(TransactionTestCase):
    def test_a_login_while_another_writer_holds_the_lock_answers_503_then_works(self):
        get_user_model().objects.create_user("editor", password="pw-busy-123", is_staff=True)
        holding, release = threading.Event(), threading.Event()

        def writer():
            other = connections.create_connection("default")
            other.ensure_connection()
            other.connection.execute("BEGIN IMMEDIATE")  # as a long import holds it
            holding.set()
            release.wait(30)
            other.connection.execute("ROLLBACK")
            other.close()

        thread = threading.Thread(target=writer)
        thread.start()
        holding.wait(10)
        client = Client(raise_request_exception=False)
        try:
            response = client.post(reverse("admin:login"), {"username": "editor", "password": "pw-busy-123"})
        finally:
            release.set()
            thread.join()
        assert response.status_code == 503, response.status_code
        assert "_auth_user_id" not in client.session
        response = client.post(reverse("admin:login"), {"username": "editor", "password": "pw-busy-123"})
        assert response.status_code == 302 and "_auth_user_id" in client.session
