/* geo/speed.c: speed profiles read with the INI loader (geo/config.h; see speed.h and
 * data/speed/default.ini).
 *
 * The loader checks the file (syntax, known sections and keys, duplicates, empty values, UTF-8); this file
 * checks the values: numbers are plain decimals ("80", "0.6", "1.15"; no exponent, no locale), speeds and
 * factors are > 0 and not implausibly large, period names are letters, digits, '_' or '-', [osm_classes]
 * values are yes or no, and every drivable OSM class has a speed. Every message names file, line, section
 * and key.
 *
 * Class and OSM-class names are matched ignoring ASCII case and surrounding blanks (bytes >= 0x80, i.e.
 * UTF-8 Chinese names, compare exactly); they are kept sorted for binary search, since the network
 * builder looks one up per road. */
#include "geo/speed.h"

#include "geo/config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SPEED_MAX_KMH 200.0   /* a class or access speed above this is a typo */
#define SPEED_MAX_FACTOR 10.0 /* likewise for factors */
#define SPEED_MAXSPEED_CAP 300.0

typedef struct sp_entry {
    char *name;
    double value; /* km/h, factor, or 1/0 for drivable yes/no */
    int line;
} sp_entry;

typedef struct sp_list {
    sp_entry *e;
    size_t n, cap;
} sp_list;

struct speed_profile {
    char *path;
    char *name;
    double ambulance_factor, access_kmh, default_kmh;
    sp_list periods; /* file order */
    sp_list classes; /* sorted by name */
    sp_list osm;     /* sorted by name */
    size_t period;   /* selected index into periods */
};

/* ---- small text helpers ------------------------------------------------------------------------------ */

