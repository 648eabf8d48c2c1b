# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Real local Pythons standing in for a host's: the machine's pyenv versions, and a Python that cannot import
the POSIX-only modules, as on Windows."""

from __future__ import annotations

import os
import subprocess
import textwrap
from pathlib import Path

import pytest

PYENV_VERSIONS = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
POSIX_ONLY = ("grp", "pwd", "fcntl", "resource", "termios", "syslog")


@pytest.fixture(scope="session")
def pyenv_python():
    """pyenv_python("3.8"): the machine's CPython of that version, as installed by pyenv."""
    return _pyenv_python


def _pyenv_python(version: str) -> str:
    """The machine's CPython ``version`` (e.g. "3.9"), as installed by pyenv."""
    found = sorted(PYENV_VERSIONS.glob(version + ".*/bin/python"))
    if not found:
        pytest.fail("CPython %s is needed under %s for this test" % (version, PYENV_VERSIONS))
    return str(found[-1])


@pytest.fixture(scope="session")
def python39() -> str:
    """The oldest Python the host may have."""
    return _pyenv_python("3.9")


@pytest.fixture(scope="session")
def posix_blocked_python(tmp_path_factory, python39) -> str:
    """A Python 3.9 venv in which grp, pwd, fcntl, resource, termios and syslog cannot be imported, as on Windows.

    A .pth file in its site-packages installs a meta path blocker at start-up (it works under -E -s too).
    """
    venv = tmp_path_factory.mktemp("posix-blocked") / "venv"
    subprocess.run([python39, "-m", "venv", "--without-pip", str(venv)], check=True)
    site_packages = next(venv.glob("lib/python3*/site-packages"))
    (site_packages / "posix_blocker.py").write_text(textwrap.dedent("""\
        import sys

        BLOCKED = %r


        class PosixBlocker:
            @staticmethod
            def find_spec(name, path=None, target=None):
                if name in BLOCKED:
                    raise ModuleNotFoundError("No module named %%r (blocked: Windows has none)" %% name, name=name)


        for name in BLOCKED:
            sys.modules.pop(name, None)
        sys.meta_path.insert(0, PosixBlocker)
        """ % (POSIX_ONLY,)))
    (site_packages / "posix_blocker.pth").write_text("import posix_blocker\n")
    python = str(venv / "bin" / "python")
    for name in POSIX_ONLY:
        probe = subprocess.run([python, "-E", "-s", "-c", "import " + name], capture_output=True, text=True, check=False)
        assert "blocked" in probe.stderr, "the blocker must hold for %s" % name
    return python
