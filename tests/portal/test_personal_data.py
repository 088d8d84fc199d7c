"""Personal-data rights: a person downloads what the portal holds about them, and deletes
their account (hours and the stock ledger kept, without their name)."""

import io
import json
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from assistance.models import HelpRequest
from donations.models import Donor, Pledge
from portal import personal_data, roles
from tests.factories import (
    DonorFactory,
    DonorRepresentativeFactory,
    PledgeFactory,
    PledgeLineFactory,
    ShiftFactory,
    SignupFactory,
    TaskFactory,
    VolunteerProfileFactory,
    make_user,
)
from volunteers.models import Attendance, VolunteerProfile
from volunteers.services import ANONYMOUS_NAME, minutes_served

pytestmark = pytest.mark.django_db


@pytest.fixture
def served(community):
    """A volunteer with five hours served last week and a work unit with a formula in it."""
    profile = VolunteerProfileFactory(
        community=community, real_name="李服务", work_unit='=HYPERLINK("http://x")'
    )
    start = timezone.now() - timedelta(days=7)
    shift = ShiftFactory(
        task=TaskFactory(community=community, title="北门值守"),
        start=start,
        end=start + timedelta(hours=5),
    )
    signup = SignupFactory(shift=shift, profile=profile)
    Attendance.objects.create(
        signup=signup, check_in_at=shift.start, check_out_at=shift.end, status="confirmed"
    )
    return profile


def _download(client, kind):
    response = client.post("/me/data/", {"format": kind})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    return response


def test_volunteer_downloads_own_data_as_workbook_and_json(client, served):
    other = VolunteerProfileFactory(community=served.community, real_name="王别人")
    client.force_login(served.user)
    book = load_workbook(io.BytesIO(_download(client, "xlsx").content))
    cells = [
        cell
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
    ]
    assert "李服务" in cells and "北门值守" in cells and 5.0 in cells
    assert "王别人" not in cells and other.user.phone not in cells
    # what the volunteer typed is text, not a live formula
    assert not any(isinstance(c, str) and c.startswith("=") for c in cells)
    data = json.loads(_download(client, "json").content)
    profile = data["sections"]["volunteer_profile"][0]
    assert "李服务" in profile.values()
    assert data["sections"]["shifts"][0][next(iter(data["sections"]["shifts"][0]))] == "北门值守"


def test_download_is_a_post_and_the_page_lists_the_sections(client, served):
    client.force_login(served.user)
    page = client.get("/me/data/")
    html = page.content.decode()
    assert page.status_code == 200 and "李服务" in html and "志愿者档案" in html
    assert client.post("/me/data/", {"format": "exe"}).status_code == 400


def test_download_needs_login(client):
    assert client.get("/me/data/").status_code == 302
    assert client.post("/me/data/", {"format": "json"}).status_code == 302


def test_download_is_recorded_in_the_audit_trail(client, served, caplog):
    client.force_login(served.user)
    with caplog.at_level("INFO", logger="portal.audit"):
        _download(client, "json")
    assert any(getattr(r, "audit_action", "") == "personal_data.download" for r in caplog.records)


def test_id_number_is_masked_in_the_download(client, served):
    served.id_number = "11010519491231002X"
    served.save()
    client.force_login(served.user)
    body = _download(client, "json").content.decode()
    assert "11010519491231002X" not in body and "110***********002X" in body


def test_household_download_has_its_requests(client, community, compound):
    resident = make_user(username="resident", phone="13911112222")
    HelpRequest.objects.create(
        community=community,
        compound=compound,
        building="3号楼2单元301",
        contact_phone="13911112222",
        need="奶粉",
        requester=resident,
    )
    client.force_login(resident)
    requests = json.loads(_download(client, "json").content)["sections"]["help_requests"]
    assert [row for row in requests if "3号楼2单元301" in row.values()]


