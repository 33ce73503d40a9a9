/* src/output/input_files.c: the files behind a run's inputs with their sizes and SHA-256 (see input_files.h). */
#include "src/output/input_files.h"

#include "geo/layer.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- SHA-256 (FIPS 180-4) ----------------------------------------------------------------------------- */

typedef struct sha256 {
    uint32_t h[8];
    uint64_t len;
    unsigned char buf[64];
    size_t nbuf;
} sha256;

static const uint32_t sha256_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

static uint32_t ror(uint32_t x, int n)
{
    return (x >> n) | (x << (32 - n));
}

static void sha256_block(sha256 *c, const unsigned char *p)
{
    uint32_t w[64], v[8];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 |
               p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    memcpy(v, c->h, sizeof v);
    for (int i = 0; i < 64; i++) {
        uint32_t t1 = v[7] + (ror(v[4], 6) ^ ror(v[4], 11) ^ ror(v[4], 25)) +
                      ((v[4] & v[5]) ^ (~v[4] & v[6])) + sha256_k[i] + w[i];
        uint32_t t2 =
            (ror(v[0], 2) ^ ror(v[0], 13) ^ ror(v[0], 22)) + ((v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]));
        memmove(v + 1, v, 7 * sizeof *v);
        v[4] += t1;
        v[0] = t1 + t2;
    }
    for (int i = 0; i < 8; i++)
        c->h[i] += v[i];
}

static void sha256_init(sha256 *c)
{
    static const uint32_t h0[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memcpy(c->h, h0, sizeof h0);
    c->len = 0;
    c->nbuf = 0;
}

static void sha256_add(sha256 *c, const unsigned char *p, size_t n)
{
    c->len += n;
    if (c->nbuf) {
        size_t take = 64 - c->nbuf < n ? 64 - c->nbuf : n;
        memcpy(c->buf + c->nbuf, p, take);
        c->nbuf += take;
        p += take;
        n -= take;
        if (c->nbuf < 64)
            return;
        sha256_block(c, c->buf);
        c->nbuf = 0;
    }
    for (; n >= 64; p += 64, n -= 64)
        sha256_block(c, p);
    memcpy(c->buf, p, n);
    c->nbuf = n;
}

static void sha256_hex(sha256 *c, char hex[65])
{
    uint64_t bits = c->len * 8;
    unsigned char pad[72] = {0x80};
    size_t npad = (c->nbuf < 56 ? 56 : 120) - c->nbuf;
    for (int i = 0; i < 8; i++)
        pad[npad + (size_t)i] = (unsigned char)(bits >> (56 - 8 * i));
    sha256_add(c, pad, npad + 8);
    for (int i = 0; i < 8; i++)
        snprintf(hex + 8 * i, 9, "%08" PRIx32, c->h[i]);
}

ems_status input_file_sha256(emscov_ctx *ctx, const char *path, char hex[65], uint64_t *bytes)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return emscov_fail(ctx, EMS_EIO, "%s: cannot read for its checksum: %s", path, strerror(errno));
    unsigned char *buf = ems_malloc(ctx, 1 << 20);
    if (!buf) {
        fclose(f);
        return EMS_ENOMEM;
    }
    sha256 c;
    sha256_init(&c);
    size_t got;
    while ((got = fread(buf, 1, 1 << 20, f)) > 0)
        sha256_add(&c, buf, got);
    bool bad = ferror(f);
    fclose(f);
    free(buf);
    if (bad)
        return emscov_fail(ctx, EMS_EIO, "%s: read error computing its checksum", path);
    *bytes = c.len;
    sha256_hex(&c, hex);
    return EMS_OK;
}

/* ---- a source's files --------------------------------------------------------------------------------- */

void input_files_free(input_files *fs)
{
    if (!fs)
        return;
    for (size_t k = 0; k < fs->n; k++) {
        free(fs->f[k].role);
        free(fs->f[k].source);
        free(fs->f[k].path);
    }
    free(fs->f);
    *fs = (input_files){0};
}

