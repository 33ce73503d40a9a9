/* src/output/zipfile.h: a zip archive (PKWARE APPNOTE 6.3) of one file, stored uncompressed (method 0, CRC-32
 * from zlib): what a QGIS .qgz project is (src/output/qgis_project.h). Sizes stay below 4 GiB (no Zip64); the
 * entry's date is fixed (1980-01-01 00:00, the earliest a zip can say) so the same input gives the same
 * bytes.
 *
 * Ownership: zipfile_stored returns a new buffer (free). Pure memory work: thread-safe. */
#ifndef EMSCOV_ZIPFILE_H
#define EMSCOV_ZIPFILE_H

#include "geo/ctx.h"

#include <stddef.h>

/* The archive holding `name` (ASCII or UTF-8, 1..65535 bytes) with content data[0, len) into *zip, *zip_len.
 * EMS_EINPUT for an empty or too long name or a file of 4 GiB or more. */
ems_status zipfile_stored(emscov_ctx *ctx, const char *name, const void *data, size_t len,
                          unsigned char **zip, size_t *zip_len);

#endif
