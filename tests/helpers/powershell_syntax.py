# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PowerShell read by a real grammar (tree-sitter-powershell), for tests: does a script parse, which string
literals does it hold, and does a value put into it stay inside one string literal whatever it contains.

Import it as ``powershell_syntax`` (``tests/helpers`` is on pytest's ``pythonpath``)::

    from powershell_syntax import assert_stays_one_literal, parse, string_literals

    assert_stays_one_literal(lambda value: "$p = %s" % quote(value), "C:\\Py\u2019; calc; \u2019x")

The grammar knows only the ASCII quotes. PowerShell also ends a single-quoted string at U+2018, U+2019,
U+201A and U+201B, and a double-quoted one at U+201C, U+201D and U+201E (about_Quoting_Rules: "PowerShell
treats smart quotation marks, also called typographic or curly quotes, as normal quotation marks for
strings"), so the script is parsed with those mapped to their ASCII quote, character for character. The grammar
also takes a bare ``-`` for an unfinished operator where PowerShell passes it to a command as an argument;
write ``'-'``, which PowerShell passes the same way.
"""

from __future__ import annotations

import tree_sitter
import tree_sitter_powershell

SINGLE_QUOTES = "'\u2018\u2019\u201a\u201b"
DOUBLE_QUOTES = '"\u201c\u201d\u201e'
_AS_ASCII = str.maketrans({**{quote: "'" for quote in SINGLE_QUOTES}, **{quote: '"' for quote in DOUBLE_QUOTES}})
# the node types of single-quoted strings and here-strings, whose text PowerShell never expands
VERBATIM = ("verbatim_string_characters", "verbatim_here_string_characters")
PARSER = tree_sitter.Parser(tree_sitter.Language(tree_sitter_powershell.language()))


class PowerShellSyntaxError(AssertionError):
    """The script does not parse as PowerShell."""


class Script:
    """A parsed script: ``text`` as PowerShell gets it, ``tree`` as the grammar read it."""

    def __init__(self, text: str):
        self.text = text
        self._bytes = text.translate(_AS_ASCII).encode("utf-8")
        self.tree = PARSER.parse(self._bytes)
        if self.tree.root_node.has_error:
            raise PowerShellSyntaxError("not PowerShell the grammar can read: %s\n%s" % (
                ", ".join(repr(node.text.decode()) for node in self.errors()), text))

    def errors(self):
        """The ERROR and MISSING nodes of the tree."""
        return [node for node in self.nodes() if node.type == "ERROR" or node.is_missing]

    def nodes(self, node=None):
        """Every node of the tree, depth first, in source order."""
        node = node or self.tree.root_node
        found = [node]
        for child in node.children:
            found.extend(self.nodes(child))
        return found

    def source(self, node) -> str:
        """The original text of ``node`` (with its Unicode quotes, which the grammar saw as ASCII ones)."""
        start = len(self._bytes[:node.start_byte].decode("utf-8"))
        end = len(self._bytes[:node.end_byte].decode("utf-8"))
        return self.text[start:end]

    def verbatim_literals(self):
        """The single-quoted string literals (and here-strings): [(node, value as PowerShell reads it)]."""
        return [(node, _verbatim_value(self.source(node))) for node in self.nodes() if node.type in VERBATIM]

    def shape(self):
        """The script's tokens with the contents of its single-quoted literals left out: two scripts of the same
        shape run the same commands with the same parameters, only the literal values differ."""
        return [(node.type, "'...'" if node.type in VERBATIM else node.text.decode("utf-8"))
                for node in self.nodes() if node.child_count == 0 or node.type in VERBATIM]


def _verbatim_value(source: str) -> str:
    """The value of a single-quoted literal's source text: without its quotes, each doubled quote as one (PowerShell
    takes any two single-quote characters in a row as the second of them)."""
    if source.startswith("@"):  # a here-string: @'<newline> ... <newline>'@
        return source[2:-2].strip("\r\n")
    body, value, index = source[1:-1], [], 0
    while index < len(body):
        if body[index] in SINGLE_QUOTES and index + 1 < len(body) and body[index + 1] in SINGLE_QUOTES:
            index += 1
        value.append(body[index])
        index += 1
    return "".join(value)


def parse(text: str) -> Script:
    """``text`` parsed as PowerShell; PowerShellSyntaxError when it does not parse."""
    return Script(text)


def string_literals(text: str) -> list:
    """The values of the single-quoted string literals of ``text``, in order."""
    return [value for _node, value in parse(text).verbatim_literals()]


def assert_stays_one_literal(render, value: str, benign: str = "benign") -> None:
    """Prove that ``render(value)`` (a function that puts a value into a script) keeps ``value`` inside one
    single-quoted literal: the script parses, has the same shape as ``render(benign)``, and the literal that
    holds ``benign`` there holds ``value`` here, whole, in its place. Raises AssertionError otherwise."""
    safe, tested = parse(render(benign)), parse(render(value))
    assert tested.shape() == safe.shape(), "%r changed the script's shape:\n%s" % (value, tested.text)
    holders = [index for index, (_node, text) in enumerate(safe.verbatim_literals()) if benign in text]
    assert holders, "%r is in no single-quoted literal of:\n%s" % (benign, safe.text)
    literals = tested.verbatim_literals()
    for index in holders:
        expected = safe.verbatim_literals()[index][1].replace(benign, value)
        assert literals[index][1] == expected, "%r became %r in:\n%s" % (value, literals[index][1], tested.text)
