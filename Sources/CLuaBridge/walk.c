/*
** The one walk over a Lua value that both the host bridge (binary encoding for Swift) and the
** stock-Lua module (JSON for the C ABI) use: the same rules for what may cross, the same depth
** limit, and bounds on the number of values and bytes, so a table shared many times
** (`t = {t, t}` nested deep) cannot turn into an endless walk or an unbounded buffer.
*/
#include "CLuaBridge.h"

#include <lua5.4/lauxlib.h>
#include <lua5.4/lua.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    lua_State *L;
    const oe_walk_sink *sink;
    void *ud;
    const oe_walk_limits *lim;
    uint64_t nodes;
    uint64_t pending;   /* units not yet charged */
} walker;

static void visit(walker *w, int idx, int depth);

/* Counts one value (and `bytes` of string data) against the limits. */
static void count(walker *w, size_t bytes) {
    const oe_walk_limits *lim = w->lim;
    if (++w->nodes > lim->max_nodes) {
        oe_lua_raise(w->L, "nomem", "%s: the value has more than %I parts (a table reached twice counts twice)",
                   lim->what, (LUAI_UACINT)lim->max_nodes);
    }
    w->pending += 1 + bytes / 64;
    if (lim->charge && w->pending >= 256) {
        uint64_t u = w->pending;
        w->pending = 0;
        lim->charge(w->L, (int64_t)u, lim->what);
    }
}

static void walk_table(walker *w, int idx, int depth) {
    lua_State *L = w->L;
    if (depth >= w->lim->max_depth) {
        luaL_error(L, "%s: table nested deeper than %d levels (or cyclic) cannot be passed to the engine",
                   w->lim->what, w->lim->max_depth);
    }
    luaL_checkstack(L, 4, "table too deep");
    lua_Unsigned len = lua_rawlen(L, idx);
    size_t n = 0;
    int array = 1;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        n++;
        count(w, 0);  /* the counting pass is work too */
        if (!lua_isinteger(L, -2)) array = 0;
        else {
            lua_Integer k = lua_tointeger(L, -2);
            if (k < 1 || (lua_Unsigned)k > len) array = 0;
        }
        lua_pop(L, 1);
    }
    if (n > 0xFFFFFFFFu) luaL_error(L, "%s: table too large to pass to the engine", w->lim->what);
    if (n > 0 && array && n == len) {
        w->sink->array_begin(L, w->ud, n);
        for (lua_Unsigned i = 1; i <= len; i++) {
            w->sink->element(L, w->ud, i == 1);
            lua_rawgeti(L, idx, (lua_Integer)i);
            visit(w, lua_gettop(L), depth + 1);
            lua_pop(L, 1);
        }
        w->sink->end(L, w->ud, 1);
        return;
    }
    w->sink->object_begin(L, w->ud, n);
    int first = 1;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        if (lua_type(L, -2) != LUA_TSTRING) {
            luaL_error(L, "%s: cannot pass a table with a %s key to the engine: use an array 1..n or string keys",
                       w->lim->what, luaL_typename(L, -2));
        }
        size_t kl;
        const char *k = lua_tolstring(L, -2, &kl); /* a string: no conversion, no allocation */
        count(w, kl);
        w->sink->key(L, w->ud, k, kl, first);
        first = 0;
        visit(w, lua_gettop(L), depth + 1);
        lua_pop(L, 1);
    }
    w->sink->end(L, w->ud, 0);
}

static void visit(walker *w, int idx, int depth) {
    lua_State *L = w->L;
    switch (lua_type(L, idx)) {
    case LUA_TNIL: count(w, 0); w->sink->null(L, w->ud); break;
    case LUA_TBOOLEAN: count(w, 0); w->sink->boolean(L, w->ud, lua_toboolean(L, idx)); break;
    case LUA_TNUMBER:
        count(w, 0);
        if (lua_isinteger(L, idx)) {
            w->sink->integer(L, w->ud, (int64_t)lua_tointeger(L, idx));
        } else {
            lua_Number d = lua_tonumber(L, idx);
            if (!isfinite(d)) {
                luaL_error(L, "%s: cannot pass a non-finite number (%s) to the engine", w->lim->what,
                           isnan(d) ? "nan" : d > 0 ? "inf" : "-inf");
            }
            /* A float with an exact integer value (10/2) crosses as that integer. */
            if (d == floor(d) && d >= -9.2233720368547758e18 && d < 9.2233720368547758e18) {
                w->sink->integer(L, w->ud, (int64_t)d);
            } else {
                w->sink->number(L, w->ud, d);
            }
        }
        break;
    case LUA_TSTRING: {
        size_t len;
        const char *s = lua_tolstring(L, idx, &len);
        count(w, len);
        w->sink->string(L, w->ud, s, len);
        break;
    }
    case LUA_TTABLE: count(w, 0); walk_table(w, idx, depth); break;
    case LUA_TLIGHTUSERDATA:
        if (lua_touserdata(L, idx) == NULL) { count(w, 0); w->sink->null(L, w->ud); break; } /* oe.null */
        /* fallthrough */
    default:
        luaL_error(L, "%s: cannot pass a %s value to the engine", w->lim->what, luaL_typename(L, idx));
    }
}

