/* geo/filter.c: attribute filters (see filter.h): a small tokenizer and parser for AND-ed conditions, then one
 * pass over the features. */
#include "geo/filter.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef enum { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_IN, OP_NOT_IN, OP_NULL, OP_NOT_NULL } filter_op;

typedef struct fvalue {
    char *text;
    double num; /* NaN when the text is not a number */
} fvalue;

typedef struct cond {
    int field;
    filter_op op;
    fvalue *vals;
    size_t nvals;
} cond;

typedef enum { T_END, T_WORD, T_NUMBER, T_STRING, T_IDENT, T_OP, T_LPAREN, T_RPAREN, T_COMMA } tok_kind;

typedef struct parser {
    emscov_ctx *ctx;
    const layer *l;
    const char *expr, *p;
    tok_kind kind;
    char *text; /* the token's text (owned) */
    const char *start;
    cond *conds;
    size_t nconds, cap;
} parser;

static ems_status syntax(parser *ps, const char *what)
{
    return emscov_fail(ps->ctx, EMS_EINPUT, "%s: filter \"%s\": %s at offset %d", layer_path(ps->l), ps->expr,
                       what, (int)(ps->start - ps->expr));
}

static double as_number(const char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    if (!*s)
        return NAN;
    char *end;
    double v = strtod(s, &end);
    while (isspace((unsigned char)*end))
        end++;
    return *end || !isfinite(v) ? NAN : v;
}

/* Next token into ps->kind / ps->text. Quoted text allows a doubled quote for the quote itself. */
static ems_status next(parser *ps)
{
    free(ps->text);
    ps->text = NULL;
    while (isspace((unsigned char)*ps->p))
        ps->p++;
    ps->start = ps->p;
    const char *p = ps->p;
    if (!*p) {
        ps->kind = T_END;
        return EMS_OK;
    }
    size_t len = 1;
    if (*p == '(' || *p == ')' || *p == ',') {
        ps->kind = *p == '(' ? T_LPAREN : *p == ')' ? T_RPAREN : T_COMMA;
    } else if (strchr("=!<>", *p)) {
        ps->kind = T_OP;
        if ((p[0] == '!' || p[0] == '<' || p[0] == '>') && p[1] == '=')
            len = 2;
        else if (p[0] == '<' && p[1] == '>')
            len = 2;
        else if (p[0] == '!')
            return syntax(ps, "'!' must be followed by '='");
    } else if (*p == '\'' || *p == '"') {
        char q = *p;
        ps->kind = q == '\'' ? T_STRING : T_IDENT;
        size_t n = 0, cap = strlen(p) + 1;
        char *out = ems_malloc(ps->ctx, cap);
        if (!out)
            return EMS_ENOMEM;
        const char *s = p + 1;
        for (;; s++) {
            if (!*s) {
                free(out);
                return syntax(ps, q == '\'' ? "unterminated 'text'" : "unterminated \"name\"");
            }
            if (*s == q) {
                if (s[1] != q)
                    break;
                s++;
            }
            out[n++] = *s;
        }
        out[n] = '\0';
        ps->text = out;
        ps->p = s + 1;
        return EMS_OK;
    } else {
        /* a word or a number: anything up to space, an operator, a parenthesis or a comma */
        while (p[len] && !isspace((unsigned char)p[len]) && !strchr("=!<>(),'\"", p[len]))
            len++;
        ps->kind = T_WORD; /* T_NUMBER when it reads as one, below */
    }
    ps->text = ems_strndup(ps->ctx, p, len);
    if (!ps->text)
        return EMS_ENOMEM;
    if (ps->kind == T_WORD && !isnan(as_number(ps->text)))
        ps->kind = T_NUMBER;
    ps->p = p + len;
    return EMS_OK;
}

static bool is_kw(const parser *ps, const char *kw)
{
    return ps->kind == T_WORD && !strcasecmp(ps->text, kw);
}

