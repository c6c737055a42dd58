/* tw.h - Tweeter's Lambda handlers (the table the host registers) and the internals the
 * handler files share. The contract is /work/shared/tweeter-api.md: canonical request and
 * response shapes (section 2.1), validation and auth (3), tables (4), images (5), fan-out
 * (6) and population (7). Handlers reach services only through sim/sim_client.h.
 *
 * Two layers: tw_util.c holds pure helpers (no service call, no context - unit tested on
 * their own); tw_common.c holds the helpers that call services through the context. */
#ifndef TW_H
#define TW_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "sim/sim_client.h"

/** The handler table, terminated by {NULL, NULL}. Names as regions.conf `handler =`:
 * tweeter.login ... tweeter.populate (see tw_handlers.c). */
extern const lambda_handler_def tw_handlers[];

/* ---- handlers (one per endpoint or consumer) ----
 * Each follows lambda_handler_fn: event borrowed, *out_result set on success (return 0),
 * or a function error "[Bad Request] ..." / "[Server Error] ..." (return -SIM_EFUNC).
 * UserDto = {firstName, lastName, alias, imageUrl}; StatusDto = {post, user, timestamp};
 * ok = {success: true, message: null}; paged = ok + {items, hasMore}. */

/* {alias, password} -> ok + {user, authToken: {token, timestamp}} */
int tw_login(lambda_ctx *ctx, const cJSON *event, cJSON **out_result);
/* {firstName, lastName, alias, password, userImageBase64, imageFileExtension} -> as login */
int tw_register(lambda_ctx *ctx, const cJSON *event, cJSON **out_result);
/* {token} -> ok (always, once the token field is present) */
int tw_logout(lambda_ctx *ctx, const cJSON *event, cJSON **out_result);
/* {token, alias} -> ok + {user: UserDto | null} */
int tw_get_user(lambda_ctx *ctx, const cJSON *event, cJSON **out_result);
/* {token, user: UserDto (target)} -> ok + {followerCount, followeeCount} of the target */
int tw_follow(lambda_ctx *ctx, const cJSON *event, cJSON **out_result);
int tw_unfollow(lambda_ctx *ctx, const cJSON *event, cJSON **out_result);
/* {token, user, selectedUser} -> ok + {isFollower}: does user follow selectedUser? */
int tw_is_follower(lambda_ctx *ctx, const cJSON *event, cJSON **out_result);
/* {token, user} -> ok + {count} */
int tw_follower_count(lambda_ctx *ctx, const cJSON *event, cJSON **out_result);
int tw_followee_count(lambda_ctx *ctx, const cJSON *event, cJSON **out_result);
/* {token, userAlias, pageSize, lastItem: UserDto | null} -> paged UserDtos */
int tw_followers(lambda_ctx *ctx, const cJSON *event, cJSON **out_result);
int tw_followees(lambda_ctx *ctx, const cJSON *event, cJSON **out_result);
/* {token, userAlias, pageSize, lastItem: StatusDto | null} -> paged StatusDtos, newest first */
int tw_story(lambda_ctx *ctx, const cJSON *event, cJSON **out_result);
int tw_feed(lambda_ctx *ctx, const cJSON *event, cJSON **out_result);
/* {token, newStatus: StatusDto} -> ok; story row + {"status"} post-status message */
int tw_post_status(lambda_ctx *ctx, const cJSON *event, cJSON **out_result);
/* SQS event of {"status"} -> {batchItemFailures: [{itemIdentifier}]}; sends
 * {"status", "followerAliases"} chunks to the update-feed queue */
int tw_fan_out(lambda_ctx *ctx, const cJSON *event, cJSON **out_result);
/* SQS event of {"status", "followerAliases"} -> {batchItemFailures}; writes feed rows */
int tw_update_feed(lambda_ctx *ctx, const cJSON *event, cJSON **out_result);
/* {count, base, followee, firstName, lastName, followeeFirstName, followeeLastName,
 * password, pictures, wcuLoad, wcuAfter} -> {users, follows, retries} */
int tw_populate(lambda_ctx *ctx, const cJSON *event, cJSON **out_result);

/** A planted bug for tests and sweeps ("tweeter.updateFeedUnawaited"): an update-feed
 * consumer that does not await its last BatchWriteItem before returning, as the seed's
 * tricky issue 3 did. That write is frozen with the environment and lost. */
