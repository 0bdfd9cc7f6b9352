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
**   - Results come back through an out-parameter. A string the library hands out
**     (`char **` out-parameters) belongs to the caller, who frees it with oe_free() — never
**     with free(): do not mix allocators.
**   - Strings passed in are UTF-8 and NUL-terminated; the library copies what it keeps.
**   - Parameters and results of commands are JSON texts (objects). Amounts are integers in
**     minor units (øre) including VAT; VAT rates are basis points (2500 = 25 %).
**   - Misuse (a NULL handle or out-pointer, a closed engine) is answered with OE_MISUSE,
**     never a crash. Bad input is answered with OE_INVALID and a message naming the field,
**     and never changes stored data.
**
** Threads: one engine handle may be used from any number of threads at once. Writes are
** serialised (one write transaction at a time, also across processes sharing a database
** file); reads run concurrently on consistent snapshots. Lua workflow hooks run inside the
** write transaction of the command that triggered them, one thread at a time.
**
** Link: cc app.c $(pkg-config --cflags --libs orderengine)
*/
#ifndef ORDERENGINE_H
#define ORDERENGINE_H

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
** Unknown keys are refused with OE_INVALID.
**
** Ownership: *out belongs to the caller until oe_close. On failure *out is set to NULL and
** the message is available from oe_errmsg(NULL) on the same thread.
** Threads: any thread.
** Errors: OE_MISUSE (out is NULL), OE_INVALID (bad config or UTF-8), OE_STORAGE (cannot open
** or not an OrderEngine database), OE_SCRIPT (a workflow failed to load), OE_NOMEM.
*/
int oe_open(const char *path, const char *config_json, oe_engine **out);

/*
** oe_close: closes the engine and frees it. Calls still running on other threads finish
** first; every later call with this handle returns OE_MISUSE (as long as the handle's address
** has not been reused by a later oe_open). NULL is accepted and ignored (returns OE_OK).
** Errors: OE_MISUSE (not an open engine).
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
** On failure *result_json is set to NULL (when result_json is not NULL) and oe_errmsg(e)
** describes the error, naming the offending field ("lines[0].qty: …").
** Threads: any thread, concurrently.
** Errors: every OE_* code; OE_MISUSE for a NULL or closed engine, NULL command or NULL
** result_json; OE_INVALID for invalid UTF-8 or JSON; OE_NOT_FOUND for an unknown command.
*/
int oe_call(oe_engine *e, const char *command, const char *params_json, char **result_json);

/*
** oe_errmsg: the English message of the last failed call *made by this thread* on `e` (or, for
** e == NULL, of this thread's last failed oe_open or call with a NULL/closed handle). Returns
** "" when there was none. The string belongs to the library and stays valid until this
** thread's next call on the same engine (or the engine is closed). Never returns NULL.
** Threads: any thread; each thread sees its own last error.
*/
const char *oe_errmsg(oe_engine *e);

/*
** oe_script_load: loads a Lua workflow file into the engine's sandbox: it runs once and
** registers hooks (oe.on) and guards (oe.before) for every later command. require() finds
** modules beside it. Not remembered across opens: list workflows in oe_open's config for that.
** Errors: OE_MISUSE, OE_INVALID (cannot read the file), OE_SCRIPT (a Lua error; the message
** names file:line), OE_NOMEM.
*/
int oe_script_load(oe_engine *e, const char *path);

/*
** oe_script_eval: runs Lua source text in the engine's sandbox (the `oe` API of
** docs/lua-api.md) and sets *result_json to its first return value as JSON ("null" when it
** returns nothing); the caller frees it with oe_free. On failure *result_json is NULL.
** Errors: OE_MISUSE, OE_INVALID (invalid UTF-8), OE_SCRIPT (Lua error with traceback, or the
** instruction budget), OE_NOMEM (memory cap), or the code of a command the script let fail.
*/
int oe_script_eval(oe_engine *e, const char *lua_source, char **result_json);

/*
** A host implementation of a port. Called with the port's request as a JSON object; returns
** OE_OK and a JSON response in *response_json, allocated with malloc() (the library frees it),
** or any non-zero value for failure (optionally with an error text in *response_json).
** `userdata` is the pointer given to oe_set_port, passed back unchanged as the first argument.
** May be called from any thread, while the engine holds its write lock: do not call back into
** the same engine from inside the callback.
**
** Requests and responses per port:
**   "payment": {"operation": "capture"|"refund"|"void", "order", "amount", "currency", "method",
**               "authorization_reference", "idempotency_key"}
**              -> {"status": "approved", "reference": "..."} | {"status": "declined", "reason": "..."}
**                 | {"status": "expired"}
**              and {"operation": "lookup", "idempotency_key"} -> one of the above, or
**                 {"status": "unknown"} when the gateway never received that key.
**              A failing callback means "outcome unknown": the engine asks "lookup" next.
**   "carrier": {"carrier", "order", "order_reference", "recipient", "address", "idempotency_key"}
**              -> {"tracking": "..."}
**   "mail":    {"id", "to", "subject", "body", "language", "order"} -> {} (any JSON object)
**   "clock":   {} -> {"now": "2026-11-28T10:00:00Z"} (or {"now": <unix seconds>})
** A failing callback (non-zero return, or a response that is not valid JSON of that shape)
** becomes an OE_PORT error of the command, which is rolled back; it never crashes the host.
*/
typedef int (*oe_port_fn)(void *userdata, const char *request_json, char **response_json);

/*
** oe_set_port: makes `fn` implement `port` ("payment", "carrier", "mail" or "clock") from now
** on; fn NULL restores the built-in simulator (or the system clock). Set ports before sharing
** the engine between threads: a call in progress may still use the previous implementation.
** Errors: OE_MISUSE (NULL or closed engine), OE_INVALID (unknown port name).
*/
int oe_set_port(oe_engine *e, const char *port, oe_port_fn fn, void *userdata);

/* oe_free: frees a string the library handed out (result JSON). NULL is ignored. */
void oe_free(void *p);

/* oe_version: the library's version, e.g. "0.1.0". Static storage; never NULL. */
const char *oe_version(void);

/* oe_version_number: MAJOR*1000000 + MINOR*1000 + PATCH of the library. */
int oe_version_number(void);

#ifdef __cplusplus
}
#endif
#endif /* ORDERENGINE_H */
