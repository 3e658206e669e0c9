"""Downloading an uploaded evidence file at once: files.info -> url_private_download, fetched with the bot token
over https only (plain http only to a loopback host: the local fakes), never following a redirect to another host
or to plain http (the token must not leak), read no further than the size limit, then checked by
storage.evidence.check_evidence (type sniffed from the content).

It runs while Slack waits for the modal's answer, so the whole fetch has a time budget, and any failure at all
(Slack API error, network trouble, time out) becomes an EvidenceError: a field error on the evidence field, with
the user's other answers kept."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from urllib.parse import urljoin, urlsplit

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from storage.evidence import EvidenceError, EvidenceFile, check_evidence, too_large

MAX_REDIRECTS = 3
CHUNK = 64 * 1024
BUDGET = 2.5  # seconds for files.info + the download: Slack waits 3 s for a view_submission's answer
log = logging.getLogger("ceu.slack.files")


class DownloadError(EvidenceError):
    """The file could not be fetched from Slack (message fit for the user)."""


def _trouble(name: str) -> DownloadError:
    return DownloadError(f"I could not fetch {name or 'your file'} from Slack. Please attach it again.")


def allowed_url(url: str) -> bool:
    """https, or plain http to a loopback host (tests and local fakes); never anything else."""
    parts = urlsplit(url)
    if not parts.hostname:
        return False
    if parts.scheme == "https":
        return True
    return parts.scheme == "http" and _loopback(parts.hostname)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


async def fetch_evidence(
    client: AsyncWebClient, file_id: str, *, max_bytes: int, timeout: float = 10.0, budget: float = BUDGET
) -> EvidenceFile:
    """The uploaded file as accepted evidence; raises EvidenceError (user-facing message) otherwise, whatever went
    wrong (the cause is logged)."""
    try:
        async with asyncio.timeout(budget):
            return await _fetch(client, file_id, max_bytes=max_bytes, timeout=timeout)
    except EvidenceError:
        raise
    except TimeoutError as exc:
        log.warning("slack: fetching evidence file %s took longer than %.1f s", file_id, budget)
        raise DownloadError(
            "Slack was too slow to hand me your file just now. Please press Submit again (your answers are kept)."
        ) from exc
    except Exception as exc:  # any failure is a field error, never a lost modal
        log.warning("slack: could not fetch evidence file %s: %r", file_id, exc)
        raise _trouble("") from exc


async def _fetch(client: AsyncWebClient, file_id: str, *, max_bytes: int, timeout: float) -> EvidenceFile:
    name, data = await fetch_file(client, file_id, max_bytes=max_bytes, timeout=timeout)
    return check_evidence(data, name, max_bytes)


async def fetch_file(
    client: AsyncWebClient, file_id: str, *, max_bytes: int, timeout: float, what: str = "evidence files"
) -> tuple[str, bytes]:
    """(name, bytes) of an uploaded file, read no further than `max_bytes` + a chunk; EvidenceError otherwise."""
    try:
        info = await client.files_info(file=file_id)
    except SlackApiError as exc:
        raise _trouble("") from exc
    meta = info.get("file") or {}
    name = str(meta.get("name") or "evidence")
    declared = meta.get("size")
    if isinstance(declared, int) and declared > max_bytes:
        raise EvidenceError(too_large(name, declared, max_bytes, what))
    url = str(meta.get("url_private_download") or meta.get("url_private") or "")
    if not allowed_url(url):
        raise _trouble(name)
    return name, await _download(url, str(client.token or ""), max_bytes, timeout, name)


async def _download(url: str, token: str, max_bytes: int, timeout: float, name: str) -> bytes:
    host = urlsplit(url).netloc
    headers = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session:
        for _ in range(MAX_REDIRECTS + 1):
            try:
                async with session.get(url, headers=headers, allow_redirects=False) as resp:
                    if resp.status in (301, 302, 303, 307, 308):
                        target = urljoin(url, resp.headers.get("Location", ""))
                        if urlsplit(target).netloc != host or not allowed_url(target):
                            raise _trouble(name)  # another host, or down to plain http: never send it our token
                        url = target
                        continue
                    if resp.status != 200:
                        raise _trouble(name)
                    data = bytearray()
                    async for chunk in resp.content.iter_chunked(CHUNK):
                        data.extend(chunk)
                        if len(data) > max_bytes:  # stop reading: check_evidence refuses it by size
                            break
                    return bytes(data)
            except (aiohttp.ClientError, TimeoutError) as exc:
                raise _trouble(name) from exc
    raise _trouble(name)
