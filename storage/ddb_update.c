/* ddb_update.c - UpdateExpression: parser (SET, REMOVE, ADD, DELETE clauses; +, -,
 * if_not_exists, list_append), DynamoDB's semantic checks in its priority, and application
 * to an item with exact number arithmetic (ddb_num.c). Operands share the grammar of
 * ddb_expr_parse.c.
 * Source: DynamoDB developer guide, Expressions.UpdateExpressions; messages as DynamoDB
 * returns them, recorded in dynalite's test suite (test/updateItem.js). */
#include "storage/ddb_expr_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core/sim_err.h"
#include "storage/ddb_attr.h"
#include "storage/ddb_num.h"

enum { U_SET = 0, U_REMOVE = 1, U_ADD = 2, U_DELETE = 3 };

static const char *const section_names[] = { "SET", "REMOVE", "ADD", "DELETE" };

typedef struct upd_action {
    int kind;       /* U_SET, ... */
    ddb__path path; /* the document path acted on */
    ddb__node *val; /* SET: value expression; ADD/DELETE: the :value; REMOVE: NULL */
} upd_action;

struct ddb_update {
    upd_action *a; /* owned; n actions in written order */
    int n;
    int dup_section; /* index+1 of the first clause written twice, 0 if none */
};

void ddb_update_free(ddb_update *u)
{
    int i;
    if (u == NULL)
        return;
    for (i = 0; i < u->n; i++) {
        ddb__path_release(&u->a[i].path);
        ddb__node_free(u->a[i].val);
    }
    free(u->a);
    free(u);
}

/* ---- parsing ---- */

/* operand ('+' operand | '-' operand)? */
static ddb__node *p_set_inner(ddb__parser *ps)
{
    int save = ps->pos, k;
    ddb__node *left, *right, *n;
    if ((left = ddb__parse_operand_parens(ps)) == NULL)
        return NULL;
    k = ddb__kind(ps, ps->pos);
    if (k != DDB__TK_PLUS && k != DDB__TK_MINUS) {
        ddb__fail(ps, ps->pos);
        return left;
    }
    if ((n = ddb__node_new(ps, k == DDB__TK_PLUS ? DDB__N_PLUS : DDB__N_MINUS)) == NULL) {
        ddb__node_free(left);
        return NULL;
    }
    n->tok = left->tok;
    ps->pos++;
    if ((right = ddb__parse_operand_parens(ps)) == NULL) {
        ddb__node_free(left);
        ddb__node_free(n);
        ps->pos = save;
        return NULL;
    }
    if (ddb__node_push(n, left) != 0) {
        ps->oom = 1;
        ddb__node_free(left);
        ddb__node_free(right);
        ddb__node_free(n);
        return NULL;
    }
    if (ddb__node_push(n, right) != 0) {
        ps->oom = 1;
        ddb__node_free(right);
        ddb__node_free(n);
        return NULL;
    }
    return n;
}

/* A SET value: inner, or '(' inner ')'. The longer reading is tried first so that
 * "(a) + :v" and "(a + :v)" both parse. */
static ddb__node *p_set_value(ddb__parser *ps)
{
    int save = ps->pos;
    ddb__node *n;
    if ((n = p_set_inner(ps)) != NULL || ps->oom)
        return n;
    if (ddb__kind(ps, ps->pos) != DDB__TK_LPAREN)
        return NULL;
    ps->pos++;
    n = p_set_inner(ps);
    if (n != NULL && ddb__accept(ps, DDB__TK_RPAREN))
        return n;
    ddb__node_free(n);
    ps->pos = save;
    return NULL;
}

/* Append an action; on ENOMEM frees the parts and sets ps->oom. */
static int add_action(ddb__parser *ps, ddb_update *u, int kind, ddb__path *path, ddb__node *val)
{
    upd_action *a = realloc(u->a, sizeof *a * (size_t)(u->n + 1));
    if (a == NULL) {
        ps->oom = 1;
        ddb__path_release(path);
        ddb__node_free(val);
        return -SIM_ENOMEM;
    }
    u->a = a;
    a[u->n].kind = kind;
    a[u->n].path = *path;
    a[u->n].val = val;
    u->n++;
    return 0;
}

