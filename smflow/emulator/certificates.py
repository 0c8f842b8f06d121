"""Certificates: a hosted service's certificates (asynchronous, as recorded) and management certificates.

A mixin of ``state.Subscription`` over ``SubscriptionBase``. A service certificate is uploaded as
a .pfx (with its password) or a .cer, base64-encoded; the emulator parses it (``cryptography``)
and keeps only the public certificate, under its thumbprint: the SHA-1 of the DER certificate,
upper-case hex, as the service computes it. Uploading the same certificate again changes
nothing. The add and the delete are asynchronous (4-6 s recorded): the certificate appears, or
goes, when the operation completes. Management certificates are synchronous (201 / 200), and
their thumbprint must be the certificate's own.
"""

from __future__ import annotations

import base64
import binascii
import hashlib

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, pkcs12

from smflow.emulator.resources import AsmFault, ManagementCertificate, Operation, ServiceCertificate
from smflow.emulator.subscription import SubscriptionBase, not_found, utc_now

__all__ = ["KINDS", "CertificateRules", "certificate_der", "complete", "progress", "thumbprint_of"]

KINDS = frozenset({"add_service_certificate", "delete_service_certificate"})
_INVALID = "The certificate data is not a valid base-64 encoded {kind} certificate."


def _b64decode(data: str, kind: str) -> bytes:
    try:
        return base64.b64decode(data.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeError, ValueError):
        raise AsmFault(400, "BadRequest", _INVALID.format(kind=kind)) from None


def certificate_der(data: str, certificate_format: str, password: str | None) -> bytes:
    """The DER bytes of the certificate in ``data`` (base64 of a .pfx or a .cer); 400 when it is none."""
    fmt = certificate_format.lower()
    if fmt not in ("pfx", "cer"):
        raise AsmFault(400, "BadRequest", f"The certificate format '{certificate_format}' is not valid; use pfx or cer.")
    raw = _b64decode(data, fmt)
    try:
        if fmt == "pfx":
            _key, cert, _chain = pkcs12.load_key_and_certificates(raw, password.encode("utf-8") if password else None)
            if cert is None:
                raise ValueError("no certificate in the PKCS#12 file")
            return cert.public_bytes(Encoding.DER)
        return x509.load_der_x509_certificate(raw).public_bytes(Encoding.DER)
    except ValueError:
        if fmt == "pfx":
            raise AsmFault(400, "BadRequest", "The certificate file or its password is not valid.") from None
        raise AsmFault(400, "BadRequest", _INVALID.format(kind="X.509")) from None


def thumbprint_of(der: bytes) -> str:
    return hashlib.sha1(der, usedforsecurity=False).hexdigest().upper()


def _key(algorithm: str, thumbprint: str) -> str:
    return f"{algorithm.lower()}-{thumbprint.upper()}"


class CertificateRules(SubscriptionBase):
    # -- service certificates ------------------------------------------------------------------
    def add_service_certificate(
        self, request_id: str, service: str, data: str, certificate_format: str, password: str | None
    ) -> None:
        self.service(service)
        der = certificate_der(data, certificate_format, password)
        self.start(request_id, "add_service_certificate", service=service, thumbprint=thumbprint_of(der),
                   data=base64.b64encode(der).decode("ascii"))  # fmt: skip

    def service_certificate(self, service: str, algorithm: str, thumbprint: str) -> ServiceCertificate:
        cert = self.service(service).certificates.get(_key(algorithm, thumbprint))
        if cert is None:
            raise not_found("certificate")
        return cert

    def delete_service_certificate(self, request_id: str, service: str, algorithm: str, thumbprint: str) -> None:
        cert = self.service_certificate(service, algorithm, thumbprint)
        self.start(request_id, "delete_service_certificate", service=service, thumbprint=cert.thumbprint)

    # -- management certificates ---------------------------------------------------------------
    def add_management_certificate(self, request_id: str, public_key: str, thumbprint: str, data: str) -> None:
        _b64decode(public_key, "public key of a")
        der = _b64decode(data, "X.509")
        try:
            actual = thumbprint_of(x509.load_der_x509_certificate(der).public_bytes(Encoding.DER))
        except ValueError:
            raise AsmFault(400, "BadRequest", _INVALID.format(kind="X.509")) from None
        if thumbprint.upper() != actual:
            raise AsmFault(400, "BadRequest", f"The thumbprint {thumbprint} is not the certificate's ({actual}).")
        if actual in self.management_certificates:
            raise AsmFault(409, "ConflictError", "A management certificate with this thumbprint already exists.")
        self.management_certificates[actual] = ManagementCertificate(public_key, actual, data, utc_now())
        self.finished(request_id, "add_management_certificate")

    def management_certificate(self, thumbprint: str) -> ManagementCertificate:
        cert = self.management_certificates.get(thumbprint.upper())
        if cert is None:
            raise not_found("certificate")
        return cert

    def delete_management_certificate(self, request_id: str, thumbprint: str) -> None:
        del self.management_certificates[self.management_certificate(thumbprint).thumbprint]
        self.finished(request_id, "delete_management_certificate")


def progress(sub: SubscriptionBase, op: Operation, fraction: float) -> None:
    """Nothing to watch while a certificate operation runs."""


def complete(sub: SubscriptionBase, op: Operation) -> None:
    svc = sub.services.get(op.service or "")
    if svc is None or op.status == "Failed":
        return
    key = _key("sha1", op.params["thumbprint"])
    if op.kind == "add_service_certificate":
        svc.certificates[key] = ServiceCertificate(op.params["thumbprint"], op.params["data"])
    else:
        svc.certificates.pop(key, None)
