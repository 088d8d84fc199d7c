"""The volunteering back office in the Wagtail admin, on the one scoped base (portal.admin):
scoped to the user's communities, nothing deleted, every create and edit through
volunteers.services. A shift is cancelled from its people page (they are told), attendance
is changed only by a correction (kept with who and why)."""

from datetime import timedelta

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import include, path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.widgets.button import Button

from portal.admin import ScopedViewSet
from portal.admin.base import PortalFilterSet
from portal.importexport import ImportExportViewSetMixin

from . import admin_views, bulk_views, services, teams_admin, waitlist_admin
from .admin_menu import VOLUNTEERING_MENU  # its import registers the submenu's screens
from .models import (
    WEEKDAYS,
    Attendance,
    Shift,
    ShiftTemplate,
    Skill,
    Task,
    VolunteerProfile,
    WaitlistEntry,
)
from .resources import AttendanceResource, VolunteerResource

# --- Profiles ------------------------------------------------------------------------------


class ProfileForm(WagtailAdminModelForm):
    class Meta:
        model = VolunteerProfile
        fields = [
            "real_name",
            "mobile",
            "compound",
            "skills",
            "is_party_member",
            "work_unit",
            "emergency_contact_name",
            "emergency_contact_phone",
        ]


class ProfileViewSet(ImportExportViewSetMixin, ScopedViewSet):
    model = VolunteerProfile
    # Import and Export buttons (portal.importexport): the register as filtered, all or nothing.
    import_resource_class = VolunteerResource
    export_resource_class = VolunteerResource
    form_class = ProfileForm
    icon = "user"
    menu_label = _("Volunteers")
    name = "volunteers_profiles"
    list_display = [
        TitleColumn(
            "real_name",
            label=_("real name"),
            get_url=lambda p: reverse("volunteers_admin:review_profile", args=[p.pk]),
        ),
        Column("community", label=_("community")),
        Column(
            "compound_name",
            label=_("compound"),
            accessor=lambda p: p.compound.name if p.compound_id else "",
        ),
        Column("masked_mobile", label=_("mobile number")),
        Column("status", label=_("status"), accessor="get_status_display"),
        Column(
            "is_party_member",
            label=_("party member"),
            accessor=lambda p: _("Yes") if p.is_party_member else "",
        ),
        Column("work_unit", label=_("work unit")),
        Column("created_at", label=_("created at")),
    ]
    list_filter = ["status", "community", "is_party_member", "skills"]
    search_fields = ["real_name", "mobile", "work_unit"]
    ordering = ["status", "-created_at"]
    list_select_related = ("community", "compound")
    # Profiles are created by volunteers themselves, never in the back office.
    add_allowed = False

    def save_changes(self, instance, form, user):
        # services.update_profile: a change of name, mobile or ID number sends a verified
        # volunteer back for verification, kept in the identity history and audited.
        data = dict(form.cleaned_data)
        skills = data.pop("skills", None)
        return services.update_profile(instance, data, skills=skills, by=user)


# --- Tasks and templates ---------------------------------------------------------------------


class TaskForm(WagtailAdminModelForm):
    class Meta:
        model = Task
        fields = [
            "community",
            "title",
            "kind",
            "compound",
            "post",
            "skills",
            "instructions",
            "active",
            "preferred_skills",
            "required_courses",
            "own_community_only",
            "swaps_need_approval",
            "project",
        ]

    def clean(self):
        data = super().clean()
        community = data.get("community")
        for name in ("compound", "post"):
            place = data.get(name)
            if place and community and place.community.pk != community.pk:
                self.add_error(name, _("This place is not in the chosen community."))
        return data


class TaskViewSet(ScopedViewSet):
    model = Task
    form_class = TaskForm
    icon = "tasks"
    menu_label = _("Tasks")
    name = "volunteers_tasks"
    list_display = ["title", "kind", "community", "post", "active"]
    list_filter = ["kind", "community", "active"]
    search_fields = ["title", "instructions"]


