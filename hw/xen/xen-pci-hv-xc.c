/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Xen PCI passthrough, hypervisor side: libxenctrl and recording ops.
 */
#include "qemu/osdep.h"
#include "qemu/cutils.h"
#include "hw/xen/xen_native.h"
#include "hw/xen/xen.h"
#include "hw/xen/xen-legacy-backend.h"
#include "pci-func/xen-pci-hv.h"
#include "trace.h"

/* Ask Xen to pick the pirq. */
#define XPT_AUTO_PIRQ (-1)

/* ---- libxenctrl ---- */

/*
 * x-hv-fail on Xen: an op whose bit is set fails as Xen would refuse it
 * (-1, errno EIO), without the hypercall, so the bed can drive each undo
 * path against real Xen.
 */
static bool xc_injected(XenPciHv *hv, unsigned op)
{
    if (!xen_pci_hv_fails(hv, op)) {
        return false;
    }
    errno = EIO;
    return true;
}

static int xc_map_pirq_gsi(XenPciHv *hv, int gsi, int *pirq)
{
    if (xc_injected(hv, XEN_PCI_HV_MAP_PIRQ_GSI)) {
        return -1;
    }
    *pirq = gsi;
    return xc_physdev_map_pirq(xen_xc, hv->domid, gsi, pirq);
}

static int xc_map_pirq_msi(XenPciHv *hv, uint8_t bus, uint8_t devfn, int entry,
                           uint64_t table_base, int *pirq)
{
    if (xc_injected(hv, XEN_PCI_HV_MAP_PIRQ_MSI)) {
        return -1;
    }
    return xc_physdev_map_pirq_msi(xen_xc, hv->domid, XPT_AUTO_PIRQ, pirq,
                                   devfn, bus, entry, table_base);
}

static int xc_unmap_pirq(XenPciHv *hv, int pirq)
{
    if (xc_injected(hv, XEN_PCI_HV_UNMAP_PIRQ)) {
        return -1;
    }
    return xc_physdev_unmap_pirq(xen_xc, hv->domid, pirq);
}

static int xc_bind_msi(XenPciHv *hv, uint32_t gvec, int pirq, uint32_t gflags,
                       uint64_t gtable)
{
    if (xc_injected(hv, XEN_PCI_HV_BIND_MSI)) {
        return -1;
    }
    return xc_domain_update_msi_irq(xen_xc, hv->domid, gvec, pirq, gflags,
                                    gtable);
}

static int xc_unbind_msi(XenPciHv *hv, uint32_t gvec, int pirq, uint32_t gflags)
{
    if (xc_injected(hv, XEN_PCI_HV_UNBIND_MSI)) {
        return -1;
    }
    return xc_domain_unbind_msi_irq(xen_xc, hv->domid, gvec, pirq, gflags);
}

static int xc_bind_intx(XenPciHv *hv, int pirq, uint8_t bus, uint8_t dev,
                        uint8_t intx)
{
    if (xc_injected(hv, XEN_PCI_HV_BIND_INTX)) {
        return -1;
    }
    return xc_domain_bind_pt_pci_irq(xen_xc, hv->domid, pirq, bus, dev, intx);
}

static int xc_unbind_intx(XenPciHv *hv, int pirq, uint8_t bus, uint8_t dev,
                          uint8_t intx)
{
    if (xc_injected(hv, XEN_PCI_HV_UNBIND_INTX)) {
        return -1;
    }
    return xc_domain_unbind_pt_irq(xen_xc, hv->domid, pirq, PT_IRQ_TYPE_PCI,
                                   bus, dev, intx, 0);
}

static int xc_map_mmio(XenPciHv *hv, uint64_t gfn, uint64_t mfn, uint64_t nr,
                       bool add)
{
    if (xc_injected(hv, XEN_PCI_HV_MAP_MMIO)) {
        return -1;
    }
    return xc_domain_memory_mapping(xen_xc, hv->domid, gfn, mfn, nr,
                                    add ? DPCI_ADD_MAPPING
                                        : DPCI_REMOVE_MAPPING);
}

