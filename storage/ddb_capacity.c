/* ddb_capacity.c - provisioned capacity: token buckets on the scheduler clock in integer
 * micro-units, the cost of reads and writes, the ConsumedCapacity document, and (added) the
 * partition model: partition counts and per-item partition limits (see the section below).
 * Source: DynamoDB developer guide, "Read/write capacity mode" (1 WCU = one write per
 * second of up to 1 KB; 1 RCU = one strongly consistent read per second of up to 4 KB,
 * or two eventually consistent) and "Burst capacity" (up to 300 seconds of unused
 * capacity is retained). Admission: a request proceeds while the balance is positive and
 * is charged in full afterwards (a large read may leave a debt that the refill repays). */
#include "storage/ddb_int.h"

#include <stdlib.h>

#include "sim/core/sim_err.h"

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

/* ---- (added) partition limits ----
 * A table or GSI is split into partitions: max(ceil(RCU/3000 + WCU/1000), ceil(bytes/10 GB))
 * (an on-demand table counts as 12000 RCU / 4000 WCU, its initial throughput). Every
 * partition serves at most 3000 read units and 1000 write units per second, in both capacity
 * modes; adaptive capacity lets a hot partition use that whole limit, never more.
 *
 * The model assumes split-for-heat has already happened. Adaptive capacity isolates
 * frequently accessed items by splitting a hot partition along the key range, sort key
 * included, so a hot item collection ends up spread over several partitions while a single
 * item always stays on one. Hence the unit that one partition limit binds is:
 *  - an item (partition key + sort key) when the table or index has a sort key;
 *  - a partition key value when it has none (for a table that value is the item);
 *  - an item collection (partition key value) for a Query: the page it reads is a contiguous
 *    key range, assumed to sit on one partition, so repeated Queries of one collection share
 *    one bucket (distinct from the buckets of the collection's items).
 * Each unit in use has a bucket of one second of the partition limit on the scheduler clock;
 * one whose bucket is empty is throttled: ProvisionedThroughputExceededException on a
 * provisioned table, ThrottlingException on an on-demand one. Units are told apart by a
 * 64-bit FNV-1a hash of their encoded key bytes. Sources (developer guide): "Burst and
 * adaptive capacity" (isolating frequently accessed items), "Key range throughput exceeded
 * (hot partitions)" (split-for-heat), "Best practices for designing and using partition keys
 * effectively", "Partitions and data distribution", "Troubleshooting throttling"
 * (KeyRangeThroughputExceeded, in both modes). */

typedef struct hot_slot {
    uint64_t hash;       /* FNV-1a of the encoded key (see key_hash); 0 = empty slot */
    int64_t rtok_uu;     /* read micro-units left (cap: DDB_PART_RCU units) */
    int64_t wtok_uu;     /* write micro-units left (cap: DDB_PART_WCU units) */
    sim_time_us last_us; /* scheduler time of the last refill */
} hot_slot;

struct ddb_hot {
    hot_slot *slots; /* owned; cap entries, open addressing */
    size_t cap;      /* a power of two */
    size_t used;     /* occupied slots */
};

#define HOT_CAP0 64

void ddb__hot_free(struct ddb_hot *h)
{
    if (h == NULL)
        return;
    free(h->slots);
    free(h);
}

/* FNV-1a of n bytes at p, continuing from h. */
static uint64_t fnv1a(uint64_t h, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 1099511628211ULL;
    }
    return h;
}

/* The bucket hash of key k in store s: the partition key alone when s has no sort key or k
 * carries none (a Query's item collection), else partition key, its length, sort key. */
static uint64_t key_hash(const ddb_store *s, const ddb_key *k)
{
    uint64_t h = fnv1a(1469598103934665603ULL, k->pk, k->pk_len);
    if (s->ks.range != NULL && k->sk != NULL) {
        unsigned char len[8];
        for (int i = 0; i < 8; i++)
            len[i] = (unsigned char)((uint64_t)k->pk_len >> (8 * i));
        h = fnv1a(h, len, sizeof len);
        h = fnv1a(h, k->sk, k->sk_len);
    }
    return h != 0 ? h : 1;
}

/* Refill slot s up to now (one second of the partition limits at most). */
static void slot_refill(hot_slot *s, sim_time_us now)
{
    if (now <= s->last_us)
        return;
    sim_time_us dt = now - s->last_us;
    s->last_us = now;
    const int64_t rcap = (int64_t)DDB_PART_RCU * DDB_UU_PER_UNIT;
    const int64_t wcap = (int64_t)DDB_PART_WCU * DDB_UU_PER_UNIT;
    if (dt >= SIM_S) {
        s->rtok_uu = rcap;
        s->wtok_uu = wcap;
        return;
    }
    s->rtok_uu += DDB_PART_RCU * dt; /* units/s over dt us = micro-units */
    s->wtok_uu += DDB_PART_WCU * dt;
    if (s->rtok_uu > rcap)
        s->rtok_uu = rcap;
    if (s->wtok_uu > wcap)
        s->wtok_uu = wcap;
}

/* Insert s (hash set) into slots of cap entries (no duplicate possible). */
static void slot_put(hot_slot *slots, size_t cap, const hot_slot *s)
{
    size_t i = (size_t)s->hash & (cap - 1);
    while (slots[i].hash != 0)
        i = (i + 1) & (cap - 1);
    slots[i] = *s;
}

/* Rebuild h keeping only keys whose buckets are not full at now (a full bucket is the same
 * as no bucket), doubling the capacity when they still fill half of it. 0 or -SIM_ENOMEM. */
