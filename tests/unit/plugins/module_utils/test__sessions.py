# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Sessions as the modules see them, and the work of win_rds_session_info and win_rds_session, against the
emulated farm."""

from __future__ import annotations

import threading

import pytest
import rds_emulator
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.wtsadmin.rds.plugins.module_utils import _sessions
from ansible_collections.wtsadmin.rds.plugins.module_utils._fanout import MAX_PARALLEL_SERVERS
from ansible_collections.wtsadmin.rds.plugins.module_utils._selection import SessionSelection
from ansible_collections.wtsadmin.rds.plugins.module_utils._sessions import (
    QUERY_WORKERS_PER_SERVER,
    change_sessions,
    list_sessions,
    query_pool,
    report_sessions,
)
from ansible_collections.wtsadmin.rds.plugins.module_utils.winapi import WinApiError
from ansible_collections.wtsadmin.rds.plugins.module_utils.wts import open_server
from ansible_collections.wtsadmin.rds.plugins.modules import win_rds_session, win_rds_session_info


def params(module, **args):
    """The task's parameters as the controller validates them for ``module``."""
    checked = ArgumentSpecValidator(module.module_args()["argument_spec"]).validate(args)
    assert not checked.errors.errors, checked.errors.errors
    return checked.validated_parameters


def report(p):
    """report_sessions with the validated parameters ``p``, unpacked as win_rds_session_info's main() does."""
    return report_sessions(p["server"], SessionSelection.from_params(p))


def change(p, check_mode):
    """change_sessions with the validated parameters ``p``, unpacked as win_rds_session's main() does."""
    return change_sessions(p["server"], SessionSelection.from_params(p, acting=True), p["state"], p["wait"],
                           p["timeout"], check_mode)


def seconds(later, earlier):
    return int((rds_emulator.state.parse_time(later) - rds_emulator.state.parse_time(earlier)).total_seconds())


def by_id(sessions):
    return {session["session_id"]: session for session in sessions}


def user_sessions(state, server="RDSH01"):
    return [s for s in state["servers"][server]["sessions"] if s["id"] != 0 and s["state"] != "listen"]


# --- win_rds_session_info ----------------------------------------------------------------------------

def test_the_user_sessions_are_listed_without_session_0_and_listeners(emulator):
    [entry] = report(params(win_rds_session_info))

    assert entry["server"] is None and entry["failed"] is False
    assert [s["session_id"] for s in entry["sessions"]] == [s["id"] for s in user_sessions(emulator.state)]


def test_include_system_also_lists_session_0_and_the_listener(emulator):
    [entry] = report(params(win_rds_session_info, include_system=True))

    every = emulator.state["servers"]["RDSH01"]["sessions"]
    assert [s["session_id"] for s in entry["sessions"]] == [s["id"] for s in every]


def test_each_session_carries_user_client_and_times_in_iso_utc(emulator):
    alice = emulator.session("RDSH01", 2)

    session = by_id(report(params(win_rds_session_info))[0]["sessions"])[2]

    assert session["user"] == "CONTOSO\\alice"
    assert (session["username"], session["domain"]) == ("alice", "CONTOSO")
    assert session["client_name"] == alice["client_name"]
    assert session["client_address"] == alice["client_address"]
    assert session["client_display"] == alice["client_display"]
    assert session["client_protocol"] == "rdp" and session["is_remote"] is True
    assert session["logon_time"] == alice["logon_time"]
    assert session["last_input_time"] == alice["last_input_time"]
    assert session["disconnect_time"] is None
    assert session["host_name"] == "RDSH01"
    assert session["outgoing_bytes"] == alice["outgoing_bytes"]


