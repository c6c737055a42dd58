/* ddb_validate.c - the request validator of the table service: one walk over a request's
 * JSON against its operation's input shape (tables generated from botocore's model by
 * scripts/gen_ddb_model.py), giving AWS's SerializationException for a wrong JSON type and
 * its "N validation errors detected" ValidationException for failed constraints. It knows
 * shapes, not tables: keys against a schema, expressions and limits are ddb_ops_*.c's.
 * Messages: as AWS sends them, recorded by dynalite (validations/index.js, test/helpers.js). */
#include "storage/ddb_validate.h"

#include "storage/ddb_attr.h"
#include "sim/core/sim_err.h"

#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Where a value sits: AWS's deserializer words its type errors by position. */
enum pos { POS_MEMBER = 0, POS_ELEM, POS_VALUE };

#define ERRBUF_BYTES 16384 /* joined constraint errors */
#define VALUE_BYTES  4096  /* one printed value */

/* Where the walk is, kept as a chain of frames on the C stack and spelt out only when an
 * error is reported ("keySchema.1.member.attributeName"). */
typedef struct vpath {
    const struct vpath *up; /* the enclosing value's frame; NULL at the request */
    const char *seg;        /* member segment or map key; NULL for a list element */
    int index;              /* a list element's 1-based index */
    int member;             /* 1 for a list element or map value: "<seg>.member" */
} vpath;

/* The walk's state: the first type error, the constraint errors so far, the current path. */
typedef struct vstate {
    sim_reply *r;
    const char *first; /* a message reported alone, before the joined list (static text) */
    int types_only;    /* 1: JSON types only, no constraints */
    int coerce;        /* 1: a Boolean member was sent as a string */
    int nerr;          /* constraint errors listed (at most DDB_VALIDATE_ERRORS_MAX) */
    size_t len;        /* bytes used in buf */
    const vpath *at;   /* the value being checked; NULL at the request */
    char buf[ERRBUF_BYTES];
} vstate;

/* A bounded string builder over a caller's buffer; output past cap is dropped. */
typedef struct sbuf {
    char *p;
    size_t cap, len;
} sbuf;

