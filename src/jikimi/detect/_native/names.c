/* names.c: names.find_persons in C.
 *
 * A line-for-line port of jikimi/detect/names.py (the reference): the same normalised text (a
 * space prepended, ':' '(' '\t' '\r' '：' as spaces; the scan copy also has '\n' and '\0' as
 * spaces), the same scan pattern (_SCAN, matched by hand below with the semantics of Python's
 * re: possessive runs, the cue trie with greedy optional tails, lookbehinds that see the whole
 * string, finditer restarting at the end of each match), the same reading and scoring functions
 * with the same float arithmetic in the same order. The Python caches of _quality and
 * _strong_quality are pure speed-ups; here both are computed each time.
 *
 * Offsets: t[i] is text[i - 1]; a hit (s, e) is in text offsets (t offsets minus one), as in
 * Python. Strings are (pointer, length) slices of t, so no string is ever built.
 */
#include "jk.h"

/* ------------------------------------------------------------------ tables (configure) */

static int configured;
static jk_map *M_share, *M_compound, *M_given, *M_stop, *M_hard, *M_after, *M_before,
    *M_weak_labels, *M_weak_after, *M_needs_copula, *M_self, *M_role_mod, *M_noun_cues,
    *M_latin_cues, *M_latin_stop, *M_suffixes, *M_copulas, *M_trade, *M_nim_hosts, *M_roman,
    *M_conj;
/* A filter in front of each map: one bit per (length, first, last character) hash of its keys.
 * Most lookups on the hot path are of strings the map does not hold; a clear bit answers them
 * without hashing the string. A set bit says nothing: the map is asked. */
#define FBITS 14
typedef struct { uint64_t b[1 << (FBITS - 6)]; int empty_key; } jk_filt;
static jk_filt F_M_share, F_M_compound, F_M_given, F_M_stop, F_M_hard, F_M_after, F_M_before, F_M_weak_labels, F_M_weak_after, F_M_needs_copula, F_M_self, F_M_role_mod, F_M_noun_cues, F_M_latin_cues, F_M_latin_stop, F_M_suffixes, F_M_copulas, F_M_trade, F_M_nim_hosts, F_M_roman, F_M_conj;

static inline uint32_t filt_hash(const jch *s, Py_ssize_t n) {
    uint32_t h = (uint32_t)s[0] * 0x9E3779B1u ^ (uint32_t)s[n - 1] * 0x85EBCA77u ^ (uint32_t)n * 0xC2B2AE3Du;
    return (h ^ (h >> 15)) * 0x2C1B3C6Du >> (32 - FBITS);
}

static void filt_add(jk_filt *f, const jch *s, Py_ssize_t n) {
    if (n <= 0) { f->empty_key = 1; return; }
    uint32_t h = filt_hash(s, n);
    f->b[h >> 6] |= (uint64_t)1 << (h & 63);
}

/* jk_map_get behind the filter: the same answers */
static inline int fget(const jk_map *m, const jk_filt *f, const jch *s, Py_ssize_t n, double *v) {
    if (n <= 0) return n == 0 && f->empty_key && jk_map_get(m, s, n, v);
    uint32_t h = filt_hash(s, n);
    if (!((f->b[h >> 6] >> (h & 63)) & 1)) return 0;
    return jk_map_get(m, s, n, v);
}
#define GET(m, p, n, v) fget((m), &F_##m, (p), (n), (v))

static jk_trie *T_cue, *T_after, *T_after_final, *T_after_open, *T_field_next, *T_to_verbs;
static jk_cset C_first, C_masks, C_given, C_gate0, C_gate1, C_one, C_follow, C_ll, C_ll2, C_llnp,
    C_lph, C_latin_gate, C_particle_ends, C_endings, C_close, C_anchor_prev, C_list_punct;
static double soft_stop, min_report;
/* every member of C_first is an upper-case ASCII letter or a syllable (the scan's prefilter) */
static int first_simple;
/* dense copies of the one-syllable lookups on the hot path (the maps hold only syllables, but
 * other characters still go to the maps): given-name class (0 when absent) and surname share
 * (-1 when absent) */
static signed char syl_given[11172];
static double syl_share[11172];
/* the classes of _SCAN in one table: ccls[c] has the bits of the classes of scan_ch(c) (so '\n'
 * and '\0' read as spaces); characters above U+FFFF are in none */
enum { B_FIRST = 1, B_MASK = 2, B_GIVEN = 4, B_GATE0 = 8, B_GATE1 = 16, B_ONE = 32, B_FOLLOW = 64,
       B_LL = 128, B_LL2 = 256, B_LLNP = 512, B_LPH = 1024, B_LGATE = 2048, B_HANGUL = 4096,
       B_SPACE = 8192, B_LATIN = 16384, B_EUN = 32768 };
static uint16_t ccls[0x10000];
#define CL(c) ((c) < 0x10000 ? (unsigned)ccls[c] : 0u)
/* the normalisation of ASCII characters: t (':' '(' '\t' '\r' as spaces) and ts (also '\n' and
 * '\0') */
static jch norm_t[128], norm_ts[128];

#define MAX_CUE 64 /* longest cue word the trie walk can record ends for */
#define MAX_SPLIT 16
static struct { jch key[8], val[8]; Py_ssize_t kn, vn; } split_cues[MAX_SPLIT];
static int n_split;

static int load_map(PyObject *cfg, const char *key, jk_map **dst, jk_filt *f) {
    PyObject *o = jk_cfg_item(cfg, key);
    if (!o) return -1;
    jk_map *m = jk_map_from_py(o);
    if (!m) return -1;
    /* the filter, from the same keys (a dict iterates its keys) */
    jk_filt nf;
    memset(&nf, 0, sizeof nf);
    if (!(PyDict_Check(o) || PyAnySet_Check(o) || PyList_Check(o) || PyTuple_Check(o))) {
        /* an iterable that may not iterate twice: a filter that passes everything */
        memset(nf.b, 0xff, sizeof nf.b);
        nf.empty_key = 1;
        jk_map_free(*dst);
        *dst = m;
        *f = nf;
        return 0;
    }
    PyObject *it = PyObject_GetIter(o), *k;
    if (!it) { jk_map_free(m); return -1; }
    while ((k = PyIter_Next(it))) {
        Py_ssize_t n = PyUnicode_Check(k) ? PyUnicode_GET_LENGTH(k) : -1;
        Py_UCS4 *u = n >= 0 ? PyUnicode_AsUCS4Copy(k) : NULL;
        Py_DECREF(k);
        if (!u) {
            if (!PyErr_Occurred()) PyErr_SetString(PyExc_TypeError, "native scan tables hold str keys");
            Py_DECREF(it); jk_map_free(m); return -1;
        }
        filt_add(&nf, u, n);
        PyMem_Free(u);
    }
    Py_DECREF(it);
    if (PyErr_Occurred()) { jk_map_free(m); return -1; }
    jk_map_free(*dst);
    *dst = m;
    *f = nf;
    return 0;
}

static int load_trie(PyObject *cfg, const char *key, jk_trie **dst, int reverse) {
    PyObject *o = jk_cfg_item(cfg, key);
    if (!o) return -1;
    /* a dict's keys (its values are scores, not trie values) */
    PyObject *words = PyDict_Check(o) ? PyDict_Keys(o) : (Py_INCREF(o), o);
    if (!words) return -1;
    jk_trie *t = jk_trie_from_py(words, reverse, 0);
    Py_DECREF(words);
    if (!t) return -1;
    jk_trie_free(*dst);
    *dst = t;
    return 0;
}

static int load_float(PyObject *cfg, const char *key, double *dst) {
    PyObject *o = jk_cfg_item(cfg, key);
    if (!o) return -1;
    double d = PyFloat_AsDouble(o);
    if (d == -1.0 && PyErr_Occurred()) return -1;
    *dst = d;
    return 0;
}

static int copy_str(PyObject *o, jch *dst, Py_ssize_t cap, Py_ssize_t *n) {
    if (!PyUnicode_Check(o) || PyUnicode_GET_LENGTH(o) > cap) {
        PyErr_SetString(PyExc_ValueError, "names.split_cues: short str keys and values expected");
        return -1;
    }
    *n = PyUnicode_GET_LENGTH(o);
    for (Py_ssize_t i = 0; i < *n; i++) dst[i] = PyUnicode_READ_CHAR(o, i);
    return 0;
}

