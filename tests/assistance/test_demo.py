import io

import pytest

from assistance import demo
from assistance.models import HelpRequest
from donations import demo as donations_demo
from portal import demo as portal_demo
from portal.models import Community, User
from tests.factories import VolunteerProfileFactory

pytestmark = pytest.mark.django_db


def test_demo_requests_in_minyue_idempotent():
    portal_demo.load_places()
    portal_demo.load_accounts()
    donations_demo.load(stdout=io.StringIO())
    minyue = Community.objects.get(slug="minyue-jiayuan")
    VolunteerProfileFactory(community=minyue)
    demo.load(stdout=io.StringIO())
    requests = HelpRequest.objects.filter(community=minyue)
    urgent = requests.get(urgency="urgent")
    assert urgent.status == "closed" and urgent.distributions.exists()
    assert urgent.delivered_at == urgent.closed_at
    assert urgent.lines.get().item.name == "婴幼儿配方奶粉"
    assert urgent.created_at.hour in (23, 15)  # 23:40 Beijing (15:40 UTC) last night
    assert requests.filter(status="new").count() == 1
    # Three households supplied from the store in the last weeks: each distribution points at
    # its (closed) request and carries no address.
    closed = requests.filter(status="closed").exclude(pk=urgent.pk)
    assert closed.count() == 3
    assert all(r.distributions.get().recipient == "household" for r in closed)
    # The coordinator of 民岳家园 sees them all in the back office queue.
    from portal.scoping import scope

    coordinator = User.objects.get(username="coordinator")
    assert scope(HelpRequest.objects.all(), coordinator).count() == 5
    demo.load(stdout=io.StringIO())
    assert HelpRequest.objects.count() == 5
