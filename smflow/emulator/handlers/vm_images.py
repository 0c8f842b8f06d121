"""Emulator handlers and routes: VM images, and capturing a VM as one.

``capture_vm_image`` shares the route of ``shutdown_role``: the role-operations handler in
``handlers/vm.py`` hands a ``CaptureRoleAsVMImageOperation`` body to ``capture_vm_image`` here.
"""

from __future__ import annotations

from smflow.emulator.context import Context, Handler, Reply, RouteSpec, by_name
from smflow.emulator.image_writers import vm_images_xml
from smflow.emulator.resources import AsmFault
from smflow.emulator.vm_images import CACHING, OS_STATES, PUBLIC_VM_IMAGES, DiskConfig, VmImage
from smflow.emulator.wire import Body

__all__ = ["HANDLERS", "ROUTES"]

VM_IMAGES = "services/vmimages"
_PUBLISHING = ("Language", "ImageFamily", "RecommendedVMSize", "Eula", "IconUri", "SmallIconUri", "PrivacyUri",
               "PublishedDate", "ShowInGui")
_ATTRIBUTES = {"Label": "label", "Description": "description", "Language": "language", "ImageFamily": "image_family",
               "RecommendedVMSize": "recommended_vm_size", "Eula": "eula", "IconUri": "icon_uri",
               "SmallIconUri": "small_icon_uri", "PrivacyUri": "privacy_uri", "PublishedDate": "published_date"}


def _choice(value: str | None, allowed: tuple[str, ...], name: str) -> str | None:
    if value is not None and value not in allowed:
        raise AsmFault(400, "BadRequest", f"The value '{value}' of {name} is not valid; use {', '.join(allowed)}.")
    return value


def _int(value: str | None, name: str) -> int | None:
    if value is None or value == "":
        return None
    if not value.isdigit():
        raise AsmFault(400, "BadRequest", f"The value of {name} must be a whole number.")
    return int(value)


def _blob_name(media_link: str) -> str:
    """A disk of a created image is named after its blob: ``…/imagecopy.vhd`` → ``imagecopy`` [REC]."""
    name = media_link.rstrip("/").rsplit("/", 1)[-1]
    return name[:-4] if name.lower().endswith(".vhd") else name


def _publishing(body: Body) -> dict[str, object]:
    out: dict[str, object] = {attr: body.text(tag) for tag, attr in _ATTRIBUTES.items() if tag != "Label"}
    if body.text("ShowInGui") is not None:
        out["show_in_gui"] = body.flag("ShowInGui")
    return out


def create_vm_image(ctx: Context) -> Reply:
    body = ctx.body_of("VMImage", ("Name", "Label", "Description", "OSDiskConfiguration", "DataDiskConfigurations",
                                   *_PUBLISHING))
    name = body.required("Name")
    os_box = body.sub("OSDiskConfiguration")
    if os_box is None:
        raise AsmFault(400, "BadRequest", "The OSDiskConfiguration element is missing in the request body.")
    os_state = _choice(os_box.required("OSState"), OS_STATES, "OSState")
    os_name = _choice(os_box.required("OS"), ("Linux", "Windows"), "OS")
    os_disk = DiskConfig(_blob_name(os_box.required("MediaLink")), _choice(os_box.text("HostCaching"), CACHING, "HostCaching") or "ReadWrite",
                         os_box.required("MediaLink"), 30 if os_name == "Linux" else 127, os_state, os_name)
    data: list[DiskConfig] = []
    box = body.sub("DataDiskConfigurations")
    for i, el in enumerate(box.children("DataDiskConfiguration") if box is not None else ()):
        d = Body(el)
        lun = _int(d.text("Lun"), "Lun")
        data.append(DiskConfig(_blob_name(d.required("MediaLink")), _choice(d.text("HostCaching"), CACHING, "HostCaching") or "None",
                               d.required("MediaLink"), _int(d.text("LogicalDiskSizeInGB"), "LogicalDiskSizeInGB") or 1023,
                               lun=i if lun is None else lun))
    if len({d.lun for d in data}) != len(data):
        raise AsmFault(400, "BadRequest", "Two data disks of the image have the same Lun.")
    image = VmImage(name, body.required("Label"), os_disk, data, **_publishing(body))  # type: ignore[arg-type]
    ctx.sub.create_vm_image(ctx.request_id, image)
    return Reply(202)


