"""OrderEngine for Python: orders, payments under the Danish capture rule, shipments, invoices,
credit notes and Lua workflows, through liborderengine.

    from orderengine import Engine
    with Engine("shop.sqlite") as shop:
        n = shop.call("order.create", customer={...}, lines=[...])["order"]

Every failure raises a subclass of OrderEngineError (PolicyError, ConflictError, …) carrying
``code``, ``code_name`` and ``field``.
"""
from __future__ import annotations

import ctypes
import json
import threading
import traceback
from typing import Any, Callable, Dict, Mapping, Optional, Sequence

from . import _native
from .errors import (ConflictError, InvalidError, MisuseError, NotFoundError, OrderEngineError, OutOfMemoryError,
                     PolicyError, PortError, ScriptError, StorageError, from_errjson)

__all__ = ["Engine", "Port", "OrderEngineError", "NotFoundError", "InvalidError", "ConflictError", "PolicyError",
           "ScriptError", "PortError", "StorageError", "MisuseError", "OutOfMemoryError", "library_version"]

#: A port implementation: called with the request as a dict, returns the answer as a dict
#: (see orderengine.h for each port's shape). An exception fails the port with its text.
Port = Callable[[Dict[str, Any]], Optional[Mapping[str, Any]]]

PORTS = ("payment", "carrier", "mail", "clock")

_lib: Optional[ctypes.CDLL] = None
_lib_lock = threading.Lock()


def _library(path: Optional[str] = None) -> ctypes.CDLL:
    global _lib
    with _lib_lock:
        if _lib is None:
            _lib = _native.load(path)
        return _lib


def library_version() -> str:
    """The version of the loaded liborderengine, e.g. "0.1.0"."""
    return _library().oe_version().decode()


def _answer(lib: ctypes.CDLL, text: str) -> int:
    """The text copied into memory the library frees (oe_alloc), as an address (0 if none)."""
    data = text.encode()
    p = lib.oe_alloc(len(data) + 1)
    if p:
        ctypes.memmove(p, data + b"\0", len(data) + 1)
    return p or 0


class Engine:
    """An open engine on one shop's database (``path`` None: in memory).

    Keyword options are those of oe_open's configuration: ``simulate`` (the simulated gateway,
    carrier and mailer, for tests and demos), ``workflows`` (Lua files), ``durability``,
    ``actor``, ``limits``, ``payment_gateway`` (the name effects of your payment port are
    recorded under), ``payment_partial_void`` (True: your payment port handles a void with
    ``"partial": true``; default False, none is sent). ``library`` is an explicit path to liborderengine.so.

    Thread-safety: one Engine may be used from several threads (the library serialises writes).
    Close it (or use ``with``) before its port callables go away.
    """

    def __init__(self, path: Optional[str] = None, *, simulate: bool = False, workflows: Optional[Sequence[str]] = None,
                 durability: Optional[str] = None, actor: Optional[str] = None, limits: Optional[Mapping[str, int]] = None,
                 payment_gateway: Optional[str] = None, payment_partial_void: Optional[bool] = None,
                 library: Optional[str] = None) -> None:
        self._lib = _library(library)
        self._handle = ctypes.c_void_p()
        self._ports: Dict[str, Any] = {}  # keeps the ctypes callbacks alive while set
        config: Dict[str, Any] = {}
        if simulate:
            config["simulate"] = True
        for key, value in (("workflows", list(workflows) if workflows is not None else None), ("durability", durability),
                           ("actor", actor), ("limits", dict(limits) if limits is not None else None),
                           ("payment_gateway", payment_gateway), ("payment_partial_void", payment_partial_void)):
            if value is not None:
                config[key] = value
        rc = self._lib.oe_open(path.encode() if path is not None else None,
                               json.dumps(config).encode() if config else None, ctypes.byref(self._handle))
        if rc:
            raise from_errjson(rc, self._lib.oe_errjson(None).decode())

    # -- commands -------------------------------------------------------------------------

    def call(self, command: str, /, **params: Any) -> Dict[str, Any]:
        """Runs ``command`` ("order.create", "payment.capture", …; docs/commands.md) with the
        keyword parameters and returns its result as a dict. Raises an OrderEngineError subclass."""
        return self.call_with(command, params)

    def call_with(self, command: str, params: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
        """As ``call``, with the parameters as one mapping (for keys that are not Python names)."""
        out = ctypes.c_void_p()
        rc = self._lib.oe_call(self._live(), command.encode(), json.dumps(dict(params or {})).encode(), ctypes.byref(out))
        return self._result(rc, out)

    def eval(self, lua_source: str) -> Any:
        """Runs Lua in the engine's sandbox and returns its first value (JSON-shaped)."""
        out = ctypes.c_void_p()
        rc = self._lib.oe_script_eval(self._live(), lua_source.encode(), ctypes.byref(out))
        return self._result(rc, out)

    def load(self, path: str) -> None:
        """Loads a Lua workflow file (its hooks and guards run in every later command)."""
        rc = self._lib.oe_script_load(self._live(), path.encode())
        if rc:
            raise self._error(rc)

    # -- ports ----------------------------------------------------------------------------

    def set_port(self, port: str, fn: Optional[Port]) -> None:
        """Makes the callable ``fn`` implement ``port`` ("payment", "carrier", "mail", "clock");
        None removes it. ``fn`` gets the request dict and returns the answer dict; an exception
        in it fails the port, and its text (``ValueError: …``) reaches the command's PortError.
        ``fn`` must not call this engine (that raises MisuseError inside it)."""
        if port not in PORTS:
            raise InvalidError(f"port: expected one of {', '.join(PORTS)}", "port")
        lib = self._lib
        callback = None
        if fn is not None:
            def trampoline(userdata: Any, request: bytes, response: Any) -> int:
                try:
                    answer = fn(json.loads(request.decode()))
                    response[0] = _answer(lib, json.dumps(dict(answer) if answer is not None else {}))
                    return 0
                except BaseException as e:  # noqa: BLE001 - reported to the engine, never lost
                    response[0] = _answer(lib, f"{type(e).__name__}: {e}")
                    return 1
            callback = _native.PORT_FN(trampoline)
        rc = lib.oe_set_port(self._live(), port.encode(), callback if callback is not None else _native.PORT_FN(), None)
        if rc:
            raise self._error(rc)
        if callback is not None:
            self._ports[port] = callback
        else:
            self._ports.pop(port, None)

    # -- lifetime -------------------------------------------------------------------------

    def close(self) -> None:
        """Closes the engine; waits for calls in progress on other threads. Idempotent."""
        if self._handle.value:
            self._lib.oe_close(self._handle)
            self._handle = ctypes.c_void_p()
            self._ports.clear()

    @property
    def closed(self) -> bool:
        return not self._handle.value

    def __enter__(self) -> "Engine":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            traceback.print_exc()

    # -- internals ------------------------------------------------------------------------

    def _live(self) -> ctypes.c_void_p:
        if not self._handle.value:
            raise MisuseError("the engine is closed")
        return self._handle

    def _error(self, rc: int) -> OrderEngineError:
        return from_errjson(rc, self._lib.oe_errjson(self._handle).decode())

    def _result(self, rc: int, out: ctypes.c_void_p) -> Any:
        if rc:
            raise self._error(rc)
        try:
            return json.loads(ctypes.string_at(out.value).decode())
        finally:
            self._lib.oe_free(out)