int tw_update_feed_unawaited(lambda_ctx *ctx, const cJSON *event, cJSON **out_result);

/* ======================= tw_util.c: pure helpers ======================= */

#define TW_ALIAS_MAX   256 /* longest alias accepted, bytes (without NUL) */
#define TW_FEED_KEY_MAX (32 + TW_ALIAS_MAX) /* ISO-8601 (24 bytes), '#', alias, NUL; rounded up */
#define TW_BATCH_WRITE_MAX 25  /* BatchWriteItem: at most 25 requests (API reference) */
#define TW_BATCH_GET_MAX   100 /* BatchGetItem: at most 100 keys (API reference) */
#define TW_SQS_BATCH_MAX   10  /* SendMessageBatch: at most 10 entries (API reference) */

/** 1 when alias matches ^@[A-Za-z0-9_]+$ and is at most TW_ALIAS_MAX bytes, else 0.
 * NULL gives 0. */
int tw_alias_valid(const char *alias);

/** 1 when s is NULL or holds only whitespace (what JavaScript's trim() removes, ASCII). */
int tw_blank(const char *s);

/** The string member name of obj (borrowed), or NULL if absent or not a string. */
const char *tw_json_str(const cJSON *obj, const char *name);

/**
 * Write the ISO-8601 UTC time of epoch milliseconds ms, "2026-01-01T00:00:00.000Z", into
 * out (at least 25 bytes for years 0..9999; n is its size). Proleptic Gregorian, pure
 * arithmetic (no time zone, no clock). Returns 0, or -SIM_EINVAL if out is too small.
 */
int tw_iso8601_ms(int64_t ms, char *out, size_t n);

/**
 * The feed table's sort key: ISO-8601 ms time of ts_ms + "#" + author alias, e.g.
 * "2026-01-01T00:00:00.000Z#@daisy" (tweeter-api.md section 4.5). Returns 0, or
 * -SIM_EINVAL if out (size n) is too small.
 */
int tw_feed_key(int64_t ts_ms, const char *author_alias, char *out, size_t n);

/**
 * Decode base64 text (standard alphabet, padding optional, whitespace ignored, an optional
 * "data:...;base64," prefix skipped) with OpenSSL's EVP decoder. On success *out_data is
 * malloc'd (caller frees; NUL-terminated for convenience, not counted) and *out_len set.
 * Returns 0, -SIM_EINVAL for invalid or empty input, -SIM_ENOMEM. Outputs untouched on
 * error.
 */
int tw_base64_decode(const char *in, unsigned char **out_data, size_t *out_len);

/** A DynamoDB string attribute value {"S": s}, or NULL on ENOMEM. */
cJSON *tw_av_s(const char *s);

/** A DynamoDB number attribute value {"N": "<v>"}, or NULL on ENOMEM. */
cJSON *tw_av_n(int64_t v);

/** Add member name = {"S": s} to item. Returns 0 or -SIM_ENOMEM. */
int tw_item_add_s(cJSON *item, const char *name, const char *s);

/** Add member name = {"N": v} to item. Returns 0 or -SIM_ENOMEM. */
int tw_item_add_n(cJSON *item, const char *name, int64_t v);

/** The S value of attribute name in a DynamoDB item (borrowed), or NULL. */
const char *tw_item_s(const cJSON *item, const char *name);

/** The N value of attribute name as an integer (fraction truncated) into *out.
 * Returns 0, or -SIM_ENOENT if absent / not a number (*out untouched). */
int tw_item_n(const cJSON *item, const char *name, int64_t *out);

/** A key document with one string attribute {name: {"S": v}}; NULL on ENOMEM. */
cJSON *tw_key1(const char *name, const char *v);

/** A key document with two string attributes; NULL on ENOMEM. */
cJSON *tw_key2(const char *n1, const char *v1, const char *n2, const char *v2);

/** UserDto {firstName, lastName, alias, imageUrl}; NULL strings become "". NULL on ENOMEM. */
cJSON *tw_user_dto(const char *alias, const char *first, const char *last, const char *image);

/** UserDto from a users-table item (never its password_hash). NULL on ENOMEM or when the
 * item has no alias. */
cJSON *tw_user_dto_from_item(const cJSON *item);

/** StatusDto {post, user, timestamp} from a feed-table item (denormalized author fields).
 * NULL on ENOMEM or a malformed item. */
