"""``smflow run``: run a flow (or resume one) against the emulator, an endpoint, Azure or a cassette.

A thin shell over ``smflow.run.run_flow``: it parses flags, renders events (text, a live line on
a TTY, or ``--json``), and maps the result to the exit code (0 ok, 1 the flow failed, 2 usage or
flow errors, raised as ``SmflowError`` for ``main`` to print).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from smflow.cli.options import parse_vars
from smflow.errors import SmflowError, UsageError

if TYPE_CHECKING:
    from smflow.run.api import RunResult

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "run",
        help="run a flow (embedded emulator unless --endpoint or credentials are given)",
        description="Run a flow. With no --endpoint and no subscription/certificate (flags or "
        "SMFLOW_SUBSCRIPTION_ID / SMFLOW_CERT_FILE), an emulator is started in-process and nothing "
        "real is touched.",
    )
    p.add_argument("flow", nargs="?", help="the .flow file (omit with --resume)")
    p.add_argument("--var", action="append", default=[], metavar="NAME=VALUE",
                   help="set a param (repeatable); secret params may also come from SMFLOW_VAR_<NAME>")
    p.add_argument("--endpoint", metavar="URL", help="a running `smflow emulator` (or compatible endpoint)")
    p.add_argument("--subscription", metavar="ID", help="Azure subscription id (or SMFLOW_SUBSCRIPTION_ID)")
    p.add_argument("--cert", metavar="PEM", help="management certificate (or SMFLOW_CERT_FILE)")
    p.add_argument("--key", metavar="PEM", help="its private key, when not in the certificate file")
    p.add_argument("--json", action="store_true", help="one JSON event per line on stdout")
    p.add_argument("--yes", "-y", action="store_true", help="answer yes to every confirm")
    p.add_argument("--resume", metavar="RUN_ID", help="continue a killed or failed run from its journal (secret params are never journaled: "
                   "give them again with --var or SMFLOW_VAR_<NAME>)")
    p.add_argument("--force", action="store_true", help="resume even though the flow file changed (steps are matched by name: a new step "
                   "runs, a removed one is skipped, and the output says which); replace a --record file that is not a cassette, or an --outputs file smflow did not write")
    p.add_argument("--record", metavar="CASSETTE", help="record every request into a cassette (a file that is "
                   "not a cassette is only replaced with --force)")
    p.add_argument("--replay", metavar="CASSETTE", help="serve every request from a cassette (offline)")
    p.add_argument("--emulator-latency", type=float, metavar="SECONDS",
                   help="operation latency of the embedded emulator (default 0.2); with --endpoint, the "
                   "latency of that emulator, so backoff and polls are scaled to it")
    p.add_argument("--emulator-state", metavar="FILE",
                   help="start the embedded emulator from a copy of this state file (saved by `smflow emulator "
                   "--state FILE`), for a flow that expects existing services; the file is never modified")
    p.add_argument("--setup", metavar="SETUP.flow",
                   help="run this flow first, on the same embedded emulator, to create what the flow expects "
                   "to exist (it gets the --var values of the params it declares)")
    p.add_argument("--lock-timeout", default="0s", metavar="DURATION",
                   help="how long to wait for another run on this machine that holds the target's lock "
                   "(its services, or the whole target), e.g. 30s or 10m; default 0s: refuse at once, naming it")
    p.add_argument("--outputs", metavar="FILE",
                   help="write the run's id, status and declared outputs as name=value lines (GitHub's "
                   "name<<DELIMITER form for a multi-line value), replacing a file written so before; another "
                   "file only with --force. With $GITHUB_OUTPUT set, the same lines are appended to it too")
    p.add_argument("--journal-dir", default=".smflow/runs", metavar="DIR", help="where run journals go")
    p.set_defaults(func=run)


def _duration(flag: str, text: str) -> float:
    from smflow.dsl.params import parse_duration

    try:
        seconds = parse_duration(text)
    except ValueError:
        raise UsageError(f"{flag}: '{text}' is not a duration (e.g. 30s, 10m, 1h)") from None
    if seconds < 0:
        raise UsageError(f"{flag}: '{text}' is negative")
    return seconds


def run(args: argparse.Namespace) -> int:
    from smflow.run.progress import make_progress

    if args.flow is None and args.resume is None:
        raise UsageError("smflow run: give a .flow file, or --resume RUN_ID")
    record = args.record
    if record:
        from smflow.cli.outputs import is_our_cassette, writable_target

        record = writable_target(record, flag="--record", what="cassette", ours=is_our_cassette, force=args.force)
    outputs_file = None
    if args.outputs:
        from smflow.cli.outputs import is_our_outputs, writable_target

        outputs_file = writable_target(args.outputs, flag="--outputs", what="run summary", ours=is_our_outputs,
                                       force=args.force)
    render = make_progress(sys.stdout, json_lines=args.json)
    try:
        result = _run(args, record, render)
    except SmflowError:
        # The run stopped with an error (a bad flag or flow, a drifted cassette...): CI must not
        # read the outputs of an earlier run as this one's.
        with contextlib.suppress(SmflowError):
            _write_outputs(outputs_file, "", "failed", {})
        raise
    _write_outputs(outputs_file, result.run_id, result.status, result.outputs)
    if result.already_done:
        message = f"run {result.run_id} already succeeded; nothing to do"
        if args.json:
            import json

            print(json.dumps({"event": "run_finished", "run_id": result.run_id, "status": "succeeded",
                              "already_done": True}))
        else:
            print(message)
        return 0
    return 0 if result.ok else 1


def _run(args: argparse.Namespace, record: Path | str | None, render: Any) -> RunResult:
    from smflow.run.api import run_flow

    return run_flow(
        Path(args.flow) if args.flow else None,
        vars=parse_vars(args.var),
        endpoint=args.endpoint,
        subscription_id=args.subscription,
        cert_file=args.cert,
        key_file=args.key,
        record=record,
        replay=args.replay,
        assume_yes=args.yes,
        on_event=render,
        journal_dir=Path(args.journal_dir),
        resume=args.resume,
        emulator_latency=args.emulator_latency,
        force=args.force,
        emulator_state=args.emulator_state,
        lock_timeout=_duration("--lock-timeout", args.lock_timeout),
        setup=args.setup,
        on_lock_wait=lambda message: print(message, file=sys.stderr, flush=True),
    )


def _write_outputs(path: Path | None, run_id: str, status: str, outputs: Mapping[str, Any]) -> None:
    """``--outputs FILE`` (replaced atomically) and ``$GITHUB_OUTPUT`` (appended to, as GitHub
    expects): ``smflow_run_id``, ``smflow_status`` and, when the run succeeded, its declared
    outputs. A failed run writes no output, so a stale value can never pass for this run's
    (``run_id`` is empty when the run stopped with an error before it had one to report)."""
    import os

    from smflow.run.outputs import MARKER, render_lines

    text = render_lines({MARKER: run_id, "smflow_status": status, **outputs})
    if path is not None:
        from smflow.durable import atomic_write

        try:
            atomic_write(path, text.encode("utf-8"))
        except OSError as exc:
            raise UsageError(f"--outputs {path}: cannot write it ({exc.strerror or exc}); the run itself "
                             f"{status}") from None
    github = os.environ.get("GITHUB_OUTPUT")
    if github:
        try:
            with open(github, "a+b") as handle:
                handle.seek(0, os.SEEK_END)
                if handle.tell() > 0:  # a line another step left unfinished must not swallow ours
                    handle.seek(handle.tell() - 1)
                    if handle.read(1) != b"\n":
                        text = "\n" + text
                handle.write(text.encode("utf-8"))
        except OSError as exc:
            raise UsageError(f"$GITHUB_OUTPUT {github}: cannot append to it ({exc.strerror or exc}); the run "
                             f"itself {status}") from None
