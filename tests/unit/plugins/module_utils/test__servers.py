# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""win_rds_server_info's work against the emulated browser: which servers NetServerEnum lists, and how."""

from __future__ import annotations

from ansible_collections.wtsadmin.rds.plugins.module_utils._servers import list_servers
from ansible_collections.wtsadmin.rds.plugins.module_utils.netapi import SV_TYPES


def browser_entries(state, domain=None, types=("terminal_server",)):
    """The browser entries that NetServerEnum should list for ``domain`` (None: primary) and ``types``."""
    browser = state["browser"]
    mask = sum(SV_TYPES[name] for name in types)
    domain = (domain or browser["primary_domain"]).lower()
    return [entry for entry in browser["entries"] if entry["type"] & mask and entry["domain"].lower() == domain]


def test_by_default_the_session_hosts_of_the_primary_domain_are_listed(emulator):
    servers, more_data = list_servers(None, ["terminal_server"])

    expected = browser_entries(emulator.state)
    assert expected, "the sample farm announces terminal servers"
    assert [server["name"] for server in servers] == [entry["name"] for entry in expected]
    assert more_data is False


def test_each_server_shows_platform_version_decoded_types_and_comment(emulator):
    servers, _more_data = list_servers(None, ["terminal_server"])

    for server, entry in zip(servers, browser_entries(emulator.state)):
        assert set(server) == {"name", "platform", "version", "types", "comment"}
        assert server["platform"] == "nt"
        assert server["version"] == "%d.%d" % (entry["version_major"], entry["version_minor"])
        assert sum(SV_TYPES[name] for name in server["types"]) == entry["type"]
        assert server["comment"] == (entry.get("comment") or None)


def test_other_types_and_another_domain_can_be_asked_for(emulator):
    state = emulator.state
    other = next(entry["domain"] for entry in state["browser"]["entries"]
                 if entry["domain"].lower() != state["browser"]["primary_domain"].lower())

    servers, _more_data = list_servers(other, ["workstation", "server"])

    expected = browser_entries(state, other, ("workstation", "server"))
    assert expected
    assert [server["name"] for server in servers] == [entry["name"] for entry in expected]
