"""The embedded SQLite set-up makes concurrent writers wait for each other instead of failing
with "database is locked" (WAL, a busy timeout, IMMEDIATE transactions)."""

import threading
import time

from django.db import connections, transaction
from django.db.backends.sqlite3.base import DatabaseWrapper

from portal.settings.base import database_from_url


def connect(path):
    config = database_from_url(f"sqlite:///{path}")
    config.update(
        {
            "TIME_ZONE": None,
            "AUTOCOMMIT": True,
            "ATOMIC_REQUESTS": False,
            "CONN_HEALTH_CHECKS": False,
            "TEST": {},
        }
    )
    return DatabaseWrapper(config, alias=f"concurrency-{threading.get_ident()}")


def test_two_writers_at_once_both_succeed(tmp_path, django_db_blocker):
    # These are private connections to a scratch file, not the test database.
    django_db_blocker.unblock()
    path = tmp_path / "concurrent.sqlite3"
    setup = connect(path)
    with setup.cursor() as cursor:
        cursor.execute("CREATE TABLE counter (id INTEGER PRIMARY KEY, value INTEGER NOT NULL)")
        cursor.execute("INSERT INTO counter VALUES (1, 0)")
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
    setup.close()

    errors = []
    start = threading.Barrier(4)

    def writer():
        connection = connect(path)
        try:
            start.wait()
            connections["scratch"] = connection  # per thread, like Django's own connections
            for _ in range(20):
                with transaction.atomic(using="scratch"), connection.cursor() as cursor:
                    cursor.execute("SELECT value FROM counter WHERE id = 1")
                    value = cursor.fetchone()[0]
                    time.sleep(0.002)  # hold the write lock a moment, as a real save would
                    cursor.execute("UPDATE counter SET value = %s WHERE id = 1", [value + 1])
        except Exception as error:  # noqa: BLE001 - the test reports any failure
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    check = connect(path)
    with check.cursor() as cursor:
        cursor.execute("SELECT value FROM counter WHERE id = 1")
        # IMMEDIATE transactions serialise the read-then-write, so no update is lost.
        assert cursor.fetchone()[0] == 80
    check.close()
