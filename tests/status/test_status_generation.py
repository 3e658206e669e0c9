"""A replica's kept statuses survive no reset of the status counters (storage/status_version.py, migration 0009):
after the table is recreated (a downgrade and `db upgrade`) or a backup is restored, writes that bring the
counters back to the numbers a replica kept a status at show in its next status; the triggers of 0008 are all
there at head and bump the right table whatever the session's search_path; a policy another replica stores is
the one the next status uses."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from alembic import command
from sqlalchemy import Engine, text
from sqlmodel import Session, delete

from handlers.context import Context
from handlers.status_cache import StatusCache
from storage.backup import DataPlace, make_backup, restore_backup
from storage.db import alembic_config, open_database
from storage.policy_data import policy_for, store_policy
from storage.status_version import TRIGGERS, missing_triggers, versions_of
from storage.tables import CreditRecord
from tests.conftest import TODAY, load, seed_basic
from tests.status.test_status_current import Replica, credited

SIX = "email,activity_code,date,hours\ntd@a.k12.al.us,FALL24,2024-11-05,6\n"


def _alembic(engine: Engine, action: str, revision: str) -> None:
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        getattr(command, action)(cfg, revision)


def _set_versions(engine: Engine, person_id: int, person: int, everyone: int) -> None:
    """The counters brought to these numbers (as enough writes after a reset would)."""
    with engine.begin() as conn:
        for who, version in ((person_id, person), (0, everyone)):
            conn.execute(text("DELETE FROM status_version WHERE person_id = :p"), {"p": who})
            conn.execute(text("INSERT INTO status_version VALUES (:p, :v)"), {"p": who, "v": version})


def test_a_recreated_version_table_invalidates_what_a_replica_kept(
    replicas: tuple[Replica, Replica],
) -> None:
    a, b = replicas
    seed_basic(b.ctx)
    load(b.ctx, "attendance", SIX)
    td = a.actor()
    assert credited(a.status()) == "6"  # kept by replica a
    with a.ctx.session() as session:
        kept = versions_of(session, td.person_id)
    _alembic(b.ctx.engine, "downgrade", "0007")
    _alembic(b.ctx.engine, "upgrade", "head")
    with Session(b.ctx.engine) as session:
        session.exec(delete(CreditRecord))
        session.commit()
    _set_versions(b.ctx.engine, td.person_id, kept[0], kept[1])
    with a.ctx.session() as session:
        now = versions_of(session, td.person_id)
    assert now[:2] == kept[:2] and now[2] != kept[2]
    assert credited(a.status()) == "0"


def test_a_restored_backup_invalidates_what_a_replica_kept(tmp_path: Path) -> None:
    place = DataPlace(f"sqlite:///{tmp_path / 'live' / 'ceu.sqlite3'}", tmp_path / "live")
    place.data_dir.mkdir()
    cache = StatusCache()
    engine = open_database(place.url)
    try:
        live = Replica(Context(engine, TODAY, evidence_dir=place.evidence_dir, statuses=cache))
        seed_basic(live.ctx)
        assert credited(live.status()) == "0"
        archive = make_backup(place, engine, tmp_path / "backup.tar.gz").path
        load(live.ctx, "attendance", SIX)
        assert credited(live.status()) == "6"  # kept at the counters one write after the backup
    finally:
        engine.dispose()
    restored = DataPlace(f"sqlite:///{tmp_path / 'back' / 'ceu.sqlite3'}", tmp_path / "back")
    restore_backup(archive, restored)
    engine = open_database(restored.url)
    try:
        again = Replica(Context(engine, TODAY, evidence_dir=restored.evidence_dir, statuses=cache))  # same cache
        load(again.ctx, "attendance", SIX.replace(",6", ",2"))  # one write after the backup again: same counters
        assert credited(again.status()) == "2"
    finally:
        engine.dispose()


def test_every_trigger_is_there_at_head_and_a_missing_one_is_found(db_url: str) -> None:
    engine = open_database(db_url)
    try:
        with engine.begin() as conn:
            assert missing_triggers(conn) == []
            dropped = sorted(TRIGGERS[conn.dialect.name])[0]
            on = "" if conn.dialect.name == "sqlite" else f" ON {dropped.removeprefix('sv_')}"
            conn.execute(text(f"DROP TRIGGER {dropped}{on}"))
            assert missing_triggers(conn) == [dropped]
    finally:
        engine.dispose()


def test_the_triggers_bump_the_table_of_their_schema_whatever_the_search_path(
    replicas: tuple[Replica, Replica],
) -> None:
    a, _ = replicas
    seed_basic(a.ctx)
    load(a.ctx, "attendance", SIX)
    td = a.actor()
    with a.ctx.session() as session:
        before = versions_of(session, td.person_id)
    if a.ctx.engine.dialect.name == "postgresql":
        with a.ctx.engine.begin() as conn:
            schema = conn.execute(text("SELECT current_schema()")).scalar_one()
            conn.execute(text("SET LOCAL search_path TO pg_catalog"))  # status_version unreachable unqualified
            conn.execute(text(f"UPDATE \"{schema}\".credit_record SET note = 'by hand'"))
    else:
        with a.ctx.engine.begin() as conn:
            conn.execute(text("UPDATE credit_record SET note = 'by hand'"))
    with a.ctx.session() as session:
        assert versions_of(session, td.person_id)[0] > before[0]


def test_a_policy_stored_on_another_replica_is_the_one_used(replicas: tuple[Replica, Replica]) -> None:
    a, b = replicas
    seed_basic(b.ctx)
    with a.ctx.session() as session:
        assert policy_for(session, 2027).required != 61  # memoised by replica a
    with b.ctx.session() as session:
        store_policy(session, replace(policy_for(session, 2026), fy=2027, required=61))
        session.commit()
    with a.ctx.session() as session:
        assert policy_for(session, 2027).required == 61
