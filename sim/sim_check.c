/* sim_check.c - the milestone check: a client thread speaks HTTP (libcurl) to the API
 * Gateway and AWS ports of this process while the main thread runs the loop. Wall time
 * is measured with sim_clock_wall_us: the figures are what a client would see. */
#include "sim_check.h"

#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <sys/select.h>

#include "sim/core/sim_err.h"
#include "sim/sim_vclient.h"

#define FANOUT_LIMIT_US (180 * SIM_S) /* give up waiting after this */
#define POLL_US (50 * SIM_MS)

typedef struct check_ctx {
    sim_host *h;
    long followers;
    sim_check_result *res;
    CURL *curl;
    uv_async_t async;     /* client thread -> loop: finished */
    volatile int done;
} check_ctx;

typedef struct buf {
    char *p;
    size_t n;
} buf;

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *ud)
{
    buf *b = ud;
    size_t n = size * nmemb;
    char *p = realloc(b->p, b->n + n + 1);
    if (p == NULL)
        return 0;
    memcpy(p + b->n, ptr, n);
    b->n += n;
    p[b->n] = '\0';
    b->p = p;
    return n;
}

/* POST body to url with extra header (may be NULL); *out_status, parsed JSON reply. */
static cJSON *post(check_ctx *c, const char *url, const char *header, const char *body,
                   long *out_status)
{
    buf b = { NULL, 0 };
    struct curl_slist *hs = curl_slist_append(NULL, "Content-Type: application/json");
    if (header)
        hs = curl_slist_append(hs, header);
    curl_easy_setopt(c->curl, CURLOPT_URL, url);
    curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, hs);
    curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, &b);
    CURLcode rc = curl_easy_perform(c->curl);
    curl_slist_free_all(hs);
    *out_status = 0;
    if (rc == CURLE_OK)
        curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, out_status);
    cJSON *doc = b.p ? cJSON_Parse(b.p) : NULL;
    free(b.p);
    return doc;
}

static cJSON *api(check_ctx *c, const char *path, const cJSON *body, long *status)
{
    char url[256];
    snprintf(url, sizeof url, "%s%s", c->h->api_url, path);
    char *text = cJSON_PrintUnformatted(body);
    cJSON *r = post(c, url, NULL, text, status);
    cJSON_free(text);
    return r;
}

