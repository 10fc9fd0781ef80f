/* structured.c: patterns.find_structured in C. The digit-group pass (_scan_clusters and the
 * classification of each run, plates included) lives here; the other families in
 * structured_extra.c. */
#include "structured.h"
#include "validators.h"
#include <stdarg.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

int jk_configure_structured(PyObject *cfg) {
    if (jk_configure_clusters(cfg) < 0) return -1;
    return jk_configure_extra(cfg);
}

/* ---- runs (state of the digit-group pass between blocks) ---- */
typedef struct { Py_ssize_t *gs, *gl, *cut; Py_ssize_t cap; } scratch;
static void scratch_free(scratch *sc);
static int scan_clusters_run(const jch *s, Py_ssize_t n, Py_ssize_t *pp, Py_ssize_t limit, scratch *sc, jk_finds *out);

static int finds_append(jk_finds *out, const jk_finds *src) {
    if (out->n + src->n > out->cap) {
        Py_ssize_t cap = out->cap ? out->cap : 16;
        while (cap < out->n + src->n) cap *= 2;
        jk_find *v = PyMem_Realloc(out->v, (size_t)cap * sizeof(jk_find));
        if (!v) { PyErr_NoMemory(); return -1; }
        out->v = v; out->cap = cap;
    }
    if (src->n) memcpy(out->v + out->n, src->v, (size_t)src->n * sizeof(jk_find));
    out->n += src->n;
    return 0;
}

/* Text per block: every pass handles the triggers of one block before the next block, while
 * the block (and the windows around it) are in cache. */
#define BLOCK 16384

/* The order of patterns.find_structured (e-mail, IPv6, the digit groups, passports, dates of
 * birth, masked identifiers): each pass writes its own list, in text order, and the lists are
 * joined in that order at the end. Python skips the last four passes when the text has no
 * digit; they find nothing there, so running them changes no result. */
enum { P_EMAIL, P_IPV6, P_CLUSTERS, P_PASSPORT, P_DOB, P_MASKED, P_N };

int jk_find_structured(const jch *s, Py_ssize_t n, jk_finds *out) {
    jk_finds part[P_N];
    memset(part, 0, sizeof part);
    jk_stage ipv6 = JK_STAGE_INIT, pass = JK_STAGE_INIT, dob = JK_STAGE_INIT, mask = JK_STAGE_INIT;
    scratch sc = {0};
    Py_ssize_t cp = 0;
    int rc = 0;
    jk_trig tr;
    if (jk_trig_alloc(&tr, BLOCK) < 0) return -1;
    jk_context_memo_begin(s, n);
    for (Py_ssize_t b = 0; b < n && rc == 0; b += BLOCK) {
        Py_ssize_t lim = n - b > BLOCK ? b + BLOCK : n;
        jk_triggers(s, b, lim, &tr);
        if (jk_emails_run(s, n, &tr, &part[P_EMAIL]) < 0 ||
            jk_ipv6_run(&ipv6, s, n, lim, &tr, &part[P_IPV6]) < 0 ||
            scan_clusters_run(s, n, &cp, lim, &sc, &part[P_CLUSTERS]) < 0 ||
            jk_passports_run(&pass, s, n, lim, &tr, &part[P_PASSPORT]) < 0 ||
            jk_dobs_run(&dob, s, n, lim, &tr, &part[P_DOB]) < 0 ||
            jk_masked_run(&mask, s, n, lim, &tr, &part[P_MASKED]) < 0)
            rc = -1;
    }
    jk_context_memo_end();
    jk_trig_free(&tr);
    for (int k = 0; k < P_N; k++) {
        if (rc == 0 && finds_append(out, &part[k]) < 0) rc = -1;
        jk_finds_free(&part[k]);
    }
    jk_stage_free(&ipv6); jk_stage_free(&pass); jk_stage_free(&dob); jk_stage_free(&mask);
    scratch_free(&sc);
    return rc;
}

/* ================================================================== the digit-group pass
 * patterns._scan_clusters and everything it calls: one left-to-right walk that follows
 * _SCAN.finditer (a plate, or a run of digits joined by single separators), the run filters,
 * the split at double separators (_SUB_CLUSTER), the space-joined windows of _cluster, and the
 * classification of each window (_classify, _classify_13, _classify_dotted, _plate).
 *
 * Data tables come from patterns._native_cluster_tables() ("clusters.*" keys), including the
 * words written inside _POSTAL_SIDO_AFTER, _PLATE_PARTICLE_AFTER and _VERSION_BEFORE (taken from
 * the patterns' source there, which fails loudly if a pattern changes shape). What is left here
 * is pattern syntax (character classes, quantifiers, "$", lookaheads), each pattern quoted where
 * it is matched.
 *
 * Cost: windows of a space-joined run that span several segments find nothing beyond
 * t_window_limit digits, so each window start tries a bounded number of ends; the pass is linear
 * in the text where the Python loop is quadratic in the number of space-separated groups. */

/* ---- tables ---- */
enum { PK_NONE = -1, PK_MOBILE, PK_MOBILE_PLAIN, PK_LEGACY_PLAIN, PK_LANDLINE, PK_LANDLINE_PLAIN, PK_VOIP,
       PK_VOIP_PLAIN, PK_PERSONAL, PK_BUSINESS, PK_REPRESENTATIVE, PK_N };
static const char *PK_NAMES[PK_N] = {"mobile", "mobile_plain", "legacy_plain", "landline", "landline_plain",
                                     "voip", "voip_plain", "personal", "business", "representative"};
static const char *RRN_NAMES[] = {NULL, "checksum", "random_era", "format"}; /* JK_RRN_* */
static const char *FRN_NAMES[] = {NULL, "checksum", "format"};              /* JK_FRN_* */

#define MAX_SHAPE 8   /* groups in a bank layout or card shape */
#define MAX_PREFIX 8  /* characters in a bank prefix */
#define MAX_LAYOUTS 32
#define MAX_PREFIXES 16
#define MAX_DIGITS 64 /* longest digit string any check looks at */

typedef struct { int n, len[MAX_SHAPE]; } shape_t;
typedef struct {
    shape_t shape;
    int npre; /* -1: any first group (None) */
    int prelen[MAX_PREFIXES];
    jch pre[MAX_PREFIXES][MAX_PREFIX];
} layout_t;

static jk_map *t_area, *t_legacy, *t_license_codes;
static jk_trie *t_license_names, *t_plate_regions;
static jk_trie *t_postal_sido, *t_plate_particles, *t_version_words; /* words inside patterns */
static jk_cset t_old_postal, t_dashes, t_plate_use;
static double t_phone_score[PK_N][2], t_rrn_score[4][2], t_frn_score[3][2];
static layout_t t_layouts[MAX_LAYOUTS];
static int t_nlayouts;
static shape_t t_cards[MAX_LAYOUTS];
static int t_ncards;
/* Longest digit count any window spanning several space-separated segments can be reported
 * at (cards, accounts, RRNs...): longer windows are skipped without classifying them. */
