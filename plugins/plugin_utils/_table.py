# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

# Sessions and processes as an aligned text table (the session_table filter, controller only). Alignment
# counts terminal columns, not characters: East Asian wide and fullwidth characters and emoji take two,
# combining marks, zero-width joiners and variation selectors none, so names such as "Zoë😀" or "山田"
# line up in a monospaced font.

import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

    from ansible_collections.wtsadmin.rds.plugins.module_utils._shapes import Process, Session, SessionSummary

# The columns a table has when none are asked for: (key, heading).
SESSION_COLUMNS = (("session_id", "ID"), ("user", "USER"), ("client_name", "CLIENT"), ("state", "STATE"),
                   ("idle_seconds", "IDLE"))
PROCESS_COLUMNS = (("pid", "PID"), ("name", "NAME"), ("session_id", "SESSION"), ("user", "USER"))
# Durations shown as h:mm, like quser's IDLE TIME.
DURATIONS = frozenset(("idle_seconds", "disconnected_seconds"))
_EMOJI_PRESENTATION = "\ufe0f"  # VARIATION SELECTOR-16: the character before it is shown as a (wide) emoji
_GAP = "  "


def display_width(text):
    """How many columns of a monospaced terminal ``text`` takes."""
    width = 0
    for index, char in enumerate(text):
        if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
            continue
        wide = unicodedata.east_asian_width(char) in ("W", "F") or text[index + 1:index + 2] == _EMOJI_PRESENTATION
        width += 2 if wide else 1
    return width


def cell(key, value):
    """The text of one cell: ``-`` for null, h:mm for a duration, control characters made visible."""
    if value is None or value == "":
        return "-"
    if key in DURATIONS and isinstance(value, int) and not isinstance(value, bool):
        return "%d:%02d" % (value // 3600, value % 3600 // 60)
    text = value if isinstance(value, str) else str(value)
    return "".join("\\x%02x" % ord(char) if unicodedata.category(char) == "Cc" else char for char in text)


def _pad(text, width, right):
    padding = " " * (width - display_width(text))
    return padding + text if right else text + padding


def render(items: Iterable[Session | Process | SessionSummary] | None, columns: list[str] | None = None) -> str:
    """``items`` (sessions or processes, as the modules return them) as a table: one heading line, then one
    line per item, columns separated by two spaces, numbers aligned right. ``columns`` is a list of keys
    (headings are the keys in capitals); by default those of a session, or of a process when the items have
    a ``pid``, with a SERVER column first when an item names its server."""
    items = list(items or ())
    if columns:
        spec = [(key, key.upper()) for key in columns]
    else:
        spec = list(PROCESS_COLUMNS if any("pid" in item for item in items) else SESSION_COLUMNS)
        if any(item.get("server") for item in items):
            spec.insert(0, ("server", "SERVER"))
    rows = [[cell(key, item.get(key)) for key, _heading in spec] for item in items]
    right = [bool(items) and all(isinstance(item.get(key), (int, float)) or key in DURATIONS
                                 for item in items if item.get(key) is not None) for key, _heading in spec]
    widths = [max([display_width(heading)] + [display_width(row[index]) for row in rows])
              for index, (_key, heading) in enumerate(spec)]
    lines = [[heading for _key, heading in spec]] + rows
    return "\n".join(_GAP.join(_pad(text, widths[index], right[index]) for index, text in enumerate(line)).rstrip()
                     for line in lines)
