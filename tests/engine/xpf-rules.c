/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The filter's rules as data, independent of the engine (see
 * xpf-rules.h).  Sources: PCI Local Bus 3.0 (PCI), PCI Bus Power
 * Management 1.2 (PM), PCI Express Base 3.0 (PCIe), Linux
 * drivers/xen/xen-pciback (pciback) and filter.rst (doc).
 */
#include <stdio.h>
#include <string.h>
#include "xpf-rules.h"

/* How a register's writes are judged besides its masks. */
enum {
    XR_PLAIN,
    XR_CMD,         /* command: INTx disable by policy, one type at a time */
    XR_MSI_CTRL,    /* MSI enable by policy */
    XR_MSIX_CTRL,   /* MSI-X enable / function mask by policy */
    XR_VPD_ADDR,    /* a VPD write request (F set) is refused */
    XR_MSI_MASK,    /* mask bits of vectors the function lacks read 0 */
    XR_QUIRK,
};

/*
 * One register of a structure, offsets relative to it.  Host side (what a
 * guest write may do to the function's bits):
 *   pass     the function's bit becomes the guest's
 *   rw1c     cleared on the function where the guest writes 1
 *   zero     may be cleared, never set (RsvdZ written as 0, VPD F)
 * every other bit of the function is never changed by a guest write, and
 * a register with none of these bits is never written at all.  Guest side
 * (what a read returns):
 *   snap     the function's value at assignment
 *   zero_rd  0
 *   dev      the function's value now
 * other bits are virtual: the guest reads its own writes.
 */
typedef struct XrRow {
    uint16_t off;
    uint8_t size;
    uint8_t kind;
    uint32_t pass, rw1c, zero;
    uint32_t snap, zero_rd, dev;
    uint16_t v1types;   /* PCIe version 1: the port types that have it */
    const char *name;
} XrRow;

/* The type 0 header (PCI 6.2, doc "The type 0 header"). */
static const XrRow header_rows[] = {
    { 0x00, 2, .snap = 0xffff, .name = "vendor id" },
    { 0x02, 2, .snap = 0xffff, .name = "device id" },
    /*
     * Command: virtual (XSA-120/126); I/O, memory, bus master, MWI, parity,
     * SERR writable, INTx disable by policy, the rest read-only.  Nothing
     * reaches the function: the path acts on the guest's value.
     */
    { 0x04, 2, XR_CMD, .snap = 0xfaa8, .name = "command" },
    /*
     * Status: 0-2 RsvdZ (read 0), capabilities list (4) rebuilt, the error
     * bits 8, 11-15 rw1c, the rest read-only from the function.
     */
    { 0x06, 2, .rw1c = 0xf900, .zero = 0x0007, .zero_rd = 0x0007,
      .dev = 0xffe8, .name = "status" },
    { 0x08, 4, .snap = ~0u, .name = "revision/class" },
    { 0x0c, 1, .name = "cache line size" },            /* virtual */
    { 0x0d, 1, .snap = 0xff, .name = "latency timer" },
    { 0x0e, 1, .snap = 0xff, .name = "header type" },
    /* 0x0f BIST, 0x10-0x27 BARs, 0x30 ROM: per function, below */
    { 0x28, 4, .snap = ~0u, .name = "cardbus cis" },
    { 0x2c, 2, .snap = 0xffff, .name = "subsystem vendor id" },
    { 0x2e, 2, .snap = 0xffff, .name = "subsystem id" },
    /* 0x34 capabilities pointer: rebuilt, below */
    { 0x35, 1, .zero_rd = 0xff, .name = "reserved" },
    { 0x36, 2, .zero_rd = 0xffff, .name = "reserved" },
    { 0x38, 4, .zero_rd = ~0u, .name = "reserved" },
    { 0x3c, 1, .name = "interrupt line" },             /* virtual */
    { 0x3d, 1, .snap = 0xff, .name = "interrupt pin" },
    { 0x3e, 1, .snap = 0xff, .name = "min grant" },
    { 0x3f, 1, .snap = 0xff, .name = "max latency" },
};

/* Power management (PM 3.2): PME not offered (pciback). */
static const XrRow pm_rows[] = {
    { 2, 2, .snap = 0x07ff, .zero_rd = 0xf800, .name = "pmc" },
    /*
     * PMCSR: PowerState (0-1), PME_En (8) virtual; No_Soft_Reset (3)
     * snapshot; Data_Select (9-12) passed; Data_Scale (13-14) read-only
     * from the function; PME_Status (15) rw1c; 2, 4-7 RsvdP.
     */
    { 4, 2, .pass = 0x1e00, .rw1c = 0x8000, .snap = 0x0008, .dev = 0xfe00,
      .name = "pmcsr" },
    { 6, 1, .snap = 0xff, .name = "pmcsr bridge extensions" },
    { 7, 1, .dev = 0xff, .name = "pm data" },
};

/*
 * VPD (PCI 6.4, pciback): the address is passed so that the guest can start
 * reads (F = 0); a write request (F = 1) is refused even when permissive.
 */
static const XrRow vpd_rows[] = {
    { 2, 2, XR_VPD_ADDR, .pass = 0x7fff, .zero = 0x8000, .dev = 0xffff,
      .name = "vpd address" },
    { 4, 4, .dev = ~0u, .name = "vpd data" },
};

