"""Masking: every form of a secret becomes ***, wherever it sits; a secret too short to mask is refused.

Expected values are written out by hand (base64 computed once, offline), never by the
production functions, so a mutant of the masker cannot agree with itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from smflow.asm.catalogue import Argument, OperationSpec
from smflow.asm.types import STRING
from smflow.errors import UsageError
from smflow.run.secrets import MASK, LiveSecrets, Masker


@dataclass
class Cfg:
    user: str
    password: str


def test_text_and_base64_are_masked() -> None:
    m = Masker(["s3cr3t-pw", "0123-4567-sub"])
    # base64("s3cr3t-pw") == "czNjcjN0LXB3"
    assert m.text("pw=s3cr3t-pw sub=0123-4567-sub b64=czNjcjN0LXB3") == f"pw={MASK} sub={MASK} b64={MASK}"


def test_a_secret_inside_a_longer_string_is_masked() -> None:
    m = Masker(["Demo5"])
    assert m.text("prefix-Demo5") == f"prefix-{MASK}"
    assert m.text("smflow-Demo5-svc, again Demo5.") == f"smflow-{MASK}-svc, again {MASK}."


def test_lower_and_upper_case_forms_are_masked() -> None:
    m = Masker(["Demo5"])
    assert m.text("lower demo5 upper DEMO5") == f"lower {MASK} upper {MASK}"


@pytest.mark.parametrize(("text", "expected"), [
    # base64 of "Demo5" preceded by 0, 1 and 2 bytes: RGVtbzU=, AERlbW81, AABEZW1vNQ==
    ("RGVtbzU=", MASK),
    ("xRGVtbzQ", f"x{MASK}Q"),  # Demo5 followed by other bytes: only the 6-character core is there
    ("AERlbW81", f"AE{MASK}"),
    ("AABEZW1vNQ==", f"AAB{MASK}Q=="),
    ("RGVtbzU", MASK),  # unpadded
], ids=["padded", "offset0-core", "offset1", "offset2", "unpadded"])
def test_base64_at_every_offset_is_masked(text: str, expected: str) -> None:
    assert Masker(["Demo5"]).text(text) == expected


@pytest.mark.parametrize("text", ["AAg+P356PjZZ", "AAg-P356PjZZ"], ids=["standard", "url-safe"])
def test_base64_cores_with_both_alphabets_are_masked(text: str) -> None:
    # base64 of "\0x>?~z>>" is "AHg+P356Pj4=": the core at offset 1 is "g+P356Pj" ("g-P356Pj" URL-safe)
    assert Masker(["x>?~z>>"]).text(text) == f"AA{MASK}ZZ"


def test_a_str_subclass_is_masked_like_a_str() -> None:
    class Name(str):
        pass

    assert Masker(["hunter22"]).value(Name("x hunter22")) == f"x {MASK}"


def test_a_secret_in_a_base64_label_is_masked() -> None:
    # base64("lbl s3cretValue") == "bGJsIHMzY3JldFZhbHVl": the secret starts at offset 4
    shown = Masker(["s3cretValue"]).text("<Label>bGJsIHMzY3JldFZhbHVl</Label>")
    assert "MzY3JldFZhbHVl" not in shown and shown.startswith("<Label>bGJsIH") and MASK in shown


@pytest.mark.parametrize("form", [
    "p@ss/w0rd&<'\"",  # as it is
    "p%40ss%2Fw0rd%26%3C%27%22",  # URL-quoted
    "p%40ss/w0rd%26%3C%27%22",  # URL-quoted, / kept
    "p%40ss%2fw0rd%26%3c%27%22",  # URL-quoted, lower-case hex
    "p@ss/w0rd&amp;&lt;&apos;&quot;",  # XML
    "p@ss/w0rd&amp;&lt;&#39;&quot;",  # XML, numeric apostrophe
    "p@ss/w0rd&amp;&lt;'\"",  # XML text (quotes unescaped)
    "p@ss/w0rd&amp;&lt;&apos;\"",  # XML, only the apostrophe escaped
    "p@ss/w0rd&amp;&lt;&#39;\"",  # XML, only the apostrophe escaped, numerically
    "p@ss/w0rd&amp;&lt;'&#34;",  # XML, only the quote escaped, numerically
    "p@ss/w0rd&<'\\\"",  # JSON
    "p@ss\\/w0rd&<'\\\"",  # JSON with an escaped slash
], ids=["raw", "url", "url-slash", "url-lowerhex", "xml-apos", "xml-39", "xml-text", "xml-apos-only", "xml-39-only",
        "xml-34-only", "json", "json-slash"])
def test_escaped_forms_are_masked(form: str) -> None:
    assert Masker(["p@ss/w0rd&<'\""]).text(f"[{form}]") == f"[{MASK}]"


def test_the_longest_secret_is_replaced_first() -> None:
    m = Masker(["hunter22", "hunter22-extended"])
    assert m.text("a hunter22-extended b") == f"a {MASK} b"
    m = Masker(["hunter22-extended", "hunter22"])
    assert m.text("a hunter22-extended b") == f"a {MASK} b"


@pytest.mark.parametrize("short", ["Q", "Q7", "Q7z"])
def test_a_secret_too_short_to_mask_is_refused(short: str) -> None:
    with pytest.raises(UsageError, match="shorter than 4 characters") as err:
        Masker([short])
    assert short not in str(err.value)


def test_four_characters_are_masked_as_substrings() -> None:
    assert Masker(["dem0"]).text("smflow-dem0") == f"smflow-{MASK}"


def test_nested_values_lists_bytes_and_dataclasses() -> None:
    m = Masker(["hunter22"])
    assert m.value({"a": [Cfg("bob", "hunter22")], "b": ("x hunter22",), "c": b"raw hunter22"}) == {
        "a": [{"user": "bob", "password": MASK}],
        "b": [f"x {MASK}"],
        "c": f"raw {MASK}",
    }


def test_strings_masks_text_only_and_keeps_public_fields_named_like_secrets() -> None:
    m = Masker(["hunter22"])
    assert m.strings({"password": "public", "note": ["x hunter22", 3, None], "hunter22": True}) == {
        "password": "public", "note": [f"x {MASK}", 3, None], MASK: True}


def test_secret_arguments_are_masked_and_learned() -> None:
    spec = OperationSpec("op", "POST", "x", (Argument("name", STRING), Argument("password", STRING, secret=True)),
                         asynchronous=False, effect="create")
    m = Masker()
    assert m.arguments(spec, {"name": "n", "password": "p4ssw0rd!"}) == {"name": "n", "password": MASK}
    assert m.text("echo p4ssw0rd!") == f"echo {MASK}"
    assert m.arguments(spec, {"name": "n", "password": ["p4ssw0rd!x"]}) == {"name": "n", "password": MASK}


def test_secrets_inside_lists_are_learned() -> None:
    spec = OperationSpec("op", "POST", "x", (Argument("configs", STRING),), asynchronous=False, effect="create")
    m = Masker()
    m.learn_arguments(spec, {"configs": [{"user_password": "inlist-pw1"}, ("x", {"admin_password": "intuple-pw2"})]})
    assert m.text("inlist-pw1 intuple-pw2") == f"{MASK} {MASK}"


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
    assert m.text("key cHJpbWFyeWtleQ== and c2Vjb25kYXJ5") == f"key {MASK} and {MASK}"


def test_keys_inside_a_storage_service_result_are_learned() -> None:
    from smflow.asm.models import StorageService, StorageServiceKeys

    m = Masker()
    m.learn_result(StorageService(service_name="acct", storage_service_keys=StorageServiceKeys(
        primary="bmVzdGVkLXByaW1hcnk=", secondary="bmVzdGVkLXNlY29uZGFyeQ==")))
    assert m.text("p=bmVzdGVkLXByaW1hcnk= s=bmVzdGVkLXNlY29uZGFyeQ==") == f"p={MASK} s={MASK}"


def test_live_secrets_follow_the_masker() -> None:
    m = Masker(["first-secret"])
    live = LiveSecrets(m, {"extra-secret"})
    assert set(live) == {"first-secret", "extra-secret"} and len(live) == 2
    m.add("learnt-later")
    assert "learnt-later" in live and len(live) == 3


def test_a_too_short_secret_is_named_by_default_as_a_secret_value() -> None:
    with pytest.raises(UsageError) as caught:
        Masker().add("q9")
    assert str(caught.value) == ("a secret value is shorter than 4 characters, too short to be masked reliably in "
                                 "output, journals and cassettes; use a longer secret")


def test_values_that_are_no_text_are_not_secrets() -> None:
    masker = Masker()
    for nothing in (None, "", 12345, 1.5, True, b"bytes-value"):
        masker.add(nothing)  # ignored, not an error
    assert masker.secrets == frozenset()
    assert masker.text("12345 None True bytes-value") == "12345 None True bytes-value"


def test_a_result_teaches_only_its_secret_fields() -> None:
    from smflow.asm.models import StorageService, StorageServiceKeys

    masker = Masker()
    keys = StorageServiceKeys(primary="PrimaryKeyValue0123456789==", secondary="SecondaryKeyValue987654==")
    masker.learn_result(StorageService(url="https://management.example/acct", service_name="acctname",
                                       storage_service_keys=keys))
    assert masker.secrets == {"PrimaryKeyValue0123456789==", "SecondaryKeyValue987654=="}
    line = "acctname at https://management.example/acct: PrimaryKeyValue0123456789=="
    assert masker.text(line) == "acctname at https://management.example/acct: ***"


def test_a_json_escaped_and_an_unpadded_base64_secret_are_masked_whole() -> None:
    masker = Masker(["s3cr\u00e9t?>x"])  # JSON escapes the é; its base64 has padding and a '+'
    assert masker.text('{"pw": "s3cr\\u00e9t?>x"}') == '{"pw": "***"}'
    assert masker.text("token=czNjcsOpdD8+eA;") == "token=***;"  # base64, '=' padding stripped
    assert masker.text("token=czNjcsOpdD8+eA==;") == "token=***;"


def test_a_secret_json_escaped_without_ascii_escapes_is_masked_whole() -> None:
    masker = Masker(['s3"cr\u00e9t?x'])  # the quote is escaped, the é is kept (ensure_ascii=False)
    assert masker.text('{"pw": "s3\\"cr\u00e9t?x"}') == '{"pw": "***"}'
