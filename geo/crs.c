/* geo/crs.c: coordinate reference systems on top of PROJ 9 (see crs.h).
 *
 * A crs keeps the PJ as parsed (a BoundCRS from +towgs84 stays bound, so transforms use its shift) and, for
 * questions about the horizontal CRS (name, EPSG code, geographic or projected, units), the "horizontal"
 * part: the source CRS of a BoundCRS, the first component of a CompoundCRS. Everything derived (name, EPSG,
 * WKT) is computed once at creation, so the const getters never call PROJ. Every PROJ call uses the PROJ
 * context of the emscov_ctx that made the object. */
#include "geo/crs.h"

#include <ctype.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct crs {
    PJ_CONTEXT *pjctx;
    PJ *pj;    /* as parsed; used for transforms */
    PJ *horiz; /* horizontal CRS (== a separate object even when it is pj itself) */
    char *name;
    char *wkt;
    int epsg;
    bool geographic;
    bool projected_metric;
    double tm_cm; /* central meridian (degrees) of a Transverse Mercator projection (UTM, Gauss-Kruger); NaN */
    double semi_major; /* of the horizontal CRS's ellipsoid, metres; 0 when unknown */
};

struct crs_transformer {
    PJ_CONTEXT *pjctx;
    PJ *op;                 /* normalised for visualisation: x = lon/easting, y = lat/northing */
    bool multi;             /* op holds several candidate operations chosen per point */
    bool ballpark;          /* single operation that is a ballpark */
    bool ellipsoids_differ; /* semi-major axes of the two datums differ (or are unknown) */
};

#define CRS_SNIPPET 60
#define CRS_PI 3.14159265358979323846

/* ---- parsing ----------------------------------------------------------------------------------------- */

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Trim whitespace and a UTF-8 BOM; returns a new string (NULL on ENOMEM, message set). */
static char *trimmed_copy(emscov_ctx *ctx, const char *text)
{
    const char *s = text;
    if ((unsigned char)s[0] == 0xEF && (unsigned char)s[1] == 0xBB && (unsigned char)s[2] == 0xBF) s += 3;
    while (*s && is_space(*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && is_space(s[n - 1]))
        n--;
    return ems_strndup(ctx, s, n);
}

static bool all_digits(const char *s)
{
    if (!*s) return false;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s)) return false;
    return true;
}

/* The text PROJ should see: bare numbers become EPSG codes, PROJ strings become CRS definitions. */
static char *proj_input(emscov_ctx *ctx, const char *t)
{
    size_t n = strlen(t);
    char *s = ems_malloc(ctx, n + 16);
    if (!s) return NULL;
    if (all_digits(t))
        snprintf(s, n + 16, "EPSG:%s", t);
    else if (t[0] == '+' && !strstr(t, "type=crs"))
        snprintf(s, n + 16, "%s +type=crs", t);
    else
        memcpy(s, t, n + 1);
    return s;
}

/* A run of n >= 1 characters of the given class at s; returns n (0: none). */
static size_t span_of(const char *s, const char *extra)
{
    size_t n = 0;
    while (s[n] && (isalnum((unsigned char)s[n]) || strchr(extra, s[n])))
        n++;
    return n;
}

/* Is s, to its end, min..max colon-separated fields of [A-Za-z0-9_.-] (empty fields allowed)? */
static bool colon_fields(const char *s, int min, int max)
{
    int fields = 0;
    for (;;) {
        s += span_of(s, "_.-");
        fields++;
        if (*s == '\0') return fields >= min && fields <= max;
        if (*s != ':') return false;
        s++;
    }
}

