"""Security identifiers: binary SIDs in memory, built from and read back to their string form."""

from __future__ import annotations

import ctypes

from .memory import Blob

MAX_SUB_AUTHORITIES = 15


def sid_bytes(text: str) -> bytes:
    """The binary SID of "S-1-5-21-...": revision, count, 48-bit big-endian authority, little-endian RIDs."""
    parts = text.upper().split("-")
    if len(parts) < 3 or parts[0] != "S" or parts[1] != "1" or len(parts) - 3 > MAX_SUB_AUTHORITIES:
        raise ValueError("not a SID: %r" % text)
    authority = int(parts[2])
    rids = [int(part) for part in parts[3:]]
    return (bytes([1, len(rids)]) + authority.to_bytes(6, "big")
            + b"".join(rid.to_bytes(4, "little") for rid in rids))


def sid_blob(text):
    return None if text is None else Blob(sid_bytes(text))


def read_sid(address: int):
    """The string form of the binary SID at address, or None if it is not a valid SID."""
    if not address:
        return None
    revision, count = ctypes.string_at(address, 2)
    if revision != 1 or count > MAX_SUB_AUTHORITIES:
        return None
    raw = ctypes.string_at(address, 8 + 4 * count)
    rids = [int.from_bytes(raw[8 + 4 * i:12 + 4 * i], "little") for i in range(count)]
    return "-".join(["S-1", str(int.from_bytes(raw[2:8], "big"))] + [str(rid) for rid in rids])


def sid_length(address: int) -> int:
    return 8 + 4 * ctypes.string_at(address, 2)[1]
