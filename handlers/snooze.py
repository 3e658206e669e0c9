"""`snooze`: pause reminders for a week (the last 7-day and 1-day reminders still come)."""

from __future__ import annotations

from datetime import timedelta

from handlers.context import Actor, Context
from handlers.reply import Reply, Section
from rules.fiscal import fiscal_year_of
from storage.audit import audit
from storage.policy_data import policy_for
from storage.tables import Person


def handle_snooze(ctx: Context, actor: Actor, args: list[str]) -> Reply:
    with ctx.session() as session:
        policy = policy_for(session, fiscal_year_of(ctx.today))
        person = session.get(Person, actor.person_id)
        assert person is not None
        until = ctx.today + timedelta(days=policy.snooze_days)
        if person.snoozed_until is None or person.snoozed_until < until:
            person.snoozed_until = until
            session.add(person)
            audit(session, actor.email, "reminders.snooze", person.email, {"until": until.isoformat()})
            session.commit()
    last = " and ".join(f"{d}-day" for d in policy.unsnoozable_days)
    return Reply(
        title=f"Reminders paused until {until.isoformat()}",
        sections=[Section(text=f"You will still get the final {last} reminders before a deadline.")],
    )
