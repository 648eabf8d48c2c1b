"""AWX-style runs: playbooks run through ansible-runner, the engine AWX and Automation Platform use, against the
emulated RD Session Host, and checked the way AWX sees them: through the job events.

- the demo playbook (playbooks/demo.yml), as a project's playbook with its inventory;
- the job template of docs/awx.md: examples/awx/drain.yml launched with the answers to its survey
  (examples/awx/drain_survey.json) as extra variables;
- playbooks/rolling_maintenance.yml against a farm of emulated hosts (rds_emulator.farm), one at a time.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import ansible_runner
import pytest
import rds_emulator
import yaml
from rds_emulator import farm, logons

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "awx"
EMULATED_PYTHON = os.environ.get("RDS_EMULATOR_PYTHON", str(ROOT / ".build" / "emulated-host" / "bin" / "python"))


@pytest.fixture
def host_state(tmp_path: Path) -> Path:
    """The sample farm in the state file that the emulated host's Python reads and writes."""
    path = tmp_path / "emulator-state.json"
    path.write_text(json.dumps(rds_emulator.sample_state()))
    return path


def _run(tmp_path: Path, host_state: Path, **job) -> ansible_runner.Runner:
    envvars = {
        "ANSIBLE_COLLECTIONS_PATH": str(ROOT / ".build" / "collections"),
        "RDS_EMULATOR_STATE": str(host_state),
        "RDS_EMULATOR_PYTHON": EMULATED_PYTHON,
        "ANSIBLE_LOCAL_TEMP": str(tmp_path / "local-tmp"),
        "PATH": os.pathsep.join((str(Path(sys.executable).parent), os.environ.get("PATH", ""))),  # this ansible-playbook
    }
    (tmp_path / "job").mkdir()
    runner = ansible_runner.run(private_data_dir=str(tmp_path / "job"), envvars=envvars, quiet=True, **job)
    assert (runner.status, runner.rc) == ("successful", 0), runner.stdout.read()[-4000:]
    return runner


def _results(runner: ansible_runner.Runner, action: str) -> list[dict]:
    """The module results of every successful task of ``action``, from the job events."""
    return [event["event_data"]["res"] for event in runner.events
            if event["event"] == "runner_on_ok" and event["event_data"]["task_action"] == action]


def _emulated_inventory(group: str) -> dict:
    host = {"ansible_connection": "local", "ansible_python_interpreter": EMULATED_PYTHON}
    return {"all": {"children": {group: {"hosts": {"rdsh01": host}}}}}


def test_demo_job_events_carry_the_sessions_of_the_host(tmp_path: Path, host_state: Path) -> None:
    runner = _run(tmp_path, host_state, project_dir=str(ROOT / "playbooks"), playbook="demo.yml",
                  inventory=str(ROOT / "playbooks" / "inventory.yml"))

    (listed,) = _results(runner, "wtsadmin.rds.win_rds_session_info")
    expected = [s for s in rds_emulator.sample_state()["servers"]["RDSH01"]["sessions"] if 0 < s["id"] < 65536]
    assert [s["session_id"] for s in listed["sessions"]] == [s["id"] for s in expected]
    assert [s["user"] for s in listed["sessions"]] == [f"{s['domain']}\\{s['user']}" if s["user"] else None for s in expected]
    assert listed["changed"] is False
    stats = [event for event in runner.events if event["event"] == "playbook_on_stats"][-1]["event_data"]
    assert "rdsh01" in stats["ok"] and not stats["failures"] and not stats["dark"]


def test_drain_job_template_with_survey_answers_drains_and_reboots(tmp_path: Path, host_state: Path) -> None:
    survey = {question["variable"]: question["default"] for question in json.loads((EXAMPLES / "drain_survey.json").read_text())["spec"]}
    answers = dict(survey, drain_minutes=0.05)  # three seconds, to keep the test short
    # The emulated host stays down after the reboot: stop at the WTS call instead of waiting for it.
    extravars = dict(answers, rds_drain_wait_for_reboot=False)
    runner = _run(tmp_path, host_state, project_dir=str(EXAMPLES), playbook="drain.yml",
                  inventory=_emulated_inventory("session_hosts"), extravars=extravars)

    (warned,) = _results(runner, "wtsadmin.rds.win_rds_message")
    assert [s["session_id"] for s in warned["sessions"]] == [1, 2, 4, 5]  # the active sessions with a user
    (logged_off,) = _results(runner, "wtsadmin.rds.win_rds_session")
    assert {s["session_id"]: s["result"] for s in logged_off["sessions"]} == {2: "logged_off", 3: "logged_off",
                                                                              4: "logged_off", 5: "logged_off"}
    assert [s["session_id"] for s in logged_off["protected"]] == [1]  # the console
    drained, reboot = _results(runner, "wtsadmin.rds.win_rds_server")  # logons first, then the reboot
    assert [(s["previous_logon_mode"], s["logon_mode"]) for s in drained["servers"]] == [("enabled", "drain_until_restart")]
    assert [(s["state"], s["result"]) for s in reboot["servers"]] == [("rebooted", "requested")]

    rdsh01 = json.loads(host_state.read_text())["servers"]["RDSH01"]
    console = next(s for s in rdsh01["sessions"] if s["id"] == 1)
    assert [m["text"] for m in console["messages"]] == [survey["drain_message"].replace("{minutes}", "0.05")]
    assert rdsh01["shutdown"]["flag"] == "reboot"


