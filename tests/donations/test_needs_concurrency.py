"""Two deliveries of two pledges racing to cover one need (issue 15.3): whichever commits
second sees the first's units, so the need is met (real threads, PostgreSQL). Today receipts
also queue on the receipt serial counter; services.needs.mark_met locks the need rows as well,
so this holds even if receiving stops being serial."""

import datetime

import pytest

from donations import services
from donations.models import Item, Location, Need
from portal import roles
from tests.factories import CommunityFactory, DonorFactory, make_user
from tests.threads import errors_of, run_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_deliveries_that_together_cover_a_need_meet_it():
    keeper = make_user(roles.WAREHOUSE)
    admin = make_user(roles.SUBDISTRICT_ADMIN)
    item = Item.objects.create(name="N95口罩", category="masks", unit="只")
    warehouse = Location.objects.create(name="仓库", kind="warehouse")
    community = CommunityFactory()
    for _round in range(4):
        need = services.create_need(
            admin,
            community=community,
            item=item,
            quantity=100,
            needed_by=datetime.date.today() + datetime.timedelta(days=3),
        )
        need = services.approve_need(services.submit_need(need, admin), admin)
        pledges = [
            services.pledge(DonorFactory(), [{"item": item, "quantity": 50}], need=need)
            for _n in range(2)
        ]
        receipts = [
            lambda p=pledge: services.receive(
                p, warehouse, [{"pledge_line": p.lines.get(), "accepted": 50}], user=keeper
            )
            for pledge in pledges
        ]
        assert errors_of(run_at_once(receipts)) == []
        need.refresh_from_db()
        assert need.status == Need.Status.MET
    assert services.check_balances() == []
