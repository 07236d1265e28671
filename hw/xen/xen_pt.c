/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * xen-pci-passthrough: a host PCI function given to an HVM guest.
 *
 * Xen forwards the guest's config-space accesses to this device model; the
 * shared register-filter engine (hw/xen/pci-filter) decides what the guest
 * sees and what reaches the function, and raises events on which this file
 * maps BARs into the guest and wires interrupts through the hypervisor.
 * libxl's contract is kept: type name, "hostaddr", "permissive", the device
 * id it gives, "addr", and QMP device_add / device_del.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/visitor.h"
#include "qemu/error-report.h"
#include "qemu/module.h"
#include "exec/address-spaces.h"
#include "hw/pci/pci.h"
#include "hw/qdev-properties.h"
#include "hw/qdev-properties-system.h"
#include "hw/xen/xen.h"
#include "hw/xen/xen_igd.h"
#include "system/qtest.h"
#include "system/xen.h"
#include "xen_pt.h"
#include "trace.h"

/* ---- BAR mapping ---- */

/* Where the guest placed a BAR, or false while it is unmapped/sizing. */
static bool xpt_bar_guest_addr(const XpfBarState *b, uint64_t *addr)
{
    uint64_t last = b->addr + b->size - 1;
    uint64_t limit = b->io ? 0xffff : b->mem64 ? UINT64_MAX : UINT32_MAX;

    if (!b->enabled || !b->size || !b->addr || last < b->addr ||
        last > limit || last == limit) {
        return false;
    }
    *addr = b->addr;
    return true;
}

static void xpt_map_mmio(XenPCIPassthroughState *s, unsigned slot,
                         uint64_t gaddr, uint64_t off, uint64_t len, bool add)
{
    uint64_t maddr = xen_pci_func_bar(&s->fn, slot)->addr + off;
    uint64_t nr = DIV_ROUND_UP((maddr & ~XPT_PAGE_MASK) + len,
                               XPT_PAGE_SIZE);

    if (!len) {
        return;
    }
    if ((gaddr + off) % XPT_PAGE_SIZE != maddr % XPT_PAGE_SIZE) {
        xen_pci_func_guest_error(&s->fn, "BAR %u at 0x%" PRIx64 " is not "
                                 "page-aligned like the host's", slot,
                                 gaddr);
    }
    trace_xen_pt_map_mmio(xen_pci_func_name(&s->fn), slot, gaddr + off, maddr,
                          len, add);
    xen_pci_func_map_mmio(&s->fn, (gaddr + off) >> XPT_PAGE_SHIFT,
                          maddr >> XPT_PAGE_SHIFT, nr, add);
}

/* The ROM is a copy of the host's image, served by QEMU. */
static void xpt_rom_map(XenPCIPassthroughState *s, uint64_t gaddr, bool add)
{
    if (!s->rom_loaded) {
        return;
    }
    trace_xen_pt_map_rom(xen_pci_func_name(&s->fn), gaddr, add);
    if (add) {
        memory_region_add_subregion_overlap(get_system_memory(), gaddr,
                                            &s->rom, 1);
    } else {
        memory_region_del_subregion(get_system_memory(), &s->rom);
    }
}

/* Map or unmap one BAR; the MSI-X table pages stay trapped. */
static void xpt_bar_map(XenPCIPassthroughState *s, unsigned slot,
                        uint64_t gaddr, bool add)
{
    const XpfBar *hb = xen_pci_func_bar(&s->fn, slot);
    uint64_t size = hb->size;

    if (slot == XPF_ROM_SLOT) {
        xpt_rom_map(s, gaddr, add);
        return;
    }
    if (hb->io) {
        trace_xen_pt_map_ioport(xen_pci_func_name(&s->fn), slot, gaddr,
                                hb->addr, size, add);
        xen_pci_func_map_ioport(&s->fn, gaddr, hb->addr, size, add);
        return;
    }
    if (s->msix.nentries && slot == s->msix.table_bar) {
        uint64_t t0 = s->msix.table_off & XPT_PAGE_MASK;
        uint64_t t1 = ROUND_UP(s->msix.table_off + s->msix.nentries * 16,
                               XPT_PAGE_SIZE);

        xpt_map_mmio(s, slot, gaddr, 0, MIN(t0, size), add);
        if (t1 < size) {
            xpt_map_mmio(s, slot, gaddr, t1, size - t1, add);
        }
        return;
    }
    xpt_map_mmio(s, slot, gaddr, 0, size, add);
}

