/* test_sqs_messages.c - SendMessage, ReceiveMessage, DeleteMessage: digests, attributes,
 * validation, order, delay, retention, purge. Virtual time only.
 * Source: Amazon SQS API Reference (API_SendMessage, API_ReceiveMessage, API_DeleteMessage,
 * API_PurgeQueue); Developer Guide "Amazon SQS message attributes" (MD5 of attributes) and
 * "Amazon SQS message quotas". Expected MD5s computed independently (Python hashlib). */
#include "tests/unit/test_sqs_util.h"

#define Q FX_URL("q1")

/* API_SendMessage / API_ReceiveMessage / API_DeleteMessage: the round trip. */
Test(sqs_messages, send_receive_delete)
{
    sqs_fx f;
    fx_init(&f);
    fx_queue(&f, "q1", "");
    fx_call(&f, "SendMessage", "{\"QueueUrl\":\"%s\",\"MessageBody\":\"hello\"}", Q);
    fx_ok(&f);
    cr_assert_str_eq(jstr(f.g.r.body, "MD5OfMessageBody"), "5d41402abc4b2a76b9719d911017c592");
    cr_assert_null(jstr(f.g.r.body, "MD5OfMessageAttributes"));
    char id[40];
    snprintf(id, sizeof id, "%s", jstr(f.g.r.body, "MessageId"));
    cr_assert_eq(strlen(id), 36);

    fx_call(&f, "ReceiveMessage", "{\"QueueUrl\":\"%s\"}", Q);
    fx_ok(&f);
    cr_assert_eq(fx_nmsgs(&f), 1);
    const cJSON *m = fx_msg(&f, 0);
    cr_assert_str_eq(jstr(m, "MessageId"), id);
    cr_assert_str_eq(jstr(m, "Body"), "hello");
    cr_assert_str_eq(jstr(m, "MD5OfBody"), "5d41402abc4b2a76b9719d911017c592");
    cr_assert_null(jget(m, "Attributes"));
    cr_assert_null(jget(m, "MessageAttributes"));
    char *h = fx_handle(&f, 0);
    cr_assert_eq(strlen(h), 48);
    cr_assert_eq(strncmp(h, "AQEB", 4), 0);

    fx_call(&f, "DeleteMessage", "{\"QueueUrl\":\"%s\",\"ReceiptHandle\":\"%s\"}", Q, h);
    fx_ok(&f);
    cr_assert_null(f.g.r.body);
    sim_sched_run_for(&f.sched, 31 * SIM_S);
    fx_call(&f, "ReceiveMessage", "{\"QueueUrl\":\"%s\"}", Q);
    fx_ok(&f);
    cr_assert_eq(fx_nmsgs(&f), 0);
    cr_assert_null(jget(f.g.r.body, "Messages")); /* {} when empty */
    free(h);
    fx_release(&f);
}

/* Developer Guide, message attributes: MD5OfMessageAttributes over the sorted, length-
 * prefixed attributes; on receive, over the attributes returned. */
