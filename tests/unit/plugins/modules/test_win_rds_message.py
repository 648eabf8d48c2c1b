# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""win_rds_message's main() as it runs on the host (parameters validated as the controller does them, the
runner's AnsibleModule), against the emulated farm."""

from __future__ import annotations

from ansible_collections.wtsadmin.rds.plugins.modules import win_rds_message


MODULE = win_rds_message


def test_the_answers_come_back_per_session_by_name(emulator, run_main):
    result = run_main({"msg": "Log off now?", "buttons": "yes_no", "wait": True, "timeout": 2,
                       "session_state": "active", "username": ["alice", "carol"]})

    assert result["changed"] is True
    expected = [("CONTOSO\\alice", "yes"), ("CONTOSO\\carol", "timeout")]
    assert [(s["user"], s["answer"]) for s in result["sessions"]] == expected


def test_options_that_cannot_work_fail_before_any_call(emulator, run_main):
    result = run_main({"msg": "x", "buttons": "ok", "default_button": 2})

    assert result["failed"] is True
    assert result["msg"] == "default_button 2: buttons=ok has only 1 button"
    assert emulator.calls == {}


def test_check_mode_sends_nothing(emulator, run_main):
    result = run_main({"msg": "x"}, check_mode=True)

    assert result["changed"] is True
    assert [s["session_id"] for s in result["sessions"]] == [1, 2, 4, 5]
    assert emulator.mutating_calls == []


def test_unknown_buttons_and_icons_are_refused_by_the_spec(validate):
    assert validate({"msg": "x", "buttons": "maybe"}).errors.errors
    assert validate({"msg": "x", "icon": "smile"}).errors.errors
    assert validate({"msg": "x", "default_button": 4}).errors.errors
    assert validate({}).errors.errors


def test_a_farm_message_reports_the_unreachable_server_and_reaches_the_others(emulator, run_main):
    result = run_main({"msg": "x", "server": ["RDSH02", "RDSH03"], "on_error": "warn"})

    assert [(s["server"], s["user"]) for s in result["sessions"]] == [("RDSH02", "CONTOSO\\dave")]
    assert emulator.session("RDSH02", 1)["messages"][0]["text"] == "x"
    assert result["servers"][1]["failed"] is True
    assert "on RDSH03" in result["warnings"][0]


def test_a_server_named_several_times_shows_the_message_once(emulator, run_main):
    # issue #19, item 11: the same user got the same message three times
    result = run_main({"msg": "x", "server": ["RDSH02", "rdsh02", "RDSH02."]})

    assert [entry["server"] for entry in result["servers"]] == ["RDSH02"]
    assert [s["user"] for s in result["sessions"]] == ["CONTOSO\\dave"]
    assert emulator.calls["WTSSendMessageW"] == 1


def test_the_names_of_this_host_show_the_message_once_and_say_they_were_merged(emulator, run_main):
    # issue #12 item 8, #19 item 11: localhost, the host's NetBIOS name and its own address are one host
    result = run_main({"msg": "x", "username": ["alice"], "server": ["localhost", "RDSH01", "10.20.0.11"]})

    assert [entry["server"] for entry in result["servers"]] == ["localhost"]
    assert [s["user"] for s in result["sessions"]] == ["CONTOSO\\alice"]
    assert emulator.calls["WTSSendMessageW"] == 1
    assert result["warnings"] == ["server: 'localhost' and 'RDSH01' and '10.20.0.11' name the same host; it was "
                                  "worked once, as 'localhost'"]


def test_a_named_session_that_does_not_exist_gets_nothing_and_one_warning(emulator, run_main):
    # issue #15, item 6
    task = {"msg": "Hello", "session_id": [2, 9]}

    preview = run_main(task, check_mode=True)
    real = run_main(task)

    for result in (preview, real):
        assert [s["session_id"] for s in result["sessions"]] == [2]
        assert result["warnings"] == ["Named but not found, so left alone: session_id 9 on this host"]
    assert [call["args"]["SessionId"] for call in emulator.mutating_calls] == [2]
