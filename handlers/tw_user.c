/* tw_user.c - the user endpoints: login, register, logout, getUser (tweeter-api.md 2.1,
 * 3, 5). Passwords are bcrypt ($2b$, BCRYPT_COST); tokens are UUID v4 rows of the auth
 * table. Follow and status endpoints are in tw_follow.c and tw_status.c. */
#include "handlers/tw.h"

#include "sim/core/sim_err.h"

#include <crypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TW_BCRYPT_COST_DEFAULT 10 /* tweeter-api.md 3: cost 10 */
#define TW_EXT_MAX             16 /* longest image file extension accepted */

/* {success, message: null, user: UserDto of item, authToken: tok (taken)}; NULL on ENOMEM. */
static cJSON *auth_response(const cJSON *item, cJSON *tok)
{
    cJSON *resp = tw_resp_ok(), *user = tw_user_dto_from_item(item);

    if (resp == NULL || user == NULL || !cJSON_AddItemToObject(resp, "user", user)) {
        cJSON_Delete(resp);
        cJSON_Delete(user);
        cJSON_Delete(tok);
        return NULL;
    }
    cJSON_AddItemToObject(resp, "authToken", tok);
    return resp;
}

int tw_login(lambda_ctx *ctx, const cJSON *event, cJSON **out_result)
{
    const char *alias = NULL, *password = NULL;
    cJSON *item = NULL, *tok = NULL;
    int rc;

    if ((rc = tw_req_str(ctx, event, "alias", &alias)) != 0 ||
        (rc = tw_req_str(ctx, event, "password", &password)) != 0)
        goto out;
    if (!tw_alias_valid(alias)) {
        rc = tw_bad(ctx, "Invalid alias or password");
        goto out;
    }
    if ((rc = tw_user_get(ctx, alias, &item)) != 0)
        goto out;
    if (item == NULL || !tw_password_ok(password, tw_item_s(item, "password_hash"))) {
        rc = tw_bad(ctx, "Invalid alias or password");
        goto out;
    }
    if ((rc = tw_token_issue(ctx, alias, &tok)) != 0)
        goto out;
    if ((*out_result = auth_response(item, tok)) == NULL) /* takes tok */
        rc = tw_fault(ctx, "out of memory");
out:
    cJSON_Delete(item);
    return rc;
}