def list_vm_images(ctx: Context) -> Reply:
    location, publisher, category = (ctx.query.get(k) or None for k in ("location", "publisher", "category"))
    images = [*PUBLIC_VM_IMAGES.values(), *ctx.sub.vm_images.values()]
    chosen = [
        img for img in images
        if (location is None or location.lower() in [p.strip().lower() for p in (img.location or "").split(";")])
        and (publisher is None or (img.publisher_name or "").lower() == publisher.lower())
        and (category is None or img.category.lower() == category.lower())
    ]
    return Reply(body=vm_images_xml(chosen))


def update_vm_image(ctx: Context) -> Reply:
    body = ctx.body_of("VMImage", ("Label", "Description", "OSDiskConfiguration", "DataDiskConfigurations",
                                   *_PUBLISHING))
    name = ctx.params["vm_image_name"]
    if name in PUBLIC_VM_IMAGES:
        raise AsmFault(403, "ForbiddenError", f"The image {name} is a platform image; only your own images can be "
                       "changed.")
    changes = _publishing(body)
    changes["label"] = body.text("Label") or None
    os_box = body.sub("OSDiskConfiguration")
    os_caching = _choice(os_box.text("HostCaching"), CACHING, "HostCaching") if os_box is not None else None
    data: dict[str, str] = {}
    box = body.sub("DataDiskConfigurations")
    for el in box.children("DataDiskConfiguration") if box is not None else ():
        d = Body(el)
        caching = _choice(d.text("HostCaching"), CACHING, "HostCaching")
        if caching is not None:
            data[d.required("Name")] = caching
    ctx.sub.update_vm_image(ctx.request_id, name, changes, os_caching, data)
    return Reply()  # 200, empty body [REC]


def delete_vm_image(ctx: Context) -> Reply:
    ctx.sub.delete_vm_image(ctx.request_id, ctx.params["vm_image_name"])
    return Reply(202)


def capture_vm_image(ctx: Context) -> Reply:
    body = ctx.body_of("CaptureRoleAsVMImageOperation", ("OperationType", "OSState", "VMImageName", "VMImageLabel",
                                                         "Description", "Language", "ImageFamily", "RecommendedVMSize"))
    if body.text("OperationType") != "CaptureRoleAsVMImageOperation":
        raise AsmFault(400, "BadRequest", "The OperationType must be CaptureRoleAsVMImageOperation.")
    os_state = _choice(body.required("OSState"), OS_STATES, "OSState")
    image = VmImage(body.required("VMImageName"), body.required("VMImageLabel"),
                    DiskConfig("", "ReadWrite", None, 0, os_state), description=body.text("Description"),
                    language=body.text("Language"), image_family=body.text("ImageFamily"),
                    recommended_vm_size=body.text("RecommendedVMSize"))
    ctx.sub.capture_vm_image(ctx.request_id, ctx.params["service_name"], ctx.params["deployment_name"],
                             ctx.params["role_name"], image)
    return Reply(202)


ROUTES: dict[str, RouteSpec] = {
    "create_vm_image": ("POST", VM_IMAGES, None),
    "list_vm_images": ("GET", VM_IMAGES, None),
    "update_vm_image": ("PUT", VM_IMAGES + "/{vm_image_name}", None),
    "delete_vm_image": ("DELETE", VM_IMAGES + "/{vm_image_name}", None),
    # reached through shutdown_role's handler (same route), which dispatches on the body's root
    "capture_vm_image": (
        "POST", "services/hostedservices/{service_name}/deployments/{deployment_name}/roleinstances/{role_name}/Operations",
        None),
}
HANDLERS: dict[str, Handler] = by_name([
    create_vm_image,
    list_vm_images,
    update_vm_image,
    delete_vm_image,
    capture_vm_image,
])
