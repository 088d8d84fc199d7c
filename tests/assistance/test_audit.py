"""Who looked at a household's address: the coordinator's and the assigned volunteer's request
pages are in the audit trail, and the trail itself holds no address."""

import pytest

from assistance import services
from assistance.models import HelpRequest
from portal import roles
from portal.models import AuditEvent
from tests.factories import VolunteerProfileFactory, make_user


@pytest.fixture(autouse=True)
def _notify_at_once(monkeypatch):
    from types import SimpleNamespace

    monkeypatch.setattr("portal.notify.transaction", SimpleNamespace(on_commit=lambda fn: fn()))


@pytest.fixture
def help_request(community, compound, coordinator):
    return services.record_request(
        community=community,
        compound=compound,
        building="3号楼2单元501",
        contact_phone="13800001111",
        contact_name="王女士",
        lines=[],
        need="退烧药一盒",
        urgency=HelpRequest.Urgency.URGENT,
        by=coordinator,
    )


@pytest.fixture
def volunteer(community, compound):
    user = make_user(roles.VOLUNTEER, username="xiaohong", phone="13712345678")
    return VolunteerProfileFactory(user=user, community=community, compound=compound)


def _views():
    return AuditEvent.objects.filter(action="assistance.address.view").order_by("pk")


def test_address_views_are_recorded(
    client, community, coordinator, other_coordinator, volunteer, help_request
):
    client.force_login(coordinator)
    page = client.get(f"/admin/assistance/{help_request.pk}/")
    assert "3号楼2单元501" in page.content.decode()
    services.assign_volunteer(help_request, volunteer, by=coordinator)
    client.force_login(volunteer.user)
    assert client.get(f"/assistance/requests/{help_request.pk}/").status_code == 200
    # Refused: nothing was seen, nothing recorded.
    client.force_login(other_coordinator)
    assert client.get(f"/admin/assistance/{help_request.pk}/").status_code == 404

    coordinator_view, volunteer_view = _views()
    assert coordinator_view.user == coordinator and volunteer_view.user == volunteer.user
    for event in (coordinator_view, volunteer_view):
        assert event.object_type == "assistance.helprequest"
        assert event.object_id == str(help_request.pk)
        assert list(event.communities.all()) == [community]
        assert "3号楼" not in f"{event.description}{event.details}{event.path}"
