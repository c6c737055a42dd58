/* test_sqs_queues.c - the queue registry: CreateQueue (idempotent with equal attributes),
 * GetQueueUrl, ListQueues paging, Get/SetQueueAttributes, DeleteQueue, queue URLs.
 * Source: Amazon SQS API Reference (API_CreateQueue, API_GetQueueUrl, API_ListQueues,
 * API_GetQueueAttributes, API_SetQueueAttributes, API_DeleteQueue). */
#include "tests/unit/test_sqs_util.h"

#define Q FX_URL("q1")

/* API_CreateQueue / API_GetQueueUrl: QueueUrl = <endpoint>/<account>/<name>. */
Test(sqs_queues, create_and_get_url)
{
    sqs_fx f;
    fx_init(&f);
    fx_queue(&f, "q1", "");
    cr_assert_str_eq(jstr(f.g.r.body, "QueueUrl"), "http://127.0.0.1:4566/000000000000/q1");
    cr_assert_eq(sqs_queue_count(f.svc), 1);
    fx_call(&f, "GetQueueUrl", "{\"QueueName\":\"q1\"}");
    fx_ok(&f);
    cr_assert_str_eq(jstr(f.g.r.body, "QueueUrl"), Q);
    fx_call(&f, "GetQueueUrl", "{\"QueueName\":\"nope\"}");
    fx_err(&f, 400, "QueueDoesNotExist", "The specified queue does not exist.");
    fx_call(&f, "CreateQueue", "{\"QueueName\":\"bad name\"}");
    fx_err(&f, 400, "InvalidParameterValue",
           "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length");
    fx_call(&f, "CreateQueue", "{}");
    fx_err(&f, 400, "MissingParameter", "The request must contain the parameter QueueName.");
    fx_call(&f, "Frobnicate", "{}");
    fx_err(&f, 400, "InvalidAction", "The action Frobnicate is not valid for this endpoint.");
    fx_release(&f);
}

/* API_CreateQueue: an existing name with the same attribute values returns its URL; a
 * different value is QueueNameExists (query code QueueAlreadyExists). */
Test(sqs_queues, create_existing)
{
    sqs_fx f;
    fx_init(&f);
    fx_queue(&f, "q1", "{\"VisibilityTimeout\":\"60\",\"DelaySeconds\":\"0\"}");
    fx_queue(&f, "q1", "{\"VisibilityTimeout\":\"60\"}");
    cr_assert_str_eq(jstr(f.g.r.body, "QueueUrl"), Q);
    fx_queue(&f, "q1", "");
    cr_assert_str_eq(jstr(f.g.r.body, "QueueUrl"), Q);
    fx_call(&f, "CreateQueue",
            "{\"QueueName\":\"q1\",\"Attributes\":{\"VisibilityTimeout\":\"30\"}}");
    fx_err(&f, 400, "QueueNameExists",
           "A queue already exists with the same name and a different value for attribute "
           "VisibilityTimeout");
    cr_assert_eq(sqs_queue_count(f.svc), 1);
    fx_release(&f);
}

