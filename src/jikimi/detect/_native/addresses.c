/* addresses.c: addresses.find_addresses in C.
 *
 * The Python recognizer searches _ANCHOR over the text and matches _LEFT on the reversed text
 * before each anchor. Both are reproduced here by hand, following the regexes' semantics:
 *
 * _ANCHOR at a position p: the only choices that can be undone by a later failure are the ones
 * before the negative lookahead after the number (branch road variants, -부번, 번지); they are
 * enumerated in the regex's priority order and the first one that passes the lookahead wins.
 * Everything after that lookahead (detail, reference item, late units) is optional and the
 * pattern ends there, so nothing after it can fail: each part is the first way it matches,
 * itself tried in the regex's order (alternatives, greedy-then-shorter, possessive runs).
 *
 * _LEFT on the reversed text: the anchor word (possessive), then optional 읍/면/동 word, 구,
 * 시/군 (the conditional group: 성남 only after a 구), 시/도, each a trie-shaped alternation
 * (longest word first, then shorter ones, then the group skipped), and a final negative
 * lookahead; the combinations are enumerated depth first in that order.
 *
 * The tables (region words and levels, score tables, counter characters, context words…) come
 * from addresses.native_tables(). */
#include "jk.h"

static jk_trie *regions;      /* reversed region words -> level bits, | short_bit for _SI_SHORT */
static int64_t bit_sido, bit_si, bit_gu, level_mask, short_bit;
static double road_score[8], lot_score[8];
static jk_cset counters;      /* [0-9{_COUNTERS}] */
static jk_cset ref_end;       /* the lookbehind class of _REFERENCE */
static jk_cset region_end;    /* _REGION_END */
static jk_trie *context;      /* the strings _CONTEXT matches */
static jk_cset context_first; /* their first characters */
static Py_ssize_t window = 40, context_window = 30;

static int read_scores(PyObject *cfg, const char *key, double *out) {
    PyObject *v = jk_cfg_item(cfg, key);
    if (!v) return -1;
    PyObject *fast = PySequence_Fast(v, "score tables are sequences");
    if (!fast) return -1;
    if (PySequence_Fast_GET_SIZE(fast) != 8) {
        Py_DECREF(fast);
        PyErr_Format(PyExc_ValueError, "%s needs 8 scores", key);
        return -1;
    }
    for (int i = 0; i < 8; i++) {
        out[i] = PyFloat_AsDouble(PySequence_Fast_GET_ITEM(fast, i));
        if (out[i] == -1.0 && PyErr_Occurred()) { Py_DECREF(fast); return -1; }
    }
    Py_DECREF(fast);
    return 0;
}

static int read_size(PyObject *cfg, const char *key, Py_ssize_t *out) {
    PyObject *v = jk_cfg_item(cfg, key);
    if (!v) return -1;
    Py_ssize_t x = PyLong_AsSsize_t(v);
    if (x == -1 && PyErr_Occurred()) return -1;
    *out = x;
    return 0;
}

