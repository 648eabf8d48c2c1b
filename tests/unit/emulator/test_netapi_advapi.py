"""NetServerEnum/NetServerGetInfo over the browser list; SID lookups with the two-call size protocol."""

from __future__ import annotations

import ctypes
from ctypes import byref, c_uint32, c_void_p

from rds_emulator.structs import SERVER_INFO_101

SV_TYPE_TERMINALSERVER, MAX_PREFERRED_LENGTH = 0x02000000, 0xFFFFFFFF
ALICE = "S-1-5-21-1004336348-1177238915-682003330-1104"


def server_enum(win, domain=None, server_type=SV_TYPE_TERMINALSERVER, prefmaxlen=MAX_PREFERRED_LENGTH):
    buffer, read, total = c_void_p(), c_uint32(), c_uint32()
    status = win.netapi32.NetServerEnum(None, 101, byref(buffer), prefmaxlen, byref(read), byref(total),
                                        server_type, win.wide(domain), None)
    names = []
    if buffer:
        rows = (SERVER_INFO_101 * read.value).from_address(buffer.value)
        names = [(win.read_wide(row.sv101_name), row.sv101_version_major, row.sv101_version_minor) for row in rows]
        assert win.netapi32.NetApiBufferFree(buffer) == 0
    return status, names, total.value


def test_terminal_servers_of_the_primary_domain_are_listed(win):
    assert server_enum(win) == (0, [("RDSH01", 10, 0), ("RDSH02", 6, 1), ("RDSH03", 10, 0)], 3)


def test_other_domains_are_asked_by_netbios_name(win):
    assert server_enum(win, domain="LAB")[1] == [("RDSH-LAB", 10, 0)]


def test_more_data_returns_a_partial_list_that_is_still_freed(emulator, win):
    emulator.state["browser"]["more_data"] = True
    status, names, total = server_enum(win)
    assert (status, len(names), total) == (234, 2, 3)


def test_small_preferred_length_also_means_more_data(win):
    status, names, total = server_enum(win, prefmaxlen=100)
    assert (status, len(names), total) == (234, 1, 3)


def test_a_servername_is_misuse_since_it_is_reserved(emulator, win):
    # lmserver NetServerEnum, servername: "Reserved; must be NULL."
    buffer, read, total = c_void_p(), c_uint32(), c_uint32()
    status = win.netapi32.NetServerEnum(win.wide("RDSH02"), 101, byref(buffer), MAX_PREFERRED_LENGTH, byref(read),
                                        byref(total), SV_TYPE_TERMINALSERVER, None, None)
    assert (status, buffer.value) == (87, None)
    assert emulator.clear_problems() == ["NetServerEnum: servername 'RDSH02': Reserved; must be NULL"]


def test_no_browser_service_is_6118_with_no_buffer(emulator, win):
    emulator.state["browser"]["available"] = False
    assert server_enum(win) == (6118, [], 0)


def test_server_get_info_names_a_reachable_server(win):
    buffer = c_void_p()
    assert win.netapi32.NetServerGetInfo(win.wide("rdsh02.contoso.com"), 101, byref(buffer)) == 0
    info = SERVER_INFO_101.from_address(buffer.value)
    assert (win.read_wide(info.sv101_name), info.sv101_type & SV_TYPE_TERMINALSERVER) == ("RDSH02",
                                                                                          SV_TYPE_TERMINALSERVER)
    assert win.netapi32.NetApiBufferFree(buffer) == 0
    assert win.netapi32.NetServerGetInfo(win.wide("RDSH03"), 101, byref(buffer)) == 53


def sid_of(win, text):
    sid = c_void_p()
    assert win.advapi32.ConvertStringSidToSidW(win.wide(text), byref(sid))
    return sid


def test_lookup_account_sid_uses_the_two_call_size_protocol(win):
    sid = sid_of(win, ALICE)
    name_size, domain_size, use = c_uint32(0), c_uint32(0), c_uint32()
    assert not win.advapi32.LookupAccountSidW(None, sid, None, byref(name_size), None, byref(domain_size), byref(use))
    assert (ctypes.get_last_error(), name_size.value, domain_size.value) == (122, 6, 8)
    name, domain = ctypes.create_string_buffer(2 * name_size.value), ctypes.create_string_buffer(2 * domain_size.value)
    assert win.advapi32.LookupAccountSidW(None, sid, name, byref(name_size), domain, byref(domain_size), byref(use))
    assert (win.read_wide(ctypes.addressof(domain)), win.read_wide(ctypes.addressof(name))) == ("CONTOSO", "alice")
    assert (name_size.value, domain_size.value, use.value) == (5, 7, 1)
    assert win.kernel32.LocalFree(sid) is None


def test_unknown_sid_is_none_mapped(win):
    sid = sid_of(win, "S-1-5-21-1-2-3-4242")
    name_size, domain_size, use = c_uint32(0), c_uint32(0), c_uint32()
    assert not win.advapi32.LookupAccountSidW(None, sid, None, byref(name_size), None, byref(domain_size), byref(use))
    assert ctypes.get_last_error() == 1332
    win.kernel32.LocalFree(sid)


def test_sid_buffers_must_be_freed_with_local_free(emulator, win):
    sid = sid_of(win, ALICE)
    win.wtsapi32.WTSFreeMemory(sid)
    assert any("freed with WTSFreeMemory" in p and "LocalFree" in p for p in emulator.clear_problems())
