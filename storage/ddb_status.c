/* ddb_status.c - the lifecycle of tables and indexes on the scheduler clock: TableStatus
 * CREATING, UPDATING and DELETING for the configured status delay (zero by default: ACTIVE at
 * once), IndexStatus of GSIs, and the backfill of a GSI added by UpdateTable (resource
 * allocation for the status delay with Backfilling false, then table rows copied in steps
 * whose virtual duration is their write units over the index's write capacity, charged to
 * the index's write bucket as AWS shares it between the backfill and ongoing writes).
 * Validation and AWS errors stay in ddb_ops_table.c; sqlite rows in ddb_table.c.
 * Source: developer guide, "Adding a global secondary index to an existing table" (phases:
 * resource allocation, backfilling), "Deleting a global secondary index"; API_TableDescription
 * and API_GlobalSecondaryIndexDescription (TableStatus, IndexStatus, Backfilling). */
#include "storage/ddb_int.h"

#include <string.h>

#include "sim/core/sim_err.h"

static void status_fire(void *arg);

const char *ddb__status_name(int status)
{
    static const char *const names[] = { "ACTIVE", "CREATING", "UPDATING", "DELETING" };
    return status >= 0 && status <= DDB_ST_DELETING ? names[status] : "ACTIVE";
}

ddb_table *ddb__table_find_active(const ddb_service *svc, const char *name)
{
    ddb_table *t = ddb__table_find(svc, name);
    if (t != NULL && (t->status == DDB_ST_CREATING || t->status == DDB_ST_DELETING))
        return NULL;
    return t;
}

void ddb__status_arm(ddb_service *svc, ddb_table *t)
{
    sim_time_us due = t->due_us;
    for (int i = 0; i < t->ngsi; i++)
        if (t->gsi[i].due_us >= 0 && (due < 0 || t->gsi[i].due_us < due))
            due = t->gsi[i].due_us;
    if (due < 0) {
        sim_timer_stop(svc->sched, &t->timer);
        return;
    }
    if (sim_timer_armed(&t->timer) && t->timer.due_us == due)
        return;
    if (sim_timer_start(svc->sched, &t->timer, due, status_fire, t) != 0 && svc->log != NULL)
        SIM_LOGE(svc->log, "ddb", "table %s: cannot arm its status timer", t->name);
}

void ddb__status_cancel(ddb_service *svc, ddb_table *t)
{
    sim_timer_stop(svc->sched, &t->timer);
}

void ddb__status_created(ddb_service *svc, ddb_table *t)
{
    if (svc->status_delay_us <= 0)
        return;
    t->status = DDB_ST_CREATING;
    t->due_us = ddb__now(svc) + svc->status_delay_us;
    for (int i = 0; i < t->ngsi; i++)
        if (!t->gsi[i].is_lsi)
            t->gsi[i].status = DDB_ST_CREATING; /* ACTIVE together with the table */
    ddb__status_arm(svc, t);
}

void ddb__store_set_rates(ddb_service *svc, ddb_store *s, int64_t rcu, int64_t wcu)
{
    sim_time_us now = ddb__now(svc);
    double t = (double)sim_clock_epoch_us(svc->sched->clock, now) / 1e6;
    int up = rcu > s->rcu || wcu > s->wcu;
    int down = rcu < s->rcu || wcu < s->wcu;
    if (up)
        s->last_increase_s = t;
    if (down) {
        s->last_decrease_s = t;
        s->decreases++;
    }
    s->rcu = rcu;
    s->wcu = wcu;
    s->pend = 0;
    ddb__bucket_set_rate(&s->rb, rcu, now);
    ddb__bucket_set_rate(&s->wb, wcu, now);
}

void ddb__store_set_on_demand(ddb_service *svc, ddb_store *s)
{
    sim_time_us now = ddb__now(svc);
    s->rcu = 0;
    s->wcu = 0;
    s->pend = 0;
    ddb__bucket_set_rate(&s->rb, 0, now);
    ddb__bucket_set_rate(&s->wb, 0, now);
}