static Py_ssize_t t_window_limit;

static int read_pair(PyObject *seq, double out[2], const char *what) {
    PyObject *f = PySequence_Fast(seq, what);
    if (!f) return -1;
    int ok = PySequence_Fast_GET_SIZE(f) == 2;
    if (ok) {
        out[0] = PyFloat_AsDouble(PySequence_Fast_GET_ITEM(f, 0));
        out[1] = PyFloat_AsDouble(PySequence_Fast_GET_ITEM(f, 1));
    }
    Py_DECREF(f);
    if (!ok) { PyErr_Format(PyExc_ValueError, "%s: expected (base, with context)", what); return -1; }
    return PyErr_Occurred() ? -1 : 0;
}

/* a {kind: (base, with context)} table into out[k] for each name in names[0..nn) (NULL skipped) */
static int read_scores(PyObject *cfg, const char *key, const char **names, int nn, double (*out)[2]) {
    PyObject *d = jk_cfg_item(cfg, key);
    if (!d) return -1;
    for (int k = 0; k < nn; k++) {
        if (!names[k]) continue;
        PyObject *v = PyDict_Check(d) ? PyDict_GetItemString(d, names[k]) : NULL;
        if (!v) { PyErr_Format(PyExc_KeyError, "%s lacks %s", key, names[k]); return -1; }
        if (read_pair(v, out[k], key) < 0) return -1;
    }
    return 0;
}

static int read_shape(PyObject *seq, shape_t *sh, int *total) {
    PyObject *f = PySequence_Fast(seq, "clusters: a shape is a sequence of group lengths");
    if (!f) return -1;
    Py_ssize_t k = PySequence_Fast_GET_SIZE(f);
    if (k < 1 || k > MAX_SHAPE) { Py_DECREF(f); PyErr_SetString(PyExc_ValueError, "clusters: shape of 1-8 groups expected"); return -1; }
    sh->n = (int)k;
    *total = 0;
    for (Py_ssize_t i = 0; i < k; i++) {
        long v = PyLong_AsLong(PySequence_Fast_GET_ITEM(f, i));
        if (v == -1 && PyErr_Occurred()) { Py_DECREF(f); return -1; }
        sh->len[i] = (int)v;
        *total += (int)v;
    }
    Py_DECREF(f);
    if (*total < 1 || *total > MAX_DIGITS) { PyErr_SetString(PyExc_ValueError, "clusters: shape too long"); return -1; }
    return 0;
}

/* a set of short strings (at most 4 characters: phone prefixes, licence region codes) */
static jk_map *read_short_set(PyObject *cfg, const char *key, Py_ssize_t maxlen) {
    PyObject *o = jk_cfg_item(cfg, key);
    if (!o) return NULL;
    PyObject *it = PyObject_GetIter(o), *k;
    if (!it) return NULL;
    while ((k = PyIter_Next(it))) {
        int bad = !PyUnicode_Check(k) || PyUnicode_GET_LENGTH(k) > maxlen || PyUnicode_GET_LENGTH(k) < 1;
        Py_DECREF(k);
        if (bad) { Py_DECREF(it); PyErr_Format(PyExc_ValueError, "%s: strings of 1-%zd characters expected", key, maxlen); return NULL; }
    }
    Py_DECREF(it);
    if (PyErr_Occurred()) return NULL;
    return jk_map_from_py(o);
}

int jk_configure_clusters(PyObject *cfg) {
    jk_map *area = NULL, *legacy = NULL, *codes = NULL;
    jk_trie *names = NULL, *regions = NULL, *sido = NULL, *particles = NULL, *version = NULL;
    PyObject *o;
    if (!(area = read_short_set(cfg, "clusters.area", 4))) goto fail;
    if (!(legacy = read_short_set(cfg, "clusters.legacy_mobile", 4))) goto fail;
    if (!(codes = read_short_set(cfg, "clusters.license_region_codes", 2))) goto fail;
    if (!(o = jk_cfg_item(cfg, "clusters.license_region_names")) || !(names = jk_trie_from_py(o, 0, 0))) goto fail;
    if (!(o = jk_cfg_item(cfg, "clusters.plate_regions")) || !(regions = jk_trie_from_py(o, 0, 0))) goto fail;
    if (!(o = jk_cfg_item(cfg, "clusters.postal_sido")) || !(sido = jk_trie_from_py(o, 0, 0))) goto fail;
    if (!(o = jk_cfg_item(cfg, "clusters.plate_particles")) || !(particles = jk_trie_from_py(o, 0, 0))) goto fail;
    if (!(o = jk_cfg_item(cfg, "clusters.version_words")) || !(version = jk_trie_from_py(o, 0, 0))) goto fail;
    if (jk_cfg_cset(cfg, "clusters.old_postal_areas", &t_old_postal) < 0) goto fail;
    if (jk_cfg_cset(cfg, "clusters.dashes", &t_dashes) < 0) goto fail;
    if (jk_cfg_cset(cfg, "clusters.plate_use", &t_plate_use) < 0) goto fail;
    if (read_scores(cfg, "clusters.phone_score", PK_NAMES, PK_N, t_phone_score) < 0) goto fail;
    if (read_scores(cfg, "clusters.rrn_scores", RRN_NAMES, 4, t_rrn_score) < 0) goto fail;
    if (read_scores(cfg, "clusters.frn_scores", FRN_NAMES, 3, t_frn_score) < 0) goto fail;

    Py_ssize_t limit = 14; /* accounts: 10-14 digits; RRN 13, phones <= 12 */
    int total;
    /* card shapes */
    if (!(o = jk_cfg_item(cfg, "clusters.card_shapes"))) goto fail;
    PyObject *f = PySequence_Fast(o, "clusters.card_shapes: a sequence");
    if (!f) goto fail;
    if (PySequence_Fast_GET_SIZE(f) > MAX_LAYOUTS) { Py_DECREF(f); PyErr_SetString(PyExc_ValueError, "clusters.card_shapes: too many"); goto fail; }
    t_ncards = 0;
    for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(f); i++) {
        if (read_shape(PySequence_Fast_GET_ITEM(f, i), &t_cards[t_ncards], &total) < 0) { Py_DECREF(f); goto fail; }
        t_ncards++;
        if (total > limit) limit = total;
    }
    Py_DECREF(f);
    /* bank layouts: (shape, prefixes or None) */
    if (!(o = jk_cfg_item(cfg, "clusters.bank_layouts"))) goto fail;
    if (!(f = PySequence_Fast(o, "clusters.bank_layouts: a sequence"))) goto fail;
    if (PySequence_Fast_GET_SIZE(f) > MAX_LAYOUTS) { Py_DECREF(f); PyErr_SetString(PyExc_ValueError, "clusters.bank_layouts: too many"); goto fail; }
    t_nlayouts = 0;
    for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(f); i++) {
        PyObject *item = PySequence_Fast_GET_ITEM(f, i);
        layout_t *L = &t_layouts[t_nlayouts];
        if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 2) { Py_DECREF(f); PyErr_SetString(PyExc_ValueError, "clusters.bank_layouts: (shape, prefixes) pairs"); goto fail; }
        if (read_shape(PyTuple_GET_ITEM(item, 0), &L->shape, &total) < 0) { Py_DECREF(f); goto fail; }
        PyObject *pre = PyTuple_GET_ITEM(item, 1);
        L->npre = -1;
        if (pre != Py_None) {
            PyObject *pf = PySequence_Fast(pre, "clusters.bank_layouts: prefixes");
            if (!pf) { Py_DECREF(f); goto fail; }
            Py_ssize_t np = PySequence_Fast_GET_SIZE(pf);
            if (np > MAX_PREFIXES) { Py_DECREF(pf); Py_DECREF(f); PyErr_SetString(PyExc_ValueError, "clusters.bank_layouts: too many prefixes"); goto fail; }
            L->npre = (int)np;
            for (Py_ssize_t k = 0; k < np; k++) {
                PyObject *ps = PySequence_Fast_GET_ITEM(pf, k);
                if (!PyUnicode_Check(ps) || PyUnicode_GET_LENGTH(ps) > MAX_PREFIX) {
                    Py_DECREF(pf); Py_DECREF(f);
                    PyErr_SetString(PyExc_ValueError, "clusters.bank_layouts: prefixes are short str");
                    goto fail;
                }
                L->prelen[k] = (int)PyUnicode_GET_LENGTH(ps);
                for (int c = 0; c < L->prelen[k]; c++) L->pre[k][c] = PyUnicode_READ_CHAR(ps, c);
            }
            Py_DECREF(pf);
        }
        t_nlayouts++;
        if (total > limit) limit = total;
    }
    Py_DECREF(f);
    t_window_limit = limit;

    jk_map_free(t_area); t_area = area;
    jk_map_free(t_legacy); t_legacy = legacy;
    jk_map_free(t_license_codes); t_license_codes = codes;
    jk_trie_free(t_license_names); t_license_names = names;
    jk_trie_free(t_plate_regions); t_plate_regions = regions;
    jk_trie_free(t_postal_sido); t_postal_sido = sido;
    jk_trie_free(t_plate_particles); t_plate_particles = particles;
    jk_trie_free(t_version_words); t_version_words = version;
    return 0;
