"""The authorization matrix (issue 9, 12): every chat action on both platforms x every role x the caller's own item or
someone else's, through one real server with Slack and Teams both on (signed Slack requests, Bot Framework
Activity JSON), asserting what each caller sees and that nothing in the database changes where it is refused.

Reading the table: `MATRIX[(action, whose)][role]` is what `role` gets when doing `action` on their own item or on
Olive Other's (another director). `Sees(...)` lists words the answer must contain; every answer is also checked
for what it must NOT contain: Olive's name, e-mail and district and any evidence link, unless the cell says
`shows_other=True` (a reviewer deciding her item). A cell with `writes=None` must leave every table unchanged.
To add an action: one `ACTIONS` entry (how to do it on each platform; `ONLY_ON` when one platform alone has it)
and one `MATRIX` row per own / other (what each role sees). A known leak not fixed yet: an `XFAIL` entry.

330 cells today (21 actions x 6 roles x own/other, on both platforms; the Action.Submit fallback on Teams only,
the App Home tab and its buttons on Slack only).
With the Teams review-card leak of issue 9 put back (9920905 reverted), 39 of them fail.
"""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from aiohttp.test_utils import TestServer
from sqlalchemy import select as sa_select
from sqlmodel import SQLModel, col, select

from bot.app import Services, build_app, build_services
from bot.slack.mount import SLACK_KEY
from handlers.chat_import import preview_file
from handlers.context import Actor
from handlers.payloads import ImportPreviewed, Requested, Submitted
from handlers.request import create_request
from handlers.submit import create_submission
from storage.evidence import check_evidence
from storage.people import by_email
from storage.tables import AuditLog, EventRequest, ImportPreview, Outbox, Person, Submission
from tests.conftest import ALET_CATALOG, load
from tests.fakes.bot_connector import AppServer, FakeBotConnector, TeamsUser, message, user
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.slack_harness import SlackBot, settings_for
from tests.fakes.teams_harness import Teams, texts
from tests.review.test_workflow_request import GOOD as REQUEST_VALUES

MODULE_LOOP = pytest.mark.asyncio(loop_scope="module")  # the cells share one server (and its event loop)

TODAY = date(2025, 3, 3)
PUBLIC = "https://ceu.example.org"
TEAMS_REVIEW = "19:reviewers@thread.tacv2"
LINK = re.compile(r"/evidence/([0-9a-f]{64})\?exp=\d+&(?:amp;|\\u0026)?sig=[0-9a-f]{64}")
PDF = b"%PDF-1.7\n" + b"OLIVE-CERTIFICATE " * 40


@dataclass(frozen=True)
class Who:
    email: str
    name: str
    slack_id: str
    teams: TeamsUser


ROSTER = """email,name,district,role_start,cto_completed,roles
dir@a.k12.al.us,Dana Director,Delta County,2015-07-01,,director
other@b.k12.al.us,Olive Other,Omega City,2015-07-01,,director
sde@alsde.edu,Sasha SDE,ALSDE,,,sde
rev@alet.org,Robin Reviewer,ALET,,,reviewer
adm@alet.org,Ada Admin,ALET,,,admin
both@c.k12.al.us,Casey Both,Gamma County,2015-07-01,,director;reviewer
"""
PEOPLE = {
    "director": Who("dir@a.k12.al.us", "Dana Director", "UDIR", user(11, "Dana Director")),
    "sde": Who("sde@alsde.edu", "Sasha SDE", "USDE", user(12, "Sasha SDE")),
    "reviewer": Who("rev@alet.org", "Robin Reviewer", "UREV", user(13, "Robin Reviewer")),
    "admin": Who("adm@alet.org", "Ada Admin", "UADM", user(14, "Ada Admin")),
    "reviewer+director": Who("both@c.k12.al.us", "Casey Both", "UBOTH", user(15, "Casey Both")),
    "stranger": Who("pat@nowhere.example", "Pat Stranger", "UPAT", user(16, "Pat Stranger")),
}
OTHER = Who("other@b.k12.al.us", "Olive Other", "UOTHER", user(17, "Olive Other"))
ROLES = tuple(PEOPLE)
DIRECTORS = ("director", "reviewer+director")
# what of Olive (another director) and her file must never reach a caller the cell does not allow
OLIVE = ("Olive Other", "other@b.k12.al.us", "Omega City", "/evidence/", "OLIVE-NOTE")


# -- the world: one server, Slack and Teams, one database -----------------------------------------------------


