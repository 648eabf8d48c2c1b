# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""_processes: name matching, the selection, the guard of critical processes and of the task's own process
tree, and the work of win_rds_process_info and win_rds_process against the emulated farm."""

from __future__ import annotations

import pytest
import rds_emulator

from ansible_collections.wtsadmin.rds.plugins.module_utils._processes import (
    CRITICAL_PROCESS_NAMES,
    ProcessSelection,
    agent_processes,
    cpu_time_unit,
    end_processes,
    name_matches,
    protection,
    report_processes,
)
from ansible_collections.wtsadmin.rds.plugins.module_utils.winapi import current_process_id, process_tree

ORPHAN_SID = "S-1-5-21-1004336348-1177238915-682003330-1190"  # an account deleted since: no name


def params(**given):
    """A task's validated parameters: every option present, as the controller sends them."""
    values = dict(server=None, on_error="fail", name=None, pid=None, session_id=None, username=None, state="absent",
                  exit_code=1, force=False)
    values.update(given)
    return values


def report(p):
    """report_processes with the parameters ``p``, unpacked as win_rds_process_info's main() does."""
    return report_processes(p["server"], ProcessSelection.from_params(p))


def end(p, check_mode):
    """end_processes with the parameters ``p``, unpacked as win_rds_process's main() does."""
    return end_processes(p["server"], ProcessSelection.from_params(p), p["force"], p["exit_code"], check_mode)


def local(emulator):
    return emulator.state["servers"][emulator.state["local_server"]]


def pids_named(emulator, *names, server="RDSH01"):
    wanted = {name.lower() for name in names}
    return sorted(p["pid"] for p in emulator.state["servers"][server]["processes"] if p["name"].lower() in wanted)


def only(results):
    (entry,) = results
    assert entry["failed"] is False, entry.get("msg")
    return entry


# names

@pytest.mark.parametrize("pattern", ["notepad", "notepad.exe", "NOTEPAD.EXE", "NotePad", "note*", "*.exe", "n?tepad",
                                     "[mn]otepad", "*"])
def test_a_name_matches_with_or_without_exe_in_any_case_and_with_wildcards(pattern):
    assert name_matches(pattern, "notepad.exe")


@pytest.mark.parametrize("pattern", ["note", "notepad.ex", "pad", "notepad.exe.exe", "*.com", "word"])
def test_a_name_does_not_match_a_different_program(pattern):
    assert not name_matches(pattern, "notepad.exe")


def test_a_name_without_extension_matches_only_itself():
    assert name_matches("system", "System")
    assert name_matches("System.exe", "System")
    assert not name_matches("System", "SystemSettings.exe")


# the guard

@pytest.mark.parametrize("name", CRITICAL_PROCESS_NAMES + ("LSASS.EXE", "Csrss.exe", "system"))
def test_every_critical_system_process_is_protected_whatever_its_case(name):
    assert protection({"pid": 9999, "name": name}, {}) == "critical system process"


@pytest.mark.parametrize("name", ["svchost.exe", "explorer.exe", "Registry", "lsass2.exe", "my-csrss.exe"])
def test_ordinary_processes_are_not_protected(name):
    assert protection({"pid": 9999, "name": name}, {}) is None


def test_the_task_tree_is_followed_from_the_current_process_up_to_the_root(emulator):
    agent = agent_processes(current_process_id(), process_tree())

    processes = {p["pid"]: p for p in local(emulator)["processes"]}
    expected, pid = [], emulator.state["current_process_id"]
    while pid in processes and pid not in expected:
        expected.append(pid)
        pid = processes[pid]["parent_pid"]
    assert list(agent) == expected
    assert [agent[pid] for pid in expected][:3] == ["python", "powershell", "wsmprovhost"]


def test_the_tree_walk_stops_at_an_exited_parent_and_at_a_loop():
    snapshot = [{"pid": 10, "parent_pid": 20, "name": "python.exe"}, {"pid": 20, "parent_pid": 30, "name": "cmd.exe"},
                {"pid": 40, "parent_pid": 41, "name": "a.exe"}, {"pid": 41, "parent_pid": 40, "name": "b.exe"}]

    assert agent_processes(10, snapshot) == {10: "python", 20: "cmd"}
    assert agent_processes(40, snapshot) == {40: "a", 41: "b"}
    assert agent_processes(99, snapshot) == {}


