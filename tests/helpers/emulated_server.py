# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One emulated server of an emulator state file, changed while emulated processes use it (the event source's
tests script Windows events into a running host loop this way).

Import it as ``emulated_server`` (``tests/helpers`` is on pytest's ``pythonpath``)::

    from emulated_server import ServerFile
    host = ServerFile(state_path)            # the state file's "RDSH01"
    host.script(rds_emulator.make_event(...)); host.edit(lambda server: ...); host.server["sessions"]
"""

from __future__ import annotations

from rds_emulator import state as emulator_state


class ServerFile:
    """Server ``name`` of the state file ``path``, read and changed under the emulator's file lock, as the
    emulated processes do."""

    def __init__(self, path, name="RDSH01"):
        self.path = path
        self.name = name

    def edit(self, change):
        """``change(server)`` changes the server's dict in place; it is saved for every process to see."""
        with emulator_state.file_lock(str(self.path)):
            state = emulator_state.load(str(self.path))
            change(state["servers"][self.name])
            emulator_state.save(str(self.path), state)

    def script(self, *events):
        """Append scripted Windows events (rds_emulator.make_event) to the server's."""
        self.edit(lambda server: server["events"].extend(events))

    @property
    def server(self):
        """The server's dict as it is now (a copy)."""
        with emulator_state.file_lock(str(self.path)):
            return emulator_state.load(str(self.path))["servers"][self.name]
