"""Spreadsheets in and out (django-import-export): the volunteer register and the attendance
ledger (台账). Imports go through volunteers.services, so a row obeys the same rules as a form;
with use_transactions=True a file with any bad row writes nothing.

Column headings are the Chinese ones of the subdistrict's ledger, in both languages, so a file
exported by one coordinator imports for another whatever language their screen is in.
"""

from datetime import datetime

import tablib
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from import_export import fields

from portal.importexport import PortalResource
from portal.models import Community, Compound
from portal.scoping import can_access, scope
from portal.validators import normalize_mobile, validate_mobile

from . import services
from .models import Attendance, Signup, Skill, VolunteerProfile

TRUE_WORDS = {"是", "yes", "y", "true", "1", "√", "✓"}


def _text(row, column):
    value = row.get(column)
    return "" if value is None else str(value).strip()


def _yes(value):
    return str(value or "").strip().lower() in TRUE_WORDS


def _local(value):
    if isinstance(value, datetime):
        return timezone.make_aware(value) if timezone.is_naive(value) else value
    text = str(value or "").strip()
    if not text:
        return None
    parsed = datetime.fromisoformat(text.replace("/", "-"))
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


class Column(fields.Field):
    """A ledger column. The import writes through volunteers.services, not through the field, so
    the admin's import preview shows each cell as it was read from the file."""

    def export(self, instance, **kwargs):
        row = getattr(instance, "_import_row", None)
        if row is not None:
            return _text(row, self.column_name)
        return super().export(instance, **kwargs)


class ScopedResource(PortalResource):
    """Knows the user it imports for (portal.importexport.PortalResource: permissions, scope,
    Chinese or English headers, row numbers in the admin preview), and refuses rows outside
    their communities."""

    @staticmethod
    def prepare(queryset):
        return queryset

    def filter_export(self, queryset, **kwargs):
        # The admin's Export passes the scoped, filtered listing; add what the columns need.
        return self.prepare(super().filter_export(queryset, **kwargs))

    def after_init_instance(self, instance, new, row, **kwargs):
        instance._import_row = row  # the preview shows the cells as read (Column.export)
        super().after_init_instance(instance, new, row, **kwargs)

    def import_data(self, dataset, **kwargs):
        # All or nothing: a file with any bad row writes no row at all.
        kwargs.setdefault("use_transactions", True)
        kwargs.setdefault("rollback_on_validation_errors", True)
        return super().import_data(dataset, **kwargs)

    def get_queryset(self):
        queryset = super().get_queryset()
        return scope(queryset, self.user) if self.user is not None else queryset