/*
 * MSI (PCI 6.8.1): entirely virtual, every byte, even when permissive
 * (XSA-128, XSA-129).  Control: enable by policy, multiple message enable
 * writable, MMC (1-3), 64-bit (7), per-vector masking (8) snapshot,
 * extended message data capable/enable (9-10) and 11-15 read 0.  The
 * Extended Message Data register reads 0.  Pending bits come from the
 * function.
 */
#define MSI_CTRL { 2, 2, XR_MSI_CTRL, .snap = 0x018e, .zero_rd = 0xfe00, \
                   .name = "msi control" }
static const XrRow msi32_rows[] = {
    MSI_CTRL,
    { 4, 4, .zero_rd = 0x3, .name = "msi address" },
    { 8, 2, .name = "msi data" },
    { 0xa, 2, .zero_rd = 0xffff, .name = "msi extended data" },
    { 0xc, 4, XR_MSI_MASK, .name = "msi mask" },
    { 0x10, 4, .dev = ~0u, .name = "msi pending" },
};
static const XrRow msi64_rows[] = {
    MSI_CTRL,
    { 4, 4, .zero_rd = 0x3, .name = "msi address" },
    { 8, 4, .name = "msi address high" },
    { 0xc, 2, .name = "msi data" },
    { 0xe, 2, .zero_rd = 0xffff, .name = "msi extended data" },
    { 0x10, 4, XR_MSI_MASK, .name = "msi mask" },
    { 0x14, 4, .dev = ~0u, .name = "msi pending" },
};

/*
 * MSI-X (PCI 6.8.2): control virtual, enable and function mask by policy,
 * table size snapshot; table and PBA offsets snapshot.
 */
static const XrRow msix_rows[] = {
    { 2, 2, XR_MSIX_CTRL, .snap = 0x07ff, .name = "msix control" },
    { 4, 4, .snap = ~0u, .name = "msix table" },
    { 8, 4, .snap = ~0u, .name = "msix pba" },
};

/* PCIe 7.8: port types of a version 1 capability with a register. */
#define PT(t)     (1u << (t))
#define V1_ALL    0xffff
#define V1_LINK   (PT(0) | PT(1) | PT(4) | PT(5) | PT(6) | PT(7) | PT(8))
#define V1_SLOT   (PT(4) | PT(6))
#define V1_ROOT   (PT(4) | PT(0xa))

/*
 * PCI Express (PCIe 7.8, doc): device control passes relaxed ordering (4),
 * no snoop (11) and max read request size (12-14), the rest virtual and
 * function level reset ignored; status registers rw1c where the spec has
 * rw1c error bits; link control and the control 2 registers virtual;
 * capabilities, slot and root registers snapshot.
 */
static const XrRow pcie_rows[] = {
    { 0x02, 2, .snap = 0xffff, .v1types = V1_ALL,
      .name = "pcie capabilities" },
    { 0x04, 4, .snap = ~0u, .v1types = V1_ALL,
      .name = "device capabilities" },
    { 0x08, 2, .pass = 0x7810, .dev = 0x7810, .v1types = V1_ALL,
      .name = "device control" },
    { 0x0a, 2, .rw1c = 0x000f, .dev = 0x000f, .v1types = V1_ALL,
      .name = "device status" },
    { 0x0c, 4, .snap = ~0u, .v1types = V1_LINK, .name = "link capabilities" },
    { 0x10, 2, .v1types = V1_LINK, .name = "link control" },
    { 0x12, 2, .rw1c = 0xc000, .dev = 0xc000, .v1types = V1_LINK,
      .name = "link status" },
    { 0x14, 4, .snap = ~0u, .v1types = V1_SLOT, .name = "slot capabilities" },
    { 0x18, 2, .snap = 0xffff, .v1types = V1_SLOT, .name = "slot control" },
    { 0x1a, 2, .snap = 0xffff, .v1types = V1_SLOT, .name = "slot status" },
    { 0x1c, 2, .snap = 0xffff, .v1types = V1_ROOT, .name = "root control" },
    { 0x1e, 2, .snap = 0xffff, .v1types = V1_ROOT,
      .name = "root capabilities" },
    { 0x20, 4, .snap = ~0u, .v1types = V1_ROOT, .name = "root status" },
    { 0x24, 4, .snap = ~0u, .name = "device capabilities 2" },
    { 0x28, 2, .name = "device control 2" },
    { 0x2a, 2, .dev = 0xffff, .name = "device status 2" },
    { 0x2c, 4, .snap = ~0u, .name = "link capabilities 2" },
    { 0x30, 2, .name = "link control 2" },
    { 0x32, 2, .dev = 0xffff, .name = "link status 2" },
    { 0x34, 4, .snap = ~0u, .name = "slot capabilities 2" },
    { 0x38, 2, .snap = 0xffff, .name = "slot control 2" },
    { 0x3a, 2, .snap = 0xffff, .name = "slot status 2" },
};

/*
 * AER (PCIe 7.10): status registers rw1c, masks and severity virtual,
 * capabilities/control and the header log read-only from the function;
 * anything after the header log is unlisted.
 */
