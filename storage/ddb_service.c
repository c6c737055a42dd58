/* ddb_service.c - the table service object: create/destroy, the table registry (sorted by
 * name), ddb_call dispatch, and the request readers and checks every operation shares
 * (JSON member types, validation messages, keys and items against a schema).
 * The operations themselves live in ddb_ops_*.c; sqlite in ddb_table.c.
 * Messages: DynamoDB API reference (Common Errors) and dynalite's validations. */
#include "storage/ddb_int.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core/sim_err.h"
#include "storage/ddb_attr.h"
#include "storage/ddb_validate.h"
#include "storage/store_sqlite.h"

/* ---- lifecycle ---- */

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p != NULL)
        memcpy(p, s, n);
    return p;
}

sim_time_us ddb__now(const ddb_service *svc)
{
    return sim_sched_now(svc->sched);
}

int ddb_service_create(sim_sched *sched, sim_rng *rng, sim_log *log, const ddb_options *opt,
                       ddb_service **out)
{
    int rc = -SIM_ENOMEM;
    ddb_service *svc = calloc(1, sizeof *svc);
    if (svc == NULL)
        return -SIM_ENOMEM;
    svc->sched = sched;
    svc->rng = rng;
    svc->log = log;
    const char *region = opt != NULL && opt->region != NULL ? opt->region : "us-east-1";
    const char *account = opt != NULL && opt->account_id != NULL ? opt->account_id : "000000000000";
    if ((svc->region = dup_str(region)) == NULL || (svc->account_id = dup_str(account)) == NULL)
        goto fail;
    if ((rc = store_sqlite_open(opt != NULL ? opt->db_path : NULL, &svc->db)) != 0) {
        if (log != NULL)
            SIM_LOGE(log, "ddb", "cannot open database %s",
                     opt != NULL && opt->db_path != NULL ? opt->db_path : ":memory:");
        goto fail;
    }
    if ((rc = ddb__tables_load(svc)) != 0) {
        if (log != NULL)
            SIM_LOGE(log, "ddb", "cannot load tables: %s", sqlite3_errmsg(svc->db));
        goto fail;
    }
    *out = svc;
    return 0;
fail:
    ddb_service_destroy(svc);
    return rc;
}

void ddb_service_destroy(ddb_service *svc)
{
    if (svc == NULL)
        return;
    for (int i = 0; i < svc->ntables; i++) {
        ddb__status_cancel(svc, svc->tables[i]);
        ddb__table_free(svc->tables[i]);
    }
    free(svc->tables);
    ddb__txn_tokens_free(svc);
    ddb__meta_free(svc); /* stops the TTL timer */
    sqlite3_finalize(svc->st_begin);
    sqlite3_finalize(svc->st_commit);
    sqlite3_finalize(svc->st_rollback);
    sqlite3_finalize(svc->st_meta_put);
    sqlite3_finalize(svc->st_meta_del);
    store_sqlite_close(svc->db);
    free(svc->region);
    free(svc->account_id);
    free(svc);
}

int ddb_table_count(const ddb_service *svc)
{
    return svc->ntables;
}

void ddb_service_set_status_delay(ddb_service *svc, sim_time_us delay_us)
{
    svc->status_delay_us = delay_us > 0 ? delay_us : 0;
}

void ddb_service_set_ttl_sweep(ddb_service *svc, sim_time_us period_us)
{
    svc->ttl_period_us = period_us > 0 ? period_us : 0;
}

void ddb_service_set_partition_limits(ddb_service *svc, int on)
{
    svc->partition_limits_off = !on;
}

/* Counters of one store (table or index) of t into *out. */
static void store_counters(const ddb_table *t, const ddb_store *st, ddb_store_counters *out)
{
    out->partitions = ddb__partitions(t, st);
    out->consumed_rcu_mu = st->rb.consumed_uu / (DDB_UU_PER_UNIT / 1000);
    out->consumed_wcu_mu = st->wb.consumed_uu / (DDB_UU_PER_UNIT / 1000);
    out->throttled_reads = st->rb.throttled;
    out->throttled_writes = st->wb.throttled;
    out->item_count = st->item_count;
}

