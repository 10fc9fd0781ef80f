/* structured_extra.c: e-mail, IPv6, passports, dates of birth and masked identifiers
 * (patterns._find_emails, _find_ipv6, _find_passports, _find_dobs, _find_masked).
 *
 * Each regex of patterns.py is a hand-written matcher here. Where the regex could backtrack, the
 * comment says why the outcome is the one computed (a run of a class followed by a character
 * outside it leaves one way to match). finditer over text[lo:hi] is reproduced as in sre: the
 * next search starts at the end of the previous match, and hi is the end of the string for
 * lookaheads. */
#include "structured.h"
#if defined(__x86_64__) && defined(__GNUC__) && !defined(JK_NO_SIMD)
#include <immintrin.h>
#define JK_AVX2_TRIGGERS 1
#endif

/* ------------------------------------------------------------------ tables */

/* A regex alternation of literals, tried in order (the first alternative that matches wins, as
 * in sre, not the longest). */
typedef struct {
    jch **w;
    Py_ssize_t *len, n;
    jk_cset *first; /* first characters of the words: most positions fail this one test */
    jch *w0;        /* the first character of each word, side by side */
} gate_words;

static gate_words passport_gate, birth_gate;
static jk_cset mask_chars, mask_seps; /* patterns._M and _D */

static void gate_free(gate_words *g) {
    for (Py_ssize_t i = 0; i < g->n; i++) PyMem_Free(g->w[i]);
    PyMem_Free(g->w);
    PyMem_Free(g->len);
    PyMem_Free(g->first);
    PyMem_Free(g->w0);
    g->w = NULL; g->len = NULL; g->n = 0; g->first = NULL; g->w0 = NULL;
}

static int gate_load(gate_words *g, PyObject *cfg, const char *key) {
    PyObject *obj = jk_cfg_item(cfg, key);
    if (!obj) return -1;
    PyObject *fast = PySequence_Fast(obj, "gate keywords must be a sequence of str");
    if (!fast) return -1;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(fast);
    gate_words ng = {PyMem_Calloc((size_t)(n ? n : 1), sizeof(jch *)),
                     PyMem_Calloc((size_t)(n ? n : 1), sizeof(Py_ssize_t)), 0,
                     PyMem_Calloc(1, sizeof(jk_cset)),
                     PyMem_Calloc((size_t)(n ? n : 1), sizeof(jch))};
    if (!ng.w || !ng.len || !ng.first || !ng.w0) { PyErr_NoMemory(); goto fail; }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *w = PySequence_Fast_GET_ITEM(fast, i);
        if (!PyUnicode_Check(w) || PyUnicode_GET_LENGTH(w) == 0) {
            PyErr_Format(PyExc_TypeError, "%s: gate keywords must be non-empty str", key);
            goto fail;
        }
        ng.len[i] = PyUnicode_GET_LENGTH(w);
        ng.w[i] = PyUnicode_AsUCS4Copy(w);
        if (!ng.w[i]) goto fail;
        ng.n = i + 1;
        if (ng.w[i][0] >= 0x10000) {
            PyErr_Format(PyExc_ValueError, "%s: gate keywords must start in the BMP", key);
            goto fail;
        }
        jk_cs_add(ng.first, ng.w[i][0]);
        ng.w0[i] = ng.w[i][0];
    }
    Py_DECREF(fast);
    gate_free(g);
    *g = ng;
    return 0;
fail:
    Py_DECREF(fast);
    gate_free(&ng);
    return -1;
}

/* gate.finditer(text) from offset i: the start of the next match (-1: none), *len its length.
 * At each offset the first alternative that matches wins, as in sre. */
static Py_ssize_t gate_next(const gate_words *g, const jch *s, Py_ssize_t n, Py_ssize_t from,
                            const jk_trig *tr, int kind, Py_ssize_t *cursor, Py_ssize_t *len) {
    /* the positions from `from` on whose character may start a word are the triggers of kind */
    const Py_ssize_t *v = tr->v[kind];
    for (; *cursor < tr->n[kind]; ++*cursor) {
        Py_ssize_t i = v[*cursor];
        jch c = s[i];
        if (i < from) continue;
        for (Py_ssize_t k = 0; k < g->n; k++)
            if (g->w0[k] == c && jk_at(s, n, i, g->w[k], g->len[k])) { *len = g->len[k]; return i; }
    }
    return -1;
}

/* the characters that start something for a pass: '@', ':', the gate words' first characters
 * and the mask characters */
static jk_cset trig_chars;
/* the trigger characters as a list (SIMD path: at most TRIG_MAX, all below U+FFFF), and the
 * kinds of the ASCII ones */
#define TRIG_MAX 32
static uint16_t trig_list[TRIG_MAX];
static int trig_count, trig_simd; /* trig_simd: the list is complete and the CPU has AVX2 */
static uint8_t trig_kind_ascii[128];

static unsigned trig_kinds_slow(jch c) {
    return (c == '@') << TK_AT | (c == ':') << TK_COLON | jk_cs_has(passport_gate.first, c) << TK_PASS |
           jk_cs_has(birth_gate.first, c) << TK_BIRTH | jk_cs_has(&mask_chars, c) << TK_MASK;
}

