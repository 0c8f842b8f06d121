"""On-demand mutation testing of the secret-handling and recovery modules: do the tests notice a break?

    python tools/mutation.py                       # every module below, 30 sampled mutants each
    python tools/mutation.py smflow/run/secrets.py --sample 0 --seed 3   # all mutants of one module

Each mutant is one small change to a module's syntax tree (a comparison or boolean operator
flipped, a condition negated, a constant changed, an element dropped from a literal set, list or
tuple, a statement replaced by ``pass``). It is written into a copy of the ``smflow`` package
that shadows the installed one through ``PYTHONPATH`` (the worktree is never modified), and the
module's tests run against it, stopping at the first failure: a failure kills the mutant, a pass
lets it survive. Survivors are printed with their line so a person can judge whether each is
equivalent (changes nothing observable) or shows a missing test.

CPU-heavy: run it alone, last, and sample (``--sample``). Standard library only, so it needs no
dependency; it prints one JSON object per module (killed, survived, timed out, kill rate).
"""

from __future__ import annotations

import argparse
import ast
import copy
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# module -> the tests that own it (what a change to it must break)
TARGETS: dict[str, list[str]] = {
    "smflow/run/secrets.py": ["tests/run/test_secrets.py", "tests/security/test_journal_secrets.py"],
    "smflow/secretforms.py": ["tests/run/test_secrets.py", "tests/recording/test_scrub.py"],
    "smflow/recording/scrub.py": ["tests/recording/test_scrub.py", "tests/recording/test_scrub_properties.py"],
    "smflow/recording/matching.py": ["tests/recording/test_matching.py", "tests/security/test_replay_secret_path.py"],
    "smflow/recording/leaks.py": ["tests/recording/test_scrub.py", "tests/recording/test_session.py"],
    "smflow/run/journal.py": ["tests/run/test_journal.py", "tests/run/test_journal_files.py"],
    "smflow/dsl/checker.py": ["tests/dsl/test_golden.py", "tests/dsl/test_plan.py", "tests/dsl/test_checker.py"],
    "smflow/asm/xml.py": ["tests/asm/test_xml.py"],
    "smflow/run/readback.py": ["tests/run/test_readback.py", "tests/run/test_readback_table.py"],
    "smflow/run/retry.py": ["tests/run/test_retry.py", "tests/run/test_retry_policy.py"],
}

_FLIP = {ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.Lt: ast.GtE, ast.GtE: ast.Lt, ast.Gt: ast.LtE,
         ast.LtE: ast.Gt, ast.In: ast.NotIn, ast.NotIn: ast.In, ast.Is: ast.IsNot, ast.IsNot: ast.Is}


@dataclass(frozen=True)
class Mutant:
    number: int  # position in the module's mutant list
    line: int
    what: str


def _sites(tree: ast.Module) -> Iterator[tuple[ast.AST, str]]:
    """Every node that has a mutation, with a description (the docstrings are skipped)."""
    docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                  if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef)) and n.body
                  and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            for i, op in enumerate(node.ops):
                if type(op) in _FLIP:
                    yield node, f"compare#{i}: {type(op).__name__} -> {_FLIP[type(op)].__name__}"
        elif isinstance(node, ast.BoolOp):
            yield node, f"boolop: {type(node.op).__name__} flipped"
        elif isinstance(node, (ast.If, ast.While, ast.IfExp)):
            yield node, "condition negated"
        elif isinstance(node, ast.Constant) and id(node) not in docstrings:
            if isinstance(node.value, bool):
                yield node, f"constant {node.value} -> {not node.value}"
            elif isinstance(node.value, int):
                yield node, f"constant {node.value} -> {node.value + 1}"
            elif isinstance(node.value, (str, bytes)) and node.value:
                yield node, f"constant {node.value!r:.30} -> empty"
        elif isinstance(node, (ast.Set, ast.List, ast.Tuple)) and len(node.elts) > 1 \
                and all(isinstance(e, ast.Constant) for e in node.elts):
            for i, e in enumerate(node.elts):
                yield node, f"element#{i} {e.value!r:.30} dropped"  # type: ignore[attr-defined]
        elif isinstance(node, (ast.Expr, ast.Assign, ast.AugAssign, ast.Return)) and id(getattr(node, "value", None)) \
                not in docstrings:
            yield node, f"{type(node).__name__} statement -> pass"


