"""Request bodies no client should send: the emulator answers 400 InvalidXmlRequest (as Azure
does) and keeps serving; it never answers 500 or stops (issue 16: a 1,000-deep body)."""

from __future__ import annotations

import pytest

from .conftest import Api

NS = 'xmlns="http://schemas.microsoft.com/windowsazure"'
ROUTES = [
    ("services/hostedservices", "CreateHostedService"),
    ("services/hostedservices/deep/deploymentslots/production", "CreateDeployment"),
    ("services/hostedservices/deep/deployments", "Deployment"),
    ("services/hostedservices/deep", "Swap"),
    ("services/storageservices", "CreateStorageServiceInput"),
    ("affinitygroups", "CreateAffinityGroup"),
    ("services/images", "OSImage"),
]


@pytest.mark.parametrize(("path", "root"), ROUTES, ids=[root for _, root in ROUTES])
def test_a_body_nested_1000_deep_is_a_400_and_the_emulator_keeps_serving(api: Api, path: str, root: str) -> None:
    assert api.create_service("deep").status_code == 201
    body = f"<{root} {NS}>" + "<a>" * 1000 + "</a>" * 1000 + f"</{root}>"
    answer = api.request("POST", path, body)
    assert answer.status_code == 400, answer.text
    assert "<Code>InvalidXmlRequest</Code>" in answer.text
    assert api.get("services/hostedservices/deep").status_code == 200  # still serving


def test_a_body_that_is_not_utf8_is_a_400(api: Api) -> None:
    answer = api.request("POST", "services/hostedservices", b"\xff\xfe<CreateHostedService")
    assert answer.status_code == 400 and "InvalidXmlRequest" in answer.text
