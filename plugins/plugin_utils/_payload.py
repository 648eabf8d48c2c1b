# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

# What one task sends to the host (controller only; docs/execution-model.md tells the whole story):
#
# - the payload: the module's source, every module_util of its collection that it imports (transitively) and
#   the runner (plugins/module_utils/_runner.py), packed once per module per controller process;
# - the task message: the task's validated parameters and its modes (task_message(), the only place it is
#   built), which the runner reads (plugins/module_utils/_runner.py's run() documents it and the reply);
# - the program: a small Python bootstrap holding the packed payload and the packed task message, read by
#   ``python -E -s -`` from stdin; ASCII only;
# - the command: PowerShell (winrm, psrp, ssh to Windows) or POSIX sh (the local connection) text that finds
#   Python on the host and pipes its stdin into it; one PowerShell start per task over winrm, on every
#   ansible-core version (tests/unit/plugins/plugin_utils/test_winrm_process_starts.py records it).

import ast
import base64
import functools
import importlib.util
import io
import json
import shlex
import textwrap
import tokenize
import zlib
from pathlib import Path

from ansible.module_utils.common.json import AnsibleJSONEncoder

RUNNER = "ansible_collections.wtsadmin.rds.plugins.module_utils._runner"
CACHE_ACL = "ansible_collections.wtsadmin.rds.plugins.module_utils._cache_acl"  # the runner imports it on Windows
INTERPRETER_SETTING = "ansible_python_interpreter"  # where the host's Python is set (in the inventory: python_interpreter)
PYTHON_ARGS = "-E -s -"  # not -I: Python 2 rejects -I before reading the bootstrap, which then could not explain


_DOCUMENTATION = frozenset(("DOCUMENTATION", "EXAMPLES", "RETURN"))


def _without_documentation(source: str) -> str:
    """``source`` with its DOCUMENTATION, EXAMPLES and RETURN texts emptied: the host never reads them, and
    they are most of a module's bytes. Lines keep their numbers, so tracebacks still point at the right line."""
    lines = source.splitlines(keepends=True)
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and getattr(node.targets[0], "id", None) in _DOCUMENTATION:
            first, last = node.lineno - 1, node.end_lineno
            lines[first:last] = ["%s = ''\n" % node.targets[0].id] + ["\n"] * (last - first - 1)
    return "".join(lines)


def _for_the_host(source: str) -> str:
    """``source`` without its comments, docstrings, ``if TYPE_CHECKING:`` blocks and type annotations, which are
    for readers and type checkers on the controller: a docstring becomes ``""`` on its first line, the lines of
    all of them stay (blank), so tracebacks point at the right line."""
    lines = source.splitlines(keepends=True)
    tree = ast.parse(source)
    for node in _for_type_checkers(tree):
        lines[node.lineno - 1:node.end_lineno] = ["\n"] * (node.end_lineno - node.lineno + 1)
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            row, column = token.start
            lines[row - 1] = lines[row - 1][:column].rstrip() + "\n"
    for node in ast.walk(ast.parse(source)):
        body = getattr(node, "body", None)
        if not isinstance(body, list) or not body or not isinstance(node, _DOCUMENTED):
            continue
        first = body[0]
        if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
            start, end = first.lineno - 1, first.end_lineno
            line = lines[start]
            if line[:first.col_offset].strip() or lines[end - 1][first.end_col_offset:].strip():
                continue  # the docstring shares a line with other code: leave it
            lines[start:end] = [line[:first.col_offset] + '""\n'] + ["\n"] * (end - start - 1)
    for row, start, end in sorted(_annotations(tree, lines), reverse=True):  # right to left: offsets stay right
        line = lines[row].encode("utf-8")
        lines[row] = (line[:start] + line[end:]).decode("utf-8")
    sent = ast.parse("".join(lines))
    if not any(getattr(node, "annotation", None) or getattr(node, "returns", None) for node in ast.walk(sent)):
        for node in sent.body:  # no annotation is left for it to postpone
            if isinstance(node, ast.ImportFrom) and node.module == "__future__" and len(node.names) == 1 \
                    and node.names[0].name == "annotations":
                lines[node.lineno - 1] = "\n"
    return "".join(lines)


