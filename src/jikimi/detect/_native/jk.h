/* jk.h: shared types of the native scan core (jikimi.detect._native).
 *
 * Why native: the Python recognizers (jikimi/detect/patterns.py, names.py, addresses.py) are the
 * reference implementation; this core reproduces their results exactly (tests/test_native.py
 * compares both on the labeled corpus and on generated text) at the speed the scan issue asks
 * for. Texts are handled as arrays of code points (Py_UCS4), so offsets are Python indices.
 * No regex library: every pattern is a hand-written matcher that follows the Python pattern's
 * semantics (greedy, possessive and backtracking parts as written there).
 */
#ifndef JK_H
#define JK_H
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

typedef Py_UCS4 jch;

/* Entity types: the order is exported to Python as _native.ENTITIES. */
enum {
    JK_KR_RRN, JK_KR_FRN, JK_KR_PASSPORT, JK_KR_DRIVER_LICENSE, JK_CREDIT_CARD,
    JK_KR_BANK_ACCOUNT, JK_KR_HEALTH_INSURANCE, JK_PHONE_NUMBER, JK_EMAIL_ADDRESS, JK_PERSON,
    JK_KR_ADDRESS, JK_IP_ADDRESS, JK_KR_VEHICLE_PLATE, JK_DATE_OF_BIRTH, JK_KR_POSTAL_CODE,
    JK_KR_BRN, JK_KR_CRN, JK_N_ENTITIES
};
#define JK_NEGATIVE JK_N_ENTITIES /* bit of a reference-number label in a context mask */

/* Recognizer names (Finding.recognizer): exported as _native.RECOGNIZERS. */
enum {
    JR_KR_PHONE, JR_KR_BRN, JR_KR_LICENSE, JR_KR_NHI, JR_KR_POSTAL, JR_CARD, JR_KR_ACCOUNT,
    JR_KR_RRN, JR_KR_FRN, JR_KR_CRN, JR_IPV4, JR_DOB, JR_EMAIL, JR_IPV6, JR_KR_PASSPORT,
    JR_KR_PLATE, JR_MASKED, JR_KR_PERSON, JR_KR_ADDRESS, JR_N
};

typedef struct {
    Py_ssize_t start, end;
    double score;
    int type, rec;
} jk_find;

typedef struct {
    jk_find *v;
    Py_ssize_t n, cap;
} jk_finds;

/* Append a finding; returns -1 (with MemoryError set) when out of memory. */
int jk_push(jk_finds *out, int type, Py_ssize_t start, Py_ssize_t end, double score, int rec);
void jk_finds_free(jk_finds *f);

/* ---- sets and maps of strings (code-point strings), filled from Python at configure time ---- */
typedef struct jk_map jk_map;
jk_map *jk_map_new(void);
void jk_map_free(jk_map *m);
/* 0 ok, -1 out of memory (MemoryError set) */
int jk_map_put(jk_map *m, const jch *s, Py_ssize_t n, double v);
/* 1 and *v set when present, 0 when absent (v may be NULL) */
int jk_map_get(const jk_map *m, const jch *s, Py_ssize_t n, double *v);
static inline int jk_map_has(const jk_map *m, const jch *s, Py_ssize_t n) { return jk_map_get(m, s, n, NULL); }
/* From a dict str -> number, or any iterable of str (value 1.0). NULL with an exception set. */
jk_map *jk_map_from_py(PyObject *obj);
Py_ssize_t jk_map_size(const jk_map *m);

/* ---- tries over code points: longest keyword at a position ---- */
typedef struct jk_trie jk_trie;
jk_trie *jk_trie_new(void);
void jk_trie_free(jk_trie *t);
/* Add word (value >= 0 is stored; a later add of the same word ORs the values). 0 ok, -1 OOM. */
int jk_trie_add(jk_trie *t, const jch *s, Py_ssize_t n, int64_t value);
/* Longest word starting at s[i] within s[..hi): its length (0: none), *value set. When fold is
 * set, text characters are lower-cased first (the words must have been added lower-cased). */
