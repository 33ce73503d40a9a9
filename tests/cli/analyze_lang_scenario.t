# [scenario] lang = zh: the run's language when no --lang is given; --lang en wins over it
requires sample
$ sed "s|^path = |path = $SAMPLE/|; s|^name = sample-city|name = sample-city\nlang = zh|" $SAMPLE/scenario.ini > $TMP/s.ini && emscov analyze --out $TMP/a $TMP/s.ini | grep -E '(min|分钟) +4\.64' && emscov analyze --lang en --out $TMP/b $TMP/s.ini | grep -E '(min|分钟) +4\.64'
> 院前医疗急救服务平均反应时间（人口加权），分钟     4.64           小于12分钟                           达标  （0 / 20 个街道（乡镇）未达标）
> mean response time (population-weighted), min      4.64           < 12 min                             PASS  (0 of 20 sub-districts fail)
