/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Xen PCI register-filter engine: the standard layout.
 *
 * Tables describe each known register relative to its structure (type 0
 * header, capability, extended capability); registering a structure walks
 * its table.  Values that never change (IDs, capability headers, read-only
 * capability registers) are emulated from the host's config space as read
 * at assignment, so reading them costs no host access.
 */
#include "xpf-internal.h"

/* Template flags. */
#define T_INIT_HOST  0x1   /* init = host value & emu */
#define T_MSI64      0x2   /* only with a 64-bit MSI address */
#define T_MSI32      0x4   /* only with a 32-bit MSI address */
#define T_MSI_PVM    0x8   /* only with MSI per-vector masking */
#define T_EXP_LINK   0x10  /* PCIe link and slot registers (v1: not all) */

typedef struct XpfTmpl {
    XpfRegDesc d;        /* offset relative to the structure */
    unsigned flags;
} XpfTmpl;

#define EV_NONE .event = -1

static uint32_t cfg_get(const uint8_t *cfg, unsigned off, unsigned size)
{
    uint32_t v = 0;
    unsigned i;

    for (i = 0; i < size; i++) {
        v |= (uint32_t)cfg[off + i] << (8 * i);
    }
    return v;
}

/* ---- write hooks ---- */

static bool xpf_intr_control_ok(const XpfDevice *d)
{
    return d->policy.permissive || d->policy.allow_interrupt_control;
}

/* On in the guest's view or really on in the host (pciback's view). */
static bool msi_enabled(const XpfDevice *d)
{
    return (d->host_intr & XPF_INTR_MSI) ||
           (d->cap_msi &&
            (xpf_get_emulated(d, d->cap_msi + 2) & XPF_MSI_FLAGS_ENABLE));
}

static bool msix_enabled(const XpfDevice *d)
{
    return (d->host_intr & XPF_INTR_MSIX) ||
           (d->cap_msix &&
            (xpf_get_emulated(d, d->cap_msix + 2) & XPF_MSIX_FLAGS_ENABLE));
}

XpfIntrType xpf_interrupt_type(const XpfDevice *d)
{
    int t = 0;

    if (msi_enabled(d)) {
        t |= XPF_INTR_MSI;
    }
    if (msix_enabled(d)) {
        t |= XPF_INTR_MSIX;
    }
    /* As pciback: INTx counts only while no message type is enabled. */
    if (!t && !(xpf_get_emulated(d, XPF_COMMAND) & XPF_CMD_INTX_DISABLE)) {
        t = XPF_INTR_INTX;
    }
    return (XpfIntrType)t;
}

static bool command_write(XpfDevice *d, const XpfReg *r, uint32_t *val,
                          uint32_t bytes, const char **why)
{
    bool enabling_intx;

    /* Without the policy INTx disable is read-only: keep the old value. */
    if (!xpf_intr_control_ok(d)) {
        *val = (*val & ~XPF_CMD_INTX_DISABLE) |
               (r->val & XPF_CMD_INTX_DISABLE);
        return true;
    }
    enabling_intx = (bytes & XPF_CMD_INTX_DISABLE) &&
                    (r->val & XPF_CMD_INTX_DISABLE) &&
                    !(*val & XPF_CMD_INTX_DISABLE);
    if (enabling_intx && !d->policy.permissive &&
        d->policy.allow_interrupt_control &&
        (msi_enabled(d) || msix_enabled(d))) {
        *why = XPF_WHY_INTX_ONE_TYPE;
        return false;
    }
    return true;
}

static bool msi_ctrl_write(XpfDevice *d, const XpfReg *r, uint32_t *val,
                           uint32_t bytes, const char **why)
{
    uint32_t mmc = (r->val & XPF_MSI_FLAGS_MMC) >> 1;
    uint32_t changed = (*val ^ r->val) & bytes;

    if ((((*val & XPF_MSI_FLAGS_MME) >> 4) > mmc)) {
        /* More vectors than the function has: grant what it has. */
        *val = (*val & ~XPF_MSI_FLAGS_MME) | (mmc << 4);
    }
    if (!(changed & XPF_MSI_FLAGS_ENABLE) || d->policy.permissive) {
        return true;
    }
    if (!d->policy.allow_interrupt_control) {
        *why = XPF_WHY_MSI_NEEDS_INTR;
        return false;
    }
    if ((*val & XPF_MSI_FLAGS_ENABLE) && msix_enabled(d)) {
        *why = XPF_WHY_MSI_ONE_TYPE;
        return false;
    }
    return true;
}

static bool msix_ctrl_write(XpfDevice *d, const XpfReg *r, uint32_t *val,
                            uint32_t bytes, const char **why)
{
    uint32_t ctl = XPF_MSIX_FLAGS_ENABLE | XPF_MSIX_FLAGS_MASKALL;
    uint32_t changed = (*val ^ r->val) & bytes & ctl;

    if (!changed || d->policy.permissive) {
        return true;
    }
    if (!d->policy.allow_interrupt_control) {
        *why = XPF_WHY_MSIX_NEEDS_INTR;
        return false;
    }
    if ((changed & XPF_MSIX_FLAGS_ENABLE) &&
        (*val & XPF_MSIX_FLAGS_ENABLE) && msi_enabled(d)) {
        *why = XPF_WHY_MSIX_ONE_TYPE;
        return false;
    }
    return true;
}

