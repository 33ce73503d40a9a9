/* tools/gencity/gc_roads.c: the road lattice and roads.shp.
 *
 * The network is a warped, jittered lattice: vertical and horizontal lattice lines (about 150-250 m apart,
 * denser in the centre) whose crossings are the nodes; node (i,j) is computed once from (i,j), so every
 * record that meets there has the same coordinates. Each lattice line has a class by its index (every 9th
 * from the central line 主干路, every 3rd 次干路, others 支路); ring expressways (快速路) run on lattice
 * lines around the centre and radials continue the central lines outwards. An edge between two nodes exists
 * by rules on class and population density (local streets sparse in rural areas, none inside big parks or
 * across the river; only 次干路 and above bridge it). Records are chains of edges through nodes of degree 2
 * on the same line with the same attributes, so each record runs junction to junction. A river-following
 * road (many vertices) is split where the bridges cross it. Deliberate defects: one 2x3-node island of
 * local streets cut off from everything, one zero-length record and one exact duplicate record.
 *
 * ONEWAY follows the Chinese/ESRI navigation-data convention: 'B' both directions, 'F' one-way in the
 * digitised direction (first vertex to last), 'T' one-way against it. Vertical records are digitised south
 * to north, horizontal ones west to east. SPEED 0 means "use the class default"; a few roads carry a
 * posted speed in km/h. */
#include "gencity.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *const gc_class_name[GC_NCLASS] = {"快速路", "主干路", "次干路", "支路"};

static const char *const ring_names[] = {"二环路", "三环路", "四环路", "五环路",
                                         "六环路", "七环路", "八环路", "九环路"};
static const double ring_half_km[][2] = {{2.9, 2.6}, {5.3, 4.9}, {8.3, 7.7}, {13.5, 12.5}, {25.0, 23.0}};

#define RIVER_STEP 25.0
#define ZONE_BELOW 45.0
#define ZONE_ABOVE 40.0
#define RIVER_ROAD_NAME "凉水河北滨河路"

/* ---- lattice ----------------------------------------------------------------------------------------- */

static double spacing(const gc_city *c, double d_m)
{
    double t = (fabs(d_m) / 1000.0 / c->scale - c->p.road_rin) / (c->p.road_rout - c->p.road_rin);
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    t = t * t * (3 - 2 * t);
    return c->p.road_sc + (c->p.road_so - c->p.road_sc) * t;
}

static int make_lines(const gc_city *c, double L, double centre, uint64_t stream, double **out, int *n)
{
    gc_rng rng;
    gc_rng_seed(&rng, c->seed, stream);
    size_t cap = (size_t)(L / c->p.road_sc * 1.2) + 8;
    double *v = malloc(cap * sizeof *v);
    if (!v) {
        gc_err("out of memory");
        return -1;
    }
    int k = 0;
    double x = 0.5 * c->p.road_sc;
    while (x < L - 0.5 * c->p.road_sc && (size_t)k < cap) {
        v[k++] = gc_mm(x);
        x += spacing(c, x - centre) * (0.9 + 0.2 * gc_rng_unit(&rng));
    }
    *out = v;
    *n = k;
    return 0;
}

static int nearest_line(const double *v, int n, double x, int ref, int mod)
{
    int best = -1;
    for (int k = 0; k < n; k++) {
        if (mod > 1 && ((k - ref) % mod + mod) % mod != 0) continue;
        if (best < 0 || fabs(v[k] - x) < fabs(v[best] - x)) best = k;
    }
    return best;
}

bool gc_in_river_zone(const gc_city *c, double x, double y, double margin)
{
    double ry = gc_river_y(c, x);
    return y > ry - ZONE_BELOW - margin && y < ry + c->river_off + ZONE_ABOVE + margin;
}

