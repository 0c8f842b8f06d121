"""The pytest plugin end to end: a user's repo with flows and cassettes, tested with pytester."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "https://smflowdemo.blob.core.windows.net/packages/app-v1.cspkg"


@pytest.fixture
def user_repo(pytester: pytest.Pytester) -> pytest.Pytester:
    """A repo with blue_green.flow (and its .cscfg) and the committed cassette."""
    (pytester.path / "flows").mkdir()
    for name in ("blue_green.flow", "ServiceConfiguration.cscfg"):
        shutil.copy(ROOT / "flows" / name, pytester.path / "flows" / name)
    (pytester.path / "cassettes").mkdir()
    shutil.copy(ROOT / "cassettes" / "blue_green.yaml", pytester.path / "cassettes" / "blue_green.yaml")
    return pytester


TEST_WITH_MARKER = f"""
import pytest

@pytest.mark.smflow_flow("flows/blue_green.flow", vars={{"package_url": "{PACKAGE}"}})
def test_release(smflow_replay):
    result = smflow_replay()
    assert result.status == "succeeded", result.error
    assert [s.status for s in result.steps] == ["succeeded"] * 7
    assert result.requests > 5
"""


def test_the_marker_and_fixture_replay_a_flow_from_its_cassette(user_repo: pytest.Pytester) -> None:
    user_repo.makepyfile(test_release=TEST_WITH_MARKER)
    user_repo.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_vars_default_to_those_the_cassette_was_recorded_with(user_repo: pytest.Pytester) -> None:
    user_repo.makepyfile(
        """
        def test_release(smflow_replay):
            assert smflow_replay("flows/blue_green.flow").ok
        """
    )
    user_repo.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_arguments_override_the_marker_and_name_another_cassette(user_repo: pytest.Pytester) -> None:
    shutil.move(user_repo.path / "cassettes" / "blue_green.yaml", user_repo.path / "cassettes" / "release.yaml")
    user_repo.makepyfile(
        test_other=f"""
        def test_other(smflow_replay):
            result = smflow_replay("flows/blue_green.flow", cassette="cassettes/release.yaml",
                                   vars={{"package_url": "{PACKAGE}"}})
            assert result.ok, result.error
        """
    )
    user_repo.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_the_cassette_directory_is_an_ini_option(user_repo: pytest.Pytester) -> None:
    (user_repo.path / "recordings").mkdir()
    shutil.move(user_repo.path / "cassettes" / "blue_green.yaml", user_repo.path / "recordings" / "blue_green.yaml")
    user_repo.makeini("[pytest]\nsmflow_cassette_dir = recordings\n")
    user_repo.makepyfile(test_release=TEST_WITH_MARKER)
    user_repo.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_a_missing_cassette_fails_the_test_with_a_clear_message(user_repo: pytest.Pytester) -> None:
    (user_repo.path / "cassettes" / "blue_green.yaml").unlink()
    user_repo.makepyfile(test_release=TEST_WITH_MARKER)
    result = user_repo.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*CassetteNotFoundError: cassettes/blue_green.yaml: no such cassette*"])


def test_a_drifted_flow_fails_with_the_call_site(user_repo: pytest.Pytester) -> None:
    flow = user_repo.path / "flows" / "blue_green.flow"
    flow.write_text(flow.read_text().replace("start_deployment: true", "start_deployment: false"))
    user_repo.makepyfile(test_release=TEST_WITH_MARKER)
    result = user_repo.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*ReplayDriftError: flows/blue_green.flow:31:5: error[[]ReplayDrift]: step 'deploy to staging' create_deployment*",
        "*differs: body CreateDeployment/StartDeployment: recorded 'true', sent 'false'*",
    ])


def test_smflow_record_re_records_against_the_emulator_then_replays(user_repo: pytest.Pytester) -> None:
    cassette = user_repo.path / "cassettes" / "blue_green.yaml"
    cassette.unlink()
    user_repo.makepyfile(test_release=TEST_WITH_MARKER)
    user_repo.runpytest("-p", "no:cacheprovider", "--smflow-record").assert_outcomes(passed=1)
    assert cassette.is_file()
    assert b'"flow": "flows/blue_green.flow"' in cassette.read_bytes()  # relative: no machine path
    user_repo.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)  # and it replays


def test_the_emulator_fixture_serves_on_loopback(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import requests

        def test_emulator(smflow_emulator):
            assert smflow_emulator.url.startswith("http://127.0.0.1:")
            answer = requests.get(smflow_emulator.url + "/00000000-0000-0000-0000-000000000000/locations",
                                  headers={"x-ms-version": "2014-10-01"}, timeout=5)
            assert answer.status_code == 200 and b"<Locations" in answer.content
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_a_bad_marker_is_a_usage_error(user_repo: pytest.Pytester) -> None:
    user_repo.makepyfile(
        """
        import pytest

        @pytest.mark.smflow_flow("a.flow", "b.flow")
        def test_bad(smflow_replay):
            smflow_replay()
        """
    )
    result = user_repo.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*smflow_flow(path, cassette=None, vars={}): got*"])


def test_option_group_and_marker_are_declared(pytester: pytest.Pytester) -> None:
    help_text = pytester.runpytest("--help")
    help_text.stdout.fnmatch_lines(["smflow runbook replays:", "*--smflow-record*"])
    markers = pytester.runpytest("--markers")
    markers.stdout.fnmatch_lines(["@pytest.mark.smflow_flow(path, cassette=None, vars={}):*"])


def test_importing_the_plugin_imports_nothing_of_smflow_or_vcrpy() -> None:
    """It loads in every pytest run of every repo that installs smflow: it must cost nothing."""
    code = (
        "import sys; import smflow.pytest_plugin; "
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('vcr', 'requests', 'lxml', 'lark', 'yaml') "
        "or m.startswith(('smflow.recording', 'smflow.run', 'smflow.emulator', 'smflow.asm'))); print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "[]"