int jk_configure_addresses(PyObject *cfg) {
    PyObject *levels = jk_cfg_item(cfg, "addr.levels"), *bits = jk_cfg_item(cfg, "addr.level_bits");
    PyObject *shorts = jk_cfg_item(cfg, "addr.si_short"), *words = jk_cfg_item(cfg, "addr.context_words");
    if (!levels || !bits || !shorts || !words) return -1;
    int64_t b[3];
    PyObject *fast = PySequence_Fast(bits, "addr.level_bits is a sequence");
    if (!fast) return -1;
    if (PySequence_Fast_GET_SIZE(fast) != 3) {
        Py_DECREF(fast);
        PyErr_SetString(PyExc_ValueError, "addr.level_bits needs 3 bits");
        return -1;
    }
    for (int i = 0; i < 3; i++) {
        b[i] = PyLong_AsLongLong(PySequence_Fast_GET_ITEM(fast, i));
        if (b[i] == -1 && PyErr_Occurred()) { Py_DECREF(fast); return -1; }
    }
    Py_DECREF(fast);
    if (read_scores(cfg, "addr.road_score", road_score) < 0 || read_scores(cfg, "addr.lot_score", lot_score) < 0 ||
        jk_cfg_cset(cfg, "addr.counters", &counters) < 0 || jk_cfg_cset(cfg, "addr.reference_end", &ref_end) < 0 ||
        jk_cfg_cset(cfg, "addr.region_end", &region_end) < 0 || read_size(cfg, "addr.window", &window) < 0 ||
        read_size(cfg, "addr.context_window", &context_window) < 0)
        return -1;
    jk_trie *t = jk_trie_from_py(levels, 1, 0);
    if (!t) return -1;
    int64_t mask = b[0] | b[1] | b[2], sbit = 1;
    while (sbit & mask) sbit <<= 1;
    /* _SI_SHORT words, reversed, with a bit of their own (a short form alone is no region word) */
    PyObject *it = PyObject_GetIter(shorts), *k;
    if (!it) { jk_trie_free(t); return -1; }
    while ((k = PyIter_Next(it))) {
        jch *w = PyUnicode_Check(k) ? PyUnicode_AsUCS4Copy(k) : NULL;
        Py_ssize_t n = w ? PyUnicode_GET_LENGTH(k) : 0;
        Py_DECREF(k);
        if (!w) {
            if (!PyErr_Occurred()) PyErr_SetString(PyExc_TypeError, "addr.si_short holds str");
            Py_DECREF(it); jk_trie_free(t); return -1;
        }
        for (Py_ssize_t x = 0, y = n - 1; x < y; x++, y--) { jch c = w[x]; w[x] = w[y]; w[y] = c; }
        int r = jk_trie_add(t, w, n, sbit);
        PyMem_Free(w);
        if (r < 0) { Py_DECREF(it); jk_trie_free(t); return -1; }
    }
    Py_DECREF(it);
    if (PyErr_Occurred()) { jk_trie_free(t); return -1; }
    jk_trie *ctx = jk_trie_from_py(words, 0, 0);
    if (!ctx) { jk_trie_free(t); return -1; }
    memset(&context_first, 0, sizeof context_first);
    it = PyObject_GetIter(words);
    if (!it) { jk_trie_free(t); jk_trie_free(ctx); return -1; }
    while ((k = PyIter_Next(it))) {
        if (PyUnicode_GET_LENGTH(k) > 0) jk_cs_add(&context_first, PyUnicode_READ_CHAR(k, 0));
        Py_DECREF(k);
    }
    Py_DECREF(it);
    if (PyErr_Occurred()) { jk_trie_free(t); jk_trie_free(ctx); return -1; }
    jk_trie_free(regions);
    jk_trie_free(context);
    regions = t;
    context = ctx;
    bit_sido = b[0]; bit_si = b[1]; bit_gu = b[2]; level_mask = mask; short_bit = sbit;
    return 0;
}

/* ------------------------------------------------------------------ character classes */

static inline int hd(jch c) { return jk_hangul(c) || jk_digit(c); }   /* [가-힣0-9] */
static inline int d19(jch c) { return c >= '1' && c <= '9'; }          /* [1-9] */
static inline int ga_ha(jch c) { return c >= U'가' && c <= U'하'; }     /* [가-하] */

/* s[i] == c, with i checked against n */
#define AT(i, c) ((i) < n && s[i] == (c))

/* [0-9]{0,max}+ from i: the end of the run */
static inline Py_ssize_t digits(const jch *s, Py_ssize_t n, Py_ssize_t i, int max) {
    for (int k = 0; k < max && i < n && jk_digit(s[i]); k++) i++;
    return i;
}

/* ------------------------------------------------------------------ _UNIT, _UNITS */

/* (?![0-9A-Za-z선-]) at e */
static inline int unit_end_ok(const jch *s, Py_ssize_t n, Py_ssize_t e) {
    if (e >= n) return 1;
    jch c = s[e];
    return !(jk_ascii_alnum(c) || c == U'선' || c == '-');
}

