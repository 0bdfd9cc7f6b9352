#!/usr/bin/env python3
"""The C ABI from Python 3 with ctypes, on the installed library: the Danish lifecycle
(create -> authorize -> ship -> hand over -> capture -> invoice -> credit note), error codes
and messages, and a host callback. Usage: abi_test.py PATH/TO/liborderengine.so
With OE_ABI_TEST_PG_URL=postgresql://… (a server) the shop is a new database there."""
import ctypes
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))

lib = ctypes.CDLL(sys.argv[1])
c_char_pp = ctypes.POINTER(ctypes.c_void_p)
lib.oe_open.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p)]
lib.oe_open.restype = ctypes.c_int
lib.oe_close.argtypes = [ctypes.c_void_p]
lib.oe_call.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p, c_char_pp]
lib.oe_call.restype = ctypes.c_int
lib.oe_errmsg.argtypes = [ctypes.c_void_p]
lib.oe_errmsg.restype = ctypes.c_char_p
lib.oe_free.argtypes = [ctypes.c_void_p]
lib.oe_version.restype = ctypes.c_char_p
PORT_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p, c_char_pp)
lib.oe_set_port.argtypes = [ctypes.c_void_p, ctypes.c_char_p, PORT_FN, ctypes.c_void_p]
libc = ctypes.CDLL(None)
libc.strdup.argtypes = [ctypes.c_char_p]
libc.strdup.restype = ctypes.c_void_p

passed = failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL:", what, file=sys.stderr)


class OrderEngineError(Exception):
    def __init__(self, code, message):
        super().__init__(f"[{code}] {message}")
        self.code, self.message = code, message


class Engine:
    def __init__(self, path=None, config=None):
        self.h = ctypes.c_void_p()
        rc = lib.oe_open(path.encode() if path else None, json.dumps(config).encode() if config else None, ctypes.byref(self.h))
        if rc:
            raise OrderEngineError(rc, lib.oe_errmsg(None).decode())

    def call(self, command, params=None):
        out = ctypes.c_void_p()
        rc = lib.oe_call(self.h, command.encode(), json.dumps(params or {}).encode(), ctypes.byref(out))
        if rc:
            raise OrderEngineError(rc, lib.oe_errmsg(self.h).decode())
        try:
            return json.loads(ctypes.string_at(out.value).decode())
        finally:
            lib.oe_free(out)

    def close(self):
        lib.oe_close(self.h)


if os.environ.get("OE_ABI_TEST_PG_URL"):
    from shopdb import fresh_postgres_database
    shop = fresh_postgres_database(os.environ["OE_ABI_TEST_PG_URL"], "oe_abi_py")
else:
    shop = None
e = Engine(shop, {"actor": "python", "simulate": True})
e.call("settings.set", {"invoice_number_start": 5001, "invoice_number_prefix": "F-",
                        "seller": {"name": "Nordisk Kaffe ApS", "address": "Vestergade 1, 8000 Aarhus C", "vat_number": "DK13585628"}})
o = e.call("order.create", {
    "customer": {"name": "Søren Kierkegaard", "email": "soren@example.dk", "language": "da"},
    "lines": [{"sku": "BOG", "name": "Enten – Eller", "qty": 1, "unit_price": 29900},
              {"sku": "KAF", "name": "Kaffe", "qty": 2, "unit_price": 17900}],
    "delivery": {"method": "shipping", "carrier": "PostNord"}})
n = o["order"]
check(o["total"] == 65700 and o["status"] == "pending_payment", o)
check(e.call("payment.authorize", {"order": n, "amount": 65700, "method": "mobilepay"})["status"] == "received", "authorized")
s = e.call("shipment.create", {"order": n})
e.call("order.set_status", {"order": n, "status": "shipped"})
try:
    e.call("payment.capture", {"order": n})
    check(False, "capture before hand-over must be refused")
except OrderEngineError as err:
    check(err.code == 4 and "on_hand_over" in err.message, err)
e.call("shipment.hand_over", {"shipment": s["shipment"]})
c = e.call("payment.capture", {"order": n})
check(c["captured"] == 65700 and c["invoice_reference"] == "F-5001", c)
inv = e.call("invoice.get", {"number": 5001})
check(inv["total_vat"] == 13140 and inv["buyer"]["name"] == "Søren Kierkegaard", inv)
cn = e.call("credit_note.create", {"order": n, "amount": 5000, "reason": "goodwill"})
check(cn["refunded"] == 5000 and cn["credits_invoice"] == 5001, cn)
check(e.call("order.get", {"order": n})["payment_state"] == "partially_refunded", "refund state")

for command, params, code in [("order.get", {"order": 404}, 1), ("order.get", {"order": "x"}, 2),
                              ("nope.nope", {}, 1), ("order.set_status", {"order": n, "status": "received"}, 4)]:
    try:
        e.call(command, params)
        check(False, f"{command} should fail")
    except OrderEngineError as err:
        check(err.code == code, f"{command}: {err}")

out = ctypes.c_void_p()
check(lib.oe_call(e.h, b"order.get", b"{\"order\":", ctypes.byref(out)) == 2 and not out.value, "malformed JSON")
check(lib.oe_call(None, b"order.get", b"{}", ctypes.byref(out)) == 8, "NULL engine is misuse")


@PORT_FN
def clock(userdata, request, response):
    response[0] = libc.strdup(b'{"now": "2027-01-01T00:00:00Z"}')
    return 0


check(lib.oe_set_port(e.h, b"clock", clock, None) == 0, "set clock port")
check(e.call("order.create", o and {"customer": {"name": "A", "email": "a@b.dk"},
                                     "lines": [{"sku": "X", "name": "X", "qty": 1, "unit_price": 100}]})["created_at"] == "2027-01-01T00:00:00Z",
      "host clock")
e.close()
check(lib.oe_version().decode() == "0.1.0", "version")
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