int gc_build_lattice(gc_city *c)
{
    if (make_lines(c, c->W, c->cx, 601, &c->rX, &c->rnx) || make_lines(c, c->H, c->cy, 602, &c->rY, &c->rny))
        return -1;
    if (c->rnx < 8 || c->rny < 8) {
        gc_err("--scale %.3g leaves too few streets (%d x %d lattice lines)", c->scale, c->rnx, c->rny);
        return -1;
    }
    c->ic = nearest_line(c->rX, c->rnx, c->cx, 0, 1);
    c->jc = nearest_line(c->rY, c->rny, c->cy, 0, 1);
    c->nrings = 0;
    for (int r = 0; r < c->p.nrings && r < 5; r++) {
        double hx = ring_half_km[r][0] * 1000 * c->scale, hy = ring_half_km[r][1] * 1000 * c->scale;
        int w = nearest_line(c->rX, c->rnx, c->cx - hx, c->ic, 3),
            e = nearest_line(c->rX, c->rnx, c->cx + hx, c->ic, 3);
        int s = nearest_line(c->rY, c->rny, c->cy - hy, c->jc, 3),
            n = nearest_line(c->rY, c->rny, c->cy + hy, c->jc, 3);
        if (w < 3 || s < 3 || e > c->rnx - 4 || n > c->rny - 4 || c->cx - hx < 0 || c->cx + hx > c->W ||
            c->cy - hy < 0 || c->cy + hy > c->H)
            break;
        if (r > 0 && (w >= c->ring_w[r - 1] || s >= c->ring_s[r - 1])) break;
        c->ring_w[r] = w;
        c->ring_e[r] = e;
        c->ring_s[r] = s;
        c->ring_n[r] = n;
        c->nrings = r + 1;
    }
    /* the river runs west-east between the south sides of the first two rings (or south of the centre) */
    gc_rng rng;
    gc_rng_seed(&rng, c->seed, 603);
    double gap;
    if (c->nrings >= 2) {
        double y2 = c->rY[c->ring_s[0]], y3 = c->rY[c->ring_s[1]];
        c->river_y0 = (y2 + y3) / 2;
        gap = (y2 - y3) / 2;
    } else {
        c->river_y0 = c->cy - 0.3 * c->H / 2;
        gap = 0.15 * c->H / 2;
    }
    c->river_off = 70.0;
    /* centre the zone (river .. road + margins) between the two lines; keep the meanders inside */
    double half = (ZONE_BELOW + c->river_off + ZONE_ABOVE) / 2;
    c->river_y0 = gc_mm(c->river_y0 - (c->river_off + ZONE_ABOVE - ZONE_BELOW) / 2);
    double room = gap - half - 60.0;
    c->river_a1 = fmax(0.0, fmin(220.0, 0.75 * room));
    c->river_a2 = fmax(0.0, fmin(70.0, 0.25 * room));
    c->river_l1 = 4500.0;
    c->river_l2 = 1300.0;
    c->river_p1 = 2 * GC_PI * gc_rng_unit(&rng);
    c->river_p2 = 2 * GC_PI * gc_rng_unit(&rng);
    c->cellflag = calloc((size_t)(c->rnx - 1) * (size_t)(c->rny - 1), 1);
    if (!c->cellflag) {
        gc_err("out of memory");
        return -1;
    }
    return 0;
}

gc_pt gc_node(const gc_city *c, int i, int j)
{
    double sx = i > 0 && i < c->rnx - 1 ? fmin(c->rX[i] - c->rX[i - 1], c->rX[i + 1] - c->rX[i]) : 150.0;
    double sy = j > 0 && j < c->rny - 1 ? fmin(c->rY[j] - c->rY[j - 1], c->rY[j + 1] - c->rY[j]) : 150.0;
    gc_pt p;
    p.x = gc_mm(c->rX[i] + 0.1 * sx * gc_noise1(c->seed ^ 0x1111ULL, (uint64_t)i, c->rY[j], 1200.0));
    p.y = gc_mm(c->rY[j] + 0.1 * sy * gc_noise1(c->seed ^ 0x2222ULL, (uint64_t)j, c->rX[i], 1200.0));
    return p;
}

/* ---- edges ------------------------------------------------------------------------------------------- */

typedef struct rattr {
    int cls;
    char name[48];
    char oneway;
    int speed;
    int lanes;
} rattr;

enum { NF_E = 1, NF_N = 2, NF_ISLAND = 4 };

typedef struct roads {
    gc_city *c;
    uint8_t *nf; /* per node: NF_* */
    gc_shp w;
    long long nrec;
    gc_pt *ends;
    size_t nends, capends;
    gc_pt *verts;
    size_t nverts, capverts;
    gc_pt *cross; /* river-road crossings */
    size_t ncross, capcross;
    bool zero_done, dup_done, cur_island;
    long long island_records;
    gc_line last_local; /* a copy of the last local-street record, for the defects of a tiny city */
    rattr last_local_attr;
    long long last_local_id;
} roads;

static uint8_t *nflag(roads *R, int i, int j)
{
    return &R->nf[(size_t)i * (size_t)R->c->rny + (size_t)j];
}

