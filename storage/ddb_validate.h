/* ddb_validate.h - request validation of the table service against the DynamoDB API model:
 * the shape tables scripts/gen_ddb_model.py generates from botocore's service-2.json
 * (build/<mode>/gen/ddb_model.c), and the validator that checks a request body against its
 * operation's input shape before the operation runs, with AWS's SerializationException and
 * ValidationException messages. The operations' own semantic checks live in ddb_ops_*.c. */
#ifndef DDB_VALIDATE_H
#define DDB_VALIDATE_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "sim/core/sim_reply.h"

/* Kinds of model shapes (botocore "type"). */
enum ddb_shape_kind {
    DDB_SK_STRUCT = 1,
    DDB_SK_LIST,
    DDB_SK_MAP,
    DDB_SK_STRING,
    DDB_SK_INTEGER,
    DDB_SK_LONG,
    DDB_SK_BOOLEAN,
    DDB_SK_BLOB
};

/* A pattern of one character class repeated: the model's `[a-zA-Z0-9_.-]+`. */
typedef struct ddb_pattern {
    const char *text;      /* the pattern as the model and AWS's message spell it */
    int min_rep;           /* 1 for '+', 0 for '*' */
    unsigned char set[32]; /* bit b of set[c >> 3] is set when byte c is in the class */
} ddb_pattern;

typedef struct ddb_shape ddb_shape;

/* A member of a structure. */
typedef struct ddb_member {
    const char *name;       /* JSON member name ("TableName") */
    const char *path;       /* its segment in error paths, lower camel case ("tableName") */
    const ddb_shape *shape; /* its shape */
    int required;           /* 1 when the model lists it as required */
} ddb_member;

/* A model shape; static const tables, generated. Unused fields are 0 / NULL. */
struct ddb_shape {
    const char *name; /* model shape name ("KeySchemaElement") */
    const char *java; /* Java type AWS names in SerializationException messages */
    int kind;         /* enum ddb_shape_kind */
    int has_min, has_max;
    int64_t min, max;           /* length (string: UTF-16 units, list/map: entries, blob: bytes) or
                                   value range (integer, long) */
    const ddb_pattern *pattern; /* string pattern, or NULL */
    const char *const *enums;   /* string enum values, in AWS's message order */
    int nenums;
    const char *enum_text;     /* "[A, B, C]" as AWS prints the set */
    const ddb_member *members; /* structure members, in AWS's reporting order */
    int nmembers;
    const ddb_shape *elem; /* list member or map value shape */
    const ddb_shape *key;  /* map key shape */
};

#define DDB_OPF_TABLE_NAME_FIRST 1 /* TableName gets AWS's separate, earlier checks */
#define DDB_OPF_TYPES_ONLY       2 /* JSON types only: the operation words its constraints */

/* An operation's input shape. */
typedef struct ddb_op_model {
    const char *op;         /* "GetItem" */
    const ddb_shape *input; /* input structure, or NULL when the operation takes none */
    int flags;              /* DDB_OPF_* */
} ddb_op_model;

/* The generated table, sorted by op name (strcmp). */
extern const ddb_op_model ddb_model_ops[];
extern const int ddb_model_nops;
/** Every operation name of the model (served or not), sorted by strcmp, and their count. */
extern const char *const ddb_model_all_ops[];
extern const int ddb_model_nall_ops;

#define DDB_STRUCT_MEMBERS_MAX  32 /* members of a structure (the generator checks) */
#define DDB_VALIDATE_ERRORS_MAX 10 /* constraint errors AWS lists in one message */

/** The model entry of operation op ("GetItem"), or NULL when the model has none. */
const ddb_op_model *ddb_model_op(const char *op);

/**
 * Check request req (a JSON object, borrowed) against operation m's input shape, as AWS
 * does before running it, in one pass over req:
 * 1. JSON types: a member of the wrong JSON type is a 400 SerializationException with
 *    AWS's message ("NUMBER_VALUE cannot be converted to String", "Unexpected field type",
 *    "Unrecognized collection type class java.lang.String", ...). The first one, in member
 *    order, wins over everything else.
 * 2. For DDB_OPF_TABLE_NAME_FIRST operations, TableName absent ("The parameter 'TableName'
 *    is required but was not present in the request") or not 3..255 characters long
 *    ("TableName must be at least 3 characters long and at most 255 characters long").
 * 3. Constraints: required members ("Member must not be null"), lengths, value ranges,
 *    enums, patterns, map keys and values, as one 400 ValidationException "N validation
 *    error(s) detected: Value <v> at '<path>' failed to satisfy constraint: <c>; ..." with at
 *    most DDB_VALIDATE_ERRORS_MAX errors, in AWS's order.
 * DDB_OPF_TYPES_ONLY operations get step 1 only.
 * Unknown members are ignored and JSON null counts as absent, as AWS does.
 * Returns 0 when req passes (r untouched); DDB_VALIDATE_COERCE when it passes but sends a
 * Boolean as a string AWS's parser accepts ("true", "YES", "0": see ddb_validate_coerce);
 * or -1 with the error in r. Allocates nothing unless an error is reported. Sources: DynamoDB API
 * reference, "Common Errors" (SerializationException, ValidationException); messages as AWS sends
 * them, recorded by dynalite's validations and tests.
 */
int ddb_validate(const ddb_op_model *m, const cJSON *req, sim_reply *r);

#define DDB_VALIDATE_COERCE 1 /* ddb_validate: valid once string Booleans are read as such */

/**
 * Replace every Boolean member of req (which ddb_validate passed with DDB_VALIDATE_COERCE)
 * sent as a string by the JSON boolean AWS's parser reads from it: true/yes/1 in any case
 * is true, false/no/0 false (dynalite validations/index.js). req is modified in place
 * (borrowed). Returns 0 or -SIM_ENOMEM (req then partly converted).
 */
int ddb_validate_coerce(const ddb_op_model *m, cJSON *req);

/**
 * 1 when some JSON object anywhere in req (borrowed) names a member twice
 * ({"Item":{"b":{"S":"1"},"b":{"N":"2"}}}), else 0. Reads no clock or RNG; allocates up to
 * one array of pointers per object of more than 16 members (freed before returning); a
 * failed allocation counts as "has duplicates" so the caller's dedupe decides.
 */
int ddb_json_has_dup_keys(const cJSON *req);

/**
 * Remove from every JSON object in req (modified in place, borrowed) each member whose name
 * appears again later in the same object, so the last one stands: what AWS's JSON protocol
 * parser (Jackson, whose default binds a repeated name's last value) makes of such a
 * request. RFC 8259 section 4 leaves repeated names to the receiver; DynamoDB documents no
 * error for them, and an item must never hold one attribute twice. Returns the number of
 * members removed (0 when none), or -SIM_ENOMEM (req then partly deduplicated).
 */
int ddb_json_dedupe_keys(cJSON *req);

#endif