int jk_configure_persons(PyObject *cfg) {
    configured = 0;
    if (load_map(cfg, "names.surname_share", &M_share, &F_M_share) < 0 ||
        load_map(cfg, "names.compound_surnames", &M_compound, &F_M_compound) < 0 ||
        load_map(cfg, "names.given_class", &M_given, &F_M_given) < 0 ||
        load_map(cfg, "names.stop_words", &M_stop, &F_M_stop) < 0 ||
        load_map(cfg, "names.hard_stop", &M_hard, &F_M_hard) < 0 ||
        load_map(cfg, "names.after", &M_after, &F_M_after) < 0 ||
        load_map(cfg, "names.before", &M_before, &F_M_before) < 0 ||
        load_map(cfg, "names.weak_labels", &M_weak_labels, &F_M_weak_labels) < 0 ||
        load_map(cfg, "names.weak_after", &M_weak_after, &F_M_weak_after) < 0 ||
        load_map(cfg, "names.needs_copula", &M_needs_copula, &F_M_needs_copula) < 0 ||
        load_map(cfg, "names.self_words", &M_self, &F_M_self) < 0 ||
        load_map(cfg, "names.role_modifiers", &M_role_mod, &F_M_role_mod) < 0 ||
        load_map(cfg, "names.noun_cues", &M_noun_cues, &F_M_noun_cues) < 0 ||
        load_map(cfg, "names.latin_cues", &M_latin_cues, &F_M_latin_cues) < 0 ||
        load_map(cfg, "names.latin_stop", &M_latin_stop, &F_M_latin_stop) < 0 ||
        load_map(cfg, "names.suffixes", &M_suffixes, &F_M_suffixes) < 0 ||
        load_map(cfg, "names.copulas", &M_copulas, &F_M_copulas) < 0 ||
        load_map(cfg, "names.trade_words", &M_trade, &F_M_trade) < 0 ||
        load_map(cfg, "names.nim_hosts", &M_nim_hosts, &F_M_nim_hosts) < 0 ||
        load_map(cfg, "names.roman_labels", &M_roman, &F_M_roman) < 0 ||
        load_map(cfg, "names.conj", &M_conj, &F_M_conj) < 0)
        return -1;
    if (load_trie(cfg, "names.cue_words", &T_cue, 0) < 0 ||
        load_trie(cfg, "names.after", &T_after, 0) < 0 ||
        load_trie(cfg, "names.after_final", &T_after_final, 0) < 0 ||
        load_trie(cfg, "names.after_open", &T_after_open, 0) < 0 ||
        load_trie(cfg, "names.field_next", &T_field_next, 0) < 0 ||
        load_trie(cfg, "names.latin_to_verbs", &T_to_verbs, 1) < 0)
        return -1;
    if (jk_cfg_cset(cfg, "names.scan_first", &C_first) < 0 ||
        jk_cfg_cset(cfg, "names.masks", &C_masks) < 0 ||
        jk_cfg_cset(cfg, "names.given_scan", &C_given) < 0 ||
        jk_cfg_cset(cfg, "names.gate0", &C_gate0) < 0 ||
        jk_cfg_cset(cfg, "names.gate1", &C_gate1) < 0 ||
        jk_cfg_cset(cfg, "names.one_cues", &C_one) < 0 ||
        jk_cfg_cset(cfg, "names.follow_ok", &C_follow) < 0 ||
        jk_cfg_cset(cfg, "names.label_last", &C_ll) < 0 ||
        jk_cfg_cset(cfg, "names.label_last2", &C_ll2) < 0 ||
        jk_cfg_cset(cfg, "names.label_last_np", &C_llnp) < 0 ||
        jk_cfg_cset(cfg, "names.label_particle_hosts", &C_lph) < 0 ||
        jk_cfg_cset(cfg, "names.latin_gate", &C_latin_gate) < 0 ||
        jk_cfg_cset(cfg, "names.particle_ends", &C_particle_ends) < 0 ||
        jk_cfg_cset(cfg, "names.endings", &C_endings) < 0 ||
        jk_cfg_cset(cfg, "names.close", &C_close) < 0 ||
        jk_cfg_cset(cfg, "names.anchor_prev", &C_anchor_prev) < 0 ||
        jk_cfg_cset(cfg, "names.list_punct", &C_list_punct) < 0)
        return -1;
    if (load_float(cfg, "names.soft_stop", &soft_stop) < 0 ||
        load_float(cfg, "names.min_report", &min_report) < 0)
        return -1;
    PyObject *cues = jk_cfg_item(cfg, "names.cue_words");
    if (!cues) return -1;
    PyObject *it = PyObject_GetIter(cues), *w;
    if (!it) return -1;
    while ((w = PyIter_Next(it))) {
        Py_ssize_t len = PyUnicode_Check(w) ? PyUnicode_GET_LENGTH(w) : 0;
        Py_DECREF(w);
        if (len >= MAX_CUE) {
            Py_DECREF(it);
            PyErr_SetString(PyExc_ValueError, "names.cue_words: a cue word is too long");
            return -1;
        }
    }
    Py_DECREF(it);
    if (PyErr_Occurred()) return -1;
    PyObject *sc = jk_cfg_item(cfg, "names.split_cues");
    if (!sc) return -1;
    if (!PyDict_Check(sc) || PyDict_Size(sc) > MAX_SPLIT) {
        PyErr_SetString(PyExc_ValueError, "names.split_cues: a small dict expected");
        return -1;
    }
    PyObject *k, *v;
    Py_ssize_t pos = 0;
    n_split = 0;
    while (PyDict_Next(sc, &pos, &k, &v)) {
        if (copy_str(k, split_cues[n_split].key, 8, &split_cues[n_split].kn) < 0 ||
            copy_str(v, split_cues[n_split].val, 8, &split_cues[n_split].vn) < 0)
            return -1;
        n_split++;
    }
    for (jch c = 0xAC00; c <= 0xD7A3; c++) {
        double v;
        syl_given[c - 0xAC00] = jk_map_get(M_given, &c, 1, &v) ? (signed char)v : 0;
        syl_share[c - 0xAC00] = jk_map_get(M_share, &c, 1, &v) ? v : -1.0;
    }
    first_simple = 1;
    for (jch c = 0; c < 0x10000; c++)
        if (jk_cs_has(&C_first, c) && !((c >= 'A' && c <= 'Z') || jk_hangul(c))) first_simple = 0;
    for (jch c = 0; c < 0x10000; c++) {
        jch sc = c == '\n' || c == 0 ? ' ' : c;
        ccls[c] = (uint16_t)((jk_cs_has(&C_first, sc) ? B_FIRST : 0) | (jk_cs_has(&C_masks, sc) ? B_MASK : 0) |
                             (jk_cs_has(&C_given, sc) ? B_GIVEN : 0) | (jk_cs_has(&C_gate0, sc) ? B_GATE0 : 0) |
                             (jk_cs_has(&C_gate1, sc) ? B_GATE1 : 0) | (jk_cs_has(&C_one, sc) ? B_ONE : 0) |
                             (jk_cs_has(&C_follow, sc) ? B_FOLLOW : 0) | (jk_cs_has(&C_ll, sc) ? B_LL : 0) |
                             (jk_cs_has(&C_ll2, sc) ? B_LL2 : 0) | (jk_cs_has(&C_llnp, sc) ? B_LLNP : 0) |
                             (jk_cs_has(&C_lph, sc) ? B_LPH : 0) | (jk_cs_has(&C_latin_gate, sc) ? B_LGATE : 0) |
                             (jk_hangul(sc) ? B_HANGUL : 0) | (sc == ' ' ? B_SPACE : 0) |
                             (jk_ascii_alpha(sc) || sc == '\'' || sc == U'’' || sc == '-' ? B_LATIN : 0) |
                             (sc == U'은' || sc == U'는' ? B_EUN : 0));
    }
    for (jch c = 0; c < 128; c++) {
        norm_t[c] = (c == ':' || c == '(' || c == '\t' || c == '\r') ? ' ' : c;
        norm_ts[c] = (c == '\n' || c == 0) ? ' ' : norm_t[c];
    }
    configured = 1;
    return 0;
}

/* ------------------------------------------------------------------ per-call state */

