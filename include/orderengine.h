/*
** orderengine.h — the C interface of OrderEngine, an embeddable order-processing engine for
** web shops (orders, payments under the Danish capture rule, shipments, invoices, credit
** notes, gapless numbering, Lua 5.4 workflows).
**
** This header is the contract: anything not declared here is not API. New features arrive as
** new *commands* (names passed to oe_call), never as new function signatures, so a program
** built against this header keeps working with later versions of the library.
**
** Conventions (after SQLite and libgit2):
**   - Every fallible function returns an int status: OE_OK (0) or one of the OE_* codes below.
**   - Results come back through an out-parameter, which every function sets on every path
**     (NULL on failure) whenever the pointer itself is not NULL. A string the library hands
**     out (`char **` out-parameters) belongs to the caller, who frees it with oe_free().
**   - A string the host hands to the library to keep (a port callback's answer) is allocated
**     with oe_alloc(); the library frees it. Hosts in other languages need no libc.
**   - Strings passed in are UTF-8 and NUL-terminated; the library copies what it keeps.
**   - Parameters and results of commands are JSON texts (objects). Amounts are integers in
**     minor units (øre) including VAT; VAT rates are basis points (2500 = 25 %).
**   - Misuse (a NULL handle or out-pointer, a closed engine, a call into the library from
**     inside one of its port callbacks) is answered with OE_MISUSE, never a crash. Bad input
**     is answered with OE_INVALID and a message naming the field, and never changes stored data.
**   - No simulator unless asked: an engine has no payment gateway, carrier or mailer until the
**     host sets one with oe_set_port (or opens with "simulate": true for tests and demos);
**     a command that needs a missing port fails with OE_PORT saying so.
**
** Threads: one engine handle may be used from any number of threads at once. Writes are
** serialised (one write transaction at a time, also across processes sharing a database
** file); reads run concurrently on consistent snapshots. Lua workflow hooks run inside the
** write transaction of the command that triggered them, one thread at a time.
**
** Link: cc app.c $(pkg-config --cflags --libs orderengine)
** FFI (cffi's cdef, PHP's FFI::cdef): include/orderengine_ffi.h holds these declarations
** without preprocessor lines (generated from this file by scripts/gen-ffi-header).
*/
#ifndef ORDERENGINE_H
#define ORDERENGINE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The library version this header describes: "MAJOR.MINOR.PATCH" and MAJOR*1000000 +
** MINOR*1000 + PATCH. Compare with oe_version() / oe_version_number() at run time. */
#define OE_VERSION        "0.1.0"
#define OE_VERSION_NUMBER 1000

/* Status codes. The numbers are stable; `oe call` on the command line exits with the same numbers. */
enum oe_status {
    OE_OK        = 0, /* success */
    OE_NOT_FOUND = 1, /* no such order, invoice, shipment, status or command */
    OE_INVALID   = 2, /* malformed JSON or UTF-8, wrong type, unknown field, value out of range */
    OE_CONFLICT  = 3, /* stale expected_version, concurrent change, state forbids it, key reused */
    OE_POLICY    = 4, /* a rule refused it: capture policy, status transition, cancel after capture */
    OE_SCRIPT    = 5, /* a Lua workflow failed, refused (guard), or hit its instruction budget */
    OE_PORT      = 6, /* the payment gateway, carrier, mailer or clock failed or declined */
    OE_STORAGE   = 7, /* the database failed (I/O, corrupt file, busy beyond the timeout) */
    OE_MISUSE    = 8, /* the API was used wrongly: NULL handle or out-pointer, closed engine */
    OE_NOMEM     = 9  /* out of memory (also: the Lua memory cap) */
};

/* An open engine on one shop's database. Opaque; created by oe_open, destroyed by oe_close. */
typedef struct oe_engine oe_engine;