def test_a_process_belongs_to_the_task_tree_only_when_pid_and_program_both_match():
    agent = {4242: "python", 4200: "powershell"}

    assert protection({"pid": 4242, "name": "python.exe"}, agent) == "runs this task"
    assert protection({"pid": 4200, "name": "PowerShell.EXE"}, agent) == "runs this task"
    assert protection({"pid": 4242, "name": "notepad.exe"}, agent) is None  # same pid on another server


# the selection

PROCESS = {"pid": 3630, "name": "notepad.exe", "session_id": 4, "user": "CONTOSO\\carol", "sid": "S-1-5-21-1-2-3-1106"}


@pytest.mark.parametrize("selection", [
    ProcessSelection(names=["notepad"]),
    ProcessSelection(pids=[1, 3630]),
    ProcessSelection(session_ids=[4]),
    ProcessSelection(usernames=["CONTOSO\\carol"]),
    ProcessSelection(usernames=["carol@CONTOSO"]),
    ProcessSelection(usernames=["CAROL"]),
    ProcessSelection(usernames=["contoso\\c*"]),
    ProcessSelection(names=["word", "note*"], session_ids=[4], usernames=["bob", "carol"]),
])
def test_a_selection_matches_when_every_option_given_matches_one_of_its_items(selection):
    assert selection.matches(PROCESS)


@pytest.mark.parametrize("selection", [
    ProcessSelection(names=["notepad"], session_ids=[3]),
    ProcessSelection(pids=[3631]),
    ProcessSelection(usernames=["FABRIKAM\\carol"]),
    ProcessSelection(usernames=["bob"], names=["notepad"]),
])
def test_a_selection_does_not_match_when_one_option_fails(selection):
    assert not selection.matches(PROCESS)


def test_an_owner_windows_cannot_name_is_matched_by_its_sid_string_and_nothing_matches_no_owner():
    orphan = dict(PROCESS, user=None, sid=ORPHAN_SID)
    ownerless = dict(PROCESS, user=None, sid=None)

    assert ProcessSelection(usernames=[ORPHAN_SID]).matches(orphan)
    assert not ProcessSelection(usernames=["carol"]).matches(orphan)
    assert not ProcessSelection(usernames=["*"]).matches(ownerless)
    assert ProcessSelection(names=["notepad"]).matches(ownerless)


def test_system_accounts_are_matched_by_their_full_or_bare_name():
    system = dict(PROCESS, user="NT AUTHORITY\\SYSTEM")

    assert ProcessSelection(usernames=["NT AUTHORITY\\SYSTEM"]).matches(system)
    assert ProcessSelection(usernames=["system"]).matches(system)


# win_rds_process_info

def test_the_report_lists_every_process_with_owner_counters_and_cpu_seconds(emulator):
    entry = only(report(params()))

    processes = local(emulator)["processes"]
    assert [p["pid"] for p in entry["processes"]] == sorted(p["pid"] for p in processes)
    explorer = next(p for p in entry["processes"] if p["session_id"] == 2 and p["name"] == "explorer.exe")
    state = next(p for p in processes if p["pid"] == explorer["pid"])
    assert explorer["user"] == "CONTOSO\\alice"
    assert explorer["sid"] == state["sid"]
    assert (explorer["threads"], explorer["handles"]) == (state["threads"], state["handles"])
    assert (explorer["working_set"], explorer["peak_working_set"]) == (state["working_set"], state["peak_working_set"])
    assert explorer["user_cpu_seconds"] > 0 and explorer["kernel_cpu_seconds"] > 0
    assert set(explorer) == {"pid", "name", "session_id", "user", "sid", "threads", "handles", "working_set",
                             "peak_working_set", "pagefile_usage", "peak_pagefile_usage", "user_cpu_seconds",
                             "kernel_cpu_seconds"}