@dataclass
class World:
    services: Services
    slack: SlackBot
    teams: Teams
    items: dict[str, dict[str, int]] = field(default_factory=dict)  # owner -> {"submission": id, "request": id}
    links: dict[str, str] = field(default_factory=dict)  # owner -> the evidence link of their submission
    shas: dict[str, str] = field(default_factory=dict)
    made: int = 0  # fresh items made for the cells

    def ctx(self) -> Any:
        return self.services.context()

    async def settle(self) -> None:
        """Wait for the work either platform started after answering (decision updates, DMs)."""
        await self.teams.settle()
        surface = self.slack.server.app[SLACK_KEY]
        for _ in range(50):
            if not surface.tasks:
                break
            await asyncio.wait(set(surface.tasks), timeout=5)
        for _ in range(500):  # the outbox loop delivers a decision's updates and DMs: until nothing is due
            with self.ctx().session() as s:
                now = datetime.now(UTC)
                due = s.exec(select(Outbox).where(col(Outbox.done_at).is_(None), col(Outbox.due_at) <= now)).first()
            if due is None:
                return
            await asyncio.sleep(0.01)


def _actor(world: World, email: str) -> Actor:
    with world.ctx().session() as s:
        person = by_email(s, email)
        assert person is not None and person.id is not None
        roles = frozenset(r for r in person.roles.split(";") if r) or frozenset({"director"})
        return Actor(person.id, person.email, person.name, roles, "teams")


def new_request(world: World, owner: str, title: str) -> int:
    values = {**REQUEST_VALUES, "title": title, "organiser": f"{owner} organiser"}
    reply = create_request(world.ctx(), _actor(world, owner), values, client_key=uuid.uuid4().hex, platform="teams")
    assert reply.ok, reply.to_text()
    return reply.expect(Requested).request_id


def new_submission(world: World, owner: str, day: str) -> int:
    values: dict[str, str | list[str]] = {
        "event": "2025:EXT-FETC",
        "date": day,
        "hours": "0.25",
        "strands": ["2"],
        "assignment": "OLIVE-NOTE" if owner == OTHER.email else "my notes",
    }
    evidence = check_evidence(PDF + owner.encode(), "certificate.pdf", 1 << 20)
    reply = create_submission(
        world.ctx(), _actor(world, owner), values, evidence, client_key=uuid.uuid4().hex, platform="teams"
    )
    assert reply.ok, (day, reply.payload)
    return reply.expect(Submitted).submission_id


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    tmp = tmp_path_factory.mktemp("matrix")
    fake, connector = FakeSlackApi(), await FakeBotConnector().start()
    await fake.start()
    extra: dict[str, Any] = {
        "TEAMS_REVIEW_CHANNEL": TEAMS_REVIEW,
        "TEAMS_SERVICE_URL": connector.url,  # proactive posts go to the fake Bot Connector, never to Microsoft
        "CEU_PUBLIC_URL": PUBLIC,
    }
    url = f"sqlite:///{tmp / 'ceu.sqlite3'}"
    settings = settings_for(tmp, url, fake.api_url, today=TODAY, max_bytes=1 << 20, **extra)
    services = build_services(settings)
    server = await AppServer(build_app(services, dev=True)).start()
    http = aiohttp.ClientSession()
    slack_server: TestServer = server._server
    world = World(services, SlackBot(fake, services, slack_server, http), Teams(server, connector, services))
    ctx = world.ctx()
    load(ctx, "roster", ROSTER)
    load(ctx, "catalog", ALET_CATALOG, fy=2025)
    load(ctx, "attendance", "email,activity_code,date,hours\nother@b.k12.al.us,FALL24,2024-11-05,5\n")
    load(ctx, "attendance", "email,activity_code,date,hours\ndir@a.k12.al.us,FALL24,2024-11-05,2\n")
    for who in (*PEOPLE.values(), OTHER):
        fake.add_user(who.slack_id, who.email)
        connector.add_member(who.teams.user_id, who.email, aad_id=who.teams.aad_id, name=who.name)
    for owner in ("dir@a.k12.al.us", "both@c.k12.al.us", OTHER.email):
        world.items[owner] = {
            "submission": new_submission(world, owner, "2025-02-10"),
            "request": new_request(world, owner, f"Summit of {owner}"),
        }
        await services.flow.post(ctx, "submission", world.items[owner]["submission"])
    world.items[OTHER.email]["preview"] = new_preview(world, 0)
    for who in PEOPLE.values():  # first contact links each chat identity: done here, not inside a cell
        await ask(world, "slack", who, "help")
        await ask(world, "teams", who, "help")
    await world.settle()
    for owner in world.items:
        with ctx.session() as s:
            sub = s.get(Submission, world.items[owner]["submission"])
            assert sub is not None and sub.evidence_sha256
            world.shas[owner] = sub.evidence_sha256
    for post in fake.calls_to("chat.postMessage"):
        for found in LINK.finditer(json.dumps(post)):
            owner = next(o for o, sha in world.shas.items() if sha == found.group(1))
            world.links[owner] = found.group(0).replace("&amp;", "&").replace("\\u0026", "&")
    try:
        yield world
    finally:
        await http.close()
        await server.close()
        services.engine.dispose()
        await connector.close()
        await fake.close()


