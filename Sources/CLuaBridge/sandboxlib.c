/*
** The libraries the sandbox exposes, each function bounded by the running command's budget,
** deadline and memory cap (limits.h). Stock functions whose work is proportional to their
** input or output are wrapped to charge it; functions whose work the stock library cannot
** bound (patterns, string.rep, the table functions that loop over a length a metamethod
** claims, utf8.codes) are implemented here; the functions that run Lua code the count hook
** does not meter (xpcall's message handler, a coroutine's to-be-closed variables after a
** limit, __gc finalizers) are guarded.
*/
#include <limits.h>
#include <lua5.4/lauxlib.h>
#include <lua5.4/lua.h>
#include <lua5.4/lualib.h>
#include <stdio.h>
#include <string.h>

#include "limits.h"

#define UNITS_PER_FLUSH 256
#define STOPPED_THREADS "oe.stopped_threads"

/* ---------------------------------------------------------------- charging loops */

typedef struct {
    lua_State *L;
    const char *fname;
    int64_t units;
} meter;

static inline void tick(meter *m, int64_t n) {
    m->units += n;
    if (m->units >= UNITS_PER_FLUSH) {
        int64_t u = m->units;
        m->units = 0;
        oeb_charge(m->L, u, m->fname);
    }
}

static void meter_done(meter *m) {
    if (m->units) oeb_charge(m->L, m->units, m->fname);
    m->units = 0;
}

/* ---------------------------------------------------------------- wrapped stock functions */

enum { COST_IN = 1, COST_OUT = 2, COST_BOTH = 3 };

/* Calls the stock C function in upvalue 1 on this frame, charging one unit plus the bytes of
** its string arguments (COST_IN) before and of its string results and their number (COST_OUT)
** after. Every stock function wrapped here does work proportional to those. */
static int bounded_call(lua_State *L) {
    lua_CFunction f = lua_tocfunction(L, lua_upvalueindex(1));
    const char *name = lua_tostring(L, lua_upvalueindex(2));
    int kind = (int)lua_tointeger(L, lua_upvalueindex(3));
    int64_t units = 1;
    if (kind & COST_IN) {
        int top = lua_gettop(L);
        for (int i = 1; i <= top; i++) {
            if (lua_type(L, i) == LUA_TSTRING) units += (int64_t)(lua_rawlen(L, i) / OE_BYTES_PER_UNIT);
        }
    }
    oeb_charge(L, units, name);
    int n = f(L);
    if (kind & COST_OUT) {
        units = n;
        int top = lua_gettop(L);
        for (int i = top - n + 1; i <= top; i++) {
            if (lua_type(L, i) == LUA_TSTRING) units += (int64_t)(lua_rawlen(L, i) / OE_BYTES_PER_UNIT);
        }
        oeb_charge(L, units, name);
    }
    return n;
}

/* Replaces field `field` of the table at -1 (taken from the stock table at `from`) by its
** bounded wrapper named `name`. */
static void wrap(lua_State *L, int from, const char *field, const char *name, int kind) {
    lua_getfield(L, from, field);
    if (!lua_iscfunction(L, -1)) {
        lua_pop(L, 1);
        return;
    }
    lua_pushstring(L, name);
    lua_pushinteger(L, kind);
    lua_pushcclosure(L, bounded_call, 3);
    lua_setfield(L, -2, field);
}

/* A copy of every field of the table at `from` into a new table on top. */
static void copy_table(lua_State *L, int from) {
    from = lua_absindex(L, from);
    lua_newtable(L);
    lua_pushnil(L);
    while (lua_next(L, from)) {
        lua_pushvalue(L, -2);
        lua_insert(L, -2);
        lua_rawset(L, -4);
    }
}

/* ---------------------------------------------------------------- string.rep */

