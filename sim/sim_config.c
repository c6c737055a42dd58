/* sim_config.c - reads regions.conf with inih into a sim_config and checks it.
 * Units are converted to microseconds here and nowhere else. Holds no simulation state. */
#include "sim_config.h"

#include <ctype.h>
#include <stdarg.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ini.h>

#include "sim/core/sim_err.h"

typedef struct parse_state {
    sim_config *cfg;
    FILE *errout;
    const char *path;
    int line;   /* current line (inih passes it with INI_HANDLER_LINENO) */
    int failed;
} parse_state;

/* Grow *arr (of elem bytes) by one zeroed element; returns it or NULL. */
static void *push(void *arrp, size_t *n, size_t elem)
{
    void **arr = arrp;
    char *a = realloc(*arr, (*n + 1) * elem);
    if (a == NULL)
        return NULL;
    *arr = a;
    memset(a + *n * elem, 0, elem);
    return a + (*n)++ * elem;
}

__attribute__((format(printf, 3, 4))) static int fail(parse_state *st, const char *key,
                                                       const char *fmt, ...)
{
    va_list ap;
    fprintf(st->errout, "%s:%d: %s: ", st->path, st->line, key ? key : "section");
    va_start(ap, fmt);
    vfprintf(st->errout, fmt, ap);
    va_end(ap);
    fputc('\n', st->errout);
    st->failed = 1;
    return 0;
}

static int parse_int(const char *v, int64_t *out)
{
    char *end;
    errno = 0;
    long long x = strtoll(v, &end, 10);
    while (*end && isspace((unsigned char)*end))
        end++;
    if (errno || end == v || *end || x < 0)
        return -SIM_EINVAL;
    *out = x;
    return 0;
}

static int parse_bool(const char *v, int *out)
{
    if (!strcasecmp(v, "true") || !strcmp(v, "1") || !strcasecmp(v, "yes")) {
        *out = 1;
        return 0;
    }
    if (!strcasecmp(v, "false") || !strcmp(v, "0") || !strcasecmp(v, "no")) {
        *out = 0;
        return 0;
    }
    return -SIM_EINVAL;
}

int sim_dist_parse(const char *text, double unit_us, sim_dist *out)
{
    char name[16] = "";
    double a = 0, b = 0;
    char tail;
    const char *p = text;
    while (isspace((unsigned char)*p))
        p++;
    if (isdigit((unsigned char)*p) || *p == '.') {
        if (sscanf(p, "%lf %c", &a, &tail) != 1 || a < 0)
            return -SIM_EINVAL;
        *out = (sim_dist){ SIM_DIST_FIXED, a * unit_us, 0 };
        return 0;
    }
    int n = sscanf(p, "%15[a-z] ( %lf , %lf ) %c", name, &a, &b, &tail);
    if (n == 3) {
        if (strcmp(name, "normal") == 0 && a >= 0 && b >= 0)
            *out = (sim_dist){ SIM_DIST_NORMAL, a * unit_us, b * unit_us };
        else if (strcmp(name, "lognormal") == 0 && a > 0 && b >= 0)
            *out = (sim_dist){ SIM_DIST_LOGNORMAL, a * unit_us, b };
        else if (strcmp(name, "uniform") == 0 && a >= 0 && b >= a)
            *out = (sim_dist){ SIM_DIST_UNIFORM, a * unit_us, b * unit_us };
        else
            return -SIM_EINVAL;
        return 0;
    }
    if (sscanf(p, "%15[a-z] ( %lf ) %c", name, &a, &tail) == 2 && strcmp(name, "fixed") == 0 &&
        a >= 0) {
        *out = (sim_dist){ SIM_DIST_FIXED, a * unit_us, 0 };
        return 0;
    }
    return -SIM_EINVAL;
}

int sim_config_region(const sim_config *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->nregions; i++)
        if (strcmp(cfg->regions[i].name, name) == 0)
            return (int)i;
    return -1;
}

/* Index of region name, creating it (as an AWS region) on first mention. */
static int region_ref(parse_state *st, const char *name)
{
    int r = sim_config_region(st->cfg, name);
    if (r >= 0)
        return r;
    sim_cfg_region *reg = push(&st->cfg->regions, &st->cfg->nregions, sizeof *reg);
    if (reg == NULL || (reg->name = strdup(name)) == NULL)
        return -1;
    return (int)st->cfg->nregions - 1;
}

const sim_dist *sim_config_latency(const sim_config *cfg, int a, int b)
{
    for (size_t i = 0; i < cfg->nlatencies; i++) {
        const sim_cfg_latency *l = &cfg->latencies[i];
        if ((l->a == a && l->b == b) || (l->a == b && l->b == a))
            return &l->one_way;
    }
    return NULL;
}

const sim_dist *sim_config_service_time(const sim_config *cfg, const char *service,
                                         const char *op)
{
    const sim_dist *fallback = NULL;
    for (size_t i = 0; i < cfg->nservice_times; i++) {
        const sim_cfg_service_time *t = &cfg->service_times[i];
        if (strcmp(t->service, service) != 0)
            continue;
        if (strcmp(t->op, op) == 0)
            return &t->dist;
        if (strcmp(t->op, "default") == 0)
            fallback = &t->dist;
    }
    return fallback;
}

