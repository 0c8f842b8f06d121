"""The plugin's result carries the flow's declared outputs (``result.outputs``); what the steps
bound is ``result.bindings``, and a test still reading a binding from ``outputs`` is told so."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "https://smflowdemo.blob.core.windows.net/packages/app-v1.cspkg"


@pytest.fixture
def user_repo(pytester: pytest.Pytester) -> pytest.Pytester:
    """A repo with first_deployment.flow (its outputs: URL, name, instances) and its cassette."""
    (pytester.path / "flows").mkdir()
    for name in ("first_deployment.flow", "ServiceConfiguration.cscfg"):
        shutil.copy(ROOT / "flows" / name, pytester.path / "flows" / name)
    (pytester.path / "cassettes").mkdir()
    shutil.copy(ROOT / "cassettes" / "first_deployment.yaml", pytester.path / "cassettes" / "first_deployment.yaml")
    return pytester


def test_the_replayed_result_has_the_declared_outputs(user_repo: pytest.Pytester) -> None:
    user_repo.makepyfile(test_release=f"""
        import pytest

        @pytest.mark.smflow_flow("flows/first_deployment.flow", vars={{"package_url": "{PACKAGE}"}})
        def test_release(smflow_replay):
            result = smflow_replay()
            assert result.ok, result.error
            assert result.outputs == {{"deployment_url": "http://smflow-first.cloudapp.net/",
                                       "deployment_name": "v1", "instances": 2}}
            assert result.bindings["live"]["name"] == "v1"

        @pytest.mark.smflow_flow("flows/first_deployment.flow", vars={{"package_url": "{PACKAGE}"}})
        def test_a_binding_read_from_outputs_says_where_it_went(smflow_replay):
            result = smflow_replay()
            with pytest.raises(KeyError, match="RunResult.bindings"):
                result.outputs["live"]
        """)
    user_repo.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)
