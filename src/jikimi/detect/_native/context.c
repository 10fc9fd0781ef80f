/* context.c: context words around a candidate (jikimi/detect/keywords.py, context.py).
 * Keywords are matched leftmost-longest on the lower-cased window, as keywords.context_types
 * does with its alternation; one trie walk per window position. */
#include "jk.h"

static jk_trie *kw_trie;
static jk_cset kw_first; /* lower-cased first characters of the keywords */

/* First-step filter: each (lower-cased) character gets two small ids, as the first character of
 * some keyword (id1, low byte) and as the second (id2, high byte); 0: neither. A position may
 * start a keyword only when its character's id1 starts a one-character keyword, or the pair
 * (id1, id2 of the next character) starts a longer one. The characters with the same ids form a
 * class (a byte; class 0: ids 0), and the filter reads classes: one byte per character from an
 * 11 KB table (half the two-byte ids' table, measured about 1 % faster on the whole scan) and one
 * bit per pair of classes. ASCII and Hangul are looked up directly (the
 * table entries are those of the lower-cased character); other characters are lower-cased first
 * and looked up in a short list. kw_fast_ok: ids and classes fit a byte (else the trie is walked
 * at every position whose first character fits, as before). */
#define KW_OTHERS 64
#define KW_NHANGUL (0xD7A4 - 0xAC00)
#define KW_SLOW 255u /* table entry of the characters that are neither ASCII nor Hangul */
static uint8_t kw_cls[128 + KW_NHANGUL + 1]; /* ASCII, then Hangul, then KW_SLOW */
static uint16_t kw_cls_ids[256];             /* the ids of each class */
static jch kw_other_ch[KW_OTHERS];
static uint8_t kw_other_cls[KW_OTHERS];
static int kw_nother, kw_fast_ok;
/* bit a << 8 | b for classes a, b: a keyword starts with a character of class a followed by one
 * of class b; every bit of row a when a one-character keyword is of class a (class 0 after it
 * stands for "no next character") */
static uint64_t kw_pairs[256 * 256 / 64];
/* The keywords again as a compact trie for the walks behind the filter: the node of each first
 * character by its id1, then per node its edges (character, child) side by side, searched in
 * order (few per node), and per node the index of its keyword's value in kw_vals (-1: none). */
static int32_t kt_root[256];
static int16_t kt_pair[256 * 256]; /* the node after a first and a second character, by id1 << 8 | id2 (-1: none) */
static int32_t *kt_first;  /* per node: its first edge; kt_first[node + 1] ends them */
static jch *kt_ch;         /* per edge */
static int32_t *kt_child;  /* per edge */
static int16_t *kt_val;    /* per node */

/* Memo of the longest keyword (unbounded on the right) at a position, while one text is scanned,
 * used only when the filter is off (kw_fast_ok 0): windows overlap, so such a position is walked
 * once. With the filter on, the few positions that pass it are walked again on the compact trie,
 * which measured faster than keeping the memo. A direct-mapped cache keyed by position: an entry
 * is (pos << 16) | MEMO_KNOWN | len << 10 | index of the keyword's value in kw_vals. A bounded
 * walk gives the same answer whenever the unbounded longest word fits in the bound (it is then
 * also the longest within it); otherwise the bounded walk is done as before. The value indexes
 * (kw_vals) serve the compact trie too. */
#define MEMO_KNOWN 0x8000u
#define MEMO_MAXLEN 31
#define MEMO_MAXVALS 1024
#define MEMO_SLOTS 16384
static int64_t kw_vals[MEMO_MAXVALS];
static int kw_nvals, kw_memo_ok; /* kw_memo_ok: every keyword fits the encoding */
static uint64_t memo[MEMO_SLOTS];
static const jch *memo_s;
static Py_ssize_t memo_n;

