from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.validators import validate_mobile


class User(AbstractUser):
    """An account: a resident, volunteer, donor representative or member of staff.

    People sign in with a mobile number and a one-time code, or an email address. What they
    may do comes from their groups (portal.roles); which communities a member of staff serves
    comes from StaffMembership.
    """

    phone = models.CharField(
        _("Mobile number"),
        max_length=11,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_mobile],
    )
    phone_verified = models.BooleanField(_("Mobile verified"), default=False)
    language = models.CharField(
        _("Language for messages"),
        max_length=10,
        default="zh-hans",
        choices=[("zh-hans", "简体中文"), ("en", "English")],
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("user")

    def __str__(self):
        full = f"{self.last_name}{self.first_name}".strip()
        return full or self.phone or self.email or self.username


class StaffMembership(models.Model):
    """Ties a member of staff to a community they serve; scoping (portal.scoping) reads it."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    community = models.ForeignKey(
        "portal.Community",
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("community"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("community membership")
        verbose_name_plural = _("community membership")
        constraints = [
            models.UniqueConstraint(fields=["user", "community"], name="unique_membership")
        ]

    def __str__(self):
        return f"{self.user} @ {self.community}"
