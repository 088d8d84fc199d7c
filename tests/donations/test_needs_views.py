"""Needs (issue 15.3) through the client: the public page (phone-first, bars with words, no
donor named, cached and made fresh by a pledge), pledging from a need, and the back office
(coordinators write and submit their community's needs, the subdistrict approves or rejects)."""

import io
import re

import pdfplumber
import pytest
from django.urls import reverse

from content.cache import content_version
from donations import services
from donations.models import Need, PledgeLine
from tests.donations.conftest import in_days


def _pdf_text(content):
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        return "".join(page.extract_text() or "" for page in pdf.pages)


@pytest.fixture
def published(community, subdistrict_admin, masks):
    def make(quantity=1000, urgency=Need.Urgency.URGENT, community=community, item=None):
        need = services.create_need(
            subdistrict_admin,
            community=community,
            item=item or masks,
            quantity=quantity,
            urgency=urgency,
            needed_by=in_days(5),
            purpose="卡口值守",
        )
        services.submit_need(need, subdistrict_admin)
        return services.approve_need(need, subdistrict_admin)

    return make


# The public page ------------------------------------------------------------------------------


def test_the_page_lists_published_needs_with_bars_and_words(
    client, published, donor, other_donor, warehouse, warehouse_keeper, disinfectant
):
    masks_need = published(quantity=1000, urgency=Need.Urgency.NORMAL)
    bottles = published(quantity=200, urgency=Need.Urgency.CRITICAL, item=disinfectant)
    pledge = services.pledge(
        other_donor, [{"item": masks_need.item, "quantity": 600}], need=masks_need
    )
    services.receive(
        pledge,
        warehouse,
        [{"pledge_line": pledge.lines.get(), "accepted": 400}],
        user=warehouse_keeper,
    )
    response = client.get(reverse("donations:needs"))
    assert response.status_code == 200
    html = response.content.decode()
    # most urgent first
    assert html.index(f'id="need-{bottles.pk}"') < html.index(f'id="need-{masks_need.pk}"')
    assert (
        f'<progress max="1000" value="400" aria-labelledby="need-{masks_need.pk}-received">' in html
    )
    assert "已到货 400 / 1,000 只" in html or "已到货 400 / 1000 只" in html
    assert "600" in html  # pledged
    assert reverse("donations:need_pledge", args=[masks_need.pk]) in html
    assert 'name="viewport"' in html  # the site's phone layout
    # no donor is named on the page, whether it agreed to be named or not
    assert other_donor.name not in html and donor.name not in html


def test_drafts_waiting_and_rejected_needs_are_not_public(
    client, coordinator, subdistrict_admin, community, masks
):
    draft = services.create_need(
        coordinator, community=community, item=masks, quantity=7, needed_by=in_days(2)
    )
    waiting = services.submit_need(
        services.create_need(
            coordinator, community=community, item=masks, quantity=8, needed_by=in_days(2)
        ),
        coordinator,
    )
    html = client.get(reverse("donations:needs")).content.decode()
    assert f"need-{draft.pk}" not in html and f"need-{waiting.pk}" not in html
    assert "目前暂无物资需求" in html


def test_the_page_links_to_the_community_section(client, published, community):
    from content.models import CommunityIndexPage, CommunitySectionPage
    from portal import demo

    home = demo.load_site()
    index = home.add_child(instance=CommunityIndexPage(title="社区", slug="communities"))
    section = index.add_child(
        instance=CommunitySectionPage(title=community.name, slug="minyue", community=community)
    )
    published()
    html = client.get(reverse("donations:needs")).content.decode()
    assert f'href="{section.url}"' in html


