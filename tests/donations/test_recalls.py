"""Returns to the donor and recalls (issue 15.6), and the donor's closing letter (15.7)."""

import pytest
from django.urls import reverse

from donations import services
from donations.models import (
    ClosingLetter,
    DonorReturn,
    Lot,
    Movement,
    Recall,
    RecallReturn,
)
from donations.services import StockError, closing, recalls
from tests.factories import HelpRequestFactory

Kind = Movement.Kind


@pytest.fixture
def told(monkeypatch):
    sent = []
    record = lambda user, name, context=None: sent.append((user, name, context))  # noqa: E731
    monkeypatch.setattr(recalls, "notify", record)
    monkeypatch.setattr(closing, "notify", record)
    return sent


@pytest.fixture
def reached(
    stocked,
    community,
    compound,
    other_community,
    coordinator,
    other_coordinator,
    warehouse_keeper,
    masks,
    post,
):
    """Lot M-EARLY: 300 to 民岳家园 (100 to a post, 40 to two households, 10 to volunteers),
    200 to 蔚园 (still in transit)."""
    early = Lot.objects.get(lot_number="M-EARLY")
    line = services.request_supplies(
        community, [(masks, 300)], purpose="卡口", user=coordinator
    ).lines.get()
    note = services.dispatch(
        services.allocate(line, user=warehouse_keeper, lots=[(early, 300)]), user=warehouse_keeper
    )
    services.confirm_receipt(note, {}, user=coordinator)
    store = note.to_location
    services.distribute(
        community, store, [(early, 100)], recipient="post", post=post, user=coordinator
    )
    for _n in range(2):
        household = HelpRequestFactory(compound=compound)
        services.distribute(
            community,
            store,
            [(early, 20)],
            recipient="household",
            help_request=household,
            user=coordinator,
        )
    services.distribute(community, store, [(early, 10)], recipient="volunteers", user=coordinator)
    other_line = services.request_supplies(
        other_community, [(masks, 200)], purpose="入户", user=other_coordinator
    ).lines.get()
    services.dispatch(
        services.allocate(other_line, user=warehouse_keeper, lots=[(early, 200)]),
        user=warehouse_keeper,
    )
    return {"lot": early, "store": store}


def test_the_recall_trace_lists_every_community_post_and_household_count(
    reached, community, other_community, post
):
    trace = recalls.recall_trace(reached["lot"])
    rows = {r["community"]: r for r in trace["communities"]}
    mine, other = rows[community.name], rows[other_community.name]
    assert (mine["arrived"], mine["in_transit"], mine["households"]) == (300, 0, 2)
    handed = {(h["recipient"], h["post"]): h["quantity"] for h in mine["handed_out"]}
    assert handed == {("post", post.name): 100, ("household", None): 40, ("volunteers", None): 10}
    assert (other["arrived"], other["in_transit"]) == (0, 200)
    stock = {b.location.name: b.quantity for b in trace["stock"]}
    assert stock == {"街道物资仓库": 500, reached["store"].name: 150}
    assert (trace["handed_out"], trace["households"]) == (150, 2)


def test_recalling_tells_the_communities_once_and_the_lot_never_goes_out_again(
    told,
    reached,
    community,
    other_community,
    coordinator,
    other_coordinator,
    warehouse_keeper,
    masks,
):
    with pytest.raises(StockError):
        recalls.recall_lot(reached["lot"], user=warehouse_keeper, reason=" ")
    recall = recalls.recall_lot(
        reached["lot"], user=warehouse_keeper, reason="厂家通知：滤层不合格"
    )
    assert sorted((u.username, c["community"]) for u, name, c in told) == [
        ("coord", community.name),
        ("coord2", other_community.name),
    ]
    mine = next(c for u, name, c in told if u == coordinator)
    assert (mine["handed_out"], mine["households"], mine["in_stock"]) == (150, 2, 150)
    assert recalls.recall_lot(reached["lot"], user=warehouse_keeper, reason="again") == recall
    assert len(told) == 2
    line = services.request_supplies(
        community, [(masks, 10)], purpose="x", user=coordinator
    ).lines.get()
    with pytest.raises(StockError) as caught:
        services.allocate(line, user=warehouse_keeper, lots=[(reached["lot"], 10)])
    assert caught.value.code == "recalled"
    with pytest.raises(StockError):
        services.distribute(
            community,
            reached["store"],
            [(reached["lot"], 1)],
            recipient="volunteers",
            user=coordinator,
        )
    assert Recall.objects.count() == 1


def test_what_comes_back_is_recorded_in_the_ledger(told, reached, coordinator, warehouse_keeper):
    recall = recalls.recall_lot(reached["lot"], user=warehouse_keeper, reason="召回")
    back = recalls.record_recall_return(
        recall, reached["store"], 35, user=coordinator, note="北门退回"
    )
    assert (back.movement.kind, back.movement.to_location, back.quantity) == (
        Kind.RECALL_RETURN,
        reached["store"],
        35,
    )
    with pytest.raises(StockError):  # 150 were handed out, 35 are back: at most 115 more
        recalls.record_recall_return(recall, reached["store"], 116, user=coordinator)
    assert recalls.recall_trace(reached["lot"])["came_back"] == 35
    assert RecallReturn.objects.count() == 1
    assert services.check_balances() == []


