/* tools/gencity/gencity.c: emscov-gencity, the deterministic synthetic sample-city generator.
 *
 *   emscov-gencity [--preset sample|beijing] [--scale F] [--seed N] OUTDIR
 *
 * Builds a Beijing-like city around Tiananmen (116.40E 39.90N) in CGCS2000 3-degree GK CM 117E (EPSG:4548)
 * and writes the GIS files an EMS centre would hand over: sub-district polygons in three encodings, a 100 m
 * population grid, census blocks, stations (shapefile + WGS84 CSV), a classed road network, parks
 * (GeoJSON), residential land and a README describing them (gc_land.c, gc_roads.c). The files are written
 * into OUTDIR.tmp, then moved into OUTDIR one by one, and index.txt is written last, so a reader that
 * finds index.txt finds a complete set. Same preset, scale and seed -> byte-identical files.
 * Exit status: 0 done, 1 I/O or internal error, 2 bad usage. */
#include "gencity.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char usage[] =
    "usage: emscov-gencity [--preset sample|beijing] [--scale F] [--seed N] OUTDIR\n"
    "  --preset sample   a 15 x 12 km city, ~1.8 M people, ~15 stations (default)\n"
    "  --preset beijing  160 x 102.5 km, ~21.9 M people, 16 districts, ~465 stations, ~1 M road vertices\n"
    "  --scale F         multiply the linear size by F (0.2 .. 4); people, stations, parks scale by F*F\n"
    "  --seed N          seed of the generator (default 1); the same seed gives byte-identical files\n";

static int mkdirs(const char *path)
{
    char buf[4096];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) return -1;
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST) return -1;
        *p = '/';
    }
    if (mkdir(buf, 0777) != 0 && errno != EEXIST) return -1;
    return 0;
}

/* Empties (non-recursively) and removes a leftover temporary directory. */
static void remove_tmpdir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    char path[8300];
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
    }
    closedir(d);
    rmdir(dir);
}

static int setup_city(gc_city *c)
{
    c->W = fmax(2000.0, round(c->p.w_km * 1000.0 * c->scale / 100.0) * 100.0);
    c->H = fmax(2000.0, round(c->p.h_km * 1000.0 * c->scale / 100.0) * 100.0);
    c->ncols = (int)(c->W / 100.0);
    c->nrows = (int)(c->H / 100.0);
    c->pj_ctx = proj_context_create();
    if (!c->pj_ctx) {
        gc_err("PROJ: cannot create a context");
        return -1;
    }
    PJ *raw = proj_create_crs_to_crs(c->pj_ctx, "EPSG:4548", "EPSG:4326", NULL);
    if (!raw) {
        gc_err("PROJ: EPSG:4548 -> EPSG:4326: %s",
               proj_context_errno_string(c->pj_ctx, proj_context_errno(c->pj_ctx)));
        return -1;
    }
    c->pj = proj_normalize_for_visualization(c->pj_ctx, raw);
    proj_destroy(raw);
    if (!c->pj) {
        gc_err("PROJ: cannot normalise the axis order");
        return -1;
    }
    PJ_COORD ll = proj_coord(116.40, 39.90, 0, 0);
    PJ_COORD gk = proj_trans(c->pj, PJ_INV, ll);
    if (!isfinite(gk.xy.x) || !isfinite(gk.xy.y)) {
        gc_err("PROJ: cannot transform the centre");
        return -1;
    }
    c->ox = floor((gk.xy.x - c->W / 2) / 100.0) * 100.0;
    c->oy = floor((gk.xy.y - c->H / 2) / 100.0) * 100.0;
    c->cx = gc_mm(gk.xy.x - c->ox);
    c->cy = gc_mm(gk.xy.y - c->oy);
    c->boundary_station = c->outside_station = -1;
    c->island_i = c->island_j = -1;
    return 0;
}

static void city_free(gc_city *c)
{
    for (int k = 0; k < c->nsubs; k++)
        gc_line_free(&c->subs[k].ring);
    for (size_t k = 0; k < c->nparks; k++) {
        gc_line_free(&c->parks[k].outer);
        gc_line_free(&c->parks[k].hole);
    }
    free(c->subs);
    free(c->corner);
    free(c->dist_nsubs);
    free(c->parks);
    free(c->pop);
    free(c->cellsub);
    free(c->rX);
    free(c->rY);
    free(c->cellflag);
    free(c->stations);
    if (c->pj) proj_destroy(c->pj);
    if (c->pj_ctx) proj_context_destroy(c->pj_ctx);
}