Test(sqs_messages, message_attributes_and_md5)
{
    sqs_fx f;
    fx_init(&f);
    fx_queue(&f, "q1", "");
    fx_call(&f, "SendMessage",
            "{\"QueueUrl\":\"%s\",\"MessageBody\":\"hello\",\"MessageAttributes\":{"
            "\"Population\":{\"DataType\":\"Number\",\"StringValue\":\"1250800\"},"
            "\"City\":{\"DataType\":\"String\",\"StringValue\":\"Any City\"}}}",
            Q);
    fx_ok(&f);
    cr_assert_str_eq(jstr(f.g.r.body, "MD5OfMessageAttributes"),
                     "bf1eb494fecc925abadc71de4be9785c");

    fx_call(&f, "ReceiveMessage",
            "{\"QueueUrl\":\"%s\",\"MessageAttributeNames\":[\"All\"],\"VisibilityTimeout\":0}", Q);
    fx_ok(&f);
    const cJSON *m = fx_msg(&f, 0);
    cr_assert_str_eq(jstr(m, "MD5OfMessageAttributes"), "bf1eb494fecc925abadc71de4be9785c");
    cr_assert_str_eq(jstr2(jget(m, "MessageAttributes"), "City", "StringValue"), "Any City");
    cr_assert_str_eq(jstr2(jget(m, "MessageAttributes"), "City", "DataType"), "String");
    cr_assert_str_eq(jstr2(jget(m, "MessageAttributes"), "Population", "StringValue"), "1250800");

    fx_call(&f, "ReceiveMessage",
            "{\"QueueUrl\":\"%s\",\"MessageAttributeNames\":[\"Pop.*\"],\"VisibilityTimeout\":0}",
            Q);
    m = fx_msg(&f, 0);
    cr_assert_eq(cJSON_GetArraySize(jget(m, "MessageAttributes")), 1);
    cr_assert_str_eq(jstr(m, "MD5OfMessageAttributes"), "67e879f1a3f28c982ea4ab7152aadf8d");

    fx_call(&f, "ReceiveMessage", "{\"QueueUrl\":\"%s\",\"MessageAttributeNames\":[\"City\"]}", Q);
    m = fx_msg(&f, 0);
    cr_assert_str_eq(jstr(m, "MD5OfMessageAttributes"), "0c32cb5c844c01fbd5b6b434b52cf670");

    /* Binary values travel base64-encoded; the digest covers the decoded bytes. */
    fx_call(&f, "SendMessage",
            "{\"QueueUrl\":\"%s\",\"MessageBody\":\"x\",\"MessageAttributes\":{"
            "\"Blob\":{\"DataType\":\"Binary\",\"BinaryValue\":\"AAH/\"}}}",
            Q);
    fx_ok(&f);
    cr_assert_str_eq(jstr(f.g.r.body, "MD5OfMessageAttributes"),
                     "98254fba411e82117d0e653bc62b5c23");

    fx_call(&f, "SendMessage",
            "{\"QueueUrl\":\"%s\",\"MessageBody\":\"x\",\"MessageAttributes\":{"
            "\"City\":{\"DataType\":\"String\"}}}",
            Q);
    fx_err(&f, 400, "InvalidParameterValue",
           "The message attribute 'City' must contain a non-empty message attribute value for "
           "message attribute type 'String'.");
    fx_call(&f, "SendMessage",
            "{\"QueueUrl\":\"%s\",\"MessageBody\":\"x\",\"MessageAttributes\":{"
            "\"City\":{\"DataType\":\"Text\",\"StringValue\":\"a\"}}}",
            Q);
    fx_err(&f, 400, "InvalidParameterValue",
           "The message attribute 'City' has an invalid message attribute type, the set of "
           "supported type prefixes is Binary, Number, and String.");
    fx_call(&f, "SendMessage",
            "{\"QueueUrl\":\"%s\",\"MessageBody\":\"x\",\"MessageAttributes\":{"
            "\"N\":{\"DataType\":\"Number\",\"StringValue\":\"abc\"}}}",
            Q);
    fx_err(&f, 400, "InvalidParameterValue",
           "Can't cast the value of message (user) attribute 'N' to a number.");
    fx_release(&f);
}

