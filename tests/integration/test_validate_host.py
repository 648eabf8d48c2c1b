"""playbooks/validate_host.yml, the host self-check (docs/testing.md), run with real ansible-playbook against
the emulated RD Session Host set up for each outcome of each assumption: a host that behaves as documented,
one that does not, and one where nothing can be told (which is also the default read-only run).

Over the local connection the collection's command is POSIX sh, not PowerShell, so powershell_command is
UNKNOWN there. Its PASS and FAIL come from runs over ansible-core's winrm connection to the loopback WS-Man
endpoint (tests/wsman/README.md), whose stand-in PowerShell runs the collection's PowerShell command as WinRM
received it, with the emulated host's Python as the one program the host has at WINDOWS_PYTHON.
"""
from __future__ import annotations

import base64
import json
import os
import sys
from pathlib import Path

import pytest
import rds_emulator
from runs import run as run_command

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "tests" / "wsman"))

from wsman_loopback import LoopbackWsman  # noqa: E402

NAMES = ("disconnected_rdp_protocol", "cpu_time_unit", "dynamic_channel", "lock_flag", "server_version",
         "powershell_command", "bytecode_cache")
# As JSON: key=value extra vars would read the backslash of CONTOSO\alice as an escape.
TEST_USERS = ("-e", json.dumps({"validate_host_locked_user": "CONTOSO\\alice",
                                "validate_host_disconnected_user": "CONTOSO\\bob"}))


def _session(state, session_id):
    return next(s for s in state["servers"]["RDSH01"]["sessions"] if s["id"] == session_id)


def as_documented(state):
    """alice (2) locked her active session, her client offers the ECHO endpoint; bob (3) is disconnected."""
    _session(state, 2).update(locked=True, channels={"ECHO": {"mode": "echo", "dynamic": True}})
    return TEST_USERS + ("-e", "validate_host_changes=true")


def not_as_documented(state):
    """Windows Server 2008 R2 with the Server service off (the lock flag stays inverted), bob's disconnected
    session reports the console protocol, 100-ns CPU times, and no ECHO endpoint in alice's client."""
    state["servers"]["RDSH01"].update(os_version="6.1", server_service=False, process_time_unit="100ns")
    _session(state, 2).update(locked=True, channels={})
    _session(state, 3).update(protocol="console")
    return TEST_USERS + ("-e", "validate_host_changes=true")


def nothing_to_tell(state):
    """The default read-only run without test users; no session reports a lock state and the task's own
    process has not used enough CPU time to tell the unit."""
    for session in state["servers"]["RDSH01"]["sessions"]:
        session["locked"] = None
    next(p for p in state["servers"]["RDSH01"]["processes"] if p["pid"] == 4242).update(user_time=0, kernel_time=0)
    return ()


def run(tmp_path, scenario, inventory=HERE / "inventory.emulated.yml"):
    state = rds_emulator.sample_state()
    arguments = scenario(state)
    state_file, report_file = tmp_path / "emulator-state.json", tmp_path / "report.json"
    state_file.write_text(json.dumps(state))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(ROOT / ".build" / "collections"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_LOCAL_TEMP=str(tmp_path / "local-tmp"), ANSIBLE_REMOTE_TEMP=str(tmp_path / "remote-tmp"),
               RDS_EMULATOR_STATE=str(state_file))
    env.setdefault("RDS_EMULATOR_PYTHON", str(ROOT / ".build" / "emulated-host" / "bin" / "python"))
    command = [str(Path(sys.executable).with_name("ansible-playbook")), "-i", str(inventory),
               str(ROOT / "playbooks" / "validate_host.yml"), "-e", "validate_host_report_file=%s" % report_file,
               *arguments]
    done = run_command(*command, cwd=tmp_path, env=env, timeout=600)
    report = json.loads(report_file.read_text())
    return report, done.stdout, json.loads(state_file.read_text())


