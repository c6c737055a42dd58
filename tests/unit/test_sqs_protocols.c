/* test_sqs_protocols.c - the two wire protocols over sqs_http_serve: JSON 1.0 (X-Amz-Target
 * AmazonSQS.<Op>) and query (Action=<Op>, form body or query string, XML replies).
 * Source: Developer Guide "Interpreting Amazon SQS JSON API responses" (error body and
 * x-amzn-query-error); API Reference "Making query API requests" and the XML samples of
 * API_SendMessage / API_ReceiveMessage; botocore sqs/2012-11-05 query model (flattened
 * member names, resultWrapper, error codes such as AWS.SimpleQueueService.NonExistentQueue). */
#include "tests/unit/test_sqs_util.h"

#include "sim/core/sim_http_msg.h"

#define XMLNS "http://queue.amazonaws.com/doc/2012-11-05/"

typedef struct fake_x {
    sim_http_exchange x; /* first: complete() casts back */
    int completed;
} fake_x;

static void on_complete(sim_http_exchange *x)
{
    ((fake_x *)x)->completed++;
}

static void add_header(sim_http_req *req, const char *name, const char *value)
{
    req->headers = realloc(req->headers, (req->nheaders + 1) * sizeof *req->headers);
    req->headers[req->nheaders].name = strdup(name);
    req->headers[req->nheaders].value = strdup(value);
    req->nheaders++;
}

/* Serve one request: target NULL for the query protocol; query is the raw query string. */
static void http(sqs_fx *f, fake_x *e, const char *method, const char *path, const char *target,
                 const char *query, const char *body)
{
    memset(e, 0, sizeof *e);
    e->x.complete = on_complete;
    e->x.req.method = strdup(method);
    e->x.req.path = strdup(path);
    if (target != NULL) {
        add_header(&e->x.req, "X-Amz-Target", target);
        add_header(&e->x.req, "Content-Type", "application/x-amz-json-1.0");
    } else if (body != NULL) {
        add_header(&e->x.req, "Content-Type", "application/x-www-form-urlencoded");
    }
    if (query != NULL)
        cr_assert_eq(sim_form_parse(query, strlen(query), &e->x.req.query, &e->x.req.nquery), 0);
    if (body != NULL) {
        e->x.req.body = (unsigned char *)strdup(body);
        e->x.req.body_len = strlen(body);
    }
    sqs_http_serve(f->svc, &e->x);
}

static void http_release(fake_x *e)
{
    sim_http_req_release(&e->x.req);
    sim_http_resp_release(&e->x.resp);
}

static const char *resp_header(const fake_x *e, const char *name)
{
    return sim_kv_get(e->x.resp.headers, e->x.resp.nheaders, name);
}

/* Copy of the text between open and close in s (owned), or NULL. */
static char *between(const char *s, const char *open, const char *close)
{
    const char *a = strstr(s, open);
    if (a == NULL)
        return NULL;
    a += strlen(open);
    const char *b = strstr(a, close);
    return b ? strndup(a, (size_t)(b - a)) : NULL;
}

/* JSON protocol: success body and headers. */
Test(sqs_protocols, json_create_queue)
{
    sqs_fx f;
    fx_init(&f);
    fake_x e;
    http(&f, &e, "POST", "/", "AmazonSQS.CreateQueue", NULL, "{\"QueueName\":\"q1\"}");
    cr_assert_eq(e.completed, 1);
    cr_assert_eq(e.x.resp.status, 200);
    cr_assert_str_eq((const char *)e.x.resp.body,
                     "{\"QueueUrl\":\"http://127.0.0.1:4566/000000000000/q1\"}");
    cr_assert_str_eq(resp_header(&e, "Content-Type"), "application/x-amz-json-1.0");
    cr_assert_eq(strlen(resp_header(&e, "x-amzn-RequestId")), 36);
    http_release(&e);
    http(&f, &e, "POST", "/", "AmazonSQS.DeleteQueue", NULL,
         "{\"QueueUrl\":\"http://127.0.0.1:4566/000000000000/q1\"}");
    cr_assert_eq(e.x.resp.status, 200);
    cr_assert_str_eq((const char *)e.x.resp.body, "{}");
    http_release(&e);
    fx_release(&f);
}

