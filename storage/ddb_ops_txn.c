/* ddb_ops_txn.c - TransactWriteItems (Put, Update, Delete, ConditionCheck on up to 100
 * items, all or nothing, with ClientRequestToken idempotency) and TransactGetItems (up to
 * 100 Gets read together). Transactional reads and writes cost twice their plain price.
 * Source: DynamoDB API reference (API_TransactWriteItems, API_TransactGetItems,
 * API_CancellationReason); developer guide, "Amazon DynamoDB Transactions: How it works"
 * (capacity: "two underlying reads or writes of every item"; tokens "valid for 10 minutes
 * after the first request that uses it is completed"). (Added:) a transaction short of table,
 * GSI or partition capacity is cancelled, the refused action's CancellationReason
 * ProvisionedThroughputExceeded (provisioned) or ThrottlingError (on demand); a token's replay
 * reports the read units of reading its items. */
#include "storage/ddb_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core/sim_err.h"
#include "storage/ddb_attr.h"

#define TXN_MAX          100                      /* actions per transaction */
#define TXN_TOKEN_MAX    36                       /* bytes of a ClientRequestToken */
#define TXN_TOKEN_TTL_US (600LL * 1000 * 1000)    /* 10 minutes idempotency window */
#define MSG_DUP_ITEM     "Transaction request cannot include multiple operations on one item"
#define MSG_COND_FAILED  "The conditional request failed"
#define MSG_IDEMPOTENT                                                                      \
    "DynamoDB rejected the request because you retried a request with a different payload " \
    "but with an idempotent token that was already used."

enum kind { K_CHECK = 0, K_PUT, K_DELETE, K_UPDATE };
static const char *const kind_names[] = { "ConditionCheck", "Put", "Delete", "Update" };

/* One action of a TransactWriteItems request. */
typedef struct act {
    int kind;            /* enum kind */
    ddb_table *t;        /* borrowed */
    ddb_key key;         /* owned */
    ddb_expr_env env;    /* owned flags */
    ddb_cond *cond;      /* owned, NULL when none */
    ddb_update *upd;     /* owned (Update only) */
    const cJSON *doc;    /* borrowed: Item (Put) or Key */
    int all_old;         /* ReturnValuesOnConditionCheckFailure ALL_OLD */
    cJSON *old;          /* owned: stored item, NULL when absent */
    size_t old_size;
    cJSON *nitem;        /* owned: item to store (Put, Update); NULL for Delete/Check */
    int failed;          /* 1: condition failed */
    const char *throttled_code; /* (added) static: its CancellationReason code when refused
                                 * for capacity, else NULL */
    const char *throttled_msg;  /* (added) static: that reason's message */
    ddb_wplan plan;      /* for Put/Update/Delete */
    int planned;
} act;

/* Capacity of one request per table, in order of first use. */
typedef struct cc_acc {
    const ddb_table *t[TXN_MAX];
    ddb_cc cc[TXN_MAX];
    int n;
} cc_acc;

static ddb_cc *cc_for(cc_acc *a, const ddb_table *t)
{
    for (int i = 0; i < a->n; i++)
        if (a->t[i] == t)
            return &a->cc[i];
    a->t[a->n] = t;
    memset(&a->cc[a->n], 0, sizeof a->cc[0]);
    return &a->cc[a->n++];
}

/* Add "ConsumedCapacity": [one per table] to body. 0 or -SIM_ENOMEM. */
static int add_cc(cJSON *body, const cc_acc *a, int rcc)
{
    if (rcc == DDB_RCC_NONE)
        return 0;
    cJSON *arr = cJSON_AddArrayToObject(body, "ConsumedCapacity");
    if (arr == NULL)
        return -SIM_ENOMEM;
    for (int i = 0; i < a->n; i++) {
        cJSON *c = ddb__cc_json(a->t[i], &a->cc[i], rcc);
        if (c == NULL || !cJSON_AddItemToArray(arr, c)) {
            cJSON_Delete(c);
            return -SIM_ENOMEM;
        }
    }
    return 0;
}

static void act_release(act *a)
{
    if (a->planned)
        ddb__wplan_release(a->t, &a->plan);
    ddb__key_release(&a->key);
    ddb_expr_env_release(&a->env);
    ddb_cond_free(a->cond);
    ddb_update_free(a->upd);
    cJSON_Delete(a->old);
    cJSON_Delete(a->nitem);
}