def test_drain_survey_offers_the_roles_own_defaults() -> None:
    survey = {q["variable"]: q for q in json.loads((EXAMPLES / "drain_survey.json").read_text())["spec"]}
    role = yaml.safe_load((ROOT / "roles" / "rds_drain" / "meta" / "argument_specs.yml").read_text())
    options = role["argument_specs"]["main"]["options"]
    assert survey["drain_minutes"]["default"] == options["rds_drain_grace_minutes"]["default"]
    assert survey["drain_message"]["default"] == options["rds_drain_message"]["default"]
    assert survey["drain_message"]["max"] == 511  # what WTSSendMessageW accepts
    assert survey["drain_reboot"]["choices"] == ["yes", "no"]


def test_credential_type_injects_what_the_inventory_plugin_reads() -> None:
    from ansible_collections.wtsadmin.rds.plugins.doc_fragments.inventory_winrm import ModuleDocFragment
    from ansible_collections.wtsadmin.rds.plugins.inventory import rds_servers

    options = {**yaml.safe_load(rds_servers.DOCUMENTATION)["options"],
               **yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["options"]}
    readable = {env["name"] for option in options.values() for env in option.get("env", [])}
    credential = yaml.safe_load((EXAMPLES / "credential_type.yml").read_text())
    injected = set(credential["injectors"]["env"])
    assert injected <= readable
    fields = {field["id"] for field in credential["inputs"]["fields"]}
    assert {value.strip("{} ") for value in credential["injectors"]["env"].values()} == fields
    transports = next(field for field in credential["inputs"]["fields"] if field["id"] == "transport")["choices"]
    assert set(transports) <= set(options["transport"]["choices"]) - {"certificate"}  # no client certificate input
    for guide in ("awx.md", "inventory.md"):  # the one definition: the guides point to it and copy none of it
        text = (ROOT / "docs" / guide).read_text()
        assert "examples/awx/credential_type.yml" in text and "WTSADMIN_RDS_USERNAME: " not in text, guide


def test_rolling_maintenance_job_drains_and_enables_one_host_at_a_time(tmp_path: Path, host_state: Path) -> None:
    hosts = tmp_path / "farm"
    hosts.mkdir()
    inventory = farm.write_farm(str(hosts), EMULATED_PYTHON, {"RDSH31": "enabled", "RDSH32": "enabled"})
    extravars = {"rds_maintenance_grace_minutes": 0.05, "rds_maintenance_reboot_delay": 0,
                 "rds_maintenance_reboot_poll": 1}
    runner = _run(tmp_path, host_state, project_dir=str(ROOT / "playbooks"), playbook="rolling_maintenance.yml",
                  inventory=inventory, extravars=extravars)

    plays = [event["event_data"]["play"] for event in runner.events if event["event"] == "playbook_on_play_start"]
    assert plays == ["Read the logon mode of every host of the farm"] + ["Maintain the farm a batch of hosts at a time"] * 2
    # serial: 1 - the first host is drained and enabled again before the second is touched
    changes = [(event["event_data"]["host"], event["event_data"]["res"]["servers"][0].get("logon_mode"))
               for event in runner.events if event["event"] == "runner_on_ok"
               and event["event_data"]["task_action"] == "wtsadmin.rds.win_rds_server"
               and "logon_mode" in event["event_data"]["res"]["servers"][0]]
    assert changes == [("rdsh31", "drain"), ("rdsh31", "enabled"), ("rdsh32", "drain"), ("rdsh32", "enabled")]
    stats = [event for event in runner.events if event["event"] == "playbook_on_stats"][-1]["event_data"]
    assert set(stats["ok"]) == {"rdsh31", "rdsh32"} and not stats["failures"] and not stats["dark"]
    for name in ("RDSH31", "RDSH32"):
        server = farm.read_host(str(hosts), name)["servers"][name]
        assert logons.logon_mode(server) == "enabled" and server["boots"] == 1
        assert not [s for s in server["sessions"] if s["user"]]
