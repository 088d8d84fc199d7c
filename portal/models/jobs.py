from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.bounds import MAX_BALANCE, max_value


class ImportJob(models.Model):
    """A spreadsheet import too long for one web request (portal.importexport.jobs).

    The worker checks the file (a dry run) and, once the person confirms, imports it for real,
    all or nothing, exactly as the synchronous import does. Rows done are counted in the cache
    while it runs (the import's own transaction hides them from the database); the outcome is
    kept in `result`. Only the person who uploaded the file may see the job. The file is dropped
    once imported, and jobs older than a day are deleted when the next one is made.
    """

    class Kind(models.TextChoices):
        CHECK = "check", _("check")
        IMPORT = "import", _("import")

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_jobs"
    )
    model_label = models.CharField(max_length=100)
    resource_path = models.CharField(max_length=200)
    index_url = models.CharField(max_length=300)
    upload_url = models.CharField(max_length=300)
    language = models.CharField(max_length=10)
    filename = models.CharField(max_length=255)
    file_format = models.CharField(max_length=8)
    content = models.BinaryField(default=b"")
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.CHECK)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    # a spreadsheet's rows (settings.IMPORT_MAX_ROWS_STAFF refuses more long before this)
    rows_total = models.PositiveIntegerField(default=0, validators=[max_value(MAX_BALANCE)])
    result = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        indexes = [models.Index(fields=["created_at"])]

    def __str__(self):
        return f"{self.filename} ({self.get_kind_display()}, {self.get_status_display()})"

    @property
    def finished(self):
        return self.status in (self.Status.DONE, self.Status.FAILED)
