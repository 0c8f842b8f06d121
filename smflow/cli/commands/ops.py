"""``smflow ops [NAME] [--json]``: what the Service Management catalogue offers, from the catalogue itself.

Without a name it lists every operation (name, asynchronous or not, one-line doc); with one it
shows the HTTP method and path, whether it is asynchronous, the result model and every argument
with its type, whether it is required, its default and any constraint. An unknown name is a
``UsageError`` with a did-you-mean, so a typo exits 2 with one clear line.
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from smflow.errors import UsageError

if TYPE_CHECKING:
    from smflow.asm.catalogue import Argument, OperationSpec

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "ops", help="list the Service Management operations, or show one",
        description="List the Service Management operations smflow knows, or show one in detail.",
    )
    parser.add_argument("name", nargs="?", help="an operation name, e.g. create_deployment")
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    parser.add_argument(
        "--markdown", action="store_true",
        help="print the operation reference as a Markdown table (the list in README.md is this output)",
    )
    parser.set_defaults(func=run)


def _constraint(arg: Argument) -> str:
    parts = []
    if arg.pattern_doc or arg.pattern:
        parts.append(arg.pattern_doc or f"matches {arg.pattern}")
    if arg.min_length is not None and arg.min_length > 1:
        parts.append(f"at least {arg.min_length} characters")
    if arg.max_length is not None:
        parts.append(f"at most {arg.max_length} characters")
    if arg.secret or arg.secret_fields:
        parts.append("secret" if arg.secret else "secret fields: " + ", ".join(sorted(arg.secret_fields)))
    return "; ".join(parts)


def _argument_json(arg: Argument) -> dict[str, Any]:
    return {
        "name": arg.name, "type": str(arg.type), "required": arg.required,
        "default": arg.default if isinstance(arg.default, (str, int, float, bool)) else None,
        "location": arg.location, "doc": arg.doc, "constraint": _constraint(arg) or None,
    }


def _spec_json(spec: OperationSpec) -> dict[str, Any]:
    return {
        "name": spec.name, "method": spec.method, "path": spec.shown_path,
        "asynchronous": spec.asynchronous, "effect": spec.effect,
        "result": str(spec.result) if spec.result is not None else None,
        "success_status": list(spec.success_status),
        "exactly_one_of": [list(g) for g in spec.exactly_one_of],
        "at_least_one_of": [list(g) for g in spec.at_least_one_of],
        "doc": spec.doc, "arguments": [_argument_json(a) for a in spec.arguments],
    }


def _lookup(name: str) -> OperationSpec:
    import difflib

    from smflow.asm.catalogue import all_operations

    operations = all_operations()
    spec = operations.get(name)
    if spec is None:
        close = difflib.get_close_matches(name, list(operations), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else "; run 'smflow ops' to list them"
        raise UsageError(f"smflow ops: unknown operation '{name}'{hint}")
    return spec


def _show(spec: OperationSpec) -> str:
    lines = [
        f"{spec.name}: {spec.doc}",
        f"  {spec.method} {spec.shown_path}",
        f"  {'asynchronous (poll the request id)' if spec.asynchronous else 'synchronous'}; "
        f"result: {spec.result}",
        "  arguments:",
    ]
    width = max((len(a.name) for a in spec.arguments), default=0)
    for arg in spec.arguments:
        status = "required" if arg.required else (f"default {json.dumps(arg.default)}" if arg.default is not None else "optional")
        extra = _constraint(arg)
        doc = " - ".join(x for x in (arg.doc, extra) if x)
        lines.append(f"    {arg.name:<{width}}  {arg.type!s}  ({status}){'  ' + doc if doc else ''}")
    if not spec.arguments:
        lines.append("    (none)")
    for group in spec.exactly_one_of:
        lines.append(f"  give exactly one of: {', '.join(group)}")
    for group in spec.at_least_one_of:
        lines.append(f"  give at least one of: {', '.join(group)}")
    return "\n".join(lines)


def markdown_reference() -> str:
    """The operation table of README.md, generated so that it cannot drift from the catalogue."""
    from smflow.asm.catalogue import all_operations

    lines = [
        "| operation | HTTP | async | required arguments | optional arguments |",
        "|---|---|---|---|---|",
    ]
    for spec in all_operations().values():
        required = ", ".join(f"`{a.name}`" for a in spec.arguments if a.required) or "-"
        optional = ", ".join(f"`{a.name}`" for a in spec.arguments if not a.required) or "-"
        path = spec.path if spec.plane == "management" else spec.shown_path
        http = f"{spec.method} `{path or '/<subscription-id>'}`".replace("|", "\\|")  # get_subscription: the root
        lines.append(f"| `{spec.name}` | {http} | {'yes' if spec.asynchronous else 'no'} | {required} | {optional} |")
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    from smflow.asm.catalogue import all_operations

    operations = all_operations()
    if args.markdown:
        print(markdown_reference(), end="")
        return 0
    if args.name:
        spec = _lookup(args.name)
        print(json.dumps(_spec_json(spec)) if args.json else _show(spec))
        return 0
    if args.json:
        for spec in operations.values():
            print(json.dumps({"name": spec.name, "asynchronous": spec.asynchronous, "effect": spec.effect,
                              "doc": spec.doc}))
        return 0
    width = max(len(n) for n in operations)
    for spec in operations.values():
        print(f"{spec.name:<{width}}  {'async' if spec.asynchronous else 'sync '}  {spec.doc}")
    return 0
