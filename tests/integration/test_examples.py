"""Every example play and task runs with real ansible-playbook against the emulated RD Session Host (issue #15,
item 14), also those that change things: the EXAMPLES of every plugin and the YAML blocks of the README,
docs/*.md and the roles' READMEs, extracted automatically (tests/helpers/doc_examples.py), so a new example
cannot escape. tests/unit/test_examples.py checks every example statically (options, filters, reserved names).

Each example (a play; in a task list, a task with the later tasks that use what it registered) starts from a
fresh emulated farm of its own that has something for it to act on (``example_farm``: the sample farm with
what the examples name). All examples of the plugins run in one ansible-playbook run and those of the guides in
another (CI has two cores: each run costs a start of ansible-playbook), one play per example, each on its own
state file (its interpreter wrapper, a play variable); a test per file reads what a callback recorded.

Each example must run without a failure, without a warning (``WARNS`` lists those an example means to show) and
without skipping a task of its own that has no ``when``. A task of a module that changes things must report a
change (in check mode: the change it would make, with no call that changes anything), and no omit placeholder
may reach Windows. ``CHECKS`` looks in the emulator's records for what some examples say they do.

What cannot run here is listed in ``NOT_RUN`` with the reason; the list must match examples that exist. The
inventory sources among the examples are parsed by one ansible-inventory run (``INVENTORY_NOT_RUN``: those that
need a discovery host or another collection). Other data (variables, AWX definitions) is checked by the unit
test; rulebooks run under ansible-rulebook in test_rulebook.py.
"""
from __future__ import annotations

import copy
import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import doc_examples as examples
import pytest
import rds_emulator
import yaml
from rds_emulator import logons
from rds_emulator.sample import make_browser_entry, make_event, make_process, make_server

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
EMULATED_PYTHON = os.environ.get("RDS_EMULATOR_PYTHON", str(ROOT / ".build" / "emulated-host" / "bin" / "python"))

# (file, name of the example or of a task in it) -> why it cannot run against the emulated host.
WINDOWS_CONNECTION = ("needs a Windows connection (PowerShell over WinRM/PSRP); the emulated host is this Linux "
                      "machine over the local connection")
NOT_RUN = {
    ("plugins/modules/win_rds_server.py", "Reboot the host this play works, and go on with it afterwards (use "
     "win_reboot, which waits)"): "ansible.windows.win_reboot " + WINDOWS_CONNECTION,
    ("plugins/modules/win_rds_wait.py", "Reboot"): "ansible.windows.win_reboot " + WINDOWS_CONNECTION,
    ("docs/awx.md", "Drain job template"): "awx.awx.job_template creates the template through an AWX server's API",
    ("docs/getting-started.md", "Bring Python to the session hosts"): (
        "the python_runtime role " + WINDOWS_CONNECTION + " (its plan is tested by the python_runtime target)"),
    ("roles/python_runtime/README.md", "Python for wtsadmin.rds on the session hosts"): (
        "the python_runtime role " + WINDOWS_CONNECTION + " (its plan is tested by the python_runtime target)"),
}
DISCOVERY = ("discovery asks its discovery_host over WinRM by name (the inventory_rds_servers target runs discovery "
             "against a loopback WinRM endpoint)")
# Variables a file's examples get (play variables): from whoever runs them, or to spare a wait that proves
# nothing here (the role's wait_for_connection sleeps 60 s before it looks; the local connection always answers).
NO_WAIT_FOR_REBOOT = {"rds_drain_wait_for_reboot": False}
PLAY_VARS = {"docs/eda.md": {"rds_host": "rdsh01", "rds_session_id": 3},  # the rulebook's run_playbook action
             "docs/awx.md": NO_WAIT_FOR_REBOOT, "roles/rds_drain/README.md": NO_WAIT_FOR_REBOOT}
# Warnings an example means to show: (file, example) -> text each of its warnings contains.
WARNS = {("plugins/modules/win_rds_server.py", "Reboot two drained session hosts and wait until they are back"):
         "[1722] The RPC server is unavailable",
         ("plugins/modules/win_rds_server.py", "Log everybody off and keep new users out until the next reboot"):
         "refuses every new remote logon until its Remote Desktop Services service (TermService) restarts"}
