"""The house's layering, read from the code itself: every module of bot/, handlers/, storage/ and rules/ is parsed with
`ast` (imports inside functions and under TYPE_CHECKING included, relative imports resolved) and the import graph must
point one way only, `bot → handlers → storage → rules`; no chat SDK or web framework outside bot/; every botbuilder /
botframework import inside bot/teams/. A checker that cannot fail proves nothing, so it is also run on a small tree
that breaks each rule once."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.paths import REPO

LAYERS = ("rules", "storage", "handlers", "bot")  # each may import only those before it (and itself)
SDKS = ("slack_bolt", "slack_sdk", "botbuilder", "botframework", "aiohttp")  # only in bot/
TEAMS_SDKS = ("botbuilder", "botframework")  # only in bot/teams/


@dataclass(frozen=True)
class Edge:
    """`module` (a file of ours) imports `target` (a dotted name, ours or a library's)."""

    module: str
    path: Path
    target: str

    def __str__(self) -> str:
        return f"{self.path}: {self.module} imports {self.target}"


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(root: Path, path: Path) -> Iterator[str]:
    """Every dotted name the file imports, relative imports made absolute."""
    module = module_name(root, path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            # `from bot import app` may name a module: the package is imported either way, the name too if it is one
            if base:
                yield base
            yield from (f"{base}.{alias.name}" for alias in node.names if alias.name != "*")


def import_graph(root: Path) -> list[Edge]:
    edges: list[Edge] = []
    for top in LAYERS:
        for path in sorted((root / top).rglob("*.py")):
            module = module_name(root, path)
            rel = path.relative_to(root)
            edges.extend(Edge(module, rel, target) for target in sorted(set(imports_of(root, path))))
    return edges


def layer_of(name: str) -> int | None:
    top = name.split(".")[0]
    return LAYERS.index(top) if top in LAYERS else None


def violations(root: Path) -> list[str]:
    """Each import that breaks a rule of the house, as 'path: module imports target (why)'."""
    found: list[str] = []
    for edge in import_graph(root):
        source_layer, target_layer = layer_of(edge.module), layer_of(edge.target)
        top = edge.target.split(".")[0]
        if source_layer is not None and target_layer is not None and target_layer > source_layer:
            found.append(f"{edge} ({LAYERS[source_layer]} may not import {LAYERS[target_layer]})")
        if top in SDKS and not (edge.module == "bot" or edge.module.startswith("bot.")):
            found.append(f"{edge} (an SDK outside bot/)")
        if top in TEAMS_SDKS and not (edge.module + ".").startswith("bot.teams."):
            found.append(f"{edge} (botbuilder outside bot/teams/)")
    return found


def test_the_import_graph_points_one_way_and_sdks_stay_in_bot() -> None:
    assert violations(REPO) == []


def test_the_graph_is_read_from_every_module() -> None:
    """The checker sees what the house is built of (an empty graph would pass the test above)."""
    edges = import_graph(REPO)
    modules = {e.module for e in edges}
    assert {
        "rules.credit",
        "storage.db",
        "handlers.context",
        "bot.app",
        "bot.teams.notifier",
        "bot.slack.listeners",
    } <= modules
    targets = {(e.module, e.target) for e in edges}
    assert ("bot.scheduler", "bot.teams.proactive") in targets  # a lazy import inside a function is seen
    assert any(e.module.startswith("bot.teams.") and e.target.startswith("botbuilder") for e in edges)
    assert any(e.module.startswith("handlers.") and e.target.startswith("storage.") for e in edges)


BROKEN: dict[str, str] = {
    "rules/__init__.py": "",
    "rules/credit.py": "from storage.db import open_database\n",  # rules -> storage
    "storage/__init__.py": "",
    "storage/db.py": "def open_database() -> None:\n    from handlers import context\n",  # storage -> handlers, lazily
    "handlers/__init__.py": "",
    "handlers/context.py": "from bot import app\nimport slack_sdk\n",  # handlers -> bot, an SDK in the core
    "bot/__init__.py": "",
    "bot/app.py": "from botbuilder.core import TurnContext\nfrom .teams import bot\n",  # botbuilder outside bot/teams
    "bot/teams/__init__.py": "",
    "bot/teams/bot.py": "from botbuilder.core import ActivityHandler\nfrom handlers import context\nfrom . import x\n",
}


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    for name, text in BROKEN.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_the_checker_finds_each_kind_of_violation(broken: Path) -> None:
    found = violations(broken)
    assert found == [
        "rules/credit.py: rules.credit imports storage.db (rules may not import storage)",
        "rules/credit.py: rules.credit imports storage.db.open_database (rules may not import storage)",
        "storage/db.py: storage.db imports handlers (storage may not import handlers)",
        "storage/db.py: storage.db imports handlers.context (storage may not import handlers)",
        "handlers/context.py: handlers.context imports bot (handlers may not import bot)",
        "handlers/context.py: handlers.context imports bot.app (handlers may not import bot)",
        "handlers/context.py: handlers.context imports slack_sdk (an SDK outside bot/)",
        "bot/app.py: bot.app imports botbuilder.core (botbuilder outside bot/teams/)",
        "bot/app.py: bot.app imports botbuilder.core.TurnContext (botbuilder outside bot/teams/)",
    ]