/* One action of clause kind at ps->pos. Returns 0 or -1 (syntax/ENOMEM). */
static int p_action(ddb__parser *ps, ddb_update *u, int kind)
{
    ddb__path path = { NULL, 0 };
    ddb__node *val = NULL;
    if (ddb__path_parse(ps, &path) != 0)
        return -1;
    if (kind == U_SET) {
        if (!ddb__accept(ps, DDB__TK_EQ) || (val = p_set_value(ps)) == NULL)
            goto fail;
    } else if (kind == U_ADD || kind == U_DELETE) {
        if (ddb__kind(ps, ps->pos) != DDB__TK_VALUE) {
            ddb__fail(ps, ps->pos);
            goto fail;
        }
        if ((val = ddb__parse_operand(ps)) == NULL)
            goto fail;
    }
    return add_action(ps, u, kind, &path, val) == 0 ? 0 : -1;
fail:
    ddb__path_release(&path);
    ddb__node_free(val);
    return -1;
}

/* The clause keyword at ps->pos, -1 if none. */
static int clause_at(const ddb__parser *ps)
{
    int k;
    for (k = U_SET; k <= U_DELETE; k++) {
        if (ddb__is_kw(ps, ps->pos, section_names[k]))
            return k;
    }
    return -1;
}

/* update := (clause action (',' action)*)+ EOF */
static int p_update(ddb__parser *ps, ddb_update *u)
{
    int seen[4] = { 0, 0, 0, 0 };
    int kind = clause_at(ps);
    if (kind < 0) {
        ddb__fail(ps, ps->pos);
        return -1;
    }
    while (kind >= 0) {
        ps->pos++;
        if (seen[kind] && u->dup_section == 0)
            u->dup_section = kind + 1;
        seen[kind] = 1;
        for (;;) {
            if (p_action(ps, u, kind) != 0)
                return -1;
            if (ddb__kind(ps, ps->pos) != DDB__TK_COMMA)
                break;
            ps->pos++;
        }
        kind = clause_at(ps);
    }
    if (ddb__kind(ps, ps->pos) != DDB__TK_EOF) {
        ddb__fail(ps, ps->pos);
        return -1;
    }
    return 0;
}

/* ---- semantic checks ---- */

enum {
    E_RESERVED = 0,
    E_UNKNOWN,
    E_SECTION,
    E_ATTRNAME,
    E_ATTRVAL,
    E_OVERLAP,
    E_CONFLICT,
    E_OPERAND,
    E_FUNCTION,
    E_COUNT,
};

typedef struct uchk {
    ddb_expr_env *env;
    ddb__errs e;
    int oom;
} uchk;

/* Immediate type of an operand: a value's type, else NULL. */
static const char *imm_type(const ddb__node *n)
{
    return n->kind == DDB__N_VALUE && n->value != NULL ? ddb__value_type(n->value) : NULL;
}

