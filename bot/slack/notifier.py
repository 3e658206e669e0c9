"""SlackNotifier: handlers.notify.Notifier over the Slack Web API (DMs, channel posts, in-place updates).

send_dm uses the DM channel stored with the person's Slack identity; otherwise users.lookupByEmail ->
conversations.open -> chat.postMessage, and the account and DM channel are stored for next time.
Never raises: the result is a Delivery, SENT, UNREACHABLE (no Slack account with that e-mail) or FAILED
(429 after the client's retries, 5xx, network trouble, any other API error) for the next sweep to retry.

Evidence: a review post whose Reply carries `data["evidence"]` (handlers.review: sha256, mime, name and size of
the stored file) gets that file, read through the evidence store (storage.evidence_store), uploaded into its
thread with files_upload_v2 (files:write), so reviewers see the certificate beside the buttons. Exactly once
per post: the upload is claimed in the reminder log (kind "evidence_upload", recipient "slack:<channel>:<ts>",
fy 0, step "submission:<id>") before it is made and marked sent after; a failed upload releases the claim and
is tried again when the post is next updated (the decision). A failed upload never fails the post. A post whose
file is (about to be) in its thread says so: "(file in this thread)" after the file's name, instead of the no-link
note; a failed first upload takes that back with one chat.update, and later updates say it once the file is there.

The reviewers' digest (handlers.payloads.Digest) links each waiting item to its review post with the permalink
chat.getPermalink gives for the stored channel and ts, asked when the digest is posted (nothing cached); an item
whose permalink cannot be had is listed without a link.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot.runner import off_loop
from bot.slack.blocks import message_payload
from handlers.notify import Delivery, DeliveryStatus, Recipient
from handlers.payloads import Digest, EvidenceRef, PostRef, ReviewItem
from handlers.reminders.text import with_item_links
from handlers.reply import Fact, Reply
from handlers.review import EVIDENCE_HEADING, NO_LINK_START
from storage.evidence_store import EvidenceStore
from storage.people import identities_of, link_identity
from storage.reminders import Key, claim, mark_failed, mark_sent, was_sent
from storage.tables import Person

PLATFORM = "slack"
UNREACHABLE_ERRORS = {"users_not_found", "user_not_found", "account_inactive", "user_disabled", "cannot_dm_bot"}
UPLOAD_KIND = "evidence_upload"
IN_THREAD = "(file in this thread)"
log = logging.getLogger("ceu.slack.notify")


class SlackNotifier:
    platform = PLATFORM

    def __init__(self, client: AsyncWebClient, engine: Engine, evidence: EvidenceStore) -> None:
        self.client = client
        self.engine = engine
        self.evidence = evidence

    # --- Notifier --------------------------------------------------------------------------------------------

    async def send_dm(self, recipient: Recipient, reply: Reply) -> Delivery:
        try:
            channel = self._stored_dm(recipient.person_id) or await self._open_dm(recipient)
            if channel is None:
                return Delivery(DeliveryStatus.UNREACHABLE, PLATFORM, error="users_not_found")
            resp = await self.client.chat_postMessage(channel=channel, **message_payload(reply))
            return Delivery(DeliveryStatus.SENT, PLATFORM, str(resp.get("ts", "")), str(resp.get("channel", channel)))
        except Exception as exc:  # a notifier reports, never raises
            return self._failure(exc)

    async def post_channel(self, channel: str, reply: Reply) -> Delivery:
        reply = await self.linked_digest(reply)
        shown = in_thread(reply) if _has_evidence(reply) else reply  # the upload follows
        try:
            resp = await self.client.chat_postMessage(channel=channel, **message_payload(shown))
        except Exception as exc:
            return self._failure(exc)
        sent = Delivery(DeliveryStatus.SENT, PLATFORM, str(resp.get("ts", "")), str(resp.get("channel", channel)))
        if shown is not reply and not await self.share_evidence(sent.channel, sent.message_id, reply):
            await self._update_quietly(sent.channel, sent.message_id, reply)  # no file in the thread after all
        return sent

    async def update_message(self, channel: str, message_id: str, reply: Reply) -> Delivery:
        key = _upload_key(channel, message_id, reply)
        shown = reply
        if key is not None and await off_loop(was_sent, self.engine, key):
            shown = in_thread(reply)
        try:
            resp = await self.client.chat_update(channel=channel, ts=message_id, **message_payload(shown))
        except Exception as exc:
            return self._failure(exc)
        if await self.share_evidence(channel, message_id, reply):  # only if an earlier upload into it failed
            await self._update_quietly(channel, message_id, in_thread(reply))
        return Delivery(DeliveryStatus.SENT, PLATFORM, str(resp.get("ts", message_id)), channel)

    # --- the reviewers' digest links to each waiting post -----------------------------------------------------

    async def linked_digest(self, reply: Reply) -> Reply:
        """A digest with a permalink (chat.getPermalink, asked each time it is sent: nothing kept across days) on
        each item whose post exists; an item whose link cannot be had stays without one."""
        digest = reply.payload_as(Digest)
        if digest is None or not digest.posts:
            return reply
        urls = [await self._permalink(post) if post is not None else None for post in digest.posts]
        return with_item_links(reply, urls)

    async def _permalink(self, post: PostRef) -> str | None:
        try:
            resp = await self.client.chat_getPermalink(channel=post.channel, message_ts=post.message_id)
        except Exception as exc:  # noqa: BLE001 - no link then, never an error to the reviewers
            error = exc.response.get("error") if isinstance(exc, SlackApiError) else type(exc).__name__
            log.info("slack: no permalink for %s/%s: %s", post.channel, post.message_id, error)
            return None
        url = str(resp.get("permalink") or "")
        return url if url.startswith("https://") else None

    # --- evidence in the review post's thread ----------------------------------------------------------------

    async def _update_quietly(self, channel: str, ts: str, reply: Reply) -> None:
        """Say in the post whether its file is in the thread after all (a failure leaves it to the next update)."""
        try:
            await self.client.chat_update(channel=channel, ts=ts, **message_payload(reply))
        except Exception as exc:  # a notifier never raises
            self._failure(exc)

    async def share_evidence(self, channel: str, ts: str, reply: Reply) -> bool:
        """Upload the reply's evidence file into the thread of message `ts`, once; True when uploaded now."""
        post = reply.payload_as(ReviewItem)
        evidence = post.evidence if post is not None else None
        key = _upload_key(channel, ts, reply)
        if post is None or evidence is None or key is None:
            return False
        item = f"{post.item_type}:{post.item_id}"
        try:
            if not await off_loop(claim, self.engine, key, None, datetime.now(UTC)):
                return False  # uploaded already (or another replica is uploading it right now)
        except Exception:  # a notifier never raises
            log.exception("slack: could not claim the evidence upload for %s", item)
            return False
        try:
            data = await off_loop(self.evidence.read, evidence.sha256, evidence.mime)
            if data is None:
                raise FileNotFoundError(f"evidence {evidence.sha256[:12]} is not in the store")
            name = evidence.name or "evidence"
            await self.client.files_upload_v2(
                channel=channel,
                thread_ts=ts,
                file=data,
                filename=name,
                title=f"Evidence: {name}",
                initial_comment=_upload_comment(item, evidence),
            )
        except Exception as exc:
            error = self._failure(exc).error
            log.warning("slack: could not upload the evidence of %s into %s/%s: %s", item, channel, ts, error)
            await off_loop(mark_failed, self.engine, key, error)
            return False
        await off_loop(mark_sent, self.engine, key, datetime.now(UTC))
        return True

    # --- helpers ---------------------------------------------------------------------------------------------

    def _stored_dm(self, person_id: int) -> str | None:
        with Session(self.engine) as session:
            for row in identities_of(session, person_id):
                if row.platform == PLATFORM and row.dm_channel:
                    return row.dm_channel
        return None

    async def _open_dm(self, recipient: Recipient) -> str | None:
        try:
            found = await self.client.users_lookupByEmail(email=recipient.email)
        except SlackApiError as exc:
            if exc.response.get("error") in UNREACHABLE_ERRORS:
                return None
            raise
        user_id = str((found.get("user") or {}).get("id", ""))
        if not user_id:
            return None
        opened = await self.client.conversations_open(users=user_id)
        channel = str((opened.get("channel") or {}).get("id", ""))
        self._remember(recipient.person_id, user_id, channel)
        return channel or None

    def _remember(self, person_id: int, user_id: str, channel: str) -> None:
        with Session(self.engine, expire_on_commit=False) as session:
            person = session.get(Person, person_id)
            if person is None:
                return
            link_identity(session, person, PLATFORM, user_id, dm_channel=channel or None)
            try:
                session.commit()
            except IntegrityError:
                session.rollback()

    def _failure(self, exc: Exception) -> Delivery:
        if isinstance(exc, SlackApiError):
            error = str(exc.response.get("error") or f"http {exc.response.status_code}")
            status = DeliveryStatus.UNREACHABLE if error in UNREACHABLE_ERRORS else DeliveryStatus.FAILED
            log.warning("slack delivery %s: %s (HTTP %s)", status.value, error, exc.response.status_code)
            return Delivery(status, PLATFORM, error=error)
        log.warning("slack delivery failed: %r", exc)
        return Delivery(DeliveryStatus.FAILED, PLATFORM, error=type(exc).__name__ + (f": {exc}" if str(exc) else ""))


