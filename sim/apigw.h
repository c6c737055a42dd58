/* apigw.h - API Gateway (REST API, non-proxy Lambda integrations): stage routing, the
 * 403 "Missing Authentication Token" for unknown routes, CORS, the integration-response
 * mapping of Lambda errors to HTTP statuses, and the 29 s integration timeout.
 * Sources: API Gateway developer guide - "Handle Lambda errors in API Gateway",
 * "Set up Lambda custom integrations", "Amazon API Gateway quotas" (29 s timeout);
 * AWS knowledge center "API Gateway 403 Missing Authentication Token". */
#ifndef APIGW_H
#define APIGW_H

#include <stddef.h>

#include "sim/core/sim_http_msg.h"
#include "sim/core/sim_rng.h"
#include "sim/lambda.h"
#include "sim/sim_caller.h"

typedef struct apigw apigw;

/**
 * Create the gateway for every [api] of svc->cfg (borrowed), invoking functions through
 * ls (borrowed). Compiles the error_response patterns (-SIM_ECONFIG, logged, when one is
 * not a valid POSIX extended regex). *out owned: apigw_destroy(). rng: forked stream for
 * request ids.
 */
int apigw_create(sim_services *svc, lambda_service *ls, sim_rng *parent, apigw **out);

/** Free. Requests in flight are answered first by the HTTP front's drain. NULL ok. */
void apigw_destroy(apigw *gw);

/**
 * Serve one request on the API port: /{stage}/{resource path}. The client's latency to
 * the API's region applies both ways (the client lives in [world] client_region).
 * Completes x (x->complete) exactly once, later.
 */
void apigw_http_serve(apigw *gw, sim_http_exchange *x);

/** The AWS-endpoint form: /restapis/{api}/{stage}/_user_request_/{path}. */
void apigw_http_serve_aws(apigw *gw, sim_http_exchange *x);

/** Requests currently being served. */
int apigw_in_flight(const apigw *gw);

/* ---- routing (apigw_route.c) ---- */

/** The route of api matching method and resource path exactly, or NULL. */
const sim_cfg_route *apigw_route_find(const sim_cfg_api *api, const char *method,
                                      const char *path);

/** 1 when some route of api has this resource path (any method): OPTIONS is answered. */
int apigw_route_path_exists(const sim_cfg_api *api, const char *path);

/**
 * The route closest to "METHOD /full/path" by edit distance over "METHOD /stage/path",
 * or NULL when api has none; for the log line that explains a 403.
 */
const sim_cfg_route *apigw_route_closest(const sim_cfg_api *api, const char *method,
                                         const char *full_path);

/** Levenshtein distance between a and b (bytes). */
size_t apigw_edit_distance(const char *a, const char *b);

#endif
