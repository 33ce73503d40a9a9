/* geo/encoding.h: text encodings of attribute data (DBF code pages, GBK CSV exports) to UTF-8 via iconv.
 *
 * Names are normalised first (encoding_canonical): "936", "CP936", "GBK", "gb2312" -> "GBK"; "GB18030";
 * "UTF-8"/"65001"/"UTF8" -> "UTF-8"; "950"/"BIG5" -> "BIG5"; "1252"/"ANSI 1252" -> "CP1252"; "88591" ->
 * "ISO-8859-1"; and a few more (docs/formats.md lists them). DBF language-driver bytes (LDID) map through
 * encoding_from_ldid. Conversion is strict: a byte sequence that is not valid in the source encoding is an
 * error, never replaced or dropped.
 * Ownership: encoding_open returns a converter owned by the caller (encoding_close, NULL-safe); converted
 * strings are new heap strings owned by the caller (free). One converter per thread. */
#ifndef EMSCOV_GEO_ENCODING_H
#define EMSCOV_GEO_ENCODING_H

#include "geo/ctx.h"

typedef struct encoding_conv encoding_conv;

/* Canonical iconv name for a user, .cpg or code-page name, or NULL when the name is not known. */
EMS_API const char *encoding_canonical(const char *name);
/* Canonical name for a DBF language-driver id (byte 29 of the header), or NULL for 0 / unknown. */
EMS_API const char *encoding_from_ldid(int ldid);
/* Windows code page number of a DBF language-driver id (0x4D -> 936), or 0 for 0 / unknown. */
EMS_API int encoding_ldid_code_page(int ldid);
/* True when the bytes are well-formed UTF-8. */
EMS_API bool encoding_is_utf8(const char *s, size_t len);

/* A converter from `name` (any name encoding_canonical knows) to UTF-8. EMS_EINPUT for an unknown name. */
EMS_API ems_status encoding_open(emscov_ctx *ctx, const char *name, encoding_conv **out);
EMS_API void encoding_close(encoding_conv *conv);
EMS_API const char *encoding_name(const encoding_conv *conv);

/* Convert len bytes to a new NUL-terminated UTF-8 string. Invalid or truncated input -> EMS_EINPUT with a
 * message "not valid <ENC> at byte N", N 1-based (the caller prefixes file, record and field). */
EMS_API ems_status encoding_to_utf8(emscov_ctx *ctx, encoding_conv *conv, const char *in, size_t len,
                                    char **out);

#endif
