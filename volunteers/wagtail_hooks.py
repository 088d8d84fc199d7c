"""The volunteering back office in the Wagtail admin, scoped to the user's communities."""

from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import include, path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from portal.admin_menu import PermissionMenuItem
from portal.importexport import ImportExportViewSetMixin
from portal.models import Compound, Post
from portal.scoping import can_access, communities_for, scope

from . import admin_views, services
from .models import WEEKDAYS, Attendance, Shift, ShiftTemplate, Skill, Task, VolunteerProfile
from .resources import AttendanceResource, VolunteerResource


def scoped_view(view_class):
    """`view_class`, showing and fetching only what portal.scoping lets the user see."""

    class Scoped(view_class):
        def get_base_queryset(self):
            queryset = super().get_base_queryset()
            if queryset.model is self.model:
                queryset = scope(queryset, self.request.user)
            return queryset

        def get_object(self, *args, **kwargs):
            obj = super().get_object(*args, **kwargs)
            if not can_access(self.request.user, obj):
                raise Http404
            return obj

    Scoped.__name__ = f"Scoped{view_class.__name__}"
    return Scoped


class ScopedViewSet(ModelViewSet):
    index_view_class = scoped_view(generic.IndexView)
    add_view_class = generic.CreateView
    edit_view_class = scoped_view(generic.EditView)
    delete_view_class = scoped_view(generic.DeleteView)
    inspect_view_class = scoped_view(generic.InspectView)
    history_view_class = scoped_view(generic.HistoryView)
    usage_view_class = scoped_view(generic.UsageView)
    copy_view_enabled = False
    add_to_admin_menu = False
    form_class = None

    def get_form_class(self, for_update=False):
        return self.form_class or super().get_form_class(for_update)


