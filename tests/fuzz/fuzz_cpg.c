/* tests/fuzz/fuzz_cpg.c: libFuzzer target for shapefile text encodings: the .cpg (code page names, BOMs,
 * blanks, line ends), the DBF language driver id (LDID) byte, --encoding, and the conversion of a text field
 * to UTF-8 (geo/encoding.c through iconv). A one-point shapefile is built in memory; the input gives
 *   byte 0: the LDID byte of the .dbf header,
 *   byte 1: the .cpg length n (255: no .cpg), bits of byte 2: which --encoding to pass (none, GBK, 936, junk),
 *   then n bytes of .cpg, then up to 40 bytes of the text field's value (padded with blanks).
 * Files are served through the I/O hook (fuzz_io.h). Any status is fine; a crash, sanitizer report, leak or
 * hang is a bug. */
#include "fuzz_io.h"
#include "geo/layer.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define WIDTH 40
static emscov_ctx *ctx;
static uint8_t shp[100 + 8 + 20], shx[100 + 8], dbf[32 + 32 + 1 + 1 + WIDTH + 1];

static void be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
}

static void le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16), p[3] = (uint8_t)(v >> 24);
}

static void le_double(uint8_t *p, double d)
{
    memcpy(p, &d, 8); /* x86-64 and every libFuzzer host are little-endian */
}

/* A point shapefile with one record at (116.4, 39.9) and a .dbf with one text field NAME of WIDTH bytes. */
static void build(void)
{
    be32(shp, 9994);
    be32(shp + 24, sizeof shp / 2);
    le32(shp + 28, 1000);
    le32(shp + 32, 1); /* point */
    for (int k = 0; k < 4; k++) le_double(shp + 36 + 8 * k, k % 2 ? 39.9 : 116.4);
    memcpy(shx, shp, 100);
    be32(shx + 24, sizeof shx / 2);
    be32(shp + 100, 1);
    be32(shp + 104, 10);
    le32(shp + 108, 1);
    le_double(shp + 112, 116.4);
    le_double(shp + 120, 39.9);
    be32(shx + 100, 50);
    be32(shx + 104, 10);
    dbf[0] = 0x03;
    le32(dbf + 4, 1);
    dbf[8] = 65, dbf[9] = 0;                 /* header length 32 + 32 + 1 */
    dbf[10] = 1 + WIDTH, dbf[11] = 0;        /* record length */
    memcpy(dbf + 32, "NAME", 4);
    dbf[32 + 11] = 'C';
    dbf[32 + 16] = WIDTH;
    dbf[64] = 0x0D;
    dbf[65] = ' ';                           /* not deleted */
    dbf[sizeof dbf - 1] = 0x1A;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    ctx = fuzz_io_ctx();
    build();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3) return 0;
    static const char *const given[4] = {NULL, "GBK", "936", "x-no-such-code-page"};
    size_t n = data[1] == 255 ? 0 : data[1];
    if (n > size - 3) n = size - 3;
    dbf[29] = data[0];
    size_t v = size - 3 - n < WIDTH ? size - 3 - n : WIDTH;
    memset(dbf + 66, ' ', WIDTH);
    memcpy(dbf + 66, data + 3 + n, v);
    fuzz_io_put("/fuzz/in.shp", shp, sizeof shp);
    fuzz_io_put("/fuzz/in.shx", shx, sizeof shx);
    fuzz_io_put("/fuzz/in.dbf", dbf, sizeof dbf);
    if (data[1] != 255) fuzz_io_put("/fuzz/in.cpg", data + 3, n);
    layer_read_opts o = {.srs = "EPSG:4326", .encoding = given[data[2] & 3]};
    layer *l = NULL;
    ems_status st = layer_read(ctx, "/fuzz/in.shp", &o, &l);
    if ((st == EMS_OK) != (l != NULL)) abort();
    if (l) {
        const layer_value *val = layer_count(l) ? layer_value_at(l, 0, 0) : NULL;
        if (val && !val->is_null && strlen(val->u.s) > 4 * WIDTH) abort(); /* UTF-8 of 40 bytes: at most 4x */
        layer_destroy(l);
    }
    fuzz_io_clear();
    emscov_clear(ctx);
    return 0;
}