static int s_rep(lua_State *L) {
    size_t l, lsep;
    const char *s = luaL_checklstring(L, 1, &l);
    lua_Integer n = luaL_checkinteger(L, 2);
    const char *sep = luaL_optlstring(L, 3, "", &lsep);
    oeb_charge(L, 1, "string.rep");
    if (n <= 0 || (l == 0 && lsep == 0)) {
        lua_pushliteral(L, "");
        return 1;
    }
    uint64_t a, b, total;
    int over = __builtin_mul_overflow((uint64_t)n, (uint64_t)l, &a);
    over |= __builtin_mul_overflow((uint64_t)(n - 1), (uint64_t)lsep, &b);
    over |= __builtin_add_overflow(a, b, &total);
    oe_lua *S = oeb_state(L);
    size_t left = S ? oeb_memory_left(S) : SIZE_MAX;
    over |= total > (uint64_t)INT64_MAX;
    /* Lua builds the result in a buffer and then copies it: twice its size, for a moment. */
    if (!over && S && total <= S->mem_limit / 2 && total > (uint64_t)(left / 2)) {
        lua_gc(L, LUA_GCCOLLECT); /* garbage may hold the room */
        left = oeb_memory_left(S);
    }
    if (over || total > (uint64_t)(left / 2)) oeb_refuse_size(L, "string.rep", "result", total, over);
    oeb_charge(L, (int64_t)(total / OE_BYTES_PER_UNIT), "string.rep");
    luaL_Buffer buf;
    char *p = luaL_buffinitsize(L, &buf, (size_t)total);
    /* One period (s .. sep), then copies of what is written, doubling: the result is that
    ** period repeated and cut at `total`, which ends with s. */
    size_t period = l + lsep, done = l < total ? l : (size_t)total;
    memcpy(p, s, done);
    if (done < total) {
        size_t k = lsep < total - done ? lsep : (size_t)total - done;
        memcpy(p + done, sep, k);
        done += k;
    }
    (void)period;
    while (done < total) {
        size_t k = done < total - done ? done : (size_t)total - done;
        memcpy(p + done, p, k);
        done += k;
    }
    luaL_pushresultsize(&buf, (size_t)total);
    return 1;
}

/* ---------------------------------------------------------------- table */

static void check_table(lua_State *L, int i) {
    if (lua_type(L, i) == LUA_TTABLE) return;
    if (lua_getmetatable(L, i)) { /* a proxy with __index/__newindex/__len is fine, as in stock Lua */
        lua_pop(L, 1);
        return;
    }
    luaL_checktype(L, i, LUA_TTABLE);
}

static int t_concat(lua_State *L) {
    check_table(L, 1);
    size_t lsep;
    const char *sep = luaL_optlstring(L, 2, "", &lsep);
    lua_Integer i = luaL_optinteger(L, 3, 1);
    lua_Integer last = lua_isnoneornil(L, 4) ? luaL_len(L, 1) : luaL_checkinteger(L, 4);
    meter m = {L, "table.concat", 1};
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (; i <= last; i++) {
        lua_geti(L, 1, i);
        if (!lua_isstring(L, -1)) {
            return luaL_error(L, "table.concat: invalid value (at index %I) in the table (a %s)", (LUAI_UACINT)i,
                              luaL_typename(L, -1));
        }
        tick(&m, 1 + (int64_t)((lua_rawlen(L, -1) + lsep) / OE_BYTES_PER_UNIT));
        luaL_addvalue(&b);
        if (i == last) break;
        luaL_addlstring(&b, sep, lsep);
    }
    meter_done(&m);
    luaL_pushresult(&b);
    return 1;
}

static int t_insert(lua_State *L) {
    check_table(L, 1);
    lua_Integer end = (lua_Integer)((lua_Unsigned)luaL_len(L, 1) + 1u); /* first free slot */
    lua_Integer pos;
    meter m = {L, "table.insert", 1};
    switch (lua_gettop(L)) {
    case 2: pos = end; break;
    case 3:
        pos = luaL_checkinteger(L, 2);
        luaL_argcheck(L, (lua_Unsigned)pos - 1u < (lua_Unsigned)end, 2, "position out of bounds");
        for (lua_Integer i = end; i > pos; i--) { /* shift up, from the end */
            tick(&m, 1);
            lua_geti(L, 1, i - 1);
            lua_seti(L, 1, i);
        }
        break;
    default: return luaL_error(L, "table.insert: wrong number of arguments (2 or 3)");
    }
    meter_done(&m);
    lua_seti(L, 1, pos);
    return 0;
}

