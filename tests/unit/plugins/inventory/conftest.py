# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures for the rds_servers inventory: a loopback WinRM endpoint whose commands run the emulated host's
Python, and a helper that parses an inventory configuration the way ansible-inventory does."""

from __future__ import annotations

import datetime
import ipaddress
import json
import os
import sys
from pathlib import Path

import pytest
import rds_emulator
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from ansible.inventory.data import InventoryData
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import init_plugin_loader, inventory_loader
from ansible.utils.collection_loader import AnsibleCollectionConfig

ROOT = Path(__file__).resolve().parents[4]
sys.path.insert(0, str(ROOT / "tests" / "wsman"))

from wsman_loopback import LoopbackWsman  # noqa: E402  pylint: disable=wrong-import-position

USERNAME = "CONTOSO\\rdsadmin"  # what the loopback endpoint accepts
PASSWORD = "S3cret-Pa55!"


@pytest.fixture
def farm(tmp_path, monkeypatch):
    """The emulated farm's state file (the sample farm), read by every Python the loopback endpoint starts.

    Edit it with ``farm.edit(lambda state: ...)`` before parsing; ``farm.state`` reads it back.
    """
    farm = Farm(tmp_path / "emulator-state.json")
    farm.write(rds_emulator.sample_state())
    monkeypatch.setenv("RDS_EMULATOR_STATE", str(farm.path))
    return farm


class Farm:
    def __init__(self, path):
        self.path = path

    @property
    def state(self):
        return json.loads(self.path.read_text())

    def write(self, state):
        self.path.write_text(json.dumps(state))

    def edit(self, change):
        state = self.state
        change(state)
        self.write(state)


@pytest.fixture
def wsman(farm):
    """A loopback WinRM endpoint accepting USERNAME/PASSWORD (Basic) whose commands see ``farm``."""
    with LoopbackWsman(USERNAME, PASSWORD) as endpoint:
        yield endpoint


@pytest.fixture
def discovery(wsman, emulated_python):
    """The configuration that discovers through the loopback endpoint with the emulated host's Python."""
    return discovery_config(wsman, emulated_python)


def discovery_config(endpoint, python):
    return {
        "plugin": "wtsadmin.rds.rds_servers",
        "discovery_host": "127.0.0.1",
        "port": endpoint.port,
        "scheme": endpoint.url.partition(":")[0],
        "transport": "basic",
        "username": USERNAME,
        "password": PASSWORD,
        "python_interpreter": python,
    }


@pytest.fixture(scope="session")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1: the server's PEM (certificate and key) and the certificate's PEM."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Loopback WinRM test CA")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .sign(key, hashes.SHA256()))
    directory = tmp_path_factory.mktemp("tls")
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    (directory / "server.pem").write_bytes(cert_pem + key_pem)
    (directory / "ca.pem").write_bytes(cert_pem)
    return {"server": str(directory / "server.pem"), "ca": str(directory / "ca.pem")}


@pytest.fixture
def https_discovery(farm, certificate, emulated_python):
    """Like ``discovery``, through a loopback endpoint serving HTTPS with ``certificate``."""
    with LoopbackWsman(USERNAME, PASSWORD, certfile=certificate["server"]) as endpoint:
        yield discovery_config(endpoint, emulated_python)


@pytest.fixture(scope="session")
def plugin_loader():
    """Ansible's plugin loader with this collection on its path, as ansible-inventory sets it up.

    Ansible's collection finder makes the packages of ``ansible_collections`` itself; the namespace
    packages that plain imports (pytest's pythonpath) made before it was installed are dropped so that it
    can. The modules already imported stay as they are.
    """
    if AnsibleCollectionConfig.collection_finder is None:
        init_plugin_loader([path for path in sys.path if os.path.isdir(os.path.join(path, "ansible_collections"))])
        for name, module in list(sys.modules.items()):
            if name.partition(".")[0] == "ansible_collections" and getattr(module, "__file__", None) is None:
                del sys.modules[name]
    return inventory_loader


@pytest.fixture
def parse_inventory(tmp_path, plugin_loader):
    """Parse a configuration (a dict) like ansible-inventory does; returns the InventoryData.

    Errors of the plugin (AnsibleParserError) propagate. ``name`` is the configuration's file name.
    """
    def parse(config, cache=True, name="farm.rds_servers.yml"):
        path = tmp_path / name
        path.write_text(yaml.safe_dump(config))
        plugin = plugin_loader.get("wtsadmin.rds.rds_servers")
        inventory = InventoryData()
        plugin.parse(inventory, DataLoader(), str(path), cache=cache)
        if getattr(plugin, "_cache", None):  # as InventoryManager does
            plugin.update_cache_if_changed()
        return inventory

    return parse
