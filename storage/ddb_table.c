/* ddb_table.c - the sqlite side of the table service: the metadata table, one WITHOUT ROWID
 * sqlite table per DynamoDB table (pk, sk, item, size) and per GSI (pk, sk, tpk, tsk, item,
 * size), keys in the order-preserving encoding of ddb_key_encode, items as JSON text, cached
 * statements, and planned writes that keep the GSIs in step with the table.
 * Request validation and AWS errors live in the ddb_ops_*.c files, not here. */
#include "storage/ddb_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core/sim_err.h"
#include "storage/ddb_attr.h"
#include "storage/ddb_num.h"
#include "storage/store_sqlite.h"

/* ---- small helpers ---- */

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p != NULL)
        memcpy(p, s, n);
    return p;
}

int ddb__scalar_type(const char *s)
{
    if (s == NULL)
        return 0;
    if (strcmp(s, "S") == 0)
        return DDB_T_S;
    if (strcmp(s, "N") == 0)
        return DDB_T_N;
    if (strcmp(s, "B") == 0)
        return DDB_T_B;
    return 0;
}

static const char *member_str(const cJSON *o, const char *name)
{
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(m) ? m->valuestring : NULL;
}

static double member_num(const cJSON *o, const char *name, double dflt)
{
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsNumber(m) ? m->valuedouble : dflt;
}

int ddb__txn_begin(ddb_service *svc)
{
    return store_sqlite_step_done(svc->st_begin);
}

int ddb__txn_commit(ddb_service *svc)
{
    int rc = store_sqlite_step_done(svc->st_commit);
    if (rc != 0)
        ddb__txn_rollback(svc);
    return rc;
}

void ddb__txn_rollback(ddb_service *svc)
{
    if (!sqlite3_get_autocommit(svc->db))
        (void)store_sqlite_step_done(svc->st_rollback);
}

/* ---- keys ---- */

void ddb__key_release(ddb_key *k)
{
    if (k == NULL)
        return;
    free(k->pk);
    free(k->sk);
    memset(k, 0, sizeof *k);
}

int ddb__key_encode(const ddb_keyschema *ks, const cJSON *attrs, ddb_key *out)
{
    ddb_key k = { 0 };
    const cJSON *h = cJSON_GetObjectItemCaseSensitive(attrs, ks->hash);
    if (h == NULL || ddb_attr_type(h) != ks->hash_type)
        return -SIM_EINVAL;
    int rc = ddb_key_encode(h, &k.pk, &k.pk_len);
    if (rc != 0)
        return rc;
    if (ks->range != NULL) {
        const cJSON *r = cJSON_GetObjectItemCaseSensitive(attrs, ks->range);
        if (r == NULL || ddb_attr_type(r) != ks->range_type) {
            ddb__key_release(&k);
            return -SIM_EINVAL;
        }
        if ((rc = ddb_key_encode(r, &k.sk, &k.sk_len)) != 0) {
            ddb__key_release(&k);
            return rc;
        }
    }
    *out = k;
    return 0;
}

int ddb__key_equal(const ddb_key *a, const ddb_key *b)
{
    return a->pk_len == b->pk_len && a->sk_len == b->sk_len &&
           (a->pk_len == 0 || memcmp(a->pk, b->pk, a->pk_len) == 0) &&
           (a->sk_len == 0 || memcmp(a->sk, b->sk, a->sk_len) == 0);
}

static int bind_key(sqlite3_stmt *st, int first, const ddb_key *k)
{
    if (store_sqlite_bind_blob(st, first, k->pk, k->pk_len) != 0 ||
        store_sqlite_bind_blob(st, first + 1, k->sk, k->sk_len) != 0)
        return -SIM_ESTORAGE;
    return 0;
}

/* ---- numbers ---- */

/* Canonicalise the number text held by string node s. */
static int normalize_num(cJSON *s)
{
    ddb_num n;
    char buf[DDB_NUM_TEXT_MAX];
    if (!cJSON_IsString(s) || ddb_num_parse(s->valuestring, &n) != DDB_NUM_OK)
        return 0;
    ddb_num_format(&n, buf);
    if (strcmp(buf, s->valuestring) == 0)
        return 0;
    return cJSON_SetValuestring(s, buf) != NULL ? 0 : -SIM_ENOMEM;
}

/* Canonicalise every number inside attribute value av. */
static int normalize_av(cJSON *av)
{
    cJSON *m = av != NULL ? av->child : NULL;
    if (m == NULL || m->string == NULL)
        return 0;
    int rc = 0;
    cJSON *e;
    if (strcmp(m->string, "N") == 0) {
        rc = normalize_num(m);
    } else if (strcmp(m->string, "NS") == 0) {
        cJSON_ArrayForEach(e, m)
        {
            if ((rc = normalize_num(e)) != 0)
                break;
        }
    } else if (strcmp(m->string, "M") == 0) {
        rc = ddb__item_normalize(m);
    } else if (strcmp(m->string, "L") == 0) {
        cJSON_ArrayForEach(e, m)
        {
            if ((rc = normalize_av(e)) != 0)
                break;
        }
    }
    return rc;
}