static const XrRow aer_rows[] = {
    { 0x04, 4, .rw1c = ~0u, .dev = ~0u, .name = "aer uncorrectable status" },
    { 0x08, 4, .name = "aer uncorrectable mask" },
    { 0x0c, 4, .name = "aer uncorrectable severity" },
    { 0x10, 4, .rw1c = ~0u, .dev = ~0u, .name = "aer correctable status" },
    { 0x14, 4, .name = "aer correctable mask" },
    { 0x18, 4, .dev = ~0u, .name = "aer capabilities and control" },
    { 0x1c, 4, .dev = ~0u, .name = "aer header log" },
    { 0x20, 4, .dev = ~0u, .name = "aer header log" },
    { 0x24, 4, .dev = ~0u, .name = "aer header log" },
    { 0x28, 4, .dev = ~0u, .name = "aer header log" },
};
#define AER_LEN 0x2c

/* ---- the rule set of one function ---- */

typedef struct XrByte {
    uint8_t pass, rw1c, zero;
    uint8_t snap, zero_rd, dev;
    uint8_t fixed, fixed_val;   /* rebuilt values (headers, pointers) */
    uint16_t reg;               /* 1 + index in regs; 0: unlisted */
} XrByte;

typedef struct XrReg {
    uint16_t off;
    uint8_t size, kind;
    bool host;                  /* some bit may reach the function */
    bool gone;                  /* a removed quirk */
    const char *name;
} XrReg;

struct XrRules {
    size_t cfg_len;
    uint8_t cfg[XPF_CFG_SIZE];
    XrByte b[XPF_CFG_SIZE];
    GArray *regs;               /* XrReg */
    unsigned cap_pm, cap_vpd, cap_msi, cap_exp, cap_msix;
    unsigned ncaps;
    uint8_t caps[48];           /* kept capabilities, in list order */
    unsigned msi_vectors;
    uint16_t cmd, msix_ctl;
    bool msi_en;
};

static uint32_t get_le(const uint8_t *p, unsigned size)
{
    uint32_t v = 0;
    unsigned i;

    for (i = 0; i < size; i++) {
        v |= (uint32_t)p[i] << (8 * i);
    }
    return v;
}

static unsigned add_reg(XrRules *r, unsigned off, unsigned size,
                        unsigned kind, const char *name)
{
    XrReg g = { .off = off, .size = size, .kind = kind, .name = name };
    unsigned i;

    g_array_append_val(r->regs, g);
    for (i = 0; i < size; i++) {
        g_assert(!r->b[off + i].reg);
        r->b[off + i].reg = r->regs->len;
    }
    return r->regs->len;
}

/* Spread a row's masks over its bytes. */
static void set_bytes(XrRules *r, unsigned off, unsigned size, unsigned reg,
                      uint32_t pass, uint32_t rw1c, uint32_t zero,
                      uint32_t snap, uint32_t zero_rd, uint32_t dev)
{
    XrReg *g = &g_array_index(r->regs, XrReg, reg - 1);
    unsigned i;

    for (i = 0; i < size; i++) {
        XrByte *b = &r->b[off + i];

        b->pass = pass >> (8 * i);
        b->rw1c = rw1c >> (8 * i);
        b->zero = zero >> (8 * i);
        b->snap = snap >> (8 * i);
        b->zero_rd = zero_rd >> (8 * i);
        b->dev = dev >> (8 * i);
    }
    g->host |= (pass | rw1c | zero) != 0;
}

static void add_row(XrRules *r, unsigned base, const XrRow *w)
{
    unsigned reg = add_reg(r, base + w->off, w->size, w->kind, w->name);

    set_bytes(r, base + w->off, w->size, reg, w->pass, w->rw1c, w->zero,
              w->snap, w->zero_rd, w->dev);
}

/* Rows of a structure at @base that end within @len bytes of it. */
static void add_rows(XrRules *r, unsigned base, unsigned len,
                     const XrRow *rows, size_t n, int pcie_type)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (rows[i].off + rows[i].size > len) {
            continue;
        }
        if (pcie_type >= 0 && !(rows[i].v1types & PT(pcie_type))) {
            continue;
        }
        add_row(r, base, &rows[i]);
    }
}

/* A register whose whole value is rebuilt: @val, read-only, virtual. */
static void add_fixed(XrRules *r, unsigned off, unsigned size, uint32_t val,
                      const char *name)
{
    unsigned i;

    add_reg(r, off, size, XR_PLAIN, name);
    for (i = 0; i < size; i++) {
        r->b[off + i].fixed = 0xff;
        r->b[off + i].fixed_val = val >> (8 * i);
    }
}

/* ---- the header ---- */

static void add_bars(XrRules *r, const TestHost *h)
{
    unsigned i, off;

    for (i = 0; i < XPF_NUM_BARS; i++) {
        const XpfBar *bar = &h->bars[i];
        unsigned reg;
        uint32_t type;

        off = 0x10 + 4 * i;
        reg = add_reg(r, off, 4, XR_PLAIN, "bar");
        if (!bar->size) {
            /* Unimplemented: reads 0, ignores writes (PCI 6.2.5.1). */
            set_bytes(r, off, 4, reg, 0, 0, 0, 0, ~0u, 0);
            continue;
        }
        /* Type bits as the function has them; address below size 0. */
        type = bar->io ? 0x3 : 0xf;
        set_bytes(r, off, 4, reg, 0, 0, 0, type, (uint32_t)(bar->size - 1) &
                  ~type, 0);
        if (bar->mem64 && i + 1 < XPF_NUM_BARS) {
            off += 4;
            reg = add_reg(r, off, 4, XR_PLAIN, "bar high");
            set_bytes(r, off, 4, reg, 0, 0, 0, 0,
                      (uint32_t)((bar->size - 1) >> 32), 0);
            i++;
        }
    }
    /* ROM (PCI 6.2.5.2): enable and address virtual, 1-10 read 0. */
    off = 0x30;
    i = add_reg(r, off, 4, XR_PLAIN, "rom");
    if (h->bars[XPF_ROM_SLOT].size) {
        set_bytes(r, off, 4, i, 0, 0, 0, 0,
                  ((uint32_t)(h->bars[XPF_ROM_SLOT].size - 1) | 0x7fe) & ~1u,
                  0);
    } else {
        set_bytes(r, off, 4, i, 0, 0, 0, 0, ~0u, 0);
    }
}

