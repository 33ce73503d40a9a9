/* src/analysis/scenario.c: scenario files and the run's inputs (see scenario.h). */
#include "src/analysis/scenario.h"

#include "geo/config.h"
#include "geo/filter.h"
#include "geo/limits.h"
#include "geo/parallel.h"

#include <pthread.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const known_keys[] = {
    "scenario.name", "scenario.standards", "scenario.speed_profile", "scenario.period", "scenario.periods", "scenario.working_epsg",
    "scenario.activation_s", "scenario.max_snap_m", "scenario.thresholds_min", "scenario.service_area_buffer_m",
    "scenario.service_area_cell_m", "scenario.snap", "scenario.length", "scenario.method", "scenario.lang",
    "streets.path", "streets.encoding", "streets.srs", "streets.name_field", "streets.code_field",
    "streets.district_field", "streets.where", "streets.coords",
    "stations.path", "stations.encoding", "stations.srs", "stations.coords", "stations.id_field", "stations.name_field",
    "stations.ambulances_field", "stations.turnout_field", "stations.where",
    "population.path", "population.encoding", "population.srs", "population.coords", "population.kind", "population.count_field",
    "population.target", "population.levels_field", "population.where", "population.total",
    "roads.path", "roads.encoding", "roads.srs", "roads.coords", "roads.class_field", "roads.speed_field", "roads.oneway_field",
    "roads.name_field", "roads.id_field", "roads.access", "roads.maxspeed", "roads.turn_restrictions",
    "roads.turn_table", "roads.area", "roads.reversible",
    "parks.path", "parks.encoding", "parks.srs", "parks.coords", "parks.rules", "parks.where",
    "residential.path", "residential.encoding", "residential.srs", "residential.coords", "residential.where",
    "calls.path", "calls.encoding", "calls.srs", "calls.coords", "calls.where", "calls.weight_field", "calls.time_field", NULL};

static char *dup_or_null(emscov_ctx *ctx, const char *v, bool *oom)
{
    if (!v || !*v)
        return NULL;
    char *d = ems_strdup(ctx, v);
    if (!d)
        *oom = true;
    return d;
}

/* [scenario] periods: names separated by commas or spaces, each once, at most SCENARIO_MAX_PERIODS (whether the
 * speed profile knows them is checked when it is loaded). */
static ems_status parse_periods(emscov_ctx *ctx, const char *path, const char *v, scenario *s)
{
    const char *sep = ", \t";
    for (const char *p = v + strspn(v, sep); *p; p += strspn(p, sep)) {
        size_t n = strcspn(p, sep);
        for (size_t k = 0; k < s->nperiods; k++)
            if (strlen(s->periods[k]) == n && !strncmp(s->periods[k], p, n))
                return emscov_fail(ctx, EMS_EINPUT, "%s: [scenario] periods: \"%.*s\" is listed twice", path,
                                   (int)n, p);
        if (s->nperiods == SCENARIO_MAX_PERIODS)
            return emscov_fail(ctx, EMS_EINPUT, "%s: [scenario] periods: more than %d periods", path,
                               SCENARIO_MAX_PERIODS);
        if (!(s->periods[s->nperiods] = ems_strndup(ctx, p, n)))
            return EMS_ENOMEM;
        s->nperiods++;
        p += n;
    }
    return EMS_OK;
}

/* A data file given by name (data/<sub>/<name>.ini) or by path: a value with a '/' or ending in .ini is a path,
 * relative to the scenario file. A new string (free); NULL when out of memory. */
static char *data_ref(const config *c, const char *sec, const char *key, const char *def, const char *data_dir,
                      const char *sub)
{
    const char *v = config_get(c, sec, key);
    size_t n = v ? strlen(v) : 0;
    if (v && (strchr(v, '/') || (n > 4 && !strcmp(v + n - 4, ".ini"))))
        return config_path_value(c, sec, key);
    return standards_data_path(v ? v : def, data_dir, sub);
}

