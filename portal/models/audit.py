from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditTrailError(Exception):
    """Raised when code tries to change or delete an audit event."""


class AuditEventQuerySet(models.QuerySet):
    """Append-only: no bulk update or delete (only the retention job prunes, see `prune`)."""

    def update(self, **kwargs):
        raise AuditTrailError("The audit trail is append-only.")

    def delete(self):
        raise AuditTrailError("The audit trail is append-only.")

    def prune(self, before):
        """Delete the events older than `before`: the retention job's one way out (see
        docs/security.md). Bypasses the append-only guard on purpose, and only for old rows."""
        old = self.filter(timestamp__lt=before)
        models.QuerySet.delete(AuditEvent.communities.through.objects.filter(auditevent__in=old))
        return models.QuerySet.delete(old)


class AuditEvent(models.Model):
    """One entry of the audit trail (portal.audit.record): who did what to which record, when
    and from where. Written once, never changed; pruned only after AUDIT_RETENTION_DAYS.

    Personal data stays out of it: the object is a type and an id (its description says
    "volunteer profile #12", never the name or the address), the user is an id (like Wagtail's
    log entries, it survives the account's deletion). `communities` are the communities the
    record belongs to, so a coordinator sees the events about their own communities' records
    (portal.scoping). Events about one model instance are also written to Wagtail's log
    entries, so they show in that record's history.
    """

    community_lookup = "communities"
    scope_needs_distinct = True

    timestamp = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    action = models.CharField(_("action"), max_length=100, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,  # a change made by the system (a migration, a scheduled job)
        blank=True,
        on_delete=models.DO_NOTHING,  # the id outlives the account, as in Wagtail's log
        db_constraint=False,
        related_name="+",
        verbose_name=_("user"),
    )
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True, db_index=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)
    path = models.CharField(_("address"), max_length=300, blank=True)
    communities = models.ManyToManyField(
        "portal.Community", blank=True, related_name="+", verbose_name=_("communities")
    )

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-timestamp", "-pk"]
        default_permissions = ("view",)  # nobody adds, changes or deletes an event

    def __str__(self):
        return (
            f"{timezone.localtime(self.timestamp):%Y-%m-%d %H:%M} {self.action} {self.description}"
        )

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AuditTrailError("The audit trail is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditTrailError("The audit trail is append-only.")

    def get_user_display(self):
        """Who, for the screens: the user, "system", or the id of a deleted account."""
        if self.user_id is None:
            return _("system")
        try:
            user = self.user
        except models.ObjectDoesNotExist:
            user = None
        if user is None:
            return _("deleted user #%(id)s") % {"id": self.user_id}
        return str(user)

    def get_communities_display(self):
        return "、".join(community.name for community in self.communities.all())
