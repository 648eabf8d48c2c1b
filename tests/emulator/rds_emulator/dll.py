"""A Windows-like ctypes surface: WinDLL objects whose exports are strict about their prototypes.

Each export is declared once (``@export``) with the parameter kinds of its real Windows x64 prototype.
A call goes through real ctypes marshalling: a CFUNCTYPE is built from the caller's declared argtypes and
restype and pointed at a Python trampoline that receives plain integers and addresses.
"""

from __future__ import annotations

import ctypes
import threading

from .errors import PrototypeError, format_error
from .structs import WCHAR

# --- parameter kinds --------------------------------------------------------------------------------


class Kind:
    """What a parameter is on Windows x64, and which ctypes declarations match it."""

    def __init__(self, name: str, pointer: bool, accepts, layout=None):
        self.name = name
        self.pointer = pointer
        self._accepts = accepts
        self.layout = layout

    def problem(self, ctype):
        """None if ctype fits, else why not."""
        return self._accepts(self, ctype)

    def __call__(self, layout):
        """The same kind, also checking the caller's structure layout against ``layout``."""
        return Kind(self.name, self.pointer, self._accepts, layout)


def _is_int(ctype, size: int) -> bool:
    return (isinstance(ctype, type) and issubclass(ctype, ctypes._SimpleCData)
            and ctype._type_ in "bBhHiIlLqQ" and ctypes.sizeof(ctype) == size)


def _is_pointer_type(ctype) -> bool:
    return isinstance(ctype, type) and issubclass(ctype, ctypes._Pointer)


def _wide_trouble(ctype):
    if ctype in (ctypes.c_wchar_p, ctypes.c_wchar) or (_is_pointer_type(ctype) and _wide_trouble(ctype._type_)):
        return "%s is 4 bytes per character on Linux, 2 on Windows; pass UTF-16LE through c_void_p" % _name(ctype)
    return None


def _name(ctype) -> str:
    return getattr(ctype, "__name__", repr(ctype))


def _int_kind(size: int):
    def accepts(kind, ctype):
        if _is_int(ctype, size):
            return None
        return "%s needs a %d-byte integer (c_uint%d/c_int%d), not %s (%s bytes here)" % (
            kind.name, size, 8 * size, 8 * size, _name(ctype), _size_or_unknown(ctype))
    return accepts


def _size_or_unknown(ctype):
    try:
        return ctypes.sizeof(ctype)
    except TypeError:
        return "?"


def _layout_problem(kind, struct_type):
    """Compare a caller's structure with the Windows layout, by size and by same-named field offsets."""
    ours = kind.layout
    if ctypes.sizeof(struct_type) != ctypes.sizeof(ours):
        return "%s is %d bytes, Windows x64 %s is %d" % (
            _name(struct_type), ctypes.sizeof(struct_type), ours.__name__, ctypes.sizeof(ours))
    for field, _ctype in ours._fields_:
        theirs, windows = getattr(struct_type, field, None), getattr(ours, field)
        if theirs is not None and (theirs.offset, theirs.size) != (windows.offset, windows.size):
            return "%s.%s is at offset %d size %d, Windows x64 has offset %d size %d" % (
                _name(struct_type), field, theirs.offset, theirs.size, windows.offset, windows.size)
    return None


def _accepts_pointer(kind, ctype):
    trouble = _wide_trouble(ctype)
    if trouble:
        return trouble
    if ctype in (ctypes.c_void_p, ctypes.c_char_p):
        return None
    if _is_pointer_type(ctype):
        target = ctype._type_
        if kind.layout is not None and isinstance(target, type) and issubclass(target, ctypes.Structure):
            return _layout_problem(kind, target)
        return None
    return "%s is a pointer: declare c_void_p, c_char_p or POINTER(...), not %s" % (kind.name, _name(ctype))


def _accepts_wide_string(kind, ctype):
    problem = _accepts_pointer(kind, ctype)
    if problem is None and _is_pointer_type(ctype) and not (
            ctype._type_ in (WCHAR, ctypes.c_char, ctypes.c_uint8, ctypes.c_int8) or _is_int(ctype._type_, 2)):
        problem = "%s points to UTF-16 code units: POINTER(%s) does not fit" % (kind.name, _name(ctype._type_))
    return problem


def _accepts_dword_pointer(kind, ctype):
    if ctype is ctypes.c_void_p:
        return None
    if _is_pointer_type(ctype) and _is_int(ctype._type_, 4):
        return None
    return "%s points to a 4-byte DWORD: declare POINTER(c_uint32) or c_void_p, not %s" % (kind.name, _name(ctype))


