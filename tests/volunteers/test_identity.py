"""Identity (issue 10, point 3): a verified volunteer who changes real name, mobile or ID number
goes back to pending with the change kept and audited; ID numbers are encrypted at rest, unique
through a keyed hash, masked everywhere and shown whole only to a permission, after
re-authentication, audited."""

import io
from datetime import timedelta
from types import SimpleNamespace

import openpyxl
import pytest
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from portal import roles
from portal.validators import id_number_check_char
from tests.factories import SignupFactory, VolunteerProfileFactory
from volunteers import services
from volunteers.models import Attendance, IdentityChange, VolunteerProfile

pytestmark = pytest.mark.django_db

ID_NUMBER = "11010519491231002X"  # 110105 (朝阳区), born 1949-12-31, valid check character
OTHER_ID = "11010519800101001" + id_number_check_char("11010519800101001")


@pytest.fixture
def audit_events(monkeypatch):
    """Every portal.audit.record call, as (action, details)."""
    events = []

    def record(action, *, request=None, user=None, obj=None, **details):
        if user is None and request is not None:
            user = request.user  # as portal.audit.record does
        events.append(SimpleNamespace(action=action, user=user, obj=obj, details=details))

    monkeypatch.setattr("portal.audit.record", record)
    return events


def raw_column(profile, column):
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {column} FROM volunteers_volunteerprofile WHERE id = %s",  # noqa: S608
            [profile.pk],
        )
        return cursor.fetchone()[0]


def with_id(volunteer, number=ID_NUMBER):
    volunteer.id_number = number
    volunteer.save()
    return volunteer


# --- Re-verification and history -------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "new_value", "shown_before", "shown_after"),
    [
        ("real_name", "李小红", "李晓红", "李小红"),
        ("mobile", "13811112222", "13712345678", "13811112222"),
        ("id_number", OTHER_ID, "110***********002X", "110***********" + OTHER_ID[-4:]),
    ],
)
def test_changing_an_identity_detail_sends_a_verified_volunteer_back_with_history(
    volunteer, coordinator, audit_events, field, new_value, shown_before, shown_after
):
    with_id(volunteer)
    services.update_profile(volunteer, {field: new_value}, by=volunteer.user)

    volunteer.refresh_from_db()
    assert volunteer.status == VolunteerProfile.Status.PENDING
    assert volunteer.verified_by is None and volunteer.verified_at is None
    assert getattr(volunteer, field) == new_value
    change = IdentityChange.objects.get(profile=volunteer)
    assert (change.field, change.old_value, change.new_value) == (field, shown_before, shown_after)
    assert change.changed_by == volunteer.user and change.unverified
    assert timezone.now() - change.changed_at < timedelta(minutes=1)
    # No ID number is kept whole in the history.
    assert not IdentityChange.objects.filter(old_value=ID_NUMBER).exists()
    assert not IdentityChange.objects.filter(new_value=OTHER_ID).exists()
    [event] = audit_events
    assert event.action == "volunteers.identity.change" and event.obj == volunteer
    assert event.details["fields"] == [field]
    # The audit event names the field, never the values.
    assert new_value not in repr(event.details)


def test_other_details_and_the_same_identity_in_another_spelling_keep_the_volunteer_verified(
    volunteer, audit_events
):
    with_id(volunteer)
    services.update_profile(
        volunteer,
        {
            "real_name": " 李晓红 ",
            "mobile": "+86 137 1234 5678",
            "id_number": ID_NUMBER.lower(),
            "work_unit": "丰台区税务局",
            "is_party_member": True,
            "emergency_contact_name": "李父",
        },
    )
    volunteer.refresh_from_db()
    assert volunteer.status == VolunteerProfile.Status.VERIFIED
    assert volunteer.work_unit == "丰台区税务局"
    assert not IdentityChange.objects.exists() and audit_events == []


def test_a_pending_volunteers_change_is_kept_but_not_marked_as_unverifying(community):
    profile = VolunteerProfileFactory(community=community, status="pending", real_name="赵一")
    services.update_profile(profile, {"real_name": "赵二"})
    change = IdentityChange.objects.get(profile=profile)
    assert not change.unverified and change.changed_by is None
    assert profile.status == "pending"


