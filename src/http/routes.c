/* Routing: the route table of handlers_*.c matched against the request path. A pattern's
 * "{}" matches one non-empty path segment of at most FO_PATH_PARAM_BYTES - 1 bytes, which
 * is captured. The query string is not part of the match. A path that matches some route
 * with another method is 405; a path that matches none is 404 (API.md). */
#include <string.h>

#include "core/assert.h"
#include "http/handlers.h"

/* Match `path` (up to '?' or the end) against `pattern`; capture {} segments. */
static bool match(const char *pattern, const char *path,
                  char params[FO_PATH_PARAMS_MAX][FO_PATH_PARAM_BYTES])
{
    size_t params_count = 0;
    memset(params, 0, sizeof(char[FO_PATH_PARAMS_MAX][FO_PATH_PARAM_BYTES]));
    while (*pattern != '\0') {
        if (pattern[0] == '{' && pattern[1] == '}') {
            size_t bytes = strcspn(path, "/?");
            if (bytes == 0 || bytes >= FO_PATH_PARAM_BYTES || params_count >= FO_PATH_PARAMS_MAX) {
                return false;
            }
            memcpy(params[params_count], path, bytes);
            params[params_count][bytes] = '\0';
            params_count++;
            path += bytes;
            pattern += 2;
            continue;
        }
        if (*pattern != *path) {
            return false;
        }
        pattern++;
        path++;
    }
    return *path == '\0' || *path == '?';
}

struct route_table {
    const struct fo_route *routes;
    const size_t *count;
};

const struct fo_route *fo_http_route_find(enum fo_method method, const char *path, bool test_clock,
                                          char params[FO_PATH_PARAMS_MAX][FO_PATH_PARAM_BYTES],
                                          bool *out_path_known)
{
    FO_ASSERT(path != NULL);
    FO_ASSERT(out_path_known != NULL);
    /* The system table is last: its static-file route catches single segments. */
    const struct route_table tables[] = {
        {fo_routes_buyer, &fo_routes_buyer_count},
        {fo_routes_supplier, &fo_routes_supplier_count},
        {fo_routes_admin, &fo_routes_admin_count},
        {fo_routes_system, &fo_routes_system_count},
    };
    *out_path_known = false;
    for (size_t table = 0; table < sizeof tables / sizeof tables[0]; table++) {
        for (size_t index = 0; index < *tables[table].count; index++) {
            const struct fo_route *route = &tables[table].routes[index];
            if ((route->test_clock_only && !test_clock) || !match(route->pattern, path, params)) {
                continue;
            }
            if (route->method == method) {
                return route;
            }
            *out_path_known = true;
        }
    }
    return NULL;
}
