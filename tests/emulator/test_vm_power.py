"""VM power operations on the emulator: a failed operation leaves the VM as it was, and the
operations that share the role-operations route are told apart by the body's root."""

from __future__ import annotations

import requests

from smflow.asm.client import ServiceManagementClient
from smflow.emulator.faults import ScriptedFault
from smflow.emulator.server import EmulatorServer

SUB = "00000000-0000-0000-0000-000000000000"
UBUNTU = "b39f27a8b8c64d52b05eac6a62ebad85__Ubuntu-14_04_1-LTS-amd64-server-20140927-en-us-30GB"


def _wait(client: ServiceManagementClient, request_id: str | None) -> str:
    assert request_id
    for _ in range(400):
        op = client.get_operation_status(request_id)
        if op.status != "InProgress":
            return op.status
    raise AssertionError("operation never finished")


def _states(client: ServiceManagementClient) -> list[tuple[str, str | None]]:
    return [(i.instance_status, i.power_state) for i in client.get_deployment_by_name("pw", "pw").role_instance_list]


def test_a_failed_shutdown_leaves_the_vm_running_and_the_route_dispatches_on_the_body_root() -> None:
    faults = [ScriptedFault("shutdown_role", nth=1, kind="op-fail")]
    with EmulatorServer(latency=0.02, scripted_faults=faults) as server:
        client = ServiceManagementClient(SUB, endpoint=server.url, timeout=30)
        client.create_hosted_service("pw", "pw", location="West US")
        _wait(client, client.create_virtual_machine_deployment(
            "pw", "pw", "production", "pw", "vm1", {"type": "linux", "host_name": "vm1", "user_name": "u",
                                                    "user_password": "Emulator-Only-Passw0rd!"},
            {"source_image_name": UBUNTU, "media_link": "http://a.blob.core.windows.net/v/vm1.vhd"}).request_id)
        assert _wait(client, client.shutdown_role("pw", "pw", "vm1").request_id) == "Failed"
        assert _states(client) == [("ReadyRole", "Started")]
        assert _wait(client, client.shutdown_role("pw", "pw", "vm1").request_id) == "Succeeded"
        assert _states(client) == [("StoppedVM", "Stopped")]

        url = f"{server.url}/{SUB}/services/hostedservices/pw/deployments/pw/roleinstances/vm1/Operations"
        ns = 'xmlns="http://schemas.microsoft.com/windowsazure"'
        headers = {"x-ms-version": "2014-10-01", "Content-Type": "application/xml"}
        capture = requests.post(url, data=f"<CaptureRoleOperation {ns}><OperationType>CaptureRoleOperation"
                                f"</OperationType></CaptureRoleOperation>", headers=headers, timeout=30)
        assert capture.status_code == 400 and b"The PostCaptureAction element is missing" in capture.content
        as_image = requests.post(url, data=f"<CaptureRoleAsVMImageOperation {ns}><OperationType>"
                                 f"CaptureRoleAsVMImageOperation</OperationType></CaptureRoleAsVMImageOperation>",
                                 headers=headers, timeout=30)
        assert as_image.status_code == 400 and b"capture_vm_image" not in as_image.content  # served: its body is refused
        other = requests.post(url, data=f"<Swap {ns}/>", headers=headers, timeout=30)
        assert other.status_code == 400 and b"ShutdownRoleOperation or StartRoleOperation" in other.content
        assert _states(client) == [("StoppedVM", "Stopped")]
