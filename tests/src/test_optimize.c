/* tests/src/test_optimize.c: site optimisation on instances whose answers are known independently:
 * a hand-made instance where greedy is fooled and one swap repairs it; disjoint coverage sets (greedy is
 * provably optimal there); seeded random instances where the exact GLPK answer must equal a brute force over
 * all k-subsets, the lazy (CELF) greedy must equal a plain greedy written here, and greedy must reach
 * (1 - 1/e) of the optimum; LSCP against a brute force of the fewest sites; MEXCLP worked by hand. */
#include "test_util.h"

#include "src/analysis/optimize.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifndef M_E
#define M_E 2.71828182845904523536
#endif

typedef struct inst {
    opt_instance in;
    double w[64];
    size_t start[33];
    uint32_t pts[32 * 64];
} inst;

/* Build from per-candidate bit masks over up to 64 points. */
static void from_masks(inst *t, size_t ncand, size_t npts, const uint64_t *mask, const double *w)
{
    memset(t, 0, sizeof *t);
    size_t n = 0;
    for (size_t c = 0; c < ncand; c++) {
        t->start[c] = n;
        for (size_t p = 0; p < npts; p++)
            if (mask[c] >> p & 1)
                t->pts[n++] = (uint32_t)p;
    }
    t->start[ncand] = n;
    memcpy(t->w, w, npts * sizeof *w);
    t->in = (opt_instance){ncand, npts, t->w, t->start, t->pts, NULL, NULL};
}

static double value_of(size_t npts, const uint64_t *mask, const double *w, const uint32_t *sel, size_t k)
{
    uint64_t u = 0;
    for (size_t j = 0; j < k; j++)
        u |= mask[sel[j]];
    double v = 0;
    for (size_t p = 0; p < npts; p++)
        if (u >> p & 1)
            v += w[p];
    return v;
}

/* Brute force: the best covered weight over all k-subsets of ncand (ncand <= 20). */
static double brute_best(size_t ncand, size_t npts, const uint64_t *mask, const double *w, size_t k)
{
    double best = 0;
    for (uint32_t s = 0; s < (1u << ncand); s++) {
        if ((size_t)__builtin_popcount(s) != k)
            continue;
        uint64_t u = 0;
        for (size_t c = 0; c < ncand; c++)
            if (s >> c & 1)
                u |= mask[c];
        double v = 0;
        for (size_t p = 0; p < npts; p++)
            if (u >> p & 1)
                v += w[p];
        if (v > best)
            best = v;
    }
    return best;
}

/* Points a1 a2 b1 b2 (3 each) and x (1): C0 = {a1, a2}, C1 = {b1, b2}, C2 = {a1, b1, x}. Greedy, k = 2: C2 (7),
 * then C0 (+3, tie with C1 goes to the lower index) = 10; the optimum C0 + C1 = 12, found by swapping C2 for C1:
 * C2 alone covers b1 and x (loss 4), C1 adds b1 and b2 (+6). */
static void test_greedy_swap_hand(void **state)
{
    emscov_ctx *ctx = *state;
    const uint64_t mask[] = {0x3, 0xC, 0x15};
    const double w[] = {3, 3, 3, 3, 1};
    inst t;
    from_masks(&t, 3, 5, mask, w);
    opt_greedy_result r;
    assert_ok(ctx, opt_greedy(ctx, &t.in, 2, true, &r));
    assert_int_equal(r.order[0], 2);
    assert_int_equal(r.order[1], 0);
    assert_close(r.gain[0], 7, 0);
    assert_close(r.gain[1], 3, 0);
    assert_close(r.curve[0], 7, 0);
    assert_close(r.greedy_value, 10, 0);
    assert_close(r.value, 12, 0);
    assert_int_equal(r.swaps, 1);
    assert_int_equal(r.sel[0], 1); /* C2 replaced in place by C1 */
    assert_int_equal(r.sel[1], 0);
    opt_greedy_fini(&r);
    opt_exact_result e;
    assert_ok(ctx, opt_exact_mclp(ctx, &t.in, 2, NULL, &e));
    assert_int_equal(e.status, OPT_EXACT_OPTIMAL);
    assert_close(e.value, 12, 0);
    assert_int_equal(e.nsel, 2);
    assert_int_equal(e.sel[0], 0);
    assert_int_equal(e.sel[1], 1);
    assert_int_equal(e.groups, 5); /* every point has its own covering set */
    opt_exact_fini(&e);
    /* bad input: more sites than candidates */
    assert_status_msg(ctx, opt_greedy(ctx, &t.in, 4, true, &r), EMS_EINPUT, "k = 4 sites asked for, but there are 3");
    assert_status_msg(ctx, opt_exact_mclp(ctx, &t.in, 0, NULL, &e), EMS_EINPUT, "k = 0");
    /* a size limit below the model is reported, not attempted */
    opt_exact_opts o = {.max_nonzeros = 5};
    assert_ok(ctx, opt_exact_mclp(ctx, &t.in, 2, &o, &e));
    assert_int_equal(e.status, OPT_EXACT_TOO_LARGE);
    assert_int_equal(e.nonzeros, 7 + 5 + 3); /* covering entries + one y per group + the k row */
    opt_exact_fini(&e);
}

