"""``smflow graph FLOW [--format mermaid|dot]``: draw a flow for a pull request or a document."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from smflow.errors import CheckFailedError, FlowError, UsageError

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "graph",
        help="draw a flow as a Mermaid or Graphviz diagram",
        description="Draw a flow: steps, waits, conditions, undo and failure edges. "
        "Mermaid output renders in a GitHub pull request as it is.",
    )
    parser.add_argument("flow", help="the .flow file")
    parser.add_argument("--format", choices=("mermaid", "dot"), default="mermaid", help="diagram syntax (default: mermaid)")
    parser.add_argument("-o", "--output", help="write to this file instead of stdout (a file smflow did not "
                        "draw is only replaced with --force)")
    parser.add_argument("--force", action="store_true", help="replace the -o file even if it is not a diagram of ours")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from smflow.cli.outputs import is_our_graph, writable_target
    from smflow.dsl import load_flow
    from smflow.dsl.library import resolve
    from smflow.durable import atomic_write
    from smflow.graph import build_graph, render_dot, render_mermaid

    path = Path(args.flow)
    if not path.is_file():
        raise UsageError(f"smflow graph: no such flow file: {args.flow}")
    output = writable_target(args.output, flag="-o", what="diagram", ours=is_our_graph, force=args.force) \
        if args.output else None
    flow = load_flow(path)
    library = resolve(flow)  # a used file that is missing or broken is reported, as by smflow check
    if library.diagnostics:
        raise CheckFailedError([d.to_error() for d in library.diagnostics])
    try:
        graph = build_graph(flow, frozenset(library.procs))
        text = render_mermaid(graph) if args.format == "mermaid" else render_dot(graph)
    except RecursionError:  # as the checker: a flow nested hundreds deep is refused, not drawn
        raise FlowError("the flow is nested too deeply to draw", flow.span, "NotSupported") from None
    if output is not None:
        atomic_write(output, text.encode("utf-8"))
    else:
        print(text, end="")
    return 0