# -- doing an action on a platform: what the caller got, as text ----------------------------------------------


async def _slack_wait(world: World, before: int, key: str) -> str:
    fake = world.slack.fake
    for _ in range(1000):
        new = fake.calls[before:]
        got = [p for m, p in new if (m == "response_url" and p.get("_key") == key) or m == "views.open"]
        if got:
            return "\n".join(json.dumps(p) for p in got)
        await asyncio.sleep(0.005)
    raise AssertionError(f"Slack answered nothing: {fake.methods()[before:]}")


async def ask(world: World, platform: str, who: Who, text: str) -> str:
    """A message (Slack: /ceu TEXT; Teams: TEXT in the personal chat); every answer the caller got."""
    if platform == "slack":
        key, before = uuid.uuid4().hex[:10], len(world.slack.fake.calls)
        answer = await world.slack.command(text, user=who.slack_id, key=key)
        assert answer.status == 200, answer.text
        if answer.text.strip():  # answered in the ack itself (a known caller's status, bot/slack/in_ack.py)
            return answer.text
        return await _slack_wait(world, before, key)
    return texts(await world.teams.say(who.teams, text))


async def press(world: World, platform: str, who: Who, verb: str, item: str) -> str:
    """Press Approve / Reject (review.approve / review.reject) with an item id of the caller's choosing."""
    if platform == "slack":
        key, before = uuid.uuid4().hex[:10], len(world.slack.fake.calls)
        answer = await world.slack.click(verb, item, user=who.slack_id, ts="1700000000.000100", key=key)
        assert answer.status == 200, answer.text
        return await _slack_wait(world, before, key)
    return texts(await world.teams.press(who.teams, verb, {"_verb": verb, "_value": item}))


async def home(world: World, platform: str, who: Who, owner: str) -> str:
    """Open the App Home tab (Slack alone has one): every view published to the caller's Home."""
    assert platform == "slack"
    fake, before = world.slack.fake, len(world.slack.fake.calls)
    answer = await world.slack.open_home(who.slack_id, event_id=f"Ev{uuid.uuid4().hex[:8]}")
    assert answer.status == 200, answer.text
    for _ in range(1000):
        got = [p for m, p in fake.calls[before:] if m == "views.publish" and p.get("user_id") == who.slack_id]
        if got:
            return "\n".join(json.dumps(p) for p in got)
        await asyncio.sleep(0.005)
    raise AssertionError(f"no Home published: {fake.methods()[before:]}")


def _home_press(verb: str, kind: str = "") -> Do:
    """A button on the App Home tab (its answer is a modal: views.open); `kind`: an item of the owner's."""

    async def do(world: World, platform: str, who: Who, owner: str) -> str:
        assert platform == "slack"
        before = len(world.slack.fake.calls)
        value = _item(world, owner, kind) if kind else verb.removeprefix("home.")
        answer = await world.slack.home_click(verb, value, user=who.slack_id)
        assert answer.status == 200, answer.text
        return await _slack_wait(world, before, "-")

    return do


async def press_fallback(world: World, platform: str, who: Who, verb: str, item: str) -> str:
    """Teams clients without Universal Actions send the button as a message with a value (Action.Submit): what
    reached the caller's personal chat (the clicked card replaced, or a new message)."""
    assert platform == "teams"
    teams, before = world.teams, len(world.teams.connector.calls)
    activity = message(who.teams, teams.service_url, "", value={"_verb": verb, "_value": item})
    activity["replyToId"] = "msg-clicked-1"
    status, _ = await teams.post(activity)
    assert status == 200
    mine = [c for c in teams.connector.calls[before:] if c.conversation_id == who.teams.conversation_id]
    assert mine, "no answer in the caller's chat"
    return "\n".join(texts(c.body) for c in mine)


