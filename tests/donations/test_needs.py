"""Needs (物资需求公示, issue 15.3), the services: who may write, submit, approve and reject;
what counts as pledged, received and missing; a need met by the delivery that covers it; no
pledge against a need that takes none."""

import io

import pdfplumber
import pytest

from donations import services
from donations.models import Need, PledgeLine
from donations.services import needs as needs_service
from tests.donations.conftest import in_days


@pytest.fixture
def need_of(community, subdistrict_admin, masks):
    def make(quantity=1000, status="approved", item=None, community=community, **fields):
        need = services.create_need(
            subdistrict_admin,
            community=community,
            item=item or masks,
            quantity=quantity,
            urgency=fields.pop("urgency", Need.Urgency.URGENT),
            needed_by=fields.pop("needed_by", in_days(5)),
            purpose="卡口值守",
        )
        if status in ("submitted", "approved"):
            need = services.submit_need(need, subdistrict_admin)
        if status == "approved":
            need = services.approve_need(need, subdistrict_admin)
        return need

    return make


def _create(user, community, masks):
    return services.create_need(
        user, community=community, item=masks, quantity=100, urgency=1, needed_by=in_days(3)
    )


# Writing and deciding -----------------------------------------------------------------------


def test_a_coordinator_writes_needs_of_their_community_only(
    coordinator, community, other_community, masks
):
    need = _create(coordinator, community, masks)
    assert need.status == Need.Status.DRAFT and need.created_by == coordinator
    with pytest.raises(services.StockError) as refused:
        _create(coordinator, other_community, masks)
    assert "community" in refused.value.error_dict
    with pytest.raises(services.StockError):
        _create(coordinator, None, masks)  # the subdistrict's own needs are the office's


def test_the_subdistrict_office_may_publish_a_need_of_its_own(subdistrict_admin, masks):
    need = _create(subdistrict_admin, None, masks)
    assert need.community is None and str(need.requester) == "街道"


def test_a_past_date_and_a_zero_quantity_are_refused(coordinator, community, masks):
    with pytest.raises(services.StockError):
        services.create_need(
            coordinator, community=community, item=masks, quantity=5, needed_by=in_days(-1)
        )
    with pytest.raises(services.StockError):
        services.create_need(
            coordinator, community=community, item=masks, quantity=0, needed_by=in_days(1)
        )


def test_submit_then_only_the_subdistrict_approves(
    coordinator, subdistrict_admin, community, masks
):
    need = services.submit_need(_create(coordinator, community, masks), coordinator)
    assert need.status == Need.Status.SUBMITTED and need.submitted_at
    with pytest.raises(services.StockError):
        services.approve_need(need, coordinator)
    need = services.approve_need(need, subdistrict_admin)
    assert need.status == Need.Status.APPROVED
    assert need.decided_by == subdistrict_admin and need.decided_at
    with pytest.raises(services.StockError):
        services.approve_need(need, subdistrict_admin)  # not waiting any more


def test_a_rejection_needs_a_reason_and_an_edit_makes_it_a_draft_again(
    coordinator, subdistrict_admin, community, masks
):
    need = services.submit_need(_create(coordinator, community, masks), coordinator)
    with pytest.raises(services.StockError):
        services.reject_need(need, subdistrict_admin, "  ")
    need = services.reject_need(need, subdistrict_admin, "数量过大，请核实")
    assert need.status == Need.Status.REJECTED and need.decision_reason == "数量过大，请核实"
    need = services.update_need(need, coordinator, quantity=60)
    assert need.status == Need.Status.DRAFT and need.quantity == 60


