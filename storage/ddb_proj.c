/* ddb_proj.c - ProjectionExpression: parsing ("a, b.c, d[1]", #names), DynamoDB's checks
 * (reserved words, undefined names, overlapping or conflicting paths) and applying the
 * projection to an item, nested maps and list elements included. The projection walk is
 * also used for ReturnValues UPDATED_* (ddb_update_project).
 * Source: DynamoDB developer guide, Expressions.ProjectionExpressions; messages as DynamoDB
 * returns them, recorded in dynalite's test suite (test/getItem.js). */
#include "storage/ddb_expr_int.h"

#include <stdlib.h>
#include <string.h>

#include "sim/core/sim_err.h"
#include "storage/ddb_attr.h"

struct ddb_proj {
    ddb__path *paths; /* owned; n resolved paths */
    int n;
};

void ddb_proj_free(ddb_proj *p)
{
    int i;
    if (p == NULL)
        return;
    for (i = 0; i < p->n; i++)
        ddb__path_release(&p->paths[i]);
    free(p->paths);
    free(p);
}

enum { P_RESERVED = 0, P_ATTRNAME, P_OVERLAP, P_CONFLICT, P_COUNT };

int ddb_proj_parse(const char *text, ddb_expr_env *env, ddb_proj **out, char *err, size_t errcap)
{
    ddb__parser ps;
    ddb_proj *p = NULL;
    ddb__errs *e = NULL;
    char p1[DDB__ERR_MAX / 3], p2[DDB__ERR_MAX / 3];
    int rc = 0, i, j;
    if (text == NULL || ddb__text_blank(text))
        return ddb__errf(err, errcap,
                         "Invalid ProjectionExpression: The expression can not be empty;");
    if ((rc = ddb__expr_size_check(text, "ProjectionExpression", 0, err, errcap)) != 0)
        return rc;
    if ((rc = ddb__parser_init(&ps, text, DDB__KW_NONE)) != 0)
        return rc;
    if ((p = calloc(1, sizeof *p)) == NULL || (e = malloc(sizeof *e)) == NULL) {
        rc = -SIM_ENOMEM;
        goto out;
    }
    ddb__errs_clear(e);
    for (;;) {
        ddb__path path;
        ddb__path *grown = realloc(p->paths, sizeof *grown * (size_t)(p->n + 1));
        if (grown == NULL) {
            rc = -SIM_ENOMEM;
            goto out;
        }
        p->paths = grown;
        if (ddb__path_parse(&ps, &path) != 0) {
            rc = ps.oom ? -SIM_ENOMEM : ddb__syntax_error(&ps, "ProjectionExpression", err, errcap);
            goto out;
        }
        p->paths[p->n++] = path;
        if (ddb__kind(&ps, ps.pos) != DDB__TK_COMMA)
            break;
        ps.pos++;
    }
    if (ddb__kind(&ps, ps.pos) != DDB__TK_EOF) {
        ddb__fail(&ps, ps.pos);
        rc = ddb__syntax_error(&ps, "ProjectionExpression", err, errcap);
        goto out;
    }
    if ((rc = ddb__path_depth_check(&ps, "ProjectionExpression", err, errcap)) != 0)
        goto out;
    for (i = 0; i < p->n; i++) {
        if (ddb__path_resolve(&p->paths[i], env, e, P_RESERVED, P_ATTRNAME) != 0) {
            rc = -SIM_ENOMEM;
            goto out;
        }
        for (j = 0; j < i; j++) {
            int clash = ddb__path_clash(&p->paths[j], &p->paths[i]);
            if (clash == 0)
                continue;
            ddb__path_str(&p->paths[j], p1, sizeof p1);
            ddb__path_str(&p->paths[i], p2, sizeof p2);
            ddb__errs_set(e, clash == 1 ? P_OVERLAP : P_CONFLICT,
                          "Two document paths %s with each other; must remove or rewrite one of "
                          "these paths; path one: %s, path two: %s",
                          clash == 1 ? "overlap" : "conflict", p1, p2);
        }
    }
    for (i = 0; i < P_COUNT; i++) {
        if (e->msg[i][0] != '\0') {
            rc = ddb__errf(err, errcap, "Invalid ProjectionExpression: %s", e->msg[i]);
            goto out;
        }
    }
    *out = p;
    p = NULL;
out:
    free(e);
    ddb_proj_free(p);
    ddb__parser_release(&ps);
    return rc;
}

/* ---- applying ---- */

static cJSON *proj_value(const cJSON *av, const ddb__path *const *paths, int n, int level,
                         int *oom);

/* Does paths[i] end at level (it names the whole value there)? */
static int any_ends(const ddb__path *const *paths, int n, int level)
{
    int i;
    for (i = 0; i < n; i++) {
        if (paths[i]->n == level)
            return 1;
    }
    return 0;
}

