/* src/cli/cmd_report.c: `emscov report` (stub). */
#include "src/cli/cli.h"

ems_status cmd_report(emscov_ctx *ctx, int argc, char **argv)
{
    (void)argc, (void)argv;
    return emscov_fail(ctx, EMS_EINPUT, "report: not yet");
}
