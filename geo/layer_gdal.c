/* geo/layer_gdal.c: the GDAL/OGR reader behind layer_read for every vector format emscov does not read itself
 * (FlatGeobuf, KML, GML, FileGDB through OpenFileGDB, MapInfo TAB/MIF, GPX, ...; with --format gdal also the
 * ones it does), and the GDAL set-up both GDAL readers share (geo/gdal_internal.h; the raster side is
 * geo/grid.c).
 *
 * Source: "PATH" or "PATH:LAYER" (an existing PATH is taken whole, else it is split at the last ':'), e.g.
 * "city.gdb:streets". Without a layer name the first layer with a geometry column is read (noted when the
 * source has others). Records are the features in GDAL's read order, numbered from 1; messages also give
 * GDAL's FID. Geometry: the first geometry column, read as 2D (Z and M dropped, noted once), curves
 * approximated by straight segments (noted once), handed to GEOS as ISO WKB; a NULL geometry and an empty one
 * go to layer_append_take as NULL and as an empty geometry (skipped records), one GEOS cannot read is a
 * skipped record too (LAYER_SKIP_UNREADABLE, with a note). Fields: Integer / Integer64 -> int (Integer(Boolean)
 * -> logical), Real -> double, String -> string, Date -> date, DateTime / Time -> ISO 8601 string; lists and
 * binary fields are skipped with a note.
 * Text: drivers that declare UTF-8 (OLCStringsAsUTF8) are taken as UTF-8 (checked), --encoding then being
 * ignored with a warning; the ESRI Shapefile driver recodes from .cpg / LDID itself, or is opened with
 * ENCODING="" under --encoding so that the text is converted here, strictly, like every other driver's when
 * --encoding is given. Without --encoding text that is not UTF-8 is an error naming record and field.
 * CRS: --srs, else the layer's SRS through WKT2 (vector drivers hand out coordinates in GDAL's traditional GIS
 * order, x = easting or longitude, as emscov's crs does; a layer whose data is in northing-first order is
 * refused rather than read swapped).
 * Errors: GDAL's messages are collected per call (gdal__begin): a failure (cannot open, a feature GDAL cannot
 * decode) is EMS_EINPUT naming the file and, once reading has started, the record; warnings become layer
 * notes and ctx warnings. */
#include "geo/encoding.h"
#include "geo/gdal_internal.h"
#include "geo/layer_internal.h"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- GDAL set-up shared with geo/grid.c (gdal_internal.h) ---------------------------------------------- */

/* GDAL's driver registry is process state by GDAL's design; this flag, the only static here, makes the
 * registration happen once whichever thread reads first. */
static pthread_once_t drivers_registered = PTHREAD_ONCE_INIT;

static void register_drivers(void)
{
    GDALAllRegister();
}

/* One line of text: GDAL messages may hold line breaks. */
static void keep_line(char *dst, size_t cap, const char *msg)
{
    snprintf(dst, cap, "%s", msg);
    for (char *p = dst; *p; p++)
        if (*p == '\n' || *p == '\r') *p = ' ';
}

static void CPL_STDCALL collect(CPLErr cls, CPLErrorNum num, const char *msg)
{
    (void)num;
    gdal__errors *e = CPLGetErrorHandlerUserData();
    if (!e || !msg) return;
    if (cls == CE_Failure || cls == CE_Fatal) {
        if (!e->failure[0]) keep_line(e->failure, sizeof e->failure, msg);
    } else if (cls == CE_Warning) {
        if (e->nwarnings < GDAL__WARNINGS)
            keep_line(e->warnings[e->nwarnings++], sizeof e->warnings[0], msg);
        else
            e->more_warnings++;
    }
}

void gdal__begin(gdal__errors *e)
{
    pthread_once(&drivers_registered, register_drivers);
    memset(e, 0, sizeof *e);
    CPLErrorReset();
    CPLPushErrorHandlerEx(collect, e);
}

void gdal__end(void)
{
    CPLPopErrorHandler();
}

const char *gdal__message(const gdal__errors *e)
{
    if (e->failure[0]) return e->failure;
    const char *m = CPLGetLastErrorMsg();
    return m && *m ? m : "no message";
}

