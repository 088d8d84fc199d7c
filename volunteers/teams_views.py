"""Public pages of teams, projects and the e-card: a team's page and QR poster (scan, sign up
by phone if new, ask to join), a project's page with its open places and shifts (join, leave),
the volunteer's e-card (a phone page that prints as a card) and the gate's check of a scanned
card. URLs carry a random page code or a signed token, never personal data."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, F, Q, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from portal.links import site_url
from portal.models import Community
from portal.qr import qr_svg
from portal.scoping import can_access
from portal.security import private_response

from .models import Project, ProjectMembership, Shift, Team, TeamMembership, VolunteerProfile
from .services import VolunteerError
from .services import cards as card_services
from .services import projects as project_services
from .services import teams as team_services

# Where a new volunteer's team request waits while they sign up (volunteers.views.join_form
# sends it once the profile exists).
JOIN_TEAM_SESSION_KEY = "volunteers.join_team"


def _profile(user):
    if not user.is_authenticated:
        return None
    return VolunteerProfile.objects.select_related("community").filter(user=user).first()


def _error(request, error):
    messages.error(request, " ".join(str(m) for m in error.messages))


# --- Teams -----------------------------------------------------------------------------------


def _team(code, user=None):
    """A team by its page code. A proposal (or a rejected one) is found only by its proposer
    and those who decide it; to anyone else it does not exist."""
    team = get_object_or_404(
        Team.objects.select_related("community", "subdistrict", "proposed_by"), code=code
    )
    if not team.is_public and not (
        user is not None
        and user.is_authenticated
        and (
            (team.proposed_by is not None and team.proposed_by.user_id == user.pk)
            or team_services.may_decide_proposal(user, team)
        )
    ):
        raise Http404
    return team


def team_page(request, code):
    team = _team(code, request.user)
    profile = _profile(request.user)
    membership = (
        TeamMembership.objects.filter(team=team, profile=profile).first() if profile else None
    )
    projects = team.projects.published().filter(end_date__gte=timezone.localdate())
    return render(
        request,
        "volunteers/teams/team.html",
        {
            "team": team,
            "profile": profile,
            "membership": membership,
            "member_count": team.memberships.approved().count(),
            "projects": projects,
        },
    )


@require_POST
def team_join(request, code):
    """Ask to join. A newcomer signs in by phone first; one with no volunteer profile signs
    up as a volunteer (their community's form) and the request follows."""
    team = _team(code, request.user)
    if not request.user.is_authenticated:
        return redirect(f"{reverse('account_signup')}?next={team_page_path(team)}")
    profile = _profile(request.user)
    if profile is None:
        request.session[JOIN_TEAM_SESSION_KEY] = team.pk
        messages.info(
            request,
            _("First tell us about yourself as a volunteer; your request to join follows."),
        )
        if team.community_id:
            return redirect("volunteers:join_form", slug=team.community.slug)
        return redirect("volunteers:index")
    try:
        membership = team_services.request_to_join(profile, team)
    except VolunteerError as error:
        _error(request, error)
    else:
        if membership.status == TeamMembership.Status.APPROVED:
            messages.info(request, _("You are already in this team."))
        else:
            messages.success(request, _("Your request is sent; the team's leader will decide."))
    return redirect("volunteers:team", code=team.code)


def send_pending_team_request(request, profile):
    """Called once a new volunteer's profile exists: the team request they started."""
    team_id = request.session.pop(JOIN_TEAM_SESSION_KEY, None)
    team = Team.objects.filter(pk=team_id, status=Team.Status.ACTIVE).first() if team_id else None
    if team is not None:
        try:
            team_services.request_to_join(profile, team)
        except VolunteerError:
            return None
    return team


@login_required
@require_POST
def team_leave(request, code):
    team = _team(code, request.user)
    profile = _profile(request.user)
    if profile is None:
        raise Http404
    try:
        team_services.leave_team(profile, team, by=request.user)
    except VolunteerError as error:
        _error(request, error)
    else:
        messages.info(request, _("You have left the team."))
    return redirect("volunteers:team", code=team.code)


class TeamProposalForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("team name"), max_length=100)
    kind = forms.ChoiceField(
        label=gettext_lazy("kind of team"), choices=Team.Kind.choices, initial=Team.Kind.COMMUNITY
    )
    community = forms.ModelChoiceField(
        label=gettext_lazy("community"),
        queryset=Community.objects.none(),
        required=False,
        help_text=gettext_lazy("Not needed for a subdistrict team."),
    )
    work_unit = forms.CharField(
        label=gettext_lazy("work unit"),
        max_length=100,
        required=False,
        help_text=gettext_lazy(
            "For a party branch team: the employer whose party members form it."
        ),
    )
    description = forms.CharField(
        label=gettext_lazy("description"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, profile, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = Community.objects.filter(
            subdistrict_id=profile.community.subdistrict_id
        ).order_by("name")
        self.fields["community"].initial = profile.community_id


@login_required
def team_propose(request):
    """A volunteer proposes a new team; the community (or the subdistrict, for a subdistrict
    team) approves or rejects it, and nothing of it is public until approved."""
    profile = _profile(request.user)
    if profile is None:
        messages.info(request, _("First sign up as a volunteer; then propose a team."))
        return redirect("volunteers:index")
    form = TeamProposalForm(request.POST or None, profile=profile)
    if request.method == "POST" and form.is_valid():
        try:
            team = team_services.propose_team(profile, **form.cleaned_data)
        except VolunteerError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                _error(request, error)
        else:
            messages.success(
                request,
                _("Your proposal is sent. You will be told when it is decided."),
            )
            return redirect("volunteers:team", code=team.code)
    return render(request, "volunteers/teams/propose.html", {"form": form, "profile": profile})


def team_page_path(team):
    return reverse("volunteers:team", args=[team.code])


def team_qr(request, code):
    """The printable QR poster of a team (it links to the team's public page)."""
    team = _team(code)
    url = site_url("volunteers:team", team.code)
    return render(
        request,
        "volunteers/teams/qr_poster.html",
        {
            "heading": team.name,
            "subheading": team.community.name if team.community_id else team.subdistrict.name,
            "hint": _("Scan to ask to join the team."),
            "url": url,
            "qr": qr_svg(url, scale=10, title=team.name),
        },
    )


# --- Projects --------------------------------------------------------------------------------


def _project(request, code):
    project = get_object_or_404(Project.objects.select_related("community", "team"), code=code)
    if not project.is_published and not (
        project.status == Project.Status.CLOSED or can_access(request.user, project)
    ):
        raise Http404  # a draft is seen by its organisers only
    return project


def project_page(request, code):
    project = _project(request, code)
    profile = _profile(request.user)
    member = bool(profile) and project_services.is_project_member(profile, project.pk)
    # a team-only project: others see it, and why they cannot join
    team_only_refusal = project_services.team_only_refusal(profile, project)
    shifts = (
        Shift.objects.open()
        .filter(task__project=project)
        .select_related("task__post", "task__compound")
        .order_by("start")[:60]
    )
    tasks = project.tasks.filter(active=True).select_related("post", "compound")
    open_shift_places = (
        Shift.objects.open()
        .filter(task__project=project)
        .aggregate(n=Sum(F("places") - F("taken")))["n"]
        or 0
    )
    return render(
        request,
        "volunteers/teams/project.html",
        {
            "project": project,
            "profile": profile,
            "member": member,
            "team_only_refusal": team_only_refusal,
            "places_left": project_services.places_left(project),
            "tasks": tasks,
            "shifts": shifts,
            "open_shift_places": open_shift_places,
        },
    )


@require_POST
def project_join(request, code):
    project = _project(request, code)
    if not request.user.is_authenticated:
        path = reverse("volunteers:project", args=[project.code])
        return redirect(f"{reverse('account_signup')}?next={path}")
    profile = _profile(request.user)
    if profile is None:
        messages.info(request, _("First sign up as a volunteer; then join the project."))
        return redirect("volunteers:join", slug=project.community.slug)
    try:
        project_services.join_project(profile, project)
    except VolunteerError as error:
        _error(request, error)
    else:
        messages.success(request, _("You have joined the project: now take its shifts."))
    return redirect("volunteers:project", code=project.code)


@login_required
@require_POST
def project_leave(request, code):
    project = _project(request, code)
    profile = _profile(request.user)
    if profile is None:
        raise Http404
    try:
        project_services.leave_project(profile, project)
    except VolunteerError as error:
        _error(request, error)
    else:
        messages.info(request, _("You have left the project."))
    return redirect("volunteers:project", code=project.code)


def project_qr(request, code):
    project = _project(request, code)
    url = site_url("volunteers:project", project.code)
    return render(
        request,
        "volunteers/teams/qr_poster.html",
        {
            "heading": project.title,
            "subheading": project.community.name,
            "hint": _("Scan to join the project and take its shifts."),
            "url": url,
            "qr": qr_svg(url, scale=10, title=project.title),
        },
    )


def community_projects(community):
    """Published projects of a community still running, with their members counted (the
    community page's list, volunteers.templatetags.volunteer_projects)."""
    return (
        Project.objects.published()
        .filter(community=community, end_date__gte=timezone.localdate())
        .select_related("team")
        .annotate(
            joined=Count(
                "memberships", filter=Q(memberships__status=ProjectMembership.Status.JOINED)
            )
        )
        .order_by("start_date", "pk")
    )


# --- The e-card ------------------------------------------------------------------------------


@login_required
@private_response
def my_card(request):
    profile = _profile(request.user)
    if profile is None:
        return redirect("volunteers:index")
    verified = profile.is_verified
    gate_url = (
        site_url("volunteers:card_check", card_services.card_token(profile)) if verified else ""
    )
    return render(
        request,
        "volunteers/teams/card.html",
        {
            "profile": profile,
            "number": card_services.volunteer_number(profile),
            "teams": team_services.teams_of(profile),
            "projects": Project.objects.filter(
                memberships__profile=profile,
                memberships__status=ProjectMembership.Status.JOINED,
            ),
            "star_level": card_services.star_level_for(profile),
            "gate_url": gate_url,
            "qr": qr_svg(gate_url, scale=6, title=_("Volunteer e-card")) if verified else "",
        },
    )


@login_required
@require_POST
def reissue_card(request):
    profile = _profile(request.user)
    if profile is None:
        return redirect("volunteers:index")
    card_services.reissue_card(profile)
    messages.success(
        request, _("Your card is issued again: codes shown or printed before no longer work.")
    )
    return redirect("volunteers:card")


@private_response
def card_check(request, token):
    """What a gate post sees when it scans a card: valid or not, and if valid the masked name,
    community, teams and whether the person holds a shift right now."""
    check = card_services.read_card(token)
    return render(
        request,
        "volunteers/teams/card_check.html",
        {"check": check, "now": timezone.now()},
        status=200 if check.valid else 404,
    )
