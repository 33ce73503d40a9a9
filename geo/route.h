/* geo/route.h: shortest travel times on a network from many sources at once.
 *
 * One Dijkstra pass from every source together (stations, each with its own delay: turn-out, activation
 * and its access leg) with a time cutoff gives, per node, the time and source of the nearest source and --
 * with two labels -- of the second-nearest distinct source (the backup when the first ambulance is out).
 * Sources and targets may sit anywhere along a link: a position's time is the minimum over both link ends
 * plus the along-link part, respecting one-way, and a source on the same link reaches it directly. A position
 * within snap_end_tolerance_m of a link end is that end node (a move that short costs nothing, either way).
 * Ties are broken by the lower source index, so results are deterministic.
 * The search obeys the network's rules (network.h): restricted roads only at a route's start or end (access =
 * ends) and turn restrictions, on the network's search graph; a node's time is the best over every way of
 * arriving there, a position inside a link counts only the arrivals that may drive onto that link.
 * Ownership: route_multi_source returns a new result owned by the caller (route_result_destroy, NULL-safe);
 * it borrows the network, which must outlive it. Units: seconds. */
#ifndef EMSCOV_GEO_ROUTE_H
#define EMSCOV_GEO_ROUTE_H

#include "geo/network.h"
#include "geo/snap.h"

#define ROUTE_NONE UINT32_MAX

typedef struct route_source {
    snap_pos pos;   /* where the source enters the network (pos.link must be a link) */
    double delay_s; /* added to every time from this source (turn-out + activation + access leg) */
} route_source;

typedef struct route_opts {
    double cutoff_s; /* labels later than this are not kept; INFINITY or 0 = no cutoff */
    int labels;      /* 1: nearest only; 2: nearest and second-nearest distinct source */
} route_opts;

typedef struct route_result route_result;

EMS_API ems_status route_multi_source(emscov_ctx *ctx, const network *net, const route_source *src, size_t nsrc,
                                      const route_opts *opts, route_result **out);
EMS_API void route_result_destroy(route_result *r);

/* Time of the rank-th label at a node (rank 0 nearest, 1 second) and its source; INFINITY / ROUTE_NONE when
 * not reached within the cutoff. */
EMS_API double route_node_time(const route_result *r, uint32_t node, int rank, uint32_t *source);
/* Time to a position on a link (partial edges); rank as above. */
EMS_API double route_pos_time(const route_result *r, const snap_pos *p, int rank, uint32_t *source);
/* The sources of the search (copied at route time) and which of them sit on a given link: writes up to cap
 * source indexes into idx (ascending) and returns how many there are. */
EMS_API size_t route_source_count(const route_result *r);
EMS_API const route_source *route_source_at(const route_result *r, uint32_t i);
EMS_API size_t route_link_sources(const route_result *r, uint32_t link, uint32_t *idx, size_t cap);
EMS_API double route_cutoff(const route_result *r);
/* The time (rank-th label) at which a route may start driving along `link` in that direction from its tail end
 * (reverse: from its `to` end): the tail node's time over the arrivals that may take the link (a turn
 * restriction or a restricted area can forbid it while the node itself is reached). For service areas. */
EMS_API double route_link_entry_time(const route_result *r, uint32_t link, bool reverse, int rank,
                                     uint32_t *source);
/* Labels settled by the search (work done; for benchmarks). */
EMS_API size_t route_settled(const route_result *r);

/* A reusable single-source search, for many small bounded searches (one per candidate site): the workspace
 * holds per-node arrays sized once for the network and each search touches and later resets only the nodes
 * it reached, so a search costs O(reached) instead of O(nodes). Times equal those of route_multi_source with
 * that one source, cutoff and 1 label, bit for bit. A workspace is used by one thread at a time; searches on
 * different workspaces over the same network may run in parallel. route_bounded_single never allocates and
 * never touches a ctx, so it may run inside parallel_for. */
typedef struct route_workspace route_workspace;

EMS_API ems_status route_workspace_create(emscov_ctx *ctx, const network *net, route_workspace **out);
EMS_API void route_workspace_destroy(route_workspace *ws);
/* Search from src (its pos.link must be a link of the network, its delay >= 0) keeping labels <= cutoff_s
 * (INFINITY or 0: none). Forgets the previous search. Returns the number of nodes reached. */
EMS_API size_t route_bounded_single(route_workspace *ws, const route_source *src, double cutoff_s);
/* The nodes the last search reached, in the order they were settled (count = the return value above); a node
 * split by the network's rules may appear more than once. */
EMS_API const uint32_t *route_ws_reached(const route_workspace *ws);
/* Time at a node (INFINITY when not reached) and at a position on a link (partial edges and the source's
 * own link, as route_pos_time; INFINITY beyond the cutoff). */
EMS_API double route_ws_node_time(const route_workspace *ws, uint32_t node);
EMS_API double route_ws_pos_time(const route_workspace *ws, const snap_pos *p);
/* As route_link_entry_time for the last search: the time at which a route may start driving along `link` from
 * its `from` end (reverse: from its `to` end), over the arrivals at that node that may take the link; INFINITY
 * when none. Not below route_ws_node_time of that node. For scoring the points of a link without timing each
 * through route_ws_pos_time. */
EMS_API double route_ws_link_entry_time(const route_workspace *ws, uint32_t link, bool reverse);

#endif