static bool in_island(const gc_city *c, int i, int j)
{
    return c->island_i >= 0 && i >= c->island_i && i <= c->island_i + 1 && j >= c->island_j &&
           j <= c->island_j + 2;
}

/* Class of the edge from node (i,j) east (vertical = false) or north (vertical = true); *ring gets the
 * ring index, 10+k for radials, -1 otherwise. */
static int edge_class(const gc_city *c, int i, int j, bool vertical, int *ring)
{
    *ring = -1;
    int line = vertical ? i : j, along = vertical ? j : i, ref = vertical ? c->ic : c->jc;
    for (int r = 0; r < c->nrings; r++) {
        int a = vertical ? c->ring_w[r] : c->ring_s[r], b = vertical ? c->ring_e[r] : c->ring_n[r];
        int lo = vertical ? c->ring_s[r] : c->ring_w[r], hi = vertical ? c->ring_n[r] : c->ring_e[r];
        if ((line == a || line == b) && along >= lo && along < hi) {
            *ring = r;
            return GC_EXPRESS;
        }
    }
    if (c->nrings > 0 && line == ref) {
        int R = c->nrings - 1;
        int lo = vertical ? c->ring_s[R] : c->ring_w[R], hi = vertical ? c->ring_n[R] : c->ring_e[R];
        if (along < lo || along >= hi) {
            *ring = 10 + (vertical ? 0 : 2) + (along >= hi);
            return GC_EXPRESS;
        }
    }
    int d = line - ref;
    d = d < 0 ? -d : d;
    return d % 9 == 0 ? GC_ARTERIAL : d % 3 == 0 ? GC_COLLECTOR : GC_LOCAL;
}

static int edge_density(const gc_city *c, gc_pt a, gc_pt b)
{
    int d = gc_grid_value(c, (a.x + b.x) / 2, (a.y + b.y) / 2);
    int da = gc_grid_value(c, a.x, a.y), db = gc_grid_value(c, b.x, b.y);
    return d > da ? (d > db ? d : db) : (da > db ? da : db);
}

static void edge_attr(const gc_city *c, int i, int j, bool vertical, rattr *at)
{
    int ring;
    memset(at, 0, sizeof *at);
    at->cls = edge_class(c, i, j, vertical, &ring);
    at->oneway = 'B';
    int line = vertical ? i : j;
    double pos = vertical ? c->rY[j] : c->rX[i];
    uint64_t sec = (uint64_t)(pos / 3000.0);
    uint64_t h = gc_hash4(c->seed ^ 0x726f6164ULL, (uint64_t)line * 2 + vertical, sec, 1);
    double u = (double)(h >> 11) * 0x1.0p-53;
    if (in_island(c, i, j)) {
        at->cls = GC_LOCAL;
        char stem[32];
        gc_name_make(c->seed ^ 0x69736cULL, 1, 2, stem, sizeof stem);
        snprintf(at->name, sizeof at->name, "%s村路", stem);
        at->lanes = 1;
        return;
    }
    if (ring >= 0 && ring < 10) {
        snprintf(at->name, sizeof at->name, "%s", ring_names[ring]);
        at->lanes = ring < 2 ? 6 : 8;
        at->speed = ring == 0 ? 60 : (u < 0.3 ? 80 : 0);
        return;
    }
    if (ring >= 10) {
        static const char *const radial[] = {"京开高速", "京藏高速", "阜石路", "京通快速路"};
        snprintf(at->name, sizeof at->name, "%s", radial[ring - 10]);
        at->lanes = 6;
        at->speed = ring == 11 ? 100 : 0;
        return;
    }
    gc_pt a = gc_node(c, i, j), b = vertical ? gc_node(c, i, j + 1) : gc_node(c, i + 1, j);
    double rc = hypot((a.x + b.x) / 2 - c->cx, (a.y + b.y) / 2 - c->cy);
    char stem[32];
    gc_name_make(c->seed ^ 0x6e6d6cULL, (uint64_t)line * 2 + vertical, sec, stem, sizeof stem);
    switch (at->cls) {
    case GC_ARTERIAL:
        if (!vertical && j == c->jc && c->nrings > 0 && i >= c->ring_w[c->nrings - 1] &&
            i < c->ring_e[c->nrings - 1])
            snprintf(at->name, sizeof at->name, "长安街");
        else
            snprintf(at->name, sizeof at->name, "%s%s", stem, (h >> 20) & 1 ? "大街" : "路");
        at->lanes = (h >> 21) & 1 ? 6 : 4;
        at->speed = u < 0.1 ? 60 : 0;
        break;
    case GC_COLLECTOR:
        snprintf(at->name, sizeof at->name, "%s%s", stem, (h >> 20) & 1 ? "街" : "路");
        at->lanes = (h >> 21) & 1 ? 4 : 2;
        break;
    default: {
        int dens = edge_density(c, a, b);
        if ((h >> 24) % 4 == 0)
            at->name[0] = '\0'; /* unnamed, as many small streets are */
        else
            snprintf(at->name, sizeof at->name, "%s%s", stem,
                     rc < 4000.0 * c->scale ? "胡同"
                     : (h >> 20) & 1        ? "巷"
                                            : "街");
        at->lanes = 2;
        if (dens >= 40 && u < 0.12) {
            at->oneway = (line & 1) ? 'T' : 'F';
            at->lanes = 1;
        }
        at->speed = u > 0.98 ? 30 : 0;
    }
    }
}