fail:
    jk_map_free(area); jk_map_free(legacy); jk_map_free(codes);
    jk_trie_free(names); jk_trie_free(regions);
    jk_trie_free(sido); jk_trie_free(particles); jk_trie_free(version);
    return -1;
}

/* ---- small matchers ---- */
#define C_SAENG 0xC0DD /* 생 */

/* Python's "$" in a pattern searched with endpos: the end of the slice, or just before a
 * newline that ends it. */
static inline int dollar(const jch *s, Py_ssize_t e, Py_ssize_t endpos) {
    return e == endpos || (e == endpos - 1 && s[e] == '\n');
}

/* characters of _SCAN's run class [-‐‑–—－./ 0-9] other than digits (also _SUB_CLUSTER's
 * separators) */
static inline int run_sep(jch c) {
    return c == '-' || c == 0x2010 || c == 0x2011 || c == 0x2013 || c == 0x2014 || c == 0xFF0D ||
           c == '.' || c == '/' || c == ' ';
}

static inline int lit(const jch *p, Py_ssize_t len, const char *w) { /* p[:len] == w */
    Py_ssize_t k = 0;
    for (; w[k]; k++) if (k >= len || p[k] != (jch)(unsigned char)w[k]) return 0;
    return k == len;
}
static inline int starts(const jch *p, Py_ssize_t len, const char *w) { /* p[:len].startswith(w) */
    for (Py_ssize_t k = 0; w[k]; k++) if (k >= len || p[k] != (jch)(unsigned char)w[k]) return 0;
    return 1;
}

/* int() of a digit string, saturating (only compared with small bounds) */
static long dnum(const jch *p, Py_ssize_t len) {
    long v = 0;
    for (Py_ssize_t k = 0; k < len; k++) v = v < 100000000L ? v * 10 + (long)(p[k] - '0') : 1000000000L;
    return v;
}

/* Is there a word of t at s[p:e] with min_end <= e <= endpos? (an alternation of words
 * matched at p; which alternative wins does not matter where only a match is asked for) */
static int word_at(const jk_trie *t, const jch *s, Py_ssize_t p, Py_ssize_t endpos, Py_ssize_t min_end) {
    int32_t node = 0;
    for (Py_ssize_t q = p; q < endpos; q++) {
        node = jk_trie_step(t, node, s[q]);
        if (node < 0) return 0;
        if (q + 1 >= min_end && jk_trie_value(t, node) >= 0) return 1;
    }
    return 0;
}

/* A word of the trie at p in [p, endpos), then " ?$": the "(w1|w2|...) ?$" patterns searched
 * over [lo, endpos) (_LICENSE_NAME_BEFORE, _PLATE_REGION_BEFORE). The leftmost start or -1. */
static Py_ssize_t word_before(const jk_trie *t, const jch *s, Py_ssize_t lo, Py_ssize_t endpos) {
    for (Py_ssize_t p = lo; p < endpos; p++) {
        int32_t node = 0;
        for (Py_ssize_t q = p; q < endpos; q++) {
            node = jk_trie_step(t, node, s[q]);
            if (node < 0) break;
            if (jk_trie_value(t, node) < 0) continue;
            Py_ssize_t e = q + 1; /* word s[p:e] */
            if ((e < endpos && s[e] == ' ' && dollar(s, e + 1, endpos)) || dollar(s, e, endpos)) return p;
        }
    }
    return -1;
}

/* _INTL_BEFORE = (?:\+|00)82[ -]?(?:\(0\)[ -]?)?$ searched over [lo, endpos): leftmost start or -1 */
static Py_ssize_t intl_before(const jch *s, Py_ssize_t lo, Py_ssize_t endpos) {
    for (Py_ssize_t p = lo; p < endpos; p++) {
        Py_ssize_t q;
        if (s[p] == '+') q = p + 1;
        else if (s[p] == '0' && p + 1 < endpos && s[p + 1] == '0') q = p + 2;
        else continue;
        if (!(q + 1 < endpos && s[q] == '8' && s[q + 1] == '2')) continue;
        q += 2;
        Py_ssize_t opt1[2]; int n1 = 0; /* [ -]? greedy: with, then without */
        if (q < endpos && (s[q] == ' ' || s[q] == '-')) opt1[n1++] = q + 1;
        opt1[n1++] = q;
        for (int a = 0; a < n1; a++) {
            Py_ssize_t r = opt1[a];
            if (r + 2 < endpos && s[r] == '(' && s[r + 1] == '0' && s[r + 2] == ')') {
                Py_ssize_t r2 = r + 3;
                if (r2 < endpos && (s[r2] == ' ' || s[r2] == '-') && dollar(s, r2 + 1, endpos)) return p;
                if (dollar(s, r2, endpos)) return p;
            }
            if (dollar(s, r, endpos)) return p;
        }
    }
    return -1;
}

