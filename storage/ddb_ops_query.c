/* ddb_ops_query.c - Query and Scan on a table or a GSI: key conditions mapped onto sqlite
 * ranges over the encoded keys, pages bounded by Limit and 1 MB of data read, filters
 * applied after the limit, projections, Select COUNT, LastEvaluatedKey, read capacity.
 * Source: DynamoDB API reference (API_Query, API_Scan); developer guide, "Query",
 * "Paginating table query results" (LastEvaluatedKey whenever the page stops at Limit or
 * 1 MB), "Key condition expressions"; key condition messages as dynalite records them. */
#include "storage/ddb_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core/sim_err.h"
#include "storage/ddb_attr.h"
#include "storage/store_sqlite.h"

enum sel { SEL_DEFAULT = 0, SEL_ALL, SEL_PROJECTED, SEL_SPECIFIC, SEL_COUNT };

/* What a Query and a Scan share once the request is parsed. */
typedef struct page_req {
    ddb_table *t;
    ddb_gsi *g;    /* NULL: the table itself; else a GSI or an LSI (g->is_lsi) */
    int fetch;     /* LSI not projecting ALL: read each item from the table (Select
                    * ALL_ATTRIBUTES, or a filter / projection that may name other attributes) */
    int gsi_pos;   /* index of g in t->gsi */
    int64_t limit; /* 0: none */
    int consistent;
    int select; /* enum sel */
    int rcc;
    const ddb_cond *filter;      /* may be NULL */
    const ddb_proj *proj;        /* may be NULL */
    int desc;                    /* Query: ScanIndexForward false */
    const unsigned char *prefix; /* begins_with check on the sk column, or NULL */
    size_t prefix_len;
    int64_t segment, total_segments; /* parallel Scan; total_segments 0: whole table */
    const ddb_key *hot;              /* (added) Query: the item collection read (partition key
                                      * only; its partition limit is charged), NULL for Scan */
} page_req;

/* Read Select into *out (its enum: ddb_validate, before this runs). 0 or -1 (r set). */
static int read_select(const cJSON *req, int *out, sim_reply *r)
{
    static const char *const names[] = { "", "ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES",
                                         "SPECIFIC_ATTRIBUTES", "COUNT" };
    const char *s = NULL;
    *out = SEL_DEFAULT;
    if (ddb__req_str(req, "Select", &s, r) != 0)
        return -1;
    if (s == NULL)
        return 0;
    for (int i = 1; i < 5; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = i;
            return 0;
        }
    return 0;
}

/* New object with the values of names (present in item) copied: a LastEvaluatedKey. */
static cJSON *key_of(const cJSON *item, const char *const *names, int n)
{
    cJSON *o = cJSON_CreateObject();
    for (int i = 0; o != NULL && i < n; i++) {
        if (names[i] == NULL || cJSON_GetObjectItemCaseSensitive(o, names[i]) != NULL)
            continue;
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(item, names[i]);
        cJSON *c = v != NULL ? cJSON_Duplicate(v, 1) : NULL;
        if (v != NULL && (c == NULL || !cJSON_AddItemToObject(o, names[i], c))) {
            cJSON_Delete(c);
            cJSON_Delete(o);
            return NULL;
        }
    }
    return o;
}

/*
 * Check ExclusiveStartKey esk against the table key and (for a GSI) the index key, and
 * encode them; is_query picks Query's messages over Scan's. 0, -1 (r set) or C error.
 */
static int start_key(const page_req *p, const cJSON *esk, int is_query, ddb_key *tkey,
                     ddb_key *ikey, sim_reply *r)
{
    static const char invalid[] = "The provided starting key is invalid";
    /* its attribute values: checked before the table is looked up (ddb__req_av_check) */
    const ddb_keyschema *ts = &p->t->st.ks;
    const char *names[4] = { ts->hash, ts->range, NULL, NULL };
    int want = 0;
    if (p->g != NULL) {
        names[2] = p->g->st.ks.hash;
        names[3] = p->g->st.ks.range;
    }
    for (int i = 0; i < 4; i++) {
        int dup = 0;
        for (int j = 0; j < i; j++)
            dup |= names[i] != NULL && names[j] != NULL && strcmp(names[i], names[j]) == 0;
        want += names[i] != NULL && !dup;
    }
    /* DynamoDB's order: the number of attributes, then the key of what is read (a Query's
     * table or index, a Scan's index) piece by piece, then the table's key */
    if (cJSON_GetArraySize(esk) != want) {
        if (is_query || p->g != NULL)
            return ddb__validation(r, "%s", invalid);
        return ddb__validation(r, "%s: " DDB_MSG_KEY_SCHEMA, invalid);
    }
    if (is_query || p->g != NULL) {
        const ddb_keyschema *ks = p->g != NULL ? &p->g->st.ks : ts;
        for (int k = 0; k < 2; k++) {
            const char *kn = k == 0 ? ks->hash : ks->range;
            int type = k == 0 ? ks->hash_type : ks->range_type;
            if (kn == NULL)
                continue;
            const cJSON *av = cJSON_GetObjectItemCaseSensitive(esk, kn);
            if (av == NULL)
                return ddb__validation(r, "%s", invalid);
            if (ddb_attr_type(av) != type)
                return ddb__validation(r, DDB_MSG_KEY_SCHEMA);
        }
    }
    int rc = ddb__key_encode(ts, esk, tkey);
    if (rc == -SIM_EINVAL)
        goto bad;
    if (rc != 0)
        return rc;
    if (p->g != NULL) {
        rc = ddb__key_encode(&p->g->st.ks, esk, ikey);
        if (rc == -SIM_EINVAL)
            goto bad;
        if (rc != 0)
            return rc;
    }
    return 0;
bad:
    return ddb__validation(r, "%s: " DDB_MSG_KEY_SCHEMA, invalid);
}

