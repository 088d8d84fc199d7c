"""The warehouse dashboard's list of the communities' requests still to allocate: oldest first,
what was asked and what is allocated, each linking to its allocation form; scoped like the rest
of the dashboard."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from donations import services
from donations.dashboard import open_requests
from donations.models import SupplyRequest

pytestmark = pytest.mark.django_db


def _request(community, item, quantity, coordinator, days_ago):
    request = services.request_supplies(community, [(item, quantity)], purpose="卡口", user=coordinator)  # fmt: skip
    SupplyRequest.objects.filter(pk=request.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=days_ago)
    )
    return request.lines.get()


@pytest.fixture
def requests(stocked, community, other_community, coordinator, other_coordinator, masks, disinfectant, warehouse_keeper):  # fmt: skip
    newer = _request(community, masks, 500, coordinator, days_ago=1)
    older = _request(other_community, disinfectant, 50, other_coordinator, days_ago=3)
    done = _request(community, disinfectant, 10, coordinator, days_ago=5)
    services.allocate(done, user=warehouse_keeper)
    services.allocate(newer, 200, user=warehouse_keeper)
    return {"newer": newer, "older": older, "done": done}


def test_open_lines_come_oldest_first_with_what_is_allocated(requests, warehouse_keeper):
    lines = open_requests(warehouse_keeper)["lines"]
    assert [line.pk for line in lines] == [requests["older"].pk, requests["newer"].pk]
    assert [(line.quantity, line.allocated, line.open) for line in lines] == [(50, 0, 50), (500, 200, 300)]  # fmt: skip


def test_a_released_allocation_opens_the_line_again(requests, warehouse_keeper):
    for allocation in requests["done"].allocations.all():
        services.release_allocation(allocation, user=warehouse_keeper, reason="改派")
    lines = open_requests(warehouse_keeper)["lines"]
    assert lines[0].pk == requests["done"].pk and lines[0].allocated == 0


def test_a_coordinator_sees_only_her_communitys_requests(requests, coordinator):
    assert [line.pk for line in open_requests(coordinator)["lines"]] == [requests["newer"].pk]


def test_the_dashboard_links_each_line_to_its_allocation_form_pre_filled(
    client, requests, warehouse_keeper, coordinator, other_community
):
    newer = requests["newer"]
    client.force_login(warehouse_keeper)
    with translation.override("zh-hans"):
        page = client.get(reverse("wagtailadmin_home")).content.decode()
    panel = page[page.index('id="open-requests"') :]
    assert "待分配的物资申领" in panel
    assert panel.index(other_community.name) < panel.index("医用外科口罩")  # oldest first
    link = reverse("donations_admin:request", args=[newer.request_id]) + f"#line-{newer.pk}"
    assert f'href="{link}"' in panel
    assert "申领 500 只，已分配 200" in panel
    form = client.get(link.split("#")[0]).content.decode()
    row = form[form.index(f'id="line-{newer.pk}"') :]
    assert 'value="300"' in row[: row.index("</section>")]

    client.force_login(coordinator)
    with translation.override("zh-hans"):
        page = client.get(reverse("wagtailadmin_home")).content.decode()
    panel = page[page.index('id="open-requests"') :]
    assert other_community.name not in panel and "医用外科口罩" in panel


def test_the_dispatch_button_shows_only_while_something_allocated_has_not_left(
    client, requests, warehouse_keeper
):
    done = requests["done"]
    url = reverse("donations_admin:request", args=[done.request_id])
    client.force_login(warehouse_keeper)
    with translation.override("zh-hans"):
        assert "勾选的分配出库" in client.get(url).content.decode()
        services.dispatch(list(done.allocations.all()), user=warehouse_keeper)
        page = client.get(url).content.decode()
    assert "勾选的分配出库" not in page and 'name="allocation"' not in page