/* Disjoint coverage sets: the best k are the k heaviest sets, which greedy takes. */
static void test_disjoint(void **state)
{
    emscov_ctx *ctx = *state;
    const uint64_t mask[] = {0x3, 0x4, 0x38, 0xC0, 0x100, 0x600};
    const double w[] = {1, 2, 10, 1, 1, 1, 4, 4, 7, 0.5, 0.25};
    /* set weights: 3, 10, 3, 8, 7, 0.75 */
    inst t;
    from_masks(&t, 6, 11, mask, w);
    const double want[] = {10, 18, 25, 28, 31, 31.75};
    for (size_t k = 1; k <= 6; k++) {
        opt_greedy_result r;
        opt_exact_result e;
        assert_ok(ctx, opt_greedy(ctx, &t.in, k, true, &r));
        assert_ok(ctx, opt_exact_mclp(ctx, &t.in, k, NULL, &e));
        assert_close(r.greedy_value, want[k - 1], 1e-12);
        assert_close(r.value, want[k - 1], 1e-12);
        assert_int_equal(r.swaps, 0);
        assert_close(e.value, want[k - 1], 1e-12);
        assert_close(brute_best(6, 11, mask, w, k), want[k - 1], 1e-12);
        opt_greedy_fini(&r);
        opt_exact_fini(&e);
    }
}

static uint64_t rs;
static double rnd(void)
{
    rs = rs * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(rs >> 11) / 9007199254740992.0;
}

/* Plain greedy (no laziness), ties to the lowest index. */
static double plain_greedy(size_t ncand, size_t npts, const uint64_t *mask, const double *w, size_t k, uint32_t *sel)
{
    uint64_t u = 0;
    for (size_t j = 0; j < k; j++) {
        double bg = -1;
        for (uint32_t c = 0; c < ncand; c++) {
            double g = 0;
            for (size_t p = 0; p < npts; p++)
                if ((mask[c] & ~u) >> p & 1)
                    g += w[p];
            if (g > bg)
                bg = g, sel[j] = c;
        }
        u |= mask[sel[j]];
    }
    return value_of(npts, mask, w, sel, k);
}

static void test_random_vs_brute_force(void **state)
{
    emscov_ctx *ctx = *state;
    rs = 20261123;
    for (int trial = 0; trial < 12; trial++) {
        size_t ncand = 12 + (size_t)(rnd() * 9), npts = 30 + (size_t)(rnd() * 30);
        uint64_t mask[32];
        double w[64];
        for (size_t p = 0; p < npts; p++)
            w[p] = 1 + (double)(int)(rnd() * 100);
        for (size_t c = 0; c < ncand; c++) {
            mask[c] = 0;
            for (size_t p = 0; p < npts; p++)
                if (rnd() < 0.15)
                    mask[c] |= 1ULL << p;
        }
        inst t;
        from_masks(&t, ncand, npts, mask, w);
        for (size_t k = 1; k <= 4; k++) {
            double best = brute_best(ncand, npts, mask, w, k);
            uint32_t ref[8];
            double plain = plain_greedy(ncand, npts, mask, w, k, ref);
            opt_greedy_result r;
            opt_exact_result e;
            assert_ok(ctx, opt_greedy(ctx, &t.in, k, true, &r));
            assert_ok(ctx, opt_exact_mclp(ctx, &t.in, k, NULL, &e));
            assert_int_equal(e.status, OPT_EXACT_OPTIMAL);
            assert_close(e.value, best, 1e-9);
            assert_close(value_of(npts, mask, w, e.sel, e.nsel), best, 1e-9);
            assert_close(r.greedy_value, plain, 1e-9);
            assert_memory_equal(r.order, ref, k * sizeof *ref);
            assert_true(r.value >= r.greedy_value);
            assert_true(r.value <= best + 1e-9);
            assert_close(value_of(npts, mask, w, r.sel, k), r.value, 1e-9);
            assert_true(r.greedy_value >= (1 - 1 / M_E) * best - 1e-9);
            opt_greedy_fini(&r);
            opt_exact_fini(&e);
        }
    }
}