# Examples that undo what another one did start from a farm where that was done: (file, example) -> edit(state).
SETUP = {
    ("plugins/modules/win_rds_server.py", "Let users log on again"):
        lambda state: logons.set_mode(state["servers"]["RDSH01"], "drain_until_restart"),
    ("docs/drain.md", "Let users in again"):
        lambda state: logons.set_mode(state["servers"]["RDSH01"], "drain_until_restart"),
}
# A rebooted emulated server is down this long: the example that waits until its servers have gone down
# sees them down, the one that waits until they answer again sees them back.
REBOOT_SECONDS = 8
# Modules whose tasks change things: each such task of an example must report a change.
CHANGING = frozenset(examples.PREFIX + name for name in (
    "win_rds_session", "win_rds_message", "win_rds_process", "win_rds_server"))
GROUPS = ("session_hosts", "rds_management", "management_host")


def example_farm() -> dict:
    """The sample farm (rds_emulator/sample.py) with what the examples name: every server reachable and
    rebooting in REBOOT_SECONDS, bob disconnected for five hours, carol idle for thirteen and answering "no", the
    channels, processes and domains the examples use, and scripted events so that waits end at once (every
    user of RDSH01 logs off, erin of RDSH02 too)."""
    state = rds_emulator.sample_state()
    servers = state["servers"]
    servers["RDSH03"]["reachable"] = True
    for server in servers.values():
        server["reboot_seconds"] = REBOOT_SECONDS
    rdsh01 = {session["id"]: session for session in servers["RDSH01"]["sessions"]}
    rdsh01[3]["disconnect_time"] = "2026-03-14T04:00:00Z"
    rdsh01[4].update(last_input_time="2026-03-13T20:00:00Z", message_response="no")
    rdsh01[2]["channels"]["CTXCMD"] = {"mode": "sink"}
    servers["RDSH01"]["processes"] += [make_process(3700, "contoso-agent.exe", session=2, sid=_sid(state, "alice")),
                                       make_process(3450, "AcroRd32.exe", session=2, sid=_sid(state, "alice"))]
    servers["RDSH02"]["processes"].append(make_process(2300, "WINWORD.EXE", session=1, sid=_sid(state, "dave"),
                                                       parent_pid=2210))
    servers["RDSH01"]["events"] = [make_event(0.3, ["logoff"], session_id=session_id, remove=True)
                                   for session_id in (1, 2, 3, 4, 5)]
    servers["RDSH02"]["events"] = [make_event(0.3, ["logoff"], session_id=2, remove=True)]
    servers["DC01"] = make_server(aliases=["dc01.fabrikam.com"], domain="FABRIKAM")
    state["browser"]["entries"] += [make_browser_entry("DC01", domain="FABRIKAM", type=0x0000100B),
                                    make_browser_entry("RDSH-FAB1", domain="FABRIKAM")]
    return state


def _sid(state: dict, user: str) -> str:
    return next(sid for sid, name in state["accounts"].items() if name == "CONTOSO\\" + user)


def _calls(state: dict, function: str) -> list:
    return [call for call in state["mutating_calls"] if call["function"] == function]


def _session(state: dict, server: str, session_id: int):
    return next((s for s in state["servers"][server]["sessions"] if s["id"] == session_id), None)


def _pids(state: dict, server: str) -> set:
    return {process["pid"] for process in state["servers"][server]["processes"]}


