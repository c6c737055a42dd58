/* tw_populate.c - the bulk loader of tweeter-api.md section 7: N users <base>1..N that all
 * follow one main user, written straight to the tables with BatchWriteItem (25s, several
 * in flight, UnprocessedItems retried with the script's linear backoff), with generated
 * SVG avatars, one shared bcrypt hash, and the tables' WCU raised for the load and set
 * back afterwards. Idempotent: rows are overwritten and the main user's count is SET. */
#include "handlers/tw.h"

#include "sim/core/sim_err.h"

#include <crypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TW_POP_COUNT_MAX    1000000 /* most users one invocation may create */
#define TW_POP_PICTURES_MAX 64      /* most generated avatars */
#define TW_POP_BLOCK_MAX    500     /* most rows handed to tw_batch_write at a time */
#define TW_POP_IN_FLIGHT    4       /* BatchWriteItem calls open at once */
#define TW_POP_WAIT_POLLS   120     /* DescribeTable polls (1 s apart) while UPDATING */
#define TW_POP_WCU_MAX      40000   /* DynamoDB's default per-table WCU quota */

/* The population parameters (strings borrowed from the event or static defaults). */
typedef struct pop_params {
    long count;                 /* N */
    const char *base;           /* "@donald": users are <base>1..<base>N */
    const char *followee;       /* "@daisy": the user everyone follows */
    const char *first, *last;   /* "Donald", "Duck": names are <First>_<i> */
    const char *followee_first; /* "Daisy" */
    const char *followee_last;  /* "Duck" */
    const char *password;       /* shared by every user */
    long pictures;              /* avatars uploaded, round robin */
    const cJSON *wcu_load;      /* WCU during the load: a number for all, or {name: n} */
    const cJSON *wcu_after;     /* WCU afterwards, same forms; absent or 0 = leave alone */
} pop_params;

/* String member or dflt. */
static const char *str_or(const cJSON *ev, const char *name, const char *dflt)
{
    const char *v = tw_json_str(ev, name);

    return (v != NULL && *v != '\0') ? v : dflt;
}

/* Whole-number member in [lo, hi] into *out (dflt when absent); -SIM_EINVAL otherwise. */
static int long_or(const cJSON *ev, const char *name, long dflt, long lo, long hi, long *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(ev, name);

    if (v == NULL || cJSON_IsNull(v)) {
        *out = dflt;
        return 0;
    }
    if (!cJSON_IsNumber(v) || v->valuedouble < (double)lo || v->valuedouble > (double)hi ||
        v->valuedouble != (double)(long)v->valuedouble)
        return -SIM_EINVAL;
    *out = (long)v->valuedouble;
    return 0;
}

/* 1 for a whole number in 0..TW_POP_WCU_MAX. */
static int wcu_ok(const cJSON *v)
{
    return cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble <= TW_POP_WCU_MAX &&
           v->valuedouble == (double)(long)v->valuedouble;
}

/* 1 for a WCU spec: absent/null, a number, or an object of numbers. */
static int wcu_spec_ok(const cJSON *spec)
{
    const cJSON *m;

    if (spec == NULL || cJSON_IsNull(spec) || wcu_ok(spec))
        return 1;
    if (!cJSON_IsObject(spec))
        return 0;
    cJSON_ArrayForEach(m, spec)
    {
        if (!wcu_ok(m))
            return 0;
    }
    return 1;
}

/* The WCU a spec gives table or index name (0: leave it alone). */
static long wcu_for(const cJSON *spec, const char *name)
{
    const cJSON *v = cJSON_IsObject(spec) ? cJSON_GetObjectItemCaseSensitive(spec, name) : spec;

    return wcu_ok(v) ? (long)v->valuedouble : 0;
}