static bool starts_nocase(const char *s, const char *prefix)
{
    return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

/* The WKT 1 (OGC and ESRI) and WKT 2 keywords that open a coordinate reference system. */
static bool wkt_crs_keyword(const char *s, size_t n)
{
    static const char *const kw[] = {"GEOGCS", "PROJCS", "GEOCCS", "VERT_CS", "COMPD_CS", "LOCAL_CS",
                                     "FITTED_CS", "GEODCRS", "GEODETICCRS", "GEOGCRS", "GEOGRAPHICCRS", "PROJCRS",
                                     "PROJECTEDCRS", "VERTCRS", "VERTICALCRS", "COMPOUNDCRS", "BOUNDCRS",
                                     "ENGCRS", "ENGINEERINGCRS", "PARAMETRICCRS", "TIMECRS", "DERIVEDPROJCRS"};
    for (size_t i = 0; i < sizeof kw / sizeof kw[0]; i++)
        if (strlen(kw[i]) == n && strncasecmp(s, kw[i], n) == 0) return true;
    return false;
}

/* Does a PROJ string name its projection (a "+proj=" word)? Without one PROJ searches its database by name. */
static bool has_proj_word(const char *t)
{
    for (const char *p = strstr(t, "+proj="); p; p = strstr(p + 1, "+proj="))
        if (p == t || is_space(p[-1])) return true;
    return false;
}

/* AUTHORITY:CODE (an authority name of 1-16 letters, digits or '_' starting with a letter; a code of letters,
 * digits, '_', '.' or '-'), optionally followed by "+CODE" or "+AUTHORITY:CODE" parts of a compound CRS. */
static bool auth_code_form(const char *t)
{
    size_t a = span_of(t, "_");
    if (a == 0 || a > 16 || !isalpha((unsigned char)t[0]) || t[a] != ':') return false;
    const char *p = t + a + 1;
    for (;;) {
        size_t n = span_of(p, "_.-");
        if (n == 0) return false;
        p += n;
        if (*p == ':') { /* a part with its own authority: what came before was that authority's name */
            if (n > 16 || !isalpha((unsigned char)p[-(ptrdiff_t)n])) return false;
            n = span_of(++p, "_.-");
            if (n == 0) return false;
            p += n;
        }
        if (*p == '\0') return true;
        if (*p != '+') return false;
        p++;
    }
}

/* One of the forms docs/crs.md names: a bare code (digits); AUTHORITY:CODE (auth_code_form); an OGC URN
 * (urn:ogc:def:TYPE:AUTHORITY:[VERSION]:CODE) or URL (http://www.opengis.net/def/...); WKT 1 or 2 (a CRS
 * keyword, then '[' or '('); a PROJ string with a "+proj=" word; PROJJSON ('{'). PROJ reads anything else,
 * including malformed variants of these, as an object name and searches its whole database for it (about
 * 0.1 s per text, and a name that happens to match would be taken silently), so it is refused first. */
static bool documented_form(const char *t)
{
    if (all_digits(t) || t[0] == '{') return true;
    if (t[0] == '+') return has_proj_word(t);
    if (starts_nocase(t, "urn:ogc:def:")) return colon_fields(t, 6, 7);
    if (starts_nocase(t, "http://www.opengis.net/def/") || starts_nocase(t, "https://www.opengis.net/def/"))
        return t[span_of(t, "_.-:/")] == '\0';
    if (auth_code_form(t)) return true;
    size_t n = span_of(t, "_");
    if (n == 0 || !wkt_crs_keyword(t, n)) return false;
    const char *p = t + n;
    while (is_space(*p))
        p++;
    return *p == '[' || *p == '(';
}

/* For AUTHORITY:CODE forms: is every part a CRS in PROJ's database? A direct look-up answers in microseconds;
 * proj_create would spend milliseconds searching before it says no. Writes the reason into why. */
static bool auth_codes_known(PJ_CONTEXT *pc, const char *t, char *why, size_t why_len)
{
    char auth[17];
    size_t a = span_of(t, "_");
    snprintf(auth, sizeof auth, "%.*s", (int)a, t);
    const char *p = t + a + 1;
    while (*p) {
        char part_auth[17], code[64];
        size_t n = span_of(p, "_.-");
        snprintf(part_auth, sizeof part_auth, "%s", auth);
        if (p[n] == ':') {
            snprintf(part_auth, sizeof part_auth, "%.*s", (int)n, p);
            p += n + 1;
            n = span_of(p, "_.-");
        }
        if (n >= sizeof code) {
            snprintf(why, why_len, "code of %zu characters: too long", n);
            return false;
        }
        snprintf(code, sizeof code, "%.*s", (int)n, p);
        PJ *pj = proj_create_from_database(pc, part_auth, code, PJ_CATEGORY_CRS, 0, NULL);
        if (!pj) {
            snprintf(why, why_len, "no CRS %s:%s in PROJ's database", part_auth, code);
            return false;
        }
        proj_destroy(pj);
        p += n;
        if (*p == '+') p++;
    }
    return true;
}

/* Parse trimmed text into a CRS PJ. On failure returns NULL with a reason in why (no message set) unless
 * *st says ENOMEM. */
static PJ *parse_crs(emscov_ctx *ctx, const char *text, char *why, size_t why_len, ems_status *st)
{
    PJ_CONTEXT *pc = emscov_proj(ctx);
    *st = EMS_OK;
    if (!*text) {
        snprintf(why, why_len, "empty text");
        return NULL;
    }
    if (!documented_form(text)) {
        snprintf(why, why_len, "not EPSG:n (or n), WKT or a PROJ string");
        return NULL;
    }
    if (all_digits(text)) {
        char code[40];
        if (strlen(text) > 24) {
            snprintf(why, why_len, "a code of %zu digits: too long", strlen(text));
            return NULL;
        }
        snprintf(code, sizeof code, "EPSG:%s", text);
        if (!auth_codes_known(pc, code, why, why_len)) return NULL;
    } else if (auth_code_form(text) && !auth_codes_known(pc, text, why, why_len)) {
        return NULL;
    }
    char *input = proj_input(ctx, text);
    if (!input) {
        *st = EMS_ENOMEM;
        return NULL;
    }
    /* PROJ logs its reason through the ctx's log hook; a message equal to the one before is stale. */
    char before[256];
    snprintf(before, sizeof before, "%s", emscov_lib_message(ctx));
    PJ *pj = proj_create(pc, input);
    free(input);
    if (!pj) {
        const char *lib = emscov_lib_message(ctx);
        int err = proj_context_errno(pc);
        if (*lib && strncmp(lib, before, sizeof before - 1) != 0)
            snprintf(why, why_len, "%s", lib);
        else if (err)
            snprintf(why, why_len, "%s", proj_context_errno_string(pc, err));
        else
            snprintf(why, why_len, "not recognised by PROJ");
        return NULL;
    }
    if (!proj_is_crs(pj)) {
        snprintf(why, why_len, "not a coordinate reference system (PROJ reads it as an operation)");
        proj_destroy(pj);
        return NULL;
    }
    return pj;
}

/* ---- building a crs ---------------------------------------------------------------------------------- */

static PJ *horizontal_of(PJ_CONTEXT *pc, PJ *pj)
{
    PJ *h = proj_clone(pc, pj);
    for (int depth = 0; h && depth < 4; depth++) {
        PJ_TYPE t = proj_get_type(h);
        PJ *next = NULL;
        if (t == PJ_TYPE_BOUND_CRS)
            next = proj_get_source_crs(pc, h);
        else if (t == PJ_TYPE_COMPOUND_CRS)
            next = proj_crs_get_sub_crs(pc, h, 0);
        else
            break;
        if (!next) break;
        proj_destroy(h);
        h = next;
    }
    return h;
}

/* EPSG code of obj: its own EPSG id, else proj_identify. Policy: a code is reported only when exactly one
 * EPSG CRS matches with confidence 100 (PROJ gives 100 when the definitions are equivalent and the names
 * match or are known aliases, e.g. ESRI "CGCS2000_3_Degree_GK_CM_117E" -> EPSG:4548). Matches at 70 or 50
 * (same parameters, different or unknown datum name, e.g. "D_unknown") are not reported: a wrong EPSG
 * code would be worse than none, and the CRS still works from its definition. */
static int identify_epsg(PJ_CONTEXT *pc, const PJ *obj)
{
    const char *auth = proj_get_id_auth_name(obj, 0);
    const char *code = proj_get_id_code(obj, 0);
    if (auth && code && strcmp(auth, "EPSG") == 0 && all_digits(code)) return atoi(code);
    int *conf = NULL;
    PJ_OBJ_LIST *list = proj_identify(pc, obj, "EPSG", NULL, &conf);
    int found = 0, n100 = 0;
    if (list && conf) {
        int n = proj_list_get_count(list);
        for (int i = 0; i < n; i++) {
            if (conf[i] < 100) continue;
            PJ *cand = proj_list_get(pc, list, i);
            const char *cc = cand ? proj_get_id_code(cand, 0) : NULL;
            if (cc && all_digits(cc)) {
                n100++;
                found = atoi(cc);
            }
            proj_destroy(cand);
        }
    }
    proj_int_list_destroy(conf);
    proj_list_destroy(list);
    return n100 == 1 ? found : 0;
}

static bool metric_axes(PJ_CONTEXT *pc, const PJ *h)
{
    PJ *cs = proj_crs_get_coordinate_system(pc, h);
    if (!cs) return false;
    int n = proj_cs_get_axis_count(pc, cs);
    bool ok = n >= 2;
    for (int i = 0; ok && i < n; i++) {
        double factor = 0;
        if (!proj_cs_get_axis_info(pc, cs, i, NULL, NULL, NULL, &factor, NULL, NULL, NULL) ||
            fabs(factor - 1.0) > 1e-12)
            ok = false;
    }
    proj_destroy(cs);
    return ok;
}

/* The central meridian (degrees) of a projected CRS whose conversion is Transverse Mercator (UTM zones,
 * Gauss-Kruger zones, ...); NaN for any other CRS. */
static double tm_central_meridian(PJ_CONTEXT *pc, const PJ *proj_crs)
{
    PJ *conv = proj_crs_get_coordoperation(pc, proj_crs);
    const char *method = NULL;
    double cm = NAN;
    if (conv && proj_coordoperation_get_method_info(pc, conv, &method, NULL, NULL) && method &&
        !strcmp(method, "Transverse Mercator")) {
        int k = proj_coordoperation_get_param_index(pc, conv, "Longitude of natural origin");
        double v = NAN, conv_factor = 0;
        const char *unit = NULL;
        if (k >= 0 && proj_coordoperation_get_param(pc, conv, k, NULL, NULL, NULL, &v, NULL, &conv_factor, &unit,
                                                    NULL, NULL, NULL) &&
            conv_factor > 0)
            cm = v * conv_factor * 180 / CRS_PI; /* the value in its unit -> radians -> degrees */
    }
    proj_destroy(conv);
    return cm;
}

static double semi_major_of(PJ_CONTEXT *pc, const PJ *h)
{
    PJ *ell = proj_get_ellipsoid(pc, h);
    double a = 0;
    if (ell && !proj_ellipsoid_get_parameters(pc, ell, &a, NULL, NULL, NULL)) a = 0;
    proj_destroy(ell);
    return a;
}

/* Wrap a CRS PJ (taken) into a new crs. */
static ems_status crs_wrap(emscov_ctx *ctx, PJ *pj, crs **out)
{
    PJ_CONTEXT *pc = emscov_proj(ctx);
    *out = NULL;
    crs *c = ems_calloc(ctx, 1, sizeof *c);
    if (!c) {
        proj_destroy(pj);
        return EMS_ENOMEM;
    }
    c->pjctx = pc;
    c->pj = pj;
    c->horiz = horizontal_of(pc, pj);
    if (!c->horiz) {
        crs_destroy(c);
        return emscov_fail(ctx, EMS_EINTERNAL, "PROJ could not copy a CRS: %s", emscov_lib_message(ctx));
    }
    bool bound = proj_get_type(pj) == PJ_TYPE_BOUND_CRS;
    const PJ *named = bound ? c->horiz : pj;
    const char *name = proj_get_name(named);
    c->name = ems_strdup(ctx, name ? name : "unnamed");
    const char *wkt = proj_as_wkt(pc, pj, PJ_WKT2_2019, NULL);
    c->wkt = ems_strdup(ctx, wkt ? wkt : "");
    if (!c->name || !c->wkt) {
        crs_destroy(c);
        return EMS_ENOMEM;
    }
    c->epsg = identify_epsg(pc, bound ? c->horiz : pj);
    PJ_TYPE ht = proj_get_type(c->horiz);
    c->geographic = ht == PJ_TYPE_GEOGRAPHIC_2D_CRS || ht == PJ_TYPE_GEOGRAPHIC_3D_CRS;
    c->projected_metric = ht == PJ_TYPE_PROJECTED_CRS && metric_axes(pc, c->horiz);
    c->tm_cm = c->projected_metric ? tm_central_meridian(pc, c->horiz) : NAN;
    c->semi_major = semi_major_of(pc, c->horiz);
    *out = c;
    return EMS_OK;
}

ems_status crs_from_string(emscov_ctx *ctx, const char *text, crs **out)
{
    *out = NULL;
    char *t = trimmed_copy(ctx, text ? text : "");
    if (!t) return EMS_ENOMEM;
    char why[512];
    ems_status st;
    PJ *pj = parse_crs(ctx, t, why, sizeof why, &st);
    if (!pj) {
        if (st == EMS_OK)
            st = emscov_fail(ctx, EMS_EINPUT, "cannot parse CRS \"%.*s\": %s", CRS_SNIPPET, t, why);
        free(t);
        return st;
    }
    free(t);
    return crs_wrap(ctx, pj, out);
}

ems_status crs_from_prj(emscov_ctx *ctx, const char *path, crs **out)
{
    *out = NULL;
    char *buf = NULL;
    size_t len = 0;
    ems_status st = ems_read_file(ctx, path, &buf, &len);
    if (st != EMS_OK) return st;
    if (strlen(buf) != len) {
        free(buf);
        return emscov_fail(ctx, EMS_EINPUT, "%s: not a CRS definition (binary data)", path);
    }
    char *t = trimmed_copy(ctx, buf);
    free(buf);
    if (!t) return EMS_ENOMEM;
    if (!*t) {
        free(t);
        return emscov_fail(ctx, EMS_EINPUT, "%s: not a CRS definition (the file is empty)", path);
    }
    char why[512];
    PJ *pj = parse_crs(ctx, t, why, sizeof why, &st);
    free(t);
    if (!pj)
        return st != EMS_OK ? st : emscov_fail(ctx, EMS_EINPUT, "%s: not a CRS definition: %s", path, why);
    return crs_wrap(ctx, pj, out);
}

ems_status crs_from_epsg(emscov_ctx *ctx, int code, crs **out)
{
    *out = NULL;
    char txt[32];
    snprintf(txt, sizeof txt, "%d", code);
    PJ *pj =
        code > 0 ? proj_create_from_database(emscov_proj(ctx), "EPSG", txt, PJ_CATEGORY_CRS, 0, NULL) : NULL;
    if (!pj) return emscov_fail(ctx, EMS_EINPUT, "EPSG:%d: not a CRS code in PROJ's database", code);
    return crs_wrap(ctx, pj, out);
}

ems_status crs_clone(emscov_ctx *ctx, const crs *c, crs **out)
{
    *out = NULL;
    PJ_CONTEXT *pc = emscov_proj(ctx);
    crs *d = ems_calloc(ctx, 1, sizeof *d);
    if (!d) return EMS_ENOMEM;
    *d = *c;
    d->pjctx = pc;
    d->pj = proj_clone(pc, c->pj);
    d->horiz = proj_clone(pc, c->horiz);
    d->name = ems_strdup(ctx, c->name);
    d->wkt = ems_strdup(ctx, c->wkt);
    if (!d->pj || !d->horiz || !d->name || !d->wkt) {
        bool oom = !d->name || !d->wkt;
        crs_destroy(d);
        return oom ? EMS_ENOMEM : emscov_fail(ctx, EMS_EINTERNAL, "PROJ could not copy CRS \"%s\"", c->name);
    }
    *out = d;
    return EMS_OK;
}

void crs_destroy(crs *c)
{
    if (!c) return;
    proj_destroy(c->horiz);
    proj_destroy(c->pj);
    free(c->name);
    free(c->wkt);
    free(c);
}

/* ---- identification ---------------------------------------------------------------------------------- */

const char *crs_name(const crs *c)
{
    return c->name;
}

int crs_epsg(const crs *c)
{
    return c->epsg;
}

bool crs_is_geographic(const crs *c)
{
    return c->geographic;
}

bool crs_is_projected_metric(const crs *c)
{
    return c->projected_metric;
}

double crs_tm_central_meridian(const crs *c)
{
    return c->tm_cm;
}

bool crs_equivalent(const crs *a, const crs *b)
{
    if (a == b) return true;
    /* Both identified as the same EPSG CRS: equivalent even when one has EPSG axis order (northing first)
     * and the other ESRI's easting-first order, which PROJ's comparison would tell apart. */
    if (a->epsg && a->epsg == b->epsg) return true;
    return proj_is_equivalent_to_with_ctx(a->pjctx, a->pj, b->pj,
                                          PJ_COMP_EQUIVALENT_EXCEPT_AXIS_ORDER_GEOGCRS) != 0;
}

const char *crs_wkt(const crs *c)
{
    return c->wkt;
}

/* ---- the working CRS ------------------------------------------------------------------------------------ */

ems_status crs_check_near(emscov_ctx *ctx, const crs *working, const double lonlat[4], char **warning)
{
    *warning = NULL;
    double lon = (lonlat[0] + lonlat[2]) / 2, lat = (lonlat[1] + lonlat[3]) / 2;
    if (!isfinite(lon) || !isfinite(lat)) return EMS_OK;
    char text[800] = "";
    int n = snprintf(text, sizeof text, "working CRS %s", working->name);
    if (working->epsg) n += snprintf(text + n, sizeof text - (size_t)n, " [EPSG:%d]", working->epsg);
    size_t head = (size_t)n;
    double d = isfinite(working->tm_cm) ? fabs(remainder(lon - working->tm_cm, 360.0)) : 0;
    if (d > CRS_NEAR_DEG_MAX) {
        snprintf(text + head, sizeof text - head,
                 ": the data's centre (lon %.4f, lat %.4f) is %.1f degrees of longitude from its central meridian "
                 "(%.6g); more than %g distorts every distance and area: use the UTM zone of the data",
                 lon, lat, d, working->tm_cm, CRS_NEAR_DEG_MAX);
    } else {
        double w, s, e, no;
        const char *area = NULL;
        if (proj_get_area_of_use(working->pjctx, working->horiz, &w, &s, &e, &no, &area) && w > -1000 &&
            s > -1000) {
            bool in_lon = w <= e ? lon >= w && lon <= e : lon >= w || lon <= e; /* w > e: across 180 */
            int an = area ? (int)strlen(area) : 0;
            while (an > 0 && (area[an - 1] == '.' || area[an - 1] == ' '))
                an--;
            if (!in_lon || lat < s || lat > no)
                snprintf(text + head, sizeof text - head,
                         ": the data's centre (lon %.4f, lat %.4f) lies outside its area of use (%.*s: %.6g to %.6g "
                         "E, %.6g to %.6g N): positions may be distorted; use a CRS made for the data's area",
                         lon, lat, an ? an : 7, an ? area : "unnamed", w, e, s, no);
        }
    }
    if (!text[head]) return EMS_OK;
    return (*warning = ems_strdup(ctx, text)) ? EMS_OK : EMS_ENOMEM;
}

/* Zones are the plain 6-degree UTM grid: floor((lon + 180) / 6) + 1, clamped to 1..60 (lon = 180 falls in
 * zone 60). The Norway (32V) and Svalbard (31X-37X) exceptions are deliberately not applied: a working CRS
 * only needs to be conformal and near its central meridian, which the plain zone always is. */
ems_status crs_utm_for(emscov_ctx *ctx, double lon, double lat, crs **out)
{
    *out = NULL;
    if (!isfinite(lon) || !isfinite(lat) || lon < -180 || lon > 180 || lat < -90 || lat > 90)
        return emscov_fail(ctx, EMS_EINPUT,
                           "no UTM zone for longitude %.9g, latitude %.9g (not degrees on "
                           "Earth)",
                           lon, lat);
    int zone = (int)floor((lon + 180.0) / 6.0) + 1;
    if (zone < 1) zone = 1;
    if (zone > 60) zone = 60;
    return crs_from_epsg(ctx, (lat >= 0 ? 32600 : 32700) + zone, out);
}

/* ---- transforms -------------------------------------------------------------------------------------- */

static bool is_coordinate_operation(PJ_TYPE t)
{
    return t == PJ_TYPE_CONVERSION || t == PJ_TYPE_TRANSFORMATION || t == PJ_TYPE_CONCATENATED_OPERATION ||
           t == PJ_TYPE_OTHER_COORDINATE_OPERATION;
}

ems_status crs_transformer_create(emscov_ctx *ctx, const crs *from, const crs *to, crs_transformer **out)
{
    *out = NULL;
    PJ_CONTEXT *pc = emscov_proj(ctx);
    PJ *raw = proj_create_crs_to_crs_from_pj(pc, from->pj, to->pj, NULL, NULL);
    if (!raw)
        return emscov_fail(ctx, EMS_EINPUT, "no transformation from \"%s\" to \"%s\": %s", from->name,
                           to->name, proj_context_errno_string(pc, proj_context_errno(pc)));
    PJ *op = proj_normalize_for_visualization(pc, raw);
    proj_destroy(raw);
    if (!op)
        return emscov_fail(ctx, EMS_EINTERNAL,
                           "PROJ could not normalise the transformation from \"%s\" to "
                           "\"%s\": %s",
                           from->name, to->name, emscov_lib_message(ctx));
    crs_transformer *t = ems_calloc(ctx, 1, sizeof *t);
    if (!t) {
        proj_destroy(op);
        return EMS_ENOMEM;
    }
    t->pjctx = pc;
    t->op = op;
    t->multi = !is_coordinate_operation(proj_get_type(op));
    t->ballpark = !t->multi && proj_coordoperation_has_ballpark_transformation(pc, op);
    /* 0.5 m separates the modern geocentric ellipsoids (WGS 84, GRS 80, CGCS2000: 6378137) from the
     * classical ones (Krasovsky 6378245, IAG-75 6378140, Clarke 1866 6378206.4). */
    t->ellipsoids_differ =
        from->semi_major == 0 || to->semi_major == 0 || fabs(from->semi_major - to->semi_major) > 0.5;
    *out = t;
    return EMS_OK;
}

void crs_transformer_destroy(crs_transformer *t)
{
    if (!t) return;
    proj_destroy(t->op);
    free(t);
}

bool crs_transformer_is_ballpark(const crs_transformer *t)
{
    if (!t->ellipsoids_differ) return false;
    if (!t->multi) return t->ballpark;
    PJ *last = proj_trans_get_last_used_operation(t->op);
    if (!last) return false;
    bool b = is_coordinate_operation(proj_get_type(last)) &&
             proj_coordoperation_has_ballpark_transformation(t->pjctx, last);
    proj_destroy(last);
    return b;
}

static const char *op_error(crs_transformer *t)
{
    int err = proj_errno(t->op);
    return err ? proj_context_errno_string(t->pjctx, err) : "no result";
}

ems_status crs_transform_xy(emscov_ctx *ctx, crs_transformer *t, double *x, double *y, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        proj_errno_reset(t->op);
        PJ_COORD in = proj_coord(x[i], y[i], 0, 0);
        PJ_COORD r = proj_trans(t->op, PJ_FWD, in);
        if (!isfinite(r.xy.x) || !isfinite(r.xy.y) || r.xy.x == HUGE_VAL || r.xy.y == HUGE_VAL)
            return emscov_fail(ctx, EMS_EINPUT, "cannot transform point index %zu (%.10g %.10g): %s", i, x[i],
                               y[i], op_error(t));
        x[i] = r.xy.x;
        y[i] = r.xy.y;
    }
    return EMS_OK;
}

