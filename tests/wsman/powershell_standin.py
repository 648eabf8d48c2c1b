# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The stand-in for powershell.exe on the emulated host behind the loopback WS-Man endpoint (README.md).

    python powershell_standin.py -NoProfile ... -EncodedCommand <base64 of UTF-16-LE>

It runs the script of ``-EncodedCommand`` statement by statement, but only the statements that this
collection's one PowerShell command is made of (plugins/plugin_utils/_payload.py, remote_command): find a
program with Get-Command, print a failure and exit when there is none, pipe stdin into the program found,
exit with its exit code. The programs the host has are RDS_EMULATED_PROGRAMS, JSON mapping each Windows path
(C:\\Python311\\python.exe) to the local executable that plays it (the emulated host's Python). Any other
statement is refused (written to stderr, exit 1), as a host whose read fails: a test passes only on what
was run.
"""

from __future__ import annotations

import base64
import fnmatch
import json
import os
import re
import subprocess
import sys

# about_Quoting_Rules: a single-quoted string ends at an ASCII or smart single quote unless it is doubled.
QUOTES = "'\u2018\u2019\u201a\u201b"
LITERAL = "[%s](?:[^%s]|[%s]{2})*[%s]" % ((QUOTES,) * 4)
NAME = r"\(\[Management\.Automation\.WildcardPattern\]::Escape\((?P<path>%s)\)\)|(?P<name>[\w.-]+)" % LITERAL
LOOKUP = (r"Get-Command -Name (?:%s) -CommandType Application -ErrorAction Ignore"
          r"(?: \| Where-Object Path -NotLike (?P<unlike>%s))? \| Select-Object -First 1" % (NAME, LITERAL))
STATEMENTS = (
    ("find", re.compile(r"\$a = @\((?P<args>(?:%s(?:, )?)*)\); \$p = (?:%s)" % (LITERAL, LOOKUP))),
    ("unless_found", re.compile(r"if \(-not \$p\) \{ (?P<body>.*) \}$", re.M)),
    ("say", re.compile(r"(?P<text>%s)" % LITERAL)),
    ("run", re.compile(r"\$input \| & \$p @a(?P<args>(?: %s)*)" % LITERAL)),
    ("exit", re.compile(r"exit (?P<code>\$LASTEXITCODE|\d+)")),
)


class Refused(Exception):
    """A statement this stand-in does not run."""


def unquote(literal):
    return re.sub("([%s])[%s]" % (QUOTES, QUOTES), r"\1", literal[1:-1])


def literals(text):
    return [unquote(match.group(0)) for match in re.finditer(LITERAL, text)]


class Host:
    def __init__(self, programs):
        self.programs = programs  # Windows path -> local executable
        self.variables = {"a": [], "p": None, "LASTEXITCODE": 0}

    def get_command(self, match):
        """Get-Command -CommandType Application: the program at the path given, or one by file name (on PATH);
        Windows file names match whatever their case."""
        if match.group("path"):
            found = [path for path in self.programs if path.lower() == unquote(match.group("path")).lower()]
        else:
            found = [path for path in self.programs if path.rpartition("\\")[2].lower() == match.group("name").lower()]
        if match.group("unlike"):
            found = [path for path in found if not fnmatch.fnmatch(path.lower(), unquote(match.group("unlike")).lower())]
        return found[0] if found else None

    def execute(self, text):
        """Run the statements of ``text`` (separated by ``; `` or new lines); returns an exit code to exit with, or None."""
        text = text.strip()
        while text:
            kind, match = next(((kind, pattern.match(text)) for kind, pattern in STATEMENTS if pattern.match(text)),
                               (None, None))
            if match is None:
                raise Refused(text.splitlines()[0])
            code = getattr(self, "do_" + kind)(match)
            if code is not None:
                return code
            text = text[match.end():]
            if text and not re.match(r"\s*(;|\n)", text):
                raise Refused(text.splitlines()[0])
            text = text.lstrip("; \n")
        return None

    def do_find(self, match):
        self.variables["a"] = literals(match.group("args"))
        self.variables["p"] = self.get_command(match)

    def do_unless_found(self, match):
        return None if self.variables["p"] else self.execute(match.group("body"))

    def do_say(self, match):
        sys.stdout.write(unquote(match.group("text")) + "\n")
        sys.stdout.flush()

    def do_run(self, match):
        program = self.programs[self.variables["p"]]
        done = subprocess.run([program] + self.variables["a"] + literals(match.group("args")), stdin=sys.stdin,
                              check=False)
        self.variables["LASTEXITCODE"] = done.returncode

    def do_exit(self, match):
        code = match.group("code")
        return self.variables["LASTEXITCODE"] if code == "$LASTEXITCODE" else int(code)


def main(argv):
    lowered = [argument.lower() for argument in argv]
    if "-encodedcommand" not in lowered:
        sys.stderr.write("the stand-in PowerShell runs only -EncodedCommand scripts\n")
        return 1
    script = base64.b64decode(argv[lowered.index("-encodedcommand") + 1]).decode("utf-16-le")
    host = Host(json.loads(os.environ.get("RDS_EMULATED_PROGRAMS") or "{}"))
    try:
        code = host.execute(script)
    except Refused as refused:
        sys.stderr.write("The emulated host's PowerShell cannot run this statement: %s\n" % refused)
        return 1
    return 0 if code is None else code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