typedef struct { Py_ssize_t s, e; double sc; } hit;

typedef struct {
    const jch *t;  /* the normalised text (the scan reads it through scan_ch: '\n' and '\0' as
                    * spaces) */
    Py_ssize_t N;  /* its length: text length + 1 */
    hit *h;
    Py_ssize_t nh, caph;
    int err;
} ctx;

static void add_hit(ctx *x, Py_ssize_t s, Py_ssize_t e, double sc) {
    if (x->err) return;
    if (x->nh == x->caph) {
        Py_ssize_t cap = x->caph ? x->caph * 2 : 16;
        hit *v = PyMem_Realloc(x->h, (size_t)cap * sizeof(hit));
        if (!v) { x->err = 1; return; }
        x->h = v; x->caph = cap;
    }
    x->h[x->nh].s = s; x->h[x->nh].e = e; x->h[x->nh].sc = sc;
    x->nh++;
}

/* ------------------------------------------------------------------ small helpers */

#define HAS(m, p, n) GET(m, (p), (n), NULL)

static inline int is_syl(jch c) { return jk_hangul(c) || jk_cs_has(&C_masks, c); } /* _SYLLABLE */
static inline int up(jch c) { return c >= 'A' && c <= 'Z'; }
static inline int lo(jch c) { return c >= 'a' && c <= 'z'; }

/* s[0..n) == w (w zero-terminated) */
static int eqw(const jch *s, Py_ssize_t n, const jch *w) {
    for (Py_ssize_t k = 0; k < n; k++) if (w[k] == 0 || w[k] != s[k]) return 0;
    return w[n] == 0;
}

/* _RUN.match(t, p): the end of up to twelve syllables at p, or -1 */
static Py_ssize_t run_at(const ctx *x, Py_ssize_t p) {
    Py_ssize_t k = p, hi = p + 12 < x->N ? p + 12 : x->N;
    while (k < hi && is_syl(x->t[k])) k++;
    return k > p ? k : -1;
}

/* ------------------------------------------------------------------ scoring */

static int particle_fits(jch last, const jch *rest, Py_ssize_t rn) {
    long o = (long)last - 0xAC00;
    if (!(o >= 0 && o < 11172)) return 1; /* a masked syllable: no evidence either way */
    int final = o % 28 != 0;
    if (rn == 1 && (rest[0] == U'이' || rest[0] == U'가')) return final == (rest[0] == U'이');
    if (jk_trie_longest(T_after_final, rest, 0, rn, 0, NULL) > 0) return final;
    if (jk_trie_longest(T_after_open, rest, 0, rn, 0, NULL) > 0) return !final;
    return 1;
}

/* GIVEN_CLASS.get(c, 0) */
static inline double given_cls(jch c) {
    if (jk_hangul(c)) return syl_given[c - 0xAC00];
    double v;
    return GET(M_given, &c, 1, &v) ? v : 0.0;
}

/* c in SURNAME_SHARE: its share, or -1 */
static inline double share_of(jch c) {
    if (jk_hangul(c)) return syl_share[c - 0xAC00];
    double v;
    return GET(M_share, &c, 1, &v) ? v : -1.0;
}

static double surname_penalty(const jch *s, Py_ssize_t n) {
    if (n == 2) return 0.02;
    double share = share_of(s[0]);
    if (share >= 1.0) return 0.0;
    if (share >= 0.3) return 0.04;
    if (share >= 0.1) return 0.1;
    return 0.2;
}

static double given_penalty(const jch *g, Py_ssize_t n, int strong) {
    double pen = 0.0;
    Py_ssize_t masks = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (jk_cs_has(&C_masks, g[i])) { masks++; continue; }
        double cls = given_cls(g[i]);
        if (cls == 0.0) pen += 0.35;
        else if (cls == 2.0) pen += 0.05;
        else if (cls == 3.0) pen += 0.15;
    }
    if (masks == n) pen += 0.05;
    if (n == 1) pen += strong ? 0.04 : 0.12;
    else if (n == 3) pen += strong ? 0.06 : 0.22;
    return pen;
}

static double quality(const jch *name, Py_ssize_t n) {
    if (n < 2 || n > 4 || HAS(M_stop, name, n)) return -1.0;
    int compound = n >= 3 && HAS(M_compound, name, 2);
    if (!compound && n >= 3 && HAS(M_stop, name, 2) && (n == 4 || jk_cs_has(&C_endings, name[2])))
        return -1.0;
    if (n == 4 && (HAS(M_stop, name, 3) || HAS(M_trade, name + 2, 2))) return -1.0;
    double best = -1.0;
    if (compound) best = given_penalty(name + 2, n - 2, 0) + surname_penalty(name, 2);
    if (share_of(name[0]) >= 0.0) {
        double p = given_penalty(name + 1, n - 1, 0) + surname_penalty(name, 1);
        if (best < 0.0 || p < best) best = p;
    }
    return best;
}


static double strong_quality(const jch *name, Py_ssize_t n) {
    int compound = n >= 3 && HAS(M_compound, name, 2);
    if (n < 2 || n > (compound ? 5 : 4) || HAS(M_hard, name, n)) return -1.0;
    double extra = 0.0;
    if (HAS(M_stop, name, n)) {
        if (n > 2) return -1.0;
        extra = soft_stop;
    }
    if (!compound && n == 3 &&
        (HAS(M_hard, name, 2) ||
         (HAS(M_stop, name, 2) && (jk_cs_has(&C_endings, name[2]) || name[2] == U'들'))))
        return -1.0;
    if (!compound && n == 4 &&
        (HAS(M_stop, name, 3) || HAS(M_stop, name + 2, 2) || HAS(M_hard, name + 2, 2) ||
         HAS(M_trade, name + 2, 2) ||
         (HAS(M_hard, name, 2) && !(given_cls(name[2]) == 1.0 && given_cls(name[3]) == 1.0))))
        return -1.0;
    double best = -1.0;
    if (compound) best = given_penalty(name + 2, n - 2, 1) + surname_penalty(name, 2);
    if (n <= 4 && share_of(name[0]) >= 0.0) {
        double p = given_penalty(name + 1, n - 1, 1) + surname_penalty(name, 1);
        if (best < 0.0 || p < best) best = p;
    }
    return best >= 0.0 ? best + extra : -1.0;
}

/* _closed(t, e) */
static int closed(const ctx *x, Py_ssize_t e) {
    const jch *t = x->t;
    Py_ssize_t N = x->N;
    if (e >= N) return 1;
    jch c = t[e];
    if (jk_cs_has(&C_close, c)) return 1;
    if (c != ' ') return 0;
    if (e + 1 >= N) return 1;
    jch d = t[e + 1];
    if (d == ' ' || jk_cs_has(&C_close, d) || d == '-' || d == '[' || d == '<' || d == '~' ||
        jk_ascii_alnum(d))
        return 1;
    Py_ssize_t j = e + 1;
    if (!jk_hangul(d)) return 0;
    if (jk_trie_longest(T_field_next, t, j, N, 0, NULL) > 0) return 1;
    Py_ssize_t we = run_at(x, j); /* d is a syllable: a run */
    Py_ssize_t wn = we - j;
    if (HAS(M_after, t + j, wn)) return 1;
    return jk_cs_has(&C_particle_ends, t[we - 1]) && HAS(M_after, t + j, wn - 1);
}

/* _anchored(t, ns) */
static int anchored(const ctx *x, Py_ssize_t ns) {
    return ns == 0 || x->t[ns] == '\n' || x->t[ns] == 0 || jk_cs_has(&C_anchor_prev, x->t[ns - 1]);
}

/* ------------------------------------------------------------------ reading names */

