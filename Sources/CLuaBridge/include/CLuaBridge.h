/*
** CLuaBridge: the only code that touches Lua's raising API.
**
** PUC Lua reports errors with longjmp. A longjmp across Swift frames is undefined behaviour,
** so Swift never calls a Lua function that can raise. Every Swift -> Lua entry goes through
** oe_lua_invoke (a lua_pcall inside C); every Lua -> Swift call goes through one C trampoline
** that reads its arguments into a plain byte buffer, calls the Swift host, and only after the
** host returned pushes results (inside a lua_pcall, so an out-of-memory there cannot skip the
** frees) and raises the host's error.
**
** Values cross the boundary in a small tagged binary encoding (see bridge.c: oe_enc_*):
** 'n' null, 't' true, 'f' false, 'i' int64, 'd' double, 's' string, 'a' array, 'o' object.
*/
#ifndef CLUABRIDGE_H
#define CLUABRIDGE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Internal to liborderengine: not exported from the shared library (the public API is
** include/orderengine.h). */
#if defined(__GNUC__) || defined(__clang__)
#define OE_LUA_INTERNAL __attribute__((visibility("hidden")))
#else
#define OE_LUA_INTERNAL
#endif

/* An embedded, sandboxable Lua 5.4 state with an instruction budget, a deadline and a memory cap. */
typedef struct oe_lua oe_lua;

/*
** The host function Lua calls through `native(fid, ...)`. `args` is the encoded array of
** arguments after fid (valid during the call only). On success return 0 and set *out to one
** encoded value allocated with malloc (the bridge frees it). On failure return 1 and set *out
** to a malloc'd UTF-8 error message (raised in Lua as a string error), or return 2 and set
** *out to an encoded object {code, code_name, message, field?} (raised as a table whose
** __tostring gives `error[<code_name>]: <message>` and whose string methods work on that text).
** *out may stay NULL.
** `thread` is the Lua thread that called; a host that re-enters Lua during the call passes it
** to oe_lua_invoke so the nested call runs on top of the caller's stack.
** The host must not call any Lua API.
*/
typedef int (*oe_lua_host_fn)(void *host, void *thread, int64_t fid, const char *args, size_t args_len, char **out, size_t *out_len);

/* Result codes of oe_lua_invoke and oe_lua_boot. */
enum {
    OE_LUA_OK = 0,
    OE_LUA_ERR_RUN = 1,     /* a Lua runtime error (message with traceback in *out) */
    OE_LUA_ERR_MEM = 2,     /* the memory cap was reached */
    OE_LUA_ERR_BUDGET = 3,  /* the instruction budget was spent */
    OE_LUA_ERR_INTERRUPT = 4, /* oe_lua_interrupt was called */
    OE_LUA_ERR_DEADLINE = 5  /* the wall-clock deadline passed */
};

/*
** Creates a state whose allocator refuses to grow beyond `memory_limit` bytes (0 = no cap),
** with base, coroutine, table, string, math and utf8 opened and the global `native` bound to
** `fn(host, …)`. Returns NULL if the state cannot be created.
*/
OE_LUA_INTERNAL oe_lua *oe_lua_open(size_t memory_limit, void *host, oe_lua_host_fn fn);

/* Closes the state (runs __gc finalizers in protected mode) and frees everything. NULL is ignored. */
OE_LUA_INTERNAL void oe_lua_close(oe_lua *S);

/* Runs the prelude chunk (text only) with the full base library; it must register entry
** points in the global table `__oe_entry` and may then lock the globals down. */
OE_LUA_INTERNAL int oe_lua_boot(oe_lua *S, const char *source, size_t len, const char *chunkname, char **out, size_t *out_len);

/*
** Calls `__oe_entry[entry](decoded args...)` in protected mode with a traceback handler, on
** `thread` (NULL = the main thread; a thread passed to the host; or one from oe_lua_thread_new
** for an entry from another OS thread while an earlier entry is paused in a host call).
** On success *out is the encoded first result (malloc'd); on failure *out is the error message
** (malloc'd). The caller frees *out with free(). Only one OS thread may be inside the state at
** a time (the caller's lock).
*/
OE_LUA_INTERNAL int oe_lua_invoke(oe_lua *S, void *thread, const char *entry, const char *args, size_t args_len, char **out, size_t *out_len);

/* A new Lua thread (own stack, shared globals) anchored in the registry; NULL on failure. */
OE_LUA_INTERNAL void *oe_lua_thread_new(oe_lua *S);
/* Releases a thread from oe_lua_thread_new (the collector frees it). */
OE_LUA_INTERNAL void oe_lua_thread_free(oe_lua *S, void *thread);