static ems_status add_value(parser *ps, cond *c, size_t *cap)
{
    if (ps->kind != T_NUMBER && ps->kind != T_STRING && ps->kind != T_WORD)
        return syntax(ps, "expected a value");
    if (!ems_grow(ps->ctx, (void **)&c->vals, cap, c->nvals + 1, sizeof *c->vals))
        return EMS_ENOMEM;
    fvalue *v = &c->vals[c->nvals++];
    v->text = ps->text;
    v->num = ps->kind == T_STRING ? as_number(ps->text) : ps->kind == T_NUMBER ? as_number(ps->text) : NAN;
    ps->text = NULL;
    return next(ps);
}

static ems_status parse_cond(parser *ps, cond *c)
{
    if (ps->kind != T_WORD && ps->kind != T_IDENT)
        return syntax(ps, "expected a field name");
    c->field = layer_field_index(ps->l, ps->text);
    if (c->field < 0) {
        char names[512] = "";
        size_t used = 0;
        for (size_t j = 0; j < layer_field_count(ps->l) && used + 2 < sizeof names; j++) {
            int w = snprintf(names + used, sizeof names - used, "%s%s", j ? ", " : "", layer_field_at(ps->l, j)->name);
            used += w > 0 ? (size_t)w : 0;
        }
        return emscov_fail(ps->ctx, EMS_EINPUT, "%s: filter \"%s\": no field %s (the fields are: %s)",
                           layer_path(ps->l), ps->expr, ps->text, used ? names : "none");
    }
    ems_status st = next(ps);
    size_t cap = 0;
    if (st != EMS_OK)
        return st;
    if (is_kw(ps, "is")) {
        if ((st = next(ps)) != EMS_OK)
            return st;
        c->op = OP_NULL;
        if (is_kw(ps, "not")) {
            c->op = OP_NOT_NULL;
            if ((st = next(ps)) != EMS_OK)
                return st;
        }
        if (!is_kw(ps, "null"))
            return syntax(ps, "expected NULL after IS");
        return next(ps);
    }
    bool negate = false;
    if (is_kw(ps, "not")) {
        negate = true;
        if ((st = next(ps)) != EMS_OK)
            return st;
        if (!is_kw(ps, "in"))
            return syntax(ps, "expected IN after NOT");
    }
    if (is_kw(ps, "in")) {
        c->op = negate ? OP_NOT_IN : OP_IN;
        if ((st = next(ps)) != EMS_OK)
            return st;
        if (ps->kind != T_LPAREN)
            return syntax(ps, "expected ( after IN");
        if ((st = next(ps)) != EMS_OK)
            return st;
        for (;;) {
            if ((st = add_value(ps, c, &cap)) != EMS_OK)
                return st;
            if (ps->kind == T_RPAREN)
                return next(ps);
            if (ps->kind != T_COMMA)
                return syntax(ps, "expected , or ) in the IN list");
            if ((st = next(ps)) != EMS_OK)
                return st;
        }
    }
    if (ps->kind != T_OP)
        return syntax(ps, "expected an operator (=, !=, <>, <, <=, >, >=, IN, NOT IN, IS NULL)");
    static const struct { const char *s; filter_op op; } ops[] = {
        {"=", OP_EQ}, {"!=", OP_NE}, {"<>", OP_NE}, {"<", OP_LT}, {"<=", OP_LE}, {">", OP_GT}, {">=", OP_GE}};
    for (size_t k = 0; k < sizeof ops / sizeof *ops; k++)
        if (!strcmp(ps->text, ops[k].s))
            c->op = ops[k].op;
    if ((st = next(ps)) != EMS_OK)
        return st;
    return add_value(ps, c, &cap);
}

/* Value v of field j as text (NULL when null, or a double NaN) and as a number (NaN when not numeric): text as
 * is, other types as layer_value_format writes them; a date's number is yyyymmdd. */