/* _split_run: 1 with *k, *q set, or 0 (None) */
static int split_run(const jch *run, Py_ssize_t n, int need_copula, Py_ssize_t *ko, double *qo) {
    if (n == 3 && !need_copula && run[2] != U'님' && run[2] != U'씨') {
        double q = quality(run, 3);
        if (q >= 0.0 || !HAS(M_compound, run, 2)) {
            if (q < 0.0) return 0;
            *ko = 3; *qo = q;
            return 1;
        }
    }
    Py_ssize_t sl = n >= 3 && HAS(M_compound, run, 2) ? 2 : 1;
    static const int order2[] = {2, 1}, order1[] = {2, 1, 3};
    const int *order = sl == 2 ? order2 : order1;
    int no = sl == 2 ? 2 : 3;
    for (int oi = 0; oi < no; oi++) {
        Py_ssize_t k = sl + order[oi];
        if (k > n) continue;
        const jch *rest = run + k;
        Py_ssize_t rn = n - k;
        if (need_copula) {
            if (!HAS(M_copulas, rest, rn)) continue;
        } else if (rn && !HAS(M_suffixes, rest, rn)) continue;
        if ((rn && !particle_fits(run[k - 1], rest, rn)) || run[k - 1] == U'님' || run[k - 1] == U'씨')
            continue;
        /* 노철이야: 이 after a closed syllable is the particle; "이" + rest is run[k-1:] */
        if (rn && run[k - 1] == U'이' && k > sl + 1 &&
            (need_copula ? HAS(M_copulas, run + k - 1, rn + 1) : HAS(M_suffixes, run + k - 1, rn + 1)) &&
            particle_fits(run[k - 2], run + k - 1, rn + 1))
            k -= 1;
        double q = quality(run, k);
        if (q < 0.0 || (need_copula && HAS(M_self, run, k))) return 0;
        *ko = k; *qo = q;
        return 1;
    }
    return 0;
}

/* _read_name: the run is t[p..run_end) */
static int read_name(const ctx *x, Py_ssize_t p, Py_ssize_t run_end, double base, int strong,
                     int need_copula, Py_ssize_t *ko, double *qo) {
    const jch *run = x->t + p;
    Py_ssize_t n = run_end - p, k = 0;
    double q = 0.0;
    int r = split_run(run, n, need_copula, &k, &q);
    if (strong && (!r || (k == n && base - q < 0.6))) {
        double qs = strong_quality(run, n);
        if (qs >= 0.0 && (!r || qs < q) && closed(x, run_end)) {
            *ko = n; *qo = qs;
            return 1;
        }
    }
    if (r) { *ko = k; *qo = q; }
    return r;
}

/* index in [lo, e) of the last ' ', '\0' or '\n', or -1 (the search of _label_before) */
static Py_ssize_t last_break(const jch *t, Py_ssize_t lo, Py_ssize_t e) {
    for (Py_ssize_t i = e - 1; i >= lo; i--)
        if (t[i] == ' ' || t[i] == 0 || t[i] == '\n') return i;
    return -1;
}

/* _label_before(t, a): 1 with the label as t[*ls..*ls + *ln) and its score, or 0 (the tail
 * recursion of the Python function is the loop) */
static int label_before(const ctx *x, Py_ssize_t a, Py_ssize_t *ls, Py_ssize_t *ln, double *score) {
    const jch *t = x->t;
    static const jch HANGEUL[] = U"한글", GUKMUN[] = U"국문", HANJA[] = U"한자", YEONGMUN[] = U"영문",
                     HWAKIN[] = U"확인", JEONGBO[] = U"정보", BUN[] = U"분", SARAM[] = U"사람",
                     BUNKKE[] = U"분께", FROM[] = U"From", TO[] = U"To", CC[] = U"Cc", to[] = U"to";
    for (;;) {
        Py_ssize_t e = a;
        while (e > 1 && t[e - 1] == ' ') e--;
        if (e <= 1) return 0;
        Py_ssize_t lo = e - 12 > 0 ? e - 12 : 0;
        Py_ssize_t w = last_break(t, lo, e);
        if (w < 0) return 0;
        Py_ssize_t ws = w + 1, wn = e - ws;
        double s;
        if (GET(M_before, t + ws, wn, &s)) { *ls = ws; *ln = wn; *score = s; return 1; }
        if (wn && (t[e - 1] == ')' || t[e - 1] == ']')) {
            Py_ssize_t k = wn;
            while (k && (t[ws + k - 1] == ')' || t[ws + k - 1] == ']')) k--;
            if ((eqw(t + ws, k, HANGEUL) || eqw(t + ws, k, GUKMUN) || eqw(t + ws, k, HANJA) ||
                 eqw(t + ws, k, YEONGMUN)) && t[w] == ' ') {
                a = w; /* 성명(한글): the label is the word before */
                continue;
            }
            return 0;
        }
        if ((eqw(t + ws, wn, HWAKIN) || eqw(t + ws, wn, JEONGBO)) && t[w] == ' ') {
            a = w; /* 예금주 확인: 김민준 */
            continue;
        }
        if ((eqw(t + ws, wn, FROM) || eqw(t + ws, wn, TO) || eqw(t + ws, wn, CC)) && a - e < 1)
            return 0;
        if (eqw(t + ws, wn, to) && t[w] == ' ' &&
            jk_trie_longest_back(T_to_verbs, t, w, w - 12 > 0 ? w - 12 : 0, NULL) > 0) {
            *ls = ws; *ln = wn; *score = 0.8;
            return 1;
        }
        int found = 0;
        if (wn) {
            jch c = t[e - 1];
            if ((c == U'은' || c == U'는' || c == U'이' || c == U'가') &&
                GET(M_before, t + ws, wn - 1, &s)) {
                wn -= 1;
                found = 1;
            }
        }
        if (!found && (eqw(t + ws, wn, BUN) || eqw(t + ws, wn, SARAM) || eqw(t + ws, wn, BUNKKE)) &&
            t[w] == ' ') {
            Py_ssize_t lo2 = w - 8 > 0 ? w - 8 : 0;
            Py_ssize_t w2 = last_break(t, lo2, w);
            if (w2 >= 0) {
                ws = w2 + 1; /* t[w2+1:w] + " " + word is t[w2+1:e], since t[w] is a space */
                wn = e - ws;
                found = GET(M_before, t + ws, wn, &s);
            }
        }
        if (!found) found = GET(M_latin_cues, t + ws, wn, &s);
        if (!found) return 0;
        *ls = ws; *ln = wn; *score = s;
        return 1;
    }
}

/* _list_follows(t, end) */
static int list_follows(const ctx *x, Py_ssize_t end) {
    const jch *t = x->t;
    Py_ssize_t N = x->N;
    if (end >= N) return 0;
    if (jk_cs_has(&C_list_punct, t[end])) return 1;
    if (t[end] != ' ') return 0;
    Py_ssize_t hi = end + 9 < N ? end + 9 : N;
    for (Py_ssize_t i = end; i < hi; i++) if (t[i] == ',') return 1;
    return end + 1 < N && (t[end + 1] == U'및' || t[end + 1] == '/');
}

/* _LATIN_NAME, first alternative's word: [A-Z][a-z]+(?:[-'’][A-Za-z][a-z]+)* */
static Py_ssize_t latin_word(const jch *t, Py_ssize_t N, Py_ssize_t q) {
    if (!(q + 1 < N && up(t[q]) && lo(t[q + 1]))) return -1;
    q += 2;
    while (q < N && lo(t[q])) q++;
    while (q + 2 < N && (t[q] == '-' || t[q] == '\'' || t[q] == U'’') && jk_ascii_alpha(t[q + 1]) &&
           lo(t[q + 2])) {
        q += 3;
        while (q < N && lo(t[q])) q++;
    }
    return q;
}

/* [A-Z]{2,} at q: its end (never worth backtracking: what follows it is never an upper-case
 * letter), or -1 */
static Py_ssize_t caps(const jch *t, Py_ssize_t N, Py_ssize_t q) {
    Py_ssize_t k = q;
    while (k < N && up(t[k])) k++;
    return k - q >= 2 ? k : -1;
}

/* the second alternative after its first word: (?: [A-Z]{2,}(?:-[A-Z]{2,})?){1,2}(?![A-Za-z]),
 * with the backtracking of re (greedy count, greedy optional hyphen part) */
static Py_ssize_t latin_caps_tail(const jch *t, Py_ssize_t N, Py_ssize_t pos, int count) {
    if (count < 2 && pos < N && t[pos] == ' ') {
        Py_ssize_t e = caps(t, N, pos + 1);
        if (e >= 0) {
            if (e < N && t[e] == '-') {
                Py_ssize_t e2 = caps(t, N, e + 1);
                if (e2 >= 0) {
                    Py_ssize_t r = latin_caps_tail(t, N, e2, count + 1);
                    if (r >= 0) return r;
                }
            }
            Py_ssize_t r = latin_caps_tail(t, N, e, count + 1);
            if (r >= 0) return r;
        }
    }
    if (count >= 1 && !(pos < N && jk_ascii_alpha(t[pos]))) return pos;
    return -1;
}

