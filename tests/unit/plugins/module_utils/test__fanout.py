# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Farm-wide fan-out: servers worked concurrently, one result per server, failures per server, the task's end."""

from __future__ import annotations

import threading
import time

import pytest
import yaml
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from rendezvous import Rendezvous

from ansible_collections.wtsadmin.rds.plugins.doc_fragments.server import ModuleDocFragment
from ansible_collections.wtsadmin.rds.plugins.module_utils import _runner
from ansible_collections.wtsadmin.rds.plugins.module_utils._fanout import (
    MAX_PARALLEL_SERVERS,
    finish,
    for_each_server,
    same_host_groups,
    server_list_problem,
    server_spec,
    state_diff,
)
from ansible_collections.wtsadmin.rds.plugins.module_utils.winapi import WinApiError
from ansible_collections.wtsadmin.rds.plugins.module_utils.wts import enumerate_sessions, open_server
from ansible_collections.wtsadmin.rds.plugins.plugin_utils._payload import task_message


def module(on_error="fail"):
    """The runner's AnsibleModule (what modules get on the host) for a task with ``on_error``."""
    task = task_message({"on_error": on_error}, no_log=True)
    return type("AnsibleModule", (_runner.AnsibleModule,), {"_task": task})(argument_spec={})


def finished(results, *lists, on_error="fail", **extra):
    with pytest.raises(_runner.ModuleExit) as done:
        finish(module(on_error), results, *(lists or ("sessions",)), **extra)
    return done.value.result


def test_results_come_one_per_server_in_the_order_given():
    results = for_each_server(["B", "A", "C"], lambda server: {"sessions": [server.lower()]})

    assert results == [{"server": "B", "failed": False, "sessions": ["b"]},
                       {"server": "A", "failed": False, "sessions": ["a"]},
                       {"server": "C", "failed": False, "sessions": ["c"]}]


def test_without_servers_the_host_itself_is_worked_once():
    asked = []

    results = for_each_server(None, lambda server: asked.append(server) or {})

    assert asked == [None]
    assert results == [{"server": None, "failed": False}]


@pytest.mark.parametrize("servers", [[], [""], ["RDSH01", " "], ["RDSH02\x00evil"], ""])
def test_a_server_list_that_names_no_server_never_falls_back_to_the_host_itself(servers):
    # issue #19, items 3 and 12: server: [] logged off every session of the task's own host
    asked = []

    with pytest.raises(ValueError, match="^server"):
        for_each_server(servers, asked.append)
    assert asked == []


@pytest.mark.parametrize("servers, problem", [
    (None, None),
    ("RDSH01", None),
    (["RDSH01", "rdsh02.contoso.com"], None),
    ([], "server is an empty list: give at least one server name, or leave server out to work the task's own host"),
    ([""], "server '': an empty server name; leave server out to work the task's own host"),
    (["RDSH02\x00evil"], "server 'RDSH02\\x00evil': a server name cannot contain a NUL character"),
])
def test_server_list_problem_names_what_is_wrong(servers, problem):
    assert (server_list_problem(servers) or "").startswith(problem or "")
    assert (server_list_problem(servers) is None) is (problem is None)


def test_entries_that_name_the_same_host_are_merged_keeping_the_first_spelling_and_the_order():
    assert same_host_groups(["RDSH01", "rdsh02", "rdsh01", "RDSH02.", "\\\\RDSH01", " RDSH03 ", "rdsh01.contoso.com"]) == [
        ["RDSH01", "rdsh01", "\\\\RDSH01"], ["rdsh02", "RDSH02."], [" RDSH03 "], ["rdsh01.contoso.com"]]


def test_a_host_named_twice_is_worked_once():
    # issue #19, item 11: one user got the same message three times
    asked = []

    results = for_each_server(["RDSH01", "rdsh01", "RDSH02", "RDSH01."], lambda server: asked.append(server) or {})

    assert sorted(asked) == ["RDSH01", "RDSH02"]
    assert [entry["server"] for entry in results] == ["RDSH01", "RDSH02"]


