# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A loopback WS-Management endpoint for tests.

It speaks the Windows Remote Shell operations that pywinrm sends (Create, Command, Send, Receive,
Signal, Delete) over HTTP with Basic authentication on 127.0.0.1, and runs each command as a local
process through ``/bin/sh -c`` -- the stand-in for the ``cmd.exe`` that a real WinRM service runs
commands with. See README.md beside this file.

Use it from Python (``with LoopbackWsman("user", "secret") as wsman: wsman.url``) or as a program:
``python wsman_loopback.py --username U --password P --port-file F [--command-log L]``.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import http.server
import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import threading
import uuid
import xml.etree.ElementTree as ET

NS = {
    "s": "http://www.w3.org/2003/05/soap-envelope",
    "a": "http://schemas.xmlsoap.org/ws/2004/08/addressing",
    "x": "http://schemas.xmlsoap.org/ws/2004/09/transfer",
    "w": "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd",
    "rsp": "http://schemas.microsoft.com/wbem/wsman/1/windows/shell",
    "f": "http://schemas.microsoft.com/wbem/wsman/1/wsmanfault",
}
for _prefix, _uri in NS.items():
    ET.register_namespace(_prefix, _uri)

SHELL = NS["rsp"]
ACTION_CREATE = "http://schemas.xmlsoap.org/ws/2004/09/transfer/Create"
ACTION_DELETE = "http://schemas.xmlsoap.org/ws/2004/09/transfer/Delete"
ACTION_COMMAND = SHELL + "/Command"
ACTION_SEND = SHELL + "/Send"
ACTION_RECEIVE = SHELL + "/Receive"
ACTION_SIGNAL = SHELL + "/Signal"
STATE_RUNNING = SHELL + "/CommandState/Running"
STATE_DONE = SHELL + "/CommandState/Done"

# WSManFault codes of a real WinRM service: a Receive that saw nothing within the operation timeout
# (pywinrm retries it), and a request naming an unknown shell or command.
FAULT_OPERATION_TIMEOUT = 2150858793
FAULT_SHELL_NOT_FOUND = 2150858843
ENVELOPE_ROOM = 4096  # bytes of a Receive response besides its streams' base64 text


def q(prefix, name):
    """The ElementTree name of ``prefix:name``."""
    return "{%s}%s" % (NS[prefix], name)


class WsmanFault(Exception):
    """A request the endpoint answers with a SOAP fault (HTTP 500), as WinRM does."""

    def __init__(self, code, reason):
        super().__init__(reason)
        self.code = code
        self.reason = reason


class Command:
    """One process started by a Command request; reader threads collect its stdout and stderr."""

    def __init__(self, command_line):
        self.id = str(uuid.uuid4()).upper()
        self.line = command_line
        # The stand-in for cmd.exe /c, in a process group of its own: the command is that group, the shell and
        # what it starts (a Python behind a PowerShell, for example), and ends as a whole.
        self.process = subprocess.Popen(
            command_line, shell=True, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            start_new_session=True,
        )
        self._changed = threading.Condition()
        self._output = {"stdout": [], "stderr": []}
        self._open_streams = {"stdout", "stderr"}
        for name, stream in (("stdout", self.process.stdout), ("stderr", self.process.stderr)):
            threading.Thread(target=self._collect, args=(name, stream), daemon=True).start()

    def _collect(self, name, stream):
        for chunk in iter(lambda: stream.read1(65536), b""):
            with self._changed:
                self._output[name].append(chunk)
                self._changed.notify_all()
        with self._changed:
            self._open_streams.discard(name)
            self._changed.notify_all()

    def send(self, data, end):
        """Write ``data`` to the process's stdin; ``end`` closes it. A process that already exited ignores it."""
        try:
            self.process.stdin.write(data)
            self.process.stdin.flush()
            if end:
                self.process.stdin.close()
        except (BrokenPipeError, ValueError):
            pass

    def receive(self, timeout, limit):
        """Wait up to ``timeout`` seconds for output or the end of the process.

        Returns ``(output, exit_code)``: the new bytes of each stream, at most ``limit`` in all (the rest
        waits for the next Receive), and the exit code once both streams reached their end and everything
        was received (None while running). Raises the operation-timeout fault when nothing happened, as
        WinRM does.
        """
        with self._changed:
            if not self._changed.wait_for(self._has_news, timeout):
                raise WsmanFault(FAULT_OPERATION_TIMEOUT, "The WS-Management service cannot complete the operation "
                                 "within the time specified in OperationTimeout.")
            output = {}
            for name, chunks in self._output.items():
                data = b"".join(chunks)
                output[name], rest = data[:limit], data[limit:]
                limit -= len(output[name])
                chunks[:] = [rest] if rest else []
            finished = not self._open_streams and not any(self._output.values())
        return output, (self.process.wait() if finished else None)

    def _has_news(self):
        return not self._open_streams or any(self._output.values())

    def terminate(self):
        """End the command: every process of its group (MS-WSMV 2.2.5.6, the terminate signal: "Terminates the
        shell or command"; what becomes of processes the command started is not documented, see docs/eda.md)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def alive(self):
        """True while any process of the command's group runs."""
        try:
            os.killpg(self.process.pid, 0)
        except ProcessLookupError:
            return False
        return True


