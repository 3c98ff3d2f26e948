/* The SQLite specifics of the store contract fixture (store_fixture.h): a database is a
 * file in a fresh directory under build/tmp (fo_test_temp_dir), removed with its -wal and
 * -shm files when the test ends. */
#include <stdio.h>
#include <stdlib.h>

#include "store/store_fixture.h"

void fo_fixture_location_new(const char *name, char *out, size_t out_bytes)
{
    char dir[400];
    fo_test_temp_dir(name, dir, sizeof dir);
    snprintf(out, out_bytes, "%s/fairorder.db", dir);
}

void fo_fixture_location_drop(const char *location)
{
    /* The database, its -wal and -shm files, and the directory that holds them. */
    char command[1200];
    snprintf(command, sizeof command, "rm -rf \"$(dirname '%s')\"", location);
    if (system(command) != 0) {
        fail_msg("cannot remove %s", location);
    }
}

void fo_fixture_location_unopenable(const char *name, char *out, size_t out_bytes)
{
    /* A file in a directory that does not exist: SQLite cannot create it. */
    snprintf(out, out_bytes, "build/tmp/%s-no-such-directory/fairorder.db", name);
}

int64_t fo_fixture_schema_version(void)
{
    return 6; /* src/store/schema/0006_journals_order_unindexed.sql */
}
