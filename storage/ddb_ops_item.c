/* ddb_ops_item.c - single-item operations: PutItem, GetItem, DeleteItem, UpdateItem, with
 * ConditionExpression, ReturnValues, capacity and GSI maintenance; and ddb__write_simple,
 * the unconditional write BatchWriteItem reuses. Expressions come from ddb_expr.h.
 * Source: DynamoDB API reference (API_PutItem, API_GetItem, API_DeleteItem, API_UpdateItem);
 * developer guide, "Condition expressions" and "Read/write capacity mode". */
#include "storage/ddb_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core/sim_err.h"
#include "storage/ddb_attr.h"

enum rv { RV_NONE = 0, RV_ALL_OLD, RV_UPDATED_OLD, RV_ALL_NEW, RV_UPDATED_NEW };

/* Read ReturnValues into *out (its enum: ddb_validate, before this runs). 0 or -1 (r set). */
static int req_return_values(const cJSON *req, int *out, sim_reply *r)
{
    static const char *const names[] = { "NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW",
                                         "UPDATED_NEW" };
    const char *s = NULL;
    *out = RV_NONE;
    if (ddb__req_str(req, "ReturnValues", &s, r) != 0)
        return -1;
    if (s == NULL)
        return 0;
    for (int i = 0; i < 5; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = i;
            return 0;
        }
    return 0;
}

/* Reject the legacy (pre-expression) parameters this service does not implement. */
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

/* The checks every item operation ends its request validation with: TableName's
 * constraints, the required member doc (named path in messages), the accumulated enum
 * errors in v, the legacy parameters, then each AttributeValue of doc (before the table is
 * looked up, as AWS does: ddb__req_av_check). 0 or DDB_EREPLY (r set). */
static int check_common(const cJSON *req, const char *name, const cJSON *doc, const char *path,
                        const char *const *legacy, ddb_verr *v, sim_reply *r)
{
    if (ddb__check_table_name(name, "tableName", v, r) != 0)
        return DDB_EREPLY;
    if (doc == NULL)
        ddb__verr_add(v, NULL, path, "Member must not be null");
    if (ddb__verr_reply(v, r) != 0 || reject_legacy(req, legacy, r) != 0)
        return DDB_EREPLY;
    int rc = ddb__req_av_check(doc, 0, r);
    if (rc < -1)
        ddb__internal(r, rc);
    return rc != 0 ? DDB_EREPLY : 0;
}

/* Read ReturnItemCollectionMetrics: *out 1 for SIZE (its enum: ddb_validate). */
static int req_ricm(const cJSON *req, int *out, sim_reply *r)
{
    const char *s = NULL;
    *out = 0;
    if (ddb__req_str(req, "ReturnItemCollectionMetrics", &s, r) != 0)
        return -1;
    *out = s != NULL && strcmp(s, "SIZE") == 0;
    return 0;
}

/* (Added.) With ReturnItemCollectionMetrics SIZE on a table with LSIs: the metrics of the
 * collection of the item at doc (an item or a key) into body. 0 or -SIM_E*. */
static int add_icm(ddb_service *svc, ddb_table *t, const cJSON *doc, cJSON *body)
{
    int rc;
    cJSON *m = ddb__icm_json(svc, t, cJSON_GetObjectItemCaseSensitive(doc, t->st.ks.hash), &rc);
    if (m != NULL && !cJSON_AddItemToObject(body, "ItemCollectionMetrics", m)) {
        cJSON_Delete(m);
        rc = -SIM_ENOMEM;
    }
    return rc;
}

static int with_legacy(ddb_service *svc, const cJSON *req, int op, sim_reply *r);

/* A refused request of table t (enum ddb_admit says which limit). */
static int throttle(const ddb_table *t, sim_reply *r, int admit)
{
    ddb__throttle_reply(r, admit, t->on_demand);
    return 0;
}

/* Answer ConditionalCheckFailedException; with ReturnValuesOnConditionCheckFailure ALL_OLD
 * (all_old 1) and an item there (old, borrowed), the error carries it as "Item" (API
 * reference, PutItem/UpdateItem/DeleteItem: ReturnValuesOnConditionCheckFailure; the
 * ConditionalCheckFailedException's Item member). 0 or -SIM_ENOMEM. */
