/* test_sqs_batch.c - SendMessageBatch and DeleteMessageBatch: limits, entry ids, per-entry
 * results.
 * Source: Amazon SQS API Reference (API_SendMessageBatch, API_DeleteMessageBatch, common
 * batch errors: EmptyBatchRequest, TooManyEntriesInBatchRequest, BatchEntryIdsNotDistinct,
 * InvalidBatchEntryId, BatchRequestTooLong). */
#include "tests/unit/test_sqs_util.h"

#define Q FX_URL("q1")

/* API_SendMessageBatch: Successful in entry order, Failed for entries that fail alone. */
Test(sqs_batch, send_batch_results)
{
    sqs_fx f;
    fx_init(&f);
    fx_queue(&f, "q1", "");
    fx_call(&f, "SendMessageBatch",
            "{\"QueueUrl\":\"%s\",\"Entries\":[{\"Id\":\"a\",\"MessageBody\":\"a\"},"
            "{\"Id\":\"bad\",\"MessageBody\":\"\"},{\"Id\":\"b\",\"MessageBody\":\"b\","
            "\"DelaySeconds\":1}]}",
            Q);
    fx_ok(&f);
    const cJSON *ok = jget(f.g.r.body, "Successful"), *bad = jget(f.g.r.body, "Failed");
    cr_assert_eq(cJSON_GetArraySize(ok), 2);
    cr_assert_str_eq(jstr2(ok, "0", "Id"), "a");
    cr_assert_str_eq(jstr2(ok, "0", "MD5OfMessageBody"), "0cc175b9c0f1b6a831c399e269772661");
    cr_assert_eq(strlen(jstr2(ok, "0", "MessageId")), 36);
    cr_assert_str_eq(jstr2(ok, "1", "Id"), "b");
    cr_assert_str_eq(jstr2(ok, "1", "MD5OfMessageBody"), "92eb5ffee6ae2fec3ad71c777531578f");
    cr_assert_eq(cJSON_GetArraySize(bad), 1);
    cr_assert_str_eq(jstr2(bad, "0", "Id"), "bad");
    cr_assert_str_eq(jstr2(bad, "0", "Code"), "MissingParameter");
    cr_assert_str_eq(jstr2(bad, "0", "Message"),
                     "The request must contain the parameter MessageBody.");
    cr_assert(cJSON_IsTrue(jget(jget(bad, "0"), "SenderFault")));
    fx_call(&f, "GetQueueAttributes", "{\"QueueUrl\":\"%s\",\"AttributeNames\":[\"All\"]}", Q);
    cr_assert_str_eq(jstr2(f.g.r.body, "Attributes", "ApproximateNumberOfMessages"), "1");
    cr_assert_str_eq(jstr2(f.g.r.body, "Attributes", "ApproximateNumberOfMessagesDelayed"), "1");
    fx_release(&f);
}

