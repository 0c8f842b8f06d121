"""How long ``smflow fmt`` takes, against lark's bare parse of the same text.

Run on demand: ``python bench/fmt_bench.py [--repeat 15]``. Prints one JSON object per line.

Two texts: ``flows/blue_green.flow`` (a real flow, already formatted) and a generated flow of
1,000+ lines written untidily, with comments (so formatting has work to do). For each:

- in-process: ``format_text`` (parse, trivia, layout, print, then the safety checks: a second
  parse and format of the output) against lark alone (same grammar and LALR tables, no
  transformer, lark's own tree) and against smflow's own ``parse_flow``;
- whole process: ``python -m smflow fmt --check FILE`` against ``python -c`` building the same
  lark parser from its cache and parsing the file.

Runs are interleaved (one of each, N times) so that load on a shared machine hits all alike;
the medians are reported, and ``ratio`` is format over bare parse.
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
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

STEP = '''# step {i}: read the deployment, log it, start it if needed
step "release {i}" timeout 30m {{
  d{i} = get_deployment_by_slot(service_name: service, deployment_slot: "staging")   # the staging one
  log "deployment ${{d{i}.name}} is ${{d{i}.status}}"
  if d{i}.status != "Running" and d{i}.label != "frozen" {{ update_deployment_status(service_name: service, deployment_name: d{i}.name, status: "Running") }}
  wait until get_deployment_by_slot(service_name: service, deployment_slot: "staging").status == "Running" every 10s timeout 5m
}}
'''


def generated(lines: int = 1000) -> str:
    text = 'flow generated "generated for the benchmark"\nparam service="svc"\n' \
           "retry attempts 6 backoff 2s..1m jitter on transient\n"
    i = 0
    while text.count("\n") < lines:
        text += STEP.format(i=i)
        i += 1
    return text


def _timed(fn: Callable[[], object]) -> float:
    gc.collect()
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def _row(bench: str, times: dict[str, list[float]], unit: str, **extra: object) -> None:
    medians = {k: statistics.median(v) for k, v in times.items()}
    scale = 1000 if unit == "ms" else 1
    row: dict[str, object] = {"bench": bench, "unit": unit}
    row.update({f"{k}_median": round(m * scale, 3) for k, m in medians.items()})
    row["ratio_fmt_to_lark"] = round(medians["fmt"] / medians["lark"], 2)
    row.update(extra)
    print(json.dumps(row), flush=True)


def in_process(name: str, text: str, repeat: int) -> None:
    from lark import Lark

    from smflow.dsl.parser import grammar_text, parse_flow
    from smflow.fmt import format_text

    bare = Lark(grammar_text(), parser="lalr", start=["flow", "expr"], keep_all_tokens=True, maybe_placeholders=True)
    format_text(text)  # warm: the parser is built once per process
    times: dict[str, list[float]] = {"fmt": [], "lark": [], "smflow_parse": []}
    for _ in range(repeat):
        times["fmt"].append(_timed(lambda: format_text(text, filename=name)))
        times["lark"].append(_timed(lambda: bare.parse(text, start="flow")))
        times["smflow_parse"].append(_timed(lambda: parse_flow(text, name)))
    _row(f"fmt_in_process_{name}", times, "ms", lines=text.count("\n"), repeat=repeat)


LARK_ONLY = """
import sys
from lark import Lark
grammar, cache, path = sys.argv[1:]
parser = Lark(open(grammar).read(), parser="lalr", start=["flow", "expr"], keep_all_tokens=True,
              maybe_placeholders=True, cache=cache)
parser.parse(open(path).read(), start="flow")
"""


def whole_process(name: str, text: str, repeat: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{name}.flow"
        path.write_text(text, encoding="utf-8")
        grammar = ROOT / "grammar" / "smflow.lark"
        cache = str(Path(tmp) / "lark.cache")
        fmt = [sys.executable, "-m", "smflow", "fmt", "--check", str(path)]
        lark = [sys.executable, "-c", LARK_ONLY, str(grammar), cache, str(path)]
        subprocess.run(fmt, capture_output=True, timeout=600)  # warm the grammar caches
        subprocess.run(lark, capture_output=True, timeout=600, check=True)
        times: dict[str, list[float]] = {"fmt": [], "lark": []}
        for _ in range(repeat):
            times["fmt"].append(_timed(lambda: subprocess.run(fmt, capture_output=True, timeout=600)))
            times["lark"].append(_timed(lambda: subprocess.run(lark, capture_output=True, timeout=600)))
        _row(f"fmt_whole_process_{name}", times, "ms", lines=text.count("\n"), repeat=repeat)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=15)
    args = ap.parse_args()
    texts = {
        "blue_green": (ROOT / "flows" / "blue_green.flow").read_text(encoding="utf-8"),
        "generated_1000_lines": generated(),
    }
    for name, text in texts.items():
        in_process(name, text, args.repeat)
    for name, text in texts.items():
        whole_process(name, text, args.repeat)


if __name__ == "__main__":
    main()
