/* sim_clock.c - the only file that reads the system clock. */
#include "sim_clock.h"

#include <assert.h>
#include <time.h>

static sim_time_us read_clock(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (sim_time_us)ts.tv_sec * SIM_S + ts.tv_nsec / 1000;
}

void sim_clock_init_real(sim_clock *c)
{
    c->virtual_mode = 0;
    c->virtual_now = 0;
    c->mono_base_us = read_clock(CLOCK_MONOTONIC);
    c->epoch_base_us = read_clock(CLOCK_REALTIME);
    c->offset_us = 0;
}

void sim_clock_init_virtual(sim_clock *c)
{
    c->virtual_mode = 1;
    c->virtual_now = 0;
    c->mono_base_us = 0;
    c->epoch_base_us = SIM_VIRTUAL_EPOCH_US;
    c->offset_us = 0;
}

sim_time_us sim_clock_now(const sim_clock *c)
{
    if (c->virtual_mode)
        return c->virtual_now;
    return read_clock(CLOCK_MONOTONIC) - c->mono_base_us + c->offset_us;
}

void sim_clock_advance(sim_clock *c, sim_time_us delta_us)
{
    assert(delta_us >= 0);
    if (c->virtual_mode)
        c->virtual_now += delta_us;
    else
        c->offset_us += delta_us;
}

void sim_clock_set(sim_clock *c, sim_time_us t)
{
    assert(c->virtual_mode);
    assert(t >= c->virtual_now);
    c->virtual_now = t;
}

sim_time_us sim_clock_epoch_us(const sim_clock *c, sim_time_us t)
{
    return c->epoch_base_us + t;
}

sim_time_us sim_clock_wall_us(void)
{
    return read_clock(CLOCK_MONOTONIC);
}
