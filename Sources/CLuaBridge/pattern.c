#define _GNU_SOURCE
/*
** Lua patterns for the sandbox: string.find, string.match, string.gmatch and string.gsub with
** the semantics of the Lua 5.4 manual (§6.4.1), written for the bridge so that every step
** of the matcher is charged to the running command's instruction budget and deadline. A
** backtracking pattern against a long subject therefore stops like a runaway loop does,
** instead of running for years inside one C call the count hook never sees.
**
** The matcher backtracks recursively; its recursion is bounded (MATCH_DEPTH) and every
** character test, expansion step and back-reference comparison is a step.
*/
#include <ctype.h>
#include <lua5.4/lauxlib.h>
#include <lua5.4/lua.h>
#include <string.h>

#include "limits.h"

#define MATCH_DEPTH 200         /* nested matcher calls (C stack) per match attempt */
#define STEPS_PER_CHARGE 1024   /* matcher steps accumulated before the budget is charged */
#define STEPS_PER_UNIT 2        /* matcher steps per instruction of budget */
#define CAPTURES 32

enum { CAP_OPEN = -1, CAP_POSITION = -2 };

typedef struct {
    lua_State *L;
    const char *fname;
    const char *subject, *subject_end;
    const char *pattern_end;
    int depth;
    int ncap;
    struct {
        const char *start;
        ptrdiff_t len;   /* or CAP_OPEN / CAP_POSITION */
    } cap[CAPTURES];
    int64_t steps;
} matcher;

/* ---------------------------------------------------------------- accounting */

static void flush_steps(matcher *m) {
    int64_t u = m->steps / STEPS_PER_UNIT + 1;
    m->steps = 0;
    oeb_charge(m->L, u, m->fname);
}

static inline void step(matcher *m, int64_t n) {
    m->steps += n;
    if (m->steps >= STEPS_PER_CHARGE) flush_steps(m);
}

static int fail_pattern(matcher *m, const char *why) {
    return luaL_error(m->L, "%s: malformed pattern (%s)", m->fname, why);
}

/* ---------------------------------------------------------------- single characters */

/* Does character c belong to class %x (x a letter; upper case is the complement)? A non-letter
** after % stands for itself. */
static int in_class(unsigned char c, unsigned char x) {
    int r;
    switch (tolower(x)) {
    case 'a': r = isalpha(c); break;
    case 'c': r = iscntrl(c); break;
    case 'd': r = isdigit(c); break;
    case 'g': r = isgraph(c); break;
    case 'l': r = islower(c); break;
    case 'p': r = ispunct(c); break;
    case 's': r = isspace(c); break;
    case 'u': r = isupper(c); break;
    case 'w': r = isalnum(c); break;
    case 'x': r = isxdigit(c); break;
    default: return x == c;
    }
    r = r != 0;
    return isupper(x) ? !r : r;
}

/* Past the end of the item starting at p: `%x`, a set `[...]` or one character. */
static const char *item_end(matcher *m, const char *p) {
    const char *end = m->pattern_end;
    if (*p == '%') {
        if (p + 1 >= end) fail_pattern(m, "ends with '%'");
        return p + 2;
    }
    if (*p != '[') return p + 1;
    p++;
    if (p < end && *p == '^') p++;
    /* The first member is taken literally, even a ']'. */
    for (;;) {
        if (p >= end) fail_pattern(m, "missing ']'");
        if (*p == '%') {
            if (p + 1 >= end) fail_pattern(m, "missing ']'");
            p += 2;
        } else {
            p++;
        }
        if (p >= end) fail_pattern(m, "missing ']'");
        if (*p == ']') return p + 1;
    }
}

/* Is c in the set whose '[' is at p and whose ']' is at close? */
static int in_set(matcher *m, unsigned char c, const char *p, const char *close) {
    int negate = 0;
    p++;
    if (*p == '^') {
        negate = 1;
        p++;
    }
    while (p < close) {
        step(m, 1);
        if (*p == '%' && p + 1 < close) {
            if (in_class(c, (unsigned char)p[1])) return !negate;
            p += 2;
        } else if (p + 2 < close && p[1] == '-') {
            if ((unsigned char)p[0] <= c && c <= (unsigned char)p[2]) return !negate;
            p += 3;
        } else {
            if ((unsigned char)*p == c) return !negate;
            p++;
        }
    }
    return negate;
}

