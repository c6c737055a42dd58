/* ddb_legacy.c - the legacy (pre-expression) request parameters, translated into the
 * equivalent expression text with generated #lgN names and :lgN values, so the existing
 * expression parser/evaluator does the work: AttributesToGet -> ProjectionExpression,
 * KeyConditions -> KeyConditionExpression, QueryFilter/ScanFilter -> FilterExpression,
 * Expected -> ConditionExpression, AttributeUpdates -> UpdateExpression.
 * Source: DynamoDB developer guide, "Legacy conditional parameters" (AttributesToGet,
 * AttributeUpdates, ConditionalOperator, Expected, KeyConditions, QueryFilter, ScanFilter)
 * and API_Condition / API_ExpectedAttributeValue / API_AttributeValueUpdate; validation
 * messages as dynalite's validation tests record them. */
#include "storage/ddb_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core/sim_err.h"
#include "storage/ddb_attr.h"

#define INVALID "One or more parameter values were invalid: "

/* Expression text under construction plus the names/values maps it refers to. */
typedef struct lb {
    char *buf;
    size_t len, cap;
    int oom;
    cJSON *names;  /* owned until moved into the request */
    cJSON *values; /* owned until moved into the request */
    int *n;        /* shared counter for generated placeholders */
} lb;

static void lb_put(lb *b, const char *s)
{
    size_t n = strlen(s);
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 128;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *nb = realloc(b->buf, cap);
        if (nb == NULL) {
            b->oom = 1;
            return;
        }
        b->buf = nb;
        b->cap = cap;
    }
    memcpy(b->buf + b->len, s, n + 1);
    b->len += n;
}

static void lb_name(lb *b, const char *attr)
{
    char ph[32];
    snprintf(ph, sizeof ph, "#lg%d", (*b->n)++);
    if (b->names == NULL && (b->names = cJSON_CreateObject()) == NULL) {
        b->oom = 1;
        return;
    }
    if (cJSON_AddStringToObject(b->names, ph, attr) == NULL)
        b->oom = 1;
    lb_put(b, ph);
}

static void lb_value(lb *b, const cJSON *v)
{
    char ph[32];
    snprintf(ph, sizeof ph, ":lg%d", (*b->n)++);
    if (b->values == NULL && (b->values = cJSON_CreateObject()) == NULL) {
        b->oom = 1;
        return;
    }
    cJSON *c = cJSON_Duplicate(v, 1);
    if (c == NULL || !cJSON_AddItemToObject(b->values, ph, c)) {
        cJSON_Delete(c);
        b->oom = 1;
    }
    lb_put(b, ph);
}

static void lb_release(lb *b)
{
    free(b->buf);
    cJSON_Delete(b->names);
    cJSON_Delete(b->values);
    memset(b, 0, sizeof *b);
}

static int present(const cJSON *req, const char *name)
{
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(req, name);
    return m != NULL && !cJSON_IsNull(m);
}

/* "{A, B}" of the members of list present in req into out. Returns how many. */
static int list_present(const cJSON *req, const char *const *list, const char *skip, char *out,
                        size_t cap)
{
    int n = 0;
    size_t len = 0;
    out[0] = '\0';
    len += (size_t)snprintf(out + len, cap - len, "{");
    for (; *list != NULL; list++) {
        if (!present(req, *list) || (skip != NULL && strcmp(skip, *list) == 0))
            continue;
        if (len < cap)
            len += (size_t)snprintf(out + len, cap - len, "%s%s", n ? ", " : "", *list);
        n++;
    }
    if (len < cap)
        snprintf(out + len, cap - len, "}");
    return n;
}

enum opkind { K_EQ, K_NE, K_LE, K_LT, K_GE, K_GT, K_NOT_NULL, K_NULL, K_CONTAINS,
              K_NOT_CONTAINS, K_BEGINS_WITH, K_IN, K_BETWEEN, K_COUNT };

static const char *const op_names[K_COUNT] = { "EQ",       "NE",           "LE",
                                                "LT",       "GE",           "GT",
                                                "NOT_NULL", "NULL",         "CONTAINS",
                                                "NOT_CONTAINS", "BEGINS_WITH", "IN",
                                                "BETWEEN" };

static int op_lookup(const char *s)
{
    for (int i = 0; i < K_COUNT; i++)
        if (strcmp(s, op_names[i]) == 0)
            return i;
    return -1;
}

