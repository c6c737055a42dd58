#!/usr/bin/env python3
"""Differential DynamoDB conformance harness: Stratus against dynalite.

Sends the same generated requests (plain HTTP POSTs with X-Amz-Target and a fake
SigV4 Authorization header, no SDK) to a dynalite instance and to Stratus, both
started here on 127.0.0.1 (stopped by PID at the end), and compares the status
code, __type and message of every reply; for successful replies it compares the
bodies after normalizing what legitimately differs (request ids, timestamps, the
account id in ARNs, table ids, scan order, the tables Stratus's demo world owns).

Cases come from two sources:
  * shape cases generated from botocore's service-2.json for every operation that
    dynalite implements: each member missing, null, of each wrong JSON type, too
    short, too long, out of range, bad enum, bad pattern (nested members too), and
    combinations of several errors;
  * hand-written semantic cases (key schemas, attribute values, numbers, item size,
    expressions, placeholders, reserved words, conditions, ReturnValues, paging,
    batches, ...), run in order against tables the harness creates.

usage: python3 tests/conformance/ddb_diff.py --stratus build/release/stratus
           [--dynalite build/conformance/node_modules/dynalite/cli.js]
           [--dynalite-url URL --stratus-url URL]   (use servers already running)
           [--only REGEX] [--json OUT] [--show N]
Exit status 0 always unless a server cannot be started (the figure is a
measurement, not pass/fail: dynalite is a reference, not the truth).
"""
import argparse
import copy
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse

MODEL_PATHS = [
    "/usr/lib/python3/dist-packages/botocore/data/dynamodb/2012-08-10/service-2.json",
    "/usr/share/awscli/botocore/data/dynamodb/2012-08-10/service-2.json",
    "/usr/lib/python3/dist-packages/awscli/botocore/data/dynamodb/2012-08-10/service-2.json",
]

DYNALITE_OPS = ("BatchGetItem BatchWriteItem CreateTable DeleteItem DeleteTable DescribeTable "
                "DescribeTimeToLive GetItem ListTables ListTagsOfResource PutItem Query Scan "
                "TagResource UntagResource UpdateItem UpdateTable").split()

# Tables a Stratus started without --data serves for Tweeter; not part of the comparison.
STRATUS_OWN_TABLES = {"auth", "feed", "follows", "story", "users"}

ACCOUNT_RE = re.compile(r"arn:aws:dynamodb:[a-z0-9-]+:\d{12}:")
MISSING = object()
WRITE_OPS = ("CreateTable", "DeleteTable", "UpdateTable", "PutItem", "UpdateItem", "DeleteItem",
             "BatchWriteItem", "TagResource", "UntagResource")


# ---------------------------------------------------------------- transport
class Endpoint:
    def __init__(self, url):
        u = urllib.parse.urlparse(url)
        self.host, self.port = u.hostname, u.port
        assert self.host == "127.0.0.1", "only loopback targets"
        self.conn = None
        self.account_id = None

    def account(self):
        """The region and account prefix of this server's ARNs (from cf_hash's TableArn)."""
        if self.account_id is None:
            _, d = self.call("DescribeTable", {"TableName": "cf_hash"})
            m = re.search(r"(arn:aws:dynamodb:[a-z0-9-]+:\d{12}:)", json.dumps(d))
            self.account_id = m.group(1) if m else "arn:aws:dynamodb:us-east-1:000000000000:"
        return self.account_id

    def call(self, op, body):
        raw = body if isinstance(body, (bytes, str)) else json.dumps(body)
        if "ResourceArn" in raw and "arn:aws:dynamodb:us-east-1:000000000000:" in raw:
            # ARNs the request names carry this server's own region and account id
            raw = raw.replace("arn:aws:dynamodb:us-east-1:000000000000:", self.account())
        if isinstance(raw, str):
            raw = raw.encode()
        headers = {
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": "DynamoDB_20120810." + op,
            "X-Amz-Date": "20260101T000000Z",
            "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/"
                             "dynamodb/aws4_request, SignedHeaders=content-type;host;x-amz-date;"
                             "x-amz-target, Signature=" + "0" * 64,
        }
        for attempt in range(2):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
                self.conn.request("POST", "/", body=raw, headers=headers)
                resp = self.conn.getresponse()
                data = resp.read()
                if resp.getheader("Connection", "").lower() == "close":
                    self.conn.close()
                    self.conn = None
                try:
                    doc = json.loads(data) if data else None
                except ValueError:
                    doc = {"__raw": data[:200].decode("utf-8", "replace")}
                return resp.status, doc
            except (http.client.HTTPException, OSError):
                if self.conn:
                    self.conn.close()
                self.conn = None
                if attempt:
                    raise
        raise AssertionError


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def wait_port(port, proc, what):
    for _ in range(200):
        if proc.poll() is not None:
            sys.exit(f"ddb_diff: {what} exited early (status {proc.returncode})")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    sys.exit(f"ddb_diff: {what} did not listen on {port}")


# ---------------------------------------------------------------- normalization
def err_of(status, doc):
    if status == 200 or not isinstance(doc, dict):
        return None
    t = doc.get("__type", "")
    m = doc.get("message", doc.get("Message"))
    if isinstance(m, str):
        m = ACCOUNT_RE.sub("arn:aws:dynamodb:REGION:ACCOUNT:", m)
    return t, m


def norm_body(op, doc):
    doc = copy.deepcopy(doc)

    def walk(x):
        if isinstance(x, dict):
            out = {}
            for k, v in x.items():
                if k in ("CreationDateTime", "LastIncreaseDateTime", "LastDecreaseDateTime",
                         "TableId", "LastUpdateDateTime", "LastUpdateToPayPerRequestDateTime"):
                    out[k] = "<ts>"
                    continue
                if k == "DeletionProtectionEnabled" and v is False:
                    # AWS describes every table with it (API_TableDescription); dynalite
                    # 4.0.0 predates the member
                    continue
                out[k] = walk(v)
            return out
        if isinstance(x, list):
            return [walk(v) for v in x]
        if isinstance(x, str):
            return ACCOUNT_RE.sub("arn:aws:dynamodb:REGION:ACCOUNT:", x)
        return x

    doc = walk(doc)
    if isinstance(doc, dict):
        if op == "ListTables" and "TableNames" in doc:
            doc["TableNames"] = [t for t in doc["TableNames"] if t not in STRATUS_OWN_TABLES]
        if op == "Scan" and isinstance(doc.get("Items"), list):
            doc["Items"] = sorted(doc["Items"], key=lambda i: json.dumps(i, sort_keys=True))
        if op == "BatchGetItem" and isinstance(doc.get("Responses"), dict):
            for k in doc["Responses"]:
                doc["Responses"][k] = sorted(doc["Responses"][k],
                                             key=lambda i: json.dumps(i, sort_keys=True))
    return doc


def compare(case, a, b):
    """Returns None when the replies agree, else a short reason."""
    (sa, da), (sb, db) = a, b
    if sa != sb:
        return "status"
    ea, eb = err_of(sa, da), err_of(sb, db)
    if ea or eb:
        if ea != eb:
            return "type" if (ea or ("", ""))[0] != (eb or ("", ""))[0] else "message"
        return None
    if case.get("status_only"):
        return None
    na, nb = norm_body(case["op"], da), norm_body(case["op"], db)
    for k in case.get("ignore", ()):
        if isinstance(na, dict):
            na.pop(k, None)
        if isinstance(nb, dict):
            nb.pop(k, None)
    if json.dumps(na, sort_keys=True) != json.dumps(nb, sort_keys=True):
        return "body"
    return None


# ---------------------------------------------------------------- triage
# Every known disagreement, sorted with the AWS documentation (dynalite is a reference, not
# the truth). "shape": request-shape validation (JSON types, required members, lengths,
# ranges, enums, patterns), which Stratus takes from botocore's service model; recognised
# by the messages, not yet sorted. "dynalite": dynalite differs from DynamoDB and Stratus
# keeps DynamoDB's behaviour, with the source (an API reference page, or DynamoDB's own
# replies quoted in a public issue); members dynalite's validations/<op>.js do not declare
# (it drops them unread) are sorted here too (DYNALITE_DECLARED). "undecided": the
# documentation does not settle it. Anything else is "open".
SHAPE_MSG = re.compile(
    r"validation errors? detected|is required but was not present|must be at least 3 characters "
    r"long|^Unexpected value type|^Start of|^Expected (map|list|null)|can not be converted|"
    r"cannot be converted to [A-Z]|Unrecognized collection|Unexpected field type|Unexpected token|Base64|"
    r"base-64|ParameterizedType")
TRIAGE = [
    (r"^sem/(cond|filter|get|upd|query)/.*", "Syntax error; Expected",
     "dynalite", "dynalite prints its PEG parser's expectations; DynamoDB says "
     "'Syntax error; token: \"<tok>\", near: \"<text>\"' (developer guide, expression errors)"),
    (r"^sem/create/gsi-no-throughput$", None, "dynalite",
     "API_GlobalSecondaryIndex: ProvisionedThroughput is required for a PROVISIONED table's GSI"),
    (r"^sem/list/from-(prefix|last)$|^shape/ListTables/(ExclusiveStartTableName|Limit):null$", None,
     "dynalite", "follows from create/gsi-no-throughput (dynalite made that table) and from "
     "Stratus's own demo tables shifting ListTables pages"),
    (r"^sem/create/in-use$", None, "dynalite",
     "DynamoDB's ResourceInUseException says 'Table already exists: <name>'; dynalite's is empty"),
    (r"^sem/updatetable/|^shape/UpdateTable/GlobalSecondaryIndexUpdates:\[0\]\.(Update|Create|Delete):null$",
     None, "elsewhere", "UpdateTable GlobalSecondaryIndexUpdates: being reworked on another branch"),
    (r"^sem/put/expected-(contains-set|begins-number|in-set-arg)$", None, "dynalite",
     "API_Condition: CONTAINS/BEGINS_WITH/IN take a scalar of the listed types; DynamoDB rejects "
     "others with 'ComparisonOperator X is not valid for T AttributeValue type'"),
    (r"^sem/(cond|filter)/in-too-many$", None, "dynalite",
     "developer guide, Constraints: at most 100 operands for IN"),
    (r"^sem/upd/(overflow|precision|list-two-indexes)$", None, "dynalite",
     "developer guide, Data types: numbers keep 38 digits, magnitude below 1E126; dynalite "
     "stores the result unchecked (list-two-indexes shows that stored value)"),
    (r"^sem/del/rv-(all-new|updated-new)$", None, "dynalite",
     "API_DeleteItem: ReturnValues accepts only NONE or ALL_OLD"),
    (r"^sem/query/(specific-no-proj|all-with-proj|all-projected-no-index)$|^sem/scan/atg-count$",
     None, "dynalite", "API_Query/API_Scan, Select: SPECIFIC_ATTRIBUTES needs a projection, a "
     "projection needs SPECIFIC_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES needs an index"),
    (r"^sem/scan/segment-without-total$", None, "dynalite",
     "API_Scan: 'If you provide Segment, you must also provide TotalSegments'"),
    (r"^sem/scan/scanfilter-condop$", None, "dynalite",
     "API_Scan, ConditionalOperator OR: an item matches if any condition holds; dynalite ANDs"),
    (r"^sem/scan/consistent$", None, "dynalite",
     "developer guide, read consumption: a strongly consistent read costs 1 RCU per 4 KB"),
    (r"^sem/scan/segment-big$", None, "dynalite",
     "how items map to segments is DynamoDB's own; dynalite puts every item in segment 999999 of "
     "1000000"),
    (r"^sem/bwrite/26-two-tables$", None, "dynalite",
     "API_BatchWriteItem: at most 25 requests in all, across tables"),
    (r"^sem/bwrite/both-requests$", None, "dynalite",
     "API_WriteRequest holds exactly one of PutRequest and DeleteRequest"),
    (r"^sem/(get|bget)/empty-(string-)?key$|^sem/bwrite/delete-empty-string-key$", None, "dynalite",
     "since empty strings are allowed in non-key attributes (2020) DynamoDB says 'One or more "
     "parameter values are not valid. The AttributeValue for a key attribute cannot contain an "
     "empty string value. Key: a'"),
    (r".*", "Value '[{\"", "dynalite",
     "DynamoDB prints a list of structures inside a constraint message with Java's toString "
     "('[com.amazonaws.dynamodb.v20120810.KeySchemaElement@ad28eb1d, ...]', "
     "'{t=[com.amazonaws.dynamodb.v20120810.WriteRequest@caad9cb8, ...]}': boto/boto3#483, "
     "cortexproject/cortex#199, shikhar/kafka-connect-dynamodb#3); dynalite prints JSON"),
    (r".*", "Value '{\"", "dynalite",
     "DynamoDB prints a map inside a constraint message with Java's toString "
     "('{EmailNotificationSubscriptionTable=[]}': nasa-gcn/gcn.nasa.gov#1042; "
     "'{my-dynamodb-table=[com.amazonaws.dynamodb.v20120810.WriteRequest@...]}': boto/boto3#483); "
     "dynalite prints JSON"),
    (r"^sem/upd/attr-updates-bad-action$|^shape/UpdateItem/AttributeUpdates:\{abc\}\.Action:enum$",
     None, "dynalite", "API_AttributeValueUpdate: Action Valid Values ADD | PUT | DELETE, checked "
     "with the request's shape before the operation's own checks; dynalite's "
     "validations/updateItem.js declares Action without its enum"),
    (r"^shape/Scan/(Segment|TotalSegments):above-max$", None, "dynalite",
     "API_Scan: Segment 0..999999, TotalSegments 1..1000000 (constraints checked before "
     "'The TotalSegments parameter is required...'); dynalite's validations/scan.js declares "
     "no maximum"),
    (r"^shape/CreateTable/(AttributeDefinitions|KeySchema):\[0\]\.AttributeName:(short|long)$", None,
     "dynalite", "API_AttributeDefinition / API_KeySchemaElement: AttributeName length 1..255, "
     "checked with the request's shape; dynalite's validations/createTable.js declares no length"),
    (r"^shape/(TagResource|UntagResource|ListTagsOfResource)/ResourceArn:(short|long)$", None,
     "dynalite", "API_TagResource / API_UntagResource / API_ListTagsOfResource: ResourceArn "
     "length 1..1283; dynalite answers every non-ARN with AccessDeniedException"),
    (r"^shape/(CreateTable|TagResource)/Tags:\[0\]\.(Key|Value):(missing|null|short|long)$|"
     r"^shape/UntagResource/TagKeys:\[0\](null|short|long)$", None, "dynalite",
     "API_Tag: Key and Value are required (Key 1..128, Value 0..256); API_UntagResource: "
     "TagKeys members 1..128; dynalite's validations declare them without notNull"),
    (r"^shape/(CreateTable|Scan|UpdateTable|ListTagsOfResource)/combo-type\+constraints$", None,
     "dynalite", "the JSON type error Stratus reports first is on a member dynalite's "
     "validations/<op>.js does not declare (TableClass, ConsistentRead, NextToken): DynamoDB "
     "reports a SerializationException before any constraint (API reference, Common Errors)"),
    (r"^sem/tags/(add|untag)$", None, "dynalite",
     "TagResource/UntagResource have no output members and DynamoDB answers with an empty body; "
     "dynalite sends the JSON text \"\""),
    (r"^sem/av/n-plus$", None, "undecided",
     "DynamoDB parses numbers as Java's BigDecimal does, which takes a leading '+'; dynalite's "
     "big.js refuses it"),
    (r"^sem/tags/.*bad-arn$", None, "dynalite",
     "a ResourceArn without the arn: prefix is a ValidationException in DynamoDB, found live "
     "in 2026 (ExtendDB/extenddb#227: 'no arn: prefix -> ValidationException'); dynalite's "
     "older recording answers AccessDeniedException"),
    (r"^sem/put/ean-empty-value$|^sem/(cond|filter)/list-index-big$", None,
     "undecided", "not settled by the documentation"),
    (r"^shape/(GetItem|Scan|Query)/AttributesToGet:\[0\]null$|"
     r"^shape/CreateTable/LocalSecondaryIndexes:\[0\]null$", None, "undecided",
     "a JSON null inside a list: no recording of DynamoDB's answer (dynalite crashes on most "
     "of these, and answers these three from its own later checks)"),
]

