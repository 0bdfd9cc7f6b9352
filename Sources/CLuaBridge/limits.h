/*
** The limits every piece of sandboxed Lua runs under, as seen from the C functions of the
** bridge: one instruction budget and one wall-clock deadline per command or top-level
** evaluation, charged by the count hook (VM instructions) and by every bounded C function
** (work the hook never sees), and the memory cap of the allocator.
**
** Private to CLuaBridge (not installed, not exported).
*/
#ifndef OE_LUA_LIMITS_H
#define OE_LUA_LIMITS_H

#include <lua5.4/lua.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#define OE_BYTES_PER_UNIT 64   /* bytes a bounded C function copies or scans per budget unit */

struct oe_lua {
    lua_State *L;
    size_t mem_used, mem_limit;
    int64_t budget, remaining, used;
    int64_t deadline_ns;             /* CLOCK_MONOTONIC; 0 = none */
    int64_t seconds_ms;              /* the deadline's length, for messages */
    int64_t since_clock;             /* units charged since the clock was last read */
    int64_t last_hook_ns;            /* when the count hook last read the clock (0 = not yet) */
    int hook_interval;               /* instructions between hooks now (shorter while they are slow) */
    size_t alloc_since_clock;        /* bytes allocated since the clock was last read */
    int exhausted;                   /* budget spent: every instruction raises */
    int timed_out;                   /* deadline passed: every instruction raises */
    int in_hook;                     /* guards and hooks running (global assignment is an error) */
    int running;                     /* entries from the host in progress (the allocator checks the
                                     ** deadline only then) */
    volatile sig_atomic_t interrupted;
    void *host;
    int (*fn)(void *host, void *thread, int64_t fid, const char *args, size_t args_len, char **out, size_t *out_len);
};

typedef struct oe_lua oe_lua;

/* The state of a sandboxed lua_State (NULL for a state the bridge did not create). */
oe_lua *oeb_state(lua_State *L);

/* True once the budget or deadline is spent or an interrupt was asked for. */
int oeb_stopped(const oe_lua *S);

/*
** Charges `units` to the budget of the running command or evaluation and checks the deadline
** (the clock is read every 1,000 units). Raises `<fname>: instruction budget of N instructions
** exceeded` or `<fname>: deadline of N seconds exceeded` (and from then on every instruction
** raises). A state the bridge did not create is not charged.
*/
void oeb_charge(lua_State *L, int64_t units, const char *fname);

/* Raises the error of a spent limit (call only when oeb_stopped). */
int oeb_raise_stopped(lua_State *L, oe_lua *S, const char *fname);

/* Arms the count hook at 1 on L and the main thread: every further instruction raises. */
void oeb_arm_every_instruction(lua_State *L, oe_lua *S);

/* Bytes the allocator may still hand out under the cap (SIZE_MAX without a cap). */
size_t oeb_memory_left(const oe_lua *S);

/* Accounts bytes held outside Lua's allocator (encoding buffers) against the cap: returns 0
** and accounts them, or 1 (nothing accounted) when they would exceed it. */
int oeb_account(oe_lua *S, size_t bytes);
/* Gives accounted bytes back. */
void oeb_release(oe_lua *S, size_t bytes);

/* Installs the bounded libraries (sandboxlib.c, pattern.c) as the table on top of the stack
** (fields string, table, utf8, coroutine, base, and the sandbox's private helpers). */
void oeb_push_sandbox_library(lua_State *L);

/* The bounded pattern functions (pattern.c): register find, match, gmatch, gsub into the
** table at the top of the stack. */
void oeb_register_patterns(lua_State *L);

/* Raises a memory refusal: `error[nomem]: <fname>: <what> of N bytes exceeds the memory cap of M`. */
int oeb_refuse_size(lua_State *L, const char *fname, const char *what, uint64_t bytes, int overflowed);

#endif
