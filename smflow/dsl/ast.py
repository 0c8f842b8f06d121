"""The syntax tree of a ``.flow`` file: frozen dataclasses, one per construct, each with a span.

Why a separate module: the transformer builds these, the checker reads them, and the executor
walks them (through ``smflow.dsl.plan.Plan``). None of them may see a lark type, so a change of
parser never ripples past ``smflow.dsl.transformer``. Node names follow the grammar rules in
``grammar/smflow.lark`` (``call_stmt`` ↔ ``CallStmt``). Every node's first field is
``span: Span``: the region of the source the node was written in, used by every diagnostic and
every run-time error.

A flow reads top to bottom::

    flow blue_green "Blue/green release"         # Flow(name, description)
    use "lib/common.flow"                         # Use (procedures from another file)
    param service = "svc"                         # Param (type inferred from the default)
    param package_url : string                    # Param (required: no default)
    secret param admin_password : string          # Param(secret=True)
    retry attempts 6 backoff 2s..1m jitter on transient   # RetryClause (flow default)
    proc publish(service: string, slot: string = "staging") {   # Proc(params, body, result)
        ...
        return d.url
    }
    step "deploy" timeout 30m retry attempts 3 {  # Step(timeout, retry, body)
        old = get_deployment_by_slot(service_name: service, deployment_slot: "production")
        create_deployment(...)                    # CallStmt (async ops are awaited)
        wait until exists get_hosted_service_properties(service_name: service)
             every 10s timeout 5m                 # WaitStmt
        if old.status == "Running" { ... } else if ... { ... } else { ... }   # IfStmt
        assert length(old.role_instance_list) > 0, "no instances"           # AssertStmt
        confirm "Swap ${version} in?"             # ConfirmStmt (a manual gate)
        log "done"                                # LogStmt
        undo { delete_deployment(...) }           # UndoStmt (run by ``rollback``)
    }
    output url = d.url                            # Output (handed to CI after the last step)
    on failure {                                  # OnFailure (names failed_step, error)
        rollback                                  # RollbackStmt
    }

Values inside nodes are already Python values (``Int.value`` is an ``int``, ``Duration.seconds``
a ``float``); only ``String`` keeps structure, because of ``${...}`` interpolation.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Literal, TypeAlias, TypeVar

from smflow.source import Span

__all__ = [
    "Arg",
    "AssertStmt",
    "AssignStmt",
    "Attribute",
    "BinaryOp",
    "Bool",
    "BuiltinCall",
    "BUILTINS",
    "Call",
    "CallStmt",
    "Conditional",
    "ConfirmStmt",
    "Duration",
    "DurationRef",
    "Exists",
    "Expr",
    "Float",
    "Flow",
    "ForStmt",
    "IfStmt",
    "Index",
    "Int",
    "ListExpr",
    "LogStmt",
    "Name",
    "Node",
    "Null",
    "OnFailure",
    "Output",
    "Param",
    "Proc",
    "ProcParam",
    "Quantifier",
    "Record",
    "RecordEntry",
    "RetryClause",
    "RollbackStmt",
    "Slice",
    "Stmt",
    "Step",
    "StepItem",
    "StepLoop",
    "TryExpr",
    "String",
    "StringPart",
    "TypeRef",
    "UnaryOp",
    "UndoStmt",
    "Use",
    "WaitStmt",
    "children",
    "descendants",
    "duration_seconds",
    "duration_text",
    "flat_steps",
    "walk",
]

# Functions computed locally rather than sent to the service. Any other callee is an operation
# of the catalogue. ``file`` reads relative to the flow file's directory.
# The list lives in smflow.dsl.expressions._BUILTINS (with each builtin's types); this is its key set,
# kept here so that the transformer and the language server need not import the checker.
BUILTINS: frozenset[str] = frozenset({
    "file", "base64", "env", "env_secret", "now", "length", "lower", "upper",
    "split", "join", "replace", "trim", "starts_with", "ends_with", "contains",
    "format_time", "url_host", "keys", "values",
    # values drawn from the world, recorded by a run (smflow.run.drawn)
    "uuid",
    # service configuration (.cscfg) text (smflow.dsl.cscfg)
    "cscfg_roles", "cscfg_instances", "cscfg_set_instances", "cscfg_setting", "cscfg_set_setting",
    "cscfg_os_family", "cscfg_set_os_family",
})


# --------------------------------------------------------------------------------------------
# Expressions
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class String:
    """A string literal. ``parts`` alternates plain text (``str``, escapes already decoded) and
    interpolated expressions (``${expr}``); a string without interpolation has one ``str`` part
    (or none when empty). Evaluated as the concatenation of ``str()`` of each part."""

    span: Span
    parts: tuple[StringPart, ...]

    @property
    def is_plain(self) -> bool:
        """True when there is no ``${...}``: the value is known before running."""
        return all(isinstance(p, str) for p in self.parts)

    @property
    def text(self) -> str:
        """The literal text (only meaningful when ``is_plain``)."""
        return "".join(p for p in self.parts if isinstance(p, str))


@dataclass(frozen=True, slots=True)
class Int:
    """An integer literal, e.g. ``6`` (a leading ``-`` is a ``UnaryOp``)."""

    span: Span
    value: int


@dataclass(frozen=True, slots=True)
class Float:
    """A decimal literal, e.g. ``0.5``."""

    span: Span
    value: float


@dataclass(frozen=True, slots=True)
class Bool:
    """``true`` or ``false``."""

    span: Span
    value: bool


@dataclass(frozen=True, slots=True)
class Null:
    """``null``: absent (an optional argument left out, a missing attribute)."""

    span: Span


@dataclass(frozen=True, slots=True)
class Duration:
    """A duration literal: ``30s``, ``5m``, ``1h``, ``1d``, ``500ms``. ``seconds`` is the value;
    ``text`` is how it was written (for messages)."""

    span: Span
    seconds: float
    text: str


@dataclass(frozen=True, slots=True)
class ListExpr:
    """``[a, b, c]``."""

    span: Span
    items: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class RecordEntry:
    """One ``key: value`` of a record; ``key_span`` covers the key alone."""

    span: Span
    key: str
    key_span: Span
    value: Expr


@dataclass(frozen=True, slots=True)
class Record:
    """``{key: value, ...}``: a structured argument (e.g. a VM system configuration)."""

    span: Span
    entries: tuple[RecordEntry, ...]


@dataclass(frozen=True, slots=True)
class Name:
    """A reference to a param, a binding, a quantifier variable, or ``failed_step``/``error``."""

    span: Span
    name: str


@dataclass(frozen=True, slots=True)
class Attribute:
    """``obj.attr`` on a result model or a record; ``attr_span`` covers the attribute name."""

    span: Span
    obj: Expr
    attr: str
    attr_span: Span


@dataclass(frozen=True, slots=True)
class Index:
    """``obj[index]`` on a list (int index) or a mapping (string key)."""

    span: Span
    obj: Expr
    index: Expr


@dataclass(frozen=True, slots=True)
class Slice:
    """``obj[start:stop]`` on a list or a string; either bound may be left out (``None``).
    Bounds work as in Python (negative counts from the end) and never fail out of range."""

    span: Span
    obj: Expr
    start: Expr | None
    stop: Expr | None


@dataclass(frozen=True, slots=True)
class Arg:
    """One argument of a call: ``name: value`` for operations, or positional (``name`` None)
    for builtins. ``name_span`` is the span of the name (the value's span when positional)."""

    span: Span
    name: str | None
    name_span: Span
    value: Expr


@dataclass(frozen=True, slots=True)
class Call:
    """An operation of the catalogue, called with named arguments: ``get_deployment_by_slot(
    service_name: s, deployment_slot: "staging")``. Asynchronous operations are awaited.
    As a statement it is wrapped in ``CallStmt``; inside an expression its value is the result
    model (a dataclass of ``smflow.asm.models``) or None for writes."""

    span: Span
    name: str
    name_span: Span
    args: tuple[Arg, ...]

    def arg(self, name: str) -> Arg | None:
        return next((a for a in self.args if a.name == name), None)


@dataclass(frozen=True, slots=True)
class BuiltinCall:
    """A call of a name in ``BUILTINS`` (``file("x")``, ``env("HOME", "/")``, ``now()``),
    computed locally by the evaluator. Arguments are positional."""

    span: Span
    name: str
    name_span: Span
    args: tuple[Arg, ...]


@dataclass(frozen=True, slots=True)
class Exists:
    """``exists op(...)``: true unless the read operation answers 404 (``NotFoundError``)."""

    span: Span
    call: Call


@dataclass(frozen=True, slots=True)
class Quantifier:
    """``all(items, x => cond)`` / ``any(items, x => cond)``: ``var`` is bound to each item
    in turn while ``condition`` is evaluated; ``all`` of an empty list is true."""

    span: Span
    kind: Literal["all", "any"]
    items: Expr
    var: str
    var_span: Span
    condition: Expr


# The comparison, logic, membership and arithmetic operators, as written in the source.
BinaryOperator = Literal["==", "!=", "<", "<=", ">", ">=", "and", "or", "in", "not in", "+", "-", "*"]


@dataclass(frozen=True, slots=True)
class BinaryOp:
    """``left op right``: comparisons, ``and``/``or`` (short-circuit), ``in``/``not in``, and
    arithmetic: ``+`` joins strings (and lists), adds numbers and durations; ``-`` subtracts
    numbers and durations; ``*`` multiplies numbers, or a duration by a number.
    ``op_span`` covers the operator."""

    span: Span
    op: BinaryOperator
    left: Expr
    right: Expr
    op_span: Span


@dataclass(frozen=True, slots=True)
class UnaryOp:
    """``not x`` or ``-x``."""

    span: Span
    op: Literal["not", "-"]
    operand: Expr


@dataclass(frozen=True, slots=True)
class Conditional:
    """``if cond then a else b``: ``a`` when ``cond`` is true, else ``b`` (only the chosen
    branch is evaluated, so an operation call in the other one is not made)."""

    span: Span
    condition: Expr
    then: Expr
    orelse: Expr


@dataclass(frozen=True, slots=True)
class TryExpr:
    """``try op(...)`` or ``try op(...).attr...``: null when the read operation answers 404 (only
    404: any other error still fails), so a resource that may be absent costs one request. The
    whole chain after ``try`` is skipped, so in ``wait until try get_x(...).status == "Running"``
    an absent resource counts as "not yet". Operations inside the arguments are not covered."""

    span: Span
    expr: Expr

    @property
    def call(self) -> Expr:
        """The root of the chain: the operation call whose 404 gives null (when it is a Call)."""
        node = self.expr
        while isinstance(node, (Attribute, Index, Slice)):
            node = node.obj
        return node


Expr: TypeAlias = (
    String
    | Int
    | Float
    | Bool
    | Null
    | Duration
    | ListExpr
    | Record
    | Name
    | Attribute
    | Index
    | Slice
    | Call
    | BuiltinCall
    | Exists
    | Quantifier
    | BinaryOp
    | UnaryOp
    | Conditional
    | TryExpr
)
StringPart: TypeAlias = str | Expr
# Where a duration is wanted (``timeout``, ``every``, ``backoff``): a literal, or the name of a
# ``param NAME : duration`` (the checker allows only those: their value is known before the run).
DurationRef: TypeAlias = Duration | Name


def duration_text(ref: DurationRef) -> str:
    """How the duration was written: ``30s``, or the param's name."""
    return ref.text if isinstance(ref, Duration) else ref.name


def duration_seconds(ref: DurationRef, params: Mapping[str, object]) -> float:
    """The seconds of a ``timeout``/``every``/``backoff``: the literal's, or the duration param's
    value (params are all known before the first step runs)."""
    if isinstance(ref, Duration):
        return ref.seconds
    value = params[ref.name]
    assert isinstance(value, (int, float)), f"duration param {ref.name} holds {type(value).__name__}"
    return float(value)


# --------------------------------------------------------------------------------------------
# Statements (inside a step, an undo block, an if branch, or ``on failure``)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CallStmt:
    """An operation called for its effect; the result is discarded. Async ops are awaited."""

    span: Span
    call: Call


@dataclass(frozen=True, slots=True)
class AssignStmt:
    """``name = expr``: binds a name for the rest of the flow (later steps, undo blocks,
    ``on failure``). ``name_span`` covers the name."""

    span: Span
    name: str
    name_span: Span
    value: Expr


@dataclass(frozen=True, slots=True)
class WaitStmt:
    """``wait until cond every 15s timeout 20m``: re-evaluate ``condition`` (operation calls
    included) every ``every`` until it is true, failing with ``WaitTimeoutError`` after
    ``timeout``. Either may be omitted: the executor then uses its defaults (checker warns
    ``WaitWithoutTimeout``)."""

    span: Span
    condition: Expr
    every: DurationRef | None
    timeout: DurationRef | None


@dataclass(frozen=True, slots=True)
class IfStmt:
    """``if cond { ... } else { ... }``. ``else if`` is an ``orelse`` holding one ``IfStmt``."""

    span: Span
    condition: Expr
    then: tuple[Stmt, ...]
    orelse: tuple[Stmt, ...]


@dataclass(frozen=True, slots=True)
class AssertStmt:
    """``assert cond, "message"``: the step fails with the message when ``cond`` is false."""

    span: Span
    condition: Expr
    message: String | None


@dataclass(frozen=True, slots=True)
class ConfirmStmt:
    """``confirm "message"``: a manual gate; the run stops unless the operator says yes."""

    span: Span
    message: String


@dataclass(frozen=True, slots=True)
class LogStmt:
    """``log "message"``: a line in the run's output and journal (secrets masked)."""

    span: Span
    message: String


@dataclass(frozen=True, slots=True)
class UndoStmt:
    """``undo { ... }`` inside a step: registered when reached, run by ``rollback`` (newest
    step first). It may use only names bound before it."""

    span: Span
    body: tuple[Stmt, ...]


@dataclass(frozen=True, slots=True)
class RollbackStmt:
    """``rollback`` (only inside ``on failure``): run the registered undo blocks of the
    completed steps (and the failed one's, if registered), newest first."""

    span: Span


# --------------------------------------------------------------------------------------------
# Loops (inside a step, and around steps)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ForStmt:
    """``for x in LIST { ... }`` inside a step: the statements once per item, in order. The list
    is evaluated once, when the loop is reached; ``var`` is bound to each item in turn and is
    local to the body. Calls made in the body are journaled per iteration (their call keys
    carry the iteration), so a resumed step never mixes them up."""

    span: Span
    var: str
    var_span: Span
    items: Expr
    body: tuple[Stmt, ...]


Stmt: TypeAlias = (
    CallStmt
    | AssignStmt
    | WaitStmt
    | IfStmt
    | AssertStmt
    | ConfirmStmt
    | LogStmt
    | UndoStmt
    | RollbackStmt
    | ForStmt
)


# --------------------------------------------------------------------------------------------
# Declarations
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TypeRef:
    """A param type as written: ``string``, ``int``, ``bool``, ``duration``, ``list`` (of
    strings) or ``list[int]`` etc. ``item`` is set for ``list[...]``."""

    span: Span
    name: str
    item: TypeRef | None = None


@dataclass(frozen=True, slots=True)
class Param:
    """``[secret] param NAME [: TYPE] [= DEFAULT]``. Without a default the param is required
    (``--var NAME=VALUE``). A secret param's value is never printed, journaled or recorded."""

    span: Span
    name: str
    name_span: Span
    type: TypeRef | None
    default: Expr | None
    secret: bool = False


@dataclass(frozen=True, slots=True)
class RetryClause:
    """``retry [attempts N] [backoff MIN..MAX] [jitter] [on KIND, ...]``: at flow level the
    default for every step; after a step name, that step's override (fields left None inherit
    from the flow default). ``on`` names the error kinds that count as transient."""

    span: Span
    attempts: Int | None
    backoff_min: DurationRef | None
    backoff_max: DurationRef | None
    jitter: bool | None
    on: tuple[Name, ...] | None


@dataclass(frozen=True, slots=True)
class Step:
    """``step "name" [timeout D] [retry ...] { statements }``; steps run in file order, names
    are unique. ``name_span`` covers the quoted name."""

    span: Span
    name: str
    name_span: Span
    timeout: DurationRef | None
    retry: RetryClause | None
    body: tuple[Stmt, ...]


@dataclass(frozen=True, slots=True)
class StepLoop:
    """``[parallel] for x in LIST [max N] { step "... ${x}" { ... } ... }``: the steps once per
    item. Each step's name must interpolate ``var`` (``names`` holds the names as written, in
    the order of ``body``), so each iteration's steps are steps of their own in the journal
    (resume, rollback). ``parallel`` runs up to ``limit`` iterations at once (an ``Int`` or the
    name of an int param; ``None`` for a sequential loop)."""

    span: Span
    var: str
    var_span: Span
    items: Expr
    parallel: bool
    limit: Int | Name | None
    body: tuple[Step, ...]
    names: tuple[String, ...]


StepItem: TypeAlias = Step | StepLoop


def flat_steps(items: tuple[StepItem, ...]) -> tuple[Step, ...]:
    """Every step of a flow in source order, those inside loops included (as written: their
    names still hold ``${...}``)."""
    out: list[Step] = []
    for item in items:
        if isinstance(item, StepLoop):
            out.extend(item.body)
        else:
            out.append(item)
    return tuple(out)


@dataclass(frozen=True, slots=True)
class OnFailure:
    """``on failure { ... }``: run once when a step fails; ``failed_step`` (string) and
    ``error`` (string) are bound inside it; ``rollback`` is allowed only here."""

    span: Span
    body: tuple[Stmt, ...]


@dataclass(frozen=True, slots=True)
class Output:
    """``output NAME = EXPR`` after the steps: a value the run hands to CI (``--outputs FILE``,
    ``$GITHUB_OUTPUT``, ``--json``, the pytest plugin's result). Evaluated once, after the last
    step succeeded, in the scope the flow ends with; it may not call an operation or hold a
    secret (``smflow.run.outputs``). ``name_span`` covers the name."""

    span: Span
    name: str
    name_span: Span
    value: Expr


@dataclass(frozen=True, slots=True)
class Use:
    """``use "lib/common.flow"``: the procedures of another file (a path relative to this one),
    resolved by ``smflow.dsl.library``."""

    span: Span
    path: String


@dataclass(frozen=True, slots=True)
class ProcParam:
    """``name: type [= default]`` of a procedure; the type is required (checked at each call)."""

    span: Span
    name: str
    name_span: Span
    type: TypeRef
    default: Expr | None


@dataclass(frozen=True, slots=True)
class Proc:
    """``proc name(params) { statements [return expr] }``: run inside the calling step, with its
    params as its only names. ``result`` is the ``return`` expression (None: returns null);
    ``result_span`` covers the whole ``return`` statement."""

    span: Span
    name: str
    name_span: Span
    params: tuple[ProcParam, ...]
    body: tuple[Stmt, ...]
    result: Expr | None
    result_span: Span | None


@dataclass(frozen=True, slots=True)
class Flow:
    """A whole file: the header (``flow NAME "description"``) and its declarations in order.
    ``span`` is the header; ``span.source`` is the file."""

    span: Span
    name: str
    description: str
    uses: tuple[Use, ...]
    params: tuple[Param, ...]
    retry: RetryClause | None
    steps: tuple[StepItem, ...]  # steps, and loops around steps (``flat_steps`` for every step)
    on_failure: OnFailure | None
    outputs: tuple[Output, ...] = ()  # written after the steps (and before ``on failure``)
    procs: tuple[Proc, ...] = ()


Node: TypeAlias = (
    Expr
    | Stmt
    | Arg
    | RecordEntry
    | TypeRef
    | Param
    | RetryClause
    | Step
    | StepLoop
    | OnFailure
    | Output
    | Use
    | ProcParam
    | Proc
    | Flow
)


def children(node: object) -> Iterator[object]:
    """The direct child nodes of ``node`` (in field order), skipping spans and plain values."""
    names = _CHILD_FIELDS.get(type(node))
    if names is None:
        names = _child_fields(node)
    for name in names:
        value = getattr(node, name)
        if isinstance(value, tuple):
            for item in value:
                if _is_child(item, Span):
                    yield item
        elif _is_child(value, (Span, type)):
            yield value


# The executor and the planner walk the same (immutable) trees on every run: the field names of
# a node class, and whether a value's class is a non-span dataclass, are looked up once per class.
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}
_NODE_CLASS: dict[type, bool] = {}