ems_status gdal__crs(emscov_ctx *ctx, const void *srs, const char *source, crs **out)
{
    *out = NULL;
    char *wkt = NULL;
    const char *const wkt_opts[] = {"FORMAT=WKT2_2019", NULL};
    if (OSRExportToWktEx((OGRSpatialReferenceH)srs, &wkt, wkt_opts) != OGRERR_NONE || !wkt) {
        CPLFree(wkt);
        return emscov_fail(ctx, EMS_EINPUT, "%s: GDAL cannot write its CRS as WKT", source);
    }
    ems_status st = crs_from_string(ctx, wkt, out);
    CPLFree(wkt);
    if (st != EMS_OK) {
        char msg[600];
        snprintf(msg, sizeof msg, "%s", emscov_message(ctx));
        st = emscov_fail(ctx, st, "%s: CRS: %s", source, msg);
    }
    return st;
}

/* ---- the vector reader ---------------------------------------------------------------------------------- */

/* One OGR field that becomes a layer field. */
typedef struct gdal_field {
    int ogr;               /* OGR field index */
    layer_field_type type;
    OGRFieldType ogr_type; /* DateTime and Time become strings */
    const char *name;      /* the layer's copy (UTF-8) */
} gdal_field;

typedef struct gdal_reader {
    emscov_ctx *ctx;
    const layer_read_opts *opts;
    const char *source;     /* as given, for messages */
    char *file, *lname;     /* dataset; layer name or NULL */
    GDALDatasetH ds;
    OGRLayerH ol;
    const char *driver;     /* GDAL's short name */
    bool utf8;              /* the driver hands out UTF-8 */
    encoding_conv *conv;    /* --encoding, when the text is converted here */
    char enc_hint[200];     /* what to try when text does not convert */
    layer *l;
    gdal_field *fields;
    size_t nfields;
    GEOSWKBReader *wkb_reader;
    unsigned char *wkb;
    size_t wkb_cap;
    size_t curved;          /* geometries approximated by segments */
    bool had_zm;
    gdal__errors e;
} gdal_reader;

/* " (FID n)" when GDAL gave the feature an id. */
static const char *fid_text(GIntBig fid, char buf[40])
{
    if (fid == OGRNullFID)
        buf[0] = '\0';
    else
        snprintf(buf, 40, " (FID %lld)", (long long)fid);
    return buf;
}

/* The layer names of the dataset, for messages. */
static const char *layer_names(GDALDatasetH ds, char *buf, size_t cap)
{
    size_t used = 0;
    buf[0] = '\0';
    int n = GDALDatasetGetLayerCount(ds);
    for (int k = 0; k < n && used < cap; k++) {
        int w = snprintf(buf + used, cap - used, "%s%s", k ? ", " : "", OGR_L_GetName(GDALDatasetGetLayer(ds, k)));
        if (w < 0) break;
        used += (size_t)w;
    }
    return buf[0] ? buf : "none";
}

static ems_status open_source(gdal_reader *r)
{
    const char *const no_recoding[] = {"ENCODING=", NULL};
    unsigned flags = GDAL_OF_VECTOR | GDAL_OF_READONLY | GDAL_OF_VERBOSE_ERROR;
    r->ds = GDALOpenEx(r->file, flags, NULL, NULL, NULL);
    if (!r->ds)
        return emscov_fail(r->ctx, EMS_EINPUT, "%s: GDAL cannot open it as a vector source: %s", r->source,
                           gdal__message(&r->e));
    r->driver = GDALGetDriverShortName(GDALGetDatasetDriver(r->ds));
    if (r->opts->encoding && !strcmp(r->driver, "ESRI Shapefile")) {
        /* the raw DBF bytes, converted strictly here: GDAL's own recoding replaces what it cannot convert */
        GDALClose(r->ds);
        const char *const shp_driver[] = {"ESRI Shapefile", NULL};
        r->ds = GDALOpenEx(r->file, flags, shp_driver, no_recoding, NULL);
        if (!r->ds)
            return emscov_fail(r->ctx, EMS_EINPUT, "%s: GDAL cannot open it as a vector source: %s", r->source,
                               gdal__message(&r->e));
    }
    return EMS_OK;
}

