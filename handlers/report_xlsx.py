"""The year-end report as an XLSX an SDE official can use as delivered: a Summary sheet (totals and a chart of the
compliance counts), the Directors sheet and the Completers sheet, each with the FY and an "as of" date in its
title rows, human headers, widths that fit, Excel dates and numbers, Yes/No, autofilter, frozen header and a
landscape print fitted to the page width.

xlsxwriter in constant-memory mode (rows streamed in order, about 3x faster than openpyxl), the Directors and
Completers rows written by handlers/xlsx_rows.py (the same XML, several times faster). Text is always written
as text: never turned into a formula or a link, whatever it starts with."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from handlers.report import TAIL, Column, Report, ReportRow
from handlers.xlsx_rows import RowsSheet
from rules.cto import Cto, CtoStatus
from rules.fiscal import fiscal_year_bounds

OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "default_date_format": "yyyy-mm-dd",
}
EXCEL_EPOCH = date(1899, 12, 30).toordinal()  # Excel's day 0 (serial 1 = 1900-01-01, after its 1900 leap-year bug)
HEADER_ROW = 3  # rows 0-2: title, "as of", fiscal year
CTO_LABELS = {
    CtoStatus.NOT_REQUIRED: "Not required",
    CtoStatus.ON_TRACK: "On track",
    CtoStatus.DUE_SOON: "Due soon",
    CtoStatus.OVERDUE: "Overdue",
    CtoStatus.COMPLETED: "Completed",
}
MIN_WIDTH, MAX_WIDTH = 8, 60
WIDTH_OF = {"date": 12, "yesno": 10, "hours": 10, "cto": 13}  # the widest value of each kind, in characters


class Formats:
    def __init__(self, wb: Workbook) -> None:
        self.title = wb.add_format({"bold": True, "font_size": 14})
        self.label = wb.add_format({"bold": True})
        self.date = wb.add_format({"num_format": "yyyy-mm-dd", "align": "left"})
        self.head = wb.add_format(
            {"bold": True, "text_wrap": True, "valign": "top", "bottom": 1, "bg_color": "#DDEBF7"}
        )
        self.hours = wb.add_format({"num_format": "0.00"})
        self.count = wb.add_format({"num_format": "#,##0"})
        self.share = wb.add_format({"num_format": "0.0%"})


def write_xlsx(path: Path, report: Report, cols: Sequence[Column]) -> None:
    wb = xlsxwriter.Workbook(str(path), OPTIONS)
    f = Formats(wb)
    summary = wb.add_worksheet("Summary")
    directors: RowsSheet = wb.add_worksheet("Directors", RowsSheet)
    completers: RowsSheet = wb.add_worksheet("Completers", RowsSheet)
    _summary(wb, summary, f, report)
    _table(directors, f, report, "technology directors", cols, [_xlsx_cells(r) for r in report.rows])
    done_cols = [
        Column("name", "Name", "text"),
        Column("email", "E-mail", "text"),
        Column("district", "District", "text"),
    ]
    _table(
        completers,
        f,
        report,
        "completers (PowerSchool Learning)",
        done_cols,
        [[r.name, r.email, r.district] for r in report.completers],
    )
    wb.close()


def _xlsx_cells(row: ReportRow) -> list[object]:
    """Yes/No, the CTO status in words, dates as Excel serial numbers (the column's format shows them as dates:
    much faster than a datetime conversion per cell); the other cells as they are."""
    out = list(row.cells)
    compliant, cto, *dates = out[-TAIL:]
    out[-TAIL] = "Yes" if compliant else "No"
    out[-TAIL + 1] = CTO_LABELS[cto.status] if isinstance(cto, Cto) else ""
    out[-TAIL + 2 :] = [d.toordinal() - EXCEL_EPOCH if isinstance(d, date) else None for d in dates]
    return out


def _titles(ws: Worksheet, f: Formats, report: Report, what: str) -> None:
    first, last = fiscal_year_bounds(report.fy)
    ws.write_string(0, 0, f"TD-CEU year-end report, FY{report.fy}: {what}", f.title)
    ws.write_string(1, 0, "As of", f.label)
    ws.write_datetime(1, 1, report.as_of, f.date)
    note = "" if report.as_of == report.made_on else f" (the FY has ended; produced {report.made_on.isoformat()})"
    if note:
        ws.write_string(1, 2, note.strip())
    ws.write_string(2, 0, "Fiscal year", f.label)
    ws.write_string(2, 1, f"FY{report.fy}: {first.isoformat()} to {last.isoformat()}")


def _table(
    ws: RowsSheet, f: Formats, report: Report, what: str, cols: Sequence[Column], rows: list[list[object]]
) -> None:
    _titles(ws, f, report, what)
    widths = [_width(c, rows, i) for i, c in enumerate(cols)]
    for i, c in enumerate(cols):
        ws.set_column(i, i, widths[i], {"hours": f.hours, "date": f.date}.get(c.kind))
    ws.set_row(HEADER_ROW, 15 * max(_lines(c.title, w) for c, w in zip(cols, widths, strict=True)))
    ws.write_row(HEADER_ROW, 0, [c.title for c in cols], f.head)
    ws.write_rows(HEADER_ROW + 1, rows)
    ws.freeze_panes(HEADER_ROW + 1, 1)
    ws.autofilter(HEADER_ROW, 0, HEADER_ROW + max(len(rows), 1), len(cols) - 1)
    _print(ws)


def _width(c: Column, rows: list[list[object]], i: int) -> int:
    """Characters: the longest value (text columns measured), or the kind's widest, and the header's longest word."""
    data = max((len(str(r[i])) for r in rows if r[i] is not None), default=0) if c.kind == "text" else WIDTH_OF[c.kind]
    word = max(len(w) for w in c.title.split())
    return min(MAX_WIDTH, max(MIN_WIDTH, data, word) + 2)


def _lines(title: str, width: int) -> int:
    """Header lines once wrapped at the column's width (at most 5)."""
    lines, used = 1, 0
    for word in title.split():
        if used and used + 1 + len(word) > width - 1:
            lines, used = lines + 1, len(word)
        else:
            used += len(word) + (1 if used else 0)
    return min(lines, 5)


