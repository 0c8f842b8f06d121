"""Request bodies and response roots of VM deployments and roles (VM labels in plain text, custom data base64)."""

from __future__ import annotations

from typing import Any

from smflow.asm import models as m
from smflow.asm.bodies.build import Args, Builder, Result, add, b64, fields, records

__all__ = ["BODIES", "RESULTS", "provisioning_set", "role_body"]


def _linux(cs: Any, c: Args) -> None:
    fields(cs, [("ConfigurationSetType", "LinuxProvisioningConfiguration"), ("HostName", c.get("host_name")),
                 ("UserName", c.get("user_name")), ("UserPassword", c.get("user_password")),
                 ("DisableSshPasswordAuthentication", c.get("disable_ssh_password_authentication"))])
    ssh = add(cs, "SSH", container=True)
    records(ssh, "PublicKeys", "PublicKey", c.get("ssh_public_keys"), [("Fingerprint", "fingerprint"), ("Path", "path")])
    records(ssh, "KeyPairs", "KeyPair", c.get("ssh_key_pairs"), [("Fingerprint", "fingerprint"), ("Path", "path")])
    add(cs, "CustomData", b64(c.get("custom_data")))


def _windows(cs: Any, c: Args) -> None:
    fields(cs, [("ConfigurationSetType", "WindowsProvisioningConfiguration"),
                 ("ComputerName", c.get("computer_name")), ("AdminPassword", c.get("admin_password")),
                 ("ResetPasswordOnFirstLogon", c.get("reset_password_on_first_logon", False)),
                 ("EnableAutomaticUpdates", c.get("enable_automatic_updates", False)),
                 ("TimeZone", c.get("time_zone"))])
    join = c.get("domain_join")
    if join is not None:  # unlike the SDK, no empty DomainJoin block when none is asked for (quirk 12)
        box = add(cs, "DomainJoin", container=True)
        fields(add(box, "Credentials", container=True),
                [("Domain", join.get("domain")), ("Username", join.get("username")), ("Password", join.get("password"))])
        fields(box, [("JoinDomain", join.get("join_domain")), ("MachineObjectOU", join.get("machine_object_ou"))])
    if c.get("stored_certificate_settings") is not None:
        records(cs, "StoredCertificateSettings", "CertificateSetting", c.get("stored_certificate_settings"),
              [("StoreLocation", "store_location"), ("StoreName", "store_name"), ("Thumbprint", "thumbprint")])
    if c.get("win_rm_listeners") is not None:
        records(add(cs, "WinRM", container=True), "Listeners", "Listener", c.get("win_rm_listeners"),
              [("Protocol", "protocol"), ("CertificateThumbprint", "certificate_thumbprint")])
    fields(cs, [("AdminUsername", c.get("admin_username")), ("CustomData", b64(c.get("custom_data")))])


def _network(cs: Any, n: Args) -> None:
    add(cs, "ConfigurationSetType", "NetworkConfiguration")
    endpoints = add(cs, "InputEndpoints", container=True)
    for ep in n.get("input_endpoints") or ():
        fields(add(endpoints, "InputEndpoint", container=True), [
            ("LoadBalancedEndpointSetName", ep.get("load_balanced_endpoint_set_name", "")),
            ("LocalPort", ep.get("local_port")), ("Name", ep.get("name")), ("Port", ep.get("port")),
            ("Protocol", ep.get("protocol")), ("EnableDirectServerReturn", ep.get("enable_direct_server_return", False)),
            ("IdleTimeoutInMinutes", ep.get("idle_timeout_in_minutes", 4)),
        ])
    subnets = add(cs, "SubnetNames", container=True)
    for name in n.get("subnet_names") or ():
        add(subnets, "SubnetName", name)
    add(cs, "StaticVirtualNetworkIPAddress", n.get("static_virtual_network_ip_address") or None)


def provisioning_set(cs: Any, system: Args) -> None:
    """The Linux or Windows provisioning set's elements (a role's, or a capture's)."""
    (_linux if str(system.get("type", "")).lower() == "linux" else _windows)(cs, system)


