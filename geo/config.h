/* geo/config.h: strict INI files (libinih) for scenarios and standards: every entry is kept with its
 * line, callers fetch typed values, and any section or key the caller does not know is an error naming the
 * file and line (a misspelt key must never be silently ignored).
 * Ownership: config_load returns a new object owned by the caller (config_destroy, NULL-safe); strings returned
 * are owned by it. */
#ifndef EMSCOV_GEO_CONFIG_H
#define EMSCOV_GEO_CONFIG_H

#include "geo/ctx.h"

typedef struct config config;

/* Load path. Syntax errors and duplicate keys -> EMS_EINPUT "<path>: line N: ...". */
ems_status config_load(emscov_ctx *ctx, const char *path, config **out);
void config_destroy(config *c);
const char *config_path(const config *c);
/* The directory of the file (for paths relative to it). */
const char *config_dir(const config *c);

/* The value of section.key, or NULL when absent. */
const char *config_get(const config *c, const char *section, const char *key);
/* A required value: EMS_EINPUT "<path>: [section] key is missing" when absent. */
ems_status config_require(emscov_ctx *ctx, const config *c, const char *section, const char *key, const char **out);
/* A number in [lo, hi]; absent -> *out = dflt. Bad text -> EMS_EINPUT naming file, line, section and key. */
ems_status config_number(emscov_ctx *ctx, const config *c, const char *section, const char *key, double lo,
                         double hi, double dflt, double *out);
/* A comma-separated list of numbers (up to cap) in [lo, hi]; *n set. */
ems_status config_numbers(emscov_ctx *ctx, const config *c, const char *section, const char *key, double lo,
                          double hi, double *out, size_t cap, size_t *n);
/* Every entry must be one of "section.key" in known (NULL-terminated); "section.*" allows any key. */
ems_status config_check_known(emscov_ctx *ctx, const config *c, const char *const *known);
/* A path value resolved against the file's directory (new string, free); NULL when absent. Absolute paths and
 * PostGIS sources ("pg:...") are returned as written. */
char *config_path_value(const config *c, const char *section, const char *key);

#endif