/* Split "kind rest" section names. Returns 1 when section starts with kind + space. */
static const char *section_arg(const char *section, const char *kind)
{
    size_t n = strlen(kind);
    if (strncmp(section, kind, n) == 0 && section[n] == ' ') {
        const char *p = section + n;
        while (*p == ' ')
            p++;
        return *p ? p : NULL;
    }
    return NULL;
}

/* "name:T" -> owned name and type; type must be S, N or B. */
static int parse_key(const char *v, char **name, char **type)
{
    const char *colon = strrchr(v, ':');
    if (colon == NULL || colon == v)
        return -SIM_EINVAL;
    const char *t = colon + 1;
    if (strcmp(t, "S") && strcmp(t, "N") && strcmp(t, "B"))
        return -SIM_EINVAL;
    free(*name);
    free(*type);
    *name = strndup(v, (size_t)(colon - v));
    *type = strdup(t);
    return (*name && *type) ? 0 : -SIM_ENOMEM;
}

#define FIND_OR_ADD(arr, n, nm, out, init)                                                        \
    do {                                                                                          \
        (out) = NULL;                                                                             \
        for (size_t i_ = 0; i_ < (n); i_++)                                                       \
            if (strcmp((arr)[i_].name, (nm)) == 0)                                                \
                (out) = &(arr)[i_];                                                               \
        if ((out) == NULL && ((out) = push(&(arr), &(n), sizeof *(arr))) != NULL) {               \
            (out)->name = strdup(nm);                                                             \
            (out)->line = st->line;                                                               \
            init;                                                                                 \
        }                                                                                         \
    } while (0)

static int on_world(parse_state *st, const char *key, const char *value)
{
    sim_config *cfg = st->cfg;
    if (strcmp(key, "default_region") == 0)
        cfg->default_region = region_ref(st, value);
    else if (strcmp(key, "client_region") == 0)
        cfg->client_region = region_ref(st, value);
    else if (strcmp(key, "account_id") == 0) {
        if (strlen(value) != 12 || strspn(value, "0123456789") != 12)
            return fail(st, key, "expected 12 digits, got '%s'", value);
        free(cfg->account_id);
        cfg->account_id = strdup(value);
    } else if (strcmp(key, "seed") == 0) {
        int64_t x;
        if (parse_int(value, &x))
            return fail(st, key, "expected a non-negative integer, got '%s'", value);
        cfg->seed = (uint64_t)x;
    } else
        return fail(st, key, "unknown key in [world]");
    return 1;
}

static int on_service(parse_state *st, const char *service, const char *key, const char *value)
{
    if (strcmp(service, "dynamodb") == 0 && strcmp(key, "partition_limits") == 0) {
        if (strcmp(value, "on") != 0 && strcmp(value, "off") != 0)
            return fail(st, key, "partition_limits is on or off, got '%s'", value);
        st->cfg->ddb_partition_limits_off = strcmp(value, "off") == 0;
        return 1;
    }
    size_t klen = strlen(key);
    double unit;
    size_t cut;
    if (klen > 3 && strcmp(key + klen - 3, "_ms") == 0) {
        unit = 1000.0;
        cut = 3;
    } else if (klen > 2 && strcmp(key + klen - 2, "_s") == 0) {
        unit = 1e6;
        cut = 2;
    } else
        return fail(st, key, "service keys end in _ms or _s");
    sim_dist d;
    if (sim_dist_parse(value, unit, &d))
        return fail(st, key, "bad distribution '%s' (number, fixed(x), normal(m, sd), "
                             "lognormal(median, sigma), uniform(lo, hi))", value);
    if (strcmp(service, "lambda") == 0 && strcmp(key, "idle_timeout_s") == 0) {
        st->cfg->lambda_idle_timeout_us =
            (sim_time_us)(d.kind == SIM_DIST_UNIFORM ? (d.a + d.b) / 2 : d.a);
    }
    if (strcmp(service, "dynamodb") == 0 && strcmp(key, "ttl_sweep_s") == 0) {
        if (d.kind != SIM_DIST_FIXED || d.a <= 0)
            return fail(st, key, "ttl_sweep_s is a fixed number of seconds, > 0");
        st->cfg->ddb_ttl_sweep_us = (sim_time_us)d.a;
        return 1; /* a setting, not an operation's service time */
    }
    if (strcmp(service, "dynamodb") == 0 && strcmp(key, "status_delay_ms") == 0) {
        if (d.kind != SIM_DIST_FIXED || d.a < 0)
            return fail(st, key, "status_delay_ms is a fixed number of milliseconds, >= 0");
        st->cfg->ddb_status_delay_us = (sim_time_us)d.a;
        return 1; /* a setting, not an operation's service time */
    }
    char *op = strndup(key, klen - cut);
    for (size_t i = 0; i < st->cfg->nservice_times; i++) {
        sim_cfg_service_time *t = &st->cfg->service_times[i];
        if (!strcmp(t->service, service) && op && !strcmp(t->op, op)) {
            t->dist = d;
            free(op);
            return 1;
        }
    }
    sim_cfg_service_time *t = push(&st->cfg->service_times, &st->cfg->nservice_times, sizeof *t);
    if (t == NULL || op == NULL) {
        free(op);
        return fail(st, key, "out of memory");
    }
    t->service = strdup(service);
    t->op = op;
    t->dist = d;
    return 1;
}

