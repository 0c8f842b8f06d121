"""Request bodies and response roots of service and management certificates.

The certificate data goes as the caller gives it (base64 of the .pfx or .cer: the SDK encodes
nothing here, quirk 12).
"""

from __future__ import annotations

from smflow.asm import models as m
from smflow.asm.bodies.build import Builder, Result, fields

__all__ = ["BODIES", "RESULTS"]

BODIES: dict[str, tuple[str, Builder]] = {
    "add_service_certificate": ("CertificateFile", lambda r, a: fields(r, [
        ("Data", a.get("data")), ("CertificateFormat", a.get("certificate_format")), ("Password", a.get("password"))])),
    "add_management_certificate": ("SubscriptionCertificate", lambda r, a: fields(r, [
        ("SubscriptionCertificatePublicKey", a.get("public_key")),
        ("SubscriptionCertificateThumbprint", a.get("thumbprint")),
        ("SubscriptionCertificateData", a.get("data"))])),
}

RESULTS: dict[str, Result] = {
    "get_service_certificate": (("Certificate",), m.Certificate, None),
    "list_service_certificates": (("Certificates",), m.Certificate, "Certificate"),
    "get_management_certificate": (("SubscriptionCertificate",), m.SubscriptionCertificate, None),
    "list_management_certificates": (("SubscriptionCertificates",), m.SubscriptionCertificate, "SubscriptionCertificate"),
}