def _print(ws: Worksheet) -> None:
    ws.set_landscape()
    ws.set_paper(1)  # US Letter
    ws.fit_to_pages(1, 0)  # the page width, as many pages down as needed
    ws.repeat_rows(HEADER_ROW)
    ws.set_footer("&LTD-CEU year-end report&RPage &P of &N")


def _summary(wb: Workbook, ws: Worksheet, f: Formats, report: Report) -> None:
    _titles(ws, f, report, "summary")
    rows = report.rows
    compliant = sum(1 for r in rows if r.compliant)
    alet, external, credited, needed = (float(sum(r.hours[i] for r in rows)) for i in range(4))
    cto = Counter(r.cto for r in rows)
    lines: list[tuple[str, Any, Any]] = [
        ("Directors in the report", len(rows), f.count),
        ("Compliant", compliant, f.count),
        ("Not compliant", len(rows) - compliant, f.count),
        ("Share compliant", compliant / len(rows) if rows else 0, f.share),
        ("ALET hours", alet, f.hours),
        ("External hours credited", external, f.hours),
        ("Credited hours", credited, f.hours),
        ("Hours still needed", needed, f.hours),
        *((f"CTO Academy: {label}", cto.get(status, 0), f.count) for status, label in CTO_LABELS.items()),
    ]
    ws.set_column(0, 0, max(len(label) for label, _v, _f in lines) + 2)
    ws.set_column(1, 1, 14)
    ws.write_row(HEADER_ROW, 0, ["Figure", "Value"], f.head)
    for n, (label, value, fmt) in enumerate(lines, start=HEADER_ROW + 1):
        ws.write_string(n, 0, label)
        ws.write_number(n, 1, value, fmt)
    chart = wb.add_chart({"type": "column"})
    first = HEADER_ROW + 2  # the Compliant line; Not compliant follows it
    chart.add_series(
        {
            "name": "Directors",
            "categories": ["Summary", first, 0, first + 1, 0],
            "values": ["Summary", first, 1, first + 1, 1],
            "points": [{"fill": {"color": "#2E7D32"}}, {"fill": {"color": "#C62828"}}],
            "data_labels": {"value": True},
        }
    )
    chart.set_title({"name": f"FY{report.fy} compliance"})
    chart.set_legend({"none": True})
    chart.set_y_axis({"name": "Directors", "min": 0})
    ws.insert_chart(HEADER_ROW, 3, chart)
    ws.set_landscape()
    ws.fit_to_pages(1, 1)