/* _PAREN_AREA_BEFORE = \((0[0-9]{1,3})\) ?$ searched over [lo, endpos): leftmost start or -1,
 * with group 1 as [*g, *g + *glen) */
static Py_ssize_t paren_area_before(const jch *s, Py_ssize_t lo, Py_ssize_t endpos, Py_ssize_t *g, Py_ssize_t *glen) {
    for (Py_ssize_t p = lo; p < endpos; p++) {
        if (!(s[p] == '(' && p + 1 < endpos && s[p + 1] == '0')) continue;
        Py_ssize_t d = 0;
        while (d < 3 && p + 2 + d < endpos && jk_digit(s[p + 2 + d])) d++;
        for (Py_ssize_t k = d; k >= 1; k--) {
            Py_ssize_t r = p + 2 + k; /* the ")" */
            if (!(r < endpos && s[r] == ')')) continue;
            if ((r + 1 < endpos && s[r + 1] == ' ' && dollar(s, r + 2, endpos)) || dollar(s, r + 1, endpos)) {
                *g = p + 1; *glen = k + 1;
                return p;
            }
        }
    }
    return -1;
}

/* _VERSION_BEFORE = (?:버전|version|...|[vV])\s*[:=]?\s*$ searched over [lo, endpos); the words
 * come from the pattern (clusters.version_words) */
static int version_before(const jch *s, Py_ssize_t lo, Py_ssize_t endpos) {
    /* the smallest t from which s[t:endpos] matches \s*[:=]?\s* (any later start matches too;
     * "$" before a final newline adds nothing, \s takes the newline) */
    Py_ssize_t t = endpos;
    int colon = 0;
    while (t > lo) {
        jch c = s[t - 1];
        if (Py_UNICODE_ISSPACE(c)) t--;
        else if ((c == ':' || c == '=') && !colon) { colon = 1; t--; }
        else break;
    }
    for (Py_ssize_t p = lo; p < endpos; p++)
        if (word_at(t_version_words, s, p, endpos, t)) return 1;
    return 0;
}

/* _POSTAL_SIDO_AFTER matched at pos with endpos:
 * [ ,)\]]{0,3}(?:서울|부산|...|제주|[가-힣]{1,5}[시군구](?= )), the words from clusters.postal_sido */
#define C_SI 0xC2DC  /* 시 */
#define C_GUN 0xAD70 /* 군 */
#define C_GU 0xAD6C  /* 구 */
static int postal_sido_after(const jch *s, Py_ssize_t pos, Py_ssize_t endpos) {
    Py_ssize_t k = 0;
    while (k < 3 && pos + k < endpos && (s[pos + k] == ' ' || s[pos + k] == ',' || s[pos + k] == ')' || s[pos + k] == ']')) k++;
    for (; k >= 0; k--) {
        Py_ssize_t q = pos + k;
        if (word_at(t_postal_sido, s, q, endpos, q + 1)) return 1;
        Py_ssize_t h = 0;
        while (h < 5 && q + h < endpos && jk_hangul(s[q + h])) h++;
        for (Py_ssize_t j = h; j >= 1; j--) {
            Py_ssize_t r = q + j;
            if (r + 1 < endpos && (s[r] == C_SI || s[r] == C_GUN || s[r] == C_GU) && s[r + 1] == ' ') return 1;
        }
    }
    return 0;
}

/* _PLATE_PARTICLE_AFTER matched at e (e < n), the words from clusters.plate_particles:
 * (?:이|가|은|...|예요|[^가-힣A-Za-z0-9]|$) ("$" at e < n needs a final newline, which the class
 * takes) */
static int plate_particle_after(const jch *s, Py_ssize_t n, Py_ssize_t e) {
    if (word_at(t_plate_particles, s, e, n, e + 1)) return 1;
    return !(jk_hangul(s[e]) || jk_ascii_alnum(s[e]));
}

/* ---- phone numbers (_phone_kind) over group heads ---- */
typedef struct { Py_ssize_t len; jch h[4]; } pgrp; /* a group's length and first 4 characters */

static void pg_set(pgrp *g, const jch *p, Py_ssize_t len, int zero) { /* zero: "0" + p */
    g->len = len + (zero ? 1 : 0);
    int k = 0;
    if (zero) g->h[k++] = '0';
    for (Py_ssize_t i = 0; k < 4; i++, k++) g->h[k] = i < len ? p[i] : 0;
}
static inline int pg_is(const pgrp *g, const char *w) { return lit(g->h, g->len < 4 ? g->len : 4, w) && g->len == (Py_ssize_t)strlen(w); }
static inline int pg_starts(const pgrp *g, const char *w) { return starts(g->h, g->len < 4 ? g->len : 4, w); }
static inline int pg_in(const jk_map *m, const pgrp *g) { return g->len <= 4 && jk_map_has(m, g->h, g->len); }

static int phone_kind(const pgrp *g, Py_ssize_t count) {
    const pgrp *first = &g[0];
    if (count == 1) {
        Py_ssize_t n = first->len;
        if (n == 11 && pg_starts(first, "010")) return PK_MOBILE_PLAIN;
        if ((n == 10 || n == 11) && jk_map_has(t_legacy, first->h, 3)) return PK_LEGACY_PLAIN;
        if ((n == 10 || n == 11) && jk_map_has(t_area, first->h, 3) && first->h[3] != '0') return PK_LANDLINE_PLAIN;
        if ((n == 9 || n == 10) && pg_starts(first, "02") && first->h[2] != '0') return PK_LANDLINE_PLAIN;
        if (n == 11 && pg_starts(first, "070")) return PK_VOIP_PLAIN;
        return PK_NONE;
    }
    if (count == 2) {
        if (first->len == 4 && g[1].len == 4 && (pg_starts(first, "15") || pg_starts(first, "16") || pg_starts(first, "18")))
            return PK_REPRESENTATIVE;
        return PK_NONE;
    }
    if (count != 3) return PK_NONE;
    const pgrp *mid = &g[1], *last = &g[2];
    int mid34 = mid->len == 3 || mid->len == 4;
    if (last->len != 4) return PK_NONE;
    if (pg_is(first, "010")) return mid->len == 4 ? PK_MOBILE : PK_NONE;
    if (pg_in(t_legacy, first)) return mid34 ? PK_MOBILE : PK_NONE;
    if (pg_is(first, "02") || pg_in(t_area, first)) return mid34 && mid->h[0] != '0' ? PK_LANDLINE : PK_NONE;
    if (pg_is(first, "070")) return mid->len == 4 ? PK_VOIP : PK_NONE;
    if (first->len == 4 && pg_starts(first, "050")) return mid34 ? PK_PERSONAL : PK_NONE;
    if (pg_is(first, "080") || pg_is(first, "060")) return mid34 ? PK_BUSINESS : PK_NONE;
    return PK_NONE;
}