static int on_table(parse_state *st, const char *name, const char *key, const char *value)
{
    sim_cfg_table *t;
    FIND_OR_ADD(st->cfg->tables, st->cfg->ntables, name, t, t->region = -1);
    if (t == NULL)
        return fail(st, key, "out of memory");
    if (key == NULL)
        return 1;
    int64_t x;
    if (strcmp(key, "region") == 0)
        t->region = region_ref(st, value);
    else if (strcmp(key, "partition_key") == 0) {
        if (parse_key(value, &t->pk, &t->pk_type))
            return fail(st, key, "expected name:S, name:N or name:B, got '%s'", value);
    } else if (strcmp(key, "sort_key") == 0) {
        if (parse_key(value, &t->sk, &t->sk_type))
            return fail(st, key, "expected name:S, name:N or name:B, got '%s'", value);
    } else if (strcmp(key, "rcu") == 0 || strcmp(key, "wcu") == 0) {
        if (parse_int(value, &x) || x < 1)
            return fail(st, key, "expected a positive integer, got '%s'", value);
        *(key[0] == 'r' ? &t->rcu : &t->wcu) = x;
    } else if (strcmp(key, "billing") == 0) {
        if (!strcmp(value, "provisioned"))
            t->on_demand = 0;
        else if (!strcmp(value, "pay_per_request"))
            t->on_demand = 1;
        else
            return fail(st, key, "expected provisioned or pay_per_request, got '%s'", value);
    } else if (strcmp(key, "gsi") == 0) {
        char iname[256], pk[256], sk[256] = "";
        int n = sscanf(value, "%255s %255s %255s", iname, pk, sk);
        if (n < 2)
            return fail(st, key, "expected 'INDEX pk:T [sk:T]', got '%s'", value);
        sim_cfg_gsi *g = push(&t->gsis, &t->ngsis, sizeof *g);
        if (g == NULL || (g->name = strdup(iname)) == NULL)
            return fail(st, key, "out of memory");
        if (parse_key(pk, &g->pk, &g->pk_type) || (n == 3 && parse_key(sk, &g->sk, &g->sk_type)))
            return fail(st, key, "bad index key in '%s'", value);
    } else if (strncmp(key, "gsi.", 4) == 0) {
        const char *dot = strrchr(key, '.');
        sim_cfg_gsi *g = NULL;
        for (size_t i = 0; i < t->ngsis; i++)
            if (strlen(t->gsis[i].name) == (size_t)(dot - key - 4) &&
                strncmp(t->gsis[i].name, key + 4, (size_t)(dot - key - 4)) == 0)
                g = &t->gsis[i];
        if (g == NULL)
            return fail(st, key, "no such index declared above with 'gsi = ...'");
        if (parse_int(value, &x) || x < 1)
            return fail(st, key, "expected a positive integer, got '%s'", value);
        if (strcmp(dot, ".rcu") == 0)
            g->rcu = x;
        else if (strcmp(dot, ".wcu") == 0)
            g->wcu = x;
        else
            return fail(st, key, "index keys are gsi.NAME.rcu and gsi.NAME.wcu");
    } else
        return fail(st, key, "unknown key in a [table] section");
    return 1;
}

static int on_queue(parse_state *st, const char *name, const char *key, const char *value)
{
    sim_cfg_queue *q;
    FIND_OR_ADD(st->cfg->queues, st->cfg->nqueues, name, q, q->region = -1);
    if (q == NULL)
        return fail(st, key, "out of memory");
    if (key == NULL)
        return 1;
    int64_t x = 0;
    if (strcmp(key, "region") == 0)
        q->region = region_ref(st, value);
    else if (strcmp(key, "dead_letter_queue") == 0) {
        free(q->dead_letter_queue);
        q->dead_letter_queue = strdup(value);
    } else if (parse_int(value, &x))
        return fail(st, key, "expected a non-negative integer, got '%s'", value);
    else if (strcmp(key, "visibility_timeout_s") == 0 && x <= 43200)
        q->visibility_timeout_s = x;
    else if (strcmp(key, "message_retention_s") == 0 && x >= 60 && x <= 1209600)
        q->message_retention_s = x;
    else if (strcmp(key, "delay_s") == 0 && x <= 900)
        q->delay_s = x;
    else if (strcmp(key, "max_receive_count") == 0 && x >= 1 && x <= 1000)
        q->max_receive_count = x;
    else
        return fail(st, key, "unknown key or value out of AWS's range ('%s')", value);
    return 1;
}

