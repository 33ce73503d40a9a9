/* geo/layer.h: a layer is a feature table read from one source (shapefile, GeoJSON, CSV points, GeoPackage,
 * PostGIS, and through GDAL any other vector format: FlatGeobuf, KML, GML, FileGDB, MapInfo, ...): GEOS
 * geometries plus typed attributes (int, double, UTF-8 string, date, logical) and each
 * feature's source record number, with what the reader learned about the source (format, CRS and where it
 * came from, text encoding and how it was detected, geometries repaired or skipped).
 *
 * Reading leaves geometries in the source CRS; layer_transform moves the whole layer into another CRS (the
 * run's working CRS). Every polygon is checked on the way in (GEOSisValidDetail): invalid ones are repaired
 * with GEOSMakeValid and noted with record and reason.
 *
 * The input ledger. A record that does not become a feature is kept as a skipped record, with its record
 * number, its attribute values and a reason (layer_skipped_*): a NULL geometry (no geometry at all), an empty
 * one (a geometry without coordinates), a polygon with no area left once repaired, a geometry the reader
 * cannot decode, a shapefile record marked deleted. layer_append_take tells the first two apart by what it is
 * given: geom == NULL is a NULL geometry, an empty GEOS geometry an empty one (docs/formats.md lists what each
 * reader maps to which). layer_filter (geo/filter.h) leaves out features and skipped records alike and counts
 * them (layer_filtered_count). For every layer read by layer_read, before and after filtering:
 *     layer_source_records(l) == layer_count(l) + layer_skipped_count(l) + layer_filtered_count(l).
 * Each skipped record also has a note (LAYER_NOTE_EMPTY for the geometry reasons, LAYER_NOTE_WARNING for the
 * others), which is what `emscov info` lists.
 *
 * Ownership: layer_read / layer_create return a new layer owned by the caller (layer_destroy, NULL-safe).
 * Geometries, values, strings and notes returned by accessors are owned by the layer and valid until it
 * changes or is destroyed. layer_append_take takes the geometry; values passed to it are copied.
 * Units: coordinates in the layer's CRS units; record numbers are 1-based (the DBF/CSV/GeoJSON record, the
 * GeoPackage feature id, the PostGIS row in read order). Thread-safety: a layer may be read from several
 * threads at once; changing it needs the caller's exclusive use. */
#ifndef EMSCOV_GEO_LAYER_H
#define EMSCOV_GEO_LAYER_H

#include "geo/crs.h"
#include "geo/ctx.h"

#include <stdint.h>

typedef struct layer layer;

typedef enum {
    LAYER_FIELD_INT,     /* int64 */
    LAYER_FIELD_DOUBLE,  /* double */
    LAYER_FIELD_STRING,  /* UTF-8 */
    LAYER_FIELD_DATE,    /* yyyymmdd as int32 */
    LAYER_FIELD_LOGICAL, /* bool */
} layer_field_type;

typedef struct layer_field {
    const char *name; /* UTF-8 */
    layer_field_type type;
    int width, precision; /* from the source where it has them (DBF), else 0 */
} layer_field;

typedef struct layer_value {
    bool is_null;
    union {
        int64_t i;
        double d;
        const char *s; /* owned by the layer once appended */
        int32_t date;
        bool b;
    } u;
} layer_value;

typedef enum {
    LAYER_NOTE_EMPTY,    /* NULL or empty geometry, or no area once repaired: record skipped */
    LAYER_NOTE_REPAIRED, /* invalid polygon repaired with GEOSMakeValid */
    LAYER_NOTE_WARNING,  /* anything else worth telling (e.g. Z/M dropped, ring re-oriented) */
    LAYER_NOTE_BALLPARK, /* record 0: reprojected without a known datum shift (PROJ ballpark), off by up to
                            100+ m */
} layer_note_kind;

