/* test_sqs_visibility.c - visibility timeout, ChangeMessageVisibility(Batch), receive count
 * and dead-letter queues, at exact virtual times.
 * Source: Developer Guide "Amazon SQS visibility timeout" and "Using dead-letter queues in
 * Amazon SQS"; API Reference API_ChangeMessageVisibility, API_ChangeMessageVisibilityBatch,
 * API_SetQueueAttributes (RedrivePolicy), API_ListDeadLetterSourceQueues. */
#include "tests/unit/test_sqs_util.h"

#define Q   FX_URL("q1")
#define DLQ FX_URL("dlq")

/* Developer Guide, visibility timeout: invisible for the timeout, back afterwards. */
Test(sqs_visibility, redelivers_at_exact_timeout)
{
    sqs_fx f;
    fx_init(&f);
    fx_queue(&f, "q1", "");
    fx_send(&f, "q1", "x");
    sim_sched_run_for(&f.sched, 10 * SIM_S); /* receive at t = 10 s */
    fx_call(&f, "ReceiveMessage", "{\"QueueUrl\":\"%s\"}", Q);
    cr_assert_eq(fx_nmsgs(&f), 1);
    sim_sched_run_for(&f.sched, 29999 * SIM_MS); /* t + 29.999 s */
    fx_call(&f, "ReceiveMessage", "{\"QueueUrl\":\"%s\"}", Q);
    cr_assert_eq(fx_nmsgs(&f), 0);
    fx_call(&f, "GetQueueAttributes", "{\"QueueUrl\":\"%s\",\"AttributeNames\":[\"All\"]}", Q);
    cr_assert_str_eq(jstr2(f.g.r.body, "Attributes", "ApproximateNumberOfMessagesNotVisible"), "1");
    cr_assert_str_eq(jstr2(f.g.r.body, "Attributes", "ApproximateNumberOfMessages"), "0");
    sim_sched_run_for(&f.sched, 1 * SIM_MS); /* t + 30 s */
    fx_call(&f, "GetQueueAttributes", "{\"QueueUrl\":\"%s\",\"AttributeNames\":[\"All\"]}", Q);
    cr_assert_str_eq(jstr2(f.g.r.body, "Attributes", "ApproximateNumberOfMessages"), "1");
    fx_call(&f, "ReceiveMessage",
            "{\"QueueUrl\":\"%s\",\"AttributeNames\":[\"ApproximateReceiveCount\","
            "\"ApproximateFirstReceiveTimestamp\"]}",
            Q);
    cr_assert_eq(fx_nmsgs(&f), 1);
    cr_assert_str_eq(jstr2(fx_msg(&f, 0), "Attributes", "ApproximateReceiveCount"), "2");
    cr_assert_str_eq(jstr2(fx_msg(&f, 0), "Attributes", "ApproximateFirstReceiveTimestamp"),
                     "1767225610000");
    fx_release(&f);
}

/* API_ReceiveMessage VisibilityTimeout overrides the queue's; the queue attribute counts. */
Test(sqs_visibility, receive_override_and_queue_attribute)
{
    sqs_fx f;
    fx_init(&f);
    fx_queue(&f, "q1", "{\"VisibilityTimeout\":\"7\"}");
    fx_send(&f, "q1", "a");
    fx_send(&f, "q1", "b");
    fx_call(&f, "ReceiveMessage", "{\"QueueUrl\":\"%s\",\"VisibilityTimeout\":3}", Q);
    cr_assert_str_eq(jstr(fx_msg(&f, 0), "Body"), "a");
    fx_call(&f, "ReceiveMessage", "{\"QueueUrl\":\"%s\"}", Q);
    cr_assert_str_eq(jstr(fx_msg(&f, 0), "Body"), "b");
    sim_sched_run_for(&f.sched, 3 * SIM_S);
    fx_call(&f, "ReceiveMessage", "{\"QueueUrl\":\"%s\",\"MaxNumberOfMessages\":10}", Q);
    cr_assert_eq(fx_nmsgs(&f), 1);
    cr_assert_str_eq(jstr(fx_msg(&f, 0), "Body"), "a");
    sim_sched_run_for(&f.sched, 4 * SIM_S); /* b's 7 s end */
    fx_call(&f, "ReceiveMessage", "{\"QueueUrl\":\"%s\",\"MaxNumberOfMessages\":10}", Q);
    cr_assert_eq(fx_nmsgs(&f), 1);
    cr_assert_str_eq(jstr(fx_msg(&f, 0), "Body"), "b");
    fx_release(&f);
}