typedef struct transform_state {
    crs_transformer *t;
    bool failed;
    double fx, fy;
} transform_state;

static int transform_cb(double *x, double *y, void *user)
{
    transform_state *s = user;
    proj_errno_reset(s->t->op);
    PJ_COORD r = proj_trans(s->t->op, PJ_FWD, proj_coord(*x, *y, 0, 0));
    if (!isfinite(r.xy.x) || !isfinite(r.xy.y)) {
        s->failed = true;
        s->fx = *x;
        s->fy = *y;
        return 0;
    }
    *x = r.xy.x;
    *y = r.xy.y;
    return 1;
}

ems_status crs_transform_geom(emscov_ctx *ctx, crs_transformer *t, const GEOSGeometry *g, GEOSGeometry **out)
{
    transform_state s = {.t = t};
    *out = GEOSGeom_transformXY_r(emscov_geos(ctx), g, transform_cb, &s);
    if (*out) return EMS_OK;
    if (s.failed)
        return emscov_fail(ctx, EMS_EINPUT, "cannot transform coordinate (%.10g %.10g): %s", s.fx, s.fy,
                           op_error(t));
    return emscov_fail(ctx, EMS_EINTERNAL, "GEOS could not transform a geometry: %s",
                       emscov_lib_message(ctx));
}

