"""Exports cannot attack their reader (issue 10, point 8): text typed by anyone never becomes a
live formula in the coordinator's xlsx or csv, while numbers stay numbers and dates stay dates."""

import datetime
from decimal import Decimal

import tablib
from django.utils import timezone

from portal.importexport import spreadsheet_bytes
from tests.spreadsheets import ATTACKS, assert_no_formula, csv_rows, workbook

# --- The helper ------------------------------------------------------------------------------


def test_the_helper_writes_text_as_text_and_keeps_numbers_and_dates_typed():
    when = timezone.make_aware(datetime.datetime(2026, 11, 30, 7, 30))
    dataset = tablib.Dataset(headers=["文本", "整数", "负数", "小数", "日期", "时间", "手机号"])
    for attack in ATTACKS:
        dataset.append(
            [attack, 12, -5, Decimal("-2.5"), datetime.date(2026, 12, 1), when, "13712345678"]
        )

    sheet = workbook(spreadsheet_bytes(dataset, "xlsx"))
    assert_no_formula(sheet)
    rows = list(sheet.iter_rows(min_row=2))
    # Exactly as typed, as text (XML stores a carriage return as a line feed).
    assert [row[0].value for row in rows] == [a.replace("\r", "\n") for a in ATTACKS]
    assert all(row[0].data_type == "s" for row in rows)
    first = rows[0]
    assert first[1].value == 12 and first[1].data_type == "n"
    assert first[2].value == -5 and first[2].data_type == "n"  # a negative number is a number
    assert first[3].value == -2.5 and first[3].data_type == "n"
    assert first[4].is_date and first[4].value.date() == datetime.date(2026, 12, 1)
    assert first[5].is_date and first[5].value == datetime.datetime(2026, 11, 30, 7, 30)
    assert first[6].value == "13712345678" and first[6].data_type == "s"

    lines = csv_rows(spreadsheet_bytes(dataset, "csv"))
    for line, attack in zip(lines[1:], ATTACKS, strict=True):
        assert line[0] == "'" + attack
        assert line[1:] == ["12", "-5", "-2.5", "2026-12-01", "2026-11-30 07:30", "13712345678"]


def test_plain_signed_numbers_written_as_text_are_left_alone():
    dataset = tablib.Dataset(["-5", "+86 137", "-", "=", "普通文本"], headers=list("abcde"))
    line = csv_rows(spreadsheet_bytes(dataset, "csv"))[1]
    assert line == ["-5", "'+86 137", "'-", "'=", "普通文本"]