static ems_status choose_layer(gdal_reader *r)
{
    char names[512];
    int n = GDALDatasetGetLayerCount(r->ds);
    if (r->lname) {
        if (!(r->ol = GDALDatasetGetLayerByName(r->ds, r->lname)))
            return emscov_fail(r->ctx, EMS_EINPUT, "%s: no layer \"%s\"; the layers are: %s", r->file, r->lname,
                               layer_names(r->ds, names, sizeof names));
        return EMS_OK;
    }
    for (int k = 0; k < n && !r->ol; k++) {
        OGRLayerH ol = GDALDatasetGetLayer(r->ds, k);
        if (OGR_FD_GetGeomFieldCount(OGR_L_GetLayerDefn(ol)) > 0) r->ol = ol;
    }
    if (!r->ol && r->e.failure[0])
        return emscov_fail(r->ctx, EMS_EINPUT, "%s: GDAL finds no layer: %s", r->source, r->e.failure);
    if (!r->ol)
        return emscov_fail(r->ctx, EMS_EINPUT, "%s: no layer with geometries (layers: %s)", r->source,
                           layer_names(r->ds, names, sizeof names));
    return EMS_OK;
}

/* The layer's CRS: --srs, else its SRS as GDAL read it. NULL (no CRS) is left to layer_finish_read. */
static ems_status set_crs(gdal_reader *r)
{
    crs *c = NULL;
    char from[200];
    ems_status st = EMS_OK;
    if (r->opts->srs) {
        if ((st = crs_from_string(r->ctx, r->opts->srs, &c)) != EMS_OK) {
            char msg[600];
            snprintf(msg, sizeof msg, "%s", emscov_message(r->ctx));
            return emscov_fail(r->ctx, st, "--srs: %s", msg);
        }
        snprintf(from, sizeof from, "--srs");
    } else {
        OGRSpatialReferenceH srs = OGR_L_GetSpatialRef(r->ol);
        if (!srs) return EMS_OK;
        /* the data's first axis must be the CRS's east-west one (GDAL's traditional GIS order) */
        int nmap = 0;
        const int *map = OSRGetDataAxisToSRSAxisMapping(srs, &nmap);
        OGRAxisOrientation first = OAO_Other;
        if (map && nmap >= 2 && (map[0] == 1 || map[0] == 2 || map[0] == -1 || map[0] == -2))
            OSRGetAxis(srs, NULL, abs(map[0]) - 1, &first);
        if (first == OAO_North || first == OAO_South)
            return emscov_fail(r->ctx, EMS_EINPUT,
                               "%s: GDAL hands out this layer's coordinates northing (latitude) first; emscov reads "
                               "easting first: convert it with ogr2ogr, or give --srs", r->source);
        if ((st = gdal__crs(r->ctx, srs, r->source, &c)) != EMS_OK) return st;
        snprintf(from, sizeof from, "%s, GDAL's %s driver", !strcmp(r->driver, "ESRI Shapefile") ? ".prj" : "layer SRS",
                 r->driver);
    }
    st = layer_set_crs(r->ctx, r->l, c, from);
    crs_destroy(c);
    return st;
}

/* A name or value from the driver as UTF-8: as is when valid, converted from --encoding when the driver
 * does not hand out UTF-8 and one was given; *owned (free) receives a converted copy. */
static ems_status to_utf8(gdal_reader *r, const char *s, const char **out, char **owned, int64_t rec, GIntBig fid,
                          const char *field)
{
    char fidbuf[40], msg[400];
    *owned = NULL;
    ems_status st = EMS_OK;
    if (r->conv) {
        if ((st = encoding_to_utf8(r->ctx, r->conv, s, strlen(s), owned)) == EMS_OK) *out = *owned;
    } else if (encoding_is_utf8(s, strlen(s))) {
        *out = s;
        return EMS_OK;
    } else {
        st = emscov_fail(r->ctx, EMS_EINPUT, "not valid UTF-8");
    }
    if (st != EMS_EINPUT) return st;
    snprintf(msg, sizeof msg, "%s", emscov_message(r->ctx));
    if (rec > 0)
        return emscov_fail(r->ctx, st, "%s: record %lld%s: field %s: %s (%s)", r->source, (long long)rec,
                           fid_text(fid, fidbuf), field, msg, r->enc_hint);
    return emscov_fail(r->ctx, st, "%s: %s: %s (%s)", r->source, field, msg, r->enc_hint);
}

