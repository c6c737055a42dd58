/* ddb_icm.c - ItemCollectionMetrics: the size of one item collection (every item of a
 * partition key value in a table with local secondary indexes, plus their LSI rows), counted
 * from sqlite, and the {ItemCollectionKey, SizeEstimateRangeGB} document that PutItem,
 * UpdateItem, DeleteItem, BatchWriteItem and TransactWriteItems return with
 * ReturnItemCollectionMetrics SIZE. Not for tables without LSIs (AWS returns nothing there).
 * Source: API_ItemCollectionMetrics ("the size of all the items in the table, plus the size
 * of all attributes projected into all of the local secondary indexes"); developer guide,
 * "Item collections in Local Secondary Indexes" (10 GB limit; the estimate as a range). */
#include "storage/ddb_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core/sim_err.h"
#include "storage/ddb_attr.h"
#include "storage/store_sqlite.h"

#define GB (1024.0 * 1024.0 * 1024.0)

/* Add the bytes of the rows of store s whose partition key is pk to *total. 0 or -SIM_E*. */
static int rows_bytes(ddb_service *svc, const ddb_store *s, const unsigned char *pk, size_t pk_len,
                      int64_t *total)
{
    char sql[128];
    sqlite3_stmt *st = NULL;
    snprintf(sql, sizeof sql, "SELECT total(size) FROM %s WHERE pk = ?1", s->sqlname);
    int rc = store_sqlite_prepare(svc->db, sql, &st);
    if (rc != 0)
        return rc;
    rc = store_sqlite_bind_blob(st, 1, pk, pk_len);
    if (rc == 0 && sqlite3_step(st) == SQLITE_ROW)
        *total += (int64_t)sqlite3_column_double(st, 0);
    else if (rc == 0)
        rc = -SIM_ESTORAGE;
    sqlite3_finalize(st);
    return rc;
}

cJSON *ddb__icm_json(ddb_service *svc, ddb_table *t, const cJSON *pkv, int *rc)
{
    *rc = 0;
    int has_lsi = 0;
    for (int i = 0; i < t->ngsi; i++)
        has_lsi |= t->gsi[i].is_lsi;
    if (!has_lsi)
        return NULL;
    unsigned char *pk = NULL;
    size_t pk_len = 0;
    int64_t bytes = 0;
    cJSON *o = NULL;
    if ((*rc = ddb_key_encode(pkv, &pk, &pk_len)) != 0)
        goto fail;
    if ((*rc = rows_bytes(svc, &t->st, pk, pk_len, &bytes)) != 0)
        goto fail;
    for (int i = 0; i < t->ngsi; i++)
        if (t->gsi[i].is_lsi && (*rc = rows_bytes(svc, &t->gsi[i].st, pk, pk_len, &bytes)) != 0)
            goto fail;
    /* the range: the whole gigabytes below the size, and one more */
    double lo = (double)(bytes / (int64_t)GB);
    cJSON *key, *range, *v;
    *rc = -SIM_ENOMEM;
    if ((o = cJSON_CreateObject()) == NULL ||
        (key = cJSON_AddObjectToObject(o, "ItemCollectionKey")) == NULL ||
        (v = cJSON_Duplicate(pkv, 1)) == NULL)
        goto fail;
    if (!cJSON_AddItemToObject(key, t->st.ks.hash, v)) {
        cJSON_Delete(v);
        goto fail;
    }
    const double bounds[2] = { lo, lo + 1 };
    if ((range = cJSON_CreateDoubleArray(bounds, 2)) == NULL ||
        !cJSON_AddItemToObject(o, "SizeEstimateRangeGB", range)) {
        cJSON_Delete(range);
        goto fail;
    }
    *rc = 0;
    free(pk);
    return o;
fail:
    free(pk);
    cJSON_Delete(o);
    return NULL;
}

int ddb__icm_add(ddb_service *svc, cJSON *map, ddb_table *t, const cJSON *pkv)
{
    int rc;
    cJSON *list = cJSON_GetObjectItemCaseSensitive(map, t->name);
    const cJSON *e;
    cJSON_ArrayForEach(e, list)
    {
        const cJSON *k = cJSON_GetObjectItemCaseSensitive(e, "ItemCollectionKey");
        if (cJSON_Compare(cJSON_GetObjectItemCaseSensitive(k, t->st.ks.hash), pkv, 1))
            return 0; /* this collection is listed already */
    }
    cJSON *m = ddb__icm_json(svc, t, pkv, &rc);
    if (m == NULL)
        return rc;
    if ((list == NULL && (list = cJSON_AddArrayToObject(map, t->name)) == NULL) ||
        !cJSON_AddItemToArray(list, m)) {
        cJSON_Delete(m);
        return -SIM_ENOMEM;
    }
    return 0;
}
