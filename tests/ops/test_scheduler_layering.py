"""The Teams notifier for a sweep outside the server comes from bot/teams/proactive.py, the same factory the server's
/api/messages uses (that bot/scheduler.py imports no botbuilder is part of tests/ops/test_layering.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from bot.settings import Settings
from bot.teams.notifier import TeamsNotifier
from bot.teams.proactive import teams_notifier
from handlers.context import Context
from tests.conftest import make_ctx
from tests.paths import REPO

ROOT = REPO


def test_the_teams_mount_builds_its_notifier_with_the_shared_factory() -> None:
    source = (ROOT / "bot" / "teams" / "mount.py").read_text(encoding="utf-8")
    assert "build_proactive(" in source
    assert "TeamsNotifier(" not in source and "CloudAdapter(" not in source


def _settings(tmp_path: Path, **values: Any) -> Settings:
    base: dict[str, Any] = {
        "CEU_DATA_DIR": str(tmp_path / "data"),
        "MICROSOFT_APP_ID": "",
        "MICROSOFT_APP_PASSWORD": "",
        "MICROSOFT_APP_TENANT_ID": "",
    }
    return Settings(_env_file=None, **(base | values))  # type: ignore[call-arg]


def test_the_sweep_gets_a_teams_notifier_only_with_all_three_settings(tmp_path: Path, engine: Engine) -> None:
    def contexts() -> Context:
        return make_ctx(engine, tmp_path)

    assert teams_notifier(_settings(tmp_path), contexts) is None
    assert teams_notifier(_settings(tmp_path, MICROSOFT_APP_ID="app", MICROSOFT_APP_PASSWORD="pw"), contexts) is None
    on = _settings(
        tmp_path,
        MICROSOFT_APP_ID="app",
        MICROSOFT_APP_PASSWORD="pw",
        MICROSOFT_APP_TENANT_ID="tenant",
        TEAMS_REVIEW_CHANNEL="19:review@thread.tacv2",
    )
    notifier = teams_notifier(on, contexts)
    assert isinstance(notifier, TeamsNotifier)
    assert (notifier.app_id, notifier.tenant_id, notifier.review_channel) == ("app", "tenant", "19:review@thread.tacv2")
