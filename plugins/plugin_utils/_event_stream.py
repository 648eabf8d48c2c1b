# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

# The controller side of the wtsadmin.rds.session_events event source (docs/eda.md): per host, one long-running
# WinRM command runs the event loop of module_utils/_session_events.py with the host's Python (the same payload
# as a module's), and its output is read as it comes, one JSON line per event. A host that cannot be reached,
# or whose stream breaks or falls silent, is reported (host_down), retried with exponential backoff, and
# reported again when it answers (host_up); the state it last reported is sent back, so the changes made
# meanwhile arrive as events. Each host runs in its own thread; one host never holds up another.
#
# Memory per host is bounded: the output of one WinRM Receive answer (pywinrm asks for answers of at most
# 153600 bytes with wsman:MaxEnvelopeSize; MS-WSMV 3.1.4.1.7: "clients expect a response to be no larger than
# the given number of octets"), one partial line (at most MAX_LINE bytes), one event waiting for the
# rulebook's queue, and the host's last session state. Nothing is queued beyond that: while the rulebook is busy the reader waits, WinRM holds the
# host's output, the host loop blocks on writing, and what changes meanwhile is coalesced into the next diff.

import asyncio
import concurrent.futures
import json
import logging
import os
import subprocess
import sys
import threading
import time

import yaml
from ansible.errors import AnsibleError
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.wtsadmin.rds.plugins.doc_fragments.inventory_winrm import ModuleDocFragment
from ansible_collections.wtsadmin.rds.plugins.plugin_utils import _winrm
from ansible_collections.wtsadmin.rds.plugins.plugin_utils._payload import module_payload, program, task_message

ENTRY = "ansible_collections.wtsadmin.rds.plugins.module_utils._session_events"
INTERPRETER_OPTION = "python_interpreter"
HOST_EVENTS = ("host_up", "host_down")
MAX_LINE = 8 * 1024 * 1024  # bytes of one line from the host; a state line is about 300 bytes per session
LOG = logging.getLogger(__name__)


class StreamBroken(Exception):
    """The host's stream ended or went wrong; the message says how."""