static int on_function(parse_state *st, const char *name, const char *key, const char *value)
{
    sim_cfg_function *f;
    FIND_OR_ADD(st->cfg->functions, st->cfg->nfunctions, name, f, f->region = -1);
    if (f == NULL)
        return fail(st, key, "out of memory");
    if (key == NULL)
        return 1;
    int64_t x = 0;
    if (strcmp(key, "handler") == 0) {
        free(f->handler);
        f->handler = strdup(value);
    } else if (strcmp(key, "region") == 0)
        f->region = region_ref(st, value);
    else if (strncmp(key, "env.", 4) == 0 && key[4]) {
        for (size_t i = 0; i < f->nenv; i++)
            if (strcmp(f->env_keys[i], key + 4) == 0) {
                free(f->env_values[i]);
                f->env_values[i] = strdup(value);
                return 1;
            }
        char **k = realloc(f->env_keys, (f->nenv + 1) * sizeof *k);
        if (k)
            f->env_keys = k;
        char **v = realloc(f->env_values, (f->nenv + 1) * sizeof *v);
        if (v)
            f->env_values = v;
        if (!k || !v)
            return fail(st, key, "out of memory");
        f->env_keys[f->nenv] = strdup(key + 4);
        f->env_values[f->nenv] = strdup(value);
        f->nenv++;
    } else if (parse_int(value, &x))
        return fail(st, key, "expected a non-negative integer, got '%s'", value);
    else if (strcmp(key, "reserved_concurrency") == 0 && x <= 1000)
        f->reserved_concurrency = x;
    else if (strcmp(key, "timeout_s") == 0 && x >= 1 && x <= 900)
        f->timeout_us = x * SIM_S;
    else if (strcmp(key, "memory_mb") == 0 && x >= 128 && x <= 10240)
        f->memory_mb = x;
    else
        return fail(st, key, "unknown key or value out of AWS's range ('%s')", value);
    return 1;
}

static int on_esm(parse_state *st, const char *name, const char *key, const char *value)
{
    sim_cfg_esm *m;
    FIND_OR_ADD(st->cfg->esms, st->cfg->nesms, name, m, (void)0);
    if (m == NULL)
        return fail(st, key, "out of memory");
    if (key == NULL)
        return 1;
    int64_t x = 0;
    if (strcmp(key, "queue") == 0) {
        free(m->queue);
        m->queue = strdup(value);
    } else if (strcmp(key, "function") == 0) {
        free(m->function);
        m->function = strdup(value);
    } else if (strcmp(key, "report_batch_item_failures") == 0) {
        if (parse_bool(value, &m->report_batch_item_failures))
            return fail(st, key, "expected true or false, got '%s'", value);
    } else if (parse_int(value, &x))
        return fail(st, key, "expected a non-negative integer, got '%s'", value);
    else if (strcmp(key, "batch_size") == 0 && x >= 1 && x <= 10000)
        m->batch_size = x;
    else if (strcmp(key, "maximum_concurrency") == 0 && x >= 2 && x <= 1000)
        m->maximum_concurrency = x;
    else
        return fail(st, key, "unknown key or value out of AWS's range ('%s')", value);
    return 1;
}

static int on_api(parse_state *st, const char *name, const char *key, const char *value)
{
    sim_cfg_api *a;
    FIND_OR_ADD(st->cfg->apis, st->cfg->napis, name, a, a->region = -1);
    if (a == NULL)
        return fail(st, key, "out of memory");
    if (key == NULL)
        return 1;
    if (strcmp(key, "region") == 0)
        a->region = region_ref(st, value);
    else if (strcmp(key, "stage") == 0) {
        free(a->stage);
        a->stage = strdup(value);
    } else if (strcmp(key, "route") == 0) {
        char method[16], path[512], fn[256];
        if (sscanf(value, "%15s %511s %255s", method, path, fn) != 3 || path[0] != '/')
            return fail(st, key, "expected 'METHOD /path FUNCTION', got '%s'", value);
        for (char *p = method; *p; p++)
            *p = (char)toupper((unsigned char)*p);
        sim_cfg_route *r = push(&a->routes, &a->nroutes, sizeof *r);
        if (r == NULL)
            return fail(st, key, "out of memory");
        r->method = strdup(method);
        r->path = strdup(path);
        r->function = strdup(fn);
        r->line = st->line;
    } else if (strcmp(key, "error_response") == 0) {
        int status = 0, off = 0;
        if (sscanf(value, "%d %n", &status, &off) != 1 || status < 200 || status > 599 ||
            value[off] == '\0')
            return fail(st, key, "expected 'STATUS REGEX', got '%s'", value);
        sim_cfg_response *r = push(&a->responses, &a->nresponses, sizeof *r);
        if (r == NULL || (r->pattern = strdup(value + off)) == NULL)
            return fail(st, key, "out of memory");
        r->status = status;
        r->line = st->line;
    } else
        return fail(st, key, "unknown key in an [api] section");
    return 1;
}

