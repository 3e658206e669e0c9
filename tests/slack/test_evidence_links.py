"""Signed, expiring evidence links over real HTTP: with CEU_PUBLIC_URL set the review message carries
/evidence/<sha256>?exp=&sig=, which the bot serves (200 with the bytes, type from the stored metadata, attachment
with a safe name); a tampered or expired link is 403, a file that is not stored 404, and without CEU_PUBLIC_URL
there are neither links nor the route."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from bot.evidence_link import LINKS_KEY, disposition, safe_filename
from storage.evidence import EvidenceLinks, link_key
from tests.conftest import TODAY, seed_basic
from tests.fakes.slack_harness import SlackBot, running_bot
from tests.slack.test_slack_workflow import MAX_BYTES, PDF, message_text, submit_and_post

PUBLIC = "https://ceu.example.org"
LINK = re.compile(r"https://ceu\.example\.org(/evidence/[0-9a-f]{64}\?exp=\d+&(?:amp;)?sig=[0-9a-f]{64})")


async def get(bot: SlackBot, path_and_query: str) -> tuple[int, bytes, dict[str, str]]:
    url = f"http://127.0.0.1:{bot.server.port}{path_and_query}"
    async with bot.http.get(url) as resp:
        return resp.status, await resp.read(), dict(resp.headers)


def links_of(bot: SlackBot) -> EvidenceLinks:
    return bot.server.app[LINKS_KEY]


async def test_review_link_serves_the_file_and_refuses_tampering(tmp_path: Path, sqlite_url: str) -> None:
    async with running_bot(
        tmp_path, sqlite_url, today=TODAY, CEU_EVIDENCE_MAX_BYTES=MAX_BYTES, CEU_PUBLIC_URL=PUBLIC + "/"
    ) as bot:
        seed_basic(bot.ctx())
        await submit_and_post(bot)
        [post] = bot.fake.calls_to("chat.postMessage")
        found = LINK.search(message_text(post))
        assert found, message_text(post)
        path = found.group(1).replace("&amp;", "&")

        status, body, headers = await get(bot, path)
        assert status == 200 and body == PDF
        assert headers["Content-Type"] == "application/pdf"
        assert headers["Content-Disposition"].startswith('attachment; filename="certificate.pdf"')
        assert headers["X-Content-Type-Options"] == "nosniff"

        sha = urlsplit(path).path.rsplit("/", 1)[1]
        exp = re.search(r"exp=(\d+)", path)
        assert exp is not None
        tampered_sig = path[:-1] + ("0" if path[-1] != "0" else "1")
        longer = path.replace(f"exp={exp.group(1)}", f"exp={int(exp.group(1)) + 86400}")
        other_sha = path.replace(sha, "0" * 64)
        for bad in (tampered_sig, longer, other_sha, f"/evidence/{sha}", f"/evidence/{sha}?exp=abc&sig=00"):
            status, body, _ = await get(bot, bad)
            assert status == 403, bad
            assert PDF not in body

        links = links_of(bot)
        expired = links.url(sha, datetime.now(UTC) - links.ttl - timedelta(seconds=5))
        assert (await get(bot, expired.removeprefix(PUBLIC)))[0] == 403

        unknown = links.url("ab" * 32, datetime.now(UTC))  # correctly signed, but nothing stored under it
        assert (await get(bot, unknown.removeprefix(PUBLIC)))[0] == 404

        # a file stored on disk but never attached to a submission is not served either
        assert (await get(bot, links.url("cd" * 32, datetime.now(UTC)).removeprefix(PUBLIC)))[0] == 404


async def test_without_public_url_no_link_and_no_route(tmp_path: Path, sqlite_url: str) -> None:
    async with running_bot(tmp_path, sqlite_url, today=TODAY, CEU_EVIDENCE_MAX_BYTES=MAX_BYTES) as bot:
        seed_basic(bot.ctx())
        await submit_and_post(bot)
        [post] = bot.fake.calls_to("chat.postMessage")
        assert "/evidence/" not in message_text(post)
        assert bot.ctx().links is None
        assert (await get(bot, "/evidence/" + "ab" * 32 + "?exp=1&sig=00"))[0] == 404


def test_key_from_secret_or_generated_once(tmp_path: Path) -> None:
    assert link_key(tmp_path, "s3cret") == link_key(tmp_path / "other", "s3cret") != link_key(tmp_path, "other")
    first = link_key(tmp_path / "data")
    assert len(first) == 32 and link_key(tmp_path / "data") == first
    assert (tmp_path / "data" / "evidence-link.key").stat().st_mode & 0o077 == 0
    assert link_key(tmp_path / "data2") != first


@pytest.mark.parametrize(
    ("name", "mime", "expected"),
    [
        ("certificate.pdf", "application/pdf", "certificate.pdf"),
        ('a"b\r\nSet-Cookie: x.pdf', "application/pdf", "a_bSet-Cookie_x.pdf"),
        ("../../etc/passwd", "image/png", "passwd.png"),
        ("Zertifikat_Müller.jpg", "image/jpeg", "Zertifikat_M_ller.jpg"),
        ("...", "application/pdf", "evidence.pdf"),
    ],
)
def test_download_name_is_safe(name: str, mime: str, expected: str) -> None:
    assert safe_filename(name, mime) == expected
    header = disposition(name, mime)
    assert header.startswith("attachment; ") and "\r" not in header and "\n" not in header


def test_signature_checks() -> None:
    now = datetime(2025, 3, 1, tzinfo=UTC)
    links = EvidenceLinks(PUBLIC, b"k" * 32, timedelta(days=1))
    url = links.url("ab" * 32, now)
    query = dict(p.split("=") for p in urlsplit(url).query.split("&"))
    assert links.valid("ab" * 32, query["exp"], query["sig"], now)
    assert links.valid("ab" * 32, query["exp"], query["sig"].upper(), now)
    assert not links.valid("ab" * 32, query["exp"], query["sig"], now + timedelta(days=2))
    assert not links.valid("AB" * 32, query["exp"], query["sig"], now)
    assert not EvidenceLinks(PUBLIC, b"j" * 32).valid("ab" * 32, query["exp"], query["sig"], now)
