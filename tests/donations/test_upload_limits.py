"""A donor's spreadsheet cannot become a pledge of 20,000 lines: the file is refused before it
is parsed when it unpacks too large or has more rows than a donor may upload, and the pledge
service itself refuses more lines or larger quantities than the portal holds, whatever the route."""

import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from donations import services
from donations.models import Pledge, PledgeLine
from portal.bounds import MAX_QUANTITY

HEADERS = ["物资名称", "数量", "批号", "有效期至"]
TOO_MANY_ROWS = "行数超过"
TOO_LARGE = "解压后太大"


def xlsx_of(rows):
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, donor, name, content):
    return client.post(
        reverse("donations:pledge_upload", args=[donor.pk]),
        {"file": SimpleUploadedFile(name, content)},
    )


@pytest.fixture
def donor_client(client, donor_user):
    client.force_login(donor_user)
    return client


def test_a_small_xlsx_of_twenty_thousand_rows_is_refused_before_parsing(donor_client, donor, masks):
    content = xlsx_of([[masks.name, 1, "", ""]] * 20_000)
    assert len(content) < 1_000_000  # well under the 5 MB upload limit
    response = upload(donor_client, donor, "many.xlsx", content)
    assert response.status_code == 200
    html = response.content.decode()
    assert TOO_MANY_ROWS in html and "200" in html
    assert not Pledge.objects.exists() and not PledgeLine.objects.exists()


@override_settings(IMPORT_MAX_ROWS_PUBLIC=5)
def test_the_row_cap_counts_csv_rows_and_lets_the_cap_itself_through(donor_client, donor, masks):
    def csv_of(n):
        return ("\n".join([",".join(HEADERS)] + [f"{masks.name},10,,"] * n)).encode("utf-8-sig")

    response = upload(donor_client, donor, "six.csv", csv_of(6))
    assert response.status_code == 200 and TOO_MANY_ROWS in response.content.decode()
    assert not Pledge.objects.exists()
    response = upload(donor_client, donor, "five.csv", csv_of(5))
    assert response.status_code == 302
    assert Pledge.objects.get().lines.count() == 5


@override_settings(IMPORT_MAX_UNCOMPRESSED_BYTES=1024 * 1024)
def test_an_xlsx_that_unpacks_too_large_is_refused_unopened(donor_client, donor, masks):
    buffer = io.BytesIO(xlsx_of([[masks.name, 1, "", ""]]))
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", b"\0" * (3 * 1024 * 1024))
    content = buffer.getvalue()
    assert len(content) < 100_000
    response = upload(donor_client, donor, "bomb.xlsx", content)
    assert response.status_code == 200
    assert TOO_LARGE in response.content.decode()
    assert not Pledge.objects.exists()


def test_a_quantity_beyond_the_maximum_is_a_row_error(donor_client, donor, masks):
    content = f"物资名称,数量\n{masks.name},{2**31}\n".encode("utf-8-sig")
    response = upload(donor_client, donor, "big.csv", content)
    assert response.status_code == 200
    assert "1,000,000" in response.content.decode()
    assert not Pledge.objects.exists()


@override_settings(DONATIONS_PLEDGE_MAX_LINES=3)
def test_the_pledge_service_refuses_more_lines_than_the_cap(donor, masks, donor_user):
    lines = [{"item": masks, "quantity": 1}] * 4
    with pytest.raises(services.StockError, match="3"):
        services.pledge(donor, lines, user=donor_user)
    assert not Pledge.objects.exists()
    services.pledge(donor, lines[:3], user=donor_user)
    assert PledgeLine.objects.count() == 3


def test_the_pledge_service_refuses_a_quantity_beyond_the_maximum(donor, masks, donor_user):
    with pytest.raises(services.StockError):
        services.pledge(donor, [{"item": masks, "quantity": MAX_QUANTITY + 1}], user=donor_user)
    assert not Pledge.objects.exists()