static bool pm_ctrl_write(XpfDevice *d, const XpfReg *r, uint32_t *val,
                          uint32_t bytes, const char **why)
{
    uint32_t pmc = xpf_get_emulated(d, d->cap_pm + 2);
    uint32_t state = *val & XPF_PM_CTRL_STATE;

    /* D1/D2 only where the function supports them; else keep the state. */
    if ((state == 1 && !(pmc & 0x0200)) || (state == 2 && !(pmc & 0x0400))) {
        *val = (*val & ~XPF_PM_CTRL_STATE) | (r->val & XPF_PM_CTRL_STATE);
    }
    return true;
}

static bool vpd_addr_write(XpfDevice *d, const XpfReg *r, uint32_t *val,
                           uint32_t bytes, const char **why)
{
    /* Refused even when permissive, as in pciback. */
    if ((bytes & XPF_VPD_ADDR_F) && (*val & XPF_VPD_ADDR_F)) {
        *why = "VPD write request";
        return false;
    }
    return true;
}

/* ---- tables ---- */

static const XpfTmpl header_tmpl[] = {
    { { .offset = 0x00, .size = 2, .emu = 0xffff, .ro = 0xffff, EV_NONE,
        .name = "vendor" }, T_INIT_HOST },
    { { .offset = 0x02, .size = 2, .emu = 0xffff, .ro = 0xffff, EV_NONE,
        .name = "device" }, T_INIT_HOST },
    /*
     * The command register is virtual: decode and bus master (the guest can
     * never cut decode on the host, XSA-120/126), parity/SERR reporting and
     * memory-write-invalidate; the path acts on XPF_EV_COMMAND.  INTx disable
     * is writable per policy (command_write()).
     */
    { { .offset = 0x04, .size = 2, .emu = 0xffff, .ro = 0xfaa8,
        .write = command_write, .event = XPF_EV_COMMAND,
        .name = "command" }, T_INIT_HOST },
    { { .offset = 0x06, .size = 2, .emu = 0x0010, .ro = 0x06f8,
        .rw1c = 0xf900, .rsvdz = 0x0007, EV_NONE, .name = "status" }, 0 },
    { { .offset = 0x08, .size = 4, .emu = ~0u, .ro = ~0u, EV_NONE,
        .name = "class/revision" }, T_INIT_HOST },
    /* The platform's cache line size, set by dom0, stays on the host. */
    { { .offset = 0x0c, .size = 1, .emu = 0xff, EV_NONE,
        .name = "cache line size" }, T_INIT_HOST },
    { { .offset = 0x0d, .size = 1, .emu = 0xff, .ro = 0xff, EV_NONE,
        .name = "latency timer" }, T_INIT_HOST },
    { { .offset = 0x0e, .size = 1, .emu = 0xff, .ro = 0xff, EV_NONE,
        .name = "header type" }, T_INIT_HOST },
    { { .offset = 0x28, .size = 4, .emu = ~0u, .ro = ~0u, EV_NONE,
        .name = "cardbus cis" }, T_INIT_HOST },
    { { .offset = 0x2c, .size = 2, .emu = 0xffff, .ro = 0xffff, EV_NONE,
        .name = "subsystem vendor" }, T_INIT_HOST },
    { { .offset = 0x2e, .size = 2, .emu = 0xffff, .ro = 0xffff, EV_NONE,
        .name = "subsystem id" }, T_INIT_HOST },
    { { .offset = 0x35, .size = 1, .emu = 0xff, .ro = 0xff, EV_NONE,
        .name = "reserved" }, 0 },
    { { .offset = 0x36, .size = 2, .emu = 0xffff, .ro = 0xffff, EV_NONE,
        .name = "reserved" }, 0 },
    { { .offset = 0x38, .size = 4, .emu = ~0u, .ro = ~0u, EV_NONE,
        .name = "reserved" }, 0 },
    { { .offset = 0x3c, .size = 1, .emu = 0xff, EV_NONE,
        .name = "interrupt line" }, T_INIT_HOST },
    { { .offset = 0x3d, .size = 1, .emu = 0xff, .ro = 0xff, EV_NONE,
        .name = "interrupt pin" }, T_INIT_HOST },
    { { .offset = 0x3e, .size = 1, .emu = 0xff, .ro = 0xff, EV_NONE,
        .name = "min grant" }, T_INIT_HOST },
    { { .offset = 0x3f, .size = 1, .emu = 0xff, .ro = 0xff, EV_NONE,
        .name = "max latency" }, T_INIT_HOST },
};

/* Power management; PME is not offered to guests (as pciback). */
static const XpfTmpl pm_tmpl[] = {
    { { .offset = 2, .size = 2, .emu = 0xffff, .ro = 0xffff, EV_NONE,
        .name = "pm capabilities" }, T_INIT_HOST },
    { { .offset = 4, .size = 2, .emu = 0x010b, .ro = 0x6008,
        .rw1c = 0x8000, .rsvdp = 0x00f4, .write = pm_ctrl_write,
        .event = XPF_EV_PM_STATE, .name = "pm control" }, T_INIT_HOST },
    { { .offset = 6, .size = 1, .emu = 0xff, .ro = 0xff, EV_NONE,
        .name = "pm bridge" }, T_INIT_HOST },
    { { .offset = 7, .size = 1, .ro = 0xff, EV_NONE, .name = "pm data" }, 0 },
};

static const XpfTmpl vpd_tmpl[] = {
    { { .offset = 2, .size = 2, .write = vpd_addr_write, EV_NONE,
        .name = "vpd address" }, 0 },
    { { .offset = 4, .size = 4, .ro = ~0u, EV_NONE, .name = "vpd data" }, 0 },
};