/* The polyline of an edge, both endpoints included. */
static int edge_geom(const gc_city *c, int i, int j, bool vertical, int cls, gc_line *out)
{
    gc_pt a = gc_node(c, i, j), b = vertical ? gc_node(c, i, j + 1) : gc_node(c, i + 1, j);
    out->n = 0;
    if (gc_line_push(out, a.x, a.y) != 0) return -1;
    int dens = edge_density(c, a, b);
    uint64_t h = gc_hash4(c->seed ^ 0x62656e64ULL, (uint64_t)i, (uint64_t)j, vertical);
    double u = (double)(h >> 11) * 0x1.0p-53;
    int k = 0;
    double amp = 0.03;
    if (cls == GC_COLLECTOR)
        k = u < 0.3;
    else if (cls == GC_LOCAL) {
        if (dens >= 20) {
            k = u < 0.3;
        } else {
            k = (int)(u * 2.0 * c->p.rural_bends + 0.5);
            amp = 0.09;
        }
    }
    double dx = b.x - a.x, dy = b.y - a.y, len = hypot(dx, dy);
    for (int q = 1; q <= k; q++) {
        double t = (double)q / (k + 1);
        double off = amp * len * sin(GC_PI * t) * (2 * gc_hash_unit(h, (uint64_t)q, 0, 0) - 1);
        if (gc_line_push(out, gc_mm(a.x + dx * t - dy / len * off), gc_mm(a.y + dy * t + dx / len * off)) !=
            0)
            return -1;
    }
    return gc_line_push(out, b.x, b.y);
}

/* -1 below the river zone, 0 inside, 1 above */
static int zone_side(const gc_city *c, double x, double y)
{
    double ry = gc_river_y(c, x);
    return y <= ry - ZONE_BELOW ? -1 : y >= ry + c->river_off + ZONE_ABOVE ? 1 : 0;
}

static bool geom_hits_zone(const gc_city *c, const gc_line *g)
{
    bool below = false, above = false;
    for (size_t k = 0; k + 1 < g->n; k++)
        for (int s = 0; s <= 8; s++) {
            double t = s / 8.0;
            int z = zone_side(c, g->v[k].x + (g->v[k + 1].x - g->v[k].x) * t,
                              g->v[k].y + (g->v[k + 1].y - g->v[k].y) * t);
            if (z == 0) return true;
            below |= z < 0;
            above |= z > 0;
        }
    return below && above;
}

static bool edge_present(const gc_city *c, int i, int j, bool vertical, const rattr *at, const gc_line *g)
{
    int i2 = vertical ? i : i + 1, j2 = vertical ? j + 1 : j;
    bool ia = in_island(c, i, j), ib = in_island(c, i2, j2);
    if (ia != ib) return false;
    if (ia) return true;
    int ncy = c->rny - 1;
    /* interior edges of a big park: both cells beside the edge belong to it */
    int c1i = vertical ? i - 1 : i, c1j = vertical ? j : j - 1;
    if (c1i >= 0 && c1j >= 0 && i < c->rnx - 1 && j < c->rny - 1 && at->cls >= GC_COLLECTOR) {
        uint8_t f1 = c->cellflag[(size_t)c1i * (size_t)ncy + (size_t)c1j];
        uint8_t f2 = c->cellflag[(size_t)i * (size_t)ncy + (size_t)j];
        if ((f1 & GC_CELL_BIGPARK_IN) && (f2 & GC_CELL_BIGPARK_IN)) return false;
    }
    if (geom_hits_zone(c, g)) {
        if (!vertical || at->cls > GC_COLLECTOR) return false;
    }
    if (at->cls <= GC_ARTERIAL) return true;
    gc_pt a = g->v[0], b = g->v[g->n - 1];
    int d = edge_density(c, a, b);
    double u = gc_hash_unit(c->seed ^ 0x70726573ULL, (uint64_t)i, (uint64_t)j, vertical);
    if (at->cls == GC_COLLECTOR) return d >= 3 || u < 0.7;
    double p = d >= 60 ? 0.95 : d >= 20 ? 0.85 : d >= 5 ? 0.5 : d >= 1 ? 0.22 : 0.1;
    return u < p;
}

