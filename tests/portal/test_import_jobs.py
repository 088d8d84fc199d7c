"""Long spreadsheet imports on the task worker (portal.importexport.jobs, issue 13.3)."""

import pytest
from django.test import override_settings
from django.urls import reverse

from portal import roles
from portal.importexport import jobs
from portal.models import Compound, ImportJob
from tests.factories import make_user
from tests.portal.test_importexport import COMPOUND_HEADERS, upload, xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, subdistrict_admin):
    client.force_login(subdistrict_admin)
    return client


@pytest.fixture
def queued(monkeypatch):
    """Enqueueing records the job id instead of running it: the test plays the worker."""
    ids = []

    class Recorder:
        enqueue = staticmethod(ids.append)

    monkeypatch.setattr(jobs, "run_import_job", Recorder)
    return ids


def rows(count, bad_at=None):
    return [
        ["民岳家园社区", f"小区{n}", "", "很多" if n == bad_at else n + 1] for n in range(count)
    ]


def start(client, content, django_capture_on_commit_callbacks):
    with override_settings(IMPORT_BACKGROUND_ROWS=5):
        with django_capture_on_commit_callbacks(execute=True):
            response = upload(client, "compounds", content)
    assert response.status_code == 302, response.content.decode()[:2000]
    return response["Location"]


RUN_IMPORT_JOB = jobs.run_import_job


def run_worker(job_id):
    RUN_IMPORT_JOB.call(job_id)


def test_small_import_stays_in_the_request(admin_client, compound, queued):
    with override_settings(IMPORT_BACKGROUND_ROWS=5):
        response = upload(admin_client, "compounds", xlsx(COMPOUND_HEADERS, rows(5)))
    assert "/import/" in response["Location"]  # the preview, as before
    assert not ImportJob.objects.exists()
    assert queued == []


def test_long_import_is_checked_then_imported_by_the_worker(
    admin_client, compound, queued, django_capture_on_commit_callbacks
):
    url = start(admin_client, xlsx(COMPOUND_HEADERS, rows(12)), django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    assert url == reverse("portal_import_job", args=[job.pk])
    assert queued == [job.pk]  # enqueued on commit, by id

    page = admin_client.get(url).content.decode()
    assert "0 / 12" in page and 'http-equiv="refresh"' in page  # waiting, and updating itself

    run_worker(job.pk)  # the dry run
    assert Compound.objects.count() == 1
    page = admin_client.get(url).content.decode()
    assert "确认导入" in page and "小区11" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url)
    assert response.status_code == 302
    assert queued == [job.pk, job.pk]
    run_worker(job.pk)
    assert Compound.objects.count() == 13
    job.refresh_from_db()
    assert (job.status, job.kind, bytes(job.content)) == ("done", "import", b"")
    response = admin_client.get(url)
    assert response.status_code == 302 and response["Location"] == reverse("compounds:index")


def test_running_a_task_twice_imports_once(
    admin_client, compound, queued, django_capture_on_commit_callbacks
):
    url = start(admin_client, xlsx(COMPOUND_HEADERS, rows(8)), django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    run_worker(job.pk)
    run_worker(job.pk)  # a second delivery of the check: nothing happens
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(url)
        admin_client.post(url)  # a double click queues one import
    assert queued == [job.pk, job.pk]
    run_worker(job.pk)
    run_worker(job.pk)
    assert Compound.objects.count() == 9


def test_a_bad_row_is_reported_and_nothing_is_written(
    admin_client, compound, queued, django_capture_on_commit_callbacks
):
    content = xlsx(COMPOUND_HEADERS, rows(10, bad_at=6))
    url = start(admin_client, content, django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    run_worker(job.pk)
    page = admin_client.get(url).content.decode()
    assert "第 8 行 · 户数：“很多”不是整数" in page
    assert "确认导入" not in page
    assert admin_client.post(url).status_code == 302  # a check with problems cannot be confirmed
    job.refresh_from_db()
    assert job.kind == "check"
    assert Compound.objects.count() == 1


def test_the_real_import_rolls_back_when_data_changed_since_the_check(
    admin_client, compound, queued, django_capture_on_commit_callbacks
):
    url = start(admin_client, xlsx(COMPOUND_HEADERS, rows(7)), django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    run_worker(job.pk)
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(url)
    compound.community.name = "改名社区"
    compound.community.save()
    run_worker(job.pk)
    page = admin_client.get(url).content.decode()
    assert "不存在名为“民岳家园社区”的社区" in page
    assert Compound.objects.count() == 1


def test_progress_counts_rows_while_running(admin_client, compound, queued, monkeypatch):
    job = ImportJob.objects.create(
        user=make_user(roles.SUBDISTRICT_ADMIN, username="x"),
        rows_total=400,
        status=ImportJob.Status.RUNNING,
    )
    progress = jobs.Progress(job)
    for _ in range(250):
        progress()
    assert jobs.rows_done(job) == 248  # written every 4 rows (1% of the total)


def test_a_job_is_seen_only_by_its_uploader(
    admin_client, client, compound, queued, django_capture_on_commit_callbacks
):
    url = start(admin_client, xlsx(COMPOUND_HEADERS, rows(6)), django_capture_on_commit_callbacks)
    client.force_login(make_user(roles.SUBDISTRICT_ADMIN, username="sdadmin2"))
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404


def test_the_daily_retention_job_deletes_jobs_older_than_a_day():
    from datetime import timedelta

    from django.utils import timezone

    from portal.retention import apply_retention

    user = make_user(roles.SUBDISTRICT_ADMIN, username="x")
    old = ImportJob.objects.create(user=user, content=b"people's data")
    new = ImportJob.objects.create(user=user, content=b"people's data")
    ImportJob.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=25))
    assert apply_retention()["import_jobs_deleted"] == 1
    assert list(ImportJob.objects.all()) == [new]
