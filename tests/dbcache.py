"""The test database, migrated once per state of the migrations and copied for each run.

Migrating an empty database costs some 30 s of CPU, and each pytest-xdist worker used to pay it
on every run. Here the first worker to need a database migrates it as before and keeps a copy
named by a hash of every migration file (and the Django version): a SQLite file under
.pytest-dbcache/ (the test database itself stays in memory), or a PostgreSQL template database
`tpl_<hash>_<name>`. Every other worker, and every later run, starts from a copy of it, made
under a lock so that only one process migrates. A changed, added or removed migration changes
the hash: the copy is built again and the old one removed.

What `migrate` does besides the migrations is done again on each copy: the post_migrate signal
is sent, so the roles' groups and permissions (portal.roles.sync_roles), the content types and
the Wagtail Site follow the code as it is now, just as after a `migrate` with nothing to apply.

`PORTAL_TEST_DB_CACHE=0` (or pytest-django's --reuse-db, --create-db or --no-migrations) sets
the database up the ordinary way; removing .pytest-dbcache/ makes the SQLite copy again."""

import contextlib
import fcntl
import hashlib
import os
import re
import sqlite3
from importlib import import_module
from pathlib import Path

import django
from django.apps import apps
from django.conf import settings
from django.db import connections
from django.db.migrations.loader import MigrationLoader

CACHE_DIR = Path(
    os.environ.get(
        "PORTAL_TEST_DB_CACHE_DIR", Path(__file__).resolve().parents[1] / ".pytest-dbcache"
    )
)


def enabled():
    return os.environ.get("PORTAL_TEST_DB_CACHE", "1") != "0"


def migration_state_hash(connection):
    """A hash of what makes the migrated database what it is: every installed app's migration
    files, the Django version, the database engine and this module."""
    digest = hashlib.sha256()
    digest.update(f"{django.__version__}|{connection.vendor}|{sqlite3.sqlite_version}".encode())
    digest.update(Path(__file__).read_bytes())
    for config in apps.get_app_configs():
        digest.update(f"|app:{config.label}".encode())
        module_name, _ = MigrationLoader.migrations_module(config.label)
        if module_name is None:
            continue
        try:
            module = import_module(module_name)
        except ImportError:
            continue
        for directory in getattr(module, "__path__", []):
            for path in sorted(Path(directory).glob("*.py")):
                digest.update(f"|{path.name}|".encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:20]


@contextlib.contextmanager
def _file_lock(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _use_test_name(connection, test_name):
    """What Django's create_test_db does once the test database exists: point the settings and
    the connection at it."""
    connection.close()
    settings.DATABASES[connection.alias]["NAME"] = test_name
    connection.settings_dict["NAME"] = test_name


def _migrate_the_ordinary_way(connection, verbosity):
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(
        verbosity=verbosity, autoclobber=True, serialize=False, keepdb=False
    )
    return old_name


def _after_copy(connection, verbosity):
    """What `migrate` does after applying nothing: post_migrate, for every app."""
    from django.core.management.sql import emit_post_migrate_signal

    connection.ensure_connection()
    emit_post_migrate_signal(max(verbosity - 1, 0), False, connection.alias)


# --- SQLite: a migrated file, copied into the worker's database with the backup API ----------


def _sqlite(connection, verbosity):
    state = migration_state_hash(connection)
    template = CACHE_DIR / f"sqlite-{state}.sqlite3"
    creation = connection.creation
    old_name = connection.settings_dict["NAME"]
    if not template.exists():
        with _file_lock(CACHE_DIR / "sqlite.lock"):
            if not template.exists():
                old_name = _migrate_the_ordinary_way(connection, verbosity)
                partial = template.with_suffix(".partial")
                partial.unlink(missing_ok=True)
                target = sqlite3.connect(partial)
                try:
                    connection.ensure_connection()
                    connection.connection.backup(target)
                finally:
                    target.close()
                os.replace(partial, template)
                for stale in CACHE_DIR.glob("sqlite-*.sqlite3"):
                    if stale != template:
                        stale.unlink(missing_ok=True)
                return old_name
    test_name = creation._get_test_db_name()
    if not creation.is_in_memory_db(test_name):
        # a TEST NAME on disk: the old file goes, Django's own way
        creation._create_test_db(verbosity, autoclobber=True, keepdb=False)
    _use_test_name(connection, test_name)
    connection.ensure_connection()
    source = sqlite3.connect(f"file:{template}?mode=ro", uri=True)
    try:
        source.backup(connection.connection)
    finally:
        source.close()
    _after_copy(connection, verbosity)
    return old_name


# --- PostgreSQL: a template database, cloned with CREATE DATABASE ... TEMPLATE ---------------


def _template_name(state, name):
    return f"tpl_{state}_{name}"[:63]


def _postgresql(connection, verbosity):
    state = migration_state_hash(connection)
    creation = connection.creation
    quote = connection.ops.quote_name
    old_name = connection.settings_dict["NAME"]
    test_name = creation._get_test_db_name()
    template = _template_name(state, old_name)
    # An advisory lock on the server: released by PostgreSQL itself if this process dies.
    lock_key = int(hashlib.sha256(f"portal-test-db:{old_name}".encode()).hexdigest()[:15], 16)
    with creation._nodb_cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [lock_key])
        try:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template])
            if cursor.fetchone() is None:
                _migrate_the_ordinary_way(connection, verbosity)
                connections.close_all()
                cursor.execute(f"CREATE DATABASE {quote(template)} TEMPLATE {quote(test_name)}")
                # the copies of this database made for other states of the migrations
                cursor.execute("SELECT datname FROM pg_database WHERE datname LIKE 'tpl%%'")
                for (name,) in cursor.fetchall():
                    other = re.fullmatch(r"tpl_([0-9a-f]{20})_.*", name)
                    if name != template and other and name == _template_name(other[1], old_name):
                        cursor.execute(f"DROP DATABASE IF EXISTS {quote(name)}")
                return old_name
            cursor.execute(f"DROP DATABASE IF EXISTS {quote(test_name)}")
            cursor.execute(f"CREATE DATABASE {quote(test_name)} TEMPLATE {quote(template)}")
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [lock_key])
    _use_test_name(connection, test_name)
    _after_copy(connection, verbosity)
    return old_name


def setup_databases(verbosity, aliases, serialized_aliases):
    """django.test.utils.setup_databases for this project's one database, from the copy when
    the backend has one; returns what teardown_databases takes."""
    old_config = []
    for alias in aliases:
        connection = connections[alias]
        if connection.vendor == "sqlite":
            old_name = _sqlite(connection, verbosity)
        elif connection.vendor == "postgresql":
            old_name = _postgresql(connection, verbosity)
        else:
            old_name = _migrate_the_ordinary_way(connection, verbosity)
        if alias in serialized_aliases:
            connection._test_serialized_contents = connection.creation.serialize_db_to_string()
        old_config.append((connection, old_name, True))
    return old_config


def main():
    """`python -m tests.dbcache`: make the migrated copy for the database the environment names
    (DATABASE_URL, as the tests read it) before any test runs; .ci/run makes the PostgreSQL
    and the SQLite copies at once, one core each, instead of one worker of each run migrating
    while the other waits."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
    django.setup()
    from django.test.utils import setup_test_environment, teardown_databases

    setup_test_environment()
    old_config = setup_databases(verbosity=1, aliases={"default"}, serialized_aliases=set())
    teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    main()
