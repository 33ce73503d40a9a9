/* geo/grid.c: the grid readers (see grid.h). ESRI ASCII: the whole file in one buffer, a header of key/value
 * lines, then a hand-written number scanner over the values (exact fast path for up to 15 significant
 * digits and powers of ten up to 1e22, strtod for the rest). Anything else: band 1 through GDAL, scaled,
 * with GDAL's mask (no-data value, NaN, per-dataset mask or alpha) turned into no-data cells. */
#include "geo/grid.h"
#include "geo/gdal_internal.h"

#include <gdal.h>
#include "geo/limits.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct grid {
    char *path;
    char *format;           /* "ESRI ASCII", or GDAL's driver long name */
    char crs_source[160];
    size_t ncols, nrows;
    double dx, dy, xll, yll, nodata;
    bool has_nodata;
    double *v;
    crs *c;
};

/* ---- Scanner. */

typedef struct scan {
    const char *p, *end;
    size_t line;     /* 1-based line of *p */
    size_t tok_line; /* line of the last token */
} scan;

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static void skip_space(scan *s)
{
    while (s->p < s->end && is_space(*s->p)) {
        if (*s->p == '\n') s->line++;
        s->p++;
    }
}

/* Next token [*b, *e) (no white space); false at the end of the buffer. */
static bool next_token(scan *s, const char **b, const char **e)
{
    skip_space(s);
    if (s->p >= s->end) return false;
    *b = s->p;
    s->tok_line = s->line;
    while (s->p < s->end && !is_space(*s->p))
        s->p++;
    *e = s->p;
    return true;
}

/* Printable length of a token in a message. */
static int show_len(const char *b, const char *e)
{
    return (int)(e - b > 40 ? 40 : e - b);
}