int jk_configure_extra(PyObject *cfg) {
    if (gate_load(&passport_gate, cfg, "extra.passport_gate") < 0) return -1;
    if (gate_load(&birth_gate, cfg, "extra.birth_gate") < 0) return -1;
    if (jk_cfg_cset(cfg, "extra.mask_chars", &mask_chars) < 0) return -1;
    if (jk_cfg_cset(cfg, "extra.mask_seps", &mask_seps) < 0) return -1;
    for (int k = 0; k < 1024; k++)
        trig_chars.bits[k] = passport_gate.first->bits[k] | birth_gate.first->bits[k] | mask_chars.bits[k];
    jk_cs_add(&trig_chars, '@');
    jk_cs_add(&trig_chars, ':');
    trig_count = 0;
    int fits = 1;
    for (int k = 0; k < 1024 && fits; k++)
        for (uint64_t w = trig_chars.bits[k]; w; w &= w - 1) {
            jch c = (jch)(k * 64 + __builtin_ctzll(w));
            if (trig_count == TRIG_MAX || c == 0xFFFF) { fits = 0; break; }
            trig_list[trig_count++] = (uint16_t)c;
        }
    for (jch c = 0; c < 128; c++) trig_kind_ascii[c] = (uint8_t)trig_kinds_slow(c);
    trig_simd = 0;
#ifdef JK_AVX2_TRIGGERS
    __builtin_cpu_init();
    trig_simd = fits && __builtin_cpu_supports("avx2");
#endif
    (void)fits;
    return 0;
}

int jk_trig_alloc(jk_trig *tr, Py_ssize_t block) {
    memset(tr, 0, sizeof *tr);
    for (int k = 0; k <= TK_N; k++) {
        tr->v[k] = PyMem_Malloc((size_t)block * sizeof(Py_ssize_t));
        if (!tr->v[k]) { jk_trig_free(tr); PyErr_NoMemory(); return -1; }
    }
    return 0;
}

void jk_trig_free(jk_trig *tr) {
    for (int k = 0; k <= TK_N; k++) { PyMem_Free(tr->v[k]); tr->v[k] = NULL; }
}

/* the kinds of a trigger character, one bit per list */
static inline unsigned trig_kinds(jch c) {
    return c < 128 ? trig_kind_ascii[c] : trig_kinds_slow(c);
}

static inline void trig_put(jk_trig *tr, Py_ssize_t i, unsigned kinds) {
    for (; kinds; kinds &= kinds - 1) {
        int k = __builtin_ctz(kinds);
        tr->v[k][tr->n[k]++] = i;
    }
}

#ifdef JK_AVX2_TRIGGERS
/* sixteen characters per step: packed to 16 bits (saturated: characters above U+FFFF become
 * U+FFFF, which is no trigger) and compared with each trigger character */
__attribute__((target("avx2"))) static Py_ssize_t triggers_avx2(const jch *s, Py_ssize_t b, Py_ssize_t lim, jk_trig *tr) {
    __m256i want[TRIG_MAX];
    int nt = trig_count;
    for (int k = 0; k < nt; k++) want[k] = _mm256_set1_epi16((short)trig_list[k]);
    Py_ssize_t i = b;
    for (; i + 16 <= lim; i += 16) {
        __m256i x = _mm256_loadu_si256((const __m256i *)(const void *)(s + i));
        __m256i y = _mm256_loadu_si256((const __m256i *)(const void *)(s + i + 8));
        __m256i p = _mm256_permute4x64_epi64(_mm256_packus_epi32(x, y), 0xD8);
        __m256i acc = _mm256_cmpeq_epi16(p, want[0]);
        for (int k = 1; k < nt; k++) acc = _mm256_or_si256(acc, _mm256_cmpeq_epi16(p, want[k]));
        unsigned m = (unsigned)_mm256_movemask_epi8(acc) & 0x55555555u;
        for (; m; m &= m - 1) {
            Py_ssize_t at = i + (__builtin_ctz(m) >> 1);
            trig_put(tr, at, trig_kinds(s[at]));
        }
    }
    return i;
}
#endif

void jk_triggers(const jch *s, Py_ssize_t b, Py_ssize_t lim, jk_trig *tr) {
    for (int k = 0; k < TK_N; k++) tr->n[k] = 0;
    Py_ssize_t i = b;
#ifdef JK_AVX2_TRIGGERS
    if (trig_simd && trig_count > 0) i = triggers_avx2(s, b, lim, tr);
#endif
    Py_ssize_t *all = tr->v[TK_N], k = 0;
    for (; i < lim; i++) {
        all[k] = i; /* kept when the character is a trigger */
        k += jk_cs_has(&trig_chars, s[i]);
    }
    for (Py_ssize_t t = 0; t < k; t++) trig_put(tr, all[t], trig_kinds(s[all[t]]));
}

/* The `seen` sets of start offsets. Windows come in text order and their lower bounds never
 * decrease, so offsets below the current lower bound can be dropped: the set stays as small as
 * one window. */
typedef jk_seen seen_set;

static void seen_prune(seen_set *st, Py_ssize_t lo) {
    Py_ssize_t k = 0;
    for (Py_ssize_t i = 0; i < st->n; i++) if (st->v[i] >= lo) st->v[k++] = st->v[i];
    st->n = k;
}

static int seen_has(const seen_set *st, Py_ssize_t x) {
    for (Py_ssize_t i = 0; i < st->n; i++) if (st->v[i] == x) return 1;
    return 0;
}

