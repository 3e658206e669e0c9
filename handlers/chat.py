"""One chat message in, one Reply out: the dispatcher both platforms and the console use for text commands."""

from __future__ import annotations

from handlers.commands import Command, parse
from handlers.context import Actor, Context
from handlers.control_chars import describe, first_refused
from handlers.forms import refusal
from handlers.people import find_actor, unknown_user
from handlers.reply import Outcome, Reply, Section


def handle_text(ctx: Context, email: str | None, platform: str, text: str) -> Reply:
    """Resolve the caller by e-mail, parse the command and run it. Form commands return a Reply whose data
    names the form (`{"form": "submit"}`); the platform opens it (the console explains it)."""
    actor = find_actor(ctx, email, platform)
    command, args = parse(text)
    if actor is None:
        return unknown_user(ctx, email)
    char = first_refused(text)
    if char is not None:  # a NUL cannot even be looked up on PostgreSQL; nothing else means anything in a command
        return Reply(
            title="I could not read that message",
            sections=[Section(text=f"It contains {describe(char)}. Please type the command again without it.")],
            outcome=Outcome.INVALID,
        )
    if command.run is not None and not command.allows(actor):
        return role_refusal(ctx, command, actor)
    if command.run is None:
        return Reply(
            title=f"Opening the {command.name} form",
            sections=[Section(text=command.summary)],
            data={"form": command.form or command.name},
        )
    return command.run(ctx, actor, args)


def role_refusal(ctx: Context, command: Command, actor: Actor) -> Reply:
    """A polite refusal naming who may use the command and whom to contact; nothing is recorded."""
    return refusal(ctx, f"`{command.name}` is for {command.who()}", command.name)
