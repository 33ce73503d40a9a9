/* geo/layer_shp.c: ESRI Shapefile reader behind layer_read (see layer_internal.h).
 *
 * shapelib does the record decoding; everything it would trust blindly is checked here first: the .shp header
 * (file code, version, shape type), every .shx entry against the .shp size (a record running past the end is
 * "record N: truncated"), the .dbf header against the .dbf size, and the record counts of .shp and .dbf.
 * The .shp and .dbf are mapped into memory once (ems_file_map_open: regular files only, or the ctx's I/O hook)
 * and every check reads from there. shapelib reads through our own SAHooks, served from that memory under the
 * names found here (any case of the extension): the .shx always from a validated copy (rebuilt from the .shp
 * record headers when the .shx is missing), the .shp header with its file length corrected; shapelib's error
 * text goes to a thread-local buffer instead of stderr.
 *
 * Polygons: rings are classified by signed area (shapefile outer rings are clockwise, holes
 * counter-clockwise), each hole goes to the smallest outer ring that contains it, and rings that are wound
 * the wrong way round are recovered (see assemble_polygon). Validation and repair of the result is left to
 * layer_append_take. Attributes: DBF types C, N, F, D, L; text converted to UTF-8 from the encoding found by
 * the rule .cpg, then the LDID byte, then --encoding, then UTF-8 (see choose_encoding). Record numbers are
 * 1-based. */
#include "geo/encoding.h"
#include "geo/layer_internal.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <shapefil.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SHP_HEADER 100
#define SHX_ENTRY 8
#define DBF_HEADER 32
#define RING_NOTES_MAX 50 /* per-record ring notes kept per layer; the rest are counted in one note */

/* ---- shapelib I/O hooks. SAHooks (shapelib 1.5) has no user pointer, so what FOpen serves and the last
 * error text are thread-local; they are set only around the SHPOpenLL / DBFOpenLL calls of one read.
 */

typedef struct hook_files {
    emscov_ctx *ctx;          /* for the handles' allocation */
    bool oom;                 /* a handle could not be allocated: the open failed for want of memory */
    const ems_file_map *shp;  /* the .shp in memory (served with hdr below over its first 100 bytes) */
    const ems_file_map *dbf;  /* the .dbf in memory */
    const unsigned char *shx; /* validated .shx image in memory */
    size_t shx_len;
    unsigned char hdr[SHP_HEADER]; /* .shp header with the file length corrected */
} hook_files;

/* Every served file is in memory, borrowed from the reader: the .shx image we built, the .shp and .dbf as
 * mapped (or served by the ctx's I/O hook) once by the reader (shapelib seeks before every record, which
 * through stdio cost a system call each). */
typedef struct hfile {
    const unsigned char *mem;
    size_t len, pos;
    const unsigned char *hdr; /* overlay of the first SHP_HEADER bytes (the .shp), or NULL */
} hfile;

static _Thread_local hook_files *tl_files;
static _Thread_local char tl_error[512];

static bool has_ext(const char *name, const char *ext)
{
    const char *dot = strrchr(name, '.');
    return dot && !strcasecmp(dot + 1, ext);
}

static SAFile hook_open(const char *name, const char *access)
{
    hook_files *f = tl_files;
    if (!f || strpbrk(access, "wa+")) return NULL;
    const unsigned char *mem;
    size_t len;
    if (has_ext(name, "shx"))
        mem = f->shx, len = f->shx_len;
    else if (has_ext(name, "shp"))
        mem = f->shp->data, len = f->shp->len;
    else if (has_ext(name, "dbf"))
        mem = f->dbf->data, len = f->dbf->len;
    else /* .cpg (read by us), .qix, .sbn: not served */
        return NULL;
    hfile *h = ems_calloc(f->ctx, 1, sizeof *h); /* freed by shapelib through hook_close */
    if (!h) {
        f->oom = true;
        return NULL;
    }
    h->mem = mem;
    h->len = len;
    h->hdr = has_ext(name, "shp") ? f->hdr : NULL;
    return (SAFile)(void *)h;
}

static SAOffset hook_read(void *p, SAOffset size, SAOffset nmemb, SAFile file)
{
    hfile *h = (hfile *)(void *)file;
    if (size == 0 || nmemb == 0) return 0;
    size_t avail = h->pos < h->len ? h->len - h->pos : 0;
    size_t n = avail / size < nmemb ? avail / size : nmemb;
    if (n == 0) return 0;
    size_t at = h->pos, got = n * size;
    memcpy(p, h->mem + at, got);
    if (h->hdr && at < SHP_HEADER) {
        size_t end = at + got < SHP_HEADER ? at + got : SHP_HEADER;
        memcpy(p, h->hdr + at, end - at);
    }
    h->pos += got;
    return n;
}

static SAOffset hook_write(void *p, SAOffset size, SAOffset nmemb, SAFile file)
{
    (void)p, (void)size, (void)nmemb, (void)file;
    return 0;
}

static SAOffset hook_seek(SAFile file, SAOffset offset, int whence)
{
    hfile *h = (hfile *)(void *)file;
    size_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? h->pos : h->len;
    if (offset > SIZE_MAX - base) return (SAOffset)-1;
    h->pos = base + offset;
    return 0;
}

static SAOffset hook_tell(SAFile file)
{
    return ((hfile *)(void *)file)->pos;
}

static int hook_flush(SAFile file)
{
    (void)file;
    return 0;
}

static int hook_close(SAFile file)
{
    free((hfile *)(void *)file);
    return 0;
}

static int hook_remove(const char *name)
{
    (void)name;
    return -1;
}

static void hook_error(const char *message)
{
    snprintf(tl_error, sizeof tl_error, "%s", message ? message : "");
    size_t n = strlen(tl_error);
    while (n > 0 && (tl_error[n - 1] == '\n' || tl_error[n - 1] == ' ' || tl_error[n - 1] == '.'))
        tl_error[--n] = '\0';
}

static void setup_hooks(SAHooks *hooks)
{
    SASetupDefaultHooks(hooks);
    hooks->FOpen = hook_open;
    hooks->FRead = hook_read;
    hooks->FWrite = hook_write;
    hooks->FSeek = hook_seek;
    hooks->FTell = hook_tell;
    hooks->FFlush = hook_flush;
    hooks->FClose = hook_close;
    hooks->Remove = hook_remove;
    hooks->Error = hook_error;
}

/* shapelib's last error as " (shapelib: ...)", or "" */
static const char *lib_error(char *buf, size_t cap)
{
    if (!tl_error[0]) return "";
    snprintf(buf, cap, " (shapelib: %s)", tl_error);
    return buf;
}

/* ---- Small helpers. */

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static uint16_t le16(const unsigned char *p)
{
    return (uint16_t)(p[1] << 8 | p[0]);
}

static void put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* A printable copy of raw bytes for messages: ASCII kept, anything else as \xNN, at most ~40 characters. */
static const char *printable(const char *s, size_t n, char *buf, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < n && k + 5 < cap && i < 40; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7F && c != '"')
            buf[k++] = (char)c;
        else
            k += (size_t)snprintf(buf + k, cap - k, "\\x%02X", c);
    }
    buf[k] = '\0';
    return buf;
}

/* The sibling base.ext in any letter case (x.shp, x.SHP, x.Shp...), or NULL (ENOMEM is reported). */
static ems_status find_sibling(emscov_ctx *ctx, const char *base, const char *ext, char **out)
{
    *out = NULL;
    size_t n = strlen(base);
    char *p = ems_malloc(ctx, n + strlen(ext) + 2);
    if (!p) return EMS_ENOMEM;
    sprintf(p, "%s.%s", base, ext);
    if (ems_file_exists(ctx, p)) {
        *out = p;
        return EMS_OK;
    }
    for (char *c = p + n + 1; *c; c++)
        *c = (char)(*c >= 'a' && *c <= 'z' ? *c - 'a' + 'A' : *c);
    if (ems_file_exists(ctx, p) || emscov_has_io(ctx)) { /* files served from memory have no directory */
        if (ems_file_exists(ctx, p)) *out = p;
        else free(p);
        return EMS_OK;
    }
    /* Scan the directory for a case-insensitive match of the whole file name. */
    const char *slash = strrchr(p, '/');
    const char *fname = slash ? slash + 1 : p;
    char *dir = slash ? ems_strndup(ctx, p, (size_t)(slash - p) + 1) : ems_strdup(ctx, "./");
    if (!dir) {
        free(p);
        return EMS_ENOMEM;
    }
    DIR *d = opendir(dir);
    ems_status st = EMS_OK;
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (strcasecmp(e->d_name, fname)) continue;
            char *full = ems_malloc(ctx, strlen(dir) + strlen(e->d_name) + 1);
            if (!full) {
                st = EMS_ENOMEM;
                break;
            }
            sprintf(full, "%s%s", slash ? dir : "", e->d_name);
            if (ems_file_exists(ctx, full)) {
                *out = full;
                break;
            }
            free(full);
        }
        closedir(d);
    }
    free(dir);
    free(p);
    return st;
}

