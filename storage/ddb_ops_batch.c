/* ddb_ops_batch.c - BatchWriteItem (at most 25 puts/deletes) and BatchGetItem (at most 100
 * keys). Every request is validated before anything runs; then each write or read runs on
 * its own against capacity, and what the buckets refuse is answered in UnprocessedItems /
 * UnprocessedKeys (always present, {} when empty).
 * Source: DynamoDB API reference (API_BatchWriteItem, API_BatchGetItem); messages as
 * dynalite's validations and AWS record them. */
#include "storage/ddb_int.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core/sim_err.h"
#include "storage/ddb_attr.h"

static int dup_key(const ddb_key *keys, int n, const ddb_key *k)
{
    for (int i = 0; i < n; i++)
        if (ddb__key_equal(&keys[i], k))
            return 1;
    return 0;
}

/* Add a ConsumedCapacity entry for t to the array under body (created on demand). */
static int add_cc(cJSON *body, const ddb_table *t, const ddb_cc *cc, int rcc)
{
    cJSON *arr = cJSON_GetObjectItemCaseSensitive(body, "ConsumedCapacity");
    if (arr == NULL && (arr = cJSON_AddArrayToObject(body, "ConsumedCapacity")) == NULL)
        return -SIM_ENOMEM;
    cJSON *c = ddb__cc_json(t, cc, rcc);
    if (c == NULL || !cJSON_AddItemToArray(arr, c)) {
        cJSON_Delete(c);
        return -SIM_ENOMEM;
    }
    return 0;
}

/* ---- BatchWriteItem ---- */

typedef struct bw_req {
    ddb_table *t;
    const cJSON *src; /* the WriteRequest, borrowed */
    cJSON *item;      /* owned normalised item for a put; NULL for a delete */
    ddb_key key;
} bw_req;

