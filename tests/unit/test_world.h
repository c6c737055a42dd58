/* test_world.h - helpers for unit tests that need a whole world: a regions.conf written
 * from a string, the virtual clock, a fixed seed, in-memory storage. */
#ifndef TEST_WORLD_H
#define TEST_WORLD_H

#include "sim/sim_world.h"

/** Write text to a temporary file and load it; aborts the test on failure. Caller frees
 * with sim_config_destroy (or passes it to sim_world_create). */
sim_config *test_config(const char *text);

/** A world over text (virtual clock, seed 42, logs dropped below WARN to stderr). */
sim_world *test_world(const char *text, const lambda_handler_def *handlers);

/** Run a DynamoDB call directly on the service; returns the reply (caller releases). */
sim_reply test_ddb(sim_world *w, const char *op, const char *json);

#endif
