/* sim_fiber.h - fibers on the loop thread (glibc ucontext), annotated for ASan.
 * A handler runs in a fiber and blocks by yielding back to the loop; the scheduler
 * resumes it when its simulated call completes. Single-threaded: never resume a fiber
 * from any thread but the loop's. */
#ifndef SIM_FIBER_H
#define SIM_FIBER_H

#include <stddef.h>

typedef struct sim_fiber sim_fiber;
typedef void (*sim_fiber_fn)(void *arg);

/* Default stack: generous for cJSON and sqlite calls; larger under ASan. */
#define SIM_FIBER_STACK_BYTES ((size_t)512 * 1024)

/**
 * Create a fiber that will run fn(arg) when first resumed. stack_bytes of 0 means
 * SIM_FIBER_STACK_BYTES. *out_fiber is owned by the caller: sim_fiber_destroy().
 * Returns 0 or -SIM_ENOMEM.
 */
int sim_fiber_create(sim_fiber_fn fn, void *arg, size_t stack_bytes, sim_fiber **out_fiber);

/**
 * Run f from the loop (not from inside a fiber) until it yields or fn returns.
 * Asserts f is not finished.
 */
void sim_fiber_resume(sim_fiber *f);

/** From inside f: switch back to whoever resumed it. Returns when resumed again. */
void sim_fiber_yield(sim_fiber *f);

/** 1 once fn has returned. */
int sim_fiber_done(const sim_fiber *f);

/** Free f's stack. f must be finished or never resumed, or abandoned for good. NULL ok. */
void sim_fiber_destroy(sim_fiber *f);

#endif