static inline jch fold(jch c) {
    /* U+0130 lower-cases to two characters in Python ("i" + U+0307): it can match no keyword */
    return c == 0x130 ? 0xFFFF : jk_lower(c);
}

static unsigned other_cls(jch c) {
    jch f = fold(c);
    if (f < 128) return kw_cls[f];
    if (f >= 0xAC00 && f <= 0xD7A3) return kw_cls[128 + f - 0xAC00];
    for (int k = 0; k < kw_nother; k++) if (kw_other_ch[k] == f) return kw_other_cls[k];
    return 0;
}

static inline unsigned char_cls(jch c) {
    /* the index without a branch: text mixes ASCII and Hangul unpredictably, and written as a
     * conditional the compiler emitted two jumps, mispredicted at ASCII/Hangul changes */
    uint32_t h = c - 0xAC00u;
    uint32_t ma = 0u - (uint32_t)(c < 128), mh = 0u - (uint32_t)(h < KW_NHANGUL);
    uint32_t idx = (c & ma) | (~ma & ((mh & (128 + h)) | (~mh & (128 + KW_NHANGUL))));
    unsigned r = kw_cls[idx];
    if (__builtin_expect(r == KW_SLOW, 0)) r = other_cls(c);
    return r;
}

static inline uint16_t char_ids(jch c) { return kw_cls_ids[char_cls(c)]; }

/* may a keyword start at a character of class cur, followed by one of class nxt? */
static inline int kw_may(unsigned cur, unsigned nxt) {
    unsigned bit = cur << 8 | nxt;
    return (int)((kw_pairs[bit >> 6] >> (bit & 63)) & 1);
}

/* the ids of the key characters (already lower-cased), built at configure time */
typedef struct { jch c[512]; uint16_t ids[512]; int n; } idtab;
static uint16_t *idtab_slot(idtab *t, jch c) {
    for (int k = 0; k < t->n; k++) if (t->c[k] == c) return &t->ids[k];
    if (t->n == 512) return NULL;
    t->c[t->n] = c; t->ids[t->n] = 0;
    return &t->ids[t->n++];
}
static uint16_t idtab_get(const idtab *t, jch c) {
    for (int k = 0; k < t->n; k++) if (t->c[k] == c) return t->ids[k];
    return 0;
}

/* builds kt_* from the keywords (t: the ids of their first characters); 0 ok, -1 when it cannot
 * (out of memory, or a value missing from kw_vals: the filter then stays off) */
