"""The client's per-operation methods, with the guide's names, argument names and order.

The methods live in one module per API area (``asm.methods``); this class assembles them.
Real, introspectable, typed methods (so ``help()``, IDEs and mypy see them), each a one-line
delegation to ``call``. A test pins every signature to the catalogue, so the two cannot drift.
``create_virtual_machine_deployment`` makes everything after ``os_virtual_hard_disk``
keyword-only, so the SDK's positional trap (``role_size`` as 8th argument, quirk 6) cannot
happen; ``create_storage_account`` likewise takes ``location`` by keyword only (quirk 7).
"""

from __future__ import annotations

from smflow.asm.methods.certificates import CertificateMethods
from smflow.asm.methods.compute import ComputeMethods
from smflow.asm.methods.disks import DiskMethods
from smflow.asm.methods.images import ImageMethods
from smflow.asm.methods.network import NetworkMethods
from smflow.asm.methods.roles import RoleMethods
from smflow.asm.methods.storage import StorageMethods
from smflow.asm.methods.subscription import SubscriptionMethods
from smflow.asm.methods.vm import VirtualMachineMethods
from smflow.asm.methods.vm_images import VMImageMethods

__all__ = ["OperationMethods"]


class OperationMethods(
    SubscriptionMethods, ComputeMethods, StorageMethods, ImageMethods, VirtualMachineMethods, RoleMethods, DiskMethods,
    CertificateMethods, VMImageMethods, NetworkMethods,
):
    """Every operation's method: the area mixins, listed here and nowhere else."""