cJSON *tw_status_dto_from_feed(const cJSON *item);

/** StatusDto from a story-table item and its owner's UserDto (borrowed; duplicated).
 * NULL on ENOMEM or a malformed item. */
cJSON *tw_status_dto_from_story(const cJSON *item, const cJSON *owner_dto);

/* A StatusDto's fields, borrowed from the document it was read from. */
typedef struct tw_status {
    const char *post;        /* the text */
    const char *alias;       /* user.alias, the author */
    const char *first_name;  /* user.firstName or "" */
    const char *last_name;   /* user.lastName or "" */
    const char *image_url;   /* user.imageUrl or "" */
    int64_t timestamp_ms;    /* epoch ms set by the client */
    int has_timestamp;       /* 0 when the DTO carried no numeric timestamp */
} tw_status;

/**
 * Read a StatusDto. On failure returns -SIM_EINVAL and sets *out_missing to the name of
 * the first missing or mistyped field ("post", "user", "user.alias"). timestamp is
 * optional (has_timestamp). Strings are borrowed from dto.
 */
int tw_status_read(const cJSON *dto, tw_status *out, const char **out_missing);

/** Canonical StatusDto document from st (no extra fields). NULL on ENOMEM. */
cJSON *tw_status_dto(const tw_status *st);

/** The feed-table row for receiver from st (keys alias + time_alias). NULL on ENOMEM. */
cJSON *tw_feed_row(const char *receiver, const tw_status *st);

/* The four paged lists. */
typedef enum tw_page_kind {
    TW_PAGE_FOLLOWERS = 0, /* GSI follows_index, items UserDto */
    TW_PAGE_FOLLOWEES,     /* follows table, items UserDto */
    TW_PAGE_STORY,         /* story table, items StatusDto */
    TW_PAGE_FEED           /* feed table, items StatusDto */
} tw_page_kind;

/**
 * The ExclusiveStartKey for a paged list of user_alias continuing after last_item (the
 * last Dto of the previous page), as tweeter-api.md section 4 "Paging" lists:
 * followers {follower_handle: last.alias, followee_handle: user}, followees
 * {follower_handle: user, followee_handle: last.alias}, story {alias: user,
 * timestamp: last.timestamp}, feed {alias: user, time_alias: key(last.timestamp,
 * last.user.alias)}. A NULL or JSON-null last_item gives *out_key = NULL (first page).
 * Returns 0, -SIM_EINVAL when last_item lacks the needed fields (*out_key untouched),
 * -SIM_ENOMEM.
 */
int tw_page_start_key(tw_page_kind kind, const char *user_alias, const cJSON *last_item,
                      cJSON **out_key);

/**
 * bcrypt hash of password ("$2b$", cost 4..31) with a 16-byte salt drawn from rng, via
 * libxcrypt's crypt_gensalt_rn + crypt_rn, into out (size n, at least 61 bytes).
 * Returns 0, -SIM_EINVAL (bad cost or small buffer), -SIM_ENOMEM.
 */
int tw_password_hash(sim_rng *rng, unsigned long cost, const char *password, char *out,
                     size_t n);

/** 1 when password re-crypted with hash as its setting gives hash (constant-time compare),
 * else 0 (also for a NULL or malformed hash). */
int tw_password_ok(const char *password, const char *hash);

/**
 * A Query request: table (index may be NULL) where key_name = key_val (a string),
 * Limit limit (none when <= 0), ScanIndexForward forward, ExclusiveStartKey start_key
 * (taken; may be NULL). Attribute names go through ExpressionAttributeNames. NULL on
 * ENOMEM (start_key freed).
 */
cJSON *tw_query_req(const char *table, const char *index, const char *key_name,
                    const char *key_val, int limit, int forward, cJSON *start_key);

/** The paged response {success, message: null, items (taken), hasMore}; NULL on ENOMEM
 * (items freed). */
cJSON *tw_page_resp(cJSON *items, int has_more);

/** {"success": true, "message": null}; NULL on ENOMEM. */
cJSON *tw_resp_ok(void);

/**
 * Full-jitter exponential backoff: a uniform draw in [0, min(cap, base * 2^attempt)]
 * microseconds from rng (AWS Architecture Blog, "Exponential Backoff And Jitter").
 */
sim_time_us tw_backoff_full_jitter(sim_rng *rng, int attempt, sim_time_us base_us,
                                   sim_time_us cap_us);

