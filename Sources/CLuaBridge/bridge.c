/*
** CLuaBridge: every Lua call that can raise lives here (see CLuaBridge.h for the why).
*/
#include "CLuaBridge.h"

#include <lua5.4/lauxlib.h>
#include <lua5.4/lua.h>
#include <lua5.4/lualib.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "limits.h"

#include <stdarg.h>
#include <time.h>

#define HOOK_INTERVAL 1000   /* instructions between budget checks */
#define OBUF_META "oe.obuf"
#define CLOCK_EVERY_BYTES (1u << 20)  /* the allocator reads the clock once per MiB it hands out */

/* ---------------------------------------------------------------- state access */

static oe_lua *state_of(lua_State *L) {
    oe_lua *S;
    memcpy(&S, lua_getextraspace(L), sizeof S);
    return S;
}

oe_lua *oeb_state(lua_State *L) { return state_of(L); }

static int64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

int oeb_stopped(const oe_lua *S) { return S->exhausted || S->timed_out || S->interrupted; }

size_t oeb_memory_left(const oe_lua *S) {
    if (!S->mem_limit) return SIZE_MAX;
    return S->mem_used >= S->mem_limit ? 0 : S->mem_limit - S->mem_used;
}

int oeb_account(oe_lua *S, size_t bytes) {
    if (S->mem_limit && bytes > oeb_memory_left(S)) return 1;
    S->mem_used += bytes;
    return 0;
}

void oeb_release(oe_lua *S, size_t bytes) { S->mem_used -= bytes < S->mem_used ? bytes : S->mem_used; }

/* Reads the clock; marks the state timed out once the deadline has passed. */
static int deadline_passed(oe_lua *S) {
    S->since_clock = 0;
    S->alloc_since_clock = 0;
    if (S->deadline_ns && !S->timed_out && now_ns() >= S->deadline_ns) S->timed_out = 1;
    return S->timed_out;
}

/* ---------------------------------------------------------------- allocator: the memory cap */

static void l_hook(lua_State *L, lua_Debug *ar);

static void *l_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
    oe_lua *S = (oe_lua *)ud;
    size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        free(ptr);
        S->mem_used -= old;
        return NULL;
    }
    if (nsize > old) {
        if (S->mem_limit && S->mem_used - old + nsize > S->mem_limit) return NULL;
        /* A single VM instruction can copy megabytes (`a .. b`): the deadline is also checked
        ** here, and the allocation that finds it passed fails (the hook then reports it). */
        S->alloc_since_clock += nsize - old;
        if (S->alloc_since_clock >= CLOCK_EVERY_BYTES && S->running && !S->timed_out && deadline_passed(S)) {
            if (S->L) lua_sethook(S->L, l_hook, LUA_MASKCOUNT, 1);
            return NULL;
        }
    }
    void *p = realloc(ptr, nsize);
    if (p) S->mem_used = S->mem_used - old + nsize;
    return p;
}

static int l_panic(lua_State *L) {
    const char *msg = lua_tostring(L, -1);
    fprintf(stderr, "orderengine: unprotected Lua error (bug): %s\n", msg ? msg : "?");
    abort();
}

/* ---------------------------------------------------------------- budget, deadline, interrupt */

void oeb_arm_every_instruction(lua_State *L, oe_lua *S) {
    lua_sethook(L, l_hook, LUA_MASKCOUNT, 1);
    if (S->L != L) lua_sethook(S->L, l_hook, LUA_MASKCOUNT, 1);
}

/* The text of a spent limit, prefixed by the function that found it (or nothing). */
static const char *stopped_message(lua_State *L, oe_lua *S, const char *fname) {
    const char *sep = fname ? ": " : "";
    if (!fname) fname = "";
    if (S->interrupted) return lua_pushfstring(L, "%s%sinterrupted", fname, sep);
    if (S->timed_out) {
        int64_t ms = S->seconds_ms;
        if (ms == 1000) return lua_pushfstring(L, "%s%sdeadline of 1 second exceeded", fname, sep);
        if (ms % 1000 == 0) return lua_pushfstring(L, "%s%sdeadline of %I seconds exceeded", fname, sep, (LUAI_UACINT)(ms / 1000));
        return lua_pushfstring(L, "%s%sdeadline of %f seconds exceeded", fname, sep, (LUAI_UACNUMBER)ms / 1000.0);
    }
    return lua_pushfstring(L, "%s%sinstruction budget of %I instructions exceeded", fname, sep, (LUAI_UACINT)S->budget);
}

int oeb_raise_stopped(lua_State *L, oe_lua *S, const char *fname) {
    oeb_arm_every_instruction(L, S);
    stopped_message(L, S, fname);
    return lua_error(L);
}

