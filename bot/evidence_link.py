"""Signed, expiring evidence download links: GET /evidence/{sha256}?exp=...&sig=... on the bot's aiohttp server.

On only when CEU_PUBLIC_URL is set (the address reviewers' browsers reach the bot at). The links are made by
storage.evidence.EvidenceLinks (handlers.review puts one in every review message with a file); the key comes from
CEU_EVIDENCE_LINK_SECRET, or is generated once: in the database when the database evidence store is on (every
replica signs and checks with the same key), otherwise under the data folder. The bytes are read through the
evidence store (storage.evidence_store), so any replica serves any link. Answers: 200 with the file (type from the
stored metadata, `Content-Disposition: attachment` with a safe ASCII name), 403 for a bad or expired signature,
404 for a file that is not stored.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import quote

from aiohttp import web
from sqlalchemy import Engine
from sqlmodel import Session

from bot.runner import off_loop
from bot.settings import Settings
from storage.evidence import (
    LINK_PATH,
    TYPES,
    EvidenceLinks,
    StoredMeta,
    display_name,
    link_key,
    stored_metadata,
)
from storage.evidence_store import DATABASE, shared_link_key

if TYPE_CHECKING:
    from bot.app import Services

log = logging.getLogger("ceu.evidence")
LINKS_KEY = web.AppKey("evidence_links", EvidenceLinks)
NO_LINKS = (
    "CEU_PUBLIC_URL is not set: no evidence links in review messages; Teams reviewers need 'ceu-bot evidence ID' "
    "(Slack reviewers find the file in the post's thread)"
)
UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def evidence_links(settings: Settings, engine: Engine) -> EvidenceLinks | None:
    """The link maker for these settings, or None when CEU_PUBLIC_URL is not set (links off)."""
    base = settings.public_url.strip().rstrip("/")
    if not base:
        return None
    if not base.startswith(("https://", "http://")):
        raise ValueError("CEU_PUBLIC_URL must be an http(s) address, e.g. https://ceu.example.org")
    return EvidenceLinks(base, links_key(settings, engine), timedelta(days=max(1, settings.evidence_link_days)))


def links_key(settings: Settings, engine: Engine) -> bytes:
    """The signing key of the bot's links (evidence, and reports with a purpose of their own): derived from
    CEU_EVIDENCE_LINK_SECRET; unset, generated once and kept in the database when the database evidence store is
    on (so every replica signs and checks with the same key), otherwise in the data folder."""
    if not settings.evidence_link_secret and settings.evidence_store_kind == DATABASE:
        return shared_link_key(engine)
    return link_key(settings.data_dir, settings.evidence_link_secret)


def safe_filename(name: str, mime: str) -> str:
    """An ASCII file name for Content-Disposition: no quotes, slashes or control characters; the stored type's
    extension."""
    ext = TYPES[mime].extension if mime in TYPES else ""
    name = display_name(name)  # the last path part, no control characters
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = UNSAFE.sub("_", stem).strip("._")[:100] or "evidence"
    return stem + ext


def disposition(name: str, mime: str) -> str:
    ascii_name = safe_filename(name, mime)
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(ascii_name)}"


def mount_evidence_links(app: web.Application, services: Services) -> EvidenceLinks | None:
    """Serve signed links and let handlers make them (registered for the evidence folder); None when off."""
    links = evidence_links(services.settings, services.engine)
    services.links = links
    if links is None:
        log.warning(NO_LINKS)
        return None
    app[LINKS_KEY] = links
    store = services.evidence

    def lookup(sha256: str) -> StoredMeta | None:
        with Session(services.engine) as session:
            return stored_metadata(session, sha256)

    async def serve(request: web.Request) -> web.StreamResponse:
        sha256 = request.match_info["sha256"]
        exp, sig = request.query.get("exp", ""), request.query.get("sig", "")
        if not links.valid(sha256, exp, sig, datetime.now(UTC)):
            raise web.HTTPForbidden(text="This evidence link is not valid or has expired.")
        meta = await off_loop(lookup, sha256)
        data = await off_loop(store.read, sha256, meta.mime) if meta is not None else None
        if meta is None or data is None:
            raise web.HTTPNotFound(text="No such evidence file.")
        return web.Response(
            body=data,
            headers={
                "Content-Type": meta.mime,
                "Content-Disposition": disposition(meta.name, meta.mime),
                "X-Content-Type-Options": "nosniff",
                "Cache-Control": "private, no-store",
            },
        )

    app.router.add_get(LINK_PATH + "{sha256}", serve)
    log.info("evidence links are on: %s%s<sha256> (valid %s days)", links.base_url, LINK_PATH, links.ttl.days)
    return links
