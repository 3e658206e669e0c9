"""`import` in chat (reviewers, admins): an attendance CSV sent to the bot is checked by the same all-or-nothing
code as `ceu-bot import attendance` (handlers.imports, rolled back) and answered with a preview, either the rows,
people and hours it would add with Confirm / Cancel buttons, or every bad row by line number.

The preview (the file's bytes included, so any replica imports exactly what was shown) is a row of
`import_preview` that expires after PREVIEW_TTL. Confirm claims it with one conditional UPDATE (pending and not
expired -> imported) in the same transaction as the import and its audit rows, so double clicks, platform retries
and two reviewers pressing at once import it exactly once; the others hear who imported it. Cancel claims it the
same way. Buttons: action IMPORT_CONFIRM / IMPORT_CANCEL, value "preview:<id>"."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from handlers.context import Actor, Context
from handlers.forms import refusal
from handlers.imports import CONCURRENT, ImportRefused, ImportResult, check_bytes, import_in
from handlers.payloads import FormRequest, Imported, ImportPreviewed, ImportProblems
from handlers.reply import Button, Fact, Outcome, Reply, Section, trimmed
from rules.hours import fmt_hours, fmt_hours_unit
from storage.audit import audit
from storage.tables import ImportPreview, Person

IMPORT_ROLES = frozenset({"reviewer", "admin"})
IMPORT_FORM = "import"
IMPORT_CONFIRM = "import.confirm"
IMPORT_CANCEL = "import.cancel"
IMPORT_VERBS = frozenset({IMPORT_CONFIRM, IMPORT_CANCEL})
PREVIEW_TTL = timedelta(hours=1)
MAX_BYTES = 5 * 1024 * 1024
PROBLEMS_SHOWN = 25
PENDING, IMPORTED, CANCELLED = "pending", "imported", "cancelled"
_LINE = re.compile(r"^line (\d+)\b")


def may_import(actor: Actor | None) -> bool:
    return actor is not None and bool(actor.roles & IMPORT_ROLES)


def is_import_file(actor: Actor | None, name: str) -> bool:
    """A CSV from a reviewer or admin is an attendance import (a CSV is never evidence)."""
    return may_import(actor) and name.lower().endswith(".csv")


def handle_import(ctx: Context, actor: Actor, args: list[str]) -> Reply:
    """Slack opens the upload modal (data["form"]); elsewhere this says how to send the file."""
    return Reply(
        title="Send me ALET's attendance CSV",
        sections=[
            Section(
                text="Attach the file here in our personal chat (columns email, activity_code, date, hours; "
                "optionally strands and unit). I check every row first and show what it would add, with Confirm "
                f"and Cancel; nothing is written before Confirm, and the preview expires after "
                f"{_ttl_text()}."
            )
        ],
        payload=FormRequest(IMPORT_FORM),
    )


def _ttl_text() -> str:
    hours = int(PREVIEW_TTL.total_seconds() // 3600)
    return f"{hours} hour{'s' if hours != 1 else ''}"


ZONE_NAMES = {"America/Chicago": "Central"}  # how a time is labelled in the default zone


def _local(instant: datetime, zone: str) -> str:
    """`instant` in CEU_TIMEZONE, labelled ("2026-03-02 14:05 Central")."""
    local = instant.astimezone(ZoneInfo(zone))
    return f"{local:%Y-%m-%d %H:%M} {ZONE_NAMES.get(zone) or local.tzname() or zone}"


def _as_utc(instant: datetime) -> datetime:
    return instant.replace(tzinfo=UTC) if instant.tzinfo is None else instant


def preview_file(ctx: Context, actor: Actor, data: bytes, name: str, platform: str) -> Reply:
    """Check the file and answer with the preview (stored, with buttons) or every problem; nothing imported."""
    if not may_import(actor):
        return refusal(ctx, "“import” is for ALET admins and reviewers", "import")
    if len(data) > MAX_BYTES:
        return _refused(name, [f"the file is larger than {MAX_BYTES // (1024 * 1024)} MiB; split it into days"])
    try:
        result = check_bytes(ctx, "attendance", data)
    except ImportRefused as exc:
        return _refused(name, exc.problems)
    if result.added == 0:
        return Reply(
            title=f"Nothing new in {name}",
            sections=[Section(text=f"All {result.rows} rows are already recorded; there is nothing to import.")],
            outcome=Outcome.ALREADY,
        )
    now = datetime.now(UTC)
    with ctx.session() as session:
        preview = ImportPreview(
            file_name=name[:255],
            sha256=hashlib.sha256(data).hexdigest(),
            data=data,
            rows=result.rows,
            people=result.people,
            quarters=result.quarters,
            created_by=actor.person_id,
            platform=platform,
            created_at=now,
            expires_at=now + PREVIEW_TTL,
        )
        session.add(preview)
        audit(session, actor.email, "import.preview", name[:200], {"rows": result.rows, "added": result.added})
        session.commit()
        assert preview.id is not None
        return preview_reply(preview, result, ctx.zone)


def preview_reply(preview: ImportPreview, result: ImportResult, zone: str) -> Reply:
    assert preview.id is not None
    facts = [
        Fact("Rows", str(result.rows)),
        Fact("New records", str(result.added)),
        Fact("People", str(result.people)),
        Fact("Hours", fmt_hours(result.quarters)),
    ]
    if result.skipped:
        facts.append(Fact("Already recorded (skipped)", str(result.skipped)))
    if result.uncredited:
        facts.append(Fact("Recorded without credit", f"{result.uncredited} (repeats or courses that do not count)"))
    if result.confirmed:
        facts.append(Fact("Replace pending chat submissions", str(result.confirmed)))
    value = f"preview:{preview.id}"
    return Reply(
        title=f"Preview of {preview.file_name}: ready to import",
        sections=[
            Section(
                text=f"Every row checked; nothing is written until you press Confirm. This preview expires at "
                f"{_local(_as_utc(preview.expires_at), zone)} ({_ttl_text()}).",
                facts=facts,
            )
        ],
        buttons=[
            Button(IMPORT_CONFIRM, "Confirm import", value, "primary"),
            Button(IMPORT_CANCEL, "Cancel", value, "danger"),
        ],
        summary=f"{preview.file_name}: {result.added} records, {result.people} people, "
        f"{fmt_hours_unit(result.quarters)}; Confirm or Cancel",
        payload=ImportPreviewed(preview.id),
    )


def bad_lines(problems: list[str]) -> str:
    """The line numbers of `problems` as ranges: "3, 5, 9-14"."""
    numbers = sorted({int(m.group(1)) for p in problems if (m := _LINE.match(p))})
    parts: list[str] = []
    for n in numbers:
        if parts and parts[-1].split("-")[-1] == str(n - 1):
            parts[-1] = f"{parts[-1].split('-')[0]}-{n}"
        else:
            parts.append(str(n))
    return ", ".join(parts)


def _refused(name: str, problems: list[str]) -> Reply:
    items, more = trimmed(problems, PROBLEMS_SHOWN)
    if more:
        more = f"{more}; every bad line: {bad_lines(problems)}"
    n = len(problems)
    return Reply(
        title=f"{name} was not imported: {n} problem{'s' if n != 1 else ''}",
        sections=[Section(text="Nothing was written. Fix these rows and send the file again:", items=items, more=more)],
        outcome=Outcome.INVALID,
        payload=ImportProblems(tuple(problems)),
    )


def parse_preview(value: str) -> int | None:
    kind, _, raw = value.partition(":")
    return int(raw) if kind == "preview" and raw.isdigit() else None


def press(ctx: Context, actor: Actor, action: str, value: str) -> Reply:
    """Confirm or Cancel on a preview (any reviewer or admin)."""
    if not may_import(actor):
        return refusal(ctx, "Only reviewers and ALET admins import attendance", "import")
    preview_id = parse_preview(value)
    if preview_id is None:
        return Reply(title="That button no longer points at a preview", outcome=Outcome.NOT_FOUND)
    if action == IMPORT_CONFIRM:
        return confirm(ctx, actor, preview_id)
    return cancel(ctx, actor, preview_id)


def _claim(session: Session, preview_id: int, status: str, actor: Actor, now: datetime) -> bool:
    done: CursorResult[tuple[()]] = session.execute(  # type: ignore[assignment]
        update(ImportPreview)
        .where(
            col(ImportPreview.id) == preview_id,
            col(ImportPreview.status) == PENDING,
            col(ImportPreview.expires_at) > now,
        )
        .values(status=status, decided_by=actor.person_id, decided_at=now)
    )
    return done.rowcount == 1


def confirm(ctx: Context, actor: Actor, preview_id: int) -> Reply:
    now = datetime.now(UTC)
    with ctx.session() as session:
        try:
            if not _claim(session, preview_id, IMPORTED, actor, now):
                session.rollback()
                return _not_pending(session, preview_id, ctx.zone)
            preview = session.get(ImportPreview, preview_id)
            assert preview is not None
            result = import_in(ctx, session, "attendance", preview.data, preview.file_name, actor=actor.email)
            preview.result = result.summary()
            session.add(preview)
            audit(session, actor.email, "import.confirm", f"preview:{preview_id}", {"file": preview.file_name})
            session.commit()
        except ImportRefused as exc:  # the data changed since the preview (roster, catalog, another import)
            session.rollback()
            return _refused(_name(session, preview_id), exc.problems)
        except IntegrityError:
            session.rollback()
            return _refused(_name(session, preview_id), [CONCURRENT])
    return Reply(
        title=f"Imported {preview.file_name}",
        sections=[Section(text=f"{result.summary()} Imported by {actor.name} on {_local(now, ctx.zone)}.")],
        summary=f"Imported {preview.file_name}: {result.added} records",
        payload=Imported(preview_id, result.added),
    )


def cancel(ctx: Context, actor: Actor, preview_id: int) -> Reply:
    now = datetime.now(UTC)
    with ctx.session() as session:
        if not _claim(session, preview_id, CANCELLED, actor, now):
            session.rollback()
            return _not_pending(session, preview_id, ctx.zone)
        audit(session, actor.email, "import.cancel", f"preview:{preview_id}")
        session.commit()
        name = _name(session, preview_id)
    return Reply(
        title=f"Cancelled: {name} was not imported",
        sections=[Section(text=f"Cancelled by {actor.name}. Send the file again to start over.")],
        outcome=Outcome.OK,
    )


def _name(session: Session, preview_id: int) -> str:
    preview = session.get(ImportPreview, preview_id)
    return preview.file_name if preview is not None else "the file"


def _not_pending(session: Session, preview_id: int, zone: str) -> Reply:
    """Why a press changed nothing: decided already (by whom, when), expired, or unknown."""
    preview = session.get(ImportPreview, preview_id)
    if preview is None:
        return Reply(title="That preview is unknown", outcome=Outcome.NOT_FOUND)
    if preview.status == PENDING:
        return Reply(
            title=f"The preview of {preview.file_name} has expired",
            sections=[
                Section(
                    text=f"It expired at {_local(_as_utc(preview.expires_at), zone)}; nothing was imported. "
                    "Send the file again for a fresh preview."
                )
            ],
            outcome=Outcome.INVALID,
        )
    who = session.get(Person, preview.decided_by) if preview.decided_by else None
    when = _local(_as_utc(preview.decided_at), zone) if preview.decided_at else "earlier"
    verb = "imported" if preview.status == IMPORTED else "cancelled"
    text = f"{preview.result} " if preview.status == IMPORTED and preview.result else ""
    return Reply(
        title=f"{preview.file_name} was already {verb} by {who.name if who else 'a reviewer'}",
        sections=[Section(text=f"{text}That was on {when}; nothing changed now.")],
        outcome=Outcome.ALREADY,
    )
