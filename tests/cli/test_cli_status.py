"""`ceu-bot status EMAIL --json` against the SPEC §5 status object (key for key), the SPEC's example situation,
`ceu-bot catalog --json` and `ceu-bot roll-forward`."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.cli.test_cli_run import Cli
from tests.paths import SHARED

SPEC = SHARED / "SPEC.md"  # ../shared beside the clone


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path)


# SPEC §5's situation: ALET 3 h (strand 1) + 1 h (strand 3); external 6 h (strand 5, first) + 2 h (strand 2,
# beyond the 6-hour maximum, so it counts toward no strand). Role start 2024-10-15: CTO deadline 2026-10-15.
SPEC_ATTENDANCE = """email,activity_code,date,hours,strands
td@a.k12.al.us,FALL24,2024-11-05,3,1
td@a.k12.al.us,REGION25,2025-04-10,1,3
td@a.k12.al.us,EXT-ISTE,2024-12-01,6,5
td@a.k12.al.us,EXT-AETC,2025-01-10,2,2
"""

SPEC_OBJECT = {
    "email": "td@a.k12.al.us",
    "name": "Alex Director",
    "district": "Alpha County",
    "fiscal_year": 2025,
    "period_start": "2024-10-01",
    "period_end": "2025-09-30",
    "credited_hours": 10.0,
    "alet_hours": 4.0,
    "external_hours": 8.0,
    "external_credited_hours": 6.0,
    "pending_hours": 0.0,
    "remaining_hours": 2.0,
    "remaining_alet_hours": 2.0,
    "compliant": False,
    "strand_hours": {"1": 3.0, "2": 0.0, "3": 1.0, "4": 0.0, "5": 6.0, "6": 0.0},
    "strand_gaps": [2, 4, 6],
    "cto_academy": {"required": True, "deadline": "2026-10-15", "completed_on": None, "status": "overdue"},
}


def spec_example() -> dict[str, Any]:
    if not SPEC.exists():
        pytest.skip(f"the SPEC is not at {SPEC} (../shared is absent here)")
    text = SPEC.read_text(encoding="utf-8").split("Status object", 1)[1]
    block = re.search(r"```json\n(.*?)```", text, re.DOTALL)
    assert block
    return dict(json.loads(block.group(1)))


def shape(value: Any) -> Any:
    """Keys and JSON types, recursively (the values left out)."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return ["list", *sorted({type(v).__name__ for v in value})]
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if value is None:
        return "null-or-string"
    return "null-or-string" if isinstance(value, str) else type(value).__name__


def status(cli: Cli, email: str, *args: str) -> dict[str, Any]:
    run = cli.ok("status", email, "--json", *args)
    lines = run.out.strip().splitlines()
    assert len(lines) == 1, run.out
    return dict(json.loads(lines[0]))


def test_spec_example_situation_exactly(cli: Cli) -> None:
    cli.seed()
    cli.load("attendance", SPEC_ATTENDANCE)
    got = status(cli, "td@a.k12.al.us", "--fy", "2025", "--today", "2026-11-23")
    assert got == SPEC_OBJECT
    assert list(got) == list(spec_example())  # the same keys in the SPEC's order
    assert shape(got) == shape(spec_example())


def test_spec_example_object_is_what_the_spec_prints(cli: Cli) -> None:
    spec = spec_example()
    assert {k: v for k, v in spec.items() if k not in ("email", "name", "district")} == {
        k: v for k, v in SPEC_OBJECT.items() if k not in ("email", "name", "district")
    }


def test_numbers_are_json_numbers(cli: Cli) -> None:
    cli.seed()
    cli.load("attendance", SPEC_ATTENDANCE)
    run = cli.ok("status", "td@a.k12.al.us", "--json", "--fy", "2025", "--today", "2026-11-23")
    assert '"credited_hours": 10.0' in run.out
    assert '"strand_hours": {"1": 3.0, "2": 0.0, "3": 1.0, "4": 0.0, "5": 6.0, "6": 0.0}' in run.out
    assert '"strand_gaps": [2, 4, 6]' in run.out


def test_status_of_a_director_with_nothing_yet(cli: Cli) -> None:
    cli.seed()
    got = status(cli, "OLD@b.k12.al.us", "--today", "2025-03-03")
    assert got["fiscal_year"] == 2025
    assert got["email"] == "old@b.k12.al.us"
    assert got["credited_hours"] == 0.0
    assert got["remaining_hours"] == 12.0
    assert got["remaining_alet_hours"] == 6.0
    assert got["strand_gaps"] == [1, 2, 3, 4, 5, 6]
    assert got["strand_hours"] == {str(n): 0.0 for n in range(1, 7)}
    assert got["cto_academy"] == {"required": False, "deadline": None, "completed_on": None, "status": "not_required"}
    assert shape(got) == shape(spec_example())


@pytest.mark.parametrize(
    ("today", "fy", "start", "end"),
    [
        ("2024-10-01", 2025, "2024-10-01", "2025-09-30"),
        ("2025-09-30", 2025, "2024-10-01", "2025-09-30"),
        ("2025-10-01", 2026, "2025-10-01", "2026-09-30"),
        ("2025-12-31", 2026, "2025-10-01", "2026-09-30"),
        ("2026-01-01", 2026, "2025-10-01", "2026-09-30"),
        ("2028-02-29", 2028, "2027-10-01", "2028-09-30"),
    ],
)
def test_the_fy_defaults_to_the_one_today_falls_in(cli: Cli, today: str, fy: int, start: str, end: str) -> None:
    cli.seed()
    got = status(cli, "old@b.k12.al.us", "--today", today)
    assert (got["fiscal_year"], got["period_start"], got["period_end"]) == (fy, start, end)


