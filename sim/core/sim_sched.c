/* sim_sched.c - binary min-heap of embedded timers keyed by (due_us, seq). */
#include "sim_sched.h"

#include <assert.h>
#include <stdlib.h>

#include "sim_err.h"

static int timer_less(const sim_timer *a, const sim_timer *b)
{
    if (a->due_us != b->due_us)
        return a->due_us < b->due_us;
    return a->seq < b->seq;
}

static void heap_set(sim_sched *s, size_t i, sim_timer *t)
{
    s->heap[i] = t;
    t->heap_index = i;
}

static void sift_up(sim_sched *s, size_t i)
{
    sim_timer *t = s->heap[i];
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!timer_less(t, s->heap[parent]))
            break;
        heap_set(s, i, s->heap[parent]);
        i = parent;
    }
    heap_set(s, i, t);
}

static void sift_down(sim_sched *s, size_t i)
{
    sim_timer *t = s->heap[i];
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        sim_timer *best = t;
        if (l < s->count && timer_less(s->heap[l], best)) {
            m = l;
            best = s->heap[l];
        }
        if (r < s->count && timer_less(s->heap[r], best)) {
            m = r;
            best = s->heap[r];
        }
        if (m == i)
            break;
        heap_set(s, i, best);
        i = m;
    }
    heap_set(s, i, t);
}

int sim_sched_init(sim_sched *s, sim_clock *clock)
{
    s->clock = clock;
    s->now = sim_clock_now(clock);
    s->heap = NULL;
    s->count = 0;
    s->cap = 0;
    s->next_seq = 0;
    s->dispatched = 0;
    return 0;
}

void sim_sched_release(sim_sched *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->count; i++)
        s->heap[i]->heap_index = SIZE_MAX;
    free(s->heap);
    s->heap = NULL;
    s->count = s->cap = 0;
}

sim_time_us sim_sched_now(const sim_sched *s)
{
    return s->now;
}

void sim_sched_refresh(sim_sched *s)
{
    sim_time_us t = sim_clock_now(s->clock);
    if (t > s->now)
        s->now = t;
}

void sim_timer_init(sim_timer *t)
{
    t->due_us = 0;
    t->seq = 0;
    t->fn = NULL;
    t->arg = NULL;
    t->heap_index = SIZE_MAX;
}

int sim_timer_armed(const sim_timer *t)
{
    return t->heap_index != SIZE_MAX;
}

int sim_timer_start(sim_sched *s, sim_timer *t, sim_time_us due_us, sim_event_fn fn, void *arg)
{
    sim_timer_stop(s, t);
    if (s->count == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        sim_timer **h = realloc(s->heap, cap * sizeof *h);
        if (h == NULL)
            return -SIM_ENOMEM;
        s->heap = h;
        s->cap = cap;
    }
    t->due_us = due_us;
    t->seq = s->next_seq++;
    t->fn = fn;
    t->arg = arg;
    heap_set(s, s->count++, t);
    sift_up(s, t->heap_index);
    return 0;
}

void sim_timer_stop(sim_sched *s, sim_timer *t)
{
    if (!sim_timer_armed(t))
        return;
    size_t i = t->heap_index;
    assert(i < s->count && s->heap[i] == t);
    t->heap_index = SIZE_MAX;
    s->count--;
    if (i == s->count)
        return;
    heap_set(s, i, s->heap[s->count]);
    sift_down(s, i);
    sift_up(s, s->heap[i]->heap_index);
}

sim_time_us sim_sched_next_due(const sim_sched *s)
{
    return s->count ? s->heap[0]->due_us : -1;
}

/* Pop the earliest timer and call it. */
static void fire_first(sim_sched *s)
{
    sim_timer *t = s->heap[0];
    sim_timer_stop(s, t);
    s->dispatched++;
    t->fn(t->arg);
}

size_t sim_sched_run_due(sim_sched *s, size_t max_events)
{
    size_t n = 0;
    sim_sched_refresh(s);
    while (n < max_events && s->count && s->heap[0]->due_us <= s->now) {
        fire_first(s);
        n++;
        sim_sched_refresh(s);
    }
    return n;
}

size_t sim_sched_run_for(sim_sched *s, sim_time_us duration_us)
{
    assert(s->clock->virtual_mode);
    sim_time_us end = s->now + duration_us;
    size_t n = 0;
    while (s->count && s->heap[0]->due_us <= end) {
        sim_time_us due = s->heap[0]->due_us;
        if (due > s->now) {
            sim_clock_set(s->clock, due);
            s->now = due;
        }
        fire_first(s);
        n++;
    }
    sim_clock_set(s->clock, end);
    s->now = end;
    return n;
}

size_t sim_sched_run_until_idle(sim_sched *s, size_t max_events)
{
    assert(s->clock->virtual_mode);
    size_t n = 0;
    while (s->count && n < max_events) {
        sim_time_us due = s->heap[0]->due_us;
        if (due > s->now) {
            sim_clock_set(s->clock, due);
            s->now = due;
        }
        fire_first(s);
        n++;
    }
    return n;
}