async def reject_with_reason(world: World, platform: str, who: Who, item: str) -> str:
    """Send the reject form (its reason) for an item of the caller's choosing."""
    reason = "The certificate shows no date"
    if platform == "slack":
        values = {"reason": {"reason": {"type": "plain_text_input", "value": reason}}}
        meta = json.dumps({"item": item, "channel": "", "ts": ""})
        answer = await world.slack.submit_view(
            "reject_reason", values, user=who.slack_id, private_metadata=meta, view_id=f"V{uuid.uuid4().hex[:8]}"
        )
        return answer.text
    data = {"_verb": "form.reject_reason", "_ctx": item, "_key": uuid.uuid4().hex, "reason": reason}
    return texts(await world.teams.press(who.teams, "form.reject_reason", data))


async def fetch_evidence(world: World, platform: str, who: Who, owner: str) -> str:
    """Download the owner's evidence: a reviewer with the link of the review post, anyone else by its address
    (the sha256 guessed or leaked) without a valid signature."""
    reviewer = "reviewer" in _roles_of(world, who.email)
    link = world.links[owner] if reviewer else f"/evidence/{world.shas[owner]}?exp=9999999999&sig={'0' * 64}"
    url = f"http://127.0.0.1:{world.slack.server.port}{link}"
    async with world.slack.http.get(url) as resp:
        body = await resp.read()
    return f"HTTP {resp.status} " + ("OLIVE-CERTIFICATE file" if b"OLIVE-CERTIFICATE" in body else body.decode())


def _roles_of(world: World, email: str) -> set[str]:
    with world.ctx().session() as s:
        person = by_email(s, email)
        return set(person.roles.split(";")) if person is not None else set()


# -- the actions ----------------------------------------------------------------------------------------------


Do = Callable[[World, str, Who, str], Awaitable[str]]  # (world, platform, caller, whose item's owner) -> answer


def _item(world: World, owner: str, kind: str) -> str:
    return f"{kind}:{world.items[owner][kind]}" if owner in world.items else f"{kind}:999999"


def _text(text: str, other_text: str = "") -> Do:
    async def do(world: World, platform: str, who: Who, owner: str) -> str:
        if owner != OTHER.email or not other_text:
            return await ask(world, platform, who, text)
        return (await ask(world, platform, who, other_text)).replace(OTHER.email, "<what they typed>")

    return do


def _press(verb: str, kind: str) -> Do:
    async def do(world: World, platform: str, who: Who, owner: str) -> str:
        return await press(world, platform, who, verb, _item(world, owner, kind))

    return do


def _fallback(verb: str, kind: str) -> Do:
    async def do(world: World, platform: str, who: Who, owner: str) -> str:
        return await press_fallback(world, platform, who, verb, _item(world, owner, kind))

    return do


def _reject_reason(kind: str) -> Do:
    async def do(world: World, platform: str, who: Who, owner: str) -> str:
        return await reject_with_reason(world, platform, who, _item(world, owner, kind))

    return do


async def _evidence(world: World, platform: str, who: Who, owner: str) -> str:
    return await fetch_evidence(world, platform, who, owner if owner in world.shas else OTHER.email)


async def _report(world: World, platform: str, who: Who, owner: str) -> str:
    """`report`: on Teams every message the bot sent back (the progress note and the file-consent cards)."""
    if platform == "slack":
        return await ask(world, platform, who, "report")
    before = len(world.teams.connector.calls)
    status, _ = await world.teams.post(message(who.teams, world.teams.service_url, "report"))
    assert status == 200
    sent = [c.body for c in world.teams.connector.calls[before:] if c.kind in ("reply", "send")]
    return "\n".join(json.dumps(b) for b in sent)


ACTIONS: dict[str, Do] = {
    "status": _text("status", f"status {OTHER.email}"),
    "history": _text("history", f"history {OTHER.email}"),
    "events": _text("events"),
    "submit": _text("submit"),
    "request": _text("request"),
    "snooze": _text("snooze"),
    "approve submission": _press("review.approve", "submission"),
    "approve request": _press("review.approve", "request"),
    "reject submission": _press("review.reject", "submission"),
    "approve submission (Action.Submit)": _fallback("review.approve", "submission"),
    "reject request with reason": _reject_reason("request"),
    "evidence link": _evidence,
    "overview": _text("overview"),
    "lookup": _text("lookup nobody@nowhere.example", f"lookup {OTHER.email}"),
    "report": _report,
    "import": _text("import"),
    "confirm import": _press("import.confirm", "preview"),
    "home": home,
    "home history": _home_press("home.history"),
    "home submit": _home_press("home.submit"),
    "approve submission (Home)": _home_press("review.approve", "submission"),
}
ONLY_ON = {  # actions one platform alone has
    "approve submission (Action.Submit)": ("teams",),
    "home": ("slack",),
    "home history": ("slack",),
    "home submit": ("slack",),
    "approve submission (Home)": ("slack",),
}