static void uchk_value(uchk *c, ddb__node *n)
{
    const cJSON *v;
    int i;
    switch (n->kind) {
    case DDB__N_PATH:
        if (ddb__path_resolve(&n->path, c->env, &c->e, E_RESERVED, E_ATTRNAME) != 0)
            c->oom = 1;
        return;
    case DDB__N_VALUE:
        if ((v = ddb__env_value(c->env, n->vname)) == NULL) {
            ddb__errs_set(&c->e, E_ATTRVAL,
                          "An expression attribute value used in expression is not defined; "
                          "attribute value: %s",
                          n->vname);
            return;
        }
        if (n->value == NULL && (n->value = cJSON_Duplicate(v, 1)) == NULL)
            c->oom = 1;
        return;
    default:
        break;
    }
    for (i = 0; i < n->nargs; i++)
        uchk_value(c, n->args[i]);
    if (n->kind == DDB__N_PLUS || n->kind == DDB__N_MINUS) {
        const char *op = n->kind == DDB__N_PLUS ? "+" : "-";
        for (i = 0; i < 2; i++) {
            const char *t = imm_type(n->args[i]);
            if (t != NULL && strcmp(t, "N") != 0) {
                ddb__errs_set(&c->e, E_FUNCTION,
                              "Incorrect operand type for operator or function; operator or "
                              "function: %s, operand type: %s",
                              op, t);
                break;
            }
        }
        return;
    }
    if (n->kind != DDB__N_FUNC)
        return;
    if (strcmp(n->fname, "if_not_exists") != 0 && strcmp(n->fname, "list_append") != 0) {
        ddb__errs_set(&c->e, E_UNKNOWN, "Invalid function name; function: %s", n->fname);
        return;
    }
    if (n->nargs != 2) {
        ddb__errs_set(&c->e, E_FUNCTION,
                      "Incorrect number of operands for operator or function; operator or "
                      "function: %s, number of operands: %d",
                      n->fname, n->nargs);
        return;
    }
    if (strcmp(n->fname, "if_not_exists") == 0) {
        if (n->args[0]->kind != DDB__N_PATH)
            ddb__errs_set(&c->e, E_FUNCTION,
                          "Operator or function requires a document path; operator or "
                          "function: %s",
                          n->fname);
        return;
    }
    for (i = 0; i < 2; i++) {
        const char *t = imm_type(n->args[i]);
        if (t != NULL && strcmp(t, "L") != 0) {
            ddb__errs_set(&c->e, E_FUNCTION,
                          "Incorrect operand type for operator or function; operator or "
                          "function: %s, operand type: %s",
                          n->fname, t);
            break;
        }
    }
}

/* AWS's names of the scalar types in ADD/DELETE operand errors. */
static const char *operand_type_word(int t)
{
    switch (t) {
    case DDB_T_S:
        return "STRING";
    case DDB_T_N:
        return "NUMBER";
    case DDB_T_B:
        return "BINARY";
    case DDB_T_NULL:
        return "NULL";
    case DDB_T_BOOL:
        return "BOOLEAN";
    case DDB_T_L:
        return "LIST";
    case DDB_T_M:
        return "MAP";
    default:
        return NULL;
    }
}

static int uchk_run(uchk *c, ddb_update *u)
{
    int i, j;
    char p1[DDB__ERR_MAX / 3], p2[DDB__ERR_MAX / 3];
    for (i = 0; i < u->n; i++) {
        upd_action *a = &u->a[i];
        if (ddb__path_resolve(&a->path, c->env, &c->e, E_RESERVED, E_ATTRNAME) != 0)
            c->oom = 1;
        for (j = 0; j < i; j++) {
            int clash = ddb__path_clash(&u->a[j].path, &a->path);
            if (clash == 0)
                continue;
            ddb__path_str(&u->a[j].path, p1, sizeof p1);
            ddb__path_str(&a->path, p2, sizeof p2);
            ddb__errs_set(&c->e, clash == 1 ? E_OVERLAP : E_CONFLICT,
                          "Two document paths %s with each other; must remove or rewrite one of "
                          "these paths; path one: %s, path two: %s",
                          clash == 1 ? "overlap" : "conflict", p1, p2);
        }
        if (a->val != NULL)
            uchk_value(c, a->val);
        if ((a->kind == U_ADD || a->kind == U_DELETE) && a->val->value != NULL) {
            int t = ddb_attr_type(a->val->value);
            const char *w = operand_type_word(t);
            if (w != NULL && !(a->kind == U_ADD && t == DDB_T_N))
                ddb__errs_set(&c->e, E_OPERAND,
                              "Incorrect operand type for operator or function; operator: %s, "
                              "operand type: %s",
                              section_names[a->kind], w);
        }
    }
    if (u->dup_section != 0)
        ddb__errs_set(&c->e, E_SECTION,
                      "The \"%s\" section can only be used once in an update expression;",
                      section_names[u->dup_section - 1]);
    return c->oom ? -SIM_ENOMEM : 0;
}

