"""Built-in, read-only data every subscription sees: locations, guest OS versions, public images.

Modelled on the 2015 recordings (../shared/asm/recordings): the 18 locations of the real list,
guest OS families 1-4 with a handful of versions each, and a dozen public images (the real list
was ~650 KB; a dozen is enough for a flow to pick an image by name). Plain data, no XML.
"""

from __future__ import annotations

from dataclasses import dataclass

from smflow.emulator.resources import OsImage

__all__ = [
    "GUEST_OS_FAMILIES",
    "LOCATIONS",
    "PUBLIC_IMAGES",
    "VM_ROLE_SIZES",
    "WEB_WORKER_ROLE_SIZES",
    "GuestOs",
    "Location",
    "geo_secondary",
]

WEB_WORKER_ROLE_SIZES: tuple[str, ...] = (
    "A10", "A11", "A5", "A6", "A7", "A8", "A9", "ExtraLarge", "ExtraSmall", "Large", "Medium", "Small",
    "Standard_D1", "Standard_D11", "Standard_D12", "Standard_D13", "Standard_D14", "Standard_D2",
    "Standard_D3", "Standard_D4",
)  # fmt: skip
VM_ROLE_SIZES: tuple[str, ...] = (
    "A10", "A11", "A5", "A6", "A7", "A8", "A9", "Basic_A0", "Basic_A1", "Basic_A2", "Basic_A3", "Basic_A4",
    "ExtraLarge", "ExtraSmall", "Large", "Medium", "Small", "Standard_D1", "Standard_D11", "Standard_D12",
    "Standard_D13", "Standard_D14", "Standard_D2", "Standard_D3", "Standard_D4",
)  # fmt: skip
STORAGE_ACCOUNT_TYPES: tuple[str, ...] = ("Standard_LRS", "Standard_ZRS", "Standard_GRS", "Standard_RAGRS")


@dataclass(frozen=True)
class Location:
    name: str
    available: bool = True  # West India listed no services in 2015


LOCATIONS: tuple[Location, ...] = tuple(
    Location(n)
    for n in (
        "East US", "West US", "Central US", "South Central US", "North Central US", "East US 2",
        "North Europe", "West Europe", "Southeast Asia", "East Asia", "Japan West", "Japan East",
        "Brazil South", "Australia Southeast", "Australia East", "Central India", "South India",
    )
) + (Location("West India", available=False),)  # fmt: skip

# Geo-replication pairs, for StorageService.GeoSecondaryRegion.
_PAIRS = {
    "East US": "West US", "West US": "East US", "Central US": "East US 2", "East US 2": "Central US",
    "South Central US": "North Central US", "North Central US": "South Central US",
    "North Europe": "West Europe", "West Europe": "North Europe", "Southeast Asia": "East Asia",
    "East Asia": "Southeast Asia", "Japan West": "Japan East", "Japan East": "Japan West",
    "Brazil South": "South Central US", "Australia Southeast": "Australia East",
    "Australia East": "Australia Southeast", "Central India": "South India", "South India": "Central India",
}  # fmt: skip


def geo_secondary(location: str) -> str:
    return _PAIRS.get(location, "East US")


@dataclass(frozen=True)
class GuestOs:
    version: str
    label: str
    family: int
    is_default: bool
    is_active: bool


GUEST_OS_FAMILIES: dict[int, str] = {
    1: "Windows Server 2008 SP2",
    2: "Windows Server 2008 R2",
    3: "Windows Server 2012",
    4: "Windows Server 2012 R2",
}
_RELEASES = {
    1: ((0, "200912"), (10, "201101"), (45, "201503"), (48, "201506")),
    2: ((0, "201010"), (38, "201504"), (40, "201506")),
    3: ((0, "201208"), (24, "201504"), (26, "201506")),
    4: ((0, "201310"), (9, "201406"), (21, "201506")),
}


def _guest_os_list() -> tuple[GuestOs, ...]:
    out = []
    for family, releases in _RELEASES.items():
        for i, (minor, release) in enumerate(releases):
            out.append(
                GuestOs(
                    version=f"WA-GUEST-OS-{family}.{minor}_{release}-01",
                    label=f"Windows Azure Guest OS {family}.{minor} (Release {release}-01)",
                    family=family,
                    is_default=i == len(releases) - 1,
                    is_active=i >= len(releases) - 2,
                )
            )
    # The service sorts by version *as a string* (1.10 before 1.2).
    return tuple(sorted(out, key=lambda g: g.version))


GUEST_OS_VERSIONS: tuple[GuestOs, ...] = _guest_os_list()

_ALL = (
    "East Asia;Southeast Asia;Australia East;Australia Southeast;Brazil South;North Europe;West Europe;"
    "Japan East;Japan West;Central US;East US;East US 2;North Central US;South Central US;West US"
)


