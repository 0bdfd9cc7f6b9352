/*
** The `orderengine` Lua module, for a stock Lua 5.4 interpreter:
**
**   local oe = require "orderengine"            -- LUA_CPATH must find liborderengine.so
**   local engine = oe.open(":memory:")            -- or a file path; optional config table
**   local o = engine:call("order.create", {...})  -- tables in, tables out; failures raise
**   engine:set_port("payment", function(req) return {status = "approved", reference = "r"} end)
**   engine:close()                                -- also done by the garbage collector
**
** Built only on the public C ABI (orderengine.h). Everything that can raise happens here in
** C, before or after a call into the library, never during one, and the library's strings
** are freed before raising. Tables cross as JSON: arrays for keys 1..n, objects for string
** keys; JSON null is `orderengine.null` (a light userdata). A failed call raises
** "error[<code>]: <message>" (codes as in orderengine.h).
*/
#include "OrderEngineLua.h"

#include <lua5.4/lauxlib.h>
#include <lua5.4/lua.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../COrderEngineABI/include/orderengine.h"
#include "CLuaBridge.h"

#define ENGINE_META "orderengine.engine"
#define BUF_META "orderengine.buffer"
#define MAX_DEPTH OE_WALK_MAX_DEPTH
#define MAX_JSON_BYTES ((size_t)1 << 30)

static const char *code_names[] = {"ok", "not_found", "invalid", "conflict", "policy", "script", "port", "storage", "misuse", "nomem"};

/* ------------------------------------------------------------ Lua -> JSON: the bridge's walk */

/* A JSON buffer owned by a userdata on the stack, so an error while filling it leaks nothing.
** The walk (CLuaBridge: oe_lua_to_json) is the one the sandbox uses: the same rules for what
** may cross, the same depth limit, bounded in values and bytes. */
typedef oe_json_buf buf;

static int buf_gc(lua_State *L) {
    buf *b = (buf *)luaL_checkudata(L, 1, BUF_META);
    free(b->p);
    b->p = NULL;
    return 0;
}

static buf *buf_new(lua_State *L, const char *what) {
    buf *b = (buf *)lua_newuserdatauv(L, sizeof(buf), 0);
    memset(b, 0, sizeof *b);
    b->max = MAX_JSON_BYTES;
    b->what = what;
    luaL_setmetatable(L, BUF_META);
    return b;
}

static void enc(lua_State *L, buf *b, int idx, int depth) {
    (void)depth;
    oe_lua_to_json(L, idx, b);
}

/* ------------------------------------------------------------ JSON -> Lua (from the library) */

typedef struct {
    const char *p;
} rd;

static void ws(rd *r) {
    while (*r->p == ' ' || *r->p == '\n' || *r->p == '\t' || *r->p == '\r') r->p++;
}

static void dec(lua_State *L, rd *r, int depth);

static void dec_string(lua_State *L, rd *r) {
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    r->p++; /* opening quote */
    while (*r->p && *r->p != '"') {
        if (*r->p == '\\') {
            r->p++;
            char c = *r->p++;
            switch (c) {
            case 'n': luaL_addchar(&b, '\n'); break;
            case 'r': luaL_addchar(&b, '\r'); break;
            case 't': luaL_addchar(&b, '\t'); break;
            case 'b': luaL_addchar(&b, '\b'); break;
            case 'f': luaL_addchar(&b, '\f'); break;
            case 'u': {
                unsigned v = 0;
                for (int i = 0; i < 4 && *r->p; i++, r->p++) {
                    char h = *r->p;
                    v = v * 16 + (unsigned)(h >= 'a' ? h - 'a' + 10 : h >= 'A' ? h - 'A' + 10 : h - '0');
                }
                if (v < 0x80) luaL_addchar(&b, (char)v);
                else if (v < 0x800) { luaL_addchar(&b, (char)(0xC0 | (v >> 6))); luaL_addchar(&b, (char)(0x80 | (v & 0x3F))); }
                else { luaL_addchar(&b, (char)(0xE0 | (v >> 12))); luaL_addchar(&b, (char)(0x80 | ((v >> 6) & 0x3F))); luaL_addchar(&b, (char)(0x80 | (v & 0x3F))); }
                break;
            }
            default: luaL_addchar(&b, c);
            }
        } else {
            luaL_addchar(&b, *r->p++);
        }
    }
    if (*r->p != '"') luaL_error(L, "orderengine: malformed JSON from the library");
    r->p++;
    luaL_pushresult(&b);
}

