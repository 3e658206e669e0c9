"""A status kept by a replica (handlers/status_cache.py) is never stale: every write that changes what it shows —
an attendance import, a submission, a decision, a void, a roster change, a catalog change — shows in the very next
status, also on another replica (its own engine and cache) of the same database; on SQLite and PostgreSQL. The
versions behind it are bumped by database triggers (migration 0008), whichever code path writes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlmodel import col, select

from handlers.context import Actor, Context
from handlers.people import find_actor
from handlers.review import decide
from handlers.status import handle_status
from handlers.status_cache import StatusCache
from handlers.submit import create_submission
from handlers.void import void_record
from storage.db import open_database
from storage.status_version import versions_of
from storage.tables import CreditRecord, Person, Submission
from tests.conftest import TODAY, load, seed_basic
from tests.review.test_workflow_submit import GOOD, pdf

TD = "td@a.k12.al.us"
ROSTER_CTO_DONE = """email,name,district,role_start,cto_completed,roles
td@a.k12.al.us,Alex Director,Alpha County,2024-11-15,2025-02-01,director
"""


@dataclass
class Replica:
    ctx: Context

    def actor(self, email: str = TD) -> Actor:
        found = find_actor(self.ctx, email, "slack")
        assert found is not None
        return found

    def status(self) -> str:
        return handle_status(self.ctx, self.actor(), []).to_text()


def credited(text: str) -> str:
    found = re.search(r"Credited: ([\d.]+) of", text)
    assert found, text
    return found.group(1)


@pytest.fixture
def replicas(db_url: str, tmp_path: Path) -> Iterator[tuple[Replica, Replica]]:
    engines = [open_database(db_url), open_database(db_url)]
    try:
        yield (
            Replica(Context(engines[0], TODAY, evidence_dir=tmp_path / "ev", statuses=StatusCache())),
            Replica(Context(engines[1], TODAY, evidence_dir=tmp_path / "ev", statuses=StatusCache())),
        )
    finally:
        for engine in engines:
            engine.dispose()


def test_a_status_is_built_once_per_version(replicas: tuple[Replica, Replica]) -> None:
    a, _ = replicas
    seed_basic(a.ctx)
    first = handle_status(a.ctx, a.actor(), [])
    assert handle_status(a.ctx, a.actor(), []) is first  # the same reply: nothing read or built again
    load(a.ctx, "attendance", "email,activity_code,date,hours\ntd@a.k12.al.us,FALL24,2024-11-05,6\n")
    again = handle_status(a.ctx, a.actor(), [])
    assert again is not first and credited(again.to_text()) == "6"
    assert handle_status(a.ctx, a.actor(), ["2024"]) is not again  # another FY, another entry


def test_every_write_shows_in_the_next_status_on_another_replica(replicas: tuple[Replica, Replica]) -> None:
    a, b = replicas
    seed_basic(b.ctx)
    assert credited(a.status()) == "0"  # kept by replica a from here on

    load(b.ctx, "attendance", "email,activity_code,date,hours\ntd@a.k12.al.us,FALL24,2024-11-05,6\n")
    assert credited(a.status()) == "6"

    submitted = create_submission(b.ctx, b.actor(), GOOD, pdf(), client_key="k-1", platform="slack")
    assert submitted.ok, submitted.to_text()
    assert "Pending review: 2.5 hours" in a.status()

    reviewer = b.actor("rev@alet.org")
    with b.ctx.session() as session:
        pending = session.exec(select(CreditRecord).where(CreditRecord.status == "pending")).one()
        submission = session.exec(select(Submission).where(Submission.credit_id == pending.id)).one()
    decision = decide(b.ctx, reviewer, "submission", int(submission.id or 0), approve=True)
    assert decision.ok, decision.notice.to_text()
    shown = a.status()
    assert credited(shown) == "8.5" and "Pending review" not in shown

    assert void_record(b.ctx, reviewer, int(pending.id or 0), "entered for the wrong event").ok
    assert credited(a.status()) == "6"

    assert "Completed on" not in a.status()
    load(b.ctx, "roster", ROSTER_CTO_DONE)
    assert "Completed on February 1, 2025" in a.status()


def test_a_catalog_change_shows_in_the_suggestions(replicas: tuple[Replica, Replica]) -> None:
    a, b = replicas
    seed_basic(b.ctx)
    assert "Spring Summit" not in a.status()
    load(
        b.ctx,
        "catalog",
        "code,title,kind,date,hours,strands,up_to,per_unit,counts_for_td,evidence,earliest\n"
        "SUMMIT25,ALET Spring Summit,conference,2025-03-20,6,2;3;4,true,,,,\n",
        fy=2025,
    )
    assert "ALET Spring Summit" in a.status()


def test_the_triggers_bump_the_person_and_everyone(replicas: tuple[Replica, Replica]) -> None:
    a, _ = replicas
    seed_basic(a.ctx)
    td = a.actor()
    other = a.actor("old@b.k12.al.us")
    with a.ctx.session() as session:
        start, start_other = versions_of(session, td.person_id), versions_of(session, other.person_id)
        session.execute(update(Person).where(col(Person.id) == td.person_id).values(snoozed_until=date(2025, 4, 1)))
        session.commit()
        after = versions_of(session, td.person_id)
        assert after[0] > start[0] and after[1] == start[1]
        assert versions_of(session, other.person_id) == start_other  # someone else's write is not theirs
    load(a.ctx, "attendance", "email,activity_code,date,hours\ntd@a.k12.al.us,FALL24,2024-11-05,6\n")
    with a.ctx.session() as session:
        assert versions_of(session, td.person_id)[0] > after[0]
        session.execute(update(CreditRecord).values(note="edited by hand"))  # even outside the bot's code
        session.commit()
        edited = versions_of(session, td.person_id)
        assert edited[0] > after[0] + 1
    load(
        a.ctx,
        "catalog",
        "code,title,kind,date,hours,strands,up_to,per_unit,counts_for_td,evidence,earliest\n"
        "X25,ALET X,conference,2025-05-20,2,1,true,,,,\n",
        fy=2025,
    )
    with a.ctx.session() as session:
        assert versions_of(session, td.person_id)[1] > edited[1]
