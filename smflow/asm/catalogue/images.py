"""OS images: register, read, update, replicate and share them (wire.md §2, wire-extended.md §5)."""

from __future__ import annotations

import dataclasses

from smflow.asm import models as m
from smflow.asm.catalogue.spec import OS, Argument, OperationSpec, listing, path_arg, read, write
from smflow.asm.image_records import OS_IMAGE_UPDATE
from smflow.asm.types import BOOL, STRING, EnumType, ListType, ModelType

__all__ = ["SPECS"]

IMAGE = path_arg("image_name", "name of the image")
# replicate/unreplicate/share: named vm_image_name by the SDK, but they act on OS images [SDK][REC]
REPLICATED = path_arg("vm_image_name", "name of the OS image (the SDK's name for the argument)")
NEWER: dict[str, object] = {"x_ms_version": "2015-04-01"}  # the SDK sends these three with a newer API version [SDK][REC]

SPECS: tuple[OperationSpec, ...] = (
    write(
        "add_os_image", "POST", "services/images",
        (Argument("label", STRING, required=True, doc="image label (plain text)"),
         Argument("media_link", STRING, required=True, doc="URL of the .vhd blob"),
         Argument("name", STRING, required=True, doc="image name", min_length=1),
         Argument("os", OS, required=True, doc="Linux or Windows")),
        effect="create", asynchronous=False, status=(200,), resource="OS image", body_root="OSImage",
        doc="Register a .vhd as an OS image (result.body is the new OSImage).",
    ),
    read("get_os_image", "services/images/{image_name}", (path_arg("image_name", "name of the image"),),
          ModelType(m.OSImage), "OS image", "Read an OS image."),
    listing("list_os_images", "services/images", m.OSImage, "OS image", "List the OS images (public and own)."),
    write(
        "delete_os_image", "DELETE", "services/images/{image_name}",
        (path_arg("image_name", "name of the image"),
         Argument("delete_vhd", BOOL, default=False, location="query", query_flag="comp=media",
                  doc="also delete the .vhd blob")),
        effect="delete", asynchronous=False, status=(200, 202), resource="OS image", doc="Delete an OS image.",
    ),
    write(
        "update_os_image", "PUT", "services/images/{image_name}",
        (IMAGE, Argument("label", STRING, required=True, doc="new label (plain text)"),
         Argument("media_link", STRING, required=True, doc="URL of the .vhd blob (as registered)"),
         Argument("name", STRING, required=True, doc="image name (as registered)", min_length=1),
         Argument("os", OS, required=True, doc="Linux or Windows (as registered)")),
        effect="update", asynchronous=False, status=(200,), resource="OS image", body_root="OSImage",
        doc="Relabel an OS image (result.body is the updated OSImage).",
    ),
    write(
        "update_os_image_from_image_reference", "PUT", "services/images/{image_name}",
        (IMAGE, Argument("os_image", OS_IMAGE_UPDATE, required=True,
                         doc="{label, description, eula, image_family, show_in_gui, published_date, ...}")),
        effect="update", asynchronous=False, status=(200,), resource="OS image", body_root="OSImage",
        doc="Change an OS image's label and publishing details; a field given as '' is cleared.",
    ),
    read("get_os_image_details", "services/images/{image_name}/details", (IMAGE,), ModelType(m.OSImageDetails),
         "OS image", "Read an OS image with its replication progress per location."),
    dataclasses.replace(write(
        "replicate_vm_image", "PUT", "services/images/{vm_image_name}/replicate",
        (REPLICATED, Argument("regions", ListType(STRING), required=True, doc="locations to replicate to"),
         Argument("offer", STRING, required=True, doc="offer name"), Argument("sku", STRING, required=True),
         Argument("version", STRING, required=True, doc="e.g. 1.0.0")),
        effect="update", asynchronous=False, status=(200,), resource="OS image", body_root="ReplicationInput",
        doc="Replicate an OS image to other locations (see get_os_image_details).",
    ), extra=dict(NEWER)),
    dataclasses.replace(write(
        "unreplicate_vm_image", "PUT", "services/images/{vm_image_name}/unreplicate", (REPLICATED,),
        effect="update", asynchronous=False, status=(200,), resource="OS image",
        doc="Remove an OS image's replicas (it stays in its own location).",
    ), extra=dict(NEWER)),
    dataclasses.replace(write(
        "share_vm_image", "PUT", "services/images/{vm_image_name}/shareasync",
        (REPLICATED, Argument("permission", EnumType(("Public", "Private", "MSDN")), required=True, location="query",
                              query_name="permission", doc="Public, Private or MSDN")),
        effect="update", asynchronous=True, status=(202,), resource="OS image",
        doc="Share a replicated OS image publicly (or make it private again).",
    ), extra=dict(NEWER)),
)
