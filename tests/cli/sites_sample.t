# new station sites on the sample city: grid + gap-centre candidates, what-if table, best 3, fewest for 99 %
requires sample
$ emscov sites --grid 1500 --gap-centroids --k 3 --target-share 0.99 --calls-per-day 300 --job-min 60 --out $TMP/out $SAMPLE/scenario.ini && ls $TMP/out
~ candidates  
~ baseline    population 1800035; within 12 min 
~ best 3 new sites (greedy with lazy evaluation, then 1-swap
~ fewest new sites so every sub-district has 1 station(s) and 99.00 % are within 12 min: 7 (proven fewest)
~ busy ambulances (MEXCLP, Daskin 1983): 300 calls/day x 60 min over 33 ambulances
~ ambulances are busy independently of each other
> sites.csv
> sites.json
> sites.gpkg
