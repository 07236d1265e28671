/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * One passed-through host PCI function, shared by both guest transports
 * (see xen-pci-func.h).
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/visitor.h"
#include "qemu/error-report.h"
#include "qemu/log.h"
#include "qemu/timer.h"
#include "hw/pci/pci.h"
#include "hw/xen/xen-legacy-backend.h"
#include "system/xen.h"
#include "xen-pci-func.h"
#include "pci-func/xen-pci-stubdom.h"
#include "trace.h"

/* ---- messages ---- */

#define XEN_PCI_LOG_PERIOD_MS 1000

/* True at most once per period of @last_ms. */
static bool xen_pci_log_allowed(int64_t *last_ms)
{
    int64_t now = qemu_clock_get_ms(QEMU_CLOCK_REALTIME);

    if (*last_ms && now - *last_ms < XEN_PCI_LOG_PERIOD_MS) {
        return false;
    }
    *last_ms = now;
    return true;
}

void xen_pci_log_guest_errorv(int64_t *last_ms, const char *who,
                              const char *fmt, va_list ap)
{
    g_autofree char *msg = NULL;

    if (!xen_pci_log_allowed(last_ms)) {
        return;
    }
    msg = g_strdup_vprintf(fmt, ap);
    qemu_log_mask(LOG_GUEST_ERROR, "%s: %s\n", who, msg);
}

void xen_pci_func_guest_error(XenPciFunc *fn, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    xen_pci_log_guest_errorv(&fn->last_log_ms, fn->log_name, fmt, ap);
    va_end(ap);
}

void xen_pci_func_error(XenPciFunc *fn, const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    va_list ap;

    if (!xen_pci_log_allowed(&fn->last_log_ms)) {
        return;
    }
    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    error_report("%s: %s", fn->log_name, msg);
}

/* ---- the engine's host accesses, decisions and events ---- */

static int xen_pci_func_host_read(void *opaque, unsigned off, unsigned size,
                                  uint32_t *val)
{
    XenPciFunc *fn = opaque;

    return xen_pci_host_cfg_read(&fn->host, off, size, val);
}

/* A failed host write is reported, whichever path asked for it. */
static int xen_pci_func_host_write(void *opaque, unsigned off,
                                   unsigned size, uint32_t val)
{
    XenPciFunc *fn = opaque;
    int rc = xen_pci_host_cfg_write(&fn->host, off, size, val);

    if (rc < 0) {
        xen_pci_func_error(fn, "host config write of 0x%x at 0x%x/%u "
                           "failed", val, off, size);
    }
    return rc;
}

static const XpfHostOps xen_pci_func_host_ops = {
    .read = xen_pci_func_host_read,
    .write = xen_pci_func_host_write,
};

/* Set and clear bits of a host register on the path's own behalf. */
static bool xen_pci_func_host_update(XenPciFunc *fn, unsigned off,
                                     unsigned size, uint32_t clear,
                                     uint32_t set)
{
    uint32_t v;

    if (xen_pci_host_cfg_read(&fn->host, off, size, &v) < 0) {
        xen_pci_func_error(fn, "host config read at 0x%x/%u failed", off,
                           size);
        return false;
    }
    return xen_pci_func_host_write(fn, off, size, (v & ~clear) | set) == 0;
}

/*
 * An interrupt-control write that must take effect: read back, since a
 * frontend's config write refused by dom0's pciback fails silently.
 */
static bool xen_pci_func_host_set_checked(XenPciFunc *fn, unsigned off,
                                          uint32_t mask, uint32_t set)
{
    uint32_t v;

    if (!xen_pci_func_host_update(fn, off, 2, mask, set)) {
        return false;
    }
    if (xen_pci_host_cfg_read(&fn->host, off, 2, &v) < 0) {
        xen_pci_func_error(fn, "host config read at 0x%x/2 failed", off);
        return false;
    }
    if ((v & mask) != set) {
        xen_pci_func_error(fn, "the host refused the interrupt control "
                           "write at 0x%x (reads 0x%x, wanted bits 0x%x "
                           "of 0x%x): " XEN_PCI_INTR_CONTROL_HINT, off, v,
                           set, mask, fn->host.name);
        return false;
    }
    return true;
}

/* As pciback: bus master and INTx disable reach the function. */
static void xen_pci_func_follow_command(XenPciFunc *fn, uint16_t old,
                                        uint16_t cmd)
{
    const uint16_t follow = PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE;

    if ((old ^ cmd) & follow) {
        xen_pci_func_host_update(fn, PCI_COMMAND, 2, follow, cmd & follow);
    }
}

/* ---- power management (power_mgmt) ---- */

#define XEN_PCI_PM_D0 0
#define XEN_PCI_PM_D3HOT 3
/* PCI PM 1.2, table 5-6: the wait after a transition to or from D3hot */
#define XEN_PCI_PM_D3HOT_WAIT_US 10000

/*
 * Set the function's PowerState (D1/D2 reach here only where it has them:
 * the engine keeps the state otherwise); PME_Status, write-1-to-clear, is
 * written as 0.
 */
static bool xen_pci_func_pm_set(XenPciFunc *fn, unsigned state)
{
    unsigned ctrl = xpf_find_cap(fn->xpf, PCI_CAP_ID_PM) + PCI_PM_CTRL;
    uint32_t v, from;

    if (xen_pci_host_cfg_read(&fn->host, ctrl, 2, &v) < 0) {
        xen_pci_func_error(fn, "host PMCSR read failed");
        return false;
    }
    from = v & PCI_PM_CTRL_STATE_MASK;
    if (from == state) {
        return true;
    }
    trace_xen_pci_func_pm(fn->host.name, from, state);
    v &= ~(PCI_PM_CTRL_STATE_MASK | PCI_PM_CTRL_PME_STATUS);
    if (xen_pci_func_host_write(fn, ctrl, 2, v | state)) {
        return false;
    }
    if (from == XEN_PCI_PM_D3HOT || state == XEN_PCI_PM_D3HOT) {
        g_usleep(XEN_PCI_PM_D3HOT_WAIT_US);
    }
    fn->pm_moved = state != XEN_PCI_PM_D0;
    return true;
}

