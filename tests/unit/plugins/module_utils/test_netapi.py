# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""NetServerEnum / NetServerGetInfo against the emulated Computer Browser (the sample farm)."""

from __future__ import annotations

import pytest
import rds_emulator

from ansible_collections.wtsadmin.rds.plugins.module_utils import netapi, winconst
from ansible_collections.wtsadmin.rds.plugins.module_utils.winapi import WinApiError

SESSION_HOST_TYPES = ["workstation", "server", "domain_member", "nt", "server_nt", "terminal_server"]


def names(servers):
    return [server["name"] for server in servers]


def test_terminal_servers_of_the_primary_domain_are_listed(emulator):
    servers, more_data = netapi.server_enum()
    assert names(servers) == ["RDSH01", "RDSH02", "RDSH03"]
    assert more_data is False
    assert servers[0] == {"name": "RDSH01", "platform_id": 500, "platform": "nt", "version_major": 10,
                          "version_minor": 0, "version": "10.0", "types": SESSION_HOST_TYPES,
                          "type_flags": 0x02009103, "comment": "Session host 1"}
    assert servers[1]["version"] == "6.1"
    assert emulator.calls["NetApiBufferFree"] == 1


@pytest.mark.parametrize("types, expected", [
    ("server_nt", ["RDSH01", "RDSH02", "RDSH03", "FILESRV01"]),
    (["workstation"], ["RDSH01", "RDSH02", "RDSH03", "FILESRV01", "WS-0042"]),
    (0xFFFFFFFF, ["RDSH01", "RDSH02", "RDSH03", "FILESRV01", "WS-0042"]),
    (["terminal_server", "server_nt"], ["RDSH01", "RDSH02", "RDSH03", "FILESRV01"]),
])
def test_server_types_are_given_by_name_or_mask(emulator, types, expected):
    assert names(netapi.server_enum(types=types)[0]) == expected


def test_an_unknown_server_type_is_refused_without_a_call(emulator):
    with pytest.raises(ValueError, match="unknown server type 'terminalserver'"):
        netapi.server_enum(types="terminalserver")
    assert emulator.calls["NetServerEnum"] == 0


def test_another_domain_is_named_by_its_netbios_name(emulator):
    assert names(netapi.server_enum(domain="LAB")[0]) == ["RDSH-LAB"]


def test_an_empty_comment_is_none(emulator):
    servers, _more = netapi.server_enum(types="workstation")
    assert servers[-1]["name"] == "WS-0042"
    assert servers[-1]["comment"] is None


def test_the_server_type_bits_are_masked_off_the_major_version(emulator):
    emulator.state["browser"]["entries"][0]["version_major"] = 0x10 | 10
    assert netapi.server_enum()[0][0]["version"] == "10.0"


def test_a_partial_list_says_more_data_and_is_freed(emulator):
    emulator.state["browser"]["more_data"] = True
    servers, more_data = netapi.server_enum()
    assert (names(servers), more_data) == (["RDSH01", "RDSH02"], True)
    assert emulator.calls["NetApiBufferFree"] == 1


def test_without_a_browser_service_the_error_is_6118(emulator):
    emulator.state["browser"]["available"] = False
    with pytest.raises(WinApiError) as raised:
        netapi.server_enum()
    assert (raised.value.function, raised.value.code) == ("NetServerEnum", 6118)
    assert emulator.calls["NetApiBufferFree"] == 0


def test_a_lanman_status_gets_its_own_text(emulator):
    emulator.inject("NetServerEnum", 2114)
    with pytest.raises(WinApiError) as raised:
        netapi.server_enum()
    assert str(raised.value) == "NetServerEnum failed: [2114] The Server service is not started."


def test_the_list_is_asked_with_a_null_servername_as_documented(emulator):
    # issue #12 item 7; lmserver NetServerEnum, servername: "Reserved; must be NULL." (any other value is
    # recorded as misuse by the emulator, which fails the test at teardown)
    assert [server["name"] for server in netapi.server_enum()[0]] == ["RDSH01", "RDSH02", "RDSH03"]


def test_server_get_info_describes_this_machine(emulator):
    assert netapi.server_get_info() == {
        "name": "RDSH01", "platform_id": 500, "platform": "nt", "version_major": 10, "version_minor": 0,
        "version": "10.0", "types": SESSION_HOST_TYPES, "type_flags": 0x02009103, "comment": "Session host 1"}
    assert emulator.calls["NetApiBufferFree"] == 1


def test_server_get_info_of_a_remote_server(emulator):
    info = netapi.server_get_info("RDSH02")
    assert (info["name"], info["version"], "terminal_server" in info["types"]) == ("RDSH02", "6.1", True)


def test_server_get_info_of_an_unreachable_server_fails(emulator):
    with pytest.raises(WinApiError) as raised:
        netapi.server_get_info("RDSH03")
    assert (raised.value.function, raised.value.code, raised.value.server) == ("NetServerGetInfo", 53, "RDSH03")


def test_a_server_missing_from_the_browser_list_has_no_type(emulator):
    emulator.replace_state(rds_emulator.empty_state("LONELY"))
    emulator.state["browser"]["entries"] = []
    info = netapi.server_get_info()
    assert (info["name"], info["comment"]) == ("LONELY", None)


def test_every_sv_type_name_is_unique():
    assert len(set(winconst.SV_TYPE_NAMES.values())) == len(winconst.SV_TYPE_NAMES)
    assert winconst.SV_TYPE_NAMES[winconst.SV_TYPE_TERMINALSERVER] == "terminal_server"
