/* geo/snap.h: snapping points (stations, demand points, candidate sites) onto the road network: the nearest
 * position on any link within a maximum distance, at the exact place along the link.
 *
 * The index is a static packed R-tree (Hilbert-sorted, 16 entries a node) over every segment of every link,
 * queried best-first, so a nearest search touches a handful of nodes whatever the network size. Ties in
 * distance go to the lowest link id, then the lowest segment, so results are deterministic.
 * Ownership: snap_index_build returns a new index owned by the caller (snap_index_destroy, NULL-safe); it
 * borrows the network, which must outlive it. Queries are read-only: one index may serve many threads.
 * Units: metres in the network's CRS. */
#ifndef EMSCOV_GEO_SNAP_H
#define EMSCOV_GEO_SNAP_H

#include "geo/network.h"

typedef struct snap_index snap_index;

/* A position on the network. */
typedef struct snap_pos {
    uint32_t link;   /* NETWORK_NONE when the point could not be snapped */
    double along_m;  /* distance from the link's first vertex along the link */
    double frac;     /* along_m / link length, in [0, 1] */
    double dist_m;   /* straight-line distance from the point to the snapped position (the access leg) */
    double x, y;     /* the snapped position */
} snap_pos;

EMS_API ems_status snap_index_build(emscov_ctx *ctx, const network *net, snap_index **out);
EMS_API void snap_index_destroy(snap_index *ix);

/* Snap (x, y) to the nearest link position within max_dist_m. Returns false, with out->link = NETWORK_NONE
 * and out->dist_m the distance to the nearest link (INFINITY when none at all), when nothing is that close. */
EMS_API bool snap_point(const snap_index *ix, double x, double y, double max_dist_m, snap_pos *out);

/* A position on a link at along_m from its start (clamped), with its coordinates; for tests and generators. */
EMS_API snap_pos snap_at(const network *net, uint32_t link, double along_m);

#endif
