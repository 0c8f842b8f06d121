"""The data-plane operations: a storage account's blob service, beside the Service Management API.

Why a separate table: these are not Service Management calls. They go to the account's own
blob endpoint (``get_storage_account_properties``), signed with the account's key, through
Microsoft's ``azure-storage-blob``; the ASM client, the emulator's management routes and the
tests that compare the catalogue with Microsoft's SDK know nothing of them. They are registered
explicitly in ``catalogue.DATA_PLANE``, so the checker, ``smflow ops``, ``smflow plan``, the LSP
and the README's operations table see them like any other operation; the executor hands them to
``smflow.run.uploads``.

``path`` is relative to the account's blob endpoint.
"""

from __future__ import annotations

from smflow.asm.catalogue.spec import Argument, OperationSpec
from smflow.asm.types import STRING

__all__ = ["SPECS"]

SPECS: tuple[OperationSpec, ...] = (
    OperationSpec(
        "upload_blob", "PUT", "{container}/{name}",
        (Argument("storage_account", STRING, required=True, location="none", pattern="[a-z0-9]{3,24}",
                  pattern_doc="3 to 24 lowercase letters and digits", doc="the storage account to upload to"),
         Argument("container", STRING, required=True, location="path", pattern="[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}",
                  pattern_doc="3 to 63 lowercase letters, digits and single hyphens",
                  doc="the blob container (created when absent)"),
         Argument("name", STRING, required=True, location="path", min_length=1, max_length=1024,
                  doc="the blob's name, e.g. app-v2.cspkg"),
         Argument("file", STRING, required=True, location="none", min_length=1,
                  doc="the local file to upload, relative to the flow's folder"),
         Argument("account_key", STRING, location="none", secret=True,
                  doc="the account's key (default: read with get_storage_account_keys); pass a secret param"),
         Argument("blob_endpoint", STRING, location="none", pattern="https?://.+",
                  pattern_doc="an http:// or https:// URL",
                  doc="the account's blob endpoint (default: from get_storage_account_properties)")),
        asynchronous=False, effect="create", result=STRING, success_status=(201,), resource="blob",
        doc="Upload a local file to a blob (skipped when the same content is there) and return its URL.",
        plane="blob",
    ),
)