static void add_header(XrRules *r, const TestHost *h)
{
    size_t i;
    unsigned reg;

    for (i = 0; i < G_N_ELEMENTS(header_rows); i++) {
        add_row(r, 0, &header_rows[i]);
    }
    /* BIST (PCI 6.2.4): a capable function starts its self test. */
    reg = add_reg(r, 0x0f, 1, XR_PLAIN, "bist");
    if (h->cfg[0x0f] & 0x80) {
        set_bytes(r, 0x0f, 1, reg, 0x40, 0, 0, 0, 0, 0xff);
    } else {
        set_bytes(r, 0x0f, 1, reg, 0, 0, 0, 0xff, 0, 0);
    }
    add_bars(r, h);
}

/* ---- capabilities ---- */

typedef struct XrCap {
    unsigned pos, id, len;
} XrCap;

/* Bytes the rules give a capability; 0: not a capability the filter keeps. */
static unsigned cap_len(const uint8_t *cfg, unsigned pos, unsigned id,
                        unsigned *need)
{
    uint16_t flags = get_le(cfg + pos + 2, 2);
    unsigned type, len;

    switch (id) {
    case 0x01:
    case 0x03:
        *need = 8;
        return 8;
    case 0x05:
        len = (flags & 0x80 ? 16 : 12) + (flags & 0x100 ? 8 : 0);
        *need = len;
        return len;
    case 0x09:
        /* The length byte counts the whole structure (PCI 6.7). */
        *need = MAX(cfg[pos + 2], 3u);
        return *need;
    case 0x10:
        /*
         * Version 2 has every register; version 1 those of its port type
         * (PCIe 7.8).  Every function has the device registers (0x0c);
         * what does not fit before 0x100 is dropped register by register.
         */
        type = (flags >> 4) & 0xf;
        *need = 0x0c;
        if ((flags & 0xf) >= 2) {
            return 0x3c;
        }
        return (V1_ROOT & PT(type)) ? 0x24 : (V1_SLOT & PT(type)) ? 0x24 :
               (V1_LINK & PT(type)) ? 0x14 : 0x0c;
    case 0x11:
        *need = 12;
        return 12;
    default:
        return 0;
    }
}

/*
 * Walk the function's list (PCI 6.7): keep the first PM, VPD, MSI, PCIe and
 * MSI-X that fit before 0x100, and every vendor-specific one that does;
 * a pointer below 0x40 or a loop ends the walk (at most 48 entries).
 */
static unsigned walk_caps(XrRules *r, XrCap *out)
{
    const uint8_t *cfg = r->cfg;
    bool seen_pos[256] = { false }, seen_id[256] = { false };
    unsigned pos, n = 0, steps = 0;

    if (!(cfg[0x06] & 0x10)) {
        return 0;
    }
    for (pos = cfg[0x34] & ~3u; pos >= 0x40 && steps < 48;
         pos = cfg[pos + 1] & ~3u, steps++) {
        unsigned id = cfg[pos], need = 0, len = cap_len(cfg, pos, id, &need);

        if (seen_pos[pos]) {
            break;
        }
        seen_pos[pos] = true;
        if (!len || pos + need > 0x100 || (id != 0x09 && seen_id[id])) {
            continue;
        }
        seen_id[id] = true;
        out[n++] = (XrCap) { .pos = pos, .id = id,
                             .len = MIN(len, 0x100 - pos) };
    }
    return n;
}

static void add_cap(XrRules *r, const XrCap *c)
{
    const uint8_t *cfg = r->cfg;
    uint16_t flags = get_le(cfg + c->pos + 2, 2);
    unsigned i;

    switch (c->id) {
    case 0x01:
        r->cap_pm = c->pos;
        add_rows(r, c->pos, c->len, pm_rows, G_N_ELEMENTS(pm_rows), -1);
        break;
    case 0x03:
        r->cap_vpd = c->pos;
        add_rows(r, c->pos, c->len, vpd_rows, G_N_ELEMENTS(vpd_rows), -1);
        break;
    case 0x05:
        r->cap_msi = c->pos;
        r->msi_vectors = 1u << MIN((flags >> 1) & 7, 5u);
        if (flags & 0x80) {
            add_rows(r, c->pos, c->len, msi64_rows,
                     G_N_ELEMENTS(msi64_rows), -1);
        } else {
            add_rows(r, c->pos, c->len, msi32_rows,
                     G_N_ELEMENTS(msi32_rows), -1);
        }
        if (flags & 0x100) {
            /* Mask bits of vectors the function lacks: read-only 0. */
            unsigned m = c->pos + (flags & 0x80 ? 0x10 : 0xc);
            uint32_t lack = r->msi_vectors >= 32 ? 0 :
                            ~((1u << r->msi_vectors) - 1);

            for (i = 0; i < 4; i++) {
                r->b[m + i].zero_rd = lack >> (8 * i);
            }
        }
        break;
    case 0x09:
        /*
         * Header and length virtual; the body read-only from the function,
         * even when permissive.
         */
        add_fixed(r, c->pos + 2, 1, cfg[c->pos + 2], "vendor length");
        if (c->len > 3) {
            add_reg(r, c->pos + 3, c->len - 3, XR_PLAIN, "vendor body");
            for (i = c->pos + 3; i < c->pos + c->len; i++) {
                r->b[i].dev = 0xff;
            }
        }
        break;
    case 0x10:
        r->cap_exp = c->pos;
        add_rows(r, c->pos, c->len, pcie_rows, G_N_ELEMENTS(pcie_rows),
                 (flags & 0xf) >= 2 ? -1 : (int)((flags >> 4) & 0xf));
        break;
    case 0x11:
        r->cap_msix = c->pos;
        add_rows(r, c->pos, c->len, msix_rows, G_N_ELEMENTS(msix_rows), -1);
        break;
    }
}