/* Why a source record is not a feature. */
typedef enum {
    LAYER_SKIP_NULL_GEOMETRY,  /* no geometry: shapefile NULL shape, GeoJSON "geometry": null or missing, CSV row
                                  with both coordinate cells empty, SQL NULL (GeoPackage, PostGIS) */
    LAYER_SKIP_EMPTY_GEOMETRY, /* a geometry without coordinates: POINT EMPTY, a shape with no parts or
                                  vertices, GeoJSON "coordinates": [], a GeoPackage blob flagged empty */
    LAYER_SKIP_NO_AREA,        /* a polygon with no area: invalid, and nothing left once repaired, or (shapefile)
                                  every ring degenerate */
    LAYER_SKIP_UNREADABLE,     /* a geometry the reader cannot decode (curves, a one-point line, a bad GeoPackage
                                  blob): GeoPackage, PostGIS */
    LAYER_SKIP_DELETED,        /* a shapefile record marked deleted in the .dbf */
} layer_skip_reason;

typedef struct layer_note {
    layer_note_kind kind;
    int64_t record;  /* 1-based source record, 0 when it concerns the whole layer */
    const char *text; /* e.g. "Self-intersection at (443210.5 4412000.25)" */
} layer_note;

/* How a layer is read. Zero-initialise and set what you need; every field is optional. */
typedef struct layer_read_opts {
    const char *format;   /* "shp", "geojson", "csv", "gpkg", "gdal" (GDAL whatever the extension); NULL: from the
                             file extension, GDAL for the ones emscov does not read itself */
    const char *encoding; /* attribute text encoding: overrides a shapefile's .cpg / LDID (noted, and warned when
                             it differs), used by CSV and by GDAL drivers that do not hand out UTF-8 */
    const char *srs;      /* source CRS override (any crs_from_string text); wins over .prj / GeoJSON crs */
    const char *x_field;  /* CSV: column of x / longitude; NULL: detected (lon, lng, longitude, x, 经度) */
    const char *y_field;  /* CSV: column of y / latitude; NULL: detected (lat, latitude, y, 纬度) */
    bool from_gcj02;      /* coordinates are GCJ-02 lon/lat: convert to WGS84 on read */
    bool from_bd09;       /* coordinates are BD-09 (Baidu) lon/lat: convert to WGS84 on read */
    const char *conninfo; /* pg: sources; NULL: libpq's PG* environment */
} layer_read_opts;

/* Read a layer from path: a file, "FILE:LAYER" (x.gpkg:TABLE, city.gdb:streets; a FILE with several layers
 * and no name: the first with geometries) or "pg:[schema.]table". EMS_EINPUT for anything wrong with the input
 * (message names file, record and field), EMS_EIO for read errors, EMS_ENOMEM. A layer without a CRS (no .prj,
 * no --srs) is EMS_EINPUT. GDAL-read layers follow geo/layer_gdal.c's rules (records in GDAL's read order). */
EMS_API ems_status layer_read(emscov_ctx *ctx, const char *path, const layer_read_opts *opts, layer **out);
/* How layer_read splits a source: a path that exists as given (or a pg: source) is all file; otherwise
 * "FILE:LAYER" at the last ':' that has no '/' after it. Returns the length of FILE in path; *layer_name (may
 * be NULL) receives the text after the ':' (possibly "") or NULL when there is none. */
EMS_API size_t layer_source_split(const char *path, const char **layer_name);

/* A point layer as arrays: x, y and one numeric field v (NaN for null), in source order, and its CRS; for
 * point sets too large to hold as features (a city's demand points: no GEOS object per point). Read with
 * layer_read_points, freed with layer_points_free (NULL-safe members; the struct itself is the caller's). */
typedef struct layer_points {
    size_t n;
    double *x, *y, *v;
    crs *c;
} layer_points;

/* GeoPackage sources ("x.gpkg:TABLE") are read straight from SQLite; any other source through layer_read and
 * copied. Null or empty geometries are left out; a geometry that is not a single point, or a field that is
 * missing or not numeric, is EMS_EINPUT naming the source. Coordinates stay in the source CRS. */
EMS_API ems_status layer_read_points(emscov_ctx *ctx, const char *path, const layer_read_opts *opts, const char *field,
                                     layer_points *out);
EMS_API void layer_points_free(layer_points *p);

/* An empty layer to fill by hand (readers, tests, generators). crs is copied; it may be NULL for now. */
EMS_API ems_status layer_create(emscov_ctx *ctx, const char *path, const char *format, const crs *c,
                                layer **out);
