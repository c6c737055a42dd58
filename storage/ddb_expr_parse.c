/* ddb_expr_parse.c - recursive-descent parser for condition expressions (ConditionExpression,
 * FilterExpression, KeyConditionExpression) and the semantic checks DynamoDB makes after the
 * syntax (redundant parentheses, function names and arities, operand types, undefined
 * substitutions, reserved words), reported in DynamoDB's priority. Also the operand grammar
 * shared with ddb_update.c, and the KeyConditionExpression shape checks. Evaluation is in
 * ddb_expr_eval.c.
 * Sources: DynamoDB developer guide, Expressions.OperatorsAndFunctions (syntax and
 * precedence), Query.KeyConditionExpressions, ReservedWords; messages as DynamoDB returns
 * them, recorded in dynalite's test suite (test/scan.js, test/query.js). */
#include "storage/ddb_expr_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core/sim_err.h"
#include "storage/ddb_attr.h"

/* ---- nodes ---- */

ddb__node *ddb__node_new(ddb__parser *ps, int kind)
{
    ddb__node *n = calloc(1, sizeof *n);
    if (n == NULL) {
        ps->oom = 1;
        return NULL;
    }
    n->kind = kind;
    n->tok = ps->pos;
    return n;
}

/* Iterates down the first operand of AND/OR, so a long left-deep chain ("a OR b OR ...")
 * does not recurse once per link. */
void ddb__node_free(ddb__node *n)
{
    while (n != NULL) {
        ddb__node *next = NULL;
        int i = 0;
        if ((n->kind == DDB__N_AND || n->kind == DDB__N_OR) && n->nargs > 0) {
            next = n->args[0];
            i = 1;
        }
        for (; i < n->nargs; i++)
            ddb__node_free(n->args[i]);
        free(n->args);
        free(n->fname);
        free(n->vname);
        cJSON_Delete(n->value);
        ddb__path_release(&n->path);
        free(n);
        n = next;
    }
}

int ddb__node_push(ddb__node *n, ddb__node *child)
{
    ddb__node **a = realloc(n->args, sizeof *a * (size_t)(n->nargs + 1));
    if (a == NULL)
        return -SIM_ENOMEM;
    n->args = a;
    a[n->nargs++] = child;
    return 0;
}

/* Push child or free it (and n) on ENOMEM. Returns n, or NULL on failure. */
static ddb__node *push_or_free(ddb__parser *ps, ddb__node *n, ddb__node *child)
{
    if (ddb__node_push(n, child) != 0) {
        ps->oom = 1;
        ddb__node_free(child);
        ddb__node_free(n);
        return NULL;
    }
    return n;
}

const char *ddb__cmp_str(int op)
{
    switch (op) {
    case DDB__EQ:
        return "=";
    case DDB__NE:
        return "<>";
    case DDB__LT:
        return "<";
    case DDB__LE:
        return "<=";
    case DDB__GT:
        return ">";
    case DDB__GE:
        return ">=";
    default:
        return "?";
    }
}

const char *ddb__value_type(const cJSON *v)
{
    return ddb_type_name(ddb_attr_type(v));
}

/* ---- operands (shared with UpdateExpression) ---- */

/* name '(' operand (',' operand)* ')' at ps->pos. */
static ddb__node *p_function(ddb__parser *ps)
{
    int save = ps->pos, depth = ps->depth;
    ddb__node *n, *arg;
    if (ddb__kind(ps, ps->pos) != DDB__TK_IDENT || ddb__is_reserved_tok(ps, ps->pos)) {
        ddb__fail(ps, ps->pos);
        return NULL;
    }
    if ((n = ddb__node_new(ps, DDB__N_FUNC)) == NULL)
        return NULL;
    if ((n->fname = ddb__tok_dup(ps, ps->pos)) == NULL)
        goto fail;
    ps->pos++;
    if (!ddb__accept(ps, DDB__TK_LPAREN))
        goto fail;
    if (++ps->depth > DDB__DEPTH_MAX) {
        ddb__fail(ps, ps->pos);
        goto fail;
    }
    for (;;) {
        if ((arg = ddb__parse_operand_parens(ps)) == NULL)
            goto fail;
        if (ddb__node_push(n, arg) != 0) {
            ps->oom = 1;
            ddb__node_free(arg);
            goto fail;
        }
        if (ddb__kind(ps, ps->pos) != DDB__TK_COMMA)
            break;
        ps->pos++;
    }
    if (!ddb__accept(ps, DDB__TK_RPAREN))
        goto fail;
    ps->depth = depth;
    return n;
fail:
    ddb__node_free(n);
    ps->pos = save;
    ps->depth = depth;
    return NULL;
}