def _child_fields(node: object) -> tuple[str, ...]:
    names = tuple(f.name for f in dataclasses.fields(node) if f.name != "span")  # type: ignore[arg-type]
    _CHILD_FIELDS[type(node)] = names
    return names


def _is_child(value: object, skip: type | tuple[type, ...]) -> bool:
    """``dataclasses.is_dataclass(value) and not isinstance(value, skip)``, cached per class for
    instances (a class object itself takes the uncached path: it is rare and ``skip`` decides)."""
    if isinstance(value, type):
        return dataclasses.is_dataclass(value) and not isinstance(value, skip)
    cls = type(value)
    known = _NODE_CLASS.get(cls)
    if known is None:
        known = _NODE_CLASS[cls] = dataclasses.is_dataclass(cls) and not issubclass(cls, Span)
    return known


def walk(node: object) -> Iterator[object]:
    """``node`` and all its descendants, depth first in source order."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(list(children(current))))


N = TypeVar("N")

# (id(body), cls) -> (body, nodes). The body is kept so its id cannot be reused while cached.
_DESCENDANTS: dict[tuple[int, type], tuple[tuple[object, ...], tuple[object, ...]]] = {}
_DESCENDANTS_MAX = 1024


def descendants(body: tuple[object, ...], cls: type[N]) -> tuple[N, ...]:
    """Every node of type ``cls`` in ``body`` (each statement walked depth first, in source order).

    Trees are immutable and a flow's AST is kept between runs, so the planner (operation calls)
    and the executor (undo blocks) ask the same question of the same body on every run: the
    answer is memoised per body object.
    """
    key = (id(body), cls)
    cached = _DESCENDANTS.get(key)
    if cached is not None and cached[0] is body:
        return cached[1]  # type: ignore[return-value]
    found = tuple(n for s in body for n in walk(s) if isinstance(n, cls))
    if len(_DESCENDANTS) >= _DESCENDANTS_MAX:
        _DESCENDANTS.clear()
    _DESCENDANTS[key] = (body, found)
    return found