/* API_ReceiveMessage: MessageSystemAttributeNames (and the older AttributeNames). */
Test(sqs_messages, system_attributes)
{
    sqs_fx f;
    fx_init(&f);
    fx_queue(&f, "q1", "");
    sim_sched_run_for(&f.sched, 2 * SIM_S);
    fx_call(&f, "SendMessage",
            "{\"QueueUrl\":\"%s\",\"MessageBody\":\"x\",\"MessageSystemAttributes\":{"
            "\"AWSTraceHeader\":{\"DataType\":\"String\",\"StringValue\":"
            "\"Root=1-5759e988-bd862e3fe1be46a994272793\"}}}",
            Q);
    fx_ok(&f);
    cr_assert_str_eq(jstr(f.g.r.body, "MD5OfMessageSystemAttributes"),
                     "62a56dd927315f2b2e12832b84617ea5");
    sim_sched_run_for(&f.sched, 1500 * SIM_MS);
    fx_call(&f, "ReceiveMessage",
            "{\"QueueUrl\":\"%s\",\"MessageSystemAttributeNames\":[\"All\"],"
            "\"VisibilityTimeout\":1}",
            Q);
    const cJSON *a = jget(fx_msg(&f, 0), "Attributes");
    cr_assert_str_eq(jstr(a, "SenderId"), FX_ACCOUNT);
    cr_assert_str_eq(jstr(a, "SentTimestamp"), "1767225602000");
    cr_assert_str_eq(jstr(a, "ApproximateFirstReceiveTimestamp"), "1767225603500");
    cr_assert_str_eq(jstr(a, "ApproximateReceiveCount"), "1");
    cr_assert_str_eq(jstr(a, "AWSTraceHeader"), "Root=1-5759e988-bd862e3fe1be46a994272793");
    cr_assert_eq(cJSON_GetArraySize(a), 5);

    sim_sched_run_for(&f.sched, 1 * SIM_S);
    fx_call(&f, "ReceiveMessage",
            "{\"QueueUrl\":\"%s\",\"AttributeNames\":[\"ApproximateReceiveCount\"]}", Q);
    a = jget(fx_msg(&f, 0), "Attributes");
    cr_assert_eq(cJSON_GetArraySize(a), 1);
    cr_assert_str_eq(jstr(a, "ApproximateReceiveCount"), "2");
    fx_release(&f);
}

/* API_DeleteMessage: an earlier receipt handle of a message still in the queue deletes it;
 * a malformed handle is ReceiptHandleIsInvalid. */
Test(sqs_messages, stale_and_invalid_receipt_handles)
{
    sqs_fx f;
    fx_init(&f);
    fx_queue(&f, "q1", "");
    fx_queue(&f, "q2", "");
    fx_send(&f, "q1", "x");
    fx_call(&f, "ReceiveMessage", "{\"QueueUrl\":\"%s\",\"VisibilityTimeout\":1}", Q);
    char *old = fx_handle(&f, 0);
    sim_sched_run_for(&f.sched, 1 * SIM_S);
    fx_call(&f, "ReceiveMessage", "{\"QueueUrl\":\"%s\"}", Q);
    char *cur = fx_handle(&f, 0);
    cr_assert_str_neq(old, cur);

    fx_call(&f, "DeleteMessage", "{\"QueueUrl\":\"%s\",\"ReceiptHandle\":\"%s\"}", FX_URL("q2"),
            old);
    cr_assert_str_eq(f.g.r.code, "ReceiptHandleIsInvalid"); /* issued by another queue */

    fx_call(&f, "DeleteMessage", "{\"QueueUrl\":\"%s\",\"ReceiptHandle\":\"%s\"}", Q, old);
    fx_ok(&f);
    fx_call(&f, "GetQueueAttributes", "{\"QueueUrl\":\"%s\",\"AttributeNames\":[\"All\"]}", Q);
    cr_assert_str_eq(jstr2(f.g.r.body, "Attributes", "ApproximateNumberOfMessagesNotVisible"), "0");
    cr_assert_str_eq(jstr2(f.g.r.body, "Attributes", "ApproximateNumberOfMessages"), "0");
    fx_call(&f, "DeleteMessage", "{\"QueueUrl\":\"%s\",\"ReceiptHandle\":\"%s\"}", Q, cur);
    fx_ok(&f); /* already deleted: still succeeds */

    fx_call(&f, "DeleteMessage", "{\"QueueUrl\":\"%s\",\"ReceiptHandle\":\"garbage\"}", Q);
    fx_err(&f, 400, "ReceiptHandleIsInvalid",
           "The input receipt handle \"garbage\" is not a valid receipt handle.");
    fx_call(&f, "DeleteMessage", "{\"QueueUrl\":\"%s\"}", Q);
    fx_err(&f, 400, "MissingParameter", "The request must contain the parameter ReceiptHandle.");
    free(old);
    free(cur);
    fx_release(&f);
}

