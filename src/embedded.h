/* Files compiled into the binary by tools/embed.sh: the schema migrations
 * (src/store/schema/NNNN_name.sql) and the web page (web/...), so that one binary is a
 * whole deployment. Generated data; the table is sorted by path. */
#ifndef FO_EMBEDDED_H
#define FO_EMBEDDED_H

#include <stddef.h>

struct fo_embedded_file {
    const char *path; /* Repository-relative, e.g. "web/index.html". */
    const unsigned char *data;
    size_t bytes;
};

extern const struct fo_embedded_file fo_embedded_files[];
extern const size_t fo_embedded_files_count;

/* The file at `path`, or NULL. */
const struct fo_embedded_file *fo_embedded_find(const char *path);

#endif