/* path made absolute from the working directory (a new string; NULL when out of memory). */
static char *absolute(emscov_ctx *ctx, const char *p)
{
    char cwd[4096];
    if (p[0] == '/' || !getcwd(cwd, sizeof cwd))
        return ems_strdup(ctx, p);
    if (p[0] == '.' && p[1] == '/')
        p += 2;
    size_t n = strlen(cwd) + strlen(p) + 2;
    char *a = ems_malloc(ctx, n);
    if (a)
        snprintf(a, n, "%s/%s", cwd, p);
    return a;
}

static ems_status add_one(emscov_ctx *ctx, input_files *fs, const char *role, const char *source, const char *p)
{
    if (!ems_grow(ctx, (void **)&fs->f, &fs->cap, fs->n + 1, sizeof *fs->f))
        return EMS_ENOMEM;
    input_file *f = &fs->f[fs->n];
    *f = (input_file){0};
    ems_status st = input_file_sha256(ctx, p, f->sha256, &f->bytes);
    if (st != EMS_OK)
        return st;
    f->role = ems_strdup(ctx, role);
    f->source = ems_strdup(ctx, source);
    f->path = absolute(ctx, p);
    fs->n++;
    return f->role && f->source && f->path ? EMS_OK : EMS_ENOMEM;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A directory source (a FileGDB): every regular file in it, by name. */
static ems_status add_dir(emscov_ctx *ctx, input_files *fs, const char *role, const char *source, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return emscov_fail(ctx, EMS_EIO, "%s: cannot list for its checksums: %s", dir, strerror(errno));
    char **names = NULL;
    size_t n = 0, cap = 0;
    ems_status st = EMS_OK;
    struct dirent *e;
    while (st == EMS_OK && (e = readdir(d)) != NULL) {
        struct stat sb;
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        char *p = ems_malloc(ctx, len);
        if (p)
            snprintf(p, len, "%s/%s", dir, e->d_name);
        if (!p || !ems_grow(ctx, (void **)&names, &cap, n + 1, sizeof *names)) {
            free(p);
            st = EMS_ENOMEM;
        } else if (stat(p, &sb) == 0 && S_ISREG(sb.st_mode)) {
            names[n++] = p;
        } else {
            free(p);
        }
    }
    closedir(d);
    if (n > 1)
        qsort(names, n, sizeof *names, by_name);
    for (size_t k = 0; k < n; k++) {
        if (st == EMS_OK)
            st = add_one(ctx, fs, role, source, names[k]);
        free(names[k]);
    }
    free(names);
    return st;
}

ems_status input_files_add(emscov_ctx *ctx, input_files *fs, const char *role, const char *source)
{
    if (!source || !strncmp(source, "pg:", 3))
        return EMS_OK;
    /* a "FILE:LAYER" source (x.gpkg:TABLE, city.gdb:streets) is its FILE, as layer_read reads it */
    char file[4200];
    snprintf(file, sizeof file, "%.*s", (int)layer_source_split(source, NULL), source);
    struct stat sb;
    if (stat(file, &sb) == 0 && S_ISDIR(sb.st_mode))
        return add_dir(ctx, fs, role, source, file);
    const char *dot = strrchr(file, '.'), *slash = strrchr(file, '/');
    if (dot && slash && dot < slash)
        dot = NULL;
    size_t stem = dot ? (size_t)(dot - file) : strlen(file);
    bool shp = dot && !strcasecmp(dot, ".shp"), upper = dot && dot[1] >= 'A' && dot[1] <= 'Z';
    static const char *const sib[] = {"", ".shx", ".dbf", ".prj", ".cpg"};
    ems_status st = EMS_OK;
    for (size_t k = 0; st == EMS_OK && k < 5; k++) {
        if (k > 0 && !shp && k < 3)
            continue; /* not a shapefile: the file and its .prj, .cpg */
        char p[4220];
        snprintf(p, sizeof p, "%.*s%s", (int)(k == 0 ? strlen(file) : stem), file, sib[k]);
        if (k > 0 && upper)
            for (char *q = p + stem; *q; q++)
                *q = (char)(*q >= 'a' && *q <= 'z' ? *q - 32 : *q);
        if (k > 0 && access(p, R_OK) != 0)
            continue;
        st = add_one(ctx, fs, role, source, p);
    }
    return st;
}
