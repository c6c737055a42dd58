/* sim_log.c - line logger stamped with simulated time. */
#include "sim_log.h"

#include <stdarg.h>

static const char *const level_names[] = { "DEBUG", "INFO ", "WARN ", "ERROR" };

void sim_log_init(sim_log *log, FILE *out, int min_level, const sim_sched *sched)
{
    log->out = out;
    log->min_level = min_level;
    log->sched = sched;
}

void sim_log_write(const sim_log *log, int level, const char *component, const char *request_id,
                   const char *fmt, ...)
{
    if (log == NULL || log->out == NULL || level < log->min_level)
        return;
    char text[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    sim_time_us t = log->sched ? sim_sched_now(log->sched) : 0;
    if (level < 0 || level > 3)
        level = SIM_LOG_ERROR;
    fprintf(log->out, "[%6lld.%06llds] %s %s%s%s: %s\n", (long long)(t / SIM_S),
            (long long)(t % SIM_S), level_names[level], component ? component : "-",
            request_id ? " " : "", request_id ? request_id : "", text);
    fflush(log->out);
}
