/* sim_clock.h - the one clock. Time is sim_time_us: int64 microseconds.
 * Two implementations: real (CLOCK_MONOTONIC) and virtual (moved by the scheduler).
 * Only sim_clock.c reads the system clock. */
#ifndef SIM_CLOCK_H
#define SIM_CLOCK_H

#include <stdint.h>

typedef int64_t sim_time_us;

#define SIM_US ((sim_time_us)1)
#define SIM_MS ((sim_time_us)1000)
#define SIM_S  ((sim_time_us)1000000)

/* Epoch of a virtual clock's zero: 2026-01-01T00:00:00Z, in microseconds. */
#define SIM_VIRTUAL_EPOCH_US ((sim_time_us)1767225600 * SIM_S)

typedef struct sim_clock {
    int virtual_mode;         /* 1: time moves only by sim_clock_set; 0: monotonic */
    sim_time_us virtual_now;  /* virtual mode: current time, us since the clock's zero */
    sim_time_us mono_base_us; /* real mode: CLOCK_MONOTONIC at init, us */
    sim_time_us epoch_base_us; /* Unix epoch time (us) that corresponds to time zero */
    sim_time_us offset_us;    /* real mode: time travelled forward by sim_clock_advance */
} sim_clock;

/**
 * Initialise a real-time clock: zero is "now"; epoch_base_us is read once from
 * CLOCK_REALTIME so handlers can stamp wall dates (epoch ms) as Lambda code would.
 */
void sim_clock_init_real(sim_clock *c);

/** Initialise a virtual clock at zero, whose epoch is SIM_VIRTUAL_EPOCH_US. */
void sim_clock_init_virtual(sim_clock *c);

/** Time since the clock's zero, in microseconds (monotonic in both modes). */
sim_time_us sim_clock_now(const sim_clock *c);

/** Virtual mode only: move time forward to t (asserts t >= now). */
void sim_clock_set(sim_clock *c, sim_time_us t);

/** Move time forward by delta_us (>= 0) in either mode: in real mode the clock keeps
 * running from the new point (development "time travel": expire tokens, visibility). */
void sim_clock_advance(sim_clock *c, sim_time_us delta_us);

/** Convert clock time t to Unix epoch microseconds. */
sim_time_us sim_clock_epoch_us(const sim_clock *c, sim_time_us t);

/** Wall-clock microseconds of CLOCK_MONOTONIC, for measuring wall time of a run
 * (benchmarks, start-up figures) - never for simulation decisions. */
sim_time_us sim_clock_wall_us(void);

#endif
