"""`ceu-bot manifest teams --app-id GUID --out app.zip`: the Teams app package (manifest.json with the bot's app id
substituted, color.png and outline.png), ready to upload in Teams' admin centre or "Upload a custom app"."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from typing import Any

import click

MANIFEST_DIR = Path(__file__).resolve().parent.parent / "manifest" / "teams"
ICONS = ("color.png", "outline.png")
GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")


def teams_manifest(app_id: str, version: str | None = None, source: Path = MANIFEST_DIR) -> dict[str, Any]:
    """The shipped manifest with `app_id` as the app id and the bot id (and an optional version)."""
    manifest: dict[str, Any] = json.loads((source / "manifest.json").read_text(encoding="utf-8"))
    manifest["id"] = app_id
    for bot in manifest.get("bots", []):
        bot["botId"] = app_id
    if version:
        manifest["version"] = version
    return manifest


def build_package(app_id: str, out: Path, version: str | None = None, source: Path = MANIFEST_DIR) -> Path:
    manifest = teams_manifest(app_id, version, source)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
        for icon in ICONS:
            zf.write(source / icon, icon)
    return out


@click.group("manifest")
def manifest() -> None:
    """Chat app manifests and packages."""


@manifest.command("teams")
@click.option("--app-id", required=True, help="The bot's Microsoft App ID (MICROSOFT_APP_ID, a GUID).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=Path("app.zip"), show_default=True)
@click.option("--version", "app_version", help="App version (semver) if not the manifest's.")
def teams(app_id: str, out: Path, app_version: str | None) -> None:
    """Build the Teams app package (manifest.json + icons) for the bot registration APP_ID."""
    app_id = app_id.strip()
    if not GUID.match(app_id):
        raise click.BadParameter(
            f"'{app_id}' is not a GUID like 0b5f6f5e-1111-4222-8333-444455556666", param_hint="--app-id"
        )
    if app_version is not None and not re.match(r"^\d+\.\d+\.\d+$", app_version):
        raise click.BadParameter(f"'{app_version}' is not a version like 1.2.0", param_hint="--version")
    missing = [n for n in ("manifest.json", *ICONS) if not (MANIFEST_DIR / n).is_file()]
    if missing:
        raise click.ClickException(f"{MANIFEST_DIR} lacks {', '.join(missing)}")
    path = build_package(app_id, out, app_version)
    click.echo(f"{path}: Teams app package for bot {app_id}")