def test_idle_and_disconnected_times_come_from_the_servers_own_clock(emulator):
    server_now = emulator.server_now("RDSH01").strftime("%Y-%m-%dT%H:%M:%SZ")
    alice, bob = emulator.session("RDSH01", 2), emulator.session("RDSH01", 3)
    assert emulator.state["servers"]["RDSH01"]["clock_offset_seconds"] != 0, "the sample server's clock is off"

    sessions = by_id(report(params(win_rds_session_info))[0]["sessions"])

    assert sessions[2]["idle_seconds"] == seconds(server_now, alice["last_input_time"])
    assert sessions[2]["disconnected_seconds"] is None
    assert sessions[3]["disconnected_seconds"] == seconds(server_now, bob["disconnect_time"])
    assert sessions[3]["idle_seconds"] == sessions[3]["disconnected_seconds"]


def test_the_lock_state_is_right_also_on_windows_2008_r2_where_windows_inverts_it(emulator):
    results = report(params(win_rds_session_info, server=["RDSH01", "RDSH02"]))

    for entry in results:
        for session in entry["sessions"]:
            assert session["locked"] == emulator.session(entry["server"], session["session_id"])["locked"]
    assert any(session["locked"] for session in results[1]["sessions"])
    assert emulator.calls["NetServerGetInfo"] == 2


def test_the_version_is_not_asked_when_no_session_reports_a_lock_state(emulator):
    report(params(win_rds_session_info, session_state="disconnected"))

    assert emulator.calls["NetServerGetInfo"] == 0


def test_a_short_answer_from_windows_fails_the_server_with_a_clear_message_not_a_traceback(emulator):
    emulator.session("RDSH01", 2)["raw_answers"] = {"25": "AAAA"}  # WTSSessionInfoEx: 3 bytes

    [entry] = report(params(win_rds_session_info))

    assert entry["failed"] is True
    assert "WTSQuerySessionInformationW failed" in entry["msg"] and "where WTSINFOEXW takes" in entry["msg"]


LONG_USER = "a.very.long.entra.id.user.name.of.sixty.four.characters.12345678"  # 64 characters
LONG_DOMAIN = "AzureAD"


def test_user_names_longer_than_twenty_characters_are_reported_and_matched_in_full(emulator):
    assert len(LONG_USER) == 64
    emulator.state["servers"]["RDSH01"]["sessions"].append(rds_emulator.make_session(
        9, station="RDP-Tcp#9", state="active", user=LONG_USER, domain=LONG_DOMAIN, protocol="rdp"))

    [entry] = report(params(win_rds_session_info, username=[LONG_USER]))

    [session] = entry["sessions"]
    assert (session["session_id"], session["username"], session["domain"]) == (9, LONG_USER, LONG_DOMAIN)
    assert session["user"] == "AzureAD\\" + LONG_USER
    [entry] = report(params(win_rds_session_info, username=["AzureAD\\a.very.long.*.12345678"]))
    assert [session["session_id"] for session in entry["sessions"]] == [9]


def test_the_fixed_arrays_name_the_user_where_the_enumeration_has_no_names(emulator):
    emulator.state["hidden_exports"] = ["WTSEnumerateSessionsExW"]  # WTSEnumerateSessionsW: no user names

    [entry] = report(params(win_rds_session_info, session_id=[2]))

    assert entry["sessions"][0]["user"] == "CONTOSO\\alice"


@pytest.mark.parametrize("fault", ["inject", "server_service"])
def test_an_unreadable_version_keeps_the_lock_state_as_windows_gives_it_and_warns_once(emulator, fault):
    if fault == "inject":
        emulator.inject("NetServerGetInfo", 5)
    else:
        emulator.state["servers"]["RDSH01"]["server_service"] = False  # hardened: the Server service is off

    [entry] = report(params(win_rds_session_info))

    for session in entry["sessions"]:
        assert session["locked"] == emulator.session("RDSH01", session["session_id"])["locked"]
    assert any(session["locked"] is not None for session in entry["sessions"])
    [warning] = entry["warnings"]
    assert "NetServerGetInfo failed" in warning and "Windows Server 2008 R2" in warning
    assert emulator.calls["NetServerGetInfo"] == 1


