"""Who is asking: turning a chat user's e-mail into a roster Actor, and the reply for people not on the roster."""

from __future__ import annotations

from handlers.context import Actor, Context
from handlers.fy_arg import current_policy
from handlers.reply import Outcome, Reply, Section
from storage.people import by_email, roles_of
from storage.tables import Person


def actor_of(person: Person, platform: str) -> Actor:
    assert person.id is not None
    return Actor(person.id, person.email, person.name, roles_of(person), platform)


def find_actor(ctx: Context, email: str | None, platform: str) -> Actor | None:
    if not email:
        return None
    with ctx.session() as session:
        person = by_email(session, email)
        if person is None or not person.active:
            return None
        return actor_of(person, platform)


def unknown_user(ctx: Context, email: str | None) -> Reply:
    """Whom to contact (the policy's contact line); nothing is recorded. A person taken off the roster is told so."""
    who = email or "your chat account's e-mail address"
    contact = current_policy(ctx).contact
    if email and _inactive(ctx, email):
        return inactive_user(email, contact)
    return Reply(
        title="You are not on the TD-CEU roster yet",
        sections=[
            Section(
                text=(
                    f"I could not find {who} among Alabama's technology directors, SDE staff or ALET reviewers, "
                    f"so I have not recorded anything. Please contact {contact} "
                    "to be added, or ask them to use the e-mail address of your chat account."
                )
            )
        ],
        outcome=Outcome.UNKNOWN_USER,
    )


def _inactive(ctx: Context, email: str) -> bool:
    with ctx.session() as session:
        person = by_email(session, email)
        return person is not None and not person.active


def inactive_user(email: str, contact: str) -> Reply:
    return Reply(
        title="You are no longer on the TD-CEU roster",
        sections=[
            Section(
                text=(
                    f"{email} was taken off the roster of Alabama's technology directors, so the bot is closed to "
                    f"you and sends no reminders; your training records are kept. If this is a mistake, please "
                    f"contact {contact}."
                )
            )
        ],
        outcome=Outcome.UNKNOWN_USER,
    )
