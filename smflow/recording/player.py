"""vcrpy's Cassette with smflow's playback rules and an index, so big cassettes replay fast.

vcrpy finds a response by running every matcher against every recorded request (quadratic in
the cassette size) and serves each match once. smflow needs other rules, kept here:

- Requests are indexed by method, normalised path and query; only the bucket's bodies are
  compared (canonical XML), so a 10,000-interaction cassette replays in linear time.
- Reads (``GET``, which includes ``GET /<sub>/operations/<id>`` polls) are a **timeline**: the
  recorded answers are served in order, and once they run out the last one keeps being served,
  always from between the same two recorded writes as the replay stands (never an answer
  that the recording got after a change the replay has not made yet).
  A replay may poll more or fewer times than the recording (virtual time lets it poll once
  more before a deadline than the live run managed), and an operation that ended Succeeded or
  a resource that reached ReadyRole stays so.
- Writes (POST, PUT, DELETE...) are served each once, and in the recorded order: a flow that
  issues a create twice, skips one, or now swaps before it deletes fails with a drift error
  instead of replaying answers that belonged to another sequence of changes.
- When nothing matches, the miss is remembered with the call site (``locate()``) at that moment,
  for ``drift.py`` to explain once vcrpy's exception has come out of the run.
- A request that got no answer while recording (connection refused or dropped, timeout: vcrpy
  records nothing then) is recorded as a transport failure, and replaying it raises a connection
  error again, so the run retries, reads back and goes on exactly as it did live. (This relies
  on requests being sent one at a time, as the executor does.)
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from vcr.cassette import Cassette
from vcr.errors import UnhandledHTTPRequestError
from vcr.record_mode import RecordMode

from smflow.recording.matching import (
    RequestKey,
    XmlNode,
    body_matches,
    canonical_body,
    has_wildcard,
    key_matches,
    request_key,
)
from smflow.recording.scrub import PLACEHOLDER

__all__ = ["READS", "TRANSPORT_FAILURE", "Miss", "RecordedTransportError", "SmflowCassette"]

READS = frozenset({"GET", "HEAD"})
TRANSPORT_FAILURE = "x-smflow-transport-failure"  # header of a recorded "no answer"


class RecordedTransportError(ConnectionResetError):
    """Replays a request that got no answer when it was recorded (urllib3 and requests turn it
    into a connection error, as they did live)."""


@dataclass(frozen=True)
class Miss:
    """A request the cassette could not answer, and where in the flow it was sent from."""

    request: Any
    location: str | None


class SmflowCassette(Cassette):  # type: ignore[misc]  # vcrpy is untyped
    """A cassette that plays by smflow's rules (see the module docstring)."""

    locate: Callable[[], str | None] = staticmethod(lambda: None)
    flow: str | None = None  # the recorded flow (cassette meta), for the re-record hint
    secrets: Collection[str] = ()  # the replaying run's secret values, masked in drift messages
    complete: bool = True  # False: the recorded run raised, and the cassette stops there

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Recorded requests by (key, canonical body) for exact hits, and by key alone for the
        # few whose body holds a scrub placeholder (a wildcard: compared one by one).
        self._exact: dict[tuple[RequestKey, XmlNode | bytes], list[int]] = {}
        self._wild: dict[RequestKey, list[int]] = {}
        # And those whose path or query holds one (a secret in a name): matched segment by segment.
        self._wild_keys: list[tuple[RequestKey, int]] = []
        self._indexed = 0  # how many of self.data are indexed (recording appends more)
        self._writes: list[int] = []  # recorded writes, in order
        self._write_pos = 0  # position in _writes of the first unplayed one
        self._last_pick: tuple[Any, int | None] = (None, None)
        self._cursor: dict[int, int] = {}  # id(candidate list) -> first position maybe unplayed
        self._in_flight: Any = None  # recording: the request sent and not answered yet
        self.misses: list[Miss] = []

    # -- lookup -------------------------------------------------------------------------------
    def _index(self) -> None:
        marker = PLACEHOLDER.encode()
        while self._indexed < len(self.data):
            stored = self.data[self._indexed][0]
            key = request_key(stored.method, stored.uri)
            body = stored.body
            if has_wildcard(key):
                self._wild_keys.append((key, self._indexed))
            elif isinstance(body, bytes) and marker in body:
                self._wild.setdefault(key, []).append(self._indexed)
            else:
                self._exact.setdefault((key, canonical_body(body)), []).append(self._indexed)
            if key.method not in READS:
                self._writes.append(self._indexed)
            self._indexed += 1

    def next_write(self) -> int | None:
        """The index of the first recorded write not replayed yet (the only one that may be)."""
        self._index()
        while self._write_pos < len(self._writes) and self.play_counts[self._writes[self._write_pos]] > 0:
            self._write_pos += 1
        return self._writes[self._write_pos] if self._write_pos < len(self._writes) else None

    def _candidates(self, request: Any, key: RequestKey) -> list[int]:
        self._index()
        exact = self._exact.get((key, canonical_body(request.body)), [])
        wild = [i for i in self._wild.get(key, ()) if body_matches(self.data[i][0].body, request.body)]
        if self._wild_keys:
            wild += [i for recorded, i in self._wild_keys
                     if key_matches(recorded, key) and body_matches(self.data[i][0].body, request.body)]
        return sorted(exact + wild) if wild else exact

    def _pick(self, request: Any) -> int | None:
        """The index of the recorded interaction that answers ``request``, or None."""
        if self._last_pick[0] is request:
            return self._last_pick[1]
        key = request_key(request.method, request.uri)
        candidates = self._candidates(request, key)
        if key.method in READS:
            number = self._pick_read(candidates)
        else:
            number = next((n for n in candidates if self.play_counts[n] == 0), None)
            if number is not None and number != self.next_write() and not self.allow_playback_repeats:
                number = None  # recorded, but later: another write comes first
        self._last_pick = (request, number)
        return number

    def _pick_read(self, candidates: list[int]) -> int | None:
        """A read is answered from where the replay stands between the recording's writes: the
        next recorded answer after the last replayed write, or the last one before the next write
        once they run out. An answer from across a write would be another state of the world."""
        upper = self.next_write()
        upper = len(self.data) if upper is None else upper
        lower = self._writes[self._write_pos - 1] if self._write_pos > 0 else -1
        low, high = bisect_right(candidates, lower), bisect_left(candidates, upper)
        if low == high:
            return None
        start = max(low, self._cursor.get(id(candidates), 0))  # polls: don't rescan the played ones
        for position in range(start, high):
            if self.play_counts[candidates[position]] == 0:
                self._cursor[id(candidates)] = position
                return candidates[position]
        return candidates[high - 1]  # the timeline ran out: the last state holds

    # -- vcrpy's playback interface -----------------------------------------------------------------
    def can_play_response_for(self, request: Any) -> bool:
        if self.record_mode == RecordMode.ALL:
            self._sending(request)
            return False
        if not (self.rewound or self.allow_playback_repeats):
            return False
        if self._pick(request) is not None:
            return True
        if self.write_protected:
            self.misses.append(Miss(request, self.locate()))
        return False

    def play_response(self, request: Any) -> Any:
        number = self._pick(request)
        if number is None:
            raise UnhandledHTTPRequestError(f"The cassette ({self._path!r}) doesn't contain the request ({request!r})")
        self.play_counts[number] += 1
        self._last_pick = (None, None)  # the next request (even the same object) picks afresh
        response = self.data[number][1]
        if TRANSPORT_FAILURE in response.get("headers", {}):
            raise RecordedTransportError(f"no answer when recorded: {response['status'].get('message', '')}")
        return response

    def __contains__(self, request: Any) -> bool:
        return self._pick(request) is not None

    # -- recording: requests that got no answer ------------------------------------------------------
    def _sending(self, request: Any) -> None:
        """vcrpy asks whether it can play ``request`` just before sending it for real: a previous
        request still in flight then never got its answer appended, so it failed."""
        if self._in_flight is not None and self._in_flight is not request:
            self.record_unanswered()
        self._in_flight = request

    def append(self, request: Any, response: Any) -> None:
        if request is self._in_flight:
            self._in_flight = None
        if self.record_mode == RecordMode.NONE:
            # Loading for replay: the dicts were just parsed for this cassette alone, and replay
            # has no record filters, so vcrpy's defensive deep copy (a third of a big load) is moot.
            self.data.append((request, response))
            return
        super().append(request, response)

    def record_unanswered(self) -> None:
        """Record the request in flight as a transport failure (at the latest when recording ends)."""
        request, self._in_flight = self._in_flight, None
        if request is not None:
            failure = {"status": {"code": 599, "message": "no answer (connection failed or timed out)"},
                       "headers": {TRANSPORT_FAILURE: ["no answer"]}, "body": {"string": b""}}
            super().append(request, failure)
