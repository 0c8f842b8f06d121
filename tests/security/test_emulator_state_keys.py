"""The state an embedded emulator keeps beside a run's journal holds no storage key.

Storage keys are secrets, and that state file is one a run writes. The standalone emulator's
``--state`` file is the emulated service's own database and keeps them (a client that read a
key must be able to use it after a restart); a run's embedded emulator forgets them and issues
new ones when it is resumed, as if they had been regenerated meanwhile."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import requests

from smflow.emulator.server import EmulatorServer
from tests.emulator.conftest import SUB
from tests.security.oracle import files_under, hits

CREATE = (
    '<?xml version="1.0" encoding="utf-8"?>'
    '<CreateStorageServiceInput xmlns="http://schemas.microsoft.com/windowsazure">'
    "<ServiceName>keysafe</ServiceName><Description>d</Description><Label>bGFiZWw=</Label>"
    "<Location>West US</Location></CreateStorageServiceInput>"
)


def _keys(url: str) -> list[str]:
    r = requests.get(f"{url}/{SUB}/services/storageservices/keysafe/keys", headers={"x-ms-version": "2014-10-01"},
                     timeout=30)
    assert r.status_code == 200, r.text
    return [re.search(f"<{tag}>([^<]+)</{tag}>", r.text).group(1)  # type: ignore[union-attr]
            for tag in ("Primary", "Secondary")]


def _create(url: str) -> None:
    r = requests.post(f"{url}/{SUB}/services/storageservices", data=CREATE, timeout=30,
                      headers={"x-ms-version": "2014-10-01", "Content-Type": "application/xml"})
    assert r.status_code in (200, 201, 202), r.text


@pytest.mark.parametrize("keep", [False, True], ids=["a run's state", "a standalone --state"])
def test_storage_keys_reach_the_state_file_only_when_asked(tmp_path: Path, keep: bool) -> None:
    db = tmp_path / "state.sqlite"
    with EmulatorServer(latency=0.0, state_file=db, keep_storage_keys=keep) as srv:
        _create(srv.url)
        keys = _keys(srv.url)
    secrets = {f"storage key #{i}": key for i, key in enumerate(keys, start=1)}
    found = hits(secrets, files_under(tmp_path))
    assert (found == []) is (not keep), found
    with EmulatorServer(latency=0.0, state_file=db, keep_storage_keys=keep) as srv:
        again = _keys(srv.url)  # the account is back, with a usable pair of keys
    assert len(again) == 2 and all(len(k) == 88 for k in again)
    assert (again == keys) is keep
