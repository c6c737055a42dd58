/* ddb_ops_table.c - the control plane: CreateTable, DescribeTable, ListTables, UpdateTable
 * (throughput, billing mode, GSI Create/Update/Delete), DeleteTable: validation, AWS's errors
 * and the replies. Statuses and their timing (the status delay, GSI backfill) are
 * ddb_status.c's; with no status delay every change is ACTIVE in its own reply.
 * Source: DynamoDB API reference (API_CreateTable, API_DescribeTable, API_ListTables,
 * API_UpdateTable, API_DeleteTable, API_TableDescription); messages as dynalite's
 * validations/createTable.js and actions/updateTable.js record them. */
#include "storage/ddb_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sim/core/sim_err.h"
#include "storage/ddb_attr.h"

/* Epoch seconds of the scheduler's now. */
static double now_epoch_s(const ddb_service *svc)
{
    return (double)sim_clock_epoch_us(svc->sched->clock, ddb__now(svc)) / 1e6;
}

/* (Added.) Read Boolean member name of req as AWS's parser reads a Boolean, for a member the
 * generated validator's model (botocore 1.29.27) predates (DeletionProtectionEnabled): absent
 * or null leaves *out, true/false set it, a string true/yes/1 or false/no/0 (any case) too;
 * another type is the SerializationException the validator gives a known Boolean
 * (ddb_validate.c). 0, or -1 with r set. */
static int newer_bool(const cJSON *req, const char *name, int *out, sim_reply *r)
{
    static const char *const words[] = { "false", "true", "no", "yes", "0", "1" };
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(req, name);
    if (m == NULL || cJSON_IsNull(m))
        return 0;
    if (cJSON_IsBool(m)) {
        *out = cJSON_IsTrue(m);
        return 0;
    }
    const char *msg = "Start of structure or map found where not expected";
    if (cJSON_IsNumber(m))
        msg = m->valuedouble == floor(m->valuedouble) ? "NUMBER_VALUE cannot be converted to Boolean"
                                                      : "DECIMAL_VALUE cannot be converted to Boolean";
    else if (cJSON_IsArray(m))
        msg = "Unrecognized collection type class java.lang.Boolean";
    else if (cJSON_IsString(m)) {
        for (int i = 0; i < 6; i++)
            if (strcasecmp(m->valuestring, words[i]) == 0) {
                *out = i % 2;
                return 0;
            }
        msg = "Unexpected token received from parser";
    }
    sim_reply_err(r, 400, "SerializationException", "%s", msg);
    return -1;
}

/* ---- description ---- */

/* Add item to object o under name; on failure free item. 0 or -SIM_ENOMEM. */
static int put_member(cJSON *o, const char *name, cJSON *item)
{
    if (item == NULL || !cJSON_AddItemToObject(o, name, item)) {
        cJSON_Delete(item);
        return -SIM_ENOMEM;
    }
    return 0;
}

static int add_gsi(const ddb_service *svc, const ddb_table *t, const ddb_gsi *g, cJSON *arr)
{
    static const char *const ptn[] = { "ALL", "KEYS_ONLY", "INCLUDE" };
    char arn[1024];
    cJSON *o = cJSON_CreateObject();
    if (o == NULL || !cJSON_AddItemToArray(arr, o)) {
        cJSON_Delete(o);
        return -SIM_ENOMEM;
    }
    snprintf(arn, sizeof arn, "arn:aws:dynamodb:%s:%s:table/%s/index/%s", svc->region,
             svc->account_id, t->name, g->name);
    cJSON *proj;
    if (cJSON_AddStringToObject(o, "IndexName", g->name) == NULL ||
        put_member(o, "KeySchema", ddb__keyschema_json(&g->st.ks)) != 0 ||
        (proj = cJSON_AddObjectToObject(o, "Projection")) == NULL ||
        cJSON_AddStringToObject(proj, "ProjectionType", ptn[g->proj_type]) == NULL)
        return -SIM_ENOMEM;
    if (g->proj_type == DDB_PROJ_INCLUDE && g->n_nonkey > 0 &&
        put_member(proj, "NonKeyAttributes",
                   cJSON_CreateStringArray((const char *const *)g->nonkey, g->n_nonkey)) != 0)
        return -SIM_ENOMEM;
    /* an LSI has no status or throughput of its own
     * (API_LocalSecondaryIndexDescription); Backfilling only while a GSI added by
     * UpdateTable is CREATING (API_GlobalSecondaryIndexDescription) */
    if ((!g->is_lsi &&
         (cJSON_AddStringToObject(o, "IndexStatus", ddb__status_name(g->status)) == NULL ||
          (g->status == DDB_ST_CREATING && t->status != DDB_ST_CREATING &&
           cJSON_AddBoolToObject(o, "Backfilling", g->backfilling) == NULL) ||
          put_member(o, "ProvisionedThroughput", ddb__throughput_json(&g->st)) != 0)) ||
        cJSON_AddNumberToObject(o, "IndexSizeBytes", (double)g->st.size_bytes) == NULL ||
        cJSON_AddNumberToObject(o, "ItemCount", (double)g->st.item_count) == NULL ||
        cJSON_AddStringToObject(o, "IndexArn", arn) == NULL)
        return -SIM_ENOMEM;
    return 0;
}

/* Table description document of t (owned by the caller), or NULL on ENOMEM. */
static cJSON *table_describe(const ddb_service *svc, const ddb_table *t)
{
    char arn[512];
    cJSON *d = cJSON_CreateObject();
    if (d == NULL)
        return NULL;
    snprintf(arn, sizeof arn, "arn:aws:dynamodb:%s:%s:table/%s", svc->region, svc->account_id,
             t->name);
    if (put_member(d, "AttributeDefinitions", cJSON_Duplicate(t->attrdefs, 1)) != 0)
        goto fail;
    if (cJSON_AddStringToObject(d, "TableName", t->name) == NULL ||
        put_member(d, "KeySchema", ddb__keyschema_json(&t->st.ks)) != 0 ||
        cJSON_AddStringToObject(d, "TableStatus", ddb__status_name(t->status)) == NULL ||
        cJSON_AddNumberToObject(d, "CreationDateTime", t->created_s) == NULL ||
        put_member(d, "ProvisionedThroughput", ddb__throughput_json(&t->st)) != 0 ||
        cJSON_AddNumberToObject(d, "TableSizeBytes", (double)t->st.size_bytes) == NULL ||
        cJSON_AddNumberToObject(d, "ItemCount", (double)t->st.item_count) == NULL ||
        cJSON_AddStringToObject(d, "TableArn", arn) == NULL ||
        cJSON_AddStringToObject(d, "TableId", t->table_id) == NULL)
        goto fail;
    /* (added) BillingModeSummary once the table has been PAY_PER_REQUEST, kept after a switch
     * back to PROVISIONED (API_BillingModeSummary: "the time when PAY_PER_REQUEST was last
     * set"); DeletionProtectionEnabled on every table (API_TableDescription) */
    if (t->on_demand || t->ppr_since_s > 0) {
        cJSON *bm = cJSON_AddObjectToObject(d, "BillingModeSummary");
        if (bm == NULL ||
            cJSON_AddStringToObject(bm, "BillingMode",
                                    t->on_demand ? "PAY_PER_REQUEST" : "PROVISIONED") == NULL ||
            cJSON_AddNumberToObject(bm, "LastUpdateToPayPerRequestDateTime", t->ppr_since_s) ==
                NULL)
            goto fail;
    }
    if (cJSON_AddBoolToObject(d, "DeletionProtectionEnabled", t->deletion_protection) == NULL)
        goto fail;
    for (int lsi = 0; lsi < 2; lsi++) {
        cJSON *arr = NULL;
        for (int i = 0; i < t->ngsi; i++) {
            if (t->gsi[i].is_lsi != lsi)
                continue;
            if (arr == NULL &&
                (arr = cJSON_AddArrayToObject(d, lsi ? "LocalSecondaryIndexes"
                                                     : "GlobalSecondaryIndexes")) == NULL)
                goto fail;
            if (add_gsi(svc, t, &t->gsi[i], arr) != 0)
                goto fail;
        }
    }
    return d;
fail:
    cJSON_Delete(d);
    return NULL;
}

/* Reply {"<member>": description of t}, its TableStatus replaced by status when not NULL. */
static int reply_description(ddb_service *svc, const ddb_table *t, const char *member,
                             const char *status, sim_reply *r)
{
    cJSON *body = cJSON_CreateObject();
    cJSON *d = table_describe(svc, t);
    if (body == NULL || d == NULL || !cJSON_AddItemToObject(body, member, d)) {
        cJSON_Delete(body);
        cJSON_Delete(d);
        return ddb__internal(r, -SIM_ENOMEM);
    }
    if (status != NULL)
        cJSON_ReplaceItemInObjectCaseSensitive(d, "TableStatus", cJSON_CreateString(status));
    if (status != NULL && strcmp(status, "CREATING") == 0) {
        /* a new table's GSIs are created with it (API_GlobalSecondaryIndexDescription) */
        cJSON *g;
        cJSON_ArrayForEach(g, cJSON_GetObjectItemCaseSensitive(d, "GlobalSecondaryIndexes"))
        {
            cJSON_ReplaceItemInObjectCaseSensitive(g, "IndexStatus", cJSON_CreateString(status));
        }
    }
    sim_reply_ok(r, body);
    return 0;
}

/* ---- CreateTable ---- */

/* A list element that must be a structure. 0 or -1 (r set). */
static int elem_struct(const cJSON *e, sim_reply *r)
{
    if (cJSON_IsObject(e))
        return 0;
    sim_reply_err(r, 400, "SerializationException", "%s",
                  cJSON_IsArray(e) ? "Start of list found where not expected" : "Expected null");
    return -1;
}

