/* src/output/input_files.c: the files behind a run's inputs with their sizes and SHA-256 (see input_files.h). */
#include "src/output/input_files.h"

#include "geo/layer.h"

#include <dirent.h>
#include <openssl/evp.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- SHA-256 ------------------------------------------------------------------------------------------ */

/* OpenSSL's libcrypto (SHA extensions where the CPU has them: ~2 GB/s, a city's inputs in a fraction of a
 * second; libssl-dev comes with libpq-dev). */
ems_status input_file_sha256(emscov_ctx *ctx, const char *path, char hex[65], uint64_t *bytes)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return emscov_fail(ctx, EMS_EIO, "%s: cannot read for its checksum: %s", path, strerror(errno));
    unsigned char *buf = ems_malloc(ctx, 1 << 20);
    EVP_MD_CTX *md = buf ? EVP_MD_CTX_new() : NULL;
    if (!md) {
        free(buf);
        fclose(f);
        return buf ? emscov_fail(ctx, EMS_ENOMEM, "out of memory") : EMS_ENOMEM;
    }
    bool bad = EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1;
    uint64_t len = 0;
    size_t got;
    while (!bad && (got = fread(buf, 1, 1 << 20, f)) > 0) {
        bad = EVP_DigestUpdate(md, buf, got) != 1;
        len += got;
    }
    unsigned char dg[EVP_MAX_MD_SIZE];
    unsigned int dlen = 0;
    bool io = ferror(f);
    bad = bad || io || EVP_DigestFinal_ex(md, dg, &dlen) != 1 || dlen != 32;
    EVP_MD_CTX_free(md);
    fclose(f);
    free(buf);
    if (bad)
        return emscov_fail(ctx, EMS_EIO, "%s: %s computing its checksum", path, io ? "read error" : "OpenSSL failed");
    *bytes = len;
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", dg[i]);
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
