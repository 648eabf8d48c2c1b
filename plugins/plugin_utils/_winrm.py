# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

# Commands on a Windows host over WinRM with pywinrm, for plugins that reach a host without a connection
# plugin (the rds_servers inventory's discovery host, the session_events event source); controller only. The
# settings are the options of the doc fragment wtsadmin.rds.inventory_winrm. Every failure is an AnsibleError
# that says what to check, and never shows the password.

import contextlib

from ansible.errors import AnsibleError
from ansible.plugins.loader import shell_loader

from ansible_collections.wtsadmin.rds.plugins.plugin_utils._payload import PYTHON_ARGS, remote_command

try:
    import requests.exceptions
    from winrm.exceptions import (InvalidCredentialsError, WinRMError, WinRMOperationTimeoutError, WinRMTransportError,
                                  WSManFaultError)
    from winrm.protocol import Protocol
except ImportError as error:
    PYWINRM_IMPORT_ERROR = error
else:
    PYWINRM_IMPORT_ERROR = None

# The options of wtsadmin.rds.inventory_winrm that say how to reach the host (all but python_interpreter).
SETTINGS = ("port", "scheme", "transport", "username", "password", "client_cert", "client_cert_key",
            "validate_certs", "ca_path", "read_timeout", "operation_timeout")
STDIN_CHUNK = 65536  # bytes per WinRM Send message, well within the default MaxEnvelopeSize


# Characters cmd.exe gives a meaning to in a command line, even inside double quotes (%, ! and the quote
# itself), or once it strips the quotes of "cmd /c" (&, |, <, >, ^, (, ), @): see python_command.
CMD_SPECIAL = frozenset('"%!&|<>^()@\r\n\x00')


def interpreter_problem(interpreter, setting="python_interpreter", role="the discovery host"):
    """Why ``interpreter`` (the option ``setting``) cannot go on a cmd.exe command line safely, or None."""
    special = sorted(CMD_SPECIAL.intersection(interpreter))
    if special:
        return ("%s %r contains %s, which cmd.exe (that runs the WinRM command) would not take as part of a "
                "path: install Python in a directory without it, or leave %s unset to look for Python on %s"
                % (setting, interpreter, ", ".join(repr(c) for c in special), setting, role))
    return None


def python_command(interpreter, setting="python_interpreter", role="the discovery host"):
    """The command line that runs the payload program given on its stdin with the Python of a host (``role``).

    WinRM runs a command line with cmd.exe, which starts a known ``interpreter`` directly (and hands it stdin
    unchanged); without one, the collection's PowerShell command looks for Python on the host. ``setting``
    names the option that sets the interpreter. An interpreter with a character cmd.exe treats specially raises
    AnsibleError (interpreter_problem). cmd /? (the help of cmd.exe) says quotes are preserved only with "no
    special characters between the two quote characters, where special is one of: &<>()@^|"; "Otherwise, old
    behavior is to ... strip the leading character and remove the last quote character", which leaves such a
    character unquoted. %var% is expanded inside quotes too, and ! when delayed expansion is enabled in the
    registry ("If delayed environment variable expansion is enabled, then ! can be used"). A Windows path has
    no double quote.
    """
    if interpreter:
        problem = interpreter_problem(interpreter, setting, role)
        if problem:
            raise AnsibleError(problem)
        return '"%s" %s' % (interpreter, PYTHON_ARGS)
    return remote_command(shell_loader.get("powershell"), None, setting)


def run_command(host, settings, command, stdin):
    """Run one ``command`` on ``host`` with WinRM, ``stdin`` (bytes) on its standard input.

    ``settings`` holds the values of SETTINGS. Returns (stdout, stderr, exit code) as pywinrm gives them.
    """
    protocol = _protocol(host, settings)
    with _explained(protocol.transport.endpoint, settings):
        shell_id = protocol.open_shell()
        try:
            command_id = protocol.run_command(shell_id, command, console_mode_stdin=False)
            try:
                _send(protocol, shell_id, command_id, stdin)
                return protocol.get_command_output(shell_id, command_id)
            finally:
                protocol.cleanup_command(shell_id, command_id)
        finally:
            protocol.close_shell(shell_id)


class StreamingCommand:
    """One long-running ``command`` on ``host`` whose output is read as it comes (the event source's stream).

    ``read()`` returns the output of one WinRM Receive; ``terminate()`` sends the WS-Man Signal ``terminate``
    and deletes the shell, from another connection, so it may be called while a ``read()`` waits. Failures are
    AnsibleErrors that say what to check (``role`` names the host in them) and never show the password.
    """

    def __init__(self, host, settings, command, stdin, role="the host"):
        self._host, self._settings, self._role = host, settings, role
        self._protocol = _protocol(host, settings, role)
        self.endpoint = self._protocol.transport.endpoint
        self._shell_id = self._command_id = None
        with self._explained():
            self._shell_id = self._protocol.open_shell()
        try:
            with self._explained():
                self._command_id = self._protocol.run_command(self._shell_id, command, console_mode_stdin=False)
                _send(self._protocol, self._shell_id, self._command_id, stdin)
        except AnsibleError:
            self.terminate()
            raise

    def _explained(self):
        return _explained(self.endpoint, self._settings, self._role)

    def read(self):
        """``(stdout, stderr, exit code or None while the command runs)``; empty when a Receive timed out
        (WinRM answers a Receive after operation_timeout seconds without output with a fault, which only
        means: ask again)."""
        receive = getattr(self._protocol, "get_command_output_raw", None) or self._protocol._raw_get_command_output
        with self._explained():
            try:
                stdout, stderr, code, done = receive(self._shell_id, self._command_id)
            except WinRMOperationTimeoutError:
                return b"", b"", None
        return stdout, stderr, code if done else None

    def terminate(self):
        """Signal ``terminate`` to the command and delete its shell. True when done (or nothing was left to
        do, or the host answered with a fault); False when the host could not be told (it may be unreachable):
        then it may be tried again."""
        if self._shell_id is None:
            return True
        try:
            protocol = _protocol(self._host, self._settings, self._role)
            with self._explained():
                try:
                    if self._command_id is not None:
                        _answered(protocol.cleanup_command, self._shell_id, self._command_id)
                finally:
                    _answered(protocol.close_shell, self._shell_id)
        except AnsibleError:
            return False
        self._shell_id = None
        return True