/* ---- island ------------------------------------------------------------------------------------------ */

/* The island: a 2x3-node patch of local streets in the least dense populated place found among random
 * candidates (suburban if there is one), away from the river, parks and the bigger roads. */
static void choose_island(gc_city *c)
{
    gc_rng rng;
    gc_rng_seed(&rng, c->seed, 604);
    c->island_i = c->island_j = -1;
    int ncy = c->rny - 1, best = -1;
    for (int t = 0; t < 20000; t++) {
        int i0 = gc_rng_int(&rng, 3, c->rnx - 6), j0 = gc_rng_int(&rng, 3, c->rny - 7);
        int d = i0 - c->ic;
        if (((d % 3) + 3) % 3 != 1) continue; /* lines i0 and i0+1 are local streets */
        bool ok = true;
        int dmin = 1 << 30, dmax = 0;
        for (int i = i0 - 1; i <= i0 + 2 && ok; i++)
            for (int j = j0 - 1; j <= j0 + 3 && ok; j++) {
                int ring;
                gc_pt p = gc_node(c, i, j);
                int dens = gc_grid_value(c, p.x, p.y);
                dmin = dens < dmin ? dens : dmin;
                dmax = dens > dmax ? dens : dmax;
                if (gc_in_river_zone(c, p.x, p.y, 200.0) ||
                    edge_class(c, i, j, false, &ring) <= GC_ARTERIAL ||
                    edge_class(c, i, j, true, &ring) <= GC_ARTERIAL)
                    ok = false;
                if (i < c->rnx - 1 && j < ncy && c->cellflag[(size_t)i * (size_t)ncy + (size_t)j]) ok = false;
            }
        if (!ok || dmin < 3) continue;
        if (best < 0 || dmax < best) {
            best = dmax;
            c->island_i = i0;
            c->island_j = j0;
            if (dmax <= 45) return;
        }
    }
}

static int uf_find(int *p, int a)
{
    while (p[a] != a) {
        p[a] = p[p[a]];
        a = p[a];
    }
    return a;
}

/* Drops every edge that is not in the largest connected part of the lattice (random thinning of rural
 * streets leaves a few stray pieces), except the deliberate island. */
static int keep_main_component(roads *R)
{
    gc_city *c = R->c;
    size_t n = (size_t)c->rnx * (size_t)c->rny;
    int *p = malloc(n * sizeof *p), *size = calloc(n, sizeof *size);
    if (!p || !size) {
        free(p);
        free(size);
        gc_err("out of memory");
        return -1;
    }
    for (size_t k = 0; k < n; k++)
        p[k] = (int)k;
    for (int i = 0; i < c->rnx; i++)
        for (int j = 0; j < c->rny; j++) {
            int a = i * c->rny + j;
            if (*nflag(R, i, j) & NF_E) {
                int ra = uf_find(p, a), rb = uf_find(p, a + c->rny);
                p[ra] = rb;
            }
            if (*nflag(R, i, j) & NF_N) {
                int ra = uf_find(p, a), rb = uf_find(p, a + 1);
                p[ra] = rb;
            }
        }
    int best = 0;
    for (size_t k = 0; k < n; k++) {
        int r = uf_find(p, (int)k);
        if (++size[r] > size[best]) best = r;
    }
    for (int i = 0; i < c->rnx; i++)
        for (int j = 0; j < c->rny; j++)
            if (!in_island(c, i, j) && uf_find(p, i * c->rny + j) != best)
                *nflag(R, i, j) &= (uint8_t) ~(NF_E | NF_N);
    free(p);
    free(size);
    return 0;
}