ddb__node *ddb__parse_operand(ddb__parser *ps)
{
    ddb__node *n;
    int k = ddb__kind(ps, ps->pos);
    if (k == DDB__TK_VALUE) {
        if ((n = ddb__node_new(ps, DDB__N_VALUE)) == NULL)
            return NULL;
        if ((n->vname = ddb__tok_dup(ps, ps->pos)) == NULL) {
            ddb__node_free(n);
            return NULL;
        }
        ps->pos++;
        return n;
    }
    if (k == DDB__TK_IDENT && !ddb__is_reserved_tok(ps, ps->pos) &&
        ddb__kind(ps, ps->pos + 1) == DDB__TK_LPAREN) {
        if ((n = p_function(ps)) != NULL || ps->oom)
            return n;
    }
    if ((n = ddb__node_new(ps, DDB__N_PATH)) == NULL)
        return NULL;
    if (ddb__path_parse(ps, &n->path) != 0) {
        ddb__node_free(n);
        return NULL;
    }
    return n;
}

/* "(" inner ")" with ps->pos at the "(": inner parses one level deeper (failing past
 * DDB__DEPTH_MAX) and its node counts the parentheses. On failure NULL, with ps->pos put
 * back to save and ps->depth to depth. */
static ddb__node *parse_parens(ddb__parser *ps, int save, int depth,
                               ddb__node *(*inner)(ddb__parser *))
{
    ddb__node *n;
    ps->pos++;
    if (++ps->depth > DDB__DEPTH_MAX) {
        ddb__fail(ps, ps->pos);
        ps->pos = save;
        ps->depth = depth;
        return NULL;
    }
    n = inner(ps);
    ps->depth = depth;
    if (n != NULL && ddb__accept(ps, DDB__TK_RPAREN)) {
        n->parens++;
        return n;
    }
    ddb__node_free(n);
    ps->pos = save;
    return NULL;
}

/* The operand kept at ps->kept when it answers for token at: parsed from there, or from the
 * opening parenthesis just before (then it is the same node with one pair less). NULL if
 * not; else it is taken and ps->pos set past it. */
static ddb__node *take_kept(ddb__parser *ps, int at)
{
    ddb__node *n = ps->kept;
    if (n == NULL)
        return NULL;
    if (ps->kept_at == at) {
        ps->pos = ps->kept_end;
    } else if (ps->kept_at == at - 1 && ddb__kind(ps, at - 1) == DDB__TK_LPAREN &&
               n->parens > 0) {
        n->parens--;
        ps->pos = ps->kept_end - 1;
    } else {
        return NULL;
    }
    ps->kept = NULL;
    return n;
}

/* An operand depends only on the tokens from where it starts, so one that failed at a token
 * fails there again, and one that parsed parses again to the same node: the failure flags
 * and the kept node turn the retries of "((((a" and "((((a))))" (an operand in parentheses
 * tried first, then a condition in parentheses, at every level) from quadratic into
 * linear. */
ddb__node *ddb__parse_operand_parens(ddb__parser *ps)
{
    int at = ps->pos;
    ddb__node *n;
    if (at < ps->ntoks && ps->operand_failed[at])
        return NULL;
    if ((n = take_kept(ps, at)) != NULL)
        return n;
    if (ddb__kind(ps, at) != DDB__TK_LPAREN)
        n = ddb__parse_operand(ps);
    else
        n = parse_parens(ps, at, ps->depth, ddb__parse_operand_parens);
    if (n == NULL && !ps->oom && at < ps->ntoks)
        ps->operand_failed[at] = 1;
    return n;
}

/* ---- conditions ---- */

static ddb__node *p_or(ddb__parser *ps);

/* Comparator token at ps->pos, 0 if none. */
static int comparator(const ddb__parser *ps)
{
    switch (ddb__kind(ps, ps->pos)) {
    case DDB__TK_EQ:
        return DDB__EQ;
    case DDB__TK_NE:
        return DDB__NE;
    case DDB__TK_LT:
        return DDB__LT;
    case DDB__TK_LE:
        return DDB__LE;
    case DDB__TK_GT:
        return DDB__GT;
    case DDB__TK_GE:
        return DDB__GE;
    default:
        return 0;
    }
}

/* operand comparator operand | operand BETWEEN operand AND operand | operand IN (list). */
/* Node kind (operator op) whose first child is *left, with ps->pos moved past the operator
 * token. *left is taken (set NULL) once the node exists; NULL on ENOMEM (ps->oom set). */
static ddb__node *op_node(ddb__parser *ps, int kind, int op, ddb__node **left)
{
    ddb__node *n = ddb__node_new(ps, kind);
    if (n == NULL)
        return NULL;
    n->op = op;
    n->tok = (*left)->tok;
    ps->pos++;
    n = push_or_free(ps, n, *left);
    *left = NULL;
    return n;
}

