/* geo/osm.c: osm_read / osm_read_mem (see osm.h): picks the format and feeds the reader from a file or a
 * memory buffer. The readers are osm_pbf.c and osm_xml.c. */
#include "geo/osm_internal.h"

#include <errno.h>
#include <string.h>

size_t osm__src_read(osm_src *s, void *buf, size_t n)
{
    if (s->f) {
        size_t got = fread(buf, 1, n, s->f);
        if (got < n && ferror(s->f)) s->io_error = true;
        return got;
    }
    size_t left = s->len - s->pos;
    if (n > left) n = left;
    if (n) memcpy(buf, s->mem + s->pos, n);
    s->pos += n;
    return n;
}

static ems_status read_src(emscov_ctx *ctx, osm_src *s, osm_format fmt, const osm_visitor *v, osm_counts *counts)
{
    static const osm_visitor none = {0};
    osm_counts c0;
    if (!counts) counts = &c0;
    *counts = (osm_counts){0};
    if (!v) v = &none;
    return fmt == OSM_FORMAT_PBF ? osm__read_pbf(ctx, s, v, counts) : osm__read_xml(ctx, s, v, counts);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

ems_status osm_read(emscov_ctx *ctx, const char *path, const osm_visitor *v, osm_counts *counts)
{
    if (counts) *counts = (osm_counts){0};
    osm_format fmt;
    if (ends_with(path, ".pbf"))
        fmt = OSM_FORMAT_PBF;
    else if (ends_with(path, ".osm"))
        fmt = OSM_FORMAT_XML;
    else
        return emscov_fail(ctx, EMS_EINPUT, "%s: not an OSM file name (.osm or .osm.pbf expected)", path);
    /* a directory, a FIFO or a device is refused before it is opened (ctx.h, "Input files") */
    ems_status cs = ems_file_check(ctx, path, NULL);
    if (cs != EMS_OK) return cs;
    osm_src s = {.name = path, .f = fopen(path, "rb")};
    if (!s.f) return emscov_fail(ctx, EMS_EINPUT, "%s: cannot open: %s", path, strerror(errno));
    ems_status st = read_src(ctx, &s, fmt, v, counts);
    fclose(s.f);
    return st;
}

ems_status osm_read_mem(emscov_ctx *ctx, const char *name, const void *data, size_t len, osm_format fmt,
                        const osm_visitor *v, osm_counts *counts)
{
    osm_src s = {.name = name, .mem = data, .len = data ? len : 0};
    return read_src(ctx, &s, fmt, v, counts);
}