static int expr_err(int rc, const char *err, sim_reply *r)
{
    return ddb__expr_fail(rc, err, r);
}

/* Read TransactItems (a list of 1..100 structures) into *out and *n. 0 or -1 (r set). */
static int req_items(const cJSON *req, const cJSON **out, int *n, ddb_verr *v, sim_reply *r)
{
    *out = NULL;
    *n = 0;
    if (ddb__req_list(req, "TransactItems", out, r) != 0)
        return -1;
    if (*out == NULL) {
        ddb__verr_add(v, NULL, "transactItems", "Member must not be null");
        return 0;
    }
    *n = cJSON_GetArraySize(*out);
    if (*n < 1 || *n > TXN_MAX) {
        char *echo = cJSON_PrintUnformatted(*out);
        ddb__verr_add(v, echo != NULL ? echo : "[]", "transactItems",
                      *n < 1 ? "Member must have length greater than or equal to 1"
                             : "Member must have length less than or equal to 100");
        cJSON_free(echo);
    }
    return 0;
}

/* ---- parsing one write action ---- */

/* Parse action i (element e of TransactItems) into a: its one operation, expressions, table
 * and key. 0, DDB_EREPLY (r set) or a C error. */
static int parse_act(ddb_service *svc, const cJSON *e, act *a, sim_reply *r)
{
    const cJSON *x = NULL, *op = NULL;
    const char *name = NULL, *cond_text = NULL, *upd_text = NULL, *rv = NULL;
    char err[DDB_ERR_MAX];
    int nops = 0, rc;
    ddb_verr v;
    ddb__verr_init(&v);
    if (ddb__val_struct(e, &x, r) != 0)
        return DDB_EREPLY;
    for (int k = 0; x != NULL && k < 4; k++) {
        const cJSON *m = NULL;
        if (ddb__req_struct(x, kind_names[k], &m, r) != 0)
            return DDB_EREPLY;
        if (m != NULL) {
            nops++;
            op = m;
            a->kind = k;
        }
    }
    if (nops != 1)
        return ddb__validation(r, "TransactItems can only contain one of Check, Put, Update or "
                                  "Delete");
    const char *docname = a->kind == K_PUT ? "Item" : "Key";
    if (ddb__req_str(op, "TableName", &name, r) != 0 ||
        ddb__req_attr_map(op, docname, &a->doc, r) != 0 ||
        ddb__req_str(op, "ConditionExpression", &cond_text, r) != 0 ||
        (a->kind == K_UPDATE && ddb__req_str(op, "UpdateExpression", &upd_text, r) != 0) ||
        ddb__req_str(op, "ReturnValuesOnConditionCheckFailure", &rv, r) != 0)
        return DDB_EREPLY;
    if (ddb__check_table_name(name, "tableName", &v, r) != 0)
        return DDB_EREPLY;
    if (a->doc == NULL)
        ddb__verr_add(&v, NULL, a->kind == K_PUT ? "item" : "key", "Member must not be null");
    if (a->kind == K_CHECK && cond_text == NULL)
        ddb__verr_add(&v, NULL, "conditionExpression", "Member must not be null");
    if (a->kind == K_UPDATE && upd_text == NULL)
        ddb__verr_add(&v, NULL, "updateExpression", "Member must not be null");
    if (rv != NULL && strcmp(rv, "ALL_OLD") != 0 && strcmp(rv, "NONE") != 0)
        ddb__verr_add(&v, rv, "returnValuesOnConditionCheckFailure",
                      "Member must satisfy enum value set: [ALL_OLD, NONE]");
    if (ddb__verr_reply(&v, r) != 0)
        return DDB_EREPLY;
    a->all_old = rv != NULL && strcmp(rv, "ALL_OLD") == 0;
    if ((rc = ddb__req_env(op, cond_text != NULL || upd_text != NULL, &a->env, r)) != 0)
        return rc;
    if (upd_text != NULL && (rc = ddb_update_parse(upd_text, &a->env, &a->upd, err, sizeof err)) != 0)
        return expr_err(rc, err, r);
    if (cond_text != NULL &&
        (rc = ddb_cond_parse(cond_text, "ConditionExpression", &a->env, &a->cond, err,
                             sizeof err)) != 0)
        return expr_err(rc, err, r);
    if ((a->env.names != NULL || a->env.values != NULL) &&
        ddb_expr_env_check_unused(&a->env, err, sizeof err) != 0)
        return ddb__validation(r, "%s", err);
    if (ddb__req_table(svc, op, DDB_MSG_NOT_FOUND, &a->t, r) != 0)
        return DDB_EREPLY;
    if (a->kind == K_PUT) {
        if ((rc = ddb__item_check(a->t, a->doc, &a->key, r)) != 0)
            return rc;
        if ((a->nitem = cJSON_Duplicate(a->doc, 1)) == NULL || ddb__item_normalize(a->nitem) != 0)
            return -SIM_ENOMEM;
    } else if ((rc = ddb__key_check(&a->t->st.ks, a->doc, &a->key, r)) != 0) {
        return rc;
    }
    for (int i = 0; a->upd != NULL && i < 2; i++) {
        const char *kn = i == 0 ? a->t->st.ks.hash : a->t->st.ks.range;
        if (kn != NULL && ddb_update_touches(a->upd, kn))
            return ddb__validation(r,
                                   "One or more parameter values were invalid: Cannot update "
                                   "attribute %s. This attribute is part of the key",
                                   kn);
    }
    return 0;
}

