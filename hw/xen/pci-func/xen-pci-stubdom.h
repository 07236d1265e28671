/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * A device model in a Linux stubdomain reaches each host function through
 * its own xen-pcifront, which dom0's pciback may number differently (its
 * default "vpci" mode puts every function on a virtual bus 0000:00).
 * libxl names the function by dom0's address (hostaddr); the backend's
 * xenstore directory pairs each dom0 address (dev-N) with the address
 * pcifront gives it (vdev-N).  This looks that pair up.
 *
 * Everything read from xenstore is host input: checked, and any problem
 * reported with the key it came from.
 */
#ifndef HW_XEN_PCI_FUNC_XEN_PCI_STUBDOM_H
#define HW_XEN_PCI_FUNC_XEN_PCI_STUBDOM_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include "hw/xen/xen-pci-addr.h"

/* A xenstore read (g_free), NULL when the key is absent. */
typedef char *XenPciXsReadFn(void *opaque, const char *path);

/* The frontend's xenstore key naming its PCI backend (relative path). */
#define XEN_PCI_STUBDOM_FRONTEND "device/pci/0/backend"

/* pciback publishes at most this many functions per frontend. */
#define XEN_PCI_STUBDOM_MAX_DEVS 256

/*
 * The address, in this (stub)domain, of dom0's function @host: through
 * @read, the frontend's backend path, then the backend's dev-N / vdev-N.
 */
bool xen_pci_stubdom_local_addr(XenPciXsReadFn *read, void *opaque,
                                const XenPciAddr *host, XenPciAddr *local,
                                GError **errp);

#endif