int ddb__op_batch_write_item(ddb_service *svc, const cJSON *req, sim_reply *r)
{
    const cJSON *items = NULL;
    int rcc, rc = 0, n = 0;
    ddb_verr v;
    bw_req reqs[DDB_BATCH_WRITE_MAX];
    cJSON *body = NULL;
    int ricm = 0;      /* (added) ReturnItemCollectionMetrics SIZE */
    cJSON *icm = NULL; /* (added) ItemCollectionMetrics being built */
    char err[DDB_ERR_MAX];
    ddb__verr_init(&v);
    memset(reqs, 0, sizeof reqs);

    if (ddb__req_map(req, "RequestItems", &items, r) != 0 || ddb__req_rcc(req, &v, &rcc, r) != 0)
        goto out;
    /* JSON types, RequestItems' table names and list lengths, ReturnItemCollectionMetrics'
     * enum: answered by ddb_validate before this runs (botocore's model) */
    const cJSON *e, *w;
    {
        const char *s = NULL;
        if (ddb__req_str(req, "ReturnItemCollectionMetrics", &s, r) != 0)
            goto out;
        ricm = s != NULL && strcmp(s, "SIZE") == 0;
    }
    if (ddb__verr_reply(&v, r) != 0)
        goto out;
    int total = 0;
    cJSON_ArrayForEach(e, items)
    {
        cJSON_ArrayForEach(w, e)
        {
            const cJSON *put = cJSON_GetObjectItemCaseSensitive(w, "PutRequest");
            const cJSON *del = cJSON_GetObjectItemCaseSensitive(w, "DeleteRequest");
            int has_put = put != NULL && !cJSON_IsNull(put);
            int has_del = del != NULL && !cJSON_IsNull(del);
            if (has_put == has_del) {
                ddb__validation(r, "Supplied AttributeValue has more than one datatypes set, "
                                   "must contain exactly one of the supported datatypes");
                goto out;
            }
            const cJSON *m =
                cJSON_GetObjectItemCaseSensitive(has_put ? put : del, has_put ? "Item" : "Key");
            if (m == NULL || cJSON_IsNull(m)) {
                char p[128];
                snprintf(p, sizeof p, "requestItems.%s.member.%s", e->string,
                         has_put ? "putRequest.item" : "deleteRequest.key");
                ddb__verr_add(&v, NULL, p, "Member must not be null");
                ddb__verr_reply(&v, r);
                goto out;
            }
            const cJSON *a;
            cJSON_ArrayForEach(a, m)
            {
                if (ddb_attr_validate(a, err, sizeof err) != 0) {
                    ddb__validation(r, "%s", err);
                    goto out;
                }
            }
            if (has_put && ddb_item_size(m) > DDB_ITEM_MAX_BYTES) {
                ddb__validation(r, "Item size has exceeded the maximum allowed size");
                goto out;
            }
            total++;
        }
    }
    if (total > DDB_BATCH_WRITE_MAX) {
        ddb__validation(r, "Too many items requested for the BatchWriteItem call");
        goto out;
    }

    /* tables, keys and duplicates, before anything is written */
    cJSON_ArrayForEach(e, items)
    {
        ddb_table *t = ddb__table_find_active(svc, e->string);
        if (t == NULL) {
            sim_reply_err(r, 400, "ResourceNotFoundException", "%s", DDB_MSG_NOT_FOUND);
            goto out;
        }
        int first = n;
        cJSON_ArrayForEach(w, e)
        {
            bw_req *q = &reqs[n];
            const cJSON *put = cJSON_GetObjectItemCaseSensitive(w, "PutRequest");
            q->t = t;
            q->src = w;
            if (put != NULL && !cJSON_IsNull(put)) {
                const cJSON *item = cJSON_GetObjectItemCaseSensitive(put, "Item");
                if ((rc = ddb__item_check(t, item, &q->key, r)) != 0) {
                    /* BatchWriteItem reports key problems with the schema message */
                    if (rc == DDB_EREPLY && r->message != NULL &&
                        (strstr(r->message, "Missing the key") != NULL ||
                         strstr(r->message, "Type mismatch for key") != NULL))
                        ddb__validation(r, DDB_MSG_KEY_SCHEMA);
                    goto out;
                }
                n++;
                if ((q->item = cJSON_Duplicate(item, 1)) == NULL ||
                    ddb__item_normalize(q->item) != 0) {
                    rc = -SIM_ENOMEM;
                    goto out;
                }
            } else {
                const cJSON *key = cJSON_GetObjectItemCaseSensitive(
                    cJSON_GetObjectItemCaseSensitive(w, "DeleteRequest"), "Key");
                if ((rc = ddb__key_check(&t->st.ks, key, &q->key, r)) != 0)
                    goto out;
                n++;
            }
            int dup = 0;
            for (int j = first; j < n - 1; j++)
                dup |= ddb__key_equal(&reqs[j].key, &q->key);
            if (dup) {
                ddb__validation(r, "Provided list of item keys contains duplicates");
                goto out;
            }
        }
    }

    /* run */
    if ((body = cJSON_CreateObject()) == NULL) {
        rc = -SIM_ENOMEM;
        goto out;
    }
    cJSON *unproc = cJSON_AddObjectToObject(body, "UnprocessedItems");
    if (unproc == NULL) {
        rc = -SIM_ENOMEM;
        goto out;
    }
    ddb_cc cc = { 0 };
    for (int i = 0; i < n; i++) {
        bw_req *q = &reqs[i];
        rc = ddb__write_simple(svc, q->t, &q->key, q->item, &cc);
        if (rc < 0)
            goto out;
        if (rc != DDB_ADMIT_OK) {
            cJSON *list = cJSON_GetObjectItemCaseSensitive(unproc, q->t->name);
            cJSON *copy = cJSON_Duplicate(q->src, 1);
            if ((list == NULL && (list = cJSON_AddArrayToObject(unproc, q->t->name)) == NULL) ||
                copy == NULL || !cJSON_AddItemToArray(list, copy)) {
                cJSON_Delete(copy);
                rc = -SIM_ENOMEM;
                goto out;
            }
        } else if (ricm) { /* (added) the collections written */
            const cJSON *doc = cJSON_GetObjectItemCaseSensitive(
                cJSON_GetObjectItemCaseSensitive(q->src, "PutRequest"), "Item");
            if (doc == NULL)
                doc = cJSON_GetObjectItemCaseSensitive(
                    cJSON_GetObjectItemCaseSensitive(q->src, "DeleteRequest"), "Key");
            if (icm == NULL && (icm = cJSON_CreateObject()) == NULL) {
                rc = -SIM_ENOMEM;
                goto out;
            }
            if ((rc = ddb__icm_add(svc, icm, q->t,
                                   cJSON_GetObjectItemCaseSensitive(doc, q->t->st.ks.hash))) != 0)
                goto out;
        }
        rc = 0;
        if (rcc != DDB_RCC_NONE && (i + 1 == n || reqs[i + 1].t != q->t)) {
            if ((rc = add_cc(body, q->t, &cc, rcc)) != 0)
                goto out;
            memset(&cc, 0, sizeof cc);
        }
    }
    if (icm != NULL && icm->child != NULL) {
        if (!cJSON_AddItemToObject(body, "ItemCollectionMetrics", icm)) {
            rc = -SIM_ENOMEM;
            goto out;
        }
        icm = NULL;
    }
    sim_reply_ok(r, body);
    body = NULL;
out:
    for (int i = 0; i < DDB_BATCH_WRITE_MAX; i++) {
        cJSON_Delete(reqs[i].item);
        ddb__key_release(&reqs[i].key);
    }
    cJSON_Delete(icm);
    cJSON_Delete(body);
    return ddb__finish(rc, r);
}

