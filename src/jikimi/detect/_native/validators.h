/* validators.h: check digits and calendar checks (jikimi/detect/validators.py) in C.
 *
 * Each function takes ASCII digits ('0'-'9', separators removed) as a char array, as the
 * Python functions take a digit string; a non-digit character makes the answer "not valid". */
#ifndef JK_VALIDATORS_H
#define JK_VALIDATORS_H

/* validators.valid_date */
int jk_valid_date(long year, long month, long day);

/* validators._today_tuple: today's local date, recomputed once per hour of time.time() as the
 * Python function does (a birth date after today is not a birth date). */
void jk_today(int *year, int *month, int *day);

/* validators.rrn_kind on 13 digits */
enum { JK_RRN_NONE, JK_RRN_CHECKSUM, JK_RRN_RANDOM_ERA, JK_RRN_FORMAT };
int jk_rrn_kind(const char *d13);

/* validators.frn_kind on 13 digits */
enum { JK_FRN_NONE, JK_FRN_CHECKSUM, JK_FRN_FORMAT };
int jk_frn_kind(const char *d13);

/* validators.crn_valid / brn_valid / luhn_ok */
int jk_crn_valid(const char *d, int n);
int jk_brn_valid(const char *d, int n);
int jk_luhn_ok(const char *d, int n);

/* validators.card_brand: JK_BRAND_NONE when no card scheme uses the range */
enum {
    JK_BRAND_NONE, JK_BRAND_VISA, JK_BRAND_MASTERCARD, JK_BRAND_AMEX, JK_BRAND_JCB,
    JK_BRAND_UNIONPAY, JK_BRAND_DINERS, JK_BRAND_KR_DOMESTIC, JK_BRAND_DISCOVER
};
int jk_card_brand(const char *d, int n);

#endif