static int seen_add(seen_set *st, Py_ssize_t x) {
    if (st->n == st->cap) {
        Py_ssize_t cap = st->cap ? st->cap * 2 : 16;
        Py_ssize_t *v = PyMem_Realloc(st->v, (size_t)cap * sizeof(Py_ssize_t));
        if (!v) { PyErr_NoMemory(); return -1; }
        st->v = v; st->cap = cap;
    }
    st->v[st->n++] = x;
    return 0;
}

static inline Py_ssize_t min_z(Py_ssize_t a, Py_ssize_t b) { return a < b ? a : b; }
static inline Py_ssize_t max_z(Py_ssize_t a, Py_ssize_t b) { return a > b ? a : b; }

/* Length of the run of ASCII digits at s[i..hi), counted up to cap. */
static inline Py_ssize_t digit_run(const jch *s, Py_ssize_t i, Py_ssize_t hi, Py_ssize_t cap) {
    Py_ssize_t k = 0;
    while (k < cap && i + k < hi && jk_digit(s[i + k])) k++;
    return k;
}

static inline long digits_value(const jch *s, Py_ssize_t i, Py_ssize_t len) {
    long v = 0;
    for (Py_ssize_t k = 0; k < len; k++) v = v * 10 + (long)(s[i + k] - '0');
    return v;
}