def test_an_unreadable_version_on_windows_2008_r2_reports_the_flag_as_given(emulator):
    emulator.state["servers"]["RDSH01"].update(os_version="6.1", server_service=False)

    [entry] = report(params(win_rds_session_info))

    raw = [session for session in entry["sessions"] if session["locked"] is not None]
    assert raw and all(session["locked"] != emulator.session("RDSH01", session["session_id"])["locked"]
                       for session in raw)
    assert entry["warnings"]


def test_one_enumeration_and_at_most_three_queries_per_session(emulator):
    [entry] = report(params(win_rds_session_info))

    assert emulator.calls["WTSEnumerateSessionsExW"] == 1
    assert emulator.calls["WTSQuerySessionInformationW"] <= 3 * len(entry["sessions"])


@pytest.mark.parametrize("error", [2, 7022])
def test_a_session_that_ends_between_listing_and_query_is_left_out_not_fatal(emulator, error):
    emulator.inject("WTSQuerySessionInformationW", error, session_id=4)

    [entry] = report(params(win_rds_session_info))

    assert entry["failed"] is False
    assert 4 not in by_id(entry["sessions"])
    assert {2, 3, 5} <= set(by_id(entry["sessions"]))


def test_another_query_error_fails_the_server_with_an_admin_message(emulator):
    emulator.inject("WTSQuerySessionInformationW", 5, session_id=4)

    [entry] = report(params(win_rds_session_info))

    assert entry["failed"] is True
    assert '"Query Information" permission' in entry["msg"]


def test_filters_narrow_the_list_and_counts_follow_the_states(emulator):
    [entry] = report(params(win_rds_session_info, state="disconnected", min_disconnected_seconds=60))

    expected = [s["id"] for s in user_sessions(emulator.state) if s["state"] == "disconnected"]
    assert [s["session_id"] for s in entry["sessions"]] == expected
    assert entry["counts"]["disconnected"] == len(expected)
    assert entry["counts"]["active"] == 0
    assert set(entry["counts"]) >= {"active", "connected", "disconnected", "listen"}


def test_usernames_select_across_domain_forms_and_case(emulator):
    [entry] = report(params(win_rds_session_info, username=["contoso\\ALICE", "bob@CONTOSO", "zoë*"]))

    assert [s["user"] for s in entry["sessions"]] == ["CONTOSO\\alice", "CONTOSO\\bob", "CONTOSO\\Zoë😀"]


def test_users_are_matched_from_the_details_when_the_listing_has_none(emulator):
    emulator.state["hidden_exports"].append("WTSEnumerateSessionsExW")

    [entry] = report(params(win_rds_session_info, username="carol"))

    assert [s["user"] for s in entry["sessions"]] == ["CONTOSO\\carol"]


def test_one_unreachable_server_is_reported_and_the_others_listed(emulator):
    results = report(params(win_rds_session_info, server=["RDSH02", "RDSH03", "RDSH01"]))

    assert [entry["server"] for entry in results] == ["RDSH02", "RDSH03", "RDSH01"]
    assert [entry["failed"] for entry in results] == [False, True, False]
    assert "on RDSH03: [1722]" in results[1]["msg"]
    assert [s["user"] for s in results[0]["sessions"]] == ["CONTOSO\\dave", "CONTOSO\\erin"]


# --- the queries of a remote server, made by several threads at once ----------------------------------

def with_remote_server(emulator, count, server="RDSH09"):
    """The sample farm plus ``server``, remote, with ``count`` user sessions of varied states and clients."""
    state = rds_emulator.sample_state()
    state["servers"][server] = rds_emulator.make_server([rds_emulator.make_session(
        number, station="RDP-Tcp#%d" % number, user="user%02d" % number, domain="CONTOSO",
        state=("active", "disconnected", "idle")[number % 3], client_name="PC%02d" % number,
        client_address="10.9.0.%d" % number, locked=number % 2 == 0, logon_time="2026-03-14T07:%02d:00Z" % number,
        last_input_time="2026-03-14T08:%02d:00Z" % number) for number in range(1, count + 1)])
    emulator.replace_state(state)
    return server