/* ---- tokens ---- */

void ddb__txn_tokens_free(ddb_service *svc)
{
    for (int i = 0; i < svc->ntokens; i++) {
        free(svc->tokens[i].token);
        cJSON_free(svc->tokens[i].request);
    }
    free(svc->tokens);
    svc->tokens = NULL;
    svc->ntokens = svc->tokens_cap = 0;
}

/* Forget tokens whose window has passed. */
static void tokens_prune(ddb_service *svc, sim_time_us now)
{
    int j = 0;
    for (int i = 0; i < svc->ntokens; i++) {
        if (svc->tokens[i].expires_us <= now) {
            free(svc->tokens[i].token);
            cJSON_free(svc->tokens[i].request);
        } else {
            svc->tokens[j++] = svc->tokens[i];
        }
    }
    svc->ntokens = j;
}

static ddb_txn_token *token_find(ddb_service *svc, const char *token)
{
    for (int i = 0; i < svc->ntokens; i++)
        if (strcmp(svc->tokens[i].token, token) == 0)
            return &svc->tokens[i];
    return NULL;
}

/* The request without ClientRequestToken, printed; NULL on ENOMEM. */
static char *request_text(const cJSON *req)
{
    cJSON *d = cJSON_Duplicate(req, 1);
    if (d == NULL)
        return NULL;
    cJSON_DeleteItemFromObjectCaseSensitive(d, "ClientRequestToken");
    char *s = cJSON_PrintUnformatted(d);
    cJSON_Delete(d);
    return s;
}

/* Remember token (copied) with text (taken). 0 or -SIM_ENOMEM (text freed). */
static int token_add(ddb_service *svc, const char *token, char *text, sim_time_us now)
{
    if (svc->ntokens == svc->tokens_cap) {
        int cap = svc->tokens_cap ? svc->tokens_cap * 2 : 8;
        ddb_txn_token *n = realloc(svc->tokens, (size_t)cap * sizeof *n);
        if (n == NULL)
            goto nomem;
        svc->tokens = n;
        svc->tokens_cap = cap;
    }
    size_t len = strlen(token) + 1;
    char *tok = malloc(len);
    if (tok == NULL)
        goto nomem;
    memcpy(tok, token, len);
    svc->tokens[svc->ntokens++] = (ddb_txn_token){ tok, text, now + TXN_TOKEN_TTL_US };
    return 0;
nomem:
    cJSON_free(text);
    return -SIM_ENOMEM;
}

/* ---- TransactWriteItems ---- */

/* 400 TransactionCanceledException with one reason per action; body carries the reasons
 * ({"CancellationReasons": [...]}) for the HTTP layer. 0 or -SIM_ENOMEM. */
