/* geo/snap.h: snapping points (stations, demand points, candidate sites) onto the road network.
 *
 * Two modes (snap_mode): EDGE (default) takes the nearest position on any link, at the exact place along the
 * link; VERTEX takes the nearest network node (ties -> the lowest node id), the rule of a plain pgRouting
 * study (nearest graph vertex). In both, a position within snap_end_tolerance_m of a link end IS that end
 * node (frac exactly 0 or 1, node set): a point placed on a junction through a lon/lat round trip lands
 * ~1e-9 m from it, and must not sit inside a one-way link it cannot leave backwards.
 *
 * The index is a static packed R-tree (Hilbert-sorted, 16 entries a node) over every segment of every link
 * (and, once vertex mode is set, a second one over the nodes), queried best-first, so a nearest search touches
 * a handful of nodes whatever the network size. Ties in distance go to the lowest link id, then the lowest
 * segment (vertex mode: the lowest node id), so results are deterministic.
 * Ownership: snap_index_build returns a new index owned by the caller (snap_index_destroy, NULL-safe); it
 * borrows the network, which must outlive it. Queries are read-only: one index may serve many threads (set the
 * mode before sharing it). Units: metres in the network's CRS. */
#ifndef EMSCOV_GEO_SNAP_H
#define EMSCOV_GEO_SNAP_H

#include "geo/network.h"

typedef struct snap_index snap_index;

typedef enum { SNAP_EDGE = 0, SNAP_VERTEX = 1 } snap_mode;

/* A position on the network. */
typedef struct snap_pos {
    uint32_t link;   /* NETWORK_NONE when the point could not be snapped */
    double along_m;  /* distance from the link's first vertex along the link (planar) */
    double frac;     /* along_m / link length, in [0, 1]; exactly 0 or 1 at a node */
    double dist_m;   /* straight-line distance from the point to the snapped position (the access leg) */
    double x, y;     /* the snapped position */
    uint32_t node;   /* the node when the position is a link end (frac 0 or 1), else NETWORK_NONE */
} snap_pos;

/* Positions closer than this to a link end are the end node: 1e-6 m, plus 1e-12 of the link's length.
 * Why: working-CRS coordinates of a city are up to ~1e7 m, whose doubles are spaced ~1e-9 m (2e-9 at 1e7 m),
 * and a PROJ lon/lat round trip moves a point by about that much; 1e-6 m leaves three orders of margin and is
 * still far below anything physical (at 10 km/h it is 4e-7 s). The relative part covers the rounding of the
 * along-link sum over a long many-vertex link (n vertices x 1.1e-16 relative each). */
static inline double snap_end_tolerance_m(double length_m)
{
    return 1e-6 + 1e-12 * length_m;
}

EMS_API ems_status snap_index_build(emscov_ctx *ctx, const network *net, snap_index **out);
EMS_API void snap_index_destroy(snap_index *ix);
/* Choose how snap_point snaps (default SNAP_EDGE). SNAP_VERTEX builds the node tree the first time. */
EMS_API ems_status snap_index_set_mode(emscov_ctx *ctx, snap_index *ix, snap_mode mode);
EMS_API snap_mode snap_index_mode(const snap_index *ix);
/* "edge" / "vertex" (ASCII case ignored); anything else -> EMS_EINPUT naming what, e.g. "--snap". */
EMS_API ems_status snap_mode_parse(emscov_ctx *ctx, const char *text, const char *what, snap_mode *out);

/* Snap (x, y) to the nearest link position (edge mode) or node (vertex mode) within max_dist_m. Returns false,
 * with out->link = NETWORK_NONE and out->dist_m the distance to the nearest link or node (INFINITY when none
 * at all), when nothing is that close. In vertex mode the position is on the lowest-id link touching the node,
 * at its end (frac 0 or 1). */
EMS_API bool snap_point(const snap_index *ix, double x, double y, double max_dist_m, snap_pos *out);

/* A position on a link at along_m from its start (clamped; within snap_end_tolerance_m of an end: the end
 * node), with its coordinates; for tests and generators. */
EMS_API snap_pos snap_at(const network *net, uint32_t link, double along_m);

#endif
