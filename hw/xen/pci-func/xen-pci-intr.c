/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * A passed-through function's interrupts through Xen (see xen-pci-intr.h).
 */
#include <errno.h>
#include <limits.h>
#include "xen-pci-intr.h"

GQuark xen_pci_intr_error_quark(void)
{
    return g_quark_from_static_string("xen-pci-intr-error");
}

/*
 * Xen's vMSI binding flags (public/domctl.h, XEN_DOMCTL_VMSI_X86_*): the
 * destination ID, redirection hint, destination mode, delivery mode,
 * trigger mode and whether the vector is unmasked.
 */
#define XEN_PCI_GFLAGS_DEST_ID_MASK  0x0000ffu
#define XEN_PCI_GFLAGS_RH_MASK       0x000100u
#define XEN_PCI_GFLAGS_DM_MASK       0x000200u
#define XEN_PCI_GFLAGS_DELIV_MASK    0x007000u
#define XEN_PCI_GFLAGS_TRIG_MASK     0x008000u
#define XEN_PCI_GFLAGS_UNMASKED      0x010000u

uint32_t xen_pci_msi_gflags(uint64_t addr, uint32_t data, bool unmasked)
{
    uint32_t dest = (addr >> 12) & 0xff;
    uint32_t deliv = (data >> 8) & 7;

    return (dest & XEN_PCI_GFLAGS_DEST_ID_MASK) |
           ((addr >> 3) & 1 ? XEN_PCI_GFLAGS_RH_MASK : 0) |
           ((addr >> 2) & 1 ? XEN_PCI_GFLAGS_DM_MASK : 0) |
           ((deliv << 12) & XEN_PCI_GFLAGS_DELIV_MASK) |
           ((data >> 15) & 1 ? XEN_PCI_GFLAGS_TRIG_MASK : 0) |
           (unmasked ? XEN_PCI_GFLAGS_UNMASKED : 0);
}

/*
 * Linux (arch/x86/pci/xen.c) puts the pirq's low 8 bits in the address's
 * destination ID (bits 12-19) and the rest in its high half (bits 40-63),
 * with vector 0 in the data.
 */
int xen_pci_msi_guest_pirq(uint64_t addr, uint32_t data)
{
    uint64_t pirq = ((addr >> 32) & 0xffffff00) | ((addr >> 12) & 0xff);

    return (data & 0xff) || !pirq || pirq > INT_MAX ? -1 : (int)pirq;
}

/* ---- steps and their undo ---- */

static void G_GNUC_PRINTF(2, 3) intr_undo_failed(XenPciIntr *in,
                                                 const char *fmt, ...)
{
    g_autofree char *what = NULL;
    va_list ap;

    va_start(ap, fmt);
    what = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    if (in->c.host->undo_failed) {
        in->c.host->undo_failed(in->c.opaque, what);
    }
}

/* The engine learns what is on in the host (its one-type rule). */
static void intr_host_state(XenPciIntr *in, XpfIntrType type, bool on)
{
    XpfIntrType t = xpf_host_interrupts(in->c.xpf);

    xpf_set_host_interrupts(in->c.xpf, on ? t | type : t & ~type);
}

static bool intr_host_msi(XenPciIntr *in, unsigned nvec)
{
    if (!in->c.host->msi(in->c.opaque, nvec)) {
        return false;
    }
    intr_host_state(in, XPF_INTR_MSI, nvec);
    return true;
}

static bool intr_host_msix(XenPciIntr *in, bool enabled, bool masked)
{
    if (!in->c.host->msix(in->c.opaque, enabled, masked)) {
        return false;
    }
    intr_host_state(in, XPF_INTR_MSIX, enabled);
    return true;
}

static void intr_unmap(XenPciIntr *in, int *pirq)
{
    if (*pirq < 0) {
        return;
    }
    if (in->c.hv->ops->unmap_pirq(in->c.hv, *pirq)) {
        intr_undo_failed(in, "unmapping pirq %d failed", *pirq);
    }
    *pirq = -1;
}

static void intr_unbind(XenPciIntr *in, XenPciVec *v)
{
    if (!v->bound) {
        return;
    }
    if (in->c.hv->ops->unbind_msi(in->c.hv, v->gvec, v->pirq, v->gflags)) {
        intr_undo_failed(in, "unbinding pirq %d (vector 0x%x) failed",
                         v->pirq, v->gvec);
    }
    v->bound = false;
}

