"""Disks: the subscription's disk repository, and the data disks attached to a VM role."""

from __future__ import annotations

from smflow.asm import models as m
from smflow.asm.catalogue.spec import OS, Argument, OperationSpec, listing, path_arg, read, service_arg, write
from smflow.asm.types import BOOL, INT, STRING, EnumType, ModelType

__all__ = ["SPECS"]

DISKS = "services/disks"
DATA_DISKS = "services/hostedservices/{service_name}/deployments/{deployment_name}/roles/{role_name}/DataDisks"
DISK_ARG = path_arg("disk_name", "name of the disk")
CACHING = EnumType(("None", "ReadOnly", "ReadWrite"))


def _lun_path() -> Argument:
    return Argument("lun", INT, required=True, location="path", doc="the disk's slot (LUN, 0 to 15)")


def _role_args() -> tuple[Argument, ...]:
    return (service_arg(), path_arg("deployment_name", "name of the VM deployment"),
            path_arg("role_name", "name of the VM role"))


def _deprecated(name: str) -> Argument:
    return Argument(name, STRING, location="none", doc="deprecated: ignored, as the SDK ignores it")


SPECS: tuple[OperationSpec, ...] = (
    listing("list_disks", DISKS, m.Disk, "disk", "List the subscription's disks (attached ones name their VM)."),
    read("get_disk", DISKS + "/{disk_name}", (DISK_ARG,), ModelType(m.Disk), "disk", "Read a disk."),
    write(
        "add_disk", "POST", DISKS,
        (Argument("has_operating_system", BOOL, required=True, location="none",
                  doc="deprecated: the service infers it from os (required by the SDK's signature)"),
         Argument("label", STRING, required=True, doc="the disk's label (plain text)"),
         Argument("media_link", STRING, required=True, doc="URL of the .vhd blob"),
         Argument("name", STRING, required=True, doc="name of the new disk", min_length=1),
         Argument("os", OS, required=True, doc="Linux or Windows")),
        effect="create", asynchronous=False, status=(200, 201), resource="disk", body_root="Disk",
        doc="Register a .vhd blob as a disk.",
    ),
    write(
        "update_disk", "PUT", DISKS + "/{disk_name}",
        (DISK_ARG, Argument("has_operating_system", BOOL, location="none", doc="deprecated: ignored"),
         Argument("label", STRING, doc="the new label"),
         _deprecated("media_link"), _deprecated("name"), _deprecated("os")),
        effect="update", asynchronous=False, status=(200,), resource="disk", body_root="Disk",
        at_least_one_of=(("label",),),
        doc="Change a disk's label (the only field the service changes).",
    ),
    write(
        "delete_disk", "DELETE", DISKS + "/{disk_name}",
        (DISK_ARG, Argument("delete_vhd", BOOL, default=False, location="query", query_flag="comp=media",
                            doc="also delete the .vhd blob")),
        effect="delete", asynchronous=False, status=(200, 202), resource="disk",
        doc="Delete a disk that no VM uses (and, with delete_vhd, its blob).",
    ),
    # -- data disks of a VM (asynchronous, 202) -------------------------------------------------------
    read("get_data_disk", DATA_DISKS + "/{lun}", (*_role_args(), _lun_path()), ModelType(m.DataVirtualHardDisk),
         "data disk", "Read the data disk in a LUN of a VM."),
    write(
        "add_data_disk", "POST", DATA_DISKS,
        (*_role_args(), Argument("lun", INT, required=True, doc="the slot (LUN, 0 to 15)"),
         Argument("host_caching", CACHING), Argument("media_link", STRING, doc="URL of the .vhd blob"),
         Argument("disk_label", STRING), Argument("disk_name", STRING, doc="an existing disk to attach"),
         Argument("logical_disk_size_in_gb", INT, doc="size of a new empty disk"),
         Argument("source_media_link", STRING, doc="a blob to copy")),
        effect="create", asynchronous=True, status=(202,), resource="data disk", body_root="DataVirtualHardDisk",
        doc="Attach a data disk to a VM: an existing disk, a blob, or a new empty disk of a size.",
    ),
    write(
        "update_data_disk", "PUT", DATA_DISKS + "/{lun}",
        (*_role_args(), _lun_path(), Argument("host_caching", CACHING), Argument("media_link", STRING),
         Argument("updated_lun", INT, doc="move the disk to this LUN"), Argument("disk_label", STRING),
         Argument("disk_name", STRING), Argument("logical_disk_size_in_gb", INT, doc="grow the disk to this size")),
        effect="update", asynchronous=True, status=(202,), resource="data disk", body_root="DataVirtualHardDisk",
        doc="Change a VM's data disk: caching, label, LUN or size.",
    ),
    write(
        "delete_data_disk", "DELETE", DATA_DISKS + "/{lun}",
        (*_role_args(), _lun_path(),
         Argument("delete_vhd", BOOL, default=False, location="query", query_flag="comp=media",
                  doc="also delete the disk and its .vhd blob")),
        effect="delete", asynchronous=True, status=(202,), resource="data disk",
        doc="Detach a data disk from a VM (it stays a registered disk unless delete_vhd).",
    ),
)