static void xpt_bars_update(XenPCIPassthroughState *s)
{
    unsigned slot;

    for (slot = 0; slot <= XPF_ROM_SLOT; slot++) {
        XptMapping *m = &s->map[slot];
        XpfBarState b;
        uint64_t addr = 0;
        bool want = xpf_bar_state(s->fn.xpf, slot, &b) &&
                    xpt_bar_guest_addr(&b, &addr);

        if (m->on && (!want || m->addr != addr)) {
            xpt_bar_map(s, slot, m->addr, false);
            m->on = false;
        }
        if (want && !m->on) {
            xpt_bar_map(s, slot, addr, true);
            *m = (XptMapping) { .on = true, .addr = addr };
        }
    }
    xpt_msix_map_update(s);
}

static void xpt_bars_unmap_all(XenPCIPassthroughState *s)
{
    unsigned slot;

    for (slot = 0; slot <= XPF_ROM_SLOT; slot++) {
        if (s->map[slot].on) {
            xpt_bar_map(s, slot, s->map[slot].addr, false);
            s->map[slot].on = false;
        }
    }
}

/* ---- events from the engine ---- */

static void xpt_event(XenPciFunc *fn, const XpfEvent *ev)
{
    XenPCIPassthroughState *s = fn->opaque;

    switch (ev->kind) {
    case XPF_EV_COMMAND:
    case XPF_EV_BAR:
    case XPF_EV_ROM:
        xpt_bars_update(s);
        break;
    case XPF_EV_MSI_CTRL:
    case XPF_EV_MSI_ADDR:
    case XPF_EV_MSI_DATA:
        xen_pci_func_msi_sync(&s->fn);
        break;
    case XPF_EV_MSI_MASK:
        xpt_msi_mask_update(s);
        break;
    case XPF_EV_MSIX_CTRL:
        xpt_msix_ctrl_update(s);
        break;
    case XPF_EV_PM_STATE:
    default:
        /* D-states stay virtual for HVM guests; traced by the function. */
        break;
    }
}

/* ---- config space ---- */

static uint32_t xpt_config_read(PCIDevice *d, uint32_t addr, int len)
{
    XenPCIPassthroughState *s = XEN_PT_DEVICE(d);
    uint32_t val;
    XpfStatus st = xpf_read(s->fn.xpf, addr, len, &val);

    if (st == XPF_E_ACCESS) {
        xen_pci_func_guest_error(&s->fn, "bad config read at 0x%x size %d",
                                 addr, len);
    }
    trace_xen_pt_config_read(xen_pci_func_name(&s->fn), addr, len, val, st);
    return val;
}

static void xpt_config_write(PCIDevice *d, uint32_t addr, uint32_t val,
                             int len)
{
    XenPCIPassthroughState *s = XEN_PT_DEVICE(d);
    XpfStatus st = xpf_write(s->fn.xpf, addr, len, val);

    if (st == XPF_E_ACCESS) {
        xen_pci_func_guest_error(&s->fn, "bad config write at 0x%x size %d",
                                 addr, len);
    }
    trace_xen_pt_config_write(xen_pci_func_name(&s->fn), addr, len, val, st);
}

/* ---- properties ---- */

static bool xpt_apply_policy(Object *obj, const XenPciPolicy *p,
                             Error **errp)
{
    XenPCIPassthroughState *s = XEN_PT_DEVICE(obj);

    return !xen_pci_func_is_open(&s->fn) ||
           xen_pci_func_set_policy(&s->fn, p, errp);
}

static char *xpt_describe_policy(Object *obj)
{
    XenPCIPassthroughState *s = XEN_PT_DEVICE(obj);

    return xen_pci_func_is_open(&s->fn) ?
           xen_pci_func_policy_summary(&s->fn, &s->policy) : NULL;
}

