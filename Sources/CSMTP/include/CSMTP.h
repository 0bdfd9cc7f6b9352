/*
 * CSMTP: one SMTP transfer through libcurl, for OrderMail's SMTP client.
 *
 * Why C: curl_easy_setopt is variadic, which Swift cannot call. This shim owns every libcurl
 * call; Swift sees plain structs and an opaque session.
 *
 * Threads: a session is used by one thread at a time; different sessions are independent.
 * curl_global_init runs once, on the first oe_smtp_open (thread-safe since libcurl 7.84).
 */
#ifndef CSMTP_H
#define CSMTP_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* How STARTTLS is used on an smtp:// URL (smtps:// is TLS from the first byte). */
enum { OE_SMTP_TLS_OFF = 0, OE_SMTP_TLS_OPTIONAL = 1, OE_SMTP_TLS_REQUIRED = 2 };

/* One message to one or more recipients. Every string is NUL-terminated UTF-8 and belongs to
 * the caller; the shim copies nothing after oe_smtp_send returns. */
typedef struct oe_smtp_request {
    const char *url;              /* smtp://host:port or smtps://host:port */
    int starttls;                 /* OE_SMTP_TLS_* */
    const char *user;             /* NULL: no AUTH */
    const char *password;         /* NULL with user: empty password */
    const char *ca_file;          /* NULL: the system's CA store */
    const char *mail_from;        /* envelope sender (address only) */
    const char *const *recipients;
    size_t recipient_count;
    const char *data;             /* the finished message, CRLF line ends */
    size_t data_length;
    long timeout_ms;              /* whole transfer; 0: 60 s */
} oe_smtp_request;

/* The outcome of one transfer. */
typedef struct oe_smtp_result {
    int curl_code;                /* 0 = accepted by the server */
    long response_code;           /* the server's last reply code (e.g. 250, 451, 550); 0 if none */
    char server_reply[512];       /* the server's last reply line(s), as it sent them */
    char error[512];              /* libcurl's description of a failure */
    int smtputf8_offered;         /* 1 when this transfer's EHLO reply offered SMTPUTF8 (RFC 6531) */
    int last_line_final;          /* internal: the last line read ended a reply */
} oe_smtp_result;

typedef struct oe_smtp_session oe_smtp_session;

/* Creates a session (one libcurl handle; connections are reused between sends to the same
 * server). Returns NULL when out of memory. */
oe_smtp_session *oe_smtp_open(void);

/* Sends one message. Returns 0 when the server accepted it, else non-zero with *out filled.
 * Never raises or aborts; a NULL session or request returns -1. */
int oe_smtp_send(oe_smtp_session *s, const oe_smtp_request *r, oe_smtp_result *out);

/* Closes the session and its connection. NULL is ignored. */
void oe_smtp_close(oe_smtp_session *s);

#ifdef __cplusplus
}
#endif
#endif
