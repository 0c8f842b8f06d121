"""How long ``smflow check`` takes on generated flows of 1,000 / 10,000 / 100,000 steps.

Run on demand: ``python bench/check_bench.py [--max 100000] [--repeat 3]``. Prints one JSON
object per line: the best-of-N wall time of parse + check (what ``smflow check`` does after
start-up) for each size, split into parse and check, the per-step cost, and the growth ratio
against the previous size (10x more steps should cost about 10x: linear).

Two step shapes are measured: ``realistic`` (a read bound to a name, a log that interpolates
it, and a write guarded by an ``if``: 44 tokens) and ``small`` (one log line: 7 tokens). Each
row also gives the parse rate in tokens per second (lark's lexer and LALR loop set the pace).
Before the sizes, ``flows/blue_green.flow`` (a real 71-line flow): best-of-200 parse and check.

``lark_floor_*`` rows time lark alone on the same 10,000-step texts: the same grammar and LALR
tables, no smflow code at all (no transformer, lark's own tree), lexing included and lexing
alone. That is the least any checker built on lark can cost on that text in this process.
"""

from __future__ import annotations

import argparse
import gc
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from smflow.dsl.checker import check
from smflow.dsl.parser import lark_parser, parse_flow

ROOT = Path(__file__).resolve().parents[1]

STEP = '''step "release {i}" timeout 30m {{
    d{i} = get_deployment_by_slot(service_name: service, deployment_slot: "staging")
    log "deployment ${{d{i}.name}} is ${{d{i}.status}}"
    if d{i}.status != "Running" {{
        update_deployment_status(service_name: service, deployment_name: d{i}.name, status: "Running")
    }}
}}
'''


SMALL = 'step "step {i}" {{\n    log "step {i} of ${{service}}"\n}}\n'
SHAPES = {"realistic": STEP, "small": SMALL}


def generate(steps: int, shape: str = "realistic") -> str:
    head = 'flow generated "generated for the benchmark"\nparam service = "svc"\n' \
           "retry attempts 6 backoff 2s..1m jitter on transient\n\n"
    return head + "".join(SHAPES[shape].format(i=i) for i in range(steps))


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


def measure(text: str, repeat: int) -> tuple[float, float]:
    best_parse = best_check = float("inf")
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        flow = parse_flow(text, "generated.flow")
        t1 = time.perf_counter()
        report = check(flow, {})
        t2 = time.perf_counter()
        assert not report.errors, report.errors[0].render()
        best_parse, best_check = min(best_parse, t1 - t0), min(best_check, t2 - t1)
        del flow, report
    return best_parse, best_check


def lark_floor(steps: int, repeat: int) -> None:
    from lark import Lark

    from smflow.dsl.parser import grammar_text

    bare = Lark(grammar_text(), parser="lalr", start=["flow", "expr"], keep_all_tokens=True, maybe_placeholders=True)
    for shape in SHAPES:
        text = generate(steps, shape)
        best_parse = best_lex = float("inf")
        for _ in range(repeat):
            gc.collect()
            gc.disable()
            t0 = time.perf_counter()
            tree = bare.parse(text, start="flow")
            t1 = time.perf_counter()
            for _token in bare.lex(text):
                pass
            t2 = time.perf_counter()
            gc.enable()
            del tree
            best_parse, best_lex = min(best_parse, t1 - t0), min(best_lex, t2 - t1)
        print(json.dumps({"bench": f"lark_floor_{shape}_{steps}_steps", "value": round(best_parse, 4), "unit": "s",
                          "lex_only_s": round(best_lex, 4), "tokens": tokens(steps, shape),
                          "note": "lark 1.x alone: same grammar, no transformer, no checker"}), flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--max", type=int, default=100_000, help="largest size (default 100000)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per size; the best is reported")
    args = ap.parse_args()
    lark_parser()  # built once per process, as in the CLI
    blue_green()
    for shape in SHAPES:
        previous: float | None = None
        size = 1000
        while size <= args.max:
            text = generate(size, shape)
            parse_s, check_s = measure(text, args.repeat if size < 100_000 else 1)
            total = parse_s + check_s
            row = {"bench": f"check_{shape}_{size}_steps", "value": round(total, 4), "unit": "s",
                   "parse_s": round(parse_s, 4), "check_s": round(check_s, 4),
                   "us_per_step": round(total / size * 1e6, 1), "bytes": len(text),
                   "tokens": (count := tokens(size, shape)), "parse_tokens_per_s": round(count / parse_s),
                   "ratio_to_previous": round(total / previous, 2) if previous else None}
            print(json.dumps(row), flush=True)
            previous = total
            size *= 10
    lark_floor(min(10_000, args.max), args.repeat)
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
