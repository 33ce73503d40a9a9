/* src/output/zipfile.c: one stored entry: local file header, the data, one central directory record, the end
 * of central directory record, all little-endian (zipfile.h). */
#include "src/output/zipfile.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define ZIP_LOCAL_SIG 0x04034b50u
#define ZIP_CENTRAL_SIG 0x02014b50u
#define ZIP_END_SIG 0x06054b50u
#define ZIP_VERSION 20        /* 2.0: what a stored or deflated entry needs */
#define ZIP_FLAG_UTF8 0x0800u /* general purpose bit 11: the name is UTF-8 */
#define ZIP_DOS_DATE 0x0021u  /* 1980-01-01: year 0 (1980) << 9 | month 1 << 5 | day 1 */
#define ZIP_LOCAL_LEN 30
#define ZIP_CENTRAL_LEN 46
#define ZIP_END_LEN 22

static unsigned char *put16(unsigned char *p, unsigned v)
{
    p[0] = v & 0xFF;
    p[1] = (v >> 8) & 0xFF;
    return p + 2;
}

static unsigned char *put32(unsigned char *p, uint32_t v)
{
    p = put16(p, v & 0xFFFF);
    return put16(p, v >> 16);
}

/* The fields a local header and a central record share, from "version needed" to the extra field length. */
static unsigned char *put_common(unsigned char *p, uint32_t crc, uint32_t size, size_t name_len)
{
    p = put16(p, ZIP_VERSION);   /* version needed to extract */
    p = put16(p, ZIP_FLAG_UTF8); /* general purpose flags */
    p = put16(p, 0);             /* method: stored */
    p = put16(p, 0);             /* time 00:00:00 */
    p = put16(p, ZIP_DOS_DATE);
    p = put32(p, crc);
    p = put32(p, size); /* compressed size */
    p = put32(p, size); /* uncompressed size */
    p = put16(p, (unsigned)name_len);
    return put16(p, 0); /* extra field length */
}

ems_status zipfile_stored(emscov_ctx *ctx, const char *name, const void *data, size_t len,
                          unsigned char **zip, size_t *zip_len)
{
    *zip = NULL;
    *zip_len = 0;
    size_t nl = strlen(name);
    if (nl == 0 || nl > 0xFFFF)
        return emscov_fail(ctx, EMS_EINPUT, "zip entry name of %zu bytes (1 to 65535 allowed)", nl);
    size_t total = ZIP_LOCAL_LEN + nl + len + ZIP_CENTRAL_LEN + nl + ZIP_END_LEN;
    if (len >= 0xFFFFFFFFu || total > 0xFFFFFFFFu)
        return emscov_fail(ctx, EMS_EINPUT, "%s: %zu bytes is too large for a zip without Zip64", name, len);
    unsigned char *buf = malloc(total);
    if (!buf) return emscov_fail(ctx, EMS_ENOMEM, "out of memory (zip of %s)", name);
    uint32_t crc = (uint32_t)crc32(crc32(0L, Z_NULL, 0), data, (uInt)len);
    unsigned char *p = put32(buf, ZIP_LOCAL_SIG);
    p = put_common(p, crc, (uint32_t)len, nl);
    memcpy(p, name, nl);
    p += nl;
    if (len) memcpy(p, data, len);
    p += len;
    uint32_t central_at = (uint32_t)(p - buf);
    p = put32(p, ZIP_CENTRAL_SIG);
    p = put16(p, ZIP_VERSION); /* version made by: MS-DOS attributes, 2.0 */
    p = put_common(p, crc, (uint32_t)len, nl);
    p = put16(p, 0); /* file comment length */
    p = put16(p, 0); /* disk number start */
    p = put16(p, 0); /* internal attributes */
    p = put32(p, 0); /* external attributes */
    p = put32(p, 0); /* offset of the local header */
    memcpy(p, name, nl);
    p += nl;
    p = put32(p, ZIP_END_SIG);
    p = put16(p, 0); /* this disk */
    p = put16(p, 0); /* disk with the central directory */
    p = put16(p, 1); /* entries on this disk */
    p = put16(p, 1); /* entries */
    p = put32(p, (uint32_t)(ZIP_CENTRAL_LEN + nl));
    p = put32(p, central_at);
    put16(p, 0); /* comment length */
    *zip = buf;
    *zip_len = total;
    return EMS_OK;
}
