"""The session_events event source with the real engine: ansible-rulebook (from PyPI; its drools_jpy wheel runs
the Drools rules engine in a Java 17 runtime) runs eda/rulebooks/session_events.yml against the loopback
WS-Management endpoint (tests/wsman) and the emulated RD Session Host (docs/eda.md).

The emulated host's scripted Windows events log bob on and disconnect him; his session has been disconnected
longer than the rulebook's threshold, so the rulebook's run_playbook action logs it off with the collection's
win_rds_session module; the logoff arrives as an event, and the rulebook shuts down. A second source watches a
host nobody answers for, and its host_down event fires a rule too. A second engine run (eda/rulebooks/faults.yml)
goes through the faults: a host that never answers, a network outage and a WinRM service restart mid-stream, a
burst of 1,000 Windows events, and the shutdown (docs/eda.md, "Testing"). The plugin's EXAMPLES and the rulebooks
of docs/eda.md are checked against ansible-rulebook's schema and the source's options.
"""
from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import rds_emulator
import yaml
from ansible_rulebook import validators
from emulated_server import ServerFile

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


def _engine_environment(tmp_path: Path) -> dict:
    """ansible-rulebook's environment: the collection, and the source's WinRM options for the loopback endpoint."""
    env = dict(os.environ)
    env.update(
        PATH="%s%s%s" % (BIN, os.pathsep, env.get("PATH", "")),  # ansible-rulebook runs ansible-galaxy
        ANSIBLE_COLLECTIONS_PATH=str(ROOT / ".build" / "collections"),
        ANSIBLE_LOCAL_TEMP=str(tmp_path / "local-tmp"),
        ANSIBLE_NOCOLOR="1",
        HOME=str(tmp_path),
        PYTHONUNBUFFERED="1",  # the engine's output as it happens, for the tests that follow it
        WTSADMIN_RDS_USERNAME=USERNAME,
        WTSADMIN_RDS_PASSWORD=PASSWORD,
        WTSADMIN_RDS_WINRM_SCHEME="http",
        WTSADMIN_RDS_WINRM_TRANSPORT="basic",
        WTSADMIN_RDS_OPERATION_TIMEOUT="5",
        WTSADMIN_RDS_READ_TIMEOUT="15",
    )
    return env


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
        run = subprocess.run(
            [str(BIN / "ansible-rulebook"), "--rulebook", "rulebooks/session_events.yml", "--inventory", str(inventory),
             "--vars", str(variables)],
            cwd=HERE / "eda", env=_engine_environment(tmp_path), capture_output=True, text=True, timeout=900,
            check=False)
        output = run.stdout + run.stderr
        assert run.returncode == 0, output[-8000:]
        started = len(wsman.processes)
        deadline = time.monotonic() + 60  # a killed process may need a moment to be gone
        while wsman.leftovers() and time.monotonic() < deadline:
            time.sleep(0.2)
        leftovers = wsman.leftovers()
        commands, signals = [command.id for command in wsman.started], list(wsman.signals)

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
    # Shutdown: the source ended its command on the host with Signal terminate, once; no process is left.
    assert started and not leftovers, leftovers
    assert [(command, TERMINATE) for command in commands] == [(command, code) for _shell, command, code in signals]


# faults, under the engine

WAIT = 240  # seconds the fault test waits at most for one step: a hang guard that fails saying what it waited for
SAW = re.compile(r"^rulebook saw (\S+) (\w+)(?: (\d+))?")
STOPPED = re.compile(r"wtsadmin\.rds\.session_events stopped: (\S+): (\d+) connection\(s\), (\d+) bytes read, (\d+) "
                     r"event\(s\) handed to the rulebook; at most (\d+) line\(s\) \((\d+) bytes\) of the host's output held "
                     r"at once")
ONE_ANSWER = 153600  # bytes: pywinrm's wsman:MaxEnvelopeSize, the bound docs/eda.md states for the output held
TERMINATE = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/signal/terminate"
BURST_SESSIONS = (3, 4, 5, 6)