static int scalar(int t)
{
    return t == DDB_T_S || t == DDB_T_N || t == DDB_T_B;
}

/*
 * Append the condition "attr <op> args" (args: a JSON array of attribute values, may be
 * NULL for none) after validating the argument count and types. is_key: a KeyConditions
 * entry (only the indexable operators). 0 or -1 (r set).
 */
static int emit_cmp(lb *b, const char *attr, const char *opname, const cJSON *args, int is_key,
                    sim_reply *r)
{
    char err[DDB_ERR_MAX];
    int op = op_lookup(opname);
    int nargs = args != NULL ? cJSON_GetArraySize(args) : 0;
    if (op < 0) /* not reached: ddb_validate answers the enum before the operation runs */
        return ddb__internal(r, -SIM_EINVAL);
    const cJSON *a;
    cJSON_ArrayForEach(a, args)
    {
        if (ddb_attr_validate(a, err, sizeof err) != 0)
            return ddb__validation(r, "%s", err);
    }
    int ok;
    switch (op) {
    case K_NOT_NULL:
    case K_NULL:
        ok = nargs == 0;
        break;
    case K_IN:
        ok = nargs > 0;
        break;
    case K_BETWEEN:
        ok = nargs == 2;
        break;
    default:
        ok = nargs == 1;
    }
    if (!ok)
        return ddb__validation(r, INVALID "Invalid number of argument(s) for the %s "
                                          "ComparisonOperator",
                               opname);
    int t0 = nargs > 0 ? ddb_attr_type(args->child) : DDB_T_INVALID;
    cJSON_ArrayForEach(a, args)
    {
        if (ddb_attr_type(a) != t0)
            return ddb__validation(r, INVALID "AttributeValues inside AttributeValueList must "
                                              "be of same type");
        int t = ddb_attr_type(a);
        int tok = op == K_EQ || op == K_NE || scalar(t);
        if (op == K_BEGINS_WITH)
            tok = t == DDB_T_S || t == DDB_T_B;
        if (!tok)
            return ddb__validation(r, INVALID "ComparisonOperator %s is not valid for %s "
                                              "AttributeValue type",
                                   opname, ddb_type_name(t));
    }
    if (op == K_BETWEEN) {
        int cmp = 0;
        if (ddb_attr_compare(args->child, args->child->next, &cmp) == 0 && cmp > 0)
            return ddb__validation(r, "The BETWEEN condition was provided a range where the "
                                      "lower bound is greater than the upper bound");
    }
    if (is_key && op != K_EQ && op != K_LE && op != K_LT && op != K_GE && op != K_GT &&
        op != K_BEGINS_WITH && op != K_BETWEEN)
        return ddb__validation(r, "Attempted conditional constraint is not an indexable "
                                  "operation");
    static const char *const infix[] = { " = ", " <> ", " <= ", " < ", " >= ", " > " };
    lb_put(b, "(");
    switch (op) {
    case K_EQ:
    case K_NE:
    case K_LE:
    case K_LT:
    case K_GE:
    case K_GT:
        lb_name(b, attr);
        lb_put(b, infix[op]);
        lb_value(b, args->child);
        break;
    case K_NOT_NULL:
    case K_NULL:
        lb_put(b, op == K_NULL ? "attribute_not_exists(" : "attribute_exists(");
        lb_name(b, attr);
        lb_put(b, ")");
        break;
    case K_CONTAINS:
    case K_NOT_CONTAINS:
    case K_BEGINS_WITH:
        lb_put(b, op == K_BEGINS_WITH   ? "begins_with("
                  : op == K_CONTAINS ? "contains("
                                     : "NOT contains(");
        lb_name(b, attr);
        lb_put(b, ", ");
        lb_value(b, args->child);
        lb_put(b, ")");
        break;
    case K_IN:
        lb_name(b, attr);
        lb_put(b, " IN (");
        cJSON_ArrayForEach(a, args)
        {
            if (a != args->child)
                lb_put(b, ", ");
            lb_value(b, a);
        }
        lb_put(b, ")");
        break;
    default: /* K_BETWEEN */
        lb_name(b, attr);
        lb_put(b, " BETWEEN ");
        lb_value(b, args->child);
        lb_put(b, " AND ");
        lb_value(b, args->child->next);
        break;
    }
    lb_put(b, ")");
    return 0;
}

