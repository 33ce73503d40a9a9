/* tools/gencity/gc_land.c: everything of the sample city that is not a road: the sub-district tiling
 * (a warped, jittered lattice of corner points whose shared edges get deterministic noise from their two
 * endpoints), the districts, the river, parks, the 100 m population grid, census blocks, stations and
 * residential land, and their writers (three encodings of the sub-district layer, the ESRI ASCII grid,
 * census/stations/residential shapefiles, stations.csv, parks.geojson). Local metres throughout; the
 * writers add the GK origin (gencity.h). */
#include "gencity.h"

#include <json-c/json.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- small helpers ------------------------------------------------------------------------------------ */

static double clamp01(double t)
{
    return t < 0 ? 0 : t > 1 ? 1 : t;
}

static double smoothstep01(double t)
{
    t = clamp01(t);
    return t * t * (3 - 2 * t);
}

double gc_river_y(const gc_city *c, double x)
{
    return c->river_y0 + c->river_a1 * sin(2 * GC_PI * x / c->river_l1 + c->river_p1) +
           c->river_a2 * sin(2 * GC_PI * x / c->river_l2 + c->river_p2);
}

int gc_to_wgs84(const gc_city *c, double x, double y, double *lon, double *lat)
{
    PJ_COORD in = proj_coord(x + c->ox, y + c->oy, 0, 0);
    PJ_COORD out = proj_trans(c->pj, PJ_FWD, in);
    if (!isfinite(out.xy.x) || !isfinite(out.xy.y)) {
        gc_err("PROJ: cannot transform %.3f %.3f to WGS84", x + c->ox, y + c->oy);
        return -1;
    }
    *lon = out.xy.x;
    *lat = out.xy.y;
    return 0;
}

int gc_grid_value(const gc_city *c, double x, double y)
{
    if (x < 0 || y < 0) return 0;
    int col = (int)(x / 100.0), row = (int)(y / 100.0);
    if (col >= c->ncols || row >= c->nrows) return 0;
    int v = c->pop[(size_t)row * (size_t)c->ncols + (size_t)col];
    return v < 0 ? 0 : v;
}

/* Moves a ring's corner c inwards by d along the bisector of its two edges (a road reserve). */
static gc_pt inset_corner(gc_pt prev, gc_pt cur, gc_pt next, double d)
{
    double ax = prev.x - cur.x, ay = prev.y - cur.y, bx = next.x - cur.x, by = next.y - cur.y;
    double la = hypot(ax, ay), lb = hypot(bx, by);
    gc_pt r = {gc_mm(cur.x + d * (ax / la + bx / lb)), gc_mm(cur.y + d * (ay / la + by / lb))};
    return r;
}

/* A closed clockwise quad from lattice nodes (i,j) .. (i+1,j+1), inset by d metres. */
static int lattice_quad(const gc_city *c, int i, int j, double d, gc_line *out)
{
    gc_pt q[4] = {gc_node(c, i, j), gc_node(c, i, j + 1), gc_node(c, i + 1, j + 1), gc_node(c, i + 1, j)};
    out->n = 0;
    for (int k = 0; k < 4; k++) {
        gc_pt p = inset_corner(q[(k + 3) % 4], q[k], q[(k + 1) % 4], d);
        if (gc_line_push(out, p.x, p.y) != 0) return -1;
    }
    return gc_line_push(out, out->v[0].x, out->v[0].y);
}

static int rect_ring(gc_line *out, double x0, double y0, double x1, double y1)
{
    out->n = 0;
    if (gc_line_push(out, x0, y0) || gc_line_push(out, x0, y1) || gc_line_push(out, x1, y1) ||
        gc_line_push(out, x1, y0) || gc_line_push(out, x0, y0))
        return -1;
    return 0;
}

/* ---- sub-districts ----------------------------------------------------------------------------------- */

static gc_pt *corner_at(gc_city *c, int i, int j)
{
    return &c->corner[(size_t)i * (size_t)(c->sny + 1) + (size_t)j];
}

/* The sub-district lattice is a uniform (u,v) lattice on [-1,1]^2 pushed through a radial warp in the
 * Chebyshev norm s = max(|u|,|v|): s -> a*s + (1-a)*s^2. It keeps the rectangle's edges, makes the
 * central cells small in both directions (a times the mean) and the outer ones at most (2-a) times longer
 * radially than wide. */
static gc_pt sub_base(const gc_city *c, int i, int j)
{
    double a = c->p.warp;
    double u = -1.0 + 2.0 * i / c->snx, v = -1.0 + 2.0 * j / c->sny;
    double s = fmax(fabs(u), fabs(v));
    double f = s > 0 ? (a * s + (1 - a) * s * s) / s : a;
    gc_pt p = {gc_mm(c->W / 2 + u * f * c->W / 2), gc_mm(c->H / 2 + v * f * c->H / 2)};
    if (i == 0) p.x = 0;
    if (i == c->snx) p.x = c->W;
    if (j == 0) p.y = 0;
    if (j == c->sny) p.y = c->H;
    return p;
}

/* Lattice cell (i,j) whose warped cell should hold (x,y): the inverse of the warp. */
static void sub_cell_of(const gc_city *c, double x, double y, int *i, int *j)
{
    double a = c->p.warp;
    double X = (x - c->W / 2) / (c->W / 2), Y = (y - c->H / 2) / (c->H / 2);
    double S = fmax(fabs(X), fabs(Y));
    double s = a >= 1.0 ? S : (-a + sqrt(a * a + 4 * (1 - a) * S)) / (2 * (1 - a));
    double k = S > 0 ? s / S : 1.0 / a;
    *i = (int)floor((X * k + 1) / 2 * c->snx);
    *j = (int)floor((Y * k + 1) / 2 * c->sny);
}

static int sub_ring(gc_city *c, int i, int j, gc_line *r)
{
    uint64_t s = c->seed ^ 0x5b5bULL;
    double step = 150.0;
    double amp = 0.06;
    gc_pt sw = *corner_at(c, i, j), nw = *corner_at(c, i, j + 1), ne = *corner_at(c, i + 1, j + 1),
          se = *corner_at(c, i + 1, j);
    r->n = 0;
    if (gc_noisy_edge(r, sw, nw, s, i == 0 ? 0 : amp, step) ||
        gc_noisy_edge(r, nw, ne, s, j + 1 == c->sny ? 0 : amp, step) ||
        gc_noisy_edge(r, ne, se, s, i + 1 == c->snx ? 0 : amp, step) ||
        gc_noisy_edge(r, se, sw, s, j == 0 ? 0 : amp, step) || gc_line_push(r, sw.x, sw.y))
        return -1;
    return 0;
}