# (file, example) -> check(state after the example) of what the example says it does.
CHECKS = {
    ("plugins/modules/win_rds_session.py", "Log off the users who have been disconnected for more than two hours"):
        lambda state: _session(state, "RDSH01", 3) is None and _session(state, "RDSH01", 4) is not None,
    ("plugins/modules/win_rds_session.py", "Disconnect alice's sessions on every session host of the farm"):
        lambda state: _session(state, "RDSH01", 2)["state"] == "disconnected",
    ("plugins/modules/win_rds_session.py", "Preview which sessions idle for more than 8 hours would be logged off"):
        lambda state: state["mutating_calls"] == [],
    ("plugins/modules/win_rds_message.py", "Warn everyone 15 minutes before maintenance and ask whether they can "
     "log off now"):
        lambda state: {call["args"]["SessionId"] for call in _calls(state, "WTSSendMessageW")} == {1, 2, 4, 5},
    ("plugins/modules/win_rds_message.py", "Tell bob, without waiting for him"):
        lambda state: [call["args"]["SessionId"] for call in _calls(state, "WTSSendMessageW")] == [3],
    ("plugins/modules/win_rds_process.py", "End every hung Word of the farm"):
        lambda state: 3410 not in _pids(state, "RDSH01") and 2300 not in _pids(state, "RDSH02"),
    ("plugins/modules/win_rds_process.py", "See what would be ended, without ending anything"):
        lambda state: state["mutating_calls"] == [] and 3520 in _pids(state, "RDSH01"),
    ("plugins/modules/win_rds_process.py", "End one process by pid, with the exit code a monitoring script expects"):
        lambda state: [(call["args"]["ProcessId"], call["args"]["ExitCode"])
                       for call in _calls(state, "WTSTerminateProcess")] == [(3630, 143)],
    ("plugins/modules/win_rds_server.py", "Reboot two drained session hosts and wait until they are back"):
        lambda state: [state["servers"][name].get("boots") for name in ("RDSH01", "RDSH02")] == [1, 1],
    ("plugins/modules/win_rds_server.py", "Power off a session host at the end of the day, once nobody is logged on"):
        lambda state: state["servers"]["RDSH03"]["shutdown"]["flag"] == "poweroff",
    ("plugins/modules/win_rds_wait.py", "Wait up to an hour until the last user has logged off, then reboot"):
        lambda state: not any(_session(state, "RDSH01", session_id) for session_id in (1, 2, 3, 4, 5)),
    ("plugins/modules/win_rds_wait.py", "Wait until carol has no session any more"):
        lambda state: _session(state, "RDSH01", 4) is None,
    ("plugins/modules/win_rds_wait.py", "Wait for the next logon or logoff on two servers, and only report a timeout"):
        lambda state: all(state["servers"][name].get("fired_events") for name in ("RDSH01", "RDSH02")),
    ("docs/awx.md", "Drain RD Session Hosts"):
        lambda state: {call["args"]["text"] for call in _calls(state, "WTSSendMessageW")} == {
            "This server goes into maintenance. Please save your work and log off within 15 minutes; sessions "
            "still open then will be logged off."} and state["servers"]["RDSH01"]["shutdown"]["flag"] == "reboot",
    ("roles/rds_session_cleanup/README.md", "Nightly clean-up of the session hosts"):
        lambda state: [(call["function"], call["args"].get("SessionId", call["args"].get("ProcessId")))
                       for call in state["mutating_calls"]] == [
            ("WTSLogoffSession", 3), ("WTSLogoffSession", 4), ("WTSTerminateProcess", 3450)],
}


def _sources():
    """{file: [(name, play)]} of every example that runs, in the order of the file."""
    sources = {}
    for where, text in examples.examples():
        path = where.split(" ")[0]
        sources.setdefault(path, []).extend(examples.example_plays(text))
    return {path: plays for path, plays in sources.items() if plays}


SOURCES = _sources()


def _without_not_run(path: str, plays: list, used: set) -> list:
    """``plays`` without the examples, and tasks, that NOT_RUN lists for ``path``; ``used`` collects the keys
    that matched."""
    def keep(item):
        key = (path, item.get("name"))
        if key in NOT_RUN:
            used.add(key)
            return False
        return True

    def prune(task_list):
        kept = []
        for task in task_list or ():
            if keep(task):
                for section in ("block", "rescue", "always"):
                    if section in task:
                        task[section] = prune(task[section])
                kept.append(task)
        return kept

    result = []
    for name, play in plays:
        if not keep({"name": name}):
            continue
        play = copy.deepcopy(play)
        for section in ("pre_tasks", "tasks", "post_tasks"):
            if section in play:
                play[section] = prune(play[section])
        result.append((name, play))
    return result


def _wrapper(directory: Path, index: int, setup=None) -> str:
    """A fresh example farm in ``directory`` (edited by ``setup``) and the interpreter that works it (as
    rds_emulator.farm does)."""
    farm = example_farm()
    if setup:
        setup(farm)
    state = directory / ("state-%d.json" % index)
    state.write_text(json.dumps(farm))
    wrapper = directory / ("python-%d" % index)
    script = "#!/bin/sh\nRDS_EMULATOR_STATE=%s exec %s \"$@\"\n" % (shlex.quote(str(state)), shlex.quote(EMULATED_PYTHON))
    wrapper.write_text(script)
    wrapper.chmod(0o755)
    return str(wrapper)


