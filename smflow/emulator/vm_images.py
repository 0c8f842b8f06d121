"""VM images (create, update, delete, capture a VM as one) and the OS-image updates, replication and sharing.

A mixin of ``state.Subscription`` over ``SubscriptionBase``. A VM image is an OS disk plus data
disks under one name; names are unique among the subscription's VM images, its OS images and
the public ones (the service answers 409 for a taken name). A created or captured image is listed
at once, ``Creating`` until its operation ends (5–11 s recorded) and ``VMImageReadyForUse`` after,
so a caller that lost the answer of a create finds the image instead of creating it twice; a
delete takes it off the list at once. An update is synchronous (200, empty body [REC]).

OS images: ``update_os_image`` relabels one (name, blob and OS cannot change),
``update_os_image_from_image_reference`` rewrites its publishing details (``''`` clears a field,
as the recording shows), ``replicate_vm_image`` records target regions whose progress grows
with time (0 right after the call [REC]), ``share_vm_image`` needs the image replicated first.
Platform images are read-only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from smflow.emulator.operations import duration
from smflow.emulator.resources import AsmFault, Operation, OsImage
from smflow.emulator.subscription import EXCLUSIVE_ACCESS, PUBLIC, SubscriptionBase, not_found, utc_now

__all__ = [
    "KINDS", "PUBLIC_VM_IMAGES", "DiskConfig", "VmImage", "VmImageRules", "complete", "progress", "replication_progress",
]

CREATE, DELETE, CAPTURE, SHARE = "create_vm_image", "delete_vm_image", "capture_vm_image", "share_vm_image"
KINDS = frozenset({CREATE, DELETE, CAPTURE, SHARE})
READY = "VMImageReadyForUse"
OS_STATES = ("Generalized", "Specialized")
CACHING = ("None", "ReadOnly", "ReadWrite")


@dataclass
class DiskConfig:
    name: str
    host_caching: str
    media_link: str | None
    size_gb: int
    os_state: str | None = None  # the OS disk only
    os: str | None = None  # the OS disk only
    lun: int | None = None  # data disks only


@dataclass
class VmImage:
    name: str
    label: str
    os_disk: DiskConfig
    data_disks: list[DiskConfig] = field(default_factory=list)
    category: str = "User"
    description: str | None = None
    location: str | None = None
    service_name: str | None = None  # captured from this VM
    deployment_name: str | None = None
    role_name: str | None = None
    role_size: str | None = None
    created: str = ""
    modified: str = ""
    state: str = READY
    # publishing details, as sent
    language: str | None = None
    image_family: str | None = None
    recommended_vm_size: str | None = None
    eula: str | None = None
    icon_uri: str | None = None
    small_icon_uri: str | None = None
    privacy_uri: str | None = None
    published_date: str | None = None
    show_in_gui: bool | None = None
    publisher_name: str | None = None


_ALL = ("East Asia;Southeast Asia;Australia East;Australia Southeast;Brazil South;North Europe;West Europe;"
        "Japan East;Japan West;Central US;East US;East US 2;North Central US;South Central US;West US")
# Platform VM images every subscription lists (the first as recorded [REC list_vm_images_location_publisher]).
PUBLIC_VM_IMAGES: dict[str, VmImage] = {img.name: img for img in (
    VmImage("1acf693f34c74e86a50be61cb631ddfe__ClouderaGolden-202406-699696", "CDH 5.1 Evaluation",
            DiskConfig("ClouderaGolden-202406-699696-os-2014-10-06", "ReadWrite", None, 30, "Specialized", "Linux"),
            category="Public", description="Single click deployment of CDH 5.1 Evaluation for MR, HDFS and HIVE",
            location=_ALL, created="1801-01-01T00:00:00Z", modified="1801-01-01T00:00:00Z",
            image_family="CDH 5.1 Evaluation", recommended_vm_size="Standard_D14",
            eula="http://www.gnu.org/copyleft/gpl.html",
            privacy_uri="http://www.cloudera.com/content/cloudera/en/privacy-policy.html", publisher_name="Cloudera",
            published_date="2014-10-27T04:00:00Z"),
    VmImage("d4a65b493c36471ba82b42d53fbd8063__Microsoft-Azure-Site-Recovery-Master-Target-Server-201503.08",
            "Microsoft Azure Site Recovery Master Target Server",
            DiskConfig("Microsoft-Azure-Site-Recovery-Master-Target-Server-201503.08-os", "ReadWrite", None, 127,
                       "Generalized", "Windows"),
            data_disks=[DiskConfig("Microsoft-Azure-Site-Recovery-Master-Target-Server-201503.08-datadisk-0",
                                   "ReadOnly", None, 1023, lun=0)],
            category="Public", location=_ALL, created="1801-01-01T00:00:00Z", modified="1801-01-01T00:00:00Z",
            image_family="Microsoft Azure Site Recovery Master Target Server", recommended_vm_size="Large",
            publisher_name="Microsoft Corporation", published_date="2015-03-08T07:00:00Z"),
)}


def _missing_vm_image(name: str) -> AsmFault:
    return AsmFault(404, "ResourceNotFound", f"The VM image {name} does not exist.")


class VmImageRules(SubscriptionBase):
    # -- VM images --------------------------------------------------------------------------------
    def vm_image(self, name: str) -> VmImage:
        img = self.vm_images.get(name)
        if img is None:
            raise _missing_vm_image(name)
        return img

    def _check_free(self, name: str) -> None:
        if name in self.vm_images or name in PUBLIC_VM_IMAGES or name in PUBLIC or name in self.images:
            raise AsmFault(409, "ConflictError", f"An image with the name {name} already exists.")

    def _location_of(self, media_link: str | None) -> str | None:
        """The location of the storage account holding a blob, when it is one of this subscription's."""
        host = (media_link or "").split("://", 1)[-1].split("/", 1)[0]
        acct = self.storage.get(host.split(".", 1)[0])
        if acct is None:
            return None
        return acct.location or self.affinity_group(acct.affinity_group or "").location

    def create_vm_image(self, request_id: str, image: VmImage) -> None:
        self._check_free(image.name)
        image.location = self._location_of(image.os_disk.media_link)
        image.created = image.modified = utc_now()
        image.state = "Creating"
        self.vm_images[image.name] = image
        self.start(request_id, CREATE, image=image.name)

    def update_vm_image(self, request_id: str, name: str, changes: dict[str, object],
                        os_caching: str | None, data_caching: dict[str, str]) -> None:
        img = self.vm_image(name)
        for disk_name in data_caching:
            if not any(d.name == disk_name for d in img.data_disks):
                raise AsmFault(400, "BadRequest", f"The VM image {name} has no data disk named {disk_name}.")
        for attr, value in changes.items():
            if value is not None:
                setattr(img, attr, value)
        if os_caching is not None:
            img.os_disk.host_caching = os_caching
        for d in img.data_disks:
            d.host_caching = data_caching.get(d.name, d.host_caching)
        img.modified = utc_now()
        self.finished(request_id, "update_vm_image", image=name)

    def delete_vm_image(self, request_id: str, name: str) -> None:
        if name in PUBLIC_VM_IMAGES:
            raise AsmFault(400, "BadRequest", "A platform image cannot be deleted.")
        img = self.vm_image(name)
        if img.state != READY:
            raise AsmFault(409, "ConflictError", f"An operation is in progress on the VM image {name} (it is being "
                           "created); try again when it is ready.")
        del self.vm_images[name]  # off the list at once: a read-back after a lost answer sees the delete
        self.start(request_id, DELETE, image=name)

    def capture_vm_image(self, request_id: str, service: str, deployment: str, role: str, image: VmImage) -> None:
        dep = self.deployment_by_name(service, deployment)
        found = next((r for r in dep.roles if r.name == role and r.role_type), None)
        if found is None:
            raise AsmFault(404, "ResourceNotFound", f"Role {role} was not found in the currently deployed service.")
        if dep.busy_op is not None:
            raise AsmFault(409, "ConflictError", EXCLUSIVE_ACCESS)
        if image.os_disk.os_state == "Generalized" and any(
                i.status not in ("StoppedVM", "StoppedDeallocated") for i in dep.instances if i.role_name == role):
            raise AsmFault(409, "ConflictError", f"The VM {role} must be shut down before a generalized image of it "
                           "is captured (run sysprep or waagent -deprovision, then shutdown_role).")
        self._check_free(image.name)
        image.os_disk = DiskConfig(f"{image.name}-os-{utc_now()[:10]}", "ReadWrite", found.os_disk_media_link,
                                   30 if found.os_disk_os != "Windows" else 127, image.os_disk.os_state,
                                   found.os_disk_os or "Linux")
        image.location = self._location_of(found.os_disk_media_link) or self._service_location(service)
        image.service_name, image.deployment_name, image.role_name = service, deployment, role
        image.role_size = found.role_size or "Small"
        image.created = image.modified = utc_now()
        image.state = "Creating"
        self.vm_images[image.name] = image
        self.start(request_id, CAPTURE, service=service, deployment=deployment, image=image.name)

    def _service_location(self, service: str) -> str:
        svc = self.service(service)
        return svc.location or self.affinity_group(svc.affinity_group or "").location

    # -- OS images: update, replicate, share ------------------------------------------------------
    def _own_os_image(self, name: str) -> OsImage:
        if name in PUBLIC:
            raise AsmFault(403, "ForbiddenError", f"The image {name} is a platform image; only your own images can "
                           "be changed.")
        img = self.images.get(name)
        if img is None:
            raise not_found("OS image")
        return img

    def update_os_image(self, request_id: str, name: str, label: str, media_link: str | None, new_name: str | None,
                        os_name: str | None) -> OsImage:
        img = self._own_os_image(name)
        for what, sent, have in (("Name", new_name, img.name), ("MediaLink", media_link, img.media_link),
                                 ("OS", os_name, img.os)):
            if sent is not None and sent != have:
                raise AsmFault(400, "BadRequest", f"The {what} of an OS image cannot be changed.")
        img.label = label
        self.finished(request_id, "update_os_image", os_image=name)
        return img

    def update_os_image_details(self, request_id: str, name: str, label: str, details: dict[str, object]) -> OsImage:
        img = self._own_os_image(name)
        img.label = label
        for attr, value in details.items():
            if value is not None:  # '' clears the field (quirk 8)
                setattr(img, attr, None if value == "" else value)
        self.finished(request_id, "update_os_image_from_image_reference", os_image=name)
        return img

    def replicate_os_image(self, request_id: str, name: str, regions: list[str]) -> None:
        img = self._own_os_image(name)
        if not regions:
            raise AsmFault(400, "BadRequest", "At least one target location must be specified.")
        img.replica_regions = list(dict.fromkeys(regions))
        img.replicated_at = self.now()
        self.finished(request_id, "replicate_vm_image", os_image=name)

    def unreplicate_os_image(self, request_id: str, name: str) -> None:
        img = self._own_os_image(name)
        img.replica_regions, img.replicated_at, img.share_permission = [], None, None
        self.finished(request_id, "unreplicate_vm_image", os_image=name)

    def share_os_image(self, request_id: str, name: str, permission: str) -> None:
        img = self._own_os_image(name)
        if permission not in ("Public", "Private", "MSDN"):
            raise AsmFault(400, "BadRequest", f"The permission '{permission}' is not valid; use Public, Private or MSDN.")
        if not img.replica_regions:
            raise AsmFault(400, "BadRequest", f"The image {name} is not replicated: replicate it before sharing it.")
        self.start(request_id, SHARE, os_image=name, permission=permission)


def replication_progress(sub: SubscriptionBase, img: OsImage) -> list[tuple[str, int]]:
    """(location, percent) per replica: 0 right after the call [REC], 100 once the replication time has passed."""
    if img.replicated_at is None:
        return []
    span = duration("replicate_vm_image", sub.owner.latency)
    done = 1.0 if span <= 0 else min(1.0, (sub.now() - img.replicated_at) / span)
    return [(region, int(done * 100)) for region in img.replica_regions]


def progress(sub: SubscriptionBase, op: Operation, fraction: float) -> None:
    """Nothing to show midway: a new image is Creating until its operation ends."""


def complete(sub: SubscriptionBase, op: Operation) -> None:
    name = op.params.get("os_image" if op.kind == SHARE else "image", "")
    if op.kind == SHARE:
        img = sub.images.get(name)
        if img is not None and op.status != "Failed":
            img.share_permission = op.params.get("permission")
        return
    if op.kind == DELETE:
        return
    vm = sub.vm_images.get(name)
    if vm is None:
        return
    if op.status == "Failed":
        del sub.vm_images[name]
    else:
        vm.state = READY