static int hot_rebuild(struct ddb_hot *h, sim_time_us now)
{
    size_t live = 0;
    for (size_t i = 0; i < h->cap; i++) {
        hot_slot *s = &h->slots[i];
        if (s->hash == 0)
            continue;
        slot_refill(s, now);
        if (s->rtok_uu < (int64_t)DDB_PART_RCU * DDB_UU_PER_UNIT ||
            s->wtok_uu < (int64_t)DDB_PART_WCU * DDB_UU_PER_UNIT)
            live++;
        else
            s->hash = 0; /* forgotten: it would start full anyway */
    }
    size_t cap = h->cap;
    while (live * 2 >= cap)
        cap *= 2;
    hot_slot *n = calloc(cap, sizeof *n);
    if (n == NULL)
        return -SIM_ENOMEM;
    for (size_t i = 0; i < h->cap; i++)
        if (h->slots[i].hash != 0)
            slot_put(n, cap, &h->slots[i]);
    free(h->slots);
    h->slots = n;
    h->cap = cap;
    h->used = live;
    return 0;
}

/* The slot of key k in st, created full when absent; NULL on ENOMEM (then nothing is
 * tracked for this request: it is admitted, never wrongly throttled). */
static hot_slot *hot_slot_of(ddb_store *st, const ddb_key *k, sim_time_us now)
{
    struct ddb_hot *h = st->hot;
    if (h == NULL) {
        if ((h = calloc(1, sizeof *h)) == NULL ||
            (h->slots = calloc(HOT_CAP0, sizeof *h->slots)) == NULL) {
            free(h);
            return NULL;
        }
        h->cap = HOT_CAP0;
        st->hot = h;
    }
    uint64_t hash = key_hash(st, k);
    size_t i = (size_t)hash & (h->cap - 1);
    while (h->slots[i].hash != 0) {
        if (h->slots[i].hash == hash) {
            slot_refill(&h->slots[i], now);
            return &h->slots[i];
        }
        i = (i + 1) & (h->cap - 1);
    }
    if ((h->used + 1) * 2 > h->cap) {
        if (hot_rebuild(h, now) != 0)
            return NULL;
        i = (size_t)hash & (h->cap - 1);
        while (h->slots[i].hash != 0)
            i = (i + 1) & (h->cap - 1);
    }
    hot_slot *s = &h->slots[i];
    s->hash = hash;
    s->rtok_uu = (int64_t)DDB_PART_RCU * DDB_UU_PER_UNIT;
    s->wtok_uu = (int64_t)DDB_PART_WCU * DDB_UU_PER_UNIT;
    s->last_us = now;
    h->used++;
    return s;
}

int ddb__hot_admit(const ddb_service *svc, ddb_store *s, const ddb_key *key, int is_read,
                   sim_time_us now)
{
    if (svc->partition_limits_off)
        return 1;
    hot_slot *k = hot_slot_of(s, key, now);
    if (k == NULL)
        return 1;
    int ok = (is_read ? k->rtok_uu : k->wtok_uu) > 0;
    if (!ok) {
        if (is_read)
            s->rb.throttled++;
        else
            s->wb.throttled++;
    }
    return ok;
}

void ddb__hot_charge(const ddb_service *svc, ddb_store *s, const ddb_key *key, int is_read,
                     int64_t cost_uu, sim_time_us now)
{
    if (svc->partition_limits_off)
        return;
    hot_slot *k = hot_slot_of(s, key, now);
    if (k == NULL)
        return;
    if (is_read)
        k->rtok_uu -= cost_uu;
    else
        k->wtok_uu -= cost_uu;
}

int64_t ddb__partitions(const ddb_table *t, const ddb_store *s)
{
    int64_t rcu = t->on_demand ? 12000 : s->rcu;
    int64_t wcu = t->on_demand ? 4000 : s->wcu;
    /* ceil(rcu/3000 + wcu/1000) = ceil((rcu + 3 wcu) / 3000) */
    int64_t by_tp = (rcu + 3 * wcu + DDB_PART_RCU - 1) / DDB_PART_RCU;
    int64_t by_size = (s->size_bytes + DDB_PART_BYTES - 1) / DDB_PART_BYTES;
    int64_t n = by_tp > by_size ? by_tp : by_size;
    return n > 1 ? n : 1;
}

/* Messages of on-demand throttling (API_TransactWriteItems, ThrottlingError). */
#define MSG_HOT_ON_DEMAND                                                                   \
    "Throughput exceeds the current capacity of your table or index. DynamoDB is "          \
    "automatically scaling your table or index so please try again shortly. If exceptions " \
    "persist, check if you have a hot key: "                                                \
    "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-"    \
    "design.html"
#define MSG_HOT_ON_DEMAND_GSI                                                            \
    "Throughput exceeds the current capacity for one or more global secondary indexes. " \
    "DynamoDB is automatically scaling your index so please try again shortly."

/* The message of a refusal: admit is enum ddb_admit. */
static const char *throttle_msg(int admit, int on_demand)
{
    int gsi = admit == DDB_ADMIT_GSI || admit == DDB_ADMIT_KEY_GSI;
    if (on_demand)
        return gsi ? MSG_HOT_ON_DEMAND_GSI : MSG_HOT_ON_DEMAND;
    return gsi ? DDB_MSG_THROTTLE_GSI : DDB_MSG_THROTTLE_TABLE;
}

void ddb__throttle_reply(sim_reply *r, int admit, int on_demand)
{
    sim_reply_err(r, 400,
                  on_demand ? "ThrottlingException" : "ProvisionedThroughputExceededException",
                  "%s", throttle_msg(admit, on_demand));
}

void ddb__throttle_reason(int admit, int on_demand, const char **out_code, const char **out_msg)
{
    *out_code = on_demand ? "ThrottlingError" : "ProvisionedThroughputExceeded";
    *out_msg = throttle_msg(admit, on_demand);
}
