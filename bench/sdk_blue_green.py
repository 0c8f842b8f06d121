"""``flows/blue_green.flow`` written the way Microsoft's guide writes it, with Microsoft's SDK.

The other side of the process and executor benches: a plain script of
``azure.servicemanagement.ServiceManagementService`` calls (azure-servicemanagement-legacy, a
test extra), making the same requests as the flow (the reads, the creates, the swap, one status
poll per asynchronous operation) with no retry, journal or events.

    python bench/sdk_blue_green.py --endpoint URL [--service NAME]            # live, against an emulator
    python bench/sdk_blue_green.py --endpoint URL --record CASSETTE           # the same, recorded by vcrpy
    python bench/sdk_blue_green.py --endpoint URL --replay CASSETTE           # replayed by vcrpy, offline

In a replay ``time.sleep`` is patched out (the SDK sleeps between polls), as smflow's replay
never sleeps. ``release`` is importable for in-process measurements.
"""

from __future__ import annotations

import argparse
import base64
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SUB = "00000000-0000-0000-0000-000000000000"
PACKAGE = "https://smflowdemo.blob.core.windows.net/packages/app-v1.cspkg"
CONFIG = (ROOT / "flows" / "ServiceConfiguration.cscfg").read_text(encoding="utf-8")


def client(endpoint: str) -> Any:
    import requests
    from azure.servicemanagement import ServiceManagementService

    session = requests.Session()
    session.trust_env = False
    scheme, host = endpoint.rstrip("/").split("://", 1)
    sms = ServiceManagementService(SUB, request_session=session, host=host)
    sms._httpclient.protocol = scheme  # the SDK speaks https only, unless told (the emulator is http)
    return sms


def _wait(sms: Any, request_id: str) -> None:
    result = sms.wait_for_operation_status(request_id, timeout=1200, sleep_interval=15)
    if result.status != "Succeeded":
        raise SystemExit(f"operation {request_id} ended {result.status}")


def _slot(sms: Any, service: str, slot: str) -> Any:
    from azure.common import AzureMissingResourceHttpError

    try:
        return sms.get_deployment_by_slot(service, slot)
    except AzureMissingResourceHttpError:
        return None


def release(sms: Any, service: str = "smflow-demo", version: str = "v1", location: str = "West US") -> None:
    """What blue_green.flow does, step by step."""
    from azure.common import AzureMissingResourceHttpError

    try:
        sms.get_hosted_service_properties(service)
    except AzureMissingResourceHttpError:
        sms.create_hosted_service(service, service, location=location)
    if _slot(sms, service, "staging") is not None:
        stale = sms.get_deployment_by_slot(service, "staging")
        _wait(sms, sms.delete_deployment(service, stale.name).request_id)
    config = base64.b64encode(CONFIG.encode("utf-8")).decode("ascii")
    _wait(sms, sms.create_deployment(service, "staging", version, PACKAGE, version, config,
                                     start_deployment=True).request_id)
    while not all(i.instance_status == "ReadyRole" for i in sms.get_deployment_by_slot(service, "staging")
                  .role_instance_list):
        time.sleep(15)
    old = _slot(sms, service, "production")
    if old is not None:
        old = sms.get_deployment_by_slot(service, "production")
        _wait(sms, sms.swap_deployment(service, old.name, version).request_id)
    else:
        _wait(sms, sms.swap_deployment(service, version, version).request_id)
    live = sms.get_deployment_by_slot(service, "production")
    assert live.name == version, f"production runs {live.name}, expected {version}"
    if old is not None:
        _wait(sms, sms.delete_deployment(service, old.name).request_id)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("--service", default="smflow-demo")
    group = ap.add_mutually_exclusive_group()
    group.add_argument("--record", metavar="CASSETTE")
    group.add_argument("--replay", metavar="CASSETTE")
    args = ap.parse_args()
    if args.record or args.replay:
        import vcr

        if args.replay:
            time.sleep = lambda seconds: None  # type: ignore[assignment]  # a replay never waits
        recorder = vcr.VCR(record_mode="all" if args.record else "none",
                           match_on=["method", "scheme", "host", "port", "path", "query", "body"])
        with recorder.use_cassette(args.record or args.replay, allow_playback_repeats=False):
            release(client(args.endpoint), args.service)
    else:
        release(client(args.endpoint), args.service)


if __name__ == "__main__":
    main()