/* _LATIN_NAME.match(t, p).end(), or -1 */
static Py_ssize_t latin_name(const jch *t, Py_ssize_t N, Py_ssize_t p) {
    Py_ssize_t end = latin_word(t, N, p);
    if (end >= 0) {
        for (int i = 0; i < 2; i++) {
            if (!(end + 1 < N && t[end] == ' ' && up(t[end + 1]))) break;
            if (end + 2 < N && t[end + 2] == '.') { end += 3; continue; }
            Py_ssize_t e2 = latin_word(t, N, end + 1);
            if (e2 < 0) break;
            end = e2;
        }
        return end;
    }
    Py_ssize_t e = caps(t, N, p);
    if (e < 0) return -1;
    if (e < N && t[e] == '-') {
        Py_ssize_t e2 = caps(t, N, e + 1);
        if (e2 >= 0) {
            Py_ssize_t r = latin_caps_tail(t, N, e2, 0);
            if (r >= 0) return r;
        }
    }
    return latin_caps_tail(t, N, e, 0);
}

static int latin_stop(const jch *tok, Py_ssize_t n) {
    if (HAS(M_latin_stop, tok, n)) return 1;
    Py_ssize_t k = n;
    while (k && tok[k - 1] == '.') k--;
    return HAS(M_latin_stop, tok, k);
}

/* _read_latin(t, p): 1 with *end and *pen, or 0 */
static int read_latin(const ctx *x, Py_ssize_t p, Py_ssize_t *endo, double *pen) {
    const jch *t = x->t;
    Py_ssize_t N = x->N;
    Py_ssize_t me = latin_name(t, N, p);
    if (me < 0) return 0;
    Py_ssize_t ts_[4], te_[4]; /* tokens: at most three (split on the spaces of the match) */
    int nt = 0;
    Py_ssize_t s = p;
    for (Py_ssize_t i = p; i <= me; i++) {
        if (i == me || t[i] == ' ') {
            if (nt < 4) { ts_[nt] = s; te_[nt] = i; }
            nt++;
            s = i + 1;
        }
    }
    int keep = 0;
    for (int i = 0; i < nt && i < 4; i++) {
        if (latin_stop(t + ts_[i], te_[i] - ts_[i])) break;
        keep++;
    }
    if (keep && te_[keep - 1] - ts_[keep - 1] == 2 && t[te_[keep - 1] - 1] == '.') keep--;
    if (keep == 0) return 0;
    Py_ssize_t end = te_[keep - 1];
    if (keep == 3 && end < N && t[end] == ' ' && end + 1 < N &&
        (Py_UNICODE_ISLOWER(t[end + 1]) || jk_digit(t[end + 1]))) {
        keep = 2; /* "Jane Doe Card ending 1234" */
        end = te_[1];
    }
    *endo = end;
    *pen = keep == 1 ? 0.12 : 0.0;
    return 1;
}

static void read_list_more(ctx *x, Py_ssize_t pos, int conj, double base, int strong);

/* _hangul_before_roman: the label is t[ls..ls+ln) */
static void hangul_before_roman(ctx *x, Py_ssize_t p, Py_ssize_t ls, Py_ssize_t ln, double base) {
    const jch *t = x->t;
    Py_ssize_t lo = p - ln - 4 > 0 ? p - ln - 4 : 0, lp = -1;
    for (Py_ssize_t i = p - ln; i >= lo; i--)
        if (memcmp(t + i, t + ls, (size_t)ln * sizeof(jch)) == 0) { lp = i; break; }
    if (lp < 4 || t[lp - 2] != ',' || t[lp - 1] != ' ') return;
    Py_ssize_t e = lp - 2, s = e;
    while (s > e - 6 && jk_hangul(t[s - 1])) s--;
    if (s == e || (t[s - 1] != ' ' && t[s - 1] != '\n')) return;
    const jch *run = t + s;
    Py_ssize_t n = e - s, k;
    double q0;
    int r = split_run(run, n, 0, &k, &q0);
    double q = r && k == n ? q0 : -1.0;
    double qs = strong_quality(run, n);
    if (qs >= 0.0 && (q < 0.0 || qs < q)) q = qs;
    if (q >= 0.0) add_hit(x, s - 1, e - 1, base - q - 0.05);
}

/* _read_list(t, p, label, base, hits): the label is t[ls..ls+ln) */
static void read_list(ctx *x, Py_ssize_t p, Py_ssize_t ls, Py_ssize_t ln, double base) {
    const jch *t = x->t;
    static const jch to[] = U"to";
    if (p < x->N && up(t[p])) {
        Py_ssize_t end;
        double pen;
        if (read_latin(x, p, &end, &pen)) {
            add_hit(x, p - 1, end - 1, base - pen);
            if (HAS(M_roman, t + ls, ln)) hangul_before_roman(x, p, ls, ln, base);
        }
        return;
    }
    if (eqw(t + ls, ln, to)) return;
    Py_ssize_t re = run_at(x, p);
    if (re < 0) return;
    int strong = !HAS(M_weak_labels, t + ls, ln);
    Py_ssize_t k;
    double q;
    if (!read_name(x, p, re, base, strong, HAS(M_needs_copula, t + ls, ln), &k, &q)) return;
    add_hit(x, p - 1, p - 1 + k, base - q);
    if (HAS(M_stop, t + p, k)) return;
    const jch *rest = t + p + k;
    Py_ssize_t rn = re - p - k;
    if (HAS(M_conj, rest, rn)) read_list_more(x, re, 1, base, strong);
    else if ((!rn || HAS(M_after, rest, rn)) && list_follows(x, re)) read_list_more(x, re, 0, base, strong);
}

/* after spaces at q: a separator ([,、·/] 및 그리고) and spaces: the end, or -1 */
static Py_ssize_t gap_sep(const jch *t, Py_ssize_t N, Py_ssize_t q) {
    while (q < N && t[q] == ' ') q++;
    if (q >= N) return -1;
    jch c = t[q];
    if (c == ',' || c == U'、' || c == U'·' || c == '/' || c == U'및') q += 1;
    else if (c == U'그' && q + 2 < N && t[q + 1] == U'리' && t[q + 2] == U'고') q += 3;
    else return -1;
    while (q < N && t[q] == ' ') q++;
    return q;
}

/* _LIST_GAP.match(t, pos).end(), or -1 */
static Py_ssize_t list_gap(const ctx *x, Py_ssize_t pos) {
    const jch *t = x->t;
    Py_ssize_t N = x->N;
    int sp = 0;
    while (sp < 2 && pos + sp < N && t[pos + sp] == ' ') sp++;
    for (int k = sp; k >= 1; k--) {
        /* the title after k spaces: every word of the trie there, longest first */
        Py_ssize_t ends[MAX_CUE];
        int ne = 0;
        int32_t node = 0;
        for (Py_ssize_t i = pos + k; i < N && ne < MAX_CUE; i++) {
            node = jk_trie_step(T_after, node, t[i]);
            if (node < 0) break;
            if (jk_trie_value(T_after, node) >= 0) ends[ne++] = i + 1;
        }
        while (ne > 0) {
            Py_ssize_t r = gap_sep(t, N, ends[--ne]);
            if (r >= 0) return r;
        }
    }
    return gap_sep(t, N, pos);
}

/* _read_list_more */
static void read_list_more(ctx *x, Py_ssize_t pos, int conj, double base, int strong) {
    const jch *t = x->t;
    Py_ssize_t N = x->N;
    for (int it = 0; it < 30; it++) {
        Py_ssize_t p;
        if (conj) {
            p = pos;
            while (p < N && t[p] == ' ') p++;
        } else {
            p = list_gap(x, pos);
            if (p < 0) return;
        }
        Py_ssize_t re = run_at(x, p);
        if (re < 0) return;
        Py_ssize_t k;
        double q;
        if (!read_name(x, p, re, base, strong, 0, &k, &q)) return;
        add_hit(x, p - 1, p - 1 + k, base - q - 0.03);
        const jch *rest = t + p + k;
        Py_ssize_t rn = re - p - k;
        conj = HAS(M_conj, rest, rn);
        if (rn && !conj && !HAS(M_after, rest, rn)) return;
        pos = re;
    }
}

