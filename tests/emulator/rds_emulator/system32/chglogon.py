"""The emulated chglogon.exe's program (see chglogon.exe and rds_emulator/logons.py)."""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from rds_emulator.logons import chglogon_main  # noqa: E402  (after the path is set)

sys.exit(chglogon_main(sys.argv[1:]))