# -- what each role sees ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sees:
    """Words the answer contains (case-insensitive); `writes`: the one change allowed (None: nothing changes);
    `shows_other`: Olive's name, e-mail, district and evidence may appear."""

    words: tuple[str, ...]
    writes: str | None = None
    shows_other: bool = False

    def __init__(self, *words: str, writes: str | None = None, shows_other: bool = False) -> None:
        object.__setattr__(self, "words", words)
        object.__setattr__(self, "writes", writes)
        object.__setattr__(self, "shows_other", shows_other)


UNKNOWN = Sees("not on the TD-CEU roster")
NOT_A_REVIEWER = Sees("Only ALET reviewers")
OWN_ITEM = Sees("your own")
FORGED = Sees("HTTP 403")
STAFF_STATUS = Sees("overview", shows_other=True)  # staff see every director: the overview names them
WAITING = Sees("waiting for review", shows_other=True)  # a reviewer: the items waiting, with who sent them
STAFF_ONLY = Sees("is for SDE staff, ALET admins and reviewers")
IMPORT_ONLY = Sees("is for ALET admins and reviewers")


def row(**cells: Sees) -> dict[str, Sees]:
    """One MATRIX row; `reviewer_director` stands for the role reviewer+director."""
    out = {k.replace("reviewer_director", "reviewer+director"): v for k, v in cells.items()}
    assert set(out) == set(ROLES), sorted(set(ROLES) ^ set(out))
    return out