static int xc_map_ioport(XenPciHv *hv, uint32_t gport, uint32_t mport,
                         uint32_t nr, bool add)
{
    if (xc_injected(hv, XEN_PCI_HV_MAP_IOPORT)) {
        return -1;
    }
    return xc_domain_ioport_mapping(xen_xc, hv->domid, gport, mport, nr,
                                    add ? DPCI_ADD_MAPPING
                                        : DPCI_REMOVE_MAPPING);
}

static int xc_irq_perm(XenPciHv *hv, int pirq, bool allow)
{
    if (xc_injected(hv, XEN_PCI_HV_IRQ_PERM)) {
        return -1;
    }
    return xc_domain_irq_permission(xen_xc, hv->domid, pirq, allow);
}

static int xc_iomem_perm(XenPciHv *hv, uint64_t mfn, uint64_t nr, bool allow)
{
    if (xc_injected(hv, XEN_PCI_HV_IOMEM_PERM)) {
        return -1;
    }
    return xc_domain_iomem_permission(xen_xc, hv->domid, mfn, nr, allow);
}

static int xc_ioport_perm(XenPciHv *hv, uint32_t port, uint32_t nr, bool allow)
{
    if (xc_injected(hv, XEN_PCI_HV_IOPORT_PERM)) {
        return -1;
    }
    return xc_domain_ioport_permission(xen_xc, hv->domid, port, nr, allow);
}

static int xc_assign(XenPciHv *hv, uint32_t sbdf, bool assign)
{
    if (xc_injected(hv, XEN_PCI_HV_ASSIGN)) {
        return -1;
    }
    return assign ? xc_assign_device(xen_xc, hv->domid, sbdf,
                                     XEN_DOMCTL_DEV_RDM_RELAXED)
                  : xc_deassign_device(xen_xc, hv->domid, sbdf);
}

/* ---- libxl's in-use record, in xenstore ---- */

static char *claim_path(uint32_t sbdf)
{
    return g_strdup_printf("/libxl/pci/%04x-%02x-%02x-%x/domid", sbdf >> 16,
                           (sbdf >> 8) & 0xff, (sbdf >> 3) & 0x1f, sbdf & 7);
}

/* The domain a record names, if it still exists. */
static bool claim_holder_alive(const char *val, uint32_t *holder)
{
    g_autofree char *dom_path = NULL;
    unsigned int len;
    unsigned long n;
    char *dom;

    if (qemu_strtoul(val, NULL, 10, &n) || n >= DOMID_FIRST_RESERVED) {
        return false;
    }
    dom_path = g_strdup_printf("/local/domain/%lu", n);
    dom = qemu_xen_xs_read(xenstore, XBT_NULL, dom_path, &len);
    free(dom);
    *holder = n;
    return dom != NULL;
}

static int xc_claim(XenPciHv *hv, uint32_t sbdf, bool claim, uint32_t *holder)
{
    g_autofree char *path = claim_path(sbdf);
    g_autofree char *ours = g_strdup_printf("%u", hv->domid);
    g_autofree char *val = NULL;
    unsigned int len;
    bool found;
    char *v;

    if (xc_injected(hv, XEN_PCI_HV_CLAIM)) {
        return -EIO;
    }
    if (!xenstore) {
        return -ENODEV;
    }
    v = qemu_xen_xs_read(xenstore, XBT_NULL, path, &len);
    found = v != NULL;
    val = g_strndup(v, found ? len : 0);
    free(v);
    if (!claim) {
        if (found && !strcmp(val, ours) &&
            !qemu_xen_xs_destroy(xenstore, XBT_NULL, path)) {
            return -EIO;
        }
        return 0;
    }
    if (found && strcmp(val, ours) && claim_holder_alive(val, holder)) {
        return -EBUSY;
    }
    return qemu_xen_xs_write(xenstore, XBT_NULL, path, ours, strlen(ours))
           ? 0 : -EIO;
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
    .claim = xc_claim,
};

void xen_pci_hv_init(XenPciHv *hv, uint32_t domid)
{
    *hv = (XenPciHv) { .ops = &xen_pci_hv_xc_ops, .domid = domid };
}

