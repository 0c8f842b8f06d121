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


def test_strings_built_from_secrets_are_written_as_parts_and_rebuilt_exactly() -> None:
    secrets = {"Hunter22": "pw", "0f3a-sub-9e": "@subscription"}
    values = {
        "concat": "prefix-Hunter22-suffix",
        "twice": "Hunter22:Hunter22",
        "lower": "hunter22",
        "upper": "x-HUNTER22",
        "url": "https://h/0f3a-sub-9e/services",
        "b64": "dXNlcjpIdW50ZXIyMg==",  # base64("user:Hunter22")
        "list": ["a Hunter22", "plain"],
    }
    data = json.loads(json.dumps(encode(values, secrets)))
    text = json.dumps(data)
    assert "unter22" not in text and "UNTER22" not in text and "0f3a-sub-9e" not in text and "SHVudGVy" not in text
    assert data["concat"] == {"__text__": ["prefix-", {"__secret__": "pw"}, "-suffix"]}
    assert data["lower"] == {"__text__": [{"__secret__": "pw", "as": "lower"}]}
    assert data["b64"] == {"__base64__": {"__text__": ["user:", {"__secret__": "pw"}]}}
    assert decode(data, {"pw": "Hunter22", "@subscription": "0f3a-sub-9e"}) == values


def test_a_missing_env_secret_is_named_by_its_variable() -> None:
    with pytest.raises(JournalError, match="set DEPLOY_TOKEN in the environment again"):
        decode({"__text__": ["x", {"__secret__": "env:DEPLOY_TOKEN"}]})


def test_base64_that_holds_no_secret_stays_as_it_is() -> None:
    assert encode("dXNlcjpib2I=", {"Hunter22": "pw"}) == "dXNlcjpib2I="  # base64("user:bob")