static int build_ktrie(PyObject *kw, const idtab *t) {
    Py_ssize_t total = 1, pos = 0;
    PyObject *k, *v;
    while (PyDict_Next(kw, &pos, &k, &v)) if (PyUnicode_Check(k)) total += PyUnicode_GET_LENGTH(k);
    if (total > 30000) return -1;
    /* a first-child / next-sibling trie, flattened below */
    int32_t *head = PyMem_Malloc((size_t)total * sizeof(int32_t)), *next = PyMem_Malloc((size_t)total * sizeof(int32_t));
    jch *ech = PyMem_Malloc((size_t)total * sizeof(jch));
    int16_t *val = PyMem_Malloc((size_t)total * sizeof(int16_t));
    int32_t *first = PyMem_Malloc((size_t)(total + 1) * sizeof(int32_t)), *child = PyMem_Malloc((size_t)total * sizeof(int32_t));
    jch *ch = PyMem_Malloc((size_t)total * sizeof(jch));
    int rc = -1;
    if (!head || !next || !ech || !val || !first || !child || !ch) goto done;
    int32_t nn = 1;
    head[0] = -1; val[0] = -1;
    pos = 0;
    while (PyDict_Next(kw, &pos, &k, &v)) {
        if (!PyUnicode_Check(k)) continue;
        Py_ssize_t kn = PyUnicode_GET_LENGTH(k);
        if (kn == 0) continue;
        int32_t node = 0;
        for (Py_ssize_t a = 0; a < kn; a++) {
            jch c = PyUnicode_READ_CHAR(k, a);
            int32_t e = head[node];
            while (e >= 0 && ech[e] != c) e = next[e];
            if (e < 0) { /* node e is the new child, reached by the edge c */
                e = nn++;
                ech[e] = c; head[e] = -1; val[e] = -1;
                next[e] = head[node]; head[node] = e;
            }
            node = e;
        }
        long long x = PyLong_AsLongLong(v);
        if (x == -1 && PyErr_Occurred()) { PyErr_Clear(); goto done; }
        int f = 0;
        while (f < kw_nvals && kw_vals[f] != (int64_t)x) f++;
        if (f == kw_nvals) goto done;
        val[node] = (int16_t)f;
    }
    /* flatten: the edges of node u are first[u]..first[u + 1] (a child's id is its edge's) */
    int32_t ne = 0;
    for (int32_t u = 0; u < nn; u++) {
        first[u] = ne;
        for (int32_t e = head[u]; e >= 0; e = next[e]) { ch[ne] = ech[e]; child[ne] = e; ne++; }
    }
    first[nn] = ne;
    int32_t root[256];
    static int16_t pair[256 * 256]; /* configure time only */
    for (int a = 0; a < 256; a++) root[a] = -1;
    for (int a = 0; a < 256 * 256; a++) pair[a] = -1;
    if (nn > 32767) goto done;
    for (int32_t e = head[0]; e >= 0; e = next[e]) {
        unsigned a = idtab_get(t, ech[e]) & 0xFF;
        if (!a) goto done;
        root[a] = e;
        for (int32_t f = head[e]; f >= 0; f = next[f]) {
            unsigned b = idtab_get(t, ech[f]) >> 8;
            if (!b) goto done;
            pair[a << 8 | b] = (int16_t)f;
        }
    }
    PyMem_Free(kt_first); PyMem_Free(kt_ch); PyMem_Free(kt_child); PyMem_Free(kt_val);
    kt_first = first; kt_ch = ch; kt_child = child; kt_val = val;
    first = NULL; ch = NULL; child = NULL; val = NULL;
    memcpy(kt_root, root, sizeof root);
    memcpy(kt_pair, pair, sizeof pair);
    rc = 0;
done:
    PyMem_Free(head); PyMem_Free(next); PyMem_Free(ech); PyMem_Free(val);
    PyMem_Free(first); PyMem_Free(child); PyMem_Free(ch);
    return rc;
}