void oeb_charge(lua_State *L, int64_t units, const char *fname) {
    oe_lua *S = state_of(L);
    if (!S) return;
    if (oeb_stopped(S)) oeb_raise_stopped(L, S, fname);
    S->used += units;
    if (S->budget > 0) {
        S->remaining -= units;
        if (S->remaining <= 0) {
            S->exhausted = 1;
            oeb_raise_stopped(L, S, fname);
        }
    }
    S->since_clock += units;
    if (S->since_clock >= HOOK_INTERVAL && deadline_passed(S)) oeb_raise_stopped(L, S, fname);
}

int oe_lua_raise(lua_State *L, const char *code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    luaL_where(L, 1);
    const char *where = lua_tostring(L, -1);
    const char *msg = lua_pushvfstring(L, fmt, ap);
    va_end(ap);
    lua_pushfstring(L, "error[%s]: %s%s", code, where, msg);
    return lua_error(L);
}

int oeb_refuse_size(lua_State *L, const char *fname, const char *what, uint64_t bytes, int overflowed) {
    oe_lua *S = state_of(L);
    size_t cap = S ? S->mem_limit : 0;
    if (overflowed) {
        return oe_lua_raise(L, "nomem", "%s: %s of more than %I bytes exceeds the memory cap of %I", fname, what,
                            (LUAI_UACINT)INT64_MAX, (LUAI_UACINT)cap);
    }
    if (cap && bytes <= cap && strcmp(fname, "string.rep") == 0) {
        return oe_lua_raise(L, "nomem", "%s: %s of %I bytes (twice that while it is built) exceeds the %I bytes left under the memory cap of %I", fname,
                            what, (LUAI_UACINT)bytes, (LUAI_UACINT)oeb_memory_left(S), (LUAI_UACINT)cap);
    }
    if (cap && bytes <= cap) {
        return oe_lua_raise(L, "nomem", "%s: %s of %I bytes exceeds the %I bytes left under the memory cap of %I", fname,
                            what, (LUAI_UACINT)bytes, (LUAI_UACINT)oeb_memory_left(S), (LUAI_UACINT)cap);
    }
    return oe_lua_raise(L, "nomem", "%s: %s of %I bytes exceeds the memory cap of %I", fname, what,
                        (LUAI_UACINT)bytes, (LUAI_UACINT)cap);
}

static void l_hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    oe_lua *S = state_of(L);
    /* Re-armed at 1 once a limit is spent: a pcall that swallowed the first error cannot run one
    ** more instruction. */
    if (oeb_stopped(S)) oeb_raise_stopped(L, S, NULL);
    int step = lua_gethookcount(L);
    S->used += step;
    if (S->budget > 0) {
        S->remaining -= step;
        if (S->remaining <= 0) {
            S->exhausted = 1;
            oeb_raise_stopped(L, S, NULL);
        }
    }
    int want = HOOK_INTERVAL;
    if (S->deadline_ns) {
        int64_t t = now_ns();
        S->since_clock = 0;
        S->alloc_since_clock = 0;
        if (t >= S->deadline_ns) {
            S->timed_out = 1;
            oeb_raise_stopped(L, S, NULL);
        }
        /* Instructions that each compare or copy megabytes (`a == b` on long strings) make 1,000
        ** of them take seconds: while they are slow, the clock is read every 16. */
        int64_t took = S->last_hook_ns ? t - S->last_hook_ns : 0;
        want = S->hook_interval ? S->hook_interval : HOOK_INTERVAL;
        if (took > 20000000) want = 16;
        else if (took < 1000000 && want < HOOK_INTERVAL) want = want * 2 > HOOK_INTERVAL ? HOOK_INTERVAL : want * 2;
        S->hook_interval = want;
        S->last_hook_ns = t;
    }
    if (step != want) lua_sethook(L, l_hook, LUA_MASKCOUNT, want);
}

/* ---------------------------------------------------------------- growable output buffer */

typedef struct {
    char *p;
    size_t n, cap;
    oe_lua *S;          /* the capacity is accounted against S's memory cap */
    const char *what;   /* for errors */
} obuf;

static void obuf_free(obuf *b) {
    if (b->S) oeb_release(b->S, b->cap);
    free(b->p);
    b->p = NULL;
    b->n = b->cap = 0;
}

static int obuf_gc(lua_State *L) {
    obuf_free((obuf *)luaL_checkudata(L, 1, OBUF_META));
    return 0;
}

