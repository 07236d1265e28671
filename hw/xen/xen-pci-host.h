/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * One host PCI function as dom0's sysfs shows it (config space, resources,
 * ROM, IRQ, reset): the host handle of the function layer (xen-pci-func).
 */
#ifndef HW_XEN_XEN_PCI_HOST_H
#define HW_XEN_XEN_PCI_HOST_H

#include "hw/xen/xen-pci-filter.h"
#include "hw/xen/xen-pci-addr.h"

#define XEN_PCI_SYSFS_ROOT "/sys/bus/pci/devices"

/* A GError from the QEMU-free layers as an Error, "@who: " before it. */
void xen_pci_error_from_gerror(Error **errp, const GError *gerr,
                               const char *who);

typedef struct XenPciHost {
    XenPciAddr addr;             /* in dom0 */
    char *name;                  /* "DDDD:BB:DD.F" */
    char *dir;                   /* its sysfs directory */
    int config_fd;
    size_t config_size;          /* 256 or 4096 */
    uint8_t saved[XPF_CFG_SIZE]; /* config space as found, for restore */
    XpfBar bars[XPF_NUM_BARS + 1];
    int irq;                     /* dom0's IRQ (GSI) for INTx, 0: none */
    /* an SR-IOV VF: saved has the kernel's IDs and BARs (xpf_virtfn_view) */
    bool virtfn;
    bool claimed;
    bool fail_writes;            /* tests (qtest only): writes fail, EIO */
    /* tests (qtest only): writes of the MSI/MSI-X control are dropped */
    bool refuse_intr;
} XenPciHost;

/*
 * Open the host function at dom0's address @addr, found under @root as
 * @local ("DDDD:BB:DD.F"; NULL: under its host address, as in dom0): read
 * its config space and resources (an SR-IOV VF's IDs and BARs as the kernel
 * gives them), and claim it (one passthrough device per
 * host function).  On failure nothing stays open or claimed.
 */
bool xen_pci_host_open(XenPciHost *h, const char *root, const char *local,
                       const XenPciAddr *addr, Error **errp);
void xen_pci_host_close(XenPciHost *h);

/*
 * Whether the function may be taken, from its driver binding alone: in dom0
 * it must be bound to pciback (xl pci-assignable-add), never to one of
 * dom0's own drivers nor to none; a stubdomain's function (@pcifront: it
 * is pcifront's, dom0's pciback holds it) must be bound to no driver of
 * the stubdomain.  Reads only the driver link.
 */
bool xen_pci_host_check_driver(const XenPciHost *h, bool pcifront,
                               Error **errp);

/* The first capability @id in the config space as found, 0 if none. */
unsigned xen_pci_saved_cap(const XenPciHost *h, uint8_t id);

/* Config space accessors: 0, or a negative errno. */
int xen_pci_host_cfg_read(void *opaque, unsigned off, unsigned size,
                          uint32_t *val);
int xen_pci_host_cfg_write(void *opaque, unsigned off, unsigned size,
                           uint32_t val);

/* Decoding on for every BAR the function has, for the whole assignment. */
bool xen_pci_host_enable_decode(XenPciHost *h, Error **errp);

/* Function reset through sysfs (where the kernel offers one). */
bool xen_pci_host_reset(XenPciHost *h, Error **errp);
/* The config space as found written back (command register last). */
bool xen_pci_host_restore(XenPciHost *h, Error **errp);

/* Read @size bytes at @off of BAR @bar (e.g. the MSI-X PBA), no /dev/mem. */
bool xen_pci_host_bar_read(XenPciHost *h, unsigned bar, uint64_t off,
                           void *buf, size_t size);

/* The expansion ROM's contents (g_free), or NULL with @errp set. */
uint8_t *xen_pci_host_read_rom(XenPciHost *h, size_t *size, Error **errp);

#endif
