/* src/output/i18n.c: the language of what people read (see i18n.h): GNU gettext, and the result model's
 * texts from their keys. */
#include "src/output/i18n.h"

#include <libintl.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* GNU gettext's documented way to make a new LANGUAGE known to the message cache ("Changing the language
 * at runtime" in its manual); glibc defines it. */
extern int _nl_msg_cat_cntr;

const char *i18n_gettext(const char *msgid)
{
    return dgettext(EMSCOV_TEXTDOMAIN, msgid);
}

const char *i18n_pgettext(const char *ctxt, const char *msgid)
{
    char key[512];
    int n = snprintf(key, sizeof key, "%s\004%s", ctxt, msgid);
    if (n < 0 || (size_t)n >= sizeof key)
        return msgid;
    const char *t = dgettext(EMSCOV_TEXTDOMAIN, key);
    return t == key ? msgid : t;
}

static bool starts_with(const char *s, const char *p)
{
    return !strncmp(s, p, strlen(p));
}

bool i18n_lang_parse(const char *s, i18n_lang *out)
{
    if (!s)
        return false;
    if (starts_with(s, "zh") && (s[2] == '\0' || s[2] == '_' || s[2] == '-' || s[2] == '.')) {
        *out = I18N_ZH;
        return true;
    }
    if ((starts_with(s, "en") && (s[2] == '\0' || s[2] == '_' || s[2] == '-' || s[2] == '.')) || !strcmp(s, "C") ||
        !strcmp(s, "POSIX") || starts_with(s, "C.")) {
        *out = I18N_EN;
        return true;
    }
    return false;
}

const char *i18n_lang_code(i18n_lang l)
{
    return l == I18N_ZH ? "zh" : "en";
}

i18n_lang i18n_lang_from_env(void)
{
    static const char *const vars[] = {"LC_ALL", "LC_MESSAGES", "LANG"};
    for (size_t k = 0; k < 3; k++) {
        const char *v = getenv(vars[k]);
        if (v && *v)
            return starts_with(v, "zh") ? I18N_ZH : I18N_EN;
    }
    return I18N_EN;
}

const char *i18n_setup(const char *const *dirs, size_t n)
{
    const char *loc = setlocale(LC_MESSAGES, "");
    if (!loc || !strcmp(loc, "C") || !strcmp(loc, "POSIX"))
        setlocale(LC_MESSAGES, "C.UTF-8");
    /* glibc's own messages (strerror: "没有那个文件或目录") are translated too; without this they are converted
     * to LC_CTYPE's codeset, which is ASCII in the C locale: every Chinese character became '?' */
    bind_textdomain_codeset("libc", "UTF-8");
    for (size_t k = 0; k < n; k++) {
        if (!dirs[k] || !*dirs[k])
            continue;
        char mo[4200];
        snprintf(mo, sizeof mo, "%s/zh_CN/LC_MESSAGES/%s.mo", dirs[k], EMSCOV_TEXTDOMAIN);
        if (access(mo, R_OK) != 0)
            continue;
        bindtextdomain(EMSCOV_TEXTDOMAIN, dirs[k]);
        bind_textdomain_codeset(EMSCOV_TEXTDOMAIN, "UTF-8");
        return dirs[k];
    }
    return NULL;
}

i18n_lang i18n_current(void)
{
    const char *v = getenv("LANGUAGE");
    return v && starts_with(v, "zh") ? I18N_ZH : I18N_EN;
}

i18n_lang i18n_use(i18n_lang lang)
{
    i18n_lang before = i18n_current();
    const char *want = lang == I18N_ZH ? "zh_CN" : "en";
    const char *now = getenv("LANGUAGE");
    if (!now || strcmp(now, want) != 0) {
        setenv("LANGUAGE", want, 1);
        ++_nl_msg_cat_cntr;
    }
    return before;
}

bool i18n_have_catalogue(void)
{
    i18n_lang before = i18n_use(I18N_ZH);
    bool have = strcmp(_("PASS"), "PASS") != 0;
    i18n_use(before);
    return have;
}

/* ---- widths ---------------------------------------------------------------------------------------------- */

static bool wide(unsigned c)
{
    return (c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0x303E) || (c >= 0x3041 && c <= 0x33FF) ||
           (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xA000 && c <= 0xA4CF) ||
           (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFE30 && c <= 0xFE4F) ||
           (c >= 0xFF00 && c <= 0xFF60) || (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x20000 && c <= 0x3FFFD);
}

