"""Journal encoding of bindings: models come back as models, secrets never reach the disk."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from smflow.asm.models import Deployment, RoleInstance
from smflow.errors import JournalError
from smflow.run.codec import decode, encode


def test_models_round_trip_as_models() -> None:
    dep = Deployment(name="v1", role_instance_list=[RoleInstance(role_name="web", instance_status="ReadyRole")])
    data = json.loads(json.dumps(encode({"old": dep, "n": 3, "t": (1, 2), "at": datetime(2026, 1, 1, tzinfo=UTC)})))
    back = decode(data)
    assert back["old"] == dep and isinstance(back["old"].role_instance_list[0], RoleInstance)
    assert back["n"] == 3 and back["t"] == (1, 2) and back["at"] == datetime(2026, 1, 1, tzinfo=UTC)


def test_secrets_are_written_by_name_and_restored() -> None:
    data = encode({"pw": "hunter22", "list": ["hunter22", "x"]}, {"hunter22": "admin_password"})
    assert "hunter22" not in json.dumps(data)
    assert decode(data, {"admin_password": "hunter22"}) == {"pw": "hunter22", "list": ["hunter22", "x"]}
    with pytest.raises(JournalError, match="--var admin_password="):
        decode(data)


@pytest.mark.parametrize("tag", ["os:system", "builtins:object", "smflow.asm.models:NoSuchModel",
                                 "smflow.run.codec:encode"])
def test_only_smflow_models_are_rebuilt(tag: str) -> None:
    with pytest.raises(JournalError):
        decode({"__model__": tag, "fields": {}})
