/* sim_err.h - the one error enum of Stratus and sim_strerror().
 * C failures only: emulated AWS errors (ConditionalCheckFailed, QueueDoesNotExist, ...)
 * are results carried in a sim_reply, never these codes. */
#ifndef SIM_ERR_H
#define SIM_ERR_H

/* Functions return 0 on success or one of these, negated (-SIM_EINVAL). */
enum sim_err {
    SIM_OK = 0,
    SIM_EINVAL = 1,    /* bad argument or malformed input */
    SIM_ENOMEM = 2,    /* allocation failed */
    SIM_ENOENT = 3,    /* no such object */
    SIM_EEXIST = 4,    /* object already exists */
    SIM_ESTORAGE = 5,  /* sqlite or file system failure */
    SIM_ETIMEDOUT = 6, /* the invocation's timeout passed while the call was pending */
    SIM_ECANCELED = 7, /* the world is shutting down; the pending call was abandoned */
    SIM_ECONFIG = 8,   /* regions.conf is wrong (the message was logged) */
    SIM_EIO = 9,       /* socket or file I/O failed */
    SIM_EFUNC = 10,    /* a Lambda handler reported a function error */
    SIM_ELIMIT = 11,   /* a configured limit (size, depth, count) was exceeded */
    SIM_EBUSY = 12,    /* resource in use (e.g. reserved concurrency exhausted) */
};

/** Static English text for a code; accepts the negated or plain form. Never NULL. */
const char *sim_strerror(int err);

#endif
