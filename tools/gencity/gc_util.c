/* tools/gencity/gc_util.c: the generator's plumbing: xoshiro256** PRNG and splitmix64 hashing, smooth value
 * noise, ring/polyline helpers (area, centroid, point-in-ring, noisy shared edges), and the writers: a
 * shapefile + DBF with a GBK, UTF-8 or LDID code page (strings arrive in UTF-8 and go through iconv), the
 * ESRI .prj, and the temporary output directory whose files gencity.c later moves into place. */
#include "gencity.h"

#include <errno.h>
#include <iconv.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ---- PRNG -------------------------------------------------------------------------------------------- */

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void gc_rng_seed(gc_rng *r, uint64_t seed, uint64_t stream)
{
    uint64_t x = seed ^ (stream * 0xd1342543de82ef95ULL);
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t gc_rng_next(gc_rng *r)
{
    uint64_t *s = r->s;
    uint64_t out = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return out;
}

double gc_rng_unit(gc_rng *r)
{
    return (double)(gc_rng_next(r) >> 11) * 0x1.0p-53;
}

int gc_rng_int(gc_rng *r, int lo, int hi)
{
    if (hi <= lo) return lo;
    return lo + (int)(gc_rng_next(r) % (uint64_t)(hi - lo + 1));
}

uint64_t gc_hash4(uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
    uint64_t x = a;
    uint64_t h = splitmix64(&x);
    x = h ^ b;
    h = splitmix64(&x);
    x = h ^ c;
    h = splitmix64(&x);
    x = h ^ d;
    return splitmix64(&x);
}

double gc_hash_unit(uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
    return (double)(gc_hash4(a, b, c, d) >> 11) * 0x1.0p-53;
}

static double smooth(double t)
{
    return t * t * (3.0 - 2.0 * t);
}

double gc_noise1(uint64_t seed, uint64_t line, double t, double knot)
{
    double f = floor(t / knot);
    double u = t / knot - f;
    int64_t k = (int64_t)f;
    double a = 2.0 * gc_hash_unit(seed, line, (uint64_t)k, 11) - 1.0;
    double b = 2.0 * gc_hash_unit(seed, line, (uint64_t)(k + 1), 11) - 1.0;
    return a + (b - a) * smooth(u);
}

double gc_noise2(uint64_t seed, double x, double y, double knot)
{
    double fx = floor(x / knot), fy = floor(y / knot);
    double u = smooth(x / knot - fx), v = smooth(y / knot - fy);
    int64_t i = (int64_t)fx, j = (int64_t)fy;
    double a = 2.0 * gc_hash_unit(seed, (uint64_t)i, (uint64_t)j, 22) - 1.0;
    double b = 2.0 * gc_hash_unit(seed, (uint64_t)(i + 1), (uint64_t)j, 22) - 1.0;
    double cc = 2.0 * gc_hash_unit(seed, (uint64_t)i, (uint64_t)(j + 1), 22) - 1.0;
    double d = 2.0 * gc_hash_unit(seed, (uint64_t)(i + 1), (uint64_t)(j + 1), 22) - 1.0;
    double ab = a + (b - a) * u, cd = cc + (d - cc) * u;
    return ab + (cd - ab) * v;
}

/* ---- geometry ---------------------------------------------------------------------------------------- */

double gc_mm(double v)
{
    return round(v * 1000.0) / 1000.0;
}

int gc_line_push(gc_line *l, double x, double y)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        gc_pt *v = realloc(l->v, cap * sizeof *v);
        if (!v) {
            gc_err("out of memory");
            return -1;
        }
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n].x = x;
    l->v[l->n].y = y;
    l->n++;
    return 0;
}

void gc_line_free(gc_line *l)
{
    free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}

void gc_line_reverse(gc_line *l)
{
    for (size_t i = 0, j = l->n ? l->n - 1 : 0; i < j; i++, j--) {
        gc_pt t = l->v[i];
        l->v[i] = l->v[j];
        l->v[j] = t;
    }
}

