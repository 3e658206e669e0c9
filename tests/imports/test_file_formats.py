"""docs/file-formats.md and examples/: each example file imports cleanly (SQLite and PostgreSQL), the reference
page lists every column each import reads, and the friendlier refusals: a US date gets its ISO form, strands by
name are accepted (an unknown one is refused with the numbered list), a semicolon-separated file is named, an empty
file is called empty, and unknown extra columns are ignored with a warning naming them."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import col, select

from handlers.context import Context
from handlers.imports import COLUMNS, ImportRefused, import_bytes
from storage.tables import CreditRecord, Person
from tests.cli.test_cli_run import Cli
from tests.conftest import seed_basic
from tests.paths import REPO

ROOT = REPO
EXAMPLES = ROOT / "examples"
DOC = ROOT / "docs" / "file-formats.md"
STRAND_LIST = "1 Roles and Responsibilities; 2 Teaching and Learning; 3 Technology Planning and Budgeting"


def _import(ctx: Context, kind: str, data: bytes | str, fy: int | None = None) -> str:
    raw = data.encode() if isinstance(data, str) else data
    return import_bytes(ctx, kind, raw, f"{kind}.csv", fy=fy).summary()


def _refused(ctx: Context, kind: str, data: bytes | str, fy: int | None = None) -> list[str]:
    with pytest.raises(ImportRefused) as exc:
        _import(ctx, kind, data, fy)
    return exc.value.problems


def test_the_examples_import_cleanly(any_ctx: Context) -> None:
    ctx = replace(any_ctx, today=date(2025, 9, 1))
    roster = import_bytes(ctx, "roster", (EXAMPLES / "roster.csv").read_bytes(), "roster.csv")
    catalog = import_bytes(ctx, "catalog", (EXAMPLES / "catalog.csv").read_bytes(), "catalog.csv", fy=2025)
    attendance = import_bytes(ctx, "attendance", (EXAMPLES / "attendance.csv").read_bytes(), "attendance.csv")
    assert (roster.rows, roster.added, roster.ignored) == (7, 7, ())
    assert (catalog.rows, catalog.added, catalog.ignored) == (9, 9, ())
    assert (attendance.rows, attendance.added, attendance.ignored) == (8, 8, ())
    with ctx.session() as session:
        inactive = session.exec(select(Person.email).where(col(Person.active).is_(False))).all()
        units = session.exec(select(CreditRecord.unit).where(CreditRecord.unit != "")).all()
    assert inactive == ["sam.retired@delta.k12.al.us"]
    assert sorted(units) == ["budgeting for technology", "leading change"]  # a unit is matched without case
    again = import_bytes(ctx, "attendance", (EXAMPLES / "attendance.csv").read_bytes(), "attendance.csv")
    assert (again.added, again.skipped) == (0, 8)


def _documented(section: str) -> set[str]:
    text = DOC.read_text(encoding="utf-8")
    body = text.split(f"## {section}", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([a-z_]+)` \|", body, flags=re.MULTILINE))


@pytest.mark.parametrize(
    ("kind", "section"), [("roster", "Roster"), ("catalog", "Catalog"), ("attendance", "Attendance")]
)
def test_the_reference_page_lists_every_column(kind: str, section: str) -> None:
    required, optional = COLUMNS[kind]
    assert {*required, *optional} <= _documented(section)
    header = (EXAMPLES / f"{kind}.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    assert set(header) == {*required, *optional} & set(header) and set(required) <= set(header)


def test_the_readme_links_the_reference_page() -> None:
    assert "docs/file-formats.md" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_a_us_date_is_refused_with_its_iso_form(ctx: Context) -> None:
    seed_basic(ctx)
    head = "email,activity_code,date,hours\n"
    assert _refused(ctx, "attendance", head + "td@a.k12.al.us,FALL24,11/5/2024,4\n") == [
        "line 2: date '11/5/2024' is not a date like 2025-03-14: use 2024-11-05"
    ]
    roster = "email,name,district,role_start,cto_completed,roles\nx@y.k12.al.us,X Y,Z,10/15/2024,,\n"
    assert _refused(ctx, "roster", roster) == [
        "line 2: role_start '10/15/2024' is not a date like 2025-03-14: use 2024-10-15"
    ]
    problems = _refused(ctx, "attendance", head + "td@a.k12.al.us,FALL24,2024/11/05,4\n")
    assert problems[0].endswith("use 2024-11-05")
    problems = _refused(ctx, "attendance", head + "td@a.k12.al.us,FALL24,13/31/2024,4\n")  # not a day: no hint
    assert problems == ["line 2: date '13/31/2024' is not a date like 2025-03-14"]


def test_strands_by_name_are_accepted_and_an_unknown_one_lists_them(ctx: Context) -> None:
    seed_basic(ctx)
    head = "email,activity_code,date,hours,strands\n"
    rows = (
        'td@a.k12.al.us,FALL24,2024-11-05,4,"ethics, laws, and policies;Data Management & Governance"\n'
        "old@b.k12.al.us,FALL24,2024-11-05,4,IT Management and Cybersecurity\n"
    )
    assert "2 added" in _import(ctx, "attendance", head + rows)
    with ctx.session() as session:
        masks = sorted(session.exec(select(CreditRecord.strands)).all())
    assert masks == [0b010000, 0b101000]  # strand 5; strands 4 and 6
    problems = _refused(ctx, "attendance", head + "td@a.k12.al.us,CAMP25,2025-02-20,1,Cyber\n")
    assert problems[0].startswith("line 2: strand 'Cyber' is not a strand number or name; the strands are ")
    assert STRAND_LIST in problems[0] and "6 Data Management and Governance" in problems[0]
    problems = _refused(ctx, "attendance", head + "td@a.k12.al.us,CAMP25,2025-02-20,1,7\n")
    assert "strand 7 is not one of 1, 2, 3, 4, 5, 6 (1 Roles and Responsibilities;" in problems[0]


def test_a_semicolon_separated_file_is_named(ctx: Context) -> None:
    seed_basic(ctx)
    data = "email;activity_code;date;hours\ntd@a.k12.al.us;FALL24;2024-11-05;4\n"
    (problem,) = _refused(ctx, "attendance", data)
    assert "separated by semicolons (;), not commas" in problem and "CSV (comma delimited)" in problem
    (tabs,) = _refused(ctx, "attendance", data.replace(";", "\t"))
    assert "separated by tabs" in tabs


@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf", b"  \r\n\n"])
def test_an_empty_file_is_called_empty(ctx: Context, data: bytes) -> None:
    assert _refused(ctx, "roster", data) == ["the file is empty: no header and no rows (is it the right file?)"]


def test_unknown_extra_columns_are_ignored_with_a_warning(ctx: Context, tmp_path: Path) -> None:
    seed_basic(ctx)
    data = "email,activity_code,date,hours,Colour,notes\ntd@a.k12.al.us,FALL24,2024-11-05,4,red,=1+1\n"
    summary = _import(ctx, "attendance", data)
    assert "1 added" in summary
    assert summary.endswith("Warning: column(s) colour, notes ignored (not read by the attendance import).")
    cli = Cli(tmp_path / "cli")
    cli.data_dir.mkdir()
    run = cli.ok(
        "import",
        "roster",
        cli.file("r.csv", "email,name,district,role_start,cto_completed,roles,phone\na@b.k12.al.us,A B,C,,,,555\n"),
    )
    assert "1 added" in run.out and "column(s) phone ignored" in run.out