def _accepts_pointer_pointer(kind, ctype):
    if ctype is ctypes.c_void_p:
        return None
    if _is_pointer_type(ctype):
        target = ctype._type_
        if target is ctypes.c_void_p:
            return None
        if _is_pointer_type(target):
            inner = target._type_
            trouble = _wide_trouble(target)
            if trouble:
                return trouble
            if kind.layout is not None and isinstance(inner, type) and issubclass(inner, ctypes.Structure):
                return _layout_problem(kind, inner)
            return None
    return "%s receives a pointer: declare POINTER(c_void_p), POINTER(POINTER(...)) or c_void_p, not %s" % (
        kind.name, _name(ctype))


DWORD = Kind("DWORD", False, _int_kind(4))
USHORT = Kind("USHORT", False, _int_kind(2))
BYTE = Kind("BYTE", False, _int_kind(1))
HANDLE = Kind("HANDLE", True, _accepts_pointer)
PVOID = Kind("pointer", True, _accepts_pointer)
LPWSTR = Kind("LPWSTR", True, _accepts_wide_string)
LPSTR = Kind("LPSTR", True, _accepts_pointer)
LPDWORD = Kind("DWORD*", True, _accepts_dword_pointer)
PPVOID = Kind("pointer to a pointer", True, _accepts_pointer_pointer)
VOID = "VOID"


def _restype_problem(kind, ctype):
    if kind is VOID:
        return None if ctype is None else "returns VOID: declare restype = None, not %s" % _name(ctype)
    if kind is HANDLE:
        if ctype is ctypes.c_void_p:
            return None
        return "returns a HANDLE: declare restype = c_void_p, not %s" % _name(ctype)
    return kind.problem(ctype)


# --- the export table -----------------------------------------------------------------------------

DLL_NAMES = ("wtsapi32", "netapi32", "kernel32", "advapi32", "iphlpapi")
_DEFAULT = object()
EXPORTS = {name: {} for name in DLL_NAMES}


class Export:
    def __init__(self, dll: str, impl, restype, params, mutating: bool, status_return: bool, failure_value,
                 changes_state: bool = False):
        self.dll = dll
        self.name = impl.__name__
        self.impl = impl
        self.restype = restype
        self.params = params
        self.param_names = [name for name, _kind in params]
        self.mutating = mutating
        self.changes_state = changes_state
        self.status_return = status_return
        self.failure_value = failure_value

    def failure(self, code: int):
        """What the function returns when it fails with code."""
        if self.status_return:
            return code
        return self.failure_value


def export(dll: str, restype, *params, mutating=False, status_return=False, failure_value=_DEFAULT,
           changes_state=False):
    """Declare an emulated export: ``impl(call, *raw_args)`` with the Windows prototype given here.
    A failing call returns failure_value (default NULL/FALSE), or the error code when status_return.
    ``mutating``: it changes the host (logged in mutating_calls); ``changes_state``: it is not mutating but
    changes the emulator's state (with a state file, only such calls save it; RDS_EMULATOR_CHECK_WRITES=1
    reports an undeclared change)."""
    if failure_value is _DEFAULT:
        failure_value = None if restype in (VOID, HANDLE) else 0

    def register(impl):
        EXPORTS[dll][impl.__name__] = Export(dll, impl, restype, params, mutating, status_return,
                                             failure_value, changes_state)
        return impl
    return register


# --- last error (thread-local, like Windows) --------------------------------------------------------

_errors = threading.local()


def system_last_error() -> int:
    return getattr(_errors, "system", 0)


def set_system_last_error(code: int) -> None:
    _errors.system = code


def get_last_error() -> int:
    """ctypes.get_last_error(): the private copy ctypes keeps for use_last_error DLLs."""
    return getattr(_errors, "private", 0)


def set_last_error(code: int) -> int:
    old = get_last_error()
    _errors.private = code
    return old


def FormatError(code=None) -> str:
    return format_error(system_last_error() if code is None else code)


def WinError(code=None, descr=None):
    code = system_last_error() if code is None else code
    error = OSError(None, descr or FormatError(code), None, code)
    error.winerror = code
    return error


# --- WinDLL -----------------------------------------------------------------------------------------

_UNSET = object()
_pending = threading.local()
_current = {"emulator": None}


def current_emulator():
    emulator = _current["emulator"]
    if emulator is None:
        raise RuntimeError("rds_emulator is not installed: this DLL object outlived the emulator")
    return emulator