/* Fewest sites by brute force: every group gets its need and the weight reaches need_weight. */
static size_t brute_lscp(size_t ncand, size_t npts, const uint64_t *mask, const double *w, const uint32_t *grp,
                         const uint32_t *need, size_t ng, double need_w)
{
    size_t best = SIZE_MAX;
    for (uint32_t s = 0; s < (1u << ncand); s++) {
        size_t n = (size_t)__builtin_popcount(s);
        if (n >= best)
            continue;
        uint32_t have[8] = {0};
        uint64_t u = 0;
        for (size_t c = 0; c < ncand; c++)
            if (s >> c & 1) {
                u |= mask[c];
                if (grp[c] != OPT_NONE)
                    have[grp[c]]++;
            }
        bool ok = true;
        for (size_t g = 0; g < ng; g++)
            ok = ok && have[g] >= need[g];
        double v = 0;
        for (size_t p = 0; p < npts; p++)
            if (u >> p & 1)
                v += w[p];
        if (ok && v >= need_w - 1e-9)
            best = n;
    }
    return best;
}

static void test_lscp(void **state)
{
    emscov_ctx *ctx = *state;
    /* hand-worked: the disjoint instance; group 0 = {C0, C5} needs one site; weight 20 needs C1 (10) + C3 (8)
     * + one more: C0 (3) from the group gives 21 with 3 sites */
    const uint64_t dm[] = {0x3, 0x4, 0x38, 0xC0, 0x100, 0x600};
    const double dw[] = {1, 2, 10, 1, 1, 1, 4, 4, 7, 0.5, 0.25};
    const uint32_t dg[] = {0, OPT_NONE, OPT_NONE, OPT_NONE, OPT_NONE, 0};
    const uint32_t dn[] = {1};
    inst t;
    from_masks(&t, 6, 11, dm, dw);
    opt_lscp_problem p = {&t.in, 20, dg, dn, 1};
    opt_exact_opts eo = {.time_limit_s = 10};
    opt_lscp_result r;
    assert_ok(ctx, opt_lscp(ctx, &p, &eo, &r));
    assert_true(r.feasible);
    assert_int_equal(r.nsel, 3);
    assert_int_equal(r.lower_bound, 3);
    assert_int_equal(r.exact.status, OPT_EXACT_OPTIMAL);
    assert_close(r.value, 21, 1e-12);
    opt_lscp_fini(&r);
    /* unreachable weight: reports the most reachable (31.75) */
    p.need_weight = 40;
    assert_ok(ctx, opt_lscp(ctx, &p, NULL, &r));
    assert_false(r.feasible);
    assert_close(r.max_weight, 31.75, 1e-12);
    opt_lscp_fini(&r);
    /* a group without candidates */
    const uint32_t dn2[] = {1, 1};
    opt_lscp_problem p2 = {&t.in, 5, dg, dn2, 2};
    assert_ok(ctx, opt_lscp(ctx, &p2, NULL, &r));
    assert_false(r.feasible);
    assert_int_equal(r.groups_short, 1);
    assert_int_equal(r.first_short, 1);
    opt_lscp_fini(&r);

    /* random: exact = brute force; greedy >= exact and its lower bound <= exact */
    rs = 7;
    for (int trial = 0; trial < 10; trial++) {
        size_t ncand = 10 + (size_t)(rnd() * 7), npts = 30;
        uint64_t mask[32];
        double w[64], total = 0;
        uint32_t grp[32], need[3] = {1, 1, 0};
        for (size_t q = 0; q < npts; q++)
            total += w[q] = 1 + (double)(int)(rnd() * 50);
        for (size_t c = 0; c < ncand; c++) {
            mask[c] = 0;
            for (size_t q = 0; q < npts; q++)
                if (rnd() < 0.2)
                    mask[c] |= 1ULL << q;
            grp[c] = rnd() < 0.6 ? (uint32_t)(rnd() * 3) : OPT_NONE;
        }
        grp[0] = 0, grp[1] = 1; /* every group with a need has a candidate */
        inst ti;
        from_masks(&ti, ncand, npts, mask, w);
        opt_lscp_problem pr = {&ti.in, 0, grp, need, 3};
        assert_ok(ctx, opt_lscp(ctx, &pr, NULL, &r)); /* the reachable maximum first */
        double maxw = r.max_weight;
        opt_lscp_fini(&r);
        pr.need_weight = 0.8 * maxw;
        size_t want = brute_lscp(ncand, npts, mask, w, grp, need, 3, pr.need_weight);
        opt_lscp_result g;
        assert_ok(ctx, opt_lscp(ctx, &pr, NULL, &g));
        assert_ok(ctx, opt_lscp(ctx, &pr, &eo, &r));
        assert_true(r.feasible);
        assert_int_equal(r.exact.status, OPT_EXACT_OPTIMAL);
        assert_int_equal(r.nsel, want);
        assert_true(g.nsel >= want);
        assert_true(g.lower_bound <= want);
        assert_true(g.value >= pr.need_weight - 1e-9);
        assert_true(r.value >= pr.need_weight - 1e-9);
        (void)total;
        opt_lscp_fini(&g);
        opt_lscp_fini(&r);
    }
}

