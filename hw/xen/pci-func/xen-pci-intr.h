/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * A passed-through function's interrupts through Xen, for both guest
 * transports: INTx (dom0's GSI mapped to a pirq and, for an HVM guest,
 * bound to its virtual pin), MSI and MSI-X (pirqs mapped for the function,
 * bound to an HVM guest's vectors, or handed to a PV guest that binds them
 * itself), and the host function's MSI/MSI-X enable.
 *
 * One error policy: when a step fails, every step already done for that
 * interrupt is undone (unbound, unmapped, the host's enable cleared), the
 * engine's view for the guest shows it off (MSI Enable or MSI-X Enable
 * clear; an MSI-X entry that could not be set up is the caller's to show
 * masked), and @errp says which step failed.  A failed undo is reported
 * and the pirq forgotten (nothing more can be done with it).
 *
 * This module is the one owner of the engine's host-interrupt state (what
 * is on in the host, for the one-interrupt-type rule).  Plain C on glib,
 * no QEMU header; hypercalls go through XenPciHv.
 */
#ifndef HW_XEN_PCI_FUNC_XEN_PCI_INTR_H
#define HW_XEN_PCI_FUNC_XEN_PCI_INTR_H

#include "hw/xen/xen-pci-filter.h"
#include "xen-pci-hv.h"

/* Multiple Message Enable allows at most this many MSI vectors. */
#define XEN_PCI_MSI_MAX_VEC 32

/* The caller's part: the host's MSI and MSI-X control, and messages. */
typedef struct XenPciIntrHostOps {
    /* MSI with @nvec vectors, or off (0); written and read back */
    bool (*msi)(void *opaque, unsigned nvec);
    bool (*msix)(void *opaque, bool enabled, bool masked);
    /* an undo step failed (nothing to return an error to) */
    void (*undo_failed)(void *opaque, const char *what);
} XenPciIntrHostOps;

typedef struct XenPciIntrConfig {
    XenPciHv *hv;
    XpfDevice *xpf;
    const XenPciIntrHostOps *host;
    void *opaque;
    uint8_t bus, devfn;          /* the host function, as Xen names it */
    uint64_t msix_table;         /* host address of the MSI-X table */
    int gsi;                     /* dom0's GSI for INTx, 0: none */
} XenPciIntrConfig;

/* One message vector: its pirq and, for an HVM guest, its binding. */
typedef struct XenPciVec {
    int pirq;                    /* -1: not mapped */
    bool bound;
    uint32_t gvec, gflags;
} XenPciVec;

typedef struct XenPciIntr {
    XenPciIntrConfig c;
    /* INTx */
    int intx_pirq;               /* -1: not mapped */
    bool intx_bound;
    uint8_t intx_bus, intx_dev, intx_pin;
    /* MSI: @msi_nvec vectors from pirq msi[0].pirq on */
    unsigned msi_nvec;
    XenPciVec msi[XEN_PCI_MSI_MAX_VEC];
    /* MSI-X: one per table entry */
    unsigned msix_size;
    XenPciVec *msix;
} XenPciIntr;

/* An HVM guest's message: address and data as written. */
typedef struct XenPciMsg {
    uint64_t addr;
    uint32_t data;
    bool masked;
} XenPciMsg;

void xen_pci_intr_init(XenPciIntr *in, const XenPciIntrConfig *c);
/* Undo everything: MSI-X, MSI, INTx, in that order. */
void xen_pci_intr_cleanup(XenPciIntr *in);

/*
 * INTx: map dom0's GSI to a pirq and bind it to the HVM guest's virtual
 * @pin (0-3: INTA-INTD) of device @dev on @bus.  Nothing to do without a
 * GSI (true).
 */
bool xen_pci_intr_intx_bind(XenPciIntr *in, uint8_t bus, uint8_t dev,
                            uint8_t pin, GError **errp);
void xen_pci_intr_intx_unbind(XenPciIntr *in);

/*
 * MSI for a PV guest: @nvec vectors mapped (consecutive pirqs from
 * *@pirq) and enabled in the host.
 */
bool xen_pci_intr_msi_enable(XenPciIntr *in, unsigned nvec, int *pirq,
                             GError **errp);
/*
 * MSI for an HVM guest: the host and Xen follow the guest's MSI state as
 * the engine holds it (enabled with how many vectors, address, data).
 * Returns false when it failed (see the error policy).
 */
bool xen_pci_intr_msi_sync(XenPciIntr *in, GError **errp);
void xen_pci_intr_msi_disable(XenPciIntr *in);

/*
 * MSI-X for a PV guest: the @n table entries @entries mapped, pirqs in
 * @pirqs, and MSI-X enabled in the host with the function mask clear.
 */
bool xen_pci_intr_msix_enable(XenPciIntr *in, const uint16_t *entries,
                              unsigned n, int *pirqs, GError **errp);
void xen_pci_intr_msix_disable(XenPciIntr *in);
/*
 * MSI-X for an HVM guest: the host's MSI-X enable and function mask as
 * the engine holds the guest's; off also releases every entry.
 */
bool xen_pci_intr_msix_control(XenPciIntr *in, GError **errp);
/*
 * Entry @i as the guest wrote it (@gtable: the table's guest address for
 * Xen's mask emulation, 0 while unmapped).  A masked entry not yet mapped
 * stays unmapped; a failure releases the entry.
 */
bool xen_pci_intr_msix_entry(XenPciIntr *in, unsigned i, const XenPciMsg *m,
                             uint64_t gtable, GError **errp);
/* Bind entry @i again wherever it is bound (the table moved). */
bool xen_pci_intr_msix_rebind(XenPciIntr *in, unsigned i, uint64_t gtable,
                              GError **errp);
void xen_pci_intr_msix_release(XenPciIntr *in, unsigned i);

/* gflags for Xen's vMSI binding from a guest's MSI address and data. */
uint32_t xen_pci_msi_gflags(uint64_t addr, uint32_t data, bool unmasked);
/*
 * The pirq a Linux guest with Xen's PV extensions asks for in an MSI
 * message (vector 0, the pirq in the destination ID fields), -1 if it
 * asks for a vector.
 */
int xen_pci_msi_guest_pirq(uint64_t addr, uint32_t data);

#define XEN_PCI_INTR_ERROR xen_pci_intr_error_quark()
GQuark xen_pci_intr_error_quark(void);

#endif