def _apply(tree: ast.Module, index: int) -> tuple[ast.Module, Mutant]:
    """A copy of ``tree`` with the ``index``-th mutation applied."""
    tree = copy.deepcopy(tree)
    node, what = list(_sites(tree))[index]
    if isinstance(node, ast.Compare):
        i = int(what.split("#")[1].split(":")[0])
        node.ops[i] = _FLIP[type(node.ops[i])]()
    elif isinstance(node, ast.BoolOp):
        node.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
    elif isinstance(node, (ast.If, ast.While, ast.IfExp)):
        node.test = ast.UnaryOp(ast.Not(), node.test)
    elif isinstance(node, ast.Constant):
        value = node.value
        node.value = (not value) if isinstance(value, bool) else value + 1 if isinstance(value, int) else value[:0]
    elif isinstance(node, (ast.Set, ast.List, ast.Tuple)):
        del node.elts[int(what.split("#")[1].split(" ")[0])]
    else:
        _replace_statement(tree, node)
    return ast.fix_missing_locations(tree), Mutant(index, getattr(node, "lineno", 0), what)


def _replace_statement(tree: ast.Module, target: ast.AST) -> None:
    for parent in ast.walk(tree):
        for name in ("body", "orelse", "finalbody"):
            block = getattr(parent, name, None)
            if isinstance(block, list) and any(s is target for s in block):
                block[[id(s) for s in block].index(id(target))] = ast.Pass()
                return


def run_module(module: str, tests: list[str], sample: int, seed: int, timeout: float,
               only: list[int] | None = None) -> dict[str, object]:
    source = (ROOT / module).read_text()
    tree = ast.parse(source)
    total = len(list(_sites(tree)))
    indices = list(range(total))
    if sample and sample < total:
        indices = sorted(random.Random(seed).sample(indices, sample))
    if only:
        indices = [i for i in only if 0 <= i < total]
    killed, survived, timed_out = 0, [], 0
    with tempfile.TemporaryDirectory(prefix="smflow-mutants-") as tmp:
        shutil.copytree(ROOT / "smflow", Path(tmp) / "smflow")
        shutil.copytree(ROOT / "grammar", Path(tmp) / "grammar")  # found beside the package, as in a checkout
        target = Path(tmp) / module
        env = {**os.environ, "PYTHONPATH": tmp + os.pathsep + os.environ.get("PYTHONPATH", ""),
               "SMFLOW_CACHE_DIR": ""}
        where = subprocess.run([sys.executable, "-P", "-c", "import smflow; print(smflow.__file__)"], cwd=ROOT,
                               env=env, capture_output=True, text=True, check=True).stdout.strip()
        assert where.startswith(tmp), f"the tests would not see the mutants: smflow is imported from {where}"
        for index in indices:
            mutated, mutant = _apply(tree, index)
            target.write_text(ast.unparse(mutated))
            try:
                # -P: the worktree (the current directory) must not come before the mutant copy.
                proc = subprocess.run([sys.executable, "-P", "-m", "pytest", "-x", "-q",
                                       "--basetemp", str(Path(tmp) / "pt"), *tests],
                                      cwd=ROOT, env=env, capture_output=True, timeout=timeout)
            except subprocess.TimeoutExpired:
                timed_out += 1  # a mutant that hangs the tests is caught by their timeouts: killed
                continue
            if proc.returncode == 0:
                survived.append(f"{module}:{mutant.line}: #{mutant.number} {mutant.what}")
            else:
                killed += 1
        target.write_text(source)
    tried = len(indices)
    return {"module": module, "mutants": total, "tried": tried, "killed": killed + timed_out,
            "timed_out": timed_out, "survived": survived,
            "kill_rate": round((killed + timed_out) / tried, 3) if tried else None}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", help=f"modules to mutate (default: {', '.join(TARGETS)})")
    parser.add_argument("--sample", type=int, default=30, help="mutants per module, sampled (0: all)")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per mutant's test run")
    parser.add_argument("--only", type=lambda text: [int(n) for n in text.split(",")], default=None,
                        help="try just these mutant numbers (the #N of survivors), e.g. to confirm a new test")
    args = parser.parse_args()
    for module in args.modules or list(TARGETS):
        if module not in TARGETS:
            parser.error(f"no tests are known for {module}; known: {', '.join(TARGETS)}")
        print(json.dumps(run_module(module, TARGETS[module], args.sample, args.seed, args.timeout, args.only)),
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
