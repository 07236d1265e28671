/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * xen-pci-passthrough: MSI and MSI-X.
 *
 * The engine keeps the guest's MSI and MSI-X state virtual; this file turns
 * it into pirqs bound through Xen.  The MSI-X table is trapped (its pages
 * are left out of the BAR's direct mapping) and emulated here; the PBA, and
 * anything else sharing the table's pages, is read through the function's
 * sysfs resource file: no /dev/mem, so it works in stubdomain-like and
 * locked-down dom0s.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/bswap.h"
#include "qemu/error-report.h"
#include "exec/address-spaces.h"
#include "xen_pt.h"
#include "trace.h"

#define MSIX_ENTRY_SIZE     16
#define MSIX_VECTOR_MASKED  1u

static uint8_t xpt_host_devfn(const XenPCIPassthroughState *s)
{
    return PCI_DEVFN(s->host.dev, s->host.func);
}

/* Set or clear bits of a host config register (the path's own access). */
static void xpt_host_update(XenPCIPassthroughState *s, unsigned off,
                            unsigned size, uint32_t clear, uint32_t set)
{
    if (!xpt_host_cfg_update(&s->host, off, size, clear, set)) {
        error_report("xen-pci-passthrough %s: host config 0x%x update "
                     "failed", s->host.name, off);
    }
}

/* ---- MSI ---- */

/*
 * A Linux HVM guest with Xen's PV extensions asks for a pirq rather than a
 * vector: MSI data with vector 0, the pirq in the address's destination ID
 * (bits 12-19) and extended destination ID (bits 40-63). The function must
 * then be mapped to exactly that pirq, which the guest has bound to an
 * event channel. -1 when the guest asks for a vector.
 */
static int xpt_msi_guest_pirq(uint64_t addr, uint32_t data)
{
    uint32_t pirq = ((addr >> 32) & 0xffffff00) | ((addr >> 12) & 0xff);

    return (data & 0xff) || !pirq || pirq > INT_MAX ? -1 : pirq;
}

static void xpt_msi_unbind(XenPCIPassthroughState *s)
{
    unsigned i;

    if (!s->msi.bound) {
        return;
    }
    for (i = 0; i < s->msi.nvec; i++) {
        s->hv.ops->unbind_msi(&s->hv, s->msi.gvec + i, s->msi.pirq + i,
                              s->msi.gflags);
        s->hv.ops->unmap_pirq(&s->hv, s->msi.pirq + i);
    }
    trace_xen_pt_msi_unbind(s->host.name, s->msi.pirq, s->msi.nvec);
    s->msi.bound = false;
}

void xpt_msi_update(XenPCIPassthroughState *s)
{
    XpfMsiState m;
    uint32_t gvec, gflags;
    unsigned i;
    int want;

    xpf_msi_state(s->xpf, &m);
    if (!m.enabled) {
        if (s->msi.bound) {
            xpt_msi_unbind(s);
            xpt_host_update(s, m.cap + PCI_MSI_FLAGS, 2,
                            PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE, 0);
        }
        return;
    }
    gvec = m.data & 0xff;
    gflags = xpt_msi_gflags(m.addr, m.data, true);
    want = xpt_msi_guest_pirq(m.addr, m.data);
    if (s->msi.bound && (s->msi.nvec != m.vectors_enabled ||
                         (want >= 0 && want != s->msi.pirq))) {
        xpt_msi_unbind(s);
    }
    if (!s->msi.bound) {
        int pirq = want;

        if (s->hv.ops->map_pirq_msi(&s->hv, s->host.bus, xpt_host_devfn(s),
                                    m.vectors_enabled, 0, &pirq)) {
            xpt_guest_error(s, "mapping MSI (pirq %d asked) failed", want);
            return;
        }
        s->msi = (XptMsi) { .pirq = pirq, .nvec = m.vectors_enabled };
    } else if (s->msi.gvec == gvec && s->msi.gflags == gflags) {
        return;
    }
    for (i = 0; i < s->msi.nvec; i++) {
        if (s->hv.ops->bind_msi(&s->hv, gvec + i, s->msi.pirq + i, gflags,
                                0)) {
            xpt_guest_error(s, "binding MSI vector %u failed", i);
        }
    }
    if (!s->msi.bound) {
        xpt_host_update(s, m.cap + PCI_MSI_FLAGS, 2, PCI_MSI_FLAGS_QSIZE,
                        PCI_MSI_FLAGS_ENABLE |
                        (ctz32(m.vectors_enabled) << 4));
    }
    s->msi.bound = true;
    s->msi.gvec = gvec;
    s->msi.gflags = gflags;
    trace_xen_pt_msi_bind(s->host.name, s->msi.pirq, s->msi.nvec, gvec,
                          gflags);
}

void xpt_msi_mask_update(XenPCIPassthroughState *s)
{
    XpfMsiState m;

    /*
     * Per-vector mask bits stay virtual (XSA-129): Xen owns the function's
     * MSI programming, including its mask bits.
     */
    xpf_msi_state(s->xpf, &m);
    trace_xen_pt_msi_mask(s->host.name, m.mask);
}

void xpt_msi_teardown(XenPCIPassthroughState *s)
{
    XpfMsiState m;

    if (!s->msi.bound) {
        return;
    }
    xpf_msi_state(s->xpf, &m);
    xpt_msi_unbind(s);
    xpt_host_update(s, m.cap + PCI_MSI_FLAGS, 2, PCI_MSI_FLAGS_ENABLE, 0);
}

/* ---- MSI-X ---- */

/* The trapped span: the table's pages within its BAR. */
static uint64_t xpt_msix_span_start(const XptMsix *x)
{
    return x->table_off & XPT_PAGE_MASK;
}

static uint64_t xpt_msix_span_len(const XptMsix *x)
{
    return ROUND_UP(x->table_off + x->nentries * MSIX_ENTRY_SIZE,
                    XPT_PAGE_SIZE) - xpt_msix_span_start(x);
}

static void xpt_msix_unbind_entry(XenPCIPassthroughState *s, unsigned i)
{
    XptMsixEntry *e = &s->msix.entries[i];

    if (e->bound) {
        s->hv.ops->unbind_msi(&s->hv, e->gvec, e->pirq, e->gflags);
        e->bound = false;
    }
    if (e->pirq >= 0) {
        s->hv.ops->unmap_pirq(&s->hv, e->pirq);
        e->pirq = -1;
    }
}

/* Bring entry @i's binding in line with the guest's state. */
static void xpt_msix_entry_update(XenPCIPassthroughState *s, unsigned i)
{
    XptMsixEntry *e = &s->msix.entries[i];
    XpfMsixState x;
    bool masked;
    uint32_t gvec, gflags;
    int want;

    xpf_msix_state(s->xpf, &x);
    if (!x.enabled) {
        xpt_msix_unbind_entry(s, i);
        return;
    }
    want = xpt_msi_guest_pirq(e->addr, e->data);
    /*
     * A guest that asks for a pirq masks it at its event channel and never
     * touches the entry's mask bit (Linux: pci_msi_ignore_mask), which
     * stays set from reset: only the function mask counts then.
     */
    masked = x.masked || (want < 0 && (e->ctrl & MSIX_VECTOR_MASKED));
    if (e->pirq >= 0 && want >= 0 && want != e->pirq) {
        xpt_msix_unbind_entry(s, i);
    }
    if (e->pirq < 0) {
        uint64_t table = s->host.bars[s->msix.table_bar].addr +
                         s->msix.table_off;

        if (masked) {
            return;     /* map once the guest unmasks it */
        }
        e->pirq = want;
        if (s->hv.ops->map_pirq_msi(&s->hv, s->host.bus, xpt_host_devfn(s),
                                    i, table, &e->pirq)) {
            xpt_guest_error(s, "mapping MSI-X entry %u (pirq %d asked) "
                            "failed", i, want);
            e->pirq = -1;
            return;
        }
    }
    gvec = e->data & 0xff;
    gflags = xpt_msi_gflags(e->addr, e->data, !masked);
    if (e->bound && e->gvec == gvec && e->gflags == gflags) {
        return;
    }
    if (s->hv.ops->bind_msi(&s->hv, gvec, e->pirq, gflags,
                            s->msix.table_mapped ? s->msix.table_gaddr +
                            (s->msix.table_off & ~XPT_PAGE_MASK) : 0)) {
        xpt_guest_error(s, "binding MSI-X entry %u failed", i);
        return;
    }
    e->bound = true;
    e->gvec = gvec;
    e->gflags = gflags;
    trace_xen_pt_msix_bind(s->host.name, i, e->pirq, gvec, gflags);
}

static uint64_t xpt_msix_read(void *opaque, hwaddr addr, unsigned size)
{
    XenPCIPassthroughState *s = opaque;
    XptMsix *x = &s->msix;
    uint64_t toff = x->table_off - xpt_msix_span_start(x);
    uint8_t buf[8] = { 0 };

    if (addr >= toff && addr + size <= toff + x->nentries * MSIX_ENTRY_SIZE) {
        const XptMsixEntry *e = &x->entries[(addr - toff) / MSIX_ENTRY_SIZE];
        unsigned field = (addr - toff) % MSIX_ENTRY_SIZE;
        uint8_t ent[MSIX_ENTRY_SIZE];

        stq_le_p(ent, e->addr);
        stl_le_p(ent + 8, e->data);
        stl_le_p(ent + 12, e->ctrl);
        memcpy(buf, ent + field, MIN(size, MSIX_ENTRY_SIZE - field));
        return ldn_le_p(buf, size);
    }
    /* The PBA or other registers sharing the table's pages. */
    if (!xpt_host_bar_read(&s->host, x->table_bar,
                           xpt_msix_span_start(x) + addr, buf, size)) {
        xpt_guest_error(s, "MSI-X page read at 0x%" HWADDR_PRIx " failed",
                        addr);
        return ~0ull;
    }
    return ldn_le_p(buf, size);
}

static void xpt_msix_write(void *opaque, hwaddr addr, uint64_t val,
                           unsigned size)
{
    XenPCIPassthroughState *s = opaque;
    XptMsix *x = &s->msix;
    uint64_t toff = x->table_off - xpt_msix_span_start(x);
    unsigned i, field;
    XptMsixEntry *e;
    uint8_t ent[MSIX_ENTRY_SIZE];

    if (addr < toff || addr + size > toff + x->nentries * MSIX_ENTRY_SIZE) {
        /* Entries beyond the table, the PBA: read-only. */
        xpt_guest_error(s, "MSI-X write at 0x%" HWADDR_PRIx " outside the "
                        "table (%u entries) dropped", addr, x->nentries);
        return;
    }
    i = (addr - toff) / MSIX_ENTRY_SIZE;
    field = (addr - toff) % MSIX_ENTRY_SIZE;
    if (field + size > MSIX_ENTRY_SIZE) {
        xpt_guest_error(s, "MSI-X write spanning entries dropped");
        return;
    }
    e = &x->entries[i];
    stq_le_p(ent, e->addr);
    stl_le_p(ent + 8, e->data);
    stl_le_p(ent + 12, e->ctrl);
    stn_le_p(ent + field, size, val);
    e->addr = ldq_le_p(ent);
    e->data = ldl_le_p(ent + 8);
    e->ctrl = ldl_le_p(ent + 12) & MSIX_VECTOR_MASKED;
    trace_xen_pt_msix_write(s->host.name, i, field, val);
    xpt_msix_entry_update(s, i);
}

static const MemoryRegionOps xpt_msix_ops = {
    .read = xpt_msix_read,
    .write = xpt_msix_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 4, .max_access_size = 8 },
    .impl = { .min_access_size = 4, .max_access_size = 8 },
};

