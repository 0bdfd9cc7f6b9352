/*
** `require "orderengine"` for a stock Lua 5.4 interpreter (Debian's lua5.4): the shared
** library liborderengine.so exports luaopen_orderengine, built on the public C ABI.
*/
#ifndef ORDERENGINE_LUA_H
#define ORDERENGINE_LUA_H

struct lua_State;

/* Opens the module: returns a table with open(path [, config]) and version(). */
int luaopen_orderengine(struct lua_State *L);

#endif
