/* sim_vclient.c - an in-process API client on a fiber, for virtual-time runs. */
#include "sim_vclient.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sim_vclient_init(sim_vclient *c, sim_world *w, const char *name)
{
    memset(c, 0, sizeof *c);
    c->w = w;
    sim_caller_init(&c->caller, &w->svc, w->cfg->client_region);
    c->caller.request_id = name;
}

static void on_complete(sim_http_exchange *x)
{
    sim_vclient *c = (sim_vclient *)((char *)x - offsetof(sim_vclient, x));
    c->x_done = 1;
    if (c->caller.blocked)
        sim_caller_resume(&c->caller);
}

cJSON *sim_vclient_post(sim_vclient *c, const char *path, const cJSON *body, long *out_status)
{
    const sim_config *cfg = c->w->cfg;
    char full[256];
    snprintf(full, sizeof full, "/%s%s", cfg->napis ? cfg->apis[0].stage : "", path);
    memset(&c->x, 0, sizeof c->x);
    c->x.req.method = strdup("POST");
    c->x.req.path = strdup(full);
    char *text = cJSON_PrintUnformatted(body);
    c->x.req.body = (unsigned char *)text;
    c->x.req.body_len = text ? strlen(text) : 0;
    c->x.complete = on_complete;
    c->x_done = 0;
    *out_status = 0;
    if (c->x.req.method == NULL || c->x.req.path == NULL || text == NULL) {
        cJSON_free(text);
        c->x.req.body = NULL;
        sim_http_req_release(&c->x.req);
        return NULL;
    }
    apigw_http_serve(c->w->gateway, &c->x);
    while (!c->x_done)
        if (sim_caller_block(&c->caller) != 0)
            break;
    *out_status = c->x.resp.status;
    cJSON *doc = c->x.resp.body
                     ? cJSON_ParseWithLength((const char *)c->x.resp.body, c->x.resp.body_len)
                     : NULL;
    cJSON_free(c->x.req.body); /* from cJSON's allocator */
    c->x.req.body = NULL;
    sim_http_req_release(&c->x.req);
    sim_http_resp_release(&c->x.resp);
    return doc;
}