/* ---- The reader state. */

typedef struct dbf_field {
    char type; /* native DBF type */
    int width, decimals, offset;
    int out;    /* index in the layer, or -1 when the field is skipped */
    char *name; /* UTF-8 */
} dbf_field;

typedef struct ring {
    size_t off, n;  /* points in rd->xy (closed) */
    double area;    /* signed: > 0 counter-clockwise */
    double bbox[4]; /* xmin ymin xmax ymax */
    int part;       /* 1-based part number in the record */
    int parent;     /* assigned outer ring, -1 none */
    bool outer;
} ring;

typedef struct shp_reader {
    emscov_ctx *ctx;
    GEOSContextHandle_t h;
    layer *l;
    const layer_read_opts *opts;
    char *base, *shp, *shx, *dbf, *prj, *cpg;
    long long shp_size, dbf_size;
    ems_file_map shp_map, dbf_map; /* the .shp and .dbf in memory (see ems_file_map_open) */
    hook_files files;
    unsigned char *shx_mem;
    size_t nrec;
    SHPHandle hshp;
    DBFHandle hdbf;
    int shp_type;
    int ldid;
    uint32_t dbf_nrec;
    uint16_t dbf_reclen, dbf_headlen;
    /* attributes */
    encoding_conv *conv;
    char enc_source[160];
    char enc_hint[320];
    dbf_field *fields;
    int nfields;
    size_t nout;
    char *tuple;
    layer_value *values;
    /* geometry scratch */
    double *xy;
    size_t xy_cap;
    ring *rings;
    size_t rings_cap;
    size_t *order;
    size_t order_cap;
    GEOSGeometry **parts;
    size_t parts_cap;
    GEOSGeometry **holes;
    size_t holes_cap;
    size_t ring_notes, ring_notes_dropped;
} shp_reader;

static ems_status ring_note(shp_reader *rd, int64_t record, const char *fmt, ...) EMS_PRINTF(3, 4);