/* 200 calls a day x 60 min over 10 ambulances: q = 12000 / 14400 = 5/6. Points: 100 people with 2 ambulances
 * within the standard: 100 (1 - 25/36); 50 with 1: 50 / 6; 30 with none: 0. Sum = 1400 / 36. */
static void test_mexclp(void **state)
{
    (void)state;
    double q = opt_mexclp_busy(200, 60, 10);
    assert_close(q, 5.0 / 6, 1e-15);
    const double w[] = {100, 50, 30}, n[] = {2, 1, 0};
    assert_close(opt_mexclp_expected(3, w, n, q), 1400.0 / 36, 1e-12);
    assert_close(opt_mexclp_expected(3, w, n, 0), 150, 0); /* never busy: plain coverage */
    assert_close(opt_mexclp_expected(3, w, n, 1.2), 0, 0); /* overloaded */
    assert_true(isinf(opt_mexclp_busy(200, 60, 0)));
}


/* Equal gains go to the better tie rank, then the lower index: candidates 0..3 each cover one point of weight
 * 5 (gains all equal); ranks {4, 2, 1, 3} -> picks 2, 1, 3. Without ranks: 0, 1, 2. Candidate 4 covers a
 * point of weight 6 and comes first either way (the gain decides before the rank). */
static void test_tie_rank(void **state)
{
    emscov_ctx *ctx = *state;
    const uint64_t mask[5] = {1u << 0, 1u << 1, 1u << 2, 1u << 3, 1u << 4};
    const double w[5] = {5, 5, 5, 5, 6};
    inst t;
    from_masks(&t, 5, 5, mask, w);
    opt_greedy_result g;
    assert_ok(ctx, opt_greedy(ctx, &t.in, 4, false, &g));
    const uint32_t plain[4] = {4, 0, 1, 2};
    for (size_t j = 0; j < 4; j++)
        assert_int_equal(g.order[j], plain[j]);
    opt_greedy_fini(&g);
    const uint32_t rank[5] = {4, 2, 1, 3, 5};
    t.in.tie_rank = rank;
    assert_ok(ctx, opt_greedy(ctx, &t.in, 4, true, &g));
    const uint32_t ranked[4] = {4, 2, 1, 3};
    for (size_t j = 0; j < 4; j++)
        assert_int_equal(g.order[j], ranked[j]);
    assert_close(g.value, 21, 0);
    opt_greedy_fini(&g);
}