def test_each_owner_is_looked_up_once_however_many_processes_it_runs(emulator):
    entry = only(report(params()))

    owners = {p["sid"] for p in entry["processes"] if p["sid"]}
    assert len(owners) < len([p for p in entry["processes"] if p["sid"]])
    assert emulator.calls["LookupAccountSidW"] == len(owners)


def test_an_owner_that_cannot_be_named_is_shown_as_its_sid_string(emulator):
    local(emulator)["processes"].append(rds_emulator.make_process(7777, "legacy.exe", session=2, sid=ORPHAN_SID))

    entry = only(report(params(pid=[7777])))

    assert [(p["user"], p["sid"]) for p in entry["processes"]] == [(ORPHAN_SID, ORPHAN_SID)]


@pytest.mark.parametrize("code", [1789, 1355, 1722])  # broken trust, no such domain, DC unreachable
def test_an_owner_whose_lookup_fails_otherwise_is_its_sid_string_with_a_warning_not_a_failed_server(emulator, code):
    trusted_sid = "S-1-5-21-3000000000-3000000000-3000000000-1500"
    emulator.state["accounts"][trusted_sid] = code  # a user of a trusted domain the server cannot reach now
    local(emulator)["processes"].append(rds_emulator.make_process(7778, "app.exe", session=2, sid=trusted_sid))

    entry = only(report(params()))

    app = next(p for p in entry["processes"] if p["pid"] == 7778)
    assert (app["user"], app["sid"]) == (trusted_sid, trusted_sid)
    explorer = next(p for p in entry["processes"] if p["name"] == "explorer.exe" and p["session_id"] == 2)
    assert explorer["user"] == "CONTOSO\\alice"
    [warning] = entry["warnings"]
    assert "LookupAccountSidW failed" in warning and "[%d]" % code in warning and "SID" in warning


def test_a_failed_owner_lookup_does_not_stop_ending_that_process(emulator):
    trusted_sid = "S-1-5-21-3000000000-3000000000-3000000000-1500"
    emulator.state["accounts"][trusted_sid] = 1789
    local(emulator)["processes"].append(rds_emulator.make_process(7778, "app.exe", session=2, sid=trusted_sid))

    results, _diff = end(params(pid=[7778]), check_mode=False)

    [entry] = results
    assert [p["result"] for p in entry["processes"]] == ["terminated"]
    assert entry["warnings"] and emulator.process("RDSH01", 7778) is None


@pytest.mark.parametrize("unit", ["ms", "100ns"])
def test_cpu_seconds_are_right_whichever_unit_the_host_uses_and_the_unit_is_reported(emulator, unit):
    for server in emulator.state["servers"].values():
        server["process_time_unit"] = unit  # "ms" as documented, "100ns" as hosts are reported to do

    results = report(params(server=["RDSH01", "RDSH02"]))

    for entry in results:
        assert (entry["cpu_time_unit"], entry["cpu_time_unit_checked"]) == (unit, True)
        for process in entry["processes"]:
            state = emulator.process(entry["server"], process["pid"])
            assert process["user_cpu_seconds"] == pytest.approx(state["user_time"] / 1000)
            assert process["kernel_cpu_seconds"] == pytest.approx(state["kernel_time"] / 1000)
    assert emulator.calls["GetProcessTimes"] == 1  # told once per task


@pytest.mark.parametrize("fault", ["GetProcessTimes", "WTSEnumerateProcessesExW-own"])
def test_when_the_unit_cannot_be_told_the_documented_milliseconds_are_used_and_said(emulator, fault):
    if fault == "GetProcessTimes":
        emulator.inject("GetProcessTimes", 5)
    else:
        emulator.state["current_process_id"] = 99999  # the task's own process is not in the list

    entry = only(report(params(pid=[3410])))

    assert (entry["cpu_time_unit"], entry["cpu_time_unit_checked"]) == ("ms", False)
    assert bool(entry.get("warnings")) is (fault == "GetProcessTimes")
    expected = emulator.process("RDSH01", 3410)["user_time"] / 1000
    assert entry["processes"][0]["user_cpu_seconds"] == pytest.approx(expected)