def _answered(operation, *args):
    """Run a Signal or Delete of ``terminate()``; a WS-Management fault in answer ends the matter.

    MS-WSMV 3.1.4.12 (Signal) does not say what a Signal to a shell the service no longer has gets, nor does the
    Delete of 3.1.4.4.1 (a WinRM service that restarted has none of its old shells; the loopback endpoint answers
    the fault 2150858843, shell not found, and Windows answers some fault). Whatever the fault, the host
    answered for that shell: asking again at every reconnect would not change it, and the loop on the host ends
    by itself once nobody reads its output (docs/eda.md). Only a host that did not answer is asked again.
    """
    try:
        operation(*args)
    except WSManFaultError:
        pass


def _send(protocol, shell_id, command_id, stdin):
    """Send all of ``stdin`` to the command, then its end."""
    for offset in range(0, len(stdin), STDIN_CHUNK):
        protocol.send_command_input(shell_id, command_id, stdin[offset:offset + STDIN_CHUNK],
                                    end=offset + STDIN_CHUNK >= len(stdin))


@contextlib.contextmanager
def _explained(endpoint, settings, role="the discovery host"):
    """pywinrm's and requests' failures as AnsibleErrors that say what to check; ``role`` names the host."""
    try:
        yield
    except InvalidCredentialsError:
        raise AnsibleError(
            "WinRM at %s rejected the credentials of %s (transport %s). Check username and password (or"
            " WTSADMIN_RDS_USERNAME and WTSADMIN_RDS_PASSWORD), and that the account may use WinRM there"
            " (Administrators or Remote Management Users)." % (endpoint, settings["username"], settings["transport"]))
    except requests.exceptions.SSLError as error:
        raise AnsibleError(
            "TLS with WinRM at %s failed: %s. Give the certificate authority that issued the listener's"
            " certificate in ca_path (in a test lab only: validate_certs false)." % (endpoint, _reason(error)))
    except requests.exceptions.Timeout as error:
        raise AnsibleError("WinRM at %s did not answer within read_timeout (%s seconds): %s"
                           % (endpoint, settings["read_timeout"], _reason(error)))
    except requests.exceptions.ConnectionError as error:
        raise AnsibleError(
            "Cannot reach %s's WinRM at %s: %s. Check the host name, port and scheme, that"
            " WinRM listens there (winrm quickconfig; an HTTPS listener for scheme https) and the firewall."
            % (role, endpoint, _reason(error)))
    except (WinRMError, WinRMTransportError) as error:
        raise AnsibleError("WinRM at %s failed: %s" % (endpoint, error))
    except requests.exceptions.RequestException as error:
        # Not a ConnectionError: a connection that breaks in the middle of an answer (ChunkedEncodingError,
        # "Connection broken: IncompleteRead") and the other ways an HTTP exchange can end half done.
        raise AnsibleError("WinRM at %s broke off an answer: %s. Check that %s and its network stay up"
                           % (endpoint, _reason(error), role))


def _protocol(host, settings, role="the discovery host"):
    if PYWINRM_IMPORT_ERROR:
        raise AnsibleError("wtsadmin.rds needs pywinrm on the controller (pip install pywinrm; in AWX"
                           " or EDA, in the execution or decision environment): %s"
                           % PYWINRM_IMPORT_ERROR)
    scheme = settings["scheme"]
    port = settings["port"] or (5986 if scheme == "https" else 5985)
    if ":" in host and not host.startswith("["):  # an IPv6 address
        host = "[%s]" % host
    try:
        return Protocol(
            "%s://%s:%d/wsman" % (scheme, host, port),
            transport=settings["transport"],
            username=settings["username"],
            password=settings["password"],
            cert_pem=settings["client_cert"],
            cert_key_pem=settings["client_cert_key"],
            server_cert_validation="validate" if settings["validate_certs"] else "ignore",
            ca_trust_path=settings["ca_path"] or "legacy_requests",
            read_timeout_sec=settings["read_timeout"],
            operation_timeout_sec=settings["operation_timeout"],
        )
    except (WinRMError, ValueError) as error:
        raise AnsibleError("Invalid WinRM settings for %s %s: %s" % (role, host, error))


def _reason(error):
    """The innermost cause of a requests error (urllib3's ``reason``, e.g. the refused connection), as text."""
    cause = error.args[0] if error.args else error
    return str(getattr(cause, "reason", cause))
