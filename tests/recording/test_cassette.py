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
