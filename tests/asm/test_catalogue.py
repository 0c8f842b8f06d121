"""The catalogue is complete, self-consistent, and its argument checks say what is valid."""

from __future__ import annotations

import dataclasses
import inspect
import re

import pytest

from smflow.asm import models
from smflow.asm.catalogue import CATALOGUE, DATA_PLANE, UNKNOWN, get_operation, operation_names, validate_arguments
from smflow.asm.types import ListType, ModelType, RecordType, attribute_type

# wire.md §2 (26) plus the state reads a runbook needs and the recorded update_hosted_service.
GUIDE_OPERATIONS = {
    "list_locations", "create_hosted_service", "list_hosted_services", "get_hosted_service_properties",
    "delete_hosted_service", "create_deployment", "get_deployment_by_slot", "get_deployment_by_name",
    "change_deployment_configuration", "update_deployment_status", "swap_deployment", "delete_deployment",
    "create_storage_account", "list_storage_accounts", "get_storage_account_properties", "delete_storage_account",
    "create_affinity_group", "list_affinity_groups", "delete_affinity_group", "list_operating_systems",
    "list_operating_system_families", "add_os_image", "list_os_images", "delete_os_image",
    "create_virtual_machine_deployment", "get_operation_status",
}
EXTRA = {"update_hosted_service", "get_storage_account_keys", "get_affinity_group_properties", "get_os_image", "get_role"}
# wire-extended.md: the rest of ServiceManagementService, area by area.
EXTENDED = {
    "upgrade_deployment", "walk_upgrade_domain", "rollback_update_or_upgrade",
    "reboot_role_instance", "reimage_role_instance", "rebuild_role_instance", "delete_role_instances",
    "check_hosted_service_name_availability", "check_storage_account_name_availability",
    "update_storage_account", "regenerate_storage_account_keys", "update_affinity_group",
    "add_service_certificate", "get_service_certificate", "list_service_certificates", "delete_service_certificate",
    "add_management_certificate", "get_management_certificate", "list_management_certificates",
    "delete_management_certificate", "list_role_sizes",
    "shutdown_role", "start_role", "restart_role", "shutdown_roles", "start_roles",
    "add_role", "update_role", "delete_role", "capture_role", "add_dns_server", "update_dns_server", "delete_dns_server",
    "list_disks", "get_disk", "add_disk", "update_disk", "delete_disk",
    "get_data_disk", "add_data_disk", "update_data_disk", "delete_data_disk",
}
# wire-extended.md §4, §5, §7, §8: VM images, OS images, reserved IPs, networks, the subscription, extensions.
IMAGES_NETWORK_SUBSCRIPTION = {
    "create_vm_image", "list_vm_images", "update_vm_image", "delete_vm_image", "capture_vm_image",
    "update_os_image", "update_os_image_from_image_reference", "get_os_image_details",
    "replicate_vm_image", "unreplicate_vm_image", "share_vm_image",
    "create_reserved_ip_address", "get_reserved_ip_address", "list_reserved_ip_addresses",
    "delete_reserved_ip_address", "associate_reserved_ip_address", "disassociate_reserved_ip_address",
    "list_virtual_network_sites", "get_subscription", "list_subscription_operations",
    "list_resource_extensions", "list_resource_extension_versions",
}
EXTENDED |= IMAGES_NETWORK_SUBSCRIPTION


def test_every_operation_of_the_guide_is_there_once() -> None:
    assert len(GUIDE_OPERATIONS) == 26
    assert set(CATALOGUE) == GUIDE_OPERATIONS | EXTRA | EXTENDED
    assert len(operation_names()) == len(set(operation_names())) == 31 + len(EXTENDED) + len(DATA_PLANE)
    assert all(CATALOGUE[n].name == n for n in CATALOGUE)
    assert get_operation("nope") is None


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_spec_is_consistent(name: str) -> None:
    spec = CATALOGUE[name]
    placeholders = re.findall(r"{(\w+)}", spec.path)
    path_args = [a.name for a in spec.arguments if a.location == "path"]
    assert placeholders == path_args, "every placeholder is a path argument, in order"
    assert all(a.required for a in spec.arguments if a.location == "path")
    assert len({a.name for a in spec.arguments}) == len(spec.arguments)
    assert not spec.path.startswith("/")
    for group in spec.exactly_one_of + spec.at_least_one_of:
        assert all(spec.argument(n) is not None and not spec.argument(n).required for n in group)  # type: ignore[union-attr]
    for arg in spec.arguments:
        if arg.location == "query":
            assert (arg.query_name is None) != (arg.query_flag is None)
        assert arg.doc or arg.location == "body", f"{name}.{arg.name} documented"
    assert spec.doc and spec.resource
    if spec.effect == "read":
        assert spec.method == "GET" and spec.body_root is None and not spec.asynchronous
        assert isinstance(spec.result, (ModelType, ListType))
    else:
        assert spec.method != "GET"
        assert spec.result == ModelType(models.AsynchronousOperationResult)
        has_body = any(a.location == "body" for a in spec.arguments)
        fixed_body = name in ("start_role", "restart_role")  # a body of its OperationType only
        assert (spec.body_root is not None) == (has_body or fixed_body)
    if spec.asynchronous:
        assert 202 in spec.success_status


