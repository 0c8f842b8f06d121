"""Two blob services to upload to: smflow's emulator, and Azurite (Microsoft's storage emulator).

Azurite is the independent peer: ``.ci/run`` installs it from npm into ``.azurite/`` (git-ignored;
by hand: ``npm install --prefix .azurite azurite@3``). Where it is missing the Azurite tests skip
with the reason, except under ``CI=true``, where a missing Azurite fails them. Each Azurite runs
in memory on a free loopback port with one account whose key the test chose, and is stopped
(its process group killed and reaped) when the session ends.
"""

from __future__ import annotations

import base64
import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from smflow.emulator.server import EmulatorServer
from tests.emulator.conftest import NS, Api, FakeClock, b64

ROOT = Path(__file__).resolve().parents[2]
AZURITE = ROOT / ".azurite" / "node_modules" / ".bin" / "azurite-blob"
ACCOUNT = "relstor"
# A distinctive key: the security tests search outputs and cassettes for it.
KEY = base64.b64encode(b"smflow-distinctive-storage-key!!" * 2).decode()


@dataclass(frozen=True)
class BlobTarget:
    name: str
    endpoint: str  # the account's blob endpoint
    account: str
    key: str


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _missing(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"Azurite is required in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def azurite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BlobTarget]:
    if shutil.which("node") is None:
        _missing("Node.js is not installed: the Azurite tests need it")
    if not AZURITE.exists():
        _missing(f"Azurite is not installed at {AZURITE}: run `npm install --prefix .azurite azurite@3`")
    port = _free_port()
    proc = subprocess.Popen(
        [str(AZURITE), "--blobHost", "127.0.0.1", "--blobPort", str(port), "--inMemoryPersistence",
         "--skipApiVersionCheck", "--loose", "--silent"],
        env={**os.environ, "AZURITE_ACCOUNTS": f"{ACCOUNT}:{KEY}"}, cwd=tmp_path_factory.mktemp("azurite"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"Azurite did not start on 127.0.0.1:{port} (exit {proc.poll()})")
                time.sleep(0.1)
        yield BlobTarget("azurite", f"http://127.0.0.1:{port}/{ACCOUNT}", ACCOUNT, KEY)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def emulator_account(api: Api, clock: FakeClock, name: str = ACCOUNT) -> tuple[str, str]:
    """Create a storage account on the emulator: (its blob endpoint, its primary key) as the API gives them."""
    body = (f"<CreateStorageServiceInput {NS}><ServiceName>{name}</ServiceName><Label>{b64(name)}</Label>"
            "<Location>West US</Location></CreateStorageServiceInput>")
    assert api.request("POST", "services/storageservices", body).status_code == 202
    clock.advance(3600)
    endpoint = re.findall(r"<Endpoint>([^<]+)</Endpoint>", api.get(f"services/storageservices/{name}").text)[0]
    primary = re.search(r"<Primary>([^<]+)</Primary>", api.get(f"services/storageservices/{name}/keys").text)
    assert primary is not None
    return endpoint, primary.group(1)


@pytest.fixture
def emulator() -> Iterator[BlobTarget]:
    clock = FakeClock()
    with EmulatorServer(latency=1.0, clock=clock) as srv:
        endpoint, key = emulator_account(Api(srv.url), clock)
        yield BlobTarget("emulator", endpoint, ACCOUNT, key)


@pytest.fixture(params=["emulator", "azurite"])
def target(request: pytest.FixtureRequest) -> BlobTarget:
    return request.getfixturevalue(request.param)  # type: ignore[no-any-return]
