"""Typed result models of the Service Management API, one module per API area.

Attribute names are those of Microsoft's SDK (azure-servicemanagement-legacy 0.20.8), so a user of
the Python guide reads ``svc.hosted_service_properties.location`` or
``dep.role_instance_list[0].instance_status`` without a manual. Where the SDK wraps a list in a
container class (``HostedServices``, ``RoleInstanceList``, ``Locations``...), smflow uses a plain
``list[...]``: list operations return ``list[HostedService]`` and nested lists are ``list[X]``, so a
flow can iterate them directly (``all(dep.role_instance_list, i => ...)``) and ``len()`` works.

Conventions (the XML decoder in ``asm.xml`` fills these; the flow checker reads the annotations
through ``smflow.asm.types.attribute_type``, so they are precise):
- every field has a default, so a partial or trimmed response still decodes;
- a value the wire marks ``i:nil`` or leaves out is ``None`` for ``X | None`` fields; identifying
  strings (names, urls, statuses) default to ``""``;
- numbers are ``int`` and flags ``bool``, never strings (the SDK keeps ``http_status_code`` as a
  string; smflow gives an ``int``);
- labels and configurations are already base64-decoded where the wire encodes them (wire.md §1.4);
- an empty list element (``<HostedServices/>``) is ``[]``; extended properties are ``dict[str, str]``.

Fixed SDK bugs: ``Operation.id`` is read from ``<ID>`` (SDK bug 2) and
``Deployment.persistent_vm_downtime_info`` from ``<PersistentVMDowntime>`` (SDK bug 3).
Storage keys are secret: they are hidden from ``repr`` and marked ``metadata={"secret": True}``.

Each area module owns its models; this package re-exports every one of them by name (the list
below is the one place that says which areas exist), so ``models.Deployment`` works as before.
"""

from __future__ import annotations

from smflow.asm.models.certificates import Certificate, SubscriptionCertificate
from smflow.asm.models.compute import (
    ComputeCapabilities,
    Deployment,
    DnsServer,
    HostedService,
    HostedServiceProperties,
    InputEndpoint,
    InstanceEndpoint,
    PersistentVMDowntimeInfo,
    RoleInstance,
    UpgradeStatus,
    VirtualIP,
)
from smflow.asm.models.disks import AttachedTo, Disk
from smflow.asm.models.images import (
    DataDiskConfiguration,
    OSDiskConfiguration,
    OSImage,
    OSImageDetails,
    ReplicationProgressElement,
    VMImage,
)
from smflow.asm.models.network import ReservedIP, Subnet, VirtualNetworkSite
from smflow.asm.models.operations import AsynchronousOperationResult, Operation, OperationError
from smflow.asm.models.storage import StorageService, StorageServiceKeys, StorageServiceProperties
from smflow.asm.models.subscription import (
    AffinityGroup,
    AvailabilityResponse,
    Location,
    OperatingSystem,
    OperatingSystemFamily,
    OperationCaller,
    ResourceExtension,
    RoleSize,
    Subscription,
    SubscriptionOperation,
    SubscriptionOperationCollection,
    SubscriptionOperationStatus,
)
from smflow.asm.models.vm import (
    ConfigurationSet,
    ConfigurationSetInputEndpoint,
    DataVirtualHardDisk,
    OSVirtualHardDisk,
    Role,
)

__all__ = [
    "AttachedTo",
    "Disk",
    "DnsServer",
    "AvailabilityResponse",
    "Certificate",
    "SubscriptionCertificate",
    "AffinityGroup",
    "AsynchronousOperationResult",
    "ComputeCapabilities",
    "ConfigurationSet",
    "ConfigurationSetInputEndpoint",
    "DataVirtualHardDisk",
    "Deployment",
    "HostedService",
    "HostedServiceProperties",
    "InputEndpoint",
    "InstanceEndpoint",
    "Location",
    "OSImage",
    "OSVirtualHardDisk",
    "OperatingSystem",
    "OperatingSystemFamily",
    "Operation",
    "OperationError",
    "PersistentVMDowntimeInfo",
    "Role",
    "RoleSize",
    "RoleInstance",
    "StorageService",
    "StorageServiceKeys",
    "StorageServiceProperties",
    "UpgradeStatus",
    "VirtualIP",
    # images, network, subscription (issue 11)
    "DataDiskConfiguration",
    "OSDiskConfiguration",
    "OSImageDetails",
    "OperationCaller",
    "ReplicationProgressElement",
    "ReservedIP",
    "ResourceExtension",
    "Subnet",
    "Subscription",
    "SubscriptionOperation",
    "SubscriptionOperationCollection",
    "SubscriptionOperationStatus",
    "VMImage",
    "VirtualNetworkSite",
]
