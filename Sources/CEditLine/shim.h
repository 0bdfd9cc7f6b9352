/* BSD libedit (Debian libedit-dev) through its readline-compatible interface, for `oe repl`.
** Small accessors for libedit's global variables, which Swift 6 will not touch directly. */
#include <stdio.h>
#include <editline/readline.h>

static inline void oe_rl_setup(rl_completion_func_t *complete, const char *word_breaks) {
    rl_attempted_completion_function = complete;
    rl_completer_word_break_characters = (char *)word_breaks;
}

static inline const char *oe_rl_line_buffer(void) { return rl_line_buffer; }

static inline void oe_rl_no_append(void) { rl_completion_append_character = 0; }
