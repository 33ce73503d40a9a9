/* src/cli/main.c: the emscov command line: the language (--lang on every command, else the locale), the
 * message catalogue, sub-command dispatch, the warning sink, exit codes (0 ok, 2 bad input, 1 internal or
 * i/o failure). */
#define _GNU_SOURCE /* fopencookie(3): the stdout sink below; realpath(3) */
#include "src/cli/cli.h"

#include "geo/ctx_test.h"
#include "src/output/i18n.h"
#include "src/output/job.h"

#include <errno.h>
#include <limits.h>
#ifdef __GLIBC__
#include <malloc.h> /* mallopt */
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
    "usage: emscov COMMAND [OPTIONS] ...\n"
    "\n"
    "commands:\n"
    "  analyze S.ini    the main job: coverage, gaps, ambulances, parks against the standards\n"
    "  info PATH...     describe layers: format, geometry, CRS, encoding, extent, fields, repairs\n"
    "  import FILE...   load layers into PostGIS tables (one transaction; emscov import --help)\n"
    "  map              maps of a run: response time, choropleth, gaps, parks (PNG/SVG/PDF)\n"
    "  report           the planner's report of a run: targets, maps, sub-districts, ledger (PDF/HTML)\n"
    "  compare          two analyze runs side by side: every figure and verdict with the change\n"
    "  sites S.ini      new station sites: what-if gains, best k sites, fewest sites for a target\n"
    "  network info R   the road graph built from R: nodes, links, components, length by class\n"
    "  times            per point: nearest and second-nearest station by response time (CSV)\n"
    "  help             this text;  emscov COMMAND --help for a command's options\n"
    "  version          the version, the data directory (standards, speed profiles; $EMSCOV_DATA, else\n"
    "                   ../share/emscov beside the binary) and the message catalogue in use\n"
    "  --version        the version alone\n"
    "\n"
    "\n"
    "--lang zh|en       on every command: the language of summaries, maps and reports (default: the\n"
    "                   locale, LC_ALL / LC_MESSAGES / LANG starting with zh: Chinese; else English)\n"
    "exit status: 0 ok, 2 bad input (the message names file, record and field), 1 internal or i/o error\n"
    "\n"
    "environment:\n"
    "  EMSCOV_DATA       the data directory: standards/, speed/ (default: ../share/emscov beside the binary)\n"
    "  EMSCOV_LOCALEDIR  the message catalogues (default: ../share/locale beside the binary)\n"
    "  EMSCOV_THREADS    threads of analyze and sites (default: the online processors, at most 16)\n"
    "  LC_ALL, LC_MESSAGES, LANG  the language when --lang is not given (zh...: Chinese)\n";

int cli_opt(emscov_ctx *ctx, int argc, char **argv, int *i, const char *name, const char **value)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strncmp(a, "--", 2) != 0 || strncmp(a + 2, name, n) != 0)
        return 0;
    if (a[2 + n] == '=') {
        *value = a + 3 + n;
        return 1;
    }
    if (a[2 + n] != '\0')
        return 0;
    if (*i + 1 >= argc) {
        emscov_fail(ctx, EMS_EINPUT, "option --%s needs a value", name);
        return -1;
    }
    *value = argv[++*i];
    return 1;
}

bool cli_flag(char **argv, int i, const char *name)
{
    return strncmp(argv[i], "--", 2) == 0 && strcmp(argv[i] + 2, name) == 0;
}

const char cli_layer_opts_help[] =
    "  --encoding ENC    attribute text encoding: GBK, GB18030, UTF-8, BIG5, CP1252, ...; overrides a\n"
    "                    shapefile's .cpg and DBF LDID (with a warning naming what it overrode); default:\n"
    "                    what the source declares, else UTF-8\n"
    "  --srs SRS         source CRS, overriding .prj / GeoJSON crs: EPSG:4548, WKT, or a PROJ string\n"
    "  --x-field NAME    CSV column of x / longitude (default: detected)\n"
    "  --y-field NAME    CSV column of y / latitude (default: detected)\n"
    "  --format FMT      shp, geojson, csv, gpkg, or gdal (read through GDAL whatever the extension);\n"
    "                    default: from the extension, GDAL for the ones emscov does not read itself\n"
    "  --coords C        the lon/lat convention: wgs84 (default), gcj02 (高德, 腾讯) or bd09 (百度); the last\n"
    "                    two are converted to WGS 84 on read\n"
    "  --from-gcj02      coordinates are GCJ-02 (Chinese map apps): convert to WGS 84\n"
    "  --from-bd09       coordinates are BD-09 (Baidu): convert to WGS 84\n";

