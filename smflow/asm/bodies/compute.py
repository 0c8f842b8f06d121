"""Request bodies and response roots of hosted services and deployments."""

from __future__ import annotations

from typing import Any

from smflow.asm import models as m
from smflow.asm.bodies.build import Args, Builder, Result, add, b64, extended, fields

__all__ = ["BODIES", "RESULTS"]


def _hosted_service(root: Any, a: Args) -> None:
    fields(root, [("ServiceName", a.get("service_name")), ("Label", b64(a.get("label"))),
                   ("Description", a.get("description")), ("Location", a.get("location")),
                   ("AffinityGroup", a.get("affinity_group"))])
    extended(root, a.get("extended_properties"))


def _update_hosted_service(root: Any, a: Args) -> None:
    fields(root, [("Label", b64(a.get("label"))), ("Description", a.get("description"))])
    extended(root, a.get("extended_properties"))


def _create_deployment(root: Any, a: Args) -> None:
    fields(root, [("Name", a.get("name")), ("PackageUrl", a.get("package_url")), ("Label", b64(a.get("label"))),
                   ("Configuration", a.get("configuration")), ("StartDeployment", a.get("start_deployment")),
                   ("TreatWarningsAsError", a.get("treat_warnings_as_error"))])
    extended(root, a.get("extended_properties"))


def _change_configuration(root: Any, a: Args) -> None:
    fields(root, [("Configuration", a.get("configuration")),
                   ("TreatWarningsAsError", a.get("treat_warnings_as_error")), ("Mode", a.get("mode"))])
    extended(root, a.get("extended_properties"))


def _upgrade(root: Any, a: Args) -> None:
    fields(root, [("Mode", a.get("mode")), ("PackageUrl", a.get("package_url")),
                  ("Configuration", a.get("configuration")), ("Label", b64(a.get("label"))),
                  ("RoleToUpgrade", a.get("role_to_upgrade")), ("Force", a.get("force"))])
    extended(root, a.get("extended_properties"))


def _role_instances(root: Any, a: Args) -> None:
    # The SDK writes this root as "RoleInstances " (a trailing space, quirk 5); the name is the same.
    for name in a.get("role_instance_names") or ():
        add(root, "Name", name)


BODIES: dict[str, tuple[str, Builder]] = {
    "create_hosted_service": ("CreateHostedService", _hosted_service),
    "update_hosted_service": ("UpdateHostedService", _update_hosted_service),
    "create_deployment": ("CreateDeployment", _create_deployment),
    "change_deployment_configuration": ("ChangeConfiguration", _change_configuration),
    "update_deployment_status": ("UpdateDeploymentStatus", lambda r, a: add(r, "Status", a.get("status"))),
    "swap_deployment": ("Swap", lambda r, a: fields(r, [("Production", a.get("production")),
                                                        ("SourceDeployment", a.get("source_deployment"))])),
    "upgrade_deployment": ("UpgradeDeployment", _upgrade),
    "walk_upgrade_domain": ("WalkUpgradeDomain", lambda r, a: add(r, "UpgradeDomain", a.get("upgrade_domain"))),
    "rollback_update_or_upgrade": ("RollbackUpdateOrUpgrade", lambda r, a: fields(r, [
        ("Mode", a.get("mode")), ("Force", a.get("force"))])),
    "delete_role_instances": ("RoleInstances", _role_instances),
}

RESULTS: dict[str, Result] = {
    "list_hosted_services": (("HostedServices",), m.HostedService, "HostedService"),
    "get_hosted_service_properties": (("HostedService",), m.HostedService, None),
    "get_deployment_by_slot": (("Deployment",), m.Deployment, None),
    "get_deployment_by_name": (("Deployment",), m.Deployment, None),
    "check_hosted_service_name_availability": (("AvailabilityResponse",), m.AvailabilityResponse, None),
}
