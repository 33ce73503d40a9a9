/* tests/src/test_store.c: the output set (src/output/store.h). A set of three files (bytes, bytes, a file its
 * writer wrote) and a GeoPackage is committed, then a second set over it; expectations are the test's own
 * bytes, and for the GeoPackage what SQLite itself reads from it (gpkg_contents, row count).
 * Failures injected at each step, each followed by: the old set intact byte for byte and as the very same
 * files (inode numbers), and nothing but the set (and what the test put there) in the directory:
 *  - a non-empty directory where a file goes, before the commit and (through a fake database part) right
 *    after the database COMMIT, so the first renames were done and are undone, and the run is taken back;
 *  - the directory read-only before begin, and before commit (in a child process, whose leftovers the next
 *    begin removes; as root the directory is made immutable with chattr, skipped where neither works);
 *  - the database write failing, its COMMIT failing.
 * Leftovers of dead processes (staging and old directories, *.tmp-PID, *.pending-PID; a run SIGKILLed inside
 * its database commit) are removed by the next begin with a warning naming them, a live process's are kept; a
 * killed run's commit directory is completed; a created --out is removed on failure, an existing one kept; a
 * reader's shared flock on the directory waits while a set commits (docs/reliability.md). */
#define _DEFAULT_SOURCE /* flock(2) */
#include "test_util.h"

#include "src/output/store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define NFILES 4
static const char *const set_names[NFILES] = {"report.json", "streets.csv", "notes.txt", "out.gpkg"};

/* ---- warnings ------------------------------------------------------------------------------------------ */

typedef struct warns {
    char text[4096];
    int n;
} warns;

static void collect(void *user, const char *message)
{
    warns *w = user;
    size_t len = strlen(w->text);
    snprintf(w->text + len, sizeof w->text - len, "%s\n", message);
    w->n++;
}

/* Collect the ctx's warnings from now on, into storage that outlives the test (a forked child of a later test
 * may still warn through the sink). */
static warns *listen(emscov_ctx *ctx)
{
    static warns w;
    memset(&w, 0, sizeof w);
    emscov_set_warn(ctx, collect, &w);
    return &w;
}

#define assert_has(text, needle) assert_has_(text, needle, __FILE__, __LINE__)
static void assert_has_(const char *text, const char *needle, const char *file, int line)
{
    if (!strstr(text, needle)) {
        print_error("%s:%d: \"%s\" lacks \"%s\"\n", file, line, text, needle);
        _fail(file, line);
    }
}

/* ---- directories --------------------------------------------------------------------------------------- */

static char *path_in(const char *dir, const char *name)
{
    static char buf[4][4200];
    static int slot;
    char tmp[4200]; /* dir may be an earlier result */
    snprintf(tmp, sizeof tmp, "%s/%s", dir, name);
    slot = (slot + 1) % 4;
    memcpy(buf[slot], tmp, sizeof tmp);
    return buf[slot];
}

/* A fresh, absent directory in the scratch dir (a new string). */
static char *fresh(const char *name)
{
    char *d = strdup(tu_tmp(name)), cmd[4400];
    assert_non_null(d);
    snprintf(cmd, sizeof cmd, "chattr -i '%s' 2>/dev/null; chmod -R u+w '%s' 2>/dev/null; rm -rf '%s'", d, d,
             d);
    tu_run(cmd, NULL);
    return d;
}

static bool exists(const char *path)
{
    struct stat sb;
    return lstat(path, &sb) == 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The directory holds exactly these names (hidden ones included), given NULL-terminated. */
static void assert_only(const char *dir, ...)
{
    char *got[64], want[2048] = "", have[2048] = "";
    const char *exp[64];
    size_t ng = 0, ne = 0;
    va_list ap;
    va_start(ap, dir);
    for (const char *n = va_arg(ap, const char *); n && ne < 64; n = va_arg(ap, const char *))
        exp[ne++] = n;
    va_end(ap);
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL && ng < 64)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) got[ng++] = strdup(e->d_name);
    closedir(d);
    qsort(got, ng, sizeof *got, cmp_str);
    qsort(exp, ne, sizeof *exp, cmp_str);
    for (size_t k = 0; k < ne; k++)
        snprintf(want + strlen(want), sizeof want - strlen(want), "%s ", exp[k]);
    for (size_t k = 0; k < ng; k++) {
        snprintf(have + strlen(have), sizeof have - strlen(have), "%s ", got[k]);
        free(got[k]);
    }
    if (strcmp(want, have)) fail_msg("%s holds [%s], want [%s]", dir, have, want);
}

