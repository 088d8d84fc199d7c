"""Jobs a killed worker left "running" are marked failed (manage.py fail_stale_jobs, and the
job's own page), so nobody waits for ever (issue 13.3)."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from portal.importexport import jobs
from portal.models import DocumentJob, ImportJob

pytestmark = pytest.mark.django_db


def import_job(user, started_ago):
    return ImportJob.objects.create(
        user=user,
        model_label="portal.compound",
        resource_path="portal.resources.CompoundResource",
        index_url="/admin/",
        upload_url="/admin/",
        language="zh-hans",
        filename="小区.xlsx",
        file_format="xlsx",
        rows_total=400,
        status=ImportJob.Status.RUNNING,
        started_at=timezone.now() - started_ago,
    )


def test_the_command_fails_stale_imports_and_document_jobs_only(coordinator, capsys):
    dead = import_job(coordinator, jobs.STALE_AFTER + timedelta(minutes=1))
    busy = import_job(coordinator, timedelta(minutes=5))
    silent = DocumentJob.objects.create(
        user=coordinator,
        kind="volunteers.certificates",
        status=DocumentJob.Status.RUNNING,
        heartbeat_at=timezone.now() - timedelta(hours=1),
    )
    call_command("fail_stale_jobs")
    assert "1 document job(s), 1 import job(s)" in capsys.readouterr().out
    dead.refresh_from_db()
    busy.refresh_from_db()
    silent.refresh_from_db()
    assert dead.status == ImportJob.Status.FAILED and "上传" in dead.result["problems"][0]
    assert busy.status == ImportJob.Status.RUNNING
    assert silent.status == DocumentJob.Status.FAILED
    call_command("fail_stale_jobs")  # twice: nothing more
    assert "0 document job(s), 0 import job(s)" in capsys.readouterr().out


def test_the_import_page_shows_a_dead_import_as_failed(client, coordinator):
    dead = import_job(coordinator, jobs.STALE_AFTER + timedelta(minutes=1))
    client.force_login(coordinator)
    page = client.get(reverse("portal_import_job", args=[dead.pk])).content.decode()
    assert 'http-equiv="refresh"' not in page
    assert "请重新上传" in page or "upload the file again" in page


def test_a_long_import_that_still_beats_is_not_failed(coordinator):
    """Started long ago (a big file), but its worker was heard of a minute ago."""
    long = import_job(coordinator, jobs.STALE_AFTER + timedelta(hours=2))
    jobs.beat(long.pk, 1000)
    assert jobs.fail_stale_imports() == 0
    long.refresh_from_db()
    assert long.status == ImportJob.Status.RUNNING
    assert jobs.rows_done(long) == 400  # rows done, bounded by the total


def test_an_import_whose_heartbeat_is_old_is_failed(coordinator):
    recent = import_job(coordinator, timedelta(minutes=20))  # well within STALE_AFTER
    jobs.beat(recent.pk, 10)
    later = timezone.now() + jobs.HEARTBEAT_STALE + timedelta(seconds=1)
    assert jobs.fail_stale_imports(now=later) == 1
    recent.refresh_from_db()
    assert recent.status == ImportJob.Status.FAILED


def test_the_import_beats_while_its_rows_go_by(coordinator):
    """Between its 1% steps a slow import still beats every BEAT_EVERY seconds."""
    job = import_job(coordinator, timedelta(minutes=1))
    job.rows_total = 100_000  # a step of 1,000 rows
    now = [0.0]
    progress = jobs.Progress(job, clock=lambda: now[0])
    for _ in range(10):
        progress()
    assert jobs.rows_done(job) == 0  # neither a step nor BEAT_EVERY yet
    now[0] = jobs.BEAT_EVERY
    progress()
    assert jobs.rows_done(job) == 11
    heard = jobs.last_heard([job])[job.pk]
    assert abs((timezone.now() - heard).total_seconds()) < 5


def test_an_import_declared_dead_while_it_ran_imports_nothing(coordinator, compound, monkeypatch):
    """The failer marks the job failed in the middle of the rows: the import rolls back, so
    the job's 'nothing was imported' is true. (Here the failer's update runs on the import's
    own connection and is rolled back with it; in production it is another process's, already
    committed, and the job stays failed.)"""
    from portal.models import Compound
    from tests.portal.test_importexport import COMPOUND_HEADERS, xlsx

    rows = [["民岳家园社区", f"小区{n}", "", n + 1] for n in range(6)]
    job = import_job(coordinator, timedelta(0))
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.QUEUED,
        kind=ImportJob.Kind.IMPORT,
        resource_path="portal.resources.CompoundResource",
        content=xlsx(COMPOUND_HEADERS, rows),
        rows_total=6,
        user=_admin(),
    )
    before = Compound.objects.count()
    real = jobs.Progress.__call__

    def declared_dead_midway(self):
        real(self)
        if self.done == 3:
            ImportJob.objects.filter(pk=self.job_id).update(status=ImportJob.Status.FAILED)

    monkeypatch.setattr(jobs.Progress, "__call__", declared_dead_midway)
    jobs.run_import_job.call(job.pk)
    job.refresh_from_db()
    assert job.status != ImportJob.Status.DONE
    assert Compound.objects.count() == before


def test_an_import_records_its_outcome_with_its_rows(coordinator, compound):
    from portal.models import Compound
    from tests.portal.test_importexport import COMPOUND_HEADERS, xlsx

    rows = [["民岳家园社区", f"小区{n}", "", n + 1] for n in range(6)]
    job = import_job(coordinator, timedelta(0))
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.QUEUED,
        kind=ImportJob.Kind.IMPORT,
        content=xlsx(COMPOUND_HEADERS, rows),
        rows_total=6,
        user=_admin(),
    )
    before = Compound.objects.count()
    jobs.run_import_job.call(job.pk)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.result["problems"] == []
    assert Compound.objects.count() == before + 6
    assert jobs.last_heard([job]) == {}  # its heartbeat is gone with it


def _admin():
    from portal import roles
    from tests.factories import make_user

    return make_user(roles.SUBDISTRICT_ADMIN, username="importer")
