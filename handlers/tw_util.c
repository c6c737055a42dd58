/* tw_util.c - Tweeter's pure helpers: validation, the feed sort key, base64, DynamoDB
 * attribute values, DTOs built from items, paging keys, backoff arithmetic, avatars.
 * Nothing here calls a service or reads the context, so it is unit tested on its own
 * (tests/unit/test_tw_util.c); the helpers that call services live in tw_common.c. */
#include "handlers/tw.h"

#include "sim/core/sim_err.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <crypt.h>
#include <openssl/evp.h>

int tw_alias_valid(const char *alias)
{
    size_t i;

    if (alias == NULL || alias[0] != '@' || alias[1] == '\0')
        return 0;
    for (i = 1; alias[i] != '\0'; i++) {
        char c = alias[i];
        int ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                 c == '_';
        if (!ok || i >= TW_ALIAS_MAX)
            return 0;
    }
    return 1;
}

int tw_blank(const char *s)
{
    if (s == NULL)
        return 1;
    for (; *s != '\0'; s++) {
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r' && *s != '\v' && *s != '\f')
            return 0;
    }
    return 1;
}

const char *tw_json_str(const cJSON *obj, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);

    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* A JSON number that holds an integer-valued epoch into *out; 0 or -SIM_EINVAL. */
static int json_i64(const cJSON *v, int64_t *out)
{
    double d;

    if (!cJSON_IsNumber(v))
        return -SIM_EINVAL;
    d = v->valuedouble;
    if (!isfinite(d) || d > 9.0e18 || d < -9.0e18)
        return -SIM_EINVAL;
    *out = (int64_t)d;
    return 0;
}

int tw_iso8601_ms(int64_t ms, char *out, size_t n)
{
    const int64_t day_ms = 86400000;
    int64_t days = ms / day_ms, rem = ms % day_ms;
    int64_t z, era, y;
    int64_t doe, yoe, doy, mp, d, m;
    int len;

    if (rem < 0) { /* floor division for instants before 1970 */
        rem += day_ms;
        days--;
    }
    /* civil_from_days (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms") */
    z = days + 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y += (m <= 2);
    len = snprintf(out, n, "%04" PRId64 "-%02" PRId64 "-%02" PRId64 "T%02" PRId64 ":%02" PRId64
                           ":%02" PRId64 ".%03" PRId64 "Z",
                   y, m, d, rem / 3600000, rem / 60000 % 60, rem / 1000 % 60, rem % 1000);
    return (len < 0 || (size_t)len >= n) ? -SIM_EINVAL : 0;
}

int tw_feed_key(int64_t ts_ms, const char *author_alias, char *out, size_t n)
{
    char iso[40];
    int len;

    if (tw_iso8601_ms(ts_ms, iso, sizeof(iso)) != 0)
        return -SIM_EINVAL;
    len = snprintf(out, n, "%s#%s", iso, author_alias);
    return (len < 0 || (size_t)len >= n) ? -SIM_EINVAL : 0;
}

/* 1 for a character of the standard base64 alphabet. */
static int b64_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '+' || c == '/';
}