/*
 * MSI: every byte virtual, the path programs the host through Xen.
 * Extended Message Data is not offered: it reads 0 and ignores writes.
 */
static const XpfTmpl msi_tmpl[] = {
    { { .offset = 2, .size = 2, .emu = 0xffff, .ro = 0xff8e,
        .write = msi_ctrl_write, .event = XPF_EV_MSI_CTRL,
        .name = "msi control" }, T_INIT_HOST },
    { { .offset = 4, .size = 4, .emu = ~0u, .ro = 0x3,
        .event = XPF_EV_MSI_ADDR, .name = "msi address" }, 0 },
    { { .offset = 8, .size = 4, .emu = ~0u, .event = XPF_EV_MSI_ADDR,
        .index = 1, .name = "msi address hi" }, T_MSI64 },
    { { .offset = 8, .size = 2, .emu = 0xffff, .event = XPF_EV_MSI_DATA,
        .name = "msi data" }, T_MSI32 },
    { { .offset = 10, .size = 2, .emu = 0xffff, .ro = 0xffff, EV_NONE,
        .name = "msi ext data" }, T_MSI32 },
    { { .offset = 12, .size = 4, .emu = ~0u, .event = XPF_EV_MSI_MASK,
        .name = "msi mask" }, T_MSI32 | T_MSI_PVM },
    { { .offset = 16, .size = 4, .ro = ~0u, EV_NONE,
        .name = "msi pending" }, T_MSI32 | T_MSI_PVM },
    { { .offset = 12, .size = 2, .emu = 0xffff, .event = XPF_EV_MSI_DATA,
        .name = "msi data" }, T_MSI64 },
    { { .offset = 14, .size = 2, .emu = 0xffff, .ro = 0xffff, EV_NONE,
        .name = "msi ext data" }, T_MSI64 },
    { { .offset = 16, .size = 4, .emu = ~0u, .event = XPF_EV_MSI_MASK,
        .name = "msi mask" }, T_MSI64 | T_MSI_PVM },
    { { .offset = 20, .size = 4, .ro = ~0u, EV_NONE,
        .name = "msi pending" }, T_MSI64 | T_MSI_PVM },
};

static const XpfTmpl msix_tmpl[] = {
    { { .offset = 2, .size = 2, .emu = 0xffff, .ro = 0x3fff,
        .write = msix_ctrl_write, .event = XPF_EV_MSIX_CTRL,
        .name = "msix control" }, T_INIT_HOST },
    { { .offset = 4, .size = 4, .emu = ~0u, .ro = ~0u, EV_NONE,
        .name = "msix table" }, T_INIT_HOST },
    { { .offset = 8, .size = 4, .emu = ~0u, .ro = ~0u, EV_NONE,
        .name = "msix pba" }, T_INIT_HOST },
};

/*
 * PCI Express: device control keeps payload sizes, error reporting and
 * function reset virtual; link control is virtual (ASPM, link disable and
 * retrain belong to dom0).  Status registers pass through, rw1c.  Slot and
 * root registers exist only in ports, which are never passed through: an
 * endpoint's are reserved and read as the host had them.
 */
static const XpfTmpl exp_tmpl[] = {
    { { .offset = 0x02, .size = 2, .emu = 0xffff, .ro = 0xffff, EV_NONE,
        .name = "pcie capabilities" }, T_INIT_HOST },
    { { .offset = 0x04, .size = 4, .emu = ~0u, .ro = ~0u, EV_NONE,
        .name = "device capabilities" }, T_INIT_HOST },
    { { .offset = 0x08, .size = 2, .emu = 0x87ef, .ro = 0x8000, EV_NONE,
        .name = "device control" }, T_INIT_HOST },
    { { .offset = 0x0a, .size = 2, .ro = 0xfff0, .rw1c = 0x000f, EV_NONE,
        .name = "device status" }, 0 },
    { { .offset = 0x0c, .size = 4, .emu = ~0u, .ro = ~0u, EV_NONE,
        .name = "link capabilities" }, T_INIT_HOST | T_EXP_LINK },
    { { .offset = 0x10, .size = 2, .emu = 0xffff, .ro = 0x0020, EV_NONE,
        .name = "link control" }, T_INIT_HOST | T_EXP_LINK },
    { { .offset = 0x12, .size = 2, .ro = 0x3fff, .rw1c = 0xc000, EV_NONE,
        .name = "link status" }, T_EXP_LINK },
    { { .offset = 0x14, .size = 4, .emu = ~0u, .ro = ~0u, EV_NONE,
        .name = "slot capabilities" }, T_INIT_HOST | T_EXP_LINK },
    { { .offset = 0x18, .size = 4, .emu = ~0u, .ro = ~0u, EV_NONE,
        .name = "slot control/status" }, T_INIT_HOST | T_EXP_LINK },
    { { .offset = 0x1c, .size = 4, .emu = ~0u, .ro = ~0u, EV_NONE,
        .name = "root control" }, T_INIT_HOST },
    { { .offset = 0x20, .size = 4, .emu = ~0u, .ro = ~0u, EV_NONE,
        .name = "root status" }, T_INIT_HOST },
    { { .offset = 0x24, .size = 4, .emu = ~0u, .ro = ~0u, EV_NONE,
        .name = "device capabilities 2" }, T_INIT_HOST },
    { { .offset = 0x28, .size = 2, .emu = 0xffff, EV_NONE,
        .name = "device control 2" }, T_INIT_HOST },
    { { .offset = 0x2a, .size = 2, .ro = 0xffff, EV_NONE,
        .name = "device status 2" }, 0 },
    { { .offset = 0x2c, .size = 4, .emu = ~0u, .ro = ~0u, EV_NONE,
        .name = "link capabilities 2" }, T_INIT_HOST },
    { { .offset = 0x30, .size = 2, .emu = 0xffff, EV_NONE,
        .name = "link control 2" }, T_INIT_HOST },
    { { .offset = 0x32, .size = 2, .ro = 0xffff, EV_NONE,
        .name = "link status 2" }, 0 },
    { { .offset = 0x34, .size = 4, .emu = ~0u, .ro = ~0u, EV_NONE,
        .name = "slot capabilities 2" }, T_INIT_HOST },
    { { .offset = 0x38, .size = 4, .emu = ~0u, .ro = ~0u, EV_NONE,
        .name = "slot control/status 2" }, T_INIT_HOST },
};