/* ---- GCJ-02 / BD-09 ---------------------------------------------------------------------------------- */

/* The widely published GCJ-02 model (e.g. eviltransform, wandergis/coordtransform): an offset polynomial in
 * (lon - 105, lat - 35) scaled to degrees on the Krasovsky ellipsoid. */
#define GCJ_A 6378245.0
#define GCJ_EE 0.00669342162296594323

static bool out_of_china(double lon, double lat)
{
    return lon < 72.004 || lon > 137.8347 || lat < 0.8293 || lat > 55.8271;
}

static double gcj_dlat(double x, double y)
{
    double r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt(fabs(x));
    r += (20.0 * sin(6.0 * x * CRS_PI) + 20.0 * sin(2.0 * x * CRS_PI)) * 2.0 / 3.0;
    r += (20.0 * sin(y * CRS_PI) + 40.0 * sin(y / 3.0 * CRS_PI)) * 2.0 / 3.0;
    r += (160.0 * sin(y / 12.0 * CRS_PI) + 320.0 * sin(y / 30.0 * CRS_PI)) * 2.0 / 3.0;
    return r;
}

static double gcj_dlon(double x, double y)
{
    double r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt(fabs(x));
    r += (20.0 * sin(6.0 * x * CRS_PI) + 20.0 * sin(2.0 * x * CRS_PI)) * 2.0 / 3.0;
    r += (20.0 * sin(x * CRS_PI) + 40.0 * sin(x / 3.0 * CRS_PI)) * 2.0 / 3.0;
    r += (150.0 * sin(x / 12.0 * CRS_PI) + 300.0 * sin(x / 30.0 * CRS_PI)) * 2.0 / 3.0;
    return r;
}