def test_returning_to_the_donor_is_a_movement_and_a_document(
    stocked, warehouse, warehouse_keeper, client
):
    lot = Lot.objects.get(lot_number="D-1")
    with pytest.raises(StockError):
        recalls.return_to_donor(lot, warehouse, 5, user=warehouse_keeper, reason="")
    with pytest.raises(StockError):
        recalls.return_to_donor(lot, warehouse, 500, user=warehouse_keeper, reason="too many")
    document = recalls.return_to_donor(
        lot, warehouse, 20, user=warehouse_keeper, reason="包装破损，退回厂家"
    )
    assert document.serial.startswith("TH")
    assert (document.movement.kind, document.movement.quantity) == (Kind.RETURN_TO_DONOR, 20)
    assert lot.balances.get(location=warehouse).quantity == 180
    assert services.check_balances() == []
    client.force_login(warehouse_keeper)
    response = client.get(reverse("donations_admin:donor_return_pdf", args=[document.pk]))
    assert response["Content-Type"] == "application/pdf"


def test_return_and_recall_pages(
    client, told, reached, warehouse, warehouse_keeper, coordinator, other_coordinator
):
    lot = reached["lot"]
    balance = lot.balances.get(location=warehouse)
    client.force_login(warehouse_keeper)
    url = reverse("donations_admin:return_to_donor", args=[balance.pk])
    response = client.post(url, {"quantity": 10, "reason": "退回"})
    document = DonorReturn.objects.get()
    assert response.url == reverse("donations_admin:donor_return_pdf", args=[document.pk])
    recall_url = reverse("donations_admin:recall", args=[lot.pk])
    # Before the recall, a community's staff cannot open the lot's page.
    client.force_login(coordinator)
    assert client.get(recall_url).status_code == 404
    client.force_login(warehouse_keeper)
    assert client.post(recall_url, {"action": "recall", "reason": "召回"}).status_code == 302
    # After it, each community's staff see their own community's rows only.
    client.force_login(coordinator)
    page = client.get(recall_url).content.decode()
    assert "民岳家园社区" in page and "蔚园社区" not in page
    assert client.post(recall_url, {"action": "recall", "reason": "x"}).status_code in (302, 403)
    response = client.post(
        recall_url, {"action": "back", "location": reached["store"].pk, "quantity": 5, "note": ""}
    )
    assert response.status_code == 302 and RecallReturn.objects.get().quantity == 5
    client.force_login(other_coordinator)
    assert "民岳家园社区" not in client.get(recall_url).content.decode()


# The closing letter ---------------------------------------------------------------------------


@pytest.fixture
def small_pledge(donor, masks, warehouse, warehouse_keeper, donor_user):
    pledge = services.pledge(
        donor, [{"item": masks, "quantity": 50, "lot_number": "S-1"}], user=warehouse_keeper
    )
    services.receive(
        pledge,
        warehouse,
        [{"pledge_line": pledge.lines.get(), "accepted": 50}],
        user=warehouse_keeper,
    )
    return pledge


def test_the_closing_letter_goes_once_when_everything_is_handed_out(
    told, small_pledge, community, warehouse, warehouse_keeper, donor_user, client
):
    lot = Lot.objects.get(lot_number="S-1")
    services.distribute(
        community, warehouse, [(lot, 30)], recipient="volunteers", user=warehouse_keeper
    )
    assert told == [] and not ClosingLetter.objects.exists()
    services.distribute(
        community, warehouse, [(lot, 20)], recipient="volunteers", user=warehouse_keeper
    )
    assert ClosingLetter.objects.filter(pledge=small_pledge).count() == 1
    [(user, name, context)] = told
    assert user == donor_user and name == "donations/notify/closing_letter"
    assert "/donations/where/" in context["trace_url"]
    assert closing.close_if_handed_out(small_pledge) is None  # never twice
    assert len(told) == 1
    client.force_login(donor_user)
    response = client.get(reverse("donations:closing_letter", args=[small_pledge.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


def test_no_letter_while_goods_remain_or_for_another_donor(
    told, small_pledge, community, warehouse, warehouse_keeper, other_donor_user, client
):
    lot = Lot.objects.get(lot_number="S-1")
    services.distribute(
        community, warehouse, [(lot, 49)], recipient="volunteers", user=warehouse_keeper
    )
    assert not ClosingLetter.objects.exists()
    url = reverse("donations:closing_letter", args=[small_pledge.pk])
    client.force_login(other_donor_user)
    assert client.get(url).status_code == 404
    services.distribute(
        community, warehouse, [(lot, 1)], recipient="volunteers", user=warehouse_keeper
    )
    assert client.get(url).status_code == 404  # another donor's letter