MATRIX: dict[tuple[str, str], dict[str, Sees]] = {
    ("status", "own"): row(
        director=Sees("TD-CEU status", "Dana,"),
        sde=STAFF_STATUS,
        reviewer=WAITING,
        admin=STAFF_STATUS,
        reviewer_director=Sees("TD-CEU status", "Casey,"),
        stranger=UNKNOWN,
    ),
    ("status", "other"): row(  # `status other@…`: nobody gets someone else's status this way
        director=Sees("is not a fiscal year"),
        sde=Sees("is not a fiscal year"),
        reviewer=WAITING,
        admin=Sees("is not a fiscal year"),
        reviewer_director=Sees("is not a fiscal year"),
        stranger=UNKNOWN,
    ),
    ("history", "own"): row(
        director=Sees("TD-CEU history", "ALET Fall Conference"),
        sde=Sees("is for technology directors"),
        reviewer=Sees("is for technology directors"),
        admin=Sees("is for technology directors"),
        reviewer_director=Sees("TD-CEU history"),
        stranger=UNKNOWN,
    ),
    ("history", "other"): row(
        director=Sees("is not a fiscal year"),
        sde=Sees("is for technology directors"),
        reviewer=Sees("is for technology directors"),
        admin=Sees("is for technology directors"),
        reviewer_director=Sees("is not a fiscal year"),
        stranger=UNKNOWN,
    ),
    ("events", "own"): row(
        director=Sees("catalog"),
        sde=Sees("catalog"),
        reviewer=Sees("catalog"),
        admin=Sees("catalog"),
        reviewer_director=Sees("catalog"),
        stranger=UNKNOWN,
    ),
    ("submit", "own"): row(
        director=Sees("Submit external hours"),
        sde=Sees("Only technology directors submit"),
        reviewer=Sees("Only technology directors submit"),
        admin=Sees("Only technology directors submit"),
        reviewer_director=Sees("Submit external hours"),
        stranger=UNKNOWN,
    ),
    ("request", "own"): row(
        director=Sees("Request an event"),
        sde=Sees("Request an event"),
        reviewer=Sees("Only technology directors and SDE staff"),
        admin=Sees("Only technology directors and SDE staff"),
        reviewer_director=Sees("Request an event"),
        stranger=UNKNOWN,
    ),
    ("snooze", "own"): row(
        director=Sees("Reminders paused", writes="snoozed"),
        sde=Sees("is for technology directors"),
        reviewer=Sees("is for technology directors"),
        admin=Sees("is for technology directors"),
        reviewer_director=Sees("Reminders paused", writes="snoozed"),
        stranger=UNKNOWN,
    ),
    ("approve submission", "own"): row(
        director=NOT_A_REVIEWER,
        sde=NOT_A_REVIEWER,
        reviewer=Sees("was not found"),  # a reviewer has no submission of their own: the id is unknown
        admin=NOT_A_REVIEWER,
        reviewer_director=OWN_ITEM,
        stranger=UNKNOWN,
    ),
    ("approve submission", "other"): row(
        director=NOT_A_REVIEWER,
        sde=NOT_A_REVIEWER,
        reviewer=Sees("Approved", writes="decided", shows_other=True),
        admin=NOT_A_REVIEWER,
        reviewer_director=Sees("Approved", writes="decided", shows_other=True),
        stranger=UNKNOWN,
    ),
    ("approve request", "own"): row(
        director=NOT_A_REVIEWER,
        sde=NOT_A_REVIEWER,
        reviewer=Sees("was not found"),
        admin=NOT_A_REVIEWER,
        reviewer_director=OWN_ITEM,
        stranger=UNKNOWN,
    ),
    ("approve request", "other"): row(
        director=NOT_A_REVIEWER,
        sde=NOT_A_REVIEWER,
        reviewer=Sees("Approved", writes="decided", shows_other=True),
        admin=NOT_A_REVIEWER,
        reviewer_director=Sees("Approved", writes="decided", shows_other=True),
        stranger=UNKNOWN,
    ),
    ("reject submission", "own"): row(
        director=NOT_A_REVIEWER,
        sde=NOT_A_REVIEWER,
        reviewer=Sees("was not found"),
        admin=NOT_A_REVIEWER,
        reviewer_director=OWN_ITEM,
        stranger=UNKNOWN,
    ),
    ("reject submission", "other"): row(  # a reviewer gets the reason form; nothing is decided yet
        director=NOT_A_REVIEWER,
        sde=NOT_A_REVIEWER,
        reviewer=Sees("Reject submission", shows_other=True),
        admin=NOT_A_REVIEWER,
        reviewer_director=Sees("Reject submission", shows_other=True),
        stranger=UNKNOWN,
    ),
    ("approve submission (Action.Submit)", "own"): row(
        director=NOT_A_REVIEWER,
        sde=NOT_A_REVIEWER,
        reviewer=Sees("was not found"),
        admin=NOT_A_REVIEWER,
        reviewer_director=OWN_ITEM,
        stranger=UNKNOWN,
    ),
    ("approve submission (Action.Submit)", "other"): row(
        director=NOT_A_REVIEWER,
        sde=NOT_A_REVIEWER,
        reviewer=Sees("Approved", writes="decided", shows_other=True),
        admin=NOT_A_REVIEWER,
        reviewer_director=Sees("Approved", writes="decided", shows_other=True),
        stranger=UNKNOWN,
    ),
    ("reject request with reason", "own"): row(
        director=NOT_A_REVIEWER,
        sde=NOT_A_REVIEWER,
        reviewer=Sees("was not found"),
        admin=NOT_A_REVIEWER,
        reviewer_director=OWN_ITEM,
        stranger=UNKNOWN,
    ),
    ("reject request with reason", "other"): row(
        director=NOT_A_REVIEWER,
        sde=NOT_A_REVIEWER,
        reviewer=Sees("Rejected", writes="decided", shows_other=True),
        admin=NOT_A_REVIEWER,
        reviewer_director=Sees("Rejected", writes="decided", shows_other=True),
        stranger=UNKNOWN,
    ),
    ("evidence link", "own"): row(
        director=FORGED,
        sde=FORGED,
        reviewer=Sees("HTTP 200", shows_other=True),  # no file of their own: the review post's link of Olive's
        admin=FORGED,
        reviewer_director=Sees("HTTP 200"),
        stranger=FORGED,
    ),
    ("evidence link", "other"): row(
        director=FORGED,
        sde=FORGED,
        reviewer=Sees("HTTP 200", "OLIVE-CERTIFICATE", shows_other=True),
        admin=FORGED,
        reviewer_director=Sees("HTTP 200", "OLIVE-CERTIFICATE", shows_other=True),
        stranger=FORGED,
    ),
    ("overview", "own"): row(
        director=STAFF_ONLY,
        sde=Sees("TD-CEU overview", shows_other=True),
        reviewer=Sees("TD-CEU overview", shows_other=True),
        admin=Sees("TD-CEU overview", shows_other=True),
        reviewer_director=Sees("TD-CEU overview", shows_other=True),
        stranger=UNKNOWN,
    ),
    ("lookup", "own"): row(  # someone not on the roster: staff hear so, a director is refused
        director=STAFF_ONLY,
        sde=Sees("No director matches"),
        reviewer=Sees("No director matches"),
        admin=Sees("No director matches"),
        reviewer_director=Sees("No director matches"),
        stranger=UNKNOWN,
    ),
    ("lookup", "other"): row(
        director=STAFF_ONLY,
        sde=Sees("Olive Other", "TD-CEU status", shows_other=True),
        reviewer=Sees("Olive Other", "TD-CEU status", shows_other=True),
        admin=Sees("Olive Other", "TD-CEU status", shows_other=True),
        reviewer_director=Sees("Olive Other", "TD-CEU status", shows_other=True),
        stranger=UNKNOWN,
    ),
    ("report", "own"): row(  # the files hold every director; only SDE staff and admins get them
        director=Sees("is for SDE staff and ALET admins"),
        sde=Sees("Building the FY2025 report", writes="report", shows_other=True),
        reviewer=Sees("is for SDE staff and ALET admins"),
        admin=Sees("Building the FY2025 report", writes="report", shows_other=True),
        reviewer_director=Sees("is for SDE staff and ALET admins"),
        stranger=UNKNOWN,
    ),
    ("import", "own"): row(  # Slack opens the upload modal, Teams says to send the file; nothing is written
        director=IMPORT_ONLY,
        sde=IMPORT_ONLY,
        reviewer=Sees("attendance CSV"),
        admin=Sees("attendance CSV"),
        reviewer_director=Sees("attendance CSV"),
        stranger=UNKNOWN,
    ),
    ("confirm import", "other"): row(  # Confirm on a preview of Olive's attendance another admin made
        director=Sees("Only reviewers and ALET admins import"),
        sde=Sees("Only reviewers and ALET admins import"),
        reviewer=Sees("Imported", writes="imported", shows_other=True),
        admin=Sees("Imported", writes="imported", shows_other=True),
        reviewer_director=Sees("Imported", writes="imported", shows_other=True),
        stranger=UNKNOWN,
    ),
    ("home", "own"): row(  # the App Home tab: each part that applies to the caller's roles
        director=Sees("TD-CEU status", "Dana,", "Submit hours", "History"),
        sde=STAFF_STATUS,
        reviewer=WAITING,
        admin=STAFF_STATUS,
        reviewer_director=Sees("TD-CEU status", "Casey,", "waiting for review", "review.approve", shows_other=True),
        stranger=UNKNOWN,
    ),
    ("home history", "own"): row(
        director=Sees("TD-CEU history", "ALET Fall Conference"),
        sde=Sees("is for technology directors"),
        reviewer=Sees("is for technology directors"),
        admin=Sees("is for technology directors"),
        reviewer_director=Sees("TD-CEU history"),
        stranger=UNKNOWN,
    ),
    ("home submit", "own"): row(
        director=Sees("Submit external hours"),
        sde=Sees("Only technology directors submit"),
        reviewer=Sees("Only technology directors submit"),
        admin=Sees("Only technology directors submit"),
        reviewer_director=Sees("Submit external hours"),
        stranger=UNKNOWN,
    ),
    ("approve submission (Home)", "own"): row(
        director=NOT_A_REVIEWER,
        sde=NOT_A_REVIEWER,
        reviewer=Sees("was not found"),
        admin=NOT_A_REVIEWER,
        reviewer_director=OWN_ITEM,
        stranger=UNKNOWN,
    ),
    ("approve submission (Home)", "other"): row(
        director=NOT_A_REVIEWER,
        sde=NOT_A_REVIEWER,
        reviewer=Sees("Approved", writes="decided", shows_other=True),
        admin=NOT_A_REVIEWER,
        reviewer_director=Sees("Approved", writes="decided", shows_other=True),
        stranger=UNKNOWN,
    ),
}
XFAIL: dict[tuple[str, str, str, str], str] = {}  # (platform, action, whose, role) -> reason (known leaks)


