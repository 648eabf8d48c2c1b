# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""win_rds_virtual_channel's main() as it runs on the host (parameters validated as the controller does, the runner's
AnsibleModule), against the emulated farm."""

from __future__ import annotations

import base64

import pytest

from ansible_collections.wtsadmin.rds.plugins.modules import win_rds_virtual_channel

MODULE = win_rds_virtual_channel


def channel(emulator, session_id, name):
    return emulator.session("RDSH01", session_id)["channels"][name]


def test_text_written_to_an_echo_channel_comes_back_as_the_reply(emulator, run_main):
    result = run_main({"session_id": 2, "name": "echo", "data": "ping ✓", "read": True})

    assert result["changed"] is True and "failed" not in result
    assert result["written_bytes"] == len("ping ✓".encode("utf-8"))
    assert result["reply"] == "ping ✓"
    assert base64.b64decode(result["reply_base64"]) == "ping ✓".encode("utf-8")
    assert channel(emulator, 2, "ECHO")["written"] == [base64.b64encode("ping ✓".encode("utf-8")).decode()]


def test_binary_data_goes_as_given_and_a_binary_reply_has_no_text(emulator, run_main):
    result = run_main({"session_id": 2, "name": "ECHO", "data_base64": "/wABAg==", "read": True})

    assert result["reply_base64"] == "/wABAg==" and result["reply"] is None
    assert result["written_bytes"] == 4


def test_a_dynamic_channel_is_opened_by_its_endpoint_name(emulator, run_main):
    result = run_main({"session_id": 2, "name": "Contoso::Diagnostics", "dynamic": True,
                       "priority": "high", "data": "status", "read": True})

    assert result["reply"] == "status" and result["dynamic"] is True


def test_without_data_nothing_changes_and_client_data_can_be_queried(emulator, run_main):
    result = run_main({"session_id": 2, "name": "CLIPRDR", "query_client_data": True})

    assert result["changed"] is False
    assert result["client_data_base64"] == "AQID"
    assert result["written_bytes"] == 0 and result["reply_base64"] is None
    assert emulator.mutating_calls == []


def test_nothing_to_read_within_the_timeout_gives_no_reply(emulator, run_main):
    result = run_main({"session_id": 2, "name": "CLIPRDR", "data": "x", "read": True, "timeout": 0.2})

    assert "failed" not in result and result["reply_base64"] is None and result["reply"] is None


def test_purge_input_discards_what_was_waiting_before_the_write(emulator, run_main):
    channel(emulator, 2, "ECHO")["inbox"] = [base64.b64encode(b"stale").decode()]

    result = run_main({"session_id": 2, "name": "ECHO", "data": "fresh", "read": True,
                       "purge_input": True})

    assert result["reply"] == "fresh"


def test_check_mode_opens_and_closes_the_channel_but_writes_and_reads_nothing(emulator, run_main):
    result = run_main({"session_id": 2, "name": "ECHO", "data": "ping", "read": True}, check_mode=True)

    assert result["changed"] is True and result["written_bytes"] == 4 and result["reply_base64"] is None
    assert emulator.mutating_calls == []
    assert emulator.calls["WTSVirtualChannelOpenEx"] == emulator.calls["WTSVirtualChannelClose"] == 1
    assert emulator.calls["WTSVirtualChannelRead"] == 0


def test_check_mode_still_fails_for_a_channel_the_client_does_not_offer(emulator, run_main):
    result = run_main({"session_id": 2, "name": "NOPE", "data": "x"}, check_mode=True)

    assert result["failed"] is True
    assert result["msg"].startswith("WTSVirtualChannelOpenEx failed for channel NOPE of session 2: [1168]")
    assert "no such channel for this session" in result["msg"]


def test_a_session_that_does_not_exist_is_explained(emulator, run_main):
    result = run_main({"session_id": 42, "name": "ECHO", "data": "x"})

    assert result["failed"] is True
    assert "for channel ECHO of session 42: [7022]" in result["msg"]


def test_the_channel_is_closed_also_when_the_write_fails(emulator, run_main):
    emulator.inject("WTSVirtualChannelWrite", 1, session_id=None)

    result = run_main({"session_id": 2, "name": "ECHO", "data": "x"})

    assert result["failed"] is True and result["msg"].startswith("WTSVirtualChannelWrite failed")
    assert emulator.calls["WTSVirtualChannelClose"] == 1


def test_a_static_name_longer_than_seven_characters_fails_clearly(emulator, run_main):
    result = run_main({"session_id": 2, "name": "TOOLONG8", "data": "x"})

    assert result["failed"] is True and "1 to 7 ASCII characters" in result["msg"]
    assert emulator.calls == {}


def test_data_base64_that_does_not_decode_fails_before_any_call(emulator, run_main):
    result = run_main({"session_id": 2, "name": "ECHO", "data_base64": "not base64!"})

    assert result == dict(result, failed=True, msg="data_base64 is not valid base64")
    assert emulator.calls == {}


def test_another_server_is_refused_with_the_reason_and_the_fix(emulator, run_main):
    result = run_main({"server": "RDSH02", "session_id": 1, "name": "ECHO", "data": "x"})

    assert result["failed"] is True
    assert "only be opened on the host the task runs on" in result["msg"] and "delegate_to" in result["msg"]
    assert set(emulator.calls) == {"GetComputerNameExW"}  # only this machine's own names were read


@pytest.mark.parametrize("server", [".", "localhost", "LOCALHOST"])
def test_the_local_host_may_be_named(emulator, server, run_main):
    result = run_main({"server": server, "session_id": 2, "name": "ECHO", "data": "x"})

    assert "failed" not in result


def test_the_host_may_be_named_by_its_computer_name_or_dns_name(emulator, run_main):
    by_name = run_main({"server": "rdsh01", "session_id": 2, "name": "ECHO", "data": "x"})
    by_dns = run_main({"server": "RDSH01.contoso.com", "session_id": 2, "name": "ECHO", "data": "x"})

    assert "failed" not in by_name and "failed" not in by_dns


def test_a_host_sharing_only_the_first_dns_label_is_another_host(emulator, run_main):
    result = run_main({"server": "rdsh01.fabrikam.com", "session_id": 2, "name": "ECHO", "data": "x"})

    assert result["failed"] is True and "only be opened on the host the task runs on" in result["msg"]


def test_a_negative_timeout_is_refused_by_the_controller(validate):
    errors = validate({"session_id": 2, "name": "ECHO", "read": True, "timeout": -1}).errors.errors

    assert [error.msg for error in errors] == [
        "timeout -1.0 does not fit: give seconds (milliseconds of a ULONG below INFINITE) from 0 to 4.29497e+06"]