@pytest.mark.parametrize("wts_count, filetime, unit", [
    (6_000_000, 6_100_000, "100ns"),  # the same process: both in 100 ns
    (610, 6_100_000, "ms"),           # milliseconds, as documented
    (0, 6_100_000, "ms"),
    (6_000_000, 50_000, None),        # under 10 ms of CPU time: cannot tell
    (None, 6_100_000, None),
    (600, 0, None),
])
def test_cpu_time_unit_is_told_from_the_ratio(wts_count, filetime, unit):
    assert cpu_time_unit(wts_count, filetime) == unit


def test_memory_counters_wrap_at_4_gib_as_windows_gives_them(emulator):
    process = emulator.process("RDSH01", 3410)
    process["working_set"] = 5 * 1024 ** 3

    entry = only(report(params(pid=[3410])))

    assert entry["processes"][0]["working_set"] == 1024 ** 3  # DWORD: the low 32 bits of 5 GiB


def test_without_the_ex_function_the_processes_are_listed_without_counters(emulator):
    emulator.state["hidden_exports"] = ["WTSEnumerateProcessesExW"]

    entry = only(report(params(name=["notepad"])))

    (notepad,) = entry["processes"]
    assert (notepad["name"], notepad["user"]) == ("notepad.exe", "CONTOSO\\carol")
    assert notepad["threads"] is None and notepad["user_cpu_seconds"] is None
    assert emulator.calls["WTSEnumerateProcessesW"] == 1


def test_the_report_filters_by_every_selection_option(emulator):
    entry = only(report(params(name=["explorer", "chrome"], session_id=[3], username=["CONTOSO\\bob"])))

    assert sorted(p["name"] for p in entry["processes"]) == ["chrome.exe", "explorer.exe"]
    assert {p["session_id"] for p in entry["processes"]} == {3}


# win_rds_process

def test_selected_processes_are_ended_with_the_exit_code_and_a_second_run_changes_nothing(emulator):
    first, first_diff = end(params(name=["notepad"], exit_code=143), check_mode=False)
    second, _diff = end(params(name=["notepad"], exit_code=143), check_mode=False)

    (notepad,) = only(first)["processes"]
    assert (notepad["pid"], notepad["previous_state"], notepad["state"], notepad["result"]) == (
        3630, "running", "absent", "terminated")
    assert only(first)["changed"] is True
    assert first_diff == {"before": {"process 3630 (notepad.exe)": "running"},
                          "after": {"process 3630 (notepad.exe)": "absent"}}
    assert emulator.mutating_calls == [{"function": "WTSTerminateProcess", "server": "RDSH01",
                                        "args": {"ProcessId": 3630, "ExitCode": 143}}]
    assert emulator.process("RDSH01", 3630) is None
    assert only(second)["changed"] is False and only(second)["processes"] == []


def test_check_mode_predicts_the_same_result_and_diff_and_ends_nothing(emulator):
    predicted, predicted_diff = end(params(session_id=[3]), check_mode=True)
    assert emulator.mutating_calls == []
    done, done_diff = end(params(session_id=[3]), check_mode=False)

    assert only(predicted)["processes"] == [dict(p, result="would_terminate") for p in only(done)["processes"]]
    assert predicted_diff == done_diff
    assert only(done)["changed"] is True


def test_critical_processes_of_a_selected_session_are_left_running_with_a_warning(emulator):
    entry = only(end(params(session_id=[3]), check_mode=False)[0])

    assert sorted(p["name"] for p in entry["processes"]) == ["chrome.exe", "explorer.exe"]
    assert sorted((p["name"], p["reason"]) for p in entry["protected"]) == [
        ("csrss.exe", "critical system process"), ("winlogon.exe", "critical system process")]
    assert [call["args"]["ProcessId"] for call in emulator.mutating_calls] == sorted(
        p["pid"] for p in entry["processes"])
    (warning,) = entry["warnings"]
    assert "force: true" in warning and "csrss.exe" in warning and "winlogon.exe" in warning