void oe_lua_walk(lua_State *L, int idx, const oe_walk_sink *sink, void *ud, const oe_walk_limits *lim) {
    walker w = {L, sink, ud, lim, 0, 0};
    visit(&w, lua_absindex(L, idx), 0);
    if (lim->charge && w.pending) lim->charge(L, (int64_t)w.pending, lim->what);
}

/* ---------------------------------------------------------------- the JSON sink */

static void j_add(lua_State *L, oe_json_buf *b, const char *s, size_t n) {
    if (n > b->max - b->n) {
        oe_lua_raise(L, "nomem", "%s: the JSON text would exceed %I bytes", b->what, (LUAI_UACINT)b->max);
    }
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->n + n + 1) cap *= 2;
        char *p = (char *)realloc(b->p, cap);
        if (!p) oe_lua_raise(L, "nomem", "%s: not enough memory", b->what);
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
}

static void j_str(lua_State *L, oe_json_buf *b, const char *s, size_t n) {
    j_add(L, b, "\"", 1);
    size_t run = 0;  /* bytes copied as they are, in one go */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *esc = NULL;
        char u[8];
        switch (c) {
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break;
        default:
            if (c < 0x20) {
                snprintf(u, sizeof u, "\\u%04x", c);
                esc = u;
            }
        }
        if (esc) {
            j_add(L, b, s + i - run, run);
            run = 0;
            j_add(L, b, esc, strlen(esc));
        } else {
            run++;
        }
    }
    j_add(L, b, s + n - run, run);
    j_add(L, b, "\"", 1);
}

static void j_null(lua_State *L, void *ud) { j_add(L, (oe_json_buf *)ud, "null", 4); }
static void j_bool(lua_State *L, void *ud, int v) { j_add(L, (oe_json_buf *)ud, v ? "true" : "false", v ? 4 : 5); }
static void j_int(lua_State *L, void *ud, int64_t v) {
    char num[32];
    int k = snprintf(num, sizeof num, "%lld", (long long)v);
    j_add(L, (oe_json_buf *)ud, num, (size_t)k);
}
static void j_num(lua_State *L, void *ud, double v) {
    char num[40];
    int k = snprintf(num, sizeof num, "%.17g", v);
    j_add(L, (oe_json_buf *)ud, num, (size_t)k);
}
static void j_string(lua_State *L, void *ud, const char *s, size_t n) { j_str(L, (oe_json_buf *)ud, s, n); }
static void j_abegin(lua_State *L, void *ud, size_t n) { (void)n; j_add(L, (oe_json_buf *)ud, "[", 1); }
static void j_obegin(lua_State *L, void *ud, size_t n) { (void)n; j_add(L, (oe_json_buf *)ud, "{", 1); }
static void j_key(lua_State *L, void *ud, const char *s, size_t n, int first) {
    oe_json_buf *b = (oe_json_buf *)ud;
    if (!first) j_add(L, b, ",", 1);
    j_str(L, b, s, n);
    j_add(L, b, ":", 1);
}
static void j_elem(lua_State *L, void *ud, int first) {
    if (!first) j_add(L, (oe_json_buf *)ud, ",", 1);
}
static void j_end(lua_State *L, void *ud, int is_array) { j_add(L, (oe_json_buf *)ud, is_array ? "]" : "}", 1); }

const oe_walk_sink oe_json_sink = {j_null, j_bool, j_int, j_num, j_string, j_abegin, j_obegin, j_key, j_elem, j_end};

void oe_lua_to_json(lua_State *L, int idx, oe_json_buf *b) {
    oe_walk_limits lim = {b->what, OE_WALK_MAX_DEPTH, OE_WALK_MAX_NODES, NULL};
    oe_lua_walk(L, idx, &oe_json_sink, b, &lim);
    if (b->p == NULL) j_add(L, b, "", 0);
}
