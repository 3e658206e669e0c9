"""`ceu-bot evidence SUBMISSION_ID [--out PATH]`: write a submission's stored evidence file to disk, for a reviewer
or admin where review messages carry no download link (CEU_PUBLIC_URL unset). Review messages name this
command (handlers.review.no_link_note).

The file is read through the evidence store (database or files, like the bot's own links), written under the
submitted name (made safe: bot.evidence_link.safe_filename) into the current folder unless --out says where; an
existing file is never overwritten. A submission without a stored file, or an unknown id, is one line, exit 1.
"""

from __future__ import annotations

from pathlib import Path

import click

from bot.terminal import CliError, echo


@click.command("evidence")
@click.argument("submission_id", type=click.IntRange(min=1))
@click.option("--out", "out", type=click.Path(path_type=Path), help="File (or folder) to write; default: here.")
def evidence(submission_id: int, out: Path | None) -> None:
    """Write the evidence file of submission SUBMISSION_ID (as the review message numbers it) to disk."""
    from sqlmodel import Session

    from bot.cli import open_services
    from bot.evidence_link import safe_filename
    from storage.tables import Submission

    services = open_services()
    with Session(services.engine) as session:
        sub = session.get(Submission, submission_id)
    if sub is None:
        raise CliError(f"no submission #{submission_id}")
    if not sub.evidence_sha256 or not sub.evidence_type:
        raise CliError(f"submission #{submission_id} has no evidence file stored")
    data = services.evidence.read(sub.evidence_sha256, sub.evidence_type)
    if data is None:
        raise CliError(f"the evidence file of submission #{submission_id} is missing from the evidence store")
    name = safe_filename(sub.evidence_name or "evidence", sub.evidence_type)
    target = (out / name if out.is_dir() else out) if out is not None else Path(name)
    if target.exists():
        raise CliError(f"{target} exists; choose another place with --out")
    target.write_bytes(data)
    echo(f"wrote {target} ({len(data)} bytes) from submission #{submission_id}")
