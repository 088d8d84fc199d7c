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

from donations_bench import base_data
from harness import bench_database

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
        self.name, self.size = name, len(content)


def main():
    from django.conf import settings

    from donations.models import Item, PledgeLine
    from donations.resources import PledgeImportResource
    from portal.importexport import describe_problems, read_dataset, read_upload, run_import

    def load(upload, resource):
        file_format, content = read_upload(upload)
        return read_dataset(content, file_format, resource, settings.IMPORT_MAX_ROWS_PUBLIC)

    data = base_data(lots=1, per_lot=1)
    Item.objects.create(name="84消毒液", category="disinfectant", unit="瓶")
    donor, keeper = data["donor"], data["keeper"]
    lines_before = PledgeLine.objects.count()

    content = spreadsheet(ROWS)
    started = time.perf_counter()
    resource = PledgeImportResource(donor=donor, user=keeper)
    result = run_import(resource, load(Upload(content, "pledge.xlsx"), resource), dry_run=False)
    seconds = time.perf_counter() - started
    written = PledgeLine.objects.count() - lines_before
    problems = describe_problems(resource, result)
    assert not problems, problems[:3]
    assert written == ROWS, written

    bad = spreadsheet(ROWS, bad_row=ROWS - 7)
    before = PledgeLine.objects.count()
    resource = PledgeImportResource(donor=donor, user=keeper)
    result = run_import(resource, load(Upload(bad, "pledge.xlsx"), resource), dry_run=False)
    problems = describe_problems(resource, result)
    return {
        "rows": ROWS,
        "seconds": round(seconds, 2),
        "rows_per_s": round(ROWS / seconds, 1),
        "bad_file_rows_written": PledgeLine.objects.count() - before,
        "bad_file_errors": [[p.row, p.message] for p in problems][:3],
    }


if __name__ == "__main__":
    with bench_database("donations_import"):
        result = main()
    print(json.dumps(result, ensure_ascii=False))
