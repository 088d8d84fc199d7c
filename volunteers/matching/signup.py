"""The one check of taking a place on a shift: sign-up and invitation both call it."""

from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Shift, Signup, VolunteerProfile
from .core import NOT_A_MEMBER, NOT_VERIFIED, OVERLAPPING_COMMITMENT, eligibility
from .loaders import load_candidates, shift_specs, week_window
from .reasons import reason_names, refusal


def check_eligibility(profile, shift):
    """Raise SignupError (first failed rule, translated) unless `profile` may take `shift` now.

    The shift must be open (not cancelled, not started) and the volunteer pass the same hard
    rules as ranking and auto-assign: verified, community accepted, required skills, required
    courses, no overlap with a place held, weekly hours cap; a project's shift also needs the
    project's membership, and a team-only project's shift the team's membership as well
    (whoever left the team since joining the project is refused too). The first refusal is,
    in this order: not verified, cancelled, started, not in the team, not in the project,
    overlap, then the rules in the core's order."""
    from ..services import SignupError
    from ..services.projects import is_project_member, team_only_refusal

    if not isinstance(shift, Shift) or not hasattr(shift, "task"):
        shift = Shift.objects.select_related(
            "task__post", "task__community", "task__project__team"
        ).get(pk=shift.pk)
    spec = shift_specs([shift], open_places=False)[shift.pk]
    window = week_window([shift.start, shift.end])
    candidates, commitments = load_candidates(
        VolunteerProfile.objects.filter(pk=profile.pk),
        window,
        statuses=Signup.HOLDING,
        ignore_shift=shift.pk,
        reliability=False,
    )
    ok, reasons = eligibility(candidates[0], spec, commitments)
    if NOT_VERIFIED not in reasons:
        if shift.cancelled_at:
            raise SignupError(_("This shift has been cancelled."), code="cancelled")
        if shift.start <= timezone.now():
            raise SignupError(_("This shift has already started."), code="started")
        project_id = shift.task.project_id
        project = shift.task.project if project_id else None
        outside_team = team_only_refusal(profile, project) if project is not None else None
        if outside_team:
            raise SignupError(outside_team, code="not_in_team")
        if project_id and not is_project_member(profile, project_id):
            raise SignupError(
                _("This shift belongs to a project: join the project first, then take it."),
                code="not_in_project",
            )
    if ok:
        return
    # a team-only project's rule is named above; the core's own code for it adds nothing
    reasons = [code for code in reasons if code != NOT_A_MEMBER] or reasons
    # a clash with a place already held is named before what the task asks for
    first = {NOT_VERIFIED: 0, OVERLAPPING_COMMITMENT: 1}
    reasons.sort(key=lambda code: first.get(code, 2))
    skills, courses = reason_names(reasons)
    message, code = refusal(reasons[0], skills, courses, shift)
    raise SignupError(message, code=code)
