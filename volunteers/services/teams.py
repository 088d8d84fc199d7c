"""Volunteer teams: creating them (by the community's staff, or proposed by a volunteer and
approved), asking to join, a leader's yes or no, leaving, and who leads. Every decision is
audited; a leader's account holds the team-leader role exactly while they lead at least one
active team (sync_leader_role)."""

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal import audit, roles
from portal.links import site_url
from portal.notify import notify
from portal.scoping import can_access

from ..models import Team, TeamMembership, VolunteerProfile
from .base import VolunteerError

TEAM_FIELDS = ("name", "kind", "community", "subdistrict", "work_unit", "description", "status")


def _check_team_fields(fields):
    kind = fields.get("kind")
    community = fields.get("community")
    if kind != Team.Kind.SUBDISTRICT and community is None:
        raise VolunteerError(
            {"community": _("A community or party branch team belongs to a community.")},
            code="community",
        )
    if kind == Team.Kind.PARTY_BRANCH and not (fields.get("work_unit") or "").strip():
        raise VolunteerError(
            {"work_unit": _("Name the work unit whose party members form this team.")},
            code="work_unit",
        )
    if community is not None:
        fields["subdistrict"] = community.subdistrict
    if fields.get("subdistrict") is None:
        raise VolunteerError(
            {"subdistrict": _("Choose the subdistrict of the team.")}, code="subdistrict"
        )


def _ensure_may_organise(user, community):
    """A community's coordinators create its teams; only the subdistrict's admins create a
    subdistrict team (no community)."""
    if user is None:
        return
    if community is None:
        if not roles.is_subdistrict_admin(user):
            raise PermissionDenied
    elif not can_access(user, community) or not roles.has_role(user, *roles.STAFF_ROLES):
        raise PermissionDenied


def create_team(*, by=None, **fields):
    fields = {name: fields.get(name) for name in TEAM_FIELDS if name in fields}
    fields.setdefault("kind", Team.Kind.COMMUNITY)
    _check_team_fields(fields)
    _ensure_may_organise(by, fields.get("community"))
    with transaction.atomic():
        team = Team.objects.create(**{k: v for k, v in fields.items() if v is not None})
        audit.record("volunteers.team.create", user=by, obj=team, kind=team.kind)
    return team


def update_team(team, *, by=None, **fields):
    """Change a team's details. Its leaders may describe it; moving it to another community
    or changing its kind is for the community's staff."""
    current = {name: getattr(team, name) for name in TEAM_FIELDS}
    fields = {k: v for k, v in fields.items() if k in TEAM_FIELDS}
    if fields.get("community") is not None:
        fields["subdistrict"] = fields["community"].subdistrict
    elif fields.get("subdistrict") is None:
        fields.pop("subdistrict", None)
    changed = {k: v for k, v in fields.items() if k in TEAM_FIELDS and v != current[k]}
    if by is not None and not can_access(by, team):
        raise PermissionDenied
    if {"kind", "community", "subdistrict"} & changed.keys():
        _ensure_may_organise(by, fields.get("community", team.community))
    proposal_states = {Team.Status.PROPOSED, Team.Status.REJECTED}
    if "status" in changed and proposal_states & {current["status"], changed["status"]}:
        # a proposal is approved or rejected by decide_team_proposal alone (its proposer
        # becomes the leader, and is told)
        raise VolunteerError(
            {"status": _("A proposed team is approved or rejected among the team proposals.")},
            code="proposal",
        )
    merged = {**current, **changed}
    _check_team_fields(merged)
    with transaction.atomic():
        for name in TEAM_FIELDS:
            setattr(team, name, merged[name])
        team.save()
        audit.record("volunteers.team.change", user=by, obj=team, fields=sorted(changed))
    return team


PROPOSAL_FIELDS = ("name", "kind", "community", "work_unit", "description")