def _has_evidence(reply: Reply) -> bool:
    post = reply.payload_as(ReviewItem)
    return post is not None and post.evidence is not None


def _upload_key(channel: str, ts: str, reply: Reply) -> Key | None:
    """The reminder-log key of the upload of `reply`'s evidence into the thread of `ts` (None: nothing to upload)."""
    post = reply.payload_as(ReviewItem)
    if post is None or post.evidence is None or not channel or not ts:
        return None
    item = f"{post.item_type}:{post.item_id}"
    return Key(UPLOAD_KIND, f"{PLATFORM}:{channel}:{ts}"[:254], 0, item[:40])


def in_thread(reply: Reply) -> Reply:
    """The review post once its file is in the thread: "(file in this thread)" after the file's name, and no note
    about how to get the file without a link."""
    sections = []
    for section in reply.sections:
        if section.heading == EVIDENCE_HEADING:
            facts = [
                Fact(f.label, f"{f.value} (file in this thread)") if f.label == "File" else f for f in section.facts
            ]
            text = "\n\n".join(p for p in section.text.split("\n\n") if not p.startswith(NO_LINK_START))
            section = replace(section, facts=facts, text=text)
        sections.append(section)
    return replace(reply, sections=sections)


def _upload_comment(item: str, evidence: EvidenceRef) -> str:
    kind, _, number = item.partition(":")
    sha = evidence.sha256[:12]
    return f"Evidence for {kind} #{number} (SHA-256 {sha}…)" if sha else f"Evidence for {kind} #{number}"
