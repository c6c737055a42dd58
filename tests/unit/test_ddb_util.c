/* test_ddb_util.c - see test_ddb_util.h. Holds no tests. */
#include "tests/unit/test_ddb_util.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void t_init(tenv *e)
{
    sim_clock_init_virtual(&e->clock);
    sim_sched_init(&e->sched, &e->clock);
    sim_rng_seed(&e->rng, 42);
    ddb_options o = { .db_path = NULL, .region = "us-west-2", .account_id = "123456789012" };
    cr_assert_eq(ddb_service_create(&e->sched, &e->rng, NULL, &o, &e->svc), 0);
    sim_reply_init(&e->r);
}

void t_fini(tenv *e)
{
    sim_reply_release(&e->r);
    ddb_service_destroy(e->svc);
    sim_sched_release(&e->sched);
}

/* Parse JSON written with ' for " (test readability). */
cJSON *js(const char *text)
{
    char *s = strdup(text);
    cr_assert_not_null(s);
    for (char *p = s; *p != '\0'; p++)
        if (*p == '\'')
            *p = '"';
    cJSON *j = cJSON_Parse(s);
    cr_assert_not_null(j, "bad test JSON: %s", text);
    free(s);
    return j;
}

/* Run op with request text; the reply stays in e->r until the next call. */
sim_reply *call(tenv *e, const char *op, const char *text)
{
    cJSON *q = js(text);
    sim_reply_clear(&e->r);
    cr_assert_eq(ddb_call(e->svc, op, q, &e->r), 0);
    cJSON_Delete(q);
    return &e->r;
}

void ok(const sim_reply *r)
{
    cr_assert(!sim_reply_failed(r), "unexpected error %s: %s", r->code,
              r->message != NULL ? r->message : "");
}

void fails(const sim_reply *r, const char *code, const char *msg)
{
    cr_assert_eq(r->status, 400, "status %d (%s: %s)", r->status, r->code,
                 r->message != NULL ? r->message : "");
    cr_assert_str_eq(r->code, code);
    cr_assert_not_null(r->message);
    cr_assert_str_eq(r->message, msg);
}

/* Member at a dotted path ("Items.0.pk.S"); numbers index arrays. */
const cJSON *at(const cJSON *doc, const char *path)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    const cJSON *cur = doc;
    for (char *tok = strtok(buf, "."); tok != NULL && cur != NULL; tok = strtok(NULL, ".")) {
        if (cJSON_IsArray(cur) && tok[0] >= '0' && tok[0] <= '9')
            cur = cJSON_GetArrayItem(cur, atoi(tok));
        else
            cur = cJSON_GetObjectItemCaseSensitive(cur, tok);
    }
    return cur;
}

double num_at(const cJSON *doc, const char *path)
{
    const cJSON *n = at(doc, path);
    cr_assert(cJSON_IsNumber(n), "no number at %s", path);
    return n->valuedouble;
}

const char *str_at(const cJSON *doc, const char *path)
{
    const cJSON *n = at(doc, path);
    cr_assert(cJSON_IsString(n), "no string at %s", path);
    return n->valuestring;
}

/* got equals the JSON want (object member order ignored). */
void json_eq(const cJSON *got, const char *want)
{
    cJSON *w = js(want);
    char *g = got != NULL ? cJSON_PrintUnformatted(got) : NULL;
    cr_assert(got != NULL && cJSON_Compare(got, w, 1), "got %s, want %s", g ? g : "(null)", want);
    cJSON_free(g);
    cJSON_Delete(w);
}
