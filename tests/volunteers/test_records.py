"""Issue 14, point 5: service records in the national form: confirmed hours only, the columns of
the 2020 rules, ID numbers masked unless permitted, scoped, audited; the certificate of volunteer
service with hours by project and a verification QR."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.models import AuditEvent
from tests.factories import ShiftFactory, SignupFactory, VolunteerProfileFactory
from tests.spreadsheets import assert_no_formula, workbook
from volunteers import records
from volunteers.models import Attendance, Certificate, VolunteerProfile

ID_NUMBER = "11010519491231002X"


@pytest.fixture
def served(volunteer, gate_task):
    VolunteerProfile.objects.filter(pk=volunteer.pk).update(id_number=ID_NUMBER)
    volunteer.refresh_from_db()
    start = (timezone.now() - timedelta(days=3)).replace(hour=7, minute=0, second=0, microsecond=0)
    rows = []
    for day, status in ((0, "confirmed"), (1, "confirmed"), (2, "recorded")):
        shift = ShiftFactory(
            task=gate_task,
            start=start + timedelta(days=day),
            end=start + timedelta(days=day, hours=5),
        )
        rows.append(
            Attendance.objects.create(
                signup=SignupFactory(shift=shift, profile=volunteer),
                check_in_at=shift.start,
                check_out_at=shift.end,
                status=status,
            )
        )
    return rows


def _period():
    today = timezone.localdate()
    return {"start": (today - timedelta(days=30)).isoformat(), "end": today.isoformat()}


def test_records_hold_the_national_columns_and_confirmed_hours_only(served, coordinator, volunteer):
    queryset = records.records(coordinator, profile=volunteer)
    rows = list(records.record_rows(queryset))
    assert len(rows) == 2  # the recorded one is not a record yet
    row = dict(zip(records.COLUMNS, rows[0], strict=True))
    assert row["姓名"] == "李晓红"
    assert row["证件类型"] == "居民身份证"
    assert row["证件号码"] == "110***********002X"
    assert row["服务项目"] == "北门值守"
    assert row["服务地点"].startswith("民岳家园社区")
    assert row["服务时长(小时)"] == 5
    assert row["组织单位"] == "民岳家园社区"
    assert row["记录人"] == records.AUTO_RECORDER  # confirmed by nobody in particular
    full = list(records.record_rows(queryset, full_id_numbers=True))
    assert full[0][2] == ID_NUMBER


def test_another_communitys_coordinator_gets_no_records(served, other_coordinator, volunteer):
    assert not records.records(other_coordinator, profile=volunteer).exists()


def test_the_xlsx_export_is_masked_for_coordinators_and_audited(client, served, coordinator):
    client.force_login(coordinator)
    response = client.get(reverse("volunteers_records:export"), {**_period(), "format": "xlsx"})
    assert response.status_code == 200
    sheet = workbook(response.content)
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == records.COLUMNS
    assert len(values) == 3
    assert values[1][2] == "110***********002X"
    assert ID_NUMBER not in str(values)
    assert_no_formula(sheet)
    event = AuditEvent.objects.get(action="export.personal_data")
    assert event.details["full_id_numbers"] is False and event.details["rows"] == 2


def test_the_subdistrict_admin_sees_whole_id_numbers(client, served, subdistrict_admin):
    client.force_login(subdistrict_admin)
    response = client.get(reverse("volunteers_records:export"), {**_period(), "format": "xlsx"})
    values = [[cell.value for cell in row] for row in workbook(response.content).iter_rows()]
    assert values[1][2] == ID_NUMBER
    assert AuditEvent.objects.get(action="export.personal_data").details["full_id_numbers"]


def test_a_volunteer_of_another_community_is_not_found(client, other_community, coordinator):
    stranger = VolunteerProfileFactory(community=other_community)
    client.force_login(coordinator)
    url = reverse("volunteers_records:export")
    assert client.get(url, {"profile": stranger.pk}).status_code == 404
    proof = reverse("volunteers_records:service_proof", args=[stranger.pk])
    assert client.post(proof, _period()).status_code == 404


def test_a_bad_period_says_so_and_exports_nothing(client, served, coordinator):
    client.force_login(coordinator)
    today = timezone.localdate()
    response = client.get(
        reverse("volunteers_records:export"),
        {
            "start": today.isoformat(),
            "end": (today - timedelta(days=3)).isoformat(),
            "format": "xlsx",
        },
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert not AuditEvent.objects.filter(action="export.personal_data").exists()


def test_the_certificate_of_service_has_hours_by_project_and_verifies(
    client, served, coordinator, volunteer
):
    client.force_login(coordinator)
    response = client.post(
        reverse("volunteers_records:service_proof", args=[volunteer.pk]), _period()
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    certificate = Certificate.objects.get()
    assert certificate.minutes == 600  # the recorded 5 hours are left out
    assert certificate.minutes_by_project == {"北门值守": 600}
    assert certificate.serial.startswith("ZM")
    assert AuditEvent.objects.filter(
        action="export.personal_data", details__report="service_proof"
    ).exists()
    from portal.tokens import sign
    from volunteers.views import CERTIFICATE_SIGNING_KIND

    page = client.get(
        reverse("volunteers:verify", args=[sign(CERTIFICATE_SIGNING_KIND, certificate.serial)])
    )
    assert page.status_code == 200 and "李**" in page.content.decode()


def _team_record(community, team, title, profile):
    from tests.factories import ProjectFactory, TaskFactory

    project = ProjectFactory(community=community, team=team, title=title)
    task = TaskFactory(community=community, project=project, title=f"{title}任务")
    start = (timezone.now() - timedelta(days=2)).replace(microsecond=0)
    shift = ShiftFactory(task=task, start=start, end=start + timedelta(hours=2))
    Attendance.objects.create(
        signup=SignupFactory(shift=shift, profile=profile),
        check_in_at=shift.start,
        check_out_at=shift.end,
        status="confirmed",
    )
    return project


def test_records_export_per_team_and_per_project_audited(client, community, coordinator, volunteer):
    from tests.factories import TeamFactory

    red, blue = TeamFactory(community=community), TeamFactory(community=community)
    red_project = _team_record(community, red, "红队巡逻", volunteer)
    _team_record(community, red, "红队消杀", volunteer)
    _team_record(community, blue, "蓝队值守", volunteer)
    client.force_login(coordinator)
    url = reverse("volunteers_records:export")

    def projects(**filters):
        response = client.get(url, {**_period(), "format": "xlsx", **filters})
        rows = list(workbook(response.content).iter_rows(values_only=True))[1:]
        return sorted(row[3] for row in rows)

    assert projects(team=red.pk) == ["红队巡逻任务", "红队消杀任务"]
    assert projects(project=red_project.pk) == ["红队巡逻任务"]
    assert projects(team=blue.pk) == ["蓝队值守任务"]
    audited = AuditEvent.objects.filter(action="export.personal_data").order_by("pk")
    assert [(e.details["team"], e.details["project"]) for e in audited] == [
        (red.pk, None),
        (None, red_project.pk),
        (blue.pk, None),
    ]


def test_a_team_leader_exports_only_their_teams_records(
    client, community, other_community, volunteer
):
    from portal import roles
    from tests.factories import TeamFactory, make_user
    from volunteers.records_admin import RecordsForm
    from volunteers.services import teams as team_services

    mine, theirs = TeamFactory(community=community), TeamFactory(community=other_community)
    _team_record(community, mine, "本队项目", volunteer)
    other_project = _team_record(other_community, theirs, "别队项目", volunteer)
    leader = VolunteerProfileFactory(
        user=make_user(roles.VOLUNTEER, username="records-leader"), community=community
    )
    team_services.set_leader(mine, leader)
    user = leader.user
    user.refresh_from_db()
    form = RecordsForm(user=user)
    assert list(form.fields["team"].queryset) == [mine]
    assert [p.title for p in form.fields["project"].queryset] == ["本队项目"]
    # everything a leader sees is their teams' work, whatever the filter
    titles = {a.signup.shift.task.title for a in records.records(user)}
    assert titles == {"本队项目任务"}
    client.force_login(user)
    url = reverse("volunteers_records:export")
    for refused in ({"team": theirs.pk}, {"project": other_project.pk}):
        response = client.get(url, {**_period(), "format": "xlsx", **refused})
        assert "spreadsheet" not in response.get("Content-Type", "")
    assert not AuditEvent.objects.filter(action="export.personal_data").exists()
    response = client.get(url, {**_period(), "format": "xlsx", "team": mine.pk})
    rows = list(workbook(response.content).iter_rows(values_only=True))[1:]
    assert [row[3] for row in rows] == ["本队项目任务"]