/* ---- one window of digit groups ---- */
typedef struct {
    const jch *s;
    Py_ssize_t n;           /* the whole text */
    const Py_ssize_t *gs;   /* group starts */
    const Py_ssize_t *gl;   /* group lengths */
    Py_ssize_t ng;          /* groups */
    Py_ssize_t start, end;  /* the window */
    jk_ctx ctx;
    jk_finds *out;
} win;

static inline jch sep_at(const win *w, Py_ssize_t k) { return w->s[w->gs[k] + w->gl[k]]; } /* between k, k+1 */

static int shape_is(const win *w, int k, ...) {
    if (w->ng != k) return 0;
    va_list ap;
    va_start(ap, k);
    int ok = 1;
    for (int i = 0; i < k; i++) if (w->gl[i] != va_arg(ap, int)) ok = 0;
    va_end(ap);
    return ok;
}
static int shape_eq(const win *w, const shape_t *sh) {
    if (w->ng != sh->n) return 0;
    for (int i = 0; i < sh->n; i++) if (w->gl[i] != sh->len[i]) return 0;
    return 1;
}

/* patterns._score */
static double score(win *w, int type, double base, double with_ctx, int ambiguous) {
    if (jk_ctx_has(&w->ctx, type)) return with_ctx;
    if (ambiguous && jk_ctx_negative(&w->ctx)) return base * 0.3;
    return base;
}

/* patterns._international: 1 with *pstart and *kind set, or 0 */
static int international(win *w, Py_ssize_t *pstart, int *kind) {
    const jch *s = w->s;
    Py_ssize_t start = w->start, ng = w->ng;
    int plus = start > 0 && s[start - 1] == '+';
    const jch *f = s + w->gs[0];
    Py_ssize_t fl = w->gl[0];
    pgrp rest[3];
    Py_ssize_t rc = -1; /* groups in rest; -1: None */
    int is82 = 0;
    if (lit(f, fl, "82")) {
        if (plus) is82 = 1;
        else {
            jk_ctx c;
            jk_ctx_init(&c, s, w->n, start, start + 1);
            is82 = jk_ctx_has(&c, JK_PHONE_NUMBER);
        }
    }
    if (lit(f, fl, "0082") || is82) {
        if (ng > 1) {
            rc = ng - 1;
            for (Py_ssize_t k = 1; k < ng && k <= 3; k++) pg_set(&rest[k - 1], s + w->gs[k], w->gl[k], k == 1);
        }
    } else if (plus && starts(f, fl, "82") && fl > 2) {
        rc = ng;
        pg_set(&rest[0], f + 2, fl - 2, 1);
    } else if (starts(f, fl, "0082") && fl > 4) {
        rc = ng;
        pg_set(&rest[0], f + 4, fl - 4, 1);
    }
    if (rc >= 0) {
        if (rc == ng) for (Py_ssize_t k = 1; k < ng && k < 3; k++) pg_set(&rest[k], s + w->gs[k], w->gl[k], 0);
        int k = rc <= 3 ? phone_kind(rest, rc) : PK_NONE;
        if (k != PK_NONE && k != PK_REPRESENTATIVE) {
            *pstart = plus ? start - 1 : start;
            *kind = k;
            return 1;
        }
        return 0;
    }
    Py_ssize_t m = intl_before(s, start - 10 > 0 ? start - 10 : 0, start);
    if (m >= 0 && f[0] != '0') {
        if (ng > 3) return 0;
        pg_set(&rest[0], f, fl, 1);
        for (Py_ssize_t k = 1; k < ng; k++) pg_set(&rest[k], s + w->gs[k], w->gl[k], 0);
        int k = phone_kind(rest, ng);
        if (k != PK_NONE && k != PK_REPRESENTATIVE) {
            *pstart = m;
            *kind = k;
            return 1;
        }
    }
    return 0;
}

/* patterns._bank_layout_match */
static int bank_layout_match(const win *w) {
    const jch *f = w->s + w->gs[0];
    for (int i = 0; i < t_nlayouts; i++) {
        const layout_t *L = &t_layouts[i];
        if (!shape_eq(w, &L->shape)) continue;
        if (L->npre < 0) return 1;
        for (int k = 0; k < L->npre; k++) {
            int ok = L->prelen[k] <= w->gl[0];
            for (int c = 0; ok && c < L->prelen[k]; c++) if (f[c] != L->pre[k][c]) ok = 0;
            if (ok) return 1;
        }
    }
    return 0;
}

/* patterns._classify_13 */
static int classify_13(win *w, const char *d, int grouped) {
    if (strchr("012349", d[6])) {
        int rk = jk_rrn_kind(d);
        if (rk != JK_RRN_NONE) {
            double base = t_rrn_score[rk][0], hi = t_rrn_score[rk][1];
            if (jk_push(w->out, JK_KR_RRN, w->start, w->end, score(w, JK_KR_RRN, grouped ? base : base * 0.75, hi, 1), JR_KR_RRN) < 0) return -1;
        }
    } else {
        int fk = jk_frn_kind(d);
        if (fk != JK_FRN_NONE) {
            double base = t_frn_score[fk][0], hi = t_frn_score[fk][1];
            double sc = score(w, JK_KR_FRN, grouped ? base : base * 0.75, hi, 1);
            if (jk_ctx_has(&w->ctx, JK_KR_RRN) && !jk_ctx_has(&w->ctx, JK_KR_FRN)) {
                double floor_ = fk == JK_FRN_CHECKSUM ? 0.7 : 0.55;
                if (floor_ > sc) sc = floor_;
            }
            if (jk_push(w->out, JK_KR_FRN, w->start, w->end, sc, JR_KR_FRN) < 0) return -1;
        }
    }
    if (jk_crn_valid(d, 13) &&
        jk_push(w->out, JK_KR_CRN, w->start, w->end, score(w, JK_KR_CRN, 0.4, 0.98, 1), JR_KR_CRN) < 0)
        return -1;
    return 0;
}

