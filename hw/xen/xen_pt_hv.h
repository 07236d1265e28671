/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Xen PCI passthrough, hypervisor side: every hypercall a passed-through
 * function needs, behind one ops table.  The real table calls libxenctrl;
 * the recording one (used when QEMU does not run on Xen, e.g. under the
 * qtest accelerator) only logs, so tests can assert exactly which
 * hypercalls a guest action caused.
 */
#ifndef HW_XEN_XEN_PT_HV_H
#define HW_XEN_XEN_PT_HV_H

typedef struct XptHv XptHv;

typedef struct XptHvOps {
    int (*map_pirq_gsi)(XptHv *hv, int gsi, int *pirq);
    /*
     * @entry: MSI-X table index, or the MSI vector count (MSI).
     * @pirq: in, the pirq wanted (-1: any); out, the pirq mapped.
     */
    int (*map_pirq_msi)(XptHv *hv, uint8_t bus, uint8_t devfn, int entry,
                        uint64_t table_base, int *pirq);
    int (*unmap_pirq)(XptHv *hv, int pirq);
    int (*bind_msi)(XptHv *hv, uint32_t gvec, int pirq, uint32_t gflags,
                    uint64_t gtable);
    int (*unbind_msi)(XptHv *hv, uint32_t gvec, int pirq, uint32_t gflags);
    int (*bind_intx)(XptHv *hv, int pirq, uint8_t bus, uint8_t dev,
                     uint8_t intx);
    int (*unbind_intx)(XptHv *hv, int pirq, uint8_t bus, uint8_t dev,
                       uint8_t intx);
    int (*map_mmio)(XptHv *hv, uint64_t gfn, uint64_t mfn, uint64_t nr,
                    bool add);
    int (*map_ioport)(XptHv *hv, uint32_t gport, uint32_t mport, uint32_t nr,
                      bool add);
    int (*irq_permission)(XptHv *hv, int pirq, bool allow);
    int (*iomem_permission)(XptHv *hv, uint64_t mfn, uint64_t nr, bool allow);
    int (*ioport_permission)(XptHv *hv, uint32_t port, uint32_t nr,
                             bool allow);
    /* IOMMU assignment of host function @sbdf to the domain. */
    int (*assign_device)(XptHv *hv, uint32_t sbdf, bool assign);
} XptHvOps;

struct XptHv {
    const XptHvOps *ops;
    uint32_t domid;
    GString *log;        /* recording ops: one line per hypercall */
    int next_pirq;       /* recording ops: pirqs handed out */
    uint64_t fail_mask;  /* recording ops: 1 << op makes that op fail */
};

/* Ops indexes for XptHv.fail_mask. */
enum {
    XPT_HV_MAP_PIRQ_GSI, XPT_HV_MAP_PIRQ_MSI, XPT_HV_UNMAP_PIRQ,
    XPT_HV_BIND_MSI, XPT_HV_UNBIND_MSI, XPT_HV_BIND_INTX,
    XPT_HV_UNBIND_INTX, XPT_HV_MAP_MMIO, XPT_HV_MAP_IOPORT,
    XPT_HV_IRQ_PERM, XPT_HV_IOMEM_PERM, XPT_HV_IOPORT_PERM,
    XPT_HV_ASSIGN,
};

/* Xen's hypercalls when running on Xen, the recorder otherwise. */
void xpt_hv_init(XptHv *hv, uint32_t domid);
void xpt_hv_init_recording(XptHv *hv);
void xpt_hv_cleanup(XptHv *hv);

/* gflags for xc_domain_update_msi_irq from a guest MSI address and data. */
uint32_t xpt_msi_gflags(uint64_t addr, uint32_t data, bool unmasked);

#endif