def propose_team(profile, **fields):
    """A volunteer proposes a new team. It stays a proposal, seen by nobody but the proposer
    and whoever decides it (the community's coordinators; the subdistrict's admins for a
    subdistrict team), until approved (decide_team_proposal)."""
    if profile.status != VolunteerProfile.Status.VERIFIED or profile.user_id is None:
        raise VolunteerError(
            _("Your community must confirm you before you can propose a team."),
            code="not_verified",
        )
    fields = {name: fields.get(name) for name in PROPOSAL_FIELDS}
    fields["name"] = (fields["name"] or "").strip()
    if not fields["name"]:
        raise VolunteerError({"name": _("Give the team a name.")}, code="name")
    fields["kind"] = fields["kind"] or Team.Kind.COMMUNITY
    if fields["kind"] == Team.Kind.SUBDISTRICT:
        fields["community"] = None
        fields["subdistrict"] = profile.community.subdistrict
    _check_team_fields(fields)
    with transaction.atomic():
        team = Team.objects.create(
            **{k: v for k, v in fields.items() if v is not None},
            status=Team.Status.PROPOSED,
            proposed_by=profile,
        )
        audit.record("volunteers.team.propose", user=profile.user, obj=team, kind=team.kind)
    return team


def may_decide_proposal(user, team):
    """The community's coordinators decide a proposal for their community; the subdistrict's
    admins decide any, and they alone a subdistrict team's (as for appointing leaders)."""
    return roles.is_subdistrict_admin(user) or (
        team.community_id is not None
        and roles.has_role(user, roles.COORDINATOR)
        and can_access(user, team.community)
    )


def proposals_for(user):
    """The proposals waiting for `user`'s decision."""
    waiting = Team.objects.filter(status=Team.Status.PROPOSED).select_related(
        "community", "subdistrict", "proposed_by__community"
    )
    if roles.is_subdistrict_admin(user):
        return waiting
    if not roles.has_role(user, roles.COORDINATOR):
        return waiting.none()
    from portal.scoping import community_ids

    return waiting.filter(community_id__in=community_ids(user))


def decide_team_proposal(team, *, by, approve, reason=""):
    """Approve (the team becomes active and its proposer its leader) or reject a proposal
    (with a reason, told to the proposer). Decided once: a second decision is refused."""
    if not may_decide_proposal(by, team):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not approve and not reason:
        raise VolunteerError(
            {"reason": _("Say why the proposal is rejected; the proposer is told.")},
            code="reason",
        )
    with transaction.atomic():
        locked = Team.objects.select_for_update().get(pk=team.pk)
        if locked.status != Team.Status.PROPOSED:
            raise VolunteerError(_("This proposal has already been decided."), code="decided")
        locked.status = Team.Status.ACTIVE if approve else Team.Status.REJECTED
        locked.decided_at = timezone.now()
        locked.decided_by = by
        locked.decision_reason = reason
        locked.save(update_fields=["status", "decided_at", "decided_by", "decision_reason"])
        audit.record(
            "volunteers.team.proposal_approve" if approve else "volunteers.team.proposal_reject",
            user=by,
            obj=locked,
        )
        proposer = locked.proposed_by
        if approve and proposer is not None:
            set_leader(locked, proposer, by=by)
        if proposer is not None and proposer.user_id:
            notify(
                proposer.user,
                "volunteers/notify/team_approved" if approve else "volunteers/notify/team_rejected",
                {
                    "team": locked.name,
                    "reason": reason,
                    "link": site_url("volunteers:team", locked.code) if approve else "",
                },
            )
    return locked


def request_to_join(profile, team):
    """`profile` asks to join `team`; a leader decides. Asking again while a request waits or
    while a member changes nothing; a declined or former member may ask again."""
    if profile.status in (VolunteerProfile.Status.DELETED, VolunteerProfile.Status.REJECTED):
        raise VolunteerError(
            _("Only volunteers whose community has accepted them may join a team."),
            code="not_volunteer",
        )
    if not team.is_active:
        raise VolunteerError(_("This team no longer takes new members."), code="closed")
    with transaction.atomic():
        membership, created = TeamMembership.objects.select_for_update().get_or_create(
            team=team, profile=profile
        )
        if not created and membership.status in (
            TeamMembership.Status.PENDING,
            TeamMembership.Status.APPROVED,
        ):
            return membership
        if not created:
            membership.status = TeamMembership.Status.PENDING
            membership.requested_at = timezone.now()
            membership.decided_at = membership.decided_by = None
            membership.is_leader = False
            membership.save()
        audit.record("volunteers.team.request", user=profile.user, obj=membership, team=team.pk)
    return membership


