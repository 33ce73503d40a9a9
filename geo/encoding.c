/* geo/encoding.c: text encodings to UTF-8 (see encoding.h). Names are normalised (case, spaces, '-', '_' and
 * '.' ignored; "cp", "windows", "ms", "ansi", "ibm" prefixes before a code page number ignored) and mapped to
 * a glibc iconv name; UTF-8 input is only validated (no iconv). Conversion is strict: an invalid or truncated
 * sequence is an error naming the 1-based byte where it starts. */
#include "geo/encoding.h"

#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct encoding_conv {
    const char *name; /* canonical, static */
    bool utf8;        /* validate only */
    iconv_t cd;
};

/* Code page numbers (Windows / IBM numbering, as written in .cpg files and DBF language drivers). */
typedef struct cp_entry {
    int number;
    const char *iconv_name;
} cp_entry;

static const cp_entry code_pages[] = {
    {65001, "UTF-8"},      {936, "GBK"},          {20936, "GBK"},         {54936, "GB18030"},
    {950, "BIG5"},         {932, "CP932"},        {949, "CP949"},         {874, "CP874"},
    {437, "CP437"},        {737, "CP737"},        {850, "CP850"},         {852, "CP852"},
    {857, "CP857"},        {860, "CP860"},        {861, "CP861"},         {863, "CP863"},
    {865, "CP865"},        {866, "CP866"},        {1250, "CP1250"},       {1251, "CP1251"},
    {1252, "CP1252"},      {1253, "CP1253"},      {1254, "CP1254"},       {1255, "CP1255"},
    {1256, "CP1256"},      {1257, "CP1257"},      {1258, "CP1258"},       {20127, "ASCII"},
    {10000, "MACINTOSH"},  {20866, "KOI8-R"},     {21866, "KOI8-U"},      {51949, "EUC-KR"},
    {51932, "EUC-JP"},     {28591, "ISO-8859-1"}, {28592, "ISO-8859-2"},  {28593, "ISO-8859-3"},
    {28594, "ISO-8859-4"}, {28595, "ISO-8859-5"}, {28596, "ISO-8859-6"},  {28597, "ISO-8859-7"},
    {28598, "ISO-8859-8"}, {28599, "ISO-8859-9"}, {28603, "ISO-8859-13"}, {28605, "ISO-8859-15"},
};

/* Names (normalised: lower case, no spaces, '-', '_' or '.'). */
typedef struct name_entry {
    const char *name;
    const char *iconv_name;
} name_entry;

static const name_entry names[] = {
    {"utf8", "UTF-8"},           {"unicode", "UTF-8"},     {"gbk", "GBK"},
    {"gb2312", "GBK"},           {"gb231280", "GBK"},      {"euccn", "GBK"},
    {"chinese", "GBK"},          {"gb18030", "GB18030"},   {"big5", "BIG5"},
    {"big5hkscs", "BIG5-HKSCS"}, {"latin1", "ISO-8859-1"}, {"l1", "ISO-8859-1"},
    {"latin2", "ISO-8859-2"},    {"l2", "ISO-8859-2"},     {"shiftjis", "SHIFT_JIS"},
    {"sjis", "SHIFT_JIS"},       {"windows31j", "CP932"},  {"mskanji", "CP932"},
    {"euckr", "CP949"},          {"uhc", "CP949"},         {"ksc56011987", "CP949"},
    {"eucjp", "EUC-JP"},         {"koi8r", "KOI8-R"},      {"koi8u", "KOI8-U"},
    {"ascii", "ASCII"},          {"usascii", "ASCII"},     {"macintosh", "MACINTOSH"},
    {"macroman", "MACINTOSH"},
};

/* ISO-8859-n by number n: ESRI writes "88591" .. "885915" in .cpg files. */
static const char *const iso8859[] = {
    NULL,          "ISO-8859-1",  "ISO-8859-2",  "ISO-8859-3",  "ISO-8859-4",  "ISO-8859-5", "ISO-8859-6",
    "ISO-8859-7",  "ISO-8859-8",  "ISO-8859-9",  "ISO-8859-10", "ISO-8859-11", NULL, /* there is no
                                                                                        ISO-8859-12 */
    "ISO-8859-13", "ISO-8859-14", "ISO-8859-15", "ISO-8859-16",
};

static const char *from_code_page(long n)
{
    for (size_t i = 0; i < sizeof code_pages / sizeof code_pages[0]; i++)
        if (code_pages[i].number == n) return code_pages[i].iconv_name;
    return NULL;
}

static bool all_digits(const char *s)
{
    if (!*s) return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9') return false;
    return true;
}

