"""Settings from a .env file (in the current folder, or CEU_ENV_FILE), the environment winning over it; the data
folder made absolute once; and the operator's references kept complete: every setting of bot/settings.py is in
.env.example (with its true default) and in the README's settings table."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.settings import Settings
from tests.paths import REPO

ROOT = REPO
EXAMPLE = ROOT / ".env.example"
ALIASES = sorted(field.alias or name for name, field in Settings.model_fields.items())
EXAMPLE_LINE = re.compile(r"^# ?([A-Z][A-Z0-9_]+)=(.*)$")


def example_defaults() -> dict[str, str]:
    """NAME -> the default .env.example states (`# NAME=value` lines)."""
    found: dict[str, str] = {}
    for line in EXAMPLE.read_text(encoding="utf-8").splitlines():
        m = EXAMPLE_LINE.match(line)
        if m:
            found[m.group(1)] = m.group(2).strip()
    return found


def test_a_dotenv_in_the_current_folder_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CEU_ENV_FILE")
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("CEU_REMINDER_HOUR=7\nSLACK_REVIEW_CHANNEL=C0123ABCD\n")
    settings = Settings()
    assert (settings.reminder_hour, settings.slack_review_channel) == (7, "C0123ABCD")


def test_ceu_env_file_points_elsewhere_and_the_environment_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = tmp_path / "etc" / "ceu-bot.env"
    env.parent.mkdir()
    env.write_text("CEU_REMINDER_HOUR=7\nCEU_TIMEZONE=America/New_York\n")
    monkeypatch.setenv("CEU_ENV_FILE", str(env))
    monkeypatch.setenv("CEU_TIMEZONE", "America/Denver")
    settings = Settings()
    assert (settings.reminder_hour, settings.timezone) == (7, "America/Denver")


def test_an_empty_ceu_env_file_reads_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("CEU_REMINDER_HOUR=7\n")
    monkeypatch.setenv("CEU_ENV_FILE", "")
    assert Settings().reminder_hour == 9


def test_the_data_folder_is_made_absolute_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CEU_DATA_DIR", raising=False)
    default = Settings()
    monkeypatch.setenv("CEU_DATA_DIR", "var/ceu")
    relative = Settings()
    monkeypatch.chdir(ROOT)  # moving afterwards changes nothing
    assert default.data_dir == tmp_path / "data" and default.evidence_dir == tmp_path / "data" / "evidence"
    assert relative.data_dir == tmp_path / "var" / "ceu"
    assert relative.db_url == f"sqlite:///{(tmp_path / 'var' / 'ceu' / 'ceu.sqlite3').resolve()}"


def test_postgres_urls_are_read_as_postgresql_with_psycopg() -> None:
    for given in ("postgres://u:p@db.example.org/ceu", "postgresql://u:p@db.example.org/ceu"):
        assert Settings(CEU_DATABASE_URL=given).db_url == "postgresql+psycopg://u:p@db.example.org/ceu"


def test_env_example_lists_every_setting() -> None:
    missing = [name for name in ALIASES if name not in example_defaults()]
    assert not missing, f".env.example lacks {missing}"
    unknown = sorted(set(example_defaults()) - set(ALIASES) - {"CEU_ENV_FILE"})
    assert not unknown, f".env.example names settings bot/settings.py does not have: {unknown}"


def test_env_example_states_the_true_defaults(tmp_path: Path) -> None:
    """Uncommenting every `# NAME=default` line of .env.example changes nothing."""
    stated = {k: v for k, v in example_defaults().items() if k != "CEU_ENV_FILE"}
    env = tmp_path / "all-defaults.env"
    env.write_text("".join(f"{k}={v}\n" for k, v in stated.items() if v))
    loaded = Settings(_env_file=env)  # type: ignore[call-arg]
    defaults = Settings(_env_file=None)  # type: ignore[call-arg]
    assert loaded.model_dump() == defaults.model_dump()


def test_the_readme_table_lists_every_setting() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = "\n".join(line for line in readme.splitlines() if line.startswith("|"))
    missing = [name for name in ALIASES + ["CEU_ENV_FILE"] if f"`{name}`" not in table]
    assert not missing, f"the README's settings table lacks {missing}"