/* Does the subject character at s match the item p..ep (s must be inside the subject)? */
static int item_matches(matcher *m, const char *s, const char *p, const char *ep) {
    if (s >= m->subject_end) return 0;
    unsigned char c = (unsigned char)*s;
    step(m, 1);
    switch (*p) {
    case '.': return 1;
    case '%': return in_class(c, (unsigned char)p[1]);
    case '[': return in_set(m, c, p, ep - 1);
    default: return (unsigned char)*p == c;
    }
}

/* ---------------------------------------------------------------- the matcher */

static const char *match(matcher *m, const char *s, const char *p);

/* Longest run of the item first, then shorter ones, until the rest matches. */
static const char *expand_greedy(matcher *m, const char *s, const char *p, const char *ep) {
    ptrdiff_t n = 0;
    while (item_matches(m, s + n, p, ep)) n++;
    for (; n >= 0; n--) {
        const char *r = match(m, s + n, ep + 1);
        if (r) return r;
    }
    return NULL;
}

/* Shortest run first, one more item each time the rest does not match. */
static const char *expand_lazy(matcher *m, const char *s, const char *p, const char *ep) {
    for (;;) {
        const char *r = match(m, s, ep + 1);
        if (r) return r;
        if (!item_matches(m, s, p, ep)) return NULL;
        s++;
    }
}

static const char *open_capture(matcher *m, const char *s, const char *p, ptrdiff_t kind) {
    if (m->ncap >= CAPTURES) luaL_error(m->L, "%s: too many captures (at most %d)", m->fname, CAPTURES);
    m->cap[m->ncap].start = s;
    m->cap[m->ncap].len = kind;
    m->ncap++;
    const char *r = match(m, s, p);
    if (!r) m->ncap--;
    return r;
}

static const char *close_capture(matcher *m, const char *s, const char *p) {
    int k = m->ncap - 1;
    while (k >= 0 && m->cap[k].len != CAP_OPEN) k--;
    if (k < 0) fail_pattern(m, "')' without '('");
    m->cap[k].len = s - m->cap[k].start;
    const char *r = match(m, s, p);
    if (!r) m->cap[k].len = CAP_OPEN;
    return r;
}

/* %1 .. %9: the text of an earlier, closed capture again. */
static const char *back_reference(matcher *m, const char *s, char digit) {
    int k = digit - '1';
    if (k < 0 || k >= m->ncap || m->cap[k].len == CAP_OPEN) {
        luaL_error(m->L, "%s: invalid capture index %%%d in the pattern", m->fname, k + 1);
    }
    if (m->cap[k].len == CAP_POSITION) return NULL; /* a position has no text to repeat */
    size_t len = (size_t)m->cap[k].len;
    step(m, 1 + (int64_t)(len / 16));
    if ((size_t)(m->subject_end - s) >= len && memcmp(m->cap[k].start, s, len) == 0) return s + len;
    return NULL;
}

/* %bxy: a balanced run from x to the matching y. */
static const char *balanced(matcher *m, const char *s, const char *p) {
    if (p + 1 >= m->pattern_end) fail_pattern(m, "missing arguments to '%b'");
    if (s >= m->subject_end || *s != p[0]) return NULL;
    char open = p[0], close = p[1];
    int level = 1;
    while (++s < m->subject_end) {
        step(m, 1);
        if (*s == close) {
            if (--level == 0) return s + 1;
        } else if (*s == open) {
            level++;
        }
    }
    return NULL;
}

