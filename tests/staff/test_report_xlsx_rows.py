"""handlers/xlsx_rows.RowsSheet.write_rows writes the same worksheet XML as xlsxwriter's own write_row, byte for
byte, for plain rows (its fast path) and for every kind of row it hands back to xlsxwriter (strings to escape,
white space to preserve, control characters, bools, dates, blanks, very long text), with column formats whose
style indexes are given on first use."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import xlsxwriter

from handlers.report_xlsx import OPTIONS
from handlers.xlsx_rows import RowsSheet

ROWS: list[list[object]] = [
    ["José Peña", "td_one@a.k12.al.us", "Alpha", 1, 2.5, 0.25, 1e17, "Yes", 45000],
    [None, "", "Beta", 0, None, 3, 12.125, "No", None],  # blanks first: the dimensions start at the first cell
    ["Tom & Jerry <b>", "x@y", "Gamma", 1, 1, 1, 1, "No", 1],
    [" leading space", "trailing ", "tab\tinside", 1, 2, 3, 4, "Yes", 5],
    ["line\nbreak", 'quote "x"', "ctrl\x01char", 1, 2, 3, 4, "Yes", 5],
    ["_x0041_ escape-like", "non-char \ufffe", "ok", True, False, 3, 4, "Yes", date(2025, 1, 2)],
    [None, None, None, None, None, None, None, None, None],  # nothing at all: no row element
    ["long " * 7000, "ok", "ok", 1, 2, 3, 4, "No", 5],
    ["=1+1", "http://example.org", "+33", -1, -0.5, 3, 4, "No", 5],
    ["plain", "plain", "plain", 7, 8, 9, 10, "Yes", 11],
]


def _book(path: Path, fast: bool) -> None:
    wb = xlsxwriter.Workbook(str(path), OPTIONS)
    hours = wb.add_format({"num_format": "0.00"})
    day = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws = wb.add_worksheet("Data", RowsSheet)
    ws.set_column(3, 6, 10, hours)
    ws.set_column(8, 8, 12, day)
    ws.write_string(0, 0, "title", wb.add_format({"bold": True}))
    ws.write_row(1, 0, [f"head {i}" for i in range(9)])
    if fast:
        ws.write_rows(2, ROWS)
    else:
        for n, values in enumerate(ROWS, start=2):
            ws.write_row(n, 0, values)
    ws.freeze_panes(2, 1)
    ws.autofilter(1, 0, 1 + len(ROWS), 8)
    wb.close()


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}  # core.xml holds the time


def test_write_rows_writes_what_write_row_writes(tmp_path: Path) -> None:
    _book(tmp_path / "slow.xlsx", fast=False)
    _book(tmp_path / "fast.xlsx", fast=True)
    slow, fast = _parts(tmp_path / "slow.xlsx"), _parts(tmp_path / "fast.xlsx")
    assert fast.keys() == slow.keys()
    sheet = "xl/worksheets/sheet1.xml"
    assert b'<dimension ref="A1:I12"/>' in fast[sheet]
    assert fast[sheet] == slow[sheet]
    assert fast == slow


def test_write_rows_of_plain_values_only(tmp_path: Path) -> None:
    plain = [r for r in ROWS if r[0] == "plain" or r[2] == "Alpha"]
    for fast in (False, True):
        wb = xlsxwriter.Workbook(str(tmp_path / f"{fast}.xlsx"), OPTIONS)
        ws = wb.add_worksheet("Data", RowsSheet)
        ws.set_column(4, 4, 10, wb.add_format({"num_format": "0.00"}))
        if fast:
            ws.write_rows(0, plain)
        else:
            for n, values in enumerate(plain):
                ws.write_row(n, 0, values)
        wb.close()
    assert _parts(tmp_path / "True.xlsx") == _parts(tmp_path / "False.xlsx")