def test_paths_and_quirks() -> None:
    assert CATALOGUE["change_deployment_configuration"].path.endswith("{deployment_name}/?comp=config")
    assert CATALOGUE["update_deployment_status"].path.endswith("/?comp=status")
    assert CATALOGUE["create_virtual_machine_deployment"].path == "services/hostedservices/{service_name}/deployments"
    assert CATALOGUE["get_hosted_service_properties"].argument("embed_detail").query_name == "embed-detail"  # type: ignore[union-attr]
    assert CATALOGUE["delete_deployment"].argument("delete_vhd").query_flag == "comp=media"  # type: ignore[union-attr]
    assert CATALOGUE["create_hosted_service"].success_status == (201,)
    assert CATALOGUE["create_deployment"].asynchronous


def test_argument_order_matches_the_sdk() -> None:
    """Positional order is the guide's; the SDK signatures are the reference."""
    sms = pytest.importorskip("azure.servicemanagement.servicemanagementservice")
    for name, spec in CATALOGUE.items():
        method = getattr(sms.ServiceManagementService, name)
        sdk = [p for p in inspect.signature(method).parameters if p != "self"]
        ours = [a.name for a in spec.arguments]
        assert ours == sdk, name


def test_result_models_are_typed_for_the_checker() -> None:
    dep = ModelType(models.Deployment)
    instances = attribute_type(dep, "role_instance_list")
    assert instances == ListType(ModelType(models.RoleInstance))
    assert str(attribute_type(ModelType(models.RoleInstance), "instance_status")) == "string"
    assert str(attribute_type(ModelType(models.RoleInstance), "instance_upgrade_domain")) == "int"
    assert str(attribute_type(dep, "locked")) == "bool"
    props = attribute_type(ModelType(models.HostedService), "hosted_service_properties")
    assert props == ModelType(models.HostedServiceProperties)
    assert str(attribute_type(props, "extended_properties")) == "map[string, string]"  # type: ignore[arg-type]
    op = ModelType(models.Operation)
    assert attribute_type(attribute_type(op, "error"), "code") is not None  # type: ignore[arg-type]
    assert attribute_type(dep, "nope") is None


def test_models_default_everything_and_hide_keys() -> None:
    for cls in vars(models).values():
        if isinstance(cls, type) and dataclasses.is_dataclass(cls):
            cls()  # every field has a default
    keys = models.StorageServiceKeys(primary="c2VjcmV0", secondary="b3RoZXI=")
    assert "c2VjcmV0" not in repr(keys) and "b3RoZXI=" not in repr(models.StorageService(storage_service_keys=keys))
    assert models.Deployment().role_instance_list == []


def _problems(op: str, **args: object) -> list[tuple[str | None, str]]:
    return validate_arguments(CATALOGUE[op], args)


def test_both_location_and_affinity_group_refused() -> None:
    problems = _problems("create_hosted_service", service_name="s", label="l", location="West US", affinity_group="ag")
    assert problems == [("affinity_group", "give only one of 'location' or 'affinity_group', not both")]
    neither = _problems("create_hosted_service", service_name="s", label="l")
    assert neither == [(None, "create_hosted_service needs one of 'location' or 'affinity_group'")]


def test_storage_name_rules() -> None:
    base = {"description": "d", "label": "l", "location": "Japan West"}
    assert _problems("create_storage_account", service_name="ok123", **base) == []
    for bad in ("ab", "UPPER", "a" * 25, "with-dash"):
        [(name, message)] = _problems("create_storage_account", service_name=bad, **base)
        assert name == "service_name" and "3 to 24 lowercase letters and digits" in message
    [(name, _)] = _problems("get_storage_account_keys", service_name="ab")
    assert name == "service_name"