/* The text encoding: who converts it and what the layer says about it. */
static ems_status choose_encoding(gdal_reader *r, const char **name, char *from, size_t cap)
{
    const char *given = r->opts->encoding;
    bool shp = !strcmp(r->driver, "ESRI Shapefile");
    r->utf8 = OGR_L_TestCapability(r->ol, OLCStringsAsUTF8) && !(shp && given);
    if (r->utf8) {
        const char *src = shp ? GDALGetMetadataItem((GDALMajorObjectH)r->ol, "SOURCE_ENCODING", "SHAPEFILE") : NULL;
        *name = src && encoding_canonical(src) ? encoding_canonical(src) : "UTF-8";
        if (src && *src)
            snprintf(from, cap, ".cpg or LDID \"%s\", GDAL's %s driver", src, r->driver);
        else
            snprintf(from, cap, "declared by GDAL's %s driver", r->driver);
        snprintf(r->enc_hint, sizeof r->enc_hint, "GDAL's %s driver declares its text UTF-8", r->driver);
        if (given) {
            ems_status st = layer_note_add(r->ctx, r->l, LAYER_NOTE_WARNING, 0,
                                           "--encoding %s ignored: GDAL's %s driver hands out UTF-8", given, r->driver);
            if (st != EMS_OK) return st;
            emscov_warn(r->ctx, "%s: --encoding %s ignored: GDAL's %s driver hands out UTF-8", r->source, given,
                        r->driver);
        }
        return EMS_OK;
    }
    if (given) {
        ems_status st = encoding_open(r->ctx, given, &r->conv);
        if (st != EMS_OK) {
            char msg[600];
            snprintf(msg, sizeof msg, "%s", emscov_message(r->ctx));
            return emscov_fail(r->ctx, st, "--encoding: %s", msg);
        }
        *name = encoding_name(r->conv);
        snprintf(from, cap, "--encoding");
        snprintf(r->enc_hint, sizeof r->enc_hint, "encoding from --encoding %.40s; try another --encoding", given);
        return EMS_OK;
    }
    *name = "UTF-8";
    snprintf(from, cap, "checked: valid UTF-8, GDAL's %s driver", r->driver);
    snprintf(r->enc_hint, sizeof r->enc_hint,
             "GDAL's %s driver does not say how its text is encoded: UTF-8 was assumed; give it with --encoding, "
             "e.g. --encoding GBK", r->driver);
    return EMS_OK;
}

static ems_status read_fields(gdal_reader *r)
{
    OGRFeatureDefnH fd = OGR_L_GetLayerDefn(r->ol);
    int nf = OGR_FD_GetFieldCount(fd);
    const char *enc = NULL;
    char from[200];
    ems_status st = choose_encoding(r, &enc, from, sizeof from);
    if (st != EMS_OK) return st;
    if (!(r->fields = ems_calloc(r->ctx, (size_t)(nf > 0 ? nf : 1), sizeof *r->fields))) return EMS_ENOMEM;
    bool text = false;
    for (int j = 0; j < nf && st == EMS_OK; j++) {
        OGRFieldDefnH d = OGR_FD_GetFieldDefn(fd, j);
        OGRFieldType t = OGR_Fld_GetType(d);
        OGRFieldSubType sub = OGR_Fld_GetSubType(d);
        char *owned = NULL;
        const char *name = NULL;
        char what[32];
        snprintf(what, sizeof what, "field %d name", j + 1);
        if ((st = to_utf8(r, OGR_Fld_GetNameRef(d), &name, &owned, 0, OGRNullFID, what)) != EMS_OK) break;
        layer_field_type type = LAYER_FIELD_STRING;
        bool known = true;
        switch (t) {
        case OFTInteger: type = sub == OFSTBoolean ? LAYER_FIELD_LOGICAL : LAYER_FIELD_INT; break;
        case OFTInteger64: type = LAYER_FIELD_INT; break;
        case OFTReal: type = LAYER_FIELD_DOUBLE; break;
        case OFTDate: type = LAYER_FIELD_DATE; break;
        case OFTString:
        case OFTDateTime:
        case OFTTime: type = LAYER_FIELD_STRING; break;
        default: known = false; break;
        }
        if (!known) {
            st = layer_note_add(r->ctx, r->l, LAYER_NOTE_WARNING, 0,
                                "field %s: GDAL type %s is not one emscov reads: skipped", name, OGR_GetFieldTypeName(t));
        } else {
            int width = t == OFTString || t == OFTInteger || t == OFTInteger64 || t == OFTReal ? OGR_Fld_GetWidth(d) : 0;
            int prec = t == OFTReal ? OGR_Fld_GetPrecision(d) : 0;
            if ((st = layer_add_field(r->ctx, r->l, name, type, width, prec)) == EMS_OK) {
                const layer_field *lf = layer_field_at(r->l, layer_field_count(r->l) - 1);
                r->fields[r->nfields++] = (gdal_field){.ogr = j, .type = type, .ogr_type = t, .name = lf->name};
                text |= type == LAYER_FIELD_STRING;
            }
        }
        free(owned);
    }
    if (st == EMS_OK && OGR_FD_GetGeomFieldCount(fd) > 1)
        st = layer_note_add(r->ctx, r->l, LAYER_NOTE_WARNING, 0, "%d geometry columns: the first, %s, is read",
                            OGR_FD_GetGeomFieldCount(fd), OGR_L_GetGeometryColumn(r->ol));
    if (st == EMS_OK && text) st = layer_set_encoding(r->ctx, r->l, enc, from);
    return st;
}