class VolunteerResource(ScopedResource):
    real_name = Column(attribute="real_name", column_name="姓名")
    mobile = Column(attribute="mobile", column_name="手机号")
    community = Column(column_name="社区")
    compound = Column(column_name="小区")
    skills = Column(column_name="技能")
    is_party_member = Column(column_name="在职党员")
    work_unit = Column(attribute="work_unit", column_name="工作单位")
    consent = Column(column_name="同意个人信息使用")
    status = Column(column_name="状态", readonly=True)

    class Meta:
        model = VolunteerProfile
        fields = [
            "real_name",
            "mobile",
            "community",
            "compound",
            "skills",
            "is_party_member",
            "work_unit",
            "consent",
            "status",
        ]
        import_id_fields = ["mobile"]
        skip_diff = True
        clean_model_instances = False  # services validate

    @staticmethod
    def prepare(queryset):
        return (
            queryset.exclude(status=VolunteerProfile.Status.DELETED)
            .select_related("community", "compound")
            .prefetch_related("skills")
        )

    def required_columns(self):
        return ["姓名", "手机号", "社区"]

    def _perm(self, action):
        # Profiles are made by volunteers themselves, so coordinators have no add permission;
        # importing a paper register creates pending profiles on their change permission.
        return super()._perm("change" if action == "add" else action)

    # Export ---------------------------------------------------------------------------------
    def dehydrate_community(self, profile):
        return profile.community.name

    def dehydrate_compound(self, profile):
        return profile.compound.name if profile.compound_id else ""

    def dehydrate_skills(self, profile):
        return "、".join(skill.name for skill in profile.skills.all())

    def dehydrate_is_party_member(self, profile):
        return "是" if profile.is_party_member else "否"

    def dehydrate_consent(self, profile):
        return "是" if profile.consent else "否"

    def dehydrate_status(self, profile):
        return profile.get_status_display()

    # Import ---------------------------------------------------------------------------------
    def get_instance(self, instance_loader, row):
        mobile = normalize_mobile(_text(row, "手机号"))
        return self.get_queryset().filter(mobile=mobile).first() if mobile else None

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        data = {
            "real_name": _text(row, "姓名"),
            "mobile": normalize_mobile(_text(row, "手机号")),
            "is_party_member": _yes(row.get("在职党员")),
            "work_unit": _text(row, "工作单位"),
        }
        if not data["real_name"]:
            errors["real_name"] = _("This field is required.")
        try:
            validate_mobile(data["mobile"])
        except ValidationError as error:
            errors["mobile"] = error.messages
        community = Community.objects.filter(name=_text(row, "社区")).first()
        if community is None:
            errors["community"] = _("Unknown community: %(name)s") % {"name": _text(row, "社区")}
        elif self.user is not None and not can_access(self.user, community):
            errors["community"] = _("You may not import volunteers of this community.")
        data["community"] = community
        compound_name = _text(row, "小区")
        data["compound"] = None
        if compound_name and community is not None:
            data["compound"] = Compound.objects.filter(
                community=community, name=compound_name
            ).first()
            if data["compound"] is None:
                errors["compound"] = _("Unknown compound: %(name)s") % {"name": compound_name}
        names = [
            n.strip()
            for n in _text(row, "技能").replace(",", "、").replace("，", "、").split("、")
            if n.strip()
        ]
        skills = list(Skill.objects.filter(name__in=names))
        unknown = set(names) - {s.name for s in skills}
        if unknown:
            errors["skills"] = _("Unknown skill: %(name)s") % {"name": "、".join(sorted(unknown))}
        if instance.pk is None and not _yes(row.get("同意个人信息使用")):
            errors["consent"] = _("Please agree to the use of your personal data.")
        if data["is_party_member"] and not data["work_unit"]:
            errors["work_unit"] = _("Please tell us your work unit.")
        if errors:
            raise ValidationError(errors)
        for key, value in data.items():
            setattr(instance, key, value)
        instance._import_data = {**data, "consent": True}
        instance._import_skills = skills

    def save_instance(self, instance, is_create, row, **kwargs):
        data, skills = instance._import_data, instance._import_skills
        try:
            if is_create:
                saved = services.create_profile(None, data, skills=skills)
            else:
                saved = services.update_profile(
                    VolunteerProfile.objects.get(pk=instance.pk), data, skills=skills, by=self.user
                )
        except ValidationError as error:
            raise ValidationError(
                error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
            ) from error
        instance.pk = saved.pk

    def save_m2m(self, instance, row, **kwargs):
        pass  # services set the skills


