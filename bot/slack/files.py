"""Downloading an uploaded evidence file at once: files.info -> url_private_download, fetched with the bot token,
never following a redirect to another host (the token must not leak), read no further than the size limit,
then checked by storage.evidence.check_evidence (type sniffed from the content)."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from storage.evidence import EvidenceError, EvidenceFile, check_evidence, fmt_size

MAX_REDIRECTS = 3
CHUNK = 64 * 1024


class DownloadError(EvidenceError):
    """The file could not be fetched from Slack (message fit for the user)."""


def _trouble(name: str) -> DownloadError:
    return DownloadError(f"I could not fetch {name or 'your file'} from Slack. Please attach it again.")


async def fetch_evidence(
    client: AsyncWebClient, file_id: str, *, max_bytes: int, timeout: float = 10.0
) -> EvidenceFile:
    """The uploaded file as accepted evidence; raises EvidenceError (user-facing message) otherwise."""
    try:
        info = await client.files_info(file=file_id)
    except SlackApiError as exc:
        raise _trouble("") from exc
    meta = info.get("file") or {}
    name = str(meta.get("name") or "evidence")
    declared = meta.get("size")
    if isinstance(declared, int) and declared > max_bytes:
        raise EvidenceError(
            f"The file {name} is {fmt_size(declared)}; evidence files may be at most {fmt_size(max_bytes)}. "
            "Please send a smaller file (a PDF or a photo of the certificate)."
        )
    url = str(meta.get("url_private_download") or meta.get("url_private") or "")
    if not url.startswith(("https://", "http://")):
        raise _trouble(name)
    data = await _download(url, str(client.token or ""), max_bytes, timeout, name)
    return check_evidence(data, name, max_bytes)


async def _download(url: str, token: str, max_bytes: int, timeout: float, name: str) -> bytes:
    host = urlsplit(url).netloc
    headers = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session:
        for _ in range(MAX_REDIRECTS + 1):
            try:
                async with session.get(url, headers=headers, allow_redirects=False) as resp:
                    if resp.status in (301, 302, 303, 307, 308):
                        target = urljoin(url, resp.headers.get("Location", ""))
                        if urlsplit(target).netloc != host:  # another host: never send it our token
                            raise _trouble(name)
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
