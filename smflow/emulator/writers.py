"""Response XML for operations, hosted services, deployments and roles, in the recorded order (wire.md §3).

``wire.py`` owns the XML primitives and the request readers; ``account_writers.py`` writes storage
accounts, affinity groups, images, locations and guest OS lists. ``base`` is the scheme://host the
client used, so ``<Url>`` elements point back at the emulator.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

from lxml import etree

from smflow.emulator.catalog_data import VM_ROLE_SIZES, WEB_WORKER_ROLE_SIZES
from smflow.emulator.resources import Deployment, HostedService, Operation, Role
from smflow.emulator.wire import any_special, b64, document, el, fragment, root, serialize, tag, text_list, text_value

__all__ = [
    "compute_capabilities",
    "deployment_xml",
    "extended_properties",
    "extended_properties_text",
    "hosted_service_into",
    "hosted_service_xml",
    "hosted_services_xml",
    "operation_xml",
    "role_xml",
]


def _dashed(hex32: str) -> str:
    h = hex32
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}" if len(h) == 32 else h


def operation_xml(op: Operation) -> bytes:
    doc = root("Operation")
    el(doc, "ID", _dashed(op.id))
    el(doc, "Status", op.status)
    if op.status != "InProgress":
        el(doc, "HttpStatusCode", op.http_status)
    if op.status == "Failed":
        err = el(doc, "Error")
        el(err, "Code", op.error_code)
        el(err, "Message", op.error_message)
    return serialize(doc)


def extended_properties(parent: etree._Element, props: dict[str, str]) -> None:
    holder = el(parent, "ExtendedProperties")
    for name, value in props.items():
        p = el(holder, "ExtendedProperty")
        el(p, "Name", name)
        el(p, "Value", value)


def _buildcompute_capabilities() -> etree._Element:
    holder = root("Holder")
    caps = el(holder, "ComputeCapabilities")
    text_list(caps, "WebWorkerRoleSizes", "RoleSize", WEB_WORKER_ROLE_SIZES)
    text_list(caps, "VirtualMachinesRoleSizes", "RoleSize", VM_ROLE_SIZES)
    return caps


_COMPUTE_CAPABILITIES = _buildcompute_capabilities()


def compute_capabilities(parent: etree._Element) -> None:
    """The same ~50 elements under every listed service: built once, copied in C (a list of 1,000 is 4x faster)."""
    parent.append(copy.deepcopy(_COMPUTE_CAPABILITIES))


def hosted_service_into(parent: etree._Element, svc: HostedService, base: str, sub: str, *, listed: bool,
                    embed: bool) -> None:  # fmt: skip
    el(parent, "Url", f"{base}/{sub}/services/hostedservices/{svc.name}")
    el(parent, "ServiceName", svc.name)
    props = el(parent, "HostedServiceProperties")
    el(props, "Description", svc.description, nil=True)
    if svc.affinity_group is not None:
        el(props, "AffinityGroup", svc.affinity_group)
    else:
        el(props, "Location", svc.location)
    el(props, "Label", b64(svc.label))
    el(props, "Status", svc.status)
    el(props, "DateCreated", svc.created)
    el(props, "DateLastModified", svc.last_modified)
    extended_properties(props, svc.extended_properties)
    if embed:
        deps = el(parent, "Deployments")
        for slot in ("Production", "Staging"):
            if slot in svc.slots:
                _deployment(el(deps, "Deployment"), svc.slots[slot])
    if listed:
        compute_capabilities(parent)


def hosted_service_xml(svc: HostedService, base: str, sub: str, embed: bool) -> bytes:
    doc = root("HostedService")
    hosted_service_into(doc, svc, base, sub, listed=False, embed=embed)
    return serialize(doc)


_COMPUTE_CAPABILITIES_TEXT = fragment(copy.deepcopy(_COMPUTE_CAPABILITIES))


def _unchanged(value: str) -> str:
    return value


def extended_properties_text(props: dict[str, str], x: Callable[[str], str] = text_value) -> str:
    """``extended_properties`` as text, for list items (``x``: how values are escaped)."""
    if not props:
        return "<ExtendedProperties/>"
    items = "".join([f"<ExtendedProperty><Name>{x(name)}</Name><Value>{x(value)}</Value></ExtendedProperty>"
                     for name, value in props.items()])
    return f"<ExtendedProperties>{items}</ExtendedProperties>"


def _listed_hosted_service(svc: HostedService, base: str, sub: str) -> bytes:
    """What ``hosted_service_into(..., listed=True, embed=False)`` builds, written as bytes in one
    format (a list of 10,000 is 120,000 of these fields: one ``tag`` call each was most of its cost)."""
    props = svc.extended_properties
    plain = not any_special(svc.name, svc.status, svc.created, svc.last_modified, base, sub, svc.description or "",
                            svc.affinity_group or "", svc.location or "", *props, *props.values())
    x = _unchanged if plain else text_value  # one search for the whole item, not one per field
    where = (f"<AffinityGroup>{x(svc.affinity_group)}</AffinityGroup>" if svc.affinity_group is not None
             else tag("Location", svc.location))
    description = ('<Description i:nil="true"/>' if svc.description is None
                   else f"<Description>{x(svc.description)}</Description>")
    return (
        f"<HostedService><Url>{x(f'{base}/{sub}/services/hostedservices/{svc.name}')}</Url>"
        f"<ServiceName>{x(svc.name)}</ServiceName><HostedServiceProperties>{description}{where}"
        f"<Label>{b64(svc.label)}</Label><Status>{x(svc.status)}</Status>"
        f"<DateCreated>{x(svc.created)}</DateCreated><DateLastModified>{x(svc.last_modified)}</DateLastModified>"
        f"{extended_properties_text(props, x)}</HostedServiceProperties>"
        f"{_COMPUTE_CAPABILITIES_TEXT}</HostedService>"
    ).encode()


def hosted_services_xml(services: list[HostedService], base: str, sub: str) -> bytes:
    """Each service written to bytes on its own: no tree of the whole list (see ``wire.document``)."""
    return document("HostedServices", [_listed_hosted_service(svc, base, sub) for svc in services])


def _role(parent: etree._Element, role: Role, *, in_deployment: bool) -> None:
    """A role as sent: endpoints, subnets, availability set, disks with their labels, the size."""
    el(parent, "RoleName", role.name)
    el(parent, "OsVersion", role.os_version or None)
    if role.role_type:
        el(parent, "RoleType", role.role_type)
    sets = el(parent, "ConfigurationSets")
    net = el(sets, "ConfigurationSet", xsi_type="NetworkConfigurationSet")
    el(net, "ConfigurationSetType", "NetworkConfiguration")
    if role.endpoints:
        endpoints = el(net, "InputEndpoints")
        for ep in role.endpoints:
            item = el(endpoints, "InputEndpoint")
            if ep.load_balanced_endpoint_set_name:
                el(item, "LoadBalancedEndpointSetName", ep.load_balanced_endpoint_set_name)
            for name, value in (("LocalPort", ep.local_port), ("Name", ep.name), ("Port", ep.port),
                                ("Protocol", ep.protocol), ("EnableDirectServerReturn", ep.enable_direct_server_return),
                                ("IdleTimeoutInMinutes", ep.idle_timeout_in_minutes)):
                el(item, name, value)
    if in_deployment or role.subnet_names:
        text_list(net, "SubnetNames", "SubnetName", role.subnet_names)
    if role.role_type:
        if role.availability_set_name:
            el(parent, "AvailabilitySetName", role.availability_set_name)
        if role.vm_image_name:
            el(parent, "VMImageName", role.vm_image_name)
        data = el(parent, "DataVirtualHardDisks")
        for d in role.data_disks:
            item = el(data, "DataVirtualHardDisk")
            fields: tuple[tuple[str, object], ...] = (("HostCaching", d.host_caching), ("DiskLabel", d.label or None),
                ("DiskName", d.disk_name), ("Lun", d.lun), ("LogicalDiskSizeInGB", d.size_gb),
                ("MediaLink", d.media_link), ("IOType", "Standard"))
            for element, text in fields:
                if text is not None:
                    el(item, element, text)
        disk = el(parent, "OSVirtualHardDisk")
        el(disk, "HostCaching", "ReadWrite")
        if role.os_disk_label:
            el(disk, "DiskLabel", role.os_disk_label)
        el(disk, "DiskName", role.os_disk_name)
        el(disk, "MediaLink", role.os_disk_media_link or f"https://portalvhds.blob.core.windows.net/vhds/{role.name}.vhd")
        el(disk, "SourceImageName", role.os_disk_source_image or role.vm_image_name)
        el(disk, "OS", role.os_disk_os or "Linux")
        el(disk, "IOType", "Standard")
        el(parent, "RoleSize", role.role_size or "Small")


def role_xml(role: Role) -> bytes:
    doc = root("PersistentVMRole")
    _role(doc, role, in_deployment=False)
    return serialize(doc)


def _deployment(doc: etree._Element, dep: Deployment) -> None:
    el(doc, "Name", dep.name)
    el(doc, "DeploymentSlot", dep.slot)
    el(doc, "PrivateID", dep.private_id)
    el(doc, "Status", dep.status)
    el(doc, "Label", b64(dep.label))
    el(doc, "Url", dep.url)
    el(doc, "Configuration", b64(dep.configuration))
    instances = el(doc, "RoleInstanceList")
    for inst in dep.instances:
        ri = el(instances, "RoleInstance")
        el(ri, "RoleName", inst.role_name)
        el(ri, "InstanceName", inst.instance_name)
        el(ri, "InstanceStatus", inst.status)
        el(ri, "InstanceUpgradeDomain", inst.upgrade_domain)
        el(ri, "InstanceFaultDomain", inst.fault_domain)
        el(ri, "InstanceSize", inst.size)
        el(ri, "InstanceStateDetails")
        el(ri, "IpAddress", inst.ip_address)
        el(ri, "PowerState", inst.power_state)
        if inst.host_name is not None:
            el(ri, "HostName", inst.host_name)
            el(ri, "RemoteAccessCertificateThumbprint", dep.private_id)
    if dep.upgrade is not None:
        status = el(doc, "UpgradeStatus")
        el(status, "UpgradeType", dep.upgrade.mode)
        el(status, "CurrentUpgradeDomainState", dep.upgrade.state)
        el(status, "CurrentUpgradeDomain", dep.upgrade.domain)
    el(doc, "UpgradeDomainCount", dep.upgrade_domains())
    roles = el(doc, "RoleList")
    for role in dep.roles:
        _role(el(roles, "Role", xsi_type="PersistentVMRole" if role.role_type else None), role, in_deployment=True)
    el(doc, "SdkVersion", None if dep.is_vm else "2.6.6496.1")
    el(doc, "Locked", dep.busy_op is not None)
    el(doc, "RollbackAllowed", dep.upgrade is not None and not dep.upgrade.rolling_back)
    el(doc, "CreatedTime", dep.created)
    el(doc, "LastModifiedTime", dep.last_modified)
    extended_properties(doc, dep.extended_properties)
    vips = el(doc, "VirtualIPs")
    vip = el(vips, "VirtualIP")
    el(vip, "Address", dep.vip)
    el(vip, "IsDnsProgrammed", True)
    el(vip, "Name", "__PseudoBackEndContractVip")
    if dep.reserved_ip is not None:
        el(vip, "IsReserved", True)
        el(vip, "ReservedIPName", dep.reserved_ip)
    if dep.is_vm:
        el(doc, "InternalDnsSuffix", f"{dep.private_id[:12]}.d2.internal.cloudapp.net")
    if dep.dns_servers:
        servers = el(el(doc, "Dns"), "DnsServers")
        for name, address in dep.dns_servers.items():
            server = el(servers, "DnsServer")
            el(server, "Name", name)
            el(server, "Address", address)
    if dep.reserved_ip is not None:
        el(doc, "ReservedIPName", dep.reserved_ip)  # [REC associate_reserved_ip_address]
    el(doc, "LoadBalancers")


def deployment_xml(dep: Deployment) -> bytes:
    doc = root("Deployment")
    _deployment(doc, dep)
    return serialize(doc)
