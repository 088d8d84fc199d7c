"""The volunteer register, attendance ledger and party report exports neutralise formulas typed
by volunteers and keep numbers and dates typed (issue 10, point 8)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import SignupFactory, VolunteerProfileFactory
from tests.spreadsheets import ATTACK, assert_no_formula, cells, csv_rows, workbook
from volunteers import services as volunteer_services
from volunteers.models import Attendance


@pytest.fixture
def attacker(community, compound):
    """A volunteer who typed a formula into 工作单位 and their name, with one attended shift."""
    return VolunteerProfileFactory(
        community=community,
        compound=compound,
        real_name="=1+2",
        is_party_member=True,
        work_unit=ATTACK,
    )


@pytest.fixture
def attended(attacker, shift):
    signup = SignupFactory(shift=shift, profile=attacker)
    return Attendance.objects.create(signup=signup, check_in_at=shift.start, check_out_at=shift.end)


def test_volunteer_register_exports_neutralise_formulas(client, coordinator, attacker):
    client.force_login(coordinator)
    sheet = workbook(client.get("/admin/volunteering/export/volunteers.xlsx").content)
    assert_no_formula(sheet)
    assert sheet.title == "志愿者"  # each export names its sheet, never "Tablib Dataset"/"Sheet"
    assert ATTACK in [cell.value for cell in cells(sheet)]

    for fmt in ("xlsx", "csv"):
        response = client.get(reverse("volunteers_profiles:export") + f"?format={fmt}")
        assert response.status_code == 200
        if fmt == "xlsx":
            assert_no_formula(workbook(response.content))
        else:
            values = [value for line in csv_rows(response.content) for value in line]
            assert "'" + ATTACK in values and "'=1+2" in values
            assert ATTACK not in values


def test_attendance_ledger_and_party_report_keep_numbers_and_dates(
    client, coordinator, attended, shift
):
    client.force_login(coordinator)
    day = timezone.localtime(shift.start).date()
    first, last = volunteer_services.month_bounds(day)
    period = {"start": first, "end": last}

    ledger = workbook(client.get("/admin/volunteering/export/attendance.xlsx", period).content)
    assert_no_formula(ledger)
    assert ledger.title == "考勤台账"
    headers = [cell.value for cell in next(ledger.iter_rows())]
    row = {h: cell for h, cell in zip(headers, next(ledger.iter_rows(min_row=2)), strict=True)}
    assert row["姓名"].value == "=1+2" and row["姓名"].data_type == "s"
    assert row["班次编号"].value == shift.pk and row["班次编号"].data_type == "n"
    assert row["日期"].is_date and row["签到时间"].is_date and row["签退时间"].is_date
    assert row["签到时间"].value == timezone.localtime(shift.start).replace(tzinfo=None)
    assert row["时长(小时)"].data_type == "n"

    report = workbook(
        client.get("/admin/volunteering/party-report/", {**period, "format": "xlsx"}).content
    )
    assert_no_formula(report)
    assert report.title == "在职党员服务时长"
    member = next(report.iter_rows(min_row=2))
    assert member[0].value == ATTACK and member[0].data_type == "s"
    assert member[3].data_type == "n" and member[4].data_type == "n"