static int cond_failed(sim_reply *r, int all_old, const cJSON *old)
{
    sim_reply_err(r, 400, "ConditionalCheckFailedException", "The conditional request failed");
    if (!all_old || old == NULL)
        return 0;
    cJSON *body = cJSON_CreateObject(), *it = cJSON_Duplicate(old, 1);
    if (body == NULL || it == NULL || !cJSON_AddItemToObject(body, "Item", it)) {
        cJSON_Delete(body);
        cJSON_Delete(it);
        return -SIM_ENOMEM;
    }
    r->body = body;
    return 0;
}

/* Read ReturnValuesOnConditionCheckFailure (ALL_OLD or NONE) into *all_old; an enum error
 * goes to v. This check is live: the botocore model Debian ships (and so ddb_validate's
 * tables) predates the member on PutItem/UpdateItem/DeleteItem (added to the API in 2023).
 * 0, or -1 when the member has the wrong JSON type (r set). */
static int req_rvcf(const cJSON *req, ddb_verr *v, int *all_old, sim_reply *r)
{
    const char *s = NULL;
    *all_old = 0;
    if (ddb__req_str(req, "ReturnValuesOnConditionCheckFailure", &s, r) != 0)
        return -1;
    if (s == NULL || strcmp(s, "NONE") == 0)
        return 0;
    if (strcmp(s, "ALL_OLD") == 0)
        *all_old = 1;
    else
        ddb__verr_add(v, s, "returnValuesOnConditionCheckFailure",
                      "Member must satisfy enum value set: [ALL_OLD, NONE]");
    return 0;
}

/* Attach attrs (taken; NULL allowed) as "Attributes", the ConsumedCapacity and, when icm_doc
 * is not NULL (ReturnItemCollectionMetrics SIZE: the request's Item or Key), the
 * ItemCollectionMetrics of its collection; reply ok. */
static int reply_write(ddb_service *svc, ddb_table *t, cJSON *attrs, const ddb_cc *cc, int rcc,
                       const cJSON *icm_doc, sim_reply *r)
{
    cJSON *body = cJSON_CreateObject();
    if (body == NULL)
        goto nomem;
    if (icm_doc != NULL) {
        int rc = add_icm(svc, t, icm_doc, body);
        if (rc != 0) {
            cJSON_Delete(attrs);
            cJSON_Delete(body);
            return ddb__internal(r, rc);
        }
    }
    if (attrs != NULL) {
        if (!cJSON_AddItemToObject(body, "Attributes", attrs))
            goto nomem;
        attrs = NULL;
    }
    if (rcc != DDB_RCC_NONE) {
        cJSON *c = ddb__cc_json(t, cc, rcc);
        if (c == NULL || !cJSON_AddItemToObject(body, "ConsumedCapacity", c)) {
            cJSON_Delete(c);
            goto nomem;
        }
    }
    sim_reply_ok(r, body);
    return 0;
nomem:
    cJSON_Delete(attrs);
    cJSON_Delete(body);
    return ddb__internal(r, -SIM_ENOMEM);
}

/* Parse an optional condition string named what. 0, -1 (r set) or C error. */
static int parse_cond(const char *text, const char *what, ddb_expr_env *env, ddb_cond **out,
                      sim_reply *r)
{
    char err[DDB_ERR_MAX];
    *out = NULL;
    if (text == NULL)
        return 0;
    int rc = ddb_cond_parse(text, what, env, out, err, sizeof err);
    return rc != 0 ? ddb__expr_fail(rc, err, r) : 0;
}

/* Check unused names/values after every expression was parsed. 0 or -1 (r set). */
static int env_unused(const ddb_expr_env *env, sim_reply *r)
{
    char err[DDB_ERR_MAX];
    if (env->names == NULL && env->values == NULL)
        return 0;
    if (ddb_expr_env_check_unused(env, err, sizeof err) != 0)
        return ddb__validation(r, "%s", err);
    return 0;
}

