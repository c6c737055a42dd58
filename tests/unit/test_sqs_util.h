/* test_sqs_util.h - fixture shared by the tests/unit/test_sqs_*.c files: a virtual clock,
 * scheduler, seeded rng and an SQS service, and helpers to run one call and read its reply.
 * Header-only (static inline) so each test file stays a single translation unit. */
#ifndef TEST_SQS_UTIL_H
#define TEST_SQS_UTIL_H

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "queue/sqs.h"

#define FX_ENDPOINT  "http://127.0.0.1:4566"
#define FX_ACCOUNT   "000000000000"
#define FX_REGION    "us-west-2"
#define FX_URL(name) FX_ENDPOINT "/" FX_ACCOUNT "/" name

/* One call's outcome. */
typedef struct got {
    int calls;        /* times done was called */
    sim_reply r;      /* last reply, moved in */
    sim_time_us at;   /* sched time of the last call */
    sim_sched *sched; /* borrowed, to stamp at */
} got;

typedef struct sqs_fx {
    sim_clock clock;
    sim_sched sched;
    sim_rng rng;
    sim_log log;
    sqs_service *svc;
    got g; /* the reply of the last fx_call */
} sqs_fx;

static inline void got_init(got *g, sim_sched *s)
{
    g->calls = 0;
    g->at = -1;
    g->sched = s;
    sim_reply_init(&g->r);
}

static inline void got_cb(void *arg, sim_reply *r)
{
    got *g = arg;
    g->calls++;
    g->at = sim_sched_now(g->sched);
    sim_reply_move(&g->r, r);
}

static inline void fx_init(sqs_fx *f)
{
    memset(f, 0, sizeof *f);
    sim_clock_init_virtual(&f->clock);
    sim_sched_init(&f->sched, &f->clock);
    sim_rng_seed(&f->rng, 42);
    sim_log_init(&f->log, stderr, SIM_LOG_ERROR, &f->sched);
    sqs_options opt = { FX_REGION, FX_ACCOUNT, FX_ENDPOINT };
    cr_assert_eq(sqs_service_create(&f->sched, &f->rng, &f->log, &opt, &f->svc), 0);
    got_init(&f->g, &f->sched);
}

static inline void fx_release(sqs_fx *f)
{
    sqs_service_destroy(f->svc);
    sim_reply_release(&f->g.r);
    sim_sched_release(&f->sched);
}

/* Run op with a JSON request given as printf text into g (reset first). */
static inline void fx_call_into(sqs_fx *f, got *g, const char *op, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static inline void fx_call_into(sqs_fx *f, got *g, const char *op, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *text = malloc((size_t)n + 1);
    cr_assert_not_null(text);
    va_start(ap, fmt);
    vsnprintf(text, (size_t)n + 1, fmt, ap);
    va_end(ap);
    cJSON *req = cJSON_Parse(text);
    cr_assert_not_null(req, "bad test JSON: %s", text);
    free(text);
    sim_reply_release(&g->r);
    got_init(g, &f->sched);
    sqs_call(f->svc, op, req, got_cb, g);
    cJSON_Delete(req);
}

#define fx_call(f, op, ...) fx_call_into((f), &(f)->g, (op), __VA_ARGS__)

/* String at a path of keys/indices under o, e.g. jpath(body, "Messages", "0", "Body"). */
static inline const cJSON *jget(const cJSON *o, const char *key)
{
    if (cJSON_IsArray(o))
        return cJSON_GetArrayItem(o, atoi(key));
    return cJSON_GetObjectItemCaseSensitive(o, key);
}

static inline const char *jstr2(const cJSON *o, const char *a, const char *b)
{
    const cJSON *v = jget(jget(o, a), b);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static inline const char *jstr(const cJSON *o, const char *a)
{
    const cJSON *v = jget(o, a);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The i-th received message of the last reply. */
static inline const cJSON *fx_msg(const sqs_fx *f, int i)
{
    return cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(f->g.r.body, "Messages"), i);
}

static inline int fx_nmsgs(const sqs_fx *f)
{
    return cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(f->g.r.body, "Messages"));
}

/* Assert the last call succeeded. */
#define fx_ok(f)                                                                      \
    cr_assert(!sim_reply_failed(&(f)->g.r), "unexpected error %s: %s", (f)->g.r.code, \
              (f)->g.r.message ? (f)->g.r.message : "")

/* Assert the last call failed with status, code and message. */
#define fx_err(f, st, cd, msg)                                             \
    do {                                                                   \
        cr_assert_eq((f)->g.r.status, (st));                               \
        cr_assert_str_eq((f)->g.r.code, (cd));                             \
        cr_assert_str_eq((f)->g.r.message ? (f)->g.r.message : "", (msg)); \
    } while (0)

/* Create queue name with extra JSON attributes text ("" for none). */
static inline void fx_queue(sqs_fx *f, const char *name, const char *attrs_json)
{
    if (attrs_json[0])
        fx_call(f, "CreateQueue", "{\"QueueName\":\"%s\",\"Attributes\":%s}", name, attrs_json);
    else
        fx_call(f, "CreateQueue", "{\"QueueName\":\"%s\"}", name);
    fx_ok(f);
}

/* Send body to queue name; returns nothing, asserts success. */
static inline void fx_send(sqs_fx *f, const char *name, const char *body)
{
    fx_call(f, "SendMessage", "{\"QueueUrl\":\"" FX_URL("%s") "\",\"MessageBody\":\"%s\"}", name,
            body);
    fx_ok(f);
}

/* Copy of the ReceiptHandle of received message i (owned). */
static inline char *fx_handle(const sqs_fx *f, int i)
{
    const char *h = jstr(fx_msg(f, i), "ReceiptHandle");
    cr_assert_not_null(h);
    return strdup(h);
}

#endif
