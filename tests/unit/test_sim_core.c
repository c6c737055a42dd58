/* test_sim_core.c - the kernel: scheduler order and virtual time, fibers, the seeded RNG. */
#include <criterion/criterion.h>
#include <string.h>

#include "sim/core/sim_fiber.h"
#include "sim/core/sim_rng.h"
#include "sim/core/sim_sched.h"

typedef struct fired {
    char order[16];
    int n;
    sim_time_us at[16];
    sim_sched *s;
} fired;

typedef struct tev {
    sim_timer t;
    fired *f;
    char tag;
} tev;

static void on_fire(void *arg)
{
    tev *e = arg;
    e->f->at[e->f->n] = sim_sched_now(e->f->s);
    e->f->order[e->f->n++] = e->tag;
}

Test(sim_sched, fires_in_time_then_arming_order_in_virtual_time)
{
    sim_clock c;
    sim_clock_init_virtual(&c);
    sim_sched s;
    sim_sched_init(&s, &c);
    fired f = { .s = &s };
    tev e[4] = { { .tag = 'a' }, { .tag = 'b' }, { .tag = 'c' }, { .tag = 'd' } };
    for (int i = 0; i < 4; i++) {
        sim_timer_init(&e[i].t);
        e[i].f = &f;
    }
    sim_timer_start(&s, &e[0].t, 5 * SIM_S, on_fire, &e[0]);
    sim_timer_start(&s, &e[1].t, 1 * SIM_S, on_fire, &e[1]);
    sim_timer_start(&s, &e[2].t, 5 * SIM_S, on_fire, &e[2]);
    sim_timer_start(&s, &e[3].t, 3 * SIM_S, on_fire, &e[3]);
    sim_timer_stop(&s, &e[3].t);
    cr_assert_eq(sim_sched_run_for(&s, 4 * SIM_S), 1);
    cr_assert_eq(sim_sched_now(&s), 4 * SIM_S);
    cr_assert_eq(sim_sched_run_for(&s, 10 * SIM_S), 2);
    cr_assert_str_eq(f.order, "bac");
    cr_assert_eq(f.at[0], 1 * SIM_S);
    cr_assert_eq(f.at[1], 5 * SIM_S);
    cr_assert_eq(f.at[2], 5 * SIM_S);
    cr_assert_eq(sim_sched_next_due(&s), -1);
    sim_sched_release(&s);
}

typedef struct fib_state {
    sim_fiber *self;
    int steps;
    char buf[64];
} fib_state;

static void fib_body(void *arg)
{
    fib_state *st = arg;
    char local[32];
    strcpy(local, "in-fiber");
    st->steps++;
    sim_fiber_yield(st->self);
    st->steps++;
    strcpy(st->buf, local);
}

Test(sim_fiber, yields_and_resumes_keeping_its_stack)
{
    fib_state st = { 0 };
    cr_assert_eq(sim_fiber_create(fib_body, &st, 0, &st.self), 0);
    sim_fiber_resume(st.self);
    cr_assert_eq(st.steps, 1);
    cr_assert_not(sim_fiber_done(st.self));
    sim_fiber_resume(st.self);
    cr_assert_eq(st.steps, 2);
    cr_assert(sim_fiber_done(st.self));
    cr_assert_str_eq(st.buf, "in-fiber");
    sim_fiber_destroy(st.self);
}

Test(sim_rng, same_seed_same_stream_and_forks_are_independent)
{
    sim_rng a, b, ca, cb;
    sim_rng_seed(&a, 7);
    sim_rng_seed(&b, 7);
    sim_rng_fork(&a, &ca);
    sim_rng_fork(&b, &cb);
    for (int i = 0; i < 100; i++)
        cr_assert_eq(sim_rng_u64(&ca), sim_rng_u64(&cb));
    /* draws in a fork do not shift the parent */
    cr_assert_eq(sim_rng_u64(&a), sim_rng_u64(&b));
    char u[37];
    sim_rng_uuid(&a, u);
    cr_assert_eq(strlen(u), 36);
    cr_assert_eq(u[14], '4');
    for (int i = 0; i < 1000; i++)
        cr_assert_lt(sim_rng_below(&a, 10), 10);
}