/* Add item (taken) to arr. 0 or -SIM_ENOMEM (item freed). */
static int push(cJSON *arr, cJSON *item)
{
    if (!cJSON_AddItemToArray(arr, item)) {
        cJSON_Delete(item);
        return -SIM_ENOMEM;
    }
    return 0;
}

/* The store whose read capacity a request on p uses: an LSI's reads go to its table. */
static ddb_store *read_store(const page_req *p)
{
    return p->g != NULL && !p->g->is_lsi ? &p->g->st : &p->t->st;
}

/* The table's item for index row item (owned, NULL when gone) and its size; for an LSI that
 * does not project every attribute. 0 or -SIM_E*. */
static int fetch_item(ddb_service *svc, const page_req *p, const cJSON *item, cJSON **out,
                      size_t *size)
{
    ddb_key k = { 0 };
    *out = NULL;
    *size = 0;
    int rc = ddb__key_encode(&p->t->st.ks, item, &k);
    if (rc == -SIM_EINVAL)
        return 0;
    if (rc == 0)
        rc = ddb__item_get(svc, p->t, &k, out, size);
    ddb__key_release(&k);
    return rc;
}

/* Step the bound statement st through one page and reply. Resets st. */
static int run_page(ddb_service *svc, const page_req *p, sqlite3_stmt *st, sim_reply *r)
{
    ddb_store *s = read_store(p);
    char err[DDB_ERR_MAX];
    int rc = 0;
    cJSON *body = cJSON_CreateObject();
    cJSON *items = NULL, *last = NULL;
    int last_owned = 0; /* else last is in items */
    int64_t scanned = 0, count = 0;
    size_t bytes = 0;
    int stopped = 0;
    /* Nothing reads the items but the reply's printer: keep each as its stored text. */
    int as_text = p->filter == NULL && p->proj == NULL && !p->fetch && p->total_segments == 0;
    if (body == NULL) {
        rc = -SIM_ENOMEM;
        goto out;
    }
    if (p->select != SEL_COUNT && (items = cJSON_AddArrayToObject(body, "Items")) == NULL) {
        rc = -SIM_ENOMEM;
        goto out;
    }
    for (;;) {
        int sr = sqlite3_step(st);
        if (sr == SQLITE_DONE)
            break;
        if (sr != SQLITE_ROW) {
            rc = -SIM_ESTORAGE;
            goto out;
        }
        if (p->prefix != NULL) {
            const unsigned char *sk = sqlite3_column_blob(st, 2);
            size_t n = (size_t)sqlite3_column_bytes(st, 2);
            if (n < p->prefix_len || memcmp(sk, p->prefix, p->prefix_len) != 0) {
                if (!p->desc)
                    break; /* ascending: past the prefix range */
                continue;
            }
        }
        cJSON *item = as_text ? ddb__row_item_wire(svc, st) : ddb__row_item(st);
        if (item == NULL) {
            rc = -SIM_ENOMEM;
            goto out;
        }
        if (p->total_segments > 0) {
            int64_t segno = -1;
            const char *h = p->g != NULL ? p->g->st.ks.hash : p->t->st.ks.hash;
            if ((rc = ddb__scan_segment_of(item, h, p->total_segments, &segno)) != 0) {
                cJSON_Delete(item);
                goto out;
            }
            if (segno != p->segment) {
                cJSON_Delete(item);
                continue;
            }
        }
        scanned++;
        bytes += (size_t)sqlite3_column_int64(st, 1);
        if (last_owned)
            cJSON_Delete(last);
        last = item;
        last_owned = 1;
        cJSON *full = NULL; /* the table's item, for an LSI read that fetches */
        if (p->fetch) {
            size_t fsize = 0;
            if ((rc = fetch_item(svc, p, item, &full, &fsize)) != 0)
                goto out;
            bytes += fsize;
        }
        const cJSON *src = full != NULL ? full : item;
        int keep = 1;
        if (p->filter != NULL &&
            (rc = ddb_cond_eval(p->filter, src, &keep, err, sizeof err)) != 0) {
            cJSON_Delete(full);
            rc = ddb__expr_fail(rc, err, r);
            goto out;
        }
        if (keep) {
            count++;
            if (items != NULL) {
                const cJSON *whole = p->select == SEL_ALL ? src : item;
                cJSON *o = NULL;
                if (p->proj != NULL) {
                    o = ddb_proj_apply(p->proj, src);
                } else if (whole == item) { /* the item itself moves to Items */
                    o = item;
                    last_owned = 0;
                } else {
                    o = cJSON_Duplicate(whole, 1);
                }
                cJSON_Delete(full);
                full = NULL;
                if (o == NULL || push(items, o) != 0) {
                    if (o == item) /* push freed it */
                        last = NULL;
                    rc = -SIM_ENOMEM;
                    goto out;
                }
            }
        }
        cJSON_Delete(full);
        if ((p->limit > 0 && scanned >= p->limit) || bytes >= DDB_PAGE_MAX_BYTES) {
            stopped = 1;
            break;
        }
    }
    store_sqlite_reset(st);
    if (cJSON_AddNumberToObject(body, "Count", (double)count) == NULL ||
        cJSON_AddNumberToObject(body, "ScannedCount", (double)scanned) == NULL) {
        rc = -SIM_ENOMEM;
        goto out;
    }
    if (stopped && last != NULL) {
        const ddb_keyschema *ts = &p->t->st.ks;
        const char *names[4] = { ts->hash, ts->range, p->g ? p->g->st.ks.hash : NULL,
                                 p->g ? p->g->st.ks.range : NULL };
        cJSON *parsed = cJSON_IsRaw(last) ? cJSON_Parse(last->valuestring) : NULL;
        cJSON *lek = key_of(parsed != NULL ? parsed : last, names, 4);
        cJSON_Delete(parsed);
        if (lek == NULL || !cJSON_AddItemToObject(body, "LastEvaluatedKey", lek)) {
            cJSON_Delete(lek);
            rc = -SIM_ENOMEM;
            goto out;
        }
    }
    ddb_cc cc = { 0 };
    int64_t cost = ddb__read_cost_uu(bytes, p->consistent);
    ddb__bucket_charge(&s->rb, cost, ddb__now(svc));
    if (p->hot != NULL)
        ddb__hot_charge(svc, s, p->hot, 1, cost, ddb__now(svc));
    if (p->g != NULL)
        cc.gsi_uu[p->gsi_pos] = cost;
    else
        cc.table_uu = cost;
    if (p->rcc != DDB_RCC_NONE) {
        cJSON *c = ddb__cc_json(p->t, &cc, p->rcc);
        if (c == NULL || !cJSON_AddItemToObject(body, "ConsumedCapacity", c)) {
            cJSON_Delete(c);
            rc = -SIM_ENOMEM;
            goto out;
        }
    }
    sim_reply_ok(r, body);
    body = NULL;
out:
    store_sqlite_reset(st);
    if (last_owned)
        cJSON_Delete(last);
    cJSON_Delete(body);
    return rc;
}

