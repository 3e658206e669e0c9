"""Read-only commands answered for a caller the platform already knows (issue 15): the command run directly, without
handle_text's look-up of the caller by e-mail. None whenever handle_text would answer otherwise than by running
the command (another command, a refused character, a role that may not use it): the platform then takes its
usual path.

`kept_reply` is the cheapest of these: a director's status already built at the versions the caller's own read
returned (storage/known_caller.py), with no database work at all, so a platform may ask it on the event loop."""

from __future__ import annotations

from handlers.commands import Command, own_status, parse
from handlers.context import Actor, Context
from handlers.control_chars import first_refused
from handlers.reply import Reply
from handlers.status import cached_status
from storage.known_caller import KnownCaller

QUICK = frozenset({"status"})


def is_quick(text: str) -> bool:
    return parse(text)[0].name in QUICK


def _runnable(actor: Actor, text: str) -> tuple[Command, list[str]] | None:
    command, args = parse(text)
    if command.name not in QUICK or command.run is None or first_refused(text) is not None:
        return None
    return (command, args) if command.allows(actor) else None


def quick_reply(ctx: Context, actor: Actor, text: str) -> Reply | None:
    found = _runnable(actor, text)
    if found is None:
        return None
    command, args = found
    assert command.run is not None
    return command.run(ctx, actor, args)


def actor_of(caller: KnownCaller, platform: str) -> Actor:
    return Actor(caller.person_id, caller.email, caller.name, caller.roles, platform=platform)


def kept_reply(ctx: Context, actor: Actor, versions: tuple[int, int, int], text: str) -> Reply | None:
    """quick_reply's answer when it is a director's own status kept at `versions`; None: ask quick_reply."""
    found = _runnable(actor, text)
    if found is None or found[0].name != "status" or not own_status(actor):
        return None
    return cached_status(ctx, actor.person_id, versions, found[1])
