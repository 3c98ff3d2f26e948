/* The route tables of handlers_*.c and what they share. */
#ifndef FO_HTTP_HANDLERS_H
#define FO_HTTP_HANDLERS_H

#include <stdio.h>

#include "http/internal.h"

extern const struct fo_route fo_routes_buyer[];
extern const size_t fo_routes_buyer_count;
extern const struct fo_route fo_routes_supplier[];
extern const size_t fo_routes_supplier_count;
extern const struct fo_route fo_routes_admin[];
extern const size_t fo_routes_admin_count;
extern const struct fo_route fo_routes_system[];
extern const size_t fo_routes_system_count;

/* The order lists of buyers (GET /v1/orders) and admins (GET /v1/admin/orders): one
 * decode, execute and render; the filter follows the principal's role. */
enum fo_err fo_handlers_orders_decode(struct fo_request *req, json_t *body,
                                      struct fo_err_detail *detail);
void fo_handlers_orders_execute(struct fo_request *req, struct fo_store *store, int64_t now);
void fo_handlers_orders_render(struct fo_request *req, struct fo_json_out *out);

/* Lists fetch limit + 1 items: trim to the limit and note whether another page exists. */
void fo_handlers_page(struct fo_request *req, size_t *count);

#endif