static void dec(lua_State *L, rd *r, int depth) {
    if (depth > MAX_DEPTH + 10) luaL_error(L, "orderengine: JSON nested too deep");
    luaL_checkstack(L, 4, "orderengine: JSON too deep");
    ws(r);
    switch (*r->p) {
    case '{': {
        r->p++;
        lua_newtable(L);
        ws(r);
        if (*r->p == '}') { r->p++; return; }
        for (;;) {
            ws(r);
            if (*r->p != '"') luaL_error(L, "orderengine: malformed JSON from the library");
            dec_string(L, r);
            ws(r);
            if (*r->p++ != ':') luaL_error(L, "orderengine: malformed JSON from the library");
            dec(L, r, depth + 1);
            if (lua_type(L, -1) == LUA_TLIGHTUSERDATA && lua_touserdata(L, -1) == NULL) lua_pop(L, 2); /* null: leave out */
            else lua_rawset(L, -3);
            ws(r);
            if (*r->p == ',') { r->p++; continue; }
            if (*r->p == '}') { r->p++; return; }
            luaL_error(L, "orderengine: malformed JSON from the library");
        }
    }
    case '[': {
        r->p++;
        lua_newtable(L);
        ws(r);
        if (*r->p == ']') { r->p++; return; }
        for (lua_Integer i = 1;; i++) {
            dec(L, r, depth + 1);
            lua_rawseti(L, -2, i);
            ws(r);
            if (*r->p == ',') { r->p++; continue; }
            if (*r->p == ']') { r->p++; return; }
            luaL_error(L, "orderengine: malformed JSON from the library");
        }
    }
    case '"': dec_string(L, r); return;
    case 't': r->p += 4; lua_pushboolean(L, 1); return;
    case 'f': r->p += 5; lua_pushboolean(L, 0); return;
    case 'n': r->p += 4; lua_pushlightuserdata(L, NULL); return;
    default: {
        char *end;
        const char *s = r->p;
        int isfloat = 0;
        for (const char *q = s; *q && strchr("0123456789+-.eE", *q); q++) if (*q == '.' || *q == 'e' || *q == 'E') isfloat = 1;
        if (isfloat) lua_pushnumber(L, strtod(s, &end));
        else lua_pushinteger(L, (lua_Integer)strtoll(s, &end, 10));
        if (end == s) luaL_error(L, "orderengine: malformed JSON from the library");
        r->p = end;
    }
    }
}

/* Protected: decodes the library's JSON (lightuserdata) into a Lua value. */
static int p_decode(lua_State *L) {
    rd r = {(const char *)lua_touserdata(L, 1)};
    lua_settop(L, 0);
    dec(L, &r, 0);
    return 1;
}

/* Pushes the library's result (freeing it) or raises its error. */
static int finish(lua_State *L, oe_engine *e, int rc, char *result) {
    if (rc != OE_OK) {
        oe_free(result); /* NULL on failure */
        const char *name = rc >= 0 && rc <= 9 ? code_names[rc] : "error";
        return luaL_error(L, "error[%s]: %s", name, oe_errmsg(e));
    }
    lua_pushcfunction(L, p_decode);
    lua_pushlightuserdata(L, result);
    int st = lua_pcall(L, 1, 1, 0);
    oe_free(result);
    if (st != LUA_OK) return lua_error(L);
    if (lua_type(L, -1) == LUA_TLIGHTUSERDATA && lua_touserdata(L, -1) == NULL) { lua_pop(L, 1); lua_pushnil(L); }
    return 1;
}

/* ------------------------------------------------------------ host ports in Lua */

#define PORTS 4
static const char *const port_names[] = {"payment", "carrier", "mail", "clock", NULL};

struct engine_box;
typedef struct {
    struct engine_box *box;
    int port; /* index into port_names */
} port_slot;