static int t_remove(lua_State *L) {
    check_table(L, 1);
    lua_Integer size = luaL_len(L, 1);
    lua_Integer pos = luaL_optinteger(L, 2, size);
    if (pos != size) luaL_argcheck(L, (lua_Unsigned)pos - 1u <= (lua_Unsigned)size, 2, "position out of bounds");
    meter m = {L, "table.remove", 1};
    lua_geti(L, 1, pos); /* the result */
    for (; pos < size; pos++) {
        tick(&m, 1);
        lua_geti(L, 1, pos + 1);
        lua_seti(L, 1, pos);
    }
    meter_done(&m);
    lua_pushnil(L);
    lua_seti(L, 1, pos);
    return 1;
}

static int t_move(lua_State *L) {
    lua_Integer f = luaL_checkinteger(L, 2);
    lua_Integer e = luaL_checkinteger(L, 3);
    lua_Integer t = luaL_checkinteger(L, 4);
    int dest = lua_isnoneornil(L, 5) ? 1 : 5;
    check_table(L, 1);
    check_table(L, dest);
    meter m = {L, "table.move", 1};
    if (e >= f) {
        luaL_argcheck(L, f > 0 || e < LUA_MAXINTEGER + f, 3, "too many elements to move");
        lua_Integer n = e - f + 1;
        luaL_argcheck(L, t <= LUA_MAXINTEGER - n + 1, 4, "destination wrap around");
        int forward = t > e || t <= f || (dest != 1 && !lua_compare(L, 1, dest, LUA_OPEQ));
        for (lua_Integer k = 0; k < n; k++) {
            lua_Integer i = forward ? k : n - 1 - k; /* overlapping upwards: copy from the end */
            tick(&m, 1);
            lua_geti(L, 1, f + i);
            lua_seti(L, dest, t + i);
        }
    }
    meter_done(&m);
    lua_pushvalue(L, dest);
    return 1;
}

static int t_unpack(lua_State *L) {
    lua_Integer i = luaL_optinteger(L, 2, 1);
    lua_Integer e = lua_isnoneornil(L, 3) ? luaL_len(L, 1) : luaL_checkinteger(L, 3);
    if (i > e) return 0;
    lua_Unsigned n = (lua_Unsigned)e - (lua_Unsigned)i;
    if (n >= (unsigned int)INT_MAX || !lua_checkstack(L, (int)(++n))) {
        return luaL_error(L, "table.unpack: too many results to unpack (%I)", (LUAI_UACINT)n);
    }
    oeb_charge(L, 1 + (int64_t)n, "table.unpack");
    for (; i < e; i++) lua_geti(L, 1, i);
    lua_geti(L, 1, e);
    return (int)n;
}

/* table.sort: a heapsort (no recursion, no worst case), every comparison charged. */
typedef struct {
    lua_State *L;
    int has_cmp;
    meter m;
} sorter;

static int sort_less(sorter *s, lua_Integer a, lua_Integer b) {
    lua_State *L = s->L;
    tick(&s->m, 2);
    if (s->has_cmp) {
        lua_pushvalue(L, 2);
        lua_geti(L, 1, a);
        lua_geti(L, 1, b);
        lua_call(L, 2, 1);
        int r = lua_toboolean(L, -1);
        lua_pop(L, 1);
        return r;
    }
    lua_geti(L, 1, a);
    lua_geti(L, 1, b);
    int r = lua_compare(L, -2, -1, LUA_OPLT);
    lua_pop(L, 2);
    return r;
}

