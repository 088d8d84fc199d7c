"""Issue 12, point 8: a coordinator of one community has it chosen already; the dispatch note's
QR code opens the confirm-receipt screen, for the receiving community's staff only."""

import io
import re

import pdfplumber
import pytest
from django.urls import reverse

from donations import services

pytestmark = pytest.mark.django_db


def _selected_options(html, name):
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.findall(r"<option[^>]*>[^<]*</option>", select)


def test_a_coordinator_of_one_community_has_it_chosen(client, coordinator, community, warehouse):
    from donations.models import Location

    Location.objects.create(name="民岳家园物资点", kind="community", community=community)
    client.force_login(coordinator)
    for url in (reverse("donations_admin:request_create"), reverse("donations_admin:distribute")):
        html = client.get(url).content.decode()
        options = _selected_options(html, "community")
        assert len(options) == 1 and "selected" in options[0] and community.name in options[0]
    options = _selected_options(
        client.get(reverse("donations_admin:distribute")).content.decode(), "location"
    )
    assert len(options) == 1 and "selected" in options[0]


@pytest.fixture
def note(stocked, community, coordinator, warehouse_keeper, masks):
    request = services.request_supplies(
        community, [(masks, 50)], purpose="卡口", urgency="urgent", user=coordinator
    )
    return services.dispatch(
        services.allocate(request.lines.get(), user=warehouse_keeper), user=warehouse_keeper
    )


def test_the_dispatch_note_carries_the_confirm_receipt_link(client, coordinator, note):
    client.force_login(coordinator)
    pdf = client.get(reverse("donations_admin:dispatch_pdf", args=[note.pk]))
    with pdfplumber.open(io.BytesIO(pdf.content)) as doc:
        text = "".join(page.extract_text() for page in doc.pages)
    assert "出库单" in text and "Dispatch note" not in text
    assert reverse("donations_admin:confirm_receipt", args=[note.pk]) in text.replace("\n", "")
    assert "扫描此二维码确认收货" in text


def test_only_the_receiving_communitys_staff_confirm(
    client, note, coordinator, other_coordinator, warehouse_keeper, subdistrict_admin
):
    url = reverse("donations_admin:confirm_receipt", args=[note.pk])
    client.force_login(other_coordinator)
    assert client.get(url).status_code == 404
    for outsider in (warehouse_keeper, subdistrict_admin):
        client.force_login(outsider)
        for response in (client.get(url), client.post(url, {})):
            # 403, or Wagtail's refusal: back to the dashboard with "no permission"
            assert response.status_code == 403 or response["Location"] == "/admin/"
    client.force_login(coordinator)
    assert client.get(url).status_code == 200
    assert not note.__class__.objects.get(pk=note.pk).status == "received"
