/* geo/network.h: the road network as a graph for travel times.
 *
 * Roads arrive as polylines in the working CRS (from a line layer with a field mapping, or from OSM ways)
 * and are noded: every road end and every vertex shared by two or more roads becomes a node (vertices are
 * shared when they carry the same OSM node id, or -- for line files -- the same coordinates within the
 * noding tolerance, default exact). Between nodes, each piece of road is one *link* with its polyline,
 * length, travel time and allowed directions; zero-length links are dropped and counted; a duplicate link
 * (same end nodes and vertices, either way round: a road stored once per direction, or twice with different
 * speeds) is merged into the first listed, which gains every direction either allows and, per direction, the
 * shorter time. Travel times come from a speed profile (geo/speed.h) for one time-of-day period; the same
 * noded graph is re-timed for another period with network_retime.
 * Link lengths for travel times are planar in the working CRS (default) or ellipsoidal: geodesic on the
 * WGS 84 ellipsoid (PROJ's geodesic routines, as PostGIS ST_Length(geography)); the geometry (snapping,
 * service areas) always uses the planar length.
 *
 * The graph is stored in compact arrays: nodes (x, y), links, and a CSR adjacency of directed *arcs*
 * (forward: out-arcs per node) where each arc points back to its link. Connected components are computed
 * (weakly connected, ignoring one-way); the largest is the "main" component.
 *
 * Network rules (network_rules, docs/method.md "Network rules"): roads with a restricting access tag are
 * dropped (access = strict), used like any road (ignore) or -- the default, ends -- usable only at the start
 * or end of a route (a station's yard, a gated compound: a route may leave its source or reach its target
 * through them, never pass through them in the middle); a road's own speed (OSM maxspeed or a speed field)
 * is used, ignored or capped at its class speed (maxspeed = use | ignore | cap); turn restrictions (OSM
 * restriction relations, a line layer's turn table) forbid sequences of arcs. Routing obeys the last two
 * through the *search graph*: the nodes themselves plus copies of the few nodes where a rule makes the way a
 * route arrived matter (node splitting; geo/network_rules.c says how and why). Search node v < node count is
 * node v for a route that starts there; copies follow. Without restricted roads and turn restrictions the
 * search graph is the graph itself.
 *
 * Ownership: network_builder_* collect roads and produce a new network owned by the caller
 * (network_destroy, NULL-safe); arrays returned by accessors are owned by the network.
 * Units: metres, seconds, km/h. Ids are uint32_t. A network is read-only once built and may then be shared
 * by threads. */
#ifndef EMSCOV_GEO_NETWORK_H
#define EMSCOV_GEO_NETWORK_H

#include "geo/crs.h"
#include "geo/ctx.h"
#include "geo/layer.h"
#include "geo/speed.h"

#include <stdint.h>

#define NETWORK_NONE UINT32_MAX

typedef struct network network;
typedef struct network_builder network_builder;

/* How link lengths for travel times are measured. */
typedef enum { NETWORK_LENGTH_PLANAR = 0, NETWORK_LENGTH_ELLIPSOIDAL = 1 } network_length;

/* Directions a road (or link) may be driven, relative to its digitised direction. */
typedef enum { NETWORK_BOTH = 0, NETWORK_FORWARD = 1, NETWORK_BACKWARD = 2, NETWORK_CLOSED = 3 } network_dir;

/* One road as a builder sees it. Arrays are borrowed for the duration of network_builder_add. */
typedef struct network_road {
    const double *x, *y;      /* n vertices, working CRS */
    const int64_t *node_ids;  /* per-vertex identity (OSM node ids) or NULL: identity by coordinates */
    size_t n;
    const char *road_class;   /* OSM highway value or Chinese class name; NULL = unknown */
    double speed_kmh;         /* own speed (field / maxspeed); 0 = class default */
    network_dir dir;
    const char *name;         /* may be NULL */
    int64_t record;           /* source record (1-based) or OSM way id */
    const char *road_id;      /* key into the profile's road speed table; NULL: the record as decimal text */
    bool restricted;          /* an access tag closes it to ambulances: the access rule decides */
} network_road;

/* A turn restriction: driving from road `from` through the via node (or along the via roads) onto road `to`
 * is forbidden (NETWORK_TURN_NO), or is the only way on (NETWORK_TURN_ONLY: every other turn at the end of the
 * via part is forbidden). Roads are named by record (OSM way id, or line record number). The via junction is
 * the node with OSM id via_node, else the node nearest (via_x, via_y) among the ends of the from and to roads'
 * links, else the one node the from and to roads share; with via roads (nvia > 0) it is their chain. */
