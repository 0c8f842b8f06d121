"""The VM resource extensions the emulator lists (``list_resource_extensions`` and their versions).

A handful of the 48 extensions of the 2015 list, with the fields the recordings show; ChefClient
carries its eight recorded versions [REC list_resource_extension_versions]. The list names the
latest version of each extension; the versions call lists every one, oldest first.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from smflow.emulator.wire import el, root, serialize

__all__ = ["EXTENSIONS", "Extension", "extension_versions_xml", "extensions_xml"]


@dataclass(frozen=True)
class Extension:
    publisher: str
    name: str
    versions: tuple[tuple[str, str], ...]  # (version, published date), oldest first
    label: str
    description: str
    company: str
    homepage: str | None = None
    eula: str | None = None
    privacy: str | None = None
    json: bool = True
    supported_os: str | None = None


_CHEF = ("11.10.4", "11.12.0.0", "11.18.6.1", "1203.12.1.1", "1204.12.2.1", "1205.12.2.1", "1206.12.3.0",
         "1207.12.3.0")
EXTENSIONS: tuple[Extension, ...] = (
    Extension("Chef.Bootstrap.WindowsAzure", "ChefClient",
              tuple((v, "2015-05-14T14:50:57.3799892Z") for v in _CHEF), "Chef Extension for windows",
              "Chef Extension that sets up chef-client on VM", "Chef Software, Inc.", "http://www.getchef.com/",
              "http://www.getchef.com/about/", "http://www.getchef.com/about/"),
    Extension("Microsoft.Compute", "BGInfo", (("1.0", "2014-04-01T00:00:00Z"), ("1.1", "2014-10-09T00:00:00Z")),
              "BGInfo Extension", "Shows the VM's name, IP address and more on its desktop background.", "Microsoft",
              json=False, supported_os="Windows"),
    Extension("Microsoft.Compute", "CustomScriptExtension",
              (("1.0", "2014-06-04T00:00:00Z"), ("1.4", "2015-04-01T00:00:00Z")), "Custom Script Extension",
              "Downloads and runs a script on a Windows VM.", "Microsoft", supported_os="Windows"),
    Extension("Microsoft.Compute", "VMAccessAgent", (("2.0", "2014-11-03T00:00:00Z"),), "VM Access Agent",
              "Resets the administrator's password or remote access of a Windows VM.", "Microsoft",
              supported_os="Windows"),
    Extension("Microsoft.OSTCExtensions", "CustomScriptForLinux",
              (("1.0", "2014-10-14T00:00:00Z"), ("1.2", "2015-03-24T00:00:00Z")), "Custom Script For Linux",
              "Downloads and runs a script on a Linux VM.", "Microsoft", supported_os="Linux"),
    Extension("Microsoft.OSTCExtensions", "VMAccessForLinux", (("1.2", "2015-01-29T00:00:00Z"),),
              "VM Access For Linux", "Resets the password, SSH key or SSH configuration of a Linux VM.", "Microsoft",
              supported_os="Linux"),
)


def _extension(parent: etree._Element, ext: Extension, version: str, published: str) -> None:
    el(parent, "Publisher", ext.publisher)
    el(parent, "Name", ext.name)
    el(parent, "Version", version)
    el(parent, "Label", ext.label)
    el(parent, "Description", ext.description)
    el(parent, "ReplicationCompleted", True)
    for tag, value in (("Eula", ext.eula), ("PrivacyUri", ext.privacy), ("HomepageUri", ext.homepage)):
        if value is not None:
            el(parent, tag, value)
    el(parent, "IsJsonExtension", ext.json)
    if ext.supported_os is not None:
        el(parent, "SupportedOS", ext.supported_os)
    el(parent, "CompanyName", ext.company)
    el(parent, "PublishedDate", published)
    el(parent, "Regions")


def extensions_xml() -> bytes:
    doc = root("ResourceExtensions")
    for ext in EXTENSIONS:
        _extension(el(doc, "ResourceExtension"), ext, *ext.versions[-1])
    return serialize(doc)


def extension_versions_xml(publisher: str, name: str) -> bytes:
    """Every version of one extension (names compared as the service does, ignoring case); an
    extension nobody publishes has no versions: an empty list, not an error."""
    doc = root("ResourceExtensions")
    for ext in EXTENSIONS:
        if (ext.publisher.lower(), ext.name.lower()) == (publisher.lower(), name.lower()):
            for version, published in ext.versions:
                _extension(el(doc, "ResourceExtension"), ext, version, published)
    return serialize(doc)
