/* tests/faults/iofault.c: an LD_PRELOAD shim that injects I/O faults into emscov's writes, for tools/iofault.sh
 * (issue 14, "I/O faults exercised"). It touches only files under the directory EMSCOV_IOFAULT_DIR (absolute):
 * calls on other paths and descriptors (stdout, the inputs, PROJ's database) pass through untouched.
 *
 *   EMSCOV_IOFAULT=OP:N   fail the N-th call of class OP under the directory, once:
 *                         open  (open, open64, openat, openat64, fopen, fopen64, creat) -> EACCES
 *                         write (write, pwrite, pwrite64, fwrite)                       -> ENOSPC
 *                         fsync (fsync, fdatasync)                                      -> EIO
 *                         rename (rename, renameat, renameat2; either name)             -> EIO
 *   EMSCOV_IOFAULT_LOG=F  at exit, append "open=A write=B fsync=C rename=D fired=0|1" to F (the calls seen).
 *
 * A descriptor is under the directory when /proc/self/fd/N names a file there. The counters are atomic. A
 * preload shim has nowhere but process-wide state to keep them: test code, not the library. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { OP_OPEN, OP_WRITE, OP_FSYNC, OP_RENAME, NOPS };
static const char *const op_names[NOPS] = {"open", "write", "fsync", "rename"};
static const int op_errno[NOPS] = {EACCES, ENOSPC, EIO, EIO};
static unsigned long counts[NOPS];
static int fault_op = -1;
static unsigned long fault_n;
static int fired;
static char dir[4096];
static size_t dir_len;

__attribute__((constructor)) static void iofault_init(void)
{
    const char *d = getenv("EMSCOV_IOFAULT_DIR");
    if (d && d[0] == '/' && strlen(d) < sizeof dir) {
        strcpy(dir, d);
        dir_len = strlen(dir);
        while (dir_len > 1 && dir[dir_len - 1] == '/')
            dir[--dir_len] = '\0';
    }
    const char *f = getenv("EMSCOV_IOFAULT");
    const char *colon = f ? strchr(f, ':') : NULL;
    for (int k = 0; colon && k < NOPS; k++)
        if ((size_t)(colon - f) == strlen(op_names[k]) && !strncmp(f, op_names[k], (size_t)(colon - f))) {
            fault_op = k;
            fault_n = strtoul(colon + 1, NULL, 10);
        }
}

__attribute__((destructor)) static void iofault_fini(void)
{
    const char *log = getenv("EMSCOV_IOFAULT_LOG");
    if (!log)
        return;
    FILE *(*real_fopen)(const char *, const char *) = (FILE * (*)(const char *, const char *)) dlsym(RTLD_NEXT, "fopen");
    FILE *f = real_fopen ? real_fopen(log, "a") : NULL;
    if (!f)
        return;
    fprintf(f, "open=%lu write=%lu fsync=%lu rename=%lu fired=%d\n", counts[OP_OPEN], counts[OP_WRITE],
            counts[OP_FSYNC], counts[OP_RENAME], fired);
    fclose(f);
}

#define REAL(name, type) ((type)dlsym(RTLD_NEXT, name))
#define REAL_WRITE(fd, buf, n) (void)REAL("write", ssize_t (*)(int, const void *, size_t))(fd, buf, n)

/* path when it lies under the directory, else NULL. */
static const char *under_dir(const char *path)
{
    return dir_len && path && !strncmp(path, dir, dir_len) && (path[dir_len] == '/' || path[dir_len] == '\0')
               ? path
               : NULL;
}

/* The file behind fd (in buf) when it lies under the directory, else NULL. */
static const char *fd_under_dir(int fd, char *buf, size_t cap)
{
    if (!dir_len || fd < 0)
        return NULL;
    char link[64];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, buf, cap - 1);
    if (n <= 0)
        return NULL;
    buf[n] = '\0';
    return under_dir(buf);
}

#define FD_UNDER_DIR(fd) fd_under_dir(fd, (char[4096]){0}, 4096)

/* Count a call of class op on `what` (a path or descriptor under the directory, else NULL); true when it is the
 * one to fail (errno set, one line on stderr naming the call). */
static int inject(int op, const char *what)
{
    if (!what)
        return 0;
    unsigned long n = __atomic_add_fetch(&counts[op], 1, __ATOMIC_SEQ_CST);
    if (op != fault_op || n != fault_n)
        return 0;
    fired = 1;
    char line[4300];
    int len = snprintf(line, sizeof line, "iofault: failing %s #%lu: %s\n", op_names[op], n, what);
    if (len > 0)
        REAL_WRITE(2, line, (size_t)len < sizeof line ? (size_t)len : sizeof line - 1);
    errno = op_errno[op];
    return 1;
}

