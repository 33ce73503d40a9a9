# emscov analyze --lang zh: the summary in Chinese with the plans' terms (../shared/TARGETS.md); report.json keeps
# its English keys and texts whatever the language (docs/formats.md)
requires sample
$ emscov analyze --lang zh --out $TMP/out $SAMPLE/scenario.ini && grep -c '"indicator": "mean response time (population-weighted)"' $TMP/out/report.json
~ 院前医疗急救服务平均反应时间（人口加权），分钟     4.64           小于12分钟                           达标
~ 每3万人口救护车数（全市）                          0.55           每3万人口配置1辆救护车               未达标
~ 无标准化急救工作站的街道（乡镇）数                 7
~ 急救呼叫满足率
> 人口  输入 1800035 = 已分配 1800035（人口网格（ESRI ASCII），每个网格中心一个需求点）；不在任何街道（乡镇）内 0
~     1 距最近道路超过 max_snap_m：不计算该点的反应时间：北京急救中心燕郊协作站（编号 14）
~ 无急救站点的街道（乡镇）（7）：朝外街道 110105001、月坛街道 110102004
~ 已写入 
> 1
- mean response time (population-weighted), min
- PASS