def _decide(membership, by, *, approve):
    if by is not None and not can_access(by, membership):
        raise PermissionDenied
    with transaction.atomic():
        # the row lock makes two leaders deciding at once give one decision
        locked = TeamMembership.objects.select_for_update().get(pk=membership.pk)
        if locked.status != TeamMembership.Status.PENDING:
            raise VolunteerError(_("This request has already been decided."), code="decided")
        locked.status = (
            TeamMembership.Status.APPROVED if approve else TeamMembership.Status.DECLINED
        )
        locked.decided_at = timezone.now()
        locked.decided_by = by
        locked.save(update_fields=["status", "decided_at", "decided_by"])
        audit.record(
            "volunteers.team.approve" if approve else "volunteers.team.decline",
            user=by,
            obj=locked,
            team=locked.team_id,
        )
    return locked


def approve_membership(membership, *, by=None):
    return _decide(membership, by, approve=True)


def decline_membership(membership, *, by=None):
    return _decide(membership, by, approve=False)


def decide_memberships(memberships, *, by=None, approve):
    """A leader's "approve the ticked ones" in one list: each decided on its own; returns
    (decided, skipped) counts, skipping requests decided meanwhile."""
    decided = skipped = 0
    for membership in memberships:
        try:
            _decide(membership, by, approve=approve)
        except VolunteerError:
            skipped += 1
        else:
            decided += 1
    return decided, skipped


def leave_team(profile, team, *, by=None):
    """The member leaves (or a leader removes them); a leader who leaves stops leading."""
    with transaction.atomic():
        membership = (
            TeamMembership.objects.select_for_update().filter(team=team, profile=profile).first()
        )
        if membership is None or membership.status not in (
            TeamMembership.Status.APPROVED,
            TeamMembership.Status.PENDING,
        ):
            raise VolunteerError(_("You are not in this team."), code="not_member")
        if by is not None and by != profile.user and not can_access(by, membership):
            raise PermissionDenied
        membership.status = TeamMembership.Status.LEFT
        membership.is_leader = False
        membership.save(update_fields=["status", "is_leader"])
        audit.record("volunteers.team.leave", user=by or profile.user, obj=membership)
        if profile.user_id:
            sync_leader_role(profile.user)
    return membership


def set_leader(team, profile, *, by=None, leader=True):
    """Make `profile` a leader of `team` (an approved member from then on), or stand them
    down. The team's community staff decide this, not other leaders."""
    if by is not None and not (
        roles.is_subdistrict_admin(by)
        or (
            team.community_id
            and roles.has_role(by, roles.COORDINATOR)
            and can_access(by, team.community)
        )
    ):
        raise PermissionDenied
    if leader and profile.user_id is None:
        raise VolunteerError(_("This volunteer has no account any more."), code="no_account")
    with transaction.atomic():
        membership, _created = TeamMembership.objects.select_for_update().get_or_create(
            team=team, profile=profile
        )
        if leader:
            membership.status = TeamMembership.Status.APPROVED
            membership.decided_at = membership.decided_at or timezone.now()
            membership.decided_by = membership.decided_by or by
        membership.is_leader = leader
        membership.save()
        audit.record(
            "volunteers.team.leader" if leader else "volunteers.team.unleader",
            user=by,
            obj=membership,
            team=team.pk,
        )
        if profile.user_id:
            sync_leader_role(profile.user)
    return membership


def sync_leader_role(user):
    """Give `user` the team-leader role while they lead an active team, and take it away
    when they lead none."""
    leads = TeamMembership.objects.leading().filter(
        profile__user=user, team__status=Team.Status.ACTIVE
    )
    group = Group.objects.get_or_create(name=roles.TEAM_LEADER)[0]
    if leads.exists():
        user.groups.add(group)
    else:
        user.groups.remove(group)
    for cached in ("_role_names", "_team_ids", "_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(cached, None)


def teams_of(profile):
    """The active teams `profile` is an approved member of."""
    return Team.objects.filter(
        memberships__profile=profile,
        memberships__status=TeamMembership.Status.APPROVED,
        status=Team.Status.ACTIVE,
    ).distinct()
