"""smflow's playback rules: which recorded interaction answers a replayed request. No vcrpy here.

Both ways of replaying a cassette serve it by these rules, so they cannot drift apart: the
executor's ``CassetteTransport`` (``recording.transport``: ``smflow run --replay``, the pytest
plugin) and vcrpy's ``SmflowCassette`` (``recording.player``: code that sends through
``requests`` itself, such as Microsoft's SDK under ``replaying``).

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
  for ``drift.py`` to explain once the miss has come out of the run.
- A request that got no answer while recording (connection refused or dropped, timeout) is
  recorded as a transport failure, and replaying it raises ``RecordedTransportError``, so the
  run retries, reads back and goes on exactly as it did live. (This relies on requests being
  sent one at a time, as the executor does.)
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

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

__all__ = [
    "READS",
    "TRANSPORT_FAILURE",
    "Miss",
    "Playback",
    "RecordedRequest",
    "RecordedTransportError",
    "ReplayMiss",
    "interactions_of",
]

READS = frozenset({"GET", "HEAD"})
TRANSPORT_FAILURE = "x-smflow-transport-failure"  # header of a recorded "no answer"


class RecordedTransportError(ConnectionResetError):
    """Replays a request that got no answer when it was recorded (a connection error, as live)."""


class ReplayMiss(Exception):  # noqa: N818 - vcrpy's miss is not an "Error" either: drift.py translates both
    """A request the cassette cannot answer. Deliberately not a ``SmflowError``: like vcrpy's own
    miss it travels unchanged through the client, the retries and the executor, and the replay
    turns it into a ``ReplayDriftError`` (``drift.translate_misses``) as it ends."""

    def __init__(self, failed_request: Any) -> None:
        super().__init__("this request is not in the cassette")
        self.failed_request = failed_request


@dataclass(frozen=True)
class RecordedRequest:
    """A recorded (or replayed) request, as the rules and drift messages look at it: vcrpy's
    ``Request`` has the same attributes, so the rules take either."""

    method: str
    uri: str
    body: bytes | None = None
    headers: Mapping[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:  # the uri holds the subscription id (scrubbed, or the replay's own)
        return f"<Request ({self.method}) {request_key(self.method, self.uri).path}>"


@dataclass(frozen=True)
class Miss:
    """A request the cassette could not answer, and where in the flow it was sent from."""

    request: Any
    location: str | None


def interactions_of(interactions: list[dict[str, Any]]) -> list[tuple[RecordedRequest, dict[str, Any]]]:
    """The (request, response) pairs of a loaded cassette's interaction dicts, bodies as bytes
    (what vcrpy's ``Request`` and ``compat.convert_to_bytes`` make of them)."""
    out = []
    for interaction in interactions:
        request, response = interaction["request"], interaction["response"]
        body = request["body"]
        body_string = response["body"]["string"]
        if isinstance(body_string, str):
            response = {**response, "body": {**response["body"], "string": body_string.encode("utf-8")}}
        out.append((RecordedRequest(request["method"], request["uri"],
                                    body.encode("utf-8") if isinstance(body, str) else body, request["headers"]),
                    response))
    return out


class Playback:
    """One replay's state over a cassette's interactions (see the module docstring).

    ``data`` and ``play_counts`` may be shared with their owner (vcrpy's cassette appends to its
    list as it loads), hence taken by reference; ``data`` is indexed as it grows.
    """

    def __init__(self, data: list[tuple[Any, Any]], *, path: str, play_counts: Counter[int] | None = None,
                 allow_repeats: bool = False) -> None:
        self.data = data
        self.path = path
        self.play_counts: Counter[int] = Counter() if play_counts is None else play_counts
        self.allow_repeats = allow_repeats
        self.locate: Callable[[], str | None] = lambda: None
        self.flow: str | None = None  # the recorded flow (cassette meta), for the re-record hint
        self.secrets: Collection[str] = ()  # the replaying run's secret values, masked in drift messages
        self.complete = True  # False: the recorded run raised, and the cassette stops there
        self.misses: list[Miss] = []
        # Recorded requests by (key, canonical body) for exact hits, and by key alone for the
        # few whose body holds a scrub placeholder (a wildcard: compared one by one).
        self._exact: dict[tuple[RequestKey, XmlNode | bytes], list[int]] = {}
        self._wild: dict[RequestKey, list[int]] = {}
        # And those whose path or query holds one (a secret in a name): matched segment by segment.
        self._wild_keys: list[tuple[RequestKey, int]] = []
        self._indexed = 0  # how many of data are indexed (recording appends more)
        self._writes: list[int] = []  # recorded writes, in order
        self._write_pos = 0  # position in _writes of the first unplayed one
        self._last_pick: tuple[Any, int | None] = (None, None)
        self._cursor: dict[int, int] = {}  # id(candidate list) -> first position maybe unplayed

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

    def pick(self, request: Any) -> int | None:
        """The index of the recorded interaction that answers ``request``, or None."""
        if self._last_pick[0] is request:
            return self._last_pick[1]
        key = request_key(request.method, request.uri)
        candidates = self._candidates(request, key)
        if key.method in READS:
            number = self._pick_read(candidates)
        else:
            number = next((n for n in candidates if self.play_counts[n] == 0), None)
            if number is not None and number != self.next_write() and not self.allow_repeats:
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

    # -- serving ------------------------------------------------------------------------------
    def missed(self, request: Any) -> None:
        """Remember a request nothing answers, with the flow's call site as of now."""
        self.misses.append(Miss(request, self.locate()))

    def play(self, number: int) -> Any:
        """Serve interaction ``number`` (from ``pick``): its recorded response, or
        ``RecordedTransportError`` when the recording got none."""
        self.play_counts[number] += 1
        self._last_pick = (None, None)  # the next request (even the same object) picks afresh
        response = self.data[number][1]
        if TRANSPORT_FAILURE in response.get("headers", {}):
            raise RecordedTransportError(f"no answer when recorded: {response['status'].get('message', '')}")
        return response
