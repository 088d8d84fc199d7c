"""The volunteer register and the attendance ledger (台账) in and out of the Wagtail admin, through
portal.importexport: exports are scoped, imports preview each bad row and are all or nothing."""

import io
from datetime import timedelta

import openpyxl
import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tests.factories import SignupFactory, SkillFactory, VolunteerProfileFactory
from volunteers import services
from volunteers.models import Attendance, Shift, VolunteerProfile

pytestmark = pytest.mark.django_db

VOLUNTEER_HEADERS = [
    "姓名",
    "手机号",
    "社区",
    "小区",
    "技能",
    "在职党员",
    "工作单位",
    "同意个人信息使用",
]
LEDGER_HEADERS = ["班次编号", "手机号", "签到时间", "签退时间"]


def xlsx(headers, rows):
    return tablib.Dataset(*rows, headers=headers).export("xlsx")


def sheet_text(response):
    assert response.status_code == 200, response.content[:500]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    return " ".join(str(c.value) for row in book.active.iter_rows() for c in row)


def preview(client, name, content, filename="file.xlsx"):
    response = client.post(
        reverse(f"{name}:import"), {"file": SimpleUploadedFile(filename, content)}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return response["Location"], client.get(response["Location"])


def to_past(shift):
    """The ledger is filled in after the shift."""
    now = timezone.now().replace(second=0, microsecond=0)
    Shift.objects.filter(pk=shift.pk).update(
        start=now - timedelta(hours=6), end=now - timedelta(hours=1)
    )
    shift.refresh_from_db()
    return shift


def times(shift):
    return (
        timezone.localtime(shift.start).strftime("%Y-%m-%d %H:%M"),
        timezone.localtime(shift.end).strftime("%Y-%m-%d %H:%M"),
    )


# --- Export ------------------------------------------------------------------------------------


def test_listings_have_import_and_export_buttons(client, coordinator, volunteer):
    client.force_login(coordinator)
    for name in ("volunteers_profiles", "volunteers_attendance"):
        html = client.get(reverse(f"{name}:index")).content.decode()
        assert reverse(f"{name}:import") in html
        assert reverse(f"{name}:export") in html


def test_volunteer_export_holds_only_the_coordinators_community(
    client, coordinator, volunteer, other_community
):
    VolunteerProfileFactory(community=other_community, real_name="外社区甲")
    client.force_login(coordinator)
    text = sheet_text(client.get(reverse("volunteers_profiles:export"), {"format": "xlsx"}))
    assert "李晓红" in text and "外社区甲" not in text
    assert "手机号" in text and "同意个人信息使用" in text
    csv = client.get(reverse("volunteers_profiles:export"), {"format": "csv"})
    body = csv.content.decode("utf-8-sig")
    assert "李晓红" in body and "外社区甲" not in body
    # The listing's search narrows the file too.
    VolunteerProfileFactory(community=volunteer.community, real_name="王搜索")
    searched = sheet_text(
        client.get(reverse("volunteers_profiles:export"), {"format": "xlsx", "q": "王搜索"})
    )
    assert "王搜索" in searched and "李晓红" not in searched


def test_ledger_export_holds_only_the_coordinators_community(
    client, coordinator, volunteer, shift, other_shift, other_community
):
    past_shift = to_past(shift)
    signup = SignupFactory(shift=past_shift, profile=volunteer)
    Attendance.objects.create(
        signup=signup, check_in_at=past_shift.start, check_out_at=past_shift.end
    )
    stranger = VolunteerProfileFactory(community=other_community, real_name="外社区乙")
    other = SignupFactory(shift=other_shift, profile=stranger)
    Attendance.objects.create(
        signup=other, check_in_at=other_shift.start, check_out_at=other_shift.end
    )
    client.force_login(coordinator)
    text = sheet_text(client.get(reverse("volunteers_attendance:export"), {"format": "xlsx"}))
    assert "李晓红" in text and "北门值守" in text and "外社区乙" not in text


def test_other_coordinator_cannot_see_our_register_in_their_export(
    client, other_coordinator, volunteer
):
    client.force_login(other_coordinator)
    text = sheet_text(client.get(reverse("volunteers_profiles:export"), {"format": "xlsx"}))
    assert "李晓红" not in text


# --- Import: preview and all or nothing --------------------------------------------------------


def test_volunteer_preview_lists_each_bad_row_in_chinese_and_writes_nothing(
    client, coordinator, community, compound
):
    client.force_login(coordinator)
    url, response = preview(
        client,
        "volunteers_profiles",
        xlsx(
            VOLUNTEER_HEADERS,
            [
                ["王一", "13900000101", community.name, compound.name, "", "否", "", "是"],
                ["王二", "13900000102", "不存在社区", "", "", "否", "", "是"],
                ["王三", "13900000103", community.name, "", "", "否", "", "否"],
            ],
        ),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "第 3 行 · 社区：没有这个社区：不存在社区" in html
    assert "第 4 行 · 同意个人信息使用：请同意个人信息的使用说明。" in html
    assert "第 2 行" not in html  # the good row has no problem
    assert "王一" in html  # and is previewed
    assert "确认导入" not in html
    assert not VolunteerProfile.objects.exists()

    # Confirming anyway (a stale form, a crafted POST) still writes nothing.
    response = client.post(url)
    assert response.status_code == 200
    assert "文件有问题，未导入任何数据。" in response.content.decode()
    assert not VolunteerProfile.objects.exists()


def test_coordinator_importing_another_communitys_volunteer_gets_a_row_error(
    client, coordinator, community, other_community
):
    client.force_login(coordinator)
    url, response = preview(
        client,
        "volunteers_profiles",
        xlsx(
            VOLUNTEER_HEADERS,
            [
                ["王一", "13900000101", community.name, "", "", "否", "", "是"],
                ["王四", "13900000104", other_community.name, "", "", "否", "", "是"],
            ],
        ),
    )
    html = response.content.decode()
    assert "第 3 行 · 社区：您不能导入这个社区的志愿者。" in html
    client.post(url)
    assert not VolunteerProfile.objects.exists()


def test_volunteer_import_confirmed_creates_pending_profiles(
    client, coordinator, community, compound
):
    SkillFactory(name="驾驶", code="driving")
    client.force_login(coordinator)
    url, response = preview(
        client,
        "volunteers_profiles",
        xlsx(
            VOLUNTEER_HEADERS,
            [
                ["王一", "13900000101", community.name, compound.name, "驾驶", "否", "", "是"],
                ["王二", "139 0000 0102", community.name, "", "", "是", "丰台区税务局", "是"],
            ],
        ),
    )
    assert "确认导入" in response.content.decode()
    assert not VolunteerProfile.objects.exists()  # the preview was a dry run
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("volunteers_profiles:index")
    profiles = VolunteerProfile.objects.order_by("real_name")
    assert [(p.real_name, p.mobile, p.status) for p in profiles] == [
        ("王一", "13900000101", "pending"),
        ("王二", "13900000102", "pending"),
    ]
    assert [s.name for s in profiles[0].skills.all()] == ["驾驶"]
    assert profiles[1].work_unit == "丰台区税务局" and profiles[1].consent_at
    # A double click imports once.
    assert client.post(url).status_code == 302
    assert VolunteerProfile.objects.count() == 2


def test_exported_register_imports_back_as_updates(client, coordinator, volunteer):
    client.force_login(coordinator)
    exported = client.get(reverse("volunteers_profiles:export"), {"format": "xlsx"}).content
    url, response = preview(client, "volunteers_profiles", exported)
    assert "确认导入" in response.content.decode(), response.content.decode()[:3000]
    assert client.post(url).status_code == 302
    assert VolunteerProfile.objects.count() == 1
    volunteer.refresh_from_db()
    assert volunteer.real_name == "李晓红"


def test_ledger_import_previews_bad_rows_then_confirms(
    client, coordinator, volunteer, shift, community
):
    services.sign_up(volunteer, shift)
    second = VolunteerProfileFactory(community=community, real_name="王二")
    services.sign_up(second, shift)
    past_shift = to_past(shift)
    start, end = times(past_shift)
    client.force_login(coordinator)

    url, response = preview(
        client,
        "volunteers_attendance",
        xlsx(
            LEDGER_HEADERS,
            [
                [past_shift.pk, volunteer.mobile, start, end],
                [past_shift.pk, "13000000000", start, end],
                [past_shift.pk, second.mobile, end, start],
            ],
        ),
    )
    html = response.content.decode()
    assert "第 3 行 · 手机号：该班次没有使用这个手机号的志愿者。" in html
    assert "第 4 行 · 签退时间：签退时间必须晚于签到时间。" in html
    assert "确认导入" not in html
    client.post(url)
    assert not Attendance.objects.exists()

    url, response = preview(
        client,
        "volunteers_attendance",
        xlsx(
            LEDGER_HEADERS,
            [
                [past_shift.pk, volunteer.mobile, start, end],
                [past_shift.pk, second.mobile, start, end],
            ],
        ),
    )
    assert "确认导入" in response.content.decode()
    assert not Attendance.objects.exists()
    assert client.post(url).status_code == 302
    assert sorted(Attendance.objects.values_list("minutes", flat=True)) == [300, 300]


def test_ledger_row_for_another_communitys_shift_is_a_row_error(
    client, other_coordinator, volunteer, shift
):
    services.sign_up(volunteer, shift)
    past_shift = to_past(shift)
    start, end = times(past_shift)
    client.force_login(other_coordinator)
    url, response = preview(
        client,
        "volunteers_attendance",
        xlsx(
            LEDGER_HEADERS,
            [
                [past_shift.pk, volunteer.mobile, start, end],
            ],
        ),
    )
    assert "第 2 行 · 手机号：该班次没有使用这个手机号的志愿者。" in response.content.decode()
    client.post(url)
    assert not Attendance.objects.exists()
