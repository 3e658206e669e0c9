"""The bot as an operator installs it: a wheel built from the source, installed into a fresh venv outside the source
tree, its console script run from an unrelated folder: `--version`, `manifest teams`, `manifest slack` (the manifests
are package data) and `serve` up to a ready /readyz (migrations and policies come from the wheel too).

Offline and quick: the wheel is built without build isolation (the test venv's setuptools) and installed with
--no-deps; the fresh venv reaches the dependencies through a .pth line naming the test venv's site-packages (where
the project itself is only an editable-install hook, which a .pth-added folder does not run)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import time
import tomllib
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import pytest

from tests.paths import REPO, SHARED

ROOT = REPO
SOURCES = ("pyproject.toml", "README.md", "bot", "handlers", "storage", "rules")
SLACK_SCHEMA = SHARED / "schemas" / "slack-app-manifest.schema.1.0.0.json"
APP_ID = "0b5f6f5e-1111-4222-8333-444455556666"


@dataclass
class Installed:
    venv: Path
    home: Path  # an unrelated working folder, outside the source tree

    @property
    def script(self) -> Path:
        return self.venv / "bin" / "ceu-bot"

    def env(self, **extra: str) -> dict[str, str]:
        keep = {k: v for k, v in os.environ.items() if not k.startswith(("CEU_", "SLACK_", "MICROSOFT_", "TEAMS_"))}
        keep.pop("PYTHONPATH", None)
        return {**keep, "CEU_DATA_DIR": str(self.home / "data"), **extra}

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            [str(self.script), *args], cwd=self.home, env=self.env(), capture_output=True, text=True, timeout=120
        )
        assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr
        assert proc.returncode == 0, proc.stderr
        return proc


def _run(*cmd: str | Path, cwd: Path) -> None:
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"{cmd}: {proc.stdout}\n{proc.stderr}"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    base = tmp_path_factory.mktemp("wheel")
    src, dist, venv, home = base / "src", base / "dist", base / "venv", base / "home"
    for name in SOURCES:  # a copy: building writes build/ and *.egg-info beside the sources
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            src.mkdir(exist_ok=True)
            shutil.copy2(ROOT / name, src / name)
    pip = (sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input")
    _run(*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", dist, src, cwd=base)
    (wheel,) = dist.glob("td_ceu_bot-*.whl")
    _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=base)
    python = venv / "bin" / "python"
    _run(*pip, "--python", python, "install", "--no-deps", "--no-index", wheel, cwd=base)
    purelib = Path(
        subprocess.run(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    (purelib / "zz_test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    home.mkdir()
    yield Installed(venv, home)


def test_the_installed_package_is_the_wheel(installed: Installed) -> None:
    out = subprocess.run(
        [installed.venv / "bin" / "python", "-c", "import bot, storage; print(bot.__file__, storage.__file__)"],
        cwd=installed.home,
        env=installed.env(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert all(Path(p).is_relative_to(installed.venv) for p in out), out
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert installed.run("--version").stdout.strip() == f"ceu-bot, version {version}"


def test_manifest_teams_from_the_wheel(installed: Installed) -> None:
    installed.run("manifest", "teams", "--app-id", APP_ID, "--out", "app.zip")
    with zipfile.ZipFile(installed.home / "app.zip") as zf:
        assert sorted(zf.namelist()) == ["color.png", "manifest.json", "outline.png"]
        assert json.loads(zf.read("manifest.json"))["bots"][0]["botId"] == APP_ID


def test_manifest_slack_from_the_wheel(installed: Installed) -> None:
    installed.run("manifest", "slack", "--url", "https://ceu.example.org", "--out", "manifest.json")
    doc = json.loads((installed.home / "manifest.json").read_text())
    assert doc["settings"]["event_subscriptions"]["request_url"] == "https://ceu.example.org/slack/events"
    if SLACK_SCHEMA.is_file():
        jsonschema.validate(doc, json.loads(SLACK_SCHEMA.read_text()))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def readyz(port: int) -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return 0


def test_serve_from_the_wheel_becomes_ready(installed: Installed) -> None:
    port = free_port()
    log = installed.home / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [str(installed.script), "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=installed.home,
            env=installed.env(CEU_SCHEDULER="false"),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            status = 0
            for _ in range(240):  # at most ~2 minutes on a busy machine
                status = readyz(port)
                if status == 200 or proc.poll() is not None:
                    break
                time.sleep(0.5)
            assert status == 200, log.read_text()
        finally:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=30)
    text = log.read_text()
    assert "Traceback" not in text, text
    assert (installed.home / "data" / "ceu.sqlite3").is_file()