/* Evaluate an optional condition on item (may be NULL). *ok 1 when it holds. */
static int eval_cond(const ddb_cond *c, const cJSON *item, int *ok, sim_reply *r)
{
    char err[DDB_ERR_MAX];
    *ok = 1;
    if (c == NULL)
        return 0;
    int rc = ddb_cond_eval(c, item, ok, err, sizeof err);
    return rc != 0 ? ddb__expr_fail(rc, err, r) : 0;
}

int ddb__write_simple(ddb_service *svc, ddb_table *t, const ddb_key *key, const cJSON *item,
                      ddb_cc *cc)
{
    cJSON *old = NULL;
    size_t old_size = 0;
    ddb_wplan plan;
    /* Without an index to maintain, only the old item's presence and size matter. */
    int rc = t->ngsi == 0 ? ddb__item_get_text(svc, t, key, &old, &old_size)
                          : ddb__item_get(svc, t, key, &old, &old_size);
    if (rc != 0)
        return rc;
    size_t new_size = item != NULL ? ddb_item_size(item) : 0;
    if ((rc = ddb__wplan_make(t, key, old, old_size, item, new_size, &plan)) != 0)
        goto out;
    rc = ddb__wplan_admit(svc, t, &plan);
    if (rc == DDB_ADMIT_OK)
        rc = ddb__wplan_apply(svc, t, &plan, cc);
    ddb__wplan_release(t, &plan);
out:
    cJSON_Delete(old);
    return rc;
}

/* Common tail of a conditional write: plan, capacity, apply. 0 when written, DDB_EREPLY
 * when throttled (r set), or a C error (500 in r). */
static int write_checked(ddb_service *svc, ddb_table *t, const ddb_key *key, const cJSON *old,
                         size_t old_size, const cJSON *new_item, ddb_cc *cc, sim_reply *r)
{
    ddb_wplan plan;
    size_t new_size = new_item != NULL ? ddb_item_size(new_item) : 0;
    int rc = ddb__wplan_make(t, key, old, old_size, new_item, new_size, &plan);
    if (rc != 0)
        return ddb__internal(r, rc);
    int admit = ddb__wplan_admit(svc, t, &plan);
    if (admit != DDB_ADMIT_OK) {
        ddb__wplan_release(t, &plan);
        throttle(t, r, admit);
        return DDB_EREPLY;
    }
    rc = ddb__wplan_apply(svc, t, &plan, cc);
    ddb__wplan_release(t, &plan);
    if (rc != 0)
        return ddb__internal(r, rc);
    return 0;
}

/* On a failed condition, charge the write anyway (AWS charges failed conditional
 * writes). */
static int charge_failed_write(ddb_service *svc, ddb_table *t, size_t old_size, ddb_cc *cc)
{
    int64_t cost = ddb__write_cost_uu(old_size);
    ddb__bucket_charge(&t->st.wb, cost, ddb__now(svc));
    cc->table_uu += cost;
    return 0;
}

/* Common head of a conditional write: load the stored item at key into *old (caller frees,
 * also on error; *old_size its size), admit on the write bucket, evaluate cond (may be
 * NULL) on it, and charge and answer a failed condition (with the item when all_old).
 * With as_text, *old is the stored text (cJSON_Raw), for a caller that needs only its
 * presence and size: no condition, no old values returned, no index to maintain. 0 when
 * the write may go on, DDB_EREPLY (r set) or a C error. */
static int load_and_check(ddb_service *svc, ddb_table *t, const ddb_key *key,
                          const ddb_cond *cond, int all_old, int as_text, cJSON **old,
                          size_t *old_size,
                          ddb_cc *cc, sim_reply *r)
{
    int ok;
    int rc = as_text ? ddb__item_get_text(svc, t, key, old, old_size)
                     : ddb__item_get(svc, t, key, old, old_size);
    if (rc != 0)
        return rc;
    if (!ddb__bucket_admit(&t->st.wb, ddb__now(svc))) {
        throttle(t, r, DDB_ADMIT_TABLE);
        return DDB_EREPLY;
    }
    if ((rc = eval_cond(cond, *old, &ok, r)) != 0)
        return rc;
    if (!ok) {
        charge_failed_write(svc, t, *old_size, cc);
        if ((rc = cond_failed(r, all_old, *old)) != 0)
            return rc;
        return DDB_EREPLY;
    }
    return 0;
}

