/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * xen-pci-passthrough: MSI and MSI-X.
 *
 * The engine keeps the guest's MSI and MSI-X state virtual; the function
 * layer (fn.intr) turns it into pirqs bound through Xen.  The MSI-X table
 * is trapped (its pages
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

void xpt_msi_mask_update(XenPCIPassthroughState *s)
{
    XpfMsiState m;

    /*
     * Per-vector mask bits stay virtual (XSA-129): Xen owns the function's
     * MSI programming, including its mask bits.
     */
    xpf_msi_state(s->fn.xpf, &m);
    trace_xen_pt_msi_mask(xen_pci_func_name(&s->fn), m.mask);
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

/* The table's guest address for Xen's mask emulation, 0: unmapped. */
static uint64_t xpt_msix_gtable(const XptMsix *x)
{
    return x->table_mapped ? x->table_gaddr + (x->table_off & ~XPT_PAGE_MASK)
                           : 0;
}

/*
 * Bring entry @i's binding in line with the guest's state; one that
 * cannot be set up reads as masked, so the guest sees it is not live.
 */
static void xpt_msix_entry_update(XenPCIPassthroughState *s, unsigned i)
{
    XptMsixEntry *e = &s->msix.entries[i];
    XenPciMsg m = {
        .addr = e->addr, .data = e->data,
        .masked = e->ctrl & MSIX_VECTOR_MASKED,
    };

    if (!xen_pci_func_msix_entry(&s->fn, i, &m, xpt_msix_gtable(&s->msix))) {
        e->ctrl |= MSIX_VECTOR_MASKED;
    }
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
    if (!xen_pci_func_bar_read(&s->fn, x->table_bar,
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
    trace_xen_pt_msix_write(xen_pci_func_name(&s->fn), i, field, val);
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
    b = xen_pci_func_bar(&s->fn, st.table_bar);
    if (st.table_bar >= XPF_NUM_BARS || !b->size || b->io ||
        xpt_msix_table_end(st.table_offset, st.table_size) > b->size) {
        error_setg(errp, "host PCI device %s: MSI-X table (BAR %u offset "
                   "0x%x, %u entries) lies outside its BAR",
                   xen_pci_func_name(&s->fn), st.table_bar, st.table_offset,
                   st.table_size);
        return false;
    }
    *x = (XptMsix) {
        .nentries = st.table_size, .table_bar = st.table_bar,
        .table_off = st.table_offset,
    };
    x->entries = g_new0(XptMsixEntry, x->nentries);
    for (i = 0; i < x->nentries; i++) {
        x->entries[i] = (XptMsixEntry) { .ctrl = MSIX_VECTOR_MASKED };
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
        trace_xen_pt_msix_map(xen_pci_func_name(&s->fn), gaddr);
        /* Xen learns the table's new guest address. */
        for (i = 0; i < x->nentries; i++) {
            if (!xen_pci_func_msix_rebind(&s->fn, i, xpt_msix_gtable(x))) {
                x->entries[i].ctrl |= MSIX_VECTOR_MASKED;
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
    xen_pci_func_msix_control(&s->fn);
    for (i = 0; i < s->msix.nentries; i++) {
        xpt_msix_entry_update(s, i);
    }
    trace_xen_pt_msix_ctrl(xen_pci_func_name(&s->fn), st.enabled, st.masked);
}

void xpt_msix_teardown(XenPCIPassthroughState *s)
{
    XptMsix *x = &s->msix;

    if (!x->nentries) {
        return;
    }
    /* Xen's side (pirqs, bindings, the host's enable): fn.intr, on close */
    if (x->table_mapped) {
        memory_region_del_subregion(get_system_memory(), &x->table_mr);
        x->table_mapped = false;
    }
    object_unparent(OBJECT(&x->table_mr));
    g_clear_pointer(&x->entries, g_free);
    x->nentries = 0;
}
