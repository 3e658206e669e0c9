"""`lookup EMAIL-or-name [FY]` (SDE staff, admins, reviewers): one director's status exactly as they see it; several
matches are listed to choose from. An e-mail matches exactly; a name matches when every word given is part of it.

`lookup_reply(view)` builds the one-director answer; it has no buttons yet, so another action (a Void button for
reviewers) can be appended to `Reply.buttons`; `data["person_id"]` names the director."""

from __future__ import annotations

import re

from sqlalchemy import func
from sqlmodel import Session, col, select

from handlers.context import Actor, Context
from handlers.fy_arg import fy_from_args
from handlers.payloads import Matches, StatusPayload
from handlers.reply import Outcome, Reply, Section, message, trimmed
from handlers.status import StatusView, build_status, status_reply
from handlers.void_chat import add_void_buttons, may_void
from storage.people import by_email, is_director
from storage.tables import Person

MATCHES_SHOWN = 15
MATCHES_READ = 200
_FY_WORD = re.compile(r"^(?:fy)?\d{4}$", re.IGNORECASE)


def split_query(args: list[str]) -> tuple[str, list[str]]:
    """The search text and the FY argument (a last word like 2025 or FY2025 after the name or e-mail)."""
    if len(args) >= 2 and _FY_WORD.match(args[-1]):
        return " ".join(args[:-1]), args[-1:]
    return " ".join(args), []


def find_directors(session: Session, query: str) -> list[Person]:
    """Active directors whose e-mail is `query`, or whose name holds every word of it (case-insensitive)."""
    q = query.strip()
    if "@" in q:
        person = by_email(session, q)
        return [person] if person is not None and person.active and is_director(person) else []
    words = [w.lower() for w in q.split() if w]
    if not words:
        return []
    stmt = select(Person).where(col(Person.active).is_(True))
    for word in words:
        stmt = stmt.where(func.lower(col(Person.name)).contains(word, autoescape=True))
    found = session.exec(stmt.order_by(col(Person.name), col(Person.email)).limit(MATCHES_READ)).all()
    return [p for p in found if is_director(p)]


def lookup_reply(view: StatusView) -> Reply:
    """The director's own status reply, titled with whose it is."""
    own = status_reply(view)
    person = view.person
    own.title = f"{person.name} ({person.email}, {person.district or 'no district'}): {own.title}"
    own.summary = f"{person.name}: {own.summary}"
    own.payload = StatusPayload(own.expect(StatusPayload).status, person_id=person.id)
    return own


def matches_reply(query: str, people: list[Person]) -> Reply:
    lines = [f"{p.name} ({p.email}, {p.district or 'no district'})" for p in people]
    items, more = trimmed(lines, MATCHES_SHOWN)
    return Reply(
        title=f"{len(people)} directors match '{query}'",
        sections=[
            Section(text="Ask again with one of these e-mail addresses, e.g. “lookup EMAIL”.", items=items, more=more)
        ],
        payload=Matches(tuple(p.email for p in people)),
    )


def handle_lookup(ctx: Context, actor: Actor, args: list[str]) -> Reply:
    query, fy_args = split_query(args)
    if not query.strip():
        return message(
            "Whom should I look up?",
            "Write “lookup” and a director's e-mail or name, e.g. “lookup td@district.k12.al.us” or “lookup Smith”.",
            Outcome.INVALID,
        )
    fy, problem = fy_from_args(fy_args, ctx.today)
    if problem:
        return problem
    with ctx.session() as session:
        people = find_directors(session, query)
        if not people:
            known = by_email(session, query) if "@" in query else None
            why = (
                f"{known.email} is on the roster, but not as an active technology director."
                if known is not None
                else "Check the spelling, or use the director's e-mail address."
            )
            return message(f"No director matches '{query}'", why, Outcome.NOT_FOUND)
        if len(people) > 1:
            return matches_reply(query, people)
        reply = lookup_reply(build_status(session, people[0], fy, ctx.today))
        if may_void(actor) and people[0].id is not None:  # reviewers and admins: take a wrong record back
            add_void_buttons(session, reply, people[0].id, fy)
        return reply
