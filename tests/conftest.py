import pytest
from django.db import connection
from django.db.models.signals import post_migrate
from django.utils import translation

from portal import roles, sms
from tests import dbcache
from tests.cache import clear_this_runs_cache
from tests.factories import CommunityFactory, CompoundFactory, PostFactory, make_user


@pytest.fixture(scope="session")
def django_db_setup(
    request,
    django_test_environment,
    django_db_blocker,
    django_db_use_migrations,
    django_db_keepdb,
    django_db_createdb,
    django_db_modify_db_settings,
):
    """pytest-django's database set-up, from a migrated copy kept between runs (tests/dbcache.py)
    unless --reuse-db, --create-db, --no-migrations or PORTAL_TEST_DB_CACHE=0 ask for the ordinary way."""
    from django.test.utils import setup_databases, teardown_databases
    from pytest_django.fixtures import _disable_migrations, _get_databases_for_setup

    verbosity = request.config.option.verbose
    aliases, serialized_aliases = _get_databases_for_setup(request.session.items)
    with django_db_blocker.unblock():
        ordinary = django_db_keepdb or django_db_createdb or not django_db_use_migrations
        if dbcache.enabled() and not ordinary:
            db_cfg = dbcache.setup_databases(verbosity, aliases, serialized_aliases)
        else:
            if not django_db_use_migrations:
                _disable_migrations()
            db_cfg = setup_databases(
                verbosity=verbosity,
                interactive=False,
                aliases=aliases,
                serialized_aliases=serialized_aliases,
                keepdb=django_db_keepdb and not django_db_createdb,
            )
    yield
    if not django_db_keepdb:
        with django_db_blocker.unblock():
            teardown_databases(db_cfg, verbosity=verbosity)


def _wagtail_root_collection_after_a_flush(sender, app_config=None, using="default", **kwargs):
    """Between transactional tests (browser journeys, concurrency) Django empties every table
    and sends post_migrate: Wagtail's root collection, which its migration 0025 makes and code
    takes for granted (images and documents go in it, the editors' permissions are on it), is put
    back as that migration makes it. Without this a transactional test that needs it passed only
    when it ran first on its worker."""
    if app_config is None or app_config.label != "wagtailcore":
        return
    from wagtail.models import Collection

    if not Collection.objects.using(using).exists():
        Collection.add_root(name="Root")


post_migrate.connect(
    _wagtail_root_collection_after_a_flush, dispatch_uid="tests.wagtail_root_collection"
)


def _flush_by_delete(ops, style, tables, *, reset_sequences=False, allow_cascade=False):
    """PostgreSQL's flush for the tests: DELETE FROM each table instead of one TRUNCATE of all
    of them. After each transactional test (browser journeys, concurrency, migrations) Django
    empties every table; TRUNCATE gives each of the ~150 tables new files on disk, which took
    4-15 s a test on a busy machine, while deleting the few rows a test made takes
    milliseconds. The result is the same: every table empty, sequences left as they are (a
    flush that resets them still goes the TRUNCATE ... RESTART IDENTITY way). The foreign keys
    Django makes are deferred, so the order of the DELETEs does not matter inside the flush's
    transaction."""
    if not tables or reset_sequences:
        return _truncate_flush(
            ops, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )
    return ["SET CONSTRAINTS ALL DEFERRED;"] + [
        f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(ops.quote_name(table))};"
        for table in tables
    ]


try:
    from django.db.backends.postgresql.operations import DatabaseOperations as _PostgresOps
except ImportError:  # pragma: no cover - psycopg not installed: SQLite only
    _truncate_flush = None
else:
    _truncate_flush = _PostgresOps.sql_flush
    _PostgresOps.sql_flush = _flush_by_delete