int ddb_update_parse(const char *text, ddb_expr_env *env, ddb_update **out, char *err,
                     size_t errcap)
{
    ddb__parser ps;
    ddb_update *u = NULL;
    uchk *c = NULL;
    int rc, i;
    if (text == NULL || ddb__text_blank(text))
        return ddb__errf(err, errcap, "Invalid UpdateExpression: The expression can not be empty;");
    if ((rc = ddb__expr_size_check(text, "UpdateExpression", 0, err, errcap)) != 0)
        return rc;
    if ((rc = ddb__parser_init(&ps, text, DDB__KW_UPDATE)) != 0)
        return rc;
    if ((u = calloc(1, sizeof *u)) == NULL) {
        rc = -SIM_ENOMEM;
        goto out;
    }
    if (p_update(&ps, u) != 0) {
        rc = ps.oom ? -SIM_ENOMEM : ddb__syntax_error(&ps, "UpdateExpression", err, errcap);
        goto out;
    }
    if ((rc = ddb__path_depth_check(&ps, "UpdateExpression", err, errcap)) != 0)
        goto out;
    if ((c = calloc(1, sizeof *c)) == NULL) {
        rc = -SIM_ENOMEM;
        goto out;
    }
    c->env = env;
    if ((rc = uchk_run(c, u)) != 0)
        goto out;
    for (i = 0; i < E_COUNT; i++) {
        if (c->e.msg[i][0] != '\0') {
            rc = ddb__errf(err, errcap, "Invalid UpdateExpression: %s", c->e.msg[i]);
            goto out;
        }
    }
    *out = u;
    u = NULL;
out:
    free(c);
    ddb_update_free(u);
    ddb__parser_release(&ps);
    return rc;
}

int ddb_update_touches(const ddb_update *u, const char *name)
{
    int i;
    for (i = 0; i < u->n; i++) {
        if (u->a[i].path.e[0].name != NULL && strcmp(u->a[i].path.e[0].name, name) == 0)
            return 1;
    }
    return 0;
}

/* 1 when path p goes below top-level attribute name. */
static int path_nests(const ddb__path *p, const char *name)
{
    return p->n > 1 && p->e[0].name != NULL && strcmp(p->e[0].name, name) == 0;
}

/* 1 when operand tree n reads a path below top-level attribute name. */
static int node_nests(const ddb__node *n, const char *name)
{
    int i;
    if (n == NULL)
        return 0;
    if (n->kind == DDB__N_PATH && path_nests(&n->path, name))
        return 1;
    for (i = 0; i < n->nargs; i++) {
        if (node_nests(n->args[i], name))
            return 1;
    }
    return 0;
}

int ddb_update_nests(const ddb_update *u, const char *name)
{
    int i;
    if (u == NULL || name == NULL)
        return 0;
    for (i = 0; i < u->n; i++) {
        if (path_nests(&u->a[i].path, name) || node_nests(u->a[i].val, name))
            return 1;
    }
    return 0;
}

/* ---- application ---- */

#define MSG_TYPE    "An operand in the update expression has an incorrect data type"
#define MSG_PATH    "The document path provided in the update expression is invalid for update"
#define MSG_MISSING "The provided expression refers to an attribute that does not exist in the item"
#define MSG_NESTING "Nesting Levels have exceeded supported limits"

/* "DynamoDB supports nested attributes up to 32 levels deep" (developer guide, Constraints):
 * Maps and Lists inside one attribute value, as ddb_attr_validate counts them. */
#define NESTING_MAX 32

/* Mutable value at the first n elements of p inside item; NULL if absent. */
static cJSON *path_get_mut(const ddb__path *p, int n, cJSON *item)
{
    cJSON *cur;
    int i;
    if (n <= 0 || p->e[0].name == NULL)
        return NULL;
    cur = cJSON_GetObjectItemCaseSensitive(item, p->e[0].name);
    for (i = 1; i < n && cur != NULL; i++) {
        int t = ddb_attr_type(cur);
        if (p->e[i].index >= 0)
            cur = t == DDB_T_L ? cJSON_GetArrayItem(cur->child, p->e[i].index) : NULL;
        else
            cur = t == DDB_T_M ? cJSON_GetObjectItemCaseSensitive(cur->child, p->e[i].name) : NULL;
    }
    return cur;
}