/** Linear backoff of the course population script: min(cap, first + step * retry). */
sim_time_us tw_backoff_linear(int retry, sim_time_us first_us, sim_time_us step_us,
                              sim_time_us cap_us);

/**
 * A small SVG avatar (128x128: a circle coloured by index from a fixed palette and the
 * initials of first/last, non-alphanumerics shown as '?'). malloc'd, caller frees;
 * NULL on ENOMEM.
 */
char *tw_avatar_svg(int index, const char *first, const char *last);

/* ======================= tw_common.c: helpers that use the context ======================= */

/* Resource names and tunables from the function's environment (defaults in tw_common.c). */
const char *tw_env_str(const lambda_ctx *ctx, const char *name, const char *dflt);
/** Integer environment value, or dflt when unset or not a whole number >= 0. */
long tw_env_long(const lambda_ctx *ctx, const char *name, long dflt);

#define TW_USERS_TABLE(ctx)  tw_env_str((ctx), "USERS_TABLE", "users")
#define TW_FOLLOWS_TABLE(ctx) tw_env_str((ctx), "FOLLOWS_TABLE", "follows")
#define TW_FOLLOWS_INDEX(ctx) tw_env_str((ctx), "FOLLOWS_INDEX", "follows_index")
#define TW_AUTH_TABLE(ctx)   tw_env_str((ctx), "AUTH_TABLE", "auth")
#define TW_STORY_TABLE(ctx)  tw_env_str((ctx), "STORY_TABLE", "story")
#define TW_FEED_TABLE(ctx)   tw_env_str((ctx), "FEED_TABLE", "feed")
#define TW_POST_QUEUE(ctx)   tw_env_str((ctx), "POST_STATUS_QUEUE", "tweeter-post-status")
#define TW_FEED_QUEUE(ctx)   tw_env_str((ctx), "UPDATE_FEED_QUEUE", "tweeter-update-feed")
#define TW_IMAGE_BUCKET(ctx) tw_env_str((ctx), "IMAGE_BUCKET", "tweeter-images")

