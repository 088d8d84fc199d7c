import pytest
from django.db import IntegrityError, transaction

from donations import services
from donations.models import (
    Balance,
    Dispatch,
    Donor,
    LedgerError,
    Location,
    Lot,
    Movement,
    Pledge,
    Receipt,
)
from donations.services import StockError
from tests.donations.conftest import in_days
from tests.factories import (
    CompoundFactory,
    DonorFactory,
    HelpRequestFactory,
    PledgeLineFactory,
    make_uscc,
    make_user,
)

# 1. Donors ------------------------------------------------------------------------------------


def test_register_firm_validates_credit_code_and_makes_user_representative(db):
    user = make_user(username="firmrep")
    with pytest.raises(StockError, match="统一社会信用代码|unified social credit"):
        services.register_donor(
            user,
            kind="firm",
            name="某公司",
            credit_code="911100001234567890",
            contact_name="王女士",
            contact_phone="13712345678",
        )
    donor = services.register_donor(
        user,
        kind="firm",
        name="依文集团",
        credit_code=make_uscc(7),
        contact_name="王女士",
        contact_phone="13712345678",
    )
    assert not donor.verified and not donor.can_pledge
    assert list(user.donor_representations.values_list("donor", flat=True)) == [donor.pk]
    with pytest.raises(StockError):
        services.register_donor(
            make_user(),
            kind="firm",
            name="冒名",
            credit_code=make_uscc(7),
            contact_name="李",
            contact_phone="13712345679",
        )


def test_person_donor_needs_no_credit_code_and_can_pledge(db):
    donor = services.register_donor(
        make_user(),
        kind="person",
        name="张先生",
        contact_name="张先生",
        contact_phone="13712345678",
    )
    assert donor.can_pledge and donor.credit_code == ""


def test_unverified_firm_goods_are_not_received_until_verified(
    db, masks, warehouse, warehouse_keeper, subdistrict_admin
):
    donor = DonorFactory(verified=False)
    pledge = services.pledge(donor, [{"item": masks, "quantity": 10}])
    line = pledge.lines.get()
    with pytest.raises(StockError):
        services.receive(
            pledge, warehouse, [{"pledge_line": line, "accepted": 10}], user=warehouse_keeper
        )
    services.verify_donor(donor, user=subdistrict_admin)
    donor.refresh_from_db()
    assert donor.verified and donor.verified_by == subdistrict_admin and donor.verified_at
    services.receive(
        pledge, warehouse, [{"pledge_line": line, "accepted": 10}], user=warehouse_keeper
    )


# 3. Pledge ------------------------------------------------------------------------------------


def test_pledge_rejects_bad_quantity_and_expired_goods(donor, masks):
    with pytest.raises(StockError, match="1"):
        services.pledge(donor, [{"item": masks, "quantity": 0}])
    with pytest.raises(StockError):
        services.pledge(donor, [{"item": masks, "quantity": 5, "expiry": in_days(-1)}])
    assert not Pledge.objects.exists()


# 4. Receiving ---------------------------------------------------------------------------------


def test_receiving_creates_lots_movements_and_records_rejections(stocked, warehouse):
    receipt = stocked["receipt"]
    assert receipt.serial.startswith("JZ")
    late_line = receipt.lines.get(pledge_line=stocked["late"])
    assert (late_line.accepted, late_line.rejected, late_line.rejection_reason) == (
        4800,
        200,
        "非医用级",
    )
    assert late_line.lot.expiry == stocked["late"].expiry
    assert Balance.objects.get(lot=late_line.lot, location=warehouse).quantity == 4800
    assert Movement.objects.filter(kind="receive").count() == 3
    stocked["pledge"].refresh_from_db()
    assert stocked["pledge"].status == Pledge.Status.RECEIVED


