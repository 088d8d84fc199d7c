import pytest
from django.db import transaction
from wagtail.models import Page

from content import demo as content_demo
from content import services
from portal import demo, roles
from tests.factories import make_user


@pytest.fixture(scope="module")
def _site(django_db_setup, django_db_blocker):
    """The home page and its three index pages, built once for a module's tests (on each
    worker that runs some) in a transaction rolled back after the last of them; each test runs
    in a savepoint inside it, so what one test writes is gone before the next. Wagtail pages
    are the dearest records to make (tree, revision, publishing, search index): made for each
    test, they were most of this folder's time."""
    with django_db_blocker.unblock(), transaction.atomic():
        home = demo.load_site()
        indexes = content_demo.load_indexes(home)
        yield home.pk, [page.pk for page in indexes]
        transaction.set_rollback(True)


def _fresh(pk):
    """A page as the database has it now: each test gets its own object, since one that an
    earlier test changed in memory (adding a child moves its tree counters) must not be
    reused."""
    return Page.objects.get(pk=pk).specific


@pytest.fixture
def home(_site, db):
    return _fresh(_site[0])


@pytest.fixture
def indexes(_site, home):
    """(notice index, course index, story index) under the home page."""
    return tuple(_fresh(pk) for pk in _site[1])


@pytest.fixture
def notice_index(indexes):
    return indexes[0]


@pytest.fixture
def course_index(indexes):
    return indexes[1]


@pytest.fixture
def story_index(indexes):
    return indexes[2]


@pytest.fixture
def editorial(home):
    return services.setup_editorial(home)


@pytest.fixture
def section(home, community, editorial):
    return services.setup_community_section(community, home)


@pytest.fixture
def other_section(home, other_community, editorial):
    return services.setup_community_section(other_community, home)


@pytest.fixture
def community_editor(community):
    return make_user(roles.EDITOR, [community], username="ceditor")


@pytest.fixture
def other_community_editor(other_community):
    return make_user(roles.EDITOR, [other_community], username="ceditor2")


@pytest.fixture
def subdistrict_editor(db):
    return make_user(roles.EDITOR, username="sdeditor")


@pytest.fixture
def volunteer_user(db):
    return make_user(roles.VOLUNTEER, username="vol")


@pytest.fixture(autouse=True)
def _chinese_by_default():
    """Each test starts in Chinese, whatever language an earlier request left active."""
    from django.utils import translation

    translation.activate("zh-hans")
    yield
    translation.deactivate()