/*
 * power_mgmt asked for: taken for a function that keeps its state leaving
 * D3hot; one that would reset itself then (No_Soft_Reset 0, its config and
 * interrupt set-up lost under the guest) keeps virtual D-states, said once.
 */
static void xen_pci_func_pm_init(XenPciFunc *fn)
{
    unsigned pm = xpf_find_cap(fn->xpf, PCI_CAP_ID_PM);
    uint32_t v;

    if (!pm) {
        warn_report("%s: power_mgmt: the function has no power management "
                    "capability", fn->log_name);
        return;
    }
    if (xen_pci_host_cfg_read(&fn->host, pm + PCI_PM_CTRL, 2, &v) < 0) {
        warn_report("%s: power_mgmt: the function's PMCSR cannot be read: "
                    "its D-states stay virtual", fn->log_name);
        return;
    }
    if (!(v & PCI_PM_CTRL_NO_SOFT_RESET)) {
        warn_report("%s: power_mgmt: the function resets itself leaving "
                    "D3hot (No_Soft_Reset 0): its D-states stay virtual",
                    fn->log_name);
        return;
    }
    fn->power_mgmt = true;
}

static void xen_pci_func_event(void *opaque, const XpfEvent *ev)
{
    XenPciFunc *fn = opaque;

    trace_xen_pci_func_event(fn->host.name, xpf_event_name(ev->kind),
                             ev->index, ev->old_val, ev->new_val);
    if (ev->kind == XPF_EV_COMMAND) {
        xen_pci_func_follow_command(fn, ev->old_val, ev->new_val);
    }
    if (ev->kind == XPF_EV_PM_STATE && fn->power_mgmt) {
        xen_pci_func_pm_set(fn, ev->new_val & PCI_PM_CTRL_STATE_MASK);
    }
    if (fn->event) {
        fn->event(fn, ev);
    }
}

/* ---- denied writes ---- */

/* A quirk of exactly these bytes is possible (pciback's rules too). */
static bool xen_pci_denied_quirkable(const XenPciDenied *e)
{
    return (e->size == 1 || e->size == 2 || e->size == 4) &&
           !(e->off % e->size);
}

static uint32_t xen_pci_denied_mask(const XenPciDenied *e)
{
    return e->size == 4 ? 0xffffffff : (1u << (8 * e->size)) - 1;
}

/* What would let @e through, in the syntax the user types (g_free). */
static char *xen_pci_denied_setting(const XenPciFunc *fn,
                                    const XenPciDenied *e, bool verbose)
{
    switch (e->knob) {
    case XPF_KNOB_PERMISSIVE_OR_QUIRK:
        if (!xen_pci_denied_quirkable(e)) {
            return g_strdup("permissive=on");
        }
        if (!verbose) {
            return g_strdup_printf("permissive=on or quirks=0x%x:%u:0x%x",
                                   e->off, e->size,
                                   xen_pci_denied_mask(e));
        }
        return g_strdup_printf("permissive=on, or the quirk 0x%x:%u:0x%x "
                               "(the quirks property; or in dom0 before the "
                               "guest starts: echo %s-%x:%u:%x > "
                               "/sys/bus/pci/drivers/pciback/quirks)",
                               e->off, e->size, xen_pci_denied_mask(e),
                               fn->host.name, e->off, e->size,
                               xen_pci_denied_mask(e));
    case XPF_KNOB_INTR_CONTROL:
        return verbose ?
            g_strdup_printf("allow-interrupt-control=on (or in dom0 before "
                            "the guest starts: echo %s > /sys/bus/pci/"
                            "drivers/pciback/allow_interrupt_control)",
                            fn->host.name) :
            g_strdup("allow-interrupt-control=on");
    case XPF_KNOB_PERMISSIVE:
        return g_strdup(verbose ? "permissive=on (lifts the one interrupt "
                        "type at a time rule)" : "permissive=on");
    default:
        return g_strdup("none");
    }
}

/* The first denied write of a register a setting could let through. */
static void xen_pci_denied_log(XenPciFunc *fn, const XenPciDenied *e)
{
    g_autofree char *setting = NULL;

    if (e->knob == XPF_KNOB_NONE || e->off >= XPF_CFG_SIZE ||
        test_bit(e->off, fn->denied_logged) ||
        fn->denied_logged_n >= XEN_PCI_DENIED_LOGGED ||
        !xen_pci_log_allowed(&fn->last_log_ms)) {
        return;
    }
    set_bit(e->off, fn->denied_logged);
    fn->denied_logged_n++;
    setting = xen_pci_denied_setting(fn, e, true);
    warn_report("%s: guest write of 0x%x to config 0x%x (%u bytes) %s: %s; "
                "allowed by %s%s", fn->log_name, e->val, e->off, e->size,
                xpf_decision_name(e->dec), e->why, setting,
                fn->denied_logged_n == XEN_PCI_DENIED_LOGGED ?
                "; no further register of this function is logged "
                "(qom-get last-denied-writes)" : "");
}

static void xen_pci_denied_record(XenPciFunc *fn, XpfDecision dec,
                                  unsigned off, unsigned size, uint32_t val,
                                  const char *why)
{
    XenPciDenied *e = &fn->denied[fn->denied_n++ % XEN_PCI_DENIED_KEEP];

    *e = (XenPciDenied) {
        .off = off, .size = size, .dec = dec, .val = val,
        .knob = xpf_denied_knob(dec, why),
    };
    g_strlcpy(e->why, why ?: "", sizeof(e->why));
    xen_pci_denied_log(fn, e);
}

static bool xen_pci_denied_visit_one(const XenPciFunc *fn,
                                     const XenPciDenied *e, Visitor *v,
                                     Error **errp)
{
    g_autofree char *setting = xen_pci_denied_setting(fn, e, false);
    char *func = (char *)fn->host.name;
    char *dec = (char *)xpf_decision_name(e->dec);
    char *why = (char *)e->why;
    uint32_t off = e->off, size = e->size, val = e->val;
    bool ok;

    if (!visit_start_struct(v, NULL, NULL, 0, errp)) {
        return false;
    }
    ok = visit_type_str(v, "function", &func, errp) &&
         visit_type_uint32(v, "offset", &off, errp) &&
         visit_type_uint32(v, "size", &size, errp) &&
         visit_type_uint32(v, "value", &val, errp) &&
         visit_type_str(v, "decision", &dec, errp) &&
         visit_type_str(v, "reason", &why, errp) &&
         visit_type_str(v, "allowed-by", &setting, errp);
    visit_end_struct(v, NULL);
    return ok;
}