static const XenPciPolicyProps xpt_policy_props = {
    .offset = offsetof(XenPCIPassthroughState, policy),
    .apply = xpt_apply_policy,
    .describe = xpt_describe_policy,
};

static void xpt_get_denied(Object *obj, Visitor *v, const char *name,
                           void *opaque, Error **errp)
{
    uint64_t n = xen_pci_func_denied(&XEN_PT_DEVICE(obj)->fn);

    visit_type_uint64(v, name, &n, errp);
}

static void xpt_get_last_denied(Object *obj, Visitor *v, const char *name,
                                void *opaque, Error **errp)
{
    XenPCIPassthroughState *s = XEN_PT_DEVICE(obj);

    if (!visit_start_list(v, name, NULL, 0, errp)) {
        return;
    }
    if (xen_pci_func_is_open(&s->fn)) {
        xen_pci_func_visit_denied(&s->fn, v, errp);
    }
    visit_end_list(v, NULL);
}

static char *xpt_get_hv_log(Object *obj, Error **errp)
{
    XenPCIPassthroughState *s = XEN_PT_DEVICE(obj);

    return g_strdup(xen_pci_func_hv_log(&s->fn));
}

static bool xpt_get_host_write_fail(Object *obj, Error **errp)
{
    return XEN_PT_DEVICE(obj)->host_write_fail;
}

/* The host's faults for tests, from now on (or from realize). */
static void xpt_host_faults(XenPCIPassthroughState *s)
{
    if (xen_pci_func_is_open(&s->fn)) {
        xen_pci_func_host_faults(&s->fn, s->host_write_fail, s->refuse_intr);
    }
}

static void xpt_set_host_write_fail(Object *obj, bool v, Error **errp)
{
    XenPCIPassthroughState *s = XEN_PT_DEVICE(obj);

    if (!qtest_enabled()) {
        error_setg(errp, "x-host-write-fail is for tests under the qtest "
                   "accelerator only");
        return;
    }
    s->host_write_fail = v;
    xpt_host_faults(s);
}

static bool xpt_get_host_refuse_intr(Object *obj, Error **errp)
{
    return XEN_PT_DEVICE(obj)->refuse_intr;
}

/* From now on, or from realize: dropped as by pciback (tests only). */
static void xpt_set_host_refuse_intr(Object *obj, bool v, Error **errp)
{
    XenPCIPassthroughState *s = XEN_PT_DEVICE(obj);

    if (!qtest_enabled()) {
        error_setg(errp, "x-host-refuse-intr is for tests under the qtest "
                   "accelerator only");
        return;
    }
    s->refuse_intr = v;
    xpt_host_faults(s);
}

/* ---- realize / unrealize ---- */

/* The host function as IGD: refused unless supported (see docs). */
static bool xpt_accept_host(XenPciFunc *fn, Error **errp)
{
    const XenPciAddr *a = xen_pci_func_addr(fn);
    const uint8_t *cfg = xen_pci_func_found_config(fn);
    const char *name = xen_pci_func_name(fn);
    bool igd = a->domain == 0 && a->bus == 0 && a->dev == 2 && a->func == 0 &&
               lduw_le_p(cfg + PCI_VENDOR_ID) == PCI_VENDOR_ID_INTEL &&
               lduw_le_p(cfg + PCI_CLASS_DEVICE) == PCI_CLASS_DISPLAY_VGA;

    if (!igd) {
        return true;
    }
    if (!xen_igd_gfx_pt_enabled()) {
        error_setg(errp, "host PCI device %s is Intel integrated graphics: "
                   "passing it through needs the machine option "
                   "igd-passthru=on", name);
    } else {
        error_setg(errp, "host PCI device %s: IGD passthrough "
                   "(igd-passthru=on) is not supported by this device model",
                   name);
    }
    return false;
}

static bool xpt_in_stubdom(const XenPCIPassthroughState *s)
{
    return xen_is_stubdomain || s->local_addr;
}

