/* src/output/store.c: the output set (store.h; the sequence and its limits in docs/reliability.md). */
#define _DEFAULT_SOURCE /* flock(2); everything else here is POSIX.1-2008 */
#include "src/output/store.h"

#include "src/output/qgis_project.h"
#include "src/output/qgis_style.h"
#include "src/output/store_gpkg.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* Hidden directories in the output directory, each followed by "<pid>-XXXXXX" (mkdtemp). */
#define PFX_STAGING ".emscov-staging-"
#define PFX_COMMIT ".emscov-commit-"
#define PFX_OLD ".emscov-old-"

typedef struct outset_file {
    char *name;
    char *staged, *committed, *target, *old; /* name in the staging, commit, output and old directories */
    bool had_old;                            /* a file of this name was in the directory at commit */
    bool linked;  /* ... hard-linked into the old directory (else moved there right before the swap) */
    bool aside;   /* the old file is in the old directory only */
    bool swapped; /* the new file is in place */
} outset_file;

struct outset {
    emscov_ctx *ctx;
    char *dir, *staging, *commit, *old;
    bool created; /* dir was made by this set */
    bool broken;  /* an add failed: abort only */
    bool keep;    /* new files could not all be taken back: leave them for the next begin to complete */
    outset_file *files;
    size_t nfiles, cap;
    const outset_db_ops *ops;
    void *impl;
    const char *what;
    outset_pg pg; /* outset_attach_pg's copy */
};

/* ---- small file-system helpers ------------------------------------------------------------------------- */

static char *join(const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 2;
    char *p = malloc(n);
    if (p) snprintf(p, n, "%s/%s", a, b);
    return p;
}

/* fsync a file or directory by path: 0 or an errno. */
static int sync_path(const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) return errno;
    int err = fsync(fd) == 0 ? 0 : errno;
    close(fd);
    return err;
}

/* Remove the files in path, then path itself: 0, or the first errno (a directory inside is left alone). */
static int remove_flat(const char *path)
{
    DIR *d = opendir(path);
    if (!d) return errno;
    int err = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        char *p = join(path, e->d_name);
        if (!p || unlink(p) != 0) err = err ? err : p ? errno : ENOMEM;
        free(p);
    }
    closedir(d);
    if (rmdir(path) != 0 && !err) err = errno;
    return err;
}

/* An exclusive lock on the directory, held until unlock_dir; -1 when it cannot be had (then no lock: a file
 * system without flock still works, it only does not serialise two commits into one directory). */
static int lock_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd >= 0)
        while (flock(fd, LOCK_EX) != 0 && errno == EINTR) {
        }
    return fd;
}

static void unlock_dir(int fd)
{
    if (fd >= 0) close(fd); /* releases the flock */
}

/* The renames run with SIGINT, SIGTERM, SIGHUP and SIGQUIT held back, so Ctrl-C cannot stop them half-way. */
static void hold_signals(sigset_t *saved)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGQUIT);
    pthread_sigmask(SIG_BLOCK, &set, saved);
}

static void release_signals(const sigset_t *saved)
{
    pthread_sigmask(SIG_SETMASK, saved, NULL);
}

/* ---- what killed runs left ----------------------------------------------------------------------------- */

/* Decimal digits at p as a process id (*end after them); 0 when there are none or too many. */
static long pid_at(const char *p, const char **end)
{
    long pid = 0;
    const char *q = p;
    for (; *q >= '0' && *q <= '9' && q - p < 9; q++)
        pid = pid * 10 + (*q - '0');
    *end = q;
    return q > p ? pid : 0;
}

/* The owner of a hidden directory PREFIX<pid>-...: its pid, 0 when name is not one. */
static long dir_owner(const char *name, const char *prefix)
{
    size_t n = strlen(prefix);
    const char *end;
    if (strncmp(name, prefix, n) != 0) return 0;
    long pid = pid_at(name + n, &end);
    return *end == '-' ? pid : 0;
}

/* The owner of a writer's temporary file: NAME.tmp-<pid> (store_gpkg, report_write_atomic; with -journal
 * from SQLite) or NAME.pending-<pid> (emscov before the output set). 0 when name is not one. */
static long tmp_owner(const char *name)
{
    static const char *const marks[] = {".tmp-", ".pending-"};
    for (size_t m = 0; m < sizeof marks / sizeof *marks; m++) {
        const char *last = NULL, *end;
        for (const char *p = strstr(name, marks[m]); p; p = strstr(p + 1, marks[m]))
            last = p;
        if (!last || last == name) continue;
        long pid = pid_at(last + strlen(marks[m]), &end);
        if (pid && (!*end || !strcmp(end, "-journal"))) return pid;
    }
    return 0;
}

