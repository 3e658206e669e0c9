"""`/ceu status` through the real HTTP path (signed request -> aiohttp -> bolt signature check -> ack -> status
after the ack -> respond to the response_url) over 13,000 directors x 40 records, beside a bare slack-bolt app
that only acks, measured in the same run.

As in production, the bot runs in a process of its own (a child process here: our server and the two bare bolt
apps, all mounted the same way with to_bolt_request / async_dispatch / to_aiohttp_response); Slack (the fake Web
API that receives the replies) and the load generator run in this process, as Slack's side would be remote.

Figures: the ack (HTTP answer to Slack) and the full reply (until the ephemeral message reaches the fake
Slack's response_url), sequentially (p50, ratio to the bare ack in the same mode) and with 50 requests in
flight (p99). The callers are already known (their Slack identity cached), as in steady use. Prints figures,
asserts nothing. CEU_BENCH_PROFILE=FILE writes a cProfile of the bot process to FILE.
"""

from __future__ import annotations

import asyncio
import itertools
import multiprocessing as mp
import os
import shutil
import statistics
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bench.data import TODAY, cached_sqlite, email_of
from bench.timing import machine, percentile
from tests.fakes.slack_api import FakeSlackApi
from tests.slack_signing import SECRET, command_body, signed_headers

CACHE = Path(tempfile.gettempdir()) / "ceu-bench" / "ceu.sqlite3"
USERS = 500  # distinct callers sampled from the 13,000
SEQUENTIAL = 600
CONCURRENT_TOTAL = 2000
IN_FLIGHT = 50
BOT_TOKEN = "xoxb-test-token"


# --- the bot's process ------------------------------------------------------------------------------------------


def bare_app(api_url: str, *, process_before_response: bool) -> web.Application:
    bolt = AsyncApp(
        client=AsyncWebClient(token=BOT_TOKEN, base_url=api_url),
        signing_secret=SECRET,
        process_before_response=process_before_response,
    )

    @bolt.command("/ceu")
    async def only_ack(ack) -> None:  # type: ignore[no-untyped-def]
        await ack()

    async def endpoint(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))

    app = web.Application()
    app.router.add_post("/slack/events", endpoint)
    return app


async def serve(conn: Connection, api_url: str, work: str, db_url: str) -> None:
    from bot.app import build_app, build_services
    from tests.fakes.slack_harness import settings_for

    services = build_services(settings_for(Path(work), db_url, api_url, today=TODAY))
    apps = {
        "ours": build_app(services),
        "bare": bare_app(api_url, process_before_response=True),
        "bare_default": bare_app(api_url, process_before_response=False),
    }
    runners = []
    ports: dict[str, int] = {}
    for name, app in apps.items():
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        runners.append(runner)
        ports[name] = runner.addresses[0][1]
    conn.send(ports)
    await asyncio.get_running_loop().run_in_executor(None, conn.recv)  # until the load generator is done
    for runner in runners:
        await runner.cleanup()
    services.engine.dispose()


def bot_process(conn: Connection, api_url: str, work: str, db_url: str) -> None:
    profile_to = os.environ.get("CEU_BENCH_PROFILE")
    if not profile_to:
        asyncio.run(serve(conn, api_url, work, db_url))
        return
    import cProfile

    with cProfile.Profile() as prof:
        asyncio.run(serve(conn, api_url, work, db_url))
    prof.dump_stats(profile_to)


# --- Slack's side: the fake Web API and the load generator ---------------------------------------------------


class Caller:
    def __init__(self, http: aiohttp.ClientSession, fake: FakeSlackApi, url: str) -> None:
        self.http, self.fake, self.url = http, fake, url
        self.keys = itertools.count()

    async def once(self, user: str, *, wait_reply: bool) -> tuple[float, float]:
        """(ack seconds, reply seconds); reply is 0 when not waited for."""
        key = f"k{next(self.keys)}"
        body = command_body("status", user_id=user, response_url=self.fake.response_url(key))
        headers = signed_headers(body, SECRET)
        reply = self.fake.expect(key) if wait_reply else None
        start = time.perf_counter()
        async with self.http.post(self.url, data=body.encode(), headers=headers) as resp:
            await resp.read()
            assert resp.status == 200, resp.status
        acked = time.perf_counter() - start
        if reply is None:
            return acked, 0.0
        msg = await asyncio.wait_for(reply, 30)
        assert "TD-CEU status" in str(msg.get("text")), msg
        return acked, time.perf_counter() - start


