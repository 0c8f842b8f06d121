"""A replay miss, explained in terms of the flow: the one place a miss exception is caught.

The cassette transport raises ``playback.ReplayMiss`` when a request is not in the cassette
(vcrpy, replaying code that sends through ``requests``, raises its
``CannotOverwriteExistingCassetteException`` deep inside ``http.client``); it travels unchanged
through the client and the executor and is translated here, as the replay's block exits, into
a ``ReplayDriftError`` that says:

    flows/blue_green.flow:31:5: error[ReplayDrift]: step 'deploy to staging' create_deployment: \
replay drift: this request is not in cassettes/blue_green.yaml
       31 |     create_deployment(service_name: service, deployment_slot: "staging", name: version,
          |     ^^^^^^^^^^^^^^^^^
      sent:    POST /SUBSCRIPTION-ID/services/hostedservices/smflow-demo/deploymentslots/staging
      nearest: POST /SUBSCRIPTION-ID/services/hostedservices/smflow-demo/deploymentslots/staging \
(interaction 4 of 10)
      differs: body CreateDeployment/StartDeployment: recorded 'true', sent 'false'
      if the change is intended, re-record: smflow run flows/blue_green.flow --record cassettes/blue_green.yaml

The nearest recorded request is the one with the fewest differing fields (method, path
segments, query parameters, XML elements), unplayed ones first.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from smflow.errors import ReplayDriftError
from smflow.recording.matching import MASK, FieldDiff, request_diff, request_key
from smflow.recording.playback import READS, Playback, ReplayMiss
from smflow.recording.scrub import MIN_SECRET_LENGTH, secret_forms
from smflow.source import SourceFile

__all__ = ["Nearest", "drift_error", "nearest_recorded", "translate_misses"]

MAX_DIFFS = 8
_METHOD_WEIGHT = 100  # a different verb is never "nearest" before a different argument


@dataclass(frozen=True)
class Nearest:
    """The recorded request closest to a miss, and how it differs."""

    number: int  # 1-based position in the cassette
    request: Any
    diffs: list[FieldDiff]
    played: bool


def _target(request: Any) -> str:
    parts = urlsplit(request.uri)
    key = request_key(request.method, request.uri)
    return f"{key.method} {key.path}" + (f"?{parts.query}" if parts.query else "")


def _cost(diffs: list[FieldDiff]) -> int:
    return sum(_METHOD_WEIGHT if d.field == "method" else 1 for d in diffs)


def nearest_recorded(cassette: Playback, request: Any) -> Nearest | None:
    best: tuple[tuple[int, int, int], Nearest] | None = None
    for number, (stored, _response) in enumerate(cassette.data):
        diffs = request_diff(stored, request)
        played = cassette.play_counts[number] > 0
        rank = (_cost(diffs), 1 if played else 0, number)
        if best is None or rank < best[0]:
            best = (rank, Nearest(number + 1, stored, diffs, played))
    return best[1] if best else None


_SITE = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<col>\d+)(?: (?P<what>.*))?$")


def _headline(location: str | None, message: str) -> str:
    """``file:line:col: error[ReplayDrift]: ...`` with the flow's line and a caret, as every
    smflow error that has a place in a flow looks (``Span.render``); plain when there is none."""
    match = _SITE.match(location or "")
    if match is None:
        return f"{location or '(outside any flow step)'}: error[ReplayDrift]: {message}"
    what = match["what"] or ""
    text = f"{what}: {message}" if what else message
    try:
        source = SourceFile(match["file"], Path(match["file"]).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return f"{match['file']}:{match['line']}:{match['col']}: error[ReplayDrift]: {text}"
    operation = what.rsplit(" ", 1)[-1] if what else ""
    line, col = int(match["line"]), int(match["col"])
    width = len(operation) if operation and source.line(line)[col - 1 :].startswith(operation) else 1
    return source.span_at(line, col, line, col + width).render("error", "ReplayDrift", text)


def _why_not(cassette: Playback, nearest: Nearest) -> str:
    """Why an identical recorded request was not served: it is a matter of when."""
    expected = cassette.next_write()
    following = f"interaction {expected + 1}: {_target(cassette.data[expected][0])}" if expected is not None else None
    if nearest.request.method.upper() in READS:
        where = f"before its next write ({following})" if following else "after its last write"
        return f"the recording makes this read only at another point of the run, not {where}"
    if nearest.played:
        return "the recording holds this request once and it was already replayed (the flow now sends it again)"
    return f"the recording sends it later; the next recorded write is {following or 'none'}"


def drift_error(cassette: Playback, request: Any, location: str | None) -> ReplayDriftError:
    path = Path(cassette.path)
    lines = [_headline(location, f"replay drift: this request is not in {path}"), f"  sent:    {_target(request)}"]
    nearest = nearest_recorded(cassette, request)
    if nearest is None:
        lines.append("  nearest: none (the cassette holds no interactions)")
    else:
        lines.append(f"  nearest: {_target(nearest.request)} (interaction {nearest.number} of {len(cassette.data)})")
        if not nearest.diffs:
            lines.append(f"  differs: nothing, but {_why_not(cassette, nearest)}")
        for diff in nearest.diffs[:MAX_DIFFS]:
            lines.append(f"  differs: {diff.render()}")
        if len(nearest.diffs) > MAX_DIFFS:
            lines.append(f"  ... and {len(nearest.diffs) - MAX_DIFFS} more differences")
    if not cassette.complete:
        lines.append(f"  note: the recorded run stopped with an error after interaction {len(cassette.data)}:"
                     " this cassette holds only what happened until then")
    flow = cassette.flow or "FLOW"
    lines.append(f"  if the change is intended, re-record: smflow run {flow} --record {path}")
    return ReplayDriftError(_masked("\n".join(lines), cassette.secrets))


def _masked(text: str, secrets: Collection[str]) -> str:
    """The message with every form of every secret of the run replaced by ``***``: a diff shows
    what the flow sent, and that may be a secret param where the recording had something else."""
    data = text.encode("utf-8")
    forms = sorted({form for value in secrets if len(value) >= MIN_SECRET_LENGTH for form in secret_forms(value)},
                   key=len, reverse=True)
    for form in forms:
        data = data.replace(form, MASK.encode())
    return data.decode("utf-8", "replace")


@contextmanager
def translate_misses(cassette_getter: Callable[[], Playback | None], *, vcrpy: bool = False) -> Iterator[None]:
    """Turn a replay miss inside the block into ``ReplayDriftError``, however it surfaced.

    ``vcrpy``: the block replays through vcrpy, whose miss exception is caught too (it is
    imported only then: the executor's replays never import vcrpy).
    Normally the miss exception comes straight out of the run. If something in between caught it
    (and raised something else, or carried on), the miss recorded by the cassette still wins:
    a replay that drifted never ends quietly or with a less precise error.
    """
    __tracebackhide__ = True  # pytest (the plugin's users) shows the error, not this frame
    misses: tuple[type[Exception], ...] = (ReplayMiss,)
    if vcrpy:
        from vcr.errors import CannotOverwriteExistingCassetteException

        misses += (CannotOverwriteExistingCassetteException,)
    try:
        yield
    except misses as exc:
        cassette = cassette_getter()
        if cassette is None:  # pragma: no cover - a miss is always raised with its cassette open
            raise ReplayDriftError("replay drift: a request is not in the cassette") from None
        failed = getattr(exc, "failed_request", None)
        location = next((m.location for m in cassette.misses if m.request is failed), None)
        raise drift_error(cassette, failed, location) from None
    except Exception:
        _raise_first_miss(cassette_getter())
        raise
    _raise_first_miss(cassette_getter())


def _raise_first_miss(cassette: Playback | None) -> None:
    if cassette is not None and cassette.misses:
        first = cassette.misses[0]
        raise drift_error(cassette, first.request, first.location)
