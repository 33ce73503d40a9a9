/* geo/config.c: the one INI loader (see config.h), libinih underneath.
 *
 * How libinih is used, and why through our own line reader. Debian's libinih 55 is built with its defaults:
 * a 200-byte line buffer on the stack (INI_MAX_LINE 200, INI_USE_STACK 1, INI_ALLOW_REALLOC 0), no line
 * number for the handler (INI_HANDLER_LINENO 0), section names cut at 49 bytes (MAX_SECTION 50), indented
 * lines continuing the previous value (INI_ALLOW_MULTILINE 1). Its build exports the options as process-wide
 * variables (ini_max_line, ini_use_stack, ini_allow_realloc, ...), and setting ini_use_stack = 0 with a
 * larger ini_initial_alloc does lift the limit; but they are globals shared with every other user of libinih
 * in the process, and emscov keeps no global state, so they are left alone. Instead the file is read into
 * memory and handed to ini_parse_stream one line per reader call (inih counts one line per call, so our
 * counter is its line number while the handler runs). The reader:
 *  - checks the text: no NUL byte, valid UTF-8, a byte-order mark only at the very start (removed), CRLF
 *    taken as LF;
 *  - drops leading blanks (so no line is a continuation line) and hands comment lines over as empty lines;
 *  - parses [section] headers itself (no 49-byte cut; blanks inside the brackets trimmed) and hands inih an
 *    empty line: inih's own section name is never used, the handler takes ours;
 *  - hands a key = value line that does not fit inih's buffer as the placeholder "k=v", after putting its
 *    key and value aside (spans into the file text); the handler then uses those. The value is cut at an
 *    inline comment exactly as inih does (a ';' after a blank, the blank right after '=' included) and
 *    trimmed, so a long line means what the same line would mean if it were short (tests/geo/test_config.c
 *    checks both). Lines without '=' or ':' are handed over as "x", which inih reports as a syntax error.
 * Entries are stored in one array in file order, [section] headers included (key NULL), so checks run in
 * file order and the first problem in the file is the one reported. */
#include "geo/config.h"

#include "geo/encoding.h"

#include <ini.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CONFIG_SHOW 80 /* bytes of a key, section or value quoted in a message */

typedef struct item {
    config_entry pub; /* first member: a config_entry * returned to callers points at its item */
    char *text;       /* "section\0key\0value\0" (key and value absent for a header) */
} item;

struct config {
    char *path, *dir;
    item *items; /* headers (pub.key NULL) and entries, in file order */
    size_t n, cap;
};

typedef struct loader {
    emscov_ctx *ctx;
    config *c;
    const config_schema *schema; /* NULL: config_load (checked later, if at all) */
    const char *text;
    size_t len, pos;
    int line;            /* lines handed to inih so far == inih's line number */
    const char *section; /* the current section (an item's text), NULL before the first header */
    bool aside;          /* this line's key and value are put aside: the handler takes them from here */
    const char *akey, *aval;
    size_t akey_n, aval_n;
    ems_status st;
    int err_line; /* line of our first error */
} loader;

/* ---- small text helpers ------------------------------------------------------------------------------ */

static bool is_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v';
}

static void trim(const char **s, size_t *n)
{
    while (*n && is_space(**s))
        (*s)++, (*n)--;
    while (*n && is_space((*s)[*n - 1]))
        (*n)--;
}

/* The n bytes at s shortened for a message: at most CONFIG_SHOW bytes, cut between UTF-8 characters, "..."
 * when cut; a NUL-terminated copy in buf. */