/* _UNIT at i: its end, or -1. The alternatives in order, each followed by the lookahead. */
static Py_ssize_t unit(const jch *s, Py_ssize_t n, Py_ssize_t i) {
    if (i >= n) return -1;
    jch c = s[i];
    Py_ssize_t k;
    /* 제?[1-9][0-9]{0,4}+[동층호] (without 제 fails where 제 stands) */
    k = c == U'제' ? i + 1 : i;
    if (k < n && d19(s[k])) {
        k = digits(s, n, k + 1, 4);
        if (k < n && (s[k] == U'동' || s[k] == U'층' || s[k] == U'호') && unit_end_ok(s, n, k + 1)) return k + 1;
    }
    /* [1-9][0-9]{0,3}+-[1-9][0-9]{0,4}+호 */
    if (d19(c)) {
        k = digits(s, n, i + 1, 3);
        if (AT(k, '-') && k + 1 < n && d19(s[k + 1])) {
            k = digits(s, n, k + 2, 4);
            if (AT(k, U'호') && unit_end_ok(s, n, k + 1)) return k + 1;
        }
    }
    if (jk_ascii_alpha(c)) {
        /* [A-Za-z]동 */
        if (AT(i + 1, U'동') && unit_end_ok(s, n, i + 2)) return i + 2;
        /* [A-Za-z]-?[1-9][0-9]{0,4}+[층호] */
        k = AT(i + 1, '-') ? i + 2 : i + 1;
        if (k < n && d19(s[k])) {
            k = digits(s, n, k + 1, 4);
            if (k < n && (s[k] == U'층' || s[k] == U'호') && unit_end_ok(s, n, k + 1)) return k + 1;
        }
        /* [Bb][1-9]층? : with 층 first, then without */
        if ((c == 'B' || c == 'b') && i + 1 < n && d19(s[i + 1])) {
            if (AT(i + 2, U'층') && unit_end_ok(s, n, i + 3)) return i + 3;
            if (unit_end_ok(s, n, i + 2)) return i + 2;
        }
    }
    /* 지하 ?[1-9]층 */
    if (c == U'지' && AT(i + 1, U'하')) {
        k = AT(i + 2, ' ') ? i + 3 : i + 2;
        if (k < n && d19(s[k]) && AT(k + 1, U'층') && unit_end_ok(s, n, k + 2)) return k + 2;
    }
    return -1;
}

/* _UNITS = _UNIT(?:,? ?_UNIT){0,3} at i: its end, or -1. A unit never starts with "," or " ",
 * so the optional separators are taken whenever present. */
static Py_ssize_t units(const jch *s, Py_ssize_t n, Py_ssize_t i) {
    Py_ssize_t e = unit(s, n, i);
    if (e < 0) return -1;
    for (int r = 0; r < 3; r++) {
        Py_ssize_t k = e;
        if (AT(k, ',')) k++;
        if (AT(k, ' ')) k++;
        Py_ssize_t e2 = unit(s, n, k);
        if (e2 < 0) break;
        e = e2;
    }
    return e;
}

/* ------------------------------------------------------------------ _DETAIL, _REFERENCE */

/* _DETAIL at i: the end of the captured detail (group start in *ds), or -1 when absent. */
static Py_ssize_t detail(const jch *s, Py_ssize_t n, Py_ssize_t i, Py_ssize_t *ds) {
    Py_ssize_t j;
    /* (?: ?, ?| ): the body never starts with " " or ",", so greedy separators decide */
    if (AT(i, ' ') && AT(i + 1, ',')) j = AT(i + 2, ' ') ? i + 3 : i + 2;
    else if (AT(i, ',')) j = AT(i + 1, ' ') ? i + 2 : i + 1;
    else if (AT(i, ' ')) j = i + 1;
    else return -1;
    if (j >= n) return -1;
    *ds = j;
    Py_ssize_t e = units(s, n, j);
    if (e >= 0) return e;
    jch c = s[j];
    /* [1-9][0-9]{0,3}+-[1-9][0-9]{0,4}+(?![0-9A-Za-z-]) */
    if (d19(c)) {
        Py_ssize_t k = digits(s, n, j + 1, 3);
        if (AT(k, '-') && k + 1 < n && d19(s[k + 1])) {
            k = digits(s, n, k + 2, 4);
            if (k >= n || !(jk_ascii_alnum(s[k]) || s[k] == '-')) return k;
        }
    }
    /* [가-힣A-Za-z][가-힣A-Za-z0-9]{1,19}+ _UNITS */
    if (jk_hangul(c) || jk_ascii_alpha(c)) {
        Py_ssize_t k = j + 1;
        while (k - j - 1 < 19 && k < n && (jk_hangul(s[k]) || jk_ascii_alnum(s[k]))) k++;
        if (k - j - 1 >= 1 && AT(k, ' ')) {
            e = units(s, n, k + 1);
            if (e >= 0) return e;
        }
    }
    return -1;
}

