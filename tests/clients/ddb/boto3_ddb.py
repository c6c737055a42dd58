#!/usr/bin/python3
# tests/clients/ddb/boto3_ddb.py - boto3 (Debian's python3-boto3), unmodified, against
# Stratus's table service: the low-level client (paginators, waiters, ClientError codes
# and messages, modeled exception classes) and the resource API (Table.put_item /
# get_item / update_item / query / scan with boto3.dynamodb.conditions Key and Attr,
# batch_writer, Decimal numbers, sets, Binary).
#
# usage: AWS_ENDPOINT_URL=http://127.0.0.1:PORT AWS_DEFAULT_REGION=us-west-2 \
#        AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x /usr/bin/python3 boto3_ddb.py SUFFIX
# Debian 12's boto3 1.26 predates botocore's own AWS_ENDPOINT_URL support, so the script
# passes AWS_ENDPOINT_URL as endpoint_url. Each check prints "PASS name" or
# "FAIL name: detail"; the last line is "boto3: N passed, M failed"; exit status 0 only
# if nothing failed. Expected values: DynamoDB API Reference (operations, errors).

import os
import sys
import traceback
from decimal import Decimal

import boto3
from boto3.dynamodb.conditions import Attr, Key
from boto3.dynamodb.types import Binary
from botocore.config import Config
from botocore.exceptions import ClientError

SUFFIX = sys.argv[1] if len(sys.argv) > 1 else str(os.getpid())
EP = os.environ.get("AWS_ENDPOINT_URL", "")
REGION = os.environ.get("AWS_DEFAULT_REGION", "us-west-2")
CFG = Config(retries={"max_attempts": 1}, connect_timeout=5, read_timeout=30)

passed = 0
failed = 0


def show(v):
    s = repr(v)
    return s if len(s) <= 700 else s[:700] + "..."


def ok(name, cond, detail=None):
    global passed, failed
    if cond:
        passed += 1
        print("PASS " + name)
        return True
    failed += 1
    print("FAIL %s: %s" % (name, show(detail) if detail is not None else "condition false"))
    return False


def eq(name, expected, actual):
    global passed, failed
    if expected == actual and type(expected) is type(actual):
        passed += 1
        print("PASS " + name)
        return True
    failed += 1
    print("FAIL %s: expected %s, got %s" % (name, show(expected), show(actual)))
    return False


def call(name, fn, *args, **kwargs):
    """The result of fn(...), or None (and a FAIL) when it raises."""
    try:
        out = fn(*args, **kwargs)
    except Exception as e:  # noqa: BLE001 - the failure is the report
        ok(name + ": succeeds", False, "%s: %s" % (type(e).__name__, e))
        return None
    ok(name + ": succeeds", True)
    return out


def raises(name, fn, code, message, cls=None, **kwargs):
    """Assert fn(**kwargs) raises ClientError with this code, message and HTTP 400;
    cls, when given, is the modeled exception class it must be. Returns the error."""
    try:
        out = fn(**kwargs)
    except ClientError as e:
        if cls is not None:
            ok(name + ": is " + cls.__name__, isinstance(e, cls), type(e).__name__)
        eq(name + ": Error.Code", code, e.response.get("Error", {}).get("Code"))
        if message is not None:
            eq(name + ": Error.Message", message, e.response.get("Error", {}).get("Message"))
        eq(name + ": HTTP status", 400, e.response.get("ResponseMetadata", {}).get("HTTPStatusCode"))
        return e
    except Exception as e:  # noqa: BLE001
        ok(name + ": raises ClientError", False, "%s: %s" % (type(e).__name__, e))
        return None
    ok(name + ": raises", False, "returned %s" % show(out))
    return None


client = boto3.client("dynamodb", endpoint_url=EP, region_name=REGION, config=CFG)
ddb = boto3.resource("dynamodb", endpoint_url=EP, region_name=REGION, config=CFG)
X = client.exceptions

T = "boto3-" + SUFFIX          # HASH pk S + RANGE sk N, GSI by_color
T2 = "boto3-res-" + SUFFIX     # HASH id S (resource API, batch_writer)
ARN = "arn:aws:dynamodb:%s:000000000000:table/%s"
WAIT = {"Delay": 1, "MaxAttempts": 30}