/* fills the filter tables from the keywords; 0 when they do not fit (the filter is then off) */
static int build_filter(PyObject *kw) {
    static idtab t; /* configure time only */
    t.n = 0;
    int n1 = 0, n2 = 0;
    uint64_t pairs[256 * 256 / 64];
    memset(pairs, 0, sizeof pairs);
    PyObject *k, *v;
    Py_ssize_t pos = 0;
    /* ids first: id1 of each first character, id2 of each second character */
    while (PyDict_Next(kw, &pos, &k, &v)) {
        if (!PyUnicode_Check(k)) continue;
        Py_ssize_t kn = PyUnicode_GET_LENGTH(k);
        for (int a = 0; a < 2 && a < kn; a++) {
            uint16_t *sl = idtab_slot(&t, PyUnicode_READ_CHAR(k, a));
            if (!sl) return 0;
            if (a == 0 && !(*sl & 0xFF)) { if (n1 == 254) return 0; *sl |= (uint16_t)++n1; }
            if (a == 1 && !(*sl >> 8)) { if (n2 == 254) return 0; *sl |= (uint16_t)(++n2 << 8); }
        }
    }
    pos = 0;
    while (PyDict_Next(kw, &pos, &k, &v)) {
        if (!PyUnicode_Check(k)) continue;
        Py_ssize_t kn = PyUnicode_GET_LENGTH(k);
        if (kn == 0) continue;
        unsigned a = idtab_get(&t, PyUnicode_READ_CHAR(k, 0)) & 0xFF;
        if (kn == 1) { for (int w = 0; w < 4; w++) pairs[a * 4 + w] = ~(uint64_t)0; continue; }
        unsigned bit = a << 8 | (idtab_get(&t, PyUnicode_READ_CHAR(k, 1)) >> 8);
        pairs[bit >> 6] |= (uint64_t)1 << (bit & 63);
    }
    /* classes: one per distinct ids (class 0: ids 0), KW_SLOW kept out */
    static uint8_t cls_of[256 * 256]; /* configure time only */
    uint16_t cls_ids[256];
    memset(cls_of, 0, sizeof cls_of);
    memset(cls_ids, 0, sizeof cls_ids);
    unsigned ncls = 1;
    for (int a = 0; a < t.n; a++) {
        uint16_t ids = t.ids[a];
        if (!ids || cls_of[ids]) continue;
        if (ncls == KW_SLOW) return 0;
        cls_of[ids] = (uint8_t)ncls; cls_ids[ncls] = ids; ncls++;
    }
    int nother = 0;
    jch other_ch[KW_OTHERS];
    uint8_t other_cls[KW_OTHERS];
    for (int a = 0; a < t.n; a++) {
        jch c = t.c[a];
        if (c < 128 || (c >= 0xAC00 && c <= 0xD7A3)) continue;
        if (nother == KW_OTHERS) return 0;
        other_ch[nother] = c; other_cls[nother] = cls_of[t.ids[a]]; nother++;
    }
    if (build_ktrie(kw, &t) < 0) return 0;
    /* the pairs' bits by class */
    uint64_t cpairs[256 * 256 / 64];
    memset(cpairs, 0, sizeof cpairs);
    for (unsigned a = 0; a < ncls; a++)
        for (unsigned b = 0; b < ncls; b++) {
            unsigned bit = (unsigned)(cls_ids[a] & 0xFF) << 8 | (unsigned)(cls_ids[b] >> 8);
            if ((pairs[bit >> 6] >> (bit & 63)) & 1) cpairs[(a << 8 | b) >> 6] |= (uint64_t)1 << ((a << 8 | b) & 63);
        }
    /* tables: the entry of a character is that of its lower-cased form */
    memcpy(kw_other_ch, other_ch, sizeof other_ch);
    memcpy(kw_other_cls, other_cls, sizeof other_cls);
    kw_nother = nother;
    memcpy(kw_cls_ids, cls_ids, sizeof cls_ids);
    for (jch c = 0; c < 128; c++) kw_cls[c] = cls_of[idtab_get(&t, fold(c))];
    for (jch c = 0xAC00; c <= 0xD7A3; c++) kw_cls[128 + c - 0xAC00] = cls_of[idtab_get(&t, fold(c))];
    kw_cls[128 + KW_NHANGUL] = KW_SLOW;
    memcpy(kw_pairs, cpairs, sizeof cpairs);
    return 1;
}

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
    if (ok) memcpy(kw_vals, vals, (size_t)nv * sizeof(int64_t));
    kw_fast_ok = ok && build_filter(kw); /* the compact trie needs the value indexes */
    return 0;
}

/* does s[a..b) hold a "\0"? Two characters per 64-bit word: a lane is zero when subtracting one
 * borrows into its top bit while the lane's own top bit is clear (code points never set it); a
 * borrow out of a zero lane can only mark the lane above it, so the test is exact as an "any". */
static inline int has_nul(const jch *s, Py_ssize_t a, Py_ssize_t b) {
    const uint64_t ones = 0x0000000100000001ULL, tops = 0x8000000080000000ULL;
    uint64_t acc = 0;
    Py_ssize_t i = a;
    for (; i + 4 <= b; i += 4) {
        uint64_t x, y;
        memcpy(&x, s + i, 8);
        memcpy(&y, s + i + 2, 8);
        acc |= ((x - ones) & ~x) | ((y - ones) & ~y);
    }
    for (; i < b; i++) acc |= s[i] == 0 ? tops : 0;
    return (acc & tops) != 0;
}