static int on_bucket(parse_state *st, const char *name, const char *key, const char *value)
{
    sim_cfg_bucket *b;
    FIND_OR_ADD(st->cfg->buckets, st->cfg->nbuckets, name, b, b->region = -1);
    if (b == NULL)
        return fail(st, key, "out of memory");
    if (key == NULL)
        return 1;
    if (strcmp(key, "region") == 0)
        b->region = region_ref(st, value);
    else
        return fail(st, key, "unknown key in a [bucket] section");
    return 1;
}

static int on_fault(parse_state *st, const char *name, const char *key, const char *value)
{
    sim_cfg_fault *f;
    FIND_OR_ADD(st->cfg->faults, st->cfg->nfaults, name, f, (f->region = -1, f->ppm = 1000000));
    if (f == NULL)
        return fail(st, key, "out of memory");
    if (key == NULL)
        return 1;
    if (strcmp(key, "service") == 0) {
        if (strcmp(value, "dynamodb") && strcmp(value, "sqs") && strcmp(value, "s3") &&
            strcmp(value, "lambda") && strcmp(value, "*"))
            return fail(st, key, "expected dynamodb, sqs, s3, lambda or *, got '%s'", value);
        free(f->service);
        f->service = strcmp(value, "*") ? strdup(value) : NULL;
    } else if (strcmp(key, "operation") == 0) {
        free(f->operation);
        f->operation = strcmp(value, "*") ? strdup(value) : NULL;
    } else if (strcmp(key, "region") == 0) {
        f->region = strcmp(value, "*") ? region_ref(st, value) : -1;
    } else if (strcmp(key, "kind") == 0) {
        static const char *const kinds[] = { "throttle", "internal_error", "function_error",
                                             "duplicate_delivery", "outage" };
        f->kind = 0;
        for (int i = 0; i < 5; i++)
            if (strcmp(value, kinds[i]) == 0)
                f->kind = i + 1;
        if (f->kind == 0)
            return fail(st, key, "expected throttle, internal_error, function_error, "
                                 "duplicate_delivery or outage, got '%s'", value);
    } else if (strcmp(key, "probability") == 0) {
        char *end;
        double p = strtod(value, &end);
        if (end == value || *end || p < 0 || p > 1)
            return fail(st, key, "expected a probability between 0 and 1, got '%s'", value);
        f->ppm = (int64_t)(p * 1e6 + 0.5);
    } else if (strcmp(key, "start_s") == 0 || strcmp(key, "end_s") == 0) {
        char *end;
        double x = strtod(value, &end);
        if (end == value || *end || x < 0)
            return fail(st, key, "expected seconds >= 0, got '%s'", value);
        *(key[0] == 's' ? &f->start_us : &f->end_us) = (sim_time_us)(x * 1e6);
    } else
        return fail(st, key, "unknown key in a [fault] section");
    return 1;
}

static int on_latency(parse_state *st, const char *pair, const char *key, const char *value)
{
    char a[128], b[128], tail;
    if (sscanf(pair, "%127s %127s %c", a, b, &tail) != 2)
        return fail(st, key, "section must be [latency REGION REGION], got '%s'", pair);
    if (strcmp(key, "one_way_ms") != 0)
        return fail(st, key, "the only key of a [latency] section is one_way_ms");
    sim_dist d;
    if (sim_dist_parse(value, 1000.0, &d))
        return fail(st, key, "bad distribution '%s'", value);
    int ra = region_ref(st, a), rb = region_ref(st, b);
    for (size_t i = 0; i < st->cfg->nlatencies; i++) {
        sim_cfg_latency *l = &st->cfg->latencies[i];
        if ((l->a == ra && l->b == rb) || (l->a == rb && l->b == ra)) {
            l->one_way = d;
            return 1;
        }
    }
    sim_cfg_latency *l = push(&st->cfg->latencies, &st->cfg->nlatencies, sizeof *l);
    if (l == NULL)
        return fail(st, key, "out of memory");
    l->a = ra;
    l->b = rb;
    l->one_way = d;
    return 1;
}

static int on_region(parse_state *st, const char *name, const char *key, const char *value)
{
    int r = region_ref(st, name);
    if (r < 0)
        return fail(st, key, "out of memory");
    if (key == NULL)
        return 1;
    if (strcmp(key, "kind") == 0) {
        if (strcmp(value, "client") && strcmp(value, "aws"))
            return fail(st, key, "expected aws or client, got '%s'", value);
        st->cfg->regions[r].is_client = strcmp(value, "client") == 0;
    } else if (strcmp(key, "description") != 0)
        return fail(st, key, "unknown key in a [region] section");
    return 1;
}