/* ---- emission ---------------------------------------------------------------------------------------- */

static int push_pt(gc_pt **v, size_t *n, size_t *cap, gc_pt p)
{
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 4096;
        gc_pt *nv = realloc(*v, nc * sizeof *nv);
        if (!nv) {
            gc_err("out of memory");
            return -1;
        }
        *v = nv;
        *cap = nc;
    }
    (*v)[(*n)++] = p;
    return 0;
}

static int write_record(roads *R, const gc_line *g, const rattr *at)
{
    gc_shp *w = &R->w;
    int rec = gc_shp_write(w, SHPT_ARC, g, 1);
    if (rec < 0 || gc_shp_int(w, rec, 0, rec + 1) || gc_shp_str(w, rec, 1, at->name) ||
        gc_shp_str(w, rec, 2, gc_class_name[at->cls]) || gc_shp_str(w, rec, 3, (char[]){at->oneway, 0}) ||
        gc_shp_int(w, rec, 4, at->speed) || gc_shp_int(w, rec, 5, at->lanes))
        return -1;
    R->nrec = rec + 1;
    return rec;
}

/* The deliberate defects: a zero-length record at the start of g, or an exact duplicate of g. */
static int bad_records(roads *R, const gc_line *g, const rattr *at, bool zero)
{
    int rec;
    if (zero) {
        gc_line z = {0};
        if (gc_line_push(&z, g->v[0].x, g->v[0].y) || gc_line_push(&z, g->v[0].x, g->v[0].y)) return -1;
        rec = write_record(R, &z, at);
        gc_line_free(&z);
        R->c->road_bad_zero_id = rec + 1;
        R->zero_done = true;
    } else {
        R->c->road_bad_dup_of = R->last_local_id;
        rec = write_record(R, g, at);
        R->c->road_bad_dup_id = rec + 1;
        R->dup_done = true;
    }
    return rec < 0 ? -1 : 0;
}

static int emit(roads *R, const gc_line *g, const rattr *at)
{
    if (g->n < 2) return 0;
    if (write_record(R, g, at) < 0) return -1;
    if (push_pt(&R->ends, &R->nends, &R->capends, g->v[0]) ||
        push_pt(&R->ends, &R->nends, &R->capends, g->v[g->n - 1]))
        return -1;
    for (size_t k = 0; k < g->n; k++)
        if (push_pt(&R->verts, &R->nverts, &R->capverts, g->v[k])) return -1;
    if (at->oneway != 'B') R->c->road_oneway++;
    if (R->cur_island) {
        R->island_records++;
        return 0;
    }
    if (at->cls == GC_LOCAL) {
        R->last_local.n = 0;
        for (size_t k = 0; k < g->n; k++)
            if (gc_line_push(&R->last_local, g->v[k].x, g->v[k].y) != 0) return -1;
        R->last_local_attr = *at;
        R->last_local_id = R->nrec;
        if (!R->zero_done && R->nrec >= 100) return bad_records(R, g, at, true);
        if (!R->dup_done && R->nrec >= 200) return bad_records(R, g, at, false);
    }
    return 0;
}

/* river-road y at x: the polyline through (k*RIVER_STEP, y_k) */
static double rr_y(const gc_city *c, double x)
{
    double k = floor(x / RIVER_STEP);
    double x0 = k * RIVER_STEP, x1 = fmin((k + 1) * RIVER_STEP, c->W);
    if (x0 > c->W) x0 = c->W;
    double y0 = gc_mm(gc_river_y(c, x0) + c->river_off), y1 = gc_mm(gc_river_y(c, x1) + c->river_off);
    if (x1 <= x0) return y0;
    return y0 + (y1 - y0) * (x - x0) / (x1 - x0);
}

static double rr_side(const gc_city *c, gc_pt p)
{
    return p.y - rr_y(c, p.x);
}

