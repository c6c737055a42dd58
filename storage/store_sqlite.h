/* store_sqlite.h - small sqlite3 helpers shared by the storage engines (the table service,
 * later the object store): open with the project's pragmas, prepare, step, bind.
 * Holds no state of its own; every function works on the handle it is given.
 * Every failure is reported as -SIM_ESTORAGE (or -SIM_ENOMEM) and never logged here. */
#ifndef STORE_SQLITE_H
#define STORE_SQLITE_H

#include <stddef.h>

#include <sqlite3.h>

/**
 * Open the database at path, or a private in-memory database when path is NULL.
 * File databases use WAL and synchronous=OFF: a crash of the process loses nothing
 * committed, a crash of the machine may (the emulator favours speed over durability). *out is
 * owned: store_sqlite_close(). Returns 0, -SIM_ENOMEM or -SIM_ESTORAGE (*out untouched).
 */
int store_sqlite_open(const char *path, sqlite3 **out);

/** Close db (finalize every statement first). Accepts NULL. */
void store_sqlite_close(sqlite3 *db);

/** Run one or more SQL statements that return no rows. Returns 0 or -SIM_ESTORAGE. */
int store_sqlite_exec(sqlite3 *db, const char *sql);

/**
 * Prepare sql (persistent: meant to be cached and reused). *out is owned:
 * sqlite3_finalize(). Returns 0 or -SIM_ESTORAGE (*out set to NULL).
 */
int store_sqlite_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **out);

/** Step st expecting SQLITE_DONE, then reset it and clear its bindings. 0 or -SIM_ESTORAGE. */
int store_sqlite_step_done(sqlite3_stmt *st);

/** Reset st and clear its bindings (after reading rows). Accepts NULL. */
void store_sqlite_reset(sqlite3_stmt *st);

/**
 * Bind len bytes at p (copied: SQLITE_TRANSIENT) as a BLOB to parameter i (1-based).
 * A zero length binds an empty BLOB (never NULL), so key columns compare as bytes.
 * Returns 0 or -SIM_ESTORAGE.
 */
int store_sqlite_bind_blob(sqlite3_stmt *st, int i, const void *p, size_t len);

/** Bind a NUL-terminated text (copied). Returns 0 or -SIM_ESTORAGE. */
int store_sqlite_bind_text(sqlite3_stmt *st, int i, const char *text);

#endif
