"""The execution environment: examples/execution-environment.yml builds, with ansible-builder, an EE that holds
this collection and what the collection declares in meta/execution-environment.yml.

No container is built here (no registry, no container engine). The test makes the build context with
``ansible-builder create`` and then plays its two interesting stages on this machine: the galaxy stage
(``ansible-galaxy collection install`` in the context; only the collection's own tarball, as Galaxy is out of
reach) and the builder stage (the context's own ``introspect.py``, which collects the Python and system
packages of every installed collection).
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml
from runs import BIN, ROOT, builder_context, run


@pytest.fixture(scope="module")
def context(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The build context of the example EE, made the way examples/execution-environment.yml says."""
    return builder_context(ROOT / "examples" / "execution-environment.yml", tmp_path_factory.mktemp("ee"))


@pytest.fixture(scope="module")
def builder_stage(context: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """The Python and system requirements the EE's builder stage gathers after the galaxy stage installed the collections."""
    collections = tmp_path_factory.mktemp("usr-share-ansible")
    build = context / "_build"  # COPY _build /build; WORKDIR /build
    # The collections from Galaxy cannot be fetched here; the collection's own tarball can.
    requirements = yaml.safe_load((build / "requirements.yml").read_text())["collections"]
    tarballs = [entry["name"] for entry in requirements if entry.get("type") == "file"]
    # --force: the collection is also on ANSIBLE_COLLECTIONS_PATH while the tests run, and ansible-galaxy
    # would otherwise call it installed already and put nothing into the EE's collection path.
    run(BIN / "ansible-galaxy", "collection", "install", "--force", *tarballs, "-p", collections, cwd=build)
    pip, bindep = collections / "pip.txt", collections / "bindep.txt"
    run(sys.executable, build / "scripts" / "introspect.py", "introspect", "--user-pip=requirements.txt",
        f"--write-pip={pip}", f"--write-bindep={bindep}", collections, cwd=build)
    return {"python": pip.read_text().splitlines(), "system": bindep.read_text().splitlines()}


def test_example_ee_installs_the_collection_version_galaxy_yml_declares(context: Path) -> None:
    version = yaml.safe_load((ROOT / "galaxy.yml").read_text())["version"]
    requirements = yaml.safe_load((context / "_build" / "requirements.yml").read_text())
    assert {"name": f"collections/wtsadmin-rds-{version}.tar.gz", "type": "file"} in requirements["collections"]
    assert {"name": "ansible.windows"} in requirements["collections"]  # rds_drain waits for a reboot with win_ping
    assert (context / "_build" / "collections" / f"wtsadmin-rds-{version}.tar.gz").is_file()
    containerfile = (context / "Containerfile").read_text()
    assert "ansible-galaxy collection install $ANSIBLE_GALAXY_CLI_COLLECTION_OPTS -r requirements.yml" in containerfile


def test_ee_gets_pywinrm_with_kerberos_and_credssp(builder_stage: dict[str, list[str]]) -> None:
    assert any(line.startswith("pywinrm>=") and "wtsadmin.rds" in line for line in builder_stage["python"])
    assert any(line.startswith("pywinrm[kerberos,credssp]") for line in builder_stage["python"])


def test_ee_gets_the_kerberos_client_from_the_collections_bindep(builder_stage: dict[str, list[str]]) -> None:
    from_collection = [line.split("  #")[0] for line in builder_stage["system"] if "wtsadmin.rds" in line]
    assert "krb5-workstation [platform:rpm]" in from_collection
    assert "krb5-user [platform:dpkg]" in from_collection