static const double pow10_exact[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                     1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* A decimal number: [+-]digits[.digits][(e|E)[+-]digits] (at least one mantissa digit), the whole token.
 * Up to 15 significant digits times an exact power of ten is exact and correctly rounded (one IEEE
 * operation on exact operands); everything else goes through strtod. Overflow gives +-inf (refused by the caller). */
static bool parse_number(const char *b, const char *e, double *out)
{
    const char *p = b;
    bool neg = false;
    if (p < e && (*p == '-' || *p == '+')) neg = *p++ == '-';
    uint64_t m = 0;
    int nd = 0, dropped = 0, frac = 0;
    bool any = false;
    for (; p < e && is_digit(*p); p++) {
        any = true;
        if (nd < 19) {
            m = m * 10 + (uint64_t)(*p - '0');
            nd += m != 0;
        } else
            dropped++;
    }
    if (p < e && *p == '.')
        for (p++; p < e && is_digit(*p); p++) {
            any = true;
            if (nd < 19) {
                m = m * 10 + (uint64_t)(*p - '0');
                nd += m != 0;
                frac++;
            }
        }
    if (!any) return false;
    long ex = 0;
    if (p < e && (*p == 'e' || *p == 'E')) {
        p++;
        bool eneg = false;
        if (p < e && (*p == '-' || *p == '+')) eneg = *p++ == '-';
        if (p >= e || !is_digit(*p)) return false;
        for (; p < e && is_digit(*p); p++)
            if (ex < 100000) ex = ex * 10 + (*p - '0');
        if (eneg) ex = -ex;
    }
    if (p != e) return false;
    long e10 = ex + dropped - frac;
    if (nd <= 15 && e10 >= -22 && e10 <= 22) {
        double v = (double)m;
        v = e10 < 0 ? v / pow10_exact[-e10] : v * pow10_exact[e10];
        *out = neg ? -v : v;
        return true;
    }
    char tmp[512];
    if ((size_t)(e - b) >= sizeof tmp) return false;
    memcpy(tmp, b, (size_t)(e - b));
    tmp[e - b] = '\0';
    errno = 0;
    *out = strtod(tmp, NULL); /* the grammar was checked above; ERANGE gives +-inf or a denormal/0 */
    return true;
}

/* ---- Header. */

enum {
    K_NCOLS,
    K_NROWS,
    K_XLLCORNER,
    K_XLLCENTER,
    K_YLLCORNER,
    K_YLLCENTER,
    K_CELLSIZE,
    K_DX,
    K_DY,
    K_NODATA,
    K_COUNT
};
static const char *const key_names[K_COUNT] = {"ncols",     "nrows",       "xllcorner", "xllcenter",
                                               "yllcorner", "yllcenter",   "cellsize",  "dx",
                                               "dy",        "nodata_value"};

static ems_status parse_header(emscov_ctx *ctx, grid *g, scan *s)
{
    double val[K_COUNT] = {0};
    size_t seen[K_COUNT] = {0}; /* line where each key was given, 0 when not */
    for (;;) {
        skip_space(s);
        if (s->p >= s->end || !is_alpha(*s->p)) break;
        const char *kb, *ke, *vb, *ve;
        next_token(s, &kb, &ke);
        size_t line = s->line;
        int k = 0;
        while (k < K_COUNT && !(strlen(key_names[k]) == (size_t)(ke - kb) &&
                                !strncasecmp(key_names[k], kb, (size_t)(ke - kb))))
            k++;
        if (k == K_COUNT)
            return emscov_fail(ctx, EMS_EINPUT,
                               "%s: line %zu: unknown header key \"%.*s\" (want ncols, nrows, xllcorner or "
                               "xllcenter, yllcorner or yllcenter, cellsize or dx and dy, NODATA_value)",
                               g->path, line, show_len(kb, ke), kb);
        if (seen[k])
            return emscov_fail(ctx, EMS_EINPUT, "%s: line %zu: %.*s given twice (first on line %zu)", g->path,
                               line, show_len(kb, ke), kb, seen[k]);
        while (s->p < s->end && (*s->p == ' ' || *s->p == '\t'))
            s->p++;
        if (s->p >= s->end || is_space(*s->p))
            return emscov_fail(ctx, EMS_EINPUT, "%s: line %zu: header key %.*s has no value", g->path, line,
                               show_len(kb, ke), kb);
        next_token(s, &vb, &ve);
        if (!parse_number(vb, ve, &val[k]) || !isfinite(val[k]))
            return emscov_fail(ctx, EMS_EINPUT, "%s: line %zu: %.*s: \"%.*s\" is not a number", g->path, line,
                               show_len(kb, ke), kb, show_len(vb, ve), vb);
        seen[k] = line;
    }
    size_t data_line = s->line;
    static const int required[] = {K_NCOLS, K_NROWS};
    for (size_t r = 0; r < 2; r++) {
        int k = required[r];
        if (!seen[k])
            return emscov_fail(ctx, EMS_EINPUT, "%s: line %zu: the header has no %s", g->path, data_line,
                               key_names[k]);
        if (val[k] < 1 || val[k] > 1e9 || val[k] != (double)(size_t)val[k])
            return emscov_fail(ctx, EMS_EINPUT, "%s: line %zu: %s %.17g: need a whole number from 1 to 1e9",
                               g->path, seen[k], key_names[k], val[k]);
    }
    g->ncols = (size_t)val[K_NCOLS];
    g->nrows = (size_t)val[K_NROWS];
    if (seen[K_CELLSIZE] && (seen[K_DX] || seen[K_DY]))
        return emscov_fail(ctx, EMS_EINPUT, "%s: line %zu: both cellsize and dx/dy given", g->path,
                           seen[K_DX] ? seen[K_DX] : seen[K_DY]);
    if (seen[K_CELLSIZE]) {
        g->dx = g->dy = val[K_CELLSIZE];
        if (!(g->dx > 0))
            return emscov_fail(ctx, EMS_EINPUT, "%s: line %zu: cellsize %.17g: need a positive size", g->path,
                               seen[K_CELLSIZE], g->dx);
    } else {
        if (!seen[K_DX] || !seen[K_DY])
            return emscov_fail(ctx, EMS_EINPUT, "%s: line %zu: the header has no cellsize (nor dx and dy)",
                               g->path, data_line);
        g->dx = val[K_DX];
        g->dy = val[K_DY];
        if (!(g->dx > 0) || !(g->dy > 0))
            return emscov_fail(ctx, EMS_EINPUT, "%s: line %zu: %s %.17g: need a positive size", g->path,
                               !(g->dx > 0) ? seen[K_DX] : seen[K_DY], !(g->dx > 0) ? "dx" : "dy",
                               !(g->dx > 0) ? g->dx : g->dy);
    }
    for (int axis = 0; axis < 2; axis++) {
        int corner = axis ? K_YLLCORNER : K_XLLCORNER, centre = axis ? K_YLLCENTER : K_XLLCENTER;
        const char *name = axis ? "yllcorner or yllcenter" : "xllcorner or xllcenter";
        if (seen[corner] && seen[centre])
            return emscov_fail(ctx, EMS_EINPUT, "%s: line %zu: both %s and %s given", g->path,
                               seen[corner] > seen[centre] ? seen[corner] : seen[centre], key_names[corner],
                               key_names[centre]);
        if (!seen[corner] && !seen[centre])
            return emscov_fail(ctx, EMS_EINPUT, "%s: line %zu: the header has no %s", g->path, data_line,
                               name);
        double half = (axis ? g->dy : g->dx) / 2;
        double o = seen[corner] ? val[corner] : val[centre] - half;
        if (axis)
            g->yll = o;
        else
            g->xll = o;
    }
    g->has_nodata = seen[K_NODATA] != 0;
    g->nodata = val[K_NODATA];
    return EMS_OK;
}

/* ---- Values. */

static ems_status too_few(emscov_ctx *ctx, const grid *g, const scan *s, size_t got)
{
    return emscov_fail(ctx, EMS_EINPUT,
                       "%s: line %zu: too few values: the file ends after %zu, the header says ncols %zu x "
                       "nrows %zu = %zu",
                       g->path, s->tok_line, got, g->ncols, g->nrows, g->ncols * g->nrows);
}

static ems_status parse_values(emscov_ctx *ctx, grid *g, scan *s)
{
    if (g->ncols > SIZE_MAX / sizeof(double) / g->nrows)
        return emscov_fail(ctx, EMS_EINPUT, "%s: ncols %zu x nrows %zu: too many cells", g->path, g->ncols,
                           g->nrows);
    size_t cells = g->ncols * g->nrows;
    if ((size_t)(s->end - s->p) / 2 + 1 < cells) {
        /* Not enough bytes for that many values: count them for the message, allocate nothing. */
        size_t got = 0;
        const char *b, *e;
        while (next_token(s, &b, &e))
            got++;
        return too_few(ctx, g, s, got);
    }
    if (!(g->v = ems_malloc(ctx, cells * sizeof *g->v))) return EMS_ENOMEM;
    double total = 0; /* of the data cells: must stay finite, or every sum made from the grid is inf or NaN */
    for (size_t k = 0; k < cells; k++) {
        const char *b, *e;
        if (!next_token(s, &b, &e)) return too_few(ctx, g, s, k);
        if (!parse_number(b, e, &g->v[k]))
            return emscov_fail(ctx, EMS_EINPUT, "%s: line %zu: row %zu, column %zu: \"%.*s\" is not a number",
                               g->path, s->line, k / g->ncols + 1, k % g->ncols + 1, show_len(b, e), b);
        if (!isfinite(g->v[k]))
            return emscov_fail(ctx, EMS_EINPUT,
                               "%s: line %zu: row %zu, column %zu: \"%.*s\" is out of range (beyond 1.8e308)",
                               g->path, s->line, k / g->ncols + 1, k % g->ncols + 1, show_len(b, e), b);
        if (!(g->has_nodata && g->v[k] == g->nodata) && !isfinite(total += fabs(g->v[k])))
            return emscov_fail(ctx, EMS_EINPUT,
                               "%s: line %zu: row %zu, column %zu: the values add up to more than the largest "
                               "number (1.8e308) here",
                               g->path, s->line, k / g->ncols + 1, k % g->ncols + 1);
    }
    const char *b, *e;
    if (next_token(s, &b, &e))
        return emscov_fail(ctx, EMS_EINPUT,
                           "%s: line %zu: too many values: \"%.*s\" after ncols %zu x nrows %zu = %zu",
                           g->path, s->line, show_len(b, e), b, g->ncols, g->nrows, cells);
    return EMS_OK;
}

/* ---- CRS. */

/* --srs, else the file's own CRS (a GDAL raster's, srs != NULL, an OGRSpatialReferenceH), else <stem>.prj. */
static ems_status choose_crs(emscov_ctx *ctx, grid *g, const layer_read_opts *o, const void *srs)
{
    ems_status st;
    if (o && o->srs) {
        if ((st = crs_from_string(ctx, o->srs, &g->c)) != EMS_OK) {
            char msg[1024];
            snprintf(msg, sizeof msg, "%s", emscov_message(ctx));
            return emscov_fail(ctx, st, "--srs: %s", msg);
        }
        snprintf(g->crs_source, sizeof g->crs_source, "--srs");
        return EMS_OK;
    }
    if (srs) {
        snprintf(g->crs_source, sizeof g->crs_source, "%s, GDAL", g->format);
        return gdal__crs(ctx, srs, g->path, &g->c);
    }
    const char *slash = strrchr(g->path, '/');
    const char *dot = strrchr(slash ? slash + 1 : g->path, '.');
    size_t stem = dot ? (size_t)(dot - g->path) : strlen(g->path);
    char *prj = ems_malloc(ctx, stem + 5);
    if (!prj) return EMS_ENOMEM;
    memcpy(prj, g->path, stem);
    memcpy(prj + stem, ".prj", 5);
    if (!ems_file_exists(ctx, prj)) memcpy(prj + stem, ".PRJ", 5);
    if (!ems_file_exists(ctx, prj)) {
        memcpy(prj + stem, ".prj", 5);
        st = emscov_fail(ctx, EMS_EINPUT, "%s: no CRS: %sno %s beside it and no --srs", g->path,
                         strcmp(g->format, "ESRI ASCII") ? "none in the file, " : "", prj);
    } else {
        st = crs_from_prj(ctx, prj, &g->c);
        snprintf(g->crs_source, sizeof g->crs_source, ".prj");
    }
    free(prj);
    return st;
}

/* ---- ESRI ASCII. */

static ems_status read_ascii(emscov_ctx *ctx, grid *g, const layer_read_opts *o)
{
    char *buf = NULL;
    size_t len = 0;
    ems_status st;
    if (!(g->format = ems_strdup(ctx, "ESRI ASCII"))) return EMS_ENOMEM;
    if ((st = ems_read_file(ctx, g->path, &buf, &len)) != EMS_OK) return st;
    scan s = {buf, buf + len, 1, 1};
    if ((st = parse_header(ctx, g, &s)) == EMS_OK && (st = parse_values(ctx, g, &s)) == EMS_OK)
        st = choose_crs(ctx, g, o, NULL); /* last: a broken grid is reported without asking PROJ anything */
    free(buf);
    return st;
}

/* ---- GDAL. */

/* The cells of band 1: scaled (value x scale + offset); a cell GDAL's mask marks invalid (the no-data value,
 * NaN, a per-dataset mask, alpha 0) holds the no-data value, NaN when the band declares none. Row 0 is the
 * northern row whichever way the file stores them (a south-up file, dy > 0 in the geotransform, is flipped). */
static ems_status read_band(emscov_ctx *ctx, grid *g, GDALRasterBandH band, bool south_up, const gdal__errors *e)
{
    size_t nc = g->ncols, nr = g->nrows, cells = nc * nr;
    int has = 0, has_scale = 0, has_offset = 0;
    double nodata = GDALGetRasterNoDataValue(band, &has);
    double scale = GDALGetRasterScale(band, &has_scale), offset = GDALGetRasterOffset(band, &has_offset);
    if (!has_scale) scale = 1;
    if (!has_offset) offset = 0;
    int flags = GDALGetMaskFlags(band);
    bool masked = !(flags & GMF_ALL_VALID);
    unsigned char *mask = NULL;
    if (!(g->v = ems_malloc(ctx, cells * sizeof *g->v)) || (masked && !(mask = ems_malloc(ctx, cells))))
        return EMS_ENOMEM;
    ems_status st = EMS_OK;
    if (GDALRasterIO(band, GF_Read, 0, 0, (int)nc, (int)nr, g->v, (int)nc, (int)nr, GDT_Float64, 0, 0) != CE_None)
        st = emscov_fail(ctx, EMS_EINPUT, "%s: reading the cells: GDAL: %s", g->path, gdal__message(e));
    else if (masked && GDALRasterIO(GDALGetMaskBand(band), GF_Read, 0, 0, (int)nc, (int)nr, mask, (int)nc, (int)nr,
                                    GDT_Byte, 0, 0) != CE_None)
        st = emscov_fail(ctx, EMS_EINPUT, "%s: reading the no-data mask: GDAL: %s", g->path, gdal__message(e));
    if (st == EMS_OK) {
        g->has_nodata = has || masked;
        g->nodata = has ? nodata : NAN;
        for (size_t k = 0; k < cells; k++) {
            if (masked && !mask[k])
                g->v[k] = g->nodata;
            else if (!(has && (g->v[k] == nodata || (isnan(nodata) && isnan(g->v[k])))))
                g->v[k] = g->v[k] * scale + offset;
        }
        for (size_t r = 0; south_up && r < nr / 2; r++)
            for (size_t c = 0; c < nc; c++) {
                double t = g->v[r * nc + c];
                g->v[r * nc + c] = g->v[(nr - 1 - r) * nc + c];
                g->v[(nr - 1 - r) * nc + c] = t;
            }
    }
    free(mask);
    return st;
}

static ems_status read_gdal(emscov_ctx *ctx, grid *g, const layer_read_opts *o)
{
    gdal__errors e;
    gdal__begin(&e);
    ems_status st = EMS_OK;
    double gt[6];
    GDALDatasetH ds = GDALOpenEx(g->path, GDAL_OF_RASTER | GDAL_OF_READONLY | GDAL_OF_VERBOSE_ERROR, NULL, NULL,
                                 NULL);
    if (!ds) {
        st = emscov_fail(ctx, EMS_EINPUT, "%s: GDAL cannot open it as a raster: %s", g->path, gdal__message(&e));
        goto done;
    }
    if (!(g->format = ems_strdup(ctx, GDALGetDriverLongName(GDALGetDatasetDriver(ds))))) {
        st = EMS_ENOMEM;
        goto done;
    }
    int bands = GDALGetRasterCount(ds);
    int nc = GDALGetRasterXSize(ds), nr = GDALGetRasterYSize(ds);
    if (bands < 1) {
        st = emscov_fail(ctx, EMS_EINPUT, "%s: %s file without raster bands", g->path, g->format);
        goto done;
    }
    GDALRasterBandH band = GDALGetRasterBand(ds, 1);
    if (GDALDataTypeIsComplex(GDALGetRasterDataType(band))) {
        st = emscov_fail(ctx, EMS_EINPUT, "%s: band 1 holds complex numbers (%s), not counts", g->path,
                         GDALGetDataTypeName(GDALGetRasterDataType(band)));
        goto done;
    }
    if (nc < 1 || nr < 1 || (double)nc * (double)nr > 1e9) {
        st = emscov_fail(ctx, EMS_EINPUT, "%s: %d x %d cells: need 1 to 1e9 cells", g->path, nc, nr);
        goto done;
    }
    if (GDALGetGeoTransform(ds, gt) != CE_None) {
        st = emscov_fail(ctx, EMS_EINPUT, "%s: no georeferencing (GDAL finds no geotransform)", g->path);
        goto done;
    }
    if (gt[2] != 0 || gt[4] != 0 || !(gt[1] > 0) || !(gt[5] != 0) || !isfinite(gt[0]) || !isfinite(gt[3])) {
        st = emscov_fail(ctx, EMS_EINPUT,
                         "%s: geotransform (%.17g, %.17g, %.17g, %.17g, %.17g, %.17g): need a grid aligned with the "
                         "axes (no rotation), west to east (gdalwarp can resample it)",
                         g->path, gt[0], gt[1], gt[2], gt[3], gt[4], gt[5]);
        goto done;
    }
    g->ncols = (size_t)nc;
    g->nrows = (size_t)nr;
    g->dx = gt[1];
    g->dy = fabs(gt[5]);
    g->xll = gt[0];
    g->yll = gt[5] < 0 ? gt[3] + (double)nr * gt[5] : gt[3];
    if ((st = choose_crs(ctx, g, o, GDALGetSpatialRef(ds))) != EMS_OK) goto done;
    if (bands > 1)
        emscov_warn(ctx, "%s: %d bands: band 1 is read as the population", g->path, bands);
    if ((st = read_band(ctx, g, band, gt[5] > 0, &e)) != EMS_OK) goto done;
    for (size_t k = 0; k < e.nwarnings; k++)
        emscov_warn(ctx, "%s: GDAL: %s", g->path, e.warnings[k]);
done:
    if (ds) GDALClose(ds);
    gdal__end();
    return st;
}

/* ---- Public. */

ems_status grid_read(emscov_ctx *ctx, const char *path, const layer_read_opts *o, grid **out)
{
    *out = NULL;
    grid *g = ems_calloc(ctx, 1, sizeof *g);
    if (!g) return EMS_ENOMEM;
    ems_status st = EMS_ENOMEM;
    if ((g->path = ems_strdup(ctx, path)) && (st = ems_file_check(ctx, path, NULL)) == EMS_OK) {
        const char *slash = strrchr(path, '/');
        const char *dot = strrchr(slash ? slash + 1 : path, '.');
        bool ascii = dot && !strcasecmp(dot, ".asc") && !(o && o->format && !strcasecmp(o->format, "gdal"));
        st = ascii ? read_ascii(ctx, g, o) : read_gdal(ctx, g, o);
    }
    if (st != EMS_OK)
        grid_destroy(g);
    else
        *out = g;
    return st;
}

ems_status grid_check_counts(emscov_ctx *ctx, const grid *g, double max_per_cell, const char *what)
{
    for (size_t k = 0; k < g->ncols * g->nrows; k++) {
        if (g->has_nodata && g->v[k] == g->nodata) continue;
        if (g->v[k] >= 0 && g->v[k] <= max_per_cell) continue;
        char where[600];
        snprintf(where, sizeof where, "%s: row %zu, column %zu", g->path, k / g->ncols + 1, k % g->ncols + 1);
        return limits_check(ctx, g->v[k], 0, max_per_cell, where, what);
    }
    return EMS_OK;
}

void grid_destroy(grid *g)
{
    if (!g) return;
    crs_destroy(g->c);
    free(g->v);
    free(g->path);
    free(g->format);
    free(g);
}

size_t grid_ncols(const grid *g)
{
    return g->ncols;
}

size_t grid_nrows(const grid *g)
{
    return g->nrows;
}

double grid_dx(const grid *g)
{
    return g->dx;
}

double grid_dy(const grid *g)
{
    return g->dy;
}

void grid_origin(const grid *g, double *xll, double *yll)
{
    *xll = g->xll;
    *yll = g->yll;
}

void grid_cell_centre(const grid *g, size_t row, size_t col, double *x, double *y)
{
    *x = g->xll + ((double)col + 0.5) * g->dx;
    *y = g->yll + ((double)(g->nrows - row) - 0.5) * g->dy;
}

double grid_value(const grid *g, size_t row, size_t col)
{
    return g->v[row * g->ncols + col];
}

const double *grid_values(const grid *g)
{
    return g->v;
}

bool grid_nodata(const grid *g, double *nodata)
{
    if (nodata) *nodata = g->nodata;
    return g->has_nodata;
}

bool grid_is_nodata(const grid *g, size_t row, size_t col)
{
    double v = g->v[row * g->ncols + col];
    return g->has_nodata && (v == g->nodata || (isnan(g->nodata) && isnan(v)));
}

const crs *grid_crs(const grid *g)
{
    return g->c;
}

const char *grid_crs_source(const grid *g)
{
    return g->crs_source;
}

const char *grid_path(const grid *g)
{
    return g->path;
}

const char *grid_format(const grid *g)
{
    return g->format;
}
