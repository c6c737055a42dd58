/* sim_main.c - the `stratus` command line: serve, populate, check. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "sim/core/sim_err.h"
#include "sim/sim_check.h"
#include "sim/sim_experiment.h"
#include "sim/sim_host.h"
#include "sim/sim_sweep.h"
#include "handlers/tw.h"
#include "sim/sim_version.h"

#define DEMO_USERS 10000

static const char usage[] =
    "usage: stratus [--help] [--version] <command> [options]\n"
    "\n"
    "A serverless cloud in one process: API Gateway, Lambda, SQS, a DynamoDB-style\n"
    "table service and an S3-style object store, with region latencies and capacity\n"
    "limits from regions.conf.\n"
    "\n"
    "commands:\n"
    "  serve      run the world and serve HTTP until SIGINT/SIGTERM\n"
    "  populate   load Tweeter's demo users into a --data directory\n"
    "  check milestone   measure the milestone (post < 1 s, fan-out < 120 s, feed page < 1 s)\n"
    "  sweep      run the milestone scenario over many seeds with faults, check invariants\n"
    "  experiment FILE [--out DIR] [--seeds K]   run a region-latency experiment (always in\n"
    "             virtual time) and write its report (default build/experiments/NAME)\n"
    "\n"
    "options:\n"
    "  --config FILE     regions.conf to use (default: ./regions.conf, else the installed one)\n"
    "  --data DIR        keep tables and objects in sqlite files in DIR (default: in memory)\n"
    "  --demo            (serve) populate 10,000 users following @daisy before serving\n"
    "  --users N         users to populate (default 10000)\n"
    "  --aws-port N      AWS endpoint port, DynamoDB/SQS/S3 (default 4566)\n"
    "  --api-port N      API Gateway port (default 3000)\n"
    "  --seed N          seed of every random draw (default: [world] seed)\n"
    "  --set S|K|V       override key K of section S, e.g. 'table feed|wcu|500' (repeatable)\n"
    "  --zero-latency    no simulated latency or service time, for benchmarks\n"
    "  --log-level L     debug, info, warn or error (default info)\n"
    "  --json            (check) print one JSON object\n"
    "  --virtual-time    run on the virtual clock: nothing waits on the wall clock. check:\n"
    "                    the client is simulated in the process, the run is reproducible;\n"
    "                    serve: each request advances virtual time until it is answered\n"
    "  --trace FILE      (serve, check) write every deciding event as JSON lines to FILE\n"
    "  --seeds N         (sweep) how many seeds, from --seed (default 1) on\n"
    "  --faults FILE     [fault] rules to add to the config (serve, check, sweep)\n"
    "  --posts N         (sweep) statuses to post per seed (default 2)\n";

typedef struct cli {
    sim_host_options host;
    int demo, json, virtual_time;
    const char *trace_path;
    const char *faults_path;
    int64_t seeds, posts;
    int64_t users;
    const char *overrides[64];
    int noverrides;
} cli;

static int parse_port(const char *s, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || v < 0 || v > 65535)
        return -1;
    *out = (int)v;
    return 0;
}

static int parse_args(int argc, char **argv, cli *c)
{
    enum { O_CONFIG = 1, O_DATA, O_DEMO, O_AWS, O_API, O_SEED, O_SET, O_ZERO, O_LOG, O_JSON, O_USERS,
           O_VIRTUAL, O_TRACE, O_SEEDS, O_FAULTS, O_POSTS };
    static const struct option opts[] = {
        { "config", required_argument, NULL, O_CONFIG },
        { "data", required_argument, NULL, O_DATA },
        { "demo", no_argument, NULL, O_DEMO },
        { "aws-port", required_argument, NULL, O_AWS },
        { "api-port", required_argument, NULL, O_API },
        { "seed", required_argument, NULL, O_SEED },
        { "set", required_argument, NULL, O_SET },
        { "zero-latency", no_argument, NULL, O_ZERO },
        { "log-level", required_argument, NULL, O_LOG },
        { "json", no_argument, NULL, O_JSON },
        { "users", required_argument, NULL, O_USERS },
        { "virtual-time", no_argument, NULL, O_VIRTUAL },
        { "trace", required_argument, NULL, O_TRACE },
        { "seeds", required_argument, NULL, O_SEEDS },
        { "faults", required_argument, NULL, O_FAULTS },
        { "posts", required_argument, NULL, O_POSTS },
        { NULL, 0, NULL, 0 },
    };
    int o;
    optind = 2;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        char *end;
        switch (o) {
        case O_CONFIG: c->host.config_path = optarg; break;
        case O_DATA: c->host.data_dir = optarg; break;
        case O_DEMO: c->demo = 1; break;
        case O_AWS:
            if (parse_port(optarg, &c->host.aws_port))
                return fprintf(stderr, "stratus: bad --aws-port '%s'\n", optarg), -1;
            break;
        case O_API:
            if (parse_port(optarg, &c->host.api_port))
                return fprintf(stderr, "stratus: bad --api-port '%s'\n", optarg), -1;
            break;
        case O_SEED:
            errno = 0;
            c->host.seed = strtoull(optarg, &end, 10);
            if (errno || *end || optarg[0] == '-')
                return fprintf(stderr, "stratus: bad --seed '%s'\n", optarg), -1;
            c->host.seed_given = 1;
            break;
        case O_SET:
            if (c->noverrides >= 63)
                return fprintf(stderr, "stratus: too many --set\n"), -1;
            c->overrides[c->noverrides++] = optarg;
            break;
        case O_ZERO: c->host.latency_scale = 0; break;
        case O_LOG:
            if (!strcmp(optarg, "debug")) c->host.log_level = SIM_LOG_DEBUG;
            else if (!strcmp(optarg, "info")) c->host.log_level = SIM_LOG_INFO;
            else if (!strcmp(optarg, "warn")) c->host.log_level = SIM_LOG_WARN;
            else if (!strcmp(optarg, "error")) c->host.log_level = SIM_LOG_ERROR;
            else return fprintf(stderr, "stratus: bad --log-level '%s'\n", optarg), -1;
            break;
        case O_JSON: c->json = 1; break;
        case O_VIRTUAL: c->virtual_time = 1; break;
        case O_TRACE: c->trace_path = optarg; break;
        case O_FAULTS: c->faults_path = optarg; break;
        case O_SEEDS:
        case O_POSTS:
            errno = 0;
            *(o == O_SEEDS ? &c->seeds : &c->posts) = strtoll(optarg, &end, 10);
            if (errno || *end || optarg[0] == '-' || strtoll(optarg, NULL, 10) < 1)
                return fprintf(stderr, "stratus: bad --%s '%s'\n",
                               o == O_SEEDS ? "seeds" : "posts", optarg), -1;
            break;
        case O_USERS:
            errno = 0;
            c->users = strtoll(optarg, &end, 10);
            if (errno || *end || c->users < 1 || c->users > 10000000)
                return fprintf(stderr, "stratus: bad --users '%s'\n", optarg), -1;
            break;
        default:
            fprintf(stderr, "%s", usage);
            return -1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "stratus: unexpected argument '%s'\n%s", argv[optind], usage);
        return -1;
    }
    c->overrides[c->noverrides] = NULL;
    c->host.overrides = c->overrides;
    c->host.faults_path = c->faults_path;
    return 0;
}

static long rss_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
            break;
    if (f)
        fclose(f);
    return kib;
}

static int cmd_serve(cli *c)
{
    sim_host h;
    sim_time_us t0 = sim_clock_wall_us();
    if (!c->host.aws_port)
        c->host.aws_port = 4566;
    if (!c->host.api_port)
        c->host.api_port = 3000;
    c->host.listen = 1;
    c->host.virtual_time = c->virtual_time;
    if (c->trace_path && (c->host.trace_out = fopen(c->trace_path, "w")) == NULL) {
        fprintf(stderr, "stratus: cannot write %s\n", c->trace_path);
        return 1;
    }
    if (sim_host_open(&h, &c->host) != 0)
        return 1;
    fprintf(stderr, "stratus %s: world up in %.1f ms (seed %llu, %s)\n", STRATUS_VERSION,
            (double)(sim_clock_wall_us() - t0) / 1000.0, (unsigned long long)h.world->seed,
            h.world->cfg->path);
    if (c->demo && sim_host_populate(&h, c->users ? c->users : DEMO_USERS) != 0) {
        sim_host_close(&h);
        return 1;
    }
    fprintf(stderr,
            "stratus: serving (RSS %ld KiB)\n"
            "  AWS endpoint (DynamoDB, SQS, S3): %s\n"
            "  API Gateway stage:                %s\n"
            "  health:                           %s/_stratus/health\n",
            rss_kib(), h.aws_url, h.api_url, h.aws_url);
    sim_host_run(&h);
    char digest[65];
    sim_world_trace_digest(h.world, digest);
    fprintf(stderr, "stratus: stopping (%llu trace events, digest %s)\n",
            (unsigned long long)h.world->trace.events, digest);
    sim_host_close(&h);
    if (c->host.trace_out)
        fclose(c->host.trace_out);
    return 0;
}

static int cmd_populate(cli *c)
{
    if (c->host.data_dir == NULL) {
        fprintf(stderr, "stratus populate: --data DIR is required (memory would vanish)\n");
        return 2;
    }
    sim_host h;
    c->host.listen = 0;
    if (sim_host_open(&h, &c->host) != 0)
        return 1;
    int rc = sim_host_populate(&h, c->users ? c->users : DEMO_USERS);
    sim_host_close(&h);
    return rc ? 1 : 0;
}

/* The milestone table, or one JSON object with --json. digest (may be NULL) and
 * seed_events {seed, trace events} are printed for virtual-time runs. */