static mode_t mode_arg(int flags, va_list ap)
{
    return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? (mode_t)va_arg(ap, int) : 0;
}

/* The wrappers: count, maybe fail, else call the real function. */
#define WRAP_OPEN(fn)                                                                                           \
    int fn(const char *path, int flags, ...)                                                                  \
    {                                                                                                         \
        va_list ap;                                                                                           \
        va_start(ap, flags);                                                                                  \
        mode_t mode = mode_arg(flags, ap);                                                                    \
        va_end(ap);                                                                                           \
        return inject(OP_OPEN, under_dir(path)) ? -1                                                          \
                                                : REAL(#fn, int (*)(const char *, int, ...))(path, flags, mode); \
    }
#define WRAP_OPENAT(fn)                                                                                         \
    int fn(int dirfd, const char *path, int flags, ...)                                                       \
    {                                                                                                         \
        va_list ap;                                                                                           \
        va_start(ap, flags);                                                                                  \
        mode_t mode = mode_arg(flags, ap);                                                                    \
        va_end(ap);                                                                                           \
        return inject(OP_OPEN, under_dir(path))                                                               \
                   ? -1                                                                                       \
                   : REAL(#fn, int (*)(int, const char *, int, ...))(dirfd, path, flags, mode);               \
    }
#define WRAP_FOPEN(fn)                                                                                          \
    FILE *fn(const char *path, const char *mode)                                                              \
    {                                                                                                         \
        return inject(OP_OPEN, under_dir(path)) ? NULL : REAL(#fn, FILE * (*)(const char *, const char *))(path, mode); \
    }
#define WRAP_PWRITE(fn)                                                                                         \
    ssize_t fn(int fd, const void *buf, size_t n, off_t off)                                                  \
    {                                                                                                         \
        return inject(OP_WRITE, FD_UNDER_DIR(fd)) ? -1                                                        \
                                                  : REAL(#fn, ssize_t (*)(int, const void *, size_t, off_t))(fd, buf, n, off); \
    }
#define WRAP_FSYNC(fn)                                                                                          \
    int fn(int fd)                                                                                            \
    {                                                                                                         \
        return inject(OP_FSYNC, FD_UNDER_DIR(fd)) ? -1 : REAL(#fn, int (*)(int))(fd);                         \
    }

WRAP_OPEN(open)
WRAP_OPEN(open64)
WRAP_OPENAT(openat)
WRAP_OPENAT(openat64)
WRAP_FOPEN(fopen)
WRAP_FOPEN(fopen64)
WRAP_PWRITE(pwrite)
WRAP_PWRITE(pwrite64)
WRAP_FSYNC(fsync)
WRAP_FSYNC(fdatasync)

int creat(const char *path, mode_t mode)
{
    return inject(OP_OPEN, under_dir(path)) ? -1 : REAL("creat", int (*)(const char *, mode_t))(path, mode);
}

ssize_t write(int fd, const void *buf, size_t n)
{
    return inject(OP_WRITE, FD_UNDER_DIR(fd)) ? -1 : REAL("write", ssize_t (*)(int, const void *, size_t))(fd, buf, n);
}

/* stdio writes through glibc's internal write, which a shim cannot see: a fault here fails the fwrite itself
 * (a short count, nothing written). */
size_t fwrite(const void *p, size_t size, size_t n, FILE *f)
{
    if (inject(OP_WRITE, FD_UNDER_DIR(fileno(f))))
        return 0;
    return REAL("fwrite", size_t (*)(const void *, size_t, size_t, FILE *))(p, size, n, f);
}

int rename(const char *from, const char *to)
{
    if (inject(OP_RENAME, under_dir(from) ? from : under_dir(to)))
        return -1;
    return REAL("rename", int (*)(const char *, const char *))(from, to);
}

int renameat(int fromfd, const char *from, int tofd, const char *to)
{
    if (inject(OP_RENAME, under_dir(from) ? from : under_dir(to)))
        return -1;
    return REAL("renameat", int (*)(int, const char *, int, const char *))(fromfd, from, tofd, to);
}

int renameat2(int fromfd, const char *from, int tofd, const char *to, unsigned flags)
{
    if (inject(OP_RENAME, under_dir(from) ? from : under_dir(to)))
        return -1;
    return REAL("renameat2", int (*)(int, const char *, int, const char *, unsigned))(fromfd, from, tofd, to, flags);
}
