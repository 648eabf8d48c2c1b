"""Create a Python venv whose interpreter has the emulated RD Session Host preloaded.

    python tests/emulator/make_interpreter.py DEST

DEST/bin/python then looks like Windows through ctypes (see README.md), also under ``python -I -``.
The state comes from $RDS_EMULATOR_STATE, default DEST/emulator-state.json.
"""

from __future__ import annotations

import os
import sys
import venv

HERE = os.path.dirname(os.path.abspath(__file__))
PTH_NAME = "rds_emulator_preload.pth"


def make_interpreter(dest: str) -> str:
    """Create (or refresh) the venv at dest; returns the path of its python."""
    dest = os.path.abspath(dest)
    venv.EnvBuilder(system_site_packages=False, with_pip=False, symlinks=True).create(dest)
    site_packages = os.path.join(dest, "lib", "python%d.%d" % sys.version_info[:2], "site-packages")
    default_state = os.path.join(dest, "emulator-state.json")
    with open(os.path.join(site_packages, PTH_NAME), "w", encoding="utf-8") as handle:
        handle.write(HERE + "\n")
        handle.write("import rds_emulator.preload; rds_emulator.preload.start(%r)\n" % default_state)
    return os.path.join(dest, "bin", "python")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python make_interpreter.py DEST")
    print(make_interpreter(sys.argv[1]))