static bool intr_bind(XenPciIntr *in, XenPciVec *v, uint32_t gvec,
                      uint32_t gflags, uint64_t gtable)
{
    if (v->bound && v->gvec == gvec && v->gflags == gflags) {
        return true;
    }
    /* Xen updates a binding in place: no unbind in between */
    if (in->c.hv->ops->bind_msi(in->c.hv, gvec, v->pirq, gflags, gtable)) {
        return false;
    }
    *v = (XenPciVec) { .pirq = v->pirq, .bound = true, .gvec = gvec,
                       .gflags = gflags };
    return true;
}

void xen_pci_intr_init(XenPciIntr *in, const XenPciIntrConfig *c)
{
    unsigned i;
    XpfMsixState x;

    *in = (XenPciIntr) { .c = *c, .intx_pirq = -1 };
    for (i = 0; i < XEN_PCI_MSI_MAX_VEC; i++) {
        in->msi[i].pirq = -1;
    }
    xpf_msix_state(c->xpf, &x);
    in->msix_size = x.present ? x.table_size : 0;
    in->msix = g_new(XenPciVec, in->msix_size);
    for (i = 0; i < in->msix_size; i++) {
        in->msix[i] = (XenPciVec) { .pirq = -1 };
    }
}

void xen_pci_intr_cleanup(XenPciIntr *in)
{
    if (!in->c.hv) {
        return;         /* never initialised */
    }
    xen_pci_intr_msix_disable(in);
    xen_pci_intr_msi_disable(in);
    xen_pci_intr_intx_unbind(in);
    g_clear_pointer(&in->msix, g_free);
    in->msix_size = 0;
}

/* ---- INTx ---- */

bool xen_pci_intr_intx_bind(XenPciIntr *in, uint8_t bus, uint8_t dev,
                            uint8_t pin, GError **errp)
{
    XenPciHv *hv = in->c.hv;
    int pirq = -1;

    if (!in->c.gsi) {
        return true;
    }
    if (hv->ops->map_pirq_gsi(hv, in->c.gsi, &pirq)) {
        g_set_error(errp, XEN_PCI_INTR_ERROR, 0, "mapping its GSI %d to "
                    "a pirq failed", in->c.gsi);
        return false;
    }
    in->intx_pirq = pirq;
    if (hv->ops->bind_intx(hv, pirq, bus, dev, pin)) {
        g_set_error(errp, XEN_PCI_INTR_ERROR, 0, "binding pirq %d to "
                    "the guest's INT%c of %02x:%02x failed", pirq,
                    'A' + pin, bus, dev);
        intr_unmap(in, &in->intx_pirq);
        return false;
    }
    in->intx_bound = true;
    in->intx_bus = bus;
    in->intx_dev = dev;
    in->intx_pin = pin;
    return true;
}

void xen_pci_intr_intx_unbind(XenPciIntr *in)
{
    XenPciHv *hv = in->c.hv;

    if (in->intx_bound &&
        hv->ops->unbind_intx(hv, in->intx_pirq, in->intx_bus, in->intx_dev,
                             in->intx_pin)) {
        intr_undo_failed(in, "unbinding INTx (pirq %d) failed",
                         in->intx_pirq);
    }
    in->intx_bound = false;
    intr_unmap(in, &in->intx_pirq);
}

/* ---- MSI ---- */

/*
 * Map @nvec vectors.  Only one can be: the map a device model or backend
 * makes (MAP_PIRQ_TYPE_MSI, no table) gets one pirq and one host vector,
 * whatever entry count it passes (Xen's allocate_and_map_msi_pirq sets it
 * to 1); more vectors enabled in the function would signal host vectors
 * Xen never gave it.  Multi-message MSI needs MAP_PIRQ_TYPE_MULTI_MSI,
 * which libxenctrl does not offer.
 */
static bool intr_msi_map(XenPciIntr *in, unsigned nvec, int *pirq,
                         GError **errp)
{
    int want = *pirq;
    unsigned i;

    if (nvec != 1) {
        g_set_error(errp, XEN_PCI_INTR_ERROR, 0, "%u MSI vectors are "
                    "not possible: Xen maps one MSI vector per function "
                    "for a device model", nvec);
        return false;
    }
    errno = 0;
    if (in->c.hv->ops->map_pirq_msi(in->c.hv, in->c.bus, in->c.devfn, nvec,
                                    0, pirq) || *pirq < 0 ||
        *pirq > INT_MAX - (int)nvec) {
        int err = errno;

        g_set_error(errp, XEN_PCI_INTR_ERROR, 0, "mapping %u MSI "
                    "vector(s) (pirq %d asked) failed%s%s", nvec, want,
                    err ? ": " : "", err ? g_strerror(err) : "");
        *pirq = -1;
        return false;
    }
    for (i = 0; i < nvec; i++) {
        in->msi[i] = (XenPciVec) { .pirq = *pirq + i };
    }
    in->msi_nvec = nvec;
    return true;
}