def test_certificate_never_carries_a_name_nobody_checked(volunteer, coordinator, shift):
    signup = SignupFactory(shift=shift, profile=volunteer)
    Attendance.objects.create(
        signup=signup,
        check_in_at=shift.start,
        check_out_at=shift.start + timedelta(hours=3),
        status=Attendance.Status.CONFIRMED,
    )
    day = timezone.localdate(shift.start)
    first = services.issue_certificate(volunteer, day, day)
    assert first.name == "李晓红"

    services.update_profile(volunteer, {"real_name": "李小红"})
    with pytest.raises(services.VolunteerError):
        services.issue_certificate(volunteer, day, day)

    services.verify_profile(volunteer, coordinator)
    volunteer.refresh_from_db()
    second = services.issue_certificate(volunteer, day, day)
    assert second.name == "李小红" and second.pk != first.pk
    first.refresh_from_db()
    assert first.name == "李晓红"  # what was issued stays as issued


def test_verification_refuses_details_changed_while_the_coordinator_looked(community, coordinator):
    profile = VolunteerProfileFactory(community=community, status="pending", real_name="钱一")
    seen = services.identity_token(profile)
    services.update_profile(profile, {"real_name": "钱二"})
    with pytest.raises(services.VolunteerError):
        services.verify_profile(profile, coordinator, seen=seen)
    profile.refresh_from_db()
    assert profile.status == "pending"
    services.verify_profile(profile, coordinator, seen=services.identity_token(profile))
    profile.refresh_from_db()
    assert profile.status == "verified"


def test_volunteers_own_page_change_of_name_asks_for_verification_again(client, volunteer):
    client.force_login(volunteer.user)
    data = {
        "real_name": "李小红",
        "mobile": volunteer.mobile,
        "community": volunteer.community_id,
        "compound": volunteer.compound_id,
        "id_number": "",
        "work_unit": "",
        "emergency_contact_name": "",
        "emergency_contact_phone": "",
    }
    response = client.post("/volunteers/profile/", data, follow=True)
    assert "所在社区将重新审核" in response.content.decode()
    volunteer.refresh_from_db()
    assert volunteer.status == "pending" and volunteer.real_name == "李小红"
    assert IdentityChange.objects.get(profile=volunteer).changed_by == volunteer.user