class ScopedForm(WagtailAdminModelForm):
    """Limits the community, compound and post choices to the user's communities."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self, "for_user", None)
        if user is None:
            return
        communities = communities_for(user)
        choices = {
            "community": communities,
            "compound": Compound.objects.filter(community__in=communities),
            "post": Post.objects.filter(compound__community__in=communities),
            "task": scope(Task.objects.all(), user),
        }
        for name, queryset in choices.items():
            if name in self.fields:
                self.fields[name].queryset = queryset


# --- Profiles ------------------------------------------------------------------------------


class ProfileForm(ScopedForm):
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


class ProfileIndexView(scoped_view(generic.IndexView)):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("community", "compound")


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

    def get_urlpatterns(self):
        # Profiles are created by volunteers themselves, never in the back office.
        return [p for p in super().get_urlpatterns() if p.name not in ("add",)]

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(**{"add_url_name": None, **kwargs})

    index_view_class = ProfileIndexView


# --- Tasks and templates ---------------------------------------------------------------------


class TaskForm(ScopedForm):
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


class TemplateForm(ScopedForm):
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
                services._parse_time(start), services._parse_time(end)
            except ValueError as error:
                raise ValidationError(_("Write each range as 07:00-12:00.")) from error
            ranges.append([start, end])
        if not ranges:
            raise ValidationError(_("Give at least one time range."))
        return ranges

    def save(self, commit=True):
        self.instance.time_ranges = self.cleaned_data["time_ranges_text"]
        return super().save(commit=commit)


class TemplateCreateView(generic.CreateView):
    def save_instance(self):
        instance = super().save_instance()
        services.generate_from_template(instance)
        return instance


class TemplateEditView(scoped_view(generic.EditView)):
    def save_instance(self):
        # Only future shifts nobody has taken follow the change (services.update_template).
        instance = self.form.save(commit=False)
        changes = {
            f: getattr(instance, f)
            for f in ("task", "weekdays", "time_ranges", "places", "start_date", "end_date")
        }
        template = ShiftTemplate.objects.get(pk=instance.pk)
        services.update_template(template, by=self.request.user, **changes)
        return template


class TemplateViewSet(ScopedViewSet):
    model = ShiftTemplate
    form_class = TemplateForm
    icon = "repeat"
    menu_label = _("Shift templates")
    name = "volunteers_templates"
    add_view_class = TemplateCreateView
    edit_view_class = TemplateEditView
    list_display = ["__str__", "places", "start_date", "end_date"]
    list_filter = ["task__community"]


# --- Shifts --------------------------------------------------------------------------------


class ShiftForm(ScopedForm):
    class Meta:
        model = Shift
        fields = ["task", "start", "end", "places"]

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            self.add_error("end", _("A shift must end after it starts."))
        if (
            self.instance.pk
            and data.get("places") is not None
            and data["places"] < self.instance.taken
        ):
            self.add_error("places", _("More people than that are already on this shift."))
        return data


class ShiftIndexView(scoped_view(generic.IndexView)):
    def get_base_queryset(self):
        queryset = (
            super()
            .get_base_queryset()
            .select_related("task__community", "task__post__compound", "task__compound")
        )
        if not any(key.startswith("start") for key in self.request.GET):
            # A year of shifts piles up behind; start from yesterday unless dates are asked for.
            queryset = queryset.filter(end__gte=timezone.now() - timedelta(days=1))
        return queryset


class ShiftViewSet(ScopedViewSet):
    model = Shift
    form_class = ShiftForm
    icon = "date"
    menu_label = _("Shifts")
    name = "volunteers_shifts"
    index_view_class = ShiftIndexView
    list_display = [
        TitleColumn("shift", label=_("shift"), accessor=str, get_url=admin_views.shift_people_url),
        Column("community", label=_("community"), accessor="task.community.name"),
        Column("start", label=_("start")),
        Column("taken", label=_("places taken"), accessor=lambda s: f"{s.taken}/{s.places}"),
        Column(
            "cancelled",
            label=_("cancelled"),
            accessor=lambda s: _("Cancelled") if s.cancelled_at else "",
        ),
    ]
    list_filter = {
        "task__community": ["exact"],
        "task__kind": ["exact"],
        "start": ["date__gte", "date__lte"],
    }
    search_fields = ["task__title"]
    ordering = ["start"]


# --- Attendance and skills -------------------------------------------------------------------


class AttendanceIndexView(scoped_view(generic.IndexView)):
    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("signup__profile", "signup__shift__task__community")
        )


class AttendanceViewSet(ImportExportViewSetMixin, ScopedViewSet):
    model = Attendance
    # The ledger (台账) out as filtered, and back in to confirm or correct attendance.
    import_resource_class = AttendanceResource
    export_resource_class = AttendanceResource
    icon = "time"
    menu_label = _("Attendance")
    name = "volunteers_attendance"
    index_view_class = AttendanceIndexView
    form_fields = ["source"]
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
    ]
    list_filter = {
        "signup__shift__task__community": ["exact"],
        "source": ["exact"],
        "check_in_at": ["date__gte", "date__lte"],
    }
    search_fields = ["signup__profile__real_name"]


class SkillViewSet(ModelViewSet):
    model = Skill
    icon = "pick"
    menu_label = _("Skills")
    name = "volunteers_skills"
    form_fields = ["name", "code", "sort_order"]
    list_display = ["name", "code", "sort_order"]
    copy_view_enabled = False


class VolunteeringGroup(ViewSetGroup):
    menu_label = _("Volunteering")
    menu_icon = "group"
    menu_order = 210
    items = [
        ProfileViewSet,
        TaskViewSet,
        TemplateViewSet,
        ShiftViewSet,
        AttendanceViewSet,
        SkillViewSet,
    ]


@hooks.register("register_admin_viewset")
def register_viewsets():
    return VolunteeringGroup()


@hooks.register("register_admin_urls")
def register_urls():
    urls = [
        path("profiles/<int:pk>/review/", admin_views.review_profile, name="review_profile"),
        path("shifts/<int:pk>/people/", admin_views.shift_people, name="shift_people"),
        path(
            "attendance/<int:pk>/correct/",
            admin_views.correct_attendance,
            name="correct_attendance",
        ),
        path("posts/", admin_views.post_list, name="posts"),
        path("posts/<int:pk>/qr/", admin_views.post_qr, name="post_qr"),
        path("party-report/", admin_views.party_report, name="party_report"),
        path("export/attendance.xlsx", admin_views.attendance_ledger, name="attendance_ledger"),
        path("export/volunteers.xlsx", admin_views.volunteer_export, name="volunteer_export"),
        path(
            "shifts/<int:pk>/suggestions/", admin_views.shift_suggestions, name="shift_suggestions"
        ),
        path("auto-assign/", admin_views.auto_assign, name="auto_assign"),
    ]
    return [path("volunteering/", include((urls, "volunteers_admin")))]


@hooks.register("register_admin_menu_item")
def register_reports_menu():
    return PermissionMenuItem(
        _("Volunteer reports and QR codes"),
        reverse("volunteers_admin:posts"),
        icon_name="doc-full",
        order=215,
        permission="volunteers.view_shift",
    )


@hooks.register("register_admin_menu_item")
def auto_assign_menu():
    return PermissionMenuItem(
        _("Auto-assign volunteers"),
        reverse("volunteers_admin:auto_assign"),
        icon_name="group",
        order=206,
        permission="volunteers.change_shift",
    )
