/* test_sqs_wait.c - long polling: a ReceiveMessage with WaitTimeSeconds completes when a
 * message becomes available or, empty, exactly at the end of the wait.
 * Source: Developer Guide "Amazon SQS short and long polling"; API_ReceiveMessage
 * (WaitTimeSeconds) and API_SetQueueAttributes (ReceiveMessageWaitTimeSeconds). */
#include "tests/unit/test_sqs_util.h"

#define Q FX_URL("q1")

/* A long poll ends as soon as a message is sent. */
Test(sqs_wait, completes_on_send)
{
    sqs_fx f;
    fx_init(&f);
    fx_queue(&f, "q1", "");
    got w;
    got_init(&w, &f.sched);
    fx_call_into(&f, &w, "ReceiveMessage", "{\"QueueUrl\":\"%s\",\"WaitTimeSeconds\":20}", Q);
    cr_assert_eq(w.calls, 0);
    sim_sched_run_for(&f.sched, 5 * SIM_S);
    cr_assert_eq(w.calls, 0);
    fx_send(&f, "q1", "hi");
    sim_sched_run_for(&f.sched, 0); /* same instant */
    cr_assert_eq(w.calls, 1);
    cr_assert_eq(w.at, 5 * SIM_S);
    cr_assert_str_eq(jstr2(jget(w.r.body, "Messages"), "0", "Body"), "hi");
    sim_sched_run_for(&f.sched, 30 * SIM_S); /* the deadline timer is gone */
    cr_assert_eq(w.calls, 1);
    sim_reply_release(&w.r);
    fx_release(&f);
}

/* An unanswered long poll returns empty exactly at WaitTimeSeconds. */
Test(sqs_wait, times_out_exactly)
{
    sqs_fx f;
    fx_init(&f);
    fx_queue(&f, "q1", "");
    got w;
    got_init(&w, &f.sched);
    fx_call_into(&f, &w, "ReceiveMessage", "{\"QueueUrl\":\"%s\",\"WaitTimeSeconds\":3}", Q);
    sim_sched_run_for(&f.sched, 3 * SIM_S - 1);
    cr_assert_eq(w.calls, 0);
    sim_sched_run_for(&f.sched, 1);
    cr_assert_eq(w.calls, 1);
    cr_assert_eq(w.at, 3 * SIM_S);
    cr_assert(!sim_reply_failed(&w.r));
    cr_assert_null(jget(w.r.body, "Messages"));
    cr_assert_eq(sim_sched_next_due(&f.sched), -1);
    sim_reply_release(&w.r);
    fx_release(&f);
}

/* The queue's ReceiveMessageWaitTimeSeconds applies when the call gives none; an explicit
 * WaitTimeSeconds of 0 is a short poll. */
Test(sqs_wait, queue_default_wait)
{
    sqs_fx f;
    fx_init(&f);
    fx_queue(&f, "q1", "{\"ReceiveMessageWaitTimeSeconds\":\"2\"}");
    got w;
    got_init(&w, &f.sched);
    fx_call_into(&f, &w, "ReceiveMessage", "{\"QueueUrl\":\"%s\"}", Q);
    cr_assert_eq(w.calls, 0);
    fx_call(&f, "ReceiveMessage", "{\"QueueUrl\":\"%s\",\"WaitTimeSeconds\":0}", Q);
    cr_assert_eq(f.g.calls, 1);
    sim_sched_run_for(&f.sched, 2 * SIM_S);
    cr_assert_eq(w.calls, 1);
    cr_assert_eq(w.at, 2 * SIM_S);
    sim_reply_release(&w.r);
    fx_release(&f);
}