/* Common request parts of Query and Scan; fills p (except desc/prefix). */
typedef struct common_req {
    const char *name, *index, *filter_text, *proj_text;
    const cJSON *esk;
    int64_t limit;
    int has_limit;
} common_req;

static int read_common(const cJSON *req, common_req *c, page_req *p, ddb_verr *v, sim_reply *r)
{
    if (ddb__req_str(req, "TableName", &c->name, r) != 0 ||
        ddb__req_str(req, "IndexName", &c->index, r) != 0 ||
        ddb__req_int(req, "Limit", "Integer", &c->limit, &c->has_limit, r) != 0 ||
        ddb__req_attr_map(req, "ExclusiveStartKey", &c->esk, r) != 0 ||
        ddb__req_bool(req, "ConsistentRead", &p->consistent, r) != 0 ||
        ddb__req_str(req, "FilterExpression", &c->filter_text, r) != 0 ||
        ddb__req_str(req, "ProjectionExpression", &c->proj_text, r) != 0 ||
        read_select(req, &p->select, r) != 0 || ddb__req_rcc(req, v, &p->rcc, r) != 0)
        return -1;
    if (ddb__check_table_name(c->name, "tableName", v, r) != 0)
        return -1;
    /* IndexName's pattern and length, Limit's range: ddb_validate, before this runs */
    p->limit = c->has_limit ? c->limit : 0;
    return 0;
}

/* After the table is known: the index, consistency and Select against its projection. */
static int resolve_index(const common_req *c, page_req *p, sim_reply *r)
{
    if (c->index == NULL)
        return 0;
    p->g = ddb__index_find(p->t, c->index);
    if (p->g == NULL || p->g->status == DDB_ST_DELETING) /* (added) a dying index is gone */
        return ddb__validation(r, "The table does not have the specified index: %s", c->index);
    /* (added) an index added by UpdateTable cannot be read until it is ACTIVE */
    if (p->g->status == DDB_ST_CREATING && p->t->status != DDB_ST_CREATING)
        return ddb__validation(r, "Cannot read from backfilling global secondary index: %s",
                               c->index);
    p->gsi_pos = (int)(p->g - p->t->gsi);
    if (p->g->is_lsi) {
        /* an LSI allows strongly consistent reads, and reads attributes it does not
         * project from the table (developer guide, "LSI.Projections") */
        p->fetch = p->g->proj_type != DDB_PROJ_ALL &&
                   (p->select == SEL_ALL || c->proj_text != NULL || c->filter_text != NULL);
        return 0;
    }
    if (p->consistent)
        return ddb__validation(r, "Consistent reads are not supported on global secondary "
                                  "indexes");
    if (p->select == SEL_ALL && p->g->proj_type != DDB_PROJ_ALL)
        return ddb__validation(r,
                               "One or more parameter values were invalid: Select type "
                               "ALL_ATTRIBUTES is not supported for global secondary index %s "
                               "because its projection type is not ALL",
                               c->index);
    return 0;
}

