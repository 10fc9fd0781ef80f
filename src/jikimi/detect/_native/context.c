/* context.c: context words around a candidate (jikimi/detect/keywords.py, context.py).
 * Keywords are matched leftmost-longest on the lower-cased window, as keywords.context_types
 * does with its alternation; one trie walk per window position. */
#include "jk.h"

static jk_trie *kw_trie;
static jk_cset kw_first; /* lower-cased first characters of the keywords */

/* Per-position memo of the longest keyword (unbounded on the right) while one text is scanned:
 * candidate windows overlap a lot (several runs per record, gates, sub-windows of a run), so
 * each position is walked once. An entry is 0 (not computed yet) or MEMO_KNOWN | len << 10 |
 * index of the keyword's value in kw_vals. A bounded walk gives the same answer whenever the
 * unbounded longest word fits in the bound (it is then also the longest within it); otherwise
 * the bounded walk is done as before. */
#define MEMO_KNOWN 0x8000u
#define MEMO_MAXLEN 31
#define MEMO_MAXVALS 1024
static int64_t kw_vals[MEMO_MAXVALS];
/* Bigram filter: a bit per hash of the first two (lower-cased) characters of every keyword of
 * two or more characters, and the one-character keywords apart: a position whose bigram's bit is
 * clear and whose character is no one-character keyword starts no keyword. */
#define KW_SINGLES 16
static uint64_t kw_bigram[1024];
static jch kw_single[KW_SINGLES];
static int kw_nsingle;
static inline uint32_t bigram_hash(jch a, jch b) {
    return ((uint32_t)a * 0x9E3779B1u ^ (uint32_t)b * 0x85EBCA77u) >> 16;
}
static int kw_nvals, kw_memo_ok; /* kw_memo_ok: every keyword fits the encoding */
static uint16_t *memo;
static const jch *memo_s;
static Py_ssize_t memo_n;

int jk_configure_context(PyObject *cfg) {
    PyObject *kw = jk_cfg_item(cfg, "keyword_types"); /* lower-cased keyword -> type bit mask */
    if (!kw) return -1;
    if (!PyDict_Check(kw)) { PyErr_SetString(PyExc_TypeError, "keyword_types must be a dict"); return -1; }
    jk_trie *t = jk_trie_from_py(kw, 0, 0);
    if (!t) return -1;
    jk_cset first;
    memset(&first, 0, sizeof first);
    PyObject *k, *v;
    Py_ssize_t pos = 0;
    while (PyDict_Next(kw, &pos, &k, &v)) {
        if (!PyUnicode_Check(k) || PyUnicode_GET_LENGTH(k) == 0) continue;
        jch c = PyUnicode_READ_CHAR(k, 0);
        if (c >= 0x10000) {
            jk_trie_free(t);
            PyErr_SetString(PyExc_ValueError, "context keywords must start in the BMP");
            return -1;
        }
        jk_cs_add(&first, c);
    }
    /* the memo's encoding: keyword lengths <= MEMO_MAXLEN, at most MEMO_MAXVALS distinct values */
    int ok = 1, nv = 0;
    int64_t vals[MEMO_MAXVALS];
    pos = 0;
    while (ok && PyDict_Next(kw, &pos, &k, &v)) {
        if (!PyUnicode_Check(k)) continue;
        if (PyUnicode_GET_LENGTH(k) > MEMO_MAXLEN) { ok = 0; break; }
    }
    uint64_t bigram[1024];
    jch single[KW_SINGLES];
    int nsingle = 0;
    memset(bigram, 0, sizeof bigram);
    pos = 0;
    while (ok && PyDict_Next(kw, &pos, &k, &v)) {
        if (!PyUnicode_Check(k) || PyUnicode_GET_LENGTH(k) == 0) continue;
        jch a = PyUnicode_READ_CHAR(k, 0);
        if (PyUnicode_GET_LENGTH(k) == 1) {
            if (nsingle == KW_SINGLES) { ok = 0; break; }
            single[nsingle++] = a;
        } else {
            uint32_t h = bigram_hash(a, PyUnicode_READ_CHAR(k, 1));
            bigram[h >> 6] |= (uint64_t)1 << (h & 63);
        }
    }
    /* the distinct values at the words' nodes (read back from the trie) */
    if (ok) {
        pos = 0;
        while (PyDict_Next(kw, &pos, &k, &v)) {
            if (!PyUnicode_Check(k)) continue;
            Py_ssize_t kn = PyUnicode_GET_LENGTH(k);
            int32_t node = 0;
            for (Py_ssize_t a = 0; a < kn && node >= 0; a++) node = jk_trie_step(t, node, PyUnicode_READ_CHAR(k, a));
            if (node < 0) continue;
            int64_t val = jk_trie_value(t, node);
            int f = 0;
            while (f < nv && vals[f] != val) f++;
            if (f == nv) {
                if (nv == MEMO_MAXVALS) { ok = 0; break; }
                vals[nv++] = val;
            }
        }
    }
    jk_trie_free(kw_trie);
    kw_trie = t;
    kw_first = first;
    kw_memo_ok = ok;
    kw_nvals = ok ? nv : 0;
    if (ok) {
        memcpy(kw_vals, vals, (size_t)nv * sizeof(int64_t));
        memcpy(kw_bigram, bigram, sizeof bigram);
        memcpy(kw_single, single, (size_t)nsingle * sizeof(jch));
        kw_nsingle = nsingle;
    }
    return 0;
}

