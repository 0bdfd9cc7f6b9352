/*
** The C ABI, proven from C: the Danish lifecycle, every status code, misuse, host callbacks
** and 8 threads on one engine. Build and run: scripts/test-abi (prints "N passed, N failed").
** With OE_ABI_TEST_PG_URL=postgresql://… (a server) every shop is a new database there.
*/
#include <orderengine.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int passed, failed;

#define CHECK(cond, ...)                                                  \
    do {                                                                  \
        if (cond) passed++;                                               \
        else {                                                            \
            failed++;                                                     \
            fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                 \
            fprintf(stderr, "\n");                                        \
        }                                                                 \
    } while (0)

/* Calls a command that must succeed; returns the result (caller frees with oe_free). */
static char *must(oe_engine *e, const char *cmd, const char *params) {
    char *out = NULL;
    int rc = oe_call(e, cmd, params, &out);
    CHECK(rc == OE_OK, "%s -> %d: %s", cmd, rc, oe_errmsg(e));
    return out;
}

static int contains(const char *s, const char *part) { return s && strstr(s, part) != NULL; }

/* The database of a test's shop: `sqlite` (NULL: in memory) unless OE_ABI_TEST_PG_URL names a
** PostgreSQL server; then a new, empty database on it (created with psql). */
static const char *shop_db(const char *sqlite) {
    static char urls[8][1024];
    static int count;
    const char *server = getenv("OE_ABI_TEST_PG_URL");
    if (!server || !*server) return sqlite;
    char name[64], cmd[1400];
    snprintf(name, sizeof name, "oe_abi_c_%d_%d", (int)getpid(), count);
    snprintf(cmd, sizeof cmd, "psql '%s' -X -q -v ON_ERROR_STOP=1 -c 'CREATE DATABASE %s' >/dev/null", server, name);
    CHECK(system(cmd) == 0, "%s", cmd);
    const char *authority = strstr(server, "://");
    const char *path = authority ? strchr(authority + 3, '/') : NULL;
    const char *query = strchr(server, '?');
    char *url = urls[count++ % 8];
    snprintf(url, sizeof urls[0], "%.*s/%s%s", (int)(path ? path - server : (int)strlen(server)), server, name, query ? query : "");
    return url;
}

static const char *ORDER =
    "{\"customer\":{\"name\":\"Mette Jensen\",\"email\":\"mette@example.dk\",\"language\":\"da\","
    "\"billing_address\":{\"street\":\"Vestergade 1\",\"postal_code\":\"8000\",\"city\":\"Aarhus C\"}},"
    "\"lines\":[{\"sku\":\"KAF\",\"name\":\"Kaffe 1 kg\",\"qty\":2,\"unit_price\":17900},"
    "{\"sku\":\"KRUS\",\"name\":\"Krus\",\"qty\":1,\"unit_price\":12900}],"
    "\"delivery\":{\"method\":\"shipping\",\"carrier\":\"GLS\"}}";

