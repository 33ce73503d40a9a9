/* src/cli/cmd_import.c: `emscov import FILE...` -- layers into PostGIS tables in one transaction
 * (src/output/import_pg.h does the loading). This file parses the options, draws the progress bar on a TTY
 * (stderr, at most ~10 redraws a second) and prints the per-file report: what `info` would say, rows loaded,
 * repaired and skipped, encoding and how it was detected, CRS and SRID. */
#include "src/cli/cli.h"

#include "src/output/import_pg.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char import_help[] =
    "usage: emscov import [OPTIONS] FILE...\n"
    "\n"
    "Load layers (shapefile, GeoJSON, CSV points, GeoPackage x.gpkg[:TABLE], any vector format GDAL reads\n"
    "(x.fgb, x.kml, x.gdb:LAYER, ...), or pg:[schema.]table) into PostGIS tables, one table per file, named\n"
    "after the file (lowercased stem; roads.shp -> roads; x.gpkg:TABLE -> table). Files are read as `emscov info` reads\n"
    "them: text encoding from .cpg / DBF language driver / --encoding, CRS from .prj / GeoJSON / --srs,\n"
    "invalid polygons repaired with GEOSMakeValid, empty geometries skipped; the report says which.\n"
    "\n"
    "All files are loaded in ONE TRANSACTION: either every table lands or none does (an error in the last\n"
    "file rolls back the first). An existing table is an error unless --append or --replace is given.\n"
    "\n"
    "options:\n"
    "  --db CONNINFO     libpq conninfo or URI (\"host=... dbname=...\", postgresql://...); default: the\n"
    "                    PG* environment variables, ~/.pgpass and the service file. Passwords are never printed\n"
    "  --schema S        target schema (default public); created when missing\n"
    "  --table T         table name (default: file stem, lowercased); one FILE only, unless --append\n"
    "  --srid N          reproject into SRID N (from spatial_ref_sys) before loading\n"
    "  --to-srs CRS      reproject into CRS (EPSG:4548, WKT or PROJ text); its SRID is the EPSG code, or a\n"
    "                    spatial_ref_sys row emscov adds (auth_name 'emscov') for a CRS without one\n"
    "                    (default for both: keep the source CRS and its SRID)\n"
    "  --append          add rows to an existing table (created when missing): fields go to the columns of\n"
    "                    the same name (case-insensitive), geometries into the table's SRID and type\n"
    "  --replace         replace an existing table: the new one is loaded beside it and swapped in at commit,\n"
    "                    so readers see the old table or the new one, never neither\n"
    "  --keep-case       keep field names as in the source (default: lowercase, as shp2pgsql and ogr2ogr)\n"
    "  --keep-single     a new table of polygons or lines gets a Polygon / LineString column when every feature\n"
    "                    is single (default: MultiPolygon / MultiLineString, as shp2pgsql and ogr2ogr\n"
    "                    -nlt PROMOTE_TO_MULTI, so multipart features can be appended later)\n"
    "  --dry-run         read, check and load everything, then roll back: nothing changes\n"
    "  --quiet           no report and no progress bar (errors and warnings still go to stderr)\n";

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- progress (stderr, TTY only) ---- */

static void progress(void *user, import_stage stage, const char *path, size_t done, size_t total)
{
    double *last = user;
    if (stage == IMPORT_READING) {
        *last = 0;
        fprintf(stderr, "\rreading %s ...", path);
    } else if (stage == IMPORT_INDEXING) {
        fputs("\rindexing and analysing ...", stderr);
    } else if (stage == IMPORT_IDLE) {
        fputs("\r\033[K", stderr);
    } else {
        double t = now_s();
        if (done < total && t - *last < 0.1)
            return;
        *last = t;
        const char *slash = strrchr(path, '/');
        int width = 30, fill = total ? (int)((double)done / (double)total * width) : width;
        char bar[32];
        for (int k = 0; k < width; k++)
            bar[k] = k < fill ? '#' : '-';
        bar[width] = '\0';
        fprintf(stderr, "\r%-28.28s [%s] %3d%%  %zu/%zu rows", slash ? slash + 1 : path, bar,
                total ? (int)((double)done * 100.0 / (double)total) : 100, done, total);
    }
    fflush(stderr);
}

/* ---- report (stdout) ---- */

static void schema_created(void *user, const char *schema)
{
    (void)user;
    printf("schema %s created\n", schema);
}

static const char *note_kind_name(layer_note_kind k)
{
    return k == LAYER_NOTE_EMPTY ? "empty" : k == LAYER_NOTE_REPAIRED ? "repaired" : "warning";
}

static void print_crs(const crs *c)
{
    printf("%s", crs_name(c));
    if (crs_epsg(c))
        printf(" [EPSG:%d]", crs_epsg(c));
}

#define NOTES_SHOWN 20