/* The engine userdata. `e` comes first: the methods reach it as an `oe_engine **`. */
typedef struct engine_box {
    oe_engine *e;
    lua_State *L;           /* the thread of the latest method call: callbacks run on it */
    int refs[PORTS];        /* registry references of the Lua port functions (LUA_NOREF) */
    port_slot slots[PORTS]; /* the userdata of each C callback (a userdata never moves) */
} engine_box;

/* Protected: calls the port function (1) with the request (2, the library's JSON as a light
** userdata) decoded to a table; leaves the answer encoded as JSON text. `nil, "reason"` or a
** Lua error fails the callback with that text. */
static int p_port(lua_State *L) {
    rd r = {(const char *)lua_touserdata(L, 2)};
    lua_settop(L, 1);
    dec(L, &r, 0);
    lua_call(L, 1, 2);
    if (lua_isnil(L, -2) && !lua_isnil(L, -1)) return lua_error(L);
    lua_pop(L, 1);
    if (lua_isnil(L, -1)) { lua_pushliteral(L, "{}"); return 1; }
    if (!lua_istable(L, -1)) luaL_error(L, "orderengine: a port function returns a table (or nil, \"reason\")");
    buf *b = buf_new(L, "orderengine: port answer");
    enc(L, b, -2, 0);
    lua_pushlstring(L, b->p, b->n);
    return 1;
}

static char *copy_answer(const char *s, size_t n) {
    char *p = (char *)oe_alloc(n + 1);
    if (p) { memcpy(p, s, n); p[n] = 0; }
    return p;
}

/* The C port callback: runs the Lua function on the thread that made the current call (the
** library calls ports only during a call). Never raises: the call is protected and its text,
** answer or error, is copied out with oe_alloc. */
static int port_callback(void *userdata, const char *request, char **response) {
    port_slot *slot = (port_slot *)userdata;
    lua_State *L = slot->box->L;
    if (L == NULL || !lua_checkstack(L, 8)) return 1;
    int top = lua_gettop(L);
    lua_pushcfunction(L, p_port);
    lua_rawgeti(L, LUA_REGISTRYINDEX, slot->box->refs[slot->port]);
    lua_pushlightuserdata(L, (void *)request);
    int st = lua_pcall(L, 2, 1, 0);
    size_t n = 0;
    const char *text = lua_type(L, -1) == LUA_TSTRING ? lua_tolstring(L, -1, &n) : NULL;
    if (text == NULL) { text = st == LUA_OK ? "{}" : "the Lua port function failed"; n = strlen(text); }
    *response = copy_answer(text, n);
    lua_settop(L, top);
    return st == LUA_OK && *response ? 0 : 1;
}

/* engine:set_port(name, fn): `fn(request)` implements port `name` ("payment", "carrier",
** "mail", "clock") from now on, with requests and answers as tables (orderengine.h lists
** them); fn nil removes it. An error raised in fn (or `return nil, "reason"`) fails the port
** with that text. fn must not call the engine (that raises error[misuse]). */
static int l_set_port(lua_State *L);

/* ------------------------------------------------------------ the module */

static oe_engine **check_engine(lua_State *L) {
    engine_box *box = (engine_box *)luaL_checkudata(L, 1, ENGINE_META);
    if (box->e == NULL) luaL_error(L, "orderengine: the engine is closed");
    box->L = L; /* a port callback during this call runs on this thread */
    return &box->e;
}

static int l_set_port(lua_State *L) {
    engine_box *box = (engine_box *)check_engine(L);
    int i = luaL_checkoption(L, 2, NULL, port_names);
    int ref = LUA_NOREF;
    if (!lua_isnoneornil(L, 3)) {
        luaL_checktype(L, 3, LUA_TFUNCTION);
        lua_pushvalue(L, 3);
        ref = luaL_ref(L, LUA_REGISTRYINDEX);
    }
    int old = box->refs[i];
    box->refs[i] = ref;
    int rc = ref == LUA_NOREF ? oe_set_port(box->e, port_names[i], NULL, NULL)
                              : oe_set_port(box->e, port_names[i], port_callback, &box->slots[i]);
    if (rc != OE_OK) {
        box->refs[i] = old;
        luaL_unref(L, LUA_REGISTRYINDEX, ref);
        return luaL_error(L, "error[%s]: %s", rc >= 0 && rc <= 9 ? code_names[rc] : "error", oe_errmsg(box->e));
    }
    luaL_unref(L, LUA_REGISTRYINDEX, old);
    return 0;
}

