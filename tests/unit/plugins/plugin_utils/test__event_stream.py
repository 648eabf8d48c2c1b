# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""_event_stream: the session_events source's options, and its streams through the loopback WinRM endpoint
to the emulated host: scripted events, a host that is unreachable, an endpoint that drops mid-stream, a burst of
1,000 Windows events, and a clean shutdown."""

from __future__ import annotations

import asyncio
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
from emulated_server import ServerFile

from ansible_collections.wtsadmin.rds.plugins.module_utils._session_events import SESSION_EVENTS
from ansible_collections.wtsadmin.rds.plugins.plugin_utils import _event_stream
from ansible_collections.wtsadmin.rds.plugins.plugin_utils._event_stream import source_options, split_host

ROOT = Path(__file__).resolve().parents[4]
sys.path.insert(0, str(ROOT / "tests" / "wsman"))
PLUGIN = ROOT / "extensions" / "eda" / "plugins" / "event_source" / "session_events.py"

from wsman_loopback import LoopbackWsman  # noqa: E402  pylint: disable=wrong-import-position

USERNAME, PASSWORD = "CONTOSO\\rdsadmin", "S3cret-Pa55!"
WAIT = 120  # hang guard: seconds a test waits for what it expects before it fails (never what it asserts)


def documentation():
    namespace = {}
    exec(compile(PLUGIN.read_text(), str(PLUGIN), "exec"), namespace)  # pylint: disable=exec-used
    return namespace["DOCUMENTATION"]


# options

def test_winrm_options_come_from_the_environment_unless_given(monkeypatch):
    monkeypatch.setenv("WTSADMIN_RDS_USERNAME", "CONTOSO\\watcher")
    monkeypatch.setenv("WTSADMIN_RDS_PASSWORD", PASSWORD)
    monkeypatch.setenv("WTSADMIN_RDS_WINRM_PORT", "5985")
    monkeypatch.setenv("WTSADMIN_RDS_VALIDATE_CERTS", "false")
    options = source_options({"hosts": ["rdsh01"], "username": "CONTOSO\\other"}, documentation())
    assert (options["username"], options["password"], options["port"], options["validate_certs"]) == (
        "CONTOSO\\other", PASSWORD, 5985, False)
    assert options["events"] == list(SESSION_EVENTS) + ["host_up", "host_down"]
    assert (options["poll_interval"], options["scheme"], options["transport"]) == (30.0, "https", "ntlm")


def test_bad_options_are_all_named_and_the_password_never_shows():
    with pytest.raises(ValueError) as failure:
        source_options({"hosts": ["rdsh01"], "password": PASSWORD, "port": "http", "events": ["logon", "login"],
                        "polling": 3}, documentation())
    message = str(failure.value)
    assert message.startswith("wtsadmin.rds.session_events: ")
    for part in ("port", "login", "polling"):
        assert part in message
    assert PASSWORD not in message


@pytest.mark.parametrize("args, problem", [
    ({}, "give hosts (a list of RD Session Hosts) or inventory"),
    ({"hosts": ["a"], "poll_interval": 0}, "poll_interval 0.0: give a number of seconds greater than 0"),
    ({"hosts": ["a"], "idle_threshold": -5}, "idle_threshold -5: give a number of seconds greater than 0"),
    ({"hosts": ["a"], "read_timeout": 20}, "read_timeout (20) must be greater than operation_timeout (20)"),
])
def test_options_that_cannot_work_are_refused(args, problem):
    with pytest.raises(ValueError, match=problem.replace("(", r"\(").replace(")", r"\)")):
        source_options(args, documentation())


@pytest.mark.parametrize("entry, split", [
    ("rdsh01", ("rdsh01", None)), ("rdsh01.contoso.com:5986", ("rdsh01.contoso.com", 5986)),
    ("10.0.0.11:5985", ("10.0.0.11", 5985)), ("2001:db8::11", ("2001:db8::11", None)),
    ("[2001:db8::11]:5986", ("2001:db8::11", 5986)), ("[2001:db8::11]", ("2001:db8::11", None)),
])
def test_hosts_entries_name_an_address_and_maybe_a_port(entry, split):
    assert split_host(entry) == split


# streams through the loopback endpoint

def user_session(session_id, name, state="active"):
    return rds_emulator.make_session(session_id, station="RDP-Tcp#%d" % session_id, state=state, user=name,
                                     domain="CONTOSO")


@pytest.fixture
def farm(tmp_path, monkeypatch):
    """A state file with RDSH01 (alice in session 2), read by every Python the loopback endpoints start."""
    path = tmp_path / "state.json"
    state = rds_emulator.empty_state()
    state["servers"]["RDSH01"] = rds_emulator.make_server([user_session(2, "alice")])
    path.write_text(json.dumps(state), encoding="utf-8")
    monkeypatch.setenv("RDS_EMULATOR_STATE", str(path))
    return ServerFile(path)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Source:
    """The event source's stream_hosts() on a queue of one event, as ansible-rulebook gives it."""

    def __init__(self, targets, python, events=None, poll_interval=0.5, **params):
        self.queue = asyncio.Queue(1)
        self.streams = []
        self.events = []
        settings = dict(port=None, scheme="http", transport="basic", username=USERNAME, password=PASSWORD,
                        client_cert=None, client_cert_key=None, validate_certs=False, ca_path=None, read_timeout=10,
                        operation_timeout=3)
        host_params = dict({"poll_interval": poll_interval, "idle_threshold": None, "disconnected_threshold": None,
                            "events": list(SESSION_EVENTS)}, **params)
        self.task = asyncio.ensure_future(_event_stream.stream_hosts(
            self.queue, [(name, "127.0.0.1", port, python) for name, port in targets], settings, host_params,
            events or list(SESSION_EVENTS) + ["host_up", "host_down"], backoff=(0.2, 1.0), streams=self.streams))

    async def until(self, done, delay=0.0):
        """Collect events until ``done(events)`` holds; ``delay`` seconds per event make a slow consumer. WAIT is
        a hang guard: a stream that never gives the events fails the test, naming what did arrive."""
        async def collect():
            while not done(self.events):
                self.events.append(await self.queue.get())
                await asyncio.sleep(delay)

        try:
            await asyncio.wait_for(collect(), WAIT)
        except asyncio.TimeoutError:
            pytest.fail("hang guard: the awaited events never came (gave up after %d s); events: %s"
                        % (WAIT, self.kinds()))
        return self.events

    def kinds(self, host=None):
        return [(event["type"], event.get("session_id")) for event in self.events if host in (None, event["host"])]

    async def stop(self):
        self.task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await self.task


