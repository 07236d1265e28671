/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * A PCI function's address: parse and format (see xen-pci-addr.h).
 */
#include <stdio.h>
#include <string.h>
#include <glib.h>
#include "hw/xen/xen-pci-addr.h"

/* A hexadecimal field of 1 to 4 digits, at most @max. */
static bool xen_pci_hex_field(const char *s, size_t len, unsigned max,
                              unsigned *out)
{
    unsigned v = 0;
    size_t i;

    if (!len || len > 4) {
        return false;
    }
    for (i = 0; i < len; i++) {
        if (!g_ascii_isxdigit(s[i])) {
            return false;
        }
        v = v * 16 + g_ascii_xdigit_value(s[i]);
    }
    *out = v;
    return v <= max;
}

bool xen_pci_addr_parse(const char *text, XenPciAddr *a)
{
    static const unsigned max[] = { 0xffff, 0xff, 0x1f, 7 };
    const char *dot = strchr(text, '.');
    unsigned colons = 0, v[4] = { 0 }, i;
    const char *p;

    for (p = text; *p; p++) {
        colons += *p == ':';
    }
    if (!dot || strchr(dot + 1, '.') || strchr(dot, ':') ||
        colons < 1 || colons > 2) {
        return false;
    }
    /* fields from the domain's (left out: 0) to the function's */
    p = text;
    for (i = colons == 1; i < 4; i++) {
        size_t len = i < 2 ? strcspn(p, ":") : i == 2 ? (size_t)(dot - p)
                                                    : strlen(p);

        if (!xen_pci_hex_field(p, len, max[i], &v[i])) {
            return false;
        }
        p += len + 1;
    }
    *a = (XenPciAddr) { .domain = v[0], .bus = v[1], .dev = v[2],
                        .func = v[3] };
    return true;
}

char *xen_pci_addr_format(const XenPciAddr *a,
                          char buf[XEN_PCI_ADDR_STRLEN])
{
    snprintf(buf, XEN_PCI_ADDR_STRLEN, "%04x:%02x:%02x.%x", a->domain,
             a->bus, a->dev & 0x1f, a->func & 7);
    return buf;
}

bool xen_pci_addr_equal(const XenPciAddr *a, const XenPciAddr *b)
{
    return a->domain == b->domain && a->bus == b->bus && a->dev == b->dev &&
           a->func == b->func;
}

uint32_t xen_pci_addr_sbdf(const XenPciAddr *a)
{
    return (uint32_t)a->domain << 16 | a->bus << 8 | (a->dev & 0x1f) << 3 |
           (a->func & 7);
}
