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
    """Whom to contact (the policy's contact line); nothing is recorded."""
    who = email or "your chat account's e-mail address"
    contact = current_policy(ctx).contact
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