/* Appends an edge's vertices to the open record, splitting it where it crosses the river road. */
static int append_edge(roads *R, gc_line *rec, const rattr *at, const gc_line *g, bool bridge)
{
    const gc_city *c = R->c;
    for (size_t k = 1; k < g->n; k++) {
        gc_pt p = g->v[k - 1], q = g->v[k];
        if (bridge && (rr_side(c, p) < 0) != (rr_side(c, q) < 0)) {
            double lo = 0, hi = 1;
            bool plo = rr_side(c, p) < 0;
            for (int it = 0; it < 60; it++) {
                double mid = (lo + hi) / 2;
                gc_pt m = {p.x + (q.x - p.x) * mid, p.y + (q.y - p.y) * mid};
                if ((rr_side(c, m) < 0) == plo)
                    lo = mid;
                else
                    hi = mid;
            }
            gc_pt P = {gc_mm(p.x + (q.x - p.x) * lo), gc_mm(p.y + (q.y - p.y) * lo)};
            if (hypot(P.x - p.x, P.y - p.y) < 3.0)
                P = p;
            else if (hypot(P.x - q.x, P.y - q.y) < 3.0)
                P = q;
            gc_pt last = rec->v[rec->n - 1];
            if (last.x != P.x || last.y != P.y)
                if (gc_line_push(rec, P.x, P.y) != 0) return -1;
            if (emit(R, rec, at) != 0) return -1;
            if (push_pt(&R->cross, &R->ncross, &R->capcross, P) != 0) return -1;
            rec->n = 0;
            gc_line_push(rec, P.x, P.y);
            if (P.x == q.x && P.y == q.y) continue;
        }
        if (gc_line_push(rec, q.x, q.y) != 0) return -1;
    }
    return 0;
}

static bool attr_eq(const rattr *a, const rattr *b)
{
    return a->cls == b->cls && a->oneway == b->oneway && a->speed == b->speed && a->lanes == b->lanes &&
           strcmp(a->name, b->name) == 0;
}

/* Walks one lattice line and writes its records. */
static int walk_line(roads *R, int line, bool vertical, gc_line *rec, gc_line *g)
{
    gc_city *c = R->c;
    int n = vertical ? c->rny : c->rnx;
    uint8_t bit = vertical ? NF_N : NF_E;
    rattr cur, nxt;
    bool open = false;
    for (int k = 0; k + 1 < n; k++) {
        int i = vertical ? line : k, j = vertical ? k : line;
        if (!(*nflag(R, i, j) & bit)) continue;
        edge_attr(c, i, j, vertical, &cur);
        R->cur_island = in_island(c, i, j);
        if (!open) {
            gc_pt a = gc_node(c, i, j);
            rec->n = 0;
            gc_line_push(rec, a.x, a.y);
            open = true;
        }
        if (edge_geom(c, i, j, vertical, cur.cls, g) != 0) return -1;
        bool bridge = vertical && geom_hits_zone(c, g);
        if (append_edge(R, rec, &cur, g, bridge) != 0) return -1;
        /* close the record at the next node unless it is a straight-through node of degree 2 */
        int ni = vertical ? i : i + 1, nj = vertical ? j + 1 : j;
        bool through = false;
        if (k + 2 < n && (*nflag(R, ni, nj) & bit)) {
            bool side = vertical ? ((*nflag(R, ni, nj) & NF_E) || (ni > 0 && (*nflag(R, ni - 1, nj) & NF_E)))
                                 : ((*nflag(R, ni, nj) & NF_N) || (nj > 0 && (*nflag(R, ni, nj - 1) & NF_N)));
            if (!side) {
                edge_attr(c, ni, nj, vertical, &nxt);
                through = attr_eq(&cur, &nxt);
            }
        }
        if (!through) {
            if (emit(R, rec, &cur) != 0) return -1;
            open = false;
        }
    }
    return 0;
}

static int cmp_pt(const void *a, const void *b)
{
    const gc_pt *p = a, *q = b;
    if (p->x != q->x) return p->x < q->x ? -1 : 1;
    if (p->y != q->y) return p->y < q->y ? -1 : 1;
    return 0;
}

static long long count_distinct(gc_pt *v, size_t n)
{
    if (n == 0) return 0;
    qsort(v, n, sizeof *v, cmp_pt);
    long long d = 1;
    for (size_t k = 1; k < n; k++)
        d += cmp_pt(&v[k - 1], &v[k]) != 0;
    return d;
}

