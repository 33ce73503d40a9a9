# emscov sites --lang zh: the summary in Chinese (the MEXCLP verdict 达标 / 未达标), the files as in English
requires sample
$ emscov sites --lang zh --gap-centroids --k 3 --calls-per-day 800 --job-min 50 --out $TMP/out $SAMPLE/scenario.ini && grep -c '"verdict": "fail"' $TMP/out/sites.json
~ 假设分析，每个候选点单独增设（7 个中最优的 7 个；全部见 sites.csv）
~ 最优 3 个新站点（惰性评估贪心算法，再做单点交换：
~ 12 分钟内有空闲救护车应答的呼叫：94.75%（目标不低于 95%：未达标）
~ （达标）
> 1
- what-if