/* _REFERENCE at i: its end, or -1. */
static Py_ssize_t reference(const jch *s, Py_ssize_t n, Py_ssize_t i) {
    Py_ssize_t k = AT(i, ' ') ? i + 1 : i;
    if (!AT(k, '(')) return -1;
    k++;
    if (AT(k, ' ')) k++;
    if (k >= n || !jk_hangul(s[k])) return -1;
    k++;
    while (k < n && hd(s[k])) k++;
    if (!jk_cs_has(&ref_end, s[k - 1])) return -1;
    if (AT(k, ' ') || AT(k, ',')) {
        /* [^()\n]{0,40} greedy, then ")": only the longest run can be followed by ")" */
        Py_ssize_t m = k + 1;
        while (m - k - 1 < 40 && m < n && s[m] != '(' && s[m] != ')' && s[m] != '\n') m++;
        return AT(m, ')') ? m + 1 : -1;
    }
    return AT(k, ')') ? k + 1 : -1;
}

/* ------------------------------------------------------------------ _ANCHOR */

typedef struct {
    Py_ssize_t end;
    int branch, san, jiha, bunji, ref, ho, has_detail;
} anchor_match;

static inline int anchor_char(jch c) {
    return c == U'로' || c == U'길' || c == U'동' || c == U'리' || c == U'가';
}

static inline int lead_class(jch c) { return jk_digit(c) || c == U'지' || c == U'산'; } /* [0-9지산] */

/* the negative lookahead after the number: (?![0-9{_COUNTERS}]|번(?!지)|[.,][0-9]|-[0-9]) */
static inline int number_end_ok(const jch *s, Py_ssize_t n, Py_ssize_t f) {
    if (f >= n) return 1;
    jch c = s[f];
    if (jk_cs_has(&counters, c)) return 0;
    if (c == U'번' && !AT(f + 1, U'지')) return 0;
    if ((c == '.' || c == ',' || c == '-') && f + 1 < n && jk_digit(s[f + 1])) return 0;
    return 1;
}

static int has_char(const jch *s, Py_ssize_t a, Py_ssize_t b, jch c) {
    for (Py_ssize_t i = a; i < b; i++) if (s[i] == c) return 1;
    return 0;
}

/* _ANCHOR.match at p: 1 with *m filled, or 0. */
static int anchor_at(const jch *s, Py_ssize_t n, Py_ssize_t p, anchor_match *m) {
    Py_ssize_t q = p + 1;
    /* (?= ?[0-9지산]) */
    if (!((AT(q, ' ') && q + 1 < n && lead_class(s[q + 1])) || (q < n && lead_class(s[q])))) return 0;
    /* group 1, ( ?[0-9]{1,4}+[가-하]?번?길)?: its possible ends in priority order, then absent */
    Py_ssize_t starts[6];
    int nb = 0;
    {
        Py_ssize_t k = AT(q, ' ') ? q + 1 : q;
        Py_ssize_t r = digits(s, n, k, 4);
        if (r > k) {
            int x = r < n && ga_ha(s[r]);
            if (x && AT(r + 1, U'번') && AT(r + 2, U'길')) starts[nb++] = r + 3;
            if (x && AT(r + 1, U'길')) starts[nb++] = r + 2;
            if (AT(r, U'번') && AT(r + 1, U'길')) starts[nb++] = r + 2;
            if (AT(r, U'길')) starts[nb++] = r + 1;
        }
    }
    starts[nb] = q;
    for (int bi = 0; bi <= nb; bi++) {
        Py_ssize_t k = starts[bi];
        /* group 2, ( ?(?:지하|산) ?| ?), then [1-9]: every variant in order */
        Py_ssize_t cand[8];
        int nc = 0;
        for (int lead = 1; lead >= 0; lead--) {
            Py_ssize_t t = k;
            if (lead) { if (!AT(t, ' ')) continue; t++; }
            Py_ssize_t w = -1;
            if (AT(t, U'지') && AT(t + 1, U'하')) w = t + 2;
            else if (AT(t, U'산')) w = t + 1;
            if (w < 0) continue;
            if (AT(w, ' ')) cand[nc++] = w + 1;
            cand[nc++] = w;
        }
        if (AT(k, ' ')) cand[nc++] = k + 1;
        cand[nc++] = k;
        for (int ci = 0; ci < nc; ci++) {
            Py_ssize_t ns = cand[ci];
            if (ns >= n || !d19(s[ns])) continue;
            /* [1-9][0-9]{0,4}+(?:-[0-9]{1,5}+)?(번지)? then the lookahead */
            Py_ssize_t e0 = digits(s, n, ns + 1, 4), f = -1;
            Py_ssize_t subs[2];
            int nsub = 0;
            if (AT(e0, '-') && e0 + 1 < n && jk_digit(s[e0 + 1])) subs[nsub++] = digits(s, n, e0 + 1, 5);
            subs[nsub++] = e0;
            int bunji = 0;
            for (int si = 0; si < nsub && f < 0; si++) {
                Py_ssize_t e = subs[si];
                if (AT(e, U'번') && AT(e + 1, U'지') && number_end_ok(s, n, e + 2)) { f = e + 2; bunji = 1; }
                else if (number_end_ok(s, n, e)) f = e;
            }
            if (f < 0) continue;
            /* matched: the rest is optional and cannot fail */
            m->branch = bi < nb;
            m->san = has_char(s, k, ns, U'산');
            m->jiha = has_char(s, k, ns, U'지');
            m->bunji = bunji;
            m->ho = 0;
            m->has_detail = 0;
            Py_ssize_t ds = 0, e = detail(s, n, f, &ds);
            if (e >= 0) { m->has_detail = 1; m->ho = has_char(s, ds, e, U'호'); f = e; }
            e = reference(s, n, f);
            m->ref = e >= 0;
            if (e >= 0) f = e;
            /* (?:(?<=\)) ?(_UNITS))? */
            if (f > 0 && s[f - 1] == ')') {
                Py_ssize_t ls = AT(f, ' ') ? f + 1 : f;
                e = units(s, n, ls);
                if (e >= 0) { m->has_detail = 1; m->ho |= has_char(s, ls, e, U'호'); f = e; }
            }
            m->end = f;
            return 1;
        }
    }
    return 0;
}

