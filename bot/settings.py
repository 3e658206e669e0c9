"""Settings from the environment (SPEC §6), via pydantic-settings, and from a `.env` file: `.env` in the current
folder, or the file CEU_ENV_FILE names (CEU_ENV_FILE= empty: no file). The environment wins over the file.
.env.example lists every setting with its default and meaning (a test keeps it complete)."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from storage.db import default_url, normalise_url
from storage.evidence_store import default_kind

ENV_FILE_VARIABLE = "CEU_ENV_FILE"


def env_file() -> Path | None:
    """The .env file the settings read: CEU_ENV_FILE, else .env in the current folder; None when CEU_ENV_FILE=''."""
    value = os.environ.get(ENV_FILE_VARIABLE)
    if value is None:
        return Path(".env")
    return Path(value).expanduser() if value.strip() else None


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    if not TYPE_CHECKING:  # (pydantic's typed signature stays as it is for mypy)

        def __init__(self, **values: Any) -> None:
            values.setdefault("_env_file", env_file())  # read CEU_ENV_FILE now, not when this module was imported
            super().__init__(**values)

    # The data folder, made absolute once when the settings are read (a relative CEU_DATA_DIR, and the default
    # ./data, are taken from the folder the command starts in; `serve` and every admin command say which it is).
    data_dir: Path = Field(default=Path("data"), alias="CEU_DATA_DIR", validate_default=True)
    database_url: str = Field(default="", alias="CEU_DATABASE_URL")
    timezone: str = Field(default="America/Chicago", alias="CEU_TIMEZONE")
    evidence_max_bytes: int = Field(default=10 * 1024 * 1024, alias="CEU_EVIDENCE_MAX_BYTES")
    reminder_hour: int = Field(default=9, alias="CEU_REMINDER_HOUR")
    reminder_days: str = Field(default="mon-fri", alias="CEU_REMINDER_DAYS")
    scheduler: bool = Field(default=True, alias="CEU_SCHEDULER")  # false: `serve` runs no reminder sweep
    # false: this `serve` delivers no outbox rows (another replica does; what it decides waits for that one)
    outbox_delivery: bool = Field(default=True, alias="CEU_OUTBOX_DELIVERY")
    # The sweep's sends a minute over the whole Slack workspace / Teams tenant (one a second per channel, a DM being
    # its own channel; handlers/reminders/pacing.py). 300 a minute: 13,000 reminders in about 45 minutes.
    slack_messages_per_minute: int = Field(default=300, alias="CEU_SLACK_MESSAGES_PER_MINUTE")
    teams_messages_per_minute: int = Field(default=1200, alias="CEU_TEAMS_MESSAGES_PER_MINUTE")
    # A fixed "today" (tests, demos, benchmarks); unset in production, where today is the date in America/Chicago.
    today: date | None = Field(default=None, alias="CEU_TODAY")
    # The bot's public address (https://ceu.example.org): turns on signed, expiring evidence download links
    # (/evidence/<sha256>?exp=&sig=) in review messages. The key: CEU_EVIDENCE_LINK_SECRET, or one generated in
    # the data folder (evidence-link.key) when that is unset.
    public_url: str = Field(default="", alias="CEU_PUBLIC_URL")
    evidence_link_secret: str = Field(default="", alias="CEU_EVIDENCE_LINK_SECRET")
    evidence_link_days: int = Field(default=30, alias="CEU_EVIDENCE_LINK_DAYS")
    # Where evidence bytes live: "database" (rows every replica shares) or "files" (under CEU_DATA_DIR/evidence);
    # unset: the database on PostgreSQL, files on SQLite.
    evidence_store: str = Field(default="", alias="CEU_EVIDENCE_STORE")

    # Logs on stderr (bot/logs.py): text, or json (one object per line, for a log shipper); the level.
    log_format: str = Field(default="text", alias="CEU_LOG_FORMAT")
    log_level: str = Field(default="INFO", alias="CEU_LOG_LEVEL")

    slack_bot_token: str = Field(default="", alias="SLACK_BOT_TOKEN")
    slack_signing_secret: str = Field(default="", alias="SLACK_SIGNING_SECRET")
    slack_app_token: str = Field(default="", alias="SLACK_APP_TOKEN")
    slack_api_url: str = Field(default="https://slack.com/api/", alias="SLACK_API_URL")
    slack_review_channel: str = Field(default="", alias="SLACK_REVIEW_CHANNEL")
    slack_http_timeout: int = Field(default=10, alias="SLACK_HTTP_TIMEOUT")  # seconds, Web API and file downloads

    microsoft_app_id: str = Field(default="", alias="MICROSOFT_APP_ID")
    microsoft_app_password: str = Field(default="", alias="MICROSOFT_APP_PASSWORD")
    microsoft_app_tenant_id: str = Field(default="", alias="MICROSOFT_APP_TENANT_ID")
    teams_review_channel: str = Field(default="", alias="TEAMS_REVIEW_CHANNEL")
    teams_allowed_tenants: str = Field(default="", alias="TEAMS_ALLOWED_TENANTS")  # comma-separated tenant ids
    # Overrides of the Microsoft public cloud endpoints (sovereign clouds; the tests' local fakes):
    teams_openid_metadata_url: str = Field(default="", alias="TEAMS_OPENID_METADATA_URL")  # inbound token keys
    teams_token_url: str = Field(default="", alias="TEAMS_TOKEN_URL")  # outbound client-credentials tokens
    teams_service_url: str = Field(default="", alias="TEAMS_SERVICE_URL")  # Bot Connector for channel posts

    @field_validator("data_dir")
    @classmethod
    def _absolute_data_dir(cls, value: Path) -> Path:
        return value.expanduser().absolute()

    @property
    def db_url(self) -> str:
        """CEU_DATABASE_URL (postgres:// read as PostgreSQL) or the SQLite file in the data folder."""
        return normalise_url(self.database_url) if self.database_url else default_url(self.data_dir)

    @property
    def evidence_dir(self) -> Path:
        return self.data_dir / "evidence"

    @property
    def evidence_store_kind(self) -> str:
        return self.evidence_store.strip().lower() or default_kind(self.db_url)