static void source_init(emscov_ctx *ctx, const config *c, const char *sec, scenario_source *src, bool *oom)
{
    src->path = config_path_value(c, sec, "path");
    if (config_get(c, sec, "path") && !src->path)
        *oom = true;
    src->encoding = dup_or_null(ctx, config_get(c, sec, "encoding"), oom);
    src->srs = dup_or_null(ctx, config_get(c, sec, "srs"), oom);
    src->where = dup_or_null(ctx, config_get(c, sec, "where"), oom);
    src->section = sec;
    src->opts.encoding = src->encoding;
    src->opts.srs = src->srs;
}

/* coords = wgs84 | gcj02 | bd09 (what: "<file>: [sec]" or "--coords"): lon/lat from Chinese web maps are
 * converted to WGS 84 on read. */
static ems_status coords_set(emscov_ctx *ctx, const char *v, const char *what, scenario_source *src)
{
    bool gcj = !strcmp(v, "gcj02"), bd = !strcmp(v, "bd09");
    if (!gcj && !bd && strcmp(v, "wgs84"))
        return emscov_fail(ctx, EMS_EINPUT, "%s coords = %s: use wgs84, gcj02 or bd09", what, v);
    src->opts.from_gcj02 = gcj;
    src->opts.from_bd09 = bd;
    return EMS_OK;
}

static ems_status source_coords(emscov_ctx *ctx, const config *c, const char *path, const char *sec,
                                scenario_source *src)
{
    const char *v = config_get(c, sec, "coords");
    char what[4200];
    snprintf(what, sizeof what, "%s: [%s]", path, sec);
    return v ? coords_set(ctx, v, what, src) : EMS_OK;
}

/* The population grid is read in its own CRS: no conversion applies. */
static ems_status grid_coords_check(emscov_ctx *ctx, const scenario *s, const char *what)
{
    if (!strcmp(s->pop_kind, "grid") && (s->population.opts.from_gcj02 || s->population.opts.from_bd09))
        return emscov_fail(ctx, EMS_EINPUT, "%s: [population] coords: a grid is read in its own CRS; coords applies "
                           "to point and polygon layers", what);
    return EMS_OK;
}

ems_status scenario_set_coords(emscov_ctx *ctx, scenario *s, const char *spec)
{
    const char *eq = strchr(spec, '=');
    const char *secs[] = {"streets", "stations", "population", "roads", "parks", "residential", "calls"};
    scenario_source *srcs[] = {&s->streets, &s->stations, &s->population, &s->roads,
                               &s->parks,   &s->residential, &s->calls};
    for (size_t k = 0; eq && k < sizeof secs / sizeof *secs; k++)
        if (strlen(secs[k]) == (size_t)(eq - spec) && !strncmp(spec, secs[k], (size_t)(eq - spec))) {
            char what[64];
            snprintf(what, sizeof what, "--coords %s:", secs[k]);
            ems_status st = coords_set(ctx, eq + 1, what, srcs[k]);
            return st == EMS_OK ? grid_coords_check(ctx, s, "--coords") : st;
        }
    return emscov_fail(ctx, EMS_EINPUT, "--coords %s: give LAYER=wgs84|gcj02|bd09, LAYER one of streets, stations, "
                       "population, roads, parks, residential, calls", spec);
}

static void source_fini(scenario_source *src)
{
    free(src->path);
    free(src->encoding);
    free(src->srs);
    free(src->where);
}

/* A [roads] rule key's value (NULL when absent), with what = "<file>: [roads] <key>" for messages. */
static const char *rule_value(const config *c, const char *path, const char *key, char *what, size_t cap)
{
    const char *v = config_get(c, "roads", key);
    if (v)
        snprintf(what, cap, "%s: [roads] %s", path, key);
    return v;
}

