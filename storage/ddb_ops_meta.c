/* ddb_ops_meta.c - control-plane operations around tables: TagResource, UntagResource,
 * ListTagsOfResource, UpdateTimeToLive, DescribeTimeToLive, DescribeLimits and
 * DescribeEndpoints, and the per-table meta entries (tags, TTL attribute) they keep.
 * Entries live in the service (svc->meta), keyed by TableId; the TTL sweep is ddb_ttl.c.
 * Sources: DynamoDB API reference (API_TagResource, API_UntagResource,
 * API_ListTagsOfResource, API_UpdateTimeToLive, API_DescribeTimeToLive, API_DescribeLimits,
 * API_DescribeEndpoints), developer guide "Tagging restrictions" (50 tags, key 1..128,
 * value 0..256, letters, numbers, spaces and + - = . _ : / @, no aws: prefix); messages as
 * dynalite gives them, and (added) the tag and TTL ones as DynamoDB answers them, recorded
 * live by the ack-api-quirks catalogue (DDB-TABLE-107, -110, -372, -442). */
#include "storage/ddb_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core/sim_err.h"

/* ---- meta entries ---- */

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p != NULL)
        memcpy(p, s, n);
    return p;
}

static void meta_release(ddb_meta *m)
{
    free(m->name);
    cJSON_Delete(m->tags);
    free(m->ttl_attr);
}

/* 1 when entry m still belongs to a live table. */
static int meta_live(const ddb_service *svc, const ddb_meta *m)
{
    const ddb_table *t = ddb__table_find(svc, m->name);
    return t != NULL && strcmp(t->table_id, m->table_id) == 0;
}

ddb_meta *ddb__meta_get(ddb_service *svc, const ddb_table *t, int create)
{
    ddb_meta *found = NULL;
    int j = 0;
    for (int i = 0; i < svc->nmeta; i++) {
        if (!meta_live(svc, &svc->meta[i])) {
            meta_release(&svc->meta[i]);
            continue;
        }
        svc->meta[j] = svc->meta[i];
        if (strcmp(svc->meta[j].table_id, t->table_id) == 0)
            found = &svc->meta[j];
        j++;
    }
    svc->nmeta = j;
    if (found != NULL || !create)
        return found;
    if (svc->nmeta == svc->meta_cap) {
        int cap = svc->meta_cap ? svc->meta_cap * 2 : 8;
        ddb_meta *n = realloc(svc->meta, (size_t)cap * sizeof *n);
        if (n == NULL)
            return NULL;
        svc->meta = n;
        svc->meta_cap = cap;
    }
    ddb_meta *m = &svc->meta[svc->nmeta];
    memset(m, 0, sizeof *m);
    memcpy(m->table_id, t->table_id, sizeof m->table_id);
    if ((m->name = dup_str(t->name)) == NULL)
        return NULL;
    svc->nmeta++;
    return m;
}

void ddb__meta_free(ddb_service *svc)
{
    if (svc->ttl_timer_used)
        sim_timer_stop(svc->sched, &svc->ttl_timer);
    for (int i = 0; i < svc->nmeta; i++)
        meta_release(&svc->meta[i]);
    free(svc->meta);
    svc->meta = NULL;
    svc->nmeta = svc->meta_cap = 0;
}

int ddb__meta_to_def(ddb_service *svc, const ddb_table *t, cJSON *def)
{
    const ddb_meta *m = ddb__meta_get(svc, t, 0);
    if (m == NULL)
        return 0;
    cJSON *tags = m->tags != NULL && m->tags->child != NULL ? cJSON_Duplicate(m->tags, 1) : NULL;
    if (m->tags != NULL && m->tags->child != NULL &&
        (tags == NULL || !cJSON_AddItemToObject(def, "Tags", tags))) {
        cJSON_Delete(tags);
        return -SIM_ENOMEM;
    }
    if (m->ttl_attr != NULL &&
        cJSON_AddStringToObject(def, "TimeToLiveAttribute", m->ttl_attr) == NULL)
        return -SIM_ENOMEM;
    return 0;
}

