"""The Teams app manifest against the published v1.29 schema (offline, ../shared/schemas), its icons, its command
list against the bot's commands, and `ceu-bot manifest teams` building the package."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any, cast

import jsonschema
import pytest
from click.testing import CliRunner
from PIL import Image

from bot.cli import main
from bot.cli_manifest import MANIFEST_DIR
from handlers.commands import COMMANDS
from tests.paths import SHARED

SCHEMA = SHARED / "schemas" / "teams-app-manifest.schema.json"
APP_ID = "0b5f6f5e-1111-4222-8333-444455556666"


def manifest() -> dict[str, Any]:
    return dict(json.loads((MANIFEST_DIR / "manifest.json").read_text()))


def validate(doc: dict[str, Any]) -> None:
    if not SCHEMA.is_file():
        pytest.skip(f"the published Teams manifest schema is not at {SCHEMA} (../shared/schemas is absent)")
    schema = json.loads(SCHEMA.read_text())
    # not check_schema: the published schema has ECMA-only patterns (\p{L}) Python's re cannot compile, in
    # parts (extensions) this manifest does not use
    jsonschema.Draft4Validator(schema).validate(doc)


def test_manifest_is_valid_v1_29() -> None:
    doc = manifest()
    assert doc["$schema"] == "https://developer.microsoft.com/json-schemas/teams/v1.29/MicrosoftTeams.schema.json"
    assert doc["manifestVersion"] == "1.29"
    validate(doc)


def test_schema_check_can_fail() -> None:
    doc = manifest()
    doc["bots"][0]["scopes"] = ["everywhere"]
    with pytest.raises(jsonschema.ValidationError):
        validate(doc)


def test_bot_scopes_files_and_commands() -> None:
    (bot,) = manifest()["bots"]
    assert set(bot["scopes"]) == {"personal", "team"} and bot["supportsFiles"] is True
    personal = next(c for c in bot["commandLists"] if c["scopes"] == ["personal"])
    assert [c["title"] for c in personal["commands"]] == [c.name for c in COMMANDS]


def check_icons(color: bytes, outline: bytes) -> None:
    with Image.open(io.BytesIO(color)) as img:
        assert img.format == "PNG" and img.size == (192, 192)
    with Image.open(io.BytesIO(outline)) as img:
        assert img.format == "PNG" and img.size == (32, 32)
        rgba = img.convert("RGBA")
        pixels = cast(list[tuple[int, int, int, int]], list(rgba.get_flattened_data()))  # RGBA: 4 ints a pixel
        assert any(a == 0 for *_, a in pixels), "the outline icon needs a transparent background"
        assert all((r, g, b) == (255, 255, 255) for r, g, b, a in pixels if a), "the outline icon must be white"


def test_icons() -> None:
    check_icons((MANIFEST_DIR / "color.png").read_bytes(), (MANIFEST_DIR / "outline.png").read_bytes())


def test_cli_builds_the_package(tmp_path: Path) -> None:
    out = tmp_path / "pkg" / "app.zip"
    result = CliRunner().invoke(
        main, ["manifest", "teams", "--app-id", APP_ID, "--out", str(out), "--version", "1.2.3"]
    )
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as zf:
        assert sorted(zf.namelist()) == ["color.png", "manifest.json", "outline.png"]
        doc = json.loads(zf.read("manifest.json"))
        check_icons(zf.read("color.png"), zf.read("outline.png"))
    assert doc["id"] == APP_ID and doc["bots"][0]["botId"] == APP_ID and doc["version"] == "1.2.3"
    validate(doc)


@pytest.mark.parametrize("args", [["--app-id", "not-a-guid"], ["--app-id", APP_ID, "--version", "one"]])
def test_cli_refuses_bad_arguments(tmp_path: Path, args: list[str]) -> None:
    out = tmp_path / "app.zip"
    result = CliRunner().invoke(main, ["manifest", "teams", *args, "--out", str(out)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert not out.exists()
