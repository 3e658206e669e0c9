"""The evidence store (storage.evidence_store): one interface, files or database rows, chosen by CEU_EVIDENCE_STORE
(database by default on PostgreSQL). With the database store nothing touches the data folder: a Slack submission's
file reaches the review thread and the signed /evidence link from the database, a Teams file is kept there too, and
the links' key is generated once in the database, so a link made on one replica opens on another."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, func, select

from bot.app import build_services
from bot.evidence_link import evidence_links
from storage.evidence import check_evidence
from storage.evidence_store import DatabaseStore, EvidenceStore, FileStore, default_kind, shared_link_key
from storage.tables import AppSecret, EvidenceBlob, Submission
from tests.conftest import TODAY, seed_basic
from tests.fakes.slack_harness import running_bot, settings_for
from tests.fakes.teams_harness import TD, running_teams, texts
from tests.slack.test_evidence_links import LINK, PUBLIC, get
from tests.slack.test_slack_workflow import MAX_BYTES, PDF, message_text, submit_and_post
from tests.storage.test_workflow_evidence import png_bytes
from tests.teams.test_teams_workflow import rows, send_file, submit


@pytest.fixture(params=["files", "database"])
def store(request: pytest.FixtureRequest, any_engine: Engine, tmp_path: Path) -> EvidenceStore:
    return FileStore(tmp_path / "evidence") if request.param == "files" else DatabaseStore(any_engine)


def test_put_is_idempotent_and_read_gives_the_bytes(store: EvidenceStore, any_engine: Engine, tmp_path: Path) -> None:
    ev = check_evidence(png_bytes(), "photo.png")
    assert store.read(ev.sha256, ev.mime) is None
    for _ in range(2):  # a retried submission, or the same certificate sent twice
        with Session(any_engine) as session:
            store.put(session, ev)
            session.commit()
    assert store.read(ev.sha256, ev.mime) == ev.data
    with Session(any_engine) as session:
        blobs = session.exec(select(func.count()).select_from(EvidenceBlob)).one()
    if store.kind == "database":
        assert blobs == 1 and not (tmp_path / "evidence").exists()
    else:
        assert blobs == 0 and (tmp_path / "evidence" / ev.sha256[:2]).is_dir()


def test_database_store_writes_with_the_submission_or_not_at_all(any_engine: Engine) -> None:
    ev = check_evidence(png_bytes(), "photo.png")
    with Session(any_engine) as session:
        DatabaseStore(any_engine).put(session, ev)
        session.rollback()  # the submission failed: its file is not kept either
    assert DatabaseStore(any_engine).read(ev.sha256, ev.mime) is None


def test_default_store_follows_the_database(tmp_path: Path) -> None:
    assert default_kind("postgresql+psycopg://u@h/db") == "database" == default_kind("postgresql://u@h/db")
    assert default_kind(f"sqlite:///{tmp_path}/x.sqlite3") == "files"
    settings = settings_for(tmp_path, "postgresql+psycopg://u@h/db", "http://127.0.0.1:9/api/", today=TODAY)
    assert settings.evidence_store_kind == "database"
    settings = settings_for(tmp_path, "", "http://127.0.0.1:9/api/", today=TODAY, CEU_EVIDENCE_STORE="database")
    assert settings.evidence_store_kind == "database"
    settings = settings_for(
        tmp_path, "postgresql://u@h/db", "http://127.0.0.1:9/api/", today=TODAY, CEU_EVIDENCE_STORE="files"
    )
    assert settings.evidence_store_kind == "files"


async def test_slack_thread_and_link_read_the_database_store(tmp_path: Path, db_url: str) -> None:
    async with running_bot(
        tmp_path,
        db_url,
        today=TODAY,
        CEU_EVIDENCE_MAX_BYTES=MAX_BYTES,
        CEU_PUBLIC_URL=PUBLIC,
        CEU_EVIDENCE_STORE="database",
    ) as bot:
        seed_basic(bot.ctx())
        await submit_and_post(bot)
        await bot.fake.wait_for("files.completeUploadExternal")
        [up] = bot.fake.uploads
        assert up["data"] == PDF
        [post] = bot.fake.calls_to("chat.postMessage")
        found = LINK.search(message_text(post))
        assert found, message_text(post)
        status, body, headers = await get(bot, found.group(1).replace("&amp;", "&"))
        assert status == 200 and body == PDF and headers["Content-Type"] == "application/pdf"
        data_dir = bot.services.settings.data_dir
        assert not (data_dir / "evidence").exists() and not (data_dir / "evidence-link.key").exists()
        with bot.ctx().session() as s:
            blob = s.exec(select(EvidenceBlob)).one()
            assert blob.sha256 == hashlib.sha256(PDF).hexdigest() and bytes(blob.data) == PDF
            assert s.exec(select(func.count()).select_from(AppSecret)).one() == 1


async def test_teams_files_go_to_the_database_store(tmp_path: Path) -> None:
    async with running_teams(tmp_path, CEU_EVIDENCE_MAX_BYTES=4096, CEU_EVIDENCE_STORE="database") as teams:
        data = b"%PDF-1.7\n" + b"certificate of attendance " * 40
        await submit(teams)
        card = await send_file(teams, TD, "cert.pdf", data)
        assert "Sent for review" in texts(card), texts(card)
        (sub,) = rows(teams, Submission)
        assert teams.services.evidence.read(sub.evidence_sha256, "application/pdf") == data
        assert not teams.services.settings.evidence_dir.exists()


def test_one_link_key_for_every_replica_sharing_the_database(tmp_path: Path, db_url: str) -> None:
    def replica(name: str) -> tuple[bytes, str]:
        settings = settings_for(
            tmp_path / name,
            db_url,
            "http://127.0.0.1:9/api/",
            today=TODAY,
            CEU_PUBLIC_URL=PUBLIC,
            CEU_EVIDENCE_STORE="database",
        )
        services = build_services(settings)
        try:
            links = evidence_links(settings, services.engine)
            assert links is not None
            return links.key, links.url("ab" * 32, datetime.now(UTC))
        finally:
            services.engine.dispose()

    key_a, url_a = replica("a")
    key_b, _ = replica("b")
    assert key_a == key_b and len(key_a) == 32
    engine = build_services(settings_for(tmp_path / "c", db_url, "http://x/", today=TODAY)).engine
    try:
        assert shared_link_key(engine) == key_a
    finally:
        engine.dispose()
    assert re.search(r"sig=[0-9a-f]{64}", url_a)
    assert not (tmp_path / "a" / "data" / "evidence-link.key").exists()
