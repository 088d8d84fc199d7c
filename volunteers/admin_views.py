"""Back-office pages that are more than a model form (journey 2): review a volunteer, the
people on a shift, attendance corrections, post QR posters, the party-member report, the
attendance ledger export, a shift's suggested volunteers and auto-assign with review. Every
object is fetched through portal.scoping.scope, so another community's records answer 404."""

from datetime import date, datetime, time, timedelta

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from portal import audit
from portal.admin import show_error
from portal.importexport import spreadsheet_response
from portal.models import Compound, Post
from portal.params import get_object_or_404, parse_id
from portal.pdf import pdf_response, render_pdf
from portal.scoping import get_scoped_or_404, scope

from . import matching, services, views
from .availability import availability_display
from .forms import AutoAssignForm, PeriodForm, ReasonForm, RemovalForm
from .models import Attendance, Shift, Signup, VolunteerProfile, WaitlistEntry


@permission_required("volunteers.change_volunteerprofile", raise_exception=True)
def review_profile(request, pk):
    profile = get_scoped_or_404(
        request.user,
        VolunteerProfile.objects.select_related("community", "compound", "verified_by"),
        pk=pk,
    )
    reject_form = ReasonForm(request.POST if request.POST.get("action") == "reject" else None)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "approve":
                # The token of the details shown: a change made meanwhile refuses the approval.
                seen = request.POST.get("seen") or None
                services.verify_profile(profile, request.user, seen=seen)
                messages.success(request, _("%(name)s is verified.") % {"name": profile})
                return _next_to_review(request, profile)
            if reject_form.is_valid():
                services.reject_profile(profile, request.user, reject_form.cleaned_data["reason"])
                messages.success(request, _("%(name)s is rejected.") % {"name": profile})
                return _next_to_review(request, profile)
        except services.VolunteerError as error:
            show_error(request, error)
    return render(
        request,
        "volunteers/admin/review_profile.html",
        {
            "profile": profile,
            "identity_token": services.identity_token(profile),
            "identity_changes": profile.identity_changes.select_related("changed_by")[:20],
            "can_view_full_id": request.user.has_perm("volunteers.view_full_id_number"),
            "skills": profile.skills.all(),
            "reject_form": reject_form,
            "availability": availability_display(profile.availability),
        },
    )


def _next_to_review(request, done):
    """After a decision, the next person waiting in her scope (oldest first), so a queue of
    twelve is twelve decisions, not twelve trips through the list; the waiting list when none
    is left."""
    waiting = (
        scope(VolunteerProfile.objects.filter(status=VolunteerProfile.Status.PENDING), request.user)
        .exclude(pk=done.pk)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)
        .first()
    )
    if waiting is not None:
        return redirect("volunteers_admin:review_profile", waiting)
    return redirect(reverse("volunteers_profiles:index") + "?status=pending")


@never_cache
@permission_required("volunteers.view_full_id_number", raise_exception=True)
@require_POST
@reauthentication_required
def full_id_number(request, pk):
    """The one place an ID number is shown whole: to a holder of `view_full_id_number`, who has
    just re-entered their password (allauth's reauthentication; the POST is replayed after
    it), on a deliberate click (POST, so no prefetch or reload of a link shows it), audited."""
    profile = get_scoped_or_404(
        request.user, VolunteerProfile.objects.select_related("community"), pk=pk
    )
    if not profile.id_number:
        raise Http404
    audit.record("volunteers.id_number.view", request=request, obj=profile)
    return render(
        request,
        "volunteers/admin/full_id_number.html",
        {"profile": profile, "id_number": profile.id_number},
    )