@pytest.mark.parametrize("name", CRITICAL_PROCESS_NAMES)
def test_each_critical_process_named_alone_is_refused_and_nothing_is_called(emulator, name):
    entry = only(end(params(name=[name]), check_mode=False)[0])

    assert entry["processes"] == [] and entry["changed"] is False
    assert {p["reason"] for p in entry["protected"]} == {"critical system process"}
    assert emulator.mutating_calls == []


def test_the_process_tree_running_the_task_is_refused(emulator):
    entry = only(end(params(name=["python", "powershell", "wsmprovhost"]), check_mode=False)[0])

    assert entry["processes"] == []
    assert {(p["name"], p["reason"]) for p in entry["protected"]} == {
        ("python.exe", "runs this task"), ("powershell.exe", "runs this task"), ("wsmprovhost.exe", "runs this task")}
    assert emulator.mutating_calls == []


def test_a_remote_process_whose_pid_and_program_match_the_local_task_is_not_protected(emulator):
    agent_pid = emulator.state["current_process_id"]
    emulator.state["servers"]["RDSH02"]["processes"].append(
        rds_emulator.make_process(agent_pid, "python.exe", session=2))

    entry = only(end(params(server=["RDSH02"], pid=[agent_pid]), check_mode=False)[0])

    assert [p["pid"] for p in entry["processes"]] == [agent_pid] and entry["protected"] == []
    assert emulator.process("RDSH02", agent_pid) is None
    assert emulator.process("RDSH01", agent_pid) is not None


def test_another_process_with_the_same_program_as_the_task_is_not_protected(emulator):
    local(emulator)["processes"].append(rds_emulator.make_process(5151, "python.exe", session=2))

    entry = only(end(params(name=["python"]), check_mode=False)[0])

    assert [p["pid"] for p in entry["processes"]] == [5151]
    assert [p["pid"] for p in entry["protected"]] == [emulator.state["current_process_id"]]


def test_force_ends_protected_processes_too(emulator):
    entry = only(end(params(name=["winlogon"], session_id=[3], force=True), check_mode=False)[0])

    assert [(p["name"], p["result"]) for p in entry["processes"]] == [("winlogon.exe", "terminated")]
    assert entry["protected"] == []


def test_a_process_that_ended_meanwhile_is_reported_as_vanished_not_failed(emulator):
    emulator.inject("WTSTerminateProcess", 87, pid=3630)

    entry = only(end(params(name=["notepad"]), check_mode=False)[0])

    assert [(p["result"], p["state"]) for p in entry["processes"]] == [("vanished", "absent")]
    assert "error" not in entry["processes"][0]
    assert entry["changed"] is False


def test_a_refused_process_is_reported_and_the_others_are_ended_all_the_same(emulator):
    emulator.inject("WTSTerminateProcess", 5, pid=3520)

    entry = only(end(params(session_id=[3]), check_mode=False)[0])

    chrome, explorer = sorted(entry["processes"], key=lambda p: p["name"])
    assert (chrome["result"], chrome["state"]) == ("failed", "running")
    assert chrome["error"].startswith("WTSTerminateProcess failed for process 3520 (chrome.exe): [5] Access is denied.")
    assert "Administrators" in chrome["error"]
    assert explorer["result"] == "terminated"
    assert entry["changed"] is True


def test_one_unreachable_server_does_not_stop_the_others(emulator):
    explorers = pids_named(emulator, "explorer.exe", server="RDSH02")

    results, diff = end(params(server=["RDSH03", "RDSH02"], name=["explorer"]), check_mode=False)

    unreachable, reached = results
    assert unreachable["failed"] is True and "[1722]" in unreachable["msg"] and "RDSH03" in unreachable["msg"]
    assert [p["pid"] for p in reached["processes"]] == explorers
    assert pids_named(emulator, "explorer.exe", server="RDSH02") == []
    assert [call["server"] for call in emulator.mutating_calls] == ["RDSH02"] * len(explorers)
    assert list(diff["after"]) == ["RDSH02 process %d (explorer.exe)" % pid for pid in explorers]


