"""Issue 16's first Done-when point: no secret reaches any file or output stream, in any form.

Real CLI processes only: two standalone emulators (one injecting faults at ``--fault-rate 0.5``,
one clean for recording), each serving a distinctive subscription id; a flow with two secret
params (one only 4 characters long) that lands them in a path segment, a base64 label, a
description, bindings, logs and an assert message, and reads storage keys. It is planned, run
with ``--json`` through faults and retries, fails on purpose, is resumed, runs against the
embedded emulator and fails there (its state is kept beside the journal), is recorded and
replayed. Then every file those processes wrote and every stdout and stderr is searched for
each secret raw, lower- and upper-cased, URL-, XML- and JSON-escaped, and base64 at the three
offsets (``oracle.py``, written independently of smflow's own table): 0 hits.

The storage keys searched for are those of the two standalone emulators, which the embedded
run never sees: its state file is searched for the flow's secrets and the subscription id, and
``test_emulator_state_keys.py`` shows that it keeps none of the embedded emulator's own keys.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from .oracle import files_under, hits

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX processes and signals")

PW = "Tr0ub&<Kv9'Zp\"x/Lm"  # escapes in XML, JSON and URLs
TAG = "Qz7w"  # a short secret, the shortest allowed
SUB = "5ec2e7a1-0b5c-4d1e-9f3a-7c6d5e4f3a2b"
ACCOUNT = "smfleaks01"

FLOW = """\
flow leaks "every kind of secret through every path"
secret param pw : string
secret param tag : string
param account = "smfleaks01"
retry attempts 12 backoff 10ms..40ms on transient

step "service" {
    if exists get_hosted_service_properties(service_name: "svc-${lower(tag)}") {
        log "service already there"
    } else {
        create_hosted_service(service_name: "svc-${lower(tag)}", label: "lbl ${pw} ${tag}",
                              description: "owner ${upper(pw)}", location: "West US")
    }
    svc = get_hosted_service_properties(service_name: "svc-${lower(tag)}")
    log "service at ${svc.url} labelled ${svc.hosted_service_properties.label}"
}
step "storage" {
    if exists get_storage_account_properties(service_name: account) {
        log "account already there"
    } else {
        create_storage_account(service_name: account, description: "d ${pw}", label: "acct ${tag}",
                               location: "West US")
    }
    keys = get_storage_account_keys(service_name: account)
    k = keys.storage_service_keys.primary
    joined = "${k}/${keys.storage_service_keys.secondary}/${tag}"
    log "keys ${joined} ${base64(joined)}"
}
step "gate" {
    assert env("SMFLOW_LEAK_GO", "no") == "yes", "stopped on purpose: ${pw} ${joined} ${svc.url} ${lower(tag)}"
}
"""


@dataclass
class Transcript:
    """Every output stream of every process the test starts, by a name for the report."""

    streams: list[tuple[str, bytes]] = field(default_factory=list)

    def run(self, name: str, *args: str, cwd: Path, env: dict[str, str], expect: tuple[int, ...]) -> str:
        proc = subprocess.run([sys.executable, "-m", "smflow", *args], cwd=cwd, env=env, capture_output=True,
                              timeout=240)
        self.streams += [(f"{name} stdout", proc.stdout), (f"{name} stderr", proc.stderr)]
        assert proc.returncode in expect, (name, proc.returncode, proc.stderr.decode(errors="replace")[-2000:])
        return proc.stdout.decode()


class Emulator:
    """``smflow emulator`` as a process; its output streams join the transcript on stop."""

    def __init__(self, name: str, cwd: Path, *args: str) -> None:
        self.name = name
        self.proc = subprocess.Popen([sys.executable, "-m", "smflow", "emulator", "--port", "0", *args], cwd=cwd,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     env={**os.environ, "PYTHONUNBUFFERED": "1"})
        assert self.proc.stdout is not None
        self.url = self.proc.stdout.readline().decode().strip()
        assert self.url.startswith("http://127.0.0.1:"), self.url

    def storage_keys(self) -> list[str]:
        """The account's keys, read as a client would (retried: the emulator may inject faults)."""
        for _ in range(50):
            r = requests.get(f"{self.url}/{SUB}/services/storageservices/{ACCOUNT}/keys",
                             headers={"x-ms-version": "2014-06-01"}, timeout=10)
            if r.status_code == 200:
                keys = [r.text.split(f"<{tag}>")[1].split(f"</{tag}>")[0] for tag in ("Primary", "Secondary")]
                assert all(len(k) > 20 for k in keys)
                return keys
        raise AssertionError(f"{self.name}: could not read the storage keys")

    def stop(self, transcript: Transcript) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        out, err = self.proc.communicate(timeout=30)
        transcript.streams += [(f"{self.name} stdout", out), (f"{self.name} stderr", err)]


