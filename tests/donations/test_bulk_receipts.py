"""Many donation receipts at once, printed on the task worker (donations/jobs.py)."""

import io
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.models import DocumentJob

pytestmark = pytest.mark.django_db


def test_the_warehouse_prints_the_receipts_of_a_period_as_one_zip(
    client, warehouse_keeper, stocked, coordinator, django_capture_on_commit_callbacks
):
    receipt = stocked["receipt"]
    today = timezone.localdate().isoformat()
    url = reverse("donations_admin:bulk_receipts")
    client.force_login(warehouse_keeper)
    page = client.get(url, {"start": today, "end": today}).content.decode()
    assert 'role="status"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"start": today, "end": today, "pledge": [receipt.pledge_id]})
    job = DocumentJob.objects.get()
    assert response["Location"] == reverse("portal_document_job", args=[job.pk])
    job.refresh_from_db()
    assert job.status == DocumentJob.Status.DONE, job.error
    assert job.params == {"receipt_ids": [receipt.pk], "pledge_ids": [receipt.pledge_id]}
    assert job.community_id is None  # receipts are of no community: only the owner fetches it
    with job.file.open("rb") as handle:
        names = zipfile.ZipFile(io.BytesIO(handle.read())).namelist()
    assert names == [f"捐赠接收凭证-{receipt.serial}.pdf"]
    assert client.get(reverse("portal_document_job_file", args=[job.pk])).status_code == 200

    client.force_login(coordinator)  # no receipts in a coordinator's reach
    assert client.get(reverse("portal_document_job_file", args=[job.pk])).status_code == 404


def test_a_period_without_receipts_starts_nothing(client, warehouse_keeper, stocked):
    client.force_login(warehouse_keeper)
    response = client.post(
        reverse("donations_admin:bulk_receipts"), {"start": "2020-01-01", "end": "2020-01-31"}
    )
    assert response.status_code == 200 and not DocumentJob.objects.exists()
    assert "help-critical" in response.content.decode()
