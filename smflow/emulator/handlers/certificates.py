"""Emulator handlers and routes: service certificates and management certificates (with their XML)."""

from __future__ import annotations

from lxml import etree

from smflow.emulator.context import Context, Handler, Reply, RouteSpec, by_name, location_header
from smflow.emulator.resources import ManagementCertificate
from smflow.emulator.wire import el, root, serialize

__all__ = ["HANDLERS", "ROUTES"]

CERTS = "services/hostedservices/{service_name}/certificates"


def add_service_certificate(ctx: Context) -> Reply:
    body = ctx.body_of("CertificateFile", ("Data", "CertificateFormat", "Password"))
    ctx.sub.add_service_certificate(
        ctx.request_id, ctx.params["service_name"], body.required("Data"), body.required("CertificateFormat"),
        body.text("Password"),
    )  # fmt: skip
    return Reply(202)


def get_service_certificate(ctx: Context) -> Reply:
    cert = ctx.sub.service_certificate(ctx.params["service_name"], ctx.params["thumbalgorithm"], ctx.params["thumbprint"])
    doc = root("Certificate")
    el(doc, "Data", cert.data)  # the single GET answers the data only [REC]
    return Reply(body=serialize(doc))


def list_service_certificates(ctx: Context) -> Reply:
    svc = ctx.sub.service(ctx.params["service_name"])
    doc = root("Certificates")
    for cert in svc.certificates.values():
        item = el(doc, "Certificate")
        el(item, "CertificateUrl", f"{ctx.base}/{ctx.sub.id}/services/hostedservices/{svc.name}/certificates/"
                                   f"{cert.algorithm}-{cert.thumbprint}")  # fmt: skip
        el(item, "Thumbprint", cert.thumbprint)
        el(item, "ThumbprintAlgorithm", cert.algorithm)
        el(item, "Data", cert.data)
    return Reply(body=serialize(doc))


def delete_service_certificate(ctx: Context) -> Reply:
    ctx.sub.delete_service_certificate(
        ctx.request_id, ctx.params["service_name"], ctx.params["thumbalgorithm"], ctx.params["thumbprint"]
    )
    return Reply(202)


def _management(parent: etree._Element, cert: ManagementCertificate) -> None:
    el(parent, "SubscriptionCertificatePublicKey", cert.public_key)
    el(parent, "SubscriptionCertificateThumbprint", cert.thumbprint)
    el(parent, "SubscriptionCertificateData", cert.data)
    el(parent, "Created", cert.created)


def add_management_certificate(ctx: Context) -> Reply:
    names = ("SubscriptionCertificatePublicKey", "SubscriptionCertificateThumbprint", "SubscriptionCertificateData")
    body = ctx.body_of("SubscriptionCertificate", names)
    public_key, thumbprint, data = (body.required(n) for n in names)
    ctx.sub.add_management_certificate(ctx.request_id, public_key, thumbprint, data)
    return Reply(201, headers=location_header(ctx, "certificates", thumbprint.upper()))


def get_management_certificate(ctx: Context) -> Reply:
    doc = root("SubscriptionCertificate")
    _management(doc, ctx.sub.management_certificate(ctx.params["thumbprint"]))
    return Reply(body=serialize(doc))


def list_management_certificates(ctx: Context) -> Reply:
    doc = root("SubscriptionCertificates")
    for cert in ctx.sub.management_certificates.values():
        _management(el(doc, "SubscriptionCertificate"), cert)
    return Reply(body=serialize(doc))


def delete_management_certificate(ctx: Context) -> Reply:
    ctx.sub.delete_management_certificate(ctx.request_id, ctx.params["thumbprint"])
    return Reply()


ROUTES: dict[str, RouteSpec] = {
    "add_service_certificate": ("POST", CERTS, None),
    "get_service_certificate": ("GET", CERTS + "/{thumbalgorithm}-{thumbprint}", None),
    "list_service_certificates": ("GET", CERTS, None),
    "delete_service_certificate": ("DELETE", CERTS + "/{thumbalgorithm}-{thumbprint}", None),
    "add_management_certificate": ("POST", "certificates", None),
    "get_management_certificate": ("GET", "certificates/{thumbprint}", None),
    "list_management_certificates": ("GET", "certificates", None),
    "delete_management_certificate": ("DELETE", "certificates/{thumbprint}", None),
}
HANDLERS: dict[str, Handler] = by_name([
    add_service_certificate,
    get_service_certificate,
    list_service_certificates,
    delete_service_certificate,
    add_management_certificate,
    get_management_certificate,
    list_management_certificates,
    delete_management_certificate,
])