void jk_window(const jch *s, Py_ssize_t n, Py_ssize_t start, Py_ssize_t end, Py_ssize_t before,
               Py_ssize_t after, Py_ssize_t *lo, Py_ssize_t *hi) {
    Py_ssize_t a = start - before > 0 ? start - before : 0;
    for (Py_ssize_t i = start - 1; i >= a; i--) if (s[i] == 0) { a = i + 1; break; }
    Py_ssize_t b = end + after < n ? end + after : n;
    for (Py_ssize_t i = end; i < b; i++) if (s[i] == 0) { b = i; break; }
    *lo = a; *hi = b;
}

static inline jch fold(jch c) {
    /* U+0130 lower-cases to two characters in Python ("i" + U+0307): it can match no keyword */
    return c == 0x130 ? 0xFFFF : jk_lower(c);
}

void jk_context_memo_begin(const jch *s, Py_ssize_t n) {
    jk_context_memo_end();
    if (!kw_memo_ok || !kw_trie || n <= 0) return;
    memo = PyMem_Calloc((size_t)n, sizeof(uint16_t)); /* no memo when this fails: same results */
    if (memo) { memo_s = s; memo_n = n; }
}

void jk_context_memo_end(void) {
    PyMem_Free(memo);
    memo = NULL; memo_s = NULL; memo_n = 0;
}

/* the memo entry of position i (computed when unknown): the longest keyword at s[i..n) */
static inline uint16_t memo_at(const jch *s, Py_ssize_t i) {
    uint16_t e = memo[i];
    if (e) return e;
    e = MEMO_KNOWN;
    jch c0 = fold(s[i]);
    int may = 0;
    if (i + 1 < memo_n) {
        uint32_t h = bigram_hash(c0, fold(s[i + 1]));
        may = (kw_bigram[h >> 6] >> (h & 63)) & 1;
    }
    for (int a = 0; !may && a < kw_nsingle; a++) may = kw_single[a] == c0;
    if (may && jk_cs_has(&kw_first, c0)) {
        int32_t node = 0;
        Py_ssize_t best = 0;
        int64_t v = 0;
        for (Py_ssize_t k = i; k < memo_n; k++) {
            node = jk_trie_step(kw_trie, node, fold(s[k]));
            if (node < 0) break;
            int64_t val = jk_trie_value(kw_trie, node);
            if (val >= 0) { best = k + 1 - i; v = val; }
        }
        if (best) {
            int f = 0;
            while (f < kw_nvals && kw_vals[f] != v) f++; /* always found (configure) */
            e |= (uint16_t)(best << 10) | (uint16_t)f;
        }
    }
    memo[i] = e;
    return e;
}

static uint32_t scan_part_memo(const jch *s, Py_ssize_t i, Py_ssize_t hi, uint32_t *last) {
    uint32_t types = 0;
    while (i < hi) {
        uint16_t e = memo_at(s, i);
        Py_ssize_t len = (e >> 10) & MEMO_MAXLEN;
        if (!len) { i++; continue; }
        if (i + len <= hi) {
            uint32_t v = (uint32_t)kw_vals[e & (MEMO_MAXVALS - 1)];
            types |= v; *last = v; i += len;
            continue;
        }
        /* the longest word runs past hi: walk within the bound */
        int32_t node = 0;
        Py_ssize_t best = 0;
        int64_t v = 0;
        for (Py_ssize_t k = i; k < hi; k++) {
            node = jk_trie_step(kw_trie, node, fold(s[k]));
            if (node < 0) break;
            int64_t val = jk_trie_value(kw_trie, node);
            if (val >= 0) { best = k + 1 - i; v = val; }
        }
        if (best) { types |= (uint32_t)v; *last = (uint32_t)v; i += best; }
        else i++;
    }
    return types;
}

static uint32_t scan_part(const jch *s, Py_ssize_t i, Py_ssize_t hi, uint32_t *last) {
    if (memo && s == memo_s && hi <= memo_n) return scan_part_memo(s, i, hi, last);
    uint32_t types = 0;
    while (i < hi) {
        if (!jk_cs_has(&kw_first, fold(s[i]))) { i++; continue; }
        int32_t node = 0;
        Py_ssize_t best = 0;
        int64_t v = 0;
        for (Py_ssize_t k = i; k < hi; k++) {
            node = jk_trie_step(kw_trie, node, fold(s[k]));
            if (node < 0) break;
            int64_t val = jk_trie_value(kw_trie, node);
            if (val >= 0) { best = k + 1 - i; v = val; }
        }
        if (best) { types |= (uint32_t)v; *last = (uint32_t)v; i += best; }
        else i++;
    }
    return types;
}

uint32_t jk_context_types(const jch *s, Py_ssize_t lo, Py_ssize_t start, Py_ssize_t end, Py_ssize_t hi) {
    uint32_t last = 0, ignore = 0;
    uint32_t types = scan_part(s, lo, start, &last);
    if (hi > end) types |= scan_part(s, end, hi, &ignore);
    if (!types) return 0;
    types &= ~(1u << JK_NEGATIVE);
    if (last & (1u << JK_NEGATIVE)) types |= 1u << JK_NEGATIVE;
    return types;
}
