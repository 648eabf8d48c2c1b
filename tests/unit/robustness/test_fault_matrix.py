# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every module x every Windows function it calls x every error of issue 8 (and an unusable server handle).

The functions are not listed here: a clean run of each representative task records them (the emulator's
``calls``), so a module that starts calling a new function is tested against it without an edit. Each faulty run
must end as docs/architecture.md ("The Windows boundary", "Behaviour the layers guarantee") says: failed with a
message naming the function, the code and a hint, or the affected session/process skipped (vanished) where the
error says it ended meanwhile, or handled the documented way (an older function where an Ex function is missing,
a partial server list) - never with a traceback, and never with a leaked buffer or handle."""

from __future__ import annotations

import pytest

import rds_emulator
from robustness_harness import MODULES, REPRESENTATIVE_TASKS, TALLY, problems, run_module, sample_farm

ERRORS = (5, 87, 1722, 1726, 2, 7022, 50, 6118, 234, 8)
POISONED_HANDLE = "poisoned handle"
# Functions that only release what was acquired, or cannot fail: on Windows they return nothing (or nothing
# a caller could act on), so a fault there is no scenario. That each is called exactly once per acquisition is
# what the leak check after every run proves.
CANNOT_FAIL = frozenset(("WTSCloseServer", "WTSFreeMemory", "WTSFreeMemoryExW", "WTSVirtualChannelClose",
                         "NetApiBufferFree", "LocalFree", "CloseHandle", "RegCloseKey", "GetCurrentProcessId",
                         # getcurrentprocess: "The return value is a pseudo handle to the current process."
                         "GetCurrentProcess"))
# Errors a function may meet without the task failing, and how the result shows it (docs/architecture.md,
# "Behaviour the layers guarantee").
VANISHED_SESSION = ("WTSQuerySessionInformationW", "WTSDisconnectSession", "WTSLogoffSession", "WTSSendMessageW")
SKIPPED = {(function, code) for function in VANISHED_SESSION for code in (2, 7022)}
SKIPPED |= {("WTSTerminateProcess", code) for code in (2, 7022, 87)}
FALLBACK = {("WTSEnumerateSessionsExW", 50), ("WTSEnumerateProcessesExW", 50)}  # the pre-Ex function answers
PARTIAL = {("NetServerEnum", 234)}  # ERROR_MORE_DATA: the list so far, with a warning
# ERROR_FILE_NOT_FOUND is how RegOpenKeyExW/RegQueryValueExW say that a key or value does not exist: a logon-mode
# value never written reads as 0, the value of a server whose logon mode was never changed (_logon.py).
UNSET = {("RegOpenKeyExW", 2), ("RegQueryValueExW", 2)}
# This machine's names or addresses cannot be read: wts.is_local_server is in doubt, so the server is reached over
# RPC (WTSOpenServerExW), which answers for this machine too.
IN_DOUBT_RPC = {(function, code) for function in ("GetComputerNameExW", "GetUnicastIpAddressTable")
                for code in ERRORS}


def _clean_runs():
    """(module, task index) -> (the Windows functions one clean run calls, how many sessions/processes it lists)."""
    calls = {}
    for name, tasks in sorted(REPRESENTATIVE_TASKS.items()):
        for index, (args, change) in enumerate(tasks):
            emu = rds_emulator.install(sample_farm(change))
            try:
                result = run_module(name, args)
                assert not result.get("failed"), (name, result)
                assert problems(emu) == [], name
                calls[name, index] = (sorted(emu.calls), len(_items(result)))
            finally:
                rds_emulator.uninstall()
    return calls


def _warned(result, function, code):
    warnings = {"warnings": result.get("warnings", [])}
    return _explained(warnings, function, code) or (
        (function, code) in PARTIAL and any(function in warning for warning in warnings["warnings"]))


def _items(result):
    return [item for key in ("sessions", "processes") for item in result.get(key) or ()]


CLEAN = _clean_runs()
CASES = [(name, index, function, error)
         for (name, index), (functions, _count) in sorted(CLEAN.items())
         for function in functions if function not in CANNOT_FAIL
         for error in ERRORS + ((POISONED_HANDLE,) if function == "WTSOpenServerExW" else ())]
TALLY["fault_cases"] = len(CASES)
TALLY["fault_modules"] = len({case[0] for case in CASES})


def test_every_module_has_a_representative_task():
    assert sorted(REPRESENTATIVE_TASKS) == MODULES


def test_the_matrix_covers_every_module_and_the_api_surface():
    functions = {case[2] for case in CASES}
    assert {case[0] for case in CASES} == set(MODULES)
    assert {"WTSOpenServerExW", "WTSEnumerateSessionsExW", "WTSQuerySessionInformationW", "WTSDisconnectSession",
            "WTSLogoffSession", "WTSSendMessageW", "WTSEnumerateProcessesExW", "WTSTerminateProcess",
            "WTSShutdownSystem", "WTSWaitSystemEvent", "WTSVirtualChannelOpenEx", "WTSVirtualChannelWrite",
            "WTSVirtualChannelRead", "WTSVirtualChannelQuery", "NetServerEnum", "NetServerGetInfo",
            "LookupAccountSidW"} <= functions


def _message_lines(result):
    return "\n".join([result.get("msg") or ""] + list(result.get("warnings", ()))).splitlines()


def _explained(result, function, code):
    """True when a line names ``function`` and ``[code]`` and the line after it gives a hint."""
    lines = _message_lines(result)
    return any(function in line and "[%d]" % code in line and index + 1 < len(lines) and lines[index + 1].strip()
               for index, line in enumerate(lines))


@pytest.mark.parametrize("name, index, function, error", CASES,
                         ids=["%s[%d]-%s-%s" % (n, i, f, str(e).replace(" ", "_")) for n, i, f, e in CASES])
def test_a_windows_failure_ends_the_task_as_designed(farm, name, index, function, error):
    args, change = REPRESENTATIVE_TASKS[name][index]
    emu = farm(change)
    if error == POISONED_HANDLE:
        emu.inject("WTSOpenServerExW", 6, poison_handle=True)
    else:
        emu.inject(function, error, times=None)
    TALLY["faults"] += 1

    result = run_module(name, args)

    assert emu.calls[function] >= 1, "the fault was never hit"
    assert problems(emu) == [], "leaked buffers or handles, or misused the API"
    assert "Traceback" not in (result.get("msg") or "")
    code = 6 if error == POISONED_HANDLE else error
    if result.get("failed"):
        assert _explained({"msg": result["msg"]}, function if error != POISONED_HANDLE else "", code), result["msg"]
    elif _warned(result, function, code):
        pass  # the task went on, and a warning says what failed and what to do
    elif (function, code) in SKIPPED:
        items = _items(result)
        assert any(item.get("result") == "vanished" for item in items) or len(items) < CLEAN[name, index][1], result
    elif (function, code) in UNSET:
        assert [entry["logon_mode"] for entry in result["servers"]] == ["enabled"] * len(result["servers"]), result
    elif (function, code) in IN_DOUBT_RPC:
        assert emu.calls["WTSOpenServerExW"] >= 1 and len(_items(result)) == CLEAN[name, index][1], result
    else:
        assert (function, code) in FALLBACK, "%s [%s] neither failed the task nor was handled: %r" % (
            function, code, result)