/* ---- BatchGetItem ---- */

typedef struct bg_table {
    ddb_table *t;
    const cJSON *src; /* the KeysAndAttributes, borrowed */
    ddb_proj *proj;   /* owned, may be NULL */
    ddb_expr_env env;
    int consistent;
    int first, n; /* keys[first .. first+n) */
} bg_table;

static int batch_get_item(ddb_service *svc, const cJSON *req, sim_reply *r)
{
    const cJSON *items = NULL;
    int rcc, rc = 0, nkeys = 0, ntab = 0;
    ddb_verr v;
    ddb_key keys[DDB_BATCH_GET_MAX];
    const cJSON *keysrc[DDB_BATCH_GET_MAX];
    bg_table *tabs = NULL;
    cJSON *body = NULL;
    char err[DDB_ERR_MAX];
    ddb__verr_init(&v);
    memset(keys, 0, sizeof keys);

    if (ddb__req_map(req, "RequestItems", &items, r) != 0 || ddb__req_rcc(req, &v, &rcc, r) != 0)
        goto out;
    /* JSON types, RequestItems' table names, Keys' presence and length: answered by
     * ddb_validate before this runs (botocore's model) */
    const cJSON *e, *k;
    if (ddb__verr_reply(&v, r) != 0)
        goto out;
    int total = 0;
    cJSON_ArrayForEach(e, items)
    {
        cJSON_ArrayForEach(k, cJSON_GetObjectItemCaseSensitive(e, "Keys"))
        {
            const cJSON *a;
            cJSON_ArrayForEach(a, k)
            {
                if (ddb_attr_validate(a, err, sizeof err) != 0) {
                    ddb__validation(r, "%s", err);
                    goto out;
                }
            }
            /* a repeated key is refused with the request, before the tables are looked up
             * (dynalite validations/batchGetItem.js, recorded against DynamoDB) */
            for (const cJSON *p = cJSON_GetObjectItemCaseSensitive(e, "Keys")->child; p != k;
                 p = p->next)
                if (ddb_item_equal(p, k)) {
                    ddb__validation(r, "Provided list of item keys contains duplicates");
                    goto out;
                }
            if (++total > DDB_BATCH_GET_MAX) {
                ddb__validation(r, "Too many items requested for the BatchGetItem call");
                goto out;
            }
        }
    }
    int ntables = cJSON_GetArraySize(items);
    if ((tabs = calloc((size_t)ntables, sizeof *tabs)) == NULL) {
        rc = -SIM_ENOMEM;
        goto out;
    }
    cJSON_ArrayForEach(e, items)
    {
        bg_table *bt = &tabs[ntab++];
        const char *pt = NULL;
        bt->src = e;
        bt->first = nkeys;
        (void)ddb__req_str(e, "ProjectionExpression", &pt, r);
        (void)ddb__req_bool(e, "ConsistentRead", &bt->consistent, r);
        if ((rc = ddb__req_env(e, pt != NULL, &bt->env, r)) != 0)
            goto out;
        if (pt != NULL && (rc = ddb_proj_parse(pt, &bt->env, &bt->proj, err, sizeof err)) != 0) {
            rc = ddb__expr_fail(rc, err, r);
            goto out;
        }
        if ((bt->env.names != NULL || bt->env.values != NULL) &&
            ddb_expr_env_check_unused(&bt->env, err, sizeof err) != 0) {
            rc = ddb__validation(r, "%s", err);
            goto out;
        }
        if ((bt->t = ddb__table_find_active(svc, e->string)) == NULL) {
            sim_reply_err(r, 400, "ResourceNotFoundException", "%s", DDB_MSG_NOT_FOUND);
            goto out;
        }
        cJSON_ArrayForEach(k, cJSON_GetObjectItemCaseSensitive(e, "Keys"))
        {
            if ((rc = ddb__key_check(&bt->t->st.ks, k, &keys[nkeys], r)) != 0)
                goto out;
            keysrc[nkeys] = k;
            nkeys++;
            bt->n++;
            if (dup_key(&keys[bt->first], bt->n - 1, &keys[nkeys - 1])) {
                ddb__validation(r, "Provided list of item keys contains duplicates");
                goto out;
            }
        }
        if ((rc = ddb__key_paths_check(bt->t, NULL, bt->proj, NULL, r)) != 0)
            goto out;
    }

    /* run */
    cJSON *resp, *unproc;
    if ((body = cJSON_CreateObject()) == NULL ||
        (resp = cJSON_AddObjectToObject(body, "Responses")) == NULL ||
        (unproc = cJSON_AddObjectToObject(body, "UnprocessedKeys")) == NULL) {
        rc = -SIM_ENOMEM;
        goto out;
    }
    sim_time_us now = ddb__now(svc);
    /* bytes of items returned so far, and whether the 16 MB limit has been reached: from
     * then on every key is unprocessed (API_BatchGetItem: "returns a partial result if the
     * response size limit is exceeded ... and an appropriate UnprocessedKeys value") */
    size_t resp_bytes = 0;
    int full = 0;
    for (int ti = 0; ti < ntab; ti++) {
        bg_table *bt = &tabs[ti];
        ddb_cc cc = { 0 };
        cJSON *list = cJSON_AddArrayToObject(resp, bt->t->name);
        cJSON *ukeys = NULL;
        if (list == NULL) {
            rc = -SIM_ENOMEM;
            goto out;
        }
        for (int i = bt->first; i < bt->first + bt->n; i++) {
            cJSON *item = NULL;
            size_t size = 0;
            int defer = full || !ddb__bucket_admit(&bt->t->st.rb, now) ||
                        !ddb__hot_admit(svc, &bt->t->st, &keys[i], 1, now);
            if (!defer) {
                if ((rc = ddb__item_get(svc, bt->t, &keys[i], &item, &size)) != 0)
                    goto out;
                if (item != NULL) {
                    if (bt->proj != NULL) {
                        cJSON *o = ddb_proj_apply(bt->proj, item);
                        cJSON_Delete(item);
                        if ((item = o) == NULL) {
                            rc = -SIM_ENOMEM;
                            goto out;
                        }
                    }
                    /* the limit is on the data returned: the item as projected */
                    size_t osize = ddb_item_size(item);
                    if (resp_bytes + osize > DDB_BATCH_GET_RESP_MAX) {
                        cJSON_Delete(item);
                        item = NULL;
                        full = defer = 1; /* not read: nothing charged */
                    } else {
                        resp_bytes += osize;
                    }
                }
            }
            if (defer) {
                if (ukeys == NULL) {
                    /* the KeysAndAttributes again, with only the unprocessed keys */
                    cJSON *ka = cJSON_Duplicate(bt->src, 1);
                    if (ka == NULL || !cJSON_AddItemToObject(unproc, bt->t->name, ka)) {
                        cJSON_Delete(ka);
                        rc = -SIM_ENOMEM;
                        goto out;
                    }
                    cJSON_DeleteItemFromObjectCaseSensitive(ka, "Keys");
                    if ((ukeys = cJSON_AddArrayToObject(ka, "Keys")) == NULL) {
                        rc = -SIM_ENOMEM;
                        goto out;
                    }
                }
                cJSON *kc = cJSON_Duplicate(keysrc[i], 1);
                if (kc == NULL || !cJSON_AddItemToArray(ukeys, kc)) {
                    cJSON_Delete(kc);
                    rc = -SIM_ENOMEM;
                    goto out;
                }
                continue;
            }
            int64_t cost = ddb__read_cost_uu(size, bt->consistent);
            ddb__bucket_charge(&bt->t->st.rb, cost, now);
            ddb__hot_charge(svc, &bt->t->st, &keys[i], 1, cost, now);
            cc.table_uu += cost;
            if (item == NULL)
                continue;
            if (!cJSON_AddItemToArray(list, item)) {
                cJSON_Delete(item);
                rc = -SIM_ENOMEM;
                goto out;
            }
        }
        if (rcc != DDB_RCC_NONE && (rc = add_cc(body, bt->t, &cc, rcc)) != 0)
            goto out;
    }
    sim_reply_ok(r, body);
    body = NULL;
out:
    for (int i = 0; i < DDB_BATCH_GET_MAX; i++)
        ddb__key_release(&keys[i]);
    for (int i = 0; tabs != NULL && i < ntab; i++) {
        ddb_proj_free(tabs[i].proj);
        ddb_expr_env_release(&tabs[i].env);
    }
    free(tabs);
    cJSON_Delete(body);
    return ddb__finish(rc, r);
}

/* BatchGetItem: AttributesToGet per table translated first (ddb_legacy.c). */
int ddb__op_batch_get_item(ddb_service *svc, const cJSON *req, sim_reply *r)
{
    cJSON *nreq = NULL;
    int rc = ddb__legacy_rewrite_batch_get(req, &nreq, r);
    if (rc != 0)
        return ddb__finish(rc, r);
    rc = batch_get_item(svc, nreq != NULL ? nreq : req, r);
    cJSON_Delete(nreq);
    return rc;
}