/* Apply the throughput s waits for, if any. */
static void apply_pending(ddb_service *svc, ddb_store *s)
{
    if (s->pend)
        ddb__store_set_rates(svc, s, s->pend_rcu, s->pend_wcu);
}

void ddb__status_table_updated(ddb_service *svc, ddb_table *t, int has_pt, int64_t rcu,
                               int64_t wcu)
{
    if (svc->status_delay_us <= 0) {
        if (has_pt)
            ddb__store_set_rates(svc, &t->st, rcu, wcu);
        return;
    }
    if (has_pt) {
        t->st.pend = 1;
        t->st.pend_rcu = rcu;
        t->st.pend_wcu = wcu;
    }
    t->status = DDB_ST_UPDATING;
    t->due_us = ddb__now(svc) + svc->status_delay_us;
    ddb__status_arm(svc, t);
}

void ddb__status_index_updated(ddb_service *svc, ddb_table *t, ddb_gsi *g, int64_t rcu,
                               int64_t wcu)
{
    if (svc->status_delay_us <= 0 || g->status != DDB_ST_ACTIVE) {
        ddb__store_set_rates(svc, &g->st, rcu, wcu);
        return;
    }
    g->st.pend = 1;
    g->st.pend_rcu = rcu;
    g->st.pend_wcu = wcu;
    g->status = DDB_ST_UPDATING;
    g->due_us = ddb__now(svc) + svc->status_delay_us;
    ddb__status_arm(svc, t);
}

int ddb__status_delete_table(ddb_service *svc, ddb_table *t)
{
    int rc = ddb__table_drop(svc, t);
    if (rc != 0)
        return rc;
    if (svc->status_delay_us <= 0) {
        ddb__status_cancel(svc, t);
        ddb__table_unregister(svc, t);
        ddb__table_free(t);
        return 0;
    }
    /* its rows are gone; the name stays taken, and described, until the delay passes */
    t->status = DDB_ST_DELETING;
    t->due_us = ddb__now(svc) + svc->status_delay_us;
    for (int i = 0; i < t->ngsi; i++)
        t->gsi[i].due_us = -1;
    ddb__status_arm(svc, t);
    return 0;
}

void ddb__status_index_create(ddb_service *svc, ddb_table *t, ddb_gsi *g)
{
    sim_time_us now = ddb__now(svc);
    g->status = DDB_ST_CREATING;
    g->backfilling = 0;
    g->due_us = now + (svc->status_delay_us > 0 ? svc->status_delay_us : 0);
    if (svc->status_delay_us > 0) {
        t->status = DDB_ST_UPDATING; /* resource allocation */
        t->due_us = g->due_us;
    }
    ddb__status_arm(svc, t);
}

/* Remove AttributeDefinitions entries that no key of t uses any more. */
static void prune_attrdefs(ddb_table *t)
{
    cJSON *d = t->attrdefs != NULL ? t->attrdefs->child : NULL;
    while (d != NULL) {
        cJSON *next = d->next;
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(d, "AttributeName");
        int used = 0;
        for (int i = -1; cJSON_IsString(n) && i < t->ngsi && !used; i++) {
            const ddb_keyschema *ks = i < 0 ? &t->st.ks : &t->gsi[i].st.ks;
            used = strcmp(ks->hash, n->valuestring) == 0 ||
                   (ks->range != NULL && strcmp(ks->range, n->valuestring) == 0);
        }
        if (!used)
            cJSON_Delete(cJSON_DetachItemViaPointer(t->attrdefs, d));
        d = next;
    }
}

/* Take g out of t for good and save t. */
static int index_gone(ddb_service *svc, ddb_table *t, ddb_gsi *g)
{
    ddb__gsi_remove(t, g);
    prune_attrdefs(t);
    return ddb__table_save(svc, t);
}

