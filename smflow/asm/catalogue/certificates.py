"""Certificates: a hosted service's certificates, and the subscription's management certificates."""

from __future__ import annotations

from smflow.asm import models as m
from smflow.asm.catalogue.spec import Argument, OperationSpec, listing, path_arg, read, service_arg, write
from smflow.asm.types import STRING, EnumType, ListType, ModelType

__all__ = ["SPECS"]

CERTS = "services/hostedservices/{service_name}/certificates"
THUMB = (path_arg("thumbalgorithm", "thumbprint algorithm, e.g. sha1"),
         path_arg("thumbprint", "the certificate's thumbprint (hex)"))
FORMAT = EnumType(("pfx", "cer"))

SPECS: tuple[OperationSpec, ...] = (
    write(
        "add_service_certificate", "POST", CERTS,
        (service_arg(),
         Argument("data", STRING, required=True, secret=True,
                  doc="the .pfx (or .cer) file, base64-encoded by the caller: base64(...) (secret)"),
         Argument("certificate_format", FORMAT, required=True, doc="pfx (with its private key) or cer"),
         Argument("password", STRING, secret=True, doc="the .pfx password (secret)")),
        effect="create", asynchronous=True, status=(202,), resource="certificate", body_root="CertificateFile",
        doc="Upload a certificate to a hosted service (adding the same certificate again changes nothing).",
    ),
    read("get_service_certificate", CERTS + "/{thumbalgorithm}-{thumbprint}", (service_arg(), *THUMB),
         ModelType(m.Certificate), "certificate", "Read a hosted service's certificate (its data only, as the service answers)."),
    read("list_service_certificates", CERTS, (service_arg(),), ListType(ModelType(m.Certificate)), "certificate",
         "List a hosted service's certificates with their thumbprints."),
    write(
        "delete_service_certificate", "DELETE", CERTS + "/{thumbalgorithm}-{thumbprint}", (service_arg(), *THUMB),
        effect="delete", asynchronous=True, status=(202,), resource="certificate",
        doc="Delete a hosted service's certificate.",
    ),
    write(
        "add_management_certificate", "POST", "certificates",
        (Argument("public_key", STRING, required=True, doc="the certificate's public key, base64"),
         Argument("thumbprint", STRING, required=True, doc="its thumbprint (hex)"),
         Argument("data", STRING, required=True, doc="the public certificate (.cer), base64")),
        effect="create", asynchronous=False, status=(201,), resource="management certificate",
        body_root="SubscriptionCertificate",
        doc="Add a management certificate to the subscription.",
    ),
    read("get_management_certificate", "certificates/{thumbprint}",
         (path_arg("thumbprint", "the certificate's thumbprint (hex)"),), ModelType(m.SubscriptionCertificate),
         "management certificate", "Read a management certificate."),
    listing("list_management_certificates", "certificates", m.SubscriptionCertificate, "management certificate",
            "List the subscription's management certificates."),
    write(
        "delete_management_certificate", "DELETE", "certificates/{thumbprint}",
        (path_arg("thumbprint", "the certificate's thumbprint (hex)"),),
        effect="delete", asynchronous=False, status=(200,), resource="management certificate",
        doc="Remove a management certificate from the subscription.",
    ),
)