static ddb__node *p_comparison(ddb__parser *ps)
{
    int save = ps->pos, op;
    ddb__node *left, *n = NULL, *x;
    if ((left = ddb__parse_operand_parens(ps)) == NULL)
        return NULL;
    if ((op = comparator(ps)) != 0) {
        if ((n = op_node(ps, DDB__N_CMP, op, &left)) == NULL)
            goto fail;
        if ((x = ddb__parse_operand_parens(ps)) == NULL)
            goto fail;
        return push_or_free(ps, n, x);
    }
    if (ddb__is_kw(ps, ps->pos, "BETWEEN")) {
        if ((n = op_node(ps, DDB__N_BETWEEN, 0, &left)) == NULL)
            goto fail;
        if ((x = ddb__parse_operand_parens(ps)) == NULL)
            goto fail;
        if ((n = push_or_free(ps, n, x)) == NULL)
            return NULL;
        if (!ddb__accept_kw(ps, "AND"))
            goto fail;
        if ((x = ddb__parse_operand_parens(ps)) == NULL)
            goto fail;
        return push_or_free(ps, n, x);
    }
    if (ddb__is_kw(ps, ps->pos, "IN")) {
        if ((n = op_node(ps, DDB__N_IN, 0, &left)) == NULL)
            goto fail;
        if (!ddb__accept(ps, DDB__TK_LPAREN))
            goto fail;
        for (;;) {
            if ((x = ddb__parse_operand_parens(ps)) == NULL)
                goto fail;
            if ((n = push_or_free(ps, n, x)) == NULL)
                return NULL;
            if (ddb__kind(ps, ps->pos) != DDB__TK_COMMA)
                break;
            ps->pos++;
        }
        if (!ddb__accept(ps, DDB__TK_RPAREN))
            goto fail;
        return n;
    }
    ddb__fail(ps, ps->pos); /* a comparator, BETWEEN or IN was expected here */
    ddb__node_free(ps->kept); /* keep left: a condition in parentheses may retry it */
    ps->kept = left;
    ps->kept_at = save;
    ps->kept_end = ps->pos;
    ps->pos = save;
    return NULL;
fail:
    ddb__node_free(left);
    ddb__node_free(n);
    ps->pos = save;
    return NULL;
}

/* A comparison, a function call, or a parenthesised condition. */
static ddb__node *p_primary(ddb__parser *ps)
{
    int save = ps->pos, depth = ps->depth;
    ddb__node *n;
    if ((n = p_comparison(ps)) != NULL || ps->oom)
        return n;
    if (ddb__kind(ps, ps->pos) == DDB__TK_IDENT && ddb__kind(ps, ps->pos + 1) == DDB__TK_LPAREN) {
        if ((n = p_function(ps)) != NULL || ps->oom)
            return n;
    }
    if (ddb__kind(ps, ps->pos) == DDB__TK_LPAREN)
        return parse_parens(ps, save, depth, p_or);
    ddb__fail(ps, ps->pos);
    return NULL;
}

static ddb__node *p_not(ddb__parser *ps)
{
    ddb__node *n, *x;
    int depth = ps->depth;
    if (!ddb__is_kw(ps, ps->pos, "NOT"))
        return p_primary(ps);
    if ((n = ddb__node_new(ps, DDB__N_NOT)) == NULL)
        return NULL;
    ps->pos++;
    if (++ps->depth > DDB__DEPTH_MAX) {
        ddb__fail(ps, ps->pos);
        ddb__node_free(n);
        return NULL;
    }
    x = p_not(ps);
    ps->depth = depth;
    if (x == NULL) {
        ddb__node_free(n);
        return NULL;
    }
    return push_or_free(ps, n, x);
}

/* left (KW right)* with sub-rule sub, building kind nodes. */
static ddb__node *p_binary(ddb__parser *ps, const char *kw, int kind,
                           ddb__node *(*sub)(ddb__parser *))
{
    ddb__node *left, *right, *n;
    if ((left = sub(ps)) == NULL)
        return NULL;
    while (ddb__is_kw(ps, ps->pos, kw)) {
        if ((n = ddb__node_new(ps, kind)) == NULL) {
            ddb__node_free(left);
            return NULL;
        }
        n->tok = left->tok;
        ps->pos++;
        if ((right = sub(ps)) == NULL) {
            ddb__node_free(left);
            ddb__node_free(n);
            return NULL;
        }
        if (push_or_free(ps, n, left) == NULL) {
            ddb__node_free(right);
            return NULL;
        }
        if (push_or_free(ps, n, right) == NULL)
            return NULL;
        left = n;
    }
    ddb__fail(ps, ps->pos); /* the keyword could have come here */
    return left;
}

static ddb__node *p_and(ddb__parser *ps)
{
    return p_binary(ps, "AND", DDB__N_AND, p_not);
}