/* Parse filter and projection (after any key condition). */
static int parse_filter_proj(const common_req *c, ddb_expr_env *env, ddb_cond **filter,
                             ddb_proj **proj, sim_reply *r)
{
    char err[DDB_ERR_MAX];
    int rc;
    if (c->filter_text != NULL && (rc = ddb_cond_parse(c->filter_text, "FilterExpression", env,
                                                       filter, err, sizeof err)) != 0)
        return ddb__expr_fail(rc, err, r);
    if (c->proj_text != NULL &&
        (rc = ddb_proj_parse(c->proj_text, env, proj, err, sizeof err)) != 0)
        return ddb__expr_fail(rc, err, r);
    if ((env->names != NULL || env->values != NULL) &&
        ddb_expr_env_check_unused(env, err, sizeof err) != 0)
        return ddb__validation(r, "%s", err);
    return 0;
}

static int select_checks(const common_req *c, const page_req *p, sim_reply *r)
{
    static const char *const what[] = { "", "ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES", "",
                                        "only the Count" };
    if (p->select == SEL_SPECIFIC && c->proj_text == NULL)
        return ddb__validation(r, "Must specify the AttributesToGet or ProjectionExpression when "
                                  "choosing to get SPECIFIC_ATTRIBUTES");
    /* A ProjectionExpression goes only with SPECIFIC_ATTRIBUTES (API_Query, Select); this
     * rule is reported before the IndexName one. */
    if (c->proj_text != NULL && p->select != SEL_DEFAULT && p->select != SEL_SPECIFIC)
        return ddb__validation(r, "Cannot specify the ProjectionExpression when choosing to get %s",
                               what[p->select]);
    if (p->select == SEL_PROJECTED && c->index == NULL)
        return ddb__validation(r, "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using "
                                  "an IndexName");
    return 0;
}

static int reject_legacy(const cJSON *req, const char *const *names, sim_reply *r)
{
    for (; *names != NULL; names++) {
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(req, *names);
        if (m != NULL && !cJSON_IsNull(m))
            return ddb__validation(r,
                                   "The legacy parameter %s is not supported by this service; "
                                   "use expressions instead",
                                   *names);
    }
    return 0;
}

/* ---- Query ---- */

/* Smallest byte string above every string with prefix p: p with its last non-0xFF byte
 * incremented and what follows dropped. *out malloc'd; *out_len 0 when there is none. */
static int prefix_upper(const unsigned char *p, size_t n, unsigned char **out, size_t *out_len)
{
    while (n > 0 && p[n - 1] == 0xFF)
        n--;
    *out = NULL;
    *out_len = 0;
    if (n == 0)
        return 0;
    if ((*out = malloc(n)) == NULL)
        return -SIM_ENOMEM;
    memcpy(*out, p, n);
    (*out)[n - 1]++;
    *out_len = n;
    return 0;
}

static int shape_of(int op)
{
    switch (op) {
    case DDB_KEY_EQ:
        return DDB_Q_EQ;
    case DDB_KEY_LT:
        return DDB_Q_LT;
    case DDB_KEY_LE:
        return DDB_Q_LE;
    case DDB_KEY_GT:
        return DDB_Q_GT;
    case DDB_KEY_GE:
        return DDB_Q_GE;
    case DDB_KEY_BETWEEN:
        return DDB_Q_BETWEEN;
    case DDB_KEY_BEGINS_WITH:
        return DDB_Q_PREFIX;
    default:
        return DDB_Q_NONE;
    }
}

