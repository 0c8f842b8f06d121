"""``smflow emulator`` as a process: URL first on stdout, a log line per request, clean stop on signals."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from .conftest import Api

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


def _start(*args: str) -> tuple[subprocess.Popen[str], str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "smflow", "emulator", "--port", "0", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    assert proc.stdout is not None
    url = proc.stdout.readline().strip()
    if not url:
        proc.kill()
        raise AssertionError(f"no URL printed; stderr: {proc.communicate(timeout=10)[1]}")
    return proc, url


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_prints_the_url_logs_requests_and_stops_on_signals(sig: signal.Signals) -> None:
    proc, url = _start("--latency", "0", "--fault", "list_locations#2=503")
    try:
        assert url.startswith("http://127.0.0.1:")
        api = Api(url)
        assert api.get("locations").status_code == 200
        assert api.get("locations").status_code == 503
    finally:
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    lines = err.splitlines()
    assert lines[0].startswith("GET /<subscription>/locations 200 ")
    assert lines[1].startswith("GET /<subscription>/locations 503 ") and lines[1].endswith("fault=503 applied=no")
    assert "Traceback" not in err and "00000000-0000" not in err


def test_bad_flags_are_one_line_usage_errors() -> None:
    for args in (["--fault", "swap_deployment=503"], ["--latency", "-1"], ["--tls", "--tls-cert", "/nope.pem", "--tls-key", "/nope.pem"]):
        r = subprocess.run([sys.executable, "-m", "smflow", "emulator", *args], capture_output=True, text=True, timeout=60)
        assert r.returncode == 2, r.stderr
        assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr


def test_state_survives_kill_9(tmp_path: Path) -> None:
    db = tmp_path / "emu.sqlite"
    proc, url = _start("--latency", "0", "--state", str(db))
    try:
        api = Api(url)
        for n in range(20):
            assert api.create_service(f"k{n}").status_code == 201
    finally:
        proc.kill()  # SIGKILL: no chance to tidy up
        proc.communicate(timeout=20)
    assert sqlite3.connect(db).execute("PRAGMA integrity_check").fetchone() == ("ok",)
    proc, url = _start("--latency", "0", "--state", str(db))
    try:
        text = Api(url).get("services/hostedservices").text
        assert all(f"<ServiceName>k{n}</ServiceName>" in text for n in range(20))
    finally:
        proc.terminate()
        proc.communicate(timeout=20)


def test_subscription_flag_refuses_other_subscriptions() -> None:
    proc, url = _start("--latency", "0", "--subscription", "mine")
    try:
        assert Api(url, sub="mine").get("locations").status_code == 200
        r = requests.get(url + "/theirs/locations", headers={"x-ms-version": "2014-10-01"}, timeout=10)
        assert r.status_code == 403 and "<Code>AuthenticationFailed</Code>" in r.text
    finally:
        proc.terminate()
        proc.communicate(timeout=20)


def test_tls_flags_serve_https_and_require_a_client_certificate(tmp_path: Path) -> None:
    trustme = pytest.importorskip("trustme", reason="trustme (test extra) is not installed")
    ca, client_ca = trustme.CA(), trustme.CA()
    server_pem, ca_pem, client_ca_pem, client_pem = (tmp_path / n for n in ("s.pem", "ca.pem", "cca.pem", "c.pem"))
    ca.issue_cert("127.0.0.1").private_key_and_cert_chain_pem.write_to_path(str(server_pem))
    ca.cert_pem.write_to_path(str(ca_pem))
    client_ca.cert_pem.write_to_path(str(client_ca_pem))
    client_ca.issue_cert("mgmt").private_key_and_cert_chain_pem.write_to_path(str(client_pem))
    proc, url = _start("--latency", "0", "--tls", "--tls-cert", str(server_pem), "--tls-key", str(server_pem),
                       "--tls-client-ca", str(client_ca_pem))  # fmt: skip
    try:
        assert url.startswith("https://127.0.0.1:")
        session = requests.Session()
        session.trust_env = False
        session.verify = str(ca_pem)
        headers = {"x-ms-version": "2014-10-01"}
        assert session.get(url + "/s/locations", headers=headers, timeout=10).status_code == 403
        session.cert = str(client_pem)
        assert session.get(url + "/s/locations", headers=headers, timeout=10).status_code == 200
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0 and "Traceback" not in err