/* API_ChangeMessageVisibility: 0 makes the message visible at once; a new timeout counts
 * from the call; errors for handles that are not in flight. */
Test(sqs_visibility, change_message_visibility)
{
    sqs_fx f;
    fx_init(&f);
    fx_queue(&f, "q1", "");
    fx_send(&f, "q1", "x");
    fx_call(&f, "ReceiveMessage", "{\"QueueUrl\":\"%s\"}", Q);
    char *h = fx_handle(&f, 0);
    fx_call(&f, "ChangeMessageVisibility",
            "{\"QueueUrl\":\"%s\",\"ReceiptHandle\":\"%s\",\"VisibilityTimeout\":0}", Q, h);
    fx_ok(&f);
    cr_assert_null(f.g.r.body);
    fx_call(&f, "ReceiveMessage", "{\"QueueUrl\":\"%s\"}", Q);
    cr_assert_eq(fx_nmsgs(&f), 1);
    free(h);
    h = fx_handle(&f, 0);

    sim_sched_run_for(&f.sched, 5 * SIM_S);
    fx_call(&f, "ChangeMessageVisibility",
            "{\"QueueUrl\":\"%s\",\"ReceiptHandle\":\"%s\",\"VisibilityTimeout\":60}", Q, h);
    fx_ok(&f);
    sim_sched_run_for(&f.sched, 60 * SIM_S - 1);
    fx_call(&f, "ReceiveMessage", "{\"QueueUrl\":\"%s\",\"VisibilityTimeout\":0}", Q);
    cr_assert_eq(fx_nmsgs(&f), 0);
    sim_sched_run_for(&f.sched, 1);
    fx_call(&f, "ReceiveMessage", "{\"QueueUrl\":\"%s\",\"VisibilityTimeout\":0}", Q);
    cr_assert_eq(fx_nmsgs(&f), 1);

    /* Visible again: the handle no longer names an in-flight message. */
    fx_call(&f, "ChangeMessageVisibility",
            "{\"QueueUrl\":\"%s\",\"ReceiptHandle\":\"%s\",\"VisibilityTimeout\":10}", Q, h);
    char want[512];
    snprintf(want, sizeof want,
             "Value %s for parameter ReceiptHandle is invalid. Reason: Message does not exist or "
             "is not available for visibility timeout change.",
             h);
    fx_err(&f, 400, "InvalidParameterValue", want);

    fx_call(&f, "ChangeMessageVisibility",
            "{\"QueueUrl\":\"%s\",\"ReceiptHandle\":\"nope\",\"VisibilityTimeout\":10}", Q);
    fx_err(&f, 400, "ReceiptHandleIsInvalid",
           "The input receipt handle \"nope\" is not a valid receipt handle.");
    fx_call(&f, "ChangeMessageVisibility", "{\"QueueUrl\":\"%s\",\"ReceiptHandle\":\"%s\"}", Q, h);
    fx_err(&f, 400, "MissingParameter",
           "The request must contain the parameter VisibilityTimeout.");

    /* The 12-hour maximum counts from the receive. */
    fx_call(&f, "ReceiveMessage", "{\"QueueUrl\":\"%s\"}", Q);
    free(h);
    h = fx_handle(&f, 0);
    sim_sched_run_for(&f.sched, 10 * SIM_S);
    fx_call(&f, "ChangeMessageVisibility",
            "{\"QueueUrl\":\"%s\",\"ReceiptHandle\":\"%s\",\"VisibilityTimeout\":43191}", Q, h);
    fx_err(&f, 400, "InvalidParameterValue",
           "Value 43191 for parameter VisibilityTimeout is invalid. Reason: Total "
           "VisibilityTimeout for the message is beyond the limit [43200 seconds]");
    fx_call(&f, "ChangeMessageVisibility",
            "{\"QueueUrl\":\"%s\",\"ReceiptHandle\":\"%s\",\"VisibilityTimeout\":43190}", Q, h);
    fx_ok(&f);
    free(h);
    fx_release(&f);
}

