/* ddb_expr_env.c - the substitutions of one request (ExpressionAttributeNames and
 * ExpressionAttributeValues): lookup with use tracking, the unused check, and validation of
 * the maps themselves. Source: DynamoDB developer guide, Expressions.ExpressionAttributeNames
 * and Expressions.ExpressionAttributeValues; messages as DynamoDB returns them (recorded in
 * dynalite's test suite). */
#include "storage/ddb_expr_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core/sim_err.h"
#include "storage/ddb_attr.h"

int ddb_expr_env_init(ddb_expr_env *env, const cJSON *names, const cJSON *values)
{
    int nn = cJSON_IsObject(names) ? cJSON_GetArraySize(names) : 0;
    int nv = cJSON_IsObject(values) ? cJSON_GetArraySize(values) : 0;
    memset(env, 0, sizeof *env);
    env->names = cJSON_IsObject(names) ? names : NULL;
    env->values = cJSON_IsObject(values) ? values : NULL;
    env->names_used = calloc((size_t)nn + 1, 1);
    env->values_used = calloc((size_t)nv + 1, 1);
    if (env->names_used == NULL || env->values_used == NULL) {
        ddb_expr_env_release(env);
        return -SIM_ENOMEM;
    }
    return 0;
}

void ddb_expr_env_release(ddb_expr_env *env)
{
    if (env == NULL)
        return;
    free(env->names_used);
    free(env->values_used);
    env->names_used = NULL;
    env->values_used = NULL;
}

/* Member `key` of obj and its index; NULL if absent. */
static const cJSON *member(const cJSON *obj, const char *key, int *out_index)
{
    const cJSON *m;
    int i = 0;
    if (obj == NULL)
        return NULL;
    cJSON_ArrayForEach(m, obj)
    {
        if (m->string != NULL && strcmp(m->string, key) == 0) {
            *out_index = i;
            return m;
        }
        i++;
    }
    return NULL;
}

const char *ddb__env_name(ddb_expr_env *env, const char *key)
{
    int i = 0;
    const cJSON *m = member(env->names, key, &i);
    if (m == NULL || !cJSON_IsString(m))
        return NULL;
    env->names_used[i] = 1;
    return m->valuestring;
}

const cJSON *ddb__env_value(ddb_expr_env *env, const char *key)
{
    int i = 0;
    const cJSON *m = member(env->values, key, &i);
    if (m == NULL)
        return NULL;
    env->values_used[i] = 1;
    return m;
}

/* Write "keys: {#a, #b}" of the unused members of obj into buf; returns how many. */
static int list_unused(const cJSON *obj, const unsigned char *used, char *buf, size_t cap)
{
    const cJSON *m;
    int i = 0, n = 0;
    size_t len = 0;
    buf[0] = '\0';
    if (obj == NULL)
        return 0;
    cJSON_ArrayForEach(m, obj)
    {
        if (!used[i] && len < cap)
            len += (size_t)snprintf(buf + len, cap - len, "%s%s", n > 0 ? ", " : "", m->string);
        if (!used[i])
            n++;
        i++;
    }
    return n;
}

int ddb_expr_env_check_unused(const ddb_expr_env *env, char *err, size_t errcap)
{
    char keys[DDB__ERR_MAX];
    if (list_unused(env->names, env->names_used, keys, sizeof keys) > 0)
        return ddb__errf(err, errcap,
                         "Value provided in ExpressionAttributeNames unused in expressions: "
                         "keys: {%s}",
                         keys);
    if (list_unused(env->values, env->values_used, keys, sizeof keys) > 0)
        return ddb__errf(err, errcap,
                         "Value provided in ExpressionAttributeValues unused in expressions: "
                         "keys: {%s}",
                         keys);
    return 0;
}

/* Is key `prefix` followed by one or more [0-9A-Za-z_]? */
static int key_ok(const char *key, char prefix)
{
    const char *p;
    if (key == NULL || key[0] != prefix || key[1] == '\0')
        return 0;
    for (p = key + 1; *p != '\0'; p++) {
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
              *p == '_'))
            return 0;
    }
    return 1;
}

int ddb_expr_env_validate(const ddb_expr_env *env, char *err, size_t errcap)
{
    const cJSON *m;
    char msg[DDB__ERR_MAX];
    int rc;
    if (env->names != NULL) {
        if (env->names->child == NULL)
            return ddb__errf(err, errcap, "ExpressionAttributeNames must not be empty");
        cJSON_ArrayForEach(m, env->names)
        {
            if (!key_ok(m->string, '#'))
                return ddb__errf(err, errcap,
                                 "ExpressionAttributeNames contains invalid key: Syntax error; "
                                 "key: \"%s\"",
                                 m->string);
        }
        /* a name of zero characters (recorded against DynamoDB: "ExpressionAttributeNames
         * contains invalid value: Empty attribute name for key #a") */
        cJSON_ArrayForEach(m, env->names)
        {
            if (cJSON_IsString(m) && m->valuestring[0] == '\0')
                return ddb__errf(err, errcap,
                                 "ExpressionAttributeNames contains invalid value: Empty "
                                 "attribute name for key %s",
                                 m->string);
        }
    }
    if (env->values != NULL) {
        if (env->values->child == NULL)
            return ddb__errf(err, errcap, "ExpressionAttributeValues must not be empty");
        cJSON_ArrayForEach(m, env->values)
        {
            if (!key_ok(m->string, ':'))
                return ddb__errf(err, errcap,
                                 "ExpressionAttributeValues contains invalid key: Syntax error; "
                                 "key: \"%s\"",
                                 m->string);
        }
        cJSON_ArrayForEach(m, env->values)
        {
            rc = ddb_attr_validate(m, msg, sizeof msg);
            if (rc == -SIM_ENOMEM)
                return rc;
            if (rc != 0)
                return ddb__errf(err, errcap,
                                 "ExpressionAttributeValues contains invalid value: %s for key %s",
                                 msg, m->string);
        }
    }
    return 0;
}