def test_on_a_remote_server_only_the_critical_names_are_protected(emulator):
    agent_pid = emulator.state["current_process_id"]
    remote = emulator.state["servers"]["RDSH02"]["processes"]
    remote.append(rds_emulator.make_process(agent_pid, "backup.exe", session=1))

    entry = only(end(params(server=["RDSH02"], pid=[agent_pid, 480]), check_mode=False)[0])

    assert [(p["name"], p["result"]) for p in entry["processes"]] == [("backup.exe", "terminated")]
    assert [p["name"] for p in entry["protected"]] == ["lsass.exe"]


# critical names and program paths (issue #19 item 11)

def test_a_program_named_like_a_critical_one_outside_the_system_directory_is_ended_on_this_host(emulator):
    # openprocess/queryfullprocessimagenamew tell this machine's program paths: a csrss.exe in a user's folder
    # is no Client Server Run-Time Subsystem process
    local(emulator)["processes"].append(rds_emulator.make_process(
        5300, "csrss.exe", session=3, sid="S-1-5-21-1004336348-1177238915-682003330-1105", parent_pid=2316,
        path="C:\\Users\\bob\\AppData\\Local\\Temp\\csrss.exe"))

    entry = only(end(params(name=["csrss"], session_id=[3]), check_mode=False)[0])

    assert [(p["pid"], p["result"]) for p in entry["processes"]] == [(5300, "terminated")]
    assert [(p["name"], p["reason"]) for p in entry["protected"]] == [("csrss.exe", "critical system process")]
    assert emulator.process("RDSH01", 5300) is None
    assert emulator.calls["OpenProcess"] == emulator.calls["QueryFullProcessImageNameW"] + 1  # the real one: denied


@pytest.mark.parametrize("path", ["%SYSTEM%\\winlogon.exe", "%SYSTEM%\\drivers\\winlogon.exe"])
def test_a_critical_program_in_the_system_directory_stays_protected(emulator, path):
    local(emulator)["processes"].append(rds_emulator.make_process(5301, "winlogon.exe", session=3, path=path))

    entry = only(end(params(pid=[5301]), check_mode=False)[0])

    assert entry["processes"] == [] and [p["reason"] for p in entry["protected"]] == ["critical system process"]


def test_a_critical_name_whose_path_cannot_be_read_stays_protected(emulator):
    # openprocess: the System process and the CSRSS processes fail with ERROR_ACCESS_DENIED; any unreadable
    # path is taken for a real system process
    local(emulator)["processes"].append(rds_emulator.make_process(
        5302, "lsass.exe", session=3, path="C:\\Users\\bob\\lsass.exe", access_denied=True))
    emulator.inject("QueryFullProcessImageNameW", 5, pid=None)

    entry = only(end(params(name=["csrss", "lsass", "System"], session_id=[0, 3]), check_mode=False)[0])

    assert entry["processes"] == []
    assert sorted(p["pid"] for p in entry["protected"]) == sorted(
        p["pid"] for p in local(emulator)["processes"]
        if p["name"] in ("csrss.exe", "lsass.exe", "System") and p["session"] in (0, 3))


def test_when_the_system_directory_cannot_be_read_every_critical_name_stays_protected(emulator):
    emulator.inject("GetSystemDirectoryW", 5, times=None)
    local(emulator)["processes"].append(rds_emulator.make_process(5303, "csrss.exe", session=3,
                                                                  path="C:\\Users\\bob\\csrss.exe"))

    entry = only(end(params(pid=[5303]), check_mode=False)[0])

    assert entry["processes"] == [] and [p["pid"] for p in entry["protected"]] == [5303]


def test_a_remote_critical_name_is_protected_by_name_alone_whatever_its_path(emulator):
    # no path is available through WTSEnumerateProcessesExW or RPC: the name protects, as documented
    emulator.state["servers"]["RDSH02"]["processes"].append(rds_emulator.make_process(
        5304, "csrss.exe", session=1, path="C:\\Users\\dave\\csrss.exe"))

    entry = only(end(params(server=["RDSH02"], pid=[5304]), check_mode=False)[0])

    assert entry["processes"] == [] and [p["pid"] for p in entry["protected"]] == [5304]
    assert emulator.calls["OpenProcess"] == 0