/* The objective ladder, worked by hand. Points p0 (10) and p1 (1) not covered yet; backup points b0 (100), b1
 * (5) covered once by the open stations. Groups 0, 1, 2 each need one site.
 *   C0 {p0}, group 0     C1 {}, group 1, mean -2    C2 {}, group 1, mean -5    C3 {} backup {b0}
 *   C4 {} group 2, backup {b1}    C5 {} group 2, backup {b0}    C6 {} group 0    C7 {p1}
 * Picks: C0 (covers 10), C7 (covers 1: coverage before everything else), then nothing adds coverage: C5 (fills
 * group 2 and b0: 100 beats C4's 5), C2 (fills group 1; backup 0 for both, mean -5 beats -2), C4 (no group
 * left to fill for C1, C4, C6; backup: C4 b1 5, C3 b0 now 0) -> C0 C7 C5 C2 C4. Without the ladder the
 * zero-gain picks go by index: C0 C7 C1 C2 C3. */
static void test_ladder(void **state)
{
    emscov_ctx *ctx = *state;
    const uint64_t mask[8] = {1u << 0, 0, 0, 0, 0, 0, 0, 1u << 1};
    const double w[2] = {10, 1};
    inst t;
    from_masks(&t, 8, 2, mask, w);
    const uint32_t grp[8] = {0, 1, 1, OPT_NONE, 2, 2, 0, OPT_NONE}, need[3] = {1, 1, 1};
    const double bw[2] = {100, 5}, mean[8] = {0, -2, -5, 0, 0, 0, 0, 0};
    const size_t bstart[9] = {0, 0, 0, 0, 1, 2, 3, 3, 3};
    const uint32_t bpts[3] = {0, 1, 0};
    opt_ladder l = {grp, need, 3, 2, bw, bstart, bpts, mean};
    opt_greedy_result g;
    assert_ok(ctx, opt_greedy(ctx, &t.in, 5, true, &g));
    const uint32_t plain[5] = {0, 7, 1, 2, 3};
    for (size_t j = 0; j < 5; j++)
        assert_int_equal(g.order[j], plain[j]);
    opt_greedy_fini(&g);
    t.in.ladder = &l;
    assert_ok(ctx, opt_greedy(ctx, &t.in, 5, true, &g));
    const uint32_t want[5] = {0, 7, 5, 2, 4};
    for (size_t j = 0; j < 5; j++)
        assert_int_equal(g.sel[j], want[j]);
    assert_close(g.value, 11, 0);
    assert_int_equal(g.swaps, 0);
    opt_greedy_fini(&g);
    /* a backup point out of range is refused */
    const uint32_t bad[3] = {0, 2, 0};
    l.bpts = bad;
    assert_status_msg(ctx, opt_greedy(ctx, &t.in, 2, false, &g), EMS_EINTERNAL, "backup point 2 out of range");
}

/* Backup from the picks themselves: p0 (4) is covered by C0 and C1, C2 covers only the backup point b0 (3).
 * Pick 1: C0 (tie with C1 by index); pick 2: C1 adds no coverage but covers p0 a second time (4 > C2's 3). */
static void test_ladder_second_pick(void **state)
{
    emscov_ctx *ctx = *state;
    const uint64_t mask[3] = {1, 1, 0};
    const double w[1] = {4};
    inst t;
    from_masks(&t, 3, 1, mask, w);
    const uint32_t grp[3] = {OPT_NONE, OPT_NONE, OPT_NONE};
    const double bw[1] = {3};
    const size_t bstart[4] = {0, 0, 0, 1};
    const uint32_t bpts[1] = {0};
    opt_ladder l = {grp, NULL, 0, 1, bw, bstart, bpts, NULL};
    t.in.ladder = &l;
    opt_greedy_result g;
    assert_ok(ctx, opt_greedy(ctx, &t.in, 2, false, &g));
    assert_int_equal(g.order[0], 0);
    assert_int_equal(g.order[1], 1);
    opt_greedy_fini(&g);
}