/* DateTime / Time as ISO 8601 text ("2024-05-01T08:30:00", "+08:00" or "Z" when GDAL knows the zone). */
static void iso_time(OGRFeatureH f, int j, OGRFieldType t, char *buf, size_t cap)
{
    int y = 0, m = 0, d = 0, hh = 0, mi = 0, tz = 0;
    float sec = 0;
    OGR_F_GetFieldAsDateTimeEx(f, j, &y, &m, &d, &hh, &mi, &sec, &tz);
    char s[16], zone[16] = "";
    if (sec == floorf(sec))
        snprintf(s, sizeof s, "%02d", (int)sec);
    else
        snprintf(s, sizeof s, "%06.3f", (double)sec);
    if (tz == 100)
        snprintf(zone, sizeof zone, "Z");
    else if (tz > 1) {
        int off = (tz - 100) * 15;
        snprintf(zone, sizeof zone, "%c%02d:%02d", off < 0 ? '-' : '+', abs(off) / 60, abs(off) % 60);
    }
    if (t == OFTTime)
        snprintf(buf, cap, "%02d:%02d:%s%s", hh, mi, s, zone);
    else
        snprintf(buf, cap, "%04d-%02d-%02dT%02d:%02d:%s%s", y, m, d, hh, mi, s, zone);
}

/* Feature f's values into vals; strings converted or formatted here go into owned (free after use). */
static ems_status read_values(gdal_reader *r, OGRFeatureH f, int64_t rec, layer_value *vals, char **owned)
{
    GIntBig fid = OGR_F_GetFID(f);
    for (size_t k = 0; k < r->nfields; k++) {
        const gdal_field *gf = &r->fields[k];
        layer_value *v = &vals[k];
        owned[k] = NULL;
        *v = (layer_value){.is_null = !OGR_F_IsFieldSetAndNotNull(f, gf->ogr)};
        if (v->is_null) continue;
        switch (gf->type) {
        case LAYER_FIELD_INT: v->u.i = OGR_F_GetFieldAsInteger64(f, gf->ogr); break;
        case LAYER_FIELD_LOGICAL: v->u.b = OGR_F_GetFieldAsInteger(f, gf->ogr) != 0; break;
        case LAYER_FIELD_DOUBLE: v->u.d = OGR_F_GetFieldAsDouble(f, gf->ogr); break;
        case LAYER_FIELD_DATE: {
            int y = 0, m = 0, d = 0, hh, mi, tz;
            float sec;
            OGR_F_GetFieldAsDateTimeEx(f, gf->ogr, &y, &m, &d, &hh, &mi, &sec, &tz);
            v->u.date = y * 10000 + m * 100 + d;
            break;
        }
        case LAYER_FIELD_STRING:
            if (gf->ogr_type == OFTDateTime || gf->ogr_type == OFTTime) {
                char buf[64];
                iso_time(f, gf->ogr, gf->ogr_type, buf, sizeof buf);
                if (!(owned[k] = ems_strdup(r->ctx, buf))) return EMS_ENOMEM;
                v->u.s = owned[k];
            } else {
                ems_status st = to_utf8(r, OGR_F_GetFieldAsString(f, gf->ogr), &v->u.s, &owned[k], rec, fid, gf->name);
                if (st != EMS_OK) return st;
            }
            break;
        }
    }
    return EMS_OK;
}

