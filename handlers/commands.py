"""The one table of chat commands both platforms share: parsing (longest command first, anything unknown
answers help) and the help reply. Form commands (submit, request) are opened by each platform's own UI."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from handlers.context import Actor, Context
from handlers.events import handle_events
from handlers.fy_arg import current_policy
from handlers.history import handle_history
from handlers.reply import Reply, Section
from handlers.snooze import handle_snooze
from handlers.status import handle_status
from rules.hours import fmt_hours

Run = Callable[[Context, Actor, list[str]], Reply]


@dataclass(frozen=True)
class Command:
    name: str
    usage: str
    summary: str
    run: Run | None = None  # None: a form command (the platform opens its modal / card form)
    form: str | None = None
    aliases: tuple[str, ...] = ()


def handle_help(ctx: Context, actor: Actor | None, args: list[str]) -> Reply:
    return help_reply(ctx)


COMMANDS: tuple[Command, ...] = (
    Command(
        "status",
        "status [FY]",
        "your hours, ALET hours still needed, strand gaps and CTO Academy deadline",
        handle_status,
        aliases=("", "hi", "hello", "hey"),
    ),
    Command(
        "history",
        "history [FY]",
        "every credited and pending record of this (or a past) fiscal year",
        handle_history,
        aliases=("transcript",),
    ),
    Command(
        "events",
        "events",
        "approved external events and upcoming ALET activities",
        handle_events,
        aliases=("catalog",),
    ),
    Command("submit", "submit", "claim hours of an approved external event, with evidence", form="submit"),
    Command("request", "request", "ask ALET to approve a new external event (TDs and SDE staff)", form="request"),
    Command(
        "snooze",
        "snooze",
        "pause reminders for a week (the final 7-day and 1-day ones still come)",
        handle_snooze,
    ),
    Command("help", "help", "this list", handle_help),
)

HELP = COMMANDS[-1]


def parse(text: str) -> tuple[Command, list[str]]:
    """Find the command a message names (case-insensitive, longest name first); unknown text -> help."""
    words = text.strip().split()
    first = words[0].lower().lstrip("/") if words else ""
    if first == "ceu":
        words = words[1:]
        first = words[0].lower() if words else ""
    names = sorted(((n, c) for c in COMMANDS for n in (c.name, *c.aliases)), key=lambda nc: -len(nc[0]))
    for name, command in names:
        if first == name:
            return command, words[1:]
    return HELP, []


def requirement_line(ctx: Context | None) -> str:
    """The requirement in one sentence, with the numbers of today's policy (generic without a context)."""
    if ctx is None:
        return (
            "Alabama technology directors need their credited hours each fiscal year (Oct 1 to Sep 30), partly "
            "from ALET and partly from approved external events; `status` shows yours."
        )
    p = current_policy(ctx)
    return (
        f"Alabama technology directors need {fmt_hours(p.required)} credited hours each fiscal year "
        f"(Oct 1 to Sep 30): at least {fmt_hours(p.alet_minimum)} from ALET, at most "
        f"{fmt_hours(p.external_maximum)} from approved external events."
    )


def help_reply(ctx: Context | None = None, prefix: str = "") -> Reply:
    return Reply(
        title="TD-CEU bot: what I can do",
        sections=[
            Section(
                text=requirement_line(ctx),
                items=[f"{prefix}{c.usage}: {c.summary}" for c in COMMANDS],
            )
        ],
        summary="TD-CEU bot commands: status, history, events, submit, request, snooze, help",
    )
