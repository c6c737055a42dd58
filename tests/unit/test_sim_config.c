/* test_sim_config.c - regions.conf: distributions, defaults, cross-reference errors that
 * name file, line and key. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/core/sim_err.h"
#include "sim/sim_config.h"
#include "sim/sim_region.h"
#include "test_world.h"

#define BASE                                                                                      \
    "[world]\ndefault_region = r1\nclient_region = c\n"                                           \
    "[region c]\nkind = client\n"                                                                 \
    "[latency c r1]\none_way_ms = 10\n"                                                           \
    "[latency r1 r1]\none_way_ms = fixed(1.5)\n"

/* Load text expecting failure; returns the error output. */
static char *load_fails(const char *text)
{
    char path[] = "/tmp/stratus-cfg-XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
    char *err = NULL;
    size_t len = 0;
    FILE *e = open_memstream(&err, &len);
    sim_config *cfg = NULL;
    int rc = sim_config_load(path, e, &cfg);
    fclose(e);
    unlink(path);
    cr_assert_eq(rc, -SIM_ECONFIG);
    cr_assert_null(cfg);
    /* Replace the random file name so tests can compare text. */
    char *p = strstr(err, path);
    char *out = malloc(len + 16);
    if (p) {
        size_t pre = (size_t)(p - err);
        memcpy(out, err, pre);
        strcpy(out + pre, "FILE");
        strcat(out, p + strlen(path));
    } else
        strcpy(out, err);
    free(err);
    return out;
}

Test(sim_config, distributions_parse_in_microseconds)
{
    sim_dist d;
    cr_assert_eq(sim_dist_parse("lognormal(15, 0.25)", 1000.0, &d), 0);
    cr_assert_eq(d.kind, SIM_DIST_LOGNORMAL);
    cr_assert_float_eq(d.a, 15000.0, 1e-9);
    cr_assert_float_eq(d.b, 0.25, 1e-9);
    cr_assert_eq(sim_dist_parse("normal(1.5, 0.4)", 1000.0, &d), 0);
    cr_assert_float_eq(d.a, 1500.0, 1e-9);
    cr_assert_float_eq(d.b, 400.0, 1e-9);
    cr_assert_eq(sim_dist_parse("600", 1e6, &d), 0);
    cr_assert_eq(d.kind, SIM_DIST_FIXED);
    cr_assert_float_eq(d.a, 600e6, 1e-3);
    cr_assert_eq(sim_dist_parse("uniform(300, 900)", 1e6, &d), 0);
    cr_assert_eq(sim_dist_parse("gamma(1, 2)", 1000.0, &d), -SIM_EINVAL);
    cr_assert_eq(sim_dist_parse("normal(1)", 1000.0, &d), -SIM_EINVAL);
    cr_assert_eq(sim_dist_parse("-5", 1000.0, &d), -SIM_EINVAL);
    cr_assert_eq(sim_dist_parse("uniform(9, 3)", 1000.0, &d), -SIM_EINVAL);
}

Test(sim_config, resources_default_to_the_default_region)
{
    sim_config *cfg = test_config(BASE "[table t]\npartition_key = id:S\n"
                                       "[queue q]\n[function f]\nhandler = h\n");
    int r1 = sim_config_region(cfg, "r1");
    cr_assert_geq(r1, 0);
    cr_assert_eq(cfg->tables[0].region, r1);
    cr_assert_eq(cfg->tables[0].rcu, 5);
    cr_assert_eq(cfg->queues[0].region, r1);
    cr_assert_eq(cfg->queues[0].visibility_timeout_s, 30); /* AWS default */
    cr_assert_eq(cfg->functions[0].timeout_us, 3 * SIM_S); /* AWS default */
    cr_assert_eq(cfg->functions[0].memory_mb, 128);
    sim_config_destroy(cfg);
}

Test(sim_config, an_error_names_file_line_and_key)
{
    char *err = load_fails(BASE "[table t]\npartition_key = id:X\n");
    cr_assert_str_eq(err, "FILE:11: partition_key: expected name:S, name:N or name:B, got 'id:X'\n");
    free(err);
    err = load_fails(BASE "[queue q]\nvisibility_timeout_s = 50000\n");
    cr_assert_str_eq(err, "FILE:11: visibility_timeout_s: unknown key or value out of AWS's "
                          "range ('50000')\n");
    free(err);
}

Test(sim_config, references_must_exist)
{
    char *err = load_fails(BASE "[event_source_mapping m]\nqueue = nope\nfunction = f\n"
                                "[function f]\nhandler = h\n");
    cr_assert(strstr(err, "queue names no [queue] 'nope'"), "%s", err);
    free(err);
    err = load_fails(BASE "[region far]\n[table t]\nregion = far\npartition_key = k:S\n"
                          "[function f]\nhandler = h\n");
    cr_assert(strstr(err, "no [latency r1 far] section for a pair this world uses"), "%s", err);
    free(err);
}

