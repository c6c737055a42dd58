/* sim_vclient.h - the client of virtual-time runs (check milestone --virtual-time,
 * experiments): a fiber in [world] client_region that POSTs to the API Gateway stage
 * in-process, as an HTTP client would but without a socket. The gateway applies the
 * client's latency both ways; the fiber blocks on the world's clock. */
#ifndef SIM_VCLIENT_H
#define SIM_VCLIENT_H

#include <cjson/cJSON.h>

#include "sim/sim_world.h"

typedef struct sim_vclient {
    sim_caller caller;    /* first: a vclient is a caller (blocks and sleeps on the clock) */
    sim_world *w;         /* borrowed */
    sim_http_exchange x;  /* the request in flight */
    int x_done;           /* its reply arrived */
} sim_vclient;

/** Initialise c in w's client region; name labels its trace events (borrowed). The
 * creator sets c->caller.fiber and on_finish. */
void sim_vclient_init(sim_vclient *c, sim_world *w, const char *name);

/**
 * From inside c's fiber: POST body (borrowed) to the first API's stage + path, block
 * until the reply lands. Returns the reply's JSON (caller owns; NULL if none or not JSON)
 * and sets *out_status (0 when the request could not be made).
 */
cJSON *sim_vclient_post(sim_vclient *c, const char *path, const cJSON *body, long *out_status);

#endif
