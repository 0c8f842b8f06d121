"""The role sizes the emulator offers (``list_role_sizes``), with their published specifications.

Names are those of ``catalog_data`` (the sizes a location's compute capabilities list); cores,
memory, data-disk count and resource-disk sizes are Microsoft's published figures for each
size. The list is written in the service's order (string order of the names) [REC].
"""

from __future__ import annotations

from dataclasses import dataclass

from smflow.emulator.catalog_data import VM_ROLE_SIZES, WEB_WORKER_ROLE_SIZES
from smflow.emulator.wire import el, root, serialize

__all__ = ["ROLE_SIZES", "RoleSize", "role_sizes_xml"]


@dataclass(frozen=True)
class RoleSize:
    name: str
    cores: int
    memory_mb: int
    max_data_disks: int
    web_worker_disk_mb: int
    vm_disk_mb: int


_SPECS: dict[str, tuple[int, int, int, int, int]] = {
    # name: (cores, memory MB, max data disks, web/worker resource disk MB, VM resource disk MB)
    "ExtraSmall": (1, 768, 1, 19456, 20480), "Small": (1, 1792, 2, 229376, 71680),
    "Medium": (2, 3584, 4, 501760, 138240), "Large": (4, 7168, 8, 1024000, 291840),
    "ExtraLarge": (8, 14336, 16, 2088960, 619520),
    "A5": (2, 14336, 4, 501760, 138240), "A6": (4, 28672, 8, 1024000, 291840),
    "A7": (8, 57344, 16, 2088960, 619520), "A8": (8, 57344, 16, 1861268, 391828),
    "A9": (16, 114688, 16, 1861268, 391828), "A10": (8, 57344, 16, 1861268, 391828),
    "A11": (16, 114688, 16, 1861268, 391828),
    "Basic_A0": (1, 768, 1, 0, 20480), "Basic_A1": (1, 1792, 2, 0, 40960), "Basic_A2": (2, 3584, 4, 0, 61440),
    "Basic_A3": (4, 7168, 8, 0, 122880), "Basic_A4": (8, 14336, 16, 0, 245760),
    "Standard_D1": (1, 3584, 2, 51200, 51200), "Standard_D2": (2, 7168, 4, 102400, 102400),
    "Standard_D3": (4, 14336, 8, 204800, 204800), "Standard_D4": (8, 28672, 16, 409600, 409600),
    "Standard_D11": (2, 14336, 4, 102400, 102400), "Standard_D12": (4, 28672, 8, 204800, 204800),
    "Standard_D13": (8, 57344, 16, 409600, 409600), "Standard_D14": (16, 114688, 32, 819200, 819200),
}  # fmt: skip

ROLE_SIZES: tuple[RoleSize, ...] = tuple(RoleSize(n, *_SPECS[n]) for n in sorted(set(VM_ROLE_SIZES) | set(WEB_WORKER_ROLE_SIZES)))


def role_sizes_xml() -> bytes:
    doc = root("RoleSizes")
    for size in ROLE_SIZES:
        item = el(doc, "RoleSize")
        el(item, "Name", size.name)
        el(item, "Label", f"{size.name} ({size.cores} cores, {size.memory_mb} MB)")
        el(item, "Cores", size.cores)
        el(item, "MemoryInMb", size.memory_mb)
        el(item, "SupportedByWebWorkerRoles", size.name in WEB_WORKER_ROLE_SIZES)
        el(item, "SupportedByVirtualMachines", size.name in VM_ROLE_SIZES)
        el(item, "MaxDataDiskCount", size.max_data_disks)
        el(item, "WebWorkerResourceDiskSizeInMb", size.web_worker_disk_mb)
        el(item, "VirtualMachineResourceDiskSizeInMb", size.vm_disk_mb)
    return serialize(doc)
