/* tools/gencity/gencity.h: the deterministic synthetic sample-city generator (emscov-gencity), shared by its
 * source files: the city model (gc_city), the PRNG and hash noise, small geometry helpers and the output
 * writers (shapefile + DBF with GBK/UTF-8/LDID code pages, .prj, the file list of the output directory).
 *
 * Units: all geometry is built in local metres, origin = lower-left corner of the population grid, x east,
 * y north; the shapefiles store GK coordinates (CGCS2000 3-degree Gauss-Kruger CM 117E, EPSG:4548) =
 * local + (ox, oy). Every generated coordinate is rounded to the millimetre once, where it is made, so a
 * vertex shared by two records is the same double in both.
 * Determinism: no clock, no rand(); every random choice comes from gc_rng streams or gc_hash of the seed,
 * so one seed gives byte-identical output. Ownership: gc_city owns everything it points to (gc_city_free).
 * This is a command-line tool: functions print a message to stderr and return -1 on failure. */
#ifndef EMSCOV_GENCITY_H
#define EMSCOV_GENCITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <proj.h>
#include <shapefil.h>

/* ---- PRNG (xoshiro256** seeded by splitmix64) and hashing ---------------------------------------------- */
typedef struct gc_rng {
    uint64_t s[4];
} gc_rng;

void gc_rng_seed(gc_rng *r, uint64_t seed, uint64_t stream);
uint64_t gc_rng_next(gc_rng *r);
double gc_rng_unit(gc_rng *r);             /* [0, 1) */
int gc_rng_int(gc_rng *r, int lo, int hi); /* lo..hi inclusive */
uint64_t gc_hash4(uint64_t a, uint64_t b, uint64_t c, uint64_t d);
double gc_hash_unit(uint64_t a, uint64_t b, uint64_t c, uint64_t d);   /* [0, 1) */
double gc_noise1(uint64_t seed, uint64_t line, double t, double knot); /* smooth 1-D noise in [-1, 1] */
double gc_noise2(uint64_t seed, double x, double y, double knot);      /* smooth 2-D noise in [-1, 1] */

/* ---- geometry ---------------------------------------------------------------------------------------- */
typedef struct gc_pt {
    double x, y;
} gc_pt;

/* A growable point list (ring or polyline). */
typedef struct gc_line {
    gc_pt *v;
    size_t n, cap;
} gc_line;

double gc_mm(double v); /* round to the millimetre */
int gc_line_push(gc_line *l, double x, double y);
void gc_line_free(gc_line *l);
void gc_line_reverse(gc_line *l);
double gc_ring_area(const gc_line *r); /* signed shoelace area: > 0 counter-clockwise */
gc_pt gc_ring_centroid(const gc_line *r);
bool gc_ring_contains(const gc_line *r, double x, double y);
void gc_ring_bbox(const gc_line *r, double *minx, double *miny, double *maxx, double *maxy);
/* Appends the vertices of the noisy edge a->b, a included, b excluded. The noise is a function of the two
 * endpoints only (computed in a canonical order), so the edge seen from either side has the same vertices. */
int gc_noisy_edge(gc_line *out, gc_pt a, gc_pt b, uint64_t seed, double amp_frac, double step_m);

/* ---- output -------------------------------------------------------------------------------------------- */
#define GC_PRJ_GK                                                                                            \
    "PROJCS[\"CGCS2000_3_Degree_GK_CM_117E\",GEOGCS[\"GCS_China_Geodetic_Coordinate_System_2000\","          \
    "DATUM[\"D_China_2000\",SPHEROID[\"CGCS2000\",6378137.0,298.257222101]],PRIMEM[\"Greenwich\",0.0],"      \
    "UNIT[\"Degree\",0.0174532925199433]],PROJECTION[\"Gauss_Kruger\"],PARAMETER[\"False_Easting\","         \
    "500000.0],PARAMETER[\"False_Northing\",0.0],PARAMETER[\"Central_Meridian\",117.0],"                     \
    "PARAMETER[\"Scale_Factor\",1.0],PARAMETER[\"Latitude_Of_Origin\",0.0],UNIT[\"Meter\",1.0]]"