static void test_lifecycle(void) {
    oe_engine *e = NULL;
    CHECK(oe_open(shop_db(NULL), "{\"actor\":\"c-test\",\"simulate\":true}", &e) == OE_OK, "%s", oe_errmsg(NULL));
    char *r;
    r = must(e, "settings.set", "{\"invoice_number_start\":5001,\"invoice_number_prefix\":\"F-\",\"credit_note_number_prefix\":\"K-\","
                                 "\"seller\":{\"name\":\"Nordisk Kaffe ApS\",\"address\":\"Aarhus\",\"vat_number\":\"DK13585628\"}}");
    oe_free(r);
    r = must(e, "order.create", ORDER);
    CHECK(contains(r, "\"order\":1,") && contains(r, "\"total\":48700"), "%s", r);
    oe_free(r);
    oe_free(must(e, "payment.authorize", "{\"order\":1,\"amount\":48700,\"method\":\"dankort\",\"reference\":\"chk-1\"}"));
    r = must(e, "shipment.create", "{\"order\":1}");
    CHECK(contains(r, "\"tracking\":\"GLS-"), "%s", r);
    oe_free(r);
    oe_free(must(e, "order.set_status", "{\"order\":1,\"status\":\"shipped\"}"));
    char *out = NULL;
    CHECK(oe_call(e, "payment.capture", "{\"order\":1}", &out) == OE_POLICY, "capture before hand-over must be refused");
    CHECK(out == NULL, "no result on failure");
    CHECK(contains(oe_errmsg(e), "on_hand_over"), "%s", oe_errmsg(e));
    oe_free(must(e, "shipment.hand_over", "{\"shipment\":1}"));
    r = must(e, "payment.capture", "{\"order\":1}");
    CHECK(contains(r, "\"captured\":48700") && contains(r, "\"invoice_reference\":\"F-5001\""), "%s", r);
    oe_free(r);
    r = must(e, "invoice.get", "{\"number\":5001}");
    CHECK(contains(r, "\"vat_number\":\"DK13585628\"") && contains(r, "\"total_vat\":9740"), "%s", r);
    oe_free(r);
    r = must(e, "credit_note.create", "{\"order\":1,\"lines\":[{\"sku\":\"KRUS\",\"qty\":1}],\"reason\":\"retur\"}");
    CHECK(contains(r, "\"reference\":\"K-1\"") && contains(r, "\"refunded\":12900"), "%s", r);
    oe_free(r);
    r = must(e, "order.get", "{\"order\":1}");
    CHECK(contains(r, "\"payment_state\":\"partially_refunded\""), "%s", r);
    oe_free(r);
    CHECK(oe_close(e) == OE_OK, "close");
}

static void test_status_codes(void) {
    oe_engine *e = NULL;
    CHECK(oe_open(shop_db(":memory:"), "{\"limits\":{\"memory_bytes\":8388608}}", &e) == OE_OK, "%s", oe_errmsg(NULL));
    oe_free(must(e, "order.create", ORDER));
    char *out = (char *)1;
    CHECK(oe_call(e, "order.get", "{\"order\":99}", &out) == OE_NOT_FOUND && out == NULL, "not found");
    CHECK(contains(oe_errmsg(e), "order 99"), "%s", oe_errmsg(e));
    CHECK(oe_call(e, "order.fly", "{}", &out) == OE_NOT_FOUND, "unknown command");
    CHECK(oe_call(e, "order.get", "{\"order\":", &out) == OE_INVALID, "malformed JSON");
    CHECK(oe_call(e, "order.get", "{\"order\":\"1\"}", &out) == OE_INVALID, "wrong type");
    CHECK(contains(oe_errmsg(e), "order:"), "message names the field: %s", oe_errmsg(e));
    CHECK(oe_call(e, "order.get", "{\"order\":1,\"x\":\"\xff\xfe\"}", &out) == OE_INVALID, "invalid UTF-8");
    CHECK(oe_call(e, "order.set_status", "{\"order\":1,\"status\":\"received\",\"expected_version\":9}", &out) == OE_CONFLICT, "stale version");
    CHECK(oe_call(e, "order.set_status", "{\"order\":1,\"status\":\"delivered\"}", &out) == OE_POLICY, "illegal transition");
    CHECK(oe_script_eval(e, "error('workflow broke')", &out) == OE_SCRIPT && contains(oe_errmsg(e), "workflow broke"), "%s", oe_errmsg(e));
    CHECK(oe_script_eval(e, "local s = string.rep('x', 64 * 1024 * 1024)", &out) == OE_NOMEM, "memory cap: %s", oe_errmsg(e));
    CHECK(oe_script_eval(e, "return 6 * 7", &out) == OE_OK && out && strcmp(out, "42") == 0, "eval works after the cap");
    oe_free(out);
    CHECK(oe_set_port(e, "teleport", NULL, NULL) == OE_INVALID, "unknown port");
    /* Misuse: NULL handle, NULL out-pointers, closed engine. */
    CHECK(oe_call(NULL, "order.get", "{}", &out) == OE_MISUSE, "NULL engine");
    CHECK(contains(oe_errmsg(NULL), "NULL"), "%s", oe_errmsg(NULL));
    CHECK(oe_call(e, NULL, "{}", &out) == OE_MISUSE, "NULL command");
    CHECK(oe_call(e, "order.get", "{\"order\":1}", NULL) == OE_MISUSE, "NULL result pointer");
    CHECK(oe_open(NULL, NULL, NULL) == OE_MISUSE, "NULL out");
    oe_engine *bad = NULL;
    CHECK(oe_open(NULL, "{\"colour\":\"red\"}", &bad) == OE_INVALID && bad == NULL, "unknown config key: %s", oe_errmsg(NULL));
    CHECK(oe_close(e) == OE_OK, "close");
    CHECK(oe_call(e, "order.get", "{\"order\":1}", &out) == OE_MISUSE, "closed engine");
    CHECK(oe_close(e) == OE_MISUSE, "double close");
    CHECK(oe_close(NULL) == OE_OK, "close(NULL)");
    /* Storage: a file that is not a database. */
    char path[] = "/tmp/oe-abi-XXXXXX";
    int fd = mkstemp(path);
    CHECK(write(fd, "not a database, only some text that fills the header page of a file......", 72) == 72, "write");
    close(fd);
    oe_engine *s = NULL;
    CHECK(oe_open(path, NULL, &s) == OE_STORAGE && s == NULL, "not a database: %s", oe_errmsg(NULL));
    unlink(path);
    CHECK(strcmp(oe_version(), OE_VERSION) == 0 && oe_version_number() == OE_VERSION_NUMBER, "version");
}

