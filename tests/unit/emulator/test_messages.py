"""WTSSendMessageW: byte lengths, scripted answers with their delays, timeouts, and parallel callers."""

from __future__ import annotations

import threading
from ctypes import byref, c_uint32

IDYES, IDOK, IDTIMEOUT, IDASYNC = 6, 1, 32000, 32001


def send(win, session_id, title, text, timeout=10, wait=True, title_length=None, text_length=None):
    title_buffer, text_buffer = win.wide(title), win.wide(text)
    if title_length is None:
        title_length = len(title.encode("utf-16-le"))
    if text_length is None:
        text_length = len(text.encode("utf-16-le"))
    response = c_uint32()
    ok = win.wtsapi32.WTSSendMessageW(None, session_id, title_buffer, title_length, text_buffer, text_length,
                                      0x40, timeout, byref(response), wait)
    return ok, response.value


def test_message_is_shown_and_the_scripted_answer_returned(emulator, win):
    assert send(win, 2, "Maintenance", "Please save your work – 5 min") == (1, IDYES)
    shown = emulator.session("RDSH01", 2)["messages"][-1]
    expected = ("Maintenance", "Please save your work – 5 min", IDYES)
    assert (shown["title"], shown["text"], shown["response"]) == expected
    assert emulator.mutating_calls[-1]["args"]["text"] == "Please save your work – 5 min"


def test_length_including_the_nul_is_accepted(emulator, win):
    assert send(win, 2, "T", "Hi", title_length=4, text_length=6) == (1, IDYES)
    assert emulator.errors == []


def test_character_counts_instead_of_bytes_are_misuse_and_garble_the_text(emulator, win):
    text = "Server reboots at 22:00"
    assert send(win, 2, "Notice", text, title_length=len("Notice"), text_length=len(text))[0]
    assert emulator.session("RDSH01", 2)["messages"][-1]["text"] == text[: len(text) // 2]
    problems = emulator.clear_problems()
    assert len(problems) == 2 and all("lengths are in bytes, not characters" in p for p in problems)


def test_odd_byte_length_is_misuse(emulator, win):
    send(win, 2, "Notice", "Hello", text_length=9)
    assert any("MessageLength length 9" in p for p in emulator.clear_problems())


def test_without_wait_the_answer_is_async(emulator, win):
    assert send(win, 5, "T", "Hello", wait=False) == (1, IDASYNC)
    shown = emulator.session("RDSH01", 5)["messages"][-1]
    assert shown["returned_wall"] == shown["wall"]  # returned as the box was shown, not after the user's answer


def test_user_who_never_answers_times_out_after_the_timeout(emulator, win):
    assert send(win, 4, "T", "Hello", timeout=1) == (1, IDTIMEOUT)
    shown = emulator.session("RDSH01", 4)["messages"][-1]
    assert shown["returned_wall"] == shown["wall"] + 1  # the call returned when the Timeout ran out


def test_answer_slower_than_the_timeout_is_a_timeout(emulator, win):
    emulator.session("RDSH01", 2)["message_delay_seconds"] = 5
    assert send(win, 2, "T", "Hello", timeout=1) == (1, IDTIMEOUT)


def test_messages_to_several_sessions_run_in_parallel(emulator, win):
    for session_id in (2, 3, 5):
        emulator.session("RDSH01", session_id).update(message_response="ok", message_delay_seconds=0.6)
    results = {}

    def message(session_id):
        results[session_id] = send(win, session_id, "T", "Hello")

    threads = [threading.Thread(target=message, args=(session_id,)) for session_id in (2, 3, 5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == {2: (1, IDOK), 3: (1, IDOK), 5: (1, IDOK)}
    # Every box was shown before the first answer came back: the waits overlapped.
    shown = [emulator.session("RDSH01", session_id)["messages"][-1] for session_id in (2, 3, 5)]
    assert max(record["wall"] for record in shown) < min(record["returned_wall"] for record in shown)


def test_successive_messages_are_recorded_one_after_the_other(emulator, win):
    emulator.session("RDSH01", 2).update(message_response="ok", message_delay_seconds=0.2)
    send(win, 2, "T", "One")
    send(win, 2, "T", "Two")
    first, second = emulator.session("RDSH01", 2)["messages"][-2:]
    assert first["returned_wall"] == first["wall"] + 0.2
    assert first["returned_wall"] <= second["wall"]


def test_message_to_a_missing_session_fails_with_session_not_found(win):
    import ctypes
    assert send(win, 42, "T", "Hello")[0] == 0
    assert ctypes.get_last_error() == 7022