def verdicts(report):
    return {item["name"]: item["verdict"] for item in report["assumptions"]}


@pytest.mark.parametrize("scenario, expected", [
    (as_documented, dict.fromkeys(NAMES, "PASS")),
    (not_as_documented, dict.fromkeys(NAMES, "FAIL")),
    (nothing_to_tell, dict.fromkeys(NAMES, "UNKNOWN")),
], ids=["as-documented", "not-as-documented", "nothing-to-tell"])
def test_each_assumption_gets_its_verdict_from_the_host(tmp_path, scenario, expected):
    report, stdout, state = run(tmp_path, scenario)
    # Over the local connection nothing is PowerShell: neither the command nor the count of the (Windows) cache.
    assert verdicts(report) == dict(expected, powershell_command="UNKNOWN", bytecode_cache="UNKNOWN")
    assert report["build"] == "unknown"
    # The report is printed too, one line per assumption.
    for item in report["assumptions"]:
        assert "%-7s %-25s" % (item["verdict"], item["name"]) in stdout
    # Every read-only module ran (the Computer Browser of the sample farm answers).
    read_only = ("win_rds_session_info", "win_rds_process_info", "win_rds_server_info", "win_rds_wait")
    assert [line for line in report["lines"] if line.startswith("module")] == [
        "module  %-25s ran" % name for name in read_only]
    changes = [call["function"] for call in state["mutating_calls"]]
    if scenario is nothing_to_tell:
        assert changes == []
    else:
        assert set(changes) <= {"WTSVirtualChannelWrite"}


def test_the_report_says_what_the_host_did(tmp_path):
    report, _stdout, _state = run(tmp_path, not_as_documented)
    observed = {item["name"]: item["observed"] for item in report["assumptions"]}
    assert observed["disconnected_rdp_protocol"] == "session 3 of CONTOSO\\bob reports protocol console"
    assert observed["cpu_time_unit"] == "UserTime/KernelTime count in 100ns (checked with GetProcessTimes)"
    assert observed["lock_flag"] == "session 2 of CONTOSO\\alice reports locked false"
    assert "could not be read" in observed["server_version"]
    assert "1168" in observed["dynamic_channel"] or "not found" in observed["dynamic_channel"].lower()


def test_without_changes_allowed_no_channel_is_opened(tmp_path):
    def locked_test_session_read_only(state):
        return as_documented(state)[:-2]

    report, _stdout, state = run(tmp_path, locked_test_session_read_only)
    assert verdicts(report)["dynamic_channel"] == "UNKNOWN"
    assert verdicts(report)["lock_flag"] == "PASS"
    assert state["mutating_calls"] == []


# --- over WinRM: the collection's PowerShell command ---------------------------------------------------------

USER, PASSWORD = "rdsadmin", "Passw0rd!"
WINDOWS_PYTHON = "C:\\Program Files\\Python311\\python.exe"
STANDIN = ROOT / "tests" / "wsman" / "powershell_standin.py"


