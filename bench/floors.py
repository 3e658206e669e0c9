"""The floors the bot is measured against, in a process of their own (as the bot has its own): bare apps that do
nothing but answer with a fixed text, each on its own port of 127.0.0.1.

- `bolt_text`: a slack-bolt AsyncApp (signature checked by bolt) whose /ceu listener acks with a fixed text: the
  reply travels in the ack's body.
- `bolt_respond`: the same app with bolt's defaults, acking empty and then posting the text to the response_url.
- `botbuilder`: a botbuilder ActivityHandler behind CloudAdapter.process that replies a fixed text to every message
  (the token checked against the same local OpenID keys; only its credential factory is ours, to fetch outbound
  tokens from the local token endpoint).
"""

from __future__ import annotations

import asyncio
import multiprocessing as mp
from multiprocessing.connection import Connection
from typing import Any

from aiohttp import web

FIXED = "TD-CEU status, FY2025: a fixed text from a bare app"


def bolt_app(api_url: str, secret: str, token: str, *, in_ack: bool) -> web.Application:
    from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    bolt = AsyncApp(
        client=AsyncWebClient(token=token, base_url=api_url), signing_secret=secret, process_before_response=in_ack
    )

    @bolt.command("/ceu")
    async def status(ack, respond) -> None:  # type: ignore[no-untyped-def]
        if in_ack:
            await ack(text=FIXED, response_type="ephemeral")
            return
        await ack()
        await respond(text=FIXED, response_type="ephemeral", replace_original=False)

    async def endpoint(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))

    app = web.Application()
    app.router.add_post("/slack/events", endpoint)
    return app


def botbuilder_app(teams: dict[str, str]) -> web.Application:
    from botbuilder.core import ActivityHandler, TurnContext
    from botbuilder.integration.aiohttp import CloudAdapter

    from bot.settings import Settings
    from bot.teams.auth import TeamsMode, build_authentication

    settings = Settings(_env_file=None, **teams)  # type: ignore[call-arg, arg-type]
    adapter = CloudAdapter(build_authentication(settings, TeamsMode.ON))

    class Fixed(ActivityHandler):
        async def on_message_activity(self, turn_context: TurnContext) -> None:
            await turn_context.send_activity(FIXED)

    bot = Fixed()

    async def messages(request: web.Request) -> web.Response:
        response = await adapter.process(request, bot)
        return response if response is not None else web.Response(status=200)

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    return app


async def _serve(conn: Connection, apps: dict[str, web.Application]) -> None:
    runners, ports = [], {}
    for name, app in apps.items():
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        runners.append(runner)
        ports[name] = runner.addresses[0][1]
    conn.send(ports)
    await asyncio.get_running_loop().run_in_executor(None, conn.recv)  # until the load generator is done
    for runner in runners:
        await runner.cleanup()


def floors_process(conn: Connection, slack: dict[str, str] | None, teams: dict[str, str] | None) -> None:
    apps: dict[str, web.Application] = {}
    if slack is not None:
        apps["bolt_text"] = bolt_app(**slack, in_ack=True)
        apps["bolt_respond"] = bolt_app(**slack, in_ack=False)
    if teams is not None:
        apps["botbuilder"] = botbuilder_app(teams)
    asyncio.run(_serve(conn, apps))


class Floors:
    """The floors' process: `async with Floors(slack=..., teams=...) as ports:` ({name: port})."""

    def __init__(self, *, slack: dict[str, str] | None = None, teams: dict[str, str] | None = None) -> None:
        ctx = mp.get_context("spawn")
        self.here, there = ctx.Pipe()
        self.proc = ctx.Process(target=floors_process, args=(there, slack, teams), name="bench-floors")

    async def __aenter__(self) -> dict[str, int]:
        self.proc.start()
        return await asyncio.get_running_loop().run_in_executor(None, self._ports)

    def _ports(self) -> dict[str, int]:
        if not self.here.poll(120):  # bounded: a floor that failed to start must not hang the bench
            raise RuntimeError(f"the floors' process did not start (exit code {self.proc.exitcode})")
        ports: dict[str, int] = self.here.recv()
        return ports

    async def __aexit__(self, *exc: Any) -> None:
        self.here.send("stop")
        await asyncio.get_running_loop().run_in_executor(None, self.proc.join, 60)
        if self.proc.is_alive():
            self.proc.kill()