@permission_required("volunteers.view_shift", raise_exception=True)
def shift_people(request, pk):
    shift = get_scoped_or_404(
        request.user, Shift.objects.select_related("task__community", "task__post__compound"), pk=pk
    )
    if request.method == "POST":
        if not request.user.has_perm("volunteers.change_shift"):
            raise Http404
        action = request.POST.get("action")
        try:
            if action == "invite":
                profile = get_scoped_or_404(
                    request.user, VolunteerProfile, pk=request.POST.get("profile")
                )
                services.invite(shift, profile, request.user)
                messages.success(request, _("Invitation sent."))
            elif action == "cancel":
                services.cancel_shift(shift, request.user, request.POST.get("reason", ""))
                messages.success(
                    request,
                    _("%(shift)s is cancelled and its people are told.") % {"shift": shift},
                )
            else:
                # taking a person off asks why first: remove_signup
                signup = get_object_or_404(Signup, pk=request.POST.get("signup"), shift=shift)
                if action == "confirm":
                    services.confirm_attendance(signup, request.user)
                    messages.success(request, _("Attendance confirmed."))
                elif action == "no_show":
                    services.mark_no_show(signup, request.user)
                    messages.success(request, _("Marked as no-show."))
        except services.VolunteerError as error:
            show_error(request, error)
        return redirect("volunteers_admin:shift_people", pk=shift.pk)
    signups = (
        shift.signups.exclude(status__in=[Signup.Status.WITHDRAWN, Signup.Status.DECLINED])
        .select_related("profile", "attendance")
        .order_by("status", "pk")
    )
    people = scope(
        VolunteerProfile.objects.filter(
            status=VolunteerProfile.Status.VERIFIED, community=shift.task.community
        ),
        request.user,
    ).exclude(signups__shift=shift, signups__status__in=Signup.EXPECTED)
    # who was taken off, withdrew or declined is never offered first again (Signup.ENDED);
    # listed apart at the end, should the coordinator really want them back
    ended = Signup.objects.ended().filter(shift=shift).values("profile_id")
    return render(
        request,
        "volunteers/admin/shift_people.html",
        {
            "shift": shift,
            "signups": signups,
            "candidates": people.exclude(pk__in=ended).order_by("real_name")[:200],
            "ended_candidates": people.filter(pk__in=ended).order_by("real_name")[:50],
            "started": shift.start <= timezone.now(),
            "waiting_count": shift.waitlist.filter(status__in=WaitlistEntry.LIVE).count(),
        },
    )


@permission_required("volunteers.change_shift", raise_exception=True)
def remove_signup(request, pk):
    """Take a person off a shift, saying why (journey 2, a volunteer calls in sick)."""
    signup = get_scoped_or_404(
        request.user,
        Signup.objects.select_related("shift__task__community", "shift__task__post", "profile"),
        pk=pk,
    )
    shift = signup.shift
    if not signup.is_expected:
        messages.error(request, _("This person is not on the shift."))
        return redirect("volunteers_admin:shift_people", pk=shift.pk)
    form = RemovalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.remove_from_shift(signup, request.user, form.reason())
        except services.VolunteerError as error:
            show_error(request, error)
        else:
            messages.success(
                request,
                _("%(name)s is taken off %(shift)s; the place is open again.")
                % {"name": signup.profile.real_name, "shift": shift},
            )
        return redirect("volunteers_admin:shift_people", pk=shift.pk)
    return render(
        request,
        "volunteers/admin/remove_signup.html",
        {"signup": signup, "shift": shift, "form": form},
    )


def _parse_local(value):
    if not value:
        return None
    parsed = datetime.fromisoformat(value)
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


@permission_required("volunteers.change_attendance", raise_exception=True)
def correct_attendance(request, pk):
    attendance = get_scoped_or_404(
        request.user,
        Attendance.objects.select_related("signup__shift__task", "signup__profile"),
        pk=pk,
    )
    if request.method == "POST":
        try:
            services.correct_attendance(
                attendance,
                request.user,
                _parse_local(request.POST.get("check_in_at")),
                _parse_local(request.POST.get("check_out_at")),
                request.POST.get("reason"),
            )
        except (ValueError, services.VolunteerError) as error:
            messages.error(request, " ".join(getattr(error, "messages", [_("Enter valid times.")])))
        else:
            messages.success(request, _("The times are corrected."))
            return redirect("volunteers_admin:shift_people", pk=attendance.signup.shift_id)
    return render(
        request,
        "volunteers/admin/correct_attendance.html",
        {
            "attendance": attendance,
            "corrections": attendance.corrections.select_related("changed_by"),
        },
    )


@permission_required("volunteers.view_shift", raise_exception=True)
def post_list(request):
    posts = scope(
        Post.objects.select_related("compound__community").filter(active=True), request.user
    )
    return render(request, "volunteers/admin/posts.html", {"posts": posts})