/* key == NULL announces a section header: resources are created even with no keys. */
static int dispatch(parse_state *st, const char *section, const char *key, const char *value)
{
    const char *arg;
    if (key == NULL) {
        if (section_arg(section, "latency") || section_arg(section, "service") ||
            strcmp(section, "world") == 0)
            return 1;
    }
    if (strcmp(section, "world") == 0)
        return on_world(st, key, value);
    if ((arg = section_arg(section, "region")))
        return on_region(st, arg, key, value);
    if ((arg = section_arg(section, "latency")))
        return on_latency(st, arg, key, value);
    if ((arg = section_arg(section, "service")))
        return on_service(st, arg, key, value);
    if ((arg = section_arg(section, "table")))
        return on_table(st, arg, key, value);
    if ((arg = section_arg(section, "queue")))
        return on_queue(st, arg, key, value);
    if ((arg = section_arg(section, "function")))
        return on_function(st, arg, key, value);
    if ((arg = section_arg(section, "event_source_mapping")))
        return on_esm(st, arg, key, value);
    if ((arg = section_arg(section, "api")))
        return on_api(st, arg, key, value);
    if ((arg = section_arg(section, "bucket")))
        return on_bucket(st, arg, key, value);
    if ((arg = section_arg(section, "fault")))
        return on_fault(st, arg, key, value);
    if (key == NULL || strcmp(st->path, "(override)") == 0) /* once per section */
        return fail(st, key, "unknown section [%s]", section);
    return 0;
}

static int ini_cb(void *user, const char *section, const char *key, const char *value,
                  int lineno)
{
    parse_state *st = user;
    st->line = lineno;
    dispatch(st, section, key, value);
    return 1; /* keep going: report every error in one pass */
}

/* inih without INI_HANDLER_LINENO: track the line with ini_parse_stream's reader. */
typedef struct line_reader {
    FILE *f;
    parse_state *st;
} line_reader;

static char *read_line(char *str, int num, void *stream)
{
    line_reader *lr = stream;
    char *r = fgets(str, num, lr->f);
    if (r == NULL)
        return NULL;
    lr->st->line++;
    /* inih does not report a section that has no keys: announce headers ourselves. */
    const char *p = str;
    while (*p == ' ' || *p == '\t')
        p++;
    const char *end = strchr(p, ']');
    if (*p == '[' && end && end > p + 1) {
        char section[256];
        size_t n = (size_t)(end - p - 1);
        if (n < sizeof section) {
            memcpy(section, p + 1, n);
            section[n] = '\0';
            dispatch(lr->st, section, NULL, NULL);
        }
    }
    return r;
}

static int ini_cb_nolineno(void *user, const char *section, const char *key, const char *value)
{
    parse_state *st = user;
    return ini_cb(user, section, key, value, st->line);
}

/* Resources with no region live in the default region. */
static void place_defaults(sim_config *cfg)
{
    int d = cfg->default_region;
    for (size_t i = 0; i < cfg->ntables; i++)
        if (cfg->tables[i].region < 0)
            cfg->tables[i].region = d;
    for (size_t i = 0; i < cfg->nqueues; i++)
        if (cfg->queues[i].region < 0)
            cfg->queues[i].region = d;
    for (size_t i = 0; i < cfg->nfunctions; i++)
        if (cfg->functions[i].region < 0)
            cfg->functions[i].region = d;
    for (size_t i = 0; i < cfg->napis; i++)
        if (cfg->apis[i].region < 0)
            cfg->apis[i].region = d;
    for (size_t i = 0; i < cfg->nbuckets; i++)
        if (cfg->buckets[i].region < 0)
            cfg->buckets[i].region = d;
}

static void init_defaults(sim_config *cfg)
{
    cfg->account_id = strdup("000000000000");
    cfg->default_region = -1;
    cfg->client_region = -1;
    cfg->seed = 1;
    cfg->lambda_idle_timeout_us = 600 * SIM_S;
}

/* Fill defaults of entries the file left unset. */
static void finish_defaults(sim_config *cfg)
{
    for (size_t i = 0; i < cfg->ntables; i++) {
        sim_cfg_table *t = &cfg->tables[i];
        if (!t->rcu)
            t->rcu = 5;
        if (!t->wcu)
            t->wcu = 5;
        for (size_t j = 0; j < t->ngsis; j++) {
            if (!t->gsis[j].rcu)
                t->gsis[j].rcu = t->rcu;
            if (!t->gsis[j].wcu)
                t->gsis[j].wcu = t->wcu;
        }
    }
    for (size_t i = 0; i < cfg->nqueues; i++) {
        sim_cfg_queue *q = &cfg->queues[i];
        if (!q->visibility_timeout_s)
            q->visibility_timeout_s = 30;
        if (!q->message_retention_s)
            q->message_retention_s = 345600;
        if (q->dead_letter_queue && !q->max_receive_count)
            q->max_receive_count = 10;
    }
    for (size_t i = 0; i < cfg->nfunctions; i++) {
        sim_cfg_function *f = &cfg->functions[i];
        if (!f->timeout_us)
            f->timeout_us = 3 * SIM_S;
        if (!f->memory_mb)
            f->memory_mb = 128;
    }
    for (size_t i = 0; i < cfg->nesms; i++) {
        if (!cfg->esms[i].batch_size)
            cfg->esms[i].batch_size = 10;
        if (!cfg->esms[i].maximum_concurrency)
            cfg->esms[i].maximum_concurrency = 5;
    }
    for (size_t i = 0; i < cfg->napis; i++)
        if (!cfg->apis[i].stage)
            cfg->apis[i].stage = strdup("production");
}

