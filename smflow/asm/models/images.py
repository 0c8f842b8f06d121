"""OS images (a label in plain text, never base64).

Conventions: see ``smflow.asm.models``."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["OSImage"]



@dataclass
class OSImage:
    """An OS image. Its label is plain text on the wire (never base64)."""

    affinity_group: str | None = None
    category: str | None = None  # Public, User
    location: str | None = None  # public images: a ";"-separated list
    logical_size_in_gb: int | None = None
    label: str = ""
    media_link: str | None = None
    name: str = ""
    os: str = ""  # Linux, Windows
    eula: str | None = None
    description: str | None = None
    image_family: str | None = None
    show_in_gui: bool | None = None
    published_date: str | None = None
    is_premium: bool | None = None
    icon_uri: str | None = None
    privacy_uri: str | None = None
    recommended_vm_size: str | None = None
    publisher_name: str | None = None
    pricing_detail_link: str | None = None
    small_icon_uri: str | None = None
    os_state: str | None = None
    language: str | None = None
    io_type: str | None = None
