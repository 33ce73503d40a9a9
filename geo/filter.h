/* geo/filter.h: attribute filters for layers read from files, so a scenario can take part of a layer (e.g. the
 * admin_level 10 boundaries, or the stations of kind fire_station or hospital) without editing the data.
 *
 * Syntax (keywords case-insensitive): condition [AND condition]..., where a condition is one of
 *     FIELD = VALUE     FIELD != VALUE (or <>)     FIELD < VALUE    <=    >    >=
 *     FIELD IN (VALUE, VALUE, ...)     FIELD NOT IN (...)     FIELD IS NULL     FIELD IS NOT NULL
 * A VALUE is a number, a bare word, or text in single quotes ('' for a quote); a FIELD is a name or a name in
 * double quotes. Comparison: numeric when the field holds numbers (int, double, logical as 0/1, a date as
 * yyyymmdd) and the value is a number, or when the field is text that reads as a number and the value is a
 * number; otherwise text, byte-wise on UTF-8, with non-text fields written as layer_value_format does (a
 * logical "true"/"false", a date "YYYY-MM-DD"). A null value matches only IS NULL (as in SQL).
 * Field names are matched as in layer_field_index (exact, then ASCII case-insensitive).
 *
 * Skipped records (records without a usable geometry, see layer.h) are tested too: one that matches stays
 * skipped, one that does not is left out like a feature. Both kinds left out are counted in
 * layer_filtered_count, so layer_source_records == layer_count + layer_skipped_count + layer_filtered_count
 * still holds.
 *
 * Ownership: layer_filter changes the layer in place (features that do not match are destroyed); record
 * numbers stay those of the source. Errors: EMS_EINPUT naming the layer, the expression and what is wrong
 * (unknown field, syntax), the layer unchanged. Thread-safety: needs the caller's exclusive use of the layer. */
#ifndef EMSCOV_GEO_FILTER_H
#define EMSCOV_GEO_FILTER_H

#include "geo/layer.h"

/* Keep the features (and skipped records) of l matching expr; *kept (may be NULL) receives how many features
 * remain. */
EMS_API ems_status layer_filter(emscov_ctx *ctx, layer *l, const char *expr, size_t *kept);

#endif