#define assert_only_set(dir, ...)                                                                            \
    assert_only(dir, "report.json", "streets.csv", "notes.txt", "out.gpkg", __VA_ARGS__)

/* Make dir read-only for this process (chattr +i as root, chmod otherwise); false when that does not stop
 * this process from creating a file there (the caller skips). on = false lifts it. */
static bool read_only(const char *dir, bool on)
{
    char cmd[4400];
    if (geteuid() == 0) {
        snprintf(cmd, sizeof cmd, "chattr %ci '%s' 2>/dev/null", on ? '+' : '-', dir);
        tu_run(cmd, NULL);
    } else
        chmod(dir, on ? 0555 : 0755);
    if (!on) return true;
    const char *probe = path_in(dir, "probe");
    FILE *f = fopen(probe, "w");
    if (!f) return true;
    fclose(f);
    unlink(probe);
    return false;
}

/* ---- the set ------------------------------------------------------------------------------------------- */

static void content(int v, size_t k, char *buf, size_t n)
{
    if (k == 0)
        snprintf(buf, n, "{\"version\": %d}\n", v);
    else if (k == 1)
        snprintf(buf, n, "code,pop\nA,%d00\n", v);
    else
        snprintf(buf, n, "set %d\n", v);
}

/* v + 1 points in EPSG:32650 with a field. */
static layer *points(emscov_ctx *ctx, int v)
{
    crs *c = NULL;
    layer *l = NULL;
    assert_ok(ctx, crs_from_string(ctx, "EPSG:32650", &c));
    assert_ok(ctx, layer_create(ctx, "mem", "test", c, &l));
    crs_destroy(c);
    assert_ok(ctx, layer_add_field(ctx, l, "id", LAYER_FIELD_INT, 0, 0));
    for (int i = 0; i <= v; i++) {
        char wkt[64];
        snprintf(wkt, sizeof wkt, "POINT(%d 4419000)", 448000 + 10 * i);
        layer_value val = {.u.i = i};
        assert_ok(ctx, layer_append_take(ctx, l, tu_wkt(ctx, wkt), i + 1, &val));
    }
    return l;
}

/* Begin a set in dir with version v of the four files (not committed). */
static outset *make_set(emscov_ctx *ctx, const char *dir, int v)
{
    outset *s = NULL;
    char buf[64];
    const char *path = NULL;
    assert_ok(ctx, outset_begin(ctx, dir, &s));
    content(v, 0, buf, sizeof buf);
    assert_ok(ctx, outset_add_bytes(ctx, s, "report.json", buf, strlen(buf)));
    content(v, 1, buf, sizeof buf);
    assert_ok(ctx, outset_add_bytes(ctx, s, "streets.csv", buf, strlen(buf)));
    assert_ok(ctx, outset_add_file(ctx, s, "notes.txt", &path));
    content(v, 2, buf, sizeof buf);
    tu_write_file(path, buf, strlen(buf));
    char table[32];
    snprintf(table, sizeof table, "pts_v%d", v);
    layer *l = points(ctx, v);
    result_layer rl = {table, "test points", l, NULL};
    assert_ok(ctx, outset_add_gpkg(ctx, s, "out.gpkg", &rl, 1));
    layer_destroy(l);
    return s;
}

