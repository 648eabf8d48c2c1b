# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The work of win_rds_message against the emulated farm: who gets the message, what they see, their answers."""

from __future__ import annotations

import contextlib
import threading
import time

import pytest
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from rds_emulator.emulator import Call
from rendezvous import Rendezvous

from ansible_collections.wtsadmin.rds.plugins.module_utils import _messages
from ansible_collections.wtsadmin.rds.plugins.module_utils._fanout import MAX_PARALLEL_SERVERS
from ansible_collections.wtsadmin.rds.plugins.module_utils._messages import (
    MAX_PARALLEL_MESSAGES,
    MAX_TEXT_BYTES,
    message_problem,
    message_selection,
    send_messages,
)
from ansible_collections.wtsadmin.rds.plugins.modules import win_rds_message


def message(**args):
    """win_rds_message's validated parameters."""
    checked = ArgumentSpecValidator(win_rds_message.module_args()["argument_spec"]).validate(args)
    assert not checked.errors.errors, checked.errors.errors
    return checked.validated_parameters


def send(check_mode=False, **args):
    """send_messages with the task's options ``args``, unpacked as win_rds_message's main() does."""
    p = message(**args)
    return send_messages(p["server"], message_selection(p), p["msg"], p["title"], p["buttons"], p["icon"],
                         p["default_button"], p["timeout"], p["wait"], check_mode)


def by_id(sessions):
    return {session["session_id"]: session for session in sessions}


def user_sessions(state, server="RDSH01"):
    return [s for s in state["servers"][server]["sessions"] if s["id"] != 0 and s["state"] != "listen"]


def test_by_default_every_active_session_with_a_user_gets_the_message(emulator):
    [entry] = send(msg="Maintenance at 20:00")

    expected = [s["id"] for s in user_sessions(emulator.state) if s["state"] == "active" and s["user"]]
    assert [s["session_id"] for s in entry["sessions"]] == expected
    for session_id in expected:
        assert emulator.session("RDSH01", session_id)["messages"][0]["text"] == "Maintenance at 20:00"
    assert all(s["answer"] == "async" and s["result"] == "sent" for s in entry["sessions"])


def test_answers_are_collected_by_name_and_a_silent_user_times_out(emulator):
    [entry] = send(msg="Log off now?", buttons="yes_no", wait=True, timeout=2)

    answers = {s["session_id"]: s["answer"] for s in entry["sessions"]}
    assert answers == {1: "ok", 2: "yes", 4: "timeout", 5: "ok"}


def test_with_wait_the_answers_of_all_sessions_are_awaited_at_the_same_time(emulator, monkeypatch):
    # each WTSSendMessageW with bWait holds its thread until the user answers: every session's wait must be in
    # flight at once (n sessions take one answer's time, not n)
    asked = [s for s in user_sessions(emulator.state) if s["state"] == "active" and s["user"]]
    for session in emulator.state["servers"]["RDSH01"]["sessions"]:
        session.update(message_response="no", message_delay_seconds=0.1)
    waits, answer = Rendezvous(len(asked)), Call.sleep

    def answer_when_all_wait(call, seconds):
        if call.name == "WTSSendMessageW":
            with call.transaction.released():
                waits.arrive()
        answer(call, seconds)

    monkeypatch.setattr(Call, "sleep", answer_when_all_wait)

    [entry] = send(msg="Ready?", buttons="yes_no", wait=True, timeout=10)

    assert len(asked) >= 4 and waits.arrivals == len(asked)
    waits.assert_all_met()
    assert {s["answer"] for s in entry["sessions"]} == {"no"}


def test_unicode_text_and_title_round_trip(emulator):
    text, title = "Zoë, 服务器 restarts 🚀\nSave your work.", "Wartung ⚙"

    send(msg=text, title=title, username="zoë*")

    [shown] = emulator.session("RDSH01", 5)["messages"]
    assert (shown["text"], shown["title"]) == (text, title)


@pytest.mark.parametrize("title", [None, "", "   "])
def test_an_empty_title_is_replaced(emulator, title):
    send(msg="x", title=title, session_id=2)

    assert emulator.session("RDSH01", 2)["messages"][0]["title"] == "Message from your administrator"


def test_buttons_icon_and_default_button_make_the_message_box_style(emulator):
    send(msg="x", session_id=2, buttons="yes_no_cancel", icon="question", default_button=3)

    assert emulator.session("RDSH01", 2)["messages"][0]["style"] == 0x3 | 0x20 | 0x200


def test_check_mode_sends_nothing_and_lists_the_recipients(emulator):
    [entry] = send(check_mode=True, msg="x", wait=True, timeout=5)

    assert emulator.mutating_calls == []
    assert len(entry["sessions"]) == 4
    assert all(s["answer"] is None and s["result"] == "would_send" for s in entry["sessions"])


def test_a_message_failure_on_one_session_does_not_stop_the_others(emulator):
    emulator.inject("WTSSendMessageW", 5, session_id=2)
    emulator.inject("WTSSendMessageW", 7022, session_id=4)

    [entry] = send(msg="x")

    sessions = by_id(entry["sessions"])
    assert sessions[2]["result"] == "failed" and '"Message" permission' in sessions[2]["error"]
    assert sessions[4]["result"] == "vanished" and sessions[4]["answer"] is None
    assert sessions[5]["answer"] == "async"


def test_the_message_options_are_checked_before_anything_is_sent():
    def problem(**args):
        p = message(**args)
        return message_problem(p["msg"], p["title"], p["buttons"], p["default_button"], p["timeout"], p["wait"])

    assert problem(msg="ok") is None
    assert problem(msg="ok", buttons="yes_no", default_button=2) is None
    assert "has only 2 buttons" in problem(msg="x", buttons="yes_no", default_button=3)
    assert "needs a timeout" in problem(msg="x", wait=True)
    assert "msg is empty" in problem(msg="  ")
    assert "timeout -1" in problem(msg="x", timeout=-1)
    assert problem(msg="é" * (MAX_TEXT_BYTES // 2)) is None
    assert "msg is 1024 bytes" in problem(msg="é" * (MAX_TEXT_BYTES // 2 + 1))
    assert "title is 1024 bytes" in problem(msg="x", title="😀" * 256)


def test_the_threads_of_a_farm_message_are_bounded_in_total_not_only_per_server(monkeypatch):
    # issue #19: 72 servers opened up to 916 threads (64 servers x up to 256 message threads each). The Windows
    # side is left out here (no emulator): this is about the task's own threads.
    lock, peak, sent = threading.Lock(), [0], []
    before = threading.active_count()

    @contextlib.contextmanager
    def no_server(server):
        yield server

    def eight_sessions(handle, server, selection, pool=None):
        return [{"session_id": n, "user": "CONTOSO\\\\u%d" % n} for n in range(2, 10)], [], [], {}

    def send_one(handle, session_id, **message):
        with lock:
            peak[0] = max(peak[0], threading.active_count() - before)
            sent.append((handle, session_id))
        time.sleep(1)  # a user reading the message
        return 1

    monkeypatch.setattr(_messages, "open_server", no_server)
    monkeypatch.setattr(_messages, "list_sessions", eight_sessions)
    monkeypatch.setattr(_messages, "send_message", send_one)
    servers = ["RDSH%02d" % n for n in range(72)]

    send(msg="x", server=servers, wait=True, timeout=30)

    assert len(sent) == 72 * 8 and len(set(sent)) == 72 * 8
    assert peak[0] <= MAX_PARALLEL_SERVERS + MAX_PARALLEL_MESSAGES, peak[0]
