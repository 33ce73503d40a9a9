/* geo/ctx.c: the run context (see ctx.h): messages, warnings, the allocation wrappers with their test fault
 * (ctx_test.h), and the input-file gate every reader goes through (regular files only, or the I/O hook). */
#include "geo/ctx.h"
#include "geo/ctx_test.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define EMS_MSG_CAP 1024

/* The test fault of ctx_test.h, shared by a ctx and its children (their threads count together). */
typedef struct alloc_plan {
    atomic_size_t n;    /* ems_* allocations since the fault was armed */
    size_t fail;        /* fail the fail-th one; 0: never (set before the threads start) */
    atomic_bool fired;
} alloc_plan;

struct emscov_ctx {
    GEOSContextHandle_t geos;
    PJ_CONTEXT *proj;
    char message[EMS_MSG_CAP];
    char lib_message[EMS_MSG_CAP];
    emscov_warn_fn warn;
    void *warn_user;
    size_t warnings;
    emscov_io io;       /* io.file NULL: the file system */
    alloc_plan own;     /* the allocation fault of a root ctx */
    alloc_plan *plan;   /* &own, or the root's for a child (emscov_ctx_create_child): one count per run */
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
    atomic_init(&ctx->own.n, 0);
    atomic_init(&ctx->own.fired, false);
    ctx->plan = &ctx->own;
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

emscov_ctx *emscov_ctx_create_child(emscov_ctx *parent)
{
    emscov_ctx *ctx = emscov_ctx_create();
    if (ctx && parent)
        ctx->plan = parent->plan;
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

void emscov_ctx_fail_alloc_after(emscov_ctx *ctx, size_t n)
{
    ctx->plan->fail = n;
    atomic_store(&ctx->plan->n, 0);
    atomic_store(&ctx->plan->fired, false);
}

size_t emscov_ctx_alloc_count(const emscov_ctx *ctx)
{
    return atomic_load(&ctx->plan->n);
}

bool emscov_ctx_alloc_fault_fired(const emscov_ctx *ctx)
{
    return atomic_load(&ctx->plan->fired);
}

/* True when this allocation is the one a test asked to fail. */
static bool fault(emscov_ctx *ctx)
{
    size_t n = atomic_fetch_add(&ctx->plan->n, 1) + 1;
    if (ctx->plan->fail == 0 || n != ctx->plan->fail)
        return false;
    atomic_store(&ctx->plan->fired, true);
    return true;
}

void *ems_malloc(emscov_ctx *ctx, size_t n)
{
    void *p = fault(ctx) ? NULL : malloc(n ? n : 1);
    if (!p)
        emscov_fail(ctx, EMS_ENOMEM, "out of memory (%zu bytes)", n);
    return p;
}

void *ems_calloc(emscov_ctx *ctx, size_t count, size_t size)
{
    void *p = fault(ctx) ? NULL : calloc(count ? count : 1, size ? size : 1);
    if (!p)
        emscov_fail(ctx, EMS_ENOMEM, "out of memory (%zu x %zu bytes)", count, size);
    return p;
}

void *ems_realloc(emscov_ctx *ctx, void *p, size_t n)
{
    void *q = fault(ctx) ? NULL : realloc(p, n ? n : 1);
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

/* ---- Input files ---------------------------------------------------------------------------------------- */

void emscov_set_io(emscov_ctx *ctx, const emscov_io *io)
{
    ctx->io = io ? *io : (emscov_io){0};
}

bool emscov_has_io(const emscov_ctx *ctx)
{
    return ctx->io.file != NULL;
}

static const char *kind_text(mode_t m)
{
    return S_ISFIFO(m) ? "a FIFO" : S_ISCHR(m) ? "a character device" : S_ISBLK(m) ? "a block device"
         : S_ISSOCK(m) ? "a socket" : "a special file";
}

/* Why a file of mode m cannot be read as input: EMS_EINPUT naming path, or EMS_OK for a regular file. */
static ems_status refuse_kind(emscov_ctx *ctx, const char *path, mode_t m)
{
    if (S_ISREG(m))
        return EMS_OK;
    if (S_ISDIR(m))
        return emscov_fail(ctx, EMS_EINPUT, "%s: is a directory, not a file", path);
    return emscov_fail(ctx, EMS_EINPUT, "%s: not a regular file (%s): emscov reads only regular files", path,
                       kind_text(m));
}

/* Open a regular file for reading: stat first (a FIFO or a device is refused without being opened), then
 * open with O_NONBLOCK (a path swapped for a FIFO in between cannot block the open) and fstat the descriptor
 * (what is read is what was checked). */
static ems_status open_regular(emscov_ctx *ctx, const char *path, int *fd, size_t *size)
{
    *fd = -1;
    struct stat sb;
    if (stat(path, &sb) != 0)
        return emscov_fail(ctx, EMS_EINPUT, "%s: cannot open: %s", path, strerror(errno));
    ems_status st = refuse_kind(ctx, path, sb.st_mode);
    if (st != EMS_OK)
        return st;
    int f = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (f < 0)
        return emscov_fail(ctx, EMS_EINPUT, "%s: cannot open: %s", path, strerror(errno));
    if (fstat(f, &sb) != 0) {
        int e = errno;
        close(f);
        return emscov_fail(ctx, EMS_EIO, "%s: cannot read its status: %s", path, strerror(e));
    }
    if ((st = refuse_kind(ctx, path, sb.st_mode)) != EMS_OK) {
        close(f);
        return st;
    }
    if (sb.st_size < 0 || (unsigned long long)sb.st_size > SIZE_MAX / 2) {
        close(f);
        return emscov_fail(ctx, EMS_EINPUT, "%s: %lld bytes: too large to read", path, (long long)sb.st_size);
    }
    *fd = f;
    if (size)
        *size = (size_t)sb.st_size;
    return EMS_OK;
}

ems_status ems_file_check(emscov_ctx *ctx, const char *path, size_t *size)
{
    if (ctx->io.file) {
        size_t n = 0;
        if (!ctx->io.file(ctx->io.user, path, &n))
            return emscov_fail(ctx, EMS_EINPUT, "%s: cannot open: %s", path, strerror(ENOENT));
        if (size)
            *size = n;
        return EMS_OK;
    }
    int fd;
    ems_status st = open_regular(ctx, path, &fd, size);
    if (st == EMS_OK)
        close(fd);
    return st;
}

bool ems_file_exists(emscov_ctx *ctx, const char *path)
{
    if (ctx->io.file) {
        size_t n;
        return ctx->io.file(ctx->io.user, path, &n) != NULL;
    }
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode) && access(path, R_OK) == 0;
}

ems_status ems_read_file(emscov_ctx *ctx, const char *path, char **out, size_t *len)
{
    *out = NULL;
    if (ctx->io.file) {
        size_t n = 0;
        const void *data = ctx->io.file(ctx->io.user, path, &n);
        if (!data)
            return emscov_fail(ctx, EMS_EINPUT, "%s: cannot open: %s", path, strerror(ENOENT));
        char *buf = ems_malloc(ctx, n + 1);
        if (!buf)
            return EMS_ENOMEM;
        if (n)
            memcpy(buf, data, n);
        buf[n] = '\0';
        *out = buf;
        if (len)
            *len = n;
        return EMS_OK;
    }
    int fd;
    size_t size = 0;
    ems_status st = open_regular(ctx, path, &fd, &size);
    if (st != EMS_OK)
        return st;
    /* the size from fstat, plus room to notice a file that grew meanwhile */
    size_t cap = 0, n = 0;
    char *buf = NULL;
    for (;;) {
        if (!ems_grow(ctx, (void **)&buf, &cap, (n ? n : size) + 65537, 1)) {
            free(buf);
            close(fd);
            return EMS_ENOMEM;
        }
        ssize_t got = read(fd, buf + n, cap - n - 1);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            int e = errno;
            free(buf);
            close(fd);
            return emscov_fail(ctx, EMS_EIO, "%s: read error: %s", path, strerror(e));
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    close(fd);
    buf[n] = '\0';
    *out = buf;
    if (len)
        *len = n;
    return EMS_OK;
}

ems_status ems_file_map_open(emscov_ctx *ctx, const char *path, ems_file_map *m)
{
    *m = (ems_file_map){0};
    if (ctx->io.file) {
        size_t n = 0;
        const void *data = ctx->io.file(ctx->io.user, path, &n);
        if (!data)
            return emscov_fail(ctx, EMS_EINPUT, "%s: cannot open: %s", path, strerror(ENOENT));
        m->data = n ? data : NULL;
        m->len = n;
        return EMS_OK;
    }
    int fd;
    size_t size = 0;
    ems_status st = open_regular(ctx, path, &fd, &size);
    if (st != EMS_OK || size == 0) {
        if (st == EMS_OK)
            close(fd);
        return st;
    }
    void *p = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    int e = errno;
    close(fd);
    if (p == MAP_FAILED)
        return emscov_fail(ctx, e == ENOMEM ? EMS_ENOMEM : EMS_EIO, "%s: cannot map into memory: %s", path,
                           strerror(e));
    posix_madvise(p, size, POSIX_MADV_SEQUENTIAL);
    m->data = p;
    m->len = size;
    m->mapped = true;
    return EMS_OK;
}

void ems_file_unmap(ems_file_map *m)
{
    if (m && m->mapped)
        munmap((void *)m->data, m->len);
    if (m)
        *m = (ems_file_map){0};
}
