"""One chat message in, one Reply out: the dispatcher both platforms and the console use for text commands."""

from __future__ import annotations

from handlers.commands import HELP, Command, command_prefix, help_reply, parse, understood
from handlers.context import Actor, Context
from handlers.control_chars import describe, first_refused
from handlers.forms import refusal
from handlers.payloads import FormRequest
from handlers.people import find_actor, unknown_user
from handlers.reply import Outcome, Reply, Section


def handle_text(ctx: Context, email: str | None, platform: str, text: str) -> Reply:
    """The caller handed down in the Context (else looked up by e-mail), then the command parsed and run. Form
    commands return a Reply whose payload names the form (`FormRequest("submit")`); the platform opens it (the
    console explains it)."""
    actor = ctx.actor if ctx.actor is not None else find_actor(ctx, email, platform)
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
    if command is HELP and not understood(text):
        return not_understood(ctx, actor, text)
    if command.run is not None and not command.allows(actor):
        return role_refusal(ctx, command, actor)
    if command.run is None:
        return Reply(
            title=f"Opening the {command.name} form",
            sections=[Section(text=command.summary)],
            payload=FormRequest(command.form or command.name),
        )
    return command.run(ctx, actor, args)


def role_refusal(ctx: Context, command: Command, actor: Actor) -> Reply:
    """A polite refusal naming who may use the command and whom to contact; nothing is recorded."""
    return refusal(ctx, f"“{command.name}” is for {command.who()}", command.name)


def not_understood(ctx: Context, actor: Actor, text: str) -> Reply:
    """Help, saying first what was not understood (quoted, shortened)."""
    said = " ".join(text.split())
    said = said if len(said) <= 60 else said[:59] + "…"
    reply = help_reply(ctx, prefix=command_prefix(actor), actor=actor)
    reply.title = f"Sorry, I didn't understand “{said}”"
    reply.sections.insert(0, Section(text="Here is what I can do:"))
    return reply
