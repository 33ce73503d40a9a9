# Independent count of the ways emscov's OSM reader should offer, applying the rules written in
# geo/network_osm.c's header to `osmium cat -f osm FILE` output.
#   python3 count_osm.py FILE.osm [strict|ends]
# strict (default): ways an access tag restricts are dropped (access = strict); ends: they are kept as roads
# (access = ends keeps them, usable only at a route's start or end), and the noding below includes them.
# Tag values are compared ignoring ASCII case, as the reader does.
import sys, xml.etree.ElementTree as ET
MODE = sys.argv[2] if len(sys.argv) > 2 else 'strict'
DRIVABLE = set("motorway motorway_link trunk trunk_link primary primary_link secondary secondary_link tertiary "
               "tertiary_link unclassified residential living_street service road".split())
nodes = set(); ways = []
for ev, el in ET.iterparse(sys.argv[1]):
    if el.tag == 'node':
        nodes.add(int(el.get('id'))); el.clear()
    elif el.tag == 'way':
        t = {x.get('k'): x.get('v') for x in el.findall('tag')}
        t = {k: (v.lower() if k in ('oneway', 'area', 'junction', 'emergency', 'motorcar', 'motor_vehicle',
                                   'vehicle', 'access') else v) for k, v in t.items()}
        refs = [int(x.get('ref')) for x in el.findall('nd')]
        ways.append((int(el.get('id')), t, refs)); el.clear()
def allowed(t):
    e = t.get('emergency')
    if e in ('yes', 'designated', 'permissive', 'destination'): return True
    if e in ('no', 'private'): return False
    for k in ('motorcar', 'motor_vehicle', 'vehicle', 'access'):
        if k in t: return t[k] not in ('no', 'private', 'agricultural', 'forestry', 'military')
    return True
c = dict(cls=0, area=0, access=0, reversible=0, short=0, kept=0, roads=0, missing=0, oneway_f=0, oneway_b=0)
for wid, t, refs in ways:
    if t.get('highway') not in DRIVABLE: continue
    c['cls'] += 1
    if t.get('area') == 'yes': c['area'] += 1; continue
    if t.get('oneway') == 'reversible': c['reversible'] += 1; continue
    if len(refs) < 2: c['short'] += 1; continue
    if not allowed(t):
        c['access'] += 1
        if MODE != 'ends': continue
    c['kept'] += 1
    ow = t.get('oneway'); d = 'both'
    if ow in ('yes','true','1'): d = 'f'
    elif ow in ('-1','reverse'): d = 'b'
    elif ow in ('no','false','0','alternating'): d = 'both'
    elif t.get('junction') in ('roundabout','circular') or t.get('highway') in ('motorway', 'motorway_link'): d = 'f'
    if d == 'f': c['oneway_f'] += 1
    if d == 'b': c['oneway_b'] += 1
    run = 0
    for r in refs + [None]:
        if r is not None and r in nodes: run += 1; continue
        if r is not None: c['missing'] += 1
        if run >= 2: c['roads'] += 1
        run = 0
print(c)

# Noding by hand (the builder's rules in geo/network.h): nodes = road ends + vertices used twice or more
# (by OSM id); links = road pieces between nodes; zero-length (all vertices one node) and duplicate
# (same vertex id sequence, either way round) pieces dropped; nodes left without links dropped.
kept = []
for wid, t, refs in ways:
    if t.get('highway') not in DRIVABLE or t.get('area') == 'yes' or (MODE != 'ends' and not allowed(t)) \
       or t.get('oneway') == 'reversible' or len(refs) < 2: continue
    run = []
    for r in refs + [None]:
        if r is not None and r in nodes: run.append(r); continue
        if len(run) >= 2: kept.append(run)
        run = []
from collections import Counter
use = Counter(v for road in kept for v in road)
isnode = set(v for v, n in use.items() if n >= 2) | set(r[0] for r in kept) | set(r[-1] for r in kept)
links = set(); nlinks = 0; used_nodes = set()
for road in kept:
    start = 0
    for i in range(1, len(road)):
        if road[i] in isnode:
            piece = tuple(road[start:i + 1]); start = i
            if len(set(piece)) == 1: continue
            key = min(piece, piece[::-1])
            if key in links: continue
            links.add(key); used_nodes.update((piece[0], piece[-1]))
print('nodes', len(used_nodes), 'links', len(links))
coords = {}
for ev, el in ET.iterparse(sys.argv[1]):
    if el.tag == 'node': coords[int(el.get('id'))] = (el.get('lon'), el.get('lat'))
    el.clear() if el.tag in ('way','relation') else None
zl = [k for k in links if len(set(coords[v] for v in k)) == 1]
print('zero-length by coordinates:', zl)