/* The next p >= pos (p + 1 < n) where s[p] is an anchor character and s[p + 1] can begin the
 * lookahead (?= ?[0-9지산]), i.e. is " ", a digit, 지 or 산: a necessary condition of
 * anchor_at, checked on 8 (AVX2) or 4 (SSE2) characters at a time. -1 when there is none. */
static inline int follow_char(jch c) { return c == ' ' || lead_class(c); }

static Py_ssize_t candidate_scalar(const jch *s, Py_ssize_t n, Py_ssize_t p) {
    for (; p + 1 < n; p++) {
        jch c = s[p];
        if (c - U'가' > U'리' - U'가') continue; /* 가 <= 길, 동, 로 <= 리: one test for most text */
        if (anchor_char(c) && follow_char(s[p + 1])) return p;
    }
    return -1;
}

#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__) && defined(__SSE2__)
#include <immintrin.h>
#define JK_ANCHOR_SIMD 1

static Py_ssize_t candidate_sse2(const jch *s, Py_ssize_t n, Py_ssize_t p) {
    const __m128i a0 = _mm_set1_epi32((int)U'가'), a1 = _mm_set1_epi32((int)U'길'), a2 = _mm_set1_epi32((int)U'동');
    const __m128i a3 = _mm_set1_epi32((int)U'로'), a4 = _mm_set1_epi32((int)U'리');
    const __m128i sp = _mm_set1_epi32(' '), zero = _mm_set1_epi32('0' - 1), nine = _mm_set1_epi32('9' + 1);
    const __m128i ji = _mm_set1_epi32((int)U'지'), san = _mm_set1_epi32((int)U'산');
    for (; p + 5 <= n; p += 4) { /* s[p .. p + 4] are read */
        __m128i v = _mm_loadu_si128((const __m128i *)(s + p));
        __m128i a = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi32(v, a0), _mm_cmpeq_epi32(v, a1)),
                                 _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi32(v, a2), _mm_cmpeq_epi32(v, a3)),
                                              _mm_cmpeq_epi32(v, a4)));
        if (!_mm_movemask_epi8(a)) continue;
        __m128i w = _mm_loadu_si128((const __m128i *)(s + p + 1)); /* code points fit in int32 */
        __m128i b = _mm_or_si128(_mm_and_si128(_mm_cmpgt_epi32(w, zero), _mm_cmplt_epi32(w, nine)),
                                 _mm_or_si128(_mm_cmpeq_epi32(w, sp),
                                              _mm_or_si128(_mm_cmpeq_epi32(w, ji), _mm_cmpeq_epi32(w, san))));
        int mk = _mm_movemask_ps(_mm_castsi128_ps(_mm_and_si128(a, b)));
        if (mk) return p + __builtin_ctz((unsigned)mk);
    }
    return candidate_scalar(s, n, p);
}

