"""One access-log line per HTTP request, for the whole aiohttp app (/slack/events, /api/messages, /healthz,
/readyz, /evidence/...): a request id, the method and the route (its pattern, never the path with its query: an
evidence link's signature stays out), the status, the outcome and the time taken, and who asked as a platform id
only (`slack:U123`). No body, no header, no query string is ever written.

A route says more about its outcome with `note(request, outcome, who=...)` (Slack's front door: "refused:
timestamp stale"); otherwise the outcome follows the status. The id is in every log record written while the
request runs (bot/logs.request_id), and in the `X-Request-Id` response header.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time

from aiohttp import web
from aiohttp.typedefs import Handler

from bot.logs import request_id

log = logging.getLogger("ceu.access")
OUTCOME = web.RequestKey("ceu_outcome", str)
WHO = web.RequestKey("ceu_who", str)
RID = web.RequestKey("ceu_request_id", str)
QUIET_STATUSES = (404, 405)  # scanners: INFO, not WARNING


def note(request: web.Request, outcome: str, *, who: str = "") -> None:
    """Say what became of a request (short, no user content), and who sent it (a platform id), for its line."""
    request[OUTCOME] = outcome
    if who:
        request[WHO] = who


@web.middleware
async def access_log(request: web.Request, handler: Handler) -> web.StreamResponse:
    rid = os.urandom(6).hex()  # 12 hex digits, as random as uuid4's first twelve
    request[RID] = rid
    token = request_id.set(rid)
    start = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    except asyncio.CancelledError:
        status = 499  # the client went away first
        request[OUTCOME] = "cancelled"
        raise
    except Exception:
        log.exception("unhandled error in %s %s", request.method, _route(request))
        request[OUTCOME] = "error"
        return web.json_response({"error": "internal error", "request_id": rid}, status=500)
    finally:
        _line(request, status, (time.perf_counter() - start) * 1000)
        request_id.reset(token)


async def add_request_id(request: web.Request, response: web.StreamResponse) -> None:
    """on_response_prepare: the request id in the answer's headers (for a support question)."""
    rid = request.get(RID)
    if rid:
        response.headers["X-Request-Id"] = rid


def _line(request: web.Request, status: int, ms: float) -> None:
    outcome = request.get(OUTCOME) or _outcome(status)
    route = _route(request)
    who = request.get(WHO, "")
    level = logging.INFO if status < 400 or status in QUIET_STATUSES else logging.WARNING
    if status >= 500:
        level = logging.ERROR
    fields = {"method": request.method, "route": route, "status": status, "outcome": outcome,
              "duration_ms": round(ms, 1), "who": who}  # fmt: skip
    by = f" by {who}" if who else ""
    log.log(level, "%s %s %s %s%s %.1f ms", request.method, route, status, outcome, by, ms, extra=fields)


def _outcome(status: int) -> str:
    if status < 400:
        return "ok"
    if status in QUIET_STATUSES:
        return "no such route"
    return "refused" if status < 500 else "error"


def _route(request: web.Request) -> str:
    """The matched route's pattern (`/evidence/{sha256}`); an unmatched path itself, cut short."""
    resource = request.match_info.route.resource
    if resource is not None:
        return resource.canonical
    return request.path[:80]
