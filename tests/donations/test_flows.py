"""The ledger's weekly totals (services.flows, issue 15's board benchmark) and the pictures over
time (donations.charts, issue 15 item 8)."""

import datetime
import importlib
import re
import zoneinfo

import pytest
from django.apps import apps
from django.db import transaction
from django.urls import reverse

from donations import charts, services
from donations.dashboard import supply_charts
from donations.models import Lot, Movement, WeeklyFlow
from donations.services import flows, ledger

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture
def handed_out(stocked, community, coordinator, warehouse_keeper, masks):
    """300 early masks to 民岳家园, 40 of them handed out, 10 discarded in the warehouse."""
    early = Lot.objects.get(lot_number="M-EARLY")
    line = services.request_supplies(
        community, [(masks, 300)], purpose="卡口", user=coordinator
    ).lines.get()
    note = services.dispatch(
        services.allocate(line, user=warehouse_keeper, lots=[(early, 300)]), user=warehouse_keeper
    )
    services.confirm_receipt(note, {}, user=coordinator)
    services.distribute(
        community, note.to_location, [(early, 40)], recipient="volunteers", user=coordinator
    )
    services.discard(early, note.from_location, 10, reason="破损", user=warehouse_keeper)
    return {"lot": early, "store": note.to_location, "warehouse": note.from_location}


def test_every_movement_is_counted_in_its_week_in_the_same_transaction(handed_out, masks):
    assert flows.check_flows() == []
    rows = {
        (row.kind, row.community_id): (row.quantity, row.stock_change)
        for row in WeeklyFlow.objects.filter(item=masks)
    }
    community_id = handed_out["store"].community_id
    assert rows[("receive", None)] == (5800, 5800)
    assert rows[("dispatch", community_id)] == (300, -300)  # into transit: off the shelves
    assert rows[("receive_at_community", community_id)] == (300, 300)
    assert rows[("distribute", community_id)] == (40, -40)
    assert rows[("discard", None)] == (10, -10)
    assert ("allocate", community_id) not in rows  # reserving changes nothing on hand
    assert sum(change for _q, change in rows.values()) == 5800 - 40 - 10


def test_a_failed_operation_leaves_the_weekly_totals_untouched(handed_out, warehouse_keeper):
    before = list(WeeklyFlow.objects.values_list("kind", "quantity", "stock_change"))
    with pytest.raises(services.StockError):
        services.discard(
            handed_out["lot"], handed_out["store"], 10_000, reason="x", user=warehouse_keeper
        )
    assert list(WeeklyFlow.objects.values_list("kind", "quantity", "stock_change")) == before
    assert flows.check_flows() == []


def test_weeks_start_on_monday_in_beijing_whatever_the_hour_in_utc(stocked, warehouse_keeper):
    lot = Lot.objects.get(lot_number="D-1")
    warehouse = lot.balances.get().location
    sunday_night = datetime.datetime(2026, 11, 29, 23, 30, tzinfo=BEIJING)  # 15:30 UTC
    monday_morning = datetime.datetime(2026, 11, 30, 0, 30, tzinfo=BEIJING)  # Sunday in UTC
    with transaction.atomic():
        for at in (sunday_night, monday_morning):
            ledger.record(Movement.Kind.ADJUST, lot, 3, to_location=warehouse, reason="盘点", at=at)
    weeks = dict(
        WeeklyFlow.objects.filter(kind="adjust").values_list("week", "quantity").order_by("week")
    )
    assert weeks == {datetime.date(2026, 11, 23): 3, datetime.date(2026, 11, 30): 3}
    assert flows.check_flows() == []


def test_the_check_finds_a_summary_that_disagrees_with_the_ledger(handed_out):
    row = WeeklyFlow.objects.get(kind="distribute")
    WeeklyFlow.objects.filter(pk=row.pk).update(quantity=row.quantity + 1)
    problems = flows.check_flows()
    assert [p["ledger"] for p in problems if "key" in p] == [[40, -40]]
    WeeklyFlow.objects.filter(pk=row.pk).update(quantity=row.quantity, stock_change=-41)
    assert any("balances" in p for p in flows.check_flows())  # the running stock is off too


def test_the_data_migration_and_rebuild_fill_the_summary_from_an_existing_ledger(handed_out):
    kept = sorted(WeeklyFlow.objects.values_list("week", "item", "kind", "community", "quantity"))
    WeeklyFlow.objects.all().delete()
    assert flows.check_flows() != []
    migration = importlib.import_module("donations.migrations.0012_fill_weekly_flows")
    migration.fill(apps, None)
    assert flows.check_flows() == []
    filled = sorted(WeeklyFlow.objects.values_list("week", "item", "kind", "community", "quantity"))
    assert filled == kept
    flows.rebuild()
    assert flows.check_flows() == []