static bool gone(long pid)
{
    return pid > 1 && pid != (long)getpid() && kill((pid_t)pid, 0) == -1 && errno == ESRCH;
}

/* Append ", name" to a list of at most cap bytes ("..." once it is full). */
static void list_add(char *list, size_t cap, const char *name)
{
    size_t n = strlen(list);
    if (n + strlen(name) + 8 > cap) {
        if (n + 5 <= cap && (n < 3 || strcmp(list + n - 3, "...") != 0)) snprintf(list + n, cap - n, ", ...");
        return;
    }
    snprintf(list + n, cap - n, "%s%s", n ? ", " : "", name);
}

/* A killed run's commit directory: its new files were complete and its database run committed, so they go
 * in place now. 0 when the directory is gone afterwards. */
static int roll_forward(const char *dir, const char *cdir, char *done, size_t cap)
{
    DIR *d = opendir(cdir);
    if (!d) return errno;
    int err = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        char *src = join(cdir, e->d_name), *dst = join(dir, e->d_name);
        struct stat sb;
        if (!src || !dst)
            err = ENOMEM;
        else if (lstat(dst, &sb) == 0 && S_ISDIR(sb.st_mode))
            err = EISDIR;
        else if (rename(src, dst) != 0)
            err = errno;
        else
            list_add(done, cap, e->d_name);
        free(src);
        free(dst);
    }
    closedir(d);
    sync_path(dir);
    if (!err && rmdir(cdir) != 0) err = errno;
    return err;
}

/* Clean up after dead processes in dir (their pids no longer exist): commit directories are completed,
 * staging and old directories and temporary files removed; one warning for each kind of work done. */
static void sweep(emscov_ctx *ctx, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return;
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        const char *nm = e->d_name;
        long pid = dir_owner(nm, PFX_COMMIT);
        if (!pid) pid = dir_owner(nm, PFX_STAGING);
        if (!pid) pid = dir_owner(nm, PFX_OLD);
        if (!pid) pid = tmp_owner(nm);
        if (!pid || !gone(pid)) continue;
        if (n == cap) {
            size_t nc = cap ? 2 * cap : 8;
            char **g = realloc(names, nc * sizeof *g);
            if (!g) break;
            names = g;
            cap = nc;
        }
        if (!(names[n] = strdup(nm))) break;
        n++;
    }
    closedir(d);
    char removed[700] = "", completed[500] = "", left[500] = "";
    /* commit directories first: their files win over the old ones kept beside them */
    for (size_t k = 0; k < n; k++) {
        if (!dir_owner(names[k], PFX_COMMIT)) continue;
        char *p = join(dir, names[k]), done[400] = "";
        int err = p ? roll_forward(dir, p, done, sizeof done) : ENOMEM;
        if (*done) list_add(completed, sizeof completed, done);
        if (err) {
            char b[300];
            snprintf(b, sizeof b, "%s (%s)", names[k], strerror(err));
            list_add(left, sizeof left, b);
        }
        free(p);
    }
    for (size_t k = 0; k < n; k++) {
        if (dir_owner(names[k], PFX_COMMIT)) continue;
        char *p = join(dir, names[k]);
        int err = ENOMEM;
        if (p && dir_owner(names[k], PFX_OLD)) {
            /* the old files stay while their commit directory could not be completed */
            size_t nc = strlen(dir) + strlen(names[k]) + sizeof PFX_COMMIT + 2;
            char *cp = malloc(nc);
            struct stat sb;
            if (cp) snprintf(cp, nc, "%s/%s%s", dir, PFX_COMMIT, names[k] + strlen(PFX_OLD));
            err = !cp ? ENOMEM : lstat(cp, &sb) == 0 ? EBUSY : remove_flat(p);
            free(cp);
        } else if (p && dir_owner(names[k], PFX_STAGING)) {
            err = remove_flat(p);
        } else if (p) {
            struct stat sb;
            err = lstat(p, &sb) != 0 ? errno : !S_ISREG(sb.st_mode) ? EISDIR : unlink(p) != 0 ? errno : 0;
        }
        if (!err)
            list_add(removed, sizeof removed, names[k]);
        else if (err != ENOENT && err != EBUSY) {
            char b[300];
            snprintf(b, sizeof b, "%s (%s)", names[k], strerror(err));
            list_add(left, sizeof left, b);
        }
        free(p);
    }
    for (size_t k = 0; k < n; k++)
        free(names[k]);
    free(names);
    if (*completed)
        emscov_warn(ctx, "%s: completed the output set of a killed run that had committed: %s", dir,
                    completed);
    if (*removed)
        emscov_warn(ctx, "%s: removed what runs that are no longer running left behind: %s", dir, removed);
    if (*left)
        emscov_warn(ctx, "%s: could not clean up after runs that are no longer running: %s", dir, left);
}

