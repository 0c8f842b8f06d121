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
from smflow.asm.types import BOOL, STRING, ModelType

__all__ = ["SPECS"]

HS = "services/hostedservices"
DEP = HS + "/{service_name}/deployments/{deployment_name}"

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
)
