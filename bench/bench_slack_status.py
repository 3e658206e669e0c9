"""Time-to-reply of `/ceu status` on Slack (issue 15), over 13,000 directors x 40 records: from sending a signed
slash command until the reply reaches Slack — the ack's own body when it carries the message, else the post to the
response_url arriving at a local recording server (bench/recorder.py).

The bot is a real `ceu-bot serve` subprocess (bench/served_bot.py) on a copy of the bench database; beside it, in
a process of their own (bench/floors.py), two bare slack-bolt apps: one acking with a fixed text (the floor the
targets are set against) and one acking empty and posting the text to the response_url. Each is measured
sequentially and with 50 requests in flight, in alternating rounds (a shared machine drifts); callers are known
(their identity linked in a warm-up pass), as in steady use. Prints p50/p99 of the reply, the ack's p99, errors
and lost replies, the ratios to the floor, the targets met or missed and the reference loop. Asserts nothing.
CEU_BENCH_PROFILE (bench/served_bot.py) profiles the bot's process.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import shutil
import tempfile
import time
from pathlib import Path

import aiohttp

from bench import reply_stats
from bench.data import TODAY, cached_sqlite, email_of
from bench.floors import FIXED, Floors
from bench.recorder import Recorder
from bench.reply_stats import LOST_AFTER, Run, Sample
from bench.served_bot import serving
from bench.timing import machine
from tests.slack_signing import SECRET, command_body, signed_headers

CACHE = Path(tempfile.gettempdir()) / "ceu-bench" / "ceu.sqlite3"
USERS = 500  # distinct callers sampled from the 13,000
SEQUENTIAL = 300  # per round
CONCURRENT = 1000  # per round
IN_FLIGHT = 50
ROUNDS = 2
BOT_TOKEN = "xoxb-test-token"


def users() -> list[str]:
    return [f"U{i:05d}" for i in range(0, 13_000, 13_000 // USERS)][:USERS]


class Slack:
    """Sends signed `/ceu status` commands to one app and times its reply."""

    def __init__(self, http: aiohttp.ClientSession, remote: Recorder, url: str, expected: str) -> None:
        self.http, self.remote, self.url, self.expected = http, remote, url, expected
        self.keys = itertools.count()

    async def once(self, user: str) -> Sample | str | None:
        key = f"{id(self)}-{next(self.keys)}"
        body = command_body("status", user_id=user, response_url=self.remote.response_url(key))
        headers = signed_headers(body, SECRET)
        posted = self.remote.expect(key)
        start = time.perf_counter()
        async with self.http.post(self.url, data=body.encode(), headers=headers) as resp:
            raw = await resp.read()
            acked = time.perf_counter() - start
            if resp.status != 200:
                self.remote.forget(key)
                return f"ack HTTP {resp.status}"
        carried = json.loads(raw) if raw.strip() else {}
        if carried.get("text") or carried.get("blocks"):
            self.remote.forget(key)
            return Sample(acked, acked) if self.expected in str(carried.get("text")) else f"ack text {raw[:80]!r}"
        try:
            message = await asyncio.wait_for(posted, LOST_AFTER)
        except TimeoutError:
            self.remote.forget(key)
            return None
        reply = message["_arrived"] - start
        return Sample(acked, reply) if self.expected in str(message.get("text")) else f"reply text {message!r:.80}"


async def measure(apps: dict[str, Slack]) -> dict[str, dict[str, Run]]:
    """{app: {"sequential": Run, "in flight": Run}}, rounds alternating between the apps."""
    runs: dict[str, dict[str, Run]] = {name: {} for name in apps}
    for mode in ("sequential", "in flight"):
        for _ in range(ROUNDS):
            for name, app in apps.items():
                if mode == "sequential":
                    run = await reply_stats.sequential(name, app.once, users(), SEQUENTIAL)
                else:
                    run = await reply_stats.in_flight(name, app.once, users(), CONCURRENT, IN_FLIGHT)
                merged = runs[name].setdefault(mode, Run(f"{name}, {mode}"))
                merged.samples += run.samples
                merged.errors += run.errors
                merged.lost += run.lost
    return runs


def report(runs: dict[str, dict[str, Run]], remote: Recorder) -> None:
    floor = runs["bare bolt, ack with text"]
    for mode in ("sequential", "in flight"):
        print(f"{mode} ({'1' if mode == 'sequential' else IN_FLIGHT} in flight):")
        for app in runs.values():
            print(app[mode].line(floor[mode]))
            if app[mode].errors:
                print(f"    errors: {app[mode].problems()}")
    print("targets (/ceu status vs bare bolt ack with text, same run):")
    print("\n".join(reply_stats.verdicts(runs["/ceu status"], floor)))
    print(
        f"Slack Web API calls while measuring: {remote.api_calls or 'none'}; replies after being counted lost: "
        f"{remote.arrived}"
    )


def bot_settings(work: Path, db: Path, remote: Recorder) -> dict[str, str]:
    return {
        "CEU_ENV_FILE": "",
        "CEU_DATA_DIR": str(work / "data"),
        "CEU_DATABASE_URL": f"sqlite:///{db}",
        "CEU_TODAY": TODAY.isoformat(),
        "CEU_SCHEDULER": "false",
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": remote.api_url,
        "SLACK_REVIEW_CHANNEL": "CREVIEW",
    }


async def run() -> None:
    print(f"machine: {machine()}")
    t0 = time.perf_counter()
    ds = cached_sqlite(CACHE)
    work = Path(tempfile.mkdtemp(prefix="ceu-bench-slack-"))
    db = work / "ceu.sqlite3"
    shutil.copy(CACHE, db)  # this bench links Slack identities: never touch the shared cache
    print(f"data: {ds.directors} directors x {ds.records} records ({time.perf_counter() - t0:.1f} s to prepare)")
    remote = await Recorder().start()
    remote.slack_users.update({u: email_of(int(u[1:])) for u in users()})
    floors = Floors(slack={"api_url": remote.api_url, "secret": SECRET, "token": BOT_TOKEN})
    http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=IN_FLIGHT * 2))
    try:
        async with serving(bot_settings(work, db, remote), work) as bot, floors as ports:
            apps = {
                "bare bolt, ack with text": Slack(
                    http, remote, f"http://127.0.0.1:{ports['bolt_text']}/slack/events", FIXED
                ),
                "bare bolt, ack empty + response_url": Slack(
                    http, remote, f"http://127.0.0.1:{ports['bolt_respond']}/slack/events", FIXED
                ),
                "/ceu status": Slack(http, remote, bot.url + "/slack/events", "TD-CEU status"),
            }
            warm = {name: await reply_stats.sequential(name, app.once, users(), USERS) for name, app in apps.items()}
            print(
                f"warm-up (every caller once; first sight links them): users.info calls {remote.api_calls}, "
                f"errors {sum(len(r.errors) for r in warm.values())}, lost {sum(r.lost for r in warm.values())}"
            )
            remote.api_calls.clear()
            report(await measure(apps), remote)
    finally:
        await http.close()
        await remote.close()
        shutil.rmtree(work, ignore_errors=True)
    print(f"reference loop after the run: {machine().rsplit(';', 1)[1].strip()}")


def main() -> None:
    asyncio.run(run())


if __name__ == "__main__":
    main()