/* patterns._classify_dotted; *consumed as its second result */
static int classify_dotted(win *w, int spaced, int *consumed) {
    const jch *s = w->s;
    Py_ssize_t ng = w->ng;
    if (ng == 4 && sep_at(w, 0) == '.' && sep_at(w, 1) == '.' && sep_at(w, 2) == '.' &&
        w->gl[0] <= 3 && w->gl[1] <= 3 && w->gl[2] <= 3 && w->gl[3] <= 3) {
        *consumed = 1;
        int ok = 1, small = 1;
        for (Py_ssize_t k = 0; k < 4; k++) {
            const jch *g = s + w->gs[k];
            long v = dnum(g, w->gl[k]);
            if (!(v <= 255 && ((w->gl[k] == 1 && g[0] == '0') || g[0] != '0'))) ok = 0;
            if (k >= 1 && v > 20) small = 0;
        }
        if (!ok) return 0;
        if (version_before(s, w->start - 12 > 0 ? w->start - 12 : 0, w->start)) return 0;
        return jk_push(w->out, JK_IP_ADDRESS, w->start, w->end,
                       score(w, JK_IP_ADDRESS, small ? 0.35 : 0.75, 0.95, 0), JR_IPV4);
    }
    if (ng == 3 && sep_at(w, 0) == '.' && sep_at(w, 1) == '.') {
        pgrp g[3];
        for (int k = 0; k < 3; k++) pg_set(&g[k], s + w->gs[k], w->gl[k], 0);
        int kind = phone_kind(g, 3);
        if (kind == PK_MOBILE || kind == PK_LANDLINE || kind == PK_VOIP || kind == PK_PERSONAL) {
            *consumed = 1;
            double sc = score(w, JK_PHONE_NUMBER, t_phone_score[kind][0], t_phone_score[kind][1], 0);
            return jk_push(w->out, JK_PHONE_NUMBER, w->start, w->end, sc, JR_KR_PHONE);
        }
    }
    /* a date glued to 생 ("87.03.09생") */
    if (ng == 3 && w->end < w->n && s[w->end] == C_SAENG && sep_at(w, 0) == sep_at(w, 1)) {
        Py_ssize_t yl = w->gl[0];
        if (yl == 2 || yl == 4) {
            long y = jk_year(dnum(s + w->gs[0], yl), (int)yl);
            if (jk_valid_date(y, dnum(s + w->gs[1], w->gl[1]), dnum(s + w->gs[2], w->gl[2]))) {
                *consumed = 1;
                return jk_push(w->out, JK_DATE_OF_BIRTH, w->start, w->end + 1, 0.9, JR_DOB);
            }
        }
    }
    *consumed = ng >= 2 && !spaced;
    return 0;
}

/* patterns._old_postal */
static int old_postal(win *w) {
    if (jk_ctx_has(&w->ctx, JK_KR_POSTAL_CODE)) return 1;
    if (!jk_cs_has(&t_old_postal, w->s[w->gs[0]])) return 0;
    Py_ssize_t hi = w->end + 12 < w->n ? w->end + 12 : w->n;
    return postal_sido_after(w->s, w->end, hi) && !jk_ctx_negative(&w->ctx);
}

/* patterns._classify on the window; *consumed as its second result. 0 ok, -1 error. */
static int classify(win *w, int *consumed) {
    const jch *s = w->s;
    Py_ssize_t start = w->start, end = w->end, ng = w->ng;
    Py_ssize_t nd = (end - start) - (ng - 1); /* digits: every separator is one character */
    Py_ssize_t before = w->out->n;
    int dotted = 0, spaced = 0;
    for (Py_ssize_t k = 0; k + 1 < ng; k++) {
        jch c = sep_at(w, k);
        if (c == '.' || c == '/') dotted = 1;
        else if (c == ' ') spaced = 1;
    }
    jk_ctx_init(&w->ctx, s, w->n, start, end);
    *consumed = 0;
    if (dotted) return classify_dotted(w, spaced, consumed);

    const jch *first = s + w->gs[0];
    Py_ssize_t fl = w->gl[0];
    /* international forms: "+82 10-…", "+82-2-…", "+8242 …", "0082-10…", "+82 (0)10-…" */
    if (first[0] == '8' || starts(first, fl, "0082") ||
        (start && (s[start - 1] == '+' || s[start - 1] == ')' || s[start - 1] == ' '))) {
        Py_ssize_t ps;
        int kind;
        if (international(w, &ps, &kind)) {
            double sc = t_phone_score[kind][0];
            if (0.85 > sc) sc = 0.85;
            *consumed = 1;
            return jk_push(w->out, JK_PHONE_NUMBER, ps, end, sc, JR_KR_PHONE);
        }
    }
    if (first[0] == '0' || shape_is(w, 2, 4, 4)) {
        if (ng <= 3) {
            pgrp g[3];
            for (Py_ssize_t k = 0; k < ng; k++) pg_set(&g[k], s + w->gs[k], w->gl[k], 0);
            int kind = phone_kind(g, ng);
            if (kind != PK_NONE) {
                int amb = kind == PK_MOBILE_PLAIN || kind == PK_LEGACY_PLAIN || kind == PK_LANDLINE_PLAIN ||
                          kind == PK_VOIP_PLAIN || kind == PK_REPRESENTATIVE;
                double sc = score(w, JK_PHONE_NUMBER, t_phone_score[kind][0], t_phone_score[kind][1], amb);
                if (jk_push(w->out, JK_PHONE_NUMBER, start, end, sc, JR_KR_PHONE) < 0) return -1;
            }
        }
    }
    if ((shape_is(w, 2, 3, 4) || shape_is(w, 2, 4, 4)) && start && (s[start - 1] == ' ' || s[start - 1] == ')')) {
        /* "(02) 734-5821": the area code is in parentheses just before the run */
        Py_ssize_t g1, g1len;
        Py_ssize_t m = paren_area_before(s, start - 8 > 0 ? start - 8 : 0, start, &g1, &g1len);
        if (m >= 0) {
            pgrp g[3];
            pg_set(&g[0], s + g1, g1len, 0);
            pg_set(&g[1], s + w->gs[0], w->gl[0], 0);
            pg_set(&g[2], s + w->gs[1], w->gl[1], 0);
            int kind = phone_kind(g, 3);
            if (kind == PK_LANDLINE || kind == PK_MOBILE || kind == PK_VOIP || kind == PK_PERSONAL) {
                if (jk_push(w->out, JK_PHONE_NUMBER, m, end, score(w, JK_PHONE_NUMBER, 0.8, 0.95, 0), JR_KR_PHONE) < 0) return -1;
            }
        }
    }

    /* the digits as a string, for the digit counts whose checks read them */
    char d[MAX_DIGITS + 1];
    if (nd <= MAX_DIGITS && (nd == 5 || nd == 10 || nd == 13 || nd >= 14)) {
        Py_ssize_t k = 0;
        for (Py_ssize_t i = 0; i < ng; i++) {
            const jch *g = s + w->gs[i];
            Py_ssize_t len = w->gl[i];
            for (Py_ssize_t c = 0; c < len; c++) d[k + c] = (char)g[c];
            k += len;
        }
        d[k] = 0;
    }

    if (nd == 13) {
        int g67 = shape_is(w, 2, 6, 7);
        if ((g67 || shape_is(w, 1, 13)) && classify_13(w, d, g67) < 0) return -1;
    } else if (nd == 10) {
        if ((shape_is(w, 3, 3, 2, 5) || shape_is(w, 1, 10)) && jk_brn_valid(d, 10)) {
            double base = ng == 3 ? 0.7 : 0.3, hi = ng == 3 ? 0.95 : 0.9;
            if (jk_push(w->out, JK_KR_BRN, start, end, score(w, JK_KR_BRN, base, hi, 1), JR_KR_BRN) < 0) return -1;
        } else if (shape_is(w, 3, 2, 6, 2)) {
            Py_ssize_t m = word_before(t_license_names, s, start - 6 > 0 ? start - 6 : 0, start);
            if (m >= 0 &&
                jk_push(w->out, JK_KR_DRIVER_LICENSE, m, end, score(w, JK_KR_DRIVER_LICENSE, 0.85, 0.97, 1), JR_KR_LICENSE) < 0)
                return -1;
        }
    } else if (nd == 12) {
        if ((shape_is(w, 4, 2, 2, 6, 2) || shape_is(w, 1, 12)) && jk_map_has(t_license_codes, first, 2)) {
            double base = ng == 4 ? 0.7 : 0.25, hi = ng == 4 ? 0.95 : 0.88;
            if (jk_push(w->out, JK_KR_DRIVER_LICENSE, start, end, score(w, JK_KR_DRIVER_LICENSE, base, hi, 1), JR_KR_LICENSE) < 0)
                return -1;
        }
    } else if (nd == 11) {
        if (shape_is(w, 1, 11) && first[0] != '0' && jk_ctx_has(&w->ctx, JK_KR_HEALTH_INSURANCE) &&
            jk_push(w->out, JK_KR_HEALTH_INSURANCE, start, end, 0.88, JR_KR_NHI) < 0)
            return -1;
    } else if (nd == 5) {
        long pre = (d[0] - '0') * 10 + (d[1] - '0');
        if (shape_is(w, 1, 5) && 1 <= pre && pre <= 63) {
            Py_ssize_t hi = end + 12 < w->n ? end + 12 : w->n;
            if ((postal_sido_after(s, end, hi) || jk_ctx_has(&w->ctx, JK_KR_POSTAL_CODE)) &&
                jk_push(w->out, JK_KR_POSTAL_CODE, start, end, 0.88, JR_KR_POSTAL) < 0)
                return -1;
        }
    } else if (nd == 6 && shape_is(w, 2, 3, 3) && jk_cs_has(&t_dashes, sep_at(w, 0)) && old_postal(w)) {
        if (jk_push(w->out, JK_KR_POSTAL_CODE, start, end, 0.8, JR_KR_POSTAL) < 0) return -1;
    }

    if (nd >= 14) {
        int card = 0;
        for (int i = 0; i < t_ncards && !card; i++) card = shape_eq(w, &t_cards[i]);
        if (card && jk_luhn_ok(d, (int)nd)) {
            int grouped = ng > 1;
            double base, hi;
            if (jk_card_brand(d, (int)nd) != JK_BRAND_NONE) { base = grouped ? 0.85 : 0.55; hi = grouped ? 1.0 : 0.95; }
            else { base = grouped ? 0.3 : 0.15; hi = grouped ? 0.75 : 0.6; }
            if (jk_push(w->out, JK_CREDIT_CARD, start, end, score(w, JK_CREDIT_CARD, base, hi, 1), JR_CARD) < 0) return -1;
        }
    }
    if (10 <= nd && nd <= 14 && (ng == 1 || bank_layout_match(w)) && jk_ctx_has(&w->ctx, JK_KR_BANK_ACCOUNT)) {
        /* a bank's layout, or an unbroken run; other groupings are not accounts */
        double sc = ng > 1 ? 0.86 : 0.72;
        if (jk_ctx_negative(&w->ctx)) sc *= 0.4;
        if (jk_push(w->out, JK_KR_BANK_ACCOUNT, start, end, sc, JR_KR_ACCOUNT) < 0) return -1;
    }
    *consumed = w->out->n > before;
    return 0;
}

