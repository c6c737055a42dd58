/* lambda_int.h - internals shared by lambda_invoke.c, lambda_ctx.c and lambda_esm.c. */
#ifndef LAMBDA_INT_H
#define LAMBDA_INT_H

#include "sim/lambda.h"

typedef struct lambda_fn {
    const sim_cfg_function *cfg;  /* borrowed from the config */
    lambda_handler_fn handler;    /* registered code */
    int in_flight;                /* invocations holding an instance now */
    sim_time_us *idle;            /* owned: last-use times of idle warm instances (a stack) */
    int nidle, capidle;
    uint64_t invocations, errors, throttles, cold_starts, timeouts;
} lambda_fn;

typedef struct lambda_esm lambda_esm;

struct lambda_service {
    sim_services *svc;       /* borrowed */
    sim_rng rng;             /* request ids and handler streams */
    lambda_fn *fns;          /* owned */
    int nfns;
    lambda_esm *esms;        /* owned */
    int nesms;
    struct lambda_inv *live; /* invocations whose fiber has not finished */
    int account_in_flight;   /* unreserved concurrency in use */
    lambda_progress_fn progress;
    void *progress_arg;
    int stopping;
};

/* One invocation: the context a handler sees, and the fiber it runs in. */
struct lambda_ctx {
    sim_caller caller;       /* first: a lambda_ctx is a caller */
    struct lambda_inv *inv;  /* back-pointer */
};

typedef struct lambda_inv {
    lambda_service *ls;
    lambda_fn *fn;
    struct lambda_ctx ctx;
    sim_rng rng;             /* the handler's stream */
    char request_id[37];
    cJSON *event;            /* owned */
    int caller_region;
    lambda_done_fn done;
    void *done_arg;
    sim_timer timer;         /* arrival / timeout / response */
    sim_time_us started_us;  /* handler start */
    sim_time_us deadline_us; /* handler start + timeout */
    lambda_result result;    /* filled when the handler returns or times out */
    int reported;            /* result sent to the caller */
    int holds_instance;      /* counts toward concurrency */
    int handler_rc;
    cJSON *handler_out;
    char *err_type, *err_message; /* set by lambda_error */
    struct lambda_inv *next, *prev; /* in ls->live */
} lambda_inv;

lambda_fn *lambda__fn_find(const lambda_service *ls, const char *name);

/* ESM pollers (lambda_esm.c). */
int lambda__esm_start(lambda_service *ls);
void lambda__esm_stop(lambda_service *ls);
void lambda__esm_free(lambda_service *ls);

#endif
