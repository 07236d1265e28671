/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Xen PCI passthrough register-filter engine ("xpf").
 *
 * One XpfDevice per passed-through function decides, for every guest access
 * to its configuration space, what the guest sees and what reaches the host
 * function.  The same engine serves the HVM device model
 * (xen-pci-passthrough) and the PV-PCI backend; it is plain C on top of glib
 * and includes no QEMU header, so the standalone build can unit-test, fuzz
 * and benchmark it.
 *
 * The guest is hostile: every value passed to xpf_read()/xpf_write() is used
 * by value, checked, and any refusal is reported, never fatal.
 */
#ifndef HW_XEN_XEN_PCI_FILTER_H
#define HW_XEN_XEN_PCI_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>

#define XPF_CFG_SIZE        0x1000u   /* PCI Express configuration space */
#define XPF_CFG_LEGACY_SIZE 0x100u    /* conventional PCI configuration space */
#define XPF_NUM_BARS        6
#define XPF_ROM_SLOT        6         /* index of the ROM in XpfBar arrays */
#define XPF_MAX_REGS        255       /* registers one device may hold */

/* Result of one guest access. */
typedef enum XpfStatus {
    XPF_OK = 0,
    XPF_E_ACCESS = -1,   /* bad size, alignment or offset; nothing done */
    XPF_E_HOST = -2,     /* the host accessor failed */
    XPF_E_REFUSED = -3,  /* a policy rule refused (part of) a write */
} XpfStatus;

/* What happened to (part of) a guest write; one report per register. */
typedef enum XpfDecision {
    XPF_DEC_ALLOWED,     /* bits reached the host function */
    XPF_DEC_EMULATED,    /* bits changed emulated state only */
    XPF_DEC_DROPPED,     /* nothing writable: read-only or unlisted bytes */
    XPF_DEC_REFUSED,     /* a policy rule refused the write */
    XPF_DEC__COUNT,
} XpfDecision;

/* State changes the path acts on (remap BARs, rewire interrupts...). */
typedef enum XpfEventKind {
    XPF_EV_COMMAND,      /* command register: decode, bus master, INTx off */
    XPF_EV_BAR,          /* index: BAR number; address moved */
    XPF_EV_ROM,          /* ROM address or enable bit changed */
    XPF_EV_MSI_CTRL,     /* MSI enable / multiple message enable */
    XPF_EV_MSI_ADDR,     /* MSI address (either half) */
    XPF_EV_MSI_DATA,
    XPF_EV_MSI_MASK,     /* MSI per-vector mask bits */
    XPF_EV_MSIX_CTRL,    /* MSI-X enable / function mask */
    XPF_EV_PM_STATE,     /* PMCSR power state (D0..D3hot) */
    XPF_EV__COUNT,
} XpfEventKind;

typedef struct XpfEvent {
    XpfEventKind kind;
    unsigned index;      /* BAR number for XPF_EV_BAR, else 0 */
    uint32_t old_val;    /* emulated register value before / after */
    uint32_t new_val;
} XpfEvent;

/* Interrupt types, pciback's way of counting them. */
typedef enum XpfIntrType {
    XPF_INTR_NONE = 0,
    XPF_INTR_INTX = 1,
    XPF_INTR_MSI = 2,
    XPF_INTR_MSIX = 4,
} XpfIntrType;

/* Per-device policy; every field may change at run time. */
typedef struct XpfPolicy {
    /* Unlisted bytes become writable (pciback's "permissive"). */
    bool permissive;
    /*
     * The guest may write the INTx-disable, MSI enable and MSI-X enable /
     * function-mask bits; enabling a second interrupt type is refused.
     */
    bool allow_interrupt_control;
} XpfPolicy;

/* How extended capabilities other than AER are shown (fixed at creation). */
typedef enum XpfExtCapMode {
    XPF_EXTCAP_HIDE,     /* unlinked from the chain (default) */
    XPF_EXTCAP_READONLY, /* linked, contents read-only */
} XpfExtCapMode;

