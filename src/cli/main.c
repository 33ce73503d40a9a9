/* src/cli/main.c: the emscov command line: sub-command dispatch, the warning sink, exit codes
 * (0 ok, 2 bad input, 1 internal or i/o failure). */
#include "src/cli/cli.h"

#include <stdio.h>
#include <string.h>

static const char usage[] =
    "usage: emscov COMMAND [OPTIONS] ...\n"
    "\n"
    "commands:\n"
    "  analyze S.ini    the main job: coverage, gaps, ambulances, parks against the standards\n"
    "  info PATH...     describe layers: format, geometry, CRS, encoding, extent, fields, repairs\n"
    "  import FILE...   load layers into PostGIS tables (one transaction; emscov import --help)\n"
    "  map              maps of a run: response time, choropleth, gaps, parks (PNG/SVG/PDF)\n"
    "  sites S.ini      new station sites: what-if gains, best k sites, fewest sites for a target\n"
    "  network info R   the road graph built from R: nodes, links, components, length by class\n"
    "  times            per point: nearest and second-nearest station by response time (CSV)\n"
    "  help             this text;  emscov COMMAND --help for a command's options\n"
    "  version          print the version\n"
    "\n"
    "exit status: 0 ok, 2 bad input (the message names file, record and field), 1 internal or i/o error\n";

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
    if (cli_flag(argv, *i, "from-gcj02"))
        return o->from_gcj02 = true, 1;
    if (cli_flag(argv, *i, "from-bd09"))
        return o->from_bd09 = true, 1;
    return 0;
}

void cli_print_padded(const char *s, int width)
{
    int cols = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p & 0xC0) == 0x80)
            continue;
        cols += *p >= 0xE3 && *p <= 0xED ? 2 : 1; /* U+3000..U+DFFF (CJK) take two columns */
    }
    fputs(s, stdout);
    for (; cols < width; cols++)
        putchar(' ');
}

static void print_warning(void *user, const char *message)
{
    (void)user;
    fprintf(stderr, "emscov: warning: %s\n", message);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage, stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
        fputs(usage, stdout);
        return 0;
    }
    if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
        printf("emscov %s\n", EMSCOV_VERSION);
        return 0;
    }
    emscov_ctx *ctx = emscov_ctx_create();
    if (!ctx) {
        fputs("emscov: out of memory\n", stderr);
        return 1;
    }
    emscov_set_warn(ctx, print_warning, NULL);
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
    else
        st = emscov_fail(ctx, EMS_EINPUT, "unknown command \"%s\" (emscov help lists them)", cmd);
    if (st != EMS_OK) {
        fflush(stdout);
        fprintf(stderr, "emscov: %s\n", emscov_message(ctx)[0] ? emscov_message(ctx) : ems_status_text(st));
    }
    emscov_ctx_destroy(ctx);
    return ems_exit_code(st);
}