/* JSON protocol errors: __type, message, and the query-compatible code header. */
Test(sqs_protocols, json_error_shape)
{
    sqs_fx f;
    fx_init(&f);
    fake_x e;
    http(&f, &e, "POST", "/", "AmazonSQS.GetQueueUrl", NULL, "{\"QueueName\":\"nope\"}");
    cr_assert_eq(e.x.resp.status, 400);
    cr_assert_str_eq((const char *)e.x.resp.body,
                     "{\"__type\":\"com.amazonaws.sqs#QueueDoesNotExist\",\"message\":\"The "
                     "specified queue does not exist.\"}");
    cr_assert_str_eq(resp_header(&e, "x-amzn-query-error"),
                     "AWS.SimpleQueueService.NonExistentQueue;Sender");
    http_release(&e);

    http(&f, &e, "POST", "/", "AmazonSQS.CreateQueue", NULL, "{\"QueueName\":\"q1\"}");
    http_release(&e);
    http(&f, &e, "POST", "/", "AmazonSQS.CreateQueue", NULL,
         "{\"QueueName\":\"q1\",\"Attributes\":{\"DelaySeconds\":\"5\"}}");
    cr_assert_eq(e.x.resp.status, 400);
    cr_assert_str_eq(resp_header(&e, "x-amzn-query-error"), "QueueAlreadyExists;Sender");
    cr_assert_not_null(
        strstr((const char *)e.x.resp.body, "\"__type\":\"com.amazonaws.sqs#QueueNameExists\""));
    http_release(&e);

    http(&f, &e, "POST", "/", "AmazonSQS.SendMessage", NULL, "{not json");
    cr_assert_eq(e.x.resp.status, 400);
    cr_assert_eq(e.completed, 1);
    http_release(&e);
    fx_release(&f);
}

/* Query protocol: a form-encoded SendMessage with a message attribute; XML reply. */
Test(sqs_protocols, query_send_message_xml)
{
    sqs_fx f;
    fx_init(&f);
    fx_queue(&f, "q1", "");
    fake_x e;
    http(&f, &e, "POST", "/", NULL, NULL,
         "Action=SendMessage&Version=2012-11-05&QueueUrl=http%3A%2F%2F127.0.0.1%3A4566%2F"
         "000000000000%2Fq1&MessageBody=hello&MessageAttribute.1.Name=City&"
         "MessageAttribute.1.Value.DataType=String&MessageAttribute.1.Value.StringValue=Any+City");
    cr_assert_eq(e.completed, 1);
    cr_assert_eq(e.x.resp.status, 200);
    cr_assert_str_eq(resp_header(&e, "Content-Type"), "text/xml");
    const char *xml = (const char *)e.x.resp.body;
    char *id = between(xml, "<MessageId>", "</MessageId>");
    char *rid = between(xml, "<RequestId>", "</RequestId>");
    cr_assert_not_null(id);
    cr_assert_not_null(rid);
    char want[1024];
    snprintf(want, sizeof want,
             "<?xml version=\"1.0\"?><SendMessageResponse xmlns=\"" XMLNS "\">"
             "<SendMessageResult><MD5OfMessageBody>5d41402abc4b2a76b9719d911017c592"
             "</MD5OfMessageBody><MD5OfMessageAttributes>0c32cb5c844c01fbd5b6b434b52cf670"
             "</MD5OfMessageAttributes><MessageId>%s</MessageId></SendMessageResult>"
             "<ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata>"
             "</SendMessageResponse>",
             id, rid);
    cr_assert_str_eq(xml, want);
    cr_assert_eq(strlen(id), 36);
    free(id);
    free(rid);
    http_release(&e);
    fx_release(&f);
}

/* Query protocol: ReceiveMessage as a GET query string; flattened Attribute and
 * MessageAttribute elements; XML-escaped body (CR as &#xD;). */