/*
 * Off in the host, unbound, unmapped.  Xen unmaps a multi-message MSI with
 * its first pirq and refuses to unmap the others (unmap_domain_pirq:
 * "secondary MSI pirq").
 */
static void intr_msi_release(XenPciIntr *in)
{
    unsigned i;

    if ((xpf_host_interrupts(in->c.xpf) & XPF_INTR_MSI) &&
        !intr_host_msi(in, 0)) {
        intr_undo_failed(in, "disabling MSI in the host failed");
    }
    for (i = 0; i < in->msi_nvec; i++) {
        intr_unbind(in, &in->msi[i]);
    }
    intr_unmap(in, &in->msi[0].pirq);
    for (i = 0; i < in->msi_nvec; i++) {
        in->msi[i].pirq = -1;
    }
    in->msi_nvec = 0;
}

/* The error policy for MSI: all undone, and off in the guest's view. */
static bool intr_msi_fail(XenPciIntr *in)
{
    intr_msi_release(in);
    xpf_mirror_msi(in->c.xpf, 0);
    return false;
}

static bool intr_msi_host_on(XenPciIntr *in, GError **errp)
{
    if (!intr_host_msi(in, in->msi_nvec)) {
        g_set_error(errp, XEN_PCI_INTR_ERROR, 0, "enabling MSI (%u "
                    "vector(s)) in the host failed",
                    in->msi_nvec);
        return false;
    }
    return true;
}

bool xen_pci_intr_msi_enable(XenPciIntr *in, unsigned nvec, int *pirq,
                             GError **errp)
{
    *pirq = -1;
    if (in->msi_nvec) {
        g_set_error(errp, XEN_PCI_INTR_ERROR, 0, "MSI is already "
                    "enabled");
        return false;
    }
    if (!intr_msi_map(in, nvec, pirq, errp) ||
        !intr_msi_host_on(in, errp)) {
        *pirq = -1;
        return intr_msi_fail(in);
    }
    return true;
}

bool xen_pci_intr_msi_sync(XenPciIntr *in, GError **errp)
{
    XpfMsiState m;
    uint32_t gvec, gflags;
    bool fresh = false;
    unsigned i;
    int want;

    xpf_msi_state(in->c.xpf, &m);
    if (!m.enabled) {
        intr_msi_release(in);
        return true;
    }
    gvec = m.data & 0xff;
    gflags = xen_pci_msi_gflags(m.addr, m.data, true);
    want = xen_pci_msi_guest_pirq(m.addr, m.data);
    if (in->msi_nvec && (in->msi_nvec != m.vectors_enabled ||
                         (want >= 0 && want != in->msi[0].pirq))) {
        intr_msi_release(in);
    }
    if (!in->msi_nvec) {
        if (!intr_msi_map(in, m.vectors_enabled, &want, errp)) {
            return intr_msi_fail(in);
        }
        fresh = true;
    }
    for (i = 0; i < in->msi_nvec; i++) {
        if (!intr_bind(in, &in->msi[i], gvec + i, gflags, 0)) {
            g_set_error(errp, XEN_PCI_INTR_ERROR, 0, "binding MSI "
                        "vector %u (pirq %d) to guest vector 0x%x failed",
                        i, in->msi[i].pirq, gvec + i);
            return intr_msi_fail(in);
        }
    }
    if (fresh && !intr_msi_host_on(in, errp)) {
        return intr_msi_fail(in);
    }
    return true;
}

void xen_pci_intr_msi_disable(XenPciIntr *in)
{
    intr_msi_release(in);
}

/* ---- MSI-X ---- */

static bool intr_msix_map(XenPciIntr *in, unsigned i, int want,
                          GError **errp)
{
    XenPciVec *v = &in->msix[i];

    v->pirq = want;
    errno = 0;
    if (in->c.hv->ops->map_pirq_msi(in->c.hv, in->c.bus, in->c.devfn, i,
                                    in->c.msix_table, &v->pirq) ||
        v->pirq < 0) {
        int err = errno;

        g_set_error(errp, XEN_PCI_INTR_ERROR, 0, "mapping MSI-X entry "
                    "%u (pirq %d asked) failed%s%s", i, want,
                    err ? ": " : "", err ? g_strerror(err) : "");
        v->pirq = -1;
        return false;
    }
    return true;
}