int gc_build_subdistricts(gc_city *c)
{
    gc_rng rng;
    gc_rng_seed(&rng, c->seed, 101);
    c->snx = c->p.snx;
    c->sny = c->p.sny;
    if (c->scale != 1.0) {
        c->snx = (int)lround(c->snx * c->scale);
        c->sny = (int)lround(c->sny * c->scale);
        if (c->snx < 2) c->snx = 2;
        if (c->sny < 2) c->sny = 2;
    }
    c->corner = calloc((size_t)(c->snx + 1) * (size_t)(c->sny + 1), sizeof *c->corner);
    c->nsubs = c->snx * c->sny;
    c->subs = calloc((size_t)c->nsubs, sizeof *c->subs);
    c->dist_nsubs = calloc((size_t)c->p.ndist, sizeof *c->dist_nsubs);
    if (!c->corner || !c->subs || !c->dist_nsubs) {
        gc_err("out of memory");
        return -1;
    }
    for (int i = 0; i <= c->snx; i++)
        for (int j = 0; j <= c->sny; j++) {
            gc_pt p = sub_base(c, i, j);
            double jx = 2 * gc_rng_unit(&rng) - 1, jy = 2 * gc_rng_unit(&rng) - 1;
            double sx = INFINITY, sy = INFINITY;
            if (i > 0) sx = fmin(sx, p.x - sub_base(c, i - 1, j).x);
            if (i < c->snx) sx = fmin(sx, sub_base(c, i + 1, j).x - p.x);
            if (j > 0) sy = fmin(sy, p.y - sub_base(c, i, j - 1).y);
            if (j < c->sny) sy = fmin(sy, sub_base(c, i, j + 1).y - p.y);
            if (i > 0 && i < c->snx) p.x += jx * 0.16 * sx;
            if (j > 0 && j < c->sny) p.y += jy * 0.16 * sy;
            corner_at(c, i, j)->x = gc_mm(p.x);
            corner_at(c, i, j)->y = gc_mm(p.y);
        }
    for (int i = 0; i < c->snx; i++)
        for (int j = 0; j < c->sny; j++) {
            gc_sub *s = &c->subs[i * c->sny + j];
            s->li = i;
            s->lj = j;
            if (sub_ring(c, i, j, &s->ring) != 0) return -1;
            s->area_m2 = -gc_ring_area(&s->ring);
            if (s->area_m2 <= 0) {
                gc_err("internal: sub-district %d,%d is not clockwise", i, j);
                return -1;
            }
            s->centroid = gc_ring_centroid(&s->ring);
            gc_ring_bbox(&s->ring, &s->minx, &s->miny, &s->maxx, &s->maxy);
            /* district: nearest seed */
            double best = INFINITY;
            for (int d = 0; d < c->p.ndist; d++) {
                double sx = c->cx + c->p.dists[d].u * 1000.0 * c->scale;
                double sy = c->cy + c->p.dists[d].v * 1000.0 * c->scale;
                double dd = hypot(s->centroid.x - sx, s->centroid.y - sy);
                if (dd < best) {
                    best = dd;
                    s->district = d;
                }
            }
        }
    /* every district gets at least one sub-district when there are enough */
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < c->p.ndist; i++)
            c->dist_nsubs[i] = 0;
        for (int k = 0; k < c->nsubs; k++)
            c->dist_nsubs[c->subs[k].district]++;
        for (int d = 0; d < c->p.ndist && c->nsubs >= c->p.ndist; d++) {
            if (c->dist_nsubs[d] > 0) continue;
            double sx = c->cx + c->p.dists[d].u * 1000.0 * c->scale;
            double sy = c->cy + c->p.dists[d].v * 1000.0 * c->scale;
            int best = -1;
            double bd = INFINITY;
            for (int k = 0; k < c->nsubs; k++) {
                double dd = hypot(c->subs[k].centroid.x - sx, c->subs[k].centroid.y - sy);
                if (c->dist_nsubs[c->subs[k].district] > 1 && dd < bd) {
                    bd = dd;
                    best = k;
                }
            }
            if (best >= 0) {
                c->dist_nsubs[c->subs[best].district]--;
                c->subs[best].district = d;
                c->dist_nsubs[d]++;
            }
        }
    }
    return gc_name_subdistricts(c);
}

static int find_sub(const gc_city *c, double x, double y)
{
    int i0, j0;
    sub_cell_of(c, x, y, &i0, &j0);
    for (int r = 1; r <= 2; r++) {
        for (int di = -r; di <= r; di++)
            for (int dj = -r; dj <= r; dj++) {
                int i = i0 + di, j = j0 + dj;
                if (i < 0 || j < 0 || i >= c->snx || j >= c->sny || (r == 2 && abs(di) < 2 && abs(dj) < 2))
                    continue;
                const gc_sub *s = &c->subs[i * c->sny + j];
                if (x < s->minx || x > s->maxx || y < s->miny || y > s->maxy) continue;
                if (gc_ring_contains(&s->ring, x, y)) return i * c->sny + j;
            }
    }
    return -1;
}

/* ---- parks --------------------------------------------------------------------------------------------- */

static double base_density(const gc_city *c, double x, double y);

static bool cells_free(const gc_city *c, int i0, int j0, int i1, int j1)
{
    for (int i = i0 - 1; i <= i1; i++)
        for (int j = j0 - 1; j <= j1; j++) {
            if (i < 0 || j < 0 || i >= c->rnx - 1 || j >= c->rny - 1) return false;
            if (c->cellflag[(size_t)i * (size_t)(c->rny - 1) + (size_t)j]) return false;
        }
    return true;
}

static bool region_near_river(const gc_city *c, int i0, int j0, int i1, int j1)
{
    for (int i = i0; i <= i1; i++)
        for (int j = j0; j <= j1; j++) {
            gc_pt p = gc_node(c, i, j);
            if (gc_in_river_zone(c, p.x, p.y, 120.0)) return true;
        }
    return false;
}

static bool park_name_used(const gc_city *c, const char *name)
{
    for (size_t i = 0; i < c->nparks; i++)
        if (strcmp(c->parks[i].name, name) == 0) return true;
    return false;
}

