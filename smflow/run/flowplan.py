"""From a .flow file to what the executor runs: load, check, resolve params, adapt the plan.

The language side (``smflow.dsl``) owns parsing, checking and evaluating; this module is the one
place the executor meets it, so a change there touches one adapter here. Secret params may come
from ``--var`` or from the environment as ``SMFLOW_VAR_<NAME>`` (upper case), which is how they
are given again when a run is resumed: they are never written to the journal. The values of
``env_secret("NAME")`` calls are read here too, before anything runs, so that the masker knows
them from the first line of output (the checker requires their arguments to be literals).
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from smflow.dsl import ast
from smflow.dsl.evaluate import Evaluator
from smflow.dsl.plan import Plan, check_flow, load_flow
from smflow.run.drawn import DrawnValues
from smflow.run.executor import CallBack, Evaluate, ExecStep

__all__ = ["ENV_PREFIX", "LoadedFlow", "env_vars", "load", "parse"]

ENV_PREFIX = "SMFLOW_VAR_"


@dataclass
class LoadedFlow:
    path: Path
    text: str
    plan: Plan
    given_vars: dict[str, str]  # what --var (and the environment) supplied, as strings
    params: dict[str, Any]
    secret_values: dict[str, str]  # secret param name (``env:NAME`` for env_secret) -> its value as text
    steps: list[ExecStep]
    on_failure: tuple[ast.Stmt, ...] | None

    def fingerprint(self) -> str:
        """The sha256 a journal keeps of the flow: its text, and the text of every file it uses
        (so that a library edited since a run started is noticed on ``--resume``)."""
        digest = hashlib.sha256(self.text.encode())
        here = os.path.realpath(self.path.parent)
        for path, text in self.plan.used_files:
            # Relative to the flow's folder: a resume names the flow by its absolute path.
            digest.update(f"\0use {os.path.relpath(os.path.realpath(path), here)}\0".encode())
            digest.update(text.encode())
        return digest.hexdigest()

    def evaluator(self, clock_now: Callable[[], datetime], holds_secret: Callable[[str], bool] | None = None,
                  new_uuid: Callable[[], str] | None = None) -> Evaluate:
        """``holds_secret`` (the run's masker) lets the string builtins refuse to cut a secret into
        pieces the masker could not recognise; a run passes its ``DrawnValues`` for ``now()`` and
        ``uuid()``."""
        base_dir = self.plan.base_dir
        top = self.plan.flow.span.source

        def evaluate(expr: ast.Expr, scope: dict[str, Any], call: CallBack) -> Any:
            def hook(node: ast.Call, args: dict[str, Any]) -> Any:
                return call(node.name, args, node)

            # file() in a proc of a used file reads relative to that file.
            here = base_dir if expr.span.source is top else Path(expr.span.source.name).parent
            return Evaluator(scope, hook, here, clock_now, holds_secret=holds_secret, new_uuid=new_uuid).evaluate(expr)

        return evaluate


def env_vars(flow: ast.Flow, given: Mapping[str, str], environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """``given`` plus ``SMFLOW_VAR_<NAME>`` for every param of the flow not given."""
    environ = os.environ if environ is None else environ
    out = dict(given)
    for p in flow.params:
        key = ENV_PREFIX + p.name.upper()
        if p.name not in out and key in environ:
            out[p.name] = environ[key]
    return out


def env_secrets(flow: ast.Flow, environ: Mapping[str, str] | None = None,
                procs: Mapping[str, ast.Proc] | None = None) -> dict[str, str]:
    """``env:NAME`` -> the value of every ``env_secret("NAME"[, "default"])`` in the flow (those
    neither set nor defaulted fail when evaluated, with a message naming the variable)."""
    environ = os.environ if environ is None else environ
    out: dict[str, str] = {}
    for call in _env_secret_calls(flow, procs):
        args = [a.value for a in call.args]
        if not args or not all(isinstance(a, ast.String) and a.is_plain for a in args):
            continue  # the checker reported it
        name = args[0].text  # type: ignore[union-attr]
        value = environ.get(name, args[1].text if len(args) > 1 else None)  # type: ignore[union-attr]
        if value:
            out[f"env:{name}"] = value
    return out


def _env_secret_calls(flow: ast.Flow, procs: Mapping[str, ast.Proc] | None = None) -> tuple[ast.BuiltinCall, ...]:
    nodes: list[object] = [*flow.params, *ast.flat_steps(flow.steps), *(procs or {}).values()]
    if flow.on_failure is not None:
        nodes.append(flow.on_failure)
    return tuple(n for node in nodes for n in ast.walk(node)
                 if isinstance(n, ast.BuiltinCall) and n.name == "env_secret")


@functools.lru_cache(maxsize=32)
def parse(text: str, name: str) -> ast.Flow:
    """The AST is immutable, so one parse serves every run of the same text (pytest sessions,
    benchmarks and services run a flow many times in one process)."""
    return load_flow(text, name)


def load(path: Path, given: Mapping[str, Any], environ: Mapping[str, str] | None = None,
         drawn: DrawnValues | None = None) -> LoadedFlow:
    """``drawn``: where param defaults get ``now()`` and ``uuid()`` (recorded, for a run)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        load_flow(path)  # the language's own message for an unreadable file
        raise
    flow = parse(text, str(path))
    strings = {k: v if isinstance(v, str) else str(v) for k, v in given.items()}
    strings = env_vars(flow, strings, environ)
    plan = check_flow(flow, strings, clock_now=drawn.now if drawn else None, new_uuid=drawn.uuid if drawn else None)
    secrets = {name: str(plan.params[name]) for name in plan.secrets if plan.params.get(name) not in (None, "")}
    secrets.update(env_secrets(flow, environ, plan.procs))
    steps = [ExecStep(s.name, s.step.body, s.retry, s.timeout, s.step.span, s.loop) for s in plan.steps]
    on_failure = plan.on_failure.body if plan.on_failure is not None else None
    return LoadedFlow(path, text, plan, strings, dict(plan.params), secrets, steps, on_failure)
