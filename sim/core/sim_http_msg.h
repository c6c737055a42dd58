/* sim_http_msg.h - a neutral HTTP exchange (request + response) handed from the HTTP front
 * (sim/sim_http.c, the only libmicrohttpd code) to the wire-protocol adapters of the
 * services (storage/, queue/, the gateway). Everything here runs on the loop thread. */
#ifndef SIM_HTTP_MSG_H
#define SIM_HTTP_MSG_H

#include <stddef.h>

#include <cjson/cJSON.h>

typedef struct sim_kv {
    char *name;  /* owned */
    char *value; /* owned */
} sim_kv;

typedef struct sim_http_req {
    char *method;          /* owned: "GET", "POST", ... */
    char *path;            /* owned: percent-decoded path without the query, e.g. "/b/k" */
    sim_kv *query;         /* owned: decoded query arguments, in arrival order */
    size_t nquery;
    sim_kv *headers;       /* owned: request headers; names as sent */
    size_t nheaders;
    unsigned char *body;   /* owned: the body, NUL-terminated for convenience; may be NULL */
    size_t body_len;       /* bytes in body, not counting the NUL */
    int body_too_large;    /* 1 when the body exceeded the front's limit and was cut */
} sim_http_req;

typedef struct sim_http_resp {
    int status;            /* HTTP status; 0 until set */
    sim_kv *headers;       /* owned */
    size_t nheaders;
    unsigned char *body;   /* owned (malloc) */
    size_t body_len;
} sim_http_resp;

typedef struct sim_http_exchange sim_http_exchange;

struct sim_http_exchange {
    sim_http_req req;     /* filled by the front; read-only for adapters */
    sim_http_resp resp;   /* filled by the adapter */
    /* Set by the front. The adapter calls it exactly once, when resp is complete; it may
     * call it before its serve function returns. After it, x must not be touched. */
    void (*complete)(sim_http_exchange *x);
    void *front_data;     /* the front's, opaque */
};

/** Value of request header name (case-insensitive), or NULL. Borrowed from req. */
const char *sim_http_req_header(const sim_http_req *req, const char *name);

/** Value of query argument name (case-sensitive), or NULL; "" for a bare "?name". */
const char *sim_http_req_query(const sim_http_req *req, const char *name);

/** 1 when the query holds name, with or without a value. */
int sim_http_req_has_query(const sim_http_req *req, const char *name);

/** Append a response header (both strings copied). Returns 0 or -SIM_ENOMEM. */
int sim_http_resp_header(sim_http_resp *resp, const char *name, const char *value);

/** Set status and body (copied) and, if ctype is not NULL, Content-Type. 0 or -SIM_ENOMEM. */
int sim_http_resp_set(sim_http_resp *resp, int status, const char *ctype, const void *body,
                      size_t len);

/** Set status and a body printed from doc (borrowed) with the given Content-Type. */
int sim_http_resp_json(sim_http_resp *resp, int status, const char *ctype, const cJSON *doc);

/** Free everything req owns and zero it. Accepts NULL. */
void sim_http_req_release(sim_http_req *req);

/** Free everything resp owns and zero it. Accepts NULL. */
void sim_http_resp_release(sim_http_resp *resp);

/**
 * Parse an application/x-www-form-urlencoded body (or query string) into pairs, decoding
 * '+' and %XX. *out is owned by the caller: free with sim_kv_free(*out, *out_n).
 * Returns 0 or -SIM_ENOMEM.
 */
int sim_form_parse(const char *text, size_t len, sim_kv **out, size_t *out_n);

/** Free an array of pairs. Accepts NULL. */
void sim_kv_free(sim_kv *kv, size_t n);

/** Value for name in pairs, or NULL. */
const char *sim_kv_get(const sim_kv *kv, size_t n, const char *name);

#endif
