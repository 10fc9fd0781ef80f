/* validators.c: check digits and calendar checks (jikimi/detect/validators.py). Same rules, same
 * order of tests; the section numbers refer to shared/reference/korean-identifiers.md. */
#include "structured.h"
#include "validators.h"
#include <time.h>

static const int DAYS[13] = {0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

int jk_valid_date(long year, long month, long day) {
    if (!(1 <= month && month <= 12 && 1 <= day && 1 <= year && year <= 9999)) return 0;
    if (month == 2 && day == 29) return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    return day <= DAYS[month];
}

/* ---- today (validators._today_tuple) ----
 * Python keys its cache on int(time.time() // 3600) and then asks date.today(), which is
 * localtime() of time.time() (localtime_r on POSIX, localtime_s on Windows). Same here, with
 * the same one-hour key, so both sides see the same date for the same hour. */
static long long today_key = -1;
static int today_y, today_m, today_d;

void jk_today(int *year, int *month, int *day) {
    time_t now = time(NULL);
    long long key = (long long)now >= 0 ? (long long)now / 3600 : -(((-(long long)now) + 3599) / 3600);
    if (key != today_key) {
        struct tm tm;
        memset(&tm, 0, sizeof tm);
#ifdef _WIN32
        localtime_s(&tm, &now);
#else
        localtime_r(&now, &tm);
#endif
        today_key = key;
        today_y = tm.tm_year + 1900;
        today_m = tm.tm_mon + 1;
        today_d = tm.tm_mday;
    }
    *year = today_y; *month = today_m; *day = today_d;
}

/* ---- helpers ---- */
static int all_digits(const char *d, int n) {
    for (int i = 0; i < n; i++) if (d[i] < '0' || d[i] > '9') return 0;
    return 1;
}
static inline int dv(char c) { return c - '0'; }
static int num(const char *d, int n) { /* int(d[:n]) for a few digits */
    int v = 0;
    for (int i = 0; i < n; i++) v = v * 10 + dv(d[i]);
    return v;
}

/* century of the 7th digit G [§1, §2] (_CENTURY) */
static const int CENTURY[10] = {1800, 1900, 1900, 2000, 2000, 1900, 1900, 2000, 2000, 1800};

/* validators._birth_ymd; 0 when the date is impossible */
static int birth_ymd(const char *d, int *y, int *m, int *day) {
    *y = CENTURY[dv(d[6])] + num(d, 2);
    *m = num(d + 2, 2);
    *day = num(d + 4, 2);
    return jk_valid_date(*y, *m, *day);
}

static int ymd_cmp(int y1, int m1, int d1, int y2, int m2, int d2) {
    if (y1 != y2) return y1 < y2 ? -1 : 1;
    if (m1 != m2) return m1 < m2 ? -1 : 1;
    if (d1 != d2) return d1 < d2 ? -1 : 1;
    return 0;
}

/* validators._not_future (today from the clock) */
static int not_future(int y, int m, int d) {
    int ty, tm, td;
    jk_today(&ty, &tm, &td);
    return ymd_cmp(y, m, d, ty, tm, td) <= 0;
}

static int weighted(const char *d) { /* validators._weighted */
    return 2 * dv(d[0]) + 3 * dv(d[1]) + 4 * dv(d[2]) + 5 * dv(d[3]) + 6 * dv(d[4]) + 7 * dv(d[5])
         + 8 * dv(d[6]) + 9 * dv(d[7]) + 2 * dv(d[8]) + 3 * dv(d[9]) + 4 * dv(d[10]) + 5 * dv(d[11]);
}
static int rrn_check_digit(const char *d) { return (11 - weighted(d) % 11) % 10; }
static int frn_check_digit(const char *d) { return (13 - weighted(d) % 11) % 10; }

/* ---- RRN / FRN [§1, §2] ---- */
int jk_rrn_kind(const char *d) {
    if (!all_digits(d, 13) || !strchr("012349", d[6])) return JK_RRN_NONE;
    int y, m, day;
    if (!birth_ymd(d, &y, &m, &day) || !not_future(y, m, day)) return JK_RRN_NONE;
    if (rrn_check_digit(d) == dv(d[12]) && num(d + 7, 2) <= 95) return JK_RRN_CHECKSUM;
    if (ymd_cmp(y, m, day, 2020, 10, 5) >= 0 && (d[6] == '3' || d[6] == '4')) return JK_RRN_RANDOM_ERA;
    return JK_RRN_FORMAT;
}

int jk_frn_kind(const char *d) {
    if (!all_digits(d, 13) || !strchr("5678", d[6])) return JK_FRN_NONE;
    int y, m, day;
    if (!birth_ymd(d, &y, &m, &day) || !not_future(y, m, day)) return JK_FRN_NONE;
    int check = dv(d[12]);
    int legacy_ok = num(d + 7, 2) % 2 == 0 && d[11] >= '6' && d[11] <= '9' && frn_check_digit(d) == check;
    if (legacy_ok || rrn_check_digit(d) == check) return JK_FRN_CHECKSUM;
    return JK_FRN_FORMAT;
}

/* ---- BRN [§3], CRN [§4] ---- */
static const int BRN_WEIGHTS[9] = {1, 3, 7, 1, 3, 7, 1, 3, 5};

int jk_brn_valid(const char *d, int n) {
    if (n != 10 || !all_digits(d, 10)) return 0;
    if (num(d, 3) < 101) return 0;
    if (d[3] == '0' && d[4] == '0') return 0;
    if (d[5] == '0' && d[6] == '0' && d[7] == '0' && d[8] == '0') return 0;
    int total = 0;
    for (int i = 0; i < 9; i++) total += dv(d[i]) * BRN_WEIGHTS[i];
    total += dv(d[8]) * 5 / 10;
    return (10 - total % 10) % 10 == dv(d[9]);
}

int jk_crn_valid(const char *d, int n) {
    if (n != 13 || !all_digits(d, 13)) return 0;
    int total = 0;
    for (int i = 0; i < 12; i++) total += (i % 2 ? 2 : 1) * dv(d[i]);
    return (10 - total % 10) % 10 == dv(d[12]);
}

/* ---- cards [§10] ---- */
int jk_luhn_ok(const char *d, int n) {
    if (n <= 0 || !all_digits(d, n)) return 0; /* "".isdigit() is False */
    int total = 0;
    for (int i = 0; i < n; i++) {
        int x = dv(d[n - 1 - i]);
        if (i % 2 == 1) { x *= 2; if (x > 9) x -= 9; }
        total += x;
    }
    return total % 10 == 0;
}

int jk_card_brand(const char *d, int n) {
    int two = num(d, n < 2 ? n : 2), four = num(d, n < 4 ? n : 4), three = num(d, n < 3 ? n : 3);
    if (d[0] == '4' && (n == 13 || n == 16 || n == 19)) return JK_BRAND_VISA;
    if (((51 <= two && two <= 55) || (2221 <= four && four <= 2720)) && n == 16) return JK_BRAND_MASTERCARD;
    if ((two == 34 || two == 37) && n == 15) return JK_BRAND_AMEX;
    if (3528 <= four && four <= 3589 && n == 16) return JK_BRAND_JCB;
    if (two == 62 && 16 <= n && n <= 19) return JK_BRAND_UNIONPAY;
    if ((two == 36 && n == 14) || (300 <= three && three <= 305 && n == 14)) return JK_BRAND_DINERS;
    if (d[0] == '9' && n == 16) return JK_BRAND_KR_DOMESTIC;
    if ((n >= 4 && d[0] == '6' && d[1] == '0' && d[2] == '1' && d[3] == '1') || two == 65) {
        if (n == 16) return JK_BRAND_DISCOVER;
    }
    return JK_BRAND_NONE;
}