int cli_layer_opt(emscov_ctx *ctx, int argc, char **argv, int *i, layer_read_opts *o)
{
    int r;
    if ((r = cli_opt(ctx, argc, argv, i, "encoding", &o->encoding)) != 0)
        return r;
    if ((r = cli_opt(ctx, argc, argv, i, "srs", &o->srs)) != 0)
        return r;
    if ((r = cli_opt(ctx, argc, argv, i, "x-field", &o->x_field)) != 0)
        return r;
    if ((r = cli_opt(ctx, argc, argv, i, "y-field", &o->y_field)) != 0)
        return r;
    if ((r = cli_opt(ctx, argc, argv, i, "format", &o->format)) != 0)
        return r;
    const char *v = NULL;
    if ((r = cli_opt(ctx, argc, argv, i, "coords", &v)) != 0) {
        if (r > 0 && strcmp(v, "wgs84") && strcmp(v, "gcj02") && strcmp(v, "bd09")) {
            emscov_fail(ctx, EMS_EINPUT, "--coords %s: use wgs84, gcj02 or bd09", v);
            return -1;
        }
        if (r > 0) {
            o->from_gcj02 = !strcmp(v, "gcj02");
            o->from_bd09 = !strcmp(v, "bd09");
        }
        return r;
    }
    if (cli_flag(argv, *i, "from-gcj02"))
        return o->from_gcj02 = true, 1;
    if (cli_flag(argv, *i, "from-bd09"))
        return o->from_bd09 = true, 1;
    return 0;
}

const char cli_scenario_coords_help[] =
    "  --coords LAYER=C  the lon/lat convention of a scenario layer (streets, stations, population, roads,\n"
    "                   parks, residential): wgs84, gcj02 (高德, 腾讯) or bd09 (百度), as its section's\n"
    "                   coords key (which this overrides); repeat for several layers\n";

int cli_scenario_coords(emscov_ctx *ctx, int argc, char **argv, int *i, struct job_opts *o)
{
    const char *a = argv[*i], *v = NULL;
    bool next = !strcmp(a, "--coords") && *i + 1 < argc; /* the value is the next argument */
    if (next)
        v = argv[*i + 1];
    else if (!strncmp(a, "--coords=", 9))
        v = a + 9;
    if (!v || !strchr(v, '='))
        return 0;
    if (o->ncoords == JOB_MAX_COORDS) {
        emscov_fail(ctx, EMS_EINPUT, "--coords: at most %d layers", JOB_MAX_COORDS);
        return -1;
    }
    o->coords[o->ncoords++] = v;
    if (next)
        (*i)++;
    return 1;
}

const char cli_csv_opts_help[] =
    "  --csv-bom        write the CSV files as UTF-8 with a byte-order mark (for Excel: without one, Excel on\n"
    "                   Chinese Windows reads them as GBK and garbles the names)\n"
    "  --csv-headers H  the CSV header row: keys (default: the stable column names scripts read) or zh (column\n"
    "                   titles in Chinese); the rows are the same either way\n";

int cli_csv_opt(emscov_ctx *ctx, int argc, char **argv, int *i, csv_style *style)
{
    const char *v = NULL;
    if (cli_flag(argv, *i, "csv-bom"))
        return style->bom = true, 1;
    int r = cli_opt(ctx, argc, argv, i, "csv-headers", &v);
    if (r == 1 && !csv_headers_parse(v, &style->headers)) {
        emscov_fail(ctx, EMS_EINPUT, "--csv-headers %s: use keys or zh", v);
        return -1;
    }
    return r;
}

void cli_print_padded(const char *s, int width)
{
    i18n_fpad(stdout, s, width);
}

/* The language given by --lang, NULL when none (the scenario's lang, then the locale decide). */
static const char *lang_option;

const char *cli_lang_option(void)
{
    return lang_option;
}

/* Take every --lang X / --lang=X out of argv (any position after the program name): 1 when done, 0 when a
 * value is missing or not zh/en (message printed). */
static int take_lang(int *argc, char **argv)
{
    int out = 1;
    for (int i = 1; i < *argc; i++) {
        const char *v = NULL;
        int drop = 0;
        if (!strcmp(argv[i], "--lang")) {
            if (i + 1 >= *argc) {
                fputs("emscov: option --lang needs a value (zh or en)\n", stderr);
                return 0;
            }
            v = argv[i + 1], drop = 2;
        } else if (!strncmp(argv[i], "--lang=", 7)) {
            v = argv[i] + 7, drop = 1;
        } else {
            argv[out++] = argv[i];
            continue;
        }
        i18n_lang l;
        if (!i18n_lang_parse(v, &l)) {
            fprintf(stderr, "emscov: --lang %s: use zh or en\n", v);
            return 0;
        }
        lang_option = v;
        i += drop - 1;
    }
    *argc = out;
    argv[out] = NULL;
    return 1;
}