def test_donor_representative_download_lists_the_pledges_they_entered(client):
    representative = DonorRepresentativeFactory()
    pledge = PledgeFactory(donor=representative.donor, created_by=representative.user)
    PledgeLineFactory(pledge=pledge, quantity=300)
    PledgeFactory(donor=representative.donor)  # entered by somebody else
    client.force_login(representative.user)
    data = json.loads(_download(client, "json").content)["sections"]
    assert [row[next(iter(row))] for row in data["pledges"]] == [pledge.pk]
    assert data["donors"][0][next(iter(data["donors"][0]))] == representative.donor.name


def test_volunteer_deletes_account_hours_kept(client, served):
    user = served.user
    client.force_login(user)
    response = client.post("/me/delete/", {"confirm": "yes"})
    assert response.status_code == 302
    served.refresh_from_db()
    assert served.user is None and served.status == VolunteerProfile.Status.DELETED
    assert served.real_name == ANONYMOUS_NAME
    assert minutes_served(served) == 300
    assert not type(user).objects.filter(pk=user.pk).exists()
    assert client.get("/me/").status_code == 302  # logged out


def test_unticked_box_deletes_nothing(client, served):
    client.force_login(served.user)
    client.post("/me/delete/", {})
    served.refresh_from_db()
    assert served.user is not None and served.real_name == "李服务"


def test_household_deletion_blanks_closed_requests_and_leaves_open_ones(
    client, community, compound
):
    resident = make_user(username="resident", phone="13911112222")
    common = {"community": community, "compound": compound, "requester": resident}
    closed = HelpRequest.objects.create(
        building="3号楼2单元301",
        contact_phone="13911112222",
        status=HelpRequest.Status.CLOSED,
        closed_at=timezone.now(),
        **common,
    )
    open_ = HelpRequest.objects.create(
        building="5号楼1单元101", contact_phone="13911112222", **common
    )
    client.force_login(resident)
    client.post("/me/delete/", {"confirm": "yes"})
    closed.refresh_from_db()
    open_.refresh_from_db()
    assert closed.building == "" and closed.contact_phone == "" and closed.anonymised_at
    # the community still has to deliver to that door; retention blanks it once closed
    assert open_.building == "5号楼1单元101" and open_.requester is None


def test_private_donor_is_anonymised_but_firm_kept(client):
    person = DonorFactory(kind=Donor.Kind.PERSON, credit_code="", name="赵个人")
    representative = DonorRepresentativeFactory(donor=person)
    pledge = PledgeFactory(donor=person, created_by=representative.user)
    firm_rep = DonorRepresentativeFactory()
    client.force_login(representative.user)
    client.post("/me/delete/", {"confirm": "yes"})
    person.refresh_from_db()
    assert person.name != "赵个人" and person.contact_phone == "" and not person.public_name_consent
    assert Pledge.objects.filter(pk=pledge.pk).exists()
    client.force_login(firm_rep.user)
    client.post("/me/delete/", {"confirm": "yes"})
    firm_rep.donor.refresh_from_db()
    assert firm_rep.donor.contact_name == "王女士"


@pytest.mark.parametrize("role", [roles.COORDINATOR, roles.SUBDISTRICT_ADMIN])
def test_staff_cannot_delete_themselves(client, community, role):
    staff = make_user(role, [community], username="staffer")
    client.force_login(staff)
    page = client.get("/me/delete/")
    assert "管理员" in page.content.decode()
    client.post("/me/delete/", {"confirm": "yes"})
    assert type(staff).objects.filter(pk=staff.pk).exists()
    with pytest.raises(personal_data.AccountError):
        personal_data.delete_account(staff)


def test_every_app_with_personal_data_contributes(served):
    keys = {section.key for section in personal_data.collect(served.user)}
    assert {"account", "volunteer_profile", "shifts"} <= keys


def test_deletion_leaves_no_name_in_wagtails_history(client, served):
    from wagtail.log_actions import log
    from wagtail.models import ModelLogEntry

    user = served.user
    log(instance=served, action="wagtail.edit", user=user)
    log(instance=user, action="wagtail.edit", user=user)
    assert ModelLogEntry.objects.filter(label__contains="李服务").exists()
    client.force_login(user)
    client.post("/me/delete/", {"confirm": "yes"})
    labels = list(ModelLogEntry.objects.values_list("label", flat=True))
    assert labels and not [label for label in labels if "李服务" in label or user.phone in label]