static void file_done(void *user, const import_file *f)
{
    (void)user;
    const layer *l = f->layer;
    printf("%s -> %s (%s)\n", f->path, f->table, f->action);
    printf("  %-10s %" PRIu64 " loaded of %zu records (%zu repaired, %zu empty skipped)\n", "rows", f->rows,
           layer_source_records(l), layer_note_count_kind(l, LAYER_NOTE_REPAIRED),
           layer_note_count_kind(l, LAYER_NOTE_EMPTY));
    printf("  %-10s ", "crs");
    print_crs(f->source_crs);
    if (layer_crs_source(l) && *layer_crs_source(l))
        printf(" (from %s)", layer_crs_source(l));
    if (f->reprojected) {
        printf(", reprojected to ");
        print_crs(layer_crs(l));
    }
    printf(", SRID %d\n", f->srid);
    printf("  %-10s %s\n", "column", f->column);
    if (layer_encoding(l))
        printf("  %-10s %s (%s)\n", "encoding", layer_encoding(l), layer_encoding_source(l));
    size_t shown = 0, nn = layer_note_count(l);
    for (size_t k = 0; k < nn && shown < NOTES_SHOWN; k++, shown++) {
        const layer_note *n = layer_note_at(l, k);
        if (n->record > 0)
            printf("  %-10s record %" PRId64 ": %s\n", note_kind_name(n->kind), n->record, n->text);
        else
            printf("  %-10s %s\n", note_kind_name(n->kind), n->text);
    }
    if (nn > shown)
        printf("  %-10s %zu more notes (emscov info %s lists them all)\n", "...", nn - shown, f->path);
    printf("  %-10s read %.2f s, load %.2f s\n", "time", f->read_s, f->load_s);
    putchar('\n');
    fflush(stdout);
}

/* ---- the command ---- */

static ems_status parse_args(emscov_ctx *ctx, int argc, char **argv, import_opts *o, bool *quiet,
                             const char **paths, size_t *npaths, bool *help)
{
    const char *srid_text = NULL;
    for (int i = 1; i < argc; i++) {
        int r;
        if (cli_flag(argv, i, "help") || !strcmp(argv[i], "-h")) {
            *help = true;
            return EMS_OK;
        }
        if (cli_flag(argv, i, "append") || cli_flag(argv, i, "replace") || cli_flag(argv, i, "keep-case") ||
            cli_flag(argv, i, "keep-single") || cli_flag(argv, i, "dry-run") || cli_flag(argv, i, "quiet")) {
            const char *f = argv[i] + 2;
            bool *flag = !strcmp(f, "append") ? &o->append : !strcmp(f, "replace") ? &o->replace
                       : !strcmp(f, "keep-case") ? &o->keep_case : !strcmp(f, "keep-single") ? &o->keep_single
                       : !strcmp(f, "dry-run") ? &o->dry_run : quiet;
            *flag = true;
            continue;
        }
        if ((r = cli_opt(ctx, argc, argv, &i, "db", &o->db)) != 0 ||
            (r = cli_opt(ctx, argc, argv, &i, "schema", &o->schema)) != 0 ||
            (r = cli_opt(ctx, argc, argv, &i, "table", &o->table)) != 0 ||
            (r = cli_opt(ctx, argc, argv, &i, "srid", &srid_text)) != 0 ||
            (r = cli_opt(ctx, argc, argv, &i, "to-srs", &o->to_srs)) != 0 ||
            (r = cli_layer_opt(ctx, argc, argv, &i, &o->read)) != 0) {
            if (r < 0)
                return EMS_EINPUT;
            continue;
        }
        if (argv[i][0] == '-' && argv[i][1] != '\0')
            return emscov_fail(ctx, EMS_EINPUT, "import: unknown option %s (emscov import --help)", argv[i]);
        paths[(*npaths)++] = argv[i];
    }
    if (*npaths == 0)
        return emscov_fail(ctx, EMS_EINPUT, "import: no FILE given (emscov import --help)");
    if (o->append && o->replace)
        return emscov_fail(ctx, EMS_EINPUT, "import: --append and --replace exclude each other");
    if (srid_text && o->to_srs)
        return emscov_fail(ctx, EMS_EINPUT, "import: give --srid or --to-srs, not both");
    if (o->table && *npaths > 1 && !o->append)
        return emscov_fail(ctx, EMS_EINPUT, "import: --table names one table, but %zu files were given (import them "
                           "one by one, or add --append to load them all into that table)", *npaths);
    if (srid_text) {
        double v;
        if (cli_number(ctx, "srid", srid_text, 1, 998999, &v) != EMS_OK)
            return EMS_EINPUT;
        if (v != (double)(int)v)
            return emscov_fail(ctx, EMS_EINPUT, "--srid: not a whole number: \"%s\"", srid_text);
        o->srid = (int)v;
    }
    return EMS_OK;
}

ems_status cmd_import(emscov_ctx *ctx, int argc, char **argv)
{
    import_opts o = {.schema = "public"};
    bool help = false, quiet = false;
    double t0 = now_s(), last = 0;
    const char **paths = calloc((size_t)argc, sizeof *paths);
    size_t n = 0;
    if (!paths)
        return emscov_fail(ctx, EMS_ENOMEM, "out of memory");
    ems_status st = parse_args(ctx, argc, argv, &o, &quiet, paths, &n, &help);
    if (st == EMS_OK && help) {
        printf("%s\nlayer reading options:\n%s", import_help, cli_layer_opts_help);
    } else if (st == EMS_OK) {
        o.read.conninfo = o.db;
        import_hooks hooks = {.progress = !quiet && isatty(STDERR_FILENO) ? progress : NULL,
                              .schema_created = quiet ? NULL : schema_created,
                              .file_done = quiet ? NULL : file_done, .user = &last};
        import_summary s;
        if ((st = import_files(ctx, paths, n, &o, &hooks, &s)) == EMS_OK && !quiet && o.dry_run)
            printf("dry run: %zu file%s, %" PRIu64 " rows loaded and rolled back; nothing changed (%.2f s)\n",
                   s.files, s.files == 1 ? "" : "s", s.rows, now_s() - t0);
        else if (st == EMS_OK && !quiet)
            printf("imported %zu file%s, %" PRIu64 " rows into %zu table%s of %s in one transaction (%.2f s)\n",
                   s.files, s.files == 1 ? "" : "s", s.rows, s.tables, s.tables == 1 ? "" : "s", s.schema,
                   now_s() - t0);
    }
    free(paths);
    return st;
}
