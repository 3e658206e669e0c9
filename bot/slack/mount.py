"""Mounting Slack on the one aiohttp server: a slack-bolt AsyncApp at POST /slack/events (HTTP mode, requests
verified with SLACK_SIGNING_SECRET), or Socket Mode when SLACK_APP_TOKEN is set, or off with one log line.

The bolt app runs with process_before_response=True: each listener answers Slack at once and slow work runs
afterwards as a task of ours (bot/slack/surface.after_ack), so the HTTP answer never waits on that work.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp

from bot.slack.client import make_client
from bot.slack.listeners import register
from bot.slack.notifier import SlackNotifier
from bot.slack.surface import SlackSurface

if TYPE_CHECKING:
    from bot.app import Services

log = logging.getLogger("ceu.slack")
EVENTS_PATH = "/slack/events"
SLACK_KEY = web.AppKey("slack", SlackSurface)


def build_surface(services: Services, *, socket_mode: bool = False) -> SlackSurface:
    settings = services.settings
    client = make_client(settings)
    bolt = AsyncApp(
        name="ceu-bot",
        client=client,
        signing_secret=settings.slack_signing_secret,
        process_before_response=True,
        request_verification_enabled=not socket_mode,
        logger=logging.getLogger("ceu.slack.bolt"),
    )
    surface = SlackSurface(services, bolt, client, SlackNotifier(client, services.engine))
    register(surface)
    return surface


def slack_off_reason(services: Services) -> str | None:
    s = services.settings
    if not s.slack_bot_token:
        return "SLACK_BOT_TOKEN is not set"
    if not s.slack_app_token and not s.slack_signing_secret:
        return "neither SLACK_SIGNING_SECRET (HTTP mode) nor SLACK_APP_TOKEN (Socket Mode) is set"
    return None


def mount_slack(app: web.Application, services: Services) -> SlackSurface | None:
    """Add Slack to `app` (and return it), or log why it is off and return None."""
    reason = slack_off_reason(services)
    if reason is not None:
        log.warning("Slack is off: %s", reason)
        return None
    settings = services.settings
    socket_mode = bool(settings.slack_app_token)
    surface = build_surface(services, socket_mode=socket_mode)
    app[SLACK_KEY] = surface
    app.on_startup.append(lambda _: surface.start())
    app.on_cleanup.append(lambda _: surface.stop())
    if socket_mode:
        _socket_mode(app, surface, settings.slack_app_token)
        log.info("Slack is on: Socket Mode (Web API at %s)", surface.client.base_url)
        return surface

    async def slack_events(request: web.Request) -> web.Response:
        """Dispatch to bolt, send the ack in full, and only then start the work the listeners left for later
        (so that work never competes with the ack for the CPU)."""
        with surface.holding():
            bolt_request = await to_bolt_request(request)
            bolt_response = await surface.bolt.async_dispatch(bolt_request)
            response = await to_aiohttp_response(bolt_response)
            await response.prepare(request)
            await response.write_eof()
        return response

    app.router.add_post(EVENTS_PATH, slack_events)
    log.info("Slack is on: HTTP at %s (Web API at %s)", EVENTS_PATH, surface.client.base_url)
    return surface


def _socket_mode(app: web.Application, surface: SlackSurface, app_token: str) -> None:
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    handler = AsyncSocketModeHandler(surface.bolt, app_token, web_client=surface.client)

    async def start(_: web.Application) -> None:
        await handler.connect_async()

    async def stop(_: web.Application) -> None:
        await handler.close_async()

    app.on_startup.append(start)
    app.on_cleanup.append(stop)
