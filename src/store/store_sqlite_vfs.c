/* The "fairorder" SQLite VFS: SQLite's "unix-excl" VFS with the write-ahead log's appends
 * gathered into one write per commit.
 *
 * unix-excl: the first connection takes an exclusive lock on the database file for the
 * process; the server's connections (writer, checkpointer, readers) share it, no other
 * process can open the file while the server runs (offline verify says so), and the
 * wal-index lives in the heap instead of a mapped -shm file. That spares every read
 * transaction the fcntl(2) calls of its shared-memory read lock: measured, 8 % of a read's
 * CPU (about 3 us per request).
 *
 * Why gather: SQLite writes each WAL frame as two pwrite(2) calls, a 24-byte header and then the
 * page, so the page straddles two file pages at an offset 24 bytes off alignment. A group
 * commit of ~30 commands writes ~100 frames: ~200 system calls, each taking the inode lock
 * and walking partial pages. Measured on this machine (bench/ and a standalone probe), the
 * commit's writes cost ~400 us of CPU as separate calls and ~130 us as one call for the
 * same bytes, a fifth of the writer thread's time. Nothing else changes: the same bytes
 * reach the same offsets before the same fdatasync.
 *
 * How: a WAL file opened through this VFS keeps a buffer. A write that continues the
 * buffered run (the next offset) is copied into it; any other write, and every other
 * method except the two pure queries (sector size, device characteristics), first writes
 * the buffer out, so every read, size, truncate and sync sees the file as SQLite wrote it.
 * Frames become visible to other connections only through the wal-index, which SQLite
 * updates after xSync, and xSync writes the buffer first: no connection can see a frame
 * that is still in memory. That needs a sync at every commit, which is synchronous=FULL
 * (store_sqlite.c sets it on every connection, and tests check it); with NORMAL a commit
 * would publish frames before writing them. Other files (the database, its shared memory)
 * pass through untouched. A failed write-out is returned by the method that caused it
 * (typically the commit's xSync), so SQLite fails that commit as it would have failed the
 * write. Each file belongs to one connection, used by one thread at a time (NOMUTEX). */
#include "store/store_sqlite.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/assert.h"
#include "core/limits.h"

struct walbuf_file {
    sqlite3_file base;  /* pMethods: walbuf_methods. Must come first. */
    sqlite3_file *real; /* The default VFS's file, allocated right after this struct. */
    bool buffered;      /* A write-ahead log. */
    unsigned char *buffer;
    size_t used;         /* Bytes buffered; they belong at [start, start + used). */
    sqlite3_int64 start; /* File offset of buffer[0]. */
};
/* real follows the struct, whose size is a multiple of its 8-byte alignment. */
_Static_assert(sizeof(struct walbuf_file) % 8 == 0, "the real file would be misaligned");
_Static_assert(FO_WAL_WRITE_BUFFER_BYTES <= 0x1ffff, "the unix VFS would write it short");

static sqlite3_vfs *real_vfs;
static sqlite3_vfs walbuf_vfs;

static struct walbuf_file *walbuf(sqlite3_file *file)
{
    return (struct walbuf_file *)file;
}

/* Write the buffered run out; the buffer is empty afterwards whatever happened. */
static int walbuf_flush(struct walbuf_file *file)
{
    if (file->used == 0) {
        return SQLITE_OK;
    }
    size_t used = file->used;
    file->used = 0;
    return file->real->pMethods->xWrite(file->real, file->buffer, (int)used, file->start);
}

static int walbuf_close(sqlite3_file *base)
{
    struct walbuf_file *file = walbuf(base);
    int flushed = walbuf_flush(file);
    int closed = file->real->pMethods->xClose(file->real);
    free(file->buffer);
    file->buffer = NULL;
    return flushed != SQLITE_OK ? flushed : closed;
}

static int walbuf_read(sqlite3_file *base, void *out, int amount, sqlite3_int64 offset)
{
    struct walbuf_file *file = walbuf(base);
    int rc = walbuf_flush(file);
    return rc != SQLITE_OK ? rc : file->real->pMethods->xRead(file->real, out, amount, offset);
}

