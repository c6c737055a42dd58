/* sim_rng.c - xoshiro256** (Blackman & Vigna) seeded by splitmix64. */
#include "sim_rng.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

void sim_rng_seed(sim_rng *r, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
}

uint64_t sim_rng_u64(sim_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

uint64_t sim_rng_below(sim_rng *r, uint64_t n)
{
    assert(n > 0);
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do {
        x = sim_rng_u64(r);
    } while (x >= limit);
    return x % n;
}

int sim_rng_chance(sim_rng *r, uint64_t num, uint64_t den)
{
    assert(den > 0);
    return sim_rng_below(r, den) < num;
}

double sim_rng_unit(sim_rng *r)
{
    return (double)(sim_rng_u64(r) >> 11) * (1.0 / 9007199254740992.0);
}

void sim_rng_fork(sim_rng *parent, sim_rng *child)
{
    sim_rng_seed(child, sim_rng_u64(parent));
}

void sim_rng_bytes(sim_rng *r, void *buf, size_t len)
{
    unsigned char *p = buf;
    while (len > 0) {
        uint64_t x = sim_rng_u64(r);
        size_t n = len < 8 ? len : 8;
        memcpy(p, &x, n);
        p += n;
        len -= n;
    }
}

void sim_rng_uuid(sim_rng *r, char out[37])
{
    unsigned char b[16];
    sim_rng_bytes(r, b, sizeof b);
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    /* 8-4-4-4-12 lowercase hex digits, as "%02x" would print them (without snprintf's cost:
     * every request id is one of these) */
    static const char hex[] = "0123456789abcdef";
    char *o = out;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *o++ = '-';
        *o++ = hex[b[i] >> 4];
        *o++ = hex[b[i] & 0x0f];
    }
    *o = '\0';
}