/* _after_label(t, a, run_end, hits) */
static void after_label(ctx *x, Py_ssize_t a, Py_ssize_t run_end) {
    const jch *t = x->t;
    Py_ssize_t N = x->N;
    if (t[a] == 0 || a < 2) return;
    Py_ssize_t e = t[a - 1] == ' ' ? a - 1 : a;
    Py_ssize_t w = -1;
    for (Py_ssize_t i = e - 1, lo = e > 7 ? e - 7 : 0; i >= lo; i--)
        if (t[i] == ' ') { w = i; break; }
    double base = 0.0;
    int has_base = w >= 0 && GET(M_before, t + w + 1, e - w - 1, &base);
    if (!has_base || t[a + 1] < U'가' || HAS(M_needs_copula, t + w + 1, e - w - 1)) {
        Py_ssize_t ls, ln;
        double s;
        if (label_before(x, a, &ls, &ln, &s)) read_list(x, a + 1, ls, ln, s);
        return;
    }
    const jch *word = t + w + 1;
    Py_ssize_t wn = e - w - 1;
    const jch *run = t + a + 1;
    Py_ssize_t n = run_end - a - 1, k;
    int strong = !HAS(M_weak_labels, word, wn);
    double q = -1.0;
    if (n == 3) q = quality(run, 3);
    if (q >= 0.0 && base - q >= 0.6) k = 3;
    else if (!read_name(x, a + 1, run_end, base, strong, 0, &k, &q)) return;
    add_hit(x, a, a + k, base - q);
    if (q >= soft_stop && HAS(M_stop, run, k)) return;
    if (k == n) {
        if (run_end < N) {
            jch nx = t[run_end];
            if (jk_cs_has(&C_list_punct, nx)) { read_list_more(x, run_end, 0, base, strong); return; }
            if (nx == ' ') {
                int ok = 0;
                Py_ssize_t hi = run_end + 9 < N ? run_end + 9 : N;
                for (Py_ssize_t i = run_end; i < hi; i++) if (t[i] == ',') { ok = 1; break; }
                /* t[run_end+1:run_end+2] in "및/": true for the empty slice too */
                if (!ok) ok = run_end + 1 >= N || t[run_end + 1] == U'및' || t[run_end + 1] == '/';
                if (ok) read_list_more(x, run_end, 0, base, strong);
            }
        }
        return;
    }
    const jch *rest = run + k;
    Py_ssize_t rn = n - k;
    if (HAS(M_conj, rest, rn)) read_list_more(x, run_end, 1, base, strong);
    else if (HAS(M_after, rest, rn) && list_follows(x, run_end)) read_list_more(x, run_end, 0, base, strong);
}

/* _masked(t, p, hits) */
static void masked(ctx *x, Py_ssize_t p) {
    Py_ssize_t re = run_at(x, p), k;
    if (re < 0) return;
    double q;
    if (!split_run(x->t + p, re - p, 0, &k, &q)) return;
    for (Py_ssize_t i = p; i < p + k; i++) {
        if (jk_cs_has(&C_masks, x->t[i])) {
            add_hit(x, p - 1, p - 1 + k, 0.72 - q / 2);
            return;
        }
    }
}

/* ------------------------------------------------------------------ the scan */

enum { K_NONE, K_MASK, K_CUE, K_LABEL, K_LATIN };

/* the scan copy of a character of t: '\n' and '\0' read as spaces */
static inline jch scan_ch(jch c) { return c == '\n' || c == 0 ? ' ' : c; }
/* the scan copy of a character of the text (both normalisations) */
static inline jch norm_scan(jch c) { return c < 128 ? norm_ts[c] : c == 0xFF1A ? ' ' : c; }

/* _SCAN matched at i (ts[i] is a space): the kind (lastindex), the match end and, for K_CUE,
 * the span of the cue (group 2) */
static int scan_at(const ctx *x, Py_ssize_t i, Py_ssize_t *end, Py_ssize_t *cs, Py_ssize_t *ce) {
    const jch *t = x->t;
    Py_ssize_t N = x->N;
#define ts(k) scan_ch(t[k])
    if (i + 1 >= N) return K_NONE;
    unsigned c1 = CL(t[i + 1]);
    if (!(c1 & B_FIRST)) return K_NONE;
    Py_ssize_t j = i + 2;
    unsigned cj = j < N ? CL(t[j]) : 0;
    /* 1: {_M}(?<=[가-힣].)() */
    if ((cj & B_MASK) && (c1 & B_HANGUL)) { *end = j + 1; return K_MASK; }
    /* 2: {_G}{1,3}+(?= {0,2}+(?=gate)(trie)(?=[^가-힣]|{_FOLLOW_OK}|\Z)) */
    if (cj & B_GIVEN) {
        Py_ssize_t g = j + 1;
        while (g < N && g - j < 3 && (CL(t[g]) & B_GIVEN)) g++;
        Py_ssize_t c = g;
        while (c < N && c - g < 2 && (CL(t[c]) & B_SPACE)) c++;
        unsigned cc = c < N ? CL(t[c]) : 0;
        if (((cc & B_GATE0) && c + 1 < N && (CL(t[c + 1]) & B_GATE1)) || (cc & B_ONE)) {
            Py_ssize_t ends[MAX_CUE];
            int ne = 0;
            int32_t node = 0;
            for (Py_ssize_t k = c; k < N && ne < MAX_CUE; k++) {
                node = jk_trie_step(T_cue, node, ts(k));
                if (node < 0) break;
                if (jk_trie_value(T_cue, node) >= 0) ends[ne++] = k + 1;
            }
            while (ne > 0) { /* the greedy optional tails: the longest cue that may be followed so */
                Py_ssize_t f = ends[--ne];
                unsigned cf = f < N ? CL(t[f]) : 0;
                if (f >= N || !(cf & B_HANGUL) || (cf & B_FOLLOW)) {
                    *end = g; *cs = c; *ce = f;
                    return K_CUE;
                }
            }
        }
    }
    /* 3: (?<={LL} .)(?<={LL2}{LL-은는} .|{LPH}[은는] .){_SYLLABLE}{0,9}+() */
    if (i >= 2) {
        unsigned ca = CL(t[i - 1]);
        if (ca & B_LL) {
            unsigned cb = CL(t[i - 2]);
            if (((cb & B_LL2) && (ca & B_LLNP)) || ((cb & B_LPH) && (ca & B_EUN))) {
                Py_ssize_t k = j;
                while (k < N && k - j < 9 && (CL(t[k]) & (B_HANGUL | B_MASK))) k++;
                *end = k;
                return K_LABEL;
            }
        }
    }
    /* 4: [a-zA-Z'’-](?<={_LATIN_GATE} ..)() */
    if ((cj & B_LATIN) && i >= 1 && (CL(t[i - 1]) & B_LGATE)) {
        *end = j + 1;
        return K_LATIN;
    }
    return K_NONE;
#undef ts
}

static inline int cmp_hit(const void *a, const void *b) {
    const hit *x = a, *y = b;
    if (x->s != y->s) return x->s < y->s ? -1 : 1;
    if (x->e != y->e) return x->e < y->e ? -1 : 1;
    if (x->sc != y->sc) return x->sc < y->sc ? -1 : 1;
    return 0;
}

