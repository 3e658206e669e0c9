"""Policy data: the shipped FY2025 file against the seed (six strands, the 20 approved external events with caps,
"up to", per-unit, earliest dates, the one-off events' date ranges and the one-time certifications and courses),
later FYs inheriting numbers and strands with empty catalogs, roll-forward (dated events left behind, flags kept)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import col, func, select

from handlers.context import Context
from rules.policy import Evidence, Kind
from storage.catalog import catalog, roll_forward
from storage.policy_data import (
    PolicyFileError,
    first_policy_fy,
    load_shipped_policies,
    policy_for,
    read_policy_file,
    shipped_policies,
)
from storage.tables import CatalogEntry, PolicyYear
from tests.paths import REPO, SHARED

SEED = SHARED / "seeds" / "000_01bc9aa901d50e62.txt"
FY2025 = REPO / "storage" / "policies" / "fy2025.toml"

STRANDS = {
    1: "Roles and Responsibilities",
    2: "Teaching and Learning",
    3: "Technology Planning and Budgeting",
    4: "Ethics, Laws, and Policies",
    5: "IT Management and Cybersecurity",
    6: "Data Management and Governance",
}

# seed wording -> (code, hours, up_to, per_unit, earliest)
EVENTS = {
    "E-Rate Boot Camp": ("EXT-ERATE-BOOTCAMP", 3, False, False, None),
    "EdTech Region Meetings": ("EXT-SDE-REGION", 3, True, False, None),
    "(AETC)": ("EXT-AETC", 3, True, False, None),
    "PowerSchool Conference": ("EXT-AL-POWERSCHOOL", 3, True, False, None),
    "Government Digital Summit 2024": ("EXT-AL-GOV-DIGITAL-2024", 3, False, False, None),
    "AASA AI Summit": ("EXT-AASA-AI-2025", 3, True, False, None),
    "PLUACLD1185": ("EXT-ATIM-PLUACLD1185", 3, False, False, None),
    "Network+": ("EXT-CBT-NETWORK-PLUS", 4, False, False, None),
    "Security+": ("EXT-CBT-SECURITY-PLUS", 4, False, False, None),
    "annual conference (CoSN)": ("EXT-COSN", 6, True, False, None),
    "CoSN CTO Academy workshops": ("EXT-COSN-CTO-WORKSHOP", 1, False, True, None),
    "Technology Leadership Summit": ("EXT-DA-TECH-SUMMIT-2024", 3, True, False, None),
    "Future of Educational Technology": ("EXT-FETC", 6, True, False, None),
    "(ISTE)": ("EXT-ISTE", 6, True, False, None),
    "Google Certification Level 1": ("EXT-GOOGLE-CERT-L1", 3, False, False, date(2024, 10, 1)),
    "Light Brigade": ("EXT-LIGHT-BRIGADE-FIBER", 3, False, False, None),
    "(K12SIX)": ("EXT-K12SIX", 3, True, False, None),
    "RTM 2025": ("EXT-RTM-2025-K12", 3, True, False, None),
    "Southeast Cybersecurity Summit": ("EXT-SE-CYBER-SUMMIT", 3, True, False, None),
    "Microsoft Defend Against Threats": ("EXT-MS-DEFEND-WEBINAR", 1, False, False, None),
}

# the one-off events and the days they count on (the seed's "January 30/31, 2025", "Dec 2024", the year in the name
# as the part of FY2025 in it); every other event is undated (any day of FY2025)
DATED = {
    "EXT-AASA-AI-2025": (date(2025, 1, 30), date(2025, 1, 31)),
    "EXT-DA-TECH-SUMMIT-2024": (date(2024, 12, 1), date(2024, 12, 31)),
    "EXT-AL-GOV-DIGITAL-2024": (date(2024, 10, 1), date(2024, 12, 31)),
    "EXT-RTM-2025-K12": (date(2025, 1, 1), date(2025, 9, 30)),
}

# certifications, exams and single courses: credited once per director, ever
ONCE = {
    "EXT-CBT-NETWORK-PLUS",
    "EXT-CBT-SECURITY-PLUS",
    "EXT-GOOGLE-CERT-L1",
    "EXT-ATIM-PLUACLD1185",
    "EXT-LIGHT-BRIGADE-FIBER",
    "EXT-MS-DEFEND-WEBINAR",
}


def seed_events() -> list[str]:
    if not SEED.exists():
        pytest.skip(f"the seed is not at {SEED} (../shared is absent here)")
    text = SEED.read_text(encoding="utf-8")
    block = text.split("Approved External Events:", 1)[1].split("Request an External Event", 1)[0]
    return [line.strip().lstrip("- ").strip() for line in block.splitlines() if line.strip()]


def seed_amount(line: str) -> tuple[int, bool, bool]:
    """(hours, up_to, per_unit) as the seed words them."""
    m = re.search(r"(up to )?(\d+) (?:credit )?hours?( each)?", line, re.IGNORECASE)
    assert m, line
    return int(m.group(2)), m.group(1) is not None, m.group(3) is not None


def test_seed_lists_twenty_events_and_the_table_matches_its_wording() -> None:
    lines = seed_events()
    assert len(lines) == 20
    for line in lines:
        (fragment,) = [f for f in EVENTS if f in line]
        _code, hours, up_to, per_unit, _earliest = EVENTS[fragment]
        assert seed_amount(line) == (hours, up_to, per_unit), line
        assert ("after Oct 1, 2024" in line) == (_earliest is not None)


def test_shipped_fy2025_numbers_and_strands() -> None:
    policy, _items = read_policy_file(FY2025)
    assert policy.fy == 2025
    assert (policy.required, policy.alet_minimum, policy.external_maximum) == (48, 24, 24)
    assert policy.strands == STRANDS
    assert policy.require_all_strands is False
    assert policy.cto_applies_from == date(2024, 10, 1)
    assert policy.cto_months == 24
    assert policy.cto_due_soon_days == 90
    assert policy.fy_reminder_days == (90, 60, 30, 14, 7, 1)
    assert policy.cto_reminder_days == (180, 90, 30, 7)
    assert policy.unsnoozable_days == (7, 1)
    assert "tdceu@alet.org" in policy.contact


def test_shipped_fy2025_catalog_is_the_twenty_seed_events() -> None:
    _policy, items = read_policy_file(FY2025)
    by_code = {i.code: i for i in items}
    assert len(items) == 20 == len(by_code)
    for fragment, (code, hours, up_to, per_unit, earliest) in EVENTS.items():
        item = by_code[code]
        assert item.kind is Kind.EXTERNAL
        assert item.fy == 2025
        assert fragment.strip("()") in item.title or fragment in item.title, (fragment, item.title)
        assert item.cap == hours * 4, code
        assert item.up_to is up_to, code
        assert item.per_unit is per_unit, code
        assert item.earliest == earliest, code
        assert item.strands != 0 and item.strands < 64, code
        assert item.evidence in (Evidence.FILE, Evidence.FILE_AND_ASSIGNMENT)
        assert item.counts_for_td
        assert (item.day, item.end) == DATED.get(code, (None, None)), code
        assert item.once is (code in ONCE), code


def test_the_seed_dates_the_one_off_events_the_policy_dates() -> None:
    lines = {EVENTS[f][0]: line for line in seed_events() for f in EVENTS if f in line}
    assert "January 30/31, 2025" in lines["EXT-AASA-AI-2025"]
    assert "Dec 2024" in lines["EXT-DA-TECH-SUMMIT-2024"]
    assert "2024" in lines["EXT-AL-GOV-DIGITAL-2024"] and "2025" in lines["EXT-RTM-2025-K12"]
    assert {
        code for code, line in lines.items() if re.search(r"certification|exam|webinar|PLUACLD|Fiber", line, re.I)
    } == (ONCE)


def test_a_broken_policy_file_is_refused_with_its_name(tmp_path: Path) -> None:
    text = FY2025.read_text(encoding="utf-8").replace("required_hours = 12", 'required_hours = "twelve"')
    bad = tmp_path / "fy2099.toml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(PolicyFileError, match="fy2099.toml"):
        read_policy_file(bad)


def test_new_database_holds_fy2025_and_later_fys_inherit(any_ctx: Context) -> None:
    with any_ctx.session() as s:
        assert first_policy_fy(s) == 2025
        p25 = policy_for(s, 2025)
        assert p25 == shipped_policies()[0][0]
        for fy in (2026, 2027, 2031):
            p = policy_for(s, fy)
            assert p.fy == fy
            assert replace(p, fy=2025) == p25
            assert catalog(s, fy) == []
        assert len(catalog(s, 2025)) == 20
        with pytest.raises(LookupError, match="FY2024"):
            policy_for(s, 2024)
    load_shipped_policies(any_ctx.engine)  # loading again adds nothing
    with any_ctx.session() as s:
        assert s.exec(select(func.count()).select_from(PolicyYear)).one() == 1
        assert s.exec(select(func.count()).select_from(CatalogEntry)).one() == 20


def test_catalog_round_trips_through_the_database(any_ctx: Context) -> None:
    _policy, items = read_policy_file(FY2025)
    with any_ctx.session() as s:
        stored = {i.code: i for i in catalog(s, 2025)}
    assert stored == {i.code: i for i in items}


def test_roll_forward_copies_the_undated_external_events(any_ctx: Context) -> None:
    with any_ctx.session() as s:
        assert roll_forward(s, 2025, 2026) == (16, 0)  # the four dated one-off events stay in FY2025
        s.commit()
        rolled = {i.code: i for i in catalog(s, 2026)}
        assert len(rolled) == 16
        assert all(i.fy == 2026 and i.day is None and i.end is None for i in rolled.values())
        assert not set(DATED) & set(rolled)
        assert rolled["EXT-GOOGLE-CERT-L1"].earliest is None  # 2024-10-01 is before FY2026
        assert rolled["EXT-COSN-CTO-WORKSHOP"].per_unit is True
        assert rolled["EXT-ISTE"].cap == 24 and rolled["EXT-ISTE"].up_to is True
        assert {c for c, i in rolled.items() if i.once} == ONCE  # the one-time flag rolls forward
        assert roll_forward(s, 2025, 2026) == (0, 16)  # again: nothing twice
        s.commit()
        n = s.exec(select(func.count()).select_from(CatalogEntry).where(col(CatalogEntry.fy) == 2026)).one()
        assert n == 16
        assert len(catalog(s, 2025)) == 20  # the source is untouched


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ("date = 2025-01-30\nend = 2025-01-31", "date = 2025-01-30\nend = 2025-01-29"),
        ("date = 2025-01-30\nend = 2025-01-31", "date = 2025-01-30\nend = 2025-10-01"),
    ],
)
def test_a_policy_file_with_a_bad_range_is_refused(tmp_path: Path, change: str, says: str) -> None:
    text = FY2025.read_text(encoding="utf-8")
    assert change in text
    bad = tmp_path / "fy2025.toml"
    bad.write_text(text.replace(change, says), encoding="utf-8")
    with pytest.raises(PolicyFileError, match="EXT-AASA-AI-2025: end"):
        read_policy_file(bad)
