"""The volunteer e-card: what its QR code carries can be revoked by issuing the card again."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.bounds import MAX_BALANCE, max_value

from .profiles import VolunteerProfile


class VolunteerCard(models.Model):
    """One per volunteer, made when the card is first shown. The card's QR code carries a signed
    token with `version`; issuing the card again (a lost phone, a printed card left behind)
    raises the version, and every older token stops verifying at the gate."""

    community_lookup = "profile__community"
    owner_lookup = "profile__user"

    profile = models.OneToOneField(
        VolunteerProfile, on_delete=models.CASCADE, related_name="card", verbose_name=_("volunteer")
    )
    version = models.PositiveIntegerField(
        _("card version"), default=1, validators=[max_value(MAX_BALANCE)]
    )
    issued_at = models.DateTimeField(_("issued at"), auto_now=True)

    class Meta:
        verbose_name = _("volunteer e-card")
        verbose_name_plural = _("volunteer e-cards")

    def __str__(self):
        return f"{self.profile} · {self.version}"
