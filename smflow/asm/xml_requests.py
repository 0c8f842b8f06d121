"""Request bodies: the client's one entry point, ``encode_request``, over the area tables.

The builders themselves live in ``asm.bodies`` (one module per API area, with the XML primitives
in ``asm.bodies.build``): base64 exactly where wire.md §1.4 says (hosted service, deployment,
storage and affinity-group labels; VM custom data), the VM-deployment and OS-image labels as
plain text, and ``configuration`` passed through (the caller encodes it, as in the guide).
"""

from __future__ import annotations

from lxml import etree

from smflow.asm.bodies import BODIES
from smflow.asm.bodies.build import XMLNS, XSI, Args, NotXmlTextError, new_root
from smflow.errors import ArgumentError

__all__ = ["XMLNS", "XSI", "encode_request"]


def encode_request(operation: str, args: Args, body_root: str | None = None) -> bytes | None:
    """The body for ``operation`` called with validated ``args`` (defaults filled); None if it has none.

    ``body_root`` (the catalogue's) is checked against this module's root, so the two cannot drift.
    """
    entry = BODIES.get(operation)
    if entry is None:
        return None
    root_name, build = entry
    if body_root is not None and body_root != root_name:
        raise ValueError(f"catalogue body_root {body_root!r} != {root_name!r} for {operation}")
    root = new_root(root_name)
    try:
        build(root, args)
    except NotXmlTextError as bad:  # the value is never repeated: it may be a secret
        raise ArgumentError(operation, None, f"the value for <{bad.element}> contains the character "
                            f"U+{ord(bad.char or chr(0)):04X}, which XML cannot carry") from None
    return bytes(etree.tostring(root, encoding="utf-8", xml_declaration=False))