static int cancel(const act *acts, int n, sim_reply *r)
{
    char msg[64 + TXN_MAX * 34]; /* the longest code, "ProvisionedThroughputExceeded", + ", " */
    size_t len = (size_t)snprintf(msg, sizeof msg,
                                  "Transaction cancelled, please refer cancellation reasons for "
                                  "specific reasons [");
    cJSON *body = cJSON_CreateObject();
    cJSON *arr = body != NULL ? cJSON_AddArrayToObject(body, "CancellationReasons") : NULL;
    if (arr == NULL)
        goto nomem;
    for (int i = 0; i < n; i++) {
        const act *a = &acts[i];
        cJSON *o = cJSON_CreateObject();
        if (o == NULL || !cJSON_AddItemToArray(arr, o))
            goto nomem_o;
        const char *code = "None";
        if (a->failed) {
            if (a->all_old && a->old != NULL) {
                cJSON *it = cJSON_Duplicate(a->old, 1);
                if (it == NULL || !cJSON_AddItemToObject(o, "Item", it)) {
                    cJSON_Delete(it);
                    goto nomem;
                }
            }
            code = "ConditionalCheckFailed";
            if (cJSON_AddStringToObject(o, "Code", code) == NULL ||
                cJSON_AddStringToObject(o, "Message", MSG_COND_FAILED) == NULL)
                goto nomem;
        } else if (a->throttled_code != NULL) { /* (added) refused for capacity */
            code = a->throttled_code;
            if (cJSON_AddStringToObject(o, "Code", code) == NULL ||
                cJSON_AddStringToObject(o, "Message", a->throttled_msg) == NULL)
                goto nomem;
        } else if (cJSON_AddStringToObject(o, "Code", "None") == NULL) {
            goto nomem;
        }
        len += (size_t)snprintf(msg + len, sizeof msg - len, "%s%s", i ? ", " : "", code);
        continue;
    nomem_o:
        cJSON_Delete(o);
        goto nomem;
    }
    snprintf(msg + len, sizeof msg - len, "]");
    sim_reply_err(r, 400, "TransactionCanceledException", "%s", msg);
    r->body = body;
    return 0;
nomem:
    cJSON_Delete(body);
    return -SIM_ENOMEM;
}

/* Apply every plan inside one sqlite transaction. ddb__wplan_apply opens its own
 * transaction for GSI work, so while ours is open the service's begin/commit/rollback
 * statements are swapped for a savepoint of the same effect and restored after.
 * 0, -SIM_ENOMEM or -SIM_ESTORAGE (everything rolled back). */
static int apply_all(ddb_service *svc, act *acts, int n, cc_acc *acc)
{
    sqlite3_stmt *sp[3] = { NULL, NULL, NULL };
    static const char *const sql[3] = { "SAVEPOINT ddb_txn_w", "RELEASE ddb_txn_w",
                                        "ROLLBACK TO ddb_txn_w" };
    int rc = 0;
    for (int i = 0; i < 3; i++)
        if (sqlite3_prepare_v2(svc->db, sql[i], -1, &sp[i], NULL) != SQLITE_OK) {
            rc = -SIM_ESTORAGE;
            goto out;
        }
    if ((rc = ddb__txn_begin(svc)) != 0)
        goto out;
    sqlite3_stmt *saved[3] = { svc->st_begin, svc->st_commit, svc->st_rollback };
    svc->st_begin = sp[0];
    svc->st_commit = sp[1];
    svc->st_rollback = sp[2];
    for (int i = 0; rc == 0 && i < n; i++)
        if (acts[i].planned)
            rc = ddb__wplan_apply(svc, acts[i].t, &acts[i].plan, cc_for(acc, acts[i].t));
    svc->st_begin = saved[0];
    svc->st_commit = saved[1];
    svc->st_rollback = saved[2];
    if (rc == 0)
        rc = ddb__txn_commit(svc);
    else
        ddb__txn_rollback(svc);
out:
    for (int i = 0; i < 3; i++)
        sqlite3_finalize(sp[i]);
    return rc;
}

/* Evaluate every condition on the stored items. *any_failed set. 0, DDB_EREPLY, C error. */
static int check_all(ddb_service *svc, act *acts, int n, int *any_failed, sim_reply *r)
{
    char err[DDB_ERR_MAX];
    *any_failed = 0;
    for (int i = 0; i < n; i++) {
        act *a = &acts[i];
        int ok = 1, rc;
        if ((rc = ddb__item_get(svc, a->t, &a->key, &a->old, &a->old_size)) != 0)
            return rc;
        if (a->cond != NULL && (rc = ddb_cond_eval(a->cond, a->old, &ok, err, sizeof err)) != 0)
            return expr_err(rc, err, r);
        a->failed = !ok;
        *any_failed |= !ok;
    }
    return 0;
}