static const char *match_items(matcher *m, const char *s, const char *p) {
    const char *end = m->pattern_end;
    while (p < end) {
        step(m, 1);
        switch (*p) {
        case '(':
            if (p + 1 < end && p[1] == ')') return open_capture(m, s, p + 2, CAP_POSITION);
            return open_capture(m, s, p + 1, CAP_OPEN);
        case ')': return close_capture(m, s, p + 1);
        case '$':
            if (p + 1 == end) return s == m->subject_end ? s : NULL;
            break; /* a '$' inside the pattern is a plain character */
        case '%':
            if (p + 1 < end && p[1] == 'b') {
                s = balanced(m, s, p + 2);
                if (!s) return NULL;
                p += 4;
                continue;
            }
            if (p + 1 < end && p[1] == 'f') {
                p += 2;
                if (p >= end || *p != '[') luaL_error(m->L, "%s: missing '[' after '%%f' in the pattern", m->fname);
                const char *ep = item_end(m, p);
                unsigned char before = s == m->subject ? 0 : (unsigned char)s[-1];
                unsigned char at = s < m->subject_end ? (unsigned char)*s : 0;
                if (in_set(m, before, p, ep - 1) || !in_set(m, at, p, ep - 1)) return NULL;
                p = ep;
                continue;
            }
            if (p + 1 < end && isdigit((unsigned char)p[1])) {
                s = back_reference(m, s, p[1]);
                if (!s) return NULL;
                p += 2;
                continue;
            }
            break;
        default: break;
        }
        /* One item, perhaps with a quantifier. */
        const char *ep = item_end(m, p);
        char q = ep < end ? *ep : 0;
        if (q == '*') return expand_greedy(m, s, p, ep);
        if (q == '-') return expand_lazy(m, s, p, ep);
        int hit = item_matches(m, s, p, ep);
        if (q == '+') return hit ? expand_greedy(m, s + 1, p, ep) : NULL;
        if (q == '?') {
            if (hit) {
                const char *r = match(m, s + 1, ep + 1);
                if (r) return r;
            }
            p = ep + 1;
            continue;
        }
        if (!hit) return NULL;
        s++;
        p = ep;
    }
    return s;
}

/* The end of a match of p at s, or NULL. */
static const char *match(matcher *m, const char *s, const char *p) {
    if (++m->depth > MATCH_DEPTH) luaL_error(m->L, "%s: pattern too complex (nested more than %d deep)", m->fname, MATCH_DEPTH);
    const char *r = match_items(m, s, p);
    m->depth--;
    return r;
}

/* ---------------------------------------------------------------- captures to Lua */

static void push_capture(matcher *m, int k, const char *s, const char *e) {
    if (k >= m->ncap) {
        if (k != 0) luaL_error(m->L, "%s: invalid capture index %%%d", m->fname, k + 1);
        lua_pushlstring(m->L, s, (size_t)(e - s)); /* the whole match */
        return;
    }
    ptrdiff_t len = m->cap[k].len;
    if (len == CAP_OPEN) luaL_error(m->L, "%s: unfinished capture", m->fname);
    if (len == CAP_POSITION) {
        lua_pushinteger(m->L, (lua_Integer)(m->cap[k].start - m->subject) + 1);
    } else {
        step(m, len / 16);
        lua_pushlstring(m->L, m->cap[k].start, (size_t)len);
    }
}

/* Pushes the captures (or the whole match when there are none and s is not NULL). */
static int push_captures(matcher *m, const char *s, const char *e) {
    int n = (m->ncap == 0 && s) ? 1 : m->ncap;
    luaL_checkstack(m->L, n, "too many captures");
    for (int k = 0; k < n; k++) push_capture(m, k, s, e);
    return n;
}

static void start(matcher *m, lua_State *L, const char *fname, const char *s, size_t ls, const char *p, size_t lp) {
    m->L = L;
    m->fname = fname;
    m->subject = s;
    m->subject_end = s + ls;
    m->pattern_end = p + lp;
    m->depth = 0;
    m->ncap = 0;
    m->steps = 0;
}

static void again(matcher *m) {
    m->depth = 0;
    m->ncap = 0;
}

/* A 1-based, possibly negative position relative to a string of len bytes, as 0-based offset
** clamped to 0..len (+1 beyond when too large, to say "past the end"). */
static size_t start_offset(lua_Integer pos, size_t len) {
    if (pos > 0) return (size_t)pos - 1 > len ? len + 1 : (size_t)pos - 1;
    if (pos == 0) return 0;
    if (pos < -(lua_Integer)len) return 0;
    return len - (size_t)(-pos);
}

