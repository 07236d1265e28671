/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Xen PCI register-filter engine: state shared by the engine's own files.
 */
#ifndef HW_XEN_PCI_FILTER_XPF_INTERNAL_H
#define HW_XEN_PCI_FILTER_XPF_INTERNAL_H

#include "hw/xen/xen-pci-filter.h"

/* Standard register offsets and bits (PCI Local Bus 3.0, PCIe 6.0). */
#define XPF_VENDOR_ID           0x00
#define XPF_COMMAND             0x04
#define XPF_STATUS              0x06
#define XPF_HEADER_TYPE         0x0e
#define XPF_BAR0                0x10
#define XPF_ROM                 0x30
#define XPF_CAP_PTR             0x34
#define XPF_INTERRUPT_LINE      0x3c
#define XPF_INTERRUPT_PIN       0x3d

#define XPF_CMD_IO              0x0001
#define XPF_CMD_MEM             0x0002
#define XPF_CMD_MASTER          0x0004
#define XPF_CMD_INTX_DISABLE    0x0400
#define XPF_STATUS_CAP_LIST     0x0010

#define XPF_CAP_ID_PM           0x01
#define XPF_CAP_ID_VPD          0x03
#define XPF_CAP_ID_MSI          0x05
#define XPF_CAP_ID_VNDR         0x09
#define XPF_CAP_ID_EXP          0x10
#define XPF_CAP_ID_MSIX         0x11
#define XPF_EXT_CAP_ID_AER      0x0001

#define XPF_MSI_FLAGS_ENABLE    0x0001
#define XPF_MSI_FLAGS_MMC       0x000e
#define XPF_MSI_FLAGS_MME       0x0070
#define XPF_MSI_FLAGS_64BIT     0x0080
#define XPF_MSI_FLAGS_MASKBIT   0x0100
#define XPF_MSIX_LEN            12      /* bytes of the MSI-X capability */
#define XPF_MSIX_FLAGS_QSIZE    0x07ff
#define XPF_MSIX_FLAGS_MASKALL  0x4000
#define XPF_MSIX_FLAGS_ENABLE   0x8000
#define XPF_PM_CTRL_STATE       0x0003
#define XPF_VPD_ADDR_F          0x8000

/*
 * Why a write was denied, as the decisions name it; xpf_denied_knob()
 * maps each to what would let the write through.
 */
#define XPF_WHY_UNLISTED        "unlisted register"
#define XPF_WHY_INTX_ONE_TYPE   "INTx enable while MSI/MSI-X is enabled"
#define XPF_WHY_MSI_NEEDS_INTR  "MSI enable needs allow_interrupt_control"
#define XPF_WHY_MSI_ONE_TYPE    "MSI enable while MSI-X is enabled"
#define XPF_WHY_MSIX_NEEDS_INTR \
    "MSI-X enable/mask needs allow_interrupt_control"
#define XPF_WHY_MSIX_ONE_TYPE   "MSI-X enable while MSI is enabled"

struct XpfReg {
    XpfRegDesc d;
    uint32_t val;        /* emulated bits (d.emu) */
    uint32_t width;      /* mask of the register's bits */
    uint32_t hostbits;   /* bits whose value comes from the host */
    bool quirk;
};

struct XpfDevice {
    XpfHostOps host;
    void *host_opaque;
    XpfPathOps path;
    void *path_opaque;
    XpfPolicy policy;
    XpfIntrType host_intr;           /* MSI / MSI-X on in the host */
    unsigned cfg_size;               /* 256 or 4096 */
    XpfBar bars[XPF_NUM_BARS + 1];
    /* Capabilities kept in the guest's view (0: absent or hidden). */
    uint16_t cap_pm, cap_vpd, cap_msi, cap_msix, cap_exp, ext_aer;
    uint8_t cap_msi_len;             /* bytes of the MSI capability */
    bool hide_msi;                   /* MSI, MSI-X unlinked (XpfConfig) */
    bool msi_single;                 /* MSI offers one message (XpfConfig) */
    XpfStats stats;
    unsigned nregs;
    unsigned alloc;
    XpfReg *regs;                    /* sorted by offset, never overlapping */
    uint8_t at[XPF_CFG_SIZE];        /* byte -> 1 + index into regs, 0: none */
};

static inline uint32_t xpf_width_mask(unsigned size)
{
    return (uint32_t)((1ull << (8 * size)) - 1);
}

static inline XpfReg *xpf_reg_at(XpfDevice *d, unsigned off)
{
    unsigned i = d->at[off];

    return i ? &d->regs[i - 1] : NULL;
}

/* The engine's standard layout (xpf-layout.c). */
bool xpf_register_layout(XpfDevice *d, const uint8_t *cfg, XpfExtCapMode mode,
                         GError **errp);

/* Raise an event to the path. */
void xpf_emit(XpfDevice *d, XpfEventKind kind, unsigned index,
              uint32_t old_val, uint32_t new_val);

#endif /* HW_XEN_PCI_FILTER_XPF_INTERNAL_H */