double gc_ring_area(const gc_line *r)
{
    double s = 0;
    for (size_t i = 0; i + 1 < r->n; i++)
        s += (r->v[i].x - r->v[0].x) * (r->v[i + 1].y - r->v[0].y) -
             (r->v[i + 1].x - r->v[0].x) * (r->v[i].y - r->v[0].y);
    return s / 2.0;
}

gc_pt gc_ring_centroid(const gc_line *r)
{
    double a = 0, sx = 0, sy = 0;
    gc_pt o = r->v[0];
    for (size_t i = 0; i + 1 < r->n; i++) {
        double x0 = r->v[i].x - o.x, y0 = r->v[i].y - o.y;
        double x1 = r->v[i + 1].x - o.x, y1 = r->v[i + 1].y - o.y;
        double cr = x0 * y1 - x1 * y0;
        a += cr;
        sx += (x0 + x1) * cr;
        sy += (y0 + y1) * cr;
    }
    gc_pt c = o;
    if (a != 0) {
        c.x = o.x + sx / (3.0 * a);
        c.y = o.y + sy / (3.0 * a);
    }
    return c;
}

bool gc_ring_contains(const gc_line *r, double x, double y)
{
    bool in = false;
    for (size_t i = 0, j = r->n - 1; i < r->n; j = i++) {
        const gc_pt *a = &r->v[i], *b = &r->v[j];
        if ((a->y > y) != (b->y > y) && x < (b->x - a->x) * (y - a->y) / (b->y - a->y) + a->x) in = !in;
    }
    return in;
}

void gc_ring_bbox(const gc_line *r, double *minx, double *miny, double *maxx, double *maxy)
{
    *minx = *miny = INFINITY;
    *maxx = *maxy = -INFINITY;
    for (size_t i = 0; i < r->n; i++) {
        *minx = fmin(*minx, r->v[i].x);
        *maxx = fmax(*maxx, r->v[i].x);
        *miny = fmin(*miny, r->v[i].y);
        *maxy = fmax(*maxy, r->v[i].y);
    }
}

static uint64_t dbits(double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u;
}

int gc_noisy_edge(gc_line *out, gc_pt a, gc_pt b, uint64_t seed, double amp_frac, double step_m)
{
    bool swap = (b.x < a.x) || (b.x == a.x && b.y < a.y);
    gc_pt p = swap ? b : a, q = swap ? a : b;
    double dx = q.x - p.x, dy = q.y - p.y, len = hypot(dx, dy);
    int n = (int)(len / step_m);
    if (amp_frac <= 0 || n < 2) n = 1;
    if (n > 80) n = 80;
    uint64_t h = gc_hash4(seed ^ dbits(p.x), dbits(p.y), dbits(q.x), dbits(q.y));
    double k1 = 1 + (double)(h % 3), k2 = 3 + (double)((h >> 8) % 4);
    double ph1 = gc_hash_unit(h, 1, 0, 0), ph2 = gc_hash_unit(h, 2, 0, 0);
    double sgn = (h >> 20) & 1 ? 1.0 : -1.0;
    size_t start = out->n;
    for (int k = 0; k < n; k++) {
        double t = (double)k / n;
        double off = 0;
        if (k > 0)
            off = sgn * amp_frac * len * sin(GC_PI * t) *
                  (0.7 * sin(2 * GC_PI * (k1 * t + ph1)) + 0.3 * sin(2 * GC_PI * (k2 * t + ph2)));
        double x = p.x + dx * t - dy / len * off, y = p.y + dy * t + dx / len * off;
        if (k == 0) {
            x = p.x;
            y = p.y;
        }
        if (gc_line_push(out, k == 0 ? x : gc_mm(x), k == 0 ? y : gc_mm(y)) != 0) return -1;
    }
    if (swap) {
        /* computed p..q without q; we need a..b without b, i.e. q..p without p */
        size_t m = out->n - start;
        gc_pt *v = out->v + start;
        /* v = [p, v1, ..., v_{m-1}] -> [q, v_{m-1}, ..., v1]; q == a */
        for (size_t i = 1, j = m - 1; i < j; i++, j--) {
            gc_pt t = v[i];
            v[i] = v[j];
            v[j] = t;
        }
        v[0] = a;
    }
    return 0;
}

/* ---- messages and output directory ------------------------------------------------------------------- */

