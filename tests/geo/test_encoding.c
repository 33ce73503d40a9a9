/* tests/geo/test_encoding.c: encoding names, DBF language-driver ids, strict conversion to UTF-8.
 *
 * Expected bytes come from published code charts, not from the code under test: GB2312/GBK 东 B6AB, 城 B3C7,
 * 区 C7F8, 华 BBAA, 门 C3C5, 街 BDD6, 道 B5C0, 朝 B3AF, 阳 D1F4 (GB 2312-80 table); Big5 中 A4A4; GB18030
 * four-byte 81 30 81 30 = U+0080 (the first four-byte code); Windows-1252 E3 = U+00E3 ã, 80 = U+20AC €, 81
 * undefined; Shift-JIS 82A0 = あ; CP949 B0A1 = 가. UTF-8 forms are from the Unicode code points. */
#include "test_util.h"

#include <stdlib.h>
#include <string.h>

#include "geo/encoding.h"

static void test_canonical_names(void **state)
{
    (void)state;
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"utf8", "UTF-8"},
        {"UTF-8", "UTF-8"},
        {"65001", "UTF-8"},
        {"Utf_8", "UTF-8"},
        {"gbk", "GBK"},
        {"CP936", "GBK"},
        {"936", "GBK"},
        {"gb2312", "GBK"},
        {"EUC-CN", "GBK"},
        {"ms936", "GBK"},
        {"ANSI 936", "GBK"},
        {"gb18030", "GB18030"},
        {"54936", "GB18030"},
        {"big5", "BIG5"},
        {"950", "BIG5"},
        {"cp950", "BIG5"},
        {"1252", "CP1252"},
        {"ANSI 1252", "CP1252"},
        {"windows-1252", "CP1252"},
        {"88591", "ISO-8859-1"},
        {"latin1", "ISO-8859-1"},
        {"iso-8859-1", "ISO-8859-1"},
        {"ISO_8859-2", "ISO-8859-2"},
        {"88592", "ISO-8859-2"},
        {"437", "CP437"},
        {"850", "CP850"},
        {"932", "CP932"},
        {"shift_jis", "SHIFT_JIS"},
        {"949", "CP949"},
        {"euc-kr", "CP949"},
        {"1251", "CP1251"},
        {" GBK\r\n", "GBK"},
        {"885915", "ISO-8859-15"},
        {"iso-8859-11", "ISO-8859-11"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *got = encoding_canonical(cases[i].in);
        if (!got || strcmp(got, cases[i].want))
            fail_msg("encoding_canonical(\"%s\") = %s, want %s", cases[i].in, got ? got : "NULL",
                     cases[i].want);
    }
    assert_null(encoding_canonical("klingon"));
    assert_null(encoding_canonical(""));
    assert_null(encoding_canonical(NULL));
    assert_null(encoding_canonical("ANSI")); /* the writer's code page: unknowable */
    assert_null(encoding_canonical("99999"));
    assert_null(encoding_canonical("885912")); /* there is no ISO-8859-12 */
}

static void test_ldid(void **state)
{
    (void)state;
    /* ESRI ArcPad 10 "Setting the code page for shapefiles" table */
    static const struct {
        int ldid;
        const char *want;
        int cp;
    } cases[] = {
        {0x01, "CP437", 437}, {0x02, "CP850", 850}, {0x03, "CP1252", 1252}, {0x57, "CP1252", 1252},
        {0x4D, "GBK", 936},   {0x7A, "GBK", 936},   {0x4E, "CP949", 949},   {0x4F, "BIG5", 950},
        {0x78, "BIG5", 950},  {0x13, "CP932", 932}, {0x7B, "CP932", 932},   {0x64, "CP852", 852},
        {0x65, "CP866", 866}, {0x26, "CP866", 866}, {0xC8, "CP1250", 1250}, {0xC9, "CP1251", 1251},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *got = encoding_from_ldid(cases[i].ldid);
        if (!got || strcmp(got, cases[i].want))
            fail_msg("encoding_from_ldid(0x%02X) = %s, want %s", cases[i].ldid, got ? got : "NULL",
                     cases[i].want);
        assert_int_equal(encoding_ldid_code_page(cases[i].ldid), cases[i].cp);
    }
    assert_null(encoding_from_ldid(0));
    assert_null(encoding_from_ldid(0x99));
    assert_int_equal(encoding_ldid_code_page(0), 0);
}

static void test_is_utf8(void **state)
{
    (void)state;
    assert_true(encoding_is_utf8("", 0));
    assert_true(encoding_is_utf8("abc", 3));
    assert_true(encoding_is_utf8("\xe4\xb8\x9c\xe5\x9f\x8e\xe5\x8c\xba", 9)); /* 东城区 */
    assert_true(encoding_is_utf8("\xf0\x9f\x9a\x91", 4));                     /* U+1F691 ambulance */
    assert_false(encoding_is_utf8("\xc0\x80", 2));                            /* overlong NUL */
    assert_false(encoding_is_utf8("\xed\xa0\x80", 3));                        /* surrogate U+D800 */
    assert_false(encoding_is_utf8("\xf4\x90\x80\x80", 4));                    /* above U+10FFFF */
    assert_false(encoding_is_utf8("\xe4\xb8", 2));                            /* truncated */
    assert_false(encoding_is_utf8("\x80", 1));                                /* lone continuation */
    assert_false(encoding_is_utf8("a\xff", 2));
}