/* API_SendMessage errors; Developer Guide quotas: 256 KiB, allowed characters. */
Test(sqs_messages, send_validation)
{
    sqs_fx f;
    fx_init(&f);
    fx_queue(&f, "q1", "");
    fx_call(&f, "SendMessage", "{\"QueueUrl\":\"%s\",\"MessageBody\":\"\"}", Q);
    fx_err(&f, 400, "MissingParameter", "The request must contain the parameter MessageBody.");
    fx_call(&f, "SendMessage", "{\"QueueUrl\":\"%s\"}", Q);
    fx_err(&f, 400, "MissingParameter", "The request must contain the parameter MessageBody.");
    fx_call(&f, "SendMessage", "{\"MessageBody\":\"x\"}");
    fx_err(&f, 400, "MissingParameter", "The request must contain the parameter QueueUrl.");
    fx_call(&f, "SendMessage", "{\"QueueUrl\":\"%s\",\"MessageBody\":\"x\"}", FX_URL("nope"));
    fx_err(&f, 400, "QueueDoesNotExist", "The specified queue does not exist.");
    fx_call(&f, "SendMessage", "{\"QueueUrl\":\"%s\",\"MessageBody\":\"a\\u0001b\"}", Q);
    fx_err(&f, 400, "InvalidMessageContents",
           "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to "
           "#xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF");
    fx_call(&f, "SendMessage", "{\"QueueUrl\":\"%s\",\"MessageBody\":\"tab\\tnl\\n\\u00e9\"}", Q);
    fx_ok(&f);
    fx_call(&f, "SendMessage", "{\"QueueUrl\":\"%s\",\"MessageBody\":\"x\",\"DelaySeconds\":901}",
            Q);
    fx_err(&f, 400, "InvalidParameterValue",
           "Value 901 for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 "
           "and <= 900.");

    char *big = malloc(262145 + 1);
    memset(big, 'a', 262145);
    big[262145] = '\0';
    fx_call(&f, "SendMessage", "{\"QueueUrl\":\"%s\",\"MessageBody\":\"%s\"}", Q, big);
    fx_err(&f, 400, "InvalidParameterValue",
           "One or more parameters are invalid. Reason: Message must be shorter than 262144 "
           "bytes.");
    big[262144] = '\0';
    fx_call(&f, "SendMessage", "{\"QueueUrl\":\"%s\",\"MessageBody\":\"%s\"}", Q, big);
    fx_ok(&f);
    free(big);
    fx_release(&f);
}

/* API_ReceiveMessage parameter limits. */
Test(sqs_messages, receive_validation)
{
    sqs_fx f;
    fx_init(&f);
    fx_queue(&f, "q1", "");
    fx_call(&f, "ReceiveMessage", "{\"QueueUrl\":\"%s\",\"MaxNumberOfMessages\":11}", Q);
    fx_err(&f, 400, "InvalidParameterValue",
           "Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and "
           "10, if provided.");
    fx_call(&f, "ReceiveMessage", "{\"QueueUrl\":\"%s\",\"MaxNumberOfMessages\":0}", Q);
    fx_err(&f, 400, "InvalidParameterValue",
           "Value 0 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and "
           "10, if provided.");
    fx_call(&f, "ReceiveMessage", "{\"QueueUrl\":\"%s\",\"WaitTimeSeconds\":21}", Q);
    fx_err(&f, 400, "InvalidParameterValue",
           "Value 21 for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if "
           "provided.");
    fx_call(&f, "ReceiveMessage", "{\"QueueUrl\":\"%s\",\"VisibilityTimeout\":43201}", Q);
    fx_err(&f, 400, "InvalidParameterValue",
           "Value 43201 for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 and <= "
           "43200, if provided.");
    cr_assert_eq(f.g.calls, 1);
    fx_release(&f);
}