def _run_of(path: str) -> str:
    """Which ansible-playbook run works the examples of ``path``: the plugins' EXAMPLES in one, the guides in
    another (a failed example stops the rest of its run: ansible-playbook stops when every host of a play failed)."""
    return "plugins" if path.startswith("plugins/") else "guides"


def _run(examples_to_run: list, tmp_path: Path):
    """Run ``examples_to_run`` ((file, name, play)) in one ansible-playbook run, each play on a fresh farm of
    its own; returns the run and, per example, (file, name, play, its results, the state it left)."""
    playbook = []
    for index, (path, name, play) in enumerate(examples_to_run):
        play = dict(play, name="[%d] %s" % (index, name))
        play["vars"] = dict(play.get("vars") or {}, **PLAY_VARS.get(path, {}))
        play["vars"]["ansible_python_interpreter"] = _wrapper(tmp_path, index, SETUP.get((path, name)))
        playbook.append(play)
    (tmp_path / "examples.yml").write_text(yaml.safe_dump(playbook, sort_keys=False, allow_unicode=True))
    host = {"ansible_connection": "local", "ansible_python_interpreter": _wrapper(tmp_path, len(playbook)),
            "rds_emulated": True}
    inventory = {"all": {"children": {group: {"hosts": {"rdsh01": host}} for group in GROUPS}}}
    (tmp_path / "inventory.json").write_text(json.dumps(inventory))
    records = tmp_path / "results.jsonl"
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(ROOT / ".build" / "collections"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_FORCE_COLOR="0", ANSIBLE_LOCAL_TEMP=str(tmp_path / "tmp"),
               ANSIBLE_CALLBACK_PLUGINS=str(HERE / "callback_plugins"), ANSIBLE_CALLBACKS_ENABLED="example_results",
               RDS_EXAMPLE_RESULTS=str(records))
    command = [str(Path(sys.executable).with_name("ansible-playbook")), "-i", str(tmp_path / "inventory.json"),
               str(tmp_path / "examples.yml")]
    run = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900, check=False, cwd=tmp_path)
    lines = [json.loads(line) for line in records.read_text().splitlines()] if records.exists() else []
    return run, [(path, name, play, [line for line in lines if line["play"] == playbook[index]["name"]],
                  json.loads((tmp_path / ("state-%d.json" % index)).read_text()))
                 for index, (path, name, play) in enumerate(examples_to_run)]


_RUNS = {}


def _results(run_name: str, tmp_path_factory):
    """The run ``run_name`` (see _run_of), made once for every test that needs it."""
    if run_name not in _RUNS:
        to_run = [(path, name, play) for path, plays in SOURCES.items() if _run_of(path) == run_name
                  for name, play in _without_not_run(path, plays, set())]
        _RUNS[run_name] = _run(to_run, tmp_path_factory.mktemp(run_name))
    return _RUNS[run_name]


def _problems(path: str, name: str, play: dict, results: list, state: dict) -> list:
    """What went wrong with one example, as readable lines (none: it ran as it says)."""
    if not results:
        return ["did not run: an earlier example of its run failed (see that one)"]
    problems = []
    done = [line for line in results if line["event"] == "result"]
    for line in done:
        if line["status"] in ("failed", "unreachable") and not line["ignored"]:
            problems.append("task %r %s: %s" % (line["task"], line["status"], line["msg"]))
        for warning in line["warnings"] + [str(d) for d in line["deprecations"]]:
            if (path, name) not in WARNS or WARNS[(path, name)] not in str(warning):
                problems.append("task %r warned: %s" % (line["task"], warning))
    own = {task.get("name"): task for task in examples.tasks([play])}
    for line in done:
        if line["task"] in own and line["status"] == "skipped" and "when" not in own[line["task"]]:
            problems.append("task %r was skipped" % line["task"])
        if line["task"] in own and line["action"] in CHANGING and line["status"] != "changed":
            problems.append("task %r changed nothing: the farm had nothing for it to act on" % line["task"])
    if not done:
        problems.append("no task ran")
    check_only = done and all(line["check_mode"] for line in done if line["action"] in CHANGING)
    if check_only and any(line["action"] in CHANGING for line in done) and state["mutating_calls"]:
        problems.append("check mode changed something: %s" % state["mutating_calls"])
    placeholders = [call for call in state["mutating_calls"] if "<<Omit>>" in str(call["args"])
                    or "__omit_place_holder__" in str(call["args"])]
    if placeholders:
        problems.append("Ansible's omit placeholder reached Windows: %s" % placeholders)
    check = CHECKS.get((path, name))
    try:
        if check and not check(state):
            problems.append("it did not do what it says (CHECKS): see the farm's state after it")
    except (KeyError, TypeError) as error:
        problems.append("it did not do what it says (CHECKS): %r" % error)
    return problems


