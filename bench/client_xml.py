"""How fast the ASM client's XML layer is, and how fast it refuses hostile bodies.

Run on demand: ``python bench/client_xml.py``. One JSON object per line. Inputs are synthetic
(shaped like the recorded responses), so the bench runs without ../shared. The ratio lines compare
measurements of the same run, which is what to look at on a shared, noisy machine.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from smflow.asm import xml
from smflow.asm.client import ServiceManagementClient
from smflow.asm.transport import HttpRequest, HttpResponse
from smflow.errors import ApiError

NS = b'xmlns="http://schemas.microsoft.com/windowsazure" xmlns:i="http://www.w3.org/2001/XMLSchema-instance"'
IMAGE = (b"<OSImage><Category>Public</Category><Label>Ubuntu Server 14.04 LTS</Label><Location>East Asia;West US"
         b"</Location><LogicalSizeInGB>30</LogicalSizeInGB><Name>b39f27a8b8c64d52b05eac6a62ebad85__Ubuntu-14_04_1-LTS"
         b"</Name><OS>Linux</OS><Eula>http://x/eula</Eula><Description>An image.</Description><ImageFamily>Ubuntu"
         b"</ImageFamily><PublishedDate>2014-09-27T07:00:00Z</PublishedDate><IsPremium>false</IsPremium>"
         b"<RecommendedVMSize>Small</RecommendedVMSize><IOType>Standard</IOType></OSImage>")
INSTANCE = (b"<RoleInstance><RoleName>Web</RoleName><InstanceName>Web_IN_0</InstanceName><InstanceStatus>ReadyRole"
            b"</InstanceStatus><InstanceUpgradeDomain>0</InstanceUpgradeDomain><InstanceFaultDomain>0"
            b"</InstanceFaultDomain><InstanceSize>Small</InstanceSize><InstanceStateDetails/><IpAddress>10.0.0.4"
            b"</IpAddress><PowerState>Started</PowerState></RoleInstance>")


def best_of(fn: Callable[[], object], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def emit(bench: str, value: float, unit: str, **extra: object) -> None:
    print(json.dumps({"bench": bench, "value": round(value, 6), "unit": unit, **extra}))


def expect_api_error(fn: Callable[[], object]) -> Callable[[], None]:
    def run() -> None:
        try:
            fn()
        except ApiError:
            return
        raise AssertionError("expected ApiError")

    return run


def main() -> None:
    images = b"<Images " + NS + b">" + IMAGE * 1500 + b"</Images>"  # ~650 KB, like the real list
    t_images = best_of(lambda: xml.decode_response("list_os_images", images))
    emit("client_xml.decode_list_os_images", t_images, "s", bytes=len(images), items=1500)
    emit("client_xml.decode_throughput", len(images) / t_images / 1e6, "MB/s")

    deployment = b"<Deployment " + NS + b"><Name>d</Name><RoleInstanceList>" + INSTANCE * 100 + b"</RoleInstanceList></Deployment>"
    t_dep = best_of(lambda: xml.decode_response("get_deployment_by_name", deployment), repeat=20)
    emit("client_xml.decode_deployment_100_instances", t_dep, "s", bytes=len(deployment))

    big = b"<Images " + NS + b">" + b"x" * (50 * 1024 * 1024) + b"</Images>"
    t_big = best_of(expect_api_error(lambda: xml.decode_response("list_os_images", big)))
    emit("client_xml.refuse_50mb", t_big, "s")
    laughs = (b'<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
              b"<Images " + NS + b">&b;</Images>")
    t_laughs = best_of(expect_api_error(lambda: xml.decode_response("list_os_images", laughs)), repeat=20)
    emit("client_xml.refuse_dtd", t_laughs, "s")
    emit("client_xml.refuse_50mb_vs_decode_650kb", t_big / t_images, "ratio")

    class Null:
        def send(self, request: HttpRequest, before_send: Callable[[], None] | None = None) -> HttpResponse:
            return HttpResponse(202, {"x-ms-request-id": "0" * 32})

    client = ServiceManagementClient("00000000-0000-0000-0000-000000000000", transport=Null())
    args = {"service_name": "svc", "deployment_slot": "staging", "name": "v1", "package_url": "http://x/p.cspkg",
            "label": "v1", "configuration": "PFNlcnZpY2VDb25maWd1cmF0aW9uLz4=", "start_deployment": True}
    n = 2000
    t_calls = best_of(lambda: [client.call("create_deployment", args) for _ in range(n)], repeat=3) / n
    emit("client_xml.call_create_deployment", t_calls, "s", note="validate + build + encode, null transport")


if __name__ == "__main__":
    main()
