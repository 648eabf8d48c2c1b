# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Windows errors told the way an admin can act on them."""

from __future__ import annotations

import pytest

from ansible_collections.wtsadmin.rds.plugins.module_utils._errors import explain
from ansible_collections.wtsadmin.rds.plugins.module_utils.winapi import WinApiError
from ansible_collections.wtsadmin.rds.plugins.module_utils.wts import session_gone


def test_the_message_names_function_server_object_code_and_text_then_the_fix():
    error = WinApiError("WTSLogoffSession", 5, "Access is denied.", server="RDSH01")

    message = explain(error, "session 4 (CONTOSO\\carol)")

    first, fix = message.split("\n")
    assert first == "WTSLogoffSession failed on RDSH01 for session 4 (CONTOSO\\carol): [5] Access is denied."
    assert fix.startswith('The connecting account needs the "Reset" permission on the RDP-Tcp listener, '
                          'or local Administrators.')


def test_without_server_or_object_the_message_leaves_them_out():
    message = explain(WinApiError("WTSEnumerateSessionsExW", 5, "Access is denied."))

    assert message.startswith("WTSEnumerateSessionsExW failed: [5] Access is denied.\n")


@pytest.mark.parametrize("function, permission", [
    ("WTSDisconnectSession", "Disconnect"),
    ("WTSLogoffSession", "Reset"),
    ("WTSSendMessageW", "Message"),
    ("WTSEnumerateSessionsExW", "Query Information"),
    ("WTSQuerySessionInformationW", "Query Information"),
    ("WTSVirtualChannelOpenEx", "Virtual Channels"),
])
def test_access_denied_names_the_remote_desktop_permission_the_call_needs(function, permission):
    assert '"%s" permission' % permission in explain(WinApiError(function, 5, "Access is denied."))


@pytest.mark.parametrize("function", ["WTSEnumerateProcessesExW", "WTSEnumerateProcessesW"])
def test_access_denied_on_calls_for_administrators_says_so(function):
    assert "local Administrators group" in explain(WinApiError(function, 5, "Access is denied."))


@pytest.mark.parametrize("function, expected", [
    ("LookupAccountSidW", "account database"),  # documented with no Administrators requirement
    ("WTSShutdownSystem", "SeShutdownPrivilege"),
    ("WTSTerminateProcess", "more rights"),
])
def test_access_denied_on_calls_without_an_administrators_sentence_does_not_claim_one(function, expected):
    message = explain(WinApiError(function, 5, "Access is denied."))
    assert expected in message and "Administrators group" not in message


def test_access_denied_on_a_remote_server_names_the_winrm_second_hop(emulator):
    remote = explain(WinApiError("WTSLogoffSession", 5, "Access is denied.", server="RDSH02"))
    local = explain(WinApiError("WTSLogoffSession", 5, "Access is denied.", server="rdsh01.contoso.com"))

    assert "second hop" in remote and "CredSSP" in remote and "delegate_to" in remote
    assert "second hop" not in local and "second hop" not in explain(WinApiError("WTSLogoffSession", 5, "x"))


@pytest.mark.parametrize("function, minimum", [("WTSEnumerateSessionsExW", "Windows Server 2008 R2"),
                                               ("WTSEnumerateProcessesExW", "Windows Server 2008 R2"),
                                               ("WTSOpenServerExW", "Windows Server 2008 R2"),
                                               ("WTSVirtualChannelOpenEx", "Windows Server 2008")])
def test_a_missing_function_names_its_documented_minimum_windows(function, minimum):
    fix = explain(WinApiError(function, 127, "The specified procedure could not be found.")).split("\n")[1]
    assert fix.endswith("needs %s or later." % (
        "Windows 7 / " + minimum if minimum.endswith("R2") else "Windows Vista / " + minimum))


@pytest.mark.parametrize("code", [1168, 31])
def test_channel_errors_say_the_sdk_documents_no_cause_and_what_they_go_with(code):
    fix = explain(WinApiError("WTSVirtualChannelOpenEx", code, "x")).split("\n")[1]
    assert "documents no cause for %d" % code in fix


@pytest.mark.parametrize("code", [1722, 1726, 1753, 53])
def test_an_unreachable_server_points_at_firewall_rdp_and_remote_rpc(code):
    message = explain(WinApiError("WTSEnumerateSessionsExW", code, "The RPC server is unavailable.", "RDSH03"))

    assert "on RDSH03" in message
    assert "TCP 445" in message
    assert "AllowRemoteRPC" in message
    assert "Remote Desktop connections are allowed" in message


def test_no_browser_service_points_at_the_computer_browser_and_static_lists():
    message = explain(WinApiError("NetServerEnum", 6118, "The list of servers for this workgroup is not "
                                  "currently available"))

    assert "[6118]" in message
    assert message.split("\n")[0].endswith("available.")
    assert "Computer Browser" in message
    assert "static_servers option of the rds_servers inventory" in message
    assert "microsoft.ad.ldap" in message
    assert "AD sources" not in message


def test_a_missing_shutdown_privilege_names_the_privilege_and_who_holds_it():
    message = explain(WinApiError("WTSShutdownSystem", 1314, "A required privilege is not held by the client."))

    fix = message.split("\n")[1]
    assert "SeShutdownPrivilege" in fix
    assert "Administrators" in fix


@pytest.mark.parametrize("code", [2, 7022])
def test_a_session_that_ended_meanwhile_is_recognised_and_explained(code):
    error = WinApiError("WTSQuerySessionInformationW", code, "The session does not exist.")

    assert session_gone(error)
    assert "ended meanwhile" in explain(error)


@pytest.mark.parametrize("code", [5, 50, 87, 1722, 6118])
def test_other_errors_are_not_taken_for_a_vanished_session(code):
    assert not session_gone(WinApiError("WTSLogoffSession", code, "x"))


def test_an_unknown_code_gives_the_windows_text_alone():
    assert explain(WinApiError("WTSSendMessageW", 1234, "Some text.")) == "WTSSendMessageW failed: [1234] Some text."


def test_a_missing_windows_text_is_replaced_by_the_code():
    assert explain(WinApiError("WTSSendMessageW", 1234, "")) == "WTSSendMessageW failed: [1234] Windows error 1234."