static int has_specials(const char *p, size_t lp) {
    for (size_t i = 0; i < lp; i++) {
        if (strchr("^$*+?.([%-", p[i]) && p[i] != 0) return 1;
    }
    return 0;
}

/* A plain substring search, linear in the subject, charged by the bytes it looks at. */
static const char *find_plain(lua_State *L, const char *fname, const char *s, size_t ls, const char *p, size_t lp) {
    oeb_charge(L, 1 + (int64_t)((ls + lp) / OE_BYTES_PER_UNIT), fname);
    if (lp == 0) return s;
    if (lp > ls) return NULL;
    return (const char *)memmem(s, ls, p, lp);
}

/* ---------------------------------------------------------------- the library functions */

static int find_or_match(lua_State *L, int find, const char *fname) {
    size_t ls, lp;
    const char *s = luaL_checklstring(L, 1, &ls);
    const char *p = luaL_checklstring(L, 2, &lp);
    size_t init = start_offset(luaL_optinteger(L, 3, 1), ls);
    if (init > ls) {
        luaL_pushfail(L);
        return 1;
    }
    if (find && (lua_toboolean(L, 4) || !has_specials(p, lp))) {
        const char *hit = find_plain(L, fname, s + init, ls - init, p, lp);
        if (!hit) {
            luaL_pushfail(L);
            return 1;
        }
        lua_pushinteger(L, (lua_Integer)(hit - s) + 1);
        lua_pushinteger(L, (lua_Integer)(hit - s + lp));
        return 2;
    }
    matcher m;
    start(&m, L, fname, s, ls, p, lp);
    int anchored = lp > 0 && *p == '^';
    if (anchored) {
        p++;
        lp--;
        m.pattern_end = p + lp;
    }
    const char *at = s + init;
    for (;;) {
        again(&m);
        const char *e = match(&m, at, p);
        if (e) {
            if (find) {
                lua_pushinteger(L, (lua_Integer)(at - s) + 1);
                lua_pushinteger(L, (lua_Integer)(e - s));
                return push_captures(&m, NULL, NULL) + 2;
            }
            return push_captures(&m, at, e);
        }
        if (anchored || at >= m.subject_end) break;
        at++;
    }
    flush_steps(&m);
    luaL_pushfail(L);
    return 1;
}

static int p_find(lua_State *L) { return find_or_match(L, 1, "string.find"); }
static int p_match(lua_State *L) { return find_or_match(L, 0, "string.match"); }

/* gmatch's iterator: upvalues subject, pattern, position state. */
typedef struct {
    size_t next;        /* offset to try from */
    size_t last_end;    /* end of the last match (an empty match there is skipped); SIZE_MAX none */
} gm_state;

static int gmatch_step(lua_State *L) {
    size_t ls, lp;
    const char *s = lua_tolstring(L, lua_upvalueindex(1), &ls);
    const char *p = lua_tolstring(L, lua_upvalueindex(2), &lp);
    gm_state *st = (gm_state *)lua_touserdata(L, lua_upvalueindex(3));
    matcher m;
    start(&m, L, "string.gmatch", s, ls, p, lp);
    for (size_t at = st->next; at <= ls; at++) {
        again(&m);
        const char *e = match(&m, s + at, p);
        if (e && (size_t)(e - s) != st->last_end) {
            st->next = st->last_end = (size_t)(e - s);
            flush_steps(&m);
            return push_captures(&m, s + at, e);
        }
    }
    st->next = ls + 1;
    flush_steps(&m);
    return 0;
}

static int p_gmatch(lua_State *L) {
    size_t ls;
    luaL_checklstring(L, 1, &ls);
    luaL_checkstring(L, 2);
    size_t init = start_offset(luaL_optinteger(L, 3, 1), ls);
    lua_settop(L, 2);
    gm_state *st = (gm_state *)lua_newuserdatauv(L, sizeof(gm_state), 0);
    st->next = init;
    st->last_end = SIZE_MAX;
    lua_pushcclosure(L, gmatch_step, 3);
    return 1;
}

