"""What a person's Home shows (Slack's App Home tab), platform-free: one part per role that applies.

- a technology director: their status, the very Reply `status` answers (handlers.status), with Submit / Request /
  History buttons that do what the commands do;
- a reviewer: the items waiting for review, oldest first, each with the Approve / Reject buttons of its review post
  (handlers.review_queue; the presses go through handlers.review_flow like the post's);
- SDE staff and admins: the overview of the current fiscal year (handlers.overview).

Someone not on the roster (or taken off it) gets the reply saying whom to contact. bot/slack/home.py renders a
`Home` as a home view and publishes it (on app_home_opened and through the outbox when something changes).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from handlers.context import Actor, Context
from handlers.fy_arg import fy_from_args
from handlers.overview import overview_for
from handlers.people import unknown_user
from handlers.reply import Button, Outcome, Reply, Section
from handlers.review import review_buttons
from handlers.review_queue import all_waiting, waiting_line
from handlers.status import handle_status

ITEMS_SHOWN = 30  # waiting items listed with their buttons; the renderer may show fewer to stay within its limits
HOME_ACTIONS = ("home.submit", "home.request", "home.history")


@dataclass(frozen=True)
class WaitingItem:
    """One item waiting for review: its line and its Approve / Reject buttons."""

    line: str
    buttons: list[Button]


@dataclass
class Home:
    """The parts of a Home in order (director's status, the queue's heading, overview) and the waiting items."""

    parts: list[Reply] = field(default_factory=list)
    waiting: list[WaitingItem] = field(default_factory=list)
    waiting_total: int = 0  # all items waiting (`waiting` holds at most ITEMS_SHOWN of them)
    queue_at: int = -1  # the index in `parts` after which the waiting items stand (-1: no queue part)
    outcome: Outcome = Outcome.OK

    def more(self, shown: int) -> str:
        """The "… and N more" line when only `shown` waiting items are shown."""
        left = self.waiting_total - shown
        return f"… and {left} more waiting (their posts in the reviewers' channel have the buttons)" if left else ""

    def to_text(self) -> str:
        texts = [p.to_text() for p in self.parts]
        if self.waiting:
            lines = [w.line for w in self.waiting]
            texts.insert(self.queue_at + 1, "\n".join([*lines, self.more(len(lines))]).strip())
        return "\n\n".join(t for t in texts if t)


def director_buttons() -> list[Button]:
    return [
        Button("home.submit", "Submit hours", "submit", "primary"),
        Button("home.request", "Request an event", "request"),
        Button("home.history", "History", "history"),
    ]


def queue_part(ctx: Context, home: Home) -> None:
    with ctx.session() as session:
        waiting = all_waiting(session)
    n = len(waiting)
    title = f"{n} item{'s' if n != 1 else ''} waiting for review" if n else "Nothing is waiting for review"
    text = (
        "Oldest first. Approve or reject here or on the item's post in the reviewers' channel."
        if n
        else "New submissions and event requests appear here and in the reviewers' channel."
    )
    home.parts.append(Reply(title=title, sections=[Section(text=text)], summary=title))
    home.queue_at = len(home.parts) - 1
    home.waiting_total = n
    home.waiting = [
        WaitingItem(waiting_line(w, ctx.today, ctx.zone), review_buttons(w.item_type, w.item_id))
        for w in waiting[:ITEMS_SHOWN]
    ]


def home_for(ctx: Context, actor: Actor | None, email: str | None = None) -> Home:
    """The Home of `actor` (None: not on the roster, `email` as their chat account shows it)."""
    if actor is None:
        reply = unknown_user(ctx, email)
        return Home(parts=[reply], outcome=reply.outcome)
    home = Home()
    is_staff = bool(actor.roles & {"reviewer", "sde", "admin"})
    if actor.has("director") or not is_staff:
        status = handle_status(ctx, actor, [])  # may be the kept status (handlers/status_cache): never changed in place
        home.parts.append(replace(status, buttons=director_buttons() if actor.has("director") else []))
    if actor.has("reviewer"):
        queue_part(ctx, home)
    if actor.has("sde") or actor.has("admin"):
        home.parts.append(overview_for(ctx, fy_from_args([], ctx.today)[0]))
    return home