int ddb__meta_from_def(ddb_service *svc, const ddb_table *t, const cJSON *def)
{
    const cJSON *tags = cJSON_GetObjectItemCaseSensitive(def, "Tags");
    const cJSON *ttl = cJSON_GetObjectItemCaseSensitive(def, "TimeToLiveAttribute");
    if (!cJSON_IsArray(tags) && !cJSON_IsString(ttl))
        return 0;
    ddb_meta *m = ddb__meta_get(svc, t, 1);
    if (m == NULL)
        return -SIM_ENOMEM;
    if (cJSON_IsArray(tags) && (m->tags = cJSON_Duplicate(tags, 1)) == NULL)
        return -SIM_ENOMEM;
    if (cJSON_IsString(ttl)) {
        if ((m->ttl_attr = dup_str(ttl->valuestring)) == NULL)
            return -SIM_ENOMEM;
        ddb__ttl_arm(svc);
    }
    return 0;
}

/* Set (add or overwrite) tag key=value in m. 0 or -SIM_ENOMEM. */
static int tag_set(ddb_meta *m, const char *key, const char *value)
{
    if (m->tags == NULL && (m->tags = cJSON_CreateArray()) == NULL)
        return -SIM_ENOMEM;
    cJSON *e;
    cJSON_ArrayForEach(e, m->tags)
    {
        if (strcmp(cJSON_GetObjectItemCaseSensitive(e, "Key")->valuestring, key) == 0) {
            cJSON *v = cJSON_CreateString(value);
            if (v == NULL)
                return -SIM_ENOMEM;
            cJSON_ReplaceItemInObjectCaseSensitive(e, "Value", v);
            return 0;
        }
    }
    cJSON *t = cJSON_CreateObject();
    if (t == NULL || cJSON_AddStringToObject(t, "Key", key) == NULL ||
        cJSON_AddStringToObject(t, "Value", value) == NULL) {
        cJSON_Delete(t);
        return -SIM_ENOMEM;
    }
    cJSON_AddItemToArray(m->tags, t);
    return 0;
}

/* Number of keys of tags (a valid Tags list) that m does not have yet. */
static int tags_new_count(const ddb_meta *m, const cJSON *tags)
{
    int n = 0;
    const cJSON *e, *f;
    cJSON_ArrayForEach(e, tags)
    {
        const char *k = cJSON_GetObjectItemCaseSensitive(e, "Key")->valuestring;
        int have = 0;
        if (m != NULL)
            cJSON_ArrayForEach(f, m->tags)
            {
                if (strcmp(cJSON_GetObjectItemCaseSensitive(f, "Key")->valuestring, k) == 0)
                    have = 1;
            }
        for (const cJSON *g = tags->child; g != e && !have; g = g->next)
            if (strcmp(cJSON_GetObjectItemCaseSensitive(g, "Key")->valuestring, k) == 0)
                have = 1;
        n += !have;
    }
    return n;
}

int ddb__meta_on_create(ddb_service *svc, const cJSON *req)
{
    const cJSON *tags = cJSON_GetObjectItemCaseSensitive(req, "Tags");
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(req, "TableName");
    if (!cJSON_IsArray(tags) || tags->child == NULL || !cJSON_IsString(name))
        return 0;
    ddb_table *t = ddb__table_find(svc, name->valuestring);
    if (t == NULL)
        return 0;
    ddb_meta *m = ddb__meta_get(svc, t, 1);
    if (m == NULL)
        return -SIM_ENOMEM;
    const cJSON *e;
    cJSON_ArrayForEach(e, tags)
    {
        const cJSON *k = cJSON_GetObjectItemCaseSensitive(e, "Key");
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(e, "Value");
        if (!cJSON_IsString(k) || !cJSON_IsString(v))
            continue;
        int rc = tag_set(m, k->valuestring, v->valuestring);
        if (rc != 0)
            return rc;
    }
    return ddb__table_save(svc, t); /* (added) tags persist with the table */
}

/* ---- request checks ---- */

