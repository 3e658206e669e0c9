"""`ceu-bot db backup / restore / upgrade` (SPEC §6): a backup made while data exists (and while a writer holds an
open transaction) restores into another, empty data folder with the same statuses and the same evidence bytes;
bad archives and non-empty folders are refused with one line and nothing written; on PostgreSQL the printed
pg_dump / pg_restore commands are run for real."""

from __future__ import annotations

import io
import json
import shlex
import sqlite3
import subprocess
import tarfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine

from handlers.context import Context
from handlers.review import decide
from handlers.submit import create_submission
from storage.db import alembic_config, head_revision, make_engine, open_database
from storage.evidence import EvidenceFile, check_evidence
from storage.evidence_store import EvidenceStore, default_kind, open_store
from tests.cli.test_cli_run import Cli, Run
from tests.dbs import postgres_schema_url
from tests.review.test_workflow_submit import GOOD, actor
from tests.storage.test_workflow_evidence import pdf_bytes, png_bytes

DIRECTORS = ("td@a.k12.al.us", "done@c.k12.al.us", "old@b.k12.al.us")
ATTENDANCE = "email,activity_code,date,hours\ntd@a.k12.al.us,FALL24,2024-11-05,4\nold@b.k12.al.us,CAMP25,2025-02-20,6\n"
TODAY = "2025-03-03"


@dataclass
class DbCli(Cli):
    """`ceu-bot` on one data folder and, when `url` is set, that database instead of the folder's SQLite file."""

    url: str = ""

    @property
    def env(self) -> dict[str, str | None]:
        return {**super().env, "CEU_DATABASE_URL": self.url}

    def open(self) -> Engine:
        return open_database(self.url or f"sqlite:///{self.data_dir / 'ceu.sqlite3'}")

    def store(self, engine: Engine) -> EvidenceStore:
        """The evidence store the settings choose (the database on PostgreSQL, files on SQLite)."""
        return open_store(default_kind(self.url or "sqlite:"), engine, self.data_dir / "evidence")

    def evidence(self, files: dict[str, bytes]) -> dict[str, bytes | None]:
        """What this data folder and database hold under each of the given files' hashes."""
        engine = self.open()
        try:
            store = self.store(engine)
            return {
                sha: store.read(sha, "application/pdf" if data.startswith(b"%PDF") else "image/png")
                for sha, data in files.items()
            }
        finally:
            engine.dispose()

    def statuses(self) -> list[dict[str, object]]:
        return [json.loads(self.ok("status", e, "--fy", "2025", "--today", TODAY, "--json").out) for e in DIRECTORS]


def one_line_error(run: Run) -> str:
    assert run.code != 0, run.text
    lines = run.err.strip().splitlines()
    assert len(lines) == 1, run.err
    return lines[0]


def populate(cli: DbCli) -> dict[str, bytes]:
    """Roster, catalog, attendance, and two submissions with evidence (one approved): the evidence by sha256."""
    cli.seed()
    cli.load("attendance", ATTENDANCE)
    engine = cli.open()
    try:
        store = cli.store(engine)
        ctx = Context(engine, datetime(2025, 3, 3).date(), evidence_dir=cli.data_dir / "evidence", evidence=store)
        ctx.now = datetime(2025, 3, 3, 16, tzinfo=UTC)
        files: dict[str, bytes] = {}
        for key, email, ev in (
            ("S1", "td@a.k12.al.us", check_evidence(pdf_bytes(), "cert.pdf")),
            ("S2", "done@c.k12.al.us", check_evidence(png_bytes(), "photo.png")),
        ):
            files[ev.sha256] = submit(ctx, key, email, ev)
        first = 1
        assert decide(ctx, actor(ctx, "rev@alet.org"), "submission", first, True).ok
    finally:
        engine.dispose()
    return files


def submit(ctx: Context, key: str, email: str, ev: EvidenceFile) -> bytes:
    reply = create_submission(ctx, actor(ctx, email), {**GOOD}, ev, client_key=key, platform="slack")
    assert reply.ok, reply.to_text()
    return ev.data


def stored_evidence(data_dir: Path) -> dict[str, bytes]:
    return {p.name.split(".")[0]: p.read_bytes() for p in (data_dir / "evidence").rglob("*") if p.is_file()}


