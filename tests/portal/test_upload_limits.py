"""The back office's imports (portal.importexport) refuse files with more rows than staff may
import at once (IMPORT_MAX_ROWS_STAFF) before parsing them, and files that unpack too large."""

import io
import zipfile

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from portal.importexport import ImportFileError, read_dataset
from portal.models import Compound
from portal.resources import CompoundResource

HEADERS = ["社区", "小区", "地址", "户数"]


def rows(n):
    return [["民岳家园社区", f"小区{i}", "", 10] for i in range(n)]


@pytest.fixture
def admin_client(client, subdistrict_admin):
    client.force_login(subdistrict_admin)
    return client


@override_settings(IMPORT_MAX_ROWS_STAFF=3)
@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_a_staff_upload_over_the_row_cap_is_refused_on_the_form(
    admin_client, community, file_format
):
    content = tablib.Dataset(*rows(4), headers=HEADERS).export(file_format)
    content = content.encode("utf-8-sig") if isinstance(content, str) else content
    response = admin_client.post(
        reverse("compounds:import"), {"file": SimpleUploadedFile(f"c.{file_format}", content)}
    )
    assert response.status_code == 200
    assert "行数超过" in response.content.decode()
    assert not Compound.objects.exists()
    # Empty rows at the end (formatted but blank) do not count.
    content = tablib.Dataset(*rows(3), *[["", "", "", ""]] * 50, headers=HEADERS).export("xlsx")
    assert len(read_dataset(content, "xlsx", CompoundResource())) == 3


@override_settings(IMPORT_MAX_UNCOMPRESSED_BYTES=1024 * 1024)
def test_read_dataset_refuses_an_xlsx_that_unpacks_too_large(db):
    buffer = io.BytesIO(tablib.Dataset(*rows(1), headers=HEADERS).export("xlsx"))
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", b"\0" * (2 * 1024 * 1024))
    with pytest.raises(ImportFileError, match="解压后太大"):
        read_dataset(buffer.getvalue(), "xlsx", CompoundResource())
    with pytest.raises(ImportFileError):  # not a zip at all: unreadable, not a server error
        read_dataset(b"PK\x03\x04 not really a zip", "xlsx", CompoundResource())