def _annotations(tree: ast.Module, lines: list[str]) -> list[tuple[int, int, int]]:
    """Where the annotations of ``tree``'s functions are, as (line index, start, end) in UTF-8 bytes as ``ast``
    counts them: of each parameter (``: T``), of the return (`` -> T``) and of each assignment with a value in a
    function's body (``x: T = v``). Under ``from __future__ import annotations`` the host never evaluates them
    (class bodies keep theirs: a TypedDict or dataclass is made of them). One that spans lines stays."""
    spans = []
    for function in ast.walk(tree):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        arguments = function.args
        for arg in arguments.posonlyargs + arguments.args + arguments.kwonlyargs + [arguments.vararg, arguments.kwarg]:
            if arg is not None and arg.annotation is not None and arg.lineno == arg.annotation.end_lineno:
                spans.append((arg.lineno - 1, arg.col_offset + len(arg.arg.encode("utf-8")), arg.annotation.end_col_offset))
        returns = function.returns
        if returns is not None and returns.lineno == returns.end_lineno:
            line = lines[returns.lineno - 1].encode("utf-8")
            arrow = line.rfind(b"->", 0, returns.col_offset)
            if arrow >= 0:
                spans.append((returns.lineno - 1, len(line[:arrow].rstrip()), returns.end_col_offset))
        for statement in function.body:
            for node in ast.walk(statement):
                if (isinstance(node, ast.AnnAssign) and node.value is not None
                        and node.target.end_lineno == node.annotation.end_lineno):
                    spans.append((node.target.lineno - 1, node.target.end_col_offset, node.annotation.end_col_offset))
    return spans


_DOCUMENTED = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)


def python_fix(setting: str = INTERPRETER_SETTING) -> str:
    """What to do when the host's Python cannot run the payload; ``setting`` names where the interpreter is set."""
    return "set %s for this host, or run the wtsadmin.rds.python_runtime role" % setting


# Python 2 must be able to parse all of this, so that it can say it is too old instead of raising a SyntaxError.
# -E -s - with sys.path[0] removed is what -I does: no PYTHON* variables, no user site, nothing from the cwd.
# The runner's text is exec'd, not compile()d with its file name: the first compile() call of a process sets up
# Python's ast types (about 2 ms), which a task whose code all comes from the bytecode cache never needs
# otherwise; the runner's own lines show as "<string>" in a traceback. binascii rather than base64: base64 imports
# struct and more (about 1 ms on a host), binascii is what decodes underneath and skips the line breaks alike.
_BOOTSTRAP = textwrap.dedent('''\
    import sys
    if sys.path and sys.path[0] == "":
        del sys.path[0]
    if sys.version_info < (3, 9):
        import json
        sys.stdout.write(json.dumps(dict(failed=True, msg="wtsadmin.rds needs Python 3.9 or later on the host, "
            "but %s is Python %s: {fix}." % (sys.executable, sys.version.split()[0]))) + "\\n")
        sys.exit(1)
    import binascii, json, zlib
    def unpack(blob):
        return json.loads(zlib.decompress(binascii.a2b_base64(blob)).decode("utf-8"))
    payload = unpack("""
    {payload}""")
    task = unpack("""
    {task}""")
    runner = dict(__name__=payload["runner"])
    exec(payload["sources"][payload["runner"]], runner)
    sys.exit(runner["run"](payload, task))
    ''')


