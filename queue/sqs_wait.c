/* sqs_wait.c - long polling: ReceiveMessage calls that wait (WaitTimeSeconds > 0) for a
 * message. Each waiter has a deadline timer; the queue has one wake timer, armed while
 * waiters exist for the time its earliest message becomes visible (a send, a delay or
 * visibility timeout ending, ChangeMessageVisibility, a dead-letter arrival). Waiters are
 * served in arrival order. Callbacks run after the queue's state is settled.
 * Source: Developer Guide "Amazon SQS short and long polling"; API_ReceiveMessage. */
#include "queue/sqs_int.h"

#include <stdlib.h>
#include <string.h>

static void waiter_free(sqs_waiter *w)
{
    if (w == NULL)
        return;
    cJSON_Delete(w->req);
    cJSON_Delete(w->result);
    free(w);
}

/* Complete w with its result (or InternalFailure when it has none) and free it. */
static void waiter_complete(sqs_waiter *w)
{
    sim_reply r;
    sim_reply_init(&r);
    if (w->result != NULL)
        sim_reply_ok(&r, w->result);
    else
        sqs__reply_nomem(&r);
    w->result = NULL;
    w->done(w->arg, &r);
    sim_reply_release(&r);
    waiter_free(w);
}

/* Unlink w from its queue's list. */
static void waiter_unlink(sqs_queue *q, sqs_waiter *w)
{
    sqs_waiter **pp = &q->wait_head, *prev = NULL;
    while (*pp != w) {
        prev = *pp;
        pp = &(*pp)->next;
    }
    *pp = w->next;
    if (q->wait_tail == w)
        q->wait_tail = prev;
    w->next = NULL;
}

/* The wait ended: return whatever is receivable now (usually nothing). */
static void on_deadline(void *arg)
{
    sqs_waiter *w = arg;
    sqs_queue *q = w->q;
    waiter_unlink(q, w);
    int n = 0;
    if (sqs__receive(q, w->req, w->max_msgs, w->vis_us, &w->result, &n) != 0)
        w->result = NULL;
    sqs__wait_kick(q);
    waiter_complete(w);
}

/* The earliest message became visible: serve waiters in order while messages last. */
static void on_wake(void *arg)
{
    sqs_queue *q = arg;
    sqs_waiter *ready = NULL, **tail = &ready;
    while (q->wait_head != NULL) {
        sqs_waiter *w = q->wait_head;
        cJSON *body = NULL;
        int n = 0;
        if (sqs__receive(q, w->req, w->max_msgs, w->vis_us, &body, &n) != 0)
            break; /* out of memory: the waiters end at their deadlines */
        if (n == 0) {
            cJSON_Delete(body);
            break;
        }
        waiter_unlink(q, w);
        sim_timer_stop(q->svc->sched, &w->deadline);
        w->result = body;
        *tail = w;
        tail = &w->next;
    }
    sqs__wait_kick(q);
    /* q is not touched past here: a callback may delete it. */
    while (ready != NULL) {
        sqs_waiter *w = ready;
        ready = w->next;
        waiter_complete(w);
    }
}

void sqs__wait_kick(sqs_queue *q)
{
    sim_sched *s = q->svc->sched;
    if (q->wait_head == NULL || q->count == 0) {
        sim_timer_stop(s, &q->wake);
        return;
    }
    sim_time_us due = q->heap[0]->visible_at_us;
    sim_time_us now = sim_sched_now(s);
    if (due < now)
        due = now;
    if (sim_timer_armed(&q->wake) && q->wake.due_us == due)
        return;
    if (sim_timer_start(s, &q->wake, due, on_wake, q) != 0)
        SIM_LOGE(q->svc->log, "sqs", "queue %s: cannot arm the long-poll timer", q->name);
}

int sqs__wait_add(sqs_queue *q, const cJSON *req, int max_msgs, sim_time_us vis_us,
                  sim_time_us wait_us, sqs_done_fn done, void *arg)
{
    sim_sched *s = q->svc->sched;
    sqs_waiter *w = calloc(1, sizeof *w);
    if (w == NULL)
        return -SIM_ENOMEM;
    w->q = q;
    w->max_msgs = max_msgs;
    w->vis_us = vis_us;
    w->done = done;
    w->arg = arg;
    sim_timer_init(&w->deadline);
    if ((w->req = cJSON_Duplicate(req, 1)) == NULL ||
        sim_timer_start(s, &w->deadline, sim_sched_now(s) + wait_us, on_deadline, w) != 0) {
        waiter_free(w);
        return -SIM_ENOMEM;
    }
    if (q->wait_tail != NULL)
        q->wait_tail->next = w;
    else
        q->wait_head = w;
    q->wait_tail = w;
    sqs__wait_kick(q);
    return 0;
}

sqs_waiter *sqs__wait_detach(sqs_queue *q)
{
    sim_sched *s = q->svc->sched;
    sqs_waiter *list = q->wait_head;
    for (sqs_waiter *w = list; w != NULL; w = w->next)
        sim_timer_stop(s, &w->deadline);
    q->wait_head = q->wait_tail = NULL;
    sim_timer_stop(s, &q->wake);
    return list;
}

void sqs__wait_finish_empty(sqs_waiter *list)
{
    while (list != NULL) {
        sqs_waiter *w = list;
        list = w->next;
        w->q = NULL; /* may be gone */
        w->result = cJSON_CreateObject();
        waiter_complete(w);
    }
}

void sqs__wait_free(sqs_waiter *list)
{
    while (list != NULL) {
        sqs_waiter *w = list;
        list = w->next;
        waiter_free(w);
    }
}