/* the kind-2 hit: a name and the honorific or title after it */
static void cue_hit(ctx *x, Py_ssize_t ns, Py_ssize_t ne, Py_ssize_t cs, Py_ssize_t ce, Py_ssize_t *cue_at) {
    const jch *t = x->t;
    for (Py_ssize_t i = ne; i < cs; i++) {
        if (t[i] == 0) { /* the cue opens the next record; a label before the name may still hold */
            Py_ssize_t re = run_at(x, ns + 1);
            if (re >= 0) after_label(x, ns, re);
            return;
        }
    }
    const jch *cue = t + cs;
    Py_ssize_t cn = ce - cs;
    double base;
    if (!GET(M_after, cue, cn, &base)) { /* 김민준고|객님 */
        if (cs != ne) return;
        ne -= 1;
        int si;
        for (si = 0; si < n_split; si++)
            if (split_cues[si].kn == cn && memcmp(split_cues[si].key, cue, (size_t)cn * sizeof(jch)) == 0) break;
        if (si == n_split) return; /* cannot happen: the trie holds _AFTER and _SPLIT_CUES only */
        cue = split_cues[si].val;
        cn = split_cues[si].vn;
        if (!GET(M_after, cue, cn, &base)) return;
    } else if (cs == ne && cn == 1 && cue[0] == U'님' && HAS(M_nim_hosts, t + ne - 2, 2)) {
        ne -= 2; /* 김현|회원|님 */
        cue = t + ne;
        cn = ce - ne;
        if (!GET(M_after, cue, cn, &base)) return;
    }
    const jch *name = t + ns + 1;
    Py_ssize_t nn = ne - ns - 1;
    if (ns + 1 == *cue_at && nn >= 1 && HAS(M_suffixes, name + 1, nn - 1)) return;
    if (nn == 4 && jk_cs_has(&C_particle_ends, name[3]) && !HAS(M_compound, name, 2) &&
        particle_fits(name[2], name + 3, 1)) {
        ne -= 1; /* 김민준이 과장으로 */
        nn = 3;
    }
    double q = quality(name, nn);
    if ((q < 0.0 || base - q < 0.6) && !HAS(M_weak_after, cue, cn) && !HAS(M_role_mod, name, nn) &&
        anchored(x, ns)) {
        double qs = strong_quality(name, nn);
        if (qs >= 0.0 && (q < 0.0 || qs < q) &&
            (!HAS(M_stop, name, nn) || (!HAS(M_noun_cues, cue, cn) && closed(x, ce))))
            q = qs;
    }
    double score = cs - ne > 1 ? base - q - 0.05 : base - q - 0.0;
    if (q < 0.0 || score < 0.5) {
        /* a label before the name may vouch for it better */
        Py_ssize_t re = run_at(x, ns + 1), n0 = x->nh;
        if (re >= 0) after_label(x, ns, re);
        if (x->nh > n0) {
            int same = 0;
            for (Py_ssize_t i = n0; i < x->nh; i++)
                if (x->h[i].s == ns && x->h[i].e == ne - 1) { same = 1; break; }
            if (!same) return;
        }
    }
    if (q >= 0.0) {
        add_hit(x, ns, ne - 1, score);
        if (cs > ne) *cue_at = cs;
    }
}


/* The per-call buffers (the normalised text and the candidate list) are kept between calls up
 * to SCRATCH_MAX characters: allocating and freeing megabytes per call lets malloc return them to
 * the system each time, and the page faults of the next call cost more than the scan. The GIL
 * serialises calls; scratch_busy guards against any nesting all the same. */
#define SCRATCH_MAX ((Py_ssize_t)1 << 20) /* 4 MiB of text kept at most */
static jch *scratch_t;
static Py_ssize_t *scratch_c;
static Py_ssize_t scratch_tn, scratch_cc;
static int scratch_busy;

/* the scratch sized for a text of N characters (t) and cc candidates: 1, or 0 when it is not
 * used (too long a text, or out of memory: the caller allocates its own) */
static int scratch_get(Py_ssize_t N, Py_ssize_t cc) {
    if (N > SCRATCH_MAX) return 0;
    if (scratch_tn < N) {
        Py_ssize_t want = N < 4096 ? 4096 : N;
        jch *v = PyMem_Realloc(scratch_t, (size_t)want * sizeof(jch));
        if (!v) return 0;
        scratch_t = v; scratch_tn = want;
    }
    if (scratch_cc < cc) {
        Py_ssize_t *v = PyMem_Realloc(scratch_c, (size_t)cc * sizeof(Py_ssize_t));
        if (!v) return 0;
        scratch_c = v; scratch_cc = cc;
    }
    return 1;
}

/* the end of a call: keep the scratch (the candidate list may have grown), or free own buffers */
static void release(jch *t, Py_ssize_t *cand, Py_ssize_t capc) {
    if (t == scratch_t) {
        scratch_c = cand; scratch_cc = capc; scratch_busy = 0;
        if (capc > SCRATCH_MAX) { PyMem_Free(scratch_c); scratch_c = NULL; scratch_cc = 0; }
    } else {
        PyMem_Free(t);
        PyMem_Free(cand);
    }
}

/* ------------------------------------------------------------------ normalisation in blocks */

#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__) && defined(__SSE2__) && !defined(NAMES_SCALAR)
#include <immintrin.h>
#define NAMES_SIMD 1
static int names_avx2 = -1;

/* the candidates of a block at i: m has a bit for each position that a space precedes and that
 * may be in the first class; those in it are appended. 0, or -1 out of memory */
static inline int collect(const jch *s, Py_ssize_t i, uint64_t m, Py_ssize_t **cand, Py_ssize_t *capc,
                          Py_ssize_t *nc) {
    if (*nc + 64 > *capc) {
        Py_ssize_t *v = PyMem_Realloc(*cand, (size_t)(*capc * 2) * sizeof(Py_ssize_t));
        if (!v) return -1;
        *cand = v; *capc *= 2;
    }
    Py_ssize_t *c = *cand, k = *nc;
    if (first_simple) /* m holds only A-Z and syllables, which normalisation leaves as they are */
        do {
            Py_ssize_t p = i + __builtin_ctzll(m);
            m &= m - 1;
            c[k] = p;
            k += ccls[s[p]] & B_FIRST;
        } while (m);
    else
        do {
            Py_ssize_t p = i + __builtin_ctzll(m);
            m &= m - 1;
            c[k] = p;
            k += jk_cs_has(&C_first, norm_scan(s[p]));
        } while (m);
    *nc = k;
    return 0;
}

/* Blocks of 64 characters of s into t (t[i + 1] for s[i]): a mask of the spaces (W) and one of
 * the characters that may be in the first class (F: A-Z and syllables), then the exact class of
 * each character that a space precedes. The end of the blocks done, or -1 out of memory. */
static Py_ssize_t norm_sse2(const jch *s, Py_ssize_t n, jch *t, Py_ssize_t **cand, Py_ssize_t *capc,
                            Py_ssize_t *nc, uint64_t *carry) {
    const __m128i sp = _mm_set1_epi32(' '), colon = _mm_set1_epi32(':'), paren = _mm_set1_epi32('('),
                  tab = _mm_set1_epi32('\t'), cr = _mm_set1_epi32('\r'), fcolon = _mm_set1_epi32(0xFF1A),
                  nl = _mm_set1_epi32('\n'), zero = _mm_setzero_si128(), a1 = _mm_set1_epi32('A' - 1),
                  z1 = _mm_set1_epi32('Z' + 1), h1 = _mm_set1_epi32(0xAC00 - 1),
                  h2 = _mm_set1_epi32(0xD7A3 + 1), any = first_simple ? zero : _mm_set1_epi32(-1);
    Py_ssize_t i = 0;
    uint64_t cy = *carry;
    for (; i + 64 <= n; i += 64) {
        uint64_t W = 0, F = 0;
#pragma GCC unroll 16
        for (int b = 0; b < 64; b += 4) {
            __m128i c = _mm_loadu_si128((const __m128i *)(s + i + b));
            __m128i r = _mm_or_si128(
                _mm_or_si128(_mm_cmpeq_epi32(c, colon), _mm_cmpeq_epi32(c, paren)),
                _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi32(c, tab), _mm_cmpeq_epi32(c, cr)),
                             _mm_cmpeq_epi32(c, fcolon)));
            _mm_storeu_si128((__m128i *)(t + i + b + 1), _mm_or_si128(_mm_andnot_si128(r, c), _mm_and_si128(r, sp)));
            __m128i w = _mm_or_si128(
                r, _mm_or_si128(_mm_cmpeq_epi32(c, sp), _mm_or_si128(_mm_cmpeq_epi32(c, nl), _mm_cmpeq_epi32(c, zero))));
            __m128i f = _mm_or_si128(_mm_or_si128(_mm_and_si128(_mm_cmpgt_epi32(c, a1), _mm_cmplt_epi32(c, z1)),
                                                  _mm_and_si128(_mm_cmpgt_epi32(c, h1), _mm_cmplt_epi32(c, h2))),
                                     any);
            W |= (uint64_t)(unsigned)_mm_movemask_ps(_mm_castsi128_ps(w)) << b;
            F |= (uint64_t)(unsigned)_mm_movemask_ps(_mm_castsi128_ps(f)) << b;
        }
        uint64_t m = ((W << 1) | cy) & F;
        cy = W >> 63;
        if (m && collect(s, i, m, cand, capc, nc) < 0) return -1;
    }
    *carry = cy;
    return i;
}

