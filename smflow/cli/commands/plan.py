"""``smflow plan``: check a flow and print every request a run would send, sending nothing."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from smflow.cli.options import parse_vars

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "plan",
        help="show the requests a run would send (method, path, body; secrets masked), sending nothing",
        description="Check a flow, then print, step by step, every request a run would send: HTTP method, "
        "path and body, with secrets and the subscription masked. Values known only at run time are shown "
        "as placeholders (<old.name>); calls under a condition, a wait or an undo are marked. Nothing is sent.",
    )
    p.add_argument("flow", help="the .flow file")
    p.add_argument("--var", action="append", default=[], metavar="NAME=VALUE", help="set a param (repeatable)")
    p.add_argument("--json", action="store_true", help="one JSON object per request on stdout")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from smflow.run.flowplan import load
    from smflow.run.preview import planned_steps, preview

    loaded = load(Path(args.flow), parse_vars(args.var))
    for warning in loaded.plan.warnings:  # the checker's warnings (errors were raised by load)
        print(warning.render(), file=sys.stderr)
    calls = preview(loaded)
    out = sys.stdout
    if args.json:
        for call in calls:
            out.write(json.dumps(call.to_dict()) + "\n")
        return 0
    total = len(loaded.steps)
    out.write(f"plan for {args.flow}: {total} steps, {len(calls)} requests at most (nothing is sent)\n")
    by_step: dict[tuple[int, str], list[Any]] = {}
    for call in calls:
        by_step.setdefault((call.step_index, call.step), []).append(call)
    for index, step in planned_steps(loaded) + [(0, "on failure")]:
        if index == 0:
            _write_outputs(out, loaded)
        if index == 0 and (0, step) not in by_step:
            continue
        head = f"[{index}/{total}] {step}" if index else "on failure"
        out.write(f"\n{head}\n")
        for call in by_step.get((index, step), []):
            tags = [call.effect] + (["async"] if call.asynchronous else []) + (
                [call.when] if call.when != "always" else [])
            out.write(f"  {call.method:<6} {call.path}\n")
            where = f"line {call.line} of {call.via}" if call.via else f"line {call.line}"
            out.write(f"         {call.operation} ({where}; {', '.join(tags)})\n")
            if call.body:
                out.write(f"         {call.body}\n")
        if not by_step.get((index, step)):
            out.write("  (no requests)\n")
    return 0


def _write_outputs(out: Any, loaded: Any) -> None:
    """The declared outputs, after the steps: a value, or <expr> until the run knows it."""
    from smflow.run.preview import planned_outputs

    outputs = planned_outputs(loaded)
    if not outputs:
        return
    out.write("\noutputs (after the last step succeeds; none if the run fails)\n")
    for name, shown in outputs:
        lines = shown.split("\n")
        out.write(f"  {name} = {lines[0]}\n")
        for more in lines[1:]:
            out.write(" " * (len(name) + 5) + more + "\n")
