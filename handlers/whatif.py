"""`whatif CODE [HOURS]`: what claiming an activity of this FY's catalog would do to the director's year ("this
would bring you to 11 of 12 hours; still 1 from ALET; closes the Ethics, Laws, and Policies gap"), computed by the
rules on the director's records plus the claim. Nothing is written.

`form_preview(ctx, actor, values)` is the same line for the submit form's answers so far (its event, hours, date
and strands), shown in the form before it is sent (Slack: on picking the event; Teams: the Preview button)."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from handlers.context import Actor, Context
from handlers.forms import Values, list_value, text_value
from handlers.reply import Outcome, Reply, Section, message
from rules.claims import Claim, cap_key, check_claim, dates_of, unit_key
from rules.credit import Credit, Status, tie
from rules.fiscal import fiscal_year_of
from rules.hours import HoursError, fmt_hours, fmt_hours_unit, parse_hours
from rules.policy import CatalogItem, Policy
from rules.repeats import Taken
from rules.strands import mask_of
from rules.whatif import Effect, effect
from storage.catalog import catalog, entry_by_code
from storage.policy_data import policy_for
from storage.records import claimed_quarters, credits_of
from storage.repeats import credit_if_added

USAGE = "Say which activity, e.g. whatif EXT-ISTE 3 (the codes are in events)."


def handle_whatif(ctx: Context, actor: Actor, args: list[str]) -> Reply:
    if not args or len(args) > 2:
        return message("What if you attend…?", USAGE, Outcome.INVALID)
    fy = fiscal_year_of(ctx.today)
    with ctx.session() as session:
        policy = policy_for(session, fy)
        item = _item(session, fy, args[0])
        if item is None:
            return _unknown(session, fy, args[0])
        try:
            quarters = parse_hours(args[1]) if len(args) == 2 else item.cap
        except HoursError as exc:
            return message("What if you attend…?", f"{str(exc).capitalize()}.", Outcome.INVALID)
        day = _day_of(item, ctx.today)
        problems = _problems(session, actor.person_id, item, day, quarters, policy, ctx.today)
        if problems:
            return message(f"{item.title} cannot be claimed that way", "; ".join(problems) + ".", Outcome.INVALID)
        claim = Credit(item.is_alet, day, quarters, item.strands, Status.APPROVED, True, tie(item.code, ""))
        return whatif_reply(item, effect(credits_of(session, actor.person_id, fy), claim, policy), policy)


def _item(session: Session, fy: int, code: str) -> CatalogItem | None:
    wanted = code.strip().upper()
    return next((i for i in catalog(session, fy) if i.code.upper() == wanted), None)


def _unknown(session: Session, fy: int, code: str) -> Reply:
    words = code.lower()
    near = [f"{i.code}: {i.title}" for i in catalog(session, fy) if words in i.title.lower() or words in i.code.lower()]
    text = f"No activity of FY{fy} has the code {code[:40]}."
    return Reply(
        title="What if you attend…?",
        sections=[Section(text=text + (" Did you mean one of these?" if near else " " + USAGE), items=near[:10])],
        outcome=Outcome.NOT_FOUND,
    )


def _day_of(item: CatalogItem, today: date) -> date:
    """The day the claim would be on: the activity's own (first) day when it is dated, else today."""
    if item.day is None:
        return today
    return item.day if item.last_day is None or item.last_day < today or item.day > today else today


def _problems(
    session: Session, person_id: int, item: CatalogItem, day: date, quarters: int, p: Policy, today: date
) -> list[str]:
    """Why the claim could not be recorded (a future date is no problem here: the point is planning)."""
    entry = entry_by_code(session, item.fy, item.code)
    assert entry is not None and entry.id is not None
    unit = unit_key(item, day)
    already = claimed_quarters(session, person_id, entry.id, cap_key(item, unit) or None)
    out = [str(pr) for pr in check_claim(Claim(item, day, quarters, item.strands), p, max(today, day), already)]
    if not item.counts_for_td:
        out.append(f"{item.title} does not count for TD credit")
    elif item.no_repeat:
        keeps, _ = credit_if_added(session, person_id, item.code, Taken(item.fy, day, unit, "whatif"), entry.id, None)
        if not keeps:
            out.append(f"{item.title} is already credited to you, and it counts only once")
    return out


PICK_FIRST = "Pick the event to see what it would do to your year."


def form_preview(ctx: Context, actor: Actor, values: Values) -> str:
    """What the submit form's answers would do to the director's year, in one line (nothing written); why it cannot
    be told yet when an answer is missing or would be refused."""
    raw = text_value(values, "event")
    if not raw:
        return PICK_FIRST
    with ctx.session() as session:
        fy_text, _, code = raw.partition(":")
        fy = int(fy_text) if fy_text.isdigit() and code else fiscal_year_of(ctx.today)
        item = _item(session, fy, code or raw)
        if item is None:
            return f"{raw[:40]} is not an approved event of FY{fy}; pick one from the list."
        policy = policy_for(session, item.fy)
        try:
            quarters = parse_hours(text_value(values, "hours")) if text_value(values, "hours") else item.cap
            day = date.fromisoformat(text_value(values, "date")) if text_value(values, "date") else ctx.today
        except (HoursError, ValueError) as exc:
            return f"Preview after fixing the form: {exc}."
        picked = [int(n) for n in list_value(values, "strands") if n.isdigit() and int(n) in policy.strands]
        strands = mask_of(picked) if picked else item.strands
        problems = _problems(session, actor.person_id, item, day, quarters, policy, ctx.today)
        if problems:
            return f"As it stands this would not be recorded: {'; '.join(problems)}."
        claim = Credit(item.is_alet, day, quarters, strands, Status.APPROVED, True, tie(item.code, ""))
        return whatif_headline(item, effect(credits_of(session, actor.person_id, item.fy), claim, policy), policy)


def whatif_headline(item: CatalogItem, e: Effect, p: Policy) -> str:
    """ "If you claim 3 hours of ISTE: this would bring you to 11 of 12 hours; still 1 hour from ALET; …"."""
    a = e.after
    parts = [f"this would bring you to {fmt_hours(a.credited)} of {fmt_hours(p.required)} hours"]
    if a.remaining_alet:
        parts.append(f"still {fmt_hours_unit(a.remaining_alet)} from ALET")
    if e.counted < e.claimed:
        parts.append(
            f"only {fmt_hours(e.counted)} of its {fmt_hours(e.claimed)} hours would count "
            f"(at most {fmt_hours(p.external_maximum)} external hours count)"
        )
    if e.closes:
        names = "; ".join(p.strands[n] for n in e.closes)
        parts.append(f"closes the {names} gap" + ("s" if len(e.closes) > 1 else ""))
    if e.completes:
        parts.append(f"and you would meet the FY{item.fy} requirement")
    when = f" ({dates_of(item)})" if item.day else ""
    return "If you claim " + f"{fmt_hours_unit(e.claimed)} of {item.title}{when}: " + "; ".join(parts) + "."


def whatif_reply(item: CatalogItem, e: Effect, p: Policy) -> Reply:
    headline = whatif_headline(item, e, p)
    return Reply(
        title=f"What if: {item.title}",
        sections=[Section(text=headline), Section(text="Nothing has been recorded. " + _how_to_claim(item))],
        summary=headline,
    )


def _how_to_claim(item: CatalogItem) -> str:
    if item.is_alet:
        return "ALET records your attendance of its own activities."
    return "To claim it after you attend, send submit."
