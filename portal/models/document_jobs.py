from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.bounds import MAX_BALANCE, MAX_SORT_ORDER, max_value


def _private_storage():
    """settings.STORAGES["private"]: no URL, read only through the job's download view."""
    from django.core.files.storage import storages

    return storages["private"]


class DocumentJob(models.Model):
    """A batch of documents made on the task worker (portal.document_jobs): a ZIP of
    certificates or receipts, a party-member report by work unit.

    The person who asked (`user`) gives the kind and its parameters (ids, dates: never names);
    the worker re-reads the records through the scoping of that person, writes one file to
    private storage and counts progress in `done` / `total` as it goes, touching `heartbeat_at`
    each time. A job whose heartbeat stops (the worker was killed) is marked failed after
    portal.document_jobs.STALE_AFTER and may be run again; the file of a run is always the same
    name, so a second run replaces it rather than adding one.

    Scoped like the records it holds: its owner sees it, and so does staff of `community` when
    every record came from that one community (null: several communities or none, so only the
    owner and the subdistrict's admins).
    """

    community_lookup = "community"
    owner_lookup = "user"

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="document_jobs",
        verbose_name=_("asked by"),
    )
    community = models.ForeignKey(
        "portal.Community",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("community"),
    )
    # "volunteers.certificates": a key of portal.document_jobs.KINDS
    kind = models.CharField(max_length=40)
    params = models.JSONField(default=dict, blank=True)
    language = models.CharField(max_length=10)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    # documents made out of the documents to make (a batch is far below MAX_BALANCE)
    done = models.PositiveIntegerField(default=0, validators=[max_value(MAX_BALANCE)])
    total = models.PositiveIntegerField(default=0, validators=[max_value(MAX_BALANCE)])
    file = models.FileField(storage=_private_storage, max_length=200, blank=True)
    filename = models.CharField(max_length=200, blank=True)  # the name it downloads under
    # {"model": "volunteers.certificate", "ids": [...], "skipped": n}: what the file holds,
    # for the audit record of each download
    result = models.JSONField(default=dict, blank=True)
    error = models.CharField(max_length=300, blank=True)
    runs = models.PositiveSmallIntegerField(default=0, validators=[max_value(MAX_SORT_ORDER)])
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("document job")
        verbose_name_plural = _("document jobs")
        indexes = [
            models.Index(fields=["created_at"]),
            models.Index(fields=["status", "heartbeat_at"]),
        ]

    def __str__(self):
        return f"{self.kind} #{self.pk} ({self.get_status_display()})"

    @property
    def finished(self):
        return self.status in (self.Status.DONE, self.Status.FAILED)
