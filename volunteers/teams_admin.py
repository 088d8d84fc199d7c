"""The back office of teams and projects (Wagtail viewsets on portal.admin's scoped base, and
the custom views a leader works in): a community's staff see their community's teams and
projects; a team leader sees only the teams they lead, their join requests, members and
projects, and the projects' tasks, shifts and hours (portal.scoping `team_lookup`)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.tables import Column, TitleColumn

from portal import roles
from portal.admin import ScopedViewSet, show_error
from portal.models import Post
from portal.params import parse_ids
from portal.scoping import can_access, get_scoped_or_404, scope
from portal.widgets import DateInput

from . import services
from .models import (
    WEEKDAYS,
    Project,
    ProjectMembership,
    Task,
    Team,
    TeamMembership,
    VolunteerProfile,
)
from .services import projects as project_services
from .services import teams as team_services
from .services.stars import granted_level_subquery

# --- Teams -----------------------------------------------------------------------------------


class TeamForm(WagtailAdminModelForm):
    class Meta:
        model = Team
        fields = ["name", "kind", "community", "subdistrict", "work_unit", "description", "status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # a community's team takes the community's subdistrict (services.teams)
        self.fields["subdistrict"].required = False
        user = getattr(self, "for_user", None)
        if user is not None and not roles.has_role(user, *roles.STAFF_ROLES):
            # a leader describes the team; where it belongs is for the community's staff
            for name in ("kind", "community", "subdistrict", "work_unit"):
                self.fields.pop(name, None)


class TeamViewSet(ScopedViewSet):
    model = Team
    form_class = TeamForm
    icon = "group"
    menu_label = gettext_lazy("Volunteer teams")
    name = "volunteers_teams"
    list_select_related = ("community",)
    list_display = [
        TitleColumn(
            "name",
            label=gettext_lazy("team name"),
            get_url=lambda t: reverse("volunteers_admin:team_members", args=[t.pk]),
        ),
        Column("kind", label=gettext_lazy("kind of team"), accessor="get_kind_display"),
        Column("community", label=gettext_lazy("community")),
        Column("status", label=gettext_lazy("status"), accessor="get_status_display"),
    ]
    list_filter = ["kind", "community", "status"]
    search_fields = ["name", "work_unit"]

    def save_new(self, form, user):
        return team_services.create_team(by=user, **form.cleaned_data)

    def save_changes(self, instance, form, user):
        return team_services.update_team(instance, by=user, **form.cleaned_data)


class TeamMembershipViewSet(ScopedViewSet):
    model = TeamMembership
    icon = "user"
    menu_label = gettext_lazy("Team members")
    name = "volunteers_team_members"
    # decided in the team's list (team_members below), one by one or ticked together
    read_only = True
    list_select_related = ("team", "profile")
    list_display = [
        TitleColumn(
            "profile",
            label=gettext_lazy("volunteer"),
            accessor="profile.real_name",
            get_url=lambda m: reverse("volunteers_admin:team_members", args=[m.team_id]),
        ),
        Column("team", label=gettext_lazy("team")),
        Column("status", label=gettext_lazy("status"), accessor="get_status_display"),
        Column("is_leader", label=gettext_lazy("team leader")),
        Column("requested_at", label=gettext_lazy("asked at")),
    ]
    list_filter = ["team", "status", "is_leader"]
    search_fields = ["profile__real_name"]


def _may_appoint(user, team):
    """The team's community staff (or the subdistrict's admins) appoint its leaders."""
    return roles.is_subdistrict_admin(user) or (
        team.community_id is not None
        and roles.has_role(user, roles.COORDINATOR)
        and can_access(user, team.community)
    )


@permission_required("volunteers.view_teammembership", raise_exception=True)
def team_members(request, pk):
    """A team's people in one list: requests waiting (approve or decline the ticked ones),
    members and leaders; the community's staff appoint leaders here."""
    team = get_scoped_or_404(request.user, Team.objects.select_related("community"), pk=pk)
    memberships = TeamMembership.objects.filter(team=team).select_related("profile__community")
    may_appoint = _may_appoint(request.user, team)
    if request.method == "POST":
        if not request.user.has_perm("volunteers.change_teammembership"):
            raise PermissionDenied
        action = request.POST.get("action")
        try:
            if action in ("approve", "decline"):
                chosen = memberships.pending().filter(pk__in=parse_ids(request.POST.getlist("m")))
                if not chosen:
                    messages.error(request, _("Tick at least one request."))
                else:
                    decided, skipped = team_services.decide_memberships(
                        list(chosen), by=request.user, approve=action == "approve"
                    )
                    messages.success(
                        request,
                        _("%(count)d requests approved.") % {"count": decided}
                        if action == "approve"
                        else _("%(count)d requests declined.") % {"count": decided},
                    )
            elif action == "lead" and may_appoint:
                profile = get_scoped_or_404(
                    request.user, VolunteerProfile, pk=request.POST.get("p")
                )
                team_services.set_leader(team, profile, by=request.user)
                messages.success(request, _("The team's leaders are changed."))
            elif action == "unlead" and may_appoint:
                membership = memberships.get(pk=parse_ids([request.POST.get("m")])[0])
                team_services.set_leader(team, membership.profile, by=request.user, leader=False)
                messages.success(request, _("The team's leaders are changed."))
            elif action == "remove":
                membership = memberships.get(pk=parse_ids([request.POST.get("m")])[0])
                team_services.leave_team(membership.profile, team, by=request.user)
                messages.success(request, _("Removed from the team."))
        except services.VolunteerError as error:
            show_error(request, error)
        except (TeamMembership.DoesNotExist, IndexError, ValidationError):
            messages.error(request, _("Choose a member of this team."))
        return redirect("volunteers_admin:team_members", pk=team.pk)
    candidates = []
    if may_appoint and team.community_id:
        candidates = scope(
            VolunteerProfile.objects.filter(
                community=team.community, status=VolunteerProfile.Status.VERIFIED
            ),
            request.user,
        ).order_by("real_name")[:300]
    return render(
        request,
        "volunteers/admin/team_members.html",
        {
            "title": team.name,
            "team": team,
            "pending": memberships.pending().order_by("requested_at"),
            # the granted star level beside each name (services.stars, one subquery)
            "members": memberships.approved()
            .annotate(star_level=granted_level_subquery("profile"))
            .order_by("-is_leader", "profile__real_name"),
            "may_change": request.user.has_perm("volunteers.change_teammembership"),
            "may_appoint": may_appoint,
            "may_message": request.user.has_perm("volunteers.add_messagebatch"),
            "candidates": candidates,
            "projects": scope(Project.objects.filter(team=team), request.user),
        },
    )


