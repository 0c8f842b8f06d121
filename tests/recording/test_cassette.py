"""The cassette file: header block, refusal of foreign files, atomic writes, fast loading."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import vcr
import yaml

from smflow.durable import atomic_write
from smflow.errors import CassetteFormatError, CassetteNotFoundError
from smflow.recording import cassette as cassette_module
from smflow.recording.cassette import CassetteHeader, dump_cassette, load_cassette

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
HEADER = CassetteHeader(endpoint="http://127.0.0.1:1", subscription_id="SUBSCRIPTION-ID", duration=1.5, recorded_at="2026-11-26T00:00:00+00:00", meta={"flow": "x"})
INTERACTION = {
    "request": {"method": "GET", "uri": "http://127.0.0.1:1/SUBSCRIPTION-ID/locations", "body": None, "headers": {}},
    "response": {"status": {"code": 200, "message": "OK"}, "headers": {}, "body": {"string": "<Locations/>"}},
}


def test_dump_then_load_round_trips_header_and_interactions(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(dump_cassette(HEADER, [INTERACTION]))
    loaded = load_cassette(path)
    assert loaded.header == HEADER
    assert loaded.interactions == [INTERACTION]
    assert path.read_text().startswith('{\n "smflow": {\n  "format": 1,\n')


def test_the_file_is_yaml_that_any_yaml_reader_and_vcrpy_read_alike(tmp_path: Path) -> None:
    text = dump_cassette(HEADER, [INTERACTION])
    assert yaml.safe_load(text) == json.loads(text)
    path = tmp_path / "c.yaml"
    path.write_text(text)
    with vcr.use_cassette(str(path), record_mode="none") as plain:
        assert len(plain) == 1


def test_a_hand_edited_block_yaml_cassette_still_loads(tmp_path: Path) -> None:
    path = tmp_path / "block.yaml"
    path.write_text(yaml.safe_dump({"smflow": HEADER.to_dict(), "version": 1, "interactions": [INTERACTION]}))
    assert load_cassette(path).interactions == [INTERACTION]


def test_a_binary_body_falls_back_to_yaml_binary(tmp_path: Path) -> None:
    binary = {**INTERACTION, "response": {**INTERACTION["response"], "body": {"string": b"\xff\x00raw"}}}
    path = tmp_path / "bin.yaml"
    path.write_text(dump_cassette(HEADER, [binary]))
    assert "!!binary" in path.read_text()
    assert load_cassette(path).interactions[0]["response"]["body"]["string"] == b"\xff\x00raw"


def test_loading_uses_libyaml_when_available() -> None:
    assert cassette_module._Loader is getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def test_missing_cassette_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CassetteNotFoundError, match=r"no such cassette; record one with 'smflow run FLOW --record"):
        load_cassette(tmp_path / "nope.yaml")


def test_a_plain_vcrpy_cassette_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "plain.yaml"
    path.write_text(yaml.safe_dump({"version": 1, "interactions": [INTERACTION]}))
    with pytest.raises(CassetteFormatError, match=r"not an smflow cassette \(no 'smflow:' block\)"):
        load_cassette(path)


def test_another_format_version_is_refused_naming_both_versions(tmp_path: Path) -> None:
    path = tmp_path / "future.yaml"
    data = {"smflow": {**HEADER.to_dict(), "format": 2, "smflow_version": "9.0"}, "version": 1, "interactions": []}
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(CassetteFormatError, match=r"cassette format 2 was written by smflow 9.0; this smflow .* reads format 1"):
        load_cassette(path)


@pytest.mark.parametrize("text", ["{not yaml: [", "just a string", "smflow: {format: 1}\ninteractions: [1, 2]\n"])
def test_garbage_is_a_format_error_not_a_traceback(tmp_path: Path, text: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(CassetteFormatError):
        load_cassette(path)


@pytest.mark.shared
@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared reference recordings are absent (fresh clone)")
def test_a_real_recording_from_shared_is_refused_as_foreign() -> None:
    path = SHARED / "asm" / "recordings" / "test_legacy_mgmt_misc.test_create_update_delete_hosted_service.yaml"
    with pytest.raises(CassetteFormatError, match="not an smflow cassette"):
        load_cassette(path)


def test_atomic_write_replaces_whole_and_leaves_no_temp_file(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "c.yaml"
    atomic_write(path, b"one")
    atomic_write(path, b"two")
    assert path.read_bytes() == b"two"
    assert sorted(p.name for p in path.parent.iterdir()) == ["c.yaml"]


def test_a_failing_check_keeps_the_old_file_and_removes_the_temp(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_bytes(b"old")
    seen: list[bytes] = []

    def check(written: Path) -> None:
        seen.append(written.read_bytes())
        raise RuntimeError("refused")

    with pytest.raises(RuntimeError, match="refused"):
        atomic_write(path, b"new", check=check)
    assert seen == [b"new"]  # the check read what really reached the disk
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["c.yaml"]


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        (lambda i: i["request"].pop("uri"), "interaction 1: the request needs exactly method, uri, body and headers"),
        (lambda i: i["response"].update(status={"code": "200"}), "interaction 1: the response needs a status with an integer code"),
        (lambda i: i["response"].pop("body"), "interaction 1: the response needs headers and a body with a 'string'"),
    ],
)
def test_a_broken_interaction_is_named(tmp_path: Path, edit: Any, problem: str) -> None:
    interaction = json.loads(json.dumps(INTERACTION))
    edit(interaction)
    path = tmp_path / "c.yaml"
    path.write_text(dump_cassette(HEADER, [interaction]))
    with pytest.raises(CassetteFormatError) as caught:
        load_cassette(path)
    assert str(caught.value) == f"{path}: {problem}"


# --- what a cassette path may be, and what its YAML may hold -------------------------------------------

def _bomb(levels: int = 9) -> str:
    """A "billion laughs" in meta.vars: 9 levels of 9 aliases each, 9**9 strings once expanded."""
    lines = ["smflow:", "  format: 1", "  smflow_version: 0.1.0", "  recorded_at: '2026-11-26T00:00:00+00:00'",
             "  endpoint: http://127.0.0.1:1", "  subscription_id: SUBSCRIPTION-ID", "  duration: 1.0", "  meta:",
             "    vars:", "      l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in range(1, levels + 1):
        lines.append(f"      l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * 9) + "]")
    return "\n".join([*lines, "version: 1", "interactions: []", ""])


def test_an_alias_bomb_is_refused_before_anything_expands_it(tmp_path: Path) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(_bomb())
    with pytest.raises(CassetteFormatError, match="bomb.yaml: not valid YAML: it uses YAML anchors or aliases"):
        load_cassette(path)
    with pytest.raises(CassetteFormatError, match="anchors or aliases"):
        cassette_module.recorded_vars(path)  # what a replay reads first, to repeat the recorded vars


def test_a_binary_cassette_is_written_without_aliases(tmp_path: Path) -> None:
    shared = {"x-ms-version": ["2014-10-01"]}  # one object twice: a plain yaml.dump writes &id001 / *id001
    binary = {
        "request": {"method": "GET", "uri": "http://127.0.0.1:1/S/a", "body": None, "headers": shared},
        "response": {"status": {"code": 200, "message": "OK"}, "headers": shared, "body": {"string": b"\xff\xfe"}},
    }
    text = dump_cassette(HEADER, [binary])
    assert "&id" not in text and "*id" not in text
    path = tmp_path / "binary.yaml"
    path.write_text(text)
    assert load_cassette(path).interactions[0]["response"]["headers"] == shared


@pytest.mark.parametrize("device", ["/dev/urandom", "/dev/zero"])
def test_a_device_is_refused_not_read_forever(device: str) -> None:
    if not Path(device).exists():
        pytest.skip(f"{device} does not exist here")
    with pytest.raises(CassetteFormatError, match=f"{device}: not a cassette: not a regular file \\(it is a character device\\)"):
        load_cassette(Path(device))


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    import os

    fifo = tmp_path / "cassette.yaml"
    os.mkfifo(fifo)
    with pytest.raises(CassetteFormatError, match=r"cassette\.yaml: not a cassette: not a regular file \(it is a FIFO\)"):
        load_cassette(fifo)


def test_a_cassette_over_the_size_limit_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(dump_cassette(HEADER, [INTERACTION] * 50))
    monkeypatch.setattr(cassette_module, "MAX_CASSETTE_BYTES", 4096)
    with pytest.raises(CassetteFormatError, match=r"c\.yaml: not a cassette: \d+ bytes, over the 4096-byte limit"):
        load_cassette(path)


def test_deep_nesting_is_a_format_error(tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("{" + '"a": [' * 100_000 + "]" * 100_000 + "}")
    with pytest.raises(CassetteFormatError, match="deep.yaml: not valid YAML"):
        load_cassette(path)