/* A growing text buffer for the README. */
typedef struct sbuf {
    char *s;
    size_t n, cap;
} sbuf;

static void sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(sbuf *b, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int n = vsnprintf(b->s ? b->s + b->n : NULL, b->s ? b->cap - b->n : 0, fmt, ap);
        va_end(ap);
        if (n < 0) return;
        if (b->s && b->n + (size_t)n < b->cap) {
            b->n += (size_t)n;
            return;
        }
        size_t cap = (b->cap + (size_t)n + 1) * 2;
        char *s = realloc(b->s, cap);
        if (!s) return;
        b->s = s;
        b->cap = cap;
    }
}

static int write_readme(const gc_city *c, gc_out *o)
{
    sbuf b = {0};
    const gc_station *bst = &c->stations[c->boundary_station], *ost = &c->stations[c->outside_station];
    int empty = 0;
    for (int k = 0; k < c->nsubs; k++)
        empty += c->subs[k].nstations == 0;
    sb_printf(&b,
              "# Synthetic sample city (emscov-gencity --preset %s --scale %g --seed %llu)\n\n"
              "Generated data, not a survey: a Beijing-like city of %.0f x %.0f km around Tiananmen "
              "(116.40E 39.90N), built to exercise every emscov reader. Same preset, scale and seed give "
              "byte-identical files.\n\n",
              c->p.name, c->scale, (unsigned long long)c->seed, c->W / 1000, c->H / 1000);
    sb_printf(&b,
              "## Coordinate reference systems\n\n"
              "- Shapefiles and the grid: CGCS2000 / 3-degree Gauss-Kruger CM 117E (EPSG:4548, false easting "
              "500000 m), metres, ESRI .prj text `CGCS2000_3_Degree_GK_CM_117E`.\n"
              "- `stations.csv` and `parks.geojson`: WGS84 longitude/latitude (EPSG:4326, RFC 7946 order).\n"
              "- Grid origin (lower-left) E %.0f N %.0f; the centre is at E %.3f N %.3f.\n\n",
              c->ox, c->oy, c->ox + c->cx, c->oy + c->cy);
    sb_printf(
        &b,
        "## Files\n\n"
        "| file | contents | encoding |\n|---|---|---|\n"
        "| `streets_gbk.shp` | %d sub-district (街道/地区/镇/乡) polygons in %d districts, tiling the city "
        "exactly (shared edges, clockwise outer rings) | GBK, `.cpg` = `GBK` |\n"
        "| `streets_ldid.shp` | the same polygons | GBK, DBF language driver byte 29 = 0x4D (code page "
        "936), no `.cpg` |\n"
        "| `streets_utf8.shp` | the same polygons | UTF-8, `.cpg` = `UTF-8` |\n"
        "| `population.asc` + `.prj` | ESRI ASCII grid, %d x %d cells of 100 m, people per cell | ASCII |\n"
        "| `census.shp` | %lld census blocks (2x2 to 3x3 grid cells), POP = sum of their cells | UTF-8 |\n"
        "| `stations.shp` | %d ambulance stations (points) | UTF-8 |\n"
        "| `stations.csv` | the same stations: `id,name,lon,lat,ambulances,turnout_s`, 6 decimals | "
        "UTF-8 |\n"
        "| `roads.shp` | %lld road segments (polylines), split at junctions | UTF-8 |\n"
        "| `parks.geojson` | %zu park polygons, %d with a lake (hole) | UTF-8 |\n"
        "| `residential.shp` | %lld residential land blocks (居住用地) between roads | UTF-8 |\n"
        "| `index.txt` | one line per layer; written last | ASCII |\n\n",
        c->nsubs, c->p.ndist, c->ncols, c->nrows, c->census_blocks, c->nstations, c->road_records, c->nparks,
        c->parks_with_holes, c->res_polys);
    sb_printf(
        &b,
        "## Fields\n\n"
        "- streets: `CODE` (C12, 9-digit sub-district code, district code + 0xx 街道/地区, 1xx 镇, 2xx 乡), "
        "`NAME` (C40), `DISTRICT` (C20, e.g. 东城区), `DIST_CODE` (C6, e.g. 110101), `AREA_KM2` (N12.4). "
        "Some names use characters outside GB2312 but inside GBK (昇, 堃, 喆): decode as GBK/CP936.\n"
        "- census: `BLOCK_ID` (N9), `NAME` (C80), `STREET` (C12, CODE of the sub-district holding the block "
        "centre), `POP` (N10).\n"
        "- stations: `ID` (N6), `NAME` (C60), `AMBULANCES` (N3, 1-4), `TURNOUT_S` (N4, turn-out delay "
        "60-120 s), `TYPE` (C10: A, B or standard).\n"
        "- roads: `ROAD_ID` (N9), `NAME` (C40, empty for some small streets), `CLASS` (C10: 快速路 "
        "expressway, 主干路 arterial, 次干路 collector, 支路 local), `ONEWAY` (C1: B both ways, F one-way in "
        "the digitised direction, T one-way against it), `SPEED` (N3, km/h; 0 = use the class default), "
        "`LANES` (N2).\n"
        "- parks: `id`, `name`, `kind` (综合公园, 社区公园, 游园), `area_ha` (computed in GK metres, lakes "
        "excluded).\n"
        "- residential: `RES_ID` (N9), `NAME` (C60), `LAND_USE` (C4: R1, R2, R3 after GB 50137).\n\n");
    sb_printf(
        &b,
        "## Totals\n\n"
        "- Population (grid = census): %lld people; %lld NODATA cells (the river channel), zero in parks and "
        "along the river.\n"
        "- Stations: %d with %d sub-districts that have none.\n"
        "- Roads: %lld segments, %lld junctions (distinct segment end points), %lld distinct vertices, "
        "%lld one-way segments, %lld segments of the river road.\n"
        "- Parks: %d over 10 ha, %d of 1-10 ha, %d of 0.2-1 ha, %d under 0.2 ha.\n\n",
        c->pop_total, c->nodata_cells, c->nstations, empty, c->road_records, c->road_junctions,
        c->road_vertices, c->road_oneway, c->road_river_records, c->parks_by_size[0], c->parks_by_size[1],
        c->parks_by_size[2], c->parks_by_size[3]);
    double blon = 0, blat = 0, olon = 0, olat = 0;
    gc_to_wgs84(c, bst->x, bst->y, &blon, &blat);
    gc_to_wgs84(c, ost->x, ost->y, &olon, &olat);
    sb_printf(
        &b,
        "## Deliberate defects and special cases\n\n"
        "- Station ID %d (%s) lies exactly on the boundary between two sub-districts (a vertex of both "
        "polygons), at E %.3f N %.3f (%.6f, %.6f).\n"
        "- Station ID %d (%s) lies outside every sub-district, east of the city.\n"
        "- %d sub-districts have no station, some of them populous; the outskirts have fewer stations per "
        "person than the centre.\n"
        "- roads: ROAD_ID %lld is a zero-length segment (both vertices equal) and ROAD_ID %lld is an exact "
        "duplicate of ROAD_ID %lld: a network builder must drop and report both.\n"
        "- roads: %lld local streets form an island not connected to the rest of the network (people live "
        "around it).\n"
        "- roads: the river road (%s) follows the river with a vertex every 25 m and meets the network only "
        "at "
        "bridges; local streets end short of the river.\n"
        "- residential: RES_ID %lld is a self-intersecting bow-tie and RES_ID %lld has a counter-clockwise "
        "outer "
        "ring (wrong for a shapefile): both must be repaired.\n",
        bst->id, bst->name, bst->x + c->ox, bst->y + c->oy, blon, blat, ost->id, ost->name, empty,
        c->road_bad_zero_id, c->road_bad_dup_id, c->road_bad_dup_of, c->road_island, "凉水河北滨河路",
        c->res_bowtie_id, c->res_ccw_id);
    int rc = b.s ? gc_out_write_text(o, "README.md", b.s) : -1;
    free(b.s);
    return rc;
}

