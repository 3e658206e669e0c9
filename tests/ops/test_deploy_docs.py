"""docs/deploy.md stays true: the README links it; every `ceu-bot` command it shows (and the systemd unit's
ExecStart) exists with the options it uses; the files it links exist; the unit passes `systemd-analyze verify`
(where that tool is installed); the Caddyfile it quotes is the shipped one and reaches the port the unit serves on.
What the commands do is tested where they are implemented (the files each step names)."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from tests.paths import REPO

ROOT = REPO
GUIDE = ROOT / "docs" / "deploy.md"
UNIT = ROOT / "docs" / "deploy" / "ceu-bot.service"
CADDYFILE = ROOT / "docs" / "deploy" / "Caddyfile"
INSTALLED_SCRIPT = "/opt/ceu-bot/venv/bin/ceu-bot"


def code_blocks(text: str) -> list[str]:
    return re.findall(r"^\s*```[a-z]*\n(.*?)^\s*```", text, flags=re.S | re.M)


def commands(text: str) -> list[list[str]]:
    """The arguments of each `ceu-bot ...` in the guide's code blocks (a line starting with ceu-bot, or a
    .../bin/ceu-bot anywhere in a line)."""
    found = []
    for block in code_blocks(text):
        for line in block.splitlines():
            words = shlex.split(line, comments=True)
            for i, word in enumerate(words):
                if (word == "ceu-bot" and i == 0) or word.endswith("/bin/ceu-bot"):
                    found.append(words[i + 1 :])
                    break
    return found


def exec_start() -> list[str]:
    (line,) = [x for x in UNIT.read_text().splitlines() if x.startswith("ExecStart=")]
    return shlex.split(line.removeprefix("ExecStart="))


def test_the_readme_links_the_guide() -> None:
    assert "(docs/deploy.md)" in (ROOT / "README.md").read_text()


def test_every_command_in_the_guide_exists_with_its_options() -> None:
    found = commands(GUIDE.read_text())
    assert len(found) >= 12, found
    shown = {" ".join(a for a in args[:2] if not a.startswith("-") and "/" not in a and "." not in a) for args in found}
    assert {
        "manifest slack",
        "manifest teams",
        "doctor",
        "import roster",
        "db backup",
        "db restore",
        "db upgrade",
    } <= shown
    for args in [*found, exec_start()[1:]]:
        result = CliRunner().invoke(main, [*args, "--help"])  # parses the command path and every option name
        assert result.exit_code == 0, f"ceu-bot {' '.join(args)}: {result.output}"
        assert "Usage: " in result.output or (args == ["--version"] and "version" in result.output)


def test_the_files_the_guide_links_exist() -> None:
    for target in re.findall(r"\]\((deploy/[^)]+)\)", GUIDE.read_text()):
        assert (GUIDE.parent / target).is_file(), target


def test_the_unit_runs_the_installed_serve() -> None:
    args = exec_start()
    assert args[0] == INSTALLED_SCRIPT and args[1] == "serve"
    assert "Environment=CEU_ENV_FILE=/etc/ceu-bot/ceu-bot.env" in UNIT.read_text()


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_the_unit_passes_systemd_analyze_verify(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("ceu-bot")  # the same command, where this test's venv has it
    unit = tmp_path / "ceu-bot.service"
    unit.write_text(UNIT.read_text().replace(INSTALLED_SCRIPT, str(script)))
    proc = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_quoted_caddyfile_is_the_shipped_one_and_reaches_the_unit() -> None:
    shipped = "\n".join(
        line for line in CADDYFILE.read_text().splitlines() if line.strip() and not line.strip().startswith("#")
    )
    quoted = [b.rstrip("\n") for b in code_blocks(GUIDE.read_text()) if b.startswith("ceu.example.org {")]
    assert quoted == [shipped]
    args = exec_start()
    host, port = args[args.index("--host") + 1], args[args.index("--port") + 1]
    assert f"reverse_proxy {host}:{port}" in shipped
