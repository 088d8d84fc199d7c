"""/favicon.ico, which every browser asks for, is the site's icon served without a query (it
used to be the whole 404 page, menu read from the database, for each new visitor), and pages
name their own icon."""

import io

from PIL import Image


def test_the_icon_is_served_from_memory_with_a_long_cache(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert "public" in response["Cache-Control"] and "max-age=86400" in response["Cache-Control"]
    icon = Image.open(io.BytesIO(response.content))
    assert icon.format == "ICO" and icon.size[0] >= 16


def test_pages_name_their_icon(client, db):
    html = client.get("/accounts/login/").content.decode()
    assert '<link rel="icon" href="/static/portal/favicon.svg" type="image/svg+xml">' in html
    from django.contrib.staticfiles import finders

    assert finders.find("portal/favicon.svg")
