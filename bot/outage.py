"""The database out of reach (a restart, a network cut, a full connection pool): told apart from a bug, so a
chat user hears "try again in a minute" and the log gets one line instead of a traceback. SQLAlchemy's pool
reconnects by itself on the next request (pre-ping on PostgreSQL); nothing here retries."""

from __future__ import annotations

from sqlalchemy import exc as sa

# SQLite reports a few mistakes in our own SQL as OperationalError too; those stay bugs (with a traceback).
BUG_HINTS = ("no such table", "no such column", "has no column", "syntax error")


def database_outage(error: BaseException) -> bool:
    """A failure to reach or keep the database connection, not a mistake in a query."""
    if isinstance(error, sa.TimeoutError):  # the pool had no connection to give
        return True
    if not isinstance(error, sa.DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    return isinstance(error, sa.OperationalError) and not any(h in str(error.orig).lower() for h in BUG_HINTS)


def outage_summary(error: BaseException) -> str:
    """The error's kind and the first line of the driver's message (no SQL, no parameters)."""
    origin = error.orig if isinstance(error, sa.DBAPIError) and error.orig is not None else error
    first = next(iter(str(origin).strip().splitlines()), "")
    return f"{type(origin).__name__}: {first[:160]}"
