/* libpq, PostgreSQL's C client library (Debian libpq-dev), for the PostgresClient target.
** Only the client API: no server headers, no event loop. */
#include <libpq-fe.h>