/* the same with AVX2, 8 characters at a time */
__attribute__((target("avx2"))) static Py_ssize_t norm_avx2(const jch *s, Py_ssize_t n, jch *t,
                                                           Py_ssize_t **cand, Py_ssize_t *capc,
                                                           Py_ssize_t *nc, uint64_t *carry) {
    const __m256i sp = _mm256_set1_epi32(' '), colon = _mm256_set1_epi32(':'), paren = _mm256_set1_epi32('('),
                  tab = _mm256_set1_epi32('\t'), cr = _mm256_set1_epi32('\r'), fcolon = _mm256_set1_epi32(0xFF1A),
                  nl = _mm256_set1_epi32('\n'), zero = _mm256_setzero_si256(), a1 = _mm256_set1_epi32('A' - 1),
                  z1 = _mm256_set1_epi32('Z' + 1), h1 = _mm256_set1_epi32(0xAC00 - 1),
                  h2 = _mm256_set1_epi32(0xD7A3 + 1), any = first_simple ? zero : _mm256_set1_epi32(-1);
    Py_ssize_t i = 0;
    uint64_t cy = *carry;
    for (; i + 64 <= n; i += 64) {
        uint64_t W = 0, F = 0;
#pragma GCC unroll 8
        for (int b = 0; b < 64; b += 8) {
            __m256i c = _mm256_loadu_si256((const __m256i *)(s + i + b));
            __m256i r = _mm256_or_si256(
                _mm256_or_si256(_mm256_cmpeq_epi32(c, colon), _mm256_cmpeq_epi32(c, paren)),
                _mm256_or_si256(_mm256_or_si256(_mm256_cmpeq_epi32(c, tab), _mm256_cmpeq_epi32(c, cr)),
                                _mm256_cmpeq_epi32(c, fcolon)));
            _mm256_storeu_si256((__m256i *)(t + i + b + 1), _mm256_blendv_epi8(c, sp, r));
            __m256i w = _mm256_or_si256(
                r, _mm256_or_si256(_mm256_cmpeq_epi32(c, sp),
                                   _mm256_or_si256(_mm256_cmpeq_epi32(c, nl), _mm256_cmpeq_epi32(c, zero))));
            __m256i f = _mm256_or_si256(
                _mm256_or_si256(_mm256_and_si256(_mm256_cmpgt_epi32(c, a1), _mm256_cmpgt_epi32(z1, c)),
                                _mm256_and_si256(_mm256_cmpgt_epi32(c, h1), _mm256_cmpgt_epi32(h2, c))),
                any);
            W |= (uint64_t)(unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(w)) << b;
            F |= (uint64_t)(unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(f)) << b;
        }
        uint64_t m = ((W << 1) | cy) & F;
        cy = W >> 63;
        if (m && collect(s, i, m, cand, capc, nc) < 0) return -1;
    }
    *carry = cy;
    return i;
}
#endif

int jk_find_persons(const jch *s, Py_ssize_t n, jk_finds *out) {
    if (!configured) {
        PyErr_SetString(PyExc_RuntimeError, "names tables not configured");
        return -1;
    }
    Py_ssize_t N = n + 1;
    /* t, and the candidates of the scan: the positions i with ts[i] a space and ts[i + 1] in
     * _SCAN's first class (at most one position in two) */
    jch *t;
    Py_ssize_t *cand, capc = N / 16 + 64;
    if (scratch_busy || !scratch_get(N, capc)) { /* a nested call, or the scratch is too small */
        t = PyMem_Malloc((size_t)N * sizeof(jch));
        cand = PyMem_Malloc((size_t)capc * sizeof(Py_ssize_t));
        if (!t || !cand) { PyMem_Free(t); PyMem_Free(cand); PyErr_NoMemory(); return -1; }
    } else {
        scratch_busy = 1;
        t = scratch_t;
        cand = scratch_c;
        capc = scratch_cc;
    }
    t[0] = ' ';
    /* The candidates of the scan, in order: the t positions p with ts[p] a space and ts[p + 1]
     * (text[p]) in the first class. Blocks of 64 characters where SIMD is there (norm_sse2,
     * norm_avx2), then one character at a time. */
    Py_ssize_t nc = 0, i = 0;
    uint64_t carry = 1; /* ts[0] is a space */
#ifdef NAMES_SIMD
    if (names_avx2 < 0) {
        __builtin_cpu_init();
        names_avx2 = __builtin_cpu_supports("avx2") ? 1 : 0;
    }
    i = names_avx2 ? norm_avx2(s, n, t, &cand, &capc, &nc, &carry) : norm_sse2(s, n, t, &cand, &capc, &nc, &carry);
    if (i < 0) { release(t, cand, capc); PyErr_NoMemory(); return -1; }
#endif
    for (; i < n; i++) {
        jch c = s[i], sc = norm_scan(c);
        t[i + 1] = c < 128 ? norm_t[c] : c == 0xFF1A ? ' ' : c;
        if (carry && jk_cs_has(&C_first, sc)) {
            if (nc == capc) {
                Py_ssize_t *v = PyMem_Realloc(cand, (size_t)(capc * 2) * sizeof(Py_ssize_t));
                if (!v) { release(t, cand, capc); PyErr_NoMemory(); return -1; }
                cand = v; capc *= 2;
            }
            cand[nc++] = i;
        }
        carry = sc == ' ';
    }
    ctx x = {t, N, NULL, 0, 0, 0};
    Py_ssize_t cue_at = -1;
    i = 0;
    for (Py_ssize_t ci = 0; ci < nc && !x.err; ci++) {
        if (cand[ci] < i) continue; /* inside the last match */
        i = cand[ci];
        Py_ssize_t end = 0, cs = 0, ce = 0;
        int kind = scan_at(&x, i, &end, &cs, &ce);
        switch (kind) {
        case K_NONE: i++; continue;
        case K_CUE: cue_hit(&x, i, end, cs, ce, &cue_at); break;
        case K_LABEL: after_label(&x, i, end); break;
        case K_LATIN:
            if (t[i] != 0) {
                Py_ssize_t ls, ln;
                double sc;
                if (label_before(&x, i, &ls, &ln, &sc)) read_list(&x, i + 1, ls, ln, sc);
            }
            break;
        default: masked(&x, i + 1); break;
        }
        i = end;
    }
    int rc = 0;
    if (x.err) { PyErr_NoMemory(); rc = -1; goto done; }
    if (x.nh > 1) {
        /* the hits arrive nearly in order (the scan walks forward; only a few look back): an
         * insertion sort moves few of them, and cmp_hit is a total order on what the result
         * keeps, so any sort gives the same list; past a budget of moves, qsort finishes */
        Py_ssize_t budget = 8 * x.nh + 1024;
        for (Py_ssize_t j = 1; j < x.nh; j++) {
            if (cmp_hit(&x.h[j - 1], &x.h[j]) <= 0) continue;
            hit v = x.h[j];
            Py_ssize_t k = j;
            while (k > 0 && budget > 0 && cmp_hit(&x.h[k - 1], &v) > 0) { x.h[k] = x.h[k - 1]; k--; budget--; }
            x.h[k] = v;
            if (budget <= 0) {
                qsort(x.h, (size_t)x.nh, sizeof(hit), cmp_hit);
                break;
            }
        }
        Py_ssize_t k = 0;
        for (Py_ssize_t j = 0; j < x.nh; j++) {
            if (k && x.h[k - 1].s == x.h[j].s && x.h[k - 1].e == x.h[j].e) x.h[k - 1] = x.h[j];
            else x.h[k++] = x.h[j];
        }
        x.nh = k;
    }
    for (Py_ssize_t j = 0; j < x.nh; j++)
        if (x.h[j].sc >= min_report && jk_push(out, JK_PERSON, x.h[j].s, x.h[j].e, x.h[j].sc, JR_KR_PERSON) < 0) {
            rc = -1;
            break;
        }
done:
    PyMem_Free(x.h);
    release(t, cand, capc);
    return rc;
}
