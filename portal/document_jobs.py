"""Batches of documents made on the task worker (django-tasks; `manage.py db_worker`): a ZIP of
service-hours certificates, a ZIP of donation receipts, the party-member report by work unit.

A view checks the form, scopes the selection, and calls `start_job` with the kind and the
parameters as ids and dates; the job row (`portal.models.DocumentJob`) is made in the request's
transaction and the task is enqueued when it commits. The person is sent to the job's page
(`document_jobs_views.JobView`), which updates itself with documents done out of the total,
then offers the file; each download is recorded by `audit.record_export`.

Kinds live with their data: `<app>/jobs.py` has `KINDS = {"certificates": Kind(...)}`, and a
job of kind "volunteers.certificates" runs `volunteers.jobs.KINDS["certificates"].build`.
`build(job, progress)` re-reads the records through `scope(..., job.user)` (rights may have
changed since the request), calls `progress(done, total)` after each document and returns an
`Output`.

Safe to run twice: a task claims its job with a conditional update (queued -> running) and
counts the run; a second delivery finds it running or done and does nothing. Every progress
write is conditional on the same run, so a run that was declared dead (below) and then wakes
up stops at its next document and never overwrites the newer run's file. The file of a run
replaces every earlier file of the job.

Worker death: a running job whose heartbeat is older than STALE_AFTER is marked failed with a
message saying so (`fail_stale_jobs`: by the job's page when someone looks, and by
`manage.py fail_stale_jobs`), and its owner may run it again (`retry_job`).
"""

import io
import logging
import re
import zipfile
from dataclasses import dataclass, field
from datetime import timedelta
from importlib import import_module

from django.apps import apps
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task

from portal.models import DocumentJob

logger = logging.getLogger(__name__)

# A document takes well under a second; a heartbeat older than this means the worker is gone.
STALE_AFTER = timedelta(minutes=10)
KEEP_JOBS_FOR = timedelta(days=2)
# what `error` holds when the job's worker stopped (the page says it in the reader's language)
STALE = "stale"
CRASHED = "crashed"
ERROR_TEXTS = {
    STALE: gettext_lazy(
        "The worker stopped while making this file (it was restarted or ran out of time). "
        "Nothing was lost: run it again."
    ),
    CRASHED: gettext_lazy(
        "The file could not be made. Run it again; if it fails again, tell the subdistrict's "
        "administrator."
    ),
}


class DocumentJobError(Exception):
    """Raised by a kind's build with a message for the person (in the job's language)."""


class JobLost(Exception):
    """This run no longer owns the job (declared dead, then run again): stop quietly."""


@dataclass(frozen=True)
class Kind:
    """One kind of batch. `permission` is what staff of the job's community need, beside its
    scope, to fetch someone else's file (its owner always may)."""

    label: str
    build: object  # build(job, progress) -> Output
    permission: str


@dataclass
class Output:
    filename: str  # what it downloads as (may be Chinese)
    content: bytes
    model: str  # "volunteers.certificate": what the file holds, for the audit trail
    ids: list = field(default_factory=list)
    communities: set = field(default_factory=set)
    skipped: int = 0


def get_kind(name):
    """The Kind named "app_label.short_name", or LookupError."""
    app_label, _dot, short = name.partition(".")
    config = apps.get_app_config(app_label)  # LookupError for an app that is not installed
    kinds = getattr(import_module(f"{config.name}.jobs"), "KINDS", {})
    try:
        return kinds[short]
    except KeyError:
        raise LookupError(name) from None


def error_text(job):
    return str(ERROR_TEXTS.get(job.error, job.error))


# --- the files -----------------------------------------------------------------------------


def safe_name(text, default="file"):
    """A name for a ZIP member or a download: no path separators or control characters."""
    cleaned = re.sub(r'[\\/:*?"<>|\x00-\x1f\x7f]+', "_", str(text)).strip(" ._")
    return cleaned[:80] or default


class Zip:
    """A ZIP in memory whose member names never repeat (two volunteers may share a name)."""

    def __init__(self):
        self.buffer = io.BytesIO()
        self.file = zipfile.ZipFile(self.buffer, "w", zipfile.ZIP_DEFLATED)
        self.names = set()

    def add(self, name, content):
        name = safe_name(name)
        stem, dot, ext = name.rpartition(".")
        suffix = f".{ext}" if dot else ""
        stem = stem if dot else name
        candidate, n = name, 1
        while candidate in self.names:
            n += 1
            candidate = f"{stem}-{n}{suffix}"
        self.names.add(candidate)
        self.file.writestr(candidate, content)

    def close(self):
        self.file.close()
        return self.buffer.getvalue()


def _storage_name(job, output):
    ext = output.filename.rpartition(".")[2].lower() if "." in output.filename else "bin"
    return f"document-jobs/{job.pk}/run-{job.runs}.{safe_name(ext, 'bin')}"


def _delete_files(job, keep=None):
    storage = DocumentJob._meta.get_field("file").storage
    folder = f"document-jobs/{job.pk}"
    try:
        _dirs, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        path = f"{folder}/{name}"
        if path != keep:
            storage.delete(path)


# --- making, running and re-running jobs ---------------------------------------------------


def delete_old_jobs(now=None):
    """Jobs older than KEEP_JOBS_FOR go with their files (people's names): when the next job
    is made, and daily through `manage.py apply_retention`."""
    now = now or timezone.now()
    old = list(DocumentJob.objects.filter(created_at__lt=now - KEEP_JOBS_FOR))
    for job in old:
        _delete_files(job)
    DocumentJob.objects.filter(pk__in=[job.pk for job in old]).delete()
    _delete_orphan_files()
    return len(old)