static void add_caps(XrRules *r)
{
    XrCap caps[48];
    unsigned n = walk_caps(r, caps), i;

    r->ncaps = n;
    for (i = 0; i < n; i++) {
        r->caps[i] = caps[i].pos;
        /* ID and next pointer rebuilt from the kept list. */
        add_fixed(r, caps[i].pos, 2,
                  caps[i].id | (i + 1 < n ? caps[i + 1].pos : 0) << 8,
                  "capability header");
        add_cap(r, &caps[i]);
    }
    add_fixed(r, 0x34, 1, n ? caps[0].pos : 0, "capabilities pointer");
    /* Status: capabilities list (bit 4) set when one is kept. */
    r->b[0x06].fixed = 0x10;
    r->b[0x06].fixed_val = n ? 0x10 : 0;
}

/* ---- extended capabilities (PCIe 7.9) ---- */

typedef struct XrExt {
    unsigned pos, id, ver;
} XrExt;

static void add_extcaps(XrRules *r, XpfExtCapMode mode)
{
    XrExt kept[480];
    bool seen[XPF_CFG_SIZE / 4] = { false };
    unsigned pos = 0x100, steps = 0, n = 0, i;
    bool aer = false;

    /*
     * From 0x100, to a header of 0 or all ones, a pointer below 0x100 or a
     * loop.  The first AER is kept; the others are hidden, or linked with
     * virtual headers when the extended capabilities are shown read-only.
     */
    while (pos >= 0x100 && pos + 4 <= XPF_CFG_SIZE && steps++ < 960) {
        uint32_t h = get_le(r->cfg + pos, 4);
        unsigned id = h & 0xffff;

        if (h == 0 || h == ~0u || seen[pos / 4]) {
            break;
        }
        seen[pos / 4] = true;
        if (id == 0x0001 && !aer && pos + AER_LEN <= XPF_CFG_SIZE) {
            aer = true;
            kept[n++] = (XrExt) { pos, id, (h >> 16) & 0xf };
        } else if (id && mode == XPF_EXTCAP_READONLY) {
            /* Linked, not filtered: marked apart from the kept AER. */
            kept[n++] = (XrExt) { pos, id | 0x10000, (h >> 16) & 0xf };
        }
        pos = (h >> 20) & ~3u;
    }
    if (!n || kept[0].pos != 0x100) {
        /* A null header at 0x100 links to the first kept one. */
        add_fixed(r, 0x100, 4, n ? kept[0].pos << 20 : 0,
                  "extended capability header");
    }
    for (i = 0; i < n; i++) {
        unsigned id = kept[i].id & 0xffff;
        uint32_t next = i + 1 < n ? kept[i + 1].pos : 0;

        add_fixed(r, kept[i].pos, 4, id | kept[i].ver << 16 | next << 20,
                  "extended capability header");
        if (kept[i].id == 0x0001) {
            add_rows(r, kept[i].pos, AER_LEN, aer_rows,
                     G_N_ELEMENTS(aer_rows), -1);
        }
    }
}

XrRules *xr_new(const TestHost *h, XpfExtCapMode extcaps)
{
    XrRules *r = g_new0(XrRules, 1);

    r->regs = g_array_new(false, true, sizeof(XrReg));
    r->cfg_len = h->cfg_len;
    memcpy(r->cfg, h->cfg, h->cfg_len);
    add_header(r, h);
    add_caps(r);
    if (r->cfg_len == XPF_CFG_SIZE) {
        add_extcaps(r, extcaps);
    }
    r->cmd = get_le(r->cfg + 4, 2);
    return r;
}

void xr_msi_single(XrRules *r)
{
    unsigned c = r->cap_msi, i;
    uint16_t flags;
    XrByte *b;

    if (!c) {
        return;
    }
    /* Multiple Message Capable and Enable (bits 1-6) read 0. */
    b = &r->b[c + 2];
    b->snap &= ~0x0e;
    b->zero_rd |= 0x7e;
    r->msi_vectors = 1;
    flags = get_le(r->cfg + c + 2, 2);
    if (flags & 0x100) {
        /* One vector: mask bits 1-31 read 0. */
        unsigned m = c + (flags & 0x80 ? 0x10 : 0xc);

        for (i = 0; i < 4; i++) {
            r->b[m + i].zero_rd = ~1u >> (8 * i);
        }
    }
}

