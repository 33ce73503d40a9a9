/* src/cli/cli.h: shared by the sub-commands of the emscov executable: option matching, the layer-reading
 * options every sub-command accepts, and the sub-command entry points. Each entry point returns an
 * ems_status; main() prints the ctx message and maps the status to the exit code in one place. */
#ifndef EMSCOV_CLI_H
#define EMSCOV_CLI_H

#include "geo/ctx.h"
#include "geo/layer.h"
#include "src/output/csv.h"

struct job_opts; /* src/output/job.h */

/* If argv[*i] is --name or --name=VALUE, set *value (the next argument for the first form, advancing *i)
 * and return 1; return 0 when it is another argument; -1 (message in ctx) when the value is missing. */
int cli_opt(emscov_ctx *ctx, int argc, char **argv, int *i, const char *name, const char **value);
/* If argv[*i] is the flag --name, return true. */
bool cli_flag(char **argv, int i, const char *name);

/* Layer-reading options shared by the sub-commands (--encoding, --srs, --x-field, --y-field, --format,
 * --from-gcj02, --from-bd09). Returns 1 when argv[*i] was one of them, 0 if not, -1 on a missing value. */
int cli_layer_opt(emscov_ctx *ctx, int argc, char **argv, int *i, layer_read_opts *o);
extern const char cli_layer_opts_help[];

/* --coords LAYER=wgs84|gcj02|bd09 of analyze and sites (a scenario layer's coords key, given on the command
 * line; a value without '=' is left to cli_layer_opt). Returns 1 when taken (added to o), 0 if argv[*i] is
 * something else, -1 (message in ctx) when there are too many. */
int cli_scenario_coords(emscov_ctx *ctx, int argc, char **argv, int *i, struct job_opts *o);
extern const char cli_scenario_coords_help[];

/* The CSV options of analyze, sites and times: --csv-bom (UTF-8 with a byte-order mark, for Excel) and
 * --csv-headers keys|zh. Returns 1 when argv[*i] was one of them, 0 if not, -1 (message in ctx) on a bad or
 * missing value. */
int cli_csv_opt(emscov_ctx *ctx, int argc, char **argv, int *i, csv_style *style);
extern const char cli_csv_opts_help[];

/* Print s padded with spaces to `width` terminal columns (CJK characters count two). */
void cli_print_padded(const char *s, int width);
/* A number option in [lo, hi]; EMS_EINPUT naming the option otherwise. */
ems_status cli_number(emscov_ctx *ctx, const char *opt, const char *text, double lo, double hi, double *out);

ems_status cmd_info(emscov_ctx *ctx, int argc, char **argv);
ems_status cmd_network(emscov_ctx *ctx, int argc, char **argv);
ems_status cmd_times(emscov_ctx *ctx, int argc, char **argv);
ems_status cmd_analyze(emscov_ctx *ctx, int argc, char **argv);
ems_status cmd_import(emscov_ctx *ctx, int argc, char **argv);
ems_status cmd_sites(emscov_ctx *ctx, int argc, char **argv);
ems_status cmd_map(emscov_ctx *ctx, int argc, char **argv);
ems_status cmd_report(emscov_ctx *ctx, int argc, char **argv);
ems_status cmd_compare(emscov_ctx *ctx, int argc, char **argv);

/* The value of --lang on the command line ("zh", "en", ...), NULL when not given. main() takes the option out
 * of argv before the sub-command sees it, and makes it (else the locale's language) the current language. */
const char *cli_lang_option(void);

#endif
