/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Xen integrated graphics passthrough: the machine option and slot
 * reservation.  The device model itself refuses IGD with a clear error
 * (xen_pt.c, xpt_accept_host()); the option stays so that machine
 * configurations written for upstream keep parsing and behave the same
 * for other devices.
 */
#include "qemu/osdep.h"
#include "hw/pci/pci.h"
#include "hw/xen/xen_igd.h"
#include "trace.h"

#define XEN_IGD_SLOT 2

static bool xen_igd_gfx_pt;

bool xen_igd_gfx_pt_enabled(void)
{
    return xen_igd_gfx_pt;
}

void xen_igd_gfx_pt_set(bool value, Error **errp)
{
    xen_igd_gfx_pt = value;
}

void xen_igd_reserve_slot(PCIBus *pci_bus)
{
    if (xen_igd_gfx_pt) {
        trace_xen_pt_igd_reserve_slot(XEN_IGD_SLOT);
        pci_bus_set_slot_reserved_mask(pci_bus, 1u << XEN_IGD_SLOT);
    }
}