def test_every_name_of_the_host_itself_is_worked_once_and_the_merge_is_reported(emulator):
    # issue #12 item 8, #19 item 11: "localhost" and the host's own names meant two waits on one server handle,
    # and one user got a message per name. RDSH01 (sample farm) is this host, rdsh01.contoso.com its DNS name,
    # 10.20.0.11 one of its own addresses.
    asked = []
    names = ["localhost", "RDSH02", "RDSH01", ".", "127.0.0.1", "rdsh01.contoso.com", "::1", "rdsh02", "10.20.0.11"]

    results = for_each_server(names, lambda server: asked.append(server) or {})

    assert sorted(asked) == ["RDSH02", "localhost"]
    assert [entry["server"] for entry in results] == ["localhost", "RDSH02"]
    assert results[0]["warnings"] == [
        "server: 'localhost' and 'RDSH01' and '.' and '127.0.0.1' and 'rdsh01.contoso.com' and '::1' and "
        "'10.20.0.11' name the same host; it was worked once, as 'localhost'"]
    assert results[1]["warnings"] == ["server: 'RDSH02' and 'rdsh02' name the same host; it was worked once, as "
                                      "'RDSH02'"]


def test_a_short_and_a_dns_name_of_a_remote_server_are_not_merged(emulator):
    assert same_host_groups(["RDSH02", "rdsh02.contoso.com", "rdsh01.fabrikam.com", "RDSH01"]) == [
        ["RDSH02"], ["rdsh02.contoso.com"], ["rdsh01.fabrikam.com"], ["RDSH01"]]


def test_a_single_name_brings_no_merge_warning(emulator):
    assert "warnings" not in for_each_server(["RDSH01"], lambda server: {})[0]


@pytest.mark.parametrize("servers", [None, "RDSH01", ["RDSH01"], ["localhost", "."]])
def test_one_host_is_worked_in_the_calling_thread(servers, emulator):
    """Nothing to overlap: no thread pool is started (or imported, docs/performance.md "Host-side CPU")."""
    threads = []

    for_each_server(servers, lambda server: threads.append(threading.current_thread()) or {})

    assert threads == [threading.current_thread()]


def test_servers_are_worked_concurrently():
    servers = ["RDSH%02d" % n for n in range(6)]
    meeting = Rendezvous(len(servers))

    for_each_server(servers, lambda server: meeting.arrive() or {})

    meeting.assert_all_met()


def test_at_most_sixteen_servers_are_worked_at_once():
    lock, running, peak = threading.Lock(), [0], [0]

    def work(server):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.05)
        with lock:
            running[0] -= 1
        return {}

    for_each_server(["S%d" % n for n in range(40)], work)

    assert 1 < peak[0] <= MAX_PARALLEL_SERVERS


def test_a_windows_error_fails_its_server_only_and_names_it():
    def work(server):
        if server == "RDSH03":
            raise WinApiError("WTSEnumerateSessionsExW", 1722, "The RPC server is unavailable.")
        return {"sessions": []}

    results = for_each_server(["RDSH01", "RDSH03", "RDSH02"], work)

    assert [entry["failed"] for entry in results] == [False, True, False]
    assert results[1]["server"] == "RDSH03"
    assert results[1]["msg"].startswith("WTSEnumerateSessionsExW failed on RDSH03: [1722]")
    assert "AllowRemoteRPC" in results[1]["msg"]


def test_a_bug_is_not_taken_for_a_server_failure():
    with pytest.raises(KeyError):
        for_each_server(["RDSH01"], lambda server: {}["missing"])


def test_one_unreachable_server_of_the_emulated_farm_does_not_abort_the_others(emulator):
    def work(server):
        with open_server(server) as handle:
            return {"sessions": [s["session_id"] for s in enumerate_sessions(handle)]}

    results = for_each_server(["RDSH01", "RDSH03", "RDSH02"], work)

    state = emulator.state["servers"]
    assert results[0]["sessions"] == [s["id"] for s in state["RDSH01"]["sessions"]]
    assert results[2]["sessions"] == [s["id"] for s in state["RDSH02"]["sessions"]]
    assert results[1]["failed"] is True
    assert "on RDSH03: [1722]" in results[1]["msg"]