void xr_free(XrRules *r)
{
    if (r) {
        g_array_free(r->regs, true);
        g_free(r);
    }
}

void xr_set_intr_state(XrRules *r, uint16_t cmd, uint16_t msi_ctl,
                       uint16_t msix_ctl)
{
    r->cmd = cmd;
    r->msi_en = r->cap_msi && (msi_ctl & 1);
    r->msix_ctl = r->cap_msix ? msix_ctl & 0xc000 : 0;
}

uint16_t xr_command(const XrRules *r)
{
    return r->cmd;
}

unsigned xr_cap(const XrRules *r, uint8_t id)
{
    switch (id) {
    case 0x01:
        return r->cap_pm;
    case 0x03:
        return r->cap_vpd;
    case 0x05:
        return r->cap_msi;
    case 0x10:
        return r->cap_exp;
    case 0x11:
        return r->cap_msix;
    default:
        return 0;
    }
}

unsigned xr_num_caps(const XrRules *r)
{
    return r->ncaps;
}

unsigned xr_kept_cap(const XrRules *r, unsigned i)
{
    return i < r->ncaps ? r->caps[i] : 0;
}

/* ---- quirks (doc "Quirks", pciback's quirk format) ---- */

bool xr_quirk_ok(const XrRules *r, unsigned off, unsigned size, uint32_t mask)
{
    unsigned i;

    if ((size != 1 && size != 2 && size != 4) || off % size ||
        off + size > r->cfg_len || (size < 4 && mask >> (8 * size))) {
        return false;
    }
    for (i = off; i < off + size; i++) {
        if (r->b[i].reg) {
            return false;       /* a register with a rule, or a quirk */
        }
    }
    return true;
}

void xr_add_quirk(XrRules *r, unsigned off, unsigned size, uint32_t mask)
{
    unsigned reg;

    g_assert(xr_quirk_ok(r, off, size, mask));
    reg = add_reg(r, off, size, XR_QUIRK, "quirk");
    /* Masked bits passed, the rest kept; read from the function. */
    set_bytes(r, off, size, reg, mask, 0, 0, 0, 0, ~0u);
}

bool xr_has_quirk_at(const XrRules *r, unsigned off)
{
    const XrReg *g;

    if (off >= XPF_CFG_SIZE || !r->b[off].reg) {
        return false;
    }
    g = &g_array_index(r->regs, XrReg, r->b[off].reg - 1);
    return g->kind == XR_QUIRK && g->off == off;
}

void xr_remove_quirk(XrRules *r, unsigned off)
{
    XrReg *g;
    unsigned i;

    g_assert(xr_has_quirk_at(r, off));
    g = &g_array_index(r->regs, XrReg, r->b[off].reg - 1);
    g->gone = true;
    for (i = off; i < off + g->size; i++) {
        r->b[i] = (XrByte) { 0 };       /* unlisted again */
    }
}

/* ---- writes ---- */

static bool access_ok(unsigned off, unsigned size)
{
    return (size == 1 || size == 2 || size == 4) && off % size == 0 &&
           off + size <= XPF_CFG_SIZE;
}

/* The guest's bits for the register at @roff, and which of them it wrote. */
static uint32_t reg_bits(const XrWrite *w, unsigned roff, unsigned rsize,
                         uint32_t *covered)
{
    uint32_t v = 0, m = 0;
    unsigned i;

    for (i = 0; i < rsize; i++) {
        unsigned b = roff + i;

        if (b >= w->off && b < w->off + w->size) {
            v |= ((w->val >> (8 * (b - w->off))) & 0xff) << (8 * i);
            m |= 0xffu << (8 * i);
        }
    }
    *covered = m;
    return v;
}

void xr_write(XrRules *r, const XpfPolicy *pol, unsigned off, unsigned size,
              uint32_t val, XrWrite *w)
{
    bool perm = pol->permissive, intr = pol->allow_interrupt_control;
    bool refused = false;
    uint16_t cmd = r->cmd, msix = r->msix_ctl;
    bool msi = r->msi_en;
    unsigned i, seen = 0;

    *w = (XrWrite) { .off = off, .size = size, .pol = *pol };
    if (!access_ok(off, size)) {
        w->status = XPF_E_ACCESS;
        return;
    }
    w->val = size == 4 ? val : val & ((1u << (8 * size)) - 1);
    if (off >= r->cfg_len) {
        w->status = XPF_OK;     /* dropped: no extended space */
        return;
    }
    for (i = 0; i < size; i++) {
        unsigned reg = r->b[off + i].reg;
        const XrReg *g;
        uint32_t gv, cov;
        bool no = false;

        if (!reg || reg == seen) {
            continue;
        }
        seen = reg;
        g = &g_array_index(r->regs, XrReg, reg - 1);
        if (g->kind != XR_CMD && g->kind != XR_MSI_CTRL &&
            g->kind != XR_MSIX_CTRL && g->kind != XR_VPD_ADDR) {
            continue;       /* no policy rule refuses it */
        }
        gv = reg_bits(w, g->off, g->size, &cov);
        switch (g->kind) {
        case XR_CMD:
            /*
             * With allow_interrupt_control (not permissive), enabling INTx
             * while MSI or MSI-X is enabled is refused; without it (nor
             * permissive) INTx disable is read-only, the rest applies.
             */
            if ((cov & 0x400) && (r->cmd & 0x400) && !(gv & 0x400) &&
                intr && !perm && (r->msi_en || r->msix_ctl & 0x8000)) {
                no = true;
            } else {
                uint32_t wr = (0x0157 | (perm || intr ? 0x0400 : 0)) & cov;

                cmd = (r->cmd & ~wr) | (gv & wr);
            }
            break;
        case XR_MSI_CTRL:
            if ((cov & 1) && ((gv ^ r->msi_en) & 1) && !perm &&
                (!intr || ((gv & 1) && (r->msix_ctl & 0x8000)))) {
                no = true;
            } else if (cov & 1) {
                msi = gv & 1;
            }
            break;
        case XR_MSIX_CTRL: {
            uint32_t ch = (gv ^ r->msix_ctl) & cov & 0xc000;

            if (ch && !perm &&
                (!intr || ((ch & 0x8000) && (gv & 0x8000) && r->msi_en))) {
                no = true;
            } else {
                msix = (r->msix_ctl & ~(cov & 0xc000)) | (gv & cov & 0xc000);
            }
            break;
        }
        case XR_VPD_ADDR:
            no = (cov & 0x8000) && (gv & 0x8000);
            break;
        }
        if (no) {
            unsigned j;

            refused = true;
            for (j = 0; j < size && j < sizeof(w->refused); j++) {
                w->refused[j] |= r->b[off + j].reg == reg;
            }
        }
    }
    r->cmd = cmd;
    r->msi_en = msi;
    r->msix_ctl = msix;
    w->status = refused ? XPF_E_REFUSED : XPF_OK;
}

