"""Public volunteer pages (journey 1): join from a QR poster, profile, open shifts, sign-up,
my page and calendar, check-in at a post, certificate and its public verification."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from portal import fragments, tokens
from portal.links import site_domain, site_url
from portal.models import Community, Post
from portal.pagecache import public_cache
from portal.pdf import pdf_response, render_pdf
from portal.qr import qr_data_uri, qr_svg
from portal.security import private_response

from . import matching, services
from .forms import CertificateForm, ProfileForm
from .listing import (  # noqa: F401 - open_shifts_queryset, OPEN_SHIFT_DAYS: also read from here
    OPEN_SHIFT_DAYS,
    RECOMMENDED_SLOT,
    _my_page_context,
    _shifts_context,
    open_shifts_queryset,
)
from .models import Certificate, Shift, Signup, Task, VolunteerProfile, WaitlistEntry
from .services import waitlist

POST_SIGNING_KIND = "volunteers.post"
CERTIFICATE_SIGNING_KIND = "volunteers.certificate"


def _profile(user):
    if not user.is_authenticated:
        return None
    return (
        VolunteerProfile.objects.select_related("community", "compound").filter(user=user).first()
    )


def _error_text(error):
    # conditional_escape keeps a reason's safe link (matching's course gate) clickable
    return format_html_join(" ", "{}", ((m,) for m in error.messages))


@public_cache("PAGE_CACHE_SECONDS")
def index(request):
    profile = _profile(request.user)
    if profile is not None:
        return redirect("volunteers:my_page")
    communities = Community.objects.order_by("name")
    return render(request, "volunteers/index.html", {"communities": communities})


@public_cache("PAGE_CACHE_SHIFTS_SECONDS")
def join(request, slug):
    """The QR poster's target: this community, what volunteers do here, places open."""
    community = get_object_or_404(Community, slug=slug)
    now = timezone.now()
    week = Shift.objects.public().filter(
        task__community=community,
        cancelled_at__isnull=True,
        start__gt=now,
        start__lte=now + timedelta(days=7),
    )
    open_places = sum(s.places - s.taken for s in week.only("places", "taken"))
    kinds = (
        Task.objects.filter(community=community, active=True)
        .values_list("kind", flat=True)
        .distinct()
    )
    labels = dict(Task.Kind.choices)
    return render(
        request,
        "volunteers/join.html",
        {
            "community": community,
            "kinds": sorted({labels[k] for k in kinds}),
            "open_places": open_places,
            "profile": _profile(request.user),
            "form_url": reverse("volunteers:join_form", args=[community.slug]),
        },
    )


def join_form(request, slug):
    community = get_object_or_404(Community, slug=slug)
    if not request.user.is_authenticated:
        return redirect(f"{reverse('account_signup')}?next={request.path}")
    if _profile(request.user) is not None:
        messages.info(request, _("You have already signed up as a volunteer."))
        return redirect("volunteers:my_page")
    form = ProfileForm(
        request.POST or None,
        community=request.GET.get("community") or community,
        initial={"mobile": request.user.phone or ""},
    )
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                profile = services.create_profile(
                    request.user,
                    {**form.cleaned_data, "consent": True},
                    skills=form.cleaned_data["skills"],
                )
        except services.VolunteerError as error:
            form.add_error(None, error)
        else:
            # a team's QR code brought them here: their request to join follows
            from .teams_views import send_pending_team_request

            if send_pending_team_request(request, profile) is not None:
                messages.info(request, _("Your request to join the team is sent as well."))
            return redirect("volunteers:submitted")
    return render(
        request,
        "volunteers/profile_form.html",
        {
            "form": form,
            "community": community,
            "joining": True,
        },
    )


@login_required
def submitted(request):
    profile = _profile(request.user)
    if profile is None:
        return redirect("volunteers:index")
    return render(request, "volunteers/submitted.html", {"profile": profile})