Test(sqs_protocols, query_receive_message_xml)
{
    sqs_fx f;
    fx_init(&f);
    fx_queue(&f, "q1", "");
    sim_sched_run_for(&f.sched, 1 * SIM_S);
    fx_call(&f, "SendMessage",
            "{\"QueueUrl\":\"%s\",\"MessageBody\":\"a&b<c>\\r\",\"MessageAttributes\":{"
            "\"City\":{\"DataType\":\"String\",\"StringValue\":\"Any City\"}}}",
            FX_URL("q1"));
    fx_ok(&f);
    char id[40];
    snprintf(id, sizeof id, "%s", jstr(f.g.r.body, "MessageId"));
    fake_x e;
    http(&f, &e, "GET", "/", NULL,
         "Action=ReceiveMessage&Version=2012-11-05&QueueUrl=http%3A%2F%2Flocalhost%3A4566%2F"
         "000000000000%2Fq1&AttributeName.1=SentTimestamp&AttributeName.2=ApproximateReceiveCount"
         "&MessageAttributeName.1=All&MaxNumberOfMessages=5",
         NULL);
    cr_assert_eq(e.x.resp.status, 200);
    const char *xml = (const char *)e.x.resp.body;
    char *h = between(xml, "<ReceiptHandle>", "</ReceiptHandle>");
    char *rid = between(xml, "<RequestId>", "</RequestId>");
    cr_assert_not_null(h);
    char want[2048];
    snprintf(want, sizeof want,
             "<?xml version=\"1.0\"?><ReceiveMessageResponse xmlns=\"" XMLNS "\">"
             "<ReceiveMessageResult><Message><MessageId>%s</MessageId>"
             "<ReceiptHandle>%s</ReceiptHandle>"
             "<MD5OfBody>e945ff15b314f7d0f812837cd09d9a55</MD5OfBody>"
             "<Body>a&amp;b&lt;c&gt;&#xD;</Body>"
             "<Attribute><Name>ApproximateReceiveCount</Name><Value>1</Value></Attribute>"
             "<Attribute><Name>SentTimestamp</Name><Value>1767225601000</Value></Attribute>"
             "<MD5OfMessageAttributes>0c32cb5c844c01fbd5b6b434b52cf670</MD5OfMessageAttributes>"
             "<MessageAttribute><Name>City</Name><Value><DataType>String</DataType>"
             "<StringValue>Any City</StringValue></Value></MessageAttribute>"
             "</Message></ReceiveMessageResult>"
             "<ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata>"
             "</ReceiveMessageResponse>",
             id, h, rid);
    cr_assert_str_eq(xml, want);
    free(h);
    free(rid);
    http_release(&e);
    fx_release(&f);
}

/* Query protocol errors: ErrorResponse with Type, the query code, Message, Detail. */
Test(sqs_protocols, query_error_xml)
{
    sqs_fx f;
    fx_init(&f);
    fake_x e;
    http(&f, &e, "POST", "/", NULL, NULL, "Action=GetQueueUrl&Version=2012-11-05&QueueName=nope");
    cr_assert_eq(e.x.resp.status, 400);
    cr_assert_str_eq(resp_header(&e, "Content-Type"), "text/xml");
    const char *xml = (const char *)e.x.resp.body;
    char *rid = between(xml, "<RequestId>", "</RequestId>");
    char want[1024];
    snprintf(want, sizeof want,
             "<?xml version=\"1.0\"?><ErrorResponse xmlns=\"" XMLNS "\"><Error><Type>Sender</Type>"
             "<Code>AWS.SimpleQueueService.NonExistentQueue</Code>"
             "<Message>The specified queue does not exist.</Message><Detail/></Error>"
             "<RequestId>%s</RequestId></ErrorResponse>",
             rid);
    cr_assert_str_eq(xml, want);
    free(rid);
    http_release(&e);

    http(&f, &e, "POST", "/", NULL, NULL, "Action=Nope&Version=2012-11-05");
    cr_assert_eq(e.x.resp.status, 400);
    cr_assert_not_null(strstr((const char *)e.x.resp.body,
                              "<Code>InvalidAction</Code><Message>The action Nope is not valid "
                              "for this endpoint.</Message>"));
    http_release(&e);
    fx_release(&f);
}

/* Query protocol: Attribute.N.Name/Value on CreateQueue, AttributeName.N on
 * GetQueueAttributes, and the flattened <Attribute> reply. */
