/* sim_trace.c - trace lines and their running SHA-256 (OpenSSL EVP). */
#include "sim_trace.h"

#include <string.h>

#include <openssl/evp.h>

#include "sim/core/sim_err.h"

int sim_trace_init(sim_trace *t, FILE *out)
{
    t->out = out;
    t->events = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
        EVP_MD_CTX_free(ctx);
        t->sha = NULL;
        return -SIM_ENOMEM;
    }
    t->sha = ctx;
    return 0;
}

void sim_trace_release(sim_trace *t)
{
    if (t == NULL)
        return;
    EVP_MD_CTX_free(t->sha);
    t->sha = NULL;
}

/* JSON string body of s (quotes and control characters escaped) into f. */
static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

void sim_trace_event(sim_trace *t, sim_time_us at_us, const char *kind, const char *what,
                     const char *request_id, const char *outcome)
{
    if (t == NULL || t->sha == NULL)
        return;
    char line[768];
    int n = snprintf(line, sizeof line, "%lld %s %s %s %s\n", (long long)at_us, kind,
                     what ? what : "-", request_id ? request_id : "-", outcome ? outcome : "-");
    if (n < 0)
        return;
    size_t len = (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
    EVP_DigestUpdate(t->sha, line, len);
    t->events++;
    if (t->out) {
        fprintf(t->out, "{\"t_us\":%lld,\"kind\":", (long long)at_us);
        json_str(t->out, kind);
        fputs(",\"what\":", t->out);
        json_str(t->out, what ? what : "");
        fputs(",\"request_id\":", t->out);
        json_str(t->out, request_id ? request_id : "");
        fputs(",\"outcome\":", t->out);
        json_str(t->out, outcome ? outcome : "");
        fputs("}\n", t->out);
    }
}

void sim_trace_digest(const sim_trace *t, char out[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    out[0] = '\0';
    EVP_MD_CTX *copy = EVP_MD_CTX_new();
    if (copy == NULL || t->sha == NULL || EVP_MD_CTX_copy_ex(copy, t->sha) != 1 ||
        EVP_DigestFinal_ex(copy, md, &mdlen) != 1) {
        EVP_MD_CTX_free(copy);
        return;
    }
    EVP_MD_CTX_free(copy);
    static const char hex[] = "0123456789abcdef";
    for (unsigned int i = 0; i < mdlen && i < 32; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[64] = '\0';
}