/*
** oe_open: opens (creating and migrating if needed) the shop database at `path` and returns
** an engine in *out. `path` NULL or ":memory:" opens a private in-memory database.
**
** `config_json` may be NULL or a JSON object with any of:
**   "workflows":  ["scripts/workflows/danish.lua", ...]  Lua workflows loaded now and on every
**                 open; an error in one fails the open with OE_SCRIPT naming file:line.
**   "durability": "full" (default: a returned command survives power loss) | "normal"
**                 (survives an application crash).
**   "limits":     {"instructions": N, "memory_bytes": N}  Lua limits per command (0 = none).
**   "actor":      "shop-backend"  recorded in order timelines as who acted.
**   "simulate":   true  use the built-in simulated gateway, carrier and mailer wherever the host
**                 sets no port (tests, demos; never for real money). Default false: no ports.
**   "gateway_ledger": "/tmp/bank.sqlite"  with "simulate": the simulated gateway keeps its
**                 ledger (the bank's view, by idempotency key) in this SQLite file, shared by
**                 every process naming it (multi-process and crash tests; `oe --gateway-ledger`).
**   "payment_gateway": "nets-live"  the name under which effects sent through the host's
**                 payment port are recorded (default "host"). Only the gateway an effect was
**                 sent to resolves it: give each real gateway its own name.
**   "payment_partial_void": true  the host's payment port can release part of an
**                 authorisation and keep the rest valid (see "payment" below). Default false:
**                 no partial void is ever sent, and a lowered total's surplus stays reserved.
** Unknown keys are refused with OE_INVALID.
**
** Opening does no work that needs a port: effects a crash left pending are reconciled before
** the first write command that runs with a payment port set (set ports right after oe_open),
** and only with the gateway each was sent to; the others stay pending and payment.check
** lists them. A non-empty SQLite file that is not an OrderEngine database (SQLite
** application_id) is refused with OE_STORAGE and left unchanged.
**
** Ownership: *out belongs to the caller until oe_close. On failure *out is set to NULL (when
** out is not NULL) and the message is available from oe_errmsg(NULL) on the same thread.
** Threads: any thread.
** Errors: OE_MISUSE (out is NULL; called from a port callback), OE_INVALID (bad config or
** UTF-8), OE_STORAGE (cannot open, or "not an OrderEngine database"), OE_SCRIPT (a workflow
** failed to load), OE_NOMEM.
*/
int oe_open(const char *path, const char *config_json, oe_engine **out);

/*
** oe_close: closes the engine and frees it. Calls that arrive once oe_close began are refused
** with OE_MISUSE; oe_close then waits until every call still in progress on other threads has
** returned, together with the port callbacks it makes. When oe_close returns, no callback of
** this engine is running and none will start: the host may free its port userdata. Every
** later call with this handle returns OE_MISUSE (as long as the handle's address has not been
** reused by a later oe_open). NULL is accepted and ignored (returns OE_OK).
** Errors: OE_MISUSE (not an open engine; called from inside a port callback, which would wait
** for itself).
*/
int oe_close(oe_engine *e);

/*
** oe_call: runs one command — "order.create", "payment.capture", "order.find", … (the full list
** and every parameter: docs/commands.md) — with `params_json` (a JSON object; NULL means {}),
** and on success sets *result_json to the result, a JSON object the caller frees with oe_free.
**
** A write command runs in one transaction together with every workflow hook it triggers and
** the e-mails it queues: on any error nothing of it is stored. Payment-gateway effects are
** recorded with an idempotency key before the gateway is asked.
**
** On failure *result_json is set to NULL (when result_json is not NULL, also on misuse) and
** oe_errmsg(e) describes the error, naming the offending field ("lines[0].qty: …"); oe_errjson
** gives it as JSON with the field path.
** Threads: any thread, concurrently.
** Errors: every OE_* code; OE_MISUSE for a NULL or closed engine, NULL command or NULL
** result_json, or a call from inside a port callback; OE_INVALID for invalid UTF-8 or JSON
** (objects of at most 100,000 keys, texts of at most 64 MiB, nesting at most 256 deep);
** OE_NOT_FOUND for an unknown command; OE_PORT when the command needs a port that is not set.
*/
int oe_call(oe_engine *e, const char *command, const char *params_json, char **result_json);

/*
** oe_errmsg: the English message of the last failed call *made by this thread* on `e` (or, for
** e == NULL, of this thread's last failed oe_open or call with a NULL/closed handle). Returns
** "" when there was none. The string belongs to the library and stays valid until this
** thread's next call on the same engine (or the engine is closed). Never returns NULL.
** Threads: any thread; each thread sees its own last error. May be called from a callback.
*/
const char *oe_errmsg(oe_engine *e);

/*
** oe_errjson: the same last error as oe_errmsg, as a JSON object:
**   {"code": 2, "code_name": "invalid", "message": "lines[0].qty: …", "field": "lines[0].qty"}
** `code` is the OE_* number, `code_name` its name (not_found, invalid, conflict, policy, script,
** port, storage, misuse, nomem), `field` the parameter path or null. Without an error:
** {"code": 0, "code_name": "ok", "message": "", "field": null}. The string belongs to the
** library, with the lifetime of oe_errmsg's. Never returns NULL. The CLI's `oe call --json`
** prints errors in the same shape.
*/
const char *oe_errjson(oe_engine *e);

