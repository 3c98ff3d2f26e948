/* The API names of event types and actors (API.md, GET /v1/orders/{id}/events: "Types:
 * placed, allocated, ... actors: buyer, supplier, system, admin"). These strings are part
 * of the public contract and never change. Pure: a value outside the enum (a programmer
 * error that must not take a log line or an event stream down) reads as "unknown". */
#include "store/store.h"

const char *fo_event_type_name(enum fo_event_type type)
{
    switch (type) {
    case FO_EVENT_PLACED:
        return "placed";
    case FO_EVENT_ALLOCATED:
        return "allocated";
    case FO_EVENT_CLAIMED:
        return "claimed";
    case FO_EVENT_PROGRESS:
        return "progress";
    case FO_EVENT_COMPLETED:
        return "completed";
    case FO_EVENT_CANCELLED:
        return "cancelled";
    case FO_EVENT_FAILED:
        return "failed";
    }
    return "unknown";
}

const char *fo_actor_name(enum fo_actor actor)
{
    switch (actor) {
    case FO_ACTOR_BUYER:
        return "buyer";
    case FO_ACTOR_SUPPLIER:
        return "supplier";
    case FO_ACTOR_SYSTEM:
        return "system";
    case FO_ACTOR_ADMIN:
        return "admin";
    }
    return "unknown";
}
