/* geo/network_internal.h: what geo/network.c (noding, times), geo/network_osm.c (the OSM reader) and
 * geo/network_rules.c (turn restrictions, the search graph) share. Not part of the public API: nothing outside
 * geo/network*.c includes it. Ownership and units as in network.h. */
#ifndef EMSCOV_GEO_NETWORK_INTERNAL_H
#define EMSCOV_GEO_NETWORK_INTERNAL_H

#include "geo/network.h"

/* What a link's times are computed from: its road, kept once per road. */
typedef struct road_rate {
    double own_kmh;
    int64_t record;
    uint32_t cls, row;
    uint8_t dir;        /* network_dir */
    uint8_t restricted; /* usable only at a route's start or end (access = ends) */
} road_rate;

/* A duplicate merged into link `link`: its road, and whether it was digitised the other way. */
typedef struct dup_extra {
    uint32_t link, road;
    bool reversed;
} dup_extra;

/* A turn restriction as the builder keeps it until finish: via roads at via[via0 .. via0 + nvia). */
typedef struct network__turn {
    int64_t from, to, via_node, id;
    double via_x, via_y;
    size_t via0, nvia;
    bool has_via_node, has_via_xy;
    uint8_t kind; /* network_turn_kind */
} network__turn;

struct network {
    emscov_ctx *ctx;
    crs *working;
    uint32_t nnodes, nlinks;
    double *nx, *ny;
    network_link *links;
    double *lvx, *lvy;
    uint32_t *out_off; /* nnodes + 1 */
    network_arc *arcs;
    uint32_t *node_comp;
    size_t *comp_size;
    char **classes;
    uint32_t nclasses;
    network_stats stats;
    int64_t *node_osm; /* per node: its OSM id; NULL when the roads had no node ids */
    network_rules rules; /* as built (turn_table not kept) */
    /* for network_retime */
    uint32_t *link_road; /* per link: its road */
    road_rate *roads;
    size_t nroads;
    dup_extra *extra;
    size_t nextra;
    size_t table_rows; /* the profile's road speed table size, to refuse another profile */
    char *period;
    /* rules on links and the search graph (network_rules.c); s_off/s_arcs alias out_off/arcs when the search
     * graph is the graph itself (search_own false) */
    uint8_t *link_restricted; /* per link, NULL when none is */
    uint32_t nsearch;
    uint32_t *s_off;    /* nsearch + 1 */
    network_arc *s_arcs;
    bool search_own;
    uint32_t *s_node;   /* per copy (search node nnodes + i): its node */
    uint32_t *copy_off; /* nnodes + 1: the copies of node v are copy_list[copy_off[v] .. copy_off[v + 1]) */
    uint32_t *copy_list;
    uint32_t *s_enter;  /* 2 per link: network_search_enter (NULL: the link's head itself) */
};

/* The builder's stats, for the OSM reader's counts (area, reversible). */
network_stats *network__builder_stats(network_builder *b);

/* Read a turn table (CSV: from_id, to_id, restriction, optional via_id, lon/lat of the via junction) into the
 * builder: road ids are the id_field values of the line layer `roads` (the record number when id_field < 0),
 * or OSM way ids when roads is NULL. Rows naming unknown roads are counted as unresolved (one warning). */
ems_status network__add_turn_table(emscov_ctx *ctx, network_builder *b, const char *table, const crs *working,
                                   const layer *roads, int id_field);

/* Apply the rules to a finished graph (CSR built, times computed): the links' restricted flags (access = ends),
 * the turn restrictions resolved onto arcs, and the search graph. turns[0 .. nturns) with their via roads in
 * via[]. Fills the rule counts of n->stats. */
ems_status network__apply_rules(emscov_ctx *ctx, network *n, const network__turn *turns, size_t nturns,
                                const int64_t *via);
/* Search arc times from the link times (after network_retime). */
void network__search_times(network *n);
void network__rules_free(network *n);

#endif