/* LSCP's gap step takes the best-ranked candidate of the gap when gains are equal (issue 18: it took the lowest
 * index). One point (weight 1) no candidate covers; group 0 = {C0, C1, C2} needs one site; ranks 3, 1, 2. */
static void test_lscp_gap_rank(void **state)
{
    emscov_ctx *ctx = *state;
    const uint64_t mask[3] = {0, 0, 0};
    const double w[1] = {1};
    inst t;
    from_masks(&t, 3, 1, mask, w);
    const uint32_t grp[3] = {0, 0, 0}, need[1] = {1}, rank[3] = {3, 1, 2};
    opt_lscp_problem p = {&t.in, 0, grp, need, 1};
    opt_lscp_result r;
    assert_ok(ctx, opt_lscp(ctx, &p, NULL, &r));
    assert_int_equal(r.nsel, 1);
    assert_int_equal(r.sel[0], 0); /* no ranks: the lowest index */
    opt_lscp_fini(&r);
    t.in.tie_rank = rank;
    assert_ok(ctx, opt_lscp(ctx, &p, NULL, &r));
    assert_int_equal(r.nsel, 1);
    assert_int_equal(r.sel[0], 1);
    opt_lscp_fini(&r);
}

/* MEXCLP as the objective. 200 calls/day x 60 min; 8 ambulances open, 2 per new site: q0 = 12000 / 11520 >= 1
 * (E = 0), q1 = 12000 / 14400 = 5/6, q2 = 12000 / 17280 = 25/36. p0: 100 people, no ambulance within the
 * standard; p1: 200 people, 2 ambulances. C0 covers p0, C1 covers p1. Coverage alone would take C0 (100 new);
 * MEXCLP scores C0 100 x (5/6)^0 = 100 and C1 200 x (5/6)^2 = 138.9: C1 first. E1 = 200 (1 - (5/6)^4) =
 * 200 x 671/1296. Pick 2 (C0) at q2: E2 = 100 (1 - (25/36)^2) + 200 (1 - (25/36)^4). */
static void test_mexclp_greedy(void **state)
{
    emscov_ctx *ctx = *state;
    const double w[2] = {100, 200}, amb[2] = {0, 2};
    const size_t start[3] = {0, 1, 2};
    const uint32_t pts[2] = {0, 1};
    opt_mexclp_instance in = {2, 2, w, amb, start, pts, 2, 200, 60, 8, NULL};
    opt_greedy_result g;
    assert_ok(ctx, opt_greedy_mexclp(ctx, &in, 2, &g));
    assert_int_equal(g.sel[0], 1);
    assert_int_equal(g.sel[1], 0);
    double e1 = 200.0 * 671 / 1296, e2 = 100.0 * 671 / 1296 + 200.0 * (1679616 - 390625) / 1679616;
    assert_close(g.curve[0], e1, 1e-9);
    assert_close(g.gain[0], e1, 1e-9);
    assert_close(g.curve[1], e2, 1e-9);
    assert_close(g.gain[1], e2 - e1, 1e-9);
    assert_close(g.value, e2, 1e-9);
    opt_greedy_fini(&g);
    /* 300 calls: q1 = 18000 / 14400 >= 1, the model does not apply */
    in.calls_per_day = 300;
    assert_status_msg(ctx, opt_greedy_mexclp(ctx, &in, 1, &g), EMS_EINPUT, "more work than ambulances");
    in.calls_per_day = 200;
    assert_status_msg(ctx, opt_greedy_mexclp(ctx, &in, 3, &g), EMS_EINPUT, "k = 3");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_greedy_swap_hand),
        cmocka_unit_test(test_tie_rank),
        cmocka_unit_test(test_disjoint),
        cmocka_unit_test(test_random_vs_brute_force),
        cmocka_unit_test(test_lscp),
        cmocka_unit_test(test_mexclp),
        cmocka_unit_test(test_ladder),
        cmocka_unit_test(test_ladder_second_pick),
        cmocka_unit_test(test_lscp_gap_rank),
        cmocka_unit_test(test_mexclp_greedy),
    };
    return cmocka_run_group_tests(tests, tu_ctx_setup, tu_ctx_teardown);
}
