"""`ceu-bot manifest`: the chat apps' manifests, shipped as package data in bot/manifest/.

- `manifest slack --url https://HOST [--out manifest.json]`: the Slack app manifest with the slash command, event
  and interactivity (and options load) request URLs at HOST/slack/events; `--socket-mode` instead: Socket Mode on,
  no request URLs (the bot connects out with SLACK_APP_TOKEN). Paste it into "Create an app -> From a manifest".
- `manifest teams --app-id GUID --out app.zip`: the Teams app package (manifest.json with the bot's app id
  substituted, color.png and outline.png), ready to upload in Teams' admin centre or "Upload a custom app".
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click
import yaml

MANIFEST_ROOT = Path(__file__).resolve().parent / "manifest"
MANIFEST_DIR = MANIFEST_ROOT / "teams"
SLACK_MANIFEST = MANIFEST_ROOT / "slack" / "manifest.yaml"
SLACK_EVENTS_PATH = "/slack/events"  # bot/slack/mount.EVENTS_PATH (not imported: that pulls in slack_bolt)
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


def shipped_slack_manifest(source: Path = SLACK_MANIFEST) -> dict[str, Any]:
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise click.ClickException(f"{source} is not a Slack app manifest")
    return data


def slack_manifest(url: str | None, *, socket_mode: bool = False, source: Path = SLACK_MANIFEST) -> dict[str, Any]:
    """The shipped Slack manifest for the bot at `url` (HTTP mode), or for Socket Mode (`url` None): every request
    URL is url + /slack/events, or absent."""
    manifest = shipped_slack_manifest(source)
    settings = manifest.setdefault("settings", {})
    events = settings.setdefault("event_subscriptions", {})
    interactivity = settings.setdefault("interactivity", {"is_enabled": True})
    commands = manifest.get("features", {}).get("slash_commands", [])
    settings["socket_mode_enabled"] = socket_mode
    if socket_mode or url is None:
        for part in (events, interactivity, *commands):
            part.pop("url", None)
            part.pop("request_url", None)
        interactivity.pop("message_menu_options_url", None)
        return manifest
    endpoint = url.rstrip("/") + SLACK_EVENTS_PATH
    events["request_url"] = endpoint
    interactivity["request_url"] = endpoint
    interactivity["message_menu_options_url"] = endpoint  # external selects' options load (bolt answers there too)
    for command in commands:
        command["url"] = endpoint
    return manifest


def public_url(value: str) -> str:
    """The bot's public base address: https, a host, no query or fragment (Slack calls only https URLs)."""
    parts = urlsplit(value.strip())
    if parts.scheme != "https" or not parts.hostname:
        raise click.BadParameter(f"'{value}' is not an https address like https://ceu.example.org", param_hint="--url")
    if parts.query or parts.fragment:
        raise click.BadParameter(f"'{value}' must not carry a query or a fragment", param_hint="--url")
    return f"https://{parts.netloc}{parts.path.rstrip('/')}"


@click.group("manifest")
def manifest() -> None:
    """Chat app manifests and packages."""


@manifest.command("slack")
@click.option("--url", help="The bot's public https address (requests go to URL/slack/events).")
@click.option("--socket-mode", is_flag=True, help="Socket Mode: no public URL (run with SLACK_APP_TOKEN).")
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="Write here (.json or .yaml); default: print."
)
def slack(url: str | None, socket_mode: bool, out: Path | None) -> None:
    """Build the Slack app manifest, for "Create New App -> From a manifest" at api.slack.com/apps."""
    if socket_mode == (url is not None):
        raise click.UsageError("give either --url https://HOST or --socket-mode")
    doc = slack_manifest(public_url(url) if url is not None else None, socket_mode=socket_mode)
    if out is not None and out.suffix.lower() in (".yaml", ".yml"):
        text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
    else:
        text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    if out is None:
        click.echo(text, nl=False)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    mode = "Socket Mode" if socket_mode else f"requests to {url and public_url(url)}{SLACK_EVENTS_PATH}"
    click.echo(f"{out}: Slack app manifest ({mode})")


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
