import datetime

import pytest
import tablib

from donations.models import Balance, Movement, Pledge, PledgeLine
from donations.resources import (
    BalanceExportResource,
    MovementExportResource,
    PledgeImportResource,
)
from portal.importexport import ImportFileError, describe_problems, read_dataset, run_import

HEADERS = ["物资名称", "数量", "批号", "有效期至"]


def _dataset(rows):
    return tablib.Dataset(*rows, headers=HEADERS)


def _rows(n, masks):
    expiry = (datetime.date.today() + datetime.timedelta(days=200)).isoformat()
    return [(masks.name, 100 + i, f"L{i:03d}", expiry) for i in range(n)]


def test_good_file_becomes_one_pledge_through_the_service(donor, masks, disinfectant):
    rows = _rows(40, masks) + [(disinfectant.name, 200, "D-1", "")]
    resource = PledgeImportResource(donor=donor)
    result = run_import(resource, _dataset(rows), dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    pledge = Pledge.objects.get()
    assert pledge.lines.count() == 41 and resource.pledge == pledge


def test_dry_run_writes_nothing(donor, masks):
    result = run_import(PledgeImportResource(donor=donor), _dataset(_rows(5, masks)), dry_run=True)
    assert not result.has_validation_errors()
    assert not Pledge.objects.exists()


def test_any_bad_row_writes_nothing_and_names_row_and_reason(donor, masks):
    rows = _rows(40, masks)
    rows[36] = ("不存在的物资", 5, "X", "")
    rows[38] = (masks.name, -3, "Y", "")
    rows[39] = (masks.name, 3, "Z", "2001-01-01")
    resource = PledgeImportResource(donor=donor)
    result = run_import(resource, _dataset(rows), dry_run=False)
    assert result.has_validation_errors()
    assert not Pledge.objects.exists() and not PledgeLine.objects.exists()
    problems = describe_problems(resource, result)
    numbers = [p.row for p in problems]
    assert numbers == [38, 40, 41]  # spreadsheet rows, the header being row 1
    text = " ".join(p.message for p in problems)
    assert "不存在的物资" in text and "正整数" in text and "过期" in text


def test_missing_columns_are_reported(donor):
    content = tablib.Dataset(("口罩",), headers=["名字"]).export("xlsx")
    with pytest.raises(ImportFileError, match="物资名称"):
        read_dataset(content, "xlsx", PledgeImportResource(donor=donor))
    assert not Pledge.objects.exists()


def test_ledger_and_balances_export(stocked):
    ledger = MovementExportResource().export(
        MovementExportResource.queryset(Movement.objects.all())
    )
    assert len(ledger) == 3
    assert "北京公共交通控股(集团)有限公司" in ledger.csv
    balances = BalanceExportResource().export(BalanceExportResource.queryset(Balance.objects.all()))
    assert "4800" in balances.csv


def test_admin_pledge_import_groups_rows_by_donor_all_or_nothing(
    donor, other_donor, masks, warehouse_keeper
):
    from donations.resources import PledgeAdminImportResource
    from portal.importexport import describe_problems, run_import

    rows = [
        (donor.name, masks.name, 100, "A", ""),
        (other_donor.name, masks.name, 50, "B", ""),
        (donor.name, masks.name, 20, "C", ""),
    ]
    data = tablib.Dataset(
        *(rows + [("没有这个单位", masks.name, 5, "", "")]), headers=["捐赠方", *HEADERS]
    )
    result = run_import(PledgeAdminImportResource(user=warehouse_keeper), data, dry_run=False)
    problems = describe_problems(PledgeAdminImportResource(user=warehouse_keeper), result)
    assert not Pledge.objects.exists()
    assert [p.row for p in problems] == [5]
    data = tablib.Dataset(*rows, headers=["捐赠方", *HEADERS])
    resource = PledgeAdminImportResource(user=warehouse_keeper)
    run_import(resource, data, dry_run=False)
    assert sorted(p.lines.count() for p in Pledge.objects.all()) == [1, 2]
    assert all(p.walk_in for p in Pledge.objects.all())
