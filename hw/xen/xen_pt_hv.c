/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Xen PCI passthrough, hypervisor side: libxenctrl and recording ops.
 */
#include "qemu/osdep.h"
#include "hw/xen/xen_native.h"
#include "hw/xen/xen.h"
#include "xen_pt_hv.h"
#include "trace.h"

/* Ask Xen to pick the pirq. */
#define XPT_AUTO_PIRQ (-1)

uint32_t xpt_msi_gflags(uint64_t addr, uint32_t data, bool unmasked)
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

static int xc_map_pirq_gsi(XptHv *hv, int gsi, int *pirq)
{
    *pirq = gsi;
    return xc_physdev_map_pirq(xen_xc, hv->domid, gsi, pirq);
}

static int xc_map_pirq_msi(XptHv *hv, uint8_t bus, uint8_t devfn, int entry,
                           uint64_t table_base, int *pirq)
{
    return xc_physdev_map_pirq_msi(xen_xc, hv->domid, XPT_AUTO_PIRQ, pirq,
                                   devfn, bus, entry, table_base);
}

static int xc_unmap_pirq(XptHv *hv, int pirq)
{
    return xc_physdev_unmap_pirq(xen_xc, hv->domid, pirq);
}

static int xc_bind_msi(XptHv *hv, uint32_t gvec, int pirq, uint32_t gflags,
                       uint64_t gtable)
{
    return xc_domain_update_msi_irq(xen_xc, hv->domid, gvec, pirq, gflags,
                                    gtable);
}

static int xc_unbind_msi(XptHv *hv, uint32_t gvec, int pirq, uint32_t gflags)
{
    return xc_domain_unbind_msi_irq(xen_xc, hv->domid, gvec, pirq, gflags);
}

static int xc_bind_intx(XptHv *hv, int pirq, uint8_t bus, uint8_t dev,
                        uint8_t intx)
{
    return xc_domain_bind_pt_pci_irq(xen_xc, hv->domid, pirq, bus, dev, intx);
}

static int xc_unbind_intx(XptHv *hv, int pirq, uint8_t bus, uint8_t dev,
                          uint8_t intx)
{
    return xc_domain_unbind_pt_irq(xen_xc, hv->domid, pirq, PT_IRQ_TYPE_PCI,
                                   bus, dev, intx, 0);
}

static int xc_map_mmio(XptHv *hv, uint64_t gfn, uint64_t mfn, uint64_t nr,
                       bool add)
{
    return xc_domain_memory_mapping(xen_xc, hv->domid, gfn, mfn, nr,
                                    add ? DPCI_ADD_MAPPING
                                        : DPCI_REMOVE_MAPPING);
}

static int xc_map_ioport(XptHv *hv, uint32_t gport, uint32_t mport,
                         uint32_t nr, bool add)
{
    return xc_domain_ioport_mapping(xen_xc, hv->domid, gport, mport, nr,
                                    add ? DPCI_ADD_MAPPING
                                        : DPCI_REMOVE_MAPPING);
}

static int xc_irq_perm(XptHv *hv, int pirq, bool allow)
{
    return xc_domain_irq_permission(xen_xc, hv->domid, pirq, allow);
}

static int xc_iomem_perm(XptHv *hv, uint64_t mfn, uint64_t nr, bool allow)
{
    return xc_domain_iomem_permission(xen_xc, hv->domid, mfn, nr, allow);
}

static int xc_ioport_perm(XptHv *hv, uint32_t port, uint32_t nr, bool allow)
{
    return xc_domain_ioport_permission(xen_xc, hv->domid, port, nr, allow);
}

static int xc_assign(XptHv *hv, uint32_t sbdf, bool assign)
{
    return assign ? xc_assign_device(xen_xc, hv->domid, sbdf,
                                     XEN_DOMCTL_DEV_RDM_RELAXED)
                  : xc_deassign_device(xen_xc, hv->domid, sbdf);
}