/* ---- host callbacks ---- */

static int captures_seen, mails_sent;

/* A callback's answer, allocated with oe_alloc (the library frees it). */
static char *answer(const char *text) {
    char *p = (char *)oe_alloc(strlen(text) + 1);
    if (p) strcpy(p, text);
    return p;
}

static int host_payment(void *userdata, const char *request, char **response) {
    int *mode = (int *)userdata;
    if (strstr(request, "\"operation\":\"lookup\"")) { *response = answer("{\"status\":\"unknown\"}"); return 0; }
    if (*mode == 2) return 1; /* the host fails */
    captures_seen++;
    *response = answer(*mode == 1 ? "{\"status\":\"declined\",\"reason\":\"insufficient funds\"}"
                                  : "{\"status\":\"approved\",\"reference\":\"psp-42\"}");
    return 0;
}

static int host_carrier(void *userdata, const char *request, char **response) {
    (void)request;
    if (*(int *)userdata) return 7;
    *response = answer("{\"tracking\":\"PN-HOST-1\"}");
    return 0;
}

static int host_mail(void *userdata, const char *request, char **response) {
    (void)userdata;
    if (strstr(request, "\"subject\"")) mails_sent++;
    *response = answer("{}");
    return 0;
}

static int host_clock(void *userdata, const char *request, char **response) {
    (void)userdata; (void)request;
    *response = answer("{\"now\":\"2026-12-24T09:00:00Z\"}");
    return 0;
}