def test_the_board_reads_the_summary_and_the_stock_line_ends_at_the_balances(
    handed_out, masks, django_assert_max_num_queries
):
    with django_assert_max_num_queries(7):
        data = services.board_data()
    by_item = {row["item"].name: row for row in data["items"]}
    assert (by_item["医用外科口罩"]["received"], by_item["医用外科口罩"]["distributed"]) == (
        5800,
        40,
    )
    assert [
        (r["community__name"], r["received"], r["distributed"]) for r in data["communities"]
    ] == [("民岳家园社区", 300, 40)]
    timeline = data["timelines"][masks.pk]
    assert len(timeline) == 9 and timeline[-1]["week"] == data["weeks"][-1]
    assert timeline[-1]["stock"] == by_item["医用外科口罩"]["in_stock"] == 5750
    assert sum(row["received"] for row in timeline) == 5800


def _table_of(svg_and_table):
    describedby = re.search(r'aria-describedby="([^"]+)"', svg_and_table).group(1)
    assert f'<table id="{describedby}">' in svg_and_table  # the picture names its table
    return re.findall(r"<tr>(.*?)</tr>", svg_and_table)


def test_the_stock_chart_is_a_titled_picture_with_its_figures_as_a_table():
    weeks = [datetime.date(2026, 11, 16), datetime.date(2026, 11, 23), datetime.date(2026, 11, 30)]
    html = str(
        charts.stock_lines(
            weeks, [("口罩<N95>", [100, 60, 1200]), ("84消毒液", [5, 5, 0])], title="库存"
        )
    )
    assert "<title>库存</title>" in html and 'role="img"' in html and 'aria-label="库存"' in html
    assert "口罩&lt;N95&gt;" in html and "<N95>" not in html
    assert html.count("<polyline") == 2 and html.count("<circle") == 6
    rows = _table_of(html)
    assert len(rows) == 1 + 3  # the head and one row per week
    assert "2026-11-30" in rows[-1] and "1,200" in rows[-1]
    assert charts.stock_lines(weeks, [], title="x") == ""


def test_the_weekly_flows_and_the_needs_met_have_their_tables():
    weeks = [datetime.date(2026, 11, 23), datetime.date(2026, 11, 30)]
    flows_html = str(charts.over_time([(weeks[0], 10, 2), (weeks[1], 0, 7)], title="每周"))
    assert flows_html.count("<rect") >= 4 and len(_table_of(flows_html)) == 3
    needs = str(charts.needs_met_over_time([(weeks[0], 3), (weeks[1], 12)]))
    assert "<title>" in needs and len(_table_of(needs)) == 3 and "12" in needs
    assert charts.needs_met_over_time([]) == ""


def test_the_board_shows_stock_over_time_and_the_dashboard_its_charts(
    client, handed_out, warehouse_keeper, coordinator
):
    page = client.get(reverse("donations:board")).content.decode()
    assert "在库" in page or "库存" in page
    assert page.count('class="chart-data"') >= 2  # flows and stock, each with its table
    charts_context = supply_charts()
    assert "<polyline" in charts_context["stock_chart"]
    for user in (warehouse_keeper, coordinator):
        client.force_login(user)
        home = client.get(reverse("wagtailadmin_home")).content.decode()
        assert "库存与流转趋势" in home and "<polyline" in home


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_first_movements_of_a_week_make_one_row_with_every_unit():
    """Eight threads write the first movements of a new week at once: the week's row is made
    once (the unique constraint and get_or_create) and the conditional updates add every unit."""
    from donations.models import Item, Location
    from portal import roles
    from tests.factories import DonorFactory, make_user
    from tests.threads import errors_of, run_at_once

    keeper = make_user(roles.WAREHOUSE)
    item = Item.objects.create(name="N95口罩", category="masks", unit="只")
    warehouse = Location.objects.create(name="仓库", kind="warehouse")
    pledge = services.pledge(DonorFactory(), [{"item": item, "quantity": 1000, "lot_number": "N"}])
    services.receive(
        pledge, warehouse, [{"pledge_line": pledge.lines.get(), "accepted": 1000}], user=keeper
    )
    lot = Lot.objects.get()
    at = datetime.datetime(2026, 1, 7, 10, 0, tzinfo=BEIJING)  # a week with nothing yet

    def discard():
        with transaction.atomic():
            ledger.record(
                Movement.Kind.DISCARD, lot, 5, from_location=warehouse, reason="并发", at=at
            )

    assert errors_of(run_at_once([discard] * 8)) == []
    [row] = WeeklyFlow.objects.filter(kind="discard")
    assert (row.week, row.quantity, row.stock_change) == (datetime.date(2026, 1, 5), 40, -40)
    assert flows.check_flows() == []