/* Project child value m of a map or list at level for sub[0..k), the paths that step into
 * it: all of m when one of them ends there. */
static cJSON *proj_child(const cJSON *m, const ddb__path *const *sub, int k, int level, int *oom)
{
    return any_ends(sub, k, level + 1) ? cJSON_Duplicate(m, 1)
                                       : proj_value(m, sub, k, level + 1, oom);
}

/* Project a map body (or the item) for paths that all share their first `level` steps. */
static cJSON *proj_map(const cJSON *body, const ddb__path *const *paths, int n, int level, int *oom)
{
    const ddb__path **sub = calloc((size_t)n + 1, sizeof *sub);
    cJSON *out = cJSON_CreateObject(), *v;
    const cJSON *m;
    if (sub == NULL || out == NULL)
        goto fail;
    cJSON_ArrayForEach(m, body)
    {
        int k = 0, i;
        for (i = 0; i < n; i++) {
            const ddb__pelem *el = &paths[i]->e[level];
            if (el->index < 0 && el->name != NULL && strcmp(el->name, m->string) == 0)
                sub[k++] = paths[i];
        }
        if (k == 0)
            continue;
        v = proj_child(m, sub, k, level, oom);
        if (*oom)
            goto fail;
        if (v == NULL)
            continue;
        if (!cJSON_AddItemToObject(out, m->string, v)) {
            cJSON_Delete(v);
            goto fail;
        }
    }
    free(sub);
    return out;
fail:
    *oom = 1;
    free(sub);
    cJSON_Delete(out);
    return NULL;
}

/* Project the list body for paths whose step at `level` is an index. */
static cJSON *proj_list(const cJSON *body, const ddb__path *const *paths, int n, int level,
                        int *oom)
{
    const ddb__path **sub = calloc((size_t)n + 1, sizeof *sub);
    cJSON *out = cJSON_CreateArray(), *v;
    int last = -1, size = cJSON_GetArraySize(body);
    if (sub == NULL || out == NULL)
        goto fail;
    for (;;) {
        int next = -1, k = 0, i;
        for (i = 0; i < n; i++) {
            int ix = paths[i]->e[level].index;
            if (ix > last && ix < size && (next < 0 || ix < next))
                next = ix;
        }
        if (next < 0)
            break;
        for (i = 0; i < n; i++) {
            if (paths[i]->e[level].index == next)
                sub[k++] = paths[i];
        }
        v = proj_child(cJSON_GetArrayItem(body, next), sub, k, level, oom);
        if (*oom)
            goto fail;
        if (v != NULL && !cJSON_AddItemToArray(out, v)) {
            cJSON_Delete(v);
            goto fail;
        }
        last = next;
    }
    free(sub);
    return out;
fail:
    *oom = 1;
    free(sub);
    cJSON_Delete(out);
    return NULL;
}

/* Project one attribute value; NULL when none of the paths finds anything in it. */
static cJSON *proj_value(const cJSON *av, const ddb__path *const *paths, int n, int level, int *oom)
{
    int t = ddb_attr_type(av);
    cJSON *body, *out;
    if (t == DDB_T_M)
        body = proj_map(av->child, paths, n, level, oom);
    else if (t == DDB_T_L)
        body = proj_list(av->child, paths, n, level, oom);
    else
        return NULL;
    if (body == NULL)
        return NULL;
    if (body->child == NULL) {
        cJSON_Delete(body);
        return NULL;
    }
    if ((out = cJSON_CreateObject()) == NULL) {
        cJSON_Delete(body);
        *oom = 1;
        return NULL;
    }
    cJSON_AddItemToObject(out, ddb_type_name(t), body);
    return out;
}

cJSON *ddb__project(const ddb__path *const *paths, int n, const cJSON *item)
{
    int oom = 0;
    if (item == NULL)
        return cJSON_CreateObject();
    return proj_map(item, paths, n, 0, &oom);
}

cJSON *ddb_proj_apply(const ddb_proj *p, const cJSON *item)
{
    const ddb__path **paths = calloc((size_t)p->n + 1, sizeof *paths);
    cJSON *r;
    int i;
    if (paths == NULL)
        return NULL;
    for (i = 0; i < p->n; i++)
        paths[i] = &p->paths[i];
    r = ddb__project(paths, p->n, item);
    free(paths);
    return r;
}

int ddb_proj_nests(const ddb_proj *p, const char *name)
{
    int i;
    if (p == NULL || name == NULL)
        return 0;
    for (i = 0; i < p->n; i++) {
        if (p->paths[i].n > 1 && p->paths[i].e[0].name != NULL &&
            strcmp(p->paths[i].e[0].name, name) == 0)
            return 1;
    }
    return 0;
}
