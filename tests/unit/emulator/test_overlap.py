"""Calls made at once by several threads: each is served (one after another under the emulator's lock, in any
order), counted per server handle, and the most calls in flight at once on a server are recorded."""

from __future__ import annotations

import threading

WTSSessionInfoEx = 24


def _query_on_own_handle(win, server, session_id, answers):
    handle = win.open_server(server)
    try:
        answers.append(win.query(handle, session_id, WTSSessionInfoEx)[:2])
    finally:
        win.wtsapi32.WTSCloseServer(handle)


def test_calls_from_several_threads_overlap_and_each_is_answered(emulator, win):
    emulator.gate_calls("RDSH02", 4)
    answers = []
    threads = [threading.Thread(target=_query_on_own_handle, args=(win, "RDSH02", 1, answers)) for _thread in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [(True, 0)] * 4
    assert not emulator.gate_timed_out("RDSH02")
    assert emulator.max_concurrent_calls("RDSH02") == 4
    assert emulator.max_concurrent_calls("RDSH01") == 0


def test_calls_one_after_another_never_overlap(emulator, win):
    handle = win.open_server("rdsh02")  # names compare case-insensitively
    for session_id in (1, 2, 1):
        win.query(handle, session_id, WTSSessionInfoEx)
    win.wtsapi32.WTSCloseServer(handle)
    assert emulator.max_concurrent_calls("RDSH02") == 1


def test_a_gate_that_is_never_reached_lets_the_calls_through_after_its_timeout(emulator, win):
    emulator.gate_calls("RDSH02", 2, timeout=0.1)
    answers = []
    _query_on_own_handle(win, "RDSH02", 1, answers)
    assert answers == [(True, 0)]
    assert emulator.gate_timed_out("RDSH02")


def test_a_gate_lets_the_calls_before_it_through(emulator, win):
    emulator.gate_calls("RDSH02", 2, after=2, timeout=0.1)
    answers = []
    _query_on_own_handle(win, "RDSH02", 1, answers)  # the query and WTSCloseServer
    assert answers == [(True, 0)]
    assert not emulator.gate_timed_out("RDSH02")


def test_calls_are_counted_per_server_handle(emulator, win):
    first, second = win.open_server("RDSH02"), win.open_server("RDSH02")
    for _query in range(3):
        win.query(first, 1, WTSSessionInfoEx)
    win.query(second, 1, WTSSessionInfoEx)
    win.wtsapi32.WTSCloseServer(first)
    win.wtsapi32.WTSCloseServer(second)
    counted = [(entry["server"], entry["calls"], entry["closed"]) for entry in emulator.handle_calls()]
    assert counted == [("RDSH02", 4, True), ("RDSH02", 2, True)]  # the queries and WTSCloseServer
    emulator.reset_counters()
    assert emulator.max_concurrent_calls("RDSH02") == 0