static ems_status ring_note(shp_reader *rd, int64_t record, const char *fmt, ...)
{
    if (rd->ring_notes >= RING_NOTES_MAX) {
        rd->ring_notes_dropped++;
        return EMS_OK;
    }
    rd->ring_notes++;
    char buf[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return layer_note_add(rd->ctx, rd->l, LAYER_NOTE_WARNING, record, "%s", buf);
}

/* ---- Files and headers. */

static ems_status find_files(shp_reader *rd, const char *path)
{
    emscov_ctx *ctx = rd->ctx;
    size_t n = strlen(path);
    if (n > 4 && (has_ext(path, "shp") || has_ext(path, "shx") || has_ext(path, "dbf")) && path[n - 4] == '.')
        n -= 4;
    if (!(rd->base = ems_strndup(ctx, path, n))) return EMS_ENOMEM;
    ems_status st;
    if ((st = find_sibling(ctx, rd->base, "shp", &rd->shp)) != EMS_OK) return st;
    if (!rd->shp) return emscov_fail(ctx, EMS_EINPUT, "%s.shp: cannot open: no such file", rd->base);
    if ((st = find_sibling(ctx, rd->base, "dbf", &rd->dbf)) != EMS_OK) return st;
    if (!rd->dbf)
        return emscov_fail(ctx, EMS_EINPUT,
                           "%s.dbf: missing: a shapefile needs its .dbf (the attribute table) "
                           "beside %s",
                           rd->base, rd->shp);
    if ((st = find_sibling(ctx, rd->base, "shx", &rd->shx)) != EMS_OK) return st;
    if ((st = find_sibling(ctx, rd->base, "prj", &rd->prj)) != EMS_OK) return st;
    return find_sibling(ctx, rd->base, "cpg", &rd->cpg);
}

static ems_status choose_crs(shp_reader *rd)
{
    emscov_ctx *ctx = rd->ctx;
    crs *c = NULL;
    const char *source;
    ems_status st;
    if (rd->opts->srs) {
        source = "--srs";
        if ((st = crs_from_string(ctx, rd->opts->srs, &c)) != EMS_OK) {
            char msg[1024];
            snprintf(msg, sizeof msg, "%s", emscov_message(ctx));
            return emscov_fail(ctx, st, "--srs: %s", msg);
        }
    } else if (rd->prj) {
        source = ".prj";
        if ((st = crs_from_prj(ctx, rd->prj, &c)) != EMS_OK) return st;
    } else
        return emscov_fail(ctx, EMS_EINPUT, "%s: no CRS: no .prj beside it and no --srs", rd->shp);
    st = layer_set_crs(ctx, rd->l, c, source);
    crs_destroy(c);
    return st;
}

static bool valid_shape_type(int t)
{
    switch (t) {
    case SHPT_NULL:
    case SHPT_POINT:
    case SHPT_ARC:
    case SHPT_POLYGON:
    case SHPT_MULTIPOINT:
    case SHPT_POINTZ:
    case SHPT_ARCZ:
    case SHPT_POLYGONZ:
    case SHPT_MULTIPOINTZ:
    case SHPT_POINTM:
    case SHPT_ARCM:
    case SHPT_POLYGONM:
    case SHPT_MULTIPOINTM:
        return true;
    default:
        return false;
    }
}

/* n bytes at byte `at` of a file in memory; the callers have checked that they lie inside it. */
static const unsigned char *at_byte(const ems_file_map *m, long long at)
{
    return m->data + at;
}

/* Rebuild the .shx image by walking the .shp record headers. */
static ems_status rebuild_shx(shp_reader *rd)
{
    emscov_ctx *ctx = rd->ctx;
    size_t cap = 0, n = 0;
    unsigned char *img = NULL;
    long long off = SHP_HEADER;
    ems_status st = EMS_OK;
    while (off < rd->shp_size) {
        unsigned char rh[8];
        size_t rec = n + 1;
        if (off + 8 > rd->shp_size) {
            st = emscov_fail(ctx, EMS_EINPUT,
                             "%s: record %zu: truncated: its 8-byte header starts at byte %lld "
                             "but the file ends at %lld",
                             rd->shp, rec, off, rd->shp_size);
            break;
        }
        memcpy(rh, at_byte(&rd->shp_map, off), 8);
        uint32_t words = be32(rh + 4);
        long long len = 2LL * words;
        if (words < 2) {
            st = emscov_fail(ctx, EMS_EINPUT,
                             "%s: record %zu: corrupted: content length %lld bytes (at byte %lld)", rd->shp,
                             rec, len, off);
            break;
        }
        if (off + 8 + len > rd->shp_size) {
            st = emscov_fail(ctx, EMS_EINPUT,
                             "%s: record %zu: truncated: %lld bytes of content from byte %lld, but "
                             "the file ends at %lld",
                             rd->shp, rec, len, off + 8, rd->shp_size);
            break;
        }
        if (off / 2 > UINT32_MAX) {
            st = emscov_fail(ctx, EMS_EINPUT, "%s: too large for a shapefile", rd->shp);
            break;
        }
        if (!ems_grow(ctx, (void **)&img, &cap, SHP_HEADER + SHX_ENTRY * (n + 1), 1)) {
            st = EMS_ENOMEM;
            break;
        }
        put_be32(img + SHP_HEADER + SHX_ENTRY * n, (uint32_t)(off / 2));
        put_be32(img + SHP_HEADER + SHX_ENTRY * n + 4, words);
        n++;
        off += 8 + len;
    }
    if (st == EMS_OK && !img && !(img = ems_malloc(ctx, SHP_HEADER))) st = EMS_ENOMEM;
    if (st != EMS_OK) {
        free(img);
        return st;
    }
    memcpy(img, rd->files.hdr, SHP_HEADER);
    rd->shx_mem = img;
    rd->nrec = n;
    return layer_note_add(ctx, rd->l, LAYER_NOTE_WARNING, 0,
                          "%s.shx: missing: the index was rebuilt in memory "
                          "from the .shp record headers (%zu records)",
                          rd->base, n);
}

/* Read and check the .shx against the .shp. */
static ems_status load_shx(shp_reader *rd)
{
    emscov_ctx *ctx = rd->ctx;
    char *data = NULL;
    size_t len = 0;
    ems_status st = ems_read_file(ctx, rd->shx, &data, &len);
    if (st != EMS_OK) return st;
    const unsigned char *u = (const unsigned char *)data;
    const char *hint = "; delete it and emscov rebuilds the index from the .shp";
    if (len < SHP_HEADER)
        st =
            emscov_fail(ctx, EMS_EINPUT, "%s: corrupted header: the file has %zu bytes, a header needs 100%s",
                        rd->shx, len, hint);
    else if (be32(u) != 9994)
        st = emscov_fail(ctx, EMS_EINPUT, "%s: corrupted header: file code %u, want 9994%s", rd->shx, be32(u),
                         hint);
    else if ((len - SHP_HEADER) % SHX_ENTRY != 0)
        st = emscov_fail(ctx, EMS_EINPUT, "%s: truncated: %zu bytes is not 100 + 8 per record%s", rd->shx,
                         len, hint);
    if (st != EMS_OK) {
        free(data);
        return st;
    }
    rd->nrec = (len - SHP_HEADER) / SHX_ENTRY;
    for (size_t i = 0; i < rd->nrec; i++) {
        long long off = 2LL * be32(u + SHP_HEADER + SHX_ENTRY * i);
        long long clen = 2LL * be32(u + SHP_HEADER + SHX_ENTRY * i + 4);
        if (off < SHP_HEADER || clen < 4)
            st = emscov_fail(ctx, EMS_EINPUT,
                             "%s: record %zu: corrupted index entry (offset %lld, length %lld)%s", rd->shx,
                             i + 1, off, clen, hint);
        else if (off + 8 + clen > rd->shp_size)
            st = emscov_fail(ctx, EMS_EINPUT,
                             "%s: record %zu: truncated: %lld bytes of content from byte %lld, "
                             "but the file ends at %lld",
                             rd->shp, i + 1, clen, off + 8, rd->shp_size);
        if (st != EMS_OK) {
            free(data);
            return st;
        }
    }
    rd->shx_mem = (unsigned char *)data;
    return EMS_OK;
}

static ems_status check_shp(shp_reader *rd)
{
    emscov_ctx *ctx = rd->ctx;
    ems_status st = ems_file_map_open(ctx, rd->shp, &rd->shp_map);
    if (st != EMS_OK) return st;
    rd->shp_size = (long long)rd->shp_map.len;
    unsigned char *hdr = rd->files.hdr;
    if (rd->shp_size < SHP_HEADER) {
        st = emscov_fail(ctx, EMS_EINPUT, "%s: corrupted header: the file has %lld bytes, a header needs 100",
                         rd->shp, rd->shp_size);
        goto done;
    }
    memcpy(hdr, at_byte(&rd->shp_map, 0), SHP_HEADER);
    if (be32(hdr) != 9994) {
        st = emscov_fail(ctx, EMS_EINPUT, "%s: not a shapefile: corrupted header (file code %u, want 9994)",
                         rd->shp, be32(hdr));
        goto done;
    }
    if (le32(hdr + 28) != 1000) {
        st = emscov_fail(ctx, EMS_EINPUT, "%s: corrupted header: version %u, want 1000", rd->shp,
                         le32(hdr + 28));
        goto done;
    }
    rd->shp_type = (int)le32(hdr + 32);
    if (rd->shp_type == SHPT_MULTIPATCH) {
        st =
            emscov_fail(ctx, EMS_EINPUT, "%s: MultiPatch (3D surface) shapefiles are not supported", rd->shp);
        goto done;
    }
    if (!valid_shape_type(rd->shp_type)) {
        st = emscov_fail(ctx, EMS_EINPUT, "%s: corrupted header: shape type %u is not a shapefile type",
                         rd->shp, le32(hdr + 32));
        goto done;
    }
    if (rd->shp_size / 2 > INT32_MAX) {
        st = emscov_fail(ctx, EMS_EINPUT, "%s: %lld bytes: too large for a shapefile (2 GB words at most)",
                         rd->shp, rd->shp_size);
        goto done;
    }
    long long said = 2LL * be32(hdr + 24);
    if (said != rd->shp_size) {
        put_be32(hdr + 24, (uint32_t)(rd->shp_size / 2));
        st = layer_note_add(ctx, rd->l, LAYER_NOTE_WARNING, 0,
                            "%s: the header gives the file length as %lld "
                            "bytes, the file has %lld: using the file's",
                            rd->shp, said, rd->shp_size);
        if (st != EMS_OK) goto done;
    }
    if (rd->shx)
        st = load_shx(rd);
    else
        st = rebuild_shx(rd);
    if (st != EMS_OK) goto done;
    /* The image served to shapelib: header like the .shp's, with the length of this index. */
    memcpy(rd->shx_mem, hdr, SHP_HEADER);
    put_be32(rd->shx_mem + 24, (uint32_t)((SHP_HEADER + SHX_ENTRY * rd->nrec) / 2));
    rd->files.shx = rd->shx_mem;
    rd->files.shx_len = SHP_HEADER + SHX_ENTRY * rd->nrec;
done:
    return st;
}

/* The field descriptors: 32 bytes each from byte 32, ended by a 0x0D byte that must lie inside the header
 * length (shapelib takes the field count from the header length, so a header length too small would silently
 * drop fields), and whose widths (byte 16) plus the deletion flag make up the record length exactly. A header
 * longer than the descriptors need (Visual FoxPro's 263-byte backlink) is fine. */
static ems_status check_dbf_fields(shp_reader *rd)
{
    emscov_ctx *ctx = rd->ctx;
    /* the terminator may lie past a header length that is too small: look up to 64 KiB, the largest header */
    size_t cap = rd->dbf_size < 65536 + DBF_HEADER ? (size_t)rd->dbf_size : 65536 + DBF_HEADER;
    const unsigned char *h = at_byte(&rd->dbf_map, 0);
    ems_status st = EMS_OK;
    size_t term = 0, nf = 0;
    long long widths = 1; /* the deletion flag */
    for (size_t at = DBF_HEADER; st == EMS_OK && at < cap; at += 32, nf++) {
        if (h[at] == 0x0D) {
            term = at;
            break;
        }
        if (at + 32 > cap) break;
        widths += h[at + 16];
    }
    if (st == EMS_OK && !term)
        st = emscov_fail(ctx, EMS_EINPUT,
                         "%s: corrupted header: no 0x0D terminator after the field descriptors (header length "
                         "%u)",
                         rd->dbf, rd->dbf_headlen);
    else if (st == EMS_OK && term + 1 > rd->dbf_headlen)
        st = emscov_fail(ctx, EMS_EINPUT,
                         "%s: corrupted header: header length %u is too small for its %zu field descriptor%s and "
                         "the 0x0D terminator (%zu bytes)",
                         rd->dbf, rd->dbf_headlen, nf, nf == 1 ? "" : "s", term + 1);
    else if (st == EMS_OK && widths != rd->dbf_reclen)
        st = emscov_fail(ctx, EMS_EINPUT,
                         "%s: corrupted header: record length %u, but the deletion flag and the %zu field%s add up "
                         "to %lld bytes",
                         rd->dbf, rd->dbf_reclen, nf, nf == 1 ? "" : "s", widths);
    return st;
}

static ems_status check_dbf(shp_reader *rd)
{
    emscov_ctx *ctx = rd->ctx;
    ems_status st = ems_file_map_open(ctx, rd->dbf, &rd->dbf_map);
    if (st != EMS_OK) return st;
    rd->dbf_size = (long long)rd->dbf_map.len;
    if (rd->dbf_size < DBF_HEADER)
        return emscov_fail(ctx, EMS_EINPUT,
                           "%s: corrupted header: the file has %lld bytes, a header needs 32", rd->dbf,
                           rd->dbf_size);
    const unsigned char *hdr = at_byte(&rd->dbf_map, 0);
    rd->dbf_nrec = le32(hdr + 4);
    rd->dbf_headlen = le16(hdr + 8);
    rd->dbf_reclen = le16(hdr + 10);
    rd->ldid = hdr[29];
    if (rd->dbf_headlen < DBF_HEADER + 1 || rd->dbf_reclen < 1 || rd->dbf_headlen > rd->dbf_size)
        return emscov_fail(ctx, EMS_EINPUT,
                           "%s: corrupted header: header length %u, record length %u, file size "
                           "%lld",
                           rd->dbf, rd->dbf_headlen, rd->dbf_reclen, rd->dbf_size);
    long long need = (long long)rd->dbf_headlen + (long long)rd->dbf_nrec * rd->dbf_reclen;
    if (need > rd->dbf_size)
        return emscov_fail(ctx, EMS_EINPUT,
                           "%s: truncated: the header promises %u records of %u bytes after %u "
                           "header bytes (%lld bytes), the file has %lld",
                           rd->dbf, rd->dbf_nrec, rd->dbf_reclen, rd->dbf_headlen, need, rd->dbf_size);
    return check_dbf_fields(rd);
}

static ems_status open_shapelib(shp_reader *rd)
{
    emscov_ctx *ctx = rd->ctx;
    SAHooks hooks;
    setup_hooks(&hooks);
    rd->files.ctx = ctx;
    rd->files.shp = &rd->shp_map;
    rd->files.dbf = &rd->dbf_map;
    char eb[600];
    tl_files = &rd->files;
    tl_error[0] = '\0';
    rd->hshp = SHPOpenLL(rd->shp, "rb", &hooks);
    ems_status st = EMS_OK;
    if (rd->files.oom) {
        st = EMS_ENOMEM;
        goto done;
    }
    if (!rd->hshp) {
        st = emscov_fail(ctx, EMS_EINPUT, "%s: cannot be read%s", rd->shp, lib_error(eb, sizeof eb));
        goto done;
    }
    tl_error[0] = '\0';
    rd->hdbf = DBFOpenLL(rd->dbf, "rb", &hooks);
    if (rd->files.oom) {
        st = EMS_ENOMEM;
        goto done;
    }
    if (!rd->hdbf) {
        st = emscov_fail(ctx, EMS_EINPUT, "%s: cannot be read (corrupted header?)%s", rd->dbf,
                         lib_error(eb, sizeof eb));
        goto done;
    }
    int n = 0, type = 0;
    SHPGetInfo(rd->hshp, &n, &type, NULL, NULL);
    if (n < 0 || (size_t)n != rd->nrec) {
        st = emscov_fail(ctx, EMS_EINTERNAL, "%s: shapelib sees %d records, the index has %zu", rd->shp, n,
                         rd->nrec);
        goto done;
    }
    if (DBFGetRecordCount(rd->hdbf) < 0 || (uint32_t)DBFGetRecordCount(rd->hdbf) != rd->dbf_nrec) {
        st = emscov_fail(ctx, EMS_EINPUT, "%s: corrupted header: record count %d, the header says %u",
                         rd->dbf, DBFGetRecordCount(rd->hdbf), rd->dbf_nrec);
        goto done;
    }
    if ((size_t)rd->dbf_nrec != rd->nrec)
        st = emscov_fail(ctx, EMS_EINPUT, "%s has %zu records, %s has %u", rd->shp, rd->nrec, rd->dbf,
                         rd->dbf_nrec);
done:
    tl_files = NULL;
    return st;
}

/* ---- Encoding and fields. */

/* The .cpg text: first line, surrounding spaces and a UTF-8 BOM removed. */
static ems_status read_cpg(shp_reader *rd, char *out, size_t cap)
{
    char *data = NULL;
    size_t len = 0;
    ems_status st = ems_read_file(rd->ctx, rd->cpg, &data, &len);
    if (st != EMS_OK) return st;
    char *s = data;
    if (len >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3)) s += 3;
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    size_t n = strcspn(s, "\r\n");
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    char tmp[64];
    if (n >= sizeof tmp) n = sizeof tmp - 1;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    free(data);
    printable(tmp, n, out, cap);
    return EMS_OK;
}

