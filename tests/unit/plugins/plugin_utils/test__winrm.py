# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One command over WinRM with pywinrm (plugins/plugin_utils/_winrm.py); the round trips through a WinRM
endpoint are in tests/unit/plugins/inventory/."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import requests
import yaml
from ansible.errors import AnsibleError

from ansible_collections.wtsadmin.rds.plugins.doc_fragments.inventory_winrm import ModuleDocFragment
from ansible_collections.wtsadmin.rds.plugins.plugin_utils import _winrm

SETTINGS = {"port": None, "scheme": "http", "transport": "ntlm", "username": "CONTOSO\\rdsadmin",
            "password": "S3cret-Pa55!", "client_cert": None, "client_cert_key": None, "validate_certs": True,
            "ca_path": None, "read_timeout": 30, "operation_timeout": 20}


def test_the_settings_are_the_connection_options_of_the_doc_fragment():
    documented = set(yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["options"])

    assert set(_winrm.SETTINGS) == documented - {"python_interpreter"} == set(SETTINGS)


def test_without_pywinrm_the_failure_says_how_to_install_it(monkeypatch):
    monkeypatch.setattr(_winrm, "PYWINRM_IMPORT_ERROR", ImportError("No module named 'winrm'"))

    with pytest.raises(AnsibleError, match=r"needs pywinrm on the controller \(pip install pywinrm"):
        _winrm.run_command("mgmt01", SETTINGS, "whoami", b"")


@pytest.mark.parametrize("host, endpoint", [
    ("127.0.0.1", "http://127.0.0.1:1/wsman"),
    ("::1", "http://[::1]:1/wsman"),  # an IPv6 address is bracketed in the URL
])
def test_an_unreachable_listener_is_named_by_its_endpoint_without_the_password(host, endpoint):
    with pytest.raises(AnsibleError) as failure:
        _winrm.run_command(host, dict(SETTINGS, port=1), "whoami", b"")

    assert str(failure.value).startswith("Cannot reach the discovery host's WinRM at %s: " % endpoint)
    assert SETTINGS["password"] not in str(failure.value)


@pytest.mark.parametrize("broken", [
    requests.exceptions.ChunkedEncodingError("Connection broken: IncompleteRead(0 bytes read, 1001 more expected)"),
    requests.exceptions.ContentDecodingError("Received response with content-encoding: gzip, but failed to decode"),
])
def test_an_answer_broken_off_half_way_is_an_ansible_error_naming_the_endpoint(broken):
    """A connection that breaks while an answer is read is no ConnectionError for requests; it must still be an
    AnsibleError (the event stream reports the host down and reconnects on AnsibleError only)."""
    with pytest.raises(AnsibleError) as failure:
        with _winrm._explained("http://rdsh01:5985/wsman", SETTINGS, "rdsh01"):
            raise broken

    assert str(failure.value).startswith("WinRM at http://rdsh01:5985/wsman broke off an answer: ")
    assert "rdsh01 and its network" in str(failure.value)


def test_a_streaming_command_is_ended_once_by_a_host_that_answers_and_again_only_when_it_did_not(tmp_path):
    """terminate(): Signal terminate and Delete; False while the host cannot be reached (ask again later); True
    once it answered, also with a fault for a shell it no longer has (a restarted WinRM service): asking again
    would not change that answer."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[4] / "tests" / "wsman"))
    from wsman_loopback import LoopbackWsman  # pylint: disable=import-outside-toplevel,import-error

    settings = dict(SETTINGS, scheme="http", transport="basic", operation_timeout=3, read_timeout=10)
    with LoopbackWsman(SETTINGS["username"], SETTINGS["password"]) as wsman:
        settings["port"] = wsman.port
        command = _winrm.StreamingCommand("127.0.0.1", settings, "sleep 600", b"")
        wsman.cut_off()  # a network outage: the command goes on running, the host cannot be told
        assert command.terminate() is False
        assert wsman.signals == [] and wsman.leftovers() == ["sleep 600"]
        wsman.restore()
        assert command.terminate() is True
        assert [signal[2].rpartition("/")[2] for signal in wsman.signals] == ["terminate"]
        assert command.terminate() is True  # nothing left to do: not asked again
        assert len(wsman.signals) == 1

        again = _winrm.StreamingCommand("127.0.0.1", settings, "sleep 600", b"")
        wsman.stop()  # the service stops, and its shells with it
    with LoopbackWsman(SETTINGS["username"], SETTINGS["password"], port=settings["port"]) as restarted:
        assert again.terminate() is True  # the restarted service answers with a fault: shell not found
        assert again.terminate() is True
        assert [signal[1] for signal in restarted.signals] == [again._command_id]  # pylint: disable=protected-access
