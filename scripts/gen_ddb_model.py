#!/usr/bin/env python3
"""gen_ddb_model.py - build-time generator of storage/ddb_validate.c's tables.

Reads botocore's DynamoDB API model (dynamodb/2012-08-10/service-2.json, plain or
gzipped; Debian's python3-botocore installs it) and writes a C file of static const
shape tables: for every operation Stratus serves, its input structure, and every shape
reachable from it (structures with members in the order AWS reports them, required flags;
lists, maps, strings with length, pattern and enum, integers and longs with ranges,
booleans, blobs). storage/ddb_validate.c walks a request against them.

Usage: gen_ddb_model.py [--print-model-path] [OUT.c]
The model is found at $DDB_MODEL, else under botocore's data directory (Debian's
/usr/lib/python3/dist-packages, then any python3 site-packages holding botocore).
Standard library only. Output is deterministic (same model, same bytes).

Where the model alone does not give what AWS answers, the tables below say so, each with
its source (AWS's observed behaviour as dynalite records it, validations/*.js):
  ORDER        member order in error lists, where AWS's differs from the model's;
  ENUM_ORDER   order of enum values in "Member must satisfy enum value set: [...]";
  TABLE_NAME_FIRST  operations whose TableName gets AWS's older, separate checks
               ("The parameter 'TableName' is required...", "TableName must be at least
               3 characters long and at most 255 characters long") before the others;
  TYPES_ONLY   operations whose constraints AWS reports with messages of their own.
"""
import gzip
import glob
import json
import os
import sys

# The operations Stratus serves (storage/ddb_service.c's dispatch table). A unit test
# (test_ddb_validate.c) checks every dispatched operation has a model entry.
OPS = [
    "BatchGetItem", "BatchWriteItem", "CreateTable", "DeleteItem", "DeleteTable",
    "DescribeEndpoints", "DescribeLimits", "DescribeTable", "DescribeTimeToLive", "GetItem",
    "ListTables", "ListTagsOfResource", "PutItem", "Query", "Scan", "TagResource",
    "TransactGetItems", "TransactWriteItems", "UntagResource", "UpdateItem", "UpdateTable",
    "UpdateTimeToLive",
]

# Member order AWS reports errors in, where it differs from the model (dynalite's
# validations/<op>.js list members in the order AWS reported them). Members not named
# follow in model order.
ORDER = {
    "BatchGetItemInput": ["ReturnConsumedCapacity", "RequestItems"],
    "BatchWriteItemInput": ["ReturnConsumedCapacity", "ReturnItemCollectionMetrics",
                            "RequestItems"],
    "WriteRequest": ["DeleteRequest", "PutRequest"],
    "CreateTableInput": ["AttributeDefinitions", "TableName", "BillingMode",
                         "ProvisionedThroughput", "KeySchema", "LocalSecondaryIndexes",
                         "GlobalSecondaryIndexes"],
    "ProvisionedThroughput": ["WriteCapacityUnits", "ReadCapacityUnits"],
    "DeleteItemInput": ["ReturnConsumedCapacity", "TableName", "ReturnValues",
                        "ReturnItemCollectionMetrics", "Key", "ConditionalOperator",
                        "Expected", "ConditionExpression", "ExpressionAttributeValues",
                        "ExpressionAttributeNames"],
    "ExpectedAttributeValue": ["AttributeValueList", "ComparisonOperator", "Exists", "Value"],
    "GetItemInput": ["ReturnConsumedCapacity", "AttributesToGet", "TableName", "Key",
                     "ConsistentRead", "ProjectionExpression", "ExpressionAttributeNames"],
    "PutItemInput": ["ReturnConsumedCapacity", "TableName", "Item", "ConditionalOperator",
                     "Expected", "ReturnValues", "ReturnItemCollectionMetrics",
                     "ConditionExpression", "ExpressionAttributeValues",
                     "ExpressionAttributeNames"],
    "QueryInput": ["Select", "IndexName", "ReturnConsumedCapacity", "QueryFilter", "TableName",
                   "ConditionalOperator", "AttributesToGet", "Limit", "KeyConditions",
                   "ExclusiveStartKey", "ConsistentRead", "ScanIndexForward",
                   "KeyConditionExpression", "FilterExpression", "ProjectionExpression",
                   "ExpressionAttributeValues", "ExpressionAttributeNames"],
    "ScanInput": ["Select", "IndexName", "TotalSegments", "ReturnConsumedCapacity", "TableName",
                  "ConditionalOperator", "ScanFilter", "Segment", "Limit", "AttributesToGet",
                  "ExclusiveStartKey", "FilterExpression", "ProjectionExpression",
                  "ExpressionAttributeValues", "ExpressionAttributeNames"],
    "UpdateItemInput": ["ReturnConsumedCapacity", "TableName", "ReturnItemCollectionMetrics",
                        "ReturnValues", "Key", "ConditionalOperator", "Expected",
                        "AttributeUpdates", "ConditionExpression", "UpdateExpression",
                        "ExpressionAttributeValues", "ExpressionAttributeNames"],
    "AttributeValueUpdate": ["Action", "Value"],
    "UpdateTableInput": ["TableName", "ProvisionedThroughput", "BillingMode",
                         "GlobalSecondaryIndexUpdates"],
    "GlobalSecondaryIndexUpdate": ["Update", "Create", "Delete"],
    "CreateGlobalSecondaryIndexAction": ["Projection", "IndexName", "ProvisionedThroughput",
                                         "KeySchema"],
    "ListTablesInput": ["Limit", "ExclusiveStartTableName"],
}