/* The rule (issue #2, revised by issue 17): --encoding wins, as GDAL's ENCODING open option and shp2pgsql -W
 * do (a user on a read-only share cannot fix a wrong .cpg), with a warning naming the .cpg or LDID it
 * overrode when that says otherwise; else a .cpg; else the LDID byte; else UTF-8. LDID 0x57 only says "ANSI",
 * i.e. the writer's Windows code page (shapelib's DBFCreate and ArcGIS write it by default, also for GBK data
 * written on Chinese Windows), so overriding it is no news; without --encoding it is read as CP1252. */
static ems_status choose_encoding(shp_reader *rd)
{
    emscov_ctx *ctx = rd->ctx;
    const char *given = rd->opts->encoding;
    const char *name = NULL;
    char text[96];
    ems_status st;
    if (rd->cpg) {
        if ((st = read_cpg(rd, text, sizeof text)) != EMS_OK) return st;
        if (!text[0]) {
            if ((st = layer_note_add(ctx, rd->l, LAYER_NOTE_WARNING, 0, "%s: empty: ignored", rd->cpg)) !=
                EMS_OK)
                return st;
        } else if (encoding_canonical(text)) {
            name = text;
            snprintf(rd->enc_source, sizeof rd->enc_source, ".cpg \"%s\"", text);
            snprintf(rd->enc_hint, sizeof rd->enc_hint,
                     "encoding from .cpg \"%s\"; if the .cpg is wrong, give the right one with --encoding", text);
        } else if (given) {
            if ((st = layer_note_add(ctx, rd->l, LAYER_NOTE_WARNING, 0,
                                     "%s: unknown encoding \"%s\": using "
                                     "--encoding %s",
                                     rd->cpg, text, given)) != EMS_OK)
                return st;
        } else
            return emscov_fail(ctx, EMS_EINPUT,
                               "%s: unknown encoding \"%s\" (known: UTF-8, GBK/936, GB18030, "
                               "BIG5/950, 1252, 88591 and other code page numbers); fix the .cpg or give "
                               "--encoding",
                               rd->cpg, text);
    }
    const char *ldid_enc = rd->ldid ? encoding_from_ldid(rd->ldid) : NULL;
    int cp = encoding_ldid_code_page(rd->ldid);
    if (!name && rd->ldid && !ldid_enc) {
        if ((st = layer_note_add(ctx, rd->l, LAYER_NOTE_WARNING, 0,
                                 "%s: unknown language driver id (LDID) 0x%02X: "
                                 "ignored",
                                 rd->dbf, (unsigned)rd->ldid)) != EMS_OK)
            return st;
    }
    if (!name && ldid_enc && rd->ldid != 0x57) {
        name = ldid_enc;
        snprintf(rd->enc_source, sizeof rd->enc_source, "LDID 0x%02X (code page %d)", (unsigned)rd->ldid, cp);
        snprintf(rd->enc_hint, sizeof rd->enc_hint,
                 "encoding from LDID 0x%02X (code page %d) in the .dbf header; "
                 "if that is wrong, give the right one with --encoding",
                 (unsigned)rd->ldid, cp);
    }
    /* name is what the shapefile declares (NULL: nothing, or only "ANSI"): --encoding overrides it */
    const char *want = given ? encoding_canonical(given) : NULL;
    if (given && name && want && !strcmp(want, encoding_canonical(name))) {
        /* --encoding agrees with the declaration: nothing overridden */
    } else if (given && name && want) {
        char declared[200];
        snprintf(declared, sizeof declared, "%s", rd->enc_source);
        emscov_warn(ctx, "%s: --encoding %s overrides the %s it declares", rd->dbf, given, declared);
        if ((st = layer_note_add(ctx, rd->l, LAYER_NOTE_WARNING, 0, "--encoding %s overrides the %s the file declares",
                                 given, declared)) != EMS_OK)
            return st;
        name = given;
        snprintf(rd->enc_source, sizeof rd->enc_source, "--encoding, overriding %.130s", declared);
        snprintf(rd->enc_hint, sizeof rd->enc_hint,
                 "encoding from --encoding %.40s, overriding the %.80s; try another --encoding", given, declared);
    } else if (given) {
        name = given;
        snprintf(rd->enc_source, sizeof rd->enc_source, "--encoding");
        snprintf(rd->enc_hint, sizeof rd->enc_hint, "encoding from --encoding %.40s; try another --encoding",
                 given);
    }
    if (!name && ldid_enc) {
        name = ldid_enc;
        snprintf(rd->enc_source, sizeof rd->enc_source, "LDID 0x57 (ANSI, read as code page 1252)");
        snprintf(rd->enc_hint, sizeof rd->enc_hint,
                 "LDID 0x57 (\"ANSI\") in the .dbf header, read as code page "
                 "1252; if the data is Chinese use --encoding GBK");
    }
    if (!name) {
        name = "UTF-8";
        snprintf(rd->enc_source, sizeof rd->enc_source, "default (no .cpg, no LDID)");
        snprintf(rd->enc_hint, sizeof rd->enc_hint,
                 "no .cpg and no LDID, so UTF-8 was assumed; if the data is "
                 "Chinese use --encoding GBK");
    }
    if ((st = encoding_open(ctx, name, &rd->conv)) != EMS_OK) {
        if (st == EMS_EINPUT && name == given) {
            char msg[600];
            snprintf(msg, sizeof msg, "%s", emscov_message(ctx));
            return emscov_fail(ctx, st, "--encoding: %s", msg);
        }
        return st;
    }
    return EMS_OK;
}

