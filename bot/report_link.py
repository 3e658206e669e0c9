"""Signed, expiring report download links: GET /report/{fy}/{file}?exp=...&sig=... on the bot's aiohttp server.

On only when CEU_PUBLIC_URL is set (then Teams' `report` answers with these links instead of file-consent cards).
The signing key is derived from the evidence links' key (bot.evidence_link.links_key: CEU_EVIDENCE_LINK_SECRET, or
the key generated once in the database or the data folder) with a purpose of its own, so an evidence signature is
never a report signature. A link is valid for REPORT_LINK_HOURS; the report is built when the link is opened
(nothing is stored, any replica answers). Answers: 200 with the file, 403 for a bad or expired signature, 404 for
a file the report does not have."""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from aiohttp import web
from sqlalchemy import Engine

from bot.evidence_link import links_key
from bot.runner import off_loop
from bot.settings import Settings
from handlers.report_delivery import file_named, report_files

if TYPE_CHECKING:
    from bot.app import Services

log = logging.getLogger("ceu.report")
REPORT_PATH = "/report/"
REPORT_LINK_HOURS = 24
SAFE_NAME = re.compile(r"^[A-Za-z0-9._-]{1,100}$")


@dataclass(frozen=True)
class ReportLinks:
    base_url: str
    key: bytes
    hours: int = REPORT_LINK_HOURS

    def signature(self, fy: int, name: str, exp: int) -> str:
        return hmac.new(self.key, f"report:{fy}:{name}:{exp}".encode(), hashlib.sha256).hexdigest()

    def url(self, fy: int, name: str, now: datetime) -> str:
        exp = int((now + timedelta(hours=self.hours)).timestamp())
        return f"{self.base_url}{REPORT_PATH}{fy}/{name}?exp={exp}&sig={self.signature(fy, name, exp)}"

    def valid(self, fy: str, name: str, exp: str, sig: str, now: datetime) -> bool:
        if not fy.isdigit() or len(fy) != 4 or not SAFE_NAME.match(name) or not exp.isdigit() or len(exp) > 12:
            return False
        if not hmac.compare_digest(self.signature(int(fy), name, int(exp)), sig.lower()):
            return False
        return int(exp) >= now.timestamp()


def report_links(settings: Settings, engine: Engine) -> ReportLinks | None:
    base = settings.public_url.strip().rstrip("/")
    if not base.startswith(("https://", "http://")):
        return None
    evidence_key = links_key(settings, engine)
    return ReportLinks(base, hmac.new(evidence_key, b"ceu-report-link-v1", hashlib.sha256).digest())


def mount_report_links(app: web.Application, services: Services) -> ReportLinks | None:
    links = report_links(services.settings, services.engine)
    if links is None:
        return None

    async def serve(request: web.Request) -> web.StreamResponse:
        fy, name = request.match_info["fy"], request.match_info["name"]
        if not links.valid(fy, name, request.query.get("exp", ""), request.query.get("sig", ""), datetime.now(UTC)):
            raise web.HTTPForbidden(text="This report link is not valid or has expired.")
        files = await off_loop(report_files, services.context(), int(fy), "download link")
        f = file_named(files, name)
        if f is None:
            raise web.HTTPNotFound(text="The report has no such file.")
        return web.Response(
            body=f.data,
            headers={
                "Content-Type": f.mime,
                "Content-Disposition": f'attachment; filename="{f.name}"',
                "X-Content-Type-Options": "nosniff",
                "Cache-Control": "private, no-store",
            },
        )

    app.router.add_get(REPORT_PATH + "{fy}/{name}", serve)
    log.info("report links are on: %s%s<fy>/<file> (valid %s hours)", links.base_url, REPORT_PATH, links.hours)
    return links
