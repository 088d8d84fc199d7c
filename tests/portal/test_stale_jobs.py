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
