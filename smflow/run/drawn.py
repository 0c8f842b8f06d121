"""Values a run draws from the world rather than from its flow: ``now()`` and ``uuid()``.

Why they are recorded: a flow that names a deployment ``format_time(now(), "%Y%m%d-%H%M")`` or
``"v-" + uuid()`` must get the same name back when it is resumed (or the resumed step would
read back, poll and create another deployment than the one in flight), and a replay must send
byte-identical requests (the cassette holds the recorded name). So every value drawn is
written to the journal (a ``drawn`` record) and kept for the cassette (``meta.drawn``), and a
resumed step or a replay gets the recorded ones back.

Keys: values are counted per scope (a step's name, ``(params)`` for param defaults, the
``on failure`` and ``undo of`` blocks) and per builtin: ``now#1``, ``uuid#2`` are the step's
first ``now()`` and second ``uuid()`` in this process. A resumed run re-runs a step from its
start, so it counts from one again and meets the same keys; a scope entered twice in one run
keeps counting, so no value is ever recorded under a key another already has. Two cases would
otherwise shift the count on resume:

- an assignment whose value the journal already holds is not evaluated again; each draw
  record names the bind it was made for, and skipping the bind skips its draws;
- a ``wait until`` condition polls as often as the service makes it, which differs between a
  run and its resume: draws in a condition are counted apart (``wait now#1``). On resume they
  are drawn afresh (a wait asks what time it is now); in a replay they come from the recording
  (the recorded poll timeline repeats), and a wait that polls more often than it did live (it
  timed out live after slow answers) reads the replay's virtual clock for the extra polls.

The ``on failure`` block and undo blocks evaluate afresh on resume (they act on the state as it
is when they run), and so do their draws; a replay gives them the recorded ones like the rest.

A replay that asks for a value the recording does not hold (the flow changed, or the cassette
was recorded by an smflow that did not record them) is a ``ReplayDriftError``: re-record it.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import Any, Protocol

from smflow.errors import ReplayDriftError

__all__ = ["PARAMS", "DrawnValues"]

PARAMS = "(params)"  # the scope of param defaults (no step has this name: it is not a string a step takes)


def _new_uuid() -> str:
    import uuid  # only in a flow that calls uuid(): it imports platform (about 3 ms of start-up)

    return str(uuid.uuid4())


class _Sink(Protocol):
    def append(self, kind: str, *, durable: bool = False, **fields: Any) -> None: ...


class DrawnValues:
    """The run's source of ``now()`` and ``uuid()`` (handed to the evaluator), its record of what
    it gave (``drawn``: scope -> key -> text, for the cassette), and its memory of a previous
    run's values (``recorded``, from the journal on resume or the cassette on replay)."""

    def __init__(self, clock_now: Callable[[], datetime], *,
                 recorded: Mapping[str, Mapping[str, str]] | None = None,
                 binds: Mapping[str, Mapping[str, Mapping[str, int]]] | None = None,
                 replay: bool = False, replay_recorded: bool = True) -> None:
        self.clock_now = clock_now  # fresh times (a replay's virtual clock for extra wait polls)
        self.recorded = recorded or {}
        self.binds = binds or {}  # scope -> bind key -> builtin -> how many draws it made
        self.replay = replay
        self.replay_recorded = replay_recorded  # False: a cassette from before values were recorded
        self.drawn: dict[str, dict[str, str]] = {}
        self.scope_of: Callable[[], str] = lambda: PARAMS
        self.resumable_of: Callable[[], bool] = lambda: True  # False: a block a resume runs afresh
        self._counts: Counter[tuple[str, str]] = Counter()
        # The iterations of a parallel for draw at once, each in its own step (its own scope):
        # what an assignment or a wait is drawing for is per thread, the counts under one lock.
        self._thread = threading.local()
        self._lock = threading.RLock()
        self._journal: _Sink | None = None
        self._pending: list[dict[str, Any]] = []

    @classmethod
    def from_journal(cls, clock_now: Callable[[], datetime],
                     records: Mapping[str, Mapping[str, tuple[str, str | None]]]) -> DrawnValues:
        """A resumed run's: ``records`` is ``JournalState.drawn`` (scope -> key -> (value, bind))."""
        binds: dict[str, dict[str, Counter[str]]] = {}
        for scope, keys in records.items():
            for key, (_, bind) in keys.items():
                if bind is not None and not key.startswith("wait "):
                    binds.setdefault(scope, {}).setdefault(bind, Counter())[key.partition("#")[0]] += 1
        recorded = {scope: {key: value for key, (value, _) in keys.items() if not key.startswith("wait ")}
                    for scope, keys in records.items()}
        return cls(clock_now, recorded=recorded, binds=binds)

    # -- what the evaluator calls ---------------------------------------------------------------

    def now(self) -> datetime:
        return datetime.fromisoformat(self._draw("now", lambda: self.clock_now().isoformat()))

    def uuid(self) -> str:
        return self._draw("uuid", _new_uuid)

    # -- what the executor tells it ---------------------------------------------------------------

    @property
    def _bind(self) -> str | None:
        bind: str | None = getattr(self._thread, "bind", None)
        return bind

    @property
    def _waiting(self) -> bool:
        return bool(getattr(self._thread, "waiting", False))

    @contextmanager
    def binding(self, key: str) -> Iterator[None]:
        """Draws made while the assignment with bind key ``key`` is evaluated belong to it."""
        saved, self._thread.bind = self._bind, key
        try:
            yield
        finally:
            self._thread.bind = saved

    def skip(self, key: str) -> None:
        """The assignment ``key`` took its journaled value: count the draws it made, unmade."""
        scope = self.scope_of()
        with self._lock:
            for builtin, n in self.binds.get(scope, {}).get(key, {}).items():
                self._counts[(scope, builtin)] += n

    @contextmanager
    def waiting(self) -> Iterator[None]:
        saved, self._thread.waiting = self._waiting, True
        try:
            yield
        finally:
            self._thread.waiting = saved

    def attach(self, journal: _Sink) -> None:
        """Journal what was drawn before the journal was open (param defaults), then each draw."""
        self._journal = journal
        pending, self._pending = self._pending, []
        for record in pending:
            journal.append("drawn", **record)

    # -- drawing ----------------------------------------------------------------------------------

    def _draw(self, builtin: str, fresh: Callable[[], str]) -> str:
        with self._lock:
            return self._draw_locked(builtin, fresh)

    def _draw_locked(self, builtin: str, fresh: Callable[[], str]) -> str:
        scope = self.scope_of()
        counter = ("wait " if self._waiting else "") + builtin
        self._counts[(scope, counter)] += 1
        n = self._counts[(scope, counter)]
        key = f"{counter}#{n}"
        recorded = self.recorded.get(scope, {}).get(key) if self.replay or self.resumable_of() else None
        if recorded is None:
            if self.replay and not (self._waiting and builtin == "now"):
                raise ReplayDriftError(self._drift(scope, builtin, n))
            value = fresh()
        else:
            value = recorded
        if recorded is None or self.replay:  # a resumed run's journal holds the recorded ones already
            record: dict[str, Any] = {"step": scope, "key": key, "value": value, "bind": self._bind}
            if self._journal is not None:
                self._journal.append("drawn", **record)
            else:
                self._pending.append(record)
        self.drawn.setdefault(scope, {})[key] = value
        return value

    def _drift(self, scope: str, builtin: str, n: int) -> str:
        where = "the param defaults" if scope == PARAMS else f"'{scope}'"
        if not self.replay_recorded:
            return (f"replay drift: {where} calls {builtin}(), but the cassette was recorded by an smflow that did "
                    f"not record now() and uuid() values; re-record it")
        had = sum(1 for key in self.recorded.get(scope, {}) if key.partition("#")[0] == builtin)
        return (f"replay drift: {where} asks for {builtin}() value #{n}, but the recording drew {had} there "
                f"(the flow changed since it was recorded? re-record it)")