/* Check the key condition against schema ks (may swap the two parts). 0 or -1. */
static int keycond_check(ddb_keycond *kc, const ddb_keyschema *ks, sim_reply *r)
{
    const char *mismatch = "One or more parameter values were invalid: Condition parameter "
                           "type does not match schema type";
    /* The partition key takes only "=" (developer guide, Query.KeyConditionExpressions). */
    if (kc->pk_op != DDB_KEY_EQ ||
        (kc->sk_name != NULL && strcmp(kc->sk_name, ks->hash) == 0 && kc->sk_op != DDB_KEY_EQ))
        return ddb__validation(r, "Query key condition not supported");
    if (kc->sk_name != NULL && ks->range != NULL && strcmp(kc->pk_name, ks->range) == 0 &&
        strcmp(kc->sk_name, ks->hash) == 0 && kc->sk_op == DDB_KEY_EQ) {
        /* "sk = :a AND pk = :b": the equality on the partition key came second */
        char *n = kc->pk_name;
        cJSON *v = kc->pk_value;
        kc->pk_name = kc->sk_name;
        kc->pk_value = kc->sk_v1;
        kc->sk_name = n;
        kc->sk_v1 = v;
    }
    if (strcmp(kc->pk_name, ks->hash) != 0)
        return ddb__validation(r, "Query condition missed key schema element: %s", ks->hash);
    if (kc->sk_name != NULL) {
        if (ks->range == NULL)
            return ddb__validation(r, "Query key condition not supported");
        if (strcmp(kc->sk_name, ks->range) != 0)
            return ddb__validation(r, "Query condition missed key schema element: %s", ks->range);
    }
    if (ddb_attr_type(kc->pk_value) != ks->hash_type)
        return ddb__validation(r, "%s", mismatch);
    if (kc->sk_name != NULL) {
        int t1 = ddb_attr_type(kc->sk_v1);
        if (kc->sk_op == DDB_KEY_BEGINS_WITH && t1 == DDB_T_N)
            return ddb__validation(r, "Invalid KeyConditionExpression: Incorrect operand type "
                                      "for operator or function; operator or function: "
                                      "begins_with, operand type: N");
        if (t1 != ks->range_type ||
            (kc->sk_v2 != NULL && ddb_attr_type(kc->sk_v2) != ks->range_type))
            return ddb__validation(r, "%s", mismatch);
        int cmp = 0;
        if (kc->sk_op == DDB_KEY_BETWEEN && ddb_attr_compare(kc->sk_v1, kc->sk_v2, &cmp) == 0 &&
            cmp > 0) {
            char *a = cJSON_PrintUnformatted(kc->sk_v1);
            char *b = cJSON_PrintUnformatted(kc->sk_v2);
            ddb__validation(r,
                            "Invalid KeyConditionExpression: The BETWEEN operator requires upper "
                            "bound to be greater than or equal to lower bound; lower bound "
                            "operand: AttributeValue: %s, upper bound operand: AttributeValue: %s",
                            a != NULL ? a : "", b != NULL ? b : "");
            cJSON_free(a);
            cJSON_free(b);
            return -1;
        }
    }
    return 0;
}

/* 1 when sort key value v satisfies kc's sort key condition (begins_with on S and B). */
static int sk_satisfies(const ddb_keycond *kc, const cJSON *v)
{
    int c1 = 0, c2 = 0;
    if (v == NULL)
        return 0;
    if (kc->sk_op == DDB_KEY_BEGINS_WITH) {
        int t = ddb_attr_type(v);
        if (t != ddb_attr_type(kc->sk_v1))
            return 0;
        if (t == DDB_T_S) {
            const char *a = v->child->valuestring, *b = kc->sk_v1->child->valuestring;
            return strncmp(a, b, strlen(b)) == 0;
        }
        unsigned char *da = NULL, *db = NULL;
        size_t la = 0, lb = 0;
        int ok = ddb_b64_decode(v->child->valuestring, &da, &la) == 0 &&
                 ddb_b64_decode(kc->sk_v1->child->valuestring, &db, &lb) == 0 && lb <= la &&
                 (lb == 0 || memcmp(da, db, lb) == 0);
        free(da);
        free(db);
        return ok;
    }
    if (ddb_attr_compare(v, kc->sk_v1, &c1) != 0)
        return 0;
    switch (kc->sk_op) {
    case DDB_KEY_EQ:
        return c1 == 0;
    case DDB_KEY_LT:
        return c1 < 0;
    case DDB_KEY_LE:
        return c1 <= 0;
    case DDB_KEY_GT:
        return c1 > 0;
    case DDB_KEY_GE:
        return c1 >= 0;
    case DDB_KEY_BETWEEN:
        return c1 >= 0 && ddb_attr_compare(v, kc->sk_v2, &c2) == 0 && c2 <= 0;
    default:
        return 0;
    }
}

/*
 * ExclusiveStartKey esk against the key condition, in DynamoDB's order: with a sort key
 * condition the start key's sort key must satisfy it and its partition key be the one
 * queried; without one, the partition key must be the one queried. ks is the key schema of
 * the table or index queried. 0 or -1 (r set). Source: API_Query ExclusiveStartKey;
 * messages as recorded by dynalite's suite.
 */
static int esk_bounds(const ddb_keycond *kc, const cJSON *esk, const ddb_keyschema *ks,
                      sim_reply *r)
{
    const cJSON *hv = cJSON_GetObjectItemCaseSensitive(esk, ks->hash);
    int same_hash = hv != NULL && ddb_attr_equal(hv, kc->pk_value);
    if (kc->sk_name != NULL) {
        if (!sk_satisfies(kc, cJSON_GetObjectItemCaseSensitive(esk, kc->sk_name)))
            return ddb__validation(r, "The provided starting key does not match the range key "
                                      "predicate");
        if (!same_hash)
            return ddb__validation(r, "The query can return at most one row and cannot be "
                                      "restarted");
        return 0;
    }
    if (!same_hash)
        return ddb__validation(r, "The provided starting key is outside query boundaries based "
                                  "on provided conditions");
    return 0;
}