/* Append to the buffered run when the write continues it and fits. */
static bool walbuf_append(struct walbuf_file *file, const void *data, size_t amount,
                          sqlite3_int64 offset)
{
    if (file->used > 0 && offset != file->start + (sqlite3_int64)file->used) {
        return false;
    }
    if (amount > FO_WAL_WRITE_BUFFER_BYTES - file->used) {
        return false;
    }
    if (file->buffer == NULL) {
        file->buffer = malloc(FO_WAL_WRITE_BUFFER_BYTES);
        if (file->buffer == NULL) {
            return false; /* Write through instead. */
        }
    }
    if (file->used == 0) {
        file->start = offset;
    }
    memcpy(file->buffer + file->used, data, amount);
    file->used += amount;
    return true;
}

static int walbuf_write(sqlite3_file *base, const void *data, int amount, sqlite3_int64 offset)
{
    struct walbuf_file *file = walbuf(base);
    FO_ASSERT(amount >= 0);
    if (file->buffered && walbuf_append(file, data, (size_t)amount, offset)) {
        return SQLITE_OK;
    }
    int rc = walbuf_flush(file);
    if (rc == SQLITE_OK && file->buffered && walbuf_append(file, data, (size_t)amount, offset)) {
        return SQLITE_OK; /* A new run (the old one did not continue here, or was full). */
    }
    return rc != SQLITE_OK ? rc : file->real->pMethods->xWrite(file->real, data, amount, offset);
}

static int walbuf_truncate(sqlite3_file *base, sqlite3_int64 size)
{
    struct walbuf_file *file = walbuf(base);
    int rc = walbuf_flush(file);
    return rc != SQLITE_OK ? rc : file->real->pMethods->xTruncate(file->real, size);
}

static int walbuf_sync(sqlite3_file *base, int flags)
{
    struct walbuf_file *file = walbuf(base);
    int rc = walbuf_flush(file);
    return rc != SQLITE_OK ? rc : file->real->pMethods->xSync(file->real, flags);
}

static int walbuf_file_size(sqlite3_file *base, sqlite3_int64 *out)
{
    struct walbuf_file *file = walbuf(base);
    int rc = walbuf_flush(file);
    return rc != SQLITE_OK ? rc : file->real->pMethods->xFileSize(file->real, out);
}

static int walbuf_lock(sqlite3_file *base, int level)
{
    struct walbuf_file *file = walbuf(base);
    int rc = walbuf_flush(file);
    return rc != SQLITE_OK ? rc : file->real->pMethods->xLock(file->real, level);
}

static int walbuf_unlock(sqlite3_file *base, int level)
{
    struct walbuf_file *file = walbuf(base);
    int rc = walbuf_flush(file);
    return rc != SQLITE_OK ? rc : file->real->pMethods->xUnlock(file->real, level);
}

static int walbuf_check_reserved_lock(sqlite3_file *base, int *out)
{
    struct walbuf_file *file = walbuf(base);
    int rc = walbuf_flush(file);
    return rc != SQLITE_OK ? rc : file->real->pMethods->xCheckReservedLock(file->real, out);
}

static int walbuf_file_control(sqlite3_file *base, int op, void *argument)
{
    struct walbuf_file *file = walbuf(base);
    int rc = walbuf_flush(file);
    return rc != SQLITE_OK ? rc : file->real->pMethods->xFileControl(file->real, op, argument);
}

static int walbuf_sector_size(sqlite3_file *base)
{
    struct walbuf_file *file = walbuf(base);
    return file->real->pMethods->xSectorSize(file->real);
}

static int walbuf_device_characteristics(sqlite3_file *base)
{
    struct walbuf_file *file = walbuf(base);
    return file->real->pMethods->xDeviceCharacteristics(file->real);
}