static int check_fail(FILE *errout, const sim_config *cfg, int line, const char *what,
                      const char *name)
{
    fprintf(errout, "%s:%d: %s '%s'\n", cfg->path, line, what, name ? name : "(unset)");
    return -SIM_ECONFIG;
}

static const sim_cfg_queue *find_queue(const sim_config *cfg, const char *name)
{
    for (size_t i = 0; name && i < cfg->nqueues; i++)
        if (strcmp(cfg->queues[i].name, name) == 0)
            return &cfg->queues[i];
    return NULL;
}

static const sim_cfg_function *find_function(const sim_config *cfg, const char *name)
{
    for (size_t i = 0; name && i < cfg->nfunctions; i++)
        if (strcmp(cfg->functions[i].name, name) == 0)
            return &cfg->functions[i];
    return NULL;
}

/* Every pair of regions that calls cross must have a latency. */
static int check_pair(const sim_config *cfg, FILE *errout, int a, int b, int line)
{
    if (a < 0 || b < 0 || sim_config_latency(cfg, a, b))
        return 0;
    fprintf(errout, "%s:%d: no [latency %s %s] section for a pair this world uses\n", cfg->path,
            line, cfg->regions[a].name, cfg->regions[b].name);
    return -SIM_ECONFIG;
}

int sim_config_check(const sim_config *cfg, FILE *errout)
{
    int rc = 0;
    if (cfg->default_region < 0)
        rc = check_fail(errout, cfg, 0, "[world] default_region is required:", NULL);
    if (cfg->client_region < 0)
        rc = check_fail(errout, cfg, 0, "[world] client_region is required:", NULL);
    if (rc)
        return rc;
    for (size_t i = 0; i < cfg->ntables; i++)
        if (cfg->tables[i].pk == NULL)
            rc = check_fail(errout, cfg, cfg->tables[i].line, "partition_key is required for table",
                            cfg->tables[i].name);
    for (size_t i = 0; i < cfg->nqueues; i++) {
        const sim_cfg_queue *q = &cfg->queues[i];
        if (q->dead_letter_queue && !find_queue(cfg, q->dead_letter_queue))
            rc = check_fail(errout, cfg, q->line, "dead_letter_queue names no [queue]",
                            q->dead_letter_queue);
    }
    for (size_t i = 0; i < cfg->nfaults; i++)
        if (cfg->faults[i].kind == 0)
            rc = check_fail(errout, cfg, cfg->faults[i].line, "kind is required for fault",
                            cfg->faults[i].name);
    for (size_t i = 0; i < cfg->nfunctions; i++) {
        const sim_cfg_function *f = &cfg->functions[i];
        if (f->handler == NULL)
            rc = check_fail(errout, cfg, f->line, "handler is required for function", f->name);
    }
    for (size_t i = 0; i < cfg->nesms; i++) {
        const sim_cfg_esm *m = &cfg->esms[i];
        const sim_cfg_queue *q = find_queue(cfg, m->queue);
        const sim_cfg_function *f = find_function(cfg, m->function);
        if (!q)
            rc = check_fail(errout, cfg, m->line, "queue names no [queue]", m->queue);
        if (!f)
            rc = check_fail(errout, cfg, m->line, "function names no [function]", m->function);
        if (q && f && check_pair(cfg, errout, f->region, q->region, m->line))
            rc = -SIM_ECONFIG;
    }
    for (size_t i = 0; i < cfg->napis; i++) {
        const sim_cfg_api *a = &cfg->apis[i];
        if (check_pair(cfg, errout, cfg->client_region, a->region, 0))
            rc = -SIM_ECONFIG;
        for (size_t j = 0; j < a->nroutes; j++) {
            const sim_cfg_function *f = find_function(cfg, a->routes[j].function);
            if (!f)
                rc = check_fail(errout, cfg, a->routes[j].line, "route names no [function]",
                                a->routes[j].function);
            else if (check_pair(cfg, errout, a->region, f->region, a->routes[j].line))
                rc = -SIM_ECONFIG;
        }
    }
    /* Functions may call any resource: require latencies from each function region. */
    for (size_t i = 0; i < cfg->nfunctions; i++) {
        int fr = cfg->functions[i].region;
        int line = cfg->functions[i].line;
        for (size_t j = 0; j < cfg->ntables; j++)
            if (check_pair(cfg, errout, fr, cfg->tables[j].region, line))
                rc = -SIM_ECONFIG;
        for (size_t j = 0; j < cfg->nqueues; j++)
            if (check_pair(cfg, errout, fr, cfg->queues[j].region, line))
                rc = -SIM_ECONFIG;
        for (size_t j = 0; j < cfg->nbuckets; j++)
            if (check_pair(cfg, errout, fr, cfg->buckets[j].region, line))
                rc = -SIM_ECONFIG;
        if (check_pair(cfg, errout, fr, cfg->default_region, line))
            rc = -SIM_ECONFIG;
    }
    return rc;
}

