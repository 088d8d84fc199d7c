"""Donors (firms and people) and the users who represent them."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.fragments import VersionedQuerySet
from portal.validators import normalize_uscc, validate_mobile, validate_uscc


class Donor(models.Model):
    """A firm or a person who gives supplies. Representatives (users) act for it; a firm's
    pledges are received only once subdistrict staff have verified it."""

    donor_lookup = "pk"
    warehouse_visible = True

    class Kind(models.TextChoices):
        FIRM = "firm", _("Firm or organisation")
        PERSON = "person", _("Individual")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.FIRM)
    name = models.CharField(_("name"), max_length=150)
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        blank=True,
        validators=[validate_uscc],
        help_text=_("18 characters, for a firm or organisation."),
    )
    contact_name = models.CharField(_("contact person"), max_length=50)
    contact_phone = models.CharField(
        _("contact phone"), max_length=11, validators=[validate_mobile]
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    # Whether the board (物资公示) may show the name; otherwise it shows "anonymous".
    public_name_consent = models.BooleanField(_("show our name on the public board"), default=False)
    # Set by subdistrict staff (services.verify_donor); a firm's pledges wait for it.
    verified = models.BooleanField(pgettext_lazy("donor", "verified"), default=False)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=pgettext_lazy("donor", "verified by"),
    )
    verified_at = models.DateTimeField(pgettext_lazy("donor", "verified at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    # what the donor's page shows (portal.fragments: any write drops its copies)
    fragment_versions = ("donations:trace",)
    objects = VersionedQuerySet.as_manager()

    class Meta:
        verbose_name = _("donor")
        verbose_name_plural = _("donors")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~Q(credit_code=""),
                name="unique_donor_credit_code",
            ),
            models.CheckConstraint(
                condition=Q(kind="person") | ~Q(credit_code=""), name="firm_has_credit_code"
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        # One spelling per code (the validator accepts spaces and dashes), so uniqueness holds.
        self.credit_code = normalize_uscc(self.credit_code)
        if self.kind == self.Kind.FIRM and not self.credit_code:
            raise ValidationError(
                {"credit_code": _("A firm needs its unified social credit code.")}
            )

    @property
    def can_pledge(self):
        return self.kind == self.Kind.PERSON or self.verified

    @property
    def public_name(self):
        return self.name if self.public_name_consent else _("Anonymous donor")


class DonorRepresentative(models.Model):
    """A user who acts for a donor (portal.scoping.donor_ids reads user.donor_representations)."""

    donor_lookup = "donor"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="donor_representations",
        verbose_name=_("user"),
    )
    donor = models.ForeignKey(
        Donor, on_delete=models.CASCADE, related_name="representatives", verbose_name=_("donor")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("donor representative")
        verbose_name_plural = _("donor representatives")
        constraints = [
            models.UniqueConstraint(fields=["user", "donor"], name="unique_donor_representative")
        ]

    def __str__(self):
        return f"{self.user} → {self.donor}"