/* Read and check the event; 0 or -SIM_EFUNC (400). */
static int params_read(lambda_ctx *ctx, const cJSON *ev, pop_params *p)
{
    p->base = str_or(ev, "base", "@donald");
    p->followee = str_or(ev, "followee", "@daisy");
    p->first = str_or(ev, "firstName", "Donald");
    p->last = str_or(ev, "lastName", "Duck");
    p->followee_first = str_or(ev, "followeeFirstName", "Daisy");
    p->followee_last = str_or(ev, "followeeLastName", "Duck");
    p->password = str_or(ev, "password", "password");
    if (long_or(ev, "count", 10000, 0, TW_POP_COUNT_MAX, &p->count) != 0)
        return tw_bad(ctx, "Invalid count: a whole number 0..%d", TW_POP_COUNT_MAX);
    if (long_or(ev, "pictures", 4, 1, TW_POP_PICTURES_MAX, &p->pictures) != 0)
        return tw_bad(ctx, "Invalid pictures: a whole number 1..%d", TW_POP_PICTURES_MAX);
    p->wcu_load = cJSON_GetObjectItemCaseSensitive(ev, "wcuLoad");
    p->wcu_after = cJSON_GetObjectItemCaseSensitive(ev, "wcuAfter");
    if (!wcu_spec_ok(p->wcu_load))
        return tw_bad(ctx, "Invalid wcuLoad: a whole number 0..%d, or {name: number}",
                      TW_POP_WCU_MAX);
    if (!wcu_spec_ok(p->wcu_after))
        return tw_bad(ctx, "Invalid wcuAfter: a whole number 0..%d, or {name: number}",
                      TW_POP_WCU_MAX);
    if (!tw_alias_valid(p->base) || strlen(p->base) > TW_ALIAS_MAX - 8)
        return tw_bad(ctx, "Invalid alias %.300s", p->base);
    if (!tw_alias_valid(p->followee))
        return tw_bad(ctx, "Invalid alias %.300s", p->followee);
    return 0;
}

/* Upload the avatars image/avatar-<i>.svg, i = 1..pictures; urls[i-1] malloc'd. */
static int avatars_upload(lambda_ctx *ctx, const pop_params *p, char **urls)
{
    const char *bucket = TW_IMAGE_BUCKET(ctx);
    char key[64], what[128];
    char *svg;
    sim_reply r;
    int rc = 0;
    long i;

    for (i = 0; i < p->pictures && rc == 0; i++) {
        snprintf(key, sizeof(key), "image/avatar-%ld.svg", i + 1);
        if ((svg = tw_avatar_svg((int)i, p->first, p->last)) == NULL)
            return tw_fault(ctx, "out of memory");
        sim_reply_init(&r);
        rc = sim_s3_put(ctx, bucket, key, svg, strlen(svg), "image/svg+xml", &r);
        if (rc != 0 || sim_reply_failed(&r)) {
            snprintf(what, sizeof(what), "S3 PutObject %s/%s", bucket, key);
            rc = tw_fault_call(ctx, what, rc, &r);
        } else if ((urls[i] = sim_s3_url(ctx, bucket, key)) == NULL) {
            rc = tw_fault(ctx, "no URL for %s/%s", bucket, key);
        }
        sim_reply_release(&r);
        free(svg);
    }
    return rc;
}

/* ProvisionedThroughput {ReadCapacityUnits: rcu, WriteCapacityUnits: wcu}. */
static cJSON *throughput(double rcu, long wcu)
{
    cJSON *t = cJSON_CreateObject();

    if (t == NULL || cJSON_AddNumberToObject(t, "ReadCapacityUnits", rcu) == NULL ||
        cJSON_AddNumberToObject(t, "WriteCapacityUnits", (double)wcu) == NULL) {
        cJSON_Delete(t);
        return NULL;
    }
    return t;
}

/* DescribeTable table into *out (the "Table" document inside r). 0 or -SIM_EFUNC. */
static int describe(lambda_ctx *ctx, const char *table, sim_reply *r, const cJSON **out)
{
    cJSON *req = cJSON_CreateObject();
    int rc;

    if (req == NULL || cJSON_AddStringToObject(req, "TableName", table) == NULL) {
        cJSON_Delete(req);
        return tw_fault(ctx, "out of memory");
    }
    sim_reply_clear(r);
    rc = tw_ddb(ctx, "DescribeTable", req, NULL, r);
    cJSON_Delete(req);
    if (rc == 0)
        *out = cJSON_GetObjectItemCaseSensitive(r->body, "Table");
    return rc;
}

/* The GSI named index in a table description, or NULL. */
static const cJSON *gsi_of(const cJSON *desc, const char *index)
{
    const cJSON *g;

    cJSON_ArrayForEach(g, cJSON_GetObjectItemCaseSensitive(desc, "GlobalSecondaryIndexes"))
    {
        const char *name = tw_json_str(g, "IndexName");
        if (name != NULL && strcmp(name, index) == 0)
            return g;
    }
    return NULL;
}