/* Waiters are served in arrival order, one message each here. */
Test(sqs_wait, served_in_arrival_order)
{
    sqs_fx f;
    fx_init(&f);
    fx_queue(&f, "q1", "");
    got a, b;
    got_init(&a, &f.sched);
    got_init(&b, &f.sched);
    fx_call_into(&f, &a, "ReceiveMessage", "{\"QueueUrl\":\"%s\",\"WaitTimeSeconds\":10}", Q);
    sim_sched_run_for(&f.sched, 1 * SIM_S);
    fx_call_into(&f, &b, "ReceiveMessage", "{\"QueueUrl\":\"%s\",\"WaitTimeSeconds\":10}", Q);
    sim_sched_run_for(&f.sched, 1 * SIM_S);
    fx_send(&f, "q1", "one");
    sim_sched_run_for(&f.sched, 0);
    cr_assert_eq(a.calls, 1);
    cr_assert_eq(b.calls, 0);
    cr_assert_str_eq(jstr2(jget(a.r.body, "Messages"), "0", "Body"), "one");
    sim_sched_run_for(&f.sched, 1 * SIM_S);
    fx_send(&f, "q1", "two");
    sim_sched_run_for(&f.sched, 0);
    cr_assert_eq(b.calls, 1);
    cr_assert_eq(b.at, 3 * SIM_S);
    cr_assert_str_eq(jstr2(jget(b.r.body, "Messages"), "0", "Body"), "two");
    sim_reply_release(&a.r);
    sim_reply_release(&b.r);
    fx_release(&f);
}

/* A message coming back after its visibility timeout ends a waiting poll at that instant. */
Test(sqs_wait, wakes_on_visibility_expiry)
{
    sqs_fx f;
    fx_init(&f);
    fx_queue(&f, "q1", "");
    fx_send(&f, "q1", "x");
    fx_call(&f, "ReceiveMessage", "{\"QueueUrl\":\"%s\",\"VisibilityTimeout\":10}", Q);
    cr_assert_eq(fx_nmsgs(&f), 1);
    sim_sched_run_for(&f.sched, 2 * SIM_S);
    got w;
    got_init(&w, &f.sched);
    fx_call_into(&f, &w, "ReceiveMessage",
                 "{\"QueueUrl\":\"%s\",\"WaitTimeSeconds\":20,"
                 "\"AttributeNames\":[\"ApproximateReceiveCount\"]}",
                 Q);
    sim_sched_run_for(&f.sched, 20 * SIM_S);
    cr_assert_eq(w.calls, 1);
    cr_assert_eq(w.at, 10 * SIM_S);
    cr_assert_str_eq(
        jstr2(jget(jget(w.r.body, "Messages"), "0"), "Attributes", "ApproximateReceiveCount"), "2");
    sim_reply_release(&w.r);
    fx_release(&f);
}

/* A delayed message ends a waiting poll when its delay ends; so does a visibility change
 * to 0. */
Test(sqs_wait, wakes_on_delay_end_and_visibility_change)
{
    sqs_fx f;
    fx_init(&f);
    fx_queue(&f, "q1", "");
    got w;
    got_init(&w, &f.sched);
    fx_call_into(&f, &w, "ReceiveMessage", "{\"QueueUrl\":\"%s\",\"WaitTimeSeconds\":20}", Q);
    fx_call(&f, "SendMessage", "{\"QueueUrl\":\"%s\",\"MessageBody\":\"d\",\"DelaySeconds\":3}", Q);
    fx_ok(&f);
    sim_sched_run_for(&f.sched, 3 * SIM_S - 1);
    cr_assert_eq(w.calls, 0);
    sim_sched_run_for(&f.sched, 1);
    cr_assert_eq(w.calls, 1);
    cr_assert_eq(w.at, 3 * SIM_S);
    const char *h = jstr2(jget(w.r.body, "Messages"), "0", "ReceiptHandle");
    char handle[64];
    snprintf(handle, sizeof handle, "%s", h);

    got w2;
    got_init(&w2, &f.sched);
    fx_call_into(&f, &w2, "ReceiveMessage", "{\"QueueUrl\":\"%s\",\"WaitTimeSeconds\":20}", Q);
    sim_sched_run_for(&f.sched, 4 * SIM_S);
    cr_assert_eq(w2.calls, 0);
    fx_call(&f, "ChangeMessageVisibility",
            "{\"QueueUrl\":\"%s\",\"ReceiptHandle\":\"%s\",\"VisibilityTimeout\":0}", Q, handle);
    fx_ok(&f);
    sim_sched_run_for(&f.sched, 0);
    cr_assert_eq(w2.calls, 1);
    cr_assert_eq(w2.at, 7 * SIM_S);
    cr_assert_str_eq(jstr2(jget(w2.r.body, "Messages"), "0", "Body"), "d");
    sim_reply_release(&w.r);
    sim_reply_release(&w2.r);
    fx_release(&f);
}

