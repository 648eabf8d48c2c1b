"""The decision environment: examples/eda/decision-environment.yml is an ansible-builder definition that
ansible-builder accepts, and its build context holds what the session_events event source needs (docs/eda.md):
ansible-rulebook, a Java 17 runtime, ansible-core, this collection and pywinrm.

No container is built here (no registry, no container engine); ``ansible-builder create`` validates the
definition and writes the build context, which is checked.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from runs import ROOT, builder_context


@pytest.fixture(scope="module")
def context(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The build context of the example DE, made the way its comments say."""
    return builder_context(ROOT / "examples" / "eda" / "decision-environment.yml", tmp_path_factory.mktemp("de"))


def test_the_de_installs_the_collection_version_galaxy_yml_declares(context: Path) -> None:
    version = yaml.safe_load((ROOT / "galaxy.yml").read_text())["version"]
    requirements = yaml.safe_load((context / "_build" / "requirements.yml").read_text())
    assert {"name": f"collections/wtsadmin-rds-{version}.tar.gz", "type": "file"} in requirements["collections"]
    assert (context / "_build" / "collections" / f"wtsadmin-rds-{version}.tar.gz").is_file()


def test_the_de_holds_ansible_rulebook_java_17_ansible_core_and_pywinrm(context: Path) -> None:
    python = (context / "_build" / "requirements.txt").read_text().splitlines()
    system = (context / "_build" / "bindep.txt").read_text().splitlines()
    containerfile = (context / "Containerfile").read_text()
    assert "ansible-rulebook" in python
    assert any(line.startswith("pywinrm[kerberos,credssp]") for line in python)
    assert "java-17-openjdk-headless [platform:rpm]" in system
    assert "ENV JAVA_HOME=/usr/lib/jvm/jre-17-openjdk" in containerfile
    assert "ansible-core>=2.16,<2.20" in containerfile
