# no --lang: the locale decides (LC_ALL, else LC_MESSAGES, else LANG starting with zh: Chinese), even when the
# locale is not installed
requires sample
$ env -u LC_ALL LANG=zh_CN.UTF-8 "$EMSCOV_BIN" analyze --out $TMP/a $SAMPLE/scenario.ini | grep -E '(min|分钟) +4\.64' && env -u LC_ALL LANG=zh_CN.UTF-8 LC_MESSAGES=en_US.UTF-8 "$EMSCOV_BIN" analyze --out $TMP/b $SAMPLE/scenario.ini | grep -E '(min|分钟) +4\.64'
> 院前医疗急救服务平均反应时间（人口加权），分钟     4.64           小于12分钟                           达标  （0 / 20 个街道（乡镇）未达标）
> mean response time (population-weighted), min      4.64           < 12 min                             PASS  (0 of 20 sub-districts fail)
