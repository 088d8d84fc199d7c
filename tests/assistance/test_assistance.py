"""Help requests end to end (stock movement, delivery by a ranked volunteer, privacy of the
address, anonymisation) and the coordinator's dashboard, scoped."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from assistance import dashboard, services
from assistance.models import HelpRequest
from donations import services as donations
from donations.models import Balance, Distribution, Item, Movement
from donations.services.ledger import community_store
from portal import roles
from tests.factories import (
    DonorFactory,
    ShiftFactory,
    TaskFactory,
    VolunteerProfileFactory,
    make_user,
)
from volunteers.models import Signup


@pytest.fixture(autouse=True)
def _notify_at_once(monkeypatch):
    from types import SimpleNamespace

    monkeypatch.setattr("portal.notify.transaction", SimpleNamespace(on_commit=lambda fn: fn()))


@pytest.fixture
def milk(db):
    return Item.objects.create(name="婴儿奶粉", category=Item.Category.FOOD, unit="罐")


@pytest.fixture
def stock(community, milk, warehouse_keeper):
    donor = DonorFactory(name="爱心企业")
    pledge = donations.pledge(
        donor, [{"item": milk, "quantity": 10, "lot_number": "MK-1"}], user=warehouse_keeper
    )
    store = community_store(community)
    donations.receive(
        pledge, store, [{"pledge_line": pledge.lines.get(), "accepted": 10}], user=warehouse_keeper
    )
    return store


@pytest.fixture
def volunteer(community, compound):
    user = make_user(roles.VOLUNTEER, username="xiaohong", phone="13712345678")
    return VolunteerProfileFactory(
        user=user, real_name="李晓红", community=community, compound=compound
    )


@pytest.fixture
def other_volunteer(community):
    return VolunteerProfileFactory(
        user=make_user(roles.VOLUNTEER, username="other"), community=community
    )


def _record(community, compound, coordinator, milk, **kw):
    return services.record_request(
        community=community,
        compound=compound,
        building="3号楼2单元501",
        contact_phone="13800001111",
        contact_name="王女士",
        lines=[(milk, 2)],
        need="退烧药一盒",
        urgency=HelpRequest.Urgency.URGENT,
        by=coordinator,
        **kw,
    )


def test_request_flow_end_to_end(
    client, community, compound, coordinator, milk, stock, volunteer, other_volunteer
):
    request = _record(community, compound, coordinator, milk)
    assert request.status == "new"

    distribution = services.fulfil_from_stock(request, by=coordinator)
    assert distribution.recipient == Distribution.Recipient.HOUSEHOLD
    assert distribution.help_request == request
    movement = Movement.objects.get(distribution=distribution)
    assert movement.quantity == 2 and movement.from_location == stock
    assert Balance.objects.get(location=stock, item=milk).quantity == 8
    with pytest.raises(services.AssistanceError):
        services.fulfil_from_stock(request, by=coordinator)

    suggestions = services.suggest_volunteers(request, by=coordinator)
    assert suggestions[0].profile == volunteer  # same compound ranks first
    services.assign_volunteer(request, volunteer, by=coordinator)
    request.refresh_from_db()
    assert request.status == "assigned" and request.assigned_at
    invitation = Signup.objects.get(shift=request.delivery_shift, profile=volunteer)
    assert invitation.status == "invited" and request.delivery_shift.task.kind == "delivery"

    client.force_login(volunteer.user)
    page = client.get(f"/assistance/requests/{request.pk}/").content.decode()
    assert "3号楼2单元501" in page and "13800001111" in page and "婴儿奶粉" in page
    client.post(f"/assistance/requests/{request.pk}/delivered/")
    request.refresh_from_db()
    # the volunteer's "delivered" closes the request: no coordinator has to press "close"
    assert request.status == "closed" and request.delivered_at == request.closed_at
    # and the address is hers no more: her SMS link now says so, without it
    gone = client.get(f"/assistance/requests/{request.pk}/")
    assert gone.status_code == 404
    assert "3号楼2单元501" not in gone.content.decode()
    assert "地址只在配送交给您期间显示" in gone.content.decode()


def test_address_is_private(
    client, community, compound, coordinator, other_coordinator, milk, volunteer, other_volunteer
):
    request = _record(community, compound, coordinator, milk)
    # nobody assigned yet: even the future volunteer cannot see it
    client.force_login(volunteer.user)
    assert client.get(f"/assistance/requests/{request.pk}/").status_code == 404
    services.assign_volunteer(request, volunteer, by=coordinator)
    assert client.get(f"/assistance/requests/{request.pk}/").status_code == 200
    client.force_login(other_volunteer.user)
    assert client.get(f"/assistance/requests/{request.pk}/").status_code == 404
    assert client.post(f"/assistance/requests/{request.pk}/delivered/").status_code == 404
    client.force_login(other_coordinator)
    assert client.get(f"/admin/assistance/{request.pk}/").status_code == 404
    assert "3号楼" not in client.get("/admin/assistance/").content.decode()
    client.force_login(coordinator)
    assert "3号楼2单元501" in client.get(f"/admin/assistance/{request.pk}/").content.decode()


def test_coordinator_records_through_the_back_office(
    client, community, compound, coordinator, milk
):
    client.force_login(coordinator)
    response = client.post(
        "/admin/assistance/new/",
        {
            "community": community.pk,
            "compound": compound.pk,
            "building": "1号楼101",
            "contact_phone": "13800002222",
            "urgency": "normal",
            "need": "送医",
            "items-TOTAL_FORMS": "1",
            "items-INITIAL_FORMS": "0",
            "items-0-item": "",
            "items-0-quantity": "",
        },
    )
    assert response.status_code == 302
    assert HelpRequest.objects.get().need == "送医"


def test_anonymise_after_retention_is_idempotent(
    settings, community, compound, coordinator, milk, volunteer
):
    settings.ASSISTANCE_RETENTION_DAYS = 30
    request = _record(community, compound, coordinator, milk)
    services.mark_delivered(request, by=coordinator)
    assert services.anonymise_closed() == 0
    HelpRequest.objects.filter(pk=request.pk).update(closed_at=timezone.now() - timedelta(days=31))
    call_command("apply_retention", stdout=io.StringIO())
    request.refresh_from_db()
    assert request.building == "" and request.contact_phone == "" and request.anonymised_at
    assert request.need == "" and request.contact_name == ""
    assert services.anonymise_closed() == 0


def test_urgent_unassigned_requests_are_flagged(settings, community, compound, coordinator, milk):
    settings.MATCHING_URGENT_MINUTES = 30
    request = _record(community, compound, coordinator, milk)
    assert not services.overdue_urgent(HelpRequest.objects.all()).exists()
    HelpRequest.objects.filter(pk=request.pk).update(
        created_at=timezone.now() - timedelta(minutes=31)
    )
    assert list(services.overdue_urgent(HelpRequest.objects.all())) == [request]


def test_dashboard_counts_are_scoped(
    client, community, compound, other_community, coordinator, other_coordinator, milk, stock
):
    _record(community, compound, coordinator, milk)
    HelpRequest.objects.update(created_at=timezone.now() - timedelta(hours=2))
    task = TaskFactory(community=community)
    ShiftFactory(task=task, start=timezone.now() + timedelta(hours=5), places=3)
    ShiftFactory(task=task, start=timezone.now() + timedelta(hours=60), places=3)  # > 48 h
    VolunteerProfileFactory(community=community, status="pending")
    VolunteerProfileFactory(community=other_community, status="pending")
    # 2 requested, 8 free: not low; ask for 20 more and it is
    mine = dashboard.figures(coordinator)
    assert (mine["open_places"], mine["urgent"], mine["overdue"], mine["pending"]) == (3, 1, 1, 1)
    assert mine["low_stock"] == []
    services.record_request(
        community=community,
        compound=compound,
        building="2号楼",
        contact_phone="13800003333",
        lines=[(milk, 20)],
        by=coordinator,
    )
    assert dashboard.figures(coordinator)["low_stock"][0]["item"] == "婴儿奶粉"
    theirs = dashboard.figures(other_coordinator)
    assert (theirs["open_places"], theirs["urgent"], theirs["pending"]) == (0, 0, 1)
    assert theirs["low_stock"] == []
    client.force_login(coordinator)
    html = client.get("/admin/").content.decode()
    assert "统筹调度" in html and "求助物资库存不足" in html


def test_the_apps_root_address_leads_to_the_help_form(client):
    response = client.get("/assistance/")
    assert response.status_code == 302 and response["Location"] == "/assistance/help/"
