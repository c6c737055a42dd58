/* ddb_expr_eval.c - evaluation of a parsed condition against an item: comparators, BETWEEN,
 * IN, AND/OR/NOT and the functions attribute_exists, attribute_not_exists, attribute_type,
 * begins_with, contains and size. Parsing and checks are in ddb_expr_parse.c.
 * Source: DynamoDB developer guide, Expressions.OperatorsAndFunctions. A comparison with an
 * absent attribute or mismatched types is false (<> is true), never an error. size() counts
 * a String in UTF-16 code units, as DynamoDB does. */
#include "storage/ddb_expr_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core/sim_err.h"
#include "storage/ddb_attr.h"

void ddb__val_release(ddb__val *v)
{
    if (v == NULL)
        return;
    cJSON_Delete(v->owned);
    v->owned = NULL;
    v->av = NULL;
}

/* {"N": "<n>"} for a count; NULL on ENOMEM. */
static cJSON *count_value(size_t n)
{
    char buf[32];
    cJSON *o = cJSON_CreateObject();
    snprintf(buf, sizeof buf, "%zu", n);
    if (o == NULL || cJSON_AddStringToObject(o, "N", buf) == NULL) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

static int eval_operand(const ddb__node *n, const cJSON *item, ddb__val *out);

/* size(x): undefined unless x is a String, Binary, set, List or Map. */
static int eval_size(const ddb__node *n, const cJSON *item, ddb__val *out)
{
    ddb__val x;
    size_t count;
    int rc, t;
    if ((rc = eval_operand(n->args[0], item, &x)) != 0)
        return rc;
    t = ddb_attr_type(x.av);
    switch (t) {
    case DDB_T_S:
        count = ddb_utf16_len(x.av->child->valuestring);
        break;
    case DDB_T_B:
        count = ddb_attr_size(x.av);
        break;
    case DDB_T_SS:
    case DDB_T_NS:
    case DDB_T_BS:
    case DDB_T_L:
    case DDB_T_M:
        count = (size_t)cJSON_GetArraySize(x.av->child);
        break;
    default:
        ddb__val_release(&x);
        return 0;
    }
    ddb__val_release(&x);
    if ((out->owned = count_value(count)) == NULL)
        return -SIM_ENOMEM;
    out->av = out->owned;
    return 0;
}

/* Value of an operand; out->av NULL when it is undefined (absent attribute). */
static int eval_operand(const ddb__node *n, const cJSON *item, ddb__val *out)
{
    out->av = NULL;
    out->owned = NULL;
    switch (n->kind) {
    case DDB__N_PATH:
        out->av = ddb__path_get(&n->path, item);
        return 0;
    case DDB__N_VALUE:
        out->av = n->value;
        return 0;
    case DDB__N_FUNC:
        if (strcmp(n->fname, "size") == 0)
            return eval_size(n, item, out);
        return 0;
    default:
        return 0;
    }
}

/* Does hay (hl bytes) contain needle (nl bytes)? */
static int bytes_contain(const unsigned char *hay, size_t hl, const unsigned char *needle,
                         size_t nl)
{
    size_t i;
    if (nl == 0)
        return 1;
    for (i = 0; i + nl <= hl; i++) {
        if (memcmp(hay + i, needle, nl) == 0)
            return 1;
    }
    return 0;
}

/* begins_with (prefix != 0) or substring test over two B values. */
static int binary_match(const cJSON *a, const cJSON *b, int prefix, int *out)
{
    unsigned char *da = NULL, *db = NULL;
    size_t la = 0, lb = 0;
    int rc = ddb_b64_decode(a->child->valuestring, &da, &la);
    if (rc == 0)
        rc = ddb_b64_decode(b->child->valuestring, &db, &lb);
    if (rc == 0) {
        if (prefix)
            *out = lb <= la && (lb == 0 || memcmp(da, db, lb) == 0);
        else
            *out = bytes_contain(da, la, db, lb);
    }
    free(da);
    free(db);
    return rc == -SIM_ENOMEM ? rc : 0;
}

/* contains(a, b) as DynamoDB defines it. */
static int eval_contains(const cJSON *a, const cJSON *b, int *out)
{
    int ta = ddb_attr_type(a), tb = ddb_attr_type(b);
    const cJSON *e;
    *out = 0;
    if (ta == DDB_T_INVALID || tb == DDB_T_INVALID)
        return 0;
    if (ta == DDB_T_S && tb == DDB_T_S) {
        *out = strstr(a->child->valuestring, b->child->valuestring) != NULL;
        return 0;
    }
    if (ta == DDB_T_B && tb == DDB_T_B)
        return binary_match(a, b, 0, out);
    if ((ta == DDB_T_SS && tb == DDB_T_S) || (ta == DDB_T_NS && tb == DDB_T_N) ||
        (ta == DDB_T_BS && tb == DDB_T_B)) {
        cJSON_ArrayForEach(e, a->child)
        {
            cJSON *probe = cJSON_CreateObject();
            int eq;
            if (probe == NULL ||
                cJSON_AddStringToObject(probe, ddb_type_name(tb), e->valuestring) == NULL) {
                cJSON_Delete(probe);
                return -SIM_ENOMEM;
            }
            eq = ddb_attr_equal(probe, b);
            cJSON_Delete(probe);
            if (eq) {
                *out = 1;
                return 0;
            }
        }
        return 0;
    }
    if (ta == DDB_T_L) {
        cJSON_ArrayForEach(e, a->child)
        {
            if (ddb_attr_equal(e, b)) {
                *out = 1;
                return 0;
            }
        }
    }
    return 0;
}

/* A function used as a condition. */
static int eval_func(const ddb__node *n, const cJSON *item, int *out)
{
    ddb__val a = { NULL, NULL }, b = { NULL, NULL };
    int rc = 0;
    *out = 0;
    if (strcmp(n->fname, "attribute_exists") == 0) {
        *out = ddb__path_get(&n->args[0]->path, item) != NULL;
        return 0;
    }
    if (strcmp(n->fname, "attribute_not_exists") == 0) {
        *out = ddb__path_get(&n->args[0]->path, item) == NULL;
        return 0;
    }
    if ((rc = eval_operand(n->args[0], item, &a)) != 0)
        goto out;
    if (n->nargs > 1 && (rc = eval_operand(n->args[1], item, &b)) != 0)
        goto out;
    if (a.av == NULL || b.av == NULL)
        goto out;
    if (strcmp(n->fname, "attribute_type") == 0) {
        *out = ddb_attr_type(b.av) == DDB_T_S &&
               strcmp(ddb__value_type(a.av), b.av->child->valuestring) == 0;
    } else if (strcmp(n->fname, "begins_with") == 0) {
        int ta = ddb_attr_type(a.av), tb = ddb_attr_type(b.av);
        if (ta == DDB_T_S && tb == DDB_T_S) {
            size_t lb = strlen(b.av->child->valuestring);
            *out = strncmp(a.av->child->valuestring, b.av->child->valuestring, lb) == 0;
        } else if (ta == DDB_T_B && tb == DDB_T_B) {
            rc = binary_match(a.av, b.av, 1, out);
        }
    } else if (strcmp(n->fname, "contains") == 0) {
        rc = eval_contains(a.av, b.av, out);
    }
out:
    ddb__val_release(&a);
    ddb__val_release(&b);
    return rc;
}

/* Order relation of a comparator applied to cmp (-1/0/1). */
static int cmp_holds(int op, int cmp)
{
    switch (op) {
    case DDB__LT:
        return cmp < 0;
    case DDB__LE:
        return cmp <= 0;
    case DDB__GT:
        return cmp > 0;
    case DDB__GE:
        return cmp >= 0;
    default:
        return 0;
    }
}

static int eval_node(const ddb__node *n, const cJSON *item, int *out);

static int is_chain(const ddb__node *n)
{
    return (n->kind == DDB__N_AND || n->kind == DDB__N_OR) && n->nargs == 2;
}

/* A chain of AND/OR nodes linked through their first operand ("a OR b OR c" parses as
 * ((a OR b) OR c)), evaluated with a loop instead of one recursion per link: the spine is
 * collected, the leftmost operand evaluated, then each link's second operand from the
 * bottom up with AND/OR short-circuiting. Recursion is left only for second operands, whose
 * nesting the 4 KB expression size bounds (DDB__DEPTH_MAX). */
static int eval_chain(const ddb__node *top, const cJSON *item, int *out)
{
    const ddb__node *local[32], **spine = local;
    const ddb__node *n;
    size_t len = 0, i;
    int rc, v = 0;
    for (n = top; is_chain(n); n = n->args[0])
        len++;
    if (len > sizeof local / sizeof local[0] && (spine = malloc(len * sizeof *spine)) == NULL)
        return -SIM_ENOMEM;
    for (n = top, i = 0; is_chain(n); n = n->args[0])
        spine[i++] = n;
    rc = eval_node(n, item, &v); /* n: the leftmost operand, not a chain link */
    for (i = len; rc == 0 && i-- > 0;) {
        if (spine[i]->kind == DDB__N_AND ? v : !v)
            rc = eval_node(spine[i]->args[1], item, &v);
    }
    if (spine != local)
        free(spine);
    if (rc == 0)
        *out = v;
    return rc;
}

static int eval_node(const ddb__node *n, const cJSON *item, int *out)
{
    ddb__val v[3] = { { NULL, NULL }, { NULL, NULL }, { NULL, NULL } };
    int rc = 0, i, c1 = 0, c2 = 0;
    *out = 0;
    switch (n->kind) {
    case DDB__N_AND:
    case DDB__N_OR:
        return is_chain(n) ? eval_chain(n, item, out) : 0;
    case DDB__N_NOT:
        if ((rc = eval_node(n->args[0], item, out)) != 0)
            return rc;
        *out = !*out;
        return 0;
    case DDB__N_FUNC:
        return eval_func(n, item, out);
    case DDB__N_CMP:
        if ((rc = eval_operand(n->args[0], item, &v[0])) != 0 ||
            (rc = eval_operand(n->args[1], item, &v[1])) != 0)
            break;
        if (n->op == DDB__EQ || n->op == DDB__NE) {
            int eq = v[0].av != NULL && v[1].av != NULL && ddb_attr_equal(v[0].av, v[1].av);
            *out = n->op == DDB__EQ ? eq : !eq;
        } else if (v[0].av != NULL && v[1].av != NULL &&
                   ddb_attr_compare(v[0].av, v[1].av, &c1) == 0) {
            *out = cmp_holds(n->op, c1);
        }
        break;
    case DDB__N_BETWEEN:
        for (i = 0; i < 3; i++) {
            if ((rc = eval_operand(n->args[i], item, &v[i])) != 0)
                goto out;
        }
        if (v[0].av != NULL && v[1].av != NULL && v[2].av != NULL &&
            ddb_attr_compare(v[0].av, v[1].av, &c1) == 0 &&
            ddb_attr_compare(v[0].av, v[2].av, &c2) == 0)
            *out = c1 >= 0 && c2 <= 0;
        break;
    case DDB__N_IN:
        if ((rc = eval_operand(n->args[0], item, &v[0])) != 0 || v[0].av == NULL)
            break;
        for (i = 1; i < n->nargs && !*out; i++) {
            if ((rc = eval_operand(n->args[i], item, &v[1])) != 0)
                break;
            *out = v[1].av != NULL && ddb_attr_equal(v[0].av, v[1].av);
            ddb__val_release(&v[1]);
        }
        break;
    default:
        break;
    }
out:
    for (i = 0; i < 3; i++)
        ddb__val_release(&v[i]);
    return rc;
}

int ddb_cond_eval(const ddb_cond *c, const cJSON *item, int *out_true, char *err, size_t errcap)
{
    int result = 0, rc;
    rc = eval_node(c->root, item, &result); /* a NULL item has no attributes */
    if (rc != 0)
        return rc == -SIM_ENOMEM ? rc : ddb__errf(err, errcap, "%s", sim_strerror(rc));
    *out_true = result;
    return 0;
}

/* 1 when n or any node below it is a path starting at top-level attribute name (and, if
 * nested, going below it). */
static int node_names(const ddb__node *n, const char *name, int nested)
{
    int i;
    if (n == NULL)
        return 0;
    if (n->kind == DDB__N_PATH && n->path.n > (nested ? 1 : 0) && n->path.e[0].name != NULL &&
        strcmp(n->path.e[0].name, name) == 0)
        return 1;
    for (i = 0; i < n->nargs; i++) {
        if (node_names(n->args[i], name, nested))
            return 1;
    }
    return 0;
}

int ddb_cond_names(const ddb_cond *c, const char *name, int nested)
{
    return c != NULL && name != NULL && node_names(c->root, name, nested);
}