/* Poll DescribeTable until the table (and index) are ACTIVE again. */
static int wait_active(lambda_ctx *ctx, const char *table, const char *index)
{
    const cJSON *desc = NULL;
    const char *ts, *is;
    sim_reply r;
    int rc = 0, i;

    sim_reply_init(&r);
    for (i = 0; i < TW_POP_WAIT_POLLS; i++) {
        if ((rc = describe(ctx, table, &r, &desc)) != 0)
            break;
        ts = tw_json_str(desc, "TableStatus");
        is = index != NULL ? tw_json_str(gsi_of(desc, index), "IndexStatus") : NULL;
        if ((ts == NULL || strcmp(ts, "UPDATING") != 0) &&
            (is == NULL || strcmp(is, "UPDATING") != 0))
            break;
        if ((rc = lambda_sleep(ctx, 1 * SIM_S)) != 0) {
            rc = tw_fault(ctx, "interrupted: %s", sim_strerror(rc));
            break;
        }
    }
    sim_reply_release(&r);
    return rc;
}

/* Set the WCU of table (index NULL) or of its GSI index, keeping the RCU; skipped for
 * on-demand tables and when nothing changes. One change per UpdateTable, waiting for
 * ACTIVE afterwards (UpdateTable: "You can only perform one of the following operations
 * at once", and no UpdateTable while UPDATING). 0 or -SIM_EFUNC. */
static int wcu_set(lambda_ctx *ctx, const char *table, const char *index, long wcu)
{
    const cJSON *desc = NULL, *pt, *rcu, *cur;
    const char *mode;
    cJSON *req = NULL, *tp = NULL, *upd, *u;
    sim_reply r;
    int rc;

    sim_reply_init(&r);
    if ((rc = describe(ctx, table, &r, &desc)) != 0)
        goto out;
    mode = tw_json_str(cJSON_GetObjectItemCaseSensitive(desc, "BillingModeSummary"),
                       "BillingMode");
    pt = cJSON_GetObjectItemCaseSensitive(index != NULL ? gsi_of(desc, index) : desc,
                                          "ProvisionedThroughput");
    rcu = cJSON_GetObjectItemCaseSensitive(pt, "ReadCapacityUnits");
    cur = cJSON_GetObjectItemCaseSensitive(pt, "WriteCapacityUnits");
    if ((mode != NULL && strcmp(mode, "PAY_PER_REQUEST") == 0) || !cJSON_IsNumber(rcu) ||
        rcu->valuedouble <= 0) {
        lambda_log(ctx, "populate: %s%s%s is on-demand; WCU left alone", table,
                   index ? "/" : "", index ? index : "");
        goto out;
    }
    if (cJSON_IsNumber(cur) && cur->valuedouble == (double)wcu)
        goto out;
    if ((req = cJSON_CreateObject()) == NULL ||
        cJSON_AddStringToObject(req, "TableName", table) == NULL ||
        (tp = throughput(rcu->valuedouble, wcu)) == NULL) {
        rc = tw_fault(ctx, "out of memory");
        goto out;
    }
    if (index == NULL) {
        cJSON_AddItemToObject(req, "ProvisionedThroughput", tp);
    } else if ((upd = cJSON_AddArrayToObject(req, "GlobalSecondaryIndexUpdates")) == NULL ||
               (u = cJSON_CreateObject()) == NULL || !cJSON_AddItemToArray(upd, u) ||
               (u = cJSON_AddObjectToObject(u, "Update")) == NULL ||
               cJSON_AddStringToObject(u, "IndexName", index) == NULL ||
               !cJSON_AddItemToObject(u, "ProvisionedThroughput", tp)) {
        cJSON_Delete(tp);
        rc = tw_fault(ctx, "out of memory");
        goto out;
    }
    sim_reply_clear(&r);
    if ((rc = tw_ddb(ctx, "UpdateTable", req, NULL, &r)) != 0)
        goto out;
    lambda_log(ctx, "populate: %s%s%s WCU set to %ld", table, index ? "/" : "",
               index ? index : "", wcu);
    rc = wait_active(ctx, table, index);
out:
    sim_reply_release(&r);
    cJSON_Delete(req);
    return rc;
}

/* Users, follows and the follows index to the WCU spec gives each (skipped for 0). */
static int capacity_set(lambda_ctx *ctx, const cJSON *spec)
{
    const char *users = TW_USERS_TABLE(ctx), *follows = TW_FOLLOWS_TABLE(ctx);
    const char *index = TW_FOLLOWS_INDEX(ctx);
    int rc = 0;

    if (wcu_for(spec, users) > 0)
        rc = wcu_set(ctx, users, NULL, wcu_for(spec, users));
    if (rc == 0 && wcu_for(spec, follows) > 0)
        rc = wcu_set(ctx, follows, NULL, wcu_for(spec, follows));
    if (rc == 0 && wcu_for(spec, index) > 0)
        rc = wcu_set(ctx, follows, index, wcu_for(spec, index));
    return rc;
}

