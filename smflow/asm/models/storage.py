"""Storage accounts and their (secret) keys.

Conventions: see ``smflow.asm.models``."""

from __future__ import annotations

from dataclasses import dataclass, field

SECRET = {"secret": True}

__all__ = ["StorageService", "StorageServiceKeys", "StorageServiceProperties"]



@dataclass
class StorageServiceProperties:
    """The SDK calls this class ``StorageAccountProperties``; the attribute names are the same."""

    description: str | None = None
    affinity_group: str | None = None
    location: str | None = None
    label: str = ""  # decoded from base64
    status: str = ""  # Creating, Created, ...
    endpoints: list[str] = field(default_factory=list)
    geo_replication_enabled: bool | None = None
    geo_primary_region: str | None = None
    status_of_primary: str | None = None
    geo_secondary_region: str | None = None
    status_of_secondary: str | None = None
    last_geo_failover_time: str | None = None
    creation_time: str | None = None
    account_type: str | None = None



@dataclass
class StorageServiceKeys:
    """Secret: never printed, journaled or recorded (hidden from ``repr``)."""

    primary: str = field(default="", repr=False, metadata=SECRET)
    secondary: str = field(default="", repr=False, metadata=SECRET)



@dataclass
class StorageService:
    url: str = ""
    service_name: str = ""
    storage_service_properties: StorageServiceProperties = field(default_factory=StorageServiceProperties)
    storage_service_keys: StorageServiceKeys | None = None  # only from get_storage_account_keys
    extended_properties: dict[str, str] = field(default_factory=dict)
    capabilities: list[str] = field(default_factory=list)
