/* sqs_int.h - internals shared by the files of queue/: the service, queue, message and
 * waiter structs, and the cross-file helpers (sqs__*). Nothing outside queue/ includes
 * this; the public contract is queue/sqs.h.
 * Source: Amazon SQS API Reference, Amazon SQS Developer Guide (quotas, visibility
 * timeout, dead-letter queues, long polling). */
#ifndef SQS_INT_H
#define SQS_INT_H

#include <stddef.h>
#include <stdint.h>

#include "queue/sqs.h"
#include "sim/core/sim_err.h"

#define SQS_MAX_BATCH         10     /* entries per batch request, and messages per receive */
#define SQS_MAX_MSG_BYTES     262144 /* 256 KiB: body + message attributes, and a batch */
#define SQS_MIN_MSG_BYTES     1024   /* MaximumMessageSize lower bound */
#define SQS_VIS_MAX_S         43200  /* 12 hours */
#define SQS_DELAY_MAX_S       900    /* 15 minutes */
#define SQS_WAIT_MAX_S        20     /* long poll */
#define SQS_RETENTION_MIN_S   60
#define SQS_RETENTION_MAX_S   1209600      /* 14 days */
#define SQS_MAX_RECEIVE_MAX   1000         /* RedrivePolicy maxReceiveCount upper bound */
#define SQS_MAX_MSG_ATTRS     10           /* message attributes per message */
#define SQS_PURGE_INTERVAL_US (60 * SIM_S) /* one PurgeQueue per queue per 60 s */
#define SQS_HANDLE_LEN        48           /* receipt handle characters (base64 of 36 bytes) */
#define SQS_LIST_MAX          1000         /* ListQueues results per page */

typedef struct sqs_queue sqs_queue;
typedef struct sqs_msg sqs_msg;
typedef struct sqs_waiter sqs_waiter;

/* One message. It sits in its queue's heap (ordered by visible_at_us, seq) and index. */
struct sqs_msg {
    uint64_t seq;              /* arrival order in this queue: the receive tie-breaker */
    char id[37];               /* MessageId (a UUID from the service rng) */
    char *body;                /* owned, NUL-terminated */
    size_t body_bytes;         /* bytes of body */
    char md5_body[33];         /* hex MD5 of the body */
    cJSON *attrs;              /* owned MessageAttributes map (request shape), or NULL */
    char md5_attrs[33];        /* hex MD5 of all attrs; "" when there are none */
    char *trace_header;        /* AWSTraceHeader system attribute, owned, or NULL */
    char *dlq_source_arn;      /* owned: QueueArn it was moved from by redrive, or NULL */
    sim_time_us sent_us;       /* sched time of the original send (kept across redrive) */
    sim_time_us visible_at_us; /* sched time from which it can be received */
    sim_time_us first_recv_us; /* sched time of the first receive; -1 before */
    sim_time_us recv_us;       /* sched time of the latest receive; -1 before */
    int receive_count;         /* receives so far (ApproximateReceiveCount) */
    size_t heap_index;         /* position in the queue's heap */
};

/* A ReceiveMessage waiting for a message (long poll). Owned by its queue's list. */
struct sqs_waiter {
    sqs_waiter *next;   /* arrival order */
    sqs_queue *q;       /* borrowed: the queue completes or frees its waiters before it goes */
    cJSON *req;         /* owned copy of the request (attribute names) */
    int max_msgs;       /* 1..10 */
    sim_time_us vis_us; /* visibility timeout to apply */
    sim_timer deadline; /* fires at the end of WaitTimeSeconds */
    cJSON *result;      /* owned result while being completed, else NULL */
    sqs_done_fn done;   /* borrowed */
    void *arg;          /* borrowed */
};

struct sqs_queue {
    sqs_service *svc;        /* back-pointer, borrowed */
    uint64_t uid;            /* unique in the service (receipt handles name it) */
    char *name;              /* owned */
    char *arn;               /* owned: arn:aws:sqs:<region>:<account>:<name> */
    char *url;               /* owned: <endpoint>/<account>/<name> */
    int visibility_s;        /* VisibilityTimeout, s */
    int max_msg_bytes;       /* MaximumMessageSize, bytes */
    int retention_s;         /* MessageRetentionPeriod, s */
    int delay_s;             /* DelaySeconds, s */
    int wait_s;              /* ReceiveMessageWaitTimeSeconds, s */
    char *redrive_json;      /* owned normalized RedrivePolicy, or NULL */
    char *dlq_arn;           /* owned deadLetterTargetArn, or NULL */
    int max_receive;         /* maxReceiveCount (valid when dlq_arn) */
    cJSON *extra;            /* owned map of stored string attributes (Policy, Kms..., Sse) */
    sim_time_us created_us;  /* sched time */
    sim_time_us modified_us; /* sched time of the last attribute change */
    sim_time_us purged_us;   /* sched time of the last purge; -1 never */
    sqs_msg **heap;          /* owned array of owned messages; min-heap on (visible_at, seq) */
    size_t count;            /* messages */
    size_t heap_cap;
    sqs_msg **index;       /* owned open-addressing table seq -> message (borrowed ptrs) */
    size_t index_cap;      /* power of two, or 0 */
    uint64_t next_seq;     /* next message seq */
    sqs_waiter *wait_head; /* owned list of long polls, arrival order */
    sqs_waiter *wait_tail; /* borrowed */
    sim_timer wake;        /* serves waiters when the earliest message becomes visible */
    sqs_queue_ledger ledger; /* where every message went (sqs_queue_audit) */
};