/** "[Bad Request] <fmt>" function error; returns -SIM_EFUNC (lambda_error's value). */
int tw_bad(lambda_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** "[Server Error] <fmt>" function error; returns -SIM_EFUNC. */
int tw_fault(lambda_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** "[Bad Request] Request is missing <field>"; returns -SIM_EFUNC. */
int tw_missing(lambda_ctx *ctx, const char *field);

/**
 * The string field name of event, or a function error: absent or empty ->
 * "Request is missing <name>". Returns 0 with *out borrowed from event, or -SIM_EFUNC.
 */
int tw_req_str(lambda_ctx *ctx, const cJSON *event, const char *name, const char **out);

/**
 * The alias in field name of event (a string, or a UserDto object whose alias is read
 * when dto is 1): missing -> "Request is missing <name>", not ^@[A-Za-z0-9_]+$ ->
 * "Invalid alias <x>". Returns 0 with *out borrowed from event, or -SIM_EFUNC.
 */
int tw_req_alias(lambda_ctx *ctx, const cJSON *event, const char *name, int dto,
                 const char **out);

/**
 * One service call, quietly: 0 when a success reply arrived in *out; otherwise
 * -SIM_EIO when *out holds an AWS error, or the call's own -SIM_Exxx. Nothing is logged
 * and no function error is recorded (consumers decide per record).
 */
int tw_ddb_try(lambda_ctx *ctx, const char *op, const cJSON *req, sim_reply *out);

/**
 * A DynamoDB call for an API handler: 0 on success; 1 when the reply is the AWS error
 * expected_code (may be NULL: none expected), *out then holds it; otherwise records
 * "[Server Error] DynamoDB <op> on <table> failed: ..." and returns -SIM_EFUNC.
 * *out must be sim_reply_init'ed; the caller releases it in every case.
 */
int tw_ddb(lambda_ctx *ctx, const char *op, const cJSON *req, const char *expected_code,
           sim_reply *out);

/** Record "[Server Error]" for a failed call (rc != 0 or an AWS error in r); returns
 * -SIM_EFUNC. what names the call ("SQS SendMessage on q"). */
int tw_fault_call(lambda_ctx *ctx, const char *what, int rc, const sim_reply *r);

/** A short description of a failed call into buf: "Code: message" or the C error. */
const char *tw_call_why(int rc, const sim_reply *r, char *buf, size_t n);

/**
 * Check event.token and slide it, in one round trip: UpdateItem auth[token] SET
 * timestamp = now ms, expires_at = now s + TOKEN_TTL_S, on condition that the row exists
 * and timestamp + ttl * 1000 >= now (60-minute sliding expiry, tweeter-api.md 3).
 * Writes the token's alias into out_alias (size n). Returns 0, or -SIM_EFUNC with
 * "[Bad Request] Request is missing token" / "[Bad Request] Invalid or expired auth
 * token" / "[Server Error] ..." recorded.
 */
int tw_auth_check(lambda_ctx *ctx, const cJSON *event, char *out_alias, size_t n);

/**
 * Issue a new token for alias: a UUID v4 from the function's RNG, auth row {token, alias,
 * timestamp: now ms, expires_at: now s + ttl}. Returns the AuthTokenDto {token,
 * timestamp} in *out_dto (owned by the caller), or -SIM_EFUNC ("[Server Error]").
 */
int tw_token_issue(lambda_ctx *ctx, const char *alias, cJSON **out_dto);

/**
 * GetItem users[alias] (strongly consistent). *out_item is the item (owned by caller;
 * NULL when there is no such user). Returns 0 or -SIM_EFUNC ("[Server Error]").
 */
int tw_user_get(lambda_ctx *ctx, const char *alias, cJSON **out_item);

/** A GetItem request for users[alias] projecting only the DTO fields (never the password
 * hash). NULL on ENOMEM. */
cJSON *tw_user_get_req(const lambda_ctx *ctx, const char *alias);

/**
 * UserDtos for aliases[0..n) in that order, via BatchGetItem on users (chunks of 100,
 * UnprocessedKeys retried with backoff). An alias with no row gets a DTO with empty
 * names. *out_arr is a new array owned by the caller. Returns 0 or -SIM_EFUNC.
 */
int tw_users_dtos(lambda_ctx *ctx, const char *const *aliases, int n, cJSON **out_arr);

/* A parsed paged request {token, userAlias, pageSize, lastItem}. */
typedef struct tw_page_req {
    tw_page_kind kind;      /* which list */
    const char *user_alias; /* borrowed from the event */
    int page_size;          /* >= 1 */
    cJSON *start_key;       /* ExclusiveStartKey or NULL; owned (tw_page_query takes it) */
} tw_page_req;

/**
 * Check the token and read a paged request: userAlias (missing/invalid -> 400), pageSize
 * (a whole number >= 1, else 400), lastItem (optional; malformed -> 400).
 * Returns 0 or -SIM_EFUNC. On success the caller passes out->start_key on to
 * tw_page_query (or frees it).
 */
int tw_page_req_read(lambda_ctx *ctx, const cJSON *event, tw_page_kind kind,
                     tw_page_req *out);

/**
 * Run the page's Query (followers: GSI on followee_handle; followees: table on
 * follower_handle; story/feed: alias, newest first). Takes pr->start_key. *out holds the
 * reply body (Items, LastEvaluatedKey). Returns 0 or -SIM_EFUNC.
 */
int tw_page_query(lambda_ctx *ctx, tw_page_req *pr, sim_reply *out);

/* How tw_batch_write retries UnprocessedItems. */
typedef enum tw_backoff_kind {
    TW_BACKOFF_JITTER = 0, /* full jitter, base 10 ms, cap 1 s (updateFeed) */
    TW_BACKOFF_LINEAR      /* 10 ms, +100 ms per retry, cap 1 s (population script) */
} tw_backoff_kind;

/**
 * Write every WriteRequest of reqs (a cJSON array of {"PutRequest":{"Item":..}} /
 * {"DeleteRequest":..}, taken) to table with BatchWriteItem: chunks of 25, up to
 * in_flight calls at once, UnprocessedItems (and throttling errors of a whole call)
 * retried with backoff until none remain. Gives up after 12 consecutive rounds that made
 * no progress. *io_retries (may be NULL) is increased by the number of retry rounds.
 * Quiet (logs, records no function error). Returns 0, -SIM_EIO (gave up or a
 * non-retryable AWS error), or a call's -SIM_Exxx.
 */
int tw_batch_write(lambda_ctx *ctx, const char *table, cJSON *reqs, int in_flight,
                   tw_backoff_kind backoff, long *io_retries);

#endif
