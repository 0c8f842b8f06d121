"""The storage data plane: what a release does to blob storage (not an ASM operation)."""