static void sort_swap(sorter *s, lua_Integer a, lua_Integer b) {
    lua_State *L = s->L;
    lua_geti(L, 1, a);
    lua_geti(L, 1, b);
    lua_seti(L, 1, a);
    lua_seti(L, 1, b);
}

static void sift_down(sorter *s, lua_Integer root, lua_Integer end) {
    while (2 * root <= end) {
        lua_Integer child = 2 * root;
        if (child + 1 <= end && sort_less(s, child, child + 1)) child++;
        if (!sort_less(s, root, child)) return;
        sort_swap(s, root, child);
        root = child;
    }
}

static int t_sort(lua_State *L) {
    check_table(L, 1);
    lua_Integer n = luaL_len(L, 1);
    if (n > 1) {
        luaL_argcheck(L, n < INT_MAX, 1, "array too big");
        int has_cmp = !lua_isnoneornil(L, 2);
        if (has_cmp) luaL_checktype(L, 2, LUA_TFUNCTION);
        lua_settop(L, 2);
        luaL_checkstack(L, 6, "table.sort");
        sorter s = {L, has_cmp, {L, "table.sort", 1}};
        for (lua_Integer i = n / 2; i >= 1; i--) sift_down(&s, i, n);
        for (lua_Integer end = n; end > 1; end--) {
            sort_swap(&s, 1, end);
            sift_down(&s, 1, end - 1);
        }
        meter_done(&s.m);
    }
    return 0;
}

/* ---------------------------------------------------------------- utf8.codes */

static int is_cont(unsigned char c) { return (c & 0xC0) == 0x80; }

/* Decodes the sequence at s (len bytes available): its length, or 0 if it is not valid
** (strict: at most U+10FFFF and no surrogates; lax: up to 0x7FFFFFFF, as Lua allows). */
static size_t decode_utf8(const unsigned char *s, size_t len, int strict, lua_Integer *code) {
    static const uint32_t least[] = {0, 0x80, 0x800, 0x10000u, 0x200000u, 0x4000000u};
    unsigned c = s[0];
    if (c < 0x80) {
        *code = c;
        return 1;
    }
    int extra = c >= 0xFC ? 5 : c >= 0xF8 ? 4 : c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
    if (extra == 0 || c >= 0xFE) return 0;
    uint32_t v = c & (0x7Fu >> (extra + 1));
    for (int k = 1; k <= extra; k++) {
        if ((size_t)k >= len || !is_cont(s[k])) return 0;
        v = (v << 6) | (s[k] & 0x3Fu);
    }
    if (v < least[extra]) return 0; /* overlong */
    if (strict && (v > 0x10FFFFu || (v >= 0xD800u && v <= 0xDFFFu))) return 0;
    *code = (lua_Integer)v;
    return (size_t)extra + 1;
}

static int codes_step(lua_State *L, int strict) {
    size_t len;
    const unsigned char *s = (const unsigned char *)luaL_checklstring(L, 1, &len);
    lua_Integer prev = lua_tointeger(L, 2); /* 1-based position of the previous character, 0 at first */
    size_t i = 0;
    if (prev > 0) {
        i = (lua_Unsigned)prev >= len ? len : (size_t)prev;
        size_t from = i;
        while (i < len && is_cont(s[i])) i++; /* the rest of the previous character */
        oeb_charge(L, 1 + (int64_t)((i - from) / OE_BYTES_PER_UNIT), "utf8.codes");
    } else {
        oeb_charge(L, 1, "utf8.codes");
    }
    if (i >= len) return 0;
    lua_Integer code;
    size_t n = decode_utf8(s + i, len - i, strict, &code);
    if (n == 0) {
        return luaL_error(L, "utf8.codes: invalid UTF-8 code at byte %I", (LUAI_UACINT)(i + 1));
    }
    lua_pushinteger(L, (lua_Integer)i + 1);
    lua_pushinteger(L, code);
    return 2;
}

static int codes_strict(lua_State *L) { return codes_step(L, 1); }
static int codes_lax(lua_State *L) { return codes_step(L, 0); }