@pytest.mark.parametrize("path", list(SOURCES))
def test_every_example_of_a_file_runs_and_does_what_it_says(path, tmp_path_factory):
    run, outcome = _results(_run_of(path), tmp_path_factory)
    ran = [(name, play, results, state) for file, name, play, results, state in outcome if file == path]

    problems = ["%s: %s" % (name, problem) for name, play, results, state in ran
                for problem in _problems(path, name, play, results, state)]
    assert ran and len(ran) == len(_without_not_run(path, SOURCES[path], set()))
    assert not problems, "%s\n%s\n%s" % ("\n".join(problems), run.stdout[-4000:], run.stderr[-3000:])


# Inventory sources among the examples that ansible-inventory cannot parse here: (file, what names them) -> why.
INVENTORY_NOT_RUN = {
    ("plugins/inventory/rds_servers.py", "discovery_host: mgmt01.contoso.com"): DISCOVERY,
    ("docs/inventory.md", "discovery_host: mgmt01.contoso.com"): DISCOVERY,
    ("docs/inventory.md", "plugin: microsoft.ad.ldap"): "another collection's plugin, asking a domain controller over LDAP",
}


def _inventory_sources():
    """(file, key, source) of every example that is an inventory source: a YAML inventory (``all``) or a
    config of an inventory plugin; ``key`` names a plugin config by its discovery host, or its plugin."""
    for where, text in examples.examples():
        for document in yaml.safe_load_all(text):
            if isinstance(document, dict) and ("all" in document or "plugin" in document):
                key = ("discovery_host: %s" % document["discovery_host"] if "discovery_host" in document
                       else "plugin: %s" % document["plugin"] if "plugin" in document else None)
                yield where.split(" ")[0], key, document


def test_every_inventory_example_parses_with_ansible_inventory(tmp_path):
    sources, expected, skipped = [], [], set()
    for index, (path, key, source) in enumerate(_inventory_sources()):
        if (path, key) in INVENTORY_NOT_RUN:
            skipped.add((path, key))
            continue
        if "plugin" in source:
            servers = source["static_servers"]
            suffix = "." + source["dns_suffix"] if source.get("hostname_format") == "fqdn" else ""
            expected += [server if "." in server else server + suffix for server in servers]
        else:
            expected += [host for group in source["all"]["children"].values() for host in group.get("hosts") or {}]
        sources.append(tmp_path / ("%d.rds_servers.yml" % index if "plugin" in source else "%d.yml" % index))
        sources[-1].write_text(yaml.safe_dump(source))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(ROOT / ".build" / "collections"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED="true", ANSIBLE_LOCAL_TEMP=str(tmp_path / "tmp"))
    command = [str(Path(sys.executable).with_name("ansible-inventory")), "--list"]
    for source in sources:
        command += ["-i", str(source)]

    run = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False, cwd=tmp_path)

    assert run.returncode == 0 and "[WARNING]" not in run.stderr, run.stdout[-2000:] + run.stderr[-3000:]
    assert set(expected) <= set(json.loads(run.stdout)["_meta"]["hostvars"]), run.stdout[-3000:]
    assert len(sources) >= 4 and skipped == set(INVENTORY_NOT_RUN), set(INVENTORY_NOT_RUN) - skipped


def test_the_examples_that_do_not_run_are_listed_with_a_reason_and_exist():
    used = set()
    for path, plays in SOURCES.items():
        _without_not_run(path, plays, used)

    assert used == set(NOT_RUN), "NOT_RUN names examples that do not exist: %s" % (set(NOT_RUN) - used)
    assert all(reason.strip() for reason in NOT_RUN.values())


def test_every_check_setup_and_warning_names_an_example_that_runs():
    names = {(path, name) for path, plays in SOURCES.items() for name, _play in plays}

    for table in (CHECKS, SETUP, WARNS):
        assert set(table) <= names, set(table) - names
