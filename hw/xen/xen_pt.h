/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * xen-pci-passthrough: a host PCI function given to an HVM guest, its
 * config space filtered by the shared register-filter engine.
 */
#ifndef HW_XEN_XEN_PT_H
#define HW_XEN_XEN_PT_H

#include "hw/pci/pci_device.h"
#include "exec/memory.h"
#include "hw/xen/xen-pci-filter.h"
#include "qom/object.h"
#include "xen-pci-func.h"

#define TYPE_XEN_PT_DEVICE "xen-pci-passthrough"

/* Xen maps guest memory in 4 KiB frames (gfn/mfn). */
#define XPT_PAGE_SHIFT 12
#define XPT_PAGE_SIZE (1ull << XPT_PAGE_SHIFT)
#define XPT_PAGE_MASK (~(XPT_PAGE_SIZE - 1))
OBJECT_DECLARE_SIMPLE_TYPE(XenPCIPassthroughState, XEN_PT_DEVICE)

/* A BAR (or the ROM) as mapped into the guest. */
typedef struct XptMapping {
    bool on;
    uint64_t addr;
} XptMapping;

/* An MSI-X table entry as the guest sees it (Xen's side: fn.intr). */
typedef struct XptMsixEntry {
    uint64_t addr;
    uint32_t data;
    uint32_t ctrl;       /* vector control, bit 0: masked */
} XptMsixEntry;

typedef struct XptMsix {
    unsigned nentries;
    unsigned table_bar;
    uint32_t table_off;
    MemoryRegion table_mr;   /* the table's pages, trapped */
    bool table_mapped;
    uint64_t table_gaddr;
    XptMsixEntry *entries;
} XptMsix;

struct XenPCIPassthroughState {
    PCIDevice parent_obj;

    /* properties */
    PCIHostDeviceAddress hostaddr;
    XenPciPolicy policy;             /* permissive, quirks, ... */
    char *sysfs_root;                /* x-sysfs-root, tests only */
    char *local_addr;                /* x-local-addr, tests only */
    bool refuse_intr;                /* x-host-refuse-intr, tests only */
    bool host_write_fail;            /* x-host-write-fail, tests only */
    bool no_strict_reset;            /* pass through without a reset */
    bool power_mgmt;                 /* guest D-states reach the function */

    uint64_t hv_fail;                /* x-hv-fail, tests only */

    XenPciFunc fn;                   /* the host function, filtered */
    XptMapping map[XPF_NUM_BARS + 1];
    MemoryRegion rom;                /* the host's ROM image, if readable */
    bool rom_loaded;
    XptMsix msix;
};

/* MSI and MSI-X (xen_pt_msi.c). */
void xpt_msi_mask_update(XenPCIPassthroughState *s);
bool xpt_msix_init(XenPCIPassthroughState *s, Error **errp);
void xpt_msix_ctrl_update(XenPCIPassthroughState *s);
void xpt_msix_map_update(XenPCIPassthroughState *s);
void xpt_msix_teardown(XenPCIPassthroughState *s);

#endif