static void park_name(const gc_city *c, gc_park *pk, int size_class, uint64_t k)
{
    static const char *const real[] = {"天坛公园",   "地坛公园",   "日坛公园",   "北海公园",   "龙潭公园",
                                       "朝阳公园",   "玉渊潭公园", "陶然亭公园", "紫竹院公园", "团结湖公园",
                                       "红领巾公园", "青年湖公园", NULL};
    static const char *const suffix[] = {"公园", "社区公园", "游园", "街心游园"};
    if (size_class == 0)
        for (int i = 0; real[i]; i++)
            if (!park_name_used(c, real[i])) {
                snprintf(pk->name, sizeof pk->name, "%s", real[i]);
                return;
            }
    char stem[32];
    for (uint64_t a = 0;; a++) {
        gc_name_make(c->seed ^ 0x7061726bULL, k, a, stem, sizeof stem);
        snprintf(pk->name, sizeof pk->name, "%s%s", stem, suffix[size_class]);
        if (!park_name_used(c, pk->name) || a > 1000) return;
    }
}

static int add_park(gc_city *c, gc_park *pk, size_t cap)
{
    if (c->nparks == cap) {
        gc_err("internal: too many parks");
        return -1;
    }
    double a = -gc_ring_area(&pk->outer);
    if (pk->hole.n) a -= fabs(gc_ring_area(&pk->hole));
    pk->area_ha = a / 10000.0;
    int cls = pk->area_ha > 10 ? 0 : pk->area_ha >= 1 ? 1 : pk->area_ha >= 0.2 ? 2 : 3;
    c->parks_by_size[cls]++;
    if (pk->hole.n) c->parks_with_holes++;
    c->parks[c->nparks++] = *pk;
    return 0;
}

int gc_build_parks(gc_city *c)
{
    gc_rng rng;
    gc_rng_seed(&rng, c->seed, 202);
    double f = c->p.pop_target * c->scale * c->scale / 1.8e6;
    int want[4] = {(int)lround(3 * f), (int)lround(6 * f), (int)lround(6 * f), (int)lround(4 * f)};
    for (int k = 0; k < 4; k++)
        if (want[k] < 1) want[k] = 1;
    size_t cap = (size_t)(want[0] + want[1] + want[2] + want[3]);
    c->parks = calloc(cap, sizeof *c->parks);
    if (!c->parks) {
        gc_err("out of memory");
        return -1;
    }
    int ncx = c->rnx - 1, ncy = c->rny - 1;
    for (int cls = 0; cls < 4; cls++) {
        int placed = 0;
        for (int attempt = 0; attempt < 400000 && placed < want[cls]; attempt++) {
            gc_park pk;
            memset(&pk, 0, sizeof pk);
            int i0, j0, i1, j1;
            if (cls == 0) {
                /* a block of 3x3 (or 3x2) lattice cells between collector lines: no through roads inside */
                int a = gc_rng_int(&rng, -(c->ic / 3) - 1, (ncx - c->ic) / 3);
                int b = gc_rng_int(&rng, -(c->jc / 3) - 1, (ncy - c->jc) / 3);
                i0 = c->ic + 3 * a;
                j0 = c->jc + 3 * b;
                i1 = i0 + 3;
                j1 = j0 + (gc_rng_unit(&rng) < 0.3 ? 2 : 3);
            } else {
                i0 = gc_rng_int(&rng, 1, ncx - 2);
                j0 = gc_rng_int(&rng, 1, ncy - 2);
                i1 = i0 + 1;
                j1 = j0 + 1;
            }
            if (i0 < 1 || j0 < 1 || i1 > ncx - 1 || j1 > ncy - 1 || !cells_free(c, i0, j0, i1, j1) ||
                region_near_river(c, i0, j0, i1, j1))
                continue;
            gc_pt m = gc_node(c, (i0 + i1) / 2, (j0 + j1) / 2);
            double dens = base_density(c, m.x, m.y);
            if (gc_rng_unit(&rng) > clamp01(dens / 150.0)) continue;
            if (cls == 0) {
                gc_line r = {0};
                for (int j = j0; j < j1; j++)
                    gc_line_push(&r, gc_node(c, i0, j).x, gc_node(c, i0, j).y);
                for (int i = i0; i < i1; i++)
                    gc_line_push(&r, gc_node(c, i, j1).x, gc_node(c, i, j1).y);
                for (int j = j1; j > j0; j--)
                    gc_line_push(&r, gc_node(c, i1, j).x, gc_node(c, i1, j).y);
                for (int i = i1; i > i0; i--)
                    gc_line_push(&r, gc_node(c, i, j0).x, gc_node(c, i, j0).y);
                /* shrink towards the centre: a 25 m road reserve (the ring is still open here) */
                double minx, miny, maxx, maxy;
                gc_ring_bbox(&r, &minx, &miny, &maxx, &maxy);
                double mx = (minx + maxx) / 2, my = (miny + maxy) / 2;
                double fx = 1 - 25.0 / ((maxx - minx) / 2), fy = 1 - 25.0 / ((maxy - miny) / 2);
                for (size_t k = 0; k < r.n; k++) {
                    r.v[k].x = gc_mm(mx + (r.v[k].x - mx) * fx);
                    r.v[k].y = gc_mm(my + (r.v[k].y - my) * fy);
                }
                gc_line_push(&r, r.v[0].x, r.v[0].y);
                pk.outer = r;
                if (placed < 2 || gc_rng_unit(&rng) < 0.35) {
                    double rx = (maxx - minx) * 0.22, ry = (maxy - miny) * 0.2;
                    double lx = mx + (gc_rng_unit(&rng) - 0.5) * rx * 0.6,
                           ly = my + (gc_rng_unit(&rng) - 0.5) * ry * 0.6;
                    for (int k = 0; k < 20; k++) {
                        double t = -2 * GC_PI * k / 20; /* clockwise */
                        double w = 1 + 0.18 * sin(3 * t + (double)placed);
                        gc_line_push(&pk.hole, gc_mm(lx + rx * w * cos(t)), gc_mm(ly + ry * w * sin(t)));
                    }
                    gc_line_push(&pk.hole, pk.hole.v[0].x, pk.hole.v[0].y);
                }
                for (int i = i0; i < i1; i++)
                    for (int j = j0; j < j1; j++)
                        c->cellflag[(size_t)i * (size_t)ncy + (size_t)j] |= GC_CELL_PARK | GC_CELL_BIGPARK_IN;
                pk.kind = "综合公园";
            } else if (cls == 1) {
                if (lattice_quad(c, i0, j0, 18.0, &pk.outer) != 0) return -1;
                c->cellflag[(size_t)i0 * (size_t)ncy + (size_t)j0] |= GC_CELL_PARK;
                pk.kind = "社区公园";
            } else {
                gc_line q = {0};
                if (lattice_quad(c, i0, j0, 0.0, &q) != 0) return -1;
                gc_pt ctr = gc_ring_centroid(&q);
                gc_line_free(&q);
                double w = cls == 2 ? 55 + 35 * gc_rng_unit(&rng) : 22 + 16 * gc_rng_unit(&rng);
                double h = cls == 2 ? 55 + 35 * gc_rng_unit(&rng) : 22 + 16 * gc_rng_unit(&rng);
                double x0 = gc_mm(ctr.x - w / 2), y0 = gc_mm(ctr.y - h / 2);
                if (rect_ring(&pk.outer, x0, y0, gc_mm(x0 + w), gc_mm(y0 + h)) != 0) return -1;
                c->cellflag[(size_t)i0 * (size_t)ncy + (size_t)j0] |= GC_CELL_SMALLPARK;
                pk.kind = "游园";
            }
            park_name(c, &pk, cls, c->nparks);
            if (add_park(c, &pk, cap) != 0) return -1;
            placed++;
        }
    }
    return 0;
}