def test_partial_and_repeated_deliveries_never_exceed_the_pledge(
    donor, masks, warehouse, warehouse_keeper
):
    pledge = services.pledge(donor, [{"item": masks, "quantity": 100, "lot_number": "A"}])
    line = pledge.lines.get()
    first = services.receive(
        pledge, warehouse, [{"pledge_line": line, "accepted": 60}], user=warehouse_keeper
    )
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.PARTIAL
    with pytest.raises(StockError):
        services.receive(
            pledge, warehouse, [{"pledge_line": line, "accepted": 41}], user=warehouse_keeper
        )
    second = services.receive(
        pledge,
        warehouse,
        [{"pledge_line": line, "accepted": 30, "rejected": 10, "reason": "包装破损"}],
        user=warehouse_keeper,
    )
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.RECEIVED
    assert first.serial != second.serial
    assert Lot.objects.filter(pledge_line=line).count() == 2


def test_rejection_needs_a_reason(donor, masks, warehouse, warehouse_keeper):
    pledge = services.pledge(donor, [{"item": masks, "quantity": 100}])
    with pytest.raises(StockError):
        services.receive(
            pledge,
            warehouse,
            [{"pledge_line": pledge.lines.get(), "rejected": 5}],
            user=warehouse_keeper,
        )
    assert not Receipt.objects.exists()


def test_receipt_serials_never_repeat(donor, masks, warehouse, warehouse_keeper):
    serials = set()
    for _ in range(5):
        pledge = services.pledge(donor, [{"item": masks, "quantity": 1}])
        serials.add(
            services.receive(
                pledge,
                warehouse,
                [{"pledge_line": pledge.lines.get(), "accepted": 1}],
                user=warehouse_keeper,
            ).serial
        )
    assert len(serials) == 5
    # A rolled-back receipt does not leave a gap that is then reused either way: the column is unique.
    with pytest.raises(IntegrityError), transaction.atomic():
        Receipt.objects.create(
            serial=next(iter(serials)),
            pledge=pledge,
            location=warehouse,
            received_at=pledge.created_at,
        )


# 5. Ledger ------------------------------------------------------------------------------------


def test_movements_cannot_be_edited_or_deleted(stocked):
    movement = Movement.objects.first()
    movement.quantity = 1
    with pytest.raises(LedgerError):
        movement.save()
    with pytest.raises(LedgerError):
        movement.delete()
    with pytest.raises(LedgerError):
        Movement.objects.filter(pk=movement.pk).update(quantity=2)
    with pytest.raises(LedgerError):
        Movement.objects.all().delete()


def test_database_refuses_a_negative_balance(stocked):
    balance = Balance.objects.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Balance.objects.filter(pk=balance.pk).update(quantity=-1)


def test_adjust_and_discard_are_new_movements_and_cannot_go_negative(
    stocked, warehouse, warehouse_keeper
):
    lot = Lot.objects.get(lot_number="D-1")
    services.adjust(lot, warehouse, -3, reason="盘点短少", user=warehouse_keeper)
    services.discard(lot, warehouse, 7, reason="过期", user=warehouse_keeper)
    assert Balance.objects.get(lot=lot).quantity == 190
    with pytest.raises(StockError):
        services.discard(lot, warehouse, 191, reason="过期", user=warehouse_keeper)
    with pytest.raises(StockError):
        services.adjust(lot, warehouse, 5, reason="", user=warehouse_keeper)
    assert services.check_balances() == []


def test_check_balances_reports_a_tampered_balance(stocked):
    assert services.check_balances() == []
    balance = Balance.objects.first()
    Balance.objects.filter(pk=balance.pk).update(quantity=1)
    assert services.check_balances()[0]["lot"] == balance.lot_id


# 6. Requests and allocation -------------------------------------------------------------------


def test_allocation_takes_earliest_expiry_first_and_can_be_partial(
    stocked, community, coordinator, warehouse_keeper, masks
):
    request = services.request_supplies(
        community, [(masks, 7000)], purpose="卡口志愿者", urgency="urgent", user=coordinator
    )
    line = request.lines.get()
    allocations = services.allocate(line, 1500, user=warehouse_keeper)
    assert [(a.lot.lot_number, a.quantity) for a in allocations] == [
        ("M-EARLY", 1000),
        ("M-LATE", 500),
    ]
    more = services.allocate(line, user=warehouse_keeper)  # all that is left: partial
    assert sum(a.quantity for a in more) == 4300
    [line] = services.request_line_progress([line])
    assert (line.allocated, line.dispatched, line.open) == (5800, 0, 1200)
    with pytest.raises(StockError):
        services.allocate(line, 10, user=warehouse_keeper)
    assert services.check_balances() == []