/* A users row. */
static cJSON *user_row(const char *alias, const char *first, const char *last,
                       const char *image, const char *hash, int64_t followers,
                       int64_t followees)
{
    cJSON *item = cJSON_CreateObject();

    if (item == NULL || tw_item_add_s(item, "alias", alias) != 0 ||
        tw_item_add_s(item, "first_name", first) != 0 ||
        tw_item_add_s(item, "last_name", last) != 0 ||
        tw_item_add_s(item, "image_url", image) != 0 ||
        tw_item_add_s(item, "password_hash", hash) != 0 ||
        tw_item_add_n(item, "follower_count", followers) != 0 ||
        tw_item_add_n(item, "followee_count", followees) != 0) {
        cJSON_Delete(item);
        return NULL;
    }
    return item;
}

/* Create the followee unless it exists (conditional put; losing a race is fine). */
static int followee_ensure(lambda_ctx *ctx, const pop_params *p, const char *image,
                           const char *hash)
{
    cJSON *item = NULL, *req = NULL, *names;
    sim_reply r;
    int rc;

    sim_reply_init(&r);
    if ((rc = tw_user_get(ctx, p->followee, &item)) != 0 || item != NULL)
        goto out;
    item = user_row(p->followee, p->followee_first, p->followee_last, image, hash, 0, 0);
    if ((req = cJSON_CreateObject()) == NULL || item == NULL ||
        !cJSON_AddItemToObject(req, "Item", item)) {
        rc = tw_fault(ctx, "out of memory");
        goto out;
    }
    item = NULL; /* now owned by req */
    if (cJSON_AddStringToObject(req, "TableName", TW_USERS_TABLE(ctx)) == NULL ||
        cJSON_AddStringToObject(req, "ConditionExpression", "attribute_not_exists(#a)") ==
            NULL ||
        (names = cJSON_AddObjectToObject(req, "ExpressionAttributeNames")) == NULL ||
        cJSON_AddStringToObject(names, "#a", "alias") == NULL) {
        rc = tw_fault(ctx, "out of memory");
        goto out;
    }
    rc = tw_ddb(ctx, "PutItem", req, "ConditionalCheckFailedException", &r);
    rc = rc == 1 ? 0 : rc;
out:
    sim_reply_release(&r);
    cJSON_Delete(item);
    cJSON_Delete(req);
    return rc;
}

/* Writing state shared by the two row kinds. */
typedef struct pop_run {
    const pop_params *p;
    char **urls;       /* avatar URLs, p->pictures of them */
    const char *hash;  /* the shared bcrypt hash */
    long done, total;  /* rows written, rows to write */
    int logged_tenths; /* progress already reported, in tenths */
    long retries;      /* BatchWriteItem retry rounds */
} pop_run;

/* Row i (1-based) of kind follows (1) or users (0) as a PutRequest; NULL on ENOMEM. */
static cJSON *pop_put(pop_run *run, int follows, long i)
{
    const pop_params *p = run->p;
    char alias[TW_ALIAS_MAX + 24], first[512], last[512];
    cJSON *put = cJSON_CreateObject(), *pr, *item;

    snprintf(alias, sizeof(alias), "%s%ld", p->base, i);
    if (follows) {
        item = tw_key2("follower_handle", alias, "followee_handle", p->followee);
    } else {
        snprintf(first, sizeof(first), "%s_%ld", p->first, i);
        snprintf(last, sizeof(last), "%s_%ld", p->last, i);
        item = user_row(alias, first, last, run->urls[(i - 1) % p->pictures], run->hash, 0, 1);
    }
    pr = put != NULL ? cJSON_AddObjectToObject(put, "PutRequest") : NULL;
    if (item == NULL || pr == NULL) {
        cJSON_Delete(item);
        cJSON_Delete(put);
        return NULL;
    }
    cJSON_AddItemToObject(pr, "Item", item);
    return put;
}