/* Convert raw text (n bytes) to a new UTF-8 string; on failure the message names file, record and field. */
static ems_status to_utf8(shp_reader *rd, const char *s, size_t n, int64_t record, const char *what,
                          char **out)
{
    ems_status st = encoding_to_utf8(rd->ctx, rd->conv, s, n, out);
    if (st != EMS_EINPUT) return st;
    char msg[300];
    snprintf(msg, sizeof msg, "%s", emscov_message(rd->ctx));
    if (record > 0)
        return emscov_fail(rd->ctx, st, "%s: record %lld: field %s: %s (%s)", rd->dbf, (long long)record,
                           what, msg, rd->enc_hint);
    return emscov_fail(rd->ctx, st, "%s: %s: %s (%s)", rd->dbf, what, msg, rd->enc_hint);
}

static ems_status read_fields(shp_reader *rd)
{
    emscov_ctx *ctx = rd->ctx;
    int nf = DBFGetFieldCount(rd->hdbf);
    if (nf < 0) nf = 0;
    rd->fields = ems_calloc(ctx, (size_t)nf + 1, sizeof *rd->fields);
    rd->tuple = ems_malloc(ctx, rd->dbf_reclen + 1u);
    if (!rd->fields || !rd->tuple) return EMS_ENOMEM;
    rd->nfields = nf;
    bool text = false;
    int offset = 1; /* byte 0 of a record is the deletion flag */
    for (int j = 0; j < nf; j++) {
        dbf_field *f = &rd->fields[j];
        char raw[XBASE_FLDNAME_LEN_READ + 1] = "";
        DBFGetFieldInfo(rd->hdbf, j, raw, &f->width, &f->decimals);
        f->type = DBFGetNativeFieldType(rd->hdbf, j);
        f->offset = offset;
        f->out = -1;
        if (f->width < 1 || f->width > rd->dbf_reclen - offset)
            return emscov_fail(ctx, EMS_EINPUT,
                               "%s: corrupted header: field %d (%s) of width %d does not fit in "
                               "records of %u bytes",
                               rd->dbf, j + 1, printable(raw, strlen(raw), (char[64]){0}, 64), f->width,
                               rd->dbf_reclen);
        offset += f->width;
        size_t n = strnlen(raw, XBASE_FLDNAME_LEN_READ);
        while (n > 0 && raw[n - 1] == ' ')
            n--;
        char what[32];
        snprintf(what, sizeof what, "field %d name", j + 1);
        ems_status st;
        if (n == 0) {
            f->name = ems_malloc(ctx, 16);
            if (!f->name) return EMS_ENOMEM;
            snprintf(f->name, 16, "FIELD%d", j + 1);
        } else if ((st = to_utf8(rd, raw, n, 0, what, &f->name)) != EMS_OK)
            return st;
        layer_field_type type;
        switch (f->type) {
        case 'C':
            type = LAYER_FIELD_STRING;
            text = true;
            break;
        case 'N':
        case 'F':
            type = f->decimals == 0 && f->width <= 18 ? LAYER_FIELD_INT : LAYER_FIELD_DOUBLE;
            break;
        case 'D':
            type = LAYER_FIELD_DATE;
            break;
        case 'L':
            type = LAYER_FIELD_LOGICAL;
            break;
        default:
            if ((st = layer_note_add(ctx, rd->l, LAYER_NOTE_WARNING, 0,
                                     "%s: field %s: DBF type '%c' is not "
                                     "supported: skipped",
                                     rd->dbf, f->name, f->type > 0x20 && f->type < 0x7F ? f->type : '?')) !=
                EMS_OK)
                return st;
            continue;
        }
        if ((st = layer_add_field(ctx, rd->l, f->name, type, f->width, f->decimals)) != EMS_OK) return st;
        f->out = (int)rd->nout++;
    }
    rd->values = ems_calloc(ctx, rd->nout + 1, sizeof *rd->values);
    if (!rd->values) return EMS_ENOMEM;
    if (text) return layer_set_encoding(ctx, rd->l, encoding_name(rd->conv), rd->enc_source);
    return EMS_OK;
}

static bool valid_date(int y, int m, int d)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1 || m < 1 || m > 12 || d < 1) return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= mdays[m - 1] + (m == 2 && leap);
}

static void free_strings(shp_reader *rd)
{
    for (int j = 0; j < rd->nfields; j++) {
        const dbf_field *f = &rd->fields[j];
        if (f->out >= 0 && f->type == 'C' && !rd->values[f->out].is_null)
            free((char *)rd->values[f->out].u.s);
        if (f->out >= 0) rd->values[f->out] = (layer_value){.is_null = true};
    }
}

