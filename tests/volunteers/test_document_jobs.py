"""Bulk certificates and the party-member report, made on the task worker
(portal.document_jobs, volunteers/jobs.py; issue 13.3)."""

import io
import zipfile
from datetime import timedelta

import pytest
from django.core.files.storage import storages
from django.urls import reverse
from django.utils import timezone

from portal import document_jobs, roles
from portal.models import AuditEvent, DocumentJob
from tests.factories import VolunteerProfileFactory, make_user
from volunteers import services
from volunteers.models import Attendance, Certificate

pytestmark = pytest.mark.django_db

RUN = document_jobs.run_document_job


@pytest.fixture(autouse=True)
def _empty_private_storage():
    """The tests' private storage lives in memory for the whole run, and job ids repeat."""
    storage = storages["private"]
    try:
        folders, _files = storage.listdir("document-jobs")
    except FileNotFoundError:
        return
    for folder in folders:
        for name in storage.listdir(f"document-jobs/{folder}")[1]:
            storage.delete(f"document-jobs/{folder}/{name}")


@pytest.fixture
def served(volunteer, shift):
    """李晓红 served five hours on the gate shift; returns the period around it as ISO dates."""
    signup = services.sign_up(volunteer, shift)
    Attendance.objects.create(
        signup=signup,
        check_in_at=shift.start,
        check_out_at=shift.end,
        status=Attendance.Status.CONFIRMED,  # only confirmed hours are certified
    )
    day = timezone.localtime(shift.start).date()
    return {"start": (day - timedelta(days=1)).isoformat(), "end": day.isoformat()}


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


def start_certificates(client, period, capture, execute=True):
    url = reverse("volunteers_admin:bulk_certificates")
    with capture(execute=execute) as callbacks:
        response = client.post(url, period)
    assert response.status_code == 302, response.content.decode()[:1500]
    return DocumentJob.objects.get(), response["Location"], callbacks


def zip_names(job):
    with job.file.open("rb") as handle:
        return sorted(zipfile.ZipFile(io.BytesIO(handle.read())).namelist())


def files_of(job):
    return storages["private"].listdir(f"document-jobs/{job.pk}")[1]


def test_the_form_counts_whom_a_batch_would_cover(coordinator_client, served):
    page = coordinator_client.get(reverse("volunteers_admin:bulk_certificates"), served)
    assert "1 名志愿者" in page.content.decode() or "1 volunteer" in page.content.decode()
    assert not DocumentJob.objects.exists()  # counting starts nothing


def test_bulk_certificates_are_made_on_the_worker_and_downloaded_by_their_owner(
    coordinator_client, coordinator, served, volunteer, django_capture_on_commit_callbacks
):
    job, url, _callbacks = start_certificates(
        coordinator_client, served, django_capture_on_commit_callbacks
    )
    assert url == reverse("portal_document_job", args=[job.pk])
    job.refresh_from_db()
    assert job.status == DocumentJob.Status.DONE and (job.done, job.total) == (1, 1)
    assert job.params["profile_ids"] == [volunteer.pk]  # ids, never names
    cert = Certificate.objects.get()
    assert zip_names(job) == [f"李晓红-{cert.serial}.pdf"]

    page = coordinator_client.get(url).content.decode()
    assert 'role="status"' in page and 'http-equiv="refresh"' not in page
    download = reverse("portal_document_job_file", args=[job.pk])
    assert download in page
    response = coordinator_client.get(download)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content)[:2] == b"PK"
    event = AuditEvent.objects.filter(action__startswith="export").latest("pk")
    assert event.details["job"] == job.pk and event.details["rows"] == 1


def test_the_task_is_enqueued_only_when_the_transaction_commits(
    coordinator_client, served, django_capture_on_commit_callbacks
):
    job, url, callbacks = start_certificates(
        coordinator_client, served, django_capture_on_commit_callbacks, execute=False
    )
    assert len(callbacks) == 1
    job.refresh_from_db()
    assert job.status == DocumentJob.Status.QUEUED and not Certificate.objects.exists()
    page = coordinator_client.get(url).content.decode()
    assert 'http-equiv="refresh"' in page and "0 / 1" in page  # waiting, updating itself
    callbacks[0]()  # the commit
    job.refresh_from_db()
    assert job.status == DocumentJob.Status.DONE