/* The directory of the running binary (into buf, cap >= PATH_MAX); false when /proc/self/exe is unreadable. */
static bool exe_dir(char *buf, size_t cap)
{
    ssize_t n = readlink("/proc/self/exe", buf, cap - 1);
    if (n <= 0)
        return false;
    buf[n] = '\0';
    char *slash = strrchr(buf, '/');
    if (!slash)
        return false;
    *slash = '\0';
    return true;
}

/* The data directory (standards, park rules, speed profiles): set once by find_data_dir. */
static char data_dir[PATH_MAX + 32];

const char *cli_data_dir(void)
{
    return data_dir;
}

/* $EMSCOV_DATA; else beside the binary, bin/../share/emscov (installed, wherever the prefix was moved; the build
 * tree's build/share/emscov is a link to the source's data/); else the install prefix's. */
static void find_data_dir(const char *bin)
{
    const char *env = getenv("EMSCOV_DATA");
    char probe[PATH_MAX + 64];
    if (env && *env) {
        snprintf(data_dir, sizeof data_dir, "%s", env);
        return;
    }
    if (bin) {
        snprintf(probe, sizeof probe, "%s/../share/emscov/standards", bin);
        if (access(probe, R_OK) == 0 && realpath(probe, data_dir)) {
            *strrchr(data_dir, '/') = '\0'; /* the directory above standards/ */
            return;
        }
    }
    snprintf(data_dir, sizeof data_dir, "%s", EMSCOV_INSTALL_DATA_DIR);
}

/* The catalogue: $EMSCOV_LOCALEDIR, beside the binary (installed: bin/../share/locale; the build tree:
 * build/src/../locale), the install prefix's, the build tree's. Returns the directory in use (copied into
 * found), NULL for none. */
static const char *setup_language(const char *bin, char *found, size_t cap)
{
    char share[PATH_MAX + 32] = "", build[PATH_MAX + 32] = "";
    if (bin) {
        snprintf(share, sizeof share, "%s/../share/locale", bin);
        snprintf(build, sizeof build, "%s/../locale", bin);
    }
    const char *dirs[] = {getenv("EMSCOV_LOCALEDIR"), share, build, EMSCOV_LOCALEDIR, EMSCOV_LOCALE_BUILD_DIR};
    const char *dir = i18n_setup(dirs, sizeof dirs / sizeof *dirs);
    snprintf(found, cap, "%s", dir ? dir : "");
    i18n_lang l = i18n_lang_from_env();
    if (lang_option)
        i18n_lang_parse(lang_option, &l);
    i18n_use(l);
    return dir ? found : NULL;
}

static void print_warning(void *user, const char *message)
{
    (void)user;
    fprintf(stderr, "emscov: warning: %s\n", message);
}

/* Standard output goes through this sink, so that the reason of a failed write survives to the end of the run
 * (stdio keeps only an error flag, and errno is overwritten long before main returns). */
typedef struct {
    int fd;
    int err; /* errno of the first failed write, 0 while none failed */
} out_sink;

static ssize_t sink_write(void *cookie, const char *buf, size_t n)
{
    out_sink *s = cookie;
    size_t done = 0;
    while (done < n) {
        ssize_t w = write(s->fd, buf + done, n - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            if (!s->err)
                s->err = w < 0 ? errno : EIO;
            return done ? (ssize_t)done : -1;
        }
        done += (size_t)w;
    }
    return (ssize_t)done;
}

/* Put stdout through `sink` (line-buffered on a terminal, as stdio does); stdout stays as it was when the
 * stream cannot be made (its failures are then reported without their reason). */
static void sink_stdout(out_sink *sink)
{
    sink->fd = STDOUT_FILENO;
    sink->err = 0;
    FILE *f = fopencookie(sink, "w", (cookie_io_functions_t){.write = sink_write});
    if (!f)
        return;
    if (isatty(STDOUT_FILENO))
        setvbuf(f, NULL, _IOLBF, BUFSIZ);
    stdout = f;
}