# Enum value order in AWS's messages (dynalite's validations/*.js, as AWS printed them);
# enums not named keep the model's order.
ENUM_ORDER = {
    "ReturnConsumedCapacity": ["INDEXES", "TOTAL", "NONE"],
    "ReturnValue": ["ALL_NEW", "UPDATED_OLD", "ALL_OLD", "NONE", "UPDATED_NEW"],
    "ReturnItemCollectionMetrics": ["SIZE", "NONE"],
    "ConditionalOperator": ["OR", "AND"],
    "ComparisonOperator": ["IN", "NULL", "BETWEEN", "LT", "NOT_CONTAINS", "EQ", "GT",
                           "NOT_NULL", "NE", "LE", "BEGINS_WITH", "GE", "CONTAINS"],
    "BillingMode": ["PROVISIONED", "PAY_PER_REQUEST"],
    "ScalarAttributeType": ["B", "N", "S"],
    "KeyType": ["HASH", "RANGE"],
    "ProjectionType": ["ALL", "INCLUDE", "KEYS_ONLY"],
    "Select": ["SPECIFIC_ATTRIBUTES", "COUNT", "ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES"],
    "AttributeAction": ["ADD", "PUT", "DELETE"],
}

# Operations whose TableName AWS checks first, with the older messages (dynalite's
# `required: true, tableName: true`): required, then length 3..255; only the pattern joins
# the list of errors.
TABLE_NAME_FIRST = ["CreateTable", "DeleteTable", "DescribeTable", "DescribeTimeToLive",
                    "UpdateTable", "UpdateTimeToLive"]

# Operations whose members AWS checks for JSON types only: their constraints are answered
# by the operation's own checks, in AWS's own words ("Invalid TableArn" for a missing
# ResourceArn, an AccessDeniedException for a malformed one; dynalite's
# validations/tagResource.js and test/tagResource.js).
TYPES_ONLY = ["ListTagsOfResource", "TagResource", "UntagResource"]

JAVA_PKG = "com.amazonaws.dynamodb.v20120810."
KINDS = {
    "structure": "DDB_SK_STRUCT", "list": "DDB_SK_LIST", "map": "DDB_SK_MAP",
    "string": "DDB_SK_STRING", "integer": "DDB_SK_INTEGER", "long": "DDB_SK_LONG",
    "boolean": "DDB_SK_BOOLEAN", "blob": "DDB_SK_BLOB",
}


def find_model():
    env = os.environ.get("DDB_MODEL")
    if env:
        return env
    rel = "botocore/data/dynamodb/2012-08-10/service-2.json"
    roots = ["/usr/lib/python3/dist-packages", "/usr/share/python3/dist-packages"]
    roots += sorted(glob.glob("/usr/local/lib/python3*/dist-packages"))
    roots += sorted(glob.glob("/usr/local/lib/python3*/site-packages"))
    roots += sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/*/lib/python3*/site-packages")))
    for root in roots:
        for suffix in ("", ".gz"):
            p = os.path.join(root, rel + suffix)
            if os.path.exists(p):
                return p
    sys.exit("gen_ddb_model: botocore's DynamoDB model not found; install python3-botocore "
             "(apt-get install python3-botocore) or set DDB_MODEL=path/to/service-2.json[.gz]")