@permission_required("volunteers.view_shift", raise_exception=True)
def post_qr(request, pk):
    post = get_scoped_or_404(
        request.user, Post.objects.select_related("compound__community"), pk=pk
    )
    return views.post_qr(request, post)


def _period(request):
    today = timezone.localdate()
    first, last = services.month_bounds(today)
    form = PeriodForm(request.GET or None, initial={"start": first, "end": last})
    if form.is_valid():
        return form, form.cleaned_data["start"], form.cleaned_data["end"]
    return form, first, last


@permission_required("volunteers.view_volunteerprofile", raise_exception=True)
@reauthentication_required(enabled=lambda request: request.GET.get("format") in ("xlsx", "pdf"))
def party_report(request):
    form, start, end = _period(request)
    profiles = scope(VolunteerProfile.objects.all(), request.user)
    work_unit = form.cleaned_data.get("work_unit") if form.is_bound and form.is_valid() else ""
    if work_unit:
        profiles = profiles.filter(work_unit__icontains=work_unit)
    units = services.party_report(profiles, start, end)
    fmt = request.GET.get("format")
    if fmt in ("xlsx", "pdf"):
        audit.record_export(request, profiles, fmt, report="party_members", start=start, end=end)
    if fmt == "xlsx":
        from .resources import party_report_dataset

        return spreadsheet_response(
            party_report_dataset(units),
            "xlsx",
            f"party-members-{start}-{end}",
            _("Party members' hours"),
        )
    if fmt == "pdf":
        return pdf_response(
            render_pdf(
                "volunteers/pdf/party_report.html",
                {
                    "units": units,
                    "start": start,
                    "end": end,
                },
                f"party-members-{start}-{end}.pdf",
            )
        )
    query = request.GET.copy()
    query.pop("format", None)
    return render(
        request,
        "volunteers/admin/party_report.html",
        {
            "form": form,
            "units": units,
            "start": start,
            "end": end,
            "query": query.urlencode(),
        },
    )


@permission_required("volunteers.view_attendance", raise_exception=True)
@reauthentication_required
def attendance_ledger(request):
    """The attendance ledger (台账) of the period, as a spreadsheet, scoped."""
    from .resources import AttendanceResource

    _form, start, end = _period(request)
    tz = timezone.get_current_timezone()
    queryset = scope(
        Attendance.objects.filter(
            signup__shift__start__gte=timezone.make_aware(datetime.combine(start, time.min), tz),
            signup__shift__start__lte=timezone.make_aware(datetime.combine(end, time.max), tz),
        ),
        request.user,
    )
    dataset = AttendanceResource(user=request.user).export(
        queryset=queryset, force_native_type=True
    )
    audit.record_export(request, queryset, "xlsx", start=start, end=end)
    return spreadsheet_response(
        dataset, "xlsx", f"attendance-{start}-{end}", _("Attendance ledger")
    )


@permission_required("volunteers.view_volunteerprofile", raise_exception=True)
@reauthentication_required
def volunteer_export(request):
    from .resources import VolunteerResource

    queryset = scope(
        VolunteerProfile.objects.exclude(status=VolunteerProfile.Status.DELETED), request.user
    )
    dataset = VolunteerResource(user=request.user).export(queryset=queryset, force_native_type=True)
    audit.record_export(request, queryset, "xlsx")
    return spreadsheet_response(dataset, "xlsx", "volunteers", _("Volunteers"))


def shift_people_url(shift):
    return reverse("volunteers_admin:shift_people", args=[shift.pk])


# --- matching: a shift's suggested volunteers, auto-assign with review ---------------------


@permission_required("volunteers.change_shift", raise_exception=True)
def shift_suggestions(request, pk):
    shift = get_object_or_404(
        scope(Shift.objects.select_related("task__community"), request.user), pk=pk
    )
    if request.method == "POST":
        if request.POST.get("action") == "offer":
            sent = matching.offer_declined_places(shift, request.user)
            messages.success(request, _("%(n)s invitations sent.") % {"n": len(sent)})
        else:
            profile, sent = posted_profile(request), []
            if profile is not None:
                sent, _refused = matching.send_invitations([(shift.pk, profile.pk)], request.user)
            if sent:
                # a candidate this screen offered: their name was on it already
                messages.success(request, _("%(name)s is invited.") % {"name": profile.real_name})
            else:
                # the same words whoever the id was: nothing about a person not offered
                messages.error(
                    request,
                    _(
                        "The invitation was not sent: choose one of the suggested volunteers "
                        "(the list may have changed)."
                    ),
                )
        return redirect("volunteers_admin:shift_suggestions", pk=pk)
    return render(
        request,
        "volunteers/admin/shift_suggestions.html",
        {
            "title": _("Suggested volunteers"),
            "shift": shift,
            "suggestions": matching.rank_for_shift(shift, top=20),
        },
    )