typedef enum { NETWORK_TURN_NO = 0, NETWORK_TURN_ONLY = 1 } network_turn_kind;
typedef struct network_turn {
    int64_t from, to;
    bool has_via_node, has_via_xy;
    int64_t via_node;
    double via_x, via_y;      /* working CRS */
    const int64_t *via;       /* via roads in order (borrowed during the call); nvia = 0: a via junction */
    size_t nvia;
    network_turn_kind kind;
    int64_t id;               /* OSM relation id, or the turn table's line, for counts and messages */
} network_turn;

/* Roads closed to ambulances by an access tag (OSM access / vehicle / motor_vehicle / motorcar = no, private,
 * agricultural, forestry, military, or emergency = no / private, without emergency = yes ...). */
typedef enum {
    NETWORK_ACCESS_ENDS = 0,   /* usable only at the start or end of a route (default) */
    NETWORK_ACCESS_STRICT = 1, /* dropped */
    NETWORK_ACCESS_IGNORE = 2  /* used like any road */
} network_access;

/* A road's own speed (OSM maxspeed, a line layer's speed field). */
typedef enum {
    NETWORK_MAXSPEED_USE = 0,    /* replaces the class speed (default) */
    NETWORK_MAXSPEED_IGNORE = 1, /* the class speed always */
    NETWORK_MAXSPEED_CAP = 2     /* min(own, class speed): never faster than the class speed */
} network_maxspeed;

/* OSM oneway=reversible / alternating (a direction that changes with the time of day or the traffic). */
typedef enum {
    NETWORK_REVERSIBLE_SKIP = 0,   /* reversible ways dropped (no schedule), alternating driven both ways */
    NETWORK_REVERSIBLE_IMPLIED = 1 /* the tag is ignored: the implied rule (roundabout, motorway: forward) */
} network_reversible;

/* OSM highway=* ways tagged area=yes (a square or a yard drawn as a polygon). */
typedef enum {
    NETWORK_AREA_SKIP = 0, /* not a road (default) */
    NETWORK_AREA_ROAD = 1  /* its outline is a road, as osm2pgrouting imports it */
} network_area;

typedef struct network_rules {
    network_access access;
    network_maxspeed maxspeed;
    bool turns_off;                /* true: turn restrictions are not applied (they are still counted) */
    network_area area;
    network_reversible reversible;
    const char *turn_table;        /* line layers: CSV of turn restrictions (docs/formats.md), NULL: none */
} network_rules;

typedef struct network_build_opts {
    double tolerance_m;    /* noding tolerance for coordinate identity; 0 = exact */
    const char *source;    /* file name for messages */
    network_length length; /* link lengths for travel times; default planar */
    const char *period;    /* time-of-day period of the profile; NULL: the profile's selected period */
    network_rules rules;   /* zero: the defaults (access ends, maxspeed use, turn restrictions on, ...) */
} network_build_opts;

/* A directed arc of the CSR adjacency. */
typedef struct network_arc {
    uint32_t to;     /* head node */
    uint32_t link;   /* the link it runs along */
    bool reverse;    /* true when it runs against the link's digitised direction */
    double time_s;   /* travel time along the whole link in this direction */
} network_arc;

typedef struct network_link {
    uint32_t from, to;     /* end nodes in digitised order */
    uint32_t vfirst, nv;   /* vertices: network_link_xy(net, link) gives nv points */
    double length_m;       /* planar, along the polyline in the working CRS (geometry: snapping, fractions) */
    double travel_m;       /* the length travel times come from: length_m, or geodesic when ellipsoidal */
    double time_fwd_s;     /* INFINITY when not allowed */
    double time_bwd_s;
    uint32_t class_id;     /* index into network_class_name */
    uint32_t component;    /* weakly connected component, 0 = the largest */
    int64_t record;
} network_link;

typedef struct network_stats {
    size_t nodes, links, arcs;
    size_t roads_in, roads_skipped;      /* roads offered / refused (fewer than 2 points, NaN, closed) */
    size_t zero_length_dropped, duplicates_dropped;
    size_t duplicates_merged;            /* dropped duplicates that added a direction or a faster time */
    size_t roads_table_speed;            /* roads with a row in the profile's road speed table */
    size_t components, main_component_nodes;
    size_t unknown_classes;              /* distinct classes not in the profile (default speed used) */
    /* what each network rule changed (network_rules) */
    size_t restricted_roads;             /* roads offered with a restricting access tag */
    size_t restricted_dropped;           /* ... dropped (access = strict) */
    size_t restricted_opened;            /* ... used like any road (access = ignore) */
    size_t restricted_links;             /* links usable only at a route's start or end (access = ends) */
    double restricted_km;                /* their length (travel lengths) */
    size_t area_skipped, area_used;      /* OSM area=yes highways dropped / used as roads */
    size_t reversible_skipped;           /* OSM oneway=reversible ways dropped */
    size_t ways_too_short;               /* OSM drivable ways with fewer than 2 nodes, dropped (never offered) */
    size_t reversible_implied;           /* OSM oneway=reversible / alternating read by the implied rule */
    size_t own_speed_links;              /* links that take their speed from the road's own speed (the tag) */
    double own_speed_km;
    size_t own_speed_capped;             /* links whose own speed exceeded the class speed: class speed (cap) */
    size_t own_speed_ignored;            /* links with an own speed that the class speed replaced (ignore) */
    size_t turns_read;                   /* turn restrictions offered (OSM relations, turn table rows) */
    size_t turns_applied;                /* ... resolved onto the graph */
    size_t turns_unresolved;             /* ... whose roads or via junction are not in the graph */
    size_t turns_off;                    /* ... not applied (turn restrictions off) */
    size_t turn_sequences;               /* forbidden arc sequences they became */
    size_t search_copies;                /* node copies of the search graph (0: the graph itself) */
    size_t search_arcs;                  /* arcs of the search graph */
} network_stats;

