/* ddb_attr.h - DynamoDB attribute values in their wire form, as cJSON:
 * {"S":"x"}, {"N":"1"}, {"B":"<base64>"}, {"BOOL":true}, {"NULL":true}, {"M":{..}},
 * {"L":[..]}, {"SS":[..]}, {"NS":[..]}, {"BS":[..]}. An item is a cJSON object mapping
 * attribute names to attribute values. Validation, comparison, size and key encoding.
 * Source: DynamoDB API reference, AttributeValue; developer guide, item sizes
 * (CapacityUnitCalculations). */
#ifndef DDB_ATTR_H
#define DDB_ATTR_H

#include <stddef.h>

#include <cjson/cJSON.h>

enum ddb_type {
    DDB_T_INVALID = 0,
    DDB_T_S, DDB_T_N, DDB_T_B, DDB_T_BOOL, DDB_T_NULL, DDB_T_M, DDB_T_L, DDB_T_SS, DDB_T_NS,
    DDB_T_BS,
};

/** Type of a well-formed attribute value (exactly one member), else DDB_T_INVALID. */
int ddb_attr_type(const cJSON *av);

/** Descriptor string ("S", "NS", ...) of a type; "" for DDB_T_INVALID. */
const char *ddb_type_name(int type);

/**
 * Check one attribute value deeply: one type member, N parses (38 digits, range), sets
 * non-empty without duplicates, B/BS valid base64, NULL is true. On failure writes AWS's
 * ValidationException message into err (errcap bytes) and returns -SIM_EINVAL; else 0.
 */
int ddb_attr_validate(const cJSON *av, char *err, size_t errcap);

/** Validate every attribute of an item (a JSON object). As ddb_attr_validate. */
int ddb_item_validate(const cJSON *item, char *err, size_t errcap);

/** Deep equality as DynamoDB's "=" (N by value, sets as sets, M/L recursively). Large
 * sets and maps are compared sorted (n log n), never member by member lookup. */
int ddb_attr_equal(const cJSON *a, const cJSON *b);

/** (Added.) Equality of two items (objects of attribute values), as ddb_attr_equal of two
 * M values with these bodies. */
int ddb_item_equal(const cJSON *a, const cJSON *b);

/**
 * Ordering for <, <=, >, >=, BETWEEN: defined only for two S, two N or two B values.
 * Sets *out_cmp to -1/0/1 and returns 0; returns -SIM_EINVAL when the pair is not
 * comparable (the comparison is then false, as in DynamoDB).
 */
int ddb_attr_compare(const cJSON *a, const cJSON *b, int *out_cmp);

/** Item size in bytes as DynamoDB counts it: UTF-8 name lengths + value sizes. */
size_t ddb_item_size(const cJSON *item);

/** Size of one attribute value as DynamoDB counts it (without the name). */
size_t ddb_attr_size(const cJSON *av);

/**
 * Encode a key attribute (S, N or B) so that memcmp order is DynamoDB's order (S and B
 * by unsigned bytes, N by value). *out is malloc'd and owned by the caller (free()).
 * Returns 0, or -SIM_EINVAL if av is not S/N/B or not valid.
 */
int ddb_key_encode(const cJSON *av, unsigned char **out, size_t *out_len);

/** Decode a number to canonical text: {"N":"01.50"} -> new {"N":"1.5"}. For storage.
 * Deep: NS members and N inside M/L are normalised too. Returns a new value owned by the
 * caller (cJSON_Delete), or NULL on ENOMEM or when av is not valid. */
cJSON *ddb_attr_normalize(const cJSON *av);

/** (Added.) Normalise every attribute of an item (deep copy, cJSON_Delete). NULL on
 * ENOMEM or an invalid value. */
cJSON *ddb_item_normalize(const cJSON *item);

/**
 * (Added.) Decode standard padded base64 (as AWS accepts for B/BS). *out is malloc'd (at
 * least one byte, free()) and owned by the caller. Returns 0, -SIM_EINVAL (not canonical base64) or
 * -SIM_ENOMEM.
 */
int ddb_b64_decode(const char *text, unsigned char **out, size_t *out_len);

/** Value (0..63) of a base64 alphabet character (RFC 4648, '+' and '/'), -1 otherwise. */
int ddb_b64_val(unsigned char c);

/** Decoded length in bytes of base64 text already known to be valid (length a multiple of
 * 4, at most two '=' of padding). */
size_t ddb_b64_len(const char *text);

/** (Added.) Number of UTF-16 code units of a UTF-8 string, as DynamoDB's size() counts a
 * String. */
size_t ddb_utf16_len(const char *s);

/** (Added.) Cut an incomplete UTF-8 sequence off the end of s (NUL-terminated, changed in
 * place), as a message cut short by its buffer (snprintf) can end, so that a message made
 * from valid UTF-8 stays valid UTF-8 in a JSON reply. Returns the new length in bytes. */
size_t ddb_utf8_trim(char *s);

#endif
