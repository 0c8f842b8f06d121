"""What the reserved-IP, VM-image and image-publishing cassettes must show beyond "it replays".

Re-recorded like the others (see tests/flows/test_replay.py)::

    python -m pytest tests/recording/test_cassettes.py tests/flows/test_replay_images.py --smflow-record
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .conftest import ADMIN_PASSWORD, CASSETTES


def test_reserved_ip_cassette_keeps_the_address_across_the_swap(smflow_replay: Callable[..., Any]) -> None:
    text = (CASSETTES / "reserved_ip.yaml").read_text(encoding="utf-8")
    create = text.index("<ReservedIP xmlns")
    associate = text.index("/reservedips/smflow-vip-web/operations/associate")
    swap = text.index("<Swap ")
    address = re.search(r"<Name>smflow-vip-web</Name><Address>([0-9.]+)</Address>", text)
    assert address is not None and create < associate < swap
    after = text[swap:]  # production after the swap: v2, at the reserved address
    assert re.search(rf"<Name>v2</Name>.*?<Address>{re.escape(address.group(1))}</Address>.*?"
                     r"<ReservedIPName>smflow-vip-web</ReservedIPName>", after, re.S)
    assert "<DeploymentName>v2</DeploymentName>" in after
    assert "<SubscriptionID>SUBSCRIPTION-ID</SubscriptionID>" in text  # the id is scrubbed from the body too
    result = smflow_replay("flows/reserved_ip.flow")
    assert result.ok, result.error


def test_vm_image_cassette_captures_then_describes(smflow_replay: Callable[..., Any]) -> None:
    text = (CASSETTES / "vm_image.yaml").read_text(encoding="utf-8")
    assert ADMIN_PASSWORD not in text
    capture = text.index("<CaptureRoleAsVMImageOperation ")
    update = text.index("<Label>web tier, golden</Label>")
    assert capture < update and "<OSState>Specialized</OSState>" in text
    result = smflow_replay("flows/vm_image.flow", vars={"admin_password": "another-Passw0rd!"})
    assert result.ok, result.error


def test_image_publishing_cassette_replicates_before_sharing(smflow_replay: Callable[..., Any]) -> None:
    text = (CASSETTES / "image_publishing.yaml").read_text(encoding="utf-8")
    replicate, shared = text.index("/replicate"), text.index("/shareasync?permission=Public")
    assert replicate < shared < text.index("/unreplicate")
    assert "<Progress>100</Progress>" in text[replicate:shared]
    result = smflow_replay("flows/image_publishing.flow")
    assert result.ok, result.error