bool xen_pci_func_visit_denied(const XenPciFunc *fn, Visitor *v,
                               Error **errp)
{
    unsigned n = MIN(fn->denied_n, XEN_PCI_DENIED_KEEP);
    unsigned i;

    for (i = fn->denied_n - n; i < fn->denied_n; i++) {
        if (!xen_pci_denied_visit_one(fn, &fn->denied[i % XEN_PCI_DENIED_KEEP],
                                      v, errp)) {
            return false;
        }
    }
    return true;
}

static void xen_pci_func_decision(void *opaque, XpfDecision dec,
                                  unsigned off, unsigned size, uint32_t val,
                                  const char *why)
{
    XenPciFunc *fn = opaque;

    trace_xen_pci_func_decision(fn->host.name, xpf_decision_name(dec), off,
                                size, val, why);
    if (dec == XPF_DEC_DROPPED || dec == XPF_DEC_REFUSED) {
        xen_pci_denied_record(fn, dec, off, size, val, why);
    }
    if (dec == XPF_DEC_REFUSED) {
        xen_pci_func_guest_error(fn, "write of 0x%x to config 0x%x "
                                 "refused: %s", val, off, why);
    }
}

static const XpfPathOps xen_pci_func_path_ops = {
    .event = xen_pci_func_event,
    .decision = xen_pci_func_decision,
};

/* ---- policy ---- */

/*
 * The device's policy @p over the function's pciback policy (see
 * XenPciPolicy); @from: which fields pciback's setting decided.
 */
static XenPciPolicy xen_pci_func_effective(const XenPciFunc *fn,
                                           const XenPciPolicy *p,
                                           unsigned *from)
{
    const XenPcibackPolicy *pb = &fn->pciback;
    XenPciPolicy e = *p;

    *from = 0;
    if (!(p->set & XEN_PCI_POLICY_SET_PERMISSIVE) && pb->permissive &&
        !p->permissive) {
        e.permissive = true;
        *from |= XEN_PCI_POLICY_SET_PERMISSIVE;
    }
    if (!(p->set & XEN_PCI_POLICY_SET_INTR) && pb->allow_interrupt_control &&
        !p->allow_interrupt_control) {
        e.allow_interrupt_control = true;
        *from |= XEN_PCI_POLICY_SET_INTR;
    }
    if (!(p->set & XEN_PCI_POLICY_SET_QUIRKS) && pb->quirks) {
        e.quirks = pb->quirks;
        *from |= XEN_PCI_POLICY_SET_QUIRKS;
    }
    return e;
}

bool xen_pci_func_set_policy(XenPciFunc *fn, const XenPciPolicy *p,
                             Error **errp)
{
    unsigned from;
    XenPciPolicy e = xen_pci_func_effective(fn, p, &from);
    XpfPolicy xp = {
        .permissive = e.permissive,
        .allow_interrupt_control = e.allow_interrupt_control,
    };
    g_autoptr(GError) gerr = NULL;

    if (!xpf_set_quirks(fn->xpf, e.quirks, &gerr) &&
        (from & XEN_PCI_POLICY_SET_QUIRKS)) {
        /*
         * pciback's quirks may name a register it leaves alone and this
         * filter handles: not taken (a quirk only widens access), the
         * device works without them, and they are forgotten.
         */
        warn_report("%s: dom0's pciback quirks for it (%s) not taken: %s",
                    fn->log_name, e.quirks, gerr->message);
        g_clear_error(&gerr);
        g_clear_pointer(&fn->pciback.quirks, g_free);
        e.quirks = p->quirks;
        xpf_set_quirks(fn->xpf, e.quirks, &gerr);
    }
    if (gerr) {
        xen_pci_error_from_gerror(errp, gerr, fn->log_name);
        return false;
    }
    xpf_set_policy(fn->xpf, &xp);
    trace_xen_pci_func_policy(fn->host.name, e.permissive,
                              e.allow_interrupt_control, e.quirks ?: "");
    return true;
}

char *xen_pci_func_policy_summary(const XenPciFunc *fn,
                                  const XenPciPolicy *p)
{
    unsigned from;
    XenPciPolicy e = xen_pci_func_effective(fn, p, &from);

    return g_strdup_printf("permissive=%s allow-interrupt-control=%s "
                           "quirks=%s%s%s%s%s", e.permissive ? "on" : "off",
                           e.allow_interrupt_control ? "on" : "off",
                           e.quirks ?: "", from ? " (from pciback:" : "",
                           from & XEN_PCI_POLICY_SET_PERMISSIVE ?
                           " permissive" : "",
                           from & XEN_PCI_POLICY_SET_INTR ?
                           " allow_interrupt_control" : "",
                           from & XEN_PCI_POLICY_SET_QUIRKS ? " quirks)" :
                           from ? ")" : "");
}

/*
 * dom0's pciback policy for the function, from the directory of the
 * driver it is bound to (pciback's: checked before): a file that does not
 * exist says nothing; one that cannot be read or parsed is an error.
 */
static bool xen_pci_func_read_pciback_file(const char *dir, const char *name,
                                           char **text, Error **errp)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);
    g_autoptr(GError) gerr = NULL;

    *text = NULL;
    if (!g_file_get_contents(path, text, NULL, &gerr) &&
        !g_error_matches(gerr, G_FILE_ERROR, G_FILE_ERROR_NOENT)) {
        error_setg(errp, "%s", gerr->message);
        return false;
    }
    return true;
}

