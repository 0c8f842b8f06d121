"""``smflow emulator``: serve the local Service Management API until SIGINT or SIGTERM.

Prints the base URL as the first line of stdout (flushed, so a script can read it and go), then
one line per request on stderr: method, path (subscription id masked), status, request id, and
the fault injected, if any. Stops cleanly (exit 0) on SIGINT and SIGTERM.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from smflow.errors import UsageError

if TYPE_CHECKING:
    from types import FrameType

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "emulator",
        help="run the local Service Management API emulator",
        description="Serve a local, stateful emulator of the classic Azure Service Management API. "
        "Asynchronous operations take time (--latency) and faults can be injected (--fault-rate, --fault).",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=0, help="port (default 0: any free port; the URL says which)")
    p.add_argument("--latency", type=float, default=1.0, metavar="SECONDS",
                   help="how long create_deployment takes; other operations in proportion (default 1.0, 0 allowed)")
    p.add_argument("--fault-rate", type=float, default=0.0, metavar="F",
                   help="probability per request of a transient fault (500, 503, 429, dropped, slow, 409)")
    p.add_argument("--seed", type=int, default=None, help="seed for --fault-rate, so a run's faults repeat")
    p.add_argument("--fault", action="append", default=[], metavar="SPEC",
                   help="a scripted fault, OPERATION#N=STATUS[:CODE] or OPERATION#N=KIND "
                   "(drop-before, drop-after, slow, op-fail), e.g. swap_deployment#2=503 (repeatable)")
    p.add_argument("--state", metavar="FILE", help="keep the state in this SQLite file across restarts")
    p.add_argument("--tls", action="store_true", help="serve HTTPS (needs --tls-cert and --tls-key)")
    p.add_argument("--tls-cert", metavar="FILE", help="server certificate chain (PEM)")
    p.add_argument("--tls-key", metavar="FILE", help="server private key (PEM)")
    p.add_argument("--tls-client-ca", metavar="FILE",
                   help="CA of the accepted management certificates; requests without one get 403")
    p.add_argument("--subscription", metavar="ID", help="accept only this subscription id (others get 403)")
    p.set_defaults(func=run)  # fmt: skip


def run(args: argparse.Namespace) -> int:
    import signal
    import ssl
    import threading

    from smflow.emulator.faults import parse_fault_spec
    from smflow.emulator.operations import check_latency
    from smflow.emulator.server import EmulatorServer, TlsConfig

    check_latency(args.latency, "--latency")
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port must be between 0 and 65535, got {args.port}")
    tls = None
    if args.tls or args.tls_cert or args.tls_key or args.tls_client_ca:
        if not (args.tls_cert and args.tls_key):
            raise UsageError("--tls needs --tls-cert FILE and --tls-key FILE (and usually --tls-client-ca FILE)")
        for flag, path in (("--tls-cert", args.tls_cert), ("--tls-key", args.tls_key), ("--tls-client-ca", args.tls_client_ca)):
            if path is not None and not Path(path).is_file():
                raise UsageError(f"{flag} {path}: no such file")
        tls = TlsConfig(args.tls_cert, args.tls_key, args.tls_client_ca)

    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    try:
        server = EmulatorServer(
            host=args.host, port=args.port, latency=args.latency, fault_rate=args.fault_rate, seed=args.seed,
            state_file=args.state, tls=tls, scripted_faults=[parse_fault_spec(s) for s in args.fault], log=log,
            subscription=args.subscription,
        )  # fmt: skip
        url = server.start()
    except ssl.SSLError as err:
        raise UsageError(f"--tls-cert/--tls-key: not a usable certificate and key ({err.reason or err})") from None
    except OSError as err:
        raise UsageError(f"cannot serve on {args.host}:{args.port}: {err.strerror or err}") from None
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        from smflow.gcpause import resume

        resume()  # start-up is over: the requests served are collected as usual
        print(url, flush=True)
        while not stop.wait(0.5):
            pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        server.stop()
    log("smflow emulator: stopped")
    return 0
