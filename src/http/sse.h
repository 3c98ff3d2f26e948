/* Server-Sent Events for live order status; see sse.c. */
#ifndef FO_HTTP_SSE_H
#define FO_HTTP_SSE_H

#include "http/internal.h"

struct fo_sse_hub;

/* The hub of live streams; its ticker thread starts here. */
struct fo_sse_hub *fo_sse_hub_create(struct fo_reader_pool *readers, struct fo_writer *writer);
/* Ask every stream to end (server stopping): they flush and close. */
void fo_sse_hub_end_all(struct fo_sse_hub *hub);
/* Stop the ticker; every stream must have ended. NULL is a no-op. */
void fo_sse_hub_destroy(struct fo_sse_hub *hub);
/* A streaming response for the order's events (ownership already checked); NULL when
 * FO_SSE_SUBSCRIBERS_MAX streams are open or memory ran out (answer 503). */
struct MHD_Response *fo_sse_response(struct fo_sse_hub *hub, struct MHD_Connection *connection,
                                     const char *order_id);

#endif
