/*
** Benchmark of the C ABI (figures for notes, not a test): the oe_call("order.get") round trip
** and a C-driven Danish lifecycle in orders/s, each against the same through the Swift API in
** the same run. Usage: abi_bench [orders] (default 2000); build as scripts/bench-abi does.
*/
#include <orderengine.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int64_t oe__bench_swift_call(oe_engine *e, const char *command, const char *params, int64_t n);

static double now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

static void call(oe_engine *e, const char *cmd, const char *params) {
    char *out = NULL;
    if (oe_call(e, cmd, params, &out) != OE_OK) {
        fprintf(stderr, "%s: %s\n", cmd, oe_errmsg(e));
        exit(1);
    }
    oe_free(out);
}

static const char *ORDER =
    "{\"customer\":{\"name\":\"Mette Jensen\",\"email\":\"mette@example.dk\"},"
    "\"lines\":[{\"sku\":\"A\",\"name\":\"Kaffe\",\"qty\":2,\"unit_price\":17900},{\"sku\":\"B\",\"name\":\"Krus\",\"qty\":1,\"unit_price\":12900},"
    "{\"sku\":\"C\",\"name\":\"Filter\",\"qty\":3,\"unit_price\":3900}],\"delivery\":{\"method\":\"shipping\",\"carrier\":\"GLS\"}}";

static void lifecycle(oe_engine *e, long n) {
    char p[128];
    call(e, "order.create", ORDER);
    snprintf(p, sizeof p, "{\"order\":%ld,\"amount\":60400,\"method\":\"visa\"}", n);
    call(e, "payment.authorize", p);
    snprintf(p, sizeof p, "{\"order\":%ld,\"status\":\"processing\"}", n);
    call(e, "order.set_status", p);
    snprintf(p, sizeof p, "{\"order\":%ld}", n);
    call(e, "shipment.create", p);
    snprintf(p, sizeof p, "{\"shipment\":%ld}", n);
    call(e, "shipment.hand_over", p);
    snprintf(p, sizeof p, "{\"order\":%ld}", n);
    call(e, "payment.capture", p);
    snprintf(p, sizeof p, "{\"order\":%ld,\"status\":\"shipped\"}", n);
    call(e, "order.set_status", p);
}

int main(int argc, char **argv) {
    long orders = argc > 1 ? atol(argv[1]) : 2000;
    oe_engine *e = NULL;
    if (oe_open(NULL, NULL, &e) != OE_OK) { fprintf(stderr, "%s\n", oe_errmsg(NULL)); return 1; }
    call(e, "settings.set", "{\"seller\":{\"name\":\"Nordisk Kaffe ApS\",\"address\":\"Vestergade 1, 8000 Aarhus C\",\"vat_number\":\"DK13585628\"}}");
    double t0 = now_ns();
    for (long i = 1; i <= orders; i++) lifecycle(e, i);
    double lifecycle_ns = now_ns() - t0;
    const int reads = 100000;
    char *out = NULL;
    for (int i = 0; i < 1000; i++) { oe_call(e, "order.get", "{\"order\":1}", &out); oe_free(out); }
    t0 = now_ns();
    for (int i = 0; i < reads; i++) {
        oe_call(e, "order.get", "{\"order\":1}", &out);
        oe_free(out);
    }
    double get_c = (now_ns() - t0) / reads;
    double get_swift = (double)oe__bench_swift_call(e, "order.get", "{\"order\":1}", reads) / reads;
    printf("oe_call(\"order.get\") from C      %8.2f us\n", get_c / 1000);
    printf("Engine.call(\"order.get\") in Swift %8.2f us  (C/Swift %.2f)\n", get_swift / 1000, get_c / get_swift);
    printf("C-driven lifecycle (in memory)    %8.0f orders/s (%ld orders, 7 commands each)\n", orders / (lifecycle_ns / 1e9), orders);
    oe_close(e);
    return 0;
}