/* AER: status rw1c on the host; masks and severities stay virtual. */
static const XpfTmpl aer_tmpl[] = {
    { { .offset = 0x04, .size = 4, .rw1c = ~0u, EV_NONE,
        .name = "aer uncorrectable status" }, 0 },
    { { .offset = 0x08, .size = 4, .emu = ~0u, EV_NONE,
        .name = "aer uncorrectable mask" }, T_INIT_HOST },
    { { .offset = 0x0c, .size = 4, .emu = ~0u, EV_NONE,
        .name = "aer uncorrectable severity" }, T_INIT_HOST },
    { { .offset = 0x10, .size = 4, .rw1c = ~0u, EV_NONE,
        .name = "aer correctable status" }, 0 },
    { { .offset = 0x14, .size = 4, .emu = ~0u, EV_NONE,
        .name = "aer correctable mask" }, T_INIT_HOST },
    { { .offset = 0x18, .size = 4, .ro = ~0u, EV_NONE,
        .name = "aer capabilities/control" }, 0 },
    { { .offset = 0x1c, .size = 4, .ro = ~0u, EV_NONE,
        .name = "aer header log 0" }, 0 },
    { { .offset = 0x20, .size = 4, .ro = ~0u, EV_NONE,
        .name = "aer header log 1" }, 0 },
    { { .offset = 0x24, .size = 4, .ro = ~0u, EV_NONE,
        .name = "aer header log 2" }, 0 },
    { { .offset = 0x28, .size = 4, .ro = ~0u, EV_NONE,
        .name = "aer header log 3" }, 0 },
};

/* ---- registration helpers ---- */

/*
 * Adapts a row of a structure at @base to the function, before it is
 * registered: registered descriptors never change.
 */
typedef void XpfTmplFixup(const XpfDevice *d, XpfRegDesc *r,
                          const uint8_t *cfg, unsigned base);

/* Register the rows of @t that lie within @len bytes from @base. */
static bool add_tmpl(XpfDevice *d, const uint8_t *cfg, unsigned base,
                     unsigned len, const XpfTmpl *t, size_t n, unsigned skip,
                     XpfTmplFixup *fix, GError **errp)
{
    size_t i;

    for (i = 0; i < n; i++) {
        XpfRegDesc r = t[i].d;

        if ((t[i].flags & skip) || r.offset + r.size > len) {
            continue;
        }
        r.offset += base;
        if (t[i].flags & T_INIT_HOST) {
            r.init = cfg_get(cfg, r.offset, r.size) & r.emu;
        }
        if (fix) {
            fix(d, &r, cfg, base);
        }
        if (!xpf_add_reg(d, &r, errp)) {
            return false;
        }
    }
    return true;
}

static bool add_fixed(XpfDevice *d, unsigned off, unsigned size,
                      uint32_t value, const char *name, GError **errp)
{
    XpfRegDesc r = {
        .offset = off, .size = size, .emu = xpf_width_mask(size),
        .ro = xpf_width_mask(size), .init = value, EV_NONE, .name = name,
    };

    return xpf_add_reg(d, &r, errp);
}

/* ---- BARs ---- */

static bool check_bar(const XpfBar *b, unsigned i, uint32_t raw,
                      GError **errp)
{
    bool io = raw & 1, mem64 = !io && (raw & 0x6) == 0x4;

    if (!b->size) {
        return true;
    }
    if (b->size & (b->size - 1) || b->size < (io ? 4 : 16)) {
        g_set_error(errp, XPF_ERROR, 0, "BAR %u: size 0x%" G_GINT64_MODIFIER
                    "x is not a power of two of at least %u", i, b->size,
                    io ? 4 : 16);
        return false;
    }
    if (io != b->io || mem64 != b->mem64) {
        g_set_error(errp, XPF_ERROR, 0, "BAR %u: the host reports %s but its "
                    "config space says %s", i,
                    b->io ? "I/O" : b->mem64 ? "64-bit memory" : "memory",
                    io ? "I/O" : mem64 ? "64-bit memory" : "memory");
        return false;
    }
    if (mem64 && i == XPF_NUM_BARS - 1) {
        g_set_error(errp, XPF_ERROR, 0, "BAR 5 cannot be 64-bit");
        return false;
    }
    if (!io && !mem64 && b->size > 0x80000000ull) {
        g_set_error(errp, XPF_ERROR, 0, "BAR %u: 32-bit BAR larger than "
                    "2 GiB", i);
        return false;
    }
    return true;
}

