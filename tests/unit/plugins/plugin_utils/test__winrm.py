# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One command over WinRM with pywinrm (plugins/plugin_utils/_winrm.py); the round trips through a WinRM
endpoint are in tests/unit/plugins/inventory/."""

from __future__ import annotations

import pytest
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
