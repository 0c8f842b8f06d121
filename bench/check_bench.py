"""How long ``smflow check`` takes on generated flows of 1,000 / 10,000 / 100,000 steps, against
lark's own parse of the same text.

Run on demand: ``python bench/check_bench.py [--max 100000] [--repeat 3]``. Prints one JSON
object per line: for each size and shape, the median CPU time of parse + check (what ``smflow
check`` does after start-up), split into parse and check, and, in turn with each of those runs,
lark alone parsing the same text (same grammar and LALR tables, no transformer, no checker,
lark's own tree: the least any checker built on lark can cost on that text). ``vs_lark`` is
the ratio of the two medians (target at 10,000 realistic steps: 1.5x); ``ratio_to_previous``
the growth from the previous size (10x the steps should cost at most 11x: linear).

Shapes: ``realistic`` (a read bound to a name, a log that interpolates it, a write under a
nested if/else, a wait with a call in its condition, and an undo block with a local binding:
about 110 tokens), ``plain`` (the same without wait and undo), ``small`` (one log line) and
``loops`` (a step inside a ``for``, or a ``parallel for … max 2``, every other time, with a
``for`` over a result's list inside the step), ``procs`` (a step that binds the result of its
own procedure, declared before the steps).
Before the sizes, ``flows/blue_green.flow`` (a real 71-line flow): best-of-200 parse and check.
Every figure is CPU time (``time.process_time``), so other processes on the machine count less.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from smflow.dsl.checker import check
from smflow.dsl.parser import lark_parser, parse_flow

ROOT = Path(__file__).resolve().parents[1]

STEP = '''step "release {i}" timeout 30m {{
    d{i} = get_deployment_by_slot(service_name: service, deployment_slot: "staging")
    log "deployment ${{d{i}.name}} is ${{d{i}.status}}"
    if d{i}.status != "Running" {{
        if d{i}.label == "old" {{
            log "old label"
        }} else {{
            update_deployment_status(service_name: service, deployment_name: d{i}.name, status: "Running")
        }}
    }}
    wait until get_deployment_by_name(service_name: service, deployment_name: d{i}.name).status == "Running" every 15s timeout 20m
    undo {{
        previous = get_deployment_by_name(service_name: service, deployment_name: d{i}.name)
        update_deployment_status(service_name: service, deployment_name: previous.name, status: "Suspended")
    }}
}}
'''

PLAIN = '''step "release {i}" timeout 30m {{
    d{i} = get_deployment_by_slot(service_name: service, deployment_slot: "staging")
    log "deployment ${{d{i}.name}} is ${{d{i}.status}}"
    if d{i}.status != "Running" {{
        update_deployment_status(service_name: service, deployment_name: d{i}.name, status: "Running")
    }}
}}
'''

SMALL = 'step "step {i}" {{\n    log "step {i} of ${{service}}"\n}}\n'

# A loop around a step (parallel every other time), with a loop inside the step.
LOOPS = '''{parallel}for r{i} in regions{limit} {{
    step "release {i} in ${{r{i}}}" timeout 30m {{
        d = get_deployment_by_slot(service_name: service, deployment_slot: "staging")
        for role in d.role_instance_list {{
            log "${{role.instance_name}} in ${{r{i}}} is ${{role.instance_status}}"
        }}
        undo {{ log "undo ${{d.name}}" }}
    }}
}}
'''
# ``procs``: one procedure per step, declared before the steps, each step calling its own.
PROC = '''proc deploy_{i}(service: string, slot: string = "staging") {{
    d = get_deployment_by_slot(service_name: service, deployment_slot: slot)
    log "deployment ${{d.name}} is ${{d.status}}"
    return d.name
}}
'''
PROC_STEP = 'step "release {i}" timeout 30m {{\n    n{i} = deploy_{i}(service)\n    log "deployed ${{n{i}}}"\n}}\n'
SHAPES = {"realistic": STEP, "plain": PLAIN, "small": SMALL, "loops": LOOPS, "procs": PROC_STEP}


def generate(steps: int, shape: str = "realistic") -> str:
    head = 'flow generated "generated for the benchmark"\nparam service = "svc"\n' \
           'param regions : list[string] = ["West US", "East US"]\n' \
           "retry attempts 6 backoff 2s..1m jitter on transient\n\n"
    procs = "".join(PROC.format(i=i) for i in range(steps)) if shape == "procs" else ""
    return head + procs + "".join(SHAPES[shape].format(i=i, parallel="parallel " if i % 2 else "",
                                                       limit=" max 2" if i % 2 else "") for i in range(steps))


def tokens(steps: int, shape: str) -> int:
    """Tokens in ``generate(steps, shape)``: every step has the same count, so two small
    flows give it exactly without lexing the big one."""
    one, two = (sum(1 for _ in lark_parser().lex(generate(n, shape))) for n in (1, 2))
    return one + (two - one) * (steps - 1)


def blue_green(repeat: int = 200) -> None:
    text = (ROOT / "flows" / "blue_green.flow").read_text(encoding="utf-8")
    best_parse = best_check = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        flow = parse_flow(text, "blue_green.flow")
        t1 = time.perf_counter()
        check(flow, {})
        t2 = time.perf_counter()
        best_parse, best_check = min(best_parse, t1 - t0), min(best_check, t2 - t1)
    for name, value in (("parse", best_parse), ("check", best_check)):
        print(json.dumps({"bench": f"{name}_blue_green", "value": round(value * 1000, 3), "unit": "ms"}), flush=True)


def bare_lark() -> Any:
    from lark import Lark

    from smflow.dsl.parser import grammar_text

    return Lark(grammar_text(), parser="lalr", start=["flow", "expr"], keep_all_tokens=True, maybe_placeholders=True)


def measure(text: str, repeat: int, bare: Any) -> tuple[float, float, float]:
    """Median CPU seconds of (parse, check, lark's bare parse), taken in turn."""
    parses, checks, larks = [], [], []
    for _ in range(repeat):
        gc.collect()
        t0 = time.process_time()
        flow = parse_flow(text, "generated.flow")
        t1 = time.process_time()
        report = check(flow, {})
        t2 = time.process_time()
        assert not report.errors, report.errors[0].render()
        del flow, report
        gc.collect()
        gc.disable()  # as parse_flow does: the tree is acyclic
        t3 = time.process_time()
        tree = bare.parse(text, start="flow")
        t4 = time.process_time()
        gc.enable()
        del tree
        parses.append(t1 - t0)
        checks.append(t2 - t1)
        larks.append(t4 - t3)
    return statistics.median(parses), statistics.median(checks), statistics.median(larks)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--max", type=int, default=100_000, help="largest size (default 100000)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per size; the median is reported")
    ap.add_argument("--shapes", default=",".join(SHAPES), help="which shapes (default: all)")
    args = ap.parse_args()
    lark_parser()  # for token counts (the CLI reads a correct flow without lark: smflow.dsl.lalr)
    bare = bare_lark()
    blue_green()
    for shape in args.shapes.split(","):
        previous: float | None = None
        size = 1000
        while size <= args.max:
            text = generate(size, shape)
            parse_s, check_s, lark_s = measure(text, args.repeat if size < 100_000 else 1, bare)
            total = parse_s + check_s
            row = {"bench": f"check_{shape}_{size}_steps", "value": round(total, 4), "unit": "s cpu",
                   "parse_s": round(parse_s, 4), "check_s": round(check_s, 4), "lark_bare_parse_s": round(lark_s, 4),
                   "vs_lark": round(total / lark_s, 2), "us_per_step": round(total / size * 1e6, 1),
                   "bytes": len(text), "tokens": (count := tokens(size, shape)),
                   "parse_tokens_per_s": round(count / parse_s),
                   "ratio_to_previous": round(total / previous, 2) if previous else None}
            if shape == "realistic" and size == 10_000:
                row["target_vs_lark"] = 1.5
            if previous:
                row["target_ratio_to_previous"] = 11
            print(json.dumps(row), flush=True)
            previous = total
            size *= 10
    with tempfile.TemporaryDirectory() as tmp:  # the whole command, start-up included
        path = Path(tmp) / "g.flow"
        path.write_text(generate(1000), encoding="utf-8")
        t0 = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "smflow", "check", str(path)], capture_output=True, timeout=600)
        wall = time.perf_counter() - t0
        print(json.dumps({"bench": "smflow_check_cli_1000_steps", "value": round(wall, 4), "unit": "s",
                          "exit": done.returncode}), flush=True)


if __name__ == "__main__":
    main()