int ddb_table_stats(ddb_service *svc, const char *table, ddb_table_counters *out)
{
    const ddb_table *t = ddb__table_find(svc, table);
    if (t == NULL)
        return -SIM_ENOENT;
    memset(out, 0, sizeof *out);
    store_counters(t, &t->st, &out->table);
    out->ngsi = 0; /* GSIs only: they come before the LSIs in t->gsi */
    while (out->ngsi < t->ngsi && !t->gsi[out->ngsi].is_lsi)
        out->ngsi++;
    for (int i = 0; i < out->ngsi && i < DDB_STATS_GSI_MAX; i++) {
        out->gsi_name[i] = t->gsi[i].name;
        store_counters(t, &t->gsi[i].st, &out->gsi[i]);
    }
    return 0;
}

/* ---- registry ---- */

/* Position of name in the sorted registry, or where it would go (*found 0). */
static int table_pos(const ddb_service *svc, const char *name, int *found)
{
    int lo = 0, hi = svc->ntables;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        int c = strcmp(svc->tables[mid]->name, name);
        if (c == 0) {
            *found = 1;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = 0;
    return lo;
}

ddb_table *ddb__table_find(const ddb_service *svc, const char *name)
{
    int found;
    int i = table_pos(svc, name, &found);
    return found ? svc->tables[i] : NULL;
}

int ddb__table_register(ddb_service *svc, ddb_table *t)
{
    if (svc->ntables == svc->cap) {
        int cap = svc->cap ? svc->cap * 2 : 16;
        ddb_table **n = realloc(svc->tables, (size_t)cap * sizeof *n);
        if (n == NULL)
            return -SIM_ENOMEM;
        svc->tables = n;
        svc->cap = cap;
    }
    int found;
    int i = table_pos(svc, t->name, &found);
    memmove(&svc->tables[i + 1], &svc->tables[i], (size_t)(svc->ntables - i) * sizeof t);
    svc->tables[i] = t;
    svc->ntables++;
    return 0;
}

void ddb__table_unregister(ddb_service *svc, ddb_table *t)
{
    int found;
    int i = table_pos(svc, t->name, &found);
    if (!found)
        return;
    memmove(&svc->tables[i], &svc->tables[i + 1], (size_t)(svc->ntables - i - 1) * sizeof t);
    svc->ntables--;
}

/* ---- dispatch ---- */

typedef int (*op_fn)(ddb_service *svc, const cJSON *req, sim_reply *r);

static const struct {
    const char *name;
    op_fn fn;
} ops[] = {
    /* 22 operations, found by a linear scan */
    { "BatchGetItem", ddb__op_batch_get_item },
    { "BatchWriteItem", ddb__op_batch_write_item },
    { "CreateTable", ddb__op_create_table },
    { "DeleteItem", ddb__op_delete_item },
    { "DeleteTable", ddb__op_delete_table },
    { "DescribeEndpoints", ddb__op_describe_endpoints },
    { "DescribeLimits", ddb__op_describe_limits },
    { "DescribeTable", ddb__op_describe_table },
    { "DescribeTimeToLive", ddb__op_describe_time_to_live },
    { "GetItem", ddb__op_get_item },
    { "ListTables", ddb__op_list_tables },
    { "ListTagsOfResource", ddb__op_list_tags_of_resource },
    { "PutItem", ddb__op_put_item },
    { "Query", ddb__op_query },
    { "Scan", ddb__op_scan },
    { "TagResource", ddb__op_tag_resource },
    { "TransactGetItems", ddb__op_transact_get_items },
    { "TransactWriteItems", ddb__op_transact_write_items },
    { "UntagResource", ddb__op_untag_resource },
    { "UpdateItem", ddb__op_update_item },
    { "UpdateTable", ddb__op_update_table },
    { "UpdateTimeToLive", ddb__op_update_time_to_live },
};

int ddb__internal(sim_reply *r, int rc)
{
    sim_reply_err(r, 500, "InternalServerError", "Internal server error");
    return rc;
}

int ddb__finish(int rc, sim_reply *r)
{
    if (rc >= 0 || (rc == DDB_EREPLY && sim_reply_failed(r)))
        return 0;
    return ddb__internal(r, rc == DDB_EREPLY ? -SIM_EINVAL : rc);
}

/* Members whose own keys are attribute names (an item, a key, the legacy per-attribute
 * maps); their values are AttributeValues, checked by ddb_attr_validate. */
static int names_member(const char *name)
{
    static const char *const maps[] = { "Item",          "Key",         "ExclusiveStartKey",
                                        "Expected",      "AttributeUpdates", "KeyConditions",
                                        "QueryFilter",   "ScanFilter" };
    for (size_t i = 0; i < sizeof maps / sizeof maps[0]; i++)
        if (strcmp(name, maps[i]) == 0)
            return 1;
    return 0;
}

static int has_empty_key(const cJSON *o)
{
    for (const cJSON *e = o->child; e != NULL; e = e->next)
        if (e->string != NULL && e->string[0] == '\0')
            return 1;
    return 0;
}

/* 1 when some attribute name in v (the request or a part of it) is empty: a top-level key of
 * an Item, Key, ExclusiveStartKey, Expected, AttributeUpdates, KeyConditions, QueryFilter or
 * ScanFilter, a key in BatchGetItem's Keys, or an AttributesToGet entry; the parts of
 * RequestItems and TransactItems are walked too. AttributeValues and the expression maps are
 * left to their own checks (nested Map keys: ddb_attr_validate; ExpressionAttributeNames:
 * ddb_expr_env_validate, whose message names the placeholder). */
static int empty_name_in(const cJSON *v)
{
    for (const cJSON *m = v->child; m != NULL; m = m->next) {
        const char *name = m->string != NULL ? m->string : "";
        if (cJSON_IsObject(m) && names_member(name)) {
            if (has_empty_key(m))
                return 1;
            continue;
        }
        if (cJSON_IsArray(m) && strcmp(name, "Keys") == 0) {
            for (const cJSON *k = m->child; k != NULL; k = k->next)
                if (cJSON_IsObject(k) && has_empty_key(k))
                    return 1;
            continue;
        }
        if (cJSON_IsArray(m) && strcmp(name, "AttributesToGet") == 0) {
            for (const cJSON *a = m->child; a != NULL; a = a->next)
                if (cJSON_IsString(a) && a->valuestring[0] == '\0')
                    return 1;
            continue;
        }
        if (strcmp(name, "ExpressionAttributeValues") == 0 ||
            strcmp(name, "ExpressionAttributeNames") == 0)
            continue;
        if ((cJSON_IsObject(m) || cJSON_IsArray(m)) && empty_name_in(m))
            return 1;
    }
    return 0;
}

int ddb_call(ddb_service *svc, const char *op, const cJSON *req, sim_reply *out)
{
    op_fn fn = NULL;
    for (size_t i = 0; op != NULL && i < sizeof ops / sizeof ops[0]; i++)
        if (strcmp(ops[i].name, op) == 0) {
            fn = ops[i].fn;
            break;
        }
    if (fn == NULL) {
        /* AWS answers an unknown operation with no message; a real DynamoDB operation that
         * Stratus does not emulate (PartiQL, backups, exports, global tables...) gets the
         * same __type with a message saying so, so that a user is not left guessing */
        int known = 0;
        for (int i = 0; op != NULL && i < ddb_model_nall_ops && !known; i++)
            known = strcmp(ddb_model_all_ops[i], op) == 0;
        if (known)
            sim_reply_err(out, 400, "UnknownOperationException",
                          "Stratus does not emulate the DynamoDB operation %s", op);
        else
            sim_reply_err(out, 400, "UnknownOperationException", NULL);
        return 0;
    }
    cJSON *empty = NULL;
    if (req == NULL) {
        if ((empty = cJSON_CreateObject()) == NULL)
            return ddb__internal(out, -SIM_ENOMEM);
        req = empty;
    } else if (!cJSON_IsObject(req)) {
        sim_reply_err(out, 400, "SerializationException", "%s",
                      cJSON_IsArray(req) ? "Start of list found where not expected"
                                         : "Expected null");
        return 0;
    }
    sim_reply_clear(out);
    /* a member named twice in one object: the last one stands, as AWS's JSON parser binds
     * it (ddb_validate.h); an item never holds one attribute twice */
    cJSON *dedup = NULL;
    if (ddb_json_has_dup_keys(req)) {
        if ((dedup = cJSON_Duplicate(req, 1)) == NULL || ddb_json_dedupe_keys(dedup) < 0) {
            cJSON_Delete(dedup);
            cJSON_Delete(empty);
            return ddb__internal(out, -SIM_ENOMEM);
        }
        req = dedup;
    }
    /* the request's shape against the API model first, as AWS checks it before the
     * operation's own checks (ddb_validate.c) */
    const ddb_op_model *model = ddb_model_op(op);
    cJSON *coerced = NULL;
    int vr = ddb_validate(model, req, out);
    if (vr < 0) {
        cJSON_Delete(empty);
        cJSON_Delete(dedup);
        return 0;
    }
    if (vr == DDB_VALIDATE_COERCE) { /* rare: Booleans sent as "true", "no", ... */
        if ((coerced = cJSON_Duplicate(req, 1)) == NULL ||
            ddb_validate_coerce(model, coerced) != 0) {
            cJSON_Delete(coerced);
            cJSON_Delete(empty);
            cJSON_Delete(dedup);
            return ddb__internal(out, -SIM_ENOMEM);
        }
        req = coerced;
    }
    /* attribute names of zero characters, wherever the request names attributes
     * (developer guide, HowItWorks.NamingRulesDataTypes: "at least one character long") */
    if (empty_name_in(req)) {
        ddb__validation(out, "%s", DDB_MSG_EMPTY_NAME);
        cJSON_Delete(empty);
        cJSON_Delete(coerced);
        cJSON_Delete(dedup);
        return 0;
    }
    int rc = fn(svc, req, out);
    if (rc == 0 && fn == ddb__op_create_table && !sim_reply_failed(out))
        rc = ddb__meta_on_create(svc, req); /* (added) CreateTable's Tags */
    cJSON_Delete(empty);
    cJSON_Delete(coerced);
    cJSON_Delete(dedup);
    if (rc < 0 && !sim_reply_failed(out))
        ddb__internal(out, rc);
    if (rc < 0 && svc->log != NULL)
        SIM_LOGE(svc->log, "ddb", "%s failed: %s", op, sim_strerror(rc));
    return rc < 0 ? rc : 0;
}

/* ---- request readers ---- */

static int serial(sim_reply *r, const char *msg)
{
    sim_reply_err(r, 400, "SerializationException", "%s", msg);
    return -1;
}

/* The readers below run after ddb_validate (ddb_call), which has already answered a member
 * of the wrong JSON type; their own type errors are a safety net worded as the validator
 * words them (AWS's SerializationException messages, ddb_validate.c type_check). */

/* "NUMBER_VALUE", "DECIMAL_VALUE", "TRUE_VALUE", "FALSE_VALUE" or "STRING_VALUE". */
static const char *json_kind(const cJSON *m)
{
    if (cJSON_IsNumber(m))
        return m->valuedouble == floor(m->valuedouble) ? "NUMBER_VALUE" : "DECIMAL_VALUE";
    if (cJSON_IsBool(m))
        return cJSON_IsTrue(m) ? "TRUE_VALUE" : "FALSE_VALUE";
    return "STRING_VALUE";
}

/* A scalar member m of the wrong JSON type for Java type jtype ("String", "Integer"). */
static int mistyped(const cJSON *m, const char *jtype, sim_reply *r)
{
    char msg[128];
    if (cJSON_IsArray(m))
        snprintf(msg, sizeof msg, "Unrecognized collection type class java.lang.%s", jtype);
    else if (cJSON_IsObject(m))
        snprintf(msg, sizeof msg, "Start of structure or map found where not expected");
    else
        snprintf(msg, sizeof msg, "%s cannot be converted to %s", json_kind(m), jtype);
    return serial(r, msg);
}

/* Member name of obj, NULL when absent or JSON null. */
static const cJSON *member(const cJSON *obj, const char *name)
{
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(obj, name);
    return m == NULL || cJSON_IsNull(m) ? NULL : m;
}

/* A string value m (NULL or JSON null: absent), as ddb__req_str. */
static int str_value(const cJSON *m, const char **out, sim_reply *r)
{
    if (m == NULL || cJSON_IsNull(m))
        return 0;
    if (cJSON_IsString(m)) {
        *out = m->valuestring;
        return 0;
    }
    return mistyped(m, "String", r);
}

int ddb__req_str(const cJSON *obj, const char *name, const char **out, sim_reply *r)
{
    return str_value(member(obj, name), out, r);
}

int ddb__req_av_check(const cJSON *m, int start_key, sim_reply *r)
{
    static const char *const bare[] = { "contains duplicates", "number set", "numeric value",
                                        "significant digits", "number with magnitude" };
    char err[DDB_ERR_MAX];
    const cJSON *e;
    cJSON_ArrayForEach(e, m)
    {
        int rc = ddb_attr_validate(e, err, sizeof err);
        if (rc == -SIM_ENOMEM)
            return rc;
        if (rc == 0)
            continue;
        int prefix = start_key;
        for (size_t i = 0; prefix && i < sizeof bare / sizeof bare[0]; i++)
            prefix = strstr(err, bare[i]) == NULL;
        sim_reply_err(r, 400, "ValidationException", "%s%s",
                      prefix ? "The provided starting key is invalid: " : "", err);
        return -1;
    }
    return 0;
}

int ddb__req_int(const cJSON *obj, const char *name, const char *jtype, int64_t *out, int *present,
                 sim_reply *r)
{
    const cJSON *m = member(obj, name);
    if (m == NULL)
        return 0;
    if (cJSON_IsNumber(m)) {
        /* AWS reads the JSON number and narrows it to the member's Java type: a value out of
         * that type's range becomes its nearest bound, as Java's double-to-int/long
         * conversion does (JLS 5.1.3; 1e999 is +Infinity, so Integer.MAX_VALUE), and the
         * constraint message then shows that bound. Fractions are floored (dynalite). */
        int is_int = strcmp(jtype, "Integer") == 0;
        double v = floor(m->valuedouble);
        double hi = is_int ? 2147483647.0 : 9223372036854775807.0; /* rounds to 2^63 */
        double lo = is_int ? -2147483648.0 : -9223372036854775808.0;
        if (v != v) /* NaN: cJSON never makes one, Java would give 0 */
            *out = 0;
        else if (v >= hi)
            *out = is_int ? INT32_MAX : INT64_MAX;
        else if (v <= lo)
            *out = is_int ? INT32_MIN : INT64_MIN;
        else
            *out = (int64_t)v;
        if (present != NULL)
            *present = 1;
        return 0;
    }
    return mistyped(m, jtype, r);
}

int ddb__req_bool(const cJSON *obj, const char *name, int *out, sim_reply *r)
{
    const cJSON *m = member(obj, name);
    if (m == NULL)
        return 0;
    if (cJSON_IsBool(m)) {
        *out = cJSON_IsTrue(m);
        return 0;
    }
    if (cJSON_IsString(m)) /* the validator turned "true", "no", ... into booleans */
        return serial(r, "Unexpected token received from parser");
    return mistyped(m, "Boolean", r);
}

/* A JSON object value m (map or structure): NULL or JSON null is absent (fine); a list or a
 * scalar is a SerializationException, the scalar one with scalar_msg. 0 or -1 (r set). */
static int object_value(const cJSON *m, const char *scalar_msg, const cJSON **out, sim_reply *r)
{
    if (m == NULL || cJSON_IsNull(m))
        return 0;
    if (cJSON_IsObject(m)) {
        *out = m;
        return 0;
    }
    if (cJSON_IsArray(m))
        return serial(r, "Start of list found where not expected");
    return serial(r, scalar_msg);
}

/* A JSON object member of obj named name, as object_value. */
static int req_object(const cJSON *obj, const char *name, const char *scalar_msg,
                      const cJSON **out, sim_reply *r)
{
    return object_value(member(obj, name), scalar_msg, out, r);
}

int ddb__req_map(const cJSON *obj, const char *name, const cJSON **out, sim_reply *r)
{
    return req_object(obj, name, "Expected map or null", out, r);
}

int ddb__val_list(const cJSON *m, const cJSON **out, sim_reply *r)
{
    if (m == NULL || cJSON_IsNull(m))
        return 0;
    if (cJSON_IsArray(m)) {
        *out = m;
        return 0;
    }
    if (cJSON_IsObject(m))
        return serial(r, "Start of structure or map found where not expected.");
    return serial(r, "Expected list or null");
}

int ddb__req_list(const cJSON *obj, const char *name, const cJSON **out, sim_reply *r)
{
    return ddb__val_list(member(obj, name), out, r);
}

int ddb__val_struct(const cJSON *m, const cJSON **out, sim_reply *r)
{
    return object_value(m, "Expected null", out, r);
}

int ddb__req_struct(const cJSON *obj, const char *name, const cJSON **out, sim_reply *r)
{
    return req_object(obj, name, "Expected null", out, r);
}

int ddb__req_attr_map(const cJSON *obj, const char *name, const cJSON **out, sim_reply *r)
{
    const cJSON *m = NULL, *e;
    if (ddb__req_map(obj, name, &m, r) != 0)
        return -1;
    /* one pass over the members themselves: looking each up by name again was quadratic */
    cJSON_ArrayForEach(e, m)
    {
        if (ddb__val_struct(e, &(const cJSON *){ NULL }, r) != 0)
            return -1;
    }
    if (m != NULL)
        *out = m;
    return 0;
}

/* ---- validation messages ---- */

void ddb__verr_init(ddb_verr *v)
{
    v->n = 0;
    v->len = 0;
    v->buf[0] = '\0';
}

void ddb__verr_add(ddb_verr *v, const char *value, const char *path, const char *constraint)
{
    if (v->len >= sizeof v->buf - 1)
        return;
    int n;
    if (value == NULL)
        n = snprintf(v->buf + v->len, sizeof v->buf - v->len,
                     "%sValue null at '%s' failed to satisfy constraint: %s", v->n ? "; " : "",
                     path, constraint);
    else
        n = snprintf(v->buf + v->len, sizeof v->buf - v->len,
                     "%sValue '%.4000s' at '%s' failed to satisfy constraint: %s", v->n ? "; " : "",
                     value, path, constraint);
    if (n > 0) {
        v->len += (size_t)n;
        if (v->len > sizeof v->buf - 1)
            v->len = sizeof v->buf - 1;
    }
    v->n++;
}

int ddb__verr_reply(const ddb_verr *v, sim_reply *r)
{
    if (v->n == 0)
        return 0;
    sim_reply_err(r, 400, "ValidationException", "%d validation error%s detected: %s", v->n,
                  v->n > 1 ? "s" : "", v->buf);
    return -1;
}

int ddb__validation(sim_reply *r, const char *fmt, ...)
{
    char buf[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    sim_reply_err(r, 400, "ValidationException", "%s", buf);
    return -1;
}

int ddb__check_table_name(const char *name, const char *path, ddb_verr *v, sim_reply *r)
{
    if (name == NULL) {
        ddb__verr_add(v, NULL, path, "Member must not be null");
        return 0;
    }
    size_t n = strlen(name);
    if (n < 3 || n > 255)
        return ddb__validation(r, "TableName must be at least 3 characters long and at most 255 "
                                  "characters long");
    for (const char *p = name; *p != '\0'; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-')) {
            ddb__verr_add(v, name, path,
                          "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
            break;
        }
    }
    return 0;
}

int ddb__req_table(ddb_service *svc, const cJSON *req, const char *not_found_msg, ddb_table **out,
                   sim_reply *r)
{
    const char *name = NULL;
    ddb_verr v;
    ddb__verr_init(&v);
    if (ddb__req_str(req, "TableName", &name, r) != 0 ||
        ddb__check_table_name(name, "tableName", &v, r) != 0 || ddb__verr_reply(&v, r) != 0)
        return -1;
    ddb_table *t = ddb__table_find_active(svc, name); /* CREATING/DELETING: not found */
    if (t == NULL) {
        sim_reply_err(r, 400, "ResourceNotFoundException", "%s", not_found_msg);
        return -1;
    }
    *out = t;
    return 0;
}

int ddb__req_rcc(const cJSON *req, ddb_verr *v, int *out, sim_reply *r)
{
    const char *s = NULL;
    *out = DDB_RCC_NONE;
    if (ddb__req_str(req, "ReturnConsumedCapacity", &s, r) != 0)
        return -1;
    if (s == NULL || strcmp(s, "NONE") == 0)
        return 0;
    if (strcmp(s, "TOTAL") == 0)
        *out = DDB_RCC_TOTAL;
    else if (strcmp(s, "INDEXES") == 0)
        *out = DDB_RCC_INDEXES;
    else
        ddb__verr_add(v, s, "returnConsumedCapacity",
                      "Member must satisfy enum value set: [INDEXES, TOTAL, NONE]");
    return 0;
}

int ddb__req_env(const cJSON *obj, int has_expr, ddb_expr_env *env, sim_reply *r)
{
    return ddb__req_env_for(obj, has_expr, has_expr, NULL, env, r);
}

int ddb__req_env_for(const cJSON *obj, int has_expr, int has_val_expr, const char *val_exprs,
                     ddb_expr_env *env, sim_reply *r)
{
    const cJSON *names = NULL, *values = NULL;
    char err[DDB_ERR_MAX];
    memset(env, 0, sizeof *env);
    if (ddb__req_map(obj, "ExpressionAttributeNames", &names, r) != 0 ||
        ddb__req_map(obj, "ExpressionAttributeValues", &values, r) != 0)
        return -1;
    const cJSON *e;
    int rc;
    /* wrong JSON types are SerializationExceptions; a null member stays a member (the map
     * is still there, and the placeholder is then undefined or its value invalid) */
    cJSON_ArrayForEach(e, names)
    {
        if (!cJSON_IsString(e) && (rc = str_value(e, &(const char *){ NULL }, r)) != 0)
            return rc;
    }
    cJSON_ArrayForEach(e, values)
    {
        if (!cJSON_IsObject(e) && (rc = ddb__val_struct(e, &(const cJSON *){ NULL }, r)) != 0)
            return rc;
    }
    if (names != NULL && !has_expr)
        return ddb__validation(r, "ExpressionAttributeNames can only be specified when using "
                                  "expressions");
    if (values != NULL && !has_val_expr) {
        if (val_exprs != NULL)
            return ddb__validation(r,
                                   "ExpressionAttributeValues can only be specified when using "
                                   "expressions: %s",
                                   val_exprs);
        return ddb__validation(r, "ExpressionAttributeValues can only be specified when using "
                                  "expressions");
    }
    /* non-empty maps, keys "#name" / ":value", then valid values, in that order */
    ddb_expr_env chk = { .names = names, .values = values };
    rc = ddb_expr_env_validate(&chk, err, sizeof err);
    if (rc == -SIM_EINVAL)
        return ddb__validation(r, "%s", err);
    if (rc != 0)
        return rc;
    rc = ddb_expr_env_init(env, names, values);
    if (rc != 0)
        memset(env, 0, sizeof *env);
    return rc;
}

/* 1 when any of c, p, u goes below top-level attribute name. */
static int nests(const ddb_cond *c, const ddb_proj *p, const ddb_update *u, const char *name)
{
    return name != NULL && (ddb_cond_names(c, name, 1) || ddb_proj_nests(p, name) ||
                            ddb_update_nests(u, name));
}

int ddb__key_paths_check(const struct ddb_table *t, const ddb_cond *c, const ddb_proj *p,
                         const ddb_update *u, sim_reply *r)
{
    static const char msg[] = "Key attributes must be scalars; list random access '[]' and "
                              "map lookup '.' are not allowed: %s: %s";
    const char *kn[2] = { t->st.ks.hash, t->st.ks.range };
    for (int k = 0; k < 2; k++) {
        if (nests(c, p, u, kn[k]))
            return ddb__validation(r, msg, "Key", kn[k]);
    }
    for (int i = 0; i < t->ngsi; i++) {
        const char *ik[2] = { t->gsi[i].st.ks.hash, t->gsi[i].st.ks.range };
        for (int k = 0; k < 2; k++) {
            if (nests(c, p, u, ik[k]))
                return ddb__validation(r, msg, "IndexKey", ik[k]);
        }
    }
    return 0;
}

int ddb__expr_fail(int rc, const char *msg, sim_reply *r)
{
    if (rc == -SIM_EINVAL)
        return ddb__validation(r, "%s", msg);
    return rc;
}

/* ---- keys and items against a schema ---- */

/* Bytes of a key value as DynamoDB counts them (S: UTF-8 bytes, B: decoded bytes). */
static size_t key_bytes(const cJSON *av)
{
    const char *s = av->child->valuestring;
    size_t n = strlen(s);
    if (strcmp(av->child->string, "B") != 0)
        return n;
    size_t pad = (n > 0 && s[n - 1] == '=') + (n > 1 && s[n - 2] == '=');
    return n / 4 * 3 - pad;
}

/* 1 when a key value is an empty S or B. */
static int key_empty(const cJSON *av)
{
    return av->child->string[0] != 'N' && av->child->valuestring[0] == '\0';
}

/* Checks of one key attribute value already known to have the declared type. */
static int key_piece_check(const char *name, const cJSON *av, int is_hash, sim_reply *r)
{
    if (key_empty(av))
        return ddb__validation(r,
                               "One or more parameter values are not valid. The AttributeValue "
                               "for a key attribute cannot contain an empty %s value. Key: %s",
                               av->child->string[0] == 'S' ? "string" : "binary", name);
    if (av->child->string[0] == 'N')
        return 0;
    size_t n = key_bytes(av);
    if (is_hash && n > DDB_HASH_KEY_MAX)
        return ddb__validation(r, "One or more parameter values were invalid: Size of hashkey has "
                                  "exceeded the maximum size limit of2048 bytes");
    if (!is_hash && n > DDB_RANGE_KEY_MAX)
        return ddb__validation(r, "One or more parameter values were invalid: Aggregated size of "
                                  "all range keys has exceeded the size limit of 1024 bytes");
    return 0;
}

int ddb__key_check(const ddb_keyschema *ks, const cJSON *key, ddb_key *out, sim_reply *r)
{
    char err[DDB_ERR_MAX];
    const cJSON *e;
    cJSON_ArrayForEach(e, key)
    {
        if (ddb_attr_validate(e, err, sizeof err) != 0)
            return ddb__validation(r, "%s", err);
    }
    int want = ks->range != NULL ? 2 : 1;
    if (cJSON_GetArraySize(key) != want)
        return ddb__validation(r, DDB_MSG_KEY_SCHEMA);
    for (int i = 0; i < want; i++) {
        const char *name = i == 0 ? ks->hash : ks->range;
        int type = i == 0 ? ks->hash_type : ks->range_type;
        const cJSON *av = cJSON_GetObjectItemCaseSensitive(key, name);
        if (av == NULL || ddb_attr_type(av) != type)
            return ddb__validation(r, DDB_MSG_KEY_SCHEMA);
        if (key_piece_check(name, av, i == 0, r) != 0)
            return -1;
    }
    int rc = ddb__key_encode(ks, key, out);
    if (rc == -SIM_EINVAL)
        return ddb__validation(r, DDB_MSG_KEY_SCHEMA);
    return rc;
}

int ddb__item_check_gsi_keys(const ddb_table *t, const cJSON *item, sim_reply *r)
{
    for (int i = t->ngsi - 1; i >= 0; i--) {
        const ddb_gsi *g = &t->gsi[i];
        for (int k = 0; k < 2; k++) {
            const char *name = k == 0 ? g->st.ks.hash : g->st.ks.range;
            int type = k == 0 ? g->st.ks.hash_type : g->st.ks.range_type;
            if (name == NULL)
                continue;
            const cJSON *av = cJSON_GetObjectItemCaseSensitive(item, name);
            if (av == NULL)
                continue;
            int actual = ddb_attr_type(av);
            if (actual != type)
                return ddb__validation(r,
                                       "One or more parameter values were invalid: Type mismatch "
                                       "for Index Key %s Expected: %s Actual: %s IndexName: %s",
                                       name, ddb_type_name(type), ddb_type_name(actual), g->name);
            if (key_empty(av))
                return ddb__validation(
                    r,
                    "One or more parameter values are not valid. A value specified for a "
                    "secondary index key is not supported. The AttributeValue for a key "
                    "attribute cannot contain an empty %s value. IndexName: %s, IndexKey: %s",
                    type == DDB_T_S ? "string" : "binary", g->name, name);
        }
    }
    return 0;
}

int ddb__item_check(const ddb_table *t, const cJSON *item, ddb_key *out, sim_reply *r)
{
    char err[DDB_ERR_MAX];
    if (ddb_item_validate(item, err, sizeof err) != 0)
        return ddb__validation(r, "%s", err);
    if (ddb_item_size(item) > DDB_ITEM_MAX_BYTES)
        return ddb__validation(r, "Item size has exceeded the maximum allowed size");
    const ddb_keyschema *ks = &t->st.ks;
    for (int i = 0; i < 2; i++) {
        const char *name = i == 0 ? ks->hash : ks->range;
        int type = i == 0 ? ks->hash_type : ks->range_type;
        if (name == NULL)
            continue;
        const cJSON *av = cJSON_GetObjectItemCaseSensitive(item, name);
        if (av == NULL)
            return ddb__validation(r,
                                   "One or more parameter values were invalid: Missing the key "
                                   "%s in the item",
                                   name);
        int actual = ddb_attr_type(av);
        if (actual != type)
            return ddb__validation(r,
                                   "One or more parameter values were invalid: Type mismatch for "
                                   "key %s expected: %s actual: %s",
                                   name, ddb_type_name(type), ddb_type_name(actual));
        if (key_piece_check(name, av, i == 0, r) != 0)
            return -1;
    }
    if (ddb__item_check_gsi_keys(t, item, r) != 0)
        return -1;
    int rc = ddb__key_encode(ks, item, out);
    if (rc == -SIM_EINVAL)
        return ddb__validation(r, DDB_MSG_KEY_SCHEMA);
    return rc;
}