/* ---- PutItem and DeleteItem ---- */

/* PutItem (is_put 1: member Item) or DeleteItem (is_put 0: member Key); the two differ only
 * in how the key is found and what is written. */
static int put_or_delete(ddb_service *svc, const cJSON *req, int is_put, sim_reply *r)
{
    static const char *const legacy[] = { NULL };
    const char *name = NULL, *cond_text = NULL;
    const cJSON *doc = NULL; /* Item or Key */
    int rv, rcc, cf_old, icm;
    ddb_verr v;
    ddb_expr_env env = { 0 };
    ddb_cond *cond = NULL;
    ddb_table *t = NULL;
    ddb_key key = { 0 };
    cJSON *nitem = NULL, *old = NULL;
    size_t old_size = 0;
    ddb_cc cc = { 0 };
    int rc = 0;
    ddb__verr_init(&v);

    if (ddb__req_str(req, "TableName", &name, r) != 0 ||
        ddb__req_attr_map(req, is_put ? "Item" : "Key", &doc, r) != 0 ||
        ddb__req_str(req, "ConditionExpression", &cond_text, r) != 0 ||
        req_return_values(req, &rv, r) != 0 || req_rvcf(req, &v, &cf_old, r) != 0 ||
        ddb__req_rcc(req, &v, &rcc, r) != 0 ||
        req_ricm(req, &icm, r) != 0)
        goto out;
    if (check_common(req, name, doc, is_put ? "item" : "key", legacy, &v, r) != 0)
        goto out;
    /* ReturnValues and the item's size before the expressions, after the attribute values
     * (dynalite validations/putItem.js, recorded against DynamoDB) */
    if (rv != RV_NONE && rv != RV_ALL_OLD) {
        ddb__validation(r, "ReturnValues can only be ALL_OLD or NONE");
        goto out;
    }
    /* the item's size is part of the request's validation: it is refused before the table is
     * looked up (developer guide, ServiceQuotas: item size 400 KB) */
    if (is_put && ddb_item_size(doc) > DDB_ITEM_MAX_BYTES) {
        ddb__validation(r, "Item size has exceeded the maximum allowed size");
        goto out;
    }
    if ((rc = ddb__req_env_for(req, cond_text != NULL, cond_text != NULL,
                               "ConditionExpression is null", &env, r)) != 0 ||
        (rc = parse_cond(cond_text, "ConditionExpression", &env, &cond, r)) != 0 ||
        (rc = env_unused(&env, r)) != 0)
        goto out;
    if (ddb__req_table(svc, req, DDB_MSG_NOT_FOUND, &t, r) != 0)
        goto out;
    if (is_put) {
        if ((rc = ddb__item_check(t, doc, &key, r)) != 0)
            goto out;
        if ((nitem = cJSON_Duplicate(doc, 1)) == NULL || ddb__item_normalize(nitem) != 0) {
            rc = -SIM_ENOMEM;
            goto out;
        }
    } else if ((rc = ddb__key_check(&t->st.ks, doc, &key, r)) != 0) {
        goto out;
    }
    /* Without a condition, old values or an index, only the old item's size matters. */
    int as_text = cond == NULL && rv != RV_ALL_OLD && t->ngsi == 0;
    if ((rc = load_and_check(svc, t, &key, cond, cf_old, as_text, &old, &old_size, &cc,
                             r)) != 0 ||
        (rc = write_checked(svc, t, &key, old, old_size, nitem, &cc, r)) != 0)
        goto out;
    cJSON *attrs = NULL;
    if (rv == RV_ALL_OLD && old != NULL) {
        attrs = old;
        old = NULL;
    }
    rc = reply_write(svc, t, attrs, &cc, rcc, icm ? doc : NULL, r);
out:
    cJSON_Delete(old);
    cJSON_Delete(nitem);
    ddb__key_release(&key);
    ddb_cond_free(cond);
    ddb_expr_env_release(&env);
    return ddb__finish(rc, r);
}

