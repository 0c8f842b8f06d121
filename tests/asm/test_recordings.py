"""Every real recording in ../shared/asm/recordings, replayed through the client.

For each interaction the client issues the request itself, from guide-style arguments: the same
method, path, query and (canonicalised) XML body as the SDK sent in 2015. The fake transport then
answers with the recorded response, which the client parses into models whose key fields are
asserted below, file by file. Request arguments come from the URL (path and query) plus, for
requests with a body, the explicit table ``BODY_ARGS``: the guide-level call that produced it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from lxml import etree

from smflow.asm import models as m
from smflow.asm.catalogue import CATALOGUE
from smflow.errors import ApiError, NotFoundError
from tests.asm.conftest import (
    RECORDED_SUBSCRIPTION,
    as_bytes,
    load_interactions,
    needs_shared,
    recorded_response,
    recording_files,
)

pytestmark = [pytest.mark.shared, needs_shared]

AG = "test_legacy_mgmt_affinitygroup."
MISC = "test_legacy_mgmt_misc."
STOR = "test_legacy_mgmt_storage."


def route(method: str, uri: str) -> tuple[str, dict[str, Any]]:
    """Which operation a recorded request is, and the arguments its URL carries."""
    parts = urlsplit(uri)
    prefix = f"/{RECORDED_SUBSCRIPTION}/"
    assert parts.path.startswith(prefix)
    path, query = parts.path[len(prefix):], dict(parse_qsl(parts.query))
    for spec in CATALOGUE.values():
        template, _, fixed = spec.path.partition("?")
        pattern = re.sub(r"\\{(\w+)\\}", r"(?P<\1>[^/?]+)", re.escape(template))
        match = re.fullmatch(pattern, path)
        if spec.method != method or not match or (fixed and fixed not in parts.query):
            continue
        args: dict[str, Any] = dict(match.groupdict())
        for arg in spec.arguments:
            if arg.query_name and arg.query_name in query:
                args[arg.name] = query[arg.query_name] == "true"
            if arg.query_flag and arg.query_flag in parts.query:
                args[arg.name] = True
        return spec.name, args
    raise AssertionError(f"no catalogue operation for {method} {path}?{parts.query}")


def _b64_field(body: str, element: str) -> str:
    found = re.search(f"<{element}>([^<]*)</{element}>", body)
    assert found, element
    return found.group(1)


SSH_KEY = {"fingerprint": "BEA4B74BD6B915E9DD6A01FB1B8C3C1740F517F2"}
AG_CREATE = {"label": "tstmgmtaffgrp", "description": "tstmgmt affinity group", "location": "West US"}

# (file, interaction index) -> the guide-level arguments of a request with a body.
BODY_ARGS: dict[tuple[str, int], dict[str, Any]] = {
    (AG + "test_create_affinity_group.yaml", 0): dict(AG_CREATE, name="utaffgrpaa4e1795"),
    (AG + "test_delete_affinity_group.yaml", 0): dict(AG_CREATE, name="utaffgrpaa2c1794"),
    (AG + "test_get_affinity_group_properties.yaml", 0): dict(AG_CREATE, name="utaffgrp77aa1b0d"),
    (AG + "test_get_affinity_group_properties.yaml", 1): dict(
        service_name="utsvc77aa1b0d", label="affgrptestlabel", description="affgrptestdesc",
        affinity_group="utaffgrp77aa1b0d"),
    (AG + "test_get_affinity_group_properties.yaml", 2): dict(
        service_name="utstorage77aa1b0d", description="utstorage77aa1b0ddesc", label="utstorage77aa1b0dlabel",
        affinity_group="utaffgrp77aa1b0d"),
    (MISC + "test_add_os_image.yaml", 0): dict(
        label="utcentosimg", name="utosimg3efb0fcd", os="Linux",
        media_link="http://storagename.blob.core.windows.net/inputtestdatadonotdelete/ubuntu.vhd"),
    (MISC + "test_delete_os_image.yaml", 0): dict(
        label="utosimg71c61117label", name="utosimg71c61117", os="Linux",
        media_link="http://storagename.blob.core.windows.net/inputtestdatadonotdelete/ubuntu.vhd"),
    (MISC + "test_change_deployment_configuration.EXCERPT.yaml", 0): dict(configuration="<from body>"),
    (MISC + "test_create_update_delete_hosted_service.yaml", 0): dict(
        service_name="utsvc1ee3195f", label="pythonlabel", description="python hosted service description",
        location="West US", extended_properties={"ext2": "val2", "ext1": "val1"}),
    (MISC + "test_create_update_delete_hosted_service.yaml", 3): dict(
        label="ptvslabelupdate", description="ptvs description update",
        extended_properties={"ext2": "val2update", "ext1": "val1update", "ext3": "brandnew"}),
    (MISC + "test_update_deployment_status.EXCERPT.yaml", 0): dict(
        name="utdeployment", label="utdeploymentlabel", configuration="<from body>",
        package_url="http://storagename.blob.core.windows.net/utctnr21891527/utdeploymentBlob",
        extended_properties={"dep2": "val2", "dep1": "val1"}),
    (MISC + "test_update_deployment_status.EXCERPT.yaml", 3): dict(status="Suspended"),
    (STOR + "test_create_storage_account.yaml", 0): dict(
        service_name="utstor36ea155e", description="utstor36ea155edescription", label="utstor36ea155elabel",
        location="West US", extended_properties={"ext1": "val1", "ext2": "42"}),
    (STOR + "test_delete_storage_account.yaml", 0): dict(
        service_name="utstor36c7155d", description="utstor36c7155ddescription", label="utstor36c7155dlabel",
        location="West US", extended_properties={"ext2": "42", "ext1": "val1"},
        geo_replication_enabled=False),  # forces Standard_LRS, as the recorded body shows
    (MISC + "test_create_virtual_machine_deployment_linux_vm_image.EXCERPT.yaml", 0): dict(
        deployment_name="utsvc92be1ee2", deployment_slot="production", label="utsvc92be1ee2label",
        role_name="utsvc92be1ee2", vm_image_name="unittest-donotdelete-ubuntu1404", role_size="Small",
        system_config={
            "type": "linux", "host_name": "hnutsvc92be1ee2", "user_name": "unittest", "user_password": "u7;9jbp!",
            "disable_ssh_password_authentication": False,
            "ssh_public_keys": [dict(SSH_KEY, path="/home/unittest/.ssh/authorized_keys")],
            "ssh_key_pairs": [dict(SSH_KEY, path="/home/unittest/.ssh/id_rsa")],
        }),
    (MISC + "test_create_virtual_machine_deployment_windows_virtual_network.EXCERPT.yaml", 0): dict(
        deployment_name="utsvcbe2a22e8", deployment_slot="production", label="utsvcbe2a22e8label",
        role_name="utsvcbe2a22e8", role_size="Small", virtual_network_name="utnetdonotdelete",
        system_config={
            "type": "windows", "computer_name": "hnutsvcbe2a22e8", "admin_password": "u7;9jbp!",
            "reset_password_on_first_logon": False, "enable_automatic_updates": False,
            "time_zone": "Pacific Standard Time", "admin_username": "azureuser",
            "stored_certificate_settings": [
                {"store_location": "LocalMachine", "store_name": "My", "thumbprint": SSH_KEY["fingerprint"]}],
            "win_rm_listeners": [{"protocol": "Https", "certificate_thumbprint": SSH_KEY["fingerprint"]}],
        },
        network_config={
            "input_endpoints": [{"name": "utendpoint", "protocol": "tcp", "port": 59913, "local_port": 3394}],
            "subnet_names": ["啊齄丂狛狜"],
        },
        os_virtual_hard_disk={
            "disk_label": "utsvcbe2a22e8.vhd",
            "media_link": "http://storagename.blob.core.windows.net/utctnrbe2a22e8/utsvcbe2a22e8.vhd",
            "source_image_name": "a699494373c04fc0bc8f2bb1389d6106__Windows-Server-Technical-Preview-201505.01-en.us-127GB.vhd",
        }),
}


def c14n(body: bytes) -> bytes:
    return bytes(etree.tostring(etree.fromstring(body), method="c14n"))


def replay(name: str) -> list[tuple[str, Any]]:
    """Issue every interaction of a recording; returns (operation, result or ApiError) pairs."""
    from smflow.asm.client import ServiceManagementClient
    from tests.asm.conftest import FakeTransport

    out: list[tuple[str, Any]] = []
    for index, interaction in enumerate(load_interactions(Path(recording_files()[0]).parent / name)):
        req = interaction["request"]
        operation, args = route(req["method"], req["uri"])
        recorded_body = as_bytes(req["body"])
        if recorded_body:
            extra = dict(BODY_ARGS[(name, index)])
            for key in ("configuration",):
                if extra.get(key) == "<from body>":
                    extra[key] = _b64_field(recorded_body.decode(), "Configuration")
            args.update(extra)
        transport = FakeTransport(lambda _request, i=interaction: recorded_response(i))
        client = ServiceManagementClient(RECORDED_SUBSCRIPTION, transport=transport)
        try:
            result: Any = client.call(operation, args)
        except ApiError as exc:
            result = exc
        [sent] = transport.sent
        want, got = urlsplit(req["uri"]), urlsplit(sent.url)
        assert (sent.method, got.scheme, got.netloc, got.path) == (req["method"], want.scheme, want.netloc, want.path)
        assert parse_qsl(got.query) == parse_qsl(want.query), f"{name}[{index}] query"
        assert sent.headers["x-ms-version"] == "2014-10-01"
        if recorded_body:
            assert sent.body is not None and c14n(sent.body) == c14n(recorded_body), f"{name}[{index}] body"
            assert not sent.body.startswith(b"<?xml")
            assert sent.headers["Content-Type"] == "application/atom+xml;type=entry;charset=utf-8"
        else:
            assert sent.body is None, f"{name}[{index}] sends no body"
        out.append((operation, result))
    return out


def ops(results: list[tuple[str, Any]]) -> list[str]:
    return [op for op, _ in results]


def _accepted(result: Any, request_id: str) -> None:
    assert isinstance(result, m.AsynchronousOperationResult) and result.request_id == request_id
    assert result.http_status in (200, 201, 202)


def _succeeded(result: Any) -> None:
    assert isinstance(result, m.Operation) and result.status == "Succeeded" and result.http_status_code == 200
    assert result.error is None and re.fullmatch(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", result.id)


def _in_progress(result: Any) -> None:
    assert isinstance(result, m.Operation) and result.status == "InProgress"
    assert result.http_status_code is None and result.error is None


def _not_found(result: Any, message: str) -> None:
    assert isinstance(result, NotFoundError) and result.status == 404
    assert (result.code, result.message) == ("ResourceNotFound", message)
    assert result.request_id and result.operation


def check_create_affinity_group(r: list[tuple[str, Any]]) -> None:
    assert ops(r) == ["create_affinity_group", "get_affinity_group_properties"]
    assert isinstance(r[0][1], m.AsynchronousOperationResult) and r[0][1].request_id  # SDK returned None
    ag = r[1][1]
    assert isinstance(ag, m.AffinityGroup)
    assert (ag.name, ag.label, ag.description, ag.location) == (
        "utaffgrpaa4e1795", "tstmgmtaffgrp", "tstmgmt affinity group", "West US")
    assert ag.hosted_services == [] and ag.storage_services == []
    assert ag.capabilities == ["PersistentVMRole", "HighMemory"] and ag.created_time == "2015-06-30T23:59:00Z"


def check_delete_affinity_group(r: list[tuple[str, Any]]) -> None:
    assert ops(r) == ["create_affinity_group", "delete_affinity_group", "get_affinity_group_properties"]
    assert isinstance(r[1][1], m.AsynchronousOperationResult) and r[1][1].request_id
    _not_found(r[2][1], "The affinity group does not exist.")


def check_get_affinity_group_properties(r: list[tuple[str, Any]]) -> None:
    assert ops(r) == ["create_affinity_group", "create_hosted_service", "create_storage_account",
                      "get_affinity_group_properties"]
    ag = r[3][1]
    [svc] = ag.hosted_services
    assert svc.service_name == "utsvc77aa1b0d" and svc.url.endswith("/services/hostedservices/utsvc77aa1b0d")
    props = svc.hosted_service_properties
    assert (props.affinity_group, props.location, props.label, props.status) == (
        "utaffgrp77aa1b0d", None, "affgrptestlabel", "Created")
    assert props.extended_properties == {} and ag.storage_services == []


def check_list_affinity_groups(r: list[tuple[str, Any]]) -> None:
    [(op, groups)] = r
    first = groups[0]
    assert first.name == "utaffgrpdonotdelete" and first.label == "utaffgrpdonotdelete"
    assert first.location == "West US" and first.created_time == "2013-04-23T19:58:49Z"
    assert first.compute_capabilities is not None
    assert first.compute_capabilities.web_worker_role_sizes[:2] == ["A10", "A11"]
    assert "Basic_A0" in first.compute_capabilities.virtual_machines_role_sizes
    assert all(isinstance(g, m.AffinityGroup) and g.name for g in groups)


def check_list_locations(r: list[tuple[str, Any]]) -> None:
    [(op, locations)] = r
    east = locations[0]
    assert (east.name, east.display_name) == ("East US", "East US")
    assert east.available_services == ["Compute", "Storage", "PersistentVMRole", "HighMemory"]
    assert east.compute_capabilities.web_worker_role_sizes[0] == "A10"
    names = [loc.name for loc in locations]
    assert len(names) == len(set(names)) > 1


def check_add_os_image(r: list[tuple[str, Any]]) -> None:
    assert ops(r) == ["add_os_image", "get_operation_status", "get_os_image"]
    added = r[0][1]
    assert isinstance(added, m.AsynchronousOperationResult) and added.request_id == "0666d2cf499ebeaa8ca8bbb2cf90a23e"
    _succeeded(r[1][1])
    for image in (added.body, r[2][1]):
        assert isinstance(image, m.OSImage)
        assert (image.category, image.label, image.name, image.os) == ("User", "utcentosimg", "utosimg3efb0fcd", "Linux")
        assert image.logical_size_in_gb == 30 and image.is_premium is False
        assert (image.os_state, image.io_type, image.location) == ("Generalized", "Standard", "West US")
        assert image.media_link == "http://storagename.blob.core.windows.net/inputtestdatadonotdelete/ubuntu.vhd"


def check_delete_os_image(r: list[tuple[str, Any]]) -> None:
    assert ops(r) == ["add_os_image", "get_operation_status", "delete_os_image", "get_operation_status", "get_os_image"]
    assert r[0][1].body.label == "utosimg71c61117label"
    _succeeded(r[1][1])
    _accepted(r[2][1], "9cd364d7d6b0b688b94c725515afa7ad")
    _succeeded(r[3][1])
    _not_found(r[4][1], "The image with the specified name does not exist.")


def check_change_deployment_configuration(r: list[tuple[str, Any]]) -> None:
    assert ops(r) == ["change_deployment_configuration", "get_operation_status", "get_operation_status",
                      "get_deployment_by_name"]
    _accepted(r[0][1], "5250805d51f2bf4fb2b7614bc03870de")
    assert r[0][1].http_status == 202
    _in_progress(r[1][1])
    _succeeded(r[2][1])
    dep = r[3][1]
    assert (dep.name, dep.deployment_slot, dep.status) == ("utdeployment", "Production", "SuspendedTransitioning")
    assert dep.private_id == "7421d7fb05964e43844b001f872a4bfc" and dep.label == "utdeploymentlabel"
    assert dep.configuration.startswith('<ServiceConfiguration serviceName="WindowsAzure1"')
    assert '<Instances count="4" />' in dep.configuration
    first = dep.role_instance_list[0]
    assert (first.role_name, first.instance_name, first.instance_status) == ("WorkerRole1", "WorkerRole1_IN_0", "StoppedVM")
    assert (first.instance_upgrade_domain, first.instance_fault_domain) == (0, 0)
    assert (first.instance_size, first.instance_state_details, first.ip_address, first.power_state) == (
        "Small", "", "100.115.200.58", "Stopped")
    assert dep.role_instance_list[1].instance_upgrade_domain == 1


def check_create_update_delete_hosted_service(r: list[tuple[str, Any]]) -> None:
    assert ops(r) == ["create_hosted_service", "get_operation_status", "get_hosted_service_properties",
                      "update_hosted_service", "get_hosted_service_properties", "delete_hosted_service",
                      "get_operation_status", "get_hosted_service_properties"]
    _accepted(r[0][1], "1a6b5aa65d73b6ae96c793a888f133ea")
    assert r[0][1].http_status == 201
    _succeeded(r[1][1])
    before, after = r[2][1], r[4][1]
    assert before.service_name == "utsvc1ee3195f" and before.deployments == []
    p = before.hosted_service_properties
    assert (p.description, p.location, p.affinity_group, p.label, p.status) == (
        "python hosted service description", "West US", None, "pythonlabel", "Created")
    assert (p.date_created, p.date_last_modified) == ("2015-07-02T16:45:20Z", "2015-07-02T16:45:20Z")
    assert p.extended_properties == {"ext2": "val2", "ext1": "val1"}
    q = after.hosted_service_properties
    assert (q.label, q.description, q.date_last_modified) == ("ptvslabelupdate", "ptvs description update",
                                                              "2015-07-02T16:45:22Z")
    assert q.extended_properties == {"ext2": "val2update", "ext1": "val1update", "ext3": "brandnew"}
    assert isinstance(r[3][1], m.AsynchronousOperationResult) and r[3][1].request_id
    _accepted(r[5][1], "f3baee117f8cbe0a8f154df1e7dda607")
    _not_found(r[7][1], "The hosted service does not exist.")


def check_create_virtual_machine_deployment_linux_vm_image(r: list[tuple[str, Any]]) -> None:
    assert ops(r) == ["create_virtual_machine_deployment", "get_operation_status", "get_operation_status",
                      "get_deployment_by_name", "get_role"]
    _accepted(r[0][1], "52a827f8afebb4c4ba45ba86dd512b2e")
    _in_progress(r[1][1])
    dep = r[3][1]
    assert (dep.status, dep.label, dep.upgrade_domain_count) == ("Running", "utsvc92be1ee2label", 1)
    [inst] = dep.role_instance_list
    assert (inst.instance_status, inst.power_state, inst.host_name) == ("ReadyRole", "Started", "hnutsvc92be1ee2")
    assert inst.remote_access_certificate_thumbprint == "4bbc3a701598f941ccdbd3d808ea37af"
    [role] = dep.role_list
    assert (role.role_type, role.vm_image_name, role.role_size) == (
        "PersistentVMRole", "unittest-donotdelete-ubuntu1404", "Small")
    assert role.os_virtual_hard_disk is not None and role.os_virtual_hard_disk.os == "Linux"
    assert role.configuration_sets[0].configuration_set_type == "NetworkConfiguration"
    assert role.data_virtual_hard_disks == [] and dep.sdk_version == ""
    assert dep.internal_dns_suffix == "utsvc92be1ee2.d2.internal.cloudapp.net"
    [vip] = dep.virtual_ips
    assert (vip.address, vip.is_dns_programmed, vip.name) == ("23.99.3.181", True, "__PseudoBackEndContractVip")
    assert dep.locked is False and dep.rollback_allowed is False and dep.extended_properties == {}
    got = r[4][1]
    assert isinstance(got, m.Role) and got.role_name == "utsvc92be1ee2" and got.os_version == ""
    disk = got.os_virtual_hard_disk
    assert disk is not None and (disk.host_caching, disk.source_image_name, disk.io_type) == (
        "ReadWrite", "unittest-donotdelete-ubuntu1404-os-2014-11-11", "Standard")
    assert disk.disk_name == "utsvc92be1ee2-utsvc92be1ee2-0-201507021843490981"


def check_create_virtual_machine_deployment_windows_virtual_network(r: list[tuple[str, Any]]) -> None:
    [(op, error)] = r
    assert isinstance(error, ApiError) and not isinstance(error, NotFoundError)
    assert (error.status, error.code, error.message) == (
        400, "BadRequest", "The virtual network utnetdonotdelete does not exist.")
    assert error.operation == "create_virtual_machine_deployment" and error.request_id


def check_get_hosted_service_properties_with_embed_detail(r: list[tuple[str, Any]]) -> None:
    assert ops(r) == ["get_operation_status", "get_operation_status", "get_hosted_service_properties"]
    _in_progress(r[0][1])
    _succeeded(r[1][1])
    svc = r[2][1]
    assert svc.hosted_service_properties.extended_properties == {
        "ext1": "val1", "ext2": "42", "ResourceGroup": "utsvc75f61e6c", "ResourceLocation": "West US"}
    [dep] = svc.deployments
    assert (dep.name, dep.deployment_slot, dep.status, dep.label) == (
        "utdeployment", "Production", "Suspended", "utdeploymentlabel")
    assert [i.instance_status for i in dep.role_instance_list] == ["StoppedVM", "CreatingVM"]
    assert dep.role_list[0].os_version == "WA-GUEST-OS-2.40_201506-01" and dep.sdk_version == "1.7.30602.1703"
    assert dep.persistent_vm_downtime_info == m.PersistentVMDowntimeInfo(
        "2015-06-23T22:50:06Z", "2015-06-27T22:50:06Z", "PersistentVMUpdateScheduled")  # SDK bug 3 fixed
    assert dep.extended_properties == {"dep2": "val2", "dep1": "val1"}
    assert dep.virtual_ips[0].address == "104.42.99.15"


def check_list_hosted_services(r: list[tuple[str, Any]]) -> None:
    [(op, services)] = r
    first = services[0]
    assert (first.service_name, first.hosted_service_properties.label) == ("nodeworkerservice", "NodeWorkerService")
    assert first.hosted_service_properties.description is None  # i:nil
    assert first.hosted_service_properties.location == "West US"
    assert first.compute_capabilities is not None and "Basic_A4" in first.compute_capabilities.virtual_machines_role_sizes
    assert services[1].service_name == "ptvslearn" and services[1].hosted_service_properties.location == "East US"
    assert all(s.deployments == [] for s in services)


def check_list_operating_system_families(r: list[tuple[str, Any]]) -> None:
    [(op, families)] = r
    assert [(f.name, f.label) for f in families] == [
        ("1", "Windows Server 2008 SP2"), ("2", "Windows Server 2008 R2")]
    latest = families[0].operating_systems[-1]
    assert (latest.version, latest.label, latest.is_default, latest.is_active) == (
        "WA-GUEST-OS-1.48_201506-01", "Windows Azure Guest OS 1.48 (Release 201506-01)", True, True)
    assert latest.family is None and latest.family_label is None


def check_list_operating_systems(r: list[tuple[str, Any]]) -> None:
    [(op, systems)] = r
    assert [s.version for s in systems] == [
        "WA-GUEST-OS-1.0_200912-01", "WA-GUEST-OS-1.10_201101-01", "WA-GUEST-OS-4.9_201406-01"]
    last = systems[-1]
    assert (last.family, last.family_label, last.is_default, last.is_active) == (
        4, "Windows Server 2012 R2", False, False)
    assert systems[0].label == "Windows Azure Guest OS 1.0 (Release 200912-01)"


def check_list_os_images(r: list[tuple[str, Any]]) -> None:
    [(op, images)] = r
    first = images[0]
    assert first.category == "Public" and first.os == "Linux" and first.logical_size_in_gb == 30
    assert first.label == "CoreCLR x64 Beta5 (11624) with PartsUnlimited Demo App on Ubuntu Server 14.04 LTS"
    assert first.location is not None and first.location.split(";")[:2] == ["East Asia", "Southeast Asia"]
    assert (first.recommended_vm_size, first.io_type, first.is_premium) == ("Standard_D1", "Standard_LRS", False)
    assert first.publisher_name == "Microsoft Visual Studio Group"
    assert images[1].label == "SQL Server 2014 RTM Web on Windows Server 2012 R2"


def check_update_deployment_status(r: list[tuple[str, Any]]) -> None:
    assert ops(r) == ["create_deployment", "get_operation_status", "get_operation_status",
                      "update_deployment_status", "get_operation_status", "get_operation_status",
                      "get_deployment_by_name"]
    _accepted(r[0][1], "904b574f8c60b8cd9906593a7c53b6d5")
    _accepted(r[3][1], "2947252503eab2efb3dae88f0f5af79b")
    dep = r[6][1]
    assert (dep.status, dep.upgrade_domain_count, dep.url) == ("Suspended", 2, "http://utsvc21891527.cloudapp.net/")
    assert [i.ip_address for i in dep.role_instance_list] == ["100.72.56.54", "100.72.54.74"]
    assert dep.persistent_vm_downtime_info is not None
    assert dep.persistent_vm_downtime_info.status == "PersistentVMUpdateScheduled"
    assert dep.created_time == "2015-07-02T17:50:59Z" and dep.last_modified_time == "2015-07-02T17:51:57Z"


def check_create_storage_account(r: list[tuple[str, Any]]) -> None:
    assert ops(r) == ["create_storage_account"] + ["get_operation_status"] * 5 + ["get_storage_account_properties"]
    _accepted(r[0][1], "26803ab0f361bb8a87b11a2f3b4e8c73")
    for _, poll in r[1:5]:
        _in_progress(poll)
    _succeeded(r[5][1])
    assert r[5][1].id == "26803ab0-f361-bb8a-87b1-1a2f3b4e8c73"  # SDK bug 2 fixed
    acct = r[6][1]
    p = acct.storage_service_properties
    assert acct.service_name == "utstor36ea155e" and p.label == "utstor36ea155elabel"
    assert (p.status, p.account_type, p.location, p.affinity_group) == ("Created", "Standard_GRS", "West US", None)
    assert p.endpoints[0] == "https://utstor36ea155e.blob.core.windows.net/" and len(p.endpoints) == 4
    assert (p.geo_primary_region, p.status_of_primary, p.geo_secondary_region, p.status_of_secondary) == (
        "West US", "Available", "East US", "Available")
    assert p.creation_time == "2015-07-01T00:11:24Z" and acct.capabilities == ["PersistentVMRole"]
    assert acct.extended_properties["ResourceGroup"] == "Default-Storage-WestUS"
    assert acct.storage_service_keys is None


def check_delete_storage_account(r: list[tuple[str, Any]]) -> None:
    assert ops(r) == (["create_storage_account"] + ["get_operation_status"] * 5
                      + ["delete_storage_account", "get_operation_status", "get_storage_account_properties"])
    _succeeded(r[5][1])
    _accepted(r[6][1], "dc946b1ce70403f29e19b1f43c5b9161")
    _succeeded(r[7][1])
    _not_found(r[8][1], "The storage account 'utstor36c7155d' was not found.")


def check_list_storage_accounts(r: list[tuple[str, Any]]) -> None:
    [(op, accounts)] = r
    assert accounts[0].service_name == "amlipython20150121x1314"
    assert accounts[0].storage_service_properties.description == "storage account for vm creation"
    assert accounts[1].service_name == "huvalopythontemp1"
    assert accounts[1].storage_service_properties.description is None  # i:nil
    assert all(isinstance(a, m.StorageService) for a in accounts)


def _check_name(path: Path) -> str:
    return "check_" + path.name.split(".")[1].removeprefix("test_")


@pytest.mark.parametrize("path", recording_files(), ids=lambda p: p.name)
def test_recording(path: Path) -> None:
    check = globals().get(_check_name(path))
    assert check is not None, f"no assertions written for {path.name}: add {_check_name(path)}()"
    check(replay(path.name))


def test_every_body_argument_entry_is_used() -> None:
    files = {p.name for p in recording_files()}
    assert {name for name, _ in BODY_ARGS} <= files