def test_a_task_run_twice_makes_one_result(
    coordinator_client, served, django_capture_on_commit_callbacks
):
    job, _url, _callbacks = start_certificates(
        coordinator_client, served, django_capture_on_commit_callbacks
    )
    RUN.call(job.pk)  # delivered again: the finished job is left alone
    job.refresh_from_db()
    assert job.runs == 1 and Certificate.objects.count() == 1
    assert files_of(job) == ["run-1.zip"]

    # run again on purpose (as after a dead worker): same certificate, one file
    DocumentJob.objects.filter(pk=job.pk).update(status=DocumentJob.Status.FAILED)
    with django_capture_on_commit_callbacks(execute=True):
        assert document_jobs.retry_job(job)
    assert not document_jobs.retry_job(job)  # a double click queues nothing more
    job.refresh_from_db()
    assert job.status == DocumentJob.Status.DONE and job.runs == 2
    assert Certificate.objects.count() == 1
    assert files_of(job) == ["run-2.zip"]


def test_a_job_left_running_by_a_killed_worker_fails_and_can_be_run_again(
    coordinator_client, served, django_capture_on_commit_callbacks
):
    job, url, _callbacks = start_certificates(
        coordinator_client, served, django_capture_on_commit_callbacks, execute=False
    )
    assert document_jobs._claim(job.pk)  # a worker took it ... and was killed
    job.refresh_from_db()
    long_ago = timezone.now() - document_jobs.STALE_AFTER - timedelta(minutes=1)
    DocumentJob.objects.filter(pk=job.pk).update(heartbeat_at=long_ago)

    page = coordinator_client.get(url).content.decode()  # looking is enough to notice
    assert "重新运行" in page or "Run again" in page
    stale = DocumentJob.objects.get(pk=job.pk)
    assert stale.status == DocumentJob.Status.FAILED and stale.error == document_jobs.STALE
    with pytest.raises(document_jobs.JobLost):  # the old run, if it wakes up, stops
        document_jobs.Progress(job)(1)

    with django_capture_on_commit_callbacks(execute=True):
        coordinator_client.post(url)
    stale.refresh_from_db()
    assert stale.status == DocumentJob.Status.DONE and stale.runs == 2
    assert Certificate.objects.count() == 1


def test_a_recent_running_job_is_not_called_stale(served, coordinator):
    job = document_jobs.DocumentJob.objects.create(
        user=coordinator,
        kind="volunteers.certificates",
        params=served,
        status=DocumentJob.Status.RUNNING,
        heartbeat_at=timezone.now() - timedelta(minutes=2),
    )
    assert document_jobs.fail_stale_jobs() == 0
    job.refresh_from_db()
    assert job.status == DocumentJob.Status.RUNNING