static bool xen_pci_func_read_pciback(XenPciFunc *fn, Error **errp)
{
    const XenPciHost *h = &fn->host;
    g_autofree char *link = g_build_filename(h->dir, "driver", NULL);
    g_autofree char *dir = realpath(link, NULL);
    g_autofree char *perm = NULL;
    g_autofree char *intr = NULL;
    g_autofree char *quirks = NULL;
    g_autoptr(GError) gerr = NULL;
    XenPcibackIds ids = {
        .vendor = pci_get_word(h->saved + PCI_VENDOR_ID),
        .device = pci_get_word(h->saved + PCI_DEVICE_ID),
    };

    if (!dir) {
        error_setg_errno(errp, errno, "host PCI device %s: its driver's "
                         "directory (%s)", h->name, link);
        return false;
    }
    if ((h->saved[PCI_HEADER_TYPE] & 0x7f) == PCI_HEADER_TYPE_NORMAL) {
        ids.subvendor = pci_get_word(h->saved + PCI_SUBSYSTEM_VENDOR_ID);
        ids.subdevice = pci_get_word(h->saved + PCI_SUBSYSTEM_ID);
    }
    if (!xen_pci_func_read_pciback_file(dir, "permissive", &perm, errp) ||
        !xen_pci_func_read_pciback_file(dir, "allow_interrupt_control", &intr,
                                        errp) ||
        !xen_pci_func_read_pciback_file(dir, "quirks", &quirks, errp)) {
        return false;
    }
    if (!xen_pciback_policy(&(XenPcibackFiles) { perm, intr, quirks },
                            &h->addr, &ids, &fn->pciback, &gerr)) {
        xen_pci_error_from_gerror(errp, gerr, h->name);
        return false;
    }
    trace_xen_pci_func_pciback_policy(h->name, dir, fn->pciback.permissive,
                                      fn->pciback.allow_interrupt_control,
                                      fn->pciback.quirks ?: "",
                                      fn->pciback.quirks_cut);
    if (fn->pciback.quirks_cut) {
        warn_report("%s: dom0's pciback lists its quirks on one page, cut "
                    "before the end of this function's: those not listed "
                    "are not taken (give them with the device's quirks "
                    "property)", fn->log_name);
    }
    return true;
}

/* ---- interrupts ---- */

static bool xen_pci_func_host_msi(void *opaque, unsigned nvec)
{
    XenPciFunc *fn = opaque;
    XpfMsiState m;
    uint16_t set = 0;

    xpf_msi_state(fn->xpf, &m);
    if (!m.present) {
        return false;
    }
    if (nvec) {
        set = PCI_MSI_FLAGS_ENABLE | (ctz32(nvec) << 4);
    }
    trace_xen_pci_func_host_msi(fn->host.name, nvec);
    return xen_pci_func_host_set_checked(fn, m.cap + PCI_MSI_FLAGS,
                                         PCI_MSI_FLAGS_ENABLE |
                                         PCI_MSI_FLAGS_QSIZE, set);
}

static bool xen_pci_func_host_msix(void *opaque, bool enabled, bool masked)
{
    XenPciFunc *fn = opaque;
    XpfMsixState x;

    xpf_msix_state(fn->xpf, &x);
    if (!x.present) {
        return false;
    }
    trace_xen_pci_func_host_msix(fn->host.name, enabled, masked);
    return xen_pci_func_host_set_checked(fn, x.cap + PCI_MSIX_FLAGS,
                                         PCI_MSIX_FLAGS_ENABLE |
                                         PCI_MSIX_FLAGS_MASKALL,
                                         (enabled ? PCI_MSIX_FLAGS_ENABLE
                                                  : 0) |
                                         (masked ? PCI_MSIX_FLAGS_MASKALL
                                                 : 0));
}

static void xen_pci_func_undo_failed(void *opaque, const char *what)
{
    error_report("%s: %s", ((XenPciFunc *)opaque)->log_name, what);
}

static const XenPciIntrHostOps xen_pci_func_intr_ops = {
    .msi = xen_pci_func_host_msi,
    .msix = xen_pci_func_host_msix,
    .undo_failed = xen_pci_func_undo_failed,
};

/* The host address of the MSI-X table, 0 if there is none. */
static uint64_t xen_pci_func_msix_table(const XenPciFunc *fn)
{
    XpfMsixState x;

    xpf_msix_state(fn->xpf, &x);
    if (!x.present || x.table_bar >= XPF_NUM_BARS) {
        return 0;
    }
    return fn->host.bars[x.table_bar].addr + (uint64_t)x.table_offset;
}

static void xen_pci_func_intr_init(XenPciFunc *fn)
{
    const XenPciHost *h = &fn->host;
    XenPciIntrConfig c = {
        .hv = &fn->hv, .xpf = fn->xpf, .host = &xen_pci_func_intr_ops,
        .opaque = fn, .bus = h->addr.bus,
        .devfn = PCI_DEVFN(h->addr.dev, h->addr.func),
        .msix_table = xen_pci_func_msix_table(fn),
        .gsi = h->saved[PCI_INTERRUPT_PIN] ? h->irq : 0,
    };

    xen_pci_intr_init(&fn->intr, &c);
    fn->steps |= XEN_PCI_FUNC_INTR;
}

/* A guest action's interrupt step: report a failure, rate-limited. */
static bool xen_pci_func_intr_done(XenPciFunc *fn, bool ok, GError *gerr)
{
    if (!ok) {
        xen_pci_func_error(fn, "%s", gerr ? gerr->message : "failed");
    }
    g_clear_error(&gerr);
    return ok;
}

bool xen_pci_func_intx_bind(XenPciFunc *fn, uint8_t bus, uint8_t dev,
                            uint8_t pin, Error **errp)
{
    g_autoptr(GError) gerr = NULL;

    if (!xen_pci_intr_intx_bind(&fn->intr, bus, dev, pin, &gerr)) {
        xen_pci_error_from_gerror(errp, gerr, fn->log_name);
        return false;
    }
    trace_xen_pci_func_intx(fn->host.name, fn->intr.intx_pirq, pin);
    return true;
}

int xen_pci_func_intx_pirq(const XenPciFunc *fn)
{
    if (!fn->intr.c.gsi) {
        return 0;
    }
    return fn->grants.pirq >= 0 ? fn->grants.pirq : fn->intr.c.gsi;
}