EMS_API ems_status network_builder_create(emscov_ctx *ctx, const speed_profile *sp, const crs *working,
                                          const network_build_opts *opts, network_builder **out);
EMS_API void network_builder_destroy(network_builder *b);
/* Add one road. Fewer than 2 points or a non-finite coordinate -> EMS_EINPUT naming the record; a speed
 * <= 0 given explicitly is EMS_EINPUT too. Unknown classes get the default speed and one warning per class. */
EMS_API ems_status network_builder_add(emscov_ctx *ctx, network_builder *b, const network_road *r);
/* Add a turn restriction (resolved at finish; one that does not fit the graph is counted, not an error). */
EMS_API ems_status network_builder_add_turn(emscov_ctx *ctx, network_builder *b, const network_turn *t);
/* Node, split, drop degenerate links, build CSR and components, apply the rules (the search graph). The builder
 * is consumed (destroyed). */
EMS_API ems_status network_builder_finish(emscov_ctx *ctx, network_builder *b, network **out);

/* Field mapping for line layers. NULL fields are absent. oneway values: "F"/"1"/"yes"/"true" = forward,
 * "T"/"-1"/"reverse" = backward, "B"/"0"/"no"/"" = both, "N"/"closed" = closed. id: the road id that keys the
 * profile's road speed table (absent: the record number). */
typedef struct network_fields {
    const char *road_class, *speed, *oneway, *name, *id;
    bool from_scenario; /* messages name the scenario keys ([roads] class_field, ...) rather than options */
} network_fields;
/* Build from a line layer already in the working CRS; opts->rules.turn_table (CSV, docs/method.md "Network
 * rules") adds its turn restrictions, keyed by the id field's values (else record numbers). */
EMS_API ems_status network_build_from_layer(emscov_ctx *ctx, const layer *roads, const network_fields *fields,
                                            const speed_profile *sp, const network_build_opts *opts,
                                            network **out);

/* Build from an OpenStreetMap .osm (XML) or .osm.pbf file (geo/osm.h): drivable highway=* classes of the
 * profile, oneway (any letter case; junction=roundabout and highway=motorway/motorway_link imply it), maxspeed,
 * access tags that restrict ambulances (access/motor_vehicle/vehicle/motorcar = no/private... unless
 * emergency=yes), area=yes, oneway=reversible/alternating and restriction relations, each read under
 * opts->rules (geo/network_osm.c has the details); opts->rules.turn_table adds a turn table keyed by way id.
 * Ways are split at nodes shared with other drivable ways. lon/lat are transformed into `working`. A truncated
 * or corrupt file -> EMS_EINPUT naming the file. */
EMS_API ems_status network_build_from_osm(emscov_ctx *ctx, const char *path, const speed_profile *sp,
                                          const crs *working, const network_build_opts *opts, network **out);

/* Load roads from any source: an OSM file (.osm, .osm.pbf, .pbf) or a line layer (shapefile, GeoJSON) read
 * with ro, moved into `working` and built with the field mapping. working may be NULL: the UTM zone of the
 * roads' centre is used. */
EMS_API ems_status network_load(emscov_ctx *ctx, const char *path, const layer_read_opts *ro,
                                const network_fields *fields, const speed_profile *sp, const crs *working,
                                const network_build_opts *opts, network **out);

/* network_load with emscov's default field mapping: when `fields` is NULL or names no field and path is a line
 * layer, its fields CLASS, SPEED, ONEWAY and NAME are used where the layer has them; a mapping that names any
 * field is taken as given. The layer is read once. OSM files take no mapping. */
EMS_API ems_status network_load_defaults(emscov_ctx *ctx, const char *path, const layer_read_opts *ro,
                                         const network_fields *fields, const speed_profile *sp, const crs *working,
                                         const network_build_opts *opts, network **out);