/* API_ChangeMessageVisibilityBatch: per-entry Successful / Failed. */
Test(sqs_visibility, change_visibility_batch)
{
    sqs_fx f;
    fx_init(&f);
    fx_queue(&f, "q1", "");
    fx_send(&f, "q1", "a");
    fx_send(&f, "q1", "b");
    fx_call(&f, "ReceiveMessage", "{\"QueueUrl\":\"%s\",\"MaxNumberOfMessages\":2}", Q);
    char *h0 = fx_handle(&f, 0), *h1 = fx_handle(&f, 1);
    fx_call(&f, "ChangeMessageVisibilityBatch",
            "{\"QueueUrl\":\"%s\",\"Entries\":[{\"Id\":\"e1\",\"ReceiptHandle\":\"%s\","
            "\"VisibilityTimeout\":0},{\"Id\":\"e2\",\"ReceiptHandle\":\"bad\","
            "\"VisibilityTimeout\":0},{\"Id\":\"e3\",\"ReceiptHandle\":\"%s\","
            "\"VisibilityTimeout\":100}]}",
            Q, h0, h1);
    fx_ok(&f);
    const cJSON *ok = jget(f.g.r.body, "Successful"), *bad = jget(f.g.r.body, "Failed");
    cr_assert_eq(cJSON_GetArraySize(ok), 2);
    cr_assert_str_eq(jstr2(ok, "0", "Id"), "e1");
    cr_assert_str_eq(jstr2(ok, "1", "Id"), "e3");
    cr_assert_eq(cJSON_GetArraySize(bad), 1);
    cr_assert_str_eq(jstr2(bad, "0", "Id"), "e2");
    cr_assert_str_eq(jstr2(bad, "0", "Code"), "ReceiptHandleIsInvalid");
    cr_assert_str_eq(jstr2(bad, "0", "Message"),
                     "The input receipt handle \"bad\" is not a valid receipt handle.");
    cr_assert(cJSON_IsTrue(jget(jget(bad, "0"), "SenderFault")));
    fx_call(&f, "ReceiveMessage", "{\"QueueUrl\":\"%s\",\"MaxNumberOfMessages\":10}", Q);
    cr_assert_eq(fx_nmsgs(&f), 1);
    cr_assert_str_eq(jstr(fx_msg(&f, 0), "Body"), "a");
    free(h0);
    free(h1);
    fx_release(&f);
}

/* Developer Guide, dead-letter queues: after maxReceiveCount receives, the next receive
 * moves the message to the dead-letter queue (same id, body, attributes, SentTimestamp). */
Test(sqs_visibility, dead_letter_after_max_receive_count)
{
    sqs_fx f;
    fx_init(&f);
    fx_queue(&f, "dlq", "");
    fx_queue(
        &f, "q1",
        "{\"VisibilityTimeout\":\"5\",\"RedrivePolicy\":\"{\\\"deadLetterTargetArn\\\":"
        "\\\"arn:aws:sqs:us-west-2:000000000000:dlq\\\",\\\"maxReceiveCount\\\":\\\"2\\\"}\"}");
    fx_call(&f, "SendMessage",
            "{\"QueueUrl\":\"%s\",\"MessageBody\":\"poison\",\"MessageAttributes\":{"
            "\"City\":{\"DataType\":\"String\",\"StringValue\":\"Any City\"}}}",
            Q);
    char id[40];
    snprintf(id, sizeof id, "%s", jstr(f.g.r.body, "MessageId"));
    for (int i = 1; i <= 2; i++) {
        fx_call(&f, "ReceiveMessage",
                "{\"QueueUrl\":\"%s\",\"AttributeNames\":[\"ApproximateReceiveCount\"]}", Q);
        cr_assert_eq(fx_nmsgs(&f), 1);
        char n[16];
        snprintf(n, sizeof n, "%d", i);
        cr_assert_str_eq(jstr2(fx_msg(&f, 0), "Attributes", "ApproximateReceiveCount"), n);
        sim_sched_run_for(&f.sched, 5 * SIM_S);
    }
    fx_call(&f, "ReceiveMessage", "{\"QueueUrl\":\"%s\"}", Q);
    fx_ok(&f);
    cr_assert_eq(fx_nmsgs(&f), 0);
    fx_call(&f, "GetQueueAttributes", "{\"QueueUrl\":\"%s\",\"AttributeNames\":[\"All\"]}", Q);
    cr_assert_str_eq(jstr2(f.g.r.body, "Attributes", "ApproximateNumberOfMessages"), "0");
    cr_assert_str_eq(jstr2(f.g.r.body, "Attributes", "ApproximateNumberOfMessagesNotVisible"), "0");
    cr_assert_str_eq(jstr2(f.g.r.body, "Attributes", "RedrivePolicy"),
                     "{\"deadLetterTargetArn\":\"arn:aws:sqs:us-west-2:000000000000:dlq\","
                     "\"maxReceiveCount\":2}");

    fx_call(&f, "ReceiveMessage",
            "{\"QueueUrl\":\"%s\",\"MessageSystemAttributeNames\":[\"All\"],"
            "\"MessageAttributeNames\":[\"All\"]}",
            DLQ);
    cr_assert_eq(fx_nmsgs(&f), 1);
    const cJSON *m = fx_msg(&f, 0);
    cr_assert_str_eq(jstr(m, "MessageId"), id);
    cr_assert_str_eq(jstr(m, "Body"), "poison");
    cr_assert_str_eq(jstr(m, "MD5OfMessageAttributes"), "0c32cb5c844c01fbd5b6b434b52cf670");
    cr_assert_str_eq(jstr2(m, "Attributes", "ApproximateReceiveCount"), "1");
    cr_assert_str_eq(jstr2(m, "Attributes", "SentTimestamp"), "1767225600000");
    cr_assert_str_eq(jstr2(m, "Attributes", "DeadLetterQueueSourceArn"),
                     "arn:aws:sqs:us-west-2:000000000000:q1");

    fx_call(&f, "ListDeadLetterSourceQueues", "{\"QueueUrl\":\"%s\"}", DLQ);
    cr_assert_eq(cJSON_GetArraySize(jget(f.g.r.body, "queueUrls")), 1);
    cr_assert_str_eq(jstr2(f.g.r.body, "queueUrls", "0"), Q);
    fx_release(&f);
}

