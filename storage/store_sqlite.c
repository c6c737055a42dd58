/* store_sqlite.c - sqlite3 helpers shared by the storage engines: open with pragmas,
 * prepare, step, bind. No schema knowledge lives here. */
#include "storage/store_sqlite.h"

#include "sim/core/sim_err.h"

int store_sqlite_open(const char *path, sqlite3 **out)
{
    sqlite3 *db = NULL;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(path != NULL ? path : ":memory:", &db, flags, NULL);
    if (rc != SQLITE_OK) {
        int nomem = db == NULL || rc == SQLITE_NOMEM;
        sqlite3_close(db);
        return nomem ? -SIM_ENOMEM : -SIM_ESTORAGE;
    }
    const char *pragmas = path != NULL ? "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;"
                                       : "PRAGMA journal_mode=MEMORY;";
    if (store_sqlite_exec(db, pragmas) != 0) {
        sqlite3_close(db);
        return -SIM_ESTORAGE;
    }
    *out = db;
    return 0;
}

void store_sqlite_close(sqlite3 *db)
{
    if (db != NULL)
        sqlite3_close(db);
}

int store_sqlite_exec(sqlite3 *db, const char *sql)
{
    return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -SIM_ESTORAGE;
}

int store_sqlite_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **out)
{
    *out = NULL;
    int rc = sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, out, NULL);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(*out);
        *out = NULL;
        return rc == SQLITE_NOMEM ? -SIM_ENOMEM : -SIM_ESTORAGE;
    }
    return 0;
}

int store_sqlite_step_done(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE ? 0 : -SIM_ESTORAGE;
}

void store_sqlite_reset(sqlite3_stmt *st)
{
    if (st == NULL)
        return;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

int store_sqlite_bind_blob(sqlite3_stmt *st, int i, const void *p, size_t len)
{
    int rc;
    if (len == 0)
        rc = sqlite3_bind_zeroblob(st, i, 0);
    else
        rc = sqlite3_bind_blob64(st, i, p, (sqlite3_uint64)len, SQLITE_TRANSIENT);
    return rc == SQLITE_OK ? 0 : -SIM_ESTORAGE;
}

int store_sqlite_bind_text(sqlite3_stmt *st, int i, const char *text)
{
    return sqlite3_bind_text(st, i, text, -1, SQLITE_TRANSIENT) == SQLITE_OK ? 0 : -SIM_ESTORAGE;
}