static const char *shown_n(char buf[CONFIG_SHOW + 4], const char *s, size_t n)
{
    bool cut = n > CONFIG_SHOW;
    if (cut) {
        n = CONFIG_SHOW;
        while (n && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(buf, s, n);
    memcpy(buf + n, cut ? "..." : "", cut ? 4 : 1);
    return buf;
}

static const char *shown(char buf[CONFIG_SHOW + 4], const char *s)
{
    return shown_n(buf, s, strlen(s));
}

/* Optimal-string-alignment edit distance (a swap of two neighbours counts 1); SIZE_MAX for long strings. */
static size_t edit_distance(const char *a, const char *b)
{
    enum { M = 64 };
    size_t n = strlen(a), m = strlen(b);
    if (n >= M || m >= M) return SIZE_MAX;
    size_t d[M][M];
    for (size_t i = 0; i <= n; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= m; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= n; i++)
        for (size_t j = 1; j <= m; j++) {
            size_t best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < best) best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best) best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    return d[n][m];
}

/* A list in a fixed buffer: appends are cut (with "...") once it is full. */
typedef struct text_list {
    char s[400];
    size_t n;
    size_t count;
} text_list;

static void list_add(text_list *l, bool brackets, const char *word)
{
    if (l->n >= sizeof l->s - 4) return;
    int w = snprintf(l->s + l->n, sizeof l->s - l->n, "%s%s%s%s", l->count ? ", " : "", brackets ? "[" : "",
                     word, brackets ? "]" : "");
    if (w < 0 || (size_t)w >= sizeof l->s - l->n - 4) {
        memcpy(l->s + sizeof l->s - 4, "...", 4);
        l->n = sizeof l->s;
    } else {
        l->n += (size_t)w;
    }
    l->count++;
}

/* ---- schema ------------------------------------------------------------------------------------------ */

/* The section part of a schema entry "section.key" matches section. */
static bool spec_in_section(const char *spec, const char *section)
{
    const char *dot = strchr(spec, '.');
    return dot && strlen(section) == (size_t)(dot - spec) && !strncmp(spec, section, (size_t)(dot - spec));
}

static bool spec_matches(const char *const *specs, const char *section, const char *key)
{
    for (const char *const *k = specs; specs && *k; k++)
        if (spec_in_section(*k, section) &&
            (!key || !strcmp(strchr(*k, '.') + 1, "*") || !strcmp(strchr(*k, '.') + 1, key)))
            return true;
    return false;
}

/* The closest of the candidates to word, when close enough to be a likely typo; NULL otherwise. */
static const char *closest(const char *word, const char *const *cand, size_t n)
{
    const char *best = NULL;
    size_t best_d = SIZE_MAX;
    for (size_t i = 0; i < n; i++) {
        size_t d = edit_distance(word, cand[i]);
        size_t len = strlen(word) > strlen(cand[i]) ? strlen(word) : strlen(cand[i]);
        if (d < best_d && d <= 2 && d * 3 <= len) {
            best = cand[i];
            best_d = d;
        }
    }
    return best;
}

/* "(did you mean X?)" or "(known: ...)" for an unknown section (key NULL) or key. */
static void known_hint(const char *const *specs, const char *section, const char *key, char *out, size_t cap)
{
    enum { MAXC = 64 };
    const char *cand[MAXC];
    char names[MAXC][48];
    size_t n = 0;
    text_list l = {.n = 0};
    for (const char *const *k = specs; *k && n < MAXC; k++) {
        const char *dot = strchr(*k, '.');
        if (!dot) continue;
        if (key) {
            if (!spec_in_section(*k, section)) continue;
            snprintf(names[n], sizeof names[n], "%s", dot + 1);
        } else {
            snprintf(names[n], sizeof names[n], "%.*s", (int)(dot - *k), *k);
            bool seen = false;
            for (size_t i = 0; i < n && !seen; i++)
                seen = !strcmp(names[i], names[n]);
            if (seen) continue;
        }
        cand[n] = names[n];
        list_add(&l, !key, names[n]);
        n++;
    }
    const char *near = closest(key ? key : section, cand, n);
    if (near)
        snprintf(out, cap, "did you mean %s%s%s?", key ? "" : "[", near, key ? "" : "]");
    else
        snprintf(out, cap, "known: %s", n ? l.s : "none");
}

/* ---- messages ---------------------------------------------------------------------------------------- */

static ems_status vfail_entry(emscov_ctx *ctx, const config *c, const config_entry *e, ems_status s,
                              const char *fmt, va_list ap) EMS_PRINTF(5, 0);
static ems_status vfail_entry(emscov_ctx *ctx, const config *c, const config_entry *e, ems_status s,
                              const char *fmt, va_list ap)
{
    char what[768], b1[CONFIG_SHOW + 4], b2[CONFIG_SHOW + 4];
    vsnprintf(what, sizeof what, fmt, ap);
    const char *sec = shown(b1, e->section);
    if (!e->key) return emscov_fail(ctx, s, "%s: line %d: [%s]: %s", c->path, e->line, sec, what);
    return emscov_fail(ctx, s, "%s: line %d: [%s] %s: %s", c->path, e->line, sec, shown(b2, e->key), what);
}

ems_status config_fail(emscov_ctx *ctx, const config *c, const config_entry *e, ems_status s, const char *fmt,
                       ...)
{
    va_list ap;
    va_start(ap, fmt);
    ems_status r = vfail_entry(ctx, c, e, s, fmt, ap);
    va_end(ap);
    return r;
}

static const item *find_header(const config *c, const char *section)
{
    for (size_t i = 0; i < c->n; i++)
        if (!c->items[i].pub.key && !strcmp(c->items[i].pub.section, section)) return &c->items[i];
    return NULL;
}

ems_status config_fail_section(emscov_ctx *ctx, const config *c, const char *section, ems_status s,
                               const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const item *h = find_header(c, section);
    ems_status r;
    if (h) {
        r = vfail_entry(ctx, c, &h->pub, s, fmt, ap);
    } else {
        char what[768], b[CONFIG_SHOW + 4];
        vsnprintf(what, sizeof what, fmt, ap);
        r = emscov_fail(ctx, s, "%s: [%s]: %s", c->path, shown(b, section), what);
    }
    va_end(ap);
    return r;
}

/* Unknown section (header) or key (entry) under specs: EMS_EINPUT; EMS_OK when known. */
static ems_status check_known(emscov_ctx *ctx, const config *c, const config_entry *e,
                              const char *const *specs)
{
    char hint[480];
    if (!e->key) {
        if (spec_matches(specs, e->section, NULL)) return EMS_OK;
        known_hint(specs, e->section, NULL, hint, sizeof hint);
        return config_fail(ctx, c, e, EMS_EINPUT, "unknown section (%s)", hint);
    }
    if (spec_matches(specs, e->section, e->key)) return EMS_OK;
    known_hint(specs, e->section, e->key, hint, sizeof hint);
    return config_fail(ctx, c, e, EMS_EINPUT, "unknown key (%s)", hint);
}

/* ---- loading ----------------------------------------------------------------------------------------- */

static int fail_line(loader *l, const char *fmt, ...) EMS_PRINTF(2, 3);
static int fail_line(loader *l, const char *fmt, ...)
{
    if (l->st == EMS_OK) {
        char what[768];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(what, sizeof what, fmt, ap);
        va_end(ap);
        l->st = emscov_fail(l->ctx, EMS_EINPUT, "%s: line %d: %s", l->c->path, l->line, what);
        l->err_line = l->line;
    }
    return 0;
}

/* Record the outcome of a check made on the current line. */
static bool checked(loader *l, ems_status st)
{
    if (st != EMS_OK && l->st == EMS_OK) {
        l->st = st;
        l->err_line = l->line;
    }
    return st == EMS_OK;
}

/* Append an item (key NULL: a header) with copies of the spans; NULL when out of memory. */
static item *add_item(loader *l, const char *sec, size_t sn, const char *key, size_t kn, const char *val,
                      size_t vn)
{
    config *c = l->c;
    if (!ems_grow(l->ctx, (void **)&c->items, &c->cap, c->n + 1, sizeof *c->items)) {
        l->st = EMS_ENOMEM;
        return NULL;
    }
    char *t = ems_malloc(l->ctx, sn + kn + vn + 3);
    if (!t) {
        l->st = EMS_ENOMEM;
        return NULL;
    }
    item *it = &c->items[c->n++];
    memcpy(t, sec, sn);
    t[sn] = '\0';
    it->text = t;
    it->pub = (config_entry){t, NULL, NULL, l->line};
    if (key) {
        char *k = t + sn + 1, *v = k + kn + 1;
        memcpy(k, key, kn);
        k[kn] = '\0';
        memcpy(v, val, vn);
        v[vn] = '\0';
        it->pub.key = k;
        it->pub.value = v;
    }
    return it;
}

/* A [section] line (s[0] == '['). */
static void on_header(loader *l, const char *s, size_t n)
{
    const char *close = memchr(s, ']', n);
    if (!close) {
        fail_line(l, "section header without a closing ']'");
        return;
    }
    const char *name = s + 1, *rest = close + 1;
    size_t nn = (size_t)(close - name), rn = n - (size_t)(rest - s);
    trim(&name, &nn);
    trim(&rest, &rn);
    char b[CONFIG_SHOW + 4];
    if (rn && rest[0] != ';' && rest[0] != '#') {
        fail_line(l, "text after the section header: \"%s\"", shown_n(b, rest, rn));
        return;
    }
    if (!nn) {
        fail_line(l, "[]: empty section name");
        return;
    }
    item *it = add_item(l, name, nn, NULL, 0, NULL, 0);
    if (!it) return;
    l->section = it->text;
    if (l->schema) checked(l, check_known(l->ctx, l->c, &it->pub, l->schema->keys));
}

/* A key = value line too long for inih's buffer: split it as inih would and put key and value aside. */
static void put_aside(loader *l, const char *s, size_t n)
{
    size_t i = 0;
    bool was_space = false;
    for (; i < n && s[i] != '=' && s[i] != ':'; i++) {
        if (was_space && s[i] == ';') return; /* a comment before any separator: inih reports the line */
        was_space = is_space(s[i]);
    }
    if (i >= n) return; /* no separator: likewise */
    const char *k = s, *v = s + i + 1;
    size_t kn = i, vn = n - i - 1;
    was_space = false;
    for (size_t j = 0; j < vn; j++) {
        if (was_space && v[j] == ';') {
            vn = j;
            break;
        }
        was_space = is_space(v[j]);
    }
    trim(&k, &kn);
    trim(&v, &vn);
    l->aside = true;
    l->akey = k;
    l->akey_n = kn;
    l->aval = v;
    l->aval_n = vn;
}

/* ini_reader: one line of the file per call (see the top of this file). */
static char *reader(char *buf, int num, void *stream)
{
    loader *l = stream;
    if (l->st != EMS_OK || l->pos >= l->len) return NULL;
    const char *s = l->text + l->pos;
    const char *nl = memchr(s, '\n', l->len - l->pos);
    size_t n = nl ? (size_t)(nl - s) : l->len - l->pos;
    l->pos += n + (nl != NULL);
    l->line++;
    l->aside = false;
    if (num < 8) { /* libinih's buffer is 200 bytes; "k=v" must fit */
        l->st = emscov_fail(l->ctx, EMS_EINTERNAL, "%s: libinih line buffer of %d bytes", l->c->path, num);
        return NULL;
    }
    if (n && s[n - 1] == '\r') n--;
    static const char bom[] = "\xEF\xBB\xBF";
    if (l->line == 1 && n >= 3 && !memcmp(s, bom, 3)) s += 3, n -= 3;
    if (!encoding_is_utf8(s, n)) {
        fail_line(l, "not valid UTF-8 text (save the file as UTF-8, not GBK)");
        return NULL;
    }
    if (n >= 3 && !memcmp(s, bom, 3)) {
        fail_line(l, "a byte-order mark is allowed only at the start of the file");
        return NULL;
    }
    while (n && is_space(*s))
        s++, n--;
    buf[0] = '\0';
    if (!n || *s == ';' || *s == '#') return buf; /* blank line or comment */
    if (*s == '[') {
        on_header(l, s, n);
        return l->st == EMS_OK ? buf : NULL;
    }
    if (n < (size_t)num) {
        memcpy(buf, s, n);
        buf[n] = '\0';
        return buf;
    }
    put_aside(l, s, n);
    snprintf(buf, (size_t)num, "%s", l->aside ? "k=v" : "x");
    return buf;
}

static bool allowed_empty(const loader *l, const config_entry *e)
{
    return l->schema && l->schema->allow_empty && spec_matches(l->schema->allow_empty, e->section, e->key);
}

/* ini_handler: one key = value line; the section is ours (inih never sees our headers). */
static int on_entry(void *user, const char *inih_section, const char *name, const char *value)
{
    (void)inih_section;
    loader *l = user;
    if (l->st != EMS_OK) return 0;
    const char *k = name, *v = value ? value : "";
    size_t kn = strlen(k), vn = strlen(v);
    if (l->aside) {
        k = l->akey, kn = l->akey_n;
        v = l->aval, vn = l->aval_n;
    }
    char b[CONFIG_SHOW + 4];
    if (!l->section) return fail_line(l, "%s: key before any [section]", shown_n(b, k, kn));
    if (!kn) return fail_line(l, "[%s]: no key before '='", shown(b, l->section));
    item *it = add_item(l, l->section, strlen(l->section), k, kn, v, vn);
    if (!it) return 0;
    const config_entry *e = &it->pub;
    if (l->schema && !checked(l, check_known(l->ctx, l->c, e, l->schema->keys))) return 0;
    for (size_t i = 0; i + 1 < l->c->n; i++) {
        const config_entry *p = &l->c->items[i].pub;
        if (p->key && !strcmp(p->section, e->section) && !strcmp(p->key, e->key))
            return checked(
                l, config_fail(l->ctx, l->c, e, EMS_EINPUT, "given twice (first on line %d)", p->line));
    }
    if (!vn && !allowed_empty(l, e))
        return checked(l, config_fail(l->ctx, l->c, e, EMS_EINPUT, "empty value"));
    return 1;
}

ems_status config_load_schema(emscov_ctx *ctx, const char *path, const config_schema *schema, config **out)
{
    *out = NULL;
    config *c = ems_calloc(ctx, 1, sizeof *c);
    if (!c) return EMS_ENOMEM;
    const char *slash = strrchr(path, '/');
    c->path = ems_strdup(ctx, path);
    if (!slash)
        c->dir = ems_strdup(ctx, ".");
    else if (slash == path) /* "/x.ini": the root */
        c->dir = ems_strdup(ctx, "/");
    else
        c->dir = ems_strndup(ctx, path, (size_t)(slash - path));
    char *text = NULL;
    size_t len = 0;
    ems_status st = !c->path || !c->dir ? EMS_ENOMEM : ems_read_file(ctx, path, &text, &len);
    const char *nul = st == EMS_OK ? memchr(text, '\0', len) : NULL;
    if (nul) {
        int line = 1;
        for (const char *p = text; p < nul; p++)
            line += *p == '\n';
        st = emscov_fail(ctx, EMS_EINPUT, "%s: line %d: contains a NUL byte (not a text file)", path, line);
    }
    if (st == EMS_OK) {
        loader l = {.ctx = ctx, .c = c, .schema = schema, .text = text, .len = len, .st = EMS_OK};
        int rc = ini_parse_stream(reader, &l, on_entry, &l);
        if (l.st == EMS_ENOMEM || l.st == EMS_EINTERNAL)
            st = l.st;
        else if (rc > 0 && (l.st == EMS_OK || rc < l.err_line)) /* inih's syntax error comes first */
            st = emscov_fail(ctx, EMS_EINPUT,
                             "%s: line %d: not a [section] header, a key = value line or a ; comment", path,
                             rc);
        else if (l.st != EMS_OK)
            st = l.st;
        else if (rc < 0)
            st = emscov_fail(ctx, rc == -2 ? EMS_ENOMEM : EMS_EIO, "%s: libinih error %d", path, rc);
    }
    free(text);
    if (st != EMS_OK) {
        config_destroy(c);
        return st;
    }
    *out = c;
    return EMS_OK;
}

ems_status config_load(emscov_ctx *ctx, const char *path, config **out)
{
    return config_load_schema(ctx, path, NULL, out);
}

void config_destroy(config *c)
{
    if (!c) return;
    for (size_t i = 0; i < c->n; i++)
        free(c->items[i].text);
    free(c->items);
    free(c->path);
    free(c->dir);
    free(c);
}

const char *config_path(const config *c)
{
    return c->path;
}

const char *config_dir(const config *c)
{
    return c->dir;
}

/* ---- lookups ----------------------------------------------------------------------------------------- */

const config_entry *config_next(const config *c, const char *section, const config_entry *prev)
{
    size_t i = prev ? (size_t)((const item *)prev - c->items) + 1 : 0;
    for (; i < c->n; i++)
        if (c->items[i].pub.key && !strcmp(c->items[i].pub.section, section)) return &c->items[i].pub;
    return NULL;
}

const config_entry *config_find(const config *c, const char *section, const char *key)
{
    for (const config_entry *e = NULL; (e = config_next(c, section, e));)
        if (!strcmp(e->key, key)) return e;
    return NULL;
}

int config_section_line(const config *c, const char *section)
{
    const item *h = find_header(c, section);
    return h ? h->pub.line : 0;
}

const char *config_get(const config *c, const char *section, const char *key)
{
    const config_entry *e = config_find(c, section, key);
    return e ? e->value : NULL;
}

ems_status config_require_entry(emscov_ctx *ctx, const config *c, const char *section, const char *key,
                                const config_entry **out)
{
    *out = config_find(c, section, key);
    if (!*out) return emscov_fail(ctx, EMS_EINPUT, "%s: [%s] %s: missing (required)", c->path, section, key);
    return EMS_OK;
}

ems_status config_require(emscov_ctx *ctx, const config *c, const char *section, const char *key,
                          const char **out)
{
    const config_entry *e = NULL;
    ems_status st = config_require_entry(ctx, c, section, key, &e);
    *out = e ? e->value : NULL;
    return st;
}

ems_status config_check_known(emscov_ctx *ctx, const config *c, const char *const *known)
{
    for (size_t i = 0; i < c->n; i++) {
        ems_status st = check_known(ctx, c, &c->items[i].pub, known);
        if (st != EMS_OK) return st;
    }
    return EMS_OK;
}

char *config_path_value(const config *c, const char *section, const char *key)
{
    const char *v = config_get(c, section, key);
    if (!v || !*v) return NULL;
    size_t n = strlen(c->dir) + strlen(v) + 2;
    char *p = malloc(n);
    if (!p) return NULL;
    if (v[0] == '/' || !strncmp(v, "pg:", 3)) /* absolute, or a PostGIS source (geo/pg.h) */
        snprintf(p, n, "%s", v);
    else
        snprintf(p, n, "%s/%s", c->dir, v);
    return p;
}

/* ---- numbers ----------------------------------------------------------------------------------------- */

/* Digits are gathered into an integer and scaled once by a power of ten, so "0.6" is the double nearest
 * 0.6 (digits past the 15th significant one are dropped); no locale is involved. */
size_t config_scan_decimal(const char *s, double *out)
{
    size_t i = 0;
    bool neg = false;
    if (s[i] == '+' || s[i] == '-') neg = s[i++] == '-';
    uint64_t mant = 0;
    int sig = 0, scale = 0, digits = 0; /* value = mant x 10^scale */
    for (; s[i] >= '0' && s[i] <= '9'; i++, digits++) {
        if (sig < 15) {
            mant = mant * 10 + (uint64_t)(s[i] - '0');
            sig += mant > 0;
        } else {
            scale++;
        }
    }
    if (s[i] == '.')
        for (i++; s[i] >= '0' && s[i] <= '9'; i++, digits++)
            if (sig < 15) {
                mant = mant * 10 + (uint64_t)(s[i] - '0');
                sig += mant > 0;
                scale--;
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

bool config_decimal(const char *s, double *out)
{
    double v = 0;
    size_t n = config_scan_decimal(s, &v);
    if (!n || s[n] || !isfinite(v)) return false;
    *out = v;
    return true;
}

/* text (the whole value, or one item of a list) as a number in [lo, hi]. */
static ems_status number_in(emscov_ctx *ctx, const config *c, const config_entry *e, const char *text,
                            double lo, double hi, double *out)
{
    char b[CONFIG_SHOW + 4];
    double v = 0;
    if (!config_decimal(text, &v))
        return config_fail(ctx, c, e, EMS_EINPUT, "\"%s\" is not a number (plain decimals: 12, 0.95)",
                           shown(b, text));
    if (v < lo || v > hi) return config_fail(ctx, c, e, EMS_EINPUT, "%s is outside [%g, %g]", text, lo, hi);
    *out = v;
    return EMS_OK;
}

ems_status config_entry_number(emscov_ctx *ctx, const config *c, const config_entry *e, double *out)
{
    return number_in(ctx, c, e, e->value, -HUGE_VAL, HUGE_VAL, out);
}

ems_status config_number(emscov_ctx *ctx, const config *c, const char *section, const char *key, double lo,
                         double hi, double dflt, double *out)
{
    const config_entry *e = config_find(c, section, key);
    if (!e) {
        *out = dflt;
        return EMS_OK;
    }
    return number_in(ctx, c, e, e->value, lo, hi, out);
}

ems_status config_numbers(emscov_ctx *ctx, const config *c, const char *section, const char *key, double lo,
                          double hi, double *out, size_t cap, size_t *n)
{
    *n = 0;
    const config_entry *e = config_find(c, section, key);
    if (!e) return EMS_OK;
    for (const char *p = e->value; *p;) {
        while (*p == ',' || is_space(*p))
            p++;
        size_t len = 0;
        while (p[len] && p[len] != ',' && !is_space(p[len]))
            len++;
        if (!len) break;
        if (*n >= cap) return config_fail(ctx, c, e, EMS_EINPUT, "more than %zu values", cap);
        char tok[64];
        if (len >= sizeof tok) return config_fail(ctx, c, e, EMS_EINPUT, "\"%.40s...\" is not a number", p);
        snprintf(tok, sizeof tok, "%.*s", (int)len, p);
        ems_status st = number_in(ctx, c, e, tok, lo, hi, &out[*n]);
        if (st != EMS_OK) return st;
        (*n)++;
        p += len;
    }
    return EMS_OK;
}
