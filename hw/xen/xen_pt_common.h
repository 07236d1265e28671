/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Helpers both passthrough paths (xen-pci-passthrough, xen-pciback-pv)
 * share.
 */
#ifndef HW_XEN_XEN_PT_COMMON_H
#define HW_XEN_XEN_PT_COMMON_H

/*
 * LOG_GUEST_ERROR "@who: message", at most once a second per @last_ms:
 * the guest is hostile and must not flood the log.
 */
void G_GNUC_PRINTF(3, 4) xpt_log_guest_error(int64_t *last_ms,
                                             const char *who,
                                             const char *fmt, ...);

#endif
