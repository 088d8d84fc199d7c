"""The donor's page and the coordinator's dashboard panels are fragments kept in the cache
(portal.fragments): reused while nothing they show changes, dropped at once by a pledge, a
receipt, a movement of stock or a help request's change."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_user
from tests.factories.donations import (
    DonorFactory,
    DonorRepresentativeFactory,
    ItemFactory,
    LocationFactory,
    PledgeFactory,
    PledgeLineFactory,
)

pytestmark = pytest.mark.django_db

MINE = "/donations/mine/"


@pytest.fixture
def donor_user():
    donor = DonorFactory(verified=True)
    user = make_user(username="fragment-donor", phone="13712340002")
    DonorRepresentativeFactory(donor=donor, user=user)
    return user


def test_the_donors_page_is_reused_then_shows_a_new_pledge_at_once(client, donor_user):
    donor = donor_user.donor_representations.get().donor
    first = PledgeFactory(donor=donor)
    client.force_login(donor_user)
    assert f"/donations/pledges/{first.pk}/" in client.get(MINE).content.decode()
    with CaptureQueriesContext(connection) as warm:
        client.get(MINE)
    # the session (in the database in tests), the user, her donors: the list is the fragment
    assert len(warm) <= 4, [q["sql"][:80] for q in warm.captured_queries]
    second = PledgeFactory(donor=donor)
    assert f"/donations/pledges/{second.pk}/" in client.get(MINE).content.decode()


def test_goods_received_and_sent_on_show_on_the_donors_page_at_once(
    client, donor_user, community, warehouse_keeper
):
    from donations import services
    from donations.models import Lot
    from donations.services.ledger import community_store

    donor = donor_user.donor_representations.get().donor
    pledge = PledgeFactory(donor=donor)
    line = PledgeLineFactory(pledge=pledge, item=ItemFactory(), quantity=500)
    client.force_login(donor_user)
    before = client.get(MINE).content.decode()
    warehouse = LocationFactory()
    services.receive(
        pledge, warehouse, [{"pledge_line": line, "accepted": 500}], user=warehouse_keeper
    )
    received = client.get(MINE).content.decode()
    assert received != before
    store = community_store(community)
    services.transfer(
        Lot.objects.get(pledge_line=line), warehouse, store, 100, user=warehouse_keeper
    )
    sent_on = client.get(MINE).content.decode()
    assert sent_on != received and community.name in sent_on


def urgent_line(client):
    import re

    page = client.get("/admin/").content.decode()
    found = re.search(r"\?urgency=urgent\">([^<]*)<", page)
    assert found, "the coordination panel is on the dashboard"
    return found.group(1)


def test_the_coordinators_panel_shows_a_new_urgent_request_at_once(
    client, coordinator, community, compound
):
    from assistance.models import HelpRequest
    from tests.factories.assistance import HelpRequestFactory

    client.force_login(coordinator)
    assert urgent_line(client).startswith("0")
    with CaptureQueriesContext(connection) as first:
        urgent_line(client)
    HelpRequestFactory(compound=compound, urgency=HelpRequest.Urgency.URGENT)
    with CaptureQueriesContext(connection) as again:
        assert urgent_line(client).startswith("1")
    assert len(again) > len(first)  # recomputed, where the copy was reused before
    # a status change made with a conditional update drops it too
    HelpRequest.objects.filter(compound=compound).update(status=HelpRequest.Status.CLOSED)
    assert urgent_line(client).startswith("0")