bool xpt_msix_init(XenPCIPassthroughState *s, Error **errp)
{
    XptMsix *x = &s->msix;
    const XpfBar *b;
    XpfMsixState st;
    unsigned i;

    xpf_msix_state(s->xpf, &st);
    if (!st.present) {
        return true;
    }
    b = &s->host.bars[st.table_bar < XPF_NUM_BARS ? st.table_bar : 0];
    if (st.table_bar >= XPF_NUM_BARS || !b->size || b->io ||
        st.table_offset + st.table_size * MSIX_ENTRY_SIZE > b->size) {
        error_setg(errp, "host PCI device %s: MSI-X table (BAR %u offset "
                   "0x%x, %u entries) lies outside its BAR", s->host.name,
                   st.table_bar, st.table_offset, st.table_size);
        return false;
    }
    *x = (XptMsix) {
        .nentries = st.table_size, .table_bar = st.table_bar,
        .table_off = st.table_offset,
    };
    x->entries = g_new0(XptMsixEntry, x->nentries);
    for (i = 0; i < x->nentries; i++) {
        x->entries[i] = (XptMsixEntry) { .ctrl = MSIX_VECTOR_MASKED,
                                         .pirq = -1 };
    }
    memory_region_init_io(&x->table_mr, OBJECT(s), &xpt_msix_ops, s,
                          "xen-pt-msix", xpt_msix_span_len(x));
    return true;
}