/* Standard queues: receive order by (availability, arrival); at most MaxNumberOfMessages. */
Test(sqs_messages, receive_order_and_max)
{
    sqs_fx f;
    fx_init(&f);
    fx_queue(&f, "q1", "");
    for (int i = 0; i < 12; i++) {
        char b[16];
        snprintf(b, sizeof b, "m%d", i);
        fx_send(&f, "q1", b);
    }
    fx_call(&f, "ReceiveMessage", "{\"QueueUrl\":\"%s\",\"MaxNumberOfMessages\":10}", Q);
    cr_assert_eq(fx_nmsgs(&f), 10);
    for (int i = 0; i < 10; i++) {
        char b[16];
        snprintf(b, sizeof b, "m%d", i);
        cr_assert_str_eq(jstr(fx_msg(&f, i), "Body"), b);
    }
    fx_call(&f, "ReceiveMessage", "{\"QueueUrl\":\"%s\",\"MaxNumberOfMessages\":10}", Q);
    cr_assert_eq(fx_nmsgs(&f), 2);
    cr_assert_str_eq(jstr(fx_msg(&f, 0), "Body"), "m10");
    cr_assert_str_eq(jstr(fx_msg(&f, 1), "Body"), "m11");
    fx_call(&f, "GetQueueAttributes",
            "{\"QueueUrl\":\"%s\",\"AttributeNames\":[\"ApproximateNumberOfMessagesNotVisible\"]}",
            Q);
    cr_assert_str_eq(jstr2(f.g.r.body, "Attributes", "ApproximateNumberOfMessagesNotVisible"),
                     "12");
    fx_release(&f);
}

/* API_SendMessage DelaySeconds and the queue's DelaySeconds: hidden until the delay ends. */
Test(sqs_messages, delay_seconds)
{
    sqs_fx f;
    fx_init(&f);
    fx_queue(&f, "q1", "{\"DelaySeconds\":\"2\"}");
    fx_call(&f, "SendMessage", "{\"QueueUrl\":\"%s\",\"MessageBody\":\"a\",\"DelaySeconds\":5}", Q);
    fx_send(&f, "q1", "b"); /* queue default: 2 s */
    fx_call(&f, "GetQueueAttributes",
            "{\"QueueUrl\":\"%s\",\"AttributeNames\":[\"ApproximateNumberOfMessagesDelayed\"]}", Q);
    cr_assert_str_eq(jstr2(f.g.r.body, "Attributes", "ApproximateNumberOfMessagesDelayed"), "2");
    sim_sched_run_for(&f.sched, 2 * SIM_S - 1);
    fx_call(&f, "ReceiveMessage", "{\"QueueUrl\":\"%s\",\"MaxNumberOfMessages\":10}", Q);
    cr_assert_eq(fx_nmsgs(&f), 0);
    sim_sched_run_for(&f.sched, 1);
    fx_call(&f, "ReceiveMessage", "{\"QueueUrl\":\"%s\",\"MaxNumberOfMessages\":10}", Q);
    cr_assert_eq(fx_nmsgs(&f), 1);
    cr_assert_str_eq(jstr(fx_msg(&f, 0), "Body"), "b");
    sim_sched_run_for(&f.sched, 3 * SIM_S - 1);
    fx_call(&f, "ReceiveMessage", "{\"QueueUrl\":\"%s\",\"MaxNumberOfMessages\":10}", Q);
    cr_assert_eq(fx_nmsgs(&f), 0);
    sim_sched_run_for(&f.sched, 1);
    fx_call(&f, "ReceiveMessage", "{\"QueueUrl\":\"%s\",\"MaxNumberOfMessages\":10}", Q);
    cr_assert_eq(fx_nmsgs(&f), 1);
    cr_assert_str_eq(jstr(fx_msg(&f, 0), "Body"), "a");
    fx_release(&f);
}

/* MessageRetentionPeriod: a message older than the period is gone. */
Test(sqs_messages, retention_period)
{
    sqs_fx f;
    fx_init(&f);
    fx_queue(&f, "q1", "{\"MessageRetentionPeriod\":\"60\"}");
    fx_send(&f, "q1", "a");
    sim_sched_run_for(&f.sched, 60 * SIM_S - 1);
    fx_call(&f, "ReceiveMessage", "{\"QueueUrl\":\"%s\",\"VisibilityTimeout\":0}", Q);
    cr_assert_eq(fx_nmsgs(&f), 1);
    sim_sched_run_for(&f.sched, 1);
    fx_call(&f, "ReceiveMessage", "{\"QueueUrl\":\"%s\"}", Q);
    cr_assert_eq(fx_nmsgs(&f), 0);
    fx_release(&f);
}

