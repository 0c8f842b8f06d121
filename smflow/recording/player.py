"""vcrpy's Cassette, serving by smflow's playback rules (``recording.playback``).

vcrpy finds a response by running every matcher against every recorded request (quadratic in
the cassette size) and serves each match once. smflow needs other rules: the cassette here
hands every question vcrpy asks to a ``Playback`` over its own interactions, the one place
those rules live (``CassetteTransport`` serves the executor's replays by the same object).
This cassette is for what sends through ``requests`` itself (Microsoft's SDK, tests) inside
``session.replaying``, and for recording, where it also notes the requests that got no answer:
vcrpy records nothing then, so it records them as transport failures, and replaying one raises
a connection error again.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from vcr.cassette import Cassette
from vcr.errors import UnhandledHTTPRequestError
from vcr.record_mode import RecordMode

from smflow.recording.playback import READS, TRANSPORT_FAILURE, Miss, Playback, RecordedTransportError

__all__ = ["READS", "TRANSPORT_FAILURE", "Miss", "RecordedTransportError", "SmflowCassette"]


class SmflowCassette(Cassette):  # type: ignore[misc]  # vcrpy is untyped
    """A cassette that plays by smflow's rules (``self.rules``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The rules see vcrpy's own list and counter, so what vcrpy loads or records is indexed.
        self.rules = Playback(self.data, path=self._path, play_counts=self.play_counts,
                              allow_repeats=self.allow_playback_repeats)
        self._in_flight: Any = None  # recording: the request sent and not answered yet

    # The replay's settings and findings, kept by the rules (drift messages read them there).
    @property
    def locate(self) -> Callable[[], str | None]:
        return self.rules.locate

    @locate.setter
    def locate(self, value: Callable[[], str | None]) -> None:
        self.rules.locate = value

    @property
    def misses(self) -> list[Miss]:
        return self.rules.misses

    def configure(self, *, flow: str | None, secrets: Collection[str], complete: bool) -> None:
        self.rules.flow, self.rules.secrets, self.rules.complete = flow, secrets, complete

    def next_write(self) -> int | None:
        return self.rules.next_write()

    def rewind(self) -> None:
        self.play_counts.clear()  # in place: the rules hold this counter

    # -- vcrpy's playback interface -----------------------------------------------------------------
    def can_play_response_for(self, request: Any) -> bool:
        if self.record_mode == RecordMode.ALL:
            self._sending(request)
            return False
        if not (self.rewound or self.allow_playback_repeats):
            return False
        if self.rules.pick(request) is not None:
            return True
        if self.write_protected:
            self.rules.missed(request)
        return False

    def play_response(self, request: Any) -> Any:
        number = self.rules.pick(request)
        if number is None:
            raise UnhandledHTTPRequestError(f"The cassette ({self._path!r}) doesn't contain the request ({request!r})")
        return self.rules.play(number)

    def __contains__(self, request: Any) -> bool:
        return self.rules.pick(request) is not None

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