class AttendanceResource(ScopedResource):
    """The ledger: one row per person per shift. Importing a row confirms (or corrects) that
    person's attendance on that shift."""

    shift_id = Column(column_name="班次编号")
    date = Column(column_name="日期", readonly=True)
    community = Column(column_name="社区", readonly=True)
    task = Column(column_name="任务", readonly=True)
    place = Column(column_name="点位", readonly=True)
    name = Column(column_name="姓名", readonly=True)
    mobile = Column(column_name="手机号")
    check_in_at = Column(column_name="签到时间")
    check_out_at = Column(column_name="签退时间")
    hours = Column(column_name="时长(小时)", readonly=True)
    source = Column(column_name="来源", readonly=True)
    # recorded / confirmed / disputed: only confirmed hours count (services.hours).
    status = Column(column_name="确认状态", readonly=True)

    class Meta:
        model = Attendance
        fields = [
            "shift_id",
            "date",
            "community",
            "task",
            "place",
            "name",
            "mobile",
            "check_in_at",
            "check_out_at",
            "hours",
            "source",
            "status",
        ]
        skip_diff = True
        clean_model_instances = False

    @staticmethod
    def prepare(queryset):
        queryset = queryset.select_related(
            "signup__profile",
            "signup__shift__task__community",
            "signup__shift__task__post",
            "signup__shift__task__compound",
        )
        # The admin listing's own ordering is kept; otherwise the ledger runs by shift.
        return (
            queryset if queryset.query.order_by else queryset.order_by("signup__shift__start", "pk")
        )

    def required_columns(self):
        return ["班次编号", "手机号", "签到时间", "签退时间"]

    def dehydrate_shift_id(self, a):
        return a.signup.shift_id

    # Dates and times as values, not text: the export writes them as date cells (csv: as
    # 2026-11-30 07:00), and the import reads either back.
    def dehydrate_date(self, a):
        return timezone.localtime(a.signup.shift.start).date()

    def dehydrate_community(self, a):
        return a.signup.shift.task.community.name

    def dehydrate_task(self, a):
        return a.signup.shift.task.title

    def dehydrate_place(self, a):
        return a.signup.shift.task.place_name

    def dehydrate_name(self, a):
        return a.signup.profile.real_name

    def dehydrate_mobile(self, a):
        return a.signup.profile.mobile

    def dehydrate_check_in_at(self, a):
        return timezone.localtime(a.check_in_at) if a.check_in_at else None

    def dehydrate_check_out_at(self, a):
        return timezone.localtime(a.check_out_at) if a.check_out_at else None

    def dehydrate_status(self, a):
        return str(a.get_status_display())

    def dehydrate_hours(self, a):
        return a.hours

    def dehydrate_source(self, a):
        return a.get_source_display()

    def get_or_init_instance(self, instance_loader, row):
        errors = {}
        signup = None
        try:
            shift_id = int(float(_text(row, "班次编号")))
        except (ValueError, OverflowError):  # not a number, or "inf"
            shift_id = None
            errors["shift"] = _("Give the shift number.")
        mobile = normalize_mobile(_text(row, "手机号"))
        if shift_id is not None:
            signups = (
                Signup.objects.holding()
                .select_related("shift")
                .filter(shift_id=shift_id, profile__mobile=mobile)
            )
            if self.user is not None:
                signups = scope(signups, self.user)
            signup = signups.first()
            if signup is None:
                errors["mobile"] = _("Nobody with this mobile number is on that shift.")
        if errors:
            raise ValidationError(errors)
        attendance = Attendance.objects.filter(signup=signup).first()
        if attendance is None:
            return Attendance(signup=signup), True
        return attendance, False

    def import_instance(self, instance, row, **kwargs):
        try:
            check_in, check_out = _local(row.get("签到时间")), _local(row.get("签退时间"))
        except ValueError as error:
            raise ValidationError({"check_in_at": _("Write times as 2026-11-30 07:00.")}) from error
        if not check_in or not check_out:
            raise ValidationError({"check_in_at": _("Give both check-in and check-out times.")})
        if check_out < check_in:
            raise ValidationError({"check_out_at": _("Check-out must be after check-in.")})
        instance._times = (check_in, check_out)

    def save_instance(self, instance, is_create, row, **kwargs):
        check_in, check_out = instance._times
        if is_create or not instance.check_in_at:
            saved = services.confirm_attendance(instance.signup, self.user, check_in, check_out)
        elif (instance.check_in_at, instance.check_out_at) != (check_in, check_out):
            saved = services.correct_attendance(
                instance, self.user, check_in, check_out, _("Imported from the attendance ledger")
            )
        else:
            saved = instance
        instance.pk = saved.pk

    def save_m2m(self, instance, row, **kwargs):
        pass


def party_report_dataset(units):
    dataset = tablib.Dataset(headers=["工作单位", "姓名", "社区", "班次数", "时长(小时)"])
    for unit in units:
        for member in unit["members"]:
            dataset.append(
                [
                    unit["work_unit"],
                    member["name"],
                    member["community"],
                    member["shifts"],
                    member["hours"],
                ]
            )
        dataset.append([unit["work_unit"], "合计", "", "", unit["hours"]])
    return dataset