def pack(text: str, window_bits: int = 15) -> str:
    """``text`` compressed and base64-encoded, in lines of 76 characters (the bootstrap's ``unpack`` reverses it).

    ``window_bits`` 9, for a small text such as a task message: a 512-byte window and the least memory, about
    3 KB of compressor state instead of about 256 KB, whose first use costs a forked worker more than the
    compression saves (``zlib.decompress`` reads a stream of any window size)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, window_bits, 8 if window_bits == 15 else 1)
    blob = base64.b64encode(packer.compress(text.encode("utf-8")) + packer.flush()).decode("ascii")
    return "\n".join(blob[start:start + 76] for start in range(0, len(blob), 76))


@functools.lru_cache(maxsize=None)
def module_payload(module: str) -> str:
    """The packed payload of ``module`` (dotted name, ``ansible_collections.NS.NAME.plugins.modules.MODULE``, or a
    module_util with a ``main()`` of its own, such as the event stream ``plugins.module_utils._session_events``).

    It holds the module's source, the sources of every ``...plugins.module_utils.*`` of the module's
    collection that it imports, directly or through other module_utils (found by reading their import
    statements, including relative ones and those inside functions), and the runner, each without its
    comments and docstrings (and the module without its documentation), and the Windows checks of the runner's
    bytecode cache (``_cache_acl``). Built once per module per process;
    the same sources always give the same text.
    """
    utils = module.partition(".plugins.")[0] + ".plugins.module_utils."
    sources = {module: _without_documentation(_source(module)), RUNNER: _source(RUNNER), CACHE_ACL: _source(CACHE_ACL)}
    pending = [module]
    while pending:
        name = pending.pop()
        for imported in sorted(_imports(name, sources[name])):
            if imported.startswith(utils) and imported not in sources:
                source = _source(imported)
                if source:
                    sources[imported] = source
                    pending.append(imported)
    sources = {name: _for_the_host(source) for name, source in sources.items()}
    payload = {"module": module, "runner": RUNNER, "sources": sources}
    return pack(json.dumps(payload, sort_keys=True, ensure_ascii=True))


def task_message(params: dict, check_mode: bool = False, diff: bool = False, verbosity: int = 0,
                 no_log: bool = False) -> dict:
    """What the host gets of one task, as the runner's ``run(payload, task)`` reads it (see _runner.run).

    ``params``: the module's parameters as the controller validated them (every option present, types
    converted, defaults filled in); ``check_mode`` and ``diff``: the task's modes; ``verbosity``: Ansible's
    (0 to 6); ``no_log``: the task's, so that the module's result carries no ``invocation``.
    """
    return {"params": params, "check_mode": bool(check_mode), "diff": bool(diff), "verbosity": verbosity,
            "no_log": bool(no_log)}


def program(payload: str, task: dict, setting: str = INTERPRETER_SETTING) -> bytes:
    """The Python program, as ASCII bytes, that runs a packed ``payload`` for one ``task`` (a task_message()).

    ``setting`` names where the host's Python is set, for the failure on a Python that is too old.
    """
    try:  # plain JSON takes Ansible's tagged str, int, list and dict values as they are, and costs far less
        text = json.dumps(task, sort_keys=True)
    except TypeError:  # a value only Ansible's encoder knows: a vaulted string (as its text), a date, ...
        text = json.dumps(task, cls=AnsibleJSONEncoder, vault_to_text=True, sort_keys=True)
    head, tail = program_frame(payload, setting)
    return b"".join((head, pack(text, window_bits=9).encode("ascii"), tail))


_TASK_MARK = "{task}"  # not base64, not in the bootstrap's text: where the task goes in program_frame()


@functools.lru_cache(maxsize=None)
def program_frame(payload: str, setting: str = INTERPRETER_SETTING) -> tuple[bytes, bytes]:
    """The program of ``payload`` before and after its packed task message, as ASCII bytes (program() puts the
    task between them). Made once per payload and process: the action plugin's build makes it in Ansible's main
    process, so that no worker formats and encodes the whole payload again."""
    head, _mark, tail = _BOOTSTRAP.format(fix=python_fix(setting), payload=payload, task=_TASK_MARK).partition(_TASK_MARK)
    return head.encode("ascii"), tail.encode("ascii")


# PowerShell's -EncodedCommand form, as ansible-core's powershell shell plugin writes it (its _common_args):
# the winrm (2.19 and later) and psrp connections see this prefix and run the script without encoding it
# again. Built here rather than with the shell plugin's _encode_script, which ansible-core 2.21 deprecates
# (a deprecation warning on every task and inventory run) and 2.24 removes.
ENCODED_PREFIX = "PowerShell -NoProfile -NonInteractive -ExecutionPolicy Unrestricted -EncodedCommand "


def encode_powershell(script: str) -> str:
    """``script`` as one ``PowerShell ... -EncodedCommand <base64 of UTF-16-LE>`` command, its lines stripped and
    blank lines dropped as ansible-core's shell plugin does."""
    script = "\n".join(line.strip() for line in script.splitlines() if line.strip())
    return ENCODED_PREFIX + base64.b64encode(script.encode("utf-16-le")).decode("ascii")