static void sb_put(sbuf *b, const char *s, size_t n)
{
    if (b->len + 1 >= b->cap)
        return;
    size_t room = b->cap - 1 - b->len;
    if (n > room)
        n = room;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void sb_str(sbuf *b, const char *s)
{
    sb_put(b, s, strlen(s));
}

static void sb_fmt(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_fmt(sbuf *b, const char *fmt, ...)
{
    char tmp[160];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n > 0)
        sb_put(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* ---- the model table ---- */

const ddb_op_model *ddb_model_op(const char *op)
{
    int lo = 0, hi = ddb_model_nops;
    while (op != NULL && lo < hi) {
        int mid = (lo + hi) / 2;
        int c = strcmp(ddb_model_ops[mid].op, op);
        if (c == 0)
            return &ddb_model_ops[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* ---- values ---- */

/* A JSON number as the member's Java integer type reads it: floored, then clamped to the
 * type's range (Java's narrowing of a double, JLS 5.1.3). */
static int64_t as_integer(const cJSON *v, int kind)
{
    double d = floor(v->valuedouble);
    int is_int = kind == DDB_SK_INTEGER;
    double hi = is_int ? 2147483647.0 : 9223372036854775807.0;
    double lo = is_int ? -2147483648.0 : -9223372036854775808.0;
    if (d != d)
        return 0;
    if (d >= hi)
        return is_int ? INT32_MAX : INT64_MAX;
    if (d <= lo)
        return is_int ? INT32_MIN : INT64_MIN;
    return (int64_t)d;
}

/* Length of UTF-8 text s in UTF-16 code units, as Java's String.length() counts. */
static int64_t utf16_len(const char *s)
{
    int64_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        if ((*p & 0xC0) != 0x80)
            n++;
        if (*p >= 0xF0)
            n++; /* a supplementary character is a surrogate pair */
    }
    return n;
}


/* NULL when s is canonical base64 (RFC 4648 section 4, padded), else AWS's message
 * (written into msg, cap bytes). */
static const char *b64_error(const char *s, char *msg, size_t cap)
{
    size_t n = strlen(s), pad = 0;
    if (n % 4 != 0) {
        snprintf(msg, cap, "Base64 encoded length is expected a multiple of 4 bytes but found: %zu",
                 n);
        return msg;
    }
    while (pad < 2 && pad < n && s[n - 1 - pad] == '=')
        pad++;
    for (size_t i = 0; i < n - pad; i++)
        if (ddb_b64_val((unsigned char)s[i]) < 0)
            return "Invalid last non-pad Base64 character dectected";
    if (pad > 0) {
        /* the bits of the last character past the data must be zero */
        int last = ddb_b64_val((unsigned char)s[n - pad - 1]);
        int mask = pad == 1 ? 0x03 : 0x0F;
        if ((last & mask) != 0)
            return "Invalid last non-pad Base64 character dectected";
    }
    return NULL;
}

/* 1 when the string matches pattern p (one class, repeated). */
static int pattern_match(const ddb_pattern *p, const char *s)
{
    size_t n = 0;
    for (const unsigned char *c = (const unsigned char *)s; *c != '\0'; c++, n++)
        if (!(p->set[*c >> 3] & (1u << (*c & 7))))
            return 0;
    return n >= (size_t)p->min_rep;
}

/* FNV-1a over a JSON value's member names, strings and numbers: the stand-in for the
 * identity hash Java prints for an object without its own toString. */
static uint32_t json_hash(const cJSON *v, uint32_t h)
{
    const unsigned char *p;
    for (; v != NULL; v = v->next) {
        for (p = (const unsigned char *)(v->string ? v->string : ""); *p; p++)
            h = (h ^ *p) * 16777619u;
        if (cJSON_IsString(v))
            for (p = (const unsigned char *)v->valuestring; *p; p++)
                h = (h ^ *p) * 16777619u;
        else if (cJSON_IsNumber(v))
            h = (h ^ (uint32_t)(int64_t)v->valuedouble) * 16777619u;
        else
            h = (h ^ (uint32_t)v->type) * 16777619u;
        if (v->child != NULL)
            h = json_hash(v->child, h);
    }
    return h;
}

/* Print v (of shape sh; NULL or JSON null prints null) as AWS's Java toString does:
 * strings bare, lists "[a, b]", maps "{k=v}", blobs as their ByteBuffer, structures as
 * "<class>@<hash>". */
static void print_value(sbuf *b, const ddb_shape *sh, const cJSON *v)
{
    const cJSON *e;
    int first = 1;
    if (v == NULL || cJSON_IsNull(v)) {
        sb_str(b, "null");
        return;
    }
    switch (sh->kind) {
    case DDB_SK_STRING:
        sb_str(b, v->valuestring);
        return;
    case DDB_SK_INTEGER:
    case DDB_SK_LONG:
        sb_fmt(b, "%lld", (long long)as_integer(v, sh->kind));
        return;
    case DDB_SK_BOOLEAN:
        if (cJSON_IsString(v)) {
            char c = v->valuestring[0];
            sb_str(b, c == 't' || c == 'T' || c == 'y' || c == 'Y' || c == '1' ? "true" : "false");
        } else {
            sb_str(b, cJSON_IsTrue(v) ? "true" : "false");
        }
        return;
    case DDB_SK_BLOB: {
        long long n = (long long)ddb_b64_len(v->valuestring);
        sb_fmt(b, "java.nio.HeapByteBuffer[pos=0 lim=%lld cap=%lld]", n, n);
        return;
    }
    case DDB_SK_LIST:
        sb_str(b, "[");
        cJSON_ArrayForEach(e, v)
        {
            if (!first)
                sb_str(b, ", ");
            first = 0;
            print_value(b, sh->elem, e);
        }
        sb_str(b, "]");
        return;
    case DDB_SK_MAP:
        sb_str(b, "{");
        cJSON_ArrayForEach(e, v)
        {
            if (!first)
                sb_str(b, ", ");
            first = 0;
            sb_str(b, e->string);
            sb_str(b, "=");
            print_value(b, sh->elem, e);
        }
        sb_str(b, "}");
        return;
    default:
        sb_fmt(b, "%s@%x", sh->java, (unsigned)json_hash(v->child, 2166136261u));
        return;
    }
}

/* ---- errors ---- */

/* Write a SerializationException into the reply. Returns -1. */
static int serial(vstate *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int serial(vstate *s, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    sim_reply_err(s->r, 400, "SerializationException", "%s", msg);
    return -1;
}

/* Spell out the path of frame p into b. */
static void path_render(sbuf *b, const vpath *p)
{
    if (p == NULL)
        return;
    path_render(b, p->up);
    if (p->up != NULL)
        sb_str(b, ".");
    if (p->seg != NULL)
        sb_str(b, p->seg);
    else
        sb_fmt(b, "%d", p->index);
    if (p->member)
        sb_str(b, ".member");
}

/* Add "Value <v> at '<path>' failed to satisfy constraint: <constraint>" (v of shape sh,
 * NULL for null; quoted unless null). Past the cap it is dropped. */
static void add_err(vstate *s, const ddb_shape *sh, const cJSON *v, const char *constraint)
{
    if (s->nerr >= DDB_VALIDATE_ERRORS_MAX || s->types_only)
        return;
    sbuf b = { s->buf, sizeof s->buf, s->len };
    char val[VALUE_BYTES];
    sbuf vb = { val, sizeof val, 0 };
    val[0] = '\0';
    if (s->nerr > 0)
        sb_str(&b, "; ");
    sb_str(&b, "Value ");
    if (v == NULL || cJSON_IsNull(v)) {
        sb_str(&b, "null");
    } else {
        print_value(&vb, sh, v);
        sb_str(&b, "'");
        sb_str(&b, val);
        sb_str(&b, "'");
    }
    sb_str(&b, " at '");
    path_render(&b, s->at);
    sb_str(&b, "' failed to satisfy constraint: ");
    sb_str(&b, constraint);
    s->len = b.len;
    s->nerr++;
}

/* The constraint phrases of a shape, into b joined by ", ": as AWS lists them inside
 * "Map keys/value must satisfy constraint: [...]" (maximum first). */
static void constraint_list(sbuf *b, const ddb_shape *sh)
{
    int n = 0;
    int is_len = sh->kind != DDB_SK_INTEGER && sh->kind != DDB_SK_LONG;
    if (sh->has_max)
        sb_fmt(b, "%sMember must have %s less than or equal to %lld", n++ ? ", " : "",
               is_len ? "length" : "value", (long long)sh->max);
    if (sh->has_min)
        sb_fmt(b, "%sMember must have %s greater than or equal to %lld", n++ ? ", " : "",
               is_len ? "length" : "value", (long long)sh->min);
    if (sh->pattern != NULL) {
        sb_str(b, n++ ? ", " : "");
        sb_str(b, "Member must satisfy regular expression pattern: ");
        sb_str(b, sh->pattern->text);
    }
    if (sh->enums != NULL) {
        sb_str(b, n++ ? ", " : "");
        sb_str(b, "Member must satisfy enum value set: ");
        sb_str(b, sh->enum_text);
    }
}

/* 1 when shape sh has constraints of its own (length, range, pattern, enum). */
static int has_own(const ddb_shape *sh)
{
    return sh->has_min || sh->has_max || sh->pattern != NULL || sh->enums != NULL;
}

/* ---- types ---- */

/* A string as AWS's parser reads it for a Boolean: true/yes/1 is 1, false/no/0 is 0, in any
 * case; anything else is -1. */
static int bool_text(const char *t)
{
    static const char *const words[] = { "false", "true", "no", "yes", "0", "1" };
    for (int i = 0; i < 6; i++) {
        size_t k = 0;
        while (words[i][k] != '\0' && (t[k] | 0x20) == words[i][k])
            k++;
        if (words[i][k] == '\0' && t[k] == '\0')
            return i % 2;
    }
    return -1;
}

/* Check the JSON type of v (present, not JSON null) for shape sh at position pos. 0, or -1
 * with the SerializationException written. */
static __attribute__((noinline)) int type_check(vstate *s, const ddb_shape *sh, const cJSON *v,
                                                int pos)
{
    static const char cast_msg[] =
        "class sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl cannot be cast to "
        "class java.lang.Class (sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl "
        "and java.lang.Class are in module java.base of loader 'bootstrap')";
    static const char obj_msg[] = "Start of structure or map found where not expected";
    const char *num = NULL;
    char msg[128];
    if (cJSON_IsNumber(v))
        num = v->valuedouble == floor(v->valuedouble) ? "NUMBER_VALUE" : "DECIMAL_VALUE";
    switch (sh->kind) {
    case DDB_SK_STRING:
        if (cJSON_IsString(v))
            return 0;
        if (cJSON_IsBool(v))
            return serial(s, "%s cannot be converted to String",
                          cJSON_IsTrue(v) ? "TRUE_VALUE" : "FALSE_VALUE");
        if (num != NULL)
            return serial(s, "%s cannot be converted to String", num);
        if (cJSON_IsArray(v))
            return serial(s, "Unrecognized collection type class java.lang.String");
        return serial(s, "%s", obj_msg);
    case DDB_SK_INTEGER:
    case DDB_SK_LONG: {
        const char *jt = sh->kind == DDB_SK_INTEGER ? "Integer" : "Long";
        if (num != NULL)
            return 0;
        if (cJSON_IsString(v))
            return serial(s, "STRING_VALUE cannot be converted to %s", jt);
        if (cJSON_IsBool(v))
            return serial(s, "%s cannot be converted to %s",
                          cJSON_IsTrue(v) ? "TRUE_VALUE" : "FALSE_VALUE", jt);
        if (cJSON_IsArray(v))
            return serial(s, "Unrecognized collection type class java.lang.%s", jt);
        return serial(s, "%s", obj_msg);
    }
    case DDB_SK_BOOLEAN:
        if (cJSON_IsBool(v))
            return 0;
        if (num != NULL)
            return serial(s, "%s cannot be converted to Boolean", num);
        if (cJSON_IsString(v)) {
            if (bool_text(v->valuestring) >= 0) {
                s->coerce = 1;
                return 0;
            }
            return serial(s, "Unexpected token received from parser");
        }
        if (cJSON_IsArray(v))
            return serial(s, "Unrecognized collection type class java.lang.Boolean");
        return serial(s, "%s", obj_msg);
    case DDB_SK_BLOB: {
        if (cJSON_IsString(v)) {
            const char *e = b64_error(v->valuestring, msg, sizeof msg);
            return e == NULL ? 0 : serial(s, "%s", e);
        }
        if (cJSON_IsArray(v))
            return serial(s, "Unrecognized collection type class java.nio.ByteBuffer");
        if (cJSON_IsObject(v))
            return serial(s, "%s", obj_msg);
        return serial(s, "only base-64-encoded strings are convertible to bytes");
    }
    case DDB_SK_LIST:
        if (cJSON_IsArray(v))
            return 0;
        if (cJSON_IsObject(v))
            return serial(s, "%s", obj_msg);
        return serial(s, "%s", pos == POS_VALUE ? cast_msg : "Unexpected field type");
    case DDB_SK_MAP:
        if (cJSON_IsObject(v))
            return 0;
        if (cJSON_IsArray(v))
            return serial(s, "Unrecognized collection type %s", sh->java);
        return serial(s, "%s", pos == POS_ELEM ? cast_msg : "Unexpected field type");
    default: /* structure */
        if (cJSON_IsObject(v))
            return 0;
        if (cJSON_IsArray(v))
            return serial(s, "Unrecognized collection type class %s", sh->java);
        return serial(s, "%s",
                      pos == POS_MEMBER ? "Unexpected field type"
                                        : "Unexpected value type in payload");
    }
}

/* ---- constraints ---- */

/* Count of v's elements or members. */
static int64_t child_count(const cJSON *v)
{
    int64_t n = 0;
    for (const cJSON *e = v->child; e != NULL; e = e->next)
        n++;
    return n;
}

/* The measure length/range constraints apply to: length, element count or value. */
static int64_t measure(const ddb_shape *sh, const cJSON *v)
{
    switch (sh->kind) {
    case DDB_SK_STRING:
        return utf16_len(v->valuestring);
    case DDB_SK_BLOB:
        return (int64_t)ddb_b64_len(v->valuestring);
    case DDB_SK_INTEGER:
    case DDB_SK_LONG:
        return as_integer(v, sh->kind);
    case DDB_SK_LIST:
    case DDB_SK_MAP:
        return child_count(v);
    default:
        return 0;
    }
}

/* 1 when v (type-checked) violates some constraint of its shape. */
static int violates(const ddb_shape *sh, const cJSON *v)
{
    if (!has_own(sh))
        return 0;
    int64_t m = measure(sh, v);
    if ((sh->has_min && m < sh->min) || (sh->has_max && m > sh->max))
        return 1;
    if (sh->kind == DDB_SK_STRING && sh->pattern != NULL &&
        !pattern_match(sh->pattern, v->valuestring))
        return 1;
    if (sh->kind == DDB_SK_STRING && sh->enums != NULL) {
        for (int i = 0; i < sh->nenums; i++)
            if (strcmp(sh->enums[i], v->valuestring) == 0)
                return 0;
        return 1;
    }
    return 0;
}

/* Check v's own constraints at the current path, in AWS's order: pattern, minimum, maximum,
 * enum. skip_len leaves out the length checks (TableName checked first). */
static __attribute__((noinline)) void check_own(vstate *s, const ddb_shape *sh, const cJSON *v,
                                                int skip_len)
{
    char c[128];
    if (!has_own(sh))
        return;
    int is_len = sh->kind != DDB_SK_INTEGER && sh->kind != DDB_SK_LONG;
    if (sh->kind == DDB_SK_STRING && sh->pattern != NULL &&
        !pattern_match(sh->pattern, v->valuestring)) {
        snprintf(c, sizeof c, "Member must satisfy regular expression pattern: %s",
                 sh->pattern->text);
        add_err(s, sh, v, c);
    }
    int64_t m = measure(sh, v);
    if (!skip_len && sh->has_min && m < sh->min) {
        snprintf(c, sizeof c, "Member must have %s greater than or equal to %lld",
                 is_len ? "length" : "value", (long long)sh->min);
        add_err(s, sh, v, c);
    }
    if (!skip_len && sh->has_max && m > sh->max) {
        snprintf(c, sizeof c, "Member must have %s less than or equal to %lld",
                 is_len ? "length" : "value", (long long)sh->max);
        add_err(s, sh, v, c);
    }
    if (sh->kind == DDB_SK_STRING && sh->enums != NULL) {
        int found = 0;
        for (int i = 0; i < sh->nenums && !found; i++)
            found = strcmp(sh->enums[i], v->valuestring) == 0;
        if (!found) {
            sbuf b = { c, sizeof c, 0 };
            c[0] = '\0';
            sb_str(&b, "Member must satisfy enum value set: ");
            sb_str(&b, sh->enum_text);
            add_err(s, sh, v, c);
        }
    }
}

/* ---- the walk ---- */

static int walk(vstate *s, const ddb_shape *sh, const cJSON *v, int pos, int own);

/* A structure's members in AWS's order: required ones present, each walked. One pass over
 * the JSON members finds them (first byte, then the name); the first of duplicates counts. */
static int walk_struct(vstate *s, const ddb_shape *sh, const cJSON *v, int table_name_first)
{
    const cJSON *found[DDB_STRUCT_MEMBERS_MAX];
    assert(sh->nmembers <= DDB_STRUCT_MEMBERS_MAX);
    for (int i = 0; i < sh->nmembers; i++)
        found[i] = NULL;
    for (const cJSON *c = v->child; c != NULL; c = c->next) {
        const char *k = c->string;
        for (int i = 0; i < sh->nmembers; i++) {
            const char *n = sh->members[i].name;
            if (n[0] == k[0] && found[i] == NULL && strcmp(n, k) == 0) {
                found[i] = c;
                break;
            }
        }
    }
    const vpath *up = s->at;
    vpath here = { up, NULL, 0, 0 };
    int rc = 0;
    for (int i = 0; i < sh->nmembers && rc == 0; i++) {
        const ddb_member *m = &sh->members[i];
        const cJSON *c = found[i];
        int absent = c == NULL || cJSON_IsNull(c);
        int tn = table_name_first && strcmp(m->name, "TableName") == 0;
        if (absent && tn && !s->types_only) {
            if (s->first == NULL)
                s->first = "The parameter 'TableName' is required but was not present in the "
                           "request";
            continue;
        }
        if (absent && !m->required)
            continue;
        here.seg = m->path;
        s->at = &here;
        if (absent) {
            add_err(s, m->shape, NULL, "Member must not be null");
        } else if (tn) {
            rc = type_check(s, m->shape, c, POS_MEMBER);
            if (rc == 0) {
                int64_t n = utf16_len(c->valuestring);
                if ((n < 3 || n > 255) && s->first == NULL && !s->types_only)
                    s->first = "TableName must be at least 3 characters long and at most 255 "
                               "characters long";
                check_own(s, m->shape, c, 1);
            }
        } else {
            rc = walk(s, m->shape, c, POS_MEMBER, 1);
        }
        s->at = up;
    }
    return rc;
}

/* "Map keys/value must satisfy constraint: [...]" for shape sh into c (cap bytes). Kept
 * out of the recursive frames (noinline), so deep nesting costs little stack. */
static __attribute__((noinline)) void map_err(vstate *s, const ddb_shape *map, const cJSON *v,
                                              const char *what, const ddb_shape *sh)
{
    char c[512];
    sbuf b = { c, sizeof c, 0 };
    c[0] = '\0';
    sb_str(&b, "Map ");
    sb_str(&b, what);
    sb_str(&b, " must satisfy constraint: [");
    constraint_list(&b, sh);
    sb_str(&b, "]");
    add_err(s, map, v, c);
}

/* A map: keys' constraints, values' own constraints (both reported at the map's path, as
 * AWS does), then each value walked at "<map>.<key>.member". */
static int walk_map(vstate *s, const ddb_shape *sh, const cJSON *v)
{
    const cJSON *e;
    if (has_own(sh->key)) {
        cJSON_ArrayForEach(e, v)
        {
            cJSON k;
            memset(&k, 0, sizeof k);
            k.type = cJSON_String;
            k.valuestring = e->string;
            if (violates(sh->key, &k))
                map_err(s, sh, v, "keys", sh->key);
        }
    }
    if (has_own(sh->elem)) {
        cJSON_ArrayForEach(e, v)
        {
            if (cJSON_IsNull(e))
                continue;
            if (type_check(s, sh->elem, e, POS_VALUE) != 0)
                return -1;
            if (violates(sh->elem, e))
                map_err(s, sh, v, "value", sh->elem);
        }
    }
    const vpath *up = s->at;
    vpath here = { up, NULL, 0, 1 };
    int rc = 0;
    for (e = v->child; e != NULL && rc == 0; e = e->next) {
        if (cJSON_IsNull(e))
            continue;
        here.seg = e->string;
        s->at = &here;
        rc = walk(s, sh->elem, e, POS_VALUE, 0);
        s->at = up;
    }
    return rc;
}

/* Walk v (present, not JSON null) of shape sh at the current path: its JSON type, its own
 * constraints when own is 1, then its members, elements or values. 0 or -1 (type error
 * written). */
static int walk(vstate *s, const ddb_shape *sh, const cJSON *v, int pos, int own)
{
    if (type_check(s, sh, v, pos) != 0)
        return -1;
    if (own && has_own(sh))
        check_own(s, sh, v, 0);
    switch (sh->kind) {
    case DDB_SK_STRUCT:
        return walk_struct(s, sh, v, 0);
    case DDB_SK_MAP:
        return walk_map(s, sh, v);
    case DDB_SK_LIST: {
        const vpath *up = s->at;
        vpath here = { up, NULL, 0, 1 };
        int rc = 0;
        for (const cJSON *e = v->child; e != NULL && rc == 0; e = e->next) {
            here.index++;
            if (cJSON_IsNull(e))
                continue;
            s->at = &here;
            rc = walk(s, sh->elem, e, POS_ELEM, 1);
            s->at = up;
        }
        return rc;
    }
    default:
        return 0;
    }
}

int ddb_validate(const ddb_op_model *m, const cJSON *req, sim_reply *r)
{
    if (m == NULL || m->input == NULL || req == NULL)
        return 0;
    vstate local; /* about 18 KB of stack, once per request */
    vstate *s = &local;
    s->r = r;
    s->first = NULL;
    s->types_only = (m->flags & DDB_OPF_TYPES_ONLY) != 0;
    s->coerce = 0;
    s->nerr = 0;
    s->len = 0;
    s->at = NULL;
    s->buf[0] = '\0';
    if (walk_struct(s, m->input, req, (m->flags & DDB_OPF_TABLE_NAME_FIRST) != 0) != 0)
        return -1;
    if (s->first != NULL) {
        sim_reply_err(r, 400, "ValidationException", "%s", s->first);
        return -1;
    }
    if (s->nerr == 0)
        return s->coerce ? DDB_VALIDATE_COERCE : 0;
    sim_reply_err(r, 400, "ValidationException", "%d validation error%s detected: %s", s->nerr,
                  s->nerr > 1 ? "s" : "", s->buf);
    return -1;
}

/* Replace the string Booleans under v (of shape sh, type-checked) by JSON booleans. */
static int coerce(const ddb_shape *sh, cJSON *parent, cJSON *v)
{
    cJSON *e, *next;
    if (v == NULL || cJSON_IsNull(v))
        return 0;
    switch (sh->kind) {
    case DDB_SK_BOOLEAN:
        if (cJSON_IsString(v)) {
            cJSON *b = cJSON_CreateBool(bool_text(v->valuestring) == 1);
            /* Booleans are structure members only: replace by name, which names b */
            if (b == NULL || !cJSON_ReplaceItemInObjectCaseSensitive(parent, v->string, b)) {
                cJSON_Delete(b);
                return -SIM_ENOMEM;
            }
        }
        return 0;
    case DDB_SK_STRUCT:
        for (int i = 0; i < sh->nmembers; i++) {
            e = cJSON_GetObjectItemCaseSensitive(v, sh->members[i].name);
            if (coerce(sh->members[i].shape, v, e) != 0)
                return -SIM_ENOMEM;
        }
        return 0;
    case DDB_SK_LIST:
    case DDB_SK_MAP:
        for (e = v->child; e != NULL; e = next) {
            next = e->next; /* e may be replaced */
            if (coerce(sh->elem, v, e) != 0)
                return -SIM_ENOMEM;
        }
        return 0;
    default:
        return 0;
    }
}

int ddb_validate_coerce(const ddb_op_model *m, cJSON *req)
{
    if (m == NULL || m->input == NULL || req == NULL)
        return 0;
    return coerce(m->input, NULL, req);
}

/* ---- repeated member names ---- */

#define DUP_LINEAR_MAX 16 /* objects up to this size are checked pairwise */

static int name_cmp(const void *a, const void *b)
{
    const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
    return strcmp(x->string != NULL ? x->string : "", y->string != NULL ? y->string : "");
}

/* 1 when object o names a member twice (its own members only). */
static int obj_has_dup(const cJSON *o)
{
    size_t n = 0;
    for (const cJSON *c = o->child; c != NULL; c = c->next)
        n++;
    if (n < 2)
        return 0;
    if (n <= DUP_LINEAR_MAX) {
        for (const cJSON *a = o->child; a != NULL; a = a->next)
            for (const cJSON *b = a->next; b != NULL; b = b->next)
                if (a->string != NULL && b->string != NULL && strcmp(a->string, b->string) == 0)
                    return 1;
        return 0;
    }
    const cJSON **v = malloc(n * sizeof *v);
    if (v == NULL)
        return 1;
    size_t i = 0;
    for (const cJSON *c = o->child; c != NULL; c = c->next)
        v[i++] = c;
    qsort(v, n, sizeof *v, name_cmp);
    int dup = 0;
    for (i = 1; i < n && !dup; i++)
        dup = name_cmp(&v[i - 1], &v[i]) == 0;
    free(v);
    return dup;
}

int ddb_json_has_dup_keys(const cJSON *req)
{
    if (req == NULL)
        return 0;
    if (cJSON_IsObject(req) && obj_has_dup(req))
        return 1;
    if (cJSON_IsObject(req) || cJSON_IsArray(req))
        for (const cJSON *c = req->child; c != NULL; c = c->next)
            if (ddb_json_has_dup_keys(c))
                return 1;
    return 0;
}

/* Order members by name, then by position, so the last of each name ends its run. */
typedef struct named {
    cJSON *item;
    size_t pos;
} named;

static int named_cmp(const void *a, const void *b)
{
    const named *x = a, *y = b;
    int c = strcmp(x->item->string != NULL ? x->item->string : "",
                   y->item->string != NULL ? y->item->string : "");
    return c != 0 ? c : (x->pos < y->pos ? -1 : x->pos > y->pos);
}

int ddb_json_dedupe_keys(cJSON *req)
{
    if (req == NULL || !(cJSON_IsObject(req) || cJSON_IsArray(req)))
        return 0;
    int removed = 0;
    if (cJSON_IsObject(req) && obj_has_dup(req)) {
        size_t n = 0;
        for (cJSON *c = req->child; c != NULL; c = c->next)
            n++;
        named *v = malloc(n * sizeof *v);
        if (v == NULL)
            return -SIM_ENOMEM;
        size_t i = 0;
        for (cJSON *c = req->child; c != NULL; c = c->next, i++)
            v[i] = (named){c, i};
        qsort(v, n, sizeof *v, named_cmp);
        for (i = 0; i + 1 < n; i++) /* all but the last of each run of one name */
            if (named_cmp(&(named){v[i + 1].item, 0}, &(named){v[i].item, 0}) == 0) {
                cJSON_Delete(cJSON_DetachItemViaPointer(req, v[i].item));
                removed++;
            }
        free(v);
    }
    for (cJSON *c = req->child; c != NULL; c = c->next) {
        int k = ddb_json_dedupe_keys(c);
        if (k < 0)
            return k;
        removed += k;
    }
    return removed;
}
