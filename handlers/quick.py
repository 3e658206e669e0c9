"""Read-only commands answered for a caller the platform already knows (issue 15): the command run directly, without
handle_text's look-up of the caller by e-mail. None whenever handle_text would answer otherwise than by running
the command (another command, a refused character, a role that may not use it): the platform then takes its
usual path."""

from __future__ import annotations

from handlers.commands import parse
from handlers.context import Actor, Context
from handlers.control_chars import first_refused
from handlers.reply import Reply

QUICK = frozenset({"status"})


def is_quick(text: str) -> bool:
    return parse(text)[0].name in QUICK


def quick_reply(ctx: Context, actor: Actor, text: str) -> Reply | None:
    command, args = parse(text)
    if command.name not in QUICK or command.run is None or first_refused(text) is not None:
        return None
    if not command.allows(actor):
        return None
    return command.run(ctx, actor, args)
