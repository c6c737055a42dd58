/* sim_log.h - one line per event: simulated time, level, component, request id, text.
 * Logging never draws randomness and never changes simulation state. */
#ifndef SIM_LOG_H
#define SIM_LOG_H

#include <stdio.h>

#include "sim_sched.h"

enum sim_log_level { SIM_LOG_DEBUG = 0, SIM_LOG_INFO = 1, SIM_LOG_WARN = 2, SIM_LOG_ERROR = 3 };

typedef struct sim_log {
    FILE *out;              /* borrowed; stderr by default */
    int min_level;          /* lines below this level are dropped */
    const sim_sched *sched; /* borrowed, for the simulated time stamp; may be NULL */
} sim_log;

/** Initialise: write to out (borrowed), drop lines under min_level. */
void sim_log_init(sim_log *log, FILE *out, int min_level, const sim_sched *sched);

/**
 * Write one line: "[   12.345678s] INFO  component request_id: text". component and
 * request_id may be NULL. Never fails (output errors are ignored).
 */
void sim_log_write(const sim_log *log, int level, const char *component, const char *request_id,
                   const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#define SIM_LOGI(log, comp, ...) sim_log_write((log), SIM_LOG_INFO, (comp), NULL, __VA_ARGS__)
#define SIM_LOGW(log, comp, ...) sim_log_write((log), SIM_LOG_WARN, (comp), NULL, __VA_ARGS__)
#define SIM_LOGE(log, comp, ...) sim_log_write((log), SIM_LOG_ERROR, (comp), NULL, __VA_ARGS__)

#endif