/* ConditionalOperator of req: " AND " (default) or " OR ". NULL on error (r set). */
static const char *conj_of(const cJSON *req, sim_reply *r)
{
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(req, "ConditionalOperator");
    if (c == NULL || cJSON_IsNull(c))
        return " AND ";
    if (cJSON_IsString(c) && strcmp(c->valuestring, "AND") == 0)
        return " AND ";
    if (cJSON_IsString(c) && strcmp(c->valuestring, "OR") == 0)
        return " OR ";
    /* not reached: ddb_validate answers the enum before the operation runs */
    ddb__internal(r, -SIM_EINVAL);
    return NULL;
}

/* QueryFilter / ScanFilter / KeyConditions map m. 0 or -1. */
static int emit_filter(lb *b, const cJSON *m, const char *conj, int is_key, sim_reply *r)
{
    const cJSON *e;
    int first = 1;
    cJSON_ArrayForEach(e, m)
    {
        if (!cJSON_IsObject(e))
            return ddb__validation(r, "Unexpected value type in payload");
        const cJSON *op = cJSON_GetObjectItemCaseSensitive(e, "ComparisonOperator");
        if (!cJSON_IsString(op)) {
            ddb_verr v;
            ddb__verr_init(&v);
            ddb__verr_add(&v, NULL, "comparisonOperator", "Member must not be null");
            return ddb__verr_reply(&v, r);
        }
        const cJSON *avl = cJSON_GetObjectItemCaseSensitive(e, "AttributeValueList");
        if (avl != NULL && !cJSON_IsArray(avl) && !cJSON_IsNull(avl))
            return ddb__validation(r, "Unexpected value type in payload");
        if (!first)
            lb_put(b, conj);
        first = 0;
        if (emit_cmp(b, e->string, op->valuestring, cJSON_IsArray(avl) ? avl : NULL, is_key, r) !=
            0)
            return -1;
    }
    return 0;
}

/* Expected map m (API_ExpectedAttributeValue). 0 or -1. */
static int emit_expected(lb *b, const cJSON *m, const char *conj, sim_reply *r)
{
    const cJSON *e;
    int first = 1;
    cJSON_ArrayForEach(e, m)
    {
        if (!cJSON_IsObject(e))
            return ddb__validation(r, "Unexpected value type in payload");
        const char *key = e->string;
        const cJSON *op = cJSON_GetObjectItemCaseSensitive(e, "ComparisonOperator");
        const cJSON *val = cJSON_GetObjectItemCaseSensitive(e, "Value");
        const cJSON *avl = cJSON_GetObjectItemCaseSensitive(e, "AttributeValueList");
        const cJSON *ex = cJSON_GetObjectItemCaseSensitive(e, "Exists");
        if (cJSON_IsNull(val))
            val = NULL;
        if (cJSON_IsNull(avl))
            avl = NULL;
        if (cJSON_IsNull(ex))
            ex = NULL;
        if (!first)
            lb_put(b, conj);
        first = 0;
        if (val != NULL && avl != NULL)
            return ddb__validation(r, INVALID "Value and AttributeValueList cannot be used "
                                              "together for Attribute: %s",
                                   key);
        if (op != NULL && !cJSON_IsNull(op)) {
            if (!cJSON_IsString(op))
                return ddb__validation(r, "Unexpected value type in payload");
            /* API_ExpectedAttributeValue: Exists goes with Value only */
            if (ex != NULL)
                return ddb__validation(r, INVALID "Exists and ComparisonOperator cannot be used "
                                                  "together for Attribute: %s",
                                       key);
            int k = op_lookup(op->valuestring);
            if (val == NULL && avl == NULL && k != K_NULL && k != K_NOT_NULL && k >= 0)
                return ddb__validation(r, INVALID "Value or AttributeValueList must be used "
                                                  "with ComparisonOperator: %s for Attribute: %s",
                                       op->valuestring, key);
            if (avl != NULL && !cJSON_IsArray(avl))
                return ddb__validation(r, "Unexpected value type in payload");
            if (val != NULL) {
                cJSON *one = cJSON_CreateArray();
                cJSON *c = cJSON_Duplicate(val, 1);
                if (one == NULL || c == NULL || !cJSON_AddItemToArray(one, c)) {
                    cJSON_Delete(one);
                    cJSON_Delete(c);
                    b->oom = 1;
                    return 0;
                }
                int rc = emit_cmp(b, key, op->valuestring, one, 0, r);
                cJSON_Delete(one);
                if (rc != 0)
                    return -1;
            } else if (emit_cmp(b, key, op->valuestring, avl, 0, r) != 0) {
                return -1;
            }
            continue;
        }
        if (avl != NULL)
            return ddb__validation(r, INVALID "AttributeValueList can only be used with a "
                                              "ComparisonOperator for Attribute: %s",
                                   key);
        if (ex != NULL && !cJSON_IsBool(ex))
            return ddb__validation(r, "Unexpected value type in payload");
        int exists = ex == NULL || cJSON_IsTrue(ex);
        if (exists && val == NULL)
            return ddb__validation(r, INVALID "Value must be provided when Exists is %s for "
                                              "Attribute: %s",
                                   ex == NULL ? "null" : "true", key);
        if (!exists && val != NULL)
            return ddb__validation(r, INVALID "Value cannot be used when Exists is false for "
                                              "Attribute: %s",
                                   key);
        if (exists) {
            char err[DDB_ERR_MAX];
            if (ddb_attr_validate(val, err, sizeof err) != 0)
                return ddb__validation(r, "%s", err);
            lb_put(b, "(");
            lb_name(b, key);
            lb_put(b, " = ");
            lb_value(b, val);
            lb_put(b, ")");
        } else {
            lb_put(b, "attribute_not_exists(");
            lb_name(b, key);
            lb_put(b, ")");
        }
    }
    return 0;
}

