"""The checker's verdicts on small flows, found worth pinning by mutation testing
(tools/mutation.py): each expected diagnostic, type or value is written out by hand."""

from __future__ import annotations

from smflow.asm.types import INT, STRING
from smflow.dsl.checker import check, diagnose
from smflow.dsl.parser import parse_flow

STORAGE = 'create_storage_account(service_name: {}, description: "d", label: "l", location: "West US")'


def _found(text: str, vars: dict[str, str] | None = None) -> list[tuple[str, str, str, int]]:
    return [(d.severity, d.code, d.message, d.span.line) for d in diagnose(text, "t.flow", vars)]


def test_a_param_value_known_before_the_run_is_validated_where_it_is_used() -> None:
    bad = "service_name must be 3 to 24 lowercase letters and digits, got 'Not_Valid!'"
    by_default = f'flow t "x"\nparam name = "Not_Valid!"\nstep "s" {{\n    {STORAGE.format("name")}\n}}\n'
    assert _found(by_default) == [("error", "InvalidValue", bad, 4)]
    by_var = f'flow t "x"\nparam name = "okname"\nstep "s" {{\n    {STORAGE.format("name")}\n}}\n'
    assert _found(by_var) == []
    assert _found(by_var, {"name": "Not_Valid!"}) == [("error", "InvalidValue", bad, 4)]


def test_a_wait_whose_interval_is_longer_than_its_timeout() -> None:
    text = ('flow t "x"\nstep "s" {\n'
            '    wait until exists get_hosted_service_properties(service_name: "svc") every 10m timeout 5m\n'
            '    wait until exists get_hosted_service_properties(service_name: "svc") every 5m timeout 10m\n}\n')
    assert _found(text) == [("error", "DurationOutOfRange", "wait interval 10m is longer than its timeout 5m", 3)]


def test_an_untyped_param_takes_the_type_of_its_default() -> None:
    flow = parse_flow('flow t "x"\nparam count = 3\nparam name = "a"\nstep "s" {\n    log "${count} ${name}"\n}\n',
                      "t.flow")
    report = check(flow)
    assert report.errors == [] and report.warnings == []
    assert report.param_types == {"count": INT, "name": STRING}


def test_a_flow_retry_backoff_is_bounded_at_both_ends() -> None:
    """The flow-level clause only: step-level retry clauses are pinned by their own tests."""
    text = 'flow t "x"\nretry attempts 3 backoff 5ms..2h\nstep "s" {\n    log "hi"\n}\n'
    assert _found(text) == [("error", "DurationOutOfRange", "backoff 5ms is out of range (10ms to 1h)", 2),
                            ("error", "DurationOutOfRange", "backoff 2h is out of range (10ms to 1h)", 2)]


def test_a_name_bound_inside_an_undo_block_is_not_in_scope_after_it() -> None:
    text = ('flow t "x"\nstep "a" {\n    log "a"\n'
            '    undo { old = get_hosted_service_properties(service_name: "svc") }\n}\n'
            'step "b" {\n    log "${old.service_name}"\n}\n')
    assert _found(text) == [("error", "UndefinedName", "undefined name 'old'", 7)]


def test_the_messages_of_log_and_confirm_are_checked() -> None:
    text = 'flow t "x"\nstep "a" {\n    log "v ${nope}"\n    confirm "go ${never}?"\n}\n'
    assert _found(text) == [("error", "UndefinedName", "undefined name 'nope'", 3),
                            ("error", "UndefinedName", "undefined name 'never'", 4)]


def test_a_flow_nested_too_deeply_to_check_is_an_error() -> None:
    deep = 'flow t "x"\nstep "a" {\n' + '    if true {\n' * 600 + '    log "x"\n' + '}\n' * 600 + '}\n'
    assert _found(deep) == [("error", "NotSupported", "the flow is nested too deeply to check", 1)]


def test_the_expressions_inside_log_confirm_and_assert_messages_are_typed() -> None:
    logged = 'flow t "x"\nstep "a" {\n    log "n ${length(5)}"\n}\n'
    assert _found(logged) == [("error", "TypeMismatch", "length() needs a list, map or string, got int", 3)]
    asked = 'flow t "x"\nparam a = "s"\nstep "a" {\n    confirm "go ${a.b}?"\n}\n'
    assert _found(asked) == [("error", "UnknownAttribute", "a string has no attribute 'b'", 4)]
    asserted = 'flow t "x"\nstep "a" {\n    assert true, "m ${length(5)}"\n}\n'
    assert _found(asserted) == [("error", "TypeMismatch", "length() needs a list, map or string, got int", 3)]