void xpt_msix_map_update(XenPCIPassthroughState *s)
{
    XptMsix *x = &s->msix;
    const XptMapping *m;
    uint64_t gaddr;
    unsigned i;

    if (!x->nentries) {
        return;
    }
    m = &s->map[x->table_bar];
    gaddr = m->addr + xpt_msix_span_start(x);
    if (x->table_mapped && (!m->on || gaddr != x->table_gaddr)) {
        memory_region_del_subregion(get_system_memory(), &x->table_mr);
        x->table_mapped = false;
    }
    if (m->on && !x->table_mapped) {
        memory_region_add_subregion_overlap(get_system_memory(), gaddr,
                                            &x->table_mr, 1);
        x->table_mapped = true;
        x->table_gaddr = gaddr;
        trace_xen_pt_msix_map(s->host.name, gaddr);
        /* Xen learns the table's new guest address. */
        for (i = 0; i < x->nentries; i++) {
            if (x->entries[i].bound) {
                x->entries[i].bound = false;
                xpt_msix_entry_update(s, i);
            }
        }
    }
}

void xpt_msix_ctrl_update(XenPCIPassthroughState *s)
{
    XpfMsixState st;
    unsigned i;

    if (!s->msix.nentries) {
        return;
    }
    xpf_msix_state(s->xpf, &st);
    xpt_host_update(s, st.cap + PCI_MSIX_FLAGS, 2,
                    PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL,
                    (st.enabled ? PCI_MSIX_FLAGS_ENABLE : 0) |
                    (st.masked ? PCI_MSIX_FLAGS_MASKALL : 0));
    for (i = 0; i < s->msix.nentries; i++) {
        xpt_msix_entry_update(s, i);
    }
    trace_xen_pt_msix_ctrl(s->host.name, st.enabled, st.masked);
}

void xpt_msix_teardown(XenPCIPassthroughState *s)
{
    XptMsix *x = &s->msix;
    XpfMsixState st;
    unsigned i;

    if (!x->nentries) {
        return;
    }
    for (i = 0; i < x->nentries; i++) {
        xpt_msix_unbind_entry(s, i);
    }
    if (x->table_mapped) {
        memory_region_del_subregion(get_system_memory(), &x->table_mr);
        x->table_mapped = false;
    }
    xpf_msix_state(s->xpf, &st);
    xpt_host_update(s, st.cap + PCI_MSIX_FLAGS, 2,
                    PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL, 0);
    object_unparent(OBJECT(&x->table_mr));
    g_clear_pointer(&x->entries, g_free);
    x->nentries = 0;
}