Test(sqs_protocols, query_queue_attributes)
{
    sqs_fx f;
    fx_init(&f);
    fake_x e;
    http(&f, &e, "POST", "/", NULL, NULL,
         "Action=CreateQueue&Version=2012-11-05&QueueName=q1&Attribute.1.Name=VisibilityTimeout&"
         "Attribute.1.Value=45&Attribute.2.Name=DelaySeconds&Attribute.2.Value=2");
    cr_assert_eq(e.x.resp.status, 200);
    cr_assert_not_null(strstr((const char *)e.x.resp.body,
                              "<CreateQueueResult><QueueUrl>http://127.0.0.1:4566/000000000000/q1"
                              "</QueueUrl></CreateQueueResult>"));
    http_release(&e);
    http(&f, &e, "POST", "/", NULL, NULL,
         "Action=GetQueueAttributes&Version=2012-11-05&QueueUrl=http%3A%2F%2F127.0.0.1%3A4566%2F"
         "000000000000%2Fq1&AttributeName.1=VisibilityTimeout&AttributeName.2=DelaySeconds");
    cr_assert_eq(e.x.resp.status, 200);
    cr_assert_not_null(strstr((const char *)e.x.resp.body,
                              "<GetQueueAttributesResult><Attribute><Name>VisibilityTimeout</Name>"
                              "<Value>45</Value></Attribute><Attribute><Name>DelaySeconds</Name>"
                              "<Value>2</Value></Attribute></GetQueueAttributesResult>"));
    http_release(&e);
    http(&f, &e, "POST", "/", NULL, NULL, "Action=ListQueues&Version=2012-11-05");
    cr_assert_not_null(strstr((const char *)e.x.resp.body,
                              "<ListQueuesResult><QueueUrl>http://127.0.0.1:4566/000000000000/q1"
                              "</QueueUrl></ListQueuesResult>"));
    http_release(&e);
    /* Operations without a result: only ResponseMetadata. */
    http(&f, &e, "POST", "/", NULL, NULL,
         "Action=SetQueueAttributes&QueueUrl=q1&Attribute.1.Name=DelaySeconds&Attribute.1.Value=0");
    cr_assert_eq(e.x.resp.status, 200);
    cr_assert_eq(strncmp((const char *)e.x.resp.body,
                         "<?xml version=\"1.0\"?><SetQueueAttributesResponse xmlns=\"" XMLNS
                         "\"><ResponseMetadata><RequestId>",
                         strlen("<?xml version=\"1.0\"?><SetQueueAttributesResponse xmlns=\"" XMLNS
                                "\"><ResponseMetadata><RequestId>")),
                 0);
    http_release(&e);
    fx_release(&f);
}

/* Query protocol batches: SendMessageBatchRequestEntry.N.* (with nested message attributes)
 * and DeleteMessageBatchRequestEntry.N.*; the request may be posted to the queue's path. */
