"""The stock ledger and balance exports neutralise formulas typed by staff and keep numbers and
dates typed (issue 10, point 8)."""

from django.urls import reverse

from donations import services as donation_services
from donations.models import Location, Lot
from tests.spreadsheets import assert_no_formula, csv_rows, workbook


def test_stock_ledger_exports_neutralise_a_typed_reason(
    client, stocked, warehouse, warehouse_keeper
):
    donation_services.adjust(
        Lot.objects.get(pledge_line=stocked["early"]),
        warehouse,
        -5,
        reason="@SUM(1+1)*cmd|' /C calc'!A0",
        user=warehouse_keeper,
    )
    Location.objects.filter(pk=warehouse.pk).update(name="-1+1 仓库")
    client.force_login(warehouse_keeper)

    sheet = workbook(client.get(reverse("donations_admin:export_ledger")).content)
    assert_no_formula(sheet)
    headers = [cell.value for cell in next(sheet.iter_rows())]
    rows = [dict(zip(headers, row, strict=True)) for row in sheet.iter_rows(min_row=2)]
    adjusted = next(r for r in rows if str(r["原因"].value).startswith("@SUM"))
    assert adjusted["原因"].data_type == "s"
    assert adjusted["数量"].value == 5 and adjusted["数量"].data_type == "n"
    assert adjusted["日期时间"].is_date

    balances = workbook(client.get(reverse("donations_admin:export_balances")).content)
    assert_no_formula(balances)
    assert all(cell.data_type == "n" for row in balances.iter_rows(min_row=2) for cell in row[-3:])

    for name in ("donations_ledger", "donations_balances"):
        text = client.get(reverse(f"{name}:export") + "?format=csv").content
        values = [value for line in csv_rows(text) for value in line]
        assert "'-1+1 仓库" in values and "-1+1 仓库" not in values