static void print_result(const cli *c, const sim_check_result *r, const char *digest,
                         const uint64_t *seed_events)
{
    if (c->json) {
        printf("{\"post_ms\":%.3f,\"fanout_s\":%.3f,\"feed_page_ms\":%.3f,"
               "\"story_page_ms\":%.3f,\"feeds_delivered\":%ld,\"followers\":%ld,"
               "\"story_ok\":%s,\"feed_ok\":%s,\"pass\":%s%s%s%s",
               r->post_ms, r->fanout_s, r->feed_page_ms, r->story_page_ms, r->feeds_delivered,
               r->followers, r->story_ok ? "true" : "false", r->feed_ok ? "true" : "false",
               r->pass ? "true" : "false", r->error[0] ? ",\"error\":\"" : "", r->error,
               r->error[0] ? "\"" : "");
        if (digest)
            printf(",\"seed\":%llu,\"trace_events\":%llu,\"trace_digest\":\"%s\"",
                   (unsigned long long)seed_events[0], (unsigned long long)seed_events[1], digest);
        printf("}\n");
    } else {
        printf("milestone (%ld followers)      measured      target   result\n", r->followers);
        printf("  post, client round trip     %9.1f ms    < 1000 ms  %s\n", r->post_ms,
               r->post_ms < 1000 ? "pass" : "FAIL");
        printf("  fan-out to every feed       %9.2f s     < 120 s    %s\n", r->fanout_s,
               r->fanout_s < 120 && r->feeds_delivered == r->followers ? "pass" : "FAIL");
        printf("  feed page (10 items)        %9.1f ms    < 1000 ms  %s\n", r->feed_page_ms,
               r->feed_page_ms < 1000 ? "pass" : "FAIL");
        printf("  feeds holding the post      %9ld       %-9ld  %s\n", r->feeds_delivered,
               r->followers, r->feeds_delivered == r->followers ? "pass" : "FAIL");
        printf("  story page 1 shows it       %9s                  %s\n", r->story_ok ? "yes" : "no",
               r->story_ok ? "pass" : "FAIL");
        printf("  sampled feeds show it first %9s                  %s\n", r->feed_ok ? "yes" : "no",
               r->feed_ok ? "pass" : "FAIL");
        if (r->error[0])
            printf("  error: %s\n", r->error);
        if (digest)
            printf("  virtual time, seed %llu, %llu trace events, digest %s\n",
                   (unsigned long long)seed_events[0], (unsigned long long)seed_events[1], digest);
        printf("%s\n", r->pass ? "PASS" : "FAIL");
    }
}