def test_allocation_lot_override(stocked, community, coordinator, warehouse_keeper, masks):
    request = services.request_supplies(
        community, [(masks, 100)], purpose="隔离户", user=coordinator
    )
    late = Lot.objects.get(lot_number="M-LATE")
    [allocation] = services.allocate(request.lines.get(), user=warehouse_keeper, lots=[(late, 100)])
    assert allocation.lot == late
    assert Balance.objects.get(lot=late).reserved == 100


def test_allocation_never_exceeds_the_request(
    stocked, community, coordinator, warehouse_keeper, masks
):
    request = services.request_supplies(community, [(masks, 50)], purpose="x", user=coordinator)
    with pytest.raises(StockError):
        services.allocate(request.lines.get(), 60, user=warehouse_keeper)


# 7. Dispatch and receipt ----------------------------------------------------------------------


def _dispatched(stocked, community, coordinator, warehouse_keeper, masks, disinfectant):
    request = services.request_supplies(
        community,
        [(masks, 500), (disinfectant, 50)],
        purpose="卡口志愿者",
        urgency="urgent",
        user=coordinator,
    )
    allocations = []
    for line in request.lines.all():
        allocations += services.allocate(line, user=warehouse_keeper)
    return request, services.dispatch(allocations, user=warehouse_keeper)


def test_dispatch_and_confirm_with_discrepancy_as_movement(
    stocked, community, coordinator, warehouse_keeper, masks, disinfectant
):
    request, note = _dispatched(
        stocked, community, coordinator, warehouse_keeper, masks, disinfectant
    )
    assert note.serial.startswith("FH") and note.allocations.count() == 2
    bottles = note.allocations.get(lot__item=disinfectant)
    with pytest.raises(StockError):
        services.confirm_receipt(note, {bottles.pk: (48, "")}, user=coordinator)
    services.confirm_receipt(note, {bottles.pk: (48, "运输中破损2瓶")}, user=coordinator)
    note.refresh_from_db()
    assert note.status == Dispatch.Status.RECEIVED
    store = note.to_location
    assert Balance.objects.get(lot=bottles.lot, location=store).quantity == 48
    loss = Movement.objects.get(kind="discard", community_receipt__dispatch=note)
    assert (loss.quantity, loss.reason) == (2, "运输中破损2瓶")
    transit = Location.objects.get(kind="transit")
    assert not Balance.objects.filter(location=transit, quantity__gt=0).exists()
    with pytest.raises(StockError):
        services.confirm_receipt(note, {}, user=coordinator)
    lines = services.request_line_progress(list(request.lines.all()))
    assert [(x.dispatched, x.received) for x in lines] == [(500, 500), (50, 48)]
    assert services.check_balances() == []


def test_dispatch_twice_is_refused(
    stocked, community, coordinator, warehouse_keeper, masks, disinfectant
):
    request, note = _dispatched(
        stocked, community, coordinator, warehouse_keeper, masks, disinfectant
    )
    with pytest.raises(StockError):
        services.dispatch(list(note.allocations.all()), user=warehouse_keeper)


# 8. Distribution ------------------------------------------------------------------------------