/* ---- runs ---- */

static int scratch_fit(scratch *sc, Py_ssize_t need) {
    if (need <= sc->cap) return 0;
    Py_ssize_t cap = sc->cap ? sc->cap : 64;
    while (cap < need) cap *= 2;
    Py_ssize_t *gs = PyMem_Realloc(sc->gs, (size_t)cap * sizeof(Py_ssize_t));
    if (gs) sc->gs = gs;
    Py_ssize_t *gl = gs ? PyMem_Realloc(sc->gl, (size_t)cap * sizeof(Py_ssize_t)) : NULL;
    if (gl) sc->gl = gl;
    Py_ssize_t *cut = gl ? PyMem_Realloc(sc->cut, (size_t)(cap + 1) * sizeof(Py_ssize_t)) : NULL;
    if (cut) sc->cut = cut;
    if (!cut) { PyErr_NoMemory(); return -1; }
    sc->cap = cap;
    return 0;
}

static void scratch_free(scratch *sc) { PyMem_Free(sc->gs); PyMem_Free(sc->gl); PyMem_Free(sc->cut); }

/* patterns._cluster on s[a:b] (digit groups joined by single separators) */
static int cluster(const jch *s, Py_ssize_t n, Py_ssize_t a, Py_ssize_t b, scratch *sc, jk_finds *out) {
    if (scratch_fit(sc, (b - a) / 2 + 2) < 0) return -1;
    Py_ssize_t ng = 0;
    int spaced = 0;
    for (Py_ssize_t i = a; i < b;) {
        Py_ssize_t j = i;
        while (j < b && jk_digit(s[j])) j++;
        sc->gs[ng] = i; sc->gl[ng] = j - i; ng++;
        if (j < b && s[j] == ' ') spaced = 1;
        i = j + 1;
    }
    win w = {.s = s, .n = n, .gs = sc->gs, .gl = sc->gl, .ng = ng, .start = a, .end = b, .out = out};
    int consumed;
    if (!spaced) return classify(&w, &consumed);
    /* space-joined: windows that start and end at spaces, longest first, left to right */
    Py_ssize_t *cut = sc->cut, segs = 0;
    cut[0] = 0;
    for (Py_ssize_t k = 0; k + 1 < ng; k++) if (s[sc->gs[k] + sc->gl[k]] == ' ') cut[++segs] = k + 1;
    cut[++segs] = ng;
    Py_ssize_t i = 0;
    while (i < segs) {
        /* windows over several segments find nothing beyond t_window_limit digits (and are not
         * "consumed": they hold a space), so start from the longest one within it */
        Py_ssize_t ga = cut[i], jmax = i + 1;
        while (jmax < segs) {
            Py_ssize_t gb = cut[jmax + 1];
            Py_ssize_t ws = sc->gs[ga], we = sc->gs[gb - 1] + sc->gl[gb - 1];
            if ((we - ws) - (gb - ga - 1) > t_window_limit) break;
            jmax++;
        }
        int hit = 0;
        for (Py_ssize_t j = jmax; j > i; j--) {
            Py_ssize_t gb = cut[j];
            Py_ssize_t ws = sc->gs[ga], we = sc->gs[gb - 1] + sc->gl[gb - 1];
            if (we - ws < 5) continue;
            win sub = {.s = s, .n = n, .gs = sc->gs + ga, .gl = sc->gl + ga, .ng = gb - ga, .start = ws, .end = we, .out = out};
            Py_ssize_t had = out->n;
            if (classify(&sub, &consumed) < 0) return -1;
            if (out->n > had || consumed) { i = j; hit = 1; break; }
        }
        if (!hit) i++;
    }
    return 0;
}