/* Flush stdout and check that everything printed reached it (a full disk, a closed descriptor).
 * Returns `code` when it did, else 1 (or `code` when already a failure) with a message on stderr: a
 * truncated report must not end in success (issue 14). */
static int finish_stdout(const out_sink *sink, int code)
{
    errno = 0;
    bool failed = fflush(stdout) != 0 || ferror(stdout);
    int err = sink->err ? sink->err : errno;
    if (!failed)
        return code;
    if (err)
        fprintf(stderr, "emscov: cannot write to standard output: %s\n", strerror(err));
    else
        fputs("emscov: cannot write to standard output\n", stderr);
    return code ? code : 1;
}

int main(int argc, char **argv)
{
#ifdef M_MXFAST
    /* No fastbins: emscov frees millions of small GEOS and attribute objects between large allocations, and
     * glibc consolidated the fastbins at each large one (malloc_consolidate + unlink_chunk were 14 % of
     * building a city's road graph). Beijing preset, 5 runs each: analyze 5.34 -> 5.05 s (docs/performance.md). */
    mallopt(M_MXFAST, 0);
#endif
    static out_sink sink; /* static: exit() may still flush stdout after main returns */
    sink_stdout(&sink);
    if (!take_lang(&argc, argv))
        return 2;
    char bin_buf[PATH_MAX];
    const char *bin = exe_dir(bin_buf, sizeof bin_buf) ? bin_buf : NULL;
    find_data_dir(bin);
    char locale_buf[PATH_MAX + 32];
    const char *localedir = setup_language(bin, locale_buf, sizeof locale_buf);
    if (argc < 2) {
        fputs(usage, stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
        fputs(usage, stdout);
        return finish_stdout(&sink, 0);
    }
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V")) {
        printf("emscov %s\n", EMSCOV_VERSION);
        return finish_stdout(&sink, 0);
    }
    if (!strcmp(cmd, "version")) { /* and where the data and the catalogue were found */
        printf("emscov %s\ndata: %s\nmessages: %s\n", EMSCOV_VERSION, data_dir, localedir ? localedir : "(none)");
        return finish_stdout(&sink, 0);
    }
    emscov_ctx *ctx = emscov_ctx_create();
    if (!ctx) {
        fputs("emscov: out of memory\n", stderr);
        return 1;
    }
    emscov_set_warn(ctx, print_warning, NULL);
    /* Tests only (tools/oom.sh): EMSCOV_FAULT_ALLOC=N fails the N-th allocation of emscov's own code in this
     * run (0: none, only counted), and the count is printed at the end. */
    const char *fault = getenv("EMSCOV_FAULT_ALLOC");
    if (fault)
        emscov_ctx_fail_alloc_after(ctx, (size_t)strtoull(fault, NULL, 10));
    ems_status st;
    if (!strcmp(cmd, "info"))
        st = cmd_info(ctx, argc - 1, argv + 1);
    else if (!strcmp(cmd, "analyze"))
        st = cmd_analyze(ctx, argc - 1, argv + 1);
    else if (!strcmp(cmd, "import"))
        st = cmd_import(ctx, argc - 1, argv + 1);
    else if (!strcmp(cmd, "map"))
        st = cmd_map(ctx, argc - 1, argv + 1);
    else if (!strcmp(cmd, "sites"))
        st = cmd_sites(ctx, argc - 1, argv + 1);
    else if (!strcmp(cmd, "network"))
        st = cmd_network(ctx, argc - 1, argv + 1);
    else if (!strcmp(cmd, "times"))
        st = cmd_times(ctx, argc - 1, argv + 1);
    else if (!strcmp(cmd, "report"))
        st = cmd_report(ctx, argc - 1, argv + 1);
    else if (!strcmp(cmd, "compare"))
        st = cmd_compare(ctx, argc - 1, argv + 1);
    else
        st = emscov_fail(ctx, EMS_EINPUT, "unknown command \"%s\" (emscov help lists them)", cmd);
    int code = ems_exit_code(st);
    if (st != EMS_OK) {
        fflush(stdout); /* what was printed before the message; a failure here is reported below */
        fprintf(stderr, "emscov: %s\n", emscov_message(ctx)[0] ? emscov_message(ctx) : ems_status_text(st));
    }
    if (fault)
        fprintf(stderr, "emscov: EMSCOV_FAULT_ALLOC=%s: %zu allocations, the fault %s\n", fault,
                emscov_ctx_alloc_count(ctx), emscov_ctx_alloc_fault_fired(ctx) ? "fired" : "was not reached");
    emscov_ctx_destroy(ctx);
    return finish_stdout(&sink, code);
}