/* filter_what names the filter in messages: "Filter Expression", or "QueryFilter" when the
 * request used the legacy parameter. */
static int query(ddb_service *svc, const cJSON *req, const char *filter_what, sim_reply *r)
{
    static const char *const legacy[] = { NULL };
    common_req c = { 0 };
    page_req p = { 0 };
    const char *kc_text = NULL;
    int forward = 1, rc = 0, have_kc = 0;
    ddb_verr v;
    ddb_expr_env env = { 0 };
    ddb_keycond kc = { 0 };
    ddb_cond *filter = NULL;
    ddb_proj *proj = NULL;
    ddb_key pk = { 0 }, b1 = { 0 }, b2 = { 0 }, tstart = { 0 }, istart = { 0 };
    unsigned char *hi = NULL;
    size_t hi_len = 0;
    char err[DDB_ERR_MAX];
    ddb__verr_init(&v);

    if (read_common(req, &c, &p, &v, r) != 0 ||
        ddb__req_str(req, "KeyConditionExpression", &kc_text, r) != 0 ||
        ddb__req_bool(req, "ScanIndexForward", &forward, r) != 0)
        goto out;
    if (ddb__verr_reply(&v, r) != 0 || reject_legacy(req, legacy, r) != 0 ||
        select_checks(&c, &p, r) != 0)
        goto out;
    /* ExclusiveStartKey's values before the table is looked up (ddb__req_av_check) */
    if ((rc = ddb__req_av_check(c.esk, 1, r)) != 0)
        goto out;
    if ((rc = ddb__req_env_for(req, kc_text != NULL || c.filter_text != NULL || c.proj_text != NULL,
                               kc_text != NULL || c.filter_text != NULL,
                               "FilterExpression and KeyConditionExpression are null", &env,
                               r)) != 0)
        goto out;
    if (kc_text == NULL) {
        ddb__validation(r, "Either the KeyConditions or KeyConditionExpression parameter must be "
                           "specified in the request.");
        goto out;
    }
    if ((rc = ddb_keycond_parse(kc_text, &env, &kc, err, sizeof err)) != 0) {
        rc = ddb__expr_fail(rc, err, r);
        goto out;
    }
    have_kc = 1;
    if ((rc = parse_filter_proj(&c, &env, &filter, &proj, r)) != 0)
        goto out;
    if (ddb__req_table(svc, req, DDB_MSG_NOT_FOUND, &p.t, r) != 0 ||
        (rc = resolve_index(&c, &p, r)) != 0)
        goto out;
    ddb_store *s = p.g != NULL ? &p.g->st : &p.t->st;
    if ((rc = keycond_check(&kc, &s->ks, r)) != 0)
        goto out;
    if (c.esk != NULL && ((rc = start_key(&p, c.esk, 1, &tstart, &istart, r)) != 0 ||
                          (rc = esk_bounds(&kc, c.esk, &s->ks, r)) != 0))
        goto out;
    if ((rc = ddb__key_paths_check(p.t, NULL, proj, NULL, r)) != 0)
        goto out;
    /* the keys of the table or index queried belong in the key condition, not the filter
     * (developer guide, Query: filter expressions) */
    for (int i = 0; i < 2; i++) {
        const char *kn = i == 0 ? s->ks.hash : s->ks.range;
        if (ddb_cond_names(filter, kn, 0)) {
            ddb__validation(r, "%s can only contain non-primary key attributes: Primary key "
                               "attribute: %s",
                            filter_what, kn);
            goto out;
        }
    }
    if ((rc = ddb__key_paths_check(p.t, filter, NULL, NULL, r)) != 0)
        goto out;

    /* encoded bounds */
    if ((rc = ddb_key_encode(kc.pk_value, &pk.pk, &pk.pk_len)) != 0)
        goto out;
    const ddb_key *sk_start = p.g != NULL ? &istart : &tstart;
    if (c.esk != NULL &&
        (sk_start->pk_len != pk.pk_len || memcmp(sk_start->pk, pk.pk, pk.pk_len) != 0)) {
        ddb__validation(r, "The provided starting key is outside query boundaries based on "
                           "provided conditions");
        goto out;
    }
    int shape = kc.sk_name != NULL ? shape_of(kc.sk_op) : DDB_Q_NONE;
    if (kc.sk_name != NULL) {
        if ((rc = ddb_key_encode(kc.sk_v1, &b1.pk, &b1.pk_len)) != 0 ||
            (kc.sk_v2 != NULL && (rc = ddb_key_encode(kc.sk_v2, &b2.pk, &b2.pk_len)) != 0))
            goto out;
        if (shape == DDB_Q_PREFIX) {
            if ((rc = prefix_upper(b1.pk, b1.pk_len, &hi, &hi_len)) != 0)
                goto out;
            if (hi == NULL)
                shape = DDB_Q_PREFIX_OPEN;
            p.prefix = b1.pk;
            p.prefix_len = b1.pk_len;
        }
    }
    p.desc = !forward;
    p.filter = filter;
    p.proj = proj;

    if (!ddb__bucket_admit(&read_store(&p)->rb, ddb__now(svc))) {
        sim_reply_err(r, 400, "ProvisionedThroughputExceededException", "%s",
                      p.g != NULL && !p.g->is_lsi ? DDB_MSG_THROTTLE_GSI : DDB_MSG_THROTTLE_TABLE);
        goto out;
    }
    /* (added) the partition limit of the item collection read (its partition key alone) */
    const ddb_key coll = { .pk = pk.pk, .pk_len = pk.pk_len };
    p.hot = &coll;
    if (!ddb__hot_admit(svc, read_store(&p), &coll, 1, ddb__now(svc))) {
        ddb__throttle_reply(r,
                            p.g != NULL && !p.g->is_lsi ? DDB_ADMIT_KEY_GSI : DDB_ADMIT_KEY_TABLE,
                            p.t->on_demand);
        goto out;
    }
    sqlite3_stmt *st;
    if ((rc = ddb__query_stmt(svc, s, shape, p.desc, c.esk != NULL, &st)) != 0)
        goto out;
    rc = store_sqlite_bind_blob(st, 1, pk.pk, pk.pk_len);
    if (rc == 0 && shape != DDB_Q_NONE)
        rc = store_sqlite_bind_blob(st, 2, b1.pk, b1.pk_len);
    if (rc == 0 && shape == DDB_Q_BETWEEN)
        rc = store_sqlite_bind_blob(st, 3, b2.pk, b2.pk_len);
    if (rc == 0 && shape == DDB_Q_PREFIX)
        rc = store_sqlite_bind_blob(st, 3, hi, hi_len);
    if (rc == 0 && c.esk != NULL) {
        if (p.g != NULL) {
            rc = store_sqlite_bind_blob(st, 4, istart.sk, istart.sk_len);
            if (rc == 0)
                rc = store_sqlite_bind_blob(st, 5, tstart.pk, tstart.pk_len);
            if (rc == 0)
                rc = store_sqlite_bind_blob(st, 6, tstart.sk, tstart.sk_len);
        } else {
            rc = store_sqlite_bind_blob(st, 4, tstart.sk, tstart.sk_len);
        }
    }
    if (rc != 0) {
        store_sqlite_reset(st);
        goto out;
    }
    rc = run_page(svc, &p, st, r);
out:
    free(hi);
    ddb__key_release(&pk);
    ddb__key_release(&b1);
    ddb__key_release(&b2);
    ddb__key_release(&tstart);
    ddb__key_release(&istart);
    if (have_kc)
        ddb_keycond_release(&kc);
    ddb_cond_free(filter);
    ddb_proj_free(proj);
    ddb_expr_env_release(&env);
    return ddb__finish(rc, r);
}

