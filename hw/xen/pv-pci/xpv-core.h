/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Xen PV-PCI backend op core ("xpv").
 *
 * The part of a userspace PV-PCI backend that answers xen-pcifront: it owns
 * the list of functions exported to one frontend, maps the BDFs the guest
 * uses onto them (pciback's "vpci" and "passthrough" modes), serves the ops
 * the frontend posts in the shared page (config space through the
 * register-filter engine, MSI / MSI-X set-up through the path's hooks) and
 * drives pciback's AER sequence.  Plain C on top of glib: the xenbus,
 * grant-mapping and event-channel plumbing stay in the path.
 *
 * The frontend is hostile.  The op is copied once out of the shared page
 * into a local struct and only that copy is used; every reply is one of the
 * XEN_PCI_ERR_* codes.  One backend serves one frontend from one thread.
 */
#ifndef HW_XEN_PV_PCI_XPV_CORE_H
#define HW_XEN_PV_PCI_XPV_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>
#include <xen/io/pciif.h>
#include "hw/xen/xen-pci-filter.h"
#include "hw/xen/xen-pci-addr.h"

#define XPV_MAX_FUNCS      32   /* functions one backend exports */
#define XPV_NUM_OPS        11   /* XEN_PCI_OP_conf_read..enable_multi_msi */
#define XPV_NUM_ERRS       6    /* -XEN_PCI_ERR_*: success..op_failed */
#define XPV_MSI_MAX_VEC    32   /* multiple message enable limit */

/* pci_ers_result_t values (the AER result the frontend answers with). */
#define XPV_ERS_NONE          1
#define XPV_ERS_CAN_RECOVER   2
#define XPV_ERS_NEED_RESET    3
#define XPV_ERS_DISCONNECT    4
#define XPV_ERS_RECOVERED     5

/* pci_channel_state_t values (what aer_detected carries to the guest). */
#define XPV_CHANNEL_NORMAL        1
#define XPV_CHANNEL_FROZEN        2
#define XPV_CHANNEL_PERM_FAILURE  3

typedef enum XpvMode {
    XPV_MODE_VPCI,          /* functions renumbered onto bus 0000:00 */
    XPV_MODE_PASSTHROUGH,   /* the guest sees host BDFs */
} XpvMode;

typedef struct XpvBdf {
    uint16_t domain;
    uint8_t bus;
    uint8_t devfn;
} XpvBdf;

typedef struct XpvBus {
    uint16_t domain;
    uint8_t bus;
} XpvBus;

/* Interrupts the guest set up through ops (at most one kind at a time). */
typedef enum XpvIrqMode {
    XPV_IRQ_NONE,
    XPV_IRQ_MSI,            /* one vector */
    XPV_IRQ_MULTI_MSI,      /* 2..32 vectors (XEN_PCI_OP_enable_multi_msi) */
    XPV_IRQ_MSIX,
} XpvIrqMode;

typedef struct XpvFuncStats {
    uint64_t ops[XPV_NUM_OPS + 1];  /* by op code; last: unknown codes */
    uint64_t errors[XPV_NUM_ERRS];  /* by -err */
} XpvFuncStats;

/* An exported function.  Read-only for the path. */
typedef struct XpvFunc {
    XpvBdf host;
    XpvBdf guest;           /* what the frontend names it by */
    XpfDevice *dev;         /* owned by the path */
    void *opaque;           /* the path's */
    int intx_pirq;          /* returned by disable_msi/msix (0: none) */
    bool virtfn;            /* SR-IOV VF (placed as pciback places it) */
    XpvIrqMode irq;
    unsigned nvec;          /* vectors of irq */
    int pirqs[SH_INFO_MAX_VEC];
    uint16_t msix_entries[SH_INFO_MAX_VEC];
    XpvFuncStats stats;
} XpvFunc;

typedef struct XpvFuncConfig {
    XpvBdf host;
    XpfDevice *dev;
    void *opaque;
    int intx_pirq;
    bool virtfn;
} XpvFuncConfig;

typedef struct XpvMsixEntry {
    uint16_t entry;         /* MSI-X table index */
} XpvMsixEntry;

/*
 * The path's interrupt plumbing (libxenctrl in QEMU, fakes in tests).
 * Enable hooks return 0 and fill @pirqs (one per vector, all > 0; MSI-X
 * pirqs must fit 16 bits), or a negative value after undoing any partial
 * work.  A NULL enable hook makes the op XEN_PCI_ERR_not_implemented.
 * Disable hooks are only called for what an enable hook set up.  Hooks must
 * not call back into the backend.
 */
/* One answered op, as the path's trace shows it. */
typedef struct XpvOpRecord {
    uint32_t cmd;
    uint32_t domain, bus, devfn;    /* as the frontend addressed it */
    int32_t offset, size;
    uint32_t in_value, out_value;
    int32_t err;
} XpvOpRecord;

typedef struct XpvHooks {
    int (*enable_msi)(void *opaque, const XpvFunc *f, unsigned nvec,
                      int pirqs[]);
    void (*disable_msi)(void *opaque, const XpvFunc *f);
    int (*enable_msix)(void *opaque, const XpvFunc *f,
                       const XpvMsixEntry *entries, unsigned n, int pirqs[]);
    void (*disable_msix)(void *opaque, const XpvFunc *f);
    /*
     * An op the backend refused (optional): not for absent functions
     * (xen-pcifront probes for them) nor refused config writes (the
     * engine reports those as decisions). @f is NULL if unknown.
     */
    void (*refused)(void *opaque, const XpvFunc *f, uint32_t cmd,
                    int32_t err);
    /*
     * Every op answered (optional), once, after its reply is decided: the
     * op as copied from the page, the value and error returned.  @f is
     * NULL for an absent function.  For the path's trace.
     */
    void (*answered)(void *opaque, const XpvFunc *f,
                     const XpvOpRecord *rec);
} XpvHooks;

/*
 * The frontend's shared page.  Every read of the page goes through one
 * copy that then calls @fetched (if set) with the byte range copied: tests
 * and the fuzzer use it to watch the accesses and to change the page behind
 * the backend's back, as a racing frontend would.
 */
typedef struct XpvSharedPage {
    struct xen_pci_sharedinfo *sh;
    void (*fetched)(void *opaque, size_t off, size_t len);
    void *opaque;
} XpvSharedPage;

/* Event budget: @burst events at once, refilled at @per_sec (0: no limit). */
typedef struct XpvRateLimit {
    unsigned burst;
    unsigned per_sec;
} XpvRateLimit;

typedef enum XpvEventResult {
    XPV_EVENT_SPURIOUS,     /* no op pending */
    XPV_EVENT_DONE,         /* one op answered: notify the frontend */
    XPV_EVENT_THROTTLED,    /* over budget: retry after xpv_event_delay_ns */
} XpvEventResult;

typedef struct XpvStats {
    uint64_t events, spurious, throttled;
    uint64_t ops;                   /* ops answered */
    uint64_t errors[XPV_NUM_ERRS];  /* by -err, all functions and none */
    uint64_t aer_ops, aer_timeouts;
} XpvStats;

typedef enum XpvAerStatus {
    XPV_AER_IDLE,           /* no AER op outstanding */
    XPV_AER_PENDING,        /* posted; the frontend has not answered yet */
    XPV_AER_DONE,           /* answered; result returned */
    XPV_AER_NO_HANDLER,     /* frontend has no AER handler: nothing posted */
    XPV_AER_BUSY,           /* another AER op is outstanding */
    XPV_AER_INVALID,        /* not an AER op, or function not exported */
} XpvAerStatus;

typedef enum XpvAerOutcome {
    XPV_AER_SEQ_IDLE,
    XPV_AER_SEQ_RUNNING,    /* a step is posted; poll again on events */
    XPV_AER_SEQ_RECOVERED,
    XPV_AER_SEQ_FAILED,     /* as pciback: the path should kill the guest */
    XPV_AER_SEQ_NO_HANDLER, /* as pciback: the path should kill the guest */
    XPV_AER_SEQ_INVALID,    /* function unknown or another op outstanding */
} XpvAerOutcome;

typedef struct XpvBackend XpvBackend;

XpvBackend *xpv_backend_new(XpvMode mode, const XpvHooks *hooks,
                            void *opaque);
/* Undoes the interrupts of the functions still exported. */
void xpv_backend_free(XpvBackend *b);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(XpvBackend, xpv_backend_free)
XpvMode xpv_backend_mode(const XpvBackend *b);
void xpv_set_rate_limit(XpvBackend *b, const XpvRateLimit *rl);
void xpv_get_stats(const XpvBackend *b, XpvStats *out);

/* Functions (hot add / remove at any time). */
const XpvFunc *xpv_add_func(XpvBackend *b, const XpvFuncConfig *cfg,
                            GError **errp);
/* Undoes MSI / MSI-X through the hooks first; the path frees the device. */
bool xpv_remove_func(XpvBackend *b, XpvBdf host, GError **errp);
/*
 * The frontend went away: undo every function's interrupts; an AER
 * sequence it was part of ends.
 */
void xpv_reset(XpvBackend *b);
/* Slot @i (0..XPV_MAX_FUNCS-1, stable while exported) or NULL. */
const XpvFunc *xpv_func_at(const XpvBackend *b, unsigned i);
unsigned xpv_num_funcs(const XpvBackend *b);
const XpvFunc *xpv_find_host(const XpvBackend *b, XpvBdf host);
const XpvFunc *xpv_find_guest(const XpvBackend *b, uint32_t domain,
                              uint32_t bus, uint32_t devfn);
/* Root buses the path publishes as root-N; returns how many (<= max). */
unsigned xpv_root_buses(const XpvBackend *b, XpvBus *out, unsigned max);

/* Ops: answer the pending op, if any; true: notify the frontend. */
bool xpv_handle_op(XpvBackend *b, XpvSharedPage *pg);
/* Whether the frontend has an op waiting: a hint only, nothing is fetched. */
bool xpv_op_pending(const XpvSharedPage *pg);
/* One event from the frontend: at most one op, within the event budget. */
XpvEventResult xpv_handle_event(XpvBackend *b, XpvSharedPage *pg,
                                int64_t now_ns);
/* How long until the next event fits the budget (0: now). */
int64_t xpv_event_delay_ns(const XpvBackend *b, int64_t now_ns);

/* AER, one op at a time, driven by the backend (pciback's pci_stub). */
XpvAerStatus xpv_aer_begin(XpvBackend *b, XpvSharedPage *pg,
                           const XpvFunc *f, uint32_t cmd, int32_t state);
XpvAerStatus xpv_aer_poll(XpvBackend *b, XpvSharedPage *pg, int32_t *result);
/* The frontend did not answer in time: withdraw, return pciback's default. */
int32_t xpv_aer_timeout(XpvBackend *b, XpvSharedPage *pg);
/* Recovery: detected, then mmio / slotreset as answered, then resume. */
XpvAerOutcome xpv_aer_recover(XpvBackend *b, XpvSharedPage *pg,
                              const XpvFunc *f, int32_t channel_state);
XpvAerOutcome xpv_aer_recover_poll(XpvBackend *b, XpvSharedPage *pg,
                                   bool timed_out);
/* The host reported an error on @host: start recovery (tests inject here). */
XpvAerOutcome xpv_aer_inject(XpvBackend *b, XpvSharedPage *pg, XpvBdf host,
                             int32_t channel_state);

/* Values the path writes to xenstore. */
#define XPV_VDEV_STRLEN  XEN_PCI_ADDR_STRLEN     /* "dddd:bb:ss.f" */
#define XPV_ROOT_STRLEN  8      /* "dddd:bb" */
#define XPV_KEY_STRLEN   32
char *xpv_format_vdev(char buf[XPV_VDEV_STRLEN], XpvBdf bdf);
/* An op's BDF (its wire form) from the common address type. */
XpvBdf xpv_bdf_of(const XenPciAddr *a);
void xpv_format_root(char buf[XPV_ROOT_STRLEN], XpvBus bus);
/* "@prefix-@n", e.g. root-0, vdev-3, state-3; false if it does not fit. */
bool xpv_format_key(char buf[XPV_KEY_STRLEN], const char *prefix,
                    unsigned n);
/* A XenbusState as xenstore holds it; false if not a XenbusState. */
bool xpv_format_state(char buf[4], unsigned state);

const char *xpv_op_name(uint32_t cmd);

#define XPV_ERROR xpv_error_quark()
GQuark xpv_error_quark(void);

#endif /* HW_XEN_PV_PCI_XPV_CORE_H */