static const char *from_iso_suffix(const char *digits)
{
    /* digits after "8859": "1" .. "16" */
    if (!all_digits(digits) || strlen(digits) > 2) return NULL;
    long n = strtol(digits, NULL, 10);
    return n > 0 && n < (long)(sizeof iso8859 / sizeof iso8859[0]) ? iso8859[n] : NULL;
}

const char *encoding_canonical(const char *name)
{
    if (!name) return NULL;
    char norm[64];
    size_t n = 0;
    for (const char *p = name; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == ' ' || c == '-' || c == '_' || c == '.' || c == '\t' || c == '\r' || c == '\n') continue;
        if (n + 1 >= sizeof norm) return NULL;
        norm[n++] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
    norm[n] = '\0';
    if (n == 0) return NULL;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(norm, names[i].name)) return names[i].iconv_name;
    if (!strncmp(norm, "iso8859", 7)) return from_iso_suffix(norm + 7);
    if (!strncmp(norm, "8859", 4)) return from_iso_suffix(norm + 4);
    /* A code page number, bare or after a prefix: "936", "CP936", "MS936", "ANSI 936", "windows-1252". */
    static const char *const prefixes[] = {"",     "cp",  "windows", "win",     "ms",
                                           "ansi", "ibm", "oem",     "codepage"};
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
        size_t k = strlen(prefixes[i]);
        if (strncmp(norm, prefixes[i], k) || !all_digits(norm + k) || strlen(norm + k) > 6) continue;
        const char *digits = norm + k;
        if (k == 0 && !strncmp(digits, "8859", 4)) return from_iso_suffix(digits + 4);
        return from_code_page(strtol(digits, NULL, 10));
    }
    return NULL;
}

/* DBF language driver ids (byte 29 of the header) and their code pages. Source: the ESRI ArcPad 10 help page
 * "Setting the code page for shapefiles" (resources.arcgis.com/en/help/arcpad/10.0/app/00s1/
 * 00s10000003t000000.htm, table "Header / Code page"), which is the list ESRI's own readers use; the same
 * list is quoted at gis.stackexchange.com/questions/52623. 0x57 (87) is "ANSI", the writer's Windows code
 * page: shapelib's DBFCreate and ArcGIS write it by default; like GDAL we read it as Windows-1252. */
typedef struct ldid_entry {
    unsigned char ldid;
    short code_page;
} ldid_entry;

static const ldid_entry ldids[] = {
    {0x01, 437},  {0x02, 850},  {0x03, 1252}, {0x08, 865},  {0x09, 437}, {0x0A, 850},  {0x0B, 437},
    {0x0D, 437},  {0x0E, 850},  {0x0F, 437},  {0x10, 850},  {0x11, 437}, {0x12, 850},  {0x13, 932},
    {0x14, 850},  {0x15, 437},  {0x16, 850},  {0x17, 865},  {0x18, 437}, {0x19, 437},  {0x1A, 850},
    {0x1B, 437},  {0x1C, 863},  {0x1D, 850},  {0x1F, 852},  {0x22, 852}, {0x23, 852},  {0x24, 860},
    {0x25, 850},  {0x26, 866},  {0x37, 850},  {0x40, 852},  {0x4D, 936}, {0x4E, 949},  {0x4F, 950},
    {0x50, 874},  {0x57, 1252}, {0x58, 1252}, {0x59, 1252}, {0x64, 852}, {0x65, 866},  {0x66, 865},
    {0x67, 861},  {0x6A, 737},  {0x6B, 857},  {0x6C, 863},  {0x78, 950}, {0x79, 949},  {0x7A, 936},
    {0x7B, 932},  {0x7C, 874},  {0x86, 737},  {0x87, 852},  {0x88, 857}, {0xC8, 1250}, {0xC9, 1251},
    {0xCA, 1254}, {0xCB, 1253}, {0xCC, 1257},
};

int encoding_ldid_code_page(int ldid)
{
    for (size_t i = 0; i < sizeof ldids / sizeof ldids[0]; i++)
        if (ldids[i].ldid == ldid) return ldids[i].code_page;
    return 0;
}

const char *encoding_from_ldid(int ldid)
{
    int cp = encoding_ldid_code_page(ldid);
    return cp ? from_code_page(cp) : NULL;
}

/* Length of the well-formed UTF-8 sequence at s (1..4), or 0 when it is invalid or truncated. Rejects
 * overlong forms, surrogates and code points above U+10FFFF (RFC 3629). */