/* [roads] access, maxspeed, turn_restrictions, area, reversible (over the method's preset) and turn_table. */
static ems_status road_rule_keys(emscov_ctx *ctx, const config *c, const char *path, scenario *s)
{
    char what[4200]; /* a path and a key */
    const char *v;
    ems_status st = EMS_OK;
    network_rules *r = &s->road_rules;
    if (((v = rule_value(c, path, "access", what, sizeof what)) &&
         (st = network_access_parse(ctx, v, what, &r->access)) != EMS_OK) ||
        ((v = rule_value(c, path, "maxspeed", what, sizeof what)) &&
         (st = network_maxspeed_parse(ctx, v, what, &r->maxspeed)) != EMS_OK) ||
        ((v = rule_value(c, path, "turn_restrictions", what, sizeof what)) &&
         (st = network_turns_parse(ctx, v, what, &r->turns_off)) != EMS_OK) ||
        ((v = rule_value(c, path, "area", what, sizeof what)) &&
         (st = network_area_parse(ctx, v, what, &r->area)) != EMS_OK) ||
        ((v = rule_value(c, path, "reversible", what, sizeof what)) &&
         (st = network_reversible_parse(ctx, v, what, &r->reversible)) != EMS_OK))
        return st;
    if (config_get(c, "roads", "turn_table") && !(s->turn_table = config_path_value(c, "roads", "turn_table")))
        return emscov_fail(ctx, EMS_ENOMEM, "out of memory");
    r->turn_table = s->turn_table;
    return EMS_OK;
}