def test_missing_unknown_enum_type() -> None:
    problems = _problems("create_deployment", service_name="s", deployment_slot="Staging", name="v1",
                         package_url="http://x", label="v1", configuration="PD94/", start_deployment="yes",
                         lable="x")
    assert problems == [
        ("lable", "unknown argument 'lable' for create_deployment; did you mean 'label'? (arguments: service_name, "
                  "deployment_slot, name, package_url, label, configuration, start_deployment, "
                  "treat_warnings_as_error, extended_properties)"),
        ("start_deployment", "start_deployment must be bool, not string 'yes'"),
    ]
    [(name, message)] = _problems("update_deployment_status", service_name="s", deployment_name="d", status="running")
    assert name == "status" and message == "status must be one of 'Running', 'Suspended', not 'running'"
    [(name, message)] = _problems("get_deployment_by_slot", service_name="s", deployment_slot="blue")
    assert "'staging', 'production' (any case)" in message
    assert _problems("get_deployment_by_slot", service_name="s", deployment_slot="PRODUCTION") == []
    [(name, message)] = _problems("get_deployment_by_name", service_name="s")
    assert (name, message) == ("deployment_name", "missing required argument 'deployment_name' (string)")
    [(name, message)] = _problems("create_deployment", service_name="s", deployment_slot="staging", name="v",
                                  package_url="u", label="l", configuration="<ServiceConfiguration/>")
    assert name == "configuration" and "base64" in message
    assert _problems("update_hosted_service", service_name="s") == [
        (None, "update_hosted_service needs at least one of 'label' or 'description'")
    ]
    [(name, message)] = _problems("create_hosted_service", service_name="s", label="x" * 101, location="l")
    assert name == "label" and "at most 100" in message


def test_unknown_values_count_as_present() -> None:
    assert _problems("create_storage_account", service_name=UNKNOWN, description=UNKNOWN, label=UNKNOWN,
                     location=UNKNOWN) == []


def test_vm_records() -> None:
    base = dict(service_name="s", deployment_name="d", deployment_slot="production", label="l", role_name="r",
                vm_image_name="img")
    linux = {"type": "linux", "host_name": "h", "user_name": "u", "user_password": "p"}
    assert _problems("create_virtual_machine_deployment", system_config=linux, **base) == []
    windows = {"type": "Windows", "computer_name": "c", "admin_username": "a",
               "win_rm_listeners": [{"protocol": "Https", "certificate_thumbprint": "AB"}]}
    assert _problems("create_virtual_machine_deployment", system_config=windows, **base) == []
    wrong = {"type": "linux", "host_name": "h", "user_name": "u", "computer_name": "c", "hostname": 1}
    messages = [m for _, m in _problems("create_virtual_machine_deployment", system_config=wrong, **base)]
    assert messages == ["system_config.computer_name does not apply to a linux system_config",
                        "system_config has no field 'hostname'; did you mean 'host_name'?"]
    missing = [m for _, m in _problems("create_virtual_machine_deployment", system_config={"type": "linux"}, **base)]
    assert missing == ["system_config.host_name is required", "system_config.user_name is required"]
    net = {"input_endpoints": [{"name": "ssh", "protocol": "tcp", "port": "22", "local_port": 22}]}
    [(name, message)] = _problems("create_virtual_machine_deployment", system_config=linux, network_config=net, **base)
    assert (name, message) == ("network_config", "network_config.input_endpoints[0].port must be int, not string '22'")
    both = dict(base, os_virtual_hard_disk={"media_link": "http://x"})
    [(name, _)] = _problems("create_virtual_machine_deployment", system_config=linux, **both)
    assert name == "vm_image_name"
    spec = CATALOGUE["create_virtual_machine_deployment"]
    assert "user_password" in spec.argument("system_config").secret_fields  # type: ignore[union-attr]
    assert isinstance(spec.argument("system_config").type, RecordType)  # type: ignore[union-attr]


def test_secret_values_are_never_quoted() -> None:
    base = dict(service_name="s", deployment_name="d", deployment_slot="production", label="l", role_name="r",
                vm_image_name="img")
    config = {"type": "linux", "host_name": "h", "user_name": "u", "user_password": 12345678}
    [(name, message)] = _problems("create_virtual_machine_deployment", system_config=config, **base)
    assert message == "system_config.user_password must be string, not int (secret)"
    config = {"type": "linux", "host_name": 7, "user_name": "u"}
    [(name, message)] = _problems("create_virtual_machine_deployment", system_config=config, **base)
    assert message == "system_config.host_name must be string, not int 7"