/* Host function, as the path reached it (sysfs, libxc, a test fake). */
typedef struct XpfHostOps {
    /* Return 0 on success, negative on failure. */
    int (*read)(void *opaque, unsigned off, unsigned size, uint32_t *val);
    int (*write)(void *opaque, unsigned off, unsigned size, uint32_t val);
} XpfHostOps;

/* Callbacks to the path; each may be NULL. */
typedef struct XpfPathOps {
    void (*event)(void *opaque, const XpfEvent *ev);
    /* One call per register (or run of unlisted bytes) a write touched. */
    void (*decision)(void *opaque, XpfDecision dec, unsigned off,
                     unsigned size, uint32_t val, const char *why);
} XpfPathOps;

/* One BAR / ROM as the host reports it (sysfs resource or a fixture). */
typedef struct XpfBar {
    uint64_t addr;       /* host address */
    uint64_t size;       /* 0: not implemented */
    bool io;
    bool mem64;          /* occupies this slot and the next one */
    bool prefetch;
} XpfBar;

typedef struct XpfConfig {
    const XpfHostOps *host;
    void *host_opaque;
    const XpfPathOps *path;
    void *path_opaque;
    const uint8_t *cfg;  /* the host's config space as read at assignment */
    size_t cfg_len;      /* 256 (conventional) or 4096 (PCI Express) */
    XpfBar bars[XPF_NUM_BARS + 1];
    XpfPolicy policy;
    XpfExtCapMode extcaps;
    /*
     * MSI and MSI-X unlinked from the capability list: the host cannot
     * enable them (e.g. dom0's pciback refuses), so the guest uses INTx.
     */
    bool hide_msi;
    /*
     * MSI offered as one message (Multiple Message Capable reads 0), for a
     * path that can map only one vector; off: as many as the function has.
     */
    bool msi_single;
} XpfConfig;

typedef struct XpfDevice XpfDevice;
typedef struct XpfReg XpfReg;

/*
 * Register hooks; one signature for every register size.  @val holds the
 * register's bytes (bit 0 is the register's first byte), @bytes the mask of
 * the register's bits the access covers.
 *
 * A read hook may rewrite the guest-visible value.  A write hook sees the
 * guest's value before the masks are applied; it may normalise *val (e.g.
 * clamp a field) or return false, after setting *why, to refuse the whole
 * write to this register (the access then ends in XPF_E_REFUSED).
 */
typedef void XpfReadHook(XpfDevice *d, const XpfReg *r, uint32_t *val);
typedef bool XpfWriteHook(XpfDevice *d, const XpfReg *r, uint32_t *val,
                          uint32_t bytes, const char **why);

/*
 * A register, as registered.  Masks cover the register's bits:
 *   ro     guest writes are ignored
 *   rw1c   writing 1 clears; writing 0 leaves alone (never written back as 1)
 *   rsvdp  reserved-preserve: ignored for the guest, host value kept
 *   rsvdz  reserved-zero: read as 0, written to the host as 0
 *   emu    value comes from the engine's copy, not from the host
 * Bits in none of emu/ro/rsvd* are passed to and read from the host.
 * @init is the emulated value at registration (only emu bits may be set).
 */
typedef struct XpfRegDesc {
    uint16_t offset;
    uint8_t size;        /* 1, 2 or 4, naturally aligned */
    uint32_t ro, rw1c, rsvdp, rsvdz, emu;
    uint32_t init;
    XpfReadHook *read;
    XpfWriteHook *write;
    int8_t event;        /* XpfEventKind raised on emulated change, or -1 */
    uint8_t index;       /* XpfEvent.index for that event */
    const char *name;    /* static string, for traces and refusals */
} XpfRegDesc;

XpfDevice *xpf_device_new(const XpfConfig *cfg, GError **errp);
void xpf_device_free(XpfDevice *d);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(XpfDevice, xpf_device_free)