def test_the_page_is_cached_and_a_pledge_or_its_cancelling_makes_it_fresh(
    client, settings, published, donor, warehouse_keeper, django_capture_on_commit_callbacks
):
    settings.PAGE_CACHE_ENABLED = True
    need = published(quantity=1000)
    url = reverse("donations:needs")
    content_version()  # set as by the first page ever rendered
    assert client.get(url)["X-Page-Cache"] == "miss"
    assert client.get(url)["X-Page-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        pledge = services.pledge(donor, [{"item": need.item, "quantity": 321}], need=need)
    fresh = client.get(url)
    assert fresh["X-Page-Cache"] == "miss"
    assert "已认捐 321 只" in fresh.content.decode()
    assert client.get(url)["X-Page-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_pledge(pledge, user=warehouse_keeper, reason="改期")
    fresh = client.get(url)
    assert fresh["X-Page-Cache"] == "miss" and "已认捐 0 只" in fresh.content.decode()


def test_other_pages_stay_cached_when_a_need_changes(
    client, settings, published, django_capture_on_commit_callbacks
):
    settings.PAGE_CACHE_ENABLED = True
    content_version()  # set as by the first page ever rendered
    board = reverse("donations:board")
    client.get(board)
    assert client.get(board)["X-Page-Cache"] == "hit"
    needs = reverse("donations:needs")
    assert client.get(needs)["X-Page-Cache"] == "miss"
    assert client.get(needs)["X-Page-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        published()
    assert client.get(board)["X-Page-Cache"] == "hit"  # only the needs page went stale
    assert client.get(needs)["X-Page-Cache"] == "miss"


def test_the_page_is_linked_from_the_donations_start_page_and_the_board(client, db):
    url = reverse("donations:needs")
    assert url in client.get(reverse("donations:index")).content.decode()
    assert url in client.get(reverse("donations:board")).content.decode()


# Pledging from a need -------------------------------------------------------------------------


def test_a_visitor_is_asked_to_sign_in_first(client, published):
    need = published()
    response = client.get(reverse("donations:need_pledge", args=[need.pk]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_form_from_a_need_has_the_item_and_what_is_missing(
    client, published, donor, donor_user
):
    need = published(quantity=800)
    client.force_login(donor_user)
    response = client.get(reverse("donations:need_pledge", args=[need.pk]))
    form_url = f"{reverse('donations:pledge_new', args=[donor.pk])}?need={need.pk}"
    assert response["Location"] == form_url
    html = client.get(form_url).content.decode()
    assert re.search(rf'<option value="{need.item.pk}" selected>', html)
    assert 'name="lines-0-quantity" value="800"' in html
    assert f'name="need" value="{need.pk}"' in html


def _post_pledge(client, donor, need, quantity):
    return client.post(
        f"{reverse('donations:pledge_new', args=[donor.pk])}?need={need.pk}",
        {
            "need": need.pk,
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "0",
            "lines-0-item": need.item.pk,
            "lines-0-quantity": str(quantity),
        },
        follow=True,
    )


def test_a_pledge_from_a_need_carries_it_and_over_pledging_is_said(
    client, published, donor, donor_user
):
    need = published(quantity=100)
    client.force_login(donor_user)
    response = _post_pledge(client, donor, need, 130)
    line = PledgeLine.objects.get()
    assert line.need == need
    html = response.content.decode()
    assert "比该需求仍缺的多 30 只" in html  # allowed, but said
    assert f"用于{need.community.name}的物资需求" in html  # the pledge page names the need


def test_no_pledge_against_a_closed_need(client, published, donor, donor_user, subdistrict_admin):
    need = services.close_need(published(), subdistrict_admin, "已调配")
    client.force_login(donor_user)
    response = client.get(reverse("donations:need_pledge", args=[need.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("donations:needs")
    assert "该需求已关闭，不再接受认捐。" in response.content.decode()
    response = _post_pledge(client, donor, need, 10)
    assert not PledgeLine.objects.exists()


def test_the_public_trace_and_receipt_name_the_need(
    client, published, donor, donor_user, warehouse, warehouse_keeper
):
    from donations import sharing

    need = published(quantity=50)
    pledge = services.pledge(donor, [{"item": need.item, "quantity": 50}], need=need)
    receipt = services.receive(
        pledge,
        warehouse,
        [{"pledge_line": pledge.lines.get(), "accepted": 50}],
        user=warehouse_keeper,
    )
    html = client.get(sharing.shared_url(pledge).split("testserver")[-1]).content.decode()
    assert need.community.name in html
    client.force_login(donor_user)
    for name in ("receipt_pdf", "thank_you_pdf"):
        text = _pdf_text(client.get(reverse(f"donations:{name}", args=[receipt.pk])).content)
        assert need.community.name in text, name


# The back office ------------------------------------------------------------------------------


def test_a_coordinator_writes_and_submits_a_need_of_their_community(
    client, coordinator, community, other_community, masks
):
    client.force_login(coordinator)
    url = reverse("donations_needs:add")
    data = {"item": masks.pk, "quantity": 300, "urgency": 1, "needed_by": in_days(3).isoformat()}
    client.post(url, {**data, "community": other_community.pk})
    assert not Need.objects.exists()
    client.post(url, {**data, "community": community.pk})
    need = Need.objects.get()
    assert need.community == community and need.status == Need.Status.DRAFT
    client.post(reverse("donations_admin:need_action", args=[need.pk, "submit"]))
    need.refresh_from_db()
    assert need.status == Need.Status.SUBMITTED
    # a coordinator does not approve
    response = client.post(reverse("donations_admin:need_action", args=[need.pk, "approve"]))
    assert response.status_code == 404
    need.refresh_from_db()
    assert need.status == Need.Status.SUBMITTED


def test_a_coordinator_sees_only_their_communitys_needs(
    client, coordinator, published, other_community
):
    mine = published()
    theirs = published(community=other_community)
    client.force_login(coordinator)
    html = client.get(reverse("donations_needs:index")).content.decode()
    assert reverse("donations_needs:edit", args=[mine.pk]) in html
    assert reverse("donations_needs:edit", args=[theirs.pk]) not in html
    assert client.get(reverse("donations_needs:edit", args=[theirs.pk])).status_code == 404
    url = reverse("donations_admin:need_action", args=[theirs.pk, "close"])
    assert client.post(url, {"reason": "x"}).status_code == 404


def test_the_subdistrict_rejects_with_a_reason_and_approves(
    client, subdistrict_admin, coordinator, community, masks
):
    need = services.submit_need(
        services.create_need(
            coordinator, community=community, item=masks, quantity=5, needed_by=in_days(2)
        ),
        coordinator,
    )
    client.force_login(subdistrict_admin)
    url = reverse("donations_admin:need_action", args=[need.pk, "reject"])
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200
    need.refresh_from_db()
    assert need.status == Need.Status.SUBMITTED
    client.post(url, {"reason": "请写明用途"})
    need.refresh_from_db()
    assert need.status == Need.Status.REJECTED and need.decision_reason == "请写明用途"
    assert need.decided_by == subdistrict_admin
    services.submit_need(need, coordinator)
    client.post(reverse("donations_admin:need_action", args=[need.pk, "approve"]))
    need.refresh_from_db()
    assert need.status == Need.Status.APPROVED


def test_the_page_shows_a_screenful_at_a_time_most_urgent_first(client, published):
    needs = [published(urgency=Need.Urgency.NORMAL) for _n in range(20)]
    critical = published(urgency=Need.Urgency.CRITICAL)
    first = client.get(reverse("donations:needs")).content.decode()
    assert f'id="need-{critical.pk}"' in first
    assert f'id="need-{needs[-1].pk}"' not in first and "?page=2" in first
    second = client.get(reverse("donations:needs") + "?page=2").content.decode()
    assert f'id="need-{needs[-1].pk}"' in second and f'id="need-{critical.pk}"' not in second