def assert_nothing_left(wsman):
    """No process of any command the endpoint started runs any more. A killed process may need a moment to go:
    WAIT is a hang guard for that, and what fails is the list of processes left."""
    deadline = time.monotonic() + WAIT
    while wsman.leftovers() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not wsman.leftovers(), "still running %d s after the stream ended: %s" % (WAIT, wsman.leftovers())


def has(*wanted, host=None):
    return lambda events: all(kind in [(e["type"], e.get("session_id")) for e in events if host in (None, e["host"])]
                              for kind in wanted)


def test_scripted_windows_events_arrive_as_session_events_and_shutdown_leaves_nothing(farm, emulated_python):
    # 2 s apart, so that even a slow machine lists the sessions between them (closer ones are coalesced).
    farm.script(rds_emulator.make_event(0.5, ["logon", "create"], add_session=user_session(3, "bob")),
                rds_emulator.make_event(2.0, ["disconnect", "statechange"], session_id=3, set={"state": "disconnected"}),
                rds_emulator.make_event(2.0, ["logoff", "delete"], session_id=3, remove=True))

    async def scenario():
        with LoopbackWsman(USERNAME, PASSWORD) as wsman:
            source = Source([("rdsh01", wsman.port)], emulated_python)
            events = await source.until(has(("logoff", 3)))
            await source.stop()
            return wsman, events

    wsman, events = asyncio.run(scenario())
    assert [(e["type"], e.get("session_id"), e.get("state_after")) for e in events] == [
        ("host_up", None, None), ("logon", 3, "active"), ("disconnect", 3, "disconnected"), ("logoff", 3, None)]
    assert all(event["host"] == "rdsh01" for event in events)
    assert events[0]["sessions"] == 1
    assert events[1]["user"] == "CONTOSO\\bob" and events[1]["windows_events"] == ["create", "logon"]
    # Shutdown: the command got Signal terminate and its shell was deleted; no process is left.
    assert len(wsman.processes) == 1
    assert_nothing_left(wsman)
    assert not wsman._shells  # pylint: disable=protected-access


