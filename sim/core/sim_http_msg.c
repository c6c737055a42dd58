/* sim_http_msg.c - helpers for the neutral HTTP exchange; no socket code here. */
#include "sim_http_msg.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sim_err.h"

const char *sim_http_req_header(const sim_http_req *req, const char *name)
{
    for (size_t i = 0; i < req->nheaders; i++)
        if (strcasecmp(req->headers[i].name, name) == 0)
            return req->headers[i].value;
    return NULL;
}

const char *sim_http_req_query(const sim_http_req *req, const char *name)
{
    return sim_kv_get(req->query, req->nquery, name);
}

int sim_http_req_has_query(const sim_http_req *req, const char *name)
{
    for (size_t i = 0; i < req->nquery; i++)
        if (strcmp(req->query[i].name, name) == 0)
            return 1;
    return 0;
}

static int kv_push(sim_kv **arr, size_t *n, const char *name, size_t nlen, const char *value,
                   size_t vlen)
{
    sim_kv *a = realloc(*arr, (*n + 1) * sizeof *a);
    if (a == NULL)
        return -SIM_ENOMEM;
    *arr = a;
    a[*n].name = strndup(name, nlen);
    a[*n].value = strndup(value, vlen);
    if (a[*n].name == NULL || a[*n].value == NULL) {
        free(a[*n].name);
        free(a[*n].value);
        return -SIM_ENOMEM;
    }
    (*n)++;
    return 0;
}

int sim_http_resp_header(sim_http_resp *resp, const char *name, const char *value)
{
    return kv_push(&resp->headers, &resp->nheaders, name, strlen(name), value, strlen(value));
}

int sim_http_resp_set(sim_http_resp *resp, int status, const char *ctype, const void *body,
                      size_t len)
{
    unsigned char *copy = malloc(len + 1);
    if (copy == NULL)
        return -SIM_ENOMEM;
    if (len)
        memcpy(copy, body, len);
    copy[len] = '\0';
    free(resp->body);
    resp->body = copy;
    resp->body_len = len;
    resp->status = status;
    if (ctype != NULL)
        return sim_http_resp_header(resp, "Content-Type", ctype);
    return 0;
}

int sim_http_resp_json(sim_http_resp *resp, int status, const char *ctype, const cJSON *doc)
{
    char *text = cJSON_PrintUnformatted(doc);
    if (text == NULL)
        return -SIM_ENOMEM;
    int rc = sim_http_resp_set(resp, status, ctype, text, strlen(text));
    cJSON_free(text);
    return rc;
}

void sim_kv_free(sim_kv *kv, size_t n)
{
    if (kv == NULL)
        return;
    for (size_t i = 0; i < n; i++) {
        free(kv[i].name);
        free(kv[i].value);
    }
    free(kv);
}

const char *sim_kv_get(const sim_kv *kv, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(kv[i].name, name) == 0)
            return kv[i].value;
    return NULL;
}

void sim_http_req_release(sim_http_req *req)
{
    if (req == NULL)
        return;
    free(req->method);
    free(req->path);
    sim_kv_free(req->query, req->nquery);
    sim_kv_free(req->headers, req->nheaders);
    free(req->body);
    memset(req, 0, sizeof *req);
}

void sim_http_resp_release(sim_http_resp *resp)
{
    if (resp == NULL)
        return;
    sim_kv_free(resp->headers, resp->nheaders);
    free(resp->body);
    memset(resp, 0, sizeof *resp);
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decode '+' and %XX of s[0..len) into a new NUL-terminated string; *out_len its length. */
static char *form_decode(const char *s, size_t len, size_t *out_len)
{
    char *o = malloc(len + 1);
    if (o == NULL)
        return NULL;
    size_t j = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '+') {
            o[j++] = ' ';
        } else if (s[i] == '%' && i + 2 < len && hexval((unsigned char)s[i + 1]) >= 0 &&
                   hexval((unsigned char)s[i + 2]) >= 0) {
            o[j++] = (char)(hexval((unsigned char)s[i + 1]) * 16 + hexval((unsigned char)s[i + 2]));
            i += 2;
        } else {
            o[j++] = s[i];
        }
    }
    o[j] = '\0';
    *out_len = j;
    return o;
}

int sim_form_parse(const char *text, size_t len, sim_kv **out, size_t *out_n)
{
    sim_kv *arr = NULL;
    size_t n = 0;
    size_t i = 0;
    while (i < len) {
        size_t end = i;
        while (end < len && text[end] != '&')
            end++;
        if (end > i) {
            size_t eq = i;
            while (eq < end && text[eq] != '=')
                eq++;
            size_t nl, vl;
            char *name = form_decode(text + i, eq - i, &nl);
            char *value = eq < end ? form_decode(text + eq + 1, end - eq - 1, &vl)
                                   : form_decode("", 0, &vl);
            int rc = (name && value) ? kv_push(&arr, &n, name, nl, value, vl) : -SIM_ENOMEM;
            free(name);
            free(value);
            if (rc != 0) {
                sim_kv_free(arr, n);
                return rc;
            }
        }
        i = end + 1;
    }
    *out = arr;
    *out_n = n;
    return 0;
}
