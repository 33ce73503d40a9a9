/* src/analysis/standards.h: the planning targets a run is checked against, read from a standards file
 * (data/standards/<name>.ini, e.g. beijing-2022, health-15min): the service it is about ([service]: its words,
 * travel mode, speed profile, whether it has vehicles), mean response time, coverage time and share, facilities
 * per sub-district, residents per ambulance, call satisfaction, and the park rule set with its target share.
 * In a file with a [service] section a target it leaves out does not apply (NaN); without one, the file is about
 * pre-hospital emergency care and absent targets take the Beijing defaults.
 * Each target section may cite its source document and clause in a `source` key, kept in source_<section>
 * (NULL when the file gives none) so reports can quote where a target comes from.
 * Ownership: standards_load returns a new object owned by the caller (standards_destroy, NULL-safe); its
 * strings belong to it.
 * Units: seconds (converted from the file's minutes), residents, shares 0..1. */
#ifndef EMSCOV_STANDARDS_H
#define EMSCOV_STANDARDS_H

#include "geo/ctx.h"

/* The service a standards file is about (its [service] section; without one: pre-hospital emergency care, the
 * file's original subject). The words are what reports print; mode and vehicles decide which figures apply. */
typedef struct standards_service {
    char *key;                       /* "ems", "health_circle", "fitness_circle", "aed" (report.json) */
    char *name_zh, *name_en;         /* 院前医疗急救 / pre-hospital emergency care */
    char *facility_zh;               /* 急救站 */
    char *facility_en, *facilities_en; /* station / stations */
    bool walk;                       /* reached on foot (mode = walk), else driven */
    char *speed_profile;             /* the profile a scenario uses when it names none (name or path) */
    bool vehicles;                   /* the service has vehicles: the per-population vehicle rule applies */
    char *source;                    /* the document the service and its targets come from; NULL: none */
    bool declared;                   /* the file has a [service] section */
} standards_service;

typedef struct standards {
    char *name, *title, *path;
    standards_service service;
    /* A target whose section a [service] file leaves out does not apply (NaN / 0): */
    double mean_below_s;        /* the mean response time must be below this; NaN: no such target */
    double coverage_share_min;  /* share of residents within coverage_within_s; NaN: no such target */
    double coverage_within_s;   /* coverage = population reached within this */
    double min_stations;        /* per sub-district; NaN: no such target */
    double residents_per_ambulance;
    double satisfaction_min;    /* share */
    char *park_rules;           /* path of the park rule set */
    double park_target_share;   /* share of residential land the plan asks for; NaN when the file sets none (the
                                   rule set's own target applies) */
    /* [section] source: the document and clause each target is taken from; NULL when not given */
    char *source_response, *source_stations, *source_ambulances, *source_calls, *source_parks;
} standards;

/* name_or_path: a path to an .ini, or a name looked up as <data_dir>/standards/<name>.ini. */
ems_status standards_load(emscov_ctx *ctx, const char *name_or_path, const char *data_dir, standards **out);
void standards_destroy(standards *s);
/* Resolve a name or path of a data file: an existing path is returned as is, else <data_dir>/<sub>/<name>.ini.
 * New string (free). */
char *standards_data_path(const char *name_or_path, const char *data_dir, const char *sub);

#endif