/* A buffer owned by a userdata on the stack, so an error while filling it leaks nothing. */
static obuf *obuf_new(lua_State *L, const char *what) {
    obuf *b = (obuf *)lua_newuserdatauv(L, sizeof(obuf), 0);
    b->p = NULL;
    b->n = b->cap = 0;
    b->S = state_of(L);
    b->what = what;
    luaL_setmetatable(L, OBUF_META);
    return b;
}

static void obuf_add(lua_State *L, obuf *b, const void *data, size_t len) {
    if (len > b->cap - b->n) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap - b->n < len) {
            if (cap > SIZE_MAX / 2) oeb_refuse_size(L, b->what, "the encoded value", 0, 1);
            cap *= 2;
        }
        /* The encoded bytes count against the memory cap like any other memory of the script. */
        if (b->S && oeb_account(b->S, cap - b->cap)) {
            lua_gc(L, LUA_GCCOLLECT); /* garbage may hold what the cap needs, as in Lua's own emergency collection */
            if (oeb_account(b->S, cap - b->cap)) oeb_refuse_size(L, b->what, "the encoded value", (uint64_t)b->n + len, 0);
        }
        char *p = (char *)realloc(b->p, cap);
        if (!p) {
            if (b->S) oeb_release(b->S, cap - b->cap);
            oe_lua_raise(L, "nomem", "%s: not enough memory", b->what);
        }
        b->p = p;
        b->cap = cap;
    }
    if (len) memcpy(b->p + b->n, data, len);
    b->n += len;
}

static void obuf_byte(lua_State *L, obuf *b, char c) { obuf_add(L, b, &c, 1); }

static void obuf_u32(lua_State *L, obuf *b, uint32_t v) {
    unsigned char x[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16), (unsigned char)(v >> 24)};
    obuf_add(L, b, x, 4);
}

static void obuf_i64(lua_State *L, obuf *b, int64_t v) {
    uint64_t u = (uint64_t)v;
    unsigned char x[8];
    for (int i = 0; i < 8; i++) x[i] = (unsigned char)(u >> (8 * i));
    obuf_add(L, b, x, 8);
}

/* Hands the bytes to the caller (malloc'd, no longer accounted) and empties the box. */
static char *obuf_take(obuf *b, size_t *len) {
    char *p = b->p;
    *len = b->n;
    if (b->S) oeb_release(b->S, b->cap);
    if (!p) {
        p = (char *)malloc(1);
        *len = 0;
    }
    b->p = NULL;
    b->n = b->cap = 0;
    return p;
}

/* ---------------------------------------------------------------- Lua -> bytes: the binary sink */

static void b_null(lua_State *L, void *ud) { obuf_byte(L, (obuf *)ud, 'n'); }
static void b_bool(lua_State *L, void *ud, int v) { obuf_byte(L, (obuf *)ud, v ? 't' : 'f'); }
static void b_int(lua_State *L, void *ud, int64_t v) {
    obuf_byte(L, (obuf *)ud, 'i');
    obuf_i64(L, (obuf *)ud, v);
}
static void b_num(lua_State *L, void *ud, double d) {
    int64_t bits;
    memcpy(&bits, &d, 8);
    obuf_byte(L, (obuf *)ud, 'd');
    obuf_i64(L, (obuf *)ud, bits);
}
static void b_bytes(lua_State *L, obuf *b, const char *s, size_t n) {
    if (n > 0xFFFFFFFFu) luaL_error(L, "%s: string too long to pass to the engine", b->what);
    obuf_u32(L, b, (uint32_t)n);
    obuf_add(L, b, s, n);
}
static void b_string(lua_State *L, void *ud, const char *s, size_t n) {
    obuf_byte(L, (obuf *)ud, 's');
    b_bytes(L, (obuf *)ud, s, n);
}
static void b_abegin(lua_State *L, void *ud, size_t n) {
    obuf_byte(L, (obuf *)ud, 'a');
    obuf_u32(L, (obuf *)ud, (uint32_t)n);
}
static void b_obegin(lua_State *L, void *ud, size_t n) {
    obuf_byte(L, (obuf *)ud, 'o');
    obuf_u32(L, (obuf *)ud, (uint32_t)n);
}
static void b_key(lua_State *L, void *ud, const char *s, size_t n, int first) {
    (void)first;
    b_bytes(L, (obuf *)ud, s, n);
}
static void b_elem(lua_State *L, void *ud, int first) { (void)L, (void)ud, (void)first; }
static void b_end(lua_State *L, void *ud, int is_array) { (void)L, (void)ud, (void)is_array; }

static const oe_walk_sink binary_sink = {b_null, b_bool, b_int, b_num, b_string, b_abegin, b_obegin, b_key, b_elem, b_end};