static const char *str(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Live item count of a table (DescribeTable on the AWS port; consumes no capacity). */
static long item_count(check_ctx *c, const char *table)
{
    char body[256];
    long status;
    snprintf(body, sizeof body, "{\"TableName\":\"%s\"}", table);
    cJSON *r = post(c, c->h->aws_url, "X-Amz-Target: DynamoDB_20120810.DescribeTable", body,
                    &status);
    long n = -1;
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(r, "Table");
    const cJSON *ic = cJSON_GetObjectItemCaseSensitive(t, "ItemCount");
    if (cJSON_IsNumber(ic))
        n = (long)ic->valuedouble;
    cJSON_Delete(r);
    return n;
}

static cJSON *paged(const char *token, const char *alias, int size)
{
    cJSON *q = cJSON_CreateObject();
    cJSON_AddStringToObject(q, "token", token);
    cJSON_AddStringToObject(q, "userAlias", alias);
    cJSON_AddNumberToObject(q, "pageSize", size);
    cJSON_AddNullToObject(q, "lastItem");
    return q;
}

/* Does the first item of a story/feed page carry text? */
static int first_is(const cJSON *page, const char *text)
{
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(page, "items");
    const cJSON *first = cJSON_GetArrayItem(items, 0);
    const char *p = str(first, "post");
    return p && strcmp(p, text) == 0;
}

static void run_client(check_ctx *c)
{
    sim_check_result *res = c->res;
    long status;
    cJSON *login = cJSON_CreateObject();
    cJSON_AddStringToObject(login, "alias", "@daisy");
    cJSON_AddStringToObject(login, "password", "password");
    cJSON *r = api(c, "/user/login", login, &status);
    cJSON_Delete(login);
    const cJSON *user = cJSON_GetObjectItemCaseSensitive(r, "user");
    const char *token = str(cJSON_GetObjectItemCaseSensitive(r, "authToken"), "token");
    if (status != 200 || token == NULL) {
        snprintf(res->error, sizeof res->error, "login as @daisy failed (HTTP %ld)", status);
        cJSON_Delete(r);
        return;
    }
    char tok[64];
    snprintf(tok, sizeof tok, "%s", token);
    long before = item_count(c, "feed");

    char text[96];
    snprintf(text, sizeof text, "Milestone post %lld", (long long)sim_clock_wall_us());
    cJSON *ps = cJSON_CreateObject();
    cJSON_AddStringToObject(ps, "token", tok);
    cJSON *st = cJSON_AddObjectToObject(ps, "newStatus");
    cJSON_AddStringToObject(st, "post", text);
    cJSON_AddItemToObject(st, "user", cJSON_Duplicate(user, 1));
    cJSON_AddNumberToObject(st, "timestamp", 1767225600000.0);
    cJSON_Delete(r);
    sim_time_us t0 = sim_clock_wall_us();
    r = api(c, "/status/post", ps, &status);
    sim_time_us t1 = sim_clock_wall_us();
    cJSON_Delete(ps);
    res->post_ms = (double)(t1 - t0) / 1000.0;
    if (status != 200) {
        char *txt = cJSON_PrintUnformatted(r);
        snprintf(res->error, sizeof res->error, "post failed (HTTP %ld): %.180s", status,
                 txt ? txt : "");
        cJSON_free(txt);
        cJSON_Delete(r);
        return;
    }
    cJSON_Delete(r);

    cJSON *q = paged(tok, "@daisy", 1);
    sim_time_us s0 = sim_clock_wall_us();
    r = api(c, "/status/story", q, &status);
    res->story_page_ms = (double)(sim_clock_wall_us() - s0) / 1000.0;
    res->story_ok = status == 200 && first_is(r, text);
    cJSON_Delete(r);
    cJSON_Delete(q);

    long want = before + c->followers;
    long have = before;
    sim_time_us done_at = 0;
    while (sim_clock_wall_us() - t0 < FANOUT_LIMIT_US) {
        have = item_count(c, "feed");
        if (have >= want) {
            done_at = sim_clock_wall_us();
            break;
        }
        /* Poll: block on an empty select for POLL_US. */
        struct timeval tv = { 0, (suseconds_t)POLL_US };
        select(0, NULL, NULL, NULL, &tv);
    }
    res->feeds_delivered = have - before;
    res->fanout_s = done_at ? (double)(done_at - t0) / 1e6 : (double)FANOUT_LIMIT_US / 1e6;

    /* Feed pages of three followers: the post must be the newest item; time one. */
    char alias[32];
    long samples[3] = { 1, c->followers / 2, c->followers };
    res->feed_ok = 1;
    for (int i = 0; i < 3; i++) {
        snprintf(alias, sizeof alias, "@donald%ld", samples[i] < 1 ? 1 : samples[i]);
        q = paged(tok, alias, 10);
        sim_time_us f0 = sim_clock_wall_us();
        r = api(c, "/status/feed", q, &status);
        if (i == 0)
            res->feed_page_ms = (double)(sim_clock_wall_us() - f0) / 1000.0;
        if (status != 200 || !first_is(r, text))
            res->feed_ok = 0;
        cJSON_Delete(r);
        cJSON_Delete(q);
    }
}

static void *client_thread(void *arg)
{
    check_ctx *c = arg;
    c->curl = curl_easy_init();
    if (c->curl == NULL)
        snprintf(c->res->error, sizeof c->res->error, "libcurl failed to start");
    else {
        curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c->curl, CURLOPT_TIMEOUT, 60L);
        run_client(c);
        curl_easy_cleanup(c->curl);
    }
    uv_async_send(&c->async);
    return NULL;
}

static void on_client_done(uv_async_t *a)
{
    check_ctx *c = a->data;
    c->done = 1;
}