static bool xpt_open_func(XenPCIPassthroughState *s, Error **errp)
{
    XenPciFuncConfig c = {
        .owner = TYPE_XEN_PT_DEVICE, .sysfs_root = s->sysfs_root,
        .addr = {
            .domain = s->hostaddr.domain, .bus = s->hostaddr.bus,
            .dev = s->hostaddr.slot, .func = s->hostaddr.function,
        },
        .stubdom = xpt_in_stubdom(s), .local_addr = s->local_addr,
        .policy = &s->policy, .domid = xen_domid, .hv_fail = &s->hv_fail,
        .host_fail_writes = s->host_write_fail,
        .no_strict_reset = s->no_strict_reset,
        .power_mgmt = s->power_mgmt, .msi_single = true,
        .host_refuse_intr = s->refuse_intr,
        .accept = xpt_accept_host,
        .event = xpt_event, .opaque = s,
    };

    if (s->hostaddr.domain == UINT32_MAX) {
        error_setg(errp, "xen-pci-passthrough needs the hostaddr property "
                   "(DDDD:BB:DD.F)");
        return false;
    }
    if ((s->sysfs_root || s->local_addr) && !qtest_enabled()) {
        error_setg(errp, "x-sysfs-root and x-local-addr are for tests under "
                   "the qtest accelerator only");
        return false;
    }
    return xen_pci_func_open(&s->fn, &c, errp);
}

/* Mirror the IDs into QEMU's own config copy (query-pci, pci_intx()). */
static void xpt_mirror_ids(XenPCIPassthroughState *s)
{
    PCIDevice *d = PCI_DEVICE(s);
    unsigned off;

    for (off = 0; off < PCI_CONFIG_HEADER_SIZE; off += 4) {
        uint32_t v;

        xpf_read(s->fn.xpf, off, 4, &v);
        stl_le_p(d->config + off, v);
    }
    /* QEMU's copy must not decode: BARs are Xen's business. */
    pci_set_word(d->config + PCI_COMMAND, 0);
    memset(d->config + PCI_BASE_ADDRESS_0, 0, 24);
    pci_set_long(d->config + PCI_ROM_ADDRESS, 0);
}

/* Copy the host's expansion ROM; without one the ROM BAR stays empty. */
static void xpt_rom_load(XenPCIPassthroughState *s)
{
    uint64_t size = xen_pci_func_bar(&s->fn, XPF_ROM_SLOT)->size;
    g_autofree uint8_t *data = NULL;
    Error *err = NULL;
    size_t len = 0;

    if (!size) {
        return;
    }
    data = xen_pci_func_read_rom(&s->fn, &len, &err);
    if (!data) {
        warn_report_err(err);
        return;
    }
    if (!memory_region_init_rom(&s->rom, OBJECT(s), "xen-pt-rom", size,
                                &err)) {
        warn_report_err(err);
        return;
    }
    memcpy(memory_region_get_ram_ptr(&s->rom), data, MIN(len, size));
    s->rom_loaded = true;
}

/* Undoes whatever realize did, also when it stopped half way. */
static void xpt_teardown(XenPCIPassthroughState *s)
{
    if (xen_pci_func_is_open(&s->fn)) {
        /* BARs first: the MSI-X table's page is left out as when mapped */
        xpt_bars_unmap_all(s);
        xpt_msix_teardown(s);
    }
    /* interrupts, grants, reset: the function layer's undo */
    xen_pci_func_close(&s->fn);
    if (s->rom_loaded) {
        object_unparent(OBJECT(&s->rom));
        s->rom_loaded = false;
    }
}

static void xpt_realize(PCIDevice *d, Error **errp)
{
    XenPCIPassthroughState *s = XEN_PT_DEVICE(d);
    if (!xpt_open_func(s, errp) || !xpt_msix_init(s, errp)) {
        xpt_teardown(s);
        return;
    }
    /*
     * The guest starts with the function as after reset: no decoding,
     * BARs unassigned (hvmloader or the guest's OS places them), so
     * nothing lands on the guest's RAM at the host's addresses.
     */
    xpf_reset_guest_view(s->fn.xpf);
    /*
     * The interrupt line is the guest's firmware's or OS's to assign (0
     * until then, as upstream): dom0's value, or in a stubdomain the GSI
     * pciback shows there, means nothing to the guest.
     */
    xpf_set_interrupt_line(s->fn.xpf, 0);
    xpt_mirror_ids(s);
    if (!xen_pci_func_intx_bind(&s->fn, pci_dev_bus_num(d), PCI_SLOT(d->devfn),
                                pci_intx(d), errp)) {
        xpt_teardown(s);
        return;
    }
    xpt_rom_load(s);
    trace_xen_pt_realize(xen_pci_func_name(&s->fn), pci_dev_bus_num(d),
                         PCI_SLOT(d->devfn), PCI_FUNC(d->devfn));
}