EMS_API void layer_destroy(layer *l);
/* An output table whose rows may lack a geometry (a run's input_issue): from now on, appending a NULL geometry
 * keeps the row, and layer_geom returns NULL for it; extents and reprojection skip such rows. geos_type (e.g.
 * GEOS_POINT) is the layer's geometry type even when no row has one, so every run's table has the same type.
 * Readers never set this. */
EMS_API void layer_allow_null_geometry(layer *l, int geos_type);

/* Schema: add fields before the first feature. */
EMS_API ems_status layer_add_field(emscov_ctx *ctx, layer *l, const char *name, layer_field_type type,
                                   int width, int precision);
/* Append a feature: takes geom (destroyed on failure too), copies values (layer_field_count of them, or
 * NULL for all-null). Polygonal geometries are validated and repaired here. geom NULL is kept as a skipped
 * record (LAYER_SKIP_NULL_GEOMETRY), an empty geometry as LAYER_SKIP_EMPTY_GEOMETRY, a polygon with no area
 * once repaired as LAYER_SKIP_NO_AREA; each is noted (LAYER_NOTE_EMPTY) and the call returns EMS_OK. */
EMS_API ems_status layer_append_take(emscov_ctx *ctx, layer *l, GEOSGeometry *geom, int64_t record,
                                     const layer_value *values);
/* As layer_append_take, for geometries the caller made and knows to be valid (results of GEOS overlays, traced
 * rasters): no validity check, which for a polygon with many holes costs O(holes x vertices) in GEOS 3.11. */
EMS_API ems_status layer_append_valid_take(emscov_ctx *ctx, layer *l, GEOSGeometry *geom, int64_t record,
                                           const layer_value *values);
/* Keep feature i where keep[i] (layer_count entries); the others are destroyed and counted as filtered
 * (layer_filtered_count). Record numbers are kept. */
EMS_API void layer_keep(layer *l, const bool *keep);
/* Keep skipped record k where keep[k] (layer_skipped_count entries); the others are dropped and counted as
 * filtered. */
EMS_API void layer_keep_skipped(layer *l, const bool *keep);
/* Add a skipped record by hand (readers: a record they cannot turn into a geometry): values copied as in
 * layer_append_take; no note is added (the caller says why in its own). */
EMS_API ems_status layer_append_skipped(emscov_ctx *ctx, layer *l, int64_t record, layer_skip_reason reason,
                                        const layer_value *values);
/* Add a note (text copied). */
EMS_API ems_status layer_note_add(emscov_ctx *ctx, layer *l, layer_note_kind kind, int64_t record,
                                  const char *fmt, ...) EMS_PRINTF(5, 6);

EMS_API size_t layer_count(const layer *l);
EMS_API const GEOSGeometry *layer_geom(const layer *l, size_t i);
EMS_API int64_t layer_record(const layer *l, size_t i);
EMS_API size_t layer_field_count(const layer *l);
EMS_API const layer_field *layer_field_at(const layer *l, size_t j);
/* Field index by name (exact first, then ASCII case-insensitive), or -1. */
EMS_API int layer_field_index(const layer *l, const char *name);
EMS_API const layer_value *layer_value_at(const layer *l, size_t i, size_t j);
/* The layer_field_count values of feature i (NULL when the layer has no fields). */
EMS_API const layer_value *layer_values(const layer *l, size_t i);
/* Index of field `name` in l (layer_field_index's matching) into *j; name NULL: *j = -1 and EMS_OK. A name the
 * layer lacks is EMS_EINPUT "<file>: no field "X" (<what>); the fields are: A, B, ..." (what: e.g. "scenario key
 * [streets] name_field"), so every caller names the fields the user can choose from. */
EMS_API ems_status layer_require_field(emscov_ctx *ctx, const layer *l, const char *name, const char *what, int *j);
/* Numeric value of an int/double/logical field (NaN for null or text). */
EMS_API double layer_value_number(const layer *l, size_t i, size_t j);
/* Value v of field j as a number: int, double, logical 1/0; NaN for null, text and dates. */
EMS_API double layer_value_to_number(const layer *l, size_t j, const layer_value *v);
/* Text of value v of field j: string as is, int in full, double %.15g (NaN as ""), date YYYY-MM-DD, logical
 * "true"/"false", null "". Written into buf (cap bytes, cut to fit, always terminated); returns buf. */
