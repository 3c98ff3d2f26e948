/* System routes: GET /healthz, and the buyer's web page (web/, compiled into the binary):
 * GET / is web/index.html, GET /NAME is web/NAME. */
#include <stdlib.h>
#include <string.h>

#include "core/assert.h"
#include "embedded.h"
#include "http/handlers.h"

void fo_handlers_page(struct fo_request *req, size_t *count)
{
    FO_ASSERT(req != NULL);
    FO_ASSERT(count != NULL);
    req->out.has_more = *count > (size_t)req->in.limit;
    if (req->out.has_more) {
        *count = (size_t)req->in.limit;
    }
}

static void execute_health(struct fo_request *req, struct fo_store *store, int64_t now)
{
    (void)store;
    (void)now;
    req->err = FO_OK;
}

static void render_health(struct fo_request *req, struct fo_json_out *out)
{
    (void)req;
    fo_json_object_begin(out);
    fo_json_kv_bool(out, "ok", true);
    fo_json_object_end(out);
}

static const char *content_type_of(const char *path)
{
    const char *dot = strrchr(path, '.');
    static const char *const types[][2] = {
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".json", "application/json; charset=utf-8"},
        {".ico", "image/x-icon"},
        {".txt", "text/plain; charset=utf-8"},
    };
    for (size_t index = 0; dot != NULL && index < sizeof types / sizeof types[0]; index++) {
        if (strcmp(dot, types[index][0]) == 0) {
            return types[index][1];
        }
    }
    return "application/octet-stream";
}

static void execute_static(struct fo_request *req, struct fo_store *store, int64_t now)
{
    (void)store;
    (void)now;
    char path[FO_PATH_PARAM_BYTES + 8];
    snprintf(path, sizeof path, "web/%s",
             req->params[0][0] != '\0' ? req->params[0] : "index.html");
    const struct fo_embedded_file *file = fo_embedded_find(path);
    if (file == NULL) {
        req->err = FO_ERR_NOT_FOUND;
        return;
    }
    req->answer_body = malloc(file->bytes + 1);
    if (req->answer_body == NULL) {
        req->err = FO_ERR_UNAVAILABLE;
        return;
    }
    memcpy(req->answer_body, file->data, file->bytes);
    req->answer_bytes = file->bytes;
    req->status = 200;
    req->content_type = content_type_of(path);
    req->has_answer = true;
}

static void render_static(struct fo_request *req, struct fo_json_out *out)
{
    (void)req;
    (void)out;
    FO_ASSERT(false); /* Static answers are set by execute_static, or are errors. */
}

const struct fo_route fo_routes_system[] = {
    {FO_METHOD_GET, "/healthz", 0, FO_ROUTE_STATIC, false, NULL, execute_health, render_health, 200,
     false, false, NULL},
    {FO_METHOD_GET, "/", 0, FO_ROUTE_STATIC, false, NULL, execute_static, render_static, 200, false,
     false, NULL},
    {FO_METHOD_GET, "/{}", 0, FO_ROUTE_STATIC, false, NULL, execute_static, render_static, 200,
     false, false, NULL},
};
const size_t fo_routes_system_count = sizeof fo_routes_system / sizeof fo_routes_system[0];
