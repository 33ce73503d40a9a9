/* tools/gencity/gc_names.c: the two presets (sample, beijing), the 16 Beijing districts with their codes,
 * rough positions (km from Tiananmen) and a list of real sub-district (街道/地区/镇/乡) names each, and the
 * naming of the generated sub-districts: real names first, then names built from a syllable list. A few
 * names use characters that are in GBK but not in GB2312 (昇, 堃, 喆) so readers must decode GBK, not
 * GB2312. All strings are UTF-8; the writers convert to GBK where a file asks for it. */
#include "gencity.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const real_dongcheng[] = {
    "东华门街道", "建国门街道",   "景山街道",   "喆庄街道",     "交道口街道", "安定门街道",   "北新桥街道",
    "东四街道",   "朝阳门街道",   "东直门街道", "和平里街道",   "前门街道",   "崇文门外街道", "东花市街道",
    "龙潭街道",   "体育馆路街道", "天坛街道",   "永定门外街道", NULL};
static const char *const real_xicheng[] = {
    "西长安街街道", "昇平街道",   "新街口街道", "月坛街道",     "展览路街道", "德胜街道",
    "金融街街道",   "什刹海街道", "大栅栏街道", "天桥街道",     "椿树街道",   "陶然亭街道",
    "广安门内街道", "牛街街道",   "白纸坊街道", "广安门外街道", NULL};
static const char *const real_chaoyang[] = {
    "朝外街道",   "小关街道",   "望京街道",   "机场街道",   "建外街道",     "呼家楼街道", "三里屯街道",
    "左家庄街道", "香河园街道", "和平街街道", "安贞街道",   "亚运村街道",   "酒仙桥街道", "麦子店街道",
    "团结湖街道", "六里屯街道", "双井街道",   "劲松街道",   "潘家园街道",   "垡头街道",   "大屯街道",
    "奥运村街道", "南磨房地区", "高碑店地区", "将台地区",   "太阳宫地区",   "东坝地区",   "平房地区",
    "豆各庄地区", "王四营地区", "东风地区",   "小红门地区", "十八里店地区", "常营地区",   "三间房地区",
    "管庄地区",   "金盏地区",   "孙河地区",   "崔各庄地区", "黑庄户地区",   NULL};
static const char *const real_haidian[] = {
    "中关村街道", "堃园街道",   "万寿路街道", "永定路街道",   "羊坊店街道", "甘家口街道",
    "八里庄街道", "紫竹院街道", "北下关街道", "北太平庄街道", "学院路街道", "海淀街道",
    "青龙桥街道", "清华园街道", "燕园街道",   "香山街道",     "清河街道",   "花园路街道",
    "西三旗街道", "马连洼街道", "田村路街道", "上地街道",     "曙光街道",   "万柳地区",
    "东升地区",   "四季青地区", "西北旺地区", "苏家坨地区",   "上庄地区",   "温泉地区",
    NULL};
static const char *const real_fengtai[] = {
    "丰台街道",     "右安门街道", "太平桥街道", "西罗园街道", "大红门街道", "南苑街道",   "东高地街道",
    "东铁匠营街道", "六里桥街道", "新村街道",   "长辛店街道", "云岗街道",   "马家堡街道", "和义街道",
    "方庄地区",     "宛平地区",   "卢沟桥地区", "花乡地区",   "王佐地区",   NULL};
static const char *const real_shijingshan[] = {"八宝山街道", "老山街道",   "八角街道", "古城街道",
                                               "苹果园街道", "金顶街街道", "广宁街道", "五里坨街道",
                                               "鲁谷街道",   NULL};
static const char *const real_mentougou[] = {"大峪街道", "城子街道", "东辛房街道", "大台街道", "永定镇",
                                             "龙泉镇",   "潭柘寺镇", "军庄镇",     "妙峰山镇", "雁翅镇",
                                             "斋堂镇",   "清水镇",   "王平镇",     NULL};
static const char *const real_fangshan[] = {
    "城关街道", "新镇街道", "向阳街道", "东风街道", "迎风街道", "星城街道", "拱辰街道", "西潞街道",
    "良乡镇",   "周口店镇", "琉璃河镇", "阎村镇",   "窦店镇",   "石楼镇",   "长阳镇",   "河北镇",
    "长沟镇",   "大石窝镇", "张坊镇",   "十渡镇",   "青龙湖镇", "韩村河镇", "霞云岭乡", "南窖乡",
    "佛子庄乡", "大安山乡", "史家营乡", "蒲洼乡",   NULL};