/* ---- begin / add --------------------------------------------------------------------------------------- */

/* Remove what this set left (the directory too when it was made by this set and the set failed), free it. */
static void finish(outset *s, bool failed)
{
    if (!s->keep) {
        const char *parts[] = {s->staging, s->commit, s->old};
        for (size_t k = 0; k < 3; k++) {
            int err = parts[k] ? remove_flat(parts[k]) : ENOENT;
            if (err && err != ENOENT)
                emscov_warn(s->ctx, "%s: cannot remove %s: %s (the next emscov run in %s removes it)", s->dir,
                            parts[k], strerror(err), s->dir);
        }
    }
    if (failed && s->created) rmdir(s->dir); /* fails, as it should, when anything is left in it */
    for (size_t k = 0; k < s->nfiles; k++) {
        outset_file *f = &s->files[k];
        free(f->name);
        free(f->staged);
        free(f->committed);
        free(f->target);
        free(f->old);
    }
    free(s->files);
    free(s->dir);
    free(s->staging);
    free(s->commit);
    free(s->old);
    free(s);
}

ems_status outset_begin(emscov_ctx *ctx, const char *dir, outset **out)
{
    *out = NULL;
    outset *s = ems_calloc(ctx, 1, sizeof *s);
    if (!s) return EMS_ENOMEM;
    s->ctx = ctx;
    ems_status st = EMS_OK;
    struct stat sb;
    if (!(s->dir = ems_strdup(ctx, dir)))
        st = EMS_ENOMEM;
    else if (mkdir(dir, 0777) == 0)
        s->created = true;
    else if (errno != EEXIST || stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        st = emscov_fail(ctx, EMS_EIO, "%s: cannot create the output directory: %s", dir,
                         strerror(errno == EEXIST ? ENOTDIR : errno));
    if (st == EMS_OK) {
        int lock = lock_dir(dir);
        sweep(ctx, dir);
        unlock_dir(lock);
        char tail[64];
        snprintf(tail, sizeof tail, "%s%ld-XXXXXX", PFX_STAGING, (long)getpid());
        s->staging = join(dir, tail);
        if (!s->staging)
            st = emscov_fail(ctx, EMS_ENOMEM, "out of memory");
        else if (!mkdtemp(s->staging)) {
            st = emscov_fail(ctx, EMS_EIO, "%s: cannot create the staging directory %s: %s", dir, s->staging,
                             strerror(errno));
            free(s->staging);
            s->staging = NULL;
        }
    }
    if (st == EMS_OK) { /* the commit and old directories share the staging directory's "<pid>-XXXXXX" */
        const char *suffix = s->staging + strlen(dir) + 1 + strlen(PFX_STAGING);
        size_t n = strlen(dir) + strlen(suffix) + sizeof PFX_STAGING + 2;
        s->commit = ems_malloc(ctx, n);
        s->old = ems_malloc(ctx, n);
        if (!s->commit || !s->old) { /* neither name is written yet: finish must not read them */
            free(s->commit);
            free(s->old);
            s->commit = s->old = NULL;
            st = EMS_ENOMEM;
        } else {
            snprintf(s->commit, n, "%s/%s%s", dir, PFX_COMMIT, suffix);
            snprintf(s->old, n, "%s/%s%s", dir, PFX_OLD, suffix);
        }
    }
    if (st != EMS_OK) {
        finish(s, true);
        return st;
    }
    *out = s;
    return EMS_OK;
}

/* A new file of the set named name, with its paths. */
static ems_status add_name(emscov_ctx *ctx, outset *s, const char *name, outset_file **out)
{
    *out = NULL;
    if (s->broken)
        return emscov_fail(ctx, EMS_EINTERNAL, "%s: the output set failed earlier: abort it", s->dir);
    if (!*name || name[0] == '.' || strchr(name, '/') || strlen(name) > 200) {
        s->broken = true;
        return emscov_fail(ctx, EMS_EINTERNAL, "%s: \"%s\" is not a plain file name for the output set",
                           s->dir, name);
    }
    for (size_t k = 0; k < s->nfiles; k++)
        if (!strcmp(s->files[k].name, name)) {
            s->broken = true;
            return emscov_fail(ctx, EMS_EINTERNAL, "%s: %s is in the output set twice", s->dir, name);
        }
    if (!ems_grow(ctx, (void **)&s->files, &s->cap, s->nfiles + 1, sizeof *s->files)) {
        s->broken = true;
        return EMS_ENOMEM;
    }
    outset_file *f = &s->files[s->nfiles++];
    *f = (outset_file){.name = strdup(name),
                       .staged = join(s->staging, name),
                       .committed = join(s->commit, name),
                       .target = join(s->dir, name),
                       .old = join(s->old, name)};
    if (!f->name || !f->staged || !f->committed || !f->target || !f->old) {
        s->broken = true;
        return emscov_fail(ctx, EMS_ENOMEM, "out of memory");
    }
    *out = f;
    return EMS_OK;
}

ems_status outset_add_bytes(emscov_ctx *ctx, outset *s, const char *name, const void *data, size_t len)
{
    outset_file *f;
    ems_status st = add_name(ctx, s, name, &f);
    if (st != EMS_OK) return st;
    FILE *fp = fopen(f->staged, "wb");
    bool ok = fp != NULL;
    if (fp) {
        ok = fwrite(data, 1, len, fp) == len;
        ok = fflush(fp) == 0 && ok;
        ok = fsync(fileno(fp)) == 0 && ok;
        ok = fclose(fp) == 0 && ok;
    }
    if (!ok) {
        st = emscov_fail(ctx, EMS_EIO, "%s: cannot write %s: %s", f->target, f->staged, strerror(errno));
        unlink(f->staged);
        s->broken = true;
    }
    return st;
}

ems_status outset_add_file(emscov_ctx *ctx, outset *s, const char *name, const char **path)
{
    outset_file *f;
    *path = NULL;
    ems_status st = add_name(ctx, s, name, &f);
    if (st == EMS_OK) *path = f->staged;
    return st;
}

ems_status outset_gpkg_qgis(emscov_ctx *ctx, gpkg_store *gs, const char *gpkg_name, const result_layer *ls,
                            size_t n)
{
    ems_status st = EMS_OK;
    for (size_t k = 0; st == EMS_OK && k < n; k++) { /* QGIS draws each layer as emscov map does */
        char *qml = NULL;
        const char *what = NULL;
        st = qgis_style_qml(ctx, ls[k].table, &qml, &what);
        if (st == EMS_OK && qml)
            st = gpkg_store_write_style(ctx, gs, ls[k].table, QGIS_STYLE_NAME, qml, NULL, what);
        free(qml);
    }
    unsigned char *qgz = NULL; /* and opens them all at once, in the order of emscov's maps */
    size_t len = 0;
    if (st == EMS_OK)
        st = qgis_project_qgz(ctx, gpkg_name, ls, n, &qgz, &len);
    if (st == EMS_OK && qgz) /* none without a styled layer, as there is then no layer_styles */
        st = gpkg_store_write_project(ctx, gs, QGIS_PROJECT_NAME, qgz, len);
    free(qgz);
    return st;
}

ems_status outset_add_gpkg(emscov_ctx *ctx, outset *s, const char *name, const result_layer *ls, size_t n)
{
    outset_file *f;
    gpkg_store *gs = NULL;
    ems_status st = add_name(ctx, s, name, &f);
    if (st == EMS_OK) st = gpkg_store_begin(ctx, f->staged, &gs);
    for (size_t k = 0; st == EMS_OK && k < n; k++)
        st = gpkg_store_write_layer(ctx, gs, ls[k].table, ls[k].description, ls[k].l);
    if (st == EMS_OK) st = outset_gpkg_qgis(ctx, gs, name, ls, n);
    if (st == EMS_OK)
        st = gpkg_store_commit(ctx, gs); /* renames inside the staging directory */
    else
        gpkg_store_abort(gs);
    if (st != EMS_OK) s->broken = true;
    return st;
}

const char *outset_staged(const outset *s, const char *name)
{
    for (size_t k = 0; k < s->nfiles; k++)
        if (!strcmp(s->files[k].name, name)) return s->files[k].staged;
    return NULL;
}

/* ---- the database part --------------------------------------------------------------------------------- */

void outset_attach_db(outset *s, const char *what, const outset_db_ops *ops, void *impl)
{
    s->what = what;
    s->ops = ops;
    s->impl = impl;
}

static ems_status pgpart_write(emscov_ctx *ctx, void *impl, const outset *set, int64_t *id)
{
    outset_pg *p = impl;
    return p->write(ctx, p->db, p->user, set, id);
}

static ems_status pgpart_commit(emscov_ctx *ctx, void *impl)
{
    return store_pg_commit(ctx, ((outset_pg *)impl)->db);
}

static void pgpart_abort(void *impl)
{
    store_pg_abort(((outset_pg *)impl)->db);
}

static ems_status pgpart_take_back(emscov_ctx *ctx, void *impl, int64_t id)
{
    outset_pg *p = impl;
    return p->take_back(ctx, p->db, id);
}

static const outset_db_ops pgpart_ops = {pgpart_write, pgpart_commit, pgpart_abort, pgpart_take_back};

void outset_attach_pg(outset *s, const outset_pg *pg)
{
    s->pg = *pg;
    outset_attach_db(s, pg->what, &pgpart_ops, &s->pg);
}

/* ---- commit -------------------------------------------------------------------------------------------- */

/* Every staged file present and on disk. */
static ems_status check_staged(emscov_ctx *ctx, outset *s)
{
    for (size_t k = 0; k < s->nfiles; k++) {
        outset_file *f = &s->files[k];
        struct stat sb;
        if (lstat(f->staged, &sb) != 0 || !S_ISREG(sb.st_mode))
            return emscov_fail(ctx, EMS_EINTERNAL, "%s: not written before the output set was committed",
                               f->target);
        int err = sync_path(f->staged);
        if (err)
            return emscov_fail(ctx, EMS_EIO, "%s: cannot flush %s to disk: %s", f->target, f->staged,
                               strerror(err));
    }
    sync_path(s->staging); /* a directory that cannot be flushed is no error */
    return EMS_OK;
}

/* Every target name free or a file; the current files hard-linked into the old directory (whose creation is
 * also the proof, before anything is stored, that the directory takes new entries). */
static ems_status keep_old(emscov_ctx *ctx, outset *s)
{
    const char *not_stored = s->ops ? " and the run was not stored" : "";
    for (size_t k = 0; k < s->nfiles; k++) {
        outset_file *f = &s->files[k];
        struct stat sb;
        if (lstat(f->target, &sb) == 0) {
            if (S_ISDIR(sb.st_mode))
                return emscov_fail(ctx, EMS_EIO,
                                   "%s: is a directory, not a file: the output set was left as "
                                   "it was%s",
                                   f->target, not_stored);
            f->had_old = true;
        } else if (errno != ENOENT)
            return emscov_fail(ctx, EMS_EIO, "%s: %s: the output set was left as it was%s", f->target,
                               strerror(errno), not_stored);
    }
    if (mkdir(s->old, 0700) != 0)
        return emscov_fail(ctx, EMS_EIO, "%s: cannot create %s: %s: the output set was left as it was%s",
                           s->dir, s->old, strerror(errno), not_stored);
    for (size_t k = 0; k < s->nfiles; k++) {
        outset_file *f = &s->files[k];
        if (!f->had_old) continue;
        if (link(f->target, f->old) == 0)
            f->linked = true;
        else if (errno != EPERM && errno != EOPNOTSUPP && errno != ENOTSUP && errno != EMLINK &&
                 errno != EXDEV)
            return emscov_fail(ctx, EMS_EIO,
                               "%s: cannot link it into %s: %s: the output set was left as it "
                               "was%s",
                               f->target, s->old, strerror(errno), not_stored);
        /* else: a file system without hard links; the old file is moved aside right before the swap */
    }
    sync_path(s->old);
    return EMS_OK;
}

/* The point of no return for the files (the staging directory becomes the commit directory), then each new
 * file renamed over its target. */
static ems_status publish(emscov_ctx *ctx, outset *s)
{
    if (rename(s->staging, s->commit) != 0)
        return emscov_fail(ctx, EMS_EIO, "%s: cannot rename %s to %s: %s", s->dir, s->staging, s->commit,
                           strerror(errno));
    for (size_t k = 0; k < s->nfiles; k++) {
        outset_file *f = &s->files[k];
        if (f->had_old && !f->linked) {
            struct stat sb;
            if (lstat(f->target, &sb) == 0 && S_ISDIR(sb.st_mode))
                return emscov_fail(ctx, EMS_EIO, "%s: cannot put the new file in place: %s", f->target,
                                   strerror(EISDIR));
            if (rename(f->target, f->old) != 0)
                return emscov_fail(ctx, EMS_EIO, "%s: cannot move it aside into %s: %s", f->target, s->old,
                                   strerror(errno));
            f->aside = true;
        }
        if (rename(f->committed, f->target) != 0)
            return emscov_fail(ctx, EMS_EIO, "%s: cannot put the new file in place: %s", f->target,
                               strerror(errno));
        f->swapped = true;
    }
    /* The renames are the commit: the new set is in place. A directory that cannot be flushed (EIO, ENOSPC) is
     * said, not an error: exit 1 promises the previous set, and the previous set is gone. Filesystems that do
     * not flush directories at all (EINVAL, EROFS, ENOTSUP) are not worth a word. */
    int err = sync_path(s->dir);
    if (err && err != EINVAL && err != EROFS && err != ENOTSUP)
        emscov_warn(ctx, "%s: the new output set is in place, but the directory could not be flushed to disk (%s): "
                         "a power loss now could bring back the previous set",
                    s->dir, strerror(err));
    return EMS_OK;
}

/* Undo publish: each new file back into the commit directory, each old file back in place, then the commit
 * directory renamed back to the staging name (the old set is decided). false when a rename failed: every new
 * file is then still in place or in the commit directory, which the next begin completes. */
static bool restore(outset *s)
{
    bool ok = true;
    for (size_t k = s->nfiles; k-- > 0;) {
        outset_file *f = &s->files[k];
        bool was = f->swapped;
        if (was) {
            if (rename(f->target, f->committed) != 0) {
                ok = false;
                continue;
            }
            f->swapped = false;
        }
        if (f->aside || (was && f->linked)) {
            if (rename(f->old, f->target) != 0)
                ok = false;
            else
                f->aside = false;
        }
    }
    if (ok) {
        rename(s->commit, s->staging); /* if this fails, finish removes the commit directory all the same */
        sync_path(s->dir);
    }
    return ok;
}

ems_status outset_commit(emscov_ctx *ctx, outset *s, int64_t *db_id)
{
    ems_status st = EMS_OK;
    if (s->broken)
        st = emscov_fail(ctx, EMS_EINTERNAL,
                         "%s: the output set is not committed: a file of it failed earlier", s->dir);
    if (st == EMS_OK) st = check_staged(ctx, s);
    int lock = st == EMS_OK ? lock_dir(s->dir) : -1;
    if (st == EMS_OK) st = keep_old(ctx, s);
    int64_t id = 0;
    bool stored = false, restored = true;
    if (st == EMS_OK && s->ops) {
        if ((st = s->ops->write(ctx, s->impl, s, &id)) != EMS_OK) {
            s->ops->abort(s->impl);
            char first[1024];
            snprintf(first, sizeof first, "%s", emscov_message(ctx));
            emscov_fail(ctx, st, "%s; nothing of this run was stored or written", first);
        } else if ((st = s->ops->commit(ctx, s->impl)) != EMS_OK)
            s->ops->abort(s->impl);
        else
            stored = true;
    }
    if (st == EMS_OK) {
        sigset_t held;
        hold_signals(&held);
        st = publish(ctx, s);
        if (st != EMS_OK) restored = restore(s);
        release_signals(&held);
    }
    unlock_dir(lock);
    if (st != EMS_OK && (stored || !restored)) {
        char first[1024], db[200] = "";
        snprintf(first, sizeof first, "%s", emscov_message(ctx));
        if (stored) snprintf(db, sizeof db, " (%s %lld stays in the database)", s->what, (long long)id);
        if (!restored)
            emscov_fail(ctx, st,
                        "%s; the old files could not all be put back: the next emscov run in %s "
                        "completes the new set%s",
                        first, s->dir, db);
        else if (s->ops->take_back(ctx, s->impl, id) == EMS_OK)
            emscov_fail(ctx, st, "%s (%s %lld was taken out of the database again)", first, s->what,
                        (long long)id);
        else
            emscov_fail(ctx, st, "%s (and %s %lld stays in the database)", first, s->what, (long long)id);
    }
    if (db_id) *db_id = st == EMS_OK && stored ? id : 0;
    s->keep = !restored;
    finish(s, st != EMS_OK);
    return st;
}

void outset_abort(outset *s)
{
    if (s) finish(s, true);
}
