"""`ceu-bot remind`: the dry run lists what would be sent (text and JSON lines) and writes nothing; without a chat
platform a real run refuses plainly."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, func, select

from storage.tables import ReminderLog
from tests.cli.test_cli_run import Cli

ATTENDANCE = """email,activity_code,date,hours
td@a.k12.al.us,FALL24,2024-11-05,4
done@c.k12.al.us,FALL24,2024-11-05,6
done@c.k12.al.us,CAMP25,2025-02-20,6
"""


@dataclass
class RemindCli(Cli):
    review_channel: str = "C0REVIEW"

    @property
    def env(self) -> dict[str, str | None]:
        return super().env | {
            "SLACK_REVIEW_CHANNEL": self.review_channel,
            "TEAMS_REVIEW_CHANNEL": "",
            "SLACK_BOT_TOKEN": "",
            "MICROSOFT_APP_ID": "",
            "MICROSOFT_APP_PASSWORD": "",
        }


def _seeded(tmp_path: Path) -> RemindCli:
    cli = RemindCli(tmp_path, today="2025-09-02")
    cli.seed()
    cli.load("attendance", ATTENDANCE)
    return cli


def _log_rows(cli: Cli) -> int:
    eng = cli.engine()
    try:
        with Session(eng) as s:
            return int(s.exec(select(func.count()).select_from(ReminderLog)).one())
    finally:
        eng.dispose()


def test_dry_run_json_lines(tmp_path: Path) -> None:
    cli = _seeded(tmp_path)
    run = cli.ok("remind", "--dry-run", "--today", "2025-09-02", "--json")
    lines = [json.loads(line) for line in run.out.splitlines()]
    assert {(o["kind"], o["email"], o["step"], o["fy"]) for o in lines} == {
        ("fy_deadline", "td@a.k12.al.us", "30d", 2025),
        ("fy_deadline", "old@b.k12.al.us", "30d", 2025),
        ("fy_complete", "done@c.k12.al.us", "complete", 2025),
    }
    for o in lines:
        assert set(o) >= {"kind", "email", "name", "fy", "step", "title", "text"}
        assert o["text"]
    alex = next(o for o in lines if o["email"] == "td@a.k12.al.us")
    assert alex["text"] == "Alex, you still need 8 hours, 2 of them from ALET, by September 30, 2025."
    assert "3 would be sent, 0 snoozed, 0 already sent (dry run: nothing sent)" in run.err
    assert _log_rows(cli) == 0  # a dry run claims nothing


def test_dry_run_text_and_cto_on_another_day(tmp_path: Path) -> None:
    cli = _seeded(tmp_path)
    run = cli.ok("remind", "--dry-run", "--today", "2026-11-23")  # Alex: role start 2024-10-15, overdue since Oct 16
    lines = run.out.splitlines()
    assert len(lines) == 1
    assert lines[0].split()[:4] == ["cto_academy", "td@a.k12.al.us", "FY2027", "overdue-2"]
    assert "CTO Academy is overdue" in lines[0]


def test_a_real_run_without_a_chat_platform_refuses_and_writes_nothing(tmp_path: Path) -> None:
    cli = _seeded(tmp_path)
    run = cli("remind", "--today", "2025-09-02")
    assert run.code != 0
    assert "no chat platform is configured" in run.err and "nothing was sent" in run.err
    assert _log_rows(cli) == 0


def test_bad_today_is_a_clear_error(tmp_path: Path) -> None:
    cli = RemindCli(tmp_path)
    run = cli("remind", "--dry-run", "--today", "2025-02-30")
    assert run.code == 2
    assert "'2025-02-30' is not a date like 2025-09-30" in run.err


def test_the_console_script_lists_remind(tmp_path: Path) -> None:
    run = RemindCli(tmp_path).script("remind", "--help")
    assert run.code == 0 and "--dry-run" in run.out and "--json" in run.out
