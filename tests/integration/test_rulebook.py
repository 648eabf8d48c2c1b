"""The session_events event source with the real engine: ansible-rulebook (from PyPI; its drools_jpy wheel runs
the Drools rules engine in a Java 17 runtime) runs eda/rulebooks/session_events.yml against the loopback
WS-Management endpoint (tests/wsman) and the emulated RD Session Host (docs/eda.md).

The emulated host's scripted Windows events log bob on and disconnect him; his session has been disconnected
longer than the rulebook's threshold, so the rulebook's run_playbook action logs it off with the collection's
win_rds_session module; the logoff arrives as an event, and the rulebook shuts down. A second source watches a
host nobody answers for, and its host_down event fires a rule too. The plugin's EXAMPLES and the rulebooks of
docs/eda.md are checked against ansible-rulebook's schema and the source's options.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import rds_emulator
import yaml
from ansible_rulebook import validators

from ansible_collections.wtsadmin.rds.plugins.plugin_utils._event_stream import source_options

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "tests" / "wsman"))

from wsman_loopback import LoopbackWsman  # noqa: E402  pylint: disable=wrong-import-position

USERNAME, PASSWORD = "CONTOSO\\rdsadmin", "S3cret-Pa55!"
PLUGIN = ROOT / "extensions" / "eda" / "plugins" / "event_source" / "session_events.py"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _session(session_id: int, user: str) -> dict:
    return rds_emulator.make_session(session_id, station="RDP-Tcp#%d" % session_id, state="active", user=user,
                                     domain="CONTOSO", locked=False)


@pytest.fixture
def host(tmp_path: Path) -> dict:
    """The emulated RDSH01 with alice, and a script: bob logs on, then disconnects (since long ago)."""
    state = rds_emulator.empty_state()
    state["servers"]["RDSH01"] = rds_emulator.make_server([_session(2, "alice")], events=[
        rds_emulator.make_event(2.0, ["logon", "create"], add_session=_session(3, "bob")),
        rds_emulator.make_event(3.0, ["disconnect", "statechange"], session_id=3,
                                set={"state": "disconnected", "station": "", "disconnect_time": "2026-01-01T00:00:00Z"}),
    ])
    path = tmp_path / "emulator-state.json"
    path.write_text(json.dumps(state), encoding="utf-8")
    python = os.environ.get("RDS_EMULATOR_PYTHON", str(ROOT / ".build" / "emulated-host" / "bin" / "python"))
    return {"state": path, "python": python}


def test_scripted_events_fire_rules_and_a_playbook_logs_off_the_disconnected_session(
        host: dict, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("RDS_EMULATOR_STATE", str(host["state"]))  # read by the Pythons the endpoint starts
    dead_port = _free_port()
    with LoopbackWsman(USERNAME, PASSWORD) as wsman:
        inventory = tmp_path / "inventory.yml"
        inventory.write_text(yaml.safe_dump({"all": {"hosts": {"rdsh01": {
            "ansible_connection": "local",  # the playbook's connection; the source uses WinRM to ansible_host:port
            "ansible_python_interpreter": host["python"],
            "ansible_host": "127.0.0.1",
            "ansible_port": wsman.port,
        }}}}), encoding="utf-8")
        variables = tmp_path / "vars.yml"
        variables.write_text(yaml.safe_dump({"rds_inventory": str(inventory), "rds_dead_host": "127.0.0.1:%d" % dead_port}),
                             encoding="utf-8")
        env = dict(os.environ)
        env.update(
            PATH="%s%s%s" % (BIN, os.pathsep, env.get("PATH", "")),  # ansible-rulebook runs ansible-galaxy
            ANSIBLE_COLLECTIONS_PATH=str(ROOT / ".build" / "collections"),
            ANSIBLE_LOCAL_TEMP=str(tmp_path / "local-tmp"),
            ANSIBLE_NOCOLOR="1",
            HOME=str(tmp_path),
            WTSADMIN_RDS_USERNAME=USERNAME,
            WTSADMIN_RDS_PASSWORD=PASSWORD,
            WTSADMIN_RDS_WINRM_SCHEME="http",
            WTSADMIN_RDS_WINRM_TRANSPORT="basic",
            WTSADMIN_RDS_OPERATION_TIMEOUT="5",
            WTSADMIN_RDS_READ_TIMEOUT="15",
        )
        run = subprocess.run(
            [str(BIN / "ansible-rulebook"), "--rulebook", "rulebooks/session_events.yml", "--inventory", str(inventory),
             "--vars", str(variables)],
            cwd=HERE / "eda", env=env, capture_output=True, text=True, timeout=900, check=False)
        output = run.stdout + run.stderr
        assert run.returncode == 0, output[-8000:]
        started = len(wsman.processes)
        deadline = time.monotonic() + 60  # a killed process may need a moment to be gone
        while wsman.leftovers() and time.monotonic() < deadline:
            time.sleep(0.2)
        leftovers = wsman.leftovers()

    # The rules fired: logon printed, host_down printed, the playbook ran, and the logoff ended the rulebook.
    assert "'type': 'logon'" in output and "'user': 'CONTOSO\\\\bob'" in output, output[-8000:]
    assert "'type': 'host_down'" in output and "127.0.0.1:%d" % dead_port in output, output[-8000:]
    assert "Log off the session" in output and "changed=1" in output, output[-8000:]
    assert PASSWORD not in output
    # The collection's module logged bob's session off on the emulated host.
    state = json.loads(host["state"].read_text(encoding="utf-8"))
    server = state["servers"]["RDSH01"]
    assert [session["id"] for session in server["sessions"] if session["user"]] == [2]
    assert [call["args"].get("SessionId") for call in state["mutating_calls"] if call["function"] == "WTSLogoffSession"] == [3]
    # Shutdown: the source ended its command on the host; no process is left.
    assert started and not leftovers, leftovers


# the documented rulebooks

def namespace_of_plugin():
    namespace = {}
    exec(compile(PLUGIN.read_text(), str(PLUGIN), "exec"), namespace)  # pylint: disable=exec-used
    return namespace


def _rulebooks():
    """The plugin's EXAMPLES and every rulebook in docs/eda.md (a YAML block with ``sources``)."""
    yield "EXAMPLES", namespace_of_plugin()["EXAMPLES"]
    for index, block in enumerate((ROOT / "docs" / "eda.md").read_text().split("```yaml\n")[1:]):
        text = block.split("```")[0]
        if "sources:" in text:
            yield "docs/eda.md block %d" % index, text


@pytest.mark.parametrize("name, text", list(_rulebooks()), ids=[name for name, _text in _rulebooks()])
def test_the_documented_rulebooks_are_valid_for_ansible_rulebook_and_this_source(name, text):
    rulebook = yaml.safe_load(text)
    validators.Validate.rulebook(rulebook)  # raises on a rulebook ansible-rulebook would refuse
    assert rulebook, name
    for ruleset in rulebook:
        for source in ruleset["sources"]:
            args = source.get("wtsadmin.rds.session_events")
            if args is not None:
                source_options(args, namespace_of_plugin()["DOCUMENTATION"])