/* Appends the encoding of the value at idx, charged to the budget and bounded by the cap. */
static void enc_value(lua_State *L, int idx, obuf *b) {
    oe_walk_limits lim = {b->what, OE_WALK_MAX_DEPTH, OE_WALK_MAX_NODES, oeb_charge};
    oe_lua_walk(L, idx, &binary_sink, b, &lim);
}

/* ---------------------------------------------------------------- bytes -> Lua */

typedef struct {
    const unsigned char *p, *end;
} dec;

static uint32_t dec_u32(lua_State *L, dec *d) {
    if (d->end - d->p < 4) luaL_error(L, "malformed value from the engine");
    uint32_t v = (uint32_t)d->p[0] | ((uint32_t)d->p[1] << 8) | ((uint32_t)d->p[2] << 16) | ((uint32_t)d->p[3] << 24);
    d->p += 4;
    return v;
}

static int64_t dec_i64(lua_State *L, dec *d) {
    if (d->end - d->p < 8) luaL_error(L, "malformed value from the engine");
    uint64_t u = 0;
    for (int i = 0; i < 8; i++) u |= (uint64_t)d->p[i] << (8 * i);
    d->p += 8;
    return (int64_t)u;
}

static void dec_value(lua_State *L, dec *d, int depth) {
    if (depth > OE_WALK_MAX_DEPTH + 10) luaL_error(L, "value from the engine nested too deep");
    luaL_checkstack(L, 3, "value too deep");
    if (d->p >= d->end) luaL_error(L, "malformed value from the engine");
    char tag = (char)*d->p++;
    switch (tag) {
    case 'n': lua_pushlightuserdata(L, NULL); break;
    case 't': lua_pushboolean(L, 1); break;
    case 'f': lua_pushboolean(L, 0); break;
    case 'i': lua_pushinteger(L, (lua_Integer)dec_i64(L, d)); break;
    case 'd': {
        int64_t bits = dec_i64(L, d);
        double v;
        memcpy(&v, &bits, 8);
        lua_pushnumber(L, v);
        break;
    }
    case 's': {
        uint32_t n = dec_u32(L, d);
        if ((size_t)(d->end - d->p) < n) luaL_error(L, "malformed value from the engine");
        lua_pushlstring(L, (const char *)d->p, n);
        d->p += n;
        break;
    }
    case 'a': {
        uint32_t n = dec_u32(L, d);
        lua_createtable(L, (int)(n < 1024 ? n : 1024), 0);
        for (uint32_t i = 1; i <= n; i++) {
            dec_value(L, d, depth + 1);
            lua_rawseti(L, -2, i);
        }
        break;
    }
    case 'o': {
        uint32_t n = dec_u32(L, d);
        lua_createtable(L, 0, (int)(n < 1024 ? n : 1024));
        for (uint32_t i = 0; i < n; i++) {
            uint32_t kl = dec_u32(L, d);
            if ((size_t)(d->end - d->p) < kl) luaL_error(L, "malformed value from the engine");
            lua_pushlstring(L, (const char *)d->p, kl);
            d->p += kl;
            dec_value(L, d, depth + 1);
            /* JSON null fields are left out, so `order.note == nil` reads naturally. */
            if (lua_type(L, -1) == LUA_TLIGHTUSERDATA && lua_touserdata(L, -1) == NULL) lua_pop(L, 2);
            else lua_rawset(L, -3);
        }
        break;
    }
    default: luaL_error(L, "malformed value from the engine (tag %d)", (int)tag);
    }
}

/* Protected: decodes lightuserdata(bytes), integer(len) into one value. */
static int p_decode(lua_State *L) {
    dec d;
    d.p = (const unsigned char *)lua_touserdata(L, 1);
    d.end = d.p + (size_t)lua_tointeger(L, 2);
    lua_settop(L, 0);
    if (d.p == NULL || d.p == d.end) { lua_pushnil(L); return 1; }
    dec_value(L, &d, 0);
    return 1;
}

/* ---------------------------------------------------------------- command errors as tables */

#define ERROR_META "oe.error"

/* __tostring: the text commands have always raised, `error[<code_name>]: <message>`. */
static int err_tostring(lua_State *L) {
    luaL_checkstack(L, 4, "error text");
    lua_pushliteral(L, "error[");
    lua_getfield(L, 1, "code_name");
    if (!lua_isstring(L, -1)) { lua_pop(L, 1); lua_pushliteral(L, "error"); }
    lua_pushliteral(L, "]: ");
    lua_getfield(L, 1, "message");
    if (!lua_isstring(L, -1)) { lua_pop(L, 1); lua_pushliteral(L, ""); }
    lua_concat(L, 4);
    return 1;
}

