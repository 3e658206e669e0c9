"""The front door of POST /slack/events: a request is verified before anything parses its body.

Slack signs `v0:<timestamp>:<raw body>` with the app's signing secret (HMAC-SHA256, `X-Slack-Signature: v0=<hex>`).
Here, in this order, and nothing else happens to a request that fails a step:

1. the body is at most MAX_BODY bytes (413);
2. `X-Slack-Request-Timestamp` is an integer of ASCII digits within MAX_SKEW seconds of now, neither stale nor
   future, and `X-Slack-Signature` matches, compared in constant time (401);
3. only then the bytes are decoded (strict UTF-8) and parsed: JSON for events, a form for slash commands, a form
   with a JSON `payload` for interactivity; the result must be a JSON object (400).

`Refused` carries the HTTP status and a short reason for the access log; the reason never quotes the request.
(slack_sdk's SignatureVerifier raised on a non-integer timestamp, and bolt then ran its error handler with the
unverified body; that is why bolt no longer verifies requests itself: this module is the one check.)
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

MAX_BODY = 1024 * 1024  # Slack's payloads are a few KiB; a modal's state stays far below this
MAX_SKEW = 5 * 60  # seconds either side of now (Slack's own rule for replayed requests)
_TIMESTAMP = re.compile(r"[0-9]{1,12}")  # ASCII digits only: int() would also take " 12", "+12", "1_2", "١٢"
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"


class Refused(Exception):
    """A request that gets no further: its HTTP status and a short reason (for the log, not the caller)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def check_size(content_length: int | None) -> None:
    if content_length is not None and content_length > MAX_BODY:
        raise Refused(413, "body too large")


def check_signature(secret: str, headers: Mapping[str, str], raw: bytes, now: float) -> None:
    """Raise Refused(401) unless the request carries a fresh, valid Slack signature over exactly `raw`."""
    timestamp = headers.get("X-Slack-Request-Timestamp")
    signature = headers.get("X-Slack-Signature")
    if not timestamp or not signature:
        raise Refused(401, "signature headers missing")
    if not _TIMESTAMP.fullmatch(timestamp):
        raise Refused(401, "timestamp not an integer")
    skew = int(timestamp) - now
    if skew < -MAX_SKEW:
        raise Refused(401, "timestamp stale")
    if skew > MAX_SKEW:
        raise Refused(401, "timestamp in the future")
    if not _SIGNATURE.fullmatch(signature):
        raise Refused(401, "signature malformed")
    if not secret:
        raise Refused(401, "no signing secret configured")
    base = b"v0:" + timestamp.encode("ascii") + b":" + raw
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        raise Refused(401, "signature mismatch")


def parse_body(raw: bytes, content_type: str) -> dict[str, Any]:
    """The verified body as a dict: an event (JSON), a slash command (form) or an interaction (form `payload`)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(400, "body not UTF-8") from None
    if content_type == JSON:
        return _json_object(text, "body")
    if content_type != FORM:
        raise Refused(400, "unsupported content type")
    try:
        params = dict(parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text), errors="strict"))
    except (ValueError, UnicodeDecodeError):
        raise Refused(400, "form malformed") from None
    if "payload" in params:
        return _json_object(params["payload"], "payload")
    return params


def _json_object(text: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: nesting deeper than the parser's stack
        raise Refused(400, f"{what} not JSON") from None
    if not isinstance(value, dict):
        raise Refused(400, f"{what} not a JSON object")
    return value
