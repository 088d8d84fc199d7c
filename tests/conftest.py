import pytest
from django.db import connection

from portal import roles, sms
from tests.factories import CommunityFactory, CompoundFactory, PostFactory, make_user


@pytest.fixture(autouse=True)
def _clean_outboxes(settings):
    sms.outbox.clear()
    yield
    sms.outbox.clear()


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield


def pytest_collection_modifyitems(config, items):
    skip = pytest.mark.skip(reason="needs PostgreSQL (DATABASE_URL=postgres://...)")
    for item in items:
        if "postgres" in item.keywords and connection.vendor != "postgresql":
            item.add_marker(skip)


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