/* Parse the attributes of record i (0-based) into rd->values. */
static ems_status read_values(shp_reader *rd, int i)
{
    emscov_ctx *ctx = rd->ctx;
    int64_t rec = (int64_t)i + 1;
    for (size_t k = 0; k < rd->nout; k++)
        rd->values[k] = (layer_value){.is_null = true};
    char eb[600];
    tl_error[0] = '\0';
    const char *t = DBFReadTuple(rd->hdbf, i);
    if (!t)
        return emscov_fail(ctx, EMS_EINPUT, "%s: record %lld: cannot be read%s", rd->dbf, (long long)rec,
                           lib_error(eb, sizeof eb));
    memcpy(rd->tuple, t, rd->dbf_reclen);
    rd->tuple[rd->dbf_reclen] = '\0';
    for (int j = 0; j < rd->nfields; j++) {
        const dbf_field *f = &rd->fields[j];
        if (f->out < 0) continue;
        layer_value *v = &rd->values[f->out];
        const char *raw = rd->tuple + f->offset;
        size_t n = strnlen(raw, (size_t)f->width);
        while (n > 0 && raw[n - 1] == ' ')
            n--;
        size_t lead = 0;
        while (lead < n && raw[lead] == ' ')
            lead++;
        if (n == lead || DBFIsAttributeNULL(rd->hdbf, i, j)) continue;
        char pb[200]; /* the value as a message shows it: made only for a message, not for every value */
        char text[256];
        size_t tn = n - lead < sizeof text - 1 ? n - lead : sizeof text - 1;
        memcpy(text, raw + lead, tn);
        text[tn] = '\0';
        char *end = NULL;
        ems_status st;
        switch (f->type) {
        case 'C':
            if ((st = to_utf8(rd, raw, n, rec, f->name, (char **)&v->u.s)) != EMS_OK) return st;
            v->is_null = false;
            break;
        case 'N':
        case 'F': {
            if (n - lead >= sizeof text)
                return emscov_fail(ctx, EMS_EINPUT, "%s: record %lld: field %s: number too long", rd->dbf,
                                   (long long)rec, f->name);
            errno = 0;
            double d = strtod(text, &end);
            bool ok = end != text && *end == '\0' && isfinite(d) && errno != ERANGE;
            if (ok && f->decimals == 0 && f->width <= 18) {
                errno = 0;
                long long x = strtoll(text, &end, 10);
                if (end != text && *end == '\0' && errno == 0)
                    v->u.i = x;
                else if (d == floor(d) && fabs(d) < 9.2e18)
                    v->u.i = (int64_t)d;
                else
                    ok = false;
            } else
                v->u.d = d;
            if (!ok)
                return emscov_fail(ctx, EMS_EINPUT, "%s: record %lld: field %s: not a number: \"%s\"",
                                   rd->dbf, (long long)rec, f->name,
                                   printable(raw + lead, n - lead, pb, sizeof pb));
            v->is_null = false;
            break;
        }
        case 'D': {
            int y = 0, m = 0, d = 0;
            bool ok = n - lead == 8;
            for (size_t k = 0; ok && k < 8; k++)
                ok = text[k] >= '0' && text[k] <= '9';
            if (ok) {
                y = (text[0] - '0') * 1000 + (text[1] - '0') * 100 + (text[2] - '0') * 10 + (text[3] - '0');
                m = (text[4] - '0') * 10 + (text[5] - '0');
                d = (text[6] - '0') * 10 + (text[7] - '0');
                ok = valid_date(y, m, d);
            }
            if (!ok)
                return emscov_fail(ctx, EMS_EINPUT,
                                   "%s: record %lld: field %s: not a valid date: \"%s\" (want "
                                   "yyyymmdd)",
                                   rd->dbf, (long long)rec, f->name,
                                   printable(raw + lead, n - lead, pb, sizeof pb));
            v->u.date = (int32_t)(y * 10000 + m * 100 + d);
            v->is_null = false;
            break;
        }
        case 'L': {
            char c = text[0];
            if (c == '?') break;
            if (strchr("TtYy", c))
                v->u.b = true;
            else if (strchr("FfNn", c))
                v->u.b = false;
            else
                return emscov_fail(ctx, EMS_EINPUT,
                                   "%s: record %lld: field %s: not a logical value: \"%s\" (want "
                                   "T, F, Y, N or ?)",
                                   rd->dbf, (long long)rec, f->name,
                                   printable(raw + lead, n - lead, pb, sizeof pb));
            v->is_null = false;
            break;
        }
        default:
            break;
        }
    }
    return EMS_OK;
}

/* ---- Geometry. */

static bool grow_xy(shp_reader *rd, size_t points)
{
    return ems_grow(rd->ctx, (void **)&rd->xy, &rd->xy_cap, 2 * points, sizeof *rd->xy);
}

static GEOSCoordSequence *make_seq(shp_reader *rd, size_t off, size_t n)
{
    return GEOSCoordSeq_copyFromBuffer_r(rd->h, rd->xy + 2 * off, (unsigned)n, 0, 0);
}

static ems_status geos_failed(shp_reader *rd, int64_t rec, const char *what)
{
    return emscov_fail(rd->ctx, EMS_EINTERNAL, "%s: record %lld: building the %s failed: %s", rd->shp,
                       (long long)rec, what, emscov_lib_message(rd->ctx));
}

static void destroy_parts(shp_reader *rd, GEOSGeometry **g, size_t n)
{
    for (size_t k = 0; k < n; k++)
        GEOSGeom_destroy_r(rd->h, g[k]);
}

static ems_status build_points(shp_reader *rd, const SHPObject *o, int64_t rec, bool multi,
                               GEOSGeometry **out)
{
    size_t n = (size_t)o->nVertices;
    if (n == 0) return EMS_OK;
    if (!multi) {
        if (!(*out = GEOSGeom_createPointFromXY_r(rd->h, o->padfX[0], o->padfY[0])))
            return geos_failed(rd, rec, "point");
        return EMS_OK;
    }
    if (!ems_grow(rd->ctx, (void **)&rd->parts, &rd->parts_cap, n, sizeof *rd->parts)) return EMS_ENOMEM;
    for (size_t k = 0; k < n; k++) {
        if (!(rd->parts[k] = GEOSGeom_createPointFromXY_r(rd->h, o->padfX[k], o->padfY[k]))) {
            destroy_parts(rd, rd->parts, k);
            return geos_failed(rd, rec, "multipoint");
        }
    }
    if (!(*out = GEOSGeom_createCollection_r(rd->h, GEOS_MULTIPOINT, rd->parts, (unsigned)n)))
        return geos_failed(rd, rec, "multipoint");
    return EMS_OK;
}

static ems_status build_lines(shp_reader *rd, const SHPObject *o, int64_t rec, GEOSGeometry **out)
{
    if (o->nVertices <= 0) return EMS_OK;
    size_t np = (size_t)(o->nParts > 0 ? o->nParts : 1);
    if (!ems_grow(rd->ctx, (void **)&rd->parts, &rd->parts_cap, np, sizeof *rd->parts) ||
        !grow_xy(rd, (size_t)o->nVertices))
        return EMS_ENOMEM;
    for (int k = 0; k < o->nVertices; k++) {
        rd->xy[2 * k] = o->padfX[k];
        rd->xy[2 * k + 1] = o->padfY[k];
    }
    size_t made = 0;
    ems_status st;
    for (size_t p = 0; p < np; p++) {
        size_t s = o->nParts > 0 ? (size_t)o->panPartStart[p] : 0;
        size_t e = p + 1 < np ? (size_t)o->panPartStart[p + 1] : (size_t)o->nVertices;
        if (e - s < 2) {
            if ((st = ring_note(rd, rec, "part %zu of the line has %zu point%s: skipped", p + 1, e - s,
                                e - s == 1 ? "" : "s")) != EMS_OK) {
                destroy_parts(rd, rd->parts, made);
                return st;
            }
            continue;
        }
        GEOSCoordSequence *seq = make_seq(rd, s, e - s);
        GEOSGeometry *g = seq ? GEOSGeom_createLineString_r(rd->h, seq) : NULL;
        if (!g) {
            destroy_parts(rd, rd->parts, made);
            return geos_failed(rd, rec, "line");
        }
        rd->parts[made++] = g;
    }
    if (made == 0) return EMS_OK;
    if (made == 1) {
        *out = rd->parts[0];
        return EMS_OK;
    }
    if (!(*out = GEOSGeom_createCollection_r(rd->h, GEOS_MULTILINESTRING, rd->parts, (unsigned)made)))
        return geos_failed(rd, rec, "multilinestring");
    return EMS_OK;
}

/* Crossing-number point-in-ring test: 1 inside, 0 outside, -1 on the boundary. */
static int point_in_ring(const double *r, size_t n, double x, double y)
{
    bool inside = false;
    for (size_t i = 0, j = n - 1; i < n; j = i++) {
        double xi = r[2 * i], yi = r[2 * i + 1], xj = r[2 * j], yj = r[2 * j + 1];
        double cross = (xj - xi) * (y - yi) - (yj - yi) * (x - xi);
        if (cross == 0 && x >= fmin(xi, xj) && x <= fmax(xi, xj) && y >= fmin(yi, yj) && y <= fmax(yi, yj))
            return -1;
        if ((yi > y) != (yj > y)) {
            double xint = xi + (y - yi) * (xj - xi) / (yj - yi);
            if (x < xint) inside = !inside;
        }
    }
    return inside ? 1 : 0;
}

