"""Buffers handed to callers, remembered until the right function frees them; reading caller memory."""

from __future__ import annotations

import ctypes
import threading

from .structs import set_field

POISON = 0xDD


class Blob:
    """Bytes that a structure field points to; packed into the same allocation as the structures."""

    def __init__(self, data: bytes):
        self.data = data


def wstr(text):
    """A NUL-terminated UTF-16LE string blob, or None (a NULL pointer) for None."""
    if text is None:
        return None
    return Blob(text.encode("utf-16-le", "surrogatepass") + b"\0\0")


class Allocation:
    def __init__(self, buffer, free_with: str, origin: str, type_class=None, count=None):
        self.buffer = buffer
        self.address = ctypes.addressof(buffer)
        self.size = len(buffer)
        self.free_with = free_with
        self.origin = origin
        self.type_class = type_class
        self.count = count
        self.forgotten = False

    def describe(self) -> str:
        how = self.free_with
        if self.type_class is not None:
            how += "(class %d, %d entries)" % (self.type_class, self.count)
        return "%d-byte buffer from %s at 0x%x (to be freed with %s)" % (self.size, self.origin, self.address, how)


class Heap:
    """Live and freed allocations of this process. Freed buffers stay alive, poisoned, so an address is
    never reused: a second free is recognised as a double free and a late reader sees garbage."""

    def __init__(self, report):
        self._report = report
        self._lock = threading.Lock()
        self._live = {}
        self._freed = {}

    def allocate(self, data: bytes, free_with: str, origin: str, type_class=None, count=None) -> int:
        buffer = ctypes.create_string_buffer(bytes(data), max(len(data), 1))
        allocation = Allocation(buffer, free_with, origin, type_class, count)
        with self._lock:
            self._live[allocation.address] = allocation
        return allocation.address

    def pack(self, struct_type, rows, free_with: str, origin: str, type_class=None) -> int:
        """Allocate an array of struct_type filled from rows (dicts of field -> value), followed by the
        blobs the rows point to, as Windows lays out its enumeration buffers. Returns the address."""
        head = ctypes.sizeof(struct_type) * len(rows)
        blobs = [value for row in rows for value in row.values() if isinstance(value, Blob)]
        size = head + sum(_align8(len(blob.data)) for blob in blobs)
        buffer = ctypes.create_string_buffer(max(size, 1))
        base = ctypes.addressof(buffer)
        structs = (struct_type * len(rows)).from_buffer(buffer)
        offset = head
        for struct, row in zip(structs, rows):
            for field, value in row.items():
                if isinstance(value, Blob):
                    ctypes.memmove(base + offset, value.data, len(value.data))
                    setattr(struct, field, base + offset)
                    offset += _align8(len(value.data))
                else:
                    set_field(struct, field, value)
        allocation = Allocation(buffer, free_with, origin, type_class, len(rows) if type_class is not None else None)
        with self._lock:
            self._live[base] = allocation
        return base

    def free(self, address: int, function: str, type_class=None, count=None) -> bool:
        """Release a buffer; records misuse and returns False if the call was wrong."""
        with self._lock:
            allocation = self._live.pop(address, None)
            if allocation is None:
                self._report(self._unknown(address, function))
                return False
            self._freed[address] = allocation
            ctypes.memset(address, POISON, allocation.size)
        if allocation.free_with != function:
            self._report("%s freed with %s" % (allocation.describe(), function))
            return False
        if allocation.type_class is not None and (type_class, count) != (allocation.type_class, allocation.count):
            self._report("%s freed with %s(class %s, %s entries)" % (
                allocation.describe(), function, type_class, count))
            return False
        return True

    def _unknown(self, address: int, function: str) -> str:
        if address in self._freed:
            return "double free: %s(0x%x) of the %s" % (function, address, self._freed[address].describe())
        for allocation in self._live.values():
            if allocation.address < address < allocation.address + allocation.size:
                return "%s(0x%x) points %d bytes into the %s, not at its start" % (
                    function, address, address - allocation.address, allocation.describe())
        return "%s(0x%x): not a pointer the API returned" % (function, address)

    def forget(self) -> None:
        """Stop reporting the buffers live now as leaks (freeing them later is still checked)."""
        with self._lock:
            for allocation in self._live.values():
                allocation.forgotten = True

    def leaks(self) -> list:
        with self._lock:
            return ["leak: " + allocation.describe() for allocation in self._live.values()
                    if not allocation.forgotten]


def _align8(size: int) -> int:
    return (size + 7) & ~7


def read_wstr(address: int):
    """A NUL-terminated UTF-16LE string from caller memory; None for NULL."""
    if not address:
        return None
    units = bytearray()
    while True:
        unit = ctypes.string_at(address + len(units), 2)
        if unit == b"\0\0":
            return units.decode("utf-16-le", "surrogatepass")
        units += unit


def read_astr(address: int):
    if not address:
        return None
    return ctypes.string_at(address).decode("ascii", "replace")


def read_u32(address: int) -> int:
    return ctypes.c_uint32.from_address(address).value


def write_u32(address: int, value: int) -> None:
    if address:
        ctypes.c_uint32.from_address(address).value = value & 0xFFFFFFFF


def write_ptr(address: int, value) -> None:
    if address:
        ctypes.c_void_p.from_address(address).value = value or None


def write_bytes(address: int, data: bytes) -> None:
    ctypes.memmove(address, data, len(data))