bool xen_pci_func_msi_enable(XenPciFunc *fn, unsigned nvec, int *pirq)
{
    GError *gerr = NULL;
    bool ok = xen_pci_intr_msi_enable(&fn->intr, nvec, pirq, &gerr);

    trace_xen_pci_func_msi(fn->host.name, ok, *pirq, nvec);
    return xen_pci_func_intr_done(fn, ok, gerr);
}

void xen_pci_func_msi_disable(XenPciFunc *fn)
{
    trace_xen_pci_func_msi(fn->host.name, false, fn->intr.msi[0].pirq,
                           fn->intr.msi_nvec);
    xen_pci_intr_msi_disable(&fn->intr);
}

bool xen_pci_func_msix_enable(XenPciFunc *fn, const uint16_t *entries,
                              unsigned n, int *pirqs)
{
    GError *gerr = NULL;
    bool ok = xen_pci_intr_msix_enable(&fn->intr, entries, n, pirqs, &gerr);

    trace_xen_pci_func_msix(fn->host.name, ok, n);
    return xen_pci_func_intr_done(fn, ok, gerr);
}

void xen_pci_func_msix_disable(XenPciFunc *fn)
{
    trace_xen_pci_func_msix(fn->host.name, false, 0);
    xen_pci_intr_msix_disable(&fn->intr);
}

void xen_pci_func_msi_sync(XenPciFunc *fn)
{
    GError *gerr = NULL;
    bool ok = xen_pci_intr_msi_sync(&fn->intr, &gerr);

    trace_xen_pci_func_msi(fn->host.name, fn->intr.msi_nvec,
                           fn->intr.msi[0].pirq, fn->intr.msi_nvec);
    xen_pci_func_intr_done(fn, ok, gerr);
}

void xen_pci_func_msix_control(XenPciFunc *fn)
{
    GError *gerr = NULL;

    xen_pci_func_intr_done(fn, xen_pci_intr_msix_control(&fn->intr, &gerr),
                           gerr);
}

bool xen_pci_func_msix_entry(XenPciFunc *fn, unsigned i, const XenPciMsg *m,
                             uint64_t gtable)
{
    GError *gerr = NULL;
    bool ok = xen_pci_intr_msix_entry(&fn->intr, i, m, gtable, &gerr);

    if (ok && i < fn->intr.msix_size && fn->intr.msix[i].bound) {
        trace_xen_pci_func_msix_entry(fn->host.name, i, fn->intr.msix[i].pirq,
                                      fn->intr.msix[i].gvec,
                                      fn->intr.msix[i].gflags);
    }
    return xen_pci_func_intr_done(fn, ok, gerr);
}

bool xen_pci_func_msix_rebind(XenPciFunc *fn, unsigned i, uint64_t gtable)
{
    GError *gerr = NULL;

    return xen_pci_func_intr_done(fn, xen_pci_intr_msix_rebind(&fn->intr, i,
                                                               gtable, &gerr),
                                  gerr);
}

/* ---- set-up and teardown ---- */

/* Set @bit in the 16-bit register at @off, read back, clear it again. */
static bool xen_pci_func_toggle_probe(XenPciFunc *fn, unsigned off,
                                      uint16_t bit, bool *taken)
{
    uint32_t v, after;

    if (xen_pci_host_cfg_read(&fn->host, off, 2, &v) < 0 ||
        xen_pci_host_cfg_write(&fn->host, off, 2, v | bit) < 0 ||
        xen_pci_host_cfg_read(&fn->host, off, 2, &after) < 0 ||
        xen_pci_host_cfg_write(&fn->host, off, 2, v & ~bit) < 0) {
        return false;
    }
    *taken = after & bit;
    return true;
}

/*
 * Probe with MSI Enable: harmless with bus mastering off (no message can
 * be sent), which it is for the probe's moment; the function is not in
 * use by anyone yet.
 */
static bool xen_pci_func_probe_msi(XenPciFunc *fn, unsigned off, bool *taken)
{
    uint32_t cmd;
    bool ok;

    if (xen_pci_host_cfg_read(&fn->host, PCI_COMMAND, 2, &cmd) < 0 ||
        ((cmd & PCI_COMMAND_MASTER) &&
         xen_pci_host_cfg_write(&fn->host, PCI_COMMAND, 2,
                                cmd & ~PCI_COMMAND_MASTER) < 0)) {
        return false;
    }
    ok = xen_pci_func_toggle_probe(fn, off, PCI_MSI_FLAGS_ENABLE, taken);
    if (cmd & PCI_COMMAND_MASTER) {
        ok &= xen_pci_host_cfg_write(&fn->host, PCI_COMMAND, 2, cmd) == 0;
    }
    return ok;
}

/* Whether the host takes the MSI/MSI-X control writes (see the header). */
static bool xen_pci_func_probe_intr(XenPciFunc *fn, Error **errp)
{
    unsigned msix = xen_pci_saved_cap(&fn->host, PCI_CAP_ID_MSIX);
    unsigned msi = xen_pci_saved_cap(&fn->host, PCI_CAP_ID_MSI);
    unsigned off = msix ? msix + PCI_MSIX_FLAGS : msi + PCI_MSI_FLAGS;
    uint32_t on = msix ? PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL
                       : PCI_MSI_FLAGS_ENABLE;
    uint32_t v;
    bool taken = true, ok;

    if (!msix && !msi) {
        return true;
    }
    ok = xen_pci_host_cfg_read(&fn->host, off, 2, &v) == 0;
    if (ok && (v & on)) {
        /* not as after reset: left to the check of each enable */
        trace_xen_pci_func_intr_control(fn->host.name, off, -1);
        return true;
    }
    ok = ok && (msix ? xen_pci_func_toggle_probe(fn, off,
                                                 PCI_MSIX_FLAGS_MASKALL,
                                                 &taken)
                     : xen_pci_func_probe_msi(fn, off, &taken));
    if (!ok) {
        error_setg(errp, "%s: host config access at 0x%x failed",
                   fn->log_name, off);
        return false;
    }
    trace_xen_pci_func_intr_control(fn->host.name, off, taken);
    if (!taken) {
        fn->intr_hidden = true;
        warn_report("%s: the host refused a write of the %s control "
                    "register, so MSI and MSI-X are hidden from the guest "
                    "(it can use INTx): " XEN_PCI_INTR_CONTROL_HINT,
                    fn->log_name, msix ? "MSI-X" : "MSI", fn->host.name);
    }
    return true;
}

