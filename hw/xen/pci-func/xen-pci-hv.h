/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The hypervisor side of a passed-through PCI function: every hypercall
 * either path needs, behind one ops table.  The real table calls
 * libxenctrl (xen-pci-hv-xc.c, QEMU only); the recording one
 * (xen-pci-hv-record.c, plain C) only logs, so tests can assert exactly
 * which hypercalls an action caused.
 */
#ifndef HW_XEN_XEN_PCI_HV_H
#define HW_XEN_XEN_PCI_HV_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

typedef struct XenPciHv XenPciHv;

typedef struct XenPciHvOps {
    int (*map_pirq_gsi)(XenPciHv *hv, int gsi, int *pirq);
    /*
     * @entry: MSI-X table index, or the MSI vector count (MSI).
     * @pirq: in, the pirq wanted (-1: any); out, the pirq mapped.
     */
    int (*map_pirq_msi)(XenPciHv *hv, uint8_t bus, uint8_t devfn, int entry,
                        uint64_t table_base, int *pirq);
    int (*unmap_pirq)(XenPciHv *hv, int pirq);
    int (*bind_msi)(XenPciHv *hv, uint32_t gvec, int pirq, uint32_t gflags,
                    uint64_t gtable);
    int (*unbind_msi)(XenPciHv *hv, uint32_t gvec, int pirq, uint32_t gflags);
    int (*bind_intx)(XenPciHv *hv, int pirq, uint8_t bus, uint8_t dev,
                     uint8_t intx);
    int (*unbind_intx)(XenPciHv *hv, int pirq, uint8_t bus, uint8_t dev,
                       uint8_t intx);
    int (*map_mmio)(XenPciHv *hv, uint64_t gfn, uint64_t mfn, uint64_t nr,
                    bool add);
    int (*map_ioport)(XenPciHv *hv, uint32_t gport, uint32_t mport, uint32_t nr,
                      bool add);
    int (*irq_permission)(XenPciHv *hv, int pirq, bool allow);
    int (*iomem_permission)(XenPciHv *hv, uint64_t mfn, uint64_t nr,
                            bool allow);
    int (*ioport_permission)(XenPciHv *hv, uint32_t port, uint32_t nr,
                             bool allow);
    /* IOMMU assignment of host function @sbdf to the domain. */
    int (*assign_device)(XenPciHv *hv, uint32_t sbdf, bool assign);
    /*
     * The toolstack's record that @sbdf is in use by the domain (libxl's
     * xenstore /libxl/pci/<bdf>/domid), which keeps xl from offering it
     * (pci-assignable-list) or passing it to a guest (pci-attach).
     * Claiming returns -EBUSY with *@holder set while a domain other than
     * ours that still exists holds it (a record left by a domain that is
     * gone is taken over); releasing removes our own record only.
     */
    int (*claim)(XenPciHv *hv, uint32_t sbdf, bool claim, uint32_t *holder);
} XenPciHvOps;

struct XenPciHv {
    const XenPciHvOps *ops;
    uint32_t domid;
    GString *log;        /* recording ops: one line per hypercall */
    int next_pirq;       /* recording ops: pirqs handed out */
    uint64_t fail_mask;  /* 1 << op makes that op fail (tests) */
    const uint64_t *fail_live; /* more such bits, set at run time (x-hv-fail) */
    uint32_t holder;     /* recording ops: a claim fails, held by this domid */
};

/* Ops indexes for XenPciHv.fail_mask. */
enum {
    XEN_PCI_HV_MAP_PIRQ_GSI, XEN_PCI_HV_MAP_PIRQ_MSI, XEN_PCI_HV_UNMAP_PIRQ,
    XEN_PCI_HV_BIND_MSI, XEN_PCI_HV_UNBIND_MSI, XEN_PCI_HV_BIND_INTX,
    XEN_PCI_HV_UNBIND_INTX, XEN_PCI_HV_MAP_MMIO, XEN_PCI_HV_MAP_IOPORT,
    XEN_PCI_HV_IRQ_PERM, XEN_PCI_HV_IOMEM_PERM, XEN_PCI_HV_IOPORT_PERM,
    XEN_PCI_HV_ASSIGN, XEN_PCI_HV_CLAIM,
};

/* Op @op is to fail (x-hv-fail, or fail_mask in unit tests). */
static inline bool xen_pci_hv_fails(const XenPciHv *hv, unsigned op)
{
    uint64_t mask = hv->fail_mask | (hv->fail_live ? *hv->fail_live : 0);

    return mask & (1ull << op);
}

/* Xen's hypercalls when running on Xen, the recorder otherwise. */
void xen_pci_hv_init(XenPciHv *hv, uint32_t domid);
void xen_pci_hv_init_recording(XenPciHv *hv);
void xen_pci_hv_cleanup(XenPciHv *hv);

#endif
