# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""win_rds_server_info against the emulated host: its logic, and main() as it runs on the host (parameters
validated as the controller does, the runner's AnsibleModule)."""

from __future__ import annotations

from ansible_collections.wtsadmin.rds.plugins.module_utils.netapi import SV_TYPES
from ansible_collections.wtsadmin.rds.plugins.modules import win_rds_server_info


def browser_entries(state, domain=None, types=("terminal_server",)):
    """The browser entries that NetServerEnum should list for ``domain`` (None: primary) and ``types``."""
    browser = state["browser"]
    mask = sum(SV_TYPES[name] for name in types)
    domain = (domain or browser["primary_domain"]).lower()
    return [entry for entry in browser["entries"] if entry["type"] & mask and entry["domain"].lower() == domain]


MODULE = win_rds_server_info


def test_main_returns_the_servers_and_changes_nothing_also_in_check_mode(emulator, run_main):
    result = run_main({}, check_mode=True)

    assert result["changed"] is False
    assert [server["name"] for server in result["servers"]] == [entry["name"] for entry in browser_entries(emulator.state)]
    assert result["more_data"] is False
    assert emulator.mutating_calls == []


def test_a_partial_list_is_returned_with_more_data_and_a_warning(emulator, run_main):
    with emulator.edit() as state:
        state["browser"]["more_data"] = True

    result = run_main({})

    assert result["more_data"] is True
    assert 0 < len(result["servers"]) < len(browser_entries(emulator.state))
    assert any("ERROR_MORE_DATA" in warning for warning in result["warnings"])


def test_no_computer_browser_fails_with_what_to_do_instead(emulator, run_main):
    with emulator.edit() as state:
        state["browser"]["available"] = False

    result = run_main({"domain": "CONTOSO"})

    assert result["failed"] is True
    assert result["error_code"] == 6118
    assert "NetServerEnum failed for domain CONTOSO: [6118]" in result["msg"]
    assert "Computer Browser" in result["msg"] and "static" in result["msg"]


def test_an_unknown_server_type_is_refused_before_windows_is_called(emulator, validate):
    errors = validate({"server_types": ["terminal_srv"]}).errors.errors

    assert errors
    assert "terminal_srv" in "; ".join(error.msg for error in errors)
    assert emulator.calls["NetServerEnum"] == 0


def test_the_deprecated_server_option_is_never_passed_to_netserverenum(emulator, run_main, validate):
    # issue #12 item 7, lmserver NetServerEnum: "servername: Reserved; must be NULL." (the emulator records any
    # other value as misuse). The list comes from this host's browser; the option is deprecated.
    checked = validate({"server": "dc01.contoso.com"})
    assert [(d["msg"], d["version"], d["collection_name"]) for d in checked._deprecations] == [
        ("Param 'server' is deprecated. See the module docs for more information", "1.0.0", "wtsadmin.rds")]

    result = run_main({"server": "dc01.contoso.com"})

    assert not result.get("failed")
    assert [server["name"] for server in result["servers"]] == [entry["name"] for entry in browser_entries(emulator.state)]
    assert emulator.calls["NetServerEnum"] == 1
    assert result["warnings"] == [win_rds_server_info.SERVER_IGNORED % "dc01.contoso.com"]


def test_the_server_option_naming_this_host_only_brings_the_deprecation(emulator, run_main):
    result = run_main({"server": "localhost"})

    assert [server["name"] for server in result["servers"]] == [entry["name"] for entry in browser_entries(emulator.state)]
    assert "warnings" not in result
