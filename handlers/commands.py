"""The one table of chat commands both platforms share: parsing (longest command first, anything unknown
answers help), who may use each command (`Command.roles`; handlers.chat refuses the others politely) and the help
reply, which lists what the caller's roles allow. Form commands (submit, request) are opened by each platform's
own UI. `status` answers for the caller's role: a director (whatever else they are) their own numbers, SDE staff
and admins the overview, a reviewer the items waiting for review."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from handlers.chat_import import IMPORT_ROLES, handle_import
from handlers.context import Actor, Context
from handlers.events import handle_events
from handlers.fy_arg import current_policy
from handlers.history import handle_history
from handlers.lookup import handle_lookup
from handlers.overview import handle_overview
from handlers.reply import Reply, Section
from handlers.report_delivery import REPORT_ROLES, handle_report
from handlers.review_queue import review_queue_reply
from handlers.snooze import handle_snooze
from handlers.status import handle_status
from handlers.whatif import handle_whatif
from rules.hours import fmt_hours

Run = Callable[[Context, Actor, list[str]], Reply]

DIRECTOR = frozenset({"director"})
STAFF = frozenset({"sde", "admin", "reviewer"})
ROLE_NAMES = {"director": "technology directors", "sde": "SDE staff", "admin": "ALET admins", "reviewer": "reviewers"}


@dataclass(frozen=True)
class Command:
    name: str
    usage: str
    summary: str
    run: Run | None = None  # None: a form command (the platform opens its modal / card form)
    form: str | None = None
    aliases: tuple[str, ...] = ()
    roles: frozenset[str] | None = None  # who may use it; None: everyone on the roster

    def allows(self, actor: Actor | None) -> bool:
        return self.roles is None or (actor is not None and bool(self.roles & actor.roles))

    def who(self) -> str:
        """ "technology directors and SDE staff": the roles that may use the command."""
        names = [ROLE_NAMES[r] for r in ROLE_NAMES if self.roles and r in self.roles]
        return ", ".join(names[:-1]) + (" and " if len(names) > 1 else "") + names[-1] if names else "everyone"


def handle_help(ctx: Context, actor: Actor | None, args: list[str]) -> Reply:
    return help_reply(ctx, prefix=command_prefix(actor), actor=actor)


def command_prefix(actor: Actor | None) -> str:
    """How the caller types a command: Slack's slash command, plain words in Teams and the console."""
    return "/ceu " if actor is not None and actor.platform == "slack" else ""


def understood(text: str) -> bool:
    """Whether a message names a command (empty text is `status`); anything else is answered with help."""
    words = text.strip().split()
    if words and words[0].lower().lstrip("/") == "ceu":
        words = words[1:]
    if not words:
        return True
    first = words[0].lower().lstrip("/")
    return any(first in (c.name, *c.aliases) for c in COMMANDS)


def own_status(actor: Actor) -> bool:
    """Whether `status` answers the caller's own numbers (a director, or someone with no staff role)."""
    return actor.has("director") or not (actor.has("sde") or actor.has("admin") or actor.has("reviewer"))


def handle_status_for_role(ctx: Context, actor: Actor, args: list[str]) -> Reply:
    if own_status(actor):
        return handle_status(ctx, actor, args)
    if actor.has("sde") or actor.has("admin"):
        return handle_overview(ctx, actor, args)
    return review_queue_reply(ctx)