def remote_command(shell, interpreter: str | None, setting: str = INTERPRETER_SETTING, encoded: bool = True) -> str:
    """The one command that runs the program (given on its stdin) with Python on the host.

    ``shell`` is the connection's shell plugin; ``interpreter`` the host's Python as ``setting`` gives it
    (``ansible_python_interpreter``), or None to look for Python on the host. The PowerShell form is the shell
    plugin's own ``-EncodedCommand`` form (psrp runs it in its runspace, ssh hands it to the host's shell), or
    with ``encoded=False`` the PowerShell script itself, for a connection that encodes every command it is
    given (ansible-core's winrm before 2.19 encodes even an encoded command, which starts PowerShell twice).
    Raises ValueError for a shell of another family.
    """
    family = shell.SHELL_FAMILY
    if family in ("powershell", "cmd"):
        script = _powershell_script(interpreter, setting)
        return encode_powershell(script) if encoded else script
    if family == "sh":
        return _sh_script(interpreter, setting)
    raise ValueError("wtsadmin.rds modules run through PowerShell (winrm, psrp, ssh to Windows) or POSIX sh "
                     "(the local connection), not the %r shell of this connection." % family)


def _powershell_script(interpreter: str | None, setting: str) -> str:
    if interpreter:
        lines = ["$a = @(); $p = " + _get_command(_literal_name(interpreter))]
    else:  # the py launcher first; python.exe next, but not the Microsoft Store's "install me" alias
        lines = ["$a = @('-3'); $p = " + _get_command("py.exe"),
                 "if (-not $p) { $a = @(); $p = %s }"
                 % _get_command("python.exe", "Where-Object Path -NotLike '*\\WindowsApps\\*'")]
    failure = _powershell_quote(_missing_python(interpreter, setting, "the py launcher and python.exe"))
    # $p is the command Get-Command found, run as that object: a path string after & would be resolved
    # again, with its [ ] * ? taken as wildcards (PowerShell/PowerShell#4726). Each argument is a literal.
    arguments = " ".join(_powershell_quote(argument) for argument in PYTHON_ARGS.split())
    return "\n".join(lines + ["if (-not $p) { %s; exit 1 }" % failure,
                              "$input | & $p @a " + arguments,
                              "exit $LASTEXITCODE"])


def _literal_name(path: str) -> str:
    """PowerShell for ``path`` as a command name whose [ ] * ? match only themselves: Get-Command takes its
    -Name as a wildcard pattern, and about_Wildcards says "you can use the backtick (`) character to escape
    the wildcard character so that it is compared using the literal character value", which
    WildcardPattern.Escape does ("Escapes special characters in a string by replacing them with their escape
    codes"). A plain name would find C:\\Py[3]\\python.exe only by luck, or a C:\\Py3\\python.exe instead."""
    return "([Management.Automation.WildcardPattern]::Escape(%s))" % _powershell_quote(path)


def _get_command(name: str, *filters: str) -> str:
    """PowerShell that finds program ``name`` (a name on PATH, or _literal_name of a path): its first match that
    passes ``filters``."""
    return " | ".join(("Get-Command -Name %s -CommandType Application -ErrorAction Ignore" % name,) + filters
                      + ("Select-Object -First 1",))


def _sh_script(interpreter: str | None, setting: str) -> str:
    candidates = shlex.quote(interpreter) if interpreter else "python3 python"
    failure = shlex.quote(_missing_python(interpreter, setting, "python3 and python"))
    return 'for p in %s; do command -v "$p" >/dev/null && exec "$p" %s; done; printf "%%s\\n" %s; exit 1' % (
        candidates, PYTHON_ARGS, failure)