static bool is_quirk(const XrRules *r, unsigned b)
{
    return r->b[b].reg &&
           g_array_index(r->regs, XrReg, r->b[b].reg - 1).kind == XR_QUIRK;
}

/* Host-side rule of byte @b under the write's policy. */
static void host_rule(const XrRules *r, const XrWrite *w, unsigned b,
                      bool *writable, uint8_t *pass, uint8_t *rw1c,
                      uint8_t *zero, const char **name)
{
    const XrByte *x = &r->b[b];

    *pass = *rw1c = *zero = 0;
    *writable = false;
    *name = "unlisted";
    if (b >= r->cfg_len) {
        *name = "beyond the function's config space";
        return;
    }
    if (!x->reg) {
        /* Unlisted bytes reach the function only when permissive. */
        *writable = w->pol.permissive;
        *pass = w->pol.permissive ? 0xff : 0;
        return;
    }
    *name = g_array_index(r->regs, XrReg, x->reg - 1).name;
    if (w->refused[b - w->off]) {
        return;
    }
    *writable = g_array_index(r->regs, XrReg, x->reg - 1).host;
    *pass = x->pass;
    *rw1c = x->rw1c;
    *zero = x->zero;
}

bool xr_check_host(const XrRules *r, const XrWrite *w, const uint8_t *before,
                   const uint8_t *after, const TestHostOp *ops, unsigned nops,
                   char *why, size_t len)
{
    uint8_t cur[4];
    unsigned i, b;

    if (w->status == XPF_E_ACCESS || w->off >= r->cfg_len) {
        for (i = 0; i < nops; i++) {
            if (ops[i].write) {
                snprintf(why, len, "host write at 0x%x/%u for a write the "
                         "rules drop (0x%x/%u)", ops[i].off, ops[i].size,
                         w->off, w->size);
                return false;
            }
        }
        if (memcmp(before, after, XPF_CFG_SIZE)) {
            snprintf(why, len, "host changed by a write the rules drop");
            return false;
        }
        return true;
    }
    memcpy(cur, before + w->off, w->size);
    for (i = 0; i < nops; i++) {
        const TestHostOp *op = &ops[i];

        if (!op->write) {
            continue;
        }
        if (op->off < w->off || op->off + op->size > w->off + w->size) {
            snprintf(why, len, "host write 0x%x/%u outside the guest's "
                     "access 0x%x/%u", op->off, op->size, w->off, w->size);
            return false;
        }
        for (b = op->off; b < op->off + op->size; b++) {
            uint8_t nb = op->val >> (8 * (b - op->off));
            uint8_t g = w->val >> (8 * (b - w->off));
            uint8_t c = cur[b - w->off], pass, rw1c, zero, keep;
            const char *name;
            bool writable;

            host_rule(r, w, b, &writable, &pass, &rw1c, &zero, &name);
            keep = ~(pass | rw1c | zero);
            if (!writable) {
                snprintf(why, len, "host write 0x%x/%u covers 0x%x (%s), "
                         "which no rule lets this write reach%s", op->off,
                         op->size, b, name,
                         w->refused[b - w->off] ? " (refused)" : "");
                return false;
            }
            if ((nb ^ g) & pass) {
                snprintf(why, len, "host byte 0x%x (%s) written %02x: passed "
                         "bits %02x are not the guest's %02x", b, name, nb,
                         pass, g);
                return false;
            }
            if (nb & rw1c & ~g) {
                snprintf(why, len, "host byte 0x%x (%s) written %02x: rw1c "
                         "bits the guest wrote as 0 (%02x) written as 1", b,
                         name, nb, g);
                return false;
            }
            if (nb & zero & ~c) {
                snprintf(why, len, "host byte 0x%x (%s) written %02x: sets "
                         "bits that may only be cleared (%02x, was %02x)", b,
                         name, nb, zero, c);
                return false;
            }
            if ((nb ^ c) & keep) {
                snprintf(why, len, "host byte 0x%x (%s) written %02x: bits "
                         "%02x the rules keep changed (was %02x)", b, name,
                         nb, keep, c);
                return false;
            }
            cur[b - w->off] = nb;
        }
    }
    /* The host's state: changed only within the access, as allowed. */
    for (b = 0; b < r->cfg_len; b++) {
        uint8_t diff = before[b] ^ after[b], pass, rw1c, zero, g, ok;
        const char *name;
        bool writable;

        if (!diff) {
            continue;
        }
        if (b < w->off || b >= w->off + w->size) {
            snprintf(why, len, "host byte 0x%x changed %02x -> %02x by a "
                     "write to 0x%x/%u", b, before[b], after[b], w->off,
                     w->size);
            return false;
        }
        host_rule(r, w, b, &writable, &pass, &rw1c, &zero, &name);
        g = w->val >> (8 * (b - w->off));
        ok = writable ? pass | (rw1c & g & before[b]) | (zero & before[b]) :
             0;
        if (writable && is_quirk(r, b)) {
            /*
             * A quirk's other bits are written back as the function has
             * them: one that a 1 clears on the function is lost, as with
             * pciback's quirks.
             */
            ok |= before[b];
        }
        if (diff & ~ok) {
            snprintf(why, len, "host byte 0x%x (%s) changed %02x -> %02x; "
                     "the rules allow %02x for the guest's %02x", b, name,
                     before[b], after[b], ok, g);
            return false;
        }
    }
    return true;
}

