"""The two context managers the executor runs a flow inside: ``recording`` and ``replaying``.

``recording`` lets every request through to the real endpoint (vcrpy record mode ``all``) and
keeps a scrubbed copy of each interaction. On exit it writes the cassette atomically and reads
the written bytes back: if any secret is found the cassette is refused (``SecretLeakError``
naming the kind of secret, never its value) and the temp file removed. **A run that raises is
still saved**, with ``complete: false`` in its header: replaying a failure (the rollback drill)
is as useful as replaying a success.

``replaying`` serves the cassette to whatever sends through ``requests`` inside the block
(record mode ``none``: no socket is opened, nothing is recorded) under smflow's playback rules
(``playback``, through ``player.SmflowCassette``), and turns any miss into a
``ReplayDriftError`` that names the flow's call site (``locate()``), the request, the nearest
recorded one and what differs. The executor's own replays need none of that machinery: they
serve the same cassette, by the same rules, at the transport seam
(``replay.replaying_transport``). Time: the executor runs a replay on a ``VirtualClock`` that
only moves when it sleeps, so a replay never waits; since the poll timeline is served as recorded
(the last answer repeating once it runs out), a wait that timed out live times out again, and
one that succeeded succeeds, whatever the real latency was. Faults replay too: error answers are
recorded like any other, and a request that got no answer (dropped connection, timeout) is
recorded as such and fails again in replay, so retries and read-backs happen as they did live.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from vcr import filters
from vcr.persisters.filesystem import CassetteNotFoundError as _VcrNoCassetteError
from vcr.record_mode import RecordMode
from vcr.request import Request
from vcr.serializers import compat

from smflow.durable import atomic_write
from smflow.errors import SecretLeakError
from smflow.recording.cassette import CassetteHeader, dump_cassette, parse_yaml
from smflow.recording.drift import translate_misses
from smflow.recording.leaks import find_leaks
from smflow.recording.matching import VCR_MATCHERS
from smflow.recording.player import SmflowCassette
from smflow.recording.replay import ReplayInfo, load_replay
from smflow.recording.scrub import SUBSCRIPTION_PLACEHOLDER, Scrubber

__all__ = ["ReplayInfo", "recording", "replay_setup", "replaying"]

MATCH_ON = tuple(VCR_MATCHERS.values())


class _FreshPersister:
    """Recording starts from nothing and vcrpy never writes: ``recording`` saves, atomically."""

    @staticmethod
    def load_cassette(cassette_path: str, serializer: Any) -> Any:
        raise _VcrNoCassetteError()

    @staticmethod
    def save_cassette(cassette_path: str, cassette_dict: Any, serializer: Any) -> None:
        return None


@dataclass
class _LoadedPersister:
    """Hands vcrpy the interactions ``load_cassette`` already parsed and validated."""

    requests: list[Any]
    responses: list[Any]

    def load_cassette(self, cassette_path: str, serializer: Any) -> tuple[list[Any], list[Any]]:
        return self.requests, self.responses

    def save_cassette(self, cassette_path: str, cassette_dict: Any, serializer: Any) -> None:
        return None  # record mode "none" never changes a cassette


def _endpoint(requests: list[Any], meta: Mapping[str, object]) -> str:
    if requests:
        parts = urlsplit(requests[0].uri)
        return f"{parts.scheme}://{parts.netloc}"
    return str(meta.get("endpoint", ""))


@contextmanager
def recording(
    path: Path, *, secrets: Collection[str], subscription_id: str, meta: Mapping[str, object]
) -> Iterator[None]:
    """Record every request made inside the block into the cassette at ``path``."""
    path = Path(path)
    scrubber = Scrubber(secrets, subscription_id)  # not copied: a live collection may grow
    recorded_at = datetime.now(UTC).isoformat(timespec="seconds")
    started = time.monotonic()
    use = SmflowCassette.use(
        path=str(path),
        persister=_FreshPersister,
        record_mode=RecordMode.ALL,
        match_on=MATCH_ON,
        before_record_request=_without_blob_traffic(scrubber.request),
        before_record_response=lambda response: scrubber.response(filters.decode_response(response)),
        record_on_exception=True,
    )
    cassette: SmflowCassette | None = None
    complete = False
    try:
        with use as cassette:
            yield
        complete = True
    finally:
        if cassette is not None:
            cassette.record_unanswered()  # the last request, if it never got an answer
            header = CassetteHeader(
                endpoint=scrubber.scrub_text(_endpoint(cassette.requests, meta)),
                subscription_id=SUBSCRIPTION_PLACEHOLDER,
                duration=round(time.monotonic() - started, 3),
                recorded_at=recorded_at,
                complete=complete,
                meta=scrubber.value(dict(meta)),
            )
            _save(path, header, cassette, secrets=list(secrets), subscription_id=subscription_id)  # as of now


def _without_blob_traffic(scrub: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Blob uploads are kept as metadata (``recording.uploads``), never as vcrpy interactions:
    their bytes and SharedKey headers are dropped here, before anything is copied or scrubbed."""
    from smflow.recording.uploads import is_unrecorded

    def keep(request: Any) -> Any:
        return None if is_unrecorded(request.uri) else scrub(request)

    return keep


def _save(path: Path, header: CassetteHeader, cassette: SmflowCassette, *, secrets: list[str], subscription_id: str) -> None:
    interactions = [
        {"request": compat.convert_to_unicode(request._to_dict()), "response": compat.convert_to_unicode(response)}
        for request, response in zip(cassette.requests, cassette.responses, strict=True)
    ]
    data = dump_cassette(header, interactions).encode("utf-8")

    def refuse_leaks(written: Path) -> None:
        raw = written.read_bytes()
        kinds = find_leaks(raw, parse_yaml(raw), secrets=secrets, subscription_id=subscription_id)
        if kinds:
            raise SecretLeakError(
                f"{path}: refused to write the cassette: it would contain {', '.join(kinds)};"
                " nothing was kept (this is a scrubbing bug: please report which kind leaked)"
            )

    atomic_write(path, data, check=refuse_leaks)


def replay_setup(path: Path) -> tuple[ReplayInfo, CassetteHeader, dict[str, Any]]:
    """Load a cassette for replay: what the run needs, its header, the ``SmflowCassette`` arguments.

    ``SmflowCassette.load(**args)`` gives the cassette without patching anything (benchmarks,
    tools); ``replaying`` uses ``SmflowCassette.use(**args)``.
    """
    info, header, data = load_replay(path)
    requests = [Request(recorded.method, recorded.uri, recorded.body, dict(recorded.headers)) for recorded, _ in data]
    responses = [response for _, response in data]
    args = {
        "path": str(path),
        "persister": _LoadedPersister(requests, responses),
        "record_mode": RecordMode.NONE,
        "match_on": MATCH_ON,
    }
    return info, header, args


@contextmanager
def replaying(
    path: Path, *, locate: Callable[[], str | None], secrets: Collection[str] = ()
) -> Iterator[ReplayInfo]:
    """Serve every request made inside the block from the cassette at ``path``; miss = drift.

    ``secrets`` (optional): the run's secret values, masked in a drift message's diff (a live
    collection may grow during the run; it is read when the message is made).
    """
    info, header, args = replay_setup(path)
    use = SmflowCassette.use(**args, record_on_exception=False)
    cassette: SmflowCassette | None = None
    with translate_misses(lambda: cassette.rules if cassette is not None else None, vcrpy=True):
        with use as cassette:
            cassette.locate = locate
            flow = info.meta.get("flow")
            cassette.configure(flow=str(flow) if flow else None, secrets=secrets, complete=header.complete)
            yield info