/* (Added.) The next code point of UTF-8 text at *p (advanced), or -1 for a malformed one. */
static long utf8_next(const unsigned char **p)
{
    const unsigned char *s = *p;
    long c;
    int n;
    if (s[0] < 0x80) {
        *p = s + 1;
        return s[0];
    }
    if ((s[0] & 0xE0) == 0xC0)
        c = s[0] & 0x1F, n = 1;
    else if ((s[0] & 0xF0) == 0xE0)
        c = s[0] & 0x0F, n = 2;
    else if ((s[0] & 0xF8) == 0xF0)
        c = s[0] & 0x07, n = 3;
    else
        return -1;
    for (int i = 1; i <= n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return -1;
        c = (c << 6) | (s[i] & 0x3F);
    }
    *p = s + n + 1;
    return c;
}

/* (Added.) 1 when code point c may appear in a tag: AWS's tag pattern
 * ^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$ (developer guide, "Tagging restrictions"). ASCII and
 * Latin-1 are exact; above them the punctuation, symbol and emoji blocks are refused and
 * other code points (the scripts' letters and numbers) accepted, an approximation of the
 * Unicode categories. */
static int tag_char_ok(long c)
{
    if (c < 0x80)
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == ' ' || strchr("_.:/=+-@", (int)c) != NULL;
    if (c < 0x100) /* NBSP, the letters, ª º µ, the numbers ² ³ ¹ ¼ ½ ¾ */
        return c == 0xA0 || c == 0xAA || c == 0xBA || c == 0xB5 || c == 0xB2 || c == 0xB3 ||
               c == 0xB9 || (c >= 0xBC && c <= 0xBE) || (c >= 0xC0 && c != 0xD7 && c != 0xF7);
    if (c >= 0x2000 && c <= 0x206F) /* general punctuation: only its spaces */
        return c <= 0x200A || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F;
    if ((c >= 0x20A0 && c <= 0x20CF) ||   /* currency symbols */
        (c >= 0x2190 && c <= 0x2BFF) ||   /* arrows, math, technical, shapes, dingbats */
        (c >= 0x3001 && c <= 0x303F) ||   /* CJK punctuation (U+3000 is a space) */
        (c >= 0xFE00 && c <= 0xFE0F) ||   /* variation selectors */
        (c >= 0xFF01 && c <= 0xFF0F) ||   /* fullwidth punctuation */
        (c >= 0x1F000 && c <= 0x1FAFF) || /* emoji and pictographs */
        (c >= 0xD800 && c <= 0xDFFF) || c > 0x10FFFF)
        return 0;
    return 1;
}

/* (Added.) 1 when s has length lo..hi (in characters) and only tag characters. */
static int tag_text_ok(const char *s, size_t lo, size_t hi)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = 0;
    while (*p != '\0') {
        long c = utf8_next(&p);
        if (c < 0 || !tag_char_ok(c))
            return 0;
        n++;
    }
    return n >= lo && n <= hi;
}

int ddb__tags_check(const cJSON *tags, sim_reply *r)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, tags)
    {
        const cJSON *k = cJSON_GetObjectItemCaseSensitive(e, "Key");
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(e, "Value");
        const char *ks = cJSON_IsString(k) ? k->valuestring : NULL;
        const char *vs = cJSON_IsString(v) ? v->valuestring : NULL;
        if (ks == NULL || !tag_text_ok(ks, 1, 128))
            return ddb__validation(r, "The Tag Key provided is invalid, Key: %s",
                                   ks != NULL ? ks : "null");
        if (strncmp(ks, "aws:", 4) == 0)
            return ddb__validation(r, "Tag Key cannot be prefixed with aws:, Key: %s", ks);
        if (vs == NULL || !tag_text_ok(vs, 0, 256))
            return ddb__validation(r, "The Tag Value provided is invalid, Value: %s",
                                   vs != NULL ? vs : "null");
    }
    cJSON_ArrayForEach(e, tags)
    {
        const char *ks = cJSON_GetObjectItemCaseSensitive(e, "Key")->valuestring;
        for (const cJSON *f = tags->child; f != e; f = f->next)
            if (strcmp(cJSON_GetObjectItemCaseSensitive(f, "Key")->valuestring, ks) == 0)
                return ddb__validation(r,
                                       "Duplicate Tag Keys provided as input: Duplicate Tag "
                                       "Key found %s",
                                       ks);
    }
    return 0;
}

