"""pg-faults: every app connection killed between requests, then a save killed in flight."""

import threading
import time

from .common import Servers, Tally, check_after_fault, publish, readers, setup_django, story_text, wait_answering


def terminate_backends():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database()"
                       " AND pid <> pg_backend_pid()")


def scenario_faults(smoke):
    setup_django()
    from django.db import DatabaseError, connection, connections, transaction

    publish(0)
    tally, stop = Tally(), threading.Event()
    servers = Servers(2)
    try:
        pool = readers(tally, servers.urls, stop, threads=2)
        for _ in range(1 if smoke else 3):
            time.sleep(0.5)
            terminate_backends()
            tally.recovery = max(tally.recovery, wait_answering(servers.urls, time.monotonic(), 30))
        stop.set()
        for thread in pool:
            thread.join()
    finally:
        servers.stop()
    # A save in flight loses its connection: nothing half-saved, and the next save succeeds.
    before = story_text()
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
    check_after_fault(tally, before, changed="a killed save left the story changed",
                      failed="the save after the kill failed")
    return tally