/* `check milestone --virtual-time`: no loop, no sockets; the world's own clock. */
static int cmd_check_virtual(cli *c)
{
    const char *path = sim_host_config_path(c->host.config_path);
    if (path == NULL) {
        fprintf(stderr, "stratus: no regions.conf here or installed; pass --config FILE\n");
        return 1;
    }
    sim_config *cfg = NULL;
    if (sim_config_load(path, stderr, &cfg) != 0)
        return 1;
    if (c->faults_path && sim_config_merge(cfg, c->faults_path, stderr) != 0) {
        sim_config_destroy(cfg);
        return 1;
    }
    for (int i = 0; i < c->noverrides; i++) {
        char buf[512];
        snprintf(buf, sizeof buf, "%s", c->overrides[i]);
        char *k = strchr(buf, '|');
        char *v = k ? strchr(k + 1, '|') : NULL;
        if (!k || !v) {
            fprintf(stderr, "stratus: bad --set '%s' (want section|key|value)\n", c->overrides[i]);
            sim_config_destroy(cfg);
            return 2;
        }
        *k++ = '\0';
        *v++ = '\0';
        if (sim_config_set(cfg, buf, k, v, stderr) != 0) {
            sim_config_destroy(cfg);
            return 1;
        }
    }
    if (sim_config_check(cfg, stderr) != 0) {
        sim_config_destroy(cfg);
        return 1;
    }
    FILE *trace = NULL;
    if (c->trace_path && (trace = fopen(c->trace_path, "w")) == NULL) {
        fprintf(stderr, "stratus: cannot write %s\n", c->trace_path);
        sim_config_destroy(cfg);
        return 1;
    }
    uint64_t seed = c->host.seed_given ? c->host.seed : cfg->seed;
    sim_world_options wopt = { .seed = seed,
                               .virtual_time = 1,
                               .endpoint_url = "http://127.0.0.1:4566",
                               .handlers = tw_handlers,
                               .log_out = stderr,
                               .log_level = c->json && c->host.log_level < SIM_LOG_WARN
                                                ? SIM_LOG_WARN
                                                : c->host.log_level,
                               .latency_scale = c->host.latency_scale,
                               .trace_out = trace };
    sim_world *w = NULL;
    sim_time_us wall0 = sim_clock_wall_us();
    if (sim_world_create(cfg, &wopt, &w) != 0) {
        if (trace)
            fclose(trace);
        return 1;
    }
    int64_t users = c->users ? c->users : DEMO_USERS;
    int rc = sim_check_populate_virtual(w, users);
    sim_time_us wall1 = sim_clock_wall_us();
    sim_check_result r;
    if (rc == 0)
        rc = sim_check_milestone_virtual(w, (long)users, &r);
    sim_time_us wall2 = sim_clock_wall_us();
    if (rc == 0) {
        char digest[65];
        sim_world_trace_digest(w, digest);
        uint64_t se[2] = { seed, w->trace.events };
        print_result(c, &r, digest, se);
        fprintf(stderr,
                "stratus: virtual run: populate %.0f ms, milestone %.0f ms of wall time; %llu "
                "events (%.0f events/s of wall time)\n",
                (double)(wall1 - wall0) / 1000.0, (double)(wall2 - wall1) / 1000.0,
                (unsigned long long)w->sched.dispatched,
                (double)w->sched.dispatched / ((double)(wall2 - wall0) / 1e6));
    }
    sim_world_destroy(w);
    if (trace)
        fclose(trace);
    return rc == 0 && r.pass ? 0 : 1;
}

