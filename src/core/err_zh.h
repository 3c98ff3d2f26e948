/* The Chinese messages of the error table (private to err.c; see err.h and err_zh.c). */
#ifndef FO_CORE_ERR_ZH_H
#define FO_CORE_ERR_ZH_H

#include "core/err.h"

/* The Simplified Chinese message of `err`, a value of FO_ERR_TABLE (asserted); never NULL. */
const char *fo_err_zh_message(enum fo_err err);

#endif