static int commit(gc_out *o)
{
    char from[8300], to[8300];
    for (int k = 0; k < o->nnames; k++) {
        snprintf(from, sizeof from, "%s/%s", o->tmpdir, o->names[k]);
        snprintf(to, sizeof to, "%s/%s", o->dir, o->names[k]);
        if (rename(from, to) != 0) {
            gc_err("%s -> %s: %s", from, to, strerror(errno));
            return -1;
        }
    }
    /* index.txt last, itself through a rename */
    snprintf(from, sizeof from, "%s/index.txt", o->tmpdir);
    FILE *f = fopen(from, "wb");
    if (!f) {
        gc_err("%s: %s", from, strerror(errno));
        return -1;
    }
    for (int k = 0; k < o->nnotes; k++)
        fprintf(f, "%s\n", o->notes[k]);
    if (ferror(f) | (fclose(f) != 0)) {
        gc_err("%s: write failed", from);
        return -1;
    }
    snprintf(to, sizeof to, "%s/index.txt", o->dir);
    if (rename(from, to) != 0) {
        gc_err("%s -> %s: %s", from, to, strerror(errno));
        return -1;
    }
    rmdir(o->tmpdir);
    return 0;
}

int main(int argc, char **argv)
{
    const char *preset = "sample", *outdir = NULL;
    double scale = 1.0;
    unsigned long long seed = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage, stdout);
            return 0;
        } else if (strcmp(a, "--preset") == 0 && i + 1 < argc) {
            preset = argv[++i];
        } else if (strcmp(a, "--scale") == 0 && i + 1 < argc) {
            char *end;
            scale = strtod(argv[++i], &end);
            if (*end || !(scale >= 0.2 && scale <= 4.0)) {
                fprintf(stderr, "emscov-gencity: --scale: not a number in 0.2 .. 4: \"%s\"\n", argv[i]);
                return 2;
            }
        } else if (strcmp(a, "--seed") == 0 && i + 1 < argc) {
            char *end;
            errno = 0;
            seed = strtoull(argv[++i], &end, 10);
            if (*end || errno || argv[i][0] == '-' || argv[i][0] == '\0') {
                fprintf(stderr, "emscov-gencity: --seed: not an unsigned integer: \"%s\"\n", argv[i]);
                return 2;
            }
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "emscov-gencity: unknown or incomplete option \"%s\"\n%s", a, usage);
            return 2;
        } else if (!outdir) {
            outdir = a;
        } else {
            fprintf(stderr, "emscov-gencity: more than one OUTDIR\n%s", usage);
            return 2;
        }
    }
    if (!outdir) {
        fputs(usage, stderr);
        return 2;
    }
    gc_city c;
    memset(&c, 0, sizeof c);
    if (strcmp(preset, "sample") == 0)
        c.p = gc_preset_sample;
    else if (strcmp(preset, "beijing") == 0)
        c.p = gc_preset_beijing;
    else {
        fprintf(stderr, "emscov-gencity: --preset: \"%s\" is not sample or beijing\n", preset);
        return 2;
    }
    c.scale = scale;
    c.seed = seed;

    static gc_out o;
    memset(&o, 0, sizeof o);
    size_t len = strlen(outdir);
    while (len > 1 && outdir[len - 1] == '/')
        len--;
    if (len + 8 >= sizeof o.dir) {
        fprintf(stderr, "emscov-gencity: OUTDIR is too long\n");
        return 2;
    }
    snprintf(o.dir, sizeof o.dir, "%.*s", (int)len, outdir);
    snprintf(o.tmpdir, sizeof o.tmpdir, "%.*s.tmp", (int)len, outdir);
    int rc = 1;
    char idx[4200];
    snprintf(idx, sizeof idx, "%s/index.txt", o.dir);
    if (mkdirs(o.dir) != 0) {
        gc_err("%s: %s", o.dir, strerror(errno));
        goto done;
    }
    unlink(idx);
    remove_tmpdir(o.tmpdir);
    if (mkdir(o.tmpdir, 0777) != 0) {
        gc_err("%s: %s", o.tmpdir, strerror(errno));
        goto done;
    }
    if (setup_city(&c) || gc_build_lattice(&c) || gc_build_subdistricts(&c) || gc_build_parks(&c) ||
        gc_build_population(&c) || gc_build_stations(&c))
        goto done;
    printf("emscov-gencity: preset %s, scale %g, seed %llu: %.1f x %.1f km, %d districts, %d sub-districts, "
           "road lattice %d x %d\n",
           c.p.name, c.scale, seed, c.W / 1000, c.H / 1000, c.p.ndist, c.nsubs, c.rnx, c.rny);
    if (gc_write_streets(&c, &o) || gc_write_population(&c, &o) || gc_write_census(&c, &o) ||
        gc_write_roads(&c, &o) || gc_write_parks(&c, &o) || gc_write_stations(&c, &o) ||
        gc_write_residential(&c, &o) || write_readme(&c, &o) || commit(&o))
        goto done;
    printf("emscov-gencity: wrote %d files to %s\n", o.nnames + 1, o.dir);
    rc = 0;
done:
    if (rc != 0) remove_tmpdir(o.tmpdir);
    city_free(&c);
    return rc;
}
