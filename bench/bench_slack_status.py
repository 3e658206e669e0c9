"""`/ceu status` through the real HTTP path (signed request -> aiohttp -> bolt signature check -> ack -> lazy
status -> respond to the response_url) over 13,000 directors x 40 records, beside a bare slack-bolt app that
only acks, measured in the same run and process, both mounted the same way (to_bolt_request / async_dispatch /
to_aiohttp_response, process_before_response=True; the bare app with bolt's default mode is shown too).

Figures: the ack (HTTP answer to Slack) and the full reply (until the ephemeral message reaches the fake
Slack's response_url), sequentially (p50, ratio to the bare ack) and with 50 requests in flight (p99).
The callers are already known (their Slack identity cached), as in steady use. Prints figures, asserts nothing.
"""

from __future__ import annotations

import asyncio
import itertools
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bench.data import TODAY, cached_sqlite, email_of
from bench.timing import machine, percentile
from bot.app import build_app, build_services
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.slack_harness import settings_for
from tests.slack_signing import SECRET, command_body, signed_headers

CACHE = Path(tempfile.gettempdir()) / "ceu-bench" / "ceu.sqlite3"
USERS = 500  # distinct callers sampled from the 13,000
SEQUENTIAL = 600
CONCURRENT_TOTAL = 2000
IN_FLIGHT = 50


def bare_app(fake: FakeSlackApi, *, process_before_response: bool) -> web.Application:
    bolt = AsyncApp(
        client=AsyncWebClient(token=fake.bot_token, base_url=fake.api_url),
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
    services = build_services(settings_for(work, f"sqlite:///{db}", fake.api_url, today=TODAY))
    ours = TestServer(build_app(services), host="127.0.0.1")
    bare = TestServer(bare_app(fake, process_before_response=True), host="127.0.0.1")
    bare_default = TestServer(bare_app(fake, process_before_response=False), host="127.0.0.1")
    for server in (ours, bare, bare_default):
        await server.start_server()
    http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=IN_FLIGHT * 2))
    try:
        c_ours = Caller(http, fake, f"http://127.0.0.1:{ours.port}/slack/events")
        c_bare = Caller(http, fake, f"http://127.0.0.1:{bare.port}/slack/events")
        c_default = Caller(http, fake, f"http://127.0.0.1:{bare_default.port}/slack/events")
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
        print(f"  bare bolt ack (same mode)       p50 {bare_p50:.2f} ms  p99 {ms(bare_acks, 99):.2f} ms")
        print(
            f"  bare bolt ack (bolt's default)  p50 {statistics.median(default_acks) * 1000:.2f} ms  "
            f"p99 {ms(default_acks, 99):.2f} ms"
        )
        our_ack_p50 = statistics.median(our_acks) * 1000
        our_reply_p50 = statistics.median(our_replies) * 1000
        print(
            f"  /ceu status ack                 p50 {our_ack_p50:.2f} ms  p99 {ms(our_acks, 99):.2f} ms  "
            f"ratio to bare ack {our_ack_p50 / bare_p50:.2f}x"
        )
        print(
            f"  /ceu status full reply          p50 {our_reply_p50:.2f} ms  p99 {ms(our_replies, 99):.2f} ms  "
            f"ratio to bare ack {our_reply_p50 / bare_p50:.2f}x"
        )
        print(f"  Slack Web API calls during the measured status requests: {len(fake.calls_to('users.info'))}")

        bare_c, _ = await concurrent(c_bare, wait_reply=False)
        acks_c, replies_c = await concurrent(c_ours, wait_reply=True)
        print(f"{IN_FLIGHT} in flight, n={CONCURRENT_TOTAL}:")
        print(f"  bare bolt ack                   p50 {ms(bare_c, 50):.2f} ms  p99 {ms(bare_c, 99):.2f} ms")
        print(f"  /ceu status ack                 p50 {ms(acks_c, 50):.2f} ms  p99 {ms(acks_c, 99):.2f} ms")
        print(f"  /ceu status full reply          p50 {ms(replies_c, 50):.2f} ms  p99 {ms(replies_c, 99):.2f} ms")
    finally:
        await http.close()
        for server in (ours, bare, bare_default):
            await server.close()
        await fake.close()
        services.engine.dispose()
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    asyncio.run(run())


if __name__ == "__main__":
    main()
