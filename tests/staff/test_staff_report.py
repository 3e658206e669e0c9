"""`report [FY]` in chat: SDE staff and admins get the year-end files in their personal chat, after a progress note.
Slack: files_upload_v2 into the DM (getUploadURLExternal -> upload URL -> completeUploadExternal, recorded by the
fake Slack Web API); Teams: the file-consent flow (FileConsentCard, the fileConsent/invoke accept, the PUT to the
upload URL the fake Bot Connector serves, then a FileInfoCard), or signed, expiring links with CEU_PUBLIC_URL.
The files are read back (openpyxl, csv) and nobody else gets them."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import aiohttp
import openpyxl
from sqlmodel import select

from handlers.report_delivery import report_title
from handlers.status import long_date
from storage.tables import AuditLog
from tests.conftest import load
from tests.fakes.bot_connector import TeamsUser, file_consent, message
from tests.fakes.slack_harness import SlackBot
from tests.fakes.teams_harness import SDE, TD, Teams, running_teams, texts
from tests.staff.conftest import ATTENDANCE

XLSX = "td-ceu-FY2025.xlsx"


def check_files(files: dict[str, bytes]) -> None:
    """The delivered report: the XLSX opens and holds Alex's row; the CSV too."""
    assert XLSX in files and "td-ceu-FY2025.csv" in files
    book = openpyxl.load_workbook(io.BytesIO(files[XLSX]))
    cells = [c.value for row in book["Directors"].iter_rows() for c in row]
    assert "Alex Director" in cells and "td@a.k12.al.us" in cells
    rows = list(csv.reader(io.StringIO(files["td-ceu-FY2025.csv"].decode("utf-8-sig"))))
    assert any("Alex Director" in r for r in rows[1:])


async def test_slack_report_goes_into_the_dm(slack: SlackBot) -> None:
    await slack.command("report 2025", user="USDE", key="rep")
    note = await slack.wait_response("rep")
    assert note["response_type"] == "ephemeral" and "Building the FY2025 report" in note["text"]
    done = await slack.wait_response("rep", 2)
    assert "The FY2025 report is in our DM" in done["text"], done["text"]
    (complete,) = slack.fake.calls_to("files.completeUploadExternal")
    assert complete["channel_id"] == "DUSDE"  # conversations.open with the caller
    assert {u["channel"] for u in slack.fake.uploads} == {"DUSDE"}
    check_files({u["filename"]: u["data"] for u in slack.fake.uploads})
    title = report_title(2025, slack.ctx().today)  # the one title both platforms give the files (handlers)
    assert {u["initial_comment"] for u in slack.fake.uploads} == {title}
    assert title == f"TD-CEU year-end report, FY2025, as of {long_date(slack.ctx().today)}"
    with slack.ctx().session() as s:
        (row,) = s.exec(select(AuditLog).where(AuditLog.action == "report.write")).all()
        assert row.actor == "sde@alsde.edu"


async def test_slack_report_in_the_dm_and_refusals(slack: SlackBot) -> None:
    event = {"type": "message", "channel_type": "im", "channel": "DREV9", "user": "UREV", "text": "report", "ts": "1"}
    await slack.event(event)
    await slack.fake.wait_for("files.completeUploadExternal")
    (note,) = slack.fake.calls_to("chat.postMessage")
    assert note["channel"] == "DREV9" and "Building the FY2025 report" in note["text"]
    assert {u["channel"] for u in slack.fake.uploads} == {"DREV9"}
    slack.fake.reset_calls()
    await slack.command("report", user="UTD", key="td")
    refused = await slack.wait_response("td")
    assert "“report” is for SDE staff and ALET admins" in refused["text"]
    await slack.command("report 1999", user="USDE", key="bad")
    assert "FY1999 has no TD-CEU records" in (await slack.wait_response("bad"))["text"]
    await slack.command("help", user="UOLD", key="sync")
    await slack.wait_response("sync")
    assert slack.fake.uploads == [] and slack.fake.calls_to("files.getUploadURLExternal") == []


async def test_slack_upload_failure_is_a_polite_reply(slack: SlackBot) -> None:
    slack.fake.fail("files.getUploadURLExternal", "not_allowed_token_type")
    await slack.command("report", user="USDE", key="rep")
    await slack.wait_response("rep")
    failed = await slack.wait_response("rep", 2)
    assert "could not deliver the FY2025 report" in failed["text"] and "Traceback" not in failed["text"]


CONSENT = "application/vnd.microsoft.teams.card.file.consent"
FILE_INFO = "application/vnd.microsoft.teams.card.file.info"


def consent_cards(t: Teams) -> list[dict[str, Any]]:
    return [a for m in t.connector.messages() for a in m.get("attachments") or [] if a.get("contentType") == CONSENT]