ems_status scenario_load(emscov_ctx *ctx, const char *path, const char *data_dir, scenario **out)
{
    *out = NULL;
    config *c = NULL;
    ems_status st = config_load(ctx, path, &c);
    if (st != EMS_OK)
        return st;
    scenario *s = ems_calloc(ctx, 1, sizeof *s);
    if (!s) {
        config_destroy(c);
        return EMS_ENOMEM;
    }
    bool oom = false;
    const char *v;
    double epsg = 0, extra[7];
    size_t nextra = 0;
    if ((st = config_check_known(ctx, c, known_keys)) != EMS_OK)
        goto done;
    const char *required[][2] = {{"streets", "path"}, {"stations", "path"}, {"population", "path"},
                                 {"roads", "path"}};
    for (size_t k = 0; k < sizeof required / sizeof *required; k++)
        if ((st = config_require(ctx, c, required[k][0], required[k][1], &v)) != EMS_OK)
            goto done;
    s->path = dup_or_null(ctx, path, &oom);
    v = config_get(c, "scenario", "name");
    s->name = dup_or_null(ctx, v ? v : "scenario", &oom);
    char *std_path = data_ref(c, "scenario", "standards", "beijing-2022", data_dir, "standards");
    if (!std_path) {
        st = emscov_fail(ctx, EMS_ENOMEM, "out of memory");
        goto done;
    }
    st = standards_load(ctx, std_path, data_dir, &s->std);
    free(std_path);
    if (st != EMS_OK)
        goto done;
    char what[4200]; /* a path and a key */
    snprintf(what, sizeof what, "%s: [scenario] method", path);
    if ((v = config_get(c, "scenario", "method")) && (st = roads_method_parse(ctx, v, what, &s->method)) != EMS_OK)
        goto done;
    roads_preset pre = roads_method_preset(s->method);
    s->snap = pre.snap;
    s->length = pre.length;
    s->road_rules = pre.rules;
    /* a service declared by the standards file brings its profile (walk for the walking circles) */
    s->speed_path = data_ref(c, "scenario", "speed_profile",
                             s->std->service.declared ? s->std->service.speed_profile : pre.speed_profile, data_dir,
                             "speed");
    if (!s->speed_path)
        oom = true;
    v = config_get(c, "scenario", "period");
    s->period = dup_or_null(ctx, v ? v : "offpeak", &oom);
    if ((v = config_get(c, "scenario", "periods")) && (st = parse_periods(ctx, path, v, s)) != EMS_OK)
        goto done;
    if ((st = config_number(ctx, c, "scenario", "working_epsg", 0, 999999, 0, &epsg)) != EMS_OK ||
        (st = config_number(ctx, c, "scenario", "activation_s", 0, LIMITS_ACTIVATION_S_MAX, 0, &s->activation_s)) != EMS_OK ||
        (st = config_number(ctx, c, "scenario", "max_snap_m", 0, 100000, 1000, &s->max_snap_m)) != EMS_OK ||
        (st = config_number(ctx, c, "scenario", "service_area_buffer_m", 1, 10000, 100, &s->buffer_m)) != EMS_OK ||
        (st = config_number(ctx, c, "scenario", "service_area_cell_m", 0, 1000, 20, &s->cell_m)) != EMS_OK ||
        (st = config_numbers(ctx, c, "scenario", "thresholds_min", 0.1, 600, extra, 7, &nextra)) != EMS_OK ||
        (st = config_number(ctx, c, "population", "total", 1, 1e10, 0, &s->pop_total)) != EMS_OK)
        goto done;
    s->working_epsg = (int)epsg;
    s->thresholds_s[0] = s->std->coverage_within_s;
    s->nthresholds = 1;
    for (size_t k = 0; k < nextra; k++)
        if (extra[k] * 60 != s->thresholds_s[0])
            s->thresholds_s[s->nthresholds++] = extra[k] * 60;
    source_init(ctx, c, "streets", &s->streets, &oom);
    source_init(ctx, c, "stations", &s->stations, &oom);
    source_init(ctx, c, "population", &s->population, &oom);
    source_init(ctx, c, "roads", &s->roads, &oom);
    source_init(ctx, c, "parks", &s->parks, &oom);
    source_init(ctx, c, "residential", &s->residential, &oom);
    source_init(ctx, c, "calls", &s->calls, &oom);
    s->calls_weight_field = dup_or_null(ctx, config_get(c, "calls", "weight_field"), &oom);
    s->calls_time_field = dup_or_null(ctx, config_get(c, "calls", "time_field"), &oom);
    s->pop_target.path = config_path_value(c, "population", "target");
    s->pop_target.section = "population target";
    s->pop_target.opts.encoding = s->population.encoding;
    s->street_name_field = dup_or_null(ctx, config_get(c, "streets", "name_field"), &oom);
    s->street_code_field = dup_or_null(ctx, config_get(c, "streets", "code_field"), &oom);
    s->district_field = dup_or_null(ctx, config_get(c, "streets", "district_field"), &oom);
    s->station_id_field = dup_or_null(ctx, config_get(c, "stations", "id_field"), &oom);
    s->station_name_field = dup_or_null(ctx, config_get(c, "stations", "name_field"), &oom);
    s->ambulances_field = dup_or_null(ctx, config_get(c, "stations", "ambulances_field"), &oom);
    s->turnout_field = dup_or_null(ctx, config_get(c, "stations", "turnout_field"), &oom);
    v = config_get(c, "population", "kind");
    s->pop_kind = dup_or_null(ctx, v ? v : "grid", &oom);
    s->pop_count_field = dup_or_null(ctx, config_get(c, "population", "count_field"), &oom);
    s->pop_levels_field = dup_or_null(ctx, config_get(c, "population", "levels_field"), &oom);
    const char *rk[5] = {"class_field", "speed_field", "oneway_field", "name_field", "id_field"};
    for (int k = 0; k < 5; k++)
        s->road_strings[k] = dup_or_null(ctx, config_get(c, "roads", rk[k]), &oom);
    s->road_fields = (network_fields){s->road_strings[0], s->road_strings[1], s->road_strings[2], s->road_strings[3],
                                      s->road_strings[4], true};
    snprintf(what, sizeof what, "%s: [scenario] snap", path);
    if ((v = config_get(c, "scenario", "snap")) && (st = snap_mode_parse(ctx, v, what, &s->snap)) != EMS_OK)
        goto done;
    snprintf(what, sizeof what, "%s: [scenario] length", path);
    if ((v = config_get(c, "scenario", "length")) && (st = network_length_parse(ctx, v, what, &s->length)) != EMS_OK)
        goto done;
    if ((st = road_rule_keys(ctx, c, path, s)) != EMS_OK)
        goto done;
    {
        const char *secs[] = {"streets", "stations", "population", "roads", "parks", "residential", "calls"};
        scenario_source *srcs[] = {&s->streets, &s->stations, &s->population, &s->roads,
                                   &s->parks,   &s->residential, &s->calls};
        for (size_t k = 0; k < sizeof secs / sizeof *secs; k++)
            if ((st = source_coords(ctx, c, path, secs[k], srcs[k])) != EMS_OK)
                goto done;
    }
    if ((v = config_get(c, "scenario", "lang"))) {
        if (strcmp(v, "zh") && strcmp(v, "en")) {
            st = emscov_fail(ctx, EMS_EINPUT, "%s: [scenario] lang must be zh or en, not \"%s\"", path, v);
            goto done;
        }
        s->lang = dup_or_null(ctx, v, &oom);
    }
    v = config_get(c, "parks", "rules");
    s->park_rules_own = v != NULL;
    s->park_rules = v ? data_ref(c, "parks", "rules", NULL, data_dir, "standards") : ems_strdup(ctx, s->std->park_rules);
    if (!s->park_rules)
        oom = true;
    if (oom) { /* before anything reads what could not be copied */
        st = emscov_fail(ctx, EMS_ENOMEM, "out of memory");
        goto done;
    }
    if (strcmp(s->pop_kind, "grid") && strcmp(s->pop_kind, "points") && strcmp(s->pop_kind, "polygons")) {
        st = emscov_fail(ctx, EMS_EINPUT, "%s: [population] kind must be grid, points or polygons, not \"%s\"", path,
                         s->pop_kind);
        goto done;
    }
    if ((st = grid_coords_check(ctx, s, path)) != EMS_OK)
        goto done;
    if (strcmp(s->pop_kind, "grid") && !s->pop_count_field) {
        st = emscov_fail(ctx, EMS_EINPUT, "%s: [population] count_field is required for kind = %s", path,
                         s->pop_kind);
        goto done;
    }
done:
    config_destroy(c);
    if (st != EMS_OK) {
        scenario_destroy(s);
        return st;
    }
    *out = s;
    return EMS_OK;
}