def test_backup_restores_elsewhere_with_the_same_statuses_and_evidence(tmp_path: Path) -> None:
    source = DbCli(tmp_path / "live")
    source.data_dir.mkdir()
    files = populate(source)
    before = source.statuses()
    assert before[0]["pending_hours"] == 0.0 and before[1]["pending_hours"] == 2.5  # one approved, one pending
    # a writer in the middle of a transaction (as `serve` may be) neither blocks the backup nor leaks into it
    writer = sqlite3.connect(source.data_dir / "ceu.sqlite3", isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE person SET name = 'Uncommitted' WHERE email = 'td@a.k12.al.us'")
    archive = tmp_path / "ceu-backup.tar.gz"
    run = source.ok("db", "backup", str(archive))
    writer.execute("ROLLBACK")
    writer.close()
    assert "4 people, 2 submissions" in run.out and "2 evidence files" in run.out, run.out
    assert archive.stat().st_mode & 0o077 == 0  # it holds the link key

    target = DbCli(tmp_path / "restored" / "data")
    run = target.ok("db", "restore", str(archive))
    assert str(target.data_dir) in run.out
    assert target.statuses() == before
    assert stored_evidence(target.data_dir) == files == stored_evidence(source.data_dir) == target.evidence(files)
    assert "Uncommitted" not in json.dumps(target.statuses())
    key = target.data_dir / "evidence-link.key"
    if (source.data_dir / "evidence-link.key").exists():
        assert key.read_bytes() == (source.data_dir / "evidence-link.key").read_bytes()


def test_the_archive_carries_a_manifest_with_kind_version_and_counts(tmp_path: Path) -> None:
    source = DbCli(tmp_path)
    populate(source)
    (tmp_path / "evidence-link.key").write_text("ab" * 32)
    archive = tmp_path / "b.tar.gz"
    source.ok("db", "backup", str(archive))
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        fh = tar.extractfile("manifest.json")
        assert fh is not None
        manifest = json.loads(fh.read())
    assert names[0] == "manifest.json" and "ceu.sqlite3" in names and "evidence-link.key" in names
    assert manifest["format"] == "ceu-bot-backup" and manifest["version"] == 1
    assert manifest["database"] == "sqlite" and manifest["revision"] == head_revision()
    assert manifest["counts"] == {
        "people": 4,
        "submissions": 2,
        "credits": 4,
        "requests": 0,
        "evidence_rows": 0,
        "evidence_files": 2,
    }
    assert set(manifest["files"]) == set(names) - {"manifest.json"}
    # the copy is one self-contained file (not in WAL mode)
    restored = DbCli(tmp_path / "again")
    restored.ok("db", "restore", str(archive))
    assert (restored.data_dir / "evidence-link.key").read_text() == "ab" * 32
    assert (restored.data_dir / "evidence-link.key").stat().st_mode & 0o077 == 0
    assert not (restored.data_dir / "ceu.sqlite3-wal").exists()


def test_an_existing_backup_file_is_never_overwritten(tmp_path: Path) -> None:
    source = DbCli(tmp_path)
    source.seed()
    archive = tmp_path / "b.tar.gz"
    archive.write_bytes(b"keep me")
    assert "exists already" in one_line_error(source("db", "backup", str(archive)))
    assert archive.read_bytes() == b"keep me"


def _tar(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def manifest_of(archive: Path) -> dict[str, object]:
    with tarfile.open(archive) as tar:
        fh = tar.extractfile("manifest.json")
        assert fh is not None
        return dict(json.loads(fh.read()))


def _tampered(good: Path, out: Path, change: str) -> Path:
    """A copy of a good archive with one member changed (bytes, an extra file, or a member left out)."""
    with tarfile.open(good) as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar.getmembers()}  # type: ignore[union-attr]
    evidence = next(n for n in members if n.startswith("evidence/"))
    if change == "bytes":
        members[evidence] = members[evidence] + b"x"
    elif change == "extra":
        members["../../etc/cron.d/evil"] = b"* * * * * root true\n"
    elif change == "missing":
        del members[evidence]
    elif change == "database":
        members["ceu.sqlite3"] = b"SQLite format 3\x00" + b"\x00" * 100
        manifest = json.loads(members["manifest.json"])
        import hashlib

        manifest["files"]["ceu.sqlite3"]["sha256"] = hashlib.sha256(members["ceu.sqlite3"]).hexdigest()
        members["manifest.json"] = json.dumps(manifest).encode()
    return _tar(out, members)


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("truncated", "not a readable ceu-bot backup"),
        ("not_gzip", "not a readable ceu-bot backup"),
        ("foreign", "not a ceu-bot backup"),
        ("newer", "newer ceu-bot"),
        ("revision", "revision 0099, which this ceu-bot does not know"),
        ("bytes", "does not match its checksum"),
        ("extra", "which its manifest does not list"),
        ("missing", "is incomplete"),
        ("database", "damaged SQLite database"),
        ("no_file", "is not a file"),
    ],
)
def test_bad_archives_are_refused_with_one_line_and_nothing_written(tmp_path: Path, case: str, expected: str) -> None:
    source = DbCli(tmp_path / "live")
    source.data_dir.mkdir()
    populate(source)
    good = tmp_path / "good.tar.gz"
    source.ok("db", "backup", str(good))
    bad = tmp_path / f"{case}.tar.gz"
    if case == "truncated":
        bad.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    elif case == "not_gzip":
        bad.write_text("email,name\n")
    elif case == "foreign":
        _tar(bad, {"etc/hosts": b"127.0.0.1 localhost\n"})
    elif case == "newer":
        _tar(bad, {"manifest.json": json.dumps({"format": "ceu-bot-backup", "version": 99}).encode()})
    elif case == "revision":
        _tar(bad, {"manifest.json": json.dumps({**manifest_of(good), "revision": "0099"}).encode()})
    elif case in ("bytes", "extra", "missing", "database"):
        _tampered(good, bad, case)
    target = DbCli(tmp_path / "target")
    line = one_line_error(target("db", "restore", str(bad)))
    assert expected in line, line
    assert not target.data_dir.exists() or not any(target.data_dir.iterdir())
    assert not (tmp_path / "etc").exists()