struct sqs_service {
    sim_sched *sched;   /* borrowed */
    sim_rng *rng;       /* borrowed: ids, receipt handles */
    sim_log *log;       /* borrowed */
    char *region;       /* owned */
    char *account;      /* owned */
    char *endpoint;     /* owned, without a trailing '/' */
    sqs_queue **queues; /* owned array of owned queues, sorted by name */
    int nqueues;
    int queues_cap;
    uint64_t next_uid;     /* queue uid counter */
    uint64_t next_request; /* request id counter (no rng draw: ids must not shift message ids) */
};

/* ---- sqs_service.c: registry, parameters, replies ---- */

/** Queue named name, or NULL. */
sqs_queue *sqs__queue_by_name(const sqs_service *svc, const char *name);

/** Queue whose QueueArn is arn, or NULL. */
sqs_queue *sqs__queue_by_arn(const sqs_service *svc, const char *arn);

/** Queue named by req's QueueUrl (any host form: its last path segment), or NULL with an
 * error (MissingParameter, QueueDoesNotExist) set in r. */
sqs_queue *sqs__queue_from_req(sqs_service *svc, const cJSON *req, sim_reply *r);

/**
 * String parameter name of obj: *out is borrowed from obj, NULL when absent. Returns 0, or
 * -1 with an error in r (missing when required: MissingParameter; not a string:
 * InvalidParameterValue).
 */
int sqs__req_str(const cJSON *obj, const char *name, int required, sim_reply *r, const char **out);

/**
 * Integer parameter name of obj (a JSON number, or a decimal string from the query
 * protocol). *out_present is 1 when given; *out is left alone when absent. Returns 0, or -1
 * with InvalidParameterValue in r.
 */
int sqs__req_int(const cJSON *obj, const char *name, int *out_present, long *out, sim_reply *r);

/** Epoch milliseconds of sched time t. */
int64_t sqs__epoch_ms(const sqs_service *svc, sim_time_us t);

/** Set an InternalFailure (500) reply for an allocation failure. */
void sqs__reply_nomem(sim_reply *r);

/* ---- sqs_queue.c: the message store and message operations ---- */

/** Add m (taken on success) to q's heap and index. 0 or -SIM_ENOMEM (m stays the caller's). */
int sqs__store_push(sqs_queue *q, sqs_msg *m);

/** Remove m from q's heap and index (not freed). */
void sqs__store_remove(sqs_queue *q, sqs_msg *m);

/** Restore heap order after m->visible_at_us changed. */
void sqs__store_update(sqs_queue *q, sqs_msg *m);

/** Message with this seq in q, or NULL. */
sqs_msg *sqs__store_find(const sqs_queue *q, uint64_t seq);

/** Free every message of q (heap and index kept, emptied). */
void sqs__store_clear(sqs_queue *q);

/** Free the store arrays and messages. */
void sqs__store_release(sqs_queue *q);

/** Free one message. Accepts NULL. */
void sqs__msg_free(sqs_msg *m);

/** Count messages: visible, in flight (received, not visible) and delayed, at sched now.
 * Messages past their retention are not counted. */
void sqs__queue_counts(const sqs_queue *q, long *visible, long *inflight, long *delayed);

/**
 * Receive up to max_msgs visible messages of q at sched now, hiding them for vis_us,
 * moving those past maxReceiveCount to the dead-letter queue and dropping expired ones.
 * *out_body is an owned ReceiveMessage result ({} or {"Messages":[...]}) rendered with
 * req's attribute name lists; *out_n the number of messages. Returns 0 or -SIM_ENOMEM.
 * Draws receipt handles from the service rng.
 */
int sqs__receive(sqs_queue *q, const cJSON *req, int max_msgs, sim_time_us vis_us, cJSON **out_body,
                 int *out_n);

/**
 * Check a batch request's Entries: present, 1..10, ids valid and distinct. entry_name is
 * the query-protocol member name, e.g. "SendMessageBatchRequestEntry". Returns 0 with
 * *out_entries borrowed, or -1 with the AWS error in r.
 */
