"""storage/known_caller.py: the caller and their status versions in one statement — the same versions
storage/status_version.versions_of reads, on SQLite and PostgreSQL — and the event loop's own read-only SQLite
connection (none on PostgreSQL)."""

from __future__ import annotations

import sqlite3

import pytest
from sqlmodel import Session

from handlers.context import Context
from storage.known_caller import KnownCaller, LoopReader, ReadFailed, known_caller
from storage.people import by_email, link_identity
from storage.status_version import versions_of
from tests.conftest import load, seed_basic


def _linked(ctx: Context, email: str, user: str) -> int:
    with ctx.session() as session:
        person = by_email(session, email)
        assert person is not None and person.id is not None
        link_identity(session, person, "slack", user)
        session.commit()
        return person.id


def _read(ctx: Context, user: str) -> KnownCaller | None:
    with ctx.engine.connect() as conn:
        return known_caller(conn, "slack", user)


def test_the_caller_and_the_versions_of_versions_of(any_ctx: Context) -> None:
    seed_basic(any_ctx)
    person_id = _linked(any_ctx, "td@a.k12.al.us", "UTD")
    found = _read(any_ctx, "UTD")
    with Session(any_ctx.engine) as session:
        expected = versions_of(session, person_id)
    assert found is not None
    assert (found.person_id, found.email, found.name, found.roles, found.versions) == (
        person_id, "td@a.k12.al.us", "Alex Director", frozenset({"director"}), expected
    )  # fmt: skip
    assert found.seen.updated_at is not None and found.seen.updated_at.year >= 2026  # a datetime on both
    assert found.versions[2] != 0  # the generation is always there
    load(any_ctx, "roster", "email,name,district,role_start,cto_completed,roles\ntd@a.k12.al.us,Alex D,Alpha,,,\n")
    again = _read(any_ctx, "UTD")
    assert again is not None and again.versions[0] > found.versions[0] and again.name == "Alex D"


def test_unknown_and_inactive_callers_are_none(any_ctx: Context) -> None:
    seed_basic(any_ctx)
    _linked(any_ctx, "old@b.k12.al.us", "UOLD")
    assert _read(any_ctx, "UNOBODY") is None
    with any_ctx.session() as session:
        person = by_email(session, "old@b.k12.al.us")
        assert person is not None
        person.active = False
        session.add(person)
        session.commit()
    assert _read(any_ctx, "UOLD") is None


def test_the_loop_reader_reads_what_known_caller_reads(ctx: Context) -> None:
    seed_basic(ctx)
    _linked(ctx, "rev@alet.org", "UREV")
    reader = LoopReader.open(ctx.engine)
    assert reader is not None
    try:
        assert reader.caller("slack", "UREV") == _read(ctx, "UREV")
        assert reader.caller("slack", "UREV").roles == frozenset({"reviewer", "admin"})  # type: ignore[union-attr]
        assert reader.caller("teams", "UREV") is None
        with pytest.raises(sqlite3.OperationalError):  # read-only: it can never write by mistake
            reader._db.execute("DELETE FROM person")  # type: ignore[union-attr]
    finally:
        reader.close()
    with pytest.raises(ReadFailed):
        reader.caller("slack", "UREV")


def test_no_loop_reader_on_postgresql(any_ctx: Context) -> None:
    reader = LoopReader.open(any_ctx.engine)
    assert (reader is None) == (any_ctx.engine.dialect.name != "sqlite")
    if reader is not None:
        reader.close()