Py_ssize_t jk_trie_longest(const jk_trie *t, const jch *s, Py_ssize_t i, Py_ssize_t hi, int fold,
                           int64_t *value);
/* Longest word ending at s[i-1], reading backwards down to lo (the words must have been added
 * reversed). */
Py_ssize_t jk_trie_longest_back(const jk_trie *t, const jch *s, Py_ssize_t i, Py_ssize_t lo,
                                int64_t *value);
/* Raw walk: node 0 is the root; returns the child node for ch or -1; jk_trie_value gives the value
 * at a node (-1 when no word ends there). For matchers that need regex-style backtracking. */
int32_t jk_trie_step(const jk_trie *t, int32_t node, jch ch);
int64_t jk_trie_value(const jk_trie *t, int32_t node);
/* From an iterable of str (value 1) or a dict str -> int. reverse: add each word reversed;
 * fold: add lower-cased. NULL with an exception set on error. */
jk_trie *jk_trie_from_py(PyObject *obj, int reverse, int fold);

/* ---- character sets (BMP bitmap; characters above U+FFFF are never members) ---- */
typedef struct { uint64_t bits[1024]; } jk_cset;
static inline int jk_cs_has(const jk_cset *c, jch ch) {
    return ch < 0x10000 && (c->bits[ch >> 6] >> (ch & 63)) & 1;
}
static inline void jk_cs_add(jk_cset *c, jch ch) {
    if (ch < 0x10000) c->bits[ch >> 6] |= (uint64_t)1 << (ch & 63);
}
/* Every character of a str (or of every str in an iterable). 0 ok, -1 with exception. */
int jk_cs_add_py(jk_cset *c, PyObject *obj);