def load_model(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        return json.load(f)


def lower_first(s):
    return s[:1].lower() + s[1:]


def c_str(s):
    out = ['"']
    for ch in s:
        o = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif 32 <= o < 127 and ch != "?":
            out.append(ch)
        else:
            for b in ch.encode("utf-8"):
                out.append("\\%03o" % b)
    out.append('"')
    return "".join(out)


def compile_pattern(pat):
    """A pattern of one character class repeated (`[...]+` or `[...]*`, optionally within
    ^...$) as (256-bit byte set, minimum repeat). Other forms stop the build: the validator
    would need more than this to check them, so they must be looked at first."""
    p = pat
    if p.startswith("^"):
        p = p[1:]
    if p.endswith("$"):
        p = p[:-1]
    if len(p) < 4 or p[0] != "[" or p[-1] not in "+*" or p[-2] != "]":
        sys.exit("gen_ddb_model: unsupported pattern %r" % pat)
    body = p[1:-2]
    neg = body.startswith("^")
    if neg:
        body = body[1:]
    chars = set()
    i = 0
    items = []
    while i < len(body):
        c = body[i]
        if c == "\\":
            if i + 1 >= len(body):
                sys.exit("gen_ddb_model: bad escape in %r" % pat)
            items.append(body[i + 1])
            i += 2
            continue
        if c == "[" or c == "]":
            sys.exit("gen_ddb_model: unsupported pattern %r" % pat)
        items.append(c)
        i += 1
    j = 0
    while j < len(items):
        if j + 2 < len(items) and items[j + 1] == "-":
            lo, hi = ord(items[j]), ord(items[j + 2])
            for o in range(lo, hi + 1):
                chars.add(o)
            j += 3
        else:
            chars.add(ord(items[j]))
            j += 1
    if any(o > 127 for o in chars):
        sys.exit("gen_ddb_model: non-ASCII class in %r" % pat)
    bits = [0] * 32
    for o in range(256):
        inside = o in chars
        if neg:
            inside = not inside and o < 128  # bytes >= 0x80 belong to non-ASCII characters
        if inside:
            bits[o >> 3] |= 1 << (o & 7)
    return bits, (1 if p[-1] == "+" else 0)


class Gen:
    def __init__(self, model):
        self.model = model
        self.shapes = model["shapes"]
        self.seen = []  # shape names in first-visit order
        self.idx = {}

    def visit(self, name):
        if name in self.idx:
            return
        s = self.shapes[name]
        if s["type"] not in KINDS:
            sys.exit("gen_ddb_model: shape %s has unsupported type %s" % (name, s["type"]))
        self.idx[name] = len(self.seen)
        self.seen.append(name)
        for k in ("member", "key", "value"):
            if k in s:
                self.visit(s[k]["shape"])
        for m in self.members(name):
            self.visit(s["members"][m]["shape"])

    def members(self, name):
        s = self.shapes[name]
        model_order = list(s.get("members", {}))
        want = ORDER.get(name, [])
        for m in want:
            if m not in model_order:
                sys.exit("gen_ddb_model: ORDER names %s.%s, absent from the model" % (name, m))
        return want + [m for m in model_order if m not in want]

    def java(self, name):
        s = self.shapes[name]
        t = s["type"]
        if t == "structure":
            return JAVA_PKG + name
        if t == "string":
            return "java.lang.String"
        if t == "list":
            return "java.util.List<%s>" % self.java(s["member"]["shape"])
        if t == "map":
            return "java.util.Map<java.lang.String, %s>" % self.java(s["value"]["shape"])
        return {"integer": "java.lang.Integer", "long": "java.lang.Long",
                "boolean": "java.lang.Boolean", "blob": "java.nio.ByteBuffer"}[t]

    def enum(self, name):
        vals = self.shapes[name].get("enum")
        if not vals:
            return None
        want = ENUM_ORDER.get(name)
        if want is None:
            return vals
        if sorted(want) != sorted(vals):
            sys.exit("gen_ddb_model: ENUM_ORDER[%s] %r differs from the model's %r"
                     % (name, want, vals))
        return want

    def emit(self, path_label):
        out = []
        w = out.append
        w("/* ddb_model.c - GENERATED by scripts/gen_ddb_model.py from botocore's DynamoDB")
        w(" * model (%s, version %s). Do not edit. */" % (os.path.basename(path_label),
                                                        self.model["metadata"]["apiVersion"]))
        w('#include "storage/ddb_validate.h"')
        w("")
        w("#include <stddef.h>")
        w("")
        for n in self.seen:
            w("static const ddb_shape S_%s;" % n)
        w("")
        for n in self.seen:
            s = self.shapes[n]
            t = s["type"]
            extra = []
            if t == "structure":
                req = set(s.get("required", []))
                mem = self.members(n)
                if len(mem) > 32:  # DDB_STRUCT_MEMBERS_MAX in storage/ddb_validate.h
                    sys.exit("gen_ddb_model: %s has %d members, more than 32" % (n, len(mem)))
                w("static const ddb_member M_%s[] = {" % n)
                for m in mem:
                    w("    { %s, %s, &S_%s, %d }," % (c_str(m), c_str(lower_first(m)),
                                                   s["members"][m]["shape"], int(m in req)))
                if not mem:
                    w("    { NULL, NULL, NULL, 0 },")
                w("};")
                extra.append(".members = M_%s" % n)
                extra.append(".nmembers = %d" % len(mem))
            vals = self.enum(n) if t == "string" else None
            if vals:
                w("static const char *const E_%s[] = { %s };" % (n, ", ".join(c_str(v) for v in vals)))
                extra.append(".enums = E_%s" % n)
                extra.append(".nenums = %d" % len(vals))
                extra.append(".enum_text = %s" % c_str("[" + ", ".join(vals) + "]"))
            if "pattern" in s and t == "string":
                bits, rep = compile_pattern(s["pattern"])
                w("static const ddb_pattern P_%s = { %s, %d, { %s } };" % (
                    n, c_str(s["pattern"]), rep, ", ".join("0x%02x" % b for b in bits)))
                extra.append(".pattern = &P_%s" % n)
            if "min" in s:
                extra.append(".has_min = 1")
                extra.append(".min = %dLL" % int(s["min"]))
            if "max" in s:
                extra.append(".has_max = 1")
                extra.append(".max = %dLL" % int(s["max"]))
            if t == "list":
                extra.append(".elem = &S_%s" % s["member"]["shape"])
            if t == "map":
                extra.append(".key = &S_%s" % s["key"]["shape"])
                extra.append(".elem = &S_%s" % s["value"]["shape"])
            w("static const ddb_shape S_%s = {" % n)
            w("    .name = %s," % c_str(n))
            w("    .java = %s," % c_str(self.java(n)))
            w("    .kind = %s," % KINDS[t])
            for e in extra:
                w("    %s," % e)
            w("};")
            w("")
        w("const ddb_op_model ddb_model_ops[] = {")
        for op in sorted(OPS):
            o = self.model["operations"][op]
            shape = "&S_%s" % o["input"]["shape"] if "input" in o else "NULL"
            flags = " | ".join(f for f, on in (("DDB_OPF_TABLE_NAME_FIRST", op in TABLE_NAME_FIRST),
                                               ("DDB_OPF_TYPES_ONLY", op in TYPES_ONLY)) if on) or "0"
            w("    { %s, %s, %s }," % (c_str(op), shape, flags))
        w("};")
        w("const int ddb_model_nops = %d;" % len(OPS))
        w("")
        # every operation the model names, served or not, so that a real DynamoDB operation
        # Stratus does not serve can be told from a misspelt one
        names = sorted(self.model["operations"])
        w("const char *const ddb_model_all_ops[] = {")
        for op in names:
            w("    %s," % c_str(op))
        w("};")
        w("const int ddb_model_nall_ops = %d;" % len(names))
        w("")
        return "\n".join(out)


def main(argv):
    path = find_model()
    if "--print-model-path" in argv:
        print(path)
        return 0
    model = load_model(path)
    g = Gen(model)
    for op in OPS:
        if op not in model["operations"]:
            sys.exit("gen_ddb_model: operation %s not in the model %s" % (op, path))
        o = model["operations"][op]
        if "input" in o:
            g.visit(o["input"]["shape"])
    for name in ORDER:
        if name not in g.idx:
            sys.exit("gen_ddb_model: ORDER names shape %s, not reachable" % name)
    text = g.emit(path)
    outs = [a for a in argv[1:] if not a.startswith("--")]
    if outs:
        tmp = outs[0] + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, outs[0])
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
