# --lang en under a Chinese locale: the summary exactly as in English (the option wins over LC_ALL)
requires sample
$ LC_ALL=zh_CN.UTF-8 emscov analyze --lang en --out $TMP/out $SAMPLE/scenario.ini
~ mean response time (population-weighted), min      4.64           < 12 min                             PASS  (0 of 20 sub-districts fail)
> population  input 1800035 = allocated 1800035 (grid cells (ESRI ASCII), one demand point per cell centre); outside every sub-district 0
~ wrote 
- 院前医疗急救服务平均反应时间（人口加权）
- 未达标
