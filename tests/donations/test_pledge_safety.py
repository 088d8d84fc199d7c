"""Pledges against abuse (issue 10, point 7): photos decode to a bounded number of pixels, live
in private storage under random names and are served only to who may see the pledge, and a
pledge form posted twice makes one pledge."""

import re
import struct
import zlib
from pathlib import Path

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from PIL import Image

from donations import services
from donations.models import Pledge, PledgeLine
from portal import roles
from tests.donations.test_views import _lines, _png
from tests.factories import make_user
from tests.threads import errors_of, run_at_once


def _chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bomb_png(width, height, *, with_data=True):
    """A small, valid 1-bit PNG that decodes to width x height pixels."""
    header = _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
    body = b""
    if with_data:
        row = b"\x00" * (1 + (width + 7) // 8)
        compressor = zlib.compressobj(9)
        data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
        body = _chunk(b"IDAT", data)
    return b"\x89PNG\r\n\x1a\n" + header + body + _chunk(b"IEND", b"")


def post_pledge(client, donor, item, **extra):
    data = _lines(rows=[{"item": item.pk, "quantity": "10", **extra.pop("line", {})}])
    data.update(extra)
    return client.post(reverse("donations:pledge_new", args=[donor.pk]), data)


# --- The pixel cap ---------------------------------------------------------------------------


def test_pillow_refuses_images_beyond_the_portals_cap(settings):
    assert settings.IMAGE_MAX_PIXELS == 40_000_000
    assert Image.MAX_IMAGE_PIXELS == settings.IMAGE_MAX_PIXELS
    assert settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS == settings.IMAGE_MAX_PIXELS


@pytest.mark.parametrize(
    ("width", "height", "with_data"),
    [(8000, 6500, True), (20000, 20000, False)],  # 52 M pixels (under Pillow's own cap); 400 M
)
def test_a_pledge_photo_with_too_many_pixels_gets_a_clear_message(
    client, donor_user, donor, masks, width, height, with_data
):
    client.force_login(donor_user)
    photo = SimpleUploadedFile(
        "bomb.png", bomb_png(width, height, with_data=with_data), content_type="image/png"
    )
    assert photo.size < 100_000
    response = post_pledge(client, donor, masks, line={"photo": photo})
    assert response.status_code == 200
    assert "像素过多" in response.content.decode()
    assert not Pledge.objects.exists()


def test_a_wagtail_image_with_too_many_pixels_is_refused(client, admin_user):
    from wagtail.images import get_image_model

    client.force_login(admin_user)
    photo = SimpleUploadedFile("poster.png", bomb_png(8000, 6500), content_type="image/png")
    response = client.post("/admin/images/add/", {"title": "海报", "file": photo})
    assert response.status_code == 200
    assert not get_image_model().objects.exists()


# --- Private photos --------------------------------------------------------------------------


@pytest.fixture
def photographed(client, donor_user, donor, masks):
    client.force_login(donor_user)
    photo = SimpleUploadedFile("张三-身份证.png", _png(), content_type="image/png")
    response = post_pledge(client, donor, masks, line={"photo": photo})
    assert response.status_code == 302
    client.logout()
    return PledgeLine.objects.get()


def test_pledge_photos_are_private_files_with_random_names(photographed):
    name = photographed.photo.name
    assert re.fullmatch(r"pledges/\d{4}/\d{2}/[0-9a-f]{32}\.png", name), name
    assert photographed.photo.storage is storages["private"]
    assert storages["private"].exists(name)
    assert not storages["default"].exists(name)


def test_private_storage_is_outside_media_and_has_no_url(tmp_path):
    from django.conf import settings
    from django.core.files.storage.handler import StorageHandler

    from portal.settings import base

    config = base.STORAGES["private"]
    assert not Path(config["OPTIONS"]["location"]).is_relative_to(settings.MEDIA_ROOT)
    storage = StorageHandler({"private": {**config, "OPTIONS": {"location": tmp_path}}})["private"]
    with pytest.raises(ValueError):
        storage.url("pledges/2026/12/photo.png")


def test_a_pledge_photo_is_served_only_to_who_may_see_the_pledge(
    client, photographed, donor_user, other_donor_user, warehouse_keeper, coordinator
):
    url = reverse("donations:pledge_photo", args=[photographed.pk])
    assert client.get(url).status_code == 302  # to the log-in page
    for user in (other_donor_user, coordinator):
        client.force_login(user)
        assert client.get(url).status_code == 404, user
    for user in (donor_user, warehouse_keeper):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, user
        assert response["Content-Type"] == "image/png"
        assert b"".join(response.streaming_content) == _png()
        assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    client.force_login(donor_user)
    detail = client.get(reverse("donations:pledge", args=[photographed.pledge_id]))
    assert url in detail.content.decode()


# --- One pledge per form ---------------------------------------------------------------------


def form_key(client, donor):
    html = client.get(reverse("donations:pledge_new", args=[donor.pk])).content.decode()
    return re.search(r'name="submission_key" value="([^"]+)"', html).group(1)


def test_a_pledge_form_posted_twice_makes_one_pledge(client, donor_user, donor, masks):
    client.force_login(donor_user)
    key = form_key(client, donor)
    assert key != form_key(client, donor)  # a new key for every form shown
    first = post_pledge(client, donor, masks, submission_key=key)
    second = post_pledge(client, donor, masks, submission_key=key)  # back, and submit again
    pledge = Pledge.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == reverse("donations:pledge", args=[pledge.pk])
    assert pledge.lines.count() == 1
    # A new form is a new pledge.
    post_pledge(client, donor, masks, submission_key=form_key(client, donor))
    assert Pledge.objects.count() == 2


def test_a_form_key_of_another_donors_pledge_leads_nowhere(
    client, donor_user, other_donor_user, donor, other_donor, masks
):
    client.force_login(donor_user)
    key = form_key(client, donor)
    post_pledge(client, donor, masks, submission_key=key)
    client.force_login(other_donor_user)
    response = post_pledge(client, other_donor, masks, submission_key=key)
    assert response.status_code == 200
    assert Pledge.objects.count() == 1


def test_the_walk_in_pledge_form_is_one_pledge_per_form_too(client, warehouse_keeper, donor, masks):
    client.force_login(warehouse_keeper)
    url = reverse("donations_admin:pledge_create")
    key = re.search(
        r'name="submission_key" value="([^"]+)"', client.get(url).content.decode()
    ).group(1)
    data = _lines(rows=[{"item": masks.pk, "quantity": "10"}])
    data.update(donor=donor.pk, submission_key=key)
    client.post(url, data)
    client.post(url, data)
    assert Pledge.objects.filter(walk_in=True).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_racing_posts_of_one_form_make_one_pledge(donor, masks):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    user = make_user(roles.DONOR_REP, username="racer")

    def submit():
        lines = [{"item": masks, "quantity": 10}]
        return services.pledge(donor, lines, user=user, submission_key="k" * 32).pk

    results = run_at_once([submit] * 4)
    assert errors_of(results) == []
    assert len({made for _kind, made in results}) == 1 and Pledge.objects.count() == 1


def test_a_pledge_spreadsheet_posted_twice_makes_one_pledge(client, donor_user, donor, masks):
    client.force_login(donor_user)
    url = reverse("donations:pledge_upload", args=[donor.pk])
    key = re.search(
        r'name="submission_key" value="([^"]+)"', client.get(url).content.decode()
    ).group(1)
    sheet = "物资名称,数量\n医用外科口罩,100\n"
    for _ in range(2):
        response = client.post(
            url,
            {
                "file": SimpleUploadedFile("p.csv", sheet.encode("utf-8-sig")),
                "submission_key": key,
            },
        )
        assert response.status_code == 302
    pledge = Pledge.objects.get()
    assert response["Location"] == reverse("donations:pledge", args=[pledge.pk])
    assert pledge.lines.count() == 1