/* The container (an item or an M's body, or an L's body) holding the last element of p;
 * NULL when the path's parent is absent or of the wrong type. */
static cJSON *parent_body(const ddb__path *p, cJSON *item)
{
    cJSON *parent;
    int want;
    if (p->n == 1)
        return item;
    if ((parent = path_get_mut(p, p->n - 1, item)) == NULL)
        return NULL;
    want = p->e[p->n - 1].index >= 0 ? DDB_T_L : DDB_T_M;
    return ddb_attr_type(parent) == want ? parent->child : NULL;
}

/* Put val (taken, even on error) at p. A list index past the end appends. */
static int set_at(cJSON *item, const ddb__path *p, cJSON *val, char *err, size_t errcap)
{
    cJSON *body = parent_body(p, item);
    const ddb__pelem *last = &p->e[p->n - 1];
    cJSON_bool ok;
    if (body == NULL) {
        cJSON_Delete(val);
        return ddb__errf(err, errcap, MSG_PATH);
    }
    if (last->index >= 0) {
        if (last->index < cJSON_GetArraySize(body))
            ok = cJSON_ReplaceItemInArray(body, last->index, val);
        else
            ok = cJSON_AddItemToArray(body, val);
    } else if (cJSON_GetObjectItemCaseSensitive(body, last->name) != NULL) {
        ok = cJSON_ReplaceItemInObjectCaseSensitive(body, last->name, val);
    } else {
        ok = cJSON_AddItemToObject(body, last->name, val);
    }
    if (!ok) {
        cJSON_Delete(val);
        return -SIM_ENOMEM;
    }
    return 0;
}

/* Remove what p names; absent is fine, a wrong parent is not. */
static int remove_at(cJSON *item, const ddb__path *p, char *err, size_t errcap)
{
    cJSON *body = parent_body(p, item);
    const ddb__pelem *last = &p->e[p->n - 1];
    if (body == NULL)
        return ddb__errf(err, errcap, MSG_PATH);
    if (last->index >= 0) {
        if (last->index < cJSON_GetArraySize(body))
            cJSON_DeleteItemFromArray(body, last->index);
    } else {
        cJSON_DeleteItemFromObjectCaseSensitive(body, last->name);
    }
    return 0;
}

/* Read both operands of + / - as numbers. */
static int num_of(const cJSON *v, ddb_num *out)
{
    return ddb_attr_type(v) == DDB_T_N && ddb_num_parse(v->child->valuestring, out) == DDB_NUM_OK;
}