/* Guest accesses. Reads that fail set *val to all ones. */
XpfStatus xpf_read(XpfDevice *d, unsigned off, unsigned size, uint32_t *val);
XpfStatus xpf_write(XpfDevice *d, unsigned off, unsigned size, uint32_t val);

/* Registration (the engine registers the standard layout itself). */
bool xpf_add_reg(XpfDevice *d, const XpfRegDesc *desc, GError **errp);
bool xpf_add_quirk(XpfDevice *d, unsigned off, unsigned size, uint32_t mask,
                   GError **errp);
bool xpf_remove_quirk(XpfDevice *d, unsigned off, GError **errp);
/*
 * Parse and add one "OFF:SIZE:MASK" (pciback's quirk format): three
 * hexadecimal numbers, each with an optional 0x prefix.
 */
bool xpf_add_quirk_str(XpfDevice *d, const char *spec, GError **errp);
/*
 * Replace every installed quirk by those of @list: "OFF:SIZE:MASK" entries
 * separated by ',' or ';', blanks around entries ignored; NULL or "" means
 * no quirks.  All or nothing: on error the installed quirks stay as they
 * were and @errp names the refused entry.
 */
bool xpf_set_quirks(XpfDevice *d, const char *list, GError **errp);
/* The installed quirks, canonical ("0x40:2:0xffff,..."; "" if none). */
char *xpf_get_quirks(const XpfDevice *d);
/*
 * The register covering @off, or NULL.  The pointer is valid until the
 * next quirk is added or removed.
 */
const XpfRegDesc *xpf_find_reg(const XpfDevice *d, unsigned off);

/* Policy. */
void xpf_set_policy(XpfDevice *d, const XpfPolicy *p);
XpfPolicy xpf_get_policy(const XpfDevice *d);

/*
 * Privileged access for the path (not filtered): set the emulated bits of
 * the register that starts at @off.  Raises no event.
 */
bool xpf_set_emulated(XpfDevice *d, unsigned off, uint32_t val);
uint32_t xpf_get_emulated(const XpfDevice *d, unsigned off);

/*
 * Privileged state changes for the path, by meaning rather than by
 * register offset; none raises an event.
 *
 * xpf_reset_guest_view: the guest's view as after a function reset: the
 * command register reads 0, BARs 0-5 and the ROM BAR lose their address
 * (and ROM enable) bits and keep their type bits (I/O, 64-bit,
 * prefetchable).
 */
void xpf_reset_guest_view(XpfDevice *d);
/* The Interrupt Line the guest reads (pciback shows dom0's IRQ there). */
void xpf_set_interrupt_line(XpfDevice *d, uint8_t line);
/*
 * Show the guest the MSI / MSI-X state the path set up on the host by
 * other means (a PV frontend's enable_msi / enable_msix op).
 * xpf_mirror_msi: @nvec vectors (a power of two the function supports) or
 * 0 for disabled: MSI Enable and Multiple Message Enable.
 * xpf_mirror_msix: MSI-X Enable as @enabled, Function Mask cleared.
 * Both return false, changing nothing, when the capability is absent (or
 * @nvec is not possible).
 */
bool xpf_mirror_msi(XpfDevice *d, unsigned nvec);
bool xpf_mirror_msix(XpfDevice *d, bool enabled);
/*
 * The message interrupt types (XPF_INTR_MSI, XPF_INTR_MSIX or none) the
 * path has really enabled on the host function.  The one-interrupt-type
 * rule of allow_interrupt_control counts them together with the guest's
 * virtual enable bits, so clearing a virtual bit does not let the guest
 * enable a second type while the first is still on in the host.
 */
void xpf_set_host_interrupts(XpfDevice *d, XpfIntrType types);
XpfIntrType xpf_host_interrupts(const XpfDevice *d);