def test_distribution_to_post_volunteers_and_household(
    stocked, community, compound, post, coordinator, warehouse_keeper, masks, disinfectant
):
    _request, note = _dispatched(
        stocked, community, coordinator, warehouse_keeper, masks, disinfectant
    )
    services.confirm_receipt(note, {}, user=coordinator)
    store = note.to_location
    services.distribute(
        community, store, [(masks, 200)], recipient="post", post=post, user=coordinator
    )
    services.distribute(community, store, [(masks, 100)], recipient="volunteers", user=coordinator)
    household = HelpRequestFactory(compound=compound, building="3号楼2单元501")
    d = services.distribute(
        community,
        store,
        [(disinfectant, 2)],
        recipient="household",
        help_request=household,
        user=coordinator,
    )
    # The household is its request's number; the address stays on the request.
    assert d.help_request == household
    assert d.recipient_label == f"住户（求助 #{household.pk}）"
    assert Movement.objects.get(distribution=d).reason == "住户"
    with pytest.raises(StockError):
        services.distribute(
            community, store, [(masks, 201)], recipient="volunteers", user=coordinator
        )
    with pytest.raises(StockError):  # a household is named by its help request only
        services.distribute(community, store, [(masks, 1)], recipient="household", user=coordinator)
    elsewhere = HelpRequestFactory(compound=CompoundFactory())
    with pytest.raises(StockError):  # another community's household
        services.distribute(
            community,
            store,
            [(masks, 1)],
            recipient="household",
            help_request=elsewhere,
            user=coordinator,
        )
    assert services.check_balances() == []


def test_distribution_from_another_communitys_store_is_refused(
    stocked, community, other_community, coordinator, warehouse_keeper, masks, disinfectant
):
    _request, note = _dispatched(
        stocked, community, coordinator, warehouse_keeper, masks, disinfectant
    )
    services.confirm_receipt(note, {}, user=coordinator)
    with pytest.raises(StockError):
        services.distribute(
            other_community,
            note.to_location,
            [(masks, 1)],
            recipient="volunteers",
            user=coordinator,
        )


# 9. Traceability ------------------------------------------------------------------------------


def test_trace_lot_and_donor_trace_follow_goods_to_the_community(
    stocked, community, compound, coordinator, warehouse_keeper, masks, disinfectant, donor
):
    _request, note = _dispatched(
        stocked, community, coordinator, warehouse_keeper, masks, disinfectant
    )
    services.confirm_receipt(note, {}, user=coordinator)
    services.distribute(
        community, note.to_location, [(masks, 300)], recipient="volunteers", user=coordinator
    )
    early = Lot.objects.get(lot_number="M-EARLY")
    trace = services.trace_lot(early)
    assert trace["received"] == 1000 and trace["distributed"] == 300
    assert [m.kind for m in trace["movements"]] == [
        "receive",
        "allocate",
        "dispatch",
        "receive_at_community",
    ]
    assert [(r["community"], r["recipient"], r["quantity"]) for r in trace["handed_out"]] == [
        ("民岳家园社区", "volunteers", 300)
    ]
    assert trace["in_stock"] == 700
    [entry] = services.donor_trace(donor)
    kinds = {(row["kind"], row["community__name"]) for row in entry["path"]}
    assert ("distribute", "民岳家园社区") in kinds and ("dispatch", "民岳家园社区") in kinds
    assert sum(row["n"] for row in entry["stock"]) == 4800 + 1000 + 200 - 300 - 2 * 0


def test_board_shows_consenting_donors_by_name_and_others_as_anonymous(
    stocked, other_donor, masks, warehouse, warehouse_keeper
):
    pledge = services.pledge(other_donor, [{"item": masks, "quantity": 10}])
    services.receive(
        pledge,
        warehouse,
        [{"pledge_line": pledge.lines.get(), "accepted": 10}],
        user=warehouse_keeper,
    )
    data = services.board_data()
    names = [row["name"] for row in data["donors"]]
    assert names == ["北京公共交通控股(集团)有限公司", None]
    assert {row["item"].name: row["received"] for row in data["items"]}["医用外科口罩"] == 5810
    assert Donor.objects.count() == 2


def test_pledge_line_factory_smoke(db):
    assert PledgeLineFactory().pledge.donor.can_pledge


def test_public_figures_count_units_received_and_handed_out(
    stocked, community, compound, coordinator, warehouse_keeper, masks, disinfectant
):
    assert services.public_figures() == {"received": 6000, "distributed": 0}
    _request, note = _dispatched(
        stocked, community, coordinator, warehouse_keeper, masks, disinfectant
    )
    services.confirm_receipt(note, {}, user=coordinator)
    services.distribute(
        community, note.to_location, [(masks, 30)], recipient="volunteers", user=coordinator
    )
    assert services.public_figures() == {"received": 6000, "distributed": 30}