@permission_required("volunteers.add_team", raise_exception=True)
def team_proposals(request):
    """Teams proposed by volunteers, waiting for the community's coordinator (or the
    subdistrict, for a subdistrict team): approve (the proposer leads it) or reject with a
    reason."""
    waiting = team_services.proposals_for(request.user)
    if request.method == "POST":
        ids = parse_ids([request.POST.get("t")])
        team = waiting.filter(pk=ids[0]).first() if ids else None
        if team is None:
            messages.error(request, _("This proposal is no longer waiting."))
        else:
            approve = request.POST.get("action") == "approve"
            try:
                team_services.decide_team_proposal(
                    team, by=request.user, approve=approve, reason=request.POST.get("reason", "")
                )
            except services.VolunteerError as error:
                show_error(request, error)
            else:
                messages.success(
                    request,
                    _("The team “%(name)s” is approved; its proposer leads it.")
                    % {"name": team.name}
                    if approve
                    else _("The proposal “%(name)s” is rejected.") % {"name": team.name},
                )
        return redirect("volunteers_admin:team_proposals")
    return render(
        request,
        "volunteers/admin/team_proposals.html",
        {"title": _("Team proposals"), "proposals": waiting.order_by("created_at", "pk")},
    )


# --- Projects --------------------------------------------------------------------------------