/* Type-check a KeySchema list's elements (AttributeName, KeyType strings). */
static int keyschema_types(const cJSON *ks, sim_reply *r)
{
    const cJSON *e;
    const char *s;
    cJSON_ArrayForEach(e, ks)
    {
        if (elem_struct(e, r) != 0 || ddb__req_str(e, "AttributeName", &s, r) != 0 ||
            ddb__req_str(e, "KeyType", &s, r) != 0)
            return -1;
    }
    return 0;
}

/* Type-check a ProvisionedThroughput structure and read its units. */
static int throughput_types(const cJSON *parent, const cJSON **pt, int64_t *rcu, int *has_r,
                            int64_t *wcu, int *has_w, sim_reply *r)
{
    *pt = NULL;
    if (ddb__req_struct(parent, "ProvisionedThroughput", pt, r) != 0)
        return -1;
    if (*pt == NULL)
        return 0;
    if (ddb__req_int(*pt, "WriteCapacityUnits", "Long", wcu, has_w, r) != 0 ||
        ddb__req_int(*pt, "ReadCapacityUnits", "Long", rcu, has_r, r) != 0)
        return -1;
    return 0;
}

/* Accumulate the constraint errors of capacity units member (has: present) at path. */
static void units_verr(ddb_verr *v, const char *path, const char *member, int64_t units, int has)
{
    char p[320], val[32];
    snprintf(p, sizeof p, "%s.%s", path, member);
    if (!has) {
        ddb__verr_add(v, NULL, p, "Member must not be null");
    } else if (units < 1) {
        snprintf(val, sizeof val, "%lld", (long long)units);
        ddb__verr_add(v, val, p, "Member must have value greater than or equal to 1");
    }
}

/* Accumulate the constraint errors of a ProvisionedThroughput at path. */
static void throughput_verr(ddb_verr *v, const char *path, int64_t rcu, int has_r, int64_t wcu,
                            int has_w)
{
    units_verr(v, path, "writeCapacityUnits", wcu, has_w);
    units_verr(v, path, "readCapacityUnits", rcu, has_r);
}

/* BillingMode's enum and, when ProvisionedThroughput pt was given, its limits into v. */
static void billing_verr(ddb_verr *v, const char *bm, const cJSON *pt, int64_t rcu, int has_r,
                         int64_t wcu, int has_w)
{
    if (bm != NULL && strcmp(bm, "PROVISIONED") != 0 && strcmp(bm, "PAY_PER_REQUEST") != 0)
        ddb__verr_add(v, bm, "billingMode",
                      "Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]");
    if (pt != NULL)
        throughput_verr(v, "provisionedThroughput", rcu, has_r, wcu, has_w);
}

/* Accumulate the constraint errors of a KeySchema list at path. */
static void keyschema_verr(ddb_verr *v, const cJSON *ks, const char *path, int check_enum)
{
    char p[320];
    if (ks == NULL) {
        ddb__verr_add(v, NULL, path, "Member must not be null");
        return;
    }
    int n = cJSON_GetArraySize(ks);
    if (n < 1 || n > 2) {
        char *text = cJSON_PrintUnformatted(ks);
        ddb__verr_add(v, text != NULL ? text : "[]", path,
                      n < 1 ? "Member must have length greater than or equal to 1"
                            : "Member must have length less than or equal to 2");
        cJSON_free(text);
    }
    int i = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, ks)
    {
        i++;
        const cJSON *an = cJSON_GetObjectItemCaseSensitive(e, "AttributeName");
        const cJSON *kt = cJSON_GetObjectItemCaseSensitive(e, "KeyType");
        if (!cJSON_IsString(an)) {
            snprintf(p, sizeof p, "%s.%d.member.attributeName", path, i);
            ddb__verr_add(v, NULL, p, "Member must not be null");
        }
        snprintf(p, sizeof p, "%s.%d.member.keyType", path, i);
        if (!cJSON_IsString(kt))
            ddb__verr_add(v, NULL, p, "Member must not be null");
        else if (check_enum && strcmp(kt->valuestring, "HASH") != 0 &&
                 strcmp(kt->valuestring, "RANGE") != 0)
            ddb__verr_add(v, kt->valuestring, p,
                          "Member must satisfy enum value set: [HASH, RANGE]");
    }
}

static const char *ks_name(const cJSON *ks, int i)
{
    const cJSON *e = cJSON_GetArrayItem(ks, i);
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(e, "AttributeName");
    return cJSON_IsString(n) ? n->valuestring : NULL;
}

static const char *ks_type(const cJSON *ks, int i)
{
    const cJSON *e = cJSON_GetArrayItem(ks, i);
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(e, "KeyType");
    return cJSON_IsString(n) ? n->valuestring : "";
}

/* "[a, b]" of the AttributeName members of a list, into buf. */
static void names_list(const cJSON *arr, char *buf, size_t cap)
{
    size_t len = (size_t)snprintf(buf, cap, "[");
    int first = 1;
    const cJSON *e;
    cJSON_ArrayForEach(e, arr)
    {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(e, "AttributeName");
        if (len < cap)
            len += (size_t)snprintf(buf + len, cap - len, "%s%s", first ? "" : ", ",
                                    cJSON_IsString(n) ? n->valuestring : "null");
        first = 0;
    }
    if (len < cap)
        snprintf(buf + len, cap - len, "]");
}

static int attrdef_has(const cJSON *defs, const char *name)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, defs)
    {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(e, "AttributeName");
        if (name != NULL && cJSON_IsString(n) && strcmp(n->valuestring, name) == 0)
            return 1;
    }
    return 0;
}

/* The common KeySchema checks of a table or an index (custom messages). */
static int keyschema_custom(const cJSON *ks, const cJSON *defs, sim_reply *r)
{
    char keys[1024], dn[1024];
    int n = cJSON_GetArraySize(ks);
    for (int i = 0; i < n; i++) {
        if (!attrdef_has(defs, ks_name(ks, i))) {
            names_list(ks, keys, sizeof keys);
            names_list(defs, dn, sizeof dn);
            return ddb__validation(r,
                                   "One or more parameter values were invalid: Some index key "
                                   "attributes are not defined in AttributeDefinitions. Keys: %s, "
                                   "AttributeDefinitions: %s",
                                   keys, dn);
        }
    }
    if (n == 2 && strcmp(ks_name(ks, 0), ks_name(ks, 1)) == 0)
        return ddb__validation(r, "Both the Hash Key and the Range Key element in the KeySchema "
                                  "have the same name");
    if (strcmp(ks_type(ks, 0), "HASH") != 0)
        return ddb__validation(r, "Invalid KeySchema: The first KeySchemaElement is not a HASH key "
                                  "type");
    if (n == 2 && strcmp(ks_type(ks, 1), "RANGE") != 0)
        return ddb__validation(r, "Invalid KeySchema: The second KeySchemaElement is not a RANGE "
                                  "key type");
    return 0;
}

/* 1 when attribute name is a key of the table or of a GSI of the request. */
static int attr_used1(const cJSON *ks, const cJSON *gsis, const char *name)
{
    for (int i = 0; i < cJSON_GetArraySize(ks); i++)
        if (strcmp(ks_name(ks, i), name) == 0)
            return 1;
    const cJSON *g;
    cJSON_ArrayForEach(g, gsis)
    {
        const cJSON *gks = cJSON_GetObjectItemCaseSensitive(g, "KeySchema");
        for (int i = 0; i < cJSON_GetArraySize(gks); i++) {
            const char *n = ks_name(gks, i);
            if (n != NULL && strcmp(n, name) == 0)
                return 1;
        }
    }
    return 0;
}

/* Copy of a (validated) KeySchema with only AttributeName and KeyType. */
static cJSON *ks_copy(const cJSON *ks)
{
    cJSON *arr = cJSON_CreateArray();
    const cJSON *e;
    cJSON_ArrayForEach(e, ks)
    {
        if (arr == NULL)
            return NULL;
        cJSON *o = cJSON_CreateObject();
        if (o == NULL || !cJSON_AddItemToArray(arr, o)) {
            cJSON_Delete(o);
            cJSON_Delete(arr);
            return NULL;
        }
        const cJSON *an = cJSON_GetObjectItemCaseSensitive(e, "AttributeName");
        const cJSON *kt = cJSON_GetObjectItemCaseSensitive(e, "KeyType");
        if (cJSON_AddStringToObject(o, "AttributeName", an->valuestring) == NULL ||
            cJSON_AddStringToObject(o, "KeyType", kt->valuestring) == NULL) {
            cJSON_Delete(arr);
            return NULL;
        }
    }
    return arr;
}

/* (Added.) 1 when attribute name is a key of the table, a GSI or an LSI. */
static int attr_used(const cJSON *ks, const cJSON *gsis, const cJSON *lsis, const char *name)
{
    return attr_used1(ks, gsis, name) || attr_used1(NULL, lsis, name);
}

/* (Added.) JSON member types of one LocalSecondaryIndexes element
 * (SerializationException). */
static int lsi_types(const cJSON *e, sim_reply *r)
{
    const cJSON *lks = NULL, *proj = NULL, *nk = NULL, *a;
    const char *s;
    if (elem_struct(e, r) != 0 || ddb__req_str(e, "IndexName", &s, r) != 0 ||
        ddb__req_list(e, "KeySchema", &lks, r) != 0 || keyschema_types(lks, r) != 0 ||
        ddb__req_struct(e, "Projection", &proj, r) != 0 ||
        ddb__req_str(proj, "ProjectionType", &s, r) != 0 ||
        ddb__req_list(proj, "NonKeyAttributes", &nk, r) != 0)
        return -1;
    cJSON_ArrayForEach(a, nk)
    {
        if (!cJSON_IsString(a))
            return sim_reply_err(r, 400, "SerializationException", "%s",
                                 "Unexpected value type in list"),
                   -1;
    }
    return 0;
}