static XenPciGrantTarget xen_pci_func_grant_target(const XenPciFunc *fn)
{
    const XenPciHost *h = &fn->host;

    return (XenPciGrantTarget) {
        .name = h->name,
        .sbdf = xen_pci_addr_sbdf(&h->addr),
        .bars = h->bars,
        .gsi = h->irq,
    };
}

static bool xen_pci_func_filter(XenPciFunc *fn, const XenPciPolicy *p,
                                Error **errp)
{
    XpfConfig c = {
        .host = &xen_pci_func_host_ops, .host_opaque = fn,
        .path = &xen_pci_func_path_ops, .path_opaque = fn,
        .cfg = fn->host.saved, .cfg_len = fn->host.config_size,
        .policy = { .permissive = p->permissive,
                    .allow_interrupt_control = p->allow_interrupt_control },
        .extcaps = XPF_EXTCAP_HIDE,
        .hide_msi = fn->intr_hidden,
        .msi_single = fn->msi_single,
    };
    g_autoptr(GError) gerr = NULL;

    memcpy(c.bars, fn->host.bars, sizeof(c.bars));
    fn->xpf = xpf_device_new(&c, &gerr);
    if (!fn->xpf) {
        xen_pci_error_from_gerror(errp, gerr, fn->log_name);
        return false;
    }
    fn->steps |= XEN_PCI_FUNC_FILTERED;
    return xen_pci_func_set_policy(fn, p, errp);
}

static bool xen_pci_func_grant(XenPciFunc *fn, Error **errp)
{
    XenPciGrantTarget t = xen_pci_func_grant_target(fn);
    g_autoptr(GError) gerr = NULL;

    if (!xen_pci_grant(&fn->hv, &t, &fn->grants, &gerr)) {
        xen_pci_error_from_gerror(errp, gerr, NULL);
        return false;
    }
    fn->steps |= XEN_PCI_FUNC_GRANTED;
    trace_xen_pci_func_grant(fn->host.name, fn->hv.domid, true);
    return true;
}

/* ---- in a stubdomain: the function under pcifront's address ---- */

/* How long a stubdomain's pcifront may take to show a function it got. */
#define XEN_PCI_STUBDOM_WAIT_MS 5000
#define XEN_PCI_STUBDOM_POLL_MS 50

static char *xen_pci_func_xs_read(void *opaque, const char *path)
{
    unsigned int len = 0;
    char *v = qemu_xen_xs_read(xenstore, XBT_NULL, path, &len);
    char *copy;

    if (!v) {
        return NULL;
    }
    copy = g_strndup(v, len);
    free(v);
    return copy;
}

/* pcifront's address of the function, from xenstore or @c->local_addr. */
static bool xen_pci_func_stubdom_addr(const XenPciFuncConfig *c,
                                      XenPciAddr *local, Error **errp)
{
    g_autoptr(GError) gerr = NULL;
    char host[XEN_PCI_ADDR_STRLEN];

    if (c->local_addr) {
        if (!xen_pci_addr_parse(c->local_addr, local)) {
            error_setg(errp, "x-local-addr '%s' is not DDDD:BB:DD.F",
                       c->local_addr);
            return false;
        }
        return true;
    }
    if (!xenstore ||
        !xen_pci_stubdom_local_addr(xen_pci_func_xs_read, NULL, &c->addr,
                                    local, &gerr)) {
        error_setg(errp, "host PCI device %s: cannot find it behind this "
                   "stubdomain's pcifront: %s",
                   xen_pci_addr_format(&c->addr, host),
                   gerr ? gerr->message : "no xenstore connection");
        return false;
    }
    return true;
}

/*
 * The function's sysfs name in this stubdomain: pcifront creates the
 * device a moment after libxl sees the backend connected.
 */
static char *xen_pci_func_stubdom_local(const XenPciFuncConfig *c,
                                        const char *root, Error **errp)
{
    XenPciAddr local;
    char name[XEN_PCI_ADDR_STRLEN], host[XEN_PCI_ADDR_STRLEN];
    g_autofree char *config = NULL;
    unsigned waited = 0;

    if (!xen_pci_func_stubdom_addr(c, &local, errp)) {
        return NULL;
    }
    config = g_build_filename(root, xen_pci_addr_format(&local, name),
                              "config", NULL);
    while (!g_file_test(config, G_FILE_TEST_EXISTS) &&
           waited < XEN_PCI_STUBDOM_WAIT_MS) {
        g_usleep(XEN_PCI_STUBDOM_POLL_MS * 1000);
        waited += XEN_PCI_STUBDOM_POLL_MS;
    }
    trace_xen_pci_func_stubdom_addr(xen_pci_addr_format(&c->addr, host),
                                    name, waited);
    return g_strdup(name);
}

/*
 * A reset that failed (@err): refused, or with no-strict-reset a warning
 * that the function may keep state from its previous user, and on.
 */
static bool xen_pci_func_reset_failed(XenPciFunc *fn, Error *err,
                                      Error **errp)
{
    if (!fn->no_strict_reset) {
        error_propagate(errp, err);
        return false;
    }
    warn_reportf_err(err, "%s: going on without a reset (no-strict-reset), "
                     "the function may keep state from its previous user: ",
                     fn->log_name);
    return true;
}

/* Reset the function (see above) and write its config as found back. */
static bool xen_pci_func_reset(XenPciFunc *fn, Error **errp)
{
    Error *err = NULL;

    if (!xen_pci_host_reset(&fn->host, &err) &&
        !xen_pci_func_reset_failed(fn, err, errp)) {
        return false;
    }
    fn->steps |= XEN_PCI_FUNC_TOUCHED;
    return xen_pci_host_restore(&fn->host, errp);
}

/* At release: reset (a failure reported) and restore in any case. */
static void xen_pci_func_release_host(XenPciFunc *fn)
{
    Error *reset_err = NULL, *refused = NULL, *restore_err = NULL;

    if (!xen_pci_host_reset(&fn->host, &reset_err) &&
        !xen_pci_func_reset_failed(fn, reset_err, &refused)) {
        error_report_err(refused);
    }
    if (!xen_pci_host_restore(&fn->host, &restore_err)) {
        error_report_err(restore_err);
    }
}