bool xr_check_writeback(const XrRules *r, const XrWrite *w,
                        const uint8_t *before, const uint8_t *after,
                        char *why, size_t len)
{
    unsigned b;

    if (w->status == XPF_E_ACCESS || w->off >= r->cfg_len) {
        return true;
    }
    for (b = w->off; b < w->off + w->size; b++) {
        uint8_t g = w->val >> (8 * (b - w->off)), pass, rw1c, zero, may;
        const char *name;
        bool writable;

        host_rule(r, w, b, &writable, &pass, &rw1c, &zero, &name);
        /*
         * Bits the guest read as 1 and wrote back may clear where writing
         * 1 clears: rw1c bits, and bits written through as they are
         * (quirk registers, permissive unlisted bytes) where the function
         * clears them.
         */
        may = (rw1c & g) | zero;
        if (writable && !r->b[b].reg) {
            may |= pass & g;
        } else if (writable && is_quirk(r, b)) {
            may |= g;       /* passed or written back as read */
        }
        if (after[b] & ~before[b]) {
            snprintf(why, len, "writing back %02x set host bits %02x at 0x%x "
                     "(%s)", g, after[b] & ~before[b], b, name);
            return false;
        }
        if ((before[b] & ~after[b]) & ~may) {
            snprintf(why, len, "writing back %02x cleared host bits %02x at "
                     "0x%x (%s)", g, before[b] & ~after[b], b, name);
            return false;
        }
    }
    return true;
}

/* ---- reads ---- */

bool xr_check_read(const XrRules *r, unsigned off, unsigned size,
                   uint32_t val, const uint8_t *host, char *why, size_t len)
{
    unsigned b;

    for (b = off; b < off + size; b++) {
        uint8_t v = val >> (8 * (b - off));
        const XrByte *x = &r->b[b];
        const char *name;
        uint8_t bad;

        if (b >= r->cfg_len) {
            if (v) {
                snprintf(why, len, "0x%x reads %02x beyond the function's "
                         "config space (0 expected)", b, v);
                return false;
            }
            continue;
        }
        if (!x->reg) {
            /* Unlisted: from the function. */
            if (v != host[b]) {
                snprintf(why, len, "unlisted 0x%x reads %02x, the function "
                         "has %02x", b, v, host[b]);
                return false;
            }
            continue;
        }
        name = g_array_index(r->regs, XrReg, x->reg - 1).name;
        bad = ((v ^ r->cfg[b]) & x->snap & ~x->fixed) | (v & x->zero_rd) |
              ((v ^ x->fixed_val) & x->fixed) | ((v ^ host[b]) & x->dev);
        if (bad) {
            snprintf(why, len, "0x%x (%s) reads %02x: bits %02x wrong (at "
                     "assignment %02x snapshot %02x, zero %02x, rebuilt "
                     "%02x/%02x, function now %02x from it %02x)", b, name, v,
                     bad, r->cfg[b], x->snap, x->zero_rd, x->fixed_val,
                     x->fixed, host[b], x->dev);
            return false;
        }
    }
    return true;
}

bool xr_check_intr_state(const XrRules *r, uint16_t cmd, uint16_t msi_ctl,
                         uint16_t msix_ctl, char *why, size_t len)
{
    if (cmd != r->cmd) {
        snprintf(why, len, "command reads 0x%04x, the rules say 0x%04x", cmd,
                 r->cmd);
        return false;
    }
    if (r->cap_msi && (msi_ctl & 1) != r->msi_en) {
        snprintf(why, len, "MSI enable reads %u, the rules say %u",
                 msi_ctl & 1, r->msi_en);
        return false;
    }
    if (r->cap_msix && (msix_ctl & 0xc000) != r->msix_ctl) {
        snprintf(why, len, "MSI-X enable/mask read 0x%04x, the rules say "
                 "0x%04x", msix_ctl & 0xc000, r->msix_ctl);
        return false;
    }
    return true;
}