class ProjectForm(WagtailAdminModelForm):
    class Meta:
        model = Project
        fields = [
            "title",
            "team",
            "team_only",
            "community",
            "description",
            "start_date",
            "end_date",
            "places",
            "status",
        ]
        widgets = {"start_date": DateInput, "end_date": DateInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # a team's project serves the team's community (services.projects)
        self.fields["community"].required = False


class ProjectViewSet(ScopedViewSet):
    model = Project
    form_class = ProjectForm
    icon = "clipboard-list"
    menu_label = gettext_lazy("Volunteer projects")
    name = "volunteers_projects"
    list_select_related = ("community", "team")
    list_display = [
        TitleColumn(
            "title",
            label=pgettext_lazy("project", "title"),
            get_url=lambda p: reverse("volunteers_projects:edit", args=[p.pk]),
        ),
        Column("community", label=gettext_lazy("community")),
        Column("team", label=gettext_lazy("team")),
        Column("start_date", label=pgettext_lazy("period start", "from")),
        Column("end_date", label=pgettext_lazy("period end", "until")),
        Column("status", label=gettext_lazy("status"), accessor="get_status_display"),
        TitleColumn(
            "tasks",
            label=gettext_lazy("tasks"),
            accessor=lambda p: _("Add a task and its shifts"),
            get_url=lambda p: reverse("volunteers_admin:project_task", args=[p.pk]),
        ),
    ]
    list_filter = ["status", "community", "team"]
    search_fields = ["title", "description"]

    def save_new(self, form, user):
        return project_services.create_project(by=user, **form.cleaned_data)

    def save_changes(self, instance, form, user):
        return project_services.update_project(instance, by=user, **form.cleaned_data)


class ProjectMembershipViewSet(ScopedViewSet):
    model = ProjectMembership
    icon = "user"
    menu_label = gettext_lazy("Project members")
    name = "volunteers_project_members"
    read_only = True  # volunteers join and leave themselves
    list_select_related = ("project", "profile")
    list_display = [
        Column("profile", label=gettext_lazy("volunteer"), accessor="profile.real_name"),
        Column("project", label=gettext_lazy("project")),
        Column("status", label=gettext_lazy("status"), accessor="get_status_display"),
        Column("joined_at", label=gettext_lazy("joined at")),
    ]
    list_filter = ["project", "status"]
    search_fields = ["profile__real_name"]


class ProjectTaskForm(forms.Form):
    title = forms.CharField(label=pgettext_lazy("task", "title"), max_length=100)
    kind = forms.ChoiceField(label=gettext_lazy("kind"), choices=Task.Kind.choices)
    post = forms.ModelChoiceField(label=gettext_lazy("post"), queryset=Post.objects.none())
    weekdays = forms.TypedMultipleChoiceField(
        label=gettext_lazy("weekdays"),
        coerce=int,
        choices=[(i, label) for i, label in WEEKDAYS],
        widget=forms.CheckboxSelectMultiple,
    )
    time_ranges_text = forms.CharField(
        label=gettext_lazy("time ranges"),
        help_text=gettext_lazy("One per line, e.g. 07:00-12:00"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    places = forms.IntegerField(label=gettext_lazy("people per shift"), min_value=1, max_value=500)

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["post"].queryset = Post.objects.filter(
            compound__community=project.community
        ).select_related("compound")

    def clean_time_ranges_text(self):
        from .wagtail_hooks import TemplateForm

        return TemplateForm.clean_time_ranges_text(self)


@permission_required("volunteers.change_project", raise_exception=True)
def project_task(request, pk):
    """Add a task to a project with its recurring shifts, over the project's period: what a
    team leader needs to publish "民岳家园卡口值守 · 2月" without the community's task list."""
    project = get_scoped_or_404(request.user, Project.objects.select_related("community"), pk=pk)
    form = ProjectTaskForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            from django.db import transaction

            with transaction.atomic():
                task = project_services.add_project_task(
                    project,
                    by=request.user,
                    title=data["title"],
                    kind=data["kind"],
                    post=data["post"],
                )
                services.create_template(
                    by=request.user,
                    task=task,
                    weekdays=data["weekdays"],
                    time_ranges=data["time_ranges_text"],
                    places=data["places"],
                    start_date=project.start_date,
                    end_date=project.end_date,
                )
        except services.VolunteerError as error:
            show_error(request, error)
        else:
            messages.success(request, _("The task and its shifts are added to the project."))
            return redirect("volunteers_admin:project_task", pk=project.pk)
    return render(
        request,
        "volunteers/admin/project_task.html",
        {
            "title": project.title,
            "project": project,
            "form": form,
            "tasks": project.tasks.select_related("post"),
        },
    )


ITEMS = [TeamViewSet, TeamMembershipViewSet, ProjectViewSet, ProjectMembershipViewSet]