class HostStream:
    """The event stream of one host, run by ``run()`` in a thread until ``stop()``.

    ``address``: host name or address; ``port``: its WinRM port (None: the scheme's); ``name``: the host as
    events name it. ``settings``: _winrm.SETTINGS values; ``interpreter``: the host's Python or None;
    ``params``: the host loop's options (_session_events.stream_spec() without baseline); ``events``: the
    event types to deliver; ``deliver(event)``: hands one event on, blocking while the consumer is busy (True once
    taken, False when the source stops first);
    ``backoff``: the first and the longest wait before connecting again, in seconds (doubled each time).
    """

    def __init__(self, name, address, port, settings, interpreter, params, events, deliver,
                 backoff=(1.0, 60.0)):
        self.name = name
        self._address = address
        self._settings = dict(settings, port=port or settings["port"])
        self._interpreter = interpreter
        self._params = params
        self._events = set(events)
        self._deliver = deliver
        self._backoff = backoff
        self._stopping = threading.Event()
        self._command = None
        self._orphans = []  # commands whose terminate did not reach the host; tried again once it answers
        self._lock = threading.Lock()
        self.baseline = None  # the last session state the host reported
        self.up = None  # None: not known yet
        self.most_held = 0  # the most output bytes held at once, not yet delivered (tests check the bound)
        self.most_lines = 0  # the most lines (events, state lines) held at once, not yet delivered
        self.delivered = 0  # events handed to the rulebook
        self.connections = 0  # commands started on the host
        self.received = 0  # bytes of output read from the host

    # --- the thread ---------------------------------------------------------------------------------

    def run(self):
        delay = self._backoff[0]
        while not self._stopping.is_set():
            try:
                self._stream()
                return
            except (AnsibleError, StreamBroken) as error:
                if self._stopping.is_set():
                    return
                if self.up is not False:
                    if self.up:  # it worked until now: try again soon
                        delay = self._backoff[0]
                    self.up = False
                    self._emit({"type": "host_down", "error": _message(error), "retry_seconds": delay})
                if self._stopping.wait(delay):
                    return
                delay = min(delay * 2, self._backoff[1])

    def stop(self):
        """End the stream: no more events; the host's command gets Signal terminate and its shell is deleted."""
        self._stopping.set()
        with self._lock:
            command, self._command = self._command, None
        for leftover in ([command] if command is not None else []) + self._orphans:
            leftover.terminate()

    def _stream(self):
        task = task_message(dict(self._params, baseline=self.baseline))
        stdin = program(module_payload(ENTRY), task, INTERPRETER_OPTION)
        command = _winrm.StreamingCommand(self._address, self._settings,
                                          _winrm.python_command(self._interpreter, INTERPRETER_OPTION, "the host"), stdin)
        with self._lock:
            if self._stopping.is_set():
                command.terminate()
                return
            self._command = command
            self.connections += 1
        try:
            self._read(command)
        finally:
            with self._lock:
                mine = self._command is command
                self._command = None
            if mine and not command.terminate():
                self._orphans.append(command)

    def _read(self, command):
        silence = 3 * self._params["poll_interval"] + self._settings["operation_timeout"] + 10
        heard = time.monotonic()
        pending, errors = b"", b""
        while not self._stopping.is_set():
            stdout, stderr, code = command.read()
            errors = (errors + stderr)[-4000:]
            if stdout:
                heard = time.monotonic()
                self.received += len(stdout)
                pending += stdout
                *lines, pending = pending.split(b"\n")
                self.most_held = max(self.most_held, len(pending) + sum(len(line) + 1 for line in lines))
                self.most_lines = max(self.most_lines, len(lines))
                for line in lines:
                    self._line(line)
                if len(pending) > MAX_LINE:
                    raise StreamBroken("a line longer than %d bytes came from the host" % MAX_LINE)
            if code is not None:
                self._line(pending)
                raise StreamBroken("the event loop on the host ended (exit code %s)%s"
                                   % (code, ": %s" % errors.decode("utf-8", "replace").strip() if errors.strip() else ""))
            if time.monotonic() - heard > silence:
                raise StreamBroken("nothing came from the host for %d seconds (it reports every poll_interval)"
                                   % silence)

    def _line(self, line):
        if not line.strip() or self._stopping.is_set():
            return
        try:
            message = json.loads(line)
        except ValueError:
            raise StreamBroken("the host sent something that is not an event: %r" % line[-1000:])
        if not isinstance(message, dict):
            raise StreamBroken("the host sent something that is not an event: %r" % line[-1000:])
        if "state" in message:
            self.baseline = message["state"]
        elif "hello" in message:
            self.up = True
            self._orphans = [orphan for orphan in self._orphans if not orphan.terminate()]
            self._emit({"type": "host_up", "sessions": message["hello"]["sessions"], "host_time": message["host_time"]})
        elif "event" in message:
            self._emit(message["event"])
        else:  # the runner's final result: the loop failed on the host
            raise StreamBroken(message.get("msg") or "the host's event loop ended: %s" % line[-1000:].decode("ascii", "replace"))

    def _emit(self, event):
        if event["type"] in self._events and not self._stopping.is_set():
            if self._deliver(dict(event, host=self.name)):
                self.delivered += 1

    def summary(self):
        """What the stream did, as logged when the source stops: connections, events, the most output held."""
        counts = (self.name, self.connections, self.received, self.delivered, self.most_lines, self.most_held)
        return ("%s: %d connection(s), %d bytes read, %d event(s) handed to the rulebook; at most %d line(s) (%d bytes)"
                " of the host's output held at once" % counts)


def _message(error):
    return getattr(error, "message", None) or str(error)


def split_host(entry):
    """``(address, port or None)`` of a hosts entry: ``name``, ``name:port``, an IPv6 address, ``[v6]:port``."""
    entry = entry.strip()
    if entry.startswith("["):
        address, rest = entry[1:].split("]", 1) if "]" in entry else (entry[1:], "")
        return address, int(rest[1:]) if rest.startswith(":") and rest[1:].isdigit() else None
    if entry.count(":") == 1:
        address, port = entry.split(":")
        if port.isdigit():
            return address, int(port)
    return entry, None


def source_options(args, documentation):
    """The event source's options: ``args`` (the rulebook's), else their environment variables, else their
    defaults, checked against the plugin's ``documentation`` and the inventory_winrm doc fragment it extends.

    Raises ValueError naming every bad option (a password never appears in it).
    """
    declared = dict(yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["options"])
    declared.update(yaml.safe_load(documentation)["options"])
    spec, values = {}, {}
    for name, option in declared.items():
        spec[name] = {key: option[key] for key in ("type", "elements", "choices", "default") if key in option}
        spec[name]["no_log"] = name == "password"
        value = args.get(name)
        if value is None:
            value = next((os.environ[env["name"]] for env in option.get("env", ()) if env["name"] in os.environ), None)
        if value is not None:
            values[name] = value
    values.update((name, value) for name, value in args.items() if name not in declared)  # reported as unsupported
    checked = ArgumentSpecValidator(spec).validate(values)
    problems = [error.msg for error in checked.errors.errors]
    options = checked.validated_parameters
    if not problems:
        problems = _option_problems(options)
    if problems:
        raise ValueError("wtsadmin.rds.session_events: %s" % "; ".join(problems))
    return options