def test_coordinators_admin_edit_of_mobile_goes_through_the_rule(
    client, coordinator, volunteer, audit_events
):
    client.force_login(coordinator)
    url = reverse("volunteers_profiles:edit", args=[volunteer.pk])
    response = client.post(
        url,
        {
            "real_name": volunteer.real_name,
            "mobile": "13811112222",
            "compound": volunteer.compound_id,
            "work_unit": "",
            "emergency_contact_name": "",
            "emergency_contact_phone": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    volunteer.refresh_from_db()
    assert volunteer.mobile == "13811112222" and volunteer.status == "pending"
    change = IdentityChange.objects.get(profile=volunteer)
    assert change.changed_by == coordinator and change.field == "mobile"
    # the identity change, and the admin base's record of the edit itself
    identity = [e for e in audit_events if e.action == "volunteers.identity.change"]
    assert len(identity) == 1 and identity[0].user == coordinator
    assert {e.action for e in audit_events} == {
        "volunteers.identity.change",
        "admin.volunteers.volunteerprofile.edit",
    }


def test_import_changing_a_name_goes_through_the_rule(client, coordinator, volunteer):
    import tablib
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(coordinator)
    exported = client.get(reverse("volunteers_profiles:export"), {"format": "xlsx"}).content
    book = tablib.Dataset().load(exported, format="xlsx")
    row = list(book[0])
    row[book.headers.index("姓名")] = "李小红"
    book[0] = row
    response = client.post(
        reverse("volunteers_profiles:import"),
        {"file": SimpleUploadedFile("f.xlsx", book.export("xlsx"))},
    )
    assert response.status_code == 302
    assert client.post(response["Location"]).status_code == 302
    volunteer.refresh_from_db()
    assert volunteer.real_name == "李小红" and volunteer.status == "pending"
    assert IdentityChange.objects.get(profile=volunteer).changed_by == coordinator


def test_deleting_the_account_keeps_that_details_changed_but_not_what_they_were(volunteer):
    with_id(volunteer)
    services.update_profile(volunteer, {"real_name": "李小红"})
    services.delete_account(volunteer.user)
    change = IdentityChange.objects.get(profile=volunteer)
    assert (change.old_value, change.new_value) == ("", "")
    assert raw_column(volunteer, "id_number_hash") is None


# --- Encryption at rest and uniqueness ---------------------------------------------------------


def test_the_database_holds_ciphertext_and_a_keyed_hash_not_the_number(volunteer):
    with_id(volunteer)
    stored = raw_column(volunteer, "id_number")
    assert ID_NUMBER not in stored and "19491231" not in stored
    assert stored.startswith("gAAAAA")  # a Fernet token
    digest = raw_column(volunteer, "id_number_hash")
    assert len(digest) == 64 and ID_NUMBER not in digest
    assert VolunteerProfile.objects.get(pk=volunteer.pk).id_number == ID_NUMBER
    # Saved again, the same number gets a different token but the same hash.
    VolunteerProfile.objects.get(pk=volunteer.pk).save()
    assert raw_column(volunteer, "id_number") != stored
    assert raw_column(volunteer, "id_number_hash") == digest


def test_an_id_number_belongs_to_one_volunteer_found_through_its_hash(volunteer, community):
    with_id(volunteer)
    other = VolunteerProfileFactory(community=community, status="pending")
    with pytest.raises(services.VolunteerError) as refused:
        services.update_profile(other, {"id_number": ID_NUMBER.lower()})
    assert "已被其他志愿者登记" in str(refused.value.message_dict["id_number"])
    other.refresh_from_db()
    assert other.id_number == ""
    assert list(VolunteerProfile.objects.by_id_number(ID_NUMBER.lower())) == [volunteer]
    # The database refuses it too, whatever path writes it.
    other.id_number = ID_NUMBER
    with pytest.raises(IntegrityError), transaction.atomic():
        other.save()
    # An encrypted column cannot be compared in SQL: a lookup by number must use the hash.
    with pytest.raises(FieldError):
        list(VolunteerProfile.objects.filter(id_number=ID_NUMBER))


def test_clearing_the_number_by_update_clears_its_hash(volunteer):
    with_id(volunteer)
    VolunteerProfile.objects.filter(pk=volunteer.pk).update(id_number="")
    assert raw_column(volunteer, "id_number") == ""
    assert raw_column(volunteer, "id_number_hash") is None
    assert VolunteerProfile.objects.filter(pk=volunteer.pk, id_number="").exists()


def test_keys_rotate_without_losing_a_number(volunteer, settings):
    from cryptography.fernet import Fernet

    with_id(volunteer)
    old_token = raw_column(volunteer, "id_number")
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, *settings.FIELD_ENCRYPTION_KEYS]
    assert VolunteerProfile.objects.get(pk=volunteer.pk).id_number == ID_NUMBER
    call_command("rotate_field_encryption", stdout=io.StringIO())
    token = raw_column(volunteer, "id_number")
    assert token != old_token
    assert Fernet(new_key).decrypt(token.encode()).decode() == ID_NUMBER
    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    assert VolunteerProfile.objects.get(pk=volunteer.pk).id_number == ID_NUMBER


def test_data_migration_encrypts_numbers_stored_in_plain_text(volunteer, community):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("volunteers.migrations.0006_encrypt_existing_id_numbers")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE volunteers_volunteerprofile SET id_number = %s, id_number_hash = NULL "
            "WHERE id = %s",
            [ID_NUMBER.lower(), volunteer.pk],
        )
    migration.encrypt_existing(apps, SimpleNamespace(connection=connection))
    assert ID_NUMBER not in raw_column(volunteer, "id_number").upper()
    assert VolunteerProfile.objects.get(pk=volunteer.pk).id_number == ID_NUMBER
    assert list(VolunteerProfile.objects.by_id_number(ID_NUMBER)) == [volunteer]


