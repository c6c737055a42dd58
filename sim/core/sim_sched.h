/* sim_sched.h - the scheduler: a heap of timers ordered by (due_us, seq), over one clock.
 * In virtual mode sim_sched_run_for() jumps the clock from event to event; in real mode
 * sim_uv.c arms one uv_timer for the earliest deadline and calls sim_sched_run_due().
 * Timers are embedded in their owner's struct (libuv style): no allocation here. */
#ifndef SIM_SCHED_H
#define SIM_SCHED_H

#include <stddef.h>
#include <stdint.h>

#include "sim_clock.h"

typedef void (*sim_event_fn)(void *arg);

typedef struct sim_timer {
    sim_time_us due_us; /* when it fires, clock time */
    uint64_t seq;       /* tie-breaker: order of arming */
    sim_event_fn fn;    /* callback, borrowed */
    void *arg;          /* callback argument, borrowed */
    size_t heap_index;  /* position in the heap; SIZE_MAX when not armed */
} sim_timer;

typedef struct sim_sched {
    sim_clock *clock;     /* borrowed */
    sim_time_us now;      /* cached time, refreshed once per dispatched event */
    sim_timer **heap;     /* owned array of borrowed timers */
    size_t count;         /* armed timers */
    size_t cap;           /* heap capacity */
    uint64_t next_seq;    /* sequence counter */
    uint64_t dispatched;  /* events run so far */
} sim_sched;

/** Initialise s over clock (borrowed; must outlive s). Returns 0. */
int sim_sched_init(sim_sched *s, sim_clock *clock);

/** Free the heap. Armed timers are forgotten, not fired. Accepts NULL. */
void sim_sched_release(sim_sched *s);

/** The cached time (us). Constant during one event; see sim_sched_refresh. */
sim_time_us sim_sched_now(const sim_sched *s);

/** Re-read the clock into the cache (real mode: when work arrives from outside). */
void sim_sched_refresh(sim_sched *s);

/** Prepare t (not armed). */
void sim_timer_init(sim_timer *t);

/** 1 when t is armed. */
int sim_timer_armed(const sim_timer *t);

/**
 * Arm t to call fn(arg) at clock time due_us (a time in the past fires on the next
 * dispatch). Re-arms if t was armed. Returns 0 or -SIM_ENOMEM (t left unarmed).
 */
int sim_timer_start(sim_sched *s, sim_timer *t, sim_time_us due_us, sim_event_fn fn, void *arg);

/** Disarm t; a no-op when it is not armed. */
void sim_timer_stop(sim_sched *s, sim_timer *t);

/** Due time of the earliest armed timer, or -1 when none is armed. */
sim_time_us sim_sched_next_due(const sim_sched *s);

/**
 * Real mode: refresh the time, then fire timers due at or before it, in (due_us, seq)
 * order, including timers armed by those callbacks if already due, at most max_events
 * (so a burst of zero-delay work yields to I/O between batches). Returns the number fired.
 */
size_t sim_sched_run_due(sim_sched *s, size_t max_events);

/**
 * Virtual mode: fire timers in order, jumping the clock to each one's due time,
 * until none is due at or before now + duration_us; then set the clock to that end.
 * Returns the number fired.
 */
size_t sim_sched_run_for(sim_sched *s, sim_time_us duration_us);

/** Virtual mode: fire timers until none is armed or max_events fired. Returns fired. */
size_t sim_sched_run_until_idle(sim_sched *s, size_t max_events);

#endif
