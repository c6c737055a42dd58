/* sim_fault.c - matching [fault] rules and drawing from the fault stream. */
#include "sim_fault.h"

#include <stdio.h>
#include <string.h>

void sim_faults_init(sim_faults *f, const sim_config *cfg, sim_rng *parent, sim_trace *trace)
{
    f->cfg = cfg;
    sim_rng_fork(parent, &f->rng);
    f->trace = trace;
    f->injected = 0;
}

static const char *kind_name(int kind)
{
    switch (kind) {
    case SIM_FAULT_THROTTLE: return "throttle";
    case SIM_FAULT_INTERNAL: return "internal_error";
    case SIM_FAULT_FUNCTION: return "function_error";
    case SIM_FAULT_DUPLICATE: return "duplicate_delivery";
    case SIM_FAULT_OUTAGE: return "outage";
    }
    return "?";
}

int sim_fault_decide(sim_faults *f, sim_time_us now_us, const char *service, const char *op,
                     int region, const char *request_id)
{
    if (f == NULL || f->cfg == NULL)
        return 0;
    for (size_t i = 0; i < f->cfg->nfaults; i++) {
        const sim_cfg_fault *r = &f->cfg->faults[i];
        if (r->service && strcmp(r->service, service) != 0)
            continue;
        if (r->operation && (op == NULL || strcmp(r->operation, op) != 0))
            continue;
        if (r->region >= 0 && r->region != region)
            continue;
        if (now_us < r->start_us || (r->end_us > 0 && now_us >= r->end_us))
            continue;
        /* Kinds that do not apply to this service never fire (and never draw). */
        if ((r->kind == SIM_FAULT_THROTTLE && strcmp(service, "dynamodb") != 0) ||
            (r->kind == SIM_FAULT_FUNCTION && strcmp(service, "lambda") != 0) ||
            (r->kind == SIM_FAULT_DUPLICATE &&
             (strcmp(service, "sqs") != 0 || op == NULL || strncmp(op, "SendMessage", 11) != 0)))
            continue;
        if (r->ppm < 1000000 && !sim_rng_chance(&f->rng, (uint64_t)r->ppm, 1000000))
            continue;
        f->injected++;
        char what[256];
        snprintf(what, sizeof what, "%s.%s %s", service, op ? op : "-", r->name);
        sim_trace_event(f->trace, now_us, "fault", what, request_id, kind_name(r->kind));
        return r->kind;
    }
    return 0;
}
