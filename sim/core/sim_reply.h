/* sim_reply.h - the result of one emulated AWS call, shared by every service and wire
 * protocol: a JSON body on success, or an AWS error (code, HTTP status, message).
 * AWS errors are results, not C failures (STYLE.md section 4). */
#ifndef SIM_REPLY_H
#define SIM_REPLY_H

#include <cjson/cJSON.h>

typedef struct sim_reply {
    int status;      /* HTTP status: 200 on success, 4xx/5xx for an AWS error */
    cJSON *body;     /* success: the response document, owned by the reply (may be NULL) */
    char code[96];   /* error: AWS error code without namespace, e.g. "ResourceNotFoundException";
                        empty string on success */
    char *message;   /* error: message text, owned; NULL when AWS sends none */
} sim_reply;

/** Initialise to an empty success (status 200, no body). */
void sim_reply_init(sim_reply *r);

/** Release body and message, then init. Accepts NULL. */
void sim_reply_clear(sim_reply *r);

/** Release body and message. Accepts NULL. */
void sim_reply_release(sim_reply *r);

/** Set success: status 200 and body (taken; may be NULL for an empty {} reply). */
void sim_reply_ok(sim_reply *r, cJSON *body);

/**
 * Set an AWS error: HTTP status, code (copied, truncated to fit) and a printf message
 * (NULL fmt for none). Any earlier body is released. Returns 0 (so a caller may
 * `return sim_reply_err(...)`).
 */
int sim_reply_err(sim_reply *r, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/** 1 when r holds an AWS error. */
int sim_reply_failed(const sim_reply *r);

/** Move src into dst (dst released first); src is left empty. */
void sim_reply_move(sim_reply *dst, sim_reply *src);

#endif