def test_an_unreachable_host_is_reported_retried_and_reported_back_without_holding_up_the_others(
        farm, emulated_python):
    dead_port = free_port()
    farm.script(rds_emulator.make_event(1.0, ["logon"], add_session=user_session(3, "bob")))

    async def scenario():
        with LoopbackWsman(USERNAME, PASSWORD) as wsman:
            source = Source([("rdsh01", wsman.port), ("rdsh09", dead_port)], emulated_python)
            await source.until(has(("host_down", None), host="rdsh09"))
            await source.until(has(("logon", 3), host="rdsh01"))
            with LoopbackWsman(USERNAME, PASSWORD, port=dead_port):
                await source.until(has(("host_up", None), host="rdsh09"))
                await source.stop()
        return source

    source = asyncio.run(scenario())
    down = next(event for event in source.events if event["type"] == "host_down")
    assert down["host"] == "rdsh09" and "Cannot reach the host's WinRM at http://127.0.0.1:%d" % dead_port in down["error"]
    assert PASSWORD not in json.dumps(source.events)
    assert source.kinds("rdsh09") == [("host_down", None), ("host_up", None)]  # reported once, however many retries


def test_an_endpoint_that_drops_mid_stream_is_reconnected_and_what_changed_meanwhile_arrives(farm, emulated_python):
    async def scenario():
        wsman = LoopbackWsman(USERNAME, PASSWORD)
        port = wsman.port
        wsman.start()
        source = Source([("rdsh01", port)], emulated_python)
        await source.until(has(("host_up", None)))
        farm.script(rds_emulator.make_event(0.2, ["logon"], add_session=user_session(3, "bob")))
        await source.until(has(("logon", 3)))
        wsman.stop()  # mid-stream: the Receive in flight is cut off, the host's loop ends
        await source.until(has(("host_down", None)))
        farm.edit(lambda server: server["sessions"].append(user_session(4, "carol")))  # while nobody watches
        farm.edit(lambda server: server["sessions"].remove(next(s for s in server["sessions"] if s["id"] == 3)))
        with LoopbackWsman(USERNAME, PASSWORD, port=port) as again:
            await source.until(has(("logon", 4), ("logoff", 3)))
            await source.stop()
        return source, wsman, again

    source, first, second = asyncio.run(scenario())
    assert source.kinds() == [("host_up", None), ("logon", 3), ("host_down", None), ("host_up", None),
                              ("logon", 4), ("logoff", 3)]
    assert_nothing_left(first)
    assert_nothing_left(second)