int tw_base64_decode(const char *in, unsigned char **out_data, size_t *out_len)
{
    const char *p, *comma;
    char *clean = NULL;
    unsigned char *data = NULL;
    size_t len, i, k = 0, pad = 0;
    int got, rc = 0;

    if (in == NULL)
        return -SIM_EINVAL;
    if (strncmp(in, "data:", 5) == 0) { /* a data URL: keep what follows ";base64," */
        p = strstr(in, ";base64,");
        comma = strchr(in, ',');
        if (p == NULL || comma != p + 7)
            return -SIM_EINVAL;
        in = comma + 1;
    }
    len = strlen(in);
    if ((clean = malloc(len + 4)) == NULL)
        return -SIM_ENOMEM;
    for (i = 0; i < len; i++) { /* drop whitespace, map base64url, count padding */
        char c = in[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
            continue;
        if (c == '-')
            c = '+';
        else if (c == '_')
            c = '/';
        if (c == '=') {
            pad++;
            continue;
        }
        if (pad > 0 || !b64_char(c)) { /* data after padding, or a foreign character */
            rc = -SIM_EINVAL;
            goto out;
        }
        clean[k++] = c;
    }
    if (k == 0 || k % 4 == 1 || pad > 2) {
        rc = -SIM_EINVAL;
        goto out;
    }
    pad = (4 - k % 4) % 4;
    for (i = 0; i < pad; i++)
        clean[k++] = '=';
    clean[k] = '\0';
    if ((data = malloc(k / 4 * 3 + 1)) == NULL) {
        rc = -SIM_ENOMEM;
        goto out;
    }
    got = EVP_DecodeBlock(data, (const unsigned char *)clean, (int)k);
    if (got < 0 || (size_t)got < pad) {
        rc = -SIM_EINVAL;
        goto out;
    }
    data[(size_t)got - pad] = '\0';
    *out_len = (size_t)got - pad;
    *out_data = data;
    data = NULL;
out:
    free(clean);
    free(data);
    return rc;
}

cJSON *tw_av_s(const char *s)
{
    cJSON *v = cJSON_CreateObject();

    if (v != NULL && cJSON_AddStringToObject(v, "S", s) == NULL) {
        cJSON_Delete(v);
        return NULL;
    }
    return v;
}

cJSON *tw_av_n(int64_t n)
{
    char buf[32];
    cJSON *v = cJSON_CreateObject();

    snprintf(buf, sizeof(buf), "%" PRId64, n);
    if (v != NULL && cJSON_AddStringToObject(v, "N", buf) == NULL) {
        cJSON_Delete(v);
        return NULL;
    }
    return v;
}

/* Add name = v (taken, also on failure) to obj; 0 or -SIM_ENOMEM. */
static int add_taken(cJSON *obj, const char *name, cJSON *v)
{
    if (v == NULL || !cJSON_AddItemToObject(obj, name, v)) {
        cJSON_Delete(v);
        return -SIM_ENOMEM;
    }
    return 0;
}

int tw_item_add_s(cJSON *item, const char *name, const char *s)
{
    return add_taken(item, name, tw_av_s(s));
}

int tw_item_add_n(cJSON *item, const char *name, int64_t v)
{
    return add_taken(item, name, tw_av_n(v));
}

const char *tw_item_s(const cJSON *item, const char *name)
{
    return tw_json_str(cJSON_GetObjectItemCaseSensitive(item, name), "S");
}

int tw_item_n(const cJSON *item, const char *name, int64_t *out)
{
    const char *s = tw_json_str(cJSON_GetObjectItemCaseSensitive(item, name), "N");
    char *end = NULL;
    long long v;

    if (s == NULL || *s == '\0')
        return -SIM_ENOENT;
    v = strtoll(s, &end, 10);
    if (*end == '.') { /* "12.0": keep the integer part, require digits after the point */
        for (end++; *end >= '0' && *end <= '9'; end++)
            ;
    }
    if (*end != '\0')
        return -SIM_ENOENT;
    *out = (int64_t)v;
    return 0;
}

cJSON *tw_key1(const char *name, const char *v)
{
    cJSON *key = cJSON_CreateObject();

    if (key != NULL && tw_item_add_s(key, name, v) != 0) {
        cJSON_Delete(key);
        return NULL;
    }
    return key;
}

cJSON *tw_key2(const char *n1, const char *v1, const char *n2, const char *v2)
{
    cJSON *key = tw_key1(n1, v1);

    if (key != NULL && tw_item_add_s(key, n2, v2) != 0) {
        cJSON_Delete(key);
        return NULL;
    }
    return key;
}

cJSON *tw_user_dto(const char *alias, const char *first, const char *last, const char *image)
{
    cJSON *u = cJSON_CreateObject();

    if (u == NULL || cJSON_AddStringToObject(u, "firstName", first ? first : "") == NULL ||
        cJSON_AddStringToObject(u, "lastName", last ? last : "") == NULL ||
        cJSON_AddStringToObject(u, "alias", alias ? alias : "") == NULL ||
        cJSON_AddStringToObject(u, "imageUrl", image ? image : "") == NULL) {
        cJSON_Delete(u);
        return NULL;
    }
    return u;
}

cJSON *tw_user_dto_from_item(const cJSON *item)
{
    const char *alias = tw_item_s(item, "alias");

    if (alias == NULL)
        return NULL;
    return tw_user_dto(alias, tw_item_s(item, "first_name"), tw_item_s(item, "last_name"),
                       tw_item_s(item, "image_url"));
}

/* StatusDto {post, user (taken), timestamp}; NULL on ENOMEM (user freed). */
static cJSON *status_doc(const char *post, cJSON *user, int64_t ts_ms)
{
    cJSON *s = user != NULL ? cJSON_CreateObject() : NULL;

    if (s == NULL || cJSON_AddStringToObject(s, "post", post) == NULL) {
        cJSON_Delete(s);
        cJSON_Delete(user);
        return NULL;
    }
    if (add_taken(s, "user", user) != 0 ||
        cJSON_AddNumberToObject(s, "timestamp", (double)ts_ms) == NULL) {
        cJSON_Delete(s);
        return NULL;
    }
    return s;
}

cJSON *tw_status_dto_from_feed(const cJSON *item)
{
    const char *post = tw_item_s(item, "post"), *author = tw_item_s(item, "author_alias");
    int64_t ts;

    if (post == NULL || author == NULL || tw_item_n(item, "timestamp", &ts) != 0)
        return NULL;
    return status_doc(post,
                      tw_user_dto(author, tw_item_s(item, "author_first_name"),
                                  tw_item_s(item, "author_last_name"),
                                  tw_item_s(item, "author_image_url")),
                      ts);
}

cJSON *tw_status_dto_from_story(const cJSON *item, const cJSON *owner_dto)
{
    const char *post = tw_item_s(item, "post");
    int64_t ts;

    if (post == NULL || owner_dto == NULL || tw_item_n(item, "timestamp", &ts) != 0)
        return NULL;
    return status_doc(post, cJSON_Duplicate(owner_dto, 1), ts);
}

int tw_status_read(const cJSON *dto, tw_status *out, const char **out_missing)
{
    const cJSON *user = cJSON_GetObjectItemCaseSensitive(dto, "user");
    tw_status st;

    memset(&st, 0, sizeof(st));
    if ((st.post = tw_json_str(dto, "post")) == NULL) {
        *out_missing = "post";
        return -SIM_EINVAL;
    }
    if (!cJSON_IsObject(user)) {
        *out_missing = "user";
        return -SIM_EINVAL;
    }
    if ((st.alias = tw_json_str(user, "alias")) == NULL) {
        *out_missing = "user.alias";
        return -SIM_EINVAL;
    }
    st.first_name = tw_json_str(user, "firstName");
    st.last_name = tw_json_str(user, "lastName");
    st.image_url = tw_json_str(user, "imageUrl");
    st.first_name = st.first_name ? st.first_name : "";
    st.last_name = st.last_name ? st.last_name : "";
    st.image_url = st.image_url ? st.image_url : "";
    st.has_timestamp =
        json_i64(cJSON_GetObjectItemCaseSensitive(dto, "timestamp"), &st.timestamp_ms) == 0;
    *out = st;
    return 0;
}

cJSON *tw_status_dto(const tw_status *st)
{
    return status_doc(st->post,
                      tw_user_dto(st->alias, st->first_name, st->last_name, st->image_url),
                      st->timestamp_ms);
}

cJSON *tw_feed_row(const char *receiver, const tw_status *st)
{
    char key[TW_FEED_KEY_MAX];
    cJSON *row = NULL;

    if (tw_feed_key(st->timestamp_ms, st->alias, key, sizeof(key)) != 0)
        return NULL;
    if ((row = cJSON_CreateObject()) == NULL || tw_item_add_s(row, "alias", receiver) != 0 ||
        tw_item_add_s(row, "time_alias", key) != 0 ||
        tw_item_add_s(row, "author_alias", st->alias) != 0 ||
        tw_item_add_n(row, "timestamp", st->timestamp_ms) != 0 ||
        tw_item_add_s(row, "post", st->post) != 0 ||
        tw_item_add_s(row, "author_first_name", st->first_name) != 0 ||
        tw_item_add_s(row, "author_last_name", st->last_name) != 0 ||
        tw_item_add_s(row, "author_image_url", st->image_url) != 0) {
        cJSON_Delete(row);
        return NULL;
    }
    return row;
}

int tw_page_start_key(tw_page_kind kind, const char *user_alias, const cJSON *last_item,
                      cJSON **out_key)
{
    const char *last_alias;
    char fkey[TW_FEED_KEY_MAX];
    int64_t ts;
    cJSON *key = NULL;

    if (last_item == NULL || cJSON_IsNull(last_item)) {
        *out_key = NULL;
        return 0;
    }
    switch (kind) {
    case TW_PAGE_FOLLOWERS:
    case TW_PAGE_FOLLOWEES:
        if ((last_alias = tw_json_str(last_item, "alias")) == NULL)
            return -SIM_EINVAL;
        key = kind == TW_PAGE_FOLLOWERS
                  ? tw_key2("follower_handle", last_alias, "followee_handle", user_alias)
                  : tw_key2("follower_handle", user_alias, "followee_handle", last_alias);
        break;
    case TW_PAGE_STORY:
        if (json_i64(cJSON_GetObjectItemCaseSensitive(last_item, "timestamp"), &ts) != 0)
            return -SIM_EINVAL;
        if ((key = tw_key1("alias", user_alias)) != NULL &&
            tw_item_add_n(key, "timestamp", ts) != 0) {
            cJSON_Delete(key);
            key = NULL;
        }
        break;
    case TW_PAGE_FEED:
        last_alias = tw_json_str(cJSON_GetObjectItemCaseSensitive(last_item, "user"), "alias");
        if (last_alias == NULL ||
            json_i64(cJSON_GetObjectItemCaseSensitive(last_item, "timestamp"), &ts) != 0 ||
            tw_feed_key(ts, last_alias, fkey, sizeof(fkey)) != 0)
            return -SIM_EINVAL;
        key = tw_key2("alias", user_alias, "time_alias", fkey);
        break;
    default:
        return -SIM_EINVAL;
    }
    if (key == NULL)
        return -SIM_ENOMEM;
    *out_key = key;
    return 0;
}

int tw_password_hash(sim_rng *rng, unsigned long cost, const char *password, char *out,
                     size_t n)
{
    char rbytes[16], salt[CRYPT_GENSALT_OUTPUT_SIZE];
    struct crypt_data *data = NULL;
    const char *h;
    int rc = 0;

    if (cost < 4 || cost > 31)
        return -SIM_EINVAL;
    sim_rng_bytes(rng, rbytes, sizeof(rbytes));
    if (crypt_gensalt_rn("$2b$", cost, rbytes, (int)sizeof(rbytes), salt, (int)sizeof(salt)) ==
        NULL)
        return -SIM_EINVAL;
    if ((data = calloc(1, sizeof(*data))) == NULL) /* ~32 KiB: kept off the fiber stack */
        return -SIM_ENOMEM;
    h = crypt_rn(password, salt, data, (int)sizeof(*data));
    if (h == NULL || h[0] == '*' || strlen(h) >= n)
        rc = -SIM_EINVAL;
    else
        memcpy(out, h, strlen(h) + 1);
    free(data);
    return rc;
}

int tw_password_ok(const char *password, const char *hash)
{
    struct crypt_data *data = NULL;
    const char *h;
    size_t i, len;
    unsigned char diff = 0;

    if (password == NULL || hash == NULL || strncmp(hash, "$2", 2) != 0)
        return 0;
    if ((data = calloc(1, sizeof(*data))) == NULL)
        return 0;
    h = crypt_rn(password, hash, data, (int)sizeof(*data));
    len = strlen(hash);
    if (h == NULL || h[0] == '*' || strlen(h) != len) {
        free(data);
        return 0;
    }
    for (i = 0; i < len; i++)
        diff |= (unsigned char)(h[i] ^ hash[i]);
    free(data);
    return diff == 0;
}

cJSON *tw_query_req(const char *table, const char *index, const char *key_name,
                    const char *key_val, int limit, int forward, cJSON *start_key)
{
    cJSON *req = cJSON_CreateObject(), *names, *vals;

    if (req == NULL || cJSON_AddStringToObject(req, "TableName", table) == NULL ||
        (index != NULL && cJSON_AddStringToObject(req, "IndexName", index) == NULL) ||
        cJSON_AddStringToObject(req, "KeyConditionExpression", "#k = :k") == NULL ||
        (names = cJSON_AddObjectToObject(req, "ExpressionAttributeNames")) == NULL ||
        cJSON_AddStringToObject(names, "#k", key_name) == NULL ||
        (vals = cJSON_AddObjectToObject(req, "ExpressionAttributeValues")) == NULL ||
        tw_item_add_s(vals, ":k", key_val) != 0 ||
        (limit > 0 && cJSON_AddNumberToObject(req, "Limit", limit) == NULL) ||
        cJSON_AddBoolToObject(req, "ScanIndexForward", forward ? 1 : 0) == NULL) {
        cJSON_Delete(req);
        cJSON_Delete(start_key);
        return NULL;
    }
    if (start_key != NULL && add_taken(req, "ExclusiveStartKey", start_key) != 0) {
        cJSON_Delete(req);
        return NULL;
    }
    return req;
}

cJSON *tw_page_resp(cJSON *items, int has_more)
{
    cJSON *r = tw_resp_ok();

    if (r == NULL || add_taken(r, "items", items) != 0) {
        if (r == NULL)
            cJSON_Delete(items);
        cJSON_Delete(r);
        return NULL;
    }
    if (cJSON_AddBoolToObject(r, "hasMore", has_more ? 1 : 0) == NULL) {
        cJSON_Delete(r);
        return NULL;
    }
    return r;
}

cJSON *tw_resp_ok(void)
{
    cJSON *r = cJSON_CreateObject();

    if (r == NULL || cJSON_AddTrueToObject(r, "success") == NULL ||
        cJSON_AddNullToObject(r, "message") == NULL) {
        cJSON_Delete(r);
        return NULL;
    }
    return r;
}

sim_time_us tw_backoff_full_jitter(sim_rng *rng, int attempt, sim_time_us base_us,
                                   sim_time_us cap_us)
{
    sim_time_us ceil_us = base_us;
    int i;

    for (i = 0; i < attempt && ceil_us < cap_us; i++)
        ceil_us *= 2;
    if (ceil_us > cap_us)
        ceil_us = cap_us;
    return (sim_time_us)sim_rng_below(rng, (uint64_t)ceil_us + 1);
}

sim_time_us tw_backoff_linear(int retry, sim_time_us first_us, sim_time_us step_us,
                              sim_time_us cap_us)
{
    sim_time_us d = first_us + step_us * (sim_time_us)(retry < 0 ? 0 : retry);

    return d > cap_us ? cap_us : d;
}

/* The avatar document: colour, then two initials. */
#define TW_AVATAR_FMT                                                                       \
    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"128\" height=\"128\" "               \
    "viewBox=\"0 0 128 128\"><circle cx=\"64\" cy=\"64\" r=\"64\" fill=\"%s\"/>"          \
    "<text x=\"64\" y=\"64\" dy=\".35em\" text-anchor=\"middle\" "                         \
    "font-family=\"Helvetica,Arial,sans-serif\" font-size=\"52\" fill=\"#FFFFFF\">"         \
    "%c%c</text></svg>\n"

/* Avatar colours (Material palette, 600 shades). */
static const char *const avatar_colours[] = {
    "#1E88E5", "#E53935", "#43A047", "#FB8C00", "#8E24AA", "#00ACC1", "#6D4C41", "#3949AB",
};

/* First character of s if alphanumeric ASCII, else '?'. */
static char initial(const char *s)
{
    char c = s != NULL ? s[0] : '\0';

    if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return c;
    if (c >= 'a' && c <= 'z')
        return (char)(c - 'a' + 'A');
    return '?';
}

char *tw_avatar_svg(int index, const char *first, const char *last)
{
    size_t ncol = sizeof(avatar_colours) / sizeof(avatar_colours[0]);
    const char *colour = avatar_colours[(size_t)(index < 0 ? -index : index) % ncol];
    size_t n = sizeof(TW_AVATAR_FMT) + 16;
    char *svg = malloc(n);

    if (svg != NULL)
        snprintf(svg, n, TW_AVATAR_FMT, colour, initial(first), initial(last));
    return svg;
}