/* sqs_service_cancel_waits ends every poll empty; DeleteQueue ends the queue's polls. */
Test(sqs_wait, cancel_and_delete_queue_complete_empty)
{
    sqs_fx f;
    fx_init(&f);
    fx_queue(&f, "q1", "");
    fx_queue(&f, "q2", "");
    got a, b;
    got_init(&a, &f.sched);
    got_init(&b, &f.sched);
    fx_call_into(&f, &a, "ReceiveMessage", "{\"QueueUrl\":\"%s\",\"WaitTimeSeconds\":20}", Q);
    fx_call_into(&f, &b, "ReceiveMessage", "{\"QueueUrl\":\"%s\",\"WaitTimeSeconds\":20}",
                 FX_URL("q2"));
    sim_sched_run_for(&f.sched, 1 * SIM_S);
    fx_call(&f, "DeleteQueue", "{\"QueueUrl\":\"%s\"}", Q);
    fx_ok(&f);
    cr_assert_eq(a.calls, 1);
    cr_assert(!sim_reply_failed(&a.r));
    cr_assert_null(jget(a.r.body, "Messages"));
    cr_assert_eq(b.calls, 0);
    sqs_service_cancel_waits(f.svc);
    cr_assert_eq(b.calls, 1);
    cr_assert_eq(b.at, 1 * SIM_S);
    cr_assert_null(jget(b.r.body, "Messages"));
    cr_assert_eq(sim_sched_next_due(&f.sched), -1);
    sim_reply_release(&a.r);
    sim_reply_release(&b.r);
    fx_release(&f);
}

/* sqs_service_destroy drops pending polls without calling back (and without leaks). */
Test(sqs_wait, destroy_drops_pending_polls)
{
    sqs_fx f;
    fx_init(&f);
    fx_queue(&f, "q1", "");
    got w;
    got_init(&w, &f.sched);
    fx_call_into(&f, &w, "ReceiveMessage", "{\"QueueUrl\":\"%s\",\"WaitTimeSeconds\":20}", Q);
    fx_release(&f);
    cr_assert_eq(w.calls, 0);
}

/* A message moved to a dead-letter queue ends a poll waiting on that queue. */
Test(sqs_wait, dead_letter_arrival_wakes_dlq_poll)
{
    sqs_fx f;
    fx_init(&f);
    fx_queue(&f, "dlq", "");
    fx_queue(&f, "q1",
             "{\"RedrivePolicy\":\"{\\\"deadLetterTargetArn\\\":"
             "\\\"arn:aws:sqs:us-west-2:000000000000:dlq\\\",\\\"maxReceiveCount\\\":1}\"}");
    fx_send(&f, "q1", "p");
    fx_call(&f, "ReceiveMessage", "{\"QueueUrl\":\"%s\",\"VisibilityTimeout\":0}", Q);
    cr_assert_eq(fx_nmsgs(&f), 1);
    got w;
    got_init(&w, &f.sched);
    fx_call_into(&f, &w, "ReceiveMessage", "{\"QueueUrl\":\"%s\",\"WaitTimeSeconds\":5}",
                 FX_URL("dlq"));
    fx_call(&f, "ReceiveMessage", "{\"QueueUrl\":\"%s\"}", Q); /* moves it */
    cr_assert_eq(fx_nmsgs(&f), 0);
    sim_sched_run_for(&f.sched, 0);
    cr_assert_eq(w.calls, 1);
    cr_assert_str_eq(jstr2(jget(w.r.body, "Messages"), "0", "Body"), "p");
    sim_reply_release(&w.r);
    fx_release(&f);
}