void xen_pci_intr_msix_release(XenPciIntr *in, unsigned i)
{
    if (i < in->msix_size) {
        intr_unbind(in, &in->msix[i]);
        intr_unmap(in, &in->msix[i].pirq);
    }
}

void xen_pci_intr_msix_disable(XenPciIntr *in)
{
    unsigned i;

    if ((xpf_host_interrupts(in->c.xpf) & XPF_INTR_MSIX) &&
        !intr_host_msix(in, false, false)) {
        intr_undo_failed(in, "disabling MSI-X in the host failed");
    }
    for (i = 0; i < in->msix_size; i++) {
        xen_pci_intr_msix_release(in, i);
    }
}

/* The error policy for MSI-X: all undone, and off in the guest's view. */
static bool intr_msix_fail(XenPciIntr *in)
{
    xen_pci_intr_msix_disable(in);
    xpf_mirror_msix(in->c.xpf, false);
    return false;
}

static bool intr_msix_host_on(XenPciIntr *in, bool masked, GError **errp)
{
    if (!intr_host_msix(in, true, masked)) {
        g_set_error(errp, XEN_PCI_INTR_ERROR, 0, "enabling MSI-X in the "
                    "host failed");
        return false;
    }
    return true;
}

bool xen_pci_intr_msix_enable(XenPciIntr *in, const uint16_t *entries,
                              unsigned n, int *pirqs, GError **errp)
{
    unsigned i;

    for (i = 0; i < n; i++) {
        if (entries[i] >= in->msix_size || in->msix[entries[i]].pirq >= 0) {
            g_set_error(errp, XEN_PCI_INTR_ERROR, 0, "MSI-X entry %u "
                        "is not in the table or already mapped",
                        entries[i]);
            return intr_msix_fail(in);
        }
        if (!intr_msix_map(in, entries[i], -1, errp)) {
            return intr_msix_fail(in);
        }
        pirqs[i] = in->msix[entries[i]].pirq;
    }
    if (!intr_msix_host_on(in, false, errp)) {
        return intr_msix_fail(in);
    }
    return true;
}

bool xen_pci_intr_msix_control(XenPciIntr *in, GError **errp)
{
    XpfMsixState x;

    xpf_msix_state(in->c.xpf, &x);
    if (!x.enabled) {
        xen_pci_intr_msix_disable(in);
        return true;
    }
    if (!intr_msix_host_on(in, x.masked, errp)) {
        return intr_msix_fail(in);
    }
    return true;
}

bool xen_pci_intr_msix_entry(XenPciIntr *in, unsigned i, const XenPciMsg *m,
                             uint64_t gtable, GError **errp)
{
    XpfMsixState x;
    XenPciVec *v;
    bool masked;
    int want;

    xpf_msix_state(in->c.xpf, &x);
    if (i >= in->msix_size || !x.enabled) {
        xen_pci_intr_msix_release(in, i);
        return true;
    }
    v = &in->msix[i];
    want = xen_pci_msi_guest_pirq(m->addr, m->data);
    /*
     * A guest that asks for a pirq masks it at its event channel and
     * leaves the entry's mask bit set from reset (Linux:
     * pci_msi_ignore_mask): only the function mask counts then.
     */
    masked = x.masked || (want < 0 && m->masked);
    if (v->pirq >= 0 && want >= 0 && want != v->pirq) {
        xen_pci_intr_msix_release(in, i);
    }
    if (v->pirq < 0 && masked) {
        return true;    /* mapped once the guest unmasks it */
    }
    if (v->pirq < 0 && !intr_msix_map(in, i, want, errp)) {
        return false;
    }
    if (!intr_bind(in, v, m->data & 0xff,
                   xen_pci_msi_gflags(m->addr, m->data, !masked), gtable)) {
        g_set_error(errp, XEN_PCI_INTR_ERROR, 0, "binding MSI-X entry "
                    "%u (pirq %d) failed", i, v->pirq);
        xen_pci_intr_msix_release(in, i);
        return false;
    }
    return true;
}

bool xen_pci_intr_msix_rebind(XenPciIntr *in, unsigned i, uint64_t gtable,
                              GError **errp)
{
    XenPciVec *v = i < in->msix_size ? &in->msix[i] : NULL;

    if (!v || !v->bound) {
        return true;
    }
    if (in->c.hv->ops->bind_msi(in->c.hv, v->gvec, v->pirq, v->gflags,
                                gtable)) {
        g_set_error(errp, XEN_PCI_INTR_ERROR, 0, "binding MSI-X entry "
                    "%u (pirq %d) at its new table address failed",
                    i, v->pirq);
        xen_pci_intr_msix_release(in, i);
        return false;
    }
    return true;
}