def listed_one_after_another(server):
    with open_server(server) as handle:
        return list_sessions(handle, server, SessionSelection())


def listed_at_once(server):
    with query_pool([server]) as pool, open_server(server) as handle:
        return list_sessions(handle, server, SessionSelection(), pool)


def test_a_remote_servers_queries_overlap_on_four_handles_and_give_what_one_after_another_gives(emulator):
    server = with_remote_server(emulator, 12)
    serial = listed_one_after_another(server)
    assert emulator.max_concurrent_calls(server) == 1
    serial_handles = len(emulator.handle_calls())
    emulator.reset_counters()
    # the enumeration and the first session's three queries are made alone (_describe_all); the calls after
    # them are held until four are in flight at once
    emulator.gate_calls(server, QUERY_WORKERS_PER_SERVER, after=4)

    overlapped = listed_at_once(server)

    assert overlapped == serial
    assert [s["session_id"] for s in overlapped[0]] == list(range(1, 13))
    assert not emulator.gate_timed_out(server)
    assert emulator.max_concurrent_calls(server) == QUERY_WORKERS_PER_SERVER == 4
    handles = emulator.handle_calls()[serial_handles:]
    assert len(handles) == QUERY_WORKERS_PER_SERVER and all(entry["closed"] for entry in handles)
    assert emulator.calls["WTSQuerySessionInformationW"] == 3 * 12
    assert emulator.calls["WTSEnumerateSessionsExW"] == 1


def test_win_rds_session_info_overlaps_a_remote_servers_queries(emulator):
    server = with_remote_server(emulator, 8)
    emulator.gate_calls(server, QUERY_WORKERS_PER_SERVER, after=4)

    [entry] = report(params(win_rds_session_info, server=server))

    assert len(entry["sessions"]) == 8 and not emulator.gate_timed_out(server)
    assert emulator.max_concurrent_calls(server) == QUERY_WORKERS_PER_SERVER


def test_the_local_server_is_asked_by_one_thread(emulator):
    [entry] = report(params(win_rds_session_info))

    assert len(entry["sessions"]) > 1
    assert emulator.max_concurrent_calls(None) == 1
    assert emulator.calls["WTSOpenServerExW"] == 0


def test_a_session_that_ends_while_the_others_are_asked_at_once_loses_none_of_the_others(emulator):
    server = with_remote_server(emulator, 12)
    serial = listed_one_after_another(server)
    emulator.inject("WTSQuerySessionInformationW", 7022, session_id=5, server=server)

    sessions, protected, warnings, _not_found = listed_at_once(server)

    assert sessions == [session for session in serial[0] if session["session_id"] != 5]
    assert (protected, warnings) == (serial[1], serial[2])


@pytest.mark.parametrize("poison", [False, True], ids=["open fails", "unusable handle"])
def test_a_helper_whose_handle_fails_leaves_its_sessions_to_the_servers_own_handle(emulator, poison):
    server = with_remote_server(emulator, 12)
    serial = listed_one_after_another(server)
    with query_pool([server]) as pool, open_server(server) as handle:
        # every handle opened after the server's own: WTSOpenServerExW fails, or gives a handle that fails (6)
        emulator.inject("WTSOpenServerExW", 1722 if not poison else 6, times=None, poison_handle=poison)
        overlapped = list_sessions(handle, server, SessionSelection(), pool)

    assert overlapped == serial
    assert emulator.calls["WTSQuerySessionInformationW"] >= 3 * 12


def test_another_query_error_fails_the_server_whether_asked_at_once_or_one_after_another(emulator):
    server = with_remote_server(emulator, 12)
    emulator.inject("WTSQuerySessionInformationW", 5, session_id=7, server=server, times=None)
    with pytest.raises(WinApiError) as serial:
        listed_one_after_another(server)

    with pytest.raises(WinApiError) as overlapped:
        listed_at_once(server)

    assert str(overlapped.value) == str(serial.value)
    assert (overlapped.value.code, overlapped.value.server) == (5, server)