/* Feature f's geometry for GEOS: *g NULL for none, an empty collection for an empty one; *why says why when
 * it cannot be read (then *g is NULL). */
static ems_status read_geom(gdal_reader *r, OGRFeatureH f, GEOSGeometry **g, char *why, size_t cap)
{
    GEOSContextHandle_t h = emscov_geos(r->ctx);
    *g = NULL;
    why[0] = '\0';
    OGRGeometryH og = OGR_F_GetGeometryRef(f); /* the feature's own: changed in place below */
    if (!og) return EMS_OK;
    if (OGR_G_IsEmpty(og)) {
        *g = GEOSGeom_createEmptyCollection_r(h, GEOS_GEOMETRYCOLLECTION);
        return *g ? EMS_OK : emscov_fail(r->ctx, EMS_ENOMEM, "%s: out of memory", r->source);
    }
    OGRGeometryH lin = NULL;
    if (OGR_G_HasCurveGeometry(og, 1)) {
        if (!(lin = OGR_G_GetLinearGeometry(og, 0, NULL))) {
            snprintf(why, cap, "curved geometry GDAL cannot approximate (%.200s)", gdal__message(&r->e));
            return EMS_OK;
        }
        og = lin;
        r->curved++;
    }
    if (OGR_G_Is3D(og) || OGR_G_IsMeasured(og)) {
        OGR_G_Set3D(og, 0);
        OGR_G_SetMeasured(og, 0);
        r->had_zm = true;
    }
    ems_status st = EMS_OK;
    size_t n = (size_t)OGR_G_WkbSize(og);
    if (!ems_grow(r->ctx, (void **)&r->wkb, &r->wkb_cap, n ? n : 1, 1))
        st = EMS_ENOMEM;
    else if (OGR_G_ExportToIsoWkb(og, wkbNDR, r->wkb) != OGRERR_NONE)
        snprintf(why, cap, "GDAL cannot write it as WKB");
    else if (!(*g = GEOSWKBReader_read_r(h, r->wkb_reader, r->wkb, n)))
        snprintf(why, cap, "geometry GEOS cannot read (%s)", emscov_lib_message(r->ctx));
    if (lin) OGR_G_DestroyGeometry(lin);
    return st;
}

static ems_status read_features(gdal_reader *r)
{
    GEOSContextHandle_t h = emscov_geos(r->ctx);
    size_t nv = r->nfields ? r->nfields : 1;
    layer_value *vals = ems_calloc(r->ctx, nv, sizeof *vals);
    char **owned = ems_calloc(r->ctx, nv, sizeof *owned);
    ems_status st = vals && owned ? EMS_OK : EMS_ENOMEM;
    if (st == EMS_OK && !(r->wkb_reader = GEOSWKBReader_create_r(h)))
        st = emscov_fail(r->ctx, EMS_ENOMEM, "%s: GEOS WKB reader: out of memory", r->source);
    int64_t rec = 0;
    char fidbuf[40];
    OGR_L_ResetReading(r->ol);
    OGRFeatureH f;
    while (st == EMS_OK && (f = OGR_L_GetNextFeature(r->ol)) != NULL) {
        rec++;
        GIntBig fid = OGR_F_GetFID(f);
        GEOSGeometry *g = NULL;
        char why[300];
        st = read_values(r, f, rec, vals, owned);
        if (st == EMS_OK) st = read_geom(r, f, &g, why, sizeof why);
        if (st == EMS_OK && r->e.failure[0])
            st = emscov_fail(r->ctx, EMS_EINPUT, "%s: record %lld%s: GDAL: %s", r->source, (long long)rec,
                             fid_text(fid, fidbuf), r->e.failure);
        if (st == EMS_OK && why[0]) {
            char at[40] = "";
            if (fid != OGRNullFID) snprintf(at, sizeof at, "FID %lld: ", (long long)fid);
            if ((st = layer_note_add(r->ctx, r->l, LAYER_NOTE_WARNING, rec, "%s%s: skipped", at, why)) == EMS_OK)
                st = layer_append_skipped(r->ctx, r->l, rec, LAYER_SKIP_UNREADABLE, r->nfields ? vals : NULL);
        } else if (st == EMS_OK) {
            st = layer_append_take(r->ctx, r->l, g, rec, r->nfields ? vals : NULL);
            g = NULL;
        }
        GEOSGeom_destroy_r(h, g);
        for (size_t k = 0; k < r->nfields; k++) {
            free(owned[k]);
            owned[k] = NULL;
        }
        OGR_F_Destroy(f);
    }
    /* a feature GDAL could not decode ends the loop early: that is an error, not the end of the data */
    if (st == EMS_OK && (r->e.failure[0] || CPLGetLastErrorType() == CE_Failure))
        st = emscov_fail(r->ctx, EMS_EINPUT, "%s: after record %lld: GDAL: %s", r->source, (long long)rec,
                         gdal__message(&r->e));
    if (st == EMS_OK && r->had_zm)
        st = layer_note_add(r->ctx, r->l, LAYER_NOTE_WARNING, 0, "Z and M values dropped (read as 2D)");
    if (st == EMS_OK && r->curved)
        st = layer_note_add(r->ctx, r->l, LAYER_NOTE_WARNING, 0,
                            "%zu curved geometries approximated by straight segments (GDAL)", r->curved);
    layer_set_source_records(r->l, (size_t)rec);
    free(vals);
    free(owned);
    return st;
}