void scenario_destroy(scenario *s)
{
    if (!s)
        return;
    free(s->path);
    free(s->name);
    free(s->lang);
    standards_destroy(s->std);
    free(s->speed_path);
    free(s->period);
    for (size_t k = 0; k < s->nperiods; k++)
        free(s->periods[k]);
    free(s->turn_table);
    scenario_source *srcs[] = {&s->streets, &s->stations, &s->population, &s->roads, &s->parks, &s->residential,
                               &s->pop_target, &s->calls};
    for (size_t k = 0; k < sizeof srcs / sizeof *srcs; k++)
        source_fini(srcs[k]);
    free(s->calls_weight_field);
    free(s->calls_time_field);
    free(s->street_name_field);
    free(s->street_code_field);
    free(s->district_field);
    free(s->station_id_field);
    free(s->station_name_field);
    free(s->ambulances_field);
    free(s->turnout_field);
    free(s->pop_kind);
    free(s->pop_count_field);
    free(s->pop_levels_field);
    for (int k = 0; k < 5; k++)
        free(s->road_strings[k]);
    free(s->park_rules);
    free(s->conninfo);
    free(s);
}

ems_status scenario_set_conninfo(emscov_ctx *ctx, scenario *s, const char *conninfo)
{
    char *copy = ems_strdup(ctx, conninfo);
    if (!copy)
        return EMS_ENOMEM;
    free(s->conninfo);
    s->conninfo = copy;
    scenario_source *src[] = {&s->streets, &s->stations,    &s->population, &s->roads,
                              &s->parks,   &s->residential, &s->pop_target, &s->calls};
    for (size_t k = 0; k < sizeof src / sizeof *src; k++)
        src[k]->opts.conninfo = copy;
    return EMS_OK;
}

/* The source's `where` filter; a filter that keeps nothing is an error (a misspelt value, most likely). */
static ems_status filter_source(emscov_ctx *ctx, const scenario_source *src, layer *l)
{
    size_t kept = 0, before = layer_count(l);
    ems_status st = layer_filter(ctx, l, src->where, &kept);
    if (st == EMS_OK && kept == 0)
        st = emscov_fail(ctx, EMS_EINPUT, "%s: [%s] where = %s: none of the %zu features matches", src->path,
                         src->section, src->where, before);
    return st;
}