/* ---- population ------------------------------------------------------------------------------------- */

typedef struct centre_def {
    double x_km, y_km, amp, sigma_km;
} centre_def;

static const centre_def centres_sample[] = {
    {6.0, 5.0, 170, 1.3},  {3.0, -4.0, 120, 1.0}, {-6.5, 0.5, 110, 1.2},
    {-4.5, 5.5, 140, 1.4}, {5.5, -3.5, 80, 1.5},
};
static const centre_def centres_beijing[] = {
    {6.0, 5.0, 170, 1.5},    {3.0, -4.0, 120, 1.2},  {-6.5, 0.5, 110, 1.5},   {-4.5, 6.0, 140, 1.8},
    {-7.0, 20.0, 190, 2.0},  {3.0, 19.0, 200, 2.0},  {22.0, -3.0, 150, 3.0},  {13.0, -13.0, 110, 2.5},
    {-2.0, -21.0, 120, 2.5}, {27.0, 24.0, 110, 3.0}, {-12.0, 30.0, 100, 2.5}, {-22.0, -20.0, 100, 2.5},
    {-25.0, 2.0, 70, 2.0},   {8.0, 45.0, 60, 2.0},   {58.0, 30.0, 60, 2.0},   {45.0, 46.0, 60, 2.0},
    {-55.0, 44.0, 55, 2.0},  {12.0, 20.0, 90, 2.0},  {-14.0, -9.0, 110, 2.0},
};

static double base_density(const gc_city *c, double x, double y)
{
    double xk = (x - c->cx) / 1000.0 / c->scale, yk = (y - c->cy) / 1000.0 / c->scale;
    double r = hypot(xk, yk);
    bool bj = c->p.ndist > 4;
    double d = 330.0 * exp(-r / (bj ? 6.5 : 5.0)) + 3.0 + 2.0 * gc_noise2(c->seed ^ 0x3131ULL, x, y, 3000.0);
    if (bj) {
        double mw = smoothstep01((-xk - 20.0) / 15.0), mn = smoothstep01((yk - 24.0) / 14.0);
        d *= 1.0 - 0.85 * fmax(mw, mn);
    }
    return d;
}

static void add_bump(gc_city *c, float *dens, double x, double y, double amp, double sigma)
{
    int c0 = (int)((x - 3 * sigma) / 100.0), c1 = (int)((x + 3 * sigma) / 100.0);
    int r0 = (int)((y - 3 * sigma) / 100.0), r1 = (int)((y + 3 * sigma) / 100.0);
    if (c0 < 0) c0 = 0;
    if (r0 < 0) r0 = 0;
    if (c1 >= c->ncols) c1 = c->ncols - 1;
    if (r1 >= c->nrows) r1 = c->nrows - 1;
    for (int row = r0; row <= r1; row++)
        for (int col = c0; col <= c1; col++) {
            double dx = (col + 0.5) * 100.0 - x, dy = (row + 0.5) * 100.0 - y;
            dens[(size_t)row * (size_t)c->ncols + (size_t)col] +=
                (float)(amp * exp(-(dx * dx + dy * dy) / (2 * sigma * sigma)));
        }
}

int gc_build_population(gc_city *c)
{
    size_t n = (size_t)c->ncols * (size_t)c->nrows;
    /* one array: densities as float first, then converted in place to integer counts */
    c->pop = malloc(n * sizeof *c->pop);
    c->cellsub = malloc(n * sizeof *c->cellsub);
    if (!c->pop || !c->cellsub) {
        gc_err("out of memory");
        return -1;
    }
    _Static_assert(sizeof(float) == sizeof(int32_t), "float and int32 differ in size");
    float *dens = (float *)(void *)c->pop;
    for (int row = 0; row < c->nrows; row++)
        for (int col = 0; col < c->ncols; col++)
            dens[(size_t)row * (size_t)c->ncols + (size_t)col] =
                (float)base_density(c, (col + 0.5) * 100.0, (row + 0.5) * 100.0);
    bool bj = c->p.ndist > 4;
    const centre_def *cs = bj ? centres_beijing : centres_sample;
    size_t ncs = bj ? sizeof centres_beijing / sizeof centres_beijing[0]
                    : sizeof centres_sample / sizeof centres_sample[0];
    for (size_t k = 0; k < ncs; k++)
        add_bump(c, dens, c->cx + cs[k].x_km * 1000 * c->scale, c->cy + cs[k].y_km * 1000 * c->scale,
                 cs[k].amp, cs[k].sigma_km * 1000 * c->scale);
    gc_rng rng;
    gc_rng_seed(&rng, c->seed, 303);
    int nv = (int)lround(c->p.nvillages * c->scale * c->scale);
    for (int k = 0; k < nv; k++) {
        double x = gc_rng_unit(&rng) * c->W, y = gc_rng_unit(&rng) * c->H;
        double amp = 15 + 45 * gc_rng_unit(&rng), sig = 200 + 250 * gc_rng_unit(&rng);
        if (base_density(c, x, y) < 60) add_bump(c, dens, x, y, amp, sig);
    }
    /* texture, then masks: park cells 0, river channel NODATA, river corridor 0 */
    double sum = 0;
    for (int row = 0; row < c->nrows; row++)
        for (int col = 0; col < c->ncols; col++) {
            size_t at = (size_t)row * (size_t)c->ncols + (size_t)col;
            double x = (col + 0.5) * 100.0, y = (row + 0.5) * 100.0;
            double v = dens[at] * (1.0 + 0.35 * gc_noise2(c->seed ^ 0x7777ULL, x, y, 1500.0)) *
                       (0.8 + 0.4 * gc_hash_unit(c->seed, (uint64_t)row, (uint64_t)col, 9));
            double ry = gc_river_y(c, x);
            if (fabs(y - ry) < 35.0)
                v = -1; /* NODATA */
            else if (y > ry - 60.0 && y < ry + c->river_off + 40.0)
                v = 0;
            dens[at] = (float)v;
            if (v > 0) sum += v;
        }
    for (size_t k = 0; k < c->nparks; k++) {
        const gc_park *pk = &c->parks[k];
        double minx, miny, maxx, maxy;
        gc_ring_bbox(&pk->outer, &minx, &miny, &maxx, &maxy);
        for (int row = (int)(miny / 100.0); row <= (int)(maxy / 100.0) && row < c->nrows; row++)
            for (int col = (int)(minx / 100.0); col <= (int)(maxx / 100.0) && col < c->ncols; col++) {
                size_t at = (size_t)row * (size_t)c->ncols + (size_t)col;
                if (dens[at] > 0 && gc_ring_contains(&pk->outer, (col + 0.5) * 100.0, (row + 0.5) * 100.0)) {
                    sum -= dens[at];
                    dens[at] = 0;
                }
            }
    }
    double f = c->p.pop_target * c->scale * c->scale / sum;
    c->pop_total = 0;
    c->nodata_cells = 0;
    for (int row = 0; row < c->nrows; row++)
        for (int col = 0; col < c->ncols; col++) {
            size_t at = (size_t)row * (size_t)c->ncols + (size_t)col;
            float v = dens[at];
            int32_t p;
            if (v < 0) {
                p = GC_NODATA;
                c->nodata_cells++;
            } else {
                p = (int32_t)floor(v * f + gc_hash_unit(c->seed, (uint64_t)row, (uint64_t)col, 10));
                c->pop_total += p;
            }
            memcpy(&c->pop[at], &p, sizeof p); /* same slot, now an integer */
            int s = find_sub(c, (col + 0.5) * 100.0, (row + 0.5) * 100.0);
            c->cellsub[at] = s < 0 ? GC_NONE_SUB : (uint16_t)s;
            if (s >= 0 && p > 0) c->subs[s].pop += p;
        }
    return 0;
}

