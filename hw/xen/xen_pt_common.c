/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Helpers both passthrough paths share.
 */
#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/timer.h"
#include "xen_pt_common.h"

void xpt_log_guest_error(int64_t *last_ms, const char *who,
                         const char *fmt, ...)
{
    int64_t now = qemu_clock_get_ms(QEMU_CLOCK_REALTIME);
    g_autofree char *msg = NULL;
    va_list ap;

    if (now - *last_ms < 1000) {
        return;
    }
    *last_ms = now;
    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    qemu_log_mask(LOG_GUEST_ERROR, "%s: %s\n", who, msg);
}