static int fold(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

/* Compare a (length an) with b (NUL-terminated), ASCII case-insensitively. */
static int name_cmp(const char *a, size_t an, const char *b)
{
    size_t i = 0;
    for (; i < an && b[i]; i++) {
        int d = fold((unsigned char)a[i]) - fold((unsigned char)b[i]);
        if (d) return d;
    }
    if (i < an) return 1;
    return b[i] ? -1 : 0;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

/* Trim blanks: *s advanced, length returned. */
static size_t trim(const char **s)
{
    const char *p = *s;
    while (is_blank(*p))
        p++;
    size_t n = strlen(p);
    while (n && is_blank(p[n - 1]))
        n--;
    *s = p;
    return n;
}

/* ---- lists ------------------------------------------------------------------------------------------- */

static void list_free(sp_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->e[i].name);
    free(l->e);
    l->e = NULL;
    l->n = l->cap = 0;
}

static const sp_entry *list_find_linear(const sp_list *l, const char *name)
{
    for (size_t i = 0; i < l->n; i++)
        if (name_cmp(name, strlen(name), l->e[i].name) == 0) return &l->e[i];
    return NULL;
}

static int entry_cmp(const void *a, const void *b)
{
    const sp_entry *x = a, *y = b;
    return name_cmp(x->name, strlen(x->name), y->name);
}

static const sp_entry *list_find_sorted(const sp_list *l, const char *s, size_t n)
{
    size_t lo = 0, hi = l->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = name_cmp(s, n, l->e[mid].name);
        if (c == 0) return &l->e[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

/* ---- loading ----------------------------------------------------------------------------------------- */

static const char *const sp_keys[] = {"profile.name",       "profile.ambulance_factor",
                                      "profile.access_kmh", "profile.default_kmh",
                                      "periods.*",          "classes.*",
                                      "osm_classes.*",      NULL};

/* A number > 0 and <= max from the entry; otherwise an error naming file, line, section and key. */
static ems_status positive(emscov_ctx *ctx, const config *c, const config_entry *e, double max, double *out)
{
    ems_status st = config_entry_number(ctx, c, e, out);
    if (st != EMS_OK) return st;
    if (!(*out > 0)) return config_fail(ctx, c, e, EMS_EINPUT, "%s must be greater than 0", e->value);
    if (*out > max)
        return config_fail(ctx, c, e, EMS_EINPUT, "%s is implausibly large (more than %g)", e->value, max);
    return EMS_OK;
}

static bool valid_period_name(const char *s)
{
    for (; *s; s++) {
        char c = *s;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
              c == '-'))
            return false;
    }
    return true;
}

/* Add a name; names equal but for ASCII case are the same key (the config loader catches exact repeats). */
static ems_status list_add(emscov_ctx *ctx, const config *c, const config_entry *e, sp_list *l, double value)
{
    const sp_entry *dup = list_find_linear(l, e->key);
    if (dup) return config_fail(ctx, c, e, EMS_EINPUT, "given twice (first on line %d)", dup->line);
    if (!ems_grow(ctx, (void **)&l->e, &l->cap, l->n + 1, sizeof *l->e)) return EMS_ENOMEM;
    char *copy = ems_strdup(ctx, e->key);
    if (!copy) return EMS_ENOMEM;
    l->e[l->n++] = (sp_entry){copy, value, e->line};
    return EMS_OK;
}

/* An optional [profile] number: absent -> *out unchanged. */
static ems_status profile_number(emscov_ctx *ctx, const config *c, const char *key, double max, double *out)
{
    const config_entry *e = config_find(c, "profile", key);
    return e ? positive(ctx, c, e, max, out) : EMS_OK;
}

/* [periods], [classes] and [osm_classes], in file order. */
static ems_status read_lists(emscov_ctx *ctx, const config *c, speed_profile *sp)
{
    ems_status st = EMS_OK;
    double v = 0;
    for (const config_entry *e = NULL; st == EMS_OK && (e = config_next(c, "periods", e));) {
        if (!valid_period_name(e->key))
            return config_fail(ctx, c, e, EMS_EINPUT, "a period name must be letters, digits, '_' or '-'");
        if ((st = positive(ctx, c, e, SPEED_MAX_FACTOR, &v)) == EMS_OK)
            st = list_add(ctx, c, e, &sp->periods, v);
    }
    for (const config_entry *e = NULL; st == EMS_OK && (e = config_next(c, "classes", e));)
        if ((st = positive(ctx, c, e, SPEED_MAX_KMH, &v)) == EMS_OK)
            st = list_add(ctx, c, e, &sp->classes, v);
    for (const config_entry *e = NULL; st == EMS_OK && (e = config_next(c, "osm_classes", e));) {
        if (strcmp(e->value, "yes") && strcmp(e->value, "no"))
            return config_fail(ctx, c, e, EMS_EINPUT, "\"%s\" must be yes or no", e->value);
        st = list_add(ctx, c, e, &sp->osm, !strcmp(e->value, "yes"));
    }
    return st;
}

/* Checks across sections: required keys, at least one period and class, a drivable OSM class has a speed. */
static ems_status check_profile(emscov_ctx *ctx, const config *c, speed_profile *sp)
{
    const config_entry *e = NULL;
    ems_status st;
    if ((st = config_require_entry(ctx, c, "profile", "access_kmh", &e)) != EMS_OK ||
        (st = config_require_entry(ctx, c, "profile", "default_kmh", &e)) != EMS_OK)
        return st;
    if (!sp->periods.n)
        return config_fail_section(ctx, c, "periods", EMS_EINPUT, "lists no period (e.g. offpeak = 1.0)");
    if (!sp->classes.n) return config_fail_section(ctx, c, "classes", EMS_EINPUT, "lists no road class");
    qsort(sp->classes.e, sp->classes.n, sizeof *sp->classes.e, entry_cmp);
    if (sp->osm.n) qsort(sp->osm.e, sp->osm.n, sizeof *sp->osm.e, entry_cmp);
    for (size_t i = 0; i < sp->osm.n; i++) {
        const sp_entry *o = &sp->osm.e[i];
        if (o->value > 0 && !list_find_sorted(&sp->classes, o->name, strlen(o->name)))
            return config_fail(ctx, c, config_find(c, "osm_classes", o->name), EMS_EINPUT,
                               "yes, but [classes] has no speed for %s", o->name);
    }
    sp->period = 0;
    for (size_t i = 0; i < sp->periods.n; i++)
        if (strcmp(sp->periods.e[i].name, "offpeak") == 0) sp->period = i;
    return EMS_OK;
}

ems_status speed_profile_load(emscov_ctx *ctx, const char *path, speed_profile **out)
{
    *out = NULL;
    config *c = NULL;
    const config_schema schema = {sp_keys, NULL};
    ems_status st = config_load_schema(ctx, path, &schema, &c);
    if (st != EMS_OK) return st;
    speed_profile *sp = ems_calloc(ctx, 1, sizeof *sp);
    const char *name = config_get(c, "profile", "name");
    if (!sp || !(sp->path = ems_strdup(ctx, path)) || !(sp->name = ems_strdup(ctx, name ? name : "custom"))) {
        st = EMS_ENOMEM;
        goto done;
    }
    sp->ambulance_factor = 1.0;
    if ((st = profile_number(ctx, c, "ambulance_factor", SPEED_MAX_FACTOR, &sp->ambulance_factor)) !=
            EMS_OK ||
        (st = profile_number(ctx, c, "access_kmh", SPEED_MAX_KMH, &sp->access_kmh)) != EMS_OK ||
        (st = profile_number(ctx, c, "default_kmh", SPEED_MAX_KMH, &sp->default_kmh)) != EMS_OK ||
        (st = read_lists(ctx, c, sp)) != EMS_OK)
        goto done;
    st = check_profile(ctx, c, sp);
done:
    config_destroy(c);
    if (st != EMS_OK) {
        speed_profile_destroy(sp);
        return st;
    }
    *out = sp;
    return EMS_OK;
}

void speed_profile_destroy(speed_profile *sp)
{
    if (!sp) return;
    list_free(&sp->periods);
    list_free(&sp->classes);
    list_free(&sp->osm);
    free(sp->path);
    free(sp->name);
    free(sp);
}

/* ---- queries ----------------------------------------------------------------------------------------- */

ems_status speed_profile_set_period(emscov_ctx *ctx, speed_profile *sp, const char *period)
{
    for (size_t i = 0; i < sp->periods.n; i++)
        if (period && strcmp(sp->periods.e[i].name, period) == 0) {
            sp->period = i;
            return EMS_OK;
        }
    char known[512] = "";
    size_t used = 0;
    for (size_t i = 0; i < sp->periods.n && used < sizeof known; i++) {
        int w = snprintf(known + used, sizeof known - used, "%s%s", i ? ", " : "", sp->periods.e[i].name);
        if (w < 0) break;
        used += (size_t)w;
    }
    return emscov_fail(ctx, EMS_EINPUT, "speed profile %s: unknown period \"%s\" (known: %s)", sp->path,
                       period ? period : "(null)", known);
}

const char *speed_profile_period(const speed_profile *sp)
{
    return sp->periods.e[sp->period].name;
}

double speed_profile_period_factor(const speed_profile *sp)
{
    return sp->periods.e[sp->period].value;
}

double speed_profile_ambulance_factor(const speed_profile *sp)
{
    return sp->ambulance_factor;
}

double speed_profile_access_kmh(const speed_profile *sp)
{
    return sp->access_kmh;
}

double speed_profile_default_kmh(const speed_profile *sp)
{
    return sp->default_kmh;
}

double speed_profile_class_kmh(const speed_profile *sp, const char *road_class, bool *known)
{
    const sp_entry *e = NULL;
    if (road_class) {
        const char *s = road_class;
        size_t n = trim(&s);
        if (n) e = list_find_sorted(&sp->classes, s, n);
    }
    if (known) *known = e != NULL;
    return e ? e->value : sp->default_kmh;
}

bool speed_profile_osm_drivable(const speed_profile *sp, const char *highway)
{
    if (!highway) return false;
    const char *s = highway;
    size_t n = trim(&s);
    const sp_entry *e = n ? list_find_sorted(&sp->osm, s, n) : NULL;
    return e && e->value > 0;
}

double speed_profile_effective_kmh(const speed_profile *sp, const char *road_class, double own_kmh,
                                   bool *class_known)
{
    double base = speed_profile_class_kmh(sp, road_class, class_known);
    if (own_kmh > 0 && isfinite(own_kmh)) base = own_kmh;
    return base * sp->ambulance_factor * speed_profile_period_factor(sp);
}

/* ---- OSM maxspeed ------------------------------------------------------------------------------------ */

double speed_parse_maxspeed(const char *text)
{
    if (!text) return 0;
    const char *s = text;
    while (is_blank(*s))
        s++;
    /* "50;30": several values (per lane, or conditional); the first one counts */
    const char *semi = strchr(s, ';');
    size_t n = semi ? (size_t)(semi - s) : strlen(s);
    while (n && is_blank(s[n - 1]))
        n--;
    char buf[64];
    if (n == 0 || n >= sizeof buf) return 0;
    memcpy(buf, s, n);
    buf[n] = '\0';
    if (buf[0] == '+' || buf[0] == '-') return 0;
    double v = 0;
    size_t used = config_scan_decimal(buf, &v);
    if (!used) return 0; /* "none", "signals", "walk", "RU:urban", ... */
    const char *unit = buf + used;
    while (*unit == ' ')
        unit++;
    double factor;
    if (!*unit || strcmp(unit, "km/h") == 0 || strcmp(unit, "kmh") == 0 || strcmp(unit, "kph") == 0)
        factor = 1.0;
    else if (strcmp(unit, "mph") == 0)
        factor = 1.609344;
    else if (strcmp(unit, "knots") == 0)
        factor = 1.852;
    else
        return 0;
    v *= factor;
    if (!(v > 0) || v > SPEED_MAXSPEED_CAP) return 0;
    return v;
}