# Top-level members each dynalite operation declares (its validations/<op>.js types): it
# drops the others unread, where DynamoDB checks every member of the input shape (API
# reference, each operation's Request Parameters; botocore's model). Filled by main().
DYNALITE_DECLARED = {}


def load_dynalite_declared(cli_path):
    """Read the member names each dynalite validations/<op>.js declares."""
    vdir = os.path.join(os.path.dirname(os.path.abspath(cli_path)), "validations")
    for op in DYNALITE_OPS:
        f = os.path.join(vdir, op[0].lower() + op[1:] + ".js")
        try:
            src = open(f).read()
        except OSError:
            continue
        i = src.find("exports.types")
        if i < 0:
            continue
        blk = src[i:]
        j = blk.find("\n}\n")
        blk = blk[:j] if j > 0 else blk
        DYNALITE_DECLARED[op] = set(re.findall(r"^  (\w+): ", blk, re.M))


def triage(case, a, b):
    """(category, note) of a disagreement."""
    msgs = [(err_of(*x) or ("", ""))[1] or "" for x in (a, b)]
    types = [(err_of(*x) or ("", ""))[0] for x in (a, b)]
    for rx, needle, cat, note in TRIAGE:
        if re.search(rx, case["id"]) and (needle is None or needle in msgs[0]):
            return cat, note
    if case["id"].startswith("sem/absent-copy/"):
        # the same request on an absent table: where the original's difference is sorted, a
        # check dynalite lacks or words differently answers before the table lookup here
        cat, note = triage(dict(case, id="sem/" + case["id"][len("sem/absent-copy/"):]), a, b)
        if cat in ("dynalite", "undecided"):
            return cat, note
    m = re.match(r"^shape/(\w+)/(\w+)[:.\[{]", case["id"])
    if m and m.group(1) in DYNALITE_DECLARED and m.group(2) not in DYNALITE_DECLARED[m.group(1)]:
        return "dynalite", (f"dynalite's validations for {m.group(1)} do not declare "
                            f"{m.group(2)} and drop it unread; DynamoDB checks every member of "
                            "the input shape (API reference, Request Parameters)")
    if any(t.endswith("SerializationException") for t in types) or \
            any(SHAPE_MSG.search(m) for m in msgs):
        return "shape", "request-shape validation"
    return "open", ""


# ---------------------------------------------------------------- shape cases
class Shapes:
    def __init__(self, model):
        self.m = model
        self.S = model["shapes"]

    def input(self, op):
        return self.m["operations"][op]["input"]["shape"]

    def valid(self, name, depth=0):
        s = self.S[name]
        t = s["type"]
        if name == "AttributeValue":
            return {"S": "abc"}
        if t == "string":
            if "enum" in s:
                return s["enum"][0]
            n = max(s.get("min", 1), 3)
            return "abc" + "d" * (n - 3)
        if t in ("integer", "long"):
            return max(s.get("min", 1), 1)
        if t == "boolean":
            return True
        if t == "blob":
            return "YWJj"
        if t == "list":
            return [self.valid(s["member"]["shape"], depth + 1)] * max(s.get("min", 1), 1)
        if t == "map":
            return {"abc": self.valid(s["value"]["shape"], depth + 1)}
        if t == "structure":
            return {k: self.valid(s["members"][k]["shape"], depth + 1)
                    for k in s.get("required", [])}
        return "abc"

    def wrong_types(self, name):
        t = self.S[name]["type"]
        alts = {
            "string": [1, 1.5, True, [], {}],
            "integer": ["a", True, [], {}],
            "long": ["a", True, [], {}],
            "boolean": [1, "a", [], {}],
            "blob": [1, True, [], {}, "abc"],
            "list": ["a", 1, True, {}],
            "map": ["a", 1, True, []],
            "structure": ["a", 1, True, []],
        }
        return alts.get(t, [])

    def mutations(self, name, cur, depth):
        """Yields (label, value-or-MISSING) replacing one value of shape `name`."""
        s = self.S[name]
        t = s["type"]
        yield "null", None
        for w in self.wrong_types(name):
            yield "type:" + type(w).__name__ + (":" + json.dumps(w) if not isinstance(w, (list, dict)) else ""), w
        if t == "string":
            if "min" in s and s["min"] > 0:
                yield "short", "a" * (s["min"] - 1)
            if "max" in s and s["max"] < 3000:
                yield "long", "a" * (s["max"] + 1)
            if "enum" in s:
                yield "enum", "NOT_AN_ENUM"
            if "pattern" in s:
                yield "pattern", "ab;c"
        elif t in ("integer", "long"):
            if "min" in s:
                yield "below-min", s["min"] - 1
            if "max" in s:
                yield "above-max", s["max"] + 1
        elif t == "list":
            if s.get("min", 0) > 0:
                yield "short", []
            if "max" in s and s["max"] <= 200:
                item = cur[0] if isinstance(cur, list) and cur else self.valid(s["member"]["shape"])
                yield "long", [copy.deepcopy(item) for _ in range(s["max"] + 1)]
        elif t == "map":
            if s.get("min", 0) > 0:
                yield "short", {}
        if depth >= 3 or name == "AttributeValue":
            return
        if t == "structure":
            cur = cur if isinstance(cur, dict) else self.valid(name)
            for mem, ref in s["members"].items():
                if mem in s.get("required", []):
                    v = copy.deepcopy(cur)
                    v.pop(mem, None)
                    yield f".{mem}:missing", v
                sub = cur.get(mem, MISSING)
                for lab, nv in self.mutations(ref["shape"], None if sub is MISSING else sub, depth + 1):
                    v = copy.deepcopy(cur)
                    if nv is MISSING:
                        v.pop(mem, None)
                    else:
                        v[mem] = nv
                    yield f".{mem}:{lab}", v
        elif t == "list":
            cur = cur if isinstance(cur, list) and cur else [self.valid(s["member"]["shape"])]
            for lab, nv in self.mutations(s["member"]["shape"], cur[0], depth + 1):
                v = copy.deepcopy(cur)
                v[0] = nv
                yield f"[0]{lab}", v
        elif t == "map" and self.S[s["value"]["shape"]]["type"] in ("structure", "list"):
            cur = cur if isinstance(cur, dict) and cur else self.valid(name)
            k0 = next(iter(cur))
            for lab, nv in self.mutations(s["value"]["shape"], cur[k0], depth + 1):
                v = copy.deepcopy(cur)
                v[k0] = nv
                yield f"{{{k0}}}{lab}", v


