"""Evidence files sent in the bot's personal chat (manifest supportsFiles): the attachment's downloadUrl is
fetched at once, https only (plain http only to a loopback host when the Bot Connector itself is local, i.e. the
tests and the Emulator), no redirects to another host, and never more than the size limit plus one byte is read.
The bytes then go through storage.evidence.check_evidence like a Slack upload."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import aiohttp
from botbuilder.schema import Attachment

from bot.teams.auth import is_loopback
from storage.evidence import EvidenceError, display_name, too_large

FILE_DOWNLOAD_INFO = "application/vnd.microsoft.teams.file.download.info"
MAX_REDIRECTS = 3
CHUNK = 64 * 1024
DOWNLOAD_TIMEOUT = 30.0  # seconds for the whole download (redirects included) of a file of at most the size limit


@dataclass(frozen=True)
class FileOffer:
    name: str
    url: str


def file_offers(attachments: list[Attachment] | None) -> list[FileOffer]:
    """The files a message carries (Teams' file.download.info attachments)."""
    offers: list[FileOffer] = []
    for attachment in attachments or []:
        if attachment.content_type != FILE_DOWNLOAD_INFO:
            continue
        content: Any = attachment.content
        url = content.get("downloadUrl") if isinstance(content, dict) else None
        if isinstance(url, str) and url:
            offers.append(FileOffer(display_name(attachment.name or "evidence"), url))
    return offers


def has_inline_files(attachments: list[Attachment] | None) -> bool:
    """Pasted images and other attachments that are not a sent file (they cannot be downloaded as evidence)."""
    return any(
        a.content_type not in (FILE_DOWNLOAD_INFO, "text/html")
        and not (a.content_type or "").startswith("application/vnd.microsoft.card")
        for a in attachments or []
    )


def allowed_url(url: str, *, allow_loopback_http: bool) -> bool:
    parts = urlsplit(url)
    if not parts.hostname:
        return False
    if parts.scheme == "https":
        return True
    return parts.scheme == "http" and allow_loopback_http and is_loopback(url)


async def download(
    url: str, name: str, max_bytes: int, *, allow_loopback_http: bool, timeout: float = DOWNLOAD_TIMEOUT
) -> bytes:
    """The file's bytes; EvidenceError (a message for the user) for a refused address, a redirect to another host,
    an HTTP error or a file over `max_bytes`."""
    if not allowed_url(url, allow_loopback_http=allow_loopback_http):
        raise EvidenceError(f"I cannot download {name}: its address is not a secure (https) Teams file link.")
    host = urlsplit(url).hostname
    client_timeout = aiohttp.ClientTimeout(total=timeout)
    async with aiohttp.ClientSession(timeout=client_timeout) as session:
        for _ in range(MAX_REDIRECTS + 1):
            try:
                async with session.get(url, allow_redirects=False) as response:
                    if response.status in (301, 302, 303, 307, 308):
                        target = urljoin(url, response.headers.get("Location", ""))
                        if urlsplit(target).hostname != host or not allowed_url(
                            target, allow_loopback_http=allow_loopback_http
                        ):
                            raise EvidenceError(
                                f"I cannot download {name}: Teams sent me to another address. Please send it again."
                            )
                        url = target
                        continue
                    if response.status != 200:
                        raise EvidenceError(
                            f"I could not download {name} from Teams (HTTP {response.status}). Please send it again."
                        )
                    length = response.content_length
                    if length is not None and length > max_bytes:
                        raise _too_big(name, length, max_bytes)
                    data = bytearray()
                    async for chunk in response.content.iter_chunked(CHUNK):
                        data.extend(chunk)
                        if len(data) > max_bytes:
                            raise _too_big(name, None, max_bytes)
                    return bytes(data)
            except (aiohttp.ClientError, TimeoutError) as exc:
                raise EvidenceError(
                    f"I could not download {name} from Teams ({type(exc).__name__}). Please send it again."
                ) from exc
    raise EvidenceError(f"I cannot download {name}: too many redirects. Please send it again.")


def _too_big(name: str, size: int | None, max_bytes: int) -> EvidenceError:
    return EvidenceError(too_large(name, size, max_bytes))
