/* sim_uv.h - the only libuv glue of the kernel: drives a real-time scheduler from a libuv
 * loop with one uv_timer armed for the earliest deadline. */
#ifndef SIM_UV_H
#define SIM_UV_H

#include <uv.h>

#include "sim_sched.h"

typedef struct sim_uv {
    uv_loop_t *loop;      /* borrowed */
    sim_sched *sched;     /* borrowed */
    uv_timer_t timer;     /* fires at the earliest due time */
    uv_prepare_t prepare; /* runs due events and re-arms the timer before each poll */
    int closing;
} sim_uv;

/** Hook sched into loop. Both borrowed, must outlive u. Returns 0 or -SIM_EIO. */
int sim_uv_init(sim_uv *u, uv_loop_t *loop, sim_sched *sched);

/** Re-arm the timer for the scheduler's earliest event: call after scheduling from
 * outside a loop callback (e.g. before uv_run), or the loop may not wake for it. */
void sim_uv_kick(sim_uv *u);

/** Stop and close the handles (they finish closing on the next loop run). */
void sim_uv_close(sim_uv *u);

#endif