def _option_problems(options):
    problems = []
    if not options["hosts"] and not options["inventory"]:
        problems.append("give hosts (a list of RD Session Hosts) or inventory (an inventory source)")
    for name in ("poll_interval", "idle_threshold", "disconnected_threshold", "backoff_max"):
        if options[name] is not None and not 0 < options[name] < float("inf"):
            problems.append("%s %s: give a number of seconds greater than 0" % (name, options[name]))
    if options["read_timeout"] <= options["operation_timeout"]:
        problems.append("read_timeout (%s) must be greater than operation_timeout (%s)"
                        % (options["read_timeout"], options["operation_timeout"]))
    return problems


def inventory_targets(source):
    """``[(name, address, port, interpreter)]`` of the hosts of inventory ``source``, read with ansible-inventory."""
    program_dir = os.path.dirname(sys.executable)
    command = os.path.join(program_dir, "ansible-inventory")
    if not os.path.exists(command):
        command = "ansible-inventory"
    try:
        done = subprocess.run([command, "-i", source, "--list"], capture_output=True, check=False, timeout=600)
    except OSError as error:
        raise ValueError("wtsadmin.rds.session_events: cannot run ansible-inventory for inventory %s: %s"
                         % (source, error))
    if done.returncode:
        raise ValueError("wtsadmin.rds.session_events: ansible-inventory -i %s failed: %s"
                         % (source, done.stderr.decode("utf-8", "replace").strip()[-2000:]))
    listing = json.loads(done.stdout)
    hostvars = listing.get("_meta", {}).get("hostvars", {})
    names = sorted({host for group in listing.values() if isinstance(group, dict) for host in group.get("hosts", ())})
    targets = []
    for name in names:
        variables = hostvars.get(name, {})
        interpreter = variables.get("ansible_python_interpreter")
        port = variables.get("ansible_port")
        targets.append((name, variables.get("ansible_host") or name, int(port) if port else None,
                        None if str(interpreter or "").startswith("auto") else interpreter))
    return targets


async def run_source(queue, options):
    """The event source: the events of every host of ``options`` (source_options()) on ``queue`` until cancelled."""
    targets = [(entry,) + split_host(entry) + (options[INTERPRETER_OPTION],) for entry in options["hosts"] or ()]
    if options["inventory"]:
        known = {target[0] for target in targets}
        targets += [target if target[3] else target[:3] + (options[INTERPRETER_OPTION],)
                    for target in await asyncio.to_thread(inventory_targets, options["inventory"])
                    if target[0] not in known]
    params = {name: options[name] for name in ("poll_interval", "idle_threshold", "disconnected_threshold")}
    params["events"] = [kind for kind in options["events"] if kind not in HOST_EVENTS]
    settings = {name: options[name] for name in _winrm.SETTINGS}
    await stream_hosts(queue, targets, settings, params, options["events"], (1.0, options["backoff_max"]))


async def stream_hosts(queue, targets, settings, params, events, backoff=(1.0, 60.0), streams=None):
    """Put the events of every target (name, address, port, interpreter) on ``queue`` until cancelled; then
    stop every host's command.

    Each host streams in its own thread; an event waits in that thread until ``queue.put`` took it (the
    rulebook's queue applies back-pressure). ``streams``, a list, gets the HostStream of each target.
    """
    loop = asyncio.get_running_loop()
    stopping = threading.Event()

    def deliver(event):
        done = asyncio.run_coroutine_threadsafe(queue.put(event), loop)
        while not stopping.is_set():
            try:
                done.result(timeout=0.5)
                return True
            except concurrent.futures.TimeoutError:
                pass
        done.cancel()
        return False

    streams = [] if streams is None else streams
    for name, address, port, interpreter in targets:
        streams.append(HostStream(name, address, port, settings, interpreter, params, events, deliver, backoff))
    threads = [threading.Thread(target=stream.run, name="session_events %s" % stream.name, daemon=True)
               for stream in streams]
    for thread in threads:
        thread.start()
    try:
        await asyncio.Event().wait()  # until cancelled
    finally:
        stopping.set()
        stoppers = [threading.Thread(target=stream.stop, daemon=True) for stream in streams]
        for stopper in stoppers:
            stopper.start()
        deadline = time.monotonic() + settings["read_timeout"] + 5
        for thread in stoppers + threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        for stream in streams:
            LOG.info("wtsadmin.rds.session_events stopped: %s", stream.summary())
