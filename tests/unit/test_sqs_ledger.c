/* test_sqs_ledger.c - every message is accounted for: sent + redriven in = deleted +
 * expired + dead-lettered + purged + held, counted where each happens. The sweep relies
 * on it to prove no message vanished (SQS developer guide: a message stays until it is
 * deleted, expires, is purged or is moved by a redrive policy). */
#include "test_sqs_util.h"

static void balanced(sqs_fx *f, const char *queue, uint64_t sent, uint64_t in, uint64_t del,
                     uint64_t exp, uint64_t out, uint64_t purged, long held)
{
    sqs_queue_ledger l;
    long h = -1;
    cr_assert_eq(sqs_queue_audit(f->svc, queue, &l, &h), 0);
    cr_assert_eq(l.sent, sent);
    cr_assert_eq(l.moved_in, in);
    cr_assert_eq(l.deleted, del);
    cr_assert_eq(l.expired, exp);
    cr_assert_eq(l.moved_out, out);
    cr_assert_eq(l.purged, purged);
    cr_assert_eq(h, held);
    cr_assert_eq(l.sent + l.moved_in, l.deleted + l.expired + l.moved_out + l.purged + (uint64_t)h);
}

Test(sqs_ledger, send_receive_delete_redrive_purge_all_balance)
{
    sqs_fx f;
    fx_init(&f);
    fx_queue(&f, "dlq", "");
    fx_queue(&f, "work", "{\"VisibilityTimeout\":\"5\",\"RedrivePolicy\":"
                         "\"{\\\"deadLetterTargetArn\\\":\\\"arn:aws:sqs:us-west-2:000000000000:dlq\\\","
                         "\\\"maxReceiveCount\\\":\\\"1\\\"}\"}");
    fx_send(&f, "work", "a");
    fx_send(&f, "work", "b");
    fx_send(&f, "work", "c");
    fx_call(&f, "ReceiveMessage", "{\"QueueUrl\":\"" FX_URL("work") "\",\"MaxNumberOfMessages\":1}");
    fx_ok(&f);
    char *h = fx_handle(&f, 0);
    fx_call(&f, "DeleteMessage", "{\"QueueUrl\":\"" FX_URL("work") "\",\"ReceiptHandle\":\"%s\"}", h);
    fx_ok(&f);
    /* deleting again with the same handle succeeds but deletes nothing more */
    fx_call(&f, "DeleteMessage", "{\"QueueUrl\":\"" FX_URL("work") "\",\"ReceiptHandle\":\"%s\"}", h);
    fx_ok(&f);
    free(h);
    balanced(&f, "work", 3, 0, 1, 0, 0, 0, 2);
    fx_call(&f, "ReceiveMessage", "{\"QueueUrl\":\"" FX_URL("work") "\",\"MaxNumberOfMessages\":10}");
    fx_ok(&f);
    cr_assert_eq(fx_nmsgs(&f), 2);
    sim_sched_run_for(&f.sched, 6 * SIM_S);
    /* received once already (maxReceiveCount 1): the next receive dead-letters both */
    fx_call(&f, "ReceiveMessage", "{\"QueueUrl\":\"" FX_URL("work") "\",\"MaxNumberOfMessages\":10}");
    fx_ok(&f);
    cr_assert_eq(fx_nmsgs(&f), 0);
    balanced(&f, "work", 3, 0, 1, 0, 2, 0, 0);
    balanced(&f, "dlq", 0, 2, 0, 0, 0, 0, 2);
    fx_call(&f, "PurgeQueue", "{\"QueueUrl\":\"" FX_URL("dlq") "\"}");
    fx_ok(&f);
    balanced(&f, "dlq", 0, 2, 0, 0, 0, 2, 0);
    fx_release(&f);
}