/* `stratus sweep`: one virtual run per seed, invariants after each; failing seeds are
 * printed with the command that reproduces them. */
static int cmd_sweep(cli *c)
{
    const char *path = sim_host_config_path(c->host.config_path);
    if (path == NULL) {
        fprintf(stderr, "stratus: no regions.conf here or installed; pass --config FILE\n");
        return 1;
    }
    sim_sweep_opts o = { .config_path = path,
                         .faults_path = c->faults_path,
                         .overrides = c->overrides,
                         .users = c->users ? (long)c->users : 1000,
                         .posts = c->posts ? (int)c->posts : 2 };
    uint64_t first = c->host.seed_given ? c->host.seed : 1;
    int64_t n = c->seeds ? c->seeds : 10;
    int failures = 0;
    sim_time_us wall0 = sim_clock_wall_us();
    for (int64_t i = 0; i < n; i++) {
        uint64_t seed = first + (uint64_t)i;
        sim_sweep_result r;
        if (sim_sweep_one(&o, seed, &r) != 0)
            return 1;
        printf("seed %-6llu %s  posts %d  feed rows %ld/%ld  faults %llu  drained in %.1f s  %s\n",
               (unsigned long long)seed, r.ok ? "ok  " : "FAIL", r.posts_ok, r.feed_rows,
               r.expected_rows, (unsigned long long)r.faults, r.drain_s, r.digest);
        if (!r.ok) {
            failures++;
            printf("  broken invariant: %s\n  reproduce: stratus sweep --seeds 1 --seed %llu "
                   "--users %ld --posts %d --config %s",
                   r.why, (unsigned long long)seed, o.users, o.posts, path);
            if (o.faults_path)
                printf(" --faults %s", o.faults_path);
            for (int k = 0; k < c->noverrides; k++)
                printf(" --set '%s'", c->overrides[k]);
            printf("\n");
        }
        fflush(stdout);
    }
    printf("sweep: %lld seeds, %d failed, %.1f s of wall time\n", (long long)n, failures,
           (double)(sim_clock_wall_us() - wall0) / 1e6);
    return failures ? 1 : 0;
}

