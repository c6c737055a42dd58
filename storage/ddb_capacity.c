/* ddb_capacity.c - provisioned capacity: token buckets on the scheduler clock in integer
 * micro-units, the cost of reads and writes, and the ConsumedCapacity document.
 * Source: DynamoDB developer guide, "Read/write capacity mode" (1 WCU = one write per
 * second of up to 1 KB; 1 RCU = one strongly consistent read per second of up to 4 KB,
 * or two eventually consistent) and "Burst capacity" (up to 300 seconds of unused
 * capacity is retained). Admission: a request proceeds while the balance is positive and
 * is charged in full afterwards (a large read may leave a debt that the refill repays). */
#include "storage/ddb_int.h"

/* Rate used for bucket arithmetic: rates above DDB_RATE_MAX never throttle. */
static int64_t bucket_rate(const ddb_bucket *b)
{
    return b->rate_per_s > DDB_RATE_MAX ? DDB_RATE_MAX : b->rate_per_s;
}

/* Burst cap in micro-units: 300 s of the rate. */
static int64_t bucket_cap(const ddb_bucket *b)
{
    return bucket_rate(b) * DDB_BURST_S * DDB_UU_PER_UNIT;
}

/* Add the tokens earned since b->last_us, exactly: rate units/s over dt us = rate*dt uu. */
static void bucket_refill(ddb_bucket *b, sim_time_us now)
{
    if (now <= b->last_us)
        return;
    sim_time_us dt = now - b->last_us;
    b->last_us = now;
    if (b->rate_per_s == 0)
        return;
    int64_t cap = bucket_cap(b);
    if (dt >= (sim_time_us)DDB_BURST_S * SIM_S) {
        if (b->tokens_uu < cap)
            b->tokens_uu = cap;
        return;
    }
    int64_t gain = bucket_rate(b) * dt; /* <= 1e9 * 3e8: fits */
    if (b->tokens_uu < cap) {
        b->tokens_uu += gain;
        if (b->tokens_uu > cap)
            b->tokens_uu = cap;
    }
}

void ddb__bucket_init(ddb_bucket *b, int64_t rate_per_s, sim_time_us now)
{
    b->rate_per_s = rate_per_s < 0 ? 0 : rate_per_s;
    b->last_us = now;
    b->tokens_uu = bucket_cap(b);
    b->consumed_uu = 0;
    b->throttled = 0;
}

void ddb__bucket_set_rate(ddb_bucket *b, int64_t rate_per_s, sim_time_us now)
{
    bucket_refill(b, now);
    int was_on_demand = b->rate_per_s == 0;
    b->rate_per_s = rate_per_s < 0 ? 0 : rate_per_s;
    int64_t cap = bucket_cap(b);
    if (was_on_demand || b->tokens_uu > cap)
        b->tokens_uu = cap;
}

int ddb__bucket_admit(ddb_bucket *b, sim_time_us now)
{
    if (b->rate_per_s == 0 || b->rate_per_s > DDB_RATE_MAX)
        return 1;
    bucket_refill(b, now);
    if (b->tokens_uu > 0)
        return 1;
    b->throttled++;
    return 0;
}

void ddb__bucket_charge(ddb_bucket *b, int64_t cost_uu, sim_time_us now)
{
    b->consumed_uu += cost_uu;
    if (b->rate_per_s == 0 || b->rate_per_s > DDB_RATE_MAX)
        return;
    bucket_refill(b, now);
    b->tokens_uu -= cost_uu;
}

int64_t ddb__write_cost_uu(size_t bytes)
{
    int64_t units = (int64_t)((bytes + 1023) / 1024);
    if (units < 1)
        units = 1;
    return units * DDB_UU_PER_UNIT;
}

int64_t ddb__read_cost_uu(size_t bytes, int consistent)
{
    int64_t units = (int64_t)((bytes + 4095) / 4096);
    if (units < 1)
        units = 1;
    return consistent ? units * DDB_UU_PER_UNIT : units * (DDB_UU_PER_UNIT / 2);
}

/* Add {"CapacityUnits": uu / 1e6} under name to parent. NULL on ENOMEM. */
static cJSON *add_units(cJSON *parent, const char *name, int64_t uu)
{
    cJSON *o = cJSON_AddObjectToObject(parent, name);
    if (o == NULL ||
        cJSON_AddNumberToObject(o, "CapacityUnits", (double)uu / DDB_UU_PER_UNIT) == NULL)
        return NULL;
    return o;
}

cJSON *ddb__cc_json(const ddb_table *t, const ddb_cc *cc, int rcc)
{
    if (rcc == DDB_RCC_NONE)
        return NULL;
    cJSON *o = cJSON_CreateObject();
    if (o == NULL)
        return NULL;
    int64_t total = cc->table_uu;
    for (int i = 0; i < t->ngsi; i++)
        total += cc->gsi_uu[i];
    if (cJSON_AddStringToObject(o, "TableName", t->name) == NULL ||
        cJSON_AddNumberToObject(o, "CapacityUnits", (double)total / DDB_UU_PER_UNIT) == NULL)
        goto fail;
    if (rcc == DDB_RCC_INDEXES) {
        if (add_units(o, "Table", cc->table_uu) == NULL)
            goto fail;
        cJSON *g = NULL, *l = NULL; /* GSIs and LSIs are reported apart */
        for (int i = 0; i < t->ngsi; i++) {
            if (cc->gsi_uu[i] == 0)
                continue;
            int lsi = t->gsi[i].is_lsi;
            cJSON **parent = lsi ? &l : &g;
            if (*parent == NULL &&
                (*parent = cJSON_AddObjectToObject(o, lsi ? "LocalSecondaryIndexes"
                                                          : "GlobalSecondaryIndexes")) == NULL)
                goto fail;
            if (add_units(*parent, t->gsi[i].name, cc->gsi_uu[i]) == NULL)
                goto fail;
        }
    }
    return o;
fail:
    cJSON_Delete(o);
    return NULL;
}
