"""The journal: records survive, a torn last line is ignored and cut, resume state is derived."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from smflow.errors import JournalError
from smflow.run.journal import Journal, journal_path, new_run_id, read_journal


def _journal(tmp_path: Path) -> Journal:
    return Journal.create(tmp_path, "20261126-041200-blue_green-ab12", {"flow": "flows/blue_green.flow"})


def test_run_id_shape() -> None:
    run_id = new_run_id("flows/blue green.flow", datetime(2026, 11, 26, 4, 12, 0, tzinfo=UTC))
    assert run_id.startswith("20261126-041200-blue_green-")
    assert len(run_id.rsplit("-", 1)[1]) == 4


def test_records_and_resume_state(tmp_path: Path) -> None:
    with _journal(tmp_path) as j:
        j.append("step_started", index=1, step="a")
        j.append("call_intent", key="create_hosted_service#1@a", op="create_hosted_service", args={})
        j.append("call_done", key="create_hosted_service#1@a")
        j.append("step_done", index=1, step="a", bindings={"x": 1})
        j.append("step_started", index=2, step="b")
        j.append("call_intent", key="create_deployment#1@b", op="create_deployment", args={})
        j.append("call_sent", key="create_deployment#1@b", request_id="rid1")
    state = read_journal(j.path)
    assert state.header["flow"] == "flows/blue_green.flow"
    assert set(state.steps_done) == {"a"}
    assert state.steps_done["a"]["bindings"] == {"x": 1}
    assert state.steps_started == {"a", "b"}
    assert state.calls["create_hosted_service#1@a"].done
    call = state.calls["create_deployment#1@b"]
    assert call.request_id == "rid1" and not call.done and call.step == "b"
    assert state.run_status is None


def test_torn_last_line_is_ignored_then_cut_before_appending(tmp_path: Path) -> None:
    with _journal(tmp_path) as j:
        j.append("step_started", index=1, step="a")
    with j.path.open("ab") as f:
        f.write(b'{"t":"step_done","index":1,"st')  # kill -9 mid-write
    state = read_journal(j.path)
    assert state.steps_done == {}
    j2, state2 = Journal.reopen(tmp_path, j.run_id)
    with j2:
        j2.append("step_done", index=1, step="a", bindings={})
    lines = j.path.read_text().splitlines()
    assert all(json.loads(line) for line in lines)
    assert set(read_journal(j.path).steps_done) == {"a"}
    assert state2.records == 2


def test_complete_json_without_newline_counts_as_torn(tmp_path: Path) -> None:
    with _journal(tmp_path) as j:
        pass
    with j.path.open("ab") as f:
        f.write(b'{"t":"run_done","status":"succeeded"}')
    assert read_journal(j.path).run_status is None


def test_corrupt_middle_line_is_refused(tmp_path: Path) -> None:
    with _journal(tmp_path) as j:
        j.append("step_started", index=1, step="a")
    text = j.path.read_text().splitlines()
    j.path.write_text(text[0] + "\nnot json\n" + text[1] + "\n")
    with pytest.raises(JournalError, match=":2: unreadable"):
        read_journal(j.path)


def test_missing_and_malformed_ids(tmp_path: Path) -> None:
    with pytest.raises(JournalError, match="does not exist"):
        Journal.reopen(tmp_path, "20261126-041200-x-0000")
    with pytest.raises(JournalError, match="not a run id"):
        journal_path(tmp_path, "../../etc/passwd")


def test_create_refuses_to_overwrite(tmp_path: Path) -> None:
    _journal(tmp_path).close()
    with pytest.raises(JournalError, match="cannot create"):
        _journal(tmp_path)


def test_run_done_and_resumed(tmp_path: Path) -> None:
    with _journal(tmp_path) as j:
        j.append("run_done", status="failed")
    assert read_journal(j.path).run_status == "failed"
    j2, _ = Journal.reopen(tmp_path, j.run_id)
    with j2:
        j2.append("run_resumed")
    assert read_journal(j.path).run_status is None


def test_a_run_still_going_cannot_be_resumed_twice(tmp_path: Path) -> None:
    with _journal(tmp_path) as j:
        with pytest.raises(JournalError, match="still running in another process"):
            Journal.reopen(tmp_path, j.run_id)
    j2, _ = Journal.reopen(tmp_path, j.run_id)  # released on close (and by a kill -9)
    j2.close()


def test_a_taken_run_id_is_drawn_again_when_a_fresh_one_is_offered(tmp_path: Path) -> None:
    taken = "20261126-041200-blue_green-ab12"
    _journal(tmp_path).close()
    with pytest.raises(JournalError, match="cannot create the run journal"):
        Journal.create(tmp_path, taken, {"flow": "flows/blue_green.flow"})
    ids = iter([taken, "20261126-041200-blue_green-cd34"])
    with Journal.create(tmp_path, taken, {"flow": "flows/blue_green.flow"}, fresh_id=lambda: next(ids)) as j:
        assert j.run_id == "20261126-041200-blue_green-cd34"
        assert j.path == journal_path(tmp_path, j.run_id)
    assert read_journal(j.path).header["run_id"] == "20261126-041200-blue_green-cd34"
    assert read_journal(journal_path(tmp_path, taken)).header["run_id"] == taken


def test_a_pending_journal_is_made_beside_the_load_and_removed_if_the_run_never_starts(tmp_path: Path) -> None:
    from smflow.run.journal import PendingJournal

    runs = tmp_path / "runs"
    runs.mkdir()
    unused = PendingJournal(runs, "20261126-041200-blue_green-ab12")
    unused.discard()
    assert list(runs.iterdir()) == []
    with PendingJournal(runs, "20261126-041200-blue_green-ab13").open({"flow": "f.flow"}) as j:
        j.append("step_started", index=1, step="a", durable=True)
        j.wait_durable()
    assert read_journal(j.path).steps_started == {"a"}


def test_a_pending_journal_makes_its_directory_only_when_opened(tmp_path: Path) -> None:
    from smflow.run.journal import PendingJournal

    runs = tmp_path / ".smflow" / "runs"
    PendingJournal(runs, "20261126-041200-blue_green-ab12").discard()
    assert not (tmp_path / ".smflow").exists()  # a flow that fails its check leaves nothing behind
    with PendingJournal(runs, "20261126-041200-blue_green-ab12").open({"flow": "f.flow"}) as j:
        pass
    assert read_journal(j.path).header["flow"] == "f.flow"


def test_a_failed_sync_is_never_forgotten(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """After a failed fsync the kernel may report success next time for pages it dropped: one
    failure fails every later wait, even when a second sync was queued before the first was
    awaited."""
    import errno
    import os

    calls: list[int] = []
    real = os.fdatasync

    def first_fails(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 1:
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        real(fd)

    j = _journal(tmp_path)
    monkeypatch.setattr(os, "fdatasync", first_fails)
    j.append("call_intent", key="a#1@s", op="a", args={}, durable=True)
    j.append("call_intent", key="b#1@s", op="b", args={}, durable=True)  # queued before any wait
    with pytest.raises(JournalError, match="Input/output error"):
        j.wait_durable()
    j.append("call_intent", key="c#1@s", op="c", args={}, durable=True)
    with pytest.raises(JournalError, match="Input/output error"):
        j.wait_durable()
    monkeypatch.undo()
    with pytest.raises(JournalError):
        j.close()  # the file is closed all the same
    assert j._fd == -1


def test_a_step_whose_undo_began_runs_again_with_its_bindings_and_its_writes_read_back(tmp_path: Path) -> None:
    with _journal(tmp_path) as j:
        j.append("step_started", index=4, step="swap")
        j.append("bind", step="swap", index=4, key="old#1", value="v1")
        j.append("call_intent", key="swap_deployment#1@swap", op="swap_deployment", args={})
        j.append("call_sent", key="swap_deployment#1@swap", request_id="rid-swap")
        j.append("call_done", key="swap_deployment#1@swap", request_id="rid-swap")
        j.append("step_done", index=4, step="swap", bound={"old": "old#1"}, undos=[0])
        j.append("rolling_back", index=4, step="swap")  # killed here: the undo may or may not have run
    state = read_journal(j.path)
    assert "swap" not in state.steps_done
    assert state.binds["swap"] == {"old#1": "v1"}  # replayed: the deployment it named before the swap
    call = state.calls["swap_deployment#1@swap"]
    assert not call.done and call.request_id is None  # read back before it is sent again
    with Journal.reopen(tmp_path, j.run_id)[0] as again:  # the re-run's records win
        again.append("call_done", key="swap_deployment#1@swap", op="swap_deployment", read_back=True)
        again.append("step_done", index=4, step="swap", bound={"old": "old#1"}, undos=[0])
    state = read_journal(j.path)
    assert "swap" in state.steps_done and state.calls["swap_deployment#1@swap"].done


# Found by mutation testing (tools/mutation.py): each expectation below is written out by hand.

def test_an_empty_journal_says_the_run_died_before_it_started(tmp_path: Path) -> None:
    path = tmp_path / "20261126-041200-x-ab12.jsonl"
    path.write_bytes(b"")
    with pytest.raises(JournalError) as caught:
        read_journal(path)
    assert str(caught.value) == f"{path}: the journal is empty (the run died before it started)"


def test_a_discarded_pending_journal_leaves_no_file_even_when_its_creation_was_still_running(tmp_path: Path) -> None:
    from smflow.run import syncthread
    from smflow.run.journal import PendingJournal

    PendingJournal(tmp_path, "20261126-041200-x-ab12").discard()  # run_id never asked: the job is waited here
    syncthread.start(lambda: None).wait()  # jobs run in order: the creation has finished by now
    assert list(tmp_path.iterdir()) == []


def test_a_format_1_journal_names_its_calls_and_binds_by_step(tmp_path: Path) -> None:
    lines = [
        {"t": "run", "format": 1, "run_id": "20261126-041200-x-ab12", "flow": "x.flow"},
        {"t": "step_started", "index": 1, "step": "create"},
        {"t": "call_intent", "key": "1/create_hosted_service#1", "op": "create_hosted_service", "args": {}},
        {"t": "call_sent", "key": "1/create_hosted_service#1", "request_id": "r1"},
        {"t": "bind", "index": 1, "key": "props#1", "value": 7},
        {"t": "call_intent", "key": "undo1/delete_hosted_service#1", "op": "delete_hosted_service", "args": {}},
    ]
    path = tmp_path / "20261126-041200-x-ab12.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    state = read_journal(path)
    assert set(state.calls) == {"create_hosted_service#1@create", "undo1/delete_hosted_service#1"}
    assert state.calls["create_hosted_service#1@create"].request_id == "r1"
    assert state.calls["create_hosted_service#1@create"].step == "create"
    assert state.binds == {"create": {"props#1": 7}}


def test_a_journal_that_cannot_be_appended_to_is_a_journal_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Root opens any file for writing, so the refusal (a read-only file or filesystem) is simulated."""
    import errno
    import os

    _journal(tmp_path).close()
    path = journal_path(tmp_path, "20261126-041200-blue_green-ab12")

    def refused(*args: object, **kwargs: object) -> int:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(os, "open", refused)
    with pytest.raises(JournalError) as caught:
        Journal.reopen(tmp_path, "20261126-041200-blue_green-ab12")
    assert str(caught.value) == f"cannot append to the run journal {path}: Read-only file system"


def test_a_torn_tail_that_cannot_be_cut_is_a_journal_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno
    import os

    with _journal(tmp_path) as j:
        pass
    with j.path.open("ab") as f:
        f.write(b'{"t":"step_sta')

    def fails(fd: int, length: int) -> None:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(os, "ftruncate", fails)
    with pytest.raises(JournalError) as caught:
        Journal.reopen(tmp_path, j.run_id)
    assert str(caught.value) == f"cannot append to the run journal {j.path}: Input/output error"
    monkeypatch.undo()  # the disk works again: the failed reopen left no descriptor holding the lock
    reopened, _ = Journal.reopen(tmp_path, j.run_id)
    reopened.close()


def test_the_embedded_emulators_state_lives_beside_the_journal_under_the_documented_name(tmp_path: Path) -> None:
    from smflow.run.journal import emulator_state_path

    assert journal_path(tmp_path, "20261130-010203-f-0a1b") == tmp_path / "20261130-010203-f-0a1b.jsonl"
    assert emulator_state_path(tmp_path, "20261130-010203-f-0a1b") == tmp_path / "20261130-010203-f-0a1b.emulator.sqlite"
