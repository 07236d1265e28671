/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * What a domain is granted for one host PCI function when no toolstack does
 * it (libxl does it for HVM guests and for PV guests of the kernel's
 * xen-pciback): libxl's record that the function is in use, the IOMMU
 * assignment, access to the BARs' memory and I/O
 * ports, and the function's GSI as a pirq the domain may use.
 *
 * Every step that succeeded is recorded; revoking undoes exactly those
 * steps, in reverse order, also after a grant that failed half way.  A GSI
 * is one pirq of the domain however many of its functions share it: the
 * pirq is mapped and allowed by the first grant for that GSI and unmapped
 * by the last revoke (unmapping it earlier takes INTx from the functions
 * still there).  Plain C on glib, no QEMU header.
 */
#ifndef HW_XEN_XEN_PCI_GRANT_H
#define HW_XEN_XEN_PCI_GRANT_H

#include "hw/xen/xen-pci-filter.h"
#include "xen-pci-hv.h"

/* The host function, as granting needs it. */
typedef struct XenPciGrantTarget {
    const char *name;            /* "DDDD:BB:DD.F", for errors */
    uint32_t sbdf;
    const XpfBar *bars;          /* BARs 0-5, [XPF_ROM_SLOT] the ROM */
    int gsi;                     /* 0: no INTx */
} XenPciGrantTarget;

/* The steps done, so that exactly those are undone. */
typedef struct XenPciGrants {
    bool claimed;                /* the toolstack's in-use record */
    bool assigned;
    uint8_t bars;                /* bit i: access to bars[i] allowed */
    int pirq;                    /* the GSI mapped for the domain, -1: none */
    bool irq_allowed;
    bool gsi_user;               /* counted among the GSI's users */
} XenPciGrants;

#define XEN_PCI_GRANTS_NONE ((XenPciGrants) { .pirq = -1 })

/*
 * Grant everything or nothing: on failure every step done is undone and
 * @errp names the step that failed.
 */
bool xen_pci_grant(XenPciHv *hv, const XenPciGrantTarget *t,
                   XenPciGrants *g, GError **errp);
/* Undo the steps @g records; @g is left as XEN_PCI_GRANTS_NONE. */
void xen_pci_revoke(XenPciHv *hv, const XenPciGrantTarget *t,
                    XenPciGrants *g);

#define XEN_PCI_GRANT_ERROR xen_pci_grant_error_quark()
GQuark xen_pci_grant_error_quark(void);

#endif