/* AttributeUpdates map m (API_AttributeValueUpdate) into an UpdateExpression. */
static int emit_updates(lb *b, const cJSON *m, sim_reply *r)
{
    lb set = { .n = b->n }, rem = { .n = b->n }, add = { .n = b->n }, del = { .n = b->n };
    lb *parts[4] = { &set, &rem, &add, &del };
    static const char *const kw[4] = { "SET ", "REMOVE ", "ADD ", "DELETE " };
    int rc = -1;
    const cJSON *e;
    char err[DDB_ERR_MAX];
    cJSON_ArrayForEach(e, m)
    {
        if (!cJSON_IsObject(e)) {
            ddb__validation(r, "Unexpected value type in payload");
            goto out;
        }
        const cJSON *act = cJSON_GetObjectItemCaseSensitive(e, "Action");
        const cJSON *val = cJSON_GetObjectItemCaseSensitive(e, "Value");
        if (cJSON_IsNull(val))
            val = NULL;
        const char *a = cJSON_IsString(act) ? act->valuestring : "PUT";
        int which = strcmp(a, "PUT") == 0 ? 0 : strcmp(a, "ADD") == 0 ? 2
                                            : strcmp(a, "DELETE") == 0 ? 3
                                                                        : -1;
        if (which < 0) { /* not reached: ddb_validate answers the enum first */
            ddb__internal(r, -SIM_EINVAL);
            goto out;
        }
        if (val == NULL && which != 3) {
            ddb__validation(r, INVALID "Only DELETE action is allowed when no attribute value is "
                                       "specified");
            goto out;
        }
        if (val != NULL && ddb_attr_validate(val, err, sizeof err) != 0) {
            ddb__validation(r, "%s", err);
            goto out;
        }
        if (which == 3 && val != NULL && ddb_attr_type(val) != DDB_T_SS &&
            ddb_attr_type(val) != DDB_T_NS && ddb_attr_type(val) != DDB_T_BS) {
            /* with the request, before the table (dynalite validations/updateItem.js) */
            ddb__validation(r, INVALID "DELETE action with value is not supported for the type %s",
                            ddb_type_name(ddb_attr_type(val)));
            goto out;
        }
        if (which == 3 && val == NULL)
            which = 1;
        if (which == 2 && ddb_attr_type(val) == DDB_T_L) {
            /* legacy ADD on a list appends to it (API_AttributeValueUpdate) */
            lb *p = &set;
            if (p->len > 0)
                lb_put(p, ", ");
            lb_name(p, e->string);
            lb_put(p, " = list_append(if_not_exists(");
            lb_name(p, e->string);
            lb_put(p, ", ");
            cJSON *empty = cJSON_Parse("{\"L\":[]}");
            if (empty == NULL) {
                p->oom = 1;
            } else {
                lb_value(p, empty);
                cJSON_Delete(empty);
            }
            lb_put(p, "), ");
            lb_value(p, val);
            lb_put(p, ")");
            continue;
        }
        if (which == 2 && ddb_attr_type(val) != DDB_T_N && ddb_attr_type(val) != DDB_T_SS &&
            ddb_attr_type(val) != DDB_T_NS && ddb_attr_type(val) != DDB_T_BS) {
            ddb__validation(r, INVALID "ADD action is not supported for the type %s",
                            ddb_type_name(ddb_attr_type(val)));
            goto out;
        }
        lb *p = parts[which];
        if (p->len > 0)
            lb_put(p, ", ");
        lb_name(p, e->string);
        if (which == 0)
            lb_put(p, " = ");
        else if (which != 1)
            lb_put(p, " ");
        if (which != 1)
            lb_value(p, val);
    }
    for (int i = 0; i < 4; i++) {
        lb *p = parts[i];
        b->oom |= p->oom;
        if (p->len == 0)
            continue;
        if (b->len > 0)
            lb_put(b, " ");
        lb_put(b, kw[i]);
        lb_put(b, p->buf);
    }
    /* move the generated names/values into b */
    for (int i = 0; i < 4; i++) {
        cJSON *maps[2] = { parts[i]->names, parts[i]->values };
        cJSON **dst[2] = { &b->names, &b->values };
        for (int j = 0; j < 2; j++) {
            while (maps[j] != NULL && maps[j]->child != NULL) {
                cJSON *it = cJSON_DetachItemViaPointer(maps[j], maps[j]->child);
                if (*dst[j] == NULL && (*dst[j] = cJSON_CreateObject()) == NULL) {
                    cJSON_Delete(it);
                    b->oom = 1;
                    continue;
                }
                cJSON_AddItemToObject(*dst[j], it->string, it);
            }
        }
    }
    rc = 0;
out:
    for (int i = 0; i < 4; i++)
        lb_release(parts[i]);
    return rc;
}