int sim_check_milestone(sim_host *h, long followers, sim_check_result *out)
{
    memset(out, 0, sizeof *out);
    out->followers = followers;
    check_ctx c = { .h = h, .followers = followers, .res = out };
    if (uv_async_init(&h->loop, &c.async, on_client_done) != 0)
        return -SIM_EIO;
    c.async.data = &c;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    pthread_t th;
    if (pthread_create(&th, NULL, client_thread, &c) != 0) {
        uv_close((uv_handle_t *)&c.async, NULL);
        return -SIM_EIO;
    }
    sim_host_run_until(h, &c.done);
    pthread_join(th, NULL);
    uv_close((uv_handle_t *)&c.async, NULL);
    uv_run(&h->loop, UV_RUN_NOWAIT);
    curl_global_cleanup();
    out->pass = out->error[0] == '\0' && out->post_ms < 1000.0 && out->fanout_s < 120.0 &&
                out->feed_page_ms < 1000.0 && out->feeds_delivered == followers &&
                out->story_ok && out->feed_ok;
    return out->error[0] ? -SIM_EIO : 0;
}

/* ---- virtual time: the client is a fiber in the client's region, inside the process ---- */

typedef struct vclient {
    sim_vclient base;         /* first: caller, world and the request in flight */
    long followers;
    sim_check_result *res;
    int done;
} vclient;

/* Live item count of table, read by the observer (no latency, no capacity). */
static long vitem_count(vclient *c, const char *table)
{
    cJSON *req = cJSON_CreateObject();
    cJSON_AddStringToObject(req, "TableName", table);
    sim_reply r;
    sim_reply_init(&r);
    ddb_call(c->base.w->ddb, "DescribeTable", req, &r);
    cJSON_Delete(req);
    const cJSON *ic = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(r.body, "Table"), "ItemCount");
    long n = cJSON_IsNumber(ic) ? (long)ic->valuedouble : -1;
    sim_reply_release(&r);
    return n;
}

static void vclient_body(void *arg)
{
    vclient *c = arg;
    sim_check_result *res = c->res;
    sim_world *w = c->base.w;
    long status;
    cJSON *login = cJSON_CreateObject();
    cJSON_AddStringToObject(login, "alias", "@daisy");
    cJSON_AddStringToObject(login, "password", "password");
    cJSON *r = sim_vclient_post(&c->base, "/user/login", login, &status);
    cJSON_Delete(login);
    const char *token = str(cJSON_GetObjectItemCaseSensitive(r, "authToken"), "token");
    if (status != 200 || token == NULL) {
        snprintf(res->error, sizeof res->error, "login as @daisy failed (HTTP %ld)", status);
        cJSON_Delete(r);
        return;
    }
    char tok[64];
    snprintf(tok, sizeof tok, "%s", token);
    long before = vitem_count(c, "feed");
    const char *text = "Milestone post";
    cJSON *ps = cJSON_CreateObject();
    cJSON_AddStringToObject(ps, "token", tok);
    cJSON *st = cJSON_AddObjectToObject(ps, "newStatus");
    cJSON_AddStringToObject(st, "post", text);
    cJSON_AddItemToObject(st, "user", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(r, "user"), 1));
    cJSON_AddNumberToObject(st, "timestamp",
                            (double)(sim_clock_epoch_us(&w->clock, sim_now_us(w)) / 1000));
    cJSON_Delete(r);
    sim_time_us t0 = sim_now_us(w);
    r = sim_vclient_post(&c->base, "/status/post", ps, &status);
    res->post_ms = (double)(sim_now_us(w) - t0) / 1000.0;
    cJSON_Delete(ps);
    cJSON_Delete(r);
    if (status != 200) {
        snprintf(res->error, sizeof res->error, "post failed (HTTP %ld)", status);
        return;
    }
    cJSON *q = paged(tok, "@daisy", 1);
    sim_time_us s0 = sim_now_us(w);
    r = sim_vclient_post(&c->base, "/status/story", q, &status);
    res->story_page_ms = (double)(sim_now_us(w) - s0) / 1000.0;
    res->story_ok = status == 200 && first_is(r, text);
    cJSON_Delete(r);
    cJSON_Delete(q);
    long want = before + c->followers, have = before;
    sim_time_us done_at = 0;
    while (sim_now_us(w) - t0 < FANOUT_LIMIT_US) {
        have = vitem_count(c, "feed");
        if (have >= want) {
            done_at = sim_now_us(w);
            break;
        }
        if (sim_caller_sleep(&c->base.caller, 10 * SIM_MS) != 0)
            break;
    }
    res->feeds_delivered = have - before;
    res->fanout_s = done_at ? (double)(done_at - t0) / 1e6 : (double)FANOUT_LIMIT_US / 1e6;
    char alias[32];
    long samples[3] = { 1, c->followers / 2, c->followers };
    res->feed_ok = 1;
    for (int i = 0; i < 3; i++) {
        snprintf(alias, sizeof alias, "@donald%ld", samples[i] < 1 ? 1 : samples[i]);
        q = paged(tok, alias, 10);
        sim_time_us f0 = sim_now_us(w);
        r = sim_vclient_post(&c->base, "/status/feed", q, &status);
        if (i == 0)
            res->feed_page_ms = (double)(sim_now_us(w) - f0) / 1000.0;
        if (status != 200 || !first_is(r, text))
            res->feed_ok = 0;
        cJSON_Delete(r);
        cJSON_Delete(q);
    }
}