static int u_codes(lua_State *L) {
    luaL_checkstring(L, 1);
    int lax = lua_toboolean(L, 2);
    lua_pushcfunction(L, lax ? codes_lax : codes_strict);
    lua_pushvalue(L, 1);
    lua_pushinteger(L, 0);
    return 3;
}

/* ---------------------------------------------------------------- coroutines */

/* Remembers that coroutine `co` (at idx) died because a limit was spent: its pending
** to-be-closed variables must never run (Lua would run them with hooks off). */
static void mark_stopped(lua_State *L, int idx) {
    idx = lua_absindex(L, idx);
    lua_getfield(L, LUA_REGISTRYINDEX, STOPPED_THREADS);
    lua_pushvalue(L, idx);
    lua_pushboolean(L, 1);
    lua_rawset(L, -3);
    lua_pop(L, 1);
}

static int was_stopped(lua_State *L, int idx) {
    idx = lua_absindex(L, idx);
    lua_getfield(L, LUA_REGISTRYINDEX, STOPPED_THREADS);
    lua_pushvalue(L, idx);
    int r = lua_rawget(L, -2) != LUA_TNIL;
    lua_pop(L, 2);
    return r;
}

static lua_CFunction stock_resume, stock_close, stock_create, stock_setmetatable;

static int co_resume(lua_State *L) {
    oe_lua *S = oeb_state(L);
    luaL_checktype(L, 1, LUA_TTHREAD);
    if (S && oeb_stopped(S)) return oeb_raise_stopped(L, S, "coroutine.resume");
    int n = stock_resume(L); /* leaves the coroutine at 1 */
    if (S && oeb_stopped(S)) {
        mark_stopped(L, 1);
        return oeb_raise_stopped(L, S, "coroutine.resume");
    }
    return n;
}

static int co_close(lua_State *L) {
    oe_lua *S = oeb_state(L);
    luaL_checktype(L, 1, LUA_TTHREAD);
    if (S && oeb_stopped(S)) return oeb_raise_stopped(L, S, "coroutine.close");
    if (was_stopped(L, 1)) {
        lua_pushboolean(L, 0);
        lua_pushliteral(L, "coroutine.close: the coroutine was stopped by a limit; its to-be-closed variables are not run");
        return 2;
    }
    return stock_close(L);
}

/* The function coroutine.wrap returns: resumes its coroutine (upvalue 1) and returns what it
** yields; an error is raised in the caller after the coroutine's to-be-closed variables ran,
** unless a limit killed it. */
static int wrap_step(lua_State *L) {
    oe_lua *S = oeb_state(L);
    lua_State *co = lua_tothread(L, lua_upvalueindex(1));
    if (S && oeb_stopped(S)) return oeb_raise_stopped(L, S, "coroutine.wrap");
    int narg = lua_gettop(L);
    if (lua_status(co) == LUA_OK && lua_gettop(co) == 0) return luaL_error(L, "cannot resume dead coroutine");
    if (!lua_checkstack(co, narg)) return luaL_error(L, "too many arguments to resume");
    lua_xmove(L, co, narg);
    int nres = 0;
    int status = lua_resume(co, L, narg, &nres);
    if (S && oeb_stopped(S)) {
        lua_pushvalue(L, lua_upvalueindex(1));
        mark_stopped(L, -1);
        return oeb_raise_stopped(L, S, "coroutine.wrap");
    }
    if (status == LUA_OK || status == LUA_YIELD) {
        if (!lua_checkstack(L, nres + 1)) {
            lua_pop(co, nres);
            return luaL_error(L, "too many results to resume");
        }
        lua_xmove(co, L, nres);
        return nres;
    }
    lua_xmove(co, L, 1); /* the error */
    if (lua_resetthread(co) != LUA_OK) { /* a __close failed: its error wins */
        lua_pop(L, 1);
        lua_xmove(co, L, 1);
    }
    if (S && oeb_stopped(S)) return oeb_raise_stopped(L, S, "coroutine.wrap");
    if (lua_type(L, -1) == LUA_TSTRING) { /* add the position, as Lua's wrap does */
        luaL_where(L, 1);
        lua_insert(L, -2);
        lua_concat(L, 2);
    }
    return lua_error(L);
}