/* AttributesToGet list l into a ProjectionExpression. 0 or -1. */
static int emit_atg(lb *b, const cJSON *l, sim_reply *r)
{
    if (!cJSON_IsArray(l))
        return ddb__validation(r, "Unexpected value type in payload");
    const cJSON *e, *f;
    /* an empty list: answered by ddb_validate (length 1..) before the operation runs */
    cJSON_ArrayForEach(e, l)
    {
        if (!cJSON_IsString(e))
            return ddb__validation(r, "Unexpected value type in payload");
        for (f = l->child; f != e; f = f->next)
            if (strcmp(f->valuestring, e->valuestring) == 0)
                return ddb__validation(r, INVALID "Duplicate value in attribute name: %s",
                                       e->valuestring);
        if (e != l->child)
            lb_put(b, ", ");
        lb_name(b, e->valuestring);
    }
    return 0;
}

/* Merge generated map src into req's member name (created when missing). */
static int merge_map(cJSON *req, const char *name, cJSON *src)
{
    if (src == NULL)
        return 0;
    cJSON *dst = cJSON_GetObjectItemCaseSensitive(req, name);
    if (dst == NULL || !cJSON_IsObject(dst)) {
        cJSON_DeleteItemFromObjectCaseSensitive(req, name);
        if ((dst = cJSON_AddObjectToObject(req, name)) == NULL)
            return -SIM_ENOMEM;
    }
    while (src->child != NULL) {
        cJSON *it = cJSON_DetachItemViaPointer(src, src->child);
        if (!cJSON_AddItemToObject(dst, it->string, it)) {
            cJSON_Delete(it);
            return -SIM_ENOMEM;
        }
    }
    return 0;
}

/* Put text as member name of req and merge b's maps. */
static int install(cJSON *req, const char *name, lb *b)
{
    if (b->oom)
        return -SIM_ENOMEM;
    cJSON_DeleteItemFromObjectCaseSensitive(req, name);
    if (cJSON_AddStringToObject(req, name, b->buf != NULL ? b->buf : "") == NULL)
        return -SIM_ENOMEM;
    int rc = merge_map(req, "ExpressionAttributeNames", b->names);
    if (rc == 0)
        rc = merge_map(req, "ExpressionAttributeValues", b->values);
    return rc;
}

