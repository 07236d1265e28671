/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The per-function policy an administrator gives dom0's pciback, read back
 * from its driver directory (/sys/bus/pci/drivers/pciback), so that a
 * device model in dom0 starts with the same policy before the guest's
 * first access:
 *   permissive, allow_interrupt_control   one "DDDD:BB:DD.F" line per
 *       function that has it (Linux lists only those; the second file
 *       exists from Linux 5.6);
 *   quirks   per function pciback holds: a line "BB:DD.F" (no segment),
 *       a line of a tab and "VVVV:DDDD:SSSS:SSSS" (vendor, device,
 *       subsystem vendor and device), then one line per config field
 *       pciback handles for it: two tabs and "OOOOOOOO:S:MMMMMMMM" (offset,
 *       size, mask; hexadecimal).  pciback's own fields carry mask 0; a
 *       quirk written as "DDDD:BB:DD.F-OFF:SIZE:MASK" carries its mask, so
 *       the fields with a mask other than 0 are the quirks (one written
 *       with mask 0 cannot be told apart and is not taken).  The listing
 *       is one page at most: Linux cuts it there, in the middle of a line
 *       (then quirks_cut says whether the function's section may be
 *       missing or short).
 * Everything read is host input: checked, and a line that is not in these
 * forms is an error naming the file and the line.
 */
#ifndef HW_XEN_PCI_FUNC_XEN_PCI_PCIBACK_H
#define HW_XEN_PCI_FUNC_XEN_PCI_PCIBACK_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include "hw/xen/xen-pci-addr.h"

/* The texts of pciback's files (NULL: the file does not exist). */
typedef struct XenPcibackFiles {
    const char *permissive;
    const char *allow_interrupt_control;
    const char *quirks;
} XenPcibackFiles;

/* The function's identity in pciback's quirks listing. */
typedef struct XenPcibackIds {
    uint16_t vendor, device, subvendor, subdevice;
} XenPcibackIds;

typedef struct XenPcibackPolicy {
    bool permissive;
    bool allow_interrupt_control;
    char *quirks;        /* "0xOFF:SIZE:0xMASK[,...]" (g_free), NULL: none */
    bool quirks_cut;     /* the listing ends before or in its section */
} XenPcibackPolicy;

/*
 * The policy pciback holds for the function @addr with identity @ids
 * (quirks: the section whose address and identity both match, as the
 * listing has no segment).  False with @errp set on a malformed file.
 */
bool xen_pciback_policy(const XenPcibackFiles *files, const XenPciAddr *addr,
                        const XenPcibackIds *ids, XenPcibackPolicy *out,
                        GError **errp);
void xen_pciback_policy_clear(XenPcibackPolicy *p);

#endif