static bool add_bars(XpfDevice *d, const uint8_t *cfg, GError **errp)
{
    unsigned i;

    for (i = 0; i < XPF_NUM_BARS; i++) {
        const XpfBar *b = &d->bars[i];
        unsigned off = XPF_BAR0 + 4 * i;
        uint32_t raw = cfg_get(cfg, off, 4);
        XpfRegDesc r = {
            .offset = off, .size = 4, .emu = ~0u, .ro = ~0u,
            .event = XPF_EV_BAR, .index = i, .name = "bar",
        };

        if (!check_bar(b, i, raw, errp)) {
            return false;
        }
        if (b->size) {
            uint32_t flags = b->io ? 0x3 : 0xf;
            uint64_t amask = ~(b->size - 1);

            r.ro = ((uint32_t)~amask) | flags;
            r.init = (raw & ~r.ro) | (raw & (b->io ? 0x1 : 0xf));
            if (b->mem64) {
                XpfRegDesc hi = r;

                if (!xpf_add_reg(d, &r, errp)) {
                    return false;
                }
                hi.offset += 4;
                hi.ro = (uint32_t)~(amask >> 32);
                hi.init = cfg_get(cfg, off + 4, 4) & ~hi.ro;
                hi.name = "bar hi";
                r = hi;
                i++;
            }
        }
        if (!xpf_add_reg(d, &r, errp)) {
            return false;
        }
    }
    return true;
}

static bool add_rom(XpfDevice *d, const uint8_t *cfg, GError **errp)
{
    const XpfBar *b = &d->bars[XPF_ROM_SLOT];
    uint32_t raw = cfg_get(cfg, XPF_ROM, 4);
    XpfRegDesc r = {
        .offset = XPF_ROM, .size = 4, .emu = ~0u, .ro = ~0u,
        .event = XPF_EV_ROM, .name = "rom",
    };

    if (b->size) {
        if (b->size & (b->size - 1) || b->size < 0x800 ||
            b->size > 0x80000000ull) {
            g_set_error(errp, XPF_ERROR, 0, "ROM size 0x%" G_GINT64_MODIFIER
                        "x is not a power of two between 2 KiB and 2 GiB",
                        b->size);
            return false;
        }
        r.ro = ((uint32_t)(b->size - 1) | 0x7fe) & ~1u;
        r.init = raw & ~r.ro;
    }
    return xpf_add_reg(d, &r, errp);
}

/* ---- capabilities ---- */

/* Hide PME support: guests do not get PME (as pciback). */
static void pm_fixup(const XpfDevice *d, XpfRegDesc *r, const uint8_t *cfg,
                     unsigned base)
{
    if (r->offset == base + 2) {
        r->init &= ~0xf800u;
    }
}

/*
 * Extended Message Data is not offered (its capable and enable bits read
 * 0); mask bits beyond the vectors offered are reserved.  With msi_single
 * (XpfConfig) one message is offered: Multiple Message Capable reads 0.
 */
static void msi_fixup(const XpfDevice *d, XpfRegDesc *r, const uint8_t *cfg,
                      unsigned base)
{
    unsigned mmc = d->msi_single ? 0 :
                   MIN((cfg_get(cfg, base + 2, 2) >> 1) & 7, 5u);

    if (r->event == XPF_EV_MSI_CTRL) {
        r->init &= XPF_MSI_FLAGS_ENABLE | XPF_MSI_FLAGS_MMC |
                   XPF_MSI_FLAGS_MME | XPF_MSI_FLAGS_64BIT |
                   XPF_MSI_FLAGS_MASKBIT;
        if (d->msi_single) {
            r->init &= ~(XPF_MSI_FLAGS_MMC | XPF_MSI_FLAGS_MME);
        }
    }
    if (r->event == XPF_EV_MSI_MASK && mmc < 5) {
        r->ro = ~((1u << (1u << mmc)) - 1);
    }
}

typedef struct XpfCapSpec {
    uint8_t id;
    const XpfTmpl *tmpl;
    size_t n;
    unsigned min_len;    /* bytes the structure needs */
    XpfTmplFixup *fix;
} XpfCapSpec;

static const XpfCapSpec cap_specs[] = {
    { XPF_CAP_ID_PM, pm_tmpl, G_N_ELEMENTS(pm_tmpl), 8, pm_fixup },
    { XPF_CAP_ID_VPD, vpd_tmpl, G_N_ELEMENTS(vpd_tmpl), 8, NULL },
    { XPF_CAP_ID_MSI, msi_tmpl, G_N_ELEMENTS(msi_tmpl), 12, msi_fixup },
    { XPF_CAP_ID_VNDR, NULL, 0, 3, NULL },
    { XPF_CAP_ID_EXP, exp_tmpl, G_N_ELEMENTS(exp_tmpl), 0x0c, NULL },
    { XPF_CAP_ID_MSIX, msix_tmpl, G_N_ELEMENTS(msix_tmpl), 12, NULL },
};

static const XpfCapSpec *cap_spec(uint8_t id)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(cap_specs); i++) {
        if (cap_specs[i].id == id) {
            return &cap_specs[i];
        }
    }
    return NULL;
}

static uint16_t *cap_slot(XpfDevice *d, uint8_t id)
{
    switch (id) {
    case XPF_CAP_ID_PM:
        return &d->cap_pm;
    case XPF_CAP_ID_VPD:
        return &d->cap_vpd;
    case XPF_CAP_ID_MSI:
        return &d->cap_msi;
    case XPF_CAP_ID_EXP:
        return &d->cap_exp;
    case XPF_CAP_ID_MSIX:
        return &d->cap_msix;
    default:
        return NULL;
    }
}

