"""Masking: secret values, their base64 forms and secret catalogue arguments become ***."""

from __future__ import annotations

import base64
from dataclasses import dataclass

from smflow.asm.catalogue import Argument, OperationSpec
from smflow.asm.types import STRING
from smflow.run.secrets import MASK, Masker


@dataclass
class Cfg:
    user: str
    password: str


def test_text_and_base64_are_masked() -> None:
    m = Masker(["s3cr3t-pw", "0123-4567-sub"])
    encoded = base64.b64encode(b"s3cr3t-pw").decode()
    assert m.text("pw=s3cr3t-pw sub=0123-4567-sub b64=" + encoded) == f"pw={MASK} sub={MASK} b64={MASK}"


def test_short_secrets_only_masked_whole() -> None:
    m = Masker(["ab"])
    assert m.text("ab") == MASK
    assert m.text("table") == "table"


def test_nested_values_and_dataclasses() -> None:
    m = Masker(["hunter22"])
    assert m.value({"a": [Cfg("bob", "hunter22")], "b": ("x hunter22",)}) == {
        "a": [{"user": "bob", "password": MASK}],
        "b": [f"x {MASK}"],
    }


def test_secret_arguments_are_masked_and_learned() -> None:
    spec = OperationSpec("op", "POST", "x", (Argument("name", STRING), Argument("password", STRING, secret=True)),
                         asynchronous=False, effect="create")
    m = Masker()
    assert m.arguments(spec, {"name": "n", "password": "p4ssw0rd!"}) == {"name": "n", "password": MASK}
    assert m.text("echo p4ssw0rd!") == f"echo {MASK}"


def test_secret_record_fields_and_result_fields() -> None:
    from smflow.asm.models import StorageServiceKeys

    spec = OperationSpec("vm", "POST", "x", (Argument("system_config", STRING),), asynchronous=True, effect="create")
    m = Masker()
    shown = m.arguments(spec, {"system_config": {"type": "linux", "user_password": "Pa55word!", "host_name": "h"}})
    assert shown == {"system_config": {"type": "linux", "user_password": MASK, "host_name": "h"}}
    assert m.text("login Pa55word!") == f"login {MASK}"
    keys = StorageServiceKeys(primary="cHJpbWFyeWtleQ==", secondary="c2Vjb25kYXJ5")
    m.learn_result(keys)
    assert m.value(keys) == {"primary": MASK, "secondary": MASK}
    assert "cHJpbWFyeWtleQ" not in m.text("key cHJpbWFyeWtleQ==")