static void xpt_exit(PCIDevice *d)
{
    XenPCIPassthroughState *s = XEN_PT_DEVICE(d);

    trace_xen_pt_unrealize(xen_pci_func_name(&s->fn) ?: "?");
    xpt_teardown(s);
}

static void xpt_instance_init(Object *obj)
{
    XenPCIPassthroughState *s = XEN_PT_DEVICE(obj);

    /* No hostaddr given: realize says so instead of taking 0000:00:00.0. */
    s->hostaddr.domain = UINT32_MAX;
    s->policy.allow_interrupt_control = true;
    /* tests: hypercall steps that fail (bit n: XenPciHvOps op n) */
    object_property_add_uint64_ptr(obj, "x-hv-fail", &s->hv_fail,
                                   OBJ_PROP_FLAG_READWRITE);
}

static void xpt_instance_finalize(Object *obj)
{
    xen_pci_policy_free(&XEN_PT_DEVICE(obj)->policy);
}

static const Property xpt_properties[] = {
    DEFINE_PROP_PCI_HOST_DEVADDR("hostaddr", XenPCIPassthroughState,
                                 hostaddr),
    DEFINE_PROP_BOOL("no-strict-reset", XenPCIPassthroughState,
                     no_strict_reset, false),
    /* the name Qubes' libxl passes in device_add */
    DEFINE_PROP_BOOL("power_mgmt", XenPCIPassthroughState, power_mgmt, false),
    DEFINE_PROP_STRING("x-sysfs-root", XenPCIPassthroughState, sysfs_root),
    /* tests: act as in a stubdomain where pcifront shows it at this address */
    DEFINE_PROP_STRING("x-local-addr", XenPCIPassthroughState, local_addr),
};

static void xpt_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIDeviceClass *k = PCI_DEVICE_CLASS(klass);

    k->realize = xpt_realize;
    k->exit = xpt_exit;
    k->config_read = xpt_config_read;
    k->config_write = xpt_config_write;
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);
    dc->desc = "Assign a host PCI device to a Xen HVM guest";
    device_class_set_props(dc, xpt_properties);

    xen_pci_policy_class_init(klass, &xpt_policy_props);
    object_class_property_add(klass, "denied-writes", "uint64",
                              xpt_get_denied, NULL, NULL, NULL);
    object_class_property_add(klass, "last-denied-writes", "list",
                              xpt_get_last_denied, NULL, NULL, NULL);
    object_class_property_set_description(klass, "last-denied-writes",
        "the last guest writes the filter denied, with the reason and "
        "the setting that would allow each");
    object_class_property_add_str(klass, "x-hypercall-log", xpt_get_hv_log,
                                  NULL);
    object_class_property_add_bool(klass, "x-host-write-fail",
                                   xpt_get_host_write_fail,
                                   xpt_set_host_write_fail);
    /* tests: the host drops MSI/MSI-X control writes, as pciback may */
    object_class_property_add_bool(klass, "x-host-refuse-intr",
                                   xpt_get_host_refuse_intr,
                                   xpt_set_host_refuse_intr);
}

static const TypeInfo xpt_info = {
    .name = TYPE_XEN_PT_DEVICE,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(XenPCIPassthroughState),
    .instance_init = xpt_instance_init,
    .instance_finalize = xpt_instance_finalize,
    .class_init = xpt_class_init,
    .interfaces = (InterfaceInfo[]) {
        { INTERFACE_CONVENTIONAL_PCI_DEVICE },
        { },
    },
};

static void xpt_register_types(void)
{
    type_register_static(&xpt_info);
}

type_init(xpt_register_types)
