import pytest

from content import demo as content_demo
from content import services
from portal import demo, roles
from tests.factories import make_user


@pytest.fixture
def home(db):
    return demo.load_site()


@pytest.fixture
def indexes(home):
    """(notice index, course index, story index) under the home page."""
    return content_demo.load_indexes(home)


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