static inline int is_hex(jch c) {
    return jk_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

/* ------------------------------------------------------------------ e-mail */

/* _EMAIL = [A-Za-z0-9](?:[A-Za-z0-9._%+\-]{0,62}[A-Za-z0-9_%+\-])?@
 *          (?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![A-Za-z0-9\-]) */
static inline int em_local(jch c) {
    return jk_ascii_alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}

/* The domain part of _EMAIL after the '@' at q (searched up to hi): 1 with *end set, or 0. It
 * does not depend on where the local part starts. */
static int email_domain(const jch *s, Py_ssize_t q, Py_ssize_t hi, Py_ssize_t *end) {
    /* labels: '.' is outside the label class, so each label runs to the next dot; the greedy
     * repetition takes as many labels as it can, then gives them back one by one to the TLD */
    Py_ssize_t tld[256], k = 0, a = q + 1;
    while (a < hi && jk_ascii_alnum(s[a])) {
        Py_ssize_t b = a + 1;
        while (b < hi && (jk_ascii_alnum(s[b]) || s[b] == '-')) b++;
        if (b >= hi || s[b] != '.' || b - a > 63 || !jk_ascii_alnum(s[b - 1])) break;
        if (k == (Py_ssize_t)(sizeof tld / sizeof tld[0])) break; /* unreachable: hi - q <= 256 */
        tld[k++] = a = b + 1;
    }
    while (k-- > 0) {
        /* [A-Za-z]{2,24}(?![A-Za-z0-9\-]): only the whole letter run can be followed by a
         * non-letter, so the run must be 2..24 long and not be followed by a digit or '-' */
        Py_ssize_t t = tld[k], r = 0;
        while (t + r < hi && jk_ascii_alpha(s[t + r])) r++;
        if (r >= 2 && r <= 24 && (t + r >= hi || !(jk_digit(s[t + r]) || s[t + r] == '-'))) {
            *end = t + r;
            return 1;
        }
    }
    return 0;
}

/* _EMAIL.match(text, p, hi) at the successive p of one search: 1 with *at (its '@') and *end set,
 * or 0. '@' is outside the local class, so the local part runs to the first character outside it,
 * which must be the '@': 0..63 characters after the first, the last of them not a dot. Every p
 * inside one run of local characters reaches the same end q, and the domain depends on q only:
 * both are kept in *c between calls with increasing p (reset it for a new search). */
typedef struct { Py_ssize_t q, end; int dom; } email_cache;
static int email_at(const jch *s, Py_ssize_t p, Py_ssize_t hi, email_cache *c, Py_ssize_t *at, Py_ssize_t *end) {
    if (!jk_ascii_alnum(s[p])) return 0;
    Py_ssize_t q;
    if (p < c->q) q = c->q; /* s[p..q) lies inside the run that ended at c->q */
    else {
        q = p + 1;
        while (q < hi && em_local(s[q])) q++;
        c->q = q; c->dom = -1;
    }
    if (q >= hi || s[q] != '@' || q - p - 1 > 63 || (q - p - 1 > 0 && s[q - 1] == '.')) return 0;
    if (c->dom < 0) c->dom = email_domain(s, q, hi, &c->end);
    if (!c->dom) return 0;
    *at = q; *end = c->end;
    return 1;
}

/* the matches of the '@'s in [from, limit) */
int jk_emails_run(const jch *s, Py_ssize_t n, const jk_trig *tr, jk_finds *out) {
    for (Py_ssize_t t = 0; t < tr->n[TK_AT]; t++) {
        Py_ssize_t at = tr->v[TK_AT][t];
        Py_ssize_t lo = max_z(0, at - 64), hi = min_z(n, at + 256), pos = lo;
        /* finditer over text[lo:hi]: the first match holding this '@' (a match holds exactly one
         * '@'); matches of later '@'s mean there is none */
        while (pos < hi) {
            Py_ssize_t p, q = -1, e = -1;
            email_cache ec = {-1, 0, -1};
            for (p = pos; p < hi; p++) if (email_at(s, p, hi, &ec, &q, &e)) break;
            if (p >= hi || q > at) break;
            if (q == at) {
                /* the local part must not continue to the left (the window may start mid-run) */
                if (!(p > 0 && em_local(s[p - 1])) &&
                    jk_push(out, JK_EMAIL_ADDRESS, p, e, 0.95, JR_EMAIL) < 0)
                    return -1;
                break;
            }
            pos = e;
        }
    }
    return 0;
}


/* ------------------------------------------------------------------ IPv6 */

/* ipaddress.IPv4Address(s[a:b]) accepts it */
static int ipv4_ok(const jch *s, Py_ssize_t a, Py_ssize_t b) {
    int octets = 0;
    Py_ssize_t i = a;
    for (;;) {
        Py_ssize_t j = i;
        while (j < b && s[j] != '.') j++;
        Py_ssize_t len = j - i;
        /* non-empty, ASCII digits, at most 3, no leading zero, <= 255 */
        if (len == 0 || len > 3 || digit_run(s, i, j, 3) != len) return 0;
        if (len > 1 && s[i] == '0') return 0;
        if (digits_value(s, i, len) > 255) return 0;
        octets++;
        if (j >= b) break;
        i = j + 1;
    }
    return octets == 4;
}

/* _BaseV6._parse_hextet accepts s[a:b] (empty parts are rejected there by int("", 16)) */
static int hextet_ok(const jch *s, Py_ssize_t a, Py_ssize_t b) {
    if (b - a < 1 || b - a > 4) return 0;
    for (Py_ssize_t i = a; i < b; i++) if (!is_hex(s[i])) return 0;
    return 1;
}

/* ipaddress.IPv6Address(s[a:b]) accepts it: IPv6Address.__init__ and
 * _BaseV6._ip_int_from_string, step for step. The candidates of jk_find_ipv6 hold only hex
 * digits, ':', at most one "\n" and a dotted IPv4 tail, so the '/' and scope-id rules never
 * decide there; they are kept so that this stays IPv6Address for any string (checked against
 * ipaddress on generated strings of all those forms). */
static int ipv6_ok(const jch *s, Py_ssize_t a, Py_ssize_t b) {
    for (Py_ssize_t i = a; i < b; i++) if (s[i] == '/') return 0;
    /* _split_scope_id: the address is what precedes the first '%'; the scope id must be
     * non-empty and hold no other '%' */
    for (Py_ssize_t i = a; i < b; i++)
        if (s[i] == '%') {
            if (i + 1 == b) return 0;
            for (Py_ssize_t k = i + 1; k < b; k++) if (s[k] == '%') return 0;
            b = i;
            break;
        }
    if (a == b) return 0;
    Py_ssize_t ps[10], pe[10]; /* the parts split at ':' (at most 9 are valid) */
    Py_ssize_t np = 0, i = a;
    for (;;) {
        Py_ssize_t j = i;
        while (j < b && s[j] != ':') j++;
        if (np == 10) return 0; /* more than 9 parts: always rejected below */
        ps[np] = i; pe[np] = j; np++;
        if (j >= b) break;
        i = j + 1;
    }
    if (np < 3) return 0;
    /* an IPv4-style suffix becomes two (valid) hextets */
    int v4 = 0;
    for (Py_ssize_t k = ps[np - 1]; k < pe[np - 1]; k++) if (s[k] == '.') { v4 = 1; break; }
    if (v4 && !ipv4_ok(s, ps[np - 1], pe[np - 1])) return 0;
    Py_ssize_t total = np + v4; /* len(parts) after the conversion */
    if (total > 9) return 0;
    /* '::' among the inner parts (the converted suffix is never empty) */
    Py_ssize_t skip = -1;
    for (Py_ssize_t k = 1; k < total - 1; k++) {
        if (k < np - v4 && ps[k] == pe[k]) {
            if (skip >= 0) return 0;
            skip = k;
        }
    }
    int first_empty = ps[0] == pe[0];
    int last_empty = !v4 && ps[np - 1] == pe[np - 1];
    Py_ssize_t hi_n, lo_n;
    if (skip >= 0) {
        hi_n = skip;
        lo_n = total - skip - 1;
        if (first_empty && --hi_n) return 0;
        if (last_empty && --lo_n) return 0;
        if (8 - (hi_n + lo_n) < 1) return 0;
    } else {
        if (total != 8 || first_empty || last_empty) return 0;
        hi_n = total;
        lo_n = 0;
    }
    /* parse the hextets: parts[:hi_n] and parts[total-lo_n:], the IPv4 ones excepted */
    Py_ssize_t real = np - v4; /* parts that are hextet strings */
    for (Py_ssize_t k = 0; k < hi_n; k++)
        if (k < real && !hextet_ok(s, ps[k], pe[k])) return 0;
    for (Py_ssize_t k = total - lo_n; k < total; k++)
        if (k < real && !hextet_ok(s, ps[k], pe[k])) return 0;
    return 1;
}

static inline int hex_colon(jch c) { return c == ':' || is_hex(c); }

/* [0-9]{1,3}(?:\.[0-9]{1,3}){3} matched at p: its end, or -1. Backtracking never helps: fewer
 * digits in the first three groups leave a digit where the '.' must be, and the last group takes
 * up to three. */
static Py_ssize_t quad_end(const jch *s, Py_ssize_t n, Py_ssize_t p) {
    for (int g = 0; g < 4; g++) {
        if (g) {
            if (p >= n || s[p] != '.') return -1;
            p++;
        }
        Py_ssize_t k = digit_run(s, p, n, g < 3 ? 4 : 3);
        if (k < 1 || k > 3) return -1;
        p += k;
    }
    return p;
}

/* the colons in [st->pos, limit) */
int jk_ipv6_run(jk_stage *stg, const jch *s, Py_ssize_t n, Py_ssize_t limit, const jk_trig *tr, jk_finds *out) {
    Py_ssize_t done = stg->aux;
    for (Py_ssize_t t = 0; t < tr->n[TK_COLON]; t++) {
        Py_ssize_t c = tr->v[TK_COLON][t];
        if (c < stg->pos || c + 1 >= n) continue;
        /* _IPV6_COLON = :(?=[0-9A-Fa-f:]) */
        if (!hex_colon(s[c + 1]) || c < done) continue;
        /* _IPV6_TOKEN_LEFT.search(text, max(0, c-40), c) = [0-9A-Fa-f:]*\Z : the leftmost start
         * whose run reaches the colon */
        Py_ssize_t lo = max_z(0, c - 40), st = c;
        while (st > lo && hex_colon(s[st - 1])) st--;
        /* _IPV6_TOKEN_RIGHT.match(text, c): first a run ending at a ':' that a dotted quad
         * follows (the run backs off from its longest, so the last such ':' wins), else the run */
        Py_ssize_t e = c;
        while (e < n && hex_colon(s[e])) e++;
        for (Py_ssize_t j = e - 1; j >= c; j--) {
            Py_ssize_t q = s[j] == ':' ? quad_end(s, n, j + 1) : -1;
            if (q >= 0) { e = q; break; }
        }
        done = e;
        if (s[st] == ':' && !(st + 1 < n && s[st + 1] == ':')) st++; /* a label's colon ("IP:2001:…") */
        Py_ssize_t len = e - st, colons = 0;
        int dbl = 0, dot = 0;
        for (Py_ssize_t i = st; i < e; i++) {
            if (s[i] == ':') {
                colons++;
                if (i + 1 < e && s[i + 1] == ':') dbl = 1;
            }
            dot |= s[i] == '.';
        }
        /* "::" or the full 8 groups (6 and a dotted IPv4 tail) */
        if ((!dbl && colons != (dot ? 6 : 7)) || len < 3) continue;
        if (st > 0 && jk_ascii_alnum(s[st - 1])) continue;
        if (e < n && (jk_ascii_alnum(s[e]) || s[e] == '.' || s[e] == ':')) continue;
        if (!ipv6_ok(s, st, e)) continue;
        jk_ctx ctx;
        jk_ctx_init(&ctx, s, n, st, e);
        /* "::1" needs an IP context word ("::", the other bare form, is too short to get here) */
        int bare = len == 3 && s[st] == ':' && s[st + 1] == ':' && s[st + 2] == '1';
        int has = jk_ctx_has(&ctx, JK_IP_ADDRESS);
        if (bare && !has) continue;
        if (jk_push(out, JK_IP_ADDRESS, st, e, has ? 0.97 : 0.85, JR_IPV6) < 0) return -1;
    }
    stg->pos = limit > stg->pos ? limit : stg->pos;
    stg->aux = done;
    return 0;
}

/* ------------------------------------------------------------------ passports */

static inline int lookahead_not_alnum(const jch *s, Py_ssize_t i, Py_ssize_t hi) {
    return i >= hi || !jk_ascii_alnum(s[i]);
}

/* _PASSPORT.match(text, p, hi): [MSRODmsrod](?:[0-9]{8}|[0-9]{3}[A-Za-z][0-9]{4})(?![A-Za-z0-9]),
 * always 9 characters */
static int passport_at(const jch *s, Py_ssize_t p, Py_ssize_t hi) {
    if (p + 9 > hi) return 0;
    switch (s[p]) {
    case 'M': case 'S': case 'R': case 'O': case 'D':
    case 'm': case 's': case 'r': case 'o': case 'd': break;
    default: return 0;
    }
    if (!lookahead_not_alnum(s, p + 9, hi)) return 0; /* both alternatives end at p + 9 */
    if (digit_run(s, p + 1, hi, 8) == 8) return 1;
    return digit_run(s, p + 1, hi, 3) == 3 && jk_ascii_alpha(s[p + 4]) && digit_run(s, p + 5, hi, 4) == 4;
}

/* the gate matches that start in [st->pos, limit) */
int jk_passports_run(jk_stage *st, const jch *s, Py_ssize_t n, Py_ssize_t limit, const jk_trig *tr, jk_finds *out) {
    seen_set seen = st->seen;
    int rc = 0;
    Py_ssize_t gl = 0, next = st->pos;
    Py_ssize_t cur = 0;
    for (Py_ssize_t g = gate_next(&passport_gate, s, n, next, tr, TK_PASS, &cur, &gl); g >= 0;
         g = gate_next(&passport_gate, s, n, next, tr, TK_PASS, &cur, &gl)) {
        next = g + gl;
        Py_ssize_t lo = max_z(0, g - 12), hi = min_z(n, g + gl + 40);
        seen_prune(&seen, lo);
        for (Py_ssize_t p = lo; p < hi;) {
            if (!passport_at(s, p, hi)) { p++; continue; }
            if (!seen_has(&seen, p) && !(p > 0 && jk_ascii_alnum(s[p - 1]))) {
                jk_ctx ctx;
                jk_ctx_init(&ctx, s, n, p, p + 9);
                /* _score(ctx, "KR_PASSPORT", 0.35, 0.93) */
                double sc = jk_ctx_has(&ctx, JK_KR_PASSPORT) ? 0.93 : jk_ctx_negative(&ctx) ? 0.35 * 0.3 : 0.35;
                if (seen_add(&seen, p) < 0 || jk_push(out, JK_KR_PASSPORT, p, p + 9, sc, JR_KR_PASSPORT) < 0) {
                    rc = -1;
                    goto end;
                }
            }
            p += 9;
        }
    }
end:
    st->seen = seen;
    st->pos = next > limit ? next : limit;
    return rc;
}

void jk_stage_free(jk_stage *st) { PyMem_Free(st->seen.v); st->seen.v = NULL; st->seen.n = st->seen.cap = 0; }



/* ------------------------------------------------------------------ dates of birth */

#define HAN_NYEON 0xB144 /* 년 */
#define HAN_WOL 0xC6D4   /* 월 */
#define HAN_IL 0xC77C    /* 일 */
#define HAN_SAENG 0xC0DD /* 생 */

typedef struct {
    Py_ssize_t end, y, ylen, mo, molen, d, dlen; /* spans of the groups */
    int alt;                                     /* _DOB_NUM: which alternative (1..3) */
} dob_match;

/* [0-9]{1,2} followed (after an optional space) by ch: a run of one or two digits (a longer run
 * leaves no way to match, since ch is not a digit). Returns the position after ch, or -1. */
static Py_ssize_t num_then(const jch *s, Py_ssize_t x, Py_ssize_t hi, jch ch, Py_ssize_t *len) {
    Py_ssize_t r = digit_run(s, x, hi, 3);
    if (r < 1 || r > 2) return -1;
    *len = r;
    x += r;
    if (x < hi && s[x] == ' ') x++;
    return x < hi && s[x] == ch ? x + 1 : -1;
}

/* _DOB_KO.match(text, p, hi):
 * ([0-9]{4}|[0-9]{2}) ?년 ?(?:([0-9]{1,2}) ?월 ?([0-9]{1,2}) ?일|(생))
 * The optional spaces are followed by a non-space, so taking one when present is the only way.
 * Returns 1 (m->alt 1: day form, 2: 생 form). */
static int dob_ko_at(const jch *s, Py_ssize_t p, Py_ssize_t hi, dob_match *m) {
    for (Py_ssize_t ylen = 4; ylen >= 2; ylen -= 2) {
        if (digit_run(s, p, hi, ylen) != ylen) continue;
        Py_ssize_t x = p + ylen;
        if (x < hi && s[x] == ' ') x++;
        if (!(x < hi && s[x] == HAN_NYEON)) continue;
        x++;
        if (x < hi && s[x] == ' ') x++;
        m->y = p; m->ylen = ylen;
        Py_ssize_t y = num_then(s, x, hi, HAN_WOL, &m->molen);
        if (y >= 0) {
            if (y < hi && s[y] == ' ') y++;
            Py_ssize_t z = num_then(s, y, hi, HAN_IL, &m->dlen);
            if (z >= 0) {
                m->mo = x; m->d = y; m->end = z; m->alt = 1;
                return 1;
            }
        }
        if (x < hi && s[x] == HAN_SAENG) {
            m->end = x + 1; m->alt = 2;
            return 1;
        }
    }
    return 0;
}

static inline int year_1920(const jch *s, Py_ssize_t p, Py_ssize_t hi) {
    /* (?:19|20)[0-9]{2} */
    return p + 4 <= hi && ((s[p] == '1' && s[p + 1] == '9') || (s[p] == '2' && s[p + 1] == '0')) &&
           jk_digit(s[p + 2]) && jk_digit(s[p + 3]);
}

/* (0[1-9]|1[0-2])([0-3][0-9])(?![0-9]) at x */
static int mmdd_at(const jch *s, Py_ssize_t x, Py_ssize_t hi) {
    if (x + 4 > hi) return 0;
    jch a = s[x], b = s[x + 1];
    if (!((a == '0' && b >= '1' && b <= '9') || (a == '1' && b >= '0' && b <= '2'))) return 0;
    if (!(s[x + 2] >= '0' && s[x + 2] <= '3' && jk_digit(s[x + 3]))) return 0;
    return x + 4 >= hi || !jk_digit(s[x + 4]);
}

/* _DOB_NUM.match(text, p, hi), its three alternatives in order */
static int dob_num_at(const jch *s, Py_ssize_t p, Py_ssize_t hi, dob_match *m) {
    /* ((?:19|20)[0-9]{2}|[0-9]{2})([.\-/]) ?([0-9]{1,2})\2 ?([0-9]{1,2})(?![0-9]) */
    for (Py_ssize_t ylen = 4; ylen >= 2; ylen -= 2) {
        if (ylen == 4 ? !year_1920(s, p, hi) : digit_run(s, p, hi, 2) != 2) continue;
        Py_ssize_t x = p + ylen;
        if (!(x < hi && (s[x] == '.' || s[x] == '-' || s[x] == '/'))) continue;
        jch sep = s[x++];
        if (x < hi && s[x] == ' ') x++;
        /* month: a run of one or two digits followed by the separator (a backreference to a
         * non-digit, so a longer run cannot match) */
        Py_ssize_t r = digit_run(s, x, hi, 3), y = x + r;
        if (r < 1 || r > 2 || !(y < hi && s[y] == sep)) continue;
        m->molen = r;
        y++;
        if (y < hi && s[y] == ' ') y++;
        r = digit_run(s, y, hi, 3); /* day: [0-9]{1,2}(?![0-9]) */
        if (r < 1 || r > 2) continue;
        m->y = p; m->ylen = ylen; m->mo = x; m->d = y; m->dlen = r; m->end = y + r; m->alt = 1;
        return 1;
    }
    /* ((?:19|20)[0-9]{2})(0[1-9]|1[0-2])([0-3][0-9])(?![0-9]) */
    if (year_1920(s, p, hi) && mmdd_at(s, p + 4, hi)) {
        m->y = p; m->ylen = 4; m->mo = p + 4; m->molen = 2; m->d = p + 6; m->dlen = 2; m->end = p + 8; m->alt = 2;
        return 1;
    }
    /* ([0-9]{2})(0[1-9]|1[0-2])([0-3][0-9])(?![0-9]) */
    if (digit_run(s, p, hi, 2) == 2 && mmdd_at(s, p + 2, hi)) {
        m->y = p; m->ylen = 2; m->mo = p + 2; m->molen = 2; m->d = p + 4; m->dlen = 2; m->end = p + 6; m->alt = 3;
        return 1;
    }
    return 0;
}

static int dob_date_ok(const jch *s, const dob_match *m) {
    long y = digits_value(s, m->y, m->ylen);
    return jk_valid_date(jk_year(y, (int)m->ylen), digits_value(s, m->mo, m->molen), digits_value(s, m->d, m->dlen));
}

static int dob_has_ctx(const jch *s, Py_ssize_t n, Py_ssize_t a, Py_ssize_t b) {
    jk_ctx ctx;
    jk_ctx_init(&ctx, s, n, a, b);
    return jk_ctx_has(&ctx, JK_DATE_OF_BIRTH);
}

int jk_dobs_run(jk_stage *st, const jch *s, Py_ssize_t n, Py_ssize_t limit, const jk_trig *tr, jk_finds *out) {
    seen_set seen = st->seen;
    int rc = 0;
    dob_match m;
    Py_ssize_t gl = 0, next = st->pos;
    Py_ssize_t cur = 0;
    for (Py_ssize_t g = gate_next(&birth_gate, s, n, next, tr, TK_BIRTH, &cur, &gl); g >= 0;
         g = gate_next(&birth_gate, s, n, next, tr, TK_BIRTH, &cur, &gl)) {
        next = g + gl;
        Py_ssize_t lo = max_z(0, g - 40), hi = min_z(n, g + gl + 24);
        seen_prune(&seen, lo);
        for (Py_ssize_t p = lo; p < hi;) {
            /* both patterns start with two digits: other positions are passed over cheaply */
            if (!(p + 1 < hi && jk_digit(s[p]) && jk_digit(s[p + 1])) || !dob_ko_at(s, p, hi, &m)) { p++; continue; }
            Py_ssize_t e = m.end;
            int glued = e < n && s[e] == HAN_SAENG;
            if (!seen_has(&seen, p) && !(p > 0 && jk_isdigit_u(s[p - 1])) &&
                (m.alt == 2 || (dob_date_ok(s, &m) && (glued || dob_has_ctx(s, n, p, e))))) {
                if (seen_add(&seen, p) < 0 ||
                    jk_push(out, JK_DATE_OF_BIRTH, p, e + (m.alt == 1 && glued), m.alt == 2 ? 0.85 : 0.9, JR_DOB) < 0) {
                    rc = -1;
                    goto end;
                }
            }
            p = e;
        }
        for (Py_ssize_t p = lo; p < hi;) {
            if (!(p + 1 < hi && jk_digit(s[p]) && jk_digit(s[p + 1])) || !dob_num_at(s, p, hi, &m)) { p++; continue; }
            Py_ssize_t e = m.end;
            jch prev = p > 0 ? s[p - 1] : 0;
            if (!seen_has(&seen, p) && !(p > 0 && (jk_digit(prev) || prev == '.' || prev == '-' || prev == '/')) &&
                dob_date_ok(s, &m)) {
                int glued = e < n && s[e] == HAN_SAENG;
                if (glued || dob_has_ctx(s, n, p, e)) {
                    if (seen_add(&seen, p) < 0 ||
                        jk_push(out, JK_DATE_OF_BIRTH, p, e + glued, m.alt == 3 ? 0.8 : 0.9, JR_DOB) < 0) {
                        rc = -1;
                        goto end;
                    }
                }
            }
            p = e;
        }
    }
end:
    st->seen = seen;
    st->pos = next > limit ? next : limit;
    return rc;
}



/* ------------------------------------------------------------------ masked identifiers */

static inline int is_m(jch c) { return jk_cs_has(&mask_chars, c); }
static inline int is_d(jch c) { return jk_cs_has(&mask_seps, c); }

static inline Py_ssize_t mask_run(const jch *s, Py_ssize_t i, Py_ssize_t hi, Py_ssize_t cap) {
    Py_ssize_t k = 0;
    while (k < cap && i + k < hi && is_m(s[i + k])) k++;
    return k;
}

/* (?![0-9*]) at i, hi being the end of the string */
static inline int mask_end_ok(const jch *s, Py_ssize_t i, Py_ssize_t hi) {
    return i >= hi || !(jk_digit(s[i]) || s[i] == '*');
}

enum { MK_NONE, MK_RRN, MK_PHONE, MK_CARD };

/* _MASKED.match(text, p, hi): the kind (m.lastgroup), *end set */
static int masked_at(const jch *s, Py_ssize_t p, Py_ssize_t hi, Py_ssize_t *end) {
    /* (?P<rrn>[0-9]{6}D[0-9]M{6})(?![0-9*]) */
    if (digit_run(s, p, hi, 6) == 6 && p + 14 <= hi && is_d(s[p + 6]) && jk_digit(s[p + 7]) &&
        mask_run(s, p + 8, hi, 6) == 6 && mask_end_ok(s, p + 14, hi)) {
        *end = p + 14;
        return MK_RRN;
    }
    /* (?P<phone>01[016789]D(?:M{3,4}D[0-9]{4}|[0-9]{3,4}DM{4}))(?![0-9*]) */
    if (p + 4 <= hi && s[p] == '0' && s[p + 1] == '1' && is_d(s[p + 3])) {
        jch c = s[p + 2];
        if (c == '0' || c == '1' || c == '6' || c == '7' || c == '8' || c == '9') {
            Py_ssize_t x = p + 4;
            for (Py_ssize_t k = 4; k >= 3; k--) { /* M{3,4}: greedy, then one fewer */
                Py_ssize_t y = x + k;
                if (mask_run(s, x, hi, k) == k && y < hi && is_d(s[y]) && digit_run(s, y + 1, hi, 4) == 4 &&
                    mask_end_ok(s, y + 5, hi)) {
                    *end = y + 5;
                    return MK_PHONE;
                }
            }
            for (Py_ssize_t k = 4; k >= 3; k--) { /* [0-9]{3,4} */
                Py_ssize_t y = x + k;
                if (digit_run(s, x, hi, k) == k && y < hi && is_d(s[y]) && mask_run(s, y + 1, hi, 4) == 4 &&
                    mask_end_ok(s, y + 5, hi)) {
                    *end = y + 5;
                    return MK_PHONE;
                }
            }
        }
    }
    /* (?P<card>[0-9]{4}(?P<csep>D)(?:[0-9]{2}M{2}(?P=csep)M{4}|M{6})(?P=csep)[0-9]{4,5})(?![0-9*]) */
    if (digit_run(s, p, hi, 4) == 4 && p + 5 <= hi && is_d(s[p + 4])) {
        jch sep = s[p + 4];
        Py_ssize_t x = p + 5, y = -1;
        if (digit_run(s, x, hi, 2) == 2 && mask_run(s, x + 2, hi, 2) == 2 && x + 4 < hi && s[x + 4] == sep &&
            mask_run(s, x + 5, hi, 4) == 4)
            y = x + 9;
        else if (mask_run(s, x, hi, 6) == 6)
            y = x + 6; /* the two alternatives start with a digit and a mask character */
        if (y >= 0 && y < hi && s[y] == sep) {
            y++;
            for (Py_ssize_t k = 5; k >= 4; k--)
                if (digit_run(s, y, hi, k) == k && mask_end_ok(s, y + k, hi)) {
                    *end = y + k;
                    return MK_CARD;
                }
        }
    }
    return MK_NONE;
}

/* the gate triples that start in [st->pos, limit) */
int jk_masked_run(jk_stage *st, const jch *s, Py_ssize_t n, Py_ssize_t limit, const jk_trig *tr, jk_finds *out) {
    seen_set seen = st->seen;
    int rc = 0;
    Py_ssize_t g = st->pos, cur = 0;
    if (limit > n - 2) limit = n - 2; /* g + 3 <= n */
    /* _MASK_GATE = M{3}, finditer: non-overlapping triples */
    while (g < limit) {
        if (!is_m(s[g])) {
            /* the next mask character is among the triggers */
            const Py_ssize_t *mv = tr->v[TK_MASK];
            while (cur < tr->n[TK_MASK] && mv[cur] < g) cur++;
            if (cur == tr->n[TK_MASK] || mv[cur] >= limit) { g = limit; break; }
            g = mv[cur];
        }
        if (!(is_m(s[g + 1]) && is_m(s[g + 2]))) { g++; continue; }
        Py_ssize_t lo = max_z(0, g - 16), hi = min_z(n, g + 3 + 16);
        seen_prune(&seen, lo);
        for (Py_ssize_t p = lo; p < hi;) {
            Py_ssize_t e;
            int kind = masked_at(s, p, hi, &e);
            if (kind == MK_NONE) { p++; continue; }
            if (!seen_has(&seen, p) && !(p > 0 && jk_isdigit_u(s[p - 1]))) {
                int r = seen_add(&seen, p);
                if (r == 0) {
                    if (kind == MK_PHONE) r = jk_push(out, JK_PHONE_NUMBER, p, e, 0.7, JR_MASKED);
                    else if (kind == MK_CARD) r = jk_push(out, JK_CREDIT_CARD, p, e, 0.75, JR_MASKED);
                    else {
                        jch g7 = s[p + 7];
                        int frn = g7 == '5' || g7 == '6' || g7 == '7' || g7 == '8';
                        r = jk_push(out, frn ? JK_KR_FRN : JK_KR_RRN, p, e, 0.7, JR_MASKED);
                    }
                }
                if (r < 0) { rc = -1; goto end; }
            }
            p = e;
        }
        g += 3;
    }
end:
    st->seen = seen;
    st->pos = g;
    return rc;
}


