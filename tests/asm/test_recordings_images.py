"""The real recordings of ../shared/asm/recordings-extended for VM and OS images, reserved IPs, the
subscription and resource extensions, replayed request by request through the client (as
test_recordings_extended.py does for the rest of the extended surface).

For each interaction the client builds the request itself from the arguments the URL and the
recorded body carry (nested bodies become the SDK-shaped records a flow writes), and must send the
same path, query and body (canonical XML) as the SDK did; the recorded response is then parsed and
the key fields of each file are asserted below.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from lxml import etree

from smflow.asm import models as m
from smflow.asm.catalogue import CATALOGUE
from smflow.asm.client import ServiceManagementClient
from smflow.asm.types import BOOL
from smflow.errors import NotFoundError
from tests.asm.conftest import FakeTransport, as_bytes, load_interactions
from tests.asm.test_recordings import route
from tests.asm.test_recordings_extended import EXTENDED, body_arguments, send_as_recorded

pytestmark = [pytest.mark.shared, pytest.mark.skipif(
    not EXTENDED.is_dir(), reason=f"extended recordings not found at {EXTENDED} (../shared is absent)")]

Args = dict[str, Any]


def _local(el: Any) -> str:
    return str(etree.QName(el).localname)


def _children(el: Any) -> dict[str, Any]:
    return {_local(c): c for c in el}


def _text(el: Any, name: str) -> str | None:
    c = _children(el).get(name)
    return None if c is None else (c.text or "")


def _snake(name: str) -> str:
    special = {"RecommendedVMSize": "recommended_vm_size", "OSState": "os_state", "OS": "os",
               "LogicalDiskSizeInGB": "logical_disk_size_in_gb", "VMImageName": "vm_image_name",
               "VMImageLabel": "vm_image_label", "VirtualIPName": "virtual_ip_name"}
    return special.get(name) or "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")


def _value(name: str, text: str) -> Any:
    if name in ("ShowInGui", "StartDeployment", "TreatWarningsAsError"):
        return text == "true"
    if name in ("Lun", "LogicalDiskSizeInGB"):
        return int(text)
    return text


def _flat(el: Any) -> Args:
    """A body's leaf children as arguments named the SDK's way (``ShowInGui`` → ``show_in_gui``)."""
    return {_snake(_local(c)): _value(_local(c), c.text or "") for c in el if len(c) == 0}


def _vm_image(root: Any) -> Args:
    image = _flat(root)
    kids = _children(root)
    if "OSDiskConfiguration" in kids:
        image["os_disk_configuration"] = _flat(kids["OSDiskConfiguration"])
    if "DataDiskConfigurations" in kids:
        image["data_disk_configurations"] = [_flat(d) for d in kids["DataDiskConfigurations"]]
    return {"vm_image": image}


def _os_image(root: Any) -> Args:
    flat = _flat(root)
    return flat if "name" in flat else {"os_image": flat}  # update_os_image vs ..._from_image_reference


def _replication(root: Any) -> Args:
    kids = _children(root)
    return {"regions": [r.text for r in kids["TargetLocations"]], **_flat(kids["ComputeImageAttributes"])}


def _deployment(root: Any) -> Args:
    args = _flat(root)
    args["label"] = base64.b64decode(args["label"]).decode()
    props = _children(root).get("ExtendedProperties")
    if props is not None:
        args["extended_properties"] = {_text(p, "Name"): _text(p, "Value") for p in props}
    return args


def _vm_deployment(root: Any) -> Args:
    """The one VM deployment of these files (test_capture_vm_image), as test_recordings.py writes them."""
    key = "BEA4B74BD6B915E9DD6A01FB1B8C3C1740F517F2"
    assert _text(root, "Name") == "utsvc84841199"
    return dict(
        deployment_name="utsvc84841199", deployment_slot="production", label="utsvc84841199label",
        role_name="utsvc84841199", role_size="Small",
        system_config={"type": "linux", "host_name": "hnutsvc84841199", "user_name": "unittest",
                       "user_password": "REDACTED", "disable_ssh_password_authentication": False,
                       "ssh_public_keys": [{"fingerprint": key, "path": "/home/unittest/.ssh/authorized_keys"}],
                       "ssh_key_pairs": [{"fingerprint": key, "path": "/home/unittest/.ssh/id_rsa"}]},
        network_config={"input_endpoints": [{"name": "utendpoint", "protocol": "tcp", "port": 59913,
                                             "local_port": 3394}]},
        os_virtual_hard_disk={
            "disk_label": "utsvc84841199.vhd",
            "media_link": "http://storagename.blob.core.windows.net/utctnr84841199/utsvc84841199.vhd",
            "source_image_name": "b39f27a8b8c64d52b05eac6a62ebad85__Ubuntu-15_04-amd64-server-20150616.1-en-us-30GB"})


# body root -> (operation when the URL's route is ambiguous or None, arguments from the body)
BODIES: dict[str, tuple[str | None, Callable[[Any], Args]]] = {
    "ReservedIP": (None, _flat),
    "ReservedIPAssociation": (None, _flat),
    "VMImage": (None, _vm_image),
    "OSImage": (None, _os_image),
    "ReplicationInput": (None, _replication),
    "CaptureRoleAsVMImageOperation": ("capture_vm_image", lambda r: {"options": {
        k: v for k, v in _flat(r).items() if k != "operation_type"}}),
    "CreateDeployment": (None, _deployment),
    "UpdateDeploymentStatus": (None, _flat),
    "Deployment": (None, _vm_deployment),
}


def _route(method: str, uri: str) -> tuple[str, Args]:
    """test_recordings.route, plus the two URL forms it does not read: ``GET /<subscription>`` and
    string-valued query arguments (``?publisher=Cloudera``), which it would take for flags."""
    parts = urlsplit(uri)
    if parts.path.strip("/").count("/") == 0:
        return "get_subscription", {}
    operation, args = route(method, uri)
    query = dict(parse_qsl(parts.query))
    for arg in CATALOGUE[operation].arguments:
        if arg.query_name and arg.type is not BOOL and arg.query_name in query:
            args[arg.name] = query[arg.query_name]
    return operation, args


def replay(name: str) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for index, interaction in enumerate(load_interactions(EXTENDED / name)):
        req = interaction["request"]
        operation, args = _route(req["method"], req["uri"])
        body = as_bytes(req["body"])
        if body:
            root = etree.fromstring(body)
            entry = BODIES.get(_local(root))
            if entry is None:
                args.update(body_arguments(operation, body))
            else:
                named, parse = entry
                operation = named or operation
                args.update(parse(root))
                if operation == "update_os_image" and "os_image" in args:
                    operation = "update_os_image_from_image_reference"
                if operation == "capture_vm_image":
                    args.pop("post_shutdown_action", None)
        result, sent = send_as_recorded(name, index, interaction, operation, args, body)
        version = (req.get("headers") or {}).get("x-ms-version")
        if version:
            assert sent.headers["x-ms-version"] == (version[0] if isinstance(version, list) else version), index
        out.append((operation, result))
    return out


def _of(results: list[tuple[str, Any]], operation: str) -> list[Any]:
    return [r for op, r in results if op == operation]


def _reserved(results: list[tuple[str, Any]]) -> None:
    [created] = _of(results, "create_reserved_ip_address")
    assert isinstance(created, m.AsynchronousOperationResult) and created.http_status == 202 and created.request_id
    ip = (_of(results, "get_reserved_ip_address") or [None])[-1]
    if ip is not None:
        assert (ip.label, ip.state, ip.location, ip.in_use, ip.service_name) == ("mylabel", "Created", "West US",
                                                                                 False, "")
        assert ip.address.count(".") == 3 and ip.id.count("-") == 4


def _listed(results: list[tuple[str, Any]]) -> None:
    _reserved(results)
    ips = results[-1][1]
    assert ips and all(isinstance(i, m.ReservedIP) and i.name and i.address for i in ips)


def _deleted(results: list[tuple[str, Any]]) -> None:
    _reserved(results)
    [gone] = _of(results, "delete_reserved_ip_address")
    assert gone.http_status == 202


def _associated(results: list[tuple[str, Any]]) -> None:
    [assoc] = _of(results, "associate_reserved_ip_address")
    assert assoc.http_status == 202 and assoc.request_id
    svc = _of(results, "get_hosted_service_properties")[-1]
    [vip] = svc.deployments[0].virtual_ips
    assert (vip.is_reserved, vip.reserved_ip_name) == (True, "ip8ec516f9")


def _disassociated(results: list[tuple[str, Any]]) -> None:
    [dis] = _of(results, "disassociate_reserved_ip_address")
    assert dis.http_status == 202
    [vip] = _of(results, "get_hosted_service_properties")[-1].deployments[0].virtual_ips
    assert (vip.is_reserved, vip.reserved_ip_name) == (False, None)


def _subscription(results: list[tuple[str, Any]]) -> None:
    [sub] = _of(results, "get_subscription")
    assert sub.subscription_id == "00000000-0000-0000-0000-000000000000"
    assert (sub.max_core_count, sub.current_core_count, sub.current_hosted_services, sub.current_storage_accounts) == (
        20, 9, 11, 45)
    assert sub.aad_tenant_id == "72f988bf-86f1-41af-91ab-2d7cd011db47" and sub.max_dns_servers == 20
    assert "00000000" not in repr(sub)  # the subscription id is secret


def _extensions(results: list[tuple[str, Any]]) -> None:
    exts = results[-1][1]
    assert len(exts) == 3 and exts[0].publisher == "Microsoft.VisualStudio.Azure.RemoteDebug"
    assert exts[0].replication_completed is True and exts[0].public_configuration_schema.startswith("PD94")


def _extension_versions(results: list[tuple[str, Any]]) -> None:
    versions = results[-1][1]
    assert [v.version for v in versions][0::7] == ["11.10.4", "1207.12.3.0"] and len(versions) == 8
    assert versions[-1].is_json_extension is True and versions[-1].company_name == "Chef Software, Inc."


def _vm_images_by_publisher(results: list[tuple[str, Any]]) -> None:
    [image] = results[-1][1]
    assert (image.publisher_name, image.category, image.recommended_vm_size) == ("Cloudera", "Public", "Standard_D14")
    assert image.os_disk_configuration.os_state == "Specialized" and image.os_disk_configuration.media_link is None
    assert "West US" in image.location.split(";") and image.data_disk_configurations == []


def _vm_image_in_list(name: str, **want: Any) -> Callable[[list[tuple[str, Any]]], None]:
    def check(results: list[tuple[str, Any]]) -> None:
        writes = [r for op, r in results if op in ("create_vm_image", "delete_vm_image", "capture_vm_image")]
        assert all(w.http_status == 202 and w.request_id for w in writes)
        images = {i.name: i for i in results[-1][1]}
        if want.get("gone"):
            assert name not in images
            return
        got = images[name]
        for key, value in want.items():
            assert getattr(got, key) == value, key

    return check


def _updated_vm_image(results: list[tuple[str, Any]]) -> None:
    [update] = _of(results, "update_vm_image")
    assert update.http_status == 200 and update.request_id  # synchronous on the wire [REC]
    _vm_image_in_list("utsvc72d51128image", label="Updated label", eula="Updated eula", show_in_gui=False)(results)
    image = {i.name: i for i in results[-1][1]}["utsvc72d51128image"]
    assert image.os_disk_configuration.host_caching == "ReadOnly" and image.os_disk_configuration.name == "imagecopy"


def _os_image_updated(label: str) -> Callable[[list[tuple[str, Any]]], None]:
    def check(results: list[tuple[str, Any]]) -> None:
        [update] = [r for op, r in results if op.startswith("update_os_image")]
        assert update.http_status == 200 and isinstance(update.body, m.OSImage) and update.body.label == label
        assert results[-1][1].label == label

    return check


def _details(results: list[tuple[str, Any]]) -> None:
    [replicated] = _of(results, "replicate_vm_image")
    assert replicated.http_status == 200 and replicated.body is None
    details = results[-1][1]
    assert isinstance(details, m.OSImageDetails) and details.name == "utosimgcd6e1329"
    assert [(r.location, r.progress) for r in details.replication_progress] == [("West US", 0), ("West Europe", 0)]


def _deployment_deleted(results: list[tuple[str, Any]]) -> None:
    [deleted] = _of(results, "delete_deployment")
    assert deleted.http_status == 202 and deleted.request_id  # asynchronous [REC]
    assert [d.name for d in _of(results, "get_deployment_by_name")[:1]] == ["utdeployment"]
    gone = results[-1][1]
    assert isinstance(gone, NotFoundError) and gone.message == "No deployments were found."


def _unicode_storage(**want: str) -> Callable[[list[tuple[str, Any]]], None]:
    def check(results: list[tuple[str, Any]]) -> None:
        acct = results[-1][1]
        props = acct.storage_service_properties
        for key, value in want.items():
            got = acct.extended_properties.get("ext1") if key == "ext1" else getattr(props, key)
            assert got == value, key

    return check


MISC = "test_legacy_mgmt_misc."
STOR = "test_legacy_mgmt_storage."
FILES: dict[str, Callable[[list[tuple[str, Any]]], None]] = {
    MISC + "test_create_reserved_ip_address.EXCERPT.yaml": _reserved,
    MISC + "test_get_reserved_ip_address.EXCERPT.yaml": _reserved,
    MISC + "test_list_reserved_ip_addresses.EXCERPT.yaml": _listed,
    MISC + "test_delete_reserved_ip_address.EXCERPT.yaml": _deleted,
    MISC + "test_associate_reserved_ip_address.EXCERPT.yaml": _associated,
    MISC + "test_disassociate_reserved_ip_address.EXCERPT.yaml": _disassociated,
    MISC + "test_get_subscription.yaml": _subscription,
    MISC + "test_list_resource_extensions.EXCERPT.yaml": _extensions,
    MISC + "test_list_resource_extension_versions.yaml": _extension_versions,
    MISC + "test_list_vm_images_location_publisher.yaml": _vm_images_by_publisher,
    MISC + "test_create_vm_image.EXCERPT.yaml": _vm_image_in_list(
        "utsvc71f01119image", label="utsvc71f01119imagelabel", description="utsvc71f01119imagedescription"),
    MISC + "test_update_vm_image.EXCERPT.yaml": _updated_vm_image,
    MISC + "test_delete_vm_image.EXCERPT.yaml": _vm_image_in_list("utsvc4ef91289image", gone=True),
    MISC + "test_capture_vm_image.EXCERPT.yaml": _vm_image_in_list(
        "utsvc84841199image", service_name="utsvc84841199", role_name="utsvc84841199", language="english"),
    MISC + "test_update_os_image.EXCERPT.yaml": _os_image_updated("newlabel"),
    MISC + "test_update_os_image_from_image_reference.yaml": _os_image_updated("newlabel"),
    MISC + "test_get_os_image_details.yaml": _details,
    # recordings of guide operations that no other replay covered (the lead's list, issue 11)
    MISC + "test_create_get_delete_deployment.EXCERPT.yaml": _deployment_deleted,
    STOR + "test_unicode_create_storage_account_unicode_description_label.EXCERPT.yaml": _unicode_storage(
        description="啊齄丂狛狜", label="丂狛狜"),
    STOR + "test_unicode_create_storage_account_unicode_property_value.EXCERPT.yaml": _unicode_storage(ext1="丂狛狜"),
}


@pytest.mark.parametrize("name", sorted(FILES))
def test_recording(name: str) -> None:
    assert (EXTENDED / name).is_file(), name
    FILES[name](replay(name))


def test_a_missing_reserved_ip_reads_as_not_found() -> None:
    """The emulator's wording is its own, but the client's error class is what a flow's ``exists`` reads."""
    from tests.asm.conftest import HttpResponse

    body = (b'<Error xmlns="http://schemas.microsoft.com/windowsazure"><Code>ResourceNotFound</Code>'
            b"<Message>The reserved IP address nope does not exist.</Message></Error>")
    transport = FakeTransport(lambda _r: HttpResponse(404, {"content-type": "application/xml"}, body, "Not Found"))
    client = ServiceManagementClient("00000000-0000-0000-0000-000000000000", transport=transport)
    with pytest.raises(NotFoundError, match="nope does not exist"):
        client.get_reserved_ip_address("nope")
