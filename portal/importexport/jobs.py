"""Long spreadsheet imports run on the task worker (django-tasks; `manage.py db_worker`).

A file of more than settings.IMPORT_BACKGROUND_ROWS rows is not checked in the web request:
the upload becomes an `ImportJob`, and the worker runs the same pipeline as a small import
(`read_dataset`, `run_import`, `describe_problems`): first a dry run whose preview the person
reads, then, once they confirm, the real import in one transaction, rolled back when any row is
bad. The job page (`ImportJobView`) refreshes itself and shows rows done out of the total.

The task takes the job's id and is enqueued when the transaction that made or confirmed the
job commits. It claims the job with a conditional update (queued -> running), so a task that
runs twice, or on two workers at once, imports once; a finished job is left alone.

Heartbeat: while it runs, the task writes the rows done and the time it was last heard of to
the shared cache (the import's transaction would hide a database write until the end), at
least every BEAT_EVERY. `fail_stale_imports` fails a running job only when that heartbeat is
older than HEARTBEAT_STALE (a long import that is still working is never failed); a job whose
heartbeat is missing (the cache was emptied) falls back to its start and STALE_AFTER. The real
import and the job's "done" commit together, after the task checked, under the job row's lock,
that nobody declared it dead meanwhile: if someone did, nothing is imported, as the job says.
"""

import logging
import time
from datetime import UTC, datetime

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django_tasks import task
from import_export.results import RowResult

from portal.models import ImportJob

from .files import ImportFileError, describe_problems, import_failed, read_dataset, run_import
from .resources import cell_text

logger = logging.getLogger(__name__)

PREVIEW_ROWS = 200
KEEP_JOBS_FOR = timezone.timedelta(days=1)
# A running import writes its heartbeat at least this often (and at every 1% of its rows).
BEAT_EVERY = 10  # seconds
# Not heard of for this long: its worker was killed mid-import (its transaction was rolled back,
# so nothing was imported).
HEARTBEAT_STALE = timezone.timedelta(minutes=10)
# A running job with no heartbeat in the cache at all (the cache was emptied): judged by its
# start, as before heartbeats (an import of IMPORT_MAX_ROWS_STAFF rows takes minutes).
STALE_AFTER = timezone.timedelta(hours=1)


def shown_value(resource, row, column):
    """What the record will hold, as an export would write it (so 'stairwell' shows as its
    label and an empty cell as the value it keeps); the raw cell if that cannot be had."""
    field = next((f for f in resource.fields.values() if str(f.column_name) == column), None)
    if field is not None and row.instance is not None:
        try:
            return cell_text(field.export(row.instance))
        except Exception:  # noqa: BLE001 - the preview must not fail on display
            logger.warning("preview could not render %s", column, exc_info=True)
    return cell_text((row.row_values or {}).get(column))


def summarise(resource, dataset, result):
    """An import result as plain data (JSON-safe, in the active language): what the preview
    page shows, whether the import ran in the request or on the worker."""
    problems = describe_problems(resource, result)
    known = {str(f.column_name) for f in resource.get_import_fields()}
    columns = [h for h in dataset.headers if h in known]
    rows = [
        {
            "number": (row.number or 0) + 1,
            "kind": row.import_type,
            "values": [shown_value(resource, row, c) for c in columns],
        }
        for row in result.rows
        if row.import_type in (RowResult.IMPORT_TYPE_NEW, RowResult.IMPORT_TYPE_UPDATE)
    ]
    return {
        "problems": [str(p) for p in problems],
        "bad_rows": len({p.row for p in problems}),
        "preview_columns": columns,
        "preview_rows": rows[:PREVIEW_ROWS],
        "hidden_rows": max(0, len(rows) - PREVIEW_ROWS),
        "total_rows": len(dataset),
        "new_count": result.totals[RowResult.IMPORT_TYPE_NEW],
        "update_count": result.totals[RowResult.IMPORT_TYPE_UPDATE],
    }


# --- progress and heartbeat, in the cache (the import's transaction hides its rows until the end)


def _progress_key(job_id):
    return f"importexport:job:{job_id}:done"


def _beat_key(job_id):
    return f"importexport:job:{job_id}:beat"


KEEP_PROGRESS = 24 * 60 * 60


def beat(job_id, done=None):
    """The job's worker is alive (and, if given, has done `done` rows)."""
    values = {_beat_key(job_id): time.time()}
    if done is not None:
        values[_progress_key(job_id)] = done
    cache.set_many(values, KEEP_PROGRESS)


def last_heard(jobs):
    """{job id: aware datetime of its last heartbeat} for the jobs that have one."""
    found = cache.get_many([_beat_key(job.pk) for job in jobs])
    heard = {}
    for job in jobs:
        stamp = found.get(_beat_key(job.pk))
        if stamp is not None:
            heard[job.pk] = datetime.fromtimestamp(stamp, tz=UTC)
    return heard


def rows_done(job):
    if job.status == ImportJob.Status.DONE:
        return job.rows_total
    if job.status != ImportJob.Status.RUNNING:
        return 0
    return min(cache.get(_progress_key(job.pk)) or 0, job.rows_total)


