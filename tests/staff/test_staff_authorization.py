"""Who may use the staff actions, one table: every role x overview / lookup / report / import / Confirm, through
the one dispatcher both platforms use (and the Confirm handler the buttons reach). A refusal writes nothing.
(tests/staff/test_authorization_matrix.py has the same actions end to end on both platforms.)"""

from __future__ import annotations

import pytest
from sqlmodel import select

from handlers.chat import handle_text
from handlers.chat_import import IMPORT_CONFIRM, press, preview_file
from handlers.context import Context
from handlers.payloads import FormRequest, ReportOrder
from handlers.people import find_actor
from handlers.reply import Outcome
from storage.tables import AuditLog, CreditRecord, ImportPreview
from tests.conftest import load, seed_basic

PEOPLE = {
    "director": "td@a.k12.al.us",
    "sde": "sde@alsde.edu",
    "reviewer": "only@alet.org",
    "admin": "boss@alet.org",
    "reviewer+director": "both@e.k12.al.us",
}
EXTRA = """email,name,district,role_start,cto_completed,roles
only@alet.org,Olly Reviewer,ALET,,,reviewer
boss@alet.org,Bo Admin,ALET,,,admin
both@e.k12.al.us,Eli Both,Epsilon County,2015-01-01,,director;reviewer
"""
ALLOWED = {  # action -> the roles that may use it
    "overview": {"sde", "admin", "reviewer", "reviewer+director"},
    "lookup Alex": {"sde", "admin", "reviewer", "reviewer+director"},
    "report": {"sde", "admin"},
    "import": {"admin", "reviewer", "reviewer+director"},
}
CASES = [(text, who) for text in ALLOWED for who in PEOPLE]


@pytest.fixture
def staff_ctx(ctx: Context) -> Context:
    seed_basic(ctx)
    load(ctx, "roster", EXTRA)
    return ctx


def audits(ctx: Context) -> int:
    with ctx.session() as s:
        return len(s.exec(select(AuditLog)).all())


@pytest.mark.parametrize(("text", "who"), CASES, ids=[f"{t.split()[0]}-{w}" for t, w in CASES])
def test_staff_commands_by_role(staff_ctx: Context, text: str, who: str) -> None:
    before = audits(staff_ctx)
    reply = handle_text(staff_ctx, PEOPLE[who], "console", text)
    if who in ALLOWED[text]:
        assert reply.outcome is not Outcome.REFUSED, reply.to_text()
    else:
        assert reply.outcome is Outcome.REFUSED and f"“{text.split()[0]}” is for" in reply.title
        assert audits(staff_ctx) == before and not isinstance(reply.payload, ReportOrder | FormRequest)


@pytest.mark.parametrize("who", list(PEOPLE))
def test_preview_and_confirm_by_role(staff_ctx: Context, who: str) -> None:
    csv = b"email,activity_code,date,hours\ntd@a.k12.al.us,FALL24,2024-11-05,6\n"
    person = find_actor(staff_ctx, PEOPLE[who], "console")
    owner = find_actor(staff_ctx, PEOPLE["admin"], "console")
    assert person is not None and owner is not None
    mine = preview_file(staff_ctx, person, csv, "day.csv", "console")
    allowed = who in ALLOWED["import"]
    assert (mine.outcome is Outcome.OK) is allowed and (mine.outcome is Outcome.REFUSED) is not allowed
    value = preview_file(staff_ctx, owner, csv, "day.csv", "console").buttons[0].value
    pressed = press(staff_ctx, person, IMPORT_CONFIRM, value)
    with staff_ctx.session() as s:
        imported = len(s.exec(select(CreditRecord)).all())
        statuses = {p.status for p in s.exec(select(ImportPreview)).all()}
    if allowed:
        assert pressed.ok and imported == 1 and "imported" in statuses
    else:
        assert pressed.outcome is Outcome.REFUSED and imported == 0 and statuses == {"pending"}