def test_the_author_hears_the_decision_in_chinese_and_the_office_does_not_tell_itself(
    coordinator, subdistrict_admin, community, masks, django_capture_on_commit_callbacks
):
    from django.core import mail

    from portal import sms

    mail.outbox.clear()
    sms.outbox.clear()
    need = services.submit_need(_create(coordinator, community, masks), coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        services.reject_need(need, subdistrict_admin, "数量过大，请核实 <500 & 口罩>")
    assert [m.to for m in mail.outbox] == [[coordinator.email]]
    assert "需求被退回" in mail.outbox[0].subject
    assert "数量过大，请核实 <500 & 口罩>" in mail.outbox[0].body  # plain text, as typed
    assert "物资需求公示" in mail.outbox[0].body  # where to correct it
    assert [m.phone for m in sms.outbox] == [coordinator.phone]
    assert "数量过大，请核实 <500 & 口罩>" in sms.outbox[0].text

    need = services.submit_need(services.update_need(need, coordinator, quantity=60), coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_need(need, subdistrict_admin)
    assert "需求已公示" in mail.outbox[1].subject and "60" in mail.outbox[1].body
    assert "已公示" in sms.outbox[1].text

    mail.outbox.clear()
    own = services.submit_need(_create(subdistrict_admin, None, masks), subdistrict_admin)
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_need(own, subdistrict_admin)
    assert mail.outbox == []  # the office decided its own need: nobody to tell


def test_a_published_need_cannot_be_edited_only_closed(need_of, subdistrict_admin):
    need = need_of()
    with pytest.raises(services.StockError):
        services.update_need(need, subdistrict_admin, quantity=5)
    with pytest.raises(services.StockError):
        services.close_need(need, subdistrict_admin, "")
    need = services.close_need(need, subdistrict_admin, "已由区里统一调配")
    assert need.status == Need.Status.CLOSED and need.close_reason and need.ended_at


# Pledged, received, missing -------------------------------------------------------------------


def _give(donor, need, quantity, item=None, **kwargs):
    return services.pledge(
        donor, [{"item": item or need.item, "quantity": quantity}], need=need, **kwargs
    )


def test_pledged_leaves_out_cancelled_pledges_and_received_counts_accepted_only(
    need_of, donor, other_donor, warehouse, warehouse_keeper, donor_user
):
    need = need_of(quantity=1000)
    kept = _give(donor, need, 600)
    cancelled = _give(other_donor, need, 300)
    services.cancel_pledge(cancelled, user=warehouse_keeper, reason="改捐别处")
    services.receive(
        kept,
        warehouse,
        [{"pledge_line": kept.lines.get(), "accepted": 250, "rejected": 50, "reason": "破损"}],
        user=warehouse_keeper,
    )
    figures = needs_service.progress(need)
    assert figures["pledged"] == 600
    assert figures["received"] == 250
    assert figures["missing"] == 750
    assert figures["percent_received"] == 25


def test_missing_is_never_negative(need_of, donor, warehouse, warehouse_keeper):
    need = need_of(quantity=100)
    pledge = _give(donor, need, 150)
    services.receive(
        pledge,
        warehouse,
        [{"pledge_line": pledge.lines.get(), "accepted": 150}],
        user=warehouse_keeper,
    )
    figures = needs_service.progress(need)
    assert figures["received"] == 150 and figures["missing"] == 0
    assert figures["percent_received"] == 100


def test_a_need_is_met_by_the_delivery_that_covers_it_and_not_before(
    need_of, donor, warehouse, warehouse_keeper
):
    need = need_of(quantity=500)
    pledge = _give(donor, need, 500)
    line = pledge.lines.get()
    services.receive(
        pledge,
        warehouse,
        [{"pledge_line": line, "accepted": 300, "rejected": 100, "reason": "过期"}],
        user=warehouse_keeper,
    )
    need.refresh_from_db()
    assert need.status == Need.Status.APPROVED  # rejected units do not meet a need
    services.receive(
        pledge, warehouse, [{"pledge_line": line, "accepted": 100}], user=warehouse_keeper
    )
    need.refresh_from_db()
    assert need.status == Need.Status.APPROVED
    second = _give(donor, need, 200)
    services.receive(
        second,
        warehouse,
        [{"pledge_line": second.lines.get(), "accepted": 100}],
        user=warehouse_keeper,
    )
    need.refresh_from_db()
    assert need.status == Need.Status.MET and need.ended_at
    assert services.check_balances() == []


def test_a_met_or_closed_need_takes_no_pledge(
    need_of, donor, subdistrict_admin, warehouse, warehouse_keeper
):
    met = need_of(quantity=10)
    pledge = _give(donor, met, 10)
    services.receive(
        pledge,
        warehouse,
        [{"pledge_line": pledge.lines.get(), "accepted": 10}],
        user=warehouse_keeper,
    )
    with pytest.raises(services.StockError) as refused:
        _give(donor, met, 5)
    assert refused.value.code == "need_met"
    closed = services.close_need(need_of(), subdistrict_admin, "不再需要")
    with pytest.raises(services.StockError) as refused:
        _give(donor, closed, 5)
    assert refused.value.code == "need_closed"
    waiting = need_of(status="submitted")
    with pytest.raises(services.StockError):
        _give(donor, waiting, 5)


def test_lines_of_the_needed_item_carry_the_need_others_do_not(need_of, donor, disinfectant):
    need = need_of(quantity=100)
    pledge = services.pledge(
        donor,
        [{"item": need.item, "quantity": 40}, {"item": disinfectant, "quantity": 10}],
        need=need,
    )
    linked = {line.item_id: line.need_id for line in PledgeLine.objects.filter(pledge=pledge)}
    assert linked == {need.item_id: need.pk, disinfectant.pk: None}
    assert pledge.over_need == 0


def test_a_pledge_from_a_need_must_include_its_item(need_of, donor, disinfectant):
    need = need_of()
    with pytest.raises(services.StockError) as refused:
        _give(donor, need, 10, item=disinfectant)
    assert refused.value.code == "need_item"


def test_over_pledging_is_allowed_and_measured(need_of, donor, warehouse, warehouse_keeper):
    need = need_of(quantity=100)
    first = _give(donor, need, 30)
    services.receive(
        first,
        warehouse,
        [{"pledge_line": first.lines.get(), "accepted": 30}],
        user=warehouse_keeper,
    )
    more = _give(donor, need, 90)  # 70 were missing
    assert more.over_need == 20
    assert needs_service.progress(need)["pledged"] == 120


def test_the_public_list_shows_published_and_recently_met_needs_most_urgent_first(
    need_of, coordinator, community, masks
):
    normal = need_of(urgency=Need.Urgency.NORMAL, needed_by=in_days(1))
    critical = need_of(urgency=Need.Urgency.CRITICAL, needed_by=in_days(9))
    urgent = need_of(urgency=Need.Urgency.URGENT, needed_by=in_days(2))
    need_of(status="submitted")
    _create(coordinator, community, masks)
    data = services.public_needs()
    assert [n.pk for n in data["open"]] == [critical.pk, urgent.pk, normal.pk]
    assert data["met"] == []
    assert data["open"][0].figures["missing"] == critical.quantity


def test_receipt_thank_you_trace_and_closing_letter_name_the_need(
    need_of, donor, warehouse, warehouse_keeper
):
    from donations import documents
    from donations.services import closing

    need = need_of(quantity=50)
    pledge = _give(donor, need, 50)
    receipt = services.receive(
        pledge,
        warehouse,
        [{"pledge_line": pledge.lines.get(), "accepted": 50}],
        user=warehouse_keeper,
    )
    context = documents._receipt_context(receipt)
    assert [n.pk for n in context["needs"]] == [need.pk]
    assert [n.pk for n in needs_service.needs_of(pledge)] == [need.pk]
    entry = services.pledge_trace(pledge)
    assert entry["lines"][0]["line"].need == need
    lot = pledge.lines.get().lots.get()
    assert services.trace_lot(lot)["lot"].pledge_line.need == need
    filename, _type, content = closing.closing_letter_pdf(pledge)
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        text = "".join(page.extract_text() or "" for page in pdf.pages)
    assert need.community.name in text and "物资需求" in text


def test_needs_met_are_counted_in_the_week_they_were_met_and_drawn_on_the_board(
    client, need_of, donor, warehouse, warehouse_keeper
):
    from datetime import timedelta

    from django.urls import reverse
    from django.utils import timezone

    from donations.services import flows

    met_now = need_of(quantity=10)
    pledge = _give(donor, met_now, 10)
    services.receive(
        pledge,
        warehouse,
        [{"pledge_line": pledge.lines.get(), "accepted": 10}],
        user=warehouse_keeper,
    )
    met_before = need_of(quantity=5)
    Need.objects.filter(pk=met_before.pk).update(
        status=Need.Status.MET, ended_at=timezone.now() - timedelta(weeks=2)
    )
    need_of(quantity=5)  # published, not met: not counted
    today = timezone.localdate()
    weeks = flows.weeks_between(today - timedelta(weeks=3), today)
    counts = dict(needs_service.met_by_week(weeks))
    assert counts[weeks[-1]] == 1 and counts[weeks[-3]] == 1 and sum(counts.values()) == 2

    page = client.get(reverse("donations:board")).content.decode()
    assert "每周满足的需求" in page