int ddb__op_put_item(ddb_service *svc, const cJSON *req, sim_reply *r)
{
    return with_legacy(svc, req, DDB_LEGACY_PUT, r);
}

int ddb__op_delete_item(ddb_service *svc, const cJSON *req, sim_reply *r)
{
    return with_legacy(svc, req, DDB_LEGACY_PUT + 100, r);
}

/* ---- GetItem ---- */

static int get_item(ddb_service *svc, const cJSON *req, sim_reply *r)
{
    static const char *const legacy[] = { NULL };
    const char *name = NULL, *proj_text = NULL;
    const cJSON *keyj = NULL;
    int consistent = 0, rcc;
    ddb_verr v;
    ddb_expr_env env = { 0 };
    ddb_proj *proj = NULL;
    ddb_table *t = NULL;
    ddb_key key = { 0 };
    cJSON *item = NULL, *body = NULL;
    size_t size = 0;
    int rc = 0;
    char err[DDB_ERR_MAX];
    ddb__verr_init(&v);

    if (ddb__req_str(req, "TableName", &name, r) != 0 ||
        ddb__req_attr_map(req, "Key", &keyj, r) != 0 ||
        ddb__req_bool(req, "ConsistentRead", &consistent, r) != 0 ||
        ddb__req_str(req, "ProjectionExpression", &proj_text, r) != 0 ||
        ddb__req_rcc(req, &v, &rcc, r) != 0)
        goto out;
    if (check_common(req, name, keyj, "key", legacy, &v, r) != 0)
        goto out;
    if ((rc = ddb__req_env(req, proj_text != NULL, &env, r)) != 0)
        goto out;
    if (proj_text != NULL && (rc = ddb_proj_parse(proj_text, &env, &proj, err, sizeof err)) != 0) {
        rc = ddb__expr_fail(rc, err, r);
        goto out;
    }
    if ((rc = env_unused(&env, r)) != 0)
        goto out;
    if (ddb__req_table(svc, req, DDB_MSG_NOT_FOUND, &t, r) != 0)
        goto out;
    if ((rc = ddb__key_check(&t->st.ks, keyj, &key, r)) != 0 ||
        (rc = ddb__key_paths_check(t, NULL, proj, NULL, r)) != 0)
        goto out;
    sim_time_us now = ddb__now(svc);
    if (!ddb__bucket_admit(&t->st.rb, now)) {
        throttle(t, r, DDB_ADMIT_TABLE);
        goto out;
    }
    if (!ddb__hot_admit(svc, &t->st, &key, 1, now)) { /* (added) partition limit */
        throttle(t, r, DDB_ADMIT_KEY_TABLE);
        goto out;
    }
    rc = proj != NULL ? ddb__item_get(svc, t, &key, &item, &size)
                      : ddb__item_get_wire(svc, t, &key, &item, &size);
    if (rc != 0)
        goto out;
    ddb_cc cc = { 0 };
    cc.table_uu = ddb__read_cost_uu(size, consistent);
    ddb__bucket_charge(&t->st.rb, cc.table_uu, now);
    ddb__hot_charge(svc, &t->st, &key, 1, cc.table_uu, now);
    if ((body = cJSON_CreateObject()) == NULL) {
        rc = -SIM_ENOMEM;
        goto out;
    }
    if (item != NULL) {
        cJSON *out_item = item;
        if (proj != NULL) {
            if ((out_item = ddb_proj_apply(proj, item)) == NULL) {
                rc = -SIM_ENOMEM;
                goto out;
            }
            cJSON_Delete(item);
        }
        item = NULL;
        if (!cJSON_AddItemToObject(body, "Item", out_item)) {
            cJSON_Delete(out_item);
            rc = -SIM_ENOMEM;
            goto out;
        }
    }
    if (rcc != DDB_RCC_NONE) {
        cJSON *c = ddb__cc_json(t, &cc, rcc);
        if (c == NULL || !cJSON_AddItemToObject(body, "ConsumedCapacity", c)) {
            cJSON_Delete(c);
            rc = -SIM_ENOMEM;
            goto out;
        }
    }
    sim_reply_ok(r, body);
    body = NULL;
out:
    cJSON_Delete(body);
    cJSON_Delete(item);
    ddb__key_release(&key);
    ddb_proj_free(proj);
    ddb_expr_env_release(&env);
    return ddb__finish(rc, r);
}