/* A string method called on the error: runs on its text (`err:find("^error%[policy%]")`). */
static int err_method(lua_State *L) {
    luaL_tolstring(L, 1, NULL);
    lua_replace(L, 1);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

/* __index: the string library's functions as methods on the error's text (upvalue 1: the
** sandbox's private string table). */
static int err_index(lua_State *L) {
    if (lua_type(L, 2) != LUA_TSTRING) return 0;
    lua_pushvalue(L, 2);
    if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TFUNCTION) return 1;
    lua_pushcclosure(L, err_method, 1);
    return 1;
}

/* __concat: `"failed: " .. err` works as it did with a string. */
static int err_concat(lua_State *L) {
    luaL_tolstring(L, 1, NULL);
    luaL_tolstring(L, 2, NULL);
    lua_concat(L, 2);
    return 1;
}

/* Creates the metatable of command errors; the sandbox library table is at `lib`. */
static void open_error_meta(lua_State *L, int lib) {
    luaL_newmetatable(L, ERROR_META);
    lua_pushcfunction(L, err_tostring);
    lua_setfield(L, -2, "__tostring");
    lua_pushcfunction(L, err_concat);
    lua_setfield(L, -2, "__concat");
    lua_getfield(L, lib, "string");
    lua_pushcclosure(L, err_index, 1);
    lua_setfield(L, -2, "__index");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 1);
}

/* Protected: decodes the host's error (an object with code, code_name, message and field) into
** a table with the oe.error metatable; anything else becomes a string error. */
static int p_error(lua_State *L) {
    p_decode(L);
    if (lua_type(L, -1) == LUA_TTABLE) luaL_setmetatable(L, ERROR_META);
    else if (lua_type(L, -1) != LUA_TSTRING) {
        lua_pop(L, 1);
        lua_pushliteral(L, "error in host function");
    }
    return 1;
}

/* Protected: pushes lightuserdata(message), integer(len) as a string. */
static int p_message(lua_State *L) {
    const char *p = (const char *)lua_touserdata(L, 1);
    size_t n = (size_t)lua_tointeger(L, 2);
    lua_pushlstring(L, p ? p : "error in host function", p ? n : strlen("error in host function"));
    return 1;
}

/* ---------------------------------------------------------------- the trampoline: Lua -> host */

static const char *native_name(lua_Integer fid) {
    switch (fid) {
    case 1: return "oe.call";
    case 2: return "oe.log";
    default: return "oe";
    }
}

/* native(fid, ...): calls the host. Everything that can raise happens before the host is
** called or inside a lua_pcall after it returned; the host's buffer is freed before raising.
** The host's answer crosses with its explicit length (it may hold NUL bytes). */
static int l_native(lua_State *L) {
    oe_lua *S = state_of(L);
    lua_Integer fid = luaL_checkinteger(L, 1);
    int n = lua_gettop(L);
    luaL_checkstack(L, 8, "native call");
    if (oeb_stopped(S)) oeb_raise_stopped(L, S, native_name(fid));
    obuf *b = obuf_new(L, native_name(fid));
    obuf_byte(L, b, 'a');
    obuf_u32(L, b, (uint32_t)(n - 1));
    for (int i = 2; i <= n; i++) enc_value(L, i, b);
    char *out = NULL;
    size_t outlen = 0;
    int rc = S->fn(S->host, (void *)L, (int64_t)fid, b->p, b->n, &out, &outlen);
    obuf_free(b);
    lua_pushcfunction(L, rc == 0 ? p_decode : rc == 2 ? p_error : p_message);
    lua_pushlightuserdata(L, out);
    lua_pushinteger(L, (lua_Integer)outlen);
    int st = lua_pcall(L, 2, 1, 0);
    free(out);
    if (st != LUA_OK || rc != 0) return lua_error(L);
    /* A command the script called may have spent the script's budget or deadline. */
    if (oeb_stopped(S)) oeb_raise_stopped(L, S, native_name(fid));
    return 1;
}

/* ---------------------------------------------------------------- opening */