/* Write rows 1..N of one kind in blocks, logging progress every 10%. */
static int pop_write(lambda_ctx *ctx, pop_run *run, int follows)
{
    const char *table = follows ? TW_FOLLOWS_TABLE(ctx) : TW_USERS_TABLE(ctx);
    cJSON *reqs, *put;
    long block = run->p->count / 10, i, j; /* about 10% of a kind per block */
    int rc, tenths;

    block = block < TW_BATCH_WRITE_MAX ? TW_BATCH_WRITE_MAX
                                       : (block > TW_POP_BLOCK_MAX ? TW_POP_BLOCK_MAX : block);
    for (i = 1; i <= run->p->count; i += block) {
        if ((reqs = cJSON_CreateArray()) == NULL)
            return tw_fault(ctx, "out of memory");
        for (j = i; j <= run->p->count && j < i + block; j++) {
            if ((put = pop_put(run, follows, j)) == NULL) {
                cJSON_Delete(reqs);
                return tw_fault(ctx, "out of memory");
            }
            cJSON_AddItemToArray(reqs, put);
        }
        rc = tw_batch_write(ctx, table, reqs, TW_POP_IN_FLIGHT, TW_BACKOFF_LINEAR,
                            &run->retries); /* takes reqs */
        if (rc != 0)
            return tw_fault(ctx, "BatchWriteItem on %s failed at row %ld: %s", table, i,
                            sim_strerror(rc));
        run->done += j - i;
        tenths = run->logged_tenths;
        while (tenths < 10 && run->done * 10 >= run->total * (tenths + 1))
            tenths++;
        lambda_progress(ctx, run->done, run->total);
        if (tenths > run->logged_tenths) /* every 10% */
            lambda_log(ctx, "populate: %d%% (%ld/%ld rows, %ld retries)", tenths * 10,
                       run->done, run->total, run->retries);
        run->logged_tenths = tenths;
    }
    return 0;
}

/* UpdateItem followee SET follower_count = n (SET, so a second run gives the same). */
static int followee_count_set(lambda_ctx *ctx, const char *followee, long n)
{
    cJSON *req = cJSON_CreateObject(), *key = tw_key1("alias", followee), *names, *vals;
    sim_reply r;
    int rc;

    sim_reply_init(&r);
    if (req == NULL || key == NULL || !cJSON_AddItemToObject(req, "Key", key)) {
        cJSON_Delete(key);
        rc = tw_fault(ctx, "out of memory");
        goto out;
    }
    if (cJSON_AddStringToObject(req, "TableName", TW_USERS_TABLE(ctx)) == NULL ||
        cJSON_AddStringToObject(req, "UpdateExpression", "SET #c = :n") == NULL ||
        (names = cJSON_AddObjectToObject(req, "ExpressionAttributeNames")) == NULL ||
        cJSON_AddStringToObject(names, "#c", "follower_count") == NULL ||
        (vals = cJSON_AddObjectToObject(req, "ExpressionAttributeValues")) == NULL ||
        tw_item_add_n(vals, ":n", n) != 0) {
        rc = tw_fault(ctx, "out of memory");
        goto out;
    }
    rc = tw_ddb(ctx, "UpdateItem", req, NULL, &r);
out:
    sim_reply_release(&r);
    cJSON_Delete(req);
    return rc;
}

int tw_populate(lambda_ctx *ctx, const cJSON *event, cJSON **out_result)
{
    char hash[CRYPT_OUTPUT_SIZE];
    char **urls = NULL;
    pop_params p;
    pop_run run;
    cJSON *resp = NULL;
    long i;
    int rc;

    memset(&run, 0, sizeof(run));
    if ((rc = params_read(ctx, event, &p)) != 0)
        return rc;
    if ((urls = calloc((size_t)p.pictures, sizeof(*urls))) == NULL)
        return tw_fault(ctx, "out of memory");
    if ((rc = avatars_upload(ctx, &p, urls)) != 0)
        goto out;
    if (tw_password_hash(lambda_rng(ctx),
                         (unsigned long)tw_env_long(ctx, "BCRYPT_COST", 10), p.password,
                         hash, sizeof(hash)) != 0) {
        rc = tw_fault(ctx, "password hashing failed");
        goto out;
    }
    run.p = &p;
    run.urls = urls;
    run.hash = hash;
    run.total = 2 * p.count;
    lambda_log(ctx, "populate: %ld users following %s", p.count, p.followee);
    if ((rc = capacity_set(ctx, p.wcu_load)) != 0 ||
        (rc = followee_ensure(ctx, &p, urls[0], hash)) != 0 || (rc = pop_write(ctx, &run, 0)) != 0 ||
        (rc = pop_write(ctx, &run, 1)) != 0 ||
        (rc = followee_count_set(ctx, p.followee, p.count)) != 0 ||
        (rc = capacity_set(ctx, p.wcu_after)) != 0)
        goto out;
    if ((resp = cJSON_CreateObject()) == NULL ||
        cJSON_AddNumberToObject(resp, "users", (double)p.count) == NULL ||
        cJSON_AddNumberToObject(resp, "follows", (double)p.count) == NULL ||
        cJSON_AddNumberToObject(resp, "retries", (double)run.retries) == NULL) {
        cJSON_Delete(resp);
        rc = tw_fault(ctx, "out of memory");
        goto out;
    }
    *out_result = resp;
out:
    for (i = 0; i < p.pictures; i++)
        free(urls[i]);
    free(urls);
    return rc;
}
