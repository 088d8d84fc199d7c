"""The retention job leaves nothing of a household behind: after `apply_retention`, no text
column of any table (every CharField, TextField and JSONField of every installed model, the
stored background tasks included) holds the household's address, phone, name or need."""

import io
import json
import uuid
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.utils import timezone

from assistance import services
from assistance.models import HelpRequest
from donations import services as donations
from donations.models import Distribution, Item
from donations.services.ledger import community_store
from portal import roles
from tests.factories import DonorFactory, VolunteerProfileFactory, make_user

BUILDING = "17号楼3单元1102"
PHONE = "13812345678"
NAME = "欧阳秀芳"
NEED = "请送两盒布洛芬到门口"
SECRETS = [BUILDING, PHONE, NAME, NEED]


def text_hits(needles):
    """[(model label, field, needle)] for every stored text value containing a needle. Values
    are read through the ORM (so an encrypted field is searched as its clear text) and JSON is
    searched as it reads, not as it is escaped."""
    hits = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        fields = [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
        ]
        if not fields:
            continue
        names = [f.attname for f in fields]
        for row in model._base_manager.values_list(*names):
            for name, value in zip(names, row, strict=True):
                if value in (None, ""):
                    continue
                text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                hits += [(model._meta.label, name, n) for n in needles if n in text]
    return hits


@pytest.fixture
def household_life(
    settings,
    django_capture_on_commit_callbacks,
    client,
    community,
    compound,
    coordinator,
    warehouse_keeper,
):
    """A household asks on the website, gets milk from the store and a delivery by a volunteer,
    the coordinator notes the hand-out, everyone looks at it, and the request is closed."""
    # Notifications are stored as background tasks (the production backend) so what they
    # carry is in the database too.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    keeper = warehouse_keeper
    # Their account (with its own number) outlives the request; the request's data does not.
    resident = make_user(username="resident", phone="13700000001")
    volunteer = VolunteerProfileFactory(
        user=make_user(roles.VOLUNTEER, username="vol"), community=community, compound=compound
    )
    milk = Item.objects.create(name="婴儿奶粉", category=Item.Category.FOOD, unit="罐")
    pledge = donations.pledge(
        DonorFactory(), [{"item": milk, "quantity": 10, "lot_number": "MK-1"}], user=keeper
    )
    store = community_store(community)
    donations.receive(
        pledge, store, [{"pledge_line": pledge.lines.get(), "accepted": 10}], user=keeper
    )
    with django_capture_on_commit_callbacks(execute=True):
        request = services.record_request(
            community=community,
            compound=compound,
            building=BUILDING,
            contact_phone=PHONE,
            contact_name=NAME,
            lines=[(milk, 1)],
            need=NEED,
            by=resident,
            own=True,
            token=uuid.uuid4(),
        )
        services.fulfil_from_stock(request, by=coordinator)
        services.assign_volunteer(request, volunteer, by=coordinator)
    for user, url in [
        (coordinator, f"/admin/assistance/{request.pk}/"),
        (volunteer.user, f"/assistance/requests/{request.pk}/"),
        (resident, f"/assistance/help/mine/{request.pk}/"),
    ]:
        client.force_login(user)
        assert BUILDING in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.mark_delivered(request, by=volunteer.user)  # delivered closes the request
    return request


def test_retention_job_leaves_no_trace_of_the_household(settings, household_life):
    from django_tasks_db.models import DBTaskResult

    settings.ASSISTANCE_RETENTION_DAYS = 30
    assert DBTaskResult.objects.exists()  # the volunteer's notification, stored
    # The search sees what is there (the request itself) ...
    assert ("assistance.HelpRequest", "building", BUILDING) in text_hits(SECRETS)
    # ... and before the period ends the job keeps it.
    call_command("apply_retention", stdout=io.StringIO())
    assert HelpRequest.objects.get().building == BUILDING

    HelpRequest.objects.update(closed_at=timezone.now() - timedelta(days=31))
    out = io.StringIO()
    call_command("apply_retention", stdout=out)
    assert "help_requests_anonymised: 1" in out.getvalue()
    assert text_hits(SECRETS) == []
    # What is left still counts: the request, its items and the hand-outs from stock.
    request = HelpRequest.objects.get()
    assert request.anonymised_at and request.requester is None
    assert request.lines.count() == 1
    assert Distribution.objects.get().recipient == "household"
    # Idempotent: a second run changes nothing.
    out = io.StringIO()
    call_command("apply_retention", stdout=out)
    assert "help_requests_anonymised: 0" in out.getvalue()


def test_a_request_nobody_closes_is_anonymised_too(settings, community, compound, coordinator):
    settings.ASSISTANCE_OPEN_RETENTION_DAYS = 90
    request = services.record_request(
        community=community,
        compound=compound,
        building=BUILDING,
        contact_phone=PHONE,
        need=NEED,
        by=coordinator,
    )
    call_command("apply_retention", stdout=io.StringIO())
    assert HelpRequest.objects.get().building == BUILDING
    HelpRequest.objects.filter(pk=request.pk).update(created_at=timezone.now() - timedelta(days=91))
    call_command("apply_retention", stdout=io.StringIO())
    request.refresh_from_db()
    assert request.anonymised_at and request.building == "" and request.need == ""


def test_a_note_typed_on_a_households_hand_out_goes_with_the_request(
    settings, community, compound, coordinator, warehouse_keeper
):
    settings.ASSISTANCE_RETENTION_DAYS = 30
    milk = Item.objects.create(name="婴儿奶粉", category=Item.Category.FOOD, unit="罐")
    pledge = donations.pledge(
        DonorFactory(), [{"item": milk, "quantity": 5}], user=warehouse_keeper
    )
    store = community_store(community)
    donations.receive(
        pledge, store, [{"pledge_line": pledge.lines.get(), "accepted": 5}], user=warehouse_keeper
    )
    request = services.record_request(
        community=community,
        compound=compound,
        building=BUILDING,
        contact_phone=PHONE,
        need=NEED,
        by=coordinator,
    )
    # What a hurried coordinator types on a hand-out from the back office.
    donations.distribute(
        community,
        store,
        [(milk, 1)],
        recipient="household",
        help_request=request,
        user=coordinator,
        note=f"{BUILDING} {NAME} {PHONE}",
    )
    services.mark_delivered(request, by=coordinator)  # delivered closes the request
    HelpRequest.objects.update(closed_at=timezone.now() - timedelta(days=31))
    call_command("apply_retention", stdout=io.StringIO())
    assert text_hits(SECRETS) == []
    assert Distribution.objects.get().help_request == request