/* Move a network built with another ctx (e.g. on another thread, which then destroys that ctx) onto ctx: its
 * working CRS is re-created with ctx's PROJ context. On failure the network is unchanged. */
EMS_API ems_status network_adopt(emscov_ctx *ctx, network *net);
EMS_API void network_destroy(network *net);
/* Recompute every link and arc time for another period (NULL: sp's selected period) from the same noded graph,
 * in O(links + arcs): no re-noding. sp must be the profile the network was built with (its road speed table is
 * resolved at build; a profile with another table size is EMS_EINPUT). Changes the network: not while another
 * thread reads it. Unknown period -> EMS_EINPUT, network unchanged. */
EMS_API ems_status network_retime(emscov_ctx *ctx, network *net, const speed_profile *sp, const char *period);
/* The period the current times are for. */
EMS_API const char *network_period(const network *net);
/* "planar" / "ellipsoidal" (ASCII case ignored); anything else -> EMS_EINPUT naming what, e.g. "--length". */
EMS_API ems_status network_length_parse(emscov_ctx *ctx, const char *text, const char *what, network_length *out);

EMS_API const network_stats *network_get_stats(const network *net);
EMS_API const crs *network_crs(const network *net);
EMS_API uint32_t network_node_count(const network *net);
EMS_API uint32_t network_link_count(const network *net);
EMS_API void network_node_xy(const network *net, uint32_t node, double *x, double *y);
EMS_API const network_link *network_link_at(const network *net, uint32_t link);
/* Vertices of a link (nv of them). */
EMS_API const double *network_link_x(const network *net, uint32_t link);
EMS_API const double *network_link_y(const network *net, uint32_t link);
/* Out-arcs of a node: [first, first + count). */
EMS_API const network_arc *network_out_arcs(const network *net, uint32_t node, uint32_t *count);
/* Component id of a node (0 = the largest). */
EMS_API uint32_t network_component(const network *net, uint32_t node);
EMS_API size_t network_component_size(const network *net, uint32_t component);
EMS_API const char *network_class_name(const network *net, uint32_t class_id);
EMS_API uint32_t network_class_count(const network *net);
/* OSM node id of a node (false when the roads had no node ids: line layers). */
EMS_API bool network_node_osm_id(const network *net, uint32_t node, int64_t *id);
/* True when a link may be used only at the start or end of a route (a restricted road, access = ends). */
EMS_API bool network_link_restricted(const network *net, uint32_t link);
/* The rules the network was built with. */
EMS_API const network_rules *network_get_rules(const network *net);

/* ---- the search graph (routing with the rules; see the top of this file) ---------------------------------- */
/* Search nodes: [0, network_node_count) are the nodes; copies follow. */
EMS_API uint32_t network_search_count(const network *net);
/* The node a search node stands for. */
EMS_API uint32_t network_search_node(const network *net, uint32_t snode);
/* Out-arcs of a search node: .to is a search node. */
EMS_API const network_arc *network_search_arcs(const network *net, uint32_t snode, uint32_t *count);
/* The copies of a node (search nodes >= network_node_count); count 0 for most nodes. */
EMS_API const uint32_t *network_node_copies(const network *net, uint32_t node, uint32_t *count);
/* The search node a route reaches when it starts inside `link` and drives to its end in that direction
 * (reverse: against the digitised direction); NETWORK_NONE when that direction is closed. */
EMS_API uint32_t network_search_enter(const network *net, uint32_t link, bool reverse);
/* True when a route at search node snode may drive onto link in that direction (node snode's node must be the
 * link's tail in that direction). Node v itself (snode = v) may take every arc of v. */
EMS_API bool network_search_can_take(const network *net, uint32_t snode, uint32_t link, bool reverse);

/* Parse the rule words ("ends", "cap", ...; ASCII case ignored); anything else -> EMS_EINPUT naming what. */
EMS_API ems_status network_access_parse(emscov_ctx *ctx, const char *text, const char *what, network_access *out);
EMS_API ems_status network_maxspeed_parse(emscov_ctx *ctx, const char *text, const char *what,
                                          network_maxspeed *out);
EMS_API ems_status network_area_parse(emscov_ctx *ctx, const char *text, const char *what, network_area *out);
EMS_API ems_status network_reversible_parse(emscov_ctx *ctx, const char *text, const char *what,
                                            network_reversible *out);
/* "yes" / "no" for turn restrictions (also on/off, true/false, 1/0): *off = the word says no. */
EMS_API ems_status network_turns_parse(emscov_ctx *ctx, const char *text, const char *what, bool *off);
/* The word of a rule value, for printing. */
EMS_API const char *network_access_name(network_access a);
EMS_API const char *network_maxspeed_name(network_maxspeed m);

#endif