@login_required
def edit_profile(request):
    profile = _profile(request.user)
    if profile is None:
        return redirect("volunteers:index")
    form = ProfileForm(
        request.POST or None, instance=profile, community=request.GET.get("community")
    )
    if request.method == "POST" and form.is_valid():
        moved = form.cleaned_data["community"].pk != profile.community_id
        try:
            # The form already wrote its values onto the instance; re-read, then apply all.
            fresh = VolunteerProfile.objects.get(pk=profile.pk)
            was_verified = fresh.is_verified
            services.update_profile(
                fresh, form.cleaned_data, skills=form.cleaned_data["skills"], request=request
            )
        except services.VolunteerError as error:
            form.add_error(None, error)
        else:
            if moved:
                messages.info(
                    request,
                    _("You moved to another community; its coordinators will confirm you again."),
                )
            elif was_verified and not fresh.is_verified:
                messages.info(
                    request,
                    _(
                        "Your details are saved. Because your name, mobile number or ID card "
                        "number changed, your community will verify you again."
                    ),
                )
            else:
                messages.success(request, _("Your details are saved."))
            return redirect("volunteers:my_page")
    return render(request, "volunteers/profile_form.html", {"form": form, "profile": profile})


@public_cache("PAGE_CACHE_SHIFTS_SECONDS", query=("date", "kind", "page"))
def shifts(request):
    """Open shifts. Visitors get the page cache (PAGE_CACHE_SHIFTS_SECONDS); a volunteer's list
    is a fragment of hers (portal.fragments), dropped at once when her own sign-ups change
    ("Signed up", "Clashes") and otherwise kept FRAGMENT_SHIFTS_SECONDS: places taken by others
    show as late as on the visitors' page (the sign-up itself always checks)."""
    profile = _profile(request.user)
    if profile is None:
        body = render_to_string(
            "volunteers/_shifts_body.html", _shifts_context(request, None), request
        )
    else:
        body = fragments.cached_html(
            request,
            "volunteers:shifts",
            (profile.pk, sorted(request.GET.lists())),
            [fragments.profile_version(profile.pk)],
            settings.FRAGMENT_SHIFTS_SECONDS,
            lambda: render_to_string(
                "volunteers/_shifts_body.html", _shifts_context(request, profile), request
            ),
        )
    return render(request, "volunteers/shifts.html", {"profile": profile, "body": body})


@login_required
def shift_detail(request, pk):
    # an invite-only shift (a help request's delivery) is seen only by whom it concerns
    shift = get_object_or_404(
        Shift.objects.visible_to(request.user).select_related(
            "task__community", "task__post__compound", "task__compound"
        ),
        pk=pk,
    )
    profile = _profile(request.user)
    mine = waiting = None
    if profile is not None:
        mine = Signup.objects.expected().filter(shift=shift, profile=profile).first()
        waiting = WaitlistEntry.objects.filter(
            shift=shift, profile=profile, status__in=WaitlistEntry.LIVE
        ).first()
        if waiting is not None and waiting.status == WaitlistEntry.Status.WAITING:
            waiting.position = waitlist.position(waiting)
    return render(
        request,
        "volunteers/shift_detail.html",
        {"shift": shift, "profile": profile, "mine": mine, "waiting": waiting},
    )


@login_required
@require_POST
def sign_up(request, pk):
    shift = get_object_or_404(Shift.objects.visible_to(request.user), pk=pk)
    profile = _profile(request.user)
    if profile is None:
        return redirect("volunteers:index")
    try:
        services.sign_up(profile, shift)
    except services.SignupError as error:
        if error.code == "duplicate":
            # A second tap of the same button: the first one already got the place.
            messages.success(request, _("You are signed up for this shift."))
            return redirect("volunteers:my_page")
        messages.error(request, _error_text(error))
        return redirect("volunteers:shift", pk=shift.pk)
    messages.success(request, _("You are signed up for this shift."))
    return redirect("volunteers:my_page")


def _own_signup(request, pk):
    profile = _profile(request.user)
    if profile is None:
        raise Http404
    return profile, get_object_or_404(
        Signup.objects.select_related("shift"), pk=pk, profile=profile
    )


