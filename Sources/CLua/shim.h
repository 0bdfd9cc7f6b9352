/* Debian's Lua 5.4 (liblua5.4-dev): the C API headers, for CLuaBridge. */
#include <lua5.4/lua.h>
#include <lua5.4/lualib.h>
#include <lua5.4/lauxlib.h>
