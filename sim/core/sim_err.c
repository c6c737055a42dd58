/* sim_err.c - text for the codes of sim_err.h. */
#include "sim_err.h"

const char *sim_strerror(int err)
{
    if (err < 0)
        err = -err;
    switch (err) {
    case SIM_OK: return "success";
    case SIM_EINVAL: return "invalid argument";
    case SIM_ENOMEM: return "out of memory";
    case SIM_ENOENT: return "no such object";
    case SIM_EEXIST: return "object already exists";
    case SIM_ESTORAGE: return "storage failure";
    case SIM_ETIMEDOUT: return "invocation timed out";
    case SIM_ECANCELED: return "canceled";
    case SIM_ECONFIG: return "configuration error";
    case SIM_EIO: return "I/O error";
    case SIM_EFUNC: return "function error";
    case SIM_ELIMIT: return "limit exceeded";
    case SIM_EBUSY: return "resource busy";
    }
    return "unknown error";
}