/* the last position in [a, b) holding "\0", or -1 */
static inline Py_ssize_t last_nul(const jch *s, Py_ssize_t a, Py_ssize_t b) {
    if (!has_nul(s, a, b)) return -1;
    for (Py_ssize_t i = b - 1; i >= a; i--) if (s[i] == 0) return i;
    return -1;
}
static inline Py_ssize_t first_nul(const jch *s, Py_ssize_t a, Py_ssize_t b) {
    if (!has_nul(s, a, b)) return -1;
    for (Py_ssize_t i = a; i < b; i++) if (s[i] == 0) return i;
    return -1;
}

Py_ssize_t jk_window_lo(const jch *s, Py_ssize_t start, Py_ssize_t before) {
    Py_ssize_t a = start - before > 0 ? start - before : 0;
    Py_ssize_t z = last_nul(s, a, start);
    return z >= 0 ? z + 1 : a;
}

Py_ssize_t jk_window_hi(const jch *s, Py_ssize_t n, Py_ssize_t end, Py_ssize_t after) {
    Py_ssize_t b = end + after < n ? end + after : n;
    Py_ssize_t z = first_nul(s, end, b);
    return z >= 0 ? z : b;
}

void jk_context_memo_begin(const jch *s, Py_ssize_t n) {
    jk_context_memo_end();
    /* positions fit the cache's key (pos << 16) */
    if (!kw_memo_ok || !kw_trie || n <= 0 || (uint64_t)n >= ((uint64_t)1 << 47)) return;
    if (kw_fast_ok) return; /* behind the filter a walk costs less than the memo (measured) */
    memset(memo, 0, sizeof memo);
    memo_s = s; memo_n = n;
}

void jk_context_memo_end(void) {
    memo_s = NULL; memo_n = 0;
}

/* the longest keyword at s[i..hi): its length (0: none), *v its value */
static inline Py_ssize_t walk(const jch *s, Py_ssize_t i, Py_ssize_t hi, int64_t *v) {
    int32_t node = 0;
    Py_ssize_t best = 0;
    for (Py_ssize_t k = i; k < hi; k++) {
        node = jk_trie_step(kw_trie, node, fold(s[k]));
        if (node < 0) break;
        int64_t val = jk_trie_value(kw_trie, node);
        if (val >= 0) { best = k + 1 - i; *v = val; }
    }
    return best;
}

/* the same on the compact trie (kw_fast_ok): *vi the index of the value in kw_vals */
static inline Py_ssize_t kwalk(const jch *s, Py_ssize_t i, Py_ssize_t hi, int *vi) {
    if (i >= hi) return 0;
    unsigned a = char_ids(s[i]) & 0xFF;
    int32_t node = kt_root[a];
    if (node < 0) return 0;
    Py_ssize_t best = 0;
    if (kt_val[node] >= 0) { best = 1; *vi = kt_val[node]; }
    if (i + 1 >= hi) return best;
    node = kt_pair[a << 8 | (unsigned)(char_ids(s[i + 1]) >> 8)];
    if (node < 0) return best;
    if (kt_val[node] >= 0) { best = 2; *vi = kt_val[node]; }
    for (Py_ssize_t k = i + 2; k < hi; k++) {
        jch c = fold(s[k]);
        int32_t e = kt_first[node], end = kt_first[node + 1];
        while (e < end && kt_ch[e] != c) e++;
        if (e == end) break;
        node = kt_child[e];
        if (kt_val[node] >= 0) { best = k + 1 - i; *vi = kt_val[node]; }
    }
    return best;
}

