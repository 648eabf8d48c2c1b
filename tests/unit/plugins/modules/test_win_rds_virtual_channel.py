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
    result = run_main({"session_id": 2, "name": "CTXCMD", "query_client_data": True})

    assert result["changed"] is False
    assert result["client_data_base64"] == "AQID"
    assert result["written_bytes"] == 0 and result["reply_base64"] is None
    assert emulator.mutating_calls == []


def test_nothing_to_read_within_the_timeout_gives_no_reply(emulator, run_main):
    result = run_main({"session_id": 2, "name": "CTXCMD", "data": "x", "read": True, "timeout": 0.2})

    assert "failed" not in result and result["reply_base64"] is None and result["reply"] is None


def test_purge_input_discards_what_was_waiting_before_the_write(emulator, run_main):
    channel(emulator, 2, "ECHO")["inbox"] = [base64.b64encode(b"stale").decode()]

    result = run_main({"session_id": 2, "name": "ECHO", "data": "fresh", "read": True,
                       "purge_input": True})

    assert result["reply"] == "fresh"


def test_check_mode_opens_nothing_and_predicts_from_the_arguments(emulator, run_main):
    result = run_main({"session_id": 2, "name": "ECHO", "data": "ping", "read": True, "query_client_data": True},
                      check_mode=True)

    assert result["changed"] is True and result["written_bytes"] == 4
    assert result["reply_base64"] is None and result["client_data_base64"] is None
    assert emulator.calls == {}  # not even WTSVirtualChannelOpenEx


def test_check_mode_cannot_know_whether_the_client_offers_the_channel(emulator, run_main):
    result = run_main({"session_id": 2, "name": "NOPE", "data": "x"}, check_mode=True)

    assert "failed" not in result and result["changed"] is True
    assert emulator.calls == {}


def test_a_channel_the_client_does_not_offer_is_explained(emulator, run_main):
    result = run_main({"session_id": 2, "name": "NOPE", "data": "x"})

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


def test_a_dynamic_reply_comes_without_its_channel_pdu_header(emulator, run_main):
    result = run_main({"session_id": 2, "name": "Contoso::Diagnostics", "dynamic": True, "data": "ok", "read": True})

    assert result["reply"] == "ok" and base64.b64decode(result["reply_base64"]) == b"ok"


def test_a_dynamic_reply_longer_than_one_chunk_comes_back_whole(emulator, run_main):
    text = "0123456789" * 500 + " ✓"

    result = run_main({"session_id": 2, "name": "Contoso::Diagnostics", "dynamic": True, "data": text, "read": True})

    assert result["reply"] == text
    assert emulator.calls["WTSVirtualChannelRead"] == 4  # 5004 bytes: 1600 + 1600 + 1600 + 204


def test_a_dynamic_reply_longer_than_max_reply_bytes_fails_naming_the_option(emulator, run_main):
    diagnostics = channel(emulator, 2, "Contoso::Diagnostics")
    diagnostics["inbox"] = [base64.b64encode(b"z" * 3000).decode()]

    result = run_main({"session_id": 2, "name": "Contoso::Diagnostics", "dynamic": True, "read": True,
                       "max_reply_bytes": 2000})

    assert result["failed"] is True
    assert result["msg"] == ("the reply on channel Contoso::Diagnostics is 3000 bytes long, more than "
                             "max_reply_bytes=2000: raise max_reply_bytes to read it")
    assert emulator.calls["WTSVirtualChannelClose"] == 1


def test_a_static_reply_is_one_chunk_as_windows_delivers_it(emulator, run_main):
    result = run_main({"session_id": 2, "name": "ECHO", "data": "s" * 2000, "read": True})

    assert result["reply"] == "s" * 1600


@pytest.mark.parametrize("name", ["CLIPRDR", "rdpdr", "RDPSND", "DRDYNVC", "Rail"])
def test_a_channel_windows_itself_uses_is_refused_without_force(emulator, run_main, name):
    for check_mode in (False, True):
        result = run_main({"session_id": 2, "name": name, "query_client_data": True}, check_mode=check_mode)

        assert result["failed"] is True
        assert result["msg"].startswith("name=%s: " % name) and "force=true" in result["msg"]
        assert "10-second delay and disrupt the established channel" in result["msg"]
    assert emulator.calls == {}


def test_force_opens_a_channel_windows_itself_uses(emulator, run_main):
    result = run_main({"session_id": 2, "name": "CLIPRDR", "force": True, "query_client_data": True})

    assert "failed" not in result and result["client_data_base64"] == ""
    assert [problem.split(":")[0] for problem in emulator.clear_problems()] == [
        "opened static channel CLIPRDR of session 2, which rdpclip.exe already holds"]


def test_a_dynamic_channel_is_not_taken_for_a_static_system_channel(emulator, run_main):
    result = run_main({"session_id": 2, "name": "RDPSND", "dynamic": True, "data": "x"})

    assert result["msg"].startswith("WTSVirtualChannelOpenEx failed for channel RDPSND of session 2: [1168]")