def role_body(role: Any, a: Args) -> None:
    """A role's elements: a VM deployment's Role, or the PersistentVMRole of add_role/update_role."""
    fields(role, [("RoleName", a.get("role_name")), ("RoleType", a.get("role_type") or "PersistentVMRole")])
    system, network = a.get("system_config"), a.get("network_config")
    if system is not None or network is not None:
        sets = add(role, "ConfigurationSets", container=True)
        if system is not None:
            provisioning_set(add(sets, "ConfigurationSet", container=True), system)
        if network is not None:
            _network(add(sets, "ConfigurationSet", container=True), network)
    if a.get("resource_extension_references"):
        refs = add(role, "ResourceExtensionReferences", container=True)
        for ref in a["resource_extension_references"]:
            box = add(refs, "ResourceExtensionReference", container=True)
            fields(box, [("ReferenceName", ref.get("reference_name")), ("Publisher", ref.get("publisher")),
                          ("Name", ref.get("name")), ("Version", ref.get("version"))])
            if ref.get("resource_extension_parameter_values"):
                records(box, "ResourceExtensionParameterValues", "ResourceExtensionParameterValue",
                      ref["resource_extension_parameter_values"], [("Key", "key"), ("Value", "value"), ("Type", "type")])
            add(box, "State", ref.get("state"))
    fields(role, [("VMImageName", a.get("vm_image_name")), ("MediaLocation", a.get("media_location")),
                   ("AvailabilitySetName", a.get("availability_set_name"))])
    if a.get("data_virtual_hard_disks") is not None:
        records(role, "DataVirtualHardDisks", "DataVirtualHardDisk", a["data_virtual_hard_disks"], [
            ("HostCaching", "host_caching"), ("DiskLabel", "disk_label"), ("DiskName", "disk_name"), ("Lun", "lun"),
            ("LogicalDiskSizeInGB", "logical_disk_size_in_gb"), ("MediaLink", "media_link"),
            ("SourceMediaLink", "source_media_link")])
    disk = a.get("os_virtual_hard_disk")
    if disk is not None:
        fields(add(role, "OSVirtualHardDisk", container=True), [
            ("HostCaching", disk.get("host_caching")), ("DiskLabel", disk.get("disk_label")),
            ("DiskName", disk.get("disk_name")), ("MediaLink", disk.get("media_link")),
            ("SourceImageName", disk.get("source_image_name")), ("OS", disk.get("os")),
            ("RemoteSourceImageLink", disk.get("remote_source_image_link"))])
    fields(role, [("RoleSize", a.get("role_size")), ("ProvisionGuestAgent", a.get("provision_guest_agent"))])


def _vm_deployment(root: Any, a: Args) -> None:
    fields(root, [("Name", a.get("deployment_name")), ("DeploymentSlot", a.get("deployment_slot")),
                   ("Label", a.get("label"))])
    role_body(add(add(root, "RoleList", container=True), "Role", container=True), a)
    add(root, "VirtualNetworkName", a.get("virtual_network_name"))
    if a.get("dns_servers"):
        records(add(root, "Dns", container=True), "DnsServers", "DnsServer", a["dns_servers"],
              [("Name", "name"), ("Address", "address")])
    add(root, "ReservedIPName", a.get("reserved_ip_name"))


def _power(operation_type: str, *, names: bool = False, shutdown: bool = False) -> Builder:
    """A role power operation: OperationType, then the role names, then the post-shutdown action."""

    def build(root: Any, a: Args) -> None:
        add(root, "OperationType", operation_type)
        if names:
            roles = add(root, "Roles", container=True)
            for name in a.get("role_names") or ():
                add(roles, "Name", name)
        if shutdown:
            add(root, "PostShutdownAction", a.get("post_shutdown_action") or "Stopped")

    return build


BODIES: dict[str, tuple[str, Builder]] = {
    "create_virtual_machine_deployment": ("Deployment", _vm_deployment),
    "shutdown_role": ("ShutdownRoleOperation", _power("ShutdownRoleOperation", shutdown=True)),
    "start_role": ("StartRoleOperation", _power("StartRoleOperation")),
    "restart_role": ("RestartRoleOperation", _power("RestartRoleOperation")),
    "shutdown_roles": ("ShutdownRolesOperation", _power("ShutdownRolesOperation", names=True, shutdown=True)),
    "start_roles": ("StartRolesOperation", _power("StartRolesOperation", names=True)),
}

RESULTS: dict[str, Result] = {
    "get_role": (("PersistentVMRole", "Role"), m.Role, None),
}