/*
** oe_script_load: loads a Lua workflow file into the engine's sandbox: it runs once and
** registers hooks (oe.on) and guards (oe.before) for every later command. require() finds
** modules beside it. Not remembered across opens: list workflows in oe_open's config for that.
** Errors: OE_MISUSE (NULL or closed engine, NULL path, from a callback), OE_INVALID (cannot
** read the file), OE_SCRIPT (a Lua error; the message names file:line), OE_NOMEM.
*/
int oe_script_load(oe_engine *e, const char *path);

/*
** oe_script_eval: runs Lua source text in the engine's sandbox (the `oe` API of
** docs/lua-api.md) and sets *result_json to its first return value as JSON ("null" when it
** returns nothing); the caller frees it with oe_free. On failure *result_json is NULL (when
** result_json is not NULL).
** Errors: OE_MISUSE (NULL or closed engine, NULL argument, from a callback), OE_INVALID (invalid UTF-8), OE_SCRIPT (Lua error with traceback, or the
** instruction budget), OE_NOMEM (memory cap), or the code of a command the script let fail.
*/
int oe_script_eval(oe_engine *e, const char *lua_source, char **result_json);

/*
** A host implementation of a port. Called with the port's request as a JSON object; returns
** OE_OK and a JSON response in *response_json, allocated with oe_alloc() (the library frees
** it; malloc() is the same allocator), or any non-zero value for failure (optionally with an
** error text in *response_json, allocated the same way). *response_json is NULL on entry.
** `userdata` is the pointer given to oe_set_port, passed back unchanged as the first argument.
**
** Called on the thread of the oe_call that needs it, and:
**   "clock"   at the start of every command, inside its transaction (read or write);
**   "carrier" inside the write transaction of shipment.create (the write lock is held);
**   "mail"    inside the write transaction of outbox.deliver (the write lock is held);
**   "payment" after the command's transaction committed (no lock held), and before the first
**             write after oe_open to reconcile effects a crash left pending.
** A callback must not call into the library (except oe_alloc, oe_free, oe_errmsg, oe_errjson,
** oe_version, oe_version_number): every other oe_* function called from inside a callback
** returns OE_MISUSE. Answer the callback and make the call afterwards; do not wait inside a
** callback for another thread's call on the same engine either (it may wait for the lock the
** command holds).
**
** Requests and responses per port:
**   "payment": {"operation": "capture"|"refund"|"void", "order", "amount", "currency", "method",
**               "authorization_reference", "idempotency_key"}
**              -> {"status": "approved", "reference": "..."} | {"status": "declined", "reason": "..."}
**                 | {"status": "expired"}
**              A void carries "partial": true only when the host opened with
**              "payment_partial_void": true: release just "amount", keep the rest authorised.
**              and {"operation": "lookup", "idempotency_key"} -> one of the above, or
**                 {"status": "unknown"} when the gateway never received that key.
**              A failing callback means "outcome unknown": the engine asks "lookup" next.
**   "carrier": {"carrier", "order", "order_reference", "recipient", "address", "idempotency_key"}
**              -> {"tracking": "..."}
**   "mail":    {"id", "to", "subject", "body", "language", "order"} -> {} (any JSON object)
**   "clock":   {} -> {"now": "2026-11-28T10:00:00Z"} (or {"now": <unix seconds>})
** A failing callback (non-zero return, or a response that is not valid JSON of that shape)
** becomes an OE_PORT error of the command, which is rolled back (a payment callback's failure
** leaves the effect pending under its idempotency key); it never crashes the host.
*/
typedef int (*oe_port_fn)(void *userdata, const char *request_json, char **response_json);

/*
** oe_set_port: makes `fn` implement `port` ("payment", "carrier", "mail" or "clock") from now
** on; fn NULL removes the host's implementation (then: no port, the simulator when opened with
** "simulate": true, the system clock for "clock"). Set ports right after oe_open, before
** sharing the engine between threads: a call in progress may still use the previous one.
** Errors: OE_MISUSE (NULL or closed engine, NULL port, from a callback), OE_INVALID (unknown
** port name).
*/
int oe_set_port(oe_engine *e, const char *port, oe_port_fn fn, void *userdata);

/* oe_free: frees a string the library handed out (result JSON). NULL is ignored. */
void oe_free(void *p);

/* oe_alloc: allocates n bytes (at least 1) that the library may free: what a port callback
** returns in *response_json. Returns NULL when out of memory. */
void *oe_alloc(size_t n);

/* oe_version: the library's version, e.g. "0.1.0". Static storage; never NULL. */
const char *oe_version(void);

/* oe_version_number: MAJOR*1000000 + MINOR*1000 + PATCH of the library. */
int oe_version_number(void);

#ifdef __cplusplus
}
#endif
#endif /* ORDERENGINE_H */