@pytest.mark.parametrize("servers", [[None], ["RDSH01"], ["RDSH01", "RDSH02"], ["RDSH01", "RDSH02", "RDSH03"]])
def test_the_result_has_the_same_shape_whatever_server_holds(servers):
    results = [{"server": server, "failed": False, "changed": False, "counts": {"active": 1},
                "sessions": [{"session_id": 2}], "protected": []} for server in servers]

    result = finished(results, "sessions", "protected")

    assert set(result) == {"changed", "servers", "sessions", "protected"}
    assert result["sessions"] == [{"server": server, "session_id": 2} for server in servers]
    assert list(result["sessions"][0])[0] == "server"
    assert result["servers"] == [{"server": server, "failed": False, "changed": False, "counts": {"active": 1}}
                                 for server in servers]


def test_the_lists_are_there_when_no_server_answered():
    result = finished([{"server": "A", "failed": True, "msg": "A is down"}], "sessions", "protected", on_error="warn")

    assert result["sessions"] == [] and result["protected"] == []
    assert result["servers"] == [{"server": "A", "failed": True, "msg": "A is down"}]


def test_extra_keys_and_changed_of_any_server_reach_the_top():
    result = finished([{"server": "A", "failed": False, "changed": False, "sessions": []},
                       {"server": "B", "failed": False, "changed": True, "sessions": []}], diff={"before": {}})

    assert result["changed"] is True
    assert [entry["server"] for entry in result["servers"]] == ["A", "B"]
    assert result["diff"] == {"before": {}}


def test_failures_of_servers_and_of_single_objects_fail_the_task_at_the_end_with_all_of_them():
    result = finished([
        {"server": "A", "failed": False, "changed": True,
         "sessions": [{"session_id": 2, "result": "logged_off"}, {"session_id": 4, "result": "failed", "error": "E4"}]},
        {"server": "B", "failed": True, "msg": "B is down"},
    ])

    assert result["failed"] is True
    assert result["msg"] == "2 failures:\nE4\nB is down"
    assert result["changed"] is True
    assert result["sessions"][0] == {"server": "A", "session_id": 2, "result": "logged_off"}


def test_a_single_failure_is_the_message_itself():
    result = finished([{"server": "B", "failed": True, "msg": "B is down"}])

    assert result["failed"] is True
    assert result["msg"] == "B is down"


def test_on_error_warn_turns_every_failure_into_a_warning():
    result = finished([
        {"server": "A", "failed": False, "sessions": [{"session_id": 4, "result": "failed", "error": "E4"}]},
        {"server": "B", "failed": True, "msg": "B is down"},
    ], on_error="warn")

    assert "failed" not in result
    assert result["warnings"] == ["E4", "B is down"]
    assert result["servers"][1]["msg"] == "B is down"


def test_warnings_of_a_server_become_warnings_of_the_task():
    result = finished([{"server": "A", "failed": False, "sessions": [], "warnings": ["lock state unknown on A"]}])

    assert result["warnings"] == ["lock state unknown on A"]
    assert "warnings" not in result["servers"][0]


def test_the_diff_shows_each_object_before_and_after_labelled_by_server_when_one_was_named():
    host = {"id": 2, "previous_state": "active", "state": "disconnected"}
    remote = {"id": 3, "previous_state": "disconnected", "state": "logged_off"}
    results = [{"server": None, "failed": False, "sessions": [host]},
               {"server": "RDSH02", "failed": False, "sessions": [remote]},
               {"server": "RDSH03", "failed": True, "msg": "unreachable"}]

    diff = state_diff(results, "sessions", lambda session: "session %d" % session["id"])

    assert diff == {"before": {"session 2": "active", "RDSH02 session 3": "disconnected"},
                    "after": {"session 2": "disconnected", "RDSH02 session 3": "logged_off"}}


def test_the_spec_takes_one_name_or_a_list_and_defaults_to_failing():
    one = ArgumentSpecValidator(server_spec()).validate({"server": "RDSH01"}).validated_parameters
    none = ArgumentSpecValidator(server_spec()).validate({}).validated_parameters

    assert one["server"] == ["RDSH01"]
    assert none == {"server": None, "on_error": "fail"}


def test_the_doc_fragment_documents_exactly_the_options_of_the_spec():
    documented = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["options"]

    assert set(documented) == set(server_spec())
    for name, option in server_spec().items():
        for key in ("type", "elements", "choices", "default"):
            assert documented[name].get(key) == option.get(key), (name, key)
