"""The decision environment: examples/eda/decision-environment.yml is an ansible-builder definition that
ansible-builder accepts, and its build context holds what the session_events event source needs (docs/eda.md):
ansible-rulebook, a Java 17 runtime, ansible-core, this collection and pywinrm.

No container is built here (no registry, no container engine); ``ansible-builder create`` validates the
definition and writes the build context, which is checked.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _run(*command: str | Path, cwd: Path) -> str:
    run = subprocess.run([str(part) for part in command], cwd=cwd, capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, f"{command} failed (rc={run.returncode}):\n{run.stdout}\n{run.stderr}"
    return run.stdout


@pytest.fixture(scope="module")
def context(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The build context of the example DE, made the way its comments say."""
    work = tmp_path_factory.mktemp("de")
    shutil.copy(ROOT / "examples" / "eda" / "decision-environment.yml", work)
    _run(BIN / "ansible-galaxy", "collection", "build", "--output-path", work, cwd=ROOT)
    _run(BIN / "ansible-builder", "create", "-f", "decision-environment.yml", "-c", "context",
         "--output-filename", "Containerfile", cwd=work)
    return work / "context"


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
