/* ddb_expr.h - DynamoDB expressions: condition (ConditionExpression, FilterExpression),
 * key condition (KeyConditionExpression), update (UpdateExpression) and projection.
 * Parsing substitutes #names and :values from the request; evaluation runs on items
 * (cJSON objects of attribute values, ddb_attr.h). Error texts are AWS's
 * ValidationException messages, e.g. "Invalid UpdateExpression: Syntax error; token:
 * \"SETX\", near: \"SETX a\"". Source: DynamoDB developer guide, Expressions
 * (Expressions.OperatorsAndFunctions, Expressions.UpdateExpressions,
 * Query.KeyConditionExpressions, ReservedWords). */
#ifndef DDB_EXPR_H
#define DDB_EXPR_H

#include <stddef.h>

#include <cjson/cJSON.h>

/* The substitutions of one request. Tracks which names/values were used so the request
 * can be rejected for unused ones ("Value provided in ExpressionAttributeValues unused
 * in expressions: keys: {:x}"). */
typedef struct ddb_expr_env {
    const cJSON *names;   /* ExpressionAttributeNames object, borrowed, may be NULL */
    const cJSON *values;  /* ExpressionAttributeValues object, borrowed, may be NULL */
    unsigned char *names_used;  /* owned: one flag per member of names */
    unsigned char *values_used; /* owned: one flag per member of values */
} ddb_expr_env;

/** Initialise env over names/values (borrowed). Returns 0 or -SIM_ENOMEM. */
int ddb_expr_env_init(ddb_expr_env *env, const cJSON *names, const cJSON *values);

/** Release the flags. Accepts NULL. */
void ddb_expr_env_release(ddb_expr_env *env);

/**
 * After all of a request's expressions are parsed: if a name or value was never used,
 * write AWS's message into err and return -SIM_EINVAL; else 0.
 */
int ddb_expr_env_check_unused(const ddb_expr_env *env, char *err, size_t errcap);

/**
 * Before parsing (added): check the maps themselves as DynamoDB does: not empty
 * ("ExpressionAttributeNames must not be empty"), keys of the form #[A-Za-z0-9_]+ /
 * :[A-Za-z0-9_]+ ("ExpressionAttributeValues contains invalid key: Syntax error; key:
 * \"a\""), every value a valid attribute value ("ExpressionAttributeValues contains invalid
 * value: <ddb_attr_validate message> for key :x"). Returns 0, -SIM_EINVAL with the message
 * in err, or -SIM_ENOMEM.
 */
int ddb_expr_env_validate(const ddb_expr_env *env, char *err, size_t errcap);

typedef struct ddb_cond ddb_cond;

/**
 * Parse a condition: comparators = <> < <= > >=, BETWEEN, IN, AND, OR, NOT, parentheses,
 * functions attribute_exists, attribute_not_exists, attribute_type, begins_with,
 * contains, size; document paths a.b[2].c. `what` names the parameter in messages
 * ("ConditionExpression", "FilterExpression"). *out is owned: ddb_cond_free().
 * Returns 0 or -SIM_EINVAL with AWS's message in err.
 */
int ddb_cond_parse(const char *text, const char *what, ddb_expr_env *env, ddb_cond **out,
                   char *err, size_t errcap);

/**
 * Evaluate c against item (may be NULL: no such item). Sets *out_true.
 * Returns 0, or -SIM_EINVAL with a message (e.g. an invalid operand type for a
 * function, which AWS reports as ValidationException).
 */
int ddb_cond_eval(const ddb_cond *c, const cJSON *item, int *out_true, char *err, size_t errcap);

void ddb_cond_free(ddb_cond *c);

/**
 * 1 when condition c (borrowed; NULL allowed, gives 0) reads a document path whose first
 * element is the top-level attribute name (after ExpressionAttributeNames), else 0; with
 * nested set, only paths that go below it (name.x, name[0]) count. Query uses it to refuse
 * a FilterExpression on key attributes (developer guide, Query filter expressions: "A
 * filter expression cannot contain partition key or sort key attributes"), Query and Scan
 * to refuse nested paths into key attributes, which are scalars.
 */
int ddb_cond_names(const ddb_cond *c, const char *name, int nested);

/* Sort key operators of a key condition. */
enum ddb_keyop { DDB_KEY_NONE = 0, DDB_KEY_EQ, DDB_KEY_LT, DDB_KEY_LE, DDB_KEY_GT, DDB_KEY_GE,
                 DDB_KEY_BETWEEN, DDB_KEY_BEGINS_WITH };