/* Build new items and write plans (doubled costs) and admit them; a refused one cancels the
 * transaction with its capacity reason (API_TransactWriteItems: "insufficient provisioned
 * capacity", reason codes ProvisionedThroughputExceeded and ThrottlingError). 0, DDB_EREPLY
 * or a C error. */
static int plan_all(ddb_service *svc, act *acts, int n, sim_reply *r)
{
    char err[DDB_ERR_MAX];
    for (int i = 0; i < n; i++) {
        act *a = &acts[i];
        int rc;
        if (a->kind == K_CHECK)
            continue;
        if (a->kind == K_UPDATE) {
            if ((a->nitem = cJSON_Duplicate(a->old != NULL ? a->old : a->doc, 1)) == NULL)
                return -SIM_ENOMEM;
            if ((rc = ddb_update_apply(a->upd, a->nitem, err, sizeof err)) != 0)
                return expr_err(rc, err, r);
            if ((rc = ddb__item_normalize(a->nitem)) != 0)
                return rc;
            if (ddb_item_size(a->nitem) > DDB_ITEM_MAX_BYTES)
                return ddb__validation(r, "Item size to update has exceeded the maximum allowed "
                                          "size");
            if (ddb__item_check_gsi_keys(a->t, a->nitem, r) != 0)
                return DDB_EREPLY;
        }
        size_t nsize = a->nitem != NULL ? ddb_item_size(a->nitem) : 0;
        if ((rc = ddb__wplan_make(a->t, &a->key, a->old, a->old_size, a->nitem, nsize,
                                  &a->plan)) != 0)
            return rc;
        a->planned = 1;
        a->plan.cost_uu *= 2;
        for (int g = 0; g < a->t->ngsi; g++)
            a->plan.gop[g].cost_uu *= 2;
        int admit = ddb__wplan_admit(svc, a->t, &a->plan);
        if (admit != DDB_ADMIT_OK) {
            ddb__throttle_reason(admit, a->t->on_demand, &a->throttled_code, &a->throttled_msg);
            return (rc = cancel(acts, n, r)) != 0 ? rc : DDB_EREPLY;
        }
    }
    return 0;
}

/* (Added.) Answer the replay of a completed request (same ClientRequestToken, same payload):
 * nothing is written again, and with ReturnConsumedCapacity the reply gives "the number of
 * read capacity units consumed in reading the item" (API_TransactWriteItems,
 * ClientRequestToken): each action's item read once, strongly consistent (1 unit per 4 KB),
 * charged to its table's read capacity. 0 (r set) or a C error. */
static int replay_reads(ddb_service *svc, act *acts, int n, cc_acc *acc, int rcc, sim_reply *r)
{
    sim_time_us now = ddb__now(svc);
    for (int i = 0; i < n; i++) {
        cJSON *item = NULL;
        size_t size = 0;
        int rc = ddb__item_get(svc, acts[i].t, &acts[i].key, &item, &size);
        cJSON_Delete(item);
        if (rc != 0)
            return rc;
        int64_t cost = ddb__read_cost_uu(size, 1);
        ddb__bucket_charge(&acts[i].t->st.rb, cost, now);
        ddb__hot_charge(svc, &acts[i].t->st, &acts[i].key, 1, cost, now);
        cc_for(acc, acts[i].t)->table_uu += cost;
    }
    cJSON *body = cJSON_CreateObject();
    if (body == NULL)
        return -SIM_ENOMEM;
    int rc = add_cc(body, acc, rcc);
    if (rc != 0) {
        cJSON_Delete(body);
        return rc;
    }
    sim_reply_ok(r, body);
    return 0;
}

