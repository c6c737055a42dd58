/* sim_fiber.c - ucontext fibers. Stack switches are announced to AddressSanitizer with
 * __sanitizer_start/finish_switch_fiber so it tracks the right stack bounds. */
#include "sim_fiber.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <ucontext.h>

#include "sim_err.h"

#if defined(__SANITIZE_ADDRESS__)
#define SIM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SIM_ASAN 1
#endif
#endif

#ifdef SIM_ASAN
void __sanitizer_start_switch_fiber(void **fake_stack_save, const void *bottom, size_t size);
void __sanitizer_finish_switch_fiber(void *fake_stack_save, const void **bottom_old,
                                     size_t *size_old);
#endif

struct sim_fiber {
    ucontext_t ctx;        /* the fiber's context */
    ucontext_t caller;     /* where resume was called from */
    sim_fiber_fn fn;       /* body, borrowed */
    void *arg;             /* body argument, borrowed */
    void *stack;           /* owned */
    size_t stack_bytes;    /* size of stack */
    int done;              /* fn returned */
    int running;           /* inside the fiber now */
    const void *caller_bottom; /* ASan: caller's stack bounds, learned on entry */
    size_t caller_size;
    void *fake_stack;      /* ASan fake-stack save slot */
};

/* makecontext passes ints; split the pointer in two. */
static void trampoline(unsigned int hi, unsigned int lo)
{
    sim_fiber *f = (sim_fiber *)(((uintptr_t)hi << 32) | (uintptr_t)lo);
#ifdef SIM_ASAN
    __sanitizer_finish_switch_fiber(NULL, &f->caller_bottom, &f->caller_size);
#endif
    f->fn(f->arg);
    f->done = 1;
    f->running = 0;
#ifdef SIM_ASAN
    __sanitizer_start_switch_fiber(NULL, f->caller_bottom, f->caller_size);
#endif
    setcontext(&f->caller);
}

int sim_fiber_create(sim_fiber_fn fn, void *arg, size_t stack_bytes, sim_fiber **out_fiber)
{
    sim_fiber *f = calloc(1, sizeof *f);
    if (f == NULL)
        return -SIM_ENOMEM;
    f->stack_bytes = stack_bytes ? stack_bytes : SIM_FIBER_STACK_BYTES;
    f->stack = malloc(f->stack_bytes);
    if (f->stack == NULL) {
        free(f);
        return -SIM_ENOMEM;
    }
    f->fn = fn;
    f->arg = arg;
    getcontext(&f->ctx);
    f->ctx.uc_stack.ss_sp = f->stack;
    f->ctx.uc_stack.ss_size = f->stack_bytes;
    f->ctx.uc_link = NULL;
    uintptr_t p = (uintptr_t)f;
    makecontext(&f->ctx, (void (*)(void))trampoline, 2, (unsigned int)(p >> 32),
                (unsigned int)(p & 0xffffffffu));
    *out_fiber = f;
    return 0;
}

void sim_fiber_resume(sim_fiber *f)
{
    assert(!f->done && !f->running);
    f->running = 1;
#ifdef SIM_ASAN
    void *fake = NULL;
    __sanitizer_start_switch_fiber(&fake, f->stack, f->stack_bytes);
#endif
    swapcontext(&f->caller, &f->ctx);
#ifdef SIM_ASAN
    __sanitizer_finish_switch_fiber(fake, NULL, NULL);
#endif
}

void sim_fiber_yield(sim_fiber *f)
{
    assert(f->running);
    f->running = 0;
#ifdef SIM_ASAN
    __sanitizer_start_switch_fiber(&f->fake_stack, f->caller_bottom, f->caller_size);
#endif
    swapcontext(&f->ctx, &f->caller);
#ifdef SIM_ASAN
    __sanitizer_finish_switch_fiber(f->fake_stack, &f->caller_bottom, &f->caller_size);
#endif
    f->running = 1;
}

int sim_fiber_done(const sim_fiber *f)
{
    return f->done;
}

void sim_fiber_destroy(sim_fiber *f)
{
    if (f == NULL)
        return;
    assert(!f->running);
    free(f->stack);
    free(f);
}
