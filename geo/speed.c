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

/* The road speed table (measured speeds): ids sorted, and per id nperiods + 1 speeds (km/h, 0 = none): one
 * per period of the profile, then the "*" row that applies to every period. */
typedef struct sp_roads {
    char **id;
    double *kmh;
    size_t n, cap;
} sp_roads;

struct speed_profile {
    char *path;
    char *name;
    double ambulance_factor, access_kmh, default_kmh;
    bool walking;            /* [profile] mode = walk: both directions, the road's own speed ignored */
    sp_list periods;         /* file order */
    sp_list classes;         /* sorted by name */
    sp_list osm;             /* sorted by name */
    sp_list *period_classes; /* per period: [period NAME] class factors, sorted by name */
    sp_roads roads;
    size_t period;           /* selected index into periods */
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

static const char *const sp_keys[] = {"profile.name",          "profile.ambulance_factor", "profile.mode",
                                      "profile.access_kmh",    "profile.default_kmh",
                                      "profile.road_speeds",   "periods.*",
                                      "classes.*",             "osm_classes.*"};
#define SP_NKEYS (sizeof sp_keys / sizeof *sp_keys)
#define SP_PERIOD_SECTION "period " /* [period NAME]: class factors of that period */

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

/* access_kmh: > 0, or exactly 0 = no off-network time (a reference study that snaps without an access leg). */
static ems_status access_speed(emscov_ctx *ctx, const config *c, double *out)
{
    const config_entry *e = config_find(c, "profile", "access_kmh");
    if (e && config_decimal(e->value, out) && *out == 0) return EMS_OK;
    return profile_number(ctx, c, "access_kmh", SPEED_MAX_KMH, out);
}

/* The schema: the fixed keys, and a [period NAME] section for each period listed in [periods] (and present).
 * The names come from the file itself, so the file is loaded first and checked against this list afterwards. */
static ems_status check_keys(emscov_ctx *ctx, const config *c)
{
    size_t np = 0;
    for (const config_entry *e = NULL; (e = config_next(c, "periods", e));)
        np++;
    const char **keys = ems_calloc(ctx, SP_NKEYS + np + 1, sizeof *keys);
    char **own = ems_calloc(ctx, np + 1, sizeof *own);
    ems_status st = keys && own ? EMS_OK : EMS_ENOMEM;
    size_t k = 0;
    for (; st == EMS_OK && k < SP_NKEYS; k++)
        keys[k] = sp_keys[k];
    size_t i = 0;
    for (const config_entry *e = NULL; st == EMS_OK && (e = config_next(c, "periods", e)); i++) {
        size_t len = strlen(SP_PERIOD_SECTION) + strlen(e->key) + 3;
        if (!(own[i] = ems_malloc(ctx, len))) {
            st = EMS_ENOMEM;
            break;
        }
        snprintf(own[i], len, SP_PERIOD_SECTION "%s.*", e->key);
        own[i][len - 3] = '\0'; /* the section name alone, to ask whether the file has it */
        bool present = config_section_line(c, own[i]) > 0;
        own[i][len - 3] = '.';
        if (present) /* listed only when present, so the known-sections hint stays short */
            keys[k++] = own[i];
    }
    if (st == EMS_OK) st = config_check_known(ctx, c, keys);
    for (i = 0; own && i < np; i++)
        free(own[i]);
    free(own);
    free(keys);
    return st;
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

/* [period NAME] sections: a factor per road class for that period (run after [classes] is sorted). */
static ems_status read_period_classes(emscov_ctx *ctx, const config *c, speed_profile *sp)
{
    if (!(sp->period_classes = ems_calloc(ctx, sp->periods.n, sizeof *sp->period_classes))) return EMS_ENOMEM;
    ems_status st = EMS_OK;
    for (size_t i = 0; i < sp->periods.n && st == EMS_OK; i++) {
        char sec[128];
        snprintf(sec, sizeof sec, SP_PERIOD_SECTION "%s", sp->periods.e[i].name);
        sp_list *l = &sp->period_classes[i];
        double v = 0;
        for (const config_entry *e = NULL; st == EMS_OK && (e = config_next(c, sec, e));) {
            if (!list_find_sorted(&sp->classes, e->key, strlen(e->key)))
                return config_fail(ctx, c, e, EMS_EINPUT, "%s is not a road class of [classes]", e->key);
            if ((st = positive(ctx, c, e, SPEED_MAX_FACTOR, &v)) == EMS_OK) st = list_add(ctx, c, e, l, v);
        }
        if (st == EMS_OK && l->n) qsort(l->e, l->n, sizeof *l->e, entry_cmp);
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

/* ---- the road speed table ([profile] road_speeds) ------------------------------------------------------ */

/* The next comma-separated field of a line at *p, unquoted ("a ""b""" -> a "b") and trimmed, into out (cap
 * bytes); *p is left after the comma, or at the end. False when a quote is not closed or the field is too long. */
static bool csv_field(const char **p, char *out, size_t cap)
{
    const char *s = *p;
    size_t n = 0;
    while (*s == ' ' || *s == '\t')
        s++;
    if (*s == '"') {
        for (s++;; s++) {
            if (!*s) return false;
            if (*s == '"' && s[1] != '"') break;
            if (*s == '"') s++;
            if (n + 1 >= cap) return false;
            out[n++] = *s;
        }
        s++;
        while (*s == ' ' || *s == '\t')
            s++;
        if (*s && *s != ',') return false;
    } else {
        for (; *s && *s != ','; s++) {
            if (n + 1 >= cap) return false;
            out[n++] = *s;
        }
        while (n && (out[n - 1] == ' ' || out[n - 1] == '\t'))
            n--;
    }
    out[n] = '\0';
    *p = *s == ',' ? s + 1 : s;
    return true;
}

typedef struct road_row {
    char *id;
    size_t period; /* index into periods; periods.n = "*" */
    double kmh;
    long line;
} road_row;

static int road_row_cmp(const void *a, const void *b)
{
    const road_row *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    if (c) return c;
    if (x->period != y->period) return x->period < y->period ? -1 : 1;
    return x->line < y->line ? -1 : x->line > y->line;
}

static ems_status read_file(emscov_ctx *ctx, const char *path, char **out)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) return emscov_fail(ctx, EMS_EINPUT, "%s: cannot open the road speed table", path);
    size_t cap = 4096, n = 0;
    char *buf = ems_malloc(ctx, cap);
    ems_status st = buf ? EMS_OK : EMS_ENOMEM;
    while (st == EMS_OK) {
        if (n + 1 >= cap) {
            char *nb = ems_realloc(ctx, buf, cap * 2);
            if (!nb) {
                st = EMS_ENOMEM;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - 1 - n, f);
        n += got;
        if (got == 0) {
            if (ferror(f)) st = emscov_fail(ctx, EMS_EIO, "%s: read error", path);
            break;
        }
    }
    fclose(f);
    if (st != EMS_OK) {
        free(buf);
        return st;
    }
    if (memchr(buf, '\0', n)) {
        free(buf);
        return emscov_fail(ctx, EMS_EINPUT, "%s: contains a NUL byte (not a text file)", path);
    }
    buf[n] = '\0';
    *out = buf;
    return EMS_OK;
}

/* A CSV road_id,period,speed_kmh (header required): measured speeds per road and period ("*" = every period). */
static ems_status read_road_speeds(emscov_ctx *ctx, speed_profile *sp, const char *path)
{
    char *text = NULL;
    ems_status st = read_file(ctx, path, &text);
    if (st != EMS_OK) return st;
    road_row *rows = NULL;
    size_t nrows = 0, rcap = 0, np = sp->periods.n;
    long line = 0;
    bool header = false;
    char *p = text;
    if ((unsigned char)p[0] == 0xEF && (unsigned char)p[1] == 0xBB && (unsigned char)p[2] == 0xBF) p += 3;
    while (st == EMS_OK && *p) {
        char *eol = strchr(p, '\n'), *next = eol ? eol + 1 : p + strlen(p);
        if (eol) *eol = '\0';
        size_t len = strlen(p);
        if (len && p[len - 1] == '\r') p[--len] = '\0';
        line++;
        const char *q = p;
        char f[3][256];
        size_t nf = 0;
        bool blank = len == 0 || strspn(p, " \t") == len;
        while (!blank && *q && nf < 3)
            if (!csv_field(&q, f[nf++], sizeof f[0])) {
                st = emscov_fail(ctx, EMS_EINPUT, "%s: line %ld: a field is too long or has an unclosed quote",
                                 path, line);
                break;
            }
        p = next;
        if (st != EMS_OK || blank) continue;
        if (nf != 3 || *q) {
            st = emscov_fail(ctx, EMS_EINPUT, "%s: line %ld: expected 3 fields (road_id,period,speed_kmh)", path,
                             line);
            break;
        }
        if (!header) {
            header = true;
            if (name_cmp(f[0], strlen(f[0]), "road_id") || name_cmp(f[1], strlen(f[1]), "period") ||
                name_cmp(f[2], strlen(f[2]), "speed_kmh"))
                st = emscov_fail(ctx, EMS_EINPUT, "%s: line %ld: the header must be road_id,period,speed_kmh", path,
                                 line);
            continue;
        }
        size_t per = np;
        if (strcmp(f[1], "*")) {
            for (per = 0; per < np && strcmp(sp->periods.e[per].name, f[1]); per++)
                ;
            if (per == np) {
                st = emscov_fail(ctx, EMS_EINPUT, "%s: line %ld: period \"%s\" is not one of the profile's "
                                 "[periods] (or * for every period)", path, line, f[1]);
                break;
            }
        }
        double v = 0;
        if (!*f[0]) {
            st = emscov_fail(ctx, EMS_EINPUT, "%s: line %ld: empty road_id", path, line);
        } else if (!config_decimal(f[2], &v) || !(v > 0) || v > SPEED_MAX_KMH) {
            st = emscov_fail(ctx, EMS_EINPUT, "%s: line %ld: speed_kmh \"%s\" must be a plain decimal in (0, %g]",
                             path, line, f[2], SPEED_MAX_KMH);
        } else if (!ems_grow(ctx, (void **)&rows, &rcap, nrows + 1, sizeof *rows) ||
                   !(rows[nrows].id = ems_strdup(ctx, f[0]))) {
            st = EMS_ENOMEM;
        } else {
            rows[nrows].period = per, rows[nrows].kmh = v, rows[nrows].line = line;
            nrows++;
        }
    }
    if (st == EMS_OK && !header) st = emscov_fail(ctx, EMS_EINPUT, "%s: empty (no header line)", path);
    if (st == EMS_OK) qsort(rows, nrows, sizeof *rows, road_row_cmp);
    for (size_t i = 0; st == EMS_OK && i < nrows; i++) {
        bool same = sp->roads.n > 0 && !strcmp(rows[i].id, sp->roads.id[sp->roads.n - 1]);
        if (same && rows[i].period == rows[i - 1].period) {
            st = emscov_fail(ctx, EMS_EINPUT, "%s: line %ld: road %s, period %s given twice (first on line %ld)",
                             path, rows[i].line, rows[i].id,
                             rows[i].period == np ? "*" : sp->periods.e[rows[i].period].name, rows[i - 1].line);
            break;
        }
        sp_roads *r = &sp->roads;
        if (!same) {
            double *nk = NULL;
            if (!ems_grow(ctx, (void **)&r->id, &r->cap, r->n + 1, sizeof *r->id) ||
                !(nk = ems_realloc(ctx, r->kmh, r->cap * (np + 1) * sizeof *nk))) {
                st = EMS_ENOMEM;
                break;
            }
            r->kmh = nk;
            r->id[r->n] = rows[i].id;
            rows[i].id = NULL;
            for (size_t k = 0; k <= np; k++)
                r->kmh[r->n * (np + 1) + k] = 0;
            r->n++;
        }
        r->kmh[(r->n - 1) * (np + 1) + rows[i].period] = rows[i].kmh;
    }
    for (size_t i = 0; i < nrows; i++)
        free(rows[i].id);
    free(rows);
    free(text);
    return st;
}

ems_status speed_profile_load(emscov_ctx *ctx, const char *path, speed_profile **out)
{
    *out = NULL;
    config *c = NULL;
    ems_status st = config_load(ctx, path, &c);
    if (st == EMS_OK) st = check_keys(ctx, c);
    if (st != EMS_OK) {
        config_destroy(c);
        return st;
    }
    speed_profile *sp = ems_calloc(ctx, 1, sizeof *sp);
    const char *name = config_get(c, "profile", "name");
    if (!sp || !(sp->path = ems_strdup(ctx, path)) || !(sp->name = ems_strdup(ctx, name ? name : "custom"))) {
        st = EMS_ENOMEM;
        goto done;
    }
    sp->ambulance_factor = 1.0;
    const config_entry *mode = config_find(c, "profile", "mode");
    if (mode && strcmp(mode->value, "drive") && strcmp(mode->value, "walk")) {
        st = config_fail(ctx, c, mode, EMS_EINPUT, "\"%s\" is not drive or walk", mode->value);
        goto done;
    }
    sp->walking = mode && !strcmp(mode->value, "walk");
    if ((st = profile_number(ctx, c, "ambulance_factor", SPEED_MAX_FACTOR, &sp->ambulance_factor)) !=
            EMS_OK ||
        (st = access_speed(ctx, c, &sp->access_kmh)) != EMS_OK ||
        (st = profile_number(ctx, c, "default_kmh", SPEED_MAX_KMH, &sp->default_kmh)) != EMS_OK ||
        (st = read_lists(ctx, c, sp)) != EMS_OK || (st = check_profile(ctx, c, sp)) != EMS_OK ||
        (st = read_period_classes(ctx, c, sp)) != EMS_OK)
        goto done;
    const config_entry *rs = config_find(c, "profile", "road_speeds");
    if (rs) {
        char *table = config_path_value(c, "profile", "road_speeds");
        st = table ? read_road_speeds(ctx, sp, table) : EMS_ENOMEM;
        free(table);
    }
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
    for (size_t i = 0; sp->period_classes && i < sp->periods.n; i++)
        list_free(&sp->period_classes[i]);
    free(sp->period_classes);
    list_free(&sp->periods);
    list_free(&sp->classes);
    list_free(&sp->osm);
    for (size_t i = 0; i < sp->roads.n; i++)
        free(sp->roads.id[i]);
    free(sp->roads.id);
    free(sp->roads.kmh);
    free(sp->path);
    free(sp->name);
    free(sp);
}

/* ---- queries ----------------------------------------------------------------------------------------- */

ems_status speed_profile_period_index(emscov_ctx *ctx, const speed_profile *sp, const char *period, size_t *out)
{
    if (!period) {
        *out = sp->period;
        return EMS_OK;
    }
    for (size_t i = 0; i < sp->periods.n; i++)
        if (strcmp(sp->periods.e[i].name, period) == 0) {
            *out = i;
            return EMS_OK;
        }
    char known[512] = "";
    size_t used = 0;
    for (size_t i = 0; i < sp->periods.n && used < sizeof known; i++) {
        int w = snprintf(known + used, sizeof known - used, "%s%s", i ? ", " : "", sp->periods.e[i].name);
        if (w < 0) break;
        used += (size_t)w;
    }
    return emscov_fail(ctx, EMS_EINPUT, "speed profile %s: unknown period \"%s\" (known: %s)", sp->path, period,
                       known);
}

ems_status speed_profile_set_period(emscov_ctx *ctx, speed_profile *sp, const char *period)
{
    if (!period) return emscov_fail(ctx, EMS_EINPUT, "speed profile %s: no period given", sp->path);
    return speed_profile_period_index(ctx, sp, period, &sp->period);
}

size_t speed_profile_period_count(const speed_profile *sp)
{
    return sp->periods.n;
}

const char *speed_profile_period_name(const speed_profile *sp, size_t period)
{
    return period < sp->periods.n ? sp->periods.e[period].name : "";
}

double speed_profile_class_factor(const speed_profile *sp, size_t period, const char *road_class)
{
    if (period >= sp->periods.n) return NAN;
    const sp_list *l = &sp->period_classes[period];
    if (l->n && road_class) {
        const char *s = road_class;
        size_t n = trim(&s);
        const sp_entry *e = n ? list_find_sorted(l, s, n) : NULL;
        if (e) return e->value;
    }
    return sp->periods.e[period].value;
}

size_t speed_profile_road_count(const speed_profile *sp)
{
    return sp->roads.n;
}

uint32_t speed_profile_road_index(const speed_profile *sp, const char *road_id)
{
    size_t lo = 0, hi = sp->roads.n;
    while (road_id && lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(road_id, sp->roads.id[mid]);
        if (c == 0) return (uint32_t)mid;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return SPEED_NO_ROAD;
}

double speed_profile_road_kmh(const speed_profile *sp, uint32_t road, size_t period)
{
    size_t np = sp->periods.n;
    if (road >= sp->roads.n || period >= np) return 0;
    const double *v = sp->roads.kmh + (size_t)road * (np + 1);
    return v[period] > 0 ? v[period] : v[np];
}

double speed_profile_combine(const speed_profile *sp, double class_kmh, double class_factor, double own_kmh,
                             double table_kmh)
{
    if (table_kmh > 0 && isfinite(table_kmh)) return table_kmh * sp->ambulance_factor;
    double base = own_kmh > 0 && isfinite(own_kmh) && !sp->walking ? own_kmh : class_kmh;
    return base * sp->ambulance_factor * class_factor;
}

double speed_profile_access_s(const speed_profile *sp, double dist_m)
{
    return sp->access_kmh > 0 ? dist_m / (sp->access_kmh / 3.6) : 0;
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

bool speed_profile_walking(const speed_profile *sp)
{
    return sp->walking;
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
    double kmh = speed_profile_class_kmh(sp, road_class, class_known);
    return speed_profile_combine(sp, kmh, speed_profile_class_factor(sp, sp->period, road_class), own_kmh, 0);
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
