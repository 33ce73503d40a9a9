/* geo/speed.c: speed profiles read from INI files with libinih (see speed.h and data/speed/default.ini).
 *
 * Parsing is strict: every section and key is checked, numbers are plain decimals ("80", "0.6", "1.15";
 * no exponent, no locale), and the first problem is reported as "<file>: line N: ...". libinih (Debian
 * build) does not pass line numbers to its handler, so the file is fed to ini_parse_stream through our own
 * line reader: inih counts one line per reader call, and so do we, so our counter is inih's line number
 * while the handler runs. The reader also refuses lines longer than inih's buffer (which inih would
 * otherwise split into two "lines") and checks section headers, which inih never reports for an empty
 * section. inih's own global options are left as they are (defaults: ';' and '#' start comments, an inline
 * comment needs a blank before its ';', an indented line continues the previous value).
 *
 * Class and OSM-class names are matched ignoring ASCII case and surrounding blanks (bytes >= 0x80, i.e.
 * UTF-8 Chinese names, compare exactly); they are kept sorted for binary search, since the network
 * builder looks one up per road. */
#include "geo/speed.h"

#include <ini.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SPEED_MAX_KMH 200.0   /* a class or access speed above this is a typo */
#define SPEED_MAX_FACTOR 10.0 /* likewise for factors */
#define SPEED_MAXSPEED_CAP 300.0
#define SPEED_LINE_MAX 200 /* inih's line buffer (ini_max_line default), bytes incl. "\n\0" */

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

/* A plain decimal number at s: [+-]digits[.digits] (at least one digit). Returns the characters used, 0 when
 * there is no number. Locale-independent; the digits are gathered into an integer and divided once by a
 * power of ten, so "0.6" is the double nearest 0.6 (digits past the 15th significant one are dropped). */
static size_t scan_number(const char *s, double *out)
{
    size_t i = 0;
    bool neg = false;
    if (s[i] == '+' || s[i] == '-') neg = s[i++] == '-';
    uint64_t mant = 0;
    int sig = 0, scale = 0, digits = 0; /* value = mant x 10^scale */
    while (s[i] >= '0' && s[i] <= '9') {
        if (sig < 15) {
            mant = mant * 10 + (uint64_t)(s[i] - '0');
            sig += mant > 0;
        } else {
            scale++;
        }
        i++;
        digits++;
    }
    if (s[i] == '.') {
        i++;
        while (s[i] >= '0' && s[i] <= '9') {
            if (sig < 15) {
                mant = mant * 10 + (uint64_t)(s[i] - '0');
                sig += mant > 0;
                scale--;
            }
            i++;
            digits++;
        }
    }
    if (!digits) return 0;
    double v = (double)mant;
    if (scale < 0)
        v /= pow(10, -scale);
    else if (scale > 0)
        v *= pow(10, scale);
    *out = neg ? -v : v;
    return i;
}

