/* sim_region.c - latency and service-time draws for the region model. */
#include "sim_region.h"

#include <ctype.h>
#include <math.h>

void sim_region_init(sim_region_model *m, const sim_config *cfg, sim_rng *parent)
{
    m->cfg = cfg;
    sim_rng_fork(parent, &m->rng);
    m->scale = 1.0;
}

/* Standard normal deviate by Box-Muller (two uniforms per draw, no caching: a draw's
 * cost in stream positions is fixed, so streams stay aligned across runs). */
static double std_normal(sim_rng *r)
{
    double u1 = sim_rng_unit(r), u2 = sim_rng_unit(r);
    if (u1 < 1e-300)
        u1 = 1e-300;
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

sim_time_us sim_dist_sample(const sim_dist *d, sim_rng *r)
{
    double x = 0;
    switch (d->kind) {
    case SIM_DIST_FIXED:
        x = d->a;
        break;
    case SIM_DIST_NORMAL:
        x = d->a + d->b * std_normal(r);
        break;
    case SIM_DIST_LOGNORMAL:
        x = d->a * exp(d->b * std_normal(r));
        break;
    case SIM_DIST_UNIFORM:
        x = d->a + (d->b - d->a) * sim_rng_unit(r);
        break;
    }
    if (!(x > 0))
        return 0;
    return (sim_time_us)llround(x);
}

sim_time_us sim_region_latency_us(sim_region_model *m, int a, int b)
{
    if (a < 0 || b < 0 || m->scale == 0)
        return 0;
    const sim_dist *d = sim_config_latency(m->cfg, a, b);
    if (d == NULL)
        return 0;
    return (sim_time_us)((double)sim_dist_sample(d, &m->rng) * m->scale);
}

sim_time_us sim_region_service_us(sim_region_model *m, const char *service, const char *op)
{
    if (m->scale == 0)
        return 0;
    char lower[64];
    size_t i = 0;
    for (; op[i] && i < sizeof lower - 1; i++)
        lower[i] = (char)tolower((unsigned char)op[i]);
    lower[i] = '\0';
    const sim_dist *d = sim_config_service_time(m->cfg, service, lower);
    if (d == NULL)
        return 0;
    return (sim_time_us)((double)sim_dist_sample(d, &m->rng) * m->scale);
}