# --- Masking, the permission, the full view ----------------------------------------------------


def test_subdistrict_admins_alone_may_see_full_id_numbers():
    granted = roles.role_permissions()
    holders = [role for role, perms in granted.items() if "volunteers.view_full_id_number" in perms]
    assert holders == [roles.SUBDISTRICT_ADMIN]


def test_no_listing_page_or_export_shows_the_number_whole(
    client, subdistrict_admin, volunteer, shift
):
    with_id(volunteer)
    signup = SignupFactory(shift=shift, profile=volunteer)
    Attendance.objects.create(signup=signup, check_in_at=shift.start, check_out_at=shift.end)
    client.force_login(subdistrict_admin)
    pages = [
        reverse("volunteers_profiles:index"),
        reverse("volunteers_profiles:index") + "?q=李晓红",
        reverse("volunteers_profiles:edit", args=[volunteer.pk]),
        reverse("volunteers_admin:review_profile", args=[volunteer.pk]),
        reverse("volunteers_admin:shift_people", args=[shift.pk]),
        reverse("volunteers_attendance:index"),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert ID_NUMBER not in response.content.decode(), url
    html = client.get(reverse("volunteers_admin:review_profile", args=[volunteer.pk])).content
    assert "110***********002X" in html.decode()
    downloads = [
        reverse("volunteers_profiles:export") + "?format=xlsx",
        reverse("volunteers_profiles:export") + "?format=csv",
        reverse("volunteers_attendance:export") + "?format=xlsx",
        reverse("volunteers_admin:volunteer_export"),
        reverse("volunteers_admin:attendance_ledger"),
    ]
    for url in downloads:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content
        if body[:2] == b"PK":
            book = openpyxl.load_workbook(io.BytesIO(body))
            body = " ".join(str(c.value) for row in book.active.iter_rows() for c in row)
        else:
            body = body.decode("utf-8-sig")
        assert ID_NUMBER not in body, url
    client.force_login(volunteer.user)
    for url in ["/volunteers/profile/", "/volunteers/me/"]:
        assert ID_NUMBER not in client.get(url).content.decode(), url


def test_full_id_view_needs_the_permission(client, coordinator, volunteer, audit_events):
    with_id(volunteer)
    client.force_login(coordinator)
    url = reverse("volunteers_admin:full_id_number", args=[volunteer.pk])
    response = client.post(url)
    # Wagtail answers a refusal in its admin by sending the user back to the dashboard.
    assert (response.status_code, response.get("Location")) in [(403, None), (302, "/admin/")]
    assert audit_events == []


@pytest.mark.mfa_enforced
def test_full_id_view_asks_for_the_second_factor_again_and_records_each_look(
    client, subdistrict_admin, volunteer, audit_events
):
    from tests.factories import add_totp, totp_code
    from tests.portal.test_mfa import logged_in_with_app

    with_id(volunteer)
    secret = add_totp(subdistrict_admin)
    logged_in_with_app(client, subdistrict_admin)  # logged in, but not just now re-checked
    url = reverse("volunteers_admin:full_id_number", args=[volunteer.pk])
    assert client.get(url).status_code == 405  # a look is a deliberate POST, never a link

    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/reauthenticate/")
    assert audit_events == []

    # After the app's code, allauth replays the POST: the number, once, recorded.
    response = client.post(response["Location"], {"code": totp_code(secret)}, follow=True)
    assert response.status_code == 200
    assert ID_NUMBER in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert [(e.action, e.obj, e.user) for e in audit_events] == [
        ("volunteers.id_number.view", volunteer, subdistrict_admin)
    ]
    # Within the re-authentication window each look is recorded again.
    response = client.post(url)
    assert response.status_code == 200 and ID_NUMBER in response.content.decode()
    assert len(audit_events) == 2


def test_full_id_view_of_a_profile_without_a_number_is_404(client, subdistrict_admin, volunteer):
    client.force_login(subdistrict_admin)
    url = reverse("volunteers_admin:full_id_number", args=[volunteer.pk])
    # (force_login counts as just re-authenticated: tests/conftest.py)
    assert client.post(url).status_code == 404
