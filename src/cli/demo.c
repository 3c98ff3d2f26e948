/* --demo: the demo data of the live-orders milestone (issue 4). Until it lands, say so. */
#include <stdio.h>

#include "cli/serve.h"

void fo_serve_demo(struct fo_serve_runtime *runtime, const char *url)
{
    (void)runtime;
    fprintf(stderr, "demo data arrives with the live-orders milestone; the API is at %s\n", url);
}