# -- the check ------------------------------------------------------------------------------------------------


BOOKKEEPING = {  # not a change: refreshed on every message, or the outbox loop's delivery of an earlier decision
    "chat_identity": ("updated_at", "conversation_ref"),
    "outbox": ("due_at", "claimed_at", "claim_token", "done_at", "attempts", "last_error"),
}


def database(world: World) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (but the chat accounts' last-seen bookkeeping), to compare before and after."""
    with world.ctx().session() as s:
        out: dict[str, list[tuple[Any, ...]]] = {}
        for t in SQLModel.metadata.sorted_tables:
            columns = [c for c in t.columns if c.name not in BOOKKEEPING.get(t.name, ())]
            out[t.name] = sorted((tuple(r) for r in s.execute(sa_select(*columns)).all()), key=repr)
        return out


def new_preview(world: World, n: int) -> int:
    """A preview (made by the admin) of one fresh attendance row of Olive's: an online course on its own day."""
    day = date.fromordinal(date(2024, 10, 1).toordinal() + n)
    data = f"email,activity_code,date,hours\n{OTHER.email},TALENT-DATA,{day.isoformat()},1.5\n".encode()
    reply = preview_file(world.ctx(), _actor(world, PEOPLE["admin"].email), data, f"olive-{n}.csv", "teams")
    assert reply.ok, reply.to_text()
    return reply.expect(ImportPreviewed).preview_id


def _fresh_items(world: World, action: str, whose: str, role: str) -> None:
    """A reviewer's cell on Olive's item gets a fresh pending one (each decision is taken once); so does an
    importer's Confirm (each preview is imported once)."""
    if action == "confirm import":
        world.made += 1
        world.items[OTHER.email]["preview"] = new_preview(world, 100 + world.made)
        return
    if whose != "other" or not action.startswith(("approve", "reject")) or "reviewer" not in role:
        return
    kind = "submission" if "submission" in action else "request"
    world.made += 1
    n = world.made
    if kind == "request":
        world.items[OTHER.email][kind] = new_request(world, OTHER.email, f"Olive's summit {n}")
    else:
        day = date.fromordinal(date(2024, 10, 1).toordinal() + n)  # one a day: FETC counts on any day of FY2025
        world.items[OTHER.email][kind] = new_submission(world, OTHER.email, day.isoformat())


def _owner(role: str, whose: str) -> str:
    return OTHER.email if whose == "other" else PEOPLE[role].email


def _changed(before: dict[str, list[Any]], after: dict[str, list[Any]]) -> list[str]:
    return sorted(name for name in set(before) | set(after) if before.get(name) != after.get(name))


def _check_write(world: World, sees: Sees, role: str, owner: str, action: str, changed: list[str]) -> None:
    if sees.writes is None:
        assert changed == [], f"a refused {action} changed {changed}"
        return
    with world.ctx().session() as s:
        if sees.writes == "snoozed":
            person = by_email(s, PEOPLE[role].email)
            assert person is not None and person.snoozed_until is not None
        elif sees.writes == "report":
            assert changed == ["audit_log"], changed
            audits = s.exec(select(AuditLog).where(AuditLog.action == "report.write")).all()
            assert PEOPLE[role].email in {a.actor for a in audits}
        elif sees.writes == "imported":
            preview = s.get(ImportPreview, world.items[owner]["preview"])
            person = by_email(s, PEOPLE[role].email)
            assert preview is not None and person is not None
            assert preview.status == "imported" and preview.decided_by == person.id
        else:
            kind = "submission" if "submission" in action else "request"
            table = Submission if kind == "submission" else EventRequest
            row_ = s.get(table, world.items[owner][kind])
            assert row_ is not None and row_.status in ("approved", "rejected"), row_
            reviewer = s.exec(select(Person).where(Person.email == PEOPLE[role].email)).one()
            assert row_.decided_by == reviewer.id


CELLS = [
    pytest.param(
        platform,
        action,
        whose,
        role,
        id=f"{platform}-{action}-{whose}-{role}",
        marks=[pytest.mark.xfail(strict=True, reason=XFAIL[key])] if key in XFAIL else [],
    )
    for platform in ("slack", "teams")
    for (action, whose), roles in MATRIX.items()
    if platform in ONLY_ON.get(action, (platform,))
    for role in roles
    for key in [(platform, action, whose, role)]
]


@MODULE_LOOP
@pytest.mark.parametrize(("platform", "action", "whose", "role"), CELLS)
async def test_cell(world: World, platform: str, action: str, whose: str, role: str) -> None:
    sees = MATRIX[(action, whose)][role]
    owner = _owner(role, whose)
    _fresh_items(world, action, whose, role)
    before = database(world)
    answer = await ACTIONS[action](world, platform, PEOPLE[role], owner)
    await world.settle()
    missing = [w for w in sees.words if w.lower() not in answer.lower()]
    assert not missing, f"{role} {action} ({whose}) on {platform}: missing {missing} in {answer[:2000]}"
    if not sees.shows_other:
        leaked = [m for m in OLIVE if m.lower() in answer.lower()]
        assert not leaked, f"{role} {action} ({whose}) on {platform} saw {leaked}: {answer[:2000]}"
    _check_write(world, sees, role, owner, action, _changed(before, database(world)))


def test_the_table_covers_every_action_and_role() -> None:
    assert {a for a, _ in MATRIX} == set(ACTIONS)
    assert all(set(cells) == set(ROLES) for cells in MATRIX.values())
