"""Service records in the national form (issue #14 item 5).

《志愿服务记录与证明出具办法（试行）》(民政部, 2020) asks that a volunteer service record hold
the volunteer's name and ID document, the service project, its content, place, start and end
times and hours, the organising body and who recorded it. `record_rows` turns confirmed
attendance into those rows (docs/records.md maps the columns to the city platform's upload);
`records_dataset` makes the spreadsheet, with ID numbers masked unless the exporter holds
`volunteers.view_full_id_number`; `issue_service_proof` snapshots the certificate of volunteer
service (志愿服务证明) with the hours by project.

Only confirmed hours are records (services.hours.counted_attendance). The "service project" is
the task (Task.title); `PROJECT_LOOKUP` and `TEAM_LOOKUP` are the hooks for the teams and
projects of issue 14 items 1-2 (another helper): set them to the ORM path from Attendance to
the project's / team's id and the per-project / per-team filters follow.
"""

import secrets

import tablib
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.scoping import scope
from portal.validators import mask_id_number

from .models import Certificate, VolunteerProfile
from .services import VolunteerError
from .services.hours import counted_attendance

# ID documents (VolunteerProfile.id_type) by the names the national record and the city
# platform use, whatever the exporter's language.
ID_TYPE_NAMES = {
    "resident_id": "居民身份证",
    "hk_macao_permit": "港澳居民来往内地通行证",
    "taiwan_permit": "台湾居民来往大陆通行证",
    "passport": "护照",
    "foreign_permanent_id": "外国人永久居留身份证",
}
ID_TYPE = ID_TYPE_NAMES["resident_id"]


def id_type_name(profile):
    """证件类型 of a profile's number, empty when there is no number."""
    return ID_TYPE_NAMES.get(profile.id_type, "") if profile.id_number else ""


# The columns, in the order of the national record (docs/records.md).
COLUMNS = [
    "姓名",
    "证件类型",
    "证件号码",
    "服务项目",
    "服务内容",
    "服务地点",
    "开始时间",
    "结束时间",
    "服务时长(小时)",
    "组织单位",
    "记录人",
    "记录日期",
]

AUTO_RECORDER = "系统自动确认（无异议）"

# Hooks for items 1-2 (teams and projects): ORM paths from Attendance, or None.
PROJECT_LOOKUP = None
TEAM_LOOKUP = None

_FIELDS = [
    "pk",
    "signup__profile_id",
    "signup__profile__real_name",
    "signup__shift__task__title",
    "signup__shift__task__kind",
    "signup__shift__task__community__name",
    "signup__shift__task__community__subdistrict__name",
    "signup__shift__task__compound__name",
    "signup__shift__task__post__name",
    "signup__shift__task__post__compound__name",
    "check_in_at",
    "check_out_at",
    "minutes",
    "confirmed_by__username",
    "confirmed_by__first_name",
    "confirmed_by__last_name",
    "confirmed_at",
]


def records(
    user, *, profile=None, community=None, task=None, team=None, project=None, start=None, end=None
):
    """The confirmed attendance `user` may see, narrowed by the filters (ids or objects)."""
    queryset = scope(counted_attendance(start, end), user)
    if profile is not None:
        queryset = queryset.filter(signup__profile=profile)
    if community is not None:
        queryset = queryset.filter(signup__shift__task__community=community)
    if task is not None:
        queryset = queryset.filter(signup__shift__task=task)
    if project is not None:
        if PROJECT_LOOKUP is None:
            raise VolunteerError(_("Projects are not available yet."), code="no_projects")
        queryset = queryset.filter(**{PROJECT_LOOKUP: project})
    if team is not None:
        if TEAM_LOOKUP is None:
            raise VolunteerError(_("Teams are not available yet."), code="no_teams")
        queryset = queryset.filter(**{TEAM_LOOKUP: team})
    return queryset.order_by("signup__shift__start", "pk")


