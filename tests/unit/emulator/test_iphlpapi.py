"""GetUnicastIpAddressTable: the local server's own unicast addresses, in a table freed with FreeMibTable."""

from __future__ import annotations

import ipaddress
from ctypes import byref, c_uint32, c_void_p, sizeof

from rds_emulator.structs import MIB_UNICASTIPADDRESS_ROW, MIB_UNICASTIPADDRESS_TABLE

AF_UNSPEC, AF_INET, AF_INET6 = 0, 2, 23


def addresses(win, family=AF_UNSPEC):
    """(status, [address text]) of GetUnicastIpAddressTable; the table is freed here."""
    table = c_void_p()
    status = win.iphlpapi.GetUnicastIpAddressTable(family, byref(table))
    found = []
    if status == 0:
        count = c_uint32.from_address(table.value).value
        rows = (MIB_UNICASTIPADDRESS_ROW * count).from_address(table.value + MIB_UNICASTIPADDRESS_TABLE.Table.offset)
        for row in rows:
            if row.Address.si_family == AF_INET:
                found.append(str(ipaddress.IPv4Address(row.Address.Ipv4.sin_addr.to_bytes(4, "little"))))
            else:
                found.append(str(ipaddress.IPv6Address(bytes(row.Address.Ipv6.sin6_addr))))
        win.iphlpapi.FreeMibTable(table)
    return status, found


def test_the_table_holds_the_loopback_addresses_and_the_ip_aliases_of_the_local_server(win):
    # sample farm: RDSH01 is reached as 10.20.0.11
    assert addresses(win) == (0, ["127.0.0.1", "::1", "10.20.0.11"])
    assert sizeof(MIB_UNICASTIPADDRESS_ROW) == 80


def test_a_family_narrows_the_table(emulator, win):
    emulator.state["servers"]["RDSH01"]["addresses"] = ["10.1.1.1", "fd00::1", "fe80::1"]
    assert addresses(win, AF_INET) == (0, ["10.1.1.1"])
    assert addresses(win, AF_INET6) == (0, ["fd00::1", "fe80::1"])


def test_no_address_is_error_not_found_and_another_family_invalid(emulator, win):
    emulator.state["servers"]["RDSH01"]["addresses"] = ["fd00::1"]
    assert addresses(win, AF_INET) == (1168, [])
    assert addresses(win, 17) == (87, [])
