# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Characters outside the Basic Multilingual Plane (UTF-16 surrogate pairs) in user names, domains, process
names, channel data and messages survive the whole way: the task's options, the Windows calls, the result, and
the runner's ASCII-only JSON line."""

from __future__ import annotations

import base64
import json

import rds_emulator
from ansible_collections.wtsadmin.rds.plugins.module_utils._runner import jsonify
from robustness_harness import run_module

USER, DOMAIN = "Zoë😀𝔘", "ДОМЕН𐐷"
SID = "S-1-5-21-1004336348-1177238915-682003330-4242"
PROGRAM = "𝒩otepad😀.exe"
TEXT = "Wartung 🛠️ um 20:00 — 𠜎𠜱 Ω"


def _unicode_user(state):
    server = state["servers"]["RDSH01"]
    server["sessions"].append(rds_emulator.make_session(
        9, station="RDP-Tcp#9", state="active", user=USER, domain=DOMAIN, client_name="PC-😀", protocol="rdp",
        client_address="10.20.30.49", message_response="ok", message_delay_seconds=0))
    server["processes"].append(rds_emulator.make_process(5150, PROGRAM, session=9, sid=SID, parent_pid=2216))
    state["accounts"][SID] = "%s\\%s" % (DOMAIN, USER)


def _as_the_controller_sees_it(result):
    line = jsonify(result)
    assert line.isascii()
    return json.loads(line)


def test_user_and_domain_select_and_come_back_unchanged(farm):
    farm(_unicode_user)

    result = _as_the_controller_sees_it(
        run_module("win_rds_session_info", {"username": ["%s\\%s" % (DOMAIN.lower(), USER.upper())]}))

    assert [(s["session_id"], s["user"], s["client_name"]) for s in result["sessions"]] == [
        (9, "%s\\%s" % (DOMAIN, USER), "PC-😀")]


def test_process_name_and_owner_select_and_come_back_unchanged(farm):
    farm(_unicode_user)

    listed = _as_the_controller_sees_it(run_module("win_rds_process_info", {"name": ["𝒩otepad😀"],
                                                                            "username": [USER]}))

    assert [(p["pid"], p["name"], p["user"]) for p in listed["processes"]] == [
        (5150, PROGRAM, "%s\\%s" % (DOMAIN, USER))]


def test_a_process_with_a_non_bmp_name_is_ended_and_named_in_the_diff(farm):
    emu = farm(_unicode_user)

    result = _as_the_controller_sees_it(run_module("win_rds_process", {"name": [PROGRAM], "state": "absent"}, diff=True))

    assert [call["args"]["ProcessId"] for call in emu.mutating_calls] == [5150]
    assert result["diff"] == {"before": {"process 5150 (%s)" % PROGRAM: "running"},
                              "after": {"process 5150 (%s)" % PROGRAM: "absent"}}


def test_message_title_and_text_arrive_whole_and_lengths_are_bytes(farm):
    emu = farm(_unicode_user)

    result = _as_the_controller_sees_it(run_module("win_rds_message", {"username": [USER], "title": "😀 " + USER,
                                                                       "msg": TEXT, "wait": True, "timeout": 5}))

    assert [(s["session_id"], s["answer"]) for s in result["sessions"]] == [(9, "ok")]
    shown = emu.session("RDSH01", 9)["messages"]
    assert [(m["title"], m["text"]) for m in shown] == [("😀 " + USER, TEXT)]
    assert emu.errors == []


def test_channel_data_round_trips_as_text_and_as_bytes(farm):
    farm()

    text = _as_the_controller_sees_it(run_module("win_rds_virtual_channel", {
        "session_id": 2, "name": "ECHO", "data": TEXT, "read": True, "timeout": 1}))
    raw = bytes(range(256)) + "😀".encode("utf-8")
    binary = _as_the_controller_sees_it(run_module("win_rds_virtual_channel", {
        "session_id": 2, "name": "ECHO", "data_base64": base64.b64encode(raw).decode(), "read": True, "timeout": 1}))

    assert text["reply"] == TEXT and text["written_bytes"] == len(TEXT.encode("utf-8"))
    assert base64.b64decode(binary["reply_base64"]) == raw and binary["reply"] is None
