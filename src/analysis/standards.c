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
                                         "service.key",
                                         "service.name_zh",
                                         "service.name_en",
                                         "service.facility_zh",
                                         "service.facility_en",
                                         "service.facilities_en",
                                         "service.mode",
                                         "service.speed_profile",
                                         "service.vehicles",
                                         "service.source",
                                         "response.mean_below_min",
                                         "response.coverage_within_min",
                                         "response.coverage_share_min",
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

/* A copy of the [service] key's value, or of dflt when absent; false when out of memory. */
static bool service_word(emscov_ctx *ctx, const config *c, const char *key, const char *dflt, char **dst)
{
    const char *v = config_get(c, "service", key);
    *dst = ems_strdup(ctx, v ? v : dflt);
    return *dst != NULL;
}

/* A yes/no or one-of-two word of [service]; *out = (value == yes_word). */
static ems_status service_choice(emscov_ctx *ctx, const config *c, const char *key, const char *yes_word,
                                 const char *no_word, bool dflt, bool *out)
{
    const config_entry *e = config_find(c, "service", key);
    *out = dflt;
    if (!e) return EMS_OK;
    if (strcmp(e->value, yes_word) && strcmp(e->value, no_word))
        return config_fail(ctx, c, e, EMS_EINPUT, "\"%s\" is not %s or %s", e->value, yes_word, no_word);
    *out = !strcmp(e->value, yes_word);
    return EMS_OK;
}

/* The [service] section; without one, pre-hospital emergency care driven by ambulances (the file's original
 * subject, so older standards files keep their meaning). */
static ems_status read_service(emscov_ctx *ctx, const config *c, standards_service *sv)
{
    sv->declared = config_section_line(c, "service") > 0;
    ems_status st;
    if ((st = service_choice(ctx, c, "mode", "walk", "drive", false, &sv->walk)) != EMS_OK ||
        (st = service_choice(ctx, c, "vehicles", "yes", "no", !sv->declared, &sv->vehicles)) != EMS_OK)
        return st;
    if (sv->declared) {
        const char *need[] = {"key", "name_zh", "name_en", "facility_zh", "facility_en"};
        for (size_t k = 0; k < sizeof need / sizeof *need; k++) {
            const char *v;
            if ((st = config_require(ctx, c, "service", need[k], &v)) != EMS_OK) return st;
        }
    }
    const char *fe = config_get(c, "service", "facility_en");
    char plural[256];
    snprintf(plural, sizeof plural, "%ss", fe ? fe : "station");
    if (!service_word(ctx, c, "key", "ems", &sv->key) ||
        !service_word(ctx, c, "name_zh", "院前医疗急救", &sv->name_zh) ||
        !service_word(ctx, c, "name_en", "pre-hospital emergency care", &sv->name_en) ||
        !service_word(ctx, c, "facility_zh", "急救站", &sv->facility_zh) ||
        !service_word(ctx, c, "facility_en", "station", &sv->facility_en) ||
        !service_word(ctx, c, "facilities_en", plural, &sv->facilities_en) ||
        !service_word(ctx, c, "speed_profile", sv->walk ? "walk" : "default", &sv->speed_profile) ||
        !source_of(ctx, c, "service", &sv->source))
        return emscov_fail(ctx, EMS_ENOMEM, "out of memory");
    return EMS_OK;
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
    double mean_min = 0, cov_min = 0, per_sub = 1;
    /* a [service] file states its targets: a section it leaves out does not apply */
    bool svc = st == EMS_OK && config_section_line(c, "service") > 0;
    const char *name = NULL, *rules = NULL;
    if (st == EMS_OK && (st = config_require(ctx, c, "standard", "name", &name)) == EMS_OK &&
        (st = read_service(ctx, c, &s->service)) == EMS_OK &&
        (st = config_number(ctx, c, "response", "mean_below_min", 0.1, 600, svc ? NAN : 12, &mean_min)) == EMS_OK &&
        (st = config_number(ctx, c, "response", "coverage_within_min", 0.1, 600, isfinite(mean_min) ? mean_min : 15,
                            &cov_min)) == EMS_OK &&
        (st = config_number(ctx, c, "response", "coverage_share_min", 0, 1, NAN, &s->coverage_share_min)) == EMS_OK &&
        (st = config_number(ctx, c, "stations", "min_per_subdistrict", 0, 1000, svc ? NAN : 1, &per_sub)) == EMS_OK &&
        (st = config_number(ctx, c, "ambulances", "residents_per_ambulance", 1, 1e9, 30000,
                            &s->residents_per_ambulance)) == EMS_OK &&
        (st = config_number(ctx, c, "calls", "satisfaction_min", 0, 1, 0.95, &s->satisfaction_min)) == EMS_OK &&
        (st = config_number(ctx, c, "parks", "target_share", 0, 1, NAN, &s->park_target_share)) == EMS_OK) {
        s->min_stations = per_sub;
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
    free(s->service.key);
    free(s->service.name_zh);
    free(s->service.name_en);
    free(s->service.facility_zh);
    free(s->service.facility_en);
    free(s->service.facilities_en);
    free(s->service.speed_profile);
    free(s->service.source);
    free(s);
}
