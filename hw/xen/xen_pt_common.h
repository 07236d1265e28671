/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Helpers both passthrough paths (xen-pci-passthrough, xen-pciback-pv)
 * share.
 */
#ifndef HW_XEN_XEN_PT_COMMON_H
#define HW_XEN_XEN_PT_COMMON_H

#include "hw/xen/xen-pci-filter.h"

/* Room for a device's name in its guest-error messages. */
#define XPT_LOG_NAME_LEN 48

/*
 * LOG_GUEST_ERROR "@who: message", at most once a second per @last_ms:
 * the guest is hostile and must not flood the log.  Nothing is formatted
 * when the message is suppressed.
 */
void G_GNUC_PRINTF(3, 0) xpt_log_guest_errorv(int64_t *last_ms,
                                              const char *who,
                                              const char *fmt, va_list ap);

/*
 * Replace the quirks @old_list of @d by @new_list ("OFF:SIZE:MASK", ','
 * or ';' between them, hexadecimal).  All or nothing: on failure @d keeps
 * @old_list and @errp says which quirk was refused.
 */
bool xpt_quirks_replace(XpfDevice *d, const char *old_list,
                        const char *new_list, Error **errp);

#endif