/* Length bounds of a string member; adds the AWS constraint messages to v. */
static void check_len(ddb_verr *v, const char *s, const char *path, size_t lo, size_t hi)
{
    char c[96];
    size_t n = strlen(s);
    if (n < lo) {
        snprintf(c, sizeof c, "Member must have length greater than or equal to %zu", lo);
        ddb__verr_add(v, s, path, c);
    } else if (n > hi) {
        snprintf(c, sizeof c, "Member must have length less than or equal to %zu", hi);
        ddb__verr_add(v, s, path, c);
    }
}

/*
 * Read ResourceArn and find its table. "arn:aws:dynamodb:<region>:<account>:table/<name>"
 * of this service's region and account; an absent ResourceArn or another shape is "Invalid
 * TableArn", an absent table ResourceNotFoundException. v must hold the other members' errors already:
 * they are reported first. 0 with *out, or -1 (r set).
 */
static int req_arn_table(ddb_service *svc, const char *arn, ddb_verr *v, ddb_table **out,
                         sim_reply *r)
{
    if (arn == NULL) /* before the other members' errors (dynalite test/tagResource.js,
                      * recorded against DynamoDB: {} gives "Invalid TableArn") */
        return ddb__validation(r, "Invalid TableArn");
    check_len(v, arn, "resourceArn", 1, 1283);
    if (ddb__verr_reply(v, r) != 0)
        return -1;
    char prefix[512];
    snprintf(prefix, sizeof prefix, "arn:aws:dynamodb:%s:%s:table/", svc->region,
             svc->account_id);
    const char *name = NULL;
    if (strncmp(arn, "arn:aws:dynamodb:", 17) == 0) {
        const char *p = strstr(arn + 17, ":table/");
        if (p != NULL && p[7] != '\0')
            name = p + 7;
    }
    if (name == NULL)
        return ddb__validation(r, "Invalid TableArn");
    ddb_table *t = NULL;
    if (strncmp(arn, prefix, strlen(prefix)) == 0 && strchr(name, '/') == NULL)
        t = ddb__table_find(svc, name);
    if (t == NULL) {
        /* sic: DynamoDB's own message spells it "ResourcArn" (as recorded by dynalite's
         * suite, which runs against DynamoDB) */
        sim_reply_err(r, 400, "ResourceNotFoundException",
                      "Requested resource not found: ResourcArn: %s not found", arn);
        return -1;
    }
    *out = t;
    return 0;
}

/* ---- tags ---- */

int ddb__op_tag_resource(ddb_service *svc, const cJSON *req, sim_reply *r)
{
    const char *arn = NULL;
    const cJSON *tags = NULL, *e;
    ddb_table *t = NULL;
    ddb_verr v;
    char path[64];
    int rc = DDB_EREPLY, i = 0;
    ddb__verr_init(&v);
    if (ddb__req_str(req, "ResourceArn", &arn, r) != 0 || ddb__req_list(req, "Tags", &tags, r))
        goto out;
    cJSON_ArrayForEach(e, tags)
    {
        const cJSON *tag = NULL;
        const char *k = NULL, *val = NULL;
        i++;
        if (ddb__val_struct(e, &tag, r) != 0 || ddb__req_str(tag, "Key", &k, r) != 0 ||
            ddb__req_str(tag, "Value", &val, r) != 0)
            goto out;
        if (tag == NULL) { /* a null element; a member's absence is ddb__tags_check's */
            snprintf(path, sizeof path, "tags.%d.member", i);
            ddb__verr_add(&v, NULL, path, "Member must not be null");
        }
    }
    if (tags == NULL)
        ddb__verr_add(&v, NULL, "tags", "Member must not be null");
    if (req_arn_table(svc, arn, &v, &t, r) != 0)
        goto out;
    if (tags->child == NULL) {
        rc = ddb__validation(r, "Atleast one Tag needs to be provided as Input.");
        goto out;
    }
    if (ddb__tags_check(tags, r) != 0) /* (added) */
        goto out;
    ddb_meta *m = ddb__meta_get(svc, t, 0);
    int have = m != NULL && m->tags != NULL ? cJSON_GetArraySize(m->tags) : 0;
    if (have + tags_new_count(m, tags) > DDB_TAGS_MAX) { /* counted after the merge */
        rc = ddb__validation(r, "%s", DDB_MSG_TAGS_MAX);
        goto out;
    }
    rc = -SIM_ENOMEM;
    if ((m = ddb__meta_get(svc, t, 1)) == NULL)
        goto out;
    cJSON_ArrayForEach(e, tags)
    {
        rc = tag_set(m, cJSON_GetObjectItemCaseSensitive(e, "Key")->valuestring,
                     cJSON_GetObjectItemCaseSensitive(e, "Value")->valuestring);
        if (rc != 0)
            goto out;
    }
    if ((rc = ddb__table_save(svc, t)) != 0) /* (added) tags persist with the table */
        goto out;
    sim_reply_ok(r, NULL);
    rc = 0;
out:
    return ddb__finish(rc, r);
}

