/*
** host.c: a minimal shop backend on liborderengine. It plugs in its own payment gateway and
** carrier before any command runs (the library has no simulator unless asked), runs one order
** from checkout to invoice, and prints what the engine answers.
*/
#include <orderengine.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A callback's answer, allocated with oe_alloc: the library frees it. */
static char *answer(const char *text) {
    char *p = (char *)oe_alloc(strlen(text) + 1);
    if (p) strcpy(p, text);
    return p;
}

/* The shop's payment gateway: approves every capture, refund and void, knows no old keys. */
static int gateway(void *userdata, const char *request, char **response) {
    int *calls = (int *)userdata;
    ++*calls;
    printf("  gateway asked: %s\n", request);
    if (strstr(request, "\"operation\":\"lookup\"")) *response = answer("{\"status\":\"unknown\"}");
    else *response = answer("{\"status\":\"approved\",\"reference\":\"psp-0001\"}");
    return *response ? 0 : 1;
}

/* The shop's carrier: books a label and returns its tracking number. */
static int carrier(void *userdata, const char *request, char **response) {
    (void)userdata;
    printf("  carrier asked: %s\n", request);
    *response = answer("{\"tracking\":\"GLS-00012345\"}");
    return *response ? 0 : 1;
}

/* Runs a command; prints its result, or its error, and returns the status. */
static int run(oe_engine *e, const char *command, const char *params) {
    char *result = NULL;
    int rc = oe_call(e, command, params, &result);
    if (rc == OE_OK) printf("%s -> %s\n", command, result);
    else printf("%s failed (%d): %s\n  as JSON: %s\n", command, rc, oe_errmsg(e), oe_errjson(e));
    oe_free(result);
    return rc;
}

int main(int argc, char **argv) {
    const char *path = argc > 1 ? argv[1] : ":memory:";
    oe_engine *e = NULL;
    if (oe_open(path, "{\"actor\":\"c-host\",\"payment_gateway\":\"toy-psp\"}", &e) != OE_OK) {
        fprintf(stderr, "oe_open: %s\n", oe_errmsg(NULL));
        return 1;
    }
    printf("OrderEngine %s on %s\n", oe_version(), path);
    int gateway_calls = 0;
    /* Ports first: the first write reconciles what an earlier crash left pending. */
    if (oe_set_port(e, "payment", gateway, &gateway_calls) != OE_OK || oe_set_port(e, "carrier", carrier, NULL) != OE_OK) {
        fprintf(stderr, "oe_set_port: %s\n", oe_errmsg(e));
        return 1;
    }
    int failures = 0;
    /* No invoice without the seller's details (momsbekendtgørelsen § 58): name, address, CVR. */
    failures += run(e, "settings.set",
                    "{\"seller\":{\"name\":\"Nordisk Kaffe ApS\",\"address\":\"Vestergade 1, 8000 Aarhus C\","
                    "\"vat_number\":\"DK13585628\"}}") != OE_OK;
    failures += run(e, "order.create",
                    "{\"customer\":{\"name\":\"Mette Hansen\",\"email\":\"mette@example.dk\"},"
                    "\"lines\":[{\"sku\":\"KAF\",\"name\":\"Kaffe\",\"qty\":2,\"unit_price\":17900}],"
                    "\"delivery\":{\"method\":\"shipping\",\"carrier\":\"GLS\"}}") != OE_OK;
    failures += run(e, "payment.authorize", "{\"order\":1,\"amount\":35800,\"method\":\"dankort\"}") != OE_OK;
    failures += run(e, "shipment.create", "{\"order\":1}") != OE_OK;
    /* The Danish rule: no capture before the parcel left the house. */
    if (run(e, "payment.capture", "{\"order\":1}") != OE_POLICY) failures++;
    failures += run(e, "shipment.hand_over", "{\"shipment\":1}") != OE_OK;
    failures += run(e, "payment.capture", "{\"order\":1}") != OE_OK;
    failures += run(e, "invoice.get", "{\"number\":1}") != OE_OK;
    oe_close(e); /* waits for callbacks in flight: gateway_calls is safe to read now */
    printf("gateway calls: %d; %s\n", gateway_calls, failures ? "FAILED" : "ok");
    return failures ? 1 : 0;
}