def test_restore_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    source = DbCli(tmp_path / "live")
    source.data_dir.mkdir()
    source.seed()
    archive = tmp_path / "b.tar.gz"
    source.ok("db", "backup", str(archive))
    line = one_line_error(source("db", "restore", str(archive)))
    assert "is not empty" in line
    occupied = DbCli(tmp_path / "other")
    occupied.data_dir.mkdir()
    (occupied.data_dir / "notes.txt").write_text("mine")
    assert "is not empty" in one_line_error(occupied("db", "restore", str(archive)))
    assert sorted(p.name for p in occupied.data_dir.iterdir()) == ["notes.txt"]


def test_upgrade_says_from_which_revision_to_which(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'ceu.sqlite3'}")
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0002")
    engine.dispose()
    cli = DbCli(tmp_path)
    assert cli.ok("db", "upgrade").out.strip().endswith(f"upgraded from revision 0002 to {head_revision()}")
    assert f"already at revision {head_revision()}" in cli.ok("db", "upgrade").out
    assert "ceu.sqlite3" in cli.ok("db", "upgrade").out  # names the database it used


def test_upgrade_of_an_unreachable_database_is_one_line(tmp_path: Path) -> None:
    cli = DbCli(tmp_path, url="postgresql+psycopg://nobody:secret@127.0.0.1:1/none")
    line = one_line_error(cli("db", "upgrade"))
    assert "cannot open the database" in line and "secret" not in line


def test_postgres_backup_prints_a_pg_dump_that_restores(tmp_path: Path) -> None:
    with postgres_schema_url() as url:
        source = DbCli(tmp_path / "live", url=url)
        source.data_dir.mkdir()
        files = populate(source)
        before = source.statuses()
        archive = tmp_path / "pg.tar.gz"
        run = source.ok("db", "backup", str(archive))
        dump_line = next(line.strip() for line in run.out.splitlines() if line.strip().startswith("pg_dump "))
        assert f"--file={tmp_path / 'pg.pgdump'}" in dump_line and "--schema=t_" in dump_line
        subprocess.run(shlex.split(dump_line), check=True, capture_output=True, timeout=120)
        schema = dump_line.split("--schema=")[1].split()[0]
        admin = make_engine(url)
        with admin.begin() as conn:  # the database is lost
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()

        target = DbCli(tmp_path / "restored", url=url)
        run = target.ok("db", "restore", str(archive))
        restore_line = next(line.strip() for line in run.out.splitlines() if line.strip().startswith("pg_restore "))
        subprocess.run(shlex.split(restore_line), check=True, capture_output=True, timeout=120)
        assert target.statuses() == before
        assert target.evidence(files) == files  # the database store: the evidence came back with the dump
        assert stored_evidence(target.data_dir) == {} and "0 evidence files" in run.out


def test_a_sqlite_backup_is_not_restored_onto_postgres(tmp_path: Path) -> None:
    source = DbCli(tmp_path / "live")
    source.data_dir.mkdir()
    source.seed()
    archive = tmp_path / "b.tar.gz"
    source.ok("db", "backup", str(archive))
    target = DbCli(tmp_path / "t", url="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    assert "holds a SQLite database" in one_line_error(target("db", "restore", str(archive)))
    assert not target.data_dir.exists()