def test_the_threads_of_a_farm_wide_listing_are_bounded_in_total(emulator, monkeypatch):
    # issue #19: bound the task's threads in total, not per level; 72 servers x up to 3 helpers each
    state = rds_emulator.sample_state()
    names = ["RDSF%02d" % number for number in range(72)]
    for name in names:
        state["servers"][name] = rds_emulator.make_server([rds_emulator.make_session(n, user="u%d" % n)
                                                           for n in range(1, 9)])
    emulator.replace_state(state)
    # RDS_EMULATOR_CHECK_WRITES compares the whole state around every call: with 72 servers that is most of the
    # test's time, and this test is about threads, not the emulator's bookkeeping
    monkeypatch.setattr(emulator, "_check_writes", False)
    for name in names:
        emulator.set_latency(name, 0.005)  # a round trip, so that the threads of the servers overlap
    lock, peak, before = threading.Lock(), [0], threading.active_count()
    original = _sessions.session_details

    def counting(handle, session_id):
        with lock:
            peak[0] = max(peak[0], threading.active_count() - before)
        return original(handle, session_id)

    monkeypatch.setattr(_sessions, "session_details", counting)
    results = report(params(win_rds_session_info, server=names))

    assert [len(entry["sessions"]) for entry in results] == [8] * 72
    assert peak[0] <= MAX_PARALLEL_SERVERS * QUERY_WORKERS_PER_SERVER, peak[0]
    assert max(emulator.max_concurrent_calls(name) for name in names) <= QUERY_WORKERS_PER_SERVER


# --- win_rds_session ---------------------------------------------------------------------------------

def test_logoff_of_disconnected_sessions_waits_until_they_are_gone(emulator):
    [entry], diff = change(params(win_rds_session, session_state="disconnected", state="logged_off"), False)

    assert entry["changed"] is True
    assert [(s["session_id"], s["previous_state"], s["state"], s["result"]) for s in entry["sessions"]] == [
        (3, "disconnected", "logged_off", "logged_off"), (6, "disconnected", "logged_off", "logged_off")]
    assert emulator.session("RDSH01", 3) is None and emulator.session("RDSH01", 6) is None
    assert diff == {"before": {"session 3 (CONTOSO\\bob)": "disconnected", "session 6 (no user)": "disconnected"},
                    "after": {"session 3 (CONTOSO\\bob)": "logged_off", "session 6 (no user)": "logged_off"}}


def test_a_second_run_changes_nothing(emulator):
    task = params(win_rds_session, session_state="disconnected", state="logged_off")
    change(task, False)
    emulator.reset_counters()

    [entry], diff = change(task, False)

    assert entry["changed"] is False and entry["sessions"] == []
    assert emulator.mutating_calls == []


def test_disconnecting_an_already_disconnected_session_is_unchanged(emulator):
    [entry], diff = change(params(win_rds_session, session_id=[2, 3], state="disconnected"), False)

    results = {s["session_id"]: s["result"] for s in entry["sessions"]}
    assert results == {2: "disconnected", 3: "unchanged"}
    assert emulator.session("RDSH01", 2)["state"] == "disconnected"
    assert [call["args"]["SessionId"] for call in emulator.mutating_calls] == [2]
    assert diff["before"]["session 3 (CONTOSO\\bob)"] == diff["after"]["session 3 (CONTOSO\\bob)"] == "disconnected"


def test_check_mode_calls_nothing_and_predicts_the_real_result_and_diff(emulator):
    task = params(win_rds_session, min_idle_seconds=3600, state="logged_off")

    predicted, predicted_diff = change(task, True)
    assert emulator.mutating_calls == []
    assert all(emulator.session("RDSH01", s["session_id"]) for s in predicted[0]["sessions"])
    real, real_diff = change(task, False)

    assert predicted_diff == real_diff
    assert {s["result"] for s in real[0]["sessions"]} == {"logged_off"}
    assert predicted[0]["sessions"] == [dict(s, result="would_log_off") for s in real[0]["sessions"]]
    assert predicted[0]["changed"] is real[0]["changed"] is True