/* ---- UpdateItem ---- */

/* ReturnValues UPDATED_OLD / UPDATED_NEW: only the document paths the update acts on, nested
 * ones as nested maps ("SET m.y = :v" returns {"m": {"M": {"y": ...}}}), NULL when none of
 * them is in item. API reference, UpdateItem, ReturnValues: "UPDATED_NEW - Returns only the
 * updated attributes, as they appear after the UpdateItem operation". */
static cJSON *touched_attrs(const ddb_update *u, const cJSON *item, int *nomem)
{
    cJSON *o;
    *nomem = 0;
    if (u == NULL || item == NULL)
        return NULL;
    if ((o = ddb_update_project(u, item)) == NULL) {
        *nomem = 1;
        return NULL;
    }
    if (o->child == NULL) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* legacy_updates: the update came from AttributeUpdates (ddb_legacy.c), whose type errors
 * DynamoDB words differently ("Type mismatch for attribute to update"). */
static int update_item(ddb_service *svc, const cJSON *req, int legacy_updates, sim_reply *r)
{
    static const char *const legacy[] = { NULL };
    const char *name = NULL, *cond_text = NULL, *upd_text = NULL;
    const cJSON *keyj = NULL;
    int rv, rcc, cf_old, icm;
    ddb_verr v;
    ddb_expr_env env = { 0 };
    ddb_cond *cond = NULL;
    ddb_update *upd = NULL;
    ddb_table *t = NULL;
    ddb_key key = { 0 };
    cJSON *old = NULL, *nitem = NULL, *attrs = NULL;
    size_t old_size = 0;
    ddb_cc cc = { 0 };
    int rc = 0;
    char err[DDB_ERR_MAX];
    ddb__verr_init(&v);

    if (ddb__req_str(req, "TableName", &name, r) != 0 ||
        ddb__req_attr_map(req, "Key", &keyj, r) != 0 ||
        ddb__req_str(req, "ConditionExpression", &cond_text, r) != 0 ||
        ddb__req_str(req, "UpdateExpression", &upd_text, r) != 0 ||
        req_return_values(req, &rv, r) != 0 || req_rvcf(req, &v, &cf_old, r) != 0 ||
        ddb__req_rcc(req, &v, &rcc, r) != 0 ||
        req_ricm(req, &icm, r) != 0)
        goto out;
    if (check_common(req, name, keyj, "key", legacy, &v, r) != 0)
        goto out;
    if ((rc = ddb__req_env_for(req, cond_text != NULL || upd_text != NULL,
                               cond_text != NULL || upd_text != NULL,
                               "UpdateExpression and ConditionExpression are null", &env, r)) != 0)
        goto out;
    if (upd_text != NULL && (rc = ddb_update_parse(upd_text, &env, &upd, err, sizeof err)) != 0) {
        rc = ddb__expr_fail(rc, err, r);
        goto out;
    }
    if ((rc = parse_cond(cond_text, "ConditionExpression", &env, &cond, r)) != 0 ||
        (rc = env_unused(&env, r)) != 0)
        goto out;
    if (ddb__req_table(svc, req, DDB_MSG_NOT_FOUND, &t, r) != 0)
        goto out;
    if ((rc = ddb__key_check(&t->st.ks, keyj, &key, r)) != 0)
        goto out;
    for (int i = 0; upd != NULL && i < 2; i++) {
        const char *kn = i == 0 ? t->st.ks.hash : t->st.ks.range;
        if (kn != NULL && ddb_update_touches(upd, kn)) {
            ddb__validation(r,
                            "One or more parameter values were invalid: Cannot update attribute "
                            "%s. This attribute is part of the key",
                            kn);
            goto out;
        }
    }
    if ((rc = ddb__key_paths_check(t, NULL, NULL, upd, r)) != 0)
        goto out;
    if ((rc = load_and_check(svc, t, &key, cond, cf_old, 0, &old, &old_size, &cc, r)) != 0)
        goto out;
    if ((nitem = cJSON_Duplicate(old != NULL ? old : keyj, 1)) == NULL) {
        rc = -SIM_ENOMEM;
        goto out;
    }
    if (upd != NULL && (rc = ddb_update_apply(upd, nitem, err, sizeof err)) != 0) {
        if (legacy_updates && rc == -SIM_EINVAL &&
            strcmp(err, "An operand in the update expression has an incorrect data type") == 0)
            snprintf(err, sizeof err, "Type mismatch for attribute to update");
        rc = ddb__expr_fail(rc, err, r);
        goto out;
    }
    if ((rc = ddb__item_normalize(nitem)) != 0)
        goto out;
    if (ddb_item_size(nitem) > DDB_ITEM_MAX_BYTES) {
        ddb__validation(r, "Item size to update has exceeded the maximum allowed size");
        goto out;
    }
    if (ddb__item_check_gsi_keys(t, nitem, r) != 0)
        goto out;
    if ((rc = write_checked(svc, t, &key, old, old_size, nitem, &cc, r)) != 0)
        goto out;
    int nomem = 0;
    switch (rv) {
    case RV_ALL_OLD:
        attrs = old;
        old = NULL;
        break;
    case RV_UPDATED_OLD:
        attrs = touched_attrs(upd, old, &nomem);
        break;
    case RV_ALL_NEW:
        attrs = nitem;
        nitem = NULL;
        break;
    case RV_UPDATED_NEW:
        attrs = touched_attrs(upd, nitem, &nomem);
        break;
    default:
        break;
    }
    if (nomem) {
        rc = -SIM_ENOMEM;
        goto out;
    }
    rc = reply_write(svc, t, attrs, &cc, rcc, icm ? keyj : NULL, r);
    attrs = NULL;
out:
    cJSON_Delete(attrs);
    cJSON_Delete(old);
    cJSON_Delete(nitem);
    ddb__key_release(&key);
    ddb_cond_free(cond);
    ddb_update_free(upd);
    ddb_expr_env_release(&env);
    return ddb__finish(rc, r);
}

/* Translate the legacy parameters (ddb_legacy.c) and run the operation on the result.
 * op: DDB_LEGACY_PUT (PutItem), DDB_LEGACY_PUT + 100 (DeleteItem), DDB_LEGACY_GET,
 * DDB_LEGACY_UPDATE. */
static int with_legacy(ddb_service *svc, const cJSON *req, int op, sim_reply *r)
{
    cJSON *nreq = NULL;
    int rc = ddb__legacy_rewrite(req, op % 100, &nreq, r);
    if (rc != 0)
        return ddb__finish(rc, r);
    const cJSON *use = nreq != NULL ? nreq : req;
    switch (op) {
    case DDB_LEGACY_PUT:
        rc = put_or_delete(svc, use, 1, r);
        break;
    case DDB_LEGACY_PUT + 100:
        rc = put_or_delete(svc, use, 0, r);
        break;
    case DDB_LEGACY_GET:
        rc = get_item(svc, use, r);
        break;
    default:
        rc = update_item(svc, use,
                         nreq != NULL && cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(
                                             req, "AttributeUpdates")),
                         r);
        break;
    }
    cJSON_Delete(nreq);
    return rc;
}

int ddb__op_get_item(ddb_service *svc, const cJSON *req, sim_reply *r)
{
    return with_legacy(svc, req, DDB_LEGACY_GET, r);
}

int ddb__op_update_item(ddb_service *svc, const cJSON *req, sim_reply *r)
{
    return with_legacy(svc, req, DDB_LEGACY_UPDATE, r);
}