static int co_wrap(lua_State *L) {
    stock_create(L);
    lua_pushcclosure(L, wrap_step, 1);
    return 1;
}

/* ---------------------------------------------------------------- base functions */

/* xpcall's message handler: the user's handler (upvalue 1) runs only while no limit is spent;
** a budget or deadline error is passed on unchanged (Lua would run the handler of an error
** raised by the count hook with hooks off). */
static int guarded_handler(lua_State *L) {
    oe_lua *S = oeb_state(L);
    if (S && oeb_stopped(S)) return 1;
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

static int finish_xpcall(lua_State *L, int status, lua_KContext extra) {
    if (status != LUA_OK && status != LUA_YIELD) {
        lua_pushboolean(L, 0);
        lua_pushvalue(L, -2);
        return 2;
    }
    return lua_gettop(L) - (int)extra;
}

static int b_xpcall(lua_State *L) {
    int n = lua_gettop(L);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    oe_lua *S = oeb_state(L);
    if (S && oeb_stopped(S)) return oeb_raise_stopped(L, S, "xpcall");
    lua_pushvalue(L, 2);
    lua_pushcclosure(L, guarded_handler, 1);
    lua_replace(L, 2);     /* f, handler, args... */
    lua_pushboolean(L, 1); /* the first result when all goes well */
    lua_pushvalue(L, 1);
    lua_rotate(L, 3, 2);   /* f, handler, true, f, args... */
    int status = lua_pcallk(L, n - 2, LUA_MULTRET, 2, 2, finish_xpcall);
    return finish_xpcall(L, status, 2);
}

static int b_setmetatable(lua_State *L) {
    if (lua_type(L, 2) == LUA_TTABLE) {
        lua_pushliteral(L, "__gc");
        if (lua_rawget(L, 2) != LUA_TNIL) { /* raw, as the collector looks */
            return luaL_error(L, "setmetatable: a __gc metamethod is not allowed in the sandbox (finalizers run outside "
                                 "the instruction budget and the command's transaction)");
        }
    }
    return stock_setmetatable(L);
}

/* ---------------------------------------------------------------- sandbox helpers for the prelude */

/* charge(bytes, name): charges the cost of handling `bytes` bytes of source (load). */
static int h_charge(lua_State *L) {
    lua_Integer n = luaL_checkinteger(L, 1);
    const char *name = luaL_checkstring(L, 2);
    oeb_charge(L, 1 + (n > 0 ? (int64_t)n / 16 : 0), name);
    return 0;
}

static int h_enter(lua_State *L) {
    oe_lua *S = oeb_state(L);
    if (S) S->in_hook++;
    return 0;
}

/* The __close of the prelude's `leave`: C, so a spent budget cannot keep it from running. */
static int h_leave(lua_State *L) {
    oe_lua *S = oeb_state(L);
    if (S && S->in_hook > 0) S->in_hook--;
    return 0;
}

static int h_in_hook(lua_State *L) {
    oe_lua *S = oeb_state(L);
    lua_pushboolean(L, S && S->in_hook > 0);
    return 1;
}

/* ---------------------------------------------------------------- assembling the tables */

static lua_CFunction field_cfunction(lua_State *L, int t, const char *k) {
    lua_getfield(L, t, k);
    lua_CFunction f = lua_tocfunction(L, -1);
    lua_pop(L, 1);
    return f;
}

static void set_fn(lua_State *L, const char *k, lua_CFunction f) {
    lua_pushcfunction(L, f);
    lua_setfield(L, -2, k);
}

void oeb_push_sandbox_library(lua_State *L) {
    luaL_checkstack(L, 12, "sandbox library");
    lua_newtable(L); /* the registry's set of coroutines stopped by a limit (weak keys) */
    lua_newtable(L);
    lua_pushliteral(L, "k");
    lua_setfield(L, -2, "__mode");
    lua_setmetatable(L, -2);
    lua_setfield(L, LUA_REGISTRYINDEX, STOPPED_THREADS);

    lua_newtable(L);
    int lib = lua_gettop(L);

    /* string */
    lua_getglobal(L, "string");
    int stock = lua_gettop(L);
    copy_table(L, stock);
    lua_pushnil(L);
    lua_setfield(L, -2, "dump");
    static const char *const str_out[] = {"byte", "char", "lower", "upper", "reverse", "sub", NULL};
    for (int i = 0; str_out[i]; i++) {
        char name[32];
        snprintf(name, sizeof name, "string.%s", str_out[i]);
        wrap(L, stock, str_out[i], name, COST_OUT);
    }
    wrap(L, stock, "format", "string.format", COST_BOTH);
    wrap(L, stock, "pack", "string.pack", COST_BOTH);
    wrap(L, stock, "unpack", "string.unpack", COST_BOTH);
    wrap(L, stock, "packsize", "string.packsize", COST_IN);
    set_fn(L, "rep", s_rep);
    oeb_register_patterns(L);
    lua_setfield(L, lib, "string");
    lua_pop(L, 1);

    /* table */
    lua_getglobal(L, "table");
    stock = lua_gettop(L);
    copy_table(L, stock);
    wrap(L, stock, "pack", "table.pack", COST_OUT);
    set_fn(L, "concat", t_concat);
    set_fn(L, "insert", t_insert);
    set_fn(L, "remove", t_remove);
    set_fn(L, "move", t_move);
    set_fn(L, "sort", t_sort);
    set_fn(L, "unpack", t_unpack);
    lua_setfield(L, lib, "table");
    lua_pop(L, 1);

    /* utf8 */
    lua_getglobal(L, "utf8");
    stock = lua_gettop(L);
    copy_table(L, stock);
    wrap(L, stock, "char", "utf8.char", COST_OUT);
    wrap(L, stock, "codepoint", "utf8.codepoint", COST_OUT);
    wrap(L, stock, "len", "utf8.len", COST_IN);
    wrap(L, stock, "offset", "utf8.offset", COST_IN);
    set_fn(L, "codes", u_codes);
    lua_setfield(L, lib, "utf8");
    lua_pop(L, 1);

    /* math: every function is constant time; a copy. */
    lua_getglobal(L, "math");
    copy_table(L, -1);
    lua_setfield(L, lib, "math");
    lua_pop(L, 1);

    /* coroutine */
    lua_getglobal(L, "coroutine");
    stock = lua_gettop(L);
    stock_resume = field_cfunction(L, stock, "resume");
    stock_close = field_cfunction(L, stock, "close");
    stock_create = field_cfunction(L, stock, "create");
    copy_table(L, stock);
    set_fn(L, "resume", co_resume);
    set_fn(L, "close", co_close);
    set_fn(L, "wrap", co_wrap);
    lua_setfield(L, lib, "coroutine");
    lua_pop(L, 1);

    /* base functions that need bounds */
    lua_pushglobaltable(L);
    stock = lua_gettop(L);
    stock_setmetatable = field_cfunction(L, stock, "setmetatable");
    lua_newtable(L);
    wrap(L, stock, "tonumber", "tonumber", COST_IN);
    wrap(L, stock, "tostring", "tostring", COST_OUT);
    wrap(L, stock, "rawequal", "rawequal", COST_IN);
    set_fn(L, "xpcall", b_xpcall);
    set_fn(L, "setmetatable", b_setmetatable);
    lua_setfield(L, lib, "base");
    lua_pop(L, 1);

    /* the prelude's private helpers */
    set_fn(L, "charge", h_charge);
    set_fn(L, "hook_enter", h_enter);
    set_fn(L, "hook_leave", h_leave);
    set_fn(L, "in_hook", h_in_hook);
}