@pytest.fixture(autouse=True)
def _reference_index_left_to_its_task(request):
    """Wagtail keeps an index of what each page, image and document refers to (for its
    "usage" screens), updated by a background task after every save of one. In production that
    task runs on the worker; the tests run tasks as they are enqueued, so every page a fixture
    built paid for it three or four times over (a save, a revision, a publish): about a tenth
    of the suite's time. Here the index is left as it is before the worker has run, unless a
    test is marked `reference_index`. (Wagtail connects the handlers again after each flush of
    a transactional test, hence per test.)"""
    from wagtail.signal_handlers import (
        connect_reference_index_signal_handlers,
        disconnect_reference_index_signal_handlers,
    )

    if request.node.get_closest_marker("reference_index"):
        connect_reference_index_signal_handlers()
    else:
        disconnect_reference_index_signal_handlers()
    yield


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language (Chinese): a request to an /en/ page leaves
    English active in the thread (LocaleMiddleware activates it and nothing deactivates it), which
    would otherwise carry over to whichever test the same worker runs next."""
    translation.deactivate()
    yield


@pytest.fixture(autouse=True)
def _clean_outboxes(settings):
    sms.outbox.clear()
    yield
    sms.outbox.clear()


@pytest.fixture(autouse=True)
def _clear_cache():
    clear_this_runs_cache()
    yield


def pytest_sessionfinish(session, exitstatus):
    clear_this_runs_cache()


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "reference_index: Wagtail's reference index is kept up to date on every save "
        "(see _reference_index_left_to_its_task)",
    )
    config.addinivalue_line(
        "markers",
        "mfa_enforced: client.force_login makes a session with no second factor given "
        "(see _force_login_passes_mfa)",
    )


@pytest.fixture(autouse=True)
def _force_login_passes_mfa(request, monkeypatch):
    """Staff need a second factor (portal/accounts/staff.py), and exports of personal data ask
    for re-authentication (allauth's @reauthentication_required). Tests that just need a
    logged-in member of staff use `client.force_login(user)`, so here a session made that way
    counts as one in which the person has just given a code from their authenticator app: it
    holds the record allauth writes after a good code (allauth's record_authentication, method
    "mfa", reauthenticated), which passes the admin's door for the whole session and exports
    for ACCOUNT_REAUTHENTICATION_TIMEOUT (5 minutes).

    Tests of the door and of re-authentication are marked `@pytest.mark.mfa_enforced`: their
    force_login makes a session with no second factor given, as a password or SMS-code log-in
    alone would (tests/portal/test_mfa.py)."""
    if request.node.get_closest_marker("mfa_enforced"):
        return
    from allauth.account.internal.flows.login import record_authentication
    from django.http import HttpRequest
    from django.test import Client

    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        fake = HttpRequest()
        fake.session = self.session
        record_authentication(fake, user, "mfa", type="totp", reauthenticated=True)
        fake.session.save()

    monkeypatch.setattr(Client, "force_login", force_login)


def pytest_collection_modifyitems(config, items):
    skip = pytest.mark.skip(reason="needs PostgreSQL (DATABASE_URL=postgres://...)")
    for item in items:
        if "postgres" in item.keywords and connection.vendor != "postgresql":
            item.add_marker(skip)
    _without_database_first(items)
    _xdist_groups(config, items)


def _without_database_first(items):
    """pytest-django orders the tests as Django does: those in a transaction first, then the
    transactional ones (which empty the tables after them), then those that use no database at
    all. The last ones can run at any point; some of them are long (production settings
    probed in a subprocess, the log format, imports checked in a fresh interpreter), and at the
    very end of the run one worker was left with them while the other had finished. Here they
    run first, so that the run ends on the transactional tests, the others keeping their
    order."""
    from django.test import TransactionTestCase

    def uses_database(item):
        if isinstance(getattr(item, "cls", None), type) and issubclass(
            item.cls, TransactionTestCase
        ):
            return True
        fixtures = getattr(item, "fixturenames", ())
        return bool(
            item.get_closest_marker("django_db")
            or {"db", "transactional_db", "live_server"} & set(fixtures)
        )

    items.sort(key=uses_database)


def _xdist_groups(config, items):
    """`--dist loadgroup` (make test) sends the tests of one `xdist_group` to one worker: a
    worker says which group a test is in by appending "@group" to its id. pytest-xdist 3.8 does
    that on `item._nodeid`, which pytest 9 no longer reads (the id lives in `item._id`), so
    without this each group's tests were spread over the workers and a module's shared fixture
    (the demo data, tests/portal/test_demo.py) was built on each."""
    if not getattr(config.option, "loadgroup", False):
        return
    from _pytest.nodeid import NodeId

    for item in items:
        names = {
            str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
            for mark in item.iter_markers("xdist_group")
        }
        if names and "@" not in item.nodeid and hasattr(item, "_id"):
            item._id = NodeId.parse(f"{item.nodeid}@{'_'.join(sorted(names))}")


@pytest.fixture
def community(db):
    return CommunityFactory(name="民岳家园社区", slug="minyue-jiayuan")


@pytest.fixture
def other_community(db):
    return CommunityFactory(name="蔚园社区", slug="weiyuan")


@pytest.fixture
def compound(community):
    return CompoundFactory(community=community, name="民岳家园一区")


@pytest.fixture
def post(compound):
    return PostFactory(compound=compound, name="北门")


@pytest.fixture
def coordinator(community):
    return make_user(roles.COORDINATOR, [community], username="coord")


@pytest.fixture
def other_coordinator(other_community):
    return make_user(roles.COORDINATOR, [other_community], username="coord2")


@pytest.fixture
def subdistrict_admin(db):
    return make_user(roles.SUBDISTRICT_ADMIN, username="sdadmin")


@pytest.fixture
def warehouse_keeper(db):
    return make_user(roles.WAREHOUSE, username="keeper")