/* Constraint errors of element i (from 1) of index list `list` (IndexName,
 * KeySchema, Projection), added to v. */
static void index_verr_at(ddb_verr *v, const cJSON *e, const char *pre, sim_reply *r);

static void index_verr(ddb_verr *v, const cJSON *e, const char *list, int i, sim_reply *r)
{
    char pre[256];
    snprintf(pre, sizeof pre, "%s.%d.member", list, i);
    index_verr_at(v, e, pre, r);
}

/* (Added.) The constraint errors of an IndexName value in (may be NULL) at path p. */
static void index_name_verr(ddb_verr *v, const char *in, const char *p)
{
    if (in == NULL) {
        ddb__verr_add(v, NULL, p, "Member must not be null");
    } else {
        size_t n = strlen(in);
        int bad = 0;
        for (const char *c = in; *c != '\0'; c++)
            bad |= !((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                     (*c >= '0' && *c <= '9') || *c == '_' || *c == '.' || *c == '-');
        if (bad)
            ddb__verr_add(v, in, p,
                          "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
        if (n < 3)
            ddb__verr_add(v, in, p, "Member must have length greater than or equal to 3");
        if (n > 255)
            ddb__verr_add(v, in, p, "Member must have length less than or equal to 255");
    }
}

/* Constraint errors of one index definition e whose members' paths start with pre. */
static void index_verr_at(ddb_verr *v, const cJSON *e, const char *pre, sim_reply *r)
{
    char p[320];
    const char *in = NULL;
    const cJSON *iks = cJSON_GetObjectItemCaseSensitive(e, "KeySchema");
    const cJSON *proj = cJSON_GetObjectItemCaseSensitive(e, "Projection");
    (void)ddb__req_str(e, "IndexName", &in, r);
    snprintf(p, sizeof p, "%s.indexName", pre);
    index_name_verr(v, in, p);
    snprintf(p, sizeof p, "%s.keySchema", pre);
    keyschema_verr(v, iks, p, 0);
    snprintf(p, sizeof p, "%s.projection", pre);
    if (proj == NULL) {
        ddb__verr_add(v, NULL, p, "Member must not be null");
    } else {
        const char *ptype = NULL;
        (void)ddb__req_str(proj, "ProjectionType", &ptype, r);
        snprintf(p, sizeof p, "%s.projection.projectionType", pre);
        if (ptype != NULL && strcmp(ptype, "ALL") != 0 && strcmp(ptype, "INCLUDE") != 0 &&
            strcmp(ptype, "KEYS_ONLY") != 0)
            ddb__verr_add(v, ptype, p,
                          "Member must satisfy enum value set: [ALL, INCLUDE, KEYS_ONLY]");
    }
}

/* 1 when some element of list before stop (NULL: all) is named in. */
static int index_named(const cJSON *list, const cJSON *stop, const char *in)
{
    for (const cJSON *f = list != NULL ? list->child : NULL; f != NULL && f != stop; f = f->next)
        if (strcmp(cJSON_GetObjectItemCaseSensitive(f, "IndexName")->valuestring, in) == 0)
            return 1;
    return 0;
}

/* Custom checks of LocalSecondaryIndexes, in dynalite's order
 * (validations/createTable.js). -1 with r set, else 0. */
static int lsi_custom(const cJSON *ks, const cJSON *defs, const cJSON *lsis, sim_reply *r)
{
    char keys[1024], dn[1024];
    if (lsis->child == NULL)
        return ddb__validation(r, "One or more parameter values were invalid: List of "
                                  "LocalSecondaryIndexes is empty"),
               -1;
    if (cJSON_GetArraySize(ks) != 2)
        return ddb__validation(r, "One or more parameter values were invalid: Table KeySchema "
                                  "does not have a range key, which is required when specifying "
                                  "a LocalSecondaryIndex"),
               -1;
    const cJSON *e;
    cJSON_ArrayForEach(e, lsis)
    {
        const char *in = cJSON_GetObjectItemCaseSensitive(e, "IndexName")->valuestring;
        const cJSON *lks = cJSON_GetObjectItemCaseSensitive(e, "KeySchema");
        const cJSON *proj = cJSON_GetObjectItemCaseSensitive(e, "Projection");
        const cJSON *ptype = cJSON_GetObjectItemCaseSensitive(proj, "ProjectionType");
        const cJSON *nk = cJSON_GetObjectItemCaseSensitive(proj, "NonKeyAttributes");
        int n = cJSON_GetArraySize(lks);
        for (int i = 0; i < n; i++)
            if (!attrdef_has(defs, ks_name(lks, i))) {
                names_list(lks, keys, sizeof keys);
                names_list(defs, dn, sizeof dn);
                return ddb__validation(r,
                                       "One or more parameter values were invalid: Some index "
                                       "key attributes are not defined in AttributeDefinitions. "
                                       "Keys: %s, AttributeDefinitions: %s",
                                       keys, dn),
                       -1;
            }
        if (n == 2 && strcmp(ks_name(lks, 0), ks_name(lks, 1)) == 0)
            return ddb__validation(r, "Both the Hash Key and the Range Key element in the "
                                      "KeySchema have the same name"),
                   -1;
        if (strcmp(ks_type(lks, 0), "HASH") != 0)
            return ddb__validation(r, "Invalid KeySchema: The first KeySchemaElement is not a "
                                      "HASH key type"),
                   -1;
        if (n == 2 && strcmp(ks_type(lks, 1), "RANGE") != 0)
            return ddb__validation(r, "Invalid KeySchema: The second KeySchemaElement is not a "
                                      "RANGE key type"),
                   -1;
        if (n != 2)
            return ddb__validation(r,
                                   "One or more parameter values were invalid: Index KeySchema "
                                   "does not have a range key for index: %s",
                                   in),
                   -1;
        if (strcmp(ks_name(lks, 0), ks_name(ks, 0)) != 0)
            return ddb__validation(r,
                                   "One or more parameter values were invalid: Index KeySchema "
                                   "does not have the same leading hash key as table KeySchema "
                                   "for index: %s. index hash key: %s, table hash key: %s",
                                   in, ks_name(lks, 0), ks_name(ks, 0)),
                   -1;
        if (!cJSON_IsString(ptype))
            return ddb__validation(r, "One or more parameter values were invalid: Unknown "
                                      "ProjectionType: null"),
                   -1;
        if (nk != NULL && !cJSON_IsNull(nk) && strcmp(ptype->valuestring, "INCLUDE") != 0)
            return ddb__validation(r,
                                   "One or more parameter values were invalid: ProjectionType "
                                   "is %s, but NonKeyAttributes is specified",
                                   ptype->valuestring),
                   -1;
        if (index_named(lsis, e, in))
            return ddb__validation(r,
                                   "One or more parameter values were invalid: Duplicate index "
                                   "name: %s",
                                   in),
                   -1;
    }
    if (cJSON_GetArraySize(lsis) > DDB_LSI_MAX)
        return ddb__validation(r, "One or more parameter values were invalid: Number of "
                                  "LocalSecondaryIndexes exceeds per-table limit of 5"),
               -1;
    return 0;
}

/* (Added.) Definition of one validated index for the table document: IndexName,
 * KeySchema, Projection. NULL on ENOMEM. */
static cJSON *index_def(const cJSON *e)
{
    const cJSON *proj = cJSON_GetObjectItemCaseSensitive(e, "Projection");
    const cJSON *nk = cJSON_GetObjectItemCaseSensitive(proj, "NonKeyAttributes");
    cJSON *o = cJSON_CreateObject(), *po;
    if (o == NULL ||
        cJSON_AddStringToObject(o, "IndexName",
                                cJSON_GetObjectItemCaseSensitive(e, "IndexName")->valuestring) ==
            NULL ||
        put_member(o, "KeySchema", ks_copy(cJSON_GetObjectItemCaseSensitive(e, "KeySchema"))) !=
            0 ||
        (po = cJSON_AddObjectToObject(o, "Projection")) == NULL ||
        cJSON_AddStringToObject(
            po, "ProjectionType",
            cJSON_GetObjectItemCaseSensitive(proj, "ProjectionType")->valuestring) == NULL ||
        (cJSON_IsArray(nk) && put_member(po, "NonKeyAttributes", cJSON_Duplicate(nk, 1)) != 0)) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

static cJSON *throughput_def(int64_t rcu, int64_t wcu)
{
    cJSON *o = cJSON_CreateObject();
    if (o == NULL || cJSON_AddNumberToObject(o, "ReadCapacityUnits", (double)rcu) == NULL ||
        cJSON_AddNumberToObject(o, "WriteCapacityUnits", (double)wcu) == NULL ||
        cJSON_AddNumberToObject(o, "NumberOfDecreasesToday", 0) == NULL) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

int ddb__op_create_table(ddb_service *svc, const cJSON *req, sim_reply *r)
{
    const cJSON *defs = NULL, *ks = NULL, *gsis = NULL, *lsis = NULL, *pt = NULL;
    const char *name = NULL, *bm = NULL;
    int64_t rcu = 0, wcu = 0;
    int has_r = 0, has_w = 0, protect = 0;
    ddb_verr v;
    ddb__verr_init(&v);
    char p[320];

    /* JSON member types (DeletionProtectionEnabled is newer than the botocore model the
     * validator is generated from, which passes members it does not know, as AWS does) */
    if (ddb__req_list(req, "AttributeDefinitions", &defs, r) != 0 ||
        newer_bool(req, "DeletionProtectionEnabled", &protect, r) != 0 ||
        ddb__req_str(req, "TableName", &name, r) != 0 ||
        ddb__req_str(req, "BillingMode", &bm, r) != 0 ||
        throughput_types(req, &pt, &rcu, &has_r, &wcu, &has_w, r) != 0 ||
        ddb__req_list(req, "KeySchema", &ks, r) != 0 ||
        ddb__req_list(req, "LocalSecondaryIndexes", &lsis, r) != 0 ||
        ddb__req_list(req, "GlobalSecondaryIndexes", &gsis, r) != 0)
        return 0;
    const cJSON *e;
    const char *s;
    cJSON_ArrayForEach(e, defs)
    {
        if (elem_struct(e, r) != 0 || ddb__req_str(e, "AttributeName", &s, r) != 0 ||
            ddb__req_str(e, "AttributeType", &s, r) != 0)
            return 0;
    }
    if (keyschema_types(ks, r) != 0)
        return 0;
    cJSON_ArrayForEach(e, lsis)
    {
        if (lsi_types(e, r) != 0)
            return 0;
    }
    cJSON_ArrayForEach(e, gsis)
    {
        const cJSON *gks = NULL, *proj = NULL, *nk = NULL, *gpt;
        int64_t x;
        int hx;
        if (elem_struct(e, r) != 0 || ddb__req_str(e, "IndexName", &s, r) != 0 ||
            ddb__req_list(e, "KeySchema", &gks, r) != 0 || keyschema_types(gks, r) != 0 ||
            ddb__req_struct(e, "Projection", &proj, r) != 0 ||
            ddb__req_str(proj, "ProjectionType", &s, r) != 0 ||
            ddb__req_list(proj, "NonKeyAttributes", &nk, r) != 0 ||
            throughput_types(e, &gpt, &x, &hx, &x, &hx, r) != 0)
            return 0;
        const cJSON *a;
        cJSON_ArrayForEach(a, nk)
        {
            if (!cJSON_IsString(a))
                return sim_reply_err(r, 400, "SerializationException", "%s",
                                     "Unexpected value type in list");
        }
    }

    /* constraints */
    if (name != NULL && (strlen(name) < 3 || strlen(name) > 255)) {
        ddb__check_table_name(name, "tableName", &v, r);
        return 0;
    }
    if (defs == NULL)
        ddb__verr_add(&v, NULL, "attributeDefinitions", "Member must not be null");
    int i = 0;
    cJSON_ArrayForEach(e, defs)
    {
        i++;
        const cJSON *an = cJSON_GetObjectItemCaseSensitive(e, "AttributeName");
        const cJSON *at = cJSON_GetObjectItemCaseSensitive(e, "AttributeType");
        if (!cJSON_IsString(an)) {
            snprintf(p, sizeof p, "attributeDefinitions.%d.member.attributeName", i);
            ddb__verr_add(&v, NULL, p, "Member must not be null");
        }
        snprintf(p, sizeof p, "attributeDefinitions.%d.member.attributeType", i);
        if (!cJSON_IsString(at))
            ddb__verr_add(&v, NULL, p, "Member must not be null");
        else if (ddb__scalar_type(at->valuestring) == 0)
            ddb__verr_add(&v, at->valuestring, p, "Member must satisfy enum value set: [B, N, S]");
    }
    if (ddb__check_table_name(name, "tableName", &v, r) != 0)
        return 0;
    billing_verr(&v, bm, pt, rcu, has_r, wcu, has_w);
    keyschema_verr(&v, ks, "keySchema", 1);
    i = 0;
    cJSON_ArrayForEach(e, lsis) index_verr(&v, e, "localSecondaryIndexes", ++i, r);
    i = 0;
    cJSON_ArrayForEach(e, gsis)
    {
        i++;
        const cJSON *gpt = NULL;
        int64_t gr = 0, gw = 0;
        int ghr = 0, ghw = 0;
        index_verr(&v, e, "globalSecondaryIndexes", i, r);
        (void)throughput_types(e, &gpt, &gr, &ghr, &gw, &ghw, r);
        if (gpt != NULL) {
            snprintf(p, sizeof p, "globalSecondaryIndexes.%d.member.provisionedThroughput", i);
            throughput_verr(&v, p, gr, ghr, gw, ghw);
        }
    }
    if (ddb__verr_reply(&v, r) != 0)
        return 0;

    /* custom checks, in dynalite's order */
    int on_demand = bm != NULL && strcmp(bm, "PAY_PER_REQUEST") == 0;
    if (on_demand) {
        if (pt != NULL)
            return ddb__validation(r, "One or more parameter values were invalid: Neither "
                                      "ReadCapacityUnits nor WriteCapacityUnits can be specified "
                                      "when BillingMode is PAY_PER_REQUEST"),
                   0;
    } else {
        if (pt == NULL)
            return ddb__validation(r, "One or more parameter values were invalid: "
                                      "ReadCapacityUnits and WriteCapacityUnits must both be "
                                      "specified when BillingMode is PROVISIONED"),
                   0;
        if (rcu > 1000000000000LL)
            return ddb__validation(r, "Given value %lld for ReadCapacityUnits is out of bounds",
                                   (long long)rcu),
                   0;
        if (wcu > 1000000000000LL)
            return ddb__validation(r, "Given value %lld for WriteCapacityUnits is out of bounds",
                                   (long long)wcu),
                   0;
    }
    char keys[1024], dn[1024];
    if (cJSON_GetArraySize(ks) > cJSON_GetArraySize(defs))
        return ddb__validation(r, "Invalid KeySchema: Some index key attribute have no "
                                  "definition"),
               0;
    if (keyschema_custom(ks, defs, r) != 0)
        return 0;
    if (gsis == NULL && lsis == NULL && cJSON_GetArraySize(ks) != cJSON_GetArraySize(defs))
        return ddb__validation(r, "One or more parameter values were invalid: Number of "
                                  "attributes in KeySchema does not exactly match number of "
                                  "attributes defined in AttributeDefinitions"),
               0;
    if (lsis != NULL && lsi_custom(ks, defs, lsis, r) != 0)
        return 0;
    if (gsis != NULL) {
        if (gsis->child == NULL)
            return ddb__validation(r, "One or more parameter values were invalid: List of "
                                      "GlobalSecondaryIndexes is empty"),
                   0;
        cJSON_ArrayForEach(e, gsis)
        {
            const char *in = cJSON_GetObjectItemCaseSensitive(e, "IndexName")->valuestring;
            const cJSON *gks = cJSON_GetObjectItemCaseSensitive(e, "KeySchema");
            const cJSON *proj = cJSON_GetObjectItemCaseSensitive(e, "Projection");
            const cJSON *ptype = cJSON_GetObjectItemCaseSensitive(proj, "ProjectionType");
            const cJSON *nk = cJSON_GetObjectItemCaseSensitive(proj, "NonKeyAttributes");
            if (keyschema_custom(gks, defs, r) != 0)
                return 0;
            if (!cJSON_IsString(ptype))
                return ddb__validation(r, "One or more parameter values were invalid: Unknown "
                                          "ProjectionType: null"),
                       0;
            if (nk != NULL && !cJSON_IsNull(nk) && strcmp(ptype->valuestring, "INCLUDE") != 0)
                return ddb__validation(r,
                                       "One or more parameter values were invalid: "
                                       "ProjectionType is %s, but NonKeyAttributes is specified",
                                       ptype->valuestring),
                       0;
            const cJSON *gpt = cJSON_GetObjectItemCaseSensitive(e, "ProvisionedThroughput");
            if (on_demand && gpt != NULL && !cJSON_IsNull(gpt))
                return ddb__validation(r,
                                       "One or more parameter values were invalid: "
                                       "ProvisionedThroughput should not be specified for index: "
                                       "%s when BillingMode is PAY_PER_REQUEST",
                                       in),
                       0;
            if (!on_demand && (gpt == NULL || cJSON_IsNull(gpt)))
                return ddb__validation(r,
                                       "One or more parameter values were invalid: "
                                       "ProvisionedThroughput must be specified for index: %s",
                                       in),
                       0;
            if (index_named(gsis, e, in) || index_named(lsis, NULL, in))
                return ddb__validation(r,
                                       "One or more parameter values were invalid: Duplicate "
                                       "index name: %s",
                                       in),
                       0;
        }
        if (cJSON_GetArraySize(gsis) > DDB_GSI_MAX)
            return ddb__validation(r, "One or more parameter values were invalid: "
                                      "GlobalSecondaryIndex count exceeds the per-table limit of "
                                      "20"),
                   0;
    }
    cJSON_ArrayForEach(e, defs)
    {
        const char *an = cJSON_GetObjectItemCaseSensitive(e, "AttributeName")->valuestring;
        if (!attr_used(ks, gsis, lsis, an)) {
            names_list(defs, dn, sizeof dn);
            size_t len = (size_t)snprintf(keys, sizeof keys, "[");
            int first = 1;
            cJSON_ArrayForEach(e, defs)
            {
                const char *x = cJSON_GetObjectItemCaseSensitive(e, "AttributeName")->valuestring;
                if (attr_used(ks, gsis, lsis, x) && len < sizeof keys)
                    len += (size_t)snprintf(keys + len, sizeof keys - len, "%s%s",
                                            first ? "" : ", ", x);
                first = first && !attr_used(ks, gsis, lsis, x);
            }
            if (len < sizeof keys)
                snprintf(keys + len, sizeof keys - len, "]");
            return ddb__validation(r,
                                   "One or more parameter values were invalid: Some "
                                   "AttributeDefinitions are not used. AttributeDefinitions: %s, "
                                   "keys used: %s",
                                   dn, keys),
                   0;
        }
    }
    /* (added) Tags as TagResource checks them: a bad tag creates nothing */
    const cJSON *tags = cJSON_GetObjectItemCaseSensitive(req, "Tags");
    if (cJSON_IsArray(tags) && ddb__tags_check(tags, r) != 0)
        return 0;
    if (cJSON_GetArraySize(tags) > DDB_TAGS_MAX)
        return ddb__validation(r, "%s", DDB_MSG_TAGS_MAX), 0;
    const ddb_table *same = ddb__table_find(svc, name);
    if (same != NULL && same->status == DDB_ST_DELETING) { /* (added) */
        sim_reply_err(r, 400, "ResourceInUseException",
                      "Attempt to change a resource which is still in use: Table is being "
                      "deleted: %s",
                      name);
        return 0;
    }
    if (same != NULL) {
        sim_reply_err(r, 400, "ResourceInUseException", "Table already exists: %s", name);
        return 0;
    }

    /* the definition document */
    int rc = -SIM_ENOMEM;
    ddb_table *t = NULL;
    char tid[37];
    double created_s = now_epoch_s(svc);
    sim_rng_uuid(svc->rng, tid);
    cJSON *def = cJSON_CreateObject();
    cJSON *dd = cJSON_CreateArray();
    if (def == NULL || put_member(def, "AttributeDefinitions", dd) != 0)
        goto out;
    cJSON_ArrayForEach(e, defs)
    {
        cJSON *o = cJSON_CreateObject();
        if (put_member(o, "AttributeName",
                       cJSON_CreateString(
                           cJSON_GetObjectItemCaseSensitive(e, "AttributeName")->valuestring)) !=
                0 ||
            put_member(o, "AttributeType",
                       cJSON_CreateString(
                           cJSON_GetObjectItemCaseSensitive(e, "AttributeType")->valuestring)) !=
                0) {
            cJSON_Delete(o);
            goto out;
        }
        if (!cJSON_AddItemToArray(dd, o)) {
            cJSON_Delete(o);
            goto out;
        }
    }
    if (put_member(def, "KeySchema", ks_copy(ks)) != 0 ||
        cJSON_AddStringToObject(def, "TableName", name) == NULL ||
        cJSON_AddNumberToObject(def, "Id", (double)svc->next_id) == NULL ||
        cJSON_AddStringToObject(def, "TableId", tid) == NULL ||
        cJSON_AddNumberToObject(def, "CreationDateTime", created_s) == NULL ||
        cJSON_AddStringToObject(def, "BillingMode",
                                on_demand ? "PAY_PER_REQUEST" : "PROVISIONED") == NULL ||
        (on_demand &&
         cJSON_AddNumberToObject(def, "LastUpdateToPayPerRequestDateTime", created_s) == NULL) ||
        cJSON_AddBoolToObject(def, "DeletionProtectionEnabled", protect) == NULL ||
        put_member(def, "ProvisionedThroughput",
                   throughput_def(on_demand ? 0 : rcu, on_demand ? 0 : wcu)) != 0)
        goto out;
    if (lsis != NULL) {
        cJSON *la = cJSON_AddArrayToObject(def, "LocalSecondaryIndexes");
        if (la == NULL)
            goto out;
        cJSON_ArrayForEach(e, lsis)
        {
            cJSON *o = index_def(e);
            if (o == NULL || !cJSON_AddItemToArray(la, o)) {
                cJSON_Delete(o);
                goto out;
            }
        }
    }
    if (gsis != NULL) {
        cJSON *ga = cJSON_AddArrayToObject(def, "GlobalSecondaryIndexes");
        if (ga == NULL)
            goto out;
        cJSON_ArrayForEach(e, gsis)
        {
            cJSON *o = cJSON_CreateObject();
            if (o == NULL || !cJSON_AddItemToArray(ga, o))
                goto out_o;
            const cJSON *proj = cJSON_GetObjectItemCaseSensitive(e, "Projection");
            const cJSON *nk = cJSON_GetObjectItemCaseSensitive(proj, "NonKeyAttributes");
            const cJSON *gpt = cJSON_GetObjectItemCaseSensitive(e, "ProvisionedThroughput");
            cJSON *po;
            if (cJSON_AddStringToObject(
                    o, "IndexName",
                    cJSON_GetObjectItemCaseSensitive(e, "IndexName")->valuestring) == NULL ||
                put_member(o, "KeySchema",
                           ks_copy(cJSON_GetObjectItemCaseSensitive(e, "KeySchema"))) != 0 ||
                (po = cJSON_AddObjectToObject(o, "Projection")) == NULL ||
                cJSON_AddStringToObject(
                    po, "ProjectionType",
                    cJSON_GetObjectItemCaseSensitive(proj, "ProjectionType")->valuestring) ==
                    NULL ||
                (cJSON_IsArray(nk) &&
                 put_member(po, "NonKeyAttributes", cJSON_Duplicate(nk, 1)) != 0) ||
                put_member(o, "ProvisionedThroughput",
                           throughput_def(on_demand ? 0
                                                    : (int64_t)cJSON_GetObjectItemCaseSensitive(
                                                          gpt, "ReadCapacityUnits")
                                                          ->valuedouble,
                                          on_demand ? 0
                                                    : (int64_t)cJSON_GetObjectItemCaseSensitive(
                                                          gpt, "WriteCapacityUnits")
                                                          ->valuedouble)) != 0)
                goto out;
            continue;
out_o:
            cJSON_Delete(o);
            goto out;
        }
    }

    /* create: sqlite tables and the metadata row in one transaction */
    if ((rc = ddb__txn_begin(svc)) != 0)
        goto out;
    rc = ddb__table_open(svc, def, &t);
    if (rc == 0)
        rc = ddb__table_save(svc, t);
    if (rc == 0)
        rc = ddb__txn_commit(svc);
    else
        ddb__txn_rollback(svc);
    if (rc == 0 && (rc = ddb__table_register(svc, t)) != 0)
        (void)ddb__table_drop(svc, t);
    if (rc != 0) {
        ddb__table_free(t);
        goto out;
    }
    svc->next_id++;
    ddb__status_created(svc, t); /* (added) CREATING for the status delay, if any */
    /* the reply says CREATING even though, without a status delay, the table is usable at
     * once: "Upon receiving a CreateTable request, DynamoDB immediately returns a response
     * with a TableStatus of CREATING" (API reference, CreateTable); DescribeTable then says
     * ACTIVE */
    rc = reply_description(svc, t, "TableDescription", "CREATING", r);
out:
    cJSON_Delete(def);
    if (rc < 0)
        return ddb__internal(r, rc);
    return 0;
}

/* ---- DescribeTable, ListTables, DeleteTable ---- */

/* The table of a control-plane request, with the "Table: X not found" message. */
static int find_named(ddb_service *svc, const cJSON *req, ddb_table **out, sim_reply *r)
{
    const char *name = NULL;
    ddb_verr v;
    ddb__verr_init(&v);
    if (ddb__req_str(req, "TableName", &name, r) != 0 ||
        ddb__check_table_name(name, "tableName", &v, r) != 0 || ddb__verr_reply(&v, r) != 0)
        return -1;
    ddb_table *t = ddb__table_find(svc, name);
    if (t == NULL) {
        sim_reply_err(r, 400, "ResourceNotFoundException", "%s: Table: %s not found",
                      DDB_MSG_NOT_FOUND, name);
        return -1;
    }
    *out = t;
    return 0;
}

int ddb__op_describe_table(ddb_service *svc, const cJSON *req, sim_reply *r)
{
    ddb_table *t;
    if (find_named(svc, req, &t, r) != 0)
        return 0;
    return reply_description(svc, t, "Table", NULL, r);
}

int ddb__op_list_tables(ddb_service *svc, const cJSON *req, sim_reply *r)
{
    const char *start = NULL;
    int64_t limit = 100;
    int has_limit = 0;
    ddb_verr v;
    ddb__verr_init(&v);
    if (ddb__req_int(req, "Limit", "Integer", &limit, &has_limit, r) != 0 ||
        ddb__req_str(req, "ExclusiveStartTableName", &start, r) != 0)
        return 0;
    char val[32];
    snprintf(val, sizeof val, "%lld", (long long)limit);
    if (has_limit && limit < 1)
        ddb__verr_add(&v, val, "limit", "Member must have value greater than or equal to 1");
    if (has_limit && limit > 100)
        ddb__verr_add(&v, val, "limit", "Member must have value less than or equal to 100");
    if (start != NULL) {
        size_t n = strlen(start);
        int bad = 0;
        for (const char *c = start; *c != '\0'; c++)
            bad |= !((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                     (*c >= '0' && *c <= '9') || *c == '_' || *c == '.' || *c == '-');
        if (bad)
            ddb__verr_add(&v, start, "exclusiveStartTableName",
                          "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
        if (n < 3)
            ddb__verr_add(&v, start, "exclusiveStartTableName",
                          "Member must have length greater than or equal to 3");
        if (n > 255)
            ddb__verr_add(&v, start, "exclusiveStartTableName",
                          "Member must have length less than or equal to 255");
    }
    if (ddb__verr_reply(&v, r) != 0)
        return 0;
    cJSON *body = cJSON_CreateObject();
    cJSON *names = body != NULL ? cJSON_AddArrayToObject(body, "TableNames") : NULL;
    if (names == NULL)
        goto nomem;
    int i = 0, n = 0;
    while (i < svc->ntables && start != NULL && strcmp(svc->tables[i]->name, start) <= 0)
        i++;
    for (; i < svc->ntables && n < limit; i++, n++) {
        cJSON *s = cJSON_CreateString(svc->tables[i]->name);
        if (s == NULL || !cJSON_AddItemToArray(names, s)) {
            cJSON_Delete(s);
            goto nomem;
        }
    }
    if (i < svc->ntables && n > 0 &&
        cJSON_AddStringToObject(body, "LastEvaluatedTableName", svc->tables[i - 1]->name) == NULL)
        goto nomem;
    sim_reply_ok(r, body);
    return 0;
nomem:
    cJSON_Delete(body);
    return ddb__internal(r, -SIM_ENOMEM);
}

/* (Added.) ResourceInUseException "Attempt to change a resource which is still in use: ..."
 * (messages as AWS gives them). Returns 0. */
static int in_use(sim_reply *r, const char *what, const char *name)
{
    sim_reply_err(r, 400, "ResourceInUseException",
                  "Attempt to change a resource which is still in use: %s%s", what,
                  name != NULL ? name : "");
    return 0;
}

int ddb__op_delete_table(ddb_service *svc, const cJSON *req, sim_reply *r)
{
    ddb_table *t;
    if (find_named(svc, req, &t, r) != 0)
        return 0;
    /* (added) a protected table (API_DeleteTable, DeletionProtectionEnabled of API_CreateTable;
     * the message as DynamoDB answers it) */
    if (t->deletion_protection)
        return ddb__validation(r, "Resource cannot be deleted as it is currently protected "
                                  "against deletion. Disable deletion protection first."),
               0;
    /* (added) API_DeleteTable: CREATING or UPDATING is ResourceInUseException, DELETING no
     * error; any GSI not ACTIVE blocks it too */
    if (t->status == DDB_ST_DELETING)
        return reply_description(svc, t, "TableDescription", NULL, r);
    if (t->status == DDB_ST_CREATING)
        return in_use(r, "Table is being created: ", t->name);
    for (int i = 0; i < t->ngsi; i++)
        if (!t->gsi[i].is_lsi && t->gsi[i].status != DDB_ST_ACTIVE)
            return in_use(r,
                          "Cannot delete table while indexes are being created, updated, or "
                          "deleted.",
                          NULL);
    if (t->status == DDB_ST_UPDATING)
        return in_use(r, "Table is being updated: ", t->name);
    int rc = reply_description(svc, t, "TableDescription", "DELETING", r);
    if (rc != 0)
        return rc;
    if ((rc = ddb__status_delete_table(svc, t)) != 0)
        return ddb__internal(r, rc);
    return 0;
}

/* ---- UpdateTable ---- */

typedef struct gsi_update {
    ddb_gsi *g;
    int64_t rcu, wcu;
} gsi_update;

/* (Added.) JSON member types of one GlobalSecondaryIndexUpdates element: Update, Create,
 * Delete (SerializationException). 0 or -1 (r set). */
static int gsi_update_types(const cJSON *e, sim_reply *r)
{
    const cJSON *u = NULL, *c = NULL, *d = NULL, *gpt = NULL, *cks = NULL, *proj = NULL, *nk = NULL,
                *a;
    const char *s;
    int64_t x;
    int hx;
    if (elem_struct(e, r) != 0 || ddb__req_struct(e, "Update", &u, r) != 0 ||
        ddb__req_str(u, "IndexName", &s, r) != 0 ||
        throughput_types(u, &gpt, &x, &hx, &x, &hx, r) != 0 ||
        ddb__req_struct(e, "Create", &c, r) != 0 || ddb__req_str(c, "IndexName", &s, r) != 0 ||
        ddb__req_list(c, "KeySchema", &cks, r) != 0 || keyschema_types(cks, r) != 0 ||
        ddb__req_struct(c, "Projection", &proj, r) != 0 ||
        ddb__req_str(proj, "ProjectionType", &s, r) != 0 ||
        ddb__req_list(proj, "NonKeyAttributes", &nk, r) != 0 ||
        throughput_types(c, &gpt, &x, &hx, &x, &hx, r) != 0 ||
        ddb__req_struct(e, "Delete", &d, r) != 0 || ddb__req_str(d, "IndexName", &s, r) != 0)
        return -1;
    cJSON_ArrayForEach(a, nk)
    {
        if (!cJSON_IsString(a))
            return sim_reply_err(r, 400, "SerializationException", "%s",
                                 "Unexpected value type in list"),
                   -1;
    }
    return 0;
}

/* (Added.) The action members of element e: *u, *c, *d (NULL when absent or null). */
static void gsi_actions(const cJSON *e, const cJSON **u, const cJSON **c, const cJSON **d)
{
    const cJSON *x;
    x = cJSON_GetObjectItemCaseSensitive(e, "Update");
    *u = x != NULL && !cJSON_IsNull(x) ? x : NULL;
    x = cJSON_GetObjectItemCaseSensitive(e, "Create");
    *c = x != NULL && !cJSON_IsNull(x) ? x : NULL;
    x = cJSON_GetObjectItemCaseSensitive(e, "Delete");
    *d = x != NULL && !cJSON_IsNull(x) ? x : NULL;
}

/* (Added.) Constraint errors of GlobalSecondaryIndexUpdates element i (from 1) into v. */
static void gsi_update_verr(ddb_verr *v, const cJSON *e, int i, sim_reply *r)
{
    const cJSON *u, *c, *d;
    char p[320];
    gsi_actions(e, &u, &c, &d);
    if (u != NULL) {
        const cJSON *gpt = NULL;
        int64_t gr = 0, gw = 0;
        int ghr = 0, ghw = 0;
        const cJSON *in = cJSON_GetObjectItemCaseSensitive(u, "IndexName");
        snprintf(p, sizeof p, "globalSecondaryIndexUpdates.%d.member.update.indexName", i);
        index_name_verr(v, cJSON_IsString(in) ? in->valuestring : NULL, p);
        (void)throughput_types(u, &gpt, &gr, &ghr, &gw, &ghw, r);
        snprintf(p, sizeof p, "globalSecondaryIndexUpdates.%d.member.update.provisionedThroughput",
                 i);
        if (gpt == NULL)
            ddb__verr_add(v, NULL, p, "Member must not be null");
        else
            throughput_verr(v, p, gr, ghr, gw, ghw);
    }
    if (c != NULL) {
        const cJSON *gpt = NULL;
        int64_t gr = 0, gw = 0;
        int ghr = 0, ghw = 0;
        snprintf(p, sizeof p, "globalSecondaryIndexUpdates.%d.member.create", i);
        index_verr_at(v, c, p, r);
        const cJSON *proj = cJSON_GetObjectItemCaseSensitive(c, "Projection");
        const cJSON *nk = cJSON_GetObjectItemCaseSensitive(proj, "NonKeyAttributes");
        if (cJSON_IsArray(nk) && cJSON_GetArraySize(nk) < 1) {
            snprintf(p, sizeof p,
                     "globalSecondaryIndexUpdates.%d.member.create.projection.nonKeyAttributes", i);
            ddb__verr_add(v, "[]", p, "Member must have length greater than or equal to 1");
        }
        (void)throughput_types(c, &gpt, &gr, &ghr, &gw, &ghw, r);
        if (gpt != NULL) {
            snprintf(p, sizeof p,
                     "globalSecondaryIndexUpdates.%d.member.create.provisionedThroughput", i);
            throughput_verr(v, p, gr, ghr, gw, ghw);
        }
    }
    if (d != NULL) {
        const cJSON *in = cJSON_GetObjectItemCaseSensitive(d, "IndexName");
        snprintf(p, sizeof p, "globalSecondaryIndexUpdates.%d.member.delete.indexName", i);
        index_name_verr(v, cJSON_IsString(in) ? in->valuestring : NULL, p);
    }
}

/* (Added.) The IndexName of an element's single action (validated). */
static const char *gsi_action_name(const cJSON *e)
{
    const cJSON *u, *c, *d;
    gsi_actions(e, &u, &c, &d);
    const cJSON *a = u != NULL ? u : c != NULL ? c : d;
    return cJSON_GetObjectItemCaseSensitive(a, "IndexName")->valuestring;
}

/* (Added.) ResourceNotFoundException for an unknown index of t. Returns 0. */
static int index_not_found(sim_reply *r, const ddb_table *t, const char *in)
{
    sim_reply_err(r, 400, "ResourceNotFoundException", "%s: Index %s for table %s",
                  DDB_MSG_NOT_FOUND, in, t->name);
    return 0;
}

/* (Added.) Type of attribute name in a definitions list, or NULL. */
static const char *def_type(const cJSON *defs, const char *name)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, defs)
    {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(e, "AttributeName");
        const cJSON *ty = cJSON_GetObjectItemCaseSensitive(e, "AttributeType");
        if (cJSON_IsString(n) && cJSON_IsString(ty) && strcmp(n->valuestring, name) == 0)
            return ty->valuestring;
    }
    return NULL;
}

/* (Added.) The checks of a Create action c against table t (after the request-level ones):
 * AWS's order, messages and codes. 0, or -1 with r set. */
static int create_check(const ddb_table *t, const cJSON *c, const cJSON *defs, int on_demand,
                        sim_reply *r)
{
    const char *in = cJSON_GetObjectItemCaseSensitive(c, "IndexName")->valuestring;
    const cJSON *ks = cJSON_GetObjectItemCaseSensitive(c, "KeySchema");
    const cJSON *proj = cJSON_GetObjectItemCaseSensitive(c, "Projection");
    const cJSON *ptype = cJSON_GetObjectItemCaseSensitive(proj, "ProjectionType");
    const cJSON *nk = cJSON_GetObjectItemCaseSensitive(proj, "NonKeyAttributes");
    const cJSON *gpt = cJSON_GetObjectItemCaseSensitive(c, "ProvisionedThroughput");
    for (int i = 0; i < t->ngsi; i++)
        if (t->gsi[i].status != DDB_ST_DELETING && strcmp(t->gsi[i].name, in) == 0)
            return ddb__validation(r, "Attempting to create an index which already exists");
    if (defs == NULL)
        return ddb__validation(r,
                               "One or more parameter values were invalid: AttributeDefinitions "
                               "is not specified for index: %s",
                               in);
    for (int i = 0; i < cJSON_GetArraySize(ks); i++)
        if (def_type(defs, ks_name(ks, i)) == NULL)
            return ddb__validation(r, "Invalid KeySchema: Some index key attribute have no "
                                      "definition");
    if (keyschema_custom(ks, defs, r) != 0)
        return -1;
    if (!cJSON_IsString(ptype))
        return ddb__validation(r, "One or more parameter values were invalid: Unknown "
                                  "ProjectionType: null");
    int include = strcmp(ptype->valuestring, "INCLUDE") == 0;
    if (nk != NULL && !cJSON_IsNull(nk) && !include)
        return ddb__validation(r,
                               "One or more parameter values were invalid: ProjectionType is %s, "
                               "but NonKeyAttributes is specified",
                               ptype->valuestring);
    if (include && (nk == NULL || cJSON_IsNull(nk)))
        return ddb__validation(r, "One or more parameter values were invalid: ProjectionType is "
                                  "INCLUDE, but NonKeyAttributes is not specified");
    int has_pt = gpt != NULL && !cJSON_IsNull(gpt);
    if (on_demand && has_pt)
        return ddb__validation(r,
                               "One or more parameter values were invalid: Neither "
                               "ReadCapacityUnits nor WriteCapacityUnits can be specified for "
                               "index: %s when BillingMode is PAY_PER_REQUEST",
                               in);
    if (!on_demand && !has_pt)
        return ddb__validation(r,
                               "One or more parameter values were invalid: Both ReadCapacityUnits "
                               "and WriteCapacityUnits must be specified for index: %s",
                               in);
    int nglobal = 0;
    for (int i = 0; i < t->ngsi; i++)
        nglobal += !t->gsi[i].is_lsi;
    if (nglobal >= DDB_GSI_MAX) {
        sim_reply_err(r, 400, "LimitExceededException",
                      "Subscriber limit exceeded: Number of global secondary indexes exceeds "
                      "per-table limit of %d",
                      DDB_GSI_MAX);
        return -1;
    }
    return 0;
}

/* (Added.) Add the GSI of Create action c to t: new key attributes join AttributeDefinitions
 * (an attribute t defines already keeps its type), then the index starts CREATING. 0 or
 * -SIM_E*. */
static int create_apply(ddb_service *svc, ddb_table *t, const cJSON *c, const cJSON *defs,
                        int on_demand)
{
    const cJSON *ks = cJSON_GetObjectItemCaseSensitive(c, "KeySchema");
    for (int i = 0; i < cJSON_GetArraySize(ks); i++) {
        const char *an = ks_name(ks, i);
        if (def_type(t->attrdefs, an) != NULL)
            continue;
        cJSON *o = cJSON_CreateObject();
        if (o == NULL || cJSON_AddStringToObject(o, "AttributeName", an) == NULL ||
            cJSON_AddStringToObject(o, "AttributeType", def_type(defs, an)) == NULL ||
            !cJSON_AddItemToArray(t->attrdefs, o)) {
            cJSON_Delete(o);
            return -SIM_ENOMEM;
        }
    }
    const cJSON *gpt = cJSON_GetObjectItemCaseSensitive(c, "ProvisionedThroughput");
    cJSON *gdef = index_def(c);
    int rc = gdef == NULL ? -SIM_ENOMEM : 0;
    if (rc == 0 && put_member(gdef, "ProvisionedThroughput",
                              throughput_def(on_demand ? 0
                                                       : (int64_t)cJSON_GetObjectItemCaseSensitive(
                                                             gpt, "ReadCapacityUnits")
                                                             ->valuedouble,
                                             on_demand ? 0
                                                       : (int64_t)cJSON_GetObjectItemCaseSensitive(
                                                             gpt, "WriteCapacityUnits")
                                                             ->valuedouble)) != 0)
        rc = -SIM_ENOMEM;
    ddb_gsi *g = NULL;
    if (rc == 0)
        rc = ddb__gsi_add(svc, t, gdef, &g);
    cJSON_Delete(gdef);
    if (rc != 0)
        return rc;
    ddb__status_index_create(svc, t, g);
    return ddb__table_save(svc, t);
}

int ddb__op_update_table(ddb_service *svc, const cJSON *req, sim_reply *r)
{
    const cJSON *pt = NULL, *gu = NULL, *defs = NULL;
    const char *bm = NULL;
    int64_t rcu = 0, wcu = 0;
    int has_r = 0, has_w = 0, protect = -1; /* protect: DeletionProtectionEnabled, -1 absent */
    ddb_verr v;
    ddb__verr_init(&v);
    const char *name = NULL;
    if (ddb__req_str(req, "TableName", &name, r) != 0 ||
        ddb__req_str(req, "BillingMode", &bm, r) != 0 ||
        newer_bool(req, "DeletionProtectionEnabled", &protect, r) != 0 ||
        throughput_types(req, &pt, &rcu, &has_r, &wcu, &has_w, r) != 0 ||
        ddb__req_list(req, "GlobalSecondaryIndexUpdates", &gu, r) != 0 ||
        ddb__req_list(req, "AttributeDefinitions", &defs, r) != 0)
        return 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, gu)
    {
        if (gsi_update_types(e, r) != 0)
            return 0;
    }
    cJSON_ArrayForEach(e, defs)
    {
        const char *s;
        if (elem_struct(e, r) != 0 || ddb__req_str(e, "AttributeName", &s, r) != 0 ||
            ddb__req_str(e, "AttributeType", &s, r) != 0)
            return 0;
    }
    if (ddb__check_table_name(name, "tableName", &v, r) != 0)
        return 0;
    int i = 0;
    cJSON_ArrayForEach(e, defs)
    {
        char p[160];
        i++;
        const cJSON *an = cJSON_GetObjectItemCaseSensitive(e, "AttributeName");
        const cJSON *at = cJSON_GetObjectItemCaseSensitive(e, "AttributeType");
        if (!cJSON_IsString(an)) {
            snprintf(p, sizeof p, "attributeDefinitions.%d.member.attributeName", i);
            ddb__verr_add(&v, NULL, p, "Member must not be null");
        }
        snprintf(p, sizeof p, "attributeDefinitions.%d.member.attributeType", i);
        if (!cJSON_IsString(at))
            ddb__verr_add(&v, NULL, p, "Member must not be null");
        else if (ddb__scalar_type(at->valuestring) == 0)
            ddb__verr_add(&v, at->valuestring, p, "Member must satisfy enum value set: [B, N, S]");
    }
    billing_verr(&v, bm, pt, rcu, has_r, wcu, has_w);
    i = 0;
    cJSON_ArrayForEach(e, gu) gsi_update_verr(&v, e, ++i, r);
    if (ddb__verr_reply(&v, r) != 0)
        return 0;
    int has_gu = gu != NULL && gu->child != NULL;
    if (pt == NULL && !has_gu && bm == NULL && protect < 0)
        return ddb__validation(r, "At least one of ProvisionedThroughput, BillingMode, "
                                  "UpdateStreamEnabled, GlobalSecondaryIndexUpdates or "
                                  "SSESpecification or ReplicaUpdates is required"),
               0;
    /* (added) DeletionProtectionEnabled changes alone (DynamoDB's answer otherwise) */
    if (protect >= 0 && (pt != NULL || gu != NULL || bm != NULL))
        return ddb__validation(r, "One or more parameter values were invalid: DeletionProtection "
                                  "modification must be the only operation in the request"),
               0;
    /* (added) the rules of GlobalSecondaryIndexUpdates itself (API_UpdateTable,
     * API_GlobalSecondaryIndexUpdate) */
    if (gu != NULL && !has_gu)
        return ddb__validation(r, "One or more parameter values were invalid: List of "
                                  "GlobalSecondaryIndexUpdates is empty"),
               0;
    int ncreate = 0, ndelete = 0;
    cJSON_ArrayForEach(e, gu)
    {
        const cJSON *u, *c, *d;
        gsi_actions(e, &u, &c, &d);
        int n = (u != NULL) + (c != NULL) + (d != NULL);
        if (n == 0)
            return ddb__validation(r, "One or more parameter values were invalid: One of "
                                      "GlobalSecondaryIndexUpdate.Update, "
                                      "GlobalSecondaryIndexUpdate.Create, "
                                      "GlobalSecondaryIndexUpdate.Delete must not be null"),
                   0;
        if (n > 1)
            return ddb__validation(r, "One or more parameter values were invalid: Only one "
                                      "global secondary index action is allowed per "
                                      "GlobalSecondaryIndexUpdate object"),
                   0;
        const char *in = gsi_action_name(e);
        for (const cJSON *f = gu->child; f != e; f = f->next)
            if (strcmp(gsi_action_name(f), in) == 0)
                return ddb__validation(r,
                                       "One or more parameter values were invalid: Only one "
                                       "global secondary index update per index is allowed "
                                       "simultaneously. Index: %s",
                                       in),
                       0;
        ncreate += c != NULL;
        ndelete += d != NULL;
    }
    if (ncreate + ndelete > 0 && pt != NULL)
        return ddb__validation(r, "One or more parameter values were invalid: You cannot create "
                                  "or delete index while updating table IOPS"),
               0;
    ddb_table *t;
    if (find_named(svc, req, &t, r) != 0)
        return 0;
    /* (added) the table's own state (API_UpdateTable: ResourceInUseException) */
    if (t->status == DDB_ST_CREATING)
        return in_use(r, "Table is being created: ", t->name);
    if (t->status == DDB_ST_DELETING)
        return in_use(r, "Table is being deleted: ", t->name);
    cJSON_ArrayForEach(e, gu)
    {
        const cJSON *u, *c, *d;
        gsi_actions(e, &u, &c, &d);
        ddb_gsi *g = d != NULL ? ddb__index_find(t, gsi_action_name(e)) : NULL;
        if (g != NULL && !g->is_lsi && g->status == DDB_ST_CREATING && !g->backfilling) {
            sim_reply_err(r, 400, "ResourceInUseException",
                          "Attempt to change a resource which is still in use: Index creation "
                          "is in resource allocation phase. Retry deletion during backfilling "
                          "phase or when the index is active. Table: %s Index: %s",
                          t->name, g->name);
            return 0;
        }
    }
    if (ncreate + ndelete > 1) {
        sim_reply_err(r, 400, "LimitExceededException",
                      "Subscriber limit exceeded: Only 1 online index can be created or deleted "
                      "simultaneously per table");
        return 0;
    }

    gsi_update ups[DDB_GSI_MAX];
    int nups = 0;
    const cJSON *create = NULL;
    ddb_gsi *doomed = NULL;
    cJSON_ArrayForEach(e, gu)
    {
        const cJSON *u, *c, *d;
        gsi_actions(e, &u, &c, &d);
        const char *in = gsi_action_name(e);
        if (c != NULL) {
            create = c;
            continue;
        }
        ddb_gsi *g = ddb__index_find(t, in);
        if (g == NULL || g->status == DDB_ST_DELETING)
            return index_not_found(r, t, in);
        if (g->is_lsi)
            return ddb__validation(r, "Cannot %s an index that is not a GlobalSecondaryIndex: %s",
                                   d != NULL ? "delete" : "update", in),
                   0;
        if (d != NULL) {
            doomed = g;
            continue;
        }
        if (g->status == DDB_ST_UPDATING) {
            sim_reply_err(r, 400, "ResourceInUseException",
                          "Attempt to change a resource which is still in use: Index is being "
                          "updated.  Table: %s Index: %s",
                          t->name, in);
            return 0;
        }
        const cJSON *gpt = cJSON_GetObjectItemCaseSensitive(u, "ProvisionedThroughput");
        if (nups == DDB_GSI_MAX)
            break;
        ups[nups].g = g;
        ups[nups].rcu =
            (int64_t)cJSON_GetObjectItemCaseSensitive(gpt, "ReadCapacityUnits")->valuedouble;
        ups[nups].wcu =
            (int64_t)cJSON_GetObjectItemCaseSensitive(gpt, "WriteCapacityUnits")->valuedouble;
        nups++;
    }
    if (create != NULL) { /* "already exists" comes before the other checks */
        const char *cn = cJSON_GetObjectItemCaseSensitive(create, "IndexName")->valuestring;
        ddb_gsi *same = ddb__index_find(t, cn);
        if (same != NULL && same->status != DDB_ST_DELETING)
            return ddb__validation(r, "Attempting to create an index which already exists"), 0;
    }
    if (create != NULL || doomed != NULL) {
        /* one index created or deleted at a time, per table */
        for (int k = 0; k < t->ngsi; k++) {
            const ddb_gsi *o = &t->gsi[k];
            if (o != doomed && !o->is_lsi &&
                (o->status == DDB_ST_CREATING || o->status == DDB_ST_DELETING)) {
                sim_reply_err(r, 400, "LimitExceededException",
                              "Subscriber limit exceeded: Only 1 online index can be created "
                              "or deleted simultaneously per table");
                return 0;
            }
        }
    }
    if (pt != NULL) { /* a table throughput change while an index is being deleted */
        char names[512];
        size_t len = 0;
        names[0] = '\0';
        for (int k = 0; k < t->ngsi; k++)
            if (t->gsi[k].status == DDB_ST_DELETING && len < sizeof names)
                len += (size_t)snprintf(names + len, sizeof names - len, "%s%s",
                                        len > 0 ? ", " : "", t->gsi[k].name);
        if (len > 0) {
            sim_reply_err(r, 400, "ResourceInUseException",
                          "Attempt to change a resource which is still in use: Can't change "
                          "table IOPS when an index is being deleted. Table: %s Indexes: [%s]",
                          t->name, names);
            return 0;
        }
    }
    if (t->status == DDB_ST_UPDATING)
        return in_use(r, "Table is being updated: ", t->name);
    int to_on_demand = bm != NULL && strcmp(bm, "PAY_PER_REQUEST") == 0;
    int to_provisioned = bm != NULL && strcmp(bm, "PROVISIONED") == 0;
    int on_demand_after = to_on_demand || (t->on_demand && !to_provisioned);
    if (create != NULL && create_check(t, create, defs, on_demand_after, r) != 0)
        return 0;
    if (on_demand_after && pt != NULL)
        return ddb__validation(r, "One or more parameter values were invalid: Neither "
                                  "ReadCapacityUnits nor WriteCapacityUnits can be specified when "
                                  "BillingMode is PAY_PER_REQUEST"),
               0;
    /* (added) a GSI throughput Update on an on-demand table, or on one switching to it:
     * DynamoDB's two answers */
    if (on_demand_after && nups > 0 && t->on_demand)
        return ddb__validation(r,
                               "One or more parameter values were invalid: The only Updates for "
                               "index: %s when TableThroughputMode is PAY_PER_REQUEST can be to "
                               "OnDemandThroughput, WarmThroughput",
                               ups[0].g->name),
               0;
    if (on_demand_after && nups > 0)
        return ddb__validation(r,
                               "One or more parameter values were invalid: Neither "
                               "ReadCapacityUnits nor WriteCapacityUnits can be specified for "
                               "index: %s when BillingMode is PAY_PER_REQUEST",
                               ups[0].g->name),
               0;
    if (t->on_demand && to_provisioned) {
        if (pt == NULL)
            return ddb__validation(r, "One or more parameter values were invalid: "
                                      "ProvisionedThroughput must be specified when BillingMode "
                                      "is PROVISIONED"),
                   0;
        /* every GSI needs its throughput; the ones missing are named together, comma-joined */
        char missing[DDB_GSI_MAX * 260];
        size_t len = 0;
        missing[0] = '\0';
        for (int k = 0; k < t->ngsi; k++) {
            if (t->gsi[k].is_lsi || t->gsi[k].status == DDB_ST_DELETING)
                continue;
            int found = 0;
            for (int j = 0; j < nups; j++)
                found |= ups[j].g == &t->gsi[k];
            if (!found && len < sizeof missing)
                len += (size_t)snprintf(missing + len, sizeof missing - len, "%s%s",
                                        len > 0 ? "," : "", t->gsi[k].name);
        }
        if (len > 0)
            return ddb__validation(r,
                                   "One or more parameter values were invalid: "
                                   "ProvisionedThroughput must be specified for index: %s",
                                   missing),
                   0;
    }
    if (pt != NULL && !t->on_demand && rcu == t->st.rcu && wcu == t->st.wcu && nups == 0)
        return ddb__validation(r,
                               "The provisioned throughput for the table will not change. The "
                               "requested "
                               "value equals the current value. Current ReadCapacityUnits "
                               "provisioned for "
                               "the table: %lld. Requested ReadCapacityUnits: %lld. Current "
                               "WriteCapacityUnits provisioned for the table: %lld. Requested "
                               "WriteCapacityUnits: %lld. Refer to the Amazon DynamoDB "
                               "Developer Guide for "
                               "current limits and how to request higher limits.",
                               (long long)t->st.rcu, (long long)rcu, (long long)t->st.wcu,
                               (long long)wcu),
               0;
    for (int j = 0; j < nups && !t->on_demand && !to_on_demand; j++)
        if (ups[j].rcu == ups[j].g->st.rcu && ups[j].wcu == ups[j].g->st.wcu)
            return ddb__validation(r,
                                   "The provisioned throughput for the index %s will not change. "
                                   "The requested value equals the current value. Current "
                                   "ReadCapacityUnits provisioned for index %s: %lld. Requested "
                                   "ReadCapacityUnits: %lld. Current WriteCapacityUnits "
                                   "provisioned for index %s: %lld. Requested "
                                   "WriteCapacityUnits: %lld. Refer to the Amazon DynamoDB "
                                   "Developer Guide for current limits and how to request "
                                   "higher limits.",
                                   ups[j].g->name, ups[j].g->name, (long long)ups[j].g->st.rcu,
                                   (long long)ups[j].rcu, ups[j].g->name,
                                   (long long)ups[j].g->st.wcu, (long long)ups[j].wcu),
                   0;

    /* apply: the billing mode at once; throughput at once, or when UPDATING settles (with a
     * status delay: DescribeTable shows the old units until then, as AWS's does) */
    int table_changed = 0;
    if (protect >= 0)
        t->deletion_protection = protect;
    if (to_on_demand && !t->on_demand) {
        t->on_demand = 1;
        t->ppr_since_s = now_epoch_s(svc);
        /* not a decrease: NumberOfDecreasesToday stays as it was */
        ddb__store_set_on_demand(svc, &t->st);
        for (int k = 0; k < t->ngsi; k++)
            ddb__store_set_on_demand(svc, &t->gsi[k].st);
        table_changed = 1;
    }
    if (to_provisioned && t->on_demand) {
        t->on_demand = 0;
        table_changed = 1;
    }
    for (int j = 0; j < nups; j++)
        ddb__status_index_updated(svc, t, ups[j].g, ups[j].rcu, ups[j].wcu);
    if (table_changed || pt != NULL)
        ddb__status_table_updated(svc, t, pt != NULL, rcu, wcu);
    int rc = 0;
    if (create != NULL)
        rc = create_apply(svc, t, create, defs, t->on_demand);
    else
        rc = ddb__table_save(svc, t);
    if (rc != 0)
        return ddb__internal(r, rc);
    /* the reply says UPDATING, as the API reference's UpdateTable example does, even when
     * without a status delay the change is already in place; DescribeTable then says ACTIVE */
    const char *st = table_changed || pt != NULL || create != NULL || doomed != NULL
                         ? "UPDATING"
                         : NULL;
    if (doomed == NULL)
        return reply_description(svc, t, "TableDescription", st, r);
    /* the reply lists the index as DELETING, even when it goes at once */
    doomed->status = DDB_ST_DELETING;
    if (svc->status_delay_us > 0)
        t->status = DDB_ST_UPDATING;
    rc = reply_description(svc, t, "TableDescription", st, r);
    if (rc != 0)
        return rc;
    if ((rc = ddb__status_index_delete(svc, t, doomed)) != 0)
        return ddb__internal(r, rc);
    return 0;
}
