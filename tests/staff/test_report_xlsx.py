"""The year-end report as delivered to an SDE official, read back with openpyxl: human headers, widths that fit,
Excel dates and numbers, Yes/No, title rows with the FY and "as of", autofilter, frozen header, landscape print
fitted to the width, a Summary sheet with totals and a chart, district and e-mail on Completers; the CSV in UTF-8
with a BOM; a past FY with the people on the roster in it and the CTO Academy as of that FY's end."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from handlers.context import Context
from handlers.report import write_report
from handlers.roster import set_roster_active
from tests.conftest import load, seed_basic

EXTRA = """email,name,district,role_start,cto_completed,roles
jose@d.k12.al.us,José Peña,Delta County Schools of the Very Long District Name,2024-11-01,,director
"""
ATTENDANCE = """email,activity_code,date,hours
jose@d.k12.al.us,FALL24,2024-11-05,6
jose@d.k12.al.us,CAMP25,2025-02-20,6
td@a.k12.al.us,FALL24,2024-11-05,3
"""
TITLES = [
    "Name",
    "E-mail",
    "District",
    "ALET hours",
    "External hours credited",
    "Credited hours",
    "Hours still needed",
    "Strand 1: Roles and Responsibilities (hours)",
    "Strand 2: Teaching and Learning (hours)",
    "Strand 3: Technology Planning and Budgeting (hours)",
    "Strand 4: Ethics, Laws, and Policies (hours)",
    "Strand 5: IT Management and Cybersecurity (hours)",
    "Strand 6: Data Management and Governance (hours)",
    "Compliant",
    "CTO Academy status",
    "CTO Academy deadline",
    "Role start",
    "CTO Academy completed",
]


def _report(ctx: Context, tmp_path: Path, fy: int = 2025) -> Path:
    out = tmp_path / f"out-{fy}-{ctx.today}"
    write_report(ctx, fy, out)
    return out


def _seeded(ctx: Context) -> None:
    seed_basic(ctx)
    load(ctx, "roster", EXTRA)
    load(ctx, "attendance", ATTENDANCE)


def _rows(ws: Worksheet) -> dict[str, list[object]]:
    return {str(r[1]): list(r) for r in ws.iter_rows(min_row=5, values_only=True)}


def test_directors_sheet_reads_like_a_report(any_ctx: Context, tmp_path: Path) -> None:
    _seeded(any_ctx)
    wb = load_workbook(_report(any_ctx, tmp_path) / "td-ceu-FY2025.xlsx")
    assert wb.sheetnames == ["Summary", "Directors", "Completers"]
    ws = wb["Directors"]
    assert "FY2025" in str(ws["A1"].value)
    assert ws["A2"].value == "As of" and ws["B2"].value == datetime(2025, 3, 3) and ws["B2"].is_date
    assert ws["B3"].value == "FY2025: 2024-10-01 to 2025-09-30"
    assert [c.value for c in ws[4]] == TITLES
    rows = _rows(ws)
    assert set(rows) == {"td@a.k12.al.us", "old@b.k12.al.us", "jose@d.k12.al.us"}  # staff without hours left out
    jose = rows["jose@d.k12.al.us"]
    assert jose[:7] == ["José Peña", "jose@d.k12.al.us", EXTRA.split(",")[7], 12, 0, 12, 0]
    assert jose[13:] == ["Yes", "On track", datetime(2026, 11, 1), datetime(2024, 11, 1), None]
    assert rows["td@a.k12.al.us"][13] == "No" and rows["old@b.k12.al.us"][14] == "Not required"
    first_body = ws[5]
    assert all(c.data_type == "n" and c.number_format == "0.00" for c in first_body[3:13])
    assert first_body[15].is_date and first_body[16].is_date
    assert ws.freeze_panes == "B5"
    last = get_column_letter(len(TITLES))
    assert ws.auto_filter.ref == f"A4:{last}7"
    assert ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToWidth in (None, 1)  # one page wide (1 is the file format's default, so left out)
    assert ws.page_setup.fitToHeight == 0  # as many pages down as needed
    assert ws.print_title_rows == "$4:$4"


def test_column_widths_fit_the_values_and_headers(any_ctx: Context, tmp_path: Path) -> None:
    _seeded(any_ctx)
    wb = load_workbook(_report(any_ctx, tmp_path) / "td-ceu-FY2025.xlsx")
    for name in ("Directors", "Completers"):
        ws = wb[name]
        header = [c.value for c in ws[4]]
        for i, title in enumerate(header, start=1):
            width = ws.column_dimensions[get_column_letter(i)].width
            cells = [c for (c,) in ws.iter_rows(min_row=5, min_col=i, max_col=i)]
            longest = max((len(str(c.value)) for c in cells if c.data_type == "s"), default=0)
            assert width >= longest, (name, title, width, longest)
            assert width >= max(len(w) for w in str(title).split()), (name, title)
            assert width <= 62
        assert ws[4][0].alignment.wrap_text
    assert (wb["Directors"].row_dimensions[4].height or 0) >= 45  # the long strand headers wrap onto 3+ lines


def test_summary_has_totals_and_a_compliance_chart(any_ctx: Context, tmp_path: Path) -> None:
    _seeded(any_ctx)
    wb = load_workbook(_report(any_ctx, tmp_path) / "td-ceu-FY2025.xlsx")
    ws = wb["Summary"]
    assert "FY2025" in str(ws["A1"].value) and ws["B2"].value == datetime(2025, 3, 3)
    figures = {r[0]: r[1] for r in ws.iter_rows(min_row=5, max_col=2, values_only=True)}
    assert figures["Directors in the report"] == 3
    assert figures["Compliant"] == 1 and figures["Not compliant"] == 2
    assert figures["Credited hours"] == 15 and figures["ALET hours"] == 15
    assert figures["Hours still needed"] == 9 + 12
    assert figures["CTO Academy: On track"] == 2 and figures["CTO Academy: Not required"] == 1
    charts = ws._charts
    assert len(charts) == 1
    chart = charts[0]
    assert chart.tagname == "barChart" and chart.barDir == "col"
    ref = chart.series[0].val.numRef.f
    assert ref == "Summary!$B$6:$B$7"  # the Compliant and Not compliant counts
    assert ws.page_setup.orientation == "landscape"


def test_completers_sheet_and_csv_encoding(any_ctx: Context, tmp_path: Path) -> None:
    _seeded(any_ctx)
    out = _report(any_ctx, tmp_path)
    ws = load_workbook(out / "td-ceu-FY2025.xlsx")["Completers"]
    assert [c.value for c in ws[4]] == ["Name", "E-mail", "District"]
    district = EXTRA.split(",")[7]
    assert [list(r) for r in ws.iter_rows(min_row=5, values_only=True)] == [["José Peña", "jose@d.k12.al.us", district]]
    assert ws.freeze_panes == "B5" and ws.auto_filter.ref == "A4:C5"
    raw = (out / "td-ceu-FY2025.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and "José Peña".encode() in raw
    done = (out / "td-ceu-FY2025-completers.csv").read_bytes()
    assert done.startswith(b"\xef\xbb\xbfname,email,district\r\n") and "José Peña".encode() in done


def test_a_past_fy_lists_who_was_on_the_roster_with_cto_as_of_its_end(any_ctx: Context, tmp_path: Path) -> None:
    _seeded(any_ctx)
    set_roster_active(replace(any_ctx, today=date(2025, 10, 1)), "cli", "old@b.k12.al.us", False)
    later = replace(any_ctx, today=date(2026, 3, 2))
    load(later, "roster", EXTRA.replace("2024-11-01,,", "2024-11-01,2026-01-10,"))  # completed after FY2025
    past = load_workbook(_report(later, tmp_path, 2025) / "td-ceu-FY2025.xlsx")["Directors"]
    assert past["B2"].value == datetime(2025, 9, 30) and "ended" in str(past["C2"].value)
    rows = _rows(past)
    assert "old@b.k12.al.us" in rows  # on the roster during FY2025
    assert rows["jose@d.k12.al.us"][14:] == ["On track", datetime(2026, 11, 1), datetime(2024, 11, 1), None]
    now = load_workbook(_report(later, tmp_path, 2026) / "td-ceu-FY2026.xlsx")["Directors"]
    rows = _rows(now)
    assert "old@b.k12.al.us" not in rows  # off the roster for the whole of FY2026
    assert rows["jose@d.k12.al.us"][14:] == [
        "Completed",
        datetime(2026, 11, 1),
        datetime(2024, 11, 1),
        datetime(2026, 1, 10),
    ]