/* Which template rows a capability at @pos skips, and its real length. */
static unsigned cap_skip(const uint8_t *cfg, unsigned pos, uint8_t id,
                         unsigned *len)
{
    uint32_t flags = cfg_get(cfg, pos + 2, 2);
    unsigned skip = 0;

    switch (id) {
    case XPF_CAP_ID_MSI:
        skip |= flags & XPF_MSI_FLAGS_64BIT ? T_MSI32 : T_MSI64;
        skip |= flags & XPF_MSI_FLAGS_MASKBIT ? 0 : T_MSI_PVM;
        /* Extended Message Data included: every byte is listed. */
        *len = 12 + (flags & XPF_MSI_FLAGS_64BIT ? 4 : 0) +
               (flags & XPF_MSI_FLAGS_MASKBIT ? 8 : 0);
        break;
    case XPF_CAP_ID_EXP:
        /*
         * Version 2 always has every register; version 1 only those of its
         * port type (PCIe 1.1 7.8): an integrated endpoint (9) the device
         * registers, an event collector (0xa) those and the root
         * registers, without link or slot.  A structure that would cross
         * 0x100 keeps what fits.
         */
        if ((flags & 0xf) >= 2) {
            *len = 0x3c;
        } else {
            unsigned type = (flags >> 4) & 0xf;

            *len = type == 9 ? 0x0c : type <= 1 ? 0x14 : 0x24;
            skip |= type == 0xa ? T_EXP_LINK : 0;
        }
        *len = MIN(*len, XPF_CFG_LEGACY_SIZE - pos);
        break;
    case XPF_CAP_ID_VNDR:
        *len = MAX(cfg[pos + 2], 3u);
        break;
    default:
        *len = cap_spec(id)->min_len;
        break;
    }
    return skip;
}

/* Read-only, host-backed registers over [start, end), aligned pieces. */
static bool add_ro_range(XpfDevice *d, unsigned start, unsigned end,
                         const char *name, GError **errp)
{
    while (start < end) {
        unsigned size = 4;
        XpfRegDesc r = { .offset = start, EV_NONE, .name = name };

        while (size > 1 && (start % size || start + size > end)) {
            size /= 2;
        }
        r.size = size;
        r.ro = xpf_width_mask(size);
        if (!xpf_add_reg(d, &r, errp)) {
            return false;
        }
        start += size;
    }
    return true;
}

static bool add_cap_body(XpfDevice *d, const uint8_t *cfg, unsigned pos,
                         uint8_t id, unsigned len, unsigned skip,
                         GError **errp)
{
    const XpfCapSpec *s = cap_spec(id);

    if (id == XPF_CAP_ID_VNDR) {
        /* Vendor-specific: read-only even when permissive. */
        return add_fixed(d, pos + 2, 1, cfg[pos + 2], "vendor cap length",
                         errp) &&
               add_ro_range(d, pos + 3, pos + len, "vendor cap", errp);
    }
    return add_tmpl(d, cfg, pos, len, s->tmpl, s->n, skip, s->fix, errp);
}

typedef struct XpfFound {
    uint16_t pos;
    uint16_t id;
    uint8_t ver;
    uint16_t len;
    unsigned skip;
    bool aer;            /* extended: the AER structure the rules cover */
} XpfFound;

/* Walk the host's capability list; keep the known, well-formed ones. */
static unsigned scan_caps(XpfDevice *d, const uint8_t *cfg, XpfFound *out,
                          unsigned max)
{
    unsigned n = 0, pos, steps = 0;
    uint64_t seen[4] = { 0 };

    if (!(cfg_get(cfg, XPF_STATUS, 2) & XPF_STATUS_CAP_LIST)) {
        return 0;
    }
    for (pos = cfg[XPF_CAP_PTR] & ~3u; pos >= 0x40 && steps < 48;
         pos = cfg[pos + 1] & ~3u, steps++) {
        uint8_t id = cfg[pos];
        unsigned len = 0, skip = 0;
        uint16_t *slot = cap_slot(d, id);

        if (seen[pos / 64] & (1ull << (pos % 64))) {
            break;      /* a loop in the host's list */
        }
        seen[pos / 64] |= 1ull << (pos % 64);
        if (!cap_spec(id) || (slot && *slot) || n == max) {
            continue;   /* unknown or duplicate: unlinked */
        }
        if (d->hide_msi && (id == XPF_CAP_ID_MSI || id == XPF_CAP_ID_MSIX)) {
            continue;   /* the host cannot enable it: unlinked */
        }
        skip = cap_skip(cfg, pos, id, &len);
        if (pos + MAX(len, cap_spec(id)->min_len) > XPF_CFG_LEGACY_SIZE) {
            continue;   /* runs off the end: unlinked */
        }
        if (slot) {
            *slot = pos;
        }
        if (id == XPF_CAP_ID_MSI) {
            d->cap_msi_len = len;
        }
        out[n++] = (XpfFound) { .pos = pos, .id = id, .len = len,
                                .skip = skip };
    }
    return n;
}

static bool add_caps(XpfDevice *d, const uint8_t *cfg, GError **errp)
{
    XpfFound caps[48];
    unsigned n, i, kept = 0;
    uint32_t status_init;

    n = scan_caps(d, cfg, caps, G_N_ELEMENTS(caps));
    for (i = 0; i < n; i++) {
        unsigned next = i + 1 < n ? caps[i + 1].pos : 0;
        g_autoptr(GError) local = NULL;
        bool ok;

        ok = add_fixed(d, caps[i].pos, 2, caps[i].id | next << 8,
                       "capability header", &local) &&
             add_cap_body(d, cfg, caps[i].pos, caps[i].id, caps[i].len,
                          caps[i].skip, &local);
        if (!ok) {
            /* Overlapping structures: the host's layout is broken. */
            g_propagate_prefixed_error(errp, g_steal_pointer(&local),
                                       "capability 0x%02x at 0x%02x: ",
                                       caps[i].id, caps[i].pos);
            return false;
        }
        kept++;
    }
    status_init = kept ? XPF_STATUS_CAP_LIST : 0;
    return add_fixed(d, XPF_CAP_PTR, 1, kept ? caps[0].pos : 0,
                     "capability pointer", errp) &&
           xpf_set_emulated(d, XPF_STATUS, status_init);
}