/* API_PurgeQueue: deletes every message; one purge per 60 s (PurgeQueueInProgress, 403). */
Test(sqs_messages, purge)
{
    sqs_fx f;
    fx_init(&f);
    fx_queue(&f, "q1", "");
    fx_send(&f, "q1", "a");
    fx_send(&f, "q1", "b");
    fx_call(&f, "ReceiveMessage", "{\"QueueUrl\":\"%s\"}", Q);
    fx_call(&f, "PurgeQueue", "{\"QueueUrl\":\"%s\"}", Q);
    fx_ok(&f);
    fx_call(&f, "GetQueueAttributes", "{\"QueueUrl\":\"%s\",\"AttributeNames\":[\"All\"]}", Q);
    cr_assert_str_eq(jstr2(f.g.r.body, "Attributes", "ApproximateNumberOfMessages"), "0");
    cr_assert_str_eq(jstr2(f.g.r.body, "Attributes", "ApproximateNumberOfMessagesNotVisible"), "0");
    sim_sched_run_for(&f.sched, 59 * SIM_S);
    fx_call(&f, "PurgeQueue", "{\"QueueUrl\":\"%s\"}", Q);
    fx_err(&f, 403, "PurgeQueueInProgress",
           "Only one PurgeQueue operation on q1 is allowed every 60 seconds.");
    sim_sched_run_for(&f.sched, 1 * SIM_S);
    fx_call(&f, "PurgeQueue", "{\"QueueUrl\":\"%s\"}", Q);
    fx_ok(&f);
    fx_release(&f);
}

/* Message ids and receipt handles come from the service's rng: same seed, same ids. */
Test(sqs_messages, deterministic_ids)
{
    char first[2][40];
    for (int run = 0; run < 2; run++) {
        sqs_fx f;
        fx_init(&f);
        fx_queue(&f, "q1", "");
        fx_send(&f, "q1", "a");
        snprintf(first[run], sizeof first[run], "%s", jstr(f.g.r.body, "MessageId"));
        fx_release(&f);
    }
    cr_assert_str_eq(first[0], first[1]);
}

/* The store at scale: 600 messages received in tens, every other one deleted by handle;
 * after the visibility timeout exactly the other 300 come back, in arrival order. */
Test(sqs_messages, many_messages_store)
{
    sqs_fx f;
    fx_init(&f);
    fx_queue(&f, "q1", "");
    for (int i = 0; i < 600; i++) {
        char b[16];
        snprintf(b, sizeof b, "m%03d", i);
        fx_send(&f, "q1", b);
    }
    int seen = 0;
    for (int r = 0; r < 60; r++) {
        fx_call(&f, "ReceiveMessage", "{\"QueueUrl\":\"%s\",\"MaxNumberOfMessages\":10}", Q);
        cr_assert_eq(fx_nmsgs(&f), 10);
        for (int i = 0; i < 10; i += 2) {
            char *h = fx_handle(&f, i);
            got d;
            got_init(&d, &f.sched);
            fx_call_into(&f, &d, "DeleteMessage", "{\"QueueUrl\":\"%s\",\"ReceiptHandle\":\"%s\"}",
                         Q, h);
            cr_assert(!sim_reply_failed(&d.r));
            sim_reply_release(&d.r);
            free(h);
        }
        seen += 10;
    }
    cr_assert_eq(seen, 600);
    sim_sched_run_for(&f.sched, 30 * SIM_S);
    for (int r = 0; r < 30; r++) {
        fx_call(&f, "ReceiveMessage", "{\"QueueUrl\":\"%s\",\"MaxNumberOfMessages\":10}", Q);
        cr_assert_eq(fx_nmsgs(&f), 10);
        for (int i = 0; i < 10; i++) {
            char b[16];
            snprintf(b, sizeof b, "m%03d", 2 * (r * 10 + i) + 1);
            cr_assert_str_eq(jstr(fx_msg(&f, i), "Body"), b);
        }
    }
    fx_call(&f, "ReceiveMessage", "{\"QueueUrl\":\"%s\"}", Q);
    cr_assert_eq(fx_nmsgs(&f), 0);
    fx_release(&f);
}