static const XptHvOps xpt_hv_xc_ops = {
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

/* ---- recording ---- */

static int G_GNUC_PRINTF(3, 4) rec(XptHv *hv, unsigned op,
                                   const char *fmt, ...)
{
    bool fail = hv->fail_mask & (1ull << op);
    va_list ap;

    va_start(ap, fmt);
    g_string_append_vprintf(hv->log, fmt, ap);
    va_end(ap);
    g_string_append(hv->log, fail ? " = -1\n" : "\n");
    return fail ? -1 : 0;
}

static int rec_map_pirq_gsi(XptHv *hv, int gsi, int *pirq)
{
    *pirq = hv->next_pirq++;
    return rec(hv, XPT_HV_MAP_PIRQ_GSI, "map_pirq_gsi gsi=%d pirq=%d", gsi,
               *pirq);
}

static int rec_map_pirq_msi(XptHv *hv, uint8_t bus, uint8_t devfn, int entry,
                            uint64_t table_base, int *pirq)
{
    if (*pirq < 0) {
        *pirq = hv->next_pirq++;
    }
    return rec(hv, XPT_HV_MAP_PIRQ_MSI, "map_pirq_msi bus=%u devfn=0x%x "
               "entry=%d table=0x%" PRIx64 " pirq=%d", bus, devfn, entry,
               table_base, *pirq);
}

static int rec_unmap_pirq(XptHv *hv, int pirq)
{
    return rec(hv, XPT_HV_UNMAP_PIRQ, "unmap_pirq pirq=%d", pirq);
}

static int rec_bind_msi(XptHv *hv, uint32_t gvec, int pirq, uint32_t gflags,
                        uint64_t gtable)
{
    return rec(hv, XPT_HV_BIND_MSI, "bind_msi gvec=0x%x pirq=%d "
               "gflags=0x%x gtable=0x%" PRIx64, gvec, pirq, gflags, gtable);
}

static int rec_unbind_msi(XptHv *hv, uint32_t gvec, int pirq,
                          uint32_t gflags)
{
    return rec(hv, XPT_HV_UNBIND_MSI, "unbind_msi gvec=0x%x pirq=%d "
               "gflags=0x%x", gvec, pirq, gflags);
}

static int rec_bind_intx(XptHv *hv, int pirq, uint8_t bus, uint8_t dev,
                         uint8_t intx)
{
    return rec(hv, XPT_HV_BIND_INTX, "bind_intx pirq=%d bus=%u dev=%u "
               "intx=%u", pirq, bus, dev, intx);
}

static int rec_unbind_intx(XptHv *hv, int pirq, uint8_t bus, uint8_t dev,
                           uint8_t intx)
{
    return rec(hv, XPT_HV_UNBIND_INTX, "unbind_intx pirq=%d bus=%u dev=%u "
               "intx=%u", pirq, bus, dev, intx);
}

static int rec_map_mmio(XptHv *hv, uint64_t gfn, uint64_t mfn, uint64_t nr,
                        bool add)
{
    return rec(hv, XPT_HV_MAP_MMIO, "%s gfn=0x%" PRIx64 " mfn=0x%" PRIx64
               " nr=%" PRIu64, add ? "map_mmio" : "unmap_mmio", gfn, mfn, nr);
}

static int rec_map_ioport(XptHv *hv, uint32_t gport, uint32_t mport,
                          uint32_t nr, bool add)
{
    return rec(hv, XPT_HV_MAP_IOPORT, "%s gport=0x%x mport=0x%x nr=%u",
               add ? "map_ioport" : "unmap_ioport", gport, mport, nr);
}

static int rec_irq_perm(XptHv *hv, int pirq, bool allow)
{
    return rec(hv, XPT_HV_IRQ_PERM, "irq_permission pirq=%d allow=%d", pirq,
               allow);
}

static int rec_iomem_perm(XptHv *hv, uint64_t mfn, uint64_t nr, bool allow)
{
    return rec(hv, XPT_HV_IOMEM_PERM, "iomem_permission mfn=0x%" PRIx64
               " nr=%" PRIu64 " allow=%d", mfn, nr, allow);
}

static int rec_ioport_perm(XptHv *hv, uint32_t port, uint32_t nr, bool allow)
{
    return rec(hv, XPT_HV_IOPORT_PERM, "ioport_permission port=0x%x nr=%u "
               "allow=%d", port, nr, allow);
}

static int rec_assign(XptHv *hv, uint32_t sbdf, bool assign)
{
    return rec(hv, XPT_HV_ASSIGN, "%s sbdf=0x%x",
               assign ? "assign_device" : "deassign_device", sbdf);
}

static const XptHvOps xpt_hv_rec_ops = {
    .map_pirq_gsi = rec_map_pirq_gsi,
    .map_pirq_msi = rec_map_pirq_msi,
    .unmap_pirq = rec_unmap_pirq,
    .bind_msi = rec_bind_msi,
    .unbind_msi = rec_unbind_msi,
    .bind_intx = rec_bind_intx,
    .unbind_intx = rec_unbind_intx,
    .map_mmio = rec_map_mmio,
    .map_ioport = rec_map_ioport,
    .irq_permission = rec_irq_perm,
    .iomem_permission = rec_iomem_perm,
    .ioport_permission = rec_ioport_perm,
    .assign_device = rec_assign,
};

void xpt_hv_init(XptHv *hv, uint32_t domid)
{
    *hv = (XptHv) { .ops = &xpt_hv_xc_ops, .domid = domid };
}

void xpt_hv_init_recording(XptHv *hv)
{
    *hv = (XptHv) {
        .ops = &xpt_hv_rec_ops, .log = g_string_new(NULL), .next_pirq = 100,
    };
}

void xpt_hv_cleanup(XptHv *hv)
{
    if (hv->log) {
        g_string_free(hv->log, true);
        hv->log = NULL;
    }
}
