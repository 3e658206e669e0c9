"""Hostile bytes (issue 9): a NUL byte or another control character (but tab, CR, LF) in any CSV cell refuses the
import with its line and column and writes nothing, on SQLite and PostgreSQL (PostgreSQL used to answer a
100-line traceback, SQLite stored it); in a chat form answer it is that field's error and nothing is written."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import func, select

from handlers.context import Context
from handlers.control_chars import control_errors, escape_controls
from handlers.csv_rows import ImportRefused
from handlers.payloads import FormErrors
from handlers.people import find_actor
from handlers.reply import Outcome
from handlers.request import create_request
from handlers.submit import create_submission
from storage.tables import AuditLog, CatalogEntry, CreditRecord, EventRequest, ImportBatch, Person, Submission
from tests.cli.test_cli_run import Cli
from tests.conftest import load, seed_basic

TABLES = (Person, CatalogEntry, CreditRecord, ImportBatch, AuditLog, Submission, EventRequest)
ROSTER_HEAD = "email,name,district,role_start,cto_completed,roles\n"
CATALOG_HEAD = "code,title,kind,date,hours,strands\n"
ATTENDANCE_HEAD = "email,activity_code,date,hours,strands\n"
HOSTILE = ["\x00", "\x1b[2J", "\x07", "\x08", "\x0b", "\x0c", "\x1f", "\x7f"]


def _snapshot(ctx: Context) -> dict[str, int]:
    with ctx.session() as s:
        return {t.__name__: int(s.exec(select(func.count()).select_from(t)).one()) for t in TABLES}


def _refused(ctx: Context, kind: str, text: str, fy: int | None = None) -> list[str]:
    before = _snapshot(ctx)
    with pytest.raises(ImportRefused) as exc:
        load(ctx, kind, text, fy=fy)
    assert _snapshot(ctx) == before
    return exc.value.problems


@pytest.mark.parametrize("char", HOSTILE)
def test_a_control_character_in_a_roster_cell_is_refused_with_line_and_column(any_ctx: Context, char: str) -> None:
    rows = ROSTER_HEAD + "a@x.k12.al.us,Ann,A,,,\n" + f"b@x.k12.al.us,Ben{char}Evil,B,,,\n"
    problems = _refused(any_ctx, "roster", rows)
    assert len(problems) == 1
    assert problems[0].startswith("line 3, column 2 (name): contains ")
    assert char not in problems[0]  # the message names the character, never carries it


def test_every_control_character_cell_of_a_catalog_is_listed(any_ctx: Context) -> None:
    rows = (
        CATALOG_HEAD
        + "OK1,Fine Title,conference,2024-11-05,6,1\n"  # 2
        + "BAD\x00,Title,conference,2024-11-05,6,1\n"  # 3: NUL in the code
        + 'OK2,"Two\nlines are fine\tand tabs",conference,2024-11-05,6,1\n'  # 4-5: LF and tab kept
        + "OK3,Title\x1b]0;pwned\x07,conference,2024-11-05,6,1\n"  # 6: OSC sequence in the title
    )
    assert _refused(any_ctx, "catalog", rows, fy=2025) == [
        "line 3, column 1 (code): contains a NUL byte (0x00); remove it and save the file again",
        "line 6, column 2 (title): contains a control character ESC (0x1b); remove it and save the file again",
    ]


def test_a_nul_in_an_attendance_cell_is_refused(any_ctx: Context) -> None:
    seed_basic(any_ctx)
    rows = ATTENDANCE_HEAD + "td@a.k12.al.us,FALL24,2024-11-05,4,\n" + "td@a.k12.al.us,CAMP25,2025-02-20,2,5\x00\n"
    assert _refused(any_ctx, "attendance", rows) == [
        "line 3, column 5 (strands): contains a NUL byte (0x00); remove it and save the file again"
    ]


def test_a_control_character_in_the_header_is_refused_escaped(any_ctx: Context) -> None:
    rows = "email,name\x1b[2J,district,role_start,cto_completed,roles\na@x.k12.al.us,Ann,A,,,\n"
    problems = _refused(any_ctx, "roster", rows)
    assert problems == [
        "line 1, column 2 (name\\x1b[2j): contains a control character ESC (0x1b); remove it and save the file again"
    ]


def test_tabs_and_crlf_line_ends_still_import(any_ctx: Context) -> None:
    load(any_ctx, "roster", (ROSTER_HEAD + "a@x.k12.al.us,Ann\tLee,A,,,\n").replace("\n", "\r\n"))
    assert _snapshot(any_ctx)["Person"] == 1


# --- chat forms ------------------------------------------------------------------------------------------------


def _request_values(**change: str) -> dict[str, str | list[str]]:
    values: dict[str, str | list[str]] = {
        "title": "Cyber Summit",
        "organiser": "AETC",
        "start": "2025-02-10",
        "end": "2025-02-10",
        "hours": "3",
        "strands": ["5"],
    }
    values.update(change)
    return values


@pytest.mark.parametrize("field", ["title", "organiser", "agenda_url"])
def test_a_nul_in_a_request_form_field_is_that_fields_error(any_ctx: Context, field: str) -> None:
    seed_basic(any_ctx)
    actor = find_actor(any_ctx, "td@a.k12.al.us", "slack")
    assert actor is not None
    before = _snapshot(any_ctx)
    value = "https://x.org/\x00" if field == "agenda_url" else "Cyber\x00Summit"
    reply = create_request(any_ctx, actor, _request_values(**{field: value}), client_key="k1", platform="slack")
    assert reply.outcome is Outcome.INVALID
    assert list(reply.expect(FormErrors).errors) == [field]
    assert "NUL byte" in reply.expect(FormErrors).errors[field]
    assert _snapshot(any_ctx) == before


def test_an_escape_sequence_in_a_submission_assignment_is_its_error(any_ctx: Context) -> None:
    seed_basic(any_ctx)
    actor = find_actor(any_ctx, "td@a.k12.al.us", "teams")
    assert actor is not None
    before = _snapshot(any_ctx)
    values: dict[str, str | list[str]] = {
        "event": "2025:EXT-ERATE-BOOTCAMP",
        "date": "2025-01-05",
        "hours": "3",
        "strands": ["3"],
        "assignment": "My notes\x1b[2J\x00",
    }
    reply = create_submission(any_ctx, actor, values, None, client_key="k2", platform="teams", evidence_to_follow=True)
    assert reply.outcome is Outcome.INVALID
    assert list(reply.expect(FormErrors).errors) == ["assignment"]
    assert _snapshot(any_ctx) == before


def test_control_errors_and_terminal_escaping() -> None:
    assert control_errors({"a": "fine\ttext\r\nmore", "b": ["ok", "x\x7f"], "c": "é ✓"}) == {
        "b": "Contains a control character DEL (0x7f), which cannot be saved; please retype it without control "
        "characters."
    }
    assert escape_controls("Ann\x1b[2J\rB\x9b1m\u202e\ttab\nnext") == "Ann\\x1b[2J\\x0dB\\x9b1m\\u202e\ttab\nnext"


# --- the admin's terminal --------------------------------------------------------------------------------------

CLEAR = "\x1b[2J"


def _store_hostile_text(cli: Cli) -> None:
    """Text stored before imports refused control characters (or written by any other way in)."""
    from sqlmodel import Session, col, update

    eng = cli.engine()
    try:
        with Session(eng) as s:
            s.exec(update(Person).where(col(Person.email) == "td@a.k12.al.us").values(name=f"Alex{CLEAR}\rEvil"))
            s.exec(update(CatalogEntry).where(col(CatalogEntry.code) == "FALL24").values(title=f"Fall{CLEAR}\x9b1m"))
            s.commit()
    finally:
        eng.dispose()


@pytest.mark.parametrize(
    "args",
    [
        ("status", "td@a.k12.al.us", "--today", "2025-03-03"),
        ("catalog", "--fy", "2025"),
        ("chat", "--as", "td@a.k12.al.us", "--today", "2025-03-03", "history"),
        ("chat", "--as", "td@a.k12.al.us", "--today", "2025-03-03", "status"),
        ("roster", "deactivate", "td@a.k12.al.us"),
    ],
)
def test_names_and_titles_reach_the_terminal_escaped(tmp_path: Path, args: tuple[str, ...]) -> None:
    cli = Cli(tmp_path, today="2025-09-01")
    cli.seed()
    cli.load("attendance", "email,activity_code,date,hours\ntd@a.k12.al.us,FALL24,2024-11-05,4\n")
    _store_hostile_text(cli)
    run = cli.ok(*args)
    assert "\x1b" not in run.text and "\r" not in run.text and "\x9b" not in run.text
    assert "\\x1b[2J" in run.text


def test_a_refused_file_prints_its_lines_without_control_sequences(tmp_path: Path) -> None:
    cli = Cli(tmp_path, today="2025-03-03")
    run = cli("import", "roster", cli.file("r.csv", ROSTER_HEAD + f"a@x.org,Ann{CLEAR},A,,,\n"))
    assert run.code == 1
    assert "line 2, column 2 (name): contains a control character ESC (0x1b)" in run.err
    assert "\x1b" not in run.text
