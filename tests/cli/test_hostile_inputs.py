"""Paths and numbers a user can type that used to hang, eat memory or crash: each is now a clear
one-line error with exit 2, naming what was refused, and no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import trustme
from cryptography.hazmat.primitives import serialization

PACKAGE = "https://smflowdemo.blob.core.windows.net/packages/app-v1.cspkg"
FLOW = Path(__file__).resolve().parents[2] / "flows" / "first_deployment.flow"


def smflow(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMFLOW_")}
    # A hang (a FIFO waited on, a pass phrase asked for) fails the test here instead of stalling it.
    return subprocess.run([sys.executable, "-m", "smflow", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=60, env=env, stdin=subprocess.DEVNULL)


def refused(done: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    for needle in needles:
        assert needle in done.stderr, done.stderr


@pytest.mark.parametrize("target", ["fifo", "/dev/zero"])
def test_file_of_a_fifo_or_a_device_is_refused(target: str, tmp_path: Path) -> None:
    if target == "fifo":
        os.mkfifo(tmp_path / "fifo")
    flow = tmp_path / "f.flow"
    flow.write_text(f'flow f "reads a file"\n\nparam conf = file("{target}")\n\n'
                    'step "s" {\n    create_hosted_service(service_name: "svc", label: conf, location: "West US")\n}\n')
    refused(smflow("run", str(flow), "--yes", cwd=tmp_path), "error[FileRefused]: file() refuses",
            f"{target}': not a regular file", "f.flow:3:14")


@pytest.mark.parametrize("target", ["fifo", "/dev/urandom"])
def test_replay_of_a_fifo_or_a_device_is_refused(target: str, tmp_path: Path) -> None:
    if target == "fifo":
        os.mkfifo(tmp_path / "fifo")
    done = smflow("run", str(FLOW), "--var", f"package_url={PACKAGE}", "--replay", target, cwd=tmp_path)
    refused(done, f"{target}: not a cassette: not a regular file")


@pytest.mark.parametrize("value", ["nan", "inf", "1e308", "-1"])
def test_latencies_must_be_finite(value: str, tmp_path: Path) -> None:
    refused(smflow("emulator", "--latency", value, cwd=tmp_path), "--latency must be a number of seconds")
    done = smflow("run", str(FLOW), "--var", f"package_url={PACKAGE}", "--emulator-latency", value, cwd=tmp_path)
    refused(done, "--emulator-latency must be a number of seconds from 0 to 3600")


@pytest.mark.parametrize("layout", ["one-pem", "cert-and-key"])
def test_an_encrypted_management_key_is_refused_before_anything_is_sent(layout: str, tmp_path: Path) -> None:
    cert = trustme.CA().issue_cert("mgmt@example.com")
    key = serialization.load_pem_private_key(cert.private_key_pem.bytes(), None)
    encrypted = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.BestAvailableEncryption(b"pass phrase"))
    if layout == "one-pem":
        (tmp_path / "mgmt.pem").write_bytes(encrypted + cert.cert_chain_pems[0].bytes())
        files = ["--cert", "mgmt.pem"]
    else:
        (tmp_path / "cert.pem").write_bytes(cert.cert_chain_pems[0].bytes())
        (tmp_path / "mgmt.pem").write_bytes(encrypted)
        files = ["--cert", "cert.pem", "--key", "mgmt.pem"]
    for where in (["--endpoint", "https://127.0.0.1:9"], ["--subscription", "1234"]):
        done = smflow("run", str(FLOW), "--var", f"package_url={PACKAGE}", *where, *files, cwd=tmp_path)
        refused(done, "mgmt.pem is encrypted, and smflow never asks for a pass phrase")
        assert "1234" not in done.stdout + done.stderr
