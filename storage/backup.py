"""Backups of a data folder: one tar.gz archive with a manifest, and restoring one into an empty data folder.

The archive holds `manifest.json` (format, version, created, database kind, schema revision, evidence store,
row counts and the SHA-256 and size of every other member), then:

- on SQLite, `ceu.sqlite3`: a copy made with SQLite's online backup API (a consistent snapshot, also while
  `serve` writes), switched out of WAL mode so that it is one self-contained file;
- the evidence files (`evidence/<sha[:2]>/<sha><ext>`) when evidence is kept as files (with the database store
  they are rows of the database: inside the SQLite copy, or in the PostgreSQL dump);
- `evidence-link.key` when the data folder holds one (the download links' signing key).

On PostgreSQL the database itself is not in the archive: `pg_dump_command` is the exact `pg_dump` to run beside it.
The database is copied first and the evidence after, so every file the copy refers to is in the archive
(files are content-addressed and written before the row that names them is committed).

`restore_backup` refuses, before writing anything, a data folder that is not empty, an archive that is not a
readable tar.gz, one without our manifest, one with a member the manifest does not list or whose bytes do not
match it, and a database kind that does not fit the target; every refusal is a `BackupError` with one line.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import secrets
import shlex
import shutil
import sqlite3
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from storage.db import known_revision, schema_revision
from storage.evidence import KEY_FILE, is_sha256
from storage.status_version import GENERATION

FORMAT = "ceu-bot-backup"
VERSION = 1
MANIFEST = "manifest.json"
DB_MEMBER = "ceu.sqlite3"
EVIDENCE = "evidence"
COUNTED = {
    "people": "person",
    "submissions": "submission",
    "credits": "credit_record",
    "requests": "event_request",
    "evidence_rows": "evidence_blob",  # evidence kept in the database (CEU_EVIDENCE_STORE=database)
}
CHUNK = 1024 * 1024


class BackupError(ValueError):
    """A backup or restore that cannot be done; the message (one line) says why and what to do."""


@dataclass(frozen=True)
class DataPlace:
    """Where a bot keeps its data: the database URL, the data folder and the evidence store setting."""

    url: str
    data_dir: Path
    evidence_store: str = "files"  # files | database

    @property
    def kind(self) -> str:
        return "sqlite" if self.url.startswith("sqlite") else "postgresql"

    @property
    def evidence_dir(self) -> Path:
        return self.data_dir / EVIDENCE

    @property
    def sqlite_path(self) -> Path:
        return Path(make_url(self.url).database or "")


@dataclass(frozen=True)
class BackupResult:
    path: Path
    manifest: dict[str, Any]
    pg_dump: str | None  # the command to run beside the archive (PostgreSQL only)


@dataclass(frozen=True)
class RestoreResult:
    manifest: dict[str, Any]
    data_dir: Path
    pg_restore: str | None  # the command that puts the PostgreSQL dump back (PostgreSQL archives only)


# --- backup -------------------------------------------------------------------------------------------------------


def make_backup(place: DataPlace, engine: Engine, out: Path, now: datetime | None = None) -> BackupResult:
    """Write the archive to `out` (atomically; never over an existing file)."""
    if out.exists():
        raise BackupError(f"{out} exists already: choose a new file name (backups are never overwritten)")
    if not out.parent.is_dir():
        raise BackupError(f"{out.parent} is not a folder")
    created = (now or datetime.now(UTC)).astimezone(UTC)
    with tempfile.TemporaryDirectory(prefix=".ceu-backup-", dir=out.parent) as tmp:
        members: dict[str, Path] = {}
        if place.kind == "sqlite":
            snapshot = Path(tmp) / DB_MEMBER
            sqlite_snapshot(place.sqlite_path, snapshot)
            members[DB_MEMBER] = snapshot
            counts = _counts_of_sqlite(snapshot)
        else:
            with engine.connect() as conn:
                counts = _counts(conn)
        files = dict(evidence_files(place.evidence_dir))
        members.update(files)
        counts["evidence_files"] = len(files)
        key = place.data_dir / KEY_FILE
        if key.is_file():
            members[KEY_FILE] = key
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "created": created.isoformat(timespec="seconds"),
            "database": place.kind,
            "revision": schema_revision(engine),
            "evidence_store": place.evidence_store,
            "counts": counts,
            "files": {name: _digest(path) for name, path in members.items()},
        }
        _write_archive(out, manifest, members, created)
    dump = pg_dump_command(place.url, dump_path(out)) if place.kind == "postgresql" else None
    return BackupResult(out, manifest, dump)


def sqlite_snapshot(source: Path, target: Path) -> None:
    """Copy a live SQLite database with the online backup API (one read transaction: a consistent snapshot)."""
    if not source.is_file():
        raise BackupError(f"there is no SQLite database at {source}")
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    finally:
        dst.close()
        src.close()


def evidence_files(evidence_dir: Path) -> Iterator[tuple[str, Path]]:
    """The stored evidence files (archive name, path), skipping anything that is not `<aa>/<sha256><ext>`."""
    if not evidence_dir.is_dir():
        return
    for sub in sorted(evidence_dir.iterdir()):
        if not sub.is_dir() or len(sub.name) != 2:
            continue
        for path in sorted(sub.iterdir()):
            if path.is_file() and is_sha256(path.name.split(".", 1)[0]) and path.name.startswith(sub.name):
                yield f"{EVIDENCE}/{sub.name}/{path.name}", path


def _counts(conn: Connection) -> dict[str, int]:
    counts: dict[str, int] = {}
    for name, table in COUNTED.items():
        counts[name] = int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
    return counts


def _counts_of_sqlite(path: Path) -> dict[str, int]:
    engine = create_engine(f"sqlite:///{path}", poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return _counts(conn)
    finally:
        engine.dispose()


def _digest(path: Path) -> dict[str, Any]:
    h = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            h.update(chunk)
            size += len(chunk)
    return {"sha256": h.hexdigest(), "size": size}


def _write_archive(out: Path, manifest: dict[str, Any], members: dict[str, Path], created: datetime) -> None:
    partial = out.with_name(f".{out.name}.partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # it holds the link key
    try:
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            data = json.dumps(manifest, indent=2).encode()
            tar.addfile(_info(MANIFEST, len(data), created), io.BytesIO(data))
            for name, path in members.items():
                with path.open("rb") as fh:
                    tar.addfile(_info(name, manifest["files"][name]["size"], created), fh)
        os.replace(partial, out)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def _info(name: str, size: int, created: datetime) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = 0o600
    info.mtime = int(created.timestamp())
    return info


def dump_path(archive: Path) -> Path:
    """The pg_dump file named after the archive: backup-2026-12-01.tar.gz -> backup-2026-12-01.pgdump."""
    stem = archive.name.removesuffix(".gz").removesuffix(".tar").removesuffix(".tgz")
    return archive.with_name(f"{stem}.pgdump")


def _libpq(url: str) -> tuple[str, str | None, bool]:
    """A libpq URL without the driver, query or password; the schema from `-csearch_path=`; whether a password
    was given (it is never printed: PGPASSWORD or ~/.pgpass supply it)."""
    u = make_url(url)
    options = u.query.get("options", "")
    option_text = options if isinstance(options, str) else " ".join(options)
    schema = None
    for part in option_text.split():
        if part.startswith("-csearch_path="):
            schema = part.removeprefix("-csearch_path=").split(",")[0]
    plain = u.set(drivername="postgresql", password=None, query={})
    return plain.render_as_string(hide_password=False), schema, u.password is not None


def pg_dump_command(url: str, target: Path) -> str:
    dsn, schema, _ = _libpq(url)
    parts = ["pg_dump", "--format=custom", "--no-owner", f"--file={target}"]
    if schema:
        parts.append(f"--schema={schema}")
    return shlex.join([*parts, dsn])


def pg_restore_command(url: str, dump: Path) -> str:
    dsn, _, _ = _libpq(url)
    return shlex.join(["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={dsn}", str(dump)])


# --- restore ------------------------------------------------------------------------------------------------------


def restore_backup(archive: Path, place: DataPlace) -> RestoreResult:
    """Put an archive back into an empty data folder (nothing is written unless every check passes)."""
    _check_empty(place)
    if not archive.is_file():
        raise BackupError(f"{archive} is not a file")
    unreadable = BackupError(f"{archive} is not a readable ceu-bot backup (damaged, or not a tar.gz archive)")
    try:
        tar = tarfile.open(archive, mode="r:gz")  # noqa: SIM115 - closed by the `with` below
    except (tarfile.TarError, EOFError, zlib.error, OSError):
        raise unreadable from None
    with tar, tempfile.TemporaryDirectory(prefix=".ceu-restore-") as tmp:
        staging = Path(tmp)
        try:
            manifest = _read_manifest(tar, archive)
            _check_kind(manifest, place)
            _extract(tar, manifest, staging, archive)
        except (tarfile.TarError, EOFError, zlib.error, OSError):
            raise unreadable from None
        if manifest["database"] == "sqlite":
            _check_sqlite(staging / DB_MEMBER, archive)
            _new_generation(staging / DB_MEMBER)
        try:
            _move_into_place(staging, place)
        except OSError as exc:
            raise BackupError(f"cannot write into {place.data_dir.absolute()}: {exc.strerror or exc}") from None
    dump = pg_restore_command(place.url, dump_path(archive)) if manifest["database"] == "postgresql" else None
    return RestoreResult(manifest, place.data_dir.absolute(), dump)


def _check_empty(place: DataPlace) -> None:
    where = place.data_dir.absolute()
    if where.exists() and (not where.is_dir() or any(where.iterdir())):
        raise BackupError(f"the data folder {where} is not empty: restore only into an empty or new CEU_DATA_DIR")
    if place.kind == "sqlite" and place.sqlite_path.exists():
        raise BackupError(f"{place.sqlite_path} exists already: restore only where there is no database yet")


def _read_manifest(tar: tarfile.TarFile, archive: Path) -> dict[str, Any]:
    foreign = BackupError(f"{archive} is not a ceu-bot backup (no ceu-bot manifest.json in it)")
    try:
        member = tar.getmember(MANIFEST)
    except KeyError:
        raise foreign from None
    fh = tar.extractfile(member) if member.isfile() and member.size < CHUNK else None
    if fh is None:
        raise foreign
    try:
        manifest = json.loads(fh.read())
    except ValueError:
        raise foreign from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise foreign
    if not isinstance(manifest.get("version"), int) or manifest["version"] > VERSION:
        raise BackupError(f"{archive} was made by a newer ceu-bot (backup format {manifest.get('version')})")
    if manifest.get("database") not in ("sqlite", "postgresql") or not isinstance(manifest.get("files"), dict):
        raise foreign
    revision = manifest.get("revision")
    if revision is not None and not known_revision(str(revision)):
        raise BackupError(
            f"{archive} holds a database at revision {revision}, which this ceu-bot does not know: restore it with "
            "the (newer) version that made it"
        )
    return manifest


def _check_kind(manifest: dict[str, Any], place: DataPlace) -> None:
    if manifest["database"] == "sqlite" and place.kind != "sqlite":
        raise BackupError(
            "this backup holds a SQLite database: restore it with CEU_DATABASE_URL unset (the SQLite file in "
            "CEU_DATA_DIR)"
        )
    if manifest["database"] == "postgresql" and place.kind != "postgresql":
        raise BackupError(
            "this backup was made on PostgreSQL: set CEU_DATABASE_URL to the database the pg_dump file is "
            "restored into, then restore the archive for its evidence and key"
        )


def _safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or name != path.as_posix():
        return False
    if name in (DB_MEMBER, KEY_FILE):
        return True
    parts = path.parts
    return len(parts) == 3 and parts[0] == EVIDENCE and len(parts[1]) == 2 and parts[2].startswith(parts[1])


def _extract(tar: tarfile.TarFile, manifest: dict[str, Any], staging: Path, archive: Path) -> None:
    expected: dict[str, Any] = manifest["files"]
    seen: set[str] = set()
    for member in tar:
        name = member.name
        if name == MANIFEST:
            continue
        if name not in expected or not member.isfile() or not _safe_name(name) or name in seen:
            raise BackupError(f"{archive} holds {name!r}, which its manifest does not list: not restored")
        fh = tar.extractfile(member)
        assert fh is not None
        target = staging / name
        target.parent.mkdir(parents=True, exist_ok=True)
        h = hashlib.sha256()
        with target.open("wb") as out:
            while chunk := fh.read(CHUNK):
                h.update(chunk)
                out.write(chunk)
        if h.hexdigest() != expected[name].get("sha256"):
            raise BackupError(f"{archive} is damaged: {name} does not match its checksum; nothing was restored")
        if name.startswith(EVIDENCE + "/") and PurePosixPath(name).name.split(".", 1)[0] != h.hexdigest():
            raise BackupError(f"{archive} is damaged: {name} is not the file its name says; nothing was restored")
        seen.add(name)
    missing = sorted(set(expected) - seen)
    if missing:
        raise BackupError(f"{archive} is incomplete: {missing[0]} is missing ({len(missing)} file(s)); not restored")


def _check_sqlite(path: Path, archive: Path) -> None:
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            ok = conn.execute("PRAGMA integrity_check").fetchone()
            has_schema = conn.execute("SELECT count(*) FROM sqlite_master WHERE name='alembic_version'").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        ok, has_schema = None, None
    if not ok or ok[0] != "ok" or not has_schema or has_schema[0] != 1:
        raise BackupError(f"{archive} holds a damaged SQLite database; nothing was restored")


def _new_generation(path: Path) -> None:
    """A new status generation in the restored database (storage/status_version.py): a replica that kept statuses
    of the database as it was before the restore finds none of them current. (PostgreSQL: pg_restore creates the
    table anew, and its OID is part of the generation.)"""
    conn = sqlite3.connect(path)
    try:
        with conn:
            if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'status_version'").fetchone():
                conn.execute("DELETE FROM status_version WHERE person_id = ?", (GENERATION,))
                conn.execute("INSERT INTO status_version VALUES (?, ?)", (GENERATION, secrets.randbits(62)))
    finally:
        conn.close()


def _move_into_place(staging: Path, place: DataPlace) -> None:
    place.data_dir.mkdir(parents=True, exist_ok=True)
    for entry in sorted(staging.iterdir()):
        target = place.sqlite_path if entry.name == DB_MEMBER else place.data_dir / entry.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(entry), str(target))
    key = place.data_dir / KEY_FILE
    if key.is_file():
        key.chmod(0o600)
