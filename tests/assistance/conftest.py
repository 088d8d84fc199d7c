import pytest

from tests.factories import make_user


@pytest.fixture
def resident(db):
    """A signed-up resident (a household in home quarantine) with a mobile number."""
    return make_user(username="resident", phone="13911112222")