static ems_status read_into(emscov_ctx *ctx, const scenario_source *src, const crs *working, layer **out)
{
    *out = NULL;
    if (!src->path)
        return EMS_OK;
    ems_status st = layer_read(ctx, src->path, &src->opts, out);
    if (st == EMS_OK && src->where)
        st = filter_source(ctx, src, *out);
    if (st == EMS_OK && working)
        st = layer_transform(ctx, *out, working);
    if (st != EMS_OK) {
        layer_destroy(*out);
        *out = NULL;
    }
    return st;
}

/* The road network is read and built on a thread of its own, with its own ctx (GEOS and PROJ handles are
 * per thread), while the other layers are read: the two largest inputs overlap. Its warnings are kept and
 * replayed into the run's ctx in order after the join, and an error is copied over. */
typedef struct roads_job {
    const scenario *s;
    emscov_ctx *ctx;
    const speed_profile *sp;
    crs *working; /* cloned into ctx */
    network *net;
    ems_status st;
    char **warn;
    size_t nwarn, cap;
    bool oom;
} roads_job;

static void keep_warning(void *user, const char *message)
{
    roads_job *j = user;
    char *m = strdup(message);
    if (!m || !ems_grow(j->ctx, (void **)&j->warn, &j->cap, j->nwarn + 1, sizeof *j->warn)) {
        free(m);
        j->oom = true;
        return;
    }
    j->warn[j->nwarn++] = m;
}

static void *load_roads(void *arg)
{
    roads_job *j = arg;
    network_build_opts o = {.source = j->s->roads.path, .length = j->s->length, .rules = j->s->road_rules};
    j->st = network_load(j->ctx, j->s->roads.path, &j->s->roads.opts, &j->s->road_fields, j->sp, j->working, &o,
                         &j->net);
    return NULL;
}

/* Hand the thread's network (or its error) and warnings over to ctx; st is the main thread's status so far. */
static ems_status roads_finish(emscov_ctx *ctx, roads_job *j, ems_status st, network **out)
{
    for (size_t k = 0; k < j->nwarn; k++) {
        emscov_warn(ctx, "%s", j->warn[k]);
        free(j->warn[k]);
    }
    free(j->warn);
    if (st == EMS_OK && j->oom)
        st = emscov_fail(ctx, EMS_ENOMEM, "out of memory");
    if (st == EMS_OK && j->st != EMS_OK)
        st = emscov_fail(ctx, j->st, "%s", emscov_message(j->ctx));
    if (st == EMS_OK && (st = network_adopt(ctx, j->net)) == EMS_OK) {
        *out = j->net;
        j->net = NULL;
    }
    network_destroy(j->net);
    crs_destroy(j->working);
    emscov_ctx_destroy(j->ctx);
    return st;
}

ems_status scenario_load_inputs(emscov_ctx *ctx, const scenario *s, scenario_inputs *in)
{
    return scenario_load_inputs_with(ctx, s, in, NULL, NULL);
}