/* API_GetQueueAttributes: All, in AWS's order, with the documented defaults. */
Test(sqs_queues, get_all_attributes)
{
    sqs_fx f;
    fx_init(&f);
    sim_sched_run_for(&f.sched, 3 * SIM_S);
    fx_queue(&f, "q1", "");
    fx_send(&f, "q1", "a");
    fx_call(&f, "GetQueueAttributes", "{\"QueueUrl\":\"%s\",\"AttributeNames\":[\"All\"]}", Q);
    fx_ok(&f);
    char *text = cJSON_PrintUnformatted(f.g.r.body);
    cr_assert_str_eq(text,
                     "{\"Attributes\":{\"QueueArn\":\"arn:aws:sqs:us-west-2:000000000000:q1\","
                     "\"ApproximateNumberOfMessages\":\"1\","
                     "\"ApproximateNumberOfMessagesNotVisible\":\"0\","
                     "\"ApproximateNumberOfMessagesDelayed\":\"0\","
                     "\"CreatedTimestamp\":\"1767225603\",\"LastModifiedTimestamp\":\"1767225603\","
                     "\"VisibilityTimeout\":\"30\",\"MaximumMessageSize\":\"262144\","
                     "\"MessageRetentionPeriod\":\"345600\",\"DelaySeconds\":\"0\","
                     "\"ReceiveMessageWaitTimeSeconds\":\"0\",\"SqsManagedSseEnabled\":\"true\"}}");
    cJSON_free(text);
    fx_call(&f, "GetQueueAttributes", "{\"QueueUrl\":\"%s\",\"AttributeNames\":[\"QueueArn\"]}", Q);
    cr_assert_eq(cJSON_GetArraySize(jget(f.g.r.body, "Attributes")), 1);
    fx_call(&f, "GetQueueAttributes", "{\"QueueUrl\":\"%s\"}", Q);
    fx_ok(&f);
    cr_assert_null(jget(f.g.r.body, "Attributes"));
    fx_call(&f, "GetQueueAttributes", "{\"QueueUrl\":\"%s\",\"AttributeNames\":[\"Foo\"]}", Q);
    fx_err(&f, 400, "InvalidAttributeName", "Unknown Attribute Foo.");
    fx_release(&f);
}

/* API_SetQueueAttributes: values are validated; LastModifiedTimestamp moves. */
Test(sqs_queues, set_attributes)
{
    sqs_fx f;
    fx_init(&f);
    fx_queue(&f, "q1", "");
    sim_sched_run_for(&f.sched, 10 * SIM_S);
    fx_call(&f, "SetQueueAttributes",
            "{\"QueueUrl\":\"%s\",\"Attributes\":{\"VisibilityTimeout\":\"45\","
            "\"MaximumMessageSize\":\"1024\",\"Policy\":\"{}\"}}",
            Q);
    fx_ok(&f);
    fx_call(&f, "GetQueueAttributes",
            "{\"QueueUrl\":\"%s\",\"AttributeNames\":[\"VisibilityTimeout\","
            "\"MaximumMessageSize\",\"LastModifiedTimestamp\",\"CreatedTimestamp\",\"Policy\"]}",
            Q);
    const cJSON *a = jget(f.g.r.body, "Attributes");
    cr_assert_str_eq(jstr(a, "VisibilityTimeout"), "45");
    cr_assert_str_eq(jstr(a, "MaximumMessageSize"), "1024");
    cr_assert_str_eq(jstr(a, "Policy"), "{}");
    cr_assert_str_eq(jstr(a, "CreatedTimestamp"), "1767225600");
    cr_assert_str_eq(jstr(a, "LastModifiedTimestamp"), "1767225610");

    char body[1100];
    memset(body, 'b', 1025);
    body[1025] = '\0';
    fx_call(&f, "SendMessage", "{\"QueueUrl\":\"%s\",\"MessageBody\":\"%s\"}", Q, body);
    fx_err(&f, 400, "InvalidParameterValue",
           "One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes.");

    fx_call(&f, "SetQueueAttributes",
            "{\"QueueUrl\":\"%s\",\"Attributes\":{\"VisibilityTimeout\":\"43201\"}}", Q);
    fx_err(&f, 400, "InvalidAttributeValue", "Invalid value for the parameter VisibilityTimeout.");
    fx_call(&f, "SetQueueAttributes",
            "{\"QueueUrl\":\"%s\",\"Attributes\":{\"DelaySeconds\":\"abc\"}}", Q);
    fx_err(&f, 400, "InvalidAttributeValue", "Invalid value for the parameter DelaySeconds.");
    fx_call(&f, "SetQueueAttributes", "{\"QueueUrl\":\"%s\",\"Attributes\":{\"QueueArn\":\"x\"}}",
            Q);
    fx_err(&f, 400, "InvalidAttributeName", "Unknown Attribute QueueArn.");
    fx_call(&f, "SetQueueAttributes", "{\"QueueUrl\":\"%s\"}", Q);
    fx_err(&f, 400, "MissingParameter", "The request must contain the parameter Attributes.");
    fx_release(&f);
}