/* The output directory: files are written into `tmpdir` and moved into `dir` by gc_out_commit, index.txt
 * last. `names` records every file written so far (for the move and index.txt). */
typedef struct gc_out {
    char dir[4096];
    char tmpdir[4096];
    char names[64][48];
    char notes[64][160]; /* one-line summary per logical file (index.txt) */
    int nnames, nnotes;
} gc_out;

int gc_out_path(const gc_out *o, const char *name, char *buf, size_t cap); /* path inside tmpdir */
int gc_out_add(gc_out *o, const char *name);
int gc_out_write_text(gc_out *o, const char *name, const char *text);
FILE *gc_out_fopen(gc_out *o, const char *name);
void gc_out_note(gc_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* One shapefile + DBF being written. codepage: "GBK" (.cpg GBK), "UTF-8" (.cpg UTF-8) or "LDID/77" (no
 * .cpg, GBK bytes, LDID 0x4D). Strings are given in UTF-8 and converted for GBK targets. */
typedef struct gc_shp {
    SHPHandle shp;
    DBFHandle dbf;
    void *iconv; /* iconv_t UTF-8 -> GBK, or NULL */
    char name[48];
    int nrec;
    double ox, oy; /* added to every local coordinate */
} gc_shp;

int gc_shp_open(gc_shp *w, gc_out *o, const char *name, int shptype, const char *codepage, double ox,
                double oy);
int gc_shp_field(gc_shp *w, const char *fname, DBFFieldType type, int width, int decimals);
/* Writes one geometry from local rings/lines; returns the new record index or -1. */
int gc_shp_write(gc_shp *w, int shptype, const gc_line *parts, int nparts);
int gc_shp_point(gc_shp *w, double x, double y);
int gc_shp_str(gc_shp *w, int rec, int field, const char *utf8);
int gc_shp_int(gc_shp *w, int rec, int field, long long v);
int gc_shp_dbl(gc_shp *w, int rec, int field, double v);
int gc_shp_close(gc_shp *w); /* fixes the DBF date, closes, writes the .prj; NULL-safe on a closed one */

void gc_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- city model -------------------------------------------------------------------------------------- */
enum { GC_EXPRESS = 0, GC_ARTERIAL, GC_COLLECTOR, GC_LOCAL, GC_NCLASS };
extern const char *const gc_class_name[GC_NCLASS]; /* 快速路 主干路 次干路 支路 */

typedef struct gc_district_def {
    const char *name; /* UTF-8, e.g. 东城区 */
    const char *code; /* 110101 */
    double u, v;      /* seed in km from the centre (scaled by --scale) */
    int kind;         /* 0 core (all 街道), 1 inner suburb (街道 + 地区), 2 outer (街道, 镇, 乡) */
    const char *const *real; /* NULL-terminated real sub-district names, in the order they are used */
} gc_district_def;

typedef struct gc_sub {
    int li, lj;   /* lattice cell */
    int district; /* index into city->dists */
    char code[16];
    char name[64]; /* UTF-8 */
    char base[64]; /* name without the 街道/地区/镇/乡 suffix */
    gc_line ring;  /* closed, clockwise */
    double area_m2;
    double minx, miny, maxx, maxy;
    gc_pt centroid;
    long long pop;
    int nstations;
    bool gap; /* deliberately left without a station */
} gc_sub;

typedef struct gc_park {
    gc_line outer; /* clockwise in local metres (converted to RFC 7946 winding when written) */
    gc_line hole;  /* n == 0: no lake */
    char name[64];
    const char *kind;
    double area_ha;
} gc_park;

typedef struct gc_station {
    double x, y;
    int sub; /* -1: outside every sub-district */
    char name[96];
    int ambulances, turnout_s;
    const char *type;
    int id;
} gc_station;

typedef struct gc_preset {
    const char *name;
    double w_km, h_km; /* city rectangle */
    int snx, sny;      /* sub-district lattice */
    double warp;       /* sub-district lattice warp: 1 uniform, < 1 smaller cells in the centre */
    int ndist;
    const gc_district_def *dists;
    double pop_target;
    int nstations;
    double road_sc, road_so;    /* road lattice spacing in the centre and the outskirts (m) */
    double road_rin, road_rout; /* km from the centre where spacing grows from sc to so */
    double rural_bends;         /* mean extra vertices on rural local roads */
    int nrings;                 /* ring expressways (2nd ring = 0 ...) */
    int nvillages;
} gc_preset;

typedef struct gc_city {
    gc_preset p;
    double scale;
    uint64_t seed;
    double W, H;   /* metres */
    double ox, oy; /* GK of the local origin */
    double cx, cy; /* local coordinates of the centre (116.40E 39.90N) */
    PJ_CONTEXT *pj_ctx;
    PJ *pj; /* GK -> WGS84, normalised (E,N) -> (lon,lat) */

    /* sub-districts */
    int snx, sny;
    gc_pt *corner; /* (snx+1)*(sny+1), index i*(sny+1)+j */
    gc_sub *subs;
    int nsubs;
    int *dist_nsubs;

    /* river: centreline y = river_y(x); its road runs river_off metres north of it */
    double river_y0, river_a1, river_l1, river_p1, river_a2, river_l2, river_p2, river_off;

    /* road lattice */
    int rnx, rny;
    double *rX, *rY;
    int ic, jc; /* central lines */
    int ring_w[8], ring_e[8], ring_s[8], ring_n[8];
    int nrings;
    uint8_t *cellflag;      /* (rnx-1)*(rny-1) lattice cells: GC_CELL_* bits */
    int island_i, island_j; /* lower-left node of the 2x3-node island */

    /* parks */
    gc_park *parks;
    size_t nparks;

    /* population grid, row 0 = south */
    int ncols, nrows;
    int32_t *pop;
    long long pop_total;
    long long nodata_cells;
    uint16_t *cellsub; /* sub-district of each grid cell (0xffff: none) */

    /* stations */
    gc_station *stations;
    int nstations;
    int boundary_station, outside_station;

    /* counts gathered while writing, for the README */
    long long road_records, road_junctions, road_vertices, road_bad_zero_id, road_bad_dup_id, road_bad_dup_of;
    long long road_island;
    long long road_oneway, road_river_records;
    long long census_blocks, res_polys, res_bowtie_id, res_ccw_id;
    int parks_by_size[4];
    int parks_with_holes;
} gc_city;

#define GC_CELL_PARK 1u /* a big or medium park covers the lattice cell: no local roads, no housing */
#define GC_CELL_SMALLPARK 2u
#define GC_CELL_BIGPARK_IN 4u

#define GC_NODATA (-9999)
#define GC_PI 3.14159265358979323846
#define GC_NONE_SUB 0xffffu

/* gc_names.c */
extern const gc_preset gc_preset_sample, gc_preset_beijing;
int gc_name_subdistricts(gc_city *c);
void gc_name_make(uint64_t seed, uint64_t a, uint64_t b, char *out, size_t cap); /* two-syllable stem */

/* gc_land.c */
double gc_river_y(const gc_city *c, double x); /* river centreline */
int gc_build_subdistricts(gc_city *c);
int gc_build_parks(gc_city *c);
int gc_build_population(gc_city *c);
int gc_build_stations(gc_city *c);
int gc_write_streets(gc_city *c, gc_out *o);
int gc_write_population(gc_city *c, gc_out *o);
int gc_write_census(gc_city *c, gc_out *o);
int gc_write_parks(gc_city *c, gc_out *o);
int gc_write_stations(gc_city *c, gc_out *o);
int gc_write_residential(gc_city *c, gc_out *o);
int gc_to_wgs84(const gc_city *c, double x, double y, double *lon, double *lat);
int gc_grid_value(const gc_city *c, double x, double y); /* population of the cell holding (x,y), 0 outside */

/* gc_roads.c */
int gc_build_lattice(gc_city *c);
gc_pt gc_node(const gc_city *c, int i, int j);
bool gc_in_river_zone(const gc_city *c, double x, double y, double margin);
int gc_write_roads(gc_city *c, gc_out *o);

#endif