int ddb__op_transact_write_items(ddb_service *svc, const cJSON *req, sim_reply *r)
{
    const cJSON *items = NULL;
    const char *token = NULL;
    int n = 0, rcc = 0, rc = 0, any_failed = 0, replay = 0;
    act *acts = NULL;
    cc_acc *acc = NULL;
    cJSON *body = NULL;
    char *text = NULL;
    ddb_verr v;
    ddb__verr_init(&v);
    sim_time_us now = ddb__now(svc);

    const char *ricm_s = NULL;
    if (req_items(req, &items, &n, &v, r) != 0 ||
        ddb__req_str(req, "ClientRequestToken", &token, r) != 0 ||
        ddb__req_rcc(req, &v, &rcc, r) != 0 ||
        ddb__req_str(req, "ReturnItemCollectionMetrics", &ricm_s, r) != 0)
        goto out;
    if (ricm_s != NULL && strcmp(ricm_s, "SIZE") != 0 && strcmp(ricm_s, "NONE") != 0)
        ddb__verr_add(&v, ricm_s, "returnItemCollectionMetrics",
                      "Member must satisfy enum value set: [SIZE, NONE]");
    if (token != NULL && (strlen(token) < 1 || strlen(token) > TXN_TOKEN_MAX))
        ddb__verr_add(&v, token, "clientRequestToken",
                      strlen(token) < 1 ? "Member must have length greater than or equal to 1"
                                        : "Member must have length less than or equal to 36");
    if (ddb__verr_reply(&v, r) != 0)
        goto out;
    tokens_prune(svc, now);
    if (token != NULL) {
        if ((text = request_text(req)) == NULL) {
            rc = -SIM_ENOMEM;
            goto out;
        }
        const ddb_txn_token *tk = token_find(svc, token);
        if (tk != NULL && strcmp(tk->request, text) != 0) {
            sim_reply_err(r, 400, "IdempotentParameterMismatchException", "%s", MSG_IDEMPOTENT);
            goto out;
        }
        replay = tk != NULL;
    }
    if ((acts = calloc((size_t)n, sizeof *acts)) == NULL ||
        (acc = calloc(1, sizeof *acc)) == NULL) {
        rc = -SIM_ENOMEM;
        goto out;
    }
    for (int i = 0; i < n; i++) {
        if ((rc = parse_act(svc, cJSON_GetArrayItem(items, i), &acts[i], r)) != 0)
            goto out;
        for (int j = 0; j < i; j++)
            if (acts[j].t == acts[i].t && ddb__key_equal(&acts[j].key, &acts[i].key)) {
                rc = ddb__validation(r, MSG_DUP_ITEM);
                goto out;
            }
    }
    if (replay) { /* (added) the replay reads the items: read units, no write */
        rc = replay_reads(svc, acts, n, acc, rcc, r);
        goto out;
    }
    for (int i = 0; i < n; i++)
        if (!ddb__bucket_admit(&acts[i].t->st.wb, now)) {
            /* (added) cancelled, the action's reason saying why (API_TransactWriteItems) */
            ddb__throttle_reason(DDB_ADMIT_TABLE, acts[i].t->on_demand, &acts[i].throttled_code,
                                 &acts[i].throttled_msg);
            rc = cancel(acts, n, r);
            goto out;
        }
    if ((rc = check_all(svc, acts, n, &any_failed, r)) != 0)
        goto out;
    if (any_failed) {
        rc = cancel(acts, n, r);
        goto out;
    }
    if ((rc = plan_all(svc, acts, n, r)) != 0 || (rc = apply_all(svc, acts, n, acc)) != 0)
        goto out;
    for (int i = 0; i < n; i++) {
        if (acts[i].kind != K_CHECK)
            continue;
        /* a ConditionCheck is a transactional write of the item it reads */
        int64_t cost = 2 * ddb__write_cost_uu(acts[i].old_size);
        ddb__bucket_charge(&acts[i].t->st.wb, cost, now);
        ddb__hot_charge(svc, &acts[i].t->st, &acts[i].key, 0, cost, now); /* (added) */
        cc_for(acc, acts[i].t)->table_uu += cost;
    }
    if (token != NULL) {
        rc = token_add(svc, token, text, now);
        text = NULL;
        if (rc != 0)
            goto out;
    }
    if ((body = cJSON_CreateObject()) == NULL || (rc = add_cc(body, acc, rcc)) != 0) {
        rc = -SIM_ENOMEM;
        goto out;
    }
    if (ricm_s != NULL && strcmp(ricm_s, "SIZE") == 0) { /* (added) collections written */
        cJSON *icm = cJSON_CreateObject();
        for (int i = 0; rc == 0 && icm != NULL && i < n; i++)
            if (acts[i].kind != K_CHECK)
                rc = ddb__icm_add(
                    svc, icm, acts[i].t,
                    cJSON_GetObjectItemCaseSensitive(acts[i].doc, acts[i].t->st.ks.hash));
        if (icm == NULL && rc == 0)
            rc = -SIM_ENOMEM;
        if (rc == 0 && icm->child != NULL) {
            if (!cJSON_AddItemToObject(body, "ItemCollectionMetrics", icm))
                rc = -SIM_ENOMEM;
            else
                icm = NULL;
        }
        cJSON_Delete(icm);
        if (rc != 0)
            goto out;
    }
    if (body != NULL) {
        sim_reply_ok(r, body);
        body = NULL;
    }
out:
    for (int i = 0; acts != NULL && i < n; i++)
        act_release(&acts[i]);
    free(acts);
    free(acc);
    cJSON_free(text);
    cJSON_Delete(body);
    return ddb__finish(rc, r);
}