/* ---- stations ---------------------------------------------------------------------------------------- */

static int cmp_station(const void *a, const void *b)
{
    const gc_station *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c;
}

int gc_build_stations(gc_city *c)
{
    gc_rng rng;
    gc_rng_seed(&rng, c->seed, 404);
    int N = (int)lround(c->p.nstations * c->scale * c->scale);
    if (N < 4) N = 4;
    c->stations = calloc((size_t)N, sizeof *c->stations);
    double *w = calloc((size_t)c->nsubs, sizeof *w);
    int rc = -1;
    if (!c->stations || !w) {
        gc_err("out of memory");
        goto done;
    }
    /* gaps: about one sub-district in eight, chosen among the more populous half */
    long long *pops = malloc((size_t)c->nsubs * sizeof *pops);
    if (!pops) {
        gc_err("out of memory");
        goto done;
    }
    for (int i = 0; i < c->nsubs; i++)
        pops[i] = c->subs[i].pop;
    long long median = 0;
    {
        /* simple selection: count how many are above each candidate */
        for (int i = 0; i < c->nsubs; i++) {
            int above = 0;
            for (int k = 0; k < c->nsubs; k++)
                above += pops[k] > pops[i];
            if (above == c->nsubs / 2) median = pops[i];
        }
    }
    free(pops);
    int ngaps = c->nsubs / 8 > 1 ? c->nsubs / 8 : 1;
    for (int g = 0, tries = 0; g < ngaps && tries < 100000; tries++) {
        int k = gc_rng_int(&rng, 0, c->nsubs - 1);
        if (!c->subs[k].gap && c->subs[k].pop >= median && c->subs[k].pop > 0) {
            c->subs[k].gap = true;
            g++;
        }
    }
    /* the boundary station: middle vertex of the shared edge east of the most populous non-gap
     * sub-district whose east neighbour is not a gap either */
    int bs = -1;
    for (int k = 0; k < c->nsubs; k++) {
        const gc_sub *s = &c->subs[k];
        if (s->li + 1 >= c->snx || s->gap || c->subs[k + c->sny].gap) continue;
        if (bs < 0 || s->pop > c->subs[bs].pop) bs = k;
    }
    int alloc = N - 2;
    double tw = 0;
    for (int k = 0; k < c->nsubs; k++) {
        w[k] = c->subs[k].gap ? 0 : pow((double)c->subs[k].pop, 1.15);
        tw += w[k];
    }
    int given = 0;
    double *rem = w; /* reuse: remainders */
    for (int k = 0; k < c->nsubs; k++) {
        double share = tw > 0 ? w[k] / tw * alloc : 0;
        c->subs[k].nstations = (int)floor(share);
        given += c->subs[k].nstations;
        rem[k] = share - floor(share);
    }
    while (given < alloc) {
        int best = -1;
        for (int k = 0; k < c->nsubs; k++)
            if (!c->subs[k].gap && (best < 0 || rem[k] > rem[best])) best = k;
        if (best < 0) break;
        c->subs[best].nstations++;
        rem[best] = -1;
        given++;
    }
    int ns = 0;
    for (int k = 0; k < c->nsubs; k++) {
        gc_sub *s = &c->subs[k];
        int want = s->nstations;
        s->nstations = 0;
        for (int m = 0; m < want; m++) {
            double dmin = 0.35 * sqrt(s->area_m2 / want);
            double bx = s->centroid.x, by = s->centroid.y;
            bool ok = false;
            for (int t = 0; t < 400 && !ok; t++) {
                double x = gc_mm(s->minx + gc_rng_unit(&rng) * (s->maxx - s->minx));
                double y = gc_mm(s->miny + gc_rng_unit(&rng) * (s->maxy - s->miny));
                if (!gc_ring_contains(&s->ring, x, y) || gc_grid_value(c, x, y) <= 0 ||
                    gc_in_river_zone(c, x, y, 30.0))
                    continue;
                bool far = true;
                for (int q = 0; q < ns && far; q++)
                    if (hypot(c->stations[q].x - x, c->stations[q].y - y) < (t < 300 ? dmin : dmin / 4))
                        far = false;
                if (far) {
                    bx = x;
                    by = y;
                    ok = true;
                }
            }
            gc_station *st = &c->stations[ns++];
            st->x = bx;
            st->y = by;
            st->sub = k;
        }
    }
    if (bs >= 0) {
        gc_line e = {0};
        const gc_sub *s = &c->subs[bs];
        gc_pt ne = *corner_at(c, s->li + 1, s->lj + 1), se = *corner_at(c, s->li + 1, s->lj);
        if (gc_noisy_edge(&e, ne, se, c->seed ^ 0x5b5bULL, 0.06, 150.0) != 0) goto done;
        gc_station *st = &c->stations[ns++];
        st->x = e.v[e.n / 2].x;
        st->y = e.v[e.n / 2].y;
        st->sub = bs;
        c->boundary_station = ns - 1;
        gc_line_free(&e);
    }
    {
        gc_station *st = &c->stations[ns++];
        st->x = gc_mm(c->W + 1500.0 * c->scale);
        st->y = gc_mm(c->cy + 1200.0 * c->scale);
        st->sub = -1;
        c->outside_station = ns - 1;
    }
    static const char *const ord[] = {"", "第二", "第三", "第四", "第五", "第六", "第七", "第八", "第九"};
    for (int q = 0; q < ns; q++) {
        gc_station *st = &c->stations[q];
        if (st->sub < 0) {
            snprintf(st->name, sizeof st->name, "北京急救中心燕郊协作站");
        } else {
            gc_sub *s = &c->subs[st->sub];
            int m = s->nstations++;
            snprintf(st->name, sizeof st->name, "北京急救中心%s%s分站", s->base, ord[m < 9 ? m : 8]);
        }
        double u = gc_rng_unit(&rng);
        st->type = u < 0.15 ? "A" : u < 0.4 ? "B" : "standard";
        st->ambulances = st->type[0] == 'A'   ? gc_rng_int(&rng, 3, 4)
                         : st->type[0] == 'B' ? gc_rng_int(&rng, 2, 3)
                                              : gc_rng_int(&rng, 1, 2);
        st->turnout_s = gc_rng_int(&rng, 60, 120);
    }
    /* remember the special ones by coordinates, sort by name (= by sub-district), number */
    gc_station bstat = c->stations[c->boundary_station], ostat = c->stations[c->outside_station];
    qsort(c->stations, (size_t)ns, sizeof *c->stations, cmp_station);
    for (int q = 0; q < ns; q++) {
        c->stations[q].id = q + 1;
        if (c->stations[q].x == bstat.x && c->stations[q].y == bstat.y) c->boundary_station = q;
        if (c->stations[q].x == ostat.x && c->stations[q].y == ostat.y) c->outside_station = q;
    }
    c->nstations = ns;
    rc = 0;
done:
    free(w);
    return rc;
}

