"""Hosted services and their deployments (the cloud-service release surface)."""

from __future__ import annotations

from smflow.asm import models as m
from smflow.asm.catalogue.spec import (
    DEPLOYMENT_STATUS,
    EXT,
    MODE,
    SLOT_ARG,
    TREAT,
    WHERE,
    Argument,
    OperationSpec,
    configuration_arg,
    description_arg,
    label_arg,
    listing,
    path_arg,
    read,
    service_arg,
    write,
)
from smflow.asm.types import BOOL, INT, STRING, EnumType, ListType, ModelType

__all__ = ["SPECS"]

HS = "services/hostedservices"
DEP = HS + "/{service_name}/deployments/{deployment_name}"

DEP_ARG = path_arg("deployment_name", "name of the deployment")
INSTANCE_ARG = path_arg("role_instance_name", "name of the role instance, e.g. WebRole1_IN_0")
UPGRADE_MODE = EnumType(("Auto", "Manual", "Simultaneous"))

SPECS: tuple[OperationSpec, ...] = (
    write(
        "create_hosted_service", "POST", HS,
        (Argument("service_name", STRING, required=True, min_length=1, max_length=63,
                  doc="name of the hosted service (DNS prefix <name>.cloudapp.net)"), label_arg(), description_arg(),
         Argument("location", STRING, doc="data-center location, e.g. 'West US' (or affinity_group)"),
         Argument("affinity_group", STRING, doc="affinity group name (or location)"), EXT),
        effect="create", asynchronous=False, status=(201,), resource="hosted service",
        body_root="CreateHostedService", exactly_one_of=WHERE,
        doc="Create a hosted (cloud) service in a location or an affinity group.",
    ),
    write(
        "update_hosted_service", "PUT", HS + "/{service_name}",
        (service_arg(), label_arg(required=False), description_arg(), EXT),
        effect="update", asynchronous=False, status=(200,), resource="hosted service",
        body_root="UpdateHostedService", at_least_one_of=(("label", "description"),),
        doc="Change the label and/or description of a hosted service.",
    ),
    listing("list_hosted_services", HS, m.HostedService, "hosted service", "List the hosted services of the subscription."),
    read(
        "get_hosted_service_properties", HS + "/{service_name}",
        (service_arg(), Argument("embed_detail", BOOL, default=False, location="query", query_name="embed-detail",
                              doc="also return the deployments")),
        ModelType(m.HostedService), "hosted service", "Read a hosted service (and its deployments with embed_detail).",
    ),
    write(
        "delete_hosted_service", "DELETE", HS + "/{service_name}",
        (service_arg(), Argument("complete", BOOL, default=False, location="query", query_flag="comp=media",
                              doc="also delete the OS/data disks and their blobs")),
        effect="delete", asynchronous=False, status=(200, 202), resource="hosted service",
        doc="Delete a hosted service (it must have no deployments).",
    ),
    write(
        "create_deployment", "POST", HS + "/{service_name}/deploymentslots/{deployment_slot}",
        (service_arg(), SLOT_ARG, Argument("name", STRING, required=True, doc="deployment name", min_length=1),
         Argument("package_url", STRING, required=True, doc="URL of the .cspkg in blob storage"),
         label_arg(), configuration_arg(),
         Argument("start_deployment", BOOL, default=False, doc="start at once (else it stays Suspended)"),
         TREAT, EXT),
        effect="create", asynchronous=True, status=(202,), resource="deployment", body_root="CreateDeployment",
        doc="Deploy a package to the staging or production slot.",
    ),
    read(
        "get_deployment_by_slot", HS + "/{service_name}/deploymentslots/{deployment_slot}", (service_arg(), SLOT_ARG),
        ModelType(m.Deployment), "deployment", "Read the deployment in a slot.",
    ),
    read(
        "get_deployment_by_name", DEP, (service_arg(), path_arg("deployment_name", "name of the deployment")),
        ModelType(m.Deployment), "deployment", "Read a deployment by name.",
    ),
    write(
        "change_deployment_configuration", "POST", DEP + "/?comp=config",
        (service_arg(), path_arg("deployment_name", "name of the deployment"), configuration_arg(), TREAT,
         Argument("mode", MODE, default="Auto", doc="Auto or Manual upgrade-domain walk"), EXT),
        effect="update", asynchronous=True, status=(202,), resource="deployment", body_root="ChangeConfiguration",
        doc="Replace the service configuration of a deployment.",
    ),
    write(
        "update_deployment_status", "POST", DEP + "/?comp=status",
        (service_arg(), path_arg("deployment_name", "name of the deployment"), Argument("status", DEPLOYMENT_STATUS, required=True, doc="Running or Suspended")),
        effect="update", asynchronous=True, status=(202,), resource="deployment", body_root="UpdateDeploymentStatus",
        doc="Start (Running) or stop (Suspended) a deployment.",
    ),
    write(
        "swap_deployment", "POST", HS + "/{service_name}",
        (service_arg(), Argument("production", STRING, required=True, doc="name of the deployment now in production"),
         Argument("source_deployment", STRING, required=True, doc="name of the deployment to move into production")),
        effect="swap", asynchronous=True, status=(200, 202), resource="deployment", body_root="Swap",
        doc="Swap the staging and production deployments (VIP swap).",
    ),
    write(
        "delete_deployment", "DELETE", DEP,
        (service_arg(), path_arg("deployment_name", "name of the deployment"),
         Argument("delete_vhd", BOOL, default=False, location="query", query_flag="comp=media",
                  doc="also delete the disks and their blobs")),
        effect="delete", asynchronous=True, status=(200, 202), resource="deployment",
        doc="Delete a deployment.",
    ),
    read("check_hosted_service_name_availability", HS + "/operations/isavailable/{service_name}",
         (service_arg("the DNS prefix to check (<name>.cloudapp.net)"),), ModelType(m.AvailabilityResponse),
         "hosted service", "Is a hosted-service name free? (The names are global DNS names.)"),
    # -- in-place upgrade (wire-extended.md §6) --------------------------------------------------
    write(
        "upgrade_deployment", "POST", DEP + "/?comp=upgrade",
        (service_arg(), DEP_ARG, Argument("mode", UPGRADE_MODE, required=True,
                                          doc="Auto (the service walks every domain), Manual (walk_upgrade_domain "
                                              "each one) or Simultaneous (all at once)"),
         Argument("package_url", STRING, required=True, doc="URL of the new .cspkg in blob storage"),
         configuration_arg(), label_arg(),
         Argument("force", BOOL, required=True, doc="upgrade even if local data may be lost"),
         Argument("role_to_upgrade", STRING, doc="upgrade this role only (else every role)"), EXT),
        effect="update", asynchronous=True, status=(202,), resource="deployment", body_root="UpgradeDeployment",
        doc="Start an in-place upgrade to a new package, upgrade domain by upgrade domain.",
    ),
    write(
        "walk_upgrade_domain", "POST", DEP + "/?comp=walkupgradedomain",
        (service_arg(), DEP_ARG, Argument("upgrade_domain", INT, required=True,
                                          doc="the next domain to upgrade (0 first, then 1, ...)")),
        effect="update", asynchronous=True, status=(202,), resource="deployment", body_root="WalkUpgradeDomain",
        doc="Upgrade the next domain of a Manual upgrade (or rollback).",
    ),
    write(
        "rollback_update_or_upgrade", "POST", DEP + "/?comp=rollback",
        (service_arg(), DEP_ARG, Argument("mode", MODE, required=True,
                                          doc="Auto (roll every domain back) or Manual (walk_upgrade_domain each)"),
         Argument("force", BOOL, required=True, doc="roll back even if local data may be lost")),
        effect="update", asynchronous=True, status=(202,), resource="deployment",
        body_root="RollbackUpdateOrUpgrade",
        doc="Cancel an upgrade or configuration change under way and return to the previous package.",
    ),
    # -- role instances (wire-extended.md §6) ---------------------------------------------------
    write(
        "reboot_role_instance", "POST", DEP + "/roleinstances/{role_instance_name}?comp=reboot",
        (service_arg(), DEP_ARG, INSTANCE_ARG),
        effect="update", asynchronous=True, status=(202,), resource="role instance",
        doc="Reboot one role instance.",
    ),
    write(
        "reimage_role_instance", "POST", DEP + "/roleinstances/{role_instance_name}?comp=reimage",
        (service_arg(), DEP_ARG, INSTANCE_ARG),
        effect="update", asynchronous=True, status=(202,), resource="role instance",
        doc="Reinstall the operating system of one role instance (its local storage is kept).",
    ),
    write(
        "rebuild_role_instance", "POST",
        DEP + "/roleinstances/{role_instance_name}?comp=rebuild&resources=allLocalDrives",
        (service_arg(), DEP_ARG, INSTANCE_ARG),
        effect="update", asynchronous=True, status=(202,), resource="role instance",
        doc="Reinstall the operating system of one role instance and wipe its local drives.",
    ),
    write(
        "delete_role_instances", "POST", DEP + "/roleinstances/?comp=delete",
        (service_arg(), DEP_ARG, Argument("role_instance_names", ListType(STRING), required=True,
                                          doc="names of the role instances to remove")),
        effect="delete", asynchronous=True, status=(202,), resource="role instance", body_root="RoleInstances",
        doc="Remove role instances from a deployment (the role keeps at least one).",
    ),
)