int ddb__op_untag_resource(ddb_service *svc, const cJSON *req, sim_reply *r)
{
    const char *arn = NULL;
    const cJSON *keys = NULL, *e;
    ddb_table *t = NULL;
    ddb_verr v;
    char path[64];
    int rc = DDB_EREPLY, i = 0;
    ddb__verr_init(&v);
    if (ddb__req_str(req, "ResourceArn", &arn, r) != 0 ||
        ddb__req_list(req, "TagKeys", &keys, r) != 0)
        goto out;
    cJSON_ArrayForEach(e, keys)
    {
        i++;
        snprintf(path, sizeof path, "tagKeys.%d.member", i);
        if (cJSON_IsNull(e)) {
            ddb__verr_add(&v, NULL, path, "Member must not be null");
            continue;
        }
        if (!cJSON_IsString(e)) {
            sim_reply_err(r, 400, "SerializationException", "%s",
                          cJSON_IsObject(e) ? "Start of structure or map found where not expected."
                          : cJSON_IsArray(e) ? "Start of list found where not expected"
                                             : "Unexpected value type in payload");
            goto out;
        }
    }
    if (keys == NULL)
        ddb__verr_add(&v, NULL, "tagKeys", "Member must not be null");
    if (req_arn_table(svc, arn, &v, &t, r) != 0)
        goto out;
    if (keys->child == NULL) {
        rc = ddb__validation(r, "Atleast one Tag Key needs to be provided as Input.");
        goto out;
    }
    /* (added) each key as TagResource reads it, then at most 50 of them */
    cJSON_ArrayForEach(e, keys)
    {
        if (!tag_text_ok(e->valuestring, 1, 128)) {
            rc = ddb__validation(r, "The Tag Key provided is invalid, Key: %s", e->valuestring);
            goto out;
        }
    }
    if (cJSON_GetArraySize(keys) > DDB_TAGS_MAX) {
        rc = ddb__validation(r, "%s", DDB_MSG_TAGS_MAX);
        goto out;
    }
    ddb_meta *m = ddb__meta_get(svc, t, 0);
    if (m != NULL && m->tags != NULL) {
        cJSON_ArrayForEach(e, keys)
        {
            cJSON *tag = m->tags->child;
            while (tag != NULL) {
                cJSON *next = tag->next;
                if (strcmp(cJSON_GetObjectItemCaseSensitive(tag, "Key")->valuestring,
                           e->valuestring) == 0)
                    cJSON_Delete(cJSON_DetachItemViaPointer(m->tags, tag));
                tag = next;
            }
        }
        if ((rc = ddb__table_save(svc, t)) != 0) /* (added) */
            goto out;
    }
    sim_reply_ok(r, NULL);
    rc = 0;
out:
    return ddb__finish(rc, r);
}

int ddb__op_list_tags_of_resource(ddb_service *svc, const cJSON *req, sim_reply *r)
{
    const char *arn = NULL, *token = NULL;
    ddb_table *t = NULL;
    ddb_verr v;
    int rc = DDB_EREPLY;
    cJSON *body = NULL;
    ddb__verr_init(&v);
    if (ddb__req_str(req, "ResourceArn", &arn, r) != 0 ||
        ddb__req_str(req, "NextToken", &token, r) != 0 ||
        req_arn_table(svc, arn, &v, &t, r) != 0)
        goto out;
    rc = -SIM_ENOMEM;
    ddb_meta *m = ddb__meta_get(svc, t, 0);
    cJSON *list = m != NULL && m->tags != NULL ? cJSON_Duplicate(m->tags, 1)
                                               : cJSON_CreateArray();
    if (list == NULL || (body = cJSON_CreateObject()) == NULL) {
        cJSON_Delete(list);
        goto out;
    }
    cJSON_AddItemToObject(body, "Tags", list);
    sim_reply_ok(r, body);
    body = NULL;
    rc = 0;
out:
    cJSON_Delete(body);
    return ddb__finish(rc, r);
}

