"""Emulator handlers and routes: OS images, their updates, replication and sharing."""

from __future__ import annotations

from smflow.emulator import account_writers
from smflow.emulator.context import Context, Handler, Reply, RouteSpec, by_name
from smflow.emulator.image_writers import os_image_details_xml
from smflow.emulator.resources import AsmFault
from smflow.emulator.vm_images import replication_progress

__all__ = ["HANDLERS", "ROUTES"]


def add_os_image(ctx: Context) -> Reply:
    body = ctx.body_of("OSImage", ("Label", "MediaLink", "Name", "OS"))
    img = ctx.sub.add_os_image(
        ctx.request_id, body.required("Label"), body.required("MediaLink"), body.required("Name"), body.required("OS")
    )
    return Reply(body=account_writers.os_image_xml(img))


def list_os_images(ctx: Context) -> Reply:
    return Reply(body=account_writers.images_xml(ctx.sub.all_images()))


def get_os_image(ctx: Context) -> Reply:
    return Reply(body=account_writers.os_image_xml(ctx.sub.os_image(ctx.params["image_name"])))


def delete_os_image(ctx: Context) -> Reply:
    ctx.sub.delete_os_image(ctx.request_id, ctx.params["image_name"])
    return Reply()


_DETAILS = {"Eula": "eula", "Description": "description", "ImageFamily": "image_family",
            "PublishedDate": "published_date", "IconUri": "icon_uri", "PrivacyUri": "privacy_uri",
            "RecommendedVMSize": "recommended_vm_size", "SmallIconUri": "small_icon_uri", "Language": "language"}


def update_os_image(ctx: Context) -> Reply:
    """Also update_os_image_from_image_reference (same route): a body with Name, MediaLink and OS
    relabels the image; one with publishing details rewrites them."""
    body = ctx.body_of("OSImage", ("Label", "MediaLink", "Name", "OS", "ShowInGui", *_DETAILS))
    name = ctx.params["image_name"]
    label = body.required("Label")
    if any(body.text(tag) is not None for tag in ("Name", "MediaLink", "OS")):
        img = ctx.sub.update_os_image(ctx.request_id, name, label, body.text("MediaLink"), body.text("Name"),
                                      body.text("OS"))
    else:
        details: dict[str, object] = {attr: body.text(tag) for tag, attr in _DETAILS.items()}
        if body.text("ShowInGui") is not None:
            details["show_in_gui"] = body.flag("ShowInGui")
        img = ctx.sub.update_os_image_details(ctx.request_id, name, label, details)
    return Reply(body=account_writers.os_image_xml(img))  # 200 with the image [REC]


def update_os_image_from_image_reference(ctx: Context) -> Reply:
    return update_os_image(ctx)


def get_os_image_details(ctx: Context) -> Reply:
    img = ctx.sub.os_image(ctx.params["image_name"])
    return Reply(body=os_image_details_xml(img, replication_progress(ctx.sub, img)))


def replicate_vm_image(ctx: Context) -> Reply:
    body = ctx.body_of("ReplicationInput", ("TargetLocations", "ComputeImageAttributes"))
    box = body.sub("TargetLocations")
    regions = [(el.text or "").strip() for el in (box.children("Region") if box is not None else ())]
    attributes = body.sub("ComputeImageAttributes")
    if attributes is None:
        raise AsmFault(400, "BadRequest", "The ComputeImageAttributes element is missing in the request body.")
    for tag in ("Offer", "Sku", "Version"):
        attributes.required(tag)
    ctx.sub.replicate_os_image(ctx.request_id, ctx.params["vm_image_name"], regions)
    publisher = ctx.sub.id.replace("-", "")
    return Reply(body=(  # [REC get_os_image_details]: the publisher-qualified name, which no client reads
        f'<string xmlns="http://schemas.microsoft.com/2003/10/Serialization/">{publisher}__'
        f'{ctx.params["vm_image_name"]}</string>').encode())


def unreplicate_vm_image(ctx: Context) -> Reply:
    ctx.sub.unreplicate_os_image(ctx.request_id, ctx.params["vm_image_name"])
    return Reply()


def share_vm_image(ctx: Context) -> Reply:
    ctx.sub.share_os_image(ctx.request_id, ctx.params["vm_image_name"], ctx.query.get("permission", ""))
    return Reply(202)


ROUTES: dict[str, RouteSpec] = {
    "add_os_image": ("POST", "services/images", None),
    "list_os_images": ("GET", "services/images", None),
    "get_os_image": ("GET", "services/images/{image_name}", None),
    "delete_os_image": ("DELETE", "services/images/{image_name}", None),
    "update_os_image": ("PUT", "services/images/{image_name}", None),
    "update_os_image_from_image_reference": ("PUT", "services/images/{image_name}", None),
    "get_os_image_details": ("GET", "services/images/{image_name}/details", None),
    "replicate_vm_image": ("PUT", "services/images/{vm_image_name}/replicate", None),
    "unreplicate_vm_image": ("PUT", "services/images/{vm_image_name}/unreplicate", None),
    "share_vm_image": ("PUT", "services/images/{vm_image_name}/shareasync", None),
}
HANDLERS: dict[str, Handler] = by_name([
    add_os_image,
    list_os_images,
    get_os_image,
    delete_os_image,
    update_os_image,
    update_os_image_from_image_reference,
    get_os_image_details,
    replicate_vm_image,
    unreplicate_vm_image,
    share_vm_image,
])