def _public(name: str, label: str, os: str, size: int, family: str, publisher: str, date: str, *,
            vm_size: str = "Small", premium: bool = False, eula: str = "http://go.microsoft.com/fwlink/?LinkId=286270",
            icon: str = "Ubuntu-cof-100.png") -> OsImage:  # fmt: skip
    return OsImage(
        category="Public",
        label=label,
        location=_ALL,
        logical_size_gb=size,
        name=name,
        os=os,
        eula=eula,
        description=f"{label}. Published by {publisher}.",
        image_family=family,
        published_date=date,
        is_premium=premium,
        icon_uri=icon,
        privacy_uri="http://go.microsoft.com/fwlink/?LinkID=282418",
        recommended_vm_size=vm_size,
        publisher_name=publisher,
        pricing_detail_link="http://go.microsoft.com/fwlink/?LinkId=271258" if premium else None,
        small_icon_uri=icon.replace("100", "45"),
        io_type="Standard_LRS",
    )


PUBLIC_IMAGES: tuple[OsImage, ...] = (
    _public("b39f27a8b8c64d52b05eac6a62ebad85__Ubuntu-14_04_1-LTS-amd64-server-20140927-en-us-30GB",
            "Ubuntu Server 14.04.1 LTS", "Linux", 30, "Ubuntu Server 14.04 LTS", "Canonical", "2014-09-27T00:00:00Z"),
    _public("b39f27a8b8c64d52b05eac6a62ebad85__Ubuntu-12_04_5-LTS-amd64-server-20150413-en-us-30GB",
            "Ubuntu Server 12.04.5 LTS", "Linux", 30, "Ubuntu Server 12.04 LTS", "Canonical", "2015-04-13T00:00:00Z"),
    _public("b39f27a8b8c64d52b05eac6a62ebad85__Ubuntu-15_04-amd64-server-20150610-en-us-30GB",
            "Ubuntu Server 15.04", "Linux", 30, "Ubuntu Server 15.04", "Canonical", "2015-06-10T00:00:00Z"),
    _public("5112500ae3b842c8b9c604889f8753c3__OpenLogic-CentOS-70-20150325",
            "OpenLogic 7.0", "Linux", 30, "OpenLogic 7.0", "OpenLogic", "2015-03-25T00:00:00Z", icon="CentOS-100.png"),
    _public("b4590d9e3ed742e4a1d46e5424aa335e__suse-sles-12-v20150213",
            "SUSE Linux Enterprise Server 12", "Linux", 30, "SUSE Linux Enterprise Server 12", "SUSE",
            "2015-02-13T00:00:00Z", premium=True, icon="Suse-100.png"),
    _public("2b171e93f07c4903bcad35bda10acf22__CoreOS-Stable-647.2.0",
            "CoreOS Stable", "Linux", 30, "CoreOS Stable", "CoreOS", "2015-05-05T00:00:00Z", icon="CoreOS-100.png"),
    _public("c290a6b031d841e09f2da759bbabe71f__Oracle-Linux-6-12-2014",
            "Oracle Linux 6.4.0.0.0", "Linux", 30, "Oracle Linux 6", "Oracle", "2014-12-01T00:00:00Z",
            premium=True, icon="Oracle-100.png"),
    _public("a699494373c04fc0bc8f2bb1389d6106__Windows-Server-2012-R2-201505.01-en.us-127GB.vhd",
            "Windows Server 2012 R2 Datacenter, May 2015", "Windows", 127, "Windows Server 2012 R2 Datacenter",
            "Microsoft Windows Server Group", "2015-05-15T07:00:00Z", icon="WindowsServer2012R2-100.png"),
    _public("a699494373c04fc0bc8f2bb1389d6106__Win2K8R2SP1-Datacenter-201505.01-en.us-127GB.vhd",
            "Windows Server 2008 R2 SP1, May 2015", "Windows", 127, "Windows Server 2008 R2 SP1",
            "Microsoft Windows Server Group", "2015-05-15T07:00:00Z", icon="WindowsServer2008R2-100.png"),
    _public("a699494373c04fc0bc8f2bb1389d6106__Windows-Server-Technical-Preview-201505.01-en.us-127GB.vhd",
            "Windows Server Technical Preview, May 2015", "Windows", 127, "Windows Server Technical Preview",
            "Microsoft Windows Server Group", "2015-05-15T07:00:00Z", icon="WindowsServer2012R2-100.png"),
    _public("fb83b3509582419d99629ce476bcb5c8__SQL-Server-2014RTM-12.0.2000.8-Web-ENU-WS2012R2-AprilGA",
            "SQL Server 2014 RTM Web on Windows Server 2012 R2", "Windows", 127,
            "SQL Server 2014 RTM Web on Windows Server 2012 R2", "Microsoft SQL Server Group",
            "2014-04-01T07:00:00Z", vm_size="A2", premium=True, icon="SqlServer2014_100.png"),
    _public("03f55de797f546a1b29d1b8d66be687a__CoreCLR-x64-Beta5-Linux-PartsUnlimited-Demo-App-201504.29",
            "CoreCLR x64 Beta5 (11624) with PartsUnlimited Demo App on Ubuntu Server 14.04 LTS", "Linux", 30,
            "CoreCLR x64 Beta5 (11624) with PartsUnlimited Demo App on Ubuntu Server 14.04 LTS",
            "Microsoft Visual Studio Group", "2015-04-29T07:00:00Z", vm_size="Standard_D1"),
)  # fmt: skip
