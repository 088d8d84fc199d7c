"""A generated 10,000-line pledge spreadsheet (.xlsx) through the real import path (the
uploaded file read by tablib, then donations.resources.PledgeImportResource, which hands the
lines to donations.services.pledge). Then the same file with one bad line near the end, which
must write nothing. Prints one JSON line: rows, seconds, rows_per_s, bad_file_rows_written,
bad_file_errors (the bad rows reported, with their numbers)."""

import datetime
import io
import json
import os
import time

from donations_bench import base_data, bench_database

ROWS = int(os.environ.get("BENCH_ROWS", "10000"))


def spreadsheet(rows, bad_row=None):
    import tablib

    today = datetime.date.today()
    data = tablib.Dataset(headers=["物资名称", "数量", "批号", "有效期至"])
    for i in range(rows):
        name = "医用外科口罩" if i % 3 else "84消毒液"
        if bad_row is not None and i == bad_row:
            name = "不存在的物资"
        data.append(
            (
                name,
                100 + i % 500,
                f"L{i:05d}",
                (today + datetime.timedelta(days=200 + i % 300)).isoformat(),
            )
        )
    return data.export("xlsx")


class Upload(io.BytesIO):
    def __init__(self, content, name):
        super().__init__(content)
        self.name = name


def main():
    from donations.models import Item, PledgeLine
    from donations.resources import PledgeImportResource, import_errors
    from donations.views import load_dataset

    data = base_data(lots=1, per_lot=1)
    Item.objects.create(name="84消毒液", category="disinfectant", unit="瓶")
    donor, keeper = data["donor"], data["keeper"]
    lines_before = PledgeLine.objects.count()

    content = spreadsheet(ROWS)
    started = time.perf_counter()
    dataset = load_dataset(Upload(content, "pledge.xlsx"))
    resource = PledgeImportResource(donor=donor, user=keeper)
    result = resource.import_data(dataset, dry_run=False, raise_errors=False, use_transactions=True)
    seconds = time.perf_counter() - started
    written = PledgeLine.objects.count() - lines_before
    assert not import_errors(result), import_errors(result)[:3]
    assert written == ROWS, written

    bad = spreadsheet(ROWS, bad_row=ROWS - 7)
    before = PledgeLine.objects.count()
    dataset = load_dataset(Upload(bad, "pledge.xlsx"))
    result = PledgeImportResource(donor=donor, user=keeper).import_data(
        dataset, dry_run=False, raise_errors=False, use_transactions=True
    )
    problems = import_errors(result)
    return {
        "rows": ROWS,
        "seconds": round(seconds, 2),
        "rows_per_s": round(ROWS / seconds, 1),
        "bad_file_rows_written": PledgeLine.objects.count() - before,
        "bad_file_errors": [[n, m] for n, m in problems][:3],
    }


if __name__ == "__main__":
    with bench_database("donations_import"):
        result = main()
    print(json.dumps(result, ensure_ascii=False))
