/* sim_http.h - the HTTP front: libmicrohttpd, polled by the loop (no thread of its own),
 * accepts requests and routes each on the loop thread; a request answered after its route
 * returns suspends its connection until the response is ready. The only libmicrohttpd code in Stratus. Binds 127.0.0.1 only. */
#ifndef SIM_HTTP_H
#define SIM_HTTP_H

#include <stddef.h>

#include <uv.h>

#include "sim/core/sim_http_msg.h"

typedef struct sim_http sim_http;

/** Called on the loop thread for each request; must complete x exactly once. */
typedef void (*sim_http_route_fn)(void *arg, sim_http_exchange *x);

/**
 * Listen on 127.0.0.1:port (0 picks a free port). Bodies over max_body_bytes are cut and
 * flagged (x->req.body_too_large) for the route to refuse. loop and arg borrowed.
 * *out owned: sim_http_stop(). Returns 0, -SIM_EIO (cannot bind; logged to stderr) or
 * -SIM_ENOMEM.
 */
int sim_http_start(uv_loop_t *loop, int port, size_t max_body_bytes, sim_http_route_fn route,
                   void *arg, sim_http **out);

/** The port actually bound. */
int sim_http_port(const sim_http *h);

/** Stop accepting connections; requests in flight continue. */
void sim_http_quiesce(sim_http *h);

/** Requests handed to the loop and not yet completed. */
int sim_http_in_flight(const sim_http *h);

/**
 * Answer whatever is still in flight with 503, give MHD up to 2 s of wall time to send
 * the answers, stop the daemon, and free once the loop has run the handles' close. Loop
 * thread only. Accepts NULL.
 */
void sim_http_stop(sim_http *h);

#endif
