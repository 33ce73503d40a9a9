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

/* ---- output of the commands that write files (cli_out.c) ---- */
/* --quiet: nothing on stdout; --json: only JSON on stdout. */
typedef struct cli_out {
    bool quiet, json;
} cli_out;
/* 1 when argv[i] is --quiet or --json (recorded in *o), else 0. */
int cli_out_opt(char **argv, int i, cli_out *o);
extern const char cli_out_opts_help[]; /* the --quiet line of a command's help */
/* EMS_EINPUT when both are given. */
ems_status cli_out_check(emscov_ctx *ctx, const char *cmd, const cli_out *o);
struct json_object;
/* Print o on stdout (pretty, as report.json is written) and release it; EMS_ENOMEM for a NULL o. */
ems_status cli_print_json(emscov_ctx *ctx, struct json_object *o);
/* Print a run's JSON (report.json / sites.json text) with "stored_run": {"id": run_id, "where": where} added,
 * or "stored_run": null when the run was not stored in a database. */
ems_status cli_print_run_json(emscov_ctx *ctx, const char *json, bool stored, long long run_id, const char *where);
/* The output format of --out: --format (one of names, case-insensitive), else the file's extension (exts[k]:
 * the extensions of names[k], each NUL-terminated, the list ending with an empty one: "htm\0html\0"). *index:
 * the format's index, -1 when neither says. EMS_EINPUT naming the extension and the formats accepted when the
 * extension is none of them, or when it disagrees with --format; naming the formats for an unknown --format. */
ems_status cli_out_format(emscov_ctx *ctx, const char *cmd, const char *out, const char *format,
                          const char *const *names, const char *const *exts, size_t n, int *index);

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

/* emscov's data directory (standards, park rules, speed profiles by name): $EMSCOV_DATA, else share/emscov
 * beside the binary (bin/../share/emscov: installed, or the build tree's link to the source's data/), else
 * the install prefix's. Set by main() before the sub-command runs. */
const char *cli_data_dir(void);

#endif
