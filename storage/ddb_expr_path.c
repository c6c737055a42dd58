/* ddb_expr_path.c - document paths (a.b[2].#c): parsing, #name resolution and reserved-word
 * checks, lookup inside an item, the "[a, b, [2]]" rendering of AWS messages and the
 * overlap/conflict test. Source: DynamoDB developer guide, Expressions.Attributes (document
 * paths) and Expressions.ExpressionAttributeNames. */
#include "storage/ddb_expr_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core/sim_err.h"
#include "storage/ddb_attr.h"

void ddb__path_release(ddb__path *p)
{
    int i;
    if (p == NULL)
        return;
    for (i = 0; i < p->n; i++) {
        free(p->e[i].raw);
        free(p->e[i].name);
    }
    free(p->e);
    p->e = NULL;
    p->n = 0;
}

/* Append an element to p; returns 0 or -SIM_ENOMEM (raw is then freed). */
static int push(ddb__path *p, int index, char *raw)
{
    ddb__pelem *e = realloc(p->e, sizeof *e * (size_t)(p->n + 1));
    if (e == NULL) {
        free(raw);
        return -SIM_ENOMEM;
    }
    p->e = e;
    e[p->n].index = index;
    e[p->n].raw = raw;
    e[p->n].name = NULL;
    p->n++;
    return 0;
}

/* Is token i a path name (an identifier that is not a keyword, or #name)? */
static int is_name_tok(const ddb__parser *ps, int i)
{
    int k = ddb__kind(ps, i);
    return k == DDB__TK_NAME || (k == DDB__TK_IDENT && !ddb__is_reserved_tok(ps, i));
}

int ddb__path_parse(ddb__parser *ps, ddb__path *out)
{
    ddb__path p = { NULL, 0 };
    char *raw;
    if (!is_name_tok(ps, ps->pos)) {
        ddb__fail(ps, ps->pos);
        return -1;
    }
    if ((raw = ddb__tok_dup(ps, ps->pos)) == NULL || push(&p, -1, raw) != 0)
        goto oom;
    ps->pos++;
    for (;;) {
        int save = ps->pos;
        if (ddb__kind(ps, ps->pos) == DDB__TK_DOT) {
            ps->pos++;
            if (!is_name_tok(ps, ps->pos)) {
                ddb__fail(ps, ps->pos);
                ps->pos = save;
                break;
            }
            if ((raw = ddb__tok_dup(ps, ps->pos)) == NULL || push(&p, -1, raw) != 0)
                goto oom;
            ps->pos++;
        } else if (ddb__kind(ps, ps->pos) == DDB__TK_LBRACK) {
            const ddb__tok *t;
            long v = 0;
            size_t i;
            ps->pos++;
            if (ddb__kind(ps, ps->pos) != DDB__TK_NUMBER) {
                ddb__fail(ps, ps->pos);
                ps->pos = save;
                break;
            }
            t = &ps->toks[ps->pos];
            for (i = 0; i < t->len && v <= 100000000L; i++)
                v = v * 10 + (ps->text[t->start + i] - '0');
            if (v > 100000000L) { /* far beyond any item's list */
                ddb__fail(ps, ps->pos);
                ps->pos = save;
                break;
            }
            ps->pos++;
            if (!ddb__accept(ps, DDB__TK_RBRACK)) {
                ps->pos = save;
                break;
            }
            if (push(&p, (int)v, NULL) != 0)
                goto oom;
        } else {
            ddb__fail(ps, ps->pos); /* a path could have gone on here */
            break;
        }
    }
    if (p.n > DDB__PATH_LEVELS_MAX && ps->deep_path == 0)
        ps->deep_path = p.n;
    *out = p;
    return 0;
oom:
    ps->oom = 1;
    ddb__path_release(&p);
    return -SIM_ENOMEM;
}