/* ---- time to live ---- */

/* TableName as the TTL operations read it; not found is "Table: <name> not found". */
static int ttl_table(ddb_service *svc, const cJSON *req, ddb_verr *v, ddb_table **out,
                     sim_reply *r)
{
    const char *name = NULL;
    if (ddb__req_str(req, "TableName", &name, r) != 0 ||
        ddb__check_table_name(name, "tableName", v, r) != 0)
        return -1;
    return name == NULL ? 0 : (*out = ddb__table_find(svc, name), 0);
}

static int ttl_not_found(const cJSON *req, sim_reply *r)
{
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(req, "TableName");
    sim_reply_err(r, 400, "ResourceNotFoundException",
                  "Requested resource not found: Table: %s not found", n->valuestring);
    return -1;
}

int ddb__op_update_time_to_live(ddb_service *svc, const cJSON *req, sim_reply *r)
{
    const cJSON *spec = NULL;
    const char *attr = NULL;
    int enabled = -1, rc = DDB_EREPLY;
    ddb_table *t = NULL;
    ddb_verr v;
    cJSON *body = NULL;
    ddb__verr_init(&v);
    if (ttl_table(svc, req, &v, &t, r) != 0 ||
        ddb__req_struct(req, "TimeToLiveSpecification", &spec, r) != 0 ||
        ddb__req_str(spec, "AttributeName", &attr, r) != 0 ||
        ddb__req_bool(spec, "Enabled", &enabled, r) != 0)
        goto out;
    if (spec == NULL) {
        ddb__verr_add(&v, NULL, "timeToLiveSpecification", "Member must not be null");
    } else {
        if (attr == NULL)
            ddb__verr_add(&v, NULL, "timeToLiveSpecification.attributeName",
                          "Member must not be null");
        else
            check_len(&v, attr, "timeToLiveSpecification.attributeName", 1, 255);
        if (enabled < 0)
            ddb__verr_add(&v, NULL, "timeToLiveSpecification.enabled", "Member must not be null");
    }
    if (ddb__verr_reply(&v, r) != 0)
        goto out;
    if (t == NULL) {
        ttl_not_found(req, r);
        goto out;
    }
    ddb_meta *m = ddb__meta_get(svc, t, 0);
    const char *cur = m != NULL ? m->ttl_attr : NULL;
    if (enabled && cur != NULL && strcmp(cur, attr) == 0) {
        rc = ddb__validation(r, "TimeToLive is already enabled");
        goto out;
    }
    if (enabled && cur != NULL) {
        rc = ddb__validation(r,
                             "TimeToLive is active on a different AttributeName: current "
                             "AttributeName is %s",
                             cur);
        goto out;
    }
    if (!enabled && cur == NULL) {
        rc = ddb__validation(r, "TimeToLive is already disabled");
        goto out;
    }
    /* (added) one change an hour, checked after the ones above (API_UpdateTimeToLive: "Any
     * additional UpdateTimeToLive calls for the same table during this one hour duration
     * result in a ValidationException") */
    sim_time_us now = ddb__now(svc);
    if (m != NULL && m->ttl_changed && now < m->ttl_changed_us + DDB_TTL_COOLDOWN_US) {
        rc = ddb__validation(r, "Time to live has been modified multiple times within a fixed "
                                "interval");
        goto out;
    }
    rc = -SIM_ENOMEM;
    if ((body = cJSON_CreateObject()) == NULL)
        goto out;
    cJSON *s = cJSON_AddObjectToObject(body, "TimeToLiveSpecification");
    if (s == NULL || cJSON_AddBoolToObject(s, "Enabled", enabled) == NULL ||
        cJSON_AddStringToObject(s, "AttributeName", attr) == NULL)
        goto out;
    if (enabled) {
        char *a = dup_str(attr);
        if (a == NULL || (m = ddb__meta_get(svc, t, 1)) == NULL) {
            free(a);
            goto out;
        }
        m->ttl_attr = a;
        ddb__ttl_arm(svc);
    } else {
        free(m->ttl_attr);
        m->ttl_attr = NULL;
    }
    m->ttl_changed = 1;
    m->ttl_changed_us = now;
    if ((rc = ddb__table_save(svc, t)) != 0) /* (added) the TTL setting persists */
        goto out;
    sim_reply_ok(r, body);
    body = NULL;
    rc = 0;
out:
    cJSON_Delete(body);
    return ddb__finish(rc, r);
}