static ddb__node *p_or(ddb__parser *ps)
{
    return p_binary(ps, "OR", DDB__N_OR, p_and);
}

/* ---- semantic checks ---- */

/* Error slots, in the priority DynamoDB reports them. */
enum {
    G_PARENS = 0,  /* "The expression has redundant parentheses;" */
    G_UNKNOWN = 1, /* "Invalid function name; ..." */
    G_MISUSED = 2, /* "The function is not allowed to be used this way ..." */
    G_RESERVED = 3,
    G_COND = 4, /* the first condition with an error, its own first error: */
    C_ATTR = 5, /* undefined #name / :value */
    C_OPERAND = 6,
    C_DISTINCT = 7,
    C_FUNCTION = 8,
};

typedef struct chk {
    ddb_expr_env *env;
    ddb__errs e;
    int oom;
} chk;

static void begin_cond(chk *c)
{
    int i;
    for (i = C_ATTR; i <= C_FUNCTION; i++)
        c->e.msg[i][0] = '\0';
}

static void end_cond(chk *c)
{
    int i;
    for (i = C_ATTR; i <= C_FUNCTION; i++) {
        if (c->e.msg[i][0] != '\0') {
            ddb__errs_set(&c->e, G_COND, "%s", c->e.msg[i]);
            return;
        }
    }
}

/* Render an attribute value as AWS's messages do: {S:a}, {N:1}. */
static void av_repr(const cJSON *v, char *buf, size_t cap)
{
    int t = ddb_attr_type(v);
    char *s;
    if (t == DDB_T_S || t == DDB_T_N || t == DDB_T_B) {
        snprintf(buf, cap, "{%s:%s}", ddb_type_name(t), v->child->valuestring);
        ddb_utf8_trim(buf);
        return;
    }
    if (t == DDB_T_BOOL || t == DDB_T_NULL) {
        snprintf(buf, cap, "{%s:%s}", ddb_type_name(t), cJSON_IsTrue(v->child) ? "true" : "false");
        return;
    }
    s = v != NULL && v->child != NULL ? cJSON_PrintUnformatted(v->child) : NULL;
    snprintf(buf, cap, "{%s:%s}", ddb_type_name(t), s != NULL ? s : "");
    ddb_utf8_trim(buf);
    cJSON_free(s);
}

/* The function arities DynamoDB's condition grammar knows; -1 if the name is unknown. */
static int cond_func_arity(const char *name)
{
    static const struct {
        const char *name;
        int n;
    } fns[] = {
        { "attribute_exists", 1 }, { "attribute_not_exists", 1 },
        { "attribute_type", 2 },   { "begins_with", 2 },
        { "contains", 2 },         { "size", 1 },
    };
    size_t i;
    for (i = 0; i < sizeof fns / sizeof fns[0]; i++) {
        if (strcmp(fns[i].name, name) == 0)
            return fns[i].n;
    }
    return -1;
}

/* Type of an operand as far as known before evaluation: a value's type, the result of a
 * function, or NULL (a path). */
static const char *operand_type(const ddb__node *n)
{
    if (n->kind == DDB__N_VALUE)
        return n->value != NULL ? ddb__value_type(n->value) : NULL;
    if (n->kind == DDB__N_FUNC) {
        if (strcmp(n->fname, "size") == 0)
            return "N";
        if (strcmp(n->fname, "begins_with") == 0 || strcmp(n->fname, "contains") == 0 ||
            strcmp(n->fname, "attribute_type") == 0)
            return "BOOL";
    }
    return NULL;
}

/* A function anywhere but a condition or size() in an operand is misused. */
static void check_misused_args(chk *c, const ddb__node *n)
{
    int i;
    for (i = 0; i < n->nargs; i++) {
        const ddb__node *a = n->args[i];
        if (a->kind == DDB__N_FUNC && strcmp(a->fname, "size") != 0)
            ddb__errs_set(&c->e, G_MISUSED,
                          "The function is not allowed to be used this way in an expression; "
                          "function: %s",
                          a->fname);
    }
}

/* The first operand of a two-operand operator/function must differ from the second. */
static void check_distinct(chk *c, const ddb__node *n, const char *opname)
{
    char ps[DDB__ERR_MAX / 2];
    if (n->nargs != 2 || n->args[0]->kind != DDB__N_PATH || n->args[1]->kind != DDB__N_PATH)
        return;
    if (!ddb__path_equal(&n->args[0]->path, &n->args[1]->path))
        return;
    ddb__path_str(&n->args[0]->path, ps, sizeof ps);
    ddb__errs_set(&c->e, C_DISTINCT,
                  "The first operand must be distinct from the remaining operands for this "
                  "operator or function; operator: %s, first operand: %s",
                  opname, ps);
}

static void check_operand(chk *c, ddb__node *n);

