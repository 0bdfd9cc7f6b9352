"""The errors of OrderEngine: one class per status code of orderengine.h."""
from __future__ import annotations

import json
from typing import Optional


class OrderEngineError(Exception):
    """A command failed. ``code`` is the OE_* number, ``code_name`` its name, ``field`` the
    parameter path the error is about (``"lines[0].qty"``) or None; ``str(e)`` is the message."""

    code: int = 0
    code_name: str = "error"

    def __init__(self, message: str, field: Optional[str] = None, code: Optional[int] = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if code is not None:
            self.code = code


class NotFoundError(OrderEngineError):
    """No such order, invoice, shipment, status or command (OE_NOT_FOUND)."""
    code, code_name = 1, "not_found"


class InvalidError(OrderEngineError):
    """Malformed JSON, wrong type, unknown field, value out of range (OE_INVALID)."""
    code, code_name = 2, "invalid"


class ConflictError(OrderEngineError):
    """Stale version, concurrent change, state forbids it, key reused (OE_CONFLICT)."""
    code, code_name = 3, "conflict"


class PolicyError(OrderEngineError):
    """A rule refused it: capture policy, status transition, … (OE_POLICY)."""
    code, code_name = 4, "policy"


class ScriptError(OrderEngineError):
    """A Lua workflow failed, refused (guard), or hit its limits (OE_SCRIPT)."""
    code, code_name = 5, "script"


class PortError(OrderEngineError):
    """The payment gateway, carrier, mailer or clock failed, declined or is not set (OE_PORT)."""
    code, code_name = 6, "port"


class StorageError(OrderEngineError):
    """The database failed, or is not an OrderEngine database (OE_STORAGE)."""
    code, code_name = 7, "storage"


class MisuseError(OrderEngineError):
    """The API was used wrongly: closed engine, a call from inside a port callback (OE_MISUSE)."""
    code, code_name = 8, "misuse"


class OutOfMemoryError(OrderEngineError):
    """Out of memory, or the Lua memory cap (OE_NOMEM)."""
    code, code_name = 9, "nomem"


_BY_CODE = {c.code: c for c in (NotFoundError, InvalidError, ConflictError, PolicyError, ScriptError, PortError,
                                StorageError, MisuseError, OutOfMemoryError)}


def from_errjson(rc: int, text: str) -> OrderEngineError:
    """The exception for status ``rc`` and the library's oe_errjson() text."""
    try:
        j = json.loads(text)
    except ValueError:
        j = {}
    cls = _BY_CODE.get(rc, OrderEngineError)
    err = cls(j.get("message") or f"error {rc}", j.get("field"))
    if cls is OrderEngineError:
        err.code = rc
    return err