/* GDAL's warnings: layer notes, and warnings of the ctx (stderr in the CLI). */
static ems_status pass_warnings(gdal_reader *r)
{
    ems_status st = EMS_OK;
    for (size_t k = 0; k < r->e.nwarnings && st == EMS_OK; k++) {
        emscov_warn(r->ctx, "%s: GDAL: %s", r->source, r->e.warnings[k]);
        st = layer_note_add(r->ctx, r->l, LAYER_NOTE_WARNING, 0, "GDAL: %s", r->e.warnings[k]);
    }
    if (st == EMS_OK && r->e.more_warnings)
        st = layer_note_add(r->ctx, r->l, LAYER_NOTE_WARNING, 0, "GDAL: %zu more warnings", r->e.more_warnings);
    return st;
}

ems_status layer__read_gdal(emscov_ctx *ctx, const char *path, const layer_read_opts *opts, layer **out)
{
    *out = NULL;
    gdal_reader r = {.ctx = ctx, .opts = opts, .source = path};
    gdal__begin(&r.e);
    ems_status st = layer__split_source(ctx, path, &r.file, &r.lname);
    if (st == EMS_OK) st = open_source(&r);
    if (st == EMS_OK) st = choose_layer(&r);
    if (st == EMS_OK) {
        char name[1200], format[120];
        if (r.lname || GDALDatasetGetLayerCount(r.ds) > 1)
            snprintf(name, sizeof name, "%s:%s", r.file, OGR_L_GetName(r.ol));
        else
            snprintf(name, sizeof name, "%s", path);
        snprintf(format, sizeof format, "%s (GDAL)", r.driver);
        st = layer_create(ctx, name, format, NULL, &r.l);
    }
    if (st == EMS_OK && !r.lname && GDALDatasetGetLayerCount(r.ds) > 1) {
        char names[512];
        st = layer_note_add(ctx, r.l, LAYER_NOTE_WARNING, 0, "%s has %d layers (%s): read %s; name another as %s:LAYER",
                            r.file, GDALDatasetGetLayerCount(r.ds), layer_names(r.ds, names, sizeof names),
                            OGR_L_GetName(r.ol), r.file);
    }
    if (st == EMS_OK) st = set_crs(&r);
    if (st == EMS_OK) st = read_fields(&r);
    if (st == EMS_OK) st = read_features(&r);
    if (st == EMS_OK) st = pass_warnings(&r);
    if (st == EMS_OK) st = layer_finish_read(ctx, r.l, opts);
    if (r.wkb_reader) GEOSWKBReader_destroy_r(emscov_geos(ctx), r.wkb_reader);
    if (r.ds) GDALClose(r.ds);
    gdal__end();
    encoding_close(r.conv);
    free(r.wkb);
    free(r.fields);
    free(r.file);
    free(r.lname);
    if (st == EMS_OK)
        *out = r.l;
    else
        layer_destroy(r.l);
    return st;
}
