"""A real `ceu-bot serve` in a subprocess (the installed console script), for tests where the process boundary is
the point: Socket Mode from start to end, several replicas on one database. Waiting is asynchronous (the local
fakes the bot talks to run in the test's event loop) and bounded; the log must hold no traceback."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import aiohttp

SCRIPT = Path(sys.executable).with_name("ceu-bot")
OWN_PREFIXES = ("CEU_", "SLACK_", "MICROSOFT_", "TEAMS_")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Served:
    port: int
    proc: subprocess.Popen[bytes]
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


def serve_env(settings: dict[str, str]) -> dict[str, str]:
    """The test's environment without any of our settings, plus `settings`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(OWN_PREFIXES)}
    return {**env, **settings}


async def _ready(served: Served, http: aiohttp.ClientSession, tries: int = 480) -> None:
    for _ in range(tries):  # at most ~2 minutes on a busy machine
        if served.proc.poll() is not None:
            raise AssertionError(f"serve exited with {served.proc.returncode}:\n{served.log_text()}")
        try:
            async with http.get(served.url + "/readyz", timeout=aiohttp.ClientTimeout(total=5)) as resp:
                if resp.status == 200:
                    return
        except (aiohttp.ClientError, TimeoutError):
            pass
        await asyncio.sleep(0.25)
    raise AssertionError(f"serve never became ready:\n{served.log_text()}")


async def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
    for _ in range(120):
        if proc.poll() is not None:
            return
        await asyncio.sleep(0.25)
    proc.kill()
    proc.wait(timeout=30)


@asynccontextmanager
async def serving(settings: dict[str, str], workdir: Path, name: str = "serve") -> AsyncIterator[Served]:
    """`ceu-bot serve --host 127.0.0.1 --port <free>` with exactly these settings, until it answers /readyz."""
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = workdir / f"{name}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(SCRIPT), "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=workdir,
            env=serve_env(settings),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    served = Served(port, proc, log)
    try:
        async with aiohttp.ClientSession() as http:
            await _ready(served, http)
        yield served
    finally:
        await _stop(proc)
    text = served.log_text()
    assert "Traceback" not in text, text