def test_a_burst_of_1000_windows_events_is_coalesced_in_bounded_memory_and_ends_in_the_right_state(
        farm, emulated_python):
    """1,000 scripted events in ten bursts half a second apart (disconnects, reconnects, locks and unlocks of
    four sessions, then a logoff and a logon), read by a slow consumer: what arrives is a consistent history of
    each session that ends in its true state, never more than the host's net changes, with at most one WinRM
    answer held."""
    sessions = list(range(2, 6))

    def unlocked_sessions(server):
        server["sessions"].extend(user_session(sid, "user%d" % sid) for sid in range(3, 7))
        for session in server["sessions"]:
            session["locked"] = False  # known (the emulator's default is unknown, which gives no lock events)

    farm.edit(unlocked_sessions)
    burst, flips = [], dict.fromkeys(sessions, 0)
    for index in range(998):  # 250, 250, 249 and 249 flips: sessions 4 and 5 end changed
        sid = sessions[index % 4]
        flips[sid] += 1
        change = {"state": "disconnected" if flips[sid] % 2 else "active"} if sid % 2 else {"locked": flips[sid] % 2 == 1}
        burst.append(rds_emulator.make_event(0.5 if index % 100 == 0 else 0, ["statechange"], session_id=sid,
                                             set=change))
    burst.append(rds_emulator.make_event(0, ["logoff"], session_id=6, remove=True))
    burst.append(rds_emulator.make_event(0, ["logon"], add_session=user_session(7, "user7")))

    async def scenario():
        with LoopbackWsman(USERNAME, PASSWORD) as wsman:
            source = Source([("rdsh01", wsman.port)], emulated_python, poll_interval=0.3)
            await source.until(has(("host_up", None)))
            farm.script(*burst)
            await source.until(lambda events: not farm.server["events"] and settled(farm.server, events),
                               delay=0.05)
            await source.stop()
        return source

    source = asyncio.run(scenario())
    fired = farm.server["fired_events"]
    assert len(fired) == 1000
    session_events = [event for event in source.events if event["type"] not in ("host_up", "host_down")]
    assert 0 < len(session_events) < 1000  # coalesced: each list shows the net change since the previous one
    assert not [event for event in source.events if event["type"] == "host_down"]
    for sid in sessions:  # each session's events alternate, as its real changes do
        kinds = [event["type"] for event in session_events if event["session_id"] == sid]
        pairs = ("disconnect", "reconnect") if sid % 2 else ("lock", "unlock")
        assert kinds == [pairs[index % 2] for index in range(len(kinds))], (sid, kinds)
    assert source.streams[0].most_held <= 153600  # at most one WinRM answer's output held


def settled(server, events):
    """True when the events say what the emulated server's sessions are now."""
    if not has(("logoff", 6), ("logon", 7))(events):
        return False
    for session in server["sessions"]:
        if not session["user"] or session["id"] not in range(2, 6):
            continue
        mine = [event for event in events if event.get("session_id") == session["id"]]
        if session["id"] % 2:
            last = next((e["state_after"] for e in reversed(mine) if e["type"] in ("disconnect", "reconnect")), "active")
            if last != session["state"]:
                return False
        else:
            last = next((e["type"] == "lock" for e in reversed(mine) if e["type"] in ("lock", "unlock")), False)
            if last != bool(session["locked"]):
                return False
    return True


def test_the_plugin_documentation_renders_with_ansible_doc_as_galaxy_reads_it():
    """Galaxy's importer reads extensions/eda/plugins/event_source (listed in meta/extensions.yml) with
    ``ansible-doc -M DIR --json NAME``; the doc fragment's WinRM options are merged in."""
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(ROOT / ".build" / "collections"))
    run = subprocess.run([str(Path(sys.executable).with_name("ansible-doc")), "-M", str(PLUGIN.parent), "--json",
                          "session_events"], capture_output=True, text=True, env=env, timeout=300, check=False)
    assert run.returncode == 0, run.stderr
    doc = json.loads(run.stdout)["session_events"]["doc"]
    assert doc["short_description"].startswith("Session events of RD Session Hosts")
    assert {"hosts", "inventory", "events", "poll_interval", "username", "password", "transport"} <= set(doc["options"])
    assert yaml.safe_load((ROOT / "meta" / "extensions.yml").read_text()) == {
        "extensions": [{"args": {"ext_dir": "eda/plugins/event_source"}}]}
