import datetime

import pytest

from donations import services
from donations.models import Item, Location
from portal import roles
from tests.factories import DonorFactory, DonorRepresentativeFactory, make_user


@pytest.fixture
def warehouse(db):
    return Location.objects.create(name="街道物资仓库", kind=Location.Kind.WAREHOUSE)


@pytest.fixture
def masks(db):
    return Item.objects.create(
        name="医用外科口罩", category=Item.Category.MASKS, unit="只", specification="一次性使用"
    )


@pytest.fixture
def disinfectant(db):
    return Item.objects.create(
        name="84消毒液", category=Item.Category.DISINFECTANT, unit="瓶", specification="500ml"
    )


@pytest.fixture
def donor(db):
    return DonorFactory(name="北京公共交通控股(集团)有限公司", public_name_consent=True)


@pytest.fixture
def other_donor(db):
    return DonorFactory(name="中都投资集团有限公司", public_name_consent=False)


@pytest.fixture
def donor_user(donor):
    user = make_user(roles.DONOR_REP, username="rep")
    DonorRepresentativeFactory(user=user, donor=donor)
    return user


@pytest.fixture
def other_donor_user(other_donor):
    user = make_user(roles.DONOR_REP, username="rep2")
    DonorRepresentativeFactory(user=user, donor=other_donor)
    return user


def in_days(n):
    return datetime.date.today() + datetime.timedelta(days=n)


@pytest.fixture
def stocked(donor, masks, disinfectant, warehouse, warehouse_keeper):
    """Two mask lots (different expiry) and one disinfectant lot in the warehouse."""
    pledge = services.pledge(
        donor,
        [
            {"item": masks, "quantity": 5000, "lot_number": "M-LATE", "expiry": in_days(300)},
            {"item": masks, "quantity": 1000, "lot_number": "M-EARLY", "expiry": in_days(60)},
            {"item": disinfectant, "quantity": 200, "lot_number": "D-1", "expiry": in_days(400)},
        ],
        user=warehouse_keeper,
    )
    late, early, bottles = pledge.lines.order_by("pk")
    receipt = services.receive(
        pledge,
        warehouse,
        [
            {"pledge_line": late, "accepted": 4800, "rejected": 200, "reason": "非医用级"},
            {"pledge_line": early, "accepted": 1000},
            {"pledge_line": bottles, "accepted": 200},
        ],
        user=warehouse_keeper,
    )
    return {"pledge": pledge, "receipt": receipt, "late": late, "early": early, "bottles": bottles}