def _delete_orphan_files():
    """Files whose job is gone (deleted with its owner's account) go too."""
    storage = DocumentJob._meta.get_field("file").storage
    try:
        folders, _files = storage.listdir("document-jobs")
    except FileNotFoundError:
        return
    ids = {int(name) for name in folders if name.isdigit()}
    for pk in ids - set(DocumentJob.objects.filter(pk__in=ids).values_list("pk", flat=True)):
        _delete_files(DocumentJob(pk=pk))


def start_job(*, user, kind, params, total=0, community_id=None):
    """Make a job of `kind` ("volunteers.certificates") and queue it after commit.

    `params` must be JSON: ids, ISO dates, short codes. `community_id`: the one community every
    record comes from, if there is one (its staff may then see the job too)."""
    get_kind(kind)
    delete_old_jobs()
    job = DocumentJob.objects.create(
        user=user,
        kind=kind,
        params=params,
        total=total,
        community_id=community_id,
        language=translation.get_language() or "zh-hans",
    )
    transaction.on_commit(lambda: run_document_job.enqueue(job.pk))
    return job


def retry_job(job):
    """Queue a failed job again (after commit); False when it is not failed (a double click)."""
    retried = DocumentJob.objects.filter(pk=job.pk, status=DocumentJob.Status.FAILED).update(
        status=DocumentJob.Status.QUEUED, error="", done=0, finished_at=None, heartbeat_at=None
    )
    if retried:
        transaction.on_commit(lambda: run_document_job.enqueue(job.pk))
    return bool(retried)


def fail_stale_jobs(now=None):
    """Mark failed every running job whose worker has not been heard of for STALE_AFTER."""
    now = now or timezone.now()
    count = DocumentJob.objects.filter(
        status=DocumentJob.Status.RUNNING, heartbeat_at__lt=now - STALE_AFTER
    ).update(status=DocumentJob.Status.FAILED, error=STALE, finished_at=now)
    if count:
        logger.warning("%s document job(s) had no heartbeat for %s: marked failed", count, now)
    return count


class Progress:
    """progress(done, total): writes the count and the heartbeat, if this run still owns the
    job; raises JobLost otherwise."""

    def __init__(self, job):
        self.job = job

    def __call__(self, done, total=None):
        fields = {"done": done, "heartbeat_at": timezone.now()}
        if total is not None:
            fields["total"] = total
        owned = DocumentJob.objects.filter(
            pk=self.job.pk, status=DocumentJob.Status.RUNNING, runs=self.job.runs
        ).update(**fields)
        if not owned:
            raise JobLost(self.job.pk)


def _claim(job_id):
    now = timezone.now()
    return DocumentJob.objects.filter(pk=job_id, status=DocumentJob.Status.QUEUED).update(
        status=DocumentJob.Status.RUNNING,
        runs=F("runs") + 1,
        started_at=now,
        heartbeat_at=now,
        done=0,
        error="",
    )


def _fail(job, error):
    DocumentJob.objects.filter(pk=job.pk, status=DocumentJob.Status.RUNNING, runs=job.runs).update(
        status=DocumentJob.Status.FAILED, error=error[:300], finished_at=timezone.now()
    )


@task()
def run_document_job(job_id):
    """Make one job's file. Safe to run twice: only a queued job is claimed."""
    if not _claim(job_id):
        logger.info("document job %s is not queued; nothing to do", job_id)
        return
    job = DocumentJob.objects.select_related("user", "community").get(pk=job_id)
    with translation.override(job.language):
        try:
            output = get_kind(job.kind).build(job, Progress(job))
        except JobLost:
            logger.warning("document job %s run %s was replaced; stopped", job.pk, job.runs)
            return
        except DocumentJobError as error:
            _fail(job, str(error))
            return
        except Exception:
            logger.exception("document job %s (%s) failed", job.pk, job.kind)
            _fail(job, CRASHED)
            return
    storage = job.file.storage
    name = _storage_name(job, output)
    if storage.exists(name):
        storage.delete(name)
    saved = storage.save(name, ContentFile(output.content))
    # Staff of a community see the job only if every record in it is of that community.
    community = job.community_id if output.communities == {job.community_id} else None
    finished = DocumentJob.objects.filter(
        pk=job.pk, status=DocumentJob.Status.RUNNING, runs=job.runs
    ).update(
        status=DocumentJob.Status.DONE,
        file=saved,
        filename=output.filename,
        community=community,
        result={"model": output.model, "ids": output.ids, "skipped": output.skipped},
        done=F("total"),
        finished_at=timezone.now(),
        heartbeat_at=timezone.now(),
    )
    if not finished:  # declared dead meanwhile: the newer run's file wins
        storage.delete(saved)
        return
    _delete_files(job, keep=saved)
    logger.info(
        "document job %s (%s) done: %s documents, %s skipped",
        job.pk,
        job.kind,
        len(output.ids),
        output.skipped,
    )


def run_zip(job, progress, items, make, filename, model):
    """The common loop of a ZIP of documents: for each item, make(item) gives
    (member_name, bytes, record_pk, community_id) or None to skip it."""
    archive = Zip()
    ids, communities, skipped = [], set(), 0
    progress(0, len(items))
    for n, item in enumerate(items, start=1):
        made = make(item)
        if made is None:
            skipped += 1
        else:
            member, content, pk, community_id = made
            archive.add(member, content)
            ids.append(pk)
            communities.add(community_id)
        progress(n)
    content = archive.close()  # closed either way: an unclosed ZIP complains when collected
    if not ids:
        raise DocumentJobError(_("There was nothing to put in the file."))
    return Output(filename, content, model, ids, communities, skipped)