/* Shared memory and memory mapping belong to the database file: passed through. */
static int walbuf_shm_map(sqlite3_file *base, int region, int region_bytes, int extend,
                          void volatile **out)
{
    struct walbuf_file *file = walbuf(base);
    return file->real->pMethods->xShmMap(file->real, region, region_bytes, extend, out);
}

static int walbuf_shm_lock(sqlite3_file *base, int offset, int count, int flags)
{
    struct walbuf_file *file = walbuf(base);
    return file->real->pMethods->xShmLock(file->real, offset, count, flags);
}

static void walbuf_shm_barrier(sqlite3_file *base)
{
    struct walbuf_file *file = walbuf(base);
    file->real->pMethods->xShmBarrier(file->real);
}

static int walbuf_shm_unmap(sqlite3_file *base, int delete_flag)
{
    struct walbuf_file *file = walbuf(base);
    return file->real->pMethods->xShmUnmap(file->real, delete_flag);
}

static int walbuf_fetch(sqlite3_file *base, sqlite3_int64 offset, int amount, void **out)
{
    struct walbuf_file *file = walbuf(base);
    int rc = walbuf_flush(file);
    return rc != SQLITE_OK ? rc : file->real->pMethods->xFetch(file->real, offset, amount, out);
}

static int walbuf_unfetch(sqlite3_file *base, sqlite3_int64 offset, void *pointer)
{
    struct walbuf_file *file = walbuf(base);
    return file->real->pMethods->xUnfetch(file->real, offset, pointer);
}

static const sqlite3_io_methods walbuf_methods = {
    .iVersion = 3,
    .xClose = walbuf_close,
    .xRead = walbuf_read,
    .xWrite = walbuf_write,
    .xTruncate = walbuf_truncate,
    .xSync = walbuf_sync,
    .xFileSize = walbuf_file_size,
    .xLock = walbuf_lock,
    .xUnlock = walbuf_unlock,
    .xCheckReservedLock = walbuf_check_reserved_lock,
    .xFileControl = walbuf_file_control,
    .xSectorSize = walbuf_sector_size,
    .xDeviceCharacteristics = walbuf_device_characteristics,
    .xShmMap = walbuf_shm_map,
    .xShmLock = walbuf_shm_lock,
    .xShmBarrier = walbuf_shm_barrier,
    .xShmUnmap = walbuf_shm_unmap,
    .xFetch = walbuf_fetch,
    .xUnfetch = walbuf_unfetch,
};

static int walbuf_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *base, int flags,
                       int *out_flags)
{
    (void)vfs;
    struct walbuf_file *file = walbuf(base);
    memset(file, 0, sizeof *file);
    file->real = (sqlite3_file *)(file + 1);
    int rc = real_vfs->xOpen(real_vfs, name, file->real, flags, out_flags);
    if (file->real->pMethods == NULL) {
        base->pMethods = NULL; /* Nothing to close. */
        return rc;
    }
    /* The unix VFS's files are version 3; a lower one would lack what we pass through. */
    FO_ASSERT(file->real->pMethods->iVersion >= 3);
    file->buffered = (flags & SQLITE_OPEN_WAL) != 0;
    base->pMethods = &walbuf_methods;
    return rc;
}

void fo_sqlite_vfs_register(void)
{
    real_vfs = sqlite3_vfs_find("unix-excl");
    FO_ASSERT(real_vfs != NULL);
    FO_ASSERT(real_vfs->iVersion >= 3);
    /* Every method but xOpen is unix-excl's own; the copy carries its pAppData and
     * path length, which those methods read from the VFS they are called with. */
    walbuf_vfs = *real_vfs;
    walbuf_vfs.zName = FO_SQLITE_VFS_NAME;
    walbuf_vfs.pNext = NULL;
    walbuf_vfs.szOsFile = (int)sizeof(struct walbuf_file) + real_vfs->szOsFile;
    walbuf_vfs.xOpen = walbuf_open;
    int rc = sqlite3_vfs_register(&walbuf_vfs, 0);
    FO_ASSERT(rc == SQLITE_OK);
}
