"""What donations hold about a donor's representative (see portal.personal_data).

A firm's records are the firm's, not the person's: the download lists which donors the person
acts for and the pledges they entered. A private person who gives in their own name is the
donor: their name, phone and address are personal, and go when their account goes (the lots
and the ledger stay, under "Anonymous donor")."""

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from portal import audit
from portal.personal_data import Section

from .models import Donor, DonorRepresentative, Pledge
from .naming import announce

ERASED_DONOR_NAME = "已注销的个人捐赠者"


def sections(user):
    acting = Section(
        "donors",
        _("Donors you act for"),
        [_("Donor"), _("Kind"), _("Contact person"), _("Contact phone"), _("Address")],
    )
    representations = DonorRepresentative.objects.filter(user=user).select_related("donor")
    for representation in representations:
        donor = representation.donor
        acting.rows.append(
            [
                donor.name,
                donor.get_kind_display(),
                donor.contact_name,
                donor.contact_phone,
                donor.address,
            ]
        )
    pledges = Section(
        "pledges",
        _("Pledges you entered"),
        [
            _("Pledge"),
            _("Donor"),
            _("Created"),
            _("Status"),
            _("Items"),
            pgettext("remark", "Note"),
        ],
    )
    entered = (
        Pledge.objects.filter(created_by=user)
        .select_related("donor")
        .prefetch_related("lines__item")
        .order_by("created_at")
    )
    for pledge in entered:
        pledges.rows.append(
            [
                pledge.pk,
                pledge.donor.name,
                pledge.created_at,
                pledge.get_status_display(),
                "、".join(f"{line.item} × {line.quantity}" for line in pledge.lines.all()),
                pledge.note,
            ]
        )
    return [acting, pledges]


def erase(user):
    """A private donor with no other representative is anonymised; firms keep their records."""
    own = Donor.objects.filter(kind=Donor.Kind.PERSON, representatives__user=user)
    for donor in own:
        if donor.representatives.exclude(user=user).exists():
            continue
        announce({donor.name})  # stories that named the donor drop the name
        Donor.objects.filter(pk=donor.pk).update(
            name=ERASED_DONOR_NAME,
            contact_name="",
            contact_phone="",
            address="",
            public_name_consent=False,
        )
        audit.forget_labels(donor, f"{ERASED_DONOR_NAME} #{donor.pk}")
