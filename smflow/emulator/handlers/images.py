"""Emulator handlers and routes: OS images."""

from __future__ import annotations

from smflow.emulator import account_writers
from smflow.emulator.context import Context, Handler, Reply, RouteSpec, by_name

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


ROUTES: dict[str, RouteSpec] = {
    "add_os_image": ("POST", "services/images", None),
    "list_os_images": ("GET", "services/images", None),
    "get_os_image": ("GET", "services/images/{image_name}", None),
    "delete_os_image": ("DELETE", "services/images/{image_name}", None),
}
HANDLERS: dict[str, Handler] = by_name([
    add_os_image,
    list_os_images,
    get_os_image,
    delete_os_image,
])