def test_the_console_is_left_alone_and_reported_unless_allow_console(emulator):
    [entry], _diff = change(params(win_rds_session, all=True, state="disconnected"), True)
    [allowed], _diff = change(
        params(win_rds_session, all=True, allow_console=True, state="disconnected"), True)

    assert 1 not in by_id(entry["sessions"])
    assert entry["protected"] == [{"session_id": 1, "user": "RDSH01\\Administrator",
                                   "reason": "the console session is acted on only with allow_console: true"}]
    assert 1 in by_id(allowed["sessions"]) and allowed["protected"] == []


@pytest.mark.parametrize("protocol_read", ["kept", "console"])
def test_a_disconnected_rdp_session_is_no_console_whatever_protocol_type_it_reads(emulator, protocol_read):
    # issue #12 item 6: wts_info_class documents WTSClientProtocolType 0 as "The console session" and is silent on
    # a disconnected RDP session; the emulator answers it both ways. bob's RDP session 3 is disconnected.
    emulator.state["servers"]["RDSH01"]["disconnected_protocol"] = protocol_read

    [entry], _diff = change(params(win_rds_session, username=["bob"], state="logged_off"), True)

    assert [s["session_id"] for s in entry["sessions"]] == [3] and entry["protected"] == []


def test_the_session_attached_to_the_physical_console_is_the_console_on_this_host(emulator):
    # WTSGetActiveConsoleSessionId names alice's RDP session 2 (attached to the console, tscon): protected here;
    # another host cannot ask it and goes by WinStation name and protocol type.
    emulator.state["servers"]["RDSH01"]["console_session_id"] = 2

    [entry], _diff = change(params(win_rds_session, username=["alice"], state="logged_off"), True)

    assert entry["sessions"] == [] and [p["session_id"] for p in entry["protected"]] == [2]


def test_a_disconnected_session_named_console_stays_the_console(emulator):
    emulator.state["servers"]["RDSH01"]["disconnected_protocol"] = "console"
    emulator.session("RDSH01", 1)["state"] = "disconnected"

    [entry], _diff = change(params(win_rds_session, username=["Administrator"], state="logged_off"), True)

    assert entry["sessions"] == [] and [p["session_id"] for p in entry["protected"]] == [1]


def test_min_idle_seconds_never_selects_the_console_whose_idle_time_is_unreliable(emulator):
    # the console (session 1) has been idle for an hour by its LastInputTime, which is not trusted for the console
    emulator.session("RDSH01", 1)["last_input_time"] = "2026-03-14T07:00:00Z"

    [info] = report(params(win_rds_session_info, min_idle_seconds=60))
    [acting], _diff = change(params(win_rds_session, min_idle_seconds=60, allow_console=True,
                                    state="logged_off"), True)
    [named] = report(params(win_rds_session_info, session_id=[1]))

    assert 1 not in by_id(info["sessions"]) and 1 not in by_id(acting["sessions"])
    assert by_id(named["sessions"])[1]["idle_seconds"] > 3600  # still reported as Windows gives it


def test_all_never_reaches_session_0_or_the_listener(emulator):
    [entry], _diff = change(params(win_rds_session, all=True, allow_console=True, state="logged_off"), False)

    assert [s["session_id"] for s in entry["sessions"]] == [s["id"] for s in user_sessions(rds_emulator.sample_state())]
    assert emulator.session("RDSH01", 0) is not None and emulator.session("RDSH01", 65536) is not None
    assert {call["args"]["SessionId"] for call in emulator.mutating_calls}.isdisjoint({0, 65536})