class Engine:
    """ansible-rulebook running in the background; its output is collected line by line as it comes."""

    def __init__(self, command, cwd, env):
        self.lines = []
        self._process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                         text=True, bufsize=1)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for line in self._process.stdout:
            self.lines.append(line.rstrip("\n"))

    def saw(self, host=None):
        """(type, session id or None) of every event a rule fired for, in order (of ``host``, or (host, type, id))."""
        found = [(match[1], match[2], int(match[3]) if match[3] else None)
                 for match in map(SAW.match, list(self.lines)) if match]
        return found if host is None else [(kind, sid) for name, kind, sid in found if name == host]

    def output(self):
        return "\n".join(self.lines)

    def until(self, done, what):
        deadline = time.monotonic() + WAIT
        while not done():
            if self._process.poll() is not None:
                self._reader.join(10)
                pytest.fail("ansible-rulebook ended (exit code %s) while the test waited for %s:\n%s"
                            % (self._process.returncode, what, self.output()[-8000:]))
            if time.monotonic() > deadline:
                self.kill()
                pytest.fail("hang guard: after %d s still waiting for %s; the rules fired for: %s\n%s"
                            % (WAIT, what, self.saw()[-40:], self.output()[-8000:]))
            time.sleep(0.5)

    def wait(self, what):
        try:
            code = self._process.wait(WAIT)
        except subprocess.TimeoutExpired:
            self.kill()
            pytest.fail("hang guard: ansible-rulebook still runs %d s after %s:\n%s" % (WAIT, what, self.output()[-8000:]))
        self._reader.join(30)
        return code

    def kill(self):
        self._process.kill()
        self._process.wait()


def _burst():
    """1,000 Windows events in ten bursts of 100 half a second apart: 998 disconnects and reconnects (sessions 3
    and 5) and locks and unlocks (4 and 6), 250, 250, 249 and 249 of them, so that 5 and 6 end changed; then a
    logoff (3) and a logon (9)."""
    burst, flips = [], dict.fromkeys(BURST_SESSIONS, 0)
    for index in range(998):
        sid = BURST_SESSIONS[index % 4]
        flips[sid] += 1
        change = {"state": "disconnected" if flips[sid] % 2 else "active"} if sid % 2 else {"locked": flips[sid] % 2 == 1}
        burst.append(rds_emulator.make_event(0.5 if index % 100 == 0 else 0, ["statechange"], session_id=sid, set=change))
    burst.append(rds_emulator.make_event(0, ["logoff", "delete"], session_id=3, remove=True))
    burst.append(rds_emulator.make_event(0, ["logon", "create"], add_session=_session(9, "user9")))
    return burst


def _settled(server, seen):
    """True when the rules fired for what the emulated server's burst sessions are now."""
    if ("logoff", 3) not in seen or ("logon", 9) not in seen:
        return False
    for session in server["sessions"]:
        if session["id"] in (5, 6):
            pairs = ("disconnect", "reconnect") if session["id"] % 2 else ("lock", "unlock")
            last = next((kind for kind, sid in reversed(seen) if sid == session["id"] and kind in pairs), pairs[1])
            now = session["state"] == "disconnected" if session["id"] % 2 else bool(session["locked"])
            if (last == pairs[0]) != now:
                return False
    return True


