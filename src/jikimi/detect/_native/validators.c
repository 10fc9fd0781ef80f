/* validators.c: check digits and calendar checks (jikimi/detect/validators.py). */
#include "structured.h"

static const int DAYS[13] = {0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

int jk_valid_date(long year, long month, long day) {
    if (!(1 <= month && month <= 12 && 1 <= day && 1 <= year && year <= 9999)) return 0;
    if (month == 2 && day == 29) return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    return day <= DAYS[month];
}
