/* src/cli/cli_out.c: what the commands that write files share about their output: --quiet and --json, the JSON
 * printed on stdout (report.json / sites.json with the stored run added; the files map and report wrote), and
 * an output format chosen by --format or by the --out file's extension, which must be one the command writes. */
#include "src/cli/cli.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

const char cli_out_opts_help[] =
    "  --quiet          print nothing on stdout (errors and warnings still go to stderr; the exit status says\n"
    "                   how it went)\n";

int cli_out_opt(char **argv, int i, cli_out *o)
{
    if (cli_flag(argv, i, "quiet"))
        return o->quiet = true, 1;
    if (cli_flag(argv, i, "json"))
        return o->json = true, 1;
    return 0;
}

ems_status cli_out_check(emscov_ctx *ctx, const char *cmd, const cli_out *o)
{
    if (o->quiet && o->json)
        return emscov_fail(ctx, EMS_EINPUT, "%s: --quiet and --json exclude each other (--json prints only JSON)",
                           cmd);
    return EMS_OK;
}

ems_status cli_print_json(emscov_ctx *ctx, json_object *o)
{
    if (!o)
        return emscov_fail(ctx, EMS_ENOMEM, "out of memory (JSON output)");
    puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                               JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
    return EMS_OK;
}

ems_status cli_print_run_json(emscov_ctx *ctx, const char *json, bool stored, long long run_id, const char *where)
{
    json_object *root = json_tokener_parse(json);
    if (!root || !json_object_is_type(root, json_type_object)) {
        json_object_put(root);
        return emscov_fail(ctx, EMS_EINTERNAL, "the run's JSON does not parse");
    }
    json_object *run = NULL;
    if (stored) {
        run = json_object_new_object();
        if (!run || json_object_object_add(run, "id", json_object_new_int64(run_id)) != 0 ||
            json_object_object_add(run, "where", json_object_new_string(where)) != 0) {
            json_object_put(run);
            json_object_put(root);
            return emscov_fail(ctx, EMS_ENOMEM, "out of memory (JSON output)");
        }
    }
    if (json_object_object_add(root, "stored_run", run) != 0) {
        json_object_put(run);
        json_object_put(root);
        return emscov_fail(ctx, EMS_ENOMEM, "out of memory (JSON output)");
    }
    return cli_print_json(ctx, root);
}

/* The extension of the last path component, without the dot; "" when there is none. */
static const char *extension(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    return dot && dot != base ? dot + 1 : "";
}

/* "png, svg or pdf" */
static void list_names(const char *const *names, size_t n, char *buf, size_t cap)
{
    buf[0] = '\0';
    for (size_t k = 0; k < n; k++) {
        size_t used = strlen(buf);
        snprintf(buf + used, cap - used, "%s%s", k == 0 ? "" : k + 1 == n ? " or " : ", ", names[k]);
    }
}

ems_status cli_out_format(emscov_ctx *ctx, const char *cmd, const char *out, const char *format,
                          const char *const *names, const char *const *exts, size_t n, int *index)
{
    char accepted[256];
    list_names(names, n, accepted, sizeof accepted);
    int by_format = -1, by_ext = -1;
    for (size_t k = 0; k < n; k++)
        if (format && !strcasecmp(format, names[k]))
            by_format = (int)k;
    if (format && by_format < 0)
        return emscov_fail(ctx, EMS_EINPUT, "%s: unknown --format %s (%s)", cmd, format, accepted);
    const char *ext = extension(out);
    for (size_t k = 0; k < n && *ext; k++)
        for (const char *e = exts[k]; *e; e += strlen(e) + 1)
            if (!strcasecmp(ext, e))
                by_ext = (int)k;
    if (*ext && by_ext < 0)
        return emscov_fail(ctx, EMS_EINPUT, "%s: --out %s: emscov %s does not write .%s files (it writes %s)", cmd, out,
                           cmd, ext, accepted);
    if (by_format >= 0 && by_ext >= 0 && by_format != by_ext)
        return emscov_fail(ctx, EMS_EINPUT, "%s: --out %s has the extension .%s, but --format is %s", cmd, out, ext,
                           names[by_format]);
    *index = by_format >= 0 ? by_format : by_ext;
    return EMS_OK;
}
