/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Xen integrated graphics (IGD) passthrough: the machine option
 * igd-passthru and the hooks the pc machines call.
 */
#ifndef HW_XEN_XEN_IGD_H
#define HW_XEN_XEN_IGD_H

/* The machine option igd-passthru (accel/xen). */
bool xen_igd_gfx_pt_enabled(void);
void xen_igd_gfx_pt_set(bool value, Error **errp);

/* With igd-passthru, slot 2 of the pc machine's bus is kept for IGD. */
void xen_igd_reserve_slot(PCIBus *pci_bus);

#endif