/* API_SetQueueAttributes, RedrivePolicy validation. */
Test(sqs_visibility, redrive_policy_validation)
{
    sqs_fx f;
    fx_init(&f);
    fx_queue(&f, "q1", "");
    fx_call(&f, "SetQueueAttributes",
            "{\"QueueUrl\":\"%s\",\"Attributes\":{\"RedrivePolicy\":\"{\\\"deadLetterTargetArn\\\":"
            "\\\"arn:aws:sqs:us-west-2:000000000000:none\\\",\\\"maxReceiveCount\\\":3}\"}}",
            Q);
    fx_err(&f, 400, "InvalidParameterValue",
           "Value {\"deadLetterTargetArn\":\"arn:aws:sqs:us-west-2:000000000000:none\","
           "\"maxReceiveCount\":3} for parameter RedrivePolicy is invalid. Reason: Dead letter "
           "target does not exist.");
    fx_queue(&f, "dlq", "");
    fx_call(&f, "SetQueueAttributes",
            "{\"QueueUrl\":\"%s\",\"Attributes\":{\"RedrivePolicy\":\"{\\\"deadLetterTargetArn\\\":"
            "\\\"arn:aws:sqs:us-west-2:000000000000:dlq\\\",\\\"maxReceiveCount\\\":0}\"}}",
            Q);
    fx_err(&f, 400, "InvalidParameterValue",
           "Value {\"deadLetterTargetArn\":\"arn:aws:sqs:us-west-2:000000000000:dlq\","
           "\"maxReceiveCount\":0} for parameter RedrivePolicy is invalid. Reason: Invalid value "
           "for maxReceiveCount: 0, valid values are from 1 to 1000 both inclusive.");
    fx_call(&f, "SetQueueAttributes",
            "{\"QueueUrl\":\"%s\",\"Attributes\":{\"RedrivePolicy\":\"{\\\"maxReceiveCount\\\":1}"
            "\"}}",
            Q);
    fx_err(&f, 400, "InvalidParameterValue",
           "Value {\"maxReceiveCount\":1} for parameter RedrivePolicy is invalid. Reason: Redrive "
           "policy does not contain mandatory attribute: deadLetterTargetArn.");
    fx_call(&f, "SetQueueAttributes",
            "{\"QueueUrl\":\"%s\",\"Attributes\":{\"RedrivePolicy\":\"{\\\"deadLetterTargetArn\\\":"
            "\\\"arn:aws:sqs:us-west-2:000000000000:dlq\\\",\\\"maxReceiveCount\\\":1}\"}}",
            Q);
    fx_ok(&f);
    fx_call(&f, "SetQueueAttributes",
            "{\"QueueUrl\":\"%s\",\"Attributes\":{\"RedrivePolicy\":\"\"}}", Q);
    fx_ok(&f);
    fx_call(&f, "GetQueueAttributes", "{\"QueueUrl\":\"%s\",\"AttributeNames\":[\"All\"]}", Q);
    cr_assert_null(jstr2(f.g.r.body, "Attributes", "RedrivePolicy"));
    fx_release(&f);
}