/* ---- TransactGetItems ---- */

#define TXN_THROTTLED 1 /* get_one: the read was refused for capacity (*out_admit says why) */

/* (Added.) Cancel a TransactGetItems of n Gets whose Get idx was refused for capacity (admit,
 * enum ddb_admit, on a table on_demand or not): TransactionCanceledException, that Get's
 * reason ProvisionedThroughputExceeded or ThrottlingError, the others None (API_TransactGetItems:
 * cancelled when "there is insufficient provisioned capacity"; the reason codes of
 * API_TransactWriteItems). 0 or -SIM_ENOMEM. */
static int cancel_get(int n, int idx, int admit, int on_demand, sim_reply *r)
{
    const char *code, *why;
    ddb__throttle_reason(admit, on_demand, &code, &why);
    char msg[64 + TXN_MAX * 34];
    size_t len = (size_t)snprintf(msg, sizeof msg,
                                  "Transaction cancelled, please refer cancellation reasons for "
                                  "specific reasons [");
    cJSON *body = cJSON_CreateObject();
    cJSON *arr = body != NULL ? cJSON_AddArrayToObject(body, "CancellationReasons") : NULL;
    if (arr == NULL)
        goto nomem;
    for (int i = 0; i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        if (o == NULL || !cJSON_AddItemToArray(arr, o)) {
            cJSON_Delete(o);
            goto nomem;
        }
        if (cJSON_AddStringToObject(o, "Code", i == idx ? code : "None") == NULL ||
            (i == idx && cJSON_AddStringToObject(o, "Message", why) == NULL))
            goto nomem;
        len += (size_t)snprintf(msg + len, sizeof msg - len, "%s%s", i ? ", " : "",
                                i == idx ? code : "None");
    }
    snprintf(msg + len, sizeof msg - len, "]");
    sim_reply_err(r, 400, "TransactionCanceledException", "%s", msg);
    r->body = body;
    return 0;
nomem:
    cJSON_Delete(body);
    return -SIM_ENOMEM;
}

/* Read one Get action (e) and append its response to arr. 0, DDB_EREPLY, a C error, or
 * TXN_THROTTLED with *out_admit and *out_on_demand set (nothing read, r untouched). */
