"""The place directory: subdistrict -> community -> compound -> post."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.bounds import MAX_HOUSEHOLDS, max_value
from portal.validators import validate_phone


class Subdistrict(models.Model):
    """The subdistrict office (街道) that runs the portal; the root of the place directory."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    district = models.CharField(_("district"), max_length=50, blank=True)
    phone = models.CharField(
        _("phone"),
        max_length=30,
        blank=True,
        validators=[validate_phone],
        help_text=_("Shown on posters and to volunteers; a mobile or a landline with area code."),
    )

    class Meta:
        verbose_name = _("subdistrict")
        verbose_name_plural = _("subdistrict")

    def __str__(self):
        return self.name


class Community(models.Model):
    """A community (社区): the unit of scoping. Coordinators, tasks and requests belong to one."""

    community_lookup = "pk"

    subdistrict = models.ForeignKey(
        Subdistrict,
        on_delete=models.PROTECT,
        related_name="communities",
        verbose_name=_("subdistrict"),
    )
    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True, allow_unicode=False)
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(
        _("phone"),
        max_length=30,
        blank=True,
        validators=[validate_phone],
        help_text=_("Shown on posters and to volunteers; a mobile or a landline with area code."),
    )

    class Meta:
        verbose_name = _("community")
        verbose_name_plural = _("community")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Compound(models.Model):
    """A residential compound (小区) inside a community."""

    community_lookup = "community"

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="compounds", verbose_name=_("community")
    )
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=200, blank=True)
    households = models.PositiveIntegerField(
        _("households"), null=True, blank=True, validators=[max_value(MAX_HOUSEHOLDS)]
    )

    class Meta:
        verbose_name = _("compound")
        verbose_name_plural = _("compound")
        ordering = ["community__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="unique_compound_name")
        ]

    def __str__(self):
        return f"{self.community.name} · {self.name}"


class Post(models.Model):
    """A post (点位): a gate, checkpoint or group of stairwells where volunteers stand duty."""

    community_lookup = "compound__community"

    class Kind(models.TextChoices):
        GATE = "gate", _("Gate")
        CHECKPOINT = "checkpoint", _("Checkpoint")
        STAIRWELL = "stairwell", _("Stairwells")
        OFFICE = "office", _("Community office")
        OTHER = "other", _("Other")

    compound = models.ForeignKey(
        Compound, on_delete=models.PROTECT, related_name="posts", verbose_name=_("compound")
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.GATE)
    is_party_post = models.BooleanField(
        _("party-member post"),
        default=False,
        help_text=_("In-service party members are placed first on a party-member post."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("post")
        ordering = ["compound__community__name", "compound__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["compound", "name"], name="unique_post_name")
        ]

    def __str__(self):
        return f"{self.compound.name} · {self.name}"

    @property
    def community(self):
        return self.compound.community