/* Appends the replacement for the match s..e to b. */
static void add_replacement(matcher *m, luaL_Buffer *b, const char *s, const char *e, int kind) {
    lua_State *L = m->L;
    if (kind == LUA_TSTRING || kind == LUA_TNUMBER) {
        size_t lr;
        const char *r = lua_tolstring(L, 3, &lr);
        const char *rend = r + lr;
        step(m, 1 + (int64_t)(lr / 16));
        while (r < rend) {
            const char *pct = memchr(r, '%', (size_t)(rend - r));
            if (!pct) {
                luaL_addlstring(b, r, (size_t)(rend - r));
                break;
            }
            luaL_addlstring(b, r, (size_t)(pct - r));
            pct++;
            if (pct >= rend) luaL_error(L, "string.gsub: invalid use of '%%' in the replacement string (at its end)");
            if (*pct == '%') {
                luaL_addchar(b, '%');
            } else if (isdigit((unsigned char)*pct)) {
                if (*pct == '0') lua_pushlstring(L, s, (size_t)(e - s));
                else push_capture(m, *pct - '1', s, e);
                luaL_tolstring(L, -1, NULL); /* a position capture is a number */
                lua_remove(L, -2);
                size_t added = lua_rawlen(L, -1);
                step(m, (int64_t)(added / 16));
                luaL_addvalue(b);
            } else {
                luaL_error(L, "string.gsub: invalid use of '%%' in the replacement string (%%%c)", *pct);
            }
            r = pct + 1;
        }
        return;
    }
    if (kind == LUA_TFUNCTION) {
        lua_pushvalue(L, 3);
        int n = push_captures(m, s, e);
        flush_steps(m);
        lua_call(L, n, 1);
    } else { /* a table */
        push_capture(m, 0, s, e);
        lua_gettable(L, 3);
    }
    if (!lua_toboolean(L, -1)) { /* nil or false: keep the original text */
        lua_pop(L, 1);
        luaL_addlstring(b, s, (size_t)(e - s));
        return;
    }
    if (!lua_isstring(L, -1)) luaL_error(L, "string.gsub: invalid replacement value (a %s)", luaL_typename(L, -1));
    step(m, (int64_t)(lua_rawlen(L, -1) / 16));
    luaL_addvalue(b);
}

static int p_gsub(lua_State *L) {
    size_t ls, lp;
    const char *s = luaL_checklstring(L, 1, &ls);
    const char *p = luaL_checklstring(L, 2, &lp);
    int kind = lua_type(L, 3);
    lua_Integer max = luaL_optinteger(L, 4, (lua_Integer)ls + 1);
    luaL_argexpected(L, kind == LUA_TNUMBER || kind == LUA_TSTRING || kind == LUA_TFUNCTION || kind == LUA_TTABLE, 3,
                     "string/function/table");
    lua_settop(L, 3);
    matcher m;
    start(&m, L, "string.gsub", s, ls, p, lp);
    int anchored = lp > 0 && *p == '^';
    if (anchored) {
        p++;
        lp--;
        m.pattern_end = p + lp;
    }
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    const char *at = s, *last_end = NULL;
    lua_Integer n = 0;
    while (n < max) {
        again(&m);
        const char *e = match(&m, at, p);
        if (e && e != last_end) {
            n++;
            add_replacement(&m, &b, at, e, kind);
            at = last_end = e;
        } else if (at < m.subject_end) {
            step(&m, 1);
            luaL_addchar(&b, *at++);
        } else {
            break;
        }
        if (anchored) break;
    }
    step(&m, (int64_t)((size_t)(m.subject_end - at) / 16));
    flush_steps(&m);
    luaL_addlstring(&b, at, (size_t)(m.subject_end - at));
    luaL_pushresult(&b);
    lua_pushinteger(L, n);
    return 2;
}

void oeb_register_patterns(lua_State *L) {
    static const luaL_Reg fns[] = {{"find", p_find}, {"match", p_match}, {"gmatch", p_gmatch}, {"gsub", p_gsub}, {NULL, NULL}};
    luaL_setfuncs(L, fns, 0);
}