class TemplateForm(WagtailAdminModelForm):
    weekdays = forms.TypedMultipleChoiceField(
        label=_("weekdays"),
        coerce=int,
        choices=[(i, label) for i, label in WEEKDAYS],
        widget=forms.CheckboxSelectMultiple,
    )
    time_ranges_text = forms.CharField(
        label=_("time ranges"),
        help_text=_("One per line, e.g. 07:00-12:00"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    class Meta:
        model = ShiftTemplate
        fields = ["task", "weekdays", "places", "start_date", "end_date"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["time_ranges_text"] = "\n".join(
                f"{a}-{b}" for a, b in self.instance.time_ranges
            )

    def clean_time_ranges_text(self):
        ranges = []
        for line in self.cleaned_data["time_ranges_text"].splitlines():
            line = line.strip().replace("—", "-").replace("～", "-").replace("~", "-")
            if not line:
                continue
            try:
                start, end = (part.strip() for part in line.split("-"))
                services.parse_time(start), services.parse_time(end)
            except ValueError as error:
                raise ValidationError(_("Write each range as 07:00-12:00.")) from error
            ranges.append([start, end])
        if not ranges:
            raise ValidationError(_("Give at least one time range."))
        return ranges

    def template_fields(self):
        data = self.cleaned_data
        fields = ("task", "weekdays", "places", "start_date", "end_date")
        return {**{f: data[f] for f in fields}, "time_ranges": data["time_ranges_text"]}


class TemplateViewSet(ScopedViewSet):
    model = ShiftTemplate
    form_class = TemplateForm
    icon = "repeat"
    menu_label = _("Shift templates")
    name = "volunteers_templates"

    def save_new(self, form, user):
        return services.create_template(by=user, **form.template_fields())

    def save_changes(self, instance, form, user):
        # Only future shifts nobody has taken follow the change (services.update_template).
        services.update_template(instance, by=user, **form.template_fields())
        return instance

    list_display = [
        "__str__",
        "places",
        "start_date",
        # no end date: its shifts keep coming, VOLUNTEERS_SHIFT_DAYS_AHEAD days ahead
        Column("end_date", label=_("until"), accessor=lambda t: t.end_date or _("no end date")),
    ]
    list_filter = ["task__community"]


# --- Shifts --------------------------------------------------------------------------------


class ShiftForm(WagtailAdminModelForm):
    class Meta:
        model = Shift
        fields = ["task", "start", "end", "places"]


class ShiftIndexView(generic.IndexView):
    def get_base_queryset(self):
        queryset = super().get_base_queryset()
        if not any(key.startswith("start") for key in self.request.GET):
            # A year of shifts piles up behind; start from yesterday unless dates are asked for.
            queryset = queryset.filter(end__gte=timezone.now() - timedelta(days=1))
        # how many wait for each listed shift, in the same query (the 候补 column)
        waiting = (
            WaitlistEntry.objects.filter(shift=OuterRef("pk"), status=WaitlistEntry.Status.WAITING)
            .order_by()
            .values("shift")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return queryset.annotate(waiting=Coalesce(Subquery(waiting), 0))


class ShiftEditView(generic.EditView):
    @cached_property
    def header_more_buttons(self):
        # A shift is never deleted; it is cancelled on its people page (they are told).
        return [
            *super().header_more_buttons,
            Button(
                _("Cancel the shift or change its people"),
                url=admin_views.shift_people_url(self.object),
                icon_name="cross",
                priority=20,
            ),
            Button(
                _("Waiting list"),
                url=reverse("volunteers_admin:shift_waitlist", args=[self.object.pk]),
                icon_name="list-ul",
                priority=30,
            ),
        ]


class ShiftFilterSet(PortalFilterSet):
    # The dashboard's "N open places in the next 48 hours" lands on exactly those shifts.
    open_places = django_filters.BooleanFilter(
        label=_("with open places"), method="filter_open_places"
    )

    class Meta:
        model = Shift
        fields = {
            "task__community": ["exact"],
            "task__kind": ["exact"],
            "start": ["date__gte", "date__lte"],
        }

    def filter_open_places(self, queryset, name, value):
        if value is None:
            return queryset
        lacking = dict(taken__lt=F("places"), cancelled_at__isnull=True)
        return queryset.filter(**lacking) if value else queryset.exclude(**lacking)


class ShiftViewSet(ScopedViewSet):
    model = Shift
    form_class = ShiftForm
    icon = "date"
    menu_label = _("Shifts")
    name = "volunteers_shifts"
    index_view_class = ShiftIndexView
    edit_view_class = ShiftEditView
    list_select_related = ("task__community", "task__post__compound", "task__compound")
    list_display = [
        TitleColumn("shift", label=_("shift"), accessor=str, get_url=admin_views.shift_people_url),
        Column("community", label=_("community"), accessor="task.community.name"),
        Column("start", label=_("start")),
        Column("taken", label=_("places taken"), accessor=lambda s: f"{s.taken}/{s.places}"),
        TitleColumn(
            "waiting",
            label=_("waiting"),
            accessor=lambda s: getattr(s, "waiting", 0),
            get_url=lambda s: reverse("volunteers_admin:shift_waitlist", args=[s.pk]),
        ),
        Column(
            "cancelled",
            label=_("cancelled"),
            accessor=lambda s: _("Cancelled") if s.cancelled_at else "",
        ),
    ]
    filterset_class = ShiftFilterSet
    search_fields = ["task__title"]
    ordering = ["start"]

    def save_new(self, form, user):
        data = form.cleaned_data
        return services.create_shift(
            data["task"], data["start"], data["end"], data["places"], by=user
        )

    def save_changes(self, instance, form, user):
        data = form.cleaned_data
        if data["task"].pk != instance.task_id:
            raise ValidationError(_("A shift stays on its task; cancel it and create another."))
        return services.update_shift(
            instance, by=user, start=data["start"], end=data["end"], places=data["places"]
        )


# --- Attendance and skills -------------------------------------------------------------------


class AttendanceViewSet(ImportExportViewSetMixin, ScopedViewSet):
    model = Attendance
    # The ledger (台账) out as filtered, and back in to confirm or correct attendance.
    import_resource_class = AttendanceResource
    export_resource_class = AttendanceResource
    icon = "time"
    menu_label = _("Attendance")
    name = "volunteers_attendance"
    list_select_related = ("signup__profile", "signup__shift__task__community")
    # Hours change only through a correction (admin_views.correct_attendance), kept with who
    # and why, or through the import, which calls the same services.
    read_only = True
    list_display = [
        TitleColumn(
            "volunteer",
            label=_("volunteer"),
            accessor="signup.profile.real_name",
            get_url=lambda a: reverse("volunteers_admin:correct_attendance", args=[a.pk]),
        ),
        Column("shift", label=_("shift"), accessor="signup.shift"),
        Column("check_in_at", label=_("checked in at")),
        Column("check_out_at", label=_("checked out at")),
        Column("hours", label=_("hours")),
        Column("source", label=_("source"), accessor="get_source_display"),
        Column("status", label=_("status"), accessor="get_status_display"),
    ]
    list_filter = {
        "signup__shift__task__community": ["exact"],
        "source": ["exact"],
        "status": ["exact"],
        "check_in_at": ["date__gte", "date__lte"],
    }
    search_fields = ["signup__profile__real_name"]


class SkillViewSet(ScopedViewSet):
    model = Skill
    scoped = False  # the managed list every member of staff picks from
    icon = "pick"
    menu_label = _("Skills")
    name = "volunteers_skills"
    form_fields = ["name", "code", "sort_order"]
    list_display = ["name", "code", "sort_order"]


class VolunteeringGroup(ViewSetGroup):
    menu_label = _("Volunteering")
    submenu_hook = VOLUNTEERING_MENU
    menu_icon = "group"
    menu_order = 210
    items = [
        ProfileViewSet,
        TaskViewSet,
        TemplateViewSet,
        ShiftViewSet,
        AttendanceViewSet,
        SkillViewSet,
        *teams_admin.ITEMS,
    ]


@hooks.register("register_admin_viewset")
def register_viewsets():
    return VolunteeringGroup()


@hooks.register("register_admin_urls")
def register_urls():
    urls = [
        path("profiles/<int:pk>/review/", admin_views.review_profile, name="review_profile"),
        path("profiles/<int:pk>/id-number/", admin_views.full_id_number, name="full_id_number"),
        path("shifts/<int:pk>/people/", admin_views.shift_people, name="shift_people"),
        path("signups/<int:pk>/remove/", admin_views.remove_signup, name="remove_signup"),
        path(
            "attendance/<int:pk>/correct/",
            admin_views.correct_attendance,
            name="correct_attendance",
        ),
        path("posts/", admin_views.post_list, name="posts"),
        path("posts/<int:pk>/qr/", admin_views.post_qr, name="post_qr"),
        path("party-report/", admin_views.party_report, name="party_report"),
        path("party-report/job/", bulk_views.party_report_job, name="party_report_job"),
        path("certificates/", bulk_views.bulk_certificates, name="bulk_certificates"),
        path("export/attendance.xlsx", admin_views.attendance_ledger, name="attendance_ledger"),
        path("export/volunteers.xlsx", admin_views.volunteer_export, name="volunteer_export"),
        path(
            "shifts/<int:pk>/suggestions/", admin_views.shift_suggestions, name="shift_suggestions"
        ),
        path("auto-assign/", admin_views.auto_assign, name="auto_assign"),
        path("duty-grid/", admin_views.duty_grid, name="duty_grid"),
        path("handovers/", waitlist_admin.handovers, name="handovers"),
        path(
            "shifts/<int:pk>/waiting-list/",
            waitlist_admin.shift_waitlist,
            name="shift_waitlist",
        ),
        path("teams/<int:pk>/people/", teams_admin.team_members, name="team_members"),
        path("teams/proposals/", teams_admin.team_proposals, name="team_proposals"),
        path("projects/<int:pk>/task/", teams_admin.project_task, name="project_task"),
    ]
    return [path("volunteering/", include((urls, "volunteers_admin")))]


# --- Messages to volunteers (volunteers/messages_admin.py) ---------------------------------


@hooks.register("register_admin_urls")
def register_message_urls():
    from . import messages_admin

    urls = [
        path("", messages_admin.batches, name="list"),
        path("new/", messages_admin.compose, name="compose"),
        path("<int:pk>/", messages_admin.detail, name="detail"),
        path("push-notice/<int:page_id>/", messages_admin.push_notice, name="push_notice"),
    ]
    return [path("volunteer-messages/", include((urls, "volunteers_messages")))]


from .services import messages as messages_service  # noqa: E402


@hooks.register("register_page_header_buttons")
def urgent_notice_push_button(page, user, view_name, next_url=None):
    """On a published urgent notice: push it once to its communities' volunteers. Registered
    here so the content app never imports volunteers."""
    specific = page.specific_deferred
    if (
        getattr(specific, "urgent", False)
        and page.live
        and type(specific).__name__ == "NoticePage"
        and user.has_perm("volunteers.add_messagebatch")
        and messages_service.may_push_notices(user)
    ):
        yield Button(
            _("Push to volunteers"),
            reverse("volunteers_messages:push_notice", args=[page.pk]),
            icon_name="mail",
            priority=80,
        )


# --- Hours to confirm and star levels (issue 14.3, 14.4) -------------------------------------

from . import hours_admin  # noqa: E402


@hooks.register("register_admin_urls")
def register_hours_urls():
    urls = [
        path("shifts/<int:pk>/hours/", hours_admin.shift_hours, name="shift_hours"),
        path("hours/", hours_admin.hours_to_confirm, name="hours_to_confirm"),
        path("stars/", hours_admin.star_review, name="star_review"),
    ]
    return [path("volunteering/", include((urls, "volunteers_hours")))]


# --- Service records in the national form (issue 14.5) --------------------------------------

from . import records_admin  # noqa: E402


@hooks.register("register_admin_urls")
def register_records_urls():
    urls = [
        path("", records_admin.records_export, name="export"),
        path("<int:pk>/service-proof/", records_admin.service_proof, name="service_proof"),
    ]
    return [path("volunteering/records/", include((urls, "volunteers_records")))]