static const char *const real_tongzhou[] = {
    "中仓街道", "新华街道", "北苑街道", "玉桥街道", "永顺镇",   "梨园镇", "宋庄镇",       "张家湾镇",
    "漷县镇",   "马驹桥镇", "西集镇",   "台湖镇",   "永乐店镇", "潞城镇", "于家务回族乡", NULL};
static const char *const real_shunyi[] = {
    "胜利街道", "光明街道", "石园街道", "空港街道", "双丰街道",   "旺泉街道", "仁和镇",
    "后沙峪镇", "天竺镇",   "杨镇",     "牛栏山镇", "南法信镇",   "马坡镇",   "高丽营镇",
    "李桥镇",   "李遂镇",   "南彩镇",   "北务镇",   "大孙各庄镇", "张镇",     "龙湾屯镇",
    "木林镇",   "北小营镇", "北石槽镇", "赵全营镇", NULL};
static const char *const real_changping[] = {
    "城北街道", "城南街道", "回龙观街道", "龙泽园街道", "史各庄街道", "天通苑北街道", "天通苑南街道",
    "霍营街道", "沙河镇",   "阳坊镇",     "小汤山镇",   "南邵镇",     "崔村镇",       "百善镇",
    "北七家镇", "兴寿镇",   "流村镇",     "十三陵镇",   "延寿镇",     "马池口镇",     NULL};
static const char *const real_daxing[] = {"兴丰街道", "林校路街道", "清源街道", "观音寺街道", "天宫院街道",
                                          "亦庄镇",   "黄村镇",     "旧宫镇",   "西红门镇",   "瀛海镇",
                                          "青云店镇", "采育镇",     "安定镇",   "礼贤镇",     "榆垡镇",
                                          "庞各庄镇", "北臧村镇",   "魏善庄镇", "长子营镇",   NULL};
static const char *const real_huairou[] = {"泉河街道",       "龙山街道", "怀柔镇",   "雁栖镇", "庙城镇",
                                           "北房镇",         "杨宋镇",   "桥梓镇",   "怀北镇", "汤河口镇",
                                           "渤海镇",         "九渡河镇", "琉璃庙镇", "宝山镇", "长哨营满族乡",
                                           "喇叭沟门满族乡", NULL};
static const char *const real_pinggu[] = {"滨河街道",   "兴谷街道", "渔阳地区", "峪口地区",   "马坊地区",
                                          "金海湖地区", "东高村镇", "山东庄镇", "南独乐河镇", "大华山镇",
                                          "夏各庄镇",   "马昌营镇", "王辛庄镇", "大兴庄镇",   "刘家店镇",
                                          "镇罗营镇",   "熊儿寨乡", "黄松峪乡", NULL};
static const char *const real_miyun[] = {
    "鼓楼街道", "果园街道", "檀营地区", "密云镇",   "溪翁庄镇", "西田各庄镇", "十里堡镇",
    "河南寨镇", "巨各庄镇", "穆家峪镇", "太师屯镇", "高岭镇",   "不老屯镇",   "冯家峪镇",
    "古北口镇", "大城子镇", "东邵渠镇", "北庄镇",   "新城子镇", "石城镇",     NULL};
static const char *const real_yanqing[] = {"百泉街道", "香水园街道", "儒林街道", "延庆镇",   "康庄镇",
                                           "八达岭镇", "永宁镇",     "旧县镇",   "张山营镇", "四海镇",
                                           "千家店镇", "沈家营镇",   "大榆树镇", "井庄镇",   "大庄科乡",
                                           "刘斌堡乡", "香营乡",     "珍珠泉乡", NULL};