class Progress:
    """Called by PortalResource.import_row after each row: writes the rows done and the
    heartbeat every 1% of the rows (at most ~100 times a job) and at least every BEAT_EVERY
    seconds, so a slow import keeps beating between its 1% steps."""

    def __init__(self, job, clock=time.monotonic):
        self.job_id = job.pk
        self.step = max(1, job.rows_total // 100)
        self.done = 0
        self.clock = clock
        self.last = clock()
        beat(self.job_id, 0)

    def __call__(self):
        self.done += 1
        now = self.clock()
        if self.done % self.step == 0 or now - self.last >= BEAT_EVERY:
            beat(self.job_id, self.done)
            self.last = now


# --- making, confirming and running jobs ---------------------------------------------------


def delete_old_jobs(now=None):
    """Jobs older than a day go, with the file and the preview they keep (people's data):
    when the next job is made, and daily through `manage.py apply_retention`."""
    now = now or timezone.now()
    deleted, _by_model = ImportJob.objects.filter(created_at__lt=now - KEEP_JOBS_FOR).delete()
    return deleted


def fail_stale_imports(now=None):
    """Mark failed the jobs whose worker is gone, saying so in the uploader's language; the
    person uploads the file again. By the job's page and `manage.py fail_stale_jobs`.

    Gone: no heartbeat for HEARTBEAT_STALE, or, with no heartbeat in the cache at all, started
    more than STALE_AFTER ago. A long import that still beats is left alone."""
    now = now or timezone.now()
    running = list(
        ImportJob.objects.filter(status=ImportJob.Status.RUNNING).only(
            "pk", "language", "started_at"
        )
    )
    heard = last_heard(running)
    count = 0
    for job in running:
        last = heard.get(job.pk)
        if last is not None:
            stale = last < now - HEARTBEAT_STALE
        else:
            stale = job.started_at is not None and job.started_at < now - STALE_AFTER
        if not stale:
            continue
        with translation.override(job.language):
            message = _(
                "The worker stopped while working on this file. Nothing was imported; upload "
                "the file again."
            )
        count += ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.RUNNING).update(
            status=ImportJob.Status.FAILED,
            finished_at=now,
            result={"problems": [message], "bad_rows": 0},
        )
    if count:
        logger.warning("%s import job(s) without a heartbeat: marked failed", count)
    return count


def start_job(*, user, model, resource_class, file_format, filename, content, rows, urls):
    """Make a check job for an uploaded file and queue it after commit; returns the job."""
    delete_old_jobs()
    job = ImportJob.objects.create(
        user=user,
        model_label=model._meta.label_lower,
        resource_path=f"{resource_class.__module__}.{resource_class.__qualname__}",
        index_url=urls["index"],
        upload_url=urls["upload"],
        language=translation.get_language() or "zh-hans",
        filename=filename[:255],
        file_format=file_format,
        content=content,
        rows_total=rows,
    )
    transaction.on_commit(lambda: run_import_job.enqueue(job.pk))
    return job


def confirm_job(job):
    """The person confirmed a checked file: queue the real import. False when the job is not
    a clean, finished check (already confirmed by a double click, or it had problems)."""
    confirmed = ImportJob.objects.filter(
        pk=job.pk,
        kind=ImportJob.Kind.CHECK,
        status=ImportJob.Status.DONE,
        result__problems=[],
    ).update(kind=ImportJob.Kind.IMPORT, status=ImportJob.Status.QUEUED, finished_at=None)
    if confirmed:
        transaction.on_commit(lambda: run_import_job.enqueue(job.pk))
    return bool(confirmed)


def _claim(job_id):
    return ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING, started_at=timezone.now()
    )


class _DeclaredDead(Exception):
    """The job was marked failed while this run worked on it: roll the import back."""


def _finish(job_id, fields):
    """Record the outcome if the job is still running (locked: the stale-job failer waits)."""
    still = ImportJob.objects.select_for_update().filter(pk=job_id, status=ImportJob.Status.RUNNING)
    if not still.exists():
        return False
    still.update(**fields)
    return True


@task()
def run_import_job(job_id):
    """Check or import one job's file. Safe to run twice: only a queued job is claimed."""
    if not _claim(job_id):
        logger.info("import job %s is not queued; nothing to do", job_id)
        return
    beat(job_id, 0)
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    dry_run = job.kind == ImportJob.Kind.CHECK
    status = ImportJob.Status.DONE
    recorded = True
    with translation.override(job.language):
        try:
            # One transaction for the rows and the job's outcome: either both commit or, if the
            # job was declared dead meanwhile, neither (its page already says nothing was
            # imported).
            with transaction.atomic():
                resource = import_string(job.resource_path)(user=job.user)
                dataset = read_dataset(bytes(job.content), job.file_format, resource)
                beat(job_id, 0)
                resource.progress = Progress(job)
                result = run_import(resource, dataset, dry_run=dry_run)
                beat(job_id, job.rows_total)
                summary = summarise(resource, dataset, result)
                failed = import_failed(result)
                fields = {"result": summary, "status": status, "finished_at": timezone.now()}
                if not dry_run and not failed:
                    fields["content"] = b""  # imported: the file (people's data) is not kept
                if not _finish(job_id, fields):
                    raise _DeclaredDead
        except _DeclaredDead:
            recorded = False
        except ImportFileError as exc:
            summary, failed = {"problems": [str(exc)], "bad_rows": 0}, True
            recorded = _finish_now(job_id, summary, status)
        except Exception:
            logger.exception("import job %s failed", job_id)
            summary, failed = {"problems": [_("The import failed; nothing was imported.")]}, True
            recorded = _finish_now(job_id, summary, ImportJob.Status.FAILED)
    cache.delete_many([_progress_key(job_id), _beat_key(job_id)])
    if not recorded:
        logger.warning("import job %s was marked failed while it ran; rolled back", job_id)
        return
    logger.info(
        "import job %s (%s, %s rows) done: %s",
        job.pk,
        job.kind,
        job.rows_total,
        "problems" if failed else "clean",
    )


def _finish_now(job_id, summary, status):
    with transaction.atomic():
        return _finish(job_id, {"result": summary, "status": status, "finished_at": timezone.now()})