def base_bodies():
    """A valid request per operation, on the fixture tables."""
    return {
        "BatchGetItem": {"RequestItems": {"cf_hash": {"Keys": [{"a": {"S": "k1"}}]}}},
        "BatchWriteItem": {"RequestItems": {"cf_hash": [{"PutRequest": {"Item": {"a": {"S": "bw"}}}}]}},
        "CreateTable": {"TableName": "cf_created", "AttributeDefinitions": [
            {"AttributeName": "a", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}],
            "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}},
        "DeleteItem": {"TableName": "cf_hash", "Key": {"a": {"S": "nope"}}},
        "DeleteTable": {"TableName": "cf_absent"},
        "DescribeTable": {"TableName": "cf_hash"},
        "DescribeTimeToLive": {"TableName": "cf_hash"},
        "GetItem": {"TableName": "cf_hash", "Key": {"a": {"S": "k1"}}},
        "ListTables": {"ExclusiveStartTableName": "cf_a", "Limit": 50},
        "ListTagsOfResource": {"ResourceArn": "arn:aws:dynamodb:us-east-1:000000000000:table/cf_hash"},
        "PutItem": {"TableName": "cf_hash", "Item": {"a": {"S": "k1"}, "v": {"N": "1"}}},
        "Query": {"TableName": "cf_range", "KeyConditionExpression": "a = :a",
                  "ExpressionAttributeValues": {":a": {"S": "h1"}}},
        "Scan": {"TableName": "cf_bin"},
        "TagResource": {"ResourceArn": "arn:aws:dynamodb:us-east-1:000000000000:table/cf_hash",
                        "Tags": [{"Key": "k", "Value": "v"}]},
        "UntagResource": {"ResourceArn": "arn:aws:dynamodb:us-east-1:000000000000:table/cf_hash",
                          "TagKeys": ["k"]},
        "UpdateItem": {"TableName": "cf_hash", "Key": {"a": {"S": "k1"}},
                       "UpdateExpression": "SET v = :v", "ExpressionAttributeValues": {":v": {"N": "2"}}},
        "UpdateTable": {"TableName": "cf_absent",
                        "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}},
    }


def shape_cases(shapes):
    cases = []
    seq = iter(range(1, 100000))

    def fresh(op, b):
        # a CreateTable that passes validation makes a table of its own, so that one
        # accepted case does not turn every later one into "table already exists"
        if op == "CreateTable" and isinstance(b, dict) and b.get("TableName") == "cf_created":
            b["TableName"] = "cg_%d" % next(seq)
        return b

    bases = base_bodies()
    for op in DYNALITE_OPS:
        inp = shapes.S[shapes.input(op)]
        base = bases[op]
        for mem, ref in inp["members"].items():
            if mem in inp.get("required", []):
                b = copy.deepcopy(base)
                b.pop(mem, None)
                cases.append({"op": op, "body": fresh(op, b), "id": f"shape/{op}/{mem}:missing"})
            cur = base.get(mem)
            for lab, nv in shapes.mutations(ref["shape"], cur, 1):
                b = copy.deepcopy(base)
                if nv is MISSING:
                    b.pop(mem, None)
                else:
                    b[mem] = nv
                cases.append({"op": op, "body": fresh(op, b), "id": f"shape/{op}/{mem}:{lab}"})
        # combinations: every member broken in a constraint way at once, then the
        # first 3, 5 and 12 constraint errors (AWS reports at most 10, joined by "; ")
        broken = []
        for mem, ref in inp["members"].items():
            for lab, nv in shapes.mutations(ref["shape"], base.get(mem), 2):
                if lab in ("short", "long", "enum", "pattern", "below-min", "above-max"):
                    broken.append((mem, nv, lab))
                    break
        for n in (2, 3, 5, len(broken)):
            if n > len(broken) or n < 2:
                continue
            b = copy.deepcopy(base)
            for mem, nv, _ in broken[:n]:
                b[mem] = nv
            cases.append({"op": op, "body": fresh(op, b), "id": f"shape/{op}/combo{n}:" +
                          ",".join(m for m, _, _ in broken[:n])})
        # a wrong type together with a constraint error: the type error wins
        if broken:
            b = copy.deepcopy(base)
            for mem, nv, _ in broken:
                b[mem] = nv
            last = list(inp["members"])[-1]
            b[last] = 12.5 if shapes.S[inp["members"][last]["shape"]]["type"] != "integer" else "x"
            cases.append({"op": op, "body": fresh(op, b), "id": f"shape/{op}/combo-type+constraints"})
    return cases


# ---------------------------------------------------------------- semantic cases
def S(v):
    return {"S": v}


def N(v):
    return {"N": v}


def semantic_cases():
    C = []

    def add(op, body, id_, **kw):
        # case flags that helpers passed along with the request members
        for flag in ("status_only", "ignore"):
            if isinstance(body, dict) and flag in body:
                kw[flag] = body.pop(flag)
        C.append(dict(op=op, body=body, id="sem/" + id_, **kw))

    ARN = "arn:aws:dynamodb:us-east-1:000000000000:table/"
    # --- CreateTable semantics
    def ct(name, attrs, keys, **extra):
        b = {"TableName": name,
             "AttributeDefinitions": [{"AttributeName": n, "AttributeType": t} for n, t in attrs],
             "KeySchema": [{"AttributeName": n, "KeyType": k} for n, k in keys],
             "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}}
        b.update(extra)
        return b

    seq = iter(range(1, 1000))

    def ct_unique(*a, **kw):
        b = ct(*a, **kw)
        if b["TableName"] == "cs_t1":
            b["TableName"] = "cs_t%d" % next(seq)
        return b

    add("CreateTable", ct_unique("cs_t1", [("a", "S")], [("a", "RANGE")]), "create/range-only")
    add("CreateTable", ct_unique("cs_t1", [("a", "S"), ("b", "S")], [("a", "HASH"), ("b", "HASH")]), "create/two-hash")
    add("CreateTable", ct_unique("cs_t1", [("a", "S"), ("b", "S")], [("b", "RANGE"), ("a", "HASH")]), "create/range-first")
    add("CreateTable", ct_unique("cs_t1", [("a", "S")], [("b", "HASH")]), "create/key-not-defined")
    add("CreateTable", ct_unique("cs_t1", [("a", "S"), ("b", "S")], [("a", "HASH")]), "create/extra-attr-def")
    add("CreateTable", ct_unique("cs_t1", [("a", "S"), ("a", "N")], [("a", "HASH")]), "create/dup-attr-def")
    add("CreateTable", ct_unique("cs_t1", [("a", "S")], [("a", "HASH"), ("a", "RANGE")]), "create/same-key-twice")
    b = ct_unique("cs_t1", [("a", "S")], [("a", "HASH")])
    del b["ProvisionedThroughput"]
    add("CreateTable", b, "create/no-throughput")
    b = ct_unique("cs_t1", [("a", "S")], [("a", "HASH")], BillingMode="PAY_PER_REQUEST")
    add("CreateTable", b, "create/ppr-with-throughput")
    b = ct_unique("cs_t1", [("a", "S")], [("a", "HASH")])
    b["ProvisionedThroughput"] = {"ReadCapacityUnits": 1000000000000, "WriteCapacityUnits": 1}
    add("CreateTable", b, "create/throughput-huge")
    b = ct_unique("cs_t1", [("a", "S")], [("a", "HASH")])
    b["ProvisionedThroughput"] = {"ReadCapacityUnits": 0, "WriteCapacityUnits": 0}
    add("CreateTable", b, "create/throughput-zero")
    lsi = {"IndexName": "lsi1", "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"},
                                             {"AttributeName": "c", "KeyType": "RANGE"}],
           "Projection": {"ProjectionType": "ALL"}}
    add("CreateTable", ct_unique("cs_t1", [("a", "S"), ("c", "S")], [("a", "HASH")], LocalSecondaryIndexes=[lsi]),
        "create/lsi-on-hash-only-table")
    add("CreateTable", ct_unique("cs_t1", [("a", "S"), ("b", "S"), ("c", "S")], [("a", "HASH"), ("b", "RANGE")],
                          LocalSecondaryIndexes=[lsi, lsi]), "create/lsi-duplicate-name")
    lsi2 = copy.deepcopy(lsi)
    lsi2["KeySchema"][0]["AttributeName"] = "b"
    add("CreateTable", ct_unique("cs_t1", [("a", "S"), ("b", "S"), ("c", "S")], [("a", "HASH"), ("b", "RANGE")],
                          LocalSecondaryIndexes=[lsi2]), "create/lsi-other-hash")
    lsi3 = copy.deepcopy(lsi)
    lsi3["Projection"] = {"ProjectionType": "INCLUDE"}
    add("CreateTable", ct_unique("cs_t1", [("a", "S"), ("b", "S"), ("c", "S")], [("a", "HASH"), ("b", "RANGE")],
                          LocalSecondaryIndexes=[lsi3]), "create/lsi-include-no-attrs")
    lsi4 = copy.deepcopy(lsi)
    lsi4["Projection"] = {"ProjectionType": "ALL", "NonKeyAttributes": ["x"]}
    add("CreateTable", ct_unique("cs_t1", [("a", "S"), ("b", "S"), ("c", "S")], [("a", "HASH"), ("b", "RANGE")],
                          LocalSecondaryIndexes=[lsi4]), "create/lsi-all-with-attrs")
    lsi5 = copy.deepcopy(lsi)
    lsi5["KeySchema"] = [{"AttributeName": "a", "KeyType": "HASH"}]
    add("CreateTable", ct_unique("cs_t1", [("a", "S"), ("b", "S")], [("a", "HASH"), ("b", "RANGE")],
                          LocalSecondaryIndexes=[lsi5]), "create/lsi-hash-only")
    lsis = []
    for i in range(6):
        x = copy.deepcopy(lsi)
        x["IndexName"] = f"lsi{i}"
        lsis.append(x)
    add("CreateTable", ct_unique("cs_t1", [("a", "S"), ("b", "S"), ("c", "S")], [("a", "HASH"), ("b", "RANGE")],
                          LocalSecondaryIndexes=lsis), "create/lsi-six")
    add("CreateTable", ct_unique("cs_t1", [("a", "S"), ("b", "S"), ("c", "S")], [("a", "HASH"), ("b", "RANGE")],
                          LocalSecondaryIndexes=[]), "create/lsi-empty-list")
    gsi = {"IndexName": "gsi1", "KeySchema": [{"AttributeName": "c", "KeyType": "HASH"}],
           "Projection": {"ProjectionType": "ALL"},
           "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}
    add("CreateTable", ct_unique("cs_t1", [("a", "S"), ("c", "S")], [("a", "HASH")],
                          GlobalSecondaryIndexes=[gsi, gsi]), "create/gsi-duplicate-name")
    g2 = copy.deepcopy(gsi)
    del g2["ProvisionedThroughput"]
    add("CreateTable", ct_unique("cs_t1", [("a", "S"), ("c", "S")], [("a", "HASH")],
                          GlobalSecondaryIndexes=[g2]), "create/gsi-no-throughput")
    g3 = copy.deepcopy(gsi)
    g3["KeySchema"] = [{"AttributeName": "z", "KeyType": "HASH"}]
    add("CreateTable", ct_unique("cs_t1", [("a", "S"), ("c", "S")], [("a", "HASH")],
                          GlobalSecondaryIndexes=[g3]), "create/gsi-undefined-attr")
    add("CreateTable", ct_unique("cs_t1", [("a", "S"), ("c", "S")], [("a", "HASH")],
                          GlobalSecondaryIndexes=[]), "create/gsi-empty-list")
    g4 = copy.deepcopy(gsi)
    g4["Projection"] = {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["x", "x"]}
    add("CreateTable", ct_unique("cs_t1", [("a", "S"), ("c", "S")], [("a", "HASH")],
                          GlobalSecondaryIndexes=[g4]), "create/gsi-include-dup-attrs")
    gl = copy.deepcopy(lsi)
    gl["IndexName"] = "gsi1"
    add("CreateTable", ct_unique("cs_t1", [("a", "S"), ("b", "S"), ("c", "S")], [("a", "HASH"), ("b", "RANGE")],
                          LocalSecondaryIndexes=[gl], GlobalSecondaryIndexes=[gsi]), "create/lsi-gsi-same-name")
    # the fixtures (also compared)
    # the fixtures are on demand: dynalite has no capacity model, Stratus throttles as DynamoDB
    # does, and the large items below would exhaust a provisioned table
    def ct_od(*a, **kw):
        b = ct(*a, **kw)
        del b["ProvisionedThroughput"]
        b["BillingMode"] = "PAY_PER_REQUEST"
        return b

    add("CreateTable", ct_od("cf_hash", [("a", "S")], [("a", "HASH")]), "fixture/cf_hash",
        ignore=("TableDescription",))
    add("CreateTable", ct_od("cf_range", [("a", "S"), ("b", "N")], [("a", "HASH"), ("b", "RANGE")]),
        "fixture/cf_range", ignore=("TableDescription",))
    add("CreateTable", ct_od("cf_bin", [("a", "B")], [("a", "HASH")]), "fixture/cf_bin",
        ignore=("TableDescription",))
    add("CreateTable", ct("cf_hash", [("a", "S")], [("a", "HASH")]), "create/in-use")
    add("DescribeTable", {"TableName": "cf_hash"}, "describe/cf_hash", ignore=("Table",))
    add("DescribeTable", {"TableName": "cf_nope"}, "describe/missing")
    add("DeleteTable", {"TableName": "cf_nope"}, "delete/missing")
    add("DescribeTimeToLive", {"TableName": "cf_hash"}, "ttl/describe")
    add("DescribeTimeToLive", {"TableName": "cf_nope"}, "ttl/describe-missing")
    add("UpdateTable", {"TableName": "cf_hash"}, "updatetable/nothing")
    add("UpdateTable", {"TableName": "cf_nope", "ProvisionedThroughput":
                        {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}}, "updatetable/missing")
    add("UpdateTable", {"TableName": "cf_hash", "ProvisionedThroughput":
                        {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}}, "updatetable/same-throughput")
    add("UpdateTable", {"TableName": "cf_hash", "GlobalSecondaryIndexUpdates": [
        {"Delete": {"IndexName": "nope"}}]}, "updatetable/delete-missing-gsi")
    add("UpdateTable", {"TableName": "cf_hash", "GlobalSecondaryIndexUpdates": [
        {"Update": {"IndexName": "nope", "ProvisionedThroughput":
                    {"ReadCapacityUnits": 2, "WriteCapacityUnits": 2}}}]}, "updatetable/update-missing-gsi")
    add("UpdateTable", {"TableName": "cf_hash", "GlobalSecondaryIndexUpdates": [
        {"Create": {"IndexName": "g", "KeySchema": [{"AttributeName": "z", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "ALL"},
                    "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}}]},
        "updatetable/create-gsi-undefined-attr")
    add("UpdateTable", {"TableName": "cf_hash", "GlobalSecondaryIndexUpdates": [{}]},
        "updatetable/empty-gsi-update")
    add("ListTables", {"Limit": 1, "ExclusiveStartTableName": "cf_bin"}, "list/limit1")
    add("ListTables", {"ExclusiveStartTableName": "cf_"}, "list/from-prefix")
    add("ListTables", {"ExclusiveStartTableName": "cf_range"}, "list/from-last")

    # --- tags
    add("TagResource", {"ResourceArn": ARN + "cf_hash", "Tags": [{"Key": "k1", "Value": "v1"}]}, "tags/add")
    add("ListTagsOfResource", {"ResourceArn": ARN + "cf_hash"}, "tags/list")
    add("TagResource", {"ResourceArn": ARN + "cf_nope", "Tags": [{"Key": "k1", "Value": "v1"}]}, "tags/missing-table")
    add("TagResource", {"ResourceArn": "notanarn", "Tags": [{"Key": "k1", "Value": "v1"}]}, "tags/bad-arn")
    add("TagResource", {"ResourceArn": ARN + "cf_hash", "Tags": []}, "tags/empty")
    add("ListTagsOfResource", {"ResourceArn": "notanarn"}, "tags/list-bad-arn")
    add("ListTagsOfResource", {"ResourceArn": ARN + "cf_nope"}, "tags/list-missing")
    add("UntagResource", {"ResourceArn": ARN + "cf_hash", "TagKeys": []}, "tags/untag-empty")
    add("UntagResource", {"ResourceArn": ARN + "cf_hash", "TagKeys": ["k1"]}, "tags/untag")
    add("UntagResource", {"ResourceArn": "notanarn", "TagKeys": ["k1"]}, "tags/untag-bad-arn")
    add("ListTagsOfResource", {"ResourceArn": ARN + "cf_hash"}, "tags/list-after")

    # --- attribute values in Item (PutItem on cf_hash)
    def put(item, id_, table="cf_hash", **kw):
        b = {"TableName": table, "Item": item}
        b.update(kw)
        add("PutItem", b, id_)

    bad_values = {
        "empty-av": {},
        "two-types": {"S": "a", "N": "1"},
        "null-false": {"NULL": False},
        "null-true": {"NULL": True},
        "bool-ok": {"BOOL": False},
        "ss-empty": {"SS": []},
        "ns-empty": {"NS": []},
        "bs-empty": {"BS": []},
        "ss-dup": {"SS": ["x", "x"]},
        "ns-dup": {"NS": ["1", "1.0"]},
        "ns-dup-exp": {"NS": ["1", "1e0"]},
        "bs-dup": {"BS": ["YWJj", "YWJj"]},
        "n-empty": {"N": ""},
        "n-alpha": {"N": "abc"},
        "n-space": {"N": " 1"},
        "n-hex": {"N": "0x10"},
        "n-39-digits": {"N": "1" * 39},
        "n-38-digits": {"N": "1" * 38},
        "n-38-with-zeros": {"N": "1" * 38 + "000"},
        "n-too-big": {"N": "1e126"},
        "n-max": {"N": "9.9999999999999999999999999999999999999e125"},
        "n-too-small": {"N": "1e-131"},
        "n-min": {"N": "1e-130"},
        "n-neg-too-big": {"N": "-1e126"},
        "n-plus": {"N": "+1"},
        "n-dot": {"N": "."},
        "n-lead-dot": {"N": ".5"},
        "n-trail-dot": {"N": "5."},
        "n-exp-only": {"N": "e5"},
        "n-nan": {"N": "NaN"},
        "n-inf": {"N": "Infinity"},
        "ns-bad": {"NS": ["1", "x"]},
        "ns-too-big": {"NS": ["1", "1e200"]},
        "s-empty": {"S": ""},
        "b-empty": {"B": ""},
        "b-bad": {"B": "abc"},
        "m-nested-bad": {"M": {"x": {"N": "abc"}}},
        "m-nested-empty": {"M": {"x": {}}},
        "l-nested-bad": {"L": [{"SS": []}]},
        "m-empty": {"M": {}},
        "l-empty": {"L": []},
        "ss-empty-string": {"SS": [""]},
        "unknown-type": {"X": "1"},
        "s-number": {"S": 5},
        "n-number": {"N": 5},
        "ss-number": {"SS": [1]},
        "bool-string": {"BOOL": "true"},
        "bool-number": {"BOOL": 1},
        "null-string": {"NULL": "no"},
        "m-list": {"M": []},
        "l-map": {"L": {}},
        "l-string": {"L": "x"},
        "m-string": {"M": "x"},
        "b-number": {"B": 1},
        "s-null": {"S": None},
    }
    for k, v in bad_values.items():
        put({"a": S("k_av"), "v": v}, "av/" + k)
    # whichever of those a server accepted, leave no trace for the scans below
    add("DeleteItem", {"TableName": "cf_hash", "Key": {"a": S("k_av")}}, "av/cleanup")
    # key problems
    put({"v": S("x")}, "key/missing-hash")
    put({"a": N("1")}, "key/wrong-type")
    put({"a": S("")}, "key/empty-string")
    put({"a": {"B": ""}}, "key/empty-binary", table="cf_bin")
    put({"a": S("x" * 2049)}, "key/hash-too-long")
    put({"a": S("x" * 2048)}, "key/hash-max")
    put({"a": S("h"), "b": N("1" * 38)}, "key/range-38", table="cf_range")
    put({"a": S("h"), "b": S("1")}, "key/range-wrong-type", table="cf_range")
    put({"a": S("h")}, "key/range-missing", table="cf_range")
    put({"a": S("h"), "b": {"SS": ["1"]}}, "key/range-set", table="cf_range")
    put({"a": {"SS": ["1"]}}, "key/hash-set")
    put({"a": {"NULL": True}}, "key/hash-null")
    put({"a": S("k"), "b": N("1")}, "key/nope-table", table="cf_nope")
    put({"a": {"B": "YWJj"}}, "key/binary-ok", table="cf_bin")
    # item size
    put({"a": S("big"), "v": S("x" * (400 * 1024 - 4))}, "size/just-under")
    put({"a": S("big"), "v": S("x" * (400 * 1024 - 3))}, "size/just-under-2")
    put({"a": S("big"), "v": S("x" * (400 * 1024 - 2))}, "size/exact")
    put({"a": S("big"), "v": S("x" * (400 * 1024))}, "size/over")
    put({"a": S("big"), "v": S("x" * (400 * 1024 + 100))}, "size/over-more")
    put({"a": S("big"), "vv": {"L": [S("x" * 100000)] * 5}}, "size/list-over")
    put({"a": S("big2"), "vv": {"M": {"x" * 10: S("y" * 409000)}}}, "size/map-under")

    # fixtures for reads
    put({"a": S("k1"), "v": N("1"), "s": S("str"), "l": {"L": [N("1"), S("x")]},
         "m": {"M": {"x": N("2"), "y": {"M": {"z": S("deep")}}}}, "ss": {"SS": ["a", "b"]},
         "ns": {"NS": ["1", "2"]}, "bo": {"BOOL": True}, "nu": {"NULL": True}}, "fixture/item-k1")
    for i in range(1, 8):
        put({"a": S("h1"), "b": N(str(i)), "v": N(str(i * 10)), "t": S("x" * i)}, f"fixture/range-{i}",
            table="cf_range")
    put({"a": S("h2"), "b": N("1.5")}, "fixture/range-h2", table="cf_range")

    # --- PutItem conditions / ReturnValues
    put({"a": S("k1"), "v": N("5")}, "put/cond-fail", ConditionExpression="attribute_not_exists(a)")
    put({"a": S("k1"), "v": N("5")}, "put/cond-fail-returnvalues",
        ConditionExpression="attribute_not_exists(a)", ReturnValuesOnConditionCheckFailure="ALL_OLD")
    put({"a": S("kn")}, "put/cond-ok", ConditionExpression="attribute_not_exists(a)")
    put({"a": S("kn")}, "put/rv-all-old", ReturnValues="ALL_OLD")
    put({"a": S("kn")}, "put/rv-all-new", ReturnValues="ALL_NEW")
    put({"a": S("kn")}, "put/rv-updated-old", ReturnValues="UPDATED_OLD")
    put({"a": S("kn")}, "put/rv-updated-new", ReturnValues="UPDATED_NEW")
    put({"a": S("kn"), "x": N("1")}, "put/rv-all-old-2", ReturnValues="ALL_OLD")
    put({"a": S("kn")}, "put/rcc-total", ReturnConsumedCapacity="TOTAL")
    put({"a": S("kn")}, "put/rcc-indexes", ReturnConsumedCapacity="INDEXES")
    put({"a": S("kn")}, "put/ricm-size", ReturnItemCollectionMetrics="SIZE")
    put({"a": S("kn")}, "put/cond-unused-value", ConditionExpression="attribute_exists(a)",
        ExpressionAttributeValues={":x": N("1")})
    put({"a": S("kn")}, "put/cond-unused-name", ConditionExpression="attribute_exists(a)",
        ExpressionAttributeNames={"#x": "x"})
    put({"a": S("kn")}, "put/cond-undefined-value", ConditionExpression="a = :x")
    put({"a": S("kn")}, "put/cond-undefined-name", ConditionExpression="#x = a")
    put({"a": S("kn")}, "put/cond-empty", ConditionExpression="")
    put({"a": S("kn")}, "put/eav-empty", ConditionExpression="a = a", ExpressionAttributeValues={})
    put({"a": S("kn")}, "put/ean-empty", ConditionExpression="a = a", ExpressionAttributeNames={})
    put({"a": S("kn")}, "put/eav-without-expr", ExpressionAttributeValues={":x": N("1")})
    put({"a": S("kn")}, "put/ean-without-expr", ExpressionAttributeNames={"#x": "x"})
    put({"a": S("kn")}, "put/expected-and-expr", ConditionExpression="attribute_exists(a)",
        Expected={"a": {"Exists": False}})
    put({"a": S("kn")}, "put/eav-bad-value", ConditionExpression="a = :x",
        ExpressionAttributeValues={":x": {"N": "abc"}})
    put({"a": S("kn")}, "put/eav-empty-av", ConditionExpression="a = :x",
        ExpressionAttributeValues={":x": {}})
    put({"a": S("kn")}, "put/eav-bad-name", ConditionExpression="a = :x",
        ExpressionAttributeValues={"x": S("1")})
    put({"a": S("kn")}, "put/ean-bad-name", ConditionExpression="#x = a",
        ExpressionAttributeNames={"x": "a", "#x": "a"})
    put({"a": S("kn")}, "put/ean-empty-value", ConditionExpression="#x = a",
        ExpressionAttributeNames={"#x": ""})
    put({"a": S("kn")}, "put/expected-exists-false-value", Expected={"a": {"Exists": False, "Value": S("x")}})
    put({"a": S("kn")}, "put/expected-exists-true-novalue", Expected={"a": {"Exists": True}})
    put({"a": S("kn")}, "put/expected-fail", Expected={"a": {"Exists": False}})
    put({"a": S("kn")}, "put/expected-ok", Expected={"zz": {"Exists": False}})
    put({"a": S("kn")}, "put/expected-bad-op", Expected={"a": {"ComparisonOperator": "EQ"}})
    put({"a": S("kn")}, "put/expected-op-args", Expected={"a": {"ComparisonOperator": "EQ",
                                                                  "AttributeValueList": [S("x"), S("y")]}})
    put({"a": S("kn")}, "put/expected-value-and-list", Expected={"a": {"Value": S("x"), "AttributeValueList": [S("x")]}})
    put({"a": S("kn")}, "put/expected-null-op", Expected={"a": {"ComparisonOperator": "NULL"}})
    put({"a": S("kn")}, "put/expected-null-op-arg", Expected={"a": {"ComparisonOperator": "NULL",
                                                                     "AttributeValueList": [S("x")]}})
    put({"a": S("kn")}, "put/condop-without-expected", ConditionalOperator="AND")
    put({"a": S("kn")}, "put/expected-in-empty", Expected={"a": {"ComparisonOperator": "IN",
                                                                  "AttributeValueList": []}})
    put({"a": S("kn")}, "put/expected-between-order", Expected={"v": {"ComparisonOperator": "BETWEEN",
                                                                       "AttributeValueList": [N("5"), N("1")]}})
    put({"a": S("kn")}, "put/expected-contains-set", Expected={"v": {"ComparisonOperator": "CONTAINS",
                                                                      "AttributeValueList": [{"SS": ["x"]}]}})

    # --- condition expression syntax and semantics (PutItem)
    exprs = {
        "syntax-dangling": "a =",
        "syntax-paren": "(a = a",
        "syntax-bad-token": "a == a",
        "syntax-trailing": "a = a a",
        "syntax-bad-char": "a = @",
        "syntax-empty-parens": "()",
        "func-unknown": "foo(a)",
        "func-case": "ATTRIBUTE_EXISTS(a)",
        "func-arity": "attribute_exists(a, a)",
        "func-arity-0": "begins_with(a)",
        "size-as-cond": "size(a)",
        "size-arg": "size(a) > :n",
        "reserved-word": "size = a",
        "reserved-word-2": "attribute_exists(name)",
        "reserved-word-case": "attribute_exists(Status)",
        "path-index-neg": "a[-1] = a",
        "path-dot-start": ".a = a",
        "between-reversed": "v BETWEEN :hi AND :lo",
        "between-types": "v BETWEEN :lo AND :s",
        "in-too-many": "a IN (" + ",".join([":n"] * 101) + ")",
        "in-ok": "a IN (:s, :n)",
        "compare-same-operand": "a = a",
        "key-path-nested": "a.b = :s",
        "attr-type-bad": "attribute_type(a, :s)",
        "attr-type-ok": "attribute_type(a, :ty)",
        "begins-with-number": "begins_with(a, :n)",
        "contains-ok": "contains(a, :s)",
        "not-not": "NOT NOT attribute_exists(a)",
        "and-or-prec": "attribute_exists(a) OR attribute_exists(b) AND attribute_exists(c)",
        "value-in-func-path": "attribute_exists(:s)",
        "lit-number": "a = 1",
        "lit-string": "a = 'x'",
        "parens": "((a = a))",
        "unused-eav": "attribute_exists(a)",
        "size-of-value": "size(:s) > :n",
        "path-index-on-name": "#n[0] = :s",
        "list-index-big": "l[99999999999] = :s",
    }
    values = {":s": S("x"), ":n": N("1"), ":hi": N("9"), ":lo": N("1"), ":ty": S("S")}
    for k, e in exprs.items():
        used = {v: values[v] for v in values if v in e}
        if k == "unused-eav":
            used = {":s": S("x")}
        b = {"TableName": "cf_hash", "Item": {"a": S("kc")}, "ConditionExpression": e}
        if used:
            b["ExpressionAttributeValues"] = used
        if "#n" in e:
            b["ExpressionAttributeNames"] = {"#n": "l"}
        add("PutItem", b, "cond/" + k)
        # the same expression as a Scan filter: errors must be the same
        sb = {"TableName": "cf_hash", "FilterExpression": e}
        if used:
            sb["ExpressionAttributeValues"] = used
        if "#n" in e:
            sb["ExpressionAttributeNames"] = {"#n": "l"}
        add("Scan", sb, "filter/" + k)

    # --- GetItem
    def get(key, id_, table="cf_hash", **kw):
        b = {"TableName": table, "Key": key}
        b.update(kw)
        add("GetItem", b, id_)

    get({"a": S("k1")}, "get/ok")
    get({"a": S("zz")}, "get/absent")
    get({"a": N("1")}, "get/wrong-key-type")
    get({"b": S("1")}, "get/wrong-key-name")
    get({"a": S("k1"), "b": S("1")}, "get/extra-key")
    get({}, "get/empty-key")
    get({"a": S("")}, "get/empty-string-key")
    get({"a": S("h1")}, "get/range-missing", table="cf_range")
    get({"a": S("h1"), "b": N("1")}, "get/range-ok", table="cf_range")
    get({"a": S("h1"), "b": S("1")}, "get/range-wrong-type", table="cf_range")
    get({"a": S("k1")}, "get/missing-table", table="cf_nope")
    get({"a": S("k1")}, "get/projection", ProjectionExpression="v, m.y.z, l[1], nope")
    get({"a": S("k1")}, "get/projection-names", ProjectionExpression="#m.#y",
        ExpressionAttributeNames={"#m": "m", "#y": "y"})
    get({"a": S("k1")}, "get/projection-reserved", ProjectionExpression="name")
    get({"a": S("k1")}, "get/projection-overlap", ProjectionExpression="m, m.y")
    get({"a": S("k1")}, "get/projection-conflict", ProjectionExpression="l[0], l.x")
    get({"a": S("k1")}, "get/projection-dup", ProjectionExpression="v, v")
    get({"a": S("k1")}, "get/projection-syntax", ProjectionExpression="v,")
    get({"a": S("k1")}, "get/projection-empty", ProjectionExpression="")
    get({"a": S("k1")}, "get/projection-undefined-name", ProjectionExpression="#x")
    get({"a": S("k1")}, "get/projection-unused-name", ProjectionExpression="v",
        ExpressionAttributeNames={"#x": "x"})
    get({"a": S("k1")}, "get/projection-and-atg", ProjectionExpression="v", AttributesToGet=["v"])
    get({"a": S("k1")}, "get/atg", AttributesToGet=["v", "s"])
    get({"a": S("k1")}, "get/atg-dup", AttributesToGet=["v", "v"])
    get({"a": S("k1")}, "get/ean-without-projection", ExpressionAttributeNames={"#x": "x"})
    get({"a": S("k1")}, "get/consistent-rcc", ConsistentRead=True, ReturnConsumedCapacity="TOTAL")
    get({"a": S("k1")}, "get/rcc", ReturnConsumedCapacity="TOTAL")
    get({"a": S("big")}, "get/big-rcc", ReturnConsumedCapacity="TOTAL")
    get({"a": S("k1")}, "get/projection-index-map", ProjectionExpression="m[0]")
    get({"a": S("k1")}, "get/projection-value", ProjectionExpression=":v")
    get({"a": {"B": "YWJj"}}, "get/binary", table="cf_bin")

    # --- UpdateItem
    def upd(expr, id_, key=None, vals=None, names=None, table="cf_hash", **kw):
        b = {"TableName": table, "Key": key or {"a": S("ku")}}
        if expr is not None:
            b["UpdateExpression"] = expr
        if vals is not None:
            b["ExpressionAttributeValues"] = vals
        if names is not None:
            b["ExpressionAttributeNames"] = names
        b.update(kw)
        add("UpdateItem", b, id_)

    upd("SET v = :n", "upd/set-new", vals={":n": N("1")}, ReturnValues="ALL_NEW")
    upd("SET v = v + :n", "upd/add-num", vals={":n": N("2")}, ReturnValues="UPDATED_NEW")
    upd("SET v = v - :n", "upd/sub-num", vals={":n": N("0.5")}, ReturnValues="UPDATED_OLD")
    upd("SET w = v + :s", "upd/add-str", vals={":s": S("x")})
    upd("SET w = nope + :n", "upd/add-missing", vals={":n": N("1")})
    upd("SET l = list_append(:l, :l)", "upd/list-append", vals={":l": {"L": [N("1")]}}, ReturnValues="ALL_NEW")
    upd("SET l = list_append(l, :n)", "upd/list-append-nonlist", vals={":n": N("1")})
    upd("SET l[5] = :n", "upd/list-index-past-end", vals={":n": N("7")}, ReturnValues="ALL_NEW")
    upd("SET l[0].x = :n", "upd/list-index-not-map", vals={":n": N("7")})
    upd("SET m.x.y = :n", "upd/missing-parent", vals={":n": N("7")})
    upd("SET m = :m", "upd/set-map", vals={":m": {"M": {"x": N("1")}}})
    upd("SET m.x.y = :n", "upd/nested-not-map", vals={":n": N("7")})
    upd("SET m.y = :n", "upd/nested-ok", vals={":n": N("7")}, ReturnValues="UPDATED_NEW")
    upd("SET v = if_not_exists(v, :n)", "upd/if-not-exists", vals={":n": N("100")}, ReturnValues="ALL_NEW")
    upd("SET nv = if_not_exists(nv, :n)", "upd/if-not-exists-new", vals={":n": N("100")}, ReturnValues="UPDATED_NEW")
    upd("SET v = :n, v = :n", "upd/two-same-path", vals={":n": N("1")})
    upd("SET m = :n REMOVE m.x", "upd/overlap", vals={":n": N("1")})
    upd("SET m.x = :n REMOVE m", "upd/overlap-2", vals={":n": N("1")})
    upd("SET a = :s", "upd/set-key", vals={":s": S("other")})
    upd("REMOVE a", "upd/remove-key")
    upd("ADD a :n", "upd/add-key", vals={":n": N("1")})
    upd("ADD v :n", "upd/add-number", vals={":n": N("5")}, ReturnValues="UPDATED_NEW")
    upd("ADD ss :ss", "upd/add-set", vals={":ss": {"SS": ["x", "y"]}}, ReturnValues="UPDATED_NEW")
    upd("ADD ss :n", "upd/add-set-wrong-type", vals={":n": N("1")})
    upd("ADD w :s", "upd/add-string", vals={":s": S("x")})
    upd("ADD m.x :n", "upd/add-nested", vals={":n": N("1")})
    upd("DELETE ss :ss", "upd/delete-set", vals={":ss": {"SS": ["x"]}}, ReturnValues="UPDATED_NEW")
    upd("DELETE ss :ss", "upd/delete-all", vals={":ss": {"SS": ["y"]}}, ReturnValues="ALL_NEW")
    upd("DELETE v :n", "upd/delete-number", vals={":n": N("1")})
    upd("DELETE ss :ns", "upd/delete-type-mismatch", vals={":ns": {"NS": ["1"]}})
    upd("REMOVE l[0], nope", "upd/remove", ReturnValues="ALL_NEW")
    upd("SET v = :n SET w = :n", "upd/two-set", vals={":n": N("1")})
    upd("SET", "upd/syntax-empty-set")
    upd("SET v :n", "upd/syntax-missing-eq", vals={":n": N("1")})
    upd("FOO v", "upd/syntax-bad-clause")
    upd("", "upd/empty-expr")
    upd("SET v = :n", "upd/undefined-value")
    upd("SET v = :n", "upd/unused-value", vals={":n": N("1"), ":m": N("2")})
    upd("SET #v = :n", "upd/undefined-name", vals={":n": N("1")})
    upd("SET v = :n", "upd/unused-name", vals={":n": N("1")}, names={"#z": "z"})
    upd("SET name = :n", "upd/reserved", vals={":n": N("1")})
    upd("SET v = :n", "upd/with-attribute-updates", vals={":n": N("1")},
        AttributeUpdates={"v": {"Action": "PUT", "Value": N("1")}})
    upd(None, "upd/attr-updates", AttributeUpdates={"v": {"Action": "PUT", "Value": N("3")}},
        ReturnValues="ALL_NEW")
    upd(None, "upd/attr-updates-key", AttributeUpdates={"a": {"Action": "PUT", "Value": S("3")}})
    upd(None, "upd/attr-updates-delete-noval", AttributeUpdates={"v": {"Action": "DELETE"}},
        ReturnValues="ALL_NEW")
    upd(None, "upd/attr-updates-add-str", AttributeUpdates={"w": {"Action": "ADD", "Value": S("3")}})
    upd(None, "upd/attr-updates-put-noval", AttributeUpdates={"w": {"Action": "PUT"}})
    upd(None, "upd/no-update", ReturnValues="ALL_NEW")
    upd("SET v = :n", "upd/cond-fail", vals={":n": N("1"), ":z": N("99")}, ConditionExpression="v = :z")
    upd("SET v = :n", "upd/cond-fail-rv", vals={":n": N("1"), ":z": N("99")}, ConditionExpression="v = :z",
        ReturnValuesOnConditionCheckFailure="ALL_OLD")
    upd("SET v = :n", "upd/cond-ok", vals={":n": N("1")}, ConditionExpression="attribute_exists(v)",
        ReturnValues="ALL_OLD")
    upd("SET v = :n", "upd/new-item-cond", key={"a": S("new-u")}, vals={":n": N("1")},
        ConditionExpression="attribute_exists(a)")
    upd("SET v = :n", "upd/wrong-key", key={"a": N("1")}, vals={":n": N("1")})
    upd("SET v = :n", "upd/range-table-missing-range", key={"a": S("h1")}, vals={":n": N("1")}, table="cf_range")
    upd("SET v = :n", "upd/missing-table", vals={":n": N("1")}, table="cf_nope")
    upd("SET big = :b", "upd/too-big", vals={":b": S("x" * (400 * 1024))})
    upd("SET v = :n", "upd/rcc", vals={":n": N("1")}, ReturnConsumedCapacity="TOTAL")
    upd("SET v = :e", "upd/empty-set-value", vals={":e": {"SS": []}})
    upd("SET v = :e", "upd/empty-string-value", vals={":e": S("")}, ReturnValues="UPDATED_NEW")
    upd("SET v = :n + :n", "upd/value-arith", vals={":n": N("1e125")}, ReturnValues="UPDATED_NEW")
    upd("SET v = :n + :m", "upd/overflow", vals={":n": N("9e125"), ":m": N("9e125")})
    upd("SET v = :n - :m", "upd/precision", vals={":n": N("1" * 38), ":m": N("0.1")})
    upd("SET v = size(l)", "upd/size-in-set", vals=None)
    upd("SET v = :n REMOVE v", "upd/set-remove-same", vals={":n": N("1")})
    upd("SET l[0] = :n REMOVE l[1]", "upd/list-two-indexes", vals={":n": N("1")}, ReturnValues="ALL_NEW")

    # --- DeleteItem
    def dele(key, id_, table="cf_hash", **kw):
        b = {"TableName": table, "Key": key}
        b.update(kw)
        add("DeleteItem", b, id_)

    dele({"a": S("kn")}, "del/ok-all-old", ReturnValues="ALL_OLD")
    dele({"a": S("kn")}, "del/absent", ReturnValues="ALL_OLD")
    dele({"a": S("kn")}, "del/rv-all-new", ReturnValues="ALL_NEW")
    dele({"a": S("kn")}, "del/rv-updated-new", ReturnValues="UPDATED_NEW")
    dele({"a": N("1")}, "del/wrong-key-type")
    dele({"a": S("k1"), "z": S("1")}, "del/extra-key")
    dele({"a": S("k1")}, "del/cond-fail", ConditionExpression="v = :z", ExpressionAttributeValues={":z": N("99")})
    dele({"a": S("k1")}, "del/cond-fail-rv", ConditionExpression="v = :z",
         ExpressionAttributeValues={":z": N("99")}, ReturnValuesOnConditionCheckFailure="ALL_OLD")
    dele({"a": S("k1")}, "del/missing-table", table="cf_nope")
    dele({"a": S("k1")}, "del/rcc", ReturnConsumedCapacity="TOTAL", ConditionExpression="attribute_exists(zzz)")

    # --- attribute values are checked before the table is looked up (dynalite test/getItem.js
    # runs these against the absent table "abc")
    bad_values = [("empty", {}), ("unknown-only", {"a": ""}), ("null-false", {"NULL": False}),
                  ("ss-empty", {"SS": []}), ("ss-dup", {"SS": ["a", "a"]}), ("ns-dup", {"NS": ["1", "1"]}),
                  ("two-types", {"S": "a", "N": "1"}), ("n-bad", N("b")), ("n-big", N("1e126")),
                  ("n-tiny", N("-1e-131")), ("n-digits", N("1" * 39)), ("bs-dup", {"BS": ["Yg==", "Yg=="]})]
    for name, av in bad_values:
        add("GetItem", {"TableName": "cf_nope", "Key": {"a": av}}, "absent/get-" + name)
        add("PutItem", {"TableName": "cf_nope", "Item": {"a": av}}, "absent/put-" + name)
        add("DeleteItem", {"TableName": "cf_nope", "Key": {"a": av}}, "absent/del-" + name)
        add("UpdateItem", {"TableName": "cf_nope", "Key": {"a": av}}, "absent/upd-" + name)
        add("Scan", {"TableName": "cf_nope", "ExclusiveStartKey": {"a": av}}, "absent/scan-esk-" + name)
        add("Query", {"TableName": "cf_nope", "ExclusiveStartKey": {"a": av},
                      "KeyConditionExpression": "a = :a", "ExpressionAttributeValues": {":a": S("x")}},
            "absent/query-esk-" + name)
    add("PutItem", {"TableName": "cf_nope", "Item": {"a": S("x")}, "ReturnValues": "ALL_NEW",
                    "ConditionExpression": "a ="}, "absent/put-rv-before-expression")
    # legacy KeyConditions: arguments, then the count, then indexability (dynalite query.js)
    add("Query", {"TableName": "cf_nope", "KeyConditions": {}}, "absent/query-kc-empty")
    add("Query", {"TableName": "cf_nope", "KeyConditions": {
        "a": {"ComparisonOperator": "NULL"}, "b": {"ComparisonOperator": "NULL"},
        "c": {"ComparisonOperator": "NULL"}}}, "absent/query-kc-three")
    add("Query", {"TableName": "cf_nope", "KeyConditions": {
        "a": {"ComparisonOperator": "EQ"}, "b": {"ComparisonOperator": "NULL"},
        "c": {"ComparisonOperator": "NULL"}}}, "absent/query-kc-args-first")
    add("Scan", {"TableName": "cf_nope", "ScanFilter": {"a": {"ComparisonOperator": "EQ",
        "AttributeValueList": [S("x")]}}, "ExpressionAttributeValues": {}}, "absent/scan-legacy-eav")
    add("Query", {"TableName": "cf_nope", "KeyConditions": {"a": {"ComparisonOperator": "EQ",
        "AttributeValueList": [S("x")]}}, "ExpressionAttributeValues": {}}, "absent/query-legacy-eav")
    add("PutItem", {"TableName": "cf_nope", "Item": {"a": S("x")}, "Expected": {"a": {"Exists": False}},
                    "ExpressionAttributeValues": {}}, "absent/put-legacy-eav")
    add("BatchGetItem", {"RequestItems": {"cf_nope": {"Keys": [{"a": S("a")}, {"a": S("a")}]}}},
        "absent/bget-dup-keys")
    add("BatchGetItem", {"RequestItems": {"cf_nope": {"Keys": [{"a": N("1")}, {"a": N("1.0")}]}}},
        "absent/bget-dup-keys-number")
    add("UpdateItem", {"TableName": "cf_nope", "Key": {"a": S("a")},
                       "AttributeUpdates": {"b": {"Action": "DELETE", "Value": S("a")}}},
        "absent/upd-legacy-delete-scalar")

    # --- Query
    def q(id_, **kw):
        b = {"TableName": "cf_range"}
        b.update(kw)
        add("Query", b, id_)

    V = {":h": S("h1"), ":b": N("3"), ":c": N("5"), ":p": S("x")}

    def vals(*names):
        return {n: V[n] for n in names}

    q("query/eq", KeyConditionExpression="a = :h", ExpressionAttributeValues=vals(":h"))
    q("query/backward", KeyConditionExpression="a = :h", ExpressionAttributeValues=vals(":h"), ScanIndexForward=False)
    q("query/limit", KeyConditionExpression="a = :h", ExpressionAttributeValues=vals(":h"), Limit=2)
    q("query/esk", KeyConditionExpression="a = :h", ExpressionAttributeValues=vals(":h"), Limit=2,
      ExclusiveStartKey={"a": S("h1"), "b": N("2")})
    q("query/esk-wrong", KeyConditionExpression="a = :h", ExpressionAttributeValues=vals(":h"),
      ExclusiveStartKey={"a": S("h1")})
    q("query/esk-other-hash", KeyConditionExpression="a = :h", ExpressionAttributeValues=vals(":h"),
      ExclusiveStartKey={"a": S("h2"), "b": N("1")})
    q("query/esk-type", KeyConditionExpression="a = :h", ExpressionAttributeValues=vals(":h"),
      ExclusiveStartKey={"a": S("h1"), "b": S("1")})
    q("query/range-gt", KeyConditionExpression="a = :h AND b > :b", ExpressionAttributeValues=vals(":h", ":b"))
    q("query/range-between", KeyConditionExpression="a = :h AND b BETWEEN :b AND :c",
      ExpressionAttributeValues=vals(":h", ":b", ":c"))
    q("query/range-between-reversed", KeyConditionExpression="a = :h AND b BETWEEN :c AND :b",
      ExpressionAttributeValues=vals(":h", ":b", ":c"))
    q("query/begins-with-number", KeyConditionExpression="a = :h AND begins_with(b, :p)",
      ExpressionAttributeValues=vals(":h", ":p"))
    q("query/range-only", KeyConditionExpression="b = :b", ExpressionAttributeValues=vals(":b"))
    q("query/non-key", KeyConditionExpression="a = :h AND v = :b", ExpressionAttributeValues=vals(":h", ":b"))
    q("query/hash-not-eq", KeyConditionExpression="a > :h", ExpressionAttributeValues=vals(":h"))
    q("query/or", KeyConditionExpression="a = :h OR b = :b", ExpressionAttributeValues=vals(":h", ":b"))
    q("query/ne", KeyConditionExpression="a = :h AND b <> :b", ExpressionAttributeValues=vals(":h", ":b"))
    q("query/in", KeyConditionExpression="a IN (:h)", ExpressionAttributeValues=vals(":h"))
    q("query/two-hash", KeyConditionExpression="a = :h AND a = :h", ExpressionAttributeValues=vals(":h"))
    q("query/wrong-type", KeyConditionExpression="a = :b", ExpressionAttributeValues=vals(":b"))
    q("query/range-wrong-type", KeyConditionExpression="a = :h AND b > :p", ExpressionAttributeValues=vals(":h", ":p"))
    q("query/no-condition")
    q("query/filter-on-key", KeyConditionExpression="a = :h", FilterExpression="b > :b",
      ExpressionAttributeValues=vals(":h", ":b"))
    q("query/filter", KeyConditionExpression="a = :h", FilterExpression="v > :c",
      ExpressionAttributeValues=vals(":h", ":c"))
    q("query/filter-limit", KeyConditionExpression="a = :h", FilterExpression="v > :c",
      ExpressionAttributeValues=vals(":h", ":c"), Limit=3)
    q("query/count", KeyConditionExpression="a = :h", ExpressionAttributeValues=vals(":h"), Select="COUNT")
    q("query/specific-no-proj", KeyConditionExpression="a = :h", ExpressionAttributeValues=vals(":h"),
      Select="SPECIFIC_ATTRIBUTES")
    q("query/all-with-proj", KeyConditionExpression="a = :h", ExpressionAttributeValues=vals(":h"),
      Select="ALL_ATTRIBUTES", ProjectionExpression="v")
    q("query/all-projected-no-index", KeyConditionExpression="a = :h", ExpressionAttributeValues=vals(":h"),
      Select="ALL_PROJECTED_ATTRIBUTES")
    q("query/proj", KeyConditionExpression="a = :h", ExpressionAttributeValues=vals(":h"), ProjectionExpression="t, b")
    q("query/index-missing", IndexName="nope", KeyConditionExpression="a = :h", ExpressionAttributeValues=vals(":h"))
    q("query/table-missing", TableName="cf_nope", KeyConditionExpression="a = :h", ExpressionAttributeValues=vals(":h"))
    q("query/key-conditions", KeyConditions={"a": {"ComparisonOperator": "EQ", "AttributeValueList": [S("h1")]}})
    q("query/key-conditions-and-expr", KeyConditionExpression="a = :h", ExpressionAttributeValues=vals(":h"),
      KeyConditions={"a": {"ComparisonOperator": "EQ", "AttributeValueList": [S("h1")]}})
    q("query/key-conditions-bad-op", KeyConditions={"a": {"ComparisonOperator": "NE", "AttributeValueList": [S("h1")]}})
    q("query/key-conditions-no-hash", KeyConditions={"b": {"ComparisonOperator": "EQ", "AttributeValueList": [N("1")]}})
    q("query/unused-value", KeyConditionExpression="a = :h", ExpressionAttributeValues=vals(":h", ":b"))
    q("query/undefined-value", KeyConditionExpression="a = :h")
    q("query/syntax", KeyConditionExpression="a = = :h", ExpressionAttributeValues=vals(":h"))
    q("query/reserved", KeyConditionExpression="a = :h AND size = :b", ExpressionAttributeValues=vals(":h", ":b"))
    q("query/nested-key", KeyConditionExpression="a.x = :h", ExpressionAttributeValues=vals(":h"))
    q("query/func", KeyConditionExpression="attribute_exists(a)")
    q("query/rcc", KeyConditionExpression="a = :h", ExpressionAttributeValues=vals(":h"), ReturnConsumedCapacity="TOTAL")
    q("query/consistent-index", IndexName="nope", ConsistentRead=True, KeyConditionExpression="a = :h",
      ExpressionAttributeValues=vals(":h"))
    q("query/empty-hash", KeyConditionExpression="a = :e", ExpressionAttributeValues={":e": S("")})
    q("query/absent-hash", KeyConditionExpression="a = :e", ExpressionAttributeValues={":e": S("zz")})
    q("query/names", KeyConditionExpression="#a = :h", ExpressionAttributeNames={"#a": "a"},
      ExpressionAttributeValues=vals(":h"))
    q("query/hash-table", TableName="cf_hash", KeyConditionExpression="a = :h AND b = :b",
      ExpressionAttributeValues=vals(":h", ":b"))

    # --- Scan
    def sc(id_, **kw):
        b = {"TableName": "cf_range"}
        b.update(kw)
        add("Scan", b, id_)

    sc("scan/all")
    sc("scan/count", Select="COUNT")
    sc("scan/segment-without-total", Segment=0)
    sc("scan/total-without-segment", TotalSegments=2)
    sc("scan/segment-ge-total", Segment=2, TotalSegments=2)
    sc("scan/segments", Segment=0, TotalSegments=1)
    sc("scan/filter", FilterExpression="v >= :n", ExpressionAttributeValues={":n": N("30")})
    sc("scan/filter-names", FilterExpression="#v >= :n", ExpressionAttributeNames={"#v": "v"},
       ExpressionAttributeValues={":n": N("30")})
    sc("scan/scanfilter", ScanFilter={"v": {"ComparisonOperator": "GE", "AttributeValueList": [N("30")]}})
    sc("scan/scanfilter-and-expr", ScanFilter={"v": {"ComparisonOperator": "GE", "AttributeValueList": [N("30")]}},
       FilterExpression="v >= :n", ExpressionAttributeValues={":n": N("30")})
    sc("scan/scanfilter-bad-args", ScanFilter={"v": {"ComparisonOperator": "GE"}})
    sc("scan/scanfilter-between-one", ScanFilter={"v": {"ComparisonOperator": "BETWEEN",
                                                        "AttributeValueList": [N("30")]}})
    sc("scan/scanfilter-contains-set", ScanFilter={"v": {"ComparisonOperator": "CONTAINS",
                                                         "AttributeValueList": [{"NS": ["30"]}]}})
    sc("scan/scanfilter-condop", ScanFilter={"v": {"ComparisonOperator": "GE", "AttributeValueList": [N("30")]},
                                             "t": {"ComparisonOperator": "NOT_NULL"}}, ConditionalOperator="OR")
    sc("scan/proj-atg", ProjectionExpression="v", AttributesToGet=["v"])
    sc("scan/atg", AttributesToGet=["v"])
    sc("scan/atg-count", AttributesToGet=["v"], Select="COUNT")
    sc("scan/esk", ExclusiveStartKey={"a": S("h1"), "b": N("3")}, Limit=2, status_only=True)
    sc("scan/esk-bad", ExclusiveStartKey={"a": S("h1")})
    sc("scan/esk-extra", ExclusiveStartKey={"a": S("h1"), "b": N("3"), "c": N("1")})
    sc("scan/limit-1", Limit=1, status_only=True)
    sc("scan/index-missing", IndexName="nope")
    sc("scan/rcc", ReturnConsumedCapacity="TOTAL")
    sc("scan/consistent", ConsistentRead=True, Select="COUNT", ReturnConsumedCapacity="TOTAL")
    sc("scan/filter-unused", FilterExpression="attribute_exists(v)", ExpressionAttributeValues={":n": N("30")})
    sc("scan/big", TableName="cf_hash", Select="COUNT", ReturnConsumedCapacity="TOTAL")

    # --- BatchGetItem
    def bg(req, id_, **kw):
        b = {"RequestItems": req}
        b.update(kw)
        add("BatchGetItem", b, id_)

    bg({"cf_hash": {"Keys": [{"a": S("k1")}, {"a": S("zz")}]}}, "bget/ok")
    bg({"cf_hash": {"Keys": [{"a": S("k1")}, {"a": S("k1")}]}}, "bget/dup-keys")
    bg({"cf_hash": {"Keys": []}}, "bget/empty-keys")
    bg({"cf_hash": {"Keys": [{"a": S("x%d" % i)} for i in range(101)]}}, "bget/101-keys")
    bg({"cf_hash": {"Keys": [{"a": S("x%d" % i)} for i in range(100)]}}, "bget/100-keys")
    bg({"cf_hash": {"Keys": [{"a": S("x%d" % i)} for i in range(60)]},
        "cf_range": {"Keys": [{"a": S("h1"), "b": N(str(i))} for i in range(60)]}}, "bget/120-keys-2-tables")
    bg({"cf_hash": {"Keys": [{"a": N("1")}]}}, "bget/wrong-key-type")
    bg({"cf_nope": {"Keys": [{"a": S("1")}]}}, "bget/missing-table")
    bg({"cf_hash": {"Keys": [{"a": S("k1")}], "ProjectionExpression": "v, s"}}, "bget/projection")
    bg({"cf_hash": {"Keys": [{"a": S("k1")}], "ProjectionExpression": "v", "AttributesToGet": ["v"]}},
       "bget/proj-and-atg")
    bg({"cf_hash": {"Keys": [{"a": S("k1")}], "ProjectionExpression": "#x"}}, "bget/undefined-name")
    bg({"cf_hash": {"Keys": [{"a": S("k1")}], "ExpressionAttributeNames": {"#x": "x"}}}, "bget/unused-name")
    bg({"cf_hash": {"Keys": [{"a": S("k1")}]}}, "bget/rcc", ReturnConsumedCapacity="TOTAL")
    bg({"cf_hash": {"Keys": [{"a": S("")}]}}, "bget/empty-key")
    bg({"cf_range": {"Keys": [{"a": S("h1")}]}}, "bget/missing-range")

    # --- BatchWriteItem
    def bw(req, id_, **kw):
        b = {"RequestItems": req}
        b.update(kw)
        add("BatchWriteItem", b, id_)

    P = lambda item: {"PutRequest": {"Item": item}}
    D = lambda key: {"DeleteRequest": {"Key": key}}
    bw({"cf_hash": [P({"a": S("b1")}), D({"a": S("b2")})]}, "bwrite/ok")
    bw({"cf_hash": [P({"a": S("b1")}), P({"a": S("b1")})]}, "bwrite/dup-put")
    bw({"cf_hash": [P({"a": S("b1")}), D({"a": S("b1")})]}, "bwrite/dup-put-delete")
    bw({"cf_hash": [P({"a": S("b%d" % i)}) for i in range(26)]}, "bwrite/26")
    bw({"cf_hash": [P({"a": S("b%d" % i)}) for i in range(25)]}, "bwrite/25")
    # deletes of absent items, so that a server accepting it changes nothing
    bw({"cf_hash": [D({"a": S("c%d" % i)}) for i in range(13)],
        "cf_range": [D({"a": S("c"), "b": N(str(i))}) for i in range(13)]}, "bwrite/26-two-tables")
    bw({"cf_hash": []}, "bwrite/empty-list")
    bw({"cf_hash": [{}]}, "bwrite/empty-request")
    bw({"cf_hash": [{"PutRequest": {"Item": {"a": S("x")}}, "DeleteRequest": {"Key": {"a": S("y")}}}]},
       "bwrite/both-requests")
    bw({"cf_hash": [P({"a": N("1")})]}, "bwrite/wrong-key-type")
    bw({"cf_hash": [D({"a": S("1"), "z": S("1")})]}, "bwrite/extra-delete-key")
    bw({"cf_nope": [P({"a": S("1")})]}, "bwrite/missing-table")
    bw({"cf_hash": [P({"a": S("1"), "v": {"SS": []}})]}, "bwrite/empty-set")
    bw({"cf_hash": [P({"a": S("1"), "v": S("x" * 409600)})]}, "bwrite/too-big")
    bw({"cf_hash": [P({"a": S("")})]}, "bwrite/empty-key")
    bw({"cf_hash": [P({"a": S("b1")})]}, "bwrite/rcc", ReturnConsumedCapacity="TOTAL")
    bw({"cf_hash": [P({"a": S("b1")})]}, "bwrite/ricm", ReturnItemCollectionMetrics="SIZE")

    # --- more CreateTable checks
    b = ct_unique("cs_t1", [("a", "S"), ("c", "S")], [("a", "HASH")])
    g = copy.deepcopy(gsi)
    g["Projection"] = {}
    b["GlobalSecondaryIndexes"] = [g]
    add("CreateTable", b, "create/gsi-no-projection-type")
    gs = []
    for i in range(21):
        x = copy.deepcopy(gsi)
        x["IndexName"] = "gsi%d" % i
        gs.append(x)
    add("CreateTable", ct_unique("cs_t1", [("a", "S"), ("c", "S")], [("a", "HASH")],
                                 GlobalSecondaryIndexes=gs), "create/gsi-21")
    add("CreateTable", ct_unique("cs_t1", [("a", "S"), ("c", "S")], [("a", "HASH")],
                                 BillingMode="PAY_PER_REQUEST",
                                 GlobalSecondaryIndexes=[gsi]), "create/ppr-gsi-with-throughput")
    b = ct_unique("cs_t1", [("a", "S")], [("a", "HASH")], BillingMode="PAY_PER_REQUEST")
    del b["ProvisionedThroughput"]
    add("CreateTable", b, "create/ppr-ok", ignore=("TableDescription",))
    add("CreateTable", ct_unique("cs_t1", [("a", "S"), ("b", "S")], [("a", "HASH"), ("b", "RANGE")],
                                 LocalSecondaryIndexes=[dict(lsi, KeySchema=[
                                     {"AttributeName": "a", "KeyType": "HASH"},
                                     {"AttributeName": "b", "KeyType": "RANGE"}])]),
        "create/lsi-same-key-as-table")
    add("CreateTable", ct_unique("cs_t1", [("a", "S"), ("b", "S"), ("c", "S")],
                                 [("a", "HASH"), ("b", "RANGE")],
                                 LocalSecondaryIndexes=[dict(lsi, KeySchema=[
                                     {"AttributeName": "c", "KeyType": "RANGE"},
                                     {"AttributeName": "a", "KeyType": "HASH"}])]),
        "create/lsi-range-first")

    # --- a table with a GSI (KEYS_ONLY) and an LSI (INCLUDE)
    add("CreateTable", ct_od("cf_idx", [("a", "S"), ("b", "N"), ("g", "S"), ("l", "S")],
                          [("a", "HASH"), ("b", "RANGE")],
                          GlobalSecondaryIndexes=[{
                              "IndexName": "gk", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"},
                                                               {"AttributeName": "b", "KeyType": "RANGE"}],
                              "Projection": {"ProjectionType": "KEYS_ONLY"}}],
                          LocalSecondaryIndexes=[{
                              "IndexName": "li", "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"},
                                                               {"AttributeName": "l", "KeyType": "RANGE"}],
                              "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["x"]}}]),
        "fixture/cf_idx", ignore=("TableDescription",))
    for i in range(1, 6):
        put({"a": S("p"), "b": N(str(i)), "g": S("G%d" % (i % 2)), "l": S("L%d" % (6 - i)),
             "x": N(str(i)), "y": S("y%d" % i)}, "fixture/idx-%d" % i, table="cf_idx")
    put({"a": S("p"), "b": N("9"), "g": N("1")}, "idx/put-gsi-key-wrong-type", table="cf_idx")
    put({"a": S("p"), "b": N("9"), "g": S("")}, "idx/put-gsi-key-empty", table="cf_idx")
    put({"a": S("p"), "b": N("9"), "l": {"B": "YWJj"}}, "idx/put-lsi-key-wrong-type", table="cf_idx")
    put({"a": S("p"), "b": N("9"), "g": {"SS": ["x"]}}, "idx/put-gsi-key-set", table="cf_idx")
    upd("SET g = :n", "idx/update-gsi-key-wrong-type", key={"a": S("p"), "b": N("1")},
        vals={":n": N("1")}, table="cf_idx")
    upd("SET g.x = :n", "idx/update-gsi-key-nested", key={"a": S("p"), "b": N("1")},
        vals={":n": N("1")}, table="cf_idx")
    upd(None, "idx/attr-updates-gsi-key-wrong-type", key={"a": S("p"), "b": N("1")}, table="cf_idx",
        AttributeUpdates={"g": {"Action": "PUT", "Value": N("1")}})

    def qi(id_, **kw):
        b = {"TableName": "cf_idx"}
        b.update(kw)
        add("Query", b, id_)

    GV = {":g": S("G1"), ":p": S("p"), ":b": N("2"), ":l": S("L3")}

    def gv(*names):
        return {n: GV[n] for n in names}

    qi("idx/query-gsi", IndexName="gk", KeyConditionExpression="g = :g", ExpressionAttributeValues=gv(":g"))
    qi("idx/query-gsi-desc", IndexName="gk", KeyConditionExpression="g = :g", ScanIndexForward=False,
       ExpressionAttributeValues=gv(":g"))
    qi("idx/query-gsi-limit", IndexName="gk", KeyConditionExpression="g = :g", Limit=1,
       ExpressionAttributeValues=gv(":g"))
    qi("idx/query-gsi-esk", IndexName="gk", KeyConditionExpression="g = :g", Limit=1,
       ExclusiveStartKey={"a": S("p"), "b": N("1"), "g": S("G1")}, ExpressionAttributeValues=gv(":g"))
    qi("idx/query-gsi-esk-missing-index-key", IndexName="gk", KeyConditionExpression="g = :g",
       ExclusiveStartKey={"a": S("p"), "b": N("1")}, ExpressionAttributeValues=gv(":g"))
    qi("idx/query-gsi-esk-wrong-type", IndexName="gk", KeyConditionExpression="g = :g",
       ExclusiveStartKey={"a": S("p"), "b": N("1"), "g": N("1")}, ExpressionAttributeValues=gv(":g"))
    qi("idx/query-gsi-consistent", IndexName="gk", KeyConditionExpression="g = :g", ConsistentRead=True,
       ExpressionAttributeValues=gv(":g"))
    qi("idx/query-gsi-all-attributes", IndexName="gk", KeyConditionExpression="g = :g",
       Select="ALL_ATTRIBUTES", ExpressionAttributeValues=gv(":g"))
    qi("idx/query-gsi-all-projected", IndexName="gk", KeyConditionExpression="g = :g",
       Select="ALL_PROJECTED_ATTRIBUTES", ExpressionAttributeValues=gv(":g"))
    qi("idx/query-gsi-projection-nonkey", IndexName="gk", KeyConditionExpression="g = :g",
       ProjectionExpression="x", ExpressionAttributeValues=gv(":g"))
    qi("idx/query-gsi-count", IndexName="gk", KeyConditionExpression="g = :g", Select="COUNT",
       ExpressionAttributeValues=gv(":g"))
    qi("idx/query-gsi-filter-on-index-key", IndexName="gk", KeyConditionExpression="g = :g",
       FilterExpression="b > :b", ExpressionAttributeValues=gv(":g", ":b"))
    qi("idx/query-gsi-filter-on-table-key", IndexName="gk", KeyConditionExpression="g = :g",
       FilterExpression="a = :p", ExpressionAttributeValues=gv(":g", ":p"))
    qi("idx/query-gsi-by-table-key", IndexName="gk", KeyConditionExpression="a = :p",
       ExpressionAttributeValues=gv(":p"))
    qi("idx/query-gsi-rcc", IndexName="gk", KeyConditionExpression="g = :g", ReturnConsumedCapacity="INDEXES",
       ExpressionAttributeValues=gv(":g"))
    qi("idx/query-lsi", IndexName="li", KeyConditionExpression="a = :p AND l > :l",
       ExpressionAttributeValues=gv(":p", ":l"))
    qi("idx/query-lsi-all-attributes", IndexName="li", KeyConditionExpression="a = :p",
       Select="ALL_ATTRIBUTES", ExpressionAttributeValues=gv(":p"))
    qi("idx/query-lsi-projected", IndexName="li", KeyConditionExpression="a = :p",
       ExpressionAttributeValues=gv(":p"))
    qi("idx/query-lsi-consistent", IndexName="li", KeyConditionExpression="a = :p", ConsistentRead=True,
       ExpressionAttributeValues=gv(":p"))
    qi("idx/query-lsi-esk", IndexName="li", KeyConditionExpression="a = :p", Limit=2,
       ExclusiveStartKey={"a": S("p"), "b": N("4"), "l": S("L2")}, ExpressionAttributeValues=gv(":p"))
    qi("idx/query-lsi-rcc", IndexName="li", KeyConditionExpression="a = :p", ReturnConsumedCapacity="INDEXES",
       ExpressionAttributeValues=gv(":p"))
    qi("idx/query-lsi-filter-on-table-range", IndexName="li", KeyConditionExpression="a = :p",
       FilterExpression="b > :b", ExpressionAttributeValues=gv(":p", ":b"))
    add("Scan", {"TableName": "cf_idx", "IndexName": "gk"}, "idx/scan-gsi")
    add("Scan", {"TableName": "cf_idx", "IndexName": "gk", "ConsistentRead": True}, "idx/scan-gsi-consistent")
    add("Scan", {"TableName": "cf_idx", "IndexName": "li", "Select": "ALL_ATTRIBUTES"}, "idx/scan-lsi-all")
    add("Scan", {"TableName": "cf_idx", "IndexName": "gk", "Select": "ALL_ATTRIBUTES"}, "idx/scan-gsi-all")
    add("Scan", {"TableName": "cf_idx", "IndexName": "gk", "ExclusiveStartKey": {"a": S("p"), "b": N("1")}},
        "idx/scan-gsi-esk-short")
    add("Scan", {"TableName": "cf_idx", "IndexName": "gk", "ProjectionExpression": "g.x"},
        "idx/scan-gsi-nested-index-key")
    add("DescribeTable", {"TableName": "cf_idx"}, "idx/describe", status_only=True)
    add("DeleteItem", {"TableName": "cf_idx", "Key": {"a": S("p"), "b": N("5")}, "ReturnValues": "ALL_OLD",
                       "ReturnConsumedCapacity": "INDEXES"}, "idx/delete-rcc")
    add("PutItem", {"TableName": "cf_idx", "Item": {"a": S("p"), "b": N("5"), "g": S("G9")},
                    "ReturnConsumedCapacity": "INDEXES"}, "idx/put-rcc")
    add("BatchGetItem", {"RequestItems": {"cf_idx": {"Keys": [{"a": S("p"), "b": N("1")}]}},
                         "ReturnConsumedCapacity": "INDEXES"}, "idx/bget-rcc")

    # --- more KeyConditionExpression checks
    q("query/two-names-one-cond", KeyConditionExpression="a = b")
    q("query/value-only", KeyConditionExpression=":h = :h", ExpressionAttributeValues=vals(":h"))
    q("query/nested-parens", KeyConditionExpression="a = :h AND (b = :b)",
      ExpressionAttributeValues=vals(":h", ":b"))
    q("query/parens-whole", KeyConditionExpression="(a = :h)", ExpressionAttributeValues=vals(":h"))
    q("query/not", KeyConditionExpression="NOT a = :h", ExpressionAttributeValues=vals(":h"))
    q("query/func-size", KeyConditionExpression="a = :h AND size(b) > :b",
      ExpressionAttributeValues=vals(":h", ":b"))
    q("query/begins-with-hash", KeyConditionExpression="begins_with(a, :h)", ExpressionAttributeValues=vals(":h"))
    q("query/range-le", KeyConditionExpression="a = :h AND b <= :b", ExpressionAttributeValues=vals(":h", ":b"))
    q("query/range-lt-desc", KeyConditionExpression="a = :h AND b < :c", ScanIndexForward=False,
      ExpressionAttributeValues=vals(":h", ":c"))
    q("query/range-ge-limit", KeyConditionExpression="a = :h AND b >= :b", Limit=2,
      ExpressionAttributeValues=vals(":h", ":b"))
    q("query/esk-outside-range", KeyConditionExpression="a = :h AND b > :c",
      ExclusiveStartKey={"a": S("h1"), "b": N("1")}, ExpressionAttributeValues=vals(":h", ":c"))
    q("query/esk-range-eq-other-hash", KeyConditionExpression="a = :h AND b = :b",
      ExclusiveStartKey={"a": S("h2"), "b": N("3")}, ExpressionAttributeValues=vals(":h", ":b"))
    q("query/key-conditions-three", KeyConditions={
        "a": {"ComparisonOperator": "EQ", "AttributeValueList": [S("h1")]},
        "b": {"ComparisonOperator": "GT", "AttributeValueList": [N("1")]},
        "c": {"ComparisonOperator": "EQ", "AttributeValueList": [N("1")]}})
    q("query/key-conditions-range-gt", KeyConditions={
        "a": {"ComparisonOperator": "EQ", "AttributeValueList": [S("h1")]},
        "b": {"ComparisonOperator": "GT", "AttributeValueList": [N("5")]}})
    q("query/key-conditions-wrong-type", KeyConditions={
        "a": {"ComparisonOperator": "EQ", "AttributeValueList": [N("1")]}})
    q("query/key-conditions-between-one", KeyConditions={
        "a": {"ComparisonOperator": "EQ", "AttributeValueList": [S("h1")]},
        "b": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [N("1")]}})
    q("query/key-conditions-begins-number", KeyConditions={
        "a": {"ComparisonOperator": "EQ", "AttributeValueList": [S("h1")]},
        "b": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [N("1")]}})
    q("query/queryfilter", KeyConditions={"a": {"ComparisonOperator": "EQ", "AttributeValueList": [S("h1")]}},
      QueryFilter={"v": {"ComparisonOperator": "GT", "AttributeValueList": [N("30")]}})
    q("query/queryfilter-on-key", KeyConditions={"a": {"ComparisonOperator": "EQ", "AttributeValueList": [S("h1")]}},
      QueryFilter={"b": {"ComparisonOperator": "GT", "AttributeValueList": [N("3")]}})
    q("query/atg", KeyConditionExpression="a = :h", ExpressionAttributeValues=vals(":h"), AttributesToGet=["v"])
    q("query/select-specific-atg", KeyConditions={"a": {"ComparisonOperator": "EQ", "AttributeValueList": [S("h1")]}},
      Select="SPECIFIC_ATTRIBUTES", AttributesToGet=["v"])

    # --- more Scan checks
    sc("scan/esk-wrong-segment", Segment=1, TotalSegments=4, ExclusiveStartKey={"a": S("h1"), "b": N("3")})
    sc("scan/segment-big", Segment=999999, TotalSegments=1000000, Select="COUNT")
    sc("scan/filter-begins", FilterExpression="begins_with(t, :p)", ExpressionAttributeValues={":p": S("xx")})
    sc("scan/filter-size", FilterExpression="size(t) > :n", ExpressionAttributeValues={":n": N("3")})
    sc("scan/filter-in", FilterExpression="v IN (:a, :b)", ExpressionAttributeValues={":a": N("10"), ":b": N("70")})
    sc("scan/filter-between", FilterExpression="v BETWEEN :a AND :b",
       ExpressionAttributeValues={":a": N("20"), ":b": N("40")})
    sc("scan/filter-not-exists", FilterExpression="attribute_not_exists(t)")
    sc("scan/filter-type", FilterExpression="attribute_type(v, :t)", ExpressionAttributeValues={":t": S("N")})
    sc("scan/filter-contains", FilterExpression="contains(t, :p)", ExpressionAttributeValues={":p": S("xxx")})
    sc("scan/filter-ne", FilterExpression="v <> :a", ExpressionAttributeValues={":a": N("10")})
    sc("scan/limit-filter", Limit=3, FilterExpression="v > :a", ExpressionAttributeValues={":a": N("10")},
       status_only=True)

    # --- more UpdateExpression checks
    upd("SET v = if_not_exists(v)", "upd/if-not-exists-arity")
    upd("SET v = if_not_exists(:n, :n)", "upd/if-not-exists-value-first", vals={":n": N("1")})
    upd("SET v = foo(v)", "upd/unknown-function")
    upd("SET v = (:n)", "upd/parens-value", vals={":n": N("1")})
    upd("SET v = list_append(:n)", "upd/list-append-arity", vals={":n": {"L": []}})
    upd("SET v = :a + :b + :c", "upd/chained-plus", vals={":a": N("1"), ":b": N("1"), ":c": N("1")})
    upd("SET v = attribute_exists(v)", "upd/condition-function-in-set")
    upd("REMOVE v, v", "upd/remove-twice")
    upd("ADD v :n, v :n", "upd/add-twice", vals={":n": N("1")})
    upd("ADD ss :ss", "upd/add-set-new", vals={":ss": {"SS": ["q"]}}, key={"a": S("k-add")},
        ReturnValues="ALL_NEW")
    upd("ADD ns :ns", "upd/add-number-set", vals={":ns": {"NS": ["1", "2"]}}, key={"a": S("k-add")},
        ReturnValues="UPDATED_NEW")
    upd("ADD ns :ns", "upd/add-number-set-2", vals={":ns": {"NS": ["2", "3"]}}, key={"a": S("k-add")},
        ReturnValues="UPDATED_NEW")
    upd("DELETE ns :ns", "upd/delete-number-set", vals={":ns": {"NS": ["1", "3"]}}, key={"a": S("k-add")},
        ReturnValues="UPDATED_NEW")
    upd("ADD ns :ss", "upd/add-set-mismatch", vals={":ss": {"SS": ["1"]}}, key={"a": S("k-add")})
    upd("DELETE nope :ns", "upd/delete-missing-attr", vals={":ns": {"NS": ["1"]}}, key={"a": S("k-add")},
        ReturnValues="ALL_NEW")
    upd("SET l = list_append(l, :l)", "upd/list-append-missing", vals={":l": {"L": [N("1")]}},
        key={"a": S("k-add")})
    upd("SET #a = :n", "upd/key-via-name", vals={":n": S("x")}, names={"#a": "a"}, key={"a": S("k-add")})
    upd("SET v = :n", "upd/gsi-free-table-rv-none", vals={":n": N("1")}, key={"a": S("k-add")},
        ReturnValues="NONE")
    upd(None, "upd/attr-updates-add-set", key={"a": S("k-add")},
        AttributeUpdates={"ss": {"Action": "ADD", "Value": {"SS": ["r"]}}}, ReturnValues="UPDATED_NEW")
    upd(None, "upd/attr-updates-delete-set", key={"a": S("k-add")},
        AttributeUpdates={"ss": {"Action": "DELETE", "Value": {"SS": ["q"]}}}, ReturnValues="UPDATED_NEW")
    upd(None, "upd/attr-updates-add-num-to-str", key={"a": S("k-add")},
        AttributeUpdates={"ss": {"Action": "ADD", "Value": N("1")}})
    upd(None, "upd/attr-updates-bad-action", key={"a": S("k-add")},
        AttributeUpdates={"ss": {"Action": "NOPE", "Value": N("1")}})
    upd(None, "upd/attr-updates-with-expected", key={"a": S("k-add")},
        AttributeUpdates={"w": {"Action": "PUT", "Value": N("1")}}, Expected={"zz": {"Exists": False}},
        ReturnValues="ALL_NEW")
    upd(None, "upd/attr-updates-expected-fail", key={"a": S("k-add")},
        AttributeUpdates={"w": {"Action": "PUT", "Value": N("1")}}, Expected={"w": {"Value": N("99")}})

    # --- more legacy Expected checks
    put({"a": S("kx")}, "put/expected-between-mixed", Expected={"v": {"ComparisonOperator": "BETWEEN",
                                                                       "AttributeValueList": [N("1"), S("x")]}})
    put({"a": S("kx")}, "put/expected-begins-number", Expected={"v": {"ComparisonOperator": "BEGINS_WITH",
                                                                       "AttributeValueList": [N("1")]}})
    put({"a": S("kx")}, "put/expected-exists-true-value-ok", Expected={"a": {"Exists": True, "Value": S("kx")}})
    put({"a": S("kx")}, "put/expected-and-condop-or", ConditionalOperator="OR",
        Expected={"a": {"Exists": False}, "zz": {"Exists": False}})
    put({"a": S("kx")}, "put/expected-ne", Expected={"a": {"ComparisonOperator": "NE",
                                                        "AttributeValueList": [S("zz")]}})
    put({"a": S("kx")}, "put/expected-not-null-fail", Expected={"zz": {"ComparisonOperator": "NOT_NULL"}})
    put({"a": S("kx")}, "put/expected-in-ok", Expected={"a": {"ComparisonOperator": "IN",
                                                           "AttributeValueList": [S("kx"), S("y")]}})
    put({"a": S("kx")}, "put/expected-in-set-arg", Expected={"a": {"ComparisonOperator": "IN",
                                                                "AttributeValueList": [{"SS": ["kx"]}]}})

    # --- more BatchWriteItem / BatchGetItem checks
    bw({"cf_range": [P({"a": S("z"), "b": N("1")}), P({"a": S("z"), "b": N("1.0")})]}, "bwrite/dup-number-key")
    bw({"cf_range": [D({"a": S("z"), "b": N("1")}), D({"a": S("z"), "b": N("1")})]}, "bwrite/dup-delete")
    bw({"cf_hash": [D({"a": S("nope")})]}, "bwrite/delete-absent")
    bw({"cf_hash": [P({"a": S("b%d" % i), "v": S("x" * 20000)}) for i in range(25)]}, "bwrite/25-large")
    bg({"cf_range": {"Keys": [{"a": S("h1"), "b": N("1")}, {"a": S("h1"), "b": N("1.00")}]}}, "bget/dup-number")
    bg({"cf_hash": {"Keys": [{"a": S("k1")}], "ConsistentRead": True}}, "bget/consistent-rcc",
       ReturnConsumedCapacity="TOTAL")
    bg({"cf_hash": {"Keys": [{"a": S("k1")}], "AttributesToGet": ["v", "v"]}}, "bget/atg-dup")
    bg({"cf_hash": {"Keys": [{"a": S("k1")}], "ProjectionExpression": "#v",
                    "ExpressionAttributeNames": {"#v": "v"}}}, "bget/projection-names")

    # --- numbers compare and store by value
    put({"a": S("num"), "n1": N("1.500"), "n2": N("-0"), "n3": N("0.0001e4"), "n4": N("1E+2"),
         "ns": {"NS": ["3", "1.0", "02"]}}, "num/canonical-put")
    get({"a": S("num")}, "num/canonical-get", ConsistentRead=True)
    put({"a": S("num"), "n1": N("1e-130")}, "num/min-positive")
    put({"a": S("num"), "n1": N("-9.9999999999999999999999999999999999999E+125")}, "num/min-negative")
    put({"a": S("num"), "n1": N("0.00000000000000000000000000000000000000000001")}, "num/small")
    put({"a": S("num"), "n1": N("123456789012345678901234567890123456789")}, "num/39-digits")
    put({"a": S("num"), "n1": N("1234567890123456789012345678901234567.8")}, "num/38-digits-fraction")
    put({"a": S("num"), "n1": N("0.1234567890123456789012345678901234567800")}, "num/trailing-zeros")

    # --- item size with numbers (a number takes about one byte per two significant digits
    # plus one), keys and missing keys, on existing and absent tables
    MAX = 400 * 1024
    for name, n, pad in (("n38", "1" * 38 + "0" * 88, 20), ("n1e125", "1" + "0" * 125, 2),
                         ("n11e124", "11" + "0" * 124, 2), ("n5", "11111" + "0" * 121, 4),
                         ("n7", "1111111" + "0" * 119, 5)):
        for delta, label in ((1, "over"), (0, "fits")):
            put({"a": S("sz"), "b": S("a" * (MAX - 2 - 1 - 1 - pad - 1 + delta)), "c": N(n)},
                "size/%s-%s-absent-table" % (name, label), table="cf_nope")
            put({"a": S("sz"), "b": S("a" * (MAX - 2 - 1 - 1 - pad - 1 + delta)), "c": N(n)},
                "size/%s-%s" % (name, label))
    put({"a": S("sz"), "bbbbbbbbbbbbbbbbbbbbbbbbbbb": S("a" * (MAX - 2 - 27 - 0))}, "size/long-name-over")
    put({"a": S("sz"), "bbbbbbbbbbbbbbbbbbbbbbbbbbb": S("a" * (MAX - 2 - 27 - 1))}, "size/long-name-fits")
    put({}, "key/empty-item-absent-table", table="cf_nope")
    put({}, "key/empty-item")
    put({"b": S("x")}, "key/other-attr-only")
    put({"a": {"B": "abcd"}}, "key/binary-for-string")
    put({"a": {"NS": ["1"]}}, "key/ns-for-string")
    put({"a": {"BS": ["aaaa"]}}, "key/bs-for-string")
    put({"a": S("h"), "b": S("x" * 1025)}, "key/range-too-long", table="cf_range")
    put({"a": S("h"), "b": N("1"), "v": S("x")}, "key/range-table-ok", table="cf_range")
    put({"a": {"B": "YWFh" * 683}}, "key/binary-hash-too-long", table="cf_bin")
    put({"a": {"B": "YWFh" * 682 + "YWE="}}, "key/binary-hash-max", table="cf_bin")
    put({"a": S("kx")}, "put/expected-op-alone", Expected={"a": {"ComparisonOperator": "LT"}})
    put({"a": S("kx")}, "put/expected-exists-and-op", Expected={"a": {"Exists": True, "ComparisonOperator": "LT"}})
    put({"a": S("kx")}, "put/expected-list-without-op", Expected={"a": {"AttributeValueList": [S("a")]}})
    put({"a": S("kx")}, "put/expected-list-with-exists",
        Expected={"a": {"Exists": True, "AttributeValueList": [S("a")]}})
    put({"a": S("kx")}, "put/expected-between-three",
        Expected={"a": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [N("1"), N("2"), N("3")]}})
    put({"a": S("kx")}, "put/expected-value-between", Expected={"a": {"ComparisonOperator": "BETWEEN",
                                                                       "Value": S("a")}})
    put({"a": S("kx")}, "put/expected-value-null-op", Expected={"a": {"ComparisonOperator": "NULL",
                                                                       "Value": S("a")}})
    put({"a": S("kx")}, "put/expected-exists-false-fails", Expected={"a": {"Exists": False}})
    put({"a": S("kx")}, "put/expected-value-eq-ok", Expected={"a": {"Value": S("kx")}})
    put({"a": S("kx")}, "put/expected-value-mismatch", Expected={"a": {"Value": S("ky")}})
    put({"a": S("kx")}, "put/expected-value-exists-false", Expected={"a": {"Value": S("ky"), "Exists": False}})

    # --- BatchWriteItem item checks (they differ from PutItem's wording)
    bw({"cf_hash": [P({})]}, "bwrite/empty-item")
    bw({"cf_nope": [P({})]}, "bwrite/empty-item-absent-table")
    bw({"cf_hash": [P({"b": S("x")})]}, "bwrite/other-attr-only")
    bw({"cf_hash": [P({"a": {"B": "abcd"}})]}, "bwrite/binary-for-string")
    bw({"cf_hash": [P({"a": {"SS": ["x"]}})]}, "bwrite/set-for-string")
    bw({"cf_range": [P({"a": S("x")})]}, "bwrite/missing-range")
    bw({"cf_hash": [D({"a": S("dd")}), P({"a": S("dd")})]}, "bwrite/dup-delete-first")
    bw({"cf_hash": [P({"a": S("x"), "v": {"SS": ["a", ""]}})]}, "bwrite/set-empty-member")
    bw({"cf_hash": [P({"a": S("x"), "v": {"BS": ["YQ==", ""]}})]}, "bwrite/bset-empty-member")
    bw({"cf_hash": [P({"a": S("x"), "v": {"NS": ["1", ""]}})]}, "bwrite/nset-empty-member")
    bw({"cf_nope": [P({"a": S("x"), "b": S("a" * (400 * 1024 - 3))})]}, "bwrite/too-big-absent-table")
    bw({"cf_nope": [P({"a": S("x"), "b": S("a" * (400 * 1024 - 4))})]}, "bwrite/fits-absent-table")
    bw({"cf_hash": [D({})]}, "bwrite/delete-empty-key")
    bw({"cf_hash": [D({"a": S("")})]}, "bwrite/delete-empty-string-key")
    bw({"cf_idx": [P({"a": S("p"), "b": N("7"), "g": N("1")})]}, "bwrite/gsi-key-wrong-type")
    bg({"cf_hash": {"Keys": [{}]}}, "bget/empty-key-map")
    bg({"cf_nope": {"Keys": [{}]}}, "bget/empty-key-absent-table")
    bg({"cf_hash": {"Keys": [{"a": S("k1"), "b": S("x")}]}}, "bget/extra-key-attr")
    bg({"cf_hash": {"Keys": [{"a": S("k1")}], "ProjectionExpression": "a.b"}}, "bget/projection-nested-key")

    # --- paging: LastEvaluatedKey whenever Limit is reached, COUNT included
    q("page/limit-equals-count", KeyConditionExpression="a = :h", ExpressionAttributeValues=vals(":h"), Limit=7)
    q("page/limit-above-count", KeyConditionExpression="a = :h", ExpressionAttributeValues=vals(":h"), Limit=8)
    q("page/count-limit", KeyConditionExpression="a = :h", ExpressionAttributeValues=vals(":h"), Limit=2,
      Select="COUNT")
    q("page/desc-limit-esk", KeyConditionExpression="a = :h", ExpressionAttributeValues=vals(":h"), Limit=2,
      ScanIndexForward=False, ExclusiveStartKey={"a": S("h1"), "b": N("6")})
    q("page/filter-limit-esk", KeyConditionExpression="a = :h", FilterExpression="v > :c",
      ExpressionAttributeValues=vals(":h", ":c"), Limit=2, ExclusiveStartKey={"a": S("h1"), "b": N("4")})
    q("page/rcc-total", KeyConditionExpression="a = :h", ExpressionAttributeValues=vals(":h"),
      ReturnConsumedCapacity="TOTAL", ConsistentRead=True)
    q("page/rcc-indexes", KeyConditionExpression="a = :h", ExpressionAttributeValues=vals(":h"),
      ReturnConsumedCapacity="INDEXES")
    qi("page/lsi-all-rcc", IndexName="li", KeyConditionExpression="a = :p", Select="ALL_ATTRIBUTES",
       ReturnConsumedCapacity="TOTAL", ExpressionAttributeValues=gv(":p"))
    qi("page/lsi-projected-rcc", IndexName="li", KeyConditionExpression="a = :p",
       ReturnConsumedCapacity="TOTAL", ExpressionAttributeValues=gv(":p"))
    qi("page/gsi-rcc-total", IndexName="gk", KeyConditionExpression="g = :g", ReturnConsumedCapacity="TOTAL",
       ExpressionAttributeValues=gv(":g"))
    qi("page/lsi-limit", IndexName="li", KeyConditionExpression="a = :p", Limit=2,
       ExpressionAttributeValues=gv(":p"))

    # --- UpdateExpression checks in DynamoDB's priority (on cf_hash, key a)
    TV = {":s": S("x"), ":n": N("1"), ":b": {"B": "YQ=="}, ":t": {"BOOL": True}, ":z": {"NULL": True},
          ":ss": {"SS": ["x"]}, ":ns": {"NS": ["1"]}, ":bs": {"BS": ["YQ=="]}, ":m": {"M": {}},
          ":l": {"L": []}}
    for name, v in TV.items():
        for clause in ("ADD", "DELETE"):
            if (clause == "ADD" and name in (":n", ":ss", ":ns", ":bs")) or \
                    (clause == "DELETE" and name in (":ss", ":ns", ":bs")):
                continue
            upd("%s w.q %s" % (clause, name), "upd/type-%s-%s" % (clause.lower(), name[1:]),
                vals={name: v})
        if name not in (":l",):
            upd("SET w = list_append(%s, w)" % name, "upd/type-list-append-%s" % name[1:], vals={name: v})
        if name != ":n":
            upd("SET w = w + %s" % name, "upd/type-plus-%s" % name[1:], vals={name: v})
            upd("SET w = %s - w" % name, "upd/type-minus-%s" % name[1:], vals={name: v})
    for i, expr in enumerate(("SET a1 = :n SET a2 = :n", "REMOVE a1 SET a2 = :n REMOVE a3",
                              "ADD a1 :n SET a2 = :n ADD a3 :n", "DELETE a1 :ss SET a2 = :n DELETE a3 :ss")):
        used = {k: TV[k] for k in (":n", ":ss") if k in expr}
        upd(expr, "upd/section-twice-%d" % i, vals=used)
    upd("SET #w[1] = :n, #w.x = :n", "upd/conflict-names", vals={":n": N("1")}, names={"#w": "w"})
    upd("SET w.x.y = :n, w = :n", "upd/overlap-order", vals={":n": N("1")})
    upd("REMOVE w, #w.x", "upd/overlap-remove-names", names={"#w": "w"})
    upd("SET w[3].x = :n, w[3] = :n", "upd/overlap-index", vals={":n": N("1")})
    upd("REMOVE w.x SET w[1] = :n", "upd/conflict-remove-set", vals={":n": N("1")})
    upd("ADD a.b :n", "upd/key-nested-add", vals={":n": N("1")})
    upd("DELETE a :ns", "upd/key-delete", vals={":ns": {"NS": ["1"]}})
    upd("SET w = a.b + a[1]", "upd/key-read-nested")
    upd("REMOVE d SET b = :n, a = :n", "upd/key-among-others", vals={":n": N("1")})
    upd("SET w = if_not_exists(:n, w)", "upd/if-not-exists-value-path", vals={":n": N("1")})
    upd("SET w = if_not_exists(if_not_exists(w, v), v)", "upd/if-not-exists-nested")
    upd("SET w = list_append(w)", "upd/list-append-one")
    upd("SET w = :n", "upd/unused-names-two", vals={":n": N("1")}, names={"#a": "a", "#b": "b"})
    upd("REMOVE w", "upd/unused-values-two", vals={":a": S("a"), ":c": S("c")})
    upd("set w = :n", "upd/lowercase-set", vals={":n": N("1")}, ReturnValues="UPDATED_NEW")
    upd(" remove  w ", "upd/spaces-remove", ReturnValues="UPDATED_OLD")
    upd("SET w = :n", "upd/cond-empty", vals={":n": N("1")}, ConditionExpression="")
    upd("", "upd/both-empty", ConditionExpression="")
    upd("SET abOrt = :n", "upd/reserved-mixed-case", vals={":n": N("1")})
    upd("REMOVE Absolute", "upd/reserved-remove")
    upd("SET w = if_not_exist(w, :n)", "upd/misspelt-function", vals={":n": N("1")})
    upd("SET w = :n", "upd/empty-key", key={}, vals={":n": N("1")})
    upd("SET w = :n", "upd/key-bool", key={"a": {"BOOL": True}}, vals={":n": N("1")})
    upd("SET w = :n", "upd/key-extra", key={"a": S("ku"), "b": S("x")}, vals={":n": N("1")})
    upd("SET w = :n", "upd/empty-key-absent-table", key={}, vals={":n": N("1")}, table="cf_nope")
    upd(None, "upd/attr-updates-key-nested", AttributeUpdates={"a": {"Value": S("z")}})
    upd("SET w = :big", "upd/new-item-too-big", key={"a": S("ku-big")}, vals={":big": S("x" * 409590)})

    # --- DeleteTable / UpdateTable lifecycle
    add("CreateTable", ct("cf_tmp", [("a", "S")], [("a", "HASH")]), "life/create", ignore=("TableDescription",))
    add("UpdateTable", {"TableName": "cf_tmp", "ProvisionedThroughput":
                        {"ReadCapacityUnits": 7, "WriteCapacityUnits": 7}}, "life/update",
        ignore=("TableDescription",))
    add("UpdateTable", {"TableName": "cf_tmp", "BillingMode": "PAY_PER_REQUEST",
                        "ProvisionedThroughput": {"ReadCapacityUnits": 7, "WriteCapacityUnits": 7}},
        "life/update-ppr-with-throughput")
    add("DeleteTable", {"TableName": "cf_tmp"}, "life/delete", ignore=("TableDescription",))
    # every single-table item case again on a table that does not exist: what DynamoDB checks
    # with the request (values, expressions, legacy parameters) still answers, the rest is
    # ResourceNotFoundException
    for c in list(C):
        b = c["body"]
        if (c["op"] in ("GetItem", "PutItem", "DeleteItem", "UpdateItem", "Query", "Scan")
                and isinstance(b, dict) and b.get("TableName", "").startswith("cf_")
                and not c["id"].startswith("sem/absent/") and len(json.dumps(b)) < 20000):
            nb = copy.deepcopy(b)
            nb["TableName"] = "cf_nope"
            C.append(dict(op=c["op"], body=nb, id="sem/absent-copy/" + c["id"][4:]))
    return C


def write_shape_groups(path, rows):
    """Group shape disagreements by (dynalite message pattern, Stratus message pattern)."""
    def pattern(t):
        t = re.sub(r"Value '.*?' at '", "Value '...' at '", t or "")
        t = re.sub(r"at '[^']*'", "at '<path>'", t)
        t = re.sub(r"\d+ validation errors", "N validation errors", t)
        t = re.sub(r"parameter '[^']*'", "parameter '<member>'", t)
        return t[:160]
    groups = {}
    for c, a, b in rows:
        ea, eb = err_of(*a) or ("", ""), err_of(*b) or ("", "")
        key = (a[0], ea[0].split("#")[-1], pattern(ea[1]), b[0], eb[0].split("#")[-1], pattern(eb[1]))
        groups.setdefault(key, []).append((c, ea[1]))
    with open(path, "w") as f:
        f.write("# Shape-validation disagreements (every shape/* case and every case the triage calls\n"
                "# 'shape'), grouped; each case: id, [triage category], then dynalite's exact message.\n"
                "# 'dynalite' = dynalite differs from documented DynamoDB behaviour (the triage table in\n"
                "# tests/conformance/ddb_diff.py gives the source). From ddb_diff.py --shape-groups.\n")
        for key, cases in sorted(groups.items(), key=lambda kv: -len(kv[1])):
            f.write(f"\n## {len(cases)} cases | dynalite {key[0]} {key[1]}: {key[2]} | "
                    f"stratus {key[3]} {key[4]}: {key[5]}\n")
            for c, msg in cases:
                f.write(f"{c['id']}\t[{c['_triage']}]\t{msg}\n")


# ---------------------------------------------------------------- main
def load_model(path):
    for p in ([path] if path else MODEL_PATHS):
        if p and os.path.exists(p):
            with open(p) as f:
                return json.load(f)
    sys.exit("ddb_diff: botocore's dynamodb service-2.json not found (apt-get install python3-botocore)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--stratus", default="build/release/stratus")
    ap.add_argument("--dynalite", default="build/conformance/node_modules/dynalite/cli.js")
    ap.add_argument("--stratus-url")
    ap.add_argument("--dynalite-url")
    ap.add_argument("--model")
    ap.add_argument("--only")
    ap.add_argument("--json")
    ap.add_argument("--show", type=int, default=100000)
    ap.add_argument("--log-dir", default="build/conformance")
    ap.add_argument("--shape-groups", help="write the shape-validation disagreements, grouped "
                    "by message pattern with dynalite's exact message for each case, to this file")
    args = ap.parse_args()
    load_dynalite_declared(args.dynalite)

    shapes = Shapes(load_model(args.model))
    # semantic cases first: they create the fixture tables that shape cases refer to
    cases = semantic_cases() + shape_cases(shapes)
    # fixtures always run; --only filters the rest
    if args.only:
        rx = re.compile(args.only)
        cases = [c for c in cases if "/fixture/" in c["id"] or rx.search(c["id"])]

    procs = []
    try:
        def start_dynalite():
            port = free_port()
            log = open(args.log_dir + "/dynalite.log", "a" if procs else "w")
            p = subprocess.Popen(["node", args.dynalite, "--host", "127.0.0.1", "--port", str(port),
                                  "--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0"],
                                 stdout=subprocess.DEVNULL, stderr=log)
            procs.append(p)
            wait_port(port, p, "dynalite")
            return Endpoint(f"http://127.0.0.1:{port}")

        if args.dynalite_url:
            dyn = Endpoint(args.dynalite_url)
        else:
            dyn = start_dynalite()
        if args.stratus_url:
            st = Endpoint(args.stratus_url)
        else:
            port, api = free_port(), free_port()
            p = subprocess.Popen([args.stratus, "serve", "--aws-port", str(port), "--api-port", str(api),
                                  "--log-level", "error"], stdout=subprocess.DEVNULL,
                                 stderr=open(args.log_dir + "/stratus.log", "w"))
            procs.append(p)
            wait_port(port, p, "stratus")
            st = Endpoint(f"http://127.0.0.1:{port}")

        results = []
        crashed = []
        accepted = []
        trace = os.environ.get("DDB_DIFF_TRACE")
        for c in cases:
            if trace:
                print("case", c["id"], file=sys.stderr, flush=True)
            try:
                a = dyn.call(c["op"], c["body"])
            except OSError:
                # dynalite crashed on this input (it throws on some nulls nested in maps):
                # the case is left out of the share, dynalite restarted and every write it
                # had accepted replayed in order, so later cases see the same tables and
                # items on both servers.
                if args.dynalite_url:
                    raise
                crashed.append(c)
                dyn = start_dynalite()
                for f in accepted:
                    dyn.call(f["op"], f["body"])
                    if f["op"] in ("CreateTable", "DeleteTable", "UpdateTable"):
                        time.sleep(0.02)
                continue
            if a[0] == 200 and c["op"] in WRITE_OPS:
                accepted.append(c)
            if c["op"] in ("CreateTable", "DeleteTable", "UpdateTable"):
                time.sleep(0.02)   # dynalite's 0 ms state change still runs on a timer
            b = st.call(c["op"], c["body"])
            why = compare(c, a, b)
            results.append((c, a, b, why))
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    p.kill()

    # report
    per_op = {}
    for c, a, b, why in results:
        kind = c["id"].split("/")[0]
        d = per_op.setdefault((c["op"]), [0, 0])
        d[0] += why is None
        d[1] += 1
        d = per_op.setdefault(("kind:" + kind), [0, 0])
        d[0] += why is None
        d[1] += 1
    ok = sum(1 for r in results if r[3] is None)
    diffs = [r for r in results if r[3] is not None]

    def brief(reply):
        s, d = reply
        e = err_of(s, d)
        if e:
            return f"{s} {e[0].split('#')[-1]}: {e[1]}"
        return f"{s} {json.dumps(d, sort_keys=True)[:300]}"

    for c, a, b, why in diffs[:args.show]:
        cat, note = triage(c, a, b)
        print(f"DIFF {c['id']} ({why}) [{cat}{': ' + note if note and cat != 'shape' else ''}]")
        print(f"   body:     {json.dumps(c['body'])[:300]}")
        if why == "body":
            # show where the normalized bodies first part
            ja = json.dumps(norm_body(c["op"], a[1]), sort_keys=True)
            jb = json.dumps(norm_body(c["op"], b[1]), sort_keys=True)
            i = next((k for k in range(min(len(ja), len(jb))) if ja[k] != jb[k]), min(len(ja), len(jb)))
            lo = max(0, i - 80)
            print(f"   dynalite: ...{ja[lo:i + 120]}")
            print(f"   stratus:  ...{jb[lo:i + 120]}")
            continue
        print(f"   dynalite: {brief(a)[:400]}")
        print(f"   stratus:  {brief(b)[:400]}")
    print()
    for k in sorted(per_op):
        g, n = per_op[k]
        print(f"{k:28s} {g:5d}/{n:<5d} {100.0 * g / n:6.1f}%")
    for c in crashed:
        print(f"dynalite crashed (case left out): {c['id']}")
    cats = {}
    for c, a, b, why in diffs:
        cat, _ = triage(c, a, b)
        cats[cat] = cats.get(cat, 0) + 1
    print("disagreements by triage: " + ", ".join(f"{k} {v}" for k, v in sorted(cats.items())))
    explained = ok + sum(v for k, v in cats.items() if k in ("dynalite", "shape", "elsewhere"))
    documented = ok + cats.get("dynalite", 0)
    print(f"agreed or dynalite differs from documented DynamoDB behaviour: {documented}/"
          f"{len(results)} = {100.0 * documented / max(len(results), 1):.1f}%")
    print(f"agreement outside shape validation: "
          f"{ok - sum(1 for r in results if r[3] is None and r[0]['id'].startswith('shape/'))}"
          f"/{len(results) - sum(1 for r in results if r[0]['id'].startswith('shape/'))} semantic cases; "
          f"agreed or explained: {explained}/{len(results)}")
    print(f"agreement: {ok}/{len(results)} = {100.0 * ok / max(len(results), 1):.1f}%")
    if args.shape_groups:
        rows = []
        for c, a, b, why in diffs:
            cat = triage(c, a, b)[0]
            if cat == "shape" or c["id"].startswith("shape/"):
                rows.append((dict(c, _triage=cat), a, b))
        write_shape_groups(args.shape_groups, rows)
    def clip(x):
        # long strings (the 400 KB items) are cut in the saved results
        if isinstance(x, str) and len(x) > 300:
            return x[:300] + "...(%d chars)" % len(x)
        if isinstance(x, dict):
            return {k: clip(v) for k, v in x.items()}
        if isinstance(x, list):
            return [clip(v) for v in x[:150]]
        return x

    if args.json:
        with open(args.json, "w") as f:
            json.dump([{"id": c["id"], "op": c["op"], "body": clip(c["body"]), "why": why,
                        "triage": triage(c, a, b)[0] if why else None,
                        "dynalite": {"status": a[0], "body": clip(a[1])},
                        "stratus": {"status": b[0], "body": clip(b[1])}}
                       for c, a, b, why in results], f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