/* Sets the instruction budget for the next top-level entries (0 = unlimited). */
OE_LUA_INTERNAL void oe_lua_set_budget(oe_lua *S, int64_t instructions);
/* Restores the full budget (called at the start of every top-level command or script). */
OE_LUA_INTERNAL void oe_lua_reset_budget(oe_lua *S);
/* What is left of the budget (to restore it after a nested command that had its own). */
OE_LUA_INTERNAL int64_t oe_lua_budget_remaining(oe_lua *S);
/* Restores a remaining budget saved with oe_lua_budget_remaining. */
OE_LUA_INTERNAL void oe_lua_budget_restore(oe_lua *S, int64_t remaining);
/* Sets the memory cap in bytes (0 = none). */
OE_LUA_INTERNAL void oe_lua_set_memory_limit(oe_lua *S, size_t bytes);
/* Bytes the state currently holds. */
OE_LUA_INTERNAL size_t oe_lua_memory_used(oe_lua *S);
/* Asks the running chunk to stop at its next instruction (async-signal-safe). */
OE_LUA_INTERNAL void oe_lua_interrupt(oe_lua *S);
/* Instructions counted since the last reset (granularity: the hook interval). */
OE_LUA_INTERNAL int64_t oe_lua_instructions_used(oe_lua *S);

/* Sets the wall-clock deadline of the next top-level entries, in milliseconds (0 = none),
** counted from now; oe_lua_set_budget and oe_lua_reset_budget do not change it. */
OE_LUA_INTERNAL void oe_lua_set_deadline(oe_lua *S, int64_t milliseconds);
/* Milliseconds left before the deadline (INT64_MAX without one; 0 once passed). */
OE_LUA_INTERNAL int64_t oe_lua_deadline_left(oe_lua *S);
/* Restores a deadline saved with oe_lua_deadline_left, with its length for messages. */
OE_LUA_INTERNAL void oe_lua_deadline_restore(oe_lua *S, int64_t left_ms, int64_t length_ms);

/* ---------------------------------------------------------------- the shared value walk */

struct lua_State;

/* What a walk over a Lua value emits, in order (see oe_lua_walk). */
typedef struct oe_walk_sink {
    void (*null)(struct lua_State *L, void *ud);
    void (*boolean)(struct lua_State *L, void *ud, int v);
    void (*integer)(struct lua_State *L, void *ud, int64_t v);
    void (*number)(struct lua_State *L, void *ud, double v);      /* finite, not integral */
    void (*string)(struct lua_State *L, void *ud, const char *s, size_t n);
    void (*array_begin)(struct lua_State *L, void *ud, size_t n);
    void (*object_begin)(struct lua_State *L, void *ud, size_t n);
    void (*key)(struct lua_State *L, void *ud, const char *s, size_t n, int first);
    void (*element)(struct lua_State *L, void *ud, int first);  /* before each array element */
    void (*end)(struct lua_State *L, void *ud, int is_array);
} oe_walk_sink;

#define OE_WALK_MAX_DEPTH 100       /* nesting of tables crossing the boundary */
#define OE_WALK_MAX_NODES 4000000   /* values in one crossing (a shared table counts each time) */

/* The bounds of one walk. `what` names the function in error messages; `charge` (may be
** NULL) is called with units of work as the walk goes (the sandbox's budget and deadline). */
typedef struct oe_walk_limits {
    const char *what;
    int max_depth;
    uint64_t max_nodes;
    void (*charge)(struct lua_State *L, int64_t units, const char *what);
} oe_walk_limits;

/*
** Walks the value at `idx` and emits it to `sink`. Raises (a Lua error; call it from a
** protected C function) on: a function, userdata or thread (`cannot pass a function value`),
** a non-finite number, a table key that is neither a string nor part of 1..n, nesting deeper
** than lim->max_depth (or a cycle), more than lim->max_nodes values. Tables are read raw.
** A float with an integral value is emitted as an integer.
*/
OE_LUA_INTERNAL void oe_lua_walk(struct lua_State *L, int idx, const oe_walk_sink *sink, void *ud, const oe_walk_limits *lim);

/* A growable JSON text (malloc'd, NUL-terminated); at most `max` bytes, `what` for errors. */
typedef struct oe_json_buf {
    char *p;
    size_t n, cap, max;
    const char *what;
} oe_json_buf;

/* The JSON form of the value at `idx` appended to `b` (the walk above; raises as it does). */
OE_LUA_INTERNAL void oe_lua_to_json(struct lua_State *L, int idx, oe_json_buf *b);

/* Raises `error[<code>]: <position><message>` (a Lua error, from a C function): the shape of
** the engine's own errors, so the host keeps the code (`nomem`, `script`, `invalid`). */
OE_LUA_INTERNAL int oe_lua_raise(struct lua_State *L, const char *code, const char *fmt, ...);

/* Benchmark baseline: `n` lua_pcallk calls of an empty Lua function; elapsed nanoseconds. */
OE_LUA_INTERNAL int64_t oe_lua_bench_pcall(oe_lua *S, int64_t n);

#ifdef __cplusplus
}
#endif
#endif