int ddb__path_copy(const ddb__path *src, ddb__path *dst)
{
    int i;
    dst->n = 0;
    dst->e = calloc((size_t)src->n + 1, sizeof *dst->e);
    if (dst->e == NULL)
        return -SIM_ENOMEM;
    for (i = 0; i < src->n; i++) {
        dst->e[i].index = src->e[i].index;
        dst->n++;
        if (src->e[i].raw != NULL && (dst->e[i].raw = strdup(src->e[i].raw)) == NULL)
            goto oom;
        if (src->e[i].name != NULL && (dst->e[i].name = strdup(src->e[i].name)) == NULL)
            goto oom;
    }
    return 0;
oom:
    ddb__path_release(dst);
    return -SIM_ENOMEM;
}

int ddb__path_resolve(ddb__path *p, ddb_expr_env *env, ddb__errs *e, int reserved_slot,
                      int undefined_slot)
{
    int i;
    for (i = 0; i < p->n; i++) {
        ddb__pelem *el = &p->e[i];
        if (el->index >= 0 || el->name != NULL)
            continue;
        if (el->raw[0] == '#') {
            const char *name = ddb__env_name(env, el->raw);
            if (name == NULL) {
                ddb__errs_set(e, undefined_slot,
                              "An expression attribute name used in the document path is not "
                              "defined; attribute name: %s",
                              el->raw);
                continue;
            }
            el->name = strdup(name);
        } else {
            if (ddb__reserved(el->raw, strlen(el->raw)))
                ddb__errs_set(e, reserved_slot,
                              "Attribute name is a reserved keyword; reserved keyword: %s",
                              el->raw);
            el->name = strdup(el->raw);
        }
        if (el->name == NULL)
            return -SIM_ENOMEM;
    }
    return 0;
}

const cJSON *ddb__path_get(const ddb__path *p, const cJSON *item)
{
    const cJSON *cur;
    int i;
    if (item == NULL || p->n == 0 || p->e[0].name == NULL)
        return NULL;
    cur = cJSON_GetObjectItemCaseSensitive(item, p->e[0].name);
    for (i = 1; i < p->n && cur != NULL; i++) {
        const ddb__pelem *el = &p->e[i];
        int t = ddb_attr_type(cur);
        if (el->index >= 0) {
            cur = t == DDB_T_L ? cJSON_GetArrayItem(cur->child, el->index) : NULL;
        } else {
            cur = t == DDB_T_M && el->name != NULL
                      ? cJSON_GetObjectItemCaseSensitive(cur->child, el->name)
                      : NULL;
        }
    }
    return cur;
}

void ddb__path_str(const ddb__path *p, char *buf, size_t cap)
{
    size_t len = 0;
    int i;
    if (cap == 0)
        return;
    len += (size_t)snprintf(buf, cap, "[");
    for (i = 0; i < p->n && len < cap; i++) {
        const char *sep = i > 0 ? ", " : "";
        if (p->e[i].index >= 0)
            len += (size_t)snprintf(buf + len, cap - len, "%s[%d]", sep, p->e[i].index);
        else
            len += (size_t)snprintf(buf + len, cap - len, "%s%s", sep,
                                    p->e[i].name != NULL ? p->e[i].name : p->e[i].raw);
    }
    if (len < cap)
        snprintf(buf + len, cap - len, "]");
    ddb_utf8_trim(buf);
}

/* Are two elements the same step? */
static int elem_equal(const ddb__pelem *a, const ddb__pelem *b)
{
    if (a->index >= 0 || b->index >= 0)
        return a->index == b->index;
    return a->name != NULL && b->name != NULL && strcmp(a->name, b->name) == 0;
}

int ddb__path_equal(const ddb__path *a, const ddb__path *b)
{
    int i;
    if (a->n != b->n)
        return 0;
    for (i = 0; i < a->n; i++) {
        if (!elem_equal(&a->e[i], &b->e[i]))
            return 0;
    }
    return 1;
}

int ddb__path_clash(const ddb__path *a, const ddb__path *b)
{
    int i;
    for (i = 0; i < a->n && i < b->n; i++) {
        if ((a->e[i].index >= 0) != (b->e[i].index >= 0))
            return 2;
        if (!elem_equal(&a->e[i], &b->e[i]))
            return 0;
    }
    return 1;
}
