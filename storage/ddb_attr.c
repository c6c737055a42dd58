/* ddb_attr.c - DynamoDB attribute values as cJSON: type, deep validation with AWS's
 * messages, equality, ordering, item size and key encoding. Numbers are delegated to
 * ddb_num.c; expressions live in ddb_expr_*.c.
 * Sources: DynamoDB API reference, AttributeValue; developer guide, CapacityUnitCalculations
 * (item sizes), HowItWorks.NamingRulesDataTypes; messages as returned by DynamoDB and
 * recorded in dynalite's test suite (validations). */
#include "storage/ddb_attr.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core/sim_err.h"
#include "storage/ddb_num.h"

/* AWS: "DynamoDB supports nested attributes up to 32 levels deep." */
#define ATTR_DEPTH_MAX 32

static const char *const type_names[] = {
    "", "S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS",
};

const char *ddb_type_name(int type)
{
    if (type <= DDB_T_INVALID || type > DDB_T_BS)
        return "";
    return type_names[type];
}

/* Type for a descriptor key ("S", "NS", ...), DDB_T_INVALID if unknown. */
static int type_of_key(const char *key)
{
    int t;
    if (key == NULL)
        return DDB_T_INVALID;
    for (t = DDB_T_S; t <= DDB_T_BS; t++) {
        if (strcmp(type_names[t], key) == 0)
            return t;
    }
    return DDB_T_INVALID;
}

/* Does the JSON value v have the JSON shape type t needs? */
static int shape_ok(int t, const cJSON *v)
{
    const cJSON *e;
    switch (t) {
    case DDB_T_S:
    case DDB_T_N:
    case DDB_T_B:
        return cJSON_IsString(v);
    case DDB_T_BOOL:
    case DDB_T_NULL:
        return cJSON_IsBool(v);
    case DDB_T_M:
        return cJSON_IsObject(v);
    case DDB_T_L:
        return cJSON_IsArray(v);
    case DDB_T_SS:
    case DDB_T_NS:
    case DDB_T_BS:
        if (!cJSON_IsArray(v))
            return 0;
        cJSON_ArrayForEach(e, v)
        {
            if (!cJSON_IsString(e))
                return 0;
        }
        return 1;
    default:
        return 0;
    }
}

int ddb_attr_type(const cJSON *av)
{
    int t;
    if (!cJSON_IsObject(av) || av->child == NULL || av->child->next != NULL)
        return DDB_T_INVALID;
    t = type_of_key(av->child->string);
    if (t == DDB_T_INVALID || !shape_ok(t, av->child))
        return DDB_T_INVALID;
    return t;
}

/* Write a formatted message into err and return -SIM_EINVAL. */
__attribute__((format(printf, 3, 4))) static int errf(char *err, size_t errcap, const char *fmt,
                                                      ...)
{
    va_list ap;
    if (err != NULL && errcap > 0) {
        va_start(ap, fmt);
        vsnprintf(err, errcap, fmt, ap);
        va_end(ap);
        ddb_utf8_trim(err);
    }
    return -SIM_EINVAL;
}

