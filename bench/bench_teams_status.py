"""Time-to-reply of a Teams `status` message (issue 15), over 13,000 directors x 40 records: from posting a message
Activity (with a valid Bot Framework token) to our /api/messages until the reply activity reaches the Bot
Connector — a local recording server (bench/recorder.py) that is the activities' serviceUrl.

The bot is a real `ceu-bot serve` subprocess with Teams on (app id, password, tenant; tokens checked against a
local OpenID key set, tests/fakes/bot_connector.FakeEntraID, which also issues the bot's outbound tokens); beside
it, in a process of its own (bench/floors.py), a bare botbuilder bot replying a fixed text. Both are measured
sequentially and with 50 in flight, in alternating rounds; the callers are known (linked in a warm-up pass).
Prints p50/p99 of the reply, the ack's (HTTP answer's) p99, errors and lost replies, the ratios to the floor and
the targets met or missed. Asserts nothing.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

from bench import reply_stats
from bench.data import TODAY, cached_sqlite, email_of
from bench.floors import FIXED, Floors
from bench.recorder import Recorder
from bench.reply_stats import LOST_AFTER, Run, Sample
from bench.served_bot import serving
from bench.timing import machine
from tests.fakes.bot_connector import TENANT, FakeEntraID, message, user

CACHE = Path(tempfile.gettempdir()) / "ceu-bench" / "ceu.sqlite3"
USERS = 500
SEQUENTIAL = 300  # per round
CONCURRENT = 1000  # per round
IN_FLIGHT = 50
ROUNDS = 2
APP_ID = "00000000-0000-4000-8000-00000000b0b0"


def directors() -> list[int]:
    return list(range(0, 13_000, 13_000 // USERS))[:USERS]


def member(n: int) -> dict[str, Any]:
    who = user(n)
    return {
        "id": who.user_id,
        "name": who.name,
        "aadObjectId": who.aad_id,
        "email": email_of(n),
        "userPrincipalName": email_of(n),
        "tenantId": TENANT,
        "userRole": "user",
    }


def reply_text(activity: dict[str, Any]) -> str:
    cards = [a.get("content") or {} for a in activity.get("attachments") or []]
    return " ".join([str(activity.get("text") or ""), *(str(c.get("fallbackText") or "") for c in cards)])


class Teams:
    """Posts `status` message activities to one bot and times the reply activity."""

    def __init__(self, http: aiohttp.ClientSession, remote: Recorder, url: str, token: str, expected: str) -> None:
        self.http, self.remote, self.url, self.expected = http, remote, url, expected
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    async def once(self, who: str) -> Sample | str | None:
        n = int(who)
        activity = message(user(n), self.remote.base + "/", "status")
        key = activity["id"]  # the reply is posted to .../activities/{the message's id}
        posted = self.remote.expect(key)
        start = time.perf_counter()
        async with self.http.post(self.url, data=json.dumps(activity).encode(), headers=self.headers) as resp:
            await resp.read()
            acked = time.perf_counter() - start
            if resp.status not in (200, 201):  # botbuilder's own CloudAdapter.process answers 201
                self.remote.forget(key)
                return f"HTTP {resp.status}"
        try:
            reply = await asyncio.wait_for(posted, LOST_AFTER)
        except TimeoutError:
            self.remote.forget(key)
            return None
        if self.expected not in reply_text(reply):
            return f"reply {reply_text(reply)[:80]!r}"
        return Sample(acked, reply["_arrived"] - start)


async def measure(apps: dict[str, Teams]) -> dict[str, dict[str, Run]]:
    runs: dict[str, dict[str, Run]] = {name: {} for name in apps}
    users = [str(n) for n in directors()]
    for mode in ("sequential", "in flight"):
        for _ in range(ROUNDS):
            for name, app in apps.items():
                if mode == "sequential":
                    run = await reply_stats.sequential(name, app.once, users, SEQUENTIAL)
                else:
                    run = await reply_stats.in_flight(name, app.once, users, CONCURRENT, IN_FLIGHT)
                merged = runs[name].setdefault(mode, Run(f"{name}, {mode}"))
                merged.samples += run.samples
                merged.errors += run.errors
                merged.lost += run.lost
    return runs


def bot_settings(work: Path, db: Path, entra: FakeEntraID) -> dict[str, str]:
    return {
        "CEU_ENV_FILE": "",
        "CEU_DATA_DIR": str(work / "data"),
        "CEU_DATABASE_URL": f"sqlite:///{db}",
        "CEU_TODAY": TODAY.isoformat(),
        "CEU_SCHEDULER": "false",
        **teams_settings(entra),
    }


def teams_settings(entra: FakeEntraID) -> dict[str, str]:
    return {
        "MICROSOFT_APP_ID": APP_ID,
        "MICROSOFT_APP_PASSWORD": "bench-secret",
        "MICROSOFT_APP_TENANT_ID": TENANT,
        "TEAMS_OPENID_METADATA_URL": entra.metadata_url,
        "TEAMS_TOKEN_URL": entra.token_url,
    }


async def run() -> None:
    print(f"machine: {machine()}")
    t0 = time.perf_counter()
    ds = cached_sqlite(CACHE)
    work = Path(tempfile.mkdtemp(prefix="ceu-bench-teams-"))
    db = work / "ceu.sqlite3"
    shutil.copy(CACHE, db)  # this bench links Teams identities: never touch the shared cache
    print(f"data: {ds.directors} directors x {ds.records} records ({time.perf_counter() - t0:.1f} s to prepare)")
    remote = await Recorder().start()
    for n in directors():
        m = member(n)
        remote.teams_members[m["id"]] = remote.teams_members[m["aadObjectId"]] = m
    entra = FakeEntraID().start()
    token = entra.token(app_id=APP_ID, service_url=remote.base + "/")
    floors = Floors(teams=teams_settings(entra))
    http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=IN_FLIGHT * 2))
    try:
        async with serving(bot_settings(work, db, entra), work) as bot, floors as ports:
            apps = {
                "bare botbuilder, fixed text": Teams(
                    http, remote, f"http://127.0.0.1:{ports['botbuilder']}/api/messages", token, FIXED
                ),
                "status": Teams(http, remote, bot.url + "/api/messages", token, "TD-CEU status"),
            }
            users = [str(n) for n in directors()]
            warm = [await reply_stats.sequential(name, app.once, users, USERS) for name, app in apps.items()]
            print(
                f"warm-up (every caller once; first sight links them): errors {sum(len(r.errors) for r in warm)}, "
                f"lost {sum(r.lost for r in warm)}; {'; '.join(r.problems() for r in warm if r.errors)}"
            )
            runs = await measure(apps)
    finally:
        await http.close()
        await remote.close()
        entra.close()
        shutil.rmtree(work, ignore_errors=True)
    floor = runs["bare botbuilder, fixed text"]
    for mode in ("sequential", "in flight"):
        print(f"{mode} ({'1' if mode == 'sequential' else IN_FLIGHT} in flight):")
        for app in runs.values():
            print(app[mode].line(floor[mode]))
            if app[mode].errors:
                print(f"    errors: {app[mode].problems()}")
    print("targets (status vs bare botbuilder, same run):")
    print("\n".join(reply_stats.verdicts(runs["status"], floor)))
    print(f"reference loop after the run: {machine().rsplit(';', 1)[1].strip()}")


def main() -> None:
    asyncio.run(run())


if __name__ == "__main__":
    main()