/* State the path needs, decoded. */
typedef struct XpfBarState {
    uint64_t addr;       /* guest address (emulated BAR value) */
    uint64_t size;
    bool io, mem64, prefetch;
    bool enabled;        /* decode on (command) and, for ROM, enable bit */
} XpfBarState;

typedef struct XpfMsiState {
    bool present, enabled, is64, per_vector_mask;
    unsigned cap;        /* capability offset */
    unsigned vectors_capable, vectors_enabled;
    uint64_t addr;
    uint16_t data;
    uint32_t mask;
} XpfMsiState;

typedef struct XpfMsixState {
    bool present, enabled, masked;
    unsigned cap;
    unsigned table_size;
    unsigned table_bar, pba_bar;
    uint32_t table_offset, pba_offset;
} XpfMsixState;

bool xpf_bar_state(const XpfDevice *d, unsigned slot, XpfBarState *out);
void xpf_msi_state(const XpfDevice *d, XpfMsiState *out);
void xpf_msix_state(const XpfDevice *d, XpfMsixState *out);
uint16_t xpf_command(const XpfDevice *d);
unsigned xpf_pm_state(const XpfDevice *d);       /* 0..3, 0 if no PM */
/* Types enabled: virtual enable bits or enabled in the host (see above). */
XpfIntrType xpf_interrupt_type(const XpfDevice *d);
unsigned xpf_find_cap(const XpfDevice *d, uint8_t id);     /* 0: absent */
unsigned xpf_find_extcap(const XpfDevice *d, uint16_t id); /* 0: absent */

/* Counters of write decisions (denied = dropped + refused). */
typedef struct XpfStats {
    uint64_t decisions[XPF_DEC__COUNT];
    uint64_t host_reads, host_writes;
} XpfStats;
void xpf_get_stats(const XpfDevice *d, XpfStats *out);
/*
 * Guest writes denied: dropped (nothing writable, or a bad size,
 * alignment or offset) or refused by a policy rule.
 */
uint64_t xpf_denied_writes(const XpfDevice *d);
size_t xpf_device_footprint(const XpfDevice *d);

const char *xpf_decision_name(XpfDecision dec);

/*
 * What would let a denied write through, from its decision and the
 * reason the decision gave: nothing (a read-only register or bits, a bad
 * access, a VPD write request), permissive or a quirk of those bytes
 * (unlisted bytes), allow_interrupt_control (an MSI or MSI-X enable), or
 * permissive (the one-interrupt-type rule).  NONE for a write allowed.
 */
typedef enum XpfKnob {
    XPF_KNOB_NONE,
    XPF_KNOB_PERMISSIVE_OR_QUIRK,
    XPF_KNOB_INTR_CONTROL,
    XPF_KNOB_PERMISSIVE,
} XpfKnob;
XpfKnob xpf_denied_knob(XpfDecision dec, const char *why);
const char *xpf_event_name(XpfEventKind kind);

/* Parse a Linux sysfs "resource" file into BARs 0-5 and the ROM. */
bool xpf_parse_sysfs_resource(const char *text, XpfBar bars[XPF_NUM_BARS + 1],
                              GError **errp);

/*
 * An SR-IOV virtual function reads 0xffff as its vendor and device ID and
 * 0 in its BARs (the physical function's SR-IOV capability holds them).
 * Put into @cfg what the host's kernel gives the function instead, as
 * pciback shows it to its frontend: @vendor and @device (sysfs vendor,
 * device) and each BAR of @bars (sysfs resource) as its address with the
 * BAR's type bits; a 64-bit BAR's upper half in the next register.  The
 * interrupt pin reads 0: a VF has no INTx (the kernel's pin for it is 0,
 * whatever the register says).
 */
void xpf_virtfn_view(uint8_t *cfg, uint16_t vendor, uint16_t device,
                     const XpfBar bars[XPF_NUM_BARS]);

#define XPF_ERROR xpf_error_quark()
GQuark xpf_error_quark(void);

#endif /* HW_XEN_XEN_PCI_FILTER_H */