@login_required
@require_POST
def withdraw(request, pk):
    profile, signup = _own_signup(request, pk)
    if signup.status == Signup.Status.WITHDRAWN:
        messages.info(request, _("You have withdrawn from this shift."))
        return redirect("volunteers:my_page")
    try:
        services.withdraw(profile, signup)
    except services.SignupError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("You have withdrawn from this shift."))
    return redirect("volunteers:my_page")


@login_required
@require_POST
def respond_invitation(request, pk, answer):
    if answer not in ("accept", "decline"):
        raise Http404
    profile, signup = _own_signup(request, pk)
    try:
        if answer == "accept":
            services.accept_invitation(profile, signup)
            messages.success(request, _("You are signed up for this shift."))
        else:
            services.decline_invitation(profile, signup)
            messages.info(request, _("You declined the invitation."))
    except services.SignupError as error:
        messages.error(request, _error_text(error))
    return redirect("volunteers:my_page")


@login_required
def my_page(request):
    """The volunteer's own page. Everything but the recommendations is a fragment kept per
    volunteer (portal.fragments) until one of the rows it shows changes
    (volunteers/models/page_versions.py) or FRAGMENT_VOLUNTEER_SECONDS pass (a shift that has
    started, a withdrawal deadline passed); the recommendations are read each time, so a shift
    that filled up meanwhile is left out at once."""
    profile = _profile(request.user)
    if profile is None:
        return redirect("volunteers:index")
    body = fragments.cached_html(
        request,
        "volunteers:my_page",
        profile.pk,
        [fragments.profile_version(profile.pk)],
        settings.FRAGMENT_VOLUNTEER_SECONDS,
        lambda: render_to_string(
            "volunteers/_my_page_body.html", _my_page_context(profile), request
        ),
    )
    recommended = render_to_string(
        "volunteers/matching/recommended.html",
        {"recommended": matching.recommend_for_profile(profile)},
        request,
    )
    body = mark_safe(body.replace(RECOMMENDED_SLOT, recommended))  # noqa: S308 - both rendered
    return render(request, "volunteers/my_page.html", {"profile": profile, "body": body})


def _star_level(profile):
    from .services.stars import star_level_for

    return star_level_for(profile)


