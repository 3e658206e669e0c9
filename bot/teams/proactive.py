"""The proactive side of Teams in one place: the Bot Framework authentication, the CloudAdapter and the
TeamsNotifier built on them. The server (bot/teams/mount.py) and a sweep outside it (`ceu-bot remind`, through
bot/scheduler.py) both build their notifier here, so botbuilder stays inside bot/teams/."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from botbuilder.integration.aiohttp import CloudAdapter
from botframework.connector.auth import BotFrameworkAuthentication

from bot.settings import Settings
from bot.teams.auth import TeamsMode, build_authentication, teams_mode
from bot.teams.notifier import TeamsNotifier
from handlers.context import Context


@dataclass(frozen=True)
class Proactive:
    auth: BotFrameworkAuthentication
    adapter: CloudAdapter
    notifier: TeamsNotifier


def build_proactive(settings: Settings, contexts: Callable[[], Context], mode: TeamsMode) -> Proactive:
    """Authentication, adapter and notifier for `mode` (ON or DEV; the app id only when ON)."""
    auth = build_authentication(settings, mode)
    adapter = CloudAdapter(auth)
    notifier = TeamsNotifier(
        adapter,
        contexts,
        app_id=settings.microsoft_app_id if mode is TeamsMode.ON else "",
        tenant_id=settings.microsoft_app_tenant_id,
        service_url=settings.teams_service_url,
        review_channel=settings.teams_review_channel,
    )
    return Proactive(auth, adapter, notifier)


def teams_notifier(settings: Settings, contexts: Callable[[], Context]) -> TeamsNotifier | None:
    """The notifier for a sweep outside the server: only with all three MICROSOFT_APP_* settings, else None."""
    if teams_mode(settings, dev=False) is not TeamsMode.ON:
        return None
    return build_proactive(settings, contexts, TeamsMode.ON).notifier
