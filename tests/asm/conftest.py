"""Fixtures for the ASM tests: where ../shared is, recordings loading, and a fake transport."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from smflow.asm.client import ServiceManagementClient
from smflow.asm.transport import HttpRequest, HttpResponse

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
RECORDINGS = SHARED / "asm" / "recordings"
RECORDED_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"

needs_shared = pytest.mark.skipif(
    not RECORDINGS.is_dir(), reason=f"reference recordings not found at {RECORDINGS} (../shared is absent)"
)


def recording_files() -> list[Path]:
    return sorted(RECORDINGS.glob("*.yaml")) if RECORDINGS.is_dir() else []


def as_bytes(value: Any) -> bytes:
    if value is None:
        return b""
    return value if isinstance(value, bytes) else str(value).encode("utf-8")


def load_interactions(path: Path) -> list[dict[str, Any]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return list(data["interactions"])


def recorded_response(interaction: dict[str, Any]) -> HttpResponse:
    resp = interaction["response"]
    headers = {k.lower(): (v[0] if isinstance(v, list) else v) for k, v in (resp.get("headers") or {}).items()}
    return HttpResponse(resp["status"]["code"], headers, as_bytes(resp["body"]["string"]), resp["status"]["message"])


@dataclass
class FakeTransport:
    """Answers every request with ``respond(request)`` and keeps what was sent."""

    respond: Callable[[HttpRequest], HttpResponse]
    sent: list[HttpRequest] = field(default_factory=list)

    def send(self, request: HttpRequest, before_send: Callable[[], None] | None = None, *,
             timeout: float | None = None) -> HttpResponse:
        if before_send is not None:
            before_send()
        self.sent.append(request)
        return self.respond(request)


@pytest.fixture
def fake_client() -> Callable[[Callable[[HttpRequest], HttpResponse]], tuple[ServiceManagementClient, FakeTransport]]:
    def make(respond: Callable[[HttpRequest], HttpResponse]) -> tuple[ServiceManagementClient, FakeTransport]:
        transport = FakeTransport(respond)
        return ServiceManagementClient(RECORDED_SUBSCRIPTION, transport=transport), transport

    return make