/* The whole of s is one number. */
static bool parse_number(const char *s, double *out)
{
    size_t n = scan_number(s, out);
    return n && s[n] == '\0' && isfinite(*out);
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

typedef struct sp_loader {
    emscov_ctx *ctx;
    speed_profile *sp;
    const char *path;
    const char *text;
    size_t len, pos;
    int line;      /* lines handed to inih so far == inih's lineno */
    int err_line;  /* line of our first error, 0 = none */
    ems_status st; /* EMS_OK until the first error */
    bool seen_name, seen_amb, seen_access, seen_default;
} sp_loader;

static int fail_at(sp_loader *ld, const char *fmt, ...) EMS_PRINTF(2, 3);
static int fail_at(sp_loader *ld, const char *fmt, ...)
{
    if (ld->st == EMS_OK) {
        char what[512];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(what, sizeof what, fmt, ap);
        va_end(ap);
        ld->st = emscov_fail(ld->ctx, EMS_EINPUT, "%s: line %d: %s", ld->path, ld->line, what);
        ld->err_line = ld->line;
    }
    return 0;
}

static bool known_section(const char *s, size_t n)
{
    static const char *const names[] = {"profile", "periods", "classes", "osm_classes"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (n == strlen(names[i]) && memcmp(s, names[i], n) == 0) return true;
    return false;
}

/* inih reader: one line per call (so our count is inih's), refusing over-long lines and unknown sections. */
static char *sp_reader(char *buf, int num, void *stream)
{
    sp_loader *ld = stream;
    if (ld->st != EMS_OK || ld->pos >= ld->len) return NULL;
    const char *start = ld->text + ld->pos;
    const char *nl = memchr(start, '\n', ld->len - ld->pos);
    size_t n = nl ? (size_t)(nl - start) + 1 : ld->len - ld->pos;
    ld->line++;
    if (n + 1 > (size_t)num) {
        fail_at(ld, "line longer than %d bytes", num - 2);
        return NULL;
    }
    memcpy(buf, start, n);
    buf[n] = '\0';
    ld->pos += n;
    /* a section header: "[name]" possibly followed by a comment */
    const char *p = buf;
    while (is_blank(*p))
        p++;
    if (*p == '[') {
        const char *q = p + 1;
        while (is_blank(*q))
            q++;
        const char *end = strchr(q, ']');
        if (end) {
            const char *e = end;
            while (e > q && is_blank(e[-1]))
                e--;
            if (!known_section(q, (size_t)(e - q))) {
                fail_at(ld, "unknown section [%.*s] (known: profile, periods, classes, osm_classes)",
                        (int)(e - q > 100 ? 100 : e - q), q);
                return NULL;
            }
        }
    }
    return buf;
}

static bool list_add(sp_loader *ld, sp_list *l, const char *section, const char *name, double value)
{
    const sp_entry *dup = list_find_linear(l, name);
    if (dup) {
        fail_at(ld, "duplicate key [%s] %s (first given on line %d)", section, name, dup->line);
        return false;
    }
    if (!ems_grow(ld->ctx, (void **)&l->e, &l->cap, l->n + 1, sizeof *l->e)) {
        ld->st = EMS_ENOMEM;
        return false;
    }
    char *copy = ems_strdup(ld->ctx, name);
    if (!copy) {
        ld->st = EMS_ENOMEM;
        return false;
    }
    l->e[l->n++] = (sp_entry){copy, value, ld->line};
    return true;
}

/* A positive number no larger than max; otherwise an error naming the key. */
static bool positive(sp_loader *ld, const char *section, const char *name, const char *value, double max,
                     double *out)
{
    if (!parse_number(value, out)) {
        if (strchr(value, '='))
            fail_at(ld,
                    "[%s] %s: indented line \"%s\" read as a continuation of the previous value (do not "
                    "indent keys)",
                    section, name, value);
        else
            fail_at(ld, "[%s] %s: \"%s\" is not a number", section, name, value);
        return false;
    }
    if (!(*out > 0)) {
        fail_at(ld, "[%s] %s: %s must be greater than 0", section, name, value);
        return false;
    }
    if (*out > max) {
        fail_at(ld, "[%s] %s: %s is implausibly large (more than %g)", section, name, value, max);
        return false;
    }
    return true;
}

static bool valid_period_name(const char *s)
{
    if (!*s) return false;
    for (; *s; s++) {
        char c = *s;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
              c == '-'))
            return false;
    }
    return true;
}

static int sp_handler(void *user, const char *section, const char *name, const char *value)
{
    sp_loader *ld = user;
    speed_profile *sp = ld->sp;
    if (ld->st != EMS_OK) return 0;
    double v = 0;
    if (strcmp(section, "profile") == 0) {
        bool *seen = NULL;
        double *dst = NULL;
        double max = SPEED_MAX_KMH;
        if (strcmp(name, "name") == 0) {
            if (ld->seen_name) return fail_at(ld, "duplicate key [profile] %s", name);
            ld->seen_name = true;
            if (!*value) return fail_at(ld, "[profile] name is empty");
            char *copy = ems_strdup(ld->ctx, value);
            if (!copy) {
                ld->st = EMS_ENOMEM;
                return 0;
            }
            free(sp->name);
            sp->name = copy;
            return 1;
        } else if (strcmp(name, "ambulance_factor") == 0) {
            seen = &ld->seen_amb;
            dst = &sp->ambulance_factor;
            max = SPEED_MAX_FACTOR;
        } else if (strcmp(name, "access_kmh") == 0) {
            seen = &ld->seen_access;
            dst = &sp->access_kmh;
        } else if (strcmp(name, "default_kmh") == 0) {
            seen = &ld->seen_default;
            dst = &sp->default_kmh;
        } else {
            return fail_at(ld,
                           "unknown key \"%s\" in [profile] (known: name, ambulance_factor, access_kmh, "
                           "default_kmh)",
                           name);
        }
        if (*seen) return fail_at(ld, "duplicate key [profile] %s", name);
        *seen = true;
        if (!positive(ld, section, name, value, max, &v)) return 0;
        *dst = v;
        return 1;
    }
    if (strcmp(section, "periods") == 0) {
        if (!valid_period_name(name))
            return fail_at(ld, "period name \"%s\" must be letters, digits, '_' or '-'", name);
        if (!positive(ld, section, name, value, SPEED_MAX_FACTOR, &v)) return 0;
        return list_add(ld, &sp->periods, section, name, v);
    }
    if (strcmp(section, "classes") == 0) {
        if (!positive(ld, section, name, value, SPEED_MAX_KMH, &v)) return 0;
        return list_add(ld, &sp->classes, section, name, v);
    }
    if (strcmp(section, "osm_classes") == 0) {
        if (strcmp(value, "yes") == 0)
            v = 1;
        else if (strcmp(value, "no") == 0)
            v = 0;
        else
            return fail_at(ld, "[osm_classes] %s: \"%s\" must be yes or no", name, value);
        return list_add(ld, &sp->osm, section, name, v);
    }
    if (!*section) return fail_at(ld, "key \"%s\" outside any section", name);
    return fail_at(ld, "unknown section [%s]", section); /* normally caught by the reader */
}