static int l_open(lua_State *L) {
    const char *path = luaL_optstring(L, 1, ":memory:");
    const char *config = NULL;
    buf *b = NULL;
    if (!lua_isnoneornil(L, 2)) {
        luaL_checktype(L, 2, LUA_TTABLE);
        b = buf_new(L, "orderengine.open");
        enc(L, b, 2, 0);
        config = b->p;
    }
    engine_box *box = (engine_box *)lua_newuserdatauv(L, sizeof(engine_box), 0);
    box->e = NULL;
    box->L = NULL;
    for (int i = 0; i < PORTS; i++) {
        box->refs[i] = LUA_NOREF;
        box->slots[i].box = box;
        box->slots[i].port = i;
    }
    luaL_setmetatable(L, ENGINE_META);
    oe_engine *e = NULL;
    int rc = oe_open(path, config, &e);
    if (rc != OE_OK) return luaL_error(L, "error[%s]: %s", rc >= 0 && rc <= 9 ? code_names[rc] : "error", oe_errmsg(NULL));
    box->e = e;
    return 1;
}

static int l_call(lua_State *L) {
    oe_engine *e = *check_engine(L);
    const char *command = luaL_checkstring(L, 2);
    int has_params = !lua_isnoneornil(L, 3);
    if (has_params) luaL_checktype(L, 3, LUA_TTABLE);
    lua_settop(L, 3); /* the buffer goes above the arguments */
    buf *b = buf_new(L, "orderengine: call");
    if (has_params) enc(L, b, 3, 0);
    else {
        lua_newtable(L);
        enc(L, b, -1, 0);
        lua_pop(L, 1);
    }
    char *result = NULL;
    int rc = oe_call(e, command, b->p, &result);
    return finish(L, e, rc, result);
}

static int l_eval(lua_State *L) {
    oe_engine *e = *check_engine(L);
    const char *source = luaL_checkstring(L, 2);
    char *result = NULL;
    int rc = oe_script_eval(e, source, &result);
    return finish(L, e, rc, result);
}

static int l_load(lua_State *L) {
    oe_engine *e = *check_engine(L);
    const char *path = luaL_checkstring(L, 2);
    int rc = oe_script_load(e, path);
    if (rc != OE_OK) return luaL_error(L, "error[%s]: %s", rc >= 0 && rc <= 9 ? code_names[rc] : "error", oe_errmsg(e));
    return 0;
}

static int l_close(lua_State *L) {
    engine_box *box = (engine_box *)luaL_checkudata(L, 1, ENGINE_META);
    if (box->e) {
        oe_close(box->e); /* waits for callbacks in flight; none starts after it */
        box->e = NULL;
        for (int i = 0; i < PORTS; i++) {
            luaL_unref(L, LUA_REGISTRYINDEX, box->refs[i]);
            box->refs[i] = LUA_NOREF;
        }
    }
    return 0;
}

static int l_version(lua_State *L) {
    lua_pushstring(L, oe_version());
    return 1;
}

int luaopen_orderengine(lua_State *L) {
    luaL_newmetatable(L, BUF_META);
    lua_pushcfunction(L, buf_gc);
    lua_setfield(L, -2, "__gc");
    lua_pop(L, 1);
    luaL_newmetatable(L, ENGINE_META);
    static const luaL_Reg methods[] = {
        {"call", l_call}, {"eval", l_eval}, {"load", l_load}, {"set_port", l_set_port}, {"close", l_close}, {NULL, NULL}};
    luaL_newlib(L, methods);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, l_close);
    lua_setfield(L, -2, "__gc");
    lua_pushcfunction(L, l_close);
    lua_setfield(L, -2, "__close");
    lua_pop(L, 1);
    static const luaL_Reg functions[] = {{"open", l_open}, {"version", l_version}, {NULL, NULL}};
    luaL_newlib(L, functions);
    lua_pushlightuserdata(L, NULL);
    lua_setfield(L, -2, "null");
    return 1;
}