@private_response  # a person's shifts, fetched without a session by their calendar app
def calendar(request, token):
    """The volunteer's shifts as an iCalendar feed; the token in the URL is the only key."""
    from icalendar import Calendar, Event

    profile = get_object_or_404(
        VolunteerProfile, calendar_token=token, status=VolunteerProfile.Status.VERIFIED
    )
    cal = Calendar()
    cal.add("prodid", "-//Lugouqiao volunteers//portal//")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", _("My volunteer shifts"))
    since = timezone.now() - timedelta(days=30)
    signups = Signup.objects.filter(
        profile=profile, status="confirmed", shift__end__gte=since, shift__cancelled_at__isnull=True
    ).select_related("shift__task__community", "shift__task__post__compound")
    # UIDs on SITE_URL's domain: the same event keeps its UID whatever Host the feed was
    # fetched with, and a client's Host header never gets into the file
    domain = site_domain()
    for signup in signups:
        shift, task = signup.shift, signup.shift.task
        event = Event()
        event.add("uid", f"volunteer-signup-{signup.pk}@{domain}")
        event.add("summary", f"{task.title} · {task.place_name}".strip(" ·"))
        event.add("dtstart", shift.start)
        event.add("dtend", shift.end)
        event.add("dtstamp", signup.confirmed_at or signup.created_at)
        event.add("location", f"{task.community.name} {task.place_name}".strip())
        if task.instructions:
            event.add("description", task.instructions)
        cal.add_component(event)
    response = HttpResponse(cal.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="volunteer-shifts.ics"'
    return response


@login_required
@require_POST
def certificate(request):
    # POST: asking for a certificate issues one (a GET never writes; the same period and
    # hours give back the certificate already issued)
    profile = _profile(request.user)
    if profile is None:
        return redirect("volunteers:index")
    form = CertificateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please choose the period of the certificate."))
        return redirect("volunteers:my_page")
    try:
        issued = services.issue_certificate(
            profile, form.cleaned_data["start"], form.cleaned_data["end"]
        )
    except services.VolunteerError as error:
        messages.error(request, _error_text(error))
        return redirect("volunteers:my_page")
    return pdf_response(certificate_pdf(request, issued))


def certificate_verify_url(request, cert):
    token = tokens.sign(CERTIFICATE_SIGNING_KIND, cert.serial)
    return site_url("volunteers:verify", token)  # printed on the PDF: the site's address


def certificate_pdf(request, cert):
    verify_url = certificate_verify_url(request, cert)
    return render_pdf(
        "volunteers/pdf/certificate.html",
        {
            "certificate": cert,
            "verify_url": verify_url,
            "qr": qr_data_uri(verify_url),
            "issued_on": timezone.localtime(cert.issued_at).date(),
            "document_title": gettext_lazy("Volunteer service-hours certificate"),
            "document_number": cert.serial,
            "subdistrict_name": cert.community.subdistrict.name,
            "star_level": _star_level(cert.profile),
        },
        f"volunteer-certificate-{cert.serial}.pdf",
    )


def _mask_name(name):
    return name[0] + "*" * (len(name) - 1) if len(name) > 1 else name


def verify_certificate(request, token):
    """Public: says whether a certificate is genuine, showing only what's printed on it,
    with the name masked."""
    try:
        serial = tokens.verify(CERTIFICATE_SIGNING_KIND, token)
    except tokens.InvalidToken:
        serial = None
    cert = (
        Certificate.objects.select_related("community").filter(serial=serial).first()
        if serial
        else None
    )
    return render(
        request,
        "volunteers/verify.html",
        {
            "certificate": cert,
            "masked_name": _mask_name(cert.name) if cert else "",
        },
        status=200 if cert else 404,
    )


def post_token(post):
    return tokens.sign(POST_SIGNING_KIND, post.pk)


def post_checkin_url(request, post):
    return site_url("volunteers:checkin", post_token(post))  # the post's printed QR code


def checkin(request, token):
    """The page a post's QR code opens: the shifts she holds at this post now, each with one
    clear action - check in, or check out - and, for a few minutes, undo the last scan."""
    try:
        post_id = tokens.verify(POST_SIGNING_KIND, token)
    except tokens.InvalidToken as error:
        raise Http404 from error
    post = get_object_or_404(Post.objects.select_related("compound__community"), pk=post_id)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    result = confirm = None
    if request.method == "POST":
        action = request.POST.get("action")
        signup = request.POST.get("signup") or None
        try:
            if action == "in":
                result = ("in", services.check_in(request.user, post, signup=signup))
            elif action == "out":
                result = (
                    "out",
                    services.check_out(
                        request.user,
                        post,
                        signup=signup,
                        confirmed=request.POST.get("confirmed") == "1",
                    ),
                )
            elif action == "undo":
                which, attendance = services.undo_scan(request.user, post, signup=signup)
                messages.success(
                    request,
                    _("Your check-out is undone: you are still checked in.")
                    if which == "out"
                    else _("Your check-in is undone."),
                )
                return redirect(request.path)
            else:
                return redirect(request.path)
        except services.VolunteerError as error:
            if error.code == "too_soon":
                confirm = {"message": _error_text(error), "signup": signup}
            else:
                messages.error(request, _error_text(error))
    state = services.post_state(request.user, post)
    if result is not None:
        direction, attendance = result
        result = {
            "direction": direction,
            "attendance": attendance,
            "shift": attendance.signup.shift,
            "undo": services.undo_possible(attendance, timezone.now()),
        }
    return render(
        request,
        "volunteers/checkin.html",
        {
            "post": post,
            "result": result,
            "confirm": confirm,
            "rows": state,
            "profile": _profile(request.user),
            "undo_minutes": settings.VOLUNTEERS_SCAN_UNDO_MINUTES,
        },
    )


def post_qr(request, post, *, printable=True):
    """The printable QR poster for a post (the back office checks who may see it)."""
    url = post_checkin_url(request, post)
    return render(
        request, "volunteers/post_qr.html", {"post": post, "url": url, "qr": qr_svg(url, scale=10)}
    )
