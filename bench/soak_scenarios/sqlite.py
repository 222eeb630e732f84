"""sqlite: one gunicorn on SQLite, logins (each one writes) while a 2 MB story is imported."""

import json
import os
import subprocess
import tempfile
import threading
from pathlib import Path

from .common import PASSWORD, PYTHON, ROOT, Servers, Tally, login, publish, readers, setup_django


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