ems_status scenario_load_inputs_with(emscov_ctx *ctx, const scenario *s, scenario_inputs *in,
                                     scenario_meanwhile_fn meanwhile, void *user)
{
    memset(in, 0, sizeof *in);
    ems_status st = layer_read(ctx, s->streets.path, &s->streets.opts, &in->streets);
    if (st == EMS_OK && s->streets.where)
        st = filter_source(ctx, &s->streets, in->streets);
    if (st == EMS_OK) {
        if (s->working_epsg)
            st = crs_from_epsg(ctx, s->working_epsg, &in->working);
        else
            st = layer_choose_working_crs(ctx, &in->streets, 1, &in->working);
    }
    if (st == EMS_OK && !crs_is_projected_metric(in->working))
        st = emscov_fail(ctx, EMS_EINPUT, "%s: working_epsg %d (%s) is not a projected CRS in metres", s->path,
                         s->working_epsg, crs_name(in->working));
    if (st == EMS_OK && s->working_epsg) {
        char given[1200];
        snprintf(given, sizeof given, "%s: working_epsg %d", s->path, s->working_epsg);
        st = layer_warn_far_crs(ctx, &in->streets, 1, in->working, given);
    }
    if (st == EMS_OK)
        st = layer_transform(ctx, in->streets, in->working);
    if (st == EMS_OK && (st = speed_profile_load(ctx, s->speed_path, &in->speed)) == EMS_OK)
        st = speed_profile_set_period(ctx, in->speed, s->period);
    for (size_t k = 0; st == EMS_OK && k < s->nperiods; k++) {
        size_t idx;
        if (speed_profile_period_index(ctx, in->speed, s->periods[k], &idx) != EMS_OK) {
            char why[1024];
            snprintf(why, sizeof why, "%s", emscov_message(ctx));
            st = emscov_fail(ctx, EMS_EINPUT, "%s: [scenario] periods: %s", s->path, why);
        }
    }
    if (st == EMS_OK && s->std->service.walk != speed_profile_walking(in->speed))
        st = emscov_fail(ctx, EMS_EINPUT,
                         "%s: the service %s (%s) is %s, but the speed profile %s %s (set [service] mode or "
                         "[profile] mode to match, or name another speed_profile)",
                         s->path, s->std->service.name_en, s->std->path,
                         s->std->service.walk ? "reached on foot" : "driven to", s->speed_path,
                         speed_profile_walking(in->speed) ? "walks" : "drives");
    if (st != EMS_OK) {
        scenario_inputs_fini(in);
        return st;
    }

    roads_job job = {.s = s, .sp = in->speed, .ctx = emscov_ctx_create_child(ctx)};
    pthread_t th;
    bool threaded = false;
    if (!job.ctx) {
        scenario_inputs_fini(in);
        return emscov_fail(ctx, EMS_ENOMEM, "out of memory");
    }
    emscov_set_warn(job.ctx, keep_warning, &job);
    job.st = crs_clone(job.ctx, in->working, &job.working);
    if (job.st == EMS_OK && parallel_threads() > 1)
        threaded = pthread_create(&th, NULL, load_roads, &job) == 0;

    st = read_into(ctx, &s->stations, in->working, &in->stations);
    if (st == EMS_OK)
        st = read_into(ctx, &s->parks, in->working, &in->parks);
    if (st == EMS_OK)
        st = read_into(ctx, &s->residential, in->working, &in->residential);
    if (st == EMS_OK && strcmp(s->pop_kind, "grid"))
        st = read_into(ctx, &s->population, in->working, &in->pop_layer);
    if (st == EMS_OK)
        st = read_into(ctx, &s->pop_target, in->working, &in->pop_target);
    if (st == EMS_OK)
        st = read_into(ctx, &s->calls, in->working, &in->calls);
    if (st == EMS_OK && meanwhile)
        st = meanwhile(ctx, in, user);

    if (threaded)
        pthread_join(th, NULL);
    else if (job.st == EMS_OK && st == EMS_OK)
        load_roads(&job);
    st = roads_finish(ctx, &job, st, &in->roads);
    if (st != EMS_OK)
        scenario_inputs_fini(in);
    return st;
}

void scenario_inputs_fini(scenario_inputs *in)
{
    layer_destroy(in->streets);
    layer_destroy(in->stations);
    layer_destroy(in->parks);
    layer_destroy(in->residential);
    layer_destroy(in->pop_layer);
    layer_destroy(in->pop_target);
    layer_destroy(in->calls);
    speed_profile_destroy(in->speed);
    network_destroy(in->roads);
    crs_destroy(in->working);
    memset(in, 0, sizeof *in);
}

ems_status scenario_field(emscov_ctx *ctx, const layer *l, const char *name, const char *key, int *j)
{
    char what[128];
    snprintf(what, sizeof what, "scenario key %s", key);
    return layer_require_field(ctx, l, name, what, j);
}