static inline Py_ssize_t walk_any(const jch *s, Py_ssize_t i, Py_ssize_t hi, int64_t *v) {
    if (!kw_fast_ok) return walk(s, i, hi, v);
    int vi = 0;
    Py_ssize_t b = kwalk(s, i, hi, &vi);
    if (b) *v = kw_vals[vi];
    return b;
}

/* the longest keyword at s[i..hi) through the memo (memo_s == s, hi <= memo_n) */
static inline Py_ssize_t longest_memo(const jch *s, Py_ssize_t i, Py_ssize_t hi, int64_t *v) {
    uint64_t *slot = &memo[(size_t)i & (MEMO_SLOTS - 1)];
    uint64_t ent = *slot;
    if ((ent >> 16) != (uint64_t)i || !(ent & MEMO_KNOWN)) {
        uint64_t e = MEMO_KNOWN;
        if (kw_fast_ok) {
            int vi = 0;
            Py_ssize_t best = kwalk(s, i, memo_n, &vi);
            if (best) e |= (uint64_t)best << 10 | (uint64_t)vi;
        } else {
            int64_t val = 0;
            Py_ssize_t best = walk(s, i, memo_n, &val);
            if (best) {
                int f = 0;
                while (f < kw_nvals && kw_vals[f] != val) f++; /* always found (configure) */
                e |= (uint64_t)best << 10 | (uint64_t)f;
            }
        }
        ent = (uint64_t)i << 16 | e;
        *slot = ent;
    }
    Py_ssize_t len = (Py_ssize_t)((ent >> 10) & MEMO_MAXLEN);
    if (!len) return 0;
    if (i + len <= hi) { *v = kw_vals[ent & (MEMO_MAXVALS - 1)]; return len; }
    return walk_any(s, i, hi, v); /* the longest word runs past hi: walk within the bound */
}

static uint32_t scan_part(const jch *s, Py_ssize_t i, Py_ssize_t hi, uint32_t *last) {
    uint32_t types = 0;
    int use_memo = memo_s && s == memo_s && hi <= memo_n;
    if (kw_fast_ok) {
        /* up to 64 positions at a time: the filter's bits first (no branch per position), then
         * the positions whose bit is set, left to right, skipping over the keywords found */
        while (i < hi) {
            Py_ssize_t m = hi - i < 64 ? hi - i : 64, base = i;
            uint64_t mask = 0;
            unsigned cur = char_cls(s[i]);
            for (Py_ssize_t k = 0; k + 1 < m; k++) {
                unsigned nxt = char_cls(s[i + k + 1]);
                mask |= (uint64_t)kw_may(cur, nxt) << k;
                cur = nxt;
            }
            mask |= (uint64_t)kw_may(cur, i + m < hi ? char_cls(s[i + m]) : 0) << (m - 1);
            i = base + m;
            while (mask) {
                Py_ssize_t p = base + __builtin_ctzll(mask);
                int64_t v = 0;
                Py_ssize_t len = walk_any(s, p, hi, &v); /* no memo: cheaper to walk again */
                if (!len) { mask &= mask - 1; continue; }
                types |= (uint32_t)v; *last = (uint32_t)v;
                Py_ssize_t q = p + len;
                if (q >= base + m) { i = q; break; }
                mask &= ~(uint64_t)0 << (q - base); /* q - base < m <= 64 */
            }
        }
        return types;
    }
    while (i < hi) {
        if (!jk_cs_has(&kw_first, fold(s[i]))) { i++; continue; }
        int64_t v = 0;
        Py_ssize_t len = use_memo ? longest_memo(s, i, hi, &v) : walk(s, i, hi, &v);
        if (len) { types |= (uint32_t)v; *last = (uint32_t)v; i += len; }
        else i++;
    }
    return types;
}

uint32_t jk_context_part(const jch *s, Py_ssize_t lo, Py_ssize_t hi, uint32_t *last) {
    return lo < hi ? scan_part(s, lo, hi, last) : 0;
}