typedef struct ddb_keycond {
    char *pk_name;          /* owned: partition key attribute name */
    cJSON *pk_value;        /* owned: its value */
    char *sk_name;          /* owned, NULL when no sort key condition */
    int sk_op;              /* enum ddb_keyop */
    cJSON *sk_v1;           /* owned: operand (lower bound for BETWEEN) */
    cJSON *sk_v2;           /* owned: upper bound for BETWEEN, else NULL */
    int pk_op;              /* (added) DDB_KEY_EQ; another enum ddb_keyop when no part of the
                             * expression used "=" ("Query key condition not supported") */
} ddb_keycond;

/**
 * Parse a KeyConditionExpression: "pk = :v [AND sk op :w | sk BETWEEN :a AND :b |
 * begins_with(sk, :p)]" (either order of the two parts). Does not check the names
 * against the schema (the caller does, with its own messages). Returns 0 or
 * -SIM_EINVAL with AWS's message in err. out is filled only on success; release with
 * ddb_keycond_release().
 */
int ddb_keycond_parse(const char *text, ddb_expr_env *env, ddb_keycond *out, char *err,
                      size_t errcap);

void ddb_keycond_release(ddb_keycond *kc);

/**
 * (Added.) Without the schema the parser cannot tell "a = :x AND b = :y" apart: pk is the
 * first "=" part. Once the caller knows the partition key's name, this swaps the two parts
 * when the sort key part (an "=" one) names hash_name. When no part uses "=", pk_name is still
 * set: pk_* then holds the first part and pk_op its operator. Borrowed hash_name;
 * no allocation.
 */
void ddb_keycond_orient(ddb_keycond *kc, const char *hash_name);

typedef struct ddb_update ddb_update;

/**
 * Parse an UpdateExpression: SET (a = v, a = b + v, a = b - v, if_not_exists(p, v),
 * list_append(x, y)), REMOVE paths, ADD (numbers, sets), DELETE (sets); each clause at
 * most once. *out is owned: ddb_update_free(). Returns 0 or -SIM_EINVAL with message.
 */
int ddb_update_parse(const char *text, ddb_expr_env *env, ddb_update **out, char *err,
                     size_t errcap);

/**
 * Apply u to item in place (item is an object; a new item is an empty object).
 * Returns 0 or -SIM_EINVAL with AWS's message (e.g. "An operand in the update expression
 * has an incorrect data type"; "Nesting Levels have exceeded supported limits" when a SET
 * leaves an attribute nested more than 32 levels deep). On error the item may be partly changed: apply to a copy.
 * Every SET operand reads the item as it was before the update; REMOVE list indexes name
 * the list as it was. Values from ExpressionAttributeValues are copied as given (numbers
 * not canonicalised): normalise the item (ddb_item_normalize) before storing it.
 */
int ddb_update_apply(const ddb_update *u, cJSON *item, char *err, size_t errcap);

/** 1 when u would set, remove, add to or delete from top-level attribute name. */
int ddb_update_touches(const ddb_update *u, const char *name);

/**
 * (Added.) The parts of item (borrowed) at the document paths u acts on, as a new item
 * owned by the caller (cJSON_Delete); NULL on ENOMEM. Applied to the old item it gives
 * ReturnValues UPDATED_OLD, to the new item UPDATED_NEW (API reference, UpdateItem).
 */
cJSON *ddb_update_project(const ddb_update *u, const cJSON *item);

/** 1 when u (borrowed; NULL gives 0) acts on, or reads in an operand, a path below
 * top-level attribute name (name.x, name[0]), else 0. */
int ddb_update_nests(const ddb_update *u, const char *name);

void ddb_update_free(ddb_update *u);

typedef struct ddb_proj ddb_proj;

/** Parse a ProjectionExpression ("a, b.c, d[1]"). Owned: ddb_proj_free(). */
int ddb_proj_parse(const char *text, ddb_expr_env *env, ddb_proj **out, char *err,
                   size_t errcap);

/** New item holding only the projected paths of item (borrowed). NULL on ENOMEM. */
cJSON *ddb_proj_apply(const ddb_proj *p, const cJSON *item);

/** 1 when p (borrowed; NULL gives 0) projects a path below top-level attribute name
 * (name.x, name[0]), else 0. */
int ddb_proj_nests(const ddb_proj *p, const char *name);

void ddb_proj_free(ddb_proj *p);

#endif