static void vclient_finished(sim_caller *caller)
{
    ((vclient *)caller)->done = 1;
}

/* Fire events one at a time until *flag or until the clock passes limit_us. */
static void run_virtual(sim_world *w, volatile int *flag, sim_time_us limit_us)
{
    while (!*flag && sim_now_us(w) < limit_us)
        if (sim_sched_run_until_idle(&w->sched, 1) == 0)
            break;
}

typedef struct vpop {
    int done, failed;
    char *summary;
} vpop;

static void on_vpopulated(void *arg, lambda_result *res)
{
    vpop *p = arg;
    p->failed = res->function_error;
    p->summary = cJSON_PrintUnformatted(res->payload);
    p->done = 1;
}

int sim_check_populate_virtual(sim_world *w, int64_t count)
{
    vpop p = { 0 };
    cJSON *ev = sim_host_populate_event(w->cfg, count);
    int rc = lambda_invoke(w->lambda, "tweeterPopulate", ev,
                           lambda_function_region(w->lambda, "tweeterPopulate"), on_vpopulated, &p);
    if (rc != 0) {
        cJSON_Delete(ev);
        fprintf(stderr, "stratus: populate: no function tweeterPopulate\n");
        return rc;
    }
    run_virtual(w, &p.done, sim_now_us(w) + 3600 * SIM_S);
    if (!p.done || p.failed) {
        fprintf(stderr, "stratus: populate failed: %s\n", p.summary ? p.summary : "(no answer)");
        rc = -SIM_EFUNC;
    }
    cJSON_free(p.summary);
    return rc;
}

int sim_check_milestone_virtual(sim_world *w, long followers, sim_check_result *out)
{
    memset(out, 0, sizeof *out);
    out->followers = followers;
    vclient *c = calloc(1, sizeof *c);
    if (c == NULL)
        return -SIM_ENOMEM;
    sim_vclient_init(&c->base, w, "client");
    c->followers = followers;
    c->res = out;
    c->base.caller.on_finish = vclient_finished;
    int rc = sim_fiber_create(vclient_body, c, 0, &c->base.caller.fiber);
    if (rc == 0) {
        sim_caller_resume(&c->base.caller);
        run_virtual(w, &c->done, sim_now_us(w) + FANOUT_LIMIT_US + 60 * SIM_S);
        if (!c->done)
            snprintf(out->error, sizeof out->error, "the client did not finish");
    }
    if (c->done)
        sim_fiber_destroy(c->base.caller.fiber);
    else if (c->base.caller.fiber) {
        /* unwind it before the world goes */
        c->base.caller.canceled = 1;
        sim_caller_interrupt(&c->base.caller);
        sim_fiber_destroy(c->base.caller.fiber);
    }
    sim_timer_stop(&w->sched, &c->base.caller.sleep_timer);
    free(c);
    out->pass = out->error[0] == '\0' && out->post_ms < 1000.0 && out->fanout_s < 120.0 &&
                out->feed_page_ms < 1000.0 && out->feeds_delivered == followers &&
                out->story_ok && out->feed_ok;
    return rc;
}
