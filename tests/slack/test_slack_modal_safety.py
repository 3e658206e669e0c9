"""The submit modal is never wiped or answered late, downloads never go over plain http, and user text cannot
smuggle mentions or disguised links into the `text` fallback. Signed requests over HTTP into the real server,
with the fake Slack Web API (slowed down, rate-limited or answering nonsense where a test says so)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.slack.blocks import message_payload
from bot.slack.files import allowed_url
from handlers.reply import Fact, Reply, Section
from tests.conftest import TODAY, seed_basic
from tests.fakes.slack_harness import SlackBot, running_bot
from tests.slack.test_slack_workflow import MAX_BYTES, PDF, request_values, submissions, submit_values


@pytest.fixture
async def bot(tmp_path: Path, sqlite_url: str) -> AsyncIterator[SlackBot]:
    async with running_bot(tmp_path, sqlite_url, today=TODAY, CEU_EVIDENCE_MAX_BYTES=MAX_BYTES) as b:
        seed_basic(b.ctx())
        yield b


async def timed_submit(bot: SlackBot, user: str = "UTD") -> tuple[dict[str, object], bool]:
    """The modal's answer, and whether it came before any slowed Slack call could answer (it did not wait for it:
    an order of events, not a measured time)."""
    answer = await bot.submit_view("submit", submit_values(), user=user)
    assert answer.status == 200, answer.text
    return answer.json(), not bot.fake.delays_over


# --- review finding 6: any failure fetching the evidence is a field error, in time ---------------------------


async def test_slow_files_info_is_a_field_error_within_the_ack(bot: SlackBot) -> None:
    bot.fake.add_file("F1", PDF, name="certificate.pdf", mimetype="application/pdf")
    bot.fake.slow("files.info", 4.0)
    body, in_time = await timed_submit(bot)
    assert in_time  # answered while Slack was still slow: the ack never waits out a slow call
    assert body["response_action"] == "errors", body
    assert "evidence" in body["errors"]  # type: ignore[operator]
    assert len(bot.fake.calls_to("files.info")) == 1  # no retry in the ack path
    assert submissions(bot) == []


async def test_rate_limited_files_info_is_not_retried_in_the_ack(bot: SlackBot) -> None:
    bot.fake.add_file("F1", PDF, name="certificate.pdf", mimetype="application/pdf")
    bot.fake.rate_limit("files.info", times=1, retry_after=1)
    body, _ = await timed_submit(bot)
    assert body["response_action"] == "errors" and "could not fetch" in body["errors"]["evidence"]  # type: ignore[index]
    assert len(bot.fake.calls_to("files.info")) == 1  # the 429 is not waited out (retry_after=1) nor retried
    # the director presses Submit again: now it goes through
    body, _ = await timed_submit(bot)
    assert body["response_action"] == "update"
    assert len(submissions(bot)) == 1


async def test_nonsense_from_files_info_is_a_field_error_not_an_apology(bot: SlackBot) -> None:
    bot.fake.queue("files.info", body={"ok": True, "file": "not an object"})
    body, _ = await timed_submit(bot)
    assert body["response_action"] == "errors", body
    assert "could not fetch" in body["errors"]["evidence"]  # type: ignore[index]


async def test_network_failure_downloading_is_a_field_error(bot: SlackBot) -> None:
    bot.fake.add_file("F1", PDF, name="c.pdf", mimetype="application/pdf", redirect_to="http://127.0.0.1:9/gone")
    body, _ = await timed_submit(bot)
    assert body["response_action"] == "errors"
    assert "could not fetch" in body["errors"]["evidence"]  # type: ignore[index]


@pytest.mark.parametrize("trouble", ["error", "slow"])
async def test_slack_lookup_failure_in_a_modal_keeps_the_modal(bot: SlackBot, trouble: str) -> None:
    """users.info (first sight of the caller) failing or hanging: `errors`, not the modal replaced by "Sorry"."""
    bot.fake.add_file("F1", PDF, name="certificate.pdf", mimetype="application/pdf")
    if trouble == "error":
        bot.fake.fail("users.info", "fatal_error")
    else:
        bot.fake.slow("users.info", 4.0)
    body, in_time = await timed_submit(bot)
    assert in_time  # answered while Slack was still slow: the ack never waits out a slow call
    assert body["response_action"] == "errors", body
    [(field, message)] = body["errors"].items()  # type: ignore[attr-defined]
    assert field == "event" and "could not look you up" in message
    assert len(bot.fake.calls_to("users.info")) == 1
    assert submissions(bot) == []


async def test_lookup_failure_in_the_request_modal_too(bot: SlackBot) -> None:
    bot.fake.fail("users.info", "fatal_error")
    body = (await bot.submit_view("request", request_values(), user="USDE")).json()
    assert body["response_action"] == "errors" and "title" in body["errors"]


# --- review finding 10: evidence only over https (plain http only to loopback) ---------------------------------


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://files.slack.com/files-pri/T1-F1/cert.pdf", True),
        ("http://files.slack.com/files-pri/T1-F1/cert.pdf", False),
        ("http://127.0.0.1:8080/files/F1/c.pdf", True),
        ("http://[::1]:8080/files/F1/c.pdf", True),
        ("http://localhost/files/F1/c.pdf", True),
        ("http://127.0.0.1.evil.example/x", False),
        ("ftp://files.slack.com/x", False),
        ("https:///nohost", False),
    ],
)
def test_download_addresses(url: str, ok: bool) -> None:
    assert allowed_url(url) is ok


async def test_plain_http_file_address_is_refused_without_sending_the_token(bot: SlackBot) -> None:
    insecure = "http://files.example.org/files-pri/T1-F1/cert.pdf"
    bot.fake.queue(
        "files.info",
        body={"ok": True, "file": {"id": "F1", "name": "cert.pdf", "size": 100, "url_private_download": insecure}},
    )
    body, _ = await timed_submit(bot)
    assert body["response_action"] == "errors"
    assert "could not fetch cert.pdf" in body["errors"]["evidence"]  # type: ignore[index]
    assert bot.fake.file_downloads == [] and submissions(bot) == []


# --- review finding 9: the `text` fallback is escaped like the blocks ------------------------------------------


def test_fallback_text_cannot_mention_everyone_or_disguise_links() -> None:
    reply = Reply(
        title="<!channel> free pizza",
        sections=[Section(text="see <https://evil.example|alet.org>", facts=[Fact("Who", "<@U123> & co")])],
    )
    text = message_payload(reply)["text"]
    assert "<!channel>" not in text and "&lt;!channel&gt; free pizza" in text
    assert "<https://evil.example|alet.org>" not in text and "&lt;https://evil.example|alet.org&gt;" in text
    assert "<@U123>" not in text and "&amp; co" in text


async def test_request_title_with_a_mention_reaches_reviewers_escaped(bot: SlackBot) -> None:
    answer = await bot.submit_view("request", request_values(title="<!channel> free pizza"), user="USDE")
    assert answer.json()["response_action"] == "update"
    [post] = await bot.fake.wait_for("chat.postMessage")
    assert "<!channel>" not in post["text"] and "&lt;!channel&gt; free pizza" in post["text"]
    # blocks: mrkdwn escaped; only the header is plain_text, which Slack never parses for mentions
    for block in post["blocks"]:
        text = block.get("text") or {}
        assert "<!channel>" not in text.get("text", "") or text.get("type") == "plain_text", block
