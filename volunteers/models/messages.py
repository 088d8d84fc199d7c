"""Messages to the volunteers one leads: a MessageBatch (what was sent, by whom, to which
audience, with which filters) and its MessageRecipients (who got it, and whether the SMS went).
Sent by volunteers.services.messages; delivered by its background task."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.bounds import MAX_BALANCE, max_value

from .page_versions import PageVersionQuerySet
from .profiles import VolunteerProfile


class MessageBatch(models.Model):
    """One message to an audience (a community now; teams and projects register theirs in
    volunteers.services.messages.AUDIENCES). An urgent notice's push is one batch per
    community, made once (the unique constraint on notice and community)."""

    community_lookup = "community"
    # a team's leaders see what was sent to their team and its projects
    team_lookup = "team"

    class Channel(models.TextChoices):
        SMS = "sms", _("Text message (and on their page)")
        SITE = "site", _("On their page only")

    # the community whose volunteers it reached (scopes who sees the record); empty only for
    # a message to a subdistrict team (or its projects), seen through `team`
    community = models.ForeignKey(
        "portal.Community",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("community"),
    )
    # the team it went to (a team audience, or a team's project): its leaders see the record
    team = models.ForeignKey(
        "volunteers.Team",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("team"),
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    # the audience's kind and key in services.messages.AUDIENCES ("community", 12), and how it
    # read when sent
    audience = models.CharField(_("audience"), max_length=20, default="community")
    audience_key = models.PositiveIntegerField(
        _("audience key"), validators=[max_value(MAX_BALANCE)]
    )
    audience_label = models.CharField(_("sent to"), max_length=120)
    # {"skills": [ids], "on_duty_week": bool}
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    channel = models.CharField(
        _("channel"), max_length=4, choices=Channel.choices, default=Channel.SMS
    )
    # urgent messages reach those who opted out of the others
    urgent = models.BooleanField(_("urgent"), default=False)
    text = models.TextField(_("message"), max_length=300)
    notice = models.ForeignKey(
        "content.NoticePage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("urgent notice"),
    )
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True, db_index=True)
    recipient_count = models.PositiveIntegerField(
        _("recipients"), default=0, validators=[max_value(MAX_BALANCE)]
    )

    class Meta:
        verbose_name = _("message to volunteers")
        verbose_name_plural = _("messages to volunteers")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["notice", "community"],
                condition=Q(notice__isnull=False),
                name="urgent_notice_pushed_once_per_community",
            ),
        ]

    def __str__(self):
        return f"{self.audience_label} · {self.text[:20]}"

    @property
    def sender_name(self):
        """Who the message says it is from: the team, else the community."""
        if self.team_id:
            return self.team.name
        return self.community.name if self.community_id else ""


class MessageRecipient(models.Model):
    """Who a message went to. Kept VOLUNTEERS_MESSAGE_RETENTION_DAYS (portal.retention)."""

    community_lookup = "batch__community"
    team_lookup = "batch__team"
    owner_lookup = "profile__user"

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        DROPPED = "dropped", _("Not sent (too many texts to this number)")
        SITE = "site", _("On their page only")

    batch = models.ForeignKey(
        MessageBatch,
        on_delete=models.CASCADE,
        related_name="recipients",
        verbose_name=_("message"),
    )
    profile = models.ForeignKey(
        VolunteerProfile,
        on_delete=models.CASCADE,
        related_name="messages_received",
        verbose_name=_("volunteer"),
    )
    # pending -> sent | dropped | site, once, by a conditional UPDATE (claimed before the SMS
    # goes out): a task run twice never texts anyone twice.
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    # whose own page shows these rows (portal.fragments; volunteers/models/page_versions.py)
    volunteer_page_lookups = ("profile_id",)
    objects = PageVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("message recipient")
        verbose_name_plural = _("message recipients")
        ordering = ["batch", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "profile"], name="one_message_per_recipient"),
        ]

    def __str__(self):
        return f"{self.profile} · {self.batch}"
