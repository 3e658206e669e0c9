"""Taking a person off the roster and back (`ceu-bot roster deactivate|activate EMAIL`): no reminders and no
chat while off, their records kept, and the report of a FY they were off for all of left without them."""

from __future__ import annotations

from handlers.context import Context
from handlers.reply import Outcome, Reply, message
from storage.people import by_email
from storage.roster import set_active


def set_roster_active(ctx: Context, actor: str, email: str, active: bool) -> Reply:
    """Activate or deactivate the roster person `email` from today on (an audit row when it changes)."""
    with ctx.session() as session:
        person = by_email(session, email)
        if person is None:
            return message(f"{email} is not on the roster", "Check the e-mail address.", Outcome.NOT_FOUND)
        changed = set_active(session, person, active, ctx.today, actor)
        session.commit()
    state = "on the roster" if active else "off the roster"
    if not changed:
        return message(f"{person.name} ({person.email}) is already {state}", outcome=Outcome.ALREADY)
    if active:
        text = "Reminders and chat are open to them again."
    else:
        text = (
            f"From {ctx.today.isoformat()} on: no reminders, no chat; their records are kept, and they stay in the "
            "report of every fiscal year they were on the roster in."
        )
    return message(f"{person.name} ({person.email}) is now {state}", text)