void gc_err(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("emscov-gencity: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

int gc_out_path(const gc_out *o, const char *name, char *buf, size_t cap)
{
    int n = snprintf(buf, cap, "%s/%s", o->tmpdir, name);
    if (n < 0 || (size_t)n >= cap) {
        gc_err("%s/%s: path too long", o->tmpdir, name);
        return -1;
    }
    return 0;
}

int gc_out_add(gc_out *o, const char *name)
{
    for (int i = 0; i < o->nnames; i++)
        if (strcmp(o->names[i], name) == 0) return 0;
    if (o->nnames == (int)(sizeof o->names / sizeof o->names[0]) || strlen(name) >= sizeof o->names[0]) {
        gc_err("too many output files");
        return -1;
    }
    strcpy(o->names[o->nnames++], name);
    return 0;
}

FILE *gc_out_fopen(gc_out *o, const char *name)
{
    char path[4200];
    if (gc_out_path(o, name, path, sizeof path) != 0 || gc_out_add(o, name) != 0) return NULL;
    FILE *f = fopen(path, "wb");
    if (!f) gc_err("%s: %s", path, strerror(errno));
    return f;
}

int gc_out_write_text(gc_out *o, const char *name, const char *text)
{
    FILE *f = gc_out_fopen(o, name);
    if (!f) return -1;
    size_t n = strlen(text);
    bool ok = fwrite(text, 1, n, f) == n;
    ok = (fclose(f) == 0) && ok;
    if (!ok) {
        gc_err("%s/%s: write failed", o->tmpdir, name);
        return -1;
    }
    return 0;
}

void gc_out_note(gc_out *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (o->nnotes < (int)(sizeof o->notes / sizeof o->notes[0])) {
        vsnprintf(o->notes[o->nnotes], sizeof o->notes[0], fmt, ap);
        printf("%s\n", o->notes[o->nnotes]);
        o->nnotes++;
    }
    va_end(ap);
}

/* ---- shapefile writer -------------------------------------------------------------------------------- */

int gc_shp_open(gc_shp *w, gc_out *o, const char *name, int shptype, const char *codepage, double ox,
                double oy)
{
    char path[4200], fn[64];
    memset(w, 0, sizeof *w);
    snprintf(w->name, sizeof w->name, "%s", name);
    w->ox = ox;
    w->oy = oy;
    if (gc_out_path(o, name, path, sizeof path) != 0) return -1;
    const char *exts[] = {".shp", ".shx", ".dbf", ".prj", ".cpg"};
    int next = strncmp(codepage, "LDID/", 5) == 0 ? 4 : 5;
    for (int i = 0; i < next; i++) {
        snprintf(fn, sizeof fn, "%s%s", name, exts[i]);
        if (gc_out_add(o, fn) != 0) return -1;
    }
    if (strcmp(codepage, "UTF-8") != 0) {
        iconv_t cd = iconv_open("GBK", "UTF-8");
        if (cd == (iconv_t)-1) {
            gc_err("iconv UTF-8 -> GBK: %s", strerror(errno));
            return -1;
        }
        w->iconv = cd;
    }
    w->shp = SHPCreate(path, shptype);
    w->dbf = DBFCreateEx(path, codepage);
    if (!w->shp || !w->dbf) {
        gc_err("%s: cannot create the shapefile", path);
        gc_shp_close(w);
        return -1;
    }
    /* a fixed "last modified" date keeps the DBF header byte-identical from run to run */
    DBFSetLastModifiedDate(w->dbf, 124, 6, 30);
    char prj[4200];
    snprintf(prj, sizeof prj, "%s.prj", name);
    return gc_out_write_text(o, prj, GC_PRJ_GK);
}

int gc_shp_field(gc_shp *w, const char *fname, DBFFieldType type, int width, int decimals)
{
    if (DBFAddField(w->dbf, fname, type, width, decimals) < 0) {
        gc_err("%s.dbf: cannot add field %s", w->name, fname);
        return -1;
    }
    return 0;
}

int gc_shp_write(gc_shp *w, int shptype, const gc_line *parts, int nparts)
{
    size_t total = 0;
    for (int k = 0; k < nparts; k++)
        total += parts[k].n;
    double *xs = malloc((total ? total : 1) * sizeof *xs), *ys = malloc((total ? total : 1) * sizeof *ys);
    int *starts = malloc((size_t)(nparts ? nparts : 1) * sizeof *starts);
    int rec = -1;
    if (!xs || !ys || !starts) {
        gc_err("out of memory");
        goto done;
    }
    size_t at = 0;
    for (int k = 0; k < nparts; k++) {
        starts[k] = (int)at;
        for (size_t i = 0; i < parts[k].n; i++, at++) {
            xs[at] = parts[k].v[i].x + w->ox;
            ys[at] = parts[k].v[i].y + w->oy;
        }
    }
    SHPObject *obj = SHPCreateObject(shptype, -1, nparts, starts, NULL, (int)total, xs, ys, NULL, NULL);
    if (!obj) {
        gc_err("%s.shp: cannot create record", w->name);
        goto done;
    }
    rec = SHPWriteObject(w->shp, -1, obj);
    SHPDestroyObject(obj);
    if (rec < 0)
        gc_err("%s.shp: write failed at record %d", w->name, w->nrec);
    else
        w->nrec = rec + 1;
done:
    free(xs);
    free(ys);
    free(starts);
    return rec;
}

int gc_shp_point(gc_shp *w, double x, double y)
{
    double xs = x + w->ox, ys = y + w->oy;
    SHPObject *obj = SHPCreateSimpleObject(SHPT_POINT, 1, &xs, &ys, NULL);
    if (!obj) {
        gc_err("%s.shp: cannot create point", w->name);
        return -1;
    }
    int rec = SHPWriteObject(w->shp, -1, obj);
    SHPDestroyObject(obj);
    if (rec < 0)
        gc_err("%s.shp: write failed", w->name);
    else
        w->nrec = rec + 1;
    return rec;
}

int gc_shp_str(gc_shp *w, int rec, int field, const char *utf8)
{
    char buf[512];
    const char *val = utf8;
    int width = 0;
    DBFGetFieldInfo(w->dbf, field, NULL, &width, NULL);
    if (w->iconv) {
        char *in = (char *)(uintptr_t)utf8, *outp = buf;
        size_t inleft = strlen(utf8), outleft = sizeof buf - 1;
        iconv((iconv_t)w->iconv, NULL, NULL, NULL, NULL);
        if (iconv((iconv_t)w->iconv, &in, &inleft, &outp, &outleft) == (size_t)-1) {
            gc_err("%s.dbf: record %d: field %d: \"%s\" has no GBK form", w->name, rec, field, utf8);
            return -1;
        }
        *outp = '\0';
        val = buf;
    }
    if ((int)strlen(val) > width) {
        gc_err("%s.dbf: record %d: field %d: \"%s\" is longer than %d bytes", w->name, rec, field, utf8,
               width);
        return -1;
    }
    if (!DBFWriteStringAttribute(w->dbf, rec, field, val)) {
        gc_err("%s.dbf: record %d: field %d: write failed", w->name, rec, field);
        return -1;
    }
    return 0;
}

int gc_shp_int(gc_shp *w, int rec, int field, long long v)
{
    /* via the double writer: N fields wider than 10 digits do not fit an int */
    if (!DBFWriteDoubleAttribute(w->dbf, rec, field, (double)v)) {
        gc_err("%s.dbf: record %d: field %d: value %lld does not fit", w->name, rec, field, v);
        return -1;
    }
    return 0;
}

int gc_shp_dbl(gc_shp *w, int rec, int field, double v)
{
    if (!DBFWriteDoubleAttribute(w->dbf, rec, field, v)) {
        gc_err("%s.dbf: record %d: field %d: value %g does not fit", w->name, rec, field, v);
        return -1;
    }
    return 0;
}

int gc_shp_close(gc_shp *w)
{
    if (w->shp) SHPClose(w->shp);
    if (w->dbf) DBFClose(w->dbf);
    if (w->iconv) iconv_close((iconv_t)w->iconv);
    w->shp = NULL;
    w->dbf = NULL;
    w->iconv = NULL;
    return 0;
}
