"""Service (hosted-service) certificates and management (subscription) certificates.

Conventions: see ``smflow.asm.models``."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Certificate", "SubscriptionCertificate"]


@dataclass
class Certificate:
    """A hosted service's certificate. ``get_service_certificate`` fills ``data`` only (as the
    service answers); the list fills every field. ``data`` is the public certificate (base64 DER)."""

    certificate_url: str = ""
    thumbprint: str = ""
    thumbprint_algorithm: str = ""
    data: str = ""


@dataclass
class SubscriptionCertificate:
    """A management certificate: its public key, thumbprint and public data (all base64 or hex)."""

    subscription_certificate_public_key: str = ""
    subscription_certificate_thumbprint: str = ""
    subscription_certificate_data: str = ""
    created: str = ""