EMS_API const char *layer_value_format(const layer *l, size_t j, const layer_value *v, char *buf, size_t cap);

/* Skipped records (see the header comment), in source order. */
EMS_API size_t layer_skipped_count(const layer *l);
EMS_API int64_t layer_skipped_record(const layer *l, size_t k);
EMS_API layer_skip_reason layer_skipped_reason(const layer *l, size_t k);
/* The layer_field_count values of skipped record k (NULL when the layer has no fields). */
EMS_API const layer_value *layer_skipped_values(const layer *l, size_t k);
/* "NULL geometry", "empty geometry", "polygon with no area", "unreadable geometry", "deleted record". */
EMS_API const char *layer_skip_reason_text(layer_skip_reason r);
/* Records left out by layer_filter: features and skipped records that did not match. */
EMS_API size_t layer_filtered_count(const layer *l);

EMS_API size_t layer_note_count(const layer *l);
EMS_API const layer_note *layer_note_at(const layer *l, size_t k);
EMS_API size_t layer_note_count_kind(const layer *l, layer_note_kind kind);

/* Source description. */
EMS_API const char *layer_path(const layer *l);
EMS_API const char *layer_format(const layer *l);    /* "ESRI Shapefile", "GeoJSON", "CSV" */
EMS_API const char *layer_geom_type(const layer *l); /* "Point", "MultiPolygon", "LineString", ... or "Mixed" */
EMS_API size_t layer_source_records(const layer *l); /* records read: features + skipped + filtered */
EMS_API const crs *layer_crs(const layer *l);        /* current CRS (NULL only while being built) */
EMS_API const crs *layer_source_crs(const layer *l); /* CRS of the source as read */
EMS_API const char *layer_crs_source(const layer *l); /* ".prj", "--srs", "GeoJSON (RFC 7946 WGS 84)", ... */
EMS_API const char *layer_encoding(const layer *l);   /* canonical name, or NULL when no text fields */
EMS_API const char *layer_encoding_source(const layer *l); /* ".cpg \"GBK\"", "LDID 0x4D", "--encoding", ... */
/* Extent [xmin, ymin, xmax, ymax] now, and as read (source CRS). False when the layer is empty. */
EMS_API bool layer_extent(const layer *l, double ext[4]);
EMS_API bool layer_source_extent(const layer *l, double ext[4]);

/* Setters for readers. */
EMS_API ems_status layer_set_crs(emscov_ctx *ctx, layer *l, const crs *c, const char *source);
EMS_API ems_status layer_set_encoding(emscov_ctx *ctx, layer *l, const char *name, const char *source);
EMS_API void layer_set_source_records(layer *l, size_t n);
/* Readers call this once the source is read: records the source extent and applies from_gcj02/bd09. */
EMS_API ems_status layer_finish_read(emscov_ctx *ctx, layer *l, const layer_read_opts *opts);

/* Reproject every geometry into `to` (copied into the layer). No-op when already equivalent. When PROJ knows
 * no datum shift between the two (a ballpark transformation), a LAYER_NOTE_BALLPARK note (record 0) says so. */
EMS_API ems_status layer_transform(emscov_ctx *ctx, layer *l, const crs *to);
/* Working CRS for a set of layers: their own CRS when they share one that is Transverse Mercator (UTM,
 * Gauss-Kruger) with every feature within 3.5 degrees of longitude of its central meridian; otherwise the UTM
 * zone of the centre of their combined lon/lat extent. */
EMS_API ems_status layer_choose_working_crs(emscov_ctx *ctx, layer *const *layers, size_t n, crs **out);
/* For a working CRS the user named (given_by, for the message: e.g. "scenario.ini: working_epsg 32618"): one
 * warning (emscov_warn) when it is far from the combined lon/lat extent of the layers (crs_check_near: more than
 * 6 degrees of longitude from its central meridian, or outside its area of use). Layers without features are
 * ignored. EMS_EINPUT only when an extent cannot be placed on the globe. */
EMS_API ems_status layer_warn_far_crs(emscov_ctx *ctx, layer *const *layers, size_t n, const crs *working,
                                      const char *given_by);

#endif
