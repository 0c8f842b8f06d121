"""Client methods: service certificates and management certificates."""

from __future__ import annotations

from typing import cast

from smflow.asm import models as m
from smflow.asm.methods.base import MethodsBase, Result

__all__ = ["CertificateMethods"]


class CertificateMethods(MethodsBase):
    def add_service_certificate(self, service_name: str, data: str, certificate_format: str,
                                password: str | None = None) -> Result:
        return cast(Result, self._do("add_service_certificate", locals()))

    def get_service_certificate(self, service_name: str, thumbalgorithm: str, thumbprint: str) -> m.Certificate:
        return cast(m.Certificate, self._do("get_service_certificate", locals()))

    def list_service_certificates(self, service_name: str) -> list[m.Certificate]:
        return cast("list[m.Certificate]", self._do("list_service_certificates", locals()))

    def delete_service_certificate(self, service_name: str, thumbalgorithm: str, thumbprint: str) -> Result:
        return cast(Result, self._do("delete_service_certificate", locals()))

    def add_management_certificate(self, public_key: str, thumbprint: str, data: str) -> Result:
        return cast(Result, self._do("add_management_certificate", locals()))

    def get_management_certificate(self, thumbprint: str) -> m.SubscriptionCertificate:
        return cast(m.SubscriptionCertificate, self._do("get_management_certificate", locals()))

    def list_management_certificates(self) -> list[m.SubscriptionCertificate]:
        return cast("list[m.SubscriptionCertificate]", self._do("list_management_certificates", {}))

    def delete_management_certificate(self, thumbprint: str) -> Result:
        return cast(Result, self._do("delete_management_certificate", locals()))