/* ---- Scan ---- */

/* Segment / TotalSegments of a parallel Scan as read from the request. */
typedef struct seg_req {
    int64_t segment, total;
    int has_segment, has_total;
} seg_req;

/* Read Segment and TotalSegments (their ranges, API_Scan: Segment 0..999999, TotalSegments
 * 1..1000000, answered by ddb_validate before this runs). 0 or -1 (r set). */
static int segment_ints(const cJSON *req, seg_req *s, sim_reply *r)
{
    if (ddb__req_int(req, "Segment", "Integer", &s->segment, &s->has_segment, r) != 0 ||
        ddb__req_int(req, "TotalSegments", "Integer", &s->total, &s->has_total, r) != 0)
        return -1;
    return 0;
}

/* Both or neither, Segment < TotalSegments; fills p. 0 or -1 (r set). */
static int check_segments(const seg_req *s, page_req *p, sim_reply *r)
{
    if (s->has_segment && !s->has_total)
        return ddb__validation(r, "The TotalSegments parameter is required but was not present "
                                  "in the request when Segment parameter is present");
    if (s->has_total && !s->has_segment)
        return ddb__validation(r, "The Segment parameter is required but was not present in the "
                                  "request when parameter TotalSegments is present");
    if (s->has_segment && s->segment >= s->total)
        return ddb__validation(r, "The Segment parameter is zero-based and must be less than "
                                  "parameter TotalSegments: Segment: %lld is not less than "
                                  "TotalSegments: %lld",
                               (long long)s->segment, (long long)s->total);
    p->segment = s->segment;
    p->total_segments = s->has_total ? s->total : 0;
    return 0;
}