def _place(row):
    post = row["signup__shift__task__post__name"]
    compound = (
        row["signup__shift__task__post__compound__name"]
        or row["signup__shift__task__compound__name"]
    )
    parts = [row["signup__shift__task__community__name"], compound, post]
    return " ".join(part for part in parts if part)


def _recorder(row):
    if not row["confirmed_by__username"]:
        return AUTO_RECORDER
    full = f"{row['confirmed_by__last_name']}{row['confirmed_by__first_name']}".strip()
    return full or row["confirmed_by__username"]


def record_rows(queryset, *, full_id_numbers=False):
    """One list per record, in COLUMNS order. ID numbers are read once per volunteer (they are
    encrypted) and masked unless `full_id_numbers`."""
    from .models.shifts import Task

    kinds = dict(Task.Kind.choices)
    id_numbers = {}  # profile id -> (type name, number as exported)
    rows = queryset.values(*_FIELDS).iterator(chunk_size=2000)
    batch = []

    def flush():
        missing = {row["signup__profile_id"] for row in batch} - id_numbers.keys()
        if missing:
            for pk, number, id_type in VolunteerProfile.objects.filter(pk__in=missing).values_list(
                "pk", "id_number", "id_type"
            ):
                shown = number if full_id_numbers else mask_id_number(number)
                id_numbers[pk] = (ID_TYPE_NAMES.get(id_type, "") if number else "", shown)
        for row in batch:
            id_type, number = id_numbers.get(row["signup__profile_id"], ("", ""))
            yield [
                row["signup__profile__real_name"],
                id_type,
                number,
                row["signup__shift__task__title"],
                str(kinds.get(row["signup__shift__task__kind"], row["signup__shift__task__kind"])),
                _place(row),
                timezone.localtime(row["check_in_at"]).replace(tzinfo=None),
                timezone.localtime(row["check_out_at"]).replace(tzinfo=None),
                round(row["minutes"] / 60, 2),
                row["signup__shift__task__community__name"],
                _recorder(row),
                timezone.localtime(row["confirmed_at"]).date() if row["confirmed_at"] else None,
            ]
        batch.clear()

    for row in rows:
        batch.append(row)
        if len(batch) >= 2000:
            yield from flush()
    yield from flush()


def records_dataset(queryset, *, full_id_numbers=False):
    dataset = tablib.Dataset(headers=COLUMNS)
    for row in record_rows(queryset, full_id_numbers=full_id_numbers):
        dataset.append(row)
    return dataset


def can_see_full_id_numbers(user):
    return user.has_perm("volunteers.view_full_id_number")


def issue_service_proof(profile, user, start, end):
    """The certificate of volunteer service (志愿服务证明) of the volunteer's confirmed hours in the
    period, by project, issued in the name of her home community (the body that keeps her
    records). A snapshot like every certificate: the same period, hours and name give back the
    one already issued."""
    if profile.status != VolunteerProfile.Status.VERIFIED:
        raise VolunteerError(_("Only verified volunteers can get a certificate."), code="state")
    mine = counted_attendance(start, end).filter(signup__profile=profile)
    by_project = dict(mine.values_list("signup__shift__task__title").annotate(total=Sum("minutes")))
    by_kind = dict(mine.values_list("signup__shift__task__kind").annotate(total=Sum("minutes")))
    total = sum(by_project.values())
    if not total:
        raise VolunteerError(_("There are no recorded hours in this period."), code="no_hours")
    existing = Certificate.objects.filter(
        profile=profile,
        period_start=start,
        period_end=end,
        minutes=total,
        name=profile.real_name,
        minutes_by_project=by_project,
    ).first()
    if existing:
        return existing
    return Certificate.objects.create(
        serial=f"ZM{timezone.localdate():%Y%m%d}{secrets.token_hex(4).upper()}",
        profile=profile,
        community=profile.community,
        name=profile.real_name,
        period_start=start,
        period_end=end,
        minutes=total,
        minutes_by_kind=by_kind,
        minutes_by_project=by_project,
    )