def test_a_failure_on_one_session_does_not_stop_the_others_and_is_explained(emulator):
    emulator.inject("WTSLogoffSession", 5, session_id=4)

    [entry], diff = change(params(win_rds_session, username=["alice", "carol"], state="logged_off"), False)

    sessions = by_id(entry["sessions"])
    assert sessions[2]["result"] == "logged_off" and emulator.session("RDSH01", 2) is None
    assert sessions[4]["result"] == "failed" and sessions[4]["state"] == "active"
    assert sessions[4]["error"].startswith(
        "WTSLogoffSession failed for session 4 (CONTOSO\\carol): [5]")
    assert '"Reset" permission' in sessions[4]["error"]
    assert diff["after"]["session 4 (CONTOSO\\carol)"] == "active"


def test_a_session_that_ends_before_its_logoff_is_not_a_failure(emulator):
    emulator.inject("WTSLogoffSession", 7022, session_id=3)

    [entry], _diff = change(params(win_rds_session, session_id=3, state="logged_off"), False)

    assert entry["sessions"][0]["result"] == "vanished"
    assert "error" not in entry["sessions"][0]
    assert entry["changed"] is False


def test_a_logoff_that_does_not_finish_in_time_is_a_failure(emulator):
    emulator.state["servers"]["RDSH01"]["logoff_delay_seconds"] = 30

    [entry], _diff = change(params(win_rds_session, session_id=3, state="logged_off", timeout=1), False)

    assert emulator.session("RDSH01", 3) is not None  # given up on before the 30 s logoff finished
    assert entry["sessions"][0]["result"] == "failed"
    assert "still disconnected 1 s after" in entry["sessions"][0]["error"]
    assert "Raise timeout" in entry["sessions"][0]["error"]


def test_without_wait_the_logoff_is_requested_and_not_awaited(emulator):
    emulator.state["servers"]["RDSH01"]["logoff_delay_seconds"] = 30

    [entry], _diff = change(params(win_rds_session, session_id=3, state="logged_off", wait=False), False)

    assert entry["sessions"][0]["result"] == "logged_off"
    assert emulator.session("RDSH01", 3) is not None


def test_sessions_of_several_servers_are_changed_and_one_unreachable_is_reported(emulator):
    results, diff = change(params(win_rds_session, server=["RDSH02", "RDSH03"], session_state="disconnected",
                                  state="logged_off"), False)

    assert [s["user"] for s in results[0]["sessions"]] == ["CONTOSO\\erin"]
    assert emulator.session("RDSH02", 2) is None
    assert results[1]["failed"] is True
    assert diff["after"] == {"RDSH02 session 2 (CONTOSO\\erin)": "logged_off"}


def test_list_sessions_leaves_the_console_to_the_guardrail_and_sorts_by_id(emulator):
    with open_server(None) as handle:
        sessions, protected, warnings, not_found = list_sessions(handle, None, SessionSelection(include_console=False))

    assert [s["session_id"] for s in sessions] == sorted(s["session_id"] for s in sessions)
    assert [p["session_id"] for p in protected] == [1]
    assert warnings == [] and not_found == {"session_id": [], "username": []}


@pytest.mark.parametrize("exported", [True, False], ids=["WTSEnumerateSessionsExW", "WTSEnumerateSessionsW"])
def test_a_named_user_is_reported_missing_only_when_every_session_user_is_known(emulator, exported):
    # issue #15, item 6: WTSEnumerateSessionsW names no user, so a user whose session the state filter left
    # undescribed may exist; WTSEnumerateSessionsExW names every user
    if not exported:
        emulator.state["hidden_exports"] = ["WTSEnumerateSessionsExW"]
    with open_server(None) as handle:
        narrowed = list_sessions(handle, None, SessionSelection(usernames=["CONTOSO\\frank"], states=["active"]))[3]
        every = list_sessions(handle, None, SessionSelection(usernames=["CONTOSO\\frank", "bob"]))[3]

    assert narrowed == {"session_id": [], "username": ["CONTOSO\\frank"] if exported else []}
    assert every == {"session_id": [], "username": ["CONTOSO\\frank"]}
