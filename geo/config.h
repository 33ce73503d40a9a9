/* geo/config.h: the one loader for emscov's INI files (scenarios, standards, speed profiles, park rule sets),
 * libinih underneath. Every [section] header and key = value line is kept with its line number, in file
 * order; callers fetch typed values or walk a section's entries. A schema (config_schema) names the keys a
 * file may hold; "section.*" allows any key in that section (speed classes, park tiers, periods).
 *
 * File rules (docs/user-guide.md, "Scenario files"): UTF-8 text, an optional byte-order mark at the start,
 * LF or CRLF line endings, no line length limit; blank lines and lines starting with ';' or '#' are
 * comments, and ';' after a blank ends a value (`max_snap_m = 500 ; metres`); leading blanks are ignored (no
 * continuation lines). `key = value` or `key: value`. Refused, as EMS_EINPUT with one message shape,
 * "<file>: line N: [section] key: <what is wrong>": an unknown section or key (the message lists the known
 * keys or suggests the closest one), a key given twice, an empty value (unless the schema allows it), a
 * line that is neither a header nor key = value nor a comment, a NUL byte, text that is not UTF-8, a bad
 * number (config_number and friends). Section-level problems read "<file>: line N: [section]: ...",
 * missing keys "<file>: [section] key: missing".
 *
 * Ownership: config_load / config_load_schema return a new object owned by the caller (config_destroy,
 * NULL-safe); every string and config_entry returned is owned by it and lives until config_destroy.
 * Thread-safety: a config is read-only after loading and may be shared; loading uses only the ctx and leaves
 * libinih's process-wide options untouched. */
#ifndef EMSCOV_GEO_CONFIG_H
#define EMSCOV_GEO_CONFIG_H

#include "geo/ctx.h"

typedef struct config config;

/* One key = value line. */
typedef struct config_entry {
    const char *section, *key, *value;
    int line; /* 1-based line in the file */
} config_entry;

/* What a file may hold. keys: NULL-terminated "section.key" or "section.*" (any key in that section); a
 * section is known when some key of it is. allow_empty: NULL, or NULL-terminated "section.key" whose value
 * may be empty (every other empty value is an error). */
typedef struct config_schema {
    const char *const *keys;
    const char *const *allow_empty;
} config_schema;

/* Load path checking it against schema line by line, so the first problem in the file is the one reported.
 * Syntax, duplicates, empty values, encoding, unknown sections and keys -> EMS_EINPUT; a file that cannot be
 * opened -> EMS_EINPUT naming it. */
EMS_API ems_status config_load_schema(emscov_ctx *ctx, const char *path, const config_schema *schema,
                                      config **out);
/* Load without a schema (check it afterwards with config_check_known): every empty value is refused. */
EMS_API ems_status config_load(emscov_ctx *ctx, const char *path, config **out);
EMS_API void config_destroy(config *c);
EMS_API const char *config_path(const config *c);
/* The directory of the file (for paths relative to it). */
EMS_API const char *config_dir(const config *c);

/* The entry section.key, or NULL when absent. */
EMS_API const config_entry *config_find(const config *c, const char *section, const char *key);
/* The next entry of section after prev (prev NULL: the first one), in file order; NULL after the last:
 *   for (const config_entry *e = NULL; (e = config_next(c, "classes", e));) ... */
EMS_API const config_entry *config_next(const config *c, const char *section, const config_entry *prev);
/* Line of the first [section] header, 0 when the file has none. */
EMS_API int config_section_line(const config *c, const char *section);

/* The value of section.key, or NULL when absent. */
EMS_API const char *config_get(const config *c, const char *section, const char *key);
/* A required entry: EMS_EINPUT "<path>: [section] key: missing" when absent. */
EMS_API ems_status config_require_entry(emscov_ctx *ctx, const config *c, const char *section,
                                        const char *key, const config_entry **out);
/* The same, for the value. */
EMS_API ems_status config_require(emscov_ctx *ctx, const config *c, const char *section, const char *key,
                                  const char **out);
/* A number in [lo, hi]; absent -> *out = dflt. Not a number or out of range -> EMS_EINPUT naming file, line,
 * section and key. Numbers are plain decimals: [+-]digits[.digits] ("80", "0.6", "-3", ".5"); no exponent,
 * no thousands separator, the same in every locale. */
EMS_API ems_status config_number(emscov_ctx *ctx, const config *c, const char *section, const char *key,
                                 double lo, double hi, double dflt, double *out);
/* The entry's value as a number (no range check; see config_number for the syntax). */
EMS_API ems_status config_entry_number(emscov_ctx *ctx, const config *c, const config_entry *e, double *out);
/* A comma-separated list of numbers (up to cap) in [lo, hi]; *n set (0 when absent). */
EMS_API ems_status config_numbers(emscov_ctx *ctx, const config *c, const char *section, const char *key,
                                  double lo, double hi, double *out, size_t cap, size_t *n);
/* Every section and entry must be one of known ("section.key", "section.*"; NULL-terminated). */
EMS_API ems_status config_check_known(emscov_ctx *ctx, const config *c, const char *const *known);
/* A path value resolved against the file's directory (new string, free); NULL when absent or out of memory.
 * Absolute paths and PostGIS sources ("pg:...") are returned as written. */
EMS_API char *config_path_value(const config *c, const char *section, const char *key);

/* Callers' own checks in the one message shape: "<path>: line N: [section] key: <what>" (returns s). */
EMS_API ems_status config_fail(emscov_ctx *ctx, const config *c, const config_entry *e, ems_status s,
                               const char *fmt, ...) EMS_PRINTF(5, 6);
/* "<path>: line N: [section]: <what>" at the section's first header ("<path>: [section]: <what>" when the
 * file has no such header). */
EMS_API ems_status config_fail_section(emscov_ctx *ctx, const config *c, const char *section, ems_status s,
                                       const char *fmt, ...) EMS_PRINTF(5, 6);

/* The plain decimal at the start of s (see config_number): characters used, 0 when there is none. */
EMS_API size_t config_scan_decimal(const char *s, double *out);
/* True when the whole of s is one finite plain decimal. */
EMS_API bool config_decimal(const char *s, double *out);

#endif
