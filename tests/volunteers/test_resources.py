"""Spreadsheet imports: all or nothing, each bad row named with its reason."""

from datetime import timedelta

import pytest
import tablib
from django.utils import timezone

from tests.factories import SkillFactory, VolunteerProfileFactory
from volunteers import services
from volunteers.models import Attendance, Shift, VolunteerProfile
from volunteers.resources import AttendanceResource, VolunteerResource

pytestmark = pytest.mark.django_db

HEADERS = ["姓名", "手机号", "社区", "小区", "技能", "在职党员", "工作单位", "同意个人信息使用"]


def volunteer_rows(community, compound, *rows):
    dataset = tablib.Dataset(headers=HEADERS)
    for row in rows:
        dataset.append(row)
    return dataset


def test_volunteer_import_writes_every_row_when_all_are_good(coordinator, community, compound):
    SkillFactory(name="驾驶", code="driving")
    dataset = volunteer_rows(
        community,
        compound,
        ["王一", "13900000101", community.name, compound.name, "驾驶", "否", "", "是"],
        ["王二", "13900000102", community.name, "", "", "是", "丰台区税务局", "是"],
    )
    result = VolunteerResource(user=coordinator).import_data(
        dataset, dry_run=False, raise_errors=False, use_transactions=True
    )
    assert not result.has_errors() and not result.has_validation_errors()
    profiles = VolunteerProfile.objects.order_by("real_name")
    assert [p.real_name for p in profiles] == ["王一", "王二"]
    assert all(p.status == "pending" and p.consent_at for p in profiles)
    assert [s.name for s in profiles[0].skills.all()] == ["驾驶"]


def test_volunteer_import_with_a_bad_row_writes_nothing_and_names_the_row(
    coordinator, community, compound, other_community
):
    dataset = volunteer_rows(
        community,
        compound,
        ["王一", "13900000101", community.name, compound.name, "", "否", "", "是"],
        ["王二", "13900000102", "不存在社区", "", "", "否", "", "是"],
        ["王三", "12345", community.name, "", "", "否", "", "否"],
        ["王四", "13900000104", other_community.name, "", "", "否", "", "是"],
    )
    result = VolunteerResource(user=coordinator).import_data(
        dataset, dry_run=False, raise_errors=False, use_transactions=True
    )
    assert result.has_validation_errors()
    assert not VolunteerProfile.objects.exists()
    bad = {row.number: row.error_dict for row in result.invalid_rows}
    assert set(bad) == {2, 3, 4}
    assert "community" in bad[2]
    assert "consent" in bad[3] and "mobile" in bad[3]
    assert "您不能导入这个社区的志愿者。" in bad[4]["community"]


def test_volunteer_export_round_trips(coordinator, community, compound):
    VolunteerProfileFactory(community=community, compound=compound, real_name="钱导出")
    dataset = VolunteerResource(user=coordinator).export()
    assert dataset.headers[:3] == ["姓名", "手机号", "社区"]
    assert dataset[0][0] == "钱导出" and dataset[0][3] == compound.name


def test_attendance_import_confirms_and_corrects_all_or_nothing(
    coordinator, volunteer, shift, community
):
    services.sign_up(volunteer, shift)
    second = VolunteerProfileFactory(community=community)
    services.sign_up(second, shift)
    now = timezone.now()  # the ledger is filled in after the shift
    Shift.objects.filter(pk=shift.pk).update(
        start=now - timedelta(hours=6), end=now - timedelta(hours=1)
    )
    shift.refresh_from_db()

    def ledger(*rows):
        dataset = tablib.Dataset(headers=["班次编号", "手机号", "签到时间", "签退时间"])
        for row in rows:
            dataset.append(row)
        return dataset

    start = shift.start.astimezone().strftime("%Y-%m-%d %H:%M")
    end = shift.end.astimezone().strftime("%Y-%m-%d %H:%M")
    bad = ledger([shift.pk, volunteer.mobile, start, end], [shift.pk, "13000000000", start, end])
    result = AttendanceResource(user=coordinator).import_data(
        bad, dry_run=False, raise_errors=False, use_transactions=True
    )
    assert result.has_validation_errors() and not Attendance.objects.exists()
    assert [row.number for row in result.invalid_rows] == [2]

    good = ledger([shift.pk, volunteer.mobile, start, end], [shift.pk, second.mobile, start, end])
    result = AttendanceResource(user=coordinator).import_data(
        good, dry_run=False, raise_errors=False, use_transactions=True
    )
    assert not result.has_errors() and not result.has_validation_errors()
    assert sorted(Attendance.objects.values_list("minutes", flat=True)) == [300, 300]


def test_attendance_import_refuses_another_communitys_shift(other_coordinator, volunteer, shift):
    services.sign_up(volunteer, shift)
    dataset = tablib.Dataset(headers=["班次编号", "手机号", "签到时间", "签退时间"])
    dataset.append([shift.pk, volunteer.mobile, "2026-12-01 07:00", "2026-12-01 12:00"])
    result = AttendanceResource(user=other_coordinator).import_data(
        dataset, dry_run=False, raise_errors=False, use_transactions=True
    )
    assert result.has_validation_errors() and not Attendance.objects.exists()