/* Checks of a function call whose arguments were checked. */
static void check_func(chk *c, ddb__node *n)
{
    const char *name = n->fname, *t;
    int arity = cond_func_arity(name), i;
    if (arity < 0) {
        ddb__errs_set(&c->e, G_UNKNOWN, "Invalid function name; function: %s", name);
        return;
    }
    if (n->nargs != arity) {
        ddb__errs_set(&c->e, C_OPERAND,
                      "Incorrect number of operands for operator or function; operator or "
                      "function: %s, number of operands: %d",
                      name, n->nargs);
        return;
    }
    check_distinct(c, n, name);
    if (strcmp(name, "attribute_exists") == 0 || strcmp(name, "attribute_not_exists") == 0) {
        if (n->args[0]->kind != DDB__N_PATH)
            ddb__errs_set(&c->e, C_FUNCTION,
                          "Operator or function requires a document path; operator or "
                          "function: %s",
                          name);
    } else if (strcmp(name, "begins_with") == 0) {
        for (i = 0; i < 2; i++) {
            t = operand_type(n->args[i]);
            if (t != NULL && strcmp(t, "S") != 0 && strcmp(t, "B") != 0) {
                ddb__errs_set(&c->e, C_FUNCTION,
                              "Incorrect operand type for operator or function; operator or "
                              "function: %s, operand type: %s",
                              name, t);
                break;
            }
        }
    } else if (strcmp(name, "attribute_type") == 0) {
        static const char *const valid[] = { "S",    "N", "B",  "NULL", "SS",
                                             "BOOL", "L", "BS", "NS",   "M" };
        size_t k;
        int ok = 0;
        t = operand_type(n->args[1]);
        if (t == NULL || strcmp(t, "S") != 0) {
            ddb__errs_set(&c->e, C_FUNCTION,
                          "Incorrect operand type for operator or function; operator or "
                          "function: %s, operand type: %s",
                          name, t != NULL ? t : "{NS,SS,L,BS,N,M,B,BOOL,NULL,S}");
            return;
        }
        for (k = 0; k < sizeof valid / sizeof valid[0]; k++) {
            if (strcmp(valid[k], n->args[1]->value->child->valuestring) == 0)
                ok = 1;
        }
        if (!ok)
            ddb__errs_set(&c->e, C_FUNCTION,
                          "Invalid attribute type name found; type: %s, valid types: "
                          "{B,NULL,SS,BOOL,L,BS,N,NS,S,M}",
                          n->args[1]->value->child->valuestring);
    } else if (strcmp(name, "size") == 0) {
        t = operand_type(n->args[0]);
        if (t != NULL && (strcmp(t, "N") == 0 || strcmp(t, "BOOL") == 0 || strcmp(t, "NULL") == 0))
            ddb__errs_set(&c->e, C_FUNCTION,
                          "Incorrect operand type for operator or function; operator or "
                          "function: %s, operand type: %s",
                          name, t);
    }
}

static void check_parens(chk *c, const ddb__node *n)
{
    if (n->parens >= 2)
        ddb__errs_set(&c->e, G_PARENS, "The expression has redundant parentheses;");
}

static void check_operand(chk *c, ddb__node *n)
{
    int i;
    check_parens(c, n);
    switch (n->kind) {
    case DDB__N_PATH:
        if (ddb__path_resolve(&n->path, c->env, &c->e, G_RESERVED, C_ATTR) != 0)
            c->oom = 1;
        break;
    case DDB__N_VALUE: {
        const cJSON *v = ddb__env_value(c->env, n->vname);
        if (v == NULL) {
            ddb__errs_set(&c->e, C_ATTR,
                          "An expression attribute value used in expression is not defined; "
                          "attribute value: %s",
                          n->vname);
            break;
        }
        if (n->value == NULL && (n->value = cJSON_Duplicate(v, 1)) == NULL)
            c->oom = 1;
        break;
    }
    case DDB__N_FUNC:
        for (i = 0; i < n->nargs; i++)
            check_operand(c, n->args[i]);
        check_misused_args(c, n);
        check_func(c, n);
        break;
    default:
        break;
    }
}

/* BETWEEN bounds given as values must share a type and be in order. */
static void check_between_bounds(chk *c, const ddb__node *n)
{
    const ddb__node *lo = n->args[1], *hi = n->args[2];
    char a[DDB__ERR_MAX / 3], b[DDB__ERR_MAX / 3];
    int cmp = 0;
    if (lo->kind != DDB__N_VALUE || hi->kind != DDB__N_VALUE || lo->value == NULL ||
        hi->value == NULL)
        return;
    av_repr(lo->value, a, sizeof a);
    av_repr(hi->value, b, sizeof b);
    if (ddb_attr_type(lo->value) != ddb_attr_type(hi->value)) {
        ddb__errs_set(&c->e, C_FUNCTION,
                      "The BETWEEN operator requires same data type for lower and upper bounds; "
                      "lower bound operand: AttributeValue: %s, upper bound operand: "
                      "AttributeValue: %s",
                      a, b);
    } else if (ddb_attr_compare(lo->value, hi->value, &cmp) == 0 && cmp > 0) {
        ddb__errs_set(&c->e, C_FUNCTION,
                      "The BETWEEN operator requires upper bound to be greater than or equal to "
                      "lower bound; lower bound operand: AttributeValue: %s, upper bound "
                      "operand: AttributeValue: %s",
                      a, b);
    }
}