int sim_config_set(sim_config *cfg, const char *section, const char *key, const char *value,
                   FILE *errout)
{
    parse_state st = { cfg, errout, "(override)", 0, 0 };
    int had_default = cfg->default_region;
    dispatch(&st, section, key, value);
    if (had_default >= 0 && cfg->default_region < 0)
        cfg->default_region = had_default;
    place_defaults(cfg);
    finish_defaults(cfg);
    return st.failed ? -SIM_ECONFIG : 0;
}

int sim_config_load(const char *path, FILE *errout, sim_config **out)
{
    sim_config *cfg = calloc(1, sizeof *cfg);
    if (cfg == NULL)
        return -SIM_ENOMEM;
    init_defaults(cfg);
    cfg->path = strdup(path);
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        fprintf(errout, "%s: cannot open: %s\n", path, strerror(errno));
        sim_config_destroy(cfg);
        return -SIM_EIO;
    }
    parse_state st = { cfg, errout, path, 0, 0 };
    line_reader lr = { f, &st };
    int rc = ini_parse_stream(read_line, &lr, ini_cb_nolineno, &st);
    fclose(f);
    if (rc > 0) {
        fprintf(errout, "%s:%d: syntax error (expected [section] or key = value)\n", path, rc);
        st.failed = 1;
    }
    if (!st.failed) {
        place_defaults(cfg);
        finish_defaults(cfg);
        if (sim_config_check(cfg, errout))
            st.failed = 1;
    }
    if (st.failed) {
        sim_config_destroy(cfg);
        return -SIM_ECONFIG;
    }
    *out = cfg;
    return 0;
}

int sim_config_merge(sim_config *cfg, const char *path, FILE *errout)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        fprintf(errout, "%s: cannot open: %s\n", path, strerror(errno));
        return -SIM_EIO;
    }
    parse_state st = { cfg, errout, path, 0, 0 };
    line_reader lr = { f, &st };
    int rc = ini_parse_stream(read_line, &lr, ini_cb_nolineno, &st);
    fclose(f);
    if (rc > 0) {
        fprintf(errout, "%s:%d: syntax error (expected [section] or key = value)\n", path, rc);
        st.failed = 1;
    }
    if (!st.failed) {
        place_defaults(cfg);
        finish_defaults(cfg);
        if (sim_config_check(cfg, errout))
            st.failed = 1;
    }
    return st.failed ? -SIM_ECONFIG : 0;
}

void sim_config_destroy(sim_config *cfg)
{
    if (cfg == NULL)
        return;
    for (size_t i = 0; i < cfg->nregions; i++)
        free(cfg->regions[i].name);
    free(cfg->regions);
    free(cfg->latencies);
    for (size_t i = 0; i < cfg->nservice_times; i++) {
        free(cfg->service_times[i].service);
        free(cfg->service_times[i].op);
    }
    free(cfg->service_times);
    for (size_t i = 0; i < cfg->ntables; i++) {
        sim_cfg_table *t = &cfg->tables[i];
        free(t->name), free(t->pk), free(t->pk_type), free(t->sk), free(t->sk_type);
        for (size_t j = 0; j < t->ngsis; j++) {
            sim_cfg_gsi *g = &t->gsis[j];
            free(g->name), free(g->pk), free(g->pk_type), free(g->sk), free(g->sk_type);
        }
        free(t->gsis);
    }
    free(cfg->tables);
    for (size_t i = 0; i < cfg->nqueues; i++)
        free(cfg->queues[i].name), free(cfg->queues[i].dead_letter_queue);
    free(cfg->queues);
    for (size_t i = 0; i < cfg->nfunctions; i++) {
        sim_cfg_function *f = &cfg->functions[i];
        free(f->name), free(f->handler);
        for (size_t j = 0; j < f->nenv; j++)
            free(f->env_keys[j]), free(f->env_values[j]);
        free(f->env_keys), free(f->env_values);
    }
    free(cfg->functions);
    for (size_t i = 0; i < cfg->nesms; i++)
        free(cfg->esms[i].name), free(cfg->esms[i].queue), free(cfg->esms[i].function);
    free(cfg->esms);
    for (size_t i = 0; i < cfg->napis; i++) {
        sim_cfg_api *a = &cfg->apis[i];
        free(a->name), free(a->stage);
        for (size_t j = 0; j < a->nroutes; j++)
            free(a->routes[j].method), free(a->routes[j].path), free(a->routes[j].function);
        free(a->routes);
        for (size_t j = 0; j < a->nresponses; j++)
            free(a->responses[j].pattern);
        free(a->responses);
    }
    free(cfg->apis);
    for (size_t i = 0; i < cfg->nbuckets; i++)
        free(cfg->buckets[i].name);
    free(cfg->buckets);
    for (size_t i = 0; i < cfg->nfaults; i++)
        free(cfg->faults[i].name), free(cfg->faults[i].service), free(cfg->faults[i].operation);
    free(cfg->faults);
    free(cfg->account_id);
    free(cfg->path);
    free(cfg);
}