/* The whole-request batch errors. */
Test(sqs_batch, batch_limits)
{
    sqs_fx f;
    fx_init(&f);
    fx_queue(&f, "q1", "");
    fx_call(&f, "SendMessageBatch", "{\"QueueUrl\":\"%s\",\"Entries\":[]}", Q);
    fx_err(&f, 400, "EmptyBatchRequest",
           "There should be at least one SendMessageBatchRequestEntry in the request.");
    fx_call(&f, "DeleteMessageBatch", "{\"QueueUrl\":\"%s\"}", Q);
    fx_err(&f, 400, "EmptyBatchRequest",
           "There should be at least one DeleteMessageBatchRequestEntry in the request.");

    char entries[2048] = "";
    for (int i = 0; i < 11; i++) {
        char e[64];
        snprintf(e, sizeof e, "%s{\"Id\":\"e%d\",\"MessageBody\":\"x\"}", i ? "," : "", i);
        strcat(entries, e);
    }
    fx_call(&f, "SendMessageBatch", "{\"QueueUrl\":\"%s\",\"Entries\":[%s]}", Q, entries);
    fx_err(&f, 400, "TooManyEntriesInBatchRequest",
           "Maximum number of entries per request are 10. You have sent 11.");
    fx_call(&f, "SendMessageBatch",
            "{\"QueueUrl\":\"%s\",\"Entries\":[{\"Id\":\"a\",\"MessageBody\":\"x\"},"
            "{\"Id\":\"a\",\"MessageBody\":\"y\"}]}",
            Q);
    fx_err(&f, 400, "BatchEntryIdsNotDistinct", "Id a repeated.");
    fx_call(&f, "SendMessageBatch",
            "{\"QueueUrl\":\"%s\",\"Entries\":[{\"Id\":\"a b\",\"MessageBody\":\"x\"}]}", Q);
    fx_err(&f, 400, "InvalidBatchEntryId",
           "A batch entry id can only contain alphanumeric characters, hyphens and underscores. "
           "It can be at most 80 letters long.");
    fx_call(&f, "SendMessageBatch", "{\"QueueUrl\":\"%s\",\"Entries\":[{\"MessageBody\":\"x\"}]}",
            Q);
    fx_err(&f, 400, "MissingParameter",
           "The request must contain the parameter SendMessageBatchRequestEntry.1.Id.");

    char *big = malloc(131073 + 1);
    memset(big, 'z', 131073);
    big[131073] = '\0';
    fx_call(&f, "SendMessageBatch",
            "{\"QueueUrl\":\"%s\",\"Entries\":[{\"Id\":\"a\",\"MessageBody\":\"%s\"},"
            "{\"Id\":\"b\",\"MessageBody\":\"%s\"}]}",
            Q, big, big);
    fx_err(&f, 400, "BatchRequestTooLong",
           "Batch requests cannot be longer than 262144 bytes. You have sent 262146 bytes.");
    free(big);
    fx_call(&f, "GetQueueAttributes", "{\"QueueUrl\":\"%s\",\"AttributeNames\":[\"All\"]}", Q);
    cr_assert_str_eq(jstr2(f.g.r.body, "Attributes", "ApproximateNumberOfMessages"), "0");
    fx_release(&f);
}

/* API_DeleteMessageBatch: per-entry results; a bad handle fails only its entry. */
Test(sqs_batch, delete_batch)
{
    sqs_fx f;
    fx_init(&f);
    fx_queue(&f, "q1", "");
    fx_call(&f, "SendMessageBatch",
            "{\"QueueUrl\":\"%s\",\"Entries\":[{\"Id\":\"a\",\"MessageBody\":\"a\"},"
            "{\"Id\":\"b\",\"MessageBody\":\"b\"},{\"Id\":\"c\",\"MessageBody\":\"c\"}]}",
            Q);
    fx_call(&f, "ReceiveMessage", "{\"QueueUrl\":\"%s\",\"MaxNumberOfMessages\":10}", Q);
    cr_assert_eq(fx_nmsgs(&f), 3);
    char *h0 = fx_handle(&f, 0), *h1 = fx_handle(&f, 1);
    fx_call(&f, "DeleteMessageBatch",
            "{\"QueueUrl\":\"%s\",\"Entries\":[{\"Id\":\"x\",\"ReceiptHandle\":\"%s\"},"
            "{\"Id\":\"y\",\"ReceiptHandle\":\"nope\"},{\"Id\":\"z\",\"ReceiptHandle\":\"%s\"}]}",
            Q, h0, h1);
    fx_ok(&f);
    const cJSON *ok = jget(f.g.r.body, "Successful"), *bad = jget(f.g.r.body, "Failed");
    cr_assert_eq(cJSON_GetArraySize(ok), 2);
    cr_assert_str_eq(jstr2(ok, "0", "Id"), "x");
    cr_assert_str_eq(jstr2(ok, "1", "Id"), "z");
    cr_assert_eq(cJSON_GetArraySize(bad), 1);
    cr_assert_str_eq(jstr2(bad, "0", "Id"), "y");
    cr_assert_str_eq(jstr2(bad, "0", "Code"), "ReceiptHandleIsInvalid");
    cr_assert_str_eq(jstr2(bad, "0", "Message"),
                     "The input receipt handle \"nope\" is not a valid receipt handle.");
    sim_sched_run_for(&f.sched, 30 * SIM_S);
    fx_call(&f, "ReceiveMessage", "{\"QueueUrl\":\"%s\",\"MaxNumberOfMessages\":10}", Q);
    cr_assert_eq(fx_nmsgs(&f), 1);
    cr_assert_str_eq(jstr(fx_msg(&f, 0), "Body"), "c");
    free(h0);
    free(h1);
    fx_release(&f);
}
