# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Commands the tests run as a user would, from this venv: any command that must succeed, ansible-playbook on
localhost with the collection on its path, and the build context ansible-builder makes of an example
environment definition.

Import it as ``runs`` (``tests/helpers`` is on pytest's ``pythonpath``)::

    from runs import ansible_playbook, builder_context, run
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent  # the venv's console scripts (ansible-playbook, ansible-builder, ...)
COLLECTIONS = ROOT / ".build" / "collections"


def run(*command: str | Path, cwd: Path | None = None, env: dict | None = None,
        timeout: int = 300) -> subprocess.CompletedProcess:
    """Run ``command``; it must succeed (the failure shows its exit code and output)."""
    done = subprocess.run([str(part) for part in command], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)
    assert done.returncode == 0, f"{command} failed (rc={done.returncode}):\n{done.stdout[-4000:]}\n{done.stderr[-2000:]}"
    return done


def ansible_playbook(playbook: Path, timeout: int = 900) -> subprocess.CompletedProcess:
    """ansible-playbook ``playbook`` (plays on localhost, connection local) with this collection; it must succeed."""
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS), ANSIBLE_NOCOLOR="1",
               ANSIBLE_LOCALHOST_WARNING="false", ANSIBLE_INVENTORY_UNPARSED_WARNING="false")
    return run(BIN / "ansible-playbook", playbook, env=env, timeout=timeout)


def builder_context(definition: Path, work: Path) -> Path:
    """The build context ``ansible-builder create`` makes of ``definition`` (an execution or decision
    environment file) in ``work``, beside this collection's tarball, as the examples' comments say."""
    shutil.copy(definition, work)
    run(BIN / "ansible-galaxy", "collection", "build", "--output-path", work, cwd=ROOT)
    run(BIN / "ansible-builder", "create", "-f", definition.name, "-c", "context", "--output-filename",
        "Containerfile", cwd=work)
    return work / "context"
