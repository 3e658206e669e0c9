"""errbot's one-liner for both platforms: `await ask(platform, who, text)` sends `text` as `who` through the real
server (a signed `/ceu` slash command on Slack, a Bot Framework message activity on Teams) and returns what that
person sees (tests.fakes.seen.Seen). Each platform's harness starts the first time a test asks on it, on a database
of its own seeded with tests.conftest's roster and catalog; the `ask` fixture (tests/conftest.py) hands it out.

    @pytest.mark.parametrize("platform", ["slack", "teams"])
    async def test_status(ask: Ask, platform: str) -> None:
        assert "TD-CEU status, FY2025" in await ask(platform, "td", "status")
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from pathlib import Path
from types import TracebackType

from tests.conftest import TODAY, seed_basic
from tests.fakes.seen import Seen
from tests.fakes.slack_harness import SlackBot, running_bot
from tests.fakes.teams_harness import Teams, running_teams

Ask = Callable[[str, str, str], Awaitable[Seen]]
PLATFORMS = ("slack", "teams")


class Chats:
    """The Slack and Teams harnesses of one test, each started on first use and closed on leaving."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.stack = AsyncExitStack()
        self._slack: SlackBot | None = None
        self._teams: Teams | None = None

    async def __aenter__(self) -> Chats:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stack.aclose()

    async def slack(self) -> SlackBot:
        if self._slack is None:
            folder = self.tmp_path / "slack"
            folder.mkdir()
            url = f"sqlite:///{folder / 'ceu.sqlite3'}"
            self._slack = await self.stack.enter_async_context(running_bot(folder, url, today=TODAY))
            seed_basic(self._slack.ctx())
        return self._slack

    async def teams(self) -> Teams:
        if self._teams is None:
            folder = self.tmp_path / "teams"
            folder.mkdir()
            self._teams = await self.stack.enter_async_context(running_teams(folder))
        return self._teams

    async def ask(self, platform: str, who: str, text: str) -> Seen:
        """`text` typed by `who` (a role of tests.fakes.seen.WHO) on `platform`; what they see in reply."""
        assert platform in PLATFORMS, platform
        if platform == "slack":
            return await (await self.slack()).ask(who, text)
        return await (await self.teams()).ask(who, text)
