/* test_world.c - see test_world.h. */
#include "test_world.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

sim_config *test_config(const char *text)
{
    char path[] = "/tmp/stratus-test-XXXXXX";
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
    sim_config *cfg = NULL;
    int rc = sim_config_load(path, stderr, &cfg);
    unlink(path);
    cr_assert_eq(rc, 0, "config did not load");
    return cfg;
}

sim_world *test_world(const char *text, const lambda_handler_def *handlers)
{
    sim_world_options opt = { .seed = 42,
                              .virtual_time = 1,
                              .endpoint_url = "http://127.0.0.1:4566",
                              .handlers = handlers,
                              .log_out = stderr,
                              .log_level = SIM_LOG_WARN,
                              .latency_scale = 1.0 };
    sim_world *w = NULL;
    cr_assert_eq(sim_world_create(test_config(text), &opt, &w), 0);
    return w;
}

sim_reply test_ddb(sim_world *w, const char *op, const char *json)
{
    sim_reply r;
    sim_reply_init(&r);
    cJSON *req = cJSON_Parse(json);
    cr_assert_not_null(req, "bad JSON in test: %s", json);
    ddb_call(w->ddb, op, req, &r);
    cJSON_Delete(req);
    return r;
}
