/* src/output/times_csv.c: the CSV of `emscov times` (see times_csv.h). */
#include "src/output/times_csv.h"

#include "src/output/csv.h"
#include "src/output/i18n.h"

static const char *status_text(times_point_status s)
{
    switch (s) {
    case TIMES_OK:
        return "ok";
    case TIMES_BEYOND_SNAP:
        return "beyond max-snap";
    case TIMES_SMALL_COMPONENT:
        return "small component, no station reaches it";
    case TIMES_NOT_REACHED:
        break;
    }
    return "not reached";
}

ems_status times_csv_write(emscov_ctx *ctx, const times_result *r, const csv_style *style, const char *path)
{
    static const char *const head[] = {
        NC_("csv", "record"), NC_("csv", "x"), NC_("csv", "y"), NC_("csv", "station_1"), NC_("csv", "time_1_s"),
        NC_("csv", "station_2"), NC_("csv", "time_2_s"), NC_("csv", "snap_dist_m"), NC_("csv", "component"),
        NC_("csv", "status")};
    csv_buf b;
    csv_init(&b, ctx);
    csv_head(&b, style, head, sizeof head / sizeof *head);
    for (size_t i = 0; i < r->npoints; i++) {
        const times_point *pt = &r->points[i];
        bool snapped = pt->status != TIMES_BEYOND_SNAP;
        csv_int(&b, pt->record);
        csv_number(&b, 3, pt->x);
        csv_number(&b, 3, pt->y);
        for (int rank = 0; rank < 2; rank++) {
            csv_field(&b, pt->station[rank] != TIMES_NONE ? r->station_ids[pt->station[rank]] : NULL);
            csv_number(&b, 1, pt->time_s[rank]);
        }
        csv_number(&b, 1, pt->snap_dist_m);
        if (snapped)
            csv_int(&b, pt->component);
        else
            csv_field(&b, NULL);
        csv_field(&b, status_text(pt->status));
        csv_end_row(&b);
    }
    ems_status st = csv_write(&b, path);
    csv_fini(&b);
    return st;
}

ems_status times_csv_run(emscov_ctx *ctx, const times_sources *src, const times_params *p, const csv_style *style,
                         const char *path, times_counts *counts)
{
    times_inputs in;
    times_result *r = NULL;
    ems_status st = times_inputs_load(ctx, src, p, &in);
    if (st != EMS_OK)
        return st;
    if ((st = times_compute(ctx, &in, p, &r)) == EMS_OK && (st = times_csv_write(ctx, r, style, path)) == EMS_OK && counts)
        *counts = r->counts;
    times_result_destroy(r);
    times_inputs_fini(&in);
    return st;
}