size_t ddb_utf8_trim(char *s)
{
    size_t len = strlen(s), i = len, need;
    unsigned char lead;
    while (i > 0 && len - i < 3 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
        i--; /* back over continuation bytes to the sequence's first byte */
    if (i == 0 || (lead = (unsigned char)s[i - 1]) < 0xC0)
        return len;
    need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
    if (len - (i - 1) >= need)
        return len;
    s[i - 1] = '\0';
    return i - 1;
}

/* ---- base64 ---- */

int ddb_b64_val(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

int ddb_b64_decode(const char *text, unsigned char **out, size_t *out_len)
{
    size_t n = strlen(text), pad = 0, i, o = 0;
    unsigned char *buf;
    if (n % 4 != 0)
        return -SIM_EINVAL;
    if (n > 0 && text[n - 1] == '=')
        pad++;
    if (n > 1 && text[n - 2] == '=')
        pad++;
    for (i = 0; i < n - pad; i++) {
        if (ddb_b64_val((unsigned char)text[i]) < 0)
            return -SIM_EINVAL;
    }
    /* The unused low bits of the last character must be zero (canonical form). */
    if (pad == 1 && (ddb_b64_val((unsigned char)text[n - 2]) & 0x3) != 0)
        return -SIM_EINVAL;
    if (pad == 2 && (ddb_b64_val((unsigned char)text[n - 3]) & 0xf) != 0)
        return -SIM_EINVAL;
    buf = malloc(n / 4 * 3 + 1);
    if (buf == NULL)
        return -SIM_ENOMEM;
    for (i = 0; i < n; i += 4) {
        unsigned v = 0;
        int j, chars = 0;
        for (j = 0; j < 4; j++) {
            unsigned char c = (unsigned char)text[i + (size_t)j];
            v <<= 6;
            if (c != '=') {
                v |= (unsigned)ddb_b64_val(c);
                chars++;
            }
        }
        buf[o++] = (unsigned char)(v >> 16);
        if (chars > 2)
            buf[o++] = (unsigned char)(v >> 8);
        if (chars > 3)
            buf[o++] = (unsigned char)v;
    }
    *out = buf;
    *out_len = o;
    return 0;
}

size_t ddb_b64_len(const char *text)
{
    size_t n = strlen(text), pad = 0;
    if (n > 0 && text[n - 1] == '=')
        pad++;
    if (n > 1 && text[n - 2] == '=')
        pad++;
    return n / 4 * 3 - pad;
}

/* memcmp-order of two base64 values by their decoded bytes; falls back to the text. */
static int b64_cmp(const char *a, const char *b)
{
    unsigned char *da = NULL, *db = NULL;
    size_t la = 0, lb = 0, m;
    int c;
    if (ddb_b64_decode(a, &da, &la) != 0 || ddb_b64_decode(b, &db, &lb) != 0) {
        free(da);
        free(db);
        c = strcmp(a, b);
        return c < 0 ? -1 : c > 0;
    }
    m = la < lb ? la : lb;
    c = m > 0 ? memcmp(da, db, m) : 0;
    if (c == 0)
        c = la < lb ? -1 : la > lb;
    free(da);
    free(db);
    return c < 0 ? -1 : c > 0;
}

size_t ddb_utf16_len(const char *s)
{
    size_t n = 0;
    const unsigned char *p;
    for (p = (const unsigned char *)s; *p != '\0'; p++) {
        if ((*p & 0xC0) != 0x80)
            n++; /* a code point starts here */
        if ((*p & 0xF8) == 0xF0)
            n++; /* beyond the BMP: a surrogate pair */
    }
    return n;
}

/* ---- validation ---- */

/* Append "[a, b, c]" of a string array to buf (used by the duplicate messages). */
static void join_strings(const cJSON *arr, char *buf, size_t cap)
{
    const cJSON *e;
    size_t len = 0;
    int first = 1;
    if (cap == 0)
        return;
    len += (size_t)snprintf(buf + len, cap - len, "[");
    cJSON_ArrayForEach(e, arr)
    {
        if (len >= cap)
            break;
        len += (size_t)snprintf(buf + len, cap - len, "%s%s", first ? "" : ", ", e->valuestring);
        first = 0;
    }
    if (len < cap)
        snprintf(buf + len, cap - len, "]");
}

/* Validate one number string: AWS's messages for empty, non-numeric and out of range. */
static int check_num(const char *text, char *err, size_t errcap)
{
    ddb_num n;
    int st;
    if (text[0] == '\0')
        return errf(err, errcap, "%s", ddb_num_status_message(DDB_NUM_SYNTAX));
    st = ddb_num_parse(text, &n);
    if (st == DDB_NUM_SYNTAX)
        return errf(err, errcap, "%s: %s", ddb_num_status_message(st), text);
    if (st != DDB_NUM_OK)
        return errf(err, errcap, "%s", ddb_num_status_message(st));
    return 0;
}

/* Validate a B string; AWS reports these through its JSON layer. */
static int check_b64(const char *text, char *err, size_t errcap)
{
    unsigned char *buf = NULL;
    size_t len = 0;
    int rc = ddb_b64_decode(text, &buf, &len);
    free(buf);
    if (rc == -SIM_ENOMEM)
        return rc;
    if (rc != 0)
        return errf(err, errcap, "'%s' can not be converted to a Blob: Invalid Base64 encoding",
                    text);
    return 0;
}

static int validate_depth(const cJSON *av, int depth, char *err, size_t errcap);

static int cmp_text(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int cmp_num(const void *a, const void *b)
{
    return ddb_num_cmp(a, b);
}

/* Does the string array arr hold the same text twice? Sorts a copy of the pointers
 * (n log n; sets can hold 100,000 members); without memory, compares every pair. */
static int has_duplicate_text(const cJSON *arr)
{
    size_t n = (size_t)cJSON_GetArraySize(arr), i = 0;
    const cJSON *e, *f;
    const char **v;
    int dup = 0;
    if (n < 2)
        return 0;
    if ((v = malloc(n * sizeof *v)) == NULL) {
        cJSON_ArrayForEach(e, arr)
        {
            for (f = e->next; f != NULL; f = f->next) {
                if (strcmp(e->valuestring, f->valuestring) == 0)
                    return 1;
            }
        }
        return 0;
    }
    cJSON_ArrayForEach(e, arr)
    {
        v[i++] = e->valuestring;
    }
    qsort(v, n, sizeof *v, cmp_text);
    for (i = 1; i < n && !dup; i++)
        dup = strcmp(v[i - 1], v[i]) == 0;
    free(v);
    return dup;
}

/* Does the number set body arr (members already valid) hold one value twice ("1" and
 * "1.0" are the same)? As has_duplicate_text, over parsed values. */
static int has_duplicate_num(const cJSON *arr)
{
    size_t n = (size_t)cJSON_GetArraySize(arr), i = 0;
    const cJSON *e, *f;
    ddb_num *v, a, b;
    int dup = 0;
    if (n < 2)
        return 0;
    if ((v = malloc(n * sizeof *v)) == NULL) {
        cJSON_ArrayForEach(e, arr)
        {
            (void)ddb_num_parse(e->valuestring, &a);
            for (f = e->next; f != NULL; f = f->next) {
                (void)ddb_num_parse(f->valuestring, &b);
                if (ddb_num_cmp(&a, &b) == 0)
                    return 1;
            }
        }
        return 0;
    }
    cJSON_ArrayForEach(e, arr)
    {
        (void)ddb_num_parse(e->valuestring, &v[i++]);
    }
    qsort(v, n, sizeof *v, cmp_num);
    for (i = 1; i < n && !dup; i++)
        dup = ddb_num_cmp(&v[i - 1], &v[i]) == 0;
    free(v);
    return dup;
}

/* Check the content of member m whose descriptor is type t. */
static int validate_member(int t, const cJSON *m, int depth, char *err, size_t errcap)
{
    const cJSON *e;
    int rc;
    char list[256];
    if (!shape_ok(t, m))
        return errf(err, errcap, "Unexpected value type for AttributeValue member %s",
                    type_names[t]);
    switch (t) {
    case DDB_T_N:
        return check_num(m->valuestring, err, errcap);
    case DDB_T_B:
        return check_b64(m->valuestring, err, errcap);
    case DDB_T_NULL:
        if (!cJSON_IsTrue(m))
            return errf(err, errcap,
                        "One or more parameter values were invalid: Null attribute value types "
                        "must have the value of true");
        return 0;
    case DDB_T_SS:
        if (cJSON_GetArraySize(m) == 0)
            return errf(err, errcap,
                        "One or more parameter values were invalid: An string set  may not be "
                        "empty");
        if (has_duplicate_text(m)) {
            join_strings(m, list, sizeof list);
            return errf(err, errcap,
                        "One or more parameter values were invalid: Input collection %s "
                        "contains duplicates.",
                        list);
        }
        return 0;
    case DDB_T_NS:
        if (cJSON_GetArraySize(m) == 0)
            return errf(err, errcap,
                        "One or more parameter values were invalid: An number set  may not be "
                        "empty");
        cJSON_ArrayForEach(e, m)
        {
            if ((rc = check_num(e->valuestring, err, errcap)) != 0)
                return rc;
        }
        if (has_duplicate_num(m))
            return errf(err, errcap, "Input collection contains duplicates");
        return 0;
    case DDB_T_BS:
        if (cJSON_GetArraySize(m) == 0)
            return errf(err, errcap,
                        "One or more parameter values were invalid: Binary sets should not be "
                        "empty");
        cJSON_ArrayForEach(e, m)
        {
            if ((rc = check_b64(e->valuestring, err, errcap)) != 0)
                return rc;
        }
        /* valid base64 is canonical (ddb_b64_decode): equal bytes have equal text */
        if (has_duplicate_text(m)) {
            join_strings(m, list, sizeof list);
            return errf(err, errcap,
                        "One or more parameter values were invalid: Input collection "
                        "%sof type BS contains duplicates.",
                        list);
        }
        return 0;
    case DDB_T_M:
    case DDB_T_L:
        if (depth >= ATTR_DEPTH_MAX)
            return errf(err, errcap, "Nesting Levels have exceeded supported limits");
        cJSON_ArrayForEach(e, m)
        {
            /* a map's keys are attribute names: at least one character (developer guide,
             * HowItWorks.NamingRulesDataTypes); message: DDB_MSG_EMPTY_NAME in ddb_int.h */
            if (t == DDB_T_M && e->string != NULL && e->string[0] == '\0')
                return errf(err, errcap, "Empty attribute name");
            if ((rc = validate_depth(e, depth + 1, err, errcap)) != 0)
                return rc;
        }
        return 0;
    default:
        return 0;
    }
}

/* Validate av, nested depth levels deep (0 for a top-level attribute). */
static int validate_depth(const cJSON *av, int depth, char *err, size_t errcap)
{
    const cJSON *m;
    int known = 0, rc;
    if (!cJSON_IsObject(av))
        return errf(err, errcap,
                    "Supplied AttributeValue is empty, must contain exactly one of the supported "
                    "datatypes");
    /* AWS checks each member in order, then the member count (dynalite records this). */
    cJSON_ArrayForEach(m, av)
    {
        int t = type_of_key(m->string);
        if (t == DDB_T_INVALID || cJSON_IsNull(m)) /* a null member is an absent one */
            continue;
        known++;
        if ((rc = validate_member(t, m, depth, err, errcap)) != 0)
            return rc;
    }
    if (known == 0)
        return errf(err, errcap,
                    "Supplied AttributeValue is empty, must contain exactly one of the supported "
                    "datatypes");
    if (known > 1)
        return errf(err, errcap,
                    "Supplied AttributeValue has more than one datatypes set, must contain "
                    "exactly one of the supported datatypes");
    if (ddb_attr_type(av) == DDB_T_INVALID) /* one known member plus unknown ones */
        return errf(err, errcap,
                    "Supplied AttributeValue has more than one datatypes set, must contain "
                    "exactly one of the supported datatypes");
    return 0;
}

int ddb_attr_validate(const cJSON *av, char *err, size_t errcap)
{
    return validate_depth(av, 0, err, errcap);
}

int ddb_item_validate(const cJSON *item, char *err, size_t errcap)
{
    const cJSON *m;
    int rc;
    if (!cJSON_IsObject(item))
        return errf(err, errcap, "Item must be a map of attribute names to attribute values");
    cJSON_ArrayForEach(m, item)
    {
        if ((rc = ddb_attr_validate(m, err, errcap)) != 0)
            return rc;
    }
    return 0;
}

/* ---- equality and order ---- */

/* Equality of two scalar set members of set type t. */
static int member_equal(int t, const char *a, const char *b)
{
    ddb_num na, nb;
    if (t == DDB_T_NS && ddb_num_parse(a, &na) == DDB_NUM_OK && ddb_num_parse(b, &nb) == DDB_NUM_OK)
        return ddb_num_cmp(&na, &nb) == 0;
    if (t == DDB_T_BS)
        return b64_cmp(a, b) == 0;
    return strcmp(a, b) == 0;
}

/* Is every member of set a in set b? */
static int set_subset(int t, const cJSON *a, const cJSON *b)
{
    const cJSON *e, *f;
    cJSON_ArrayForEach(e, a)
    {
        int found = 0;
        cJSON_ArrayForEach(f, b)
        {
            if (member_equal(t, e->valuestring, f->valuestring)) {
                found = 1;
                break;
            }
        }
        if (!found)
            return 0;
    }
    return 1;
}

/* Members (by pointer) sorted by name, for comparing large maps. */
static int cmp_member_name(const void *a, const void *b)
{
    return strcmp((*(const cJSON *const *)a)->string, (*(const cJSON *const *)b)->string);
}

/* Equality of two objects of attribute values (M bodies, items) holding n members each:
 * member names sorted on both sides, then compared pairwise (n log n); small or without
 * memory, each name is looked up. */
static int body_equal(const cJSON *va, const cJSON *vb, size_t n)
{
    const cJSON **x = NULL, **y = NULL, *e, *f;
    size_t i = 0, j = 0;
    int eq = 1;
    if (n > 8 && (x = malloc(n * sizeof *x)) != NULL && (y = malloc(n * sizeof *y)) != NULL) {
        cJSON_ArrayForEach(e, va) x[i++] = e;
        cJSON_ArrayForEach(f, vb) y[j++] = f;
        qsort(x, n, sizeof *x, cmp_member_name);
        qsort(y, n, sizeof *y, cmp_member_name);
        for (i = 0; i < n && eq; i++)
            eq = strcmp(x[i]->string, y[i]->string) == 0 && ddb_attr_equal(x[i], y[i]);
        free(x);
        free(y);
        return eq;
    }
    free(x);
    cJSON_ArrayForEach(e, va)
    {
        f = cJSON_GetObjectItemCaseSensitive(vb, e->string);
        if (f == NULL || !ddb_attr_equal(e, f))
            return 0;
    }
    return 1;
}

/* Equality of two set bodies of type t with n members each (members are distinct): both
 * sorted, then compared pairwise (n log n); small or without memory, as subsets. */
static int set_equal(int t, const cJSON *va, const cJSON *vb, size_t n)
{
    const cJSON *e;
    size_t i;
    int eq = 1;
    if (n > 8 && t == DDB_T_NS) {
        ddb_num *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
        if (x != NULL && y != NULL) {
            int parsed = 1;
            i = 0;
            cJSON_ArrayForEach(e, va)
            {
                if (ddb_num_parse(e->valuestring, &x[i++]) != DDB_NUM_OK)
                    parsed = 0;
            }
            i = 0;
            cJSON_ArrayForEach(e, vb)
            {
                if (ddb_num_parse(e->valuestring, &y[i++]) != DDB_NUM_OK)
                    parsed = 0;
            }
            if (parsed) {
                qsort(x, n, sizeof *x, cmp_num);
                qsort(y, n, sizeof *y, cmp_num);
                for (i = 0; i < n && eq; i++)
                    eq = ddb_num_cmp(&x[i], &y[i]) == 0;
            }
            free(x);
            free(y);
            if (parsed)
                return eq;
            /* unparsable members: fall back to the member-wise test below */
        } else {
            free(x);
            free(y);
        }
    } else if (n > 8) { /* SS, BS: valid base64 is canonical, so text equality is byte equality */
        const char **x = malloc(n * sizeof *x), **y = malloc(n * sizeof *y);
        if (x != NULL && y != NULL) {
            i = 0;
            cJSON_ArrayForEach(e, va) x[i++] = e->valuestring;
            i = 0;
            cJSON_ArrayForEach(e, vb) y[i++] = e->valuestring;
            qsort(x, n, sizeof *x, cmp_text);
            qsort(y, n, sizeof *y, cmp_text);
            for (i = 0; i < n && eq; i++)
                eq = strcmp(x[i], y[i]) == 0;
            free(x);
            free(y);
            return eq;
        }
        free(x);
        free(y);
    }
    return set_subset(t, va, vb) && set_subset(t, vb, va);
}

int ddb_attr_equal(const cJSON *a, const cJSON *b)
{
    int ta = ddb_attr_type(a), tb = ddb_attr_type(b);
    const cJSON *va, *vb, *e, *f;
    if (ta == DDB_T_INVALID || ta != tb)
        return 0;
    va = a->child;
    vb = b->child;
    switch (ta) {
    case DDB_T_S:
        return strcmp(va->valuestring, vb->valuestring) == 0;
    case DDB_T_N:
        return member_equal(DDB_T_NS, va->valuestring, vb->valuestring);
    case DDB_T_B:
        return b64_cmp(va->valuestring, vb->valuestring) == 0;
    case DDB_T_BOOL:
        return cJSON_IsTrue(va) == cJSON_IsTrue(vb);
    case DDB_T_NULL:
        return 1;
    case DDB_T_SS:
    case DDB_T_NS:
    case DDB_T_BS: {
        int n = cJSON_GetArraySize(va);
        return n == cJSON_GetArraySize(vb) && set_equal(ta, va, vb, (size_t)n);
    }
    case DDB_T_L:
        if (cJSON_GetArraySize(va) != cJSON_GetArraySize(vb))
            return 0;
        for (e = va->child, f = vb->child; e != NULL && f != NULL; e = e->next, f = f->next) {
            if (!ddb_attr_equal(e, f))
                return 0;
        }
        return 1;
    case DDB_T_M:
        return ddb_item_equal(va, vb);
    default:
        return 0;
    }
}

int ddb_item_equal(const cJSON *a, const cJSON *b)
{
    int n = cJSON_GetArraySize(a);
    if (n != cJSON_GetArraySize(b))
        return 0;
    return body_equal(a, b, (size_t)n);
}

int ddb_attr_compare(const cJSON *a, const cJSON *b, int *out_cmp)
{
    int ta = ddb_attr_type(a), tb = ddb_attr_type(b), c;
    ddb_num na, nb;
    if (ta != tb)
        return -SIM_EINVAL;
    switch (ta) {
    case DDB_T_S:
        c = strcmp(a->child->valuestring, b->child->valuestring);
        *out_cmp = c < 0 ? -1 : c > 0;
        return 0;
    case DDB_T_N:
        if (ddb_num_parse(a->child->valuestring, &na) != DDB_NUM_OK ||
            ddb_num_parse(b->child->valuestring, &nb) != DDB_NUM_OK)
            return -SIM_EINVAL;
        *out_cmp = ddb_num_cmp(&na, &nb);
        return 0;
    case DDB_T_B:
        *out_cmp = b64_cmp(a->child->valuestring, b->child->valuestring);
        return 0;
    default:
        return -SIM_EINVAL;
    }
}

/* ---- sizes ---- */

/* floor(a / 2) for any sign. */
static int floor_half(int a)
{
    return a >= 0 ? a / 2 : -((-a + 1) / 2);
}

/* Bytes of a number: DynamoDB stores numbers in base-100 digits plus an exponent byte (the
 * developer guide's "1 byte per two significant digits + 1 byte"), and negative numbers
 * carry one more byte; this is the count dynalite measured against DynamoDB. */
static size_t num_size(const char *text)
{
    ddb_num n;
    int pairs;
    if (ddb_num_parse(text, &n) != DDB_NUM_OK || n.sign == 0)
        return 1;
    pairs = floor_half(n.exp - 1) - floor_half(n.exp - n.ndigits) + 1;
    return 1 + (size_t)pairs + (n.sign < 0 ? 1 : 0);
}

size_t ddb_attr_size(const cJSON *av)
{
    int t = ddb_attr_type(av);
    const cJSON *v, *e;
    size_t size = 0;
    if (t == DDB_T_INVALID)
        return 0;
    v = av->child;
    switch (t) {
    case DDB_T_S:
        return strlen(v->valuestring);
    case DDB_T_N:
        return num_size(v->valuestring);
    case DDB_T_B:
        return ddb_b64_len(v->valuestring);
    case DDB_T_BOOL:
    case DDB_T_NULL:
        return 1;
    case DDB_T_SS:
        cJSON_ArrayForEach(e, v) size += strlen(e->valuestring);
        return size;
    case DDB_T_NS:
        cJSON_ArrayForEach(e, v) size += num_size(e->valuestring);
        return size;
    case DDB_T_BS:
        cJSON_ArrayForEach(e, v) size += ddb_b64_len(e->valuestring);
        return size;
    case DDB_T_L:
        size = 3;
        cJSON_ArrayForEach(e, v) size += 1 + ddb_attr_size(e);
        return size;
    case DDB_T_M:
        size = 3;
        cJSON_ArrayForEach(e, v) size += 1 + strlen(e->string) + ddb_attr_size(e);
        return size;
    default:
        return 0;
    }
}

size_t ddb_item_size(const cJSON *item)
{
    const cJSON *m;
    size_t size = 0;
    cJSON_ArrayForEach(m, item) size += strlen(m->string) + ddb_attr_size(m);
    return size;
}

/* ---- keys and normalisation ---- */

int ddb_key_encode(const cJSON *av, unsigned char **out, size_t *out_len)
{
    int t = ddb_attr_type(av);
    unsigned char *buf;
    size_t len;
    ddb_num n;
    switch (t) {
    case DDB_T_S:
        len = strlen(av->child->valuestring);
        buf = malloc(len + 1);
        if (buf == NULL)
            return -SIM_ENOMEM;
        memcpy(buf, av->child->valuestring, len + 1);
        break;
    case DDB_T_B: {
        int rc = ddb_b64_decode(av->child->valuestring, &buf, &len);
        if (rc != 0)
            return rc;
        break;
    }
    case DDB_T_N:
        if (ddb_num_parse(av->child->valuestring, &n) != DDB_NUM_OK)
            return -SIM_EINVAL;
        buf = malloc(DDB_NUM_KEY_MAX);
        if (buf == NULL)
            return -SIM_ENOMEM;
        len = ddb_num_key_encode(&n, buf);
        break;
    default:
        return -SIM_EINVAL;
    }
    *out = buf;
    *out_len = len;
    return 0;
}

/* New {"N": canonical} string value for a number text; NULL if invalid or ENOMEM. */
static cJSON *canon_num(const char *text)
{
    ddb_num n;
    char buf[DDB_NUM_TEXT_MAX];
    if (ddb_num_parse(text, &n) != DDB_NUM_OK)
        return NULL;
    ddb_num_format(&n, buf);
    return cJSON_CreateString(buf);
}

cJSON *ddb_attr_normalize(const cJSON *av)
{
    int t = ddb_attr_type(av);
    cJSON *out = NULL, *inner = NULL, *x;
    const cJSON *e;
    if (t == DDB_T_INVALID)
        return NULL;
    switch (t) {
    case DDB_T_N:
        inner = canon_num(av->child->valuestring);
        break;
    case DDB_T_NS:
        inner = cJSON_CreateArray();
        if (inner == NULL)
            break;
        cJSON_ArrayForEach(e, av->child)
        {
            if ((x = canon_num(e->valuestring)) == NULL)
                goto fail;
            cJSON_AddItemToArray(inner, x);
        }
        break;
    case DDB_T_L:
        inner = cJSON_CreateArray();
        if (inner == NULL)
            break;
        cJSON_ArrayForEach(e, av->child)
        {
            if ((x = ddb_attr_normalize(e)) == NULL)
                goto fail;
            cJSON_AddItemToArray(inner, x);
        }
        break;
    case DDB_T_M:
        inner = ddb_item_normalize(av->child);
        break;
    default:
        inner = cJSON_Duplicate(av->child, 1);
        break;
    }
    if (inner == NULL)
        return NULL;
    if ((out = cJSON_CreateObject()) == NULL)
        goto fail;
    cJSON_AddItemToObject(out, type_names[t], inner);
    return out;
fail:
    cJSON_Delete(inner);
    return NULL;
}

cJSON *ddb_item_normalize(const cJSON *item)
{
    cJSON *out, *x;
    const cJSON *m;
    if (!cJSON_IsObject(item))
        return NULL;
    if ((out = cJSON_CreateObject()) == NULL)
        return NULL;
    cJSON_ArrayForEach(m, item)
    {
        if ((x = ddb_attr_normalize(m)) == NULL) {
            cJSON_Delete(out);
            return NULL;
        }
        cJSON_AddItemToObject(out, m->string, x);
    }
    return out;
}