class LoopbackWsman:
    """The endpoint: an HTTP server on 127.0.0.1 with a random free port, serving in a thread.

    ``commands`` lists every command line run, so a test can count WinRM round trips; ``command_parts`` has
    each one's Command and Arguments as sent, ``requests`` every request's operation (Create, Command, Send,
    Receive, Signal, Delete) and body size. With ``certfile`` (a PEM file holding the certificate and its key)
    it serves HTTPS.
    """

    def __init__(self, username, password, command_log=None, certfile=None, port=0):
        self.username = username
        self.password = password
        self.command_log = command_log
        self.commands = []
        self.command_parts = []  # (Command, [Arguments...]) of every Command request, as sent
        self.requests = []  # (operation, request body bytes) of every authenticated request
        self.processes = []  # every process a Command request started (subprocess.Popen), for tests
        self.started = []  # every Command, for leftovers()
        self.signals = []  # (ShellId, CommandId, Code) of every Signal request, known command or not
        self._shells = {}  # shell id -> {command id: Command}
        self._lock = threading.Lock()
        self._connections = set()  # the sockets of requests being answered, closed by stop()
        self._certfile = certfile
        self._httpd = self._listen(port)
        self.port = self._httpd.server_address[1]
        self.url = "%s://127.0.0.1:%d/wsman" % ("https" if certfile else "http", self.port)
        self._thread = None

    def _listen(self, port):
        httpd = _Server(("127.0.0.1", port), _Handler)
        httpd.daemon_threads = True
        httpd.wsman = self
        if self._certfile:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(self._certfile)
            httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
        return httpd

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc_info):
        self.stop()

    def start(self):
        self._serving = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    def serve_forever(self):
        self._serving = True
        self._httpd.serve_forever()

    _serving = False  # serve_forever() runs (or is about to), so shutdown() has a loop to end

    def leftovers(self):
        """The command lines of the commands that still have a process running (a test's "nothing is left")."""
        with self._lock:
            return [command.line for command in self.started if command.alive()]

    def connection(self, sock, opened):
        """Track the socket of a request being answered (``opened``) or done with."""
        with self._lock:
            if opened:
                self._connections.add(sock)
            else:
                self._connections.discard(sock)

    def stop(self):
        """Stop as a WinRM service that stops: no more connections, the requests being answered are cut off
        (their clients see the connection reset), every shell and its commands end."""
        self._cut_off(end_shells=True)

    def cut_off(self):
        """The network between the clients and this host goes away: no more connections, the requests being
        answered are cut off, but the shells and their commands go on running (until ``restore()`` and a client
        that ends them, or ``stop()``)."""
        self._cut_off(end_shells=False)

    def restore(self):
        """The network is back after ``cut_off()``: listen again on the same port, with the same shells."""
        self._httpd = self._listen(self.port)
        self.start()

    def _cut_off(self, end_shells):
        if self._serving:
            self._serving = False
            self._httpd.shutdown()
        self._httpd.server_close()
        with self._lock:
            connections = list(self._connections)
            if end_shells:
                for shell in self._shells.values():
                    for command in shell.values():
                        command.terminate()
                self._shells.clear()
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def authorized(self, header):
        expected = base64.b64encode(("%s:%s" % (self.username, self.password)).encode("utf-8")).decode("ascii")
        return header == "Basic " + expected

    # --- the shell operations -------------------------------------------------------------------

    def create_shell(self, request):
        shell_id = str(uuid.uuid4()).upper()
        with self._lock:
            self._shells[shell_id] = {}
        body = ET.Element(q("x", "ResourceCreated"))
        ET.SubElement(ET.SubElement(body, q("a", "Address")), q("a", "Address")).text = self.url
        reference = ET.SubElement(body, q("a", "ReferenceParameters"))
        selectors = ET.SubElement(reference, q("w", "SelectorSet"))
        ET.SubElement(selectors, q("w", "Selector"), Name="ShellId").text = shell_id
        return body

    def delete_shell(self, request):
        with self._lock:
            shell = self._shells.pop(self._shell_id(request), None)
        if shell is None:
            raise WsmanFault(FAULT_SHELL_NOT_FOUND, "The shell was not found.")
        for command in shell.values():
            command.terminate()
        return None

    def run_command(self, request):
        command_line = request.findtext(".//rsp:CommandLine/rsp:Command", "", NS)
        arguments = [element.text or "" for element in request.iterfind(".//rsp:CommandLine/rsp:Arguments", NS)]
        with self._lock:
            self.command_parts.append((command_line, arguments))
        command_line = " ".join([command_line] + arguments)
        shell = self._shell(request)
        command = Command(command_line)
        with self._lock:
            shell[command.id] = command
            self.commands.append(command_line)
            self.processes.append(command.process)
            self.started.append(command)
            if self.command_log:
                with open(self.command_log, "a", encoding="utf-8") as log:
                    log.write(command_line.replace("\n", " ") + "\n")
        body = ET.Element(q("rsp", "CommandResponse"))
        ET.SubElement(body, q("rsp", "CommandId")).text = command.id
        return body

    def send_input(self, request):
        stream = request.find(".//rsp:Send/rsp:Stream", NS)
        command = self._command(request, stream.get("CommandId"))
        command.send(base64.b64decode(stream.text or ""), stream.get("End", "false").lower() == "true")
        return ET.Element(q("rsp", "SendResponse"))

    def receive_output(self, request):
        command_id = request.find(".//rsp:Receive/rsp:DesiredStream", NS).get("CommandId")
        command = self._command(request, command_id)
        output, exit_code = command.receive(_operation_timeout(request), _stream_bytes(request))
        body = ET.Element(q("rsp", "ReceiveResponse"))
        for name in ("stdout", "stderr"):
            stream = ET.SubElement(body, q("rsp", "Stream"), Name=name, CommandId=command_id)
            stream.text = base64.b64encode(output[name]).decode("ascii")
            if exit_code is not None:
                stream.set("End", "true")
        state = ET.SubElement(body, q("rsp", "CommandState"), CommandId=command_id)
        if exit_code is None:
            state.set("State", STATE_RUNNING)
        else:
            state.set("State", STATE_DONE)
            ET.SubElement(state, q("rsp", "ExitCode")).text = str(exit_code)
        return body

    def signal(self, request):
        command_id = request.find(".//rsp:Signal", NS).get("CommandId")
        with self._lock:
            self.signals.append((self._shell_id(request), command_id, request.findtext(".//rsp:Signal/rsp:Code", "", NS)))
        shell = self._shell(request)
        with self._lock:
            command = shell.pop(command_id, None)
        if command is not None:  # the terminate signal of pywinrm's cleanup
            command.terminate()
        return ET.Element(q("rsp", "SignalResponse"))

    def _shell_id(self, request):
        return request.findtext(".//w:SelectorSet/w:Selector[@Name='ShellId']", None, NS)

    def _shell(self, request):
        with self._lock:
            shell = self._shells.get(self._shell_id(request))
        if shell is None:
            raise WsmanFault(FAULT_SHELL_NOT_FOUND, "The shell was not found.")
        return shell

    def _command(self, request, command_id):
        command = self._shell(request).get(command_id)
        if command is None:
            raise WsmanFault(FAULT_SHELL_NOT_FOUND, "The command was not found.")
        return command


