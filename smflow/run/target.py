"""Choosing where a run's requests go: the embedded emulator, a running one, or live Azure.

The rule is the one a newcomer can guess: no credentials anywhere means nothing real can be
touched, so an emulator is started in-process and named on the first line of output.
``--endpoint URL`` aims at a running ``smflow emulator`` (or any compatible endpoint). A
subscription id and a management certificate (flags, or ``SMFLOW_SUBSCRIPTION_ID`` /
``SMFLOW_CERT_FILE``) aim at ``https://management.core.windows.net``. The subscription id is
never shown: descriptions mask it.

Emulator targets also compress time: a backoff of 2 s or a poll every 15 s makes sense against
Azure, not against an emulator that finishes an operation in 0.2 s. ``time_scale`` multiplies
every backoff and poll interval (never a deadline the flow wrote).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from smflow.errors import UsageError
from smflow.run.poll import PollSchedule

__all__ = [
    "DEFAULT_EMULATOR_LATENCY",
    "EMULATOR_SUBSCRIPTION",
    "LIVE_ENDPOINT",
    "Target",
    "choose_target",
    "scale_for_latency",
]

LIVE_ENDPOINT = "https://management.core.windows.net"
DEFAULT_EMULATOR_LATENCY = 0.2  # keeps the quick start snappy while still showing the waits
EMULATOR_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
ENV_SUBSCRIPTION = "SMFLOW_SUBSCRIPTION_ID"
ENV_CERT = "SMFLOW_CERT_FILE"
ENV_KEY = "SMFLOW_KEY_FILE"


def _check_certificate(cert: str | None, key: str | None) -> None:
    """Refuse an unusable management certificate (an encrypted key above all) before the run starts."""
    if cert:
        from smflow.asm.transport import client_certificate_problem

        problem = client_certificate_problem(cert, key)
        if problem:
            raise UsageError(f"--cert/--key: {problem}")


def scale_for_latency(latency: float) -> float:
    """How much to shrink waits for an emulator whose operations take ``latency`` seconds."""
    return min(1.0, max(latency, 0.002))


@dataclass
class Target:
    kind: Literal["embedded", "endpoint", "live", "replay"]
    endpoint: str
    subscription_id: str
    description: str  # the first line of output, subscription never included
    cert_file: str | None = None
    key_file: str | None = None
    time_scale: float = 1.0
    poll: PollSchedule = field(default_factory=PollSchedule)
    server: Any = None  # the embedded EmulatorServer, stopped when the target closes
    transport: Any = None  # a replay's CassetteTransport (None: the client's own HTTP transport)


def refuse_credentials(endpoint: str) -> None:
    """Refuse an endpoint URL holding credentials (``http://user:pw@host``), without echoing it.

    Service Management authenticates with a management certificate, never with a user and a
    password, so userinfo would be sent nowhere useful; accepting (and masking) it would only
    invite passwords onto command lines, shell histories and process lists.
    """
    # Any "@" counts, not only one in the authority as urlsplit finds it: urlsplit raises on some
    # malformed URLs, and a password holding "/" or "#" would move the "@" out of the netloc it
    # finds, while an endpoint of the Service Management API never holds one anywhere.
    if "@" in endpoint:
        raise UsageError("--endpoint must not hold credentials (user:password@host): Service Management "
                         "authenticates with a management certificate (--cert); give the URL without them "
                         "(it is not shown here, since it holds a password)")


@contextmanager
def choose_target(
    *,
    endpoint: str | None = None,
    subscription_id: str | None = None,
    cert_file: str | Path | None = None,
    key_file: str | Path | None = None,
    emulator_latency: float | None = None,
    emulator_state: Path | None = None,
    emulator_seed: Path | None = None,
    state_secrets: Mapping[str, str] | None = None,
    env: Mapping[str, str] | None = None,
) -> Iterator[Target]:
    """Yield the target for these options; an embedded emulator runs only inside the block,
    keeping its state in ``emulator_state`` when given (so a resumed run finds what the killed
    one created), starting from a copy of ``emulator_seed`` when given (``--emulator-state``), and
    with the values of ``state_secrets`` (value -> name) written by name only."""
    env = os.environ if env is None else env
    subscription_id = subscription_id or env.get(ENV_SUBSCRIPTION) or None
    cert = str(cert_file) if cert_file else env.get(ENV_CERT) or None
    key = str(key_file) if key_file else env.get(ENV_KEY) or None
    if emulator_latency is not None:
        from smflow.emulator.operations import check_latency

        check_latency(emulator_latency, "--emulator-latency")
    for label, flag, path in (("certificate", "--cert", cert), ("key", "--key", key)):
        if path:
            _check_pem(label, flag, path)

    if emulator_seed is not None and (endpoint or subscription_id or cert):
        raise UsageError("--emulator-state seeds the embedded emulator; it cannot be used with --endpoint or "
                         "a subscription (seed a standalone emulator with `smflow emulator --state FILE`)")
    if endpoint:
        refuse_credentials(endpoint)
        _check_endpoint(endpoint)
        _check_certificate(cert, key)
        scale = scale_for_latency(emulator_latency) if emulator_latency is not None else 1.0
        yield Target(
            "endpoint",
            endpoint.rstrip("/"),
            subscription_id or EMULATOR_SUBSCRIPTION,
            f"endpoint {endpoint.rstrip('/')}" + (" (subscription ***)" if subscription_id else ""),
            cert_file=cert,
            key_file=key,
            time_scale=scale,
            poll=PollSchedule(initial=0.25, maximum=15.0).scaled(scale),
        )
        return

    if subscription_id or cert:
        if not subscription_id:
            raise UsageError(f"a management certificate was given but no subscription id: pass --subscription ID "
                             f"or set {ENV_SUBSCRIPTION}")
        if not cert:
            raise UsageError(f"--subscription needs a management certificate: pass --cert PEM or set {ENV_CERT}")
        for label, path in (("certificate", cert), ("key", key)):
            if path and not Path(path).is_file():
                raise UsageError(f"the management {label} file '{path}' does not exist")
        _check_certificate(cert, key)
        yield Target("live", LIVE_ENDPOINT, subscription_id, f"Azure Service Management at {LIVE_ENDPOINT} "
                     "(subscription ***)", cert_file=cert, key_file=key)
        return

    from smflow.emulator.server import EmulatorServer  # only runs that need it pay for the import

    latency = DEFAULT_EMULATOR_LATENCY if emulator_latency is None else emulator_latency
    scale = scale_for_latency(latency)
    if emulator_seed is not None:
        from smflow.emulator.persist import copy_state

        if emulator_state is None:
            raise UsageError("--emulator-state needs somewhere to copy the state to")
        copy_state(emulator_seed, emulator_state)
    codec = None
    if emulator_state is not None and state_secrets:
        from smflow.run import codec as value_codec

        secrets = dict(state_secrets)
        by_name = {name: value for value, name in secrets.items()}
        codec = (lambda data: value_codec.encode(data, secrets), lambda data: value_codec.decode(data, by_name))
    # The state kept beside the journal is a file a run writes, so it holds no storage key.
    server = EmulatorServer(host="127.0.0.1", port=0, latency=latency, state_file=emulator_state, state_codec=codec,
                            keep_storage_keys=False)
    url = server.start()
    stopped = False
    try:
        yield Target(
            "embedded",
            url.rstrip("/"),
            EMULATOR_SUBSCRIPTION,
            f"embedded emulator at {url.rstrip('/')} (no Azure subscription used)",
            time_scale=scale,
            poll=PollSchedule(initial=0.25, maximum=15.0).scaled(scale),
            server=server,
        )
    except BaseException:
        # The run's own error comes first: a full disk fails the journal, and then the emulator's
        # last save on stop too; that second error must not hide the first.
        stopped = True
        with contextlib.suppress(Exception):
            server.stop()
        raise
    finally:
        if not stopped:
            server.stop()


def _shown(text: str) -> str:
    return text if len(text) <= 80 else f"{text[:60]}... ({len(text)} characters)"


def _check_endpoint(endpoint: str) -> None:
    """An http(s) URL with a host name DNS can hold: anything else would fail deep in the HTTP
    stack (a 100,000-character host name was an internal error), or be retried for minutes."""
    problem = None
    if not endpoint.startswith(("http://", "https://")):
        problem = "must be an http:// or https:// URL"
    else:
        try:
            parts = urlsplit(endpoint)
            host, _port = parts.hostname, parts.port  # .port raises on a bad port
            if not host:
                problem = "has no host name"
            elif len(host) > 253 or any(len(label) > 63 for label in host.split(".")):
                problem = "has a host name longer than DNS allows (63 characters a label, 253 in all)"
            else:
                host.encode("idna")
        except (ValueError, UnicodeError) as exc:
            problem = f"is not a valid URL ({str(exc)[:80]})"
    if problem:
        raise UsageError(f"--endpoint {_shown(endpoint)!r} {problem}")


def _check_pem(label: str, flag: str, path: str) -> None:
    """A readable PEM file, checked before the run: a binary or unreadable one otherwise fails
    at the first TLS handshake, inside the HTTP stack, after the journal is made."""
    where = _shown(path)
    try:
        with open(path, "rb") as handle:
            head = handle.read(_PEM_SNIFF)
    except FileNotFoundError:
        raise UsageError(f"{flag} {where}: the management {label} file does not exist") from None
    except IsADirectoryError:
        raise UsageError(f"{flag} {where}: is a directory, not a PEM file") from None
    except (OSError, ValueError) as exc:
        raise UsageError(f"{flag} {where}: cannot read the management {label} file "
                         f"({getattr(exc, 'strerror', None) or exc})") from None
    try:
        text = head.decode("utf-8", errors="strict" if len(head) < _PEM_SNIFF else "ignore")
    except UnicodeDecodeError:
        raise UsageError(f"{flag} {where}: not a PEM file (it holds binary data; a DER or PFX file must be "
                         "converted to PEM, e.g. with openssl)") from None
    if "-----BEGIN " not in text:
        raise UsageError(f"{flag} {where}: not a PEM file (no '-----BEGIN' line)")


_PEM_SNIFF = 1 << 20  # a PEM bundle is a few KB; more than this is read no further
