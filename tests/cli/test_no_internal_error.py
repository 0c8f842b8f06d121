"""Bad input is a clean exit-2 error, never an internal error (issue 16's campaign).

Each case runs the real CLI in a subprocess on a real bad input (a hand-corrupted journal or
cassette, a damaged SQLite state, a symlink loop, a binary key, a huge flow...) and asserts what
a user is promised: exit 2, one error naming what and where, no traceback. A flow diagnostic is
one error too: its line, then the source excerpt and caret under it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIRST = ROOT / "flows" / "first_deployment.flow"
PKG = "package_url=https://acct.blob.core.windows.net/pkgs/app.cspkg"
DIAGNOSTIC = re.compile(r"^\S+:\d+:\d+: error\[\w+\]: ")
SUMMARY = re.compile(r"^smflow check: \d+ files?, \d+ error")


def smflow(*args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMFLOW_")}
    return subprocess.run([sys.executable, "-m", "smflow", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=env, stdin=subprocess.DEVNULL, errors="replace")


def assert_clean_exit_2(proc: subprocess.CompletedProcess[str], *where: str) -> None:
    """Exit 2 and one error on stderr (a diagnostic counts as one: its line plus the excerpt
    under it, and ``check``'s summary), naming ``where``; never a traceback."""
    shown = f"exit {proc.returncode}\n--- stdout\n{proc.stdout[-1500:]}\n--- stderr\n{proc.stderr[-1500:]}"
    assert proc.returncode == 2, shown
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, shown
    lines = [line for line in proc.stderr.splitlines() if not SUMMARY.match(line)]
    if DIAGNOSTIC.match(lines[0]):
        assert len(lines) == 3 and lines[1].lstrip()[0].isdigit() and lines[2].strip().startswith("|"), shown
    else:
        assert len(lines) == 1, shown
    assert len(lines[0]) < 400, shown
    for name in where:
        assert name in lines[0], shown


# ------------------------------------------------------------------------------------ flows

def _write(path: Path, text: str | bytes) -> Path:
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


DEEP = 'flow deep "x"\nstep "s" {\n    x = ' + "[" * 600 + "]" * 600 + '\n    log "${length(x)}"\n}\n'
BIG_INT = 'flow big "x"\nstep "s" {\n    x = ' + "9" * 5000 + '\n    log "${x}"\n}\n'
NUL_PATH = 'flow nul "x"\nparam c = file("a\0b")\nstep "s" {\n    log "${c}"\n}\n'
XML_PARAM = ('flow ctl "x"\nparam v : string\nstep "s" {\n    create_hosted_service(service_name: "abc", label: "l", '
             'description: v, location: "West US")\n}\n')
INT_PARAM = 'flow n "x"\nparam n : int\nstep "s" {\n    log "${n}"\n}\n'


@pytest.mark.parametrize("command", ["check", "graph", "plan", "run"])
@pytest.mark.parametrize(("text", "where"), [(BIG_INT, "big.flow:3:9"), (NUL_PATH, "big.flow:2:18")],
                         ids=["integer-of-5000-digits", "nul-in-file-path"])
def test_flow_text_that_python_refuses(tmp_path: Path, command: str, text: str, where: str) -> None:
    _write(tmp_path / "big.flow", text)
    assert_clean_exit_2(smflow(command, "big.flow", cwd=tmp_path), where)


def test_graph_of_a_flow_nested_600_deep(tmp_path: Path) -> None:
    _write(tmp_path / "deep.flow", DEEP)
    assert_clean_exit_2(smflow("graph", "deep.flow", cwd=tmp_path), "deep.flow:1:1", "nested too deeply")


@pytest.mark.parametrize("command", ["check", "plan", "run"])
def test_a_var_with_a_control_character_xml_cannot_carry(tmp_path: Path, command: str) -> None:
    _write(tmp_path / "ctl.flow", XML_PARAM)
    proc = smflow(command, "ctl.flow", "--var", "v=release\x01notes", cwd=tmp_path)
    assert_clean_exit_2(proc, "--var v", "U+0001")
    assert "release" not in proc.stderr  # the value (maybe a secret) is never repeated


def test_an_int_var_of_5000_digits(tmp_path: Path) -> None:
    _write(tmp_path / "n.flow", INT_PARAM)
    assert_clean_exit_2(smflow("plan", "n.flow", "--var", "n=" + "9" * 5000, cwd=tmp_path), "n.flow", "'n'")


# ------------------------------------------------------------------------------ journals

@pytest.fixture(scope="module")
def failed_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A real journal (and embedded emulator state) of a run that failed, ready to resume."""
    base = tmp_path_factory.mktemp("failed-run")
    proc = smflow("run", str(ROOT / "flows" / "rollback_drill.flow"), "--yes", "--emulator-latency", "0", cwd=base)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    (journal,) = (base / ".smflow" / "runs").glob("*.jsonl")
    return base, journal.stem


def _edit(records: list[dict[str, object]], kind: str, change: Callable[[dict[str, object]], object]) -> None:
    change(next(r for r in records if r["t"] == kind))


JOURNAL_EDITS: dict[str, tuple[str, Callable[[dict[str, object]], object]]] = {
    "header-without-flow": ("run", lambda r: (r.pop("flow"), r.pop("flow_path"))),
    "header-vars-a-list": ("run", lambda r: r.update(vars=["package_url"])),
    "step_done-bound-a-list": ("step_done", lambda r: r.update(bound=["old"])),
    "step_done-undos-strings": ("step_done", lambda r: r.update(undos=["first"])),
    "step_done-index-a-string": ("step_done", lambda r: r.update(index="1")),
    "bind-without-key": ("bind", lambda r: r.pop("key")),
    "bind-value-a-bad-datetime": ("bind", lambda r: r.update(value={"__datetime__": "yesterday"})),
    "bind-value-a-bad-tuple": ("bind", lambda r: r.update(value={"__tuple__": 5})),
    "call_intent-key-a-number": ("call_intent", lambda r: r.update(key=5)),
    "call_sent-request-id-a-list": ("call_sent", lambda r: r.update(request_id=["x"])),
    "rolled_back-index-null": ("rolled_back", lambda r: r.update(index=None)),
}


@pytest.mark.parametrize("edit", list(JOURNAL_EDITS))
def test_resume_of_a_hand_corrupted_journal(tmp_path: Path, failed_run: tuple[Path, str], edit: str) -> None:
    base, run_id = failed_run
    shutil.copytree(base / ".smflow", tmp_path / ".smflow")
    path = tmp_path / ".smflow" / "runs" / f"{run_id}.jsonl"
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    kind, change = JOURNAL_EDITS[edit]
    _edit(records, kind, change)
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    proc = smflow("run", "--resume", run_id, "--yes", "--emulator-latency", "0", cwd=tmp_path)
    assert_clean_exit_2(proc, "journal")  # the journal's path and line, or the journal's value


# ------------------------------------------------------------------------------ cassettes

def _set(path: list[object], value: object) -> Callable[[dict[str, object]], None]:
    def change(data: dict[str, object]) -> None:
        node: object = data
        for key in path[:-1]:
            node = node[key]  # type: ignore[index]
        node[path[-1]] = value  # type: ignore[index]

    return change


CASSETTE_EDITS: dict[str, Callable[[dict[str, object]], object]] = {
    "request-headers-a-list": _set(["interactions", 0, "request", "headers"], ["Accept"]),
    "request-body-a-number": _set(["interactions", 0, "request", "body"], 5),
    "response-header-value-a-number": _set(["interactions", 0, "response", "headers", "Content-Length"], 119),
    "response-body-string-a-number": _set(["interactions", 0, "response", "body", "string"], 5),
    "request-uri-broken-ipv6": _set(["interactions", 2, "request", "uri"], "http://[::1"),
    "response-header-without-values": _set(["interactions", 0, "response", "headers", "Cache-Control"], []),
    "response-body-string-null": _set(["interactions", 0, "response", "body", "string"], None),
    "response-status-without-message": lambda data: data["interactions"][0]["response"]["status"].pop("message"),  # type: ignore[index]
    "header-vars-a-list": _set(["smflow", "meta", "vars"], ["package_url"]),
    "header-duration-a-string": _set(["smflow", "duration"], "long"),
    "header-complete-a-string": _set(["smflow", "complete"], "yes"),
}


@pytest.mark.parametrize("edit", list(CASSETTE_EDITS))
def test_replay_of_a_cassette_with_wrong_types(tmp_path: Path, edit: str) -> None:
    data = json.loads((ROOT / "cassettes" / "first_deployment.yaml").read_text(encoding="utf-8"))
    CASSETTE_EDITS[edit](data)
    _write(tmp_path / "bad.yaml", json.dumps(data, indent=1))
    proc = smflow("run", str(FIRST), "--var", PKG, "--replay", "bad.yaml", cwd=tmp_path)
    assert_clean_exit_2(proc, "bad.yaml")


# --------------------------------------------------------------------- emulator --state

def _sqlite(path: Path, schema: str, rows: Sequence[tuple[object, object]] = ()) -> None:
    db = sqlite3.connect(path)
    db.execute(schema)
    if rows:
        db.executemany("INSERT INTO subscriptions VALUES (?, ?)", rows)
    db.commit()
    db.close()


TABLE = "CREATE TABLE subscriptions (id TEXT PRIMARY KEY, snapshot TEXT NOT NULL)"
SNAPSHOT = {"format": 1, "clock": 0.0, "services": [], "storage": [], "affinity_groups": [], "images": [],
            "operations": [], "pending": []}
STATES: dict[str, Callable[[Path], object]] = {
    "sqlite-garbage": lambda p: _write(p, b"SQLite format 3\0" + bytes(range(256)) * 16),
    "random-bytes": lambda p: _write(p, bytes(range(256)) * 8),
    "wrong-schema": lambda p: _sqlite(p, "CREATE TABLE subscriptions (a, b, c)"),
    "snapshot-not-json": lambda p: _sqlite(p, TABLE, [("s", "{not json")]),
    "snapshot-a-list": lambda p: _sqlite(p, TABLE, [("s", "[1, 2]")]),
    "snapshot-without-fields": lambda p: _sqlite(p, TABLE, [("s", json.dumps({"format": 1}))]),
    "snapshot-wrong-types": lambda p: _sqlite(p, TABLE, [("s", json.dumps({**SNAPSHOT, "services": [{"name": 1}]}))]),
    "snapshot-a-blob": lambda p: _sqlite(p, TABLE, [(7, b"\x00\xff")]),
}


@pytest.mark.parametrize("state", list(STATES))
def test_emulator_with_a_corrupt_state_file(tmp_path: Path, state: str) -> None:
    STATES[state](tmp_path / "state.sqlite")
    before = (tmp_path / "state.sqlite").read_bytes()
    proc = smflow("emulator", "--port", "0", "--state", "state.sqlite", cwd=tmp_path, timeout=60)
    assert_clean_exit_2(proc, "state.sqlite")
    assert (tmp_path / "state.sqlite").read_bytes() == before  # left as it was, for whoever looks into it


# -------------------------------------------------------------------- paths and flags

@pytest.fixture
def loop(tmp_path: Path) -> str:
    (tmp_path / "loop1").symlink_to("loop2")
    (tmp_path / "loop2").symlink_to("loop1")
    return "loop1"


LOOP_COMMANDS = {
    "check": ["check", "loop1"],
    "graph": ["graph", "loop1"],
    "plan": ["plan", "loop1"],
    "run": ["run", "loop1"],
    "replay": ["run", str(FIRST), "--var", PKG, "--replay", "loop1"],
    "journal-dir": ["run", str(FIRST), "--var", PKG, "--journal-dir", "loop1", "--emulator-latency", "0"],
    "resume": ["run", "--resume", "20261130-120000-x-0000", "--journal-dir", "loop1"],
    "cert": ["run", str(FIRST), "--var", PKG, "--subscription", "s", "--cert", "loop1"],
    "emulator-state": ["emulator", "--port", "0", "--state", "loop1"],
    "init": ["init", "loop1"],
}


@pytest.mark.parametrize("command", list(LOOP_COMMANDS))
def test_a_symlink_loop_as_a_path(tmp_path: Path, loop: str, command: str) -> None:
    assert_clean_exit_2(smflow(*LOOP_COMMANDS[command], cwd=tmp_path), loop)


def test_key_and_cert_that_are_binary_files(tmp_path: Path) -> None:
    _write(tmp_path / "mgmt.pem", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
    _write(tmp_path / "key.der", bytes(range(256)))
    for flags, where in ((["--cert", "mgmt.pem", "--key", "key.der"], "--key key.der"),
                         (["--cert", "key.der"], "--cert key.der")):
        proc = smflow("run", str(FIRST), "--var", PKG, "--subscription", "s", "--endpoint", "https://127.0.0.1:9",
                      *flags, cwd=tmp_path)
        assert_clean_exit_2(proc, where, "not a PEM file")


@pytest.mark.parametrize("endpoint", ["http://" + "a" * 100_000, "https://127.0.0.1:99999", "http://[::1"],
                         ids=["100000-characters", "port-out-of-range", "broken-ipv6"])
def test_an_endpoint_that_is_no_url(tmp_path: Path, endpoint: str) -> None:
    proc = smflow("run", str(FIRST), "--var", PKG, "--endpoint", endpoint, cwd=tmp_path)
    assert_clean_exit_2(proc, "--endpoint")
    assert not (tmp_path / ".smflow" / "runs").exists() or not list((tmp_path / ".smflow" / "runs").iterdir())
