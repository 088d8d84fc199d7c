"""What help requests hold about the resident who asked (see portal.personal_data)."""

from django.utils.translation import gettext as _

from portal.personal_data import Section

from .models import HelpRequest, OnCallNight


def sections(user):
    asked = Section(
        "help_requests",
        _("Help requests"),
        [
            _("Recorded at"),
            _("Community"),
            _("Compound"),
            _("Building, unit and room"),
            _("Contact name"),
            _("Contact phone"),
            _("What is needed"),
            _("Items"),
            _("Urgency"),
            _("Status"),
        ],
    )
    requests = (
        HelpRequest.objects.filter(requester=user)
        .select_related("community", "compound")
        .prefetch_related("lines__item")
        .order_by("created_at")
    )
    for request in requests:
        asked.rows.append(
            [
                request.created_at,
                request.community.name,
                request.compound.name,
                request.building,
                request.contact_name,
                request.contact_phone,
                request.need,
                "、".join(str(line) for line in request.lines.all()),
                request.get_urgency_display(),
                request.get_status_display(),
            ]
        )
    nights = Section("on_call_nights", _("On-call nights"), [_("Night of"), _("Marked at")])
    for night in OnCallNight.objects.filter(profile__user=user).order_by("night"):
        nights.rows.append([night.night, night.created_at])
    return [asked, nights]


def erase(user):
    """Closed requests lose their personal details now. Open ones stay with the community, who
    still has to deliver to that door; the retention job blanks them once they are closed."""
    from .services import anonymise

    anonymise(HelpRequest.objects.filter(requester=user, status=HelpRequest.Status.CLOSED))
    OnCallNight.objects.filter(profile__user=user).delete()