COMMANDS: tuple[Command, ...] = (
    Command(
        "status",
        "status [FY]",
        "your hours, ALET hours still needed, strand gaps and CTO Academy deadline (reviewers: what waits for "
        "review; SDE staff and admins: the overview)",
        handle_status_for_role,
        aliases=("", "hi", "hello", "hey"),
    ),
    Command(
        "history",
        "history [FY]",
        "every credited and pending record of this (or a past) fiscal year",
        handle_history,
        aliases=("transcript",),
        roles=DIRECTOR,
    ),
    Command(
        "events",
        "events [WORD]",
        "approved external events and upcoming ALET activities (with a word: only those it names)",
        handle_events,
        aliases=("catalog",),
    ),
    Command(
        "submit", "submit", "claim hours of an approved external event, with evidence", form="submit", roles=DIRECTOR
    ),
    Command(
        "request",
        "request",
        "ask ALET to approve a new external event (TDs and SDE staff)",
        form="request",
        roles=frozenset({"director", "sde"}),
    ),
    Command(
        "snooze",
        "snooze",
        "pause reminders for a week (the final 7-day and 1-day ones still come)",
        handle_snooze,
        roles=DIRECTOR,
    ),
    Command(
        "whatif",
        "whatif CODE [HOURS]",
        "what claiming an activity would do to your year (nothing is recorded)",
        handle_whatif,
        aliases=("what-if",),
        roles=DIRECTOR,
    ),
    Command(
        "overview",
        "overview [FY]",
        "the state at a glance: directors compliant, on track and behind, hours owed, CTO Academy, districts "
        "furthest behind, strand gaps, items waiting for review",
        handle_overview,
        roles=STAFF,
    ),
    Command(
        "lookup",
        "lookup EMAIL-or-name [FY]",
        "one director's status, as they see it",
        handle_lookup,
        roles=STAFF,
    ),
    Command(
        "report",
        "report [FY]",
        "the year-end report for the SDE (XLSX and CSV), as files in our personal chat",
        handle_report,
        roles=REPORT_ROLES,
    ),
    Command(
        "import",
        "import",
        "import ALET's attendance CSV: every row checked, a preview, then Confirm",
        handle_import,
        roles=IMPORT_ROLES,
    ),
    Command("help", "help", "this list", handle_help),
)

HELP = COMMANDS[-1]


def parse(text: str) -> tuple[Command, list[str]]:
    """Find the command a message names (case-insensitive, by its whole first word); unknown text -> help."""
    words = text.strip().split()
    first = words[0].lower().lstrip("/") if words else ""
    if first == "ceu":
        words = words[1:]
        first = words[0].lower() if words else ""
    command = _BY_NAME.get(first)
    return (command, words[1:]) if command is not None else (HELP, [])


def _by_name() -> dict[str, Command]:
    found: dict[str, Command] = {}
    for command in COMMANDS:
        for name in (command.name, *command.aliases):
            found.setdefault(name, command)  # a name two commands share goes to the first (none do today)
    return found


_BY_NAME = _by_name()


def requirement_line(ctx: Context | None) -> str:
    """The requirement in one sentence, with the numbers of today's policy (generic without a context)."""
    if ctx is None:
        return (
            "Alabama technology directors need their credited hours each fiscal year (Oct 1 to Sep 30), partly "
            "from ALET and partly from approved external events; “status” shows yours."
        )
    p = current_policy(ctx)
    return (
        f"Alabama technology directors need {fmt_hours(p.required)} credited hours each fiscal year "
        f"(Oct 1 to Sep 30): at least {fmt_hours(p.alet_minimum)} from ALET, at most "
        f"{fmt_hours(p.external_maximum)} from approved external events."
    )


def help_reply(ctx: Context | None = None, prefix: str = "", actor: Actor | None = None) -> Reply:
    """The commands `actor`'s roles allow; without an actor every command, each restricted one with its roles."""
    if actor is not None:
        mine = [c for c in COMMANDS if c.allows(actor)]
        items = [f"{prefix}{c.usage}: {c.summary}" for c in mine]
    else:
        mine = list(COMMANDS)
        items = [f"{prefix}{c.usage}: {c.summary}" + (f" ({c.who()})" if c.roles else "") for c in mine]
    return Reply(
        title="TD-CEU bot: what I can do",
        sections=[Section(text=requirement_line(ctx), items=items)],
        summary="TD-CEU bot commands: " + ", ".join(c.name for c in mine),
    )