static void check_cond(chk *c, ddb__node *n)
{
    int i;
    check_parens(c, n);
    switch (n->kind) {
    case DDB__N_AND:
    case DDB__N_OR:
    case DDB__N_NOT:
        for (i = 0; i < n->nargs; i++)
            check_cond(c, n->args[i]);
        break;
    case DDB__N_CMP:
    case DDB__N_BETWEEN:
    case DDB__N_IN:
        begin_cond(c);
        for (i = 0; i < n->nargs; i++)
            check_operand(c, n->args[i]);
        check_misused_args(c, n);
        if (n->kind == DDB__N_CMP)
            check_distinct(c, n, ddb__cmp_str(n->op));
        if (n->kind == DDB__N_BETWEEN)
            check_between_bounds(c, n);
        end_cond(c);
        break;
    case DDB__N_FUNC:
        begin_cond(c);
        for (i = 0; i < n->nargs; i++)
            check_operand(c, n->args[i]);
        check_misused_args(c, n);
        check_func(c, n);
        if (strcmp(n->fname, "size") == 0)
            ddb__errs_set(&c->e, G_MISUSED,
                          "The function is not allowed to be used this way in an expression; "
                          "function: %s",
                          n->fname);
        end_cond(c);
        break;
    default:
        break;
    }
}

/* Operators and functions in the tree at n (AND, OR, NOT, comparators, BETWEEN, IN and
 * every function call), added to *count; stops once *count passes DDB__OPS_MAX. Sets
 * *in_max to the largest IN list. Iterates down left-deep AND/OR chains. */
static void count_ops(const ddb__node *n, int *count, int *in_max)
{
    int i;
    for (; n != NULL && *count <= DDB__OPS_MAX;) {
        const ddb__node *next = NULL;
        switch (n->kind) {
        case DDB__N_AND:
        case DDB__N_OR:
            (*count)++;
            for (i = 1; i < n->nargs; i++)
                count_ops(n->args[i], count, in_max);
            next = n->nargs > 0 ? n->args[0] : NULL;
            break;
        case DDB__N_IN:
            if (n->nargs - 1 > *in_max)
                *in_max = n->nargs - 1;
            /* fall through */
        case DDB__N_NOT:
        case DDB__N_CMP:
        case DDB__N_BETWEEN:
        case DDB__N_FUNC:
            (*count)++;
            for (i = 0; i < n->nargs; i++)
                count_ops(n->args[i], count, in_max);
            break;
        default:
            break;
        }
        n = next;
    }
}

/* AWS's limits on a parsed condition, in the order checked: operator count, IN operands,
 * document path depth. 0 or -SIM_EINVAL with the message in err. */
static int check_limits(const ddb__parser *ps, const ddb__node *root, const char *what,
                        char *err, size_t errcap)
{
    int count = 0, in_max = 0;
    count_ops(root, &count, &in_max);
    if (count > DDB__OPS_MAX)
        return ddb__errf(err, errcap,
                         "Invalid %s: The expression contains too many operators; operator "
                         "count: %d",
                         what, count);
    if (in_max > DDB__IN_OPERANDS_MAX)
        return ddb__errf(err, errcap,
                         "Invalid %s: The IN operator is provided with too many operands; "
                         "number of operands: %d",
                         what, in_max);
    return ddb__path_depth_check(ps, what, err, errcap);
}

