# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

# One command on a Windows host over WinRM with pywinrm, for plugins that reach a host without a connection
# plugin (the rds_servers inventory's discovery host); controller only. The settings are the options of the
# doc fragment wtsadmin.rds.inventory_winrm. Every failure is an AnsibleError that says what to check, and
# never shows the password.

from ansible.errors import AnsibleError

try:
    import requests.exceptions
    from winrm.exceptions import InvalidCredentialsError, WinRMError, WinRMTransportError
    from winrm.protocol import Protocol
except ImportError as error:
    PYWINRM_IMPORT_ERROR = error
else:
    PYWINRM_IMPORT_ERROR = None

# The options of wtsadmin.rds.inventory_winrm that say how to reach the host (all but python_interpreter).
SETTINGS = ("port", "scheme", "transport", "username", "password", "client_cert", "client_cert_key",
            "validate_certs", "ca_path", "read_timeout", "operation_timeout")
STDIN_CHUNK = 65536  # bytes per WinRM Send message, well within the default MaxEnvelopeSize


def run_command(host, settings, command, stdin):
    """Run one ``command`` on ``host`` with WinRM, ``stdin`` (bytes) on its standard input.

    ``settings`` holds the values of SETTINGS. Returns (stdout, stderr, exit code) as pywinrm gives them.
    """
    protocol = _protocol(host, settings)
    endpoint = protocol.transport.endpoint
    try:
        shell_id = protocol.open_shell()
        try:
            command_id = protocol.run_command(shell_id, command, console_mode_stdin=False)
            try:
                for offset in range(0, len(stdin), STDIN_CHUNK):
                    protocol.send_command_input(shell_id, command_id, stdin[offset:offset + STDIN_CHUNK],
                                                end=offset + STDIN_CHUNK >= len(stdin))
                return protocol.get_command_output(shell_id, command_id)
            finally:
                protocol.cleanup_command(shell_id, command_id)
        finally:
            protocol.close_shell(shell_id)
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
            "Cannot reach the discovery host's WinRM at %s: %s. Check the host name, port and scheme, that"
            " WinRM listens there (winrm quickconfig; an HTTPS listener for scheme https) and the firewall."
            % (endpoint, _reason(error)))
    except (WinRMError, WinRMTransportError) as error:
        raise AnsibleError("WinRM at %s failed: %s" % (endpoint, error))


def _protocol(host, settings):
    if PYWINRM_IMPORT_ERROR:
        raise AnsibleError("The wtsadmin.rds.rds_servers inventory needs pywinrm on the controller (pip install"
                           " pywinrm; in AWX, in the execution environment): %s" % PYWINRM_IMPORT_ERROR)
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
        raise AnsibleError("Invalid WinRM settings for the discovery host %s: %s" % (host, error))


def _reason(error):
    """The innermost cause of a requests error (urllib3's ``reason``, e.g. the refused connection), as text."""
    cause = error.args[0] if error.args else error
    return str(getattr(cause, "reason", cause))
