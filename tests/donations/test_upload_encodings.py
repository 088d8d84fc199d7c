"""Every spreadsheet upload goes through one reader (portal.importexport): a donor's pledge
upload and the back office's pledge import read the same files the same way, CSV in UTF-8 with
or without BOM or in GB18030 (what Chinese Excel and WPS save), and xlsx; and they report a
bad file the same way, naming the row and the reason and writing nothing."""

import csv
import io

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from donations.models import Item, Pledge

HEADERS = ["物资名称", "数量", "批号", "有效期至"]


def csv_bytes(headers, rows, encoding):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


@pytest.fixture
def rare_item(db):
    # 𠮷 is outside GBK: only GB18030 (four bytes) encodes it.
    return Item.objects.create(name="𠮷祥牌酒精棉片", category=Item.Category.OTHER, unit="盒")


@pytest.fixture
def donor_client(client, donor_user):
    client.force_login(donor_user)
    return client


def donor_upload(client, donor, name, content):
    return client.post(
        reverse("donations:pledge_upload", args=[donor.pk]),
        {"file": SimpleUploadedFile(name, content)},
    )


def pledged(donor):
    pledge = Pledge.objects.get(donor=donor)
    return sorted((line.item.name, line.quantity) for line in pledge.lines.all())


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig", "utf-8"])
def test_a_donors_csv_in_each_encoding_becomes_the_pledge(
    donor_client, donor, masks, rare_item, encoding
):
    rows = [[masks.name, 100, "A1", ""], [rare_item.name, 20, "", ""]]
    response = donor_upload(donor_client, donor, "捐赠.csv", csv_bytes(HEADERS, rows, encoding))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert pledged(donor) == sorted([(masks.name, 100), (rare_item.name, 20)])


def test_a_donors_xlsx_becomes_the_pledge(donor_client, donor, masks, rare_item):
    content = tablib.Dataset(
        [masks.name, 100, "A1", ""], [rare_item.name, 20, "", ""], headers=HEADERS
    ).export("xlsx")
    response = donor_upload(donor_client, donor, "捐赠.xlsx", content)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert pledged(donor) == sorted([(masks.name, 100), (rare_item.name, 20)])


def test_an_xlsx_saved_with_a_csv_name_is_still_read(donor_client, donor, masks):
    content = tablib.Dataset([masks.name, 100, "", ""], headers=HEADERS).export("xlsx")
    response = donor_upload(donor_client, donor, "捐赠.csv", content)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert pledged(donor) == [(masks.name, 100)]


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig"])
def test_the_back_offices_pledge_import_reads_the_same_csv(
    client, warehouse_keeper, donor, masks, rare_item, encoding
):
    client.force_login(warehouse_keeper)
    rows = [[donor.name, masks.name, 100, "A1", ""], [donor.name, rare_item.name, 20, "", ""]]
    content = csv_bytes(["捐赠方", *HEADERS], rows, encoding)
    response = client.post(
        reverse("donations_pledges:import"),
        {"file": SimpleUploadedFile("捐赠.csv", content)},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    preview = client.get(response["Location"])
    assert rare_item.name in preview.content.decode()
    client.post(response["Location"])
    assert pledged(donor) == sorted([(masks.name, 100), (rare_item.name, 20)])


def test_a_donor_sees_the_same_problems_as_the_back_office(donor_client, donor, masks):
    response = donor_upload(
        donor_client, donor, "p.csv", csv_bytes(["名字"], [["口罩"]], "gb18030")
    )
    assert response.status_code == 200
    assert "文件缺少列：物资名称、数量" in response.content.decode()
    rows = [[masks.name, 10, "", ""], ["没有这个物资", 5, "", ""], [masks.name, "-1", "", ""]]
    response = donor_upload(donor_client, donor, "p.csv", csv_bytes(HEADERS, rows, "gb18030"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "第 3 行 · 物资名称" in html and "第 4 行 · 数量" in html
    assert not Pledge.objects.exists()