/* New {"N": text} for n; NULL on ENOMEM. */
static cJSON *num_value(const ddb_num *n)
{
    char buf[DDB_NUM_TEXT_MAX];
    cJSON *o = cJSON_CreateObject();
    ddb_num_format(n, buf);
    if (o == NULL || cJSON_AddStringToObject(o, "N", buf) == NULL) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* Compute a SET value against the item as it was before the update; *out owned. */
static int eval_value(const ddb__node *n, const cJSON *item, cJSON **out, char *err, size_t errcap)
{
    const cJSON *v;
    cJSON *a = NULL, *b = NULL, *r = NULL, *e;
    ddb_num na, nb, nr;
    int rc = 0, st;
    switch (n->kind) {
    case DDB__N_VALUE:
        r = cJSON_Duplicate(n->value, 1);
        break;
    case DDB__N_PATH:
        if ((v = ddb__path_get(&n->path, item)) == NULL)
            return ddb__errf(err, errcap, MSG_MISSING);
        r = cJSON_Duplicate(v, 1);
        break;
    case DDB__N_PLUS:
    case DDB__N_MINUS:
        if ((rc = eval_value(n->args[0], item, &a, err, errcap)) != 0)
            goto out;
        if (!num_of(a, &na)) {
            rc = ddb__errf(err, errcap, MSG_TYPE);
            goto out;
        }
        if ((rc = eval_value(n->args[1], item, &b, err, errcap)) != 0)
            goto out;
        if (!num_of(b, &nb)) {
            rc = ddb__errf(err, errcap, MSG_TYPE);
            goto out;
        }
        st = n->kind == DDB__N_PLUS ? ddb_num_add(&na, &nb, &nr) : ddb_num_sub(&na, &nb, &nr);
        if (st != DDB_NUM_OK) {
            rc = ddb__errf(err, errcap, "%s", ddb_num_status_message(st));
            goto out;
        }
        if ((r = num_value(&nr)) == NULL)
            rc = -SIM_ENOMEM;
        goto out;
    case DDB__N_FUNC:
        if (strcmp(n->fname, "if_not_exists") == 0) {
            if ((v = ddb__path_get(&n->args[0]->path, item)) != NULL)
                r = cJSON_Duplicate(v, 1);
            else
                return eval_value(n->args[1], item, out, err, errcap);
            break;
        }
        /* list_append */
        if ((rc = eval_value(n->args[0], item, &a, err, errcap)) != 0)
            goto out;
        if (ddb_attr_type(a) != DDB_T_L) {
            rc = ddb__errf(err, errcap, MSG_TYPE);
            goto out;
        }
        if ((rc = eval_value(n->args[1], item, &b, err, errcap)) != 0)
            goto out;
        if (ddb_attr_type(b) != DDB_T_L) {
            rc = ddb__errf(err, errcap, MSG_TYPE);
            goto out;
        }
        while ((e = b->child->child) != NULL)
            cJSON_AddItemToArray(a->child, cJSON_DetachItemViaPointer(b->child, e));
        r = a;
        a = NULL;
        goto out;
    default:
        return ddb__errf(err, errcap, MSG_TYPE);
    }
    if (r == NULL)
        return -SIM_ENOMEM;
out:
    cJSON_Delete(a);
    cJSON_Delete(b);
    if (rc != 0) {
        cJSON_Delete(r);
        return rc;
    }
    *out = r;
    return 0;
}

static int is_set(int t)
{
    return t == DDB_T_SS || t == DDB_T_NS || t == DDB_T_BS;
}

/* One member of a set with what orders it: its text (SS; BS too, as valid base64 is
 * canonical, so equal bytes are equal texts) or its number (NS, equal by value: "1" = "1.0").
 * ADD and DELETE sort one side and search it, O((n + m) log n), where a member-by-member
 * search was O(n * m) (a 400 KB item holds sets of 100,000 members). */
typedef struct set_member {
    const cJSON *e; /* borrowed: the member (a string) */
    ddb_num num;    /* NS: its value */
} set_member;

static int member_cmp_text(const void *a, const void *b)
{
    return strcmp(((const set_member *)a)->e->valuestring, ((const set_member *)b)->e->valuestring);
}

static int member_cmp_num(const void *a, const void *b)
{
    return ddb_num_cmp(&((const set_member *)a)->num, &((const set_member *)b)->num);
}

/* Fill m for member e of a set of type t. 0, or -SIM_EINVAL for an NS member that is not a
 * number (a validated set has none). */
static int member_of(int t, const cJSON *e, set_member *m)
{
    m->e = e;
    if (t == DDB_T_NS && ddb_num_parse(e->valuestring, &m->num) != DDB_NUM_OK)
        return -SIM_EINVAL;
    return 0;
}

/* The members of body (a set of type t) sorted: *out (free()) and *out_n. Returns 0,
 * -SIM_EINVAL (see member_of) or -SIM_ENOMEM. */
static int set_sorted(int t, const cJSON *body, set_member **out, size_t *out_n)
{
    size_t n = (size_t)cJSON_GetArraySize(body), i = 0;
    set_member *m = malloc((n + 1) * sizeof *m);
    const cJSON *e;
    if (m == NULL)
        return -SIM_ENOMEM;
    cJSON_ArrayForEach(e, body)
    {
        if (member_of(t, e, &m[i++]) != 0) {
            free(m);
            return -SIM_EINVAL;
        }
    }
    qsort(m, n, sizeof *m, t == DDB_T_NS ? member_cmp_num : member_cmp_text);
    *out = m;
    *out_n = n;
    return 0;
}

/* Is e (a member of a set of type t) among the n sorted members? 1, 0, or -SIM_EINVAL. */
static int set_contains(int t, const set_member *sorted, size_t n, const cJSON *e)
{
    set_member probe;
    if (member_of(t, e, &probe) != 0)
        return -SIM_EINVAL;
    return bsearch(&probe, sorted, n, sizeof *sorted,
                   t == DDB_T_NS ? member_cmp_num : member_cmp_text) != NULL;
}

/* ADD: number addition or set union; creates the attribute when absent. */
static int add_at(cJSON *item, const ddb__path *p, const cJSON *val, char *err, size_t errcap)
{
    cJSON *cur = path_get_mut(p, p->n, item), *x;
    const cJSON *e;
    set_member *sorted = NULL;
    size_t n = 0;
    int tv = ddb_attr_type(val), tc, rc = 0;
    if (cur == NULL) {
        if ((x = cJSON_Duplicate(val, 1)) == NULL)
            return -SIM_ENOMEM;
        return set_at(item, p, x, err, errcap);
    }
    tc = ddb_attr_type(cur);
    if (tv == DDB_T_N && tc == DDB_T_N) {
        ddb_num a, b, r;
        int st;
        if (!num_of(cur, &a) || !num_of(val, &b))
            return ddb__errf(err, errcap, MSG_TYPE);
        if ((st = ddb_num_add(&a, &b, &r)) != DDB_NUM_OK)
            return ddb__errf(err, errcap, "%s", ddb_num_status_message(st));
        if ((x = num_value(&r)) == NULL)
            return -SIM_ENOMEM;
        return set_at(item, p, x, err, errcap);
    }
    if (!is_set(tv) || tv != tc)
        return ddb__errf(err, errcap, MSG_TYPE);
    if ((rc = set_sorted(tc, cur->child, &sorted, &n)) != 0)
        goto out;
    /* new members go after the old ones, in val's order; the sorted old ones suffice to
     * search, as val itself holds no duplicates (validated) */
    cJSON_ArrayForEach(e, val->child)
    {
        int has = set_contains(tc, sorted, n, e);
        if (has < 0) {
            rc = has;
            goto out;
        }
        if (has)
            continue;
        if ((x = cJSON_CreateString(e->valuestring)) == NULL) {
            rc = -SIM_ENOMEM;
            goto out;
        }
        cJSON_AddItemToArray(cur->child, x);
    }
out:
    free(sorted);
    if (rc == -SIM_EINVAL)
        return ddb__errf(err, errcap, MSG_TYPE);
    return rc;
}

/* DELETE: set difference; an emptied set is removed. */
static int delete_at(cJSON *item, const ddb__path *p, const cJSON *val, char *err, size_t errcap)
{
    cJSON *cur = path_get_mut(p, p->n, item), *e, *next;
    set_member *sorted = NULL;
    size_t n = 0;
    int tv = ddb_attr_type(val), rc;
    if (cur == NULL)
        return 0;
    if (!is_set(tv) || ddb_attr_type(cur) != tv)
        return ddb__errf(err, errcap, MSG_TYPE);
    if ((rc = set_sorted(tv, val->child, &sorted, &n)) != 0)
        goto out;
    for (e = cur->child->child; e != NULL; e = next) {
        int has = set_contains(tv, sorted, n, e);
        next = e->next;
        if (has < 0) {
            rc = has;
            goto out;
        }
        if (has)
            cJSON_Delete(cJSON_DetachItemViaPointer(cur->child, e));
    }
out:
    free(sorted);
    if (rc == -SIM_EINVAL)
        return ddb__errf(err, errcap, MSG_TYPE);
    if (rc == 0 && cur->child->child == NULL)
        return remove_at(item, p, err, errcap);
    return rc;
}

/* Does av hold at most levels Maps and Lists nested in each other? Stops at the first
 * deeper one; recursion is bounded by levels. */
static int nesting_within(const cJSON *av, int levels)
{
    int t = ddb_attr_type(av);
    const cJSON *e;
    if (t != DDB_T_M && t != DDB_T_L)
        return 1;
    if (levels == 0)
        return 0;
    cJSON_ArrayForEach(e, av->child)
    {
        if (!nesting_within(e, levels - 1))
            return 0;
    }
    return 1;
}

/* After the update: a SET that put a value deep inside a Map or List can nest the attribute
 * past NESTING_MAX, which DynamoDB refuses (ValidationException MSG_NESTING, as for PutItem;
 * recorded by extenddb's and dynoxide's tests against DynamoDB). Only SET adds nesting. */
static int check_nesting(const ddb_update *u, const cJSON *item, char *err, size_t errcap)
{
    int i;
    for (i = 0; i < u->n; i++) {
        const cJSON *av;
        if (u->a[i].kind != U_SET || u->a[i].path.e[0].name == NULL)
            continue;
        av = cJSON_GetObjectItemCaseSensitive(item, u->a[i].path.e[0].name);
        if (av != NULL && !nesting_within(av, NESTING_MAX))
            return ddb__errf(err, errcap, MSG_NESTING);
    }
    return 0;
}

/* Order of REMOVE actions: within one list, the higher index first, so that every index
 * names an element of the list as it was before the update. */
static int remove_cmp(const ddb__path *a, const ddb__path *b)
{
    int i;
    for (i = 0; i < a->n && i < b->n; i++) {
        const ddb__pelem *x = &a->e[i], *y = &b->e[i];
        if (x->index >= 0 && y->index >= 0) {
            if (x->index != y->index)
                return x->index > y->index ? -1 : 1;
        } else if (x->index < 0 && y->index < 0 && x->name != NULL && y->name != NULL) {
            int c = strcmp(x->name, y->name);
            if (c != 0)
                return c;
        } else {
            return x->index >= 0 ? -1 : 1;
        }
    }
    return a->n > b->n ? -1 : a->n < b->n;
}

int ddb_update_apply(const ddb_update *u, cJSON *item, char *err, size_t errcap)
{
    cJSON **vals = NULL;
    int *order = NULL, nrem = 0, i, j, rc = 0;
    if ((vals = calloc((size_t)u->n + 1, sizeof *vals)) == NULL ||
        (order = calloc((size_t)u->n + 1, sizeof *order)) == NULL) {
        rc = -SIM_ENOMEM;
        goto out;
    }
    /* Every SET operand reads the item as it was before this update. */
    for (i = 0; i < u->n; i++) {
        if (u->a[i].kind == U_SET &&
            (rc = eval_value(u->a[i].val, item, &vals[i], err, errcap)) != 0)
            goto out;
    }
    for (i = 0; i < u->n && rc == 0; i++) {
        const upd_action *a = &u->a[i];
        switch (a->kind) {
        case U_SET:
            rc = set_at(item, &a->path, vals[i], err, errcap);
            vals[i] = NULL;
            break;
        case U_ADD:
            rc = add_at(item, &a->path, a->val->value, err, errcap);
            break;
        case U_DELETE:
            rc = delete_at(item, &a->path, a->val->value, err, errcap);
            break;
        default:
            order[nrem++] = i;
            break;
        }
    }
    if (rc != 0)
        goto out;
    /* insertion sort of the REMOVE actions (few) */
    for (i = 1; i < nrem; i++) {
        int x = order[i];
        for (j = i; j > 0 && remove_cmp(&u->a[x].path, &u->a[order[j - 1]].path) < 0; j--)
            order[j] = order[j - 1];
        order[j] = x;
    }
    for (i = 0; i < nrem && rc == 0; i++)
        rc = remove_at(item, &u->a[order[i]].path, err, errcap);
    if (rc == 0)
        rc = check_nesting(u, item, err, errcap);
out:
    if (vals != NULL) {
        for (i = 0; i < u->n; i++)
            cJSON_Delete(vals[i]);
    }
    free(vals);
    free(order);
    return rc;
}

cJSON *ddb_update_project(const ddb_update *u, const cJSON *item)
{
    const ddb__path **paths = calloc((size_t)u->n + 1, sizeof *paths);
    cJSON *r;
    int i;
    if (paths == NULL)
        return NULL;
    for (i = 0; i < u->n; i++)
        paths[i] = &u->a[i].path;
    r = ddb__project(paths, u->n, item);
    free(paths);
    return r;
}