int sqs__batch_check(const cJSON *req, const char *entry_name, sim_reply *r,
                     const cJSON **out_entries);

/** A BatchResultErrorEntry {Id, SenderFault, Code, Message} from error reply e (owned). */
cJSON *sqs__batch_failed(const char *id, const sim_reply *e);

int sqs__op_send(sqs_service *svc, const cJSON *req, sim_reply *r);
int sqs__op_send_batch(sqs_service *svc, const cJSON *req, sim_reply *r);
/** Returns 1 when the request waits (done will be called later), else 0. */
int sqs__op_receive(sqs_service *svc, const cJSON *req, sim_reply *r, sqs_done_fn done, void *arg);
int sqs__op_delete(sqs_service *svc, const cJSON *req, sim_reply *r);
int sqs__op_delete_batch(sqs_service *svc, const cJSON *req, sim_reply *r);

/* ---- sqs_visibility.c: receipt handles and ChangeMessageVisibility ---- */

/** Write a fresh receipt handle for m in q (rng draw) into out (SQS_HANDLE_LEN + NUL). */
void sqs__handle_make(sqs_queue *q, const sqs_msg *m, char out[SQS_HANDLE_LEN + 1]);

/** Parse handle h: 0 with *out_seq when it was issued by q, else -1. */
int sqs__handle_parse(const sqs_queue *q, const char *h, uint64_t *out_seq);

/** ReceiptHandleIsInvalid for handle h in r. */
void sqs__handle_invalid(sim_reply *r, const char *h);

int sqs__op_change_vis(sqs_service *svc, const cJSON *req, sim_reply *r);
int sqs__op_change_vis_batch(sqs_service *svc, const cJSON *req, sim_reply *r);

/* ---- sqs_dlq.c: redrive policy and dead-letter moves ---- */

/**
 * Validate RedrivePolicy text (a JSON map). On success *out_json is the owned normalized
 * policy ({"deadLetterTargetArn":...,"maxReceiveCount":N}), *out_arn the owned target and
 * *out_max the count; the target queue must exist. Returns 0, 1 with the AWS error in r,
 * or -SIM_ENOMEM.
 */
int sqs__redrive_parse(const sqs_service *svc, const char *text, sim_reply *r, char **out_json,
                       char **out_arn, int *out_max);

/** Move m (already out of q's store) to q's dead-letter queue when q has a redrive policy,
 * its target exists and m->receive_count >= maxReceiveCount. Returns 1 when moved (m is
 * then owned by the target), 0 when not (m untouched), -SIM_ENOMEM. */
int sqs__dlq_move(sqs_queue *q, sqs_msg *m);

int sqs__op_list_dlq_sources(sqs_service *svc, const cJSON *req, sim_reply *r);

/* ---- sqs_wait.c: long polls ---- */

/** Register a long poll on q (req copied). Completes at the deadline now + wait_us or when
 * a message becomes visible. Returns 0 or -SIM_ENOMEM (done not called). */
int sqs__wait_add(sqs_queue *q, const cJSON *req, int max_msgs, sim_time_us vis_us,
                  sim_time_us wait_us, sqs_done_fn done, void *arg);

/** Something may have become receivable in q (or will at a known time): arm the wake
 * timer for the earliest message while waiters exist. */
void sqs__wait_kick(sqs_queue *q);

/** Unlink every waiter of q (timers stopped) and return them as a list (owned). */
sqs_waiter *sqs__wait_detach(sqs_queue *q);

/** Complete each waiter of list with no messages and free it. */
void sqs__wait_finish_empty(sqs_waiter *list);

/** Free a list of waiters without calling back. */
void sqs__wait_free(sqs_waiter *list);

/* ---- sqs_json.c: the JSON protocol, shared protocol helpers ---- */

/** Query-protocol error code for an SQS error name ("QueueDoesNotExist" ->
 * "AWS.SimpleQueueService.NonExistentQueue"); the name itself when they agree. */
const char *sqs__err_query_code(const char *code);

/** Next request id (a UUID string from a counter; draws no randomness). */
void sqs__request_id(sqs_service *svc, char out[37]);

/* ---- sqs_query.c: the query protocol ---- */

/** Serve a query-protocol request (Action=... in the form body or query string). */
void sqs__query_serve(sqs_service *svc, sim_http_exchange *x);

/* "Invalid characters found..." (SendMessage: InvalidMessageContents). */
#define SQS_INVALID_CHARS_MSG                                                                     \
    "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | "  \
    "#xE000 to #xFFFD | #x10000 to #x10FFFF"

/** 1 when the request carries U+0000 (a raw NUL byte; "\u0000" in JSON when query is 0;
 * "%00" in a form when query is 1), which SQS refuses and C strings cannot hold. */
int sqs__has_nul(const sim_http_req *req, int query);

#endif
