"""Built statuses kept by one process (a replica), keyed by (person, FY, today) and valid while the person's and
everyone's status versions (storage/status_version.py, bumped by database triggers on every write that changes
what a status shows) are the ones read before the status was built. Every request reads the versions first, so a
write on any replica is seen by the next status everywhere; what the cache saves is the reading of the records,
the rules and the rendering.

The platforms keep their rendering of a cached reply beside it (`rendered`): a Slack or Teams payload is built
once per version, not per request. Entries are never changed once stored (a renderer must not change what it is
given). Thread-safe; bounded (least recently used out first).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from handlers.reply import Reply

Key = tuple[int, int, date]  # person id, FY, today
Versions = tuple[int, int, int]  # the person's, everyone's, the generation (storage/status_version.py)
T = TypeVar("T")
SIZE = 4096


@dataclass
class Cached:
    versions: Versions
    reply: Reply
    renderings: dict[str, Any] = field(default_factory=dict)


class StatusCache:
    def __init__(self, size: int = SIZE) -> None:
        self.size = size
        self._entries: OrderedDict[Key, Cached] = OrderedDict()
        self._by_reply: dict[int, Cached] = {}  # id(reply) of every stored reply -> its entry
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Key, versions: Versions) -> Reply | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry.versions != versions:
                return None
            self._entries.move_to_end(key)
            return entry.reply

    def put(self, key: Key, versions: Versions, reply: Reply) -> Reply:
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._by_reply.pop(id(old.reply), None)
            entry = Cached(versions, reply)
            self._entries[key] = entry
            self._by_reply[id(reply)] = entry
            while len(self._entries) > self.size:
                _, dropped = self._entries.popitem(last=False)
                self._by_reply.pop(id(dropped.reply), None)
            return reply

    def rendered(self, reply: Reply, platform: str, render: Callable[[Reply], T]) -> T:
        """`render(reply)`, kept beside the reply when it is a cached one (rendered once per version)."""
        with self._lock:
            entry = self._by_reply.get(id(reply))
            if entry is not None and entry.reply is reply and platform in entry.renderings:
                found: T = entry.renderings[platform]
                return found
        out = render(reply)
        if entry is not None and entry.reply is reply:
            with self._lock:
                entry.renderings[platform] = out
        return out