int ddb__legacy_rewrite(const cJSON *req, int op, cJSON **out, sim_reply *r)
{
    static const char *const e_get[] = { "ProjectionExpression", NULL };
    static const char *const n_get[] = { "AttributesToGet", NULL };
    static const char *const e_put[] = { "ConditionExpression", NULL };
    static const char *const n_put[] = { "Expected", NULL };
    static const char *const e_upd[] = { "UpdateExpression", "ConditionExpression", NULL };
    static const char *const n_upd[] = { "AttributeUpdates", "Expected", NULL };
    static const char *const e_qry[] = { "ProjectionExpression", "FilterExpression",
                                         "KeyConditionExpression", NULL };
    static const char *const n_qry[] = { "AttributesToGet", "QueryFilter", "ConditionalOperator",
                                         "KeyConditions", NULL };
    static const char *const e_scn[] = { "ProjectionExpression", "FilterExpression", NULL };
    static const char *const n_scn[] = { "AttributesToGet", "ScanFilter", "ConditionalOperator",
                                         NULL };
    const char *const *ex, *const *nx;
    const char *vmsg = NULL; /* the expressions ExpressionAttributeValues would need, named
                              * in its error (dynalite validations/index.js
                              * validateExpressionParams, recorded against DynamoDB) */
    switch (op) {
    case DDB_LEGACY_GET:
        ex = e_get, nx = n_get;
        break;
    case DDB_LEGACY_PUT:
        ex = e_put, nx = n_put, vmsg = "ConditionExpression is null";
        break;
    case DDB_LEGACY_UPDATE:
        ex = e_upd, nx = n_upd, vmsg = "UpdateExpression and ConditionExpression are null";
        break;
    case DDB_LEGACY_QUERY:
        ex = e_qry, nx = n_qry, vmsg = "FilterExpression and KeyConditionExpression are null";
        break;
    default:
        ex = e_scn, nx = n_scn, vmsg = "FilterExpression is null";
        break;
    }
    *out = NULL;
    char es[256], ns[256];
    int ne = list_present(req, ex, NULL, es, sizeof es);
    const char *skip = op == DDB_LEGACY_QUERY && !present(req, "KeyConditionExpression")
                           ? "KeyConditions"
                           : NULL;
    int nn = list_present(req, nx, skip, ns, sizeof ns);
    if (ne > 0 && nn > 0)
        return ddb__validation(r, "Can not use both expression and non-expression parameters in "
                                  "the same request: Non-expression parameters: %s Expression "
                                  "parameters: %s",
                               ns, es);
    nn = list_present(req, nx, NULL, ns, sizeof ns);
    if (nn == 0)
        return 0;
    if (ne == 0) {
        ddb_expr_env env;
        int rc = ddb__req_env_for(req, 0, 0, vmsg, &env, r);
        ddb_expr_env_release(&env);
        if (rc != 0)
            return rc;
    }
    int counter = 0, rc = 0;
    lb b = { .n = &counter };
    const char *conj = conj_of(req, r);
    cJSON *nreq = NULL;
    if (conj == NULL)
        return -1;
    if ((nreq = cJSON_Duplicate(req, 1)) == NULL)
        return -SIM_ENOMEM;
    cJSON_DeleteItemFromObjectCaseSensitive(nreq, "ConditionalOperator");
    const cJSON *m;
    /* AttributesToGet */
    if ((m = cJSON_GetObjectItemCaseSensitive(req, "AttributesToGet")) != NULL &&
        !cJSON_IsNull(m)) {
        const cJSON *sel = cJSON_GetObjectItemCaseSensitive(req, "Select");
        if (cJSON_IsString(sel) && strcmp(sel->valuestring, "SPECIFIC_ATTRIBUTES") != 0) {
            rc = ddb__validation(r, "Cannot specify the AttributesToGet when choosing to get %s",
                                 sel->valuestring);
            goto out;
        }
        if ((rc = emit_atg(&b, m, r)) != 0 || (rc = install(nreq, "ProjectionExpression", &b)) != 0)
            goto out;
        cJSON_DeleteItemFromObjectCaseSensitive(nreq, "AttributesToGet");
        lb_release(&b);
        b.n = &counter;
    }
    static const char *const filters[] = { "KeyConditions", "QueryFilter", "ScanFilter",
                                           "Expected", NULL };
    static const char *const targets[] = { "KeyConditionExpression", "FilterExpression",
                                           "FilterExpression", "ConditionExpression" };
    for (int i = 0; filters[i] != NULL; i++) {
        if ((m = cJSON_GetObjectItemCaseSensitive(req, filters[i])) == NULL || cJSON_IsNull(m))
            continue;
        int allowed = (i == 0 && op == DDB_LEGACY_QUERY) || (i == 1 && op == DDB_LEGACY_QUERY) ||
                      (i == 2 && op == DDB_LEGACY_SCAN) ||
                      (i == 3 && (op == DDB_LEGACY_PUT || op == DDB_LEGACY_UPDATE));
        if (!allowed)
            continue;
        if (!cJSON_IsObject(m)) {
            rc = ddb__validation(r, "Unexpected value type in payload");
            goto out;
        }
        if (i == 0) {
            /* KeyConditions: each condition's arguments first, then their number (1 or 2),
             * then whether each is indexable (dynalite validations/query.js: validateConditions,
             * then the count; the index checks come with the table) */
            int nconds = cJSON_GetArraySize(m);
            if (nconds > 0) {
                int scratch_n = 0;
                lb scratch = { .n = &scratch_n };
                rc = emit_filter(&scratch, m, " AND ", 0, r);
                lb_release(&scratch);
                if (rc != 0)
                    goto out;
            }
            if (nconds < 1 || nconds > 2) {
                rc = ddb__validation(r, "Conditions can be of length 1 or 2 only");
                goto out;
            }
        }
        if (m->child == NULL) /* an empty map means no condition */
            goto drop;
        rc = i == 3   ? emit_expected(&b, m, conj, r)
             : i == 0 ? emit_filter(&b, m, " AND ", 1, r)
                      : emit_filter(&b, m, conj, 0, r);
        if (rc != 0 || (rc = install(nreq, targets[i], &b)) != 0)
            goto out;
    drop:
        cJSON_DeleteItemFromObjectCaseSensitive(nreq, filters[i]);
        lb_release(&b);
        b.n = &counter;
    }
    if (op == DDB_LEGACY_UPDATE && (m = cJSON_GetObjectItemCaseSensitive(req, "AttributeUpdates")) &&
        !cJSON_IsNull(m)) {
        if (!cJSON_IsObject(m)) {
            rc = ddb__validation(r, "Unexpected value type in payload");
            goto out;
        }
        if ((rc = emit_updates(&b, m, r)) != 0)
            goto out;
        if (b.len > 0 && (rc = install(nreq, "UpdateExpression", &b)) != 0)
            goto out;
        cJSON_DeleteItemFromObjectCaseSensitive(nreq, "AttributeUpdates");
    }
    *out = nreq;
    nreq = NULL;
out:
    lb_release(&b);
    cJSON_Delete(nreq);
    return rc;
}

