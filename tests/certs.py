"""Certificates for tests: a self-signed certificate as a .pfx and a .cer, base64 as the API takes them."""

from __future__ import annotations

import base64
import datetime
import hashlib
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID


@dataclass(frozen=True)
class SelfSignedCertificate:
    pfx: str  # base64 of a .pfx holding the key, protected by ``password``
    password: str
    cer: str  # base64 of the DER certificate
    public_key: str  # base64 of the DER public key
    thumbprint: str  # upper-case hex SHA-1 of the DER certificate


def make_certificate(name: str, password: str = "Pfx-Passw0rd!") -> SelfSignedCertificate:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(days=30)).sign(key, hashes.SHA256()))
    der = cert.public_bytes(serialization.Encoding.DER)
    pfx = pkcs12.serialize_key_and_certificates(
        name.encode(), key, cert, None, serialization.BestAvailableEncryption(password.encode()))
    public = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)
    return SelfSignedCertificate(base64.b64encode(pfx).decode(), password, base64.b64encode(der).decode(),
                           base64.b64encode(public).decode(), hashlib.sha1(der).hexdigest().upper())
