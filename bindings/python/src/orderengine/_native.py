"""Finds liborderengine and declares its functions for ctypes (the signatures of orderengine.h)."""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import subprocess
from typing import Optional

PORT_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p))


def _candidates(explicit: Optional[str]):
    if explicit:
        yield explicit
    env = os.environ.get("ORDERENGINE_LIB")
    if env:
        yield env
    try:
        libdir = subprocess.run(["pkg-config", "--variable=libdir", "orderengine"], capture_output=True, text=True,
                                check=True).stdout.strip()
        if libdir:
            yield os.path.join(libdir, "liborderengine.so")
    except (OSError, subprocess.CalledProcessError):
        pass
    found = ctypes.util.find_library("orderengine")
    if found:
        yield found
    yield "liborderengine.so.0"


def load(path: Optional[str] = None) -> ctypes.CDLL:
    """Loads the library (explicit path, $ORDERENGINE_LIB, pkg-config, the system path) and
    declares its functions. Raises OSError naming where it looked."""
    tried = []
    for candidate in _candidates(path):
        try:
            lib = ctypes.CDLL(candidate)
        except OSError as e:
            tried.append(f"{candidate} ({e})")
            continue
        _declare(lib)
        return lib
    raise OSError("liborderengine not found; set ORDERENGINE_LIB or install it with scripts/install-lib. Tried: "
                  + "; ".join(tried))


def _declare(lib: ctypes.CDLL) -> None:
    vp, cp, i = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int
    out = ctypes.POINTER(ctypes.c_void_p)
    for name, args, res in [
        ("oe_open", [cp, cp, out], i),
        ("oe_close", [vp], i),
        ("oe_call", [vp, cp, cp, out], i),
        ("oe_errmsg", [vp], cp),
        ("oe_errjson", [vp], cp),
        ("oe_script_load", [vp, cp], i),
        ("oe_script_eval", [vp, cp, out], i),
        ("oe_set_port", [vp, cp, PORT_FN, vp], i),
        ("oe_free", [vp], None),
        ("oe_alloc", [ctypes.c_size_t], vp),
        ("oe_version", [], cp),
        ("oe_version_number", [], i),
    ]:
        f = getattr(lib, name)
        f.argtypes = args
        f.restype = res