static int scan(ddb_service *svc, const cJSON *req, sim_reply *r)
{
    static const char *const legacy[] = { NULL };
    common_req c = { 0 };
    page_req p = { 0 };
    int rc = 0;
    ddb_verr v;
    ddb_expr_env env = { 0 };
    ddb_cond *filter = NULL;
    ddb_proj *proj = NULL;
    ddb_key tstart = { 0 }, istart = { 0 };
    seg_req seg = { 0 };
    ddb__verr_init(&v);

    if (read_common(req, &c, &p, &v, r) != 0 || segment_ints(req, &seg, r) != 0)
        goto out;
    if (ddb__verr_reply(&v, r) != 0 || reject_legacy(req, legacy, r) != 0 ||
        select_checks(&c, &p, r) != 0)
        goto out;
    /* ExclusiveStartKey's values before the Segment checks and the table (dynalite
     * validations/scan.js; ddb__req_av_check) */
    if ((rc = ddb__req_av_check(c.esk, 1, r)) != 0)
        goto out;
    if (check_segments(&seg, &p, r) != 0)
        goto out;
    if ((rc = ddb__req_env_for(req, c.filter_text != NULL || c.proj_text != NULL,
                               c.filter_text != NULL, "FilterExpression is null", &env, r)) != 0 ||
        (rc = parse_filter_proj(&c, &env, &filter, &proj, r)) != 0)
        goto out;
    if (ddb__req_table(svc, req, DDB_MSG_NOT_FOUND, &p.t, r) != 0 ||
        (rc = resolve_index(&c, &p, r)) != 0)
        goto out;
    if (c.esk != NULL && (rc = start_key(&p, c.esk, 0, &tstart, &istart, r)) != 0)
        goto out;
    if (c.esk != NULL && p.total_segments > 0) {
        /* a parallel Scan resumes only inside its own segment (API_Scan, Segment) */
        int64_t segno = -1;
        const char *h = p.g != NULL ? p.g->st.ks.hash : p.t->st.ks.hash;
        if ((rc = ddb__scan_segment_of(c.esk, h, p.total_segments, &segno)) != 0)
            goto out;
        if (segno != p.segment) {
            ddb__validation(r,
                            "The provided starting key is invalid: Invalid ExclusiveStartKey. "
                            "Please use ExclusiveStartKey with correct Segment. TotalSegments: "
                            "%lld Segment: %lld",
                            (long long)p.total_segments, (long long)p.segment);
            goto out;
        }
    }
    if ((rc = ddb__key_paths_check(p.t, NULL, proj, NULL, r)) != 0 ||
        (rc = ddb__key_paths_check(p.t, filter, NULL, NULL, r)) != 0)
        goto out;
    p.filter = filter;
    p.proj = proj;
    ddb_store *s = p.g != NULL ? &p.g->st : &p.t->st;
    if (!ddb__bucket_admit(&read_store(&p)->rb, ddb__now(svc))) {
        sim_reply_err(r, 400, "ProvisionedThroughputExceededException", "%s",
                      p.g != NULL && !p.g->is_lsi ? DDB_MSG_THROTTLE_GSI : DDB_MSG_THROTTLE_TABLE);
        goto out;
    }
    sqlite3_stmt *st;
    if ((rc = ddb__scan_stmt(svc, s, c.esk != NULL, &st)) != 0)
        goto out;
    if (c.esk != NULL) {
        const ddb_key *first = p.g != NULL ? &istart : &tstart;
        rc = store_sqlite_bind_blob(st, 1, first->pk, first->pk_len);
        if (rc == 0)
            rc = store_sqlite_bind_blob(st, 2, first->sk, first->sk_len);
        if (rc == 0 && p.g != NULL)
            rc = store_sqlite_bind_blob(st, 3, tstart.pk, tstart.pk_len);
        if (rc == 0 && p.g != NULL)
            rc = store_sqlite_bind_blob(st, 4, tstart.sk, tstart.sk_len);
        if (rc != 0) {
            store_sqlite_reset(st);
            goto out;
        }
    }
    rc = run_page(svc, &p, st, r);
out:
    ddb__key_release(&tstart);
    ddb__key_release(&istart);
    ddb_cond_free(filter);
    ddb_proj_free(proj);
    ddb_expr_env_release(&env);
    return ddb__finish(rc, r);
}

/* Query and Scan translate their legacy parameters first (ddb_legacy.c). */
int ddb__op_query(ddb_service *svc, const cJSON *req, sim_reply *r)
{
    cJSON *nreq = NULL;
    int rc = ddb__legacy_rewrite(req, DDB_LEGACY_QUERY, &nreq, r);
    if (rc != 0)
        return ddb__finish(rc, r);
    const cJSON *qf = cJSON_GetObjectItemCaseSensitive(req, "QueryFilter");
    rc = query(svc, nreq != NULL ? nreq : req,
               cJSON_IsObject(qf) && qf->child != NULL ? "QueryFilter" : "Filter Expression", r);
    cJSON_Delete(nreq);
    return rc;
}

int ddb__op_scan(ddb_service *svc, const cJSON *req, sim_reply *r)
{
    cJSON *nreq = NULL;
    int rc = ddb__legacy_rewrite(req, DDB_LEGACY_SCAN, &nreq, r);
    if (rc != 0)
        return ddb__finish(rc, r);
    rc = scan(svc, nreq != NULL ? nreq : req, r);
    cJSON_Delete(nreq);
    return rc;
}