static int cmd_check(cli *c, const char *what)
{
    if (what == NULL || strcmp(what, "milestone") != 0) {
        fprintf(stderr, "stratus check: the only check is 'milestone'\n");
        return 2;
    }
    if (c->virtual_time)
        return cmd_check_virtual(c);
    sim_host h;
    c->host.listen = 1;
    c->host.data_dir = NULL;
    if (c->json)
        c->host.log_level = c->host.log_level > SIM_LOG_WARN ? c->host.log_level : SIM_LOG_WARN;
    if (sim_host_open(&h, &c->host) != 0)
        return 1;
    int64_t users = c->users ? c->users : DEMO_USERS;
    if (sim_host_populate(&h, users) != 0) {
        sim_host_close(&h);
        return 1;
    }
    sim_check_result r;
    int rc = sim_check_milestone(&h, (long)users, &r);
    sim_host_close(&h);
    print_result(c, &r, NULL, NULL);
    return rc == 0 && r.pass ? 0 : 1;
}

/* `stratus experiment FILE [--out DIR] [--seeds K] [--virtual-time]` (always virtual). */
static int cmd_experiment(int argc, char **argv)
{
    const char *file = NULL, *out = NULL;
    int seeds = 0;
    for (int i = 2; i < argc; i++) {
        char *end;
        if (!strcmp(argv[i], "--out") && i + 1 < argc) {
            out = argv[++i];
        } else if (!strcmp(argv[i], "--seeds") && i + 1 < argc) {
            long k = strtol(argv[++i], &end, 10);
            if (*end || k < 1 || k > SIM_EXP_SEEDS_MAX)
                return fprintf(stderr, "stratus: bad --seeds '%s'\n", argv[i]), 2;
            seeds = (int)k;
        } else if (!strcmp(argv[i], "--virtual-time")) {
            continue;
        } else if (argv[i][0] != '-' && file == NULL) {
            file = argv[i];
        } else {
            return fprintf(stderr, "stratus: experiment: unexpected '%s'\n%s", argv[i], usage), 2;
        }
    }
    if (file == NULL)
        return fprintf(stderr, "stratus: experiment: which FILE?\n%s", usage), 2;
    return sim_experiment_main(file, out, seeds, tw_handlers);
}

int main(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
        !strcmp(argv[1], "help")) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
        printf("stratus %s\n", STRATUS_VERSION);
        return 0;
    }
    if (!strcmp(argv[1], "experiment"))
        return cmd_experiment(argc, argv);
    cli c;
    memset(&c, 0, sizeof c);
    c.host.latency_scale = 1.0;
    c.host.log_level = SIM_LOG_INFO;
    const char *cmd = argv[1];
    const char *what = NULL;
    if (!strcmp(cmd, "check") && argc > 2 && argv[2][0] != '-') {
        what = argv[2];
        argv[2] = argv[1]; /* let getopt start after the sub-command */
        argv++;
        argc--;
    }
    if (strcmp(cmd, "serve") && strcmp(cmd, "populate") && strcmp(cmd, "check") &&
        strcmp(cmd, "sweep")) {
        fprintf(stderr, "stratus: unknown command '%s'\n%s", cmd, usage);
        return 2;
    }
    if (parse_args(argc, argv, &c) != 0)
        return 2;
    if (!strcmp(cmd, "serve"))
        return cmd_serve(&c);
    if (!strcmp(cmd, "populate"))
        return cmd_populate(&c);
    if (!strcmp(cmd, "sweep"))
        return cmd_sweep(&c);
    return cmd_check(&c, what);
}
