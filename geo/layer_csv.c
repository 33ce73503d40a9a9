/* geo/layer_csv.c: the CSV point reader behind layer_read.
 *
 * Parsing follows RFC 4180 with the usual tolerances: fields may be quoted ("a ""b"", c"), quoted fields may
 * hold delimiters and line breaks, records end with LF, CRLF or CR, a UTF-8 byte-order mark is skipped, blank
 * lines are ignored. The first record is the header (required). The delimiter is a comma unless the header
 * line holds more semicolons or tabs (outside quotes) than commas. The parser works on bytes, which is safe
 * for GBK, GB18030 and Big5 too (their multi-byte sequences never contain ASCII punctuation or line breaks).
 *
 * Text: converted cell by cell from opts->encoding to UTF-8 when given, else checked to be UTF-8.
 * Points: the x/y columns come from opts->x_field / y_field, else from their names (lon/lng/long/longitude/
 * 经度 + lat/latitude/纬度, or x/easting/east/X坐标 + y/northing/north/Y坐标, ASCII case-insensitive).
 * CRS: --srs, else <stem>.prj beside the file (ignored, with a warning, when it is projected but the columns
 * are lon/lat names), else WGS 84 when the columns are lon/lat names.
 * Every column (coordinates included) becomes a field typed over all rows: int64 when every non-empty cell is
 * an integer (without leading zeros, so codes like "06240" stay text), double when every one is a number,
 * string otherwise; an empty cell is null. A row whose x and y cells are both empty has no geometry: it is
 * appended with a NULL geometry (a skipped record, see layer.h); one empty coordinate cell is an error.
 * Records are data-row numbers: 1 = the first row after the header (blank lines not counted); messages quote
 * the physical LINE of the file where the row starts (the header is line 1). */
#include "geo/encoding.h"
#include "geo/layer_internal.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct csv_row {
    size_t first; /* index of its first cell in cell_off */
    long line;    /* physical line where the row starts */
} csv_row;

typedef struct csv_reader {
    emscov_ctx *ctx;
    const char *path;
    char delim;
    /* cell texts, each NUL-terminated, at cell_off[i] in text */
    char *text;
    size_t text_len, text_cap;
    size_t *cell_off;
    size_t ncells, cells_cap;
    csv_row *rows; /* rows[0] is the header */
    size_t nrows, rows_cap;
    size_t ncols;
} csv_reader;

static bool text_put(csv_reader *r, const char *s, size_t n)
{
    if (!ems_grow(r->ctx, (void **)&r->text, &r->text_cap, r->text_len + n + 1, 1)) return false;
    memcpy(r->text + r->text_len, s, n);
    r->text_len += n;
    return true;
}

static bool cell_begin(csv_reader *r)
{
    if (!ems_grow(r->ctx, (void **)&r->cell_off, &r->cells_cap, r->ncells + 1, sizeof *r->cell_off))
        return false;
    r->cell_off[r->ncells++] = r->text_len;
    return true;
}

static bool cell_end(csv_reader *r)
{
    if (!ems_grow(r->ctx, (void **)&r->text, &r->text_cap, r->text_len + 1, 1)) return false;
    r->text[r->text_len++] = '\0';
    return true;
}

static const char *cell(const csv_reader *r, size_t row, size_t col)
{
    return r->text + r->cell_off[r->rows[row].first + col];
}

static char detect_delimiter(const char *s, size_t n)
{
    size_t comma = 0, semi = 0, tab = 0;
    bool quoted = false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '"')
            quoted = !quoted;
        else if (!quoted && (c == '\n' || c == '\r'))
            break;
        else if (!quoted && c == ',')
            comma++;
        else if (!quoted && c == ';')
            semi++;
        else if (!quoted && c == '\t')
            tab++;
    }
    if (semi > comma && semi >= tab) return ';';
    if (tab > comma && tab > semi) return '\t';
    return ',';
}

