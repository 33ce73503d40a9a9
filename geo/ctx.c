/* geo/ctx.c: the run context (see ctx.h). */
#include "geo/ctx.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EMS_MSG_CAP 1024

struct emscov_ctx {
    GEOSContextHandle_t geos;
    PJ_CONTEXT *proj;
    char message[EMS_MSG_CAP];
    char lib_message[EMS_MSG_CAP];
    emscov_warn_fn warn;
    void *warn_user;
    size_t warnings;
};

const char *ems_status_text(ems_status s)
{
#define EMS_TEXT(c, t) case EMS_##c: return t;
    switch (s) {
        EMS_STATUS_MAP(EMS_TEXT)
    default:
        return "unknown status";
    }
#undef EMS_TEXT
}

int ems_exit_code(ems_status s)
{
    return s == EMS_OK ? 0 : s == EMS_EINPUT ? 2 : 1;
}

static void copy_trimmed(char *dst, const char *src)
{
    snprintf(dst, EMS_MSG_CAP, "%s", src ? src : "");
    size_t n = strlen(dst);
    while (n > 0 && (dst[n - 1] == '\n' || dst[n - 1] == ' '))
        dst[--n] = '\0';
}

static void on_geos_message(const char *message, void *user)
{
    emscov_ctx *ctx = user;
    copy_trimmed(ctx->lib_message, message);
}

static void on_proj_log(void *user, int level, const char *message)
{
    emscov_ctx *ctx = user;
    if (level <= PJ_LOG_ERROR)
        copy_trimmed(ctx->lib_message, message);
}

emscov_ctx *emscov_ctx_create(void)
{
    emscov_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx)
        return NULL;
    ctx->geos = GEOS_init_r();
    ctx->proj = proj_context_create();
    if (!ctx->geos || !ctx->proj) {
        emscov_ctx_destroy(ctx);
        return NULL;
    }
    GEOSContext_setErrorMessageHandler_r(ctx->geos, on_geos_message, ctx);
    GEOSContext_setNoticeMessageHandler_r(ctx->geos, NULL, NULL);
    proj_log_func(ctx->proj, ctx, on_proj_log);
    proj_log_level(ctx->proj, PJ_LOG_ERROR);
    proj_context_set_enable_network(ctx->proj, 0);
    return ctx;
}

void emscov_ctx_destroy(emscov_ctx *ctx)
{
    if (!ctx)
        return;
    if (ctx->geos)
        GEOS_finish_r(ctx->geos);
    if (ctx->proj)
        proj_context_destroy(ctx->proj);
    free(ctx);
}

GEOSContextHandle_t emscov_geos(const emscov_ctx *ctx)
{
    return ctx->geos;
}

PJ_CONTEXT *emscov_proj(const emscov_ctx *ctx)
{
    return ctx->proj;
}

ems_status emscov_fail(emscov_ctx *ctx, ems_status s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx->message, sizeof ctx->message, fmt, ap);
    va_end(ap);
    return s;
}

const char *emscov_message(const emscov_ctx *ctx)
{
    return ctx->message;
}

const char *emscov_lib_message(const emscov_ctx *ctx)
{
    return ctx->lib_message;
}

void emscov_clear(emscov_ctx *ctx)
{
    ctx->message[0] = '\0';
    ctx->lib_message[0] = '\0';
}

void emscov_set_warn(emscov_ctx *ctx, emscov_warn_fn fn, void *user)
{
    ctx->warn = fn;
    ctx->warn_user = user;
}

void emscov_warn(emscov_ctx *ctx, const char *fmt, ...)
{
    char buf[EMS_MSG_CAP];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    ctx->warnings++;
    if (ctx->warn)
        ctx->warn(ctx->warn_user, buf);
}

size_t emscov_warning_count(const emscov_ctx *ctx)
{
    return ctx->warnings;
}

void *ems_malloc(emscov_ctx *ctx, size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        emscov_fail(ctx, EMS_ENOMEM, "out of memory (%zu bytes)", n);
    return p;
}

void *ems_calloc(emscov_ctx *ctx, size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        emscov_fail(ctx, EMS_ENOMEM, "out of memory (%zu x %zu bytes)", count, size);
    return p;
}

void *ems_realloc(emscov_ctx *ctx, void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        emscov_fail(ctx, EMS_ENOMEM, "out of memory (%zu bytes)", n);
    return q;
}

bool ems_grow(emscov_ctx *ctx, void **arr, size_t *cap, size_t need, size_t sz)
{
    if (need <= *cap)
        return true;
    size_t n = *cap ? *cap : 16;
    while (n < need) {
        if (n > (SIZE_MAX / 2) / sz) {
            emscov_fail(ctx, EMS_ENOMEM, "array too large (%zu elements)", need);
            return false;
        }
        n *= 2;
    }
    void *p = ems_realloc(ctx, *arr, n * sz);
    if (!p)
        return false;
    *arr = p;
    *cap = n;
    return true;
}

char *ems_strdup(emscov_ctx *ctx, const char *s)
{
    return ems_strndup(ctx, s, strlen(s));
}

char *ems_strndup(emscov_ctx *ctx, const char *s, size_t n)
{
    char *d = ems_malloc(ctx, n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

void ems_geos_destroy_all(emscov_ctx *ctx, ...)
{
    va_list ap;
    va_start(ap, ctx);
    for (GEOSGeometry *g = va_arg(ap, GEOSGeometry *); g != EMS_GEOS_END; g = va_arg(ap, GEOSGeometry *))
        if (g)
            GEOSGeom_destroy_r(ctx->geos, g);
    va_end(ap);
}

ems_status ems_read_file(emscov_ctx *ctx, const char *path, char **out, size_t *len)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return emscov_fail(ctx, EMS_EINPUT, "%s: cannot open: %s", path, strerror(errno));
    size_t cap = 0, n = 0;
    char *buf = NULL;
    for (;;) {
        if (!ems_grow(ctx, (void **)&buf, &cap, n + 65537, 1)) {
            free(buf);
            fclose(f);
            return EMS_ENOMEM;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        int e = errno;
        free(buf);
        fclose(f);
        return emscov_fail(ctx, EMS_EIO, "%s: read error: %s", path, strerror(e));
    }
    fclose(f);
    buf[n] = '\0';
    *out = buf;
    if (len)
        *len = n;
    return EMS_OK;
}