__attribute__((target("avx2"))) static inline __m256i cand8_avx2(const jch *s, Py_ssize_t p) {
    const __m256i a0 = _mm256_set1_epi32((int)U'가'), a1 = _mm256_set1_epi32((int)U'길'), a2 = _mm256_set1_epi32((int)U'동');
    const __m256i a3 = _mm256_set1_epi32((int)U'로'), a4 = _mm256_set1_epi32((int)U'리');
    const __m256i sp = _mm256_set1_epi32(' '), zero = _mm256_set1_epi32('0'), nine = _mm256_set1_epi32(9);
    const __m256i ji = _mm256_set1_epi32((int)U'지'), san = _mm256_set1_epi32((int)U'산');
    __m256i v = _mm256_loadu_si256((const __m256i *)(s + p));
    __m256i a = _mm256_or_si256(_mm256_or_si256(_mm256_cmpeq_epi32(v, a0), _mm256_cmpeq_epi32(v, a1)),
                                _mm256_or_si256(_mm256_or_si256(_mm256_cmpeq_epi32(v, a2), _mm256_cmpeq_epi32(v, a3)),
                                                _mm256_cmpeq_epi32(v, a4)));
    __m256i w = _mm256_loadu_si256((const __m256i *)(s + p + 1));
    __m256i d = _mm256_sub_epi32(w, zero); /* a digit when d <= 9 unsigned */
    __m256i b = _mm256_or_si256(_mm256_cmpeq_epi32(_mm256_min_epu32(d, nine), d),
                                _mm256_or_si256(_mm256_cmpeq_epi32(w, sp),
                                                _mm256_or_si256(_mm256_cmpeq_epi32(w, ji), _mm256_cmpeq_epi32(w, san))));
    return _mm256_and_si256(a, b);
}

__attribute__((target("avx2"))) static Py_ssize_t candidate_avx2(const jch *s, Py_ssize_t n, Py_ssize_t p) {
    for (; p + 17 <= n; p += 16) { /* s[p .. p + 16] are read */
        unsigned mk = (unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(cand8_avx2(s, p))) |
                      (unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(cand8_avx2(s, p + 8))) << 8;
        if (mk) return p + __builtin_ctz(mk);
    }
    if (p + 9 <= n) {
        unsigned mk = (unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(cand8_avx2(s, p)));
        if (mk) return p + __builtin_ctz(mk);
        p += 8;
    }
    return candidate_sse2(s, n, p);
}

static int use_avx2 = -1;
#endif

static inline Py_ssize_t next_candidate(const jch *s, Py_ssize_t n, Py_ssize_t p) {
#ifdef JK_ANCHOR_SIMD
    if (use_avx2 < 0) {
        __builtin_cpu_init();
        use_avx2 = __builtin_cpu_supports("avx2") ? 1 : 0;
    }
    return use_avx2 ? candidate_avx2(s, n, p) : candidate_sse2(s, n, p);
#else
    return candidate_scalar(s, n, p);
#endif
}

/* _ANCHOR.search(text, pos): the start of the next match, or -1 */
static Py_ssize_t anchor_search(const jch *s, Py_ssize_t n, Py_ssize_t pos, anchor_match *m) {
    for (Py_ssize_t p = pos; p + 1 < n; p++) {
        p = next_candidate(s, n, p);
        if (p < 0) return -1;
        if (anchor_at(s, n, p, m)) return p;
    }
    return -1;
}

/* ------------------------------------------------------------------ _LEFT */

#define MAX_ENDS 64

/* The region trie alternation of the words with a bit of mask, at R[t..L) where R[i] = s[a - i]:
 * its possible ends, longest first. */
static int trie_ends(const jch *s, Py_ssize_t a, Py_ssize_t L, Py_ssize_t t, int64_t mask, Py_ssize_t *ends) {
    Py_ssize_t tmp[MAX_ENDS];
    int k = 0;
    int32_t node = 0;
    for (Py_ssize_t i = t; i < L; i++) {
        node = jk_trie_step(regions, node, s[a - i]);
        if (node < 0) break;
        int64_t v = jk_trie_value(regions, node);
        if (v >= 0 && (v & mask) && k < MAX_ENDS) tmp[k++] = i + 1;
    }
    for (int i = 0; i < k; i++) ends[i] = tmp[k - 1 - i];
    return k;
}

