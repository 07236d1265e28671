/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * One passed-through host PCI function, the layer both guest transports
 * share: xen-pci-passthrough (an HVM guest's config cycles and BARs) and
 * xen-pciback-pv (xen-pcifront's ops) are thin adapters on top of it.
 *
 * A XenPciFunc owns, for one host function: the host handle (dom0's sysfs;
 * in a stubdomain found behind pcifront), the register-filter engine
 * device with its policy and quirks, the engine's decisions and events
 * (traced, the command register followed on the host), reset and restore,
 * the hypercalls (Xen's, or recorded when not on Xen), what the domain is
 * granted (when no toolstack grants it), BAR mappings and the interrupts
 * (pci-func/xen-pci-intr.h: INTx, MSI, MSI-X and the host's enable bits).
 * The adapters reach none of these but through this layer.  Its messages
 * name the function; those a guest can trigger are rate-limited.
 *
 * Set-up is one call that either completes or undoes every step it did;
 * xen_pci_func_close() undoes exactly the steps done (see XEN_PCI_FUNC_*
 * for its order), so it is safe on a function whose set-up failed half
 * way, or that was never opened.
 */
#ifndef HW_XEN_XEN_PCI_FUNC_H
#define HW_XEN_XEN_PCI_FUNC_H

#include "hw/xen/xen-pci-filter.h"
#include "qemu/bitmap.h"
#include "qom/object.h"
#include "xen-pci-host.h"
#include "pci-func/xen-pci-grant.h"
#include "pci-func/xen-pci-hv.h"
#include "pci-func/xen-pci-intr.h"
#include "pci-func/xen-pci-pciback.h"

/* Room for "<device type> DDDD:BB:DD.F" in messages. */
#define XEN_PCI_LOG_NAME_LEN 64

/*
 * What a refused MSI/MSI-X control write means, with the function's dom0
 * address for %s: dom0's pciback lets its frontend (the stubdomain) change
 * those bits only with its per-function switch on, which libxl never sets.
 */
#define XEN_PCI_INTR_CONTROL_HINT \
    "dom0's pciback lets a stubdomain enable MSI/MSI-X only when allowed: " \
    "in dom0, write %s to /sys/bus/pci/drivers/pciback/" \
    "allow_interrupt_control before the device is attached (pciback " \
    "clears it when the stubdomain releases the function)"

/*
 * The filter policy a user sets, per device (run-time settable).  A field
 * no property set (@set) leaves the function's own pciback setting in
 * dom0 in effect (see xen_pci_func_open()): a flag on there stays on,
 * pciback's quirks apply when the device has none of its own.
 */
#define XEN_PCI_POLICY_SET_PERMISSIVE (1u << 0)
#define XEN_PCI_POLICY_SET_INTR (1u << 1)
#define XEN_PCI_POLICY_SET_QUIRKS (1u << 2)
typedef struct XenPciPolicy {
    bool permissive;
    bool allow_interrupt_control;
    char *quirks;        /* "OFF:SIZE:MASK[,...]", hexadecimal */
    unsigned set;        /* XEN_PCI_POLICY_SET_*: given by a property */
} XenPciPolicy;

typedef struct XenPciFunc XenPciFunc;

/*
 * Denied guest writes: the last XEN_PCI_DENIED_KEEP of a function are
 * kept (last-denied-writes); the first denied write of each register
 * that a setting could let through is logged (warn_report, at most one a
 * second per function, at most XEN_PCI_DENIED_LOGGED registers per
 * function), naming the setting.
 */
#define XEN_PCI_DENIED_KEEP 8
#define XEN_PCI_DENIED_LOGGED 8
typedef struct XenPciDenied {
    uint32_t off;
    uint8_t size;
    XpfDecision dec;
    XpfKnob knob;
    uint32_t val;
    char why[48];
} XenPciDenied;

/* The transport's part in the engine's events (after this layer's). */
typedef void XenPciFuncEventFn(XenPciFunc *fn, const XpfEvent *ev);
/* Whether the transport takes this host function (before any change). */
typedef bool XenPciFuncAcceptFn(XenPciFunc *fn, Error **errp);

typedef struct XenPciFuncConfig {
    const char *owner;           /* device type, for messages */
    const char *sysfs_root;      /* NULL: dom0's */
    XenPciAddr addr;             /* the function's address in dom0 */
    /*
     * In a stubdomain the function is pcifront's: found under the address
     * pcifront gives it (pciback's xenstore pairs it with @addr; tests:
     * @local_addr), bound to no driver there, reset by dom0 (pciback drops
     * a frontend's reset), and dom0's pciback may refuse its MSI/MSI-X
     * control (see intr_hidden).
     */
    bool stubdom;
    const char *local_addr;
    const XenPciPolicy *policy;
    uint32_t domid;              /* the guest's domain */
    /* tests: the device's x-hv-fail, read at each hypercall (or NULL) */
    const uint64_t *hv_fail;
    /*
     * A function whose reset fails is passed through anyway, with a
     * warning (its previous user's state may remain), and released the
     * same way; off: refused.
     */
    bool no_strict_reset;
    /*
     * The guest's PowerState (PMCSR) reaches the function, as pciback lets
     * its frontend's; back to D0 at release. Only for a function that keeps
     * its state leaving D3hot (No_Soft_Reset); off: D-states stay virtual.
     */
    bool power_mgmt;
    /*
     * The guest is offered one MSI message, as many as its path can use:
     * an HVM guest's MSI is enabled by config writes, which cannot be
     * refused later (see xen_pci_intr_msi_sync); a PV frontend asks for
     * its vectors in an op, refused there beyond one, and sees the
     * function's field as pciback shows it.
     */
    bool msi_single;
    bool host_fail_writes;       /* tests: see xen_pci_func_host_faults */
    bool host_refuse_intr;
    bool grant;                  /* do the toolstack's grants */
    XenPciFuncAcceptFn *accept;  /* NULL: any function */
    XenPciFuncEventFn *event;
    void *opaque;
} XenPciFuncConfig;

/*
 * Set-up steps done, each undone by xen_pci_func_close() only if done.
 * Close is not open run backwards: interrupts go first, then the function
 * is reset and its config space restored while the domain still holds it
 * (the restore must reach the function before another domain may), then
 * the grants are revoked, the engine freed and the host handle closed.
 */
enum {
    XEN_PCI_FUNC_OPENED = 1 << 0,    /* host handle open and claimed */
    XEN_PCI_FUNC_TOUCHED = 1 << 1,   /* reset: restore it when done */
    XEN_PCI_FUNC_FILTERED = 1 << 2,  /* engine device created */
    XEN_PCI_FUNC_GRANTED = 1 << 3,   /* grants made (see grants) */
    XEN_PCI_FUNC_INTR = 1 << 4,      /* interrupts set up (see intr) */
};

struct XenPciFunc {
    XenPciHost host;
    XpfDevice *xpf;
    XenPciHv hv;                 /* Xen's, or recorded when not on Xen */
    XenPciGrants grants;
    XenPciIntr intr;
    unsigned steps;
    XenPciFuncEventFn *event;
    void *opaque;
    /*
     * The host refused a harmless write of the MSI/MSI-X control when
     * opened (dom0's pciback, interrupt control not allowed): MSI and
     * MSI-X are hidden from the guest, which then uses INTx.
     */
    bool intr_hidden;
    bool no_strict_reset;        /* see XenPciFuncConfig */
    bool power_mgmt;             /* asked for and possible: see Config */
    bool msi_single;             /* see XenPciFuncConfig */
    bool pm_moved;               /* the host left D0 for the guest */
    /* dom0's pciback policy for it, read when opened (none in a stubdomain) */
    XenPcibackPolicy pciback;
    XenPciDenied denied[XEN_PCI_DENIED_KEEP];
    unsigned denied_n;           /* recorded so far */
    DECLARE_BITMAP(denied_logged, XPF_CFG_SIZE);
    unsigned denied_logged_n;
    int64_t last_log_ms;
    char log_name[XEN_PCI_LOG_NAME_LEN];
};

/*
 * Open the host function, refuse it before anything touches it unless it
 * is pciback's (in a stubdomain, @c->pcifront: bound to no driver; see
 * xen_pci_host_check_driver()), reset it (restoring the config space
 * found) unless dom0 does, probe whether the MSI/MSI-X control reaches it when
 * asked (a harmless write of a bit the device model needs: MSI-X Function
 * Mask while MSI-X is off, else MSI Enable with bus mastering off for the
 * moment, read back and undone; refused: intr_hidden, with a warning
 * naming dom0's setting), read the function's policy in dom0's pciback
 * (its driver's permissive, allow_interrupt_control and quirks: what xl
 * and administrators write there before the guest starts; not in a
 * stubdomain, which cannot see them), filter it with @c->policy over that
 * (see XenPciPolicy), grant it when
 * @c->grant, and turn on its decoding.  On failure every step done is
 * undone and @errp says which failed; @fn can then be closed (nothing
 * left to do) or opened again.
 */
bool xen_pci_func_open(XenPciFunc *fn, const XenPciFuncConfig *c,
                       Error **errp);
void xen_pci_func_close(XenPciFunc *fn);
bool xen_pci_func_is_open(const XenPciFunc *fn);
/* Guest writes denied so far (the engine's count; 0 when not open). */
uint64_t xen_pci_func_denied(const XenPciFunc *fn);
/*
 * Its last denied writes, oldest first, each visited as one list element:
 * {"function", "offset", "size", "value", "decision", "reason",
 * "allowed-by"} ("allowed-by": the setting that would let the write
 * through, "none" if no setting does).  For a device's typed
 * last-denied-writes property, inside the list the device started.
 */
bool xen_pci_func_visit_denied(const XenPciFunc *fn, Visitor *v,
                               Error **errp);

/*
 * Map (@add) or unmap @nr pages of host MMIO at @mfn, or @nr host I/O
 * ports at @mport, into the guest at @gfn / @gport; a failure is
 * reported, rate-limited (a guest's BAR move causes it).
 */
bool xen_pci_func_map_mmio(XenPciFunc *fn, uint64_t gfn, uint64_t mfn,
                           uint64_t nr, bool add);
bool xen_pci_func_map_ioport(XenPciFunc *fn, uint32_t gport, uint32_t mport,
                             uint32_t nr, bool add);

/* The host function: dom0's address, as text ("DDDD:BB:DD.F") too. */
const char *xen_pci_func_name(const XenPciFunc *fn);
const XenPciAddr *xen_pci_func_addr(const XenPciFunc *fn);
/*
 * Its config space as found when opened (XPF_CFG_SIZE bytes; an SR-IOV
 * VF's with the IDs and BARs the kernel gives it).
 */
const uint8_t *xen_pci_func_found_config(const XenPciFunc *fn);
/* Whether it is an SR-IOV virtual function in dom0. */
bool xen_pci_func_is_virtfn(const XenPciFunc *fn);
/* Its BARs in dom0 (XPF_ROM_SLOT: the ROM), and dom0's IRQ (0: none). */
const XpfBar *xen_pci_func_bar(const XenPciFunc *fn, unsigned slot);
int xen_pci_func_irq(const XenPciFunc *fn);
/* Read @size bytes at @off of BAR @bar (e.g. the MSI-X PBA). */
bool xen_pci_func_bar_read(XenPciFunc *fn, unsigned bar, uint64_t off,
                           void *buf, size_t size);
/* The expansion ROM's contents (g_free), or NULL with @errp set. */
uint8_t *xen_pci_func_read_rom(XenPciFunc *fn, size_t *size, Error **errp);

/*
 * Tests (qtest only): host config writes fail (EIO), or writes of the
 * MSI/MSI-X control are dropped as dom0's pciback may drop them.
 */
void xen_pci_func_host_faults(XenPciFunc *fn, bool fail_writes,
                              bool refuse_intr);

/*
 * Tests (qtest only): the hypercalls recorded so far ("" on Xen).  Which
 * of them fail is the device's x-hv-fail (XenPciFuncConfig.hv_fail).
 */
const char *xen_pci_func_hv_log(const XenPciFunc *fn);

/*
 * Apply a device's policy over the function's pciback policy, all or
 * nothing (a refused quirk list changes nothing).
 */
bool xen_pci_func_set_policy(XenPciFunc *fn, const XenPciPolicy *p,
                             Error **errp);
/*
 * The policy in effect for the function under the device's @p, in one
 * line, saying which parts come from pciback (g_free).
 */
char *xen_pci_func_policy_summary(const XenPciFunc *fn,
                                  const XenPciPolicy *p);

/*
 * Interrupts through Xen (see pci-func/xen-pci-intr.h for the error
 * policy: a failed step leaves that interrupt off everywhere, the guest's
 * view included).  Failures a guest action caused are reported here,
 * rate-limited; the result says whether it worked.
 *
 * INTx of an HVM guest: dom0's GSI bound to the guest's virtual @pin of
 * device @dev on @bus (nothing to do for a function without INTx).
 */
bool xen_pci_func_intx_bind(XenPciFunc *fn, uint8_t bus, uint8_t dev,
                            uint8_t pin, Error **errp);
/*
 * The pirq a PV guest has for the function's INTx: the one mapped when
 * this layer granted the function, else the one libxl maps (pirq = GSI),
 * 0 for none.
 */
int xen_pci_func_intx_pirq(const XenPciFunc *fn);
/* A PV guest's MSI (@nvec vectors, pirqs from *@pirq on) and MSI-X. */
bool xen_pci_func_msi_enable(XenPciFunc *fn, unsigned nvec, int *pirq);
void xen_pci_func_msi_disable(XenPciFunc *fn);
bool xen_pci_func_msix_enable(XenPciFunc *fn, const uint16_t *entries,
                              unsigned n, int *pirqs);
void xen_pci_func_msix_disable(XenPciFunc *fn);
/* An HVM guest's MSI and MSI-X control, as the engine holds them. */
void xen_pci_func_msi_sync(XenPciFunc *fn);
void xen_pci_func_msix_control(XenPciFunc *fn);
/*
 * An HVM guest's MSI-X entry @i (@gtable: the table's guest address, 0
 * while unmapped); false: it is not set up, the caller shows it masked.
 */
bool xen_pci_func_msix_entry(XenPciFunc *fn, unsigned i, const XenPciMsg *m,
                             uint64_t gtable);
bool xen_pci_func_msix_rebind(XenPciFunc *fn, unsigned i, uint64_t gtable);

/*
 * Rate-limited messages: guest errors (LOG_GUEST_ERROR), and failures of
 * host or hypervisor calls a guest action caused; at most one a second
 * per function.
 */
void G_GNUC_PRINTF(2, 3) xen_pci_func_guest_error(XenPciFunc *fn,
                                                  const char *fmt, ...);
void G_GNUC_PRINTF(2, 3) xen_pci_func_error(XenPciFunc *fn,
                                            const char *fmt, ...);
/* The same limiter for messages that belong to no function. */
void G_GNUC_PRINTF(3, 0) xen_pci_log_guest_errorv(int64_t *last_ms,
                                                  const char *who,
                                                  const char *fmt,
                                                  va_list ap);

/*
 * The policy properties (permissive, allow-interrupt-control, quirks,
 * policy), one implementation for both devices.  @offset: where the
 * instance keeps its XenPciPolicy; @apply: put a new policy into effect
 * on every function the device has, all or nothing (NULL before realize
 * is fine: the policy is kept for it).
 */
typedef bool XenPciPolicyApplyFn(Object *obj, const XenPciPolicy *p,
                                 Error **errp);
/* The policy in effect, in one line per function (NULL: not realized). */
typedef char *XenPciPolicyDescribeFn(Object *obj);
typedef struct XenPciPolicyProps {
    size_t offset;
    XenPciPolicyApplyFn *apply;
    XenPciPolicyDescribeFn *describe;
} XenPciPolicyProps;
void xen_pci_policy_class_init(ObjectClass *klass,
                               const XenPciPolicyProps *props);
void xen_pci_policy_free(XenPciPolicy *p);

#endif
