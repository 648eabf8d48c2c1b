# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Whether a text is in what an Ansible command printed, however its display wrapped the lines.

ansible-core before 2.19 wraps warnings and errors with textwrap at the terminal's width (79 columns when the
output is no terminal; no setting changes it): a line may break inside a word or a URL, and the space at a
break is dropped. So the text is looked for with all whitespace taken out of both sides; the characters
must still be all there, in order.

Import it as ``wrapped_output`` (``tests/helpers`` is on pytest's ``pythonpath``)::

    from wrapped_output import printed

    assert printed("Cannot reach the discovery host's WinRM at https://127.0.0.1:", run.stdout + run.stderr)
"""

from __future__ import annotations


def _squeezed(text: str) -> str:
    return "".join(text.split())


def printed(text: str, output: str) -> bool:
    """True when ``output`` holds ``text``, wrapped or not."""
    return _squeezed(text) in _squeezed(output)