OPERATIONS = {
    ACTION_CREATE: LoopbackWsman.create_shell,
    ACTION_DELETE: LoopbackWsman.delete_shell,
    ACTION_COMMAND: LoopbackWsman.run_command,
    ACTION_SEND: LoopbackWsman.send_input,
    ACTION_RECEIVE: LoopbackWsman.receive_output,
    ACTION_SIGNAL: LoopbackWsman.signal,
}


def _stream_bytes(request):
    """How many output bytes one Receive response may carry: the client's MaxEnvelopeSize, less room for the
    envelope, and base64's 4 characters per 3 bytes. MS-WSMV 3.1.4.1.7 wsman:MaxEnvelopeSize: "clients expect a
    response to be no larger than the given number of octets" (pywinrm asks for 153600)."""
    size = request.findtext(".//w:MaxEnvelopeSize", "", NS).strip()
    size = int(size) if size.isdigit() else 153600
    return max(1024, (size - ENVELOPE_ROOM) * 3 // 4)


def _operation_timeout(request):
    match = re.fullmatch(r"PT(\d+(?:\.\d+)?)S", request.findtext(".//w:OperationTimeout", "PT20S", NS).strip())
    return float(match.group(1)) if match else 20.0


def _envelope(action, relates_to, body):
    envelope = ET.Element(q("s", "Envelope"))
    header = ET.SubElement(envelope, q("s", "Header"))
    ET.SubElement(header, q("a", "Action")).text = action
    ET.SubElement(header, q("a", "MessageID")).text = "uuid:%s" % str(uuid.uuid4()).upper()
    ET.SubElement(header, q("a", "RelatesTo")).text = relates_to
    ET.SubElement(header, q("a", "To")).text = "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous"
    body_element = ET.SubElement(envelope, q("s", "Body"))
    if body is not None:
        body_element.append(body)
    return ET.tostring(envelope, encoding="utf-8", xml_declaration=True)


def _fault(relates_to, fault):
    body = ET.Element(q("s", "Fault"))
    code = ET.SubElement(body, q("s", "Code"))
    ET.SubElement(code, q("s", "Value")).text = "s:Receiver"
    reason = ET.SubElement(body, q("s", "Reason"))
    ET.SubElement(reason, q("s", "Text"), {"{http://www.w3.org/XML/1998/namespace}lang": "en-US"}).text = fault.reason
    detail = ET.SubElement(body, q("s", "Detail"))
    wsman_fault = ET.SubElement(detail, q("f", "WSManFault"), Code=str(fault.code), Machine="127.0.0.1")
    ET.SubElement(wsman_fault, q("f", "Message")).text = fault.reason
    return _envelope("http://schemas.dmtf.org/wbem/wsman/1/wsman/fault", relates_to, body)


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a client that went away (or was cut off by stop())
            super().handle_error(request, client_address)


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        self.server.wsman.connection(self.connection, True)

    def finish(self):
        try:
            super().finish()
        finally:
            self.server.wsman.connection(self.connection, False)

    def do_POST(self):
        wsman = self.server.wsman
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.path != "/wsman":
            return self._reply(404, b"")
        if not wsman.authorized(self.headers.get("Authorization")):
            return self._reply(401, b"", {"WWW-Authenticate": 'Basic realm="WSMAN"'})
        request = ET.fromstring(body)
        action = request.findtext(".//a:Action", "", NS).strip()
        message_id = request.findtext(".//a:MessageID", "", NS).strip()
        operation = OPERATIONS.get(action)
        with wsman._lock:
            wsman.requests.append((action.rpartition("/")[2], len(body)))
        if operation is None:
            return self._reply(500, _fault(message_id, WsmanFault(FAULT_SHELL_NOT_FOUND, "Unsupported action %s" % action)))
        try:
            response = _envelope(action + "Response", message_id, operation(wsman, request))
        except WsmanFault as fault:
            return self._reply(500, _fault(message_id, fault))
        return self._reply(200, response)

    def _reply(self, status, body, headers=None):
        self.send_response(status)
        self.send_header("Content-Type", "application/soap+xml;charset=UTF-8")
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):  # keep test output clean
        pass


def main(argv=None):
    parser = argparse.ArgumentParser(description="Loopback WS-Management endpoint for tests (127.0.0.1, random port, Basic auth).")
    parser.add_argument("--username", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--port", type=int, default=0, help="listen on this port (default: a free one)")
    parser.add_argument("--port-file", help="write the chosen port here once listening")
    parser.add_argument("--command-log", help="append every command line run to this file")
    args = parser.parse_args(argv)

    wsman = LoopbackWsman(args.username, args.password, args.command_log, port=args.port)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    if args.port_file:
        with open(args.port_file + ".tmp", "w", encoding="ascii") as port_file:
            port_file.write("%d\n" % wsman.port)
        os.replace(args.port_file + ".tmp", args.port_file)
    print(wsman.port, flush=True)
    try:
        wsman.serve_forever()
    finally:
        wsman.stop()


if __name__ == "__main__":
    main()
