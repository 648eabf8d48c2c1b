"""The emulated RD Session Host: Windows' wtsapi32/netapi32/kernel32/advapi32/iphlpapi behind ctypes, on Linux.

See tests/emulator/README.md for the state schema and the API.
"""

from __future__ import annotations

from . import advapi32, iphlpapi, kernel32, netapi32, security, wtsapi32  # noqa: F401  (they register the exports)
from .dll import installed_emulator as installed
from .dll import patch_ctypes, restore_ctypes
from .emulator import Emulator
from .errors import PrototypeError
from .sample import (empty_state, listener_session, make_browser_entry, make_event, make_process, make_server,
                     make_session, sample_state, services_session)

__all__ = [
    "Emulator", "PrototypeError", "empty_state", "install", "installed", "listener_session", "make_browser_entry",
    "make_event", "make_process", "make_server", "make_session", "sample_state", "services_session", "uninstall",
]


def install(state) -> Emulator:
    """Make ctypes look like Windows, backed by state (a dict kept in memory, or a JSON file path)."""
    emulator = Emulator(state)
    patch_ctypes(emulator)
    return emulator


def uninstall() -> None:
    """Restore ctypes as it was before install()."""
    restore_ctypes()
