/* s3_key.c - validation of object keys and bucket names. Pure functions: no storage and
 * no HTTP here. Sources: S3 User Guide "Naming Amazon S3 objects" (keys: UTF-8, at most
 * 1024 bytes) and "General purpose bucket naming rules". */
#include "s3_int.h"
#include "sim_err.h"

#include <string.h>

/* Length of the valid UTF-8 sequence at s[0..n), or 0 when it is not valid (overlong,
 * surrogate, above U+10FFFF, truncated). */
static size_t utf8_seq_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    size_t len;
    unsigned int cp;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        cp = c & 0x1Fu;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        cp = c & 0x0Fu;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        cp = c & 0x07u;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3Fu);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

/* Sets the InvalidArgument error for a refused key. */
static int key_refuse(sim_reply *out, const char *why)
{
    sim_reply_err(out, 400, "InvalidArgument", "%s", why);
    return -SIM_EINVAL;
}

int s3__key_check(const char *key, size_t len, sim_reply *out)
{
    const unsigned char *k = (const unsigned char *)key;
    if (len == 0)
        return key_refuse(out, "Object key must not be empty.");
    if (len > S3__KEY_MAX_BYTES) {
        sim_reply_err(out, 400, "KeyTooLongError", "Your key is too long");
        return -SIM_EINVAL;
    }
    for (size_t i = 0; i < len;) {
        if (k[i] == 0)
            return key_refuse(out, "Object key must not contain a NUL byte.");
        size_t n = utf8_seq_len(k + i, len - i);
        if (n == 0)
            return key_refuse(out, "Object key must be valid UTF-8.");
        i += n;
    }
    if (k[0] == '/')
        return key_refuse(out, "Object key must not start with \"/\".");
    size_t seg = 0; /* start of the current segment */
    for (size_t i = 0; i <= len; i++) {
        if (i < len && k[i] != '/')
            continue;
        size_t slen = i - seg;
        if (slen == 0 && i < len)
            return key_refuse(out, "Object key must not contain an empty segment (\"//\").");
        if ((slen == 1 && k[seg] == '.') || (slen == 2 && k[seg] == '.' && k[seg + 1] == '.'))
            return key_refuse(out, "Object key must not contain a \".\" or \"..\" segment.");
        seg = i + 1;
    }
    return 0;
}

/* 1 when s has the form of an IPv4 address (four dot-separated decimal numbers). */
static int looks_ipv4(const char *s)
{
    int parts = 0;
    size_t digits = 0;
    for (const char *p = s;; p++) {
        if (*p >= '0' && *p <= '9') {
            digits++;
        } else if (*p == '.' || *p == '\0') {
            if (digits == 0 || digits > 3)
                return 0;
            parts++;
            digits = 0;
            if (*p == '\0')
                break;
        } else {
            return 0;
        }
    }
    return parts == 4;
}

static int has_suffix(const char *s, size_t len, const char *suf)
{
    size_t n = strlen(suf);
    return len >= n && memcmp(s + len - n, suf, n) == 0;
}

static const char *const reserved_prefixes[] = { "xn--", "sthree-", "amzn-s3-demo-" };
static const char *const reserved_suffixes[] = { "-s3alias", "--ol-s3", ".mrap", "--x-s3",
                                                 "--table-s3" };

int s3__bucket_name_check(const char *name, sim_reply *out)
{
    size_t len = strlen(name);
    int ok = len >= 3 && len <= 63;
    for (size_t i = 0; ok && i < len; i++) {
        char c = name[i];
        int alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (!alnum && c != '.' && c != '-')
            ok = 0;
        else if ((i == 0 || i == len - 1) && !alnum)
            ok = 0;
        else if (c == '.' && name[i + 1] == '.')
            ok = 0;
    }
    if (ok && looks_ipv4(name))
        ok = 0;
    for (size_t i = 0; ok && i < sizeof reserved_prefixes / sizeof *reserved_prefixes; i++)
        if (strncmp(name, reserved_prefixes[i], strlen(reserved_prefixes[i])) == 0)
            ok = 0;
    for (size_t i = 0; ok && i < sizeof reserved_suffixes / sizeof *reserved_suffixes; i++)
        if (has_suffix(name, len, reserved_suffixes[i]))
            ok = 0;
    if (ok)
        return 0;
    sim_reply_err(out, 400, "InvalidBucketName", "The specified bucket is not valid.");
    return -SIM_EINVAL;
}