def posted_id(value):
    """A posted primary key as an int, or None for anything else (junk, too large)."""
    if value.isascii() and value.isdigit() and len(value) <= 18:
        return int(value)
    return None


def posted_profile(request):
    """The volunteer profile named by the POST's `profile`, or None."""
    pk = posted_id(request.POST.get("profile", ""))
    return VolunteerProfile.objects.filter(pk=pk).first() if pk is not None else None


def _day_start(day):
    return timezone.make_aware(datetime.combine(day, time.min))


@permission_required("volunteers.change_shift", raise_exception=True)
def auto_assign(request):
    form = AutoAssignForm(request.POST or None, user=request.user)
    proposals, result = [], None
    if request.method == "POST" and request.POST.get("action") == "send":
        pairs = []
        for key in request.POST.getlist("pair"):
            shift_part, _sep, profile_part = key.partition(":")
            shift_id, profile_id = posted_id(shift_part), posted_id(profile_part)
            if shift_id is not None and profile_id is not None:
                pairs.append((shift_id, profile_id))
        allowed = set(
            scope(Shift.objects.filter(pk__in=[s for s, _p in pairs]), request.user).values_list(
                "pk", flat=True
            )
        )
        if any(s not in allowed for s, _p in pairs):
            raise PermissionDenied
        sent, refused = matching.send_invitations(pairs, request.user)
        messages.success(request, _("%(n)s invitations sent.") % {"n": len(sent)})
        if refused:
            # a count only: a posted id may be anyone's, so nobody refused is named
            messages.error(
                request,
                _(
                    "%(n)s invitations were not sent: the place or the person is no longer "
                    "free. Propose again to see who can be invited."
                )
                % {"n": len(refused)},
            )
        return redirect("volunteers_admin:auto_assign")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        shifts = scope(
            Shift.objects.filter(
                start__gte=_day_start(data["start"]),
                start__lt=_day_start(data["end"] + timedelta(days=1)),
            ),
            request.user,
        )
        if data.get("community"):
            shifts = shifts.filter(task__community=data["community"])
        proposals, result = matching.propose(shifts)
    return render(
        request,
        "volunteers/admin/auto_assign.html",
        {
            "title": _("Auto-assign volunteers"),
            "form": form,
            "proposals": proposals,
            "result": result,
        },
    )


@permission_required("volunteers.view_shift", raise_exception=True)
def duty_grid(request):
    """A compound's duty grid: posts × the next days, places filled and open; a cell opens
    the shift's people page (invite, suggestions, remove)."""
    compounds = scope(Compound.objects.select_related("community"), request.user).order_by(
        "community__name", "name"
    )
    compound = None
    wanted = request.GET.get("compound")
    if wanted:
        compound = get_scoped_or_404(request.user, Compound, pk=parse_id(wanted))
    else:
        compound = compounds.first()
    try:
        first_day = date.fromisoformat(request.GET.get("from", ""))
    except ValueError:
        first_day = timezone.localdate()
    days, rows = services.duty_grid(compound, first_day) if compound else ([], [])
    totals = {"places": 0, "open": 0}
    for row in rows:
        for cell in row["cells"]:
            for shift in cell:
                totals["places"] += shift.places
                totals["open"] += shift.places_left
    return render(
        request,
        "volunteers/admin/duty_grid.html",
        {
            "compounds": compounds,
            "compound": compound,
            "days": days,
            "rows": rows,
            "totals": totals,
            "previous": (first_day - timedelta(days=7)).isoformat(),
            "next": (first_day + timedelta(days=7)).isoformat(),
            "first_day": first_day,
        },
    )
