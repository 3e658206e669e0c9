"""bot.teams.files.download against a real local HTTP server: its own Teams timeout (not Slack's setting) ends a
stalled download with a message for the user."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.teams.files import DOWNLOAD_TIMEOUT, download
from storage.evidence import EvidenceError


async def test_a_stalled_download_ends_at_the_timeout() -> None:
    stalled_out: list[bool] = []  # set once the server's stall is over: the download must have ended before

    async def stall(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        await response.prepare(request)
        await response.write(b"%PDF-1.7\n")
        await asyncio.sleep(5)  # never finishes within the timeout
        stalled_out.append(True)
        return response

    app = web.Application()
    app.router.add_get("/files/cert.pdf", stall)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        with pytest.raises(EvidenceError, match="could not download cert.pdf from Teams"):
            await download(
                f"http://127.0.0.1:{server.port}/files/cert.pdf",
                "cert.pdf",
                4096,
                allow_loopback_http=True,
                timeout=0.3,
            )
        assert not stalled_out  # it gave up at its own timeout, not when the server let go
    finally:
        await server.close()


def test_the_default_timeout_is_a_teams_setting() -> None:
    assert 10 <= DOWNLOAD_TIMEOUT <= 60
    assert download.__kwdefaults__ == {"timeout": DOWNLOAD_TIMEOUT}
