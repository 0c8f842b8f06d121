"""OS images."""

from __future__ import annotations

from smflow.asm import models as m
from smflow.asm.catalogue.spec import OS, Argument, OperationSpec, listing, path_arg, read, write
from smflow.asm.types import BOOL, STRING, ModelType

__all__ = ["SPECS"]

HS = "services/hostedservices"
DEP = HS + "/{service_name}/deployments/{deployment_name}"

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
)
