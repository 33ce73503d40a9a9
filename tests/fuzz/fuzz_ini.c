/* tests/fuzz/fuzz_ini.c: libFuzzer target for the INI files, each through its own loader: byte 0 picks
 * 0 config_load (geo/config.c, no schema), 1 speed_profile_load (geo/speed.c), 2 standards_load and
 * 3 park_rules_load (src/analysis), 4 scenario_load (src/analysis; its standards and speed profile come from
 * the source tree's data/). The rest of the input is the file, served through the I/O hook (fuzz_io.h).
 * Any status is fine; a crash, sanitizer report, leak or hang is a bug. */
#include "fuzz_io.h"
#include "geo/config.h"
#include "geo/speed.h"
#include "src/analysis/parks.h"
#include "src/analysis/scenario.h"
#include "src/analysis/standards.h"

#include <stdint.h>
#include <stdlib.h>

FUZZ_IO_SIMPLE_TARGET

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    const char *path = "/fuzz/in.ini";
    fuzz_io_put(path, data + 1, size - 1);
    switch (data[0] % 5) {
    case 0: {
        config *c = NULL;
        if ((config_load(ctx, path, &c) == EMS_OK) != (c != NULL)) abort();
        config_destroy(c);
        break;
    }
    case 1: {
        speed_profile *sp = NULL;
        if ((speed_profile_load(ctx, path, &sp) == EMS_OK) != (sp != NULL)) abort();
        speed_profile_destroy(sp);
        break;
    }
    case 2: {
        standards *s = NULL;
        if ((standards_load(ctx, path, EMSCOV_SOURCE_DIR "/data", &s) == EMS_OK) != (s != NULL)) abort();
        standards_destroy(s);
        break;
    }
    case 3: {
        park_rules *r = NULL;
        if ((park_rules_load(ctx, path, &r) == EMS_OK) != (r != NULL)) abort();
        park_rules_destroy(r);
        break;
    }
    default: {
        scenario *s = NULL;
        if ((scenario_load(ctx, path, EMSCOV_SOURCE_DIR "/data", &s) == EMS_OK) != (s != NULL)) abort();
        scenario_destroy(s);
        break;
    }
    }
    fuzz_io_clear();
    emscov_clear(ctx);
    return 0;
}
