/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The recording hypercall ops: used when QEMU does not run on Xen (the
 * qtest accelerator) and by the standalone unit tests.  Each call appends
 * one line to the log; xen_pci_hv_fails() makes chosen ops fail.  Plain C
 * on glib, no QEMU header.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include "xen-pci-hv.h"

static int G_GNUC_PRINTF(3, 4) rec(XenPciHv *hv, unsigned op,
                                   const char *fmt, ...)
{
    bool fail = xen_pci_hv_fails(hv, op);
    va_list ap;

    va_start(ap, fmt);
    g_string_append_vprintf(hv->log, fmt, ap);
    va_end(ap);
    g_string_append(hv->log, fail ? " = -1\n" : "\n");
    return fail ? -1 : 0;
}

static int rec_map_pirq_gsi(XenPciHv *hv, int gsi, int *pirq)
{
    *pirq = hv->next_pirq++;
    return rec(hv, XEN_PCI_HV_MAP_PIRQ_GSI, "map_pirq_gsi gsi=%d pirq=%d", gsi,
               *pirq);
}

static int rec_map_pirq_msi(XenPciHv *hv, uint8_t bus, uint8_t devfn, int entry,
                            uint64_t table_base, int *pirq)
{
    if (*pirq < 0) {
        *pirq = hv->next_pirq++;
    }
    return rec(hv, XEN_PCI_HV_MAP_PIRQ_MSI, "map_pirq_msi bus=%u devfn=0x%x "
               "entry=%d table=0x%" PRIx64 " pirq=%d", bus, devfn, entry,
               table_base, *pirq);
}

static int rec_unmap_pirq(XenPciHv *hv, int pirq)
{
    return rec(hv, XEN_PCI_HV_UNMAP_PIRQ, "unmap_pirq pirq=%d", pirq);
}

static int rec_bind_msi(XenPciHv *hv, uint32_t gvec, int pirq, uint32_t gflags,
                        uint64_t gtable)
{
    return rec(hv, XEN_PCI_HV_BIND_MSI, "bind_msi gvec=0x%x pirq=%d "
               "gflags=0x%x gtable=0x%" PRIx64, gvec, pirq, gflags, gtable);
}

static int rec_unbind_msi(XenPciHv *hv, uint32_t gvec, int pirq,
                          uint32_t gflags)
{
    return rec(hv, XEN_PCI_HV_UNBIND_MSI, "unbind_msi gvec=0x%x pirq=%d "
               "gflags=0x%x", gvec, pirq, gflags);
}

static int rec_bind_intx(XenPciHv *hv, int pirq, uint8_t bus, uint8_t dev,
                         uint8_t intx)
{
    return rec(hv, XEN_PCI_HV_BIND_INTX, "bind_intx pirq=%d bus=%u dev=%u "
               "intx=%u", pirq, bus, dev, intx);
}

static int rec_unbind_intx(XenPciHv *hv, int pirq, uint8_t bus, uint8_t dev,
                           uint8_t intx)
{
    return rec(hv, XEN_PCI_HV_UNBIND_INTX, "unbind_intx pirq=%d bus=%u dev=%u "
               "intx=%u", pirq, bus, dev, intx);
}

static int rec_map_mmio(XenPciHv *hv, uint64_t gfn, uint64_t mfn, uint64_t nr,
                        bool add)
{
    return rec(hv, XEN_PCI_HV_MAP_MMIO, "%s gfn=0x%" PRIx64 " mfn=0x%" PRIx64
               " nr=%" PRIu64, add ? "map_mmio" : "unmap_mmio", gfn, mfn, nr);
}

static int rec_map_ioport(XenPciHv *hv, uint32_t gport, uint32_t mport,
                          uint32_t nr, bool add)
{
    return rec(hv, XEN_PCI_HV_MAP_IOPORT, "%s gport=0x%x mport=0x%x nr=%u",
               add ? "map_ioport" : "unmap_ioport", gport, mport, nr);
}

static int rec_irq_perm(XenPciHv *hv, int pirq, bool allow)
{
    return rec(hv, XEN_PCI_HV_IRQ_PERM, "irq_permission pirq=%d allow=%d", pirq,
               allow);
}

static int rec_iomem_perm(XenPciHv *hv, uint64_t mfn, uint64_t nr, bool allow)
{
    return rec(hv, XEN_PCI_HV_IOMEM_PERM, "iomem_permission mfn=0x%" PRIx64
               " nr=%" PRIu64 " allow=%d", mfn, nr, allow);
}

static int rec_ioport_perm(XenPciHv *hv, uint32_t port, uint32_t nr, bool allow)
{
    return rec(hv, XEN_PCI_HV_IOPORT_PERM, "ioport_permission port=0x%x nr=%u "
               "allow=%d", port, nr, allow);
}

static int rec_assign(XenPciHv *hv, uint32_t sbdf, bool assign)
{
    return rec(hv, XEN_PCI_HV_ASSIGN, "%s sbdf=0x%x",
               assign ? "assign_device" : "deassign_device", sbdf);
}

static int rec_claim(XenPciHv *hv, uint32_t sbdf, bool claim,
                     uint32_t *holder)
{
    if (claim && hv->holder && hv->holder != hv->domid) {
        *holder = hv->holder;
        rec(hv, XEN_PCI_HV_CLAIM, "claim sbdf=0x%x held by %u", sbdf,
            hv->holder);
        return -EBUSY;
    }
    return rec(hv, XEN_PCI_HV_CLAIM, "%s sbdf=0x%x domid=%u",
               claim ? "claim" : "release", sbdf, hv->domid);
}

static const XenPciHvOps xen_pci_hv_rec_ops = {
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
    .claim = rec_claim,
};

void xen_pci_hv_init_recording(XenPciHv *hv)
{
    *hv = (XenPciHv) {
        .ops = &xen_pci_hv_rec_ops, .log = g_string_new(NULL), .next_pirq = 100,
    };
}

void xen_pci_hv_cleanup(XenPciHv *hv)
{
    if (hv->log) {
        g_string_free(hv->log, true);
        hv->log = NULL;
    }
}