/* ---- writers ------------------------------------------------------------------------------------------ */

static int cmp_code(const void *a, const void *b)
{
    const gc_sub *const *x = a, *const *y = b;
    return strcmp((*x)->code, (*y)->code);
}

int gc_write_streets(gc_city *c, gc_out *o)
{
    static const char *const names[] = {"streets_gbk", "streets_ldid", "streets_utf8"};
    static const char *const cps[] = {"GBK", "LDID/77", "UTF-8"};
    const gc_sub **ord = malloc((size_t)c->nsubs * sizeof *ord);
    if (!ord) {
        gc_err("out of memory");
        return -1;
    }
    for (int k = 0; k < c->nsubs; k++)
        ord[k] = &c->subs[k];
    qsort(ord, (size_t)c->nsubs, sizeof *ord, cmp_code);
    int rc = -1;
    for (int f = 0; f < 3; f++) {
        gc_shp w;
        if (gc_shp_open(&w, o, names[f], SHPT_POLYGON, cps[f], c->ox, c->oy) != 0) goto done;
        if (gc_shp_field(&w, "CODE", FTString, 12, 0) || gc_shp_field(&w, "NAME", FTString, 40, 0) ||
            gc_shp_field(&w, "DISTRICT", FTString, 20, 0) || gc_shp_field(&w, "DIST_CODE", FTString, 6, 0) ||
            gc_shp_field(&w, "AREA_KM2", FTDouble, 12, 4)) {
            gc_shp_close(&w);
            goto done;
        }
        for (int k = 0; k < c->nsubs; k++) {
            const gc_sub *s = ord[k];
            int rec = gc_shp_write(&w, SHPT_POLYGON, &s->ring, 1);
            if (rec < 0 || gc_shp_str(&w, rec, 0, s->code) || gc_shp_str(&w, rec, 1, s->name) ||
                gc_shp_str(&w, rec, 2, c->p.dists[s->district].name) ||
                gc_shp_str(&w, rec, 3, c->p.dists[s->district].code) ||
                gc_shp_dbl(&w, rec, 4, round(s->area_m2 / 1e6 * 1e4) / 1e4)) {
                gc_shp_close(&w);
                goto done;
            }
        }
        gc_shp_close(&w);
        double tot = 0;
        for (int k = 0; k < c->nsubs; k++)
            tot += c->subs[k].area_m2;
        gc_out_note(o, "%s.shp: %d sub-district polygons (%s), %.1f km2", names[f], c->nsubs,
                    f == 0   ? "GBK, .cpg"
                    : f == 1 ? "GBK, LDID 0x4D, no .cpg"
                             : "UTF-8",
                    tot / 1e6);
    }
    rc = 0;
done:
    free(ord);
    return rc;
}

int gc_write_population(gc_city *c, gc_out *o)
{
    FILE *f = gc_out_fopen(o, "population.asc");
    if (!f) return -1;
    fprintf(f, "ncols %d\nnrows %d\nxllcorner %.1f\nyllcorner %.1f\ncellsize 100\nNODATA_value %d\n",
            c->ncols, c->nrows, c->ox, c->oy, GC_NODATA);
    char *line = malloc((size_t)c->ncols * 12 + 2);
    if (!line) {
        fclose(f);
        gc_err("out of memory");
        return -1;
    }
    for (int row = c->nrows - 1; row >= 0; row--) {
        char *p = line;
        for (int col = 0; col < c->ncols; col++) {
            int v = c->pop[(size_t)row * (size_t)c->ncols + (size_t)col];
            p += sprintf(p, col ? " %d" : "%d", v);
        }
        *p++ = '\n';
        fwrite(line, 1, (size_t)(p - line), f);
    }
    free(line);
    if (ferror(f) | (fclose(f) != 0)) {
        gc_err("population.asc: write failed");
        return -1;
    }
    if (gc_out_write_text(o, "population.prj", GC_PRJ_GK) != 0) return -1;
    gc_out_note(o, "population.asc: %d x %d cells of 100 m, total population %lld, %lld NODATA cells",
                c->ncols, c->nrows, c->pop_total, c->nodata_cells);
    return 0;
}

