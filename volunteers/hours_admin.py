"""Back-office pages of hours and star levels (issue 14.3, 14.4): the hours of one shift to
confirm (each, or the whole shift at once), the shifts with hours awaiting confirmation, and
the subdistrict's review of star-level applications. Shifts come only from
services.hours.confirmable_shifts (another community's answer 404)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from portal.admin import show_error
from portal.params import get_object_or_404, parse_ids

from .models import Attendance, StarApplication
from .services import VolunteerError
from .services import hours as hours_services
from .services import stars as star_services


def _confirmable_shift(request, pk):
    shifts = hours_services.confirmable_shifts(request.user).select_related("task__community")
    return get_object_or_404(shifts, pk=pk)


def shift_hours(request, pk):
    shift = _confirmable_shift(request, pk)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "confirm_shift":
                count = hours_services.confirm_shift(shift, request.user)
                messages.success(request, _("%(count)d attendance confirmed.") % {"count": count})
            elif action == "confirm":
                ids = Attendance.objects.filter(
                    pk__in=parse_ids(request.POST.getlist("attendance")), signup__shift=shift
                ).values_list("pk", flat=True)
                count = hours_services.confirm(ids, request.user)
                messages.success(request, _("%(count)d attendance confirmed.") % {"count": count})
            elif action == "dispute":
                attendance = get_object_or_404(
                    Attendance.objects.select_related("signup__profile", "signup__shift"),
                    pk=request.POST.get("attendance"),
                    signup__shift=shift,
                )
                hours_services.dispute(attendance, request.user, request.POST.get("reason", ""))
                messages.success(request, _("The hours are marked as disputed."))
        except VolunteerError as error:
            show_error(request, error)
        except PermissionDenied:
            raise Http404 from None
        return redirect("volunteers_hours:shift_hours", pk=shift.pk)
    rows = (
        Attendance.objects.filter(signup__shift=shift)
        .select_related("signup__profile", "confirmed_by")
        .order_by("signup__profile__real_name", "pk")
    )
    return render(
        request,
        "volunteers/admin/shift_hours.html",
        {
            "shift": shift,
            "rows": rows,
            "recorded": Attendance.Status.RECORDED,
            "auto_days": settings.VOLUNTEERS_AUTO_CONFIRM_DAYS,
        },
    )


def hours_to_confirm(request):
    """Shifts with hours awaiting confirmation, oldest first."""
    shifts = (
        hours_services.confirmable_shifts(request.user)
        .annotate(
            waiting=Count(
                "signups__attendance",
                filter=Q(signups__attendance__status__in=hours_services.OPEN),
            )
        )
        .filter(waiting__gt=0)
        .select_related("task__community")
        .order_by("start")[:200]
    )
    if not request.user.has_perm("volunteers.change_attendance") and not shifts:
        raise PermissionDenied
    return render(request, "volunteers/admin/hours_to_confirm.html", {"shifts": shifts})


@permission_required(star_services.REVIEW_PERMISSION, raise_exception=True)
def star_review(request):
    if request.method == "POST":
        application = get_object_or_404(
            star_services.for_review(request.user), pk=request.POST.get("application")
        )
        try:
            if request.POST.get("action") == "publish":
                star_services.publish(application, request.user)
                messages.success(request, _("The application is on public notice."))
            elif request.POST.get("action") == "reject":
                star_services.reject(application, request.user, request.POST.get("reason", ""))
                messages.success(request, _("The application is rejected."))
        except VolunteerError as error:
            show_error(request, error)
        return redirect("volunteers_hours:star_review")
    return render(
        request,
        "volunteers/admin/star_review.html",
        {
            "applications": star_services.for_review(request.user),
            "granted": StarApplication.objects.filter(status=StarApplication.Status.GRANTED)
            .select_related("profile", "community")
            .order_by("-granted_at")[:50],
            "notice_days": settings.VOLUNTEERS_STAR_NOTICE_DAYS,
        },
    )