/* patterns._plate: the plate alternative of _SCAN matched s[ps:pe], syllable at syl */
static int plate(const jch *s, Py_ssize_t n, Py_ssize_t ps, Py_ssize_t pe, Py_ssize_t cls_len, jch syl, jk_finds *out) {
    if (!jk_cs_has(&t_plate_use, syl) || (cls_len == 3 && s[ps] == '0')) return 0;
    if (pe < n && (jk_isdigit_u(s[pe]) || !plate_particle_after(s, n, pe))) return 0;
    if (ps && jk_isdigit_u(s[ps - 1])) return 0;
    Py_ssize_t region = word_before(t_plate_regions, s, ps - 3 > 0 ? ps - 3 : 0, ps);
    if (region > 0 && jk_hangul(s[region - 1])) region = -1; /* "…서울32바" glued to a word */
    if (region < 0 && ps && (jk_hangul(s[ps - 1]) || jk_isalnum(s[ps - 1]))) return 0;
    Py_ssize_t st = region >= 0 ? region : ps;
    win w = {.s = s, .n = n, .start = st, .end = pe, .out = out};
    jk_ctx_init(&w.ctx, s, n, st, pe);
    return jk_push(out, JK_KR_VEHICLE_PLATE, st, pe, score(&w, JK_KR_VEHICLE_PLATE, region >= 0 ? 0.9 : 0.72, 0.95, 0), JR_KR_PLATE);
}

/* the plate alternative of _SCAN at p: [0-9]{2,3} ?[가-힣] ?[0-9]{4} (its backtracking can
 * never find a second way: a space is not a syllable, a digit not a space). */
static int plate_at(const jch *s, Py_ssize_t n, Py_ssize_t p, Py_ssize_t *pe, Py_ssize_t *cls_len, jch *syl) {
    Py_ssize_t k = 0;
    while (k < 3 && p + k < n && jk_digit(s[p + k])) k++;
    if (k < 2) return 0;
    Py_ssize_t q = p + k;
    if (q < n && s[q] == ' ') q++;
    if (!(q < n && jk_hangul(s[q]))) return 0;
    *syl = s[q++];
    if (q < n && s[q] == ' ') q++;
    for (int i = 0; i < 4; i++) if (!(q + i < n && jk_digit(s[q + i]))) return 0;
    *pe = q + 4;
    *cls_len = k;
    return 1;
}

/* the first position in [p, lim) holding an ASCII digit, or lim: four characters per compare
 * where SSE2 is there (the gaps between digit runs are tens of characters) */
static inline Py_ssize_t next_digit(const jch *s, Py_ssize_t p, Py_ssize_t lim) {
#ifdef __SSE2__
    /* c is a digit when c + (INT_MIN - '0') < INT_MIN + 10 as signed 32-bit numbers */
    const __m128i shift = _mm_set1_epi32((int)(0x80000000u - (unsigned)'0'));
    const __m128i bound = _mm_set1_epi32((int)(0x80000000u + 10u));
    for (; p + 8 <= lim; p += 8) {
        __m128i a = _mm_add_epi32(_mm_loadu_si128((const __m128i *)(const void *)(s + p)), shift);
        __m128i b = _mm_add_epi32(_mm_loadu_si128((const __m128i *)(const void *)(s + p + 4)), shift);
        int m = _mm_movemask_ps(_mm_castsi128_ps(_mm_cmplt_epi32(a, bound))) |
                _mm_movemask_ps(_mm_castsi128_ps(_mm_cmplt_epi32(b, bound))) << 4;
        if (m) return p + __builtin_ctz((unsigned)m);
    }
#endif
    while (p < lim && !jk_digit(s[p])) p++;
    return p;
}

/* class of a character in _SCAN's run [-‐‑–—－./ 0-9]: 2 a digit, 1 a separator (run_sep), 0
 * neither */
static const uint8_t run_tab[128] = {
    [' '] = 1, ['-'] = 1, ['.'] = 1, ['/'] = 1,
    ['0'] = 2, ['1'] = 2, ['2'] = 2, ['3'] = 2, ['4'] = 2, ['5'] = 2, ['6'] = 2, ['7'] = 2, ['8'] = 2, ['9'] = 2,
};
static inline int run_cls(jch c) {
    if (c < 128) return run_tab[c];
    return c == 0x2010 || c == 0x2011 || c == 0x2013 || c == 0x2014 || c == 0xFF0D;
}

/* the digit-group pass from *pp for the runs that start before limit; *pp is where the next
 * block resumes */
static int scan_clusters_run(const jch *s, Py_ssize_t n, Py_ssize_t *pp, Py_ssize_t limit, scratch *scp, jk_finds *out) {
    int rc = 0;
    Py_ssize_t p = *pp;
#define sc (*scp)
    while (p < limit) {
        if (!jk_digit(s[p])) { p = next_digit(s, p + 1, limit); continue; }
        Py_ssize_t pe, cls_len;
        jch syl;
        if (plate_at(s, n, p, &pe, &cls_len, &syl)) {
            if (plate(s, n, p, pe, cls_len, syl, out) < 0) { rc = -1; break; }
            p = pe;
            continue;
        }
        /* [0-9][-‐‑–—－./ 0-9]*[0-9]: greedy, backing off to the last digit */
        /* first2: the first position after two separators in a row (the _SUB_CLUSTER split
         * applies when it is before the last digit) */
        Py_ssize_t q = p + 1, last = -1, first2 = n;
        int prev = 2;
        while (q < n) {
            int t = run_cls(s[q]);
            if (!t) break;
            if (t == 2) last = q;
            else if (prev == 1 && first2 == n) first2 = q;
            prev = t;
            q++;
        }
        if (last < 0) { p++; continue; }
        Py_ssize_t st = p, e = last + 1;
        p = e;
        if (e - st < 5) continue;
        if (st && (jk_ascii_alpha(s[st - 1]) || s[st - 1] == '_' || s[st - 1] == '#')) continue; /* _LATIN_BEFORE */
        if (e < n && s[e] < 128 && jk_ascii_alpha(s[e])) continue;
        int dbl = first2 < e;
        if (!dbl) {
            if (cluster(s, n, st, e, &sc, out) < 0) { rc = -1; break; }
            continue;
        }
        /* "1987. 3. 9" or "2024.01.02. 010-…": split where two separators meet (_SUB_CLUSTER) */
        Py_ssize_t i = st;
        while (i < e) {
            if (!jk_digit(s[i])) { i++; continue; }
            Py_ssize_t a = i;
            while (i < e && jk_digit(s[i])) i++;
            while (i + 1 < e && jk_digit(s[i + 1])) { /* s[i] is a separator: one, then digits */
                i++;
                while (i < e && jk_digit(s[i])) i++;
            }
            if (i - a >= 5 && cluster(s, n, a, i, &sc, out) < 0) { rc = -1; break; }
        }
        if (rc < 0) break;
    }
#undef sc
    *pp = p;
    return rc;
}