int ddb__op_describe_time_to_live(ddb_service *svc, const cJSON *req, sim_reply *r)
{
    ddb_table *t = NULL;
    ddb_verr v;
    int rc = DDB_EREPLY;
    cJSON *body = NULL;
    ddb__verr_init(&v);
    if (ttl_table(svc, req, &v, &t, r) != 0 || ddb__verr_reply(&v, r) != 0)
        goto out;
    if (t == NULL) {
        ttl_not_found(req, r);
        goto out;
    }
    if (t->status == DDB_ST_CREATING || t->status == DDB_ST_DELETING) { /* (added) */
        const char *st = ddb__status_name(t->status);
        rc = ddb__validation(r,
                             "Cannot describe time to live while table is in %s state: Current "
                             "table state is %s",
                             st, st);
        goto out;
    }
    const ddb_meta *m = ddb__meta_get(svc, t, 0);
    rc = -SIM_ENOMEM;
    if ((body = cJSON_CreateObject()) == NULL)
        goto out;
    cJSON *d = cJSON_AddObjectToObject(body, "TimeToLiveDescription");
    if (d == NULL)
        goto out;
    if (m != NULL && m->ttl_attr != NULL) {
        if (cJSON_AddStringToObject(d, "TimeToLiveStatus", "ENABLED") == NULL ||
            cJSON_AddStringToObject(d, "AttributeName", m->ttl_attr) == NULL)
            goto out;
    } else if (cJSON_AddStringToObject(d, "TimeToLiveStatus", "DISABLED") == NULL) {
        goto out;
    }
    sim_reply_ok(r, body);
    body = NULL;
    rc = 0;
out:
    cJSON_Delete(body);
    return ddb__finish(rc, r);
}

/* ---- limits and endpoints ---- */

int ddb__op_describe_limits(ddb_service *svc, const cJSON *req, sim_reply *r)
{
    (void)svc;
    (void)req;
    cJSON *body = cJSON_CreateObject();
    if (body == NULL || cJSON_AddNumberToObject(body, "AccountMaxReadCapacityUnits", 80000) == NULL ||
        cJSON_AddNumberToObject(body, "AccountMaxWriteCapacityUnits", 80000) == NULL ||
        cJSON_AddNumberToObject(body, "TableMaxReadCapacityUnits", 40000) == NULL ||
        cJSON_AddNumberToObject(body, "TableMaxWriteCapacityUnits", 40000) == NULL) {
        cJSON_Delete(body);
        return ddb__internal(r, -SIM_ENOMEM);
    }
    sim_reply_ok(r, body);
    return 0;
}

int ddb__op_describe_endpoints(ddb_service *svc, const cJSON *req, sim_reply *r)
{
    (void)req;
    char addr[300];
    snprintf(addr, sizeof addr, "dynamodb.%s.amazonaws.com", svc->region);
    cJSON *body = cJSON_CreateObject();
    cJSON *list = body != NULL ? cJSON_AddArrayToObject(body, "Endpoints") : NULL;
    cJSON *ep = cJSON_CreateObject();
    if (list == NULL || ep == NULL || cJSON_AddStringToObject(ep, "Address", addr) == NULL ||
        cJSON_AddNumberToObject(ep, "CachePeriodInMinutes", 1440) == NULL) {
        cJSON_Delete(ep);
        cJSON_Delete(body);
        return ddb__internal(r, -SIM_ENOMEM);
    }
    cJSON_AddItemToArray(list, ep);
    sim_reply_ok(r, body);
    return 0;
}