/* True when ring a lies inside ring b: decided by the first vertex of a not on b's boundary. */
static bool ring_inside(const shp_reader *rd, const ring *a, const ring *b)
{
    if (a->bbox[0] < b->bbox[0] || a->bbox[1] < b->bbox[1] || a->bbox[2] > b->bbox[2] ||
        a->bbox[3] > b->bbox[3])
        return false;
    const double *pa = rd->xy + 2 * a->off, *pb = rd->xy + 2 * b->off;
    for (size_t k = 0; k + 1 < a->n; k++) {
        int r = point_in_ring(pb, b->n - 1, pa[2 * k], pa[2 * k + 1]);
        if (r >= 0) return r == 1;
    }
    return true; /* every vertex on b's boundary */
}

/* Assign holes to outer rings; outer = (area < 0) unless flipped. Returns the number of orphan holes. */
static size_t assign_holes(shp_reader *rd, size_t nr, bool flipped)
{
    ring *r = rd->rings;
    size_t nouter = 0;
    for (size_t i = 0; i < nr; i++) {
        r[i].outer = flipped ? r[i].area > 0 : r[i].area < 0;
        r[i].parent = -1;
        if (r[i].outer) rd->order[nouter++] = i;
    }
    /* outer rings by increasing size, so each hole goes to the smallest one containing it */
    for (size_t i = 1; i < nouter; i++) {
        size_t v = rd->order[i], k = i;
        for (; k > 0 && fabs(r[rd->order[k - 1]].area) > fabs(r[v].area); k--)
            rd->order[k] = rd->order[k - 1];
        rd->order[k] = v;
    }
    size_t orphans = 0;
    for (size_t i = 0; i < nr; i++) {
        if (r[i].outer) continue;
        for (size_t k = 0; k < nouter && r[i].parent < 0; k++)
            if (fabs(r[rd->order[k]].area) >= fabs(r[i].area) && ring_inside(rd, &r[i], &r[rd->order[k]]))
                r[i].parent = (int)rd->order[k];
        if (r[i].parent < 0) orphans++;
    }
    return orphans;
}

static GEOSGeometry *make_ring(shp_reader *rd, const ring *r)
{
    GEOSCoordSequence *seq = make_seq(rd, r->off, r->n);
    return seq ? GEOSGeom_createLinearRing_r(rd->h, seq) : NULL;
}

static ems_status assemble_polygon(shp_reader *rd, const SHPObject *o, int64_t rec, GEOSGeometry **out)
{
    ems_status st;
    if (o->nVertices <= 0) return EMS_OK;
    size_t np = (size_t)(o->nParts > 0 ? o->nParts : 1);
    /* room for every vertex plus one closing point per ring */
    if (!grow_xy(rd, (size_t)o->nVertices + np) ||
        !ems_grow(rd->ctx, (void **)&rd->rings, &rd->rings_cap, np, sizeof *rd->rings) ||
        !ems_grow(rd->ctx, (void **)&rd->order, &rd->order_cap, np, sizeof *rd->order))
        return EMS_ENOMEM;
    size_t nr = 0, used = 0;
    for (size_t p = 0; p < np; p++) {
        size_t s = o->nParts > 0 ? (size_t)o->panPartStart[p] : 0;
        size_t e = p + 1 < np ? (size_t)o->panPartStart[p + 1] : (size_t)o->nVertices;
        size_t n = e - s;
        const double *X = o->padfX + s, *Y = o->padfY + s;
        /* at least 3 distinct points? */
        size_t b = 1, c;
        while (b < n && X[b] == X[0] && Y[b] == Y[0])
            b++;
        for (c = b + 1; c < n; c++)
            if ((X[c] != X[0] || Y[c] != Y[0]) && (X[c] != X[b] || Y[c] != Y[b])) break;
        if (b >= n || c >= n) {
            if ((st = ring_note(rd, rec, "ring %zu has fewer than 3 distinct points (%zu point%s): skipped",
                                p + 1, n, n == 1 ? "" : "s")) != EMS_OK)
                return st;
            continue;
        }
        ring *r = &rd->rings[nr];
        *r = (ring){.off = used, .n = n, .part = (int)p + 1, .parent = -1};
        double *d = rd->xy + 2 * used;
        for (size_t k = 0; k < n; k++) {
            d[2 * k] = X[k];
            d[2 * k + 1] = Y[k];
        }
        if (X[n - 1] != X[0] || Y[n - 1] != Y[0]) {
            d[2 * n] = X[0];
            d[2 * n + 1] = Y[0];
            r->n = ++n;
            if ((st = ring_note(rd, rec, "ring %zu is not closed: closed", p + 1)) != EMS_OK) return st;
        }
        double a = 0;
        r->bbox[0] = r->bbox[2] = d[0];
        r->bbox[1] = r->bbox[3] = d[1];
        for (size_t k = 0; k + 1 < n; k++) {
            a += d[2 * k] * d[2 * k + 3] - d[2 * k + 2] * d[2 * k + 1];
            r->bbox[0] = fmin(r->bbox[0], d[2 * k + 2]);
            r->bbox[1] = fmin(r->bbox[1], d[2 * k + 3]);
            r->bbox[2] = fmax(r->bbox[2], d[2 * k + 2]);
            r->bbox[3] = fmax(r->bbox[3], d[2 * k + 3]);
        }
        r->area = a / 2;
        if (r->area == 0 || !isfinite(r->area)) {
            if ((st = ring_note(rd, rec, "ring %zu has no area: skipped", p + 1)) != EMS_OK) return st;
            continue;
        }
        used += n;
        nr++;
    }
    if (nr == 0) return EMS_OK;
    size_t orphans = assign_holes(rd, nr, false);
    if (orphans > 0) {
        size_t flipped = assign_holes(rd, nr, true);
        if (flipped < orphans) {
            if ((st = ring_note(rd, rec,
                                "rings are wound the wrong way round (outer rings counter-clockwise): "
                                "read with the winding reversed")) != EMS_OK)
                return st;
        } else {
            assign_holes(rd, nr, false);
            for (size_t i = 0; i < nr; i++) {
                if (rd->rings[i].outer || rd->rings[i].parent >= 0) continue;
                rd->rings[i].outer = true;
                if ((st = ring_note(rd, rec,
                                    "ring %d is wound as a hole (counter-clockwise) but lies in no outer "
                                    "ring: read as an outer ring",
                                    rd->rings[i].part)) != EMS_OK)
                    return st;
            }
        }
    }
    /* one polygon per outer ring, in file order */
    if (!ems_grow(rd->ctx, (void **)&rd->parts, &rd->parts_cap, nr, sizeof *rd->parts) ||
        !ems_grow(rd->ctx, (void **)&rd->holes, &rd->holes_cap, nr, sizeof *rd->holes))
        return EMS_ENOMEM;
    size_t made = 0;
    for (size_t i = 0; i < nr; i++) {
        if (!rd->rings[i].outer) continue;
        size_t nh = 0;
        GEOSGeometry *shell = make_ring(rd, &rd->rings[i]);
        bool ok = shell != NULL;
        for (size_t k = 0; ok && k < nr; k++) {
            if (rd->rings[k].outer || rd->rings[k].parent != (int)i) continue;
            if (!(rd->holes[nh] = make_ring(rd, &rd->rings[k])))
                ok = false;
            else
                nh++;
        }
        GEOSGeometry *poly = ok ? GEOSGeom_createPolygon_r(rd->h, shell, rd->holes, (unsigned)nh) : NULL;
        if (!poly) {
            if (!ok) {
                GEOSGeom_destroy_r(rd->h, shell);
                destroy_parts(rd, rd->holes, nh);
            }
            destroy_parts(rd, rd->parts, made);
            return geos_failed(rd, rec, "polygon");
        }
        rd->parts[made++] = poly;
    }
    if (made == 1) {
        *out = rd->parts[0];
        return EMS_OK;
    }
    if (!(*out = GEOSGeom_createCollection_r(rd->h, GEOS_MULTIPOLYGON, rd->parts, (unsigned)made)))
        return geos_failed(rd, rec, "multipolygon");
    return EMS_OK;
}

/* The geometry of record i (0-based): NULL for a NULL shape, an empty geometry for a shape without vertices
 * (or whose every line part is degenerate), NULL with *no_area for a polygon whose every ring is degenerate. */
