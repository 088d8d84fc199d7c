"""Public pages of hours and star levels (issue 14.3, 14.4): the volunteer objects to recorded
hours, downloads her star certificate; anyone reads the public notice of star levels and
verifies a star certificate by its QR code."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from portal import tokens
from portal.links import site_url
from portal.params import get_object_or_404
from portal.pdf import pdf_response, render_pdf
from portal.qr import qr_data_uri

from .models import Attendance, StarApplication, VolunteerProfile
from .services import VolunteerError
from .services import hours as hours_services
from .services import stars as star_services

STAR_SIGNING_KIND = "volunteers.star"


def mask_name(name):
    """李晓红 -> 李**: the name as public pages show it."""
    return name[0] + "*" * (len(name) - 1) if name and len(name) > 1 else (name or "")


def _own_profile(user):
    profile = VolunteerProfile.objects.filter(user=user).first()
    if profile is None:
        raise Http404
    return profile


@login_required
@require_POST
def dispute_hours(request, pk):
    profile = _own_profile(request.user)
    attendance = get_object_or_404(
        Attendance.objects.select_related("signup__profile"), pk=pk, signup__profile=profile
    )
    try:
        hours_services.dispute(attendance, request.user, request.POST.get("reason", ""))
        messages.success(request, _("Your objection is sent; an organiser will check these hours."))
    except VolunteerError as error:
        messages.error(request, error.messages[0])
    return redirect("volunteers:my_page")


@login_required
def my_stars(request):
    profile = _own_profile(request.user)
    applications = StarApplication.objects.filter(profile=profile).order_by("-level")
    return render(
        request,
        "volunteers/stars/mine.html",
        {
            "profile": profile,
            "applications": applications,
            "star_level": star_services.star_level_for(profile),
            "thresholds": list(enumerate(star_services.thresholds(), start=1)),
        },
    )


def star_verify_url(application):
    return site_url("volunteers:star_verify", tokens.sign(STAR_SIGNING_KIND, application.serial))


def star_certificate_pdf(application):
    url = star_verify_url(application)
    return render_pdf(
        "volunteers/pdf/star_certificate.html",
        {
            "application": application,
            "verify_url": url,
            "qr": qr_data_uri(url),
            "granted_on": timezone.localtime(application.granted_at).date(),
            "document_title": gettext_lazy("Star volunteer certificate"),
            "document_number": application.serial,
            "subdistrict_name": application.community.subdistrict.name,
        },
        f"star-certificate-{application.serial}.pdf",
    )


@login_required
def star_certificate(request, pk):
    profile = _own_profile(request.user)
    application = get_object_or_404(
        StarApplication.objects.select_related("community__subdistrict", "profile"),
        pk=pk,
        profile=profile,
        status=StarApplication.Status.GRANTED,
    )
    return pdf_response(star_certificate_pdf(application))


def star_notice(request):
    """Public notice (公示) of star levels awaiting grant: masked names only."""
    rows = [
        {
            "name": mask_name(a.profile.real_name),
            "community": a.community.name,
            "stars": a.stars,
            "level": a.level,
            "hours": a.hours,
            "notice_until": a.notice_until,
        }
        for a in star_services.on_notice()
    ]
    return render(request, "volunteers/stars/notice.html", {"rows": rows})


def star_verify(request, token):
    try:
        serial = tokens.verify(STAR_SIGNING_KIND, token)
    except tokens.InvalidToken:
        serial = None
    application = (
        StarApplication.objects.select_related("profile", "community__subdistrict")
        .filter(serial=serial)
        .first()
        if serial
        else None
    )
    valid = bool(application and application.status == StarApplication.Status.GRANTED)
    return render(
        request,
        "volunteers/stars/verify.html",
        {
            "application": application if valid else None,
            "masked_name": mask_name(application.profile.real_name) if valid else "",
        },
        status=200 if valid else 404,
    )
