"""Back-office pages that are more than a model form (journey 2): review a volunteer, the
people on a shift, attendance corrections, post QR posters, the party-member report and the
attendance ledger export. Every object is fetched through portal.scoping.scope, so another
community's records answer 404."""

from datetime import datetime, time

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import Post
from portal.params import get_object_or_404
from portal.pdf import pdf_response, render_pdf
from portal.scoping import scope

from . import services, views
from .forms import PeriodForm, ReasonForm
from .models import Attendance, Shift, Signup, VolunteerProfile


def _scoped(request, model_or_qs, **lookup):
    qs = model_or_qs if hasattr(model_or_qs, "model") else model_or_qs._default_manager.all()
    return get_object_or_404(scope(qs, request.user), **lookup)


def _error(request, error):
    messages.error(request, " ".join(error.messages))


@permission_required("volunteers.change_volunteerprofile", raise_exception=True)
def review_profile(request, pk):
    profile = _scoped(
        request,
        VolunteerProfile.objects.select_related("community", "compound", "verified_by"),
        pk=pk,
    )
    reject_form = ReasonForm(request.POST if request.POST.get("action") == "reject" else None)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "approve":
                services.verify_profile(profile, request.user)
                messages.success(request, _("%(name)s is verified.") % {"name": profile})
                return redirect("volunteers_profiles:index")
            if reject_form.is_valid():
                services.reject_profile(profile, request.user, reject_form.cleaned_data["reason"])
                messages.success(request, _("%(name)s is rejected.") % {"name": profile})
                return redirect("volunteers_profiles:index")
        except services.VolunteerError as error:
            _error(request, error)
    return render(
        request,
        "volunteers/admin/review_profile.html",
        {
            "profile": profile,
            "id_number": profile.id_number_for(request.user),
            "skills": profile.skills.all(),
            "reject_form": reject_form,
            "availability": sorted(profile.availability.items()),
        },
    )


@permission_required("volunteers.view_shift", raise_exception=True)
def shift_people(request, pk):
    shift = _scoped(
        request, Shift.objects.select_related("task__community", "task__post__compound"), pk=pk
    )
    if request.method == "POST":
        if not request.user.has_perm("volunteers.change_shift"):
            raise Http404
        action = request.POST.get("action")
        try:
            if action == "invite":
                profile = _scoped(request, VolunteerProfile, pk=request.POST.get("profile"))
                services.invite(shift, profile, request.user)
                messages.success(request, _("Invitation sent."))
            elif action == "cancel":
                services.cancel_shift(shift, request.user, request.POST.get("reason", ""))
                messages.success(request, _("The shift is cancelled and its people are told."))
            else:
                signup = get_object_or_404(Signup, pk=request.POST.get("signup"), shift=shift)
                if action == "remove":
                    services.remove_from_shift(signup, request.user, request.POST.get("reason", ""))
                    messages.success(request, _("Removed; the place is open again."))
                elif action == "confirm":
                    services.confirm_attendance(signup, request.user)
                    messages.success(request, _("Attendance confirmed."))
                elif action == "no_show":
                    services.mark_no_show(signup, request.user)
                    messages.success(request, _("Marked as no-show."))
        except services.VolunteerError as error:
            _error(request, error)
        return redirect("volunteers_admin:shift_people", pk=shift.pk)
    signups = (
        shift.signups.exclude(status__in=["withdrawn", "declined"])
        .select_related("profile", "attendance")
        .order_by("status", "pk")
    )
    candidates = (
        scope(
            VolunteerProfile.objects.filter(
                status=VolunteerProfile.Status.VERIFIED, community=shift.task.community
            ),
            request.user,
        )
        .exclude(signups__shift=shift, signups__status__in=["invited", "confirmed"])
        .order_by("real_name")[:200]
    )
    return render(
        request,
        "volunteers/admin/shift_people.html",
        {
            "shift": shift,
            "signups": signups,
            "candidates": candidates,
            "started": shift.start <= timezone.now(),
        },
    )


def _parse_local(value):
    if not value:
        return None
    parsed = datetime.fromisoformat(value)
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


@permission_required("volunteers.change_attendance", raise_exception=True)
def correct_attendance(request, pk):
    attendance = _scoped(
        request, Attendance.objects.select_related("signup__shift__task", "signup__profile"), pk=pk
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
    post = _scoped(request, Post.objects.select_related("compound__community"), pk=pk)
    return views.post_qr(request, post)


def _period(request):
    today = timezone.localdate()
    first, last = services.month_bounds(today)
    form = PeriodForm(request.GET or None, initial={"start": first, "end": last})
    if form.is_valid():
        return form, form.cleaned_data["start"], form.cleaned_data["end"]
    return form, first, last


@permission_required("volunteers.view_volunteerprofile", raise_exception=True)
def party_report(request):
    form, start, end = _period(request)
    profiles = scope(VolunteerProfile.objects.all(), request.user)
    work_unit = form.cleaned_data.get("work_unit") if form.is_bound and form.is_valid() else ""
    if work_unit:
        profiles = profiles.filter(work_unit__icontains=work_unit)
    units = services.party_report(profiles, start, end)
    fmt = request.GET.get("format")
    if fmt == "xlsx":
        from .resources import party_report_dataset

        dataset = party_report_dataset(units)
        return _download(
            dataset.export("xlsx"),
            f"party-members-{start}-{end}.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
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
    dataset = AttendanceResource(user=request.user).export(queryset=queryset)
    return _download(
        dataset.export("xlsx"),
        f"attendance-{start}-{end}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@permission_required("volunteers.view_volunteerprofile", raise_exception=True)
def volunteer_export(request):
    from .resources import VolunteerResource

    queryset = scope(
        VolunteerProfile.objects.exclude(status=VolunteerProfile.Status.DELETED), request.user
    )
    dataset = VolunteerResource(user=request.user).export(queryset=queryset)
    return _download(
        dataset.export("xlsx"),
        "volunteers.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def _download(content, filename, content_type):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def shift_people_url(shift):
    return reverse("volunteers_admin:shift_people", args=[shift.pk])