async def ask_report(t: Teams, who: TeamsUser, text: str = "report") -> list[dict[str, Any]]:
    status, _ = await t.post(message(who, t.service_url, text))
    assert status == 200
    return [c.body for c in t.connector.of("reply", "send")]


async def test_teams_report_through_file_consent(teams: Teams) -> None:
    sent = await ask_report(teams, SDE, "report FY2025")
    assert "Building the FY2025 report" in (sent[0].get("summary") or "")
    offered = consent_cards(teams)
    assert sorted(c["name"] for c in offered) == sorted(["td-ceu-FY2025.csv", "td-ceu-FY2025-completers.csv", XLSX])
    xlsx = next(c for c in offered if c["name"] == XLSX)
    assert xlsx["content"]["sizeInBytes"] > 1000 and xlsx["content"]["acceptContext"] == {"fy": 2025, "file": XLSX}
    title = report_title(2025, teams.services.context().today)  # the same title as on Slack
    assert {c["content"]["description"] for c in offered} == {title}
    assert all(c.conversation_id == SDE.conversation_id for c in teams.connector.of("reply", "send"))

    for card in offered:
        info = teams.connector.upload_info(card["name"])
        status, body = await teams.post(
            file_consent(SDE, teams.service_url, "accept", card["content"]["acceptContext"], info)
        )
        assert status == 200, body
    check_files(teams.connector.uploads())
    infos = [a for m in teams.connector.messages() for a in m.get("attachments") or [] if a["contentType"] == FILE_INFO]
    assert sorted(i["name"] for i in infos) == sorted(c["name"] for c in offered)
    assert all(
        i["contentUrl"].startswith("https://contoso-my.sharepoint.com/") and i["content"]["uniqueId"] for i in infos
    )


async def test_teams_report_decline_refusals_and_bad_upload_urls(teams: Teams) -> None:
    refused = await teams.say(TD, "report")
    assert "“report” is for SDE staff and ALET admins" in texts(refused)
    assert consent_cards(teams) == []
    context = {"fy": 2025, "file": XLSX}
    await teams.post(file_consent(SDE, teams.service_url, "decline", context))
    assert "Not sent: td-ceu-FY2025.xlsx" in teams.connector.messages()[-1]["summary"]
    # a director (or anyone not SDE/admin) pressing Allow on a forwarded card gets nothing
    status, _ = await teams.post(
        file_consent(TD, teams.service_url, "accept", context, teams.connector.upload_info(XLSX))
    )
    assert status == 200 and teams.connector.uploads() == {}
    # an upload address that is not https is refused (the fake connector is local, so only loopback http passes)
    bad = {**teams.connector.upload_info(XLSX), "uploadUrl": "http://203.0.113.9/upload/x"}
    await teams.post(file_consent(SDE, teams.service_url, "accept", context, bad))
    assert "could not deliver the FY2025 report" in (teams.connector.messages()[-1].get("summary") or "")
    teams.connector.fail_next("upload", 500)
    await teams.post(file_consent(SDE, teams.service_url, "accept", context, teams.connector.upload_info(XLSX)))
    assert "could not deliver" in (teams.connector.messages()[-1].get("summary") or "")
    assert teams.connector.uploads() == {}


async def test_teams_report_as_signed_links(tmp_path: Path) -> None:
    async with running_teams(tmp_path, CEU_PUBLIC_URL="http://127.0.0.1:1", CEU_EVIDENCE_LINK_SECRET="s3cret") as t:
        load(t.services.context(), "attendance", ATTENDANCE)
        await ask_report(t, SDE)
        assert consent_cards(t) == []
        card = t.connector.last_card()
        urls = {a["title"]: a["url"] for a in card["actions"] if a["type"] == "Action.OpenUrl"}
        assert set(urls) >= {XLSX, "td-ceu-FY2025.csv"} and "valid for 24 hours" in texts(card)
        async with aiohttp.ClientSession() as http:
            got: dict[str, bytes] = {}
            for name, url in urls.items():
                local = t.server.url + url.removeprefix("http://127.0.0.1:1")
                async with http.get(local) as resp:
                    assert resp.status == 200 and "attachment" in resp.headers["Content-Disposition"]
                    got[name] = await resp.read()
            check_files(got)
            forged = t.server.url + urls[XLSX].removeprefix("http://127.0.0.1:1").replace("sig=", "sig=0")
            async with http.get(forged) as resp:
                assert resp.status == 403
            other = t.server.url + urls[XLSX].removeprefix("http://127.0.0.1:1").replace("/2025/", "/2026/")
            async with http.get(other) as resp:
                assert resp.status == 403