def test_faults_under_the_engine_a_dead_host_an_outage_mid_stream_a_burst_and_a_clean_shutdown(
        tmp_path: Path, monkeypatch) -> None:
    """One ansible-rulebook run through every fault of docs/eda.md (the engine's start is slow, so one run):

    1. two hosts, one of which never answers: host_down for it, once; the other's events fire rules;
    2. a network outage mid-stream (the endpoint cuts every connection; the command on the host goes on running):
       host_down, host_up after the backoff, the logon made meanwhile arrives, later events fire rules, and the
       command left behind gets Signal terminate once the host answers again;
    3. a burst of 1,000 Windows events: coalesced into fewer events that tell each session's history and end in
       its true state, every event the source read reaches the rules (none dropped), and the output the source
       holds stays within one WinRM answer;
    4. the shutdown action: every command gets Signal terminate, no process of the host's loops is left.
    """
    state = rds_emulator.empty_state()
    state["servers"]["RDSH01"] = rds_emulator.make_server(
        [_session(2, "alice")] + [_session(sid, "user%d" % sid) for sid in BURST_SESSIONS])
    state_path = tmp_path / "emulator-state.json"
    state_path.write_text(json.dumps(state), encoding="utf-8")
    host = ServerFile(state_path)
    starts = tmp_path / "interpreter-starts.log"
    monkeypatch.setenv("RDS_EMULATOR_STATE", str(state_path))  # read by the Pythons the endpoint starts
    monkeypatch.setenv("RDS_EMULATOR_LOG", str(starts))  # one line (pid, ...) per emulated interpreter start
    python = os.environ.get("RDS_EMULATOR_PYTHON", str(ROOT / ".build" / "emulated-host" / "bin" / "python"))
    dead = "127.0.0.1:%d" % _free_port()

    with contextlib.ExitStack() as endpoints:
        wsman = endpoints.enter_context(LoopbackWsman(USERNAME, PASSWORD))
        live = "127.0.0.1:%d" % wsman.port
        variables = tmp_path / "vars.yml"
        variables.write_text(yaml.safe_dump({"rds_live_host": live, "rds_dead_host": dead}), encoding="utf-8")
        env = dict(_engine_environment(tmp_path), WTSADMIN_RDS_PYTHON_INTERPRETER=python)
        engine = Engine([str(BIN / "ansible-rulebook"), "-v", "--rulebook", "rulebooks/faults.yml", "--vars",
                         str(variables)], HERE / "eda", env)
        try:
            # 1. One host never answers; the other's events still fire rules.
            engine.until(lambda: ("host_down", None) in engine.saw(dead) and ("host_up", None) in engine.saw(live),
                         "host_down of %s and host_up of %s" % (dead, live))
            host.script(rds_emulator.make_event(0.2, ["logon", "create"], add_session=_session(7, "bob")))
            engine.until(lambda: ("logon", 7) in engine.saw(live), "bob's logon")

            # 2. The network goes away mid-stream; a user logs on meanwhile; it comes back.
            wsman.cut_off()
            engine.until(lambda: engine.saw(live).count(("host_down", None)) == 1, "host_down of %s" % live)
            host.edit(lambda server: server["sessions"].append(_session(8, "carol")))
            wsman.restore()
            engine.until(lambda: ("logon", 8) in engine.saw(live), "carol's logon, made during the outage")
            # 2b. The WinRM service stops mid-stream (its shells end with it); bob logs off meanwhile; it starts
            #     again on the same port, knowing none of the old shells.
            wsman.stop()
            engine.until(lambda: engine.saw(live).count(("host_down", None)) == 2, "host_down of %s again" % live)
            host.edit(lambda server: server["sessions"].remove(next(s for s in server["sessions"] if s["id"] == 7)))
            restarted = endpoints.enter_context(LoopbackWsman(USERNAME, PASSWORD, port=wsman.port))
            engine.until(lambda: ("logoff", 7) in engine.saw(live), "bob's logoff, made while the service was down")
            host.script(rds_emulator.make_event(0.2, ["logon", "create"], add_session=_session(10, "dave")))
            engine.until(lambda: ("logon", 10) in engine.saw(live), "dave's logon, after the restart")
            after_outage = len(engine.saw(live))

            # 3. A burst of 1,000 Windows events.
            fired_before = len(host.server["fired_events"])
            host.script(*_burst())
            engine.until(lambda: not host.server["events"] and _settled(host.server, engine.saw(live)[after_outage:]),
                         "the burst's events to say what the sessions are now")
            burst_seen = engine.saw(live)[after_outage:]
            fired = len(host.server["fired_events"]) - fired_before

            # 4. alice logs off: the rulebook shuts down.
            host.script(rds_emulator.make_event(0.2, ["logoff", "delete"], session_id=2, remove=True))
            code = engine.wait("alice's logoff")
        finally:
            engine.kill()
        output = engine.output()
        assert code == 0, output[-8000:]
        deadline = time.monotonic() + 60  # a killed process may need a moment to be gone
        while (wsman.leftovers() or restarted.leftovers()) and time.monotonic() < deadline:
            time.sleep(0.2)
        leftovers = wsman.leftovers() + restarted.leftovers()
        commands = [[command.id for command in endpoint.started] for endpoint in (wsman, restarted)]
        signals = [[(command, code) for _shell, command, code in endpoint.signals] for endpoint in (wsman, restarted)]

    # 1. The dead host: reported down once, however many attempts failed, and never up; it held up nothing.
    assert engine.saw(dead) == [("host_down", None)], engine.saw(dead)
    assert "rulebook saw %s host_down (retry in 1.0 s): Cannot reach the host's WinRM at http://%s/wsman" % (dead, dead) \
        in output, output[-8000:]
    # 2. The outage and the restart: down once each, up again; what happened meanwhile and afterwards fired rules,
    #    in order.
    seen = engine.saw(live)
    assert seen[:after_outage] == [("host_up", None), ("logon", 7), ("host_down", None), ("host_up", None),
                                   ("logon", 8), ("host_down", None), ("host_up", None), ("logoff", 7),
                                   ("logon", 10)], seen[:after_outage]
    # 3. The burst: all 1,000 fired on the host; coalesced, never more events than Windows events; each session's
    #    events alternate as its real changes do; the source held at most one answer's output (less than it
    #    read), and every event it read reached the rules.
    assert fired == 1000
    burst_events = [kind for kind in burst_seen if kind[1] in BURST_SESSIONS + (9,)]
    assert 0 < len(burst_events) < 1000, len(burst_events)
    for sid in BURST_SESSIONS:
        kinds = [kind for kind, other in burst_events if other == sid and kind not in ("logoff",)]
        pairs = ("disconnect", "reconnect") if sid % 2 else ("lock", "unlock")
        assert kinds == [pairs[index % 2] for index in range(len(kinds))], (sid, kinds)
    assert ("host_down", None) not in burst_seen
    stopped = {match[1]: [int(number) for number in match.groups()[1:]]
               for match in map(STOPPED.search, output.splitlines()) if match}
    assert set(stopped) == {live, dead}, output[-8000:]
    connections, received, delivered, most_lines, most_bytes = stopped[live]
    assert connections == 3  # the first command, the one after the outage, the one after the restart
    assert delivered == len(seen)  # none dropped between the source and the rules: each event fired one rule
    assert stopped[dead][:3] == [0, 0, 1]  # never connected; its one host_down
    assert 0 < most_bytes <= ONE_ANSWER and most_bytes < received and most_lines >= 1, stopped[live]
    # 4. Shutdown, the outage and the restart: each command got Signal terminate once: the one cut off by the
    #    outage once the host answered again; the one the stopped service had ended, at the restarted service
    #    (which no longer knows it: asked once, not again); the last one when the rulebook stopped. No process of
    #    them, nor any emulated interpreter they started, is left.
    (first, second), (third,) = commands
    assert signals == [[(first, TERMINATE)], [(second, TERMINATE), (third, TERMINATE)]], signals
    assert not leftovers, leftovers
    pids = [json.loads(line)["pid"] for line in starts.read_text(encoding="utf-8").splitlines()]
    assert len(pids) == 3 and not [pid for pid in pids if _running(pid)], pids
    assert PASSWORD not in output
    print("figures: %d Windows events in the burst, %d events fired rules for them; the source read %d bytes and"
          " held at most %d lines (%d bytes) of output; %d events in all from %s over %d connections"
          % (fired, len(burst_events), received, most_lines, most_bytes, delivered, live, connections))


def _running(pid: int) -> bool:
    """True while process ``pid`` runs (a zombie, ended but not yet reaped, does not)."""
    try:
        with open("/proc/%d/stat" % pid, encoding="ascii") as stat:
            return stat.read().rpartition(")")[2].split()[0] != "Z"
    except FileNotFoundError:
        return False


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