int gc_write_census(gc_city *c, gc_out *o)
{
    gc_shp w;
    gc_rng rng;
    gc_rng_seed(&rng, c->seed, 505);
    if (gc_shp_open(&w, o, "census", SHPT_POLYGON, "UTF-8", c->ox, c->oy) != 0) return -1;
    int rc = -1;
    int *counter = calloc((size_t)c->nsubs, sizeof *counter);
    gc_line ring = {0};
    if (!counter) {
        gc_err("out of memory");
        goto done;
    }
    if (gc_shp_field(&w, "BLOCK_ID", FTInteger, 9, 0) || gc_shp_field(&w, "NAME", FTString, 80, 0) ||
        gc_shp_field(&w, "STREET", FTString, 12, 0) || gc_shp_field(&w, "POP", FTInteger, 10, 0))
        goto done;
    long long total = 0, nblocks = 0;
    for (int col0 = 0; col0 < c->ncols;) {
        int cw = gc_rng_int(&rng, 2, 3);
        if (col0 + cw > c->ncols || c->ncols - (col0 + cw) == 1)
            cw = c->ncols - col0 <= 3 ? c->ncols - col0 : 2;
        for (int row0 = 0; row0 < c->nrows;) {
            int rh = gc_rng_int(&rng, 2, 3);
            if (row0 + rh > c->nrows || c->nrows - (row0 + rh) == 1)
                rh = c->nrows - row0 <= 3 ? c->nrows - row0 : 2;
            long long pop = 0;
            for (int r = row0; r < row0 + rh; r++)
                for (int q = col0; q < col0 + cw; q++) {
                    int v = c->pop[(size_t)r * (size_t)c->ncols + (size_t)q];
                    if (v > 0) pop += v;
                }
            if (pop > 0) {
                double x0 = col0 * 100.0, y0 = row0 * 100.0, x1 = (col0 + cw) * 100.0,
                       y1 = (row0 + rh) * 100.0;
                if (rect_ring(&ring, x0, y0, x1, y1) != 0) goto done;
                int s = find_sub(c, (x0 + x1) / 2, (y0 + y1) / 2);
                if (s < 0) s = c->cellsub[(size_t)row0 * (size_t)c->ncols + (size_t)col0];
                char name[128];
                const char *code = "";
                if (s >= 0 && s != GC_NONE_SUB) {
                    snprintf(name, sizeof name, "%s第%03d普查小区", c->subs[s].name, ++counter[s]);
                    code = c->subs[s].code;
                } else {
                    snprintf(name, sizeof name, "普查小区%lld", nblocks + 1);
                }
                int rec = gc_shp_write(&w, SHPT_POLYGON, &ring, 1);
                if (rec < 0 || gc_shp_int(&w, rec, 0, nblocks + 1) || gc_shp_str(&w, rec, 1, name) ||
                    gc_shp_str(&w, rec, 2, code) || gc_shp_int(&w, rec, 3, pop))
                    goto done;
                nblocks++;
                total += pop;
            }
            row0 += rh;
        }
        col0 += cw;
    }
    if (total != c->pop_total) {
        gc_err("internal: census total %lld != grid total %lld", total, c->pop_total);
        goto done;
    }
    c->census_blocks = nblocks;
    gc_out_note(o, "census.shp: %lld census blocks of 4-9 grid cells, total population %lld", nblocks, total);
    rc = 0;
done:
    gc_shp_close(&w);
    gc_line_free(&ring);
    free(counter);
    return rc;
}

static json_object *coord_array(const gc_city *c, const gc_line *r, bool reverse)
{
    json_object *a = json_object_new_array();
    for (size_t k = 0; k < r->n; k++) {
        const gc_pt *p = &r->v[reverse ? r->n - 1 - k : k];
        double lon, lat;
        if (gc_to_wgs84(c, p->x, p->y, &lon, &lat) != 0) {
            json_object_put(a);
            return NULL;
        }
        char bx[32], by[32];
        snprintf(bx, sizeof bx, "%.7f", lon);
        snprintf(by, sizeof by, "%.7f", lat);
        json_object *pt = json_object_new_array();
        json_object_array_add(pt, json_object_new_double_s(lon, bx));
        json_object_array_add(pt, json_object_new_double_s(lat, by));
        json_object_array_add(a, pt);
    }
    return a;
}

int gc_write_parks(gc_city *c, gc_out *o)
{
    FILE *f = gc_out_fopen(o, "parks.geojson");
    if (!f) return -1;
    int rc = -1;
    fputs("{\n\"type\": \"FeatureCollection\",\n\"name\": \"parks\",\n\"features\": [\n", f);
    for (size_t k = 0; k < c->nparks; k++) {
        const gc_park *pk = &c->parks[k];
        json_object *feat = json_object_new_object(), *props = json_object_new_object();
        json_object *geom = json_object_new_object(), *rings = json_object_new_array();
        json_object_object_add(feat, "type", json_object_new_string("Feature"));
        json_object_object_add(props, "id", json_object_new_int((int)k + 1));
        json_object_object_add(props, "name", json_object_new_string(pk->name));
        json_object_object_add(props, "kind", json_object_new_string(pk->kind));
        char ha[32];
        snprintf(ha, sizeof ha, "%.2f", pk->area_ha);
        json_object_object_add(props, "area_ha", json_object_new_double_s(atof(ha), ha));
        json_object_object_add(feat, "properties", props);
        json_object_object_add(geom, "type", json_object_new_string("Polygon"));
        /* RFC 7946: exterior counter-clockwise (ours is clockwise), holes clockwise (ours is) */
        json_object *outer = coord_array(c, &pk->outer, true);
        json_object *hole = pk->hole.n ? coord_array(c, &pk->hole, false) : NULL;
        if (!outer || (pk->hole.n && !hole)) {
            json_object_put(feat);
            json_object_put(geom);
            json_object_put(rings);
            json_object_put(outer);
            goto done;
        }
        json_object_array_add(rings, outer);
        if (hole) json_object_array_add(rings, hole);
        json_object_object_add(geom, "coordinates", rings);
        json_object_object_add(feat, "geometry", geom);
        fputs(json_object_to_json_string_ext(feat, JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE),
              f);
        fputs(k + 1 < c->nparks ? ",\n" : "\n", f);
        json_object_put(feat);
    }
    fputs("]\n}\n", f);
    rc = 0;
done:
    if ((ferror(f) | (fclose(f) != 0)) && rc == 0) {
        gc_err("parks.geojson: write failed");
        rc = -1;
    }
    if (rc == 0)
        gc_out_note(
            o, "parks.geojson: %zu parks (%d > 10 ha, %d 1-10 ha, %d 0.2-1 ha, %d < 0.2 ha; %d with a lake)",
            c->nparks, c->parks_by_size[0], c->parks_by_size[1], c->parks_by_size[2], c->parks_by_size[3],
            c->parks_with_holes);
    return rc;
}

