"""pg-restart: PostgreSQL itself restarted under readers and a save in flight (on the soak's own cluster)."""

import json
import os
import subprocess
import threading
import time

from .common import Servers, Tally, check_after_fault, publish, readers, setup_django, story_text, wait_answering


def scenario_restart(smoke):
    setup_django()
    from django.db import DatabaseError, close_old_connections, connection, transaction

    publish(0)
    before = story_text()
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
        tally.recovery = wait_answering(servers.urls, restarted, 60)
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
    check_after_fault(tally, before, changed="the save interrupted by the restart left the story changed",
                      failed="the save after the restart failed")
    return tally