int ddb__legacy_rewrite_batch_get(const cJSON *req, cJSON **out, sim_reply *r)
{
    *out = NULL;
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(req, "RequestItems");
    const cJSON *e;
    int any = 0;
    cJSON_ArrayForEach(e, items)
    {
        any |= cJSON_IsObject(e) && present(e, "AttributesToGet");
    }
    if (!any)
        return 0;
    cJSON *nreq = cJSON_Duplicate(req, 1);
    if (nreq == NULL)
        return -SIM_ENOMEM;
    cJSON *ni = cJSON_GetObjectItemCaseSensitive(nreq, "RequestItems");
    cJSON *x;
    cJSON_ArrayForEach(x, ni)
    {
        if (!cJSON_IsObject(x) || !present(x, "AttributesToGet"))
            continue;
        cJSON *rep = NULL;
        int rc = ddb__legacy_rewrite(x, DDB_LEGACY_GET, &rep, r);
        if (rc != 0) {
            cJSON_Delete(nreq);
            return rc;
        }
        if (rep != NULL)
            cJSON_ReplaceItemViaPointer(ni, x, rep), x = rep;
    }
    *out = nreq;
    return 0;
}

/* FNV-1a over the encoded partition key: the segment an item belongs to. */
int ddb__scan_segment_of(const cJSON *item, const char *hash_attr, int64_t total, int64_t *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(item, hash_attr);
    unsigned char *enc = NULL;
    size_t len = 0;
    *out = -1;
    if (v == NULL)
        return 0;
    int rc = ddb_key_encode(v, &enc, &len);
    if (rc != 0)
        return rc;
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= enc[i];
        h *= 1099511628211ULL;
    }
    free(enc);
    *out = (int64_t)(h % (uint64_t)total);
    return 0;
}