def tables():
    out = call("create_table (GSI)", client.create_table, TableName=T,
               AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                     {"AttributeName": "sk", "AttributeType": "N"},
                                     {"AttributeName": "color", "AttributeType": "S"}],
               KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                          {"AttributeName": "sk", "KeyType": "RANGE"}],
               BillingMode="PAY_PER_REQUEST",
               GlobalSecondaryIndexes=[{
                   "IndexName": "by_color",
                   "KeySchema": [{"AttributeName": "color", "KeyType": "HASH"},
                                 {"AttributeName": "sk", "KeyType": "RANGE"}],
                   "Projection": {"ProjectionType": "KEYS_ONLY"}}])
    if out is None:
        return False
    td = out["TableDescription"]
    eq("create_table: TableArn", ARN % (REGION, T), td["TableArn"])
    eq("create_table: BillingMode", "PAY_PER_REQUEST", td.get("BillingModeSummary", {}).get("BillingMode"))
    ok("create_table: CreationDateTime is a datetime", hasattr(td.get("CreationDateTime"), "tzinfo"),
       td.get("CreationDateTime"))
    eq("create_table: GSI projection", {"ProjectionType": "KEYS_ONLY"},
       td["GlobalSecondaryIndexes"][0]["Projection"])
    eq("create_table: HTTP 200", 200, out["ResponseMetadata"]["HTTPStatusCode"])
    ok("create_table: RequestId", len(out["ResponseMetadata"].get("RequestId", "")) > 0, out["ResponseMetadata"])
    raises("create_table of an existing table", client.create_table, "ResourceInUseException",
           "Table already exists: " + T, cls=X.ResourceInUseException, TableName=T,
           AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
           KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST")
    call("waiter table_exists", client.get_waiter("table_exists").wait, TableName=T, WaiterConfig=WAIT)

    table = call("resource create_table", ddb.create_table, TableName=T2,
                 AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                 KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                 ProvisionedThroughput={"ReadCapacityUnits": 50, "WriteCapacityUnits": 50})
    if table is None:
        return False
    call("Table.wait_until_exists", table.wait_until_exists)
    table.reload()
    eq("Table.table_status", "ACTIVE", table.table_status)
    eq("Table.key_schema", [{"AttributeName": "id", "KeyType": "HASH"}], table.key_schema)
    eq("Table.provisioned_throughput", (50, 50), (table.provisioned_throughput["ReadCapacityUnits"],
                                                  table.provisioned_throughput["WriteCapacityUnits"]))
    eq("Table.item_count", 0, table.item_count)
    raises("describe_table of a missing table", client.describe_table, "ResourceNotFoundException",
           "Requested resource not found: Table: %s-nope not found" % T, cls=X.ResourceNotFoundException,
           TableName=T + "-nope")
    return True


def low_level():
    k1 = {"pk": {"S": "a"}, "sk": {"N": "1"}}
    out = call("put_item", client.put_item, TableName=T, ReturnItemCollectionMetrics="SIZE",
               Item=dict(k1, color={"S": "red"}, n={"N": "5"}, b={"B": b"\x00\xff"}, ns={"NS": ["1", "2"]}))
    eq("put_item ReturnItemCollectionMetrics SIZE without an LSI: no metrics", None,
       out and out.get("ItemCollectionMetrics"))
    out = call("get_item", client.get_item, TableName=T, Key=k1, ConsistentRead=True,
               ReturnConsumedCapacity="TOTAL")
    eq("get_item: Item (bytes for B)", dict(k1, color={"S": "red"}, n={"N": "5"}, b={"B": b"\x00\xff"},
                                           ns={"NS": ["1", "2"]}),
       out and dict(out["Item"], ns={"NS": sorted(out["Item"]["ns"]["NS"])}))
    eq("get_item: ConsumedCapacity", {"TableName": T, "CapacityUnits": 1.0}, out and out.get("ConsumedCapacity"))
    out = call("update_item ALL_NEW", client.update_item, TableName=T, Key=k1,
               UpdateExpression="SET n = n + :d REMOVE b ADD ns :x",
               ExpressionAttributeValues={":d": {"N": "2"}, ":x": {"NS": ["3"]}}, ReturnValues="ALL_NEW")
    eq("update_item ALL_NEW", {"pk": {"S": "a"}, "sk": {"N": "1"}, "color": {"S": "red"}, "n": {"N": "7"},
                               "ns": ["1", "2", "3"]},
       out and dict(out["Attributes"], ns=sorted(out["Attributes"]["ns"]["NS"])))
    e = raises("put_item condition false", client.put_item, "ConditionalCheckFailedException",
               "The conditional request failed", cls=X.ConditionalCheckFailedException,
               TableName=T, Item=k1, ConditionExpression="attribute_not_exists(pk)")
    # (boto3 1.26's model predates ReturnValuesOnConditionCheckFailure on UpdateItem.)
    e = raises("update_item condition false", client.update_item, "ConditionalCheckFailedException",
               "The conditional request failed", cls=X.ConditionalCheckFailedException, TableName=T, Key=k1,
               UpdateExpression="SET n = :z", ConditionExpression="n = :z",
               ExpressionAttributeValues={":z": {"N": "0"}})
    eq("ConditionalCheckFailedException: no Item member", None, e and e.response.get("Item"))
    raises("get_item with a wrong key type", client.get_item, "ValidationException",
           "The provided key element does not match the schema", TableName=T,
           Key={"pk": {"N": "1"}, "sk": {"N": "1"}})
    raises("query without a key condition", client.query, "ValidationException",
           "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.",
           TableName=T)
    raises("get_item on a missing table", client.get_item, "ResourceNotFoundException",
           "Requested resource not found", cls=X.ResourceNotFoundException, TableName=T + "-nope", Key=k1)

    # batch_write_item + the query / scan paginators
    reqs = [{"PutRequest": {"Item": {"pk": {"S": "p"}, "sk": {"N": str(i)},
                                     "color": {"S": "red" if i % 2 else "blue"}}}} for i in range(20)]
    out = call("batch_write_item 20 puts", client.batch_write_item, RequestItems={T: reqs})
    eq("batch_write_item: UnprocessedItems", {}, out and out["UnprocessedItems"])
    pages = list(client.get_paginator("query").paginate(
        TableName=T, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "p"}},
        ScanIndexForward=False, PaginationConfig={"PageSize": 6}))
    eq("query paginator: page sizes", [6, 6, 6, 2], [len(p["Items"]) for p in pages])
    eq("query paginator: sort keys", [str(i) for i in range(19, -1, -1)],
       [it["sk"]["N"] for p in pages for it in p["Items"]])
    eq("query paginator: LastEvaluatedKey of page 1", {"pk": {"S": "p"}, "sk": {"N": "14"}},
       pages[0].get("LastEvaluatedKey"))
    res = client.get_paginator("query").paginate(
        TableName=T, IndexName="by_color", KeyConditionExpression="color = :c",
        ExpressionAttributeValues={":c": {"S": "red"}},
        PaginationConfig={"PageSize": 3, "MaxItems": 7}).build_full_result()
    eq("query paginator MaxItems 7 on the GSI: items", ["1", "1", "3", "5", "7", "9", "11"],
       [it["sk"]["N"] for it in res["Items"]])
    ok("query paginator MaxItems: NextToken", isinstance(res.get("NextToken"), str), res.get("NextToken"))
    rest = client.get_paginator("query").paginate(
        TableName=T, IndexName="by_color", KeyConditionExpression="color = :c",
        ExpressionAttributeValues={":c": {"S": "red"}},
        PaginationConfig={"PageSize": 3, "StartingToken": res.get("NextToken")}).build_full_result()
    eq("query paginator StartingToken: the rest", ["13", "15", "17", "19"], [it["sk"]["N"] for it in rest["Items"]])
    spages = list(client.get_paginator("scan").paginate(TableName=T, Select="COUNT",
                                                         PaginationConfig={"PageSize": 8}))
    eq("scan paginator Select COUNT: counts per page", [8, 8, 5], [p["Count"] for p in spages])

    # transactions
    out = call("transact_write_items", client.transact_write_items, TransactItems=[
        {"Put": {"TableName": T, "Item": {"pk": {"S": "t"}, "sk": {"N": "1"}}}},
        {"Update": {"TableName": T, "Key": k1, "UpdateExpression": "SET color = :c",
                    "ExpressionAttributeValues": {":c": {"S": "green"}}}}])
    e = raises("transact_write_items cancelled", client.transact_write_items, "TransactionCanceledException",
               "Transaction cancelled, please refer cancellation reasons for specific reasons "
               "[None, ConditionalCheckFailed]", cls=X.TransactionCanceledException, TransactItems=[
                   {"Put": {"TableName": T, "Item": {"pk": {"S": "t"}, "sk": {"N": "2"}}}},
                   {"ConditionCheck": {"TableName": T, "Key": k1, "ConditionExpression": "color = :c",
                                       "ExpressionAttributeValues": {":c": {"S": "red"}}}}])
    eq("TransactionCanceledException: CancellationReasons", [
        {"Code": "None"}, {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"}],
        e and e.response.get("CancellationReasons"))
    out = call("transact_get_items", client.transact_get_items, TransactItems=[
        {"Get": {"TableName": T, "Key": {"pk": {"S": "t"}, "sk": {"N": "1"}}}},
        {"Get": {"TableName": T, "Key": {"pk": {"S": "t"}, "sk": {"N": "2"}}}},
        {"Get": {"TableName": T, "Key": k1, "ProjectionExpression": "color"}}])
    eq("transact_get_items: Responses", [{"Item": {"pk": {"S": "t"}, "sk": {"N": "1"}}}, {},
                                         {"Item": {"color": {"S": "green"}}}], out and out["Responses"])

    # TTL and tags
    out = call("update_time_to_live", client.update_time_to_live, TableName=T,
               TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"})
    eq("update_time_to_live: spec", {"Enabled": True, "AttributeName": "expires"},
       out and out["TimeToLiveSpecification"])
    out = call("describe_time_to_live", client.describe_time_to_live, TableName=T)
    ok("describe_time_to_live: ENABLED on expires", out is not None and
       out["TimeToLiveDescription"].get("AttributeName") == "expires" and
       out["TimeToLiveDescription"].get("TimeToLiveStatus") in ("ENABLING", "ENABLED"), out)
    raises("update_time_to_live enable on another attribute", client.update_time_to_live,
           "ValidationException", "TimeToLive is active on a different AttributeName: current AttributeName is expires",
           TableName=T, TimeToLiveSpecification={"Enabled": True, "AttributeName": "other"})
    call("tag_resource", client.tag_resource, ResourceArn=ARN % (REGION, T),
         Tags=[{"Key": "k1", "Value": "v1"}, {"Key": "k2", "Value": "v2"}])
    call("untag_resource", client.untag_resource, ResourceArn=ARN % (REGION, T), TagKeys=["k1"])
    out = call("list_tags_of_resource", client.list_tags_of_resource, ResourceArn=ARN % (REGION, T))
    eq("list_tags_of_resource", [{"Key": "k2", "Value": "v2"}], out and out["Tags"])

    names = list(client.get_paginator("list_tables").paginate(
        PaginationConfig={"PageSize": 1}).build_full_result()["TableNames"])
    ok("list_tables paginator (page size 1): both tables, sorted, no repeats",
       T in names and T2 in names and names == sorted(set(names)), names)


def resource():
    table = ddb.Table(T2)
    item = {"id": "r1", "n": Decimal("1.5"), "big": Decimal("123456789012345678901234567890"),
            "ss": {"a", "b"}, "ns": {Decimal(1), Decimal("2.25")}, "bs": {Binary(b"\x01"), Binary(b"\x02")},
            "bin": Binary(b"\x00\x01"), "nested": {"l": [1, "x", {"y": True, "z": None}], "m": {}},
            "flag": False}
    call("Table.put_item (Decimal, sets, Binary, nested)", table.put_item, Item=item)
    out = call("Table.get_item", table.get_item, Key={"id": "r1"}, ConsistentRead=True)
    got = out and out.get("Item")
    exp = dict(item, nested={"l": [Decimal(1), "x", {"y": True, "z": None}], "m": {}})
    eq("Table.get_item: the item round-trips", exp, got)
    eq("Table.get_item: 30-digit Decimal kept", Decimal("123456789012345678901234567890"), got and got["big"])
    out = call("Table.update_item UPDATED_NEW", table.update_item, Key={"id": "r1"},
               UpdateExpression="SET nested.l[2].y = :f, n = n + :d ADD ss :s DELETE ns :one",
               ExpressionAttributeValues={":f": False, ":d": Decimal("0.25"), ":s": {"c"}, ":one": {Decimal(1)}},
               ReturnValues="UPDATED_NEW")
    eq("Table.update_item UPDATED_NEW: the updated paths",
       {"nested": {"l": [{"y": False}]}, "n": Decimal("1.75"), "ss": {"a", "b", "c"}, "ns": {Decimal("2.25")}},
       out and out.get("Attributes"))
    try:
        table.put_item(Item={"id": "r1"}, ConditionExpression=Attr("id").not_exists())
        ok("Table.put_item with Attr condition: raises", False, "no error")
    except table.meta.client.exceptions.ConditionalCheckFailedException as e:
        eq("Table.put_item with Attr condition: modeled exception code", "ConditionalCheckFailedException",
           e.response["Error"]["Code"])

    # batch_writer: 60 puts (3 BatchWriteItem calls) with a duplicate key overwritten.
    with table.batch_writer(overwrite_by_pkeys=["id"]) as bw:
        for i in range(60):
            bw.put_item(Item={"id": "w%02d" % i, "grp": i % 3, "name": "item%d" % i, "tags": {"t%d" % (i % 4)}})
        bw.put_item(Item={"id": "w00", "grp": 0, "name": "again", "tags": {"t0"}})
        bw.delete_item(Key={"id": "w59"})
    cnt = client.scan(TableName=T2, Select="COUNT")["Count"]
    eq("batch_writer: items stored (59 + r1)", 60, cnt)
    eq("batch_writer: the later put of a key wins", "again", table.get_item(Key={"id": "w00"})["Item"]["name"])

    out = call("Table.query Key().eq", table.query, KeyConditionExpression=Key("id").eq("w07"))
    eq("Table.query: the item", [{"id": "w07", "grp": Decimal(1), "name": "item7", "tags": {"t3"}}],
       out and out["Items"])
    items = []
    kw = {"FilterExpression": Attr("grp").eq(2) & Attr("name").begins_with("item1") & Attr("tags").contains("t1"),
          "Limit": 10}
    while True:
        page = table.scan(**kw)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            break
        kw["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    # grp 2 and name item1*: 11, 14, 17; tags t1 only where i % 4 == 1: 17
    eq("Table.scan with Attr conditions, paged by hand", ["w17"], sorted(i["id"] for i in items))
    out = call("Table.scan Attr().is_in / size / exists", table.scan,
               FilterExpression=Attr("id").is_in(["w01", "w02", "r1", "nope"]) & Attr("ss").size().eq(3) |
               Attr("id").eq("w03") & Attr("missing").not_exists())
    eq("Table.scan is_in/size/exists: ids", ["r1", "w03"], out and sorted(i["id"] for i in out["Items"]))
    out = call("Table.scan Attr().between / ne / lt", table.scan,
               FilterExpression=Attr("grp").between(1, 2) & Attr("name").ne("item1") & Attr("id").lt("w05"),
               ProjectionExpression="id")
    eq("Table.scan between/ne/lt: ids", [{"id": "w02"}, {"id": "w04"}],
       out and sorted(out["Items"], key=lambda x: x["id"]))
    out = call("ServiceResource.batch_get_item", ddb.batch_get_item, RequestItems={
        T2: {"Keys": [{"id": "w10"}, {"id": "w59"}, {"id": "r1"}], "ProjectionExpression": "id, grp"}})
    eq("batch_get_item: two items", [{"id": "r1"}, {"id": "w10", "grp": Decimal(1)}],
       out and sorted(out["Responses"][T2], key=lambda x: x["id"]))
    try:
        table.query(KeyConditionExpression=Key("grp").eq(1))
        ok("Table.query on a non-key attribute: raises", False, "no error")
    except ClientError as e:
        eq("Table.query on a non-key attribute: ValidationException",
           ("ValidationException", "Query condition missed key schema element: id"),
           (e.response["Error"]["Code"], e.response["Error"]["Message"]))
    table.reload()
    eq("Table.item_count after the writes", 60, table.item_count)
    names = [t.name for t in ddb.tables.all()]
    ok("ServiceResource.tables.all(): lists ours", T in names and T2 in names, names)


def cleanup():
    call("delete_table " + T, client.delete_table, TableName=T)
    t = ddb.Table(T2)
    call("Table.delete", t.delete)
    call("waiter table_not_exists", client.get_waiter("table_not_exists").wait, TableName=T, WaiterConfig=WAIT)
    call("Table.wait_until_not_exists", t.wait_until_not_exists)
    raises("delete_table of a deleted table", client.delete_table, "ResourceNotFoundException",
           "Requested resource not found: Table: %s not found" % T, cls=X.ResourceNotFoundException, TableName=T)


def main():
    if not EP:
        ok("AWS_ENDPOINT_URL is set", False, "it is not")
    elif tables():
        for part in (low_level, resource):
            try:
                part()
            except Exception:  # noqa: BLE001
                ok(part.__name__ + ": ran to the end", False, traceback.format_exc().replace("\n", " | "))
        cleanup()
    print("boto3: %d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