Test(sqs_protocols, query_batches)
{
    sqs_fx f;
    fx_init(&f);
    fx_queue(&f, "q1", "");
    fake_x e;
    http(&f, &e, "POST", "/000000000000/q1", NULL, NULL,
         "Action=SendMessageBatch&Version=2012-11-05&"
         "SendMessageBatchRequestEntry.1.Id=a&SendMessageBatchRequestEntry.1.MessageBody=a&"
         "SendMessageBatchRequestEntry.2.Id=b&SendMessageBatchRequestEntry.2.MessageBody=b&"
         "SendMessageBatchRequestEntry.2.DelaySeconds=0&"
         "SendMessageBatchRequestEntry.2.MessageAttribute.1.Name=City&"
         "SendMessageBatchRequestEntry.2.MessageAttribute.1.Value.DataType=String&"
         "SendMessageBatchRequestEntry.2.MessageAttribute.1.Value.StringValue=Any+City&"
         "SendMessageBatchRequestEntry.3.Id=c&SendMessageBatchRequestEntry.3.MessageBody=");
    cr_assert_eq(e.x.resp.status, 200);
    const char *xml = (const char *)e.x.resp.body;
    cr_assert_not_null(strstr(xml, "<SendMessageBatchResult><SendMessageBatchResultEntry><Id>a</Id>"
                                   "<MD5OfMessageBody>0cc175b9c0f1b6a831c399e269772661"
                                   "</MD5OfMessageBody><MessageId>"));
    cr_assert_not_null(strstr(xml, "<SendMessageBatchResultEntry><Id>b</Id><MD5OfMessageBody>"
                                   "92eb5ffee6ae2fec3ad71c777531578f</MD5OfMessageBody>"
                                   "<MD5OfMessageAttributes>0c32cb5c844c01fbd5b6b434b52cf670"
                                   "</MD5OfMessageAttributes><MessageId>"));
    cr_assert_not_null(strstr(xml, "<BatchResultErrorEntry><Id>c</Id><SenderFault>true"
                                   "</SenderFault><Code>MissingParameter</Code><Message>The "
                                   "request must contain the parameter MessageBody.</Message>"
                                   "</BatchResultErrorEntry></SendMessageBatchResult>"));
    http_release(&e);

    fx_call(&f, "ReceiveMessage", "{\"QueueUrl\":\"q1\",\"MaxNumberOfMessages\":10}");
    cr_assert_eq(fx_nmsgs(&f), 2);
    char *h0 = fx_handle(&f, 0), *h1 = fx_handle(&f, 1);
    /* Handles are base64: '+' and '/' must travel percent-encoded in a form. */
    char body[1024], e0[160], e1[160];
    size_t j = 0;
    for (const char *p = h0; *p; p++)
        j += (size_t)snprintf(e0 + j, sizeof e0 - j,
                              (*p == '+' || *p == '/' || *p == '=') ? "%%%02X" : "%c",
                              (unsigned char)*p);
    j = 0;
    for (const char *p = h1; *p; p++)
        j += (size_t)snprintf(e1 + j, sizeof e1 - j,
                              (*p == '+' || *p == '/' || *p == '=') ? "%%%02X" : "%c",
                              (unsigned char)*p);
    snprintf(body, sizeof body,
             "Action=DeleteMessageBatch&QueueUrl=http%%3A%%2F%%2F127.0.0.1%%3A4566%%2F"
             "000000000000%%2Fq1&DeleteMessageBatchRequestEntry.1.Id=x&"
             "DeleteMessageBatchRequestEntry.1.ReceiptHandle=%s&"
             "DeleteMessageBatchRequestEntry.2.Id=y&"
             "DeleteMessageBatchRequestEntry.2.ReceiptHandle=%s",
             e0, e1);
    http(&f, &e, "POST", "/", NULL, NULL, body);
    cr_assert_eq(e.x.resp.status, 200);
    cr_assert_not_null(strstr((const char *)e.x.resp.body,
                              "<DeleteMessageBatchResult><DeleteMessageBatchResultEntry><Id>x</Id>"
                              "</DeleteMessageBatchResultEntry><DeleteMessageBatchResultEntry>"
                              "<Id>y</Id></DeleteMessageBatchResultEntry>"
                              "</DeleteMessageBatchResult>"));
    http_release(&e);
    fx_call(&f, "GetQueueAttributes",
            "{\"QueueUrl\":\"q1\",\"AttributeNames\":[\"ApproximateNumberOfMessagesNotVisible\"]}");
    cr_assert_str_eq(jstr2(f.g.r.body, "Attributes", "ApproximateNumberOfMessagesNotVisible"), "0");
    free(h0);
    free(h1);
    fx_release(&f);
}

/* Query protocol long poll: the exchange completes at the end of the wait, empty. */
Test(sqs_protocols, query_long_poll)
{
    sqs_fx f;
    fx_init(&f);
    fx_queue(&f, "q1", "");
    fake_x e;
    http(&f, &e, "POST", "/", NULL, NULL,
         "Action=ReceiveMessage&QueueUrl=q1&WaitTimeSeconds=2&Version=2012-11-05");
    cr_assert_eq(e.completed, 0);
    sim_sched_run_for(&f.sched, 2 * SIM_S - 1);
    cr_assert_eq(e.completed, 0);
    sim_sched_run_for(&f.sched, 1);
    cr_assert_eq(e.completed, 1);
    cr_assert_not_null(strstr((const char *)e.x.resp.body,
                              "<ReceiveMessageResponse xmlns=\"" XMLNS "\"><ReceiveMessageResult/>"
                              "<ResponseMetadata>"));
    http_release(&e);
    fx_release(&f);
}