int ddb__status_index_delete(ddb_service *svc, ddb_table *t, ddb_gsi *g)
{
    g->backfilling = 0;
    g->due_us = -1;
    int rc = ddb__gsi_drop(svc, g);
    g->status = DDB_ST_DELETING; /* from now on no write maintains it, no read finds it */
    if (rc == 0)
        rc = ddb__table_save(svc, t); /* saved without it */
    if (rc != 0)
        return rc;
    if (svc->status_delay_us <= 0) {
        rc = index_gone(svc, t, g);
        ddb__status_arm(svc, t);
        return rc;
    }
    g->due_us = ddb__now(svc) + svc->status_delay_us;
    t->status = DDB_ST_UPDATING;
    t->due_us = g->due_us;
    ddb__status_arm(svc, t);
    return 0;
}

/* One backfill step of g at now; sets g->due_us to the next step (after the rows copied took
 * their write time), or -1 when g is ACTIVE: a step that finds no row left to copy ends it. */
static int backfill(ddb_service *svc, ddb_table *t, ddb_gsi *g, sim_time_us now)
{
    int64_t cost_uu = 0;
    int done = 0;
    int rc = ddb__gsi_backfill_step(svc, t, g, DDB_BACKFILL_ROWS, &cost_uu, &done);
    if (rc != 0)
        return rc;
    /* "Backfill operations and ongoing write operations share the write throughput in the
     * global secondary index" (developer guide, "Managing global secondary indexes") */
    ddb__bucket_charge(&g->st.wb, cost_uu, now);
    if (done && cost_uu == 0) { /* the last rows' write time has passed too */
        ddb__key_release(&g->bf_cursor);
        g->bf_cursor_set = 0;
        g->backfilling = 0;
        g->status = DDB_ST_ACTIVE;
        g->due_us = -1;
        if ((rc = ddb__store_recount(svc, &g->st)) != 0)
            return rc;
        return ddb__table_save(svc, t); /* no longer saved as CREATING */
    }
    /* the rows copied take their write units at the index's write capacity */
    int64_t rate = g->st.wcu > 0 ? g->st.wcu : DDB_BACKFILL_ON_DEMAND_WCU;
    g->due_us = now + (cost_uu + rate - 1) / rate; /* uu / (units/s) = us */
    return 0;
}

/* The lifecycle timer: settle whatever is due, then re-arm. */
static void status_fire(void *arg)
{
    ddb_table *t = arg;
    ddb_service *svc = t->svc;
    sim_time_us now = ddb__now(svc);
    int rc = 0;
    if (t->due_us >= 0 && t->due_us <= now) {
        t->due_us = -1;
        if (t->status == DDB_ST_DELETING) {
            ddb__table_unregister(svc, t);
            ddb__table_free(t);
            return;
        }
        if (t->status == DDB_ST_CREATING)
            for (int i = 0; i < t->ngsi; i++)
                if (t->gsi[i].status == DDB_ST_CREATING && !t->gsi[i].is_lsi)
                    t->gsi[i].status = DDB_ST_ACTIVE;
        if (t->status == DDB_ST_UPDATING)
            apply_pending(svc, &t->st);
        t->status = DDB_ST_ACTIVE;
    }
    for (int i = 0; i < t->ngsi && rc == 0; i++) {
        ddb_gsi *g = &t->gsi[i];
        if (g->due_us < 0 || g->due_us > now)
            continue;
        switch (g->status) {
        case DDB_ST_UPDATING:
            apply_pending(svc, &g->st);
            g->status = DDB_ST_ACTIVE;
            g->due_us = -1;
            break;
        case DDB_ST_CREATING:
            g->backfilling = 1; /* resource allocation is over */
            if ((rc = backfill(svc, t, g, now)) != 0)
                g->due_us = -1; /* stays CREATING; logged below */
            break;
        case DDB_ST_DELETING:
            rc = index_gone(svc, t, g);
            i--; /* the next index moved into this slot */
            break;
        default:
            g->due_us = -1;
            break;
        }
    }
    if (rc != 0 && svc->log != NULL)
        SIM_LOGE(svc->log, "ddb", "table %s: index lifecycle step failed: %s", t->name,
                 sim_strerror(rc));
    ddb__status_arm(svc, t);
}
