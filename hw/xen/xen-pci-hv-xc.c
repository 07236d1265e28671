/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Xen PCI passthrough, hypervisor side: libxenctrl and recording ops.
 */
#include "qemu/osdep.h"
#include "hw/xen/xen_native.h"
#include "hw/xen/xen.h"
#include "pci-func/xen-pci-hv.h"
#include "trace.h"

/* Ask Xen to pick the pirq. */
#define XPT_AUTO_PIRQ (-1)

uint32_t xen_pci_msi_gflags(uint64_t addr, uint32_t data, bool unmasked)
{
    uint32_t dest = (addr >> 12) & 0xff;
    uint32_t rh = (addr >> 3) & 1, dm = (addr >> 2) & 1;
    uint32_t deliv = (data >> 8) & 7, trig = (data >> 15) & 1;

    return (dest & XEN_DOMCTL_VMSI_X86_DEST_ID_MASK) |
           (rh ? XEN_DOMCTL_VMSI_X86_RH_MASK : 0) |
           (dm ? XEN_DOMCTL_VMSI_X86_DM_MASK : 0) |
           ((deliv << 12) & XEN_DOMCTL_VMSI_X86_DELIV_MASK) |
           (trig ? XEN_DOMCTL_VMSI_X86_TRIG_MASK : 0) |
           (unmasked ? XEN_DOMCTL_VMSI_X86_UNMASKED : 0);
}

/* ---- libxenctrl ---- */

static int xc_map_pirq_gsi(XenPciHv *hv, int gsi, int *pirq)
{
    *pirq = gsi;
    return xc_physdev_map_pirq(xen_xc, hv->domid, gsi, pirq);
}

static int xc_map_pirq_msi(XenPciHv *hv, uint8_t bus, uint8_t devfn, int entry,
                           uint64_t table_base, int *pirq)
{
    return xc_physdev_map_pirq_msi(xen_xc, hv->domid, XPT_AUTO_PIRQ, pirq,
                                   devfn, bus, entry, table_base);
}

static int xc_unmap_pirq(XenPciHv *hv, int pirq)
{
    return xc_physdev_unmap_pirq(xen_xc, hv->domid, pirq);
}

static int xc_bind_msi(XenPciHv *hv, uint32_t gvec, int pirq, uint32_t gflags,
                       uint64_t gtable)
{
    return xc_domain_update_msi_irq(xen_xc, hv->domid, gvec, pirq, gflags,
                                    gtable);
}

static int xc_unbind_msi(XenPciHv *hv, uint32_t gvec, int pirq, uint32_t gflags)
{
    return xc_domain_unbind_msi_irq(xen_xc, hv->domid, gvec, pirq, gflags);
}

static int xc_bind_intx(XenPciHv *hv, int pirq, uint8_t bus, uint8_t dev,
                        uint8_t intx)
{
    return xc_domain_bind_pt_pci_irq(xen_xc, hv->domid, pirq, bus, dev, intx);
}

static int xc_unbind_intx(XenPciHv *hv, int pirq, uint8_t bus, uint8_t dev,
                          uint8_t intx)
{
    return xc_domain_unbind_pt_irq(xen_xc, hv->domid, pirq, PT_IRQ_TYPE_PCI,
                                   bus, dev, intx, 0);
}

static int xc_map_mmio(XenPciHv *hv, uint64_t gfn, uint64_t mfn, uint64_t nr,
                       bool add)
{
    return xc_domain_memory_mapping(xen_xc, hv->domid, gfn, mfn, nr,
                                    add ? DPCI_ADD_MAPPING
                                        : DPCI_REMOVE_MAPPING);
}

static int xc_map_ioport(XenPciHv *hv, uint32_t gport, uint32_t mport,
                         uint32_t nr, bool add)
{
    return xc_domain_ioport_mapping(xen_xc, hv->domid, gport, mport, nr,
                                    add ? DPCI_ADD_MAPPING
                                        : DPCI_REMOVE_MAPPING);
}

static int xc_irq_perm(XenPciHv *hv, int pirq, bool allow)
{
    return xc_domain_irq_permission(xen_xc, hv->domid, pirq, allow);
}

static int xc_iomem_perm(XenPciHv *hv, uint64_t mfn, uint64_t nr, bool allow)
{
    return xc_domain_iomem_permission(xen_xc, hv->domid, mfn, nr, allow);
}

static int xc_ioport_perm(XenPciHv *hv, uint32_t port, uint32_t nr, bool allow)
{
    return xc_domain_ioport_permission(xen_xc, hv->domid, port, nr, allow);
}

static int xc_assign(XenPciHv *hv, uint32_t sbdf, bool assign)
{
    return assign ? xc_assign_device(xen_xc, hv->domid, sbdf,
                                     XEN_DOMCTL_DEV_RDM_RELAXED)
                  : xc_deassign_device(xen_xc, hv->domid, sbdf);
}

static const XenPciHvOps xen_pci_hv_xc_ops = {
    .map_pirq_gsi = xc_map_pirq_gsi,
    .map_pirq_msi = xc_map_pirq_msi,
    .unmap_pirq = xc_unmap_pirq,
    .bind_msi = xc_bind_msi,
    .unbind_msi = xc_unbind_msi,
    .bind_intx = xc_bind_intx,
    .unbind_intx = xc_unbind_intx,
    .map_mmio = xc_map_mmio,
    .map_ioport = xc_map_ioport,
    .irq_permission = xc_irq_perm,
    .iomem_permission = xc_iomem_perm,
    .ioport_permission = xc_ioport_perm,
    .assign_device = xc_assign,
};

void xen_pci_hv_init(XenPciHv *hv, uint32_t domid)
{
    *hv = (XenPciHv) { .ops = &xen_pci_hv_xc_ops, .domid = domid };
}