int i18n_width(const char *s)
{
    int cols = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned c = *p;
        int len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
        if (len > 1) {
            c &= 0x3Fu >> (len - 1);
            for (int k = 1; k < len; k++) {
                if ((p[k] & 0xC0) != 0x80) {
                    len = k;
                    break;
                }
                c = (c << 6) | (p[k] & 0x3Fu);
            }
        }
        cols += wide(c) ? 2 : 1;
        p += len;
    }
    return cols;
}

void i18n_fpad(FILE *f, const char *s, int width)
{
    fputs(s, f);
    for (int cols = i18n_width(s); cols < width; cols++)
        fputc(' ', f);
}

/* ---- the model's texts ---------------------------------------------------------------------------------- */

const char *i18n_verdict(result_verdict v)
{
    return v == RESULT_PASS ? _("PASS") : v == RESULT_FAIL ? _("FAIL") : _("n/a");
}

result_verdict i18n_verdict_parse(const char *key)
{
    return key && !strcmp(key, "pass") ? RESULT_PASS : key && !strcmp(key, "fail") ? RESULT_FAIL : RESULT_NA;
}

const char *i18n_reason(ledger_reason r)
{
    return _(ledger_reason_text(r));
}

bool i18n_reason_parse(const char *key, ledger_reason *out)
{
    for (int k = 0; key && k < LEDGER_NREASONS; k++)
        if (!strcmp(ledger_reason_key((ledger_reason)k), key)) {
            *out = (ledger_reason)k;
            return true;
        }
    return false;
}

const char *i18n_role(const char *role)
{
    static const char *const roles[] = {NC_("role", "streets"), NC_("role", "stations"),
                                        NC_("role", "population"), NC_("role", "roads"),
                                        NC_("role", "parks"), NC_("role", "residential"),
                                        NC_("role", "population target"), NC_("role", "population_target"),
                                        NC_("role", "scenario"), NC_("role", "speed_profile"), NC_("role", "standards"),
                                        NC_("role", "park_rules")};
    (void)roles; /* the list is for the catalogue: every role has a translation */
    return i18n_pgettext("role", role);
}

const char *i18n_record_unit(const char *unit)
{
    static const char *const units[] = {NC_("unit", "records"), NC_("unit", "cells"), NC_("unit", "roads"),
                                        NC_("unit", "ways")};
    (void)units;
    return i18n_pgettext("unit", unit);
}

void i18n_residents(char *buf, size_t cap, double n)
{
    if (i18n_current() == I18N_ZH && n >= 10000 && fmod(n, 10000) == 0)
        /* TRANSLATORS: only the Chinese form is shown: N x 10,000 residents, e.g. 3万人口 */
        snprintf(buf, cap, _("%g x 10,000 residents"), n / 10000);
    else
        snprintf(buf, cap, _("%.0f residents"), n);
}

void i18n_target_indicator(char *buf, size_t cap, const char *key, const i18n_target_ctx *c)
{
    char n[64];
    buf[0] = '\0';
    if (!strcmp(key, "mean_response_time")) {
        snprintf(buf, cap, "%s", _("mean response time (population-weighted)"));
    } else if (!strcmp(key, "stations_per_subdistrict") && c->facility) {
        if (c->min_stations == 1)
            /* TRANSLATORS: %s is the service's facility noun, e.g. 社区卫生服务中心 / community health centre */
            snprintf(buf, cap, _("sub-districts without a %s (gaps)"), c->facility);
        else
            snprintf(buf, cap, _("sub-districts with fewer than %g %s (gaps)"), c->min_stations, c->facilities);
    } else if (!strcmp(key, "coverage_share")) {
        /* TRANSLATORS: residents within 15 min of a community health centre */
        snprintf(buf, cap, _("residents within %g min of a %s"), c->coverage_min,
                 c->facility ? c->facility : _("station"));
    } else if (!strcmp(key, "stations_per_subdistrict")) {
        if (c->min_stations == 1)
            snprintf(buf, cap, "%s", _("sub-districts without a station (gaps)"));
        else
            snprintf(buf, cap, _("sub-districts with fewer than %g stations (gaps)"), c->min_stations);
    } else if (!strcmp(key, "ambulances_per_residents")) {
        i18n_residents(n, sizeof n, c->residents_per_ambulance);
        snprintf(buf, cap, _("ambulances per %s (city)"), n);
    } else if (!strcmp(key, "park_coverage")) {
        snprintf(buf, cap, "%s", _("park service-radius coverage of residential land"));
    } else if (!strcmp(key, "call_satisfaction")) {
        snprintf(buf, cap, "%s", _("call satisfaction (calls finding a free ambulance)"));
    }
}