def test_a_coordinator_of_another_community_gets_404_for_the_job_and_its_file(
    client, coordinator_client, other_coordinator, community, served, volunteer,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    job, url, _callbacks = start_certificates(
        coordinator_client, served, django_capture_on_commit_callbacks
    )
    file_url = reverse("portal_document_job_file", args=[job.pk])
    client.force_login(other_coordinator)
    assert client.get(url).status_code == 404
    assert client.get(file_url).status_code == 404
    assert client.post(url).status_code == 404
    # staff of the same community see it (every record came from there), but cannot rerun it
    colleague = make_user(roles.COORDINATOR, [community], username="colleague")
    client.force_login(colleague)
    assert client.get(file_url).status_code == 200
    assert client.post(url).status_code == 404


def test_the_worker_leaves_out_whom_the_asker_may_no_longer_see(
    coordinator, served, volunteer, other_community, django_capture_on_commit_callbacks
):
    stranger = VolunteerProfileFactory(community=other_community)
    with django_capture_on_commit_callbacks(execute=True):
        job = document_jobs.start_job(
            user=coordinator,
            kind="volunteers.certificates",
            params={**served, "profile_ids": [volunteer.pk, stranger.pk]},
            total=2,
        )
    job.refresh_from_db()
    assert job.result["ids"] == [Certificate.objects.get(profile=volunteer).pk]
    assert not Certificate.objects.filter(profile=stranger).exists()


def test_a_batch_with_nothing_to_print_fails_with_a_message(
    coordinator, volunteer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = document_jobs.start_job(
            user=coordinator,
            kind="volunteers.certificates",
            params={"start": "2020-01-01", "end": "2020-01-31", "profile_ids": [volunteer.pk]},
            total=1,
        )
    job.refresh_from_db()
    assert job.status == DocumentJob.Status.FAILED and job.error
    assert not job.file


def test_the_party_report_job_makes_a_pdf_per_work_unit_and_a_spreadsheet(
    coordinator_client, community, shift, django_capture_on_commit_callbacks
):
    day = timezone.localtime(shift.start).date().isoformat()
    served = {"start": day, "end": day}
    for name, unit in (("赵党员", "丰台区税务局"), ("钱党员", "北京市第十中学")):
        member = VolunteerProfileFactory(
            community=community, is_party_member=True, work_unit=unit, real_name=name
        )
        signup = services.sign_up(member, shift)
        Attendance.objects.create(
            signup=signup,
            check_in_at=shift.start,
            check_out_at=shift.end,
            status=Attendance.Status.CONFIRMED,  # only confirmed hours are certified
        )
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(
            reverse("volunteers_admin:party_report_job"), {**served, "work_unit": ""}
        )
    job = DocumentJob.objects.get()
    assert response["Location"] == reverse("portal_document_job", args=[job.pk])
    job.refresh_from_db()
    assert job.status == DocumentJob.Status.DONE, job.error
    names = zip_names(job)
    assert len(names) == 3
    assert any(n.startswith("丰台区税务局-") and n.endswith(".pdf") for n in names)
    assert any(n.startswith("北京市第十中学-") and n.endswith(".pdf") for n in names)
    assert sum(n.endswith(".xlsx") for n in names) == 1
    assert job.community_id == community.pk


def test_the_party_report_job_refuses_a_bad_period(coordinator_client):
    response = coordinator_client.post(
        reverse("volunteers_admin:party_report_job"), {"start": "2024-02-01", "end": "2024-01-01"}
    )
    assert response.status_code == 302 and not DocumentJob.objects.exists()


def test_a_volunteer_cannot_start_a_batch(client, volunteer):
    client.force_login(volunteer.user)
    response = client.post(reverse("volunteers_admin:bulk_certificates"), {})
    assert response.status_code in (302, 403)
    assert not DocumentJob.objects.exists()


def test_old_jobs_and_their_files_go_and_so_do_files_of_deleted_accounts(
    coordinator_client, coordinator, served, django_capture_on_commit_callbacks
):
    from portal.retention import apply_retention

    job, _url, _callbacks = start_certificates(
        coordinator_client, served, django_capture_on_commit_callbacks
    )
    orphan = DocumentJob.objects.create(user=coordinator, kind="volunteers.certificates")
    storages["private"].save(f"document-jobs/{orphan.pk}/run-1.zip", io.BytesIO(b"PK"))
    orphan_pk = orphan.pk
    orphan.delete()  # as when its owner's account is deleted
    assert apply_retention()["document_jobs_deleted"] == 0
    assert files_of(job) == ["run-1.zip"]
    assert storages["private"].listdir(f"document-jobs/{orphan_pk}")[1] == []

    later = timezone.now() + document_jobs.KEEP_JOBS_FOR + timedelta(hours=1)
    assert apply_retention(later)["document_jobs_deleted"] == 1
    assert not DocumentJob.objects.exists()
    assert storages["private"].listdir(f"document-jobs/{job.pk}")[1] == []


@pytest.mark.mfa_enforced
def test_the_download_asks_for_reauthentication(client, subdistrict_admin, served, volunteer):
    from tests.factories import add_totp
    from tests.portal.test_mfa import logged_in_with_app

    job = DocumentJob.objects.create(
        user=subdistrict_admin,
        kind="volunteers.certificates",
        status=DocumentJob.Status.DONE,
        file="document-jobs/1/run-1.zip",
        filename="证明.zip",
        result={"model": "volunteers.certificate", "ids": []},
    )
    add_totp(subdistrict_admin)
    logged_in_with_app(client, subdistrict_admin)
    assert client.get(reverse("portal_document_job", args=[job.pk])).status_code == 200
    response = client.get(reverse("portal_document_job_file", args=[job.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/reauthenticate/?next=")


def test_the_shift_page_leads_to_its_volunteers_certificates(
    coordinator_client, served, shift, other_shift
):
    people = coordinator_client.get(reverse("volunteers_admin:shift_people", args=[shift.pk]))
    url = reverse("volunteers_admin:bulk_certificates")
    assert f"{url}?shift={shift.pk}" in people.content.decode()
    page = coordinator_client.get(url, {**served, "shift": shift.pk})
    assert page.context["count"] == 1
    # another community's shift is no choice at all
    page = coordinator_client.get(url, {**served, "shift": other_shift.pk})
    assert page.context["count"] is None and "shift" in page.context["form"].errors