static int p_open(lua_State *L) {
    luaL_requiref(L, LUA_GNAME, luaopen_base, 1);
    luaL_requiref(L, LUA_COLIBNAME, luaopen_coroutine, 1);
    luaL_requiref(L, LUA_TABLIBNAME, luaopen_table, 1);
    luaL_requiref(L, LUA_STRLIBNAME, luaopen_string, 1);
    luaL_requiref(L, LUA_MATHLIBNAME, luaopen_math, 1);
    luaL_requiref(L, LUA_UTF8LIBNAME, luaopen_utf8, 1);
    lua_settop(L, 0);
    luaL_newmetatable(L, OBUF_META);
    lua_pushcfunction(L, obuf_gc);
    lua_setfield(L, -2, "__gc");
    lua_pop(L, 1);
    lua_register(L, "native", l_native);
    lua_newtable(L);
    lua_pushvalue(L, -1);
    lua_setfield(L, LUA_REGISTRYINDEX, "oe.entry"); /* the prelude drops the global */
    lua_setglobal(L, "__oe_entry");
    oeb_push_sandbox_library(L);                    /* the bounded libraries; the prelude drops it */
    open_error_meta(L, lua_gettop(L));
    lua_setglobal(L, "__oe_sandbox");
    return 0;
}

oe_lua *oe_lua_open(size_t memory_limit, void *host, oe_lua_host_fn fn) {
    oe_lua *S = (oe_lua *)calloc(1, sizeof(oe_lua));
    if (!S) return NULL;
    S->mem_limit = memory_limit;
    S->host = host;
    S->fn = fn;
    lua_State *L = lua_newstate(l_alloc, S);
    if (!L) {
        free(S);
        return NULL;
    }
    S->L = L;
    memcpy(lua_getextraspace(L), &S, sizeof S);
    lua_atpanic(L, l_panic);
    lua_sethook(L, l_hook, LUA_MASKCOUNT, HOOK_INTERVAL);
    lua_pushcfunction(L, p_open);
    if (lua_pcall(L, 0, 0, 0) != LUA_OK) {
        lua_close(L);
        free(S);
        return NULL;
    }
    return S;
}

void oe_lua_close(oe_lua *S) {
    if (!S) return;
    lua_close(S->L);  /* __gc errors are reported as warnings by Lua 5.4, never raised */
    free(S);
}

/* ---------------------------------------------------------------- host -> Lua */

typedef struct {
    const char *entry;     /* NULL: boot chunk */
    const char *args;
    size_t args_len;
    const char *chunkname;
    int status;            /* of the inner pcall */
    char *out;
    size_t out_len;
} invoke_req;

/* The message (all its bytes: it may hold NUL bytes) followed by the traceback. */
static int msgh(lua_State *L) {
    if (lua_type(L, 1) != LUA_TSTRING && lua_type(L, 1) != LUA_TNUMBER) {
        if (!(luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)) {
            lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
        }
    } else {
        lua_pushvalue(L, 1);
    }
    lua_pushliteral(L, "\n");
    luaL_traceback(L, L, NULL, 1);
    lua_concat(L, 3);
    return 1;
}

/* Protected: runs the request on L and stores the encoded result or the
** error text in req->out. Errors raised here (out of memory while encoding) reach the outer pcall. */
static int p_invoke(lua_State *L) {
    invoke_req *req = (invoke_req *)lua_touserdata(L, 1);
    lua_settop(L, 0);
    lua_State *T = L;
    luaL_checkstack(T, 8, "invoke");
    int base = lua_gettop(T);
    lua_pushcfunction(T, msgh);
    int nargs;
    if (req->entry == NULL) {
        int st = luaL_loadbufferx(T, req->args, req->args_len, req->chunkname, "t");
        if (st != LUA_OK) {
            req->status = st;
            size_t n;
            const char *m = lua_tolstring(T, -1, &n);
            obuf *b = obuf_new(L, "load");
            obuf_add(L, b, m ? m : "load failed", m ? n : 11);
            req->out = obuf_take(b, &req->out_len);
            return 0;
        }
        nargs = 0;
    } else {
        lua_getfield(T, LUA_REGISTRYINDEX, "oe.entry");
        lua_getfield(T, -1, req->entry);
        lua_remove(T, -2);
        if (lua_type(T, -1) != LUA_TFUNCTION) luaL_error(L, "no entry point '%s'", req->entry);
        lua_pushcfunction(T, p_decode);
        lua_pushlightuserdata(T, (void *)req->args);
        lua_pushinteger(T, (lua_Integer)req->args_len);
        lua_call(T, 2, 1);   /* decoded array of arguments */
        /* unpack the array */
        nargs = 0;
        if (lua_type(T, -1) == LUA_TTABLE) {
            lua_Unsigned n = lua_rawlen(T, -1);
            luaL_checkstack(T, (int)n + 4, "too many arguments");
            int arr = lua_gettop(T);
            for (lua_Unsigned i = 1; i <= n; i++) lua_rawgeti(T, arr, (lua_Integer)i);
            lua_remove(T, arr);
            nargs = (int)n;
        } else {
            lua_pop(T, 1);
        }
    }
    int st = lua_pcall(T, nargs, 1, base + 1);
    oe_lua *S = state_of(L);
    if (st == LUA_OK && oeb_stopped(S)) {
        /* The chunk returned although a limit was spent (it happened in a coroutine that
        ** then died, or in the last instructions before the next check): still a failure. */
        lua_pop(L, 1);
        stopped_message(L, S, NULL);
        st = LUA_ERRRUN;
    }
    if (st == LUA_ERRMEM && oeb_stopped(S)) {
        /* The allocator refused because the deadline had passed: say so, not "not enough memory". */
        lua_pop(L, 1);
        stopped_message(L, S, NULL);
    }
    req->status = st;
    obuf *b = obuf_new(L, "the result");
    if (st == LUA_OK) {
        enc_value(L, lua_gettop(L) - 1, b);  /* the result, below the buffer box */
    } else {
        size_t n = 0;
        const char *m = lua_type(L, -2) == LUA_TSTRING ? lua_tolstring(L, -2, &n) : NULL; /* below the box */
        if (!m) { m = st == LUA_ERRMEM ? "not enough memory" : "error"; n = strlen(m); }
        obuf_add(L, b, m, n);
    }
    req->out = obuf_take(b, &req->out_len);
    return 0;
}