/* One left_match tries the levels (구, 시/군, 시/도) at the same few positions again and again
 * (a level skipped leaves the next one at the same place): the walk from each position is made
 * once, its word ends and their level bits kept, and each level's ends read from it. */
#define WALKS 6
typedef struct {
    int n;
    struct { Py_ssize_t t; int k, full; Py_ssize_t end[MAX_ENDS]; int64_t val[MAX_ENDS]; } w[WALKS];
} walk_cache;

static int trie_ends_cached(const jch *s, Py_ssize_t a, Py_ssize_t L, Py_ssize_t t, int64_t mask,
                            Py_ssize_t *ends, walk_cache *wc) {
    int x = 0;
    while (x < wc->n && wc->w[x].t != t) x++;
    if (x == wc->n) {
        if (x == WALKS) return trie_ends(s, a, L, t, mask, ends);
        wc->n++;
        wc->w[x].t = t;
        int k = 0, full = 0;
        int32_t node = 0;
        for (Py_ssize_t i = t; i < L; i++) {
            node = jk_trie_step(regions, node, s[a - i]);
            if (node < 0) break;
            int64_t v = jk_trie_value(regions, node);
            if (v >= 0) {
                if (k == MAX_ENDS) { full = 1; break; }
                wc->w[x].end[k] = i + 1;
                wc->w[x].val[k++] = v;
            }
        }
        wc->w[x].k = k;
        wc->w[x].full = full;
    }
    if (wc->w[x].full) return trie_ends(s, a, L, t, mask, ends); /* more ends than kept */
    int k = 0;
    for (int i = wc->w[x].k - 1; i >= 0; i--)
        if (wc->w[x].val[i] & mask) ends[k++] = wc->w[x].end[i];
    return k;
}

static inline Py_ssize_t skip_spaces(const jch *s, Py_ssize_t a, Py_ssize_t L, Py_ssize_t t) {
    while (t < L && s[a - t] == ' ') t++;
    return t;
}

/* _LEFT.match on R = s[a], s[a-1], ..., s[lo]: the match end (in R), the anchor word's length
 * and the mask of region groups found (4: 구, 2: 시/군, 1: 시/도), as find_addresses reads them.
 * -1 when there is no match. */
static Py_ssize_t left_match(const jch *s, Py_ssize_t a, Py_ssize_t lo, Py_ssize_t *wlen, int *found) {
    Py_ssize_t L = a - lo + 1;
    Py_ssize_t w = 0;
    while (w < L && hd(s[a - w])) w++;
    if (w == 0) return -1;
    *wlen = w;
    /* group 2: (?: +([읍면동][가-힣0-9]{1,6}+))? */
    Py_ssize_t p2[2];
    int n2 = 0;
    if (w < L && s[a - w] == ' ') {
        Py_ssize_t k = skip_spaces(s, a, L, w);
        if (k < L && (s[a - k] == U'읍' || s[a - k] == U'면' || s[a - k] == U'동')) {
            Py_ssize_t e = k + 1;
            while (e - k - 1 < 6 && e < L && hd(s[a - e])) e++;
            if (e - k - 1 >= 1) p2[n2++] = e;
        }
    }
    p2[n2++] = w;
    Py_ssize_t e3[MAX_ENDS + 1], e4[MAX_ENDS + 1], e5[MAX_ENDS + 1];
    walk_cache wc;
    wc.n = 0;
    for (int i2 = 0; i2 < n2; i2++) {
        Py_ssize_t pos2 = p2[i2];
        int n3 = trie_ends_cached(s, a, L, skip_spaces(s, a, L, pos2), bit_gu, e3, &wc);
        e3[n3] = pos2; /* group 3 absent */
        for (int i3 = 0; i3 <= n3; i3++) {
            int gu = i3 < n3;
            Py_ssize_t pos3 = e3[i3];
            int n4 = trie_ends_cached(s, a, L, skip_spaces(s, a, L, pos3), gu ? (bit_si | short_bit) : bit_si, e4, &wc);
            e4[n4] = pos3;
            for (int i4 = 0; i4 <= n4; i4++) {
                int si = i4 < n4;
                Py_ssize_t pos4 = e4[i4];
                int n5 = trie_ends_cached(s, a, L, skip_spaces(s, a, L, pos4), bit_sido, e5, &wc);
                e5[n5] = pos4;
                for (int i5 = 0; i5 <= n5; i5++) {
                    Py_ssize_t end = e5[i5];
                    if (end < L && hd(s[a - end])) continue; /* (?![가-힣0-9]) */
                    *found = (gu ? 4 : 0) | (si ? 2 : 0) | (i5 < n5 ? 1 : 0);
                    return end;
                }
            }
        }
    }
    return -1;
}