def users() -> list[str]:
    return [f"U{i:05d}" for i in range(0, 13_000, 13_000 // USERS)][:USERS]


async def sequential(caller: Caller, *, wait_reply: bool, n: int = SEQUENTIAL) -> tuple[list[float], list[float]]:
    acks: list[float] = []
    replies: list[float] = []
    for user in itertools.islice(itertools.cycle(users()), n):
        a, r = await caller.once(user, wait_reply=wait_reply)
        acks.append(a)
        replies.append(r)
    return acks, replies


async def concurrent(caller: Caller, *, wait_reply: bool) -> tuple[list[float], list[float]]:
    todo = iter(itertools.islice(itertools.cycle(users()), CONCURRENT_TOTAL))
    acks: list[float] = []
    replies: list[float] = []

    async def worker() -> None:
        for user in todo:
            a, r = await caller.once(user, wait_reply=wait_reply)
            acks.append(a)
            replies.append(r)

    await asyncio.gather(*(worker() for _ in range(IN_FLIGHT)))
    return acks, replies


def ms(samples: list[float], p: float) -> float:
    return percentile(samples, p) * 1000


def line(label: str, samples: list[float], bare_p50: float | None = None) -> str:
    p50 = statistics.median(samples) * 1000
    text = f"  {label:<32} p50 {p50:7.2f} ms  p99 {ms(samples, 99):7.2f} ms"
    return text + (f"  ratio to bare ack {p50 / bare_p50:.2f}x" if bare_p50 else "")


async def load(fake: FakeSlackApi, ports: dict[str, int]) -> None:
    http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=IN_FLIGHT * 2))
    try:
        c_ours, c_bare, c_default = (
            Caller(http, fake, f"http://127.0.0.1:{ports[name]}/slack/events")
            for name in ("ours", "bare", "bare_default")
        )
        await sequential(c_ours, wait_reply=True, n=USERS)  # every caller once: identities linked, caches warm
        await sequential(c_bare, wait_reply=False, n=100)
        await sequential(c_default, wait_reply=False, n=50)
        print(f"users.info calls while warming: {len(fake.calls_to('users.info'))} (one per new caller)")
        fake.reset_calls()

        bare_acks, _ = await sequential(c_bare, wait_reply=False)
        default_acks, _ = await sequential(c_default, wait_reply=False, n=200)
        our_acks, our_replies = await sequential(c_ours, wait_reply=True)
        bare_p50 = statistics.median(bare_acks) * 1000
        print(f"sequential, n={SEQUENTIAL}:")
        print(line("bare bolt ack (same mode)", bare_acks))
        print(line("bare bolt ack (bolt's default)", default_acks))
        print(line("/ceu status ack", our_acks, bare_p50))
        print(line("/ceu status full reply", our_replies, bare_p50))
        print(f"  Slack Web API calls during the measured status requests: {len(fake.calls_to('users.info'))}")

        bare_c, _ = await concurrent(c_bare, wait_reply=False)
        acks_c, replies_c = await concurrent(c_ours, wait_reply=True)
        print(f"{IN_FLIGHT} in flight, n={CONCURRENT_TOTAL}:")
        print(line("bare bolt ack", bare_c))
        print(line("/ceu status ack", acks_c))
        print(line("/ceu status full reply", replies_c))
    finally:
        await http.close()


async def run() -> None:
    print(f"machine: {machine()}")
    t0 = time.perf_counter()
    ds = cached_sqlite(CACHE)
    work = Path(tempfile.mkdtemp(prefix="ceu-bench-slack-"))
    db = work / "ceu.sqlite3"
    shutil.copy(CACHE, db)  # this bench links Slack identities: never touch the shared cache
    print(f"data: {ds.directors} directors x {ds.records} records ({time.perf_counter() - t0:.1f} s to prepare)")

    fake = FakeSlackApi()
    await fake.start()
    for user in users():
        fake.add_user(user, email_of(int(user[1:])))
    here, there = mp.get_context("spawn").Pipe()
    bot = mp.get_context("spawn").Process(
        target=bot_process, args=(there, fake.api_url, str(work), f"sqlite:///{db}"), name="ceu-bot"
    )
    loop = asyncio.get_running_loop()
    bot.start()
    try:
        ports = await loop.run_in_executor(None, here.recv)
        await load(fake, ports)
    finally:
        here.send("stop")
        await loop.run_in_executor(None, bot.join, 60)
        await fake.close()
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    asyncio.run(run())


if __name__ == "__main__":
    main()