static int classify(oe_lua *S, int st) {
    if (st == LUA_OK) return OE_LUA_OK;
    if (S->interrupted) return OE_LUA_ERR_INTERRUPT;
    if (S->timed_out) return OE_LUA_ERR_DEADLINE;
    if (S->exhausted) return OE_LUA_ERR_BUDGET;
    if (st == LUA_ERRMEM) return OE_LUA_ERR_MEM;
    return OE_LUA_ERR_RUN;
}

static int run_request(oe_lua *S, lua_State *L, invoke_req *req, char **out, size_t *out_len) {
    *out = NULL;
    *out_len = 0;
    int top = lua_gettop(L);
    if (!lua_checkstack(L, 4)) {
        *out = strdup("not enough memory");
        *out_len = *out ? strlen(*out) : 0;
        return OE_LUA_ERR_MEM;
    }
    lua_pushcfunction(L, p_invoke);
    lua_pushlightuserdata(L, req);
    S->running++;
    int st = lua_pcall(L, 1, 0, 0);
    S->running--;
    int rc;
    if (st != LUA_OK) {
        /* Failed outside the user's code: out of memory while encoding, or a bug. */
        free(req->out);
        req->out = NULL;
        size_t n = 0;
        const char *m = lua_type(L, -1) == LUA_TSTRING ? lua_tolstring(L, -1, &n) : NULL;
        if (!m) { m = "not enough memory"; n = strlen(m); }
        *out = (char *)malloc(n + 1);
        if (*out) {
            memcpy(*out, m, n);
            (*out)[n] = 0;
            *out_len = n;
        }
        rc = st == LUA_ERRMEM && !oeb_stopped(S) ? OE_LUA_ERR_MEM : classify(S, st);
    } else {
        *out = req->out;
        *out_len = req->out_len;
        rc = classify(S, req->status);
    }
    lua_settop(L, top);
    return rc;
}

int oe_lua_boot(oe_lua *S, const char *source, size_t len, const char *chunkname, char **out, size_t *out_len) {
    invoke_req req = {NULL, source, len, chunkname, 0, NULL, 0};
    return run_request(S, S->L, &req, out, out_len);
}

int oe_lua_invoke(oe_lua *S, void *thread, const char *entry, const char *args, size_t args_len, char **out, size_t *out_len) {
    invoke_req req = {entry, args, args_len, "=invoke", 0, NULL, 0};
    return run_request(S, thread ? (lua_State *)thread : S->L, &req, out, out_len);
}

/* ---------------------------------------------------------------- extra threads */

static int p_thread_new(lua_State *L) {
    void **slot = (void **)lua_touserdata(L, 1);
    lua_settop(L, 0);
    lua_getfield(L, LUA_REGISTRYINDEX, "oe.threads");
    if (lua_type(L, -1) != LUA_TTABLE) {
        lua_pop(L, 1);
        lua_newtable(L);
        lua_pushvalue(L, -1);
        lua_setfield(L, LUA_REGISTRYINDEX, "oe.threads");
    }
    lua_State *T = lua_newthread(L);
    lua_pushlightuserdata(L, T);
    lua_pushvalue(L, -2);
    lua_rawset(L, -4); /* threads[lightuserdata] = thread: anchored against the collector */
    *slot = T;
    return 0;
}