static int river_road(roads *R, gc_line *rec)
{
    gc_city *c = R->c;
    rattr at;
    memset(&at, 0, sizeof at);
    at.cls = GC_COLLECTOR;
    snprintf(at.name, sizeof at.name, RIVER_ROAD_NAME);
    at.oneway = 'B';
    at.lanes = 2;
    qsort(R->cross, R->ncross, sizeof *R->cross, cmp_pt);
    size_t ci = 0;
    rec->n = 0;
    long long before = R->nrec;
    int nsteps = (int)ceil(c->W / RIVER_STEP);
    for (int k = 0; k <= nsteps; k++) {
        double x = fmin(k * RIVER_STEP, c->W);
        gc_pt v = {x, gc_mm(gc_river_y(c, x) + c->river_off)};
        /* crossings before this vertex split the record */
        while (ci < R->ncross && R->cross[ci].x <= v.x) {
            gc_pt P = R->cross[ci++];
            while (rec->n > 1 && hypot(rec->v[rec->n - 1].x - P.x, rec->v[rec->n - 1].y - P.y) < 3.0)
                rec->n--;
            if (rec->n == 1 && hypot(rec->v[0].x - P.x, rec->v[0].y - P.y) < 3.0) rec->n = 0;
            if (gc_line_push(rec, P.x, P.y) != 0 || emit(R, rec, &at) != 0) return -1;
            rec->n = 0;
            gc_line_push(rec, P.x, P.y);
        }
        if (rec->n && hypot(rec->v[rec->n - 1].x - v.x, rec->v[rec->n - 1].y - v.y) < 3.0) {
            if (k < nsteps) continue;
            if (rec->n > 1) rec->n--; /* the last vertex (x = W) wins over a crossing a metre before it */
        }
        if (gc_line_push(rec, v.x, v.y) != 0) return -1;
    }
    if (emit(R, rec, &at) != 0) return -1;
    c->road_river_records = R->nrec - before;
    return 0;
}

int gc_write_roads(gc_city *c, gc_out *o)
{
    roads R;
    memset(&R, 0, sizeof R);
    R.c = c;
    gc_line rec = {0}, g = {0};
    int rc = -1;
    choose_island(c);
    R.nf = calloc((size_t)c->rnx * (size_t)c->rny, 1);
    if (!R.nf) {
        gc_err("out of memory");
        return -1;
    }
    for (int i = 0; i < c->rnx; i++)
        for (int j = 0; j < c->rny; j++) {
            if (in_island(c, i, j)) *nflag(&R, i, j) |= NF_ISLAND;
            for (int v = 0; v < 2; v++) {
                if ((v && j + 1 >= c->rny) || (!v && i + 1 >= c->rnx)) continue;
                rattr at;
                edge_attr(c, i, j, v, &at);
                if (edge_geom(c, i, j, v, at.cls, &g) != 0) goto done;
                if (edge_present(c, i, j, v, &at, &g)) *nflag(&R, i, j) |= v ? NF_N : NF_E;
            }
        }
    if (keep_main_component(&R) != 0) goto done;
    if (gc_shp_open(&R.w, o, "roads", SHPT_ARC, "UTF-8", c->ox, c->oy) != 0) goto done;
    if (gc_shp_field(&R.w, "ROAD_ID", FTInteger, 9, 0) || gc_shp_field(&R.w, "NAME", FTString, 40, 0) ||
        gc_shp_field(&R.w, "CLASS", FTString, 10, 0) || gc_shp_field(&R.w, "ONEWAY", FTString, 1, 0) ||
        gc_shp_field(&R.w, "SPEED", FTInteger, 3, 0) || gc_shp_field(&R.w, "LANES", FTInteger, 2, 0))
        goto done;
    for (int i = 0; i < c->rnx; i++)
        if (walk_line(&R, i, true, &rec, &g) != 0) goto done;
    for (int j = 0; j < c->rny; j++)
        if (walk_line(&R, j, false, &rec, &g) != 0) goto done;
    R.cur_island = false;
    if (river_road(&R, &rec) != 0) goto done;
    if (R.last_local.n && !R.zero_done && bad_records(&R, &R.last_local, &R.last_local_attr, true) != 0)
        goto done;
    if (R.last_local.n && !R.dup_done && bad_records(&R, &R.last_local, &R.last_local_attr, false) != 0)
        goto done;
    c->road_records = R.nrec;
    c->road_junctions = count_distinct(R.ends, R.nends);
    c->road_vertices = count_distinct(R.verts, R.nverts);
    c->road_island = R.island_records;
    gc_out_note(
        o, "roads.shp: %lld road segments, %lld junctions (distinct segment ends), %lld distinct vertices",
        R.nrec, c->road_junctions, c->road_vertices);
    rc = 0;
done:
    gc_shp_close(&R.w);
    gc_line_free(&rec);
    gc_line_free(&g);
    free(R.nf);
    free(R.ends);
    free(R.verts);
    free(R.cross);
    gc_line_free(&R.last_local);
    return rc;
}
