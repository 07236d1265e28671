/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Xen PCI passthrough, host side: one host function as dom0's sysfs shows
 * it (config space, resources, ROM, IRQ, reset).
 */
#ifndef HW_XEN_XEN_PT_HOST_H
#define HW_XEN_XEN_PT_HOST_H

#include "hw/xen/xen-pci-filter.h"

#define XPT_SYSFS_ROOT "/sys/bus/pci/devices"

typedef struct XptHost {
    uint16_t domain;
    uint8_t bus, dev, func;
    char *name;                  /* "DDDD:BB:DD.F" */
    char *dir;                   /* its sysfs directory */
    int config_fd;
    size_t config_size;          /* 256 or 4096 */
    uint8_t saved[XPF_CFG_SIZE]; /* config space as found, for restore */
    XpfBar bars[XPF_NUM_BARS + 1];
    int irq;                     /* dom0's IRQ (GSI) for INTx, 0: none */
    bool claimed;
} XptHost;

/*
 * Open the host function @domain:@bus:@dev.@func under @root: read its
 * config space and resources, and claim it (one passthrough device per
 * host function).  On failure nothing stays open or claimed.
 */
bool xpt_host_open(XptHost *h, const char *root, uint16_t domain,
                   uint8_t bus, uint8_t dev, uint8_t func, Error **errp);
void xpt_host_close(XptHost *h);

/* Config space accessors, and the engine's host ops made of them. */
extern const XpfHostOps xpt_host_cfg_ops;
int xpt_host_cfg_read(void *opaque, unsigned off, unsigned size,
                      uint32_t *val);
int xpt_host_cfg_write(void *opaque, unsigned off, unsigned size,
                       uint32_t val);

/* Read-modify-write of a host config register (the path's own access). */
bool xpt_host_cfg_update(XptHost *h, unsigned off, unsigned size,
                         uint32_t clear, uint32_t set);

/* Decoding on for every BAR the function has, for the whole assignment. */
void xpt_host_enable_decode(XptHost *h);

/* Function reset through sysfs, then the saved config written back. */
bool xpt_host_reset_restore(XptHost *h, Error **errp);

/* Read @size bytes at @off of BAR @bar (e.g. the MSI-X PBA), no /dev/mem. */
bool xpt_host_bar_read(XptHost *h, unsigned bar, uint64_t off, void *buf,
                       size_t size);

/* The expansion ROM's contents (g_free), or NULL with @errp set. */
uint8_t *xpt_host_read_rom(XptHost *h, size_t *size, Error **errp);

#endif