/* Is s[b..e) (original order) a region word of any level? (w[:0:-1] in _LEVELS) */
static int is_region_word(const jch *s, Py_ssize_t b, Py_ssize_t e) {
    int32_t node = 0;
    for (Py_ssize_t i = e - 1; i >= b; i--) {
        node = jk_trie_step(regions, node, s[i]);
        if (node < 0) return 0;
    }
    int64_t v = jk_trie_value(regions, node);
    return v >= 0 && (v & level_mask);
}

/* _CONTEXT.search(text, lo, hi) is not None */
static int context_in(const jch *s, Py_ssize_t lo, Py_ssize_t hi) {
    for (Py_ssize_t i = lo; i < hi; i++) {
        if (!jk_cs_has(&context_first, s[i])) continue;
        int32_t node = 0;
        for (Py_ssize_t k = i; k < hi; k++) {
            node = jk_trie_step(context, node, s[k]);
            if (node < 0) break;
            if (jk_trie_value(context, node) >= 0) return 1;
        }
    }
    return 0;
}

/* ------------------------------------------------------------------ find_addresses */

int jk_find_addresses(const jch *s, Py_ssize_t n, jk_finds *out) {
    if (!regions || !context) return 0;
    anchor_match m;
    Py_ssize_t a = anchor_search(s, n, 0, &m);
    while (a >= 0) {
        Py_ssize_t nxt = a + 1;
        jch suffix = s[a];
        int roadlike = suffix == U'로' || suffix == U'길';
        Py_ssize_t lo = a > window ? a - window : 0, wl = 0;
        int found = 0;
        Py_ssize_t lend = left_match(s, a, lo, &wl, &found);
        if (lend < 0 || wl < 2 || (jk_digit(s[a - wl + 1]) && !roadlike)) {
            a = anchor_search(s, n, nxt, &m);
            continue;
        }
        int road;
        if (roadlike && !m.bunji) {
            if (m.san || (wl == 2 && suffix == U'로' && s[a - 1] == U'대') ||
                (jk_cs_has(&region_end, s[a - 1]) && is_region_word(s, a - wl + 1, a))) {
                a = anchor_search(s, n, nxt, &m);
                continue;
            }
            road = 1;
        } else {
            if (m.branch || m.jiha || (suffix == U'가' && !jk_digit(s[a - 1]))) {
                a = anchor_search(s, n, nxt, &m);
                continue;
            }
            road = 0;
        }
        Py_ssize_t start = found ? nxt - lend : nxt - wl;
        double score;
        if (found) {
            score = (road ? road_score : lot_score)[found];
            if (found == 1 && road && start + 1 < n && s[start] == U'세' && s[start + 1] == U'종') score = 0.8;
        } else {
            score = road ? 0.4 : 0.3;
        }
        if (m.bunji) score += 0.05;
        if (m.has_detail) score += m.ho ? 0.15 : 0.05;
        if (m.ref) score += 0.05;
        Py_ssize_t end = m.end;
        if (!found) {
            Py_ssize_t clo = start > context_window ? start - context_window : 0;
            for (Py_ssize_t k = start - 1; k >= clo; k--)
                if (s[k] == 0) { clo = k + 1; break; } /* never a keyword of the record before */
            if (context_in(s, clo, start)) score += 0.2;
            else if (score < 0.5) {
                a = anchor_search(s, n, nxt, &m);
                continue;
            }
        }
        if (score > 0.97) score = 0.97;
        if (jk_push(out, JK_KR_ADDRESS, start, end, score, JR_KR_ADDRESS) < 0) return -1;
        a = anchor_search(s, n, end, &m);
    }
    return 0;
}
