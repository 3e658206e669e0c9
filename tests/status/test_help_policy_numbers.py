"""Help and the catalog's headings take their numbers from the policy in force, not from code: a later FY's
policy with other numbers changes what they say."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session

from handlers.chat import handle_text
from handlers.commands import help_reply
from handlers.fy_arg import FIRST_FY
from storage.policy_data import first_shipped_fy, policy_for, store_policy
from tests.conftest import make_ctx, seed_basic

TD = "td@a.k12.al.us"


def test_help_and_events_say_the_numbers_of_the_policy_in_force(engine: Engine, tmp_path: Path) -> None:
    ctx = make_ctx(engine, tmp_path, date(2025, 3, 3))
    seed_basic(ctx)
    text = handle_text(ctx, TD, "console", "help").to_text()
    assert "need 12 credited hours" in text and "at least 6 from ALET, at most 6" in text
    events = handle_text(ctx, TD, "console", "events").to_text()
    assert "at least 6 hours a year" in events and "at most 6 hours a year" in events

    with Session(engine) as session:  # FY2027 with other numbers (quarter-hours)
        store_policy(
            session, replace(policy_for(session, 2026), fy=2027, required=60, alet_minimum=34, external_maximum=26)
        )
        session.commit()
    later = make_ctx(engine, tmp_path, date(2026, 11, 2))
    text = handle_text(later, TD, "console", "help").to_text()
    assert "need 15 credited hours" in text and "at least 8.5 from ALET, at most 6.5" in text
    events = handle_text(later, TD, "console", "events").to_text()
    assert "at least 8.5 hours a year" in events and "at most 6.5 hours a year" in events


def test_help_without_a_context_names_no_numbers() -> None:
    text = help_reply().to_text()
    assert "status" in text and " 12 " not in text and " 6 " not in text


def test_the_first_fiscal_year_comes_from_the_shipped_policy_files() -> None:
    assert FIRST_FY == first_shipped_fy() == 2025