static int p_thread_free(lua_State *L) {
    void *t = lua_touserdata(L, 1);
    lua_getfield(L, LUA_REGISTRYINDEX, "oe.threads");
    if (lua_type(L, -1) == LUA_TTABLE) {
        lua_pushlightuserdata(L, t);
        lua_pushnil(L);
        lua_rawset(L, -3);
    }
    return 0;
}

void *oe_lua_thread_new(oe_lua *S) {
    void *t = NULL;
    lua_State *L = S->L;
    if (!lua_checkstack(L, 2)) return NULL;
    lua_pushcfunction(L, p_thread_new);
    lua_pushlightuserdata(L, &t);
    if (lua_pcall(L, 1, 0, 0) != LUA_OK) {
        lua_pop(L, 1);
        return NULL;
    }
    return t;
}

void oe_lua_thread_free(oe_lua *S, void *thread) {
    lua_State *L = S->L;
    if (!thread || !lua_checkstack(L, 2)) return;
    lua_pushcfunction(L, p_thread_free);
    lua_pushlightuserdata(L, thread);
    if (lua_pcall(L, 1, 0, 0) != LUA_OK) lua_pop(L, 1);
}

/* ---------------------------------------------------------------- limits */

void oe_lua_set_budget(oe_lua *S, int64_t instructions) {
    S->budget = instructions;
    oe_lua_reset_budget(S);
}

void oe_lua_reset_budget(oe_lua *S) {
    S->remaining = S->budget;
    S->used = 0;
    S->exhausted = 0;
    S->interrupted = 0;
    lua_sethook(S->L, l_hook, LUA_MASKCOUNT, HOOK_INTERVAL);
}

void oe_lua_set_deadline(oe_lua *S, int64_t milliseconds) {
    S->seconds_ms = milliseconds;
    S->last_hook_ns = 0;
    S->hook_interval = HOOK_INTERVAL;
    S->deadline_ns = milliseconds > 0 ? now_ns() + milliseconds * 1000000 : 0;
    S->timed_out = 0;
}

int64_t oe_lua_deadline_left(oe_lua *S) {
    if (!S->deadline_ns) return INT64_MAX;
    int64_t left = (S->deadline_ns - now_ns()) / 1000000;
    return S->timed_out || left <= 0 ? 0 : left;
}

void oe_lua_deadline_restore(oe_lua *S, int64_t left_ms, int64_t length_ms) {
    S->seconds_ms = length_ms;
    S->last_hook_ns = 0;
    S->hook_interval = HOOK_INTERVAL;
    if (left_ms == INT64_MAX) {
        S->deadline_ns = 0;
        S->timed_out = 0;
    } else {
        S->deadline_ns = now_ns() + (left_ms > 0 ? left_ms : 0) * 1000000;
        S->timed_out = left_ms <= 0;
    }
    if (S->timed_out) lua_sethook(S->L, l_hook, LUA_MASKCOUNT, 1);
}

void oe_lua_set_memory_limit(oe_lua *S, size_t bytes) { S->mem_limit = bytes; }
size_t oe_lua_memory_used(oe_lua *S) { return S->mem_used; }
void oe_lua_interrupt(oe_lua *S) { S->interrupted = 1; }
int64_t oe_lua_instructions_used(oe_lua *S) { return S->used; }

int64_t oe_lua_budget_remaining(oe_lua *S) { return S->exhausted ? 0 : S->remaining; }

void oe_lua_budget_restore(oe_lua *S, int64_t remaining) {
    S->remaining = remaining;
    S->exhausted = S->budget > 0 && remaining <= 0;
    lua_sethook(S->L, l_hook, LUA_MASKCOUNT, oeb_stopped(S) ? 1 : HOOK_INTERVAL);
}

/* ---------------------------------------------------------------- benchmark baseline */

/* Calls an empty Lua function `n` times with lua_pcallk; returns the elapsed nanoseconds
** (-1 if the function could not be created). The baseline for hook dispatch. */
int64_t oe_lua_bench_pcall(oe_lua *S, int64_t n) {
    lua_State *L = S->L;
    int top = lua_gettop(L);
    if (!lua_checkstack(L, 4)) return -1;
    if (luaL_loadbufferx(L, "", 0, "=bench", "t") != LUA_OK) {
        lua_settop(L, top);
        return -1;
    }
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (int64_t i = 0; i < n; i++) {
        lua_pushvalue(L, -1);
        if (lua_pcallk(L, 0, 0, 0, 0, NULL) != LUA_OK) lua_pop(L, 1);
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    lua_settop(L, top);
    return (int64_t)(b.tv_sec - a.tv_sec) * 1000000000 + (b.tv_nsec - a.tv_nsec);
}
