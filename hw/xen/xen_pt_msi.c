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
    trace_xen_pt_msi_unbind(s->fn.host.name, s->msi.pirq, s->msi.nvec);
    s->msi.bound = false;
}

void xpt_msi_update(XenPCIPassthroughState *s)
{
    XpfMsiState m;
    uint32_t gvec, gflags;
    unsigned i;
    int want;

    xpf_msi_state(s->fn.xpf, &m);
    if (!m.enabled) {
        if (s->msi.bound) {
            xpt_msi_unbind(s);
            xen_pci_func_host_msi(&s->fn, 0);
        }
        return;
    }
    gvec = m.data & 0xff;
    gflags = xen_pci_msi_gflags(m.addr, m.data, true);
    want = xpt_msi_guest_pirq(m.addr, m.data);
    if (s->msi.bound && (s->msi.nvec != m.vectors_enabled ||
                         (want >= 0 && want != s->msi.pirq))) {
        xpt_msi_unbind(s);
    }
    if (!s->msi.bound) {
        int pirq = want;

        if (!xen_pci_func_map_msi(&s->fn, false, m.vectors_enabled,
                                  &pirq)) {
            return;
        }
        s->msi = (XptMsi) { .pirq = pirq, .nvec = m.vectors_enabled };
    } else if (s->msi.gvec == gvec && s->msi.gflags == gflags) {
        return;
    }
    for (i = 0; i < s->msi.nvec; i++) {
        if (s->hv.ops->bind_msi(&s->hv, gvec + i, s->msi.pirq + i, gflags,
                                0)) {
            xen_pci_func_error(&s->fn, "binding MSI vector %u failed", i);
        }
    }
    if (!s->msi.bound) {
        xen_pci_func_host_msi(&s->fn, m.vectors_enabled);
    }
    s->msi.bound = true;
    s->msi.gvec = gvec;
    s->msi.gflags = gflags;
    trace_xen_pt_msi_bind(s->fn.host.name, s->msi.pirq, s->msi.nvec, gvec,
                          gflags);
}

void xpt_msi_mask_update(XenPCIPassthroughState *s)
{
    XpfMsiState m;

    /*
     * Per-vector mask bits stay virtual (XSA-129): Xen owns the function's
     * MSI programming, including its mask bits.
     */
    xpf_msi_state(s->fn.xpf, &m);
    trace_xen_pt_msi_mask(s->fn.host.name, m.mask);
}

void xpt_msi_teardown(XenPCIPassthroughState *s)
{
    if (!s->msi.bound) {
        return;
    }
    xpt_msi_unbind(s);
    xen_pci_func_host_msi(&s->fn, 0);
}

/* ---- MSI-X ---- */

/* The trapped span: the table's pages within its BAR. */
static uint64_t xpt_msix_span_start(const XptMsix *x)
{
    return x->table_off & XPT_PAGE_MASK;
}

/* Where a table ends in its BAR; 64-bit, as offsets come from the device. */
static uint64_t xpt_msix_table_end(uint32_t table_off, unsigned nentries)
{
    return (uint64_t)table_off + (uint64_t)nentries * MSIX_ENTRY_SIZE;
}

static uint64_t xpt_msix_span_len(const XptMsix *x)
{
    return ROUND_UP(xpt_msix_table_end(x->table_off, x->nentries),
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

    xpf_msix_state(s->fn.xpf, &x);
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
        if (masked) {
            return;     /* map once the guest unmasks it */
        }
        e->pirq = want;
        if (!xen_pci_func_map_msi(&s->fn, true, i, &e->pirq)) {
            return;
        }
    }
    gvec = e->data & 0xff;
    gflags = xen_pci_msi_gflags(e->addr, e->data, !masked);
    if (e->bound && e->gvec == gvec && e->gflags == gflags) {
        return;
    }
    if (s->hv.ops->bind_msi(&s->hv, gvec, e->pirq, gflags,
                            s->msix.table_mapped ? s->msix.table_gaddr +
                            (s->msix.table_off & ~XPT_PAGE_MASK) : 0)) {
        xen_pci_func_error(&s->fn, "binding MSI-X entry %u failed", i);
        return;
    }
    e->bound = true;
    e->gvec = gvec;
    e->gflags = gflags;
    trace_xen_pt_msix_bind(s->fn.host.name, i, e->pirq, gvec, gflags);
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
    if (!xen_pci_host_bar_read(&s->fn.host, x->table_bar,
                           xpt_msix_span_start(x) + addr, buf, size)) {
        xen_pci_func_error(&s->fn, "MSI-X page read at 0x%" HWADDR_PRIx
                           " failed", addr);
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
        xen_pci_func_guest_error(&s->fn, "MSI-X write at 0x%" HWADDR_PRIx
                                 " outside the table (%u entries) dropped",
                                 addr, x->nentries);
        return;
    }
    i = (addr - toff) / MSIX_ENTRY_SIZE;
    field = (addr - toff) % MSIX_ENTRY_SIZE;
    if (field + size > MSIX_ENTRY_SIZE) {
        xen_pci_func_guest_error(&s->fn,
                                 "MSI-X write spanning entries dropped");
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
    trace_xen_pt_msix_write(s->fn.host.name, i, field, val);
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

    xpf_msix_state(s->fn.xpf, &st);
    if (!st.present) {
        return true;
    }
    b = &s->fn.host.bars[st.table_bar < XPF_NUM_BARS ? st.table_bar : 0];
    if (st.table_bar >= XPF_NUM_BARS || !b->size || b->io ||
        xpt_msix_table_end(st.table_offset, st.table_size) > b->size) {
        error_setg(errp, "host PCI device %s: MSI-X table (BAR %u offset "
                   "0x%x, %u entries) lies outside its BAR", s->fn.host.name,
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
        trace_xen_pt_msix_map(s->fn.host.name, gaddr);
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
    xpf_msix_state(s->fn.xpf, &st);
    xen_pci_func_host_msix(&s->fn, st.enabled, st.masked);
    for (i = 0; i < s->msix.nentries; i++) {
        xpt_msix_entry_update(s, i);
    }
    trace_xen_pt_msix_ctrl(s->fn.host.name, st.enabled, st.masked);
}

void xpt_msix_teardown(XenPCIPassthroughState *s)
{
    XptMsix *x = &s->msix;
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
    xen_pci_func_host_msix(&s->fn, false, false);
    object_unparent(OBJECT(&x->table_mr));
    g_clear_pointer(&x->entries, g_free);
    x->nentries = 0;
}
