"""iphlpapi.dll: GetUnicastIpAddressTable (this machine's own unicast addresses) and FreeMibTable."""

from __future__ import annotations

import ctypes
import ipaddress

from .dll import DWORD, PPVOID, PVOID, USHORT, VOID, export
from .errors import ERROR_INVALID_PARAMETER, ERROR_NOT_FOUND, WinFail
from .memory import write_ptr
from .structs import MIB_UNICASTIPADDRESS_ROW, MIB_UNICASTIPADDRESS_TABLE

AF_UNSPEC, AF_INET, AF_INET6 = 0, 2, 23
LOOPBACK = ("127.0.0.1", "::1")


def own_addresses(server: dict) -> list:
    """The local server's unicast addresses: its ``addresses``, or (null) the loopback addresses and every
    alias that is an IP address."""
    if server.get("addresses") is not None:
        return list(server["addresses"])
    return list(LOOPBACK) + [alias for alias in server["aliases"] if _is_ip(alias)]


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _row(address) -> MIB_UNICASTIPADDRESS_ROW:
    row = MIB_UNICASTIPADDRESS_ROW()
    if address.version == 4:
        row.Address.Ipv4.sin_family = AF_INET
        row.Address.Ipv4.sin_addr = int.from_bytes(address.packed, "little")  # network order in memory
    else:
        row.Address.Ipv6.sin6_family = AF_INET6
        row.Address.Ipv6.sin6_addr[:] = list(address.packed)
    return row


@export("iphlpapi", DWORD, ("Family", USHORT), ("Table", PPVOID), status_return=True)
def GetUnicastIpAddressTable(call, Family, Table):
    # sdk-api netioapi/nf-netioapi-getunicastipaddresstable: "retrieves the unicast IP address table on the
    # local computer"; Family AF_UNSPEC "returns the unicast IP address table containing both IPv4 and IPv6
    # entries"; ERROR_INVALID_PARAMETER "if a NULL pointer is passed in the Table parameter or the Family
    # parameter was not specified as AF_INET, AF_INET6, or AF_UNSPEC"; ERROR_NOT_FOUND "if no unicast IP
    # address entries as specified in the Family parameter were found"; "free the memory by calling the
    # FreeMibTable".
    if not Table or Family not in (AF_UNSPEC, AF_INET, AF_INET6):
        raise WinFail(ERROR_INVALID_PARAMETER)
    write_ptr(Table, None)
    server = call.state["servers"][call.state["local_server"]]
    wanted = {AF_UNSPEC: (4, 6), AF_INET: (4,), AF_INET6: (6,)}[Family]
    addresses = [ipaddress.ip_address(text) for text in own_addresses(server)]
    addresses = [address for address in addresses if address.version in wanted]
    if not addresses:
        raise WinFail(ERROR_NOT_FOUND)
    # MIB_UNICASTIPADDRESS_TABLE: NumEntries, then the rows from the offset of its Table array (the page warns
    # of "padding for alignment between the NumEntries member and the first MIB_UNICASTIPADDRESS_ROW").
    first, size = MIB_UNICASTIPADDRESS_TABLE.Table.offset, ctypes.sizeof(MIB_UNICASTIPADDRESS_ROW)
    data = bytearray(first + size * len(addresses))
    data[0:4] = len(addresses).to_bytes(4, "little")
    for index, address in enumerate(addresses):
        data[first + index * size:first + (index + 1) * size] = bytes(_row(address))
    write_ptr(Table, call.emulator.heap.allocate(bytes(data), "FreeMibTable", call.name))
    return 0


@export("iphlpapi", VOID, ("Memory", PVOID))
def FreeMibTable(call, Memory):
    if Memory:
        call.emulator.heap.free(Memory, call.name)
