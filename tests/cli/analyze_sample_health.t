# the sample city's 15-minute community health circle from the shipped files (build/sample/health-15min.ini,
# data/standards/health-15min.ini, data/speed/walk.ini): clinics.csv puts one centre in every sub-district but
# 小关 and 机场 (by construction, docs/method.md "Services"), so exactly those two are gaps; the words are the
# service's, in both languages, and no ambulance figure appears
requires sample
$ emscov analyze --out $TMP/out $SAMPLE/health-15min.ini && emscov analyze --lang zh --out $TMP/zh $SAMPLE/health-15min.ini && grep 小关 $TMP/out/streets.csv
> service:    15-minute community health service circle; facilities: community health centres; reached on foot
> sub-districts without a community health centre (2): 小关街道 110105002, 机场街道 110105004
> community health centres 18: 18 on the main road network, 0 on a small road component, 0 too far from any road; 0 in no sub-district
~ residents within 15 min of a community health centre
~ 服务：      15分钟社区卫生服务圈；设施：社区卫生服务中心；到达方式：步行
> 无社区卫生服务中心的街道（乡镇）（2）：小关街道 110105002、机场街道 110105004
~ 社区卫生服务中心15分钟服务圈覆盖的居民
# streets.csv: no mean-time target, the gap, and the ambulance columns empty (the service has no vehicles)
~ ,15.00,49.54,50.09,63.71,75.48,0.0,,,0,1,yes,,,,,,,
- ambulances per
- shortfall
- 救护车
