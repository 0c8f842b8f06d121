"""The plan: a checked flow with everything the executor needs resolved. Its only input.

Why a plan rather than the bare AST: the executor should not re-derive anything the checker
knows. The plan carries the typed param values (``--var`` converted, defaults evaluated), which
params are secret and their values (so output, journals and cassettes can mask them), each
step's merged retry policy and timeout, and the catalogue spec of every operation called.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from smflow.asm.catalogue import OperationSpec, get_operation
from smflow.dsl import ast
from smflow.dsl.checker import TRANSIENT_KINDS, check, raise_if_errors
from smflow.dsl.diagnostics import Diagnostic
from smflow.dsl.evaluate import Evaluator
from smflow.dsl.parser import parse_flow
from smflow.errors import FlowRuntimeError, UsageError

__all__ = ["DEFAULT_RETRY", "Plan", "PlannedStep", "RetryPolicy", "check_flow", "load_flow", "merge_retry"]

ALL_TRANSIENT = frozenset(TRANSIENT_KINDS - {"transient"})


@dataclass(frozen=True)
class RetryPolicy:
    """How a step's operations are retried. Durations in seconds. ``transient`` names the error
    kinds that are retried: ``throttled`` (429, 503 busy), ``server_error`` (5xx), ``connection``
    (transport errors, timeouts), ``busy`` (409 "operation in progress")."""

    attempts: int = 6
    backoff_min: float = 2.0
    backoff_max: float = 60.0
    jitter: bool = True
    transient: frozenset[str] = ALL_TRANSIENT


DEFAULT_RETRY = RetryPolicy()


def merge_retry(base: RetryPolicy, clause: ast.RetryClause | None, params: Mapping[str, Any] | None = None) -> RetryPolicy:
    """``base`` with the fields the clause sets (a clause field left out inherits)."""
    values: Mapping[str, Any] = params or {}
    if clause is None:
        return base
    kinds = base.transient
    if clause.on is not None:
        names = {n.name for n in clause.on}
        kinds = ALL_TRANSIENT if "transient" in names else frozenset(names)
    return RetryPolicy(
        attempts=clause.attempts.value if clause.attempts is not None else base.attempts,
        backoff_min=ast.duration_seconds(clause.backoff_min, values) if clause.backoff_min is not None else base.backoff_min,
        backoff_max=ast.duration_seconds(clause.backoff_max, values) if clause.backoff_max is not None else base.backoff_max,
        jitter=clause.jitter if clause.jitter is not None else base.jitter,
        transient=kinds,
    )


@dataclass(frozen=True)
class PlannedStep:
    """One step, in order, with its merged retry policy, timeout (seconds or None), and the
    operation calls written in it (statement order, undo blocks included)."""

    index: int
    step: ast.Step
    retry: RetryPolicy
    timeout: float | None
    calls: tuple[ast.Call, ...]
    loop: ast.StepLoop | None = None  # the loop around the step (its name is then a template)

    @property
    def name(self) -> str:
        return self.step.name


@dataclass(frozen=True)
class Plan:
    """A checked flow, ready to run. ``params`` holds every param's value (secrets included);
    ``secrets`` names the secret params, and ``secret_values()`` lists what must be masked."""

    flow: ast.Flow
    base_dir: Path
    params: dict[str, Any]
    secrets: frozenset[str]
    steps: tuple[PlannedStep, ...]
    retry: RetryPolicy
    operations: dict[str, OperationSpec]
    warnings: tuple[Diagnostic, ...] = ()
    on_failure: ast.OnFailure | None = field(default=None)
    procs: dict[str, ast.Proc] = field(default_factory=dict)  # every proc the flow can call
    used_files: tuple[tuple[str, str], ...] = ()  # (path, text) of each file reached through `use`

    def spec_for(self, call: ast.Call) -> OperationSpec:
        """The catalogue entry of an operation call of this flow."""
        return self.operations[call.name]

    def secret_values(self) -> list[str]:
        """The text of every secret param value (for masking), longest first."""
        values = [str(self.params[n]) for n in self.secrets if self.params.get(n) not in (None, "")]
        return sorted(set(values), key=len, reverse=True)


def load_flow(path_or_text: str | Path, name: str | None = None) -> ast.Flow:
    """Parse a flow from a ``Path`` (read from disk) or from text (reported under ``name``)."""
    if isinstance(path_or_text, Path):
        try:
            text = path_or_text.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise UsageError(f"no such flow file: {path_or_text}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"cannot read flow file {path_or_text}: {exc}") from None
        return parse_flow(text, name or str(path_or_text))
    return parse_flow(path_or_text, name or "<flow>")


def _calls(body: tuple[ast.Stmt, ...]) -> list[ast.Call]:
    return list(ast.descendants(body, ast.Call))


def check_flow(
    flow: ast.Flow,
    vars: Mapping[str, str] | None = None,
    strict: bool = False,
    *,
    base_dir: Path | None = None,
    clock_now: Callable[[], datetime] | None = None,
    environ: Mapping[str, str] | None = None,
    new_uuid: Callable[[], str] | None = None,
) -> Plan:
    """Check ``flow`` (every required param must have a value) and resolve it into a ``Plan``.

    Raises ``CheckFailedError`` with every error (and warnings when ``strict``). Param defaults
    are evaluated here, in order (a default may use earlier params, ``file()``, ``env()``); a
    default that fails raises ``FlowRuntimeError``. ``base_dir`` is where ``file()`` reads from:
    the flow file's directory by default.
    """
    vars = dict(vars or {})
    report = check(flow, vars, require_params=True)
    raise_if_errors(report, strict)
    if base_dir is None:
        source = Path(flow.span.source.name)
        base_dir = source.parent if source.name.endswith(".flow") else Path.cwd()
    values: dict[str, Any] = {}

    def no_calls(call: ast.Call, args: dict[str, Any]) -> Any:
        raise FlowRuntimeError("a param default cannot call an operation", call.span)

    evaluator = Evaluator(values, no_calls, base_dir, clock_now or (lambda: datetime.now(UTC)), environ,
                          new_uuid=new_uuid)
    for p in flow.params:
        if p.name in report.var_values:
            values[p.name] = report.var_values[p.name]
        elif p.default is not None:
            values[p.name] = evaluator.evaluate(p.default)
    default = merge_retry(DEFAULT_RETRY, flow.retry, values)
    loops = {id(s): item for item in flow.steps if isinstance(item, ast.StepLoop) for s in item.body}
    steps = tuple(
        PlannedStep(i, s, merge_retry(default, s.retry, values),
                    ast.duration_seconds(s.timeout, values) if s.timeout else None, tuple(_calls(s.body)),
                    loops.get(id(s)))
        for i, s in enumerate(ast.flat_steps(flow.steps))
    )
    operations: dict[str, OperationSpec] = {}
    procs = dict(report.library.procs)
    proc_calls = [c for proc in procs.values() for c in _calls(proc.body)]
    for call in [c for st in steps for c in st.calls] + (_calls(flow.on_failure.body) if flow.on_failure else []) \
            + proc_calls:
        spec = get_operation(call.name)
        if spec is not None:
            operations[spec.name] = spec
    return Plan(
        flow=flow,
        base_dir=base_dir,
        params=values,
        secrets=frozenset(p.name for p in flow.params if p.secret),
        steps=steps,
        retry=default,
        operations=operations,
        warnings=tuple(report.warnings),
        on_failure=flow.on_failure,
        procs=procs,
        used_files=tuple(report.library.texts()),
    )