@pytest.fixture
def winrm_inventory(tmp_path, monkeypatch):
    """The emulated host behind the loopback WS-Man endpoint; yields a function that writes an inventory for it
    with a given ansible_python_interpreter, and the endpoint. Its commands run with the stand-in PowerShell
    on PATH, the emulated host's Python at WINDOWS_PYTHON and the state file run() writes."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("PowerShell", "powershell"):  # as ansible-core versions spell it
        (bin_dir / name).write_text('#!/bin/sh\nexec "%s" "%s" "$@"\n' % (sys.executable, STANDIN))
        (bin_dir / name).chmod(0o755)
    python = os.environ.get("RDS_EMULATOR_PYTHON") or str(ROOT / ".build" / "emulated-host" / "bin" / "python")
    monkeypatch.setenv("PATH", "%s%s%s" % (bin_dir, os.pathsep, os.environ["PATH"]))
    monkeypatch.setenv("RDS_EMULATED_PROGRAMS", json.dumps({WINDOWS_PYTHON: python}))
    monkeypatch.setenv("RDS_EMULATOR_STATE", str(tmp_path / "emulator-state.json"))
    with LoopbackWsman(USER, PASSWORD) as wsman:
        def inventory(interpreter):
            host = {"ansible_host": "127.0.0.1", "ansible_port": wsman.port, "ansible_connection": "winrm",
                    "ansible_winrm_transport": "basic", "ansible_winrm_scheme": "http", "ansible_user": USER,
                    "ansible_password": PASSWORD, "ansible_python_interpreter": interpreter}
            path = tmp_path / "inventory.winrm.json"
            path.write_text(json.dumps({"all": {"hosts": {"rdsh01": host}}}))
            return path
        yield inventory, wsman


def scripts(wsman):
    """The PowerShell script of each command the endpoint received (all -EncodedCommand)."""
    decoded = []
    for command, arguments in wsman.command_parts:
        words = [command] + " ".join(arguments).split()
        assert words[0].lower() == "powershell" and "-EncodedCommand" in words, (command, arguments)
        decoded.append(base64.b64decode(words[words.index("-EncodedCommand") + 1]).decode("utf-16-le"))
    return decoded


def test_over_winrm_the_collections_powershell_command_runs_the_modules(tmp_path, winrm_inventory):
    inventory, wsman = winrm_inventory
    report, stdout, state = run(tmp_path, as_documented, inventory(WINDOWS_PYTHON))
    # The stand-in PowerShell cannot count the bytecode cache's entries (and the emulated host's runner, on Linux,
    # uses the POSIX cache anyway): UNKNOWN, and the report goes on.
    assert verdicts(report) == dict.fromkeys(NAMES, "PASS") | {"bytecode_cache": "UNKNOWN"}, report["lines"]
    powershell = next(item for item in report["assumptions"] if item["name"] == "powershell_command")
    assert powershell["observed"] == "win_rds_session_info and win_rds_process_info ran over winrm"
    assert "PASS    powershell_command" in stdout
    # The Windows build is read with Get-ItemProperty, which the emulated host cannot run: unknown, and the
    # report goes on.
    assert report["build"] == "unknown"
    assert state["mutating_calls"] and {call["function"] for call in state["mutating_calls"]} == {"WTSVirtualChannelWrite"}
    # What WinRM received: the build read, then one command per module task (three session lists, processes,
    # servers, wait, channel), each the collection's command starting the Python given, then the cache count.
    received = scripts(wsman)
    assert "Get-ItemProperty" in received[0] and "wtsadmin.rds\\bytecode" in received[-1]
    assert len(received) == 9
    for script in received[1:-1]:
        assert "$input | & $p @a" in script and WINDOWS_PYTHON.replace("'", "''") in script, script


def test_over_winrm_a_python_the_host_does_not_have_fails_the_powershell_command(tmp_path, winrm_inventory):
    inventory, wsman = winrm_inventory
    missing = "C:\\Python39\\python.exe"
    report, _stdout, state = run(tmp_path, as_documented, inventory(missing))
    expected = dict.fromkeys(NAMES, "UNKNOWN")  # nothing else can be told without the modules
    assert verdicts(report) == dict(expected, powershell_command="FAIL"), report["lines"]
    powershell = next(item for item in report["assumptions"] if item["name"] == "powershell_command")
    assert powershell["observed"].startswith("win_rds_session_info did not run: The Python interpreter %s "
                                             "(ansible_python_interpreter) was not found on the host" % missing)
    assert state["mutating_calls"] == []
    # The collection's command was received and looked for that Python, for each read-only module task (the
    # test users' lists too; the channel was not tried).
    received = scripts(wsman)
    assert len(received) == 8 and "wtsadmin.rds\\bytecode" in received[-1]
    for script in received[1:-1]:
        assert "$input | & $p @a" in script and missing in script, script
