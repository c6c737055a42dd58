/* apigw_route.c - matching a request to an API's routes, and naming the closest route
 * when none matches (so the 403 of a mistyped path costs a glance). */
#include "apigw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const sim_cfg_route *apigw_route_find(const sim_cfg_api *api, const char *method,
                                      const char *path)
{
    for (size_t i = 0; i < api->nroutes; i++)
        if (strcmp(api->routes[i].method, method) == 0 && strcmp(api->routes[i].path, path) == 0)
            return &api->routes[i];
    return NULL;
}

int apigw_route_path_exists(const sim_cfg_api *api, const char *path)
{
    for (size_t i = 0; i < api->nroutes; i++)
        if (strcmp(api->routes[i].path, path) == 0)
            return 1;
    return 0;
}

size_t apigw_edit_distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    size_t *row = malloc((m + 1) * sizeof *row);
    if (row == NULL)
        return (size_t)-1;
    for (size_t j = 0; j <= m; j++)
        row[j] = j;
    for (size_t i = 1; i <= n; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= m; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    size_t d = row[m];
    free(row);
    return d;
}

const sim_cfg_route *apigw_route_closest(const sim_cfg_api *api, const char *method,
                                         const char *full_path)
{
    char want[1024], have[1024];
    snprintf(want, sizeof want, "%s %s", method, full_path);
    const sim_cfg_route *best = NULL;
    size_t best_d = (size_t)-1;
    for (size_t i = 0; i < api->nroutes; i++) {
        const sim_cfg_route *r = &api->routes[i];
        snprintf(have, sizeof have, "%s /%s%s", r->method, api->stage, r->path);
        size_t d = apigw_edit_distance(want, have);
        if (d < best_d) {
            best_d = d;
            best = r;
        }
    }
    return best;
}