/* API_ListQueues: prefix, MaxResults and NextToken. */
Test(sqs_queues, list_queues_paging)
{
    sqs_fx f;
    fx_init(&f);
    fx_queue(&f, "b-two", "");
    fx_queue(&f, "a-one", "");
    fx_queue(&f, "b-three", "");
    fx_queue(&f, "c", "");
    fx_call(&f, "ListQueues", "{}");
    const cJSON *u = jget(f.g.r.body, "QueueUrls");
    cr_assert_eq(cJSON_GetArraySize(u), 4);
    cr_assert_str_eq(jstr(u, "0"), FX_URL("a-one"));
    cr_assert_null(jget(f.g.r.body, "NextToken"));
    fx_call(&f, "ListQueues", "{\"QueueNamePrefix\":\"b-\"}");
    u = jget(f.g.r.body, "QueueUrls");
    cr_assert_eq(cJSON_GetArraySize(u), 2);
    cr_assert_str_eq(jstr(u, "0"), FX_URL("b-three"));
    cr_assert_str_eq(jstr(u, "1"), FX_URL("b-two"));

    fx_call(&f, "ListQueues", "{\"MaxResults\":3}");
    cr_assert_eq(cJSON_GetArraySize(jget(f.g.r.body, "QueueUrls")), 3);
    char tok[64];
    snprintf(tok, sizeof tok, "%s", jstr(f.g.r.body, "NextToken"));
    fx_call(&f, "ListQueues", "{\"MaxResults\":3,\"NextToken\":\"%s\"}", tok);
    u = jget(f.g.r.body, "QueueUrls");
    cr_assert_eq(cJSON_GetArraySize(u), 1);
    cr_assert_str_eq(jstr(u, "0"), FX_URL("c"));
    cr_assert_null(jget(f.g.r.body, "NextToken"));

    fx_call(&f, "ListQueues", "{\"QueueNamePrefix\":\"zzz\"}");
    fx_ok(&f);
    cr_assert_null(jget(f.g.r.body, "QueueUrls"));
    fx_call(&f, "ListQueues", "{\"MaxResults\":0}");
    fx_err(&f, 400, "InvalidParameterValue",
           "Value 0 for parameter MaxResults is invalid. Reason: MaxResults must be an integer "
           "between 1 and 1000.");
    fx_call(&f, "ListQueues", "{\"NextToken\":\"!!\"}");
    fx_err(&f, 400, "InvalidParameterValue", "Invalid NextToken value.");
    fx_release(&f);
}

/* API_DeleteQueue; a QueueUrl in any host form names the queue by its last segment. */
Test(sqs_queues, delete_and_url_forms)
{
    sqs_fx f;
    fx_init(&f);
    fx_queue(&f, "q1", "");
    fx_call(&f, "SendMessage",
            "{\"QueueUrl\":\"https://sqs.us-west-2.amazonaws.com/000000000000/q1\","
            "\"MessageBody\":\"x\"}");
    fx_ok(&f);
    fx_call(&f, "SendMessage",
            "{\"QueueUrl\":\"http://localhost:4566/000000000000/q1/\",\"MessageBody\":\"y\"}");
    fx_ok(&f);
    fx_call(&f, "DeleteQueue", "{\"QueueUrl\":\"%s\"}", Q);
    fx_ok(&f);
    cr_assert_null(f.g.r.body);
    cr_assert_eq(sqs_queue_count(f.svc), 0);
    fx_call(&f, "GetQueueUrl", "{\"QueueName\":\"q1\"}");
    fx_err(&f, 400, "QueueDoesNotExist", "The specified queue does not exist.");
    fx_call(&f, "DeleteQueue", "{\"QueueUrl\":\"%s\"}", Q);
    fx_err(&f, 400, "QueueDoesNotExist", "The specified queue does not exist.");
    fx_release(&f);
}