int ddb__cond_parse(const char *text, const char *what, ddb_expr_env *env, ddb__node **out,
                    char *err, size_t errcap)
{
    ddb__parser ps;
    ddb__node *root = NULL;
    chk *c = NULL;
    int rc = 0, i;
    if (text == NULL || ddb__text_blank(text))
        return ddb__errf(err, errcap, "Invalid %s: The expression can not be empty;", what);
    /* AWS appends the size for ConditionExpression and FilterExpression only */
    if ((rc = ddb__expr_size_check(text, what, strcmp(what, "KeyConditionExpression") != 0, err,
                                   errcap)) != 0)
        return rc;
    if ((rc = ddb__parser_init(&ps, text, DDB__KW_COND)) != 0)
        return rc;
    root = p_or(&ps);
    if (root != NULL && ddb__kind(&ps, ps.pos) != DDB__TK_EOF) {
        ddb__fail(&ps, ps.pos);
        ddb__node_free(root);
        root = NULL;
    }
    if (root == NULL) {
        rc = ps.oom ? -SIM_ENOMEM : ddb__syntax_error(&ps, what, err, errcap);
        goto out;
    }
    if ((rc = check_limits(&ps, root, what, err, errcap)) != 0)
        goto out;
    if ((c = malloc(sizeof *c)) == NULL) {
        rc = -SIM_ENOMEM;
        goto out;
    }
    ddb__errs_clear(&c->e);
    c->oom = 0;
    c->env = env;
    check_cond(c, root);
    if (c->oom) {
        rc = -SIM_ENOMEM;
        goto out;
    }
    for (i = G_PARENS; i <= G_COND; i++) {
        if (c->e.msg[i][0] != '\0') {
            rc = ddb__errf(err, errcap, "Invalid %s: %s", what, c->e.msg[i]);
            goto out;
        }
    }
    *out = root;
    root = NULL;
out:
    free(c);
    ddb__node_free(root);
    ddb__parser_release(&ps);
    return rc;
}

int ddb_cond_parse(const char *text, const char *what, ddb_expr_env *env, ddb_cond **out, char *err,
                   size_t errcap)
{
    ddb__node *root = NULL;
    ddb_cond *c;
    int rc = ddb__cond_parse(text, what, env, &root, err, errcap);
    if (rc != 0)
        return rc;
    if ((c = malloc(sizeof *c)) == NULL) {
        ddb__node_free(root);
        return -SIM_ENOMEM;
    }
    c->root = root;
    *out = c;
    return 0;
}

void ddb_cond_free(ddb_cond *c)
{
    if (c == NULL)
        return;
    ddb__node_free(c->root);
    free(c);
}

/* ---- KeyConditionExpression ---- */

/* One key condition found: attribute, operator (enum ddb_keyop) and operand values. */
typedef struct kc_part {
    const char *name; /* borrowed from the node */
    int op;
    const cJSON *v1; /* borrowed */
    const cJSON *v2; /* borrowed, BETWEEN only */
} kc_part;

typedef struct kc_walk {
    kc_part parts[2];
    int n;
} kc_walk;

/* Key operator for a comparator, flipped when the key attribute was the right operand. */
static int key_op(int cmp, int flipped)
{
    switch (cmp) {
    case DDB__EQ:
        return DDB_KEY_EQ;
    case DDB__LT:
        return flipped ? DDB_KEY_GT : DDB_KEY_LT;
    case DDB__LE:
        return flipped ? DDB_KEY_GE : DDB_KEY_LE;
    case DDB__GT:
        return flipped ? DDB_KEY_LT : DDB_KEY_GT;
    case DDB__GE:
        return flipped ? DDB_KEY_LE : DDB_KEY_GE;
    default:
        return DDB_KEY_NONE;
    }
}