static size_t utf8_seq(const unsigned char *s, size_t avail)
{
    unsigned char c = s[0];
    if (c < 0x80) return 1;
    size_t n;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF)
        n = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else
        return 0;
    if (avail < n) return 0;
    if (s[1] < lo || s[1] > hi) return 0;
    for (size_t k = 2; k < n; k++)
        if (s[k] < 0x80 || s[k] > 0xBF) return 0;
    return n;
}

/* Offset of the first invalid byte, or len when all of s is valid UTF-8. */
static size_t utf8_invalid_at(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        size_t n = utf8_seq(u + i, len - i);
        if (n == 0) return i;
        i += n;
    }
    return len;
}

bool encoding_is_utf8(const char *s, size_t len)
{
    return utf8_invalid_at(s, len) == len;
}

ems_status encoding_open(emscov_ctx *ctx, const char *name, encoding_conv **out)
{
    *out = NULL;
    const char *canon = encoding_canonical(name);
    if (!canon)
        return emscov_fail(ctx, EMS_EINPUT,
                           "unknown encoding \"%s\" (known: UTF-8, GBK/936, GB18030, BIG5/950, "
                           "CP1252, ISO-8859-n and other code page numbers)",
                           name ? name : "");
    encoding_conv *c = ems_calloc(ctx, 1, sizeof *c);
    if (!c) return EMS_ENOMEM;
    c->name = canon;
    c->utf8 = !strcmp(canon, "UTF-8");
    c->cd = (iconv_t)-1;
    if (!c->utf8) {
        c->cd = iconv_open("UTF-8", canon);
        if (c->cd == (iconv_t)-1) {
            int e = errno;
            free(c);
            if (e == ENOMEM)
                return emscov_fail(ctx, EMS_ENOMEM, "out of memory opening the %s converter", canon);
            return emscov_fail(ctx, EMS_EINPUT,
                               "encoding \"%s\" (%s) is not supported by this system's iconv", name, canon);
        }
    }
    *out = c;
    return EMS_OK;
}

void encoding_close(encoding_conv *conv)
{
    if (!conv) return;
    if (conv->cd != (iconv_t)-1) iconv_close(conv->cd);
    free(conv);
}

const char *encoding_name(const encoding_conv *conv)
{
    return conv->name;
}

ems_status encoding_to_utf8(emscov_ctx *ctx, encoding_conv *conv, const char *in, size_t len, char **out)
{
    *out = NULL;
    if (conv->utf8) {
        size_t bad = utf8_invalid_at(in, len);
        if (bad < len) return emscov_fail(ctx, EMS_EINPUT, "not valid UTF-8 at byte %zu", bad + 1);
        *out = ems_strndup(ctx, in, len);
        return *out ? EMS_OK : EMS_ENOMEM;
    }
    /* No source encoding here needs more than 4 UTF-8 bytes per input byte (a single byte gives at most 3,
     * a GB18030 4-byte sequence at most 4); grow on E2BIG anyway. */
    if (len > (SIZE_MAX - 16) / 4)
        return emscov_fail(ctx, EMS_ENOMEM, "string too long to convert (%zu bytes)", len);
    size_t cap = len * 4 + 16;
    char *buf = ems_malloc(ctx, cap);
    if (!buf) return EMS_ENOMEM;
    iconv(conv->cd, NULL, NULL, NULL, NULL);
    char *src = (char *)in;
    size_t left = len;
    char *dst = buf;
    size_t room = cap - 1;
    while (left > 0) {
        size_t r = iconv(conv->cd, &src, &left, &dst, &room);
        if (r != (size_t)-1) break;
        if (errno == E2BIG) {
            size_t used = (size_t)(dst - buf);
            char *nb = ems_realloc(ctx, buf, cap * 2);
            if (!nb) {
                free(buf);
                return EMS_ENOMEM;
            }
            buf = nb;
            cap *= 2;
            dst = buf + used;
            room = cap - used - 1;
            continue;
        }
        size_t at = (size_t)(src - in) + 1;
        free(buf);
        if (errno == EINVAL)
            return emscov_fail(ctx, EMS_EINPUT, "not valid %s at byte %zu (truncated sequence at the end)",
                               conv->name, at);
        return emscov_fail(ctx, EMS_EINPUT, "not valid %s at byte %zu", conv->name, at);
    }
    /* Flush any shift state (stateless encodings write nothing). */
    if (iconv(conv->cd, NULL, NULL, &dst, &room) == (size_t)-1) {
        free(buf);
        return emscov_fail(ctx, EMS_EINPUT, "not valid %s at byte %zu (incomplete at the end)", conv->name,
                           len);
    }
    *dst = '\0';
    *out = buf;
    return EMS_OK;
}