int gc_write_stations(gc_city *c, gc_out *o)
{
    gc_shp w;
    if (gc_shp_open(&w, o, "stations", SHPT_POINT, "UTF-8", c->ox, c->oy) != 0) return -1;
    int rc = -1;
    FILE *f = NULL;
    if (gc_shp_field(&w, "ID", FTInteger, 6, 0) || gc_shp_field(&w, "NAME", FTString, 60, 0) ||
        gc_shp_field(&w, "AMBULANCES", FTInteger, 3, 0) || gc_shp_field(&w, "TURNOUT_S", FTInteger, 4, 0) ||
        gc_shp_field(&w, "TYPE", FTString, 10, 0))
        goto done;
    f = gc_out_fopen(o, "stations.csv");
    if (!f) goto done;
    fputs("id,name,lon,lat,ambulances,turnout_s\n", f);
    int total_amb = 0;
    for (int q = 0; q < c->nstations; q++) {
        const gc_station *st = &c->stations[q];
        int rec = gc_shp_point(&w, st->x, st->y);
        if (rec < 0 || gc_shp_int(&w, rec, 0, st->id) || gc_shp_str(&w, rec, 1, st->name) ||
            gc_shp_int(&w, rec, 2, st->ambulances) || gc_shp_int(&w, rec, 3, st->turnout_s) ||
            gc_shp_str(&w, rec, 4, st->type))
            goto done;
        double lon, lat;
        if (gc_to_wgs84(c, st->x, st->y, &lon, &lat) != 0) goto done;
        fprintf(f, "%d,%s,%.6f,%.6f,%d,%d\n", st->id, st->name, lon, lat, st->ambulances, st->turnout_s);
        total_amb += st->ambulances;
    }
    int empty = 0;
    for (int k = 0; k < c->nsubs; k++)
        empty += c->subs[k].nstations == 0;
    gc_out_note(o, "stations.shp: %d stations, %d ambulances; %d sub-districts without a station",
                c->nstations, total_amb, empty);
    gc_out_note(o, "stations.csv: %d stations as WGS84 lon,lat", c->nstations);
    rc = 0;
done:
    gc_shp_close(&w);
    if (f && (ferror(f) | (fclose(f) != 0)) && rc == 0) {
        gc_err("stations.csv: write failed");
        rc = -1;
    }
    return rc;
}

int gc_write_residential(gc_city *c, gc_out *o)
{
    gc_shp w;
    if (gc_shp_open(&w, o, "residential", SHPT_POLYGON, "UTF-8", c->ox, c->oy) != 0) return -1;
    int rc = -1;
    gc_line ring = {0};
    static const char *const kinds[] = {"小区", "家园", "花园", "里", "苑", "新村", "公寓", "嘉园"};
    if (gc_shp_field(&w, "RES_ID", FTInteger, 9, 0) || gc_shp_field(&w, "NAME", FTString, 60, 0) ||
        gc_shp_field(&w, "LAND_USE", FTString, 4, 0))
        goto done;
    long long n = 0;
    int ncy = c->rny - 1;
    for (int i = 0; i < c->rnx - 1; i++)
        for (int j = 0; j < ncy; j++) {
            if (c->cellflag[(size_t)i * (size_t)ncy + (size_t)j] & (GC_CELL_PARK | GC_CELL_SMALLPARK))
                continue;
            gc_pt a = gc_node(c, i, j), b = gc_node(c, i + 1, j + 1);
            double mx = (a.x + b.x) / 2, my = (a.y + b.y) / 2;
            int dens = gc_grid_value(c, mx, my);
            double u = gc_hash_unit(c->seed, (uint64_t)i, (uint64_t)j, 0x7265);
            const char *lu;
            if (dens >= 40)
                lu = u < 0.78 ? (u < 0.04 ? "R1" : u < 0.72 ? "R2" : "R3") : NULL;
            else if (dens >= 8)
                lu = u < 0.6 ? (u < 0.1 ? "R1" : "R2") : NULL;
            else if (dens >= 2)
                lu = u < 0.3 ? "R3" : NULL;
            else
                lu = NULL;
            if (!lu) continue;
            bool wet = false;
            for (int k = 0; k < 4 && !wet; k++) {
                gc_pt p = gc_node(c, i + (k & 1), j + (k >> 1));
                wet = gc_in_river_zone(c, p.x, p.y, 30.0);
            }
            if (wet || gc_in_river_zone(c, mx, my, 30.0)) continue;
            if (lattice_quad(c, i, j, 16.0, &ring) != 0) goto done;
            n++;
            if (n == 10) {
                /* deliberate defect: a bow-tie (vertices 1 and 2 swapped) */
                gc_pt t = ring.v[1];
                ring.v[1] = ring.v[2];
                ring.v[2] = t;
                c->res_bowtie_id = n;
            } else if (n == 20) {
                /* deliberate defect: counter-clockwise outer ring */
                gc_line_reverse(&ring);
                c->res_ccw_id = n;
            }
            char stem[32], name[64];
            gc_name_make(c->seed ^ 0x726573ULL, (uint64_t)i, (uint64_t)j, stem, sizeof stem);
            snprintf(name, sizeof name, "%s%s", stem,
                     kinds[gc_hash4(c->seed, (uint64_t)i, (uint64_t)j, 3) % 8]);
            int rec = gc_shp_write(&w, SHPT_POLYGON, &ring, 1);
            if (rec < 0 || gc_shp_int(&w, rec, 0, n) || gc_shp_str(&w, rec, 1, name) ||
                gc_shp_str(&w, rec, 2, lu))
                goto done;
        }
    c->res_polys = n;
    gc_out_note(
        o,
        "residential.shp: %lld residential blocks (RES_ID %lld is a bow-tie, RES_ID %lld counter-clockwise)",
        n, c->res_bowtie_id, c->res_ccw_id);
    rc = 0;
done:
    gc_shp_close(&w);
    gc_line_free(&ring);
    return rc;
}