static ems_status read_geometry(shp_reader *rd, int i, GEOSGeometry **out, bool *no_area)
{
    int64_t rec = (int64_t)i + 1;
    *out = NULL;
    *no_area = false;
    char eb[600];
    tl_error[0] = '\0';
    SHPObject *o = SHPReadObject(rd->hshp, i);
    if (!o)
        return emscov_fail(rd->ctx, EMS_EINPUT, "%s: record %lld: corrupted shape%s", rd->shp, (long long)rec,
                           lib_error(eb, sizeof eb));
    ems_status st = EMS_OK;
    /* shapelib checks part starts against the vertex count; check again rather than trust it */
    for (int p = 0; p < o->nParts; p++) {
        int s = o->panPartStart[p], e = p + 1 < o->nParts ? o->panPartStart[p + 1] : o->nVertices;
        if (s < 0 || s > e || e > o->nVertices) {
            st = emscov_fail(rd->ctx, EMS_EINPUT,
                             "%s: record %lld: corrupted shape: part %d starts at vertex %d of "
                             "%d",
                             rd->shp, (long long)rec, p + 1, s, o->nVertices);
            goto done;
        }
    }
    for (int k = 0; k < o->nVertices; k++) {
        if (!isfinite(o->padfX[k]) || !isfinite(o->padfY[k])) {
            st = emscov_fail(rd->ctx, EMS_EINPUT,
                             "%s: record %lld: vertex %d has a coordinate that is not a "
                             "number (%g, %g)",
                             rd->shp, (long long)rec, k + 1, o->padfX[k], o->padfY[k]);
            goto done;
        }
    }
    switch (o->nSHPType) {
    case SHPT_NULL:
        break;
    case SHPT_POINT:
    case SHPT_POINTZ:
    case SHPT_POINTM:
        st = build_points(rd, o, rec, false, out);
        break;
    case SHPT_MULTIPOINT:
    case SHPT_MULTIPOINTZ:
    case SHPT_MULTIPOINTM:
        st = build_points(rd, o, rec, true, out);
        break;
    case SHPT_ARC:
    case SHPT_ARCZ:
    case SHPT_ARCM:
        st = build_lines(rd, o, rec, out);
        break;
    case SHPT_POLYGON:
    case SHPT_POLYGONZ:
    case SHPT_POLYGONM:
        st = assemble_polygon(rd, o, rec, out);
        break;
    default:
        st = emscov_fail(rd->ctx, EMS_EINPUT, "%s: record %lld: shape type %d is not supported", rd->shp,
                         (long long)rec, o->nSHPType);
        break;
    }
    if (st == EMS_OK && !*out && o->nSHPType != SHPT_NULL) {
        bool polygon = o->nSHPType == SHPT_POLYGON || o->nSHPType == SHPT_POLYGONZ || o->nSHPType == SHPT_POLYGONM;
        if (polygon && o->nVertices > 0)
            *no_area = true;
        else if (!(*out = GEOSGeom_createEmptyCollection_r(rd->h, GEOS_GEOMETRYCOLLECTION)))
            st = geos_failed(rd, rec, "empty geometry");
    }
done:
    SHPDestroyObject(o);
    return st;
}

static const char *shape_type_name(int t)
{
    switch (t) {
    case SHPT_POINTZ:
        return "PointZ";
    case SHPT_ARCZ:
        return "PolyLineZ";
    case SHPT_POLYGONZ:
        return "PolygonZ";
    case SHPT_MULTIPOINTZ:
        return "MultiPointZ";
    case SHPT_POINTM:
        return "PointM";
    case SHPT_ARCM:
        return "PolyLineM";
    case SHPT_POLYGONM:
        return "PolygonM";
    case SHPT_MULTIPOINTM:
        return "MultiPointM";
    default:
        return NULL;
    }
}

/* ---- The reader. */

static ems_status read_records(shp_reader *rd)
{
    ems_status st = EMS_OK;
    const char *zm = shape_type_name(rd->shp_type);
    if (zm && (st = layer_note_add(rd->ctx, rd->l, LAYER_NOTE_WARNING, 0,
                                   "%s: %s: Z and M values dropped (read "
                                   "as 2D)",
                                   rd->shp, zm)) != EMS_OK)
        return st;
    for (size_t i = 0; i < rd->nrec; i++) {
        int64_t rec = (int64_t)i + 1;
        if (DBFIsRecordDeleted(rd->hdbf, (int)i)) {
            /* kept in the ledger with its attributes; ones that cannot be read are not an error here */
            ems_status vs = read_values(rd, (int)i);
            bool readable = vs == EMS_OK;
            if (vs == EMS_ENOMEM) {
                st = vs;
                break;
            }
            if (!readable) {
                free_strings(rd);
                emscov_clear(rd->ctx);
            }
            if ((st = layer_note_add(rd->ctx, rd->l, LAYER_NOTE_WARNING, rec, "marked deleted in %s: skipped%s",
                                     rd->dbf, readable ? "" : " (its attributes cannot be read)")) != EMS_OK ||
                (st = layer_append_skipped(rd->ctx, rd->l, rec, LAYER_SKIP_DELETED, rd->values)) != EMS_OK)
                break;
            free_strings(rd);
            continue;
        }
        if ((st = read_values(rd, (int)i)) != EMS_OK) break;
        GEOSGeometry *g = NULL;
        bool no_area = false;
        if ((st = read_geometry(rd, (int)i, &g, &no_area)) != EMS_OK) break;
        if (no_area) {
            if ((st = layer_note_add(rd->ctx, rd->l, LAYER_NOTE_EMPTY, rec, "no ring with an area: skipped")) !=
                    EMS_OK ||
                (st = layer_append_skipped(rd->ctx, rd->l, rec, LAYER_SKIP_NO_AREA, rd->values)) != EMS_OK)
                break;
        } else if ((st = layer_append_take(rd->ctx, rd->l, g, rec, rd->values)) != EMS_OK)
            break;
        free_strings(rd);
    }
    free_strings(rd);
    if (st == EMS_OK && rd->ring_notes_dropped > 0)
        st =
            layer_note_add(rd->ctx, rd->l, LAYER_NOTE_WARNING, 0,
                           "%s: %zu more ring and part warnings not listed", rd->shp, rd->ring_notes_dropped);
    return st;
}

static void reader_fini(shp_reader *rd)
{
    if (rd->hshp) SHPClose(rd->hshp);
    if (rd->hdbf) DBFClose(rd->hdbf);
    encoding_close(rd->conv);
    for (int j = 0; rd->fields && j < rd->nfields; j++)
        free(rd->fields[j].name);
    free(rd->fields);
    free(rd->values);
    free(rd->tuple);
    free(rd->xy);
    free(rd->rings);
    free(rd->order);
    free(rd->parts);
    free(rd->holes);
    free(rd->shx_mem);
    ems_file_unmap(&rd->shp_map);
    ems_file_unmap(&rd->dbf_map);
    free(rd->base);
    free(rd->shp);
    free(rd->shx);
    free(rd->dbf);
    free(rd->prj);
    free(rd->cpg);
}

ems_status layer__read_shp(emscov_ctx *ctx, const char *path, const layer_read_opts *opts, layer **out)
{
    static const layer_read_opts defaults;
    *out = NULL;
    shp_reader rd = {.ctx = ctx, .h = emscov_geos(ctx), .opts = opts ? opts : &defaults};
    ems_status st = find_files(&rd, path);
    if (st == EMS_OK) st = layer_create(ctx, rd.shp, "ESRI Shapefile", NULL, &rd.l);
    if (st == EMS_OK) st = choose_crs(&rd);
    if (st == EMS_OK) st = check_shp(&rd);
    if (st == EMS_OK) st = check_dbf(&rd);
    if (st == EMS_OK) st = open_shapelib(&rd);
    if (st == EMS_OK) st = choose_encoding(&rd);
    if (st == EMS_OK) st = read_fields(&rd);
    if (st == EMS_OK) st = read_records(&rd);
    if (st == EMS_OK) {
        layer_set_source_records(rd.l, rd.nrec);
        st = layer_finish_read(ctx, rd.l, rd.opts);
    }
    if (st == EMS_OK) {
        *out = rd.l;
        rd.l = NULL;
    }
    layer_destroy(rd.l);
    reader_fini(&rd);
    return st;
}