int ddb__item_normalize(cJSON *item)
{
    cJSON *a;
    cJSON_ArrayForEach(a, item)
    {
        int rc = normalize_av(a);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* ---- definitions ---- */

static void keyschema_release(ddb_keyschema *ks)
{
    free(ks->hash);
    free(ks->range);
    memset(ks, 0, sizeof *ks);
}

/* Type of attribute name in AttributeDefinitions, or 0. */
static int attrdef_type(const cJSON *attrdefs, const char *name)
{
    const cJSON *d;
    cJSON_ArrayForEach(d, attrdefs)
    {
        const char *n = member_str(d, "AttributeName");
        if (n != NULL && strcmp(n, name) == 0)
            return ddb__scalar_type(member_str(d, "AttributeType"));
    }
    return 0;
}

/* Read a KeySchema list (HASH first, optional RANGE) with types from attrdefs. */
static int keyschema_parse(const cJSON *arr, const cJSON *attrdefs, ddb_keyschema *out)
{
    ddb_keyschema ks = { 0 };
    const cJSON *e;
    cJSON_ArrayForEach(e, arr)
    {
        const char *name = member_str(e, "AttributeName");
        const char *kt = member_str(e, "KeyType");
        int type = name != NULL ? attrdef_type(attrdefs, name) : 0;
        if (name == NULL || kt == NULL || type == 0)
            goto bad;
        char **slot = strcmp(kt, "HASH") == 0 ? &ks.hash : &ks.range;
        if (*slot != NULL || (*slot = dup_str(name)) == NULL)
            goto bad;
        if (slot == &ks.hash)
            ks.hash_type = type;
        else
            ks.range_type = type;
    }
    if (ks.hash == NULL)
        goto bad;
    *out = ks;
    return 0;
bad:
    keyschema_release(&ks);
    return -SIM_EINVAL;
}

cJSON *ddb__keyschema_json(const ddb_keyschema *ks)
{
    cJSON *arr = cJSON_CreateArray();
    for (int i = 0; arr != NULL && i < 2; i++) {
        const char *name = i == 0 ? ks->hash : ks->range;
        if (name == NULL)
            break;
        cJSON *e = cJSON_CreateObject();
        if (e == NULL || !cJSON_AddItemToArray(arr, e)) {
            cJSON_Delete(e);
            cJSON_Delete(arr);
            return NULL;
        }
        if (cJSON_AddStringToObject(e, "AttributeName", name) == NULL ||
            cJSON_AddStringToObject(e, "KeyType", i == 0 ? "HASH" : "RANGE") == NULL) {
            cJSON_Delete(arr);
            return NULL;
        }
    }
    return arr;
}

/* Read ProvisionedThroughput (may be NULL: on demand) into s. */
static void throughput_parse(const cJSON *pt, ddb_store *s, sim_time_us now)
{
    s->rcu = (int64_t)member_num(pt, "ReadCapacityUnits", 0);
    s->wcu = (int64_t)member_num(pt, "WriteCapacityUnits", 0);
    s->decreases = (int)member_num(pt, "NumberOfDecreasesToday", 0);
    s->last_increase_s = member_num(pt, "LastIncreaseDateTime", 0);
    s->last_decrease_s = member_num(pt, "LastDecreaseDateTime", 0);
    ddb__bucket_init(&s->rb, s->rcu, now);
    ddb__bucket_init(&s->wb, s->wcu, now);
}

cJSON *ddb__throughput_json(const ddb_store *s)
{
    cJSON *o = cJSON_CreateObject();
    if (o == NULL)
        return NULL;
    if ((s->last_increase_s > 0 &&
         cJSON_AddNumberToObject(o, "LastIncreaseDateTime", s->last_increase_s) == NULL) ||
        (s->last_decrease_s > 0 &&
         cJSON_AddNumberToObject(o, "LastDecreaseDateTime", s->last_decrease_s) == NULL) ||
        cJSON_AddNumberToObject(o, "NumberOfDecreasesToday", s->decreases) == NULL ||
        cJSON_AddNumberToObject(o, "ReadCapacityUnits", (double)s->rcu) == NULL ||
        cJSON_AddNumberToObject(o, "WriteCapacityUnits", (double)s->wcu) == NULL) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

static void store_finalize(ddb_store *s);

static void store_release(ddb_store *s)
{
    store_finalize(s);
    keyschema_release(&s->ks);
    ddb__hot_free(s->hot);
    memset(s, 0, sizeof *s);
}

/* (Added.) Free what index g owns (not the slot itself). */
static void gsi_release(ddb_gsi *g)
{
    free(g->name);
    for (int j = 0; j < g->n_nonkey; j++)
        free(g->nonkey[j]);
    free(g->nonkey);
    ddb__key_release(&g->bf_cursor);
    store_release(&g->st);
    memset(g, 0, sizeof *g);
}

void ddb__table_free(ddb_table *t)
{
    if (t == NULL)
        return;
    for (int i = 0; i < t->ngsi; i++)
        gsi_release(&t->gsi[i]);
    store_release(&t->st);
    cJSON_Delete(t->attrdefs);
    free(t->name);
    free(t);
}

/* Create the sqlite table of s if missing, prepare its row statements, count its rows. */
static int store_open(ddb_service *svc, ddb_store *s)
{
    char sql[512];
    int rc;
    if (s->is_gsi)
        snprintf(sql, sizeof sql,
                 "CREATE TABLE IF NOT EXISTS %s (pk BLOB NOT NULL, sk BLOB NOT NULL, tpk BLOB NOT "
                 "NULL, tsk BLOB NOT NULL, item TEXT NOT NULL, size INTEGER NOT NULL, PRIMARY KEY "
                 "(pk, sk, tpk, tsk)) WITHOUT ROWID",
                 s->sqlname);
    else
        snprintf(sql, sizeof sql,
                 "CREATE TABLE IF NOT EXISTS %s (pk BLOB NOT NULL, sk BLOB NOT NULL, item TEXT NOT "
                 "NULL, size INTEGER NOT NULL, PRIMARY KEY (pk, sk)) WITHOUT ROWID",
                 s->sqlname);
    if ((rc = store_sqlite_exec(svc->db, sql)) != 0)
        return rc;
    if (s->is_gsi) {
        snprintf(sql, sizeof sql,
                 "INSERT OR REPLACE INTO %s (pk, sk, tpk, tsk, item, size) VALUES (?1, ?2, ?3, ?4, "
                 "?5, ?6)",
                 s->sqlname);
        if ((rc = store_sqlite_prepare(svc->db, sql, &s->st_put)) != 0)
            return rc;
        snprintf(sql, sizeof sql,
                 "DELETE FROM %s WHERE pk = ?1 AND sk = ?2 AND tpk = ?3 AND tsk = ?4", s->sqlname);
        if ((rc = store_sqlite_prepare(svc->db, sql, &s->st_del)) != 0)
            return rc;
    } else {
        snprintf(sql, sizeof sql, "SELECT item, size FROM %s WHERE pk = ?1 AND sk = ?2",
                 s->sqlname);
        if ((rc = store_sqlite_prepare(svc->db, sql, &s->st_get)) != 0)
            return rc;
        snprintf(sql, sizeof sql,
                 "INSERT OR REPLACE INTO %s (pk, sk, item, size) VALUES (?1, ?2, ?3, ?4)",
                 s->sqlname);
        if ((rc = store_sqlite_prepare(svc->db, sql, &s->st_put)) != 0)
            return rc;
        snprintf(sql, sizeof sql, "DELETE FROM %s WHERE pk = ?1 AND sk = ?2", s->sqlname);
        if ((rc = store_sqlite_prepare(svc->db, sql, &s->st_del)) != 0)
            return rc;
    }
    sqlite3_stmt *st = NULL;
    snprintf(sql, sizeof sql, "SELECT count(*), total(size) FROM %s", s->sqlname);
    if ((rc = store_sqlite_prepare(svc->db, sql, &st)) != 0)
        return rc;
    if (sqlite3_step(st) == SQLITE_ROW) {
        s->item_count = sqlite3_column_int64(st, 0);
        s->size_bytes = (int64_t)sqlite3_column_double(st, 1);
    } else {
        rc = -SIM_ESTORAGE;
    }
    sqlite3_finalize(st);
    return rc;
}

/* Read one GSI definition into g. */
static int gsi_parse(const cJSON *d, const cJSON *attrdefs, ddb_gsi *g, sim_time_us now)
{
    const char *name = member_str(d, "IndexName");
    if (name == NULL || (g->name = dup_str(name)) == NULL)
        return name == NULL ? -SIM_EINVAL : -SIM_ENOMEM;
    int rc = keyschema_parse(cJSON_GetObjectItemCaseSensitive(d, "KeySchema"), attrdefs, &g->st.ks);
    if (rc != 0)
        return rc;
    const cJSON *proj = cJSON_GetObjectItemCaseSensitive(d, "Projection");
    const char *pt = member_str(proj, "ProjectionType");
    g->proj_type = pt == NULL || strcmp(pt, "ALL") == 0 ? DDB_PROJ_ALL
                   : strcmp(pt, "KEYS_ONLY") == 0       ? DDB_PROJ_KEYS_ONLY
                                                        : DDB_PROJ_INCLUDE;
    const cJSON *nk = cJSON_GetObjectItemCaseSensitive(proj, "NonKeyAttributes");
    if (g->proj_type == DDB_PROJ_INCLUDE && cJSON_IsArray(nk)) {
        int n = cJSON_GetArraySize(nk);
        if (n > 0 && (g->nonkey = calloc((size_t)n, sizeof *g->nonkey)) == NULL)
            return -SIM_ENOMEM;
        const cJSON *e;
        cJSON_ArrayForEach(e, nk)
        {
            if (!cJSON_IsString(e))
                return -SIM_EINVAL;
            if ((g->nonkey[g->n_nonkey] = dup_str(e->valuestring)) == NULL)
                return -SIM_ENOMEM;
            g->n_nonkey++;
        }
    }
    throughput_parse(cJSON_GetObjectItemCaseSensitive(d, "ProvisionedThroughput"), &g->st, now);
    g->st.is_gsi = 1;
    g->due_us = -1;
    /* (added) an index saved while its backfill ran is built again from the start */
    const char *ist = member_str(d, "IndexStatus");
    if (ist != NULL && strcmp(ist, "CREATING") == 0) {
        g->status = DDB_ST_CREATING;
        g->backfilling = 1;
        g->due_us = now;
    }
    const char *sqln = member_str(d, "SqlName");
    if (sqln != NULL)
        snprintf(g->st.sqlname, sizeof g->st.sqlname, "%s", sqln);
    return 0;
}

int ddb__table_open(ddb_service *svc, const cJSON *def, ddb_table **out)
{
    sim_time_us now = ddb__now(svc);
    int rc = -SIM_ENOMEM;
    ddb_table *t = calloc(1, sizeof *t);
    if (t == NULL)
        return -SIM_ENOMEM;
    const char *name = member_str(def, "TableName");
    const char *tid = member_str(def, "TableId");
    const cJSON *ad = cJSON_GetObjectItemCaseSensitive(def, "AttributeDefinitions");
    if (name == NULL || !cJSON_IsArray(ad)) {
        rc = -SIM_EINVAL;
        goto fail;
    }
    if ((t->name = dup_str(name)) == NULL || (t->attrdefs = cJSON_Duplicate(ad, 1)) == NULL)
        goto fail;
    snprintf(t->table_id, sizeof t->table_id, "%s", tid != NULL ? tid : "");
    t->id = (int64_t)member_num(def, "Id", 0);
    t->due_us = -1;
    t->svc = svc;
    sim_timer_init(&t->timer);
    t->created_s = member_num(def, "CreationDateTime", 0);
    const char *bm = member_str(def, "BillingMode");
    t->on_demand = bm != NULL && strcmp(bm, "PAY_PER_REQUEST") == 0;
    /* (added) files from before it was saved: an on-demand table has been since creation */
    t->ppr_since_s =
        member_num(def, "LastUpdateToPayPerRequestDateTime", t->on_demand ? t->created_s : 0);
    t->deletion_protection =
        cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(def, "DeletionProtectionEnabled"));
    if ((rc = keyschema_parse(cJSON_GetObjectItemCaseSensitive(def, "KeySchema"), ad, &t->st.ks)) !=
        0)
        goto fail;
    throughput_parse(t->on_demand ? NULL
                                  : cJSON_GetObjectItemCaseSensitive(def, "ProvisionedThroughput"),
                     &t->st, now);
    snprintf(t->st.sqlname, sizeof t->st.sqlname, "t_%lld", (long long)t->id);
    const cJSON *gsis = cJSON_GetObjectItemCaseSensitive(def, "GlobalSecondaryIndexes");
    const cJSON *g;
    cJSON_ArrayForEach(g, gsis)
    {
        if (t->ngsi == DDB_GSI_MAX) {
            rc = -SIM_EINVAL;
            goto fail;
        }
        ddb_gsi *x = &t->gsi[t->ngsi++];
        if ((rc = gsi_parse(g, ad, x, now)) != 0)
            goto fail;
        if (t->on_demand) {
            x->st.rcu = x->st.wcu = 0;
            ddb__bucket_init(&x->st.rb, 0, now);
            ddb__bucket_init(&x->st.wb, 0, now);
        }
        if (x->st.sqlname[0] == '\0') /* files from before SqlName was saved */
            snprintf(x->st.sqlname, sizeof x->st.sqlname, "g_%lld_%d", (long long)t->id,
                     t->ngsi - 1);
    }
    /* (added) LSIs after the GSIs; their sqlite tables are named by LSI ordinal */
    const cJSON *lsis = cJSON_GetObjectItemCaseSensitive(def, "LocalSecondaryIndexes");
    int nlsi = 0;
    cJSON_ArrayForEach(g, lsis)
    {
        if (nlsi == DDB_LSI_MAX) {
            rc = -SIM_EINVAL;
            goto fail;
        }
        ddb_gsi *x = &t->gsi[t->ngsi++];
        if ((rc = gsi_parse(g, ad, x, now)) != 0)
            goto fail;
        x->is_lsi = 1;
        x->st.rcu = x->st.wcu = 0;
        ddb__bucket_init(&x->st.rb, 0, now);
        ddb__bucket_init(&x->st.wb, 0, now);
        if (x->st.sqlname[0] == '\0')
            snprintf(x->st.sqlname, sizeof x->st.sqlname, "l_%lld_%d", (long long)t->id, nlsi);
        nlsi++;
    }
    if ((rc = store_open(svc, &t->st)) != 0)
        goto fail;
    for (int i = 0; i < t->ngsi; i++)
        if ((rc = store_open(svc, &t->gsi[i].st)) != 0)
            goto fail;
    *out = t;
    return 0;
fail:
    ddb__table_free(t);
    return rc;
}

/* (Added.) A ProvisionedThroughput pt of s saved with the units s waits for, if any (a
 * reload then starts with them). */
static void pend_override(cJSON *pt, const ddb_store *s)
{
    if (pt == NULL || !s->pend)
        return;
    cJSON_SetNumberValue(cJSON_GetObjectItemCaseSensitive(pt, "ReadCapacityUnits"),
                         (double)s->pend_rcu);
    cJSON_SetNumberValue(cJSON_GetObjectItemCaseSensitive(pt, "WriteCapacityUnits"),
                         (double)s->pend_wcu);
}

/* The definition document of t (owned by the caller), or NULL on ENOMEM. */
static cJSON *table_def(const ddb_table *t)
{
    cJSON *d = cJSON_CreateObject();
    if (d == NULL)
        return NULL;
    cJSON *ad = cJSON_Duplicate(t->attrdefs, 1);
    if (ad == NULL || !cJSON_AddItemToObject(d, "AttributeDefinitions", ad))
        goto fail_ad;
    cJSON *ks = ddb__keyschema_json(&t->st.ks);
    if (ks == NULL || !cJSON_AddItemToObject(d, "KeySchema", ks))
        goto fail_ks;
    if (cJSON_AddStringToObject(d, "TableName", t->name) == NULL ||
        cJSON_AddNumberToObject(d, "Id", (double)t->id) == NULL ||
        cJSON_AddStringToObject(d, "TableId", t->table_id) == NULL ||
        cJSON_AddNumberToObject(d, "CreationDateTime", t->created_s) == NULL ||
        cJSON_AddStringToObject(d, "BillingMode",
                                t->on_demand ? "PAY_PER_REQUEST" : "PROVISIONED") == NULL ||
        (t->ppr_since_s > 0 &&
         cJSON_AddNumberToObject(d, "LastUpdateToPayPerRequestDateTime", t->ppr_since_s) ==
             NULL) ||
        cJSON_AddBoolToObject(d, "DeletionProtectionEnabled", t->deletion_protection) == NULL)
        goto fail;
    cJSON *pt = ddb__throughput_json(&t->st);
    pend_override(pt, &t->st);
    if (pt == NULL || !cJSON_AddItemToObject(d, "ProvisionedThroughput", pt))
        goto fail_pt;
    for (int lsi = 0; lsi < 2; lsi++) {
        cJSON *arr = NULL;
        for (int i = 0; i < t->ngsi; i++) {
            const ddb_gsi *g = &t->gsi[i];
            if (g->is_lsi != lsi || g->status == DDB_ST_DELETING)
                continue;
            if (arr == NULL &&
                (arr = cJSON_AddArrayToObject(d, lsi ? "LocalSecondaryIndexes"
                                                     : "GlobalSecondaryIndexes")) == NULL)
                goto fail;
            cJSON *o = cJSON_CreateObject();
            if (o == NULL || !cJSON_AddItemToArray(arr, o))
                goto fail_o;
            if (cJSON_AddStringToObject(o, "IndexName", g->name) == NULL ||
                cJSON_AddStringToObject(o, "SqlName", g->st.sqlname) == NULL ||
                (g->status == DDB_ST_CREATING && t->status != DDB_ST_CREATING &&
                 cJSON_AddStringToObject(o, "IndexStatus", "CREATING") == NULL))
                goto fail;
            cJSON *gks = ddb__keyschema_json(&g->st.ks);
            if (gks == NULL || !cJSON_AddItemToObject(o, "KeySchema", gks)) {
                cJSON_Delete(gks);
                goto fail;
            }
            cJSON *proj = cJSON_AddObjectToObject(o, "Projection");
            static const char *const ptn[] = { "ALL", "KEYS_ONLY", "INCLUDE" };
            if (proj == NULL ||
                cJSON_AddStringToObject(proj, "ProjectionType", ptn[g->proj_type]) == NULL)
                goto fail;
            /* INCLUDE with no NonKeyAttributes is accepted and described without them */
            if (g->proj_type == DDB_PROJ_INCLUDE && g->n_nonkey > 0) {
                cJSON *nk = cJSON_CreateStringArray((const char *const *)g->nonkey, g->n_nonkey);
                if (nk == NULL || !cJSON_AddItemToObject(proj, "NonKeyAttributes", nk)) {
                    cJSON_Delete(nk);
                    goto fail;
                }
            }
            cJSON *gpt = lsi ? NULL : ddb__throughput_json(&g->st);
            pend_override(gpt, &g->st);
            if (!lsi && (gpt == NULL || !cJSON_AddItemToObject(o, "ProvisionedThroughput", gpt))) {
                cJSON_Delete(gpt);
                goto fail;
            }
            continue;
fail_o:
            cJSON_Delete(o);
            goto fail;
        }
    }
    return d;
fail_ad:
    cJSON_Delete(ad);
    goto fail;
fail_ks:
    cJSON_Delete(ks);
    goto fail;
fail_pt:
    cJSON_Delete(pt);
fail:
    cJSON_Delete(d);
    return NULL;
}

int ddb__table_save(ddb_service *svc, const ddb_table *t)
{
    cJSON *def = table_def(t);
    if (def != NULL && ddb__meta_to_def(svc, t, def) != 0) { /* (added) tags, TTL */
        cJSON_Delete(def);
        def = NULL;
    }
    char *text = def != NULL ? cJSON_PrintUnformatted(def) : NULL;
    cJSON_Delete(def);
    if (text == NULL)
        return -SIM_ENOMEM;
    int rc = store_sqlite_bind_text(svc->st_meta_put, 1, t->name);
    if (rc == 0)
        rc = store_sqlite_bind_text(svc->st_meta_put, 2, text);
    rc = rc == 0 ? store_sqlite_step_done(svc->st_meta_put) : rc;
    store_sqlite_reset(svc->st_meta_put);
    cJSON_free(text);
    return rc;
}

/* Finalize the statements of s (they must go before its sqlite table is dropped). */
static void store_finalize(ddb_store *s)
{
    sqlite3_finalize(s->st_get);
    sqlite3_finalize(s->st_put);
    sqlite3_finalize(s->st_del);
    for (int j = 0; j < DDB_QSTMT_N; j++)
        sqlite3_finalize(s->st_query[j]);
    sqlite3_finalize(s->st_scan[0]);
    sqlite3_finalize(s->st_scan[1]);
    s->st_get = s->st_put = s->st_del = s->st_scan[0] = s->st_scan[1] = NULL;
    memset(s->st_query, 0, sizeof s->st_query);
}

int ddb__table_drop(ddb_service *svc, ddb_table *t)
{
    char sql[96];
    int rc = ddb__txn_begin(svc);
    if (rc != 0)
        return rc;
    for (int i = -1; i < t->ngsi && rc == 0; i++) {
        ddb_store *s = i < 0 ? &t->st : &t->gsi[i].st;
        if (i >= 0 && t->gsi[i].status == DDB_ST_DELETING)
            continue; /* (added) dropped when its deletion began */
        store_finalize(s);
        snprintf(sql, sizeof sql, "DROP TABLE IF EXISTS %s", s->sqlname);
        rc = store_sqlite_exec(svc->db, sql);
    }
    if (rc == 0)
        rc = store_sqlite_bind_text(svc->st_meta_del, 1, t->name);
    if (rc == 0)
        rc = store_sqlite_step_done(svc->st_meta_del);
    store_sqlite_reset(svc->st_meta_del);
    if (rc != 0) {
        ddb__txn_rollback(svc);
        return rc;
    }
    return ddb__txn_commit(svc);
}

int ddb__tables_load(ddb_service *svc)
{
    int rc = store_sqlite_exec(svc->db, "CREATE TABLE IF NOT EXISTS ddb_meta (name TEXT PRIMARY "
                                        "KEY, def TEXT NOT NULL) WITHOUT ROWID");
    if (rc != 0 || (rc = store_sqlite_prepare(svc->db, "BEGIN", &svc->st_begin)) != 0 ||
        (rc = store_sqlite_prepare(svc->db, "COMMIT", &svc->st_commit)) != 0 ||
        (rc = store_sqlite_prepare(svc->db, "ROLLBACK", &svc->st_rollback)) != 0 ||
        (rc = store_sqlite_prepare(svc->db,
                                   "INSERT OR REPLACE INTO ddb_meta (name, def) VALUES (?1, ?2)",
                                   &svc->st_meta_put)) != 0 ||
        (rc = store_sqlite_prepare(svc->db, "DELETE FROM ddb_meta WHERE name = ?1",
                                   &svc->st_meta_del)) != 0)
        return rc;
    sqlite3_stmt *st = NULL;
    if ((rc = store_sqlite_prepare(svc->db, "SELECT def FROM ddb_meta ORDER BY name", &st)) != 0)
        return rc;
    svc->next_id = 1;
    int s;
    while (rc == 0 && (s = sqlite3_step(st)) == SQLITE_ROW) {
        const char *text = (const char *)sqlite3_column_text(st, 0);
        cJSON *def = text != NULL ? cJSON_Parse(text) : NULL;
        ddb_table *t = NULL;
        if (def == NULL) {
            rc = -SIM_ESTORAGE;
            break;
        }
        rc = ddb__table_open(svc, def, &t);
        if (rc == -SIM_EINVAL)
            rc = -SIM_ESTORAGE;
        if (rc == 0 && (rc = ddb__table_register(svc, t)) != 0)
            ddb__table_free(t);
        if (rc == 0)
            rc = ddb__meta_from_def(svc, t, def); /* (added) tags and TTL */
        cJSON_Delete(def);
        if (rc == 0 && t->id >= svc->next_id)
            svc->next_id = t->id + 1;
        if (rc == 0)
            ddb__status_arm(svc, t); /* (added) resumes an interrupted backfill */
    }
    if (rc == 0 && s != SQLITE_DONE)
        rc = -SIM_ESTORAGE;
    sqlite3_finalize(st);
    return rc;
}

/* ---- rows ---- */

cJSON *ddb__row_item(sqlite3_stmt *st)
{
    const char *text = (const char *)sqlite3_column_text(st, 0);
    int n = sqlite3_column_bytes(st, 0);
    return text != NULL ? cJSON_ParseWithLength(text, (size_t)n) : NULL;
}

cJSON *ddb__row_item_wire(const ddb_service *svc, sqlite3_stmt *st)
{
    if (!svc->wire_items)
        return ddb__row_item(st);
    /* The stored text is cJSON_PrintUnformatted's (ddb__wplan_apply), so printing it
     * verbatim gives what parsing and printing again would. */
    const char *text = (const char *)sqlite3_column_text(st, 0);
    return text != NULL ? cJSON_CreateRaw(text) : NULL;
}

/* wire: 0 parse the item, 1 as ddb__row_item_wire, 2 always the stored text */
static int item_get(ddb_service *svc, ddb_table *t, const ddb_key *key, int wire,
                    cJSON **out_item, size_t *out_size)
{
    sqlite3_stmt *st = t->st.st_get;
    int rc = bind_key(st, 1, key);
    cJSON *item = NULL;
    size_t size = 0;
    if (rc == 0) {
        int s = sqlite3_step(st);
        if (s == SQLITE_ROW) {
            size = (size_t)sqlite3_column_int64(st, 1);
            if (wire == 2) {
                const char *text = (const char *)sqlite3_column_text(st, 0);
                item = text != NULL ? cJSON_CreateRaw(text) : NULL;
            } else {
                item = wire ? ddb__row_item_wire(svc, st) : ddb__row_item(st);
            }
            if (item == NULL)
                rc = -SIM_ENOMEM;
        } else if (s != SQLITE_DONE) {
            rc = -SIM_ESTORAGE;
        }
    }
    store_sqlite_reset(st);
    if (rc == 0) {
        *out_item = item;
        *out_size = size;
    }
    return rc;
}

int ddb__item_get(ddb_service *svc, ddb_table *t, const ddb_key *key, cJSON **out_item,
                  size_t *out_size)
{
    return item_get(svc, t, key, 0, out_item, out_size);
}

int ddb__item_get_wire(ddb_service *svc, ddb_table *t, const ddb_key *key, cJSON **out_item,
                       size_t *out_size)
{
    return item_get(svc, t, key, 1, out_item, out_size);
}

int ddb__item_get_text(ddb_service *svc, ddb_table *t, const ddb_key *key, cJSON **out_item,
                       size_t *out_size)
{
    return item_get(svc, t, key, 2, out_item, out_size);
}

ddb_gsi *ddb__gsi_find(ddb_table *t, const char *name)
{
    for (int i = 0; i < t->ngsi; i++)
        if (!t->gsi[i].is_lsi && strcmp(t->gsi[i].name, name) == 0)
            return &t->gsi[i];
    return NULL;
}

ddb_gsi *ddb__index_find(ddb_table *t, const char *name)
{
    for (int i = 0; i < t->ngsi; i++)
        if (strcmp(t->gsi[i].name, name) == 0)
            return &t->gsi[i];
    return NULL;
}

/* Copy attribute name of item (if present and not yet copied) into out. 0 or ENOMEM. */
static int copy_attr(cJSON *out, const cJSON *item, const char *name)
{
    if (name == NULL || cJSON_GetObjectItemCaseSensitive(out, name) != NULL)
        return 0;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(item, name);
    if (v == NULL)
        return 0;
    cJSON *c = cJSON_Duplicate(v, 1);
    if (c == NULL || !cJSON_AddItemToObject(out, name, c)) {
        cJSON_Delete(c);
        return -SIM_ENOMEM;
    }
    return 0;
}

/* New object holding the attributes of item that a KEYS_ONLY or INCLUDE index g projects:
 * the table and index keys, and the NonKeyAttributes. */
static cJSON *gsi_project(const ddb_table *t, const ddb_gsi *g, const cJSON *item)
{
    cJSON *o = cJSON_CreateObject();
    if (o == NULL)
        return NULL;
    if (copy_attr(o, item, t->st.ks.hash) != 0 || copy_attr(o, item, t->st.ks.range) != 0 ||
        copy_attr(o, item, g->st.ks.hash) != 0 || copy_attr(o, item, g->st.ks.range) != 0)
        goto fail;
    for (int i = 0; i < g->n_nonkey; i++)
        if (copy_attr(o, item, g->nonkey[i]) != 0)
            goto fail;
    return o;
fail:
    cJSON_Delete(o);
    return NULL;
}

/* 1 when items a and b hold equal attributes (DynamoDB equality of maps). */
static int items_equal(const cJSON *a, const cJSON *b)
{
    return ddb_item_equal(a, b); /* sorted, not a lookup per attribute */
}

void ddb__wplan_release(ddb_table *t, ddb_wplan *p)
{
    for (int i = 0; i < t->ngsi; i++) {
        ddb__key_release(&p->gop[i].old_key);
        ddb__key_release(&p->gop[i].new_key);
        cJSON_Delete(p->gop[i].proj);
    }
    memset(p, 0, sizeof *p);
}

int ddb__wplan_make(ddb_table *t, const ddb_key *key, const cJSON *old_item, size_t old_size,
                    const cJSON *new_item, size_t new_size, ddb_wplan *p)
{
    memset(p, 0, sizeof *p);
    p->key = key;
    p->new_item = new_item;
    p->new_size = new_item != NULL ? new_size : 0;
    p->old_size = old_item != NULL ? old_size : 0;
    p->had_old = old_item != NULL;
    p->cost_uu = ddb__write_cost_uu(p->old_size > p->new_size ? p->old_size : p->new_size);
    for (int i = 0; i < t->ngsi; i++) {
        ddb_gsi *g = &t->gsi[i];
        ddb_gsi_op *op = &p->gop[i];
        int rc;
        int old_in = 0, new_in = 0;
        if (g->status == DDB_ST_DELETING) /* (added) its rows are gone already */
            continue;
        if (old_item != NULL) {
            rc = ddb__key_encode(&g->st.ks, old_item, &op->old_key);
            if (rc == -SIM_ENOMEM)
                goto fail;
            old_in = rc == 0;
        }
        if (new_item != NULL) {
            rc = ddb__key_encode(&g->st.ks, new_item, &op->new_key);
            if (rc == -SIM_ENOMEM)
                goto fail;
            new_in = rc == 0;
        }
        if (!old_in && !new_in)
            continue;
        cJSON *old_proj = NULL;
        size_t old_psize = 0;
        if (g->proj_type != DDB_PROJ_ALL) {
            if (new_in) {
                if ((op->proj = gsi_project(t, g, new_item)) == NULL)
                    goto fail;
                op->proj_size = ddb_item_size(op->proj);
            }
            if (old_in) {
                if ((old_proj = gsi_project(t, g, old_item)) == NULL)
                    goto fail;
                old_psize = ddb_item_size(old_proj);
            }
        } else {
            op->proj_size = new_in ? p->new_size : 0;
            old_psize = old_in ? p->old_size : 0;
        }
        op->old_proj_size = old_psize;
        if (old_in && new_in && ddb__key_equal(&op->old_key, &op->new_key)) {
            int same = g->proj_type == DDB_PROJ_ALL ? items_equal(old_item, new_item)
                                                    : items_equal(old_proj, op->proj);
            if (!same) {
                op->put = 1;
                op->replace = 1;
                op->cost_uu =
                    ddb__write_cost_uu(old_psize > op->proj_size ? old_psize : op->proj_size);
            }
        } else {
            if (old_in) {
                op->del = 1;
                op->cost_uu += ddb__write_cost_uu(old_psize);
            }
            if (new_in) {
                op->put = 1;
                op->cost_uu += ddb__write_cost_uu(op->proj_size);
            }
        }
        cJSON_Delete(old_proj);
    }
    return 0;
fail:
    ddb__wplan_release(t, p);
    return -SIM_ENOMEM;
}

/* (Added.) The index key whose partition a GSI op writes: the new row's, else the old's. */
static const ddb_key *gop_key(const ddb_gsi_op *op)
{
    return op->put ? &op->new_key : &op->old_key;
}

int ddb__wplan_admit(ddb_service *svc, ddb_table *t, const ddb_wplan *p)
{
    sim_time_us now = ddb__now(svc);
    if (!ddb__bucket_admit(&t->st.wb, now))
        return DDB_ADMIT_TABLE;
    /* (added) the partition limit of the item (its LSI rows live on its partition too) */
    if (!ddb__hot_admit(svc, &t->st, p->key, 0, now))
        return DDB_ADMIT_KEY_TABLE;
    for (int i = 0; i < t->ngsi; i++)
        if (!t->gsi[i].is_lsi && p->gop[i].cost_uu > 0 && !ddb__bucket_admit(&t->gsi[i].st.wb, now))
            return DDB_ADMIT_GSI;
    for (int i = 0; i < t->ngsi; i++) {
        const ddb_gsi_op *op = &p->gop[i];
        if (t->gsi[i].is_lsi || op->cost_uu == 0)
            continue;
        if (!ddb__hot_admit(svc, &t->gsi[i].st, gop_key(op), 0, now))
            return DDB_ADMIT_KEY_GSI;
    }
    return DDB_ADMIT_OK;
}

/* Write one row of store s: table row (tkey NULL) or index row at key with table key tkey. */
static int row_put(ddb_store *s, const ddb_key *key, const ddb_key *tkey, const char *text,
                   size_t size)
{
    sqlite3_stmt *st = s->st_put;
    int n = 1;
    int rc = bind_key(st, n, key);
    n += 2;
    if (rc == 0 && tkey != NULL) {
        rc = bind_key(st, n, tkey);
        n += 2;
    }
    if (rc == 0 && sqlite3_bind_text(st, n, text, -1, SQLITE_STATIC) != SQLITE_OK)
        rc = -SIM_ESTORAGE;
    if (rc == 0 && sqlite3_bind_int64(st, n + 1, (sqlite3_int64)size) != SQLITE_OK)
        rc = -SIM_ESTORAGE;
    if (rc == 0)
        return store_sqlite_step_done(st);
    store_sqlite_reset(st);
    return rc;
}

static int row_del(ddb_store *s, const ddb_key *key, const ddb_key *tkey)
{
    sqlite3_stmt *st = s->st_del;
    int rc = bind_key(st, 1, key);
    if (rc == 0 && tkey != NULL)
        rc = bind_key(st, 3, tkey);
    if (rc == 0)
        return store_sqlite_step_done(st);
    store_sqlite_reset(st);
    return rc;
}

int ddb__wplan_apply(ddb_service *svc, ddb_table *t, ddb_wplan *p, ddb_cc *cc)
{
    sim_time_us now = ddb__now(svc);
    char *text = NULL;
    char *ptext = NULL;
    int rc = 0, in_txn = 0;
    if (p->new_item != NULL && (text = cJSON_PrintUnformatted(p->new_item)) == NULL)
        return -SIM_ENOMEM;
    int gsi_work = 0;
    for (int i = 0; i < t->ngsi; i++)
        gsi_work |= p->gop[i].del | p->gop[i].put;
    if (gsi_work) {
        if ((rc = ddb__txn_begin(svc)) != 0)
            goto out;
        in_txn = 1;
    }
    if (p->new_item != NULL)
        rc = row_put(&t->st, p->key, NULL, text, p->new_size);
    else if (p->had_old)
        rc = row_del(&t->st, p->key, NULL);
    for (int i = 0; rc == 0 && i < t->ngsi; i++) {
        ddb_gsi_op *op = &p->gop[i];
        ddb_store *gs = &t->gsi[i].st;
        if (op->del && (rc = row_del(gs, &op->old_key, p->key)) != 0)
            break;
        if (op->put) {
            const char *pt = text;
            if (op->proj != NULL) {
                cJSON_free(ptext);
                if ((ptext = cJSON_PrintUnformatted(op->proj)) == NULL) {
                    rc = -SIM_ENOMEM;
                    break;
                }
                pt = ptext;
            }
            if ((rc = row_put(gs, &op->new_key, p->key, pt, op->proj_size)) != 0)
                break;
        }
    }
    if (rc != 0)
        goto out;
    if (in_txn) {
        in_txn = 0;
        if ((rc = ddb__txn_commit(svc)) != 0)
            goto out;
    }
    /* counters and charges, only once the rows are written */
    t->st.item_count += (p->new_item != NULL) - p->had_old;
    t->st.size_bytes += (int64_t)p->new_size - (int64_t)p->old_size;
    ddb__bucket_charge(&t->st.wb, p->cost_uu, now);
    ddb__hot_charge(svc, &t->st, p->key, 0, p->cost_uu, now);
    if (cc != NULL)
        cc->table_uu += p->cost_uu;
    for (int i = 0; i < t->ngsi; i++) {
        ddb_gsi_op *op = &p->gop[i];
        ddb_store *gs = &t->gsi[i].st;
        if (op->del) {
            gs->item_count--;
            gs->size_bytes -= (int64_t)op->old_proj_size;
        }
        if (op->put) {
            if (op->replace) {
                gs->size_bytes -= (int64_t)op->old_proj_size;
            } else {
                gs->item_count++;
            }
            gs->size_bytes += (int64_t)op->proj_size;
        }
        if (op->cost_uu > 0) {
            /* an LSI has no capacity of its own: its writes are charged to the table */
            ddb__bucket_charge(t->gsi[i].is_lsi ? &t->st.wb : &gs->wb, op->cost_uu, now);
            if (t->gsi[i].is_lsi) /* (added) same partition as the item */
                ddb__hot_charge(svc, &t->st, p->key, 0, op->cost_uu, now);
            else
                ddb__hot_charge(svc, gs, gop_key(op), 0, op->cost_uu, now);
            if (cc != NULL)
                cc->gsi_uu[i] += op->cost_uu;
        }
    }
out:
    if (in_txn)
        ddb__txn_rollback(svc);
    cJSON_free(ptext);
    cJSON_free(text);
    return rc;
}

/* ---- query and scan statements ---- */

int ddb__query_stmt(ddb_service *svc, ddb_store *s, int shape, int desc, int start,
                    sqlite3_stmt **out)
{
    int slot = shape * 4 + desc * 2 + start;
    if (s->st_query[slot] != NULL) {
        *out = s->st_query[slot];
        return 0;
    }
    static const char *const cond[DDB_Q_SHAPES] = {
        "",
        " AND sk = ?2",
        " AND sk < ?2",
        " AND sk <= ?2",
        " AND sk > ?2",
        " AND sk >= ?2",
        " AND sk >= ?2 AND sk <= ?3",
        " AND sk >= ?2 AND sk < ?3",
        " AND sk >= ?2",
    };
    const char *dir = desc ? " DESC" : "";
    const char *cmp = desc ? "<" : ">";
    char startc[96] = "";
    char order[96];
    if (s->is_gsi) {
        if (start)
            snprintf(startc, sizeof startc, " AND (sk, tpk, tsk) %s (?4, ?5, ?6)", cmp);
        snprintf(order, sizeof order, " ORDER BY sk%s, tpk%s, tsk%s", dir, dir, dir);
    } else {
        if (start)
            snprintf(startc, sizeof startc, " AND sk %s ?4", cmp);
        snprintf(order, sizeof order, " ORDER BY sk%s", dir);
    }
    char sql[512];
    snprintf(sql, sizeof sql, "SELECT item, size, sk FROM %s WHERE pk = ?1%s%s%s", s->sqlname,
             cond[shape], startc, order);
    int rc = store_sqlite_prepare(svc->db, sql, &s->st_query[slot]);
    if (rc == 0)
        *out = s->st_query[slot];
    return rc;
}

int ddb__scan_stmt(ddb_service *svc, ddb_store *s, int start, sqlite3_stmt **out)
{
    if (s->st_scan[start] != NULL) {
        *out = s->st_scan[start];
        return 0;
    }
    char sql[256];
    if (s->is_gsi)
        snprintf(sql, sizeof sql, "SELECT item, size FROM %s%s ORDER BY pk, sk, tpk, tsk",
                 s->sqlname, start ? " WHERE (pk, sk, tpk, tsk) > (?1, ?2, ?3, ?4)" : "");
    else
        snprintf(sql, sizeof sql, "SELECT item, size FROM %s%s ORDER BY pk, sk", s->sqlname,
                 start ? " WHERE (pk, sk) > (?1, ?2)" : "");
    int rc = store_sqlite_prepare(svc->db, sql, &s->st_scan[start]);
    if (rc == 0)
        *out = s->st_scan[start];
    return rc;
}

/* ---- (added) indexes added and removed by UpdateTable (ddb_status.c drives them) ---- */

int ddb__gsi_add(ddb_service *svc, ddb_table *t, const cJSON *gdef, ddb_gsi **out)
{
    int nglobal = 0;
    while (nglobal < t->ngsi && !t->gsi[nglobal].is_lsi)
        nglobal++;
    if (t->ngsi == DDB_IDX_MAX || nglobal == DDB_GSI_MAX)
        return -SIM_EINVAL;
    /* a sqlite name no index of t uses, living or being deleted */
    char name[32];
    for (int k = 0;; k++) {
        snprintf(name, sizeof name, "g_%lld_%d", (long long)t->id, k);
        int used = 0;
        for (int i = 0; i < t->ngsi; i++)
            used |= strcmp(t->gsi[i].st.sqlname, name) == 0;
        if (!used)
            break;
    }
    /* GSIs stay before the LSIs */
    memmove(&t->gsi[nglobal + 1], &t->gsi[nglobal], (size_t)(t->ngsi - nglobal) * sizeof t->gsi[0]);
    t->ngsi++;
    ddb_gsi *g = &t->gsi[nglobal];
    memset(g, 0, sizeof *g);
    int rc = gsi_parse(gdef, t->attrdefs, g, ddb__now(svc));
    if (rc == 0) {
        snprintf(g->st.sqlname, sizeof g->st.sqlname, "%s", name);
        if (t->on_demand) {
            g->st.rcu = g->st.wcu = 0;
            ddb__bucket_init(&g->st.rb, 0, ddb__now(svc));
            ddb__bucket_init(&g->st.wb, 0, ddb__now(svc));
        }
        rc = store_open(svc, &g->st);
    }
    if (rc != 0) {
        ddb__gsi_remove(t, g);
        return rc == -SIM_EINVAL ? -SIM_ESTORAGE : rc;
    }
    *out = g;
    return 0;
}

int ddb__gsi_drop(ddb_service *svc, ddb_gsi *g)
{
    char sql[96];
    store_finalize(&g->st);
    snprintf(sql, sizeof sql, "DROP TABLE IF EXISTS %s", g->st.sqlname);
    return store_sqlite_exec(svc->db, sql);
}

void ddb__gsi_remove(ddb_table *t, ddb_gsi *g)
{
    int i = (int)(g - t->gsi);
    gsi_release(g);
    memmove(&t->gsi[i], &t->gsi[i + 1], (size_t)(t->ngsi - i - 1) * sizeof t->gsi[0]);
    t->ngsi--;
    memset(&t->gsi[t->ngsi], 0, sizeof t->gsi[0]);
}

int ddb__store_recount(ddb_service *svc, ddb_store *s)
{
    char sql[128];
    sqlite3_stmt *st = NULL;
    snprintf(sql, sizeof sql, "SELECT count(*), total(size) FROM %s", s->sqlname);
    int rc = store_sqlite_prepare(svc->db, sql, &st);
    if (rc != 0)
        return rc;
    if (sqlite3_step(st) == SQLITE_ROW) {
        s->item_count = sqlite3_column_int64(st, 0);
        s->size_bytes = (int64_t)sqlite3_column_double(st, 1);
    } else {
        rc = -SIM_ESTORAGE;
    }
    sqlite3_finalize(st);
    return rc;
}

/* Write index g's row for the stored item at table key tkey (no row when the item lacks
 * the index key). *cost_uu grows by the row's write units. 0 or -SIM_E*. */
static int backfill_row(ddb_table *t, ddb_gsi *g, const ddb_key *tkey, const cJSON *item,
                        size_t size, int64_t *cost_uu)
{
    ddb_key ik = { 0 };
    int rc = ddb__key_encode(&g->st.ks, item, &ik);
    if (rc == -SIM_EINVAL)
        return 0; /* not in the index (sparse) */
    if (rc != 0)
        return rc;
    cJSON *proj = NULL;
    char *text = NULL;
    size_t psize = size;
    const cJSON *src = item;
    if (g->proj_type != DDB_PROJ_ALL) {
        if ((proj = gsi_project(t, g, item)) == NULL) {
            rc = -SIM_ENOMEM;
            goto out;
        }
        psize = ddb_item_size(proj);
        src = proj;
    }
    if ((text = cJSON_PrintUnformatted(src)) == NULL) {
        rc = -SIM_ENOMEM;
        goto out;
    }
    if ((rc = row_put(&g->st, &ik, tkey, text, psize)) == 0)
        *cost_uu += ddb__write_cost_uu(psize);
out:
    cJSON_free(text);
    cJSON_Delete(proj);
    ddb__key_release(&ik);
    return rc;
}

int ddb__gsi_backfill_step(ddb_service *svc, ddb_table *t, ddb_gsi *g, int max_rows,
                           int64_t *out_cost_uu, int *out_done)
{
    sqlite3_stmt *st = NULL;
    cJSON *items = cJSON_CreateArray();
    int64_t cost = 0;
    int n = 0, rc;
    if (items == NULL)
        return -SIM_ENOMEM;
    if ((rc = ddb__scan_stmt(svc, &t->st, g->bf_cursor_set, &st)) != 0)
        goto out;
    if (g->bf_cursor_set && (rc = bind_key(st, 1, &g->bf_cursor)) != 0) {
        store_sqlite_reset(st);
        goto out;
    }
    while (n < max_rows) {
        int s = sqlite3_step(st);
        if (s == SQLITE_DONE)
            break;
        if (s != SQLITE_ROW) {
            rc = -SIM_ESTORAGE;
            break;
        }
        cJSON *item = ddb__row_item(st);
        cJSON *size = cJSON_CreateNumber((double)sqlite3_column_int64(st, 1));
        cJSON *pair = cJSON_CreateArray();
        if (item == NULL || size == NULL || pair == NULL) {
            cJSON_Delete(item);
            cJSON_Delete(size);
            cJSON_Delete(pair);
            rc = -SIM_ENOMEM;
            break;
        }
        cJSON_AddItemToArray(pair, item);
        cJSON_AddItemToArray(pair, size);
        cJSON_AddItemToArray(items, pair);
        n++;
    }
    store_sqlite_reset(st);
    if (rc != 0)
        goto out;
    if (n > 0 && (rc = ddb__txn_begin(svc)) != 0)
        goto out;
    const cJSON *pair;
    cJSON_ArrayForEach(pair, items)
    {
        const cJSON *item = cJSON_GetArrayItem(pair, 0);
        ddb_key tk = { 0 };
        if ((rc = ddb__key_encode(&t->st.ks, item, &tk)) != 0) {
            rc = rc == -SIM_EINVAL ? -SIM_ESTORAGE : rc;
            break;
        }
        rc = backfill_row(t, g, &tk, item, (size_t)cJSON_GetArrayItem(pair, 1)->valuedouble, &cost);
        if (rc == 0) {
            ddb__key_release(&g->bf_cursor);
            g->bf_cursor = tk;
            g->bf_cursor_set = 1;
        } else {
            ddb__key_release(&tk);
            break;
        }
    }
    if (n > 0) {
        if (rc == 0)
            rc = ddb__txn_commit(svc);
        else
            ddb__txn_rollback(svc);
    }
    if (rc == 0) {
        *out_cost_uu = cost;
        *out_done = n < max_rows;
    }
out:
    cJSON_Delete(items);
    return rc;
}