def _run_id(json_lines: str) -> str:
    first = json.loads(json_lines.splitlines()[0])
    return str(first["run_id"])


def test_no_secret_in_any_file_or_stream(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    (work / "leaks.flow").write_text(FLOW)
    env = {**os.environ, "SMFLOW_VAR_PW": PW, "SMFLOW_VAR_TAG": TAG, "SMFLOW_CACHE_DIR": ""}
    env.pop("SMFLOW_LEAK_GO", None)
    go = {**env, "SMFLOW_LEAK_GO": "yes"}
    t = Transcript()
    faulty = Emulator("faulty emulator", work, "--latency", "0", "--fault-rate", "0.5", "--seed", "16")
    clean = Emulator("clean emulator", work, "--latency", "0")
    try:
        t.run("plan", "plan", "leaks.flow", cwd=work, env=env, expect=(0,))
        t.run("plan --json", "plan", "leaks.flow", "--json", cwd=work, env=env, expect=(0,))
        target = ["--endpoint", faulty.url, "--subscription", SUB]

        # Through faults and retries, to the gate that fails on purpose; then resumed until done.
        out = t.run("run --json", "run", "leaks.flow", *target, "--json", cwd=work, env=env, expect=(1,))
        run_id = _run_id(out)
        statuses = []
        for attempt in range(4):
            proc_out = t.run(f"resume {attempt}", "run", "--resume", run_id, *target, "--json", cwd=work, env=go,
                             expect=(0, 1))
            statuses.append(json.loads(proc_out.splitlines()[-1])["status"])
            if statuses[-1] == "succeeded":
                break
        assert statuses[-1] == "succeeded", statuses
        assert any("retrying" in line for _, data in t.streams for line in data.decode(errors="replace").splitlines())

        # Against the embedded emulator: fails at the gate, resumed with the secrets given again.
        out = t.run("embedded --json", "run", "leaks.flow", "--json", cwd=work, env=env, expect=(1,))
        embedded_id = _run_id(out)
        assert list((work / ".smflow" / "runs").glob(f"{embedded_id}.emulator.sqlite"))
        embedded_state = files_under(*(work / ".smflow" / "runs").glob(f"{embedded_id}.emulator.sqlite*"))
        t.run("embedded resume", "run", "--resume", embedded_id, cwd=work, env=go, expect=(0,))

        # Recorded against a clean emulator with the same subscription, then replayed offline.
        t.run("record", "run", "leaks.flow", "--endpoint", clean.url, "--subscription", SUB, "--record",
              "leaks.yaml", cwd=work, env=go, expect=(0,))
        t.run("replay --json", "run", "leaks.flow", "--replay", "leaks.yaml", "--json", cwd=work, env=go, expect=(0,))
        t.run("replay", "run", "leaks.flow", "--replay", "leaks.yaml", cwd=work, env=go, expect=(0,))
        storage_keys = faulty.storage_keys() + clean.storage_keys()
    finally:
        faulty.stop(t)
        clean.stop(t)

    user_secrets = {"secret param pw": PW, "secret param tag (4 characters)": TAG, "the subscription id": SUB}
    everything = {**user_secrets, **{f"storage key #{i}": k for i, k in enumerate(storage_keys, start=1)}}
    written = files_under(work)
    state_names = {name for name, _ in embedded_state}
    assert (work / "leaks.yaml").exists() and list((work / ".smflow" / "runs").glob("*.jsonl"))
    found = hits(everything, [(n, d) for n, d in written if n not in state_names] + t.streams)
    found += hits(user_secrets, embedded_state)
    assert found == []