def test_a_later_fy_starts_from_zero_and_the_compliant_director(cli: Cli) -> None:
    cli.seed()
    cli.load(
        "attendance",
        "email,activity_code,date,hours,strands\n"
        "done@c.k12.al.us,FALL24,2024-11-05,6,1;5\n"
        "done@c.k12.al.us,EXT-COSN,2025-03-01,6,3\n"
        "done@c.k12.al.us,EXT-ISTE,2025-06-30,0.25,2\n",
    )
    got = status(cli, "done@c.k12.al.us", "--fy", "2025", "--today", "2025-09-30")
    assert got["compliant"] is True
    assert (got["credited_hours"], got["remaining_hours"], got["remaining_alet_hours"]) == (12.0, 0.0, 0.0)
    assert (got["external_hours"], got["external_credited_hours"]) == (6.25, 6.0)
    assert got["strand_hours"] == {"1": 6.0, "2": 0.0, "3": 6.0, "4": 0.0, "5": 6.0, "6": 0.0}
    assert got["cto_academy"] == {
        "required": True,
        "deadline": "2027-01-06",
        "completed_on": "2025-06-30",
        "status": "completed",
    }
    nxt = status(cli, "done@c.k12.al.us", "--today", "2025-10-01")
    assert nxt["fiscal_year"] == 2026
    assert nxt["credited_hours"] == 0.0 and nxt["compliant"] is False


def test_cto_status_around_the_deadline(cli: Cli) -> None:
    cli.seed()
    for today, expected in [
        ("2025-03-03", "on_track"),
        ("2026-07-16", "on_track"),  # 91 days before 2026-10-15
        ("2026-07-17", "due_soon"),  # 90 days before
        ("2026-10-15", "due_soon"),
        ("2026-10-16", "overdue"),
    ]:
        got = status(cli, "td@a.k12.al.us", "--fy", "2025", "--today", today)
        assert got["cto_academy"]["status"] == expected, today


def test_text_status_is_readable(cli: Cli) -> None:
    cli.seed()
    cli.load("attendance", SPEC_ATTENDANCE)
    run = cli.ok("status", "td@a.k12.al.us", "--fy", "2025", "--today", "2025-06-01")
    assert "2 more hours" in run.out and "2 of them from ALET" in run.out
    assert "Teaching and Learning" in run.out


def test_catalog_json_lines(cli: Cli) -> None:
    cli.seed()
    run = cli.ok("catalog", "--fy", "2025", "--json")
    items = [json.loads(line) for line in run.out.strip().splitlines()]
    assert len(items) == 26  # 20 shipped external events + the 6 imported activities
    for item in items:
        assert {"code", "title", "kind", "hours", "up_to", "strands"} <= set(item)
        assert isinstance(item["hours"], float)
        assert isinstance(item["up_to"], bool)
        assert item["strands"] and all(isinstance(n, int) and 1 <= n <= 6 for n in item["strands"])
    by_code = {i["code"]: i for i in items}
    assert by_code["EXT-COSN-CTO-WORKSHOP"] | {"title": ""} == {
        "fy": 2025,
        "code": "EXT-COSN-CTO-WORKSHOP",
        "title": "",
        "kind": "external",
        "date": None,
        "hours": 1.0,
        "up_to": False,
        "per_unit": True,
        "counts_for_td": True,
        "evidence": "file",
        "earliest": None,
        "end": None,
        "once": False,
        "strands": [1],
    }
    assert by_code["EXT-GOOGLE-CERT-L1"]["earliest"] == "2024-10-01"
    assert by_code["EXT-GOOGLE-CERT-L1"]["once"] is True
    assert (by_code["EXT-AASA-AI-2025"]["date"], by_code["EXT-AASA-AI-2025"]["end"]) == ("2025-01-30", "2025-01-31")
    assert by_code["TALENT-DATA"]["hours"] == 1.5 and by_code["TALENT-DATA"]["up_to"] is False
    assert by_code["TALENT-INTRO"]["counts_for_td"] is False
    assert by_code["FALL24"]["strands"] == [1, 5] and by_code["FALL24"]["date"] == "2024-11-05"
    text = cli.ok("catalog", "--fy", "2025")
    assert "CoSN CTO Academy workshops" in text.out


def test_roll_forward_command_copies_a_catalog(cli: Cli) -> None:
    cli.seed()
    empty = cli.ok("catalog", "--fy", "2026", "--json")
    assert empty.out == ""
    run = cli.ok("roll-forward", "--from", "2025", "--to", "2026")
    # the undated external events only: the 5 ALET activities and the 4 dated one-off events stay in FY2025
    assert "17 external events copied from FY2025" in run.out
    assert "Not copied: 4 dated external events" in run.out and "5 ALET activities" in run.out
    items = [json.loads(line) for line in cli.ok("catalog", "--fy", "2026", "--json").out.splitlines()]
    assert len(items) == 17
    assert all(i["fy"] == 2026 and i["date"] is None and i["kind"] == "external" for i in items)
    again = cli.ok("roll-forward", "--from", "2025", "--to", "2026")
    assert "0 external events copied" in again.out and "17 already there" in again.out
    assert len(cli.ok("catalog", "--fy", "2026", "--json").out.splitlines()) == 17


def test_the_today_option_names_the_configured_zone(cli: Cli) -> None:
    """--today stands in for today in CEU_TIMEZONE (not always Chicago): every command that takes it says so."""
    for command in ("status", "remind"):
        text = " ".join(cli.ok(command, "--help").out.split())
        assert "in CEU_TIMEZONE (default America/Chicago)" in text, text