void i18n_target_text(char *buf, size_t cap, const char *key, double threshold, const i18n_target_ctx *c)
{
    char n[64];
    buf[0] = '\0';
    if (!strcmp(key, "mean_response_time")) {
        snprintf(buf, cap, _("< %g min"), threshold);
    } else if (!strcmp(key, "stations_per_subdistrict") && c->facility) {
        if (c->min_stations == 1)
            snprintf(buf, cap, _(">= 1 %s in every sub-district"), c->facility);
        else
            snprintf(buf, cap, _(">= %g %s in every sub-district"), c->min_stations, c->facilities);
    } else if (!strcmp(key, "coverage_share")) {
        snprintf(buf, cap, _(">= %g %%"), threshold);
    } else if (!strcmp(key, "stations_per_subdistrict")) {
        if (c->min_stations == 1)
            snprintf(buf, cap, "%s", _(">= 1 station in every sub-district"));
        else
            snprintf(buf, cap, _(">= %g stations in every sub-district"), c->min_stations);
    } else if (!strcmp(key, "ambulances_per_residents")) {
        i18n_residents(n, sizeof n, c->residents_per_ambulance);
        snprintf(buf, cap, _(">= 1 per %s"), n);
    } else if (!strcmp(key, "park_coverage") && c->park_strict) {
        snprintf(n, sizeof n, _("> %g %%"), threshold);
    } else if (!strcmp(key, "park_coverage") || !strcmp(key, "call_satisfaction")) {
        snprintf(n, sizeof n, _(">= %g %%"), threshold);
    }
    if (!strcmp(key, "park_coverage") && c->park_clause && *c->park_clause)
        /* TRANSLATORS: a target and the document clause it is quoted from: "> 80 % (GB 55014-2021 2.1.3)" */
        snprintf(buf, cap, _("%s (%s)"), n, c->park_clause);
    else if (!strcmp(key, "park_coverage") || !strcmp(key, "call_satisfaction"))
        snprintf(buf, cap, "%s", n);
}

void i18n_service_facility(const run_result *r, const char **one, const char **many)
{
    const result_service *sv = &r->service;
    *one = *many = NULL;
    if (!sv->key || !strcmp(sv->key, "ems")) return;
    bool zh = i18n_current() == I18N_ZH;
    *one = zh ? sv->facility_zh : sv->facility_en;
    *many = zh ? sv->facility_zh : sv->facilities_en;
}

const char *i18n_target_unit(const char *key)
{
    if (!strcmp(key, "mean_response_time"))
        return _("min");
    if (!strcmp(key, "park_coverage") || !strcmp(key, "call_satisfaction") || !strcmp(key, "coverage_share"))
        return "%";
    return "";
}

/* The model's fixed notes (src/analysis/result.c), for the catalogue: i18n_target_note translates them. */
static const char *const model_notes[] = {
    N_("over the population reached by road; unreachable people are counted apart"),
    N_("needs call volumes and job times: emscov sites --calls-per-day N --job-min M (MEXCLP estimate)")};

void i18n_target_note(char *buf, size_t cap, const char *key, const char *note, const i18n_target_ctx *c)
{
    if (!strcmp(key, "park_coverage") && !c->parks_present)
        snprintf(buf, cap, "%s", _("no [parks] layer in the scenario"));
    else if (!strcmp(key, "park_coverage") && !c->residential)
        snprintf(buf, cap, _("no [residential] layer: only the population share is known (%.1f %%)"),
                 100 * c->park_pop_share);
    else
        snprintf(buf, cap, "%s", note && *note ? _(note) : "");
    (void)model_notes;
}

const char *i18n_pop_method(const char *method)
{
    /* src/analysis/analyze.c's texts, for the catalogue */
    static const char *const methods[] = {N_("grid cells (ESRI ASCII), one demand point per cell centre"),
                                          N_("grid cells (raster read by GDAL), one demand point per cell centre"),
                                          N_("points with counts"),
                                          N_("census polygons, dasymetric onto the target layer"),
                                          N_("census polygons, areal weighting")};
    (void)methods;
    return method && *method ? _(method) : "";
}
