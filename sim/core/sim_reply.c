/* sim_reply.c - constructors for sim_reply. */
#include "sim_reply.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sim_reply_init(sim_reply *r)
{
    r->status = 200;
    r->body = NULL;
    r->code[0] = '\0';
    r->message = NULL;
}

void sim_reply_release(sim_reply *r)
{
    if (r == NULL)
        return;
    cJSON_Delete(r->body);
    free(r->message);
    r->body = NULL;
    r->message = NULL;
}

void sim_reply_clear(sim_reply *r)
{
    if (r == NULL)
        return;
    sim_reply_release(r);
    sim_reply_init(r);
}

void sim_reply_ok(sim_reply *r, cJSON *body)
{
    sim_reply_release(r);
    sim_reply_init(r);
    r->body = body;
}

int sim_reply_err(sim_reply *r, int status, const char *code, const char *fmt, ...)
{
    sim_reply_release(r);
    r->status = status;
    snprintf(r->code, sizeof r->code, "%s", code);
    if (fmt != NULL) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(NULL, 0, fmt, ap);
        va_end(ap);
        if (n >= 0 && (r->message = malloc((size_t)n + 1)) != NULL) {
            va_start(ap, fmt);
            vsnprintf(r->message, (size_t)n + 1, fmt, ap);
            va_end(ap);
        }
    }
    return 0;
}

int sim_reply_failed(const sim_reply *r)
{
    return r->code[0] != '\0';
}

void sim_reply_move(sim_reply *dst, sim_reply *src)
{
    sim_reply_release(dst);
    *dst = *src;
    sim_reply_init(src);
}
