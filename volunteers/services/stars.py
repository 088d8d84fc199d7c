"""Star levels (星级志愿者, issue #14 item 4): levels by confirmed hours.

Reaching a threshold (settings.VOLUNTEERS_STAR_THRESHOLDS, hours for 1..5 stars) creates a
StarApplication for the highest level reached (`apply_for_reached_levels`, after confirmations
and in the daily `star_levels` command). Subdistrict staff review it: `publish` puts it on public
notice for VOLUNTEERS_STAR_NOTICE_DAYS working days (portal.workdays: weekends and public
holidays skipped, make-up working days counted, from settings), `reject` ends it with a reason. `grant_due`
(the same daily command) grants what has been on notice long enough. A rejected level is not
applied for again; the next level is.
"""

import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max, OuterRef, Q, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal import audit
from portal.workdays import working_days_after

from ..models import Attendance, VolunteerProfile
from ..models.stars import StarApplication
from .base import VolunteerError

REVIEW_PERMISSION = "volunteers.change_starapplication"


def thresholds():
    """Hours for 1, 2, ... stars, ascending."""
    return sorted(int(h) for h in settings.VOLUNTEERS_STAR_THRESHOLDS)[:5]


def level_for_minutes(minutes):
    """The level those confirmed minutes reach (0: none yet)."""
    hours = (minutes or 0) / 60
    return sum(1 for threshold in thresholds() if hours >= threshold)


def star_level_for(profile):
    """The volunteer's granted level (0 when none): what her page, e-card, certificates and
    team lists show."""
    return (
        StarApplication.objects.filter(
            profile=profile, status=StarApplication.Status.GRANTED
        ).aggregate(level=Max("level"))["level"]
        or 0
    )


def granted_level_subquery(profile_ref="pk"):
    """For `.annotate(star_level=...)` on a VolunteerProfile queryset (team lists, exports)."""
    return Subquery(
        StarApplication.objects.filter(
            profile=OuterRef(profile_ref), status=StarApplication.Status.GRANTED
        )
        .order_by("-level")
        .values("level")[:1]
    )


def _serial():
    return f"XJ{timezone.localdate():%Y%m%d}{secrets.token_hex(6).upper()}"


def apply_for_reached_levels(profiles=None):
    """Create a pending application for each verified volunteer whose confirmed hours reached
    a level above any she applied for. Returns the number created. `profiles` narrows it (a
    VolunteerProfile queryset); None looks at everyone (the daily run and the benchmark)."""
    lowest = thresholds()[0] * 60 if thresholds() else None
    if lowest is None:
        return 0
    confirmed = (
        Attendance.objects.confirmed()
        .filter(minutes__gt=0, signup__shift__cancelled_at__isnull=True)
        .values("signup__profile_id")
        .annotate(total=Sum("minutes"))
        .filter(total__gte=lowest)
        .order_by()
    )
    if profiles is not None:
        # A literal list, so the database starts from these people's sign-ups (an index)
        # rather than from every confirmed attendance.
        ids = list(profiles.values_list("pk", flat=True))
        confirmed = confirmed.filter(signup__profile_id__in=ids)
    totals = {row["signup__profile_id"]: row["total"] for row in confirmed}
    if not totals:
        return 0
    applied = dict(
        StarApplication.objects.filter(profile_id__in=list(totals))
        .values_list("profile_id")
        .annotate(top=Max("level"))
        .order_by()
    )
    wanted = {
        pk: (level_for_minutes(total), total)
        for pk, total in totals.items()
        if level_for_minutes(total) > applied.get(pk, 0)
    }
    if not wanted:
        return 0
    people = VolunteerProfile.objects.filter(
        pk__in=list(wanted), status=VolunteerProfile.Status.VERIFIED
    ).values_list("pk", "community_id")
    new = [
        StarApplication(
            profile_id=pk,
            community_id=community_id,
            level=wanted[pk][0],
            minutes=wanted[pk][1],
            serial=_serial(),
        )
        for pk, community_id in people
    ]
    before = StarApplication.objects.count()
    # A parallel run that applied for the same level first wins (the unique constraint).
    StarApplication.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
    return StarApplication.objects.count() - before


def _ensure_reviewer(user):
    if user is None or not user.has_perm(REVIEW_PERMISSION):
        raise PermissionDenied


def publish(application, by, *, today=None):
    """The subdistrict accepts the application: it goes on public notice."""
    _ensure_reviewer(by)
    today = today or timezone.localdate()
    until = working_days_after(today, settings.VOLUNTEERS_STAR_NOTICE_DAYS)
    with transaction.atomic():
        changed = StarApplication.objects.filter(
            pk=application.pk, status=StarApplication.Status.PENDING
        ).update(
            status=StarApplication.Status.PUBLISHED,
            reviewed_by=by,
            reviewed_at=timezone.now(),
            notice_until=until,
        )
        if not changed:
            raise VolunteerError(_("This application is no longer awaiting review."), code="state")
        audit.record("volunteers.stars.publish", user=by, obj=application, notice_until=until)
    application.refresh_from_db()
    return application


def reject(application, by, reason):
    """The subdistrict turns the application down (before or during the notice)."""
    _ensure_reviewer(by)
    reason = (reason or "").strip()
    if not reason:
        raise VolunteerError(_("Please give the reason for the rejection."), code="reason")
    with transaction.atomic():
        changed = StarApplication.objects.filter(
            pk=application.pk,
            status__in=[StarApplication.Status.PENDING, StarApplication.Status.PUBLISHED],
        ).update(
            status=StarApplication.Status.REJECTED,
            reviewed_by=by,
            reviewed_at=timezone.now(),
            rejection_reason=reason[:200],
        )
        if not changed:
            raise VolunteerError(_("This application can no longer be rejected."), code="state")
        audit.record("volunteers.stars.reject", user=by, obj=application, reason=reason[:200])
    application.refresh_from_db()
    return application


def grant_due(*, today=None):
    """Grant every published application whose notice ended before today. Returns how many."""
    today = today or timezone.localdate()
    with transaction.atomic():
        due = StarApplication.objects.filter(
            status=StarApplication.Status.PUBLISHED, notice_until__lt=today
        )
        ids = list(due.values_list("pk", flat=True))
        count = StarApplication.objects.filter(
            pk__in=ids, status=StarApplication.Status.PUBLISHED
        ).update(status=StarApplication.Status.GRANTED, granted_at=timezone.now())
        if count:
            audit.record("volunteers.stars.grant", user=None, applications=ids, count=count)
    return count


def on_notice(*, today=None):
    """Published applications still on notice: the public list."""
    today = today or timezone.localdate()
    return (
        StarApplication.objects.filter(
            status=StarApplication.Status.PUBLISHED, notice_until__gte=today
        )
        .select_related("profile", "community")
        .order_by("notice_until", "pk")
    )


def for_review(user):
    """What the subdistrict reviews: pending first, then on notice."""
    if not user.has_perm(REVIEW_PERMISSION):
        return StarApplication.objects.none()
    return (
        StarApplication.objects.filter(
            Q(status=StarApplication.Status.PENDING) | Q(status=StarApplication.Status.PUBLISHED)
        )
        .select_related("profile", "community")
        .order_by("status", "created_at")
    )