/* Seeds are km east/north of Tiananmen; the city rectangle of the beijing preset is 160 x 102.5 km. */
static const gc_district_def dists_beijing[] = {
    {"东城区", "110101", 2.5, 0.5, 0, real_dongcheng},
    {"西城区", "110102", -2.5, 0.0, 0, real_xicheng},
    {"朝阳区", "110105", 11.0, 3.0, 1, real_chaoyang},
    {"丰台区", "110106", -8.0, -8.0, 1, real_fengtai},
    {"石景山区", "110107", -15.0, 1.5, 1, real_shijingshan},
    {"海淀区", "110108", -10.0, 11.0, 1, real_haidian},
    {"门头沟区", "110109", -45.0, 2.0, 2, real_mentougou},
    {"房山区", "110111", -30.0, -34.0, 2, real_fangshan},
    {"通州区", "110112", 24.0, -6.0, 2, real_tongzhou},
    {"顺义区", "110113", 30.0, 24.0, 2, real_shunyi},
    {"昌平区", "110114", -18.0, 33.0, 2, real_changping},
    {"大兴区", "110115", 20.0, -36.0, 2, real_daxing},
    {"怀柔区", "110116", 8.0, 46.0, 2, real_huairou},
    {"平谷区", "110117", 62.0, 28.0, 2, real_pinggu},
    {"密云区", "110118", 45.0, 45.0, 2, real_miyun},
    {"延庆区", "110119", -55.0, 42.0, 2, real_yanqing},
};

/* The sample city (15 x 12 km around Tiananmen) holds parts of four central districts. */
static const gc_district_def dists_sample[] = {
    {"东城区", "110101", 0.8, -0.3, 0, real_dongcheng},
    {"西城区", "110102", -2.8, -0.8, 0, real_xicheng},
    {"朝阳区", "110105", 5.5, 1.5, 1, real_chaoyang},
    {"海淀区", "110108", -5.0, 4.5, 1, real_haidian},
};

const gc_preset gc_preset_sample = {.name = "sample",
                                    .w_km = 15.0,
                                    .h_km = 12.0,
                                    .snx = 5,
                                    .sny = 4,
                                    .warp = 0.8,
                                    .ndist = 4,
                                    .dists = dists_sample,
                                    .pop_target = 1.8e6,
                                    .nstations = 15,
                                    .road_sc = 165.0,
                                    .road_so = 230.0,
                                    .road_rin = 3.0,
                                    .road_rout = 8.0,
                                    .rural_bends = 1.0,
                                    .nrings = 2,
                                    .nvillages = 12};

const gc_preset gc_preset_beijing = {.name = "beijing",
                                     .w_km = 160.0,
                                     .h_km = 102.5,
                                     .snx = 20,
                                     .sny = 17,
                                     .warp = 0.25,
                                     .ndist = 16,
                                     .dists = dists_beijing,
                                     .pop_target = 21.9e6,
                                     .nstations = 465,
                                     .road_sc = 150.0,
                                     .road_so = 210.0,
                                     .road_rin = 6.0,
                                     .road_rout = 30.0,
                                     .rural_bends = 3.5,
                                     .nrings = 5,
                                     .nvillages = 2400};

/* Syllables for generated names: common first and second characters of Beijing place names, plus a few
 * GBK-only characters at a low rate. */
static const char *const syl_a[] = {
    "安", "宝", "北", "长", "崇", "大", "德", "东", "丰", "福", "高", "广", "和", "红", "华", "黄", "金",
    "京", "景", "康", "乐", "立", "莲", "龙", "马", "南", "平", "青", "清", "瑞", "三", "沙", "上", "石",
    "双", "顺", "太", "天", "通", "万", "西", "祥", "新", "兴", "燕", "永", "玉", "裕", "芳", "百", "柳",
    "桃", "杨", "樱", "梅", "花", "嘉", "富", "文", "育", "春", "秋", "白", "翠", "六", "八", "十", "小"};
static const char *const syl_b[] = {"安", "坝", "宝", "城", "店", "坊", "峰", "沟", "谷", "河", "湖", "桥",
                                    "泉", "山", "水", "台", "屯", "湾", "营", "园", "苑", "庄", "村", "港",
                                    "林", "庙", "门", "平", "口", "坡", "各", "里", "岭", "寺", "堡", "洼",
                                    "甸", "塔", "亭", "府", "源", "阳", "兴", "旺", "丰", "宁", "昌", "和"};
static const char *const syl_gbk[] = {"堃", "喆", "昇"};

