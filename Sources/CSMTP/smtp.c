/* One SMTP transfer through libcurl: see include/CSMTP.h for the contract. */
#include "CSMTP.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

struct oe_smtp_session {
    CURL *curl;
};

/* The upload source: the message bytes, read in chunks by libcurl. */
typedef struct {
    const char *data;
    size_t length;
    size_t offset;
} upload;

static size_t read_chunk(char *buffer, size_t size, size_t count, void *userdata) {
    upload *u = userdata;
    size_t room = size * count;
    size_t left = u->length - u->offset;
    size_t n = left < room ? left : room;
    memcpy(buffer, u->data + u->offset, n);
    u->offset += n;
    return n;
}

/* Keeps the server's last reply (libcurl passes every line the server sends as HEADER_IN),
 * and notes whether the EHLO reply offers SMTPUTF8. */
static int on_debug(CURL *h, curl_infotype type, char *data, size_t size, void *userdata) {
    (void)h;
    if (type != CURLINFO_HEADER_IN || size == 0) return 0;
    oe_smtp_result *out = userdata;
    if (size >= 12 && memcmp(data, "250", 3) == 0 && (data[3] == '-' || data[3] == ' ') && memcmp(data + 4, "SMTPUTF8", 8) == 0)
        out->smtputf8_offered = 1;
    size_t cap = sizeof out->server_reply - 1;
    /* A new reply starts when the previous line was the last of its reply ("NNN text"); an
     * error reply (4xx, 5xx) is kept, not replaced by the answer to the QUIT that follows it. */
    size_t have = strlen(out->server_reply);
    if (out->last_line_final) {
        if (out->server_reply[0] == '4' || out->server_reply[0] == '5') return 0;
        have = 0;
    }
    out->last_line_final = size >= 4 && data[3] == ' ';
    if (have >= cap) return 0;
    size_t n = size < cap - have ? size : cap - have;
    memcpy(out->server_reply + have, data, n);
    out->server_reply[have + n] = 0;
    return 0;
}

oe_smtp_session *oe_smtp_open(void) {
    static int initialised = 0;
    if (!initialised) {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        initialised = 1;
    }
    oe_smtp_session *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->curl = curl_easy_init();
    if (!s->curl) {
        free(s);
        return NULL;
    }
    return s;
}

int oe_smtp_send(oe_smtp_session *s, const oe_smtp_request *r, oe_smtp_result *out) {
    if (!s || !r || !out) return -1;
    memset(out, 0, sizeof *out);
    CURL *c = s->curl;
    curl_easy_reset(c);
    struct curl_slist *rcpt = NULL;
    for (size_t i = 0; i < r->recipient_count; i++) {
        struct curl_slist *next = curl_slist_append(rcpt, r->recipients[i]);
        if (!next) {
            curl_slist_free_all(rcpt);
            out->curl_code = CURLE_OUT_OF_MEMORY;
            strcpy(out->error, "out of memory");
            return CURLE_OUT_OF_MEMORY;
        }
        rcpt = next;
    }
    upload u = {r->data, r->data_length, 0};
    char errbuf[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(c, CURLOPT_URL, r->url);
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, r->mail_from);
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, read_chunk);
    curl_easy_setopt(c, CURLOPT_READDATA, &u);
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)r->data_length);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, r->timeout_ms > 0 ? r->timeout_ms : 60000L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 15000L);
    curl_easy_setopt(c, CURLOPT_USE_SSL, r->starttls == OE_SMTP_TLS_REQUIRED ? (long)CURLUSESSL_ALL
                                         : r->starttls == OE_SMTP_TLS_OPTIONAL ? (long)CURLUSESSL_TRY
                                                                               : (long)CURLUSESSL_NONE);
    if (r->ca_file) curl_easy_setopt(c, CURLOPT_CAINFO, r->ca_file);
    if (r->user) {
        curl_easy_setopt(c, CURLOPT_USERNAME, r->user);
        curl_easy_setopt(c, CURLOPT_PASSWORD, r->password ? r->password : "");
    }
    curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, on_debug);
    curl_easy_setopt(c, CURLOPT_DEBUGDATA, out);
    curl_easy_setopt(c, CURLOPT_VERBOSE, 1L); /* feeds on_debug; nothing is printed */
    CURLcode rc = curl_easy_perform(c);
    long code = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    curl_slist_free_all(rcpt);
    out->curl_code = (int)rc;
    out->response_code = code;
    /* Strip the reply's trailing CR/LF. */
    size_t n = strlen(out->server_reply);
    while (n > 0 && (out->server_reply[n - 1] == '\r' || out->server_reply[n - 1] == '\n')) out->server_reply[--n] = 0;
    if (rc != CURLE_OK) {
        const char *msg = errbuf[0] ? errbuf : curl_easy_strerror(rc);
        strncpy(out->error, msg, sizeof out->error - 1);
    }
    return (int)rc;
}

void oe_smtp_close(oe_smtp_session *s) {
    if (!s) return;
    curl_easy_cleanup(s->curl);
    free(s);
}
