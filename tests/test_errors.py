from smflow.errors import ApiError, CheckFailedError, FlowCheckError, SmflowError, UsageError
from smflow.source import SourceFile


def test_every_error_is_an_smflow_error_with_an_exit_code() -> None:
    assert UsageError("x").exit_code == 2
    assert ApiError("boom", status=500, code="InternalError").exit_code == 1
    assert issubclass(CheckFailedError, SmflowError)


def test_check_failed_renders_all_errors_sorted() -> None:
    src = SourceFile("f.flow", "one\ntwo\n")
    late = FlowCheckError("late", src.span_at(2, 1, 2, 4), "B")
    early = FlowCheckError("early", src.span_at(1, 1, 1, 4), "A")
    text = str(CheckFailedError([late, early]))
    assert text.index("early") < text.index("late")
    assert text.splitlines()[0] == "f.flow:1:1: error[A]: early"


def test_eof_span_never_negative() -> None:
    src = SourceFile("f.flow", "abc")
    span = src.span_at(-1, -1)
    assert (span.line, span.col) == (1, 4)
