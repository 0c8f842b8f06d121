"""Operation calls checked against the catalogue: names, arguments, types, constraints.

Why its own module: this is where the checker meets the API description. Argument names and
types come from ``smflow.asm.catalogue``; values known before running (literals, params with
a known value) go through ``smflow.asm.validation`` so the checker refuses exactly what the
client would refuse, with a caret under the value instead of an error after a request.
"""

from __future__ import annotations

from smflow.asm.catalogue import Argument, OperationSpec, get_operation, operation_names
from smflow.asm.types import EnumType, ListType, RecordType, Type
from smflow.asm.validation import validate_arguments, validate_value
from smflow.dsl import ast
from smflow.dsl.expressions import ExprChecker, compatible, describe_type, did_you_mean

__all__ = ["ArgumentChecker"]

# Per operation spec (by identity; specs are frozen): its arguments by name, first one wins as
# in ``OperationSpec.argument``, and its required ones. Both are otherwise rebuilt or scanned
# for every argument of every call.
_INDEX: dict[int, tuple[OperationSpec, dict[str, Argument], tuple[Argument, ...]]] = {}


def _index(spec: OperationSpec) -> tuple[dict[str, Argument], tuple[Argument, ...]]:
    entry = _INDEX.get(id(spec))
    if entry is None or entry[0] is not spec:
        if len(_INDEX) > 4096:  # specs made on the fly (tests): keep the cache bounded
            _INDEX.clear()
        by_name: dict[str, Argument] = {}
        for a in spec.arguments:
            by_name.setdefault(a.name, a)
        entry = _INDEX[id(spec)] = (spec, by_name, spec.required)
    return entry[1], entry[2]


class ArgumentChecker(ExprChecker):
    """Adds operation calls (and record arguments) to expression typing."""

    # operation calls ---------------------------------------------------------------------
    def call(self, call: ast.Call) -> OperationSpec | None:
        """Check a call against the catalogue; return its spec (None when unknown)."""
        if call.name in self.procs:  # reached only through `exists` or `try` (type_of checks proc calls)
            self.report("TypeMismatch", f"'{call.name}' is a proc: exists and try need a read operation",
                        call.name_span)
            self.proc_call(call)
            return None
        spec = get_operation(call.name)
        if spec is None:
            if call.name in ast.BUILTINS:
                message = f"'{call.name}' is a builtin, not an operation: use its value (x = {call.name}(...))"
            else:
                message = f"unknown operation '{call.name}'{did_you_mean(call.name, operation_names())}"
            self.report("UnknownOperation", message, call.name_span)
            for arg in call.args:
                self.type_of(arg.value)
            return None
        self.operations[spec.name] = spec
        flagged: set[str] = set()
        seen: set[str] = set()
        statics: dict[str, object] = {}
        by_name, required = _index(spec)
        given = {a.name for a in call.args}
        # A positional value most likely meant the next required argument not written by name.
        unnamed = [a.name for a in required if a.name not in given]
        for arg in call.args:
            if arg.name is None:
                meant = unnamed.pop(0) if unnamed else None
                hint = f"write '{meant}: ...'" if meant else "write 'name: value'"
                if meant:
                    seen.add(meant)
                    flagged.add(meant)
                self.report("UnknownArgument", f"arguments of {spec.name} are named: {hint}", arg.span)
                self.type_of(arg.value)
                continue
            if arg.name in seen:
                self.report("DuplicateArgument", f"argument '{arg.name}' is given twice", arg.name_span)
                self.type_of(arg.value)
                continue
            seen.add(arg.name)
            declared = by_name.get(arg.name)
            if declared is None:
                known = [a.name for a in spec.arguments]
                self.report(
                    "UnknownArgument",
                    f"unknown argument '{arg.name}' for {spec.name}{did_you_mean(arg.name, known)}",
                    arg.name_span,
                )
                flagged.add(arg.name)
                self.type_of(arg.value)
                continue
            if not self.value(arg.value, declared.type, arg.name):
                flagged.add(arg.name)
            statics[arg.name] = self.static(arg.value)
        for declared in required:
            if declared.name not in seen:
                self.report(
                    "MissingArgument",
                    f"missing required argument '{declared.name}' ({describe_type(declared.type)}) for {spec.name}",
                    call.name_span,
                )
                flagged.add(declared.name)
        self._validate(call, spec, statics, flagged)
        return spec

    def _validate(self, call: ast.Call, spec: OperationSpec, statics: dict[str, object], flagged: set[str]) -> None:
        for name, message in validate_arguments(spec, statics):
            if name in flagged:
                continue
            arg = call.arg(name) if name is not None else None
            if arg is None:
                code = "MissingArgument" if "needs" in message else "InvalidValue"
                self.report(code, message, call.name_span)
            else:
                self.report("InvalidValue", message, arg.value.span)

    def value(self, e: ast.Expr, expected: Type, where: str) -> bool:
        """Type-check ``e`` for a slot of type ``expected``; False when a problem was reported."""
        if isinstance(e, ast.Record) and isinstance(expected, RecordType):
            return self._record(e, expected, where)
        if isinstance(e, ast.ListExpr) and isinstance(expected, ListType):
            ok = True
            for i, item in enumerate(e.items):
                ok = self.value(item, expected.item, f"{where}[{i}]") and ok
            return ok
        t = self.type_of(e)
        if not compatible(t, expected):
            self.report("TypeMismatch", f"{where} must be {describe_type(expected)}, got {describe_type(t)}", e.span)
            return False
        if isinstance(expected, EnumType):
            value = self.static(e)
            if isinstance(value, str) and not expected.accepts(value):
                problems = validate_value(expected, value, where)
                self.report("TypeMismatch", problems[0] if problems else f"{where}: bad value", e.span)
                return False
        return True

    def _record(self, e: ast.Record, expected: RecordType, where: str) -> bool:
        ok = True
        keys: set[str] = set()
        for entry in e.entries:
            if entry.key in keys:
                self.report("DuplicateArgument", f"field '{entry.key}' is given twice", entry.key_span)
                ok = False
                continue
            keys.add(entry.key)
            f = expected.field(entry.key)
            if f is None:
                names = [x.name for x in expected.fields]
                self.report(
                    "UnknownArgument",
                    f"{where} ({expected.name}) has no field '{entry.key}'{did_you_mean(entry.key, names)}",
                    entry.key_span,
                )
                ok = False
                self.type_of(entry.value)
            elif not self.value(entry.value, f.type, f"{where}.{entry.key}"):
                ok = False
        if ok:
            for message in validate_value(expected, self.static(e), where):
                code = "MissingArgument" if message.endswith("is required") else "InvalidValue"
                self.report(code, message, e.span)
                ok = False
        return ok