/* ---- extended capabilities ---- */

static unsigned scan_extcaps(const uint8_t *cfg, XpfExtCapMode mode,
                             XpfFound *out, unsigned max)
{
    unsigned n = 0, pos = 0x100, steps = 0;

    while (pos >= 0x100 && pos + 4 <= XPF_CFG_SIZE && steps++ < 480) {
        uint32_t h = cfg_get(cfg, pos, 4);
        uint16_t id = h & 0xffff;
        unsigned next = (h >> 20) & ~3u;
        bool aer = id == XPF_EXT_CAP_ID_AER;
        unsigned len, i;

        if (h == 0 || h == ~0u) {
            break;
        }
        for (i = 0; i < n; i++) {
            if (out[i].pos == pos) {
                return n;   /* a loop in the host's chain */
            }
            /* Only the first AER gets AER's rules; others are like any. */
            aer &= !out[i].aer;
        }
        len = aer ? 0x2c : 4;
        if ((aer || mode == XPF_EXTCAP_READONLY) && id && n < max &&
            pos + len <= XPF_CFG_SIZE) {
            out[n++] = (XpfFound) { .pos = pos, .id = id,
                                    .ver = (h >> 16) & 0xf, .len = len,
                                    .aer = aer };
        }
        pos = next;     /* the step bound ends any loop */
    }
    return n;
}

static bool add_extcaps(XpfDevice *d, const uint8_t *cfg, XpfExtCapMode mode,
                        GError **errp)
{
    XpfFound caps[64];
    unsigned n, i;

    if (d->cfg_size < XPF_CFG_SIZE) {
        return true;    /* conventional: reads of 0x100+ return 0 */
    }
    n = scan_extcaps(cfg, mode, caps, G_N_ELEMENTS(caps));
    if (!n || caps[0].pos != 0x100) {
        /* A null header at 0x100 links to the first kept one, if any. */
        if (!add_fixed(d, 0x100, 4, n ? (uint32_t)caps[0].pos << 20 : 0,
                       "extended capability header", errp)) {
            return false;
        }
    }
    for (i = 0; i < n; i++) {
        uint32_t next = i + 1 < n ? caps[i + 1].pos : 0;
        uint32_t h = caps[i].id | (uint32_t)caps[i].ver << 16 | next << 20;

        if (!add_fixed(d, caps[i].pos, 4, h, "extended capability header",
                       errp)) {
            return false;
        }
        if (caps[i].aer) {
            if (!add_tmpl(d, cfg, caps[i].pos, caps[i].len, aer_tmpl,
                          G_N_ELEMENTS(aer_tmpl), 0, NULL, errp)) {
                return false;
            }
            d->ext_aer = caps[i].pos;
        }
    }
    return true;
}

bool xpf_register_layout(XpfDevice *d, const uint8_t *cfg, XpfExtCapMode mode,
                         GError **errp)
{
    uint32_t bist = cfg[0x0f];
    /* A BIST-capable function may start its self test; else constant. */
    XpfRegDesc bist_reg = {
        .offset = 0x0f, .size = 1, .ro = bist & 0x80 ? 0xbf : 0xff,
        .emu = bist & 0x80 ? 0 : 0xff, .init = bist & 0x80 ? 0 : bist,
        EV_NONE, .name = "bist",
    };

    return add_tmpl(d, cfg, 0, 0x40, header_tmpl, G_N_ELEMENTS(header_tmpl),
                    0, NULL, errp) &&
           xpf_add_reg(d, &bist_reg, errp) &&
           add_bars(d, cfg, errp) &&
           add_rom(d, cfg, errp) &&
           add_caps(d, cfg, errp) &&
           add_extcaps(d, cfg, mode, errp);
}

/* ---- privileged state changes for the path ---- */

void xpf_reset_guest_view(XpfDevice *d)
{
    unsigned slot;

    xpf_set_emulated(d, XPF_COMMAND, 0);
    for (slot = 0; slot <= XPF_ROM_SLOT; slot++) {
        unsigned off = slot == XPF_ROM_SLOT ? XPF_ROM : XPF_BAR0 + 4 * slot;
        XpfReg *r = xpf_reg_at(d, off);

        /* Address and ROM enable bits are writable, type bits are not. */
        if (r && r->d.offset == off) {
            r->val &= r->d.ro | ~r->d.emu;
        }
    }
}

void xpf_set_interrupt_line(XpfDevice *d, uint8_t line)
{
    xpf_set_emulated(d, XPF_INTERRUPT_LINE, line);
}

bool xpf_mirror_msi(XpfDevice *d, unsigned nvec)
{
    XpfReg *r = d->cap_msi ? xpf_reg_at(d, d->cap_msi + 2) : NULL;
    unsigned mmc;

    if (!r) {
        return false;
    }
    mmc = (r->val & XPF_MSI_FLAGS_MMC) >> 1;
    if (nvec & (nvec - 1) || nvec > 32 || nvec > (1u << mmc)) {
        return false;
    }
    r->val &= ~(XPF_MSI_FLAGS_ENABLE | XPF_MSI_FLAGS_MME);
    if (nvec) {
        r->val |= XPF_MSI_FLAGS_ENABLE | g_bit_nth_lsf(nvec, -1) << 4;
    }
    return true;
}