/* Convert with a fresh converter; returns the status, *out set on success. */
static ems_status convert(emscov_ctx *ctx, const char *enc, const char *in, size_t len, char **out)
{
    encoding_conv *c = NULL;
    *out = NULL;
    ems_status st = encoding_open(ctx, enc, &c);
    if (st != EMS_OK) return st;
    st = encoding_to_utf8(ctx, c, in, len, out);
    encoding_close(c);
    return st;
}

static void expect(emscov_ctx *ctx, const char *enc, const char *in, const char *want)
{
    char *out = NULL;
    assert_ok(ctx, convert(ctx, enc, in, strlen(in), &out));
    assert_string_equal(out, want);
    free(out);
}

static void test_gbk_to_utf8(void **state)
{
    emscov_ctx *ctx = *state;
    expect(ctx, "GBK", "\xb6\xab\xb3\xc7\xc7\xf8", "东城区");
    expect(ctx, "GBK", "\xb3\xaf\xd1\xf4\xc7\xf8", "朝阳区");
    expect(ctx, "GBK", "\xbd\xd6\xb5\xc0", "街道");
    expect(ctx, "936", "\xb6\xab\xb3\xc7\xc7\xf8\xb6\xab\xbb\xaa\xc3\xc5\xbd\xd6\xb5\xc0",
           "东城区东华门街道");
    expect(ctx, "GBK", "No.1 \xbd\xd6\xb5\xc0", "No.1 街道");
    expect(ctx, "GBK", "", "");
    encoding_conv *c = NULL;
    assert_ok(ctx, encoding_open(ctx, "cp936", &c));
    assert_string_equal(encoding_name(c), "GBK");
    /* a converter is reusable: state is reset between strings */
    for (int i = 0; i < 3; i++) {
        char *out = NULL;
        assert_ok(ctx, encoding_to_utf8(ctx, c, "\xbd\xd6", 2, &out));
        assert_string_equal(out, "街");
        free(out);
    }
    encoding_close(c);
}

static void test_gbk_invalid(void **state)
{
    emscov_ctx *ctx = *state;
    char *out = (char *)1;
    /* 0x81 is a lead byte; 0x20 cannot follow it */
    assert_status_msg(ctx, convert(ctx, "GBK", "\x81\x20", 2, &out), EMS_EINPUT, "not valid GBK at byte 1");
    assert_null(out);
    assert_status_msg(ctx, convert(ctx, "GBK", "ab\xff", 3, &out), EMS_EINPUT, "not valid GBK at byte 3");
    assert_status_msg(ctx, convert(ctx, "GBK", "\xff", 1, &out), EMS_EINPUT, "not valid GBK at byte 1");
    /* 东 then a lone lead byte: truncated at the end */
    assert_status_msg(ctx, convert(ctx, "GBK", "\xb6\xab\xb3", 3, &out), EMS_EINPUT,
                      "not valid GBK at byte 3");
    /* 0x81 0x7F: 0x7F is never a GBK trail byte */
    assert_status_msg(ctx, convert(ctx, "GBK", "x\x81\x7f", 3, &out), EMS_EINPUT, "not valid GBK at byte 2");
}

static void test_utf8_fast_path(void **state)
{
    emscov_ctx *ctx = *state;
    expect(ctx, "utf8", "东城区", "东城区");
    expect(ctx, "65001", "plain", "plain");
    char *out = NULL;
    assert_status_msg(ctx, convert(ctx, "UTF-8", "ab\xe4\xb8", 4, &out), EMS_EINPUT,
                      "not valid UTF-8 at byte 3");
    assert_status_msg(ctx, convert(ctx, "UTF-8", "\xb6\xab", 2, &out), EMS_EINPUT,
                      "not valid UTF-8 at byte 1");
    assert_null(out);
}

static void test_other_encodings(void **state)
{
    emscov_ctx *ctx = *state;
    expect(ctx, "1252", "S\xe3o Paulo \x80", "São Paulo €");
    expect(ctx, "88591", "S\xe3o", "São");
    expect(ctx, "gb18030", "\x81\x30\x81\x30", "\xc2\x80");
    expect(ctx, "gb18030", "\xb6\xab", "东");
    expect(ctx, "950", "\xa4\xa4", "中");
    expect(ctx, "932", "\x82\xa0", "あ");
    expect(ctx, "949", "\xb0\xa1", "가");
    char *out = NULL;
    /* 0x81 is undefined in Windows-1252 */
    assert_status_msg(ctx, convert(ctx, "CP1252", "a\x81", 2, &out), EMS_EINPUT,
                      "not valid CP1252 at byte 2");
}

static void test_open_unknown(void **state)
{
    emscov_ctx *ctx = *state;
    encoding_conv *c = (encoding_conv *)1;
    assert_status_msg(ctx, encoding_open(ctx, "klingon", &c), EMS_EINPUT, "unknown encoding \"klingon\"");
    assert_null(c);
    encoding_close(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_canonical_names), cmocka_unit_test(test_ldid),
        cmocka_unit_test(test_is_utf8),         cmocka_unit_test(test_gbk_to_utf8),
        cmocka_unit_test(test_gbk_invalid),     cmocka_unit_test(test_utf8_fast_path),
        cmocka_unit_test(test_other_encodings), cmocka_unit_test(test_open_unknown),
    };
    return cmocka_run_group_tests(tests, tu_ctx_setup, tu_ctx_teardown);
}