static bool xen_pci_func_open_host(XenPciFunc *fn, const XenPciFuncConfig *c,
                                   Error **errp)
{
    const char *root = c->sysfs_root ?: XEN_PCI_SYSFS_ROOT;
    g_autofree char *local = NULL;

    if (c->stubdom) {
        local = xen_pci_func_stubdom_local(c, root, errp);
        if (!local) {
            return false;
        }
    }
    return xen_pci_host_open(&fn->host, root, local, &c->addr, errp);
}

bool xen_pci_func_open(XenPciFunc *fn, const XenPciFuncConfig *c,
                       Error **errp)
{
    *fn = (XenPciFunc) {
        .event = c->event, .opaque = c->opaque,
        .grants = XEN_PCI_GRANTS_NONE,
    };
    if (xen_enabled()) {
        xen_pci_hv_init(&fn->hv, c->domid);
    } else {
        xen_pci_hv_init_recording(&fn->hv);
        fn->hv.domid = c->domid;
    }
    fn->hv.fail_live = c->hv_fail;
    if (!xen_pci_func_open_host(fn, c, errp)) {
        xen_pci_hv_cleanup(&fn->hv);
        return false;
    }
    fn->steps |= XEN_PCI_FUNC_OPENED;
    xen_pci_func_host_faults(fn, c->host_fail_writes, c->host_refuse_intr);
    snprintf(fn->log_name, sizeof(fn->log_name), "%s %s", c->owner,
             fn->host.name);
    /* Nothing has touched it yet: one of dom0's own is refused here. */
    if (!xen_pci_host_check_driver(&fn->host, c->stubdom, errp) ||
        (c->accept && !c->accept(fn, errp)) ||
        (!c->stubdom && !xen_pci_func_read_pciback(fn, errp))) {
        xen_pci_func_close(fn);
        return false;
    }
    /*
     * Start from a clean function, as it was found; in a stubdomain dom0
     * resets it (pciback drops a reset from its frontend), before and after.
     */
    fn->no_strict_reset = c->no_strict_reset;
    fn->msi_single = c->msi_single;
    if (c->stubdom) {
        trace_xen_pci_func_dom0_resets(fn->host.name);
    }
    if ((!c->stubdom && !xen_pci_func_reset(fn, errp)) ||
        (c->stubdom && !xen_pci_func_probe_intr(fn, errp)) ||
        !xen_pci_func_filter(fn, c->policy, errp) ||
        (c->grant && !xen_pci_func_grant(fn, errp)) ||
        !xen_pci_host_enable_decode(&fn->host, errp)) {
        xen_pci_func_close(fn);
        return false;
    }
    if (c->power_mgmt) {
        xen_pci_func_pm_init(fn);
    }
    xen_pci_func_intr_init(fn);
    return true;
}

void xen_pci_func_close(XenPciFunc *fn)
{
    if (fn->steps & XEN_PCI_FUNC_INTR) {
        xen_pci_intr_cleanup(&fn->intr);
    }
    if (fn->pm_moved) {
        xen_pci_func_pm_set(fn, XEN_PCI_PM_D0);
    }
    /* The next user finds the function as it was found. */
    if (fn->steps & XEN_PCI_FUNC_TOUCHED) {
        xen_pci_func_release_host(fn);
    }
    if (fn->steps & XEN_PCI_FUNC_GRANTED) {
        XenPciGrantTarget t = xen_pci_func_grant_target(fn);

        xen_pci_revoke(&fn->hv, &t, &fn->grants);
        trace_xen_pci_func_grant(fn->host.name, fn->hv.domid, false);
    }
    if (fn->steps & XEN_PCI_FUNC_FILTERED) {
        g_clear_pointer(&fn->xpf, xpf_device_free);
    }
    if (fn->steps & XEN_PCI_FUNC_OPENED) {
        xen_pci_host_close(&fn->host);
        xen_pci_hv_cleanup(&fn->hv);
    }
    xen_pciback_policy_clear(&fn->pciback);
    fn->steps = 0;
}

bool xen_pci_func_is_open(const XenPciFunc *fn)
{
    return fn->steps & XEN_PCI_FUNC_FILTERED;
}

/* Xen maps guest memory in 4 KiB frames. */
#define XEN_PCI_PAGE_SHIFT 12

bool xen_pci_func_map_mmio(XenPciFunc *fn, uint64_t gfn, uint64_t mfn,
                           uint64_t nr, bool add)
{
    if (fn->hv.ops->map_mmio(&fn->hv, gfn, mfn, nr, add)) {
        xen_pci_func_error(fn, "%s %" PRIu64 " pages of host MMIO at "
                           "0x%" PRIx64 " %s the guest at 0x%" PRIx64
                           " failed", add ? "mapping" : "unmapping", nr,
                           mfn << XEN_PCI_PAGE_SHIFT, add ? "into" : "from",
                           gfn << XEN_PCI_PAGE_SHIFT);
        return false;
    }
    return true;
}

bool xen_pci_func_map_ioport(XenPciFunc *fn, uint32_t gport, uint32_t mport,
                             uint32_t nr, bool add)
{
    if (fn->hv.ops->map_ioport(&fn->hv, gport, mport, nr, add)) {
        xen_pci_func_error(fn, "%s %u host I/O ports at 0x%x %s the guest "
                           "at 0x%x failed", add ? "mapping" : "unmapping",
                           nr, mport, add ? "into" : "from", gport);
        return false;
    }
    return true;
}

const char *xen_pci_func_name(const XenPciFunc *fn)
{
    return fn->host.name;
}

const XenPciAddr *xen_pci_func_addr(const XenPciFunc *fn)
{
    return &fn->host.addr;
}

const uint8_t *xen_pci_func_found_config(const XenPciFunc *fn)
{
    return fn->host.saved;
}

const XpfBar *xen_pci_func_bar(const XenPciFunc *fn, unsigned slot)
{
    return &fn->host.bars[MIN(slot, XPF_ROM_SLOT)];
}

bool xen_pci_func_is_virtfn(const XenPciFunc *fn)
{
    return fn->host.virtfn;
}