static void test_callbacks(void) {
    oe_engine *e = NULL;
    CHECK(oe_open(shop_db(NULL), NULL, &e) == OE_OK, "open: %s", oe_errmsg(NULL));
    oe_free(must(e, "settings.set", "{\"seller\":{\"name\":\"Nordisk Kaffe ApS\",\"address\":\"Aarhus\",\"vat_number\":\"DK13585628\"}}"));
    int pay_mode = 0, carrier_fails = 0;
    CHECK(oe_set_port(e, "payment", host_payment, &pay_mode) == OE_OK, "payment port");
    CHECK(oe_set_port(e, "carrier", host_carrier, &carrier_fails) == OE_OK, "carrier port");
    CHECK(oe_set_port(e, "mail", host_mail, NULL) == OE_OK, "mail port");
    CHECK(oe_set_port(e, "clock", host_clock, NULL) == OE_OK, "clock port");
    char *r = must(e, "order.create", ORDER);
    CHECK(contains(r, "2026-12-24T09:00:00Z"), "the host clock is used: %s", r);
    oe_free(r);
    oe_free(must(e, "payment.authorize", "{\"order\":1,\"amount\":48700,\"method\":\"visa\"}"));
    /* A failing carrier callback: port error, nothing stored. */
    carrier_fails = 1;
    char *out = NULL;
    CHECK(oe_call(e, "shipment.create", "{\"order\":1}", &out) == OE_PORT, "failing carrier: %s", oe_errmsg(e));
    r = must(e, "order.get", "{\"order\":1}");
    CHECK(contains(r, "\"shipments\":[]"), "rolled back: %s", r);
    oe_free(r);
    carrier_fails = 0;
    r = must(e, "shipment.create", "{\"order\":1}");
    CHECK(contains(r, "PN-HOST-1"), "%s", r);
    oe_free(r);
    oe_free(must(e, "shipment.hand_over", "{\"shipment\":1}"));
    pay_mode = 1;
    CHECK(oe_call(e, "payment.capture", "{\"order\":1}", &out) == OE_PORT && contains(oe_errmsg(e), "insufficient funds"), "%s", oe_errmsg(e));
    pay_mode = 2;
    CHECK(oe_call(e, "payment.capture", "{\"order\":1}", &out) == OE_PORT, "failing gateway callback: %s", oe_errmsg(e));
    pay_mode = 0;
    r = must(e, "payment.capture", "{\"order\":1}");
    CHECK(contains(r, "psp-42") && contains(r, "\"captured\":48700"), "%s", r);
    oe_free(r);
    oe_free(must(e, "order.set_status", "{\"order\":1,\"status\":\"shipped\"}"));
    r = must(e, "outbox.deliver", "{}");
    CHECK(mails_sent >= 2, "mails delivered through the host: %d (%s)", mails_sent, r);
    oe_free(r);
    CHECK(oe_set_port(e, "payment", NULL, NULL) == OE_OK, "the host's gateway removed");
    oe_free(must(e, "order.create", ORDER));
    oe_free(must(e, "payment.authorize", "{\"order\":2,\"amount\":48700,\"method\":\"visa\"}"));
    CHECK(oe_call(e, "payment.void", "{\"order\":2}", &out) == OE_PORT && contains(oe_errmsg(e), "no payment gateway is configured"),
          "no simulator behind it: %s", oe_errmsg(e));
    oe_close(e);
}

/* ---- embedding: no simulator unless asked, re-entry refused, structured errors ---- */

static oe_engine *reentered;
static int reentry_rc = -1;

static int reentering_carrier(void *userdata, const char *request, char **response) {
    (void)userdata; (void)request;
    char *out = (char *)1;
    reentry_rc = oe_call(reentered, "order.count", "{}", &out);
    if (out != NULL) reentry_rc = 100;
    *response = answer("{\"tracking\":\"GLS-R\"}");
    return 0;
}

