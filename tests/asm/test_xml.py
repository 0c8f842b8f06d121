"""The XML layer: hostile and malformed bodies become ApiError quickly and in bounded memory;
typed decoding (nil, empty lists, ints, bools, base64) and strict names."""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable

import pytest

from smflow.asm import models as m
from smflow.asm import xml
from smflow.errors import ApiError

NS = b'xmlns="http://schemas.microsoft.com/windowsazure" xmlns:i="http://www.w3.org/2001/XMLSchema-instance"'

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<HostedService xmlns="http://schemas.microsoft.com/windowsazure"><ServiceName>&lol9;</ServiceName></HostedService>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<HostedService xmlns="http://schemas.microsoft.com/windowsazure"><ServiceName>&xxe;</ServiceName></HostedService>"""


def _fast_and_small(fn: Callable[[], object], memory_bound: int = 16 * 1024 * 1024) -> ApiError:
    """Run fn, expecting ApiError; the peak of memory allocated meanwhile must stay under the bound.

    (Elapsed time is only bounded generously: the machine is shared.)"""
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(ApiError) as info:
            fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < memory_bound, f"peak {peak} bytes"
    assert time.monotonic() - started < 30
    return info.value


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_billion_laughs(encoding: str) -> None:
    body = BILLION_LAUGHS.decode().replace('version="1.0"', f'version="1.0" encoding="{encoding}"').encode(encoding)
    err = _fast_and_small(lambda: xml.decode_response("get_hosted_service_properties", body))
    assert "DTD" in str(err)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_external_entity_is_not_read(encoding: str) -> None:
    body = XXE.decode().replace('version="1.0"', f'version="1.0" encoding="{encoding}"').encode(encoding)
    err = _fast_and_small(lambda: xml.decode_response("get_hosted_service_properties", body))
    assert "root:" not in str(err) and "DTD" in str(err)


def test_fifty_megabyte_body() -> None:
    body = b"<HostedService " + NS + b"><ServiceName>" + b"a" * (50 * 1024 * 1024) + b"</ServiceName></HostedService>"
    err = _fast_and_small(lambda: xml.decode_response("get_hosted_service_properties", body))
    assert "over the 33554432-byte limit" in str(err)
    assert xml.decode_error(body) is None


def test_deep_nesting_is_refused() -> None:
    body = b"<HostedService " + NS + b">" + b"<a>" * 100_000 + b"</a>" * 100_000 + b"</HostedService>"
    err = _fast_and_small(lambda: xml.decode_response("get_hosted_service_properties", body))
    assert "malformed XML" in str(err)


def test_truncated_body() -> None:
    body = b"<HostedService " + NS + b"><Url>https://x</Url><ServiceName>svc</Serv"
    err = _fast_and_small(lambda: xml.decode_response("get_hosted_service_properties", body))
    assert str(err).startswith("get_hosted_service_properties: malformed XML in response")


def test_wrong_root() -> None:
    body = b"<StorageService " + NS + b"><ServiceName>s</ServiceName></StorageService>"
    err = _fast_and_small(lambda: xml.decode_response("get_hosted_service_properties", body))
    assert str(err) == "get_hosted_service_properties: expected <HostedService> in the response, got <StorageService>"
    lower = b"<hostedservice " + NS + b"/>"  # names are case-sensitive
    with pytest.raises(ApiError, match="got <hostedservice>"):
        xml.decode_response("get_hosted_service_properties", lower)


def test_html_page_with_200() -> None:
    page = b"<html><head><title>Sign in to the proxy</title></head><body><p>hello<br></body></html>"
    err = _fast_and_small(lambda: xml.decode_response("list_locations", page))
    assert "list_locations:" in str(err)
    assert xml.decode_error(page) is None


@pytest.mark.parametrize("body", [b"", b"   ", b"not xml at all", b"\xff\xfe\x00<", b"<?xml version='1.0'?>"])
def test_garbage(body: bytes) -> None:
    with pytest.raises(ApiError):
        xml.decode_response("list_hosted_services", body)


def test_bad_numbers_and_flags() -> None:
    bad_int = b"<Operation " + NS + b"><Status>Failed</Status><HttpStatusCode>abc</HttpStatusCode></Operation>"
    with pytest.raises(ApiError, match=r"Operation.http_status_code: expected an integer, got 'abc'"):
        xml.decode_response("get_operation_status", bad_int)
    bad_bool = b"<Deployment " + NS + b"><Locked>maybe</Locked></Deployment>"
    with pytest.raises(ApiError, match=r"Deployment.locked: expected true or false, got 'maybe'"):
        xml.decode_response("get_deployment_by_name", bad_bool)


def test_typed_decoding() -> None:
    body = (b"<Deployment " + NS + b"><Name>d</Name><Label>bXkgbGFiZWw=</Label><Description i:nil='true'/>"
            b"<RoleInstanceList/><UpgradeDomainCount> 3 </UpgradeDomainCount><Locked>TRUE</Locked>"
            b"<VirtualNetworkName i:nil=\"true\"/><ExtendedProperties/><Unknown>ignored</Unknown>"
            b"<virtualips><VirtualIP><Address>1.2.3.4</Address></VirtualIP></virtualips></Deployment>")
    dep = xml.decode_response("get_deployment_by_name", body)
    assert dep == m.Deployment(name="d", label="my label", upgrade_domain_count=3, locked=True)
    assert dep.role_instance_list == [] and dep.virtual_network_name is None and dep.virtual_ips == []


def test_prefixed_namespaces_are_tolerated() -> None:
    body = (b'<a:Operation xmlns:a="http://schemas.microsoft.com/windowsazure"><a:ID>x-y</a:ID>'
            b"<a:Status>Succeeded</a:Status><a:HttpStatusCode>200</a:HttpStatusCode></a:Operation>")
    assert xml.decode_response("get_operation_status", body) == m.Operation("x-y", "Succeeded", 200)
    no_ns = b"<Error><Code>X</Code><Message>y &amp; z</Message></Error>"
    assert xml.decode_error(b'<?xml version="1.0" encoding="utf-8"?>' + no_ns) == ("X", "y & z")


def test_storage_keys_decode_but_stay_out_of_repr() -> None:
    body = (b"<StorageService " + NS + b"><ServiceName>s</ServiceName><StorageServiceKeys>"
            b"<Primary>cHJpbWFyeQ==</Primary><Secondary>c2Vjb25kYXJ5</Secondary></StorageServiceKeys></StorageService>")
    svc = xml.decode_response("get_storage_account_keys", body)
    assert svc.storage_service_keys == m.StorageServiceKeys("cHJpbWFyeQ==", "c2Vjb25kYXJ5")
    assert "cHJpbWFyeQ" not in repr(svc)


def test_request_bodies_omit_none_and_escape() -> None:
    body = xml.encode_request("create_storage_account", {
        "service_name": "abc", "description": "<x> & 'y'", "label": "l", "affinity_group": None,
        "location": "West US", "geo_replication_enabled": None, "extended_properties": None,
        "account_type": "Standard_RAGRS"}, "CreateStorageServiceInput")
    assert body == (
        b'<CreateStorageServiceInput xmlns:i="http://www.w3.org/2001/XMLSchema-instance" '
        b'xmlns="http://schemas.microsoft.com/windowsazure"><ServiceName>abc</ServiceName>'
        b"<Description>&lt;x&gt; &amp; 'y'</Description><Label>bA==</Label><Location>West US</Location>"
        b"<AccountType>Standard_RAGRS</AccountType></CreateStorageServiceInput>")
    assert xml.encode_request("list_locations", {}) is None
    with pytest.raises(ValueError, match="body_root"):
        xml.encode_request("swap_deployment", {}, "NotSwap")


def test_vm_body_defaults_and_order() -> None:
    body = xml.encode_request("create_virtual_machine_deployment", {
        "deployment_name": "vmdep", "deployment_slot": "production", "label": "vm label", "role_name": "vm1",
        "system_config": {"type": "linux", "host_name": "host1", "user_name": "azureuser", "user_password": "P@ss",
                          "disable_ssh_password_authentication": False, "custom_data": "echo hi"},
        "os_virtual_hard_disk": {"media_link": "http://acct/vhds/vm1.vhd", "source_image_name": "img"},
        "network_config": {"input_endpoints": [{"name": "ssh", "protocol": "tcp", "port": 22, "local_port": 22}]},
        "role_size": "Small", "role_type": "PersistentVMRole", "dns_servers": [{"name": "dns1", "address": "10.0.0.4"}],
    })
    assert body is not None
    text = body.decode()
    assert "<Label>vm label</Label>" in text  # plain text for VM deployments (wire.md §1.4)
    assert "<SSH><PublicKeys></PublicKeys><KeyPairs></KeyPairs></SSH><CustomData>ZWNobyBoaQ==</CustomData>" in text
    assert ("<InputEndpoint><LoadBalancedEndpointSetName></LoadBalancedEndpointSetName><LocalPort>22</LocalPort>"
            "<Name>ssh</Name><Port>22</Port><Protocol>tcp</Protocol><EnableDirectServerReturn>false"
            "</EnableDirectServerReturn><IdleTimeoutInMinutes>4</IdleTimeoutInMinutes></InputEndpoint>") in text
    assert text.index("</ConfigurationSets>") < text.index("<OSVirtualHardDisk>") < text.index("<RoleSize>")
    assert "<MediaLink>http://acct/vhds/vm1.vhd</MediaLink><SourceImageName>img</SourceImageName>" in text
    assert text.endswith("</RoleList><Dns><DnsServers><DnsServer><Name>dns1</Name><Address>10.0.0.4</Address>"
                         "</DnsServer></DnsServers></Dns></Deployment>")


# Found by mutation testing (tools/mutation.py): element names the models map to irregularly,
# list items, and parser options, each checked against a body and a result written by hand.

def test_deployment_lists_virtual_ips_and_extended_properties() -> None:
    body = (b"<Deployment " + NS + b"><Name>d</Name>"
            b"<RoleInstanceList><RoleInstance><RoleName>web</RoleName><InstanceName>web_IN_0</InstanceName>"
            b"<InstanceStatus>ReadyRole</InstanceStatus></RoleInstance><Junk/></RoleInstanceList>"
            b"<RoleList><Role><RoleName>web</RoleName></Role></RoleList>"
            b"<VirtualIPs><VirtualIP><Address>1.2.3.4</Address><IsReserved>true</IsReserved>"
            b"<ReservedIPName>rip</ReservedIPName></VirtualIP></VirtualIPs>"
            b"<ExtendedProperties><ExtendedProperty><Name>owner</Name><Value>ops</Value></ExtendedProperty>"
            b"<Other><Name>no</Name><Value>no</Value></Other>"
            b"<ExtendedProperty><Name>empty</Name></ExtendedProperty></ExtendedProperties></Deployment>")
    dep = xml.decode_response("get_deployment_by_name", body)
    assert dep.role_instance_list == [m.RoleInstance(role_name="web", instance_name="web_IN_0",
                                                     instance_status="ReadyRole")]
    assert [r.role_name for r in dep.role_list] == ["web"]
    assert dep.virtual_ips == [m.VirtualIP(address="1.2.3.4", is_reserved=True, reserved_ip_name="rip")]
    assert dep.extended_properties == {"owner": "ops", "empty": ""}


def test_hosted_service_with_its_deployments() -> None:
    body = (b"<HostedService " + NS + b"><ServiceName>svc</ServiceName><Deployments>"
            b"<Deployment><Name>blue</Name></Deployment><Deployment><Name>green</Name></Deployment>"
            b"</Deployments></HostedService>")
    svc = xml.decode_response("get_hosted_service_properties", body)
    assert [d.name for d in svc.deployments] == ["blue", "green"]


def test_affinity_group_storage_services_and_capabilities() -> None:
    body = (b"<AffinityGroup " + NS + b"><Name>ag</Name><StorageServices><StorageService>"
            b"<ServiceName>st</ServiceName></StorageService></StorageServices>"
            b"<Capabilities><Capability>PersistentVMRole</Capability><Capability>HighMemory</Capability>"
            b"</Capabilities></AffinityGroup>")
    group = xml.decode_response("get_affinity_group_properties", body)
    assert [s.service_name for s in group.storage_services] == ["st"]
    assert group.capabilities == ["PersistentVMRole", "HighMemory"]


def test_location_storage_account_types_sit_one_level_deeper() -> None:
    body = (b"<Locations " + NS + b"><Location><Name>West US</Name><StorageCapabilities><StorageAccountTypes>"
            b"<StorageAccountType>Standard_LRS</StorageAccountType><StorageAccountType>Premium_LRS</StorageAccountType>"
            b"</StorageAccountTypes></StorageCapabilities></Location></Locations>")
    (location,) = xml.decode_response("list_locations", body)
    assert location.storage_account_types == ["Standard_LRS", "Premium_LRS"]


def test_os_image_io_type_and_operating_system_family_label() -> None:
    image = xml.decode_response("get_os_image", b"<OSImage " + NS + b"><Name>img</Name><IOType>Provisioned</IOType>"
                                b"</OSImage>")
    assert image.io_type == "Provisioned"
    body = (b"<OperatingSystems " + NS + b"><OperatingSystem><Version>WA-GUEST-OS-5.1</Version>"
            b"<Label>b3MgNS4x</Label><Family>5</Family><FamilyLabel>V2luZG93cyAyMDE2</FamilyLabel>"
            b"</OperatingSystem></OperatingSystems>")
    (os_,) = xml.decode_response("list_operating_systems", body)
    assert (os_.label, os_.family, os_.family_label) == ("os 5.1", 5, "Windows 2016")


def test_comments_and_processing_instructions_inside_text_are_dropped() -> None:
    body = b"<HostedService " + NS + b"><ServiceName>s<!-- a comment -->v<?pi x?>c</ServiceName></HostedService>"
    assert xml.decode_response("get_hosted_service_properties", body).service_name == "svc"
