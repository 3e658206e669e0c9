"""Opening the database: engine (SQLite in WAL mode by default, any SQLAlchemy URL otherwise), migrations
applied on every open, and the shipped policies loaded into a new database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.pool import NullPool

MIGRATIONS = Path(__file__).with_name("migrations")


def default_url(data_dir: Path) -> str:
    return f"sqlite:///{(data_dir / 'ceu.sqlite3').resolve()}"


def normalise_url(url: str) -> str:
    """postgres:// and postgresql:// (the forms hosting providers hand out) mean PostgreSQL through psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def shown_url(url: str) -> str:
    """A database URL fit to print or log: the password hidden."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # a URL SQLAlchemy cannot parse is shown as it was given
        return url


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str:
    """The newest migration this code ships (e.g. "0007")."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the migration chain has no head"
    return head


def known_revision(revision: str) -> bool:
    """Is `revision` one of the migrations this code ships (a database at an unknown one is from a newer version)?"""
    try:
        return ScriptDirectory.from_config(alembic_config()).get_revision(revision) is not None
    except Exception:  # alembic raises for an unknown or malformed revision id
        return False


def schema_revision(engine: Engine) -> str | None:
    """The migration the database is at, or None for a database without our schema."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision (a no-op when it already is)."""
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def open_database(url: str) -> Engine:
    """Engine with the schema migrated and the shipped policies loaded (what every command calls first)."""
    from storage.policy_data import load_shipped_policies

    engine = make_engine(url)
    with setup_lock(engine):
        migrate(engine)
        load_shipped_policies(engine)
    return engine


@contextmanager
def setup_lock(engine: Engine) -> Iterator[None]:
    """On PostgreSQL, one process at a time migrates and loads the policies of a schema (replicas starting together
    on a new or older database would otherwise both create the same tables or rows); elsewhere nothing."""
    if engine.dialect.name != "postgresql":
        yield
        return
    key = text("SELECT hashtext('ceu-bot setup:' || coalesce(current_schema(), ''))")
    with engine.connect() as conn:
        lock_id = conn.execute(key).scalar_one()
        conn.execute(text("SELECT pg_advisory_lock(:id)"), {"id": lock_id})
        conn.commit()
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": lock_id})
            conn.commit()


def throwaway_engine(url: str) -> Engine:
    """An engine without pooling, for short-lived tools and tests."""
    return create_engine(url, poolclass=NullPool)


def schema_problem(engine: Engine) -> str | None:
    """Why the database is not ready (it does not answer, or its migrations are behind or ahead of the code); None
    when ready. Connects once and reads the Alembic revision; never migrates."""
    try:
        current = schema_revision(engine)
    except Exception as exc:  # any driver error: the database does not answer
        return f"the database does not answer: {type(exc).__name__}: {str(exc).strip().splitlines()[0][:200]}"
    expected = head_revision()
    if current == expected:
        return None
    have = current or "none (empty database)"
    return f"migrations not current: the database is at {have}, this code expects {expected}"