/* Check one node of a key condition (DynamoDB's rules, in its order) and collect parts. */
static int kc_check(const ddb__node *n, kc_walk *w, char *err, size_t errcap)
{
    const ddb__node *attr = NULL;
    int attr_ix = 0, i, rc;
    switch (n->kind) {
    case DDB__N_OR:
        return ddb__errf(err, errcap, "Invalid operator used in KeyConditionExpression: OR");
    case DDB__N_NOT:
        return ddb__errf(err, errcap, "Invalid operator used in KeyConditionExpression: NOT");
    case DDB__N_IN:
        return ddb__errf(err, errcap, "Invalid operator used in KeyConditionExpression: IN");
    case DDB__N_CMP:
        if (n->op == DDB__NE)
            return ddb__errf(err, errcap, "Invalid operator used in KeyConditionExpression: <>");
        break;
    case DDB__N_FUNC:
        if (strcmp(n->fname, "size") == 0)
            return ddb__errf(err, errcap,
                             "KeyConditionExpressions cannot contain nested operations");
        if (strcmp(n->fname, "begins_with") != 0)
            return ddb__errf(err, errcap, "Invalid operator used in KeyConditionExpression: %s",
                             n->fname);
        if (n->args[0]->kind != DDB__N_PATH)
            return ddb__errf(err, errcap,
                             "Invalid condition in KeyConditionExpression: begins_with operator "
                             "must have the key attribute as its first operand");
        break;
    case DDB__N_BETWEEN:
        if (n->args[0]->kind != DDB__N_PATH)
            return ddb__errf(err, errcap,
                             "Invalid condition in KeyConditionExpression: BETWEEN operator "
                             "must have the key attribute as its first operand");
        break;
    default:
        break;
    }
    for (i = 0; i < n->nargs; i++) {
        const ddb__node *a = n->args[i];
        if (a->kind == DDB__N_PATH) {
            if (attr != NULL)
                return ddb__errf(err, errcap,
                                 "Invalid condition in KeyConditionExpression: Multiple "
                                 "attribute names used in one condition");
            if (a->path.n > 1)
                return ddb__errf(err, errcap,
                                 "KeyConditionExpressions cannot have conditions on nested "
                                 "attributes");
            attr = a;
            attr_ix = i;
        } else if (a->kind != DDB__N_VALUE) {
            if ((rc = kc_check(a, w, err, errcap)) != 0)
                return rc;
        }
    }
    if (n->kind == DDB__N_AND)
        return 0;
    if (attr == NULL)
        return ddb__errf(err, errcap,
                         "Invalid condition in KeyConditionExpression: No key attribute "
                         "specified");
    for (i = 0; i < w->n; i++) {
        if (strcmp(w->parts[i].name, attr->path.e[0].name) == 0)
            return ddb__errf(err, errcap,
                             "KeyConditionExpressions must only contain one condition per key");
    }
    if (w->n == 2)
        return ddb__errf(err, errcap, "Conditions can be of length 1 or 2 only");
    w->parts[w->n].name = attr->path.e[0].name;
    w->parts[w->n].v2 = NULL;
    if (n->kind == DDB__N_CMP) {
        w->parts[w->n].op = key_op(n->op, attr_ix != 0);
        w->parts[w->n].v1 = n->args[attr_ix == 0 ? 1 : 0]->value;
    } else if (n->kind == DDB__N_BETWEEN) {
        w->parts[w->n].op = DDB_KEY_BETWEEN;
        w->parts[w->n].v1 = n->args[1]->value;
        w->parts[w->n].v2 = n->args[2]->value;
    } else {
        w->parts[w->n].op = DDB_KEY_BEGINS_WITH;
        w->parts[w->n].v1 = n->args[1]->value;
    }
    w->n++;
    return 0;
}

int ddb_keycond_parse(const char *text, ddb_expr_env *env, ddb_keycond *out, char *err,
                      size_t errcap)
{
    ddb__node *root = NULL;
    kc_walk w;
    ddb_keycond kc;
    int rc, pk = -1, sk = -1, i;
    memset(&w, 0, sizeof w);
    memset(&kc, 0, sizeof kc);
    if ((rc = ddb__cond_parse(text, "KeyConditionExpression", env, &root, err, errcap)) != 0)
        return rc;
    if ((rc = kc_check(root, &w, err, errcap)) != 0)
        goto out;
    for (i = 0; i < w.n; i++) {
        if (pk < 0 && w.parts[i].op == DDB_KEY_EQ)
            pk = i;
    }
    if (pk < 0)
        pk = 0; /* no "=": the caller rejects it through pk_op */
    for (i = 0; i < w.n; i++) {
        if (i != pk && sk < 0)
            sk = i;
    }
    rc = -SIM_ENOMEM;
    kc.pk_op = w.parts[pk].op;
    if ((kc.pk_name = strdup(w.parts[pk].name)) == NULL ||
        (kc.pk_value = cJSON_Duplicate(w.parts[pk].v1, 1)) == NULL)
        goto fail;
    if (sk >= 0) {
        kc.sk_op = w.parts[sk].op;
        if ((kc.sk_name = strdup(w.parts[sk].name)) == NULL ||
            (kc.sk_v1 = cJSON_Duplicate(w.parts[sk].v1, 1)) == NULL)
            goto fail;
        if (w.parts[sk].v2 != NULL && (kc.sk_v2 = cJSON_Duplicate(w.parts[sk].v2, 1)) == NULL)
            goto fail;
    }
    *out = kc;
    rc = 0;
    goto out;
fail:
    ddb_keycond_release(&kc);
out:
    ddb__node_free(root);
    return rc;
}

void ddb_keycond_release(ddb_keycond *kc)
{
    if (kc == NULL)
        return;
    free(kc->pk_name);
    cJSON_Delete(kc->pk_value);
    free(kc->sk_name);
    cJSON_Delete(kc->sk_v1);
    cJSON_Delete(kc->sk_v2);
    memset(kc, 0, sizeof *kc);
}

void ddb_keycond_orient(ddb_keycond *kc, const char *hash_name)
{
    char *tn;
    cJSON *tv;
    if (kc->pk_name == NULL || kc->sk_name == NULL || kc->sk_op != DDB_KEY_EQ ||
        strcmp(kc->pk_name, hash_name) == 0 || strcmp(kc->sk_name, hash_name) != 0)
        return;
    tn = kc->pk_name;
    kc->pk_name = kc->sk_name;
    kc->sk_name = tn;
    tv = kc->pk_value;
    kc->pk_value = kc->sk_v1;
    kc->sk_v1 = tv;
}
