"""The 500 handler: a database that stays busy answers 503 "try again", never a bare 500.

SQLite queues writers for its busy timeout (20 s, see settings); a writer still waiting then gets
"database is locked". PostgreSQL can refuse with a lock timeout, a deadlock or a serialization
failure, or lose its connection (a restart, pg_terminate_backend). None of these leaves anything
half-written (every write is one transaction), and trying again later succeeds, so the answer says
so: a 503 with Retry-After, as JSON for the desk's JSON requests and as a page otherwise.
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import defaults

RETRY_AFTER_SECONDS = 5
# Lower-cased fragments of the messages SQLite and PostgreSQL give when trying again will work.
BUSY_MESSAGES = (
    "database is locked", "database table is locked", "database is busy",  # SQLite
    "lock timeout", "deadlock detected", "could not serialize access",  # PostgreSQL
    "terminating connection", "server closed the connection", "connection is closed",
    "connection refused", "the database system is starting up", "the database system is shutting down",
    "consuming input failed", "connection already closed",
)


def is_busy(error):
    """True when ``error`` is a database refusal that a later retry can get past."""
    if not isinstance(error, OperationalError | InterfaceError):
        return False
    text = str(error).lower()
    return any(fragment in text for fragment in BUSY_MESSAGES)


def wants_json(request):
    return "application/json" in request.headers.get("Accept", "") or request.content_type == "application/json"


def server_error(request, template_name="500.html"):
    error = sys.exc_info()[1]
    if not is_busy(error):
        return defaults.server_error(request, template_name)
    message = _("The database is busy (a large import or a restart); nothing was saved. Try again in a moment.")
    if wants_json(request):
        response = JsonResponse({"ok": False, "error": message, "retry": True}, status=503)
    else:
        response = render(request, "503.html", status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
