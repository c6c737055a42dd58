/* ddb_ttl.c - the Time to Live sweep. While some table has TTL enabled, a timer on the
 * scheduler clock fires every ttl_period_us (ddb_service_set_ttl_sweep; DDB_TTL_PERIOD_US by
 * default) and deletes the items of those tables whose
 * TTL attribute is a number (N) of epoch seconds already in the past, together with their
 * GSI rows. Items whose TTL attribute is absent or not a number are never deleted, nor are
 * items more than five years past (AWS skips them). Until a sweep deletes it, an expired
 * item is still returned by reads. TTL deletes consume no write capacity.
 * Source: developer guide, "Time to Live (TTL)" and "Working with expired items". */
#include "storage/ddb_int.h"

#include <stdlib.h>
#include <string.h>

#include "sim/core/sim_err.h"
#include "storage/store_sqlite.h"

static void ttl_fire(void *arg);

/* 1 when some live table has TTL enabled. */
static int any_enabled(ddb_service *svc)
{
    for (int i = 0; i < svc->nmeta; i++) {
        const ddb_meta *m = &svc->meta[i];
        const ddb_table *t = ddb__table_find(svc, m->name);
        if (m->ttl_attr != NULL && t != NULL && strcmp(t->table_id, m->table_id) == 0)
            return 1;
    }
    return 0;
}

void ddb__ttl_arm(ddb_service *svc)
{
    if (!svc->ttl_timer_used) {
        sim_timer_init(&svc->ttl_timer);
        svc->ttl_timer_used = 1;
    }
    if (sim_timer_armed(&svc->ttl_timer) || !any_enabled(svc))
        return;
    sim_timer_start(svc->sched, &svc->ttl_timer, sim_sched_now(svc->sched) +
                                                   (svc->ttl_period_us > 0 ? svc->ttl_period_us
                                                                           : DDB_TTL_PERIOD_US),
                    ttl_fire, svc);
}

/* 1 when item's attribute attr is an N holding epoch seconds before now_s (and not more
 * than five years before). */
static int expired(const cJSON *item, const char *attr, double now_s)
{
    const cJSON *av = cJSON_GetObjectItemCaseSensitive(item, attr);
    if (!cJSON_IsObject(av) || av->child == NULL || strcmp(av->child->string, "N") != 0 ||
        !cJSON_IsString(av->child))
        return 0;
    char *end;
    double v = strtod(av->child->valuestring, &end);
    if (end == av->child->valuestring || *end != '\0')
        return 0;
    return v < now_s && v >= now_s - (double)DDB_TTL_MAX_AGE_S;
}

/* Delete item (stored, expired) from t with its GSI rows, charging nothing. */
static int delete_one(ddb_service *svc, ddb_table *t, const cJSON *item)
{
    ddb_key key = { 0 };
    ddb_wplan p;
    cJSON *old = NULL;
    size_t old_size = 0;
    int rc = ddb__key_encode(&t->st.ks, item, &key);
    if (rc != 0)
        goto out;
    if ((rc = ddb__item_get(svc, t, &key, &old, &old_size)) != 0 || old == NULL)
        goto out;
    if ((rc = ddb__wplan_make(t, &key, old, old_size, NULL, 0, &p)) != 0)
        goto out;
    p.cost_uu = 0; /* TTL deletes consume no write capacity */
    for (int i = 0; i < t->ngsi; i++)
        p.gop[i].cost_uu = 0;
    rc = ddb__wplan_apply(svc, t, &p, NULL);
    ddb__wplan_release(t, &p);
out:
    cJSON_Delete(old);
    ddb__key_release(&key);
    return rc;
}

/* Sweep table t for attribute attr at epoch now_s. Returns items deleted or -SIM_E*. */
static int sweep_table(ddb_service *svc, ddb_table *t, const char *attr, double now_s)
{
    sqlite3_stmt *st = NULL;
    cJSON *doomed = cJSON_CreateArray();
    int rc, n = 0;
    if (doomed == NULL)
        return -SIM_ENOMEM;
    if ((rc = ddb__scan_stmt(svc, &t->st, 0, &st)) != 0)
        goto out;
    for (;;) {
        int s = sqlite3_step(st);
        if (s == SQLITE_DONE)
            break;
        if (s != SQLITE_ROW) {
            rc = -SIM_ESTORAGE;
            break;
        }
        cJSON *item = ddb__row_item(st);
        if (item == NULL) {
            rc = -SIM_ENOMEM;
            break;
        }
        if (expired(item, attr, now_s))
            cJSON_AddItemToArray(doomed, item);
        else
            cJSON_Delete(item);
    }
    store_sqlite_reset(st);
    if (rc != 0)
        goto out;
    const cJSON *e;
    cJSON_ArrayForEach(e, doomed)
    {
        if ((rc = delete_one(svc, t, e)) != 0)
            goto out;
        n++;
    }
out:
    cJSON_Delete(doomed);
    return rc != 0 ? rc : n;
}

int ddb__ttl_sweep(ddb_service *svc)
{
    sim_time_us now = sim_sched_now(svc->sched);
    double now_s = (double)sim_clock_epoch_us(svc->sched->clock, now) / 1e6;
    int total = 0;
    for (int i = 0; i < svc->nmeta; i++) {
        const ddb_meta *m = &svc->meta[i];
        ddb_table *t = ddb__table_find(svc, m->name);
        if (m->ttl_attr == NULL || t == NULL || strcmp(t->table_id, m->table_id) != 0 ||
            t->status == DDB_ST_DELETING) /* (added) its rows are gone already */
            continue;
        int rc = sweep_table(svc, t, m->ttl_attr, now_s);
        if (rc < 0)
            return rc;
        total += rc;
    }
    return total;
}

static void ttl_fire(void *arg)
{
    ddb_service *svc = arg;
    int rc = ddb__ttl_sweep(svc);
    if (rc < 0 && svc->log != NULL)
        SIM_LOGE(svc->log, "ddb", "TTL sweep failed: %s", sim_strerror(rc));
    ddb__ttl_arm(svc);
}
