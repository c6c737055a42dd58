/* sim_uv.c - a real-time scheduler on a libuv loop: before the loop blocks, fire what is
 * due and arm one timer for the next deadline (rounded up to libuv's milliseconds). */
#include "sim_uv.h"

#include "sim_err.h"

/* Events per loop turn: after a batch, poll I/O (timeout 0) before the next. */
#define SIM_UV_BATCH 256

static void on_timer(uv_timer_t *t);

static void arm(sim_uv *u)
{
    if (u->closing)
        return;
    sim_time_us next = sim_sched_next_due(u->sched);
    if (next < 0) {
        uv_timer_stop(&u->timer);
        return;
    }
    sim_sched_refresh(u->sched);
    sim_time_us wait = next - sim_sched_now(u->sched);
    uint64_t ms = wait <= 0 ? 0 : (uint64_t)((wait + 999) / 1000);
    uv_timer_start(&u->timer, on_timer, ms, 0);
}

static void on_timer(uv_timer_t *t)
{
    sim_uv *u = t->data;
    sim_sched_run_due(u->sched, SIM_UV_BATCH);
    arm(u);
}

static void on_prepare(uv_prepare_t *p)
{
    sim_uv *u = p->data;
    sim_sched_run_due(u->sched, SIM_UV_BATCH);
    arm(u);
}

void sim_uv_kick(sim_uv *u)
{
    arm(u);
}

int sim_uv_init(sim_uv *u, uv_loop_t *loop, sim_sched *sched)
{
    u->loop = loop;
    u->sched = sched;
    u->closing = 0;
    if (uv_timer_init(loop, &u->timer) || uv_prepare_init(loop, &u->prepare))
        return -SIM_EIO;
    u->timer.data = u;
    u->prepare.data = u;
    uv_prepare_start(&u->prepare, on_prepare);
    uv_unref((uv_handle_t *)&u->prepare);
    return 0;
}

void sim_uv_close(sim_uv *u)
{
    u->closing = 1;
    uv_timer_stop(&u->timer);
    uv_prepare_stop(&u->prepare);
    uv_close((uv_handle_t *)&u->timer, NULL);
    uv_close((uv_handle_t *)&u->prepare, NULL);
}