/* Split the bytes into rows of cells (no encoding work yet). */
static ems_status parse(csv_reader *r, const char *s, size_t n)
{
    emscov_ctx *ctx = r->ctx;
    size_t i = 0;
    long line = 1;
    while (i < n) {
        /* blank line */
        if (s[i] == '\n' || s[i] == '\r') {
            i += (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n') ? 2 : 1;
            line++;
            continue;
        }
        if (!ems_grow(ctx, (void **)&r->rows, &r->rows_cap, r->nrows + 1, sizeof *r->rows)) return EMS_ENOMEM;
        csv_row *row = &r->rows[r->nrows++];
        *row = (csv_row){.first = r->ncells, .line = line};
        size_t col = 0;
        for (;;) { /* one cell per turn */
            if (!cell_begin(r)) return EMS_ENOMEM;
            col++;
            if (i < n && s[i] == '"') {
                long opened = line;
                i++;
                for (;;) {
                    if (i >= n)
                        return emscov_fail(ctx, EMS_EINPUT,
                                           "%s: line %ld: column %zu: quoted field never "
                                           "closed (a \" is missing)",
                                           r->path, opened, col);
                    if (s[i] == '"') {
                        if (i + 1 < n && s[i + 1] == '"') {
                            if (!text_put(r, "\"", 1)) return EMS_ENOMEM;
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    if (s[i] == '\n' || (s[i] == '\r' && !(i + 1 < n && s[i + 1] == '\n'))) line++;
                    if (!text_put(r, s + i, 1)) return EMS_ENOMEM;
                    i++;
                }
                if (i < n && s[i] != r->delim && s[i] != '\n' && s[i] != '\r')
                    return emscov_fail(
                        ctx, EMS_EINPUT,
                        "%s: line %ld: column %zu: unexpected %s%c%s (byte 0x%02X) after a closing quote "
                        "(quotes inside a quoted field are doubled: \"\")",
                        r->path, line, col, "'", s[i] > ' ' && s[i] < 127 ? s[i] : '?', "'",
                        (unsigned)(unsigned char)s[i]);
            } else {
                size_t start = i;
                while (i < n && s[i] != r->delim && s[i] != '\n' && s[i] != '\r')
                    i++;
                if (!text_put(r, s + start, i - start)) return EMS_ENOMEM;
            }
            if (!cell_end(r)) return EMS_ENOMEM;
            if (i < n && s[i] == r->delim) {
                i++;
                continue;
            }
            break; /* end of line or of file */
        }
        if (i < n) {
            i += (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n') ? 2 : 1;
            line++;
        }
        size_t cols = r->ncells - row->first;
        if (r->nrows == 1)
            r->ncols = cols;
        else if (cols != r->ncols)
            return emscov_fail(ctx, EMS_EINPUT,
                               "%s: line %ld: %zu fields, but the header has %zu (delimiter "
                               "'%s')",
                               r->path, row->line, cols, r->ncols,
                               r->delim == '\t'  ? "\\t"
                               : r->delim == ';' ? ";"
                                                 : ",");
    }
    return EMS_OK;
}

static const char *header_name(const csv_reader *r, size_t col)
{
    return cell(r, 0, col);
}

/* Check or convert every cell to UTF-8 (rebuilding the text buffer when converting). */
static ems_status to_utf8(csv_reader *r, const layer_read_opts *opts, layer *l)
{
    emscov_ctx *ctx = r->ctx;
    if (!opts->encoding) {
        for (size_t row = 0; row < r->nrows; row++)
            for (size_t c = 0; c < r->ncols; c++) {
                const char *s = cell(r, row, c);
                if (!encoding_is_utf8(s, strlen(s)))
                    return emscov_fail(ctx, EMS_EINPUT,
                                       "%s: line %ld: %s%s: not valid UTF-8; if the file is a "
                                       "Chinese Excel export, pass --encoding GBK",
                                       r->path, r->rows[row].line, row ? "column " : "header",
                                       row ? header_name(r, c) : "");
            }
        return layer_set_encoding(ctx, l, "UTF-8", "CSV (checked: valid UTF-8)");
    }
    encoding_conv *conv = NULL;
    ems_status st = encoding_open(ctx, opts->encoding, &conv);
    if (st != EMS_OK) return st;
    char *old = r->text;
    r->text = NULL;
    r->text_len = r->text_cap = 0;
    for (size_t row = 0; row < r->nrows && st == EMS_OK; row++) {
        for (size_t c = 0; c < r->ncols && st == EMS_OK; c++) {
            size_t idx = r->rows[row].first + c;
            const char *s = old + r->cell_off[idx]; /* no NUL inside: the file has none */
            char *u = NULL;
            st = encoding_to_utf8(ctx, conv, s, strlen(s), &u);
            if (st != EMS_OK) {
                char why[512];
                snprintf(why, sizeof why, "%s", emscov_message(ctx));
                const char *col = row ? header_name(r, c) : "header"; /* header cells converted first */
                if (st == EMS_EINPUT)
                    st = emscov_fail(ctx, EMS_EINPUT, "%s: line %ld: %s%s: %s", r->path, r->rows[row].line,
                                     row ? "column " : "", col, why);
                break;
            }
            r->cell_off[idx] = r->text_len;
            bool ok = text_put(r, u, strlen(u)) && cell_end(r);
            free(u);
            if (!ok) st = EMS_ENOMEM;
        }
    }
    free(old);
    if (st == EMS_OK) st = layer_set_encoding(ctx, l, encoding_name(conv), "--encoding");
    encoding_close(conv);
    return st;
}

/* ---- columns ----------------------------------------------------------------------------------------- */

static bool name_in(const char *name, const char *const *list)
{
    for (; *list; list++)
        if (strcasecmp(name, *list) == 0) return true;
    return false;
}

static const char *const LON_NAMES[] = {"lon", "lng", "long", "longitude", "经度", NULL};
static const char *const LAT_NAMES[] = {"lat", "latitude", "纬度", NULL};
static const char *const X_NAMES[] = {"x", "easting", "east", "X坐标", NULL};
static const char *const Y_NAMES[] = {"y", "northing", "north", "Y坐标", NULL};

static long find_column(const csv_reader *r, const char *name)
{
    for (size_t c = 0; c < r->ncols; c++)
        if (strcmp(header_name(r, c), name) == 0) return (long)c;
    for (size_t c = 0; c < r->ncols; c++)
        if (strcasecmp(header_name(r, c), name) == 0) return (long)c;
    return -1;
}

static long find_named(const csv_reader *r, const char *const *list)
{
    for (size_t c = 0; c < r->ncols; c++)
        if (name_in(header_name(r, c), list)) return (long)c;
    return -1;
}

/* The header as "a, b, c" (truncated) for messages. */
static void header_text(const csv_reader *r, char *buf, size_t cap)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t c = 0; c < r->ncols && used + 1 < cap; c++) {
        int k = snprintf(buf + used, cap - used, "%s%s", c ? ", " : "", header_name(r, c));
        if (k < 0) break;
        used += (size_t)k;
    }
}

static ems_status pick_columns(csv_reader *r, const layer_read_opts *opts, long *xc, long *yc, bool *lonlat)
{
    char hdr[400];
    header_text(r, hdr, sizeof hdr);
    *lonlat = false;
    if (opts->x_field || opts->y_field) {
        if (!opts->x_field || !opts->y_field)
            return emscov_fail(r->ctx, EMS_EINPUT,
                               "%s: give both --x-field and --y-field (only --%s-field was "
                               "given)",
                               r->path, opts->x_field ? "x" : "y");
        *xc = find_column(r, opts->x_field);
        *yc = find_column(r, opts->y_field);
        if (*xc < 0 || *yc < 0)
            return emscov_fail(r->ctx, EMS_EINPUT, "%s: no column \"%s\" (header: %s)", r->path,
                               *xc < 0 ? opts->x_field : opts->y_field, hdr);
        *lonlat = name_in(header_name(r, (size_t)*xc), LON_NAMES) &&
                  name_in(header_name(r, (size_t)*yc), LAT_NAMES);
        return EMS_OK;
    }
    *xc = find_named(r, LON_NAMES);
    *yc = find_named(r, LAT_NAMES);
    if (*xc >= 0 && *yc >= 0) {
        *lonlat = true;
        return EMS_OK;
    }
    *xc = find_named(r, X_NAMES);
    *yc = find_named(r, Y_NAMES);
    if (*xc >= 0 && *yc >= 0) return EMS_OK;
    return emscov_fail(r->ctx, EMS_EINPUT,
                       "%s: no coordinate columns found (header: %s); expected lon/lat "
                       "(or lng, longitude, 经度 / latitude, 纬度) or x/y (easting/northing); name them with "
                       "--x-field and --y-field",
                       r->path, hdr);
}

/* ---- values ------------------------------------------------------------------------------------------ */

static void trim_span(const char *s, const char **b, size_t *n)
{
    size_t len = strlen(s);
    size_t i = 0;
    while (i < len && (s[i] == ' ' || s[i] == '\t'))
        i++;
    while (len > i && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    *b = s + i;
    *n = len - i;
}

/* Decimal number only: digits, sign, point, exponent (no hex, inf, nan). */
static bool parse_double(const char *s, double *out)
{
    const char *b;
    size_t n;
    trim_span(s, &b, &n);
    if (n == 0 || n > 63) return false;
    char buf[64];
    memcpy(buf, b, n);
    buf[n] = '\0';
    bool digit = false;
    for (size_t i = 0; i < n; i++) {
        char c = buf[i];
        if (c >= '0' && c <= '9')
            digit = true;
        else if (!(c == '+' || c == '-' || c == '.' || c == 'e' || c == 'E'))
            return false;
    }
    if (!digit) return false;
    char *end = NULL;
    errno = 0;
    double d = strtod(buf, &end);
    if (*end || !isfinite(d) || errno == ERANGE) return false;
    *out = d;
    return true;
}

static bool parse_int(const char *s, int64_t *out)
{
    const char *b;
    size_t n;
    trim_span(s, &b, &n);
    if (n == 0 || n > 20) return false;
    size_t i = (b[0] == '-' || b[0] == '+') ? 1 : 0;
    if (i == n || (b[i] == '0' && n - i > 1)) /* leading zeros: a code, keep as text */
        return false;
    for (size_t k = i; k < n; k++)
        if (b[k] < '0' || b[k] > '9') return false;
    char buf[24];
    memcpy(buf, b, n);
    buf[n] = '\0';
    errno = 0;
    long long v = strtoll(buf, NULL, 10);
    if (errno == ERANGE) return false;
    *out = v;
    return true;
}

static bool is_blank(const char *s)
{
    const char *b;
    size_t n;
    trim_span(s, &b, &n);
    return n == 0;
}

static layer_field_type column_type(const csv_reader *r, size_t c)
{
    bool any = false, all_int = true;
    for (size_t row = 1; row < r->nrows; row++) {
        const char *s = cell(r, row, c);
        if (is_blank(s)) continue;
        any = true;
        int64_t i;
        double d;
        if (all_int && parse_int(s, &i)) continue;
        all_int = false;
        if (!parse_double(s, &d)) return LAYER_FIELD_STRING;
    }
    return !any ? LAYER_FIELD_STRING : all_int ? LAYER_FIELD_INT : LAYER_FIELD_DOUBLE;
}

static ems_status coordinate(csv_reader *r, size_t row, long c, bool geographic, bool is_x, double *out)
{
    const char *s = cell(r, row, (size_t)c);
    const char *name = header_name(r, (size_t)c);
    if (!parse_double(s, out))
        return emscov_fail(r->ctx, EMS_EINPUT, "%s: line %ld: field %s: not a number: \"%.40s\"", r->path,
                           r->rows[row].line, name, s);
    double lim = is_x ? 180 : 90;
    if (geographic && fabs(*out) > lim)
        return emscov_fail(r->ctx, EMS_EINPUT,
                           "%s: line %ld: field %s: %s %.10g outside [-%g, %g] (the CRS is "
                           "geographic: are the columns swapped, or projected metres?)",
                           r->path, r->rows[row].line, name, is_x ? "longitude" : "latitude", *out, lim, lim);
    return EMS_OK;
}

/* ---- CRS --------------------------------------------------------------------------------------------- */

static ems_status prj_beside(emscov_ctx *ctx, const char *path, char **out)
{
    *out = NULL;
    size_t n = strlen(path);
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(path, '.');
    size_t stem = dot && (!slash || dot > slash) ? (size_t)(dot - path) : n;
    char *p = ems_malloc(ctx, stem + 5);
    if (!p) return EMS_ENOMEM;
    static const char *const exts[] = {".prj", ".PRJ"};
    for (size_t k = 0; k < 2; k++) {
        memcpy(p, path, stem);
        memcpy(p + stem, exts[k], 5);
        if (ems_file_exists(ctx, p)) {
            *out = p;
            return EMS_OK;
        }
    }
    free(p);
    return EMS_OK;
}

static ems_status set_crs(csv_reader *r, const layer_read_opts *opts, bool lonlat, layer *l, long xc, long yc)
{
    emscov_ctx *ctx = r->ctx;
    crs *c = NULL;
    const char *source = NULL;
    char *prj = NULL;
    ems_status st;
    if (opts->srs) {
        st = crs_from_string(ctx, opts->srs, &c);
        source = "--srs";
    } else if ((st = prj_beside(ctx, r->path, &prj)) != EMS_OK) {
        return st;
    } else if (prj) {
        st = crs_from_prj(ctx, prj, &c);
        source = ".prj";
        /* A .prj of the same stem may belong to a shapefile beside the CSV (stations.shp + stations.csv):
         * lon/lat columns with a projected .prj mean the .prj is not the CSV's. */
        if (st == EMS_OK && lonlat && !crs_is_geographic(c)) {
            st = layer_note_add(ctx, l, LAYER_NOTE_WARNING, 0, "%s describes %s, a projected CRS, but the columns "
                                "are lon/lat: .prj ignored, WGS 84 assumed (use --srs to say otherwise)", prj,
                                crs_name(c));
            crs_destroy(c);
            c = NULL;
            if (st == EMS_OK)
                st = crs_from_epsg(ctx, 4326, &c);
            source = "CSV lon/lat columns (assumed WGS 84)";
        }
    } else if (lonlat) {
        st = crs_from_epsg(ctx, 4326, &c);
        source = "CSV lon/lat columns (assumed WGS 84)";
    } else {
        return emscov_fail(ctx, EMS_EINPUT,
                           "%s: no CRS: columns %s/%s are not lon/lat and there is no .prj "
                           "beside the file; give one with --srs (e.g. --srs EPSG:4548)",
                           r->path, header_name(r, (size_t)xc), header_name(r, (size_t)yc));
    }
    free(prj);
    if (st == EMS_OK) st = layer_set_crs(ctx, l, c, source);
    crs_destroy(c);
    return st;
}

/* ---- reader ------------------------------------------------------------------------------------------ */

static ems_status add_fields(csv_reader *r, layer *l, layer_field_type *types)
{
    for (size_t c = 0; c < r->ncols; c++) {
        types[c] = column_type(r, c);
        char name[32];
        const char *h = header_name(r, c);
        if (!*h) {
            snprintf(name, sizeof name, "field_%zu", c + 1);
            h = name;
        }
        ems_status st = layer_add_field(r->ctx, l, h, types[c], 0, 0);
        if (st != EMS_OK) return st;
    }
    return EMS_OK;
}

static ems_status append_rows(csv_reader *r, layer *l, const layer_field_type *types, long xc, long yc)
{
    emscov_ctx *ctx = r->ctx;
    bool geographic = crs_is_geographic(layer_crs(l));
    layer_value *vals = ems_calloc(ctx, r->ncols, sizeof *vals);
    if (!vals) return EMS_ENOMEM;
    ems_status st = EMS_OK;
    for (size_t row = 1; row < r->nrows && st == EMS_OK; row++) {
        double x = NAN, y = NAN;
        /* both coordinate cells empty: a row without a geometry (NULL), kept in the ledger; one empty is an error */
        bool no_point = is_blank(cell(r, row, (size_t)xc)) && is_blank(cell(r, row, (size_t)yc));
        if (!no_point && ((st = coordinate(r, row, xc, geographic, true, &x)) != EMS_OK ||
                          (st = coordinate(r, row, yc, geographic, false, &y)) != EMS_OK))
            break;
        for (size_t c = 0; c < r->ncols; c++) {
            const char *s = cell(r, row, c);
            vals[c] = (layer_value){.is_null = is_blank(s)};
            if (vals[c].is_null) continue;
            if (types[c] == LAYER_FIELD_INT)
                parse_int(s, &vals[c].u.i);
            else if (types[c] == LAYER_FIELD_DOUBLE)
                parse_double(s, &vals[c].u.d);
            else
                vals[c].u.s = s;
        }
        GEOSGeometry *g = no_point ? NULL : GEOSGeom_createPointFromXY_r(emscov_geos(ctx), x, y);
        if (!g && !no_point) {
            st = emscov_fail(ctx, EMS_ENOMEM, "%s: line %ld: GEOS could not make a point: %s", r->path,
                             r->rows[row].line, emscov_lib_message(ctx));
            break;
        }
        st = layer_append_take(ctx, l, g, (int64_t)row, vals);
    }
    free(vals);
    return st;
}

ems_status layer__read_csv(emscov_ctx *ctx, const char *path, const layer_read_opts *opts, layer **out)
{
    static const layer_read_opts defaults;
    if (!opts) opts = &defaults;
    *out = NULL;
    csv_reader r = {.ctx = ctx, .path = path};
    layer *l = NULL;
    layer_field_type *types = NULL;
    char *buf = NULL;
    size_t len = 0;
    long xc = -1, yc = -1;
    bool lonlat = false;
    ems_status st = ems_read_file(ctx, path, &buf, &len);
    if (st != EMS_OK) return st;
    size_t skip = 0;
    if (len >= 3 && (unsigned char)buf[0] == 0xEF && (unsigned char)buf[1] == 0xBB &&
        (unsigned char)buf[2] == 0xBF)
        skip = 3;
    if (memchr(buf, '\0', len))
        st = emscov_fail(ctx, EMS_EINPUT,
                         "%s: contains NUL bytes: not a text CSV (UTF-16 or binary?); save it "
                         "as UTF-8 or GBK",
                         path);
    if (st == EMS_OK) {
        r.delim = detect_delimiter(buf + skip, len - skip);
        st = parse(&r, buf + skip, len - skip);
    }
    free(buf);
    if (st == EMS_OK && r.nrows == 0)
        st = emscov_fail(ctx, EMS_EINPUT, "%s: empty file: a CSV needs a header line", path);
    if (st == EMS_OK) st = layer_create(ctx, path, "CSV", NULL, &l);
    if (st == EMS_OK) st = to_utf8(&r, opts, l);
    if (st == EMS_OK) st = pick_columns(&r, opts, &xc, &yc, &lonlat);
    if (st == EMS_OK && !(types = ems_calloc(ctx, r.ncols, sizeof *types))) st = EMS_ENOMEM;
    if (st == EMS_OK) st = add_fields(&r, l, types);
    if (st == EMS_OK) st = set_crs(&r, opts, lonlat, l, xc, yc);
    if (st == EMS_OK) st = append_rows(&r, l, types, xc, yc);
    if (st == EMS_OK) {
        layer_set_source_records(l, r.nrows - 1);
        st = layer_finish_read(ctx, l, opts);
    }
    free(types);
    free(r.text);
    free(r.cell_off);
    free(r.rows);
    if (st != EMS_OK) {
        layer_destroy(l);
        return st;
    }
    *out = l;
    return EMS_OK;
}
