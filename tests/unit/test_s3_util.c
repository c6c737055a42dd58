/* test_s3_util.c - see test_s3_util.h. Holds no tests. */
#include "tests/unit/test_s3_util.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void env_init(env *e)
{
    sim_clock_init_virtual(&e->clock);
    sim_sched_init(&e->sched, &e->clock);
    sim_log_init(&e->log, stderr, SIM_LOG_ERROR, &e->sched);
    s3_options opt = { .db_path = NULL, .region = "us-west-2" };
    cr_assert_eq(s3_service_create(&e->sched, &e->log, &opt, &e->svc), 0);
}

void env_fini(env *e)
{
    s3_service_destroy(e->svc);
    sim_sched_release(&e->sched);
}

/* complete() of every tx: counts the calls. */
static void tx_on_complete(sim_http_exchange *x)
{
    ((tx *)x->front_data)->completed++;
}

/* Append a copy of name=value to the array *arr of *n pairs. */
static void kv_add(sim_kv **arr, size_t *n, const char *name, const char *value)
{
    *arr = realloc(*arr, (*n + 1) * sizeof **arr);
    cr_assert_not_null(*arr);
    (*arr)[*n].name = strdup(name);
    (*arr)[*n].value = strdup(value);
    (*n)++;
}

tx *tx_new(const char *method, const char *path)
{
    tx *t = calloc(1, sizeof *t);
    cr_assert_not_null(t);
    t->x.req.method = strdup(method);
    t->x.req.path = strdup(path);
    t->x.complete = tx_on_complete;
    t->x.front_data = t;
    return t;
}

void tx_query(tx *t, const char *name, const char *value)
{
    kv_add(&t->x.req.query, &t->x.req.nquery, name, value);
}

void tx_header(tx *t, const char *name, const char *value)
{
    kv_add(&t->x.req.headers, &t->x.req.nheaders, name, value);
}

void tx_body(tx *t, const void *body, size_t len)
{
    free(t->x.req.body);
    t->x.req.body = malloc(len + 1);
    cr_assert_not_null(t->x.req.body);
    if (len)
        memcpy(t->x.req.body, body, len);
    t->x.req.body[len] = '\0';
    t->x.req.body_len = len;
}

void tx_serve(env *e, tx *t)
{
    s3_http_serve(e->svc, &t->x);
    cr_assert_eq(t->completed, 1);
}

const char *tx_resp_header(const tx *t, const char *name)
{
    for (size_t i = 0; i < t->x.resp.nheaders; i++)
        if (strcasecmp(t->x.resp.headers[i].name, name) == 0)
            return t->x.resp.headers[i].value;
    return NULL;
}

const char *tx_body_str(const tx *t)
{
    return t->x.resp.body != NULL ? (const char *)t->x.resp.body : "";
}

void tx_free(tx *t)
{
    sim_http_req_release(&t->x.req);
    sim_http_resp_release(&t->x.resp);
    free(t);
}

tx *do_req(env *e, const char *method, const char *path, const char *body)
{
    tx *t = tx_new(method, path);
    if (body != NULL)
        tx_body(t, body, strlen(body));
    tx_serve(e, t);
    return t;
}

void do_ok(env *e, const char *method, const char *path, const char *body, int want)
{
    tx *t = do_req(e, method, path, body);
    cr_assert_eq(t->x.resp.status, want, "%s %s -> %d: %s", method, path, t->x.resp.status,
                 tx_body_str(t));
    tx_free(t);
}
