/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * A PCI function's address, one type for every part of the overlay: its
 * parser takes what Xen's tools and pciback take, its formatter writes
 * the canonical form dom0's sysfs, libxl and pciback use.  Plain C.
 */
#ifndef HW_XEN_XEN_PCI_ADDR_H
#define HW_XEN_XEN_PCI_ADDR_H

#include <stdbool.h>
#include <stdint.h>

typedef struct XenPciAddr {
    uint16_t domain;
    uint8_t bus, dev, func;
} XenPciAddr;

/* "DDDD:BB:DD.F" and its terminating NUL. */
#define XEN_PCI_ADDR_STRLEN 13

/*
 * Parse "[DDDD:]BB:DD.F", hexadecimal, each field in range, nothing
 * before or after: the domain may be left out (0, as xl and pciback take
 * it) and fields may be shorter ("0:0:4.0"); pciback's vdev-N keys write
 * the function with two digits ("DDDD:BB:DD.FF"), also taken.
 */
bool xen_pci_addr_parse(const char *text, XenPciAddr *a);
/* "DDDD:BB:DD.F" into @buf, which is returned. */
char *xen_pci_addr_format(const XenPciAddr *a,
                          char buf[XEN_PCI_ADDR_STRLEN]);
bool xen_pci_addr_equal(const XenPciAddr *a, const XenPciAddr *b);
/* Bus, device and function as one 16-bit BDF; with the domain, an SBDF. */
uint32_t xen_pci_addr_sbdf(const XenPciAddr *a);

#endif