class Function:
    """One export of one WinDLL object, like a ctypes foreign function."""

    def __init__(self, dll, spec: Export):
        self._dll = dll
        self._spec = spec
        self.__name__ = spec.name
        self._argtypes = _UNSET
        self._restype = _UNSET
        self._pointer = None
        self._trampolines = []
        self.errcheck = None

    @property
    def argtypes(self):
        return None if self._argtypes is _UNSET else self._argtypes

    @argtypes.setter
    def argtypes(self, value):
        self._argtypes = tuple(value)
        self._pointer = None

    @property
    def restype(self):
        return ctypes.c_int if self._restype is _UNSET else self._restype

    @restype.setter
    def restype(self, value):
        self._restype = value
        self._pointer = None

    def __repr__(self):
        return "<emulated %s!%s>" % (self._spec.dll, self._spec.name)

    def __call__(self, *args):
        emulator = current_emulator()
        pointer = self._pointer  # one read: another thread may set argtypes (and reset it) meanwhile
        if pointer is None:
            pointer = self._pointer = self._compile(emulator)
        if self._dll._use_last_error:
            set_system_last_error(get_last_error())
        _pending.exception = None
        result = pointer(*args)
        exception, _pending.exception = _pending.exception, None
        if self._dll._use_last_error:
            set_last_error(system_last_error())
        if exception is not None:
            raise exception
        if self.errcheck is not None:
            return self.errcheck(result, self, args)
        return result

    def _compile(self, emulator):
        spec = self._spec
        problems = []
        if self._argtypes is _UNSET:
            problems.append("argtypes not set before the first call")
        elif len(self._argtypes) != len(spec.params):
            problems.append("argtypes has %d entries, the Windows prototype has %d parameters (%s)" % (
                len(self._argtypes), len(spec.params), ", ".join(spec.param_names)))
        else:
            for (name, kind), ctype in zip(spec.params, self._argtypes):
                problem = kind.problem(ctype)
                if problem:
                    problems.append("parameter %s: %s" % (name, problem))
        if self._restype is _UNSET:
            problems.append("restype not set before the first call")
        else:
            problem = _restype_problem(spec.restype, self._restype)
            if problem:
                problems.append("restype: " + problem)
        if problems:
            message = "%s!%s: %s" % (spec.dll, spec.name, "; ".join(problems))
            emulator.report(message)
            raise PrototypeError(message)

        lowered_args = [ctypes.c_void_p if kind.pointer else ctypes.c_uint32 if kind is DWORD else ctype
                        for (_name, kind), ctype in zip(spec.params, self._argtypes)]
        lowered_restype = {VOID: None, HANDLE: ctypes.c_void_p}.get(spec.restype, ctypes.c_uint32)
        void = spec.restype is VOID

        def trampoline(*raw):
            try:
                return current_emulator().invoke(spec, raw)
            except BaseException as exception:  # surfaced by __call__, never swallowed by ctypes
                _pending.exception = exception
                return None if void else 0

        callback = ctypes.CFUNCTYPE(lowered_restype, *lowered_args)(trampoline)
        # Kept for the life of this object: a thread may still call through an older pointer after another
        # thread set argtypes again and compiled anew.
        self._trampolines.append(callback)
        declared = ctypes.CFUNCTYPE(self._restype, *self._argtypes)
        return declared(ctypes.cast(callback, ctypes.c_void_p).value)


def _dll_key(name: str):
    base = str(name).replace("/", "\\").rsplit("\\", 1)[-1].lower()
    if base.endswith(".dll"):
        base = base[:-4]
    return base if base in EXPORTS else None


class WinDLL:
    """Stands in for ctypes.WinDLL: ``WinDLL("wtsapi32", use_last_error=True)``."""

    def __init__(self, name, mode=0, handle=None, use_errno=False, use_last_error=False, winmode=None):
        key = _dll_key(name)
        if key is None:
            raise FileNotFoundError(
                "Could not find module '%s' (or one of its dependencies). Try using the full path with "
                "constructor syntax." % name)
        self._name = name
        self._key = key
        self._use_last_error = use_last_error
        self._functions = {}

    def __repr__(self):
        return "<emulated WinDLL '%s'>" % self._name

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return self[name]

    def __getitem__(self, name):
        spec = EXPORTS[self._key].get(name)
        if spec is None:
            raise AttributeError("function '%s' not found" % name)
        current_emulator().check_export_visible(spec)
        if name not in self._functions:
            self._functions[name] = Function(self, spec)
        return self._functions[name]


# --- patching ctypes -----------------------------------------------------------------------------

PATCHES = {
    "WinDLL": WinDLL,
    "windll": ctypes.LibraryLoader(WinDLL),
    "WINFUNCTYPE": ctypes.CFUNCTYPE,
    "get_last_error": get_last_error,
    "set_last_error": set_last_error,
    "GetLastError": system_last_error,
    "FormatError": FormatError,
    "WinError": WinError,
}
_saved = {}


def patch_ctypes(emulator) -> None:
    if not _saved:
        for name in PATCHES:
            _saved[name] = getattr(ctypes, name, _UNSET)
    for name, value in PATCHES.items():
        setattr(ctypes, name, value)
    _current["emulator"] = emulator


def restore_ctypes() -> None:
    for name, value in _saved.items():
        if value is _UNSET:
            delattr(ctypes, name)
        else:
            setattr(ctypes, name, value)
    _saved.clear()
    _current["emulator"] = None


def installed_emulator():
    return _current["emulator"]
