"""The bot under measurement: a real `ceu-bot serve` in a subprocess (the installed console script, settings in its
environment, its log in a file), optionally under a profiler, until it answers /readyz; stopped with SIGINT.

CEU_BENCH_PROFILE=py-spy:FILE runs it under `py-spy record` (FILE in py-spy's raw collapsed-stack format; py-spy
must be installed: `.venv/bin/pip install py-spy`), CEU_BENCH_PROFILE=cprofile:FILE under `python -m cProfile`.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from tests.served import free_port, serve_env

SCRIPT = Path(sys.executable).with_name("ceu-bot")


@dataclass
class Bot:
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def command(port: int) -> list[str]:
    serve = [str(SCRIPT), "serve", "--host", "127.0.0.1", "--port", str(port)]
    how, _, out = os.environ.get("CEU_BENCH_PROFILE", "").partition(":")
    if how == "py-spy":
        spy = shutil.which("py-spy", path=str(SCRIPT.parent)) or "py-spy"
        return [spy, "record", "--format", "raw", "--rate", "500", "--threads", "-o", out, "--", *serve]
    if how == "cprofile":
        return [sys.executable, "-m", "cProfile", "-o", out, str(SCRIPT), *serve[1:]]
    return serve


async def _ready(proc: subprocess.Popen[bytes], url: str, log: Path) -> None:
    async with aiohttp.ClientSession() as http:
        for _ in range(480):  # at most ~2 minutes on a busy machine
            if proc.poll() is not None:
                raise RuntimeError(f"serve exited with {proc.returncode}:\n{log.read_text(errors='replace')}")
            try:
                async with http.get(url + "/readyz", timeout=aiohttp.ClientTimeout(total=5)) as resp:
                    if resp.status == 200:
                        return
            except (aiohttp.ClientError, TimeoutError):
                pass
            await asyncio.sleep(0.25)
    raise RuntimeError(f"serve never became ready:\n{log.read_text(errors='replace')}")


async def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
    for _ in range(240):
        if proc.poll() is not None:
            return
        await asyncio.sleep(0.25)
    proc.kill()
    proc.wait(timeout=30)


@asynccontextmanager
async def serving(settings: dict[str, str], workdir: Path) -> AsyncIterator[Bot]:
    """`ceu-bot serve` on a free port of 127.0.0.1 with exactly these settings, until it stops."""
    port = free_port()
    bot = Bot(port, workdir / "serve.log")
    with bot.log.open("wb") as out:
        proc = subprocess.Popen(
            command(port), cwd=workdir, env=serve_env(settings), stdout=out, stderr=subprocess.STDOUT
        )
    try:
        await _ready(proc, bot.url, bot.log)
        yield bot
    finally:
        await _stop(proc)
        text = bot.log.read_text(errors="replace")
        if "Traceback" in text:
            print("  the bot's log holds a traceback; its end:\n" + "\n".join(text.splitlines()[-30:]))
