/* geo/config.c: strict INI via libinih (see config.h). */
#include "geo/config.h"

#include <errno.h>
#include <ini.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct entry {
    char *section, *key, *value;
    int line;
} entry;

struct config {
    char *path, *dir;
    entry *e;
    size_t n, cap;
};

typedef struct load_state {
    emscov_ctx *ctx;
    config *c;
    ems_status st;
    FILE *f;
    int line; /* lines handed to inih so far: inih reads one line per reader call, so this is its line number */
} load_state;

/* inih reader (Debian's libinih passes no line number to the handler): one line per call, counted. */
static char *read_line(char *buf, int num, void *stream)
{
    load_state *s = stream;
    if (!fgets(buf, num, s->f))
        return NULL;
    s->line++;
    size_t n = strlen(buf);
    if (n == (size_t)num - 1 && buf[n - 1] != '\n' && !feof(s->f)) {
        if (s->st == EMS_OK)
            s->st = emscov_fail(s->ctx, EMS_EINPUT, "%s: line %d: longer than %d bytes", s->c->path, s->line,
                                num - 2);
        return NULL;
    }
    return buf;
}

static int on_entry(void *user, const char *section, const char *name, const char *value)
{
    load_state *s = user;
    config *c = s->c;
    int line = s->line;
    if (s->st != EMS_OK)
        return 0;
    for (size_t i = 0; i < c->n; i++)
        if (!strcmp(c->e[i].section, section) && !strcmp(c->e[i].key, name)) {
            s->st = emscov_fail(s->ctx, EMS_EINPUT, "%s: line %d: [%s] %s is given twice (first on line %d)", c->path,
                                line, section, name, c->e[i].line);
            return 0;
        }
    if (!ems_grow(s->ctx, (void **)&c->e, &c->cap, c->n + 1, sizeof *c->e)) {
        s->st = EMS_ENOMEM;
        return 0;
    }
    entry *e = &c->e[c->n];
    e->section = ems_strdup(s->ctx, section);
    e->key = ems_strdup(s->ctx, name);
    e->value = ems_strdup(s->ctx, value ? value : "");
    e->line = line;
    c->n++;
    if (!e->section || !e->key || !e->value)
        s->st = EMS_ENOMEM;
    return s->st == EMS_OK;
}

ems_status config_load(emscov_ctx *ctx, const char *path, config **out)
{
    *out = NULL;
    config *c = ems_calloc(ctx, 1, sizeof *c);
    if (!c)
        return EMS_ENOMEM;
    c->path = ems_strdup(ctx, path);
    const char *slash = strrchr(path, '/');
    c->dir = slash ? ems_strndup(ctx, path, (size_t)(slash - path)) : ems_strdup(ctx, ".");
    if (!c->path || !c->dir) {
        config_destroy(c);
        return EMS_ENOMEM;
    }
    FILE *f = fopen(path, "r");
    if (!f) {
        ems_status st = emscov_fail(ctx, EMS_EINPUT, "%s: cannot open: %s", path, strerror(errno));
        config_destroy(c);
        return st;
    }
    load_state s = {ctx, c, EMS_OK, f, 0};
    int r = ini_parse_stream(read_line, &s, on_entry, &s);
    fclose(f);
    if (s.st == EMS_OK && r != 0)
        s.st = emscov_fail(ctx, EMS_EINPUT, "%s: line %d: not valid INI (expected [section] or key = value)", path,
                           r);
    if (s.st != EMS_OK) {
        config_destroy(c);
        return s.st;
    }
    *out = c;
    return EMS_OK;
}

void config_destroy(config *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++) {
        free(c->e[i].section);
        free(c->e[i].key);
        free(c->e[i].value);
    }
    free(c->e);
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

static const entry *find(const config *c, const char *section, const char *key)
{
    for (size_t i = 0; i < c->n; i++)
        if (!strcmp(c->e[i].section, section) && !strcmp(c->e[i].key, key))
            return &c->e[i];
    return NULL;
}

const char *config_get(const config *c, const char *section, const char *key)
{
    const entry *e = find(c, section, key);
    return e ? e->value : NULL;
}

ems_status config_require(emscov_ctx *ctx, const config *c, const char *section, const char *key, const char **out)
{
    *out = config_get(c, section, key);
    if (!*out || !**out)
        return emscov_fail(ctx, EMS_EINPUT, "%s: [%s] %s is missing", c->path, section, key);
    return EMS_OK;
}

static ems_status parse_number(emscov_ctx *ctx, const config *c, const entry *e, const char *text, double lo,
                               double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    while (*end == ' ' || *end == '\t')
        end++;
    if (errno || end == text || *end || !isfinite(v))
        return emscov_fail(ctx, EMS_EINPUT, "%s: line %d: [%s] %s: \"%s\" is not a number", c->path, e->line,
                           e->section, e->key, text);
    if (v < lo || v > hi)
        return emscov_fail(ctx, EMS_EINPUT, "%s: line %d: [%s] %s: %g is outside [%g, %g]", c->path, e->line,
                           e->section, e->key, v, lo, hi);
    *out = v;
    return EMS_OK;
}

ems_status config_number(emscov_ctx *ctx, const config *c, const char *section, const char *key, double lo,
                         double hi, double dflt, double *out)
{
    const entry *e = find(c, section, key);
    if (!e) {
        *out = dflt;
        return EMS_OK;
    }
    return parse_number(ctx, c, e, e->value, lo, hi, out);
}

ems_status config_numbers(emscov_ctx *ctx, const config *c, const char *section, const char *key, double lo,
                          double hi, double *out, size_t cap, size_t *n)
{
    *n = 0;
    const entry *e = find(c, section, key);
    if (!e)
        return EMS_OK;
    char buf[512];
    snprintf(buf, sizeof buf, "%s", e->value);
    for (char *tok = strtok(buf, ", \t"); tok; tok = strtok(NULL, ", \t")) {
        if (*n >= cap)
            return emscov_fail(ctx, EMS_EINPUT, "%s: line %d: [%s] %s: more than %zu values", c->path, e->line,
                               section, key, cap);
        ems_status st = parse_number(ctx, c, e, tok, lo, hi, &out[*n]);
        if (st != EMS_OK)
            return st;
        (*n)++;
    }
    return EMS_OK;
}

ems_status config_check_known(emscov_ctx *ctx, const config *c, const char *const *known)
{
    for (size_t i = 0; i < c->n; i++) {
        const entry *e = &c->e[i];
        bool ok = false;
        for (const char *const *k = known; *k && !ok; k++) {
            const char *dot = strchr(*k, '.');
            size_t sl = (size_t)(dot - *k);
            if (strlen(e->section) != sl || strncmp(e->section, *k, sl) != 0)
                continue;
            ok = !strcmp(dot + 1, "*") || !strcmp(dot + 1, e->key);
        }
        if (!ok)
            return emscov_fail(ctx, EMS_EINPUT, "%s: line %d: unknown key [%s] %s", c->path, e->line, e->section,
                               e->key);
    }
    return EMS_OK;
}

char *config_path_value(const config *c, const char *section, const char *key)
{
    const char *v = config_get(c, section, key);
    if (!v || !*v)
        return NULL;
    size_t n = strlen(c->dir) + strlen(v) + 2;
    char *p = malloc(n);
    if (!p)
        return NULL;
    if (v[0] == '/' || !strncmp(v, "pg:", 3)) /* absolute, or a PostGIS source (geo/pg.h) */
        snprintf(p, n, "%s", v);
    else
        snprintf(p, n, "%s/%s", c->dir, v);
    return p;
}