static void test_embedding(void) {
    oe_engine *e = NULL;
    CHECK(oe_open(shop_db(NULL), NULL, &e) == OE_OK, "open: %s", oe_errmsg(NULL));
    oe_free(must(e, "order.create", ORDER));
    char *out = (char *)1;
    CHECK(oe_call(e, "shipment.create", "{\"order\":1}", &out) == OE_PORT && out == NULL, "no carrier by default");
    CHECK(contains(oe_errmsg(e), "no carrier is configured") && contains(oe_errmsg(e), "oe_set_port"), "%s", oe_errmsg(e));
    CHECK(contains(oe_errjson(e), "\"code\":6") && contains(oe_errjson(e), "\"code_name\":\"port\""), "%s", oe_errjson(e));
    CHECK(oe_call(e, "gateway.simulate", "{}", &out) == OE_NOT_FOUND, "no simulator command without simulate");
    CHECK(oe_call(e, "order.get", "{\"order\":\"x\"}", &out) == OE_INVALID, "bad type");
    CHECK(contains(oe_errjson(e), "\"field\":\"order\""), "the field path: %s", oe_errjson(e));
    reentered = e;
    CHECK(oe_set_port(e, "carrier", reentering_carrier, NULL) == OE_OK, "carrier port");
    char *r = must(e, "shipment.create", "{\"order\":1}");
    CHECK(contains(r, "GLS-R"), "%s", r);
    oe_free(r);
    CHECK(reentry_rc == OE_MISUSE, "re-entering from a callback is OE_MISUSE, not a crash: %d", reentry_rc);
    out = (char *)1;
    CHECK(oe_call(NULL, "order.count", "{}", &out) == OE_MISUSE && out == NULL, "out cleared on misuse");
    CHECK(contains(oe_errjson(NULL), "\"misuse\""), "%s", oe_errjson(NULL));
    CHECK(oe_close(e) == OE_OK, "close");
}

/* ---- threads ---- */

static oe_engine *shared;

static void *worker(void *arg) {
    long id = (long)arg;
    for (int i = 0; i < 20; i++) {
        char *r = NULL;
        if (oe_call(shared, "order.create", ORDER, &r) != OE_OK) { fprintf(stderr, "thread %ld: %s\n", id, oe_errmsg(shared)); return (void *)1; }
        const char *p = strstr(r, "\"order\":");
        long n = p ? atol(p + 8) : 0;
        oe_free(r);
        char params[160];
        snprintf(params, sizeof params, "{\"order\":%ld,\"amount\":48700,\"method\":\"visa\"}", n);
        if (oe_call(shared, "payment.authorize", params, &r) != OE_OK) return (void *)2;
        oe_free(r);
        snprintf(params, sizeof params, "{\"order\":%ld}", n);
        if (oe_call(shared, "order.get", params, &r) != OE_OK) return (void *)3;
        oe_free(r);
        if (oe_call(shared, "order.get", "{\"order\":999999}", &r) != OE_NOT_FOUND) return (void *)4;
        if (!strstr(oe_errmsg(shared), "999999")) return (void *)5; /* this thread's own error */
        if (oe_call(shared, "order.count", "{\"status\":\"received\"}", &r) != OE_OK) return (void *)6;
        oe_free(r);
    }
    return NULL;
}

static void test_threads(const char *dir) {
    char path[512];
    snprintf(path, sizeof path, "%s/threads.sqlite", dir);
    unlink(path);
    CHECK(oe_open(shop_db(path), NULL, &shared) == OE_OK, "%s", oe_errmsg(NULL));
    pthread_t t[8];
    for (long i = 0; i < 8; i++) pthread_create(&t[i], NULL, worker, (void *)i);
    int ok = 1;
    for (int i = 0; i < 8; i++) {
        void *rv;
        pthread_join(t[i], &rv);
        if (rv) { ok = 0; fprintf(stderr, "thread %d failed at step %ld\n", i, (long)rv); }
    }
    CHECK(ok, "every thread finished");
    char *r = must(shared, "order.count", "{}");
    CHECK(r && strcmp(r, "{\"count\":160}") == 0, "nothing lost: %s", r);
    oe_free(r);
    r = must(shared, "order.find", "{\"sort\":\"number\",\"desc\":true,\"limit\":1}");
    CHECK(contains(r, "\"order\":160,"), "numbers gapless: %s", r);
    oe_free(r);
    oe_close(shared);
}

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : "/tmp";
    test_lifecycle();
    test_status_codes();
    test_callbacks();
    test_embedding();
    test_threads(dir);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
