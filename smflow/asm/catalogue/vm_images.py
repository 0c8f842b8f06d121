"""VM images: an OS disk and its data disks as one image (wire-extended.md §4), and capturing a VM as one."""

from __future__ import annotations

from smflow.asm import models as m
from smflow.asm.catalogue.spec import Argument, OperationSpec, path_arg, read, service_arg, write
from smflow.asm.image_records import CAPTURE_OPTIONS, VM_IMAGE
from smflow.asm.types import BOOL, STRING, EnumType, ListType, ModelType

__all__ = ["SPECS"]

VM_IMAGES = "services/vmimages"
NAME = path_arg("vm_image_name", "name of the VM image")
# one route with shutdown_role and capture_role: the body's root tells them apart
ROLE_OPERATIONS = "services/hostedservices/{service_name}/deployments/{deployment_name}/roleinstances/{role_name}/Operations"


def _filter(name: str, doc: str, type_: object = STRING) -> Argument:
    return Argument(name, type_, location="query", query_name=name, doc=doc)  # type: ignore[arg-type]


SPECS: tuple[OperationSpec, ...] = (
    write(
        "create_vm_image", "POST", VM_IMAGES,
        (Argument("vm_image", VM_IMAGE, required=True,
                  doc="{name, label, description, os_disk_configuration: {os_state, os, media_link, host_caching}, "
                      "data_disk_configurations: [{lun, media_link, host_caching}], ...}"),),
        effect="create", asynchronous=True, status=(202,), resource="VM image", body_root="VMImage",
        doc="Register existing .vhd blobs (an OS disk, data disks) as one VM image.",
    ),
    read(
        "list_vm_images", VM_IMAGES,
        (_filter("location", "only images available in this location"),
         _filter("publisher", "only this publisher's images"),
         _filter("category", "Public or User", EnumType(("Public", "User")))),
        ListType(ModelType(m.VMImage)), "VM image", "List the VM images (public and own), optionally filtered.",
    ),
    write(
        "update_vm_image", "PUT", VM_IMAGES + "/{vm_image_name}",
        (NAME, Argument("vm_image", VM_IMAGE, required=True,
                        doc="{label, description, os_disk_configuration: {host_caching}, "
                            "data_disk_configurations: [{name, lun, host_caching}], ...}")),
        effect="update", asynchronous=False, status=(200,), resource="VM image", body_root="VMImage",
        doc="Change a VM image's label, description, disk caching and publishing details.",
    ),
    write(
        "delete_vm_image", "DELETE", VM_IMAGES + "/{vm_image_name}",
        (NAME, Argument("delete_vhd", BOOL, default=False, location="query", query_flag="comp=media",
                        doc="also delete the .vhd blobs")),
        effect="delete", asynchronous=True, status=(202,), resource="VM image", doc="Delete a VM image.",
    ),
    write(
        "capture_vm_image", "POST", ROLE_OPERATIONS,
        (service_arg(), path_arg("deployment_name", "name of the VM deployment"),
         path_arg("role_name", "name of the VM role"),
         Argument("options", CAPTURE_OPTIONS, required=True,
                  doc="{os_state: Generalized|Specialized, vm_image_name, vm_image_label, description, ...}")),
        effect="create", asynchronous=True, status=(202,), resource="VM image",
        body_root="CaptureRoleAsVMImageOperation",
        doc="Capture a VM's disks as a VM image (Generalized: the VM is deleted after; Specialized: it keeps running).",
    ),
)