def _missing_python(interpreter: str | None, setting: str, looked_for: str) -> str:
    """The JSON failure printed when no Python can be started (``looked_for``: what discovery tries)."""
    if interpreter:
        msg = "The Python interpreter %s (%s) was not found on the host: %s." % (interpreter, setting, python_fix(setting))
    else:
        msg = "No Python found on the host (looked for %s on PATH): %s." % (looked_for, python_fix(setting))
    return json.dumps({"failed": True, "msg": msg})


def _powershell_quote(text: str) -> str:
    """``text`` as a PowerShell single-quoted string literal that PowerShell reads back as exactly ``text``.

    about_Quoting_Rules: in a single-quoted string "No substitution is performed", and "PowerShell treats
    smart quotation marks, also called typographic or curly quotes, as normal quotation marks for strings":
    the ASCII quote and the four Unicode single quotes (U+2018 to U+201B) end the string unless doubled. The
    python_runtime role quotes with this function too (filter wtsadmin.rds.powershell_quote)."""
    for quote in "'\u2018\u2019\u201a\u201b":
        text = text.replace(quote, quote * 2)
    return "'%s'" % text


def collection_root(name: str) -> Path:
    """The directory of the collection that dotted ``name`` (``ansible_collections.NS.NAME...``) belongs to.

    Only the collection's package is looked up (Ansible's collection loader has imported it already, to load
    the action plugin); nothing inside it is imported."""
    package = ".".join(name.split(".")[:3])
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("collection %s not found" % package)
    return Path(list(spec.submodule_search_locations)[0])


def _source(name: str) -> str | None:
    """The source text of module ``name`` of a collection, read from its file; None if ``name`` is no module
    with a source file (an attribute such as ``wts.WtsError``, a package without ``__init__.py``). Never
    imports it: packing must not run the collection's code."""
    relative = Path(*name.split(".")[3:])
    root = collection_root(name)
    for path in (root / relative.with_name(relative.name + ".py"), root / relative / "__init__.py"):
        if path.is_file():
            return importlib.util.decode_source(path.read_bytes())
    return None


def _type_checking_only(node: ast.AST) -> bool:
    """True for ``if TYPE_CHECKING:`` (or ``typing.TYPE_CHECKING``): code for type checkers, never run."""
    test = getattr(node, "test", None) if isinstance(node, ast.If) else None
    return getattr(test, "id", getattr(test, "attr", None)) == "TYPE_CHECKING"


def _for_type_checkers(tree: ast.Module) -> list[ast.stmt]:
    """The top-level statements of ``tree`` that only type checkers read: each ``if TYPE_CHECKING:`` without
    ``else``, and ``from typing import TYPE_CHECKING`` when nothing else uses the name (the host would import
    ``typing`` for nothing)."""
    blocks = [node for node in tree.body if _type_checking_only(node) and not node.orelse]
    uses = sum(1 for node in ast.walk(tree) if isinstance(node, ast.Name) and node.id == "TYPE_CHECKING")
    guards = [node for node in tree.body if isinstance(node, ast.ImportFrom) and node.module == "typing"
              and [(alias.name, alias.asname) for alias in node.names] == [("TYPE_CHECKING", None)]]
    return blocks + (guards if uses == len(blocks) else [])


def _imports(name: str, source: str) -> set[str]:
    """Every dotted name that ``source`` (module ``name``) imports, and for ``from X import y`` also ``X.y``;
    not those under ``if TYPE_CHECKING:`` (the result shapes of module_utils/_shapes.py), which never run."""
    found = set()
    pending = [ast.parse(source)]
    while pending:
        node = pending.pop()
        if _type_checking_only(node):
            pending.extend(node.orelse)
            continue
        pending.extend(ast.iter_child_nodes(node))
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = importlib.util.resolve_name("." * node.level + base, name.rpartition(".")[0])
            found.add(base)
            found.update("%s.%s" % (base, alias.name) for alias in node.names)
    return found