Test(sim_config, overrides_change_one_key)
{
    sim_config *cfg = test_config(BASE "[table feed]\npartition_key = a:S\nwcu = 200\n");
    cr_assert_eq(sim_config_set(cfg, "table feed", "wcu", "500", stderr), 0);
    cr_assert_eq(cfg->tables[0].wcu, 500);
    cr_assert_eq(cfg->ntables, 1);
    cr_assert_eq(sim_config_set(cfg, "table feed", "wcu", "zero", stderr), -SIM_ECONFIG);
    sim_config_destroy(cfg);
}

Test(sim_region, draws_are_seeded_and_truncated_at_zero)
{
    sim_config *cfg = test_config(BASE "[latency r1 r2]\none_way_ms = normal(1, 5)\n");
    sim_rng root1, root2;
    sim_rng_seed(&root1, 7);
    sim_rng_seed(&root2, 7);
    sim_region_model a, b;
    sim_region_init(&a, cfg, &root1);
    sim_region_init(&b, cfg, &root2);
    int r1 = sim_config_region(cfg, "r1"), r2 = sim_config_region(cfg, "r2");
    int c = sim_config_region(cfg, "c");
    for (int i = 0; i < 1000; i++) {
        sim_time_us x = sim_region_latency_us(&a, r1, r2);
        cr_assert_eq(x, sim_region_latency_us(&b, r2, r1)); /* symmetric, same stream */
        cr_assert_geq(x, 0);
    }
    cr_assert_eq(sim_region_latency_us(&a, c, r1), 10000); /* fixed 10 ms */
    cr_assert_eq(sim_region_latency_us(&a, r1, r1), 1500);
    sim_config_destroy(cfg);
}

/* [service dynamodb] ttl_sweep_s: the time between TTL sweeps, a fixed positive number. */
Test(sim_config, dynamodb_ttl_sweep)
{
    sim_config *cfg = test_config(BASE "[service dynamodb]\nttl_sweep_s = 30\n");
    cr_assert_eq(cfg->ddb_ttl_sweep_us, 30 * SIM_S);
    sim_config_destroy(cfg);
    char *err = load_fails(BASE "[service dynamodb]\nttl_sweep_s = 0\n");
    cr_assert_str_eq(err, "FILE:11: ttl_sweep_s: ttl_sweep_s is a fixed number of seconds, > 0\n");
    free(err);
}

/* [service dynamodb] status_delay_ms: tables of regions.conf are ACTIVE when the world starts,
 * tables created later stay CREATING for the delay (API_CreateTable: TableStatus). */
Test(sim_config, dynamodb_status_delay)
{
    sim_config *cfg = test_config(BASE "[service dynamodb]\nstatus_delay_ms = 2500\n");
    cr_assert_eq(cfg->ddb_status_delay_us, 2500 * SIM_MS);
    sim_config_destroy(cfg);
    char *err = load_fails(BASE "[service dynamodb]\nstatus_delay_ms = normal(5, 1)\n");
    cr_assert_str_eq(err, "FILE:11: status_delay_ms: status_delay_ms is a fixed number of "
                          "milliseconds, >= 0\n");
    free(err);
    sim_world *w = test_world(BASE "[service dynamodb]\nstatus_delay_ms = 2500\n"
                                   "[table early]\nregion = r1\npartition_key = k:S\n",
                              NULL);
    sim_reply r = test_ddb(w, "DescribeTable", "{\"TableName\":\"early\"}");
    cr_assert_str_eq(
        cJSON_GetObjectItem(cJSON_GetObjectItem(r.body, "Table"), "TableStatus")->valuestring,
        "ACTIVE");
    sim_reply_release(&r);
    r = test_ddb(w, "CreateTable",
                 "{\"TableName\":\"late\",\"AttributeDefinitions\":[{\"AttributeName\":\"k\","
                 "\"AttributeType\":\"S\"}],\"KeySchema\":[{\"AttributeName\":\"k\",\"KeyType\":"
                 "\"HASH\"}],\"BillingMode\":\"PAY_PER_REQUEST\"}");
    cr_assert_str_eq(
        cJSON_GetObjectItem(cJSON_GetObjectItem(r.body, "TableDescription"), "TableStatus")
            ->valuestring,
        "CREATING");
    sim_reply_release(&r);
    sim_sched_run_for(&w->sched, 2500 * SIM_MS);
    r = test_ddb(w, "DescribeTable", "{\"TableName\":\"late\"}");
    cr_assert_str_eq(
        cJSON_GetObjectItem(cJSON_GetObjectItem(r.body, "Table"), "TableStatus")->valuestring,
        "ACTIVE");
    sim_reply_release(&r);
    sim_world_destroy(w);
}

/* [service dynamodb] partition_limits = on|off (on by default: AWS's per-key limits). */
Test(sim_config, dynamodb_partition_limits_switch)
{
    sim_config *cfg = test_config(BASE "[service dynamodb]\npartition_limits = off\n");
    cr_assert_eq(cfg->ddb_partition_limits_off, 1);
    sim_config_destroy(cfg);
    cfg = test_config(BASE);
    cr_assert_eq(cfg->ddb_partition_limits_off, 0);
    sim_config_destroy(cfg);
    char *err = load_fails(BASE "[service dynamodb]\npartition_limits = maybe\n");
    cr_assert_str_eq(err,
                     "FILE:11: partition_limits: partition_limits is on or off, got 'maybe'\n");
    free(err);
}