/* GCJ-02 offset (degrees) of a WGS84 point. */
static void gcj_offset(double lon, double lat, double *dlon, double *dlat)
{
    double x = lon - 105.0, y = lat - 35.0;
    double rad = lat / 180.0 * CRS_PI;
    double s = sin(rad);
    double m = 1.0 - GCJ_EE * s * s;
    double sm = sqrt(m);
    *dlat = gcj_dlat(x, y) * 180.0 / ((GCJ_A * (1.0 - GCJ_EE)) / (m * sm) * CRS_PI);
    *dlon = gcj_dlon(x, y) * 180.0 / (GCJ_A / sm * cos(rad) * CRS_PI);
}

void crs_wgs84_to_gcj02(double *lon, double *lat)
{
    if (out_of_china(*lon, *lat)) return;
    double dlon, dlat;
    gcj_offset(*lon, *lat, &dlon, &dlat);
    *lon += dlon;
    *lat += dlat;
}

/* Inverse by fixed-point iteration: w <- w + (g - F(w)). The offset changes by ~1e-5 of itself per degree,
 * so each step gains ~5 digits; 3-4 steps reach 1e-9 degrees, 20 is a safety cap. */
void crs_gcj02_to_wgs84(double *lon, double *lat)
{
    double glon = *lon, glat = *lat;
    if (out_of_china(glon, glat)) return;
    double wlon = glon, wlat = glat;
    for (int i = 0; i < 20; i++) {
        double dlon, dlat;
        gcj_offset(wlon, wlat, &dlon, &dlat);
        double ex = glon - (wlon + dlon), ey = glat - (wlat + dlat);
        wlon += ex;
        wlat += ey;
        if (fabs(ex) < 1e-9 && fabs(ey) < 1e-9) break;
    }
    *lon = wlon;
    *lat = wlat;
}

#define BD_X_PI (CRS_PI * 3000.0 / 180.0)

void crs_gcj02_to_bd09(double *lon, double *lat)
{
    double x = *lon, y = *lat;
    double z = sqrt(x * x + y * y) + 0.00002 * sin(y * BD_X_PI);
    double theta = atan2(y, x) + 0.000003 * cos(x * BD_X_PI);
    *lon = z * cos(theta) + 0.0065;
    *lat = z * sin(theta) + 0.006;
}

void crs_bd09_to_gcj02(double *lon, double *lat)
{
    double x = *lon - 0.0065, y = *lat - 0.006;
    double z = sqrt(x * x + y * y) - 0.00002 * sin(y * BD_X_PI);
    double theta = atan2(y, x) - 0.000003 * cos(x * BD_X_PI);
    *lon = z * cos(theta);
    *lat = z * sin(theta);
}
