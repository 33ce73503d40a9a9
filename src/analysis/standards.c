/* src/analysis/standards.c: standards files (see standards.h). */
#include "src/analysis/standards.h"
#include "geo/config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

char *standards_data_path(const char *name_or_path, const char *data_dir, const char *sub)
{
    struct stat st;
    size_t n = strlen(name_or_path) + strlen(data_dir) + strlen(sub) + 16;
    char *p = malloc(n);
    if (!p)
        return NULL;
    if (strchr(name_or_path, '/') || stat(name_or_path, &st) == 0)
        snprintf(p, n, "%s", name_or_path);
    else
        snprintf(p, n, "%s/%s/%s.ini", data_dir, sub, name_or_path);
    return p;
}

static const char *const known_keys[] = {"standard.name",
                                         "standard.title",
                                         "response.mean_below_min",
                                         "response.coverage_within_min",
                                         "response.source",
                                         "stations.min_per_subdistrict",
                                         "stations.source",
                                         "ambulances.residents_per_ambulance",
                                         "ambulances.source",
                                         "calls.satisfaction_min",
                                         "calls.source",
                                         "parks.rules",
                                         "parks.target_share",
                                         "parks.source",
                                         NULL};

/* The optional `source` of a section: a copy in *dst (NULL when absent); false when out of memory. */
static bool source_of(emscov_ctx *ctx, const config *c, const char *section, char **dst)
{
    const char *v = config_get(c, section, "source");
    *dst = v ? ems_strdup(ctx, v) : NULL;
    return !v || *dst;
}

ems_status standards_load(emscov_ctx *ctx, const char *name_or_path, const char *data_dir, standards **out)
{
    *out = NULL;
    char *path = standards_data_path(name_or_path, data_dir, "standards");
    if (!path)
        return emscov_fail(ctx, EMS_ENOMEM, "out of memory");
    config *c = NULL;
    const config_schema schema = {known_keys, NULL};
    ems_status st = config_load_schema(ctx, path, &schema, &c);
    standards *s = st == EMS_OK ? ems_calloc(ctx, 1, sizeof *s) : NULL;
    if (st == EMS_OK && !s)
        st = EMS_ENOMEM;
    double mean_min = 0, cov_min = 0;
    const char *name = NULL, *rules = NULL;
    if (st == EMS_OK && (st = config_require(ctx, c, "standard", "name", &name)) == EMS_OK &&
        (st = config_number(ctx, c, "response", "mean_below_min", 0.1, 600, 12, &mean_min)) == EMS_OK &&
        (st = config_number(ctx, c, "response", "coverage_within_min", 0.1, 600, mean_min, &cov_min)) == EMS_OK &&
        (st = config_number(ctx, c, "stations", "min_per_subdistrict", 0, 1000, 1, &s->min_stations)) == EMS_OK &&
        (st = config_number(ctx, c, "ambulances", "residents_per_ambulance", 1, 1e9, 30000,
                            &s->residents_per_ambulance)) == EMS_OK &&
        (st = config_number(ctx, c, "calls", "satisfaction_min", 0, 1, 0.95, &s->satisfaction_min)) == EMS_OK &&
        (st = config_number(ctx, c, "parks", "target_share", 0, 1, NAN, &s->park_target_share)) == EMS_OK) {
        s->mean_below_s = mean_min * 60;
        s->coverage_within_s = cov_min * 60;
        rules = config_get(c, "parks", "rules");
        const char *title = config_get(c, "standard", "title");
        s->name = ems_strdup(ctx, name);
        s->title = ems_strdup(ctx, title ? title : name);
        s->path = ems_strdup(ctx, path);
        s->park_rules = standards_data_path(rules ? rules : "parks-gbt51346", data_dir, "standards");
        if (!s->name || !s->title || !s->path || !s->park_rules ||
            !source_of(ctx, c, "response", &s->source_response) ||
            !source_of(ctx, c, "stations", &s->source_stations) ||
            !source_of(ctx, c, "ambulances", &s->source_ambulances) ||
            !source_of(ctx, c, "calls", &s->source_calls) || !source_of(ctx, c, "parks", &s->source_parks))
            st = emscov_fail(ctx, EMS_ENOMEM, "out of memory");
    }
    config_destroy(c);
    free(path);
    if (st != EMS_OK) {
        standards_destroy(s);
        return st;
    }
    *out = s;
    return EMS_OK;
}

void standards_destroy(standards *s)
{
    if (!s)
        return;
    free(s->name);
    free(s->title);
    free(s->path);
    free(s->park_rules);
    free(s->source_response);
    free(s->source_stations);
    free(s->source_ambulances);
    free(s->source_calls);
    free(s->source_parks);
    free(s);
}