bool xpf_mirror_msix(XpfDevice *d, bool enabled)
{
    XpfReg *r = d->cap_msix ? xpf_reg_at(d, d->cap_msix + 2) : NULL;

    if (!r) {
        return false;
    }
    r->val &= ~(XPF_MSIX_FLAGS_ENABLE | XPF_MSIX_FLAGS_MASKALL);
    if (enabled) {
        r->val |= XPF_MSIX_FLAGS_ENABLE;
    }
    return true;
}

void xpf_set_host_interrupts(XpfDevice *d, XpfIntrType types)
{
    d->host_intr = (XpfIntrType)(types & (XPF_INTR_MSI | XPF_INTR_MSIX));
}

XpfIntrType xpf_host_interrupts(const XpfDevice *d)
{
    return d->host_intr;
}

/* ---- decoded state for the path ---- */

uint16_t xpf_command(const XpfDevice *d)
{
    return xpf_get_emulated(d, XPF_COMMAND);
}

bool xpf_bar_state(const XpfDevice *d, unsigned slot, XpfBarState *out)
{
    const XpfBar *b;
    uint16_t cmd = xpf_command(d);
    uint64_t v;

    if (slot > XPF_ROM_SLOT) {
        return false;
    }
    b = &d->bars[slot];
    *out = (XpfBarState) {
        .size = b->size, .io = b->io, .mem64 = b->mem64,
        .prefetch = b->prefetch,
    };
    if (!b->size) {
        return false;
    }
    if (slot == XPF_ROM_SLOT) {
        v = xpf_get_emulated(d, XPF_ROM);
        out->addr = v & ~0x7ffull & ~(b->size - 1);
        out->enabled = (v & 1) && (cmd & XPF_CMD_MEM);
        return true;
    }
    v = xpf_get_emulated(d, XPF_BAR0 + 4 * slot);
    if (b->mem64) {
        v |= (uint64_t)xpf_get_emulated(d, XPF_BAR0 + 4 * slot + 4) << 32;
    }
    out->addr = v & ~(b->size - 1) & ~(uint64_t)(b->io ? 0x3 : 0xf);
    out->enabled = cmd & (b->io ? XPF_CMD_IO : XPF_CMD_MEM);
    return true;
}

void xpf_msi_state(const XpfDevice *d, XpfMsiState *out)
{
    unsigned c = d->cap_msi;
    uint32_t ctl;

    *out = (XpfMsiState) { .cap = c };
    if (!c) {
        return;
    }
    ctl = xpf_get_emulated(d, c + 2);
    out->present = true;
    out->enabled = ctl & XPF_MSI_FLAGS_ENABLE;
    out->is64 = ctl & XPF_MSI_FLAGS_64BIT;
    out->per_vector_mask = ctl & XPF_MSI_FLAGS_MASKBIT;
    out->vectors_capable = 1u << MIN((ctl >> 1) & 7, 5u);
    out->vectors_enabled = 1u << MIN((ctl >> 4) & 7, 5u);
    out->addr = xpf_get_emulated(d, c + 4);
    if (out->is64) {
        out->addr |= (uint64_t)xpf_get_emulated(d, c + 8) << 32;
    }
    out->data = xpf_get_emulated(d, c + (out->is64 ? 12 : 8));
    if (out->per_vector_mask) {
        out->mask = xpf_get_emulated(d, c + (out->is64 ? 16 : 12));
    }
}

void xpf_msix_state(const XpfDevice *d, XpfMsixState *out)
{
    unsigned c = d->cap_msix;
    uint32_t ctl, t, p;

    *out = (XpfMsixState) { .cap = c };
    if (!c) {
        return;
    }
    ctl = xpf_get_emulated(d, c + 2);
    t = xpf_get_emulated(d, c + 4);
    p = xpf_get_emulated(d, c + 8);
    out->present = true;
    out->enabled = ctl & XPF_MSIX_FLAGS_ENABLE;
    out->masked = ctl & XPF_MSIX_FLAGS_MASKALL;
    out->table_size = (ctl & XPF_MSIX_FLAGS_QSIZE) + 1;
    out->table_bar = t & 7;
    out->table_offset = t & ~7u;
    out->pba_bar = p & 7;
    out->pba_offset = p & ~7u;
}

unsigned xpf_pm_state(const XpfDevice *d)
{
    return d->cap_pm ? xpf_get_emulated(d, d->cap_pm + 4) & 3 : 0;
}

unsigned xpf_find_cap(const XpfDevice *d, uint8_t id)
{
    unsigned pos = xpf_get_emulated(d, XPF_CAP_PTR), steps = 0;

    while (pos >= 0x40 && steps++ < 48) {
        uint32_t h = xpf_get_emulated(d, pos);

        if ((h & 0xff) == id) {
            return pos;
        }
        pos = h >> 8;
    }
    return 0;
}

unsigned xpf_find_extcap(const XpfDevice *d, uint16_t id)
{
    unsigned pos = 0x100, steps = 0;

    while (pos >= 0x100 && d->cfg_size > pos && steps++ < 480) {
        uint32_t h = xpf_get_emulated(d, pos);

        if (!h) {
            break;
        }
        if ((h & 0xffff) == id) {
            return pos;
        }
        pos = h >> 20;
    }
    return 0;
}
