"""`import` in chat (reviewers, admins): an attendance CSV is checked by the CLI's all-or-nothing code and previewed
(rows, people, hours; or every bad row by line number) with Confirm / Cancel; Confirm imports exactly once (twice
pressed, two reviewers at once on SQLite and PostgreSQL), records who imported it, and the preview expires.
End to end on Slack (modal with file_input, DM preview, buttons) and Teams (the file in the personal chat, card
buttons) against the local fakes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update
from sqlmodel import col, select

from handlers.chat_import import IMPORT_CANCEL, IMPORT_CONFIRM, bad_lines, press, preview_file
from handlers.context import Actor, Context
from handlers.people import find_actor
from handlers.reply import Outcome, Reply
from storage.tables import AuditLog, CreditRecord, ImportBatch, ImportPreview
from tests.conftest import TODAY, load, seed_basic
from tests.fakes.bot_connector import file_attachment
from tests.fakes.slack_harness import SlackBot, running_bot
from tests.fakes.teams_harness import REVIEWER, SDE, TD, Teams, actions, running_teams, texts
from tests.slack.test_slack_commands import texts as slack_texts
from tests.slack_signing import block_action, interaction_body

GOOD = (
    b"email,activity_code,date,hours\n"
    b"td@a.k12.al.us,FALL24,2024-11-05,6\n"
    b"old@b.k12.al.us,FALL24,2024-11-05,4.5\n"
    b"old@b.k12.al.us,CAMP25,2025-02-20,3\n"
)
BAD = (
    b"email,activity_code,date,hours\n"
    b"td@a.k12.al.us,FALL24,2024-11-05,6\n"
    b"nobody@x.org,FALL24,2024-11-05,1\n"
    b"old@b.k12.al.us,NOPE,2024-11-05,1\n"
    b"old@b.k12.al.us,FALL24,11/05/2024,1\n"
)
SECOND_REVIEWER = "email,name,district,role_start,cto_completed,roles\nrev2@alet.org,Riley Second,ALET,,,reviewer\n"


def actor(ctx: Context, email: str) -> Actor:
    found = find_actor(ctx, email, "console")
    assert found is not None
    return found


def records(ctx: Context) -> int:
    with ctx.session() as s:
        return len(s.exec(select(CreditRecord)).all())


def value_of(reply: Reply) -> str:
    (confirm, cancel) = reply.buttons
    assert (confirm.action, cancel.action) == (IMPORT_CONFIRM, IMPORT_CANCEL) and confirm.value == cancel.value
    return confirm.value


def test_preview_then_confirm_exactly_once(any_ctx: Context) -> None:
    seed_basic(any_ctx)
    rev = actor(any_ctx, "rev@alet.org")
    preview = preview_file(any_ctx, rev, GOOD, "day.csv", "console")
    assert preview.ok and records(any_ctx) == 0  # nothing written by the preview
    facts = {f.label: f.value for f in preview.sections[0].facts}
    assert facts["Rows"] == "3" and facts["New records"] == "3" and facts["People"] == "2" and facts["Hours"] == "13.5"
    assert "expires at" in preview.to_text() and "(1 hour)" in preview.to_text()
    value = value_of(preview)

    done = press(any_ctx, rev, IMPORT_CONFIRM, value)
    assert done.ok and done.title == "Imported day.csv" and records(any_ctx) == 3
    again = press(any_ctx, rev, IMPORT_CONFIRM, value)
    assert again.outcome is Outcome.ALREADY and "already imported by Robin Reviewer" in again.title
    late_cancel = press(any_ctx, rev, IMPORT_CANCEL, value)
    assert late_cancel.outcome is Outcome.ALREADY and records(any_ctx) == 3
    with any_ctx.session() as s:
        (batch,) = s.exec(select(ImportBatch).where(ImportBatch.kind == "attendance")).all()
        assert batch.actor == "rev@alet.org"
        audits = {(a.actor, a.action) for a in s.exec(select(AuditLog)).all()}
        assert {("rev@alet.org", "import.attendance"), ("rev@alet.org", "import.confirm")} <= audits

    nothing_new = preview_file(any_ctx, rev, GOOD, "day.csv", "console")
    assert nothing_new.outcome is Outcome.ALREADY and nothing_new.buttons == []


def test_two_reviewers_confirming_at_once_import_once(any_ctx: Context) -> None:
    seed_basic(any_ctx)
    load(any_ctx, "roster", SECOND_REVIEWER)
    one, two = actor(any_ctx, "rev@alet.org"), actor(any_ctx, "rev2@alet.org")
    value = value_of(preview_file(any_ctx, one, GOOD, "day.csv", "console"))
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(lambda who: press(any_ctx, who, IMPORT_CONFIRM, value), [one, two, one, two]))
    outcomes = sorted(a.outcome.value for a in answers)
    assert outcomes == ["already", "already", "already", "ok"], [a.to_text() for a in answers]
    assert records(any_ctx) == 3
    with any_ctx.session() as s:
        assert len(s.exec(select(ImportBatch).where(ImportBatch.kind == "attendance")).all()) == 1


def test_bad_rows_listed_by_line_and_nothing_stored(any_ctx: Context) -> None:
    seed_basic(any_ctx)
    reply = preview_file(any_ctx, actor(any_ctx, "rev@alet.org"), BAD, "bad.csv", "console")
    assert reply.outcome is Outcome.INVALID and reply.buttons == []
    assert reply.title == "bad.csv was not imported: 3 problems"
    lines = reply.sections[0].items
    assert [i.split(":")[0] for i in lines] == ["line 3", "line 4", "line 5"]
    assert "not on the roster" in lines[0] and "NOPE" in lines[1]
    with any_ctx.session() as s:
        assert s.exec(select(ImportPreview)).all() == []
    assert records(any_ctx) == 0
    assert bad_lines([f"line {n}: x" for n in (3, 4, 5, 9, 11, 12)]) == "3-5, 9, 11-12"


def test_many_bad_rows_name_every_line(ctx: Context) -> None:
    seed_basic(ctx)
    rows = "".join(f"ghost{i}@x.org,FALL24,2024-11-05,1\n" for i in range(60))
    reply = preview_file(
        ctx, actor(ctx, "rev@alet.org"), f"email,activity_code,date,hours\n{rows}".encode(), "f.csv", "x"
    )
    section = reply.sections[0]
    assert len(section.items) == 25 and section.more == "… and 35 more; every bad line: 2-61"


def test_cancel_expiry_and_roles(ctx: Context) -> None:
    seed_basic(ctx)
    rev = actor(ctx, "rev@alet.org")
    value = value_of(preview_file(ctx, rev, GOOD, "day.csv", "console"))
    refused = press(ctx, actor(ctx, "td@a.k12.al.us"), IMPORT_CONFIRM, value)
    assert refused.outcome is Outcome.REFUSED and records(ctx) == 0
    assert preview_file(ctx, actor(ctx, "sde@alsde.edu"), GOOD, "day.csv", "x").outcome is Outcome.REFUSED
    cancelled = press(ctx, rev, IMPORT_CANCEL, value)
    assert cancelled.ok and "Cancelled" in cancelled.title
    assert press(ctx, rev, IMPORT_CONFIRM, value).outcome is Outcome.ALREADY and records(ctx) == 0

    value = value_of(preview_file(ctx, rev, GOOD, "day.csv", "console"))
    with ctx.session() as s:
        s.execute(update(ImportPreview).values(expires_at=datetime.now(UTC) - timedelta(minutes=1)))
        s.commit()
    expired = press(ctx, rev, IMPORT_CONFIRM, value)
    assert expired.outcome is Outcome.INVALID and "has expired" in expired.title and records(ctx) == 0
    assert press(ctx, rev, IMPORT_CONFIRM, "preview:999").outcome is Outcome.NOT_FOUND
    assert press(ctx, rev, IMPORT_CONFIRM, "junk").outcome is Outcome.NOT_FOUND


def test_data_changed_since_the_preview_is_refused_then(ctx: Context) -> None:
    seed_basic(ctx)
    rev = actor(ctx, "rev@alet.org")
    value = value_of(preview_file(ctx, rev, GOOD, "day.csv", "console"))
    load(ctx, "attendance", "email,activity_code,date,hours\ntd@a.k12.al.us,FALL24,2024-11-05,5\n")
    changed = press(ctx, rev, IMPORT_CONFIRM, value)
    assert changed.outcome is Outcome.INVALID and "line 2" in changed.to_text()
    with ctx.session() as s:
        (preview,) = s.exec(select(ImportPreview)).all()
        assert preview.status == "pending"  # nothing claimed: Cancel still works
    assert records(ctx) == 1


# -- Slack ---------------------------------------------------------------------------------------------------


@pytest.fixture
async def slack(tmp_path: Path, sqlite_url: str) -> AsyncIterator[SlackBot]:
    async with running_bot(tmp_path, sqlite_url, today=TODAY) as b:
        seed_basic(b.ctx())
        yield b


def file_submission(file_id: str) -> dict[str, dict[str, dict[str, Any]]]:
    return {"attendance_file": {"attendance_file": {"type": "file_input", "files": [{"id": file_id}]}}}


async def slack_press(bot: SlackBot, action: str, value: str, user: str, key: str) -> dict[str, Any]:
    payload = block_action(
        user_id=user,
        action_id=action,
        value=value,
        channel="DUREV",
        message_ts="1.1",
        response_url=bot.fake.response_url(key),
    )
    await bot.signed(interaction_body(payload))
    return await bot.wait_response(key)


async def test_slack_import_modal_preview_and_confirm(slack: SlackBot) -> None:
    await slack.command("import", user="UREV")
    (opened,) = await slack.fake.wait_for("views.open")
    view = opened["view"]
    assert view["callback_id"] == "import_attendance"
    (file_block,) = [b for b in view["blocks"] if b["type"] == "input"]
    assert file_block["element"]["type"] == "file_input" and file_block["element"]["filetypes"] == ["csv"]

    slack.fake.add_file("FCSV", GOOD, name="day.csv", mimetype="text/csv")
    answer = await slack.submit_view("import_attendance", file_submission("FCSV"), user="UREV")
    assert answer.status == 200 and answer.json()["response_action"] == "update"
    (post,) = await slack.fake.wait_for("chat.postMessage")
    assert post["channel"] == "DUREV" and "Preview of day.csv" in post["text"]
    buttons = [e for b in post["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [b["action_id"] for b in buttons] == [IMPORT_CONFIRM, IMPORT_CANCEL]
    assert records(slack.ctx()) == 0

    done = await slack_press(slack, IMPORT_CONFIRM, buttons[0]["value"], "UREV", "c1")
    assert done["replace_original"] is True and "Imported day.csv" in slack_texts(done)
    again = await slack_press(slack, IMPORT_CONFIRM, buttons[0]["value"], "UREV", "c2")
    assert "already imported by Robin Reviewer" in slack_texts(again)
    assert records(slack.ctx()) == 3
    refused = await slack_press(slack, IMPORT_CONFIRM, buttons[0]["value"], "UTD", "c3")
    assert refused["response_type"] == "ephemeral" and refused.get("replace_original") is False


async def test_slack_import_bad_file_and_roles(slack: SlackBot) -> None:
    await slack.command("import", user="UTD", key="td")
    assert "“import” is for ALET admins and reviewers" in (await slack.wait_response("td"))["text"]
    assert slack.fake.calls_to("views.open") == []
    slack.fake.add_file("FBAD", BAD, name="bad.csv", mimetype="text/csv")
    await slack.submit_view("import_attendance", file_submission("FBAD"), user="UREV")
    (post,) = await slack.fake.wait_for("chat.postMessage")
    assert "bad.csv was not imported: 3 problems" in post["text"] and "line 5" in post["text"]
    assert not [b for b in post["blocks"] if b["type"] == "actions"]
    empty = await slack.submit_view("import_attendance", {}, user="UREV", view_id="V2")
    assert empty.json()["response_action"] == "errors"


# -- Teams ---------------------------------------------------------------------------------------------------


@pytest.fixture
async def teams(tmp_path: Path) -> AsyncIterator[Teams]:
    async with running_teams(tmp_path) as harness:
        yield harness


async def test_teams_import_file_preview_and_confirm(teams: Teams) -> None:
    told = await teams.say(REVIEWER, "import")
    assert "Send me ALET's attendance CSV" in texts(told)
    url = teams.connector.add_file("day.csv", GOOD)
    card = await teams.say(REVIEWER, "", attachments=[file_attachment("day.csv", url)])
    assert "Preview of day.csv" in texts(card) and records(teams.services.context()) == 0
    (confirm,) = [a for a in actions(card) if a.get("verb") == IMPORT_CONFIRM]
    done = await teams.press(REVIEWER, IMPORT_CONFIRM, confirm["data"])
    assert "Imported day.csv" in texts(done) and not [a for a in actions(done) if a.get("verb")]
    again = await teams.press(REVIEWER, IMPORT_CONFIRM, confirm["data"])
    assert "already imported by Robin Reviewer" in texts(again)
    assert records(teams.services.context()) == 3
    refused = await teams.press(SDE, IMPORT_CONFIRM, confirm["data"])
    assert "Only reviewers and ALET admins" in texts(refused)


async def test_teams_csv_from_a_director_is_not_an_import(teams: Teams) -> None:
    url = teams.connector.add_file("day.csv", GOOD)
    card = await teams.say(TD, "", attachments=[file_attachment("day.csv", url)])
    assert "Preview" not in texts(card)
    with teams.services.context().session() as s:
        assert s.exec(select(ImportPreview).where(col(ImportPreview.id) > 0)).all() == []
    assert "“import” is for ALET admins and reviewers" in texts(await teams.say(TD, "import"))
