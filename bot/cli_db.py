"""`ceu-bot db upgrade | backup FILE | restore FILE`: the schema, and backups of the data folder (storage.backup).

Each names the database it works on (password hidden) and answers a problem with one line, never a traceback.
`restore` does not open the database first (that would create one in the folder it must find empty).
"""

from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy import Engine

from bot.settings import Settings
from storage.backup import BackupError, DataPlace, make_backup, restore_backup
from storage.db import head_revision, make_engine, migrate, schema_revision, setup_lock, shown_url


def problem(exc: BaseException) -> str:
    """The first line of the database driver's message (without SQLAlchemy's background link)."""
    orig = getattr(exc, "orig", None) or exc
    lines = str(orig).strip().splitlines()
    return lines[0] if lines else type(orig).__name__


def _place(settings: Settings) -> DataPlace:
    return DataPlace(settings.db_url, settings.data_dir.absolute())


def _engine(url: str) -> Engine:
    try:
        engine = make_engine(url)
        schema_revision(engine)  # connects: an unreachable database is reported here
    except Exception as exc:  # a broken URL or an unreachable server: one line
        raise click.ClickException(f"cannot open the database {shown_url(url)}: {problem(exc)}") from None
    return engine


@click.group("db")
def db() -> None:
    """The database: apply migrations, back up the data, restore a backup."""


@db.command()
def upgrade() -> None:
    """Apply the migrations the database lacks and say from which revision to which."""
    from storage.policy_data import load_shipped_policies

    settings = Settings()
    engine = _engine(settings.db_url)
    try:
        with setup_lock(engine):  # another replica upgrading at the same moment waits
            before = schema_revision(engine)
            migrate(engine)
            load_shipped_policies(engine)
            after = schema_revision(engine)
    finally:
        engine.dispose()
    where = shown_url(settings.db_url)
    if before == after:
        click.echo(f"{where}: already at revision {after} (the newest)")
    else:
        click.echo(f"{where}: upgraded from revision {before or '(empty database)'} to {after}")
    if after != head_revision():
        raise click.ClickException(f"the database is at {after}, not at the newest revision {head_revision()}")


@db.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def backup(file: Path) -> None:
    """Write a backup archive (tar.gz): the SQLite database (a consistent copy, also while `serve` runs), the
    evidence files and the download links' key; on PostgreSQL, print the pg_dump command that goes with it."""
    from storage.db import open_database

    settings = Settings()
    place = _place(settings)
    try:
        engine = open_database(place.url)
    except Exception as exc:
        raise click.ClickException(f"cannot open the database {shown_url(place.url)}: {problem(exc)}") from None
    try:
        result = make_backup(place, engine, file.absolute())
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        engine.dispose()
    counts = result.manifest["counts"]
    click.echo(
        f"backed up {shown_url(place.url)} and {place.data_dir} into {result.path}: "
        + ", ".join(f"{n} {what.replace('_', ' ')}" for what, n in counts.items())
    )
    if result.pg_dump:
        click.echo("The PostgreSQL database itself is not in the archive. Dump it beside the archive with:")
        click.echo(f"  {result.pg_dump}")
        click.echo("(the password comes from PGPASSWORD or ~/.pgpass; keep both files together)")


@db.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def restore(file: Path) -> None:
    """Restore a backup archive into an empty data folder (CEU_DATA_DIR); refuses anything else."""
    settings = Settings()
    place = _place(settings)
    try:
        result = restore_backup(file.absolute(), place)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    manifest = result.manifest
    counts = ", ".join(f"{n} {what.replace('_', ' ')}" for what, n in manifest.get("counts", {}).items())
    click.echo(f"restored the backup of {manifest.get('created')} into {result.data_dir} ({counts})")
    if result.pg_restore:
        click.echo("Now load the PostgreSQL dump made with it into the (empty) database:")
        click.echo(f"  {result.pg_restore}")
    else:
        click.echo(f"database: {shown_url(place.url)} (migrated to the newest revision on its next use)")