void gc_name_make(uint64_t seed, uint64_t a, uint64_t b, char *out, size_t cap)
{
    uint64_t h = gc_hash4(seed, a, b, 0x6e616d65);
    size_t na = sizeof syl_a / sizeof syl_a[0], nb = sizeof syl_b / sizeof syl_b[0];
    const char *s1 = syl_a[h % na];
    const char *s2 = syl_b[(h >> 16) % nb];
    if ((h >> 40) % 61 == 0) s1 = syl_gbk[(h >> 48) % 3];
    snprintf(out, cap, "%s%s", s1, s2);
}

typedef struct sub_order {
    int sub;
    double d;
} sub_order;

static int cmp_order(const void *a, const void *b)
{
    const sub_order *x = a, *y = b;
    if (x->d != y->d) return x->d < y->d ? -1 : 1;
    return x->sub - y->sub;
}

static bool name_used(const gc_city *c, const char *name)
{
    for (int i = 0; i < c->nsubs; i++)
        if (strcmp(c->subs[i].name, name) == 0) return true;
    return false;
}

static bool ends_with(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && strcmp(s + n - m, suf) == 0;
}

static const char *const suffixes[] = {"街道", "地区", "镇", "乡"};

/* The next real name of district d with suffix `suf` not used yet, or NULL. */
static const char *next_real(const gc_city *c, int d, const char *suf)
{
    const char *const *r = c->p.dists[d].real;
    for (; r && *r; r++) {
        /* "满族乡" and "回族乡" end in 乡; "地区" must not be taken for 街道 */
        if (ends_with(*r, suf) && !(strcmp(suf, "街道") != 0 && ends_with(*r, "街道")) && !name_used(c, *r))
            return *r;
    }
    return NULL;
}

int gc_name_subdistricts(gc_city *c)
{
    int rc = -1;
    sub_order *ord = malloc((size_t)c->nsubs * sizeof *ord);
    if (!ord) {
        gc_err("out of memory");
        return -1;
    }
    for (int i = 0; i < c->nsubs; i++)
        c->subs[i].name[0] = '\0';
    for (int d = 0; d < c->p.ndist; d++) {
        const gc_district_def *dd = &c->p.dists[d];
        double sx = c->cx + dd->u * 1000.0 * c->scale, sy = c->cy + dd->v * 1000.0 * c->scale;
        int n = 0;
        for (int i = 0; i < c->nsubs; i++)
            if (c->subs[i].district == d) {
                ord[n].sub = i;
                ord[n].d = hypot(c->subs[i].centroid.x - sx, c->subs[i].centroid.y - sy);
                n++;
            }
        qsort(ord, (size_t)n, sizeof *ord, cmp_order);
        int codes[4] = {1, 101, 201, 1};
        for (int k = 0; k < n; k++) {
            int type; /* index into suffixes */
            if (dd->kind == 0)
                type = 0;
            else if (dd->kind == 1)
                type = k < (n * 7 + 9) / 10 ? 0 : 1;
            else if (k < (n + 6) / 7)
                type = 0;
            else if (n >= 5 && k >= n - n / 7)
                type = 3;
            else
                type = 2;
            gc_sub *s = &c->subs[ord[k].sub];
            const char *real = next_real(c, d, suffixes[type]);
            if (real) {
                snprintf(s->name, sizeof s->name, "%s", real);
            } else {
                char stem[32], cand[64];
                for (uint64_t attempt = 0;; attempt++) {
                    gc_name_make(c->seed, (uint64_t)d * 1000 + (uint64_t)k, attempt, stem, sizeof stem);
                    snprintf(cand, sizeof cand, "%s%s", stem, suffixes[type]);
                    if (!name_used(c, cand)) break;
                    if (attempt > 10000) {
                        gc_err("cannot find a free sub-district name");
                        goto done;
                    }
                }
                snprintf(s->name, sizeof s->name, "%s", cand);
            }
            size_t len = strlen(s->name), sl = strlen(suffixes[type]);
            snprintf(s->base, sizeof s->base, "%.*s", (int)(len - sl), s->name);
            /* 满族乡 / 回族乡: keep the base readable */
            int num = codes[type == 1 ? 0 : type]++;
            snprintf(s->code, sizeof s->code, "%s%03d", dd->code, num);
        }
    }
    rc = 0;
done:
    free(ord);
    return rc;
}
