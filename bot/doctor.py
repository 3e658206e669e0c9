"""`ceu-bot doctor`: every check an operator needs before (or beside) `serve`, as findings: the settings (each
problem one line), the listening port, the database (answers, migrations, the status triggers), Slack (auth.test,
the reviewers' channel membership) and Teams (an outbound token, the reviewers' channel id). Read-only: it creates
and migrates nothing."""

from __future__ import annotations

import asyncio
import os
import threading
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.findings import Finding, Level, one_line
from bot.preflight import port_problem, setting_problems
from bot.settings import Settings
from storage.db import make_engine, schema_problem, shown_url
from storage.status_version import trigger_problem

DB_TIMEOUT_SECONDS = 5.0


def settings_findings(settings: Settings, host: str, port: int) -> list[Finding]:
    out = [Finding("settings", Level.PROBLEM, p) for p in setting_problems(settings)]
    raw = settings.database_url
    if raw and raw != settings.db_url:
        out.append(
            Finding("settings", Level.OK, f"CEU_DATABASE_URL {shown_url(raw)} read as {shown_url(settings.db_url)}")
        )
    if not out:
        out.append(Finding("settings", Level.OK, "every setting is usable"))
    busy = port_problem(host, port)
    if busy is None:
        out.append(Finding("port", Level.OK, f"{host}:{port} is free"))
    elif running_bot(host, port):
        out.append(Finding("port", Level.OK, f"{host}:{port} is taken by a running ceu-bot (its /healthz answers)"))
    else:
        out.append(Finding("port", Level.PROBLEM, busy))
    return out


def running_bot(host: str, port: int) -> bool:
    """Whether the process on host:port answers /healthz like a ceu-bot (a doctor run beside the service)."""
    import json
    import urllib.request

    target = "127.0.0.1" if host in ("0.0.0.0", "", "::") else host
    target = f"[{target}]" if ":" in target else target
    try:
        with urllib.request.urlopen(f"http://{target}:{port}/healthz", timeout=2) as resp:
            return bool(resp.status == 200 and json.loads(resp.read(1000)) == {"ok": True})
    except (OSError, ValueError):
        return False


def database_finding(settings: Settings) -> Finding:
    url = settings.db_url
    name, where = "database", shown_url(url)
    if url.startswith("sqlite"):
        path = Path(make_url(url).database or "")
        if not path.is_file():
            return Finding(name, Level.OK, f"{where}: none yet; the first command creates it (and the data folder)")
    result: list[str | None] = []

    def check() -> None:  # a thread: a database that never answers must not hang the doctor
        try:
            engine = make_engine(url)
        except Exception as exc:
            result.append(f"cannot use this URL: {one_line(exc)}")
            return
        try:
            result.append(schema_problem(engine) or trigger_problem(engine))
        finally:
            engine.dispose()

    worker = threading.Thread(target=check, name="doctor-db", daemon=True)
    worker.start()
    worker.join(DB_TIMEOUT_SECONDS)
    if not result:
        return Finding(name, Level.PROBLEM, f"{where}: no answer within {DB_TIMEOUT_SECONDS:g} s")
    problem = result[0]
    if problem is None:
        return Finding(name, Level.OK, f"{where}: answers; migrations current")
    if problem.startswith("migrations not current"):
        return Finding(name, Level.WARNING, f"{where}: {problem} (`ceu-bot db upgrade` applies them)")
    return Finding(name, Level.PROBLEM, f"{where}: {problem}")


def evidence_link_finding(settings: Settings) -> Finding:
    """Whether reviewers get a link to open the evidence (CEU_PUBLIC_URL), and what they do without one."""
    from bot.evidence_link import NO_LINKS

    if settings.public_url:
        return Finding("evidence links", Level.OK, f"review messages link the evidence at {settings.public_url}")
    return Finding("evidence links", Level.WARNING, NO_LINKS)


def platform_finding(findings: list[Finding]) -> Finding | None:
    platforms = [f for f in findings if f.check in ("Slack", "Teams") and f.level is Level.SKIPPED]
    if len(platforms) == 2:
        return Finding("platforms", Level.WARNING, "neither Slack nor Teams is configured: nobody can reach the bot")
    return None


def diagnose(settings: Settings, host: str, port: int) -> list[Finding]:
    from bot.slack.doctor import slack_findings
    from bot.teams.doctor import teams_findings

    findings = settings_findings(settings, host, port)
    findings.append(database_finding(settings))
    findings.append(evidence_link_finding(settings))
    findings += asyncio.run(slack_findings(settings))
    findings += teams_findings(settings)
    summary = platform_finding(findings)
    if summary is not None:
        findings.append(summary)
    return findings


def data_dir_note(settings: Settings) -> str:
    origin = "CEU_DATA_DIR" if os.environ.get("CEU_DATA_DIR") else "the default ./data of this folder"
    return f"data folder {settings.data_dir} ({origin})"