/* The image extension without a leading dot into out, or -SIM_EFUNC (400). */
static int image_ext(lambda_ctx *ctx, const char *ext, char out[TW_EXT_MAX + 1])
{
    size_t i, n;

    if (*ext == '.')
        ext++;
    n = strlen(ext);
    if (n == 0 || n > TW_EXT_MAX)
        return tw_bad(ctx, "Invalid imageFileExtension");
    for (i = 0; i < n; i++) {
        char c = ext[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
            return tw_bad(ctx, "Invalid imageFileExtension");
    }
    memcpy(out, ext, n + 1);
    return 0;
}

/* Store the profile picture as image/<alias>.<ext>; *out_url malloc'd. 0 or -SIM_EFUNC. */
static int image_store(lambda_ctx *ctx, const char *alias, const char *ext,
                       const unsigned char *data, size_t len, char **out_url)
{
    const char *bucket = TW_IMAGE_BUCKET(ctx);
    char key[TW_ALIAS_MAX + TW_EXT_MAX + 16], type[TW_EXT_MAX + 8], what[TW_ALIAS_MAX + 96];
    sim_reply r;
    int rc;

    snprintf(key, sizeof(key), "image/%s.%s", alias, ext);
    snprintf(type, sizeof(type), "image/%s", ext);
    sim_reply_init(&r);
    rc = sim_s3_put(ctx, bucket, key, data, len, type, &r);
    if (rc != 0 || sim_reply_failed(&r)) {
        snprintf(what, sizeof(what), "S3 PutObject %s/%s", bucket, key);
        rc = tw_fault_call(ctx, what, rc, &r);
    } else if ((*out_url = sim_s3_url(ctx, bucket, key)) == NULL) {
        rc = tw_fault(ctx, "no URL for %s/%s", bucket, key);
    }
    sim_reply_release(&r);
    return rc;
}

/* Conditional put of the new users row; 1 when the alias already exists. */
static int user_create(lambda_ctx *ctx, const cJSON *event, const char *alias,
                       const char *hash, const char *url, cJSON **out_item)
{
    cJSON *req = cJSON_CreateObject(), *item = cJSON_CreateObject();
    sim_reply r;
    int rc;

    sim_reply_init(&r);
    if (req == NULL || item == NULL || tw_item_add_s(item, "alias", alias) != 0 ||
        tw_item_add_s(item, "first_name", tw_json_str(event, "firstName")) != 0 ||
        tw_item_add_s(item, "last_name", tw_json_str(event, "lastName")) != 0 ||
        tw_item_add_s(item, "image_url", url) != 0 ||
        tw_item_add_s(item, "password_hash", hash) != 0 ||
        tw_item_add_n(item, "follower_count", 0) != 0 ||
        tw_item_add_n(item, "followee_count", 0) != 0 ||
        cJSON_AddStringToObject(req, "TableName", TW_USERS_TABLE(ctx)) == NULL ||
        !cJSON_AddItemToObject(req, "Item", cJSON_Duplicate(item, 1)) ||
        cJSON_AddStringToObject(req, "ConditionExpression", "attribute_not_exists(#a)") ==
            NULL ||
        cJSON_AddObjectToObject(req, "ExpressionAttributeNames") == NULL ||
        cJSON_AddStringToObject(cJSON_GetObjectItem(req, "ExpressionAttributeNames"), "#a",
                                "alias") == NULL) {
        rc = tw_fault(ctx, "out of memory");
        goto out;
    }
    if ((rc = tw_ddb(ctx, "PutItem", req, "ConditionalCheckFailedException", &r)) == 0) {
        *out_item = item;
        item = NULL;
    }
out:
    sim_reply_release(&r);
    cJSON_Delete(req);
    cJSON_Delete(item);
    return rc;
}

int tw_register(lambda_ctx *ctx, const cJSON *event, cJSON **out_result)
{
    static const char *const fields[] = { "firstName", "lastName", "alias", "password",
                                          "userImageBase64", "imageFileExtension" };
    const char *v[6] = { NULL };
    const char *alias;
    char ext[TW_EXT_MAX + 1], hash[CRYPT_OUTPUT_SIZE];
    unsigned char *image = NULL;
    size_t image_len = 0;
    char *url = NULL;
    cJSON *item = NULL, *tok = NULL;
    int rc = 0, i;

    for (i = 0; i < 6 && rc == 0; i++)
        rc = tw_req_str(ctx, event, fields[i], &v[i]);
    if (rc != 0 || (rc = tw_req_alias(ctx, event, "alias", 0, &alias)) != 0 ||
        (rc = image_ext(ctx, v[5], ext)) != 0)
        goto out;
    if (tw_base64_decode(v[4], &image, &image_len) != 0) {
        rc = tw_bad(ctx, "Invalid image: userImageBase64 is not valid base64");
        goto out;
    }
    if ((rc = tw_user_get(ctx, alias, &item)) != 0) /* pre-check keeps the old picture */
        goto out;
    if (item != NULL) {
        rc = tw_bad(ctx, "Alias %s already exists", alias);
        goto out;
    }
    if (tw_password_hash(lambda_rng(ctx),
                         (unsigned long)tw_env_long(ctx, "BCRYPT_COST", TW_BCRYPT_COST_DEFAULT),
                         v[3], hash, sizeof(hash)) != 0) {
        rc = tw_fault(ctx, "password hashing failed");
        goto out;
    }
    if ((rc = image_store(ctx, alias, ext, image, image_len, &url)) != 0)
        goto out;
    if ((rc = user_create(ctx, event, alias, hash, url, &item)) == 1) { /* lost a race */
        rc = tw_bad(ctx, "Alias %s already exists", alias);
        goto out;
    }
    if (rc != 0 || (rc = tw_token_issue(ctx, alias, &tok)) != 0)
        goto out;
    if ((*out_result = auth_response(item, tok)) == NULL)
        rc = tw_fault(ctx, "out of memory");
out:
    free(image);
    free(url);
    cJSON_Delete(item);
    return rc;
}

int tw_logout(lambda_ctx *ctx, const cJSON *event, cJSON **out_result)
{
    const char *token = NULL;
    cJSON *req = NULL, *key;
    sim_reply r;
    int rc;

    sim_reply_init(&r);
    if ((rc = tw_req_str(ctx, event, "token", &token)) != 0)
        goto out;
    if ((req = cJSON_CreateObject()) == NULL || (key = tw_key1("token", token)) == NULL ||
        !cJSON_AddItemToObject(req, "Key", key) ||
        cJSON_AddStringToObject(req, "TableName", TW_AUTH_TABLE(ctx)) == NULL) {
        rc = tw_fault(ctx, "out of memory");
        goto out;
    }
    if ((rc = tw_ddb(ctx, "DeleteItem", req, NULL, &r)) != 0)
        goto out;
    if ((*out_result = tw_resp_ok()) == NULL)
        rc = tw_fault(ctx, "out of memory");
out:
    sim_reply_release(&r);
    cJSON_Delete(req);
    return rc;
}

int tw_get_user(lambda_ctx *ctx, const cJSON *event, cJSON **out_result)
{
    char me[TW_ALIAS_MAX + 1];
    const char *alias = NULL;
    cJSON *item = NULL, *resp = NULL, *user = NULL;
    int rc;

    if ((rc = tw_auth_check(ctx, event, me, sizeof(me))) != 0 ||
        (rc = tw_req_alias(ctx, event, "alias", 0, &alias)) != 0 ||
        (rc = tw_user_get(ctx, alias, &item)) != 0)
        goto out;
    user = item != NULL ? tw_user_dto_from_item(item) : cJSON_CreateNull();
    if ((resp = tw_resp_ok()) == NULL || user == NULL ||
        !cJSON_AddItemToObject(resp, "user", user)) {
        cJSON_Delete(user);
        rc = tw_fault(ctx, "out of memory");
        goto out;
    }
    *out_result = resp;
    resp = NULL;
out:
    cJSON_Delete(resp);
    cJSON_Delete(item);
    return rc;
}
