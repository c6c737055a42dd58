/* lambda_ctx.c - what a handler sees: its context (sim_client.h) and the service client
 * functions, which forward to the caller machinery of sim_caller.c. */
#include "lambda_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core/sim_err.h"

static lambda_inv *inv_of(const lambda_ctx *ctx)
{
    return ctx->inv;
}

const char *lambda_request_id(const lambda_ctx *ctx)
{
    return inv_of(ctx)->request_id;
}

const char *lambda_function_name(const lambda_ctx *ctx)
{
    return inv_of(ctx)->fn->cfg->name;
}

const char *lambda_region(const lambda_ctx *ctx)
{
    const sim_services *svc = ctx->caller.svc;
    return svc->cfg->regions[inv_of(ctx)->fn->cfg->region].name;
}

sim_time_us lambda_remaining_us(const lambda_ctx *ctx)
{
    sim_time_us left = inv_of(ctx)->deadline_us - sim_sched_now(ctx->caller.svc->sched);
    return left > 0 ? left : 0;
}

int64_t lambda_epoch_ms(const lambda_ctx *ctx)
{
    const sim_sched *s = ctx->caller.svc->sched;
    return sim_clock_epoch_us(s->clock, sim_sched_now(s)) / 1000;
}

sim_rng *lambda_rng(lambda_ctx *ctx)
{
    return &inv_of(ctx)->rng;
}

const char *lambda_env(const lambda_ctx *ctx, const char *name)
{
    const sim_cfg_function *f = inv_of(ctx)->fn->cfg;
    for (size_t i = 0; i < f->nenv; i++)
        if (strcmp(f->env_keys[i], name) == 0)
            return f->env_values[i];
    return NULL;
}

void lambda_log(const lambda_ctx *ctx, const char *fmt, ...)
{
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    const lambda_inv *inv = inv_of(ctx);
    sim_log_write(ctx->caller.svc->log, SIM_LOG_INFO, inv->fn->cfg->name, inv->request_id, "%s",
                  text);
}

int lambda_error(lambda_ctx *ctx, const char *type, const char *fmt, ...)
{
    lambda_inv *inv = inv_of(ctx);
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *msg = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (msg != NULL) {
        va_start(ap, fmt);
        vsnprintf(msg, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    free(inv->err_type);
    free(inv->err_message);
    inv->err_type = strdup(type ? type : "Error");
    inv->err_message = msg;
    sim_log_write(ctx->caller.svc->log, SIM_LOG_INFO, inv->fn->cfg->name, inv->request_id,
                  "function error %s: %s", inv->err_type ? inv->err_type : "Error",
                  msg ? msg : "");
    return -SIM_EFUNC;
}

int lambda_sleep(lambda_ctx *ctx, sim_time_us delay_us)
{
    return sim_caller_sleep(&ctx->caller, delay_us);
}

void lambda_progress(lambda_ctx *ctx, int64_t done, int64_t total)
{
    lambda_service *ls = inv_of(ctx)->ls;
    if (ls->progress)
        ls->progress(ls->progress_arg, done, total);
}

sim_call *sim_ddb_start(lambda_ctx *ctx, const char *op, const cJSON *req)
{
    return sim_caller_start(&ctx->caller, SIM_CALL_DDB, op, req);
}

sim_call *sim_sqs_start(lambda_ctx *ctx, const char *op, const cJSON *req)
{
    return sim_caller_start(&ctx->caller, SIM_CALL_SQS, op, req);
}

int sim_await(lambda_ctx *ctx, sim_call *call, sim_reply *out)
{
    return sim_caller_await(&ctx->caller, call, out);
}

/* Start and await in one step, failing fast when the invocation can no longer call. */
static int call_sync(lambda_ctx *ctx, sim_call *call, sim_reply *out)
{
    if (call == NULL)
        return -SIM_ENOMEM;
    return sim_caller_await(&ctx->caller, call, out);
}

static int refuse(const lambda_ctx *ctx)
{
    if (ctx->caller.canceled || ctx->caller.svc->stopping)
        return -SIM_ECANCELED;
    if (ctx->caller.timed_out)
        return -SIM_ETIMEDOUT;
    return 0;
}

int sim_ddb(lambda_ctx *ctx, const char *op, const cJSON *req, sim_reply *out)
{
    int rc = refuse(ctx);
    return rc ? rc : call_sync(ctx, sim_ddb_start(ctx, op, req), out);
}

int sim_sqs(lambda_ctx *ctx, const char *op, const cJSON *req, sim_reply *out)
{
    int rc = refuse(ctx);
    return rc ? rc : call_sync(ctx, sim_sqs_start(ctx, op, req), out);
}

int sim_s3_put(lambda_ctx *ctx, const char *bucket, const char *key, const void *data,
               size_t len, const char *content_type, sim_reply *out)
{
    int rc = refuse(ctx);
    return rc ? rc
              : call_sync(ctx,
                          sim_caller_start_s3_put(&ctx->caller, bucket, key, data, len,
                                                  content_type),
                          out);
}

char *sim_s3_url(const lambda_ctx *ctx, const char *bucket, const char *key)
{
    const char *base = ctx->caller.svc->endpoint_url;
    size_t n = strlen(base) + strlen(bucket) + strlen(key) * 3 + 3;
    char *url = malloc(n);
    if (url == NULL)
        return NULL;
    size_t j = (size_t)snprintf(url, n, "%s/%s/", base, bucket);
    /* Percent-encode what a URL path cannot carry; keep '/' and unreserved characters. */
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~/@", *p))
            url[j++] = (char)*p;
        else {
            url[j++] = '%';
            url[j++] = hex[*p >> 4];
            url[j++] = hex[*p & 15];
        }
    }
    url[j] = '\0';
    return url;
}
