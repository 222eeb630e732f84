"""Back up and restore the Newsroom database, SQLite or PostgreSQL (`make backup`, `make restore`).

    python bench/backup.py backup [FILE]     # default: backups/newsroom-<UTC time>.sqlite3 or .dump
    python bench/backup.py restore FILE      # replaces the database's content with FILE's

SQLite is copied with the online backup API, page by page under SQLite's own locking, so a copy
taken while the site is writing is still consistent; both the copy and a file about to be restored
must pass `PRAGMA integrity_check`. PostgreSQL uses `pg_dump -Fc` and `pg_restore --clean
--single-transaction --exit-on-error`: a restore that fails changes nothing. Before a restore the
current database is saved beside the backups (before-restore-<time>), and the shared page cache is
cleared; restart the app servers so per-process caches start empty too.
"""

import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BACKUP_DIR = ROOT / "backups"


class BackupError(Exception):
    pass


def _stamp():
    return datetime.now(UTC).strftime("%Y%m%d-%H%M%S")


def _is_sqlite(connection):
    return connection.vendor == "sqlite"


def default_path(connection, prefix="newsroom", directory=None):
    return (directory or BACKUP_DIR) / f"{prefix}-{_stamp()}.{'sqlite3' if _is_sqlite(connection) else 'dump'}"


def _check_sqlite_file(path):
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        result = db.execute("PRAGMA integrity_check").fetchone()[0]
        has_tables = db.execute("SELECT count(*) FROM sqlite_master WHERE name = 'django_migrations'").fetchone()[0]
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a SQLite database ({error}).") from None
    finally:
        db.close()
    if result != "ok":
        raise BackupError(f"{path} failed SQLite's integrity check: {result}")
    if not has_tables:
        raise BackupError(f"{path} is not a Newsroom database (no django_migrations table).")


def _pg_env(settings_dict):
    env = dict(os.environ)
    for key, name in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if settings_dict.get(key):
            env[name] = str(settings_dict[key])
    return env


def _run(args, settings_dict):
    result = subprocess.run(args, env=_pg_env(settings_dict), capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{args[0]} failed ({result.returncode}): {result.stderr.strip()}")


def copy_sqlite(source, path):
    """Copy the open sqlite3 connection ``source`` to the file ``path`` with the online backup API."""
    tmp = path.with_name(path.name + ".partial")
    target = sqlite3.connect(tmp)
    try:
        source.backup(target)
    finally:
        target.close()
    _check_sqlite_file(tmp)
    tmp.replace(path)  # a half-written file never carries the final name
    return path


def backup(path=None, *, connection=None):
    """Write a consistent copy of the database to ``path``; return the path."""
    from django.db import connection as default_connection

    connection = connection or default_connection
    path = Path(path) if path else default_path(connection)
    path.parent.mkdir(parents=True, exist_ok=True)
    if _is_sqlite(connection):
        connection.ensure_connection()
        copy_sqlite(connection.connection, path)
    else:
        settings_dict = connection.settings_dict
        tmp = path.with_name(path.name + ".partial")
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(tmp),
              settings_dict["NAME"]], settings_dict)
        tmp.replace(path)
    return path


def restore(path, *, connection=None, keep_current=True, safety_dir=None):
    """Replace the database's content with the backup at ``path``; return the safety copy (or None).

    The safety copy of the database as it was goes to ``safety_dir`` (default: backups/)."""
    from django.core.cache import caches
    from django.db import connection as default_connection

    connection = connection or default_connection
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"No backup file at {path}.")
    safety = (backup(default_path(connection, "before-restore", safety_dir), connection=connection)
              if keep_current else None)
    if _is_sqlite(connection):
        _check_sqlite_file(path)
        connection.ensure_connection()
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            source.backup(connection.connection)  # page by page, under the live database's write lock
        finally:
            source.close()
    else:
        settings_dict = connection.settings_dict
        connection.close()  # our own idle session must not hold a lock on a table pg_restore drops
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
              "--exit-on-error", "--dbname", settings_dict["NAME"], str(path)], settings_dict)
    for cache in caches.all():
        cache.clear()
    return safety


def main(argv):
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    django.setup()
    if len(argv) < 1 or argv[0] not in ("backup", "restore") or (argv[0] == "restore" and len(argv) < 2):
        backups = sorted(BACKUP_DIR.glob("*")) if BACKUP_DIR.exists() else []
        print("\n\n".join(__doc__.strip().split("\n\n")[:2]), file=sys.stderr)
        if backups:
            print("Backups here:\n  " + "\n  ".join(str(p.relative_to(ROOT)) for p in backups), file=sys.stderr)
        return 2
    try:
        if argv[0] == "backup":
            print(f"Backed up to {backup(argv[1] if len(argv) > 1 else None)}")
        else:
            safety = restore(argv[1])
            print(f"Restored {argv[1]} (the database as it was is in {safety}); restart the app servers.")
    except BackupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