static void commit_set(emscov_ctx *ctx, const char *dir, int v)
{
    assert_ok(ctx, outset_commit(ctx, make_set(ctx, dir, v), NULL));
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) fail_msg("cannot read %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
    b[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return b;
}

/* The directory holds version v: the text files as written, and SQLite reads table pts_v<v> with v + 1 rows
 * as the GeoPackage's only content. */
static void assert_set(const char *dir, int v)
{
    for (size_t k = 0; k < 3; k++) {
        char want[64];
        size_t n;
        content(v, k, want, sizeof want);
        char *got = slurp(path_in(dir, set_names[k]), &n);
        assert_string_equal(got, want);
        free(got);
    }
    sqlite3 *db = NULL;
    sqlite3_stmt *q = NULL;
    assert_int_equal(sqlite3_open_v2(path_in(dir, "out.gpkg"), &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    char sql[128], want[32];
    snprintf(want, sizeof want, "pts_v%d", v);
    snprintf(sql, sizeof sql, "SELECT (SELECT group_concat(table_name) FROM gpkg_contents), count(*) FROM %s",
             want);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(q, 0), want);
    assert_int_equal(sqlite3_column_int(q, 1), v + 1);
    sqlite3_finalize(q);
    sqlite3_close(db);
}

/* The files of the set as they are now: bytes and inode numbers (a directory in place is skipped). */
typedef struct snap {
    char *bytes[NFILES];
    size_t len[NFILES];
    ino_t ino[NFILES];
} snap;

static void snap_take(const char *dir, snap *s)
{
    for (size_t k = 0; k < NFILES; k++) {
        struct stat sb;
        s->bytes[k] = NULL;
        if (lstat(path_in(dir, set_names[k]), &sb) != 0 || S_ISDIR(sb.st_mode)) continue;
        s->ino[k] = sb.st_ino;
        s->bytes[k] = slurp(path_in(dir, set_names[k]), &s->len[k]);
    }
}

/* The same files, byte for byte, as the very same inodes; frees the snapshot. */
static void snap_same(const char *dir, snap *s)
{
    for (size_t k = 0; k < NFILES; k++) {
        if (!s->bytes[k]) continue;
        struct stat sb;
        size_t n;
        assert_int_equal(lstat(path_in(dir, set_names[k]), &sb), 0);
        char *now = slurp(path_in(dir, set_names[k]), &n);
        if (n != s->len[k] || memcmp(now, s->bytes[k], n) != 0) fail_msg("%s changed", set_names[k]);
        if (sb.st_ino != s->ino[k]) fail_msg("%s is another file now (inode)", set_names[k]);
        free(now);
        free(s->bytes[k]);
    }
}

/* A fresh directory named name holding version 1 of the set; *old its snapshot. A new string. */
static char *old_set(emscov_ctx *ctx, const char *name, snap *old)
{
    char *dir = fresh(name);
    commit_set(ctx, dir, 1);
    snap_take(dir, old);
    return dir;
}

/* The snapshot's files unchanged and nothing else in dir (no temporaries); frees dir and the snapshot. */
static void assert_old_set_alone(char *dir, snap *old)
{
    snap_same(dir, old);
    assert_only_set(dir, NULL);
    free(dir);
}

/* Make dir read-only, or skip the test (freeing dir and the snapshot) where that cannot be done. */
static void read_only_or_skip(char *dir, snap *old)
{
    if (read_only(dir, true)) return;
    read_only(dir, false);
    snap_same(dir, old);
    free(dir);
    print_message("cannot make a directory read-only here: skipped\n");
    skip();
}

/* Put a non-empty directory where dir/name is. */
static void block_name(const char *dir, const char *name)
{
    const char *p = path_in(dir, name);
    unlink(p);
    assert_int_equal(mkdir(p, 0755), 0);
    tu_write_file(path_in(p, "keep"), "x", 1);
}

/* ---- a fake database part ------------------------------------------------------------------------------ */

typedef struct fake_db {
    int writes, commits, aborts, take_backs;
    ems_status write_st, commit_st, take_back_st;
    int64_t took_back;
    const char *dir, *block; /* the commit blocks dir/block with a directory, after the checks */
    int stop_fd;             /* > 0: in COMMIT, say so on this pipe and wait there to be killed */
    int lock_refused; /* in COMMIT: 1 when a reader's shared flock on dir was refused, -1 when granted */
    char staged_report[64]; /* report.json as the write saw it */
} fake_db;

static ems_status fake_write(emscov_ctx *ctx, void *impl, const outset *set, int64_t *id)
{
    fake_db *f = impl;
    f->writes++;
    size_t n;
    char *r = slurp(outset_staged(set, "report.json"), &n);
    snprintf(f->staged_report, sizeof f->staged_report, "%s", r);
    free(r);
    *id = 42;
    return f->write_st == EMS_OK ? EMS_OK : emscov_fail(ctx, f->write_st, "fake: write refused");
}

static ems_status fake_commit(emscov_ctx *ctx, void *impl)
{
    fake_db *f = impl;
    f->commits++;
    char c = 'y';
    if (f->stop_fd > 0 && write(f->stop_fd, &c, 1) == 1)
        for (;;)
            pause();
    if (f->dir && !f->block) { /* a reader's `flock -s DIR` waits while the set commits */
        int fd = open(f->dir, O_RDONLY | O_DIRECTORY);
        f->lock_refused = fd >= 0 && flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK ? 1 : -1;
        if (fd >= 0) close(fd);
    }
    if (f->block) block_name(f->dir, f->block);
    return f->commit_st == EMS_OK ? EMS_OK : emscov_fail(ctx, f->commit_st, "fake: commit failed");
}

static void fake_abort(void *impl)
{
    ((fake_db *)impl)->aborts++;
}

static ems_status fake_take_back(emscov_ctx *ctx, void *impl, int64_t id)
{
    fake_db *f = impl;
    f->take_backs++;
    f->took_back = id;
    return f->take_back_st == EMS_OK ? EMS_OK : emscov_fail(ctx, f->take_back_st, "fake: delete failed");
}

static const outset_db_ops fake_ops = {fake_write, fake_commit, fake_abort, fake_take_back};

/* Child processes end with SIGKILL, as a killed run does: no exit handlers, and no leak check by valgrind of
 * the test's memory, which the child shares but no longer points to. */
static void die(void)
{
    raise(SIGKILL);
    _exit(99);
}

/* A process id that was just in use and no longer is. */
static pid_t dead_pid(void)
{
    pid_t p = fork();
    if (p == 0) die();
    assert_true(p > 0);
    int ws;
    waitpid(p, &ws, 0);
    return p;
}

/* ---- tests --------------------------------------------------------------------------------------------- */

static void test_commit_then_second(void **state)
{
    emscov_ctx *ctx = *state;
    warns *w = listen(ctx);
    char *dir = fresh("two_sets");
    commit_set(ctx, dir, 1);
    assert_set(dir, 1);
    assert_only_set(dir, NULL);
    tu_write_file(path_in(dir, "mine.txt"), "user's", 6); /* not of the set: untouched */
    commit_set(ctx, dir, 2);
    assert_set(dir, 2);
    assert_only_set(dir, "mine.txt", NULL);
    size_t n;
    char *mine = slurp(path_in(dir, "mine.txt"), &n);
    assert_string_equal(mine, "user's");
    free(mine);
    assert_int_equal(w->n, 0);
    sigset_t now; /* the signals held during the renames are released */
    pthread_sigmask(SIG_BLOCK, NULL, &now);
    assert_false(sigismember(&now, SIGINT));
    assert_false(sigismember(&now, SIGTERM));
    free(dir);
}

static void test_directory_in_the_way(void **state)
{
    emscov_ctx *ctx = *state;
    char *dir = fresh("blocked");
    commit_set(ctx, dir, 1);
    outset *s = make_set(ctx, dir, 2);
    block_name(dir, "notes.txt");
    snap old;
    snap_take(dir, &old);
    assert_status_msg(ctx, outset_commit(ctx, s, NULL), EMS_EIO,
                      "notes.txt: is a directory, not a file: the output "
                      "set was left as it was");
    snap_same(dir, &old);
    assert_only_set(dir, NULL);
    assert_true(exists(path_in(path_in(dir, "notes.txt"), "keep")));
    free(dir);
}

static void test_read_only_before_begin(void **state)
{
    emscov_ctx *ctx = *state;
    snap old;
    char *dir = old_set(ctx, "ro_begin", &old);
    read_only_or_skip(dir, &old);
    outset *s = NULL;
    ems_status st = outset_begin(ctx, dir, &s);
    read_only(dir, false);
    assert_status_msg(ctx, st, EMS_EIO, "cannot create the staging directory");
    assert_null(s);
    assert_old_set_alone(dir, &old);
}

/* Read-only after the files were staged: the commit fails before anything is stored; the staging directory
 * cannot be removed from a read-only directory, so a child process fails and ends, and the next begin (here)
 * removes what it left. */
static void test_read_only_before_commit(void **state)
{
    emscov_ctx *ctx = *state;
    snap old;
    char *dir = old_set(ctx, "ro_commit", &old);
    read_only_or_skip(dir, &old);
    read_only(dir, false);
    int result[2];
    assert_int_equal(pipe(result), 0);
    pid_t child = fork();
    if (child == 0) {
        fake_db f = {0};
        outset *s = make_set(ctx, dir, 2);
        outset_attach_db(s, "run", &fake_ops, &f);
        read_only(dir, true);
        ems_status st = outset_commit(ctx, s, NULL);
        bool ok = st == EMS_EIO &&
                  strstr(emscov_message(ctx), "the output set was left as it was and the "
                                              "run was not stored") &&
                  f.writes == 0;
        char c = ok ? 'y' : 'n';
        if (write(result[1], &c, 1) != 1) _exit(98);
        die();
    }
    int ws;
    char c = 0;
    close(result[1]);
    assert_int_equal(read(result[0], &c, 1), 1);
    close(result[0]);
    waitpid(child, &ws, 0);
    read_only(dir, false);
    assert_true(WIFSIGNALED(ws) && WTERMSIG(ws) == SIGKILL);
    assert_int_equal(c, 'y'); /* the child's commit failed as it should */
    snap_same(dir, &old);
    char left[64];
    snprintf(left, sizeof left, ".emscov-staging-%ld-", (long)child);
    warns *w = listen(ctx);
    outset *s = NULL;
    assert_ok(ctx, outset_begin(ctx, dir, &s));
    outset_abort(s);
    assert_int_equal(w->n, 1);
    assert_has(w->text, "removed what runs that are no longer running left behind: ");
    assert_has(w->text, left);
    assert_only_set(dir, NULL);
    assert_set(dir, 1);
    free(dir);
}

static void test_db_stored(void **state)
{
    emscov_ctx *ctx = *state;
    char *dir = fresh("db_ok");
    commit_set(ctx, dir, 1);
    fake_db f = {.dir = dir};
    outset *s = make_set(ctx, dir, 2);
    outset_attach_db(s, "run", &fake_ops, &f);
    int64_t id = -1;
    assert_ok(ctx, outset_commit(ctx, s, &id));
    assert_int_equal(id, 42);
    assert_int_equal(f.lock_refused, 1);
    int fd = open(dir, O_RDONLY | O_DIRECTORY); /* and gets it once the set is committed */
    assert_true(fd >= 0);
    assert_int_equal(flock(fd, LOCK_SH | LOCK_NB), 0);
    close(fd);
    assert_int_equal(f.writes, 1);
    assert_int_equal(f.commits, 1);
    assert_int_equal(f.aborts + f.take_backs, 0);
    assert_set(dir, 2);
    assert_only_set(dir, NULL);
    free(dir);
}

static void test_db_write_fails(void **state)
{
    emscov_ctx *ctx = *state;
    snap old;
    char *dir = old_set(ctx, "db_write", &old);
    fake_db f = {.write_st = EMS_EDB};
    outset *s = make_set(ctx, dir, 2);
    outset_attach_db(s, "run", &fake_ops, &f);
    assert_status_msg(ctx, outset_commit(ctx, s, NULL), EMS_EDB,
                      "fake: write refused; nothing of this run was stored "
                      "or written");
    assert_int_equal(f.writes, 1);
    assert_int_equal(f.aborts, 1);
    assert_int_equal(f.commits, 0);
    assert_int_equal(f.take_backs, 0);
    assert_string_equal(f.staged_report, "{\"version\": 2}\n"); /* the write saw the new report.json */
    assert_old_set_alone(dir, &old);
}

static void test_db_commit_fails(void **state)
{
    emscov_ctx *ctx = *state;
    snap old;
    char *dir = old_set(ctx, "db_commit", &old);
    fake_db f = {.commit_st = EMS_EDB};
    outset *s = make_set(ctx, dir, 2);
    outset_attach_db(s, "run", &fake_ops, &f);
    assert_status_msg(ctx, outset_commit(ctx, s, NULL), EMS_EDB, "fake: commit failed");
    assert_int_equal(f.commits, 1);
    assert_int_equal(f.aborts, 1);
    assert_int_equal(f.take_backs, 0);
    assert_old_set_alone(dir, &old);
}

/* After COMMIT a directory appears at notes.txt (third of four): report.json and streets.csv were already
 * renamed in and are put back, the run is taken out of the database again. */
static void after_commit(void **state, ems_status take_back_st, const char *want)
{
    emscov_ctx *ctx = *state;
    snap old;
    char *dir = old_set(ctx, "after_commit", &old);
    fake_db f = {.dir = dir, .block = "notes.txt", .take_back_st = take_back_st};
    outset *s = make_set(ctx, dir, 2);
    outset_attach_db(s, "run", &fake_ops, &f);
    assert_status_msg(ctx, outset_commit(ctx, s, NULL), EMS_EIO, want);
    assert_has(emscov_message(ctx), "notes.txt: cannot put the new file in place: Is a directory");
    assert_int_equal(f.commits, 1);
    assert_int_equal(f.aborts, 0);
    assert_int_equal(f.take_backs, 1);
    assert_int_equal(f.took_back, 42);
    free(old.bytes[2]); /* notes.txt is the test's directory now */
    old.bytes[2] = NULL;
    assert_old_set_alone(dir, &old);
}

static void test_fail_after_commit(void **state)
{
    after_commit(state, EMS_OK, "(run 42 was taken out of the database again)");
}

static void test_fail_after_commit_delete_fails(void **state)
{
    after_commit(state, EMS_EDB, "Is a directory (and run 42 stays in the database)");
}

/* Leftovers of dead processes are removed by begin, one warning naming each; a live process's are kept. */
static void test_stale_removed(void **state)
{
    emscov_ctx *ctx = *state;
    snap old;
    char *dir = old_set(ctx, "stale", &old);
    int ready[2];
    assert_int_equal(pipe(ready), 0);
    pid_t quit = fork(); /* stages a set and temporaries, then is killed by the test */
    if (quit == 0) {
        outset *s = make_set(ctx, dir, 2);
        (void)s;
        char n1[64], n2[64], c = 'y';
        snprintf(n1, sizeof n1, "streets.csv.tmp-%ld", (long)getpid());
        snprintf(n2, sizeof n2, "report.json.pending-%ld", (long)getpid());
        tu_write_file(path_in(dir, n1), "t", 1);
        tu_write_file(path_in(dir, n2), "p", 1);
        if (write(ready[1], &c, 1) == 1)
            for (;;)
                pause();
        die();
    }
    char c = 0;
    close(ready[1]);
    assert_int_equal(read(ready[0], &c, 1), 1);
    close(ready[0]);
    /* SIGKILLed inside the database COMMIT: staging and old directory left. It begins while the first child
     * is alive, so it leaves that one's files alone. */
    assert_int_equal(pipe(ready), 0);
    pid_t killed = fork();
    if (killed == 0) {
        fake_db f = {.stop_fd = ready[1]};
        outset *s = make_set(ctx, dir, 2);
        outset_attach_db(s, "run", &fake_ops, &f);
        outset_commit(ctx, s, NULL);
        _exit(3);
    }
    close(ready[1]);
    assert_int_equal(read(ready[0], &c, 1), 1);
    close(ready[0]);
    int ws;
    kill(killed, SIGKILL);
    waitpid(killed, &ws, 0);
    assert_true(WIFSIGNALED(ws) && WTERMSIG(ws) == SIGKILL);
    kill(quit, SIGKILL);
    waitpid(quit, &ws, 0);
    assert_true(WIFSIGNALED(ws) && WTERMSIG(ws) == SIGKILL);
    char live_dir[64], live_tmp[64];
    snprintf(live_dir, sizeof live_dir, ".emscov-staging-%ld-abcdef", (long)getppid());
    snprintf(live_tmp, sizeof live_tmp, "streets.csv.tmp-%ld", (long)getppid());
    assert_int_equal(mkdir(path_in(dir, live_dir), 0700), 0);
    tu_write_file(path_in(dir, live_tmp), "live", 4);

    warns *w = listen(ctx);
    outset *s = NULL;
    assert_ok(ctx, outset_begin(ctx, dir, &s));
    outset_abort(s);
    assert_int_equal(w->n, 1);
    char want[5][64];
    snprintf(want[0], sizeof want[0], ".emscov-staging-%ld-", (long)quit);
    snprintf(want[1], sizeof want[1], "streets.csv.tmp-%ld", (long)quit);
    snprintf(want[2], sizeof want[2], "report.json.pending-%ld", (long)quit);
    snprintf(want[3], sizeof want[3], ".emscov-staging-%ld-", (long)killed);
    snprintf(want[4], sizeof want[4], ".emscov-old-%ld-", (long)killed);
    for (size_t k = 0; k < 5; k++)
        assert_has(w->text, want[k]);
    assert_null(strstr(w->text, live_dir));
    snap_same(dir, &old);
    assert_only_set(dir, live_dir, live_tmp, NULL);
    rmdir(path_in(dir, live_dir));
    unlink(path_in(dir, live_tmp));
    free(dir);
}

/* What a run killed between its renames, after COMMIT, leaves in dir (which holds version 1): the commit
 * directory cname with version 2 of every file but report.json, already renamed in; the old directory oname
 * with the old files. Names from a dead process id. */
typedef struct mid_swap {
    char *dir, *cdir, *odir;
    char cname[64], oname[64];
} mid_swap;

static void mid_swap_make(emscov_ctx *ctx, const char *name, mid_swap *m)
{
    char next_name[64];
    snprintf(next_name, sizeof next_name, "%s_v2", name);
    m->dir = fresh(name);
    char *next = fresh(next_name);
    commit_set(ctx, m->dir, 1);
    commit_set(ctx, next, 2);
    long pid = (long)dead_pid();
    snprintf(m->cname, sizeof m->cname, ".emscov-commit-%ld-qwerty", pid);
    snprintf(m->oname, sizeof m->oname, ".emscov-old-%ld-qwerty", pid);
    m->cdir = strdup(path_in(m->dir, m->cname));
    m->odir = strdup(path_in(m->dir, m->oname));
    assert_int_equal(mkdir(m->cdir, 0700), 0);
    assert_int_equal(mkdir(m->odir, 0700), 0);
    for (size_t k = 0; k < NFILES; k++) {
        char target[4200];
        snprintf(target, sizeof target, "%s", path_in(m->dir, set_names[k]));
        assert_int_equal(link(target, path_in(m->odir, set_names[k])), 0);
        assert_int_equal(
            rename(path_in(next, set_names[k]), k == 0 ? target : path_in(m->cdir, set_names[k])), 0);
    }
    free(next);
}

static void mid_swap_free(mid_swap *m)
{
    free(m->dir);
    free(m->cdir);
    free(m->odir);
}

/* The next begin completes the new set and removes both directories. */
static void test_killed_mid_swap_completed(void **state)
{
    emscov_ctx *ctx = *state;
    mid_swap m;
    mid_swap_make(ctx, "mid_swap", &m);
    warns *w = listen(ctx);
    outset *s = NULL;
    assert_ok(ctx, outset_begin(ctx, m.dir, &s));
    outset_abort(s);
    assert_has(w->text, "completed the output set of a killed run that had committed: ");
    assert_has(w->text, "streets.csv");
    assert_has(w->text, "notes.txt");
    assert_has(w->text, "out.gpkg");
    assert_has(w->text, m.oname);
    assert_set(m.dir, 2);
    assert_only_set(m.dir, NULL);
    mid_swap_free(&m);
}

/* As above, but a directory stands where a waiting file goes: that file and the old files stay (named in a
 * warning), nothing is lost; the rest is completed. */
static void test_killed_mid_swap_blocked(void **state)
{
    emscov_ctx *ctx = *state;
    mid_swap m;
    mid_swap_make(ctx, "mid_swap_blocked", &m);
    block_name(m.dir, "streets.csv");
    warns *w = listen(ctx);
    outset *s = NULL;
    assert_ok(ctx, outset_begin(ctx, m.dir, &s));
    outset_abort(s);
    assert_has(w->text, "could not clean up after runs that are no longer running: ");
    assert_has(w->text, m.cname);
    assert_has(w->text, "Is a directory");
    assert_only_set(m.dir, m.cname, m.oname, NULL);
    assert_only(m.cdir, "streets.csv", NULL);
    assert_only(m.odir, "report.json", "streets.csv", "notes.txt", "out.gpkg", NULL);
    size_t n;
    char *r = slurp(path_in(m.dir, "notes.txt"), &n);
    assert_string_equal(r, "set 2\n");
    free(r);
    mid_swap_free(&m);
}

static void test_created_dir_removed_existing_kept(void **state)
{
    emscov_ctx *ctx = *state;
    char *dir = fresh("created");
    outset *s = make_set(ctx, dir, 1); /* created by the set, aborted: gone */
    assert_true(exists(dir));
    outset_abort(s);
    assert_false(exists(dir));

    fake_db f = {.write_st = EMS_EDB}; /* created, commit fails: gone */
    s = make_set(ctx, dir, 1);
    outset_attach_db(s, "run", &fake_ops, &f);
    assert_status_msg(ctx, outset_commit(ctx, s, NULL), EMS_EDB, "nothing of this run was stored or written");
    assert_false(exists(dir));

    assert_int_equal(mkdir(dir, 0755), 0); /* there before: kept, empty */
    s = make_set(ctx, dir, 1);
    outset_abort(s);
    assert_true(exists(dir));
    assert_only(dir, NULL);
    f = (fake_db){.write_st = EMS_EDB};
    s = make_set(ctx, dir, 1);
    outset_attach_db(s, "run", &fake_ops, &f);
    assert_status_msg(ctx, outset_commit(ctx, s, NULL), EMS_EDB, "fake: write refused");
    assert_true(exists(dir));
    assert_only(dir, NULL);
    rmdir(dir);
    free(dir);
}

static void test_bad_use(void **state)
{
    emscov_ctx *ctx = *state;
    char *dir = fresh("bad_use");
    outset *s = NULL;
    assert_ok(ctx, outset_begin(ctx, dir, &s));
    assert_status_msg(ctx, outset_add_bytes(ctx, s, "../x", "x", 1), EMS_EINTERNAL,
                      "\"../x\" is not a plain file "
                      "name");
    assert_status_msg(ctx, outset_commit(ctx, s, NULL), EMS_EINTERNAL, "a file of it failed earlier");
    assert_false(exists(dir));

    assert_ok(ctx, outset_begin(ctx, dir, &s));
    assert_ok(ctx, outset_add_bytes(ctx, s, "a.txt", "x", 1));
    assert_status_msg(ctx, outset_add_bytes(ctx, s, "a.txt", "y", 1), EMS_EINTERNAL,
                      "a.txt is in the output set "
                      "twice");
    outset_abort(s);
    assert_false(exists(dir));

    const char *path = NULL; /* a file its writer never wrote */
    assert_ok(ctx, outset_begin(ctx, dir, &s));
    assert_ok(ctx, outset_add_file(ctx, s, "late.txt", &path));
    assert_non_null(path);
    assert_status_msg(ctx, outset_commit(ctx, s, NULL), EMS_EINTERNAL,
                      "late.txt: not written before the output set");
    assert_false(exists(dir));

    tu_write_file(dir, "a file", 6); /* --out names a file */
    assert_status_msg(ctx, outset_begin(ctx, dir, &s), EMS_EIO,
                      "cannot create the output directory: Not a "
                      "directory");
    assert_null(s);
    unlink(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_commit_then_second),
        cmocka_unit_test(test_directory_in_the_way),
        cmocka_unit_test(test_read_only_before_begin),
        cmocka_unit_test(test_read_only_before_commit),
        cmocka_unit_test(test_db_stored),
        cmocka_unit_test(test_db_write_fails),
        cmocka_unit_test(test_db_commit_fails),
        cmocka_unit_test(test_fail_after_commit),
        cmocka_unit_test(test_fail_after_commit_delete_fails),
        cmocka_unit_test(test_stale_removed),
        cmocka_unit_test(test_killed_mid_swap_completed),
        cmocka_unit_test(test_killed_mid_swap_blocked),
        cmocka_unit_test(test_created_dir_removed_existing_kept),
        cmocka_unit_test(test_bad_use),
    };
    return cmocka_run_group_tests(tests, tu_ctx_setup, tu_ctx_teardown);
}