static const char *value_text(const layer *l, size_t j, const layer_value *v, char *buf, size_t len, double *num)
{
    *num = NAN;
    if (!v || v->is_null)
        return NULL;
    switch (layer_field_at(l, j)->type) {
    case LAYER_FIELD_STRING:
        *num = as_number(v->u.s);
        return v->u.s;
    case LAYER_FIELD_DATE:
        *num = v->u.date;
        break;
    case LAYER_FIELD_DOUBLE:
        if (isnan(v->u.d))
            return NULL;
        *num = v->u.d;
        break;
    default:
        *num = layer_value_to_number(l, j, v);
        break;
    }
    return layer_value_format(l, j, v, buf, len);
}
static int compare(const char *text, double num, const fvalue *v)
{
    if (!isnan(num) && !isnan(v->num))
        return (num > v->num) - (num < v->num);
    int c = strcmp(text, v->text);
    return (c > 0) - (c < 0);
}

static bool matches(const layer *l, const layer_value *row, const cond *c)
{
    char buf[64];
    double num;
    const char *text = value_text(l, (size_t)c->field, row ? &row[c->field] : NULL, buf, sizeof buf, &num);
    if (c->op == OP_NULL || c->op == OP_NOT_NULL)
        return (text == NULL) == (c->op == OP_NULL);
    if (!text)
        return false;
    if (c->op == OP_IN || c->op == OP_NOT_IN) {
        bool in = false;
        for (size_t k = 0; k < c->nvals && !in; k++)
            in = compare(text, num, &c->vals[k]) == 0;
        return in == (c->op == OP_IN);
    }
    int r = compare(text, num, &c->vals[0]);
    switch (c->op) {
    case OP_EQ: return r == 0;
    case OP_NE: return r != 0;
    case OP_LT: return r < 0;
    case OP_LE: return r <= 0;
    case OP_GT: return r > 0;
    case OP_GE: return r >= 0;
    default: return false;
    }
}

static bool all_match(const layer *l, const layer_value *row, const parser *ps)
{
    for (size_t k = 0; k < ps->nconds; k++)
        if (!matches(l, row, &ps->conds[k]))
            return false;
    return true;
}

ems_status layer_filter(emscov_ctx *ctx, layer *l, const char *expr, size_t *kept)
{
    parser ps = {.ctx = ctx, .l = l, .expr = expr, .p = expr, .start = expr};
    bool *keep = NULL;
    size_t n = layer_count(l), nkeep = 0;
    ems_status st = next(&ps);
    if (st == EMS_OK && ps.kind == T_END)
        st = syntax(&ps, "empty filter");
    while (st == EMS_OK && ps.kind != T_END) {
        if (!ems_grow(ctx, (void **)&ps.conds, &ps.cap, ps.nconds + 1, sizeof *ps.conds)) {
            st = EMS_ENOMEM;
            break;
        }
        cond *c = &ps.conds[ps.nconds++];
        memset(c, 0, sizeof *c);
        if ((st = parse_cond(&ps, c)) != EMS_OK)
            break;
        if (ps.kind == T_END)
            break;
        if (!is_kw(&ps, "and"))
            st = syntax(&ps, "expected AND or the end (OR is not supported: use IN)");
        else
            st = next(&ps);
        if (st == EMS_OK && ps.kind == T_END)
            st = syntax(&ps, "a condition must follow AND");
    }
    /* features, then skipped records: a skipped record that matches stays skipped, one that does not is left
     * out like a feature, so the ledger never reports as dropped a record the filter excludes */
    size_t ns = layer_skipped_count(l);
    if (st == EMS_OK && !(keep = ems_calloc(ctx, (n > ns ? n : ns) + 1, sizeof *keep)))
        st = EMS_ENOMEM;
    for (size_t i = 0; st == EMS_OK && i < n; i++) {
        keep[i] = all_match(l, layer_values(l, i), &ps);
        nkeep += keep[i];
    }
    if (st == EMS_OK) {
        layer_keep(l, keep);
        for (size_t k = 0; k < ns; k++)
            keep[k] = all_match(l, layer_skipped_values(l, k), &ps);
        layer_keep_skipped(l, keep);
    }
    if (kept)
        *kept = st == EMS_OK ? nkeep : 0;
    for (size_t k = 0; k < ps.nconds; k++) {
        for (size_t v = 0; v < ps.conds[k].nvals; v++)
            free(ps.conds[k].vals[v].text);
        free(ps.conds[k].vals);
    }
    free(ps.conds);
    free(ps.text);
    free(keep);
    return st;
}
