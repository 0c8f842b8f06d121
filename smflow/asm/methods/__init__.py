"""The client's per-operation methods, one module per API area (assembled in ``asm.operations``)."""