int xen_pci_func_irq(const XenPciFunc *fn)
{
    return fn->host.irq;
}

bool xen_pci_func_bar_read(XenPciFunc *fn, unsigned bar, uint64_t off,
                           void *buf, size_t size)
{
    return xen_pci_host_bar_read(&fn->host, bar, off, buf, size);
}

uint8_t *xen_pci_func_read_rom(XenPciFunc *fn, size_t *size, Error **errp)
{
    return xen_pci_host_read_rom(&fn->host, size, errp);
}

void xen_pci_func_host_faults(XenPciFunc *fn, bool fail_writes,
                              bool refuse_intr)
{
    fn->host.fail_writes = fail_writes;
    fn->host.refuse_intr = refuse_intr;
}

const char *xen_pci_func_hv_log(const XenPciFunc *fn)
{
    return fn->hv.log ? fn->hv.log->str : "";
}

uint64_t xen_pci_func_denied(const XenPciFunc *fn)
{
    return xen_pci_func_is_open(fn) ? xpf_denied_writes(fn->xpf) : 0;
}

/* ---- the policy properties, for both devices ---- */

static XenPciPolicy *xen_pci_policy_of(Object *obj, void *opaque)
{
    const XenPciPolicyProps *props = opaque;

    return (XenPciPolicy *)((char *)obj + props->offset);
}

/* Put @want into effect, then keep it as the device's policy. */
static void xen_pci_policy_change(Object *obj, void *opaque,
                                  XenPciPolicy *want, Error **errp)
{
    const XenPciPolicyProps *props = opaque;
    XenPciPolicy *p = xen_pci_policy_of(obj, opaque);

    if (props->apply && !props->apply(obj, want, errp)) {
        return;
    }
    if (want->quirks != p->quirks) {
        g_free(p->quirks);
        p->quirks = g_strdup(want->quirks);
    }
    p->permissive = want->permissive;
    p->allow_interrupt_control = want->allow_interrupt_control;
    p->set = want->set;
}

static void xen_pci_policy_get_bool(Object *obj, Visitor *v,
                                    const char *name, void *opaque,
                                    Error **errp)
{
    XenPciPolicy *p = xen_pci_policy_of(obj, opaque);
    bool val = !strcmp(name, "permissive") ? p->permissive
                                           : p->allow_interrupt_control;

    visit_type_bool(v, name, &val, errp);
}

static void xen_pci_policy_set_bool(Object *obj, Visitor *v,
                                    const char *name, void *opaque,
                                    Error **errp)
{
    XenPciPolicy want = *xen_pci_policy_of(obj, opaque);
    bool val;

    if (!visit_type_bool(v, name, &val, errp)) {
        return;
    }
    if (!strcmp(name, "permissive")) {
        want.permissive = val;
        want.set |= XEN_PCI_POLICY_SET_PERMISSIVE;
    } else {
        want.allow_interrupt_control = val;
        want.set |= XEN_PCI_POLICY_SET_INTR;
    }
    xen_pci_policy_change(obj, opaque, &want, errp);
}

static void xen_pci_policy_get_quirks(Object *obj, Visitor *v,
                                      const char *name, void *opaque,
                                      Error **errp)
{
    g_autofree char *val =
        g_strdup(xen_pci_policy_of(obj, opaque)->quirks ?: "");

    visit_type_str(v, name, &val, errp);
}

static void xen_pci_policy_set_quirks(Object *obj, Visitor *v,
                                      const char *name, void *opaque,
                                      Error **errp)
{
    XenPciPolicy want = *xen_pci_policy_of(obj, opaque);
    g_autofree char *val = NULL;

    if (!visit_type_str(v, name, &val, errp)) {
        return;
    }
    want.quirks = val;
    want.set |= XEN_PCI_POLICY_SET_QUIRKS;
    xen_pci_policy_change(obj, opaque, &want, errp);
}

static void xen_pci_policy_get_summary(Object *obj, Visitor *v,
                                       const char *name, void *opaque,
                                       Error **errp)
{
    const XenPciPolicyProps *props = opaque;
    XenPciPolicy *p = xen_pci_policy_of(obj, opaque);
    g_autofree char *val = props->describe ? props->describe(obj) : NULL;

    if (!val) {
        val = g_strdup_printf("permissive=%s allow-interrupt-control=%s "
                              "quirks=%s", p->permissive ? "on" : "off",
                              p->allow_interrupt_control ? "on" : "off",
                              p->quirks ?: "");
    }
    visit_type_str(v, name, &val, errp);
}

static const struct {
    const char *name, *type;
    ObjectPropertyAccessor *get, *set;
    const char *desc;
} xen_pci_policy_prop_list[] = {
    { "permissive", "bool", xen_pci_policy_get_bool, xen_pci_policy_set_bool,
      "unlisted config registers become writable (pciback's permissive)" },
    { "allow-interrupt-control", "bool", xen_pci_policy_get_bool,
      xen_pci_policy_set_bool,
      "the guest may enable INTx, MSI and MSI-X (one type at a time)" },
    { "quirks", "str", xen_pci_policy_get_quirks, xen_pci_policy_set_quirks,
      "extra pass-through registers, OFF:SIZE:MASK[,...] in hexadecimal" },
    { "policy", "str", xen_pci_policy_get_summary, NULL,
      "the policy in effect (with dom0's pciback settings for each "
      "function), one line per function" },
};

void xen_pci_policy_class_init(ObjectClass *klass,
                               const XenPciPolicyProps *props)
{
    unsigned i;

    for (i = 0; i < G_N_ELEMENTS(xen_pci_policy_prop_list); i++) {
        object_class_property_add(klass, xen_pci_policy_prop_list[i].name,
                                  xen_pci_policy_prop_list[i].type,
                                  xen_pci_policy_prop_list[i].get,
                                  xen_pci_policy_prop_list[i].set, NULL,
                                  (void *)props);
        object_class_property_set_description(klass,
            xen_pci_policy_prop_list[i].name,
            xen_pci_policy_prop_list[i].desc);
    }
}

void xen_pci_policy_free(XenPciPolicy *p)
{
    g_clear_pointer(&p->quirks, g_free);
}
