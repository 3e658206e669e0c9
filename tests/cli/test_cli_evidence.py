"""`ceu-bot evidence SUBMISSION_ID`: the stored file written to disk (what a review message without a download link
tells an admin to run), never over an existing file; unknown ids and submissions without a file are one line."""

from __future__ import annotations

from pathlib import Path

from bot.app import build_services
from bot.settings import Settings
from handlers.payloads import Submitted
from handlers.submit import create_submission
from tests.cli.test_cli_run import Cli
from tests.conftest import seed_basic
from tests.review.test_workflow_submit import GOOD, TD, actor, pdf, pdf_bytes


def submitted(data_dir: Path) -> int:
    services = build_services(Settings(CEU_DATA_DIR=data_dir, CEU_DATABASE_URL="", _env_file=None))  # type: ignore[call-arg]
    try:
        ctx = services.context()
        seed_basic(ctx)
        reply = create_submission(ctx, actor(ctx, TD), GOOD, pdf(), client_key="k", platform="teams")
        assert reply.ok, reply.to_text()
        return reply.expect(Submitted).submission_id
    finally:
        services.engine.dispose()


def test_the_file_is_written_once_and_refusals_are_one_line(tmp_path: Path) -> None:
    cli = Cli(tmp_path)
    sub_id = submitted(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    run = cli.ok("evidence", str(sub_id), "--out", str(out))
    assert (out / "certificate.pdf").read_bytes() == pdf_bytes()
    assert f"from submission #{sub_id}" in run.out
    again = cli("evidence", str(sub_id), "--out", str(out))
    assert again.code == 1 and "exists" in again.err and (out / "certificate.pdf").read_bytes() == pdf_bytes()
    missing = cli("evidence", "9999")
    assert missing.code == 1 and "no submission #9999" in missing.err