/* ---- small character helpers matching Python's str methods ---- */
static inline int jk_hangul(jch c) { return c >= 0xAC00 && c <= 0xD7A3; } /* [가-힣] */
static inline int jk_digit(jch c) { return c >= '0' && c <= '9'; }           /* [0-9] */
static inline int jk_ascii_alpha(jch c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
static inline int jk_ascii_alnum(jch c) { return jk_digit(c) || jk_ascii_alpha(c); }
static inline jch jk_lower(jch c) {
    if (c < 128) return (c >= 'A' && c <= 'Z') ? c + 32 : c;
    if (c >= 0xAC00 && c <= 0xD7A3) return c; /* Hangul syllables have no case */
    return Py_UNICODE_TOLOWER(c);
}
/* str.isalpha / isdigit / isalnum / islower for one character, as Python defines them */
static inline int jk_isalpha(jch c) { return c < 128 ? jk_ascii_alpha(c) : Py_UNICODE_ISALPHA(c); }
static inline int jk_isdigit_u(jch c) { return c < 128 ? jk_digit(c) : Py_UNICODE_ISDIGIT(c); }
static inline int jk_isalnum(jch c) { return c < 128 ? jk_ascii_alnum(c) : Py_UNICODE_ISALNUM(c); }

/* Does s[i..] start with the ASCII/Unicode literal w (length wn)? */
static inline int jk_at(const jch *s, Py_ssize_t n, Py_ssize_t i, const jch *w, Py_ssize_t wn) {
    if (i < 0 || i + wn > n) return 0;
    for (Py_ssize_t k = 0; k < wn; k++) if (s[i + k] != w[k]) return 0;
    return 1;
}

/* ---- context words (keywords.py): one call per candidate ---- */
#define JK_WINDOW 30
/* The context window around [start, end), clamped to the record ("\0"-separated) it sits in,
 * as context.window(text, start, end, before, after): its left end, and its right end. */
Py_ssize_t jk_window_lo(const jch *s, Py_ssize_t start, Py_ssize_t before);
Py_ssize_t jk_window_hi(const jch *s, Py_ssize_t n, Py_ssize_t end, Py_ssize_t after);
/* keywords.context_types on one part of a window, s[lo:hi]: bit t set for each type t with a
 * keyword there (bit JK_NEGATIVE for a reference-number label); *last the bits of the last
 * keyword found (left unchanged when none is). */
uint32_t jk_context_part(const jch *s, Py_ssize_t lo, Py_ssize_t hi, uint32_t *last);

/* While one text is scanned (between begin and end, same s), jk_context_part remembers the
 * keyword found at each position; without it (or when its allocation fails) it walks as before.
 * The results are the same either way. */
void jk_context_memo_begin(const jch *s, Py_ssize_t n);
void jk_context_memo_end(void);

/* The context of one candidate, as patterns._Ctx, computed lazily and by halves:
 * keywords.context_types is the union of the types found before the candidate and after it,
 * with the negative label read from the last keyword before it. So has(t) is answered by the
 * part before as soon as t is found there (keywords mostly precede their value), and the part
 * after is scanned only when still needed; the answers are those of the whole window. */
typedef struct {
    const jch *s;
    Py_ssize_t n, start, end;
    int done;       /* bit 0: the part before is scanned, bit 1: the part after */
    uint32_t types; /* the types found so far, JK_NEGATIVE left out */
    int negative;   /* the last keyword before the candidate labels a reference number */
} jk_ctx;
static inline void jk_ctx_init(jk_ctx *c, const jch *s, Py_ssize_t n, Py_ssize_t start, Py_ssize_t end) {
    c->s = s; c->n = n; c->start = start; c->end = end; c->done = 0; c->types = 0; c->negative = 0;
}
static inline void jk_ctx_before(jk_ctx *c) {
    if (c->done & 1) return;
    uint32_t last = 0;
    Py_ssize_t lo = jk_window_lo(c->s, c->start, JK_WINDOW);
    c->types |= jk_context_part(c->s, lo, c->start, &last) & ~(1u << JK_NEGATIVE);
    c->negative = (int)((last >> JK_NEGATIVE) & 1);
    c->done |= 1;
}
static inline void jk_ctx_after(jk_ctx *c) {
    if (c->done & 2) return;
    uint32_t ignore = 0;
    Py_ssize_t hi = jk_window_hi(c->s, c->n, c->end, JK_WINDOW / 3);
    c->types |= jk_context_part(c->s, c->end, hi, &ignore) & ~(1u << JK_NEGATIVE);
    c->done |= 2;
}
static inline int jk_ctx_has(jk_ctx *c, int type) {
    jk_ctx_before(c);
    if ((c->types >> type) & 1) return 1;
    jk_ctx_after(c);
    return (int)((c->types >> type) & 1);
}
static inline int jk_ctx_negative(jk_ctx *c) {
    jk_ctx_before(c);
    return c->negative;
}

/* ---- the recognizers: each appends its raw findings for text s[0..n) ---- */
int jk_find_structured(const jch *s, Py_ssize_t n, jk_finds *out); /* patterns.find_structured */
int jk_find_persons(const jch *s, Py_ssize_t n, jk_finds *out);    /* names.find_persons */
int jk_find_addresses(const jch *s, Py_ssize_t n, jk_finds *out);  /* addresses.find_addresses */

/* configure hooks: each reads its tables from a dict that Python builds (the data stays in one
 * place, the Python modules). 0 ok, -1 with an exception set. */
int jk_configure_context(PyObject *cfg);
int jk_configure_structured(PyObject *cfg);
int jk_configure_persons(PyObject *cfg);
int jk_configure_addresses(PyObject *cfg);

/* helpers for configure: borrowed item of a dict by name, with a clear error when missing */
PyObject *jk_cfg_item(PyObject *cfg, const char *key);
/* The characters of cfg[key] (a str, or an iterable of str) as a set; *dst is left as it was
 * when the key is missing or holds something else. 0 ok, -1 with an exception set. */
int jk_cfg_cset(PyObject *cfg, const char *key, jk_cset *dst);

#endif
