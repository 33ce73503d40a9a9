/* src/output/i18n.h: the language of what emscov shows people -- console summaries, map titles and legends,
 * report documents, CSV headers when asked -- through GNU gettext: text marked _("...") in src/output and
 * src/cli is looked up in the domain "emscov" (catalogue po/zh_CN.po, built into <localedir>/zh_CN/LC_MESSAGES/
 * emscov.mo). English is the source language. Machine interfaces never pass through here: JSON keys, PostGIS
 * columns, exit codes, CSV headers by default and error messages stay as they are.
 *
 * The result model's own texts (target indicators, target texts, notes, ledger reasons: src/analysis) are
 * English data, also in report.json; i18n_target_* and i18n_reason give them in the current language from
 * their keys and numbers, so a report rendered later from report.json says the same as the console did.
 *
 * The current language is process state, as gettext's own (the LANGUAGE variable of the environment, which
 * i18n_use sets, and the LC_MESSAGES locale, which i18n_setup sets to the user's or to C.UTF-8): choose it
 * from one thread while no other thread translates. Nothing here allocates; returned texts are static or
 * the catalogue's (valid for the life of the process). */
#ifndef EMSCOV_I18N_H
#define EMSCOV_I18N_H

#include "src/analysis/ledger.h"
#include "src/analysis/result.h"

#include <stdio.h>

#define EMSCOV_TEXTDOMAIN "emscov"

typedef enum { I18N_EN, I18N_ZH } i18n_lang;

/* _("text"): text in the current language. N_("text"): marks a text for the catalogue without translating
 * it here (it is translated where shown). NC_("context", "text"): the same for a text with a context
 * (translated by i18n_pgettext). */
#define _(s) i18n_gettext(s)
#define N_(s) s
#define NC_(c, s) s

#if defined(__GNUC__)
#define I18N_FORMAT_ARG(n) __attribute__((format_arg(n)))
#else
#define I18N_FORMAT_ARG(n)
#endif
/* The translation keeps the msgid's printf directives (msgfmt --check), so the compiler checks the
 * arguments of _("... %s ...") against the msgid. */
const char *i18n_gettext(const char *msgid) I18N_FORMAT_ARG(1);
/* The translation of msgid in context (msgctxt) ctxt; msgid itself when there is none. */
const char *i18n_pgettext(const char *ctxt, const char *msgid) I18N_FORMAT_ARG(2);

/* "zh", "zh_CN", "zh-CN", "zh_CN.UTF-8", "zh_TW" ... -> I18N_ZH; "en", "en_US...", "C", "POSIX" -> I18N_EN;
 * false for anything else. */
bool i18n_lang_parse(const char *s, i18n_lang *out);
const char *i18n_lang_code(i18n_lang l); /* "zh", "en" */
/* The user's language from the environment, as the C library reads the message locale: LC_ALL, else
 * LC_MESSAGES, else LANG (the first one set and not empty); Chinese when it starts with "zh", else English. */
i18n_lang i18n_lang_from_env(void);

/* Set the process up for translation once, at start: the LC_MESSAGES locale from the environment (C.UTF-8
 * when that is "C" or not installed: gettext translates nothing under "C"; LC_NUMERIC and the others are left
 * alone, so numbers in files keep their '.'), and the catalogue bound from the first directory of dirs
 * (NULL entries skipped) that holds zh_CN/LC_MESSAGES/emscov.mo. Returns that directory, or NULL when none
 * has it (everything stays English). */
const char *i18n_setup(const char *const *dirs, size_t n);
/* Make lang the current language; returns the one before. */
i18n_lang i18n_use(i18n_lang lang);
i18n_lang i18n_current(void);
/* Whether Chinese texts can be shown: a catalogue is bound and translates (false: Chinese falls back to
 * English). */
bool i18n_have_catalogue(void);

/* Terminal columns of UTF-8 text: East Asian wide and fullwidth characters count two, others one. */
int i18n_width(const char *s);
/* s, then spaces up to width columns (nothing when s is wider). */
void i18n_fpad(FILE *f, const char *s, int width);

/* ---- the result model's texts, in the current language, from keys and numbers ---- */

/* "PASS", "FAIL", "n/a" (达标, 未达标, 不适用) */
const char *i18n_verdict(result_verdict v);
/* From the verdict key of report.json ("pass", "fail", "n/a"); RESULT_NA for anything else. */
result_verdict i18n_verdict_parse(const char *key);
/* A ledger reason as people read it; and from its key (NULL for an unknown key). */
const char *i18n_reason(ledger_reason r);
bool i18n_reason_parse(const char *key, ledger_reason *out);
/* The role of an input layer ("streets" -> "sub-districts" / 街道（乡镇）...); the role itself when unknown. */
const char *i18n_role(const char *role);
/* The unit of a ledger layer's records ("records", "cells", "roads"). */
const char *i18n_record_unit(const char *unit);

/* The numbers a target's texts depend on (the standard's, and the park figures of the run). */
typedef struct i18n_target_ctx {
    double min_stations;            /* stations required per sub-district */
    double residents_per_ambulance; /* N of "one ambulance per N residents" */
    bool parks_present, residential;
    double park_pop_share;          /* 0..1, NaN unknown */
    bool park_strict;               /* the park share must exceed the target (">"), not reach it */
    const char *park_clause;        /* the document and clause the park target is quoted from, or NULL */
    double coverage_min;            /* the coverage time of the coverage-share target, minutes */
    /* The service's facility noun in the current language (singular, plural), NULL for the ambulance
     * station: the stations target then keeps its own words. i18n_service_facility picks them. */
    const char *facility, *facilities;
} i18n_target_ctx;

/* The facility noun of a run's service in the current language: zh facility_zh for both, en facility_en /
 * facilities_en; both NULL for the ambulance service ("ems") or a result without a service. */
void i18n_service_facility(const run_result *r, const char **one, const char **many);

/* The indicator of the target with this key (report.json targets[].key), e.g. "mean response time
 * (population-weighted)"; "" for an unknown key. */
void i18n_target_indicator(char *buf, size_t cap, const char *key, const i18n_target_ctx *c);
/* The target as people read it: "< 12 min", ">= 1 station in every sub-district" (小于12分钟, ...). */
void i18n_target_text(char *buf, size_t cap, const char *key, double threshold, const i18n_target_ctx *c);
/* The unit of the value column ("min", "%", ...; "" when the value is a count or ratio). */
const char *i18n_target_unit(const char *key);
/* Why a target is not judged or how it was measured; note is report.json's (English) note, given back as is
 * when no translation fits. */
void i18n_target_note(char *buf, size_t cap, const char *key, const char *note, const i18n_target_ctx *c);
/* How the population became demand points (run_result.pop_method, report.json population.method). */
const char *i18n_pop_method(const char *method);
/* "30000 residents" / 3万人口: the N of the ambulance standard. */
void i18n_residents(char *buf, size_t cap, double n);

#endif