/* Checks after the whole file: required keys, a drivable OSM class needs a speed. */
static ems_status sp_check(sp_loader *ld)
{
    speed_profile *sp = ld->sp;
    if (!ld->seen_access) return emscov_fail(ld->ctx, EMS_EINPUT, "%s: [profile] lacks access_kmh", ld->path);
    if (!ld->seen_default)
        return emscov_fail(ld->ctx, EMS_EINPUT, "%s: [profile] lacks default_kmh", ld->path);
    if (!sp->periods.n)
        return emscov_fail(ld->ctx, EMS_EINPUT, "%s: [periods] lists no period (e.g. offpeak = 1.0)",
                           ld->path);
    if (!sp->classes.n)
        return emscov_fail(ld->ctx, EMS_EINPUT, "%s: [classes] lists no road class", ld->path);
    qsort(sp->classes.e, sp->classes.n, sizeof *sp->classes.e, entry_cmp);
    if (sp->osm.n) qsort(sp->osm.e, sp->osm.n, sizeof *sp->osm.e, entry_cmp);
    for (size_t i = 0; i < sp->osm.n; i++) {
        const sp_entry *e = &sp->osm.e[i];
        if (e->value > 0 && !list_find_sorted(&sp->classes, e->name, strlen(e->name)))
            return emscov_fail(ld->ctx, EMS_EINPUT,
                               "%s: line %d: [osm_classes] %s = yes but [classes] has no "
                               "speed for %s",
                               ld->path, e->line, e->name, e->name);
    }
    sp->period = 0;
    for (size_t i = 0; i < sp->periods.n; i++)
        if (strcmp(sp->periods.e[i].name, "offpeak") == 0) sp->period = i;
    return EMS_OK;
}

ems_status speed_profile_load(emscov_ctx *ctx, const char *path, speed_profile **out)
{
    *out = NULL;
    char *text = NULL;
    size_t len = 0;
    ems_status st = ems_read_file(ctx, path, &text, &len);
    if (st != EMS_OK) return st;
    speed_profile *sp = ems_calloc(ctx, 1, sizeof *sp);
    if (!sp) {
        st = EMS_ENOMEM;
        goto done;
    }
    sp->ambulance_factor = 1.0;
    if (!(sp->path = ems_strdup(ctx, path)) || !(sp->name = ems_strdup(ctx, "custom"))) {
        st = EMS_ENOMEM;
        goto done;
    }
    const char *nul = memchr(text, '\0', len);
    if (nul) {
        int line = 1;
        for (const char *p = text; p < nul; p++)
            line += *p == '\n';
        st = emscov_fail(ctx, EMS_EINPUT, "%s: line %d: contains a NUL byte (not a text file)", path, line);
        goto done;
    }
    sp_loader ld = {.ctx = ctx, .sp = sp, .path = path, .text = text, .len = len};
    int rc = ini_parse_stream(sp_reader, &ld, sp_handler, &ld);
    if (ld.st == EMS_ENOMEM) {
        st = EMS_ENOMEM;
        goto done;
    }
    if (rc > 0 && (ld.st == EMS_OK || rc < ld.err_line)) {
        /* an inih syntax error before (or without) one of ours */
        st = emscov_fail(ctx, EMS_EINPUT, "%s: line %d: not a [section] or key = value line", path, rc);
        goto done;
    }
    if (ld.st != EMS_OK) {
        st = ld.st;
        goto done;
    }
    if (rc < 0) {
        st = emscov_fail(ctx, rc == -2 ? EMS_ENOMEM : EMS_EIO, "%s: cannot parse (inih error %d)", path, rc);
        goto done;
    }
    st = sp_check(&ld);
done:
    free(text);
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
    size_t used = scan_number(buf, &v);
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