static int get_one(ddb_service *svc, const cJSON *e, cJSON *arr, cc_acc *acc, int *out_admit,
                   int *out_on_demand, sim_reply *r)
{
    const cJSON *x = NULL, *get = NULL, *keyj = NULL;
    const char *name = NULL, *proj_text = NULL;
    ddb_expr_env env = { 0 };
    ddb_proj *proj = NULL;
    ddb_table *t = NULL;
    ddb_key key = { 0 };
    cJSON *item = NULL, *o = NULL;
    size_t size = 0;
    char err[DDB_ERR_MAX];
    ddb_verr v;
    int rc = 0;
    ddb__verr_init(&v);
    if (ddb__val_struct(e, &x, r) != 0 || (x != NULL && ddb__req_struct(x, "Get", &get, r) != 0))
        return DDB_EREPLY;
    if (get == NULL)
        return ddb__validation(r, "1 validation error detected: Value null at "
                                  "'transactItems.member.get' failed to satisfy constraint: "
                                  "Member must not be null");
    if (ddb__req_str(get, "TableName", &name, r) != 0 ||
        ddb__req_attr_map(get, "Key", &keyj, r) != 0 ||
        ddb__req_str(get, "ProjectionExpression", &proj_text, r) != 0)
        return DDB_EREPLY;
    if (ddb__check_table_name(name, "tableName", &v, r) != 0)
        return DDB_EREPLY;
    if (keyj == NULL)
        ddb__verr_add(&v, NULL, "key", "Member must not be null");
    if (ddb__verr_reply(&v, r) != 0)
        return DDB_EREPLY;
    if ((rc = ddb__req_env(get, proj_text != NULL, &env, r)) != 0)
        goto out;
    if (proj_text != NULL && (rc = ddb_proj_parse(proj_text, &env, &proj, err, sizeof err)) != 0) {
        rc = expr_err(rc, err, r);
        goto out;
    }
    if ((env.names != NULL || env.values != NULL) &&
        ddb_expr_env_check_unused(&env, err, sizeof err) != 0) {
        rc = ddb__validation(r, "%s", err);
        goto out;
    }
    if (ddb__req_table(svc, get, DDB_MSG_NOT_FOUND, &t, r) != 0) {
        rc = DDB_EREPLY;
        goto out;
    }
    if ((rc = ddb__key_check(&t->st.ks, keyj, &key, r)) != 0)
        goto out;
    sim_time_us now = ddb__now(svc);
    /* (added) the table's read capacity, then the item's partition limit */
    int admit = !ddb__bucket_admit(&t->st.rb, now)              ? DDB_ADMIT_TABLE
                : !ddb__hot_admit(svc, &t->st, &key, 1, now) ? DDB_ADMIT_KEY_TABLE
                                                               : DDB_ADMIT_OK;
    if (admit != DDB_ADMIT_OK) {
        *out_admit = admit;
        *out_on_demand = t->on_demand;
        rc = TXN_THROTTLED;
        goto out;
    }
    if ((rc = ddb__item_get(svc, t, &key, &item, &size)) != 0)
        goto out;
    int64_t cost = 2 * ddb__read_cost_uu(size, 1);
    ddb__bucket_charge(&t->st.rb, cost, now);
    ddb__hot_charge(svc, &t->st, &key, 1, cost, now);
    cc_for(acc, t)->table_uu += cost;
    if ((o = cJSON_CreateObject()) == NULL || !cJSON_AddItemToArray(arr, o)) {
        cJSON_Delete(o);
        rc = -SIM_ENOMEM;
        goto out;
    }
    if (item != NULL) {
        cJSON *out_item = proj != NULL ? ddb_proj_apply(proj, item) : item;
        if (out_item == NULL) {
            rc = -SIM_ENOMEM;
            goto out;
        }
        if (out_item == item)
            item = NULL;
        if (!cJSON_AddItemToObject(o, "Item", out_item)) {
            cJSON_Delete(out_item);
            rc = -SIM_ENOMEM;
        }
    }
out:
    cJSON_Delete(item);
    ddb__key_release(&key);
    ddb_proj_free(proj);
    ddb_expr_env_release(&env);
    return rc;
}

int ddb__op_transact_get_items(ddb_service *svc, const cJSON *req, sim_reply *r)
{
    const cJSON *items = NULL;
    int n = 0, rcc = 0, rc = 0;
    cc_acc *acc = NULL;
    cJSON *body = NULL, *arr = NULL;
    ddb_verr v;
    ddb__verr_init(&v);
    if (req_items(req, &items, &n, &v, r) != 0 || ddb__req_rcc(req, &v, &rcc, r) != 0 ||
        ddb__verr_reply(&v, r) != 0)
        goto out;
    if ((acc = calloc(1, sizeof *acc)) == NULL || (body = cJSON_CreateObject()) == NULL ||
        (arr = cJSON_AddArrayToObject(body, "Responses")) == NULL) {
        rc = -SIM_ENOMEM;
        goto out;
    }
    for (int i = 0; i < n; i++) {
        int admit = DDB_ADMIT_OK, on_demand = 0;
        rc = get_one(svc, cJSON_GetArrayItem(items, i), arr, acc, &admit, &on_demand, r);
        if (rc == TXN_THROTTLED)
            rc = cancel_get(n, i, admit, on_demand, r);
        if (rc != 0 || admit != DDB_ADMIT_OK)
            goto out;
    }
    if ((rc = add_cc(body, acc, rcc)) != 0)
        goto out;
    sim_reply_ok(r, body);
    body = NULL;
out:
    free(acc);
    cJSON_Delete(body);
    return ddb__finish(rc, r);
}
