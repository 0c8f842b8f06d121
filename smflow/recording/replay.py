"""Replaying a cassette at the transport seam: what ``smflow run --replay`` sends through.

The executor's client talks to a ``Transport`` (``smflow.asm.transport``). ``CassetteTransport``
is one: it answers each ``HttpRequest`` from the cassette by smflow's playback rules
(``recording.playback``), so a replay needs no HTTP stack at all: no ``requests``, no urllib3,
no vcrpy patching them, no socket. It behaves as ``RequestsTransport`` does against the
recorded endpoint: the same redirects followed, the same size limit, a recorded "no answer"
raising the same ``TransportError`` (``could not connect to HOST: ...``), a spent deadline the
same ``timeout=True`` one. Headers come back lower-cased, a header recorded with several values
as one comma-joined value, as urllib3 would give them.

A request the cassette does not hold raises ``playback.ReplayMiss``, which travels out of the
run untouched and becomes a ``ReplayDriftError`` as ``replaying_transport`` exits
(``drift.translate_misses``): the same message, word for word, as a replay through vcrpy.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from smflow.asm.transport import (
    MAX_RESPONSE_BYTES,
    HttpRequest,
    HttpResponse,
    could_not_connect,
    following_redirects,
    no_time_left,
    response_too_big,
)
from smflow.recording.cassette import CassetteHeader, load_cassette
from smflow.recording.drift import translate_misses
from smflow.recording.playback import Playback, RecordedRequest, RecordedTransportError, ReplayMiss, interactions_of

__all__ = ["CassetteTransport", "ReplayInfo", "load_replay", "replaying_transport"]


@dataclass(frozen=True)
class ReplayInfo:
    """What a replay needs to know from the recording: run the flow with these."""

    subscription_id: str
    endpoint: str
    recorded_duration: float
    meta: Mapping[str, object] = field(default_factory=dict)


def load_replay(path: Path) -> tuple[ReplayInfo, CassetteHeader, list[tuple[RecordedRequest, dict[str, Any]]]]:
    """Load and validate a cassette for replay: what the run needs, its header, its interactions."""
    loaded = load_cassette(Path(path))
    header = loaded.header
    info = ReplayInfo(subscription_id=header.subscription_id, endpoint=header.endpoint,
                      recorded_duration=header.duration, meta=dict(header.meta))
    return info, header, interactions_of(loaded.interactions)


class CassetteTransport:
    """A ``Transport`` that serves a cassette (see the module docstring)."""

    def __init__(self, playback: Playback, *, max_redirects: int = 5,
                 max_response_bytes: int = MAX_RESPONSE_BYTES) -> None:
        self.playback = playback
        self.max_redirects = max_redirects
        self.max_response_bytes = max_response_bytes

    def __repr__(self) -> str:
        return f"CassetteTransport({self.playback.path!r})"

    def send(self, request: HttpRequest, before_send: Callable[[], None] | None = None, *,
             timeout: float | None = None) -> HttpResponse:
        if timeout is not None and timeout <= 0:
            raise no_time_left(request.url)
        return following_redirects(request, lambda url, before: self._serve(request, url, before), before_send,
                                   self.max_redirects)

    def _serve(self, request: HttpRequest, url: str, before_send: Callable[[], None] | None) -> HttpResponse:
        if before_send is not None:
            before_send()
        sent = RecordedRequest(request.method, url, request.body)
        number = self.playback.pick(sent)
        if number is None:
            self.playback.missed(sent)
            raise ReplayMiss(sent)
        try:
            recorded = self.playback.play(number)
        except RecordedTransportError as exc:
            raise could_not_connect(url, str(exc)) from exc
        status = recorded["status"]["code"]
        headers = _headers(recorded["headers"])
        body: bytes = recorded["body"]["string"]
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_response_bytes:
            raise response_too_big(status, self.max_response_bytes, declared)
        if len(body) > self.max_response_bytes:
            raise response_too_big(status, self.max_response_bytes)
        return HttpResponse(status, headers, body, recorded["status"]["message"])


def _headers(recorded: Mapping[str, Any]) -> dict[str, str]:
    """Lower-cased names, several values (or the same name recorded in two cases) comma-joined;
    no Transfer-Encoding (the recorded body is whole), as urllib3 gives a replayed response."""
    out: dict[str, str] = {}
    for name, value in recorded.items():
        key = name.lower()
        if key == "transfer-encoding":
            continue
        for text in value if isinstance(value, list) else [value]:
            stripped = text.lstrip(" \t")
            out[key] = f"{out[key]}, {stripped}" if key in out else stripped
    return out


@contextmanager
def replaying_transport(path: Path, *, locate: Callable[[], str | None],
                        secrets: Collection[str] = ()) -> Iterator[tuple[ReplayInfo, CassetteTransport]]:
    """Serve the cassette at ``path`` to the client of a run inside the block; miss = drift.

    ``locate`` names the flow's call in flight (for drift messages); ``secrets``: the run's
    secret values, masked in a drift message's diff (a live collection may grow during the run;
    it is read when the message is made).
    """
    info, header, data = load_replay(path)
    playback = Playback(data, path=str(path))
    playback.locate = locate
    flow = info.meta.get("flow")
    playback.flow = str(flow) if flow else None
    playback.secrets = secrets
    playback.complete = header.complete
    with translate_misses(lambda: playback):
        yield info, CassetteTransport(playback)
